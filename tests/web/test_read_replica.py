"""A read replica (``MARKETPLACE_READ_DATABASE_URL``): the web reads from it, and a user still sees their own writes.

No replica runs here. "The same server through the setting" points the read URL at the primary itself;
"a replica that lags" is a second database on the same server, migrated but never projected (its read
models stand at position 0), so whatever the web reads from it is visibly not the primary's.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
from litestar import Litestar
from litestar.testing import TestClient
from psycopg import sql

from marketplace.platform.database import DatabaseAddress
from marketplace.platform.services import build_services
from marketplace.platform.settings import Settings
from web.app import create_app
from web.replica import COOKIE, ReadRouter, reads_only

SIGN_UP = {"password": "secret-password-1", "display_name": "Ada", "organisation_kind": "enterprise"}


@pytest.fixture
def lagging_replica(pg_server: DatabaseAddress, tmp_path: Path) -> Iterator[DatabaseAddress]:
    """A database with the schema and no events: a replica that lags behind everything."""
    name = f"mkt_replica_{uuid.uuid4().hex[:12]}"
    admin = pg_server.with_dbname("postgres")
    with psycopg.connect(admin.conninfo(), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    address = pg_server.with_dbname(name)
    settings = Settings.from_env({"MARKETPLACE_DATA_DIR": str(tmp_path), "MARKETPLACE_DEMO_DATA": "0"})
    build_services(settings, address=address, ipc_scheme=None).close()
    yield address
    with psycopg.connect(admin.conninfo(), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@contextmanager
def signed_up(database: DatabaseAddress, read_url: str, tmp_path: Path, ipc_scheme: Any, email: str,
              organisation_name: str) -> Iterator[tuple[TestClient[Litestar], ReadRouter, dict[str, Any]]]:
    """The site reading from ``read_url``; a client that has just signed up (its answer) and the read router."""
    settings = Settings.from_env({"MARKETPLACE_DATA_DIR": str(tmp_path), "MARKETPLACE_DEMO_DATA": "0",
                                  "MARKETPLACE_READ_DATABASE_URL": read_url})
    services = build_services(settings, address=database, ipc_scheme=ipc_scheme)
    try:
        app = create_app(services, start_projections=True)
        with TestClient(app) as client:
            signed = client.post("/api/signup", json={**SIGN_UP, "email": email,
                                                      "organisation_name": organisation_name})
            assert signed.status_code == 201, signed.text
            router = app.state.web.pool
            assert isinstance(router, ReadRouter)
            yield client, router, signed.json()
    finally:
        services.close()


def organisation_names(client: TestClient[Litestar]) -> set[str]:
    answer = client.get("/api/organisations", params={"limit": 100})
    assert answer.status_code == 200, answer.text
    return {o["name"] for o in answer.json()["items"]}


def test_reads_go_to_a_lagging_replica_except_for_a_user_who_must_see_their_own_write(
        database: DatabaseAddress, lagging_replica: DatabaseAddress, tmp_path: Path, ipc_scheme: Any) -> None:
    with signed_up(database, lagging_replica.url(), tmp_path, ipc_scheme, "ada@replica.test",
                   "Replica Works") as (client, router, signed):
        # The answer carries the write's position: the writer's next requests, on any web worker, must see it.
        assert client.cookies.get(COOKIE) == str(signed["position"])
        # The replica has none of it, and the replica is behind: the writer reads from the primary.
        assert "Replica Works" in organisation_names(client)
        assert router.primary_reads > 0
        # Someone who wrote nothing reads from the replica (which lags: the organisation is not there yet).
        client.cookies.clear()
        replica_reads = router.replica_reads
        assert "Replica Works" not in organisation_names(client)
        assert router.replica_reads > replica_reads
        # A forged cookie from the future costs its bearer the short wait and a read from the primary, no more.
        client.cookies.set(COOKIE, "999999999999")
        assert "Replica Works" in organisation_names(client)
        client.cookies.set(COOKIE, "-1")
        assert "Replica Works" not in organisation_names(client)


def test_the_same_server_as_replica_serves_every_read_and_the_write_at_once(
        database: DatabaseAddress, tmp_path: Path, ipc_scheme: Any) -> None:
    with signed_up(database, database.url(), tmp_path, ipc_scheme, "bo@replica.test",
                   "Same Server") as (writer, router, _):
        primary_before = router.primary_reads
        assert "Same Server" in organisation_names(writer)
        assert router.primary_reads == primary_before  # the "replica" had the write: nothing fell back
        assert writer.get("/listings").status_code == 200


def test_only_statements_that_read_go_to_the_replica() -> None:
    assert reads_only("SELECT * FROM catalogue_listings WHERE id = $1")
    assert reads_only("  WITH x AS (SELECT 1) SELECT * FROM x")
    assert not reads_only("INSERT INTO web_sessions VALUES ($1) RETURNING 1")
    assert not reads_only("WITH moved AS (UPDATE throttle_buckets SET n = n - 1 RETURNING n) SELECT n FROM moved")
    assert not reads_only("SELECT * FROM offers WHERE id = $1 FOR UPDATE")
    assert not reads_only("SELECT pg_advisory_xact_lock(1)")
    assert not reads_only("DELETE FROM web_sessions WHERE expires_at < now()")
