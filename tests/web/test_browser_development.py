"""A technology development contract in a real browser (issue 13, done-when (1) without the e-mail): on an
enterprise's demand a university proposes a commissioned development with two milestones, the enterprise awards
it and lands on the drafted contract, both sign it, the university delivers the first milestone, the enterprise
accepts it and starts its bank transfer, and once the platform records the receipt the milestone shows paid —
in Chinese, checked in English too; no page scrolls sideways on a phone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from domain.demand.demand import BEIJING
from marketplace.deals import commands as d
from marketplace.demand import demand_commands as mc
from marketplace.platform.clock import ManualClock
from tests.web.test_browser import (  # noqa: F401 - fixtures
    Served,
    _wait_for_projections,
    assert_fits,
    browser,
    en,
    log_in,
    log_out,
    page,
    served,
    zh,
)


@pytest.mark.browser
def test_a_development_proposal_is_awarded_signed_delivered_accepted_and_its_first_milestone_paid(
    served: Served, page: Page,  # noqa: F811 - the fixtures of test_browser
) -> None:
    firm = served.account_of("厦门智造装备有限公司")
    university = next((a for a in served.demo.accounts if "大学" in a.organisation and "org_admin" in a.roles),
                      None)
    admin = next(a for a in served.demo.accounts if "platform_admin" in a.roles)
    assert firm is not None
    assert university is not None
    app = served.services.app
    real_clock = app.clock
    start = real_clock.now()
    today = start.astimezone(BEIJING).date()
    firm_id = app.accounts.user_id_of(firm.email)
    assert firm_id is not None
    demand_id, _ = app.demands.post(mc.PostDemand(
        title_zh="高镍正极包覆工艺开发", description_zh="开发高镍正极的包覆工艺", problem="高镍正极循环衰减快",
        targets="1000 次循环容量保持率 ≥ 85%", deadline=today + timedelta(days=1), wants=["commissioned"],
        budget_min=100_000_00, budget_max=900_000_00), actor_id=firm_id)
    _wait_for_projections(served)
    demand_url = f"{served.url}/demands/{demand_id}"
    try:
        # The university proposes a commissioned development with two milestones.
        log_in(page, served, university)
        page.goto(demand_url)
        form = page.locator("#proposal-form")
        form.locator("select[name=want]").select_option("commissioned")
        form.locator("textarea[name=approach]").fill("原子层沉积包覆 + 梯度掺杂。")
        form.locator("input[name=price]").fill("600000")
        form.locator("input[name=milestone_title_1]").fill("工艺小试")
        form.locator("input[name=milestone_due_1]").fill((today + timedelta(days=90)).isoformat())
        form.locator("input[name=milestone_amount_1]").fill("200000")
        form.locator("input[name=milestone_title_2]").fill("中试放大")
        form.locator("input[name=milestone_due_2]").fill((today + timedelta(days=240)).isoformat())
        form.locator("input[name=milestone_amount_2]").fill("400000")
        form.locator("#submit-proposal").click()
        expect(page.locator("#done")).to_have_text(zh("demand.proposed"))
        log_out(page)

        # After the deadline the enterprise awards it and lands on the drafted development contract; it signs.
        app.clock = ManualClock(start + timedelta(days=3))
        log_in(page, served, firm)
        page.goto(demand_url)
        page.locator("article.proposal button.award").click()
        expect(page.locator("#contract-demand")).to_have_text("高镍正极包覆工艺开发")
        expect(page.locator("#ownership")).to_have_text(zh("development.ownership.developer"))
        expect(page.locator("pre.contract-text[lang=zh]")).to_contain_text("技术开发（委托）合同")
        expect(page.locator("tr.milestone")).to_have_count(2)
        contract_url = page.url
        page.locator("#sign").click()
        expect(page.locator("#sign")).to_have_count(0)
        assert_fits(page, "development-contract")
        log_out(page)

        # The university signs (the contract is in force) and delivers the first milestone.
        log_in(page, served, university)
        page.goto(contract_url)
        page.locator("#sign").click()
        expect(page.locator("#contract-status")).to_have_text(zh("contract.status.in_force"))
        first = page.locator("tr.milestone").first
        first.locator("input[name=note]").fill("小试报告与样品已提交")
        first.locator("form.deliver button").click()
        expect(page.locator("tr.milestone").first).to_have_attribute("data-state", "delivered")
        log_out(page)

        # The enterprise's to-do asks it to accept; it accepts and starts paying by bank transfer.
        log_in(page, served, firm)
        expect(page.locator("main")).to_contain_text(zh("todo.development.accept"))
        page.goto(contract_url)
        page.locator("tr.milestone").first.locator("form.accept button").click()
        expect(page.locator("tr.milestone").first).to_have_attribute("data-state", "accepted")
        page.locator("#development-how").wait_for()
        page.get_by_role("link", name=zh("contract.pay")).first.click()
        page.get_by_role("button", name=zh("payment.start_manual")).click()
        expect(page.locator("#payment-status")).to_have_text(zh("payment.status.awaiting_your_transfer"))
        obligation_url = page.url.split("?")[0].removesuffix("/start")
        reference = page.locator("#reference").inner_text()

        # The platform records the receipt (its own browser journey is test_browser_transfers); the milestone
        # shows paid to the enterprise, in Chinese and in English.
        admin_id = app.accounts.user_id_of(admin.email)
        assert admin_id is not None
        with served.connect() as conn:
            row = conn.execute("SELECT id, amount FROM deal_obligations WHERE reference = %s", (reference,)).fetchone()
        assert row is not None
        assert row["amount"] == 200_000_00
        app.payments.record_manual_receipt(d.RecordManualReceipt(obligation_id=row["id"], amount=row["amount"],
                                                                 bank_reference="ICBC-20260320-0042"),
                                           actor_id=admin_id)
        _wait_for_projections(served)
        page.goto(obligation_url)
        expect(page.locator("#payment-status")).to_have_text(zh("payment.status.paid"))
        page.goto(contract_url)
        expect(page.locator("tr.milestone").first.locator(".milestone-state")).to_have_text(
            zh("development.state.paid"))
        page.locator("a[data-lang-switch]").click()
        expect(page.locator("#development-how")).to_have_text(en("development.how"))
        expect(page.locator("#ownership")).to_have_text(en("development.ownership.developer"))
        assert_fits(page, "development-contract-en")
        page.locator("a[data-lang-switch]").click()
    finally:
        app.clock = real_clock
