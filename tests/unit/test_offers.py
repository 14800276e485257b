"""Offers: who may offer, whose turn it is, deadlines, and the open deals a valuer must know about."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID, uuid4

import msgspec
import pytest

from domain.shared.errors import (
    LicenceConflictError,
    ListingNotOpenError,
    OfferExpiredError,
    OfferNotOpenError,
    PermissionDeniedError,
    ValidationError,
)
from domain.shared.money import MAX_AMOUNT
from marketplace.catalogue import commands as cc
from marketplace.deals import commands as d
from marketplace.deals.checks import DealPolicy
from tests.unit.deal_helpers import World, accept, head, licence_scope, make_world, offer


@pytest.fixture
def world() -> World:
    return make_world()


def test_offer_counter_and_acceptance_take_turns_and_draft_the_contract(world: World) -> None:
    offer_id = offer(world, price=8_000_000)
    assert world.get(world["patent"]).deal_party_ids() == {world["firm_org"]}
    world.app.offers.counter_offer(
        d.CounterOffer(offer_id=offer_id, kind="assignment", price=9_500_000), actor_id=world["uni"]
    )
    with pytest.raises(OfferNotOpenError, match="buyer's turn"):
        world.app.offers.counter_offer(
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
    world.app.catalogue.withdraw_listing(cc.WithdrawListing(listing_id=world["listing"]), actor_id=world["uni"])
    with pytest.raises(ListingNotOpenError):
        offer(world)


def test_an_expired_offer_cannot_be_accepted_and_expires_only_after_its_deadline(world: World) -> None:
    offer_id = offer(world, valid_days=7)
    with pytest.raises(OfferNotOpenError, match="runs until"):
        world.app.offers.expire_offer(d.ExpireOffer(offer_id=offer_id))
    world.clock.advance(timedelta(days=7))
    before = head(world.app)
    with pytest.raises(OfferExpiredError):
        accept(world, offer_id)
    assert head(world.app) == before
    world.app.offers.expire_offer(d.ExpireOffer(offer_id=offer_id))
    assert world.get(offer_id).status == "expired"
    assert world.get(world["patent"]).deal_party_ids() == set()


def test_only_the_buyer_withdraws_and_only_the_side_whose_turn_it_is_rejects(world: World) -> None:
    offer_id = offer(world)
    before = head(world.app)
    with pytest.raises(PermissionDeniedError):
        world.app.offers.withdraw_offer(d.WithdrawOffer(offer_id=offer_id), actor_id=world["uni"])
    with pytest.raises(OfferNotOpenError):
        world.app.offers.reject_offer(d.RejectOffer(offer_id=offer_id), actor_id=world["firm"])
    with pytest.raises(PermissionDeniedError):
        world.app.offers.reject_offer(d.RejectOffer(offer_id=offer_id), actor_id=world["rival"])
    assert head(world.app) == before
    world.app.offers.withdraw_offer(d.WithdrawOffer(offer_id=offer_id, reason="budget"), actor_id=world["firm"])
    assert world.get(offer_id).status == "withdrawn"
    with pytest.raises(OfferNotOpenError):
        accept(world, offer_id)


def test_a_rejected_offer_closes_the_deal(world: World) -> None:
    offer_id = offer(world)
    world.app.offers.reject_offer(d.RejectOffer(offer_id=offer_id, reason="too low"), actor_id=world["uni"])
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


def _sign_up_agency(world: World, key: str = "agency") -> UUID:
    world.sign_up(key, "福建省技术转移中心", "transfer_agency")
    return world[f"{key}_org"]


def test_a_commission_that_with_the_platform_fee_exceeds_100_percent_is_refused(world: World) -> None:
    agency = _sign_up_agency(world)
    assert world.app.offers.policy.platform_fee_rate == 100
    before = head(world.app)
    with pytest.raises(ValidationError) as refused:
        offer(world, broker_organisation_id=agency, broker_commission=99.5)
    assert refused.value.field == "broker_commission"
    assert refused.value.message.startswith("broker_commission: ")
    assert "platform fee" in refused.value.message
    assert head(world.app) == before
    world.restart(policy=DealPolicy(platform_fee_rate=300))
    with pytest.raises(ValidationError, match=r"^broker_commission: .*platform fee"):
        offer(world, broker_organisation_id=agency, broker_commission=98)
    assert head(world.app) == before
    offer_id = offer(world, broker_organisation_id=agency, broker_commission=97)  # 97 % + 3 % = 100 %
    assert world.get(offer_id).broker_commission == 9_700


def test_a_commission_needs_a_broker_who_is_not_a_party(world: World) -> None:
    agency = _sign_up_agency(world)
    before = head(world.app)
    with pytest.raises(ValidationError, match=r"^broker_commission: only a broker"):
        offer(world, broker_commission=2)
    with pytest.raises(ValidationError) as refused:
        offer(world, buyer="agency", broker_organisation_id=agency, broker_commission=2)
    assert refused.value.field == "broker_organisation_id"
    assert head(world.app) == before


def test_an_amount_beyond_ten_trillion_yuan_is_refused(world: World) -> None:
    before = head(world.app)
    for terms in (
        {"price": 2**63},
        {"price": MAX_AMOUNT + 1},
        {"kind": "non_exclusive_licence", "minimum_annual_royalty": MAX_AMOUNT + 1},
        {"milestones": [d.MilestoneInput(name="上市", amount=2**63)]},
    ):
        with pytest.raises(ValidationError, match=r"must be at most"):
            offer(world, **terms)
    assert head(world.app) == before
    offer_id = offer(world, price=MAX_AMOUNT)
    assert world.get(offer_id).terms["price"] == MAX_AMOUNT


def test_the_command_structs_bound_amounts() -> None:
    body = {"listing_id": str(uuid4()), "kind": "assignment", "price": MAX_AMOUNT}
    assert msgspec.convert(body, d.MakeOffer).price == MAX_AMOUNT
    for bad in (
        {"price": MAX_AMOUNT + 1},
        {"minimum_annual_royalty": 2**63},
        {"milestones": [{"name": "x", "amount": MAX_AMOUNT + 1}]},
        {"instalments": [{"amount": MAX_AMOUNT + 1}]},
    ):
        with pytest.raises(msgspec.ValidationError):
            msgspec.convert(body | bad, d.MakeOffer)
    report = {"contract_id": str(uuid4()), "period_start": "2025-04-01", "period_end": "2025-06-30"}
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert(report | {"net_sales": MAX_AMOUNT + 1}, d.FileRoyaltyReport)
    receipt = {"obligation_id": str(uuid4()), "bank_reference": "BR-1"}
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert(receipt | {"amount": MAX_AMOUNT + 1}, d.RecordManualReceipt)


def test_a_counter_offer_keeps_to_the_listing_currency(world: World) -> None:
    offer_id = offer(world)
    before = head(world.app)
    with pytest.raises(ValidationError, match=r"^currency: the listing is priced in CNY"):
        world.app.offers.counter_offer(
            d.CounterOffer(offer_id=offer_id, kind="assignment", price=9_000_000, currency="USD"),
            actor_id=world["uni"],
        )
    assert head(world.app) == before
    assert world.get(offer_id).terms["currency"] == "CNY"


def test_a_counter_offer_on_a_withdrawn_listing_or_a_lapsed_patent_is_refused(world: World) -> None:
    offer_id = offer(world)
    world.app.catalogue.change_legal_status(
        cc.ChangeLegalStatus(patent_id=world["patent"], legal_status="lapsed", effective_date=date(2025, 3, 1)),
        actor_id=world["uni"],
    )
    before = head(world.app)
    with pytest.raises(ListingNotOpenError, match="suspended"):  # a lapsed patent's listing is suspended
        world.app.offers.counter_offer(
            d.CounterOffer(offer_id=offer_id, kind="assignment", price=9_000_000), actor_id=world["uni"]
        )
    assert head(world.app) == before
    second = make_world()
    offer_id = offer(second)
    second.app.catalogue.withdraw_listing(cc.WithdrawListing(listing_id=second["listing"]), actor_id=second["uni"])
    before = head(second.app)
    with pytest.raises(ListingNotOpenError):
        second.app.offers.counter_offer(
            d.CounterOffer(offer_id=offer_id, kind="assignment", price=9_000_000), actor_id=second["uni"]
        )
    assert head(second.app) == before


def test_a_counter_offer_of_a_kind_the_listing_no_longer_offers_is_refused(world: World) -> None:
    offer_id = offer(world, kind="non_exclusive_licence")
    listing = world.get(world["listing"])
    listing.restrict_deal_types(["non_exclusive_licence"], contract_id=uuid4(), by=world["uni"])
    world.app.save(listing)
    before = head(world.app)
    with pytest.raises(ValidationError, match=r"^kind: this listing offers"):
        world.app.offers.counter_offer(
            d.CounterOffer(offer_id=offer_id, kind="non_exclusive_licence", price=9_000_000, scope=licence_scope()),
            actor_id=world["uni"],
        )
    assert head(world.app) == before
