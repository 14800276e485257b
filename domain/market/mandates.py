"""Mandates (委托) of a transfer agency for a listing, and a broker's introductions (居间介绍) of buyers under them.

A seller's organisation admin mandates an agency for a listing: the commission rate (basis points of each
payment the seller receives), the term (the last day it runs), and whether the agency's brokers may act
for the seller. One mandate per listing and agency (its id derives from both); an ended mandate may be
given again. A broker of a mandated agency records that it introduced a buyer organisation to the listing;
one introduction per listing and buyer (its id derives from both), so two brokers introducing the same
buyer at once make one introduction. The buyer's members confirm it: from then on, within the mandate's
term, the buyer's offers on the listing carry the agency as broker at the mandate's commission
(:func:`binding_broker`), and the buyer cannot drop it. Both are events in the hash-chained log.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.shared.errors import ConflictError, PermissionDeniedError, ValidationError
from domain.shared.ids import natural_id
from domain.shared.text import checked

FULL = 10_000
#: A mandate runs at most five years from the day it is given.
LONGEST_TERM_DAYS = 5 * 366


def mandate_id(listing_id: UUID, agency_id: UUID) -> UUID:
    return natural_id("broker-mandate", f"{listing_id}/{agency_id}")


def introduction_id(listing_id: UUID, buyer_organisation_id: UUID) -> UUID:
    return natural_id("broker-introduction", f"{listing_id}/{buyer_organisation_id}")


def _checked_terms(commission: int, ends_on: date, today: date) -> None:
    if not 0 < commission < FULL:
        raise ValidationError("commission: the commission must be above 0 % and below 100 %", field="commission",
                              code="mandate.commission")
    if ends_on < today:
        raise ValidationError(f"ends_on: the mandate's term must end today ({today}) or later", field="ends_on",
                              code="mandate.ends_after_today", today=today)
    if (ends_on - today).days > LONGEST_TERM_DAYS:
        raise ValidationError("ends_on: a mandate runs at most five years", field="ends_on", code="mandate.too_long")


class Mandate(Aggregate):
    """A seller's mandate (委托) of a technology transfer agency to broker one listing."""

    class Given(Aggregate.Created):
        listing_id: UUID
        seller_organisation_id: UUID
        agency_id: UUID
        commission: int
        starts_on: str
        ends_on: str
        may_act: bool
        by: UUID

    @staticmethod
    def create_id(listing_id: UUID, agency_id: UUID, **_: object) -> UUID:
        return mandate_id(listing_id, agency_id)

    @event(Given)
    def __init__(self, listing_id: UUID, seller_organisation_id: UUID, agency_id: UUID, commission: int,
                 starts_on: str, ends_on: str, may_act: bool, by: UUID) -> None:
        self.listing_id = listing_id
        self.seller_organisation_id = seller_organisation_id
        self.agency_id = agency_id
        self._apply_terms(commission, starts_on, ends_on, may_act)

    def _apply_terms(self, commission: int, starts_on: str, ends_on: str, may_act: bool) -> None:
        self.commission = commission
        self.starts_on = date.fromisoformat(starts_on)
        self.ends_on = date.fromisoformat(ends_on)
        self.may_act = may_act
        self.ended_on: date | None = None

    @classmethod
    def give(cls, *, listing_id: UUID, seller_organisation_id: UUID, agency_id: UUID, commission: int,
             ends_on: date, may_act: bool, today: date, by: UUID) -> Mandate:
        if agency_id == seller_organisation_id:
            raise ValidationError("agency_id: the seller cannot mandate itself", field="agency_id",
                                  code="mandate.self")
        _checked_terms(commission, ends_on, today)
        return cls(listing_id=listing_id, seller_organisation_id=seller_organisation_id, agency_id=agency_id,
                   commission=commission, starts_on=today.isoformat(), ends_on=ends_on.isoformat(),
                   may_act=may_act, by=by)

    def is_live_on(self, day: date) -> bool:
        """Within its term and not ended (the day it is ended, it no longer runs)."""
        if self.ended_on is not None and day >= self.ended_on:
            return False
        return self.starts_on <= day <= self.ends_on

    def same_terms(self, commission: int, ends_on: date, may_act: bool) -> bool:
        return (self.commission, self.ends_on, self.may_act) == (commission, ends_on, may_act)

    def give_again(self, *, commission: int, ends_on: date, may_act: bool, today: date, by: UUID) -> None:
        """Give an ended or lapsed mandate to the same agency again, from today."""
        if self.is_live_on(today):
            raise ConflictError("agency_id: this agency already holds a live mandate for the listing; end it first",
                                field="agency_id", code="mandate.live")
        _checked_terms(commission, ends_on, today)
        self._given_again(commission=commission, starts_on=today.isoformat(), ends_on=ends_on.isoformat(),
                          may_act=may_act, by=by)

    @event("GivenAgain")
    def _given_again(self, commission: int, starts_on: str, ends_on: str, may_act: bool, by: UUID) -> None:
        self._apply_terms(commission, starts_on, ends_on, may_act)

    def end(self, *, reason: str, today: date, by: UUID) -> None:
        """End the mandate from today on; the reason is kept. Offers already made keep their broker."""
        if not self.is_live_on(today):
            raise ConflictError("mandate_id: the mandate is not running", field="mandate_id", code="mandate.not_live")
        self._ended(reason=" ".join(checked(reason, "reason", "lines").split())[:500], ended_on=today.isoformat(),
                    by=by)

    @event("Ended")
    def _ended(self, reason: str, ended_on: str, by: UUID) -> None:
        self.ended_on = date.fromisoformat(ended_on)


