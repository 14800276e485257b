"""Contracts (合同): the transfer (转让) or licence (许可) drawn from an accepted offer or an open licence.

A contract is drafted when an offer is accepted (or an open licence is taken). It may have to
stand a public notice (公示) first; then every party signs the text, and it comes into force
when every party has signed and the first payment obligation is paid.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.deals.contract_terms import (
    ContractStatus,
    ObjectionStatus,
    check_signature,
    first_purpose,
    scheduled_payments,
)
from domain.deals.royalty import check_report_period, licence_year_end, unreported_year_ends
from domain.deals.royalty import closes_licence_year as closes_year
from domain.deals.terms import DealKind, DealTerms
from domain.shared.errors import ContractStateError, NoticeWindowError, PermissionDeniedError, ValidationError
from domain.shared.money import check_amount
from domain.shared.topics import stored_as


class Contract(Aggregate):
    """A deal's binding text with its parties, notice, consents, signatures and life after signing.

    Subclasses: ``TransferContract`` (assignment, 专利权转让合同) and ``LicenceContract``
    (专利实施许可合同). Their topics are ``domain.contract:TransferContract.Drafted`` /
    ``domain.contract:LicenceContract.Drafted``; events defined here keep the ``Contract.`` prefix
    (e.g. ``domain.contract:Contract.Signed``).
    """

    class Drafted(Aggregate.Created):
        offer_id: UUID | None
        listing_id: UUID
        patent_id: UUID
        seller_organisation_id: UUID
        buyer_organisation_id: UUID
        terms: dict[str, Any]
        text_zh: str
        text_en: str
        text_sha256: str
        notice_ends_at: str | None
        consents_required: list[UUID]
        broker_organisation_id: UUID | None
        broker_commission: int
        by: UUID
        #: The platform fee (bp) in force when the deal was made; ``None`` in contracts drafted before
        #: it was recorded (the fee in force at payment applies to those).
        platform_fee_rate: int | None = None
        #: The seller institution's inventors' share (bp) when the contract was drafted; ``None`` in
        #: contracts drafted before it was recorded (the seller's rule at payment applies to those).
        inventor_share: int | None = None

    @event(Drafted)
    def __init__(
        self,
        offer_id: UUID | None,
        listing_id: UUID,
        patent_id: UUID,
        seller_organisation_id: UUID,
        buyer_organisation_id: UUID,
        terms: dict[str, Any],
        text_zh: str,
        text_en: str,
        text_sha256: str,
        notice_ends_at: str | None,
        consents_required: list[UUID],
        broker_organisation_id: UUID | None,
        broker_commission: int,
        by: UUID,
        platform_fee_rate: int | None = None,
        inventor_share: int | None = None,
    ) -> None:
        self.offer_id = offer_id
        self.platform_fee_rate = platform_fee_rate
        if inventor_share is not None:  # contracts drafted before it was recorded keep the state they had
            self.__dict__["_inventor_share"] = inventor_share
        self.listing_id = listing_id
        self.patent_id = patent_id
        self.seller_organisation_id = seller_organisation_id
        self.buyer_organisation_id = buyer_organisation_id
        self.terms = dict(terms)
        self.text_zh = text_zh
        self.text_en = text_en
        self.text_sha256 = text_sha256
        self.notice_ends_at = notice_ends_at
        self.consents_required = list(consents_required)
        self.consents: list[UUID] = []
        self.broker_organisation_id = broker_organisation_id
        self.broker_commission = broker_commission
        self.objections: dict[str, str] = {}
        self.signatures: dict[str, str] = {}
        self.status = ContractStatus.DRAFTED.value
        self.in_force_at: str | None = None
        self.registration_reference: str | None = None
        self.milestones_reached: list[str] = []

    @staticmethod
    def kind_class(kind: str) -> type[Contract]:
        return TransferContract if kind == DealKind.ASSIGNMENT.value else LicenceContract

    @classmethod
    def draft(
        cls,
        *,
        contract_id: UUID,
        offer_id: UUID | None,
        listing_id: UUID,
        patent_id: UUID,
        seller_organisation_id: UUID,
        buyer_organisation_id: UUID,
        terms: DealTerms,
        text: tuple[str, str],
        text_sha256: str,
        notice_ends_at: datetime | None,
        consents_required: list[UUID],
        broker_organisation_id: UUID | None,
        broker_commission: int,
        by: UUID,
        platform_fee_rate: int | None = None,
        inventor_share: int | None = None,
    ) -> Contract:
        """Draft the contract of the right class for the deal kind; the platform fee and the seller's
        inventors' share are fixed with it (a rule changed later applies to contracts drafted later)."""
        klass = cls.kind_class(terms.kind.value)
        # ``_create`` takes an explicit id: one contract per accepted offer (or open-licence take-up).
        contract = klass._create(
            klass.Drafted,
            id=contract_id,
            offer_id=offer_id,
            listing_id=listing_id,
            patent_id=patent_id,
            seller_organisation_id=seller_organisation_id,
            buyer_organisation_id=buyer_organisation_id,
            terms=terms.as_dict(),
            text_zh=text[0],
            text_en=text[1],
            text_sha256=text_sha256,
            notice_ends_at=notice_ends_at.isoformat() if notice_ends_at else None,
            consents_required=list(consents_required),
            broker_organisation_id=broker_organisation_id,
            broker_commission=broker_commission,
            by=by,
            platform_fee_rate=platform_fee_rate,
            inventor_share=inventor_share,
        )
        return contract

    # --- queries ----------------------------------------------------------------------------
    @property
    def inventor_share(self) -> int | None:
        """The seller institution's inventors' share (bp) when the contract was drafted; ``None`` when not
        recorded (drafted before it was, or the seller is not an institution): the rule at payment applies."""
        share = self.__dict__.get("_inventor_share")
        return None if share is None else int(share)

    @property
    def deal_terms(self) -> DealTerms:
        return DealTerms.from_dict(self.terms)

    @property
    def kind(self) -> str:
        return str(self.terms["kind"])

    @property
    def is_open_licence(self) -> bool:
        return self.offer_id is None

    @property
    def parties(self) -> list[UUID]:
        """Who signs: both sides; for an open licence only the licensee (the declaration is the licensor's)."""
        if self.is_open_licence:
            return [self.buyer_organisation_id]
        return [self.seller_organisation_id, self.buyer_organisation_id]

    @property
    def fully_signed(self) -> bool:
        return all(str(p) in self.signatures for p in self.parties)

    @property
    def is_live(self) -> bool:
        return self.status != ContractStatus.TERMINATED

    def in_notice(self, now: datetime) -> bool:
        return self.notice_ends_at is not None and now < datetime.fromisoformat(self.notice_ends_at)

    def first_purpose(self) -> str | None:
        """The payment obligation that brings the contract into force (``None``: nothing to pay first)."""
        return first_purpose(self.terms)

    def scheduled_payments(self, today: date) -> list[tuple[str, int, str | None]]:
        """Price payments due by ``today`` once signed: (purpose, amount, due date or ``None``)."""
        return scheduled_payments(self.terms, today)

    def _require(self, *allowed: ContractStatus, action: str) -> None:
        if ContractStatus(self.status) not in allowed:
            raise ContractStateError(
                f"contract_id: a {self.status} contract cannot be {action}",
                field="contract_id",
                code="contract.state",
                contract_status=str(self.status),
            )

    # --- public notice (公示) -----------------------------------------------------------------
    def file_objection(
        self, objection_id: UUID, *, text: str, now: datetime, by: UUID, organisation_id: UUID | None = None
    ) -> None:
        """A verified organisation (the application checks it) objects to the negotiated price while the
        notice runs; never a party (the seller, or the buyer who agreed the price)."""
        self._require(ContractStatus.DRAFTED, action="objected to")
        if organisation_id == self.seller_organisation_id:
            raise PermissionDeniedError(
                "contract_id: the selling organisation cannot object to its own notice", field="contract_id",
                key="notices.object_own",
            )
        if organisation_id == self.buyer_organisation_id:
            raise PermissionDeniedError(
                "contract_id: the buying organisation agreed this price; it cannot object to its notice",
                field="contract_id", key="notices.object_buyer",
            )
        if not self.in_notice(now):
            raise NoticeWindowError(
                "contract_id: objections are taken only while the public notice runs",
                field="contract_id",
                code="notice.closed",
                key="refusal.objection_closed",
            )
        cleaned = text.strip()
        if not 5 <= len(cleaned) <= 5000:
            raise ValidationError(
                "text: give the objection in 5 to 5,000 characters", field="text", code="length", least=5, most="5,000"
            )
        self._objection_filed(objection_id=objection_id, text=cleaned, by=by, organisation_id=organisation_id)

    @event("NoticeObjectionFiled")
    def _objection_filed(self, objection_id: UUID, text: str, by: UUID, organisation_id: UUID | None = None) -> None:
        self.objections[str(objection_id)] = ObjectionStatus.PENDING.value

    def decide_objection(self, objection_id: UUID, *, upheld: bool, reason: str, by: UUID) -> None:
        """The seller's organisation admin upholds or dismisses an objection, giving reasons."""
        status = self.objections.get(str(objection_id))
        if status is None:
            raise ValidationError(
                "objection_id: no such objection on this contract", field="objection_id", code="objection.unknown"
            )
        if status != ObjectionStatus.PENDING:
            raise ContractStateError(
                f"objection_id: the objection was already {status}", field="objection_id",
                code="objection.decided", objection_status=status,
            )
        if not reason.strip():
            raise ValidationError("reason: give the reason for the decision", field="reason", code="required")
        self._objection_decided(objection_id=objection_id, upheld=upheld, reason=reason.strip()[:2000], by=by)

    @event("NoticeObjectionDecided")
    def _objection_decided(self, objection_id: UUID, upheld: bool, reason: str, by: UUID) -> None:
        self.objections[str(objection_id)] = (ObjectionStatus.UPHELD if upheld else ObjectionStatus.DISMISSED).value

    # --- consent and signatures -------------------------------------------------------------
    def consent(self, organisation_id: UUID, *, by: UUID) -> None:
        """A co-owner consents to the assignment or exclusive/sole licence (专利法 art. 14)."""
        self._require(ContractStatus.DRAFTED, action="consented to")
        if organisation_id not in self.consents_required:
            raise PermissionDeniedError(
                "contract_id: your organisation's consent is not asked for", field="contract_id",
                code="contract.consent_not_asked",
            )
        if organisation_id in self.consents:
            raise ContractStateError(
                "contract_id: your organisation has already consented", field="contract_id",
                code="contract.already_consented",
            )
        self._co_owner_consented(organisation_id=organisation_id, by=by)

    @event("CoOwnerConsented")
    def _co_owner_consented(self, organisation_id: UUID, by: UUID) -> None:
        self.consents.append(organisation_id)

    def sign(self, organisation_id: UUID, *, text_sha256: str, patent_tradable: bool, now: datetime, by: UUID) -> None:
        """A party signs the text it read (identified by its SHA-256)."""
        self._require(ContractStatus.DRAFTED, action="signed")
        check_signature(self, organisation_id, text_sha256=text_sha256, patent_tradable=patent_tradable, now=now)
        self._signed(organisation_id=organisation_id, by=by, at=now.isoformat(), text_sha256=text_sha256)

    @event("Signed")
    def _signed(self, organisation_id: UUID, by: UUID, at: str, text_sha256: str) -> None:
        self.signatures[str(organisation_id)] = at
        if self.fully_signed:
            self.status = ContractStatus.SIGNED.value

    def come_into_force(self, *, now: datetime) -> None:
        self._require(ContractStatus.SIGNED, action="brought into force")
        self._came_into_force(at=now.isoformat())

    @event("CameIntoForce")
    def _came_into_force(self, at: str) -> None:
        self.status = ContractStatus.IN_FORCE.value
        self.in_force_at = at

    # --- after signing ----------------------------------------------------------------------
    def record_registration(self, reference: str, *, by: UUID) -> None:
        """The patent office's reference for the transfer registration or licence filing (著录项目变更 / 备案)."""
        self._require(ContractStatus.IN_FORCE, action="registered")
        cleaned = reference.strip()
        if not 3 <= len(cleaned) <= 100:
            raise ValidationError(
                "reference: give the office's reference in 3 to 100 characters", field="reference",
                code="length", least=3, most=100,
            )
        if cleaned == self.registration_reference:
            raise ContractStateError(
                "reference: this reference is already recorded", field="reference", code="contract.reference_recorded"
            )
        self._registration_recorded(reference=cleaned, by=by)

    @event("RegistrationRecorded")
    def _registration_recorded(self, reference: str, by: UUID) -> None:
        self.registration_reference = reference

    def reach_milestone(self, name: str, *, by: UUID) -> int:
        """Record that a milestone was reached; returns the amount that falls due."""
        self._require(ContractStatus.IN_FORCE, action="given a milestone")
        amounts = {m["name"]: int(m["amount"]) for m in self.terms["milestones"]}
        if name not in amounts:
            raise ValidationError(
                f"name: the contract has no milestone {name!r}", field="name", code="milestone.unknown", name=name
            )
        if name in self.milestones_reached:
            raise ContractStateError(
                f"name: milestone {name!r} was already reached", field="name", code="milestone.reached", name=name
            )
        self._milestone_reached(name=name, by=by)
        return amounts[name]

    @event("MilestoneReached")
    def _milestone_reached(self, name: str, by: UUID) -> None:
        self.milestones_reached.append(name)

    def terminate(self, *, reason: str, by: UUID) -> None:
        self._require(ContractStatus.DRAFTED, ContractStatus.SIGNED, ContractStatus.IN_FORCE, action="terminated")
        self._terminated(reason=reason.strip()[:500], by=by)

    @event("Terminated")
    def _terminated(self, reason: str, by: UUID) -> None:
        self.status = ContractStatus.TERMINATED.value
        self.__dict__["_terminated_by"] = by

    @property
    def terminated_by(self) -> UUID | None:
        """The user (or the system actor) who ended the contract; ``None`` while it is not terminated."""
        found = self.__dict__.get("_terminated_by")
        return UUID(str(found)) if found else None


