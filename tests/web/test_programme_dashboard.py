"""The programme officer's dashboard over HTTP (issue 12, "Pages, API, reports"): a department's officer finds it
from the header and the to-do; it shows each of the department's programmes' budget as a chart (inline SVG,
named and described for screen readers, a table of the same amounts beside it), the claims to review and to
pay, and the figures (median days from payment to disbursement against the aim of 30 days, claims by status).
Another department's programmes are not on it; the platform admin sees every department's; anyone else is
refused, on the page and in the JSON API."""

from __future__ import annotations

import re
from datetime import timedelta

from marketplace.accounts import commands as ac
from tests.unit.tech_registration_helpers import register
from tests.web.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, api_token, csrf_token, login
from tests.web.test_programmes_web import (  # noqa: F401 - the fixture and helpers of the programmes journey
    PASSWORD,
    YUAN,
    Market,
    claim_ids,
    draft_and_open,
    market,
)

XM_PROGRAMME = {"kind": "purchase_subsidy", "name_zh": "厦门市技术购买补助", "name_en": "Xiamen purchase subsidy",
                "budget": 500_000 * YUAN, "starts_on": "2025-01-01", "ends_on": "2030-12-31",
                "rules": {"beneficiary": "buyer", "tiers": [{"rate_bp": 500}], "buyer_region": "厦门"}}


def section(page: str, key: str) -> str:
    found = re.search(rf'<section class="panel dashboard-section" id="dashboard-{key}".*?</section>', page, re.S)
    assert found is not None, page
    return found.group(0)


def a_claim_to_review_and_one_to_pay(
    market: Market, programme_id: str,  # noqa: F811 - the fixture of the programmes journey
) -> tuple[str, str]:
    client = market.client
    numbers = ("2026350100000123", "2026350100000124")
    for price, number in zip((800_000, 300_000), numbers, strict=True):  # each contract registered (技术合同登记)
        register(market.app, market.paid_sale("fafu", "tea", price), market.ids["fafu"], number)
    first, second = market.follow_payments()
    fafu = api_token(client, "fafu@example.test", PASSWORD)
    officer = api_token(client, "officer@example.test", PASSWORD)
    for claim, number in zip((first, second), numbers, strict=True):
        submitted = client.post(f"/api/claims/{claim}/submit", headers=fafu,
                                json={"payee_account": "35001234567890", "registration_number": number})
        assert submitted.status_code == 200, submitted.text
    assert client.post(f"/api/claims/{first}/approve", headers=officer).status_code == 200
    market.services.make_runner().catch_up()
    return str(second), str(first)


def test_the_officer_sees_the_departments_budgets_as_charts_and_the_claims_awaiting(
    market: Market,  # noqa: F811 - the fixture of the programmes journey
) -> None:
    client = market.client
    programme_id = draft_and_open(market)
    xm = api_token(client, "xm_officer@example.test", PASSWORD)
    drafted = client.post("/api/programmes", headers=xm, json=XM_PROGRAMME)
    assert drafted.status_code == 201, drafted.text
    to_review, to_pay = a_claim_to_review_and_one_to_pay(market, programme_id)

    login(client, "officer@example.test", PASSWORD)
    todo = client.get("/todo").text  # where the login lands: the dashboard is the officer's work, and in the header
    assert '<li><a href="/programmes/dashboard">扶持计划工作台</a></li>' in todo
    assert 'id="programme-dashboard-link"' in todo
    page = client.get("/programmes/dashboard")
    assert page.status_code == 200, page.text
    assert "<h1>扶持计划工作台</h1>" in page.text
    assert "技术交易补助（卖方）" in page.text
    assert "厦门市技术购买补助" not in page.text  # another department's programme
    budgets = section(page.text, "budgets")
    svg = re.search(rf'<svg [^>]*id="chart-budget-{programme_id}"[^>]*>.*?</svg>', budgets, re.S)
    assert svg is not None, budgets
    chart = svg.group(0)
    assert 'role="img"' in chart
    assert f'aria-labelledby="budget-{programme_id}-title budget-{programme_id}-desc"' in chart
    assert f'<title id="budget-{programme_id}-title">技术交易补助（卖方）：预算执行</title>' in chart
    # 1 % of ¥800,000 approved and committed; nothing disbursed yet.
    assert (f'<desc id="budget-{programme_id}-desc">预算 100 万元：已承诺 8,000.00 元，已拨付 0.00 元，'
            "剩余 99.20 万元。</desc>") in chart
    assert "<script" not in chart
    assert "<style" not in chart
    assert "style=" not in chart  # the site's Content-Security-Policy allows no inline style
    assert re.findall(r'<td class="n">([^<]+)</td>', budgets) == ["8,000.00 元", "0.8 %", "0.00 元", "0.0 %",
                                                                 "99.20 万元", "99.2 %"]
    claims = section(page.text, "claims")
    review, rest = claims.split('id="queue-to_pay"')
    pay = rest.split("queue-owed_back")[0]
    assert f'href="/programmes/{programme_id}/claims#claim-{to_review}"' in review
    assert f'href="/programmes/{programme_id}/claims#claim-{to_pay}"' in pay
    assert to_review not in pay
    figures = section(page.text, "figures")
    assert "目标：不超过 30 天" in figures
    assert re.search(r"<th scope=\"row\">待审核</th><td class=\"n\">1</td>", figures)
    assert re.search(r"<th scope=\"row\">已核定，待拨付</th><td class=\"n\">1</td>", figures)
    assert '<link rel="stylesheet" href="/static/chart.css">' in page.text
    assert client.get("/static/chart.css").status_code == 200

    # The department pays twelve days after the deal was paid: the median shows it, within the aim.
    market.clock.advance(timedelta(days=12))
    paid = market.form(f"/claims/{to_pay}/disburse", f"/programmes/{programme_id}/claims",
                       {"bank_reference": "HX20261204001"})
    assert paid.status_code == 303
    market.services.make_runner().catch_up()
    page = client.get("/programmes/dashboard")
    median = r'id="dashboard-median-days">12\.0 天\s*<small>\(共 1 笔已拨付;\s*达到目标\)'
    assert re.search(median, page.text), page.text
    assert "已拨付 8,000.00 元" in section(page.text, "budgets")

    english = client.get("/lang/en?next=/programmes/dashboard").text
    assert "<h1>Programme dashboard</h1>" in english
    assert "Deal reward (seller): budget</title>" in english
    assert "Budget CNY 1,000,000: committed CNY 0, disbursed CNY 8,000, remaining CNY 992,000." in english
    assert re.search(r'id="dashboard-median-days">12\.0 days\s*<small>\(of 1 paid;\s*within the aim\)', english)


