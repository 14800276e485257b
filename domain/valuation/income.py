"""Patent valuation by the income approach (收益法): five pure functions with their formulas.

Conventions shared by every valuation method (``domain.valuation.methods`` re-exports them):

- Money in and out is a ``Decimal`` in one unit the caller chooses (CNY 万元 where that is
  customary); the functions never convert units.
- Rates are fractions (``0.1`` = 10 %). Discounting is at the end of each year: the income of
  year *t* (t = 1, 2, …) is multiplied by ``1 / (1 + r)^t``.
- Rounding policy: arithmetic runs in a local ``decimal`` context of 50 significant digits and
  nothing is rounded inside, neither the factors nor the value. Published keys usually round
  discount and annuity factors to four decimals, so their answers differ from ours in the third
  or fourth significant digit; the page rounds only for display, and tests compare with a
  tolerance that matches the key's rounding (a different formula is never "within tolerance").
- Every input is validated; a refusal is a ``ValidationError`` whose message starts with the
  field's path in the API body (``inputs.<name>``) and states the rule.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Any

from domain.shared.errors import ValidationError

PRECISION = 50
#: Longest income stream or life a method accepts; far beyond any patent's 20 years, short enough
#: that untrusted input cannot make the server compute (and return) millions of factors.
MAX_YEARS = 100
ZERO = Decimal(0)
ONE = Decimal(1)


@dataclass(frozen=True)
class Calculation:
    """The result of one valuation method: the value and the intermediate figures a valuer checks.

    ``steps`` is JSON-friendly: Decimals are strings (plain notation), lists of Decimals are lists
    of strings, booleans and integers stay as they are.
    """

    method: str
    value: Decimal
    steps: dict[str, Any]


@contextmanager
def precise() -> Iterator[None]:
    """Run the enclosed arithmetic with ample precision, leaving the caller's context untouched."""
    with localcontext() as ctx:
        ctx.prec = PRECISION
        yield


def text(value: Decimal) -> str:
    """A Decimal in plain notation (never ``1E+2``), as the steps carry it."""
    return f"{value:f}"


def texts(values: Sequence[Decimal]) -> list[str]:
    return [text(v) for v in values]


def refuse(name: str, rule: str, code: str | None = None, **params: object) -> ValidationError:
    error = ValidationError(f"inputs.{name}: {rule}", field=f"inputs.{name}", code=code)
    error.params.update(params)
    return error


def check(
    name: str, value: Decimal, ok: Callable[[Decimal], bool], rule: str, code: str | None = None, **params: object
) -> Decimal:
    if not value.is_finite() or not ok(value):
        raise refuse(name, rule, code, **params)
    return value


def non_negative(name: str, value: Decimal) -> Decimal:
    return check(name, value, lambda v: v >= 0, "must be a number not below 0", "amount.negative")


def positive(name: str, value: Decimal) -> Decimal:
    return check(name, value, lambda v: v > 0, "must be a number above 0", "amount.positive")


def finite(name: str, value: Decimal) -> Decimal:
    return check(name, value, lambda v: True, "must be a finite number", "valuation.finite")


def fraction(name: str, value: Decimal) -> Decimal:
    """A rate that must lie in [0, 1), e.g. a discount, tax or royalty rate."""
    return check(name, value, lambda v: 0 <= v < 1, "must be a fraction at least 0 and below 1 (0.1 = 10 %)",
                 "valuation.fraction_below_1")


def share_fraction(name: str, value: Decimal) -> Decimal:
    return check(name, value, lambda v: 0 <= v <= 1, "must be a fraction from 0 to 1 (1 = all)", "valuation.fraction")


def whole_years(name: str, value: Decimal | int) -> int:
    """A count of whole years from 1 to ``MAX_YEARS`` (end-of-year discounting has no partial years)."""
    number = Decimal(value)
    if not number.is_finite() or not 1 <= number <= MAX_YEARS or number != number.to_integral_value():
        raise refuse(name, f"must be a whole number of years from 1 to {MAX_YEARS}", "years.range",
                     low=1, high=MAX_YEARS)
    return int(number)


