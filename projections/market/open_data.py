"""Open data (成果信息汇交), reading side (asyncpg): the results library as public records, streamed; the feed of
its changes paged by the event store's positions; and the report per funding project.

A public record holds only what the public pages show: a patent's bibliographic facts, owners' and inventors'
names (published by CNIPA), its public funding; a listing's terms and its seller organisation's name. Never an
e-mail, a user id, an organisation id, a draft listing, or a registration withdrawn.

Positions are the event store's notification ids (``marketplace_events``), so the feed reads the same after a
read model is rebuilt. The feed never passes the position the catalogue read model has reached, so a record
it answers is the one the events up to ``next`` made (later changes come again, later in the feed).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime
from uuid import UUID

import asyncpg
import msgspec
from eventsourcing.utils import get_topic

from domain.catalogue.listing import Listing
from domain.catalogue.patent import Patent
from projections.shared.topics import event_topics

#: The stored topic prefixes of the library's aggregates ("module:Class."), and the kind each feeds.
KINDS: dict[str, str] = {f"{get_topic(Patent)}.": "patent", f"{get_topic(Listing)}.": "listing"}
#: The changes the feed tells: those of the public record (not deals in negotiation, reservations, drafts opened).
FEED_TOPICS = sorted(
    event_topics(Patent, "Registered", "CoOwnershipConfirmed", "RegistrationWithdrawn", "Reregistered",
                 "FundingRecorded", "LegalStatusChanged", "ListingClosed", "LicenceActivated", "LicenceEnded",
                 "OwnershipTransferred", "OwnershipReverted", "TransferRegistered")
    | event_topics(Listing, "Drafted", "Revised", "Published", "Withdrawn", "Suspended", "Resumed", "Closed",
                   "DealTypesRestricted", "DealTypesRestored"))
#: Listing statuses the public may read (a draft is its seller's own).
PUBLIC_LISTING = ("published", "suspended", "withdrawn", "sold", "closed")
MAX_LIMIT = 500


class Funding(msgspec.Struct, frozen=True, kw_only=True):
    """A patent's public funding (财政资助): funder, programme, project number, funding end date."""

    funder: str = ""
    programme: str = ""
    project_reference: str = ""
    end_date: date | None = None


class PatentRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A registered patent as its public page shows it."""

    id: UUID
    jurisdiction: str
    application_number: str
    publication_number: str
    patent_type: str
    title_zh: str
    title_en: str
    abstract_zh: str
    abstract_en: str
    ipc_codes: list[str]
    filing_date: date | None
    publication_date: date | None
    grant_date: date | None
    expiry_date: date | None
    legal_status: str
    owners: list[str]
    inventors: list[str]
    funding: Funding | None
    listing_id: UUID | None
    registered_at: datetime
    updated_at: datetime


class ListingRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A listing as its public page shows it; amounts in fen (分)."""

    id: UUID
    patent_id: UUID
    seller: str
    status: str
    deal_types: list[str]
    price_mode: str
    asking_price: int | None
    currency: str
    maturity: str
    trl: int | None
    title_zh: str
    title_en: str
    patent_number: str
    patent_type: str
    legal_status: str
    ipc_codes: list[str]
    keywords: list[str]
    advantages: str
    applications: str
    published_at: datetime | None
    updated_at: datetime


class FeedItem(msgspec.Struct, frozen=True, kw_only=True):
    """One change of the library: its position in the log, what changed (``patent`` or ``listing``, the event's
    name) and the record as it now stands (``None``: no longer public, e.g. a registration withdrawn)."""

    position: int
    kind: str
    id: UUID
    change: str
    patent: PatentRecord | None = None
    listing: ListingRecord | None = None


class FundingProject(msgspec.Struct, frozen=True, kw_only=True):
    """A funding project's results: patents registered, listed (a listing published once), converted (a licence
    or transfer paid, or its conversion flag cleared)."""

    funder: str
    programme: str
    project_reference: str
    registered: int
    listed: int
    converted: int


