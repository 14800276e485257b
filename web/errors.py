"""How refusals and failures are answered: domain errors, HTTP errors, and the unexpected.

A refusal (400-429) names what was wrong. An unexpected error is a 500 whose body carries only
the request's id; the log line with the traceback carries the same id, so a user's report leads
to the cause without the page ever showing it.
"""

from __future__ import annotations

import logging
import re
import uuid
from datetime import datetime
from html import escape
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from litestar import MediaType, Request, Response
from litestar.exceptions import ClientException, HTTPException
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from domain.shared.errors import (
    ConflictError,
    DomainError,
    NotAuthenticatedError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from marketplace.deals.gateways.port import PaymentGatewayError
from web.context import language_of, page_context
from web.formats import shown_day
from web.i18n import vocabulary_of
from web.identity import is_api
from web.refusals import field_label, input_refusal, refusal_body, refusal_text

if TYPE_CHECKING:
    from litestar.types import Scope

logger = logging.getLogger(__name__)

REQUEST_ID_HEADER = "X-Request-ID"
_FORWARDED_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")


def request_id(scope: Scope) -> str:
    """The id of this request: a proxy's ``X-Request-ID`` if it is a plain token, else a new one."""
    state: dict[str, Any] = scope.setdefault("state", {})
    found = state.get("request_id")
    if found is None:
        sent = next((v.decode("latin-1") for k, v in scope.get("headers", ()) if k == b"x-request-id"), "")
        found = state["request_id"] = sent if _FORWARDED_ID.match(sent) else uuid.uuid4().hex
    return str(found)


#: The HTTP status of each kind of refusal (the domain names the kind; the web decides how it is answered).
STATUSES: dict[type[DomainError], int] = {
    ValidationError: 400, NotAuthenticatedError: 401, PermissionDeniedError: 403, NotFoundError: 404,
    ConflictError: 409, PaymentGatewayError: 502,
}


def status_of(error: DomainError) -> int:
    """The HTTP status a refusal is answered with: that of its nearest kind in ``STATUSES`` (else 400)."""
    return next((STATUSES[kind] for kind in type(error).__mro__ if kind in STATUSES), 400)


def stated_language(request: Request[Any, Any, Any]) -> str | None:
    """The language the reader asked for (``lang``, its cookie, ``Accept-Language``), or ``None`` when it
    named none: an API client that names none gets the English rule as recorded, as it always has."""
    named = (request.query_params.get("lang"), request.cookies.get("lang"), request.headers.get("accept-language"))
    return language_of(request) if any(named) else None


def domain_error_handler(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    status = status_of(exc)
    if is_api(request):
        body = {"status_code": status} | refusal_body(exc, vocabulary_of(request), stated_language(request))
        return Response(body, status_code=status, media_type=MediaType.JSON)
    return Template("errors/error.html.jinja2", status_code=status,
                    context=page_context(request, status=status, message=explain(request, exc)))


# --- refusals on pages: the error page and a form shown again with its error ---------------------------


def explain(request: Request[Any, Any, Any], error: DomainError) -> str:
    """The refusal as shown, in the reader's language: the label the refusal names for pages (``error.key``,
    its instants in Beijing time) where there is one, else its rule and the field's label (``web.refusals``)."""
    language = language_of(request)
    keyed = vocabulary_of(request).pair(error.key) if error.key else None
    if keyed is not None:
        suffix = vocabulary_of(request).translator(language)("time.beijing")
        values = {name: f"{shown_day(value)} {suffix}" if isinstance(value, datetime) else value
                  for name, value in error.values.items()}
        text = keyed[0 if language == "zh" else 1]
        said = text.format(**values) if values else text
        label = field_label(vocabulary_of(request), language, error.field, error.code)
        if label is None:
            return said
        return f"{label}：{said}" if language == "zh" else f"{label}: {said}"
    return refusal_text(error, vocabulary_of(request), language_of(request))


def error_page(request: Request[Any, Any, Any], error: DomainError) -> Template:
    """The error page for a refused command: its status and the rule it broke."""
    return Template("errors/error.html.jinja2", status_code=status_of(error),
                    context=page_context(request, status=status_of(error), message=explain(request, error)))


def admin_only(request: Request[Any, Any, Any]) -> Template:
    """The refusal of a platform admin's page to anyone else, in the reader's language (and nothing of the page)."""
    context = page_context(request, status=403)
    context["message"] = context["t"]("error.admin_only")
    return Template("errors/error.html.jinja2", status_code=403, context=context)


def form_error(request: Request[Any, Any, Any], template: str, error: DomainError, **values: Any) -> Template:
    return Template(template, status_code=status_of(error),
                    context=page_context(request, error=explain(request, error), error_field=error.field, **values))



_NAMED_FIELD = re.compile(r"^Object (?:missing required|contains unknown) field `([^`]+)`")


def refused_field(key: str, message: str) -> tuple[str, str]:
    """The field a refused body names: msgspec reports a missing or unknown field at its parent object
    (``data`` for the body itself), so the field inside the message is the one to name."""
    named = _NAMED_FIELD.match(message)
    if named is None:
        return key, message
    return (named.group(1) if key == "data" else f"{key}.{named.group(1)}"), message


def http_error_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    if exc.status_code >= 500:
        return internal_error_handler(request, exc)
    if exc.status_code == 401 and not is_api(request):  # the login guard refused a page: log in, then come back
        return Redirect(f"/login?next={quote(request.url.path)}", status_code=303)
    if is_api(request):
        body: dict[str, Any] = {"status_code": exc.status_code, "detail": exc.detail}
        if exc.extra:
            body["extra"] = exc.extra
        first = exc.extra[0] if isinstance(exc.extra, list) and exc.extra else None
        if isinstance(first, dict) and first.get("key"):  # a parameter or field litestar refused: name it
            field, message = refused_field(str(first["key"]), str(first.get("message", exc.detail)))
            code, params = input_refusal(message)
            language = stated_language(request)
            detail = f"{field}: {message}"
            if language is not None:
                refusal = ValidationError(detail, field=field, code=code)
                refusal.params = dict(params)
                detail = refusal_text(refusal, vocabulary_of(request), language)
            body |= {"field": field, "code": code, "detail": detail}
        return Response(body, status_code=exc.status_code, media_type=MediaType.JSON, headers=exc.headers)
    return Template("errors/error.html.jinja2", status_code=exc.status_code, headers=exc.headers,
                    context=page_context(request, status=exc.status_code, message=page_detail(request, exc)))


_NO_SUCH = re.compile(r"^([a-z][a-z0-9_.]*): no [a-z ]+ with id ")


def page_detail(request: Request[Any, Any, Any], exc: HTTPException) -> str:
    """An HTTP refusal as a page shows it: a record not found is said in the reader's language, naming what
    was looked for by its label; another refusal's rule is led by its field's label, not its internal name."""
    detail = str(exc.detail)
    missing = _NO_SUCH.match(detail)
    error: DomainError
    if exc.status_code == 404 and (missing is not None or detail == "Not Found"):
        error = NotFoundError(detail, field=missing.group(1) if missing else None, code="not_found")
    else:
        named = re.match(r"^([a-z][a-z0-9_.]*): ", detail)
        error = ValidationError(detail, field=named.group(1) if named else None)
    return refusal_text(error, vocabulary_of(request), language_of(request))


def internal_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Log the unexpected error with the request's id; answer a 500 that shows only that id.

    The page is plain HTML rather than a template: whatever failed (the session, a template,
    the database) must not also break the answer.
    """
    rid = request_id(request.scope)
    logger.error("unexpected error %s %s [request %s]", request.method, request.url.path, rid, exc_info=exc)
    if is_api(request):
        body = {"status_code": 500, "detail": "internal server error", "request_id": rid}
        return Response(body, status_code=500, media_type=MediaType.JSON)
    page = (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>出错了 · Server error</title>'
        '<link rel="stylesheet" href="/static/app.css"></head><body><main><h1>出错了 · Something went wrong</h1>'
        "<p>服务器出错，我们已记录。请稍后再试；如需联系我们，请提供请求编号。</p>"
        "<p>The server failed and has logged it. Please try again later; if you contact us, quote the request id.</p>"
        f'<p>请求编号 / Request id: <code id="request-id">{escape(rid)}</code></p>'
        '<p><a href="/">首页 · Home</a></p></main></body></html>'
    )
    return Response(page, status_code=500, media_type=MediaType.HTML)


class MarketplaceRequest(HTMXRequest):
    """The htmx plugin's request (``request.htmx``) whose JSON body nested too deeply is a 400, not a RecursionError
    (a 500)."""

    async def json(self) -> Any:
        try:
            return await super().json()
        except RecursionError:
            raise ClientException("body: the JSON is nested too deeply") from None


async def refuse_nul_in_query(request: Request[Any, Any, Any]) -> None:
    """A NUL character in the query string is a 400: PostgreSQL text cannot hold one, and no search needs it."""
    for key, value in request.query_params.multi_items():
        if "\x00" in key or "\x00" in value:
            name = key.replace(chr(0), "")
            position = (value if "\x00" in value else key).find("\x00") + 1
            raise ValidationError(f"{name}: must not contain a NUL character", field=name,
                                  code="text.refused_character", position=position, character="U+0000",
                                  reason="control")
