"""Achievement packages and the officer's statistics in a real browser (issue 14, journey 2): a visitor finds the
demo's transfer-agency package from ``/packages``, reads its second edition with what it added and dropped, in
Chinese and in English, and its printable version; the enterprise that follows it finds the new edition on its
to-do, opens it and marks it read; the programme officer's dashboard draws the market's four statistics charts,
each with its table and CSV link, in both languages. The pages keep to the site's CSP (the page fixture fails on
a refusal) and fit a 390 px phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from marketplace.demo.vocabulary import ENTERPRISES
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

CHARTED = ("period", "ipc_section", "seller_region", "deal_kind")


@pytest.mark.browser
def test_a_visitor_reads_a_package_and_its_changes_and_a_follower_is_told_of_the_new_edition(
    served: Served, page: Page,  # noqa: F811 - the fixtures of test_browser
) -> None:
    with served.connect() as conn:
        package = conn.execute(
            "SELECT p.id::text, p.title_zh, p.title_en, e.added::text[] AS added, e.dropped::text[] AS dropped"
            " FROM market_packages p JOIN market_package_editions e ON e.package_id = p.id AND e.number = p.edition"
            " WHERE p.edition = 2").fetchone()
    assert package is not None

    page.goto(f"{served.url}/packages")
    expect(page.locator("h1")).to_have_text(zh("package.index"))
    page.get_by_role("link", name=package["title_zh"]).click()
    page.wait_for_url(f"{served.url}/packages/{package['id']}")
    expect(page.locator("#package-title")).to_have_text(package["title_zh"])
    expect(page.locator("#package-edition")).to_have_text("第 2 版")
    expect(page.locator("#package-added li")).to_have_count(len(package["added"]))
    expect(page.locator("#package-dropped li")).to_have_count(len(package["dropped"]))
    for listing in package["added"]:
        expect(page.locator(f"#package-listing-{listing} .badge")).to_have_text(zh("package.added"))
    expect(page.locator("#package-follow")).to_contain_text(zh("package.follow.login"))
    assert_fits(page, "package")

    page.locator("a[data-lang-switch]").click()
    page.wait_for_url(f"{served.url}/packages/{package['id']}")
    expect(page.locator("#package-title")).to_have_text(package["title_en"])
    expect(page.locator("#package-edition")).to_have_text("Edition 2")
    expect(page.locator("#package-changes h2")).to_have_text(en("package.changes"))

    page.locator("#package-print").click()
    page.wait_for_url(f"{served.url}/packages/{package['id']}/print")
    page.emulate_media(media="print")
    expect(page.locator("#package-printable h1")).to_have_text(package["title_en"])
    expect(page.locator("#package-print-table tbody tr")).to_have_count(
        len(package["added"]) + 4)  # the four kept from the first edition and the two added
    expect(page.locator("header.top")).to_be_hidden()  # the site's header is not printed
    page.emulate_media(media="screen")
    page.locator("a[data-lang-switch]").click()  # back to Chinese for the follower

    follower_org = next(o.name for o in ENTERPRISES if o.verified)
    follower = next(a for a in served.demo.accounts if a.organisation == follower_org and "org_admin" in a.roles)
    log_in(page, served, follower)
    news = page.get_by_role("link", name=re.compile(re.escape(package["title_zh"])))
    expect(news).to_have_attribute("href", f"/packages/{package['id']}#package-changes")
    news.click()
    expect(page.locator("#package-news")).to_be_visible()
    page.locator("#package-seen").click()
    expect(page.locator("#done")).to_have_text(zh("package.done.seen"))
    expect(page.locator("#package-news")).to_have_count(0)
    page.goto(f"{served.url}/todo")
    expect(page.get_by_role("link", name=re.compile(re.escape(package["title_zh"])))).to_have_count(0)


@pytest.mark.browser
def test_the_officer_dashboard_draws_the_market_statistics_with_tables_and_csv_in_both_languages(
    served: Served, page: Page,  # noqa: F811 - the fixtures of test_browser
) -> None:
    officer = next(a for a in served.demo.accounts if "programme_officer" in a.roles)
    with served.connect() as conn:
        months = conn.execute(
            "SELECT count(DISTINCT to_char(in_force_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM')) AS n"
            " FROM market_stat_contracts WHERE in_force_at IS NOT NULL").fetchone()
    assert months is not None
    assert months["n"] >= 12  # the demo's year of deals and this month's

    log_in(page, served, officer)
    page.goto(f"{served.url}/programmes/dashboard#dashboard-statistics")
    section = page.locator("#dashboard-statistics")
    expect(section.locator("h2")).to_have_text(zh("dashboard.section.statistics"))
    for say in (zh, en):
        for dimension in CHARTED:
            chart = section.get_by_role("img", name=say(f"stats.dim.{dimension}"))
            expect(chart).to_be_visible()
            sizes = section.locator(f"#chart-stats-{dimension} rect.reactive").evaluate_all(
                "rects => rects.map(r => r.getBoundingClientRect()).map(b => b.width * b.height)")
            assert sizes, dimension
            assert sum(sizes) > 0, (dimension, sizes)
            expect(section.locator(f"#dashboard-stats-{dimension} table.stats-table")).to_be_visible()
            expect(section.locator(f"#dashboard-stats-{dimension} a.stats-csv")).to_have_attribute(
                "href", f"/statistics/csv/{dimension}?period=month")
        bars = section.locator("#chart-stats-period rect.reactive")
        expect(bars).to_have_count(months["n"])
        if say is zh:
            assert_fits(page, "dashboard-statistics")
            page.locator("a[data-lang-switch]").click()
            page.wait_for_url(re.compile(r".*/programmes/dashboard.*"))
            expect(section.locator("h2")).to_have_text(en("dashboard.section.statistics"))
