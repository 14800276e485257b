"""The catalogue and accounts read models fold a whole page of events before writing: rows must not depend on paging.

Live traffic reaches a read model one event at a time; a rebuild or a catch-up after an import in pages of
thousands. Both paths are replayed here over varied histories (the demo data, and the old store written by
the code before the trade-package move) and every row of every table is compared: one event per
transaction, small odd pages that cut aggregates' histories anywhere, and one page holding the whole log;
and the runner's bulk path (a read model far behind: large pages read, decoded and tokenised ahead in a
second thread), in odd pages and in one.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from eventsourcing.persistence import Tracking

from domain.catalogue.listing import Listing
from marketplace.catalogue import commands as cc
from marketplace.catalogue.patents import listing_terms
from marketplace.demo.catalogue import seed_demo
from marketplace.platform.services import Services
from projections.runner import BatchProjectionRunner, read_page
from projections.shared.base import PositionMovedError
from projections.shared.records import EventRecord
from tests.integration.test_old_store import old_services, old_store  # noqa: F401 - fixtures

VIEWS = ("catalogue", "accounts")
#: Read models that keep their own copy of patents' and listings' facts, folded over a page and written at its end.
FACTS_VIEWS = ("valuation", "matching", "notifications", "market_statistics")


def snapshot(services: Services, names: tuple[str, ...] = VIEWS) -> dict[str, list[str]]:
    """Every row of the views' tables, as text, in a stable order."""
    tables = [t for name in names for t in services.views[name].tables]
    with services.recorder.datastore.transaction(commit=False) as curs:
        out = {}
        for table in tables:
            curs.execute(f"SELECT t::text AS row FROM {table} t ORDER BY 1")
            out[table] = [r["row"] for r in curs.fetchall()]
    return out


def bulk_runner(services: Services, page_size: int, names: tuple[str, ...] = VIEWS) -> BatchProjectionRunner:
    """A runner that takes the log as a rebuild of a large one does: every page read ahead, in bulk."""
    runner = services.make_runner(list(names), page_size=page_size)
    runner.bulk_after, runner.bulk_page_size = 0, page_size
    return runner


def reading_threads() -> list[str]:
    """The runner's threads (reading pages ahead, writing pages folded ahead) still alive."""
    return [t.name for t in threading.enumerate() if t.name.startswith("projection-")]