def test_the_dashboard_api_answers_the_departments_figures_and_the_admin_sees_all(
    market: Market,  # noqa: F811 - the fixture of the programmes journey
) -> None:
    client = market.client
    programme_id = draft_and_open(market)
    xm = api_token(client, "xm_officer@example.test", PASSWORD)
    xm_programme = client.post("/api/programmes", headers=xm, json=XM_PROGRAMME).json()["id"]
    to_review, to_pay = a_claim_to_review_and_one_to_pay(market, programme_id)

    officer = api_token(client, "officer@example.test", PASSWORD)
    answer = client.get("/api/programmes/dashboard", headers=officer)
    assert answer.status_code == 200, answer.text
    d = answer.json()
    assert d["scope"] == "department"
    assert [p["programme_id"] for p in d["programmes"]] == [programme_id]
    [budget] = d["programmes"]
    assert (budget["budget"], budget["committed"], budget["disbursed"], budget["remaining"]) == (
        1_000_000 * YUAN, 8_000 * YUAN, 0, 992_000 * YUAN)
    assert [c["id"] for c in d["to_review"]] == [to_review]
    assert [c["id"] for c in d["to_pay"]] == [to_pay]
    assert d["owed_back"] == []
    assert d["figures"]["by_status"] == {"submitted": 1, "approved": 1}
    assert d["figures"]["median_days_to_disbursement"] is None
    assert d["aim_days"] == 30

    mine = client.get("/api/programmes/dashboard", headers=xm).json()
    assert [p["programme_id"] for p in mine["programmes"]] == [xm_programme]  # its own draft only
    assert (mine["to_review"], mine["to_pay"], mine["figures"]["by_status"]) == ([], [], {})

    admin = api_token(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    everything = client.get("/api/programmes/dashboard", headers=admin).json()
    assert everything["scope"] == "all"
    assert {p["programme_id"] for p in everything["programmes"]} == {programme_id, xm_programme}
    assert [c["id"] for c in everything["to_review"]] == [to_review]
    login(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    page = client.get("/programmes/dashboard").text
    assert "厦门市技术购买补助" in page
    assert "技术交易补助（卖方）" in page
    assert "全部主管部门的扶持计划" in page


def test_nobody_else_reads_the_dashboard(
    market: Market,  # noqa: F811 - the fixture of the programmes journey
) -> None:
    client = market.client
    draft_and_open(market)
    client.post("/logout", data={"_csrf_token": csrf_token(client, "/programmes")})
    anonymous = client.get("/programmes/dashboard", follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/login")
    assert client.get("/api/programmes/dashboard").status_code == 401
    login(client, "fafu@example.test", PASSWORD)  # a university's member: no officer
    refused = client.get("/programmes/dashboard")
    assert refused.status_code == 403
    assert "技术交易补助（卖方）" not in refused.text
    assert 'id="programme-dashboard-link"' not in client.get("/todo").text
    fafu = api_token(client, "fafu@example.test", PASSWORD)
    answer = client.get("/api/programmes/dashboard", headers=fafu)
    assert answer.status_code == 403
    assert "programmes" not in answer.json()
    # An officer whose role was revoked is refused at once (its session ends; roles are as held now).
    login(client, "officer@example.test", PASSWORD)
    assert client.get("/programmes/dashboard").status_code == 200
    market.app.accounts.revoke_role(ac.RevokeRole(user_id=market.ids["officer"], role="programme_officer"),
                                    actor_id=market.admin)
    market.services.make_runner().catch_up()
    revoked = client.get("/programmes/dashboard", follow_redirects=False)
    assert revoked.status_code in (303, 403)
    assert "技术交易补助（卖方）" not in revoked.text


def test_the_queue_shows_no_claim_ids_of_other_departments(
    market: Market,  # noqa: F811 - the fixture of the programmes journey
) -> None:
    """The claims of the department's programme are on its dashboard; the Xiamen officer's shows none of them."""
    client = market.client
    programme_id = draft_and_open(market)
    a_claim_to_review_and_one_to_pay(market, programme_id)
    login(client, "officer@example.test", PASSWORD)
    ours = set(claim_ids(client.get(f"/programmes/{programme_id}/claims").text))
    login(client, "xm_officer@example.test", PASSWORD)
    theirs = client.get("/programmes/dashboard").text
    assert not any(claim in theirs for claim in ours)
