"""The Valuation aggregate: one accredited valuer's assessment of a patent (专利价值评估), never edited."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.shared.errors import ConflictError, PermissionDeniedError, ValidationError
from domain.shared.topics import stored_as
from domain.valuation.report import ReportFacts
from domain.valuation.report import report_sha256 as report_digest

UNIT = "CNY"


class Purpose(StrEnum):
    """What the assessment is for: transfer (转让), licence (许可), pledge (质押融资), investment (作价投资)."""

    TRANSFER = "transfer"
    LICENCE = "licence"
    PLEDGE = "pledge"
    INVESTMENT = "investment"


class ValuationStatus(StrEnum):
    CURRENT = "current"
    SUPERSEDED = "superseded"
    WITHDRAWN = "withdrawn"


def jsonable(value: Any) -> Any:
    """Inputs and calculation steps as stored in events: decimals as strings, nothing but JSON values."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def conflict_of_interest(
    organisation_id: UUID, owner_ids: Iterable[UUID], deal_party_ids: Iterable[UUID]
) -> str | None:
    """Why a valuer of ``organisation_id`` may not assess the patent, or ``None``.

    Independence of the valuer (资产评估法 art. 12/13; 专利资产评估指导意见): a valuer whose
    organisation owns the patent, or is a party to an open deal on it (buyer, seller, broker),
    has an interest in the value and may not assess it.
    """
    if organisation_id in set(owner_ids):
        return "patent_id: conflict of interest: your organisation owns this patent"
    if organisation_id in set(deal_party_ids):
        return "patent_id: conflict of interest: your organisation is a party to an open deal on this patent"
    return None


def _bound(value: Decimal, rounding: str) -> str:
    """The computed value as a refusal states it: to the fen, rounded towards the side the bound must
    stay on (down for ``low``, up for ``high``) so the figure shown is itself an acceptable bound."""
    shown = value.quantize(Decimal("0.01"), rounding=rounding)
    return f"{shown:f}".removesuffix(".00")


def _fen(value: Decimal, rounding: str) -> int:
    """The computed value (in yuan) in fen, rounded as :func:`_bound` rounds it, for a refusal's amount."""
    return int(value.quantize(Decimal("0.01"), rounding=rounding) * 100)


def _parse_purpose(value: str) -> str:
    try:
        return Purpose(value).value
    except ValueError:
        allowed = ", ".join(p.value for p in Purpose)
        raise ValidationError(f"purpose: must be one of {allowed}", field="purpose", code="choice") from None


