"""Who is acting on a request, and the one login guard: pages by their session, the JSON API by its bearer token.

A handler that needs a logged-in user lists ``guards=[login_required]`` (or its controller does) and
takes ``me: Identity``; it never checks again. Without a user the guard refuses with a 401, which the
errors module answers as JSON for the API and as a redirect to ``/login?next=…`` for pages.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler

from web.context import Identity, bearer_identity, session_identity

API_PREFIXES = ("/api", "/webhooks/")
#: The refusal of a JSON API call without a token (pages are redirected to the login form instead).
NO_TOKEN = "authorization: send 'Authorization: Bearer <token>' (POST /api/auth/token)"  # noqa: S105 - a message


def is_api(connection: ASGIConnection[Any, Any, Any, Any]) -> bool:
    """Whether the caller is a program (JSON answers, bearer tokens) rather than a person with a browser."""
    return connection.url.path.startswith(API_PREFIXES)


def current_identity(connection: ASGIConnection[Any, Any, Any, Any]) -> Identity | None:
    """The acting user: the bearer token's on the JSON API (401 for a refused token), else the session's."""
    return bearer_identity(connection) if is_api(connection) else session_identity(connection)


def login_required(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """The one login guard: no user, a 401 (pages: a redirect to the login form, see ``web.errors``)."""
    if current_identity(connection) is None:
        raise NotAuthorizedException(NO_TOKEN if is_api(connection) else "log in first")


def provide_identity(request: ASGIConnection[Any, Any, Any, Any]) -> Identity:
    """The ``me`` of a guarded handler (the guard ran first, so there is one)."""
    me = current_identity(request)
    if me is None:  # a handler took ``me`` without the guard: refuse rather than act for nobody
        raise NotAuthorizedException(NO_TOKEN if is_api(request) else "log in first")
    return me


def provide_optional_identity(request: ASGIConnection[Any, Any, Any, Any]) -> Identity | None:
    """The ``maybe_me`` of a public handler: the user if logged in (a refused bearer token is still a 401)."""
    return current_identity(request)
