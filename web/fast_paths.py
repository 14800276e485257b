"""Answers that need neither a session, nor CSRF, nor an identity: static files and anonymous listing pages.

Both sit in front of litestar's middleware (``web.app.create_app`` wraps its ASGI handler):

* :func:`serve_static` answers ``GET /static/...`` from memory (the files are read once at start-up) with an
  ``ETag`` and ``304 Not Modified``; litestar's static router opened and stat'ed each file in a worker thread
  behind the session, CSRF and credentials middleware, about a tenth of the framework's rate.
* :func:`cache_public_pages` keeps the rendered listing index (``GET /listings``, its facet filters and
  pages, not a text search: those are unbounded and each is asked rarely) for visitors without a session
  cookie or bearer token, keyed by the catalogue read model's position in the event log, the query string,
  the page's language and the htmx target. Any event the catalogue applies moves the position, so a cached
  page is never older than what a new request would read: a writer who waited for the read models (read your
  writes, ``WebState.wait_for``) sees the change, in this worker or any other (a browser holding the read
  replica's ``marketplace_seen`` cookie is not served from here at all). A logged-in user's requests carry
  the session cookie and never touch this cache, nor does a cached page ever hold anything of a user: it is
  rendered for an anonymous request, and only the CSRF token (per browser) is put in when it is served.

Both are inside litestar's ``before_send`` hooks (``Litestar.__call__`` wraps ``send`` before it calls the
ASGI handler): every answer here gets the security headers and request id of ``web.security_headers``,
304s included.
"""

from __future__ import annotations

import hashlib
import mimetypes
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from email.utils import formatdate
from http.cookies import SimpleCookie
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from litestar.datastructures import Cookie
from litestar.enums import ScopeType
from litestar.middleware.csrf import generate_csrf_token
from markupsafe import escape

from web.errors import REQUEST_ID_HEADER
from web.i18n import pick_language
from web.replica import COOKIE as SEEN_COOKIE

if TYPE_CHECKING:
    from litestar.config.csrf import CSRFConfig
    from litestar.types import ASGIApp, HTTPResponseStartEvent, Message, Receive, Scope, Send

Headers = list[tuple[bytes, bytes]]

#: How long a browser may keep a static file before asking again (it asks with ``If-None-Match``).
STATIC_MAX_AGE = 3600
#: Pages kept per process (per catalogue position: all are dropped when it moves).
PAGE_CACHE_SIZE = 128
CACHED_PATHS = frozenset({"/listings"})
#: An anonymous page may be kept by the browser but checked each time; never by a shared cache (its body
#: holds the browser's CSRF token, and a first answer sets that cookie).
PUBLIC_CACHE_CONTROL = b"private, no-cache"
VARY = b"Cookie, Accept-Language, HX-Request, HX-Target"


def _header(scope: Scope, name: bytes) -> bytes | None:
    return next((v for k, v in scope.get("headers", ()) if k == name), None)


def _cookies(scope: Scope) -> dict[str, str]:
    raw = b"; ".join(v for k, v in scope.get("headers", ()) if k == b"cookie")
    if not raw:
        return {}
    parsed: SimpleCookie = SimpleCookie()
    try:
        parsed.load(raw.decode("latin-1"))
    except Exception:  # a malformed Cookie header: litestar's own parser decides further in
        return {"": ""}
    cookies = {k: m.value for k, m in parsed.items()}
    if b"session=" in raw and "session" not in cookies:
        # ``SimpleCookie`` gives up silently at a pair it cannot read (``path=/; session=…``) where litestar's
        # parser reads on: such a browser may be logged in, so it is not taken for an anonymous one.
        return {"": ""}
    return cookies


def _etag_matches(scope: Scope, etag: bytes) -> bool:
    sent = _header(scope, b"if-none-match")
    if not sent:
        return False
    tags = [t.strip().removeprefix(b"W/") for t in sent.split(b",")]
    return b"*" in tags or etag.removeprefix(b"W/") in tags


async def _answer(send: Send, status: int, headers: Headers, body: bytes) -> None:
    # A new list each time: the ``before_send`` hooks add the security headers to the one they are given.
    sent = [*headers, (b"content-length", str(len(body)).encode())] if status != 304 else [*headers]
    start: HTTPResponseStartEvent = {"type": "http.response.start", "status": status, "headers": sent}
    await send(start)
    await send({"type": "http.response.body", "body": b"" if status == 304 else body, "more_body": False})


