"""Technology development contracts over HTTP, from the users' side (issue 13, done-when (1) without the
e-mail): an enterprise posts a demand, a university proposes a commissioned development with two milestones,
the enterprise awards it, both sign the development contract, the university delivers the first milestone,
the enterprise accepts it and pays it by card (localstripe, its webhook forwarded), and the university's
institution shares it. Also: the pages in both languages, the HTML forms, and who may do what."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from marketplace.platform.clock import ManualClock
from tests.localstripe import Localstripe, WebhookReceiver, confirm_with_test_card
from tests.web.conftest import login, post_form
from tests.web.test_api import verified_member
from tests.web.test_deals_journey import (  # noqa: F401 - the fixtures of test_deals_journey
    _enterprise,
    clock,
    manual_client,
    ok,
    relay,
    services_of,
    stripe_client,
)

ENTERPRISE = ("buyer@cells.example.cn", "secret-password-1")
UNIVERSITY = ("tto@fzu.example.cn", "secret-password-1")


def demand_body() -> dict[str, Any]:
    return {"title_zh": "固态电池界面阻抗", "title_en": "Solid-state battery interface resistance",
            "description_zh": "寻求降低固态电解质界面阻抗的技术", "problem": "界面阻抗高，循环衰减快",
            "current_solution": "涂层改性，效果有限", "targets": "界面阻抗 < 10 Ω·cm²",
            "ipc_codes": ["H01M 10/0562"], "budget_min": 50_000_000, "budget_max": 200_000_000,
            "deadline": "2026-03-12", "wants": ["commissioned"]}


PROPOSAL = {"want": "commissioned", "approach": "原位聚合界面层", "team": "电化学课题组 5 人", "price": 150_000_000,
            "milestones": [{"title": "小试样品", "due": "2026-06-30", "amount": 50_000_000},
                           {"title": "中试验证", "due": "2026-12-31", "amount": 100_000_000}]}


def awarded(client: TestClient[Litestar], clock: ManualClock) -> tuple[Any, Any, str, str]:  # noqa: F811
    """The demand posted, proposed on and awarded over the JSON API: (enterprise, university, demand, contract)."""
    firm = _enterprise(client)
    fzu = verified_member(client, services_of(client), UNIVERSITY[0], "福州大学")
    demand = ok(client.post("/api/demands", json=demand_body(), headers=firm.headers), 201)["id"]
    proposal = ok(client.post(f"/api/demands/{demand}/proposals", json=PROPOSAL, headers=fzu.headers), 201)["id"]
    clock.set(datetime(2026, 3, 12, 16, 0, tzinfo=UTC))  # the deadline passed (00:00 on 13 March in Beijing)
    award = ok(client.post(f"/api/demands/{demand}/proposals/{proposal}/award", headers=firm.headers))
    assert award["offer_id"] is None
    twice = ok(client.post(f"/api/demands/{demand}/proposals/{proposal}/award", headers=firm.headers))
    assert twice["contract_id"] == award["contract_id"]  # a double submit: one contract
    return firm, fzu, demand, award["contract_id"]


def test_a_demand_awarded_to_a_development_proposal_is_signed_and_its_first_milestone_paid_by_card(
    stripe_client: TestClient[Litestar], clock: ManualClock,  # noqa: F811 - the fixtures of test_deals_journey
    localstripe: Localstripe, relay: WebhookReceiver,  # noqa: F811
) -> None:
    client = stripe_client
    firm, fzu, demand, contract_id = awarded(client, clock)
    seen = ok(client.get(f"/api/contracts/{contract_id}", headers=fzu.headers))["contract"]
    assert (seen["contract_type"], seen["kind"], seen["status"]) == (
        "DevelopmentContract", "commissioned_development", "drafted")
    assert (seen["seller_organisation_id"], seen["buyer_organisation_id"]) == (fzu.organisation_id,
                                                                               firm.organisation_id)
    assert [(m["name"], m["amount"], m["due"]) for m in seen["terms"]["milestones"]] == [
        ("小试样品", 50_000_000, "2026-06-30"), ("中试验证", 100_000_000, "2026-12-31")]
    assert seen["terms"]["ownership"] == "developer"
    assert seen["patent_id"] is None
    assert "研究开发成果的归属" in seen["text_zh"]
    assert "Confidentiality" in seen["text_en"]
    outsider = verified_member(client, services_of(client), "li@xmu.example.cn", "厦门大学")
    assert client.get(f"/api/contracts/{contract_id}", headers=outsider.headers).status_code in (403, 404)
    own = ok(client.get(f"/api/demands/{demand}", headers=fzu.headers))["proposals"][0]
    assert own["contract_id"] == contract_id

    login(client, *UNIVERSITY)  # the developer is asked to sign, as the client is
    assert "待签署的合同" in client.get("/todo").text
    client.cookies.clear()
    wrong = client.post(f"/api/contracts/{contract_id}/sign", headers=fzu.headers, json={"text_sha256": "0" * 64})
    assert wrong.status_code == 409
    for member in (fzu, firm):
        ok(client.post(f"/api/contracts/{contract_id}/sign", headers=member.headers,
                       json={"text_sha256": seen["text_sha256"]}))
    assert ok(client.get(f"/api/contracts/{contract_id}", headers=firm.headers))["contract"]["status"] == "in_force"

    early = client.post(f"/api/contracts/{contract_id}/milestones", headers=firm.headers, json={"name": "小试样品"})
    assert early.status_code == 409
    assert "development.not_delivered" in early.text
    by_client = client.post(f"/api/contracts/{contract_id}/deliveries", headers=firm.headers,
                            json={"name": "小试样品"})
    assert by_client.status_code == 403
    ok(client.post(f"/api/contracts/{contract_id}/deliveries", headers=fzu.headers,
                   json={"name": "小试样品", "note": "样品 20 片已寄出"}))
    ok(client.post(f"/api/contracts/{contract_id}/milestones", headers=firm.headers, json={"name": "小试样品"}))

    started = ok(client.post(f"/api/contracts/{contract_id}/payments", headers=firm.headers,
                             json={"purpose": "milestone-小试样品"}), 201)
    assert started["gateway"] == "stripe"
    intent = started["provider_payment_id"]
    confirm_with_test_card(localstripe.client, intent)
    body, signature = relay.events_for(intent, {"payment_intent.succeeded"})["payment_intent.succeeded"]
    ok(client.post("/webhooks/stripe", content=body,
                   headers={"Stripe-Signature": signature, "Content-Type": "application/json"}))

    after = ok(client.get(f"/api/contracts/{contract_id}", headers=fzu.headers))
    paid = [o for o in after["obligations"] if o["purpose"] == "milestone-小试样品"]
    assert [(o["status"], o["amount"]) for o in paid] == [("paid", 50_000_000)]
    assert after["contract"]["milestones_reached"] == ["小试样品"]
    shares = after["benefit_shares"]
    assert sum(s["amount"] for s in shares) == 50_000_000
    assert {s["recipient"] for s in shares} == {"platform", "inventor", "institution"}

    # The pages: the developer is told what to deliver next; both languages.
    login(client, *UNIVERSITY)
    page = client.get(f"/contracts/{contract_id}").text
    states = re.findall(r'<tr class="milestone" data-state="(\w+)">', page)
    assert states == ["paid", "open"]
    assert "研究开发方（《民法典》第八百五十九条）" in page
    assert "委托方验收后，该里程碑的款项即到期" in page
    english = client.get(f"/contracts/{contract_id}?lang=en").text
    assert "once the client accepts it, that milestone" in english
    todo = client.get("/todo").text
    assert "交付里程碑" in todo
    assert "中试验证" in todo
    # The developer registers the contract (技术合同认定登记, 30 days after signing): its to-do leads there.
    assert f"/contracts/{contract_id}/tech-registration" in todo
    client.cookies.clear()
    record = ok(client.get(f"/api/contracts/{contract_id}/tech-registration", headers=fzu.headers))["record"]
    assert record["contract_type"] == "development_commissioned"


def test_the_html_forms_award_deliver_and_accept(
    manual_client: TestClient[Litestar], clock: ManualClock,  # noqa: F811 - the fixtures of test_deals_journey
) -> None:
    client = manual_client
    firm = _enterprise(client)
    fzu = verified_member(client, services_of(client), UNIVERSITY[0], "福州大学")
    demand = ok(client.post("/api/demands", json=demand_body(), headers=firm.headers), 201)["id"]
    proposal = ok(client.post(f"/api/demands/{demand}/proposals", json=PROPOSAL, headers=fzu.headers), 201)["id"]
    clock.set(datetime(2026, 3, 12, 16, 0, tzinfo=UTC))
    login(client, *ENTERPRISE)
    award = post_form(client, f"/demands/{demand}/proposals/{proposal}/award", {}, form_page=f"/demands/{demand}")
    assert award.status_code == 303
    contract_path = award.headers["location"]
    assert contract_path.startswith("/contracts/")
    page = client.get(contract_path).text
    digest = re.search(r'<code id="text-sha256">([0-9a-f]{64})</code>', page)
    assert digest
    assert "技术开发（委托）合同" in page
    assert post_form(client, f"{contract_path}/sign", {"text_sha256": digest.group(1)},
                     form_page=contract_path).status_code == 303
    assert "proposal-contract" in client.get(f"/demands/{demand}").text
    client.cookies.clear()
    login(client, *UNIVERSITY)
    assert post_form(client, f"{contract_path}/sign", {"text_sha256": digest.group(1)},
                     form_page=contract_path).status_code == 303
    assert post_form(client, f"{contract_path}/deliveries", {"name": "小试样品", "note": "已寄出"},
                     form_page=contract_path).status_code == 303
    refused = post_form(client, f"{contract_path}/milestones", {"name": "小试样品"}, form_page=contract_path)
    assert refused.status_code == 403  # the developer does not accept its own delivery
    client.cookies.clear()
    login(client, *ENTERPRISE)
    assert "验收已交付的里程碑" in client.get("/todo").text
    not_yet = post_form(client, f"{contract_path}/milestones", {"name": "中试验证"}, form_page=contract_path)
    assert not_yet.status_code == 409
    assert "尚未交付" in not_yet.text
    assert post_form(client, f"{contract_path}/milestones", {"name": "小试样品"},
                     form_page=contract_path).status_code == 303
    page = client.get(contract_path).text
    assert re.findall(r'<tr class="milestone" data-state="(\w+)">', page) == ["accepted", "open"]
    assert "/payments/" in page  # the milestone's payment is due: the client pays it from here
    assert "本机构应付款项" in client.get("/todo").text
