"""Catalogue read model, reading side: listing index with search and facets, details, patents."""

from __future__ import annotations

import functools
from collections import OrderedDict
from datetime import date, datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec
from asyncpg.pool import PoolConnectionProxy
from eventsourcing.postgres import PostgresDatastore

from projections.catalogue.claims import ClaimQueries
from projections.shared.search import query_parts

#: A pooled connection (what ``Pool.acquire`` yields) or a plain one.
Connection = asyncpg.Connection | PoolConnectionProxy

PUBLIC_STATUSES = ("published", "suspended", "withdrawn")


class ListingFilters(msgspec.Struct, frozen=True, kw_only=True):
    """What the listing index is asked for; every field optional."""

    q: str = ""
    ipc_section: str | None = None
    ipc_class: str | None = None
    deal_type: str | None = None
    price_min: int | None = None
    price_max: int | None = None
    maturity: str | None = None
    status: str = "published"
    limit: int = 20
    offset: int = 0
    #: ``relevance`` (best matches first; the default with a query), ``newest`` (the default without),
    #: ``price_asc`` or ``price_desc`` (negotiable prices last either way).
    sort: str = ""


#: The orders the listing index offers (``ListingFilters.sort``).
SORTS = ("relevance", "newest", "price_asc", "price_desc")


class ListingItem(msgspec.Struct, frozen=True):
    id: UUID
    patent_id: UUID
    title: str
    title_zh: str
    title_en: str
    status: str
    deal_types: list[str]
    price_mode: str
    asking_price: int | None
    price_amount: int | None
    currency: str
    maturity: str
    trl: int | None
    organisation_id: UUID
    organisation_name: str
    jurisdiction: str
    patent_number: str
    patent_type: str
    legal_status: str
    ipc_codes: list[str]
    keywords: list[str]
    published_at: datetime | None
    updated_at: datetime
    version: int


class FacetCount(msgspec.Struct, frozen=True):
    value: str
    count: int


class ListingPage(msgspec.Struct, frozen=True):
    items: list[ListingItem]
    total: int
    facets: dict[str, list[FacetCount]]
    #: A broad text search (``BROAD_MATCHES``): ``total`` is PostgreSQL's estimate of the matches, and the facet
    #: counts (but the status's, which is that estimate) are those of the newest ``facets_of`` matches only.
    estimated: bool = False
    facets_of: int | None = None


class StatusChange(msgspec.Struct, frozen=True):
    version: int
    legal_status: str
    effective_date: date | None
    reason: str
    recorded_at: datetime


class PatentRecord(msgspec.Struct, frozen=True):
    id: UUID
    jurisdiction: str
    application_number: str | None
    publication_number: str | None
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
    owners: list[dict[str, Any]]
    inventors: list[dict[str, Any]]
    public_funding: dict[str, Any] | None
    source: str
    active_listing_id: UUID | None
    registered_at: datetime
    version: int
    #: ``active`` or ``withdrawn`` (found wrong, or withdrawn by its registrant: the number is free).
    registration_status: str = "active"
    registrant_organisation_id: UUID | None = None
    #: Named co-owners that have not yet confirmed: until then the patent cannot be listed or contracted.
    unconfirmed_owner_ids: list[UUID] = msgspec.field(default_factory=list)


class OwnershipChange(msgspec.Struct, frozen=True):
    """One link of a patent's chain of title: an assignment that came into force (or was reversed)."""

    contract_id: UUID
    from_owners: list[dict[str, Any]]
    to_owners: list[dict[str, Any]]
    transferred_at: datetime
    registration_reference: str
    registered_at: datetime | None
    reverted_at: datetime | None
    revert_reason: str


class LicenceEntry(msgspec.Struct, frozen=True):
    """A licence on a patent's register: reserved (``granted``) with its contract, ``active`` in force, ``ended``."""

    contract_id: UUID
    patent_id: UUID
    licensee_organisation_id: UUID
    licensee_name: str
    kind: str
    field_of_use: str
    territory: str
    starts_on: date
    ends_on: date
    status: str
    granted_at: datetime
    activated_at: datetime | None
    ended_at: datetime | None
    title_zh: str = ""
    title_en: str = ""


class ListingDetail(msgspec.Struct, frozen=True):
    listing: ListingItem
    advantages: str
    applications: str
    open_licence: dict[str, Any] | None
    drafted_at: datetime
    patent: PatentRecord
    status_history: list[StatusChange]


class ListingPageFacts(msgspec.Struct, frozen=True):
    """A listing's public page: the listing, whether its patent is under negotiation, and the kinds of licence
    in force on the patent, in order."""

    detail: ListingDetail
    under_negotiation: bool
    licensed_kinds: list[str]


