"""Projection workers under leases: any number of ``run-projections`` processes, each read model run by one.

A lease is a PostgreSQL session advisory lock, held on the worker's own connection (``lease_connection``):
the server releases it the moment that connection ends, so a worker killed with ``kill -9`` (its
sockets closed by the kernel) frees its read models at once, and TCP keepalives end the connection of a
machine that vanished. Every second each worker counts the workers alive (their connections, named
``marketplace-projections <host>:<pid>``), takes free leases up to its fair share and gives back what
is beyond it, so a dead worker's read models are taken over within about a second and a worker that
joins gets its share.

Exactly once does not rest on the lease alone: each page's rows and tracking position commit in one
transaction that first locks the tracking row and checks that it still says where this worker thinks
it is (``PostgresReadModelView.claim``), so a page is applied by one writer only, even by a worker that
lost its lease without knowing it.

Leases: one per read model, except that ``notifications`` shares one with the read models it reads
while applying (it reads the rows they wrote for the same page); plus ``deadlines`` (the deadline
worker: expiring offers, closing lots, refunds) and ``mail`` (the outbox sender), each run by one
worker at a time.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import socket
import threading
import zlib
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import psycopg

from projections.runner import BatchProjectionRunner

log = logging.getLogger(__name__)

#: ``pg_try_advisory_lock(int, int)``'s first key: the marketplace's leases ("mktl").
LEASE_CLASS = 0x6D6B746C
#: How the workers' connections are named (``pg_stat_activity.application_name``).
WORKER_PREFIX = "marketplace-projections "
#: Read models that read others' rows while applying, and those they read: run together under one lease.
READS_ALONG: dict[str, tuple[str, ...]] = {"notifications": ("accounts", "catalogue", "demand")}
DUTIES = ("deadlines", "mail")


class Duty(Protocol):
    """A background task a single worker runs (the deadline worker, the outbox sender)."""

    def start(self) -> None: ...

    def stop(self) -> None:
        """Stop, returning only once the duty's thread has ended (its lease is given back after: never two
        processes running the duty at once)."""


def lease_groups(view_names: Sequence[str]) -> dict[str, list[str]]:
    """Lease name: the read models it covers (in ``view_names``' order), then the duties (no read model)."""
    together = {member: lead for lead, members in READS_ALONG.items() for member in members if lead in view_names}
    groups: dict[str, list[str]] = {}
    for name in view_names:
        groups.setdefault(together.get(name, name), []).append(name)
    ordered = {lead: [n for n in view_names if n in members] for lead, members in groups.items()}
    return ordered | {duty: [] for duty in DUTIES}


def lease_key(application_name: str, lease: str) -> int:
    """The advisory lock's second key for ``lease`` of ``application_name`` (a signed 32-bit integer)."""
    return zlib.crc32(f"{application_name}:{lease}".encode()) & 0x7FFFFFFF


def worker_name() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}"


def lease_connection(conninfo: str, name: str, prefix: str = WORKER_PREFIX) -> psycopg.Connection[Any]:
    """The connection that holds a worker's (or a rebuild's) leases: named ``prefix + name``, and ended by the server
    within about 15 s if the worker's machine vanishes without closing it (keepalives on both ends). A managed
    server's ``idle_session_timeout`` does not apply to it: it may sit idle for a whole rebuild, and ending it would
    give its leases away while the worker still runs."""
    conn = psycopg.connect(conninfo, autocommit=True, application_name=(prefix + name)[:63],
                           keepalives=1, keepalives_idle=5, keepalives_interval=2, keepalives_count=3)
    conn.execute("SET tcp_keepalives_idle = 5")
    conn.execute("SET tcp_keepalives_interval = 2")
    conn.execute("SET tcp_keepalives_count = 3")
    if conn.info.server_version >= 140000:  # the setting came with PostgreSQL 14
        conn.execute("SET idle_session_timeout = 0")
    return conn


def lease_holders(conn: psycopg.Connection[Any], application_name: str, leases: Sequence[str]) -> dict[str, str]:
    """Which worker (``host:pid``) holds each lease now, read from ``pg_locks`` (a lease held by no one: absent)."""
    keys = {lease_key(application_name, lease): lease for lease in leases}
    rows = conn.execute(
        "SELECT l.objid::bigint, a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
        " WHERE l.locktype = 'advisory' AND l.granted AND l.classid::bigint = %s AND l.objsubid = 2"
        " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())",
        (LEASE_CLASS,),
    ).fetchall()
    return {keys[objid]: str(app).removeprefix(WORKER_PREFIX) for objid, app in rows if objid in keys}


