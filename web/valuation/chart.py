"""The per-patent value chart: an inline SVG drawn on the server from the patent's valuation record.

Assessments are drawn at their basis date as a dot on a bar from low to high (superseded ones grey,
withdrawn ones hollow); offers as diamonds; realised contract prices as squares. Amounts are yuan.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from html import escape

from markupsafe import Markup

from projections.valuation.queries import PatentValuationRecord
from web.valuation.steps import yuan

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 70, 16, 14, 30
COLOURS = {
    "current": "#1f5fa8",
    "superseded": "#9aa5b1",
    "withdrawn": "#c0392b",
    "offer": "#d08c00",
    "price": "#1e8449",
}


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


def _scales(
    points: list[tuple[str, date, float, float, float, str]],
) -> tuple[Callable[[date], float], Callable[[float], float], float]:
    first = min(p[1] for p in points).toordinal()
    last = max(p[1] for p in points).toordinal()
    span = max(last - first, 1)
    top = max([p[4] for p in points] + [1.0]) * 1.1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(day: date) -> float:
        return LEFT + plot_w * ((day.toordinal() - first) / span if last > first else 0.5)

    def y(value: float) -> float:
        return TOP + plot_h * (1 - value / top)

    return x, y, top


def _mark(kind: str, cx: float, cy: float) -> str:
    colour = COLOURS[kind]
    if kind == "offer":
        return (
            f'<polygon points="{cx:.1f},{cy - 5:.1f} {cx + 5:.1f},{cy:.1f} {cx:.1f},{cy + 5:.1f} '
            f'{cx - 5:.1f},{cy:.1f}" fill="{colour}"/>'
        )
    if kind == "price":
        return f'<rect x="{cx - 5:.1f}" y="{cy - 5:.1f}" width="10" height="10" fill="{colour}"/>'
    fill = "white" if kind == "withdrawn" else colour
    return f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="5" fill="{fill}" stroke="{colour}" stroke-width="2"/>'


def value_chart(record: PatentValuationRecord, lang: str = "zh", title: str = "") -> Markup:
    """The SVG, or an empty string when the patent has nothing to draw."""
    points = _points(record)
    if not points:
        return Markup("")
    x, y, top = _scales(points)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="value-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img"'
        f' aria-label="{escape(title)}" width="100%">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{HEIGHT - BOTTOM}" stroke="#555"/>',
        f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - RIGHT}" y2="{HEIGHT - BOTTOM}" stroke="#555"/>',
    ]
    for fraction in (0, 0.5, 1):
        value = top / 1.1 * fraction
        parts.append(
            f'<text x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end" font-size="11">'
            f"{escape(_yuan_label(value, lang))}</text>"
        )
    days = sorted({p[1] for p in points})
    for day in {days[0], days[-1]}:
        parts.append(f'<text x="{x(day):.1f}" y="{HEIGHT - 10}" text-anchor="middle" font-size="11">{day}</text>')
    for kind, day, value, low, high, label in points:
        cx = x(day)
        group = [f'<g class="point {kind}"><title>{escape(label)}</title>']
        if high > low:
            group.append(
                f'<line x1="{cx:.1f}" y1="{y(low):.1f}" x2="{cx:.1f}" y2="{y(high):.1f}"'
                f' stroke="{COLOURS[kind]}" stroke-width="3" opacity="0.5"/>'
            )
        group.append(_mark(kind, cx, y(value)))
        group.append("</g>")
        parts.append("".join(group))
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in it went through html.escape


def decimal_text(value: Decimal) -> str:
    """A yuan amount as the pages show it: rounded to the yuan, thousands separated (the record keeps it exact)."""
    return yuan(value)
