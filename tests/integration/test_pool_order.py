"""A worker running commands one after the other keeps to the connection it used last (its server process warm),
instead of cycling through every connection of the pool; connections in use at once stay distinct; and a connection
left idle too long is handed out first, so that every connection is used (checked, renewed) now and then."""

from __future__ import annotations

import threading
from collections import deque
from types import SimpleNamespace

from marketplace.catalogue import commands as cc
from marketplace.platform.pool_order import MostRecentFirst, most_recent_first
from tests.unit.deal_helpers import World


def backend(world: World) -> int:
    with world.app.recorder.datastore.get_connection() as conn:  # type: ignore[attr-defined]
        row = conn.execute("SELECT pg_backend_pid() AS pid").fetchone()
    assert row is not None
    return int(row["pid"])


def test_sequential_work_reuses_the_connection_returned_last(world: World) -> None:
    pool = world.app.recorder.datastore.pool  # type: ignore[attr-defined]
    pool.wait(timeout=30)  # every connection of its minimum size open: a choice of idle connections to make
    assert pool.get_stats()["pool_available"] >= 2
    first = backend(world)
    world.app.catalogue.withdraw_listing(cc.WithdrawListing(listing_id=world["listing"]), actor_id=world["uni"])
    assert [backend(world) for _ in range(5)] == [first] * 5


def test_connections_in_use_at_once_are_distinct_and_all_come_back(world: World) -> None:
    datastore = world.app.recorder.datastore  # type: ignore[attr-defined]
    datastore.pool.wait(timeout=30)
    available = datastore.pool.get_stats()["pool_available"]
    with datastore.get_connection() as a, datastore.get_connection() as b:
        pids = {conn.execute("SELECT pg_backend_pid() AS pid").fetchone()["pid"] for conn in (a, b)}
    assert len(pids) == 2
    assert datastore.pool.get_stats()["pool_available"] == available


def test_a_connection_idle_too_long_is_handed_out_first_once() -> None:
    now = [1000.0]
    idle = MostRecentFirst(rotate_after=60, clock=lambda: now[0])
    for name in ("a", "b", "c"):  # returned in this order
        idle.append(name)
    assert idle.popleft() == "c"  # the one returned last
    idle.append("c")
    now[0] += 61  # all three idle for over a minute: each is handed out once, oldest first
    taken = []
    for _ in range(3):
        taken.append(idle.popleft())
        idle.append(taken[-1])  # used and returned at once
    assert taken == ["a", "b", "c"]
    assert idle.popleft() == "c"  # all fresh again: the one returned last
    assert list(idle) == ["a", "b"]
    idle.clear()
    assert idle.returned == {}


def test_a_pool_kept_otherwise_is_left_as_it_is() -> None:
    kept_as_list = SimpleNamespace(_pool=["x", "y"], _lock=threading.Lock())
    assert most_recent_first(kept_as_list) is False
    assert kept_as_list._pool == ["x", "y"]
    usual = SimpleNamespace(_pool=deque(["x", "y"]), _lock=threading.Lock())
    assert most_recent_first(usual) is True
    assert usual._pool.popleft() == "y"
    assert most_recent_first(usual) is True  # a second call changes nothing
    assert list(usual._pool) == ["x"]
