"""Benefit sharing (收益分配) of a received payment: worked numbers, rounding and the legal floor."""

from __future__ import annotations

import pytest

from domain.deals.benefit_sharing import MIN_INVENTOR_SHARE, Share, settle
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


@pytest.mark.parametrize("amount", [*range(0, 2000, 7), 99_999_999, 12_345_678_901])
def test_shares_always_sum_exactly_to_the_amount(amount: int) -> None:
    shares = settle(
        amount,
        platform_fee_rate=150,
        broker_commission_rate=333,
        inventor_share=8000,
        inventors=[("甲", 3333), ("乙", 3333), ("丙", 3334)],
        institution_seller=True,
    )
    assert sum(share.amount for share in shares) == amount
    assert all(share.amount > 0 for share in shares[:-1])
    assert shares[-1].party == "institution"


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
