"""Programme command structs (msgspec, frozen): money in minor units (fen), rates in basis points."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

import msgspec

from domain.programmes.rules import ProgrammeKind, Side
from domain.programmes.voucher import RedemptionModel
from domain.shared.money import MAX_AMOUNT
from marketplace.platform.command import Command, Note, ShortText, one_of
from marketplace.programmes.conversion_commands import ConversionTermsInput

Amount = Annotated[int, msgspec.Meta(ge=0, le=MAX_AMOUNT)]
RateBp = Annotated[int, msgspec.Meta(ge=0, le=10_000, description="basis points: 100 = 1 %")]


class TierInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """``rate_bp`` on the beneficiary-year's paid amounts up to ``up_to`` fen (none: no upper bound)."""

    rate_bp: RateBp
    up_to: Amount | None = None


class CounterpartyRateInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A flat rate replacing the tiers when the other party is of these kinds in this region."""

    rate_bp: RateBp
    region: ShortText = ""
    kinds: list[ShortText] = msgspec.field(default_factory=list)


class RulesInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One version of a programme's rules; empty lists mean "any"."""

    beneficiary: Annotated[str, one_of(Side)]
    tiers: list[TierInput]
    cap_per_deal: Amount | None = None
    cap_per_beneficiary_year: Amount | None = None
    counterparty_rates: list[CounterpartyRateInput] = msgspec.field(default_factory=list)
    buyer_kinds: list[ShortText] = msgspec.field(default_factory=list)
    seller_kinds: list[ShortText] = msgspec.field(default_factory=list)
    buyer_region: ShortText = ""
    seller_region: ShortText = ""
    deal_types: list[ShortText] = msgspec.field(default_factory=list)
    beneficiary_flags: list[ShortText] = msgspec.field(default_factory=list)
    requires_registration: bool = True
    requires_platform_signing: bool = True
    excludes_fiscally_funded: bool = True
    excludes_related_parties: bool = True
    #: A conversion programme's deadlines (kind ``conversion`` only; its tiers may then be empty).
    conversion: ConversionTermsInput | None = None
    #: Innovation vouchers: the share for a registered technology SME (the first tier's rate is everyone's),
    #: the redemption model, and the services a voucher pays for (empty: all).
    share_tech_sme_bp: RateBp | None = None
    redemption_model: Annotated[str, one_of(RedemptionModel)] = "provider"
    services: list[ShortText] = msgspec.field(default_factory=list)
    #: Provider redemption (通兑): a bonus to the provider on the voucher value it redeems, paid with the
    #: settlement, and its cap per provider and year in fen (none: no bonus, no cap).
    provider_bonus_bp: RateBp | None = None
    provider_bonus_cap_per_year: Amount | None = None
    #: 跨区域: the regions whose providers a voucher may pay — provinces or cities by name (福建, 厦门, 上海) or
    #: GB/T 2260 code (350000); empty: any region.
    provider_regions: Annotated[list[ShortText], msgspec.Meta(max_length=40)] = msgspec.field(default_factory=list)


class DraftProgramme(Command, frozen=True, kw_only=True):
    """A programme officer drafts a programme of their government organisation."""

    kind: Annotated[str, one_of(ProgrammeKind)]
    name_zh: ShortText
    name_en: ShortText
    budget: Amount
    starts_on: date
    ends_on: date
    rules: RulesInput
    source: ShortText = ""


class ReviseRules(Command, frozen=True, kw_only=True):
    programme_id: UUID
    effective_from: date
    rules: RulesInput


class OpenProgramme(Command, frozen=True, kw_only=True):
    programme_id: UUID


class CloseProgramme(Command, frozen=True, kw_only=True):
    programme_id: UUID
    reason: Note = ""


class AssessPayment(Command, frozen=True, kw_only=True):
    """Evaluate every open programme against one paid obligation (the claims process; once per payment)."""

    obligation_id: UUID


class SubmitClaim(Command, frozen=True, kw_only=True):
    """The beneficiary confirms a raised claim: the account to pay and, where the rule asks, the
    technology-contract registration number (技术合同登记号)."""

    claim_id: UUID
    payee_account: ShortText
    registration_number: ShortText = ""


