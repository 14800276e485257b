"""The aggregate cache on the in-memory store: what a load hands out is a copy that equals the replayed history,
a command's changes never reach the cache unsaved, and ``AGGREGATE_CACHE_MAXSIZE=0`` turns the cache off."""

from __future__ import annotations

from typing import Any

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


def test_a_replay_and_a_save_equal_what_eventsourcing_makes_of_the_same_events() -> None:
    """The cache applies events in turn without eventsourcing's per-event protocol assertion, and a save collects
    an aggregate's events without its protocol checks: the aggregates are those the library's own projection makes,
    and everything a command triggered is stored."""
    from eventsourcing.application import project_aggregate

    world = make_world()
    app = world.app
    app.catalogue.withdraw_listing(cc.WithdrawListing(listing_id=world["listing"]), actor_id=world["uni"])
    for key in ("uni", "uni_org", "patent", "listing"):
        events = list(app.repository.event_store.get(world[key]))
        assert vars(app.repository.replay(world[key])) == vars(project_aggregate(None, events))
        assert vars(app.repository.get(world[key])) == vars(project_aggregate(None, events))
    assert [type(e).__name__ for e in app.repository.event_store.get(world["listing"])][-1] == "Withdrawn"


def test_a_save_collects_events_in_the_order_given_as_eventsourcing_does() -> None:
    """Aggregates and events passed directly go to the log in the order given (the notification log's order)."""
    from eventsourcing.application import ProcessingEvent
    from eventsourcing.domain import Aggregate, event

    from marketplace.platform.app_base import _Collected

    class Thing(Aggregate):
        @event("Created")
        def __init__(self, name: str) -> None:
            self.name = name

        @event("Poked")
        def poke(self) -> None:
            pass

    def collected(collector: ProcessingEvent[Any]) -> list[tuple[str, str]]:
        a, b = Thing("a"), Thing("b")
        b_created = b.collect_events()
        b.poke()
        b_poked = b.collect_events()
        names = {a.id: "a", b.id: "b"}
        collector.collect_events(*b_created, a, None, *b_poked, reason="kept")
        assert collector.saved_kwargs == {"reason": "kept"}
        return [(names[e.originator_id], type(e).__name__) for e in collector.events]

    expected = [("b", "Created"), ("a", "Created"), ("b", "Poked")]
    assert collected(ProcessingEvent()) == expected
    assert collected(_Collected()) == expected
