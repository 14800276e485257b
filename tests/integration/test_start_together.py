"""Processes started at once (web workers beside projection workers) each set up the same database at start-up."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from pathlib import Path

import psycopg
import pytest

from domain.catalogue.ipc import IpcScheme
from marketplace.accounts.people import Accounts
from marketplace.platform import application
from marketplace.platform.database import DatabaseAddress
from marketplace.platform.migrate import discover, schema_lock
from marketplace.platform.services import Services, build_services
from marketplace.platform.settings import Settings
from marketplace.programmes.claims_process import TRACKING_TABLE

STARTERS = 4


def start_together(database: DatabaseAddress, ipc_scheme: IpcScheme, tmp_path: Path) -> list[BaseException]:
    """``STARTERS`` threads build the services on ``database`` at the same instant; the errors they met."""
    settings = Settings.from_env({"MARKETPLACE_DATA_DIR": str(tmp_path), "MARKETPLACE_DEMO_DATA": "0"})
    barrier = threading.Barrier(STARTERS)
    errors: list[BaseException] = []
    built: list[Services] = []

    def start() -> None:
        barrier.wait()
        try:
            built.append(build_services(settings, address=database, ipc_scheme=ipc_scheme))
        except BaseException as error:  # the test reports every starter's failure
            errors.append(error)

    threads = [threading.Thread(target=start) for _ in range(STARTERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    for services in built:
        services.close()
    assert not any(thread.is_alive() for thread in threads), "a starter still runs after 120 s"
    return errors


def test_workers_started_at_once_on_a_new_database_and_on_an_existing_one_all_start(
        database: DatabaseAddress, ipc_scheme: IpcScheme, tmp_path: Path) -> None:
    # A new database: every starter finds the schema missing. Then the same database again: every starter finds it
    # there and replaces the event store's function (``CREATE OR REPLACE FUNCTION``), which two sessions cannot do at
    # once ("tuple concurrently updated": how a second web worker died in CI on 2026-12-07).
    for _ in range(3):
        assert start_together(database, ipc_scheme, tmp_path) == []
    with psycopg.connect(database.conninfo()) as conn:
        versions = {row[0] for row in conn.execute("SELECT version FROM schema_versions")}
        # The claims process's tracking table too, made at start-up under the lock (not by its first worker).
        claims_tracking = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (TRACKING_TABLE,)).fetchone()
    assert versions == {migration.version for migration in discover()}
    assert claims_tracking == (True,)


def test_a_worker_starting_while_another_sets_up_the_schema_says_it_waits_and_starts_once_that_one_is_done(
        database: DatabaseAddress, ipc_scheme: IpcScheme, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    settings = Settings.from_env({"MARKETPLACE_DATA_DIR": str(tmp_path), "MARKETPLACE_DEMO_DATA": "0"})
    started: list[Services] = []
    caplog.set_level(logging.INFO, logger="marketplace.platform.migrate")
    with schema_lock(database.conninfo()):  # another process, busy with the schema
        starter = threading.Thread(target=lambda: started.append(
            build_services(settings, address=database, ipc_scheme=ipc_scheme)))
        starter.start()
        deadline = time.monotonic() + 60
        while "waiting for it" not in caplog.text:  # it says whom it waits for, then waits
            assert time.monotonic() < deadline, "the starter never said it waits"
            time.sleep(0.05)
        assert f"{socket.gethostname()[:40]}:{os.getpid()} is bringing the schema up to date" in caplog.text
        starter.join(1)
        assert starter.is_alive(), "it started without waiting for the schema"
        assert started == []
    starter.join(120)
    assert len(started) == 1
    started[0].close()


def _clients(conn: psycopg.Connection[tuple[object, ...]]) -> int:
    """Client connections to the test's own database but this one (autovacuum's workers not counted)."""
    row = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                       " AND backend_type = 'client backend' AND pid <> pg_backend_pid()").fetchone()
    return int(row[0]) if row else 0


def _no_client_left(database: DatabaseAddress, settings: Settings, ipc_scheme: IpcScheme, error: str) -> None:
    """A start-up fails with ``error``; afterwards no connection of it is left open."""
    with psycopg.connect(database.conninfo(), autocommit=True) as conn:
        with pytest.raises(RuntimeError, match=error):
            build_services(settings, address=database, ipc_scheme=ipc_scheme)
        deadline = time.monotonic() + 10
        while _clients(conn) > 0 and time.monotonic() < deadline:
            time.sleep(0.05)  # a closed connection's backend (the first start's too) ends a moment later
        assert _clients(conn) == 0


def test_a_start_up_that_fails_after_the_application_was_built_leaves_no_connection_open(
        database: DatabaseAddress, ipc_scheme: IpcScheme, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings.from_env({"MARKETPLACE_DATA_DIR": str(tmp_path), "MARKETPLACE_DEMO_DATA": "0"})
    build_services(settings, address=database, ipc_scheme=ipc_scheme).close()  # the schema in place

    def upgrade_fails(self: object) -> tuple[int, int]:
        raise RuntimeError("the accounts upgrade failed")

    monkeypatch.setattr(Accounts, "upgrade_old_accounts", upgrade_fails)
    _no_client_left(database, settings, ipc_scheme, "the accounts upgrade failed")


def test_an_application_whose_constructor_fails_after_opening_its_pool_leaves_no_connection_open(
        database: DatabaseAddress, ipc_scheme: IpcScheme, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The event store's pool is opened first (eventsourcing's ``Application``); a command group that then fails
    to build (here the packages') closes it again."""
    settings = Settings.from_env({"MARKETPLACE_DATA_DIR": str(tmp_path), "MARKETPLACE_DEMO_DATA": "0"})
    build_services(settings, address=database, ipc_scheme=ipc_scheme).close()  # the schema in place

    def packages_fail(app: object) -> None:
        raise RuntimeError("the packages could not be built")

    monkeypatch.setattr(application, "Packages", packages_fail)
    _no_client_left(database, settings, ipc_scheme, "the packages could not be built")
