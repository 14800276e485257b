# ruff: noqa: F811 - pytest fixtures imported from the journey module are parameters here
"""The money of deals over HTTP, as the parties use it (issue 11).

An institution's org admin sets its inventors' share (the legal floor 50 % to 100 %, refused in the
reader's language otherwise, by nobody else); a contract keeps the share of its drafting day. The
benefits page names what it shows, heads every column, counts in yuan and links each share to its
contract and payment. A licensee files royalty reports through the page and the JSON API and the
licensor sees them; hostile numbers are refused with nothing recorded; a licence year ended without its
report shows as due, then overdue, on both parties' pages; the deadline worker charges its minimum
annual royalty once, and the report filed afterwards is credited with it.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from marketplace.platform.clock import ManualClock
from marketplace.platform.deadlines import DeadlineWorker
from tests.web.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, login, post_form
from tests.web.test_api import Member, _member, listed
from tests.web.test_deals_journey import (  # noqa: F401 - the fixtures
    Parties,
    clock,
    manual_client,
    ok,
    parties,
    services_of,
)

UNIVERSITY = ("tto@fzu.example.cn", "secret-password-1")
ENTERPRISE = ("buyer@cells.example.cn", "secret-password-1")
MINIMUM = 10_000_000  # ¥100,000 a year
UPFRONT = 20_000_000  # ¥200,000


# --- helpers ----------------------------------------------------------------------------------
def licence_in_force(client: TestClient[Litestar], p: Parties, serial: int) -> str:
    """A non-exclusive licence from 1 April 2026 for three years, 5 % royalty, ¥100,000 minimum a year,
    offered at the listed price (no public notice), signed by both and its upfront fee paid by bank transfer."""
    listing_id = listed(client, p.university, serial, deal_types=["non_exclusive_licence"], asking_price=UPFRONT)
    offer = ok(
        client.post(
            f"/api/listings/{listing_id}/offers",
            headers=p.enterprise.headers,
            json={
                "kind": "non_exclusive_licence",
                "price": UPFRONT,
                "royalty_rate": 5,
                "minimum_annual_royalty": MINIMUM,
                "scope": {"start": "2026-04-01", "end": "2029-04-01"},
            },
        ),
        201,
    )
    contract_id = str(ok(client.post(f"/api/offers/{offer['id']}/accept", headers=p.university.headers))["contract_id"])
    digest = ok(client.get(f"/api/contracts/{contract_id}", headers=p.enterprise.headers))["contract"]["text_sha256"]
    for who in (p.university, p.enterprise):
        ok(client.post(f"/api/contracts/{contract_id}/sign", headers=who.headers, json={"text_sha256": digest}))
    ok(
        client.post(
            f"/api/contracts/{contract_id}/payments",
            headers=p.enterprise.headers,
            json={"purpose": "upfront", "gateway": "manual"},
        ),
        201,
    )
    upfront = obligation(client, p, contract_id, "upfront")
    ok(
        client.post(
            f"/api/obligations/{upfront['id']}/receipt",
            headers=p.admin.headers,
            json={"amount": UPFRONT, "bank_reference": "ICBC-20260310-0001"},
        )
    )
    assert contract(client, p.university, contract_id)["contract"]["status"] == "in_force"
    return contract_id


def contract(client: TestClient[Litestar], who: Member, contract_id: str) -> dict[str, Any]:
    return dict(ok(client.get(f"/api/contracts/{contract_id}", headers=who.headers)))


def obligation(client: TestClient[Litestar], p: Parties, contract_id: str, purpose: str) -> dict[str, Any]:
    found = [o for o in contract(client, p.enterprise, contract_id)["obligations"] if o["purpose"] == purpose]
    assert len(found) == 1, (purpose, found)
    return dict(found[0])


def purposes(client: TestClient[Litestar], p: Parties, contract_id: str) -> dict[str, int]:
    return {o["purpose"]: o["amount"] for o in contract(client, p.university, contract_id)["obligations"]}


def reports(client: TestClient[Litestar], p: Parties, contract_id: str) -> list[tuple[str, str, int]]:
    return [
        (r["period_start"], r["period_end"], r["net_sales"])
        for r in contract(client, p.university, contract_id)["royalty_reports"]
    ]


def report_by_api(
    client: TestClient[Litestar], who: Member, contract_id: str, start: str, end: str, net_sales: Any
) -> Any:
    return client.post(
        f"/api/contracts/{contract_id}/royalty-reports",
        headers=who.headers,
        json={"period_start": start, "period_end": end, "net_sales": net_sales},
    )


def as_user(client: TestClient[Litestar], account: tuple[str, str]) -> None:
    client.cookies.clear()
    login(client, *account)


def headers_of(page: str, table_id: str) -> list[str]:
    table = page.split(f'id="{table_id}"', 1)[1].split("</thead>", 1)[0]
    return [html.unescape(re.sub(r"<[^>]+>", "", h)).strip() for h in re.findall(r"<th>(.*?)</th>", table, flags=re.S)]


def run_deadlines(client: TestClient[Litestar]) -> int:
    """One pass of the deadline worker, then the read models caught up with what it recorded."""
    position = DeadlineWorker(services_of(client)).run_once().last_position
    assert client.blocking_portal.call(client.app.state.web.wait_for, position)
    return position


def due_rows(client: TestClient[Litestar], who: Member) -> list[tuple[str, str, str, str]]:
    items = ok(client.get("/api/my/royalty-reports-due", headers=who.headers))["items"]
    return [(i["side"], i["period_end"], i["due_on"], i["status"]) for i in items]


# --- the inventors' share ---------------------------------------------------------------------
def test_an_institutions_admin_sets_the_inventors_share_within_the_legal_bounds_in_either_language(
    manual_client: TestClient[Litestar],
) -> None:
    client = manual_client
    p = parties(client)
    as_user(client, UNIVERSITY)
    page = client.get("/my/benefit-share")
    assert page.status_code == 200
    assert '<dd id="inventor-share">50 % · 未设定本单位规定，适用法定下限</dd>' in page.text
    assert "修改只适用于修改后起草的合同" in page.text
    for entered, shown in (
        ("40", "40 %"),
        ("49.99", "49.99 %"),
        ("150", "150 %"),
        ("-5", "-5 %"),
        ("NaN", "NaN %"),
        ("1e999", "1e999 %"),
        ("abc", "abc %"),
    ):
        refused = post_form(client, "/my/benefit-share", {"inventor_share": entered}, form_page="/my/benefit-share")
        assert refused.status_code == 400, (entered, refused.text)
        assert (
            f"发明人收益比例须在 50%（法定下限，《促进科技成果转化法》第四十五条）至 100% 之间，您填写的是：{shown}。"
            in refused.text
        )
    decimals = post_form(client, "/my/benefit-share", {"inventor_share": "60.125"}, form_page="/my/benefit-share")
    assert decimals.status_code == 400
    assert "发明人收益比例最多保留两位小数。" in decimals.text
    english = post_form(client, "/my/benefit-share?lang=en", {"inventor_share": "45"}, form_page="/my/benefit-share")
    assert english.status_code == 400
    assert "The inventors&#39; share must be from 50 % (the legal floor" in english.text
    assert "you entered: 45 %." in english.text
    rule = ok(client.get("/api/my/benefit-share", headers=p.university.headers))
    assert (rule["inventor_share"], rule["own_rule"], rule["history"]) == (5_000, False, [])  # nothing recorded

    saved = post_form(client, "/my/benefit-share", {"inventor_share": "70"}, form_page="/my/benefit-share")
    assert saved.status_code == 303
    again = post_form(client, "/my/benefit-share", {"inventor_share": "70"}, form_page="/my/benefit-share")
    assert again.status_code == 303  # a double submission: one rule recorded
    page = client.get("/my/benefit-share").text
    assert '<dd id="inventor-share">70 %</dd>' in page
    rule = ok(client.get("/api/my/benefit-share", headers=p.university.headers))
    assert (rule["inventor_share"], rule["own_rule"], len(rule["history"])) == (7_000, True, 1)
    assert rule["applies_to"] == "contracts drafted after the rule is set"

    # The API: the same bounds, the reason in the reader's language.
    path = f"/api/organisations/{p.university.organisation_id}/benefit-share"
    zh = client.post(path, headers={**p.university.headers, "Accept-Language": "zh-CN"}, json={"inventor_share": 30})
    assert zh.status_code == 400
    assert zh.json()["field"] == "inventor_share"
    assert "法定下限" in zh.json()["detail"]
    en = client.post(path, headers={**p.university.headers, "Accept-Language": "en"}, json={"inventor_share": 30})
    assert en.status_code == 400
    assert "the legal floor" in en.json()["detail"]
    for hostile in (150, -1, "NaN", "Infinity", "-5", None, 1e308):
        assert client.post(path, headers=p.university.headers, json={"inventor_share": hostile}).status_code == 400
    ok(client.post(path, headers=p.university.headers, json={"inventor_share": 80}))
    assert ok(client.get("/api/my/benefit-share", headers=p.university.headers))["inventor_share"] == 8_000


def test_only_that_institutions_org_admin_may_set_its_share(manual_client: TestClient[Litestar]) -> None:
    client = manual_client
    p = parties(client)
    path = f"/api/organisations/{p.university.organisation_id}/benefit-share"
    staff = ok(
        client.post(
            "/api/members",
            headers=p.university.headers,
            json={
                "email": "staff@fzu.example.cn",
                "password": "secret-password-1",
                "display_name": "科研秘书",
                "roles": ["member"],
            },
        ),
        201,
    )
    assert staff["id"]
    member = _member(client, "staff@fzu.example.cn", "secret-password-1")
    for who in (p.enterprise, member, p.admin):  # another organisation's admin, a plain member, the platform
        refused = client.post(path, headers=who.headers, json={"inventor_share": 90})
        assert refused.status_code == 403, refused.text
    assert client.post(path, json={"inventor_share": 90}).status_code == 401
    enterprise_path = f"/api/organisations/{p.enterprise.organisation_id}/benefit-share"
    assert client.post(enterprise_path, headers=p.enterprise.headers, json={"inventor_share": 90}).status_code == 400
    assert ok(client.get("/api/my/benefit-share", headers=p.university.headers))["own_rule"] is False

    as_user(client, ("staff@fzu.example.cn", "secret-password-1"))
    page = client.get("/my/benefit-share")
    assert "只有本单位的组织管理员可以设定发明人收益比例。" in page.text
    assert 'id="save-benefit-share"' not in page.text
    refused = post_form(client, "/my/benefit-share", {"inventor_share": "90"}, form_page="/my/benefit-share")
    assert refused.status_code == 403
    assert "只有本单位的组织管理员可以设定发明人收益比例。" in refused.text
    client.cookies.clear()
    assert client.get("/my/benefit-share", follow_redirects=False).status_code in (302, 303)
    assert ok(client.get("/api/my/benefit-share", headers=p.university.headers))["own_rule"] is False


def test_a_contract_keeps_the_share_of_the_day_it_was_drafted(manual_client: TestClient[Litestar]) -> None:
    client = manual_client
    p = parties(client)
    earlier = licence_in_force(client, p, 41)
    ok(
        client.post(
            f"/api/organisations/{p.university.organisation_id}/benefit-share",
            headers=p.university.headers,
            json={"inventor_share": 75},
        )
    )
    later = licence_in_force(client, p, 42)
    assert contract(client, p.university, earlier)["contract"]["inventor_share"] == 5_000
    assert contract(client, p.university, later)["contract"]["inventor_share"] == 7_500
    assert "inventor_share" not in contract(client, p.enterprise, later)["contract"]  # the seller's business
    # 1 % platform fee: the inventors got 50 % of the earlier net income, 75 % of the later.
    net = UPFRONT - UPFRONT // 100
    for contract_id, share in ((earlier, 5_000), (later, 7_500)):
        shares = contract(client, p.university, contract_id)["benefit_shares"]
        assert sum(s["amount"] for s in shares if s["recipient"] == "inventor") == net * share // 10_000
    as_user(client, UNIVERSITY)
    assert '<dd id="contract-inventor-share">50 %</dd>' in client.get(f"/contracts/{earlier}").text
    assert '<dd id="contract-inventor-share">75 %</dd>' in client.get(f"/contracts/{later}").text
    as_user(client, ENTERPRISE)
    assert "contract-inventor-share" not in client.get(f"/contracts/{later}").text


def test_the_benefits_page_names_what_it_shows_heads_every_column_counts_in_yuan_and_links_each_share(
    manual_client: TestClient[Litestar],
) -> None:
    client = manual_client
    p = parties(client)
    contract_id = licence_in_force(client, p, 43)
    upfront = obligation(client, p, contract_id, "upfront")
    as_user(client, UNIVERSITY)
    links = client.get("/deals").text.split('id="benefit-links"', 1)[1].split("</p>", 1)[0]
    assert '<a href="/my/benefits">本单位收款的收益分配</a>' in links
    assert '<a href="/my/benefit-share">发明人收益比例</a>' in links
    page = client.get("/my/benefits").text
    assert "<h1>本单位收款的收益分配</h1>" in page
    assert headers_of(page, "benefit-shares") == [
        "分配对象",
        "发明人姓名",
        "金额（元）",
        "付款时间",
        "合同",
        "来源款项",
    ]
    rows = page.split('id="benefit-shares"', 1)[1].split("</table>", 1)[0]
    # ¥200,000 with a 1 % fee: ¥2,000 to the platform, ¥99,000 to the inventors 60:40, ¥99,000 kept; all in yuan.
    for amount in ("2,000.00 元", "59,400.00 元", "39,600.00 元", "99,000.00 元"):
        assert f'<td class="amount">{amount}</td>' in rows, amount
    assert "万元" not in rows
    assert rows.count(f'href="/contracts/{contract_id}"') == 4
    assert rows.count(f'href="/payments/{upfront["id"]}">首付款</a>') == 4
    assert '<strong id="inventor-share">50 %</strong>' in page
    english = client.get("/my/benefits?lang=en").text
    assert "<h1>Benefit shares of the payments to our organisation</h1>" in english
    assert headers_of(english, "benefit-shares") == [
        "Recipient",
        "Inventor's name",
        "Amount (yuan)",
        "Paid at",
        "Contract",
        "From payment",
    ]
    assert '<td class="amount">CNY 59,400</td>' in english
    # Another organisation sees none of them.
    as_user(client, ENTERPRISE)
    assert f"/payments/{upfront['id']}" not in client.get("/my/benefits").text


# --- royalty reports --------------------------------------------------------------------------
def test_the_licensee_reports_royalties_on_the_page_and_through_the_api_and_the_licensor_sees_them(
    manual_client: TestClient[Litestar],
) -> None:
    client = manual_client
    p = parties(client)
    contract_id = licence_in_force(client, p, 44)
    path = f"/contracts/{contract_id}"
    as_user(client, ENTERPRISE)
    assert f'action="{path}/royalties"' in client.get(path).text
    filed = post_form(
        client,
        f"{path}/royalties",
        {"period_start": "2026-04-01", "period_end": "2026-06-30", "net_sales": "800000"},
        form_page=path,
    )
    assert filed.status_code == 303, filed.text
    twice = post_form(
        client,
        f"{path}/royalties",
        {"period_start": "2026-04-01", "period_end": "2026-06-30", "net_sales": "800000"},
        form_page=path,
    )
    assert twice.status_code == 400  # the same report again: one effect
    assert "2026-07-01" in twice.text
    ok(report_by_api(client, p.enterprise, contract_id, "2026-07-01", "2026-09-30", 50_000_000))
    assert reports(client, p, contract_id) == [
        ("2026-04-01", "2026-06-30", 80_000_000),
        ("2026-07-01", "2026-09-30", 50_000_000),
    ]
    # 5 % of ¥800,000 and of ¥500,000 fall due to the licensor.
    owed = purposes(client, p, contract_id)
    assert (owed["royalty-2026-06-30"], owed["royalty-2026-09-30"]) == (4_000_000, 2_500_000)
    as_user(client, UNIVERSITY)
    licensor = client.get(path).text
    table = licensor.split('id="royalty-reports"', 1)[1].split("</table>", 1)[0]
    assert "80 万元" in table
    assert "50 万元" in table
    assert "提成费（截至 2026-06-30）" in licensor
    assert 'action="/contracts/' not in licensor.split('id="royalty-reports"', 1)[1].split("</section>", 1)[0]
    # Only the licensee files: the licensor, an outsider and an anonymous caller are refused, nothing recorded.
    refused = report_by_api(client, p.university, contract_id, "2026-10-01", "2026-12-31", 100)
    assert refused.status_code == 403
    outsider = _member(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    assert report_by_api(client, outsider, contract_id, "2026-10-01", "2026-12-31", 100).status_code == 403
    assert (
        client.post(
            f"/api/contracts/{contract_id}/royalty-reports",
            json={"period_start": "2026-10-01", "period_end": "2026-12-31", "net_sales": 1},
        ).status_code
        == 401
    )
    assert len(reports(client, p, contract_id)) == 2


def test_hostile_numbers_are_refused_without_recording(manual_client: TestClient[Litestar]) -> None:
    client = manual_client
    p = parties(client)
    contract_id = licence_in_force(client, p, 45)
    path = f"/contracts/{contract_id}"
    as_user(client, ENTERPRISE)
    for net_sales in ("NaN", "-5", "Infinity", "1e999", "1e30", "99999999999999999999", "12.345", "abc", "-0.01"):
        refused = post_form(
            client,
            f"{path}/royalties",
            {"period_start": "2026-04-01", "period_end": "2026-06-30", "net_sales": net_sales},
            form_page=path,
        )
        assert refused.status_code == 400, (net_sales, refused.status_code)
        assert "net_sales" in refused.text or "净销售额" in refused.text
    for net_sales in ("NaN", "Infinity", "-1000", "1e30", -1, 10**16, 1e30, 2**63, 12.5, None):
        refused = report_by_api(client, p.enterprise, contract_id, "2026-04-01", "2026-06-30", net_sales)
        assert refused.status_code == 400, (net_sales, refused.text)
    for start, end in (("2026-04-01", "9999-99-99"), ("0000-01-01", "2026-06-30"), ("2026-04-01", "2029-04-01")):
        assert report_by_api(client, p.enterprise, contract_id, start, end, 100).status_code == 400
    assert reports(client, p, contract_id) == []
    assert set(purposes(client, p, contract_id)) == {"upfront"}


def test_an_unreported_year_is_due_then_overdue_for_both_parties_and_its_minimum_falls_due_once(
    manual_client: TestClient[Litestar],
    clock: ManualClock,
) -> None:
    client = manual_client
    p = parties(client)
    contract_id = licence_in_force(client, p, 46)
    ok(report_by_api(client, p.enterprise, contract_id, "2026-04-01", "2026-06-30", 40_000_000))  # ¥20,000
    assert due_rows(client, p.enterprise) == []  # the year is not over
    clock.set(datetime(2027, 3, 31, 15, 0, tzinfo=UTC))  # its last day: the minimum is not due yet
    assert run_deadlines(client) == 0
    clock.set(datetime(2027, 4, 1, 2, 0, tzinfo=UTC))  # the first licence year ended on 31 March
    assert run_deadlines(client) > 0
    assert run_deadlines(client) == 0  # a second pass (or a second worker) charges nothing more
    owed = purposes(client, p, contract_id)
    assert owed["minimum-2027-03-31"] == MINIMUM - 2_000_000  # the minimum less the year's royalties reported
    minimum = obligation(client, p, contract_id, "minimum-2027-03-31")
    assert minimum["due_on"] == "2027-04-01"
    assert due_rows(client, p.enterprise) == [("licensee", "2027-03-31", "2027-04-30", "due")]
    assert due_rows(client, p.university) == [("licensor", "2027-03-31", "2027-04-30", "due")]

    clock.set(datetime(2027, 5, 1, 2, 0, tzinfo=UTC))  # thirty days on, still unreported
    assert due_rows(client, p.enterprise) == [("licensee", "2027-03-31", "2027-04-30", "overdue")]
    assert due_rows(client, p.university) == [("licensor", "2027-03-31", "2027-04-30", "overdue")]
    for account in (ENTERPRISE, UNIVERSITY):
        as_user(client, account)
        deals = client.get("/deals").text
        listed_due = deals.split('id="royalty-reports-due"', 1)[1].split("</section>", 1)[0]
        assert f'href="/contracts/{contract_id}"' in listed_due
        assert '<span class="tag overdue">已逾期</span>' in listed_due
        assert "2027-04-30" in listed_due
        assert '<span class="tag overdue">overdue</span>' in client.get("/deals?lang=en").text
        page = client.get(f"/contracts/{contract_id}").text
        assert '<span class="tag overdue" id="royalty-report-status">已逾期</span>' in page
        assert f'href="/payments/{minimum["id"]}"' in page
        assert "最低年度提成（许可年度截至 2027-03-31）" in client.get("/deals").text
        todo = client.get("/todo").text.split('id="todo-royalty_report"', 1)[1].split("</section>", 1)[0]
        assert f'href="/contracts/{contract_id}"' in todo  # both parties' queues show it, overdue
        assert "提成报告已逾期" in todo
        assert "应于 2027-04-30" in todo

    # The report filed late: ¥150,000 of royalty for the rest of the year, ¥20,000 before it: the year costs
    # ¥170,000, of which ¥20,000 + ¥80,000 were charged, so ¥70,000 falls due, never the whole again.
    ok(report_by_api(client, p.enterprise, contract_id, "2026-07-01", "2027-03-31", 300_000_000))
    owed = purposes(client, p, contract_id)
    assert owed["royalty-2027-03-31"] == 7_000_000
    assert sum(a for purpose, a in owed.items() if purpose != "upfront") == 17_000_000
    credited = contract(client, p.university, contract_id)["royalty_reports"][-1]
    assert (credited["royalty"], credited["top_up"], credited["credit"]) == (15_000_000, 0, 8_000_000)
    assert due_rows(client, p.enterprise) == []
    assert due_rows(client, p.university) == []
    assert run_deadlines(client) == 0
    assert purposes(client, p, contract_id) == owed


def test_the_reports_due_are_for_the_parties_only(manual_client: TestClient[Litestar], clock: ManualClock) -> None:
    client = manual_client
    p = parties(client)
    licence_in_force(client, p, 47)
    clock.advance(timedelta(days=400))
    assert len(due_rows(client, p.enterprise)) == 1
    assert due_rows(client, p.admin) == []
    assert client.get("/api/my/royalty-reports-due").status_code == 401
    as_user(client, (ADMIN_EMAIL, ADMIN_PASSWORD))
    assert 'id="royalty-reports-due"' not in client.get("/deals").text
