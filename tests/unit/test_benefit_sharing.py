"""Benefit sharing (收益分配) of a received payment: worked numbers, rounding and the legal floor."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.deals.benefit_sharing import FULL, MIN_INVENTOR_SHARE, Share, settle
from domain.shared.errors import ValidationError

YUAN = 100  # minor units (fen) per yuan


def test_worked_example_university_seller_with_recorded_contributions() -> None:
    # ¥1,000,000 received; platform 1 %, broker 2 %; inventors 70 % of net income, split 60/40.
    shares = settle(
        1_000_000 * YUAN,
        platform_fee_rate=100,
        broker_commission_rate=200,
        inventor_share=7000,
        inventors=[("张三", 6000), ("李四", 4000)],
        institution_seller=True,
    )
    assert shares == [
        Share("platform", "", 10_000 * YUAN),  # ¥10,000
        Share("broker", "", 20_000 * YUAN),  # ¥20,000
        Share("inventor", "张三", 407_400 * YUAN),  # 60 % of 70 % of ¥970,000
        Share("inventor", "李四", 271_600 * YUAN),  # 40 % of 70 % of ¥970,000
        Share("institution", "", 291_000 * YUAN),  # the 30 % the university keeps
    ]
    assert sum(share.amount for share in shares) == 1_000_000 * YUAN


def test_rounding_remainders_go_to_the_institution() -> None:
    # ¥10.01: platform 10 fen, broker 20 fen, net 971 fen; 70 % / 3 inventors = 226.57 fen each.
    shares = settle(
        1001,
        platform_fee_rate=100,
        broker_commission_rate=200,
        inventor_share=7000,
        inventors=[("甲", None), ("乙", None), ("丙", None)],
        institution_seller=True,
    )
    assert [share.amount for share in shares] == [10, 20, 226, 226, 226, 293]
    assert shares[-1].party == "institution"
    assert sum(share.amount for share in shares) == 1001


def test_contribution_split_floors_each_inventor_and_omits_zero_fee_lines() -> None:
    # 333 fen, no fees: 50 % of net to inventors 60/40 → 99.9 and 66.6 fen, floored.
    shares = settle(
        333,
        platform_fee_rate=0,
        broker_commission_rate=0,
        inventor_share=MIN_INVENTOR_SHARE,
        inventors=[("张三", 6000), ("李四", 4000)],
        institution_seller=True,
    )
    assert shares == [Share("inventor", "张三", 99), Share("inventor", "李四", 66), Share("institution", "", 168)]


def floor_of(numerator: int, denominator: int) -> int:
    """The rule's rounding, stated independently of the code under test: down to the whole fen."""
    return math.floor(Fraction(numerator, denominator))


@st.composite
def payments(draw: st.DrawFn) -> dict[str, Any]:
    """A received payment and the settings it is split by, inside the ranges ``settle`` accepts."""
    platform = draw(st.integers(0, FULL))
    broker = draw(st.integers(0, FULL - platform))
    names = draw(st.lists(st.sampled_from("甲乙丙丁戊己庚辛"), max_size=6, unique=True))
    contributions: list[int | None] = [None] * len(names)
    if names and draw(st.booleans()):  # recorded contributions: each above 0, summing to 100 %
        cuts = sorted(draw(st.lists(st.integers(1, FULL - 1), min_size=len(names) - 1, max_size=len(names) - 1,
                                    unique=True)))
        contributions = [b - a for a, b in zip([0, *cuts], [*cuts, FULL], strict=True)]
    return {
        "amount": draw(st.one_of(st.integers(0, 10_000), st.integers(0, 10**13))),
        "platform_fee_rate": platform,
        "broker_commission_rate": broker,
        "inventor_share": draw(st.integers(MIN_INVENTOR_SHARE, FULL)),
        "inventors": list(zip(names, contributions, strict=True)),
        "institution_seller": draw(st.booleans()),
    }


