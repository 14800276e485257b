"""Brokers in a real browser (issue 14, done-when 1 from the users' side): a university's admin mandates the
transfer agency on its listing's page, the agency's broker records the introduction of an enterprise there, the
enterprise confirms it from its to-do and offers from the listing page without naming any broker, the offer
shows the agency as broker, the broker follows the thread read-only, and the broker's performance page counts
the introduction with its chart — in Chinese, with the register checked in English; no page scrolls sideways."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from marketplace.demo.catalogue import DemoAccount
from tests.web.test_browser import (  # noqa: F401 - fixtures
    Served,
    assert_fits,
    browser,
    en,
    log_in,
    log_out,
    page,
    served,
    zh,
)
from web.formats import BEIJING

AGENCY = "海峡技术转移中心"
BUYER = "厦门智造装备有限公司"


def unmandated_university_listing(
    served: Served,  # noqa: F811 - the fixture's value
) -> tuple[dict[str, Any], DemoAccount, DemoAccount, DemoAccount]:
    """A negotiable assignment listing of a single demo university that no offer or mandate has touched yet, with
    the university's admin, the transfer agency's broker and the buyer enterprise's admin."""
    with served.connect() as conn:
        busy = {r["id"] for r in conn.execute(
            "SELECT listing_id::text AS id FROM deal_offers UNION SELECT listing_id::text FROM market_mandates")}
    listing, seller = next(
        ((r, a) for r in served.listings()
         if r["price_mode"] == "negotiable" and "assignment" in r["deal_types"] and r["id"] not in busy
         and len(r["owners"]) == 1 and (a := served.account_of(r["organisation_name"])) is not None
         and "大学" in r["organisation_name"]), (None, None))
    assert listing is not None, "no free negotiable listing of a demo university"
    assert seller is not None
    broker = served.account_of(AGENCY)
    buyer = served.account_of(BUYER)
    assert broker is not None
    assert buyer is not None
    return listing, seller, broker, buyer


@pytest.mark.browser
def test_a_mandated_brokers_introduction_carries_into_the_buyers_offer(
    served: Served, page: Page,  # noqa: F811 - the fixtures of test_browser
) -> None:
    listing, seller, broker, buyer = unmandated_university_listing(served)
    listing_url = f"{served.url}/listings/{listing['id']}"

    # The seller's admin mandates the agency from the listing page's section.
    log_in(page, served, seller)
    page.goto(listing_url)
    mandate = page.locator("#give-mandate")
    mandate.locator("select[name=agency_id]").select_option(label=AGENCY)
    mandate.locator("input[name=commission]").fill("3")
    ends_on = served.services.app.clock.now().astimezone(BEIJING).date() + timedelta(days=180)
    mandate.locator("input[name=ends_on]").fill(ends_on.isoformat())
    mandate.get_by_role("button", name=zh("mandate.submit"), exact=True).click()
    expect(page.locator("#done")).to_have_text(zh("mandate.given"))
    expect(page.locator("#mandates")).to_contain_text(AGENCY)
    expect(page.locator("#mandates")).to_contain_text(zh("mandate.live"))
    log_out(page)

    # The agency's broker records the enterprise it introduced.
    log_in(page, served, broker)
    page.goto(listing_url)
    form = page.locator("#introduce-buyer")
    form.locator("select[name=buyer_organisation_id]").select_option(label=BUYER)
    form.locator("input[name=note]").fill("福州技术对接会上推介")
    form.get_by_role("button", name=zh("introduction.submit"), exact=True).click()
    expect(page.locator("#done")).to_have_text(zh("introduction.recorded"))
    log_out(page)

    # The enterprise finds it on its to-do, confirms it, and offers without naming a broker.
    log_in(page, served, buyer)
    expect(page.locator("main")).to_contain_text(zh("todo.kind.introduction_to_confirm"))
    page.goto(f"{served.url}/introductions")
    item = page.locator("#to-confirm li", has_text="福州技术对接会上推介")
    item.get_by_role("button", name=zh("introduction.confirm"), exact=True).click()
    expect(page.locator("#done")).to_have_text(zh("introduction.confirmed_done"))
    assert_fits(page, "introductions")
    page.goto(listing_url)
    offer = page.locator("#offer-form")
    offer.locator("select[name=kind]").select_option("assignment")
    offer.locator("input[name=price]").press_sequentially("300000")
    offer.get_by_role("button", name=zh("offer.make"), exact=True).click()
    page.wait_for_url(re.compile(r"/offers/[0-9a-f-]{36}$"))
    thread_url = page.url
    expect(page.locator("#offer-broker")).to_contain_text("3.00 %")
    log_out(page)

    # The broker follows the thread among the agency's deals, and has nothing to act on there.
    log_in(page, served, broker)
    page.goto(f"{served.url}/introductions")
    expect(page.locator("#my-introductions")).to_contain_text(zh("introduction.status.confirmed"))
    page.locator(f"#brokered-deals a[href='{thread_url.removeprefix(served.url)}']").click()
    page.wait_for_url(thread_url)
    expect(page.locator("#offer-broker")).to_be_visible()
    expect(page.locator("main form[action$='/counter']")).to_have_count(0)
    expect(page.locator("main form[action$='/accept']")).to_have_count(0)

    # The broker's page counts the introduction, beside its chart, table and CSV link.
    page.goto(f"{served.url}/brokers")
    page.locator("#brokers a", has_text="方志华").click()
    expect(page.locator("#broker-status")).to_have_text(zh("broker.status.valid"))
    total = page.locator("#performance-total td").first
    expect(total).to_have_attribute("data-value", re.compile(r"^[1-9]\d*$"))
    expect(page.locator("svg#chart-perf-broker")).to_be_visible()
    expect(page.locator("#performance-csv")).to_be_visible()
    assert_fits(page, "broker-profile")
    page.goto(f"{served.url}/brokers?lang=en")
    expect(page.locator("h1")).to_have_text(en("broker.register"))
