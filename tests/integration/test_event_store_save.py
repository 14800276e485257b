"""The save of a command's events on PostgreSQL (issue 16): one call of migration 0053's procedure, which commits the
events under the table lock without waiting for the disk and answers once a second transaction's flush has put
them on disk; on a store without it, one call of migration 0048's function (the lock held through the flush); on a
store without either, the recorder's own transaction."""

from __future__ import annotations

import threading
import time
import uuid

import psycopg
import pytest

from domain.catalogue.listing import Listing
from domain.shared.errors import ConcurrentModificationError
from marketplace.catalogue import commands as cc
from marketplace.catalogue.patents import listing_terms
from marketplace.platform.application import Marketplace
from marketplace.platform.database import DatabaseAddress
from marketplace.platform.migrate import migrate
from tests.unit.deal_helpers import World, make_world


def revise(app: Marketplace, world: World, price: int, expected: int | None = None) -> int:
    return app.catalogue.revise_listing(cc.ReviseListing(
        listing_id=world["listing"], deal_types=["assignment"], price_mode="fixed", asking_price=price,
        maturity="prototype", expected_version=expected), actor_id=world["uni"])


def stored(database: DatabaseAddress, statement: str) -> list[tuple[object, ...]]:
    with psycopg.connect(database.conninfo(), autocommit=True) as conn:
        cur = conn.execute(statement)
        return cur.fetchall() if cur.description else []


def test_a_save_through_the_insert_function_answers_its_notification_id_and_a_clash_writes_nothing(
    world: World, database: DatabaseAddress,
) -> None:
    position = revise(world.app, world, 20_000_000)
    assert position == stored(database, "SELECT max(notification_id) FROM marketplace_events")[0][0]
    listing: Listing = world.app.repository.get(world["listing"])
    assert listing.terms["asking_price"] == 20_000_000
    assert world.app.recorder._insert_function()  # type: ignore[attr-defined]  # the function was found and used
    count = stored(database, "SELECT count(*) FROM marketplace_events")[0][0]
    held: Listing = world.app.repository.get(world["listing"])  # loaded before the other save
    revise(world.app, world, 25_000_000)
    held.revise(listing_terms(cc.ReviseListing(listing_id=held.id, deal_types=["assignment"], price_mode="fixed",
                                               asking_price=30_000_000, maturity="prototype")), by=world["uni"])
    with pytest.raises(ConcurrentModificationError):  # its version was taken meanwhile: nothing is written
        world.app.commit(held)
    assert stored(database, "SELECT count(*) FROM marketplace_events")[0][0] == count + 1
    assert world.app.repository.get(world["listing"]).terms["asking_price"] == 25_000_000


def insert_position(database: DatabaseAddress, which: str = "insert") -> int:
    """The server's WAL position: where the next record goes (``insert``) or how far it is on disk (``flush``)."""
    return int(str(stored(database, f"SELECT (pg_current_wal_{which}_lsn() - '0/0')::bigint")[0][0]))


def test_a_save_is_answered_only_once_it_is_on_disk(world: World, database: DatabaseAddress) -> None:
    """The procedure commits the events without waiting for the disk (so that the table lock is not held through
    the flush), then flushes: when a command is answered, the WAL is on disk past the position it had before the
    command, which the save's commit record follows. Without the flush the previous save's commit would still be
    waiting for the WAL writer (some 200 ms) when the next save is answered."""
    for price in range(20_000_000, 20_000_010):
        before = insert_position(database)
        position = revise(world.app, world, price)
        assert insert_position(database, "flush") > before
        assert position == stored(database, "SELECT max(notification_id) FROM marketplace_events")[0][0]
    assert world.app.recorder.saves_by_procedure()  # type: ignore[attr-defined]  # the procedure was found and used


def test_a_store_without_the_save_procedures_saves_through_the_insert_function(database: DatabaseAddress) -> None:
    migrate(database.conninfo())
    stored(database, "DROP PROCEDURE marketplace_save_events")
    world = make_world(database.eventsourcing_env())
    try:
        position = revise(world.app, world, 20_000_000)
        assert position == stored(database, "SELECT max(notification_id) FROM marketplace_events")[0][0]
        assert not world.app.recorder.saves_by_procedure()  # type: ignore[attr-defined]
        assert world.app.recorder._insert_function()  # type: ignore[attr-defined]
        listing: Listing = world.app.repository.get(world["listing"])
        with pytest.raises(ConcurrentModificationError):  # a clash still writes nothing
            revise(world.app, world, 30_000_000, expected=listing.version - 1)
        assert world.app.repository.get(world["listing"]).terms["asking_price"] == 20_000_000
    finally:
        world.app.close()