PATENT_SELECT = (
    "SELECT p.id, p.jurisdiction, coalesce(p.application_number, '') AS application_number,"
    " coalesce(p.publication_number, '') AS publication_number, p.patent_type, p.title_zh, p.title_en,"
    " p.abstract_zh, p.abstract_en, p.ipc_codes, p.filing_date, p.publication_date, p.grant_date, p.expiry_date,"
    " p.legal_status, coalesce((SELECT array_agg(o ->> 'name' ORDER BY n) FROM jsonb_array_elements(p.owners)"
    "  WITH ORDINALITY AS x(o, n)), '{}') AS owners,"
    " coalesce((SELECT array_agg(i ->> 'name' ORDER BY n) FROM jsonb_array_elements(p.inventors)"
    "  WITH ORDINALITY AS y(i, n)), '{}') AS inventors,"
    " p.public_funding AS funding, (SELECT l.id FROM catalogue_listings l WHERE l.id = p.active_listing_id"
    "  AND l.status <> 'draft' AND l.published_at IS NOT NULL) AS listing_id, p.registered_at, p.updated_at"
    " FROM catalogue_patents p WHERE p.registration_status = 'active'"
)
LISTING_SELECT = (
    "SELECT l.id, l.patent_id, l.organisation_name AS seller, l.status, l.deal_types, l.price_mode,"
    " l.asking_price, l.currency, l.maturity, l.trl, l.title_zh, l.title_en, l.patent_number, l.patent_type,"
    " l.legal_status, l.ipc_codes, l.keywords, l.advantages, l.applications, l.published_at, l.updated_at"
    " FROM catalogue_listings l WHERE l.status = ANY($1::text[]) AND l.published_at IS NOT NULL"
)
PAID = (
    "(EXISTS (SELECT 1 FROM catalogue_licences l WHERE l.patent_id = p.id AND l.status IN ('active', 'ended'))"
    " OR EXISTS (SELECT 1 FROM catalogue_ownership_history h WHERE h.patent_id = p.id AND h.reverted_at IS NULL)"
    " OR EXISTS (SELECT 1 FROM conversions c WHERE c.patent_id = p.id AND c.status = 'converted'))"
)
FUNDING_SQL = (
    "SELECT coalesce(p.public_funding ->> 'funder', '') AS funder,"  # noqa: S608 - constant text only
    " coalesce(p.public_funding ->> 'programme', '') AS programme,"
    " coalesce(p.public_funding ->> 'project_reference', '') AS project_reference,"
    " count(*) AS registered,"
    " count(*) FILTER (WHERE EXISTS (SELECT 1 FROM catalogue_listings l WHERE l.patent_id = p.id"
    "  AND l.published_at IS NOT NULL)) AS listed,"
    " count(*) FILTER (WHERE " + PAID + ") AS converted"
    " FROM catalogue_patents p WHERE p.registration_status = 'active' AND p.public_funding IS NOT NULL"
    " GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
)


def _patent(row: asyncpg.Record) -> PatentRecord:
    return msgspec.convert(dict(row), PatentRecord, strict=False)


def _listing(row: asyncpg.Record) -> ListingRecord:
    return msgspec.convert(dict(row), ListingRecord, strict=False)


def kind_of(topic: str) -> tuple[str, str] | None:
    """``(kind, change)`` of a stored topic of the library's aggregates, else ``None``."""
    for prefix, kind in KINDS.items():
        if topic.startswith(prefix):
            return kind, topic[len(prefix):]
    return None


class OpenDataQueries:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def patents(self, batch: int = 500) -> AsyncIterator[PatentRecord]:
        """Every registered patent, by registration, read through a cursor (never the whole library at once)."""
        async with self.pool.acquire() as conn, conn.transaction(readonly=True):
            async for row in conn.cursor(f"{PATENT_SELECT} ORDER BY p.registered_at, p.id", prefetch=batch):
                yield _patent(row)

    async def listings(self, batch: int = 500) -> AsyncIterator[ListingRecord]:
        """Every listing ever published (with its status now), by publication, through a cursor."""
        async with self.pool.acquire() as conn, conn.transaction(readonly=True):
            async for row in conn.cursor(f"{LISTING_SELECT} ORDER BY l.published_at, l.id", list(PUBLIC_LISTING),
                                         prefetch=batch):
                yield _listing(row)

    async def feed(self, after: int, limit: int) -> tuple[list[FeedItem], int]:
        """The library's changes after position ``after`` (at most ``limit``) and the position to resume from."""
        limit = max(1, min(limit, MAX_LIMIT))
        async with self.pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
            reached = int(await conn.fetchval("SELECT coalesce(max(notification_id), 0) FROM catalogue_tracking"
                                          " WHERE application_name = 'marketplace'")
                          or 0)
            rows = await conn.fetch(
                "SELECT notification_id, originator_id, topic FROM marketplace_events"
                " WHERE notification_id > $1 AND notification_id <= $2"
                " AND topic = ANY($3::text[]) ORDER BY notification_id LIMIT $4",
                after, reached, FEED_TOPICS, limit,
            )
            resume = int(rows[-1]["notification_id"]) if len(rows) == limit else max(after, reached)
            ids = {kind: [r["originator_id"] for r in rows if (kind_of(r["topic"]) or ("", ""))[0] == kind]
                   for kind in ("patent", "listing")}
            patents = {r["id"]: _patent(r) for r in await conn.fetch(
                f"{PATENT_SELECT} AND p.id = ANY($1::uuid[])", ids["patent"])}
            listings = {r["id"]: _listing(r) for r in await conn.fetch(
                f"{LISTING_SELECT} AND l.id = ANY($2::uuid[])", list(PUBLIC_LISTING), ids["listing"])}
        items: list[FeedItem] = []
        for r in rows:
            kind, change = kind_of(r["topic"]) or ("", "")
            uid: UUID = r["originator_id"]
            if kind == "listing":
                if uid not in listings:
                    continue  # a draft: its seller's own until published
                items.append(FeedItem(position=r["notification_id"], kind=kind, id=uid, change=change,
                                      listing=listings[uid]))
            else:
                items.append(FeedItem(position=r["notification_id"], kind=kind, id=uid, change=change,
                                      patent=patents.get(uid)))
        return items, resume

    async def funding_report(self) -> list[FundingProject]:
        return [msgspec.convert(dict(r), FundingProject) for r in await self.pool.fetch(FUNDING_SQL)]

