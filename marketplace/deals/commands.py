"""Deal command structs (msgspec, frozen): money in minor units, rates entered as percentages."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

import msgspec

from domain.shared.money import MAX_AMOUNT
from marketplace.platform.command import Command, Note, Percent, ShortText, Text

#: Minor units, bounded like ``domain.money.Money`` (read models keep amounts in ``bigint`` columns).
Amount = Annotated[int, msgspec.Meta(ge=0, le=MAX_AMOUNT)]
ValidDays = Annotated[int, msgspec.Meta(ge=1, le=90)]


class ScopeInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Field of use and territory ("" = all) and the licence term [start, end)."""

    start: date
    end: date
    field_of_use: ShortText = ""
    territory: ShortText = ""


class MilestoneInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: ShortText
    amount: Amount


class InstalmentInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    amount: Amount
    due: date | None = None  # None: on signing


class TermsInput(Command, frozen=True, kw_only=True):
    """Deal terms as a user enters them; ``price`` is the assignment price or licence upfront fee."""

    kind: ShortText
    price: Amount
    currency: ShortText = "CNY"
    scope: ScopeInput | None = None
    sublicensable: bool = False
    royalty_rate: Percent = 0.0
    minimum_annual_royalty: Amount = 0
    milestones: list[MilestoneInput] = msgspec.field(default_factory=list)
    instalments: list[InstalmentInput] = msgspec.field(default_factory=list)
    note: Text = ""
    valid_days: ValidDays = 14


class MakeOffer(TermsInput, frozen=True, kw_only=True):
    listing_id: UUID
    broker_organisation_id: UUID | None = None
    broker_commission: Percent = 0.0


class CounterOffer(TermsInput, frozen=True, kw_only=True):
    offer_id: UUID
    expected_version: int | None = None


class AcceptOffer(Command, frozen=True, kw_only=True):
    offer_id: UUID
    expected_version: int | None = None


class RejectOffer(Command, frozen=True, kw_only=True):
    offer_id: UUID
    reason: Note = ""


class WithdrawOffer(Command, frozen=True, kw_only=True):
    offer_id: UUID
    reason: Note = ""


class ExpireOffer(Command, frozen=True, kw_only=True):
    offer_id: UUID


class FileObjection(Command, frozen=True, kw_only=True):
    contract_id: UUID
    text: Text


class DecideObjection(Command, frozen=True, kw_only=True):
    contract_id: UUID
    objection_id: UUID
    upheld: bool
    reason: Text


class ConsentAsCoOwner(Command, frozen=True, kw_only=True):
    contract_id: UUID


class SignContract(Command, frozen=True, kw_only=True):
    contract_id: UUID
    text_sha256: Annotated[str, msgspec.Meta(pattern="^[0-9a-f]{64}$")]


class TerminateContract(Command, frozen=True, kw_only=True):
    """End a contract that is not in force (it never takes effect): releases what it reserved."""

    contract_id: UUID
    reason: ShortText


class RecordRegistration(Command, frozen=True, kw_only=True):
    contract_id: UUID
    reference: ShortText


class ReachMilestone(Command, frozen=True, kw_only=True):
    """A party records a milestone reached; on a development contract, the client accepts a delivered one."""

    contract_id: UUID
    name: ShortText


class DeliverMilestone(Command, frozen=True, kw_only=True):
    """The developer records a development contract's milestone as delivered, with a note for the client."""

    contract_id: UUID
    name: ShortText
    note: Note = ""


class AgreeDevelopmentResults(Command, frozen=True, kw_only=True):
    """A party's org admin sets a draft development contract's results clauses before anyone signs: who holds the
    right to apply for patents on the results (``developer``, ``joint`` or ``client``; 民法典 arts. 859–861) and
    the years confidentiality lasts after the contract ends."""

    contract_id: UUID
    ownership: Annotated[str, msgspec.Meta(max_length=20)]
    confidential_years: Annotated[int, msgspec.Meta(ge=1, le=20)] = 3


class FileRoyaltyReport(Command, frozen=True, kw_only=True):
    contract_id: UUID
    period_start: date
    period_end: date
    net_sales: Amount


class TakeOpenLicence(Command, frozen=True, kw_only=True):
    listing_id: UUID
    #: The SHA-256 of the contract text the taker was shown (``preview_open_licence``): refused (409) when the
    #: text would now differ. ``None`` (API clients written before the confirmation) signs the current text.
    text_sha256: Annotated[str, msgspec.Meta(pattern="^[0-9a-f]{64}$")] | None = None


class StartPayment(Command, frozen=True, kw_only=True):
    contract_id: UUID
    purpose: ShortText = "upfront"
    #: ``stripe`` (card) or ``manual`` (bank transfer); none: card when it can take the amount.
    gateway: ShortText | None = None
    #: Where the buyer's money comes from: ``own`` (自有资金), ``fiscal_programme`` (财政科技项目资金) or
    #: ``government_procurement`` (政府采购). None: as declared before (``own`` until declared).
    funds_source: ShortText | None = None


class RecordManualReceipt(Command, frozen=True, kw_only=True):
    obligation_id: UUID
    amount: Amount
    bank_reference: ShortText


class RefundPayment(Command, frozen=True, kw_only=True):
    obligation_id: UUID
    reason: Note


class SetBenefitRules(Command, frozen=True, kw_only=True):
    organisation_id: UUID
    inventor_share: Percent
