"""Stripe webhooks: verify the signature on the raw body, then reduce the event to a ``GatewayEvent``.

Stripe signs ``"<t>.<raw body>"`` with HMAC-SHA256 under the endpoint's signing secret and sends
``Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>…]`` (several ``v1`` while a secret is rolled);
the body must be verified exactly as received, before any JSON parsing. A timestamp older than
the tolerance (300 s) is refused, which bounds replays.

Delivery is at least once, in any order, and retried for days; one refund can surface as
``charge.refunded``, ``refund.created`` and ``refund.updated``. The application therefore keeps an
inbox keyed by ``event_id`` and deduplicates on the business ids this module extracts
(``provider_payment_id``, ``provider_refund_id``, ``obligation_id``).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from uuid import UUID

import stripe

from marketplace.deals.gateways.port import GatewayEvent, WebhookSignatureError

#: Seconds a signature's timestamp may lag behind our clock (Stripe's own default).
DEFAULT_TOLERANCE = 300


def _obligation_id(obj: dict[str, Any]) -> UUID | None:
    metadata = obj.get("metadata")
    if not isinstance(metadata, dict):
        return None
    value = metadata.get("obligation_id")
    if not isinstance(value, str):
        return None
    try:
        return UUID(value)
    except ValueError:
        return None


def _str_or_none(value: object) -> str | None:
    if isinstance(value, str) and value:
        return value
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return str(value["id"])  # an expanded object
    return None


def _int_or_none(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _latest_refund_id(charge: dict[str, Any]) -> str | None:
    refunds = charge.get("refunds")
    if isinstance(refunds, dict) and isinstance(refunds.get("data"), list) and refunds["data"]:
        newest = max(refunds["data"], key=lambda r: r.get("created", 0) if isinstance(r, dict) else 0)
        return _str_or_none(newest)
    return None


def normalise_stripe_event(event: dict[str, Any], payload_sha256: str = "") -> GatewayEvent:
    """Reduce a (verified) Stripe event to what the application acts on.

    - ``payment_intent.*``: the PaymentIntent's id, ``amount`` (minor units) and status;
    - ``charge.*``: the charge's PaymentIntent; for ``charge.refunded`` the amount is the total
      refunded so far and the refund id the newest refund when the event lists them;
    - ``refund.*`` (and ``charge.refund.updated``): the refund's id, amount, status and PaymentIntent.

    ``obligation_id`` comes from the object's metadata when present (the PaymentIntents we create
    carry it); otherwise match through ``provider_payment_id``. Other event types keep only their
    id, type and creation time.
    """
    event_id = event.get("id")
    event_type = event.get("type")
    if not isinstance(event_id, str) or not isinstance(event_type, str):
        raise WebhookSignatureError("payload: a Stripe event needs a string id and type")
    data = event.get("data")
    obj = data.get("object") if isinstance(data, dict) else None
    if not isinstance(obj, dict):
        obj = {}
    kind = obj.get("object")
    provider_payment_id: str | None = None
    provider_refund_id: str | None = None
    amount: int | None = None
    if kind == "payment_intent":
        provider_payment_id = _str_or_none(obj.get("id"))
        amount = _int_or_none(obj.get("amount"))
    elif kind == "charge":
        provider_payment_id = _str_or_none(obj.get("payment_intent"))
        if event_type == "charge.refunded":
            amount = _int_or_none(obj.get("amount_refunded"))
            provider_refund_id = _latest_refund_id(obj)
        else:
            amount = _int_or_none(obj.get("amount"))
    elif kind == "refund":
        provider_payment_id = _str_or_none(obj.get("payment_intent"))
        provider_refund_id = _str_or_none(obj.get("id"))
        amount = _int_or_none(obj.get("amount"))
    created = _int_or_none(event.get("created")) or 0
    status = obj.get("status")
    return GatewayEvent(
        provider="stripe",
        event_id=event_id,
        event_type=event_type,
        provider_payment_id=provider_payment_id,
        obligation_id=_obligation_id(obj),
        amount=amount,
        provider_refund_id=provider_refund_id,
        created=created,
        payload_sha256=payload_sha256,
        status=status if isinstance(status, str) else None,
    )


def parse_stripe_webhook(
    raw_body: bytes, signature_header: str | None, secret: str, *, tolerance: int = DEFAULT_TOLERANCE
) -> GatewayEvent:
    """Verify a Stripe webhook delivery and normalise its event.

    Raises ``WebhookSignatureError`` (answered 400, so Stripe retries and the failure is visible in
    its dashboard) when the header is missing, no ``v1`` signature matches ``secret``, the
    timestamp is older than ``tolerance`` seconds, or the signed body is not a Stripe event.
    """
    if not secret:
        raise WebhookSignatureError("MARKETPLACE_STRIPE_WEBHOOK_SECRET is not configured: cannot verify webhooks")
    try:
        stripe.WebhookSignature.verify_header(raw_body, signature_header, secret, tolerance)
    except stripe.SignatureVerificationError as error:
        raise WebhookSignatureError(f"Stripe-Signature: {error.user_message or error}") from error
    except UnicodeDecodeError as error:
        raise WebhookSignatureError("payload: the webhook body is not UTF-8") from error
    try:
        event = json.loads(raw_body)
    except ValueError as error:
        raise WebhookSignatureError("payload: the signed webhook body is not JSON") from error
    if not isinstance(event, dict):
        raise WebhookSignatureError("payload: the signed webhook body is not a Stripe event object")
    return normalise_stripe_event(event, hashlib.sha256(raw_body).hexdigest())
