"""The registry of patent valuation methods and ``calculate``, which decodes and validates untrusted inputs.

The methods themselves are pure functions in ``domain.valuation.income`` (收益法) and
``domain.valuation.cost_market`` (成本法, 市场法); their module docstring states the conventions and
the rounding policy: Decimals in the caller's unit, rates as fractions, end-of-year discounting,
50 significant digits and no rounding inside (the page rounds for display).

Inputs arrive as JSON or form values: numbers and numeric strings become ``Decimal`` through
their text (a float goes through ``str``, never through float arithmetic); lists may also be one
string of numbers separated by commas, semicolons or whitespace. Every refusal is a
``ValidationError`` whose field is ``method`` or ``inputs.<name>`` and whose message states the rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from domain.shared.errors import ValidationError
from domain.valuation.cost_market import (
    COMPARABLE_FACTORS,
    MAX_COMPARABLES,
    Comparable,
    cost_depreciated,
    cost_multiplier,
    market_comparables,
)
from domain.valuation.income import (
    MAX_YEARS,
    Calculation,
    declining_income,
    income_stream,
    incremental_earnings,
    profit_split_equivalent_investment,
    refuse,
    relief_from_royalty,
)

__all__ = ["METHODS", "Calculation", "FieldSpec", "MethodSpec", "calculate"]

Kind = Literal["decimal", "rate", "years", "list", "bool", "comparables"]
Approach = Literal["income", "cost", "market"]


@dataclass(frozen=True)
class FieldSpec:
    """One input of a method, described well enough to generate a form field from it.

    ``default`` is JSON-friendly (a numeric string, a bool, or ``None`` when the method derives
    the default itself, as ``amortisation_years`` does); it only matters when ``required`` is false.
    """

    name: str
    kind: Kind
    label_zh: str
    label_en: str
    required: bool = True
    default: str | bool | None = None


@dataclass(frozen=True)
class MethodSpec:
    """A valuation method: its id, names, approach, formula (for the page) and inputs."""

    id: str
    name_zh: str
    name_en: str
    approach: Approach
    formula: str
    fields: tuple[FieldSpec, ...]
    function: Callable[..., Calculation]

    def field(self, name: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.name == name), None)


F = FieldSpec
_RATE_DISCOUNT = F("discount_rate", "rate", "折现率", "Discount rate")
_YEARS_USED = F("years_used", "years", "已使用年限（年）", "Years used")
_REMAINING = F("remaining_years", "years", "剩余经济寿命（年）", "Remaining economic life (years)")

METHODS: dict[str, MethodSpec] = {
    spec.id: spec
    for spec in (
        MethodSpec(
            "income_stream",
            "收益现值法",
            "Discounted income stream",
            "income",
            "Σ share·income_t / (1+r)^t",
            (
                F("incomes", "list", "各年收益", "Income per year"),
                _RATE_DISCOUNT,
                F("share", "rate", "分成率", "Share attributable to the patent", required=False, default="1"),
            ),
            income_stream,
        ),
        MethodSpec(
            "profit_split_equivalent_investment",
            "约当投资分成法",
            "Profit split by equivalent investment",
            "income",
            "split = P/(P+L), P = patent cost × (1 + rate), L = licensee cost × (1 + rate); Σ split·profit_t/(1+r)^t",
            (
                F("patent_replacement_cost", "decimal", "专利重置成本", "Patent replacement cost"),
                F("patent_cost_profit_rate", "rate", "专利成本利润率", "Patent cost-profit rate"),
                F(
                    "licensee_asset_replacement_cost",
                    "decimal",
                    "受让方资产重置成本",
                    "Licensee's asset replacement cost",
                ),
                F("licensee_cost_profit_rate", "rate", "受让方成本利润率", "Licensee's cost-profit rate"),
                F("profits", "list", "各年利润", "Profit per year"),
                _RATE_DISCOUNT,
            ),
            profit_split_equivalent_investment,
        ),
        MethodSpec(
            "incremental_earnings",
            "超额收益法（增量收益）",
            "Incremental earnings",
            "income",
            "(after − before)·(price − cost)·(1 − tax) × (1 − (1+r)^−n)/r",
            (
                F("units_before", "decimal", "使用专利前年销量", "Units a year before"),
                F("units_after", "decimal", "使用专利后年销量", "Units a year after"),
                F("price", "decimal", "单价", "Unit price"),
                F("unit_cost", "decimal", "单位成本", "Unit cost"),
                F("years", "years", "收益年限（年）", "Years of income"),
                _RATE_DISCOUNT,
                F("income_tax_rate", "rate", "所得税税率", "Income tax rate", required=False, default="0"),
            ),
            incremental_earnings,
        ),
        MethodSpec(
            "declining_income",
            "收益逐年递减法",
            "Declining income",
            "income",
            "income_t = first − (t−1)·decrement while > 0 and t ≤ legal life; Σ income_t/(1+r)^t",
            (
                F("first_year_income", "decimal", "第一年收益", "First-year income"),
                F("annual_decrement", "decimal", "每年递减额", "Annual decrement"),
                F("legal_life_years", "years", "剩余法定保护年限（年）", "Remaining legal life (years)"),
                _RATE_DISCOUNT,
            ),
            declining_income,
        ),
        MethodSpec(
            "relief_from_royalty",
            "节省许可费法",
            "Relief from royalty",
            "income",
            "Σ revenue·royalty·(1−tax)/(1+r)^t; with TAB × 1/(1 − tax·AF/n)",
            (
                F("revenues", "list", "各年销售收入", "Revenue per year"),
                F("royalty_rate", "rate", "许可费率（提成率）", "Royalty rate"),
                F("tax_rate", "rate", "所得税税率", "Tax rate"),
                _RATE_DISCOUNT,
                F(
                    "tax_amortisation_benefit",
                    "bool",
                    "计入税收摊销收益",
                    "Tax amortisation benefit",
                    required=False,
                    default=False,
                ),
                F("amortisation_years", "years", "税收摊销年限（年）", "Tax amortisation years", required=False),
            ),
            relief_from_royalty,
        ),
        MethodSpec(
            "cost_depreciated",
            "重置成本法（年限成新率）",
            "Depreciated replacement cost",
            "cost",
            "cost × (1 − used/(used + remaining))",
            (F("replacement_cost", "decimal", "重置成本", "Replacement cost"), _YEARS_USED, _REMAINING),
            cost_depreciated,
        ),
        MethodSpec(
            "cost_multiplier",
            "倍加系数法",
            "Cost multiplier (creative labour)",
            "cost",
            "(ΣC + β·V)/(1 − r)·(1 + L) × (1 − used/(used + remaining))",
            (
                F("material_costs", "list", "物化劳动消耗（各项）", "Material costs (items)"),
                F("labour_cost", "decimal", "活劳动消耗", "Labour cost"),
                F("creative_labour_multiplier", "decimal", "创造性劳动倍加系数", "Creative-labour multiplier"),
                F("research_risk", "rate", "科研平均风险系数", "Research risk"),
                F("return_rate", "rate", "无形资产投资报酬率", "Return on investment"),
                _YEARS_USED,
                _REMAINING,
            ),
            cost_multiplier,
        ),
        MethodSpec(
            "market_comparables",
            "市场法（可比交易修正）",
            "Market comparables",
            "market",
            "mean of price × technical × economic × time × term × region factors",
            (F("comparables", "comparables", "可比交易", "Comparable transactions"),),
            market_comparables,
        ),
    )
}

_TOO_LARGE = Decimal("1E15")
_MAX_NUMBER_TEXT = 60
_SEPARATORS = re.compile(r"[\s,;，；、]+")


def _number(name: str, raw: Any) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str | Decimal):
        raise refuse(name, "must be a number", "type.float")
    if isinstance(raw, int) and abs(raw) >= _TOO_LARGE:  # before str(): a huge int is slow to print
        raise refuse(name, "must be below 10^15 in size; choose a larger unit (e.g. 万元)", "valuation.too_large")
    text = str(raw).strip()
    if len(text) > _MAX_NUMBER_TEXT:
        raise refuse(name, f"must be a number of at most {_MAX_NUMBER_TEXT} characters", "too_long",
                     most=_MAX_NUMBER_TEXT)
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise refuse(name, f"must be a number, got {text!r}", "type.float") from None
    if not value.is_finite():
        raise refuse(name, "must be a finite number", "valuation.finite")
    if abs(value) >= _TOO_LARGE:
        raise refuse(name, "must be below 10^15 in size; choose a larger unit (e.g. 万元)", "valuation.too_large")
    return value


def _numbers(name: str, raw: Any) -> list[Decimal]:
    if isinstance(raw, str):
        raw = [part for part in _SEPARATORS.split(raw) if part]
    if not isinstance(raw, list | tuple):
        raise refuse(name, "must be a list of numbers", "type.array")
    if len(raw) > MAX_YEARS:
        raise refuse(name, f"must list at most {MAX_YEARS} numbers", "too_many", most=MAX_YEARS)
    return [_number(f"{name}.{i}", item) for i, item in enumerate(raw)]


def _bool(name: str, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in {"true", "on", "1", "yes", "false", "off", "0", "no"}:
        return raw.strip().lower() in {"true", "on", "1", "yes"}
    raise refuse(name, "must be true or false", "type.bool")


def _comparables(name: str, raw: Any) -> list[Comparable]:
    if not isinstance(raw, list | tuple):
        raise refuse(name, "must be a list of comparable transactions", "type.array")
    if len(raw) > MAX_COMPARABLES:
        raise refuse(name, f"must list at most {MAX_COMPARABLES} comparable transactions", "too_many",
                     most=MAX_COMPARABLES)
    numbers = ("price", *COMPARABLE_FACTORS)
    allowed = (*COMPARABLE_NOTES, *numbers)
    result = []
    for i, item in enumerate(raw):
        path = f"{name}.{i}"
        if not isinstance(item, Mapping):
            raise refuse(path, "must be an object with price and factors", "type.object")
        for key in item:
            if key not in allowed:
                raise refuse(f"{path}.{key}", f"is not a comparable's field; use {', '.join(allowed)}",
                             "unknown_field")
        if item.get("price") in (None, ""):
            raise refuse(f"{path}.price", "is required", "required")
        _comparable_notes(path, item)
        values = {key: _number(f"{path}.{key}", item[key]) for key in numbers if item.get(key) not in (None, "")}
        result.append(Comparable(**values))
    return result


#: What a comparable may say of itself besides its figures (recorded with the inputs, not computed with).
COMPARABLE_NOTES = ("reference", "date")


def _comparable_notes(path: str, item: Mapping[str, Any]) -> None:
    """The comparable's reference (patent or contract number, one line) and transaction date (ISO), if given."""
    reference = item.get("reference")
    if reference is not None and (not isinstance(reference, str) or len(reference) > 200 or "\n" in reference):
        raise refuse(f"{path}.reference", "must be one line of at most 200 characters", "valuation.one_line",
                     most=200)
    day = item.get("date")
    if day not in (None, "") and not _is_iso_date(day):
        raise refuse(f"{path}.date", "must be a date such as 2025-06-30", "date")