def stream(name: str, values: Sequence[Decimal], each: Callable[[str, Decimal], Decimal]) -> list[Decimal]:
    if not values:
        raise refuse(name, "must list at least one year", "too_few", least=1)
    if len(values) > MAX_YEARS:
        raise refuse(name, f"must list at most {MAX_YEARS} years", "too_many", most=MAX_YEARS)
    return [each(f"{name}.{i}", v) for i, v in enumerate(values)]


def discount_factors(rate: Decimal, years: int) -> list[Decimal]:
    """End-of-year discount factors 1/(1+r)^t for t = 1 … years."""
    return [ONE / (ONE + rate) ** t for t in range(1, years + 1)]


def annuity_factor(rate: Decimal, years: int) -> Decimal:
    """Present value of 1 a year for ``years`` years at ``rate``: (1 − (1+r)^−n)/r, or n when r = 0."""
    if rate == 0:
        return Decimal(years)
    return (ONE - ONE / (ONE + rate) ** years) / rate


def _discounted(name: str, amounts: list[Decimal], rate: Decimal, steps: dict[str, Any]) -> Calculation:
    factors = discount_factors(rate, len(amounts))
    present = [a * f for a, f in zip(amounts, factors, strict=True)]
    value = sum(present, ZERO)
    steps |= {"discount_factors": texts(factors), "present_values": texts(present)}
    return Calculation(name, value, steps)


def income_stream(*, incomes: Sequence[Decimal], discount_rate: Decimal, share: Decimal = ONE) -> Calculation:
    """Income approach, discounted income stream (收益现值法).

    value = Σ_t share · income_t / (1 + r)^t, t = 1 … n, where ``incomes`` are the yearly incomes
    the patent brings (a loss year may be negative) and ``share`` is the part attributable to the
    patent (分成率; 1 when the incomes are already the patent's own).
    """
    with precise():
        yearly = stream("incomes", incomes, finite)
        rate = fraction("discount_rate", discount_rate)
        part = share_fraction("share", share)
        attributable = [part * income for income in yearly]
        return _discounted(
            "income_stream", attributable, rate, {"share": text(part), "shared_incomes": texts(attributable)}
        )


def profit_split_equivalent_investment(
    *,
    patent_replacement_cost: Decimal,
    patent_cost_profit_rate: Decimal,
    licensee_asset_replacement_cost: Decimal,
    licensee_cost_profit_rate: Decimal,
    profits: Sequence[Decimal],
    discount_rate: Decimal,
) -> Calculation:
    """Income approach, profit split by equivalent investment (约当投资分成法).

    P = patent replacement cost × (1 + patent cost-profit rate) (专利约当投资量),
    L = licensee's asset replacement cost × (1 + licensee cost-profit rate) (受让方约当投资量),
    split rate = P / (P + L) (利润分成率), value = Σ_t split · profit_t / (1 + r)^t.
    """
    with precise():
        p_cost = non_negative("patent_replacement_cost", patent_replacement_cost)
        p_rate = non_negative("patent_cost_profit_rate", patent_cost_profit_rate)
        l_cost = non_negative("licensee_asset_replacement_cost", licensee_asset_replacement_cost)
        l_rate = non_negative("licensee_cost_profit_rate", licensee_cost_profit_rate)
        yearly = stream("profits", profits, finite)
        rate = fraction("discount_rate", discount_rate)
        patent = p_cost * (ONE + p_rate)
        licensee = l_cost * (ONE + l_rate)
        if patent + licensee == 0:
            raise refuse("patent_replacement_cost", "the patent's and the licensee's costs cannot both be 0",
                         "valuation.costs_zero")
        split = patent / (patent + licensee)
        steps: dict[str, Any] = {
            "patent_equivalent_investment": text(patent),
            "licensee_equivalent_investment": text(licensee),
            "split_rate": text(split),
            "shared_profits": texts([split * p for p in yearly]),
        }
        return _discounted("profit_split_equivalent_investment", [split * p for p in yearly], rate, steps)


