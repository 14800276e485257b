"""Valuation methods against published worked examples, and the refusals of ``calculate``.

Rounding policy of these tests: the methods never round (50 significant digits). Published keys
round their factors — discount and annuity factors to four decimals, rates to two decimals of a
per cent — and then the answer to two decimals (or to a whole 万元). Each test therefore compares
with a tolerance derived from the key's own rounding, stated next to it; the tolerances are far
smaller than the difference any other formula would make (e.g. forgetting the income tax, or
discounting at the start of the year, changes the answer by 10 % or more).

Sources were read through the stored web pages of Chinese asset-valuation exam banks
(资产评估师 / 自考《资产评估》 keys); each test names the page, the question and the published answer.
Where no published example could be found, the test says so and checks the method by an
independent route (exact ``Fraction`` arithmetic of the textbook formula).
"""

from __future__ import annotations

import json
from decimal import Decimal, localcontext
from fractions import Fraction
from inspect import signature
from typing import Any

import pytest

from domain.shared.errors import ValidationError
from domain.valuation.methods import METHODS, Calculation, calculate


def run(method: str, **inputs: Any) -> Calculation:
    return calculate(method, inputs)


def assert_close(actual: Decimal | str, published: str, tolerance: str) -> None:
    difference = abs(Decimal(actual) - Decimal(published))
    assert difference <= Decimal(tolerance), f"{actual} differs from the published {published} by {difference}"


def exact(value: Fraction) -> Decimal:
    """A fraction as a Decimal of 60 significant digits (more than the methods' 50)."""
    with localcontext() as ctx:
        ctx.prec = 60
        return Decimal(value.numerator) / Decimal(value.denominator)


# ----------------------------------------------------------------------------------------------
# Income approach: income_stream (收益现值法)
# ----------------------------------------------------------------------------------------------


def test_income_stream_cost_saving_and_price_rise_swop() -> None:
    """swop.cn/cms/gaopinkaodianyiqu/72756.html: 10万件 a year, unit cost 4 → 3.5 元, price 17.5 → 20 元,
    5 years, 10 %, income tax 25 %. Key: excess income 3.75 + 18.75 = 22.5 万元 a year,
    22.5 × 3.7908 = 85.293 ≈ 85.29 万元 (answer C). The annuity factor is rounded to four decimals:
    error ≤ 22.5 × 0.00005 plus the final rounding to 0.01."""
    result = run("income_stream", incomes=["22.5"] * 5, discount_rate="0.1")
    assert_close(result.value, "85.29", "0.01")
    assert result.steps["share"] == "1"
    assert len(result.steps["discount_factors"]) == 5


def test_income_stream_price_volume_and_cost_gaojiufeng() -> None:
    """gaojiufeng.cn/?id=997492: 10 → 12 万件, price 100 → 110 元, cost 80 → 75 元, tax 33 %, 5 years at 10 %.
    Key: net excess profit 281.4 − 134 = 147.4 万元 a year, 147.4 × 3.7908 = 558.76 万元."""
    result = run("income_stream", incomes=[Decimal("147.4")] * 5, discount_rate=Decimal("0.1"))
    assert_close(result.value, "558.76", "0.01")


def test_income_stream_ten_years_zhaokaoti() -> None:
    """zhaokaoti.com/kaoti/09f666148d464f5caf6cf858e0a194d4.html (toy maker buys a patent): annual excess
    income 6095 万元 before tax, tax 25 %, 10 years at 10 %. Key: 6095 × (1 − 25 %) = 4571.25 万元 a year,
    4571.25 × 6.1446 = 28088.5 万元. The key's factor 6.1446 is 0.0000329 above the exact 6.1445671,
    i.e. 0.15 万元 on this income, so the tolerance is 0.2."""
    result = run("income_stream", incomes=["4571.25"] * 10, discount_rate="0.1")
    assert_close(result.value, "28088.5", "0.2")


