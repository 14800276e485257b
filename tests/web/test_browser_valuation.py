# ruff: noqa: F811 - pytest fixtures imported from the browser module are parameters here
"""In a real browser: a valuer records a market-comparables valuation through rows (adding and removing a row
with the page's script, within the CSP), sees the steps as a table and the figures rounded, and the record
shows the method's name and the verified signature; the page fits a phone's width."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Dialog, Page, expect

from tests.web.test_browser import Served, assert_fits, browser, log_in, page, served, zh  # noqa: F401 - fixtures

HOSTILE = '<img src=x onerror="alert(1)">「评估」'


@pytest.mark.browser
def test_a_valuer_records_a_market_comparables_valuation_through_rows_and_reads_it_rounded(
    served: Served, page: Page
) -> None:
    dialogs: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    valuer = next(a for a in served.demo.accounts if "valuer" in a.roles)
    patent = served.listings()[0]["patent_id"]
    log_in(page, served, valuer)
    page.goto(f"{served.url}/patents/{patent}/valuations/new")
    page.locator('select[name="method"]').select_option("market_comparables")  # htmx swaps the method's inputs in
    rows = page.locator("#comparables [data-row]")
    expect(rows).to_have_count(3)  # three rows as served: enough without the script

    def fill(i: int, **values: str) -> None:
        for key, value in values.items():
            page.locator(f'input[name="in.comparables.{i}.{key}"]').fill(value)

    fill(0, reference="ZL201910001234.5", date="2025-06-30", price="500000", technical_factor="1.1")
    fill(1, reference=HOSTILE, price="400000", time_factor="0.93")
    fill(2, price="999999")
    page.locator("#comparables [data-add-row]").click()
    expect(rows).to_have_count(4)
    fill(3, price="100000")
    rows.nth(2).locator("[data-remove-row]").click()  # the row of 999,999 goes; the rows after it are renumbered
    expect(rows).to_have_count(3)
    expect(page.locator('input[name="in.comparables.2.price"]')).to_have_value("100000")
    expect(page.locator('input[name="in.comparables.3.price"]')).to_have_count(0)

    page.get_by_role("button", name=zh("valuation.calculate")).click()
    expect(page.locator("#preview-value")).to_have_text("340,667")  # (550,000 + 372,000 + 100,000) / 3
    steps = page.locator("#preview table.steps-per-comparable")
    expect(steps.locator("thead th")).to_have_text(
        [zh("valuation.step.comparable"), zh("valuation.step.factor_products"), zh("valuation.step.adjusted_prices")])
    expect(steps.locator("tbody tr")).to_have_count(3)
    expect(steps.locator("tbody tr").nth(0)).to_contain_text("550,000")
    expect(steps.locator("tbody tr").nth(1)).to_contain_text(HOSTILE)  # shown as text, never as markup

    assert_fits(page, "valuation-form")
    page.locator('input[name="low"]').fill("300000")
    page.locator('input[name="high"]').fill("380000")
    page.locator('input[name="report_reference"]').fill("闽联评报字〔2026〕第099号")
    page.locator("#assessment-form > button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/patents/{patent}/valuations$"))

    row = page.locator("tr.assessment", has_text="闽联评报字〔2026〕第099号")
    expect(row.locator("td.price")).to_have_text("340,667")
    expect(row.locator("td.method")).to_have_text(zh("valuation.method.market_comparables"))
    valuation_id = str(row.get_attribute("id")).removeprefix("assessment-")
    signature = page.locator(f"#signature-{valuation_id}")
    expect(signature.locator(".matches")).to_contain_text(zh("valuation.digest_matches"))
    expect(signature.locator("code.digest")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    expect(signature.locator(".signer")).to_have_text(valuer.display_name)
    signature.locator("details summary").click()
    recorded = signature.locator("table.steps-per-comparable tbody tr")
    expect(recorded).to_have_count(3)
    expect(recorded.nth(2)).to_contain_text("100,000")
    assert "340666" not in page.locator("main").inner_text()
    assert dialogs == []
    assert_fits(page, "valuation")