def incremental_earnings(
    *,
    units_before: Decimal,
    units_after: Decimal,
    price: Decimal,
    unit_cost: Decimal,
    years: Decimal | int,
    discount_rate: Decimal,
    income_tax_rate: Decimal = ZERO,
) -> Calculation:
    """Income approach, incremental earnings (超额收益法 / 增量收益): extra units sold thanks to the patent.

    annual increment = (units after − units before) · (price − unit cost) · (1 − income tax rate),
    value = annual increment · AF, AF = (1 − (1 + r)^−n) / r, the end-of-year annuity factor over
    n = ``years``.
    """
    with precise():
        before = non_negative("units_before", units_before)
        after = non_negative("units_after", units_after)
        unit_price = non_negative("price", price)
        cost = non_negative("unit_cost", unit_cost)
        n = whole_years("years", years)
        rate = fraction("discount_rate", discount_rate)
        tax = fraction("income_tax_rate", income_tax_rate)
        annual = (after - before) * (unit_price - cost) * (ONE - tax)
        factor = annuity_factor(rate, n)
        factors = discount_factors(rate, n)
        steps: dict[str, Any] = {
            "annual_increment": text(annual),
            "annuity_factor": text(factor),
            "discount_factors": texts(factors),
            "present_values": texts([annual * f for f in factors]),
        }
        return Calculation("incremental_earnings", annual * factor, steps)


def declining_income(
    *,
    first_year_income: Decimal,
    annual_decrement: Decimal,
    legal_life_years: Decimal | int,
    discount_rate: Decimal,
) -> Calculation:
    """Income approach with an income that falls by a fixed amount each year (收益逐年递减).

    income_t = first-year income − (t − 1) · decrement; the stream ends with the last year whose
    income is still above zero or with the last year of the remaining legal life, whichever comes
    first; value = Σ_t income_t / (1 + r)^t.
    """
    with precise():
        first = positive("first_year_income", first_year_income)
        step = non_negative("annual_decrement", annual_decrement)
        life = whole_years("legal_life_years", legal_life_years)
        rate = fraction("discount_rate", discount_rate)
        incomes = [first - t * step for t in range(life)]
        incomes = [income for income in incomes if income > 0]
        steps: dict[str, Any] = {"incomes": texts(incomes), "income_years": len(incomes)}
        return _discounted("declining_income", incomes, rate, steps)


def relief_from_royalty(
    *,
    revenues: Sequence[Decimal],
    royalty_rate: Decimal,
    tax_rate: Decimal,
    discount_rate: Decimal,
    tax_amortisation_benefit: bool = False,
    amortisation_years: Decimal | int | None = None,
) -> Calculation:
    """Income approach, relief from royalty (节省许可费法): the royalties the owner need not pay.

    value = Σ_t revenue_t · royalty rate · (1 − tax) / (1 + r)^t. With the tax amortisation
    benefit (the buyer may amortise the price for tax), value × TAB factor,
    TAB factor = 1 / (1 − tax · AF / n), AF the end-of-year annuity factor at r over n
    amortisation years (default: the number of revenue years).
    """
    with precise():
        yearly = stream("revenues", revenues, non_negative)
        royalty = fraction("royalty_rate", royalty_rate)
        tax = fraction("tax_rate", tax_rate)
        rate = fraction("discount_rate", discount_rate)
        after_tax = [revenue * royalty * (ONE - tax) for revenue in yearly]
        result = _discounted("relief_from_royalty", after_tax, rate, {"royalties_after_tax": texts(after_tax)})
        if not tax_amortisation_benefit:
            return result
        n = len(yearly) if amortisation_years is None else whole_years("amortisation_years", amortisation_years)
        factor = annuity_factor(rate, n)
        tab = ONE / (ONE - tax * factor / n)
        steps = result.steps | {
            "value_before_tab": text(result.value),
            "amortisation_years": n,
            "annuity_factor": text(factor),
            "tab_factor": text(tab),
        }
        return Calculation(result.method, result.value * tab, steps)
