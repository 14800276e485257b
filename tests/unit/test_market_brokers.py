"""Brokers (技术经纪人): accreditation, mandates, introductions, and the broker an introduced buyer's offer carries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from domain.shared.errors import ConflictError, PermissionDeniedError, ValidationError
from marketplace.deals import commands as d
from marketplace.market import commands as mc
from tests.unit.broker_helpers import broker_world, introduce
from tests.unit.deal_helpers import accept, offer, past_notice, pay_by_webhook, sign_all


def test_only_a_transfer_agency_member_is_accredited_and_only_by_a_platform_admin() -> None:
    world = broker_world()
    with pytest.raises(PermissionDeniedError) as refused:
        world.app.brokers.accredit_broker(
            mc.AccreditBroker(user_id=world["firm"], credential_number="X-1", expires_on=date(2026, 1, 1)),
            actor_id=world["admin"])
    assert refused.value.code == "broker.agency_member"
    with pytest.raises(PermissionDeniedError):
        world.app.brokers.accredit_broker(
            mc.AccreditBroker(user_id=world["broker"], credential_number="X-1", expires_on=date(2026, 1, 1)),
            actor_id=world["uni"])
    with pytest.raises(ConflictError) as twice:
        world.app.brokers.accredit_broker(
            mc.AccreditBroker(user_id=world["broker"], credential_number="X-1", expires_on=date(2026, 1, 1)),
            actor_id=world["admin"])
    assert twice.value.code == "broker.accredited"
    # A member of an agency the platform has not verified is not accredited either (the form lists verified ones
    # only; a hand-made request is refused the same way).
    world.sign_up("unverified", "未审核的技术转移中心", "transfer_agency", verify=False)
    with pytest.raises(PermissionDeniedError) as unverified:
        world.app.brokers.accredit_broker(
            mc.AccreditBroker(user_id=world["unverified"], credential_number="X-2", expires_on=date(2026, 1, 1)),
            actor_id=world["admin"])
    assert unverified.value.code == "broker.agency_unverified"


def test_an_introduced_buyer_offering_without_naming_the_broker_carries_it_and_the_agency_is_paid() -> None:
    world = broker_world(commission=3.0)
    introduce(world)
    offer_id = offer(world)  # the buyer names no broker
    made = world.get(offer_id)
    assert (made.broker_organisation_id, made.broker_commission) == (world["agency_org"], 300)
    contract = accept(world, offer_id)
    sign_all(world, contract)
    past_notice(world)
    oid = pay_by_webhook(world, contract)
    paid = next(e for e in world.app.repository.event_store.get(oid) if type(e).__name__ == "Paid")
    broker_share = [s for s in paid.shares if s["party"] == "broker"]
    assert broker_share[0]["amount"] == 10_000_000 * 300 // 10_000


def test_the_buyer_cannot_name_another_broker_or_commission() -> None:
    world = broker_world()
    world.sign_up("other", "厦门另一技术转移中心", "transfer_agency")
    introduce(world)
    with pytest.raises(ValidationError) as other:
        offer(world, broker_organisation_id=world["other_org"], broker_commission=1.0)
    assert other.value.code == "offer.broker_introduced"
    with pytest.raises(ValidationError) as lower:
        offer(world, broker_organisation_id=world["agency_org"], broker_commission=1.0)
    assert lower.value.code == "offer.commission_mandated"


def test_no_binding_before_confirmation_after_the_term_or_once_the_mandate_ended() -> None:
    world = broker_world(ends_on=date(2025, 3, 10))
    iid = introduce(world, confirm=False)
    assert world.get(offer(world)).broker_organisation_id is None  # awaiting the buyer's confirmation
    world.app.brokers.confirm_introduction(mc.ConfirmIntroduction(introduction_id=iid), actor_id=world["firm"])
    world.clock.advance(timedelta(days=8))  # past 2025-03-10 in Beijing
    world.sign_up("late", "福州后来科技有限公司", "enterprise")
    assert world.app.brokers.binding_broker(world["listing"], world["firm_org"]) is None
    world2 = broker_world()
    introduce(world2)
    world2.app.brokers.end_mandate(mc.EndMandate(listing_id=world2["listing"], agency_id=world2["agency_org"],
                                                 reason="委托期满前解除"), actor_id=world2["uni"])
    assert world2.app.brokers.binding_broker(world2["listing"], world2["firm_org"]) is None


def test_only_the_sellers_admin_mandates_and_only_the_buyer_confirms() -> None:
    world = broker_world()
    with pytest.raises(PermissionDeniedError) as outsider:
        world.app.brokers.give_mandate(
            mc.GiveMandate(listing_id=world["listing"], agency_id=world["agency_org"], commission=2.0,
                           ends_on=date(2025, 6, 1)), actor_id=world["firm"])
    assert outsider.value.code == "mandate.seller_admin"
    with pytest.raises(ValidationError) as not_agency:
        world.app.brokers.give_mandate(
            mc.GiveMandate(listing_id=world["listing"], agency_id=world["firm_org"], commission=2.0,
                           ends_on=date(2025, 6, 1)), actor_id=world["uni"])
    assert not_agency.value.code == "mandate.agency_kind"
    iid = introduce(world, confirm=False)
    with pytest.raises(PermissionDeniedError) as rival:
        world.app.brokers.confirm_introduction(mc.ConfirmIntroduction(introduction_id=iid), actor_id=world["rival"])
    assert rival.value.code == "introduction.buyer_only"


def test_a_second_introduction_of_the_same_buyer_is_one_effect_or_refused() -> None:
    world = broker_world()
    first = introduce(world, confirm=False)
    again = introduce(world, confirm=False)  # the broker's second click
    assert again == first
    world.sign_up("broker2", "福州第二技术转移中心", "transfer_agency")
    world.app.brokers.accredit_broker(
        mc.AccreditBroker(user_id=world["broker2"], credential_number="FJ-2", expires_on=date(2026, 1, 1)),
        actor_id=world["admin"])
    with pytest.raises(PermissionDeniedError) as unmandated:
        world.app.brokers.introduce_buyer(
            mc.IntroduceBuyer(listing_id=world["listing"], buyer_organisation_id=world["firm_org"]),
            actor_id=world["broker2"])
    assert unmandated.value.code == "introduction.not_mandated"


def test_a_revoked_broker_introduces_nobody() -> None:
    world = broker_world()
    world.app.brokers.revoke_broker(mc.RevokeBroker(user_id=world["broker"], reason="违规收费"),
                                    actor_id=world["admin"])
    with pytest.raises(PermissionDeniedError) as revoked:
        introduce(world)
    assert revoked.value.code == "broker.revoked"


def test_an_offer_without_introduction_is_unchanged() -> None:
    world = broker_world()
    made = world.get(offer(world, buyer="rival"))
    assert made.broker_organisation_id is None
    assert d.MakeOffer  # the deals command is the same struct the API takes


def test_a_broker_answers_offers_for_the_seller_only_where_the_mandate_lets_it_act() -> None:
    world = broker_world(may_act=False)
    introduce(world)
    offer_id = offer(world, price=8_000_000)
    counter = d.CounterOffer(offer_id=offer_id, kind="assignment", price=9_000_000)
    with pytest.raises(PermissionDeniedError) as read_only:
        world.app.offers.counter_offer(counter, actor_id=world["broker"])
    assert read_only.value.code == "offer.not_party"

    acting = broker_world(may_act=True)
    introduce(acting)
    offer_id = offer(acting, price=8_000_000)
    other = offer(acting, buyer="rival", price=8_500_000)
    acting.app.offers.counter_offer(d.CounterOffer(offer_id=offer_id, kind="assignment", price=9_000_000),
                                    actor_id=acting["broker"])
    assert acting.get(offer_id).deal_terms.price.amount == 9_000_000
    # An offer whose buyer named the agency (no introduction) at a commission the seller never agreed to is the
    # seller's to answer: the broker cannot accept a higher commission for its own agency.
    acting.sign_up("third", "厦门第三科技有限公司", "enterprise")
    named = offer(acting, buyer="third", price=8_600_000, broker_organisation_id=acting["agency_org"],
                  broker_commission=5.0)
    with pytest.raises(PermissionDeniedError) as higher:
        acting.app.offers.accept_offer(d.AcceptOffer(offer_id=named), actor_id=acting["broker"])
    assert higher.value.code == "offer.not_party"
    # An offer its agency does not broker (a buyer it never introduced) it can neither read nor answer.
    with pytest.raises(PermissionDeniedError):
        acting.app.offers.reject_offer(d.RejectOffer(offer_id=other), actor_id=acting["broker"])
    # Once the mandate ends, the broker no longer acts.
    acting.app.brokers.end_mandate(mc.EndMandate(listing_id=acting["listing"], agency_id=acting["agency_org"]),
                                   actor_id=acting["uni"])
    with pytest.raises(PermissionDeniedError):
        acting.app.offers.reject_offer(d.RejectOffer(offer_id=other), actor_id=acting["broker"])
    # The buyer accepts the broker's counter-offer; the contract carries the agency as broker.
    contract = accept(acting, offer_id, by="firm")
    assert acting.get(contract).broker_organisation_id == acting["agency_org"]


def test_the_agency_subsidy_ceiling_is_two_percent_of_the_years_volume_capped_at_500000_yuan() -> None:
    from domain.market.agency_subsidy import subsidy_ceiling

    assert subsidy_ceiling(50_000_000) == 1_000_000  # 2 % of 500,000 yuan: 10,000 yuan
    assert subsidy_ceiling(2_500_000_000) == 50_000_000  # 2 % of 25 million yuan: exactly the cap
    assert subsidy_ceiling(10_000_000_000) == 50_000_000  # capped at 500,000 yuan
    assert subsidy_ceiling(0) == 0


def test_a_mandate_leaves_room_for_the_platform_fee_so_its_deals_can_be_paid() -> None:
    world = broker_world()
    with pytest.raises(ValidationError) as greedy:  # 99.5 % + the platform's 1 % could never be settled
        world.app.brokers.give_mandate(
            mc.GiveMandate(listing_id=world["listing"], agency_id=world["agency_org"], commission=99.5,
                           ends_on=date(2025, 6, 1)), actor_id=world["uni"])
    assert (greedy.value.code, greedy.value.field) == ("offer.commission_room", "commission")
    world.app.brokers.end_mandate(mc.EndMandate(listing_id=world["listing"], agency_id=world["agency_org"],
                                                reason="改约"), actor_id=world["uni"])
    world.app.brokers.give_mandate(  # 99 % leaves exactly the fee
        mc.GiveMandate(listing_id=world["listing"], agency_id=world["agency_org"], commission=99.0,
                       ends_on=date(2025, 6, 1)), actor_id=world["uni"])


def test_a_broker_introduces_only_verified_organisations_that_may_buy() -> None:
    world = broker_world()
    world.sign_up("dept", "福建省科学技术厅", "government")
    world.sign_up("newco", "福州未审核科技有限公司", "enterprise", verify=False)
    for who in ("dept_org", "newco_org"):
        with pytest.raises(ValidationError) as refused:
            world.app.brokers.introduce_buyer(
                mc.IntroduceBuyer(listing_id=world["listing"], buyer_organisation_id=world[who]),
                actor_id=world["broker"])
        assert refused.value.code == "introduction.buyer_trading"
    assert introduce(world, confirm=False)  # a verified enterprise is introduced
