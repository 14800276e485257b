"""An auction lot's page in a real browser (issue 15): the live state updates by itself when another bidder bids
(the page polls the server), the countdown runs, the bidder pays its deposit and bids from the page — in Chinese,
then in English; no page scrolls sideways on a phone."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.web.test_browser import (  # noqa: F401 - fixtures
    Served,
    assert_fits,
    browser,
    en,
    log_in,
    page,
    served,
    zh,
)


def _api(tab: Page, server: Served, method: str, path: str, token: str | None = None,
         body: dict[str, Any] | None = None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = tab.request.fetch(f"{server.url}{path}", method=method, headers=headers, data=body)
    assert response.ok, response.text()
    return response.json()


def _token(tab: Page, server: Served, email: str, password: str) -> str:
    return str(_api(tab, server, "POST", "/api/auth/token", body={"email": email, "password": password})["token"])


@pytest.mark.browser
def test_a_bidder_watches_the_lot_live_pays_its_deposit_and_bids(
    served: Served, page: Page,  # noqa: F811 - the fixtures of test_browser
) -> None:
    ops = next(a for a in served.demo.accounts if "platform_admin" in a.roles)
    firm = served.account_of("厦门智造装备有限公司")
    rival = served.account_of("福州新能源科技有限公司")
    assert firm is not None
    assert rival is not None
    listing = next(r for r in served.listings() if "assignment" in r["deal_types"]
                   and any(word in r["organisation_name"] for word in ("大学", "研究院", "研究所")))
    owner = served.account_of(listing["organisation_name"])
    assert owner is not None
    now = served.services.app.clock.now()
    admin = _token(page, served, ops.email, ops.password)
    session = _api(page, served, "POST", "/api/auctions", admin, {"title_zh": "冬季专利拍卖会",
                                                                   "title_en": "Winter patent auction"})["id"]
    lot = _api(page, served, "POST", f"/api/auctions/{session}/lots", admin, {
        "session_id": session, "listing_id": listing["id"], "kind": "assignment", "start_price": 1_000_000,
        "reserve": 0, "increment": 100_000, "opens_at": now.isoformat(),
        "closes_at": (now + timedelta(hours=1)).isoformat()})["id"]
    _api(page, served, "POST", f"/api/lots/{lot}/consent", _token(page, served, owner.email, owner.password))
    theirs = _token(page, served, rival.email, rival.password)
    _api(page, served, "POST", f"/api/auctions/{session}/bidders", theirs, {"accept_rules": True})
    _api(page, served, "POST", f"/api/lots/{lot}/deposit", theirs, {"gateway": "manual"})
    rival_org = _api(page, served, "POST", "/api/auth/token", body={"email": rival.email,
                                                                     "password": rival.password})["organisation_id"]
    _api(page, served, "POST", f"/api/lots/{lot}/deposit-receipt", admin,
         {"organisation_id": rival_org, "amount": 100_000, "bank_reference": "B-rival"})

    # The firm registers from the session page, pays its deposit from the lot page.
    log_in(page, served, firm)
    page.goto(f"{served.url}/auctions/{session}")
    expect(page.locator("#session-title")).to_have_text("冬季专利拍卖会")
    page.locator("input[name=accept_rules]").check()
    page.locator("#register").click()
    expect(page.locator("#done")).to_have_text(zh("auction.done.registered"))
    page.locator(f"#lot-{lot} a").click()
    expect(page.locator("#lot-status")).to_have_text(zh("auction.status.ready"))
    page.locator("#pay-deposit").click()
    expect(page.locator("#instructions")).to_be_visible()
    reference = page.locator("#deposit-state code").inner_text()
    assert re.fullmatch(r"PT-[A-Z0-9]{8}", reference)
    firm_org = _api(page, served, "POST", "/api/auth/token", body={"email": firm.email,
                                                                    "password": firm.password})["organisation_id"]
    _api(page, served, "POST", f"/api/lots/{lot}/deposit-receipt", admin,
         {"organisation_id": firm_org, "amount": 100_000, "bank_reference": reference})
    page.goto(f"{served.url}/lots/{lot}")
    expect(page.locator("#deposit-state")).to_contain_text(zh("auction.deposit.received"))

    # The countdown runs; another bidder's bid reaches the open page by itself.
    first = page.locator("#countdown").inner_text()
    expect(page.locator("#countdown")).not_to_have_text(first, timeout=10_000)
    assert re.fullmatch(r"\d+:\d\d(:\d\d)?", page.locator("#countdown").inner_text())
    expect(page.locator("#current-price")).to_have_text("—")
    _api(page, served, "POST", f"/api/lots/{lot}/bids", theirs, {"amount": 1_000_000})
    expect(page.locator("#current-price")).to_have_text("1 万元", timeout=20_000)  # the page polls every 3 s
    expect(page.locator("#bid-count")).to_have_text("1")

    # The firm raises from the form (the smallest valid raise is filled in after a reload).
    page.reload()
    expect(page.locator("#bid-amount")).to_have_value("11000.00")
    page.locator("#place-bid").click()
    expect(page.locator("#done")).to_have_text(zh("auction.done.bid"))
    expect(page.locator("#current-price")).to_have_text("1.10 万元")
    expect(page.locator("#leader")).to_have_text("2")
    assert_fits(page, "auction-lot")

    # In English.
    page.locator("a[data-lang-switch]").click()
    expect(page.locator("#lot-status")).to_have_text(en("auction.status.ready"))
    expect(page.locator("#current-price")).to_have_text("CNY 11,000")
    expect(page.locator("#live h2")).to_have_text(en("auction.live"))
    assert "Beijing" in page.locator("#live").inner_text()
    _api(page, served, "POST", f"/api/lots/{lot}/bids", theirs, {"amount": 1_200_000})
    expect(page.locator("#current-price")).to_have_text("CNY 12,000", timeout=20_000)  # the page polls every 3 s
    expect(page.locator("#leader")).to_have_text("1")