@settings(max_examples=2000, deadline=None, database=None, derandomize=True)
@given(payments())
def test_every_share_is_floored_to_the_fen_and_the_remainder_goes_to_the_seller(case: dict[str, Any]) -> None:
    """The rounding rule itself: platform fee and commission are floored from the gross amount; each
    inventor's amount is floored from the net income directly (not from a floored pool); zero lines are
    left out; the institution (seller) gets the rest, last, so the lines sum exactly to the amount."""
    amount, inventors = case["amount"], case["inventors"]
    platform = floor_of(amount * case["platform_fee_rate"], FULL)
    broker = floor_of(amount * case["broker_commission_rate"], FULL)
    net = amount - platform - broker
    expected = [Share("platform", "", platform), Share("broker", "", broker)]
    if case["institution_seller"]:
        recorded = [share for _, share in inventors]
        for name, contribution in inventors:
            weight = Fraction(contribution, FULL) if None not in recorded else Fraction(1, len(inventors))
            exact = net * Fraction(case["inventor_share"], FULL) * weight
            expected.append(Share("inventor", name, math.floor(exact)))
    expected = [share for share in expected if share.amount > 0]
    rest = amount - sum(share.amount for share in expected)
    expected.append(Share("institution" if case["institution_seller"] else "seller", "", rest))

    shares = settle(**case)
    assert shares == expected
    assert sum(share.amount for share in shares) == amount
    assert all(share.amount >= 0 for share in shares)
    # The seller never gets less than its exact (unrounded) part, and less than one fen more per floored line.
    exact_rest = amount * (1 - Fraction(case["platform_fee_rate"] + case["broker_commission_rate"], FULL))
    floored = 2
    if case["institution_seller"] and inventors:
        exact_rest *= 1 - Fraction(case["inventor_share"], FULL)
        floored += len(inventors)
    assert exact_rest <= shares[-1].amount < exact_rest + floored


def test_an_inventor_share_below_the_legal_floor_is_refused() -> None:
    with pytest.raises(ValidationError) as refused:
        settle(
            100_000,
            platform_fee_rate=100,
            broker_commission_rate=0,
            inventor_share=4999,
            inventors=[("张三", None)],
            institution_seller=True,
        )
    assert refused.value.field == "inventor_share"
    assert refused.value.message.startswith("inventor_share: ")
    assert "50.00 %" in refused.value.message
    assert "49.99 %" in refused.value.message


def test_the_floor_itself_is_accepted() -> None:
    shares = settle(
        10_000,
        platform_fee_rate=0,
        broker_commission_rate=0,
        inventor_share=5000,
        inventors=[("张三", None)],
        institution_seller=True,
    )
    assert shares == [Share("inventor", "张三", 5000), Share("institution", "", 5000)]


def test_an_enterprise_seller_gets_the_whole_net_income() -> None:
    # The art. 45 reward is a duty of state-funded institutes and universities; an enterprise's
    # inventors are paid under its own rules, outside this split, so a share of 0 is not refused.
    shares = settle(
        1_000_000 * YUAN,
        platform_fee_rate=100,
        broker_commission_rate=200,
        inventor_share=0,
        inventors=[("张三", 6000), ("李四", 4000)],
        institution_seller=False,
    )
    assert shares == [
        Share("platform", "", 10_000 * YUAN),
        Share("broker", "", 20_000 * YUAN),
        Share("seller", "", 970_000 * YUAN),
    ]


def test_an_institution_without_recorded_inventors_keeps_the_net_income() -> None:
    shares = settle(
        10_000, platform_fee_rate=100, broker_commission_rate=0, inventor_share=7000, inventors=[],
        institution_seller=True,
    )  # fmt: skip
    assert shares == [Share("platform", "", 100), Share("institution", "", 9900)]


def test_a_zero_payment_still_names_the_seller() -> None:
    shares = settle(
        0, platform_fee_rate=100, broker_commission_rate=200, inventor_share=7000, inventors=[("甲", None)],
        institution_seller=True,
    )  # fmt: skip
    assert shares == [Share("institution", "", 0)]


@pytest.mark.parametrize(
    "inventors",
    [[("甲", 6000), ("乙", None)], [("甲", 6000), ("乙", 3000)], [("甲", 10_000), ("乙", 0)]],
)
def test_contribution_shares_must_be_complete_and_sum_to_100_percent(
    inventors: list[tuple[str, int | None]],
) -> None:
    with pytest.raises(ValidationError) as refused:
        settle(
            10_000, platform_fee_rate=0, broker_commission_rate=0, inventor_share=7000, inventors=inventors,
            institution_seller=True,
        )  # fmt: skip
    assert refused.value.field == "inventors"


