"""Running royalty (提成费), the minimum annual royalty (保底许可费) and licence years."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from domain.deals.royalty import RoyaltyDue, check_report_period, closes_licence_year, licence_year_end, royalty_due
from domain.shared.errors import ValidationError

YUAN = 100


def test_running_royalty_without_top_up_mid_year() -> None:
    # ¥1,000,000 of net sales at 5 %: ¥50,000; the year is not closed, so the minimum does not bite yet.
    due = royalty_due(
        net_sales=1_000_000 * YUAN,
        rate=500,
        minimum_annual_royalty=200_000 * YUAN,
        royalties_so_far_this_year=0,
        closes_licence_year=False,
    )
    assert due == RoyaltyDue(royalty=50_000 * YUAN, top_up=0, total=50_000 * YUAN)


def test_the_report_closing_the_year_tops_up_to_the_minimum_annual_royalty() -> None:
    # Earlier reports ¥30,000, this one ¥50,000: ¥80,000 against a ¥100,000 minimum → ¥20,000 top-up.
    due = royalty_due(
        net_sales=1_000_000 * YUAN,
        rate=500,
        minimum_annual_royalty=100_000 * YUAN,
        royalties_so_far_this_year=30_000 * YUAN,
        closes_licence_year=True,
    )
    assert due == RoyaltyDue(royalty=50_000 * YUAN, top_up=20_000 * YUAN, total=70_000 * YUAN)


def test_no_top_up_when_the_year_already_reached_the_minimum() -> None:
    due = royalty_due(
        net_sales=3_000_000 * YUAN,
        rate=500,
        minimum_annual_royalty=100_000 * YUAN,
        royalties_so_far_this_year=0,
        closes_licence_year=True,
    )
    assert due == RoyaltyDue(royalty=150_000 * YUAN, top_up=0, total=150_000 * YUAN)


def test_a_year_without_sales_pays_the_whole_minimum() -> None:
    due = royalty_due(
        net_sales=0, rate=500, minimum_annual_royalty=100_000 * YUAN, royalties_so_far_this_year=0,
        closes_licence_year=True,
    )  # fmt: skip
    assert due == RoyaltyDue(royalty=0, top_up=100_000 * YUAN, total=100_000 * YUAN)


def test_royalty_is_floored_to_the_fen() -> None:
    # 333 fen at 5 % = 16.65 fen → 16 fen; at 3.33 % of ¥12,345.67 = 41,111.08 fen → 41,111 fen.
    assert (
        royalty_due(
            net_sales=333, rate=500, minimum_annual_royalty=0, royalties_so_far_this_year=0, closes_licence_year=True
        ).royalty
        == 16
    )
    assert royalty_due(
        net_sales=1_234_567, rate=333, minimum_annual_royalty=0, royalties_so_far_this_year=0,
        closes_licence_year=False,
    ).royalty == 41_111  # fmt: skip


def test_negative_net_sales_are_refused() -> None:
    with pytest.raises(ValidationError) as refused:
        royalty_due(
            net_sales=-1, rate=500, minimum_annual_royalty=0, royalties_so_far_this_year=0,
            closes_licence_year=False,
        )  # fmt: skip
    assert refused.value.field == "net_sales"
    assert refused.value.message.startswith("net_sales: ")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"rate": 10_001}, "rate"),
        ({"rate": -5}, "rate"),
        ({"minimum_annual_royalty": -1}, "minimum_annual_royalty"),
        ({"royalties_so_far_this_year": -1}, "royalties_so_far_this_year"),
    ],
)
def test_other_inputs_out_of_range_are_refused(overrides: dict[str, int], field: str) -> None:
    values = {"net_sales": 100, "rate": 500, "minimum_annual_royalty": 0, "royalties_so_far_this_year": 0}
    values.update(overrides)
    with pytest.raises(ValidationError) as refused:
        royalty_due(**values, closes_licence_year=False)
    assert refused.value.field == field


@pytest.mark.parametrize(
    ("on", "year_end"),
    [
        (date(2025, 4, 15), date(2026, 4, 14)),
        (date(2025, 12, 31), date(2026, 4, 14)),
        (date(2026, 4, 14), date(2026, 4, 14)),
        (date(2026, 4, 15), date(2027, 4, 14)),
    ],
)
def test_licence_years_run_from_the_licence_start(on: date, year_end: date) -> None:
    assert licence_year_end(date(2025, 4, 15), on) == year_end


@pytest.mark.parametrize(
    ("on", "year_end"),
    [
        (date(2024, 2, 29), date(2025, 2, 28)),
        (date(2025, 2, 28), date(2025, 2, 28)),
        (date(2025, 3, 1), date(2026, 2, 28)),
        (date(2028, 2, 28), date(2028, 2, 28)),
        (date(2028, 2, 29), date(2029, 2, 28)),
    ],
)
def test_a_licence_starting_on_29_february_has_years_ending_on_28_february(on: date, year_end: date) -> None:
    # Every day belongs to exactly one licence year: none is skipped in a common year, none doubled
    # in a leap year (the 2028 year starts on 29 February, its anniversary).
    assert licence_year_end(date(2024, 2, 29), on) == year_end


def test_closes_licence_year_with_a_leap_year_start() -> None:
    start = date(2024, 2, 29)
    assert closes_licence_year(start, date(2025, 2, 28))
    assert not closes_licence_year(start, date(2025, 2, 27))
    assert not closes_licence_year(start, date(2025, 3, 1))
    assert closes_licence_year(start, date(2028, 2, 28))
    assert not closes_licence_year(start, date(2028, 2, 29))


def test_a_licence_year_of_quarterly_reports_from_29_february() -> None:
    # Quarters of the first licence year (2024-02-29 … 2025-02-28); minimum ¥100,000 at 5 %.
    start, so_far, dues = date(2024, 2, 29), 0, []
    for period_end, net_sales in [
        (date(2024, 5, 28), 400_000 * YUAN),
        (date(2024, 8, 28), 300_000 * YUAN),
        (date(2024, 11, 28), 500_000 * YUAN),
        (date(2025, 2, 28), 200_000 * YUAN),
    ]:
        due = royalty_due(
            net_sales=net_sales, rate=500, minimum_annual_royalty=100_000 * YUAN,
            royalties_so_far_this_year=so_far, closes_licence_year=closes_licence_year(start, period_end),
        )  # fmt: skip
        so_far += due.royalty
        dues.append(due)
    assert [due.top_up for due in dues] == [0, 0, 0, 30_000 * YUAN]  # ¥70,000 of royalty in the year
    assert sum(due.total for due in dues) == 100_000 * YUAN


def test_a_period_ending_before_the_licence_start_is_refused() -> None:
    with pytest.raises(ValidationError) as refused:
        licence_year_end(date(2025, 1, 1), date(2024, 12, 31))
    assert refused.value.field == "period_end"


START = date(2025, 4, 1)
END = date(2028, 4, 1)  # a three-year licence: its years end on 31 March 2026, 2027 and 2028


def check(previous_end: date | None, period_start: date, period_end: date) -> None:
    check_report_period(
        licence_start=START, licence_end=END, previous_end=previous_end,
        period_start=period_start, period_end=period_end,
    )  # fmt: skip


def test_contiguous_reports_within_licence_years_are_taken() -> None:
    check(None, START, date(2025, 6, 30))
    check(date(2025, 6, 30), date(2025, 7, 1), date(2026, 3, 31))
    check(date(2026, 3, 31), date(2026, 4, 1), date(2027, 3, 31))  # a whole licence year
    check(date(2027, 3, 31), date(2027, 4, 1), date(2028, 3, 31))  # the last day of the term


@pytest.mark.parametrize(
    ("previous_end", "period_start", "period_end", "field", "rule"),
    [
        (None, date(2025, 4, 2), date(2025, 6, 30), "period_start", "the first royalty report starts on 2025-04-01"),
        (None, date(2025, 3, 31), date(2025, 6, 30), "period_start", "the first royalty report starts on 2025-04-01"),
        (date(2025, 6, 30), date(2025, 7, 2), date(2025, 9, 30), "period_start", "starts on 2025-07-01"),
        (date(2025, 6, 30), date(2025, 6, 30), date(2025, 9, 30), "period_start", "starts on 2025-07-01"),
        # straddling the end of the licence year (31 March 2026) would dodge its minimum royalty
        (date(2025, 12, 31), date(2026, 1, 1), date(2026, 4, 30), "period_end", "ends on 2026-03-31"),
        (None, START, date(2027, 3, 31), "period_end", "ends on 2026-03-31"),
        (date(2027, 3, 31), date(2027, 4, 1), date(2028, 4, 1), "period_end", "licence term"),
        (None, START, date(2025, 3, 31), "period_end", "before period_start"),
    ],
)
def test_reports_must_be_contiguous_and_within_one_licence_year(
    previous_end: date | None, period_start: date, period_end: date, field: str, rule: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        check(previous_end, period_start, period_end)
    assert refused.value.field == field
    assert refused.value.message.startswith(f"{field}: ")
    assert rule in refused.value.message


def test_contiguous_reports_close_every_licence_year() -> None:
    # However the licensee cuts its periods, each licence year ends with a report that closes it.
    previous, closed = None, []
    for period_end in [date(2025, 12, 31), date(2026, 3, 31), date(2026, 9, 30), date(2027, 3, 31),
                       date(2028, 3, 31)]:  # fmt: skip
        period_start = START if previous is None else previous + timedelta(days=1)
        check(previous, period_start, period_end)
        if closes_licence_year(START, period_end):
            closed.append(period_end)
        previous = period_end
    assert closed == [date(2026, 3, 31), date(2027, 3, 31), date(2028, 3, 31)]


# --- report due dates and the minimum annual royalty of a year that ended unreported (issue 11) ---------
from datetime import UTC, datetime  # noqa: E402
from uuid import UUID  # noqa: E402

from domain.deals.royalty import (  # noqa: E402
    REPORT_DUE_DAYS,
    minimum_royalty_due,
    next_report_period,
    report_due_on,
    unreported_year_ends,
)
from domain.shared.errors import ContractStateError  # noqa: E402
from marketplace.deals import commands as d  # noqa: E402
from tests.unit.deal_helpers import (  # noqa: E402
    World,
    accept,
    head,
    licence_scope,
    make_world,
    offer,
    past_notice,
    pay_by_webhook,
    sign_all,
)


def test_a_report_is_due_thirty_days_after_its_period() -> None:
    assert REPORT_DUE_DAYS == 30
    assert report_due_on(date(2026, 3, 31)) == date(2026, 4, 30)


@pytest.mark.parametrize(
    ("previous_end", "period"),
    [
        (None, (START, date(2026, 3, 31))),  # the first licence year
        (date(2025, 6, 30), (date(2025, 7, 1), date(2026, 3, 31))),  # the rest of it after a quarter
        (date(2027, 3, 31), (date(2027, 4, 1), date(2028, 3, 31))),  # the last year, to the term's last day
        (date(2028, 3, 31), None),  # all reported
    ],
)
def test_the_next_report_runs_to_the_end_of_its_licence_year(
    previous_end: date | None, period: tuple[date, date] | None
) -> None:
    assert next_report_period(licence_start=START, licence_end=END, previous_end=previous_end) == period


def test_a_licence_ending_part_way_through_a_year_is_reported_to_its_last_day() -> None:
    assert next_report_period(
        licence_start=START, licence_end=date(2026, 10, 1), previous_end=date(2026, 3, 31)
    ) == (date(2026, 4, 1), date(2026, 9, 30))


@pytest.mark.parametrize(
    ("previous_end", "today", "years"),
    [
        (None, date(2026, 3, 31), []),  # the first year's last day: not over yet
        (None, date(2026, 4, 1), [date(2026, 3, 31)]),  # over the next day
        (date(2025, 12, 31), date(2026, 4, 1), [date(2026, 3, 31)]),  # reported part of it
        (date(2026, 3, 31), date(2026, 4, 1), []),  # closed by its report
        (None, date(2027, 6, 1), [date(2026, 3, 31), date(2027, 3, 31)]),  # two years unreported
        (None, date(2030, 1, 1), [date(2026, 3, 31), date(2027, 3, 31), date(2028, 3, 31)]),  # never past the term
    ],
)
def test_whole_licence_years_over_and_unreported(previous_end: date | None, today: date, years: list[date]) -> None:
    assert unreported_year_ends(licence_start=START, licence_end=END, previous_end=previous_end, today=today) == years


def test_a_last_part_year_has_no_minimum() -> None:
    assert unreported_year_ends(
        licence_start=START, licence_end=date(2026, 10, 1), previous_end=date(2026, 3, 31), today=date(2027, 1, 1)
    ) == []


def test_the_minimum_of_a_year_ended_unreported_is_less_the_royalties_reported() -> None:
    assert minimum_royalty_due(minimum_annual_royalty=100_000 * YUAN, royalties_reported_this_year=0) == 100_000 * YUAN
    assert minimum_royalty_due(
        minimum_annual_royalty=100_000 * YUAN, royalties_reported_this_year=30_000 * YUAN) == 70_000 * YUAN
    assert minimum_royalty_due(minimum_annual_royalty=100_000 * YUAN, royalties_reported_this_year=120_000 * YUAN) == 0


@pytest.mark.parametrize(
    ("net_sales", "royalty", "total"),
    [
        (0, 0, 0),  # no sales: the minimum charged covers the year
        (1_000_000 * YUAN, 50_000 * YUAN, 0),  # royalties under the minimum: nothing more
        (3_000_000 * YUAN, 150_000 * YUAN, 50_000 * YUAN),  # above it: only what exceeds the minimum charged
    ],
)
def test_a_closing_report_after_the_minimum_was_charged_pays_only_what_exceeds_it(
    net_sales: int, royalty: int, total: int
) -> None:
    due = royalty_due(
        net_sales=net_sales, rate=500, minimum_annual_royalty=100_000 * YUAN, royalties_so_far_this_year=0,
        closes_licence_year=True, minimum_credit=100_000 * YUAN,
    )  # fmt: skip
    assert (due.royalty, due.total) == (royalty, total)
    # The year costs the greater of the minimum and its royalties, as if the report had come in time.
    assert 100_000 * YUAN + due.total == max(100_000 * YUAN, royalty)


# --- the application: the deadline worker's step and the report filed after it --------------------------
MINIMUM = 1_000_000  # ¥10,000


def licence_in_force(world: World) -> UUID:
    """A licence from 1 April 2025 for three years at 5 %, with a ¥10,000 minimum annual royalty."""
    contract_id = accept(world, offer(
        world, kind="non_exclusive_licence", price=100_000, scope=licence_scope(start=START),
        royalty_rate=5, minimum_annual_royalty=MINIMUM,
    ))  # fmt: skip
    past_notice(world)
    sign_all(world, contract_id)
    pay_by_webhook(world, contract_id)
    assert world.get(contract_id).status == "in_force"
    return contract_id


def file_report(world: World, contract_id: UUID, start: date, end: date, net_sales: int = 0) -> UUID | None:
    obligation, _ = world.app.contracts.file_royalty_report(
        d.FileRoyaltyReport(contract_id=contract_id, period_start=start, period_end=end, net_sales=net_sales),
        actor_id=world["firm"],
    )
    return obligation


def obligations_of(world: World, contract_id: UUID) -> dict[str, int]:
    """The contract's payment obligations: purpose → amount."""
    found = {}
    for n in world.app.recorder.select_notifications(start=1, limit=10_000):
        if n.topic.endswith("PaymentObligation.FellDue"):
            obligation = world.get(n.originator_id)
            if obligation.contract_id == contract_id:
                found[obligation.purpose] = obligation.amount
    return found


