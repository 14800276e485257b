"""Where a deposit paid by card belongs: the provider's payment (a Stripe PaymentIntent) → the lot and bidder.

The gateway's webhooks name the payment only; this record, saved with the lot's ``DepositStarted``, lets the
marketplace find the lot whose deposit a payment (or its refund) is, at once and without a read model. Its id
is derived from the provider's payment id (``deposit_payment_id``).
"""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.shared.ids import natural_id


def deposit_payment_id(gateway: str, provider_payment_id: str) -> UUID:
    return natural_id("auction-deposit-payment", f"{gateway}:{provider_payment_id}")


class DepositPayment(Aggregate):
    """A provider's payment of one bidder's deposit for one lot."""

    class Started(Aggregate.Created):
        lot_id: UUID
        organisation_id: UUID
        gateway: str
        provider_payment_id: str

    @event(Started)
    def __init__(self, id: UUID, lot_id: UUID, organisation_id: UUID, gateway: str, provider_payment_id: str) -> None:
        self.lot_id = lot_id
        self.organisation_id = organisation_id
        self.gateway = gateway
        self.provider_payment_id = provider_payment_id

    @classmethod
    def start(cls, *, lot_id: UUID, organisation_id: UUID, gateway: str, provider_payment_id: str) -> DepositPayment:
        return cls(id=deposit_payment_id(gateway, provider_payment_id), lot_id=lot_id,
                   organisation_id=organisation_id, gateway=gateway, provider_payment_id=provider_payment_id)
