"""Deals read model, its rows as the web reads them: offers, contracts, obligations and what hangs off them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

import msgspec
from msgspec import UNSET, UnsetType


class OfferRow(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    listing_id: UUID
    patent_id: UUID
    buyer_organisation_id: UUID
    seller_organisation_id: UUID
    broker_organisation_id: UUID | None
    broker_commission: int
    kind: str
    terms: dict[str, Any]
    price_amount: int
    currency: str
    listed_price: int | None
    status: str
    awaiting: str | None
    rounds: int
    expires_at: datetime
    made_at: datetime
    closed_at: datetime | None
    contract_id: UUID | None
    updated_at: datetime
    version: int
    title_zh: str
    title_en: str
    buyer_name: str
    seller_name: str

    def parties(self) -> set[UUID]:
        return {self.buyer_organisation_id, self.seller_organisation_id}


class OfferEventRow(msgspec.Struct, frozen=True, kw_only=True):
    version: int
    event_type: str
    side: str | None
    terms: dict[str, Any] | None
    expires_at: datetime | None
    reason: str
    by_user: UUID | None
    by_name: str
    at: datetime


class ContractRow(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    id: UUID
    contract_type: str
    offer_id: UUID | None
    #: ``None`` for a technology development contract (it stands on no patent or listing).
    listing_id: UUID | None
    patent_id: UUID | None
    seller_organisation_id: UUID
    buyer_organisation_id: UUID
    broker_organisation_id: UUID | None
    broker_commission: int
    kind: str
    terms: dict[str, Any]
    price_amount: int
    currency: str
    text_zh: str
    text_en: str
    text_sha256: str
    notice_ends_at: datetime | None
    consents_required: list[UUID]
    consents_given: list[UUID]
    objections_open: int
    objections_upheld: int
    signed_by: list[UUID]
    status: str
    in_force_at: datetime | None
    registration_reference: str | None
    milestones_reached: list[str]
    ownership_transferred: bool
    listing_closed: bool
    terminated_reason: str | None
    drafted_at: datetime
    updated_at: datetime
    version: int
    title_zh: str
    title_en: str
    buyer_name: str
    seller_name: str
    seller_kind: str
    #: The seller institution's inventors' share (bp) fixed when the contract was drafted; ``None`` (left
    #: out of answers): drafted before it was recorded (the rule at payment applies), or not an institution.
    inventor_share: int | None = None
    #: A development contract's milestones the developer delivered (left out of answers while none).
    milestones_delivered: list[str] = msgspec.field(default_factory=list)

    @property
    def is_development(self) -> bool:
        return self.contract_type == "DevelopmentContract"

    def parties(self) -> set[UUID]:
        """Organisations that may read the contract: both parties and every co-owner asked to consent."""
        return {self.buyer_organisation_id, self.seller_organisation_id, *self.consents_required}


class SignatureRow(msgspec.Struct, frozen=True, kw_only=True):
    organisation_id: UUID
    organisation_name: str
    by_user: UUID | None
    signed_at: datetime
    text_sha256: str


class ObjectionRow(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    contract_id: UUID
    text: str
    filed_at: datetime
    status: str
    reason: str
    decided_at: datetime | None


class ObligationRow(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    contract_id: UUID
    payer_organisation_id: UUID
    payee_organisation_id: UUID
    amount: int
    currency: str
    purpose: str
    due_on: date | None
    reference: str
    status: str
    gateway: str | None
    provider_payment_id: str | None
    paid_amount: int | None
    paid_at: datetime | None
    provider_refund_id: str | None
    refunded_amount: int | None
    refund_reason: str | None
    refunded_at: datetime | None
    fell_due_at: datetime
    version: int
    #: Why the money received must go back (the contract can no longer take effect); kept after the refund.
    refund_owed_reason: str | None = None
    refund_owed_at: datetime | None = None
    #: An innovation voucher applied to the payment, its part and model (``provider``: the payer pays the rest).
    #: Left out of the answer (``UNSET``) where no voucher was applied: answers to clients written before
    #: vouchers existed stay exactly as they were (``tests/web/test_old_store_pages.py``).
    voucher_id: UUID | UnsetType = UNSET
    voucher_amount: int | UnsetType = UNSET
    voucher_model: str | UnsetType = UNSET
    #: Where the buyer's money comes from when not its own (``fiscal_programme``, ``government_procurement``);
    #: left out (``UNSET``) for the buyer's own funds, the default, so older answers stay as they were.
    funds_source: str | UnsetType = UNSET
    #: What the platform pays it from when not the payer (``auction_deposit``: an auction winner's deposit); left
    #: out (``UNSET``) for the payer's own payments, so older answers stay as they were.
    paid_from: str | UnsetType = UNSET

    @property
    def to_pay(self) -> int:
        """What the payer pays through the gateway (the whole, less a provider-redeemed voucher part)."""
        if self.voucher_model == "provider" and isinstance(self.voucher_amount, int):
            return self.amount - self.voucher_amount
        return self.amount

    @property
    def awaits_refund(self) -> bool:
        """On the platform admin's refund queue: paid, owed back, not refunded yet."""
        return self.status == "paid" and self.refund_owed_reason is not None


