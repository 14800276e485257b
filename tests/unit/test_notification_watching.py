"""Saved searches and follows as commands: one effect per double submit, at most 50 searches, who may follow what,
and events that carry a user id and words but no personal data."""

from __future__ import annotations

import json
from uuid import uuid4

import pytest

from domain.notifications.watching import SEARCHES_LIMIT, Follow, SavedSearches, follow_id, searches_id
from domain.shared.errors import ConflictError, NotFoundError
from marketplace.catalogue import commands as cc
from marketplace.notifications import commands as nc
from tests.unit.deal_helpers import World, make_world


@pytest.fixture
def world() -> World:
    return make_world()


def test_a_search_saved_twice_is_one_search_and_a_deleted_one_stays_deleted(world: World) -> None:
    app, firm = world.app, world["firm"]
    search = uuid4()
    cmd = nc.SaveSearch(search_id=search, q="固态 电池", deal_type="assignment", price_max=5_000_000)
    app.watching.save_search(cmd, actor_id=firm)
    app.watching.save_search(cmd, actor_id=firm)  # the double submit
    saved: SavedSearches = app.repository.get(searches_id(firm))
    assert saved.live == {search: "listings"}
    assert saved.version == 2
    app.watching.delete_search(nc.DeleteSearch(search_id=search), actor_id=firm)
    app.watching.delete_search(nc.DeleteSearch(search_id=search), actor_id=firm)
    app.watching.save_search(cmd, actor_id=firm)  # a late resubmit of the form does not bring it back
    saved = app.repository.get(searches_id(firm))
    assert saved.live == {}
    assert saved.version == 3


def test_a_user_keeps_at_most_fifty_searches(world: World) -> None:
    app, firm = world.app, world["firm"]
    for n in range(SEARCHES_LIMIT):
        app.watching.save_search(nc.SaveSearch(search_id=uuid4(), q=f"电池 {n}"), actor_id=firm)
    with pytest.raises(ConflictError) as refused:
        app.watching.save_search(nc.SaveSearch(search_id=uuid4(), q="one more"), actor_id=firm)
    assert refused.value.code == "search.limit"
    # Another user's searches are its own.
    app.watching.save_search(nc.SaveSearch(search_id=uuid4(), q="电池"), actor_id=world["uni"])


def test_following_is_one_follow_and_stopping_is_always_possible(world: World) -> None:
    app, firm, listing = world.app, world["firm"], world["listing"]
    app.watching.follow_listing(nc.FollowListing(listing_id=listing), actor_id=firm)
    app.watching.follow_listing(nc.FollowListing(listing_id=listing), actor_id=firm)
    follow: Follow = app.repository.get(follow_id(firm, listing))
    assert follow.on
    assert follow.version == 1
    app.watching.follow_listing(nc.FollowListing(listing_id=listing, on=False), actor_id=firm)
    app.watching.follow_listing(nc.FollowListing(listing_id=listing, on=True), actor_id=firm)
    follow = app.repository.get(follow_id(firm, listing))
    assert follow.on
    assert follow.version == 3
    # Never followed: stopping records nothing.
    app.watching.follow_listing(nc.FollowListing(listing_id=listing, on=False), actor_id=world["rival"])
    assert not app.exists(follow_id(world["rival"], listing))


def test_another_organisations_draft_and_unknown_listings_cannot_be_followed(world: World) -> None:
    app = world.app
    draft, _ = app.catalogue.draft_listing(cc.DraftListing(
        patent_id=world.register_patent(["uni"], "202010765432"), deal_types=["assignment"], price_mode="fixed",
        asking_price=1_000_000, maturity="pilot"), actor_id=world["uni"])
    for listing in (draft, uuid4()):
        with pytest.raises(NotFoundError):
            app.watching.follow_listing(nc.FollowListing(listing_id=listing), actor_id=world["firm"])
    app.watching.follow_listing(nc.FollowListing(listing_id=draft), actor_id=world["uni"])  # its own draft


def test_the_events_carry_no_personal_data(world: World) -> None:
    app, firm = world.app, world["firm"]
    app.watching.save_search(nc.SaveSearch(search_id=uuid4(), q="电池"), actor_id=firm)
    app.watching.follow_listing(nc.FollowListing(listing_id=world["listing"]), actor_id=firm)
    for aggregate in (searches_id(firm), follow_id(firm, world["listing"])):
        for stored in app.recorder.select_events(aggregate):
            text = json.dumps(app.mapper.to_domain_event(stored).__dict__, default=str)
            assert "@" not in text
            assert "example.test" not in text
