"""Demo auctions (issue 15): a past session with its results and an upcoming one open for registration.

The past session, run by the platform ten days ago (the application's clock set back for each step): two
enterprise-owned listings whose owners consented, two verified enterprises registered with their deposits received
by bank transfer. The first lot (start 100,000 yuan, hidden reserve 120,000) is sold: the second bidder's proxy
maximum of 130,000 answers the first bidder's raise, then the first bidder's bid of 140,000 three minutes before
the end extends the close by five minutes and wins; its contract is drafted (the deposit applied to the price),
the other deposit refunded. The second lot (start 200,000 yuan, reserve 300,000 shown) gets one bid at the start
and is not sold: the listing stays published. The third lot is sealed, second price (start 150,000 yuan, no
reserve): three bidders commit digests while it is open; in the reveal window two of them reveal (180,000 and
165,000) and the third, reminded, never does: at the close the highest revealed bid wins at the second one, 165,000
(its contract drafted, its deposit applied), the other revealed bidder is refunded and the unrevealed commitment
forfeits its deposit. Sell-through 67 %.

The upcoming session, run by the transfer agency, opens in a week: two lots whose owners consented (deposits can
be paid), one bidder registered.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import NamedTuple
from uuid import UUID

from domain.accounts.organisation import Organisation
from domain.auctions.sealed import LotFormat, commitment_of
from domain.catalogue.listing import Listing
from domain.catalogue.patent import Patent
from domain.shared.ids import natural_id
from marketplace.auctions import commands as ac
from marketplace.demo.deals import DemoListing
from marketplace.demo.year_of_deals import clock_at
from marketplace.market.packages import BEIJING
from marketplace.platform.application import Marketplace
from marketplace.platform.clock import ManualClock

YUAN = 100
#: The past session gives its winner the longest term (60 days), so the sold lot's drafted contract waits on the
#: winner's to-do in a served demo instead of being forfeited by the deadline worker a few days after seeding.
PAST = ac.ScheduleSession(title_zh="海峡专利拍卖会（第一期，网络竞价）",
                          title_en="Straits patent auction, first session (timed bidding)", settle_days=60)
UPCOMING = ac.ScheduleSession(title_zh="新能源与智能制造专利拍卖专场",
                              title_en="New energy and smart manufacturing patent auction")
#: Start, reserve, reserve shown, increment (fen) of the past session's lots: sold, then reserve not met.
SOLD_LOT = (100_000 * YUAN, 120_000 * YUAN, False, 5_000 * YUAN)
UNSOLD_LOT = (200_000 * YUAN, 300_000 * YUAN, True, 10_000 * YUAN)
PROXY_MAXIMUM = 130_000 * YUAN
RAISE, SNIPE = 110_000 * YUAN, 140_000 * YUAN
#: Start, reserve, reserve shown, increment (fen) of the past session's sealed second-price lot.
SEALED_LOT = (150_000 * YUAN, 0, False, 5_000 * YUAN)
#: The sealed bids (fen) by bidder: the first two revealed (the higher wins at the lower), the third never revealed.
SEALED_BIDS = (165_000 * YUAN, 180_000 * YUAN, 200_000 * YUAN)
#: The sealed lot's reveal window after its commit deadline.
REVEAL_HOURS = 2
#: Start, reserve, reserve shown, increment (fen) of the upcoming session's lots.
UPCOMING_LOTS = ((50_000 * YUAN, 0, False, 2_000 * YUAN), (80_000 * YUAN, 100_000 * YUAN, True, 5_000 * YUAN))
DAYS_AGO, OPENS_IN_DAYS = 10, 7


class Auctioned(NamedTuple):
    """What the demo auctions made: the sessions and their lots (for the report and the tests)."""

    past: UUID
    upcoming: UUID
    lots: tuple[UUID, ...]
    #: The past session's sealed second-price lot.
    sealed: UUID | None = None


def _free(app: Marketplace, pool: list[DemoListing], buyers: set[UUID], count: int) -> list[DemoListing]:
    """Published assignment listings of single-owner patents not the bidders', with nothing held on the patent (no
    sale reserved, no offer open), from the end of the pool (the deals took from its start): enterprises' first,
    then institutions' (whose listings the browser tests pick from the start of the catalogue); fixed-price ones
    first in each (the browser tests look for negotiable listings without offers)."""
    found: list[tuple[tuple[bool, bool], DemoListing]] = []
    for item in reversed(pool):
        listing: Listing = app.repository.get(item.listing_id)
        patent: Patent = app.repository.get(item.patent_id)
        owner: Organisation = app.repository.get(listing.organisation_id)
        if (listing.status == "published" and "assignment" in listing.terms["deal_types"]
                and len(patent.owners) == 1 and owner.id not in buyers
                and patent.sale_reservation is None and not patent.open_deals):
            found.append(((owner.kind in ("university", "research_institute"),
                           listing.terms["price_mode"] != "fixed"), item))
    found.sort(key=lambda pair: pair[0])  # stable: each group from the end of the pool
    return [item for _, item in found[:count]]


def _lot(app: Marketplace, session: UUID, item: DemoListing, terms: tuple[int, int, bool, int], opens: datetime,
         *, by: UUID, sealed: bool = False) -> UUID:
    start, reserve, shown, increment = terms
    lot: UUID
    closes = opens + timedelta(days=1)
    lot, _ = app.auctions.add_lot(ac.AddLot(
        session_id=session, listing_id=item.listing_id, kind="assignment", start_price=start, reserve=reserve,
        reserve_shown=shown, increment=increment, opens_at=opens, closes_at=closes,
        auction_format=LotFormat.SECOND_PRICE.value if sealed else LotFormat.TIMED.value,
        reveal_closes_at=closes + timedelta(hours=REVEAL_HOURS) if sealed else None), actor_id=by)
    app.auctions.consent(ac.ConsentToLot(lot_id=lot), actor_id=item.seller)
    return lot


def _deposit(app: Marketplace, lot: UUID, bidder: UUID, admin: UUID, reference: str) -> None:
    app.auctions.start_deposit(ac.StartDeposit(lot_id=lot, gateway="manual"), actor_id=bidder)
    org: UUID = app.repository.get(bidder).organisation_id
    amount: int = app.repository.get(lot).deposit
    app.auctions.record_deposit(ac.RecordDepositReceipt(lot_id=lot, organisation_id=org, amount=amount,
                                                        bank_reference=reference), actor_id=admin)


def salt_of(lot: UUID, bidder: UUID) -> str:
    """A demo bidder's salt for its sealed bid (fixed, so a seeding is the same each time; 32 hex digits)."""
    return natural_id("demo-sealed-salt", f"{lot}:{bidder}").hex


