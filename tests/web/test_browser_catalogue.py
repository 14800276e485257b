"""The catalogue in a real browser (issue 11): find a listing by its application number, sort by price,
and read a patent's chain of title."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, expect

from tests.web.test_browser import (
    PAGE_SIZE,
    Served,
    assert_fits,
    browser,
    card_ids,
    en,
    page,
    query_of,
    screenshot,
    served,
    zh,
)
from tests.web.test_catalogue_daily import expected_order

FIXTURES = (browser, page, served)  # the browser tests' fixtures, used here by name


def published_with_numbers(served: Served) -> list[dict[str, Any]]:
    with served.connect() as conn:
        return conn.execute(
            "SELECT l.id::text AS id, l.price_mode, l.price_amount, l.published_at, p.application_number"
            " FROM catalogue_listings l JOIN catalogue_patents p ON p.id = l.patent_id"
            " WHERE l.status = 'published'"
        ).fetchall()


@pytest.mark.browser
def test_search_by_application_number_sort_by_price_and_read_the_chain_of_title(served: Served, page: Page) -> None:
    listings = published_with_numbers(served)
    wanted = next(r for r in listings if r["application_number"])
    number = wanted["application_number"]
    assert "." in number, number  # a CN application number with its check character
    results = page.locator("#results article.card")

    # The application number as typed with its office code finds exactly that listing (an htmx swap).
    page.goto(f"{served.url}/listings")
    page.locator("#filters input[name=q]").press_sequentially(f"CN{number}")
    with page.expect_response(lambda r: urlparse(r.url).path == "/listings"
                              and r.request.headers.get("hx-request") == "true"):
        page.locator("#filters button[type=submit]").click()
    expect(results).to_have_count(1)
    assert card_ids(page) == [wanted["id"]]
    page.wait_for_url(lambda url: query_of(url).get("q") == [f"CN{number}"])

    # Sorting by price: the select swaps the results; negotiable prices come last.
    page.locator("#filters input[name=q]").fill("")
    with page.expect_response(lambda r: urlparse(r.url).path == "/listings"
                              and r.request.headers.get("hx-request") == "true"):
        page.locator("#sort").select_option("price_asc")
    page.wait_for_url(lambda url: query_of(url).get("sort") == ["price_asc"] and "q" not in query_of(url))
    expect(results).to_have_count(PAGE_SIZE)
    assert card_ids(page) == expected_order(listings, "price_asc")[:PAGE_SIZE]
    expect(page.locator("#sort option:checked")).to_have_text(zh("sort.price_asc"))
    screenshot(page, "listings-by-price-zh")
    # The language switch keeps the order.
    page.locator("a[data-lang-switch]").click()
    page.wait_for_url(lambda url: query_of(url).get("sort") == ["price_asc"])
    expect(page.locator("#sort option:checked")).to_have_text(en("sort.price_asc"))
    assert card_ids(page) == expected_order(listings, "price_asc")[:PAGE_SIZE]
    page.locator("a[data-lang-switch]").click()
    page.wait_for_url(lambda url: query_of(url).get("sort") == ["price_asc"])

    # The demo's completed assignment: its patent page shows from whom to whom the patent passed.
    with served.connect() as conn:
        sold = conn.execute(
            "SELECT h.patent_id::text AS patent_id, h.from_owners, h.to_owners, p.application_number"
            " FROM catalogue_ownership_history h JOIN catalogue_patents p ON p.id = h.patent_id LIMIT 1"
        ).fetchone()
    assert sold is not None, "the demo data should hold a completed assignment"
    page.goto(f"{served.url}/patents")
    page.locator("main form input[name=q]").press_sequentially(sold["application_number"])
    page.locator("main form button[type=submit]").click()
    page.locator(f"main table a[href='/patents/{sold['patent_id']}']").click()
    page.wait_for_url(f"{served.url}/patents/{sold['patent_id']}")
    chain = page.locator("#chain-of-title")
    expect(chain.locator("h2").first).to_have_text(zh("title.chain"))
    row = chain.locator("table").first.locator("tbody tr").first
    expect(row.locator("td").nth(0)).to_have_text("、".join(o["name"] for o in sold["from_owners"]))
    expect(row.locator("td").nth(1)).to_have_text("、".join(o["name"] for o in sold["to_owners"]))
    expect(row.locator("td").nth(2)).to_have_text(re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$"))
    screenshot(page, "patent-chain-of-title-zh")
    assert_fits(page, "patent")
