"""Real-browser tests: headless Chromium drives the marketplace served by uvicorn on a fresh database.

The marketplace is filled by ``seed_demo`` (deterministic content), and every expectation about
what a page should show is computed independently from the catalogue read-model tables, so the
tests check the whole path: search, htmx swaps, history pushes, templates, language and forms.

Set ``MARKETPLACE_SCREENSHOT_DIR`` to a folder to keep screenshots of the pages visited.
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse
from uuid import UUID

import psycopg
import pytest
import uvicorn
from litestar import Litestar
from litestar.testing import TestClient
from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, Response, expect, sync_playwright
from psycopg import sql
from psycopg.rows import dict_row

from domain.catalogue.ipc import parse_ipc
from domain.deals.contract import Contract
from marketplace.deals import commands as d
from marketplace.demo.catalogue import DemoAccount, DemoReport, seed_demo
from marketplace.platform.clock import ManualClock
from marketplace.platform.services import Services
from tests.conftest import patient
from tests.web.conftest import login, post_form
from tests.web.test_api import listed
from tests.web.test_deals_journey import (  # noqa: F401 - clock and stripe_client are the journeys' fixtures
    clock,
    negotiate,
    ok,
    parties,
    stripe_client,
    through_notice,
)
from web.app import create_app, ipc_short, money
from web.vocabulary import site_vocabulary

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
TIMEOUT_MS = 10_000  # bound of every browser wait
STARTUP_SECONDS = 30.0  # bound of server start-up and of the projections catching up
DEMO_LISTINGS = 150  # enough for a dozen 电池 hits over several deal types
PAGE_SIZE = 20
SEARCH_TERM = "电池"
CJK = re.compile(r"[\u4e00-\u9fff]")


LABELS = site_vocabulary().labels


def zh(key: str) -> str:
    return LABELS[key][0]


def en(key: str) -> str:
    return LABELS[key][1]


# --- the served marketplace -------------------------------------------------------------------


@dataclass(frozen=True)
class Served:
    url: str
    services: Services
    demo: DemoReport

    def connect(self) -> psycopg.Connection[dict[str, Any]]:
        return psycopg.connect(self.services.address.conninfo(), autocommit=True, row_factory=dict_row)

    def listings(self, status: str | None = "published") -> list[dict[str, Any]]:
        """Listing rows with the patent texts they are searched on, straight from the read model."""
        with self.connect() as conn:
            return conn.execute(
                "SELECT l.id::text AS id, l.status, l.title_zh, l.title_en, l.deal_types, l.keywords,"
                " l.advantages, l.applications, l.patent_number, l.price_mode, l.asking_price, l.trl,"
                " l.maturity, l.organisation_name, l.patent_id, l.published_at, p.abstract_zh, p.abstract_en,"
                " p.owners, p.ipc_codes, p.legal_status"
                " FROM catalogue_listings l JOIN catalogue_patents p ON p.id = l.patent_id"
                " WHERE %(status)s::text IS NULL OR l.status = %(status)s ORDER BY l.published_at, l.id",
                {"status": status},
            ).fetchall()

    def history(self, patent_id: Any) -> list[dict[str, Any]]:
        with self.connect() as conn:
            return conn.execute(
                "SELECT version, legal_status, reason FROM catalogue_status_history WHERE patent_id = %s"
                " ORDER BY version", (patent_id,)).fetchall()

    def account_of(self, organisation: str) -> DemoAccount | None:
        return next((a for a in self.demo.accounts if a.organisation == organisation and "org_admin" in a.roles),
                    None)

    def free_listings(self, buyer: DemoAccount, price_mode: str = "fixed") -> list[tuple[dict[str, Any], DemoAccount]]:
        """Published assignment listings at ``price_mode`` that no offer or auction lot has touched yet, of
        single-owner demo accounts other than ``buyer``'s organisation, with their seller's account."""
        with self.connect() as conn:
            busy = {r["listing_id"] for r in conn.execute("SELECT listing_id::text FROM deal_offers").fetchall()}
            busy |= {r["listing_id"] for r in conn.execute("SELECT listing_id::text FROM auction_lots").fetchall()}
        return [(r, a) for r in self.listings()
                if r["price_mode"] == price_mode and "assignment" in r["deal_types"] and r["id"] not in busy
                and len(r["owners"]) == 1 and r["organisation_name"] != buyer.organisation
                and (a := self.account_of(r["organisation_name"])) is not None]


def shown_title(row: dict[str, Any], lang: str) -> str:
    """The title a card shows (the ``title`` macro): the page language's title, else the other one."""
    first, second = (row["title_en"], row["title_zh"]) if lang == "en" else (row["title_zh"], row["title_en"])
    return str(first or second)


