"""A read replica (``MARKETPLACE_READ_DATABASE_URL``): the web reads from it, and a user still sees their own writes.

No replica runs here. "The same server through the setting" points the read URL at the primary itself;
"a replica that lags" is a second database on the same server, migrated but never projected (its read
models stand at position 0), so whatever the web reads from it is visibly not the primary's.
"""

from __future__ import annotations

import asyncio
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
from tests.conftest import patient
from web.app import create_app
from web.replica import COOKIE, ReadRouter, read_your_writes_middleware, reads_only
from web.throttle import LIMITS, Limit

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
        app = create_app(patient(services), start_projections=True)
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
        # A cookie that is not a position is ignored.
        client.cookies.set(COOKIE, "-1")
        assert "Replica Works" not in organisation_names(client)


def test_a_cookie_beyond_the_head_of_the_log_or_not_a_number_is_ignored_without_waiting(
        database: DatabaseAddress, lagging_replica: DatabaseAddress, tmp_path: Path, ipc_scheme: Any) -> None:
    with signed_up(database, lagging_replica.url(), tmp_path, ipc_scheme, "cy@replica.test",
                   "Forged Works") as (client, router, signed):
        router.patience = 30.0  # a request that waited for the replica would wait this long, polling it
        polls = PositionPolls(router)
        # A position far beyond the head (forged, or from a database since restored): the request reads from the
        # replica like any reader who wrote nothing, after one look at the replica's and one at the log's head.
        head = client.app.state.web.services.recorder.max_notification_id()
        for forged in ("999999999999", str(head + 1)):
            client.cookies.clear()
            client.cookies.set(COOKIE, forged)
            assert "Forged Works" not in organisation_names(client)
            assert polls.take() == 1
        # Digits Python reads as numbers but a position never is: ignored, not a failure of every request.
        for garbage in ("\u00b2", "1\u00b9", "12abc", ""):
            client.cookies.clear()
            answer = client.get("/api/organisations", headers={"cookie": f"{COOKIE}={garbage}".encode("latin-1")})
            assert answer.status_code == 200, answer.text
            assert polls.take() == 0
        # The writer's own, genuine position is still waited for (the replica never gets it: the primary answers).
        router.patience = 0.0
        client.cookies.clear()
        client.cookies.set(COOKIE, str(signed["position"]))
        assert "Forged Works" in organisation_names(client)


class PositionPolls:
    """Counts the router's looks at the replica's position (each one a poll of a request that waits)."""

    def __init__(self, router: ReadRouter) -> None:
        self.count = 0
        replica, query = router.replica, router.position_query

        class Counting:
            def __getattr__(self, name: str) -> Any:
                return getattr(replica, name)

            async def fetchval(inner, statement: str, *args: Any) -> Any:  # noqa: N805 - the pool's method
                if statement == query:
                    self.count += 1
                return await replica.fetchval(statement, *args)

        router.replica = Counting()  # type: ignore[assignment]

    def take(self) -> int:
        count, self.count = self.count, 0
        return count


def test_a_repeat_login_is_known_to_the_throttle_though_the_replica_lags(
        database: DatabaseAddress, lagging_replica: DatabaseAddress, tmp_path: Path, ipc_scheme: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    # One failed login per account from a new address; an address the account logged in from skips that bucket.
    monkeypatch.setitem(LIMITS, "login.account", Limit(1, 3600))
    with signed_up(database, lagging_replica.url(), tmp_path, ipc_scheme, "di@replica.test",
                   "Known Works") as (client, _, _):
        login = {"email": "di@replica.test", "password": SIGN_UP["password"]}
        assert client.post("/api/auth/token", json=login).status_code == 201
        client.cookies.clear()  # later, in another browser: nothing to wait for, reads may go to the replica
        for _ in range(3):  # mistyped passwords from the address it logged in from: not taken from the account
            wrong = client.post("/api/auth/token", json={**login, "password": "wrong-password-1"})
            assert wrong.status_code == 401, wrong.text
        assert client.post("/api/auth/token", json=login).status_code == 201


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


def test_every_read_of_a_request_that_may_write_goes_to_the_primary() -> None:
    """The checks a handler makes before a command (who may act, what stands now) must not read the past."""

    class Pool:
        def __init__(self) -> None:
            self.reads: list[str] = []

        async def fetchval(self, query: str, *args: Any) -> Any:
            self.reads.append(query)
            return 0

    primary, replica = Pool(), Pool()
    router = ReadRouter(primary, replica, "SELECT 0", "marketplace")  # type: ignore[arg-type]

    async def handler(scope: Any, receive: Any, send: Any) -> None:
        await router.fetchval("SELECT 1 FROM accounts_members WHERE user_id = $1", 1)
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    app = read_your_writes_middleware(secure=False)(handler)

    async def receive() -> Any:
        return {"type": "http.request", "body": b""}

    async def send(message: Any) -> None:
        pass

    for method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"):
        primary.reads.clear()
        replica.reads.clear()
        asyncio.run(app({"type": "http", "method": method, "headers": []}, receive, send))
        assert (primary.reads if method in ("POST", "PUT", "PATCH", "DELETE") else replica.reads) == [
            "SELECT 1 FROM accounts_members WHERE user_id = $1"], method