def test_the_minimum_falls_due_once_when_the_year_ends_unreported(world: World) -> None:
    contract_id = licence_in_force(world)
    world.clock.set(datetime(2026, 3, 31, 12, tzinfo=UTC))  # the year's last day: nothing yet
    assert world.app.contracts.raise_minimum_royalties(date(2026, 3, 31), [contract_id]) == 0
    world.clock.set(datetime(2026, 4, 1, 1, tzinfo=UTC))
    world.app.contracts.raise_minimum_royalties(date(2026, 4, 1), [contract_id])
    assert obligations_of(world, contract_id)["minimum-2026-03-31"] == MINIMUM
    before = head(world.app)
    assert world.app.contracts.raise_minimum_royalties(date(2026, 4, 2), [contract_id]) == 0  # once only
    assert head(world.app) == before
    with pytest.raises(ContractStateError):
        world.get(contract_id).charge_minimum_royalty(year_end=date(2026, 3, 31), amount=1, obligation_id=None,
                                                      by=world["admin"])


def test_a_report_filed_after_the_minimum_was_charged_is_not_charged_twice(world: World) -> None:
    contract_id = licence_in_force(world)
    # A first quarter reported in time: ¥4,000 of royalty (5 % of ¥80,000) towards the ¥10,000 minimum.
    assert file_report(world, contract_id, START, date(2025, 6, 30), 8_000_000) is not None
    world.clock.set(datetime(2026, 4, 1, 1, tzinfo=UTC))
    world.app.contracts.raise_minimum_royalties(date(2026, 4, 1), [contract_id])
    assert obligations_of(world, contract_id)["minimum-2026-03-31"] == MINIMUM - 400_000
    # The rest of the year, reported late: ¥5,000 of royalty, within the ¥6,000 charged: nothing more.
    assert file_report(world, contract_id, date(2025, 7, 1), date(2025, 12, 31), 10_000_000) is None
    # Its last quarter: ¥3,000 more, ¥1,000 above what is left of the charge: only that falls due.
    closing = file_report(world, contract_id, date(2026, 1, 1), date(2026, 3, 31), 6_000_000)
    assert closing is not None
    assert world.get(closing).amount == 200_000
    # The year cost its royalties (¥12,000 > the ¥10,000 minimum), each fen once.
    royalties = {p: a for p, a in obligations_of(world, contract_id).items() if p != "upfront"}
    assert sum(royalties.values()) == 1_200_000
    # The next year starts afresh: a report closing it owes its own minimum.
    second = file_report(world, contract_id, date(2026, 4, 1), date(2027, 3, 31), 0)
    assert second is not None
    assert world.get(second).amount == MINIMUM


def test_a_year_whose_reports_reached_the_minimum_records_its_end_without_a_payment(world: World) -> None:
    contract_id = licence_in_force(world)
    file_report(world, contract_id, START, date(2025, 12, 31), 40_000_000)  # ¥20,000 of royalty
    world.app.contracts.raise_minimum_royalties(date(2026, 4, 1), [contract_id])
    assert "minimum-2026-03-31" not in obligations_of(world, contract_id)
    assert world.get(contract_id).minimum_charged == {"2026-03-31": 0}
    closing = file_report(world, contract_id, date(2026, 1, 1), date(2026, 3, 31), 2_000_000)
    assert closing is not None
    assert world.get(closing).amount == 100_000


@pytest.fixture
def world() -> World:
    return make_world()
