"""Exactly once with several projection workers: a page is applied by one writer only, lease or no lease.

Each page's rows and tracking position commit in one transaction that first locks the tracking row and
checks it still stands where the writer read it (``PostgresReadModelView.claim``). These tests run
writers with no lease at all, so that nothing but that check keeps them from applying an event twice.
"""

from __future__ import annotations

import threading

import psycopg
import pytest
from eventsourcing.persistence import Tracking

from marketplace.audit.rebuild_check import rebuild_check
from marketplace.platform.leases import LEASE_CLASS, LeasedProjections, lease_groups, lease_holders, lease_key
from marketplace.platform.services import Services
from projections.runner import BatchProjectionRunner
from projections.shared.base import PositionMovedError
from projections.shared.records import decode
from tests.integration.test_projections import scenario, table_digest


def test_a_writer_whose_position_is_stale_applies_nothing(services: Services) -> None:
    scenario(services.app)
    view = services.views["catalogue"]
    records = [decode(n) for n in services.recorder.select_notifications(start=1, limit=1000)]
    half = len(records) // 2
    view.process(records[:half], Tracking("marketplace", records[half - 1].position), after=0)
    digest = table_digest(services, "catalogue_status_history")
    # A second writer read position 0 before the first committed; its longer page would pass the library's
    # "never backwards" check and apply the first half again. The claim refuses it as a whole.
    with pytest.raises(PositionMovedError):
        view.process(records, Tracking("marketplace", records[-1].position), after=0)
    assert table_digest(services, "catalogue_status_history") == digest
    assert view.position("marketplace") == records[half - 1].position
    view.process(records[half:], Tracking("marketplace", records[-1].position), after=records[half - 1].position)
    assert view.position("marketplace") == records[-1].position


def test_runners_without_leases_side_by_side_apply_each_event_once(services: Services) -> None:
    for round_ in range(3):
        scenario(services.app) if round_ == 0 else services.app.accounts.bootstrap_platform_admin(
            email=f"admin{round_}@x.test", password="admin-password-1", display_name=f"Admin {round_}",
            organisation_name=f"Ops {round_}")
    # Pages of different sizes, so that the two runners' pages end at different events.
    runners = [BatchProjectionRunner(application_name=services.app.name, recorder=services.recorder,
                                     views=list(services.views.values()), page_size=size) for size in (7, 11, 13)]
    barrier = threading.Barrier(len(runners))

    def run(runner: BatchProjectionRunner) -> None:
        barrier.wait()
        runner.catch_up()

    threads = [threading.Thread(target=run, args=(r,)) for r in runners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    head = services.recorder.max_notification_id()
    assert {view.position(services.app.name) for view in services.views.values()} == {head}
    report = rebuild_check(services)
    assert report.differences == []


def test_a_worker_takes_the_leases_of_one_that_ends_and_shares_them_with_one_that_joins(services: Services) -> None:
    scenario(services.app)

    def worker(name: str) -> LeasedProjections:
        return LeasedProjections(conninfo=services.address.conninfo(), application_name=services.app.name,
                                 view_names=list(services.views), make_runner=services.make_runner, name=name)

    leases = lease_groups(list(services.views))
    # The inbox runs with the read models it reads while applying; the duties have a lease each.
    assert leases["notifications"] == ["accounts", "catalogue", "demand", "notifications"]
    assert leases["deadlines"] == leases["mail"] == []
    first, second = worker("first:1"), worker("second:2")
    threads = [threading.Thread(target=w.run) for w in (first, second)]
    with psycopg.connect(services.address.conninfo(), autocommit=True) as conn:
        threads[0].start()
        wait_for(lambda: set(lease_holders(conn, services.app.name, list(leases)).values()) == {"first:1"}
                 and len(first.held) == len(leases))
        threads[1].start()
        wait_for(lambda: set(lease_holders(conn, services.app.name, list(leases)).values()) == {"first:1", "second:2"})
        assert sorted(first.held + second.held) == sorted(leases)
        # A lease is a lock held by one connection: no one else gets it while the holder lives.
        lease = second.held[0]
        assert not conn.execute("SELECT pg_try_advisory_lock(%s, %s)",
                                (LEASE_CLASS, lease_key(services.app.name, lease))).fetchone()[0]  # type: ignore[index]
        first.stop()
        threads[0].join()
        wait_for(lambda: sorted(second.held) == sorted(leases))
        assert set(lease_holders(conn, services.app.name, list(leases)).values()) == {"second:2"}
        head = services.recorder.max_notification_id()
        wait_for(lambda: {v.position(services.app.name) for v in services.views.values()} == {head})
        second.stop()
        threads[1].join()
        assert lease_holders(conn, services.app.name, list(leases)) == {}


def wait_for(check: object, timeout: float = 20) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, "not in time"
        time.sleep(0.05)


def test_a_worker_whose_lease_connection_ends_stops_applying_and_says_so(services: Services) -> None:
    scenario(services.app)
    worker = LeasedProjections(conninfo=services.address.conninfo(), application_name=services.app.name,
                               view_names=list(services.views), make_runner=services.make_runner, name="cut:3")
    failures: list[BaseException] = []

    def run() -> None:
        try:
            worker.run()
        except Exception as exc:  # what ends the process (systemd starts it again)
            failures.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    leases = lease_groups(list(services.views))
    wait_for(lambda: len(worker.held) == len(leases))
    with psycopg.connect(services.address.conninfo(), autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                     " WHERE application_name = 'marketplace-projections cut:3'")
        thread.join(timeout=20)
        assert not thread.is_alive()
        assert len(failures) == 1
        assert worker.held == []  # its runner stopped before the error went up
        assert lease_holders(conn, services.app.name, list(leases)) == {}
