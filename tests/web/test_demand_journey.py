# ruff: noqa: F811 - pytest fixtures imported from other test modules are parameters here
"""Issue 13, done-when (1), as one journey from the users' side over HTTP: an enterprise posts a demand that
the university's published listing answers; the university, which saved no search, is told by e-mail (a real
SMTP server on 127.0.0.1) and in its inbox; it opens the demand's ranked matches with their reasons, proposes a
commissioned development with two milestones; after the deadline the enterprise awards it; both sign the development
contract; the developer delivers the first milestone, the enterprise accepts it, pays it by bank transfer,
the receipt is recorded, and the contract page shows the milestone paid, in Chinese and in English."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from litestar import Litestar
from litestar.testing import TestClient

from marketplace.platform.clock import ManualClock
from tests.web.conftest import login, post_form
from tests.web.mail_server import MailServer, body, mail_server  # noqa: F401 - the fixture
from tests.web.test_api import listed
from tests.web.test_deals_journey import clock, ok, parties  # noqa: F401 - the fixtures
from tests.web.test_demand_matching_web import SEPARATOR, matched
from tests.web.test_development_contracts_web import ENTERPRISE, PROPOSAL, UNIVERSITY, demand_body
from tests.web.test_notification_mail import mail_client, sender  # noqa: F401 - the fixture


def test_a_matching_listing_leads_a_university_from_a_new_demand_to_a_paid_first_milestone(
    mail_client: TestClient[Litestar], mail_server: MailServer, clock: ManualClock,
) -> None:
    client = mail_client
    p = parties(client)
    layer = listed(client, p.university, 81, SEPARATOR, asking_price=100_000_000, maturity="pilot")

    # An enterprise posts a demand the university's listing answers (the university saved no search).
    demand = ok(client.post("/api/demands", json={**demand_body(), "keywords": ["固态电池", "界面"]},
                            headers=p.enterprise.headers), 201)["id"]

    # The university hears of it: one e-mail through the SMTP server, one inbox item, both linking the demand.
    mail = sender(client)
    assert len(mail.run_once().sent) == 1
    assert mail.run_once().sent == []
    [message] = mail_server.received.to(UNIVERSITY[0])
    assert message["Subject"] == "新需求与您的挂牌匹配 · 专利交易平台"
    text = body(message)
    assert f"http://testserver/demands/{demand}" in text
    assert "固态电池界面阻抗" in text
    assert mail_server.received.to(ENTERPRISE[0]) == []
    items = ok(client.get("/api/inbox", headers=p.university.headers))["items"]
    assert [(i["event"], i["link"], i["read"]) for i in items] == [("demand_match.demand", f"/demands/{demand}", False)]

    # It opens the demand's ranked matches: its own listing, with the reasons, in both languages.
    [match] = matched(client, demand, **p.university.headers)
    assert match["listing_id"] == layer
    assert [r["kind"] for r in match["reasons"]] == ["ipc_group", "terms", "price"]
    login(client, *UNIVERSITY)
    section = client.get(f"/demands/{demand}/matches").text
    assert f'href="/listings/{layer}"' in section
    assert "同一IPC组 H01M 10/0562" in section
    assert "价格在预算内" in section
    english = client.get(f"/demands/{demand}/matches?lang=en").text
    assert "same IPC group H01M 10/0562" in english
    assert "price within budget" in english
    client.cookies.clear()

    # It proposes a commissioned development with two milestones; sealed until the deadline.
    proposal = ok(client.post(f"/api/demands/{demand}/proposals", json={**PROPOSAL, "listing_ids": [layer]},
                              headers=p.university.headers), 201)["id"]
    early = client.post(f"/api/demands/{demand}/proposals/{proposal}/award", headers=p.enterprise.headers)
    assert early.status_code == 409, early.text

    # After the deadline the enterprise awards it: a development contract is drafted.
    clock.set(datetime(2026, 3, 12, 16, 0, tzinfo=UTC))  # 00:00 on 13 March in Beijing
    award = ok(client.post(f"/api/demands/{demand}/proposals/{proposal}/award", headers=p.enterprise.headers))
    contract_id = award["contract_id"]
    assert award["offer_id"] is None
    seen = ok(client.get(f"/api/contracts/{contract_id}", headers=p.university.headers))["contract"]
    assert (seen["contract_type"], seen["status"]) == ("DevelopmentContract", "drafted")
    assert [(m["name"], m["amount"]) for m in seen["terms"]["milestones"]] == [
        ("小试样品", 50_000_000), ("中试验证", 100_000_000)]

    # Both sign it, each from the contract page.
    for who in (UNIVERSITY, ENTERPRISE):
        login(client, *who)
        page = client.get(f"/contracts/{contract_id}").text
        digest = re.search(r'<code id="text-sha256">([0-9a-f]{64})</code>', page)
        assert digest
        assert post_form(client, f"/contracts/{contract_id}/sign", {"text_sha256": digest.group(1)},
                         form_page=f"/contracts/{contract_id}").status_code == 303
        client.cookies.clear()
    assert ok(client.get(f"/api/contracts/{contract_id}", headers=p.enterprise.headers))["contract"]["status"] \
        == "in_force"

    # The developer delivers the first milestone; the enterprise accepts it.
    login(client, *UNIVERSITY)
    assert post_form(client, f"/contracts/{contract_id}/deliveries", {"name": "小试样品", "note": "样品 20 片已寄出"},
                     form_page=f"/contracts/{contract_id}").status_code == 303
    client.cookies.clear()
    login(client, *ENTERPRISE)
    assert post_form(client, f"/contracts/{contract_id}/milestones", {"name": "小试样品"},
                     form_page=f"/contracts/{contract_id}").status_code == 303
    client.cookies.clear()

    # The enterprise pays it by bank transfer; the platform records the receipt.
    started = ok(client.post(f"/api/contracts/{contract_id}/payments", headers=p.enterprise.headers,
                             json={"purpose": "milestone-小试样品"}), 201)
    assert started["gateway"] == "manual"
    [obligation] = [o for o in ok(client.get("/api/obligations", headers=p.enterprise.headers))["items"]
                    if o["purpose"] == "milestone-小试样品"]
    ok(client.post(f"/api/obligations/{obligation['id']}/receipt", headers=p.admin.headers,
                   json={"amount": 50_000_000, "bank_reference": "ICBC-20260320-0077"}))
    after = ok(client.get(f"/api/contracts/{contract_id}", headers=p.university.headers))
    assert [(o["status"], o["amount"]) for o in after["obligations"] if o["purpose"] == "milestone-小试样品"] == [
        ("paid", 50_000_000)]
    assert after["contract"]["milestones_reached"] == ["小试样品"]

    # The contract page shows the first milestone paid, the second still open, in both languages.
    login(client, *UNIVERSITY)
    page = client.get(f"/contracts/{contract_id}").text
    assert re.findall(r'<tr class="milestone" data-state="(\w+)">', page) == ["paid", "open"]
    states = re.findall(r'<td class="milestone-state">([^<]*)</td>', page)
    assert states == ["已验收，款项已付", "待交付"]
    assert re.search(r"里程碑款：小试样品 · [A-Z0-9-]+</td><td>50 万元</td><td>[^<]*</td><td>已付</td>", page)
    english = client.get(f"/contracts/{contract_id}?lang=en").text
    assert re.findall(r'<td class="milestone-state">([^<]*)</td>', english) == ["accepted and paid", "to deliver"]
    # The enterprise, which paid, reads the same.
    client.cookies.clear()
    login(client, *ENTERPRISE)
    assert re.findall(r'<tr class="milestone" data-state="(\w+)">', client.get(f"/contracts/{contract_id}").text) \
        == ["paid", "open"]
