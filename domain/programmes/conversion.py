"""The Conversion aggregate: one funded patent watched by one conversion programme (限时转化).

The deadline worker raises it when the deadline comes near (``due``, ``warning_days`` before), marks it
``overdue`` once the deadline passes without a paid licence or transfer, and ``converted`` when one is
paid. The owner may answer with a conversion plan or a deal in progress, which pauses the flag until the
officer resumes it. For an overdue patent the programme officer may, recording the legal basis and the
reason, open it to others: an open licence on the officer's terms, or licensees the officer designates.
The id derives from the patent and the programme, so two workers flagging at once record one flag.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.shared.errors import ConflictError, ValidationError
from domain.shared.ids import natural_id

REASON_LIMIT = 2000
REFERENCE_LIMIT = 200


class ConversionStatus(StrEnum):
    DUE = "due"  # the deadline is near
    OVERDUE = "overdue"  # passed, nothing paid
    PAUSED = "paused"  # the owner answered: a plan or a deal in progress
    OPENED = "opened"  # the officer opened it to others
    CONVERTED = "converted"  # a licence or transfer was paid


class AnswerKind(StrEnum):
    PLAN = "plan"  # 转化计划
    DEAL_IN_PROGRESS = "deal_in_progress"  # 正在洽谈或履行的交易


class OpeningMode(StrEnum):
    OPEN_LICENCE = "open_licence"  # 开放许可 on the officer's terms
    DESIGNATED = "designated"  # 指定被许可人


def conversion_id(patent_id: UUID, programme_id: UUID) -> UUID:
    return natural_id("conversion", f"{patent_id}:{programme_id}")


def _text(value: str, field: str, limit: int, *, required: bool = True) -> str:
    text = value.strip()
    if required and not text:
        raise ValidationError(f"{field}: must not be empty", field=field, code="required")
    if len(text) > limit:
        raise ValidationError(f"{field}: at most {limit} characters", field=field, code="too_long", most=limit)
    return text


class Conversion(Aggregate):
    """A funded patent's conversion deadline under one programme, and what was done about it."""

    class Flagged(Aggregate.Created):
        patent_id: UUID
        programme_id: UUID
        organisation_id: UUID  # the programme's department
        owner_ids: list[str]
        funding: dict[str, Any]
        deadline: str
        warn_from: str
        stage: str
        legal_basis: str

    @staticmethod
    def create_id(patent_id: UUID, programme_id: UUID, **_: object) -> UUID:
        return conversion_id(patent_id, programme_id)

    @event(Flagged)
    def __init__(self, patent_id: UUID, programme_id: UUID, organisation_id: UUID, owner_ids: list[str],
                 funding: dict[str, Any], deadline: str, warn_from: str, stage: str, legal_basis: str) -> None:
        self.patent_id = patent_id
        self.programme_id = programme_id
        self.organisation_id = organisation_id
        self.owner_ids = list(owner_ids)
        self.funding = dict(funding)
        self.deadline = date.fromisoformat(deadline)
        self.stage = ConversionStatus(stage)
        self.listing_id: UUID | None = None
        self.answer: dict[str, Any] | None = None
        self.resume_reason = ""
        #: How the officer opened it to others (mode, legal basis, reason, terms, licensees), once done.
        self.opening: dict[str, Any] | None = None

    @classmethod
    def flag(cls, *, patent_id: UUID, programme_id: UUID, organisation_id: UUID, owner_ids: list[UUID],
             funding: dict[str, Any], deadline: date, warn_from: date, today: date, legal_basis: str) -> Conversion:
        """Raise the flag: ``due`` before the deadline, ``overdue`` from it (the deadline day itself is late)."""
        if today < warn_from:
            raise ConflictError("patent_id: the conversion deadline is not near yet", field="patent_id",
                                code="conversion.not_due")
        status = ConversionStatus.OVERDUE if today >= deadline else ConversionStatus.DUE
        return cls(patent_id=patent_id, programme_id=programme_id, organisation_id=organisation_id,
                   owner_ids=sorted(str(o) for o in owner_ids), funding=funding, deadline=deadline.isoformat(),
                   warn_from=warn_from.isoformat(), stage=status.value, legal_basis=legal_basis)

    def is_owner(self, organisation_id: UUID) -> bool:
        return str(organisation_id) in self.owner_ids

    # --- the worker ---------------------------------------------------------------------------
    def pass_deadline(self, today: date) -> bool:
        """A ``due`` flag becomes ``overdue`` on the deadline; returns whether it did."""
        if self.stage is ConversionStatus.DUE and today >= self.deadline:
            self._became_overdue(on=today.isoformat())
            return True
        return False

    @event("BecameOverdue")
    def _became_overdue(self, on: str) -> None:
        self.stage = ConversionStatus.OVERDUE

    def record_converted(self, contract_id: UUID) -> bool:
        """A licence or transfer of the patent was paid: the flag is cleared (once)."""
        if self.stage is ConversionStatus.CONVERTED:
            return False
        self._converted(contract_id=contract_id)
        return True

    @event("Converted")
    def _converted(self, contract_id: UUID) -> None:
        self.stage = ConversionStatus.CONVERTED

    # --- the owner ----------------------------------------------------------------------------
    def answer_with(self, kind: str, text: str, reference: str, *, organisation_id: UUID, by: UUID) -> bool:
        """The owner answers with a conversion plan or a deal in progress: the flag pauses. The same answer
        again records nothing."""
        try:
            parsed = AnswerKind(kind)
        except ValueError:
            raise ValidationError("kind: must be one of plan, deal_in_progress", field="kind", code="choice") from None
        if self.stage not in (ConversionStatus.DUE, ConversionStatus.OVERDUE, ConversionStatus.PAUSED):
            raise ConflictError(f"conversion_id: the conversion is {self.stage.value}", field="conversion_id",
                                code="conversion.state", conversion_status=self.stage.value)
        answer = {"kind": parsed.value, "text": _text(text, "text", REASON_LIMIT),
                  "reference": _text(reference, "reference", REFERENCE_LIMIT, required=False),
                  "organisation_id": str(organisation_id)}
        if self.stage is ConversionStatus.PAUSED and self.answer is not None and \
                {k: self.answer.get(k) for k in answer} == answer:
            return False
        self._answered(**answer, by=by)
        return True

    @event("Answered")
    def _answered(self, kind: str, text: str, reference: str, organisation_id: str, by: UUID) -> None:
        self.answer = {"kind": kind, "text": text, "reference": reference, "organisation_id": organisation_id}
        self.stage = ConversionStatus.PAUSED

    # --- the officer --------------------------------------------------------------------------
    def resume(self, reason: str, today: date, *, by: UUID) -> None:
        """The officer finds the owner's answer wanting: the flag stands again."""
        if self.stage is not ConversionStatus.PAUSED:
            raise ConflictError("conversion_id: only a paused conversion is resumed", field="conversion_id",
                                code="conversion.state", conversion_status=self.stage.value)
        status = ConversionStatus.OVERDUE if today >= self.deadline else ConversionStatus.DUE
        self._resumed(reason=_text(reason, "reason", REASON_LIMIT), stage=status.value, by=by)

    @event("Resumed")
    def _resumed(self, reason: str, stage: str, by: UUID) -> None:
        self.stage = ConversionStatus(stage)
        self.resume_reason = reason

    @staticmethod
    def opening_mode(mode: str) -> OpeningMode:
        try:
            return OpeningMode(mode)
        except ValueError:
            raise ValidationError("mode: must be one of open_licence, designated", field="mode",
                                  code="choice") from None

    def check_openable(self, legal_basis: str, reason: str) -> tuple[str, str]:
        """Only an overdue conversion is opened, with the legal basis and the reason recorded."""
        if self.stage is not ConversionStatus.OVERDUE:
            raise ConflictError(f"conversion_id: only an overdue conversion is opened to others (it is "
                                f"{self.stage.value})", field="conversion_id", code="conversion.not_overdue",
                                conversion_status=self.stage.value)
        return _text(legal_basis, "legal_basis", REASON_LIMIT), _text(reason, "reason", REASON_LIMIT)

    def open_to_others(self, *, mode: str, legal_basis: str, reason: str, terms: dict[str, Any],
                       listing_id: UUID | None, licensee_ids: list[UUID], by: UUID) -> None:
        basis, why = self.check_openable(legal_basis, reason)
        self._opened(mode=self.opening_mode(mode).value, legal_basis=basis, reason=why, terms=dict(terms),
                     listing_id=listing_id, licensee_ids=sorted(str(i) for i in licensee_ids), by=by)

    @event("OpenedToOthers")
    def _opened(self, mode: str, legal_basis: str, reason: str, terms: dict[str, Any], listing_id: UUID | None,
                licensee_ids: list[str], by: UUID) -> None:
        self.stage = ConversionStatus.OPENED
        self.listing_id = listing_id
        self.opening = {"mode": mode, "legal_basis": legal_basis, "reason": reason, "terms": dict(terms),
                        "licensee_ids": list(licensee_ids)}
