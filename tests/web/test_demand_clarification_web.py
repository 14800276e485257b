"""Questions on proposals and demands sent back for clarification over HTTP, from the users' side (issue 13):
the enterprise asks a proposer, the proposer answers, the thread seen by the two only; a platform admin sends a
vague demand back, a university's proposal is refused with readable words, the enterprise clarifies and
resubmits from the page, and the demand takes proposals again; the to-do asks each side. An accredited technology
broker may send a demand back as the platform does; one whose accreditation expired, or an agency's member never
accredited, is refused with readable words."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from litestar import Litestar
from litestar.testing import TestClient

from marketplace.platform.clock import ManualClock
from tests.web.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, csrf_token, login, post_form, sign_up_verified
from tests.web.test_api import _member, verified_member
from tests.web.test_brokers_web import agency_broker
from tests.web.test_deals_journey import _enterprise, clock, manual_client, ok, services_of  # noqa: F401
from tests.web.test_development_contracts_web import ENTERPRISE, PROPOSAL, UNIVERSITY, demand_body


def test_the_enterprise_asks_the_proposer_answers_and_no_one_else_reads_it(
    manual_client: TestClient[Litestar], clock: ManualClock,  # noqa: F811 - the fixtures of test_deals_journey
) -> None:
    client = manual_client
    firm = _enterprise(client)
    fzu = verified_member(client, services_of(client), UNIVERSITY[0], "福州大学")
    xmu = verified_member(client, services_of(client), "li@xmu.example.cn", "厦门大学")
    demand = ok(client.post("/api/demands", json=demand_body(), headers=firm.headers), 201)["id"]
    proposal = ok(client.post(f"/api/demands/{demand}/proposals", json=PROPOSAL, headers=fzu.headers), 201)["id"]
    ok(client.post(f"/api/demands/{demand}/proposals", json=PROPOSAL | {"approach": "另一路线"}, headers=xmu.headers),
       201)
    early = client.post(f"/api/demands/{demand}/proposals/{proposal}/questions", json={"text": "样品何时提供？"},
                        headers=firm.headers)
    assert early.status_code == 409  # sealed until the deadline
    clock.set(datetime(2026, 3, 12, 16, 0, tzinfo=UTC))
    ok(client.post(f"/api/demands/{demand}/proposals/{proposal}/questions", json={"text": "样品何时提供？"},
                   headers=firm.headers))
    stranger = client.post(f"/api/demands/{demand}/proposals/{proposal}/answers", json={"text": "我们也能做"},
                           headers=xmu.headers)
    assert stranger.status_code == 403
    login(client, *UNIVERSITY)
    assert "企业就您的方案提问，请答复" in client.get("/todo").text
    answered = post_form(client, f"/demands/{demand}/proposals/{proposal}/answer", {"text": "签约后两个月。"},
                         form_page=f"/demands/{demand}")
    assert answered.status_code == 303
    page = client.get(f"/demands/{demand}").text
    assert "样品何时提供？" in page
    assert "签约后两个月。" in page
    assert "企业就您的方案提问" not in client.get("/todo").text
    client.cookies.clear()
    threads = ok(client.get(f"/api/demands/{demand}/threads", headers=firm.headers))["threads"]
    assert [[e["text"] for e in t["entries"]] for t in threads] == [["样品何时提供？", "签约后两个月。"]]
    assert ok(client.get(f"/api/demands/{demand}/threads", headers=xmu.headers))["threads"] == []
    login(client, "li@xmu.example.cn", "secret-password-1")
    assert "签约后两个月。" not in client.get(f"/demands/{demand}").text


def test_a_demand_sent_back_takes_no_proposals_until_the_enterprise_resubmits_it(
    manual_client: TestClient[Litestar], clock: ManualClock,  # noqa: F811 - the fixtures of test_deals_journey
) -> None:
    client = manual_client
    firm = _enterprise(client)
    fzu = verified_member(client, services_of(client), UNIVERSITY[0], "福州大学")
    admin = _member(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    demand = ok(client.post("/api/demands", json=demand_body(), headers=firm.headers), 201)["id"]
    by_firm = client.post(f"/api/demands/{demand}/send-back", json={"reason": "x"}, headers=firm.headers)
    assert by_firm.status_code == 403
    login(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    sent = post_form(client, f"/demands/{demand}/send-back", {"reason": "目标指标不清楚：请给出温度与时间。"},
                     form_page=f"/demands/{demand}")
    assert sent.status_code == 303
    client.cookies.clear()
    refused = client.post(f"/api/demands/{demand}/proposals", json=PROPOSAL, headers=fzu.headers)
    assert refused.status_code == 409
    assert "demand.clarifying" in refused.text
    login(client, *UNIVERSITY)
    page_refused = post_form(client, f"/demands/{demand}/proposals", {
        "want": "commissioned", "approach": "新型电解液", "price": "300000"}, form_page=f"/demands/{demand}")
    assert page_refused.status_code == 409
    assert "需求已退回企业澄清" in page_refused.text  # readable words, not a code
    client.cookies.clear()

    login(client, *ENTERPRISE)
    assert "需求被退回：请澄清后重新提交" in client.get("/todo").text
    page = client.get(f"/demands/{demand}").text
    assert "目标指标不清楚：请给出温度与时间。" in page
    assert 'id="resubmit-form"' in page
    english = client.get(f"/demands/{demand}?lang=en").text
    assert "Sent back for clarification" in english
    bad = post_form(client, f"/demands/{demand}/resubmit", {"problem": "充电慢", "targets": "更快",
                                                            "budget_min": "900000", "budget_max": "1"},
                    form_page=f"/demands/{demand}")
    assert bad.status_code == 400
    done = post_form(client, f"/demands/{demand}/resubmit", {
        "problem": "-20°C 下充电慢", "current_solution": "预热", "targets": "-20°C 下 30 分钟充至 80%",
        "budget_min": "500000", "budget_max": "2000000"}, form_page=f"/demands/{demand}")
    assert done.status_code == 303
    after = client.get(f"/demands/{demand}").text
    assert "-20°C 下 30 分钟充至 80%" in after
    assert 'id="resubmit-form"' not in after
    assert "需求被退回" not in client.get("/todo").text
    client.cookies.clear()
    ok(client.post(f"/api/demands/{demand}/proposals", json=PROPOSAL, headers=fzu.headers), 201)
    found = ok(client.get(f"/api/demands/{demand}", headers=admin.headers))["demand"]
    assert (found["status"], found["clarify_reason"]) == ("open", "目标指标不清楚：请给出温度与时间。")
    assert re.search(r"-20°C", found["targets"])


def test_an_accredited_broker_sends_a_demand_back_and_an_expired_or_unaccredited_one_is_refused(
    manual_client: TestClient[Litestar], clock: ManualClock,  # noqa: F811 - the fixtures of test_deals_journey
) -> None:
    client = manual_client
    firm = _enterprise(client)
    admin = _member(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    broker, _ = agency_broker(client, admin)  # accredited until 2028
    sign_up_verified(client, services_of(client), "jjr@lapsed-tt.example.cn", "福州第二技术转移中心",
                     kind="transfer_agency")
    lapsed = _member(client, "jjr@lapsed-tt.example.cn", "secret-password-1")
    ok(client.post("/api/brokers", headers=admin.headers, json={
        "user_id": lapsed.user_id, "credential_number": "FJ-JJR-009", "expires_on": "2026-03-04"}), 201)
    sign_up_verified(client, services_of(client), "staff@plain-tt.example.cn", "厦门技术转移中心",
                     kind="transfer_agency")
    plain = _member(client, "staff@plain-tt.example.cn", "secret-password-1")
    demand = ok(client.post("/api/demands", json=demand_body(), headers=firm.headers), 201)["id"]
    clock.set(datetime(2026, 3, 5, 2, 0, tzinfo=UTC))  # 5 March in Beijing: the lapsed accreditation ended on the 4th

    reason = {"reason": "预算与目标不一致，请补充当前方案的指标。"}
    expired = client.post(f"/api/demands/{demand}/send-back", json=reason, headers=lapsed.headers)
    assert expired.status_code == 403
    assert "broker.expired" in expired.text
    unaccredited = client.post(f"/api/demands/{demand}/send-back", json=reason, headers=plain.headers)
    assert unaccredited.status_code == 403
    assert "demand.not_reviewer" in unaccredited.text

    # On the pages: no send-back form for the lapsed broker; its form post is refused in readable words.
    login(client, "jjr@lapsed-tt.example.cn", "secret-password-1")
    assert 'id="send-back"' not in client.get(f"/demands/{demand}").text
    words = post_form(client, f"/demands/{demand}/send-back", reason, form_page=f"/demands/{demand}")
    assert words.status_code == 403
    assert "该技术经纪人资格已于 2026-03-04 到期" in words.text
    client.cookies.clear()
    login(client, "staff@plain-tt.example.cn", "secret-password-1")
    words = post_form(client, f"/demands/{demand}/send-back", reason, form_page=f"/demands/{demand}")
    assert words.status_code == 403
    assert "只有平台或持证技术经纪人可以将需求退回澄清" in words.text
    english = client.post(f"/demands/{demand}/send-back?lang=en", data={**reason, "_csrf_token": csrf_token(
        client, f"/demands/{demand}")})
    assert "only the platform or an accredited technology broker sends a demand back" in english.text
    client.cookies.clear()
    assert ok(client.get(f"/api/demands/{demand}", headers=firm.headers))["demand"]["status"] == "open"

    # The accredited broker sees the form, in both languages, and sends the demand back from the page.
    login(client, "jjr@hx-tt.example.cn", "secret-password-1")
    page = client.get(f"/demands/{demand}").text
    assert 'id="send-back"' in page
    assert "退回澄清" in page
    assert "Send back for clarification" in client.get(f"/demands/{demand}?lang=en").text
    sent = post_form(client, f"/demands/{demand}/send-back", reason, form_page=f"/demands/{demand}")
    assert sent.status_code == 303
    again = client.post(f"/api/demands/{demand}/send-back", json=reason, headers=broker.headers)
    assert again.status_code == 200  # a double submit: sent back once
    client.cookies.clear()
    found = ok(client.get(f"/api/demands/{demand}", headers=firm.headers))["demand"]
    assert (found["status"], found["clarify_reason"]) == ("clarifying", reason["reason"])
    login(client, *ENTERPRISE)
    assert "需求被退回：请澄清后重新提交" in client.get("/todo").text
    assert reason["reason"] in client.get(f"/demands/{demand}").text