def matches(row: dict[str, Any], term: str) -> bool:
    """Whether a CJK term occurs in the texts a listing is searched on (bigram search finds substrings)."""
    texts = [row["title_zh"], row["title_en"], " ".join(row["keywords"]), row["abstract_zh"], row["abstract_en"],
             row["advantages"], row["applications"], row["patent_number"],
             " ".join(o["name"] for o in row["owners"])]
    return any(term in (t or "") for t in texts)


def _wait_for_projections(served: Served) -> None:
    """Wait until every read model has processed every recorded event."""
    target = served.services.app.recorder.max_notification_id() or 0
    deadline = time.monotonic() + STARTUP_SECONDS
    tables = [view.tracking_table_name for view in served.services.views.values()]
    with served.connect() as conn:
        while True:
            positions = {
                table: conn.execute(
                    sql.SQL("SELECT notification_id FROM {} WHERE application_name = %s").format(sql.Identifier(table)),
                    (served.services.app.name,)).fetchone()
                for table in tables
            }
            behind = {t: (row or {}).get("notification_id") for t, row in positions.items()
                      if row is None or row["notification_id"] < target}
            if not behind:
                return
            assert time.monotonic() < deadline, f"projections stuck at {behind}, expected {target}"
            time.sleep(0.05)


@pytest.fixture
def served(services: Services) -> Iterator[Served]:
    """The demo marketplace served by uvicorn on 127.0.0.1 (free port), projections running in-process."""
    demo = seed_demo(services.app, listings=DEMO_LISTINGS)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(patient(services), start_projections=True), log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="uvicorn-browser-test",
                              daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not server.started:
            assert thread.is_alive(), "uvicorn exited during start-up"
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass  # accepts connections
        result = Served(f"http://127.0.0.1:{port}", services, demo)
        _wait_for_projections(result)
        yield result
    finally:
        server.should_exit = True
        thread.join(timeout=STARTUP_SECONDS)
        sock.close()
        assert not thread.is_alive(), "uvicorn did not shut down"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # `make test` installs Debian's chromium; without it the browser tests fail rather than skip.
    assert CHROMIUM.exists(), f"{CHROMIUM} is not installed: run `make test` (or `make chromium`)"
    playwright: Playwright
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True,
                                              timeout=TIMEOUT_MS * 3)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context (no cookies) in Chinese, with bounded waits."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    tab = context.new_page()
    failures: list[str] = []

    def record(response: Response) -> None:
        if response.status >= 500:
            failures.append(f"{response.status} {response.request.method} {response.url}")

    def refused_by_csp(message: ConsoleMessage) -> None:
        # Chromium reports what the Content-Security-Policy blocked (a script, a style, a frame) on the console.
        if "Content Security Policy" in message.text:
            failures.append(f"CSP: {message.text}")

    tab.on("response", record)
    tab.on("console", refused_by_csp)
    yield tab
    context.close()
    assert not failures, f"server errors or CSP refusals while browsing: {failures}"


