# ruff: noqa: F811 - pytest fixtures imported from the browser module are parameters here
"""In a real browser: the licensee of a licence in force files a royalty report on the contract page and
the page shows it (issue 11)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.web.test_browser import (  # noqa: F401 - the fixtures
    Served,
    _wait_for_projections,
    assert_fits,
    browser,
    log_in,
    page,
    served,
    zh,
)
from web.app import money


@pytest.mark.browser
def test_the_licensee_files_a_royalty_report_and_the_contract_page_shows_it(served: Served, page: Page) -> None:
    with served.connect() as conn:
        licence = conn.execute(
            "SELECT c.id::text AS id, c.terms, b.name AS licensee FROM deal_contracts c"
            " JOIN accounts_organisations b ON b.id = c.buyer_organisation_id"
            " WHERE c.status = 'in_force' AND c.contract_type = 'LicenceContract' ORDER BY c.drafted_at LIMIT 1"
        ).fetchone()
    assert licence is not None, "the demo has no licence in force"
    licensee = served.account_of(licence["licensee"])
    assert licensee is not None
    start = date.fromisoformat(licence["terms"]["scope"]["start"])
    end = start + timedelta(days=29)

    log_in(page, served, licensee)
    page.goto(f"{served.url}/contracts/{licence['id']}")
    expect(page.locator("#royalty-reports tbody")).to_have_text(zh("deals.none"))
    form = page.locator(f"form[action='/contracts/{licence['id']}/royalties']")
    form.locator("input[name=period_start]").fill(start.isoformat())
    form.locator("input[name=period_end]").fill(end.isoformat())
    form.locator("input[name=net_sales]").fill("123456.78")
    form.get_by_role("button", name=zh("contract.report_royalty"), exact=True).click()

    page.wait_for_url(f"{served.url}/contracts/{licence['id']}")
    row = page.locator("#royalty-reports tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator("td").nth(0)).to_have_text(start.isoformat())
    expect(row.locator("td").nth(1)).to_have_text(end.isoformat())
    expect(row.locator("td").nth(2)).to_have_text(money(12_345_678))
    _wait_for_projections(served)
    with served.connect() as conn:
        recorded = conn.execute(
            "SELECT period_start, period_end, net_sales FROM deal_royalty_reports WHERE contract_id = %s",
            (licence["id"],),
        ).fetchall()
    assert recorded == [{"period_start": start, "period_end": end, "net_sales": 12_345_678}]
    assert_fits(page, "royalty")