class BenefitShareRow(msgspec.Struct, frozen=True, kw_only=True):
    obligation_id: UUID
    contract_id: UUID
    recipient: str
    name: str
    organisation_id: UUID | None
    amount: int
    currency: str
    reversed: bool
    paid_at: datetime


class BenefitShareLine(BenefitShareRow, frozen=True, kw_only=True):
    """A benefit share as the benefits page lists it: with the payment it came from (``upfront``,
    ``royalty-…``) and its contract's patent title, to link both."""

    purpose: str
    title_zh: str
    title_en: str


class RoyaltyReportRow(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    contract_id: UUID
    period_start: date
    period_end: date
    net_sales: int
    royalty: int
    top_up: int
    obligation_id: UUID | None
    reported_at: datetime
    #: The part of royalty + top-up already charged as the year's minimum (the year ended unreported).
    credit: int = 0


class MinimumRoyaltyRow(msgspec.Struct, frozen=True, kw_only=True):
    """A minimum annual royalty charged because its licence year ended without the report closing it."""

    contract_id: UUID
    year_end: date
    amount: int
    obligation_id: UUID | None
    fell_due_at: datetime


class BenefitRuleRow(msgspec.Struct, frozen=True, kw_only=True):
    """An institution's inventors' share (bp of net income) as set at ``set_at``; it applies to the
    contracts drafted from then on."""

    organisation_id: UUID
    inventor_share: int
    set_at: datetime


class RoyaltyReportDueRow(msgspec.Struct, frozen=True, kw_only=True):
    """The royalty report a licence awaits: its period is over; due by ``due_on``, ``overdue`` after it.

    ``side`` is the asking organisation's: ``licensee`` (files it) or ``licensor`` (waits for it).
    ``minimum_charged``: the minimum annual royalty already charged for the period's licence year
    because it ended unreported (``None`` if none was).
    """

    contract_id: UUID
    side: str
    licensee_organisation_id: UUID
    licensor_organisation_id: UUID
    licensee_name: str
    licensor_name: str
    title_zh: str
    title_en: str
    period_start: date
    period_end: date
    due_on: date
    status: str
    overdue: bool
    minimum_charged: int | None
    currency: str


class ContractDetail(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """One contract with everything its page shows.

    Fields added after the first release are left out of an answer while they hold their default (no
    minimum royalty charged, no report awaited), so answers about older contracts stay as they were.
    """

    contract: ContractRow
    signatures: list[SignatureRow]
    objections: list[ObjectionRow]
    obligations: list[ObligationRow]
    benefit_shares: list[BenefitShareRow]
    royalty_reports: list[RoyaltyReportRow]
    minimum_royalties: list[MinimumRoyaltyRow] = msgspec.field(default_factory=list)
    #: The report the licence awaits, if its period is over (``RoyaltyReportDueRow``, licensee's side).
    report_due: RoyaltyReportDueRow | None = None


class TransferRow(msgspec.Struct, frozen=True, kw_only=True):
    """A bank transfer (对公转账) started and awaiting its receipt: the platform admin's reconciliation queue."""

    id: UUID
    contract_id: UUID
    payer_organisation_id: UUID
    payer_name: str
    payee_organisation_id: UUID
    payee_name: str
    amount: int
    currency: str
    purpose: str
    reference: str
    status: str
    #: When the payer started the transfer (the last change of a pending obligation's row is its start).
    started_at: datetime
    title_zh: str
    title_en: str
class FiledObjectionRow(msgspec.Struct, frozen=True, kw_only=True):
    """An objection an organisation filed, with the notice it was filed on and the seller's decision."""

    id: UUID
    contract_id: UUID
    text: str
    filed_at: datetime
    status: str
    reason: str
    decided_at: datetime | None
    title_zh: str
    title_en: str
    patent_number: str
    notice_ends_at: datetime | None
