"""Exactly once with several projection workers: a page is applied by one writer only, lease or no lease.

Each page's rows and tracking position commit in one transaction that first locks the tracking row and
checks it still stands where the writer read it (``PostgresReadModelView.claim``). These tests run
writers with no lease at all, so that nothing but that check keeps them from applying an event twice.
"""

from __future__ import annotations

import argparse
import threading
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest
from eventsourcing.persistence import Tracking

from marketplace.audit.rebuild_check import rebuild_check
from marketplace.notifications.outbox import OutboxSender
from marketplace.platform import cli
from marketplace.platform.deadlines import DeadlineWorker
from marketplace.platform.leases import (
    LEASE_CLASS,
    LeasedProjections,
    lease_connection,
    lease_groups,
    lease_holders,
    lease_key,
    worker_name,
)
from marketplace.platform.services import Services
from marketplace.platform.settings import DEFAULT_IPC_SCHEME, Settings
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
        # The first gives back what is beyond its share, the second takes it (one or more balances: at any moment
        # some may be free, none held twice).
        wait_for(lambda: set(lease_holders(conn, services.app.name, list(leases)).values()) == {"first:1", "second:2"}
                 and len(lease_holders(conn, services.app.name, list(leases))) == len(leases))
        wait_for(lambda: sorted(first.held + second.held) == sorted(leases))
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


def test_a_web_process_s_in_process_projections_take_leases_beside_a_projection_worker(services: Services) -> None:
    """``create_app(start_projections=True)`` in any number of processes (uvicorn factory workers): each runs only
    the read models whose lease it holds, and no duty (those stay with ``run-projections`` workers)."""
    from litestar.testing import TestClient

    from web.app import create_app

    scenario(services.app)
    leases = lease_groups(list(services.views))
    worker = LeasedProjections(conninfo=services.address.conninfo(), application_name=services.app.name,
                               view_names=list(services.views), make_runner=services.make_runner, name="worker:1")
    thread = threading.Thread(target=worker.run)
    thread.start()
    with psycopg.connect(services.address.conninfo(), autocommit=True) as conn:
        def holders() -> dict[str, str]:
            return lease_holders(conn, services.app.name, list(leases))

        wait_for(lambda: len(holders()) == len(leases))
        with TestClient(create_app(services, start_projections=True)):
            here = worker_name()  # this process: its in-process projections
            wait_for(lambda: len(holders()) == len(leases) and set(holders().values()) == {"worker:1", here})
            taken = holders()
            assert taken["deadlines"] == taken["mail"] == "worker:1"
            # Events recorded now are applied by whichever process holds each read model's lease, once.
            services.app.accounts.bootstrap_platform_admin(email="second@x.test", password="admin-password-2",
                                                           display_name="Second", organisation_name="Ops Two")
            head = services.recorder.max_notification_id()
            wait_for(lambda: {v.position(services.app.name) for v in services.views.values()} == {head})
            assert services.runner is not None
            services.runner.stop()  # returns once its runner has stopped and its leases are given back
            assert here not in holders().values()
            services.runner = None
        worker.stop()
        thread.join()
        assert holders() == {}
    assert rebuild_check(services).differences == []


@pytest.mark.parametrize("duty", ["deadlines", "mail"])
def test_a_duty_s_lease_is_given_back_only_once_its_pass_in_flight_has_ended(services: Services, duty: str) -> None:
    running, release = threading.Event(), threading.Event()

    def blocked_pass() -> None:  # a pass that takes longer than any wait for it
        running.set()
        release.wait()

    def make() -> Any:
        made = DeadlineWorker(services) if duty == "deadlines" else OutboxSender(
            services.recorder.datastore, smtp_url="smtp://127.0.0.1:9", sender="noreply@x.test",
            site_url="http://x.test", secret="s" * 32)
        made.run_once = blocked_pass  # type: ignore[method-assign]
        start = made.start

        def start_impatient() -> None:  # any wait for its thread with a time limit finds the limit passed
            start()
            thread = made._thread
            assert thread is not None
            join = thread.join
            thread.join = lambda timeout=None: join(None if timeout is None else 0)  # type: ignore[method-assign]

        made.start = start_impatient  # type: ignore[method-assign]
        return made

    worker = LeasedProjections(conninfo=services.address.conninfo(), application_name=services.app.name,
                               view_names=[], make_runner=services.make_runner, duties={duty: make}, name="duty:1")
    thread = threading.Thread(target=worker.run)
    thread.start()
    with psycopg.connect(services.address.conninfo(), autocommit=True) as conn:
        assert running.wait(20)
        assert lease_holders(conn, services.app.name, [duty]) == {duty: "duty:1"}
        worker.stop()
        thread.join(timeout=2)  # time for the worker to end, were it to give the lease back before the pass ended
        # The pass still runs: the lease is still this worker's, so no other process starts the duty meanwhile.
        assert lease_holders(conn, services.app.name, [duty]) == {duty: "duty:1"}
        release.set()
        thread.join()
        assert lease_holders(conn, services.app.name, [duty]) == {}


def rebuild_settings(services: Services, tmp_path: Path) -> Settings:
    return Settings.from_env({"MARKETPLACE_DATABASE_URL": services.address.url(), "MARKETPLACE_DEMO_DATA": "0",
                              "MARKETPLACE_DATA_DIR": str(tmp_path), "MARKETPLACE_IPC_SCHEME": str(DEFAULT_IPC_SCHEME)})