class LeasedProjections:
    """One worker: holds a fair share of the leases, runs their read models in one runner thread and their duties.

    ``make_runner(names)`` builds the runner of the read models ``names``; ``duties`` builds each duty
    the worker may run (a missing one, e.g. ``mail`` without SMTP, is still leased so that no other
    worker's share counts it twice). :meth:`run` returns when :meth:`stop` is called; it raises if the
    lease connection is lost (the process should then exit, and be restarted: its leases are gone).

    ``run_duties=False`` (a web process's in-process projections, ``Services.start_projections``): the worker
    takes read models' leases only, never a duty's; its share is still counted over every lease, so that
    the workers together have room for all of them, and a worker that runs duties takes theirs first.
    """

    def __init__(self, *, conninfo: str, application_name: str, view_names: Sequence[str],
                 make_runner: Callable[[list[str]], BatchProjectionRunner],
                 duties: dict[str, Callable[[], Duty | None]] | None = None,
                 interval: float = 1.0, name: str | None = None, run_duties: bool = True) -> None:
        self.conninfo = conninfo
        self.application_name = application_name
        self.groups = lease_groups(view_names)
        #: The leases this worker may take, in the order it takes them: duties first (a duty has no other taker
        #: among the workers that run no duties), then the read models.
        self.takeable = ([lease for lease in self.groups if lease in DUTIES] if run_duties else []) \
            + [lease for lease in self.groups if lease not in DUTIES]
        self.view_order = list(view_names)
        self.make_runner = make_runner
        self.duty_factories = duties or {}
        self.interval = interval
        self.name = name or worker_name()
        self.held: list[str] = []
        self._runner: BatchProjectionRunner | None = None
        self._runner_thread: threading.Thread | None = None
        self._duties: dict[str, Duty] = {}
        self._stop = threading.Event()
        self._conn: psycopg.Connection[Any] | None = None
        self._thread: threading.Thread | None = None

    # --- in a thread of its own (a web process's in-process projections) ---------------------------
    def start(self) -> None:
        """:meth:`run_forever` in a daemon thread, until :meth:`stop`."""
        self._thread = threading.Thread(target=self.run_forever, name="leases", daemon=True)
        self._thread.start()

    # --- the loop -------------------------------------------------------------------------------
    def run_forever(self, retry_after: float = 2.0) -> None:
        """:meth:`run` again after ``retry_after`` seconds whenever the lease connection is lost (``serve``)."""
        while not self._stop.is_set():
            try:
                self.run()
            except Exception:
                log.exception("projection worker %s lost its leases; taking them again in %.0f s", self.name,
                              retry_after)
                self._stop.wait(retry_after)

    def run(self) -> None:
        self._conn = lease_connection(self.conninfo, self.name)
        try:
            while not self._stop.is_set():
                self.balance()
                self._stop.wait(self.interval)
        finally:
            self._stop_runner()
            self._stop_duties(list(self._duties))
            self.held = []
            # At once, not when the server notices the closed connection: a successor need not wait. A
            # connection already gone took its leases with it.
            with contextlib.suppress(psycopg.Error):
                self._conn.execute("SELECT pg_advisory_unlock_all()")
            self._conn.close()  # the server releases every lease with the connection

    def stop(self) -> None:
        """Stop; when started with :meth:`start`, return once its runner and duties have stopped and its leases
        are given back."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()

    def balance(self) -> None:
        """Take free leases up to this worker's share; give back what is beyond it (a worker joined)."""
        conn = self._conn
        assert conn is not None
        workers = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND application_name LIKE %s", (WORKER_PREFIX + "%",)).fetchone()
        share = math.ceil(len(self.groups) / max(1, int(workers[0]) if workers else 1))
        taken: list[str] = []
        given: list[str] = []
        if len(self.held) > share:
            given = self.held[share:]
        else:
            for lease in self.takeable:
                if len(self.held) + len(taken) >= share:
                    break
                if lease not in self.held and self._try_lock(lease):
                    taken.append(lease)
        if taken or given:
            self._change(taken, given)
        elif self._runner_thread is not None and not self._runner_thread.is_alive():
            raise RuntimeError("the projection runner thread ended") from self._runner_error()

    def _runner_error(self) -> BaseException | None:
        return self._runner.error if self._runner is not None else None

    def _try_lock(self, lease: str) -> bool:
        assert self._conn is not None
        row = self._conn.execute("SELECT pg_try_advisory_lock(%s, %s)",
                                 (LEASE_CLASS, lease_key(self.application_name, lease))).fetchone()
        return bool(row and row[0])

    def _unlock(self, lease: str) -> None:
        assert self._conn is not None
        self._conn.execute("SELECT pg_advisory_unlock(%s, %s)", (LEASE_CLASS, lease_key(self.application_name, lease)))

    def _change(self, taken: list[str], given: list[str]) -> None:
        views_before = self._views(self.held)
        held = [lease for lease in self.held if lease not in given] + taken
        views_after = self._views(held)
        if views_after != views_before:
            self._stop_runner()  # before any lease goes: no page of a given-back read model is in flight
        self._stop_duties([d for d in given if d in self._duties])
        for lease in given:
            self._unlock(lease)
        self.held = held
        if views_after != views_before and views_after:
            self._runner = self.make_runner(views_after)
            self._runner_thread = threading.Thread(target=self._runner.run_forever, kwargs={"poll_timeout": 0.5},
                                                   name="projections", daemon=True)
            self._runner_thread.start()
        for duty in taken:
            factory = self.duty_factories.get(duty)
            started = factory() if factory is not None else None
            if started is not None:
                started.start()
                self._duties[duty] = started
        log.info("worker %s holds %d lease(s): %s (took %s, gave back %s)", self.name, len(held),
                 ", ".join(held) or "none", ", ".join(taken) or "none", ", ".join(given) or "none")

    def _views(self, leases: Sequence[str]) -> list[str]:
        names = {name for lease in leases for name in self.groups.get(lease, [])}
        return [name for name in self.view_order if name in names]

    def _stop_runner(self) -> None:
        if self._runner is not None:
            self._runner.stop()
            if self._runner_thread is not None:
                self._runner_thread.join()  # the page in flight commits or rolls back before its lease goes
        self._runner = None
        self._runner_thread = None

    def _stop_duties(self, names: list[str]) -> None:
        for name in names:
            duty = self._duties.pop(name, None)
            if duty is not None:
                duty.stop()
