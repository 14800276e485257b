"""Per-request context: who is acting (session or bearer token) and in which language."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import jwt
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException

from web.i18n import pick_language, vocabulary_of

TOKEN_TTL_SECONDS = 8 * 3600
#: Where the credentials middleware (web/sessions.py) leaves the checked bearer token of a request:
#: an :class:`Identity`, ``None`` (no token) or the reason the token was refused.
BEARER_SCOPE_KEY = "marketplace.bearer"


@dataclass(frozen=True)
class Identity:
    """The logged-in user as remembered at login (roles refresh at next login).

    ``version`` is the user's version at login: a password change, role revocation, deactivation
    or erasure after it ends the session or token. Only used to show pages; every command
    re-checks roles and ownership on the aggregates.
    """

    user_id: UUID
    display_name: str
    organisation_id: UUID
    roles: tuple[str, ...]
    version: int = 0

    def has(self, role: str) -> bool:
        return role in self.roles

    def as_session(self) -> dict[str, Any]:
        return {"uid": str(self.user_id), "name": self.display_name, "org": str(self.organisation_id),
                "roles": list(self.roles), "uv": self.version}

    @classmethod
    def from_session(cls, data: dict[str, Any]) -> Identity | None:
        """The identity in a session or token's claims; ``None`` when absent or malformed."""
        if not data or "uid" not in data:
            return None
        try:
            roles = data["roles"]
            if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
                return None
            version, name = data.get("uv", 0), data.get("name", "")  # tokens carry no name
            if not isinstance(version, int) or not isinstance(name, str):
                return None
            return cls(UUID(str(data["uid"])), name, UUID(str(data["org"])), tuple(roles), version)
        except (KeyError, ValueError, TypeError, AttributeError):
            return None


def session_identity(request: ASGIConnection[Any, Any, Any, Any]) -> Identity | None:
    return Identity.from_session(request.session if "session" in request.scope else {})


@dataclass(frozen=True)
class TokenClaims:
    """A bearer token's identity and its id (``jti``), for revocation."""

    identity: Identity
    jti: UUID
    expires_at: int


def issue_token(identity: Identity, secret: str) -> str:
    now = int(time.time())
    # No name: a token is personal data out of the marketplace's reach once issued (an erasure cannot recall it).
    claims = {k: v for k, v in identity.as_session().items() if k != "name"} | {
        "sub": str(identity.user_id), "jti": str(uuid.uuid4()), "iat": now, "exp": now + TOKEN_TTL_SECONDS}
    return jwt.encode(claims, secret, algorithm="HS256")


def read_token(header: str, secret: str) -> TokenClaims | None:
    """The claims of an ``Authorization`` header's bearer token (``None`` without a header).

    Raises ``NotAuthorizedException`` for a malformed, forged or expired token, one without
    ``exp`` or ``jti``, or one whose subject is not a user id.
    """
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise NotAuthorizedException("authorization: use 'Bearer <token>' from POST /api/auth/token")
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], options={"require": ["exp", "jti", "uid"]})
    except jwt.PyJWTError as exc:
        raise NotAuthorizedException(f"authorization: the token is invalid or expired ({exc})") from None
    identity = Identity.from_session(claims)
    try:
        jti = UUID(str(claims["jti"]))
    except ValueError:
        identity = None
    if identity is None:
        raise NotAuthorizedException("authorization: the token's subject is not a user")
    return TokenClaims(identity, jti, int(claims["exp"]))


def bearer_identity(request: ASGIConnection[Any, Any, Any, Any]) -> Identity | None:
    """The bearer token's user, as checked by the credentials middleware; 401 for a refused token."""
    checked = request.scope.get(BEARER_SCOPE_KEY)
    if isinstance(checked, str):
        raise NotAuthorizedException(checked)
    if checked is None and request.headers.get("authorization"):
        raise NotAuthorizedException("authorization: the token could not be checked")
    return checked if isinstance(checked, Identity) else None


def language_of(request: ASGIConnection[Any, Any, Any, Any]) -> str:
    return pick_language(request.query_params.get("lang"), request.cookies.get("lang"),
                         request.headers.get("accept-language"))


#: The key under which ``page_context`` asks for the header's to-do count (``web.todo.count_in_header``
#: fills in ``todo_count`` after the handler, for full pages of logged-in users only).
TODO_COUNT_FOR = "_todo_count_for"


def page_context(request: ASGIConnection[Any, Any, Any, Any], **values: Any) -> dict[str, Any]:
    """The values every page template gets (and, for a logged-in user's full page, the to-do count)."""
    lang = language_of(request)
    me = session_identity(request)
    context = {"lang": lang, "t": vocabulary_of(request).translator(lang), "me": me, **values}
    if me is not None and not request.headers.get("hx-request"):
        context[TODO_COUNT_FOR] = request
    return context
