"""Patent valuation by the cost approach (成本法) and the market approach (市场法): pure functions.

Units, rates and the rounding policy are those of ``domain.valuation.income``: Decimals in the
caller's unit, rates as fractions, 50 significant digits and no rounding inside.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from domain.valuation.income import (
    ONE,
    ZERO,
    Calculation,
    check,
    fraction,
    non_negative,
    positive,
    precise,
    refuse,
    stream,
    text,
    texts,
)

MAX_COMPARABLES = 100
COMPARABLE_FACTORS = ("technical_factor", "economic_factor", "time_factor", "term_factor", "region_factor")


def _newness_rate(years_used: Decimal, remaining_years: Decimal) -> Decimal:
    used = non_negative("years_used", years_used)
    remaining = non_negative("remaining_years", remaining_years)
    if used + remaining == 0:
        raise refuse("remaining_years", "years used and remaining years cannot both be 0", "valuation.years_zero")
    return ONE - used / (used + remaining)


def cost_depreciated(*, replacement_cost: Decimal, years_used: Decimal, remaining_years: Decimal) -> Calculation:
    """Cost approach, replacement cost less obsolescence by the age-life method (重置成本法, 年限法成新率).

    newness rate (成新率) = 1 − years used / (years used + remaining years),
    value = replacement cost × newness rate. Years may be fractional (2.5 years used).
    """
    with precise():
        cost = non_negative("replacement_cost", replacement_cost)
        newness = _newness_rate(years_used, remaining_years)
        steps = {"replacement_cost": text(cost), "newness_rate": text(newness)}
        return Calculation("cost_depreciated", cost * newness, steps)


def cost_multiplier(
    *,
    material_costs: Sequence[Decimal],
    labour_cost: Decimal,
    creative_labour_multiplier: Decimal,
    research_risk: Decimal,
    return_rate: Decimal,
    years_used: Decimal,
    remaining_years: Decimal,
) -> Calculation:
    """Cost approach, multiplier method for a self-developed patent (倍加系数法).

    replacement cost = (C + β·V) / (1 − r) × (1 + L), with C the sum of material costs (物化劳动),
    V the labour cost (活劳动), β the creative-labour multiplier (科研人员创造性劳动倍加系数),
    r the average research risk (科研平均风险系数) and L the return on investment in the
    intangible (无形资产投资报酬率); value = replacement cost × newness rate, as in
    ``cost_depreciated``.
    """
    with precise():
        materials = stream("material_costs", material_costs, non_negative)
        labour = non_negative("labour_cost", labour_cost)
        beta = check(
            "creative_labour_multiplier", creative_labour_multiplier, lambda v: v >= 1, "must be at least 1",
            "at_least", low=1,
        )
        risk = fraction("research_risk", research_risk)
        ret = non_negative("return_rate", return_rate)
        newness = _newness_rate(years_used, remaining_years)
        material = sum(materials, ZERO)
        replacement = (material + beta * labour) / (ONE - risk) * (ONE + ret)
        steps: dict[str, Any] = {
            "material_cost": text(material),
            "weighted_labour_cost": text(beta * labour),
            "replacement_cost": text(replacement),
            "newness_rate": text(newness),
        }
        return Calculation("cost_multiplier", replacement * newness, steps)


@dataclass(frozen=True)
class Comparable:
    """A comparable transaction and its adjustment factors (修正系数; 1 means no adjustment)."""

    price: Decimal
    technical_factor: Decimal = ONE
    economic_factor: Decimal = ONE
    time_factor: Decimal = ONE
    term_factor: Decimal = ONE
    region_factor: Decimal = ONE


def market_comparables(*, comparables: Sequence[Comparable]) -> Calculation:
    """Market approach, comparable transactions (市场法, 类比调整).

    adjusted price_i = price_i × technical × economic × time × term × region factors,
    value = mean of the adjusted prices.
    """
    with precise():
        if not comparables:
            raise refuse("comparables", "must list at least one comparable transaction", "too_few", least=1)
        if len(comparables) > MAX_COMPARABLES:
            raise refuse("comparables", f"must list at most {MAX_COMPARABLES} comparable transactions", "too_many",
                         most=MAX_COMPARABLES)
        products: list[Decimal] = []
        adjusted: list[Decimal] = []
        for i, comp in enumerate(comparables):
            price = positive(f"comparables.{i}.price", comp.price)
            product = ONE
            for name in COMPARABLE_FACTORS:
                product *= positive(f"comparables.{i}.{name}", getattr(comp, name))
            products.append(product)
            adjusted.append(price * product)
        value = sum(adjusted, ZERO) / len(adjusted)
        steps = {"factor_products": texts(products), "adjusted_prices": texts(adjusted)}
        return Calculation("market_comparables", value, steps)
