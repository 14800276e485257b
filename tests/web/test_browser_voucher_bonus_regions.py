"""Cross-region vouchers and Xiamen's provider bonus in a real browser (issue 12): an enterprise applying its
voucher to a seller outside the programme's accepted regions reads why it is refused; once the officer's new
rules accept the seller's region the voucher pays; the officer settles from the voucher book, which says the
bonus the provider is paid with it. In Chinese and in English; no page scrolls sideways on a phone."""

from __future__ import annotations

import re
from datetime import date
from uuid import UUID

import pytest
from playwright.sync_api import Page, expect

from domain.accounts.organisation import Organisation
from domain.programmes.rules import BEIJING
from marketplace.deals import commands as d
from marketplace.programmes import commands as pc
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
from tests.web.test_browser_vouchers import signed_licence

YUAN = 100


def rules(regions: list[str]) -> pc.RulesInput:
    """Xiamen's terms: 40 % of a cost, a 20 % bonus to the provider on what it redeems (¥400,000 a year)."""
    return pc.RulesInput(beneficiary="buyer", tiers=[pc.TierInput(rate_bp=4000)], provider_bonus_bp=2000,
                         provider_bonus_cap_per_year=400_000 * YUAN, provider_regions=regions)


@pytest.mark.browser
def test_a_voucher_refuses_an_outside_provider_then_pays_and_the_settlement_pays_the_bonus(
    served: Served, page: Page,  # noqa: F811 - the fixtures of test_browser
) -> None:
    app = served.services.app
    buyer_name = "Minjiang Robotics Co., Ltd."
    oid, fee = signed_licence(served, buyer_name)
    buyer = served.account_of(buyer_name)
    officer = next(a for a in served.demo.accounts if "programme_officer" in a.roles)
    admin = next(a for a in served.demo.accounts if "platform_admin" in a.roles)
    assert buyer is not None
    officer_id, admin_id = app.accounts.user_id_of(officer.email), app.accounts.user_id_of(admin.email)
    buyer_id = app.accounts.user_id_of(buyer.email)
    assert officer_id is not None
    assert admin_id is not None
    assert buyer_id is not None
    today = app.clock.now().astimezone(BEIJING).date()
    pid, _ = app.programmes.draft_programme(pc.DraftProgramme(
        kind="innovation_voucher", name_zh="火炬高新区创新券（跨区域）", name_en="Torch Zone vouchers (cross-region)",
        budget=2 * fee, starts_on=date(today.year, 1, 1), ends_on=date(today.year + 1, 12, 31),
        rules=rules(["西藏"]), source="厦高管规〔2022〕2号"), actor_id=officer_id)
    app.programmes.open_programme(pc.OpenProgramme(programme_id=pid), actor_id=officer_id)
    buyer_org: UUID = app.repository.get(buyer_id).organisation_id
    (voucher,), _ = app.vouchers.issue_vouchers(pc.IssueVouchers(
        programme_id=pid, organisation_ids=[buyer_org], face_value=fee, valid_until=date(today.year + 1, 6, 30),
        batch_key="跨区域-01"), actor_id=officer_id)
    seller: Organisation = app.repository.get(app.repository.get(oid).payee_organisation_id)
    _wait_for_projections(served)

    log_in(page, served, buyer)
    page.goto(f"{served.url}/payments/{oid}/voucher")
    page.locator(f"#offer-{voucher}").get_by_role("button", name=zh("voucher.apply"), exact=True).click()
    expect(page.locator("#voucher-error")).to_contain_text("该创新券只能用于西藏的服务机构")
    assert_fits(page, "voucher-region-refused")
    page.locator("a[data-lang-switch]").click()
    page.locator(f"#offer-{voucher}").get_by_role("button", name=en("voucher.apply"), exact=True).click()
    expect(page.locator("#voucher-error")).to_contain_text("this voucher pays providers in 西藏 only")
    page.locator("a[data-lang-switch]").click()

    # The officer's new rules accept the seller's region too (跨区域), in force from today.
    app.programmes.revise_rules(pc.ReviseRules(programme_id=pid, effective_from=today,
                                               rules=rules(["西藏", seller.region])), actor_id=officer_id)
    page.goto(f"{served.url}/payments/{oid}/voucher")
    page.locator(f"#offer-{voucher}").get_by_role("button", name=zh("voucher.apply"), exact=True).click()
    page.wait_for_url(re.compile(rf"/payments/{oid}#voucher$"))
    expect(page.locator("#voucher-part")).to_be_visible()
    part = fee * 4000 // 10_000
    contract = app.repository.get(oid).contract_id
    app.payments.start_payment(d.StartPayment(contract_id=contract, gateway="manual"), actor_id=buyer_id)
    app.payments.record_manual_receipt(d.RecordManualReceipt(obligation_id=oid, amount=fee - part,
                                                             bank_reference="XM-B-0001"), actor_id=admin_id)
    _wait_for_projections(served)
    page.context.clear_cookies()

    log_in(page, served, officer)
    page.goto(f"{served.url}/programmes/{pid}/vouchers")
    redemption = page.locator(f"#redemption-{oid}")
    expect(redemption.locator(".bonus-to-pay")).to_contain_text("兑付时另付服务机构奖励")
    assert_fits(page, "voucher-book-bonus")
    redemption.get_by_label(zh("award.bank_reference")).fill("XM-GK-20261205-01")
    redemption.get_by_role("button", name=zh("voucher.settle"), exact=True).click()
    page.wait_for_url(re.compile(r"done=settled"))
    bonus = page.locator(f"#bonus-{oid}")
    expect(bonus).to_contain_text(zh("voucher.bonus.status.paid"))
    expect(bonus).to_contain_text("20 %")
    expect(page.locator("#bonus-total")).to_be_visible()
    expect(page.locator("#reconciles")).to_have_class("hint")
    page.locator("a[data-lang-switch]").click()
    expect(page.locator(f"#bonus-{oid}")).to_contain_text("paid in the same transfer")
    expect(page.locator(f"#bonus-{oid}")).to_contain_text(en("voucher.bonus.status.paid"))
    page.locator("a[data-lang-switch]").click()
    settled = app.repository.get(pid).provider_bonuses[oid]
    assert settled["amount"] == part * 2000 // 10_000
