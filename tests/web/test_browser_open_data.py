"""Open data in a real browser (issue 14, journey 5): anyone, without logging in, finds the open-data page from
the footer, reads what each export holds, follows the report per funding project (the demo's funded patents are
counted) and downloads its CSV; the feed answers its first page. In Chinese and in English; no page scrolls
sideways on a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.web.test_browser import (  # noqa: F401 - fixtures
    Served,
    assert_fits,
    browser,
    en,
    page,
    served,
    zh,
)


def switch_language(tab: Page) -> None:
    tab.locator("a[data-lang-switch]").click()


@pytest.mark.browser
def test_anyone_finds_the_open_data_page_its_exports_and_the_funding_report(
    served: Served, page: Page,  # noqa: F811 - the fixtures of test_browser
) -> None:
    with served.connect() as conn:
        funded = conn.execute(
            "SELECT public_funding ->> 'project_reference' AS reference FROM catalogue_patents"
            " WHERE public_funding IS NOT NULL AND registration_status = 'active'"
            " ORDER BY 1 LIMIT 1").fetchone()
    assert funded is not None

    page.goto(served.url)
    page.locator("#footer-open-data").click()
    expect(page.locator("h1")).to_have_text(zh("opendata.title"))
    expect(page.locator("#open-data-exports")).to_contain_text(zh("opendata.patents"))
    for link in ("#patents-csv", "#patents-jsonl", "#listings-csv", "#listings-jsonl", "#feed-link"):
        expect(page.locator(link)).to_have_count(1)
    assert_fits(page, "open-data")

    feed = page.request.get(f"{served.url}/api/open-data/feed?after=0&limit=50").json()
    assert feed["items"]
    assert feed["next"] >= feed["items"][-1]["position"]
    listings = page.request.get(f"{served.url}/open-data/listings.csv")
    assert listings.ok
    assert listings.body().startswith(b"\xef\xbb\xbf")

    page.locator("#funding-link").click()
    expect(page.locator("h1")).to_have_text(zh("opendata.funding"))
    expect(page.locator("#funding-report")).to_contain_text(str(funded["reference"]))
    assert_fits(page, "open-data-funding")
    with page.expect_download() as download:
        page.locator("#funding-csv").click()
    assert download.value.suggested_filename == "funding-projects.csv"

    switch_language(page)
    expect(page.locator("h1")).to_have_text(en("opendata.funding"))
    expect(page.locator("#funding-report thead")).to_contain_text(en("opendata.converted"))
    page.goto(f"{served.url}/open-data")
    expect(page.locator("h1")).to_have_text(en("opendata.title"))
    expect(page.locator("#open-data-feed")).to_contain_text(en("opendata.feed"))
    assert_fits(page, "open-data-en")