# A listing's title in lists: the Chinese one, else the English ({0}: the row's alias and a dot, or nothing).
_TITLE = "CASE WHEN {0}title_zh <> '' THEN {0}title_zh ELSE {0}title_en END"
_LISTING_FIELDS = (
    f"id, patent_id, {_TITLE.format('')} AS title, title_zh, title_en,"
    " status, deal_types, price_mode, asking_price, price_amount, currency, maturity, trl, organisation_id,"
    " organisation_name, jurisdiction, patent_number, patent_type, legal_status, ipc_codes, keywords,"
    " published_at, updated_at, version"
)


#: The catalogue's position in the event log (its tracking row), and the same as a row of a counting statement.
POSITION_SQL = "SELECT notification_id FROM catalogue_tracking WHERE application_name = 'marketplace'"
_POSITION_ROW = f" UNION ALL SELECT 'position', '', coalesce(({POSITION_SQL}), 0)"


def _listing_json(alias: str) -> str:
    """A ``ListingItem`` of the row ``alias`` as one JSON object (msgspec decodes a page of them straight into the
    structs): the fields of ``_LISTING_FIELDS``, the instants in UTC as ``…Z`` whatever the session's time zone."""
    fields = []
    for name in ListingItem.__struct_fields__:
        if name == "title":
            value = _TITLE.format(f"{alias}.")
        elif name in ("published_at", "updated_at"):
            value = f"""to_char({alias}.{name} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""
        else:
            value = f"{alias}.{name}"
        fields.append(f"'{name}', {value}")
    return f"json_build_object({', '.join(fields)})"


def _page_and_position(status: str) -> str:
    """``UNION ALL`` rows of a statement with a ``page`` (id, n): the page's listings of the status ``status`` (a
    parameter), as a JSON array in its order (``rows``), and the catalogue's position in the log (``position``),
    both read with the counts, in one snapshot: the counts a position keys are those of that position."""
    return (
        " UNION ALL SELECT 'rows', (SELECT coalesce(json_agg("  # noqa: S608 - constant SQL
        f"{_listing_json('l')} ORDER BY p.n), '[]') FROM page p JOIN catalogue_listings l ON l.id = p.id"
        f" AND l.status = {status})::text, 0{_POSITION_ROW}"
    )


# Whether a patent (``p``) is under negotiation: offers open on it, a contract on it not yet in force, or reserved
# for an assignment.
_UNDER_NEGOTIATION = "cardinality(p.open_deal_ids) > 0 OR p.sale_reserved"
# Beside a listing's row (``FROM catalogue_listings l``), for its public page: whether its patent is under
# negotiation, and the kinds of the patent's active licences (``patent_licences``).
_PAGE_FACTS = (
    f", (SELECT {_UNDER_NEGOTIATION} FROM catalogue_patents p"  # noqa: S608 - constant SQL
    " WHERE p.id = l.patent_id) AS under_negotiation,"
    " ARRAY(SELECT DISTINCT c.kind FROM catalogue_licences c WHERE c.patent_id = l.patent_id"
    " AND c.status = 'active') AS licensed_kinds"
)
_PATENT_FIELDS = (
    "id, jurisdiction, application_number, publication_number, patent_type, title_zh, title_en, abstract_zh,"
    " abstract_en, ipc_codes, filing_date, publication_date, grant_date, expiry_date, legal_status, owners,"
    " inventors, public_funding, source, active_listing_id, registered_at, version, registration_status,"
    " registrant_organisation_id, unconfirmed_owner_ids"
)
# $1 latin words, $2 CJK tsquery text: NULL when the query is empty.
_QUERY = (
    "(SELECT CASE WHEN $1 = '' AND $2 = '' THEN NULL"
    " WHEN $2 = '' THEN plainto_tsquery('english', $1)"
    " WHEN $1 = '' THEN to_tsquery('simple', $2)"
    " ELSE plainto_tsquery('english', $1) && to_tsquery('simple', $2) END)"
)
# Filters other than status: $3 section, $4 class, $5 deal type, $6/$7 price range, $8 maturity.
_FILTERS = (
    " ($3::text IS NULL OR ipc_sections @> ARRAY[$3::text])"
    " AND ($4::text IS NULL OR ipc_classes @> ARRAY[$4::text])"
    " AND ($5::text IS NULL OR deal_types @> ARRAY[$5::text])"
    " AND ($6::bigint IS NULL OR price_amount >= $6)"
    " AND ($7::bigint IS NULL OR price_amount <= $7)"
    " AND ($8::text IS NULL OR maturity = $8)"
    " AND (q.query IS NULL OR search @@ q.query)"
)
_LIST_FROM = (
    f"WITH q AS ({_QUERY[1:-1]} AS query)"  # noqa: S608 - constant SQL, parameters bound
    f" SELECT {_LISTING_FIELDS} FROM catalogue_listings, q WHERE status = $9 AND {_FILTERS}"
)
# With a query: best matches first. Without: newest first, straight from the (status, published_at) index.
LIST_SQL = f"{_LIST_FROM} ORDER BY ts_rank(search, q.query) DESC, published_at DESC NULLS LAST, id LIMIT $10 OFFSET $11"
LATEST_SQL = f"{_LIST_FROM} ORDER BY published_at DESC NULLS LAST, id LIMIT $10 OFFSET $11"
# By price: a negotiable price (面议, or none at all) has no place on the scale and comes last.
_UNPRICED = "(price_mode = 'negotiable' OR price_amount IS NULL)"
PRICE_ASC_SQL = (
    f"{_LIST_FROM} ORDER BY {_UNPRICED}, price_amount ASC, published_at DESC NULLS LAST, id LIMIT $10 OFFSET $11"
)
PRICE_DESC_SQL = (
    f"{_LIST_FROM} ORDER BY {_UNPRICED}, price_amount DESC, published_at DESC NULLS LAST, id LIMIT $10 OFFSET $11"
)
COUNT_SQL = (
    f"WITH q AS ({_QUERY[1:-1]} AS query)"  # noqa: S608
    f" SELECT count(*) FROM catalogue_listings, q WHERE status = $9 AND {_FILTERS}"
)


def _array_facets(rows: str, where: str = "") -> str:
    """``UNION ALL`` branches counting each value of the array facets over ``rows`` (``where``: which of them).

    Each array is unnested in the select list (a ProjectSet), not joined to a lateral ``unnest``: the join ran a
    function scan per row, 2 ms more for a search of 1,700 matches (three facets), the same counts."""
    return "".join(
        f" UNION ALL SELECT '{facet}', v, count(*) FROM (SELECT unnest({column}) AS v FROM {rows}{where}) x"  # noqa: S608 - constant SQL
        " GROUP BY v"
        for facet, column in (("ipc_section", "ipc_sections"), ("ipc_class", "ipc_classes"),
                              ("deal_type", "deal_types"))
    )


FACETS_SQL = (
    f"WITH q AS ({_QUERY[1:-1]} AS query),"  # noqa: S608
    " f AS MATERIALIZED (SELECT status, ipc_sections, ipc_classes, deal_types, maturity FROM catalogue_listings, q"
    f" WHERE status = ANY($9::text[]) AND {_FILTERS})"
    " SELECT 'status' AS facet, status AS value, count(*) AS n FROM f GROUP BY status"
    f"{_array_facets('f', ' WHERE f.status = $10')}"
    " UNION ALL SELECT 'maturity', maturity, count(*) FROM f WHERE f.status = $10 GROUP BY maturity"
    f"{_POSITION_ROW}"
)

# A text search on a cold facet cache: the matches are read once (they are thousands for a broad term, each
# on its own heap page) for the page's rows and for the facet counts, where the list and the facets each read
# them before. {rank}: the ranking expression; {order}: the page's order over ``m``.
_SEARCH_WITH_FACETS = (
    f"WITH q AS ({_QUERY[1:-1]} AS query),"  # noqa: S608
    " m AS MATERIALIZED (SELECT id, status, ipc_sections, ipc_classes, deal_types, maturity, price_mode,"
    " price_amount, published_at, CASE WHEN status = $10 THEN {rank} END AS rank FROM catalogue_listings, q"
    f" WHERE status = ANY($9::text[]) AND {_FILTERS}{{limit}}),"
    " page AS (SELECT id, row_number() OVER (ORDER BY {order}) AS n FROM (SELECT * FROM m WHERE status = $10"
    " ORDER BY {order} LIMIT $11 OFFSET $12) top)"  # a top-N sort of the matches, then a sort of the page
    " SELECT 'status' AS facet, status AS value, count(*) AS n FROM m GROUP BY status"
    f"{_array_facets('m', ' WHERE m.status = $10')}"
    " UNION ALL SELECT 'maturity', maturity, count(*) FROM m WHERE m.status = $10 GROUP BY maturity"
    " UNION ALL SELECT 'matched', '', count(*) FROM m"
    f"{_page_and_position('$10')}"
)
_ORDERS = {
    "relevance": "rank DESC, published_at DESC NULLS LAST, id",
    "newest": "published_at DESC NULLS LAST, id",
    "price_asc": f"{_UNPRICED}, price_amount ASC, published_at DESC NULLS LAST, id",
    "price_desc": f"{_UNPRICED}, price_amount DESC, published_at DESC NULLS LAST, id",
}


@functools.cache
def _search_with_facets_sql(sort: str, limit: int | None) -> str:
    """The statement of a text search on a cold facet cache in the ``sort`` order, reading at most ``limit``
    matches (of any public status; ``None``: all of them). The limit is a constant of the statement, not a
    parameter: the planner plans the matches' scan as it plans the unlimited one, where a parameter would let a
    generic plan assume a fast-start scan. The ``matched`` row counts the matches read."""
    return _SEARCH_WITH_FACETS.format(
        rank="ts_rank(search, q.query)" if sort == "relevance" else "0", order=_ORDERS[sort],
        limit="" if limit is None else f" LIMIT {int(limit)}")


# A broad text search (more than ``BROAD_MATCHES`` matches by the planner's estimate, ``ESTIMATE_SQL``): its
# matches are spread over most of the table's pages and reading them all (for the rank, the count and the
# facets) costs about 20 µs each (0.8 s for 40,000 at 100,000 listings). Instead the newest ``BROAD_WINDOW``
# matches are read from the (status, published_at) index, which finds them in a few thousand rows for any
# term this broad; with the relevance order they are ranked and come first (their best first), the older
# matches follow newest first; the facets count that window and say so; the total is the estimate.
BROAD_MATCHES = 2000
BROAD_WINDOW = 200
#: Rows of the index read at most for the window (a term this broad fills it within some 10,000).
BROAD_SCAN = 20_000
ESTIMATE_SQL = (
    f"EXPLAIN (FORMAT JSON) WITH q AS ({_QUERY[1:-1]} AS query)"  # noqa: S608
    f" SELECT 1 FROM catalogue_listings, q WHERE status = $9 AND {_FILTERS}"
)
# The newest rows in index order, whatever the planner thinks of the term: ``$limit`` of them at most.
_NEWEST = (
    "(SELECT *, row_number() OVER (ORDER BY published_at DESC NULLS LAST, id) AS scanned FROM catalogue_listings"
    " WHERE status = $9 ORDER BY published_at DESC NULLS LAST, id LIMIT {limit}) catalogue_listings"
)
# The matches counted up to ``$10`` (a term the planner underestimates: see ``CatalogueQueries._search``).
COUNT_UP_TO_SQL = (
    f"WITH q AS ({_QUERY[1:-1]} AS query) SELECT count(*) FROM (SELECT 1 FROM catalogue_listings, q"  # noqa: S608
    f" WHERE status = $9 AND {_FILTERS} LIMIT $10) m"
)
BROAD_SEARCH_SQL = (
    f"WITH q AS ({_QUERY[1:-1]} AS query),"  # noqa: S608
    " w AS MATERIALIZED (SELECT id, ipc_sections, ipc_classes, deal_types, maturity, published_at, scanned,"
    f" ts_rank(search, q.query) AS rank FROM {_NEWEST.format(limit='$13')}, q"
    f" WHERE {_FILTERS} ORDER BY published_at DESC NULLS LAST, id LIMIT $12),"
    " page AS (SELECT id, row_number() OVER (ORDER BY rank DESC, published_at DESC NULLS LAST, id) AS n"
    " FROM (SELECT * FROM w ORDER BY rank DESC, published_at DESC NULLS LAST, id LIMIT $10 OFFSET $11) top)"
    " SELECT 'maturity' AS facet, maturity AS value, count(*) AS n FROM w GROUP BY maturity"
    f"{_array_facets('w')}"
    " UNION ALL SELECT 'window', '', count(*) FROM w"
    # how many of the newest rows held the window, and the listings of the status: the matches, estimated
    " UNION ALL SELECT 'scanned', '', coalesce(max(scanned), 0) FROM w"
    " UNION ALL SELECT 'listings', '', coalesce(sum(listings), 0) FROM catalogue_listing_facets"
    " WHERE facet = 'status' AND status = $9"
    f"{_page_and_position('$9')}"
)

STORED_FACETS_SQL = (
    "SELECT facet, value, listings AS n FROM catalogue_listing_facets"
    " WHERE (facet = 'status' AND status = ANY($1::text[])) OR (facet <> 'status' AND status = $2)"
)


def _items(rows: list[Any]) -> list[ListingItem]:
    """Rows of ``_LISTING_FIELDS`` as the page's listings."""
    return [ListingItem(**dict(r)) for r in rows]


