"""A worker running commands one after the other keeps to the connection it used last (its server process warm),
instead of cycling through every connection of the pool; connections in use at once stay distinct."""

from __future__ import annotations

from types import SimpleNamespace

from marketplace.catalogue import commands as cc
from marketplace.platform.pool_order import most_recent_first
from tests.unit.deal_helpers import World


def backend(world: World) -> int:
    with world.app.recorder.datastore.get_connection() as conn:  # type: ignore[attr-defined]
        row = conn.execute("SELECT pg_backend_pid() AS pid").fetchone()
    assert row is not None
    return int(row["pid"])


def test_sequential_work_reuses_the_connection_returned_last(world: World) -> None:
    pool = world.app.recorder.datastore.pool  # type: ignore[attr-defined]
    assert pool.get_stats()["pool_available"] >= 2  # a choice to make: more than one idle connection
    first = backend(world)
    world.app.catalogue.withdraw_listing(cc.WithdrawListing(listing_id=world["listing"]), actor_id=world["uni"])
    assert [backend(world) for _ in range(5)] == [first] * 5


def test_connections_in_use_at_once_are_distinct_and_all_come_back(world: World) -> None:
    datastore = world.app.recorder.datastore  # type: ignore[attr-defined]
    available = datastore.pool.get_stats()["pool_available"]
    with datastore.get_connection() as a, datastore.get_connection() as b:
        pids = {conn.execute("SELECT pg_backend_pid() AS pid").fetchone()["pid"] for conn in (a, b)}
    assert len(pids) == 2
    assert datastore.pool.get_stats()["pool_available"] == available


def test_a_pool_kept_otherwise_is_left_as_it_is() -> None:
    pool = SimpleNamespace(_pool=[1, 2], _lock=None)
    assert most_recent_first(pool) is False
    assert pool._pool == [1, 2]
