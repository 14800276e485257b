"""In a real browser (issue 12): a buyer declares on the payment page that it pays with fiscal science-programme
funds, then reads on the payment's assessment page why the payment earned nothing; a programme officer marks
two organisations as related parties on the related-parties page, found by a name search, and withdraws the
relation. In Chinese and in English."""

from __future__ import annotations

import re
from uuid import UUID

import pytest
from playwright.sync_api import Page, expect

from domain.deals.contract import Contract
from domain.deals.payment import obligation_id
from marketplace.deals import commands as d
from marketplace.programmes.claims_process import ClaimsProcess
from tests.web.test_browser import (  # noqa: F401 - fixtures
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


@pytest.mark.browser
def test_a_buyer_declares_fiscal_funds_and_reads_why_the_payment_earned_nothing(
    served: Served, page: Page,  # noqa: F811 - the fixtures of test_browser
) -> None:
    buyer = served.account_of("福州新能源科技有限公司")
    assert buyer is not None
    listing, seller = next(iter(served.free_listings(buyer)), (None, None))
    assert listing is not None
    assert seller is not None
    app = served.services.app
    buyer_id, seller_id = app.accounts.user_id_of(buyer.email), app.accounts.user_id_of(seller.email)
    assert buyer_id is not None
    assert seller_id is not None
    offer, _ = app.offers.make_offer(d.MakeOffer(listing_id=UUID(listing["id"]), kind="assignment",
                                                 price=listing["asking_price"]), actor_id=buyer_id)
    contract_id, _ = app.offers.accept_offer(d.AcceptOffer(offer_id=offer), actor_id=seller_id)
    contract: Contract = app.repository.get(contract_id)
    for signer in (seller_id, buyer_id):
        app.contracts.sign_contract(d.SignContract(contract_id=contract_id, text_sha256=contract.text_sha256),
                                    actor_id=signer)
    due = obligation_id(contract_id, "upfront")
    _wait_for_projections(served)

    log_in(page, served, buyer)
    page.goto(f"{served.url}/payments/{due}")
    page.get_by_label(zh("payment.funds_source"), exact=True).select_option("fiscal_programme")
    page.get_by_role("button", name=zh("payment.start_manual"), exact=True).click()
    page.wait_for_url(f"{served.url}/payments/{due}")
    expect(page.locator("#funds-source-declared")).to_have_text(zh("payment.funds_source.fiscal_programme"))
    assert app.repository.get(due).funds_source == "fiscal_programme"

    admin = next(a for a in served.demo.accounts if "platform_admin" in a.roles)
    admin_id = app.accounts.user_id_of(admin.email)
    app.payments.record_manual_receipt(d.RecordManualReceipt(
        obligation_id=due, amount=listing["asking_price"], bank_reference="ICBC-FZ-TEST-0001"), actor_id=admin_id)
    assert ClaimsProcess(app.programmes).run_once().raised == []  # nothing earned
    _wait_for_projections(served)

    page.goto(f"{served.url}/payments/{due}")
    page.get_by_role("link", name=zh("payment.programme_assessment_link")).click()
    page.wait_for_url(re.compile(r"/programme-assessment$"))
    expect(page.locator("main h1")).to_have_text(zh("assessment.title"))
    expect(page.locator("#assessed-funds-source")).to_have_text(zh("payment.funds_source.fiscal_programme"))
    sections = page.locator("section.assessment")
    expect(sections.first).to_be_visible()
    for n in range(sections.count()):  # every programme open on the payment date refused it, saying why
        expect(sections.nth(n)).to_contain_text(zh("assessment.refused"))
        expect(sections.nth(n).locator('li[data-reason="programme.refusal.fiscally_funded"]')).to_have_text(
            zh("programme.refusal.fiscally_funded"))
    assert_fits(page, "payment-assessment")
    page.locator("a[data-lang-switch]").click()
    expect(page.locator("main h1")).to_have_text(en("assessment.title"))
    expect(sections.first.locator('li[data-reason="programme.refusal.fiscally_funded"]')).to_have_text(
        en("programme.refusal.fiscally_funded"))
    page.locator("a[data-lang-switch]").click()


@pytest.mark.browser
def test_an_officer_marks_related_parties_found_by_name_and_withdraws_the_relation(
    served: Served, page: Page,  # noqa: F811 - the fixtures of test_browser
) -> None:
    officer = next(a for a in served.demo.accounts if "programme_officer" in a.roles)
    log_in(page, served, officer)
    page.goto(f"{served.url}/programmes")
    page.locator("#related-parties-link").click()
    page.wait_for_url(re.compile(r"/programmes/related-parties$"))
    expect(page.locator("main h1")).to_have_text(zh("related.title"))
    page.locator("#find input[name=q]").fill("泉州海洋")
    page.locator("#find button").click()
    expect(page.locator("#found")).to_contain_text("泉州海洋生物科技有限公司")
    found_id = page.locator("#found code.org-id").first.inner_text()
    mark = page.locator("#mark")
    mark.locator("input[name=organisation]").fill(found_id)  # picked by the id the search showed
    mark.locator("input[name=related_organisation]").fill("厦门智造装备有限公司")  # by its name
    mark.locator("textarea[name=reason]").fill("两家企业同受一家集团控制")
    mark.get_by_role("button", name=zh("related.mark")).click()
    page.wait_for_url(re.compile(r"done=related_marked"))
    expect(page.locator("#done")).to_have_text(zh("related.marked"))
    row = page.locator("#pairs tr.related").filter(has_text="两家企业同受一家集团控制")
    expect(row).to_contain_text("泉州海洋生物科技有限公司")
    expect(row).to_contain_text("厦门智造装备有限公司")
    expect(row.locator("td.state")).to_have_text(zh("related.state.related"))
    assert_fits(page, "related-parties")

    mark = page.locator("#mark")  # an organisation nobody has: refused in words, what was typed kept
    mark.locator("input[name=organisation]").fill("不存在的公司")
    mark.locator("input[name=related_organisation]").fill("厦门智造装备有限公司")
    mark.locator("textarea[name=reason]").fill("测试")
    mark.get_by_role("button", name=zh("related.mark")).click()
    expect(page.locator("#error")).to_contain_text("没有名称或编号为“不存在的公司”的机构")
    expect(page.locator("#mark input[name=organisation]")).to_have_value("不存在的公司")

    page.goto(f"{served.url}/programmes/related-parties")
    page.locator("a[data-lang-switch]").click()
    expect(page.locator("main h1")).to_have_text(en("related.title"))
    row = page.locator("#pairs tr.related").filter(has_text="两家企业同受一家集团控制")
    row.get_by_label(en("related.withdraw_reason")).fill("集团已出售其中一家")
    row.get_by_role("button", name=en("related.withdraw")).click()
    page.wait_for_url(re.compile(r"done=related_withdrawn"))
    expect(page.locator("#done")).to_have_text(en("related.withdrawn"))
    withdrawn = page.locator("#pairs tr.withdrawn").filter(has_text="集团已出售其中一家")
    expect(withdrawn.locator("td.state")).to_have_text(en("related.state.withdrawn"))
    page.locator("a[data-lang-switch]").click()
