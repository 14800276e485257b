"""Server-side sessions in PostgreSQL, and the check of every request's bearer token.

The session cookie holds only a random id; the session lives in ``web_sessions``, shared by every
web process, and is deleted at logout. The store hands out a session only while its user's
credentials stand (read model "credentials"): a password change, role revocation, deactivation or
erasure recorded after the login ends it, whichever process recorded it. A login starts a session
under a new id (no session fixation).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast
from uuid import UUID

import asyncpg
import msgspec
from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.exceptions import NotAuthorizedException
from litestar.middleware.session.server_side import ServerSideSessionBackend, ServerSideSessionConfig
from litestar.stores.base import Store
from litestar.types import ASGIApp, Message, Receive, Scope, ScopeSession, Send
from litestar.types.empty import Empty

from marketplace.accounts.passwords import PasswordPoolBusyError, run_in_password_pool
from projections.accounts.credentials import CredentialsQueries
from web.context import BEARER_SCOPE_KEY, Identity, read_token
from web.state import WebState
from web.throttle import ThrottledError, client_address, throttle_of

_NEW_SESSION = "marketplace.new_session_id"
#: A user's version right after signing up (its one event, ``User.SignedUp``).
NEW_USER_VERSION = 1

_GET = """
SELECT s.data FROM web_sessions s LEFT JOIN credential_marks m ON m.user_id = s.user_id
WHERE s.session_id = $1 AND (s.expires_at IS NULL OR s.expires_at > now())
  AND (s.user_id IS NULL OR (NOT m.ended AND m.valid_from <= s.user_version))
"""
_SET = """
INSERT INTO web_sessions (session_id, user_id, user_version, data, expires_at)
SELECT $1, $2, $3, $4, now() + $5::interval
WHERE NOT EXISTS (SELECT FROM credential_marks WHERE user_id = $2 AND (ended OR valid_from > $3))
ON CONFLICT (session_id) DO UPDATE SET user_id = excluded.user_id, user_version = excluded.user_version,
    data = excluded.data, expires_at = excluded.expires_at
