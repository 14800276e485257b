"""Throttles for logins, sign-ups, password changes, new members and objections: token buckets in PostgreSQL.

Each bucket holds ``burst`` attempts and gains one every ``per_seconds``; an attempt takes one,
and an empty bucket answers 429 with ``Retry-After`` (the seconds until it holds one again).
The buckets live in PostgreSQL (``throttle_buckets``), so every web process counts the same
attempts; one statement per bucket takes an attempt atomically (the row lock orders concurrent
attempts), and all the buckets of an attempt are taken in one transaction: a refused attempt
takes nothing.

Logins take an attempt from the client address's bucket and the account's bucket, and a
successful login gives both back: only failures count. Lock-out: an attacker who hammers an
account empties its account bucket, which would keep its owner out too; so an address from
which the account logged in during the last 90 days skips the account bucket (it still has its
address bucket). The owner is then kept out only on an address it never used, and only while
the attack lasts, and the attacker gets one guess a minute. A refusal is answered after a pause
(:data:`REFUSAL_PAUSE`), so that hammering costs the server little CPU.

Password changes count like logins (only failures, per account and per address); adding members
counts every attempt, per admin and per organisation (each one hashes a password). The argon2 work
of these commands runs in the password pool (:func:`password_work`), never in a command worker thread.

Keys are keyed hashes (HMAC with the site's secret) of the e-mail, user id or address, so the
table holds no personal data in clear. Behind a reverse proxy, the client address is the one the
ASGI server takes from ``X-Forwarded-For`` (uvicorn trusts it from ``FORWARDED_ALLOW_IPS``).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import asyncpg
from litestar import MediaType, Request, Response
from litestar.connection import ASGIConnection
from litestar.exceptions import TooManyRequestsException
from litestar.handlers.base import BaseRouteHandler
from litestar.response import Template

from domain.accounts.user import email_key
from marketplace.accounts.passwords import PasswordPoolBusyError, run_in_password_pool
from web.context import bearer_identity, page_context, session_identity

T = TypeVar("T")


@dataclass(frozen=True)
class Limit:
    """``burst`` attempts at once, then one more every ``per_seconds``."""

    burst: int
    per_seconds: float


#: The limits, by action and scope. Tests and benchmarks may replace entries.
LIMITS: dict[str, Limit] = {
    "login.address": Limit(20, 15),  # failed logins from one address (any accounts): 20, then 4 a minute
    "login.account": Limit(10, 60),  # failed logins to one account (new addresses): 10, then 1 a minute
    "signup.address": Limit(10, 360),  # sign-ups from one address: 10, then 10 an hour
    "signup.account": Limit(3, 600),  # sign-up attempts for one e-mail: 3, then 6 an hour
    "objection.address": Limit(10, 360),  # objections to notices from one address
    "objection.account": Limit(5, 720),  # objections by one user: 5, then 5 an hour
    "password.address": Limit(20, 15),  # failed password changes from one address: 20, then 4 a minute
    "password.account": Limit(5, 120),  # failed password changes of one account: 5, then 1 every 2 minutes
    "member.actor": Limit(20, 30),  # members added by one admin: 20, then 2 a minute
    "member.organisation": Limit(40, 30),  # members added to one organisation: 40, then 2 a minute
}
KNOWN_ADDRESS_DAYS = 90
#: Seconds a refusal waits before it is answered: a client that hammers on a few connections gets
#: at most one answer a second on each, instead of hundreds that would take the CPU from commands.
REFUSAL_PAUSE = 1.0

_TAKE = """
INSERT INTO throttle_buckets AS b (key, tokens, updated_at) VALUES ($1, $2::float8 - 1, clock_timestamp())
ON CONFLICT (key) DO UPDATE SET
    tokens = least($2::float8, b.tokens + extract(epoch FROM clock_timestamp() - b.updated_at) / $3::float8) - 1,
    updated_at = clock_timestamp()
RETURNING tokens
"""
_GIVE_BACK = "UPDATE throttle_buckets SET tokens = least(tokens + 1, $2::float8) WHERE key = $1"
_KNOWN = ("SELECT 1 FROM throttle_known_addresses WHERE account = $1 AND address = $2"
          " AND seen_at > now() - make_interval(days => $3)")
_REMEMBER = ("INSERT INTO throttle_known_addresses (account, address, seen_at) VALUES ($1, $2, now())"
             " ON CONFLICT (account, address) DO UPDATE SET seen_at = excluded.seen_at")

#: The throttle's refusals (zh/en), passed to the site's vocabulary by the app factory.
LABELS: dict[str, tuple[str, str]] = {
    "throttle.wait": ("尝试次数过多，请 {seconds} 秒后再试。", "Too many attempts: try again in {seconds} seconds."),
    "throttle.busy": ("系统繁忙，请 {seconds} 秒后再试。", "The marketplace is busy: try again in {seconds} seconds."),
}


class _RefusedError(Exception):
    """Leaves the bucket transaction, rolling it back."""


class ThrottledError(TooManyRequestsException):
    """An attempt refused by a throttle: 429 with ``Retry-After``."""

    def __init__(self, retry_after: int, *, busy: bool = False) -> None:
        self.retry_after = max(1, retry_after)
        self.busy = busy
        super().__init__(detail=f"too many attempts: try again in {self.retry_after} seconds",
                         headers={"Retry-After": str(self.retry_after)})


def throttled_handler(request: Request[Any, Any, Any], exc: ThrottledError) -> Response[Any]:
    """429 as JSON under /api, else the error page in the reader's language."""
    headers = {"Retry-After": str(exc.retry_after)}
    if request.url.path.startswith("/api"):
        body = {"status_code": 429, "detail": exc.detail, "retry_after": exc.retry_after}
        return Response(body, status_code=429, media_type=MediaType.JSON, headers=headers)
    context = page_context(request, status=429)
    context["message"] = context["t"]("throttle.busy" if exc.busy else "throttle.wait", seconds=exc.retry_after)
    return Template("errors/error.html.jinja2", status_code=429, context=context, headers=headers)


