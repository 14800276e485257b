"""Running an auction session in a real browser (issue 15): the platform admin follows its to-do's link, schedules
a session and adds a lot from the pages (a listing found by its patent number, a hidden reserve, the window in
Beijing time); the listing's owner consents from its to-do; a bidder registers, accepts the rules and is shown
how to pay its deposit; the admin records the bank transfer from the session's page; on the open lot page the
"reserve met" line turns by itself when another bidder's bid reaches the reserve."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from tests.web.test_browser import (  # noqa: F401 - fixtures
    Served,
    assert_fits,
    browser,
    log_in,
    log_out,
    page,
    served,
    zh,
)
from tests.web.test_browser_auctions import _api, _token

BEIJING = ZoneInfo("Asia/Shanghai")


def this_minute(market: Served, slack: float = 20.0) -> datetime:
    """The current minute in Beijing time (the lot form's times have no seconds), with at least ``slack`` seconds
    left to add a lot opening then: a bidding window may start at most a minute ago (``Lot``), so a lot opening at
    the current minute is refused once that minute is over. Near its end this waits for the next one."""
    now = market.services.app.clock.now()
    left = 60 - now.second - now.microsecond / 1_000_000
    if left < slack:
        time.sleep(left + 0.1)
        now = market.services.app.clock.now()
    return now.astimezone(BEIJING).replace(second=0, microsecond=0)


def schedule_and_fill_lot(tab: Page, listing: dict[str, Any], opens_at: datetime, closes_at: datetime) -> str:
    """On the admin's auction page with the session's titles filled: schedule the session (10 % deposits), then
    fill the lot form for ``listing`` found by its patent number (start 10,000, reserve 12,000, increment 1,000
    yuan; the window in the times given, Beijing time), short of adding it. The session's id."""
    tab.locator("#deposit-rate").fill("10")
    tab.locator("#schedule-session").click()
    expect(tab.locator("#done")).to_have_text(zh("auction.done.scheduled"))
    session = tab.url.split("/auctions/")[1].split("/")[0]
    tab.locator("#listing-q").fill(listing["patent_number"])
    tab.locator("#search-listings").click()
    tab.locator("#listing").select_option(listing["id"])
    tab.locator("#start-price").fill("10000")
    tab.locator("#reserve").fill("12000")
    tab.locator("#increment").fill("1000")
    tab.locator("#opens-at").fill(opens_at.strftime("%Y-%m-%dT%H:%M"))
    tab.locator("#closes-at").fill(closes_at.strftime("%Y-%m-%dT%H:%M"))
    return session


@pytest.mark.browser
def test_an_admin_schedules_a_lot_the_owner_consents_and_a_bidder_registers(
    served: Served, page: Page,  # noqa: F811 - the fixtures of test_browser
) -> None:
    ops = next(a for a in served.demo.accounts if "platform_admin" in a.roles)
    firm = served.account_of("厦门智造装备有限公司")
    rival = served.account_of("福州新能源科技有限公司")
    assert firm is not None
    assert rival is not None
    listing, owner = next(iter(served.free_listings(firm)))
    assert listing["organisation_name"] != rival.organisation

    # The admin: from the to-do to a new session, then a lot on the listing found by its patent number.
    log_in(page, served, ops)
    page.locator("main a[href='/auctions/manage']").first.click()
    page.locator("#title-zh").fill("冬季专利拍卖会")
    page.locator("#title-en").fill("Winter patent auction")
    now = this_minute(served)  # the lot opens at once: the bids below need it open
    session = schedule_and_fill_lot(page, listing, now, now + timedelta(hours=2))
    page.locator("#add-lot-submit").click()
    expect(page.locator("#done")).to_have_text(zh("auction.done.lot_added"))
    expect(page.locator("#lot-table tbody tr")).to_have_count(1)
    expect(page.locator("#lot-table td.consent")).to_have_text(zh("auction.awaiting_consent"))
    lot = page.locator("#lot-table tbody tr a").get_attribute("href")
    assert lot is not None
    lot_id = lot.removeprefix("/lots/")
    assert_fits(page, "auction-manage")
    log_out(page)

    # The owner: the lot waits in its to-do; it consents on the lot's page.
    log_in(page, served, owner)
    page.locator(f"a[href='/lots/{lot_id}']").first.click()
    expect(page.locator("#reserve")).to_have_text(zh("auction.reserve_hidden"))
    page.locator("#consent").click()
    expect(page.locator("#done")).to_have_text(zh("auction.done.consented"))
    log_out(page)

    # A bidder registers from the session's page and is shown how to pay its deposit.
    log_in(page, served, firm)
    page.goto(f"{served.url}/auctions/{session}")
    page.locator("input[name=accept_rules]").check()
    page.locator("#register").click()
    expect(page.locator("#done")).to_have_text(zh("auction.done.registered"))
    expect(page.locator("#bidder-number strong")).to_have_text("1")
    expect(page.locator("#how-to-pay")).to_have_text(zh("auction.how_to_pay"))
    page.locator(f"#lot-{lot_id} a").click()
    page.locator("#pay-deposit").click()
    expect(page.locator("#instructions")).to_be_visible()
    reference = page.locator("#deposit-state code").inner_text()
    log_out(page)

    # The admin sees the consent and the bidder, and records the bank transfer from the session's page.
    log_in(page, served, ops)
    page.goto(f"{served.url}/auctions/{session}/manage")
    expect(page.locator("#lot-table td.consent")).to_have_text(zh("auction.consented"))
    expect(page.locator("#bidder-1")).to_contain_text("厦门智造装备有限公司")
    row = page.locator(f"#deposit-{lot_id}-1")
    expect(row.locator("code")).to_have_text(reference)
    row.locator(".receipt-reference").fill("BANK-20261205-01")
    row.locator(".record-receipt").click()
    expect(page.locator("#done")).to_have_text(zh("auction.done.receipt"))
    expect(page.locator(f"#deposit-{lot_id}-1 .deposit-status")).to_have_text(zh("auction.deposit.received"))
    log_out(page)

    # The bidder's open lot page: a rival's bid under the reserve, then at it; the live lines follow by themselves.
    admin = _token(page, served, ops.email, ops.password)
    theirs = _token(page, served, rival.email, rival.password)
    rival_org = _api(page, served, "POST", "/api/auth/token", body={"email": rival.email,
                                                                     "password": rival.password})["organisation_id"]
    _api(page, served, "POST", f"/api/auctions/{session}/bidders", theirs, {"accept_rules": True})
    _api(page, served, "POST", f"/api/lots/{lot_id}/deposit", theirs, {"gateway": "manual"})
    _api(page, served, "POST", f"/api/lots/{lot_id}/deposit-receipt", admin,
         {"organisation_id": rival_org, "amount": 100_000, "bank_reference": "B-rival"})
    log_in(page, served, firm)
    page.goto(f"{served.url}/lots/{lot_id}")
    expect(page.locator("#reserve-met")).to_have_text(zh("auction.no"))
    _api(page, served, "POST", f"/api/lots/{lot_id}/bids", theirs, {"amount": 1_100_000})
    expect(page.locator("#current-price")).to_have_text("1.10 万元", timeout=20_000)  # the page polls every 3 s
    expect(page.locator("#leader")).to_have_text("2")
    expect(page.locator("#reserve-met")).to_have_text(zh("auction.no"))
    _api(page, served, "POST", f"/api/lots/{lot_id}/bids", _token(page, served, firm.email, firm.password),
         {"amount": 1_200_000})  # the firm bids from another tab: this one is not reloaded
    expect(page.locator("#current-price")).to_have_text("1.20 万元", timeout=20_000)  # the page polls every 3 s
    expect(page.locator("#leader")).to_have_text("1")
    expect(page.locator("#reserve-met")).to_have_text(zh("auction.yes"))
    _api(page, served, "POST", f"/api/lots/{lot_id}/bids", theirs, {"amount": 1_300_000})
    expect(page.locator("#current-price")).to_have_text("1.30 万元", timeout=20_000)  # the page polls every 3 s
    expect(page.locator("#leader")).to_have_text("2")
    expect(page.locator("#reserve-met")).to_have_text(zh("auction.yes"))
