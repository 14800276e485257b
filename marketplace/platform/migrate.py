"""Forward-only migrations: numbered SQL files in ``migrations/``, recorded in ``schema_versions``."""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg

from marketplace.platform.leases import lease_connection, worker_name
from marketplace.platform.settings import PROJECT_ROOT

log = logging.getLogger(__name__)

MIGRATIONS_DIR = PROJECT_ROOT / "migrations"
_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
# One lock id for "changing the schema": concurrent starters wait instead of racing.
_ADVISORY_LOCK = 7_482_001
#: The schema lock's connection is named this and the process (``host:pid``), as ``pg_stat_activity`` shows it.
SCHEMA_PREFIX = "marketplace-schema "


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path


def discover(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    found = []
    for path in sorted(directory.glob("*.sql")):
        match = _NAME.match(path.name)
        if not match:
            raise ValueError(f"{path.name}: migration files are named NNNN_what.sql")
        found.append(Migration(int(match.group(1)), path.stem, path))
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise ValueError("two migrations share a number")
    return found


@contextlib.contextmanager
def schema_lock(conninfo: str) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    """Hold the schema's advisory lock on a connection of its own while the block runs.

    Every process that changes the schema at start-up (migrations, the event store's tables and function, the read
    models' tables) does so inside this lock. PostgreSQL does not serialise ``CREATE ... IF NOT EXISTS`` or
    ``CREATE OR REPLACE FUNCTION`` run at once by two sessions: one of them fails with "tuple concurrently updated"
    or a duplicate key in the catalogue, which is how a second web worker started beside a first one died."""
    # A lease's connection: kept alive by keepalives, out of reach of a managed server's idle_session_timeout (the
    # work runs on other connections meanwhile, and a session ended half-way would free the lock), and named.
    with lease_connection(conninfo, worker_name(), prefix=SCHEMA_PREFIX) as conn:
        row = conn.execute("SELECT pg_try_advisory_lock(%s)", (_ADVISORY_LOCK,)).fetchone()
        if not (row and row[0]):
            holder = schema_lock_holder(conn) or "another process"
            log.info("%s is bringing the schema up to date: waiting for it", holder)
            conn.execute("SELECT pg_advisory_lock(%s)", (_ADVISORY_LOCK,))
        try:
            yield conn
        finally:
            with contextlib.suppress(psycopg.Error):  # a connection already lost has freed the lock with it
                conn.execute("SELECT pg_advisory_unlock(%s)", (_ADVISORY_LOCK,))


def schema_lock_holder(conn: psycopg.Connection[tuple[object, ...]]) -> str | None:
    """The process (``host:pid``, or the connection's name) that holds the schema lock now, if any."""
    row = conn.execute(
        "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
        " WHERE l.locktype = 'advisory' AND l.granted AND l.classid::bigint = 0 AND l.objid::bigint = %s"
        " AND l.objsubid = 1"
        " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())",
        (_ADVISORY_LOCK,),
    ).fetchone()
    return None if row is None else (str(row[0]).removeprefix(SCHEMA_PREFIX) or "a nameless connection")


def migrate(conninfo: str, directory: Path = MIGRATIONS_DIR) -> list[str]:
    """Apply every migration not yet recorded, each in its own transaction; return their names."""
    with schema_lock(conninfo) as conn:
        return apply_migrations(conn, directory)


def apply_migrations(conn: psycopg.Connection[tuple[object, ...]], directory: Path = MIGRATIONS_DIR) -> list[str]:
    """``migrate``'s work on ``conn``, an autocommit connection that holds ``schema_lock``."""
    applied: list[str] = []
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_versions ("
        " version integer PRIMARY KEY, name text NOT NULL,"
        " applied_at timestamptz NOT NULL DEFAULT now())"
    )
    done = {row[0] for row in conn.execute("SELECT version FROM schema_versions")}
    for migration in discover(directory):
        if migration.version in done:
            continue
        with conn.transaction():
            conn.execute(migration.path.read_text(encoding="utf-8"))
            conn.execute(
                "INSERT INTO schema_versions (version, name) VALUES (%s, %s)",
                (migration.version, migration.name),
            )
        applied.append(migration.name)
    return applied
