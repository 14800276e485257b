"""Read models on a real PostgreSQL: search, facets, exactly-once, rebuild, concurrent writers."""

from __future__ import annotations

import hashlib
import threading
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError, Tracking

from domain.catalogue.patent_numbers import cn_check_character
from domain.shared.errors import ConcurrentModificationError
from marketplace.accounts import commands as ac
from marketplace.catalogue import commands as cc
from marketplace.platform.application import Marketplace
from marketplace.platform.services import Services
from projections.shared.records import decode

PASSWORD = "a-long-password"
TITLES = [
    ("一种锂电池隔膜的制备方法", "Method for preparing a lithium battery separator", "H01M 2/14"),
    ("茶叶萎凋设备", "Tea withering apparatus", "A23F 3/06"),
    ("石墨烯导热膜", "Graphene thermal film", "C01B 32/182"),
    ("固态电池电解质", "", "H01M 10/0562"),
    ("", "Pizza oven with rotating stone", "A21B 1/00"),
]


def cn(digits: str) -> str:
    return f"{digits}.{cn_check_character(digits)}"


def scenario(app: Marketplace) -> dict[str, UUID]:
    """A small market: an institute lists five patents; one is withdrawn, one lapses, one stays a draft."""
    admin = app.accounts.bootstrap_platform_admin(email="ops@p.test", password=PASSWORD, display_name="Ops",
                                                  organisation_name="Platform Ops")
    user, _ = app.accounts.sign_up(ac.SignUp(email="li@fjirsm.test", password=PASSWORD, display_name="李",
                                             organisation_name="中国科学院福建物质结构研究所",
                                             organisation_kind="research_institute"))
    org = app.repository.get(user).organisation_id
    app.accounts.verify_organisation(ac.VerifyOrganisation(organisation_id=org), actor_id=admin)
    ids: dict[str, UUID] = {}
    for n, (zh, en, ipc) in enumerate(TITLES):
        patent, _ = app.catalogue.register_patent(cc.RegisterPatent(
            application_number=cn(f"20201012345{n}"), patent_type="invention", title_zh=zh, title_en=en,
            ipc_codes=[ipc], filing_date=date(2020, 1, 2), legal_status="granted",
            owners=[cc.OwnerShare(organisation_id=org, share=100)]), actor_id=user)
        listing, _ = app.catalogue.draft_listing(cc.DraftListing(
            patent_id=patent, deal_types=["assignment", "non_exclusive_licence"] if n % 2 else ["sole_licence"],
            price_mode="fixed", asking_price=(n + 1) * 10_000_000, maturity="pilot" if n < 3 else "concept",
            keywords=["新能源"] if n in (0, 3) else []), actor_id=user)
        ids[f"patent{n}"], ids[f"listing{n}"] = patent, listing
        if n != 4:
            app.catalogue.publish_listing(cc.PublishListing(listing_id=listing), actor_id=user)
    app.catalogue.withdraw_listing(cc.WithdrawListing(listing_id=ids["listing1"], reason="sold"), actor_id=user)
    app.catalogue.change_legal_status(cc.ChangeLegalStatus(patent_id=ids["patent2"], legal_status="lapsed",
                                                           effective_date=date(2024, 5, 1), reason="annuity"),
                                                           actor_id=user)
    ids["user"] = user
    return ids


def rows(services: Services, query: str, *args: object) -> list[tuple[object, ...]]:
    """The rows of ``query``; ``%s`` placeholders are read only when arguments are given."""
    with psycopg.connect(services.address.conninfo()) as conn:
        return conn.execute(query, args or None).fetchall()  # type: ignore[arg-type]


def table_digest(services: Services, table: str) -> str:
    digest = hashlib.sha256()
    for row in rows(services, f"SELECT t::text FROM {table} t ORDER BY 1"):
        digest.update(str(row[0]).encode())
    return digest.hexdigest()


READ_MODEL_TABLES = ("accounts_organisations", "accounts_users", "catalogue_patents", "catalogue_status_history",
                     "catalogue_listings", "catalogue_listing_facets")