# ----------------------------------------------------------------------------------------------
# Income approach: profit_split_equivalent_investment (约当投资分成法)
# ----------------------------------------------------------------------------------------------


def test_profit_split_full_example_wendadaohang() -> None:
    """88.wendadaohang.com/zd/VVcca1BaM.html (the same key on niusouti.com/exam/i40aFJ.html):
    patent replacement cost 100 万元, cost-profit rate 500 %; licensee assets 3000 万元 at 10 %;
    net income 400, 420, 430, 450, 440 万元; discount rate 4 % + 6 % = 10 %.
    Key: 600 / (600 + 3300) = 15.39 %; value = [400×0.9091 + … + 440×0.6209] × 15.39 % = 248.45 万元.
    The key uses a split of 15.39 % (exact 15.3846…%): that alone adds 0.0000538 × 1614.4 = 0.087 万元,
    so the tolerance is 0.1 (our value is 248.36)."""
    result = run(
        "profit_split_equivalent_investment",
        patent_replacement_cost=100,
        patent_cost_profit_rate=5,
        licensee_asset_replacement_cost=3000,
        licensee_cost_profit_rate="0.1",
        profits=[400, 420, 430, 450, 440],
        discount_rate="0.1",
    )
    assert result.steps["patent_equivalent_investment"] == "600"
    assert Decimal(result.steps["licensee_equivalent_investment"]) == 3300
    # 600/3900 = 15.3846…%: the key prints 15.39 % (rounded up, not to the nearest 0.01 %)
    assert_close(result.steps["split_rate"], str(exact(Fraction(600, 3900))), "1E-30")
    assert_close(result.steps["split_rate"], "0.1539", "0.0001")
    assert_close(result.value, "248.45", "0.1")


@pytest.mark.parametrize(
    ("source", "patent_cost", "patent_rate", "licensee_cost", "licensee_rate", "published_split"),
    [
        # 222.198.130.40:8081/view/Subject/showsubject.aspx?id=1b7004534948456bbf31839a128c99ef:
        # 120 × (1 + 400 %) = 600; 6000 × (1 + 8 %) = 6480; 600 / (6480 + 600) = 8.47 % (answer A).
        ("showsubject 1b700453", "120", "4", "6000", "0.08", "0.0847"),
        # ti.zuoweng.com/ti/7RZKKKKQ: cost 80 万元 × (1 + 5 %) = 84; 84 × 5 = 420; 4000 × 1.125 = 4500;
        # 420 / (4500 + 420) = 8.54 % (answer D).
        ("zuoweng 7RZKKKKQ", "84", "4", "4000", "0.125", "0.0854"),
        # tiku818.com/tiku/2593303.html: 200 × (1 + 500 %) = 1200; 4000 × (1 + 25 %) = 5000;
        # 1200 / (1200 + 5000) = 19.35 % (answer D).
        ("tiku818 2593303", "200", "5", "4000", "0.25", "0.1935"),
    ],
)
def test_profit_split_rate_published_keys(
    source: str, patent_cost: str, patent_rate: str, licensee_cost: str, licensee_rate: str, published_split: str
) -> None:
    """Split rates P/(P+L) from exam keys that round to two decimals of a per cent (``source`` names the page)."""
    result = run(
        "profit_split_equivalent_investment",
        patent_replacement_cost=patent_cost,
        patent_cost_profit_rate=patent_rate,
        licensee_asset_replacement_cost=licensee_cost,
        licensee_cost_profit_rate=licensee_rate,
        profits=[100],
        discount_rate="0",
    )
    assert_close(result.steps["split_rate"], published_split, "0.00005")
    # at r = 0 nothing is discounted: the value is the split share of the profit
    assert_close(result.value, str(exact(Fraction(result.steps["split_rate"]) * 100)), "1E-30")


