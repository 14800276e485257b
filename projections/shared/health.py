"""Health of the read models: where each one stands in the event log, and the event it stopped at, if any.

A read model that cannot apply an event stops just before it; the runner records the event and
the error in ``read_model_health`` (written here with psycopg) and deletes the row once the read
model has applied that event. The status of every read model (its tracking position, the head of
the log, and that row) is read with the same SQL by the web (asyncpg) and by ``marketplace status``
(psycopg): the statement carries no parameters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg
from eventsourcing.postgres import PostgresDatastore
from psycopg import Connection, sql

#: The longest error text kept; the rest is cut (the log has the whole traceback).
ERROR_LIMIT = 2000

_RECORD = (
    "INSERT INTO read_model_health AS h (view_name, application_name, position, topic, error, next_retry_at)"
    " VALUES (%(view)s, %(app)s, %(position)s, %(topic)s, %(error)s, now() + make_interval(secs => %(delay)s))"
    " ON CONFLICT (view_name, application_name) DO UPDATE SET position = EXCLUDED.position,"
    " topic = EXCLUDED.topic, error = EXCLUDED.error, attempts = h.attempts + 1, last_failed_at = now(),"
    " next_retry_at = EXCLUDED.next_retry_at,"
    # the first failure at this event, not at an earlier one since fixed
    " first_failed_at = CASE WHEN h.position = EXCLUDED.position THEN h.first_failed_at ELSE now() END"
)


@dataclass(frozen=True)
class ViewFailure:
    """A read model stopped before the event at ``position``: it could not apply it."""

    view: str
    position: int
    topic: str
    error: str


def error_text(exc: BaseException) -> str:
    """The exception as one storable text: its type and message, without NUL (PostgreSQL text refuses it)."""
    text = f"{type(exc).__name__}: {exc}".replace("\x00", "\\x00")
    return text if len(text) <= ERROR_LIMIT else text[: ERROR_LIMIT - 1] + "…"


class ReadModelHealth:
    """The runner's record of stopped read models (psycopg, in transactions of their own)."""

    def __init__(self, datastore: PostgresDatastore, application_name: str) -> None:
        self.datastore = datastore
        self.application_name = application_name

    def record_failure(self, failure: ViewFailure, retry_in: float) -> None:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(_RECORD, {"view": failure.view, "app": self.application_name, "position": failure.position,
                                   "topic": failure.topic, "error": failure.error, "delay": retry_in})

    def clear(self, view: str) -> None:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute("DELETE FROM read_model_health WHERE view_name = %s AND application_name = %s",
                         (view, self.application_name))

    def stopped(self) -> dict[str, bool]:
        """The read models recorded as stopped, each with whether its next try is due now."""
        with self.datastore.transaction() as curs:
            curs.execute("SELECT view_name, next_retry_at <= now() AS due FROM read_model_health"
                         " WHERE application_name = %s", (self.application_name,))
            return {row["view_name"]: bool(row["due"]) for row in curs.fetchall()}

    def retry_now(self, views: list[str] | None = None) -> list[str]:
        """Make the next try of the stopped read models (all, or ``views``) due now; the ones found."""
        with self.datastore.transaction(commit=True) as curs:
            curs.execute("UPDATE read_model_health SET next_retry_at = now() WHERE application_name = %s"
                         " AND (%s::text[] IS NULL OR view_name = ANY(%s)) RETURNING view_name",
                         (self.application_name, views, views))
            return sorted(row["view_name"] for row in curs.fetchall())


@dataclass(frozen=True)
class ReadModelStatus:
    """One read model as its health report shows it."""

    name: str
    position: int
    head: int
    failed_position: int | None = None
    topic: str | None = None
    error: str | None = None
    attempts: int | None = None
    failing_since: datetime | None = None
    next_retry_at: datetime | None = None

    @property
    def lag(self) -> int:
        """How many log positions the read model is behind the head (gaps in ids count too)."""
        return max(0, self.head - self.position)

    @property
    def state(self) -> str:
        """``stopped`` at an event it cannot apply, ``behind`` the head, or ``ok``."""
        if self.failed_position is not None:
            return "stopped"
        return "behind" if self.lag else "ok"


