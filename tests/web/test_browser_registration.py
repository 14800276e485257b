"""In a real browser (issue 14, journey 4): a university sells a patent to an enterprise; its admin finds the
technology-contract registration on the to-do, completes the form pre-filled from the contract (a bad region
code is refused in words), prints it, records the registry's number, and the contract page shows it; the page
reads in Chinese and in English and fits a phone."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from marketplace.deals import commands as dc
from marketplace.demo.catalogue import DemoAccount
from tests.web.test_browser import (  # noqa: F401 - the fixtures
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

NUMBER = "2026350199000001"


def _sale(served: Served) -> tuple[str, DemoAccount, dict[str, Any]]:  # noqa: F811 - the fixture of test_browser
    """A sole-owner university's listing bought at its listed price by a demo enterprise, signed by both."""
    with served.connect() as conn:
        enterprises = {r["name"] for r in conn.execute(
            "SELECT name FROM accounts_organisations WHERE kind = 'enterprise'").fetchall()}
        universities = {r["name"] for r in conn.execute(
            "SELECT name FROM accounts_organisations WHERE kind = 'university'").fetchall()}
        taken = {r["listing_id"] for r in conn.execute("SELECT listing_id::text FROM deal_contracts").fetchall()}
    buyer = next(a for a in served.demo.accounts if a.organisation in enterprises and "org_admin" in a.roles)
    listing = next(
        row for row in served.listings() if row["organisation_name"] in universities and len(row["owners"]) == 1
        and "assignment" in row["deal_types"] and row["price_mode"] == "fixed" and row["id"] not in taken
        and served.account_of(row["organisation_name"]) is not None)
    seller = served.account_of(listing["organisation_name"])
    assert seller is not None
    app = served.services.app
    ids = {a.email: app.accounts.user_id_of(a.email) for a in (buyer, seller)}
    offer, _ = app.offers.make_offer(dc.MakeOffer(listing_id=listing["id"], kind="assignment",
                                                  price=listing["asking_price"]), actor_id=ids[buyer.email])
    contract, _ = app.offers.accept_offer(dc.AcceptOffer(offer_id=offer), actor_id=ids[seller.email])
    digest: str = app.repository.get(contract).text_sha256
    for account in (seller, buyer):
        app.contracts.sign_contract(dc.SignContract(contract_id=contract, text_sha256=digest),
                                    actor_id=ids[account.email])
    _wait_for_projections(served)
    return str(contract), seller, listing


@pytest.mark.browser
def test_the_seller_registers_the_contract_from_the_todo_in_both_languages(
    served: Served, page: Page,  # noqa: F811 - the fixtures of test_browser
) -> None:
    contract, seller, listing = _sale(served)
    log_in(page, served, seller)  # lands on the to-do
    item = page.locator(f"#todo-tech_registration a[href='/contracts/{contract}/tech-registration']")
    expect(item).to_contain_text(zh("todo.tech_registration"))
    item.click()

    expect(page.locator("h1")).to_contain_text(zh("techreg.title"))
    expect(page.locator("#techreg-benefits")).to_contain_text(zh("techreg.benefit.income_tax"))
    # The project's name is the listing's Chinese title, its English one where it has none.
    expect(page.locator("input[name=project_name]")).to_have_value(listing["title_zh"] or listing["title_en"])
    expect(page.locator("select[name=seller_nature_code]")).to_have_value("022")
    expect(page.locator("#techreg-findings")).to_contain_text(zh("refusal.tech_registration.transfer_figures_missing"))
    assert_fits(page, "tech-registration")

    form = page.locator("#techreg-form")
    form.locator("select[name=buyer_nature_code]").select_option("170")
    form.locator("input[name=buyer_region_code]").fill("3502")  # a digit short
    form.locator("input[name=term_end]").fill("2031-12-31")
    form.locator("input[name=expected_investment]").fill("500000")
    form.locator("input[name=expected_output]").fill("3,000,000")
    form.get_by_role("button", name=zh("techreg.save"), exact=True).click()
    expect(page.locator("#form-error")).to_contain_text(zh("refusal.field.tech_registration.buyer.region_code"))
    expect(page.locator("#form-error")).to_contain_text("6 位数字")
    form = page.locator("#techreg-form")
    expect(form.locator("input[name=expected_output]")).to_have_value("3,000,000")  # kept as typed
    form.locator("input[name=buyer_region_code]").fill("350200")
    form.get_by_role("button", name=zh("techreg.save"), exact=True).click()
    page.wait_for_url(re.compile(r"done=saved"))
    expect(page.locator("#techreg-passes")).to_have_text(zh("techreg.passes"))

    page.locator("#techreg-print").click()
    expect(page.locator("#jj001 h1")).to_have_text(zh("techreg.form"))
    expect(page.locator("#jj001")).to_contain_text("350200")
    page.emulate_media(media="print")
    expect(page.locator("header.top")).to_be_hidden()
    expect(page.locator("#jj001 table.jj001")).to_be_visible()
    page.emulate_media(media="screen")
    assert_fits(page, "tech-registration-print")
    page.go_back()

    page.locator("#techreg-number-form input[name=number]").fill("2026 3501 9900 0001")
    page.get_by_role("button", name=zh("techreg.record_number"), exact=True).click()
    page.wait_for_url(re.compile(r"done=numbered"))
    expect(page.locator("#techreg-number")).to_have_text(NUMBER)
    expect(page.locator("#techreg-status")).to_have_text(zh("techreg.status.registered"))

    page.goto(f"{served.url}/contracts/{contract}")
    expect(page.locator("#contract-techreg-number")).to_have_text(NUMBER)
    page.locator("a[data-lang-switch]").click()
    expect(page.locator("#tech-registration h2")).to_have_text(en("techreg.title"))
    page.locator("#contract-techreg-link").click()
    expect(page.locator("#techreg-status")).to_have_text(en("techreg.status.registered"))
    expect(page.locator("#techreg-benefits")).to_contain_text(en("techreg.benefit.vat"))
    expect(page.locator("#techreg-record")).to_contain_text(en("techreg.type.transfer_patent_right"))
    assert_fits(page, "tech-registration-en")
    page.goto(f"{served.url}/todo")
    expect(page.locator(f"#todo-tech_registration a[href='/contracts/{contract}/tech-registration']")).to_have_count(0)