# ----------------------------------------------------------------------------------------------
# Income approach: incremental_earnings (增量收益)
# ----------------------------------------------------------------------------------------------


def test_incremental_earnings_design_patent_jikaoti_fk5() -> None:
    """jikaoti.com/ti/fK5UFFFM: a design patent lifts sales from 5 to 8 万台 at 500 元 price and 450 元 cost,
    3 years, 10 %, income tax 25 %. Key: (8−5)×(500−450)×(1−25 %) = 112.5 万元;
    112.5 × 2.4869 ≈ 279.78 万元 (answer B). Factor rounding: 112.5 × 0.0000481 = 0.005."""
    result = run(
        "incremental_earnings",
        units_before=5,
        units_after=8,
        price=500,
        unit_cost=450,
        years=3,
        discount_rate="0.1",
        income_tax_rate="0.25",
    )
    assert Decimal(result.steps["annual_increment"]) == Decimal("112.5")
    assert_close(result.steps["annuity_factor"], "2.4869", "0.00005")
    assert_close(result.value, "279.78", "0.01")


def test_incremental_earnings_patent_jikaoti_ksy() -> None:
    """jikaoti.com/ti/KsYVFFFM: 10 → 15 万台 at 550 元 price and 450 元 cost, 3 years, 10 %, tax 25 %.
    Key: (15−10)×(550−450)×(1−25 %) = 375 万元; 375 × 2.4869 = 932.59 万元 (answer D).
    Factor rounding: 375 × 0.0000481 = 0.018, so the tolerance is 0.03."""
    result = run(
        "incremental_earnings",
        units_before=10,
        units_after=15,
        price=550,
        unit_cost=450,
        years=3,
        discount_rate="0.1",
        income_tax_rate="0.25",
    )
    assert_close(result.value, "932.59", "0.03")


def test_incremental_earnings_without_tax_kaotiyun() -> None:
    """kaotiyun.com/show/4rZr777K: 10000 台 a year each earning 80 元 more, 10 years at 10 %,
    (P/A,10%,10) = 6.1446, no tax in the question. Key: 10000 × 80 × 6.1446 = 491.57 万元.
    In 万台 and 元 (so the value is in 万元): 0 → 1 万台, price − cost = 1000 − 920 = 80 元."""
    result = run(
        "incremental_earnings",
        units_before=0,
        units_after=1,
        price=1000,
        unit_cost=920,
        years=10,
        discount_rate="0.1",
    )
    assert_close(result.value, "491.57", "0.01")
    # the annuity factor and the sum of the yearly present values agree (two routes, one value)
    present_values = sum((Fraction(v) for v in result.steps["present_values"]), Fraction(0))
    assert_close(str(exact(present_values)), str(result.value), "1E-30")


# ----------------------------------------------------------------------------------------------
# Income approach: declining_income (收益逐年递减)
# ----------------------------------------------------------------------------------------------


def test_declining_income_ends_when_income_reaches_zero_tihaiku() -> None:
    """tihaiku.com/caiwukuaiji/2136931.html (same on jikaoti.com/ti/DrMVFFFM, tikuer.com/zscqzyzsys/1598131.html):
    legal protection 20 years, first-year income 100 万元 falling by 10 万元 a year, 10 %.
    Key: the income period is 100/10 = 10 years, not 20; 100/1.1 + 90/1.1² + … + 10/1.1¹⁰ = 385.54 万元
    (answer A, 385)."""
    result = run(
        "declining_income", first_year_income=100, annual_decrement=10, legal_life_years=20, discount_rate="0.1"
    )
    assert result.steps["income_years"] == 10
    assert result.steps["incomes"][-1] == "10"
    assert_close(result.value, "385.54", "0.005")