"""


class PostgresSessionStore(Store):
    """litestar's session store on the web's asyncpg pool (bound in the app's lifespan)."""

    def __init__(self) -> None:
        self._pool: asyncpg.Pool | None = None

    def bind(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("the session store is used before the app started")
        return self._pool

    async def set(self, key: str, value: str | bytes, expires_in: int | timedelta | None = None) -> None:
        data = value.encode() if isinstance(value, str) else value
        identity = Identity.from_session(msgspec.json.decode(data)) if data.startswith(b"{") else None
        seconds = expires_in.total_seconds() if isinstance(expires_in, timedelta) else expires_in
        await self.pool.execute(
            _SET, key, identity.user_id if identity else None, identity.version if identity else 0, data,
            timedelta(seconds=seconds) if seconds is not None else None,
        )
        if random.random() < 0.01:  # noqa: S311 - not security: how often to sweep expired rows
            await self.pool.execute("DELETE FROM web_sessions WHERE expires_at < now()")
            await self.pool.execute(
                "DELETE FROM web_sessions s USING credential_marks m"
                " WHERE m.user_id = s.user_id AND (m.ended OR m.valid_from > s.user_version)"
            )
            await self.pool.execute("DELETE FROM revoked_tokens WHERE expires_at < now()")

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        data: bytes | None = await self.pool.fetchval(_GET, key)
        return data

    async def delete(self, key: str) -> None:
        await self.pool.execute("DELETE FROM web_sessions WHERE session_id = $1", key)

    async def delete_all(self) -> None:
        await self.pool.execute("DELETE FROM web_sessions")

    async def exists(self, key: str) -> bool:
        return await self.get(key) is not None

    async def expires_in(self, key: str) -> int | None:
        seconds = await self.pool.fetchval(
            "SELECT extract(epoch FROM expires_at - now())::int FROM web_sessions WHERE session_id = $1", key
        )
        return int(seconds) if seconds is not None else None


class RenewingSessionBackend(ServerSideSessionBackend):
    """Stores a session begun at login under a fresh id, never under an id the browser brought."""

    def get_session_id(self, connection: ASGIConnection[Any, Any, Any, Any]) -> str:
        scope = cast(dict[str, Any], connection.scope)
        if scope.get(_NEW_SESSION) is True:
            scope[_NEW_SESSION] = self.generate_session_id()
        new_id = scope.get(_NEW_SESSION)
        return new_id if isinstance(new_id, str) else super().get_session_id(connection)

    async def store_in_message(self, scope_session: ScopeSession, message: Message,
                               connection: ASGIConnection[Any, Any, Any, Any]) -> None:
        """Remember nothing for a visitor who has no session and was given nothing to keep.

        litestar stores even an empty session: every anonymous page view wrote a ``web_sessions`` row and
        set a session cookie (one INSERT per public page; a cookie that then sent each later request down
        the session path). A session exists from the first value put in it (a login) until it is cleared.
        """
        if (not scope_session and scope_session is not Empty and self.config.key not in connection.cookies
                and _NEW_SESSION not in connection.scope):
            return
        await super().store_in_message(scope_session, message, connection)


@dataclass
class SessionConfig(ServerSideSessionConfig):
    _backend_class = RenewingSessionBackend


async def begin_session(request: ASGIConnection[Any, Any, Any, Any], identity: Identity) -> None:
    """Log ``identity`` in: end the browser's previous session, start one under a new id."""
    old = request.cookies.get("session")
    if old:
        await cast(PostgresSessionStore, request.app.stores.get("sessions")).delete(old)
    cast(dict[str, Any], request.scope)[_NEW_SESSION] = True
    request.set_session(identity.as_session())


async def end_sessions(web: WebState, user_id: UUID, position: int) -> None:
    """Delete the sessions of a user just deactivated or erased (``position``: that event), so that its name
    does not stay in ``web_sessions``: at once, and again once the credentials read model has the event
    (a request of the user in flight meanwhile may have written its session back; from then on the
    store writes none)."""
    await web.pool.execute("DELETE FROM web_sessions WHERE user_id = $1", user_id)
    await web.wait_for(position)
    await web.pool.execute("DELETE FROM web_sessions WHERE user_id = $1", user_id)


async def revoke_token(pool: asyncpg.Pool, jti: UUID, expires_at: int) -> None:
    await pool.execute(
        "INSERT INTO revoked_tokens (jti, expires_at) VALUES ($1, to_timestamp($2)) ON CONFLICT (jti) DO NOTHING",
        jti, expires_at,
    )


def credentials_middleware(app: ASGIApp) -> ASGIApp:
    """Check the request's bearer token once (signature, expiry, revocation, the user's standing)."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP:
            cast(dict[str, Any], scope)[BEARER_SCOPE_KEY] = await _checked_bearer(scope)
        await app(scope, receive, send)

    return middleware


async def _checked_bearer(scope: Scope) -> Identity | str | None:
    header = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"authorization"), "")
    if not header:
        return None
    web = scope["app"].state.web
    try:
        claims = read_token(header, web.services.settings.secret_key)
    except NotAuthorizedException as refused:
        return str(refused.detail)
    assert claims is not None
    standing = await CredentialsQueries(web.primary).token_standing(
        claims.identity.user_id, claims.identity.version, claims.jti
    )
    if not standing.known:
        return "authorization: the token's subject is not a user"
    if not standing.valid:
        return "authorization: the token was revoked (logout, password change, role revocation or deactivation)"
    return claims.identity


async def authenticate(request: ASGIConnection[Any, Any, Any, Any], web: WebState, email: str,
                       password: str) -> Identity | None:
    """Check a login (throttled, its password in the password pool); the user's identity, or ``None``.

    Raises :class:`ThrottledError` (429) when the address or the account has used its attempts,
    or when too many password checks already wait.
    """
    throttle, address = throttle_of(request), client_address(request)
    await throttle.take_login(email, address)
    try:
        user = await run_in_password_pool(web.services.app.accounts.authenticate, email, password)
    except PasswordPoolBusyError:
        await throttle.give_back(("login.address", address), ("login.account", email))
        raise ThrottledError(2, busy=True) from None
    if user is None:
        return None
    await throttle.logged_in(email, address)
    if not await CredentialsQueries(web.primary).is_user(user.id):  # signed up a moment ago: not yet projected
        await web.wait_for(await web.run(web.services.recorder.max_notification_id) or 0)
    return Identity(user.id, user.display_name, user.organisation_id, tuple(user.roles), user.version)
