"""The notices of sealed-bid lots (registered on import): bidders who committed and have not revealed are reminded
during the reveal window (when it opens and again halfway through: ``Lot.RevealReminded`` names them), and a
bidder whose unrevealed commitment forfeited its deposit is told. Kind ``auction``: inbox, and e-mail as each user
chose for auctions. The rule reads the event alone, so a rebuilt inbox is the same."""

from __future__ import annotations

from collections.abc import Iterable

from domain.auctions.lot import Lot
from projections.notifications.more_rules import _lot
from projections.notifications.registry import REGISTRY, Context, Notice, value
from projections.shared.records import EventRecord, plain

REGISTRY.say(
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