def test_declining_income_ends_with_legal_life_independent_route() -> None:
    """Not from a published key: the same stream cut by a legal life of 4 years, checked against the
    textbook sum computed exactly with fractions (100/1.1 + 90/1.1² + 80/1.1³ + 70/1.1⁴)."""
    result = run(
        "declining_income", first_year_income=100, annual_decrement=10, legal_life_years=4, discount_rate="0.1"
    )
    expected = sum((Fraction(110 - 10 * t) / Fraction(11, 10) ** t for t in range(1, 5)), Fraction(0))
    assert result.steps["income_years"] == 4
    assert_close(result.value, str(exact(expected)), "1E-30")


# ----------------------------------------------------------------------------------------------
# Income approach: relief_from_royalty (节省许可费法 / 销售收入提成)
# ----------------------------------------------------------------------------------------------


def test_relief_from_royalty_gaojiufeng() -> None:
    """gaojiufeng.cn/?id=997594 (same key on jikaoti.com/ti/dAafFFFM): an exclusive licence for 8 years
    paid at 2 % of sales; sales profit 460 万元 at a 10 % margin (so sales are 4600 万元), tax 25 %, 15 %.
    Key: 460 × 20 % × (1 − 25 %) = 69 万元 a year; 69/15 % × [1 − 1/1.15⁸] = 310 万元 (rounded to 万元)."""
    result = run("relief_from_royalty", revenues=[4600] * 8, royalty_rate="0.02", tax_rate="0.25", discount_rate="0.15")
    assert result.steps["royalties_after_tax"][0] == "69.0000"
    assert_close(result.value, "310", "0.5")
    assert "tab_factor" not in result.steps


def test_relief_from_royalty_share_of_excess_profit_zuoweng() -> None:
    """ti.zuoweng.com/ti/88IEKKKQ: licensee earns 100 元 more on 100 000 台 a year (10 000 000 元), pays 30 % of it
    for 3 years, no tax, 10 %. Key: 3 000 000 × 2.4869 = 7 460 700 元. The base here is excess profit rather
    than revenue; the formula Σ base × rate × (1 − tax)/(1+r)^t is the same. Factor rounding:
    3 000 000 × 0.0000481 = 144 元."""
    result = run(
        "relief_from_royalty", revenues=[10_000_000] * 3, royalty_rate="0.3", tax_rate="0", discount_rate="0.1"
    )
    assert_close(result.value, "7460700", "150")


def test_relief_from_royalty_tab_factor_matches_published_formula() -> None:
    """Tax amortisation benefit. en.wikipedia.org/wiki/Tax_amortization_benefit gives the end-year factor
    TAB = 1 / [1 − t/n · (1/k − 1/(k(1+k)^n))]; bizfluent.com/how-6931019-calculate-tax-amortization-benefit.html
    works n = 10, T = 30 %, 10 % with PVA = 6.14 and AB = PVCF × (n/(n − PVA·T) − 1), i.e. a factor of
    10/(10 − 6.14 × 0.30) = 1.2258. (That page prints AB = $85.85, which its own formula does not give —
    61.45 × 0.2258 = 13.87 — so only its factor is asserted.) Independently, the value must equal
    the value before TAB plus the present value of the tax saved by amortising the value itself."""
    result = run(
        "relief_from_royalty",
        revenues=[1000] * 10,
        royalty_rate="0.05",
        tax_rate="0.3",
        discount_rate="0.1",
        tax_amortisation_benefit=True,
    )
    assert result.steps["amortisation_years"] == 10
    assert_close(result.steps["annuity_factor"], "6.14", "0.005")
    assert_close(result.steps["tab_factor"], "1.2258", "0.0003")
    k, t, n = Fraction(1, 10), Fraction(3, 10), 10
    wikipedia = 1 / (1 - t / n * (1 / k - 1 / (k * (1 + k) ** n)))
    assert_close(result.steps["tab_factor"], str(exact(wikipedia)), "1E-30")
    value, before = Fraction(result.value), Fraction(result.steps["value_before_tab"])
    tax_saved = sum(value / n * t / (1 + k) ** year for year in range(1, n + 1))
    assert_close(str(exact(before + tax_saved)), str(result.value), "1E-30")