def screenshot(page: Page, name: str) -> None:
    folder = os.environ.get("MARKETPLACE_SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def assert_fits(page: Page, name: str) -> None:
    """At desktop and at 390 px phone width nothing on the page scrolls sideways; screenshots of both are
    kept when ``MARKETPLACE_SCREENSHOT_DIR`` is set. Restores the desktop viewport."""
    try:
        for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(size)
            page.wait_for_function("() => document.documentElement.clientWidth > 0")
            wider = page.evaluate(
                """() => {
                  const width = document.documentElement.clientWidth;
                  const out = [...document.querySelectorAll('body *')].filter(e => {
                    const r = e.getBoundingClientRect();
                    return r.width > 0 && r.right > width + 1;
                  }).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                             + (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ')[0] : ''));
                  return {scroll: document.documentElement.scrollWidth - width, out: out.slice(0, 8)};
                }"""
            )
            assert wider["scroll"] <= 0, f"{name} scrolls sideways by {wider['scroll']} px at {label}: {wider['out']}"
            screenshot(page, f"{name}-{label}")
    finally:
        page.set_viewport_size(DESKTOP)


def card_ids(page: Page) -> list[str]:
    hrefs = page.locator("#results article.card h3 a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    return [str(h).rsplit("/", 1)[1] for h in hrefs]


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlparse(url).query)


def expect_cards_of(page: Page, rows: list[dict[str, Any]], lang: str = "zh") -> list[str]:
    """The result cards are the first page of exactly these listings; returns the titles shown."""
    cards = page.locator("#results article.card h3 a")
    expect(cards).to_have_count(min(len(rows), PAGE_SIZE))
    titles = cards.all_inner_texts()
    by_id = {r["id"]: r for r in rows}
    ids = card_ids(page)
    assert set(ids) <= set(by_id), f"cards outside the expected listings: {set(ids) - set(by_id)}"
    assert titles == [shown_title(by_id[i], lang) for i in ids]
    if len(rows) <= PAGE_SIZE:
        assert Counter(titles) == Counter(shown_title(r, lang) for r in rows)
    return titles


# --- the tests --------------------------------------------------------------------------------


@pytest.mark.browser
def test_chinese_search_swaps_results_then_facet_narrows_and_card_opens_detail(served: Served, page: Page) -> None:
    published = served.listings()
    hits = [r for r in published if matches(r, SEARCH_TERM)]
    assert 3 <= len(hits) < len(published), f"the demo data should have some {SEARCH_TERM} hits, got {len(hits)}"

    page.goto(f"{served.url}/listings")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("main h1")).to_have_text(zh("nav.listings"))
    total = page.locator("#results .total [data-total]")
    expect(total).to_have_attribute("data-total", str(len(published)))
    expect(total).to_have_text(f"{len(published):,}")
    expect(page.locator("#results article.card")).to_have_count(PAGE_SIZE)
    screenshot(page, "listings-index-zh")

    # Search: the form is submitted by htmx, which swaps #results and pushes the URL.
    page.evaluate("window.__noReload = 'kept'")
    page.locator("#filters input[name=q]").press_sequentially(SEARCH_TERM)
    with page.expect_response(lambda r: urlparse(r.url).path == "/listings"
                              and r.request.headers.get("hx-request") == "true") as searched:
        page.locator("#filters button[type=submit]").click()
    assert searched.value.ok
    expect(total).to_have_attribute("data-total", str(len(hits)))
    expect(total).to_have_text(str(len(hits)))
    page.wait_for_url(lambda url: query_of(url).get("q") == [SEARCH_TERM])
    assert page.evaluate("window.__noReload") == "kept", "the search reloaded the page"
    titles = expect_cards_of(page, hits)
    assert all(CJK.search(t) for t in titles), titles
    assert sum(SEARCH_TERM in t for t in titles) * 2 > len(titles), "most hits should carry the term in the title"
    expect(page.locator("#filters input[name=q]")).to_have_value(SEARCH_TERM)
    screenshot(page, "listings-search-zh")

    # A deal-type facet narrows the hits, again by an htmx swap.
    by_deal = Counter(d for r in hits for d in r["deal_types"])
    deal = next(d for d, n in sorted(by_deal.items(), key=lambda kv: (kv[1], kv[0])) if n < len(hits))
    narrowed = [r for r in hits if deal in r["deal_types"]]
    facet = page.locator("#results aside.facets li").filter(
        has=page.get_by_role("link", name=zh(f"deal.{deal}"), exact=True))
    expect(facet.locator(".n")).to_have_text(str(len(narrowed)))
    facet.get_by_role("link").click()
    expect(total).to_have_attribute("data-total", str(len(narrowed)))
    expect_cards_of(page, narrowed)
    page.wait_for_url(lambda url: query_of(url).get("deal_type") == [deal] and query_of(url).get("q") == [SEARCH_TERM])
    assert page.evaluate("window.__noReload") == "kept", "the facet reloaded the page"
    expect(page.locator("#results aside.facets li.on").filter(has_text=zh(f"deal.{deal}"))).to_have_count(1)
    for card in page.locator("#results article.card").all():
        expect(card.locator(".tag").filter(has_text=zh(f"deal.{deal}"))).to_have_count(1)
    # The language switch returns to the search as it is now (htmx pushed the URL; no page load happened).
    page.locator("a[data-lang-switch]").click()
    page.wait_for_url(lambda url: query_of(url).get("deal_type") == [deal] and query_of(url).get("q") == [SEARCH_TERM])
    expect(page.locator("#results aside.facets li.on").filter(has_text=en(f"deal.{deal}"))).to_have_count(1)
    page.locator("a[data-lang-switch]").click()
    page.wait_for_url(lambda url: query_of(url).get("deal_type") == [deal])

    # A card opens the listing's detail page (a real navigation).
    rows = {r["id"]: r for r in narrowed}
    chosen = next((i for i in card_ids(page) if rows[i]["ipc_codes"]), None)
    assert chosen is not None, "no hit with IPC codes"
    row = rows[chosen]
    page.locator(f"#results article.card h3 a[href='/listings/{chosen}']").click()
    page.wait_for_url(f"{served.url}/listings/{chosen}")
    assert page.evaluate("window.__noReload") is None
    expect(page.locator("main h1")).to_have_text(shown_title(row, "zh"))

    facts = page.locator("section.panel").filter(has=page.locator("h2", has_text=zh("listing.detail.patent")))
    owners = facts.locator("dt", has_text=zh("field.owners")).locator("xpath=following-sibling::dd[1]")
    expect(owners.locator("li")).to_have_count(len(row["owners"]))
    for owner in row["owners"]:
        expect(owners).to_contain_text(owner["name"])
    ipc = facts.locator("ul.ipc > li")
    expect(ipc).to_have_count(len(row["ipc_codes"]))
    scheme = served.services.ipc_scheme
    assert scheme is not None
    for item, code in zip(ipc.all(), row["ipc_codes"], strict=True):
        expect(item.locator("code")).to_have_text(code)
        code_title = scheme.title(parse_ipc(code))
        assert code_title, f"{code} has no title in the scheme"
        expect(item).to_contain_text(ipc_short(code_title))
        subclass = code.split(" ")[0]
        subclass_title = scheme.title(parse_ipc(subclass))
        if subclass != code and subclass_title:
            expect(item.locator("small")).to_contain_text(f"{subclass} · {ipc_short(subclass_title)}")

    history = served.history(row["patent_id"])
    assert history, "a registered patent has at least its registration in the history"
    table = page.locator("section.panel").filter(has=page.locator("h2", has_text=zh("listing.detail.history")))
    expect(table.locator("table.history thead th").first).to_have_text(zh("field.version"))
    rows_shown = table.locator("table.history tbody tr")
    expect(rows_shown).to_have_count(len(history))
    for shown, change in zip(rows_shown.all(), history, strict=True):
        cells = shown.locator("td")
        expect(cells.nth(0)).to_have_text(str(change["version"]))
        expect(cells.nth(1)).to_have_text(zh(f"legal.{change['legal_status']}"))
        reason = zh("history.registered") if change["reason"] == "registered" else change["reason"]
        expect(cells.nth(3)).to_have_text(reason)
    screenshot(page, "listing-detail-zh")


