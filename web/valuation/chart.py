"""The per-patent value chart: drawn by pygal on the server (the site's chart kernel, ``web.charts``).

Assessments are drawn at their basis date as a point with a line from low to high (current blue, superseded
grey, withdrawn red); offers amber; realised contract prices green. Amounts are yuan.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pygal
from markupsafe import Markup

from projections.valuation.queries import PatentValuationRecord
from web.charts import STYLE, WIDTH, clean
from web.valuation.steps import yuan

HEIGHT = 240


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _yuan_label(value: float, lang: str) -> str:
    if lang == "zh" and value >= 10_000:
        return f"{value / 10_000:,.0f} 万"
    return f"{value:,.0f}"


def _points(record: PatentValuationRecord) -> list[tuple[str, date, float, float, float, str]]:
    """(kind, day, value, low, high, title) for everything on the chart, in yuan."""
    points = [
        (
            a.status,
            a.basis_date,
            float(a.value),
            float(a.low),
            float(a.high),
            f"{a.organisation_name} {a.basis_date}: {decimal_text(a.value)}"
            f" ({decimal_text(a.low)}–{decimal_text(a.high)}) {a.status}",
        )
        for a in record.assessments
    ]
    points += [
        (
            "offer",
            _day(o.offered_at),
            o.price / 100,
            o.price / 100,
            o.price / 100,
            f"{o.side} {o.deal_type} {_day(o.offered_at)}: {o.price / 100:,.2f} {o.currency}",
        )
        for o in record.offers
    ]
    points += [
        (
            "price",
            _day(p.paid_at),
            p.price / 100,
            p.price / 100,
            p.price / 100,
            f"{p.deal_type} {_day(p.paid_at)}: {p.price / 100:,.2f} {p.currency}",
        )
        for p in record.prices
    ]
    return points


#: The series in the order of the site's chart colours (``web.charts.COLOURS``), with their names.
SERIES: tuple[tuple[str, str, str], ...] = (
    ("offer", "报价", "Offers"), ("price", "成交价", "Prices paid"), ("superseded", "已被取代的评估", "Superseded"),
    ("current", "现行评估", "Current assessments"), ("withdrawn", "已撤回的评估", "Withdrawn"),
    ("range", "评估区间", "Assessed ranges"),
)


def value_chart(record: PatentValuationRecord, lang: str = "zh", title: str = "") -> Markup:
    """The chart (pygal, through the site's chart kernel), or an empty string when there is nothing to draw.

    Each assessment, offer and price is a point at its day, titled with what it is; an assessment's low-high
    range is a vertical line at its day. The description reads every point."""
    points = _points(record)
    if not points:
        return Markup("")
    chart = pygal.DateLine(
        style=STYLE, width=WIDTH, height=HEIGHT, explicit_size=False, disable_xml_declaration=True, js=[],
        allow_interruptions=True, show_legend=True, legend_at_bottom=True, legend_at_bottom_columns=2,
        truncate_legend=-1, include_x_axis=True, margin=8, spacing=8, dots_size=4, show_minor_x_labels=False,
        x_labels_major_count=3, y_labels_major_count=3, x_value_formatter=lambda d: d.isoformat(),
        value_formatter=lambda v: _yuan_label(v, lang), x_label_rotation=0, truncate_label=-1,
    )
    for kind, name_zh, name_en in SERIES:
        name = name_zh if lang == "zh" else name_en
        if kind == "range":
            ranges: list[Any] = []
            for k, day, _, low, high, _ in points:
                if k in ("current", "superseded", "withdrawn") and high > low:
                    ranges += [(day, low), (day, high), None]
            chart.add(name, ranges, stroke=True, show_dots=False)
        else:
            chart.add(name, [{"value": (day, value), "label": label}
                             for k, day, value, _, _, label in points if k == kind], stroke=False)
    described = "; ".join(label for *_, label in points)
    chart.add_xml_filter(clean("value", title, described))
    svg: str = chart.render(is_unicode=True)
    return Markup(svg)  # noqa: S704 - pygal escapes the texts it is given; no text comes from the request


def decimal_text(value: Decimal) -> str:
    """A yuan amount as the pages show it: rounded to the yuan, thousands separated (the record keeps it exact)."""
    return yuan(value)