def _past(app: Marketplace, clock: ManualClock, items: list[DemoListing], *, admin: UUID,
          bidders: tuple[UUID, UUID, UUID]) -> tuple[UUID, UUID, UUID, UUID]:
    first, second, third = bidders
    opens = clock.now()
    session, _ = app.auctions.schedule_session(PAST, actor_id=admin)
    sold = _lot(app, session, items[0], SOLD_LOT, opens, by=admin)
    unsold = _lot(app, session, items[1], UNSOLD_LOT, opens, by=admin)
    sealed = _lot(app, session, items[2], SEALED_LOT, opens, by=admin, sealed=True)
    numbers: dict[UUID, int] = {}
    for n, who in enumerate(bidders, 1):
        numbers[who], _ = app.auctions.register(ac.RegisterBidder(session_id=session, accept_rules=True),
                                                actor_id=who)
        if who != third:
            _deposit(app, sold, who, admin, f"DEMO-AUC-{n}")
        _deposit(app, sealed, who, admin, f"DEMO-AUC-S{n}")
    _deposit(app, unsold, first, admin, "DEMO-AUC-3")
    clock.advance(timedelta(hours=1))
    app.auctions.set_proxy(ac.SetProxyBid(lot_id=sold, maximum=PROXY_MAXIMUM), actor_id=second)
    app.auctions.bid(ac.PlaceBid(lot_id=unsold, amount=UNSOLD_LOT[0]), actor_id=first)
    for who, amount in zip(bidders, SEALED_BIDS, strict=True):  # the digests alone reach the platform
        app.auctions.commit_sealed_bid(ac.CommitSealedBid(lot_id=sealed, commitment=commitment_of(
            sealed, numbers[who], amount, salt_of(sealed, who))), actor_id=who)
    clock.advance(timedelta(hours=2))
    app.auctions.bid(ac.PlaceBid(lot_id=sold, amount=RAISE), actor_id=first)  # the proxy answers
    clock.set(opens + timedelta(days=1) - timedelta(minutes=3))
    app.auctions.bid(ac.PlaceBid(lot_id=sold, amount=SNIPE), actor_id=first)  # extends the close by 5 minutes
    clock.set(opens + timedelta(days=1, minutes=10))
    for lot in (sold, unsold):
        app.auctions.close(ac.CloseLot(lot_id=lot))
    # The sealed lot's reveal window: every bidder who committed is reminded; two reveal, the third never does.
    app.auctions.remind_reveals(ac.RemindReveals(lot_id=sealed))
    for who, amount in zip(bidders[:2], SEALED_BIDS[:2], strict=True):
        app.auctions.reveal_sealed_bid(ac.RevealSealedBid(lot_id=sealed, amount=amount,
                                                          salt=salt_of(sealed, who)), actor_id=who)
    clock.set(opens + timedelta(days=1, hours=REVEAL_HOURS, minutes=10))
    app.auctions.close(ac.CloseLot(lot_id=sealed))
    return session, sold, unsold, sealed


def seed_demo_auctions(app: Marketplace, pool: list[DemoListing], *, admin: UUID, agency: UUID,
                       bidders: tuple[UUID, UUID, UUID], today: date) -> Auctioned | None:
    """The past session with its results and the upcoming one; ``None`` when the pool has too few free listings."""
    buyer_orgs: set[UUID] = {app.repository.get(b).organisation_id for b in bidders}
    items = _free(app, pool, buyer_orgs, 5)
    if len(items) < 5:
        return None
    ten_am = datetime.combine(today - timedelta(days=DAYS_AGO), time(10), tzinfo=BEIJING)
    with clock_at(app, ten_am) as clock:
        past, sold, unsold, sealed = _past(app, clock, items[:3], admin=admin, bidders=bidders)
    opens = datetime.combine(today + timedelta(days=OPENS_IN_DAYS), time(10), tzinfo=BEIJING)
    upcoming, _ = app.auctions.schedule_session(UPCOMING, actor_id=agency)
    lots = tuple(_lot(app, upcoming, item, terms, opens, by=agency)
                 for item, terms in zip(items[3:], UPCOMING_LOTS, strict=True))
    app.auctions.register(ac.RegisterBidder(session_id=upcoming, accept_rules=True), actor_id=bidders[0])
    return Auctioned(past, upcoming, (sold, unsold, sealed, *lots), sealed)