class Introduction(Aggregate):
    """A broker's record that it introduced a buyer organisation to a listing under a mandate; the buyer confirms."""

    class Recorded(Aggregate.Created):
        listing_id: UUID
        buyer_organisation_id: UUID
        mandate_id: UUID
        agency_id: UUID
        broker_user_id: UUID
        introduced_on: str
        note: str

    @staticmethod
    def create_id(listing_id: UUID, buyer_organisation_id: UUID, **_: object) -> UUID:
        return introduction_id(listing_id, buyer_organisation_id)

    @event(Recorded)
    def __init__(self, listing_id: UUID, buyer_organisation_id: UUID, mandate_id: UUID, agency_id: UUID,
                 broker_user_id: UUID, introduced_on: str, note: str) -> None:
        self.listing_id = listing_id
        self.buyer_organisation_id = buyer_organisation_id
        self.mandate_id = mandate_id
        self.agency_id = agency_id
        self.broker_user_id = broker_user_id
        self.introduced_on = date.fromisoformat(introduced_on)
        self.note = note
        self.status = "awaiting"
        self.confirmed_by: UUID | None = None

    @classmethod
    def record(cls, *, mandate: Mandate, buyer_organisation_id: UUID, broker_user_id: UUID, broker_agency_id: UUID,
               note: str, today: date) -> Introduction:
        if broker_agency_id != mandate.agency_id:
            raise PermissionDeniedError("mandate_id: only brokers of the mandated agency introduce buyers",
                                        field="mandate_id", code="introduction.not_mandated")
        if not mandate.is_live_on(today):
            raise ConflictError("mandate_id: the mandate is not running", field="mandate_id", code="mandate.not_live")
        if buyer_organisation_id in (mandate.seller_organisation_id, mandate.agency_id):
            raise ValidationError("buyer_organisation_id: the buyer must be another organisation than the seller "
                                  "and the agency", field="buyer_organisation_id", code="introduction.party")
        return cls(listing_id=mandate.listing_id, buyer_organisation_id=buyer_organisation_id,
                   mandate_id=mandate.id, agency_id=mandate.agency_id, broker_user_id=broker_user_id,
                   introduced_on=today.isoformat(), note=" ".join(checked(note, "note", "lines").split())[:500])

    def confirm(self, *, organisation_id: UUID, by: UUID) -> bool:
        """The buyer's member confirms the introduction; again changes nothing (returns whether it changed)."""
        self._require_buyer(organisation_id)
        if self.status == "confirmed":
            return False
        if self.status != "awaiting":
            raise ConflictError("introduction_id: the introduction was declined", field="introduction_id",
                                code="introduction.declined")
        self._confirmed(by=by)
        return True

    @event("Confirmed")
    def _confirmed(self, by: UUID) -> None:
        self.status = "confirmed"
        self.confirmed_by = by

    def decline(self, *, organisation_id: UUID, reason: str, by: UUID) -> bool:
        """The buyer's member says the broker did not introduce it; again changes nothing."""
        self._require_buyer(organisation_id)
        if self.status == "declined":
            return False
        if self.status != "awaiting":
            raise ConflictError("introduction_id: the introduction is confirmed", field="introduction_id",
                                code="introduction.confirmed")
        self._declined(reason=" ".join(checked(reason, "reason", "lines").split())[:500], by=by)
        return True

    @event("Declined")
    def _declined(self, reason: str, by: UUID) -> None:
        self.status = "declined"

    def _require_buyer(self, organisation_id: UUID) -> None:
        if organisation_id != self.buyer_organisation_id:
            raise PermissionDeniedError("introduction_id: only the introduced buyer's members answer an introduction",
                                        field="introduction_id", code="introduction.buyer_only")


def binding_broker(introduction: Introduction | None, mandate: Mandate | None, day: date) -> tuple[UUID, int] | None:
    """The agency and commission (bp) an offer made on ``day`` must carry: a confirmed introduction under a
    mandate still running that day binds the buyer to its broker (the broker is not bypassed)."""
    if introduction is None or mandate is None or introduction.status != "confirmed":
        return None
    if introduction.mandate_id != mandate.id or not mandate.is_live_on(day):
        return None
    return mandate.agency_id, mandate.commission