def client_address(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The client's address as throttles count it: an IPv6 client by its /64 network."""
    host = connection.client.host if connection.client else ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host or "unknown"
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


class Throttle:
    """The throttles' buckets on the web's asyncpg pool."""

    def __init__(self, pool: asyncpg.Pool, secret: str) -> None:
        self.pool = pool
        self._secret = hashlib.sha256(b"throttle:" + secret.encode()).digest()

    def key(self, scope: str, value: str) -> str:
        # e-mail addresses as accounts compare them (ids and network addresses: lower-cased only)
        digest = hmac.new(self._secret, email_key(value).encode(), hashlib.sha256).hexdigest()[:32]
        return f"{scope}:{digest}"

    async def take(self, *scopes: tuple[str, str]) -> None:
        """Take one attempt from the bucket of each ``(scope, value)``, or raise :class:`ThrottledError`."""
        buckets = sorted({self.key(scope, value): LIMITS[scope] for scope, value in scopes}.items())
        wait = 0.0
        try:
            async with self.pool.acquire() as conn, conn.transaction():
                for key, limit in buckets:  # in key order, so two attempts never wait on each other's rows
                    tokens = await conn.fetchval(_TAKE, key, limit.burst, limit.per_seconds)
                    if tokens < 0:
                        wait = max(wait, -tokens * limit.per_seconds)
                if wait:
                    raise _RefusedError  # rolls the transaction back: nothing taken
        except _RefusedError:
            await asyncio.sleep(REFUSAL_PAUSE)  # off the pool: a paused refusal holds no connection
            raise ThrottledError(math.ceil(wait)) from None
        finally:
            if random.random() < 0.01:  # noqa: S311 - not security: how often to sweep full buckets
                await self.pool.execute("DELETE FROM throttle_buckets WHERE updated_at < now() - interval '1 day'")

    async def give_back(self, *scopes: tuple[str, str]) -> None:
        for scope, value in scopes:
            await self.pool.execute(_GIVE_BACK, self.key(scope, value), LIMITS[scope].burst)

    # --- logins -------------------------------------------------------------------------
    async def take_login(self, email: str, address: str) -> None:
        account, place = self.key("known", email), self.key("known", address)
        scopes = [("login.address", address)]
        if not await self.pool.fetchval(_KNOWN, account, place, KNOWN_ADDRESS_DAYS):
            scopes.append(("login.account", email))
        await self.take(*scopes)

    async def logged_in(self, email: str, address: str) -> None:
        """A successful login: give its attempt back and remember the address for the account."""
        await self.give_back(("login.address", address), ("login.account", email))
        await self.pool.execute(_REMEMBER, self.key("known", email), self.key("known", address))


def throttle_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Throttle:
    """The throttles on the primary: a read replica that lags could make a known address look new."""
    web = connection.app.state.web
    return Throttle(web.primary, web.services.settings.secret_key)


async def throttle_objections(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Route guard: an objection takes an attempt per address and per user (session or token)."""
    me = session_identity(connection) or bearer_identity(connection)
    scopes = [("objection.address", client_address(connection))]
    if me is not None:
        scopes.append(("objection.account", str(me.user_id)))
    await throttle_of(connection).take(*scopes)


async def throttle_members(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Route guard: adding a member takes an attempt per admin and per its organisation (session or token)."""
    me = session_identity(connection) or bearer_identity(connection)
    if me is not None:  # without an identity the handler answers 401 before any password work
        await throttle_of(connection).take(("member.actor", str(me.user_id)),
                                           ("member.organisation", str(me.organisation_id)))


async def password_work(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Await ``fn`` (argon2 work: a check or a hash) in the password pool, holding no command worker thread.

    Raises :class:`ThrottledError` (429, busy) when too many password checks already wait.
    """
    try:
        return await run_in_password_pool(fn, *args, **kwargs)
    except PasswordPoolBusyError:
        raise ThrottledError(2, busy=True) from None
