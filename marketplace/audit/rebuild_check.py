"""Rebuild check: replay every read model into scratch tables and diff them against the live tables.

A read model must be a pure function of the event log. This check proves it for the live
database: it catches the live views up, builds a second set of the same views in a scratch
schema (``rebuild_check``; tables ``LIKE`` the live ones, reached through ``search_path``,
since the views' SQL names tables unqualified), runs them over the log up to the live views'
position, then compares each pair of tables both ways with ``EXCEPT ALL``.

A view's ``side_tables`` (users' own state it reads or writes beside the log: what they read, their
e-mail choices, the outbox) are not rebuilt: the scratch schema gets a copy of their rows, so that
the rebuild reads what the live view reads (a rebuilt inbox item takes its ``read_at`` from the
reads), and they are not compared. A serial column of such a copy draws from a sequence of its own,
so the rebuild consumes no number of the live table's sequence.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.persistence import IntegrityError
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from psycopg import Connection, Cursor, sql
from psycopg.rows import DictRow

from marketplace.platform.services import Services
from projections.runner import BatchProjectionRunner
from projections.shared.base import PostgresReadModelView

log = logging.getLogger(__name__)

SCHEMA = "rebuild_check"
EXAMPLES = 5
ATTEMPTS = 5


@dataclass(frozen=True)
class TableDiff:
    """How one live table differs from its rebuild: rows found only on one side, with a few keys."""

    table: str
    live_rows: int
    rebuilt_rows: int
    only_live: int
    only_rebuilt: int
    live_examples: list[str] = field(default_factory=list)
    rebuilt_examples: list[str] = field(default_factory=list)

    @property
    def differs(self) -> bool:
        return bool(self.only_live or self.only_rebuilt)


@dataclass(frozen=True)
class RebuildReport:
    """The outcome: the position every view was compared at, and one entry per table."""

    positions: dict[str, int]
    tables: list[TableDiff]
    seconds: float

    @property
    def differences(self) -> list[TableDiff]:
        return [t for t in self.tables if t.differs]

    def lines(self) -> list[str]:
        """The report as text, one line per finding."""
        at = ", ".join(f"{name} at {position}" for name, position in self.positions.items())
        out = [f"rebuilt {len(self.positions)} read model(s) from the event log ({at}) in {self.seconds:.1f} s"]
        for t in self.tables:
            if not t.differs:
                out.append(f"  {t.table}: identical ({t.live_rows} rows)")
                continue
            out.append(f"  {t.table}: DIFFERS: {t.only_live} row(s) only in the live table,"
                       f" {t.only_rebuilt} only in the rebuild ({t.live_rows} live, {t.rebuilt_rows} rebuilt)")
            if t.live_examples:
                out.append(f"    live only, e.g. {', '.join(t.live_examples)}")
            if t.rebuilt_examples:
                out.append(f"    rebuilt only, e.g. {', '.join(t.rebuilt_examples)}")
        out.append("no differences" if not self.differences
                   else f"{len(self.differences)} table(s) differ from their rebuild")
        return out


class ScratchDatastore(PostgresDatastore):
    """A datastore whose connections resolve unqualified table names in ``schema`` only.

    Only that schema (and ``pg_catalog``) is on the path, so a table missing from the scratch
    schema fails loudly instead of falling through to a live table.
    """

    def after_connect_func(self) -> Callable[[Connection[Any]], None]:
        configure = super().after_connect_func()
        statement = sql.SQL("SET search_path TO {}").format(sql.Identifier(self.schema))

        def after_connect(conn: Connection[Any]) -> None:
            configure(conn)
            conn.execute(statement)

        return after_connect


class BoundedRecorder(PostgresApplicationRecorder):
    """The live notification log, read no further than ``stop``: the rebuild stops where the live views stand."""

    def __init__(self, live: PostgresApplicationRecorder, stop: int) -> None:
        super().__init__(live.datastore, events_table_name=live.events_table_name)
        self.stop = stop

    def select_notifications(
        self, start: int | None, limit: int, stop: int | None = None, topics: Sequence[str] = (), *,
        inclusive_of_start: bool = True,
    ) -> Any:
        bound = self.stop if stop is None else min(stop, self.stop)
        return super().select_notifications(start, limit, bound, topics, inclusive_of_start=inclusive_of_start)

    def max_notification_id(self) -> int | None:
        head = super().max_notification_id()
        return None if head is None else min(head, self.stop)


def _catch_up_live(services: Services) -> None:
    """Bring the live views to the head; a concurrent runner doing the same is not an error."""
    for _ in range(ATTEMPTS):
        try:
            services.make_runner().catch_up()
        except IntegrityError:  # another runner recorded the same page first
            log.info("another projection runner is active; catching up again")
            continue
        return


def _scratch_datastore(services: Services, schema: str) -> ScratchDatastore:
    a = services.address
    return ScratchDatastore(a.dbname, a.host, a.port, a.user, a.password, schema=schema, pool_size=3,
                            lock_timeout=services.settings.lock_timeout_seconds)


def _create_scratch(curs: Cursor[DictRow], live_schema: str, schema: str, tables: Sequence[str]) -> None:
    curs.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
    curs.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    for table in tables:
        curs.execute(sql.SQL("CREATE TABLE {}.{} (LIKE {}.{} INCLUDING ALL)").format(
            sql.Identifier(schema), sql.Identifier(table), sql.Identifier(live_schema), sql.Identifier(table)))


def _copy_side_tables(curs: Cursor[DictRow], live_schema: str, schema: str, tables: Sequence[str]) -> None:
    """Scratch copies of the views' side tables, rows included; serial columns on their own sequences."""
    for table in tables:
        scratch, live = (sql.SQL("{}.{}").format(sql.Identifier(n), sql.Identifier(table))
                         for n in (schema, live_schema))
        curs.execute(sql.SQL("CREATE TABLE {} (LIKE {} INCLUDING ALL)").format(scratch, live))
        curs.execute(sql.SQL("INSERT INTO {} SELECT * FROM {}").format(scratch, live))
        curs.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = %s"
                     " AND table_name = %s AND column_default LIKE 'nextval(%%'", (schema, table))
        for row in curs.fetchall():
            column = sql.Identifier(row["column_name"])
            name = f"{table}_{row['column_name']}_seq"
            sequence = sql.Identifier(schema, name)
            curs.execute(sql.SQL("CREATE SEQUENCE {}").format(sequence))
            curs.execute(sql.SQL("SELECT setval({}, coalesce((SELECT max({}) FROM {}), 0) + 1, false)").format(
                sql.Literal(f'"{schema}"."{name}"'), column, scratch))
            curs.execute(sql.SQL("ALTER TABLE {} ALTER COLUMN {} SET DEFAULT nextval({}::regclass)").format(
                scratch, column, sql.Literal(f'"{schema}"."{name}"')))


