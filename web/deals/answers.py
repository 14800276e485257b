"""The JSON answers of the deals API: an offer with its thread, collections, an accepted offer, a payment started."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec

from projections.deals.rows import (
    BenefitRuleRow,
    BenefitShareRow,
    ContractRow,
    ObjectionRow,
    ObligationRow,
    OfferEventRow,
    OfferRow,
    RoyaltyReportDueRow,
)


class OfferDetail(msgspec.Struct, frozen=True):
    offer: OfferRow
    thread: list[OfferEventRow]


class OfferCollection(msgspec.Struct, frozen=True):
    items: list[OfferRow]
    total: int


class ContractCollection(msgspec.Struct, frozen=True):
    items: list[ContractRow]
    total: int


class Notice(msgspec.Struct, frozen=True):
    contract: ContractRow
    objections: list[ObjectionRow]


class NoticeCollection(msgspec.Struct, frozen=True):
    items: list[Notice]
    total: int


class ObligationCollection(msgspec.Struct, frozen=True):
    items: list[ObligationRow]
    total: int


class ShareCollection(msgspec.Struct, frozen=True):
    items: list[BenefitShareRow]
    total: int


class Accepted(msgspec.Struct, frozen=True):
    """The offer was accepted: the contract it drafted, and the log position to read it at."""

    contract_id: UUID
    position: int


class PaymentStarted(msgspec.Struct, frozen=True):
    """The obligation being paid, and what the payer needs next: the PaymentIntent's client secret
    (Stripe) or bank instructions."""

    obligation_id: UUID
    gateway: str
    provider_payment_id: str
    status: str
    client_secret: str | None
    instructions: dict[str, str] | None
    position: int


class OpenLicenceText(msgspec.Struct, frozen=True, kw_only=True):
    """What taking up a listing's open licence would sign now: the contract (its id, texts and SHA-256) and
    terms (``price`` is the fee due on signing, in fen); or, when your organisation already holds a live
    take-up, only ``live_contract_id``."""

    live_contract_id: UUID | None
    contract_id: UUID | None
    text_zh: str
    text_en: str
    text_sha256: str
    terms: dict[str, Any]

class BenefitShareRule(msgspec.Struct, frozen=True, kw_only=True):
    """An organisation's inventors' share of net income (bp): its latest rule, else the legal floor.

    ``applies_to``: a rule reaches the contracts drafted after it is set; each contract keeps the share
    of its drafting day (``ContractRow.inventor_share``). ``history``: the rules set, newest first.
    """

    organisation_id: UUID
    institution: bool
    inventor_share: int
    legal_floor: int
    own_rule: bool
    applies_to: str
    history: list[BenefitRuleRow]


class RoyaltyReportDueCollection(msgspec.Struct, frozen=True):
    items: list[RoyaltyReportDueRow]
    total: int
