"""The payment gateways against a real localstripe (Stripe emulator) and the stdlib HTTP stack.

localstripe ignores idempotency keys, so what is checked about them here is what we send: the key
derived from the payment obligation, observed on the wire. Stripe's replay of a reused key is
Stripe's documented behaviour, not something an emulator can show honestly.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator, Mapping
from typing import Any
from uuid import UUID, uuid4

import pytest
import stripe

from domain.deals.payment import obligation_id
from domain.shared.errors import ValidationError
from marketplace.deals import commands as d
from marketplace.deals.gateways.factory import build_gateways, gateway_for
from marketplace.deals.gateways.manual import ManualSettlementGateway
from marketplace.deals.gateways.port import (
    STRIPE_MAX_AMOUNT,
    PaymentGatewayError,
    PaymentRequest,
    WebhookSignatureError,
)
from marketplace.deals.gateways.stripe_gateway import StripeGateway, payment_idempotency_key
from marketplace.deals.gateways.webhooks import parse_stripe_webhook
from marketplace.platform.settings import Settings
from tests.localstripe import Localstripe, WebhookReceiver, confirm_with_test_card, stripe_signature
from tests.unit.deal_helpers import accept, head, make_world, offer, sign_all
from web.errors import status_of

WEBHOOK_SECRET = "whsec_test_marketplace"


def _request(amount: int = 1_234_500, obligation_id: UUID | None = None) -> PaymentRequest:
    return PaymentRequest(
        obligation_id=obligation_id or uuid4(),
        amount=amount,
        currency="CNY",
        reference=f"PT-{uuid4().hex[:8].upper()}",
        payer_email="buyer@example.com",
    )


@pytest.fixture
def gateway(localstripe: Localstripe) -> StripeGateway:
    return StripeGateway(localstripe.client, localstripe_compat=True)


def test_a_card_payment_is_created_for_the_obligation_then_succeeds_when_the_buyer_confirms(
    localstripe: Localstripe, gateway: StripeGateway
) -> None:
    request = _request(amount=1_234_500)
    start = gateway.start_payment(request)

    assert start.gateway == "stripe"
    assert start.status == "requires_payment_method"
    assert start.client_secret is not None
    assert start.client_secret.startswith(f"{start.provider_payment_id}_secret_")
    intent = localstripe.client.v1.payment_intents.retrieve(start.provider_payment_id).to_dict()
    assert intent["amount"] == 1_234_500  # minor units: ¥12,345.00
    assert intent["currency"] == "cny"
    assert intent["metadata"] == {"obligation_id": str(request.obligation_id), "reference": request.reference}

    confirmed = confirm_with_test_card(localstripe.client, start.provider_payment_id)
    assert confirmed["status"] == "succeeded"


def test_the_production_request_carries_what_stripe_documents_and_only_the_compat_setting_drops_it(
    localstripe: Localstripe,
) -> None:
    request = _request()
    production = StripeGateway(localstripe.client).payment_intent_params(request)
    compat = StripeGateway(localstripe.client, localstripe_compat=True).payment_intent_params(request)

    assert production["automatic_payment_methods"] == {"enabled": True}
    assert request.reference in production["description"]
    assert production["receipt_email"] == "buyer@example.com"
    assert set(production) - set(compat) == {"automatic_payment_methods", "description", "receipt_email"}
    assert {k: production[k] for k in compat} == compat


def test_a_refused_stripe_request_surfaces_as_a_gateway_error_with_stripes_reason(localstripe: Localstripe) -> None:
    # localstripe refuses automatic_payment_methods: the production request shows how errors map.
    with pytest.raises(PaymentGatewayError) as refused:
        StripeGateway(localstripe.client).start_payment(_request())

    assert refused.value.provider == "stripe"
    assert status_of(refused.value) == 502  # the API answers Bad Gateway
    assert "creating the PaymentIntent failed (HTTP 400)" in refused.value.message
    assert "automatic_payment_methods" in refused.value.message
    assert refused.value.retryable is False


def test_an_unreachable_stripe_is_a_retryable_gateway_error() -> None:
    closed = stripe.StripeClient("sk_test_x", base_addresses={"api": "http://127.0.0.1:9"}, max_network_retries=0)
    with pytest.raises(PaymentGatewayError) as unreachable:
        StripeGateway(closed, localstripe_compat=True).start_payment(_request())

    assert unreachable.value.retryable is True


class _RecordingHTTPClient(stripe.RequestsClient):
    """The SDK's own HTTP client, noting the headers of each request it sends."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[tuple[str, str, dict[str, str]]] = []

    def request(  # type: ignore[override]
        self, method: str, url: str, headers: Mapping[str, str] | None, post_data: Any = None
    ) -> tuple[bytes, int, Mapping[str, str]]:
        self.sent.append((method, url, dict(headers or {})))
        return super().request(method, url, headers, post_data)