def test_relief_from_royalty_amortisation_years_differ_from_revenue_years() -> None:
    """Not from a published key: 5 revenue years amortised over 15 tax years (US §197 style), checked
    against the Wikipedia factor computed exactly with fractions."""
    result = run(
        "relief_from_royalty",
        revenues=[200, 220, 240, 260, 280],
        royalty_rate="0.04",
        tax_rate="0.25",
        discount_rate="0.12",
        tax_amortisation_benefit="true",
        amortisation_years=15,
    )
    k, t, n = Fraction(12, 100), Fraction(1, 4), 15
    factor = 1 / (1 - t / n * (1 / k - 1 / (k * (1 + k) ** n)))
    revenues = [200, 220, 240, 260, 280]
    before = sum(Fraction(r) * Fraction(4, 100) * (1 - t) / (1 + k) ** y for y, r in enumerate(revenues, 1))
    assert_close(result.value, str(exact(before * factor)), "1E-30")


# ----------------------------------------------------------------------------------------------
# Cost approach
# ----------------------------------------------------------------------------------------------


def test_cost_depreciated_zuoweng() -> None:
    """ti.zuoweng.com/ti/wJisKKKQ: patent obtained 5 years ago, replacement cost 120 万元, 3 more years of use.
    Key: depreciation 5/(5+3) = 0.625; 120 × (1 − 0.625) = 45 万元 (answer A)."""
    result = run("cost_depreciated", replacement_cost=120, years_used=5, remaining_years=3)
    assert result.value == 45
    assert Decimal(result.steps["newness_rate"]) == Decimal("0.375")


def test_cost_depreciated_second_step_of_showsubject_2a13() -> None:
    """222.198.130.40:8081/view/Subject/showsubject.aspx?id=2a1318b7f5204d1790c0c2085865ed8f, second step:
    replacement cost 142 万元, depreciation 3/(3+5) = 37.5 %; 142 × (1 − 37.5 %) = 88.75 万元."""
    result = run("cost_depreciated", replacement_cost=142, years_used=3, remaining_years=5)
    assert result.value == Decimal("88.75")


def test_cost_multiplier_showsubject_2a13() -> None:
    """222.198.130.40:8081/view/Subject/showsubject.aspx?id=2a1318b7f5204d1790c0c2085865ed8f (倍加系数法):
    replacement cost = (15 + 20 + 30 × 1.2)/(1 − 0.4) × (1 + 20 %) = 142 万元; depreciation 3/(3+5);
    value 142 × (1 − 37.5 %) = 88.75 万元. Exact: nothing is rounded in the key."""
    result = run(
        "cost_multiplier",
        material_costs=[15, 20],
        labour_cost=30,
        creative_labour_multiplier="1.2",
        research_risk="0.4",
        return_rate="0.2",
        years_used=3,
        remaining_years=5,
    )
    assert Decimal(result.steps["replacement_cost"]) == 142
    assert result.value == Decimal("88.75")


def test_cost_multiplier_independent_route() -> None:
    """Not from a published key: fractional years and several material items, checked against
    (ΣC + βV)/(1 − r)·(1 + L) × remaining/(used + remaining) in exact fractions."""
    result = run(
        "cost_multiplier",
        material_costs="12.5, 3.2; 0.8",
        labour_cost="18",
        creative_labour_multiplier="2.5",
        research_risk="0.3",
        return_rate="0.15",
        years_used="2.5",
        remaining_years="7.5",
    )
    materials = Fraction("12.5") + Fraction("3.2") + Fraction("0.8")
    replacement = (materials + Fraction("2.5") * 18) / (1 - Fraction("0.3")) * (1 + Fraction("0.15"))
    assert_close(result.steps["replacement_cost"], str(exact(replacement)), "1E-30")
    assert_close(result.value, str(exact(replacement * Fraction(3, 4))), "1E-30")


