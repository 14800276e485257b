"""Programme claims through the inbox: the university is told when a claim is raised for it, approved and
paid — and the buyer, who is no beneficiary, is not."""

from __future__ import annotations

from datetime import timedelta

from tests.unit.tech_registration_helpers import register
from tests.web.conftest import api_token, login
from tests.web.test_programmes_web import PASSWORD, Market, claim_ids, draft_and_open, market  # noqa: F401


def test_a_claim_raised_approved_and_paid_reaches_the_beneficiarys_inbox(market: Market) -> None:  # noqa: F811
    client = market.client
    programme_id = draft_and_open(market)
    contract = market.paid_sale("fafu", "tea", 800_000)
    register(market.app, contract, market.ids["fafu"])
    assert len(market.follow_payments()) == 1
    fafu = api_token(client, "fafu@example.test", PASSWORD)
    tea = api_token(client, "tea@example.test", PASSWORD)

    def told(headers: dict[str, str]) -> list[tuple[str, str]]:
        items = client.get("/api/inbox", headers=headers).json()["items"]
        return [(i["event"], i["link"]) for i in items if i["kind"] == "claim"]

    assert told(fafu) == [("claim.raised", "/my/claims")]
    login(client, "fafu@example.test", PASSWORD)
    (claim_id,) = claim_ids(client.get("/my/claims").text)
    submitted = market.form(f"/claims/{claim_id}/submit", "/my/claims",
                            {"payee_account": "3500 1234 5678 90", "registration_number": "2026350100000123"})
    assert submitted.status_code == 303
    login(client, "officer@example.test", PASSWORD)
    assert market.form(f"/claims/{claim_id}/approve", f"/programmes/{programme_id}/claims", {}).status_code == 303
    market.clock.advance(timedelta(days=12))
    paid = market.form(f"/claims/{claim_id}/disburse", f"/programmes/{programme_id}/claims",
                       {"bank_reference": "HX20261204001"})
    assert paid.status_code == 303
    assert told(fafu) == [("claim.paid", "/my/claims"), ("claim.approved", "/my/claims"),
                          ("claim.raised", "/my/claims")]
    assert told(tea) == []