def test_the_idempotency_key_sent_is_derived_from_the_payment_obligation(localstripe: Localstripe) -> None:
    recorder = _RecordingHTTPClient()
    client = stripe.StripeClient(
        localstripe.api_key, base_addresses={"api": localstripe.api_base}, http_client=recorder
    )
    gateway = StripeGateway(client, localstripe_compat=True)
    obligation = uuid4()

    gateway.start_payment(_request(obligation_id=obligation))
    gateway.start_payment(_request(obligation_id=obligation))  # a retried command: same key
    gateway.start_payment(_request())  # another obligation: another key

    keys = [
        headers.get("Idempotency-Key") for method, url, headers in recorder.sent if url.endswith("/v1/payment_intents")
    ]
    assert keys[0] == keys[1] == f"obligation-{obligation}" == payment_idempotency_key(obligation)
    assert keys[2] != keys[0]
    assert keys[2] is not None
    assert keys[2].startswith("obligation-")


def test_a_started_payment_intent_is_resumed_until_it_is_canceled(
    localstripe: Localstripe, gateway: StripeGateway
) -> None:
    request = _request()
    start = gateway.start_payment(request)

    assert gateway.resume_payment(start.provider_payment_id, request) == start

    localstripe.client.v1.payment_intents.cancel(start.provider_payment_id)
    assert gateway.resume_payment(start.provider_payment_id, request) is None
    assert gateway.resume_payment("pi_never_created", request) is None  # not at this account: nobody can pay it


def test_a_paid_payment_intent_is_resumed_as_succeeded(localstripe: Localstripe, gateway: StripeGateway) -> None:
    request = _request()
    start = gateway.start_payment(request)
    confirm_with_test_card(localstripe.client, start.provider_payment_id)

    resumed = gateway.resume_payment(start.provider_payment_id, request)

    assert resumed is not None
    assert (resumed.provider_payment_id, resumed.status) == (start.provider_payment_id, "succeeded")


def test_resuming_against_an_unreachable_stripe_is_a_retryable_gateway_error() -> None:
    closed = stripe.StripeClient("sk_test_x", base_addresses={"api": "http://127.0.0.1:9"}, max_network_retries=0)
    with pytest.raises(PaymentGatewayError, match="retrieving the PaymentIntent pi_1") as unreachable:
        StripeGateway(closed, localstripe_compat=True).resume_payment("pi_1", _request())

    assert unreachable.value.retryable is True


def test_the_marketplace_resumes_a_started_payment_and_starts_attempt_2_only_after_a_cancel(
    localstripe: Localstripe,
) -> None:
    recorder = _RecordingHTTPClient()
    client = stripe.StripeClient(
        localstripe.api_key, base_addresses={"api": localstripe.api_base}, http_client=recorder
    )
    world = make_world(stripe=StripeGateway(client, localstripe_compat=True))
    contract_id = accept(world, offer(world))
    sign_all(world, contract_id)
    oid = obligation_id(contract_id, "upfront")
    pay = d.StartPayment(contract_id=contract_id)

    def created_keys() -> list[str | None]:
        return [
            h.get("Idempotency-Key")
            for m, url, h in recorder.sent
            if m == "post" and url.endswith("/v1/payment_intents")
        ]

    first, _ = world.app.payments.start_payment(pay, actor_id=world["firm"])
    again, position = world.app.payments.start_payment(pay, actor_id=world["firm"])

    assert again.provider_payment_id == first.provider_payment_id
    assert again.client_secret == first.client_secret
    assert position == head(world.app)
    assert created_keys() == [f"obligation-{oid}"]  # resumed by retrieving it: no second create

    client.v1.payment_intents.cancel(first.provider_payment_id)
    second, _ = world.app.payments.start_payment(pay, actor_id=world["firm"])

    assert second.provider_payment_id != first.provider_payment_id
    assert second.status == "requires_payment_method"
    assert created_keys() == [f"obligation-{oid}", f"obligation-{oid}-2"]
    assert created_keys()[-1] == payment_idempotency_key(oid, 2)
    obligation = world.get(oid)
    assert (obligation.provider_payment_id, obligation.payment_attempts) == (second.provider_payment_id, 2)
    intent = client.v1.payment_intents.retrieve(second.provider_payment_id).to_dict()
    assert intent["metadata"]["obligation_id"] == str(oid)