def test_listing_rows_follow_the_events(services: Services) -> None:
    ids = scenario(services.app)
    services.make_runner().catch_up()
    status = dict(rows(services, "SELECT id, status FROM catalogue_listings"))
    assert status[ids["listing0"]] == "published"
    assert status[ids["listing1"]] == "withdrawn"
    assert status[ids["listing2"]] == "suspended"
    assert status[ids["listing4"]] == "draft"
    assert rows(services, "SELECT legal_status, organisation_name, ipc_sections, ipc_classes, asking_price"
                          " FROM catalogue_listings WHERE id = %s", ids["listing2"]) == [
        ("lapsed", "中国科学院福建物质结构研究所", ["C"], ["C01"], 30_000_000)]
    history = rows(services, "SELECT legal_status, reason FROM catalogue_status_history WHERE patent_id = %s"
                             " ORDER BY version", ids["patent2"])
    assert history == [("granted", "registered"), ("lapsed", "annuity")]
    assert rows(services, "SELECT active_listing_id FROM catalogue_patents WHERE id = %s", ids["patent1"]) == [(None,)]


def test_a_listing_drafted_in_the_page_follows_its_patent_s_legal_status_change_in_that_page(
        services: Services) -> None:
    # The draft (listing4) is not suspended by the lapse, so only the patent's event carries the new status to it;
    # the whole history is one page, so the listing is drafted in the same page as the change.
    ids = scenario(services.app)
    services.app.catalogue.change_legal_status(cc.ChangeLegalStatus(
        patent_id=ids["patent4"], legal_status="lapsed", effective_date=date(2024, 6, 1), reason="annuity"),
        actor_id=ids["user"])
    services.make_runner().catch_up()
    assert rows(services, "SELECT status, legal_status FROM catalogue_listings WHERE id = %s", ids["listing4"]) == [
        ("draft", "lapsed")]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("电池", {"一种锂电池隔膜的制备方法", "固态电池电解质"}),
        ("锂电池", {"一种锂电池隔膜的制备方法"}),
        ("电", {"一种锂电池隔膜的制备方法", "固态电池电解质"}),
        ("新能源", {"一种锂电池隔膜的制备方法", "固态电池电解质"}),
        ("batteries", {"一种锂电池隔膜的制备方法"}),
        ("separator 隔膜", {"一种锂电池隔膜的制备方法"}),
        ("茶叶", set()),  # its listing was withdrawn
        ("火箭", set()),
    ],
)
async def test_search_in_chinese_and_english(services: Services, query: str, expected: set[str]) -> None:
    from web.state import WebState, create_pool

    scenario(services.app)
    services.make_runner().catch_up()
    pool = await create_pool(services)
    try:
        from projections.accounts.view import AccountsQueries
        from projections.catalogue.queries import CatalogueQueries, ListingFilters

        web = WebState(services, pool, CatalogueQueries(pool), AccountsQueries(pool))
        page = await web.catalogue.list_and_count(ListingFilters(q=query))
        assert {item.title for item in page.items} == expected
        assert page.total == len(expected)
    finally:
        await pool.close()


async def test_facets_and_filters(services: Services) -> None:
    from projections.catalogue.queries import CatalogueQueries, ListingFilters
    from web.state import create_pool

    scenario(services.app)
    services.make_runner().catch_up()
    pool = await create_pool(services)
    try:
        queries = CatalogueQueries(pool)
        page = await queries.list_and_count(ListingFilters())
        assert page.total == 2  # listing0 and listing3 are published
        facets = {k: {f.value: f.count for f in v} for k, v in page.facets.items()}
        assert facets["status"] == {"published": 2, "withdrawn": 1, "suspended": 1}
        assert facets["ipc_section"] == {"H": 2}
        assert facets["deal_type"] == {"sole_licence": 1, "assignment": 1, "non_exclusive_licence": 1}
        assert facets["maturity"] == {"pilot": 1, "concept": 1}
        narrowed = await queries.list_and_count(ListingFilters(deal_type="assignment"))
        assert [i.title for i in narrowed.items] == ["固态电池电解质"]
        priced = await queries.list_and_count(ListingFilters(price_min=20_000_000, price_max=40_000_000))
        assert [i.asking_price for i in priced.items] == [40_000_000]
        suspended = await queries.list_and_count(ListingFilters(status="suspended"))
        assert [i.title for i in suspended.items] == ["石墨烯导热膜"]
        paged = await queries.list_and_count(ListingFilters(limit=1, offset=1))
        assert (len(paged.items), paged.total) == (1, 2)
    finally:
        await pool.close()


