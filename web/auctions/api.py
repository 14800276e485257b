"""Auctions in the JSON API: sessions and lots (platform admin), the owner's consent, bidders' registration and
deposits, bids, and the public state of a lot (polled by the lot page) and its bid log (public after the close,
bidder numbers instead of names)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, get, post
from litestar.exceptions import NotFoundException

from domain.auctions.lot import UNCONSENTED, deposit_id
from marketplace.auctions import commands as ac
from marketplace.deals.commands import Amount
from marketplace.platform.application import Marketplace
from marketplace.platform.command import Note, ShortText
from projections.auctions.queries import (
    AuctionsQueries,
    BidRow,
    CommitmentRow,
    LotRow,
    SessionFigures,
    SessionRow,
    session_figures,
)
from web.access import reads_everything
from web.answers import Created, Done
from web.api_docs import BEARER, OPTIONAL_BEARER
from web.commands import run_command
from web.context import Identity
from web.state import WebState


class Registered(msgspec.Struct, frozen=True):
    """The organisation's bidder number in the session (its name in the public bid log)."""

    bidder_number: int
    position: int


class DepositStarted(msgspec.Struct, frozen=True):
    """The deposit being paid and what the payer needs next: the bank instructions, or the card payment's
    ``client_secret`` (Stripe; the deposit is received when Stripe's webhook says the payment succeeded)."""

    deposit_id: UUID
    gateway: str
    provider_payment_id: str
    status: str
    client_secret: str | None
    instructions: dict[str, str] | None
    position: int


class DepositInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """``gateway``: ``manual`` (bank transfer; none: the same) or ``stripe`` (card)."""

    gateway: Annotated[str, msgspec.Meta(max_length=10)] | None = None


class ReceiptInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A bidder's deposit received by bank transfer: whose, how much (fen) and the bank's reference."""

    organisation_id: UUID
    amount: Amount
    bank_reference: ShortText


class BidInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The amount bid, in fen: the start, or the current price plus a whole multiple of the increment."""

    amount: Amount


class ProxyInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The hidden maximum (fen) that bids for you: on the increment grid, at least the smallest bid taken now."""

    maximum: Amount


class CommitInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Your sealed bid's commitment: SHA-256 (64 lowercase hex digits) of the ASCII text
    ``sealed-bid:v1:<lot id>:<your bidder number>:<amount in fen>:<salt>``, computed on your side with a salt of 32
    to 128 random lowercase hex digits that you keep: the amount never reaches the server before the reveal."""

    commitment: ac.Commitment


class RevealInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """In the reveal window: the amount (fen) and the salt you committed to."""

    amount: Amount
    salt: ac.Salt


class DeclineInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Why the listing's owner declines the proposed lot (the session's runner reads it)."""

    reason: Note


class RegisterInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    accept_rules: bool


class LotState(msgspec.Struct, frozen=True, kw_only=True):
    """A lot's live state at the server's clock (``now``): what the lot page polls. ``phase``: ``proposed`` (or
    ``declined``: the owner's members, the runner, platform admins and auditors alone see such a lot),
    ``upcoming``, ``bidding`` (timed), ``commit`` or ``reveal`` (sealed), ``closing`` (over, the close pending) or
    ``closed``; ``seconds_left``: until the end of the phase (bidding or commit: ``closes_at``; reveal:
    ``reveal_closes_at``). After the close, ``bids`` (timed) or ``commitments`` (sealed: each digest with its
    revealed amount and salt, or forfeited) is the full log with bidder numbers."""

    lot: LotRow
    now: datetime
    seconds_left: int
    bids: list[BidRow]
    phase: str = ""
    commitments: list[CommitmentRow] = msgspec.field(default_factory=list)


#: A lot's statuses once closed (its log public): sold, unsold, and after a sale the winner's forfeit or the
#: seller's default.
FINISHED = ("sold", "unsold", "forfeited", "seller_default", "unwound")


def lot_phase(lot: LotRow, now: datetime) -> tuple[str, datetime]:
    """The lot's phase at ``now`` and the end of that phase (see :class:`LotState`)."""
    sealed = lot.auction_format != "timed" and lot.reveal_closes_at is not None
    if lot.status in FINISHED:
        return "closed", lot.closes_at
    if lot.status in UNCONSENTED:
        return lot.status, lot.opens_at
    if now < lot.opens_at:
        return "upcoming", lot.opens_at
    if now < lot.closes_at:
        return ("commit" if sealed else "bidding"), lot.closes_at
    if sealed and lot.reveal_closes_at is not None and now < lot.reveal_closes_at:
        return "reveal", lot.reveal_closes_at
    return "closing", lot.reveal_closes_at if sealed and lot.reveal_closes_at is not None else lot.closes_at


class SessionOut(msgspec.Struct, frozen=True):
    session: SessionRow
    lots: list[LotRow]
    figures: SessionFigures


def may_see_lot(me: Identity | None, lot: LotRow, runner: UUID | None) -> bool:
    """A lot its owner has not consented to (proposed, or declined) is shown only to the owner's members, the
    session's runner (``runner``: the agency; the platform's sessions: its admins) and platform admins and
    auditors: an agency may propose any listing, and the owner has not agreed to see it auctioned. Consented lots
    are public."""
    if lot.status not in UNCONSENTED:
        return True
    return me is not None and (reads_everything(me) or me.organisation_id == lot.seller_organisation_id
                               or (runner is not None and me.organisation_id == runner))


async def visible_lots(queries: AuctionsQueries, session: SessionRow, me: Identity | None) -> list[LotRow]:
    """The session's lots that ``me`` may see (:func:`may_see_lot`)."""
    return [lot for lot in await queries.lots(session.id) if may_see_lot(me, lot, session.organisation_id)]


async def lot_state(web: WebState, marketplace: Marketplace, lot_id: UUID, me: Identity | None) -> LotState:
    queries = AuctionsQueries(web.pool)
    lot = await queries.lot(lot_id)
    session = await queries.session(lot.session_id) if lot is not None else None
    if lot is None or not may_see_lot(me, lot, session.organisation_id if session else None):
        # An unconsented lot is not public: to anyone else it does not exist.
        raise NotFoundException(f"lot_id: no lot with id {lot_id}")
    now = marketplace.clock.now()
    finished = lot.status in FINISHED
    phase, ends = lot_phase(lot, now)
    if lot.auction_format == "timed":
        ends = lot.closes_at
    return LotState(lot=lot, now=now, seconds_left=max(0, int((ends - now).total_seconds())),
                    bids=await queries.bids(lot_id) if finished else [], phase=phase,
                    commitments=await queries.commitments(lot_id) if finished else [])


class AuctionsApiController(Controller):
    path = "/api"
    tags = ["auctions"]  # noqa: RUF012 - litestar declares it as an instance attribute

    @post("/auctions", summary="Schedule an auction session (platform admin)", security=BEARER)
    async def schedule(self, data: ac.ScheduleSession, web: WebState, marketplace: Marketplace,
                       me: Identity) -> Created:
        session_id, position = await run_command(web, marketplace.auctions.schedule_session, data, me)
        return Created(session_id, position)

    @get("/auctions", summary="Auction sessions, newest first", security=OPTIONAL_BEARER)
    async def sessions(self, web: WebState) -> list[SessionRow]:
        return await AuctionsQueries(web.pool).sessions()

    @get("/auctions/{session_id:uuid}", summary="A session and its lots", security=OPTIONAL_BEARER)
    async def session(self, session_id: UUID, web: WebState, maybe_me: Identity | None) -> SessionOut:
        queries = AuctionsQueries(web.pool)
        found = await queries.session(session_id)
        if found is None:
            raise NotFoundException(f"session_id: no session with id {session_id}")
        lots = await visible_lots(queries, found, maybe_me)
        return SessionOut(found, lots, session_figures(lots))

    @post("/auctions/{session_id:uuid}/lots", summary="Add a published listing as a lot (platform admin); it "
          "waits for the owner's consent", security=BEARER)
    async def add_lot(self, session_id: UUID, data: ac.AddLot, web: WebState, marketplace: Marketplace,
                      me: Identity) -> Created:
        if data.session_id != session_id:
            raise NotFoundException("session_id: the lot names another session")
        lot_id, position = await run_command(web, marketplace.auctions.add_lot, data, me)
        return Created(lot_id, position)

    @post("/auctions/{session_id:uuid}/bidders", summary="Register your organisation to bid (verified "
          "organisations; accept the rules)", security=BEARER)
    async def register(self, session_id: UUID, data: RegisterInput, web: WebState, marketplace: Marketplace,
                       me: Identity) -> Registered:
        cmd = ac.RegisterBidder(session_id=session_id, accept_rules=data.accept_rules)
        number, position = await run_command(web, marketplace.auctions.register, cmd, me)
        return Registered(number, position)

    @post("/lots/{lot_id:uuid}/consent", summary="Consent to the lot (an org admin of the listing's owner)",
          status_code=200, security=BEARER)
    async def consent(self, lot_id: UUID, web: WebState, marketplace: Marketplace, me: Identity) -> Done:
        return Done(await run_command(web, marketplace.auctions.consent, ac.ConsentToLot(lot_id=lot_id), me))

    @post("/lots/{lot_id:uuid}/decline", summary="Decline a proposed lot, saying why (a member of the listing's "
          "owner); the session's runner is told, and the lot can no longer be consented to or bid on",
          status_code=200, security=BEARER)
    async def decline(self, lot_id: UUID, data: DeclineInput, web: WebState, marketplace: Marketplace,
                      me: Identity) -> Done:
        cmd = ac.DeclineLot(lot_id=lot_id, reason=data.reason)
        return Done(await run_command(web, marketplace.auctions.decline_lot, cmd, me))

    @post("/lots/{lot_id:uuid}/deposit", summary="Start (or resume) paying your deposit for the lot",
          status_code=200, security=BEARER)
    async def deposit(self, lot_id: UUID, web: WebState, marketplace: Marketplace, me: Identity,
                      data: DepositInput | None = None) -> DepositStarted:
        cmd = ac.StartDeposit(lot_id=lot_id, gateway=(data or DepositInput()).gateway)
        start, position = await run_command(web, marketplace.auctions.start_deposit, cmd, me)
        return DepositStarted(deposit_id=deposit_id(lot_id, me.organisation_id), gateway=start.gateway,
                              provider_payment_id=start.provider_payment_id, status=start.status,
                              client_secret=start.client_secret, instructions=start.instructions, position=position)

    @post("/lots/{lot_id:uuid}/deposit-receipt", summary="Record a deposit received by bank transfer (platform "
          "admin)", status_code=200, security=BEARER)
    async def receipt(self, lot_id: UUID, data: ReceiptInput, web: WebState, marketplace: Marketplace,
                      me: Identity) -> Done:
        cmd = ac.RecordDepositReceipt(lot_id=lot_id, organisation_id=data.organisation_id, amount=data.amount,
                                      bank_reference=data.bank_reference)
        return Done(await run_command(web, marketplace.auctions.record_deposit, cmd, me))

    @post("/lots/{lot_id:uuid}/bids", summary="Bid on a lot (a registered bidder whose deposit was received)",
          status_code=200, security=BEARER)
    async def bid(self, lot_id: UUID, data: BidInput, web: WebState, marketplace: Marketplace,
                  me: Identity) -> Done:
        cmd = ac.PlaceBid(lot_id=lot_id, amount=data.amount)
        return Done(await run_command(web, marketplace.auctions.bid, cmd, me))

    @post("/lots/{lot_id:uuid}/proxy", summary="Set a proxy bid: a hidden maximum that bids for you by the "
          "smallest raise that keeps you ahead", status_code=200, security=BEARER)
    async def proxy(self, lot_id: UUID, data: ProxyInput, web: WebState, marketplace: Marketplace,
                    me: Identity) -> Done:
        cmd = ac.SetProxyBid(lot_id=lot_id, maximum=data.maximum)
        return Done(await run_command(web, marketplace.auctions.set_proxy, cmd, me))

    @post("/lots/{lot_id:uuid}/commitments", summary="Commit your sealed bid before the commit deadline (a "
          "registered bidder whose deposit was received): the digest only, computed on your side", status_code=200,
          security=BEARER)
    async def commit(self, lot_id: UUID, data: CommitInput, web: WebState, marketplace: Marketplace,
                     me: Identity) -> Done:
        cmd = ac.CommitSealedBid(lot_id=lot_id, commitment=data.commitment)
        return Done(await run_command(web, marketplace.auctions.commit_sealed_bid, cmd, me))

    @post("/lots/{lot_id:uuid}/reveals", summary="Reveal your sealed bid in the reveal window: the amount and salt "
          "must give the digest you committed", status_code=200, security=BEARER)
    async def reveal(self, lot_id: UUID, data: RevealInput, web: WebState, marketplace: Marketplace,
                     me: Identity) -> Done:
        cmd = ac.RevealSealedBid(lot_id=lot_id, amount=data.amount, salt=data.salt)
        return Done(await run_command(web, marketplace.auctions.reveal_sealed_bid, cmd, me))

    @get("/lots/{lot_id:uuid}", summary="A lot's live state at the server's clock; after the close, its full bid "
         "log with bidder numbers", security=OPTIONAL_BEARER)
    async def lot(self, lot_id: UUID, web: WebState, marketplace: Marketplace,
                  maybe_me: Identity | None) -> LotState:
        return await lot_state(web, marketplace, lot_id, maybe_me)
