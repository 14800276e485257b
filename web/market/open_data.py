"""Open data (成果信息汇交) on the web: the page describing the exports, the results library as CSV and JSON Lines
(streamed), the incremental feed paged by log position, and the report per funding project (page, JSON, CSV).

Everything here is public (no login) and holds only public records (``projections.market.open_data``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get
from litestar.params import Parameter
from litestar.response import Response, Stream, Template

from projections.market.open_data import (
    MAX_LIMIT,
    FeedItem,
    FundingProject,
    ListingRecord,
    OpenDataQueries,
    PatentRecord,
)
from web.context import page_context
from web.state import WebState

#: Cells a spreadsheet would read as a formula (or a DDE call) when they open a cell.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%")
PATENT_COLUMNS = ("id", "jurisdiction", "application_number", "publication_number", "patent_type", "title_zh",
                  "title_en", "abstract_zh", "abstract_en", "ipc_codes", "filing_date", "publication_date",
                  "grant_date", "expiry_date", "legal_status", "owners", "inventors", "funder",
                  "funding_programme", "project_reference", "funding_end_date", "listing_id", "registered_at",
                  "updated_at")
LISTING_COLUMNS = ("id", "patent_id", "seller", "status", "deal_types", "price_mode", "asking_price_yuan",
                   "currency", "maturity", "trl", "title_zh", "title_en", "patent_number", "patent_type",
                   "legal_status", "ipc_codes", "keywords", "advantages", "applications", "published_at",
                   "updated_at")
FUNDING_COLUMNS = ("funder", "programme", "project_reference", "registered", "listed", "converted")
CSV_TYPE = "text/csv; charset=utf-8"
JSONL_TYPE = "application/x-ndjson; charset=utf-8"


def cell(value: object) -> str:
    """A CSV cell a spreadsheet will not run as a formula: text starting (after spaces) with a formula sign gets
    a leading apostrophe. Numbers are written as they are."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    shown = str(value)
    return "'" + shown if shown.lstrip(" ")[:1] in FORMULA_START and shown else shown


def csv_line(values: Iterable[object]) -> str:
    out = io.StringIO()
    csv.writer(out).writerow([cell(v) for v in values])
    return out.getvalue()


def patent_row(p: PatentRecord) -> list[object]:
    f = p.funding
    return [str(p.id), p.jurisdiction, p.application_number, p.publication_number, p.patent_type, p.title_zh,
            p.title_en, p.abstract_zh, p.abstract_en, p.ipc_codes, p.filing_date, p.publication_date, p.grant_date,
            p.expiry_date, p.legal_status, p.owners, p.inventors, f.funder if f else "", f.programme if f else "",
            f.project_reference if f else "", f.end_date if f else None, p.listing_id, p.registered_at.isoformat(),
            p.updated_at.isoformat()]


def listing_row(x: ListingRecord) -> list[object]:
    price = None if x.asking_price is None else f"{x.asking_price / 100:.2f}"
    return [str(x.id), str(x.patent_id), x.seller, x.status, x.deal_types, x.price_mode, price, x.currency,
            x.maturity, x.trl, x.title_zh, x.title_en, x.patent_number, x.patent_type, x.legal_status, x.ipc_codes,
            x.keywords, x.advantages, x.applications, x.published_at.isoformat() if x.published_at else None,
            x.updated_at.isoformat()]


async def csv_stream(columns: Sequence[str], rows: AsyncIterator[Any],
                     row: Callable[[Any], list[object]]) -> AsyncIterator[bytes]:
    """UTF-8 with a byte-order mark (so Excel reads Chinese), one line at a time."""
    yield ("\ufeff" + csv_line(columns)).encode()
    async for record in rows:
        yield csv_line(row(record)).encode()


async def jsonl_stream(rows: AsyncIterator[Any]) -> AsyncIterator[bytes]:
    encoder = msgspec.json.Encoder()
    async for record in rows:
        yield encoder.encode(record) + b"\n"


def download(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}


class FeedPage(msgspec.Struct, frozen=True, kw_only=True):
    """A page of the library's changes after ``after``: ``next`` is the position to ask ``after=`` next time
    (equal to ``after`` when nothing new has been recorded; an empty ``items`` may still advance ``next``)."""

    items: list[FeedItem]
    next: int


class FundingReport(msgspec.Struct, frozen=True, kw_only=True):
    """Results of each funding project (funder, programme, project number)."""

    projects: list[FundingProject]


After = Annotated[int, Parameter(ge=0, le=2**62, description="the position to read after (0: from the start)")]
Limit = Annotated[int, Parameter(ge=1, le=MAX_LIMIT, description="at most this many positions read")]


def queries(web: WebState) -> OpenDataQueries:
    return OpenDataQueries(web.pool)


class OpenDataApiController(Controller):
    path = "/api/open-data"
    tags = ["open data"]  # noqa: RUF012 - litestar declares it as an instance attribute

    @get("/feed", summary="The results library's changes after a log position (public; resume from `next`)")
    async def feed(self, web: WebState, after: After = 0, limit: Limit = 100) -> FeedPage:
        items, resume = await queries(web).feed(after, limit)
        return FeedPage(items=items, next=resume)

    @get("/funding", summary="Results registered, listed and converted per funding project (public)")
    async def funding(self, web: WebState) -> FundingReport:
        return FundingReport(projects=await queries(web).funding_report())


class OpenDataPagesController(Controller):
    include_in_schema = False

    @get("/open-data", name="open_data")
    async def index(self, request: Request[Any, Any, Any]) -> Template:
        return Template("market/open_data.html.jinja2", context=page_context(request))

    @get("/open-data/funding", name="open_data_funding")
    async def funding(self, request: Request[Any, Any, Any], web: WebState) -> Template:
        projects = await queries(web).funding_report()
        return Template("market/open_data_funding.html.jinja2", context=page_context(request, projects=projects))

    @get("/open-data/funding.csv")
    async def funding_csv(self, web: WebState) -> Response[str]:
        projects = await queries(web).funding_report()
        text = "\ufeff" + csv_line(FUNDING_COLUMNS) + "".join(
            csv_line([p.funder, p.programme, p.project_reference, p.registered, p.listed, p.converted])
            for p in projects)
        return Response(text, media_type=CSV_TYPE, headers=download("funding-projects.csv"))

    @get("/open-data/patents.csv")
    async def patents_csv(self, web: WebState) -> Stream:
        return Stream(csv_stream(PATENT_COLUMNS, queries(web).patents(), patent_row), media_type=CSV_TYPE,
                      headers=download("patents.csv"))

    @get("/open-data/patents.jsonl")
    async def patents_jsonl(self, web: WebState) -> Stream:
        return Stream(jsonl_stream(queries(web).patents()), media_type=JSONL_TYPE, headers=download("patents.jsonl"))

    @get("/open-data/listings.csv")
    async def listings_csv(self, web: WebState) -> Stream:
        return Stream(csv_stream(LISTING_COLUMNS, queries(web).listings(), listing_row), media_type=CSV_TYPE,
                      headers=download("listings.csv"))

    @get("/open-data/listings.jsonl")
    async def listings_jsonl(self, web: WebState) -> Stream:
        return Stream(jsonl_stream(queries(web).listings()), media_type=JSONL_TYPE,
                      headers=download("listings.jsonl"))
