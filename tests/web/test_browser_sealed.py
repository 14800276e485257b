"""A sealed-bid lot in a real browser (issue 15): the bidder commits from the lot page — the page's script draws
the salt and computes the SHA-256 commitment with SubtleCrypto, downloads the receipt, and only the digest reaches
the server — then, when the commit deadline passes, the page turns to the reveal phase by itself and the reveal form
is filled from the receipt it kept; the server accepts the reveal."""

from __future__ import annotations

import hashlib
import json
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, Request, expect

from tests.web.test_browser import (  # noqa: F401 - fixtures
    Served,
    assert_fits,
    browser,
    log_in,
    page,
    served,
    zh,
)
from tests.web.test_browser_auctions import _api, _token

COMMIT_SECONDS = 45  # the set-up below (eight API calls, a login, the page) must fit in it on a loaded machine


@pytest.mark.browser
def test_a_bidder_commits_in_the_browser_and_reveals_from_the_kept_receipt(
    served: Served, page: Page,  # noqa: F811 - the fixtures of test_browser
) -> None:
    ops = next(a for a in served.demo.accounts if "platform_admin" in a.roles)
    firm = served.account_of("厦门智造装备有限公司")
    assert firm is not None
    listing = next(r for r in served.listings() if "assignment" in r["deal_types"]
                   and any(word in r["organisation_name"] for word in ("大学", "研究院", "研究所")))
    owner = served.account_of(listing["organisation_name"])
    assert owner is not None
    now = served.services.app.clock.now()
    deadline = now + timedelta(seconds=COMMIT_SECONDS)
    admin = _token(page, served, ops.email, ops.password)
    session = _api(page, served, "POST", "/api/auctions", admin, {"title_zh": "密封报价专场"})["id"]
    lot = _api(page, served, "POST", f"/api/auctions/{session}/lots", admin, {
        "session_id": session, "listing_id": listing["id"], "kind": "assignment", "start_price": 1_000_000,
        "reserve": 0, "increment": 100_000, "opens_at": now.isoformat(), "closes_at": deadline.isoformat(),
        "auction_format": "sealed_first_price", "reveal_closes_at": (deadline + timedelta(hours=1)).isoformat()})["id"]
    _api(page, served, "POST", f"/api/lots/{lot}/consent", _token(page, served, owner.email, owner.password))
    mine = _token(page, served, firm.email, firm.password)
    number = _api(page, served, "POST", f"/api/auctions/{session}/bidders", mine, {"accept_rules": True})
    _api(page, served, "POST", f"/api/lots/{lot}/deposit", mine, {"gateway": "manual"})
    firm_org = _api(page, served, "POST", "/api/auth/token", body={"email": firm.email,
                                                                    "password": firm.password})["organisation_id"]
    _api(page, served, "POST", f"/api/lots/{lot}/deposit-receipt", admin,
         {"organisation_id": firm_org, "amount": 100_000, "bank_reference": "B-firm"})

    log_in(page, served, firm)
    page.goto(f"{served.url}/lots/{lot}")
    expect(page.locator("#lot-phase")).to_have_text(zh("auction.phase.commit"))
    posted: list[str] = []

    def seen(request: Request) -> None:
        if request.method == "POST" and request.url.endswith(f"/lots/{lot}/commit"):
            posted.append(request.post_data or "")

    page.on("request", seen)
    page.locator("#sealed-amount").fill("12345.60")
    with page.expect_download() as downloading:
        page.locator("#commit-bid").click()
    receipt: dict[str, Any] = json.loads(Path(downloading.value.path()).read_text(encoding="utf-8"))
    expect(page.locator("#done")).to_have_text(zh("auction.done.committed"))
    assert receipt["amount_fen"] == 1_234_560
    assert receipt["bidder_number"] == number["bidder_number"]
    text = f"sealed-bid:v1:{lot}:{number['bidder_number']}:1234560:{receipt['salt']}"
    assert receipt["preimage"] == text
    assert receipt["commitment"] == hashlib.sha256(text.encode("ascii")).hexdigest()
    assert len(receipt["salt"]) == 64
    # The form sent the digest (and the CSRF token) only: no amount left the browser.
    assert len(posted) == 1
    assert f"commitment={receipt['commitment']}" in posted[0]
    assert "1234" not in posted[0].replace(receipt["commitment"], "").replace(receipt["salt"], "")
    expect(page.locator("#my-commitment")).to_contain_text(receipt["commitment"])
    expect(page.locator("#receipt-link")).to_be_visible()
    assert_fits(page, "sealed-lot-committed")  # the 64-digit digest wraps on a phone

    # The deadline passes: the polling page redraws itself in the reveal phase, the form filled from the receipt.
    time.sleep(max(0.0, (deadline - served.services.app.clock.now()).total_seconds()))
    expect(page.locator("#lot-phase")).to_have_text(zh("auction.phase.reveal"), timeout=10_000)
    expect(page.locator("#reveal-amount")).to_have_value("12345.60")
    expect(page.locator("#reveal-salt")).to_have_value(receipt["salt"])
    page.locator("#reveal-bid").click()
    expect(page.locator("#done")).to_have_text(zh("auction.done.revealed"))
    expect(page.locator("#my-reveal")).to_contain_text("1.23 万元")
