"""A broker sends a vague demand back for clarification in a real browser (issue 13): the demo transfer agency's
accredited broker opens an enterprise's demand, sends it back from the page with a reason, and the enterprise
reads the reason and its edit form, in Chinese and in English; no page scrolls sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

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
from tests.web.test_browser_matching import _post_demand

AGENCY = "海峡技术转移中心"
ENTERPRISE = "厦门智造装备有限公司"
REASON = "目标指标不清楚：请给出良率的测量条件和批量。"


@pytest.mark.browser
def test_an_accredited_broker_sends_a_demand_back_and_the_enterprise_reads_why(
    served: Served, page: Page,  # noqa: F811 - the fixtures of test_browser
) -> None:
    listing = next(x for x in served.listings() if x["ipc_codes"] and x["title_zh"] and x["keywords"])
    demand = _post_demand(served, listing)  # posted by the demo enterprise
    broker = served.account_of(AGENCY)
    firm = served.account_of(ENTERPRISE)
    assert broker is not None
    assert firm is not None

    log_in(page, served, broker)
    page.goto(f"{served.url}/demands/{demand}")
    form = page.locator("#send-back")
    expect(form.locator("#send-back-button")).to_have_text(zh("clarify.send_back"))
    form.locator("textarea[name=reason]").fill(REASON)
    form.locator("#send-back-button").click()
    page.wait_for_url(f"{served.url}/demands/{demand}?done=sent_back")
    expect(page.locator("#clarify-reason")).to_contain_text(REASON)
    expect(page.locator("#send-back")).to_have_count(0)
    page.locator("header form[action='/logout'] button").click()

    log_in(page, served, firm)
    page.goto(f"{served.url}/demands/{demand}")
    expect(page.locator("#clarify h2")).to_have_text(zh("clarify.title"))
    expect(page.locator("#clarify-reason")).to_contain_text(REASON)
    expect(page.locator("#resubmit-form")).to_be_visible()
    assert_fits(page, "demand-sent-back")
    page.goto(f"{served.url}/demands/{demand}?lang=en")
    expect(page.locator("#clarify h2")).to_have_text(en("clarify.title"))
    assert_fits(page, "demand-sent-back-en")
