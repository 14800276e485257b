"""Batching projection runner: catches up in pages, then tails the log by LISTEN/NOTIFY.

The library's ``ProjectionRunner`` commits one transaction per event (300-450 events/s measured
by ``benchmarks/bench_rebuild.py`` on this 2-core machine). This runner reads pages of up to
``page_size`` notifications, decodes them, and lets
the view write a whole page plus its tracking position in one transaction. When the log is
exhausted it waits for the event store's NOTIFY (sent by every insert) or a short timeout.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

from eventsourcing.persistence import IntegrityError, Tracking
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg import sql

from projections.base import PostgresReadModelView
from projections.records import decode

log = logging.getLogger(__name__)


class BatchProjectionRunner:
    """Keeps one or more views up to date with an application's notification log."""

    def __init__(
        self,
        *,
        application_name: str,
        recorder: PostgresApplicationRecorder,
        views: Sequence[PostgresReadModelView],
        page_size: int = 1000,
    ) -> None:
        self.application_name = application_name
        self.recorder = recorder
        self.views = list(views)
        self.page_size = page_size
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.error: BaseException | None = None

    # --- catch-up -------------------------------------------------------------------------
    def catch_up(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Process everything recorded so far; return the number of notifications read."""
        positions = {view.name: view.position(self.application_name) for view in self.views}
        start = min(positions.values())
        head = self.recorder.max_notification_id() or 0
        total = 0
        while not self._stop.is_set():
            page = self.recorder.select_notifications(
                start=start, limit=self.page_size, inclusive_of_start=False
            )
            if not page:
                break
            records = [decode(n) for n in page]
            last = page[-1].id
            tracking = Tracking(self.application_name, last)
            for view in self.views:
                done = positions[view.name]
                if done >= last:
                    continue
                todo = records if done < page[0].id else [r for r in records if r.position > done]
                try:
                    view.process(todo, tracking)
                except IntegrityError:
                    # Another runner (a second worker process) recorded this page, or part of it,
                    # first; its transaction holds those rows, ours rolled back. Carry on from
                    # where it is; a failure that is not such a race is raised, never skipped.
                    now = view.position(self.application_name)
                    if now < last:
                        view.process([r for r in records if r.position > now], tracking)
                positions[view.name] = last
            start = last
            total += len(page)
            if progress is not None:
                progress(last, head)
        return total

    # --- tailing --------------------------------------------------------------------------
    def run_forever(self, poll_timeout: float = 1.0) -> None:
        """Catch up, then follow new events until :meth:`stop` is called."""
        channel = self.recorder.channel_name
        with self.recorder.datastore.get_connection() as conn:
            conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
            while not self._stop.is_set():
                self.catch_up()
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

