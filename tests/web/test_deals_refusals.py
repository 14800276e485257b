# ruff: noqa: F811 - pytest fixtures imported from the journey module are parameters here
"""Deal commands refused over HTTP: each answers with its status and a message naming the field and
the rule, and records nothing (the event log does not grow)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from marketplace.platform.clock import ManualClock
from tests.web.test_api import draft, listed, publish, register, verified_member
from tests.web.test_deals_journey import (  # noqa: F401 - the fixtures
    Parties,
    clock,
    manual_client,
    negotiate,
    ok,
    parties,
    services_of,
    stripe_signature,
)


def events(client: TestClient[Litestar]) -> int:
    return int(services_of(client).app.recorder.max_notification_id() or 0)


def refused(client: TestClient[Litestar], response: Any, status: int, *words: str) -> None:
    assert response.status_code == status, response.text
    assert words, "a refusal check names the words its message must show"
    detail = response.json()["detail"]
    for word in words:
        assert word in detail, detail


def attempt(client: TestClient[Litestar], method: str, path: str, status: int, *words: str, **kwargs: Any) -> None:
    before = events(client)
    refused(client, client.request(method, path, **kwargs), status, *words)
    assert events(client) == before, "a refused command recorded events"


def exclusive(price: int, start: str = "2026-04-01", end: str = "2031-03-31") -> dict[str, Any]:
    return {
        "kind": "exclusive_licence",
        "price": price,
        "valid_days": 14,
        "scope": {"field_of_use": "", "territory": "", "start": start, "end": end},
    }


def test_an_overlapping_exclusive_licence_is_refused(manual_client: TestClient[Litestar]) -> None:
    client = manual_client
    p = parties(client)
    rival = verified_member(client, services_of(client), "rival@cells.example.cn", "厦门储能有限公司")
    listing_id = listed(
        client, p.university, 21, deal_types=["exclusive_licence"], price_mode="negotiable", asking_price=None
    )
    first = ok(
        client.post(f"/api/listings/{listing_id}/offers", headers=p.enterprise.headers, json=exclusive(30_000_000)), 201
    )["id"]
    second = ok(
        client.post(
            f"/api/listings/{listing_id}/offers", headers=rival.headers, json=exclusive(35_000_000, start="2027-01-01")
        ),
        201,
    )["id"]
    ok(client.post(f"/api/offers/{first}/accept", headers=p.university.headers))
    attempt(client, "POST", f"/api/offers/{second}/accept", 409, "exclusive", headers=p.university.headers)


def test_an_exclusive_licence_of_a_co_owned_patent_needs_every_consent(
    manual_client: TestClient[Litestar], clock: ManualClock
) -> None:
    client = manual_client
    p = parties(client)
    institute = verified_member(client, services_of(client), "ip@fjirsm.example.cn", "中国科学院福建物质结构研究所")
    owners = [
        {"organisation_id": p.university.organisation_id, "share": 60},
        {"organisation_id": institute.organisation_id, "share": 40},
    ]
    patent_id = register(client, p.university, 22, owners=owners)
    ok(client.post(f"/api/patents/{patent_id}/co-ownership/confirm", headers=institute.headers))  # issue 9
    listing_id = draft(client, p.university, patent_id, deal_types=["exclusive_licence"], price_mode="fixed",
                       asking_price=40_000_000)
    publish(client, p.university, listing_id)
    offer_id = ok(
        client.post(f"/api/listings/{listing_id}/offers", headers=p.enterprise.headers, json=exclusive(40_000_000)), 201
    )["id"]
    ok(client.post(f"/api/offers/{offer_id}/accept", headers=p.university.headers))
    contract = ok(client.get("/api/my/contracts", headers=p.enterprise.headers))["items"][0]
    assert contract["consents_required"] == [institute.organisation_id]
    clock.advance(timedelta(days=16))
    attempt(
        client,
        "POST",
        f"/api/contracts/{contract['id']}/sign",
        409,
        "consent",
        headers=p.university.headers,
        json={"text_sha256": contract["text_sha256"]},
    )
    # The co-owner may read the contract; a stranger may not.
    ok(client.get(f"/api/contracts/{contract['id']}", headers=institute.headers))
    stranger = verified_member(client, services_of(client), "x@else.example.cn", "无关公司")
    refused(client, client.get(f"/api/contracts/{contract['id']}", headers=stranger.headers), 403, "contract_id")
    refused(client, client.get(f"/api/offers/{offer_id}", headers=stranger.headers), 403, "offer_id")


def test_accepting_an_expired_offer_is_refused(manual_client: TestClient[Litestar], clock: ManualClock) -> None:
    client = manual_client
    p = parties(client)
    listing_id = listed(client, p.university, 23, price_mode="negotiable", asking_price=None)
    offer_id = ok(
        client.post(
            f"/api/listings/{listing_id}/offers",
            headers=p.enterprise.headers,
            json={"kind": "assignment", "price": 10_000_000, "valid_days": 1},
        ),
        201,
    )["id"]
    clock.advance(timedelta(days=2))
    attempt(client, "POST", f"/api/offers/{offer_id}/accept", 409, "expire", headers=p.university.headers)


def _in_notice(client: TestClient[Litestar], p: Parties, serial: int) -> dict[str, Any]:
    listing_id = listed(client, p.university, serial, price_mode="negotiable", asking_price=None)
    contract_id = negotiate(client, p, listing_id, offered=20_000_000, agreed=25_000_000)
    return dict(ok(client.get(f"/api/contracts/{contract_id}", headers=p.university.headers))["contract"])


def test_signing_in_the_notice_window_or_after_an_upheld_objection_is_refused(
    manual_client: TestClient[Litestar], clock: ManualClock
) -> None:
    client = manual_client
    p = parties(client)
    k = _in_notice(client, p, 24)
    sign = {"json": {"text_sha256": k["text_sha256"]}}
    attempt(client, "POST", f"/api/contracts/{k['id']}/sign", 409, "notice", headers=p.university.headers, **sign)

    citizen = verified_member(client, services_of(client), "citizen@example.cn", "某研究会")
    ok(
        client.post(
            f"/api/contracts/{k['id']}/objections", headers=citizen.headers, json={"text": "价格明显低于评估值"}
        ),
        201,
    )
    objection = ok(client.get("/api/notices"))["items"][0]["objections"][0]
    # Only the seller's org admin decides; the objector cannot.
    attempt(
        client,
        "POST",
        f"/api/contracts/{k['id']}/objections/{objection['id']}/decide",
        403,
        "contract_id: only a member of the selling organisation may do this",
        headers=citizen.headers,
        json={"upheld": False, "reason": "自己驳回"},
    )
    ok(
        client.post(
            f"/api/contracts/{k['id']}/objections/{objection['id']}/decide",
            headers=p.university.headers,
            json={"upheld": True, "reason": "须重新评估"},
        )
    )
    clock.advance(timedelta(days=16))
    # An upheld objection ends the contract: it can never be signed.
    attempt(client, "POST", f"/api/contracts/{k['id']}/sign", 409, "terminated", headers=p.university.headers, **sign)
    after = ok(client.get(f"/api/contracts/{k['id']}", headers=p.university.headers))
    assert after["contract"]["status"] == "terminated"
    assert after["objections"][0]["status"] == "upheld"
    assert after["signatures"] == []


def test_paying_an_unsigned_contract_or_paying_twice_is_refused(
    manual_client: TestClient[Litestar], clock: ManualClock
) -> None:
    client = manual_client
    p = parties(client)
    k = _in_notice(client, p, 25)
    attempt(
        client,
        "POST",
        f"/api/contracts/{k['id']}/payments",
        409,
        "contract_id",
        "signed",
        headers=p.enterprise.headers,
        json={"purpose": "upfront"},
    )
    clock.advance(timedelta(days=16))
    for who in (p.university, p.enterprise):
        ok(client.post(f"/api/contracts/{k['id']}/sign", headers=who.headers, json={"text_sha256": k["text_sha256"]}))
    obligation = ok(client.get("/api/obligations", headers=p.enterprise.headers))["items"][0]
    receipt = {"amount": obligation["amount"], "bank_reference": "ICBC-1"}
    ok(client.post(f"/api/obligations/{obligation['id']}/receipt", headers=p.admin.headers, json=receipt))
    attempt(
        client,
        "POST",
        f"/api/obligations/{obligation['id']}/receipt",
        409,
        "already paid",
        headers=p.admin.headers,
        json=receipt,
    )
    attempt(
        client,
        "POST",
        f"/api/contracts/{k['id']}/payments",
        409,
        "already paid",
        headers=p.enterprise.headers,
        json={"purpose": "upfront"},
    )


def test_a_webhook_with_a_bad_signature_is_refused_and_records_nothing(manual_client: TestClient[Litestar]) -> None:
    client = manual_client
    body = json.dumps(
        {
            "id": "evt_forged",
            "type": "payment_intent.succeeded",
            "created": 1,
            "data": {"object": {"id": "pi_forged", "amount": 1}},
        }
    ).encode()
    attempt(
        client,
        "POST",
        "/webhooks/stripe",
        400,
        "Stripe-Signature: No signatures found matching the expected signature",
        content=body,
        headers={"Stripe-Signature": stripe_signature(body, "whsec_forger")},
    )
    attempt(
        client,
        "POST",
        "/webhooks/stripe",
        400,
        "Stripe-Signature: No Stripe-Signature header value was provided",
        content=body,
        headers={},
    )
