"""Static files and anonymous listing pages served before the session, CSRF and identity middleware
(web/fast_paths.py): as safe as the slow path — security headers on every answer, 304s included, the CSRF
token per browser, a logged-in user's page never shown to anyone else, never kept by any cache, and a change
seen at once by the writer and by everyone else."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import msgspec
import psycopg
import pytest
from litestar import Litestar
from litestar.testing import TestClient
from psycopg.rows import dict_row

from marketplace.platform.services import Services
from tests.web.conftest import login, sign_up_verified
from tests.web.test_security import (
    PASSWORD,
    TITLE,
    assert_hardened,
    bearer,
    organisation_of,
    register_and_draft,
)
from web.fast_paths import ADMISSION_SAMPLE, PageCache

STATIC = Path(__file__).parents[2] / "web" / "static"
HX_RESULTS = {"HX-Request": "true", "HX-Target": "results"}


@pytest.fixture
def client(web_app: Litestar) -> Iterator[TestClient[Litestar]]:
    with TestClient(web_app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def member(client: TestClient[Litestar], services: Services) -> dict[str, str]:
    headers = sign_up_verified(client, services, "wang@fzu.example.cn", "福州大学")
    client.cookies.clear()
    return headers | {"organisation_id": organisation_of(client, "wang@fzu.example.cn")}


def page_cache(client: TestClient[Litestar]) -> PageCache:
    cache = client.app.state.page_cache
    assert isinstance(cache, PageCache)
    return cache


@contextmanager
def another_browser(client: TestClient[Litestar]) -> Iterator[TestClient[Litestar]]:
    """The same app seen from a browser with no cookies (the client's own are put back after)."""
    kept = dict(client.cookies.items())
    client.cookies.clear()
    try:
        yield client
    finally:
        client.cookies.clear()
        for name, value in kept.items():
            client.cookies.set(name, value, domain="testserver.local")


def settle(client: TestClient[Litestar]) -> None:
    """Wait until the read models have applied the fixtures' events (the page cache starts over at each)."""
    services: Services = client.app.state.web.services
    head = services.recorder.max_notification_id() or 0
    deadline = time.monotonic() + 60  # a loaded CI machine; caught up, the loop ends at once
    while any(view.position(services.app.name) < head for view in services.views.values()):
        assert time.monotonic() < deadline, "the read models did not catch up"
        time.sleep(0.02)
    client.get("/listings")
    for _ in range(100):
        if client.get("/listings").headers["etag"] == client.get("/listings").headers["etag"]:
            return
        time.sleep(0.1)
    raise AssertionError("the catalogue never stood still")


def page_token(html: str) -> str:
    found = re.search(r'hx-headers=\'\{"x-csrftoken": "([^"]+)"\}\'', html)
    assert found, "the page carries no CSRF token for htmx"
    return found.group(1)


def session_rows(services: Services) -> int:
    with psycopg.connect(services.address.conninfo(), row_factory=dict_row) as conn:
        row = conn.execute("SELECT count(*) AS n FROM web_sessions").fetchone()
    assert row is not None
    return int(row["n"])


# --- static files ---------------------------------------------------------------------------------
def test_a_static_file_is_answered_whole_with_its_etag_then_304_with_the_security_headers(
    client: TestClient[Litestar],
) -> None:
    first = client.get("/static/app.css")
    assert first.status_code == 200
    assert first.content == (STATIC / "app.css").read_bytes()
    assert first.headers["content-type"].startswith("text/css")
    assert first.headers["cache-control"] == "public, max-age=3600"
    assert "set-cookie" not in first.headers  # neither a session nor a CSRF cookie for a stylesheet
    assert_hardened(first)
    again = client.get("/static/app.css", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""
    assert_hardened(again)
    assert again.headers["x-request-id"] != first.headers["x-request-id"]
    other = client.get("/static/site.js", headers={"If-None-Match": first.headers["etag"]})
    assert other.status_code == 200  # another file's tag is not this one's
    assert other.content == (STATIC / "site.js").read_bytes()
    nested = client.get("/static/swagger-ui/LICENSE")
    assert nested.status_code == 200
    for _ in range(3):  # each answer has its headers once, however often the file was served
        answer = client.get("/static/app.css")
        for header in ("content-length", "content-security-policy", "etag", "x-request-id"):
            assert len(answer.headers.get_list(header)) == 1, header


@pytest.mark.parametrize("path", ["/static/../app.py", "/static/%2e%2e/app.py", "/static/missing.css",
                                  "/static/swagger-ui/../../app.py", "/static/"])
def test_nothing_outside_the_static_files_is_served(client: TestClient[Litestar], path: str) -> None:
    answer = client.get(path)
    assert answer.status_code == 404
    assert b"create_app" not in answer.content
    assert_hardened(answer)


def test_a_static_file_refuses_a_post_as_before(client: TestClient[Litestar]) -> None:
    assert client.post("/static/app.css").status_code in (403, 405)


# --- anonymous pages ------------------------------------------------------------------------------
def test_an_anonymous_visit_writes_no_session_and_sets_no_session_cookie(
    client: TestClient[Litestar], services: Services
) -> None:
    before = session_rows(services)
    for path in ("/", "/listings", "/listings?deal_type=assignment", "/patents", "/login"):
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert "session" not in client.cookies, path
        assert not any(c.startswith("session=") for c in answer.headers.get_list("set-cookie")), path
    assert session_rows(services) == before


def test_each_browser_gets_its_own_csrf_token_in_a_cached_page(client: TestClient[Litestar]) -> None:
    settle(client)
    client.cookies.clear()
    first = client.get("/listings")
    assert first.status_code == 200
    assert page_token(first.text) == client.cookies["csrftoken"]
    assert first.headers["cache-control"] == "private, no-cache"
    with another_browser(client) as other:
        second = other.get("/listings")
        assert page_cache(client).hits >= 1  # the same page, kept
        assert page_token(second.text) == other.cookies["csrftoken"]
        assert page_token(second.text) != page_token(first.text)
        assert_hardened(second)
    for header in ("content-length", "content-security-policy", "etag", "cache-control", "vary"):
        assert len(client.get("/listings").headers.get_list(header)) == 1, header
    again = client.get("/listings")  # the browser now holds its token: the page carries it, no new cookie
    assert page_token(again.text) == client.cookies["csrftoken"] == page_token(first.text)
    assert "csrftoken" not in again.headers.get("set-cookie", "")


def test_a_cached_page_is_revalidated_with_304_until_the_catalogue_moves(
    client: TestClient[Litestar], member: dict[str, str]
) -> None:
    _, listing_id = register_and_draft(client, bearer(member), member["organisation_id"])
    client.get("/listings")  # the browser's CSRF cookie
    page = client.get("/listings")
    assert TITLE not in page.text  # a draft is not public
    etag = page.headers["etag"]
    unchanged = client.get("/listings", headers={"If-None-Match": etag})
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert_hardened(unchanged)
    assert unchanged.headers["etag"] == etag
    published = client.post(f"/api/listings/{listing_id}/publish", headers=bearer(member))
    assert published.status_code == 200, published.text
    changed = client.get("/listings", headers={"If-None-Match": etag})
    assert changed.status_code == 200  # the writer's change is seen at once, by anyone
    assert TITLE in changed.text
    assert changed.headers["etag"] != etag


def test_the_htmx_part_and_the_whole_page_are_kept_apart(client: TestClient[Litestar]) -> None:
    part = client.get("/listings", headers=HX_RESULTS)
    whole = client.get("/listings")
    part_again = client.get("/listings", headers=HX_RESULTS)
    assert "<html" not in part.text
    assert part_again.text == part.text
    assert "<html" not in part_again.text
    assert "<html" in whole.text
    english = client.get("/listings", headers={"Accept-Language": "en-GB"})
    assert '<html lang="en"' in english.text
    assert "<html lang=\"zh-CN\"" in client.get("/listings").text


def test_an_htmx_target_sent_uri_encoded_does_not_put_the_results_part_in_place_of_the_whole_page(
    client: TestClient[Litestar],
) -> None:
    """htmx may send ``HX-Target`` URI-encoded (with ``HX-Target-URI-AutoEncoded: true``); the page then
    renders the results part, which must be kept as the part, never as the whole page everyone else gets."""
    settle(client)
    encoded = {"HX-Request": "true", "HX-Target": "%72esults", "HX-Target-URI-AutoEncoded": "true"}
    with another_browser(client) as attacker:
        part = attacker.get("/listings?page=4", headers=encoded)  # the first to ask for this page
        assert "<html" not in part.text
    with another_browser(client) as visitor:
        assert "<html" in visitor.get("/listings?page=4").text


@pytest.mark.parametrize("cookie", ["lang=%65n", "lang=%2565n", 'consent={"ads":false}; lang=%7A%68'])
def test_a_lang_cookie_litestar_reads_otherwise_does_not_put_a_page_of_one_language_under_the_other(
    client: TestClient[Litestar], cookie: str,
) -> None:
    """The page reads the ``lang`` cookie as litestar parses it (URL-decoded, read past a cookie
    ``SimpleCookie`` gives up at): the page kept for one language is never the other's."""
    settle(client)
    with another_browser(client) as odd:  # the first to ask for this page: it is rendered for this request
        odd.get("/listings?page=3", headers={"Cookie": cookie})
    with another_browser(client) as chinese:
        assert '<html lang="zh-CN"' in chinese.get("/listings?page=3").text
    with another_browser(client) as english:
        assert '<html lang="en"' in english.get("/listings?page=3", headers={"Accept-Language": "en-GB"}).text


def test_a_browser_with_an_english_cookie_behind_a_json_cookie_gets_the_english_page(
    client: TestClient[Litestar],
) -> None:
    settle(client)
    with another_browser(client) as visitor:
        for _ in range(2):  # rendered, then kept
            page = visitor.get("/listings?page=2", headers={"Cookie": 'consent={"ads":false}; lang=en'})
            assert '<html lang="en"' in page.text


# --- logged-in users ------------------------------------------------------------------------------
def test_a_logged_in_page_is_never_served_to_someone_else_nor_kept_by_any_cache(
    client: TestClient[Litestar], member: dict[str, str]
) -> None:
    settle(client)
    login(client, "wang@fzu.example.cn", PASSWORD)
    mine = client.get("/listings")
    assert mine.status_code == 200
    assert 'class="who">wang<' in mine.text
    assert mine.headers["cache-control"] == "private, no-store"
    assert "etag" not in mine.headers
    with another_browser(client) as stranger:
        settle(stranger)
        for _ in range(2):
            theirs = stranger.get("/listings")
            assert "wang" not in theirs.text
            assert 'href="/login"' in theirs.text
            assert theirs.headers["cache-control"] == "private, no-cache"
    assert page_cache(client).hits >= 1
    again = client.get("/listings")  # after the anonymous page was kept: still the member's own page
    assert 'class="who">wang<' in again.text
    assert page_token(again.text) == client.cookies["csrftoken"]
    api = client.get("/api/listings", headers=bearer(member))
    assert api.headers["cache-control"] == "private, no-store"
    # A Cookie header Python's cookie parser gives up on (litestar's reads on) is still the member's.
    odd = client.get("/listings", headers={"cookie": f"path=/; session={client.cookies['session']}"})
    assert 'class="who">wang<' in odd.text
    assert odd.headers["cache-control"] == "private, no-store"


def test_a_search_is_never_served_from_the_page_cache(client: TestClient[Litestar]) -> None:
    client.get("/listings?q=电池")
    client.get("/listings?q=电池")
    assert page_cache(client).hits == 0
    assert page_cache(client).pages == {}


# --- pre-rendered cards ---------------------------------------------------------------------------
def test_a_search_shows_a_listing_s_card_as_its_row_stands_now(
    client: TestClient[Litestar], member: dict[str, str]
) -> None:
    """Cards are kept by their row's content: a revised price shows at once, in both languages."""
    _, listing_id = register_and_draft(client, bearer(member), member["organisation_id"])
    assert client.post(f"/api/listings/{listing_id}/publish", headers=bearer(member)).status_code == 200
    for _ in range(2):  # the second draws the kept card
        assert "CNY 88,000" in client.get("/listings?q=固态锂电池", headers={"Accept-Language": "en"}).text
        assert "8.80 万元" in client.get("/listings?q=固态锂电池").text
    revised = client.put(f"/api/listings/{listing_id}", headers=bearer(member), json={
        "deal_types": ["assignment"], "price_mode": "fixed", "asking_price": 99_000_00, "maturity": "pilot"})
    assert revised.status_code == 200, revised.text
    english = client.get("/listings?q=固态锂电池", headers={"Accept-Language": "en"}).text
    assert "CNY 99,000" in english
    assert "CNY 88,000" not in english
    assert "9.90 万元" in client.get("/listings?q=固态锂电池").text


def test_a_kept_card_is_escaped_markup_and_one_per_language() -> None:
    from markupsafe import Markup

    from projections.catalogue.queries import ListingItem
    from web.catalogue.cards import CardCache

    item = msgspec.convert({
        "id": "00000000-0000-0000-0000-000000000001", "patent_id": "00000000-0000-0000-0000-000000000002",
        "title": "<b>x</b>", "title_zh": "<b>x</b>", "title_en": "", "status": "published", "deal_types": [],
        "price_mode": "negotiable", "asking_price": None, "price_amount": None, "currency": "CNY",
        "maturity": "pilot", "trl": None, "organisation_id": "00000000-0000-0000-0000-000000000003",
        "organisation_name": "o", "jurisdiction": "CN", "patent_number": "1", "patent_type": "invention",
        "legal_status": "granted", "ipc_codes": [], "keywords": [], "published_at": None,
        "updated_at": "2026-01-01T00:00:00Z", "version": 1}, ListingItem)
    cards = CardCache(size=1)
    drawn: list[str] = []

    def draw(listing: ListingItem) -> str:
        drawn.append(listing.title)
        return listing.title  # a plain string (not the macro's Markup) must come out escaped

    assert cards.html("zh", item, draw) == Markup("&lt;b&gt;x&lt;/b&gt;")
    assert cards.html("zh", item, draw) == Markup("&lt;b&gt;x&lt;/b&gt;")
    assert len(drawn) == 1
    cards.html("en", item, draw)  # another language: drawn again, and the size bound drops the oldest
    assert len(drawn) == 2
    assert len(cards.cards) == 1


def test_a_browser_that_just_wrote_reads_past_the_page_cache(client: TestClient[Litestar]) -> None:
    """A ``marketplace_seen`` cookie (web/replica.py: the position its own write must be seen at) sends the
    request down the read-your-writes path, never to a page kept at an older position."""
    settle(client)
    client.get("/listings")
    before = page_cache(client).hits
    client.get("/listings")
    assert page_cache(client).hits == before + 1
    client.cookies.set("marketplace_seen", "1", domain="testserver.local")
    assert client.get("/listings").status_code == 200
    assert page_cache(client).hits == before + 1
    client.cookies.clear()
    # however the browser's other cookies are spelt (a JSON value, a space: litestar reads past them)
    for cookie in ('consent={"ads":false}; marketplace_seen=1', "note=a b; marketplace_seen=1"):
        assert client.get("/listings", headers={"Cookie": cookie}).status_code == 200
        assert page_cache(client).hits == before + 1, cookie


# --- one rendering per change, kept pages served while it runs -------------------------------------
class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class _Catalogue:
    def __init__(self) -> None:
        self.at = 1
        self.reads = 0

    async def position(self) -> int:
        self.reads += 1
        return self.at


class _Renderer:
    """A stand-in for litestar behind the cache: each rendering says the catalogue position it saw and whom
    it was rendered for; renderings wait at ``gate`` while it is closed."""

    def __init__(self, catalogue: _Catalogue) -> None:
        self.catalogue = catalogue
        self.gate = asyncio.Event()
        self.gate.set()
        self.renderings: list[str] = []  # the query string of each
        self.failures = 0  # the next renderings that raise (once through the gate)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        seen = self.catalogue.at
        cookie = next((v for k, v in scope["headers"] if k == b"cookie"), b"").decode()
        self.renderings.append(scope["query_string"].decode())
        await self.gate.wait()
        if self.failures:
            self.failures -= 1
            raise RuntimeError("the database went away mid-page")
        who = "member" if "session=" in cookie else "anonymous"
        token = "t" * 60 + f"{len(self.renderings):04d}"
        body = f"<p>{who} at {seen} ?{scope['query_string'].decode()}</p><i>{token}</i>".encode()
        await send({"type": "http.response.start", "status": 200, "headers": [
            (b"content-type", b"text/html"), (b"set-cookie", f"csrftoken={token}; Path=/".encode())]})
        await send({"type": "http.response.body", "body": body, "more_body": False})


def _stub_stack(stale_seconds: float = 1.0) -> tuple[Any, PageCache, _Catalogue, _Renderer, _Clock]:
    from litestar.config.csrf import CSRFConfig

    from web.fast_paths import cache_public_pages

    catalogue = _Catalogue()
    renderer = _Renderer(catalogue)
    clock = _Clock()
    cache = PageCache(stale_seconds=stale_seconds, clock=clock)
    handler = cache_public_pages(renderer, cache)
    litestar = SimpleNamespace(csrf_config=CSRFConfig(secret="s" * 32),
                               state=SimpleNamespace(web=SimpleNamespace(catalogue=catalogue)))

    async def get(query: str = "", cookie: str = "") -> str:
        headers = [(b"cookie", cookie.encode())] if cookie else []
        scope = {"type": "http", "method": "GET", "path": "/listings", "query_string": query.encode(),
                 "headers": headers, "app": litestar}
        sent: list[dict[str, Any]] = []

        async def send(message: Any) -> None:
            sent.append(message)

        async def receive() -> Any:
            return {"type": "http.request", "body": b"", "more_body": False}

        await handler(cast("Any", scope), receive, send)
        assert sent[0]["status"] == 200
        return b"".join(m.get("body", b"") for m in sent[1:]).decode()

    return get, cache, catalogue, renderer, clock


def test_concurrent_misses_of_one_page_render_it_once() -> None:
    async def scenario() -> None:
        get, cache, _, renderer, _ = _stub_stack()
        renderer.gate.clear()
        waiting = [asyncio.ensure_future(get()) for _ in range(8)]
        await asyncio.sleep(0)
        for _ in range(5):
            await asyncio.sleep(0)
        renderer.gate.set()
        bodies = await asyncio.gather(*waiting)
        assert len(renderer.renderings) == 1
        assert all("anonymous at 1" in b for b in bodies)
        assert len({b.split("<i>")[1] for b in bodies}) == 8  # each browser its own CSRF token
        assert cache.misses == 8
        assert cache.hits == 0

    asyncio.run(scenario())


def test_after_a_change_one_request_renders_while_anonymous_visitors_get_the_kept_page() -> None:
    async def scenario() -> None:
        get, cache, catalogue, renderer, clock = _stub_stack()
        assert "anonymous at 1" in await get()
        catalogue.at = 2
        clock.now += 0.5
        renderer.gate.clear()
        rendering = asyncio.ensure_future(get())  # the first to see the change renders the page anew
        for _ in range(5):
            await asyncio.sleep(0)
        assert "anonymous at 1" in await get()  # meanwhile, within the bound: the page kept
        assert cache.stale == 1
        member = asyncio.ensure_future(get(cookie="session=abc"))  # a member never gets a kept page
        seen = asyncio.ensure_future(get(cookie="marketplace_seen=2"))  # nor a browser that just wrote
        for _ in range(5):
            await asyncio.sleep(0)
        assert not member.done()
        assert not seen.done()
        renderer.gate.set()
        assert "anonymous at 2" in await rendering
        assert "member at 2" in await member
        assert "anonymous at 2" in await seen
        assert "anonymous at 2" in await get()  # kept at the new position
        assert len(renderer.renderings) == 4  # the two renderings of the page, the member's and the writer's

    asyncio.run(scenario())


def test_a_kept_page_older_than_the_bound_is_not_served_after_a_change() -> None:
    async def scenario() -> None:
        get, cache, catalogue, renderer, clock = _stub_stack(stale_seconds=1.0)
        assert "anonymous at 1" in await get()
        catalogue.at = 2
        clock.now += 1.5  # the kept page began rendering longer ago than the bound
        renderer.gate.clear()
        rendering = asyncio.ensure_future(get())
        for _ in range(5):
            await asyncio.sleep(0)
        other = asyncio.ensure_future(get())  # waits for the rendering under way rather than the old page
        for _ in range(5):
            await asyncio.sleep(0)
        assert not other.done()
        renderer.gate.set()
        assert "anonymous at 2" in await rendering
        assert "anonymous at 2" in await other
        assert cache.stale == 0
        assert len(renderer.renderings) == 2

    asyncio.run(scenario())


def test_a_change_is_shown_by_the_next_request_once_nothing_renders() -> None:
    async def scenario() -> None:
        get, _, catalogue, renderer, _ = _stub_stack()
        assert "anonymous at 1" in await get()
        catalogue.at = 2
        assert "anonymous at 2" in await get()
        assert "anonymous at 2" in await get()
        assert len(renderer.renderings) == 2

    asyncio.run(scenario())


def test_parameters_the_page_does_not_read_neither_copy_nor_push_out_kept_pages() -> None:
    async def scenario() -> None:
        get, cache, _, renderer, _ = _stub_stack()
        cache.size = 2
        await get()
        for junk in ("utm=1", "%71=", "q=+", "page=1", "status=published", "sort=bogus", "lang=xx", "a=1&a=2"):
            assert "anonymous at 1 ?</p>" in await get(junk)
        assert len(renderer.renderings) == 1
        assert len(cache.pages) == 1
        # What the page reads, as it reads it: the first value, stripped, is rendered and kept once.
        assert "?page=2&lang=en</p>" in await get("lang=en&page=2&page=5&x=1")
        await get("page=2&lang=en")
        await get("deal_type=+assignment+&lang=en")
        await get("deal_type=assignment&lang=en")
        # One page, stripped as the page strips it, asked twice: not kept (the cache is full of pages asked for
        # more often), so rendered twice.
        assert renderer.renderings[-2:] == ["deal_type=assignment&lang=en"] * 2
        assert [key[1] for key in cache.pages] == [(), (("page", "2"), ("lang", "en"))]  # the bound
        await get("%71=%E7%94%B5%E6%B1%A0")  # a text search, however it is spelt: not kept
        assert len(cache.pages) == 2
        assert renderer.renderings[-1] == "%71=%E7%94%B5%E6%B1%A0"

    asyncio.run(scenario())


def test_pages_asked_for_once_each_do_not_push_out_the_pages_visitors_keep_asking_for() -> None:
    async def scenario() -> None:
        get, cache, _, renderer, _ = _stub_stack()
        cache.size = 4
        popular = ["", "lang=en", "page=2", "deal_type=assignment"]
        for query in popular * 3:
            await get(query)
        # Someone walks the IPC classes, each once, while visitors go on reading the popular pages.
        for n in range(400):
            await get(f"ipc_class=X{n:03d}")
            await get(popular[n % 4])
        assert cache.refused >= 390
        renderings = len(renderer.renderings)
        for query in popular:
            assert "anonymous at 1" in await get(query)
        assert len(renderer.renderings) == renderings  # every popular page still kept
        assert len(cache.pages) == 4
        assert len(cache.asked) <= 2 * cache.size * ADMISSION_SAMPLE  # the counts stay few

    asyncio.run(scenario())


def test_a_page_asked_for_more_often_lately_than_the_coldest_kept_page_takes_its_place() -> None:
    async def scenario() -> None:
        get, cache, _, renderer, _ = _stub_stack()
        cache.size = 2
        await get()
        await get("lang=en")
        await get("page=3")  # asked once, as often as the coldest: served, not kept
        assert cache.refused == 1
        assert len(renderer.renderings) == 3
        await get("page=3")  # asked for more often now: kept, in the place of the least recently asked
        assert "?page=3</p>" in await get("page=3")
        assert len(renderer.renderings) == 4
        assert [key[1] for key in cache.pages] == [(("lang", "en"),), (("page", "3"),)]  # the index gave way

    asyncio.run(scenario())


def test_a_page_much_asked_for_that_falls_quiet_does_not_keep_new_pages_out() -> None:
    async def scenario() -> None:
        get, cache, _, renderer, _ = _stub_stack()
        cache.size = 4
        for _ in range(30):
            await get()  # the index, asked for a lot, then not at all
        for query in ("page=2", "page=3", "page=4"):
            await get(query)
        for _ in range(5):
            await get("lang=en")
        assert renderer.renderings.count("lang=en") == 2  # kept at its second request, not its thirty-first
        assert (("lang", "en"),) in [key[1] for key in cache.pages]
        assert () in [key[1] for key in cache.pages]  # the index stays: asked for more often than the page let go

    asyncio.run(scenario())


def test_a_rendering_that_fails_leaves_no_one_waiting_and_the_next_request_renders_again() -> None:
    async def scenario() -> None:
        get, cache, _, renderer, _ = _stub_stack()
        renderer.gate.clear()
        renderer.failures = 1
        first = asyncio.ensure_future(get())
        for _ in range(5):
            await asyncio.sleep(0)
        waiting = [asyncio.ensure_future(get()) for _ in range(3)]  # they wait for the failing rendering
        for _ in range(5):
            await asyncio.sleep(0)
        assert not any(w.done() for w in waiting)
        renderer.gate.set()
        with pytest.raises(RuntimeError):
            await first
        bodies = await asyncio.gather(*waiting)  # each answered as litestar answers it: neither failed nor hung
        assert all("anonymous at 1" in b for b in bodies)
        assert not cache.flights
        assert "anonymous at 1" in await get()

    asyncio.run(scenario())


def test_concurrent_requests_share_one_read_of_the_catalogue_position() -> None:
    async def scenario() -> None:
        get, _, catalogue, _, _ = _stub_stack()
        await get()
        before = catalogue.reads
        await asyncio.gather(*(get() for _ in range(6)))
        assert catalogue.reads - before < 6

    asyncio.run(scenario())


def test_a_broad_search_says_its_total_is_an_estimate_and_its_counts_partial_in_both_languages(
    client: TestClient[Litestar], member: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from projections.catalogue import queries
    from web.catalogue import pages

    _, listing_id = register_and_draft(client, bearer(member), member["organisation_id"])
    assert client.post(f"/api/listings/{listing_id}/publish", headers=bearer(member)).status_code == 200
    narrow = client.get("/listings?q=固态锂电池").text
    assert 'id="facets-of"' not in narrow
    assert TITLE in narrow
    monkeypatch.setattr(queries, "BROAD_MATCHES", 0)  # any match is broad, and one match fills the window
    monkeypatch.setattr(queries, "BROAD_WINDOW", 1)
    monkeypatch.setattr(pages, "PAGE_SIZE", 1)
    zh = client.get("/listings?q=锂电池").text
    assert TITLE in zh
    assert "约 <strong" in zh
    assert "下列分类计数仅统计最新的 1 条匹配" in zh
    en = client.get("/listings?q=锂电池&lang=en").text
    assert "about <strong" in en
    assert "the counts below are those of the newest 1 matches only" in en
