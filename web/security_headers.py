"""Headers every response carries (pages, JSON, errors, static files), HEAD answers, and OPTIONS' Allow.

The Content-Security-Policy allows no inline script and no inline style anywhere: scripts and
styles come from ``/static``. Only the payment page loads Stripe.js, so only that page allows
Stripe's origins, and exactly those its integration guide lists for the Payment Element.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from litestar.datastructures import MutableScopeHeaders
from litestar.routes import HTTPRoute

from web.errors import REQUEST_ID_HEADER, request_id

if TYPE_CHECKING:
    from litestar import Litestar
    from litestar.types import ASGIApp, Message, Receive, Scope, Send

Policy = dict[str, tuple[str, ...]]

BASE_POLICY: Policy = {
    "default-src": ("'self'",),
    "script-src": ("'self'",),
    "style-src": ("'self'",),
    "img-src": ("'self'", "data:"),  # Swagger UI's stylesheet draws its icons as data: URIs
    "font-src": ("'self'",),
    "connect-src": ("'self'",),
    "frame-src": ("'none'",),
    "object-src": ("'none'",),
    "base-uri": ("'none'",),
    "form-action": ("'self'",),
    "frame-ancestors": ("'none'",),
}

# Stripe.js and its Payment Element: the script, the iframes it mounts (3-D Secure through
# hooks.stripe.com), the API it calls, its images, and the one <style> element it inserts.
STRIPE_POLICY: Policy = {
    "script-src": ("https://js.stripe.com", "https://*.js.stripe.com"),
    "frame-src": ("https://js.stripe.com", "https://*.js.stripe.com", "https://hooks.stripe.com"),
    "connect-src": ("https://api.stripe.com",),
    "img-src": ("https://*.stripe.com",),
    "style-src": ("'sha256-0hAheEzaMe6uXIKV4EehS9pu1am1lj/KnnzrOYqckXk='",),
}
# The payment page, the card form that ``POST /payments/{id}/start`` answers with, and the card form of an auction
# deposit that ``POST /lots/{id}/deposit`` answers with.
STRIPE_PAGES = re.compile(r"^(/payments/[0-9a-fA-F-]{36}(/start)?|/lots/[0-9a-fA-F-]{36}/deposit)/?$")

HSTS = "max-age=31536000; includeSubDomains"
#: What a response to a logged-in request (session cookie or bearer token) says when it says nothing of caching:
#: kept by no cache, the browser's own included, so that nobody else at the machine or behind a proxy sees it.
PRIVATE_CACHE_CONTROL = "private, no-store"
_SESSION_COOKIE = re.compile(rb"(?:^|;)\s*session=")


def is_personal(scope: Scope) -> bool:
    """The request comes from a logged-in browser or a client with a token (its answer may be personal)."""
    for name, value in scope.get("headers", ()):
        if name == b"authorization" or (name == b"cookie" and _SESSION_COOKIE.search(value)):
            return True
    return False


def policy_text(*policies: Policy) -> str:
    """The policies merged, as a header value: each directive's sources in order, ``'none'`` dropped
    where another source joins it."""
    merged: dict[str, list[str]] = {}
    for policy in policies:
        for directive, sources in policy.items():
            merged.setdefault(directive, []).extend(s for s in sources if s not in merged.get(directive, []))
    parts = []
    for directive, listed in merged.items():
        kept = [s for s in listed if s != "'none'"] or ["'none'"]
        parts.append(" ".join([directive, *kept]))
    return "; ".join(parts)


PAGE_CSP = policy_text(BASE_POLICY)
STRIPE_PAGE_CSP = policy_text(BASE_POLICY, STRIPE_POLICY)


def content_security_policy(path: str) -> str:
    return STRIPE_PAGE_CSP if STRIPE_PAGES.match(path) else PAGE_CSP


def security_headers(*, https: bool) -> Callable[[Message, Scope], Awaitable[None]]:
    """A ``before_send`` hook adding the security headers and the request id to every response.

    ``https``: the site is served over TLS (its cookies are ``Secure``), so browsers are told to
    keep to HTTPS (HSTS); over plain HTTP the header would be ignored, or lock out a test server.
    """

    async def add_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = MutableScopeHeaders.from_message(message)
        headers["Content-Security-Policy"] = content_security_policy(scope["path"])
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        headers["Referrer-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        headers[REQUEST_ID_HEADER] = request_id(scope)
        if https:
            headers["Strict-Transport-Security"] = HSTS
        if "cache-control" not in headers and (is_personal(scope) or any(
                c.startswith("session=") for c in headers.getall("set-cookie", []))):
            headers["Cache-Control"] = PRIVATE_CACHE_CONTROL
        if scope.get("method") == "OPTIONS" and message["status"] == 204 and "path_template" in scope:
            methods = allowed_methods(scope["app"], scope["path_template"])
            if methods:
                headers["Allow"] = ", ".join(methods)

    return add_headers


def allowed_methods(app: Litestar, path_template: str) -> list[str]:
    """Every method a path answers, HEAD with GET.

    litestar (2.25) answers OPTIONS with the methods of the first controller that registered the
    path: ``OPTIONS /api/listings`` said ``OPTIONS, POST`` although GET is served too.
    """
    methods: set[str] = set()
    for route in app.routes:
        if isinstance(route, HTTPRoute) and path_template in (route.path, route.path_format):
            methods |= set(route.methods)
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)


def answer_head(app: ASGIApp) -> ASGIApp:
    """HEAD on any GET route: the GET response's status and headers, without its body.

    litestar refuses HEAD on a GET handler (405) and will not declare a HEAD handler that
    returns a body, so HEAD is answered here, before routing.
    """

    async def handle(scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("method") != "HEAD":
            await app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        as_get: Any = {**scope, "method": "GET"}
        await app(as_get, receive, headers_only)

    return handle
