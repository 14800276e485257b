# ruff: noqa: F811 - pytest fixtures imported from the journey module are parameters here
"""Stripe webhooks whose object carries no ``metadata.obligation_id`` (refund objects): the
obligation is found through the PaymentIntent id, and the refund reverses the deal."""

from __future__ import annotations

import json
import time
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from marketplace.platform.clock import ManualClock
from tests.localstripe import Localstripe
from tests.web.test_api import listed
from tests.web.test_deals_journey import (  # noqa: F401 - the fixtures
    clock,
    negotiate,
    ok,
    owners,
    parties,
    stripe_client,
    stripe_signature,
    through_notice,
)


def deliver(client: TestClient[Litestar], event_id: str, event_type: str, obj: dict[str, Any]) -> dict[str, Any]:
    """Post a Stripe event signed as Stripe signs it."""
    body = json.dumps({"id": event_id, "type": event_type, "created": int(time.time()), "data": {"object": obj}})
    answer: dict[str, Any] = ok(
        client.post(
            "/webhooks/stripe",
            content=body.encode(),
            headers={"Stripe-Signature": stripe_signature(body.encode()), "Content-Type": "application/json"},
        )
    )
    return answer


def refund(intent: str, amount: int, refund_id: str = "re_card_1") -> dict[str, Any]:
    """A Stripe Refund object: its metadata is the refund's own (empty), not the PaymentIntent's."""
    return {
        "id": refund_id,
        "object": "refund",
        "payment_intent": intent,
        "amount": amount,
        "currency": "cny",
        "status": "succeeded",
        "metadata": {},
    }


def test_a_refund_without_metadata_is_matched_by_its_payment_intent_and_reverses_the_transfer(
    stripe_client: TestClient[Litestar], clock: ManualClock, localstripe: Localstripe
) -> None:
    client = stripe_client
    p = parties(client)
    listing_id = listed(client, p.university, 31, price_mode="negotiable", asking_price=None)
    contract_id = negotiate(client, p, listing_id, offered=4_000_000, agreed=5_000_000)
    through_notice(client, p, clock, contract_id)
    started = ok(
        client.post(
            f"/api/contracts/{contract_id}/payments", headers=p.enterprise.headers, json={"purpose": "upfront"}
        ),
        201,
    )
    intent = started["provider_payment_id"]
    obligation_id = ok(client.get("/api/obligations", headers=p.enterprise.headers))["items"][0]["id"]
    paid = {
        "id": intent,
        "object": "payment_intent",
        "status": "succeeded",
        "amount": 5_000_000,
        "metadata": {"obligation_id": obligation_id},
    }
    deliver(client, "evt_paid", "payment_intent.succeeded", paid)
    contract = ok(client.get(f"/api/contracts/{contract_id}", headers=p.university.headers))["contract"]
    assert contract["status"] == "in_force"
    patent_id = contract["patent_id"]
    assert owners(client, patent_id) == ["宁德电芯科技有限公司"]

    # A refund of a PaymentIntent no obligation is known for: 503, nothing recorded, Stripe retries.
    services = client.app.state.web.services
    before = services.recorder.max_notification_id()
    body = json.dumps({"id": "evt_other", "type": "refund.updated", "created": int(time.time()),
                       "data": {"object": refund("pi_not_ours", 5_000_000)}}).encode()
    unknown = client.post("/webhooks/stripe", content=body, headers={"Stripe-Signature": stripe_signature(body)})
    assert unknown.status_code == 503
    assert unknown.headers["retry-after"] == "60"
    assert "provider_payment_id" in unknown.json()["detail"]
    assert services.recorder.max_notification_id() == before
    assert ok(client.get(f"/api/obligations/{obligation_id}", headers=p.enterprise.headers))["status"] == "paid"

    # The refund made in Stripe's dashboard: found through its PaymentIntent, it reverses the transfer.
    answer = deliver(client, "evt_refund", "refund.updated", refund(intent, 5_000_000))
    assert answer == {"received": True, "duplicate": False, "event_id": "evt_refund"}
    after = ok(client.get(f"/api/contracts/{contract_id}", headers=p.university.headers))
    assert after["obligations"][0]["status"] == "refunded"
    assert after["obligations"][0]["provider_refund_id"] == "re_card_1"
    assert after["contract"]["status"] == "terminated"
    assert owners(client, patent_id) == ["福州大学"]
