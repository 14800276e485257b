"""Auctions read model, reading side (asyncpg): sessions, lots with their live state, bidders, deposits and the
bid log (public with bidder numbers once the lot is closed)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg
import msgspec
from eventsourcing.postgres import PostgresDatastore


class SessionRow(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    title_zh: str
    title_en: str
    deposit_rate: int
    scheduled_at: datetime
    #: Beijing days after a lot's close within which its winner signs and pays, else forfeits its deposit.
    settle_days: int = 10
    #: The transfer agency running the session; null: the platform.
    organisation_id: UUID | None = None


class LotRow(msgspec.Struct, frozen=True, kw_only=True):
    """A lot as the public sees it: ``reserve`` is null unless shown; ``reserve_met`` always says."""

    id: UUID
    session_id: UUID
    listing_id: UUID
    seller_organisation_id: UUID
    title_zh: str
    title_en: str
    seller_name: str
    kind: str
    currency: str
    start_price: int
    reserve: int | None
    reserve_met: bool
    increment: int
    deposit: int
    opens_at: datetime
    closes_at: datetime
    status: str
    current_price: int | None
    leader_number: int | None
    bids: int
    outcome: str | None
    price: int | None
    contract_id: UUID | None
    version: int
    #: A sold lot's deadline for its winner to sign and pay (then ``forfeited`` if it did not).
    settle_by: datetime | None = None
    #: ``timed``, ``sealed_first_price`` or ``sealed_second_price``; a sealed lot's ``closes_at`` is its commit
    #: deadline and ``reveal_closes_at`` the end of its reveal window
    auction_format: str = "timed"
    reveal_closes_at: datetime | None = None
    commitments: int = 0
    reveals: int = 0
    #: a lot its owner declined: the owner's reason (shown to the session's runner only: such a lot is not public)
    decline_reason: str | None = None


class CommitmentRow(msgspec.Struct, frozen=True, kw_only=True):
    """A sealed bid in the public log after the close: the digest committed and, if revealed, the amount and salt
    (anyone can recompute the digest); ``forfeited``: never revealed, the deposit kept."""

    seq: int
    bidder_number: int
    commitment: str
    committed_at: datetime
    amount: int | None
    salt: str | None
    revealed_at: datetime | None
    forfeited: bool


class BidRow(msgspec.Struct, frozen=True, kw_only=True):
    seq: int
    bidder_number: int
    amount: int
    placed_at: datetime
    closes_at: datetime


class BidderRow(msgspec.Struct, frozen=True, kw_only=True):
    """A registered bidder as the session's runner sees it (the public sees bidder numbers only)."""

    bidder_number: int
    organisation_id: UUID
    organisation_name: str
    registered_at: datetime


class DepositRow(msgspec.Struct, frozen=True, kw_only=True):
    lot_id: UUID
    organisation_id: UUID
    bidder_number: int
    amount: int
    reference: str
    gateway: str
    status: str


class SessionFigures(msgspec.Struct, frozen=True, kw_only=True):
    """What a session reports (CTEX's first patent auction sold 40 % of its lots): lots, lots closed, lots sold,
    the sell-through rate of the closed lots and the premium of the hammer prices over the starting prices, in
    basis points (null until a lot closes, resp. sells)."""

    lots: int
    closed: int
    sold: int
    sell_through: int | None
    premium: int | None


