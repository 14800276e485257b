"""Batching projection runner: catches up in pages, then tails the log by LISTEN/NOTIFY.

The library's ``ProjectionRunner`` commits one transaction per event (300-450 events/s measured
by ``benchmarks/bench_rebuild.py`` on this 2-core machine). This runner reads pages of up to
``page_size`` notifications, decodes them, and lets
the view write a whole page plus its tracking position in one transaction. When the log is
exhausted it waits for the event store's NOTIFY (sent by every insert) or a short timeout.

A read model that cannot apply an event stops just before it, alone: its page rolls back, the
runner applies the events before the culprit (found by halving the page), logs and records the
failure (``projections.shared.health``) and goes on with the other read models. The stopped one is tried
again after a growing delay, at once by a new runner (a fix deployed, a restart) or when
``marketplace status --retry`` asks, and resumes by itself once it applies that event. Only a
database that cannot be reached interrupts a catch-up; :meth:`run_forever` then tries again.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg import sql

from projections.shared.base import FoldingView, PositionMovedError, PostgresReadModelView
from projections.shared.health import ReadModelHealth, ViewFailure, error_text
from projections.shared.records import EventRecord, StoredNotification, decode

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoppedView:
    """A read model stopped at an event, and when the runner tries it again (``time.monotonic()``)."""

    failure: ViewFailure
    attempts: int
    retry_at: float


def read_page(page: Sequence[StoredNotification]) -> tuple[list[EventRecord], dict[int, str]]:
    """The page decoded; an event that cannot be decoded gets empty data and its error by position."""
    records: list[EventRecord] = []
    unreadable: dict[int, str] = {}
    for notification in page:
        try:
            records.append(decode(notification))
        except Exception as exc:  # stored bytes no read model can use; whoever follows them stops
            unreadable[notification.id] = f"the stored event cannot be decoded: {error_text(exc)}"
            records.append(EventRecord(notification.id, str(notification.originator_id),
                                       notification.originator_version, notification.topic, "", {},
                                       notification.state))
    return records, unreadable


#: A page as read: the stored notifications, their records, the unreadable ones, what views prepared.
Page = tuple[Sequence[StoredNotification], list[EventRecord], dict[int, str], dict[str, Any]]


@contextmanager
def fewer_collections(wanted: bool) -> Iterator[None]:
    """Run the cyclic garbage collector less often while a long backlog is caught up.

    Every page allocates thousands of dicts (decoded events, rows), freed by reference counting;
    at the default threshold the collector still walks the young objects every 700 allocations,
    a fifth of a rebuild's Python time (40,300 events: 2.48 s of CPU, 2.00 s with this). The
    thresholds are the process's: they are restored when the catch-up ends.
    """
    if not wanted:
        yield
        return
    with _collections_lock:  # runners of one process (a rebuild check beside the live one) may overlap
        if not _collections_held:
            _collections_saved[:] = gc.get_threshold()
            gc.set_threshold(50_000, 50, 100)
        _collections_held.append(None)
    try:
        yield
    finally:
        with _collections_lock:
            _collections_held.pop()
            if not _collections_held:
                gc.set_threshold(*_collections_saved)


class FoldAhead:
    """A folding view's pages in a bulk catch-up: each page's writes go to the server from a thread of their own
    while the runner folds the next page (``FoldingView``), which reads the rows the page in flight touched from
    its ``carry``. One page is in flight at a time: a fold reads from the tables only what is committed."""

    def __init__(self, view: FoldingView[Any, Any]) -> None:
        self.view = view
        self.writer = ThreadPoolExecutor(1, thread_name_prefix=f"projection-writes-{view.name}")
        self.carry: Any = None
        self.in_flight: Future[None] | None = None
        self.in_flight_to = 0  # the position the page in flight moves the view to
        self.committed: int | None = None  # the view's position as this catch-up last knew it committed
        self.written = False  # a page of this catch-up was written
        self.failed = False  # a page failed to be folded or written: nothing more is sent

    def fold(self, records: list[EventRecord], application_name: str, after: int, prepared: Any) -> bool:
        """Fold ``records`` (they follow position ``after``), wait for the page in flight, then send these
        records' writes; False (nothing sent, nor ever again) if the fold or the page in flight failed."""
        if self.failed:
            return False
        if self.committed is None:
            self.committed = after
        try:
            folded = self.view.fold_page(records, self.carry, prepared)
        except Exception:  # the ordinary path applies the page again and finds the event it cannot take
            log.warning("read model %s cannot fold the page after position %d: it goes on page by page",
                        self.view.name, after, exc_info=log.isEnabledFor(logging.DEBUG))
            self.wait()
            self.failed = True
            return False
        if not self.wait():
            return False
        writes = None
        if folded is not None:
            writes, self.carry = folded
        tracking = Tracking(application_name, records[-1].position)
        self.in_flight = self.writer.submit(self.view.write_page, writes, tracking, after)
        self.in_flight_to = tracking.notification_id
        return True

    def wait(self) -> bool:
        """Wait for the page in flight; False if it or an earlier one failed (nothing of it was written)."""
        in_flight, self.in_flight = self.in_flight, None
        if in_flight is not None:
            try:
                in_flight.result()
            except Exception:
                log.warning("read model %s could not write the page up to position %d folded ahead: it goes on"
                            " page by page", self.view.name, self.in_flight_to,
                            exc_info=log.isEnabledFor(logging.DEBUG))
                self.failed = True
            else:
                self.written = True
                self.committed = self.in_flight_to
        return not self.failed

    def close(self) -> None:
        try:
            self.wait()
        finally:
            self.writer.shutdown(wait=True)