def _filter_args(f: ListingFilters) -> list[Any]:
    latin, cjk = query_parts(f.q)
    return [latin, cjk, f.ipc_section, f.ipc_class, f.deal_type, f.price_min, f.price_max, f.maturity]


def _order_sql(f: ListingFilters, searching: bool) -> str:
    return {"price_asc": PRICE_ASC_SQL, "price_desc": PRICE_DESC_SQL, "newest": LATEST_SQL,
            "relevance": LIST_SQL}[_sort(f, searching)]


def _sort(f: ListingFilters, searching: bool) -> str:
    if f.sort in ("price_asc", "price_desc", "newest"):
        return f.sort
    return "relevance" if searching else "newest"


_LICENCE_FIELDS = (
    "l.contract_id, l.patent_id, l.licensee_organisation_id, COALESCE(o.name, '') AS licensee_name, l.kind,"
    " l.field_of_use, l.territory, l.starts_on, l.ends_on, l.status, l.granted_at, l.activated_at, l.ended_at,"
    " p.title_zh, p.title_en"
)
_LICENCES_FROM = (
    "FROM catalogue_licences l JOIN catalogue_patents p ON p.id = l.patent_id"
    " LEFT JOIN accounts_organisations o ON o.id = l.licensee_organisation_id"
)


