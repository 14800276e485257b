"""The aggregate cache on the in-memory store: what a load hands out is a copy that equals the replayed history,
a command's changes never reach the cache unsaved, and ``AGGREGATE_CACHE_MAXSIZE=0`` turns the cache off."""

from __future__ import annotations

from domain.catalogue.listing import Listing
from marketplace.catalogue import commands as cc
from tests.unit.deal_helpers import make_world


def test_a_load_hands_out_a_copy_and_unsaved_changes_never_reach_the_cache() -> None:
    world = make_world()
    app = world.app
    listing: Listing = app.repository.get(world["listing"])
    version = listing.version
    listing.withdraw(reason="changed my mind", by=world["uni"])  # changed, never saved
    again: Listing = app.repository.get(world["listing"])
    assert again is not listing
    assert (again.version, again.status) == (version, "published")
    assert vars(again) == vars(app.repository.replay(world["listing"]))


def test_with_the_cache_off_every_load_replays_and_commands_work() -> None:
    world = make_world({"PERSISTENCE_MODULE": "eventsourcing.popo", "AGGREGATE_CACHE_MAXSIZE": "0"})
    app = world.app
    assert app.repository.lru is None
    app.catalogue.withdraw_listing(cc.WithdrawListing(listing_id=world["listing"]), actor_id=world["uni"])
    assert app.repository.get(world["listing"]).status == "withdrawn"
    assert not app.repository.holds(world["listing"])