class TransferContract(Contract):
    """An assignment of the patent (专利权转让合同): in force, it changes the patent's owner."""


class LicenceContract(Contract):
    """A licence (专利实施许可合同): in force, the licence is active; royalties are reported on it."""

    def _royalty_state(self) -> tuple[str | None, int]:
        return getattr(self, "last_period_end", None), int(getattr(self, "royalties_this_year", 0))

    @property
    def licence_start(self) -> date:
        return date.fromisoformat(str(self.terms["scope"]["start"]))

    def check_royalty_period(self, period_start: date, period_end: date) -> None:
        """Refuse a period that is not the next one, or leaves its licence year or the licence term.

        Reports are contiguous from the licence start and each lies within one licence year, so
        every licence year is closed by a report and gets its minimum-royalty top-up
        (``domain.royalty.check_report_period``).
        """
        last_end, _ = self._royalty_state()
        check_report_period(
            licence_start=self.licence_start,
            licence_end=date.fromisoformat(str(self.terms["scope"]["end"])),
            previous_end=date.fromisoformat(last_end) if last_end is not None else None,
            period_start=period_start,
            period_end=period_end,
        )

    def report_royalty(
        self,
        *,
        period_start: date,
        period_end: date,
        net_sales: int,
        royalty: int,
        top_up: int,
        closes_licence_year: bool,
        obligation_id: UUID | None,
        by: UUID,
        credit: int = 0,
    ) -> None:
        """Record a royalty report (提成费报告); the royalty owed becomes a payment obligation.

        ``credit``: the part of it the year's minimum annual royalty, charged when the year ended
        unreported, already covers (at most what is left of that charge)."""
        self._require(ContractStatus.IN_FORCE, action="reported on")
        check_amount(net_sales, "net_sales")
        self.check_royalty_period(period_start, period_end)
        if closes_licence_year != closes_year(self.licence_start, period_end):
            raise ValidationError(
                "closes_licence_year: a report closes its licence year exactly when it ends on the year's last day",
                field="closes_licence_year", code="royalty.closes_year",
            )
        if not 0 <= credit <= min(self.minimum_credit(period_start), royalty + top_up):
            raise ValidationError(
                "credit: more than the minimum royalty charged for this year", field="credit", code="royalty.credit"
            )
        self._royalty_reported(
            period_start=period_start.isoformat(),
            period_end=period_end.isoformat(),
            net_sales=net_sales,
            royalty=royalty,
            top_up=top_up,
            closes_licence_year=closes_licence_year,
            obligation_id=obligation_id,
            by=by,
            credit=credit,
        )

    @property
    def royalties_so_far_this_year(self) -> int:
        return self._royalty_state()[1]

    @event("RoyaltyReported")
    def _royalty_reported(
        self,
        period_start: str,
        period_end: str,
        net_sales: int,
        royalty: int,
        top_up: int,
        closes_licence_year: bool,
        obligation_id: UUID | None,
        by: UUID,
        credit: int = 0,
    ) -> None:
        self.last_period_end = period_end
        so_far = int(getattr(self, "royalties_this_year", 0)) + royalty
        self.royalties_this_year = 0 if closes_licence_year else so_far
        if credit:
            year = licence_year_end(self.licence_start, date.fromisoformat(period_start)).isoformat()
            used: dict[str, int] = dict(getattr(self, "minimum_credit_used", {}))
            used[year] = used.get(year, 0) + credit
            self.minimum_credit_used = used

    # --- the minimum annual royalty of a year that ended unreported ----------------------------
    @property
    def licence_end(self) -> date:
        return date.fromisoformat(str(self.terms["scope"]["end"]))

    @property
    def last_reported_day(self) -> date | None:
        """The last day the royalty reports cover (``None`` before the first report)."""
        last_end, _ = self._royalty_state()
        return date.fromisoformat(last_end) if last_end is not None else None

    @property
    def minimum_charged(self) -> dict[str, int]:
        """Minimum annual royalties charged without a report, by the last day of their licence year."""
        return dict(getattr(self, "minimum_royalties", {}))

    def minimum_credit(self, period_start: date) -> int:
        """What is left, for a report starting on ``period_start``, of the minimum royalty charged for its year."""
        year = licence_year_end(self.licence_start, period_start).isoformat()
        used: dict[str, int] = dict(getattr(self, "minimum_credit_used", {}))
        return self.minimum_charged.get(year, 0) - used.get(year, 0)

    def years_owing_minimum(self, today: date) -> list[date]:
        """Whole licence years over by ``today`` that no report closed and whose minimum is not charged yet."""
        if self.status != ContractStatus.IN_FORCE or not int(self.terms.get("minimum_annual_royalty") or 0):
            return []
        years = unreported_year_ends(
            licence_start=self.licence_start, licence_end=self.licence_end, previous_end=self.last_reported_day,
            today=today,
        )
        return [y for y in years if y.isoformat() not in self.minimum_charged]

    def royalties_reported_in_year(self, year_end: date) -> int:
        """The running royalties the reports of the licence year ending ``year_end`` made payable so far."""
        last_end, so_far = self._royalty_state()
        if last_end is None or licence_year_end(self.licence_start, date.fromisoformat(last_end)) != year_end:
            return 0
        return so_far

    def charge_minimum_royalty(self, *, year_end: date, amount: int, obligation_id: UUID | None, by: UUID) -> None:
        """The licence year ending ``year_end`` is over and unreported: its minimum royalty falls due (once)."""
        self._require(ContractStatus.IN_FORCE, action="charged a minimum royalty")
        if year_end.isoformat() in self.minimum_charged:
            raise ContractStateError(
                f"year_end: the minimum royalty of the year to {year_end.isoformat()} was already charged",
                field="year_end", code="royalty.minimum_charged", day=year_end.isoformat(),
            )
        if year_end not in unreported_year_ends(
            licence_start=self.licence_start, licence_end=self.licence_end, previous_end=self.last_reported_day,
            today=date.max,
        ):
            raise ContractStateError(
                f"year_end: {year_end.isoformat()} does not end a whole licence year left unreported",
                field="year_end", code="royalty.not_a_year_left", day=year_end.isoformat(),
            )
        check_amount(amount, "amount")
        self._minimum_royalty_fell_due(
            year_end=year_end.isoformat(), amount=amount, obligation_id=obligation_id, by=by
        )

    @event("MinimumRoyaltyFellDue")
    def _minimum_royalty_fell_due(self, year_end: str, amount: int, obligation_id: UUID | None, by: UUID) -> None:
        charged = self.minimum_charged
        charged[year_end] = amount
        self.minimum_royalties = charged


stored_as("domain.contract", __name__)  # moved from domain/contract.py: its stored topics stay
