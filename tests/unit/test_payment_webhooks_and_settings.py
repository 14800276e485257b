"""Stripe webhook normalisation for the event shapes localstripe never sends, and payment settings.

The payloads follow Stripe's API reference (Event, PaymentIntent, Charge, Refund objects); they are
signed here exactly as Stripe signs them, so ``parse_stripe_webhook`` runs end to end.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import uuid4

import pytest

from marketplace.deals.gateways.port import WebhookSignatureError
from marketplace.deals.gateways.webhooks import parse_stripe_webhook
from marketplace.platform.settings import DEMO_BANK_ACCOUNT_NAME, MIN_NOTICE_DAYS, Settings
from tests.localstripe import stripe_signature

SECRET = "whsec_unit"
OBLIGATION = uuid4()


def _deliver(event: dict[str, Any]) -> tuple[bytes, str]:
    body = json.dumps(event).encode()
    return body, stripe_signature(body, SECRET)


def _event(event_type: str, obj: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": f"evt_{uuid4().hex[:14]}",
        "object": "event",
        "type": event_type,
        "created": 1_760_000_000,
        "data": {"object": obj},
    }


def test_a_failed_payment_intent_names_its_obligation_and_status() -> None:
    body, sig = _deliver(
        _event(
            "payment_intent.payment_failed",
            {
                "id": "pi_1",
                "object": "payment_intent",
                "amount": 5_000,
                "status": "requires_payment_method",
                "metadata": {"obligation_id": str(OBLIGATION)},
            },
        )
    )
    event = parse_stripe_webhook(body, sig, SECRET)

    assert (event.event_type, event.provider_payment_id, event.obligation_id, event.amount, event.status) == (
        "payment_intent.payment_failed",
        "pi_1",
        OBLIGATION,
        5_000,
        "requires_payment_method",
    )
    assert event.created == 1_760_000_000


def test_charge_refunded_gives_the_total_refunded_and_the_newest_refund() -> None:
    charge = {
        "id": "ch_1",
        "object": "charge",
        "amount": 10_000,
        "amount_refunded": 7_000,
        "payment_intent": "pi_1",
        "status": "succeeded",
        "metadata": {"obligation_id": str(OBLIGATION)},
        "refunds": {
            "object": "list",
            "data": [
                {"id": "re_old", "amount": 3_000, "created": 100},
                {"id": "re_new", "amount": 4_000, "created": 200},
            ],
        },
    }
    event = parse_stripe_webhook(*_deliver(_event("charge.refunded", charge)), SECRET)

    assert event.provider_payment_id == "pi_1"
    assert event.obligation_id == OBLIGATION
    assert event.amount == 7_000
    assert event.provider_refund_id == "re_new"


def test_refund_events_name_the_refund_and_its_payment_so_repeats_can_be_deduplicated() -> None:
    refund = {
        "id": "re_9",
        "object": "refund",
        "amount": 2_500,
        "payment_intent": "pi_7",
        "charge": "ch_7",
        "status": "pending",
        "metadata": {},
    }
    created = parse_stripe_webhook(*_deliver(_event("refund.created", refund)), SECRET)
    updated = parse_stripe_webhook(*_deliver(_event("refund.updated", {**refund, "status": "succeeded"})), SECRET)

    assert created.event_id != updated.event_id
    assert (created.provider_refund_id, created.provider_payment_id, created.amount) == ("re_9", "pi_7", 2_500)
    assert (updated.provider_refund_id, updated.status) == ("re_9", "succeeded")
    assert created.obligation_id is None


def test_an_event_of_another_kind_is_kept_with_its_id_and_type_only() -> None:
    event = parse_stripe_webhook(*_deliver(_event("customer.created", {"id": "cus_1", "object": "customer"})), SECRET)

    assert (event.event_type, event.provider_payment_id, event.amount, event.obligation_id) == (
        "customer.created",
        None,
        None,
        None,
    )


def test_a_signed_body_that_is_not_an_event_is_refused() -> None:
    body = b"[1, 2]"
    sig = stripe_signature(body, SECRET)

    with pytest.raises(WebhookSignatureError, match="payload"):
        parse_stripe_webhook(body, sig, SECRET)


def test_webhooks_cannot_be_verified_without_a_configured_secret() -> None:
    body, sig = _deliver(_event("payment_intent.succeeded", {"id": "pi_1", "object": "payment_intent"}))
    with pytest.raises(WebhookSignatureError, match="MARKETPLACE_STRIPE_WEBHOOK_SECRET"):
        parse_stripe_webhook(body, sig, "")


def test_payment_settings_default_to_manual_settlement_with_a_marked_demo_account() -> None:
    settings = Settings.from_env({})

    assert settings.stripe_api_key is None
    assert settings.stripe_api_base is None
    assert settings.stripe_localstripe_compat is False
    assert "DEMO" in settings.bank_account_name
    assert settings.bank_account_name == DEMO_BANK_ACCOUNT_NAME
    assert settings.platform_fee_rate == 100
    assert settings.notice_days == MIN_NOTICE_DAYS == 15


def test_a_notice_period_shorter_than_fujians_fifteen_days_is_refused_at_startup() -> None:
    with pytest.raises(ValueError, match=r"^MARKETPLACE_NOTICE_DAYS: must be at least 15 days"):
        Settings.from_env({"MARKETPLACE_NOTICE_DAYS": "14"})
    assert Settings.from_env({"MARKETPLACE_NOTICE_DAYS": "30"}).notice_days == 30


def test_a_stripe_key_without_a_webhook_secret_or_a_fee_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError, match=r"^MARKETPLACE_STRIPE_WEBHOOK_SECRET: must be set"):
        Settings.from_env({"MARKETPLACE_STRIPE_API_KEY": "sk_test_1"})
    with pytest.raises(ValueError, match=r"^MARKETPLACE_PLATFORM_FEE_BP: must be between 0 and 10000"):
        Settings.from_env({"MARKETPLACE_PLATFORM_FEE_BP": "10001"})
    assert Settings.from_env({"MARKETPLACE_PLATFORM_FEE_BP": "250"}).platform_fee_rate == 250
