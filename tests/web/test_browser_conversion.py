"""Time-limited conversion in a real browser (issue 12, journey 3): in the demo, a university's funded patent
is overdue and another due. The university's admin finds the due one on its to-do page and answers it with a
conversion plan; the science department's programme officer finds the overdue one in the queue and opens it
as an open licence, recording the legal basis and the reason; an enterprise finds it on the public overdue
list and takes the licence up. In Chinese and in English; no page scrolls sideways on a phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from marketplace.demo.conversions import PATENTS
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

OVERDUE_TITLE, DUE_TITLE = PATENTS[0][1], PATENTS[1][1]


def switch_language(tab: Page) -> None:
    tab.locator("a[data-lang-switch]").click()


@pytest.mark.browser
def test_the_owner_answers_the_officer_opens_an_overdue_patent_and_an_enterprise_takes_it_up(
    served: Served, page: Page,  # noqa: F811 - the fixtures of test_browser
) -> None:
    with served.connect() as conn:
        flags = conn.execute(
            "SELECT c.id::text, c.status, p.title_zh, o.name AS owner FROM conversions c"
            " JOIN catalogue_patents p ON p.id = c.patent_id"
            " JOIN accounts_organisations o ON o.id = c.owner_ids[1] ORDER BY c.deadline").fetchall()
    overdue, due = flags
    assert (overdue["status"], overdue["title_zh"]) == ("overdue", OVERDUE_TITLE)
    assert (due["status"], due["title_zh"]) == ("due", DUE_TITLE)

    # The public list, before anyone logs in: the overdue patent, not the due one.
    page.goto(f"{served.url}/conversions/overdue")
    listed = page.locator(f"#conversion-{overdue['id']}")
    expect(listed).to_contain_text(OVERDUE_TITLE)
    expect(listed).to_contain_text(zh("conversion.status.overdue"))
    expect(page.locator(f"#conversion-{due['id']}")).to_have_count(0)
    assert_fits(page, "conversions-overdue")
    switch_language(page)
    expect(page.locator("h1")).to_have_text(en("conversion.overdue.title"))
    expect(page.locator(f"#conversion-{overdue['id']}")).to_contain_text(en("conversion.status.overdue"))
    switch_language(page)

    # The owner: told on its to-do page, answers the due one with a plan.
    owner = served.account_of(due["owner"])
    assert owner is not None
    log_in(page, served, owner)
    page.goto(f"{served.url}/todo")
    item = page.locator(f"a[href='/conversions/{due['id']}']")
    expect(item).to_contain_text(zh("todo.conversion_due"))
    item.click()
    expect(page.locator("#deadline")).to_be_visible()
    assert_fits(page, "conversion-owner")
    form = page.locator("#answer-form")
    form.get_by_label(zh("conversion.answer.kind")).select_option("plan")
    form.get_by_label(zh("conversion.answer.text")).fill("2027 年 3 月前完成中试，与宁德养殖企业洽谈许可")
    form.get_by_role("button", name=zh("conversion.answer.submit")).click()
    page.wait_for_url(re.compile(r"done=answered"))
    expect(page.locator("#done")).to_have_text(zh("conversion.answered"))
    expect(page.locator("h1")).to_contain_text(zh("conversion.status.paused"))
    switch_language(page)
    expect(page.locator("#answer")).to_contain_text(en("conversion.answer.plan"))
    switch_language(page)
    page.goto(f"{served.url}/my/conversions")
    expect(page.locator(f"#conversion-{due['id']}")).to_contain_text(zh("conversion.status.paused"))
    assert_fits(page, "my-conversions")
    page.context.clear_cookies()

    # The programme officer: the queue, the answer, and the overdue patent opened as an open licence.
    officer = next(a for a in served.demo.accounts if "programme_officer" in a.roles)
    log_in(page, served, officer)
    page.goto(f"{served.url}/conversions")
    expect(page.locator(f"#conversion-{due['id']}")).to_contain_text(zh("conversion.status.paused"))
    assert_fits(page, "conversions-queue")
    page.locator(f"#conversion-{overdue['id']} a").first.click()
    opening = page.locator("#open-form")
    expect(opening.get_by_label(zh("conversion.legal_basis"))).to_have_value(re.compile("科学技术进步法"))
    opening.get_by_label(zh("conversion.reason")).fill("结题四年未实施，权利人逾期未答复")
    opening.get_by_label(zh("conversion.fee")).fill("20000")
    opening.get_by_label(zh("conversion.term_years")).fill("5")
    assert_fits(page, "conversion-officer")
    opening.get_by_role("button", name=zh("conversion.open")).click()
    page.wait_for_url(re.compile(r"done=opened"))
    expect(page.locator("#done")).to_have_text(zh("conversion.opened"))
    expect(page.locator("#opened")).to_contain_text("结题四年未实施")
    switch_language(page)
    expect(page.locator("#opened")).to_contain_text(en("conversion.mode.open_licence"))
    switch_language(page)
    page.context.clear_cookies()

    # An enterprise finds it on the public list and takes up the open licence like any other.
    with served.connect() as conn:
        names = [r["name"] for r in conn.execute(
            "SELECT name FROM accounts_organisations WHERE kind = 'enterprise' AND verified ORDER BY name")]
    enterprise = next(account for account in map(served.account_of, names) if account is not None)
    assert enterprise is not None
    log_in(page, served, enterprise)
    page.goto(f"{served.url}/conversions/overdue")
    page.locator(f"#conversion-{overdue['id']}").get_by_role("link", name=zh("conversion.take_up")).click()
    page.wait_for_url(re.compile(r"/listings/[0-9a-f-]{36}$"))
    expect(page.locator("main")).to_contain_text(zh("status.published"))
    page.locator("#take-open-licence").click()
    page.wait_for_url(re.compile(r"/open-licence$"))
    page.locator("#confirm-open-licence").click()
    page.wait_for_url(re.compile(r"/contracts/[0-9a-f-]{36}"))
    expect(page.locator("main")).to_contain_text(OVERDUE_TITLE)
