"""Shared fixtures: a real PostgreSQL (configured URL or embedded), a fresh database per test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import msgspec
import psycopg
import pytest
from argon2 import profiles
from psycopg import sql

from marketplace.accounts.passwords import use_parameters
from marketplace.catalogue.ipc_scheme import default_ipc_scheme
from marketplace.platform.application import Marketplace
from marketplace.platform.database import DatabaseAddress, EmbeddedPostgres
from marketplace.platform.services import Services, build_services
from marketplace.platform.settings import DEFAULT_IPC_SCHEME, PROJECT_ROOT, Settings

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

pytest_plugins = ["tests.localstripe"]

# argon2id still, at its cheapest cost: the suite signs up and logs in hundreds of times.
use_parameters(profiles.CHEAPEST)


@pytest.fixture(scope="session")
def pg_server() -> DatabaseAddress:
    """The server tests run on: MARKETPLACE_TEST_DATABASE_URL, else an embedded PostgreSQL.

    The embedded server lives in ``var/test-postgres`` (not pytest's temporary directories, which
    a concurrent pytest run may clean away); each test gets its own database on it.
    """
    url = os.environ.get("MARKETPLACE_TEST_DATABASE_URL")
    if url:
        return DatabaseAddress.from_url(url)
    return EmbeddedPostgres(PROJECT_ROOT / "var" / "test-postgres").start()


@pytest.fixture
def database(pg_server: DatabaseAddress) -> Iterator[DatabaseAddress]:
    """A new, empty database for one test, dropped afterwards."""
    name = f"mkt_test_{uuid.uuid4().hex[:12]}"
    admin = pg_server.with_dbname("postgres")
    with psycopg.connect(admin.conninfo(), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield pg_server.with_dbname(name)
    with psycopg.connect(admin.conninfo(), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(scope="session")
def ipc_scheme():  # type: ignore[no-untyped-def]
    if not DEFAULT_IPC_SCHEME.exists():
        pytest.skip("shared data folder absent: the IPC scheme is needed")
    return default_ipc_scheme(DEFAULT_IPC_SCHEME)


@pytest.fixture
def services(database: DatabaseAddress, ipc_scheme, tmp_path: Path) -> Iterator[Services]:  # type: ignore[no-untyped-def]
    """Application, views and runner wired to a fresh database (projections not started)."""
    settings = Settings.from_env({"MARKETPLACE_DATA_DIR": str(tmp_path), "MARKETPLACE_DEMO_DATA": "0"})
    svc = build_services(settings, address=database, ipc_scheme=ipc_scheme)
    yield svc
    svc.close()


#: How long a web command waits for the read models in the tests that serve the app with projections running: on
#: a loaded CI machine they sometimes lag more than the 5 s a user waits, and a test then read a page (or set a row
#: back) before the read models had applied the command. A read model that is caught up ends the wait at once.
TEST_READ_WAIT_SECONDS = 60.0


def patient(services: Services) -> Services:
    """``services``, its web commands waiting up to ``TEST_READ_WAIT_SECONDS`` for the read models."""
    services.settings = msgspec.structs.replace(services.settings, read_wait_seconds=TEST_READ_WAIT_SECONDS)
    return services


@pytest.fixture
def memory_app(ipc_scheme) -> Marketplace:  # type: ignore[no-untyped-def]
    """The application on eventsourcing's in-memory (POPO) recorder: for command tests without SQL."""
    return Marketplace({"PERSISTENCE_MODULE": "eventsourcing.popo"}, ipc_scheme=ipc_scheme)
