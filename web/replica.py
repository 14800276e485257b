"""An optional read-only replica for the web's queries (``MARKETPLACE_READ_DATABASE_URL``), read-your-writes kept.

:class:`ReadRouter` stands in for the web's asyncpg pool: a statement that only reads goes to the replica,
anything else (and every transaction: ``acquire``) to the primary. Sessions, bearer-token checks, the login
throttle and the login's check that the user is known, and the wait for the read models after a command use
the primary directly (``WebState.primary``). Every read of a request that may write (any method but GET,
HEAD and OPTIONS) goes to the primary too: the checks a handler makes before a command (who may act, what
stands now) must not see the past.

A user must still see their own writes. After a command the web waits, as ever, until the primary's read
models have its position (``WebState.wait_for``), then remembers the position for the rest of the request
and in a cookie (``marketplace_seen``, ten minutes) for the next requests, whichever web worker they reach.
A request that must see a position reads from the replica only once the replica's read models have it
(their tracking rows are replicated with their rows), waiting at most ``patience`` seconds; else it reads
from the primary. A cookie that names a position beyond the head of the primary's log (forged, or from a
database since restored) is ignored, as is one that is not a number: it costs its bearer one look at the
log's head, never the wait.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

import asyncpg
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from marketplace.platform.database import DatabaseAddress
from marketplace.platform.services import Services
from projections.shared.health import head_statement, slowest_view_statement

COOKIE = "marketplace_seen"
COOKIE_SECONDS = 600
_WRITES = re.compile(r"\b(insert|update|delete|merge|truncate|nextval|setval|pg_advisory\w*|pg_notify|for\s+update"
                     r"|for\s+share|for\s+no\s+key\s+update|for\s+key\s+share)\b", re.IGNORECASE)
_SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
_READS = re.compile(r"^\s*\(?\s*(select|with|values|table)\b", re.IGNORECASE)


@lru_cache(maxsize=4096)
def reads_only(query: str) -> bool:
    """Whether ``query`` only reads (a replica can answer it): a SELECT that names no writing word."""
    return bool(_READS.match(query)) and not _WRITES.search(query)


@dataclass
class ReadScope:
    """One request: the position it must see (the cookie's, then its own commands'), and where it reads."""

    needed: int = 0
    wrote: int = 0
    replica_ok: bool | None = None  # None: not decided yet
    primary_only: bool = False  # a request that may write: every read from the primary


_SCOPE: ContextVar[ReadScope | None] = ContextVar("marketplace_read_scope", default=None)


class ReadRouter:
    """The web's pool with reads sent to a replica that has what the request must see (see the module)."""

    def __init__(self, primary: asyncpg.Pool, replica: asyncpg.Pool, position_query: str, application_name: str,
                 patience: float = 0.5, head_query: str | None = None) -> None:
        self.primary = primary
        self.replica = replica
        self.position_query = position_query
        #: The head of the primary's log (no argument); None: cookies are not checked against it.
        self.head_query = head_query
        self.application_name = application_name
        self.patience = patience
        self.replica_reads = 0
        self.primary_reads = 0

    async def _pool_for(self, query: str) -> asyncpg.Pool:
        if reads_only(query) and await self._replica_has_it():
            self.replica_reads += 1
            return self.replica
        self.primary_reads += 1
        return self.primary

    async def _replica_has_it(self) -> bool:
        scope = _SCOPE.get()
        if scope is None:
            return True
        if scope.primary_only:
            return False
        if scope.needed == 0:
            return True
        if scope.replica_ok is None:
            scope.replica_ok = await self._wait_for_replica(scope)
        return scope.replica_ok

    async def _replica_position(self) -> int:
        return int(await self.replica.fetchval(self.position_query, self.application_name) or 0)

    async def _wait_for_replica(self, scope: ReadScope) -> bool:
        position = scope.needed
        if await self._replica_position() >= position:
            return True
        # The cookie's position, not this request's own write: beyond the log's head, no write made it.
        if (position > scope.wrote and self.head_query is not None
                and position > int(await self.primary.fetchval(self.head_query) or 0)):
            scope.needed = position = scope.wrote
            if position == 0:
                return True
        deadline = time.monotonic() + self.patience
        delay = 0.002
        while True:
            if await self._replica_position() >= position:
                return True
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(delay)
            delay = min(delay * 1.5, 0.05)

    async def fetch(self, query: str, *args: Any, **kwargs: Any) -> Any:
        return await (await self._pool_for(query)).fetch(query, *args, **kwargs)

    async def fetchrow(self, query: str, *args: Any, **kwargs: Any) -> Any:
        return await (await self._pool_for(query)).fetchrow(query, *args, **kwargs)

    async def fetchval(self, query: str, *args: Any, **kwargs: Any) -> Any:
        return await (await self._pool_for(query)).fetchval(query, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:  # execute, executemany, acquire, …: the primary's
        return getattr(self.primary, name)

    async def close(self) -> None:
        await self.replica.close()
        await self.primary.close()


def wrote(position: int) -> None:
    """A command of this request recorded ``position`` and the primary's read models have it."""
    scope = _SCOPE.get()
    if scope is not None:
        scope.wrote = max(scope.wrote, position)  # for the cookie, whatever the cookie brought
        if position > scope.needed:
            scope.needed = position
            scope.replica_ok = None


def seen_cookie(scope: Scope) -> int:
    """The position the browser must see (``marketplace_seen``): ASCII digits only, else 0."""
    for key, value in scope["headers"]:
        if key == b"cookie":
            for part in value.decode("latin-1").split(";"):
                name, _, text = part.strip().partition("=")
                if name == COOKIE and text.isascii() and text.isdigit() and len(text) <= 18:
                    return int(text)
    return 0


def read_your_writes_middleware(secure: bool) -> Callable[[ASGIApp], ASGIApp]:
    """Each request's :class:`ReadScope`, from and back to the ``marketplace_seen`` cookie."""
    flags = "; Path=/; HttpOnly; SameSite=Lax" + ("; Secure" if secure else "")

    def middleware(app: ASGIApp) -> ASGIApp:
        async def handle(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != ScopeType.HTTP:
                await app(scope, receive, send)
                return
            read = ReadScope(needed=seen_cookie(scope), primary_only=scope.get("method") not in _SAFE_METHODS)
            token = _SCOPE.set(read)

            async def send_with_cookie(message: Message) -> None:
                if message["type"] == "http.response.start" and read.wrote:
                    cookie = f"{COOKIE}={read.wrote}; Max-Age={COOKIE_SECONDS}{flags}"
                    message["headers"] = [*message.get("headers", []), (b"set-cookie", cookie.encode("latin-1"))]
                await send(message)

            try:
                await app(scope, receive, send_with_cookie)
            finally:
                _SCOPE.reset(token)

        return handle

    return middleware


async def replica_router(services: Services, primary: asyncpg.Pool) -> asyncpg.Pool:
    """The pool the web queries: ``primary`` itself, or a :class:`ReadRouter` when a read replica is configured."""
    url = services.settings.read_database_url
    if not url:
        return primary
    from web.state import create_pool  # web.state imports this module

    replica = await create_pool(services, max_size=max(4, services.settings.pool_size),
                                address=DatabaseAddress.from_url(url))
    tracking = {name: view.tracking_table_name for name, view in services.views.items()}
    router = ReadRouter(primary, replica, slowest_view_statement(tracking), services.app.name,
                        head_query=head_statement(services.recorder.events_table_name))
    return cast(asyncpg.Pool, router)  # it answers every call the web makes on a pool (see the class)
