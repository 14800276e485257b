"""A contract's values and the rules on them that need no aggregate: statuses, ids, payment schedule, signing.

``domain.deals.contract`` holds the aggregates (their stored topics are registered there) and uses these.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.shared.errors import (
    ConsentMissingError,
    ContractStateError,
    NoticeWindowError,
    PatentNotTradableError,
    PermissionDeniedError,
)
from domain.shared.ids import natural_id

if TYPE_CHECKING:
    from domain.deals.contract import Contract


class ContractStatus(StrEnum):
    DRAFTED = "drafted"  # awaiting notice, consents and signatures
    SIGNED = "signed"  # every party signed; awaiting the first payment
    IN_FORCE = "in_force"
    TERMINATED = "terminated"


class ObjectionStatus(StrEnum):
    PENDING = "pending"
    UPHELD = "upheld"
    DISMISSED = "dismissed"


def contract_id_for_offer(offer_id: UUID) -> UUID:
    """One contract per accepted offer."""
    return natural_id("contract", str(offer_id))


def open_licence_contract_id(listing_id: UUID, licensee_organisation_id: UUID, number: int) -> UUID:
    """An open-licence take-up: the licensee's ``number``-th licence on the patent (counting every licence it
    ever held on it, ended ones too), so the text shown before the take-up already names its contract.

    Take-ups drafted before the confirmation page were numbered by their instant instead; their ids stay."""
    return natural_id("contract", f"open:{listing_id}:{licensee_organisation_id}:#{number}")


def instalment_purpose(index: int, due: str | None) -> str:
    """The payment purpose of the instalment at ``index`` (0-based): ``upfront`` when on signing."""
    return "upfront" if due is None else f"instalment-{index + 1}"


def first_purpose(terms: Mapping[str, Any]) -> str | None:
    """The payment obligation that brings a contract on ``terms`` into force (``None``: nothing to pay first)."""
    instalments = terms["instalments"]
    if instalments:
        return instalment_purpose(0, instalments[0]["due"])
    return "upfront" if int(terms["price"]) > 0 else None


def scheduled_payments(terms: Mapping[str, Any], today: date) -> list[tuple[str, int, str | None]]:
    """Price payments due by ``today`` once signed: (purpose, amount, due date or ``None``)."""
    instalments = terms["instalments"]
    if not instalments:
        price = int(terms["price"])
        return [("upfront", price, None)] if price > 0 else []
    due = []
    for i, inst in enumerate(instalments):
        if inst["due"] is None or date.fromisoformat(inst["due"]) <= today:
            due.append((instalment_purpose(i, inst["due"]), int(inst["amount"]), inst["due"]))
    return due


def check_signature(
    contract: Contract, organisation_id: UUID, *, text_sha256: str, patent_tradable: bool, now: datetime
) -> None:
    """Refuse a party's signature unless the notice has closed without an objection standing, every
    co-owner consented, the patent is in force and the party read the text as it stands."""
    if organisation_id not in contract.parties:
        raise PermissionDeniedError(
            "contract_id: only a party to the contract may sign it", field="contract_id", code="contract.not_party"
        )
    if str(organisation_id) in contract.signatures:
        raise ContractStateError(
            "contract_id: your organisation has already signed", field="contract_id", code="contract.already_signed",
            key="refusal.already_signed",
        )
    if contract.in_notice(now):
        raise NoticeWindowError(
            f"contract_id: the public notice runs until {contract.notice_ends_at}; sign after it closes",
            field="contract_id",
            code="notice.running",
            until=contract.notice_ends_at,
            key="refusal.sign_in_notice",
            values={"when": datetime.fromisoformat(str(contract.notice_ends_at))},
        )
    if any(s == ObjectionStatus.PENDING for s in contract.objections.values()):
        raise NoticeWindowError(
            "contract_id: an objection to the notice awaits the seller's decision",
            field="contract_id",
            code="notice.objection_pending",
            key="refusal.sign_objection_pending",
        )
    if any(s == ObjectionStatus.UPHELD for s in contract.objections.values()):
        raise NoticeWindowError(
            "contract_id: an objection was upheld; this contract cannot be signed",
            field="contract_id",
            code="notice.objection_upheld",
            key="refusal.sign_objection_upheld",
        )
    missing = [o for o in contract.consents_required if o not in contract.consents]
    if missing:
        raise ConsentMissingError(
            f"contract_id: {len(missing)} co-owner(s) have not consented yet",
            field="contract_id",
            code="contract.consents_missing",
            count=len(missing),
            key="refusal.consents_missing", values={"count": len(missing)},
        )
    if not patent_tradable:
        raise PatentNotTradableError(
            "patent_id: the patent is no longer in force", field="patent_id", code="patent.not_in_force"
        )
    if text_sha256 != contract.text_sha256:
        raise ContractStateError(
            "text_sha256: the contract text changed since you read it; read it again",
            field="text_sha256",
            code="contract.text_changed",
            key="refusal.text_changed",
        )
