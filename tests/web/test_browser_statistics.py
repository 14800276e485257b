"""The technology-market statistics page in a real browser (issue 14, journey 3): the public opens
/statistics on the demo marketplace and sees four charts (volume over time, by field, by region, by type),
each an image named for screen readers with its table beside it and a CSV link; in Chinese and in English;
the page and its charts fit a 390 px phone; the page keeps to the site's CSP (the page fixture fails on a
refusal)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from tests.web.test_browser import (  # noqa: F401 - fixtures
    PHONE,
    Served,
    assert_fits,
    browser,
    en,
    page,
    screenshot,
    served,
    zh,
)

CHARTED = ("period", "ipc_section", "seller_region", "deal_kind")


def charts_are_drawn(tab: Page, say: Callable[[str], str]) -> None:
    for dimension in CHARTED:
        chart = tab.get_by_role("img", name=say(f"stats.dim.{dimension}"))
        expect(chart).to_be_visible()
        bars = tab.locator(f"#chart-stats-{dimension} rect.reactive")
        sizes = bars.evaluate_all(
            "rects => rects.map(r => r.getBoundingClientRect()).map(b => b.width * b.height)")
        assert sizes, dimension
        assert sum(sizes) > 0, (dimension, sizes)
        expect(tab.locator(f"#stats-{dimension} table.stats-table")).to_be_visible()
        expect(tab.locator(f"#stats-{dimension} a.stats-csv")).to_have_attribute(
            "href", f"/statistics/csv/{dimension}?period=month")


@pytest.mark.browser
def test_the_public_reads_the_statistics_charts_in_both_languages_on_a_phone_too(
    served: Served, page: Page,  # noqa: F811 - the fixtures of test_browser
) -> None:
    with served.connect() as conn:
        counted = conn.execute(
            "SELECT count(*) AS n FROM market_stat_contracts WHERE in_force_at IS NOT NULL").fetchone()
    assert counted is not None
    assert counted["n"] > 0  # the demo's paid deals
    with served.connect() as conn:
        regions = conn.execute(
            "SELECT count(DISTINCT coalesce(nullif(record_seller_region, ''), nullif(seller_region, ''), 'unknown'))"
            " AS n FROM market_stat_contracts WHERE in_force_at IS NOT NULL").fetchone()
    assert regions is not None
    assert regions["n"] >= 2  # the sellers' Fujian cities are told apart

    page.goto(f"{served.url}/statistics")
    expect(page.locator("h1")).to_have_text(zh("stats.title"))
    expect(page.locator("#stats-total-contracts")).to_have_text(str(counted["n"]))
    charts_are_drawn(page, zh)
    expect(page.locator("#chart-stats-seller_region rect.reactive")).to_have_count(regions["n"])  # a bar each
    expect(page.locator("#stats-seller_region tbody tr")).to_have_count(regions["n"])
    expect(page.locator("#stats-seller_region")).to_contain_text("福州市")
    assert_fits(page, "statistics")

    page.set_viewport_size(ViewportSize(width=PHONE["width"], height=PHONE["height"]))
    for dimension in CHARTED:
        box = page.locator(f"#chart-stats-{dimension}").bounding_box()
        assert box is not None
        assert 200 < box["width"] <= 390, (dimension, box)
        assert box["height"] > 50, (dimension, box)
    screenshot(page, "statistics-phone-charts")
    page.set_viewport_size(ViewportSize(width=1280, height=900))

    page.locator("#stats-period select").select_option("year")
    page.locator("#stats-period button").click()
    page.wait_for_url(f"{served.url}/statistics?period=year")
    expect(page.get_by_role("img", name=zh("stats.dim.period"))).to_be_visible()

    page.goto(f"{served.url}/statistics")
    page.locator("a[data-lang-switch]").click()
    page.wait_for_url(f"{served.url}/statistics")
    expect(page.locator("h1")).to_have_text(en("stats.title"))
    charts_are_drawn(page, en)
    assert_fits(page, "statistics-en")