def test_a_store_without_the_insert_function_saves_in_the_recorders_transaction(database: DatabaseAddress) -> None:
    migrate(database.conninfo())
    stored(database, "DROP PROCEDURE marketplace_save_events")
    stored(database, "DROP FUNCTION marketplace_insert_events")
    world = make_world(database.eventsourcing_env())
    try:
        position = revise(world.app, world, 20_000_000)
        assert position == stored(database, "SELECT max(notification_id) FROM marketplace_events")[0][0]
        assert not world.app.recorder._insert_function()  # type: ignore[attr-defined]
        listing: Listing = world.app.repository.get(world["listing"])
        assert listing.terms["asking_price"] == 20_000_000
        # A clash still rolls the whole save back.
        with pytest.raises(ConcurrentModificationError):
            revise(world.app, world, 30_000_000, expected=listing.version - 1)
        other = Marketplace(database.eventsourcing_env())
        try:
            assert other.repository.get(world["listing"]).terms["asking_price"] == 20_000_000
        finally:
            other.close()
    finally:
        world.app.close()


@pytest.mark.parametrize("crash_noticed", [False, True], ids=["", "a crash noticed before the call again"])
def test_a_save_whose_call_failed_after_its_commit_is_answered_with_its_own_events(
    world: World, database: DatabaseAddress, crash_noticed: bool,
) -> None:
    """The procedure's first transaction commits the events; if its second (the flush) then fails (here cancelled
    while it waits for the flush's sequence, as a statement timeout or an operator's cancel would), the call fails
    although the save stands. The recorder calls again, finds the version taken by these very events, and answers
    with them: the command succeeds once, with one set of events."""
    before = stored(database, "SELECT count(*) FROM marketplace_events")[0][0]
    answered: list[int] = []
    failed: list[BaseException] = []

    def command() -> None:
        try:
            answered.append(revise(world.app, world, 20_000_000))
        except BaseException as error:
            failed.append(error)

    with psycopg.connect(database.conninfo()) as holder:  # a transaction holding the sequence against setval
        holder.execute("ALTER SEQUENCE public.marketplace_save_flush RESTART")
        worker = threading.Thread(target=command)
        worker.start()
        waiting = ("SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                   " AND query LIKE 'CALL marketplace_save_events%' AND wait_event_type = 'Lock'")
        deadline = time.monotonic() + 10
        while not (pids := stored(database, waiting)):
            assert time.monotonic() < deadline, "the save never waited for the sequence"
            time.sleep(0.01)
        assert stored(database, "SELECT count(*) FROM marketplace_events")[0][0] == before + 1  # committed
        stored(database, f"SELECT pg_cancel_backend({pids[0][0]})")
        if crash_noticed:  # the save's events survived it (on disk or not lost): they are still the answer
            restarts = world.app.recorder.restarts  # type: ignore[attr-defined]
            assert restarts.seen(uuid.uuid4())
        time.sleep(0.05)
        holder.rollback()
    worker.join(timeout=30)
    assert not failed, failed
    assert answered == [stored(database, "SELECT max(notification_id) FROM marketplace_events")[0][0]]
    assert stored(database, "SELECT count(*) FROM marketplace_events")[0][0] == before + 1
    listing: Listing = world.app.repository.get(world["listing"])
    assert listing.terms["asking_price"] == 20_000_000


def test_a_save_that_would_skip_a_version_is_refused_and_the_history_still_replays(
    world: World, database: DatabaseAddress,
) -> None:
    """A worker whose cached copy includes an event the server lost (a crash just after another worker's commit)
    would save the next version on top of a version the store does not have: the save is refused (migration 0053's
    check under the lock), the copy is dropped, and the command goes through when tried again."""
    app = world.app
    app.repository.get(world["listing"])
    held = app.repository.lru.get(world["listing"])  # type: ignore[union-attr]
    held._version += 1  # as if it had applied an event that is not in the store
    count = stored(database, "SELECT count(*) FROM marketplace_events")[0][0]
    with pytest.raises(ConcurrentModificationError):
        revise(app, world, 20_000_000)
    assert stored(database, "SELECT count(*) FROM marketplace_events")[0][0] == count
    revise(app, world, 21_000_000)
    other = Marketplace(database.eventsourcing_env())
    try:
        replayed: Listing = other.repository.get(world["listing"])
        assert replayed.terms["asking_price"] == 21_000_000
    finally:
        other.close()
