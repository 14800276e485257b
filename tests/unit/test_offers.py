"""Offers: who may offer, whose turn it is, deadlines, and the open deals a valuer must know about."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.errors import (
    LicenceConflictError,
    ListingNotOpenError,
    OfferExpiredError,
    OfferNotOpenError,
    PermissionDeniedError,
    ValidationError,
)
from marketplace import deal_commands as d
from tests.unit.deal_helpers import World, accept, head, make_world, offer


@pytest.fixture
def world() -> World:
    return make_world()


def test_offer_counter_and_acceptance_take_turns_and_draft_the_contract(world: World) -> None:
    offer_id = offer(world, price=8_000_000)
    assert world.get(world["patent"]).deal_party_ids() == {world["firm_org"]}
    world.app.counter_offer(
        d.CounterOffer(offer_id=offer_id, kind="assignment", price=9_500_000), actor_id=world["uni"]
    )
    with pytest.raises(OfferNotOpenError, match="buyer's turn"):
        world.app.counter_offer(
            d.CounterOffer(offer_id=offer_id, kind="assignment", price=9_000_000), actor_id=world["uni"]
        )
    contract_id = accept(world, offer_id, by="firm")
    made = world.get(offer_id)
    assert (made.status, made.rounds, made.terms["price"], made.negotiated) == ("accepted", 2, 9_500_000, True)
    contract = world.get(contract_id)
    assert type(contract).__name__ == "TransferContract"
    assert contract.terms["price"] == 9_500_000
    assert "福州大学" in contract.text_zh
    assert contract.notice_ends_at is not None


def test_only_a_verified_organisation_that_does_not_own_the_patent_may_offer(world: World) -> None:
    world.sign_up("newco", "未认证科技有限公司", "enterprise", verify=False)
    before = head(world.app)
    with pytest.raises(PermissionDeniedError, match="verified"):
        offer(world, buyer="newco")
    with pytest.raises(PermissionDeniedError, match="owner"):
        offer(world, buyer="uni")
    assert head(world.app) == before


def test_the_kind_must_be_one_the_listing_offers(world: World) -> None:
    before = head(world.app)
    with pytest.raises(ValidationError, match=r"^kind: this listing offers"):
        offer(world, kind="sole_licence")
    assert head(world.app) == before


def test_an_offer_on_a_withdrawn_listing_is_refused(world: World) -> None:
    from marketplace import commands as c

    world.app.withdraw_listing(c.WithdrawListing(listing_id=world["listing"]), actor_id=world["uni"])
    with pytest.raises(ListingNotOpenError):
        offer(world)


def test_an_expired_offer_cannot_be_accepted_and_expires_only_after_its_deadline(world: World) -> None:
    offer_id = offer(world, valid_days=7)
    with pytest.raises(OfferNotOpenError, match="runs until"):
        world.app.expire_offer(d.ExpireOffer(offer_id=offer_id))
    world.clock.advance(timedelta(days=7))
    before = head(world.app)
    with pytest.raises(OfferExpiredError):
        accept(world, offer_id)
    assert head(world.app) == before
    world.app.expire_offer(d.ExpireOffer(offer_id=offer_id))
    assert world.get(offer_id).status == "expired"
    assert world.get(world["patent"]).deal_party_ids() == set()


def test_only_the_buyer_withdraws_and_only_the_side_whose_turn_it_is_rejects(world: World) -> None:
    offer_id = offer(world)
    before = head(world.app)
    with pytest.raises(PermissionDeniedError):
        world.app.withdraw_offer(d.WithdrawOffer(offer_id=offer_id), actor_id=world["uni"])
    with pytest.raises(OfferNotOpenError):
        world.app.reject_offer(d.RejectOffer(offer_id=offer_id), actor_id=world["firm"])
    with pytest.raises(PermissionDeniedError):
        world.app.reject_offer(d.RejectOffer(offer_id=offer_id), actor_id=world["rival"])
    assert head(world.app) == before
    world.app.withdraw_offer(d.WithdrawOffer(offer_id=offer_id, reason="budget"), actor_id=world["firm"])
    assert world.get(offer_id).status == "withdrawn"
    with pytest.raises(OfferNotOpenError):
        accept(world, offer_id)


def test_a_rejected_offer_closes_the_deal(world: World) -> None:
    offer_id = offer(world)
    world.app.reject_offer(d.RejectOffer(offer_id=offer_id, reason="too low"), actor_id=world["uni"])
    assert world.get(offer_id).status == "rejected"
    assert world.get(world["patent"]).deal_party_ids() == set()


def test_an_exclusive_offer_overlapping_a_drafted_exclusive_licence_is_refused(world: World) -> None:
    accept(world, offer(world, kind="exclusive_licence"))
    before = head(world.app)
    with pytest.raises(LicenceConflictError, match="overlap"):
        offer(world, buyer="rival", kind="exclusive_licence")
    with pytest.raises(LicenceConflictError):
        offer(world, buyer="rival", kind="non_exclusive_licence")
    assert head(world.app) == before


def test_accepting_a_second_overlapping_exclusive_offer_is_refused_and_records_nothing(world: World) -> None:
    first = offer(world, kind="exclusive_licence")
    second = offer(world, buyer="rival", kind="exclusive_licence")
    accept(world, first)
    before = head(world.app)
    with pytest.raises(LicenceConflictError):
        accept(world, second)
    assert head(world.app) == before
    assert world.get(second).status == "open"
