"""Answers that need neither a session, nor CSRF, nor an identity: static files and anonymous listing pages.

Both sit in front of litestar's middleware (``web.app.create_app`` wraps its ASGI handler):

* :func:`serve_static` answers ``GET /static/...`` from memory (the files are read once at start-up) with an
  ``ETag`` and ``304 Not Modified``; litestar's static router opened and stat'ed each file in a worker thread
  behind the session, CSRF and credentials middleware, about a tenth of the framework's rate.
* :func:`cache_public_pages` keeps the rendered listing index (``GET /listings``, its facet filters and
  pages, not a text search: those are unbounded and each is asked rarely) for visitors without a session
  cookie or bearer token, keyed by the parameters the page reads (any others are ignored), the page's language
  and whether htmx asks for the results only (a full cache takes a new page in only if it was asked for more
  often lately than the kept page asked for least often, which gives way: one-off pages do not push out the
  popular ones); each page is kept with the catalogue read model's position in the event log it was rendered
  at. Any event the catalogue applies moves the position: the first request after that renders the page anew,
  and one rendering runs per page at a time (the requests for it meanwhile get the page kept, if it began
  rendering at most ``STALE_SECONDS`` ago, or wait for the rendering), so a stream of writes costs one
  rendering per change, not one per waiting request. An anonymous visitor may thus see a page up to that
  bound old; nobody who wrote does: a logged-in user's requests carry the session
  cookie and never touch this cache, nor does a browser holding the ``marketplace_seen`` cookie (it just
  wrote: read your writes, ``web.replica``), nor a bearer token. A cached page never holds anything of a
  user: it is rendered for an anonymous request, and only the CSRF token (per browser) is put in when it is
  served.

Both are inside litestar's ``before_send`` hooks (``Litestar.__call__`` wraps ``send`` before it calls the
ASGI handler): every answer here gets the security headers and request id of ``web.security_headers``,
304s included.
"""

from __future__ import annotations

import asyncio
import hashlib
import mimetypes
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, replace
from email.utils import formatdate
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import parse_qsl, unquote, urlencode

from litestar._parsers import parse_cookie_string
from litestar.datastructures import Cookie
from litestar.enums import ScopeType
from litestar.middleware.csrf import generate_csrf_token
from markupsafe import escape

from projections.catalogue.queries import PUBLIC_STATUSES, SORTS
from web.catalogue.pages import FILTER_KEYS
from web.errors import REQUEST_ID_HEADER
from web.i18n import LANGUAGES, pick_language
from web.params import page_number
from web.replica import COOKIE as SEEN_COOKIE

if TYPE_CHECKING:
    from litestar.config.csrf import CSRFConfig
    from litestar.types import ASGIApp, HTTPResponseStartEvent, Message, Receive, Scope, Send

Headers = list[tuple[bytes, bytes]]

#: How long a browser may keep a static file before asking again (it asks with ``If-None-Match``).
STATIC_MAX_AGE = 3600
#: Pages kept per process (when full, the page asked for least often lately gives way; see ``PageCache.put``).
PAGE_CACHE_SIZE = 128
#: Requests counted per page kept before every page's count is halved (``PageCache.put``).
ADMISSION_SAMPLE = 10
#: How old (since its rendering began) a kept page may be when it is served while the catalogue has moved and
#: the page is being rendered anew: an anonymous visitor sees every change older than this.
STALE_SECONDS = 1.0
#: The query parameters the listing index reads (``web.catalogue.pages``).
PAGE_PARAMETERS = (*FILTER_KEYS, "page", "lang")
CACHED_PATHS = frozenset({"/listings"})
#: An anonymous page may be kept by the browser but checked each time; never by a shared cache (its body
#: holds the browser's CSRF token, and a first answer sets that cookie).
PUBLIC_CACHE_CONTROL = b"private, no-cache"
VARY = b"Cookie, Accept-Language, HX-Request, HX-Target"


def _header(scope: Scope, name: bytes) -> bytes | None:
    return next((v for k, v in scope.get("headers", ()) if k == name), None)


def _cookie_header(scope: Scope) -> str:
    return "; ".join(v.decode("latin-1") for k, v in scope.get("headers", ()) if k == b"cookie")