# ----------------------------------------------------------------------------------------------
# Market approach
# ----------------------------------------------------------------------------------------------


def test_market_comparables_time_adjustment_key() -> None:
    """EstatePass appraiser exam question, "A comparable sale occurred 8 months ago for $450,000. Market
    conditions analysis shows property values have increased 0.5% per month. What is the adjusted sale
    price?" — key: A) $468,000 = $450,000 × (1 + 0.005 × 8) = $450,000 × 1.04.
    https://www.estatepass.ai/appraiser/questions/a-comparable-sale-occurred-8-months-ago-for-450000-market-conditions-analysis-sh
    One comparable: its time factor 1.04 (the other factors 1). Exact."""
    result = run("market_comparables", comparables=[{"price": "450000", "time_factor": "1.04"}])
    assert result.value == Decimal(468_000)


def test_market_comparables_factors_are_multiplied_in_sequence_key() -> None:
    """georgiaappraiser.com, "Sequence of Adjustments" (correcting a Residential Sales and Income
    Approaches final-exam key): the subject is 10 % superior in location and 15 % inferior in quality
    to the comparable; adjusting in sequence, 100 % → 110 % → 93.5 %, "negative adjustments totaling
    6.5 %", not the −5 % the exam key got by adding the percentages.
    http://www.georgiaappraiser.com/everythingappraisal/sequence_of_adjustments.htm
    Percentage adjustments are factors that multiply: region (location) 1.10 × technical (quality) 0.85."""
    result = run("market_comparables", comparables=[{"price": "100", "region_factor": "1.10",
                                                     "technical_factor": "0.85"}])
    assert result.value == Decimal("93.5")
    assert Decimal(result.steps["factor_products"][0]) == Decimal("0.935")


def test_market_comparables_independent_route() -> None:
    """Not from a published key (no worked patent example with all five factors could be found in the
    stored pages): three comparables, each price × its factors, averaged, against exact fractions."""
    comparables = [
        {"price": "120", "technical_factor": "1.1", "time_factor": "1.05", "term_factor": "0.9"},
        {"price": 95, "economic_factor": 1.2, "region_factor": "0.95"},
        {"price": "110", "technical_factor": "0.9", "economic_factor": "1", "time_factor": "1.02"},
    ]
    result = run("market_comparables", comparables=comparables)
    adjusted = [
        Fraction(120) * Fraction("1.1") * Fraction("1.05") * Fraction("0.9"),
        Fraction(95) * Fraction("1.2") * Fraction("0.95"),
        Fraction(110) * Fraction("0.9") * Fraction("1.02"),
    ]
    assert [Decimal(p) for p in result.steps["adjusted_prices"]] == [exact(a) for a in adjusted]
    assert_close(result.value, str(exact(sum(adjusted, Fraction(0)) / 3)), "1E-30")


def test_market_comparables_factors_default_to_one() -> None:
    """Not from a published key: without factors the value is the plain mean of the prices."""
    result = run("market_comparables", comparables=[{"price": 100}, {"price": "130"}])
    assert result.value == 115
    assert result.steps["factor_products"] == ["1", "1"]


# ----------------------------------------------------------------------------------------------
# Decoding, registry, steps
# ----------------------------------------------------------------------------------------------


def test_floats_go_through_their_text_not_float_arithmetic() -> None:
    by_float = run("income_stream", incomes=[0.1, 0.2], discount_rate=0.1)
    by_text = run("income_stream", incomes=["0.1", "0.2"], discount_rate="0.1")
    assert by_float == by_text
    assert by_float.steps["shared_incomes"] == ["0.1", "0.2"]


