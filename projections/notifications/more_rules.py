"""The notices of achievement packages, auctions, brokers and development contracts (registered on import).

As the other rules, these read only the event and what the view remembered of earlier events
(``notification_parties``), so a rebuilt inbox is the same: a package's followers are remembered from their
``PackageFollow`` events (users, in the parties table under the role ``follower``), a lot's leader from its
accepted bids, the parties of a mandate, an introduction and a development contract from their first event.
"""

from __future__ import annotations

from collections.abc import Iterable

from domain.auctions.lot import Lot
from domain.deals.contract import Contract
from domain.deals.development import DevelopmentContract
from domain.market.mandates import Introduction, Mandate
from domain.market.package import Package, PackageFollow
from projections.notifications.registry import REGISTRY, Context, Notice, value
from projections.notifications.rules import contract_drafted
from projections.shared.records import EventRecord

REGISTRY.say(
    package_edition=("新一期成果包", "New edition of a package you follow"),
    auction_consent=("拍卖标的待您同意", "A lot of your listing awaits your consent"),
    auction_outbid=("您的出价已被超过", "You have been outbid"),
    auction_deposit_received=("拍卖保证金已到账", "Auction deposit received"),
    auction_deposit_refunded=("拍卖保证金已退还", "Auction deposit refunded"),
    auction_won=("您已竞得拍卖标的，合同待签署", "You won the lot: the contract awaits your signature"),
    auction_result=("拍卖已结束", "The auction of a lot has closed"),
    auction_forfeited=("买受人未在期限内签约付款：保证金不予退还，标的重新开放交易",
                       "The winner did not sign and pay in time: its deposit is forfeited and the lot's listing is"
                       " open again"),
    auction_seller_default=("出卖方未在期限内签约或终止了合同：买受人保证金全额退还，未成交",
                            "The seller's side did not sign in time or ended the contract: the winner's deposit is"
                            " refunded in full, the lot is not sold"),
    auction_forfeit_unwound=("买受人已按期付款（款项晚于悔拍处理到达）：悔拍撤销，价款与保证金全额退还，未成交",
                             "The winner paid in time (the payment arrived after the forfeit): the forfeit is undone,"
                             " the payment and the deposit are refunded in full, the lot is not sold"),
    auction_second_payment_refunded=("重复交纳的拍卖保证金已原路退还",
                                     "A second payment of your auction deposit was refunded the way it came"),
    broker_introduction=("经纪人介绍待您确认", "A broker's introduction awaits your confirmation"),
    broker_confirmed=("买方已确认介绍", "The buyer confirmed the introduction"),
    broker_declined=("买方否认了介绍", "The buyer declined the introduction"),
    broker_mandate_given=("收到经纪委托", "Brokerage mandate given to your agency"),
    broker_mandate_ended=("经纪委托已终止", "Brokerage mandate ended"),
    development_delivered=("里程碑已交付，待验收", "Milestone delivered: to accept"),
    development_accepted=("里程碑已验收", "Milestone accepted"),
    development_results_agreed=("技术开发合同的成果归属或保密条款已修改，请重新阅读后签署",
                                "A development contract's results or confidentiality clause changed: read it again "
                                "before signing"),
)


def _name(r: EventRecord) -> str:
    return r.topic.rsplit(".", 1)[1]


# --- achievement packages -------------------------------------------------------------------------------


@REGISTRY.on(PackageFollow, "Followed", "Refollowed", "Unfollowed")
def package_follow(ctx: Context, r: EventRecord) -> Iterable[Notice]:
    """Keep who follows which package: the follow aggregate names them only in its first event."""
    follow = r.originator_id
    if _name(r) == "Followed":
        ctx.remember(follow, "package", value(r, "package_id"))
        ctx.remember(follow, "user", value(r, "user_id"))
    package, user = ctx.parties(follow, "package"), ctx.parties(follow, "user")
    if package and user:
        if _name(r) == "Unfollowed":
            ctx.forget(package[0], "follower", user[0])
        else:
            ctx.remember(package[0], "follower", user[0])
    return ()


@REGISTRY.on(Package, "EditionPublished")
def package_edition(ctx: Context, r: EventRecord) -> Iterable[Notice]:
    followers = ctx.parties(r.originator_id, "follower")
    if followers:
        yield Notice("package", "package.edition", f"/packages/{r.originator_id}", value(r, "title_zh"),
                     value(r, "title_en"), users=followers)


# --- auctions -------------------------------------------------------------------------------------------


def _lot(ctx: Context, r: EventRecord, event: str, to: tuple[str, ...], link: str = "") -> Iterable[Notice]:
    if to:
        listing = ctx.parties(r.originator_id, "listing")
        zh, en = ctx.listing_title(listing[0]) if listing else ("", "")
        yield Notice("auction", event, link or f"/lots/{r.originator_id}", zh, en, organisations=to)


@REGISTRY.on(Lot, "Proposed", "DepositStarted", "DepositReceived", "DepositRefunded", "BidPlaced", "Closed",
             "WinnerForfeited", "SellerDefaulted")
