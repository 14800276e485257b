"""The Stripe adapter: PaymentIntents and refunds through an injected ``stripe.StripeClient``.

Money: amounts are integers in the currency's minor units (fen for CNY), as Stripe expects them;
one PaymentIntent carries at most ``STRIPE_MAX_AMOUNT`` (99,999,999) minor units, so larger
obligations go by bank transfer (``ManualSettlementGateway``).

Idempotency: the key of a payment is derived from the payment obligation's id and the attempt
(``obligation-<uuid>`` for the first, ``obligation-<uuid>-<n>`` for attempt n), so starting the
same attempt twice (a retried command, a double click, a crash between Stripe's answer and our
save) gives back the same PaymentIntent instead of charging twice. Stripe keeps keys for at least
24 hours and rejects a reused key with different parameters. The SDK's own automatic key only
protects its internal network retries.

Keys expire, so they are not what keeps one obligation to one live PaymentIntent: once a payment
was started, the application resumes it (``resume_payment`` retrieves the PaymentIntent) rather
than starting it again, and starts attempt n+1 only when Stripe reports the intent canceled.

Stripe objects are converted to plain dicts with ``.to_dict()`` as soon as they are returned
(stripe-python 16 objects are not dicts), and only the fields the application needs leave here.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import stripe

from domain.shared.errors import ValidationError
from marketplace.deals.gateways.port import (
    STRIPE_MAX_AMOUNT,
    PaymentGatewayError,
    PaymentRequest,
    PaymentStart,
    RefundResult,
)

#: Network retries the SDK makes on connection errors and 409/429/5xx answers (StripeClient's own
#: default is 0). Retries resend the same idempotency key, so they cannot charge twice.
MAX_NETWORK_RETRIES = 2


def build_stripe_client(api_key: str, api_base: str | None = None) -> stripe.StripeClient:
    """A ``StripeClient`` for ``api_key``, pointed at ``api_base`` (None: Stripe's own API)."""
    if not api_key:
        raise ValueError("MARKETPLACE_STRIPE_API_KEY: must be set to build a Stripe client")
    if api_base:
        return stripe.StripeClient(
            api_key,
            base_addresses={"api": api_base.rstrip("/")},
            max_network_retries=MAX_NETWORK_RETRIES,
        )
    return stripe.StripeClient(api_key, max_network_retries=MAX_NETWORK_RETRIES)


#: PaymentIntent statuses in which the intent can still be paid, or has been: it is resumed, not replaced.
RESUMABLE_STATUSES = frozenset(
    {
        "requires_payment_method",
        "requires_confirmation",
        "requires_action",
        "processing",
        "requires_capture",
        "succeeded",
    }
)


def payment_idempotency_key(obligation_id: UUID, attempt: int = 1) -> str:
    """The idempotency key of the PaymentIntent of attempt ``attempt`` at one payment obligation.

    The first attempt keeps the key ``obligation-<uuid>`` that payments started before attempts were
    numbered were sent with. A later attempt exists only because the previous PaymentIntent was
    canceled; it needs a key of its own (``obligation-<uuid>-<attempt>``): within Stripe's 24-hour
    key retention the old key would replay the canceled intent, after it the key means nothing, so
    neither could name the new payment. A retried start of the same attempt sends the same key.
    """
    if attempt < 1:
        raise ValueError(f"attempt: payment attempts are numbered from 1, not {attempt}")
    return f"obligation-{obligation_id}" if attempt == 1 else f"obligation-{obligation_id}-{attempt}"


def _gateway_error(action: str, error: stripe.StripeError) -> PaymentGatewayError:
    """A Stripe SDK error as a ``PaymentGatewayError`` whose message says what failed and why."""
    retryable = isinstance(error, stripe.APIConnectionError | stripe.RateLimitError) or (
        error.http_status is not None and error.http_status >= 500
    )
    detail = error.user_message or str(error) or type(error).__name__
    status = f" (HTTP {error.http_status})" if error.http_status else ""
    return PaymentGatewayError(
        f"stripe: {action} failed{status}: {detail}",
        provider="stripe",
        code=error.code,
        retryable=retryable,
    )


class StripeGateway:
    """Collects a payment obligation as a Stripe PaymentIntent that the payer confirms in the browser.

    ``localstripe_compat`` exists only for the test suite's localstripe emulator, which rejects
    ``automatic_payment_methods``, ``description`` and ``receipt_email``: with it on, those
    parameters are left out. Production requests are the ones Stripe documents.
    """

    name = "stripe"

    def __init__(self, client: stripe.StripeClient, *, localstripe_compat: bool = False) -> None:
        self._client = client
        self._localstripe_compat = localstripe_compat

    def payment_intent_params(self, request: PaymentRequest) -> dict[str, Any]:
        """The PaymentIntent creation parameters for ``request`` (amount in minor units)."""
        params: dict[str, Any] = {
            "amount": request.amount,
            "currency": request.currency.lower(),
            "metadata": {"obligation_id": str(request.obligation_id), "reference": request.reference},
        }
        if not self._localstripe_compat:
            params["automatic_payment_methods"] = {"enabled": True}
            params["description"] = f"Patent marketplace payment {request.reference}"
            if request.payer_email:
                params["receipt_email"] = request.payer_email
        return params

    def start_payment(self, request: PaymentRequest) -> PaymentStart:
        """Create (or, for a repeated attempt, get back) the PaymentIntent for ``request``.

        Refuses amounts that are not positive or above Stripe's single-payment cap: those are
        settled by bank transfer instead.
        """
        if request.amount <= 0:
            raise ValidationError(
                "amount: must be a positive number of minor units", field="amount", code="amount.positive"
            )
        if request.amount > STRIPE_MAX_AMOUNT:
            raise ValidationError(
                f"amount: must be at most {STRIPE_MAX_AMOUNT:,} minor units for a card payment "
                "(Stripe's single-payment cap); larger amounts are paid by bank transfer",
                field="amount", code="payment.card_limit", most=STRIPE_MAX_AMOUNT,
            )
        try:
            intent = self._client.v1.payment_intents.create(
                params=self.payment_intent_params(request),  # type: ignore[arg-type]
                options={"idempotency_key": payment_idempotency_key(request.obligation_id, request.attempt)},
            ).to_dict()
        except stripe.StripeError as error:
            raise _gateway_error("creating the PaymentIntent", error) from error
        return self._start(intent)

    def resume_payment(self, provider_payment_id: str, request: PaymentRequest) -> PaymentStart | None:
        """The PaymentIntent ``provider_payment_id`` as it stands, or None once it can no longer be paid.

        Resumable: the statuses in ``RESUMABLE_STATUSES`` (``succeeded`` included: the webhook records
        it). None: ``canceled``, or an intent this Stripe account does not have (404,
        ``resource_missing``), which no payer can pay here either; an obligation would otherwise stay
        stuck on it. Other errors are ``PaymentGatewayError`` as for a start.
        """
        try:
            intent = self._client.v1.payment_intents.retrieve(provider_payment_id).to_dict()
        except stripe.InvalidRequestError as error:
            if error.code == "resource_missing" or error.http_status == 404:  # localstripe sends no code
                return None
            raise _gateway_error(f"retrieving the PaymentIntent {provider_payment_id}", error) from error
        except stripe.StripeError as error:
            raise _gateway_error(f"retrieving the PaymentIntent {provider_payment_id}", error) from error
        if str(intent.get("status")) not in RESUMABLE_STATUSES:
            return None
        return self._start(intent)

    def _start(self, intent: dict[str, Any]) -> PaymentStart:
        return PaymentStart(
            gateway=self.name,
            provider_payment_id=str(intent["id"]),
            status=str(intent["status"]),
            client_secret=intent.get("client_secret"),
        )

    def refund(self, provider_payment_id: str, amount: int, *, idempotency_key: str) -> RefundResult:
        """Refund ``amount`` minor units of the PaymentIntent ``provider_payment_id``, once per key."""
        if amount <= 0:
            raise ValidationError(
                "amount: a refund must be a positive number of minor units", field="amount", code="amount.positive"
            )
        if not idempotency_key:
            raise ValueError("idempotency_key: a refund needs one, derived from what is being refunded")
        try:
            refund = self._client.v1.refunds.create(
                params={"payment_intent": provider_payment_id, "amount": amount},
                options={"idempotency_key": idempotency_key},
            ).to_dict()
        except stripe.StripeError as error:
            raise _gateway_error(f"refunding {provider_payment_id}", error) from error
        return RefundResult(
            provider_refund_id=str(refund["id"]),
            amount=int(refund["amount"]),
            status=str(refund.get("status") or "pending"),
        )