def test_form_style_inputs_are_accepted() -> None:
    """A web form sends strings: lists separated by commas (also full-width), booleans as 'on'/'false'."""
    result = run(
        "relief_from_royalty",
        revenues="100，100 100",
        royalty_rate="0.05",
        tax_rate="0.25",
        discount_rate="0.1",
        tax_amortisation_benefit="off",
        amortisation_years="",
    )
    assert len(result.steps["present_values"]) == 3
    assert "tab_factor" not in result.steps


def test_steps_are_json_friendly() -> None:
    cases: list[tuple[str, dict[str, Any]]] = [
        ("income_stream", {"incomes": [1, 2], "discount_rate": "0.1"}),
        (
            "relief_from_royalty",
            {
                "revenues": [10],
                "royalty_rate": "0.1",
                "tax_rate": "0.2",
                "discount_rate": "0.1",
                "tax_amortisation_benefit": True,
            },
        ),
        ("market_comparables", {"comparables": [{"price": "1E+2"}]}),
    ]
    for method, inputs in cases:
        steps = calculate(method, inputs).steps
        text = json.dumps(steps)
        assert "E+" not in text  # plain notation, never 1E+2
        assert all(isinstance(v, str | int | list) for v in steps.values())


def test_registry_describes_every_input_of_every_method() -> None:
    for method_id, spec in METHODS.items():
        assert spec.id == method_id
        assert spec.approach in {"income", "cost", "market"}
        assert spec.name_zh
        assert spec.name_en
        assert spec.formula
        parameters = signature(spec.function).parameters
        assert [f.name for f in spec.fields] == list(parameters), method_id
        for field in spec.fields:
            assert field.label_zh
            assert field.label_en
            assert field.kind in {"decimal", "rate", "years", "list", "bool", "comparables"}
            assert field.required == (parameters[field.name].default is parameters[field.name].empty), field.name
    assert set(METHODS) == {
        "income_stream",
        "profit_split_equivalent_investment",
        "incremental_earnings",
        "declining_income",
        "relief_from_royalty",
        "cost_depreciated",
        "cost_multiplier",
        "market_comparables",
    }
    assert {s.approach for s in METHODS.values()} == {"income", "cost", "market"}


# ----------------------------------------------------------------------------------------------
# Refusals: every one names its field
# ----------------------------------------------------------------------------------------------


def refusal(method: str, inputs: Any) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        calculate(method, inputs)
    error = caught.value
    assert error.field is not None
    assert error.message.startswith(f"{error.field}: ")
    return error


def test_negative_life_is_refused() -> None:
    error = refusal(
        "declining_income",
        {"first_year_income": 100, "annual_decrement": 10, "legal_life_years": -1, "discount_rate": "0.1"},
    )
    assert error.field == "inputs.legal_life_years"
    assert "whole number of years" in error.message


def test_fractional_income_years_are_refused() -> None:
    error = refusal(
        "incremental_earnings",
        {"units_before": 1, "units_after": 2, "price": 3, "unit_cost": 1, "years": "2.5", "discount_rate": "0.1"},
    )
    assert error.field == "inputs.years"


@pytest.mark.parametrize("rate", ["1", "1.5", "-0.01", 10])
def test_discount_rate_outside_zero_to_one_is_refused(rate: object) -> None:
    error = refusal("income_stream", {"incomes": [1], "discount_rate": rate})
    assert error.field == "inputs.discount_rate"
    assert "at least 0 and below 1" in error.message


def test_research_risk_of_one_is_refused() -> None:
    inputs = {
        "material_costs": [1],
        "labour_cost": 1,
        "creative_labour_multiplier": 1,
        "research_risk": 1,
        "return_rate": 0,
        "years_used": 0,
        "remaining_years": 1,
    }
    assert refusal("cost_multiplier", inputs).field == "inputs.research_risk"


def test_empty_income_stream_is_refused() -> None:
    error = refusal("income_stream", {"incomes": [], "discount_rate": "0.1"})
    assert error.field == "inputs.incomes"
    assert "at least one year" in error.message