class CatalogueQueries(ClaimQueries):
    """Reads of the catalogue read model (asyncpg), ownership claims included."""

    def __init__(self, pool: asyncpg.Pool, facet_cache_size: int = 512) -> None:
        self.pool = pool
        # Facet counts of filtered searches, keyed by the filters, with the catalogue's position in the event
        # log they were read at: a cached count is reused only while no event has changed the catalogue.
        self._facets: OrderedDict[tuple[Any, ...], tuple[int, list[Any]]] = OrderedDict()
        self._facet_cache_size = facet_cache_size

    async def _position(self, conn: Connection) -> int:
        return int(await conn.fetchval(POSITION_SQL) or 0)

    def _cached_facets(self, key: tuple[Any, ...]) -> tuple[int, list[Any]] | None:
        cached = self._facets.get(key)
        if cached is not None:
            self._facets.move_to_end(key)
        return cached

    def _keep_facets(self, key: tuple[Any, ...], position: int, counted: list[Any]) -> None:
        self._facets[key] = (position, counted)
        if len(self._facets) > self._facet_cache_size:
            self._facets.popitem(last=False)

    @staticmethod
    def _read(counted: list[Any], *names: str) -> tuple[list[Any], list[ListingItem], int]:
        """The facet counts of a statement's rows (without ``names``, its other rows), the page's listings it
        read (``rows``: a JSON array) and the catalogue's position it read them at."""
        items: list[ListingItem] = []
        position = 0
        facets = []
        for r in counted:
            facet = r["facet"]
            if facet == "rows":
                items = msgspec.json.decode(r["value"], type=list[ListingItem])
            elif facet == "position":
                position = int(r["n"])
            elif facet not in names:
                facets.append(r)
        return facets, items, position

    async def _search_with_facets(self, conn: Connection, f: ListingFilters, args: list[Any],
                                  limit: int | None) -> tuple[list[ListingItem], list[Any], int, int]:
        """The page's listings, the facet counts, how many matches were read (all of them when fewer than
        ``limit``) and the catalogue's position they were read at, the matches read once
        (``_search_with_facets_sql``)."""
        counted = await conn.fetch(_search_with_facets_sql(_sort(f, True), limit), *args, list(PUBLIC_STATUSES),
                                   f.status, f.limit, f.offset)
        matched = next(int(r["n"]) for r in counted if r["facet"] == "matched")
        facets, items, position = self._read(counted, "matched")
        return items, facets, matched, position

    async def _search(self, conn: Connection, f: ListingFilters,
                      args: list[Any]) -> tuple[list[ListingItem] | None, list[Any], int]:
        """A text search on a cold facet cache: the page's listings, the facet counts and the catalogue's position
        they were read at, exact for a term of at most ``BROAD_MATCHES`` matches, from the newest window
        (``_broad_search``) for a broader one.

        The planner's estimate (its statistics of the search index's lexemes) decides first: past
        ``BROAD_MATCHES`` the term is broad. It takes a query's lexemes for independent (the bigrams of one
        Chinese word, the words of a phrase are not) and cannot estimate a prefix, so a lower estimate is not
        trusted: the matches are read, ``BROAD_MATCHES + 1`` at most, for the page and the counts in one
        statement. When there are more than that, the term is broad if more than ``BROAD_MATCHES`` of those
        read have the status asked; otherwise (matches of other statuses filled the read) the status's own
        are counted, up to one more than ``BROAD_MATCHES``, to tell."""
        plan = msgspec.json.decode(await conn.fetchval(ESTIMATE_SQL, *args, f.status))
        estimate = int(plan[0]["Plan"]["Plan Rows"])
        if estimate <= BROAD_MATCHES:
            items, counted, matched, position = await self._search_with_facets(conn, f, args, BROAD_MATCHES + 1)
            if matched <= BROAD_MATCHES:
                return items, counted, position
            # More matches than that: those of the status asked, if they alone are more, or else counted.
            read = next((int(r["n"]) for r in counted if r["facet"] == "status" and r["value"] == f.status), 0)
            estimate = read if read > BROAD_MATCHES else int(
                await conn.fetchval(COUNT_UP_TO_SQL, *args, f.status, BROAD_MATCHES + 1))
        if estimate > BROAD_MATCHES and (broad := await self._broad_search(conn, f, args, estimate)) is not None:
            return broad
        items, counted, _, position = await self._search_with_facets(conn, f, args, None)
        return items, counted, position

    async def _broad_search(self, conn: Connection, f: ListingFilters, args: list[Any],
                            estimate: int | None) -> tuple[list[ListingItem] | None, list[Any], int] | None:
        """The page's listings (relevance order, a page within the window), the window's facet counts
        (``BROAD_SEARCH_SQL``) and the catalogue's position they were read at; with ``estimate``, the status
        facet says it (None: the term is not broad)."""
        ranked = _sort(f, True) == "relevance" and f.offset < BROAD_WINDOW
        # The same window for every page, whatever its limit: a page reaching past it takes the window's last
        # ranked rows, then the older matches newest first (as the pages after it), so each match is on one page.
        window = BROAD_WINDOW
        counted = await conn.fetch(BROAD_SEARCH_SQL, *args, f.status, min(f.limit, window - f.offset) if ranked else 0,
                                   f.offset if ranked else 0, window, BROAD_SCAN)
        facets, items, position = self._read(counted, "window", "scanned", "listings")
        rows: list[ListingItem] | None = None
        if ranked:
            rows = items
            if f.offset + f.limit > window:
                rows += _items(await conn.fetch(LATEST_SQL, *args, f.status, f.offset + f.limit - window, window))
        if estimate is not None:
            read, scanned, listings = (next(int(r["n"]) for r in counted if r["facet"] == name)
                                       for name in ("window", "scanned", "listings"))
            # The share of matches among the newest rows, over all the listings (the planner's may be too low).
            estimate = max(estimate, read * listings // scanned if scanned else 0)
            if read < window and listings > BROAD_SCAN:
                return None  # the newest BROAD_SCAN rows held fewer than the window: not that broad after all
            if read < window:  # the window holds every match: its counts are all of them
                facets.append({"facet": "status", "value": f.status, "n": read})
            else:
                facets.append({"facet": "status", "value": f.status, "n": max(estimate, read)})
                facets.append({"facet": "window", "value": "", "n": read})
        return rows, facets, position

    async def list_and_count(self, f: ListingFilters, *, with_facets: bool = True) -> ListingPage:
        args = _filter_args(f)
        searching = bool(any(args[:2]))
        unfiltered = not searching and all(a is None for a in args[2:])
        async with self.pool.acquire() as conn:
            counted: list[Any] = []
            rows: list[ListingItem] | None = None
            if unfiltered:
                # The projection keeps these counters; nothing to count per request.
                counted = list(await conn.fetch(STORED_FACETS_SQL, list(PUBLIC_STATUSES), f.status))
            elif with_facets:
                # Facet counts of filtered searches, kept while no event has changed the catalogue: those kept are
                # used if the catalogue is still at the position they were read at (one read of the position);
                # others are read with the position, in the statement that counts them.
                key = (f.status, *args)
                cached = self._cached_facets(key)
                if cached is not None and cached[0] == await self._position(conn):
                    counted = cached[1]
                    if any(r["facet"] == "window" for r in counted) and _sort(f, True) == "relevance" and (
                            f.offset < BROAD_WINDOW):
                        rows = (await self._broad_search(conn, f, args, None) or (None, [], 0))[0]
                elif searching:
                    rows, counted, position = await self._search(conn, f, args)
                    self._keep_facets(key, position, counted)
                else:  # filters only: the page's rows come straight from the (status, published_at) index
                    counted, _, position = self._read(
                        list(await conn.fetch(FACETS_SQL, *args, list(PUBLIC_STATUSES), f.status)))
                    self._keep_facets(key, position, counted)
            broad = next((int(r["n"]) for r in counted if r["facet"] == "window"), None)
            if rows is None:
                # A broad search past its ranked window: the older matches, newest first (the window's rows
                # are the newest matches, so the offset counts them).
                sql = LATEST_SQL if broad is not None and _sort(f, searching) == "relevance" else _order_sql(
                    f, searching)
                rows = _items(await conn.fetch(sql, *args, f.status, f.limit, f.offset))
            facets: dict[str, list[FacetCount]] = {}
            for r in counted:
                if r["facet"] != "window":
                    facets.setdefault(r["facet"], []).append(FacetCount(r["value"], r["n"]))
            for values in facets.values():
                values.sort(key=lambda fc: (-fc.count, fc.value))
            if f.offset == 0 and len(rows) < f.limit and (unfiltered or not with_facets):
                total = len(rows)
            elif unfiltered or with_facets:
                # The status facet counts the same filtered set per status: no second count needed.
                total = next((fc.count for fc in facets.get("status", []) if fc.value == f.status), 0)
            else:
                total = int(await conn.fetchval(COUNT_SQL, *args, f.status))
        if not with_facets:
            facets = {}
        return ListingPage(rows, total, facets, estimated=broad is not None, facets_of=broad)

    async def get_one_or_none(self, listing_id: UUID) -> ListingDetail | None:
        async with self.pool.acquire() as conn:
            found = await self._detail(conn, listing_id, "")
        return found[0] if found else None

    async def listing_page(self, listing_id: UUID) -> ListingPageFacts | None:
        """The listing with what its public page shows beside it, read over one connection: whether its patent
        is under negotiation (``under_negotiation``) and the kinds of licence in force on the patent (not who
        holds them: that is for the licensor and the licensee, see ``patent_licences``)."""
        async with self.pool.acquire() as conn:
            found = await self._detail(conn, listing_id, _PAGE_FACTS)
        if found is None:
            return None
        detail, row = found
        return ListingPageFacts(detail, bool(row["under_negotiation"]), sorted(row["licensed_kinds"]))

    async def _detail(self, conn: Connection, listing_id: UUID, extra: str) -> tuple[ListingDetail, Any] | None:
        """The listing, its patent and the patent's legal-status history in one statement (``_detail_sql``, one
        round trip, where three were): the patent's columns beside the listing's (``pt_…``), each change of
        status as a record (a tuple of typed values in the order of ``_HISTORY_FIELDS``: no uuid or jsonb, whose
        codecs are the pool's text ones)."""
        row = await conn.fetchrow(_detail_sql(extra), listing_id)
        if row is None:
            return None
        data = {k: row[k] for k in ListingItem.__struct_fields__}
        patent = PatentRecord(**{name: row[f"pt_{name}"] for name in _PATENT_NAMES})
        history = [StatusChange(**dict(zip(_HISTORY_NAMES, change, strict=True))) for change in row["history"]]
        return ListingDetail(
            listing=ListingItem(**data), patent=patent, status_history=history, advantages=row["advantages"],
            applications=row["applications"], open_licence=row["open_licence"], drafted_at=row["drafted_at"],
        ), row

    async def list_for_organisation(self, organisation_id: UUID, limit: int = 100) -> list[ListingItem]:
        rows = await self.pool.fetch(
            f"SELECT {_LISTING_FIELDS} FROM catalogue_listings WHERE organisation_id = $1"  # noqa: S608
            " ORDER BY updated_at DESC, id LIMIT $2",
            organisation_id, limit,
        )
        return [ListingItem(**dict(r)) for r in rows]

    async def latest(self, limit: int = 8) -> list[ListingItem]:
        rows = await self.pool.fetch(
            f"SELECT {_LISTING_FIELDS} FROM catalogue_listings WHERE status = 'published'"  # noqa: S608
            " ORDER BY published_at DESC NULLS LAST, id LIMIT $1",
            limit,
        )
        return [ListingItem(**dict(r)) for r in rows]

    async def counts(self) -> dict[str, int]:
        row = await self.pool.fetchrow(
            "SELECT (SELECT count(*) FROM catalogue_listings WHERE status = 'published') AS listings,"
            " (SELECT count(*) FROM catalogue_patents) AS patents,"
            " (SELECT count(*) FROM accounts_organisations) AS organisations,"
            " (SELECT count(*) FROM accounts_organisations WHERE kind IN ('university', 'research_institute'))"
            " AS institutions"
        )
        assert row is not None
        return {k: int(v) for k, v in row.items()}

    # --- patents ----------------------------------------------------------------------------
    async def list_patents(
        self, *, q: str = "", jurisdiction: str | None = None, owner_id: UUID | None = None,
        limit: int = 20, offset: int = 0,
    ) -> tuple[list[PatentRecord], int]:
        latin, cjk = query_parts(q)
        where = (
            f"WITH q AS ({_QUERY[1:-1]} AS query) SELECT {{}} FROM catalogue_patents, q"  # noqa: S608
            " WHERE (q.query IS NULL OR search @@ q.query) AND ($3::text IS NULL OR jurisdiction = $3)"
            " AND ($4::uuid IS NULL OR owner_ids @> ARRAY[$4::uuid])"
        )
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                where.format(_PATENT_FIELDS)
                + " ORDER BY CASE WHEN q.query IS NULL THEN 0 ELSE ts_rank(search, q.query) END DESC,"
                " registered_at DESC, id LIMIT $5 OFFSET $6",
                latin, cjk, jurisdiction, owner_id, limit, offset,
            )
            total = int(await conn.fetchval(where.format("count(*)"), latin, cjk, jurisdiction, owner_id))
        return [_patent(r) for r in rows], total

    async def get_patent(self, patent_id: UUID) -> tuple[PatentRecord, list[StatusChange]] | None:
        async with self.pool.acquire() as conn:
            patent = await self._patent(conn, patent_id)
            if patent is None:
                return None
            return patent, await self._history(conn, patent_id)

    @staticmethod
    async def _patent(conn: Connection, patent_id: UUID) -> PatentRecord | None:
        row = await conn.fetchrow(f"SELECT {_PATENT_FIELDS} FROM catalogue_patents WHERE id = $1", patent_id)  # noqa: S608
        return _patent(row) if row else None

    @staticmethod
    async def _history(conn: Connection, patent_id: UUID) -> list[StatusChange]:
        rows = await conn.fetch(
            f"SELECT {_HISTORY_FIELDS} FROM catalogue_status_history WHERE patent_id = $1 ORDER BY version",  # noqa: S608
            patent_id,
        )
        return [StatusChange(**dict(r)) for r in rows]

    # --- chain of title and licences -----------------------------------------------------------
    async def under_negotiation(self, patent_id: UUID) -> bool:
        """Whether offers are open on the patent, or a contract on it (in its public notice, say) is not yet
        in force, or it is reserved for an assignment (the Patent's ``DealOpened``/``SaleReserved``)."""
        value = await self.pool.fetchval(
            f"SELECT {_UNDER_NEGOTIATION} FROM catalogue_patents p WHERE p.id = $1", patent_id  # noqa: S608
        )
        return bool(value)

    async def ownership_history(self, patent_id: UUID) -> list[OwnershipChange]:
        """The patent's assignments in force, oldest first (reversed ones say so)."""
        rows = await self.pool.fetch(
            "SELECT contract_id, from_owners, to_owners, transferred_at, registration_reference, registered_at,"
            " reverted_at, revert_reason FROM catalogue_ownership_history WHERE patent_id = $1 ORDER BY version",
            patent_id,
        )
        return [OwnershipChange(**dict(r)) for r in rows]

    async def patent_licences(self, patent_id: UUID) -> list[LicenceEntry]:
        """The licences on the patent's register: live ones (reserved or active) first, newest first."""
        rows = await self.pool.fetch(
            f"SELECT {_LICENCE_FIELDS} {_LICENCES_FROM} WHERE l.patent_id = $1"
            " ORDER BY l.status = 'ended', l.granted_at DESC, l.contract_id",
            patent_id,
        )
        return [LicenceEntry(**dict(r)) for r in rows]

    async def licences_held(self, organisation_id: UUID, limit: int = 100) -> list[LicenceEntry]:
        """The licences ``organisation_id`` holds as licensee (live first, newest first)."""
        rows = await self.pool.fetch(
            f"SELECT {_LICENCE_FIELDS} {_LICENCES_FROM} WHERE l.licensee_organisation_id = $1"
            " ORDER BY l.status = 'ended', l.granted_at DESC, l.contract_id LIMIT $2",
            organisation_id, limit,
        )
        return [LicenceEntry(**dict(r)) for r in rows]

    async def position(self, view: str = "catalogue") -> int:
        """How far the view has read the event log (for read-your-writes)."""
        value = await self.pool.fetchval(
            f"SELECT notification_id FROM {view}_tracking WHERE application_name = 'marketplace'"  # noqa: S608
            if view in ("catalogue", "accounts") else "SELECT 0"
        )
        return int(value or 0)


