"""The Valuation aggregate: one accredited valuer's assessment of a patent (专利价值评估), never edited."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.shared.errors import ConflictError, PermissionDeniedError, ValidationError
from domain.shared.topics import stored_as

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


def _parse_purpose(value: str) -> str:
    try:
        return Purpose(value).value
    except ValueError:
        allowed = ", ".join(p.value for p in Purpose)
        raise ValidationError(f"purpose: must be one of {allowed}", field="purpose") from None


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
    ) -> Valuation:
        """Validate and record an assessment whose ``value`` the method computed from ``inputs``."""
        if basis_date > today:
            raise ValidationError(f"basis_date: must not be after today ({today})", field="basis_date")
        if value < 0:
            raise ValidationError("value: the method gave a negative value; check the inputs", field="inputs")
        if low < 0:
            raise ValidationError("low: must not be negative", field="low")
        if not low <= value:
            raise ValidationError(f"low: must be at most the computed value {value}", field="low")
        if not value <= high:
            raise ValidationError(f"high: must be at least the computed value {value}", field="high")
        reference = " ".join(report_reference.split())
        if not 1 <= len(reference) <= 200:
            raise ValidationError(
                "report_reference: give the report's reference (1 to 200 characters)", field="report_reference"
            )
        if len(assumptions) > 10_000:
            raise ValidationError("assumptions: at most 10,000 characters", field="assumptions")
        return cls(
            patent_id=patent_id,
            valuer_id=valuer_id,
            organisation_id=organisation_id,
            purpose=_parse_purpose(purpose),
            basis_date=basis_date.isoformat(),
            method=method,
            inputs=jsonable(dict(inputs)),
            value=str(value),
            low=str(low),
            high=str(high),
            unit=UNIT,
            assumptions=assumptions.strip(),
            report_reference=reference,
            steps=jsonable(dict(steps)),
            supersedes=supersedes,
            by=by,
        )

    @property
    def is_current(self) -> bool:
        return self.status == ValuationStatus.CURRENT.value

    def check_supersedable_by(self, *, patent_id: UUID, organisation_id: UUID) -> None:
        """A current assessment may be superseded only by a new one of the same patent and agency."""
        if self.patent_id != patent_id:
            raise ValidationError("supersedes: that assessment is of another patent", field="supersedes")
        if not self.is_current:
            raise ConflictError(f"supersedes: that assessment is already {self.status}", field="supersedes")
        if self.organisation_id != organisation_id:
            raise PermissionDeniedError(
                "supersedes: only the agency that recorded an assessment may supersede it", field="supersedes"
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
            raise ConflictError(f"valuation_id: the assessment is already {self.status}", field="valuation_id")
        text = " ".join(reason.split())
        if not text:
            raise ValidationError("reason: give the reason for withdrawing the assessment", field="reason")
        self._withdrawn(reason=text[:500], by=by)

    @event("Withdrawn")
    def _withdrawn(self, reason: str, by: UUID) -> None:
        self.status = ValuationStatus.WITHDRAWN.value


stored_as("domain.valuation", __name__)  # moved from domain/valuation.py: its stored topics stay
