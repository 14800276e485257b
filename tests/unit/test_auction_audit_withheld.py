"""A lot's secrets — each proxy maximum, each revealed sealed amount and its salt — are withheld from the audit's
history and as-of state (``marketplace.audit.replay``: the audit pages, their API and ``marketplace audit show``)
while the lot is open: a platform insider reading them could bid against them. Once the lot has closed, the same
history shows them, at every version."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from domain.auctions.lot import WITHHELD
from marketplace.auctions import commands as ac
from marketplace.audit.replay import history, state_at
from tests.unit.deal_helpers import make_world
from tests.unit.test_auctions import bid, bidder, lot
from tests.unit.test_sealed_auctions import HOUR, SALT, commit, reveal, sealed

MAXIMUM = 1_900_000  # on the grid, never bid: only the ProxySet event holds it


def shown(value: Any) -> str:
    return json.dumps(value, default=str)


def test_a_proxy_maximum_is_withheld_until_the_close_then_shown() -> None:
    world = make_world()
    lot_id = lot(world, reserve=0)
    world.app.auctions.consent(ac.ConsentToLot(lot_id=lot_id), actor_id=world["uni"])
    for who in ("firm", "rival"):
        bidder(world, who, lot_id)
    world.app.auctions.set_proxy(ac.SetProxyBid(lot_id=lot_id, maximum=MAXIMUM), actor_id=world["firm"])
    bid(world, "rival", lot_id, 1_100_000)  # the proxy answers 1 200 000
    firm = str(world["firm_org"])

    entries = history(world.app, lot_id)
    proxy_set = next(e for e in entries if e.event_type == "Lot.ProxySet")
    assert proxy_set.changes[f"proxies.{firm}"] == (None, {"maximum": WITHHELD, "order": 0})
    assert str(MAXIMUM) not in shown([e.changes for e in entries])
    for version in (None, proxy_set.version):
        state = state_at(world.app, lot_id, version=version).state
        assert state["proxies"][firm]["maximum"] == WITHHELD
        assert str(MAXIMUM) not in shown(state)

    world.clock.advance(timedelta(hours=2))
    world.app.auctions.close(ac.CloseLot(lot_id=lot_id))
    entries = history(world.app, lot_id)
    proxy_set = next(e for e in entries if e.event_type == "Lot.ProxySet")
    assert proxy_set.changes[f"proxies.{firm}"] == (None, {"maximum": MAXIMUM, "order": 0})
    assert state_at(world.app, lot_id, version=proxy_set.version).state["proxies"][firm]["maximum"] == MAXIMUM


def test_a_revealed_sealed_amount_and_its_salt_are_withheld_until_the_close_then_shown() -> None:
    world = make_world()
    lot_id = sealed(world)
    for who in ("firm", "rival"):
        bidder(world, who, lot_id)
    commit(world, lot_id, "firm", 1_345_600)
    commit(world, lot_id, "rival", 1_234_500)
    world.clock.advance(HOUR)  # the reveal window
    reveal(world, lot_id, "firm", 1_345_600)
    firm = str(world["firm_org"])

    entries = history(world.app, lot_id)
    revealed = next(e for e in entries if e.event_type == "Lot.BidRevealed")
    assert revealed.changes[f"commitments.{firm}.amount"] == (None, WITHHELD)
    assert revealed.changes[f"commitments.{firm}.salt"] == (None, WITHHELD)
    assert "1345600" not in shown([e.changes for e in entries])
    assert SALT not in shown([e.changes for e in entries])
    state = state_at(world.app, lot_id).state
    assert (state["commitments"][firm]["amount"], state["commitments"][firm]["salt"]) == (WITHHELD, WITHHELD)

    world.clock.advance(HOUR)
    world.app.auctions.close(ac.CloseLot(lot_id=lot_id))
    entries = history(world.app, lot_id)
    revealed = next(e for e in entries if e.event_type == "Lot.BidRevealed")
    assert revealed.changes[f"commitments.{firm}.amount"] == (None, 1_345_600)
    assert revealed.changes[f"commitments.{firm}.salt"] == (None, SALT)
    assert state_at(world.app, lot_id, version=revealed.version).state["commitments"][firm]["amount"] == 1_345_600