_PATENT_NAMES = tuple(name.strip() for name in _PATENT_FIELDS.split(","))
# Read as records by ``_detail_sql``: no uuid or jsonb column here (the pool decodes those as text, a record's
# values come in binary).
_HISTORY_FIELDS = "version, legal_status, effective_date, reason, recorded_at"
_HISTORY_NAMES = tuple(name.strip() for name in _HISTORY_FIELDS.split(","))


@functools.cache
def _detail_sql(extra: str) -> str:
    """A listing's row with ``extra`` columns, its patent's columns (``pt_…``: no name of the listing's) and the
    patent's legal-status changes as an array of records, oldest first (``history``)."""
    return (
        f"SELECT {_LISTING_FIELDS}, advantages, applications, open_licence, drafted_at{extra},"  # noqa: S608
        f" pt.*, ARRAY(SELECT ROW({_HISTORY_FIELDS}) FROM catalogue_status_history h WHERE h.patent_id = l.patent_id"
        " ORDER BY h.version) AS history FROM catalogue_listings l CROSS JOIN LATERAL (SELECT"
        f" {', '.join(f'p.{name} AS pt_{name}' for name in _PATENT_NAMES)} FROM catalogue_patents p"
        " WHERE p.id = l.patent_id) pt WHERE l.id = $1"
    )


def _patent(row: Any) -> PatentRecord:
    return PatentRecord(**dict(row))


def patents_past_term(datastore: PostgresDatastore, today: date, limit: int = 500) -> list[UUID]:
    """Pending or granted patents whose statutory term has ended by ``today`` (their expiry date, the
    first day without protection, has come), for the deadline worker; the application re-checks each."""
    with datastore.transaction(commit=False) as curs:
        curs.execute(
            "SELECT id FROM catalogue_patents WHERE legal_status IN ('pending', 'granted')"
            " AND registration_status = 'active' AND expiry_date <= %s ORDER BY expiry_date, id LIMIT %s",
            (today, limit),
        )
        return [row["id"] for row in curs.fetchall()]