class Valuation(Aggregate):
    """An assessment of a patent's value on a basis date, by an accredited valuer for a purpose.

    The value is what the chosen method computes from the recorded inputs; the valuer gives the
    range around it and the assumptions. An assessment is never edited: a later one of the same
    agency supersedes it, or it is withdrawn with a reason. Amounts are yuan (CNY), kept as
    decimal strings in the events so that no rounding creeps in.
    """

    class Recorded(Aggregate.Created):
        patent_id: UUID
        valuer_id: UUID
        organisation_id: UUID
        purpose: str
        basis_date: str
        method: str
        inputs: dict[str, Any]
        value: str
        low: str
        high: str
        unit: str
        assumptions: str
        report_reference: str
        steps: dict[str, Any]
        supersedes: UUID | None
        by: UUID
        # The valuer's signature of record (empty on assessments recorded before signing existed):
        # the SHA-256 of the rendered report (domain.valuation.report), who signed and when.
        report_sha256: str = ""
        signed_by: UUID | None = None
        signed_at: str = ""

    @event(Recorded)
    def __init__(
        self,
        patent_id: UUID,
        valuer_id: UUID,
        organisation_id: UUID,
        purpose: str,
        basis_date: str,
        method: str,
        inputs: dict[str, Any],
        value: str,
        low: str,
        high: str,
        unit: str,
        assumptions: str,
        report_reference: str,
        steps: dict[str, Any],
        supersedes: UUID | None,
        by: UUID,
        report_sha256: str = "",
        signed_by: UUID | None = None,
        signed_at: str = "",
    ) -> None:
        self.patent_id = patent_id
        self.valuer_id = valuer_id
        self.organisation_id = organisation_id
        self.purpose = purpose
        self.basis_date = date.fromisoformat(basis_date)
        self.method = method
        self.inputs = dict(inputs)
        self.value = Decimal(value)
        self.low = Decimal(low)
        self.high = Decimal(high)
        self.unit = unit
        self.assumptions = assumptions
        self.report_reference = report_reference
        self.steps = dict(steps)
        self.supersedes = supersedes
        self.status = ValuationStatus.CURRENT.value
        self.superseded_by: UUID | None = None
        self.report_sha256 = report_sha256
        self.signed_by = signed_by
        self.signed_at = signed_at
        self.countersigned_by: UUID | None = None

    @classmethod
    def record(
        cls,
        *,
        patent_id: UUID,
        valuer_id: UUID,
        organisation_id: UUID,
        purpose: str,
        basis_date: date,
        today: date,
        method: str,
        inputs: Mapping[str, Any],
        value: Decimal,
        low: Decimal,
        high: Decimal,
        assumptions: str,
        report_reference: str,
        steps: Mapping[str, Any],
        supersedes: UUID | None,
        by: UUID,
        now: datetime,
    ) -> Valuation:
        """Validate and record an assessment whose ``value`` the method computed from ``inputs``.

        Recording is the valuer's signature: the event carries the SHA-256 of the rendered report
        (``domain.valuation.report``), the valuer's id and the instant ``now``.
        """
        if basis_date > today:
            raise ValidationError(f"basis_date: must not be after today ({today})", field="basis_date",
                                  code="valuation.basis_after_today", today=today)
        if value < 0:
            raise ValidationError("value: the method gave a negative value; check the inputs", field="inputs",
                                  code="valuation.negative_value")
        if low < 0:
            raise ValidationError("low: must not be negative", field="low", code="amount.negative")
        if not low <= value:
            raise ValidationError(f"low: must be at most the computed value {_bound(value, ROUND_FLOOR)}", field="low",
                                  code="amount.at_most_value", most=_fen(value, ROUND_FLOOR))
        if not value <= high:
            raise ValidationError(f"high: must be at least the computed value {_bound(value, ROUND_CEILING)}",
                                  field="high", code="amount.at_least_value", least=_fen(value, ROUND_CEILING))
        reference = " ".join(report_reference.split())
        if not 1 <= len(reference) <= 200:
            raise ValidationError(
                "report_reference: give the report's reference (1 to 200 characters)", field="report_reference",
                code="length", least=1, most=200,
            )
        if len(assumptions) > 10_000:
            raise ValidationError("assumptions: at most 10,000 characters", field="assumptions", code="too_long",
                                  most="10,000")
        facts = ReportFacts(
            patent_id=patent_id,
            valuer_id=valuer_id,
            organisation_id=organisation_id,
            purpose=_parse_purpose(purpose),
            basis_date=basis_date.isoformat(),
            method=method,
            inputs=jsonable(dict(inputs)),
            value=value,
            low=low,
            high=high,
            unit=UNIT,
            assumptions=assumptions.strip(),
            report_reference=reference,
            steps=jsonable(dict(steps)),
            supersedes=supersedes,
        )
        return cls(
            patent_id=facts.patent_id,
            valuer_id=facts.valuer_id,
            organisation_id=facts.organisation_id,
            purpose=facts.purpose,
            basis_date=facts.basis_date,
            method=facts.method,
            inputs=dict(facts.inputs),
            value=str(value),
            low=str(low),
            high=str(high),
            unit=facts.unit,
            assumptions=facts.assumptions,
            report_reference=facts.report_reference,
            steps=dict(facts.steps),
            supersedes=facts.supersedes,
            by=by,
            report_sha256=report_digest(facts),
            signed_by=by,
            signed_at=now.isoformat(),
        )

    @property
    def is_current(self) -> bool:
        return self.status == ValuationStatus.CURRENT.value

    def check_supersedable_by(self, *, patent_id: UUID, organisation_id: UUID) -> None:
        """A current assessment may be superseded only by a new one of the same patent and agency."""
        if self.patent_id != patent_id:
            raise ValidationError("supersedes: that assessment is of another patent", field="supersedes",
                                  code="valuation.other_patent")
        if not self.is_current:
            raise ConflictError(f"supersedes: that assessment is already {self.status}", field="supersedes",
                                code="valuation.state", valuation_status=self.status)
        if self.organisation_id != organisation_id:
            raise PermissionDeniedError(
                "supersedes: only the agency that recorded an assessment may supersede it", field="supersedes",
                code="valuation.own_agency",
            )

    def supersede(self, *, by_valuation_id: UUID, patent_id: UUID, organisation_id: UUID, by: UUID) -> None:
        self.check_supersedable_by(patent_id=patent_id, organisation_id=organisation_id)
        self._superseded(by_valuation_id=by_valuation_id, by=by)

    @event("Superseded")
    def _superseded(self, by_valuation_id: UUID, by: UUID) -> None:
        self.status = ValuationStatus.SUPERSEDED.value
        self.superseded_by = by_valuation_id

    def withdraw(self, *, reason: str, by: UUID) -> None:
        """Withdraw a current assessment; the reason stays on record beside it."""
        if not self.is_current:
            raise ConflictError(f"valuation_id: the assessment is already {self.status}", field="valuation_id",
                                code="valuation.state", valuation_status=self.status)
        text = " ".join(reason.split())
        if not text:
            raise ValidationError("reason: give the reason for withdrawing the assessment", field="reason",
                                  code="required")
        self._withdrawn(reason=text[:500], by=by)

    @event("Withdrawn")
    def _withdrawn(self, reason: str, by: UUID) -> None:
        self.status = ValuationStatus.WITHDRAWN.value

    def countersign(self, *, organisation_id: UUID, report_sha256: str, now: datetime, by: UUID) -> None:
        """The valuation agency countersigns the valuer's signed report, once.

        ``organisation_id`` is the countersigner's organisation (the caller checks the admin role);
        ``report_sha256`` the digest the countersigner saw, which must be the one the valuer signed.
        """
        if organisation_id != self.organisation_id:
            raise PermissionDeniedError(
                "valuation_id: only an admin of the agency that recorded the assessment may countersign it",
                field="valuation_id", code="valuation.countersign_admin",
            )
        if not self.report_sha256:
            raise ConflictError(
                "valuation_id: the assessment was recorded before signing existed; it has no signed report",
                field="valuation_id", code="valuation.unsigned",
            )
        if by == self.signed_by:
            raise PermissionDeniedError(
                "valuation_id: the valuer who signed the report cannot also countersign it", field="valuation_id",
                code="valuation.countersign_self",
            )
        if self.countersigned_by is not None:
            raise ConflictError("valuation_id: the assessment is already countersigned", field="valuation_id",
                                code="valuation.countersigned")
        if not self.is_current:
            raise ConflictError(f"valuation_id: the assessment is {self.status}", field="valuation_id",
                                code="valuation.state", valuation_status=self.status)
        if report_sha256.strip().lower() != self.report_sha256:
            raise ConflictError(
                "report_sha256: that is not the digest of the report the valuer signed", field="report_sha256",
                code="valuation.digest",
            )
        self._countersigned(organisation_id=organisation_id, report_sha256=self.report_sha256,
                            at=now.isoformat(), by=by)

    @event("Countersigned")
    def _countersigned(self, organisation_id: UUID, report_sha256: str, at: str, by: UUID) -> None:
        self.countersigned_by = by


stored_as("domain.valuation", __name__)  # moved from domain/valuation.py: its stored topics stay