def _is_iso_date(value: Any) -> bool:
    if not isinstance(value, str) or len(value) != 10:
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


_DECODERS: dict[Kind, Callable[[str, Any], Any]] = {
    "decimal": _number,
    "rate": _number,
    "years": _number,
    "list": _numbers,
    "bool": _bool,
    "comparables": _comparables,
}


def calculate(method: str, inputs: Mapping[str, Any]) -> Calculation:
    """Run one valuation method on untrusted inputs; nothing is recorded.

    Refuses an unknown method (field ``method``, listing the known ids), an input the method does
    not take, a missing required input, and every input that breaks its rule (field ``inputs.<name>``).
    """
    spec = METHODS.get(method) if isinstance(method, str) else None
    if spec is None:
        raise ValidationError(f"method: must be one of {', '.join(METHODS)}", field="method", code="choice")
    if not isinstance(inputs, Mapping):
        raise ValidationError("inputs: must be an object of the method's inputs", field="inputs",
                              code="type.object")
    known = ", ".join(f.name for f in spec.fields)
    for name in inputs:
        if spec.field(str(name)) is None:
            raise refuse(str(name), f"is not an input of {spec.id}; its inputs are {known}", "unknown_field")
    decoded: dict[str, Any] = {}
    for field in spec.fields:
        raw = inputs.get(field.name)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if field.required:
                raise refuse(field.name, "is required", "required")
            continue  # the function's own default applies
        decoded[field.name] = _DECODERS[field.kind](field.name, raw)
    return spec.function(**decoded)
