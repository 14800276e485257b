"""The Listing aggregate: a patent offered on the marketplace (挂牌), from draft to withdrawal."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.shared.errors import ListingNotOpenError, ValidationError
from domain.shared.money import Money
from domain.shared.topics import stored_as


class DealType(StrEnum):
    """Deal types a listing may offer (转让, 独占许可, 排他许可, 普通许可, 开放许可)."""

    ASSIGNMENT = "assignment"
    EXCLUSIVE_LICENCE = "exclusive_licence"
    SOLE_LICENCE = "sole_licence"
    NON_EXCLUSIVE_LICENCE = "non_exclusive_licence"
    OPEN_LICENCE = "open_licence"


class PriceMode(StrEnum):
    """How the price is set: a fixed asking price, negotiable (面议), or open-licence posted terms."""

    FIXED = "fixed"
    NEGOTIABLE = "negotiable"
    OPEN_LICENCE = "open_licence"


class Maturity(StrEnum):
    """Maturity stage (成熟度): 概念, 样品, 中试, 产业化."""

    CONCEPT = "concept"
    PROTOTYPE = "prototype"
    PILOT = "pilot"
    INDUSTRIALISED = "industrialised"


class ListingStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    SUSPENDED = "suspended"
    WITHDRAWN = "withdrawn"
    CLOSED = "closed"  # sold: the patent was assigned through the marketplace


def maturity_of_trl(trl: int) -> Maturity:
    """Map a technology readiness level to a stage: TRL 1-3 concept, 4-5 prototype, 6-7 pilot, 8-9 industrialised."""
    if trl <= 3:
        return Maturity.CONCEPT
    if trl <= 5:
        return Maturity.PROTOTYPE
    if trl <= 7:
        return Maturity.PILOT
    return Maturity.INDUSTRIALISED


@dataclass(frozen=True)
class OpenLicenceTerms:
    """Posted terms of an open licence (开放许可): a fee and/or a royalty rate for a term.

    ``royalty_rate`` is in basis points of net sales (500 = 5 %).
    """

    fee: Money
    royalty_rate: int
    term_years: int

    def __post_init__(self) -> None:
        if not 0 <= self.royalty_rate < 10_000:
            raise ValidationError("open_licence.royalty_rate: must be at least 0 % and below 100 %",
                                  field="open_licence.royalty_rate", code="rate.below_100")
        if not 1 <= self.term_years <= 20:
            raise ValidationError("open_licence.term_years: must be 1 to 20 years", field="open_licence.term_years",
                                  code="years.range", low=1, high=20)

    def as_dict(self) -> dict[str, Any]:
        return {"fee": self.fee.amount, "currency": self.fee.currency,
                "royalty_rate": self.royalty_rate, "term_years": self.term_years}


@dataclass(frozen=True)
class ListingTerms:
    """What a listing offers and at what price; validated as a whole."""

    deal_types: tuple[str, ...]
    price_mode: str
    asking_price: Money | None
    open_licence: OpenLicenceTerms | None
    maturity: str
    trl: int | None
    advantages: str
    applications: str
    keywords: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.deal_types:
            raise ValidationError("deal_types: offer at least one deal type", field="deal_types", code="required")
        for value in self.deal_types:
            if value not in DealType.__members__.values():
                allowed = ", ".join(d.value for d in DealType)
                raise ValidationError(f"deal_types: {value!r} is not one of {allowed}", field="deal_types",
                                      code="choice")
        if self.price_mode not in PriceMode.__members__.values():
            allowed = ", ".join(m.value for m in PriceMode)
            raise ValidationError(f"price_mode: must be one of {allowed}", field="price_mode", code="choice")
        if self.price_mode == PriceMode.FIXED:
            if self.asking_price is None or self.asking_price.amount <= 0:
                raise ValidationError("asking_price: a fixed price must be greater than 0", field="asking_price",
                                      code="amount.positive")
        elif self.asking_price is not None:
            raise ValidationError("asking_price: only a fixed-price listing has an asking price", field="asking_price",
                                  code="listing.price_only_fixed")
        has_open = DealType.OPEN_LICENCE.value in self.deal_types
        if self.price_mode == PriceMode.OPEN_LICENCE and (not has_open or self.open_licence is None):
            raise ValidationError(
                "open_licence: an open-licence price needs the open_licence deal type and posted terms",
                field="open_licence", code="listing.open_terms",
            )
        if has_open and self.open_licence is None:
            raise ValidationError("open_licence: the open_licence deal type needs posted terms", field="open_licence",
                                  code="listing.open_terms")
        if exclusive_conflict(self.deal_types):
            raise ValidationError("deal_types: an open licence cannot be offered beside an exclusive or sole licence",
                                  field="deal_types", code="listing.open_beside_exclusive")
        if self.maturity not in Maturity.__members__.values():
            allowed = ", ".join(m.value for m in Maturity)
            raise ValidationError(f"maturity: must be one of {allowed}", field="maturity", code="choice")
        if self.trl is not None and not 1 <= self.trl <= 9:
            raise ValidationError("trl: technology readiness level must be 1 to 9", field="trl", code="trl.range",
                                  low=1, high=9)
        for name in ("advantages", "applications"):
            if len(getattr(self, name)) > 5000:
                raise ValidationError(f"{name}: at most 5,000 characters", field=name, code="too_long", most=5000)
        if len(self.keywords) > 20:
            raise ValidationError("keywords: at most 20 keywords", field="keywords", code="too_many", most=20)

    def as_dict(self) -> dict[str, Any]:
        return {
            "deal_types": list(self.deal_types),
            "price_mode": self.price_mode,
            "asking_price": self.asking_price.amount if self.asking_price else None,
            "currency": (self.asking_price or (self.open_licence.fee if self.open_licence else Money(0))).currency,
            "open_licence": self.open_licence.as_dict() if self.open_licence else None,
            "maturity": self.maturity,
            "trl": self.trl,
            "advantages": self.advantages.strip(),
            "applications": self.applications.strip(),
            "keywords": [k.strip() for k in self.keywords if k.strip()],
        }


def exclusive_conflict(deal_types: tuple[str, ...] | list[str]) -> bool:
    """An open licence grants anyone a non-exclusive licence, so it excludes exclusive and sole licences
    (Patent Law of the PRC, Art. 50-51: no exclusive or sole licence during an open-licence declaration)."""
    exclusive = {DealType.EXCLUSIVE_LICENCE.value, DealType.SOLE_LICENCE.value}
    return DealType.OPEN_LICENCE.value in deal_types and bool(exclusive & set(deal_types))


OPEN_STATUSES = frozenset({ListingStatus.DRAFT, ListingStatus.PUBLISHED, ListingStatus.SUSPENDED})


class Listing(Aggregate):
    """A patent offered for assignment or licence by (one of) its owner organisations."""

    class Drafted(Aggregate.Created):
        patent_id: UUID
        organisation_id: UUID
        terms: dict[str, Any]
        by: UUID

    @event(Drafted)
    def __init__(self, patent_id: UUID, organisation_id: UUID, terms: dict[str, Any], by: UUID) -> None:
        self.patent_id = patent_id
        self.organisation_id = organisation_id
        self.terms = dict(terms)
        self.status = ListingStatus.DRAFT.value
        self.status_before_suspension: str | None = None

    @classmethod
    def draft(cls, *, patent_id: UUID, organisation_id: UUID, terms: ListingTerms, by: UUID) -> Listing:
        return cls(patent_id=patent_id, organisation_id=organisation_id, terms=terms.as_dict(), by=by)

    @property
    def is_open(self) -> bool:
        return ListingStatus(self.status) in OPEN_STATUSES

    def _require(self, *allowed: ListingStatus, action: str) -> None:
        if ListingStatus(self.status) not in allowed:
            raise ListingNotOpenError(f"status: a {self.status} listing cannot be {action}", field="status",
                                     code="listing.state", listing_status=str(self.status))

    def revise(self, terms: ListingTerms, *, by: UUID) -> None:
        """Change what is offered or the price; a published listing stays published."""
        self._require(ListingStatus.DRAFT, ListingStatus.PUBLISHED, ListingStatus.SUSPENDED, action="edited")
        new = terms.as_dict()
        if new == self.terms:
            raise ValidationError("terms: nothing changed", field="terms", code="listing.unchanged")
        self._revised(terms=new, by=by)

    @event("Revised")
    def _revised(self, terms: dict[str, Any], by: UUID) -> None:
        self.terms = dict(terms)

    def publish(self, *, by: UUID) -> None:
        self._require(ListingStatus.DRAFT, action="published")
        self._published(by=by)

    @event("Published")
    def _published(self, by: UUID) -> None:
        self.status = ListingStatus.PUBLISHED.value

    def withdraw(self, *, reason: str, by: UUID) -> None:
        self._require(ListingStatus.DRAFT, ListingStatus.PUBLISHED, ListingStatus.SUSPENDED, action="withdrawn")
        self._withdrawn(reason=reason.strip()[:500], by=by)

    @event("Withdrawn")
    def _withdrawn(self, reason: str, by: UUID) -> None:
        self.status = ListingStatus.WITHDRAWN.value

    def suspend(self, *, reason: str, by: UUID) -> None:
        """Suspend a published listing while the patent has no valid right (lapsed, expired, invalidated).

        A draft is never suspended: it is not public, and it cannot be published meanwhile.
        """
        self._require(ListingStatus.PUBLISHED, action="suspended")
        self._suspended(reason=reason, by=by)

    @event("Suspended")
    def _suspended(self, reason: str, by: UUID) -> None:
        self.status_before_suspension = self.status
        self.status = ListingStatus.SUSPENDED.value

    def resume(self, *, by: UUID) -> None:
        self._require(ListingStatus.SUSPENDED, action="resumed")
        self._resumed(status=self.status_before_suspension or ListingStatus.DRAFT.value, by=by)

    @event("Resumed")
    def _resumed(self, status: str, by: UUID) -> None:
        self.status = status
        self.status_before_suspension = None

    # --- deals (docs/DEALS.md) ----------------------------------------------------------
    def close(self, *, reason: str, contract_id: UUID, by: UUID) -> None:
        """The patent was sold (its assignment came into force): the listing ends."""
        self._require(ListingStatus.DRAFT, ListingStatus.PUBLISHED, ListingStatus.SUSPENDED, action="closed")
        self._closed(reason=reason, contract_id=contract_id, by=by)

    @event("Closed")
    def _closed(self, reason: str, contract_id: UUID, by: UUID) -> None:
        self.status = ListingStatus.CLOSED.value

    def restrict_deal_types(self, removed: list[str], *, contract_id: UUID, by: UUID) -> list[str]:
        """Take deal types off an exclusive or sole licence excludes; returns what was removed."""
        gone = [d for d in self.terms["deal_types"] if d in removed]
        if gone and self.is_open:
            self._deal_types_restricted(removed=gone, contract_id=contract_id, by=by)
            return gone
        return []

    @event("DealTypesRestricted")
    def _deal_types_restricted(self, removed: list[str], contract_id: UUID, by: UUID) -> None:
        self.terms = {**self.terms, "deal_types": [d for d in self.terms["deal_types"] if d not in removed]}
        self.__dict__.setdefault("_restrictions", {})[str(contract_id)] = list(removed)

    def restore_deal_types(self, contract_id: UUID, *, by: UUID) -> None:
        """Offer again what a since-refunded exclusive or sole licence had taken off (if still open)."""
        removed = self.__dict__.get("_restrictions", {}).get(str(contract_id), [])
        back = [d for d in removed if d not in self.terms["deal_types"]]
        if back and self.is_open:
            self._deal_types_restored(restored=back, contract_id=contract_id, by=by)

    @event("DealTypesRestored")
    def _deal_types_restored(self, restored: list[str], contract_id: UUID, by: UUID) -> None:
        self.terms = {**self.terms, "deal_types": [*self.terms["deal_types"], *restored]}
        self.__dict__.get("_restrictions", {}).pop(str(contract_id), None)


stored_as("domain.listing", __name__)  # moved from domain/listing.py: its stored topics stay