@pytest.mark.parametrize(("filters", "broad", "deal_types"), [
    ({"maturity": "concept"}, False, {"assignment": 1, "non_exclusive_licence": 1}),  # filters only
    ({"q": "电池"}, False, {"sole_licence": 1, "assignment": 1, "non_exclusive_licence": 1}),  # a search
    ({"q": "电池"}, True, {"sole_licence": 1, "assignment": 1, "non_exclusive_licence": 1}),  # a broad one's window
])
async def test_every_value_of_a_listing_s_deal_types_is_counted_in_the_facets(
    services: Services, monkeypatch: pytest.MonkeyPatch, filters: dict[str, str], broad: bool,
    deal_types: dict[str, int],
) -> None:
    """listing3 offers an assignment and a non-exclusive licence: each of its deal types counts once, whichever
    statement counted the facets."""
    from projections.catalogue import queries
    from projections.catalogue.queries import CatalogueQueries, ListingFilters
    from web.state import create_pool

    scenario(services.app)
    services.make_runner().catch_up()
    windows: list[int | None] = []
    if broad:
        monkeypatch.setattr(queries, "BROAD_MATCHES", 0)
        monkeypatch.setattr(queries, "BROAD_WINDOW", 5)  # the window holds every match
        window_search = CatalogueQueries._broad_search

        async def broad_search(self: CatalogueQueries, *args: Any) -> Any:
            windows.append(args[-1])
            return await window_search(self, *args)

        monkeypatch.setattr(CatalogueQueries, "_broad_search", broad_search)
    pool = await create_pool(services)
    try:
        page = await CatalogueQueries(pool).list_and_count(ListingFilters(**filters))  # type: ignore[arg-type]
        assert len(windows) == int(broad)  # the counts came from the broad search's window, or not
        assert {c.value: c.count for c in page.facets["deal_type"]} == deal_types
        assert {c.value: c.count for c in page.facets["ipc_section"]} == {"H": page.total}
        assert {c.value: c.count for c in page.facets["ipc_class"]} == {"H01": page.total}
    finally:
        await pool.close()


def test_rebuild_reproduces_identical_rows(services: Services) -> None:
    scenario(services.app)
    services.make_runner().catch_up()
    before = {t: table_digest(services, t) for t in READ_MODEL_TABLES}
    for view in services.views.values():
        view.reset()
    assert rows(services, "SELECT count(*) FROM catalogue_listings") == [(0,)]
    services.make_runner(page_size=3).catch_up()  # small pages: rows must not depend on paging
    assert {t: table_digest(services, t) for t in READ_MODEL_TABLES} == before


def test_stored_facet_counters_equal_a_count_of_the_listings(services: Services) -> None:
    ids = scenario(services.app)
    runner = services.make_runner(page_size=4)  # counters move across pages as listings change
    runner.catch_up()
    services.app.catalogue.withdraw_listing(cc.WithdrawListing(listing_id=ids["listing3"]), actor_id=ids["user"])
    runner.catch_up()
    counted = rows(services, """
        SELECT status, facet, value, count(*)::int FROM (
            SELECT status, 'status' AS facet, status AS value FROM catalogue_listings
            UNION ALL SELECT status, 'maturity', maturity FROM catalogue_listings
            UNION ALL SELECT status, 'ipc_section', unnest(ipc_sections) FROM catalogue_listings
            UNION ALL SELECT status, 'ipc_class', unnest(ipc_classes) FROM catalogue_listings
            UNION ALL SELECT status, 'deal_type', unnest(deal_types) FROM catalogue_listings) f
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3""")
    stored = rows(services, "SELECT status, facet, value, listings FROM catalogue_listing_facets ORDER BY 1, 2, 3")
    assert stored == counted
    assert ("withdrawn", "status", "withdrawn", 2) in stored