def _cookies(scope: Scope) -> dict[str, str]:
    """The browser's cookies as litestar reads them (``Request.cookies``: URL-decoded, past any pair that
    ``SimpleCookie`` would give up at), so that the session, ``marketplace_seen`` and ``lang`` cookies the page
    would see are the ones the cache sees."""
    raw = _cookie_header(scope)
    if not raw:
        return {}
    try:
        return parse_cookie_string(raw)
    except Exception:  # a cookie litestar could not read either: not taken for an anonymous browser
        return {"": ""}


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
    position: int = -1  # the catalogue's position when its rendering began: it shows every event up to there
    started: float = 0.0  # when its rendering began (``PageCache.clock``)


@dataclass
class _Flight:
    """A rendering under way: the requests for the same page that cannot be answered from the cache wait for it."""

    position: int
    started: float
    done: asyncio.Future[_Page | None]


class PageCache:
    """Rendered anonymous pages of one process, each kept with the catalogue position it was rendered at.

    A page is fresh while the catalogue stands at its position. When the catalogue has moved, the first
    request renders the page anew (one rendering per page at a time: a request that finds one under way
    waits for it rather than rendering too); while that rendering runs, the others are answered with the
    page kept, as long as its rendering began at most ``stale_seconds`` ago: an anonymous page then shows
    every change older than that bound. A logged-in user, a bearer token and a browser holding the
    ``marketplace_seen`` cookie never come here (``_cacheable``), so none of them ever gets a kept page.
    """

    def __init__(self, size: int = PAGE_CACHE_SIZE, stale_seconds: float = STALE_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.size = size
        self.stale_seconds = stale_seconds
        self.clock = clock
        self.pages: OrderedDict[tuple[Any, ...], _Page] = OrderedDict()
        self.flights: dict[tuple[Any, ...], _Flight] = {}
        self.hits = 0  # answered with a page at the catalogue's position
        self.stale = 0  # answered with an older page while it was being rendered anew
        self.misses = 0  # renderings (and requests that waited for one)
        self.refused = 0  # renderings not kept: asked for less often lately than the page they would push out
        self.asked: dict[int, int] = {}  # requests per page lately, by the hash of its key (see ``put``)
        self._counted = 0
        self._reading: asyncio.Future[int] | None = None

    def get(self, key: tuple[Any, ...]) -> _Page | None:
        """The page kept for ``key`` (or ``None``); counts the request (see ``put``)."""
        self._count(key)
        page = self.pages.get(key)
        if page is not None:
            self.pages.move_to_end(key)
        return page

    def put(self, key: tuple[Any, ...], page: _Page) -> None:
        """Keep ``page``. When the cache is full, a new page takes the place of the kept page asked for least
        often lately (of those, the least recently asked for), and only if it was itself asked for more often;
        otherwise it is served to those who asked, and not kept. So pages asked for once each (a crawler, or
        someone walking ``ipc_class=A01``, ``A02``, … to empty the cache) do not push out the pages visitors keep
        asking for, while a page that becomes popular gets in (a page much asked for that falls quiet blocks
        nothing: any page kept that is asked for less often than the newcomer gives way)."""
        if self.size <= 0:
            return
        kept = self.pages.get(key)
        if kept is not None:
            if kept.position > page.position:
                return  # a rendering begun later has already finished
        elif len(self.pages) >= self.size:
            asked = self.asked.get
            coldest = min(self.pages, key=lambda k: asked(hash(k), 0))  # the first such: least recently asked
            if asked(hash(key), 0) <= asked(hash(coldest), 0):
                self.refused += 1
                return
            del self.pages[coldest]
        self.pages[key] = page
        self.pages.move_to_end(key)
        while len(self.pages) > self.size:  # the size was lowered
            self.pages.popitem(last=False)

    def _count(self, key: tuple[Any, ...]) -> None:
        """Count a request for ``key``: by its hash (a few bytes, whatever the parameters' length); every count is
        halved after ``ADMISSION_SAMPLE`` requests per page kept, so the counts say what is asked for lately and
        stay few (one-off keys are dropped at the halving: at most twice ``ADMISSION_SAMPLE`` counts per page
        kept)."""
        if self.size <= 0:
            return  # nothing is kept: nothing to weigh
        h = hash(key)
        self.asked[h] = self.asked.get(h, 0) + 1
        self._counted += 1
        if self._counted >= self.size * ADMISSION_SAMPLE:
            self._counted = 0
            self.asked = {k: n // 2 for k, n in self.asked.items() if n > 1}

    async def position(self, read: Callable[[], Awaitable[int]]) -> int:
        """The catalogue's position; requests arriving while one read is under way share its answer."""
        reading = self._reading
        if reading is None:
            reading = self._reading = asyncio.ensure_future(read())

            def forget(done: asyncio.Future[int]) -> None:
                if self._reading is done:
                    self._reading = None
                if not done.cancelled():
                    done.exception()  # retrieved: the requests awaiting it each see it

            reading.add_done_callback(forget)
        return await asyncio.shield(reading)

    def servable_stale(self, page: _Page) -> bool:
        return self.clock() - page.started <= self.stale_seconds


def _csrf_cookie_header(config: CSRFConfig, token: str) -> bytes:
    """The ``Set-Cookie`` litestar's CSRF middleware sends a browser that has no token yet."""
    cookie = Cookie(key=config.cookie_name, value=token, path=config.cookie_path, secure=config.cookie_secure,
                    httponly=config.cookie_httponly, samesite=config.cookie_samesite, domain=config.cookie_domain)
    return cookie.to_header(header="").encode("latin-1")


def _cacheable(scope: Scope, cookies: dict[str, str]) -> bool:
    """An anonymous GET of a cached path."""
    if scope.get("method") != "GET" or scope["path"] not in CACHED_PATHS:
        return False
    if "session" in cookies or "" in cookies or _header(scope, b"authorization") is not None:
        return False
    # A browser that just wrote must see its write: read as web.replica decides, never from a kept page.
    return SEEN_COOKIE not in cookies


def _page_query(scope: Scope) -> tuple[tuple[str, str], ...] | None:
    """The parameters the listing index reads, as it reads them (``web.catalogue.pages``: the first value of
    each, stripped; defaults and values it ignores left out), or None for a text search (not kept: each is
    asked rarely). Any other parameter (``?utm=…``, ``?%71=`` which is an empty ``q``) leaves the page as it
    is, so it neither fills the cache with copies nor pushes pages out."""
    raw: bytes = scope.get("query_string", b"")
    first: dict[str, str] = {}
    if raw:  # as litestar parses it (``litestar._parsers.parse_qsl``)
        for name, value in parse_qsl(raw.decode("latin-1"), keep_blank_values=True, separator="&"):
            if name in PAGE_PARAMETERS:
                first.setdefault(name, value)
    if first.get("q", "").strip():
        return None
    kept: list[tuple[str, str]] = []
    for name in PAGE_PARAMETERS:
        value = first.get(name, "")
        if name == "page":
            number = page_number(value)
            value = str(number) if number > 1 else ""
        elif name == "lang":
            value = value if value in LANGUAGES else ""
        else:
            value = value.strip()
            if (name == "status" and value not in PUBLIC_STATUSES[1:]) or (name == "sort" and value not in SORTS):
                value = ""
        if value:
            kept.append((name, value))
    return tuple(kept)


def _htmx_header(scope: Scope, name: bytes) -> str | None:
    """An htmx header as the page reads it (``litestar_htmx``: URI-decoded when htmx says it encoded it)."""
    value = _header(scope, name)
    if not value:
        return None
    text = value.decode("latin-1")
    return unquote(text) if _header(scope, name + b"-uri-autoencoded") == b"true" else text


def _page_key(scope: Scope, cookies: dict[str, str], query: tuple[tuple[str, str], ...]) -> tuple[Any, ...]:
    accept = (_header(scope, b"accept-language") or b"").decode("latin-1")
    lang = pick_language(dict(query).get("lang"), cookies.get("lang"), accept)
    partial = _htmx_header(scope, b"hx-request") == "true" and _htmx_header(scope, b"hx-target") == "results"
    return (scope["path"], query, lang, partial)


def cache_public_pages(app: ASGIApp, cache: PageCache | None = None) -> ASGIApp:
    """Serve anonymous ``GET /listings`` pages from ``cache`` (see ``PageCache``)."""
    pages = cache if cache is not None else PageCache()

    async def handle(scope: Scope, receive: Receive, send: Send) -> None:
        cookies = _cookies(scope) if scope["type"] == ScopeType.HTTP else {}
        query = _page_query(scope) if _cacheable(scope, cookies) else None
        if query is None:
            await app(scope, receive, send)
            return
        litestar = scope["app"]
        csrf: CSRFConfig | None = litestar.csrf_config
        if csrf is None:  # nothing to put in the page: no cache
            await app(scope, receive, send)
            return
        try:
            position = await pages.position(litestar.state.web.catalogue.position)
        except Exception:  # the database is away: litestar answers (and reports) as it would without the cache
            await app(scope, receive, send)
            return
        key = _page_key(scope, cookies, query)
        page = pages.get(key)
        flight = pages.flights.get(key)
        if page is not None and page.position >= position:
            pages.hits += 1
        elif page is not None and flight is not None and pages.servable_stale(page):
            pages.stale += 1  # rendered anew meanwhile by another request
        elif flight is not None and pages.clock() - flight.started <= pages.stale_seconds:
            pages.misses += 1
            page = await asyncio.shield(flight.done)
            if page is None:  # that rendering kept nothing: answered here as litestar answers
                await app(scope, receive, send)
                return
        else:
            pages.misses += 1
            # Rendered for the parameters the page reads (its own links then carry no others).
            asked = cast("Scope", {**scope, "query_string": urlencode(query).encode("ascii")})
            page = await _render_once(pages, key, position, app, asked, receive, send, csrf, cookies)
            if page is None:
                return  # not a page to keep: already answered as litestar answered it
        await _serve(scope, send, page, csrf, cookies.get(csrf.cookie_name))

    return handle


async def _render_once(pages: PageCache, key: tuple[Any, ...], position: int, app: ASGIApp, scope: Scope,
                       receive: Receive, send: Send, csrf: CSRFConfig, cookies: dict[str, str]) -> _Page | None:
    """Render the page, the requests for it arriving meanwhile waiting for this rendering (or served the
    page kept, see ``PageCache``), and keep it."""
    flight = _Flight(position, pages.clock(), asyncio.get_running_loop().create_future())
    mine = key not in pages.flights
    if mine:
        pages.flights[key] = flight
    page: _Page | None = None
    try:
        page = await _render(app, scope, receive, send, csrf, cookies)
        if page is not None:
            page = replace(page, position=position, started=flight.started)
            pages.put(key, page)
        return page
    finally:
        if mine:
            if pages.flights.get(key) is flight:
                del pages.flights[key]
            flight.done.set_result(page)


async def _render(app: ASGIApp, scope: Scope, receive: Receive, send: Send, csrf: CSRFConfig,
                  cookies: dict[str, str]) -> _Page | None:
    """Let litestar answer; a 200 page is returned to be kept (and served), anything else is sent as it is."""
    messages: list[dict[str, Any]] = []

    async def keep(message: Message) -> None:
        messages.append(cast("dict[str, Any]", message))

    # Rendered as for a browser without a CSRF token, whatever this one holds: the fresh token is then
    # 128 hex characters found nowhere else, and the body can be cut where it stands.
    # The other cookies are passed on as the browser spelt them (decoded and spelt again, a value would be
    # decoded twice), so that the page reads what the cache read.
    headers = [(k, v) for k, v in scope["headers"] if k != b"cookie"]
    if cookies:
        kept = ";".join(part for part in _cookie_header(scope).split(";")
                        if part.split("=", 1)[0].strip() != csrf.cookie_name)
        if kept.strip(" ;"):
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


async def _serve(scope: Scope, send: Send, page: _Page, csrf: CSRFConfig, held: str | None) -> None:
    token = held or generate_csrf_token(secret=csrf.secret)
    body = str(escape(token)).encode("latin-1", "xmlcharrefreplace").join(page.parts)
    etag = b'W/"' + f"{page.position}-{hashlib.blake2b(body, digest_size=12).hexdigest()}".encode() + b'"'
    headers = [*page.headers, (b"etag", etag), (b"cache-control", PUBLIC_CACHE_CONTROL), (b"vary", VARY)]
    if held is None:
        headers.append((b"set-cookie", _csrf_cookie_header(csrf, token)))
    if held is not None and _etag_matches(scope, etag):
        await _answer(send, 304, headers, b"")
        return
    await _answer(send, 200, headers, body)