def session_figures(lots: list[LotRow]) -> SessionFigures:
    closed = [lot for lot in lots if lot.status in ("sold", "unsold", "forfeited", "seller_default", "unwound")]
    sold = [lot for lot in closed if lot.status == "sold" and lot.price is not None]
    starts = sum(lot.start_price for lot in sold)
    return SessionFigures(
        lots=len(lots), closed=len(closed), sold=len(sold),
        sell_through=len(sold) * 10_000 // len(closed) if closed else None,
        premium=(sum(int(lot.price or 0) for lot in sold) - starts) * 10_000 // starts if starts else None)


SESSION_SELECT = ("SELECT id, title_zh, title_en, deposit_rate, scheduled_at, organisation_id, settle_days"
                  " FROM auction_sessions")
LOT_SELECT = (
    "SELECT l.id, l.session_id, l.listing_id, l.seller_organisation_id, coalesce(c.title_zh, '') AS title_zh,"
    " coalesce(c.title_en, '') AS title_en, coalesce(o.name, '') AS seller_name, l.kind, l.currency, l.start_price,"
    " CASE WHEN l.reserve_shown THEN l.reserve END AS reserve,"
    " (l.current_price IS NOT NULL AND l.current_price >= l.reserve) AS reserve_met, l.increment, l.deposit,"
    " l.opens_at, l.closes_at, l.status, l.current_price, l.leader_number, l.bids, l.outcome, l.price,"
    " l.contract_id, l.version, l.settle_by,"
    " l.auction_format, l.reveal_closes_at, l.commitments, l.reveals, l.decline_reason"
    " FROM auction_lots l LEFT JOIN catalogue_listings c ON c.id = l.listing_id"
    " LEFT JOIN accounts_organisations o ON o.id = l.seller_organisation_id"
)
COMMITMENT_SELECT = ("SELECT seq, bidder_number, commitment, committed_at, amount, salt, revealed_at, forfeited"
                     " FROM auction_commitments")


class AuctionsQueries:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def sessions(self) -> list[SessionRow]:
        rows = await self.pool.fetch(f"{SESSION_SELECT} ORDER BY scheduled_at DESC LIMIT 100")
        return [SessionRow(**dict(r)) for r in rows]

    async def run_by(self, organisation_id: UUID | None) -> list[SessionRow]:
        """The sessions an organisation runs (``None``: every session, for a platform admin), newest first."""
        rows = await self.pool.fetch(f"{SESSION_SELECT} WHERE $1::uuid IS NULL OR organisation_id = $1"
                                     " ORDER BY scheduled_at DESC LIMIT 100", organisation_id)
        return [SessionRow(**dict(r)) for r in rows]

    async def bidders(self, session_id: UUID) -> list[BidderRow]:
        """The organisations registered for a session, by bidder number (for the people running it)."""
        rows = await self.pool.fetch(
            "SELECT b.bidder_number, b.organisation_id, coalesce(o.name, '') AS organisation_name, b.registered_at"
            " FROM auction_bidders b LEFT JOIN accounts_organisations o ON o.id = b.organisation_id"
            " WHERE b.session_id = $1 ORDER BY b.bidder_number", session_id)
        return [BidderRow(**dict(r)) for r in rows]

    async def session_deposits(self, session_id: UUID) -> list[DepositRow]:
        """Every deposit started on the session's lots (for the people running it)."""
        rows = await self.pool.fetch(
            "SELECT d.lot_id, d.organisation_id, d.bidder_number, d.amount, d.reference, d.gateway, d.status"
            " FROM auction_deposits d JOIN auction_lots l ON l.id = d.lot_id WHERE l.session_id = $1"
            " ORDER BY l.opens_at, l.id, d.bidder_number", session_id)
        return [DepositRow(**dict(r)) for r in rows]

    async def session(self, session_id: UUID) -> SessionRow | None:
        row = await self.pool.fetchrow(f"{SESSION_SELECT} WHERE id = $1", session_id)
        return SessionRow(**dict(row)) if row else None

    async def lots(self, session_id: UUID) -> list[LotRow]:
        rows = await self.pool.fetch(f"{LOT_SELECT} WHERE l.session_id = $1 ORDER BY l.opens_at, l.id", session_id)
        return [LotRow(**dict(r)) for r in rows]

    async def lot(self, lot_id: UUID) -> LotRow | None:
        row = await self.pool.fetchrow(f"{LOT_SELECT} WHERE l.id = $1", lot_id)
        return LotRow(**dict(row)) if row else None

    async def bids(self, lot_id: UUID) -> list[BidRow]:
        rows = await self.pool.fetch("SELECT seq, bidder_number, amount, placed_at, closes_at FROM auction_bids"
                                     " WHERE lot_id = $1 ORDER BY seq", lot_id)
        return [BidRow(**dict(r)) for r in rows]

    async def commitments(self, lot_id: UUID) -> list[CommitmentRow]:
        rows = await self.pool.fetch(f"{COMMITMENT_SELECT} WHERE lot_id = $1 ORDER BY seq", lot_id)
        return [CommitmentRow(**dict(r)) for r in rows]

    async def my_commitment(self, lot_id: UUID, organisation_id: UUID | None) -> CommitmentRow | None:
        """The organisation's own commitment on the lot (its page says whether it still has to reveal)."""
        if organisation_id is None:
            return None
        row = await self.pool.fetchrow(f"{COMMITMENT_SELECT} WHERE lot_id = $1 AND organisation_id = $2", lot_id,
                                       organisation_id)
        return CommitmentRow(**dict(row)) if row else None

    async def bidder_number(self, session_id: UUID, organisation_id: UUID | None) -> int | None:
        if organisation_id is None:
            return None
        number = await self.pool.fetchval("SELECT bidder_number FROM auction_bidders WHERE session_id = $1"
                                          " AND organisation_id = $2", session_id, organisation_id)
        return int(number) if number is not None else None

    async def deposits(self, *, organisation_id: UUID | None = None, lot_id: UUID | None = None,
                       status: str | None = None) -> list[DepositRow]:
        rows = await self.pool.fetch(
            "SELECT lot_id, organisation_id, bidder_number, amount, reference, gateway, status FROM auction_deposits"
            " WHERE ($1::uuid IS NULL OR organisation_id = $1) AND ($2::uuid IS NULL OR lot_id = $2)"
            " AND ($3::text IS NULL OR status = $3) ORDER BY updated_at", organisation_id, lot_id, status)
        return [DepositRow(**dict(r)) for r in rows]

    async def awaiting_consent(self, organisation_id: UUID) -> list[LotRow]:
        rows = await self.pool.fetch(f"{LOT_SELECT} WHERE l.seller_organisation_id = $1 AND l.status = 'proposed'"
                                     " ORDER BY l.opens_at", organisation_id)
        return [LotRow(**dict(r)) for r in rows]

    async def deposits_to_pay(self, organisation_id: UUID) -> list[tuple[LotRow, DepositRow]]:
        """The organisation's deposits started and not received yet, on lots still open, with their lots."""
        rows = await self.pool.fetch(
            f"{LOT_SELECT} JOIN auction_deposits d ON d.lot_id = l.id WHERE d.organisation_id = $1"
            " AND d.status = 'pending' AND l.status = 'ready' ORDER BY l.closes_at", organisation_id)
        found = [LotRow(**dict(r)) for r in rows]
        deposits = {d.lot_id: d for d in await self.deposits(organisation_id=organisation_id, status="pending")}
        return [(lot, deposits[lot.id]) for lot in found if lot.id in deposits]

    async def deposits_awaiting_receipt(self) -> list[tuple[LotRow, DepositRow]]:
        """Every deposit started by bank transfer and not received yet (the platform admin records them)."""
        pending = [d for d in await self.deposits(status="pending") if d.gateway == "manual"]
        lots = {lot.id: lot for lot in [await self.lot(d.lot_id) for d in pending] if lot is not None}
        return [(lots[d.lot_id], d) for d in pending if d.lot_id in lots and lots[d.lot_id].status == "ready"]

    async def refunds_owed(self) -> list[tuple[LotRow, DepositRow]]:
        """Every deposit whose refund the gateway refused or could not make (the deadline worker retries it; the
        platform admin follows it up), and every second payment of a deposit whose refund is owed (its reference:
        the payment's own, a bank reference or a PaymentIntent)."""
        owed = await self.deposits(status="refund_owed")
        seconds = await self.pool.fetch(
            "SELECT s.lot_id, s.organisation_id, d.bidder_number, s.amount, s.provider_payment_id AS reference,"
            " s.gateway, s.status FROM auction_second_payments s JOIN auction_deposits d ON d.lot_id = s.lot_id"
            " AND d.organisation_id = s.organisation_id WHERE s.status = 'refund_owed' ORDER BY s.updated_at")
        owed += [DepositRow(**dict(r)) for r in seconds]
        rows = await self.pool.fetch(f"{LOT_SELECT} WHERE l.id = ANY($1::uuid[])", list({d.lot_id for d in owed}))
        lots = {lot.id: lot for lot in (LotRow(**dict(r)) for r in rows)}
        return [(lots[d.lot_id], d) for d in owed if d.lot_id in lots]

    async def reveals_due(self, organisation_id: UUID, now: datetime) -> list[LotRow]:
        """Sealed lots in their reveal window on which the organisation committed and has not revealed yet."""
        rows = await self.pool.fetch(
            f"{LOT_SELECT} JOIN auction_commitments m ON m.lot_id = l.id WHERE m.organisation_id = $1"
            " AND m.amount IS NULL AND NOT m.forfeited AND l.status = 'ready' AND l.closes_at <= $2"
            " AND $2 < l.reveal_closes_at ORDER BY l.reveal_closes_at", organisation_id, now)
        return [LotRow(**dict(r)) for r in rows]

    async def won(self, organisation_id: UUID) -> list[LotRow]:
        rows = await self.pool.fetch(f"{LOT_SELECT} WHERE l.winner_organisation_id = $1 AND l.status = 'sold'"
                                     " ORDER BY l.closed_at DESC LIMIT 50", organisation_id)
        return [LotRow(**dict(r)) for r in rows]


def lots_to_close(datastore: PostgresDatastore, now: datetime, limit: int = 500) -> list[UUID]:
    """Consented lots whose window (a sealed lot's: its reveal window) has ended (for the deadline worker; the lot
    itself decides)."""
    with datastore.transaction(commit=False) as curs:
        curs.execute("SELECT id FROM auction_lots WHERE status = 'ready' AND coalesce(reveal_closes_at, closes_at)"
                     " <= %s ORDER BY coalesce(reveal_closes_at, closes_at), id LIMIT %s", (now, limit))
        return [row["id"] for row in curs.fetchall()]


def lots_to_remind(datastore: PostgresDatastore, now: datetime, limit: int = 500) -> list[UUID]:
    """Sealed lots in their reveal window with commitments not revealed and a reminder due: the first when the
    window opens, the second once half of it has passed (the lot decides again)."""
    with datastore.transaction(commit=False) as curs:
        curs.execute("SELECT id FROM auction_lots WHERE status = 'ready' AND reveal_closes_at IS NOT NULL"
                     " AND closes_at <= %s AND %s < reveal_closes_at AND commitments > reveals"
                     " AND reminded < CASE WHEN %s >= closes_at + (reveal_closes_at - closes_at) / 2 THEN 2 ELSE 1"
                     " END ORDER BY reveal_closes_at, id LIMIT %s", (now, now, now, limit))
        return [row["id"] for row in curs.fetchall()]


def deposits_to_pay_in(datastore: PostgresDatastore, limit: int = 500) -> list[UUID]:
    """Sold lots whose winner's deposit has not paid its contract instalment yet (the application checks whether
    the contract is signed)."""
    with datastore.transaction(commit=False) as curs:
        curs.execute("SELECT id FROM auction_lots WHERE status = 'sold' AND contract_id IS NOT NULL"
                     " AND NOT deposit_paid_in ORDER BY closed_at, id LIMIT %s", (limit,))
        return [row["id"] for row in curs.fetchall()]


def lots_to_forfeit(datastore: PostgresDatastore, now: datetime, limit: int = 500) -> list[UUID]:
    """Sold lots past their winner's term whose deposit has not paid its instalment (for the deadline worker; the
    application checks whether the contract came into force)."""
    with datastore.transaction(commit=False) as curs:
        curs.execute("SELECT id FROM auction_lots WHERE status = 'sold' AND contract_id IS NOT NULL"
                     " AND NOT deposit_paid_in AND settle_by <= %s ORDER BY settle_by, id LIMIT %s", (now, limit))
        return [row["id"] for row in curs.fetchall()]


def lots_owing_refunds(datastore: PostgresDatastore, limit: int = 500) -> list[UUID]:
    """Lots with a deposit refund the gateway refused (``refund_owed``), or a second payment of a deposit not
    refunded yet, for the deadline worker to try again."""
    with datastore.transaction(commit=False) as curs:
        curs.execute("SELECT lot_id FROM auction_deposits WHERE status = 'refund_owed' UNION SELECT lot_id FROM"
                     " auction_second_payments WHERE status <> 'refunded' ORDER BY lot_id LIMIT %s", (limit,))
        return [row["lot_id"] for row in curs.fetchall()]