def test_missing_required_input_is_refused() -> None:
    error = refusal("income_stream", {"incomes": [1]})
    assert error.field == "inputs.discount_rate"
    assert error.message == "inputs.discount_rate: is required"


def test_unknown_input_is_refused() -> None:
    error = refusal("income_stream", {"incomes": [1], "discount_rate": "0.1", "growth": "0.02"})
    assert error.field == "inputs.growth"
    assert "incomes, discount_rate, share" in error.message


def test_unknown_method_is_refused_listing_the_known_ids() -> None:
    error = refusal("black_scholes", {})
    assert error.field == "method"
    assert all(method_id in error.message for method_id in METHODS)


@pytest.mark.parametrize(
    ("inputs", "field"),
    [
        ({"incomes": ["12万"], "discount_rate": "0.1"}, "inputs.incomes.0"),
        ({"incomes": [1, True], "discount_rate": "0.1"}, "inputs.incomes.1"),
        ({"incomes": [1], "discount_rate": "NaN"}, "inputs.discount_rate"),
        ({"incomes": [1], "discount_rate": "Infinity"}, "inputs.discount_rate"),
        ({"incomes": {"a": 1}, "discount_rate": "0.1"}, "inputs.incomes"),
        ({"incomes": [1], "discount_rate": "0.1", "share": "1.2"}, "inputs.share"),
    ],
)
def test_malformed_numbers_are_refused(inputs: dict[str, Any], field: str) -> None:
    assert refusal("income_stream", inputs).field == field


@pytest.mark.parametrize(
    ("comparables", "field"),
    [
        ([], "inputs.comparables"),
        ([{"price": 0}], "inputs.comparables.0.price"),
        ([{"price": 10}, {"time_factor": "1.1"}], "inputs.comparables.1.price"),
        ([{"price": 10, "colour_factor": 2}], "inputs.comparables.0.colour_factor"),
        ([{"price": 10, "region_factor": "-1"}], "inputs.comparables.0.region_factor"),
        (["10"], "inputs.comparables.0"),
    ],
)
def test_bad_comparables_are_refused(comparables: list[Any], field: str) -> None:
    assert refusal("market_comparables", {"comparables": comparables}).field == field


def test_inputs_must_be_an_object() -> None:
    assert refusal("income_stream", ["not", "an", "object"]).field == "inputs"


def test_profit_split_with_no_investment_at_all_is_refused() -> None:
    inputs = {
        "patent_replacement_cost": 0,
        "patent_cost_profit_rate": 1,
        "licensee_asset_replacement_cost": 0,
        "licensee_cost_profit_rate": 1,
        "profits": [1],
        "discount_rate": "0.1",
    }
    assert refusal("profit_split_equivalent_investment", inputs).field == "inputs.patent_replacement_cost"


@pytest.mark.parametrize(
    ("method", "inputs", "field"),
    [
        ("income_stream", {"incomes": [1] * 101, "discount_rate": "0.1"}, "inputs.incomes"),
        ("income_stream", {"incomes": [10**400], "discount_rate": "0.1"}, "inputs.incomes.0"),
        ("income_stream", {"incomes": ["1E+999999"], "discount_rate": "0.1"}, "inputs.incomes.0"),
        ("income_stream", {"incomes": ["1" * 70], "discount_rate": "0.1"}, "inputs.incomes.0"),
        (
            "declining_income",
            {"first_year_income": 1, "annual_decrement": 0, "legal_life_years": "1E+6", "discount_rate": "0.1"},
            "inputs.legal_life_years",
        ),
        ("market_comparables", {"comparables": [{"price": 1}] * 101}, "inputs.comparables"),
    ],
)
def test_inputs_too_large_to_be_a_valuation_are_refused(method: str, inputs: dict[str, Any], field: str) -> None:
    """Untrusted input may not make the server compute millions of factors or overflow the context."""
    assert refusal(method, inputs).field == field