def lot_event(ctx: Context, r: EventRecord) -> Iterable[Notice]:
    lot, name, organisation = r.originator_id, _name(r), value(r, "organisation_id")
    if name == "Proposed":
        ctx.remember(lot, "seller", value(r, "seller_organisation_id"))
        ctx.remember(lot, "listing", value(r, "listing_id"))
        yield from _lot(ctx, r, "auction.consent", ctx.parties(lot, "seller"))
    elif name == "DepositStarted":
        ctx.remember(lot, "bidder", organisation)
    elif name == "DepositReceived":
        yield from _lot(ctx, r, "auction.deposit_received", (organisation,))
    elif name == "DepositRefunded":
        yield from _lot(ctx, r, "auction.deposit_refunded", (organisation,))
    elif name == "WinnerForfeited":  # the winner and the seller (whose listing is open again)
        yield from _lot(ctx, r, "auction.forfeited", (organisation, *ctx.parties(lot, "seller")))
    elif name == "SellerDefaulted":  # the winner (refunded) and the seller
        yield from _lot(ctx, r, "auction.seller_default", (organisation, *ctx.parties(lot, "seller")))
    elif name == "BidPlaced":
        previous = ctx.parties(lot, "leader")
        ctx.forget(lot, "leader")
        ctx.remember(lot, "leader", organisation)
        yield from _lot(ctx, r, "auction.outbid", tuple(o for o in previous if o != organisation))
    else:
        winner, contract = value(r, "winner_organisation_id"), value(r, "contract_id")
        if winner:
            yield from _lot(ctx, r, "auction.won", (winner,), f"/contracts/{contract}" if contract else "")
        yield from _lot(ctx, r, "auction.result", tuple(o for o in ctx.parties(lot, "bidder") if o != winner))


@REGISTRY.on(Lot, "ForfeitUnwound", "SecondPaymentRefunded", later=1)
def lot_money_back(ctx: Context, r: EventRecord) -> Iterable[Notice]:
    """An undone forfeit (the winner and the seller), a second payment of a deposit refunded (its payer)."""
    organisation = value(r, "organisation_id")
    if _name(r) == "ForfeitUnwound":
        yield from _lot(ctx, r, "auction.forfeit_unwound", (organisation, *ctx.parties(r.originator_id, "seller")))
    else:
        yield from _lot(ctx, r, "auction.second_payment_refunded", (organisation,))


# --- brokers --------------------------------------------------------------------------------------------


def _brokerage(ctx: Context, listing: str, event: str, to: tuple[str, ...], link: str = "") -> Iterable[Notice]:
    if to and listing:
        zh, en = ctx.listing_title(listing)
        yield Notice("broker", event, link or f"/listings/{listing}/brokerage", zh, en, organisations=to)


@REGISTRY.on(Mandate, "Given", "GivenAgain", "Ended")
def mandate_event(ctx: Context, r: EventRecord) -> Iterable[Notice]:
    mandate, name = r.originator_id, _name(r)
    if name == "Given":
        ctx.remember(mandate, "agency", value(r, "agency_id"))
        ctx.remember(mandate, "listing", value(r, "listing_id"))
    listing = ctx.parties(mandate, "listing")
    event = "broker.mandate_ended" if name == "Ended" else "broker.mandate_given"
    yield from _brokerage(ctx, listing[0] if listing else "", event, ctx.parties(mandate, "agency"))


@REGISTRY.on(Introduction, "Recorded", "Confirmed", "Declined")
def introduction_event(ctx: Context, r: EventRecord) -> Iterable[Notice]:
    introduction, name = r.originator_id, _name(r)
    if name == "Recorded":
        ctx.remember(introduction, "buyer", value(r, "buyer_organisation_id"))
        ctx.remember(introduction, "agency", value(r, "agency_id"))
        ctx.remember(introduction, "listing", value(r, "listing_id"))
    listing = ctx.parties(introduction, "listing")
    if name == "Recorded":
        yield from _brokerage(ctx, listing[0] if listing else "", "broker.introduction",
                              ctx.parties(introduction, "buyer"), "/introductions")
    else:
        event = "broker.confirmed" if name == "Confirmed" else "broker.declined"
        yield from _brokerage(ctx, listing[0] if listing else "", event, ctx.parties(introduction, "agency"))


# --- development contracts ------------------------------------------------------------------------------
# A development contract's own events are stored under its class; those it shares with every contract
# (``Signed``, ``CameIntoForce``, ``MilestoneReached``) under ``Contract``'s stored topics, which the contract
# rules follow already. Its parties are remembered as a developer and a client too, which tells its
# ``MilestoneReached`` apart from another contract's.


@REGISTRY.on(DevelopmentContract, "Drafted")
def development_drafted(ctx: Context, r: EventRecord) -> Iterable[Notice]:
    """The developer is the contract's seller, the client its buyer (``draft_development``)."""
    ctx.remember(r.originator_id, "developer", value(r, "seller_organisation_id"))
    ctx.remember(r.originator_id, "client", value(r, "buyer_organisation_id"))
    yield from contract_drafted(ctx, r)


def _milestone(ctx: Context, r: EventRecord, event: str, to: tuple[str, ...]) -> Iterable[Notice]:
    if to:
        name = value(r, "name")
        yield Notice("contract", event, f"/contracts/{r.originator_id}", name, name, organisations=to)


@REGISTRY.on(DevelopmentContract, "MilestoneDelivered")
def milestone_delivered(ctx: Context, r: EventRecord) -> Iterable[Notice]:
    yield from _milestone(ctx, r, "development.delivered", ctx.parties(r.originator_id, "client"))


@REGISTRY.on(DevelopmentContract, "ResultsAgreed")
def results_agreed(ctx: Context, r: EventRecord) -> Iterable[Notice]:
    """The draft's results clauses changed (either party may change them before anyone signs): the parties are
    told — the text they would sign is now another — all but the user who changed them (as for every notice)."""
    to = ctx.parties(r.originator_id, "developer", "client")
    if to:
        yield Notice("contract", "development.results_agreed", f"/contracts/{r.originator_id}", organisations=to)


@REGISTRY.on(Contract, "MilestoneReached")
def milestone_accepted(ctx: Context, r: EventRecord) -> Iterable[Notice]:
    """The client accepted a development milestone (other contracts' milestones have no developer: no notice)."""
    yield from _milestone(ctx, r, "development.accepted", ctx.parties(r.originator_id, "developer"))