# --- static files ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class _StaticFile:
    body: bytes
    etag: bytes
    headers: Headers  # 200 and 304 alike, less the length


def _static_files(directory: Path) -> dict[str, _StaticFile]:
    files: dict[str, _StaticFile] = {}
    for path in sorted(directory.rglob("*")):
        if not path.is_file():
            continue
        name = "/static/" + path.relative_to(directory).as_posix()
        body = path.read_bytes()
        etag = f'"{hashlib.blake2b(body, digest_size=12).hexdigest()}"'.encode()
        kind, encoding = mimetypes.guess_type(path.name)
        kind = kind or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/javascript", "image/svg+xml", "application/json"):
            kind += "; charset=utf-8"
        headers: Headers = [
            (b"content-type", kind.encode()),
            (b"etag", etag),
            (b"last-modified", formatdate(path.stat().st_mtime, usegmt=True).encode()),
            (b"cache-control", f"public, max-age={STATIC_MAX_AGE}".encode()),
        ]
        if encoding:
            headers.append((b"content-encoding", encoding.encode()))
        files[name] = _StaticFile(body, etag, headers)
    return files


def serve_static(app: ASGIApp, directory: Path) -> ASGIApp:
    """``GET /static/<file>`` from memory; anything else (a missing file, another method) goes on to ``app``."""
    files = _static_files(directory)

    async def handle(scope: Scope, receive: Receive, send: Send) -> None:
        found = files.get(scope["path"]) if scope.get("method") == "GET" else None
        if found is None:
            await app(scope, receive, send)
            return
        if _etag_matches(scope, found.etag):
            await _answer(send, 304, found.headers, b"")
        else:
            await _answer(send, 200, found.headers, found.body)

    return handle


# --- anonymous pages ------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Page:
    status: int
    headers: Headers  # the security headers and content type litestar gave, less cookies, length, request id
    parts: tuple[bytes, ...]  # the body cut where the (HTML-escaped) CSRF token stood


class PageCache:
    """Rendered anonymous pages of one process, for one catalogue position at a time."""

    def __init__(self, size: int = PAGE_CACHE_SIZE) -> None:
        self.size = size
        self.position = -1
        self.pages: OrderedDict[tuple[Any, ...], _Page] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def at(self, position: int) -> None:
        if position != self.position:
            self.pages.clear()
            self.position = position

    def get(self, key: tuple[Any, ...]) -> _Page | None:
        page = self.pages.get(key)
        if page is not None:
            self.pages.move_to_end(key)
        return page

    def put(self, key: tuple[Any, ...], page: _Page) -> None:
        self.pages[key] = page
        while len(self.pages) > self.size:
            self.pages.popitem(last=False)


def _csrf_cookie_header(config: CSRFConfig, token: str) -> bytes:
    """The ``Set-Cookie`` litestar's CSRF middleware sends a browser that has no token yet."""
    cookie = Cookie(key=config.cookie_name, value=token, path=config.cookie_path, secure=config.cookie_secure,
                    httponly=config.cookie_httponly, samesite=config.cookie_samesite, domain=config.cookie_domain)
    return cookie.to_header(header="").encode("latin-1")


def _cacheable(scope: Scope, cookies: dict[str, str]) -> bool:
    """An anonymous GET of a cached path, not a text search."""
    if scope.get("method") != "GET" or scope["path"] not in CACHED_PATHS:
        return False
    if "session" in cookies or "" in cookies or _header(scope, b"authorization") is not None:
        return False
    if SEEN_COOKIE in cookies:  # a browser that just wrote must see its write: read as web.replica decides
        return False
    query: bytes = scope.get("query_string", b"")
    return not any(p.startswith(b"q=") and len(p) > 2 for p in query.split(b"&"))


def _page_key(scope: Scope, cookies: dict[str, str]) -> tuple[Any, ...]:
    query: bytes = scope.get("query_string", b"")
    lang_query = next((p[5:].decode("latin-1") for p in query.split(b"&") if p.startswith(b"lang=")), None)
    accept = (_header(scope, b"accept-language") or b"").decode("latin-1")
    lang = pick_language(lang_query, cookies.get("lang"), accept)
    return (scope["path"], query, lang, _header(scope, b"hx-request"), _header(scope, b"hx-target"))


