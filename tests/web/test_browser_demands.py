"""Technology demands and sealed proposals in a real browser (issue 13): an enterprise posts a demand from the
demand pages, a university finds it and proposes with a milestone, the enterprise sees the proposal sealed (its
hash only) until the deadline, then awards it — in Chinese, with the pages checked in English too; no page
scrolls sideways on a phone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from domain.demand.demand import BEIJING
from marketplace.platform.clock import ManualClock
from tests.web.test_browser import (  # noqa: F401 - fixtures
    Served,
    assert_fits,
    browser,
    en,
    log_in,
    log_out,
    page,
    served,
    zh,
)


def _switch_language(tab: Page) -> None:
    tab.locator("a[data-lang-switch]").click()


@pytest.mark.browser
def test_an_enterprise_posts_a_demand_a_university_proposes_sealed_and_is_awarded(
    served: Served, page: Page,  # noqa: F811 - the fixtures of test_browser
) -> None:
    firm = served.account_of("厦门智造装备有限公司")
    university = next((a for a in served.demo.accounts if "大学" in a.organisation and "org_admin" in a.roles),
                      None)
    assert firm is not None
    assert university is not None
    app = served.services.app
    real_clock = app.clock
    start = real_clock.now()
    deadline = (start.astimezone(BEIJING).date() + timedelta(days=7)).isoformat()
    try:
        # The enterprise posts a demand from the demand list.
        log_in(page, served, firm)
        page.locator("#demands-link").click()
        expect(page.locator("h1")).to_have_text(zh("demand.title"))
        page.locator("#post-demand").click()
        form = page.locator("#demand-form")
        form.locator("input[name=title_zh]").fill("钠离子电池正极材料低成本制备")
        form.locator("textarea[name=description_zh]").fill("寻求可量产的低成本正极制备工艺。")
        form.locator("textarea[name=problem]").fill("现有层状氧化物正极成本高、空气稳定性差。")
        form.locator("textarea[name=targets]").fill("成本低于 3 万元/吨，首效 ≥ 90%")
        form.locator("input[name=ipc_codes]").fill("H01M 4/505")
        form.locator("input[name=keywords]").fill("钠离子，正极")
        form.locator("input[name=budget_min]").fill("200000")
        form.locator("input[name=budget_max]").fill("800000")
        form.locator("input[name=deadline]").fill(deadline)
        form.locator("input[name=wants][value=commissioned]").check()
        form.locator("#post").click()
        expect(page.locator("#done")).to_have_text(zh("demand.posted"))
        expect(page.locator("#figure-proposals")).to_have_text("0")
        demand_url = page.url.split("?")[0]
        assert_fits(page, "demand")
        log_out(page)

        # The university finds it by a word and proposes with a milestone.
        log_in(page, served, university)
        page.goto(f"{served.url}/demands")
        page.locator("form.search input[name=q]").fill("钠离子")
        page.locator("form.search button").click()
        page.locator("#demand-list a", has_text="钠离子电池正极材料低成本制备").click()
        proposal = page.locator("#proposal-form")
        proposal.locator("textarea[name=approach]").fill("喷雾干燥 + 固相烧结，一步合成。")
        proposal.locator("textarea[name=team]").fill("储能材料课题组")
        proposal.locator("input[name=price]").fill("600000")
        proposal.locator("input[name=milestone_title_1]").fill("公斤级样品")
        proposal.locator("input[name=milestone_due_1]").fill("2027-06-30")
        proposal.locator("input[name=milestone_amount_1]").fill("200000")
        proposal.locator("#submit-proposal").click()
        expect(page.locator("#done")).to_have_text(zh("demand.proposed"))
        expect(page.locator("#my-state")).to_have_text(zh("demand.proposal.state.submitted"))
        assert_fits(page, "demand-proposal")
        log_out(page)

        # Before the deadline the enterprise sees the hash, not the content.
        log_in(page, served, firm)
        page.goto(demand_url)
        expect(page.locator("#figure-proposals")).to_have_text("1")
        expect(page.locator("article.proposal .sealed")).to_have_text(zh("demand.proposal.sealed"))
        assert len(page.locator("article.proposal code.sha256").inner_text()) == 64
        expect(page.locator("main")).not_to_contain_text("喷雾干燥")

        # After the deadline it reads the proposal and awards it; the page says so in English too.
        app.clock = ManualClock(start + timedelta(days=9))
        page.goto(f"{served.url}/todo")
        page.locator(f"a[href='{demand_url.removeprefix(served.url)}#proposals']").click()
        expect(page.locator("article.proposal .proposal-approach")).to_have_text("喷雾干燥 + 固相烧结，一步合成。")
        page.locator("article.proposal button.award").click()
        # A commissioned development: the award drafts the development contract, shown at once.
        expect(page.locator("#contract-demand")).to_have_text("钠离子电池正极材料低成本制备")
        page.goto(demand_url)
        expect(page.locator("article.proposal .proposal-state")).to_contain_text(zh("demand.proposal.state.awarded"))
        expect(page.locator("article.proposal a.proposal-contract")).to_have_text(zh("development.contract_link"))
        expect(page.locator("#demand-status")).to_contain_text(zh("demand.status.awarded"))
        _switch_language(page)
        expect(page.locator("#demand-status")).to_contain_text(en("demand.status.awarded"))
        expect(page.locator("#figures h2")).to_have_text(en("demand.figures"))
        expect(page.locator("#contract-note")).to_have_text(en("demand.contract_note"))
        assert_fits(page, "demand-awarded-en")
        _switch_language(page)
    finally:
        app.clock = real_clock
