# ruff: noqa: F811 - pytest fixtures imported from the browser module are parameters here
"""The to-do in a real browser: a login lands on it, its count is in the header, an item leads to the
page where the user acts, and once acted on it is gone."""

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
    log_in,
    page,
    screenshot,
    served,
    zh,
)


@pytest.mark.browser
def test_a_seller_lands_on_its_todo_follows_an_offer_and_counters_it(served: Served, page: Page) -> None:
    with served.connect() as conn:
        busy = {r["listing_id"] for r in conn.execute("SELECT listing_id::text FROM deal_offers").fetchall()}
    buyer = served.account_of("厦门智造装备有限公司")
    assert buyer is not None
    listing, seller = next(
        (
            (r, a)
            for r in served.listings()
            if r["price_mode"] == "negotiable"
            and "assignment" in r["deal_types"]
            and r["id"] not in busy
            and len(r["owners"]) == 1
            and r["organisation_name"] != buyer.organisation
            and (a := served.account_of(r["organisation_name"])) is not None
        ),
        (None, None),
    )
    assert listing is not None, "no negotiable listing of a demo account"
    assert seller is not None
    app = served.services.app
    buyer_id = app.accounts.user_id_of(buyer.email)
    assert buyer_id is not None
    offer_id, _ = app.offers.make_offer(
        d.MakeOffer(listing_id=UUID(listing["id"]), kind="assignment", price=26_000_000), actor_id=buyer_id
    )
    _wait_for_projections(served)
    thread = f"/offers/{offer_id}"

    # The seller logs in and lands on its to-do: the offer is there, and the header counts what is listed.
    log_in(page, served, seller)
    expect(page.locator("main h1")).to_have_text(zh("todo.title"))
    expect(page.locator("#todo-offer h2")).to_contain_text(zh("todo.kind.offer"))
    item = page.locator(f"#todo-offer a[href='{thread}']")
    expect(item).to_contain_text(zh("todo.offer"))
    listed = page.locator("main li.todo-item").count()
    assert listed >= 1
    expect(page.locator("#todo-count")).to_have_text(str(listed))
    assert_fits(page, "todo")

    # It follows the item to the thread and counters there.
    item.click()
    page.wait_for_url(f"{served.url}{thread}")
    counter = page.locator("main form[action$='/counter']")
    counter.locator("input[name=price]").press_sequentially("300000")
    counter.get_by_role("button", name=zh("offer.counter"), exact=True).click()
    page.wait_for_url(f"{served.url}{thread}")
    expect(page.locator("main dd.price")).to_have_text("30 万元")

    # The to-do no longer holds it: it is the buyer's turn now; the header's count went down with it.
    page.locator("#todo-link").click()
    page.wait_for_url(re.compile(r"/todo$"))
    expect(page.locator(f"main a[href='{thread}']")).to_have_count(0)
    expect(page.locator("#todo-count")).to_have_text(str(listed - 1))
    screenshot(page, "todo-after-counter")