@pytest.mark.parametrize(
    ("platform", "broker", "field"),
    [(-1, 0, "platform_fee_rate"), (0, 10_001, "broker_commission_rate"), (6000, 5000, "broker_commission_rate")],
)
def test_fee_rates_out_of_range_are_refused(platform: int, broker: int, field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        settle(
            10_000, platform_fee_rate=platform, broker_commission_rate=broker, inventor_share=7000, inventors=[],
            institution_seller=True,
        )  # fmt: skip
    assert refused.value.field == field
    assert refused.value.message.startswith(f"{field}: ")


def test_a_negative_amount_is_refused() -> None:
    with pytest.raises(ValidationError) as refused:
        settle(
            -1, platform_fee_rate=0, broker_commission_rate=0, inventor_share=7000, inventors=[],
            institution_seller=False,
        )  # fmt: skip
    assert refused.value.field == "amount"


def test_share_as_dict_is_the_event_payload_shape() -> None:
    assert Share("inventor", "张三", 40_740_000).as_dict() == {
        "party": "inventor",
        "name": "张三",
        "amount": 40_740_000,
    }


# --- the institution's own rule: who sets it, its bounds, and the contracts it reaches (issue 11) --------
from uuid import UUID  # noqa: E402

from domain.shared.errors import PermissionDeniedError  # noqa: E402
from marketplace.accounts import commands as ac  # noqa: E402
from marketplace.deals import commands as d  # noqa: E402
from tests.unit.deal_helpers import PASSWORD, World, accept, head, make_world, offer, pay_by_webhook, sign_all  # noqa: E402


@pytest.fixture
def world() -> World:
    return make_world()


def set_share(world: World, percent: float, by: str = "uni", organisation: str = "uni_org") -> int:
    return world.app.payments.set_benefit_rules(
        d.SetBenefitRules(organisation_id=world[organisation], inventor_share=percent), actor_id=world[by]
    )


def inventors_paid(world: World, contract_id: UUID) -> int:
    """What the inventors got of the contract's upfront payment."""
    oid = pay_by_webhook(world, contract_id, event_id=f"evt_{contract_id}")
    event = list(world.app.repository.event_store.get(oid))[-1]
    return sum(s["amount"] for s in event.shares if s["party"] == "inventor")  # type: ignore[attr-defined]


@pytest.mark.parametrize("percent", [49.99, 0, 10])
def test_a_share_below_the_legal_floor_is_refused_and_nothing_recorded(world: World, percent: float) -> None:
    before = head(world.app)
    with pytest.raises(ValidationError) as refused:
        set_share(world, percent)
    assert refused.value.field == "inventor_share"
    assert "50 %" in refused.value.message
    assert "art. 45" in refused.value.message
    assert head(world.app) == before
    assert world.get(world["uni_org"]).inventor_share == MIN_INVENTOR_SHARE


def test_another_organisations_admin_is_refused(world: World) -> None:
    before = head(world.app)
    with pytest.raises(PermissionDeniedError):
        set_share(world, 80, by="firm")
    with pytest.raises(PermissionDeniedError):  # not even the platform's admin decides a university's rule
        set_share(world, 80, by="admin")
    assert head(world.app) == before


def test_a_member_without_the_admin_role_is_refused(world: World) -> None:
    member, _ = world.app.accounts.add_member(
        ac.AddMember(email="staff@example.test", password=PASSWORD, display_name="staff"), actor_id=world["uni"]
    )
    world.ids["staff"] = member
    before = head(world.app)
    with pytest.raises(PermissionDeniedError):
        set_share(world, 80, by="staff")
    assert head(world.app) == before


def test_an_enterprise_sets_no_inventors_share(world: World) -> None:
    with pytest.raises(ValidationError) as refused:
        set_share(world, 80, by="firm", organisation="firm_org")
    assert refused.value.field == "organisation_id"


def test_the_same_share_sent_twice_is_recorded_once(world: World) -> None:
    set_share(world, 70)
    before = head(world.app)
    assert set_share(world, 70) == before
    assert head(world.app) == before
    assert world.get(world["uni_org"]).inventor_share == 7_000


def test_a_change_reaches_contracts_drafted_after_it_not_before(world: World) -> None:
    earlier = accept(world, offer(world))  # drafted under the legal floor, 50 %
    set_share(world, 80)
    assert world.get(earlier).inventor_share == MIN_INVENTOR_SHARE
    sign_all(world, earlier)
    # 10,000,000 fen, 1 % platform fee: 50 % of the net 9,900,000 to the inventors (4,950,000).
    assert inventors_paid(world, earlier) == 4_950_000
    later_listing = world.list_patent("uni", world.register_patent(["uni"], number="202010123457"))
    later = accept(world, offer(world, listing_id=later_listing))
    assert world.get(later).inventor_share == 8_000
    sign_all(world, later)
    assert inventors_paid(world, later) == 7_920_000  # 80 % of the net
