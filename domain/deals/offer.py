"""The Offer aggregate: a buyer's proposal on a listing and the counters that follow (议价)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.deals.terms import DealTerms
from domain.shared.errors import OfferExpiredError, OfferNotOpenError, ValidationError
from domain.shared.topics import stored_as


class OfferStatus(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


class Side(StrEnum):
    """The two sides of a negotiation."""

    BUYER = "buyer"
    SELLER = "seller"

    @property
    def other(self) -> Side:
        return Side.SELLER if self is Side.BUYER else Side.BUYER


def _at(instant: datetime) -> str:
    if instant.tzinfo is None:
        raise ValidationError("expires_at: must carry a time zone", field="expires_at", code="time.zone")
    return instant.isoformat()


class Offer(Aggregate):
    """A proposal to assign or license a listed patent, open until accepted, refused or expired.

    The sides take turns: after the buyer's offer the seller answers (accept, reject or counter),
    after a counter the other side answers.
    """

    class Made(Aggregate.Created):
        listing_id: UUID
        patent_id: UUID
        buyer_organisation_id: UUID
        seller_organisation_id: UUID
        terms: dict[str, Any]
        expires_at: str
        listed_price: int | None
        broker_organisation_id: UUID | None
        broker_commission: int
        by: UUID

    @event(Made)
    def __init__(
        self,
        listing_id: UUID,
        patent_id: UUID,
        buyer_organisation_id: UUID,
        seller_organisation_id: UUID,
        terms: dict[str, Any],
        expires_at: str,
        listed_price: int | None,
        broker_organisation_id: UUID | None,
        broker_commission: int,
        by: UUID,
    ) -> None:
        self.listing_id = listing_id
        self.patent_id = patent_id
        self.buyer_organisation_id = buyer_organisation_id
        self.seller_organisation_id = seller_organisation_id
        self.terms = dict(terms)
        self.expires_at = expires_at
        self.listed_price = listed_price
        self.broker_organisation_id = broker_organisation_id
        self.broker_commission = broker_commission
        self.status = OfferStatus.OPEN.value
        self.awaiting = Side.SELLER.value
        self.rounds = 1
        self.accepted_at: str | None = None

    @classmethod
    def make(
        cls,
        *,
        listing_id: UUID,
        patent_id: UUID,
        buyer_organisation_id: UUID,
        seller_organisation_id: UUID,
        terms: DealTerms,
        expires_at: datetime,
        listed_price: int | None,
        broker_organisation_id: UUID | None = None,
        broker_commission: int = 0,
        by: UUID,
    ) -> Offer:
        if buyer_organisation_id == seller_organisation_id:
            raise ValidationError(
                "listing_id: an organisation cannot make an offer on its own listing",
                field="listing_id",
                code="offer.own_listing",
            )
        if not 0 <= broker_commission < 10_000:
            raise ValidationError(
                "broker_commission: must be at least 0 % and below 100 %", field="broker_commission",
                code="rate.below_100",
            )
        if broker_commission and broker_organisation_id is None:
            raise ValidationError(
                "broker_commission: only a broker organisation earns a commission", field="broker_commission",
                code="offer.commission_without_broker",
            )
        return cls(
            listing_id=listing_id,
            patent_id=patent_id,
            buyer_organisation_id=buyer_organisation_id,
            seller_organisation_id=seller_organisation_id,
            terms=terms.as_dict(),
            expires_at=_at(expires_at),
            listed_price=listed_price,
            broker_organisation_id=broker_organisation_id,
            broker_commission=broker_commission,
            by=by,
        )

    # --- queries ----------------------------------------------------------------------------
    @property
    def deal_terms(self) -> DealTerms:
        return DealTerms.from_dict(self.terms)

    @property
    def negotiated(self) -> bool:
        """A negotiated price (协议定价): countered, listed as negotiable, or off the fixed asking price."""
        return self.rounds > 1 or self.listed_price is None or int(self.terms["price"]) != self.listed_price

    def side_of(self, organisation_id: UUID) -> Side | None:
        if organisation_id == self.buyer_organisation_id:
            return Side.BUYER
        if organisation_id == self.seller_organisation_id:
            return Side.SELLER
        return None

    def is_past_deadline(self, now: datetime) -> bool:
        return now >= datetime.fromisoformat(self.expires_at)

    def _require_turn(self, side: Side, now: datetime, action: str) -> None:
        if self.status != OfferStatus.OPEN:
            raise OfferNotOpenError(
                f"offer_id: a {self.status} offer cannot be {action}",
                field="offer_id",
                code="offer.closed",
                offer_status=str(self.status),
            )
        if self.is_past_deadline(now):
            raise OfferExpiredError(
                f"offer_id: the offer expired at {self.expires_at}",
                field="offer_id",
                code="offer.expired",
                at=datetime.fromisoformat(self.expires_at),
            )
        if side.value != self.awaiting:
            raise OfferNotOpenError(
                f"offer_id: it is the {self.awaiting}'s turn to answer, not the {side.value}'s",
                field="offer_id",
                code="offer.not_your_turn",
                side=str(self.awaiting),
            )

    # --- commands ---------------------------------------------------------------------------
    def counter(self, terms: DealTerms, *, side: Side, expires_at: datetime, now: datetime, by: UUID) -> None:
        self._require_turn(side, now, "countered")
        if terms.kind.value != self.terms["kind"]:
            raise ValidationError(
                "kind: a counter-offer keeps the deal kind; make a new offer instead", field="kind",
                code="offer.counter_kind",
            )
        if expires_at <= now:
            raise ValidationError("expires_at: must be in the future", field="expires_at", code="time.future")
        self._countered(terms=terms.as_dict(), expires_at=_at(expires_at), side=side.value, by=by)

    @event("Countered")
    def _countered(self, terms: dict[str, Any], expires_at: str, side: str, by: UUID) -> None:
        self.terms = dict(terms)
        self.expires_at = expires_at
        self.awaiting = Side(side).other.value
        self.rounds += 1

    def accept(self, *, side: Side, now: datetime, by: UUID) -> None:
        self._require_turn(side, now, "accepted")
        self._accepted(side=side.value, at=now.isoformat(), by=by)

    @event("Accepted")
    def _accepted(self, side: str, at: str, by: UUID) -> None:
        self.status = OfferStatus.ACCEPTED.value
        self.accepted_at = at

    def reject(self, *, side: Side, reason: str, now: datetime, by: UUID) -> None:
        self._require_turn(side, now, "rejected")
        self._rejected(side=side.value, reason=reason.strip()[:500], by=by)

    @event("Rejected")
    def _rejected(self, side: str, reason: str, by: UUID) -> None:
        self.status = OfferStatus.REJECTED.value

    def withdraw(self, *, reason: str, by: UUID) -> None:
        """The buyer takes the offer back while it is open (whoever's turn it is)."""
        if self.status != OfferStatus.OPEN:
            raise OfferNotOpenError(
                f"offer_id: a {self.status} offer cannot be withdrawn",
                field="offer_id",
                code="offer.closed",
                offer_status=str(self.status),
            )
        self._withdrawn(reason=reason.strip()[:500], by=by)

    @event("Withdrawn")
    def _withdrawn(self, reason: str, by: UUID) -> None:
        self.status = OfferStatus.WITHDRAWN.value

    def expire(self, *, now: datetime, by: UUID) -> None:
        if self.status != OfferStatus.OPEN:
            raise OfferNotOpenError(
                f"offer_id: a {self.status} offer cannot expire", field="offer_id",
                code="offer.closed", offer_status=self.status,
            )
        if not self.is_past_deadline(now):
            raise OfferNotOpenError(
                f"offer_id: the offer runs until {self.expires_at}", field="offer_id",
                code="offer.still_open", at=self.expires_at,
            )
        self._expired(at=now.isoformat(), by=by)

    @event("Expired")
    def _expired(self, at: str, by: UUID) -> None:
        self.status = OfferStatus.EXPIRED.value


stored_as("domain.offer", __name__)  # moved from domain/offer.py: its stored topics stay