_collections_lock = threading.Lock()
_collections_held: list[None] = []  # one entry per catch-up running with fewer collections
_collections_saved: list[int] = []  # the thresholds before the first of them


class BatchProjectionRunner:
    """Keeps one or more views up to date with an application's notification log."""

    def __init__(
        self,
        *,
        application_name: str,
        recorder: PostgresApplicationRecorder,
        views: Sequence[PostgresReadModelView],
        page_size: int = 1000,
        health: ReadModelHealth | None = None,
        retry_first: float = 1.0,
        retry_max: float = 300.0,
        bulk_after: int = 10_000,
        bulk_page_size: int = 10_000,
    ) -> None:
        self.application_name = application_name
        self.recorder = recorder
        self.views = list(views)
        self.page_size = page_size
        self.health = health
        self.retry_first = retry_first
        self.retry_max = retry_max
        #: Read models further behind the head than ``bulk_after`` events (a rebuild, the catch-up after an
        #: import) are caught up in pages of ``bulk_page_size``, each read and decoded in a second thread
        #: while the read models write the one before; see :meth:`_catch_up`.
        self.bulk_after = bulk_after
        self.bulk_page_size = max(bulk_page_size, page_size)
        self.stopped: dict[str, StoppedView] = {}
        #: Pages a folding view folded while the page before was written (bulk), and times one went back to the
        #: ordinary path (its fold or write failed, or its page held an event it follows that cannot be decoded).
        self.folded_ahead = 0
        self.fallbacks = 0
        self._recorded: set[str] = set()  # views with a row in read_model_health, cleared once they apply
        self._first_pass = True
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.error: BaseException | None = None

    # --- catch-up -------------------------------------------------------------------------
    def catch_up(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Process everything recorded so far; return the number of notifications read.

        A read model that cannot apply an event stops before it (see the module's docstring);
        the others go on. Only the database's own failures (unreachable) are raised.
        """
        views = self._views_due()
        positions = {view.name: view.position(self.application_name) for view in views}
        head = self.recorder.max_notification_id() or 0
        backlog = head - min(positions.values(), default=head)
        with fewer_collections(backlog > 10 * self.page_size):
            return self._catch_up(views, positions, head, progress)

    def _catch_up(self, views: list[PostgresReadModelView], positions: dict[str, int], head: int,
                  progress: Callable[[int, int], None] | None) -> int:
        """Read pages from the lowest position of ``views`` and let each view apply what it has not.

        A long backlog (the lowest position more than ``bulk_after`` behind the head) is read in pages of
        ``bulk_page_size``: a view folds a large page to its final rows and writes each row once. Meanwhile a
        second thread reads, decodes and prepares the next page (``PostgresReadModelView.prepare``), so Python
        decodes while the server writes. Each page is applied as on the live path (its tracking row claimed,
        a failing event found by halving): the thread only reads. A failure of that read is raised here, where
        the page is taken, as a read of this thread's own would be; the thread ends with the catch-up, however
        it ends. The live path (a short backlog) is unchanged.
        """
        total = counted = 0  # notifications read, each counted once (a page read again is not), and the last
        reader: ThreadPoolExecutor | None = None
        ahead: tuple[int, int, Future[Page]] | None = None  # (start, limit, the page being read)
        bulk = False  # once in bulk, the catch-up stays in bulk to its end (the page read ahead is the next)
        folding: dict[str, FoldAhead] = {}  # in bulk: the folding views whose pages are written in their own thread
        try:
            while views and not self._stop.is_set():
                start = min(positions[view.name] for view in views)
                if not bulk and head - start > self.bulk_after:
                    bulk = True
                    folding = {v.name: FoldAhead(v) for v in views if isinstance(v, FoldingView)}
                limit = self.bulk_page_size if bulk else self.page_size
                if ahead is not None and ahead[:2] == (start, limit):
                    page, records, unreadable, prepared = ahead[2].result()
                else:
                    page, records, unreadable, prepared = self._read(start, limit, views if bulk else [])
                ahead = None
                if not page:
                    if self._landed(folding, positions):
                        break
                    continue  # a page written ahead failed: its view applies it again the ordinary way
                last = page[-1].id
                if bulk and last < head:
                    reader = reader or ThreadPoolExecutor(1, thread_name_prefix="projection-pages")
                    ahead = (last, limit, reader.submit(self._read, last, limit, list(views)))
                for view in list(views):
                    done = positions[view.name]
                    if done >= last:
                        continue
                    todo = records if done < page[0].id else [r for r in records if r.position > done]
                    if not self._take(view, todo, unreadable, done, prepared.get(view.name), folding, positions):
                        views.remove(view)
                total += len(page) if page[0].id > counted else sum(n.id > counted for n in page)
                counted = max(counted, last)
                if progress is not None:  # never backwards: a page read again after a fallback was reported once
                    progress(counted, head)
        finally:  # a page read ahead and not taken (stopped, failed, views all stopped) is dropped
            if reader is not None:
                reader.shutdown(wait=True, cancel_futures=True)
            self._land_all(folding, positions)
        for view in views:  # a record left by a run that applied the event but stopped before clearing it
            if view.name in self._recorded and positions[view.name] >= head:
                self._applied(view.name)
        return total

    def _take(self, view: PostgresReadModelView, records: list[EventRecord], unreadable: dict[int, str], after: int,
              prepared: Any, folding: dict[str, FoldAhead], positions: dict[str, int]) -> bool:
        """Let ``view`` apply ``records`` (they follow position ``after``), folded while the page before is written
        if it is in ``folding``; False if it stopped at an event it cannot apply. A folding view whose fold or
        write fails, or whose page holds an event that cannot be decoded, goes on the ordinary way (its page in
        flight landed first); if that page failed, from the position it has, read again."""
        folded = folding.get(view.name)
        if folded is not None:
            if not any(r.position in unreadable and view.follows(r.topic) for r in records) and folded.fold(
                    records, self.application_name, after, prepared):
                self.folded_ahead += 1
                positions[view.name] = records[-1].position  # folded; written once the page in flight is
                if folded.written:
                    self._applied(view.name)
                return True
            self.fallbacks += 1
            try:
                if not self._landed({view.name: folding.pop(view.name)}, positions):
                    return True
            finally:
                folded.close()
        stopped = self._apply(view, records, unreadable, after=after, prepared=prepared)
        if stopped is not None:
            self._stopped_at(*stopped)
            return False
        positions[view.name] = records[-1].position
        self._applied(view.name)
        return True

    def _land_all(self, folding: dict[str, FoldAhead], positions: dict[str, int]) -> None:
        """At the end of a catch-up, however it ends: the pages in flight landed (or their views' positions read
        again), and the writing threads ended."""
        try:
            self._landed(folding, positions)
        finally:
            for folded in folding.values():
                folded.close()

    def _landed(self, folding: dict[str, FoldAhead], positions: dict[str, int]) -> bool:
        """Wait for the pages of ``folding`` in flight; True if all were written. A view whose page failed
        goes on the ordinary way from the position it has (read again), with no page written ahead."""
        landed = True
        for name, folded in list(folding.items()):
            if folded.wait():
                if folded.written:
                    self._applied(name)
                continue
            landed = False
            folded.close()
            del folding[name]
            moved = folded.view.position(self.application_name)
            if folded.committed is not None and moved < folded.committed:  # reset meanwhile, as ``_apply`` says
                raise PositionMovedError(f"{name}: position {moved}, below {folded.committed}: reset meanwhile")
            positions[name] = moved
        return landed

    def _read(self, start: int, limit: int, views: Sequence[PostgresReadModelView]) -> Page:
        """A page, decoded, and what ``views`` prepare for it (``PostgresReadModelView.prepare``)."""
        page = self.recorder.select_notifications(start=start, limit=limit, inclusive_of_start=False)
        records, unreadable = read_page(page)
        prepared: dict[str, Any] = {}
        for view in views:
            try:
                ready = view.prepare(records)
            except Exception:  # the view's apply meets the event it cannot take, and stops before it
                log.debug("read model %s cannot prepare the page after %d", view.name, start, exc_info=True)
                continue
            if ready is not None:
                prepared[view.name] = ready
        return page, records, unreadable, prepared

    def _views_due(self) -> list[PostgresReadModelView]:
        """The views to run now: all on a runner's first pass, else those not stopped or due a retry."""
        if self._first_pass:
            self._first_pass = False
            if self.health is not None:
                self._recorded = set(self.health.stopped())
            return list(self.views)
        if not self.stopped:
            return list(self.views)
        now = time.monotonic()
        # Another process may have asked for a retry (``marketplace status --retry``) or fixed the view.
        recorded = self.health.stopped() if self.health is not None else None

        def due(view: PostgresReadModelView) -> bool:
            stopped = self.stopped.get(view.name)
            return (stopped is None or stopped.retry_at <= now
                    or (recorded is not None and recorded.get(view.name, True)))

        return [view for view in self.views if due(view)]

    def _apply(self, view: PostgresReadModelView, records: list[EventRecord], unreadable: dict[int, str],
               after: int | None = None, prepared: Any = None) -> tuple[ViewFailure, BaseException | None] | None:
        """Apply ``records`` (they follow position ``after``); if one cannot be, apply those before it and
        return why it cannot. A position moved by another worker meanwhile is read again, never overwritten."""
        culprit = next((r for r in records if r.position in unreadable and view.follows(r.topic)), None)
        if culprit is not None:
            records = [r for r in records if r.position < culprit.position]
        pending, size = records, len(records)
        while pending:
            chunk = pending[:size]
            try:
                view.process(chunk, Tracking(self.application_name, chunk[-1].position), after=after,
                             prepared=prepared)
            except PositionMovedError:  # another worker applied some of these: go on after its position
                moved = view.position(self.application_name)
                if after is not None and moved < after:
                    raise  # reset meanwhile (a rebuild): the next catch-up starts again from the new position
                after = moved
                pending = [r for r in pending if r.position > after]
                continue
            except Exception as exc:  # the view's own failure; the database's is raised below
                done = view.position(self.application_name)  # raises if the database cannot be reached
                pending = [r for r in pending if r.position > done]
                after = done
                if done >= chunk[-1].position:
                    continue  # another runner (a second process) applied this chunk first
                if len(chunk) == 1:
                    return ViewFailure(view.name, chunk[0].position, chunk[0].topic, error_text(exc)), exc
                size = len(chunk) // 2  # halve the chunk until the one event the view cannot apply is found
                continue
            after = chunk[-1].position
            pending = pending[len(chunk):]
        if culprit is not None:
            return ViewFailure(view.name, culprit.position, culprit.topic, unreadable[culprit.position]), None
        return None

    def _stopped_at(self, failure: ViewFailure, exc: BaseException | None) -> None:
        before = self.stopped.get(failure.view)
        attempts = before.attempts + 1 if before is not None and before.failure.position == failure.position else 1
        delay = min(self.retry_first * 2 ** (attempts - 1), self.retry_max)
        self.stopped[failure.view] = StoppedView(failure, attempts, time.monotonic() + delay)
        message = "read model %s stopped before position %d (%s), tried %d time(s); next try in %.0f s: %s"
        args = (failure.view, failure.position, failure.topic, attempts, delay, failure.error)
        if attempts == 1:
            log.error(message, *args, exc_info=exc)
        else:
            log.warning(message, *args)
        if self.health is not None:
            self.health.record_failure(failure, delay)
            self._recorded.add(failure.view)

    def _applied(self, name: str) -> None:
        stopped = self.stopped.pop(name, None)
        if stopped is not None:
            log.warning("read model %s applied position %d and goes on", name, stopped.failure.position)
        if name in self._recorded and self.health is not None:
            self.health.clear(name)
            self._recorded.discard(name)

    # --- tailing --------------------------------------------------------------------------
    def run_forever(self, poll_timeout: float = 1.0) -> None:
        """Catch up, then follow new events until :meth:`stop` is called; outlast database outages."""
        delay = 1.0
        self.error = None
        while not self._stop.is_set():
            try:
                self._follow(poll_timeout)
            except Exception as exc:  # the database went away: wait, then follow again
                # ``error`` is cleared by every catch-up that succeeds: a new outage starts at 1 s again.
                delay = 1.0 if self.error is None else min(delay * 2, 60.0)
                self.error = exc
                log.error("projection runner interrupted (%s); trying again in %.0f s", error_text(exc), delay)
                self._stop.wait(delay)

    def _follow(self, poll_timeout: float) -> None:
        channel = self.recorder.channel_name
        with self.recorder.datastore.get_connection() as conn:
            conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
            while not self._stop.is_set():
                self.catch_up()
                self.error = None
                for _ in conn.notifies(timeout=poll_timeout, stop_after=1):
                    pass

    def start(self) -> None:
        """Run in a daemon thread (the zero-config ``serve`` runs projections in-process)."""

        def target() -> None:
            try:
                self.run_forever(poll_timeout=0.5)
            except BaseException as exc:  # pragma: no cover - reported by the owner
                self.error = exc
                log.exception("projection runner stopped")

        self._thread = threading.Thread(target=target, name="projections", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