def test_a_rebuild_is_refused_while_a_projection_worker_holds_the_read_model(
        services: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scenario(services.app)
    services.make_runner().catch_up()
    digest = table_digest(services, "catalogue_status_history")
    position = services.views["accounts"].position(services.app.name)
    worker = LeasedProjections(conninfo=services.address.conninfo(), application_name=services.app.name,
                               view_names=list(services.views), make_runner=services.make_runner, name="busy:7")
    thread = threading.Thread(target=worker.run)
    thread.start()
    try:
        wait_for(lambda: len(worker.held) == len(lease_groups(list(services.views))))
        for name in ("catalogue", "accounts"):  # accounts: under the lease of the inbox, which reads it
            assert cli.cmd_rebuild(rebuild_settings(services, tmp_path), argparse.Namespace(name=name)) == 1
            said = " ".join(capsys.readouterr().err.split())
            assert f"read model {name} not rebuilt: projection worker busy:7 runs it" in said
            assert f"读模型 {name} 正由投影工作进程 busy:7 运行" in said
        assert table_digest(services, "catalogue_status_history") == digest
        assert services.views["accounts"].position(services.app.name) == position
    finally:
        worker.stop()
        thread.join()


def test_a_lease_connection_outlives_a_managed_server_s_idle_session_timeout(services: Services) -> None:
    # A managed PostgreSQL may end sessions idle for longer than idle_session_timeout (here 300 ms, as a role's or
    # database's default would set it): a lease connection idle through a rebuild must keep its leases.
    conninfo = psycopg.conninfo.make_conninfo(services.address.conninfo(), options="-c idle_session_timeout=300")
    with psycopg.connect(conninfo, autocommit=True) as plain, lease_connection(conninfo, "idle:1") as lease:
        lease.execute("SELECT pg_advisory_lock(%s, %s)", (LEASE_CLASS, lease_key(services.app.name, "catalogue")))
        time.sleep(3.0)  # ten times the timeout: a loaded server may end the idle session late
        with pytest.raises(psycopg.OperationalError):  # the server ended the plain session, as it would
            plain.execute("SELECT 1")
        assert lease.execute("SELECT 1").fetchone() == (1,)
        with psycopg.connect(services.address.conninfo(), autocommit=True) as conn:
            assert lease_holders(conn, services.app.name, ["catalogue"]) == {"catalogue": "idle:1"}


def test_a_rebuild_is_refused_while_another_rebuild_holds_the_lease_and_says_to_wait(
        services: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scenario(services.app)
    services.make_runner().catch_up()
    digest = table_digest(services, "catalogue_status_history")
    lease = next(lead for lead, names in lease_groups(list(services.views)).items() if "catalogue" in names)
    # Another `marketplace rebuild` on host "other", process 9, holds the catalogue's lease.
    with psycopg.connect(services.address.conninfo(), autocommit=True,
                         application_name=f"{cli.REBUILD_PREFIX}other:9") as other:
        other.execute("SELECT pg_advisory_lock(%s, %s)", (LEASE_CLASS, lease_key(services.app.name, lease)))
        assert cli.cmd_rebuild(rebuild_settings(services, tmp_path), argparse.Namespace(name="catalogue")) == 1
    said = " ".join(capsys.readouterr().err.split())
    assert f"read model catalogue not rebuilt: another rebuild (other:9) holds lease {lease}; wait for it" in said
    assert "读模型 catalogue 未重建：另一个重建命令（other:9）正持有租约" in said
    assert "projection worker" not in said  # nothing to stop: no worker runs it
    assert table_digest(services, "catalogue_status_history") == digest


def test_a_rebuild_holds_the_read_model_s_lease_so_no_worker_applies_to_it_meanwhile(
        services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scenario(services.app)
    services.make_runner().catch_up()
    digest = table_digest(services, "catalogue_status_history")
    seen: list[dict[str, str]] = []
    taken: list[bool] = []
    catch_up = cli.catch_up

    def watched(svc: Services, names: list[str] | None = None, label: str = "") -> tuple[int, float]:
        with psycopg.connect(services.address.conninfo(), autocommit=True) as conn:
            seen.append(lease_holders(conn, services.app.name, list(lease_groups(list(services.views)))))
            # A projection worker starting now does not get it.
            row = conn.execute("SELECT pg_try_advisory_lock(%s, %s)",
                               (LEASE_CLASS, lease_key(services.app.name, "notifications"))).fetchone()
            taken.append(bool(row and row[0]))
        return catch_up(svc, names, label)

    monkeypatch.setattr(cli, "catch_up", watched)
    assert cli.cmd_rebuild(rebuild_settings(services, tmp_path), argparse.Namespace(name="catalogue")) == 0
    # The catalogue's lease is the inbox's, which reads the catalogue's rows while applying.
    assert list(seen[0]) == ["notifications"]
    assert seen[0]["notifications"].startswith("marketplace-rebuild ")
    assert taken == [False]
    assert table_digest(services, "catalogue_status_history") == digest
    with psycopg.connect(services.address.conninfo(), autocommit=True) as conn:
        assert lease_holders(conn, services.app.name, ["notifications"]) == {}  # given back at the end