@pytest.mark.browser
def test_language_switch_to_english_and_back(served: Served, page: Page) -> None:
    by_id = {r["id"]: r for r in served.listings()}

    page.goto(f"{served.url}/listings")
    expect(page.locator("main h1")).to_have_text(zh("nav.listings"))
    zh_titles = page.locator("#results article.card h3 a").all_inner_texts()
    assert zh_titles == [shown_title(by_id[i], "zh") for i in card_ids(page)]

    page.get_by_role("link", name="English", exact=True).click()
    page.wait_for_url(f"{served.url}/listings")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("main h1")).to_have_text("Listings")
    expect(page.locator("header nav").get_by_role("link", name="Listings", exact=True)).to_be_visible()
    expect(page.locator("#filters button[type=submit]")).to_have_text("Search")
    expect(page.locator("#filters input[name=q]")).to_have_attribute("placeholder", en("search.placeholder"))
    expect(page.locator("#results aside.facets h4").first).to_have_text(en("facet.ipc_section"))
    expect(page.locator("#results article.card")).to_have_count(PAGE_SIZE)
    ids = card_ids(page)
    en_titles = page.locator("#results article.card h3 a").all_inner_texts()
    assert en_titles == [shown_title(by_id[i], "en") for i in ids]
    assert any(by_id[i]["title_en"] and by_id[i]["title_zh"] for i in ids), "no bilingual listing on the page"
    assert all(t == by_id[i]["title_en"] for t, i in zip(en_titles, ids, strict=True) if by_id[i]["title_en"])
    assert sum(not CJK.search(t) for t in en_titles) > len(en_titles) // 2
    screenshot(page, "listings-index-en")

    # The choice sticks (a cookie): the detail page is in English too, with the Chinese title beneath.
    bilingual = next(i for i in ids if by_id[i]["title_en"] and by_id[i]["title_zh"])
    page.locator(f"#results article.card h3 a[href='/listings/{bilingual}']").click()
    page.wait_for_url(f"{served.url}/listings/{bilingual}")
    expect(page.locator("main h1")).to_have_text(by_id[bilingual]["title_en"])
    expect(page.locator("main p.subtitle")).to_have_text(by_id[bilingual]["title_zh"])
    expect(page.locator("main h2").first).to_have_text(en("listing.detail.offer"))
    screenshot(page, "listing-detail-en")

    page.get_by_role("link", name="中文", exact=True).click()
    page.wait_for_url(f"{served.url}/listings/{bilingual}")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("main h1")).to_have_text(by_id[bilingual]["title_zh"])
    expect(page.locator("main h2").first).to_have_text(zh("listing.detail.offer"))
    page.locator("header nav").get_by_role("link", name=zh("nav.listings"), exact=True).click()
    page.wait_for_url(f"{served.url}/listings")
    expect(page.locator("main h1")).to_have_text(zh("nav.listings"))
    expect(page.locator("#filters button[type=submit]")).to_have_text(zh("search.button"))
    assert page.locator("#results article.card h3 a").all_inner_texts() == zh_titles
    expect(page.get_by_role("link", name="English", exact=True)).to_be_visible()


