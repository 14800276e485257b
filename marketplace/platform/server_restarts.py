"""Noticing that the event store's database server lost what was not on disk, for what a process keeps in memory.

A save's events can be read by other processes a moment before they are on disk (migration 0053): if the server
crashed in that moment, it comes back without them, and another save may later take their versions. A process that
had read them into its aggregate cache (``aggregate_cache``) would otherwise go on deciding on them. So each new
connection of the event store's pool (after a crash every connection is new) reads the server's mark (migration
0054: a token in an UNLOGGED table, which every crash recovery empties; it is made again when missing). A token
other than the one the process saw before means a crash: the listeners run (the cache is emptied) and then the count
of restarts goes up, before the connection is used. A command notes the count at its first read, and its save is
refused if the count moved meanwhile (``PersonalDataRecorder``): what it decided on may be gone.

psycopg_pool calls a pool's ``configure`` function on each connection it opens, before handing it out; this wraps
that function. A pool that keeps it elsewhere (a later psycopg_pool) is left as it is and reported, and crashes then
go unnoticed by the cache.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any
from uuid import UUID

from psycopg import errors

log = logging.getLogger(__name__)

#: The server's mark, made if missing (the first connection after a crash recovery makes a new one).
MARK_SQL = (
    "WITH made AS (INSERT INTO marketplace_server_mark (id, token) VALUES (1, gen_random_uuid())"
    " ON CONFLICT (id) DO NOTHING RETURNING token)"
    " SELECT token FROM made UNION ALL SELECT token FROM marketplace_server_mark WHERE id = 1 LIMIT 1"
)


class ServerRestarts:
    """The crashes of one database server this process noticed, and who to tell."""

    def __init__(self) -> None:
        self.count = 0
        self.mark: UUID | None = None
        self.listeners: list[Callable[[], None]] = []
        self._lock = threading.Lock()

    def on_restart(self, listener: Callable[[], None]) -> None:
        """Run ``listener`` (no arguments) after each crash noticed, before the connection that noticed it is
        used and before the count goes up."""
        self.listeners.append(listener)

    def seen(self, mark: UUID) -> bool:
        """Note that a connection found the server's mark ``mark``; True (the listeners run, then the count goes
        up) if it is not the one seen before. Other connections wait meanwhile, so none is handed out while a
        listener still has to run."""
        with self._lock:
            if self.mark == mark:
                return False
            restarted = self.mark is not None
            if restarted:
                for listener in self.listeners:
                    listener()
                self.count += 1
            self.mark = mark
            return restarted

    def check(self, conn: Any) -> None:
        """Read the mark of the server that ``conn`` (a psycopg connection, autocommit) reaches, and note it. A store
        without the mark's table (not migrated yet) or that cannot be written (a standby: no saves there either) is
        not watched."""
        with conn.cursor() as curs:
            try:
                curs.execute(MARK_SQL)
            except (errors.UndefinedTable, errors.ReadOnlySqlTransaction):
                return
            row = curs.fetchone()
        if row is not None:
            self.seen(row["token"] if isinstance(row, dict) else row[0])


def watch(pool: Any, restarts: ServerRestarts) -> bool:
    """Have each new connection of ``pool`` (a psycopg_pool ``ConnectionPool``) tell ``restarts`` the server's
    mark, after the pool's own ``configure``; False (and a warning logged) if this pool keeps its ``configure``
    otherwise."""
    if not hasattr(pool, "_configure"):
        log.warning("the event store's pool cannot be watched for server crashes: cached aggregates are not"
                    " emptied after one")
        return False
    configure = pool._configure
    if getattr(configure, "restarts", None) is restarts:
        return True

    def configure_and_check(conn: Any) -> None:
        if configure is not None:
            configure(conn)
        restarts.check(conn)

    configure_and_check.restarts = restarts  # type: ignore[attr-defined]
    pool._configure = configure_and_check
    return True
