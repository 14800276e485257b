"""Noticing that the event store's database server restarted, for what a process keeps of it in memory.

A save's events can be read by other processes a moment before they are on disk (migration 0053): if the server
crashed in that moment, it comes back without them, and another save may later take their versions. A process that
had read them into its aggregate cache (``aggregate_cache``) would otherwise go on deciding on them, and fast-forward
them with events that followed something else. So each new connection of the event store's pool (after a crash every
connection is new) reads when the server started; when that differs from what the process saw before, the count of
restarts goes up and the listeners run (the cache is emptied), before the connection is used. A command notes the
count when it starts reading (``MarketplaceBase.actor``) and its save is refused if the count moved meanwhile
(``PersonalDataRecorder``): what it decided on may be gone.

psycopg_pool calls a pool's ``configure`` function on each connection it opens, before handing it out; this wraps
that function. A pool that keeps it elsewhere (a later psycopg_pool) is left as it is, and restarts go unnoticed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

#: When the server this connection reaches started (a different value after any restart, a crash's included).
STARTED_SQL = "SELECT pg_postmaster_start_time() AS started"


class ServerRestarts:
    """The restarts of one database server this process noticed, and who to tell."""

    def __init__(self) -> None:
        self.count = 0
        self.started: datetime | None = None
        self.listeners: list[Callable[[], None]] = []
        self._lock = threading.Lock()

    def on_restart(self, listener: Callable[[], None]) -> None:
        """Run ``listener`` (no arguments) after each restart noticed, before the connection that noticed it is
        used."""
        self.listeners.append(listener)

    def seen(self, started: datetime) -> bool:
        """Note that a connection found the server started at ``started``; True (and the listeners run) if it
        restarted since the last connection."""
        with self._lock:
            if self.started == started:
                return False
            restarted = self.started is not None
            self.started = started
            if restarted:
                self.count += 1
        if restarted:
            for listener in self.listeners:
                listener()
        return restarted

    def check(self, conn: Any) -> None:
        """Read when the server that ``conn`` (a psycopg connection, autocommit) reaches started, and note it."""
        with conn.cursor() as curs:
            curs.execute(STARTED_SQL)
            row = curs.fetchone()
        if row is not None:
            self.seen(row["started"] if isinstance(row, dict) else row[0])


def watch(pool: Any, restarts: ServerRestarts) -> bool:
    """Have each new connection of ``pool`` (a psycopg_pool ``ConnectionPool``) tell ``restarts`` when its server
    started, after the pool's own ``configure``; False if this pool keeps its ``configure`` otherwise."""
    if not hasattr(pool, "_configure"):
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