def _positions(curs: Cursor[DictRow], schema: str, views: Sequence[PostgresReadModelView], app: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for view in views:
        curs.execute(sql.SQL("SELECT notification_id FROM {}.{} WHERE application_name = %s").format(
            sql.Identifier(schema), sql.Identifier(view.tracking_table_name)), (app,))
        row = curs.fetchone()
        found[view.name] = int(row["notification_id"]) if row and row["notification_id"] else 0
    return found


def _key_columns(curs: Cursor[DictRow], schema: str, table: str) -> list[str]:
    """The primary key's columns, else the first column: what the examples show of a row."""
    curs.execute(
        "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)"
        " WHERE i.indrelid = %s::regclass AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)",
        (f'"{schema}"."{table}"',),
    )
    keys = [r["attname"] for r in curs.fetchall()]
    if not keys:
        curs.execute("SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum = 1",
                     (f'"{schema}"."{table}"',))
        keys = [r["attname"] for r in curs.fetchall()]
    return keys


def _one_way(
    curs: Cursor[DictRow], keys: list[str], left: sql.Composable, right: sql.Composable
) -> tuple[int, list[str]]:
    """Rows of ``left`` not in ``right`` (counting duplicates), and the keys of a few of them."""
    rows = sql.SQL("SELECT * FROM {} EXCEPT ALL SELECT * FROM {}").format(left, right)
    curs.execute(sql.SQL("SELECT count(*) AS n FROM ({}) d").format(rows))
    count_row = curs.fetchone()
    count = int(count_row["n"]) if count_row else 0
    if not count:
        return 0, []
    key = sql.SQL(" || '/' || ").join(sql.SQL("coalesce({}::text, 'NULL')").format(sql.Identifier(k)) for k in keys)
    curs.execute(sql.SQL("SELECT DISTINCT {} AS k FROM ({}) d ORDER BY 1 LIMIT %s").format(key, rows), (EXAMPLES,))
    return count, [r["k"] for r in curs.fetchall()]


def _compare(curs: Cursor[DictRow], live_schema: str, schema: str, table: str) -> TableDiff:
    live = sql.SQL("{}.{}").format(sql.Identifier(live_schema), sql.Identifier(table))
    rebuilt = sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier(table))
    keys = _key_columns(curs, live_schema, table)
    only_live, live_examples = _one_way(curs, keys, live, rebuilt)
    only_rebuilt, rebuilt_examples = _one_way(curs, keys, rebuilt, live)
    counts = []
    for name in (live, rebuilt):
        curs.execute(sql.SQL("SELECT count(*) AS n FROM {}").format(name))
        row = curs.fetchone()
        counts.append(int(row["n"]) if row else 0)
    return TableDiff(table, counts[0], counts[1], only_live, only_rebuilt, live_examples, rebuilt_examples)


