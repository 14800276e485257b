"""The programme officer's dashboard in a real browser (issue 12): the demo's officer lands on the to-do, follows
its work link (and the header's) to the dashboard, sees each programme's budget as a chart (an image named for
screen readers, a table of the amounts beside it) and the claim awaiting review, opens it in the queue; in
Chinese and in English; the chart and the page fit a 390 px phone; the page keeps to the site's CSP."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.web.test_browser import (  # noqa: F401 - fixtures
    PHONE,
    Served,
    assert_fits,
    browser,
    en,
    log_in,
    page,
    screenshot,
    served,
    zh,
)


@pytest.mark.browser
def test_the_officer_finds_the_dashboard_sees_the_budget_charts_and_opens_a_claim(
    served: Served, page: Page,  # noqa: F811 - the fixtures of test_browser
) -> None:
    officer = next(a for a in served.demo.accounts if "programme_officer" in a.roles)
    with served.connect() as conn:
        programmes = conn.execute(
            "SELECT p.id::text, p.name_zh, p.name_en, p.budget, p.disbursed FROM programmes p"
            " JOIN accounts_organisations o ON o.id = p.organisation_id WHERE o.name = %s"
            " AND p.kind <> 'conversion' ORDER BY p.drafted_at",
            (officer.organisation,)).fetchall()
        submitted = conn.execute("SELECT id::text, programme_id::text FROM programme_claims WHERE status = 'submitted'"
                                 " ORDER BY raised_at LIMIT 1").fetchone()
    assert programmes
    assert submitted is not None

    log_in(page, served, officer)  # lands on the to-do: the dashboard is the first of the officer's work
    work = page.locator("#todo-work")
    expect(work.get_by_role("link", name=zh("todo.link.dashboard"))).to_have_attribute("href", "/programmes/dashboard")
    work.get_by_role("link", name=zh("todo.link.dashboard")).click()
    page.wait_for_url(f"{served.url}/programmes/dashboard")
    expect(page.locator("h1")).to_have_text(zh("dashboard.title"))
    expect(page.locator("#programme-dashboard-link")).to_have_attribute("href", "/programmes/dashboard")

    charts = page.locator("#dashboard-budgets svg.pygal-chart")
    expect(charts).to_have_count(len(programmes))
    for p in programmes:
        chart = page.get_by_role("img", name=re.compile(re.escape(p["name_zh"])))
        expect(chart).to_be_visible()
        expect(page.locator(f"#chart-budget-{p['id']} desc")).to_contain_text(zh("programme.remaining"))
        bars = page.locator(f"#chart-budget-{p['id']} .series rect.reactive")
        widths = bars.evaluate_all("rects => rects.map(r => r.getBoundingClientRect().width)")
        assert sum(widths) > 0, widths  # drawn: the three parts together span the budget
        table = page.locator(f"#budget-{p['id']} table.budget-figures")
        expect(table).to_contain_text(zh("programme.disbursed"))
    paid = next(p for p in programmes if p["disbursed"])
    disbursed_bar = page.locator(f"#chart-budget-{paid['id']} .serie-1 rect.reactive")
    assert disbursed_bar.bounding_box()["width"] > 0  # type: ignore[index]
    expect(page.locator("#dashboard-median-days")).to_contain_text(zh("programme.days").split(" ")[1])
    assert_fits(page, "programme-dashboard")

    # At a phone's width the chart is as wide as its column and no wider.
    page.set_viewport_size(PHONE)
    box = charts.first.bounding_box()
    assert box is not None
    assert 250 < box["width"] <= 390, box
    assert box["height"] > 50, box
    screenshot(page, "programme-dashboard-phone-chart")
    page.set_viewport_size({"width": 1280, "height": 900})

    queue = page.locator(f"#queue-claim-{submitted['id']}")
    expect(queue).to_be_visible()
    queue.get_by_role("link", name=zh("dashboard.queue.open")).click()
    page.wait_for_url(re.compile(rf"/programmes/{submitted['programme_id']}/claims#claim-{submitted['id']}$"))
    expect(page.locator(f"#claim-{submitted['id']}")).to_contain_text(zh("award.status.submitted"))

    page.goto(f"{served.url}/programmes/dashboard")
    page.locator("a[data-lang-switch]").click()
    page.wait_for_url(f"{served.url}/programmes/dashboard")
    expect(page.locator("h1")).to_have_text(en("dashboard.title"))
    for p in programmes:
        expect(page.get_by_role("img", name=re.compile(re.escape(p["name_en"])))).to_be_visible()
    expect(page.locator("#dashboard-budgets table.budget-figures").first).to_contain_text(en("programme.committed"))
    expect(page.locator("#dashboard-claims")).to_contain_text(en("dashboard.to_review"))
    assert_fits(page, "programme-dashboard-en")
