"""The JSON bodies of the deal commands: each command's fields without the ids its path gives.

A body has the fields of its command (``marketplace.deals.commands``) with the same types, limits
and defaults, less the path's ids, so the document describes it field by field and msgspec refuses
what the command would refuse; the handler builds the command from the body and the path
(``dc.CounterOffer(offer_id=offer_id, **asdict(data))``). ``tests/web/test_deals_api_bodies.py``
holds each body to its command.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

import msgspec

from marketplace.deals.commands import Amount, InstalmentInput, MilestoneInput, ScopeInput, ValidDays
from marketplace.platform.command import Note, Percent, ShortText, Text


class Body(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A command's JSON body: unknown fields are refused, as the command refuses them."""


class TermsBody(Body, frozen=True, kw_only=True):
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


class MakeOfferBody(TermsBody, frozen=True, kw_only=True):
    """An offer's terms, and the transfer agency brokering it (if any) with its commission in %."""

    broker_organisation_id: UUID | None = None
    broker_commission: Percent = 0.0


class CounterOfferBody(TermsBody, frozen=True, kw_only=True):
    """The new terms; ``expected_version`` refuses the counter if the offer moved on since it was read."""

    expected_version: int | None = None


class RejectOfferBody(Body, frozen=True, kw_only=True):
    reason: Note = ""


class WithdrawOfferBody(Body, frozen=True, kw_only=True):
    reason: Note = ""


class FileObjectionBody(Body, frozen=True, kw_only=True):
    text: Text


class DecideObjectionBody(Body, frozen=True, kw_only=True):
    upheld: bool
    reason: Text


class SignContractBody(Body, frozen=True, kw_only=True):
    """The SHA-256 of the contract text the signer read (the contract's ``text_sha256``)."""

    text_sha256: Annotated[str, msgspec.Meta(pattern="^[0-9a-f]{64}$")]


class TerminateContractBody(Body, frozen=True, kw_only=True):
    reason: ShortText


class RecordRegistrationBody(Body, frozen=True, kw_only=True):
    """The patent office's reference of the recorded licence or assignment."""

    reference: ShortText


class ReachMilestoneBody(Body, frozen=True, kw_only=True):
    name: ShortText


class DeliverMilestoneBody(Body, frozen=True, kw_only=True):
    """A development milestone delivered, with a note for the client."""

    name: ShortText
    note: Note = ""


class AgreeDevelopmentResultsBody(Body, frozen=True, kw_only=True):
    """A draft development contract's results clauses: who holds the right to apply for patents on the results
    (``developer``, ``joint`` or ``client``) and confidentiality's years after the contract ends (1–20)."""

    ownership: Annotated[str, msgspec.Meta(max_length=20)]
    confidential_years: Annotated[int, msgspec.Meta(ge=1, le=20)] = 3


class FileRoyaltyReportBody(Body, frozen=True, kw_only=True):
    """Net sales (minor units) over [period_start, period_end]."""

    period_start: date
    period_end: date
    net_sales: Amount


class StartPaymentBody(Body, frozen=True, kw_only=True):
    """Which payment (``upfront``, an instalment, a milestone, a royalty period) and how."""

    purpose: ShortText = "upfront"
    #: ``stripe`` (card) or ``manual`` (bank transfer); none: card when it can take the amount.
    gateway: ShortText | None = None
    #: Where the money comes from: ``own`` (自有资金), ``fiscal_programme`` (财政科技项目资金) or
    #: ``government_procurement`` (政府采购); declared before paying. None: as declared (``own`` until then).
    funds_source: ShortText | None = None


class RecordManualReceiptBody(Body, frozen=True, kw_only=True):
    amount: Amount
    bank_reference: ShortText


class RefundPaymentBody(Body, frozen=True, kw_only=True):
    reason: Note


class TakeOpenLicenceBody(Body, frozen=True, kw_only=True):
    """The SHA-256 of the contract text the taker was shown (``GET /api/listings/{id}/open-licence``); the
    take-up is refused (409) when the text would now differ. Without it (or without a body, as before the
    confirmation existed) the current text is signed: clients should send it."""

    text_sha256: Annotated[str, msgspec.Meta(pattern="^[0-9a-f]{64}$")] | None = None

class SetBenefitRulesBody(Body, frozen=True, kw_only=True):
    """The inventors' share of net income, in % (50, the legal floor, to 100); it applies to contracts
    drafted after the change."""

    inventor_share: Percent
