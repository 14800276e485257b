"""The notices of sealed-bid lots and of declined lots (registered on import): bidders who committed and have not
revealed are reminded during the reveal window (when it opens and again halfway through: ``Lot.RevealReminded``
names them), a bidder whose unrevealed commitment forfeited its deposit is told, and the runner of a session is
told when an owner declines a lot proposed in it. Kind ``auction``: inbox, and e-mail as each user chose for
auctions. The rules read the event alone, so a rebuilt inbox is the same."""

from __future__ import annotations

from collections.abc import Iterable

from domain.auctions.lot import Lot
from projections.notifications.more_rules import _lot
from projections.notifications.registry import REGISTRY, Context, Notice, value
from projections.shared.records import EventRecord, plain

REGISTRY.say(
    auction_declined=("权利人拒绝了拟拍卖的拍品", "The owner declined a lot you proposed"),
    auction_reveal_due=("请及时开标：您的密封报价尚未公开", "Reveal your sealed bid: it is not revealed yet"),
    auction_deposit_forfeited=("未开标，拍卖保证金不予退还", "Sealed bid not revealed: deposit forfeited"),
)


@REGISTRY.on(Lot, "RevealReminded", "CommitmentForfeited")
def sealed_lot_event(ctx: Context, r: EventRecord) -> Iterable[Notice]:
    if r.topic.endswith(".RevealReminded"):
        to = tuple(str(o) for o in plain(r.data.get("organisation_ids") or []))
        yield from _lot(ctx, r, "auction.reveal_due", to)
    else:
        yield from _lot(ctx, r, "auction.deposit_forfeited", (value(r, "organisation_id"),))


@REGISTRY.on(Lot, "Declined")
def lot_declined(ctx: Context, r: EventRecord) -> Iterable[Notice]:
    """The owner declined a proposed lot: the agency running the session is told (the platform's own session:
    the admin who proposed the lot)."""
    runner, proposer = value(r, "runner_organisation_id"), value(r, "proposed_by")
    if runner:
        yield from _lot(ctx, r, "auction.declined", (runner,))
    elif proposer:
        listing = ctx.parties(r.originator_id, "listing")
        zh, en = ctx.listing_title(listing[0]) if listing else ("", "")
        yield Notice("auction", "auction.declined", f"/lots/{r.originator_id}", zh, en, users=(proposer,))