def replay(services: Services, page_size: int, *, bulk: bool = False,
           names: tuple[str, ...] = VIEWS) -> dict[str, list[str]]:
    for name in names:
        services.views[name].reset()
    runner = bulk_runner(services, page_size, names) if bulk else services.make_runner(list(names), page_size=page_size)
    runner.catch_up()
    assert reading_threads() == []  # the reading and writing threads end with the catch-up
    if bulk and "catalogue" in names:  # it folded every page while the one before was written, none the ordinary way
        head = services.recorder.max_notification_id() or 0
        assert runner.fallbacks == 0
        assert runner.folded_ahead == -(-head // page_size)
    return snapshot(services, names)


def topics(services: Services) -> set[str]:
    with services.recorder.datastore.transaction(commit=False) as curs:
        curs.execute("SELECT DISTINCT topic FROM marketplace_events")
        return {r["topic"].split(":", 1)[1] for r in curs.fetchall()}


def assert_paging_changes_nothing(services: Services, names: tuple[str, ...] = VIEWS) -> dict[str, list[str]]:
    services.make_runner().catch_up()  # as the running system got there
    live = snapshot(services, names)
    one_at_a_time = replay(services, 1, names=names)
    assert one_at_a_time == live
    assert replay(services, 7, names=names) == live
    assert replay(services, 1_000_000, names=names) == live
    assert replay(services, 7, bulk=True, names=names) == live
    assert replay(services, 1_000_000, bulk=True, names=names) == live
    return live


@pytest.fixture
def demo(services: Services) -> Services:
    seed_demo(services.app, listings=12)
    return services


def test_demo_history_gives_the_same_rows_event_by_event_and_in_pages_of_any_size(demo: Services) -> None:
    rows = assert_paging_changes_nothing(demo)
    # The history is varied enough to mean something: every table has rows, and the events that change
    # rows already written (a status change, a transfer, a revision, a role) are in it.
    assert all(rows[t] for t in ("catalogue_patents", "catalogue_listings", "catalogue_status_history",
                                 "catalogue_listing_facets", "catalogue_ownership_history", "catalogue_licences",
                                 "accounts_organisations", "accounts_user_records"))
    assert topics(demo) >= {"Patent.LegalStatusChanged", "Patent.OwnershipTransferred",
                            "Listing.Published", "Listing.Closed", "Organisation.Verified", "User.RoleGranted"}


def revise_open_licences(services: Services) -> None:
    """Two published listings revised, as their drafter (the demo revises none): one offering an open licence,
    which the revision drops, then withdrawn (a page may hold both: different columns set); the other revised
    twice."""
    services.make_runner(["catalogue"]).catch_up()
    with services.recorder.datastore.transaction(commit=False) as curs:
        curs.execute("SELECT id, open_licence IS NOT NULL AS offers FROM catalogue_listings WHERE status = 'published'"
                     " ORDER BY open_licence IS NULL, id LIMIT 2")
        found = curs.fetchall()
    assert [r["offers"] for r in found] == [True, False]
    for n, listing_id in enumerate(r["id"] for r in found):
        drafter = services.app.repository.event_store.get(listing_id).__next__().by  # type: ignore[attr-defined]
        for price in (31_000_000, 32_000_000):
            listing: Listing = services.app.repository.get(listing_id)
            if n == 0 and price != 31_000_000:
                listing.withdraw(reason="不再转让", by=drafter)
            else:
                listing.revise(listing_terms(cc.ReviseListing(listing_id=listing_id, deal_types=["assignment"],
                                                              price_mode="fixed", asking_price=price,
                                                              maturity="prototype")), by=drafter)
            services.app.save(listing)


def test_facts_kept_per_page_are_the_same_event_by_event_and_in_pages_of_any_size(demo: Services) -> None:
    """The valuation, matching and inbox read models fold a page's patents and listings (registered, drafted,
    revised, published, withdrawn, an open licence taken off by an exclusive licence) before writing them once; the
    market statistics write a run of patents at once, before the contract drafted after them copies its patent's."""
    revise_open_licences(demo)
    rows = assert_paging_changes_nothing(demo, FACTS_VIEWS)
    assert all(rows[t] for t in ("valuation_patent_fields", "valuation_open_licences", "matching_patents",
                                 "matching_listings", "notification_match_patents", "notification_match_listings",
                                 "market_stat_patents", "market_stat_contracts"))
    assert topics(demo) >= {"Patent.Registered", "Listing.Drafted", "Listing.Revised", "Listing.Published",
                            "Listing.Withdrawn", "Listing.Suspended", "Listing.DealTypesRestricted"}


def test_old_store_gives_the_same_rows_event_by_event_and_in_pages_of_any_size(
        old_services: Services) -> None:  # noqa: F811 - the fixture
    rows = assert_paging_changes_nothing(old_services)
    assert len(rows["catalogue_listings"]) > 10
    assert len(rows["accounts_user_records"]) > 10



def first_records(services: Services, count: int) -> list[EventRecord]:
    page = services.recorder.select_notifications(start=0, limit=count, inclusive_of_start=False)
    return read_page(page)[0]


def test_a_bulk_page_behind_another_workers_position_applies_nothing(demo: Services) -> None:
    """Exactly once under leases: a bulk page claims its read model's position as every page does."""
    demo.make_runner().catch_up()
    live = snapshot(demo)
    view = demo.views["catalogue"]
    records = first_records(demo, 50)
    with pytest.raises(PositionMovedError):  # a worker that read position 0 before another applied everything
        view.process(records, Tracking(demo.app.name, records[-1].position), after=0, prepared=view.prepare(records))
    assert snapshot(demo) == live
    # The runner's bulk path, from positions read before another worker applied everything: it reads the
    # position again and goes on after it, applying nothing twice.
    runner = bulk_runner(demo, 7)
    head = demo.recorder.max_notification_id() or 0
    assert runner._catch_up(list(runner.views), dict.fromkeys(VIEWS, 0), head, None) > 0
    assert snapshot(demo) == live
    assert reading_threads() == []


def test_a_failed_read_ahead_is_the_catch_ups_failure_and_loses_nothing(
        demo: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    """The database failing under the reading thread fails the catch-up as a read of its own would (the runner
    tries again later); the pages applied before stay, and the next catch-up goes on from there."""
    demo.make_runner().catch_up()
    live = snapshot(demo)
    for name in VIEWS:
        demo.views[name].reset()
    select = demo.recorder.select_notifications
    reads: list[int] = []

    def failing(*args: Any, **kwargs: Any) -> Any:
        reads.append(kwargs["start"])
        if len(reads) == 3:  # the second page read ahead
            raise ConnectionError("the server went away")
        return select(*args, **kwargs)

    monkeypatch.setattr(demo.recorder, "select_notifications", failing)
    runner = bulk_runner(demo, 50)
    with pytest.raises(ConnectionError):
        runner.catch_up()
    assert reading_threads() == []
    # the two pages read before were applied (the second while the third was being read)
    assert {name: demo.views[name].position(demo.app.name) for name in VIEWS} == dict.fromkeys(VIEWS, reads[2])
    assert runner.stopped == {}  # no read model is blamed for the database
    monkeypatch.setattr(demo.recorder, "select_notifications", select)
    runner.catch_up()
    assert snapshot(demo) == live
