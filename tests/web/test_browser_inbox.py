# ruff: noqa: F811 - pytest fixtures imported from the browser module are parameters here
"""The inbox in a real browser, in Chinese and in English: an offer received shows in the seller's inbox
with its words and Beijing time, the header counts the unread, and opening the item leads to the offer and
takes it off the count."""

from __future__ import annotations

import re
from uuid import UUID

import pytest
from playwright.sync_api import Page, expect

from marketplace.deals import commands as d
from tests.web.test_browser import (  # noqa: F401 - the browser fixtures
    Served,
    _wait_for_projections,
    assert_fits,
    browser,
    en,
    log_in,
    page,
    served,
    zh,
)


def _offers(served: Served, count: int) -> tuple[list[str], object]:
    """``count`` offers by a demo enterprise on listings of one demo seller; their thread links and the seller."""
    buyer = served.account_of("厦门智造装备有限公司")
    assert buyer is not None
    candidates = served.free_listings(buyer, "negotiable")
    assert candidates, "no negotiable listing of a demo account"
    seller = candidates[0][1]
    mine = [r for r, a in candidates if a == seller][:count]
    assert len(mine) == count, "the demo seller has too few free listings"
    app = served.services.app
    buyer_id = app.accounts.user_id_of(buyer.email)
    assert buyer_id is not None
    links = []
    for listing in mine:
        offer_id, _ = app.offers.make_offer(
            d.MakeOffer(listing_id=UUID(listing["id"]), kind="assignment", price=26_000_000), actor_id=buyer_id)
        links.append(f"/offers/{offer_id}")
    _wait_for_projections(served)
    return links, seller


def _open_from_inbox(page: Page, served: Served, link: str, words: str, beijing: str) -> None:
    page.locator("#inbox-link").click()
    page.wait_for_url(re.compile(r"/inbox$"))
    unread = int(page.locator("#inbox-count").inner_text())
    assert unread >= 1
    item = page.locator("#inbox-items li.unread").filter(has=page.locator(f"a[data-link='{link}']"))
    expect(item).to_have_count(1)
    expect(item).to_contain_text(words)
    expect(item.locator("time")).to_contain_text(beijing)
    item.locator("a").click()
    page.wait_for_url(f"{served.url}{link}")
    expect(page.locator("#inbox-count")).to_have_text(str(unread - 1))
    page.locator("#inbox-link").click()
    expect(page.locator(f"#inbox-items li.read a[data-link='{link}']")).to_have_count(1)


@pytest.mark.browser
def test_a_seller_sees_offers_in_its_inbox_opens_them_and_the_count_drops_in_both_languages(
    served: Served, page: Page,
) -> None:
    (first, second), seller = _offers(served, 2)
    log_in(page, served, seller)  # type: ignore[arg-type]
    expect(page.locator("#inbox-count")).not_to_have_text("0")
    _open_from_inbox(page, served, first, zh("notify.event.offer.received"), zh("time.beijing"))
    expect(page.locator("main h1")).to_contain_text(zh("inbox.title"))
    assert_fits(page, "inbox")

    page.goto(f"{served.url}/lang/en")
    _open_from_inbox(page, served, second, en("notify.event.offer.received"), en("time.beijing"))
    expect(page.locator("main h1")).to_contain_text(en("inbox.title"))
