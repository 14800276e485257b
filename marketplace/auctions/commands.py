"""Command structs (msgspec, frozen) of auctions: sessions, lots, consent, registration, deposits, bids, close.

Amounts are in fen; times are instants with their offset (ISO 8601); ``deposit_rate`` is in basis points of the
starting price (500–2000: 5–20 %).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from domain.auctions.lot import SETTLE_DAYS_DEFAULT, SETTLE_DAYS_MAX, SETTLE_DAYS_MIN, LotKind
from domain.auctions.sealed import LotFormat
from domain.auctions.session import DEPOSIT_RATE_DEFAULT, DEPOSIT_RATE_MAX, DEPOSIT_RATE_MIN, TITLE_LIMIT
from marketplace.deals.commands import Amount
from marketplace.platform.command import Command, Note, RequestKey, ShortText, one_of
from marketplace.platform.command_text import LINE, LINE_RULE

Title = Annotated[str, msgspec.Meta(max_length=TITLE_LIMIT, extra=LINE, description=LINE_RULE)]
Rate = Annotated[int, msgspec.Meta(ge=DEPOSIT_RATE_MIN, le=DEPOSIT_RATE_MAX)]
SettleDays = Annotated[int, msgspec.Meta(ge=SETTLE_DAYS_MIN, le=SETTLE_DAYS_MAX)]


class ScheduleSession(Command, frozen=True, kw_only=True):
    """A platform admin schedules an auction session (拍卖会); its deposit rate applies to each lot's start;
    ``settle_days``: the Beijing days after a lot's close within which its winner signs and pays (else it forfeits
    its deposit). ``session_id`` is an idempotency key (a double submit schedules one session), not the session's
    id: the answer gives that."""

    title_zh: Title = ""
    title_en: Title = ""
    deposit_rate: Rate = DEPOSIT_RATE_DEFAULT
    session_id: RequestKey | None = None
    settle_days: SettleDays = SETTLE_DAYS_DEFAULT


class AddLot(Command, frozen=True, kw_only=True):
    """A platform admin puts a published listing up as a lot; it waits for the owner's consent."""

    session_id: UUID
    listing_id: UUID
    kind: Annotated[str, one_of(LotKind)]
    start_price: Amount
    reserve: Amount = 0
    reserve_shown: bool = False
    increment: Amount
    opens_at: datetime
    closes_at: datetime
    #: ``timed`` (ascending bids), ``sealed_first_price`` or ``sealed_second_price`` (commit–reveal: ``closes_at``
    #: is then the commit deadline and ``reveal_closes_at`` the end of the reveal window)
    auction_format: Annotated[str, one_of(LotFormat)] = LotFormat.TIMED.value
    reveal_closes_at: datetime | None = None


class ConsentToLot(Command, frozen=True, kw_only=True):
    """An org admin of the listing's owner agrees to the lot's terms."""

    lot_id: UUID


class DeclineLot(Command, frozen=True, kw_only=True):
    """A member of the listing's owner declines a proposed lot, saying why (the runner is told)."""

    lot_id: UUID
    reason: Note


class RegisterBidder(Command, frozen=True, kw_only=True):
    """A member of a verified organisation registers it for a session, accepting the rules."""

    session_id: UUID
    accept_rules: bool


class StartDeposit(Command, frozen=True, kw_only=True):
    """A registered bidder starts paying its deposit for a lot: ``manual`` (bank transfer, the default) or
    ``stripe`` (card; confirmed by Stripe's webhook)."""

    lot_id: UUID
    gateway: ShortText | None = None


class RecordDepositReceipt(Command, frozen=True, kw_only=True):
    """A platform admin records a bidder's deposit received by bank transfer."""

    lot_id: UUID
    organisation_id: UUID
    amount: Amount
    bank_reference: ShortText


class PlaceBid(Command, frozen=True, kw_only=True):
    """A registered bidder whose deposit was received bids on a lot."""

    lot_id: UUID
    amount: Amount


class SetProxyBid(Command, frozen=True, kw_only=True):
    """A bidder whose deposit was received sets a hidden maximum that bids for it (proxy bid)."""

    lot_id: UUID
    maximum: Amount


class CloseLot(Command, frozen=True, kw_only=True):
    """The deadline worker closes a lot whose bidding window ended."""

    lot_id: UUID


class PayInDeposit(Command, frozen=True, kw_only=True):
    """The deadline worker pays a winner's deposit into its signed contract's deposit instalment."""

    lot_id: UUID


class ForfeitLot(Command, frozen=True, kw_only=True):
    """The deadline worker ends a sale whose winner did not sign and pay within the session's term."""

    lot_id: UUID


class RetryRefunds(Command, frozen=True, kw_only=True):
    """The deadline worker tries again the refunds of a lot's deposits that the gateway refused (owed)."""

    lot_id: UUID


Commitment = Annotated[str, msgspec.Meta(pattern="^[0-9a-f]{64}$", description=(
    "SHA-256 (64 lowercase hex digits) of the ASCII text sealed-bid:v1:<lot id>:<bidder number>:<amount in fen>:"
    "<salt>, computed by the bidder: the amount never reaches the server before the reveal"))]
Salt = Annotated[str, msgspec.Meta(pattern="^[0-9a-f]{32,128}$", description="32 to 128 lowercase hex digits")]


class CommitSealedBid(Command, frozen=True, kw_only=True):
    """A registered bidder whose deposit was received commits its sealed bid before the commit deadline."""

    lot_id: UUID
    commitment: Commitment


class RevealSealedBid(Command, frozen=True, kw_only=True):
    """In the reveal window, the bidder opens its commitment: the amount (fen) and the salt it hashed."""

    lot_id: UUID
    amount: Amount
    salt: Salt


class RemindReveals(Command, frozen=True, kw_only=True):
    """The deadline worker reminds the bidders of a sealed lot who committed and have not revealed."""

    lot_id: UUID