def test_each_event_is_applied_exactly_once(services: Services) -> None:
    scenario(services.app)
    view = services.views["catalogue"]
    runner = services.make_runner(["catalogue"])
    runner.catch_up()
    digest = table_digest(services, "catalogue_status_history")
    head = services.recorder.max_notification_id()
    assert view.position("marketplace") == head
    # Replaying the last page again is refused as a whole: the tracking record cannot go backwards.
    page = services.recorder.select_notifications(start=1, limit=1000)
    with pytest.raises(IntegrityError, match="Failed to record tracking for marketplace"):
        view.process([decode(n) for n in page], Tracking("marketplace", page[-1].id))
    assert table_digest(services, "catalogue_status_history") == digest
    assert runner.catch_up() == 0


def test_concurrent_writers_get_a_conflict_not_a_lost_update(services: Services) -> None:
    ids = scenario(services.app)
    other = Marketplace(services.app.env, ipc_scheme=services.ipc_scheme)  # a second process's application
    terms = {"deal_types": ["sole_licence"], "price_mode": "fixed", "maturity": "pilot"}
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def revise(app: Marketplace, price: int) -> None:
        listing = app.repository.get(ids["listing0"])
        command = cc.ReviseListing(listing_id=ids["listing0"], expected_version=listing.version,
                                   asking_price=price, **terms)  # type: ignore[arg-type]
        barrier.wait()
        try:
            app.catalogue.revise_listing(command, actor_id=ids["user"])
            outcomes.append(f"saved {price}")
        except ConcurrentModificationError:
            outcomes.append("conflict")

    threads = [threading.Thread(target=revise, args=(app, price))
               for app, price in ((services.app, 11_000_000), (other, 12_000_000))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    other.close()
    assert len(outcomes) == 2
    assert sorted(outcomes)[0] == "conflict"
    saved = int(next(o for o in outcomes if o.startswith("saved")).split()[1])
    assert services.app.repository.get(ids["listing0"]).terms["asking_price"] == saved


async def test_cached_search_facets_follow_the_catalogue(services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    from projections.catalogue.queries import CatalogueQueries, ListingFilters
    from web.state import create_pool

    ids = scenario(services.app)
    runner = services.make_runner()
    runner.catch_up()
    pool = await create_pool(services)
    counted: list[Any] = []
    search = CatalogueQueries._search

    async def counting_search(self: CatalogueQueries, *args: Any) -> Any:
        counted.append(args[0])
        return await search(self, *args)

    monkeypatch.setattr(CatalogueQueries, "_search", counting_search)
    try:
        queries = CatalogueQueries(pool)

        async def status_counts() -> dict[str, int]:
            page = await queries.list_and_count(ListingFilters(q="电池"))
            return {fc.value: fc.count for fc in page.facets["status"]}

        assert await status_counts() == {"published": 2}
        assert len(counted) == 1
        assert await status_counts() == {"published": 2}
        assert len(counted) == 1  # served from the cache: the catalogue is where the counts were read
        services.app.catalogue.withdraw_listing(cc.WithdrawListing(listing_id=ids["listing3"]), actor_id=ids["user"])
        runner.catch_up()
        assert await status_counts() == {"published": 1, "withdrawn": 1}
        assert len(counted) == 2  # the catalogue moved: counted again
        assert await status_counts() == {"published": 1, "withdrawn": 1}
        assert len(counted) == 2
    finally:
        await pool.close()


async def listed(pool: Any, f: Any) -> list[Any]:
    """The page's listings as the list statement gives them (``_order_sql``), the oracle of the one-pass search."""
    from projections.catalogue.queries import ListingItem, _filter_args, _order_sql

    args = _filter_args(f)
    rows = await pool.fetch(_order_sql(f, bool(any(args[:2]))), *args, f.status, f.limit, f.offset)
    return [ListingItem(**dict(r)) for r in rows]


async def test_a_search_page_s_listings_are_the_same_whatever_the_session_s_time_zone(services: Services) -> None:
    """The page's listings come as JSON from the statement that counts the facets: their instants are the
    stored ones (UTC), as the list statement's rows give them, on a connection in Beijing time too."""
    import asyncpg

    from projections.catalogue.queries import BROAD_MATCHES, CatalogueQueries, ListingFilters
    from web.state import _init_connection

    scenario(services.app)
    services.make_runner().catch_up()
    a = services.address
    pool = await asyncpg.create_pool(host=a.host, port=a.port, user=a.user, password=a.password or None,
                                     database=a.dbname, min_size=1, max_size=2, init=_init_connection,
                                     server_settings={"timezone": "Asia/Shanghai"})
    try:
        assert await pool.fetchval("SHOW timezone") == "Asia/Shanghai"
        f = ListingFilters(q="电池")
        page = await CatalogueQueries(pool).list_and_count(f)
        assert page.total <= BROAD_MATCHES
        assert page.items
        assert page.items == await listed(pool, f)
        assert all(i.updated_at.utcoffset() == timedelta(0) for i in page.items)
        assert all(i.published_at is not None and i.published_at.utcoffset() == timedelta(0) for i in page.items)
    finally:
        await pool.close()


@pytest.mark.parametrize("filters", [
    {"q": "电池"}, {"q": "电池", "sort": "newest"}, {"q": "电池", "sort": "price_asc"},
    {"q": "电池", "sort": "price_desc"}, {"q": "电池", "limit": 1, "offset": 1}, {"q": "battery 电池"},
    {"deal_type": "assignment"}, {"ipc_section": "H", "sort": "price_desc"}, {"q": "电池", "status": "withdrawn"},
    {"q": "茶叶", "status": "withdrawn"}, {"maturity": "pilot", "limit": 1}, {"q": "火箭"},
])
async def test_a_search_read_once_answers_as_its_separate_statements(
    services: Services, filters: dict[str, object]
) -> None:
    """On a cold facet cache the page's rows and the facets come from one pass over the matches: the same rows
    in the same order, the same counts and total as the list and facet statements give each on its own."""
    from projections.catalogue.queries import (
        FACETS_SQL,
        PUBLIC_STATUSES,
        CatalogueQueries,
        ListingFilters,
        _filter_args,
    )
    from web.state import create_pool

    scenario(services.app)
    services.make_runner().catch_up()
    pool = await create_pool(services)
    try:
        f = ListingFilters(**filters)  # type: ignore[arg-type]
        page = await CatalogueQueries(pool).list_and_count(f)  # a new cache: cold
        counted = await pool.fetch(FACETS_SQL, *_filter_args(f), list(PUBLIC_STATUSES), f.status)
        # Every field as the list statement gives it (the page's listings come as JSON from the counting statement)
        assert page.items == await listed(pool, f)
        assert {(k, c.value, c.count) for k, v in page.facets.items() for c in v} == {
            (r["facet"], r["value"], r["n"]) for r in counted if r["facet"] != "position"}
        assert page.total == next((r["n"] for r in counted if r["facet"] == "status" and r["value"] == f.status), 0)
    finally:
        await pool.close()


async def test_a_broad_search_ranks_its_newest_matches_then_lists_the_rest_and_says_its_counts_are_partial(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past ``BROAD_MATCHES`` (here: any match) only the newest ``BROAD_WINDOW`` matches are read for the rank and
    the facets: the pages still hold every match once, the total is the estimate and the page says so."""
    from projections.catalogue import queries
    from projections.catalogue.queries import CatalogueQueries, ListingFilters
    from web.state import create_pool

    ids = scenario(services.app)
    services.make_runner().catch_up()
    monkeypatch.setattr(queries, "BROAD_MATCHES", 0)
    monkeypatch.setattr(queries, "BROAD_WINDOW", 1)
    pool = await create_pool(services)
    try:
        catalogue = CatalogueQueries(pool)
        first = await catalogue.list_and_count(ListingFilters(q="电池", limit=1))
        again = await catalogue.list_and_count(ListingFilters(q="电池", limit=1))  # facets from the cache
        second = await catalogue.list_and_count(ListingFilters(q="电池", limit=1, offset=1))
        assert [i.id for i in first.items] == [i.id for i in again.items] == [ids["listing3"]]  # the newest
        assert [i.id for i in second.items] == [ids["listing0"]]  # then the older ones, newest first
        assert first.estimated
        assert first.facets_of == 1
        assert first.total >= 1
        assert sum(c.count for c in first.facets["maturity"]) == 1  # the window's counts
        assert first.facets["maturity"] == [queries.FacetCount("concept", 1)]
        newest = await CatalogueQueries(pool).list_and_count(ListingFilters(q="电池", sort="newest", limit=5))
        assert [i.id for i in newest.items] == [ids["listing3"], ids["listing0"]]
        # The window's listing comes as JSON from the broad statement, the one past it as a row of the list
        # statement, as every listing of the newest-first page: the same listing, field for field.
        assert first.items == again.items == newest.items[:1]
        assert second.items == newest.items[1:]
        monkeypatch.setattr(queries, "BROAD_WINDOW", 5)  # a window that holds every match: exact counts
        whole = await CatalogueQueries(pool).list_and_count(ListingFilters(q="电池", limit=5))
        assert not whole.estimated
        assert whole.facets_of is None
        assert whole.total == 2
        assert {i.id for i in whole.items} == {ids["listing0"], ids["listing3"]}
        assert sorted(whole.items, key=lambda i: i.id) == sorted(newest.items, key=lambda i: i.id)
        for page in (first, again, second, newest, whole):  # what the statements say besides counts is no facet
            assert set(page.facets) <= {"status", "ipc_section", "ipc_class", "deal_type", "maturity"}
    finally:
        await pool.close()


# The planner underestimating a term (its lexemes taken for independent, a prefix it cannot estimate): it says
# no listing matches the term.
_PLANNER_SAYS = (
    "SELECT '[{{\"Plan\": {{\"Plan Rows\": {rows}}}}}]'::text FROM (SELECT $1::text, $2::text, $3::text,"
    " $4::text, $5::text, $6::bigint, $7::bigint, $8::text, $9::text) args"
)


@pytest.mark.parametrize("term", ["电", "新能源", "电池"])
async def test_a_term_the_planner_underestimates_is_counted_and_searched_broadly_past_broad_matches(
    services: Services, monkeypatch: pytest.MonkeyPatch, term: str
) -> None:
    """A term whose estimate the planner gets wrong, a prefix (电 → 电:*), a term of several lexemes
    (新能源 → 新能 & 能源) or one lexeme (电池) its statistics underrate, has its matches read up to
    ``BROAD_MATCHES + 1``: more than ``BROAD_MATCHES`` and the search is broad (the newest window ranked, the
    total estimated, every match still on exactly one page); no more and it is exact."""
    from projections.catalogue import queries
    from projections.catalogue.queries import CatalogueQueries, ListingFilters
    from web.state import create_pool

    ids = scenario(services.app)
    services.make_runner().catch_up()
    monkeypatch.setattr(queries, "ESTIMATE_SQL", _PLANNER_SAYS.format(rows=0))
    monkeypatch.setattr(queries, "BROAD_WINDOW", 1)
    pool = await create_pool(services)
    try:
        exact = await CatalogueQueries(pool).list_and_count(ListingFilters(q=term, limit=5))
        assert not exact.estimated
        matches = {i.id for i in exact.items}
        assert len(matches) == exact.total == 2  # counted, not the planner's 0
        assert ids["listing3"] in matches
        monkeypatch.setattr(queries, "BROAD_MATCHES", 2)  # read up to 3, found 2: not broad
        narrow = await CatalogueQueries(pool).list_and_count(ListingFilters(q=term, limit=5))
        assert not narrow.estimated
        assert {i.id for i in narrow.items} == matches
        assert narrow.total == 2
        monkeypatch.setattr(queries, "BROAD_MATCHES", 1)  # read up to 2, found 2: broad
        catalogue = CatalogueQueries(pool)
        pages = [await catalogue.list_and_count(ListingFilters(q=term, limit=1, offset=n)) for n in range(3)]
        assert pages[0].estimated
        assert pages[0].facets_of == 1
        assert pages[0].total >= 2
        assert [i.id for i in pages[0].items] == [ids["listing3"]]  # the newest match, ranked in the window
        assert sorted(i.id for p in pages for i in p.items) == sorted(matches)  # every match once
    finally:
        await pool.close()


async def test_matches_of_other_statuses_do_not_make_a_search_broad(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The search reads up to ``BROAD_MATCHES + 1`` matches of every public status (for the status facet); past
    that it counts the matches of the status asked before calling the term broad. 膜 matches one published
    listing (隔膜) and one suspended (导热膜): with ``BROAD_MATCHES`` at 1 it is still searched exactly."""
    from projections.catalogue import queries
    from projections.catalogue.queries import CatalogueQueries, FacetCount, ListingFilters
    from web.state import create_pool

    ids = scenario(services.app)
    services.make_runner().catch_up()
    monkeypatch.setattr(queries, "ESTIMATE_SQL", _PLANNER_SAYS.format(rows=0))
    monkeypatch.setattr(queries, "BROAD_MATCHES", 1)
    pool = await create_pool(services)
    try:
        page = await CatalogueQueries(pool).list_and_count(ListingFilters(q="膜", limit=5))
        assert not page.estimated
        assert [i.id for i in page.items] == [ids["listing0"]]
        assert page.total == 1
        assert sorted(page.facets["status"], key=lambda c: c.value) == [
            FacetCount("published", 1), FacetCount("suspended", 1)]
    finally:
        await pool.close()


@pytest.mark.parametrize("limit", [2, 3])
async def test_a_broad_search_paged_by_any_limit_lists_every_match_once(
    services: Services, monkeypatch: pytest.MonkeyPatch, limit: int
) -> None:
    """The API pages by any ``limit``: a page that reaches past the ranked window must not rank a larger
    window than the pages before it did (an older, better-ranked match would then push a match shown on an
    earlier page onto this one, and itself be skipped by the newest-first pages after)."""
    from projections.catalogue import queries
    from projections.catalogue.queries import CatalogueQueries, ListingFilters
    from web.state import create_pool

    ids = scenario(services.app)
    user = ids["user"]
    org = services.app.repository.get(user).organisation_id
    # Published oldest first: the three older ones say 'separator' in the title and rank first, the newer in the
    # abstract.
    for n in range(6):
        patent, _ = services.app.catalogue.register_patent(cc.RegisterPatent(
            application_number=cn(f"20211012345{n}"), patent_type="invention",
            title_zh=f"隔膜第{n}号", title_en=("Separator membrane" if n < 3 else "Membrane") + f" number {n}",
            abstract_en="" if n < 3 else "A separator.",
            ipc_codes=["H01M 2/14"],
            filing_date=date(2021, 1, 2), legal_status="granted",
            owners=[cc.OwnerShare(organisation_id=org, share=100)]), actor_id=user)
        listing, _ = services.app.catalogue.draft_listing(cc.DraftListing(
            patent_id=patent, deal_types=["assignment"], price_mode="fixed", asking_price=10_000_000,
            maturity="pilot"), actor_id=user)
        services.app.catalogue.publish_listing(cc.PublishListing(listing_id=listing), actor_id=user)
    services.make_runner().catch_up()
    pool = await create_pool(services)
    try:
        every = await CatalogueQueries(pool).list_and_count(ListingFilters(q="separator", limit=100))
        assert not every.estimated
        matches = sorted(i.id for i in every.items)
        assert len(matches) == 7
        monkeypatch.setattr(queries, "BROAD_MATCHES", 0)
        monkeypatch.setattr(queries, "BROAD_WINDOW", 4)
        catalogue = CatalogueQueries(pool)
        listed = []
        for offset in range(0, len(matches) + limit, limit):
            page = await catalogue.list_and_count(ListingFilters(q="separator", limit=limit, offset=offset))
            assert page.estimated
            listed.extend(i.id for i in page.items)
        assert sorted(listed) == matches
    finally:
        await pool.close()
