"""The WebhookDelivery aggregate: the inbox that makes a payment provider's repeated deliveries harmless."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.shared.ids import natural_id
from domain.shared.topics import stored_as


def delivery_id(provider: str, event_id: str) -> UUID:
    """One record per provider event: saving a second one for the same event fails (the inbox)."""
    return natural_id("webhook", f"{provider}:{event_id}")


class WebhookDelivery(Aggregate):
    """A provider event that was received and acted on (or deliberately ignored)."""

    class Received(Aggregate.Created):
        provider: str
        event_id: str
        event_type: str
        object_id: str | None
        payload_sha256: str

    @staticmethod
    def create_id(provider: str, event_id: str, **_: object) -> UUID:
        return delivery_id(provider, event_id)

    @event(Received)
    def __init__(
        self, provider: str, event_id: str, event_type: str, object_id: str | None, payload_sha256: str
    ) -> None:
        self.provider = provider
        self.event_id = event_id
        self.event_type = event_type
        self.object_id = object_id
        self.payload_sha256 = payload_sha256


stored_as("domain.webhook", __name__)  # moved from domain/webhook.py: its stored topics stay
