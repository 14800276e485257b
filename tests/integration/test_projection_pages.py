"""The catalogue and accounts read models fold a whole page of events before writing: rows must not depend on paging.

Live traffic reaches a read model one event at a time; a rebuild or a catch-up after an import in pages of
thousands. Both paths are replayed here over varied histories (the demo data, and the old store written by
the code before the trade-package move) and every row of every table is compared: one event per
transaction, small odd pages that cut aggregates' histories anywhere, and one page holding the whole log.
"""

from __future__ import annotations

import pytest

from marketplace.demo.catalogue import seed_demo
from marketplace.platform.services import Services
from tests.integration.test_old_store import old_services, old_store  # noqa: F401 - fixtures

VIEWS = ("catalogue", "accounts")


def snapshot(services: Services) -> dict[str, list[str]]:
    """Every row of the views' tables, as text, in a stable order."""
    tables = [t for name in VIEWS for t in services.views[name].tables]
    with services.recorder.datastore.transaction(commit=False) as curs:
        out = {}
        for table in tables:
            curs.execute(f"SELECT t::text AS row FROM {table} t ORDER BY 1")
            out[table] = [r["row"] for r in curs.fetchall()]
    return out


def replay(services: Services, page_size: int) -> dict[str, list[str]]:
    for name in VIEWS:
        services.views[name].reset()
    services.make_runner(list(VIEWS), page_size=page_size).catch_up()
    return snapshot(services)


def topics(services: Services) -> set[str]:
    with services.recorder.datastore.transaction(commit=False) as curs:
        curs.execute("SELECT DISTINCT topic FROM marketplace_events")
        return {r["topic"].split(":", 1)[1] for r in curs.fetchall()}


def assert_paging_changes_nothing(services: Services) -> dict[str, list[str]]:
    services.make_runner().catch_up()  # as the running system got there
    live = snapshot(services)
    one_at_a_time = replay(services, 1)
    assert one_at_a_time == live
    assert replay(services, 7) == live
    assert replay(services, 1_000_000) == live
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


def test_old_store_gives_the_same_rows_event_by_event_and_in_pages_of_any_size(
        old_services: Services) -> None:  # noqa: F811 - the fixture
    rows = assert_paging_changes_nothing(old_services)
    assert len(rows["catalogue_listings"]) > 10
    assert len(rows["accounts_user_records"]) > 10