def status_statement(tracking_tables: Mapping[str, str], events_table: str, application_name: str) -> str:
    """The SQL that reads every read model's status, in the order of ``tracking_tables`` (view name: table)."""
    app = sql.Literal(application_name)
    views = sql.SQL(", ").join(
        sql.SQL("({}, {}, (SELECT notification_id FROM {} WHERE application_name = {}))").format(
            sql.Literal(order), sql.Literal(name), sql.Identifier(table), app)
        for order, (name, table) in enumerate(tracking_tables.items())
    )
    return sql.SQL(
        "SELECT v.name, coalesce(v.position, 0) AS position,"
        " coalesce((SELECT max(notification_id) FROM {events}), 0) AS head,"
        " h.position AS failed_position, h.topic, h.error, h.attempts, h.first_failed_at AS failing_since,"
        " h.next_retry_at FROM (VALUES {views}) AS v(ord, name, position)"
        " LEFT JOIN read_model_health h ON h.view_name = v.name AND h.application_name = {app} ORDER BY v.ord"
    ).format(events=sql.Identifier(events_table), views=views, app=app).as_string(None)


def head_statement(events_table: str) -> str:
    """The head of the event log: its last position (NULL while it is empty)."""
    return sql.SQL("SELECT max(notification_id) FROM {}").format(sql.Identifier(events_table)).as_string(None)


def slowest_view_statement(tracking_tables: Mapping[str, str]) -> str:
    """The lowest tracking position over the read models not stopped, as one statement (``$1``: the application).

    ``least`` skips the NULL of a stopped read model; if every one is stopped, nothing is waited for
    (the statement answers the largest position). ``tracking_tables``: view name: its tracking table.
    """
    positions = [
        sql.SQL(
            "CASE WHEN EXISTS (SELECT FROM read_model_health WHERE view_name = {} AND application_name = $1)"
            " THEN NULL ELSE coalesce((SELECT notification_id FROM {} WHERE application_name = $1), 0) END"
        ).format(sql.Literal(name), sql.Identifier(table))
        for name, table in tracking_tables.items()
    ]
    return sql.SQL("SELECT coalesce(least({}), 9223372036854775807)").format(
        sql.SQL(", ").join(positions)).as_string(None)


def view_positions_statement(tracking_tables: Mapping[str, str]) -> str:
    """Every read model's position, as one array in the order of ``tracking_tables`` (``$1``: the application).

    Any event a read model applies moves its position, so an answer computed from the read models is
    still current while this array is unchanged (``web.todo``: the header's to-do count).
    """
    positions = [
        sql.SQL("coalesce((SELECT notification_id FROM {} WHERE application_name = $1), 0)").format(
            sql.Identifier(table))
        for table in tracking_tables.values()
    ]
    return sql.SQL("SELECT ARRAY[{}]::bigint[]").format(sql.SQL(", ").join(positions)).as_string(None)


def _status(row: Mapping[str, Any] | asyncpg.Record) -> ReadModelStatus:
    return ReadModelStatus(**{key: row[key] for key in ReadModelStatus.__dataclass_fields__})


def read_statuses(conn: Connection[Any], statement: str) -> list[ReadModelStatus]:
    """Every read model's status (psycopg; the command line)."""
    cur = conn.execute(statement.encode())
    names = [column.name for column in cur.description or ()]
    return [_status(dict(zip(names, row, strict=True))) for row in cur.fetchall()]


class HealthQueries:
    """Every read model's status (asyncpg; the web)."""

    def __init__(self, pool: asyncpg.Pool, statement: str) -> None:
        self.pool = pool
        self.statement = statement

    async def statuses(self) -> list[ReadModelStatus]:
        return [_status(row) for row in await self.pool.fetch(self.statement)]
