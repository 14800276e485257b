"""Per-request context: who is acting (session or bearer token) and in which language."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import jwt
from litestar import Request
from litestar.exceptions import NotAuthorizedException

from web.i18n import pick_language, translator

TOKEN_TTL_SECONDS = 8 * 3600


@dataclass(frozen=True)
class Identity:
    """The logged-in user as remembered at login (roles refresh at next login).

    Only used to show pages; every command re-checks roles and ownership on the aggregates.
    """

    user_id: UUID
    display_name: str
    organisation_id: UUID
    roles: tuple[str, ...]

    def has(self, role: str) -> bool:
        return role in self.roles

    def as_session(self) -> dict[str, Any]:
        return {"uid": str(self.user_id), "name": self.display_name, "org": str(self.organisation_id),
                "roles": list(self.roles)}

    @classmethod
    def from_session(cls, data: dict[str, Any]) -> Identity | None:
        if not data or "uid" not in data:
            return None
        return cls(UUID(data["uid"]), data["name"], UUID(data["org"]), tuple(data["roles"]))


def session_identity(request: Request[Any, Any, Any]) -> Identity | None:
    return Identity.from_session(request.session if "session" in request.scope else {})


def issue_token(identity: Identity, secret: str) -> str:
    claims = identity.as_session() | {"exp": int(time.time()) + TOKEN_TTL_SECONDS}
    return jwt.encode(claims, secret, algorithm="HS256")


def bearer_identity(request: Request[Any, Any, Any], secret: str) -> Identity | None:
    header = request.headers.get("authorization", "")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise NotAuthorizedException("authorization: use 'Bearer <token>' from POST /api/auth/token")
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"])
    except jwt.PyJWTError as exc:
        raise NotAuthorizedException(f"authorization: the token is invalid or expired ({exc})") from None
    return Identity.from_session(claims)


def language_of(request: Request[Any, Any, Any]) -> str:
    return pick_language(request.query_params.get("lang"), request.cookies.get("lang"),
                         request.headers.get("accept-language"))


def page_context(request: Request[Any, Any, Any], **values: Any) -> dict[str, Any]:
    """The values every page template gets."""
    lang = language_of(request)
    return {"lang": lang, "t": translator(lang), "me": session_identity(request), **values}