@pytest.mark.browser
def test_member_edits_price_and_sees_it_at_once_and_invalid_trl_keeps_the_form(served: Served, page: Page) -> None:
    listing, account = next(
        ((r, a) for r in served.listings()
         if r["price_mode"] == "fixed" and (a := served.account_of(r["organisation_name"])) is not None),
        (None, None))
    assert listing is not None, "no fixed-price listing of a demo account"
    assert account is not None
    listing_id = listing["id"]
    new_price, new_price_shown = "876500", "87.65 万元"  # demo prices are whole 10,000s of yuan
    assert listing["asking_price"] != 87_650_000

    # Anonymous visitors cannot edit.
    page.goto(f"{served.url}/listings/{listing_id}")
    expect(page.locator("main h1")).to_have_text(shown_title(listing, "zh"))
    expect(page.get_by_role("link", name=zh("listing.edit"), exact=True)).to_have_count(0)

    # Log in through the form, typing like a person.
    page.locator("header nav").get_by_role("link", name=zh("nav.login"), exact=True).click()
    page.wait_for_url(re.compile(r"/login"))
    page.locator("main form input[name=email]").press_sequentially(account.email)
    page.locator("main form input[name=password]").press_sequentially(account.password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{served.url}/todo")  # a login lands on the to-do
    expect(page.locator("header .who")).to_have_text(account.display_name)
    page.locator("header nav").get_by_role("link", name=zh("nav.my"), exact=True).click()
    page.wait_for_url(f"{served.url}/my")
    expect(page.locator("main h1")).to_contain_text(account.organisation)

    # From the organisation page to the listing, then to its edit form.
    page.locator(f"main a[href='/listings/{listing_id}']").first.click()
    page.wait_for_url(f"{served.url}/listings/{listing_id}")
    page.get_by_role("link", name=zh("listing.edit"), exact=True).click()
    page.wait_for_url(f"{served.url}/listings/{listing_id}/edit")
    price = page.locator("main form input[name=asking_price]")
    expect(price).to_have_value(f"{listing['asking_price'] / 100:.2f}")
    expect(page.locator("main form select[name=price_mode]")).to_have_value("fixed")
    price.clear()
    price.press_sequentially(new_price)
    page.get_by_role("button", name=zh("listing.save"), exact=True).click()

    # Read your writes: the page the save redirects to already shows the new price.
    page.wait_for_url(f"{served.url}/listings/{listing_id}")
    expect(page.locator("main dd.price")).to_have_text(new_price_shown)
    page.locator("header nav").get_by_role("link", name=zh("nav.my"), exact=True).click()
    page.wait_for_url(f"{served.url}/my")
    expect(page.locator("main tr").filter(has=page.locator(f"a[href='/listings/{listing_id}']"))).to_contain_text(
        new_price_shown)

    # An invalid TRL: the form comes back with the message and with what was typed.
    page.goto(f"{served.url}/listings/{listing_id}/edit")
    expect(price).to_have_value(f"{int(new_price):.2f}")
    trl = page.locator("main form input[name=trl]")
    keywords = page.locator("main form input[name=keywords]")
    trl.clear()
    trl.press_sequentially("12")
    price.clear()
    price.press_sequentially("990000")
    keywords.clear()
    keywords.press_sequentially("固态电池, 浏览器测试")
    with page.expect_response(lambda r: r.request.method == "POST"
                              and urlparse(r.url).path == f"/listings/{listing_id}/edit") as posted:
        page.get_by_role("button", name=zh("listing.save"), exact=True).click()
    assert posted.value.status == 400
    page.wait_for_load_state()
    expect(page.locator("main p.error[role=alert]")).to_contain_text("技术就绪度 TRL：技术就绪度须在 1 至 9 之间")
    trl_label = page.locator("main form label").filter(has=page.locator("input[name=trl]"))
    expect(trl_label.locator(".field-error")).to_contain_text("技术就绪度 TRL：技术就绪度须在 1 至 9 之间")
    expect(trl).to_have_value("12")
    expect(price).to_have_value("990000")
    expect(keywords).to_have_value("固态电池, 浏览器测试")
    expect(page.locator("main form select[name=price_mode]")).to_have_value("fixed")
    for deal in listing["deal_types"]:
        expect(page.locator(f"main form input[name=deal_types][value={deal}]")).to_be_checked()
    screenshot(page, "listing-form-error-zh")

    # Nothing of the refused revision was recorded.
    page.goto(f"{served.url}/listings/{listing_id}")
    expect(page.locator("main dd.price")).to_have_text(new_price_shown)


def log_in(page: Page, served: Served, account: DemoAccount) -> None:
    page.goto(f"{served.url}/login")
    page.locator("main form input[name=email]").press_sequentially(account.email)
    page.locator("main form input[name=password]").press_sequentially(account.password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{served.url}/todo")


def log_out(page: Page) -> None:
    page.locator("header form[action='/logout'] button").click()


@pytest.mark.browser
def test_an_enterprise_offers_the_university_counters_and_the_as_of_page_shows_the_listing(
    served: Served, page: Page
) -> None:
    """From the listing page's offer form to the thread, the listing as of the offer, and a counter."""
    with served.connect() as conn:
        busy = {r["listing_id"] for r in conn.execute("SELECT listing_id::text FROM deal_offers").fetchall()}
    listing, seller = next(
        ((r, a) for r in served.listings()
         if r["price_mode"] == "negotiable" and "assignment" in r["deal_types"] and r["id"] not in busy
         and len(r["owners"]) == 1 and (a := served.account_of(r["organisation_name"])) is not None
         and "大学" in r["organisation_name"]),
        (None, None))
    assert listing is not None, "no negotiable listing of a demo university"
    assert seller is not None
    buyer = served.account_of("厦门智造装备有限公司")
    assert buyer is not None

    log_in(page, served, buyer)
    page.goto(f"{served.url}/listings/{listing['id']}")
    form = page.locator("#offer-form")
    form.locator("select[name=kind]").select_option("assignment")
    form.locator("input[name=price]").press_sequentially("250000")
    form.locator("input[name=note]").press_sequentially("浏览器报价，含三个月技术指导")
    form.get_by_role("button", name=zh("offer.make"), exact=True).click()
    page.wait_for_url(re.compile(r"/offers/[0-9a-f-]{36}$"))
    thread_url = page.url
    expect(page.locator("main dd.price")).to_have_text("25 万元")
    expect(page.locator("main ol.thread")).to_contain_text("浏览器报价，含三个月技术指导")
    screenshot(page, "deal-thread")

    # What the buyer saw: the listing as it stood when the offer was made.
    page.locator("#as-of").click()
    page.wait_for_url(re.compile(r"/listings/[0-9a-f-]{36}/as-of\?at="))
    expect(page.locator("main")).to_contain_text(shown_title(listing, "zh"))
    expect(page.locator("main")).to_contain_text(zh("status.published"))

    # The university logs in, finds the offer among its deals and counters.
    page.locator("header form[action='/logout'] button").click()
    log_in(page, served, seller)
    page.goto(f"{served.url}/deals")
    page.locator(f"main a[href='{urlparse(thread_url).path}']").first.click()
    page.wait_for_url(thread_url)
    counter = page.locator("main form[action$='/counter']")
    counter.locator("input[name=price]").press_sequentially("280000")
    counter.get_by_role("button", name=zh("offer.counter"), exact=True).click()
    page.wait_for_url(thread_url)
    expect(page.locator("main dd.price")).to_have_text("28 万元")
    expect(page.locator("#offer-status")).to_contain_text(zh("side.buyer"))
    expect(page.locator("main ol.thread li")).to_have_count(2)


@pytest.mark.browser
def test_public_notice_and_the_valuation_chart_are_shown(served: Served, page: Page) -> None:
    with served.connect() as conn:
        noticed = conn.execute(
            "SELECT p.title_zh FROM deal_contracts k JOIN catalogue_patents p ON p.id = k.patent_id"
            " WHERE k.notice_ends_at > now()").fetchall()
        assessed = conn.execute(
            "SELECT l.id::text AS id, l.patent_id FROM valuation_assessments v"
            " JOIN catalogue_listings l ON l.patent_id = v.patent_id WHERE v.status = 'current' LIMIT 1").fetchone()
        assert assessed is not None
        assessments = conn.execute(
            "SELECT status, basis_date, value, low, high FROM valuation_assessments WHERE patent_id = %s",
            (assessed["patent_id"],)).fetchall()
    assert noticed
    page.goto(f"{served.url}/notices")
    for row in noticed:
        expect(page.locator("main")).to_contain_text(row["title_zh"])
    page.goto(f"{served.url}/listings/{assessed['id']}")
    expect(page.locator("#valuation svg")).to_be_visible()
    # One dot per recorded assessment, titled with its basis date, value and low-high range and its status.
    expect(page.locator("#valuation svg.pygal-chart")).to_be_visible()  # drawn by the site's chart library
    dots = page.locator("#valuation svg g.dots").filter(has=page.locator("circle"))
    titles = [text for text in dots.locator("title").all_text_contents()
              if re.search(r" (current|superseded|withdrawn)$", text)]
    assert len(titles) == len(assessments), titles
    titled = [re.fullmatch(r".* (\d{4}-\d{2}-\d{2}): (\S+) \((\S+)–(\S+)\) (\w+)", text) for text in titles]
    assert all(titled), titled
    amount = lambda text: Decimal(text.replace(",", ""))  # noqa: E731 - shown to the yuan, thousands separated
    assert sorted((m[5], m[1], amount(m[2]), amount(m[3]), amount(m[4])) for m in titled if m) == sorted(
        (a["status"], a["basis_date"].isoformat(),
         *(a[k].quantize(Decimal(1), "ROUND_HALF_UP") for k in ("value", "low", "high")))
        for a in assessments)
    screenshot(page, "listing-with-valuation-chart")


@pytest.mark.browser
def test_api_docs_load_from_the_site_itself_within_its_csp(served: Served, page: Page) -> None:
    """Swagger UI comes from /static (no CDN): the docs render offline, and the CSP blocks nothing on them."""
    elsewhere: list[str] = []
    page.on("request", lambda r: elsewhere.append(r.url) if not r.url.startswith(served.url) else None)
    page.goto(f"{served.url}/")
    page.locator("footer a[href='/schema']").click()
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Fujian Patent Marketplace API")
    expect(page.locator(".opblock-summary-path[data-path='/api/listings']").first).to_be_visible()
    expect(page.locator("button.authorize")).to_be_visible()  # the bearer token can be entered
    assert elsewhere == []
    icon = page.request.get(f"{served.url}/favicon.ico")
    assert (icon.status, icon.headers["content-type"]) == (200, "image/x-icon")


# Stripe.js as far as the CSP sees it: the script, the Payment Element's iframe, a call to Stripe's API.
FAKE_STRIPE_JS = """
window.Stripe = function (key) {
  return {
    elements: function () {
      return { create: function () { return { mount: function (selector) {
        var frame = document.createElement("iframe");
        frame.src = "https://js.stripe.com/v3/elements-inner-payment.html";
        document.querySelector(selector).appendChild(frame);
        fetch("https://api.stripe.com/v1/elements/sessions?key=" + key)
          .then(function (r) { return r.text(); })
          .then(function () { document.body.dataset.stripeCalled = "yes"; });
      } }; } };
    },
    confirmPayment: function () { return Promise.resolve({ error: { message: "test card declined" } }); }
  };
};
"""


@pytest.mark.browser
def test_the_card_form_runs_stripe_js_within_the_payment_pages_csp(
    stripe_client: TestClient[Litestar], clock: ManualClock, page: Page  # noqa: F811 - fixtures
) -> None:
    """The card form (the answer of POST /payments/{id}/start) as the browser gets it, CSP header included:
    Stripe.js loads, mounts its iframe and reaches Stripe's API; the site's own script and styles still load.
    Stripe's hosts are stood in for by the browser's request routing (this machine has no internet)."""
    client = stripe_client
    p = parties(client)
    listing_id = listed(client, p.university, 18, price_mode="negotiable", asking_price=None)
    contract_id = negotiate(client, p, listing_id, offered=40_000_000, agreed=45_000_000)
    through_notice(client, p, clock, contract_id)
    obligation = ok(client.get("/api/obligations", headers=p.enterprise.headers))["items"][0]
    login(client, "buyer@cells.example.cn", "secret-password-1")
    path = f"/payments/{obligation['id']}"
    card = post_form(client, f"{path}/start", {"gateway": "stripe"}, form_page=path)
    assert card.status_code == 200, card.text
    origin = "http://marketplace.test"
    page.route(f"{origin}{path}/start", lambda route: route.fulfill(
        status=200, body=card.text, headers={k: v for k, v in card.headers.items() if k != "content-length"}))
    page.route(f"{origin}/static/**", lambda route: route.fulfill(
        response=None, status=200, body=client.get(urlparse(route.request.url).path).content,
        content_type=client.get(urlparse(route.request.url).path).headers["content-type"]))
    page.route("https://js.stripe.com/v3/", lambda route: route.fulfill(
        status=200, body=FAKE_STRIPE_JS, content_type="text/javascript"))
    page.route("https://js.stripe.com/v3/elements-inner-payment.html", lambda route: route.fulfill(
        status=200, body="<!doctype html><p>card fields</p>", content_type="text/html"))
    page.route("https://api.stripe.com/**", lambda route: route.fulfill(
        status=200, body="{}", content_type="application/json",
        headers={"access-control-allow-origin": "*"}))
    page.goto(f"{origin}{path}/start")
    expect(page.locator("#payment-element iframe")).to_have_count(1)
    expect(page.locator("body[data-stripe-called='yes']")).to_have_count(1)
    page.locator("#card-submit").click()
    expect(page.locator("#card-message")).to_have_text("test card declined")
    assert page.evaluate("getComputedStyle(document.querySelector('header.top')).display") == "flex"  # app.css


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_new_user_signs_up_in_the_browser_and_lands_logged_in_on_their_organisation(
    served: Served, page: Page, lang: str
) -> None:
    say = zh if lang == "zh" else en
    email, name = f"founder-{lang}@newco.example.cn", f"创始人 {lang}"
    organisation = f"福州新材料科技有限公司（{lang}）"
    page.goto(f"{served.url}/")
    if lang == "en":
        page.get_by_role("link", name="English", exact=True).click()
        page.wait_for_url(f"{served.url}/")
    page.locator("header nav").get_by_role("link", name=say("nav.signup"), exact=True).click()
    page.wait_for_url(f"{served.url}/signup")
    expect(page.locator("main h1")).to_have_text(say("auth.signup"))
    form = page.locator("main form[action='/signup']")
    form.locator("input[name=email]").press_sequentially(email)
    form.locator("input[name=password]").press_sequentially("a-long-sign-up-password")
    form.locator("input[name=display_name]").press_sequentially(name)
    form.locator("input[name=organisation_name]").press_sequentially(organisation)
    form.locator("select[name=organisation_kind]").select_option("enterprise")
    form.locator("input[name=region]").press_sequentially("福州")
    form.get_by_role("button", name=say("nav.signup"), exact=True).click()

    page.wait_for_url(f"{served.url}/my")
    expect(page.locator("header .who")).to_have_text(name)
    expect(page.locator("header form[action='/logout'] button")).to_be_visible()
    expect(page.locator("main h1")).to_have_text(f"{organisation} {say('kind.enterprise')}")
    expect(page.locator("main p.notice").first).to_have_text(say("my.unverified"))
    screenshot(page, f"signed-up-{lang}")
    user_id = served.services.app.accounts.user_id_of(email)
    assert user_id is not None
    with served.connect() as conn:
        row = conn.execute("SELECT o.name, o.kind, o.region, o.verified FROM accounts_organisations o"
                           " JOIN accounts_users u ON u.organisation_id = o.id WHERE u.id = %s", (user_id,)).fetchone()
    assert row == {"name": organisation, "kind": "enterprise", "region": "福州", "verified": False}


@pytest.mark.browser
def test_a_buyer_opens_the_payment_page_and_starts_a_bank_transfer(served: Served, page: Page) -> None:
    """A signed assignment at the listed price (no public notice): the buyer goes from the contract to its
    payment page, chooses a bank transfer and is shown the amount and the reference (PT-…) to quote."""
    buyer = served.account_of("厦门智造装备有限公司")
    assert buyer is not None
    listing, seller = next(iter(served.free_listings(buyer)), (None, None))
    assert listing is not None, "no fixed-price listing of a demo account"
    assert seller is not None
    app = served.services.app
    buyer_id, seller_id = app.accounts.user_id_of(buyer.email), app.accounts.user_id_of(seller.email)
    assert buyer_id is not None
    assert seller_id is not None
    offer, _ = app.offers.make_offer(d.MakeOffer(listing_id=UUID(listing["id"]), kind="assignment",
                                                 price=listing["asking_price"]), actor_id=buyer_id)
    contract_id, _ = app.offers.accept_offer(d.AcceptOffer(offer_id=offer), actor_id=seller_id)
    contract: Contract = app.repository.get(contract_id)
    for signer in (seller_id, buyer_id):
        app.contracts.sign_contract(
            d.SignContract(contract_id=contract_id, text_sha256=contract.text_sha256), actor_id=signer)
    _wait_for_projections(served)
    amount = money(listing["asking_price"])

    log_in(page, served, buyer)
    page.goto(f"{served.url}/contracts/{contract_id}")
    page.get_by_role("link", name=zh("contract.pay"), exact=True).click()
    page.wait_for_url(re.compile(r"/payments/[0-9a-f-]{36}$"))
    payment_url = page.url
    expect(page.locator("main dd.price")).to_have_text(amount)
    expect(page.locator("#payment-status")).to_have_text(zh("payment.status.due"))
    page.get_by_role("button", name=zh("payment.start_manual"), exact=True).click()

    page.wait_for_url(payment_url)
    expect(page.locator("#payment-status")).to_have_text(zh("payment.status.awaiting_your_transfer"))
    expect(page.locator("#payment-gateway")).to_have_text(zh("payment.gateway.manual"))
    expect(page.locator("main dd.price")).to_have_text(amount)
    reference = page.locator("#reference")
    expect(reference).to_have_text(re.compile(r"^PT-[0-9A-Z]{8}$"))
    bank = page.locator("main section.panel").filter(has_text=zh("payment.bank_help"))
    expect(bank).to_contain_text(reference.inner_text())
    screenshot(page, "payment-bank-transfer")
    with served.connect() as conn:
        owed = conn.execute("SELECT amount, reference, status, gateway FROM deal_obligations WHERE contract_id = %s",
                            (contract_id,)).fetchall()
    assert owed == [{"amount": listing["asking_price"], "reference": reference.inner_text(), "status": "pending",
                     "gateway": "manual"}]
