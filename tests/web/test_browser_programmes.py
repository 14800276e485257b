"""Programmes in a real browser (issue 12): the demo's programme officer reviews the claim awaiting review
and records its disbursement from the queue; a university's admin submits its claim from "my claims";
both see the result, in Chinese and in English; no page scrolls sideways on a phone."""

from __future__ import annotations

import re

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


@pytest.mark.browser
def test_the_officer_approves_and_pays_a_claim_and_a_university_submits_its_own(
    served: Served, page: Page,  # noqa: F811 - the fixtures of test_browser
) -> None:
    with served.connect() as conn:
        claims = conn.execute(
            "SELECT c.id::text, c.status, c.programme_id::text, o.name AS beneficiary, c.amount,"
            " coalesce(r.number, '') AS registration_number"
            " FROM programme_claims c JOIN accounts_organisations o ON o.id = c.beneficiary_id"
            " LEFT JOIN market_tech_registrations r ON r.contract_id = c.contract_id"
            " ORDER BY c.raised_at, c.id").fetchall()
    submitted = next(c for c in claims if c["status"] == "submitted")
    raised = next(c for c in claims if c["status"] == "raised" and served.account_of(c["beneficiary"]))
    officer = next(a for a in served.demo.accounts if "programme_officer" in a.roles)

    log_in(page, served, officer)
    page.goto(f"{served.url}/programmes")
    expect(page.locator("#my-programmes")).to_contain_text("福建省技术交易补助（技术转让方）")
    assert_fits(page, "programmes")
    page.goto(f"{served.url}/programmes/{submitted['programme_id']}")
    assert_fits(page, "programme")
    page.get_by_role("link", name=zh("programme.claims.queue")).click()
    claim = page.locator(f"#claim-{submitted['id']}")
    expect(claim).to_contain_text(submitted["beneficiary"])
    expect(claim).to_contain_text(zh("award.status.submitted"))
    assert_fits(page, "programme-claims")
    claim.get_by_role("button", name=zh("award.approve"), exact=True).click()
    page.wait_for_url(re.compile(r"done=approved"))
    claim = page.locator(f"#claim-{submitted['id']}")
    expect(claim).to_contain_text(zh("award.status.approved"))
    claim.get_by_label(zh("award.bank_reference")).fill("FJCZ-20261205-0001")
    claim.get_by_role("button", name=zh("award.disburse"), exact=True).click()
    page.wait_for_url(re.compile(r"done=disbursed"))
    expect(page.locator("#done")).to_have_text(zh("award.disbursed"))
    expect(page.locator(f"#claim-{submitted['id']}")).to_contain_text(zh("award.status.paid"))
    page.locator("a[data-lang-switch]").click()
    expect(page.locator(f"#claim-{submitted['id']}")).to_contain_text(en("award.status.paid"))
    page.locator("a[data-lang-switch]").click()
    page.context.clear_cookies()

    university = served.account_of(raised["beneficiary"])
    assert university is not None
    log_in(page, served, university)
    page.goto(f"{served.url}/my/claims")
    mine = page.locator(f"#claim-{raised['id']}")
    expect(mine).to_contain_text(zh("award.status.raised"))
    expect(mine.locator("table.steps")).to_contain_text("×")
    assert_fits(page, "my-claims")
    mine.get_by_label(zh("award.payee_account")).fill("35050187000100009999")
    mine.get_by_label(zh("award.registration_number")).fill(raised["registration_number"])  # the seller recorded it
    mine.get_by_role("button", name=zh("award.submit"), exact=True).click()
    page.wait_for_url(re.compile(r"/my/claims\?done=submitted"))
    expect(page.locator("#done")).to_have_text(zh("award.submitted"))
    expect(page.locator(f"#claim-{raised['id']}")).to_contain_text(zh("award.status.submitted"))
    page.locator("a[data-lang-switch]").click()
    expect(page.locator(f"#claim-{raised['id']}")).to_contain_text(en("award.status.submitted"))
