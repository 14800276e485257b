"""Figures as people read them on the valuation pages: amounts rounded to the yuan, factors to four places,
and a method's calculation steps laid out as a table (scalars, then one row per year or comparable).

The stored event, the read model and the JSON API keep the exact figures; only the pages round.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

#: Steps that are amounts (in the unit of the inputs, yuan on the pages); others are factors or counts.
MONEY_STEPS = frozenset(
    {
        "shared_incomes",
        "present_values",
        "patent_equivalent_investment",
        "licensee_equivalent_investment",
        "shared_profits",
        "annual_increment",
        "incomes",
        "royalties_after_tax",
        "value_before_tab",
        "replacement_cost",
        "material_cost",
        "weighted_labour_cost",
        "adjusted_prices",
    }
)
#: Every step a method writes has a label ``valuation.step.<key>`` (web/valuation/labels.py).
KNOWN_STEPS = MONEY_STEPS | {
    "share",
    "discount_factors",
    "split_rate",
    "annuity_factor",
    "income_years",
    "amortisation_years",
    "tab_factor",
    "newness_rate",
    "factor_products",
}
#: The order steps are shown in (the read model's JSON keeps no order): as the methods compute them.
STEP_ORDER = (
    "share", "patent_equivalent_investment", "licensee_equivalent_investment", "split_rate", "annual_increment",
    "annuity_factor", "replacement_cost", "material_cost", "weighted_labour_cost", "newness_rate", "income_years",
    "value_before_tab", "amortisation_years", "tab_factor", "incomes", "shared_incomes", "shared_profits",
    "royalties_after_tax", "factor_products", "adjusted_prices", "discount_factors", "present_values",
)
_YUAN = Decimal(1)
_FOUR = Decimal("0.0001")


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def yuan(value: Any) -> str:
    """An amount rounded to the yuan (half up), thousands separated: ``338,462``; a non-number as it is."""
    number = _decimal(value)
    if number is None:
        return "" if value is None else str(value)
    rounded = number.quantize(_YUAN, rounding=ROUND_HALF_UP)
    return f"{abs(rounded) if rounded == 0 else rounded:,.0f}"


def factor(value: Any) -> str:
    """A rate or factor to four decimal places, trailing zeros dropped: ``0.9091``, ``1.1``, ``0``."""
    number = _decimal(value)
    if number is None:
        return "" if value is None else str(value)
    if isinstance(value, int):
        return str(value)
    rounded = number.quantize(_FOUR, rounding=ROUND_HALF_UP)
    text = f"{abs(rounded) if rounded == 0 else rounded:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def figure(key: str, value: Any) -> str:
    """One step's figure as the page shows it."""
    if isinstance(value, bool):
        return str(value).lower()
    return yuan(value) if key in MONEY_STEPS else factor(value)


@dataclass(frozen=True)
class StepsTable:
    """The steps of one calculation: scalar figures, then the per-year (or per-comparable) columns."""

    scalars: list[tuple[str, str]] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    rows: list[tuple[str, list[str]]] = field(default_factory=list)
    per: str = "year"  # year | comparable


def _references(inputs: Mapping[str, Any] | None) -> list[str]:
    comparables = (inputs or {}).get("comparables")
    if not isinstance(comparables, Sequence) or isinstance(comparables, str):
        return []
    return [str(c.get("reference") or "") if isinstance(c, Mapping) else "" for c in comparables]


def steps_table(method: str, steps: Mapping[str, Any], inputs: Mapping[str, Any] | None = None) -> StepsTable:
    """The steps laid out for a table: lists become columns of one row per year (comparable for the market
    approach), labelled 1, 2, … (or the comparable's reference); every figure rounded for reading."""
    ordered = sorted(steps.items(), key=lambda item: (STEP_ORDER.index(item[0]) if item[0] in STEP_ORDER else 99))
    scalars = [(key, figure(key, value)) for key, value in ordered if not isinstance(value, list | tuple)]
    lists = {key: list(value) for key, value in ordered if isinstance(value, list | tuple)}
    length = max((len(v) for v in lists.values()), default=0)
    per = "comparable" if method == "market_comparables" else "year"
    references = _references(inputs) if per == "comparable" else []
    rows = []
    for i in range(length):
        label = str(i + 1)
        if i < len(references) and references[i]:
            label = f"{i + 1} · {references[i]}"
        rows.append((label, [figure(key, values[i]) if i < len(values) else "" for key, values in lists.items()]))
    return StepsTable(scalars, list(lists), rows, per)