def cache_public_pages(app: ASGIApp, cache: PageCache | None = None) -> ASGIApp:
    """Serve anonymous ``GET /listings`` pages from ``cache`` while the catalogue has not moved."""
    pages = cache if cache is not None else PageCache()

    async def handle(scope: Scope, receive: Receive, send: Send) -> None:
        cookies = _cookies(scope) if scope["type"] == ScopeType.HTTP else {}
        if not _cacheable(scope, cookies):
            await app(scope, receive, send)
            return
        litestar = scope["app"]
        csrf: CSRFConfig | None = litestar.csrf_config
        if csrf is None:  # nothing to put in the page: no cache
            await app(scope, receive, send)
            return
        try:
            position = await litestar.state.web.catalogue.position()
        except Exception:  # the database is away: litestar answers (and reports) as it would without the cache
            await app(scope, receive, send)
            return
        pages.at(position)
        key = _page_key(scope, cookies)
        page = pages.get(key)
        if page is None:
            pages.misses += 1
            page = await _render(app, scope, receive, send, csrf, cookies)
            if page is None:
                return  # not a page to keep: already answered as litestar answered it
            pages.at(position)
            pages.put(key, page)
        else:
            pages.hits += 1
        await _serve(scope, send, page, csrf, cookies.get(csrf.cookie_name), position)

    return handle


async def _render(app: ASGIApp, scope: Scope, receive: Receive, send: Send, csrf: CSRFConfig,
                  cookies: dict[str, str]) -> _Page | None:
    """Let litestar answer; a 200 page is returned to be kept (and served), anything else is sent as it is."""
    messages: list[dict[str, Any]] = []

    async def keep(message: Message) -> None:
        messages.append(cast("dict[str, Any]", message))

    # Rendered as for a browser without a CSRF token, whatever this one holds: the fresh token is then
    # 128 hex characters found nowhere else, and the body can be cut where it stands.
    headers = [(k, v) for k, v in scope["headers"] if k != b"cookie"]
    if cookies:
        kept = "; ".join(f"{k}={v}" for k, v in cookies.items() if k != csrf.cookie_name)
        if kept:
            headers.append((b"cookie", kept.encode("latin-1")))
    await app(cast("Scope", {**scope, "headers": headers}), receive, keep)
    start = messages[0] if messages else None
    token = _set_token(start["headers"] if start else (), csrf.cookie_name)
    body = b"".join(m.get("body", b"") for m in messages[1:])
    setting_more = start is not None and any(
        k.lower() == b"set-cookie" and not v.startswith(csrf.cookie_name.encode() + b"=") for k, v in start["headers"])
    if start is None or start["status"] != 200 or token is None or setting_more or len(token) < 64:
        for message in messages:
            await send(cast("Message", message))
        return None
    skipped = {b"set-cookie", b"content-length", REQUEST_ID_HEADER.lower().encode(), b"etag", b"cache-control",
               b"vary"}
    kept_headers = [(k, v) for k, v in start["headers"] if k.lower() not in skipped]
    return _Page(200, kept_headers, tuple(body.split(str(escape(token)).encode())))


def _set_token(headers: Iterable[tuple[bytes, bytes]], name: str) -> str | None:
    prefix = name.encode() + b"="
    for k, v in headers:
        if k.lower() == b"set-cookie" and v.startswith(prefix):
            return v[len(prefix):].split(b";", 1)[0].decode("latin-1")
    return None


async def _serve(scope: Scope, send: Send, page: _Page, csrf: CSRFConfig, held: str | None, position: int) -> None:
    token = held or generate_csrf_token(secret=csrf.secret)
    body = str(escape(token)).encode("latin-1", "xmlcharrefreplace").join(page.parts)
    etag = b'W/"' + f"{position}-{hashlib.blake2b(body, digest_size=12).hexdigest()}".encode() + b'"'
    headers = [*page.headers, (b"etag", etag), (b"cache-control", PUBLIC_CACHE_CONTROL), (b"vary", VARY)]
    if held is None:
        headers.append((b"set-cookie", _csrf_cookie_header(csrf, token)))
    if held is not None and _etag_matches(scope, etag):
        await _answer(send, 304, headers, b"")
        return
    await _answer(send, 200, headers, body)