class ApproveClaim(Command, frozen=True, kw_only=True):
    claim_id: UUID


class RejectClaim(Command, frozen=True, kw_only=True):
    claim_id: UUID
    reason: Note


class RecordDisbursement(Command, frozen=True, kw_only=True):
    claim_id: UUID
    bank_reference: ShortText


class RecordRecovery(Command, frozen=True, kw_only=True):
    claim_id: UUID
    bank_reference: ShortText



#: A calendar year an agency's deals are counted in (Beijing).
Year = Annotated[int, msgspec.Meta(ge=2000, le=2100)]


class ApplyForAgencySubsidy(Command, frozen=True, kw_only=True):
    """A transfer agency's org admin claims an agency performance subsidy for a year: the payments received that
    year on the deals it brokered and not claimed before; ``payee_account`` is where the award is paid."""

    programme_id: UUID
    year: Year
    payee_account: ShortText


class RaiseAgencySubsidies(Command, frozen=True, kw_only=True):
    """A programme officer raises every agency's agency-subsidy claim for a year (each agency submits its own)."""

    programme_id: UUID
    year: Year


# --- innovation vouchers ----------------------------------------------------------------------------
class IssueVouchers(Command, frozen=True, kw_only=True):
    """The officer issues one voucher to each enterprise named (one: on its application; several: in
    bulk). ``batch_key`` names the issue: the same issue sent twice issues each voucher once."""

    programme_id: UUID
    organisation_ids: Annotated[list[UUID], msgspec.Meta(min_length=1, max_length=200)]
    face_value: Amount
    valid_until: date
    batch_key: ShortText
    services: list[ShortText] = msgspec.field(default_factory=list)
    application_reference: ShortText = ""


class ApplyVoucher(Command, frozen=True, kw_only=True):
    """A member of the voucher's holder applies it to a payment its organisation owes (or, reimbursement:
    paid). ``amount``: the voucher part wanted (none: the most the voucher pays)."""

    obligation_id: UUID
    voucher_id: UUID
    amount: Amount | None = None


class SettleRedemption(Command, frozen=True, kw_only=True):
    """The officer paid a redemption's voucher part (to the seller, or reimbursed the buyer)."""

    voucher_id: UUID
    obligation_id: UUID
    bank_reference: ShortText


class RecordVoucherRecovery(Command, frozen=True, kw_only=True):
    """A settled voucher part owed back after its payment was refunded was repaid."""

    voucher_id: UUID
    obligation_id: UUID
    bank_reference: ShortText


class ApplyForVoucher(Command, frozen=True, kw_only=True):
    """A member of a verified enterprise applies for a voucher under an open voucher programme. ``token``
    names the form (or the API request): the same application sent twice is one application."""

    programme_id: UUID
    amount: Amount
    services: Annotated[list[ShortText], msgspec.Meta(max_length=10)] = msgspec.field(default_factory=list)
    purpose: Note = ""
    token: ShortText = ""


class IssueOnApplication(Command, frozen=True, kw_only=True):
    """The officer issues the voucher an application asked for (face value: the amount wanted unless given)."""

    application_id: UUID
    valid_until: date
    face_value: Amount | None = None


class RefuseVoucherApplication(Command, frozen=True, kw_only=True):
    """The officer refuses an application, with the reason the applicant reads."""

    application_id: UUID
    reason: Note


class ExpireVoucher(Command, frozen=True, kw_only=True):
    """The deadline worker expires a voucher past its date; its unused value returns to the budget."""

    voucher_id: UUID


class MarkRelatedParties(Command, frozen=True, kw_only=True):
    """A programme officer records that two organisations are related parties (关联方), and why: a rule that
    excludes related parties then refuses payments between them."""

    organisation_id: UUID
    related_organisation_id: UUID
    reason: Note


class WithdrawRelatedParties(Command, frozen=True, kw_only=True):
    """A programme officer withdraws a relation recorded before (no longer true, or recorded in error)."""

    organisation_id: UUID
    related_organisation_id: UUID
    reason: Note
