"""The demo's sealed results page, and a sealed bid committed from the lot page in a real browser (issue 15): the
demo's past session shows its sealed second-price lot's full log (two reveals, one forfeit, sold at the second bid),
in Chinese and English; a double click on "commit" records one commitment, the page posts once, and the receipt
the browser keeps (amount and salt the bidder needs to reveal) is the one whose digest the server recorded; in the
reveal window the form is filled from that receipt, a receipt file for another commitment is refused, and the
reveal goes through. The site runs on a test clock."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, Request, expect

from marketplace.platform.clock import ManualClock
from tests.web.test_auctions_web import services  # noqa: F401 - the site on the clock below
from tests.web.test_browser import (  # noqa: F401 - fixtures
    Served,
    browser,
    en,
    log_in,
    page,
    served,
    zh,
)
from tests.web.test_browser_auctions import _api, _token

HOUR = timedelta(hours=1)
FIRM = "厦门智造装备有限公司"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime.now(UTC).replace(microsecond=0))


@pytest.mark.browser
def test_the_demo_shows_a_sealed_lots_results(served: Served, page: Page) -> None:  # noqa: F811 - fixtures
    with served.connect() as conn:
        found = conn.execute("SELECT id::text FROM auction_lots WHERE auction_format = 'sealed_second_price'"
                             " AND status = 'sold'").fetchall()
    assert len(found) == 1
    page.goto(f"{served.url}/lots/{found[0]['id']}")
    expect(page.locator("#lot-phase")).to_have_text(zh("auction.phase.closed"))
    expect(page.locator("#bid-log tbody tr")).to_have_count(3)
    expect(page.locator("#outcome")).to_contain_text("16.50 万元")
    expect(page.locator("#bid-log")).to_contain_text(zh("auction.forfeited"))
    page.locator("a[data-lang-switch]").click()
    expect(page.locator("#outcome")).to_contain_text("CNY 165,000")
    expect(page.locator("#bid-log")).to_contain_text(en("auction.forfeited"))


@pytest.mark.browser
def test_a_double_click_commits_once_and_the_receipt_kept_is_the_one_committed(
    served: Served, page: Page, clock: ManualClock, tmp_path: Path,  # noqa: F811 - the fixtures of test_browser
) -> None:
    ops = next(a for a in served.demo.accounts if "platform_admin" in a.roles)
    firm = served.account_of(FIRM)
    assert firm is not None
    listing, owner = served.free_listings(firm)[0]
    now = clock.now()
    admin = _token(page, served, ops.email, ops.password)
    session = _api(page, served, "POST", "/api/auctions", admin, {"title_zh": "密封报价专场"})["id"]
    lot = _api(page, served, "POST", f"/api/auctions/{session}/lots", admin, {
        "session_id": session, "listing_id": listing["id"], "kind": "assignment", "start_price": 1_000_000,
        "reserve": 0, "increment": 100_000, "opens_at": now.isoformat(), "closes_at": (now + HOUR).isoformat(),
        "auction_format": "sealed_second_price", "reveal_closes_at": (now + 2 * HOUR).isoformat()})["id"]
    _api(page, served, "POST", f"/api/lots/{lot}/consent", _token(page, served, owner.email, owner.password))
    mine = _token(page, served, firm.email, firm.password)
    _api(page, served, "POST", f"/api/auctions/{session}/bidders", mine, {"accept_rules": True})
    started = _api(page, served, "POST", f"/api/lots/{lot}/deposit", mine, {"gateway": "manual"})
    org = _api(page, served, "POST", "/api/auth/token", body={"email": firm.email,
                                                              "password": firm.password})["organisation_id"]
    _api(page, served, "POST", f"/api/lots/{lot}/deposit-receipt", admin, {
        "organisation_id": org, "amount": 100_000, "bank_reference": started["deposit_id"][:8]})

    posts: list[str] = []

    def seen(request: Request) -> None:
        if request.method == "POST" and request.url.endswith(f"/lots/{lot}/commit"):
            posts.append(request.post_data or "")

    page.on("request", seen)
    downloads: list[str] = []
    page.on("download", lambda download: downloads.append(download.suggested_filename))
    log_in(page, served, firm)
    page.goto(f"{served.url}/lots/{lot}")
    page.locator("#sealed-amount").fill("12000")
    page.locator("#commit-bid").dblclick()
    expect(page.locator("#done")).to_have_text(zh("auction.done.committed"))
    expect(page.locator("#my-commitment")).to_be_visible()
    page.wait_for_timeout(500)  # a second post would have left by now
    with served.connect() as conn:
        rows = conn.execute("SELECT commitment FROM auction_commitments WHERE lot_id = %s", (lot,)).fetchall()
    assert len(rows) == 1
    committed = rows[0]["commitment"]
    assert len(posts) == 1, posts
    assert f"commitment={committed}" in posts[0]
    assert downloads == [f"sealed-bid-{lot}.json"]  # one receipt file: no second receipt to mistake for it

    # The receipt kept on this device is the committed one: its preimage hashes to the recorded digest.
    kept = json.loads(page.evaluate(f"window.localStorage.getItem('sealed-bid:{lot}')"))
    receipt = kept["receipts"][committed] if "receipts" in kept else kept
    assert receipt["commitment"] == committed
    assert hashlib.sha256(receipt["preimage"].encode("ascii")).hexdigest() == committed
    assert receipt["amount_fen"] == 1_200_000
    expect(page.locator("#receipt-again")).to_be_visible()
    expect(page.locator("#receipt-missing")).to_be_hidden()

    # The reveal window: the form is filled from that receipt; another receipt's file is refused.
    clock.advance(HOUR + timedelta(minutes=1))
    page.goto(f"{served.url}/lots/{lot}")
    expect(page.locator("#reveal-form")).to_be_visible()
    expect(page.locator("#reveal-amount")).to_have_value("12000.00")
    expect(page.locator("#reveal-salt")).to_have_value(receipt["salt"])
    other = tmp_path / "other-receipt.json"
    other.write_text(json.dumps({**receipt, "amount_fen": 1_300_000, "commitment": "ab" * 32}), encoding="utf-8")
    page.locator("#receipt-file").set_input_files(str(other))
    expect(page.locator("#receipt-wrong")).to_have_text(zh("auction.receipt_wrong"))
    expect(page.locator("#reveal-amount")).to_have_value("12000.00")
    page.locator("#reveal-bid").click()
    expect(page.locator("#done")).to_have_text(zh("auction.done.revealed"))
    with served.connect() as conn:
        assert conn.execute("SELECT amount FROM auction_commitments WHERE lot_id = %s",
                            (lot,)).fetchall() == [{"amount": 1_200_000}]
    page.locator("a[data-lang-switch]").click()
    expect(page.locator("#my-reveal")).to_contain_text(en("auction.revealed"))
