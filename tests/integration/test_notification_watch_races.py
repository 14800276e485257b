"""Saved searches and follows on a real PostgreSQL: sixty saves at once leave exactly fifty searches, ten submits of
one form one search, and the inbox, rebuilt from the log after searches were deleted and follows stopped, is the
live inbox row for row (``marketplace audit rebuild-check``)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from uuid import UUID, uuid4

import psycopg
import pytest

from domain.notifications.watching import SEARCHES_LIMIT, SavedSearches, searches_id
from domain.shared.errors import ConflictError
from marketplace.audit.rebuild_check import rebuild_check
from marketplace.notifications import commands as nc
from marketplace.platform.services import Services
from tests.unit.deal_helpers import World, make_world

SAVES = SEARCHES_LIMIT + 10


@pytest.fixture
def world(services: Services) -> Iterator[World]:
    w = make_world(services.address.eventsourcing_env() | {"POSTGRES_POOL_SIZE": "5",
                                                          "POSTGRES_POOL_MAX_OVERFLOW": "5"})
    yield w
    w.app.close()


def saved_rows(services: Services, user: UUID) -> list[str]:
    with psycopg.connect(services.address.conninfo()) as conn:
        return [r[0] for r in conn.execute("SELECT q FROM notification_searches WHERE user_id = %s ORDER BY q",
                                           (user,)).fetchall()]


def at_once(count: int, work: Callable[[int], object]) -> None:
    barrier = threading.Barrier(count)

    def run(n: int) -> None:
        barrier.wait()
        work(n)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def test_sixty_saves_at_once_leave_fifty_searches(world: World, services: Services) -> None:
    app, firm = world.app, world["firm"]
    outcomes: list[str] = []
    lock = threading.Lock()

    def save(n: int) -> None:
        cmd = nc.SaveSearch(search_id=uuid4(), q=f"电池 {n:02d}")
        while True:  # a user told "busy, try again" tries again
            try:
                app.watching.save_search(cmd, actor_id=firm)
                outcome = "saved"
            except ConflictError as error:
                if error.code == "search.busy":
                    continue
                outcome = error.code
            with lock:
                outcomes.append(outcome)
            return

    at_once(SAVES, save)
    assert sorted(outcomes) == ["saved"] * SEARCHES_LIMIT + ["search.limit"] * (SAVES - SEARCHES_LIMIT)
    searches: SavedSearches = app.repository.get(searches_id(firm))
    assert len(searches.live) == SEARCHES_LIMIT
    services.make_runner().catch_up()
    assert len(saved_rows(services, firm)) == SEARCHES_LIMIT


def test_ten_submits_of_one_form_save_one_search(world: World, services: Services) -> None:
    app, firm = world.app, world["firm"]
    cmd = nc.SaveSearch(search_id=uuid4(), q="固态电池")
    at_once(10, lambda n: app.watching.save_search(cmd, actor_id=firm))
    assert app.repository.get(searches_id(firm)).live == {cmd.search_id: "listings"}
    follow = nc.FollowListing(listing_id=world["listing"])
    at_once(10, lambda n: app.watching.follow_listing(follow, actor_id=firm))
    services.make_runner().catch_up()
    assert saved_rows(services, firm) == ["固态电池"]
    with psycopg.connect(services.address.conninfo()) as conn:
        assert conn.execute("SELECT count(*) FROM notification_follows WHERE user_id = %s", (firm,)).fetchone() == (1,)


def test_the_inbox_rebuilds_identically_after_searches_and_follows_changed(world: World, services: Services) -> None:
    app, firm = world.app, world["firm"]
    kept, dropped = uuid4(), uuid4()
    app.watching.save_search(nc.SaveSearch(search_id=kept, q="锂电池"), actor_id=firm)
    app.watching.save_search(nc.SaveSearch(search_id=dropped, q="隔膜"), actor_id=firm)
    app.watching.follow_listing(nc.FollowListing(listing_id=world["listing"]), actor_id=firm)
    world.list_patent("uni", world.register_patent(["uni"], "202010765432"))  # matches both searches: one notice
    app.watching.delete_search(nc.DeleteSearch(search_id=dropped), actor_id=firm)
    app.watching.follow_listing(nc.FollowListing(listing_id=world["listing"], on=False), actor_id=firm)
    services.make_runner().catch_up()
    with psycopg.connect(services.address.conninfo()) as conn:
        news = conn.execute("SELECT event FROM notification_items WHERE user_id = %s", (firm,)).fetchall()
        # A read mark is the user's own: the rebuild takes it into its items.
        conn.execute("UPDATE notification_items SET read_at = now() WHERE user_id = %s", (firm,))
        conn.execute("INSERT INTO notification_reads SELECT user_id, position, seq, read_at FROM notification_items"
                     " WHERE user_id = %s", (firm,))
    assert news == [("search.listing",)]
    report = rebuild_check(services)
    assert report.differences == [], "\n".join(report.lines())
    found = {t.table: t.live_rows for t in report.tables}
    assert found["notification_searches"] == 1
    assert found["notification_follows"] == 0
    assert found["notification_items"] == 1
    assert "notification_outbox" not in found
    assert "notification_reads" not in found
