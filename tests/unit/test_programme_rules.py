"""Programme rules: the award of a paid deal, step by step, under Fujian's own figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.programmes.rules import (
    CounterpartyRate,
    DealFacts,
    Party,
    Rules,
    Side,
    Tier,
    Totals,
    assess,
    higher_of,
    rules_from_dict,
)
from domain.shared.errors import ValidationError

YUAN = 100
SIGNED = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
UNIVERSITY = Party("u", "university", "福建省福州市")
XIAMEN_UNIVERSITY = Party("x", "university", "福建省厦门市")
ENTERPRISE = Party("e", "enterprise", "福建省泉州市", frozenset({"soe"}))
SHANGHAI = Party("s", "enterprise", "上海市")

#: fujian_platform_transaction_subsidy_2024: the seller gets 1 %, at most ¥50,000 a deal and ¥200,000 a year.
SELLER_REWARD = Rules(beneficiary=Side.SELLER, tiers=(Tier(100),), cap_per_deal=50_000 * YUAN,
                      cap_per_beneficiary_year=200_000 * YUAN, buyer_region="福建", seller_region="福建")
#: fujian_institution_conversion_reward: 1 % of the first ¥5,000,000 a year, 0.5 % above, at most ¥1,000,000.
INSTITUTION_REWARD = Rules(beneficiary=Side.SELLER, tiers=(Tier(100, 5_000_000 * YUAN), Tier(50)),
                           cap_per_beneficiary_year=1_000_000 * YUAN,
                           seller_kinds=frozenset({"university", "research_institute"}))
INSTITUTIONS = frozenset({"university", "research_institute"})
#: fuzhou_soe_purchase_subsidy: 10 % buying from a Fuzhou university or institute, 6 % otherwise, ¥2,000,000 a year.
SOE_SUBSIDY = Rules(beneficiary=Side.BUYER, tiers=(Tier(600),), cap_per_beneficiary_year=2_000_000 * YUAN,
                    counterparty_rates=(CounterpartyRate(1000, "福州", INSTITUTIONS),),
                    beneficiary_flags=frozenset({"soe"}))


def paid(amount_yuan: int, *, seller: Party = UNIVERSITY, buyer: Party = ENTERPRISE, **changes: object) -> DealFacts:
    facts: dict[str, object] = {
        "contract_id": "c1", "deal_type": "transfer", "buyer": buyer, "seller": seller,
        "paid_amount": amount_yuan * YUAN, "paid_at": SIGNED + timedelta(days=20), "signed_at": SIGNED,
        "offered_from": SIGNED - timedelta(days=30), "registered_at": SIGNED + timedelta(days=5),
    } | changes
    return DealFacts(**facts)  # type: ignore[arg-type]


def test_the_seller_reward_is_one_percent_of_what_was_paid_with_each_step_shown() -> None:
    award = assess(SELLER_REWARD, paid(800_000))
    assert award.eligible
    assert award.amount == 8_000 * YUAN
    assert [s.key for s in award.steps] == ["programme.step.paid", "programme.step.rate", "programme.step.subtotal"]
    assert award.steps[1].figures == {"base": 800_000 * YUAN, "rate_bp": 100}


def test_the_per_deal_cap_and_then_the_yearly_cap_cut_the_award_and_say_so() -> None:
    big = assess(SELLER_REWARD, paid(9_000_000))
    assert big.amount == 50_000 * YUAN
    assert big.steps[-1].key == "programme.step.cap_per_deal"
    third = assess(SELLER_REWARD, paid(9_000_000), Totals(year_paid=18_000_000 * YUAN, year_awarded=170_000 * YUAN))
    assert third.amount == 30_000 * YUAN  # the year's room, not the deal's
    assert [s.key for s in third.steps][-2:] == ["programme.step.cap_per_deal", "programme.step.cap_per_year"]
    spent = assess(SELLER_REWARD, paid(1_000), Totals(year_awarded=200_000 * YUAN))
    assert spent.amount == 0
    assert not spent.eligible


def test_an_instalment_counts_against_what_the_deal_was_already_awarded() -> None:
    second = assess(SELLER_REWARD, paid(3_000_000), Totals(deal_awarded=40_000 * YUAN))
    assert second.amount == 10_000 * YUAN


def test_tiers_split_a_payment_by_where_it_falls_in_the_year() -> None:
    # ¥1,000,000 already paid this year; ¥6,000,000 more: ¥4,000,000 at 1 %, ¥2,000,000 at 0.5 %.
    award = assess(INSTITUTION_REWARD, paid(6_000_000), Totals(year_paid=1_000_000 * YUAN))
    rated = [s for s in award.steps if s.key == "programme.step.rate"]
    assert [(s.figures["base"], s.figures["rate_bp"]) for s in rated] == [
        (4_000_000 * YUAN, 100), (2_000_000 * YUAN, 50)]
    assert award.amount == 40_000 * YUAN + 10_000 * YUAN


def test_the_soe_subsidy_rate_depends_on_where_the_seller_is() -> None:
    assert assess(SOE_SUBSIDY, paid(1_000_000)).amount == 100_000 * YUAN  # a Fuzhou university: 10 %
    assert assess(SOE_SUBSIDY, paid(1_000_000, seller=XIAMEN_UNIVERSITY)).amount == 60_000 * YUAN  # 6 %
    not_soe = Party("p", "enterprise", "福建省福州市")
    assert assess(SOE_SUBSIDY, paid(1_000_000, buyer=not_soe)).refusals == ("programme.refusal.flags",)


def test_conditions_and_exclusions_are_named() -> None:
    assert assess(SELLER_REWARD, paid(100_000, buyer=SHANGHAI)).refusals == ("programme.refusal.buyer_region",)
    # Registration often follows the payment: the claim asks for its number at submission instead.
    assert assess(SELLER_REWARD, paid(100_000, registered_at=None)).eligible
    assert assess(SELLER_REWARD, paid(100_000, fiscally_funded=True, related_parties=True)).refusals == (
        "programme.refusal.fiscally_funded", "programme.refusal.related_parties")
    elsewhere = paid(100_000, signed_on_platform=False)
    assert "programme.refusal.not_signed_here" in assess(SELLER_REWARD, elsewhere).refusals
    assert assess(INSTITUTION_REWARD, paid(100_000, seller=ENTERPRISE)).refusals == ("programme.refusal.seller_kind",)


def test_a_province_contains_its_cities() -> None:
    assert assess(SELLER_REWARD, paid(100_000, buyer=Party("b", "enterprise", "厦门"))).eligible
    assert assess(SELLER_REWARD, paid(100_000, buyer=Party("b", "enterprise", "福建省"))).eligible
    assert not assess(SELLER_REWARD, paid(100_000, buyer=Party("b", "enterprise", "杭州"))).eligible
    assert not assess(SELLER_REWARD, paid(100_000, buyer=Party("b", "enterprise", ""))).eligible


def test_the_machine_checks_the_order_of_dates() -> None:
    late_listing = paid(100_000, offered_from=SIGNED + timedelta(days=1))
    assert assess(SELLER_REWARD, late_listing).refusals == ("programme.refusal.order_offer_before_contract",)
    early_payment = paid(100_000, paid_at=SIGNED - timedelta(days=1))
    assert assess(SELLER_REWARD, early_payment).refusals == ("programme.refusal.order_payment_after_signing",)
    early_registration = paid(100_000, registered_at=SIGNED - timedelta(hours=1))
    assert assess(SELLER_REWARD, early_registration).refusals == (
        "programme.refusal.order_registration_after_signing",)


def test_overlapping_programmes_give_the_higher_award_never_both() -> None:
    facts = paid(3_000_000)
    chosen = higher_of([("reward-a", assess(SELLER_REWARD, facts)), ("reward-b", assess(INSTITUTION_REWARD, facts))])
    assert chosen is not None
    assert chosen[0] == "reward-a"
    assert chosen[1].amount == 30_000 * YUAN
    bigger = Rules(beneficiary=Side.SELLER, tiers=(Tier(200),))
    chosen = higher_of([("reward-a", assess(SELLER_REWARD, facts)), ("reward-z", assess(bigger, facts))])
    assert chosen is not None
    assert chosen[0] == "reward-z"
    assert higher_of([("reward-a", assess(SELLER_REWARD, paid(1, buyer=SHANGHAI)))]) is None


def test_the_payment_year_is_beijings() -> None:
    new_year_eve = paid(1, paid_at=datetime(2026, 12, 31, 17, 0, tzinfo=UTC))
    assert new_year_eve.year == 2027


def test_rules_survive_their_event_payload_and_refuse_nonsense() -> None:
    for rules in (SELLER_REWARD, INSTITUTION_REWARD, SOE_SUBSIDY):
        assert rules_from_dict(rules.as_dict()) == rules
    with pytest.raises(ValidationError):
        Rules(beneficiary=Side.SELLER, tiers=(Tier(10_001),))
    with pytest.raises(ValidationError):
        Rules(beneficiary=Side.SELLER, tiers=(Tier(100), Tier(50, 10)))  # an unbounded tier before the last
    with pytest.raises(ValidationError):
        Rules(beneficiary=Side.SELLER, tiers=(Tier(100, 10), Tier(50, 5), Tier(10)))
    with pytest.raises(ValidationError):
        Rules(beneficiary=Side.SELLER, tiers=(Tier(100),), cap_per_deal=-1)
    with pytest.raises(ValidationError):
        Rules(beneficiary=Side.SELLER, tiers=())