def test_a_confirmed_payment_is_refunded_in_part_under_the_callers_key(localstripe: Localstripe) -> None:
    recorder = _RecordingHTTPClient()
    client = stripe.StripeClient(
        localstripe.api_key, base_addresses={"api": localstripe.api_base}, http_client=recorder
    )
    gateway = StripeGateway(client, localstripe_compat=True)
    start = gateway.start_payment(_request(amount=2_000_000))
    confirm_with_test_card(client, start.provider_payment_id)

    refund = gateway.refund(start.provider_payment_id, 500_000, idempotency_key="refund-contract-42")

    assert refund.amount == 500_000
    assert refund.status == "succeeded"
    assert refund.provider_refund_id.startswith("re_")
    refunds = client.v1.refunds.list(params={"payment_intent": start.provider_payment_id}).to_dict()["data"]
    assert [(r["id"], r["amount"]) for r in refunds] == [(refund.provider_refund_id, 500_000)]
    refund_calls = [headers for method, url, headers in recorder.sent if url.endswith("/v1/refunds")]
    assert refund_calls[-1]["Idempotency-Key"] == "refund-contract-42"


def test_refunding_a_payment_never_confirmed_is_refused_by_stripe(gateway: StripeGateway) -> None:
    start = gateway.start_payment(_request())
    with pytest.raises(PaymentGatewayError, match="refunding"):
        gateway.refund(start.provider_payment_id, 100, idempotency_key="refund-unpaid")


def test_amounts_above_stripes_single_payment_cap_are_refused_before_calling_stripe(
    localstripe: Localstripe,
) -> None:
    recorder = _RecordingHTTPClient()
    client = stripe.StripeClient(
        localstripe.api_key, base_addresses={"api": localstripe.api_base}, http_client=recorder
    )
    gateway = StripeGateway(client, localstripe_compat=True)

    with pytest.raises(ValidationError, match=r"^amount: must be at most 99,999,999 minor units") as refused:
        gateway.start_payment(_request(amount=STRIPE_MAX_AMOUNT + 1))
    assert refused.value.field == "amount"
    assert recorder.sent == []

    at_cap = gateway.start_payment(_request(amount=STRIPE_MAX_AMOUNT))
    assert at_cap.status == "requires_payment_method"


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    r = WebhookReceiver()
    yield r
    r.close()


def test_a_webhook_delivered_by_localstripe_verifies_and_names_the_payment_and_obligation(
    localstripe: Localstripe, gateway: StripeGateway, receiver: WebhookReceiver
) -> None:
    localstripe.register_webhook(receiver.url, WEBHOOK_SECRET, ["payment_intent.succeeded"])
    request = _request(amount=880_000)
    start = gateway.start_payment(request)
    confirm_with_test_card(localstripe.client, start.provider_payment_id)

    body, signature = receiver.events_for(start.provider_payment_id, {"payment_intent.succeeded"})[
        "payment_intent.succeeded"]
    event = parse_stripe_webhook(body, signature, WEBHOOK_SECRET)

    assert event.provider == "stripe"
    assert event.event_id.startswith("evt_")
    assert event.event_type == "payment_intent.succeeded"
    assert event.provider_payment_id == start.provider_payment_id
    assert event.obligation_id == request.obligation_id
    assert event.amount == 880_000
    assert event.status == "succeeded"
    assert event.created > 0
    assert event.payload_sha256 == hashlib.sha256(body).hexdigest()

    tampered = body.replace(b"880000", b"100")
    assert tampered != body
    with pytest.raises(WebhookSignatureError, match="Stripe-Signature"):
        parse_stripe_webhook(tampered, signature, WEBHOOK_SECRET)
    with pytest.raises(WebhookSignatureError, match="Stripe-Signature"):
        parse_stripe_webhook(body, signature, "whsec_someone_else")
    with pytest.raises(WebhookSignatureError, match="Stripe-Signature"):
        parse_stripe_webhook(body, None, WEBHOOK_SECRET)


