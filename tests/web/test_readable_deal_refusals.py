# ruff: noqa: F811 - pytest fixtures imported from the journey module are parameters here
"""Deal refusals in the reader's words: refunding an unpaid payment, a receipt of the wrong amount, a royalty
report for a period already reported, a milestone the contract does not have, ending a contract already ended
and a counter-offer of another deal kind are said in Chinese or English as the reader asked (``?lang=`` on the
JSON API, the language cookie on pages), naming the field by its label and never by its internal name; amounts
are said as money. Nothing is recorded by a refusal."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from tests.web.conftest import post_form
from tests.web.test_api import listed
from tests.web.test_deals_journey import (  # noqa: F401 - the fixtures
    Parties,
    clock,
    manual_client,
    ok,
    parties,
    services_of,
)
from tests.web.test_readable_errors import INTERNAL_NAME, in_language, refusal_of
from tests.web.test_royalties_and_shares import (
    ENTERPRISE,
    as_user,
    licence_in_force,
    obligation,
    report_by_api,
)


def events(client: TestClient[Litestar]) -> int:
    return int(services_of(client).app.recorder.max_notification_id() or 0)


def said(
    client: TestClient[Litestar], path: str, body: dict[str, Any], who: Any, status: int, code: str
) -> tuple[str, str]:
    """The refusal of ``POST path`` in Chinese and in English (JSON ``detail``), each checked to carry ``code``,
    no internal name, and to record nothing."""
    details = []
    for lang in ("zh", "en"):
        before = events(client)
        answer = client.post(f"{path}?lang={lang}", json=body, headers=who.headers)
        assert answer.status_code == status, answer.text
        refusal = answer.json()
        assert refusal["code"] == code, refusal
        assert not INTERNAL_NAME.search(refusal["detail"]), refusal["detail"]
        assert events(client) == before, "a refused command recorded events"
        details.append(refusal["detail"])
    return details[0], details[1]


def test_refunding_an_unpaid_payment_or_recording_a_receipt_of_the_wrong_amount_is_said_in_both_languages(
    manual_client: TestClient[Litestar],
) -> None:
    client = manual_client
    p = parties(client)
    contract_id = licence_in_force(client, p, 61)
    ok(report_by_api(client, p.enterprise, contract_id, "2026-04-01", "2026-06-30", 80_000_000))
    royalty = obligation(client, p, contract_id, "royalty-2026-06-30")
    assert (royalty["status"], royalty["amount"]) == ("due", 4_000_000)
    path = f"/api/obligations/{royalty['id']}"
    assert said(client, f"{path}/refund", {"reason": "买方要求"}, p.admin, 409, "payment.not_refundable") == (
        "应付款项：该款项待付，不能退款",
        "Payment: a due payment cannot be refunded",
    )
    receipt = {"amount": 3_999_999, "bank_reference": "ICBC-20260710-0002"}
    assert said(client, f"{path}/receipt", receipt, p.admin, 400, "payment.amount_due") == (
        "金额：应付金额为 40,000.00 元，填写的是 39,999.99 元",
        "Amount: CNY 40,000 is due, not CNY 39,999.99",
    )
    assert obligation(client, p, contract_id, "royalty-2026-06-30")["status"] == "due"


def test_a_royalty_report_for_a_period_already_reported_is_said_on_the_page_and_in_the_api(
    manual_client: TestClient[Litestar],
) -> None:
    client = manual_client
    p = parties(client)
    contract_id = licence_in_force(client, p, 62)
    ok(report_by_api(client, p.enterprise, contract_id, "2026-04-01", "2026-06-30", 800_000))
    again = {"period_start": "2026-04-01", "period_end": "2026-06-30", "net_sales": 800_000}
    assert said(
        client, f"/api/contracts/{contract_id}/royalty-reports", again, p.enterprise, 400, "royalty.next_period"
    ) == (
        "报告期起：提成报告须逐期衔接：上一期已报告至 2026-06-30，本期应从 2026-07-01 起算，填写的是 2026-04-01",
        "Period start: royalty reports follow on from each other: the last ran to 2026-06-30, so the next starts "
        "on 2026-07-01, not 2026-04-01",
    )
    as_user(client, ENTERPRISE)
    path = f"/contracts/{contract_id}"
    form = {"period_start": "2026-04-01", "period_end": "2026-06-30", "net_sales": "8000"}
    shown = {}
    for lang in ("zh", "en"):
        in_language(client, lang)
        page = post_form(client, f"{path}/royalties", form, form_page=path)
        assert page.status_code == 400, page.text
        shown[lang] = refusal_of(page.text)
        assert not INTERNAL_NAME.search(shown[lang]), shown[lang]
    assert shown["zh"].startswith("报告期起：提成报告须逐期衔接：上一期已报告至 2026-06-30")
    assert shown["en"].startswith("Period start: royalty reports follow on from each other")
    assert len(ok(client.get(f"/api/contracts/{contract_id}", headers=p.enterprise.headers))["royalty_reports"]) == 1


def test_a_milestone_the_contract_does_not_have_is_named_in_both_languages(
    manual_client: TestClient[Litestar],
) -> None:
    client = manual_client
    p = parties(client)
    contract_id = licence_in_force(client, p, 63)
    path = f"/api/contracts/{contract_id}/milestones"
    assert said(client, path, {"name": "量产"}, p.enterprise, 400, "milestone.unknown") == (
        "名称：本合同没有名为“量产”的里程碑",
        "Name: the contract has no milestone “量产”",
    )


def test_ending_a_contract_already_ended_is_said_in_both_languages(manual_client: TestClient[Litestar]) -> None:
    client = manual_client
    p = parties(client)
    listing_id = listed(client, p.university, 64, deal_types=["non_exclusive_licence"], asking_price=5_000_000)
    offer = ok(
        client.post(
            f"/api/listings/{listing_id}/offers",
            headers=p.enterprise.headers,
            json={
                "kind": "non_exclusive_licence",
                "price": 5_000_000,
                "scope": {"start": "2026-04-01", "end": "2029-04-01"},
            },
        ),
        201,
    )
    contract_id = ok(client.post(f"/api/offers/{offer['id']}/accept", headers=p.university.headers))["contract_id"]
    path = f"/api/contracts/{contract_id}/terminate"
    ok(client.post(path, headers=p.university.headers, json={"reason": "双方协商一致"}))
    assert said(client, path, {"reason": "再次终止"}, p.university, 409, "contract.terminated") == (
        "合同：该合同已终止",
        "Contract: the contract was terminated",
    )
    assert said(client, path, {"reason": "再次终止"}, p.enterprise, 409, "contract.terminated")[0] == (
        "合同：该合同已终止"
    )


def test_a_counter_offer_of_another_deal_kind_is_said_in_both_languages(manual_client: TestClient[Litestar]) -> None:
    client = manual_client
    p = parties(client)
    listing_id = listed(client, p.university, 65, deal_types=["assignment", "non_exclusive_licence"])
    offer = ok(
        client.post(
            f"/api/listings/{listing_id}/offers",
            headers=p.enterprise.headers,
            json={"kind": "assignment", "price": 30_000_000, "valid_days": 14},
        ),
        201,
    )
    counter = {
        "kind": "non_exclusive_licence",
        "price": 10_000_000,
        "valid_days": 14,
        "scope": {"start": "2026-04-01", "end": "2029-04-01"},
    }
    assert said(client, f"/api/offers/{offer['id']}/counter", counter, p.university, 400, "offer.counter_kind") == (
        "交易方式：还价不能改变交易方式；如需其他交易方式，请重新报价",
        "Deal type: a counter-offer keeps the deal kind; make a new offer instead",
    )
    milestones = {
        "kind": "assignment",
        "price": 30_000_000,
        "valid_days": 14,
        "milestones": [{"name": "中试完成", "amount": 0}],
    }
    zh, en = said(client, f"/api/offers/{offer['id']}/counter", milestones, p.university, 400, "amount.positive")
    assert (zh, en) == (
        "里程碑付款 · 第 1 项 · 金额：须大于 0",
        "Milestone payments · item 1 · Amount: must be greater than 0",
    )
    thread = ok(client.get(f"/api/offers/{offer['id']}", headers=p.enterprise.headers))["thread"]
    assert [e["event_type"] for e in thread] == ["Made"]
