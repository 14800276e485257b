"""The statements that look up what changed in a command's aggregates probe the log's index, one aggregate at a time,
whatever the planner believes of the log (issue 16).

A command on the fast path has its save check the aggregates it read (``marketplace_insert_events_checked``), and a
command that reads several aggregates fast-forwards them in one statement (``FastForwardRepository.freshen``). Both
join a short list of (aggregate, version) to the event log. Written as a plain join, the plan depends on the
planner's figures for the log: on a log that grew since it was last analysed (a bulk import, a young store), the
session's generic plan hashed the whole log for every command, and the save does that under the table lock that
every writer waits for. Here the log holds 120,000 events the planner was never told about, and each statement runs
more than five times in one session (past the custom plans, into the generic plan the session keeps): none may
read the log sequentially.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import psycopg

from marketplace.platform.aggregate_cache import FastForwardRepository
from marketplace.platform.database import DatabaseAddress
from tests.unit.deal_helpers import World

TOPIC = "domain.patent:Patent.Registered"
GROWN = 120_000  # events the planner is not told about


def grow(database: DatabaseAddress) -> None:
    """Add 120,000 events to the log (other aggregates' first events) that no ANALYZE counts."""
    with psycopg.connect(database.conninfo(), autocommit=True) as conn:
        conn.execute("ALTER TABLE marketplace_events SET (autovacuum_enabled = false)")
        conn.execute("INSERT INTO marketplace_events (originator_id, originator_version, topic, state)"
                     " SELECT gen_random_uuid(), 1, %s, decode(repeat('7b7d', 300), 'hex')"
                     " FROM generate_series(1, %s)", (TOPIC, GROWN))


def sequential_reads_of_the_log(conn: psycopg.Connection[Any], statement: Any, params: Callable[[], Any]) -> int:
    """Run ``statement`` nine times in this session: how many sequential scans of the log those runs made (as the
    session counts them until it next reports its figures: the last run's at least)."""
    for _ in range(8):
        conn.execute(statement, params(), prepare=True).fetchall()
    with conn.transaction():
        conn.execute(statement, params(), prepare=True).fetchall()
        row = conn.execute("SELECT seq_scan FROM pg_stat_xact_user_tables WHERE relname = 'marketplace_events'"
                           ).fetchone()
        assert row is not None
        return int(row[0])


def test_the_save_checks_what_the_command_read_through_the_index(database: DatabaseAddress, world: World) -> None:
    with psycopg.connect(database.conninfo(), autocommit=True) as conn:
        before = conn.execute("SELECT count(*) FROM marketplace_events").fetchone()[0]  # type: ignore[index]
    grow(database)
    read = [uuid.uuid4(), uuid.uuid4(), uuid.uuid4()]
    with psycopg.connect(database.conninfo(), autocommit=True) as conn:
        statement = "SELECT marketplace_insert_events_checked(%s, %s, %s, %s, '5s', %s::uuid[], %s::bigint[])"
        scans = sequential_reads_of_the_log(conn, statement, lambda: (
            [uuid.uuid4()], [1], [TOPIC], [b"{}"], read, [0, 0, 0]))
        saved = conn.execute("SELECT count(*) FROM marketplace_events").fetchone()
    assert scans == 0
    assert saved is not None
    assert saved[0] == before + GROWN + 9  # every run's check let its event through


def sequential_reads_by_calls(database: DatabaseAddress, statement: str, params: Callable[[], Any]) -> int:
    """Call ``statement`` (a procedure that commits: not inside a transaction block) nine times in one session: how
    many sequential scans of the log the server counted meanwhile (this session's figures reported at once)."""
    counted = "SELECT seq_scan FROM pg_stat_user_tables WHERE relname = 'marketplace_events'"
    with psycopg.connect(database.conninfo(), autocommit=True) as conn:
        conn.execute("SELECT pg_stat_force_next_flush()")
        before = conn.execute(counted).fetchone()
        for _ in range(9):
            conn.execute(statement, params(), prepare=True).fetchall()
        conn.execute("SELECT pg_stat_force_next_flush()")
        conn.execute("SELECT pg_stat_clear_snapshot()")
        after = conn.execute(counted).fetchone()
    assert before is not None
    assert after is not None
    return int(after[0]) - int(before[0])


def test_the_save_procedure_checks_what_the_command_read_through_the_index(
    database: DatabaseAddress, world: World,
) -> None:
    """The save the recorder calls (migration 0053's procedure) checks the read set as 0052's function does."""
    with psycopg.connect(database.conninfo(), autocommit=True) as conn:
        before = conn.execute("SELECT count(*) FROM marketplace_events").fetchone()[0]  # type: ignore[index]
    grow(database)
    read = [uuid.uuid4(), uuid.uuid4(), uuid.uuid4()]
    statement = "CALL marketplace_save_events(%s, %s, %s, %s, '5s', %s::uuid[], %s::bigint[], NULL)"
    scans = sequential_reads_by_calls(database, statement, lambda: (
        [uuid.uuid4()], [1], [TOPIC], [b"{}"], read, [0, 0, 0]))
    with psycopg.connect(database.conninfo(), autocommit=True) as conn:
        saved = conn.execute("SELECT count(*) FROM marketplace_events").fetchone()
    assert scans == 0
    assert saved is not None
    assert saved[0] == before + GROWN + 9  # every call's check let its event through


def test_a_command_reading_several_aggregates_fast_forwards_them_through_the_index(
    database: DatabaseAddress, world: World,
) -> None:
    grow(database)
    repository = world.app.repository
    assert isinstance(repository, FastForwardRepository)
    statement = repository._fresh_statement(world.app.recorder, "SELECT 1 AS one")
    held = [world["uni"], world["patent"]]
    with psycopg.connect(database.conninfo(), autocommit=True) as conn:
        scans = sequential_reads_of_the_log(conn, statement, lambda: (held, [1, 1], [uuid.uuid4()]))
    assert scans == 0
