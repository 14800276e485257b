"""The OpenAPI document and the API docs page.

The document says what each operation may answer, not only its success: ``declare_answers`` adds
the refusals an operation can give from what it is — a bearer-token command may be refused
unauthenticated (401), forbidden (403), name a record that does not exist (404) or be in
conflict (409); an id in the path may name nothing (404); a body may be too large (413); anything
with parameters may be invalid (400). Handlers declare what the rule cannot see (429 where logins
and sign-ups are throttled) with ``answers``.

The docs page is Swagger UI served from ``/static/swagger-ui`` (vendored from the swagger-ui-dist
package, Apache-2.0): no CDN, so it works offline and where public CDNs are unreliable. Its script
is a static file too, so the page keeps to the site's Content-Security-Policy.
"""

from __future__ import annotations

from enum import StrEnum
from html import escape
from typing import TYPE_CHECKING, Any

import msgspec
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.plugins import OpenAPIRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.routes import HTTPRoute

from web.deps import DEPENDENCIES

if TYPE_CHECKING:
    from litestar import Litestar, Request
    from litestar.handlers import HTTPRouteHandler

BEARER_SCHEME = "BearerToken"
BEARER: list[dict[str, list[str]]] = [{BEARER_SCHEME: []}]
"""``security=BEARER``: the operation needs ``Authorization: Bearer <token>``."""
OPTIONAL_BEARER: list[dict[str, list[str]]] = [{}, {BEARER_SCHEME: []}]
"""``security=OPTIONAL_BEARER``: a token shows more (drafts, offers); a malformed one is a 401."""

REASONS = {
    400: "The request is invalid: a parameter or field is missing, malformed or out of range (``field`` names it).",
    401: "No valid bearer token: send ``Authorization: Bearer <token>`` from POST /api/auth/token.",
    403: "The token's user may not do this (role, organisation or party).",
    404: "Nothing has this id (or it is not visible to you).",
    409: "The record changed or its state does not allow this (version, duplicate, already done).",
    413: "The request body is larger than the server accepts.",
    429: "Too many attempts: wait for the seconds the Retry-After header gives.",
}
#: What a handler takes that is no parameter of the operation: litestar's own, and the web's dependencies.
_SEMANTIC_PARAMETERS = frozenset(
    {"self", "request", "web", "state", "scope", "headers", "cookies", "query", *DEPENDENCIES})


class ErrorBody(msgspec.Struct, frozen=True):
    """Every refusal of the API: the status, what was wrong, and the field it concerns if any."""

    status_code: int
    detail: str
    field: str | None = None
    #: The rule broken, stably (``number.check_character``); ``detail`` says it in the reader's language when the
    #: request names one (``lang`` or ``Accept-Language``), else in English.
    code: str | None = None
    extra: dict[str, Any] | list[Any] | None = None
    request_id: str | None = None


def documented(values: type[StrEnum]) -> msgspec.Meta:
    """``Annotated[str, documented(Role)]``: the allowed values appear in the document as an enum, while
    the domain keeps checking them (its refusal names the field and lists the values)."""
    return msgspec.Meta(extra_json_schema={"extra": {"enum": [v.value for v in values]}})


def answers(*statuses: int) -> dict[int, ResponseSpec]:
    """``responses=answers(429)``: refusals an operation gives beyond what ``declare_answers`` infers."""
    return {s: ResponseSpec(data_container=ErrorBody, description=REASONS[s], generate_examples=False)
            for s in statuses}


def inferred_statuses(route: HTTPRoute, handler: HTTPRouteHandler) -> set[int]:
    """The refusals an operation can give, from its method, path, parameters, body and security."""
    parameters = set(handler.parsed_fn_signature.parameters) - _SEMANTIC_PARAMETERS
    security = handler.resolve_security()
    needs_token = bool(security) and {} not in security
    statuses: set[int] = set()
    if parameters:
        statuses.add(400)
    if security:
        statuses.add(401)
    if needs_token:
        statuses.add(403)
        if handler.http_methods - {"GET", "HEAD", "OPTIONS"}:
            statuses |= {404, 409}  # a command names records (in its path or body) that may not exist
    if any(p.type.__name__ == "UUID" for p in route.path_parameters.values()):
        statuses.add(404)
    if "data" in parameters:
        statuses.add(413)
    return statuses


def declare_answers(app: Litestar) -> None:
    """Add the inferred refusals to every documented operation (a handler's own declarations win)."""
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            if "OPTIONS" in handler.http_methods or not handler.resolve_include_in_schema():
                continue
            handler.responses = {**answers(*sorted(inferred_statuses(route, handler))), **(handler.responses or {})}


class SwaggerPage(OpenAPIRenderPlugin):
    """Swagger UI from this server's static files, started by a static script (no inline script)."""

    def __init__(self) -> None:
        super().__init__(path="/swagger")

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        title = escape(str(openapi_schema["info"]["title"]))
        spec_url = escape(self.get_openapi_json_route(request))
        return (
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{title}</title>"
            '<link rel="icon" href="/favicon.ico" sizes="any">'
            '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">'
            '<link rel="stylesheet" href="/static/swagger-ui/swagger-ui.css"></head>'
            f'<body><div id="swagger-ui" data-spec-url="{spec_url}"></div>'
            '<script src="/static/swagger-ui/swagger-ui-bundle.js"></script>'
            '<script src="/static/swagger-ui/start.js"></script></body></html>'
        ).encode()


def openapi_config() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Fujian Patent Marketplace API", version="1.0.0",
        description="Listings, patents, deals, valuations and the audit log of the patent marketplace. "
                    "Commands need a bearer token from POST /api/auth/token (the Authorize button takes it).",
        components=Components(security_schemes={BEARER_SCHEME: SecurityScheme(
            type="http", scheme="bearer", bearer_format="JWT",
            description="The token from POST /api/auth/token.")}),
        render_plugins=[SwaggerPage()],
    )