def rebuild_check(
    services: Services, *, names: Sequence[str] | None = None, schema: str = SCHEMA, page_size: int = 1000,
    keep: bool = False,
) -> RebuildReport:
    """Rebuild the views (all of ``services.views``, or ``names``) into ``schema`` and diff each table.

    The scratch schema is dropped at the end unless ``keep``. If live views move on while the
    check runs (a projection worker is tailing the log), the rebuild is caught up to them again
    before comparing, so both sides always stand at the same position.
    """
    started = time.perf_counter()
    live_views = [services.views[n] for n in (names or list(services.views))]
    live_schema = services.recorder.datastore.schema
    _catch_up_live(services)
    tables = [t for view in live_views for t in view.tables]
    side_tables = list(dict.fromkeys(t for view in live_views for t in view.side_tables))
    scratch = _scratch_datastore(services, schema)
    try:
        with services.recorder.datastore.transaction(commit=True) as curs:
            _create_scratch(curs, live_schema, schema, tables)
            _copy_side_tables(curs, live_schema, schema, side_tables)
        rebuilt = [type(view)(scratch) for view in live_views]
        for view in rebuilt:
            view.create_table()  # the tracking table, through the library (see ARCHITECTURE)
        report = _rebuild_and_compare(services, live_views, rebuilt, live_schema, schema, tables, page_size)
    finally:
        if not keep:
            with services.recorder.datastore.transaction(commit=True) as curs:
                curs.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
        scratch.close()
    return RebuildReport(report[0], report[1], time.perf_counter() - started)


def _rebuild_and_compare(
    services: Services, live_views: list[PostgresReadModelView], rebuilt: list[PostgresReadModelView],
    live_schema: str, schema: str, tables: list[str], page_size: int,
) -> tuple[dict[str, int], list[TableDiff]]:
    app_name = services.app.name
    with services.recorder.datastore.get_connection() as conn:
        for _ in range(ATTEMPTS):
            with conn.cursor() as curs:
                targets = _positions(curs, live_schema, live_views, app_name)
            for view, target in zip(rebuilt, live_views, strict=True):
                BatchProjectionRunner(
                    application_name=app_name, recorder=BoundedRecorder(services.recorder, targets[target.name]),
                    views=[view], page_size=page_size,
                ).catch_up()
            # Compare in one snapshot, and only if the live views still stand where the rebuild stopped.
            with conn.transaction(), conn.cursor() as curs:
                curs.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                if _positions(curs, live_schema, live_views, app_name) != targets:
                    continue
                return targets, [_compare(curs, live_schema, schema, t) for t in tables]
    raise RuntimeError(f"the live read models kept moving; tried {ATTEMPTS} times to compare them at rest")
