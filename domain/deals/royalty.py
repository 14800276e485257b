"""Running royalty (提成费) and the minimum annual royalty (保底许可费) of a licence, by licence year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from domain.shared.errors import ValidationError
from domain.shared.money import check_amount

#: Basis points of a whole: 10,000 bp = 100 %.
FULL = 10_000


@dataclass(frozen=True)
class RoyaltyDue:
    """What a royalty report makes payable, in minor units.

    ``royalty`` is the running royalty on the period's net sales; ``top_up`` is what the licensee
    adds, on the report that closes a licence year, to bring the year's royalties up to the minimum
    annual royalty; ``total`` is their sum.
    """

    royalty: int
    top_up: int
    total: int
    #: The part of ``royalty + top_up`` already charged as the year's minimum annual royalty when the
    #: year ended without its report (``minimum_royalty_due``); ``total`` is what is left to pay.
    credit: int = 0


def _non_negative(value: int, field: str, unit: str = "minor units") -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationError(
            f"{field}: must be a non-negative whole number of {unit}", field=field, code="amount.whole"
        )


def royalty_due(
    *,
    net_sales: int,
    rate: int,
    minimum_annual_royalty: int,
    royalties_so_far_this_year: int,
    closes_licence_year: bool,
    minimum_credit: int = 0,
) -> RoyaltyDue:
    """The royalty a licensee owes for a reported period.

    Running royalty (提成费, glossary: a % of net sales reported periodically) = ``net_sales`` ×
    ``rate`` / 10,000, floored to the minor unit (the licensee is never charged a fraction of a fen).
    When the report closes a licence year, the minimum annual royalty (最低年度提成 / 保底许可费) applies:
    the top-up is ``max(0, minimum_annual_royalty − (royalties_so_far_this_year + royalty))``, where
    ``royalties_so_far_this_year`` are the running royalties of the year's earlier reports (not
    earlier top-ups, which close years). Reports that do not close a year carry no top-up.

    ``minimum_credit`` is what is left of a minimum annual royalty the deadline worker charged for
    the report's licence year when the year ended unreported: it is set against what the report
    makes payable (``credit``), so a year never costs more than ``max(minimum, royalties)``.
    """
    check_amount(net_sales, "net_sales")
    if isinstance(rate, bool) or not isinstance(rate, int) or not 0 <= rate <= FULL:
        raise ValidationError(
            "rate: must be a whole number of basis points from 0 to 10000", field="rate", code="rate.basis_points"
        )
    check_amount(minimum_annual_royalty, "minimum_annual_royalty")
    _non_negative(royalties_so_far_this_year, "royalties_so_far_this_year")
    _non_negative(minimum_credit, "minimum_credit")
    royalty = net_sales * rate // FULL
    top_up = 0
    if closes_licence_year:
        top_up = max(0, minimum_annual_royalty - (royalties_so_far_this_year + royalty))
    credit = min(minimum_credit, royalty + top_up)
    return RoyaltyDue(royalty=royalty, top_up=top_up, total=royalty + top_up - credit, credit=credit)


def _anniversary(start: date, years: int) -> date:
    """``start`` moved ``years`` years on; 29 February becomes 1 March in a common year.

    So a licence year that starts on 29 February ends on 28 February, every year, and no day of the
    licence falls outside a licence year (民法典 art. 201: a period counted in years ends on the
    corresponding day, or on the last day of the month when there is none).
    """
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February in a common year
        return date(start.year + years, 3, 1)


def licence_year_end(start: date, on: date) -> date:
    """The last day of the licence year containing ``on``; licence years run from the licence start."""
    if on < start:
        raise ValidationError(
            f"period_end: {on.isoformat()} is before the licence starts on {start.isoformat()}", field="period_end",
            code="royalty.before_licence", day=on.isoformat(), start=start.isoformat(),
        )
    years = on.year - start.year
    if _anniversary(start, years) > on:
        years -= 1
    return _anniversary(start, years + 1) - timedelta(days=1)


def closes_licence_year(start: date, period_end: date) -> bool:
    """True when a reporting period ending on ``period_end`` is the last of its licence year.

    ``check_report_period`` keeps every period within one licence year and the periods contiguous,
    so each licence year's last day ends some report; that report closes the year and settles the
    minimum annual royalty.
    """
    return period_end == licence_year_end(start, period_end)


def check_report_period(
    *, licence_start: date, licence_end: date, previous_end: date | None, period_start: date, period_end: date
) -> None:
    """Refuse a royalty reporting period that would let a licence year escape its minimum royalty.

    Reports are contiguous from the licence start: the first starts on ``licence_start``, each
    next one on the day after ``previous_end`` (the end of the last report). A period lies within
    one licence year (it ends on that year's last day at the latest) and within the licence term
    (``licence_end`` is the first day the licence no longer runs). So no day is reported twice or
    skipped, and every licence year ends with a report that closes it (``closes_licence_year``).
    """
    if period_end < period_start:
        raise ValidationError("period_end: must not be before period_start", field="period_end", code="period.order")
    expected = licence_start if previous_end is None else previous_end + timedelta(days=1)
    if period_start != expected:
        rule = (
            f"the first royalty report starts on {expected.isoformat()}, the licence start"
            if previous_end is None
            else f"royalty reports are contiguous: the last ran to {previous_end.isoformat()}, "
            f"so the next starts on {expected.isoformat()}"
        )
        raise ValidationError(
            f"period_start: {rule}, not {period_start.isoformat()}", field="period_start",
            code="royalty.first_period" if previous_end is None else "royalty.next_period",
            expected=expected.isoformat(), got=period_start.isoformat(),
            previous=previous_end.isoformat() if previous_end is not None else "",
        )
    if period_end >= licence_end:
        last_day = licence_end - timedelta(days=1)
        raise ValidationError(
            f"period_end: the period must lie within the licence term, which ends on {last_day.isoformat()}",
            field="period_end", code="royalty.beyond_term", day=last_day.isoformat(),
        )
    year_end = licence_year_end(licence_start, period_start)
    if period_end > year_end:
        raise ValidationError(
            f"period_end: a royalty report lies within one licence year; this one ends on {year_end.isoformat()}",
            field="period_end", code="royalty.one_year", day=year_end.isoformat(),
        )


#: Days after the end of a reporting period within which its royalty report is due (a licence's
#: usual term: the report of a licence year, or of the licence's last part year, within 30 days).
REPORT_DUE_DAYS = 30


def report_due_on(period_end: date) -> date:
    """The last day on which the report of a period ending on ``period_end`` is on time."""
    return period_end + timedelta(days=REPORT_DUE_DAYS)


def next_report_period(
    *, licence_start: date, licence_end: date, previous_end: date | None
) -> tuple[date, date] | None:
    """The period the licensee's next required report covers: from the day after the last report (or
    the licence start) to the end of that licence year, or to the licence's last day when the term ends
    sooner; ``None`` once the whole term is reported. The licensee may cut it into shorter reports."""
    start = licence_start if previous_end is None else previous_end + timedelta(days=1)
    if start >= licence_end:
        return None
    return start, min(licence_year_end(licence_start, start), licence_end - timedelta(days=1))


def unreported_year_ends(
    *, licence_start: date, licence_end: date, previous_end: date | None, today: date
) -> list[date]:
    """The last days of the whole licence years that are over by ``today`` (it is a later day) and that
    no report has closed yet: their minimum annual royalty falls due without a report.

    A licence's last part year (its term ends before the year does) has no minimum (docs/DEALS.md).
    """
    found: list[date] = []
    start = licence_start if previous_end is None else previous_end + timedelta(days=1)
    while start < licence_end:
        year_end = licence_year_end(licence_start, start)
        if year_end >= licence_end or year_end >= today:
            break
        found.append(year_end)
        start = year_end + timedelta(days=1)
    return found


def minimum_royalty_due(*, minimum_annual_royalty: int, royalties_reported_this_year: int) -> int:
    """What a licence year that ended without its closing report owes at once: the minimum annual
    royalty less the running royalties the year's reports already made payable (never below 0).

    A report of that year filed later is credited with it (``royalty_due``'s ``minimum_credit``), so the
    year costs ``max(minimum, royalties of the year)``, as if the report had come in time.
    """
    check_amount(minimum_annual_royalty, "minimum_annual_royalty")
    _non_negative(royalties_reported_this_year, "royalties_reported_this_year")
    return max(0, minimum_annual_royalty - royalties_reported_this_year)
