"""Technology-contract registration (技术合同认定登记): one record per signed contract, and its number.

The seller's members prepare the record (表 JJ-001, ``jj001.py``) for a signed contract, pre-filled from
the deal, and revise it until the registry assigns its 16-digit number (合同登记编号). Its id derives from
the contract, so preparing twice — a double click, two members at once — makes one record. A number is
held by one contract only: ``RegistrationNumber``'s id derives from the number, and it is saved with the
record, so recording another contract's number fails at save. A programme claim that asks for the number
must give the one recorded for its contract (:func:`require_number`).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.market.jj001 import DEADLINE_DAYS, Finding, RegistrationRecord, findings
from domain.shared.errors import ConflictError, ValidationError
from domain.shared.ids import natural_id

NUMBER = re.compile(r"[0-9]{16}")


def registration_id(contract_id: UUID) -> UUID:
    """One registration record per contract."""
    return natural_id("tech-contract-registration", str(contract_id))


def number_id(number: str) -> UUID:
    """One contract per registration number."""
    return natural_id("tech-contract-registration-number", number)


def clean_number(value: str) -> str:
    """The registry's number as typed (spaces allowed between groups): exactly 16 digits."""
    number = "".join(value.split())
    if NUMBER.fullmatch(number) is None:
        raise ValidationError("number: the registration number (合同登记编号) is 16 digits", field="number",
                              code="tech_registration.number_format", got=len(number))
    return number


def deadline(signed_on: date) -> date:
    """The last day to apply: 30 days after signing (技术合同认定登记管理办法)."""
    return signed_on + timedelta(days=DEADLINE_DAYS)


class ContractRegistration(Aggregate):
    """A contract's technology-contract registration record and, once assigned, its registry number."""

    class Prepared(Aggregate.Created):
        contract_id: UUID
        seller_organisation_id: UUID
        buyer_organisation_id: UUID
        deal_kind: str
        contract_price: int
        record: dict[str, Any]
        by: UUID
        last_due: str | None = None  # a development contract's last milestone due date (ISO); older: none

    @staticmethod
    def create_id(contract_id: UUID, **_: object) -> UUID:
        return registration_id(contract_id)

    @event(Prepared)
    def __init__(self, contract_id: UUID, seller_organisation_id: UUID, buyer_organisation_id: UUID, deal_kind: str,
                 contract_price: int, record: dict[str, Any], by: UUID, last_due: str | None = None) -> None:
        self.contract_id = contract_id
        self.seller_organisation_id = seller_organisation_id
        self.buyer_organisation_id = buyer_organisation_id
        self.deal_kind = deal_kind
        self.contract_price = contract_price
        self.record_data = dict(record)
        self.number = ""
        self.last_due = date.fromisoformat(last_due) if last_due else None

    @property
    def record(self) -> RegistrationRecord:
        return RegistrationRecord.from_dict(self.record_data)

    @property
    def findings(self) -> tuple[Finding, ...]:
        return findings(self.record, deal_kind=self.deal_kind, contract_price=self.contract_price,
                        last_due=getattr(self, "last_due", None))

    def revise(self, record: RegistrationRecord, *, by: UUID) -> bool:
        """Replace the record (the same record again changes nothing); returns whether it changed."""
        if record.signed_on != self.record.signed_on:
            raise ValidationError("signed_on: the signing date is the contract's", field="signed_on",
                                  code="tech_registration.signed_on")
        if record.as_dict() == self.record_data:
            return False
        if self.number:
            raise ConflictError("contract_id: the registry has numbered this record; a change is registered anew",
                                field="contract_id", code="tech_registration.numbered")
        self._revised(record=record.as_dict(), by=by)
        return True

    @event("Revised")
    def _revised(self, record: dict[str, Any], by: UUID) -> None:
        self.record_data = dict(record)

    def record_number(self, number: str, *, by: UUID, at: str) -> bool:
        """Record the registry's number (the same number again changes nothing); returns whether it changed."""
        cleaned = clean_number(number)
        if cleaned == self.number:
            return False
        if self.number:
            raise ConflictError("number: another number is already recorded for this contract", field="number",
                                code="tech_registration.number_recorded")
        found = self.findings
        if found:
            raise ValidationError("contract_id: the record does not pass the registrar's checks yet",
                                  field=found[0].field, code=found[0].code)
        self._number_recorded(number=cleaned, by=by, at=at)
        return True

    @event("NumberRecorded")
    def _number_recorded(self, number: str, by: UUID, at: str) -> None:
        self.number = number


class RegistrationNumber(Aggregate):
    """A registry number held by one contract's record (its id derives from the number)."""

    class Assigned(Aggregate.Created):
        number: str
        contract_id: UUID
        registration_id: UUID

    @staticmethod
    def create_id(number: str, **_: object) -> UUID:
        return number_id(number)

    @event(Assigned)
    def __init__(self, number: str, contract_id: UUID, registration_id: UUID) -> None:
        self.number = number
        self.contract_id = contract_id
        self.registration_id = registration_id


def require_number(given: str, recorded: str | None) -> str:
    """A claim's registration number must be the one recorded for its contract (coded refusals)."""
    number = "".join(given.split())
    if not recorded:
        raise ValidationError(
            "registration_number: no technology-contract registration number is recorded for this contract yet",
            field="registration_number", code="claim.registration_not_recorded")
    if number != recorded:
        raise ValidationError(
            "registration_number: differs from the number recorded for this contract",
            field="registration_number", code="claim.registration_mismatch")
    return number