def test_a_signature_older_than_five_minutes_is_refused_and_a_rolled_secret_still_verifies() -> None:
    body = json.dumps({"id": "evt_1", "type": "payment_intent.canceled", "created": 1, "data": {"object": {}}}).encode()
    now = int(time.time())

    with pytest.raises(WebhookSignatureError, match="tolerance"):
        parse_stripe_webhook(body, stripe_signature(body, WEBHOOK_SECRET, now - 301), WEBHOOK_SECRET)

    # While a secret is rolled, Stripe signs with both: any matching v1 passes.
    new_v1 = stripe_signature(body, WEBHOOK_SECRET, now).split(",")[1]
    old_and_new = stripe_signature(body, "whsec_old", now) + "," + new_v1
    assert parse_stripe_webhook(body, old_and_new, WEBHOOK_SECRET).event_id == "evt_1"


def test_bank_transfer_instructions_carry_the_reference_the_payee_and_the_amount() -> None:
    manual = ManualSettlementGateway("福建示例专利运营有限公司", "中国银行福州分行", "4073 5812 0000 1234")
    request = _request(amount=150_000_000_00)  # ¥150,000,000.00: far above Stripe's cap

    start = manual.start_payment(request)

    assert start.gateway == "manual"
    assert start.status == "awaiting_transfer"
    assert start.provider_payment_id == request.reference
    assert start.client_secret is None
    assert start.instructions is not None
    assert start.instructions["reference"] == request.reference
    assert start.instructions["payee_account_name"] == "福建示例专利运营有限公司"
    assert start.instructions["bank"] == "中国银行福州分行"
    assert start.instructions["account_number"] == "4073 5812 0000 1234"
    assert start.instructions["amount"] == "150,000,000.00 CNY"
    for text in (start.instructions["instructions_zh"], start.instructions["instructions_en"]):
        assert request.reference in text
        assert "150,000,000.00 CNY" in text
        assert "4073 5812 0000 1234" in text


def test_a_bank_transfer_is_resumed_with_the_same_instructions_for_the_reference() -> None:
    manual = ManualSettlementGateway("Payee", "Bank", "1")
    request = _request(amount=150_000_000_00)
    start = manual.start_payment(request)

    assert manual.resume_payment(start.provider_payment_id, request) == start


def test_a_bank_transfer_refund_is_paid_out_by_the_platform_once_per_key() -> None:
    manual = ManualSettlementGateway("Payee", "Bank", "1")
    first = manual.refund("PT-AAAA1111", 5_000, idempotency_key="refund-x")
    again = manual.refund("PT-AAAA1111", 5_000, idempotency_key="refund-x")

    assert first.status == "pending_payout"
    assert first.amount == 5_000
    assert first == again
    assert (
        manual.refund("PT-AAAA1111", 5_000, idempotency_key="refund-y").provider_refund_id != first.provider_refund_id
    )


def test_gateways_from_settings_manual_by_default_stripe_when_configured(localstripe: Localstripe) -> None:
    assert set(build_gateways(Settings.from_env({}))) == {"manual"}

    settings = Settings.from_env(
        {
            "MARKETPLACE_STRIPE_API_KEY": localstripe.api_key,
            "MARKETPLACE_STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "MARKETPLACE_STRIPE_API_BASE": localstripe.api_base,
            "MARKETPLACE_STRIPE_LOCALSTRIPE": "1",
            "MARKETPLACE_BANK_ACCOUNT_NAME": "Real Payee Ltd.",
        }
    )
    gateways = build_gateways(settings)

    assert set(gateways) == {"manual", "stripe"}
    assert gateway_for(gateways, STRIPE_MAX_AMOUNT).name == "stripe"
    assert gateway_for(gateways, STRIPE_MAX_AMOUNT + 1).name == "manual"
    started = gateways["stripe"].start_payment(_request(amount=10_000))
    assert started.status == "requires_payment_method"
    instructions = gateways["manual"].start_payment(_request()).instructions
    assert instructions is not None
    assert instructions["payee_account_name"] == "Real Payee Ltd."
