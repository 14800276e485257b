"""The ``PaymentGateway`` port: what the application asks of a payment provider.

Adapters: ``marketplace.payments.stripe_gateway.StripeGateway`` (PaymentIntents through the
stripe SDK) and ``marketplace.payments.manual.ManualSettlementGateway`` (对公转账: the buyer
transfers to the platform's bank account quoting a reference; a platform admin records receipt).
"""

from __future__ import annotations

from typing import Protocol
from uuid import UUID

import msgspec

from domain.shared.errors import DomainError
from marketplace.platform.command_text import clean_struct

#: Stripe's single-payment cap in minor units (¥999,999.99): larger amounts go by bank transfer.
STRIPE_MAX_AMOUNT = 99_999_999


class PaymentRequest(msgspec.Struct, frozen=True, kw_only=True):
    """One payment obligation to collect: the idempotency key derives from ``obligation_id`` and ``attempt``.

    ``attempt`` numbers the payments started for the obligation (1 for the first). A new attempt is
    started only when the previous payment can no longer be paid (canceled at the provider), so a
    repeated start of the same attempt must give back the same payment.
    """

    obligation_id: UUID
    amount: int
    currency: str
    reference: str
    payer_email: str | None = None
    attempt: int = 1


class PaymentStart(msgspec.Struct, frozen=True, kw_only=True):
    """What the payer needs next: a client secret to confirm with (Stripe) or bank instructions."""

    gateway: str
    provider_payment_id: str
    status: str
    client_secret: str | None = None
    instructions: dict[str, str] | None = None


class RefundResult(msgspec.Struct, frozen=True, kw_only=True):
    provider_refund_id: str
    amount: int
    status: str


class GatewayEvent(msgspec.Struct, frozen=True, kw_only=True):
    """A provider's notification, verified and reduced to what the application needs."""

    provider: str
    event_id: str
    event_type: str
    provider_payment_id: str | None
    obligation_id: UUID | None
    amount: int | None
    provider_refund_id: str | None = None
    created: int = 0
    payload_sha256: str = ""
    #: The provider object's own status (a PaymentIntent's ``succeeded``, a refund's ``failed``…).
    status: str | None = None

    def __post_init__(self) -> None:
        clean_struct(self)  # the provider's ids are recorded as text: the command edge's rule applies


class WebhookSignatureError(Exception):
    """The webhook's signature does not verify against the signing secret (answered 400)."""


class PaymentGatewayError(DomainError):
    """The payment provider refused or could not be reached; no money moved because of this call.

    ``retryable`` is true when the same call (same idempotency key) may succeed later: the provider
    was unreachable, rate-limited or answered with a server error.
    """

    def __init__(self, message: str, *, provider: str, code: str | None = None, retryable: bool = False) -> None:
        super().__init__(message, field=None)
        self.provider = provider
        self.code = code
        self.retryable = retryable


class PaymentGateway(Protocol):
    """A way to collect money for a payment obligation."""

    name: str

    def start_payment(self, request: PaymentRequest) -> PaymentStart: ...

    def resume_payment(self, provider_payment_id: str, request: PaymentRequest) -> PaymentStart | None:
        """The payment ``provider_payment_id`` started earlier for ``request``, or None if it can no longer be paid.

        Gives what the payer needs again (client secret or bank instructions) and the payment's status
        while it can still complete or has completed (``succeeded``: the provider's notification
        records it); None when the provider will never collect it (a canceled PaymentIntent), so the
        caller starts the next attempt. ``request`` is the obligation as it stands (bank instructions
        are rebuilt from it).
        """
        ...

    def refund(self, provider_payment_id: str, amount: int, *, idempotency_key: str) -> RefundResult: ...
