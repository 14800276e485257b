"""Budget charts drawn by pygal as inline SVG: what a programme committed, disbursed and has left.

pygal draws the chart on the server, so the page needs no script. Its SVG normally carries a
``<script>`` (its tooltips' configuration) and a ``<style>``; the site's Content-Security-Policy
allows neither inline, so :func:`_clean` takes both out and ``/static/chart.css`` (the same rules,
:func:`chart_css` writes them; a test keeps the file equal to it) styles every chart. Each chart is
an image to assistive technology (``role="img"``) named by its ``<title>`` and described by its
``<desc>``, which says every amount in words; the page puts a table of the same amounts beside it.
"""

from __future__ import annotations

import re
from typing import Any

import pygal
from markupsafe import Markup
from pygal.style import Style

from web.charts import COLOURS as SITE_COLOURS
from web.charts import clean as _clean

#: Committed (amber), disbursed (green), remaining (grey): distinct also in grey scale, and labelled.
COLOURS = ("#b45309", "#15803d", "#9ca3af")
FONT = '"PingFang SC","Microsoft YaHei","Noto Sans CJK SC","Source Han Sans SC",system-ui,sans-serif'
STYLE = Style(
    background="transparent", plot_background="transparent", foreground="#1f2937", foreground_strong="#111827",
    foreground_subtle="#6b7280", colors=COLOURS, opacity="1", opacity_hover="1", transition="0s",
    font_family=FONT, label_font_size=12, major_label_font_size=12, legend_font_size=13, title_font_size=13,
    value_font_size=11, tooltip_font_size=11,
)
#: How the charts sit on the page (after pygal's rules in ``/static/chart.css``): as wide as their box on a phone,
#: at most 30rem elsewhere; the table beside a chart wears the same colours.
LAYOUT = (
    ".chart-pair{display:flex;flex-wrap:wrap;gap:1rem;align-items:flex-start}"
    ".chart-pair>figure.chart{margin:0;flex:1 1 18rem;min-width:0;max-width:30rem}"
    ".chart-pair>.table-scroll{flex:1 1 16rem}"
    "svg.pygal-chart{display:block;width:100%;height:auto}"
    ".swatch{display:inline-block;width:.8em;height:.8em;margin-right:.4em;vertical-align:baseline}"
    + "".join(f".swatch-{key}{{background:{colour}}}"
              for key, colour in zip(("committed", "disbursed", "remaining"), COLOURS, strict=True))
)
#: The viewBox: about a phone's width, so text keeps its size at 390 px; wider screens cap it (chart.css).
WIDTH, HEIGHT = 360, 110


def _config() -> dict[str, Any]:
    return {
        "style": STYLE, "width": WIDTH, "height": HEIGHT, "explicit_size": False, "disable_xml_declaration": True,
        "js": [], "show_legend": True, "legend_at_bottom": True, "legend_at_bottom_columns": 3,
        "show_y_labels": False, "print_values": False, "range": (0, 100), "include_x_axis": True,
        "x_labels_major_count": 5, "show_minor_x_labels": False, "margin": 8, "margin_right": 20,
        "margin_left": 14, "spacing": 8,
        "truncate_legend": -1, "truncate_label": -1, "value_formatter": lambda v: f"{v:.0f} %",
    }


def _share(part: int, budget: int) -> float:
    return 100 * part / budget if budget > 0 else 0.0


def budget_chart(*, key: str, title: str, legend: tuple[str, str, str], amounts: tuple[int, int, int],
                 budget: int, description: str) -> Markup:
    """One programme's budget as a stacked bar of 100 %: committed, disbursed, remaining (amounts in fen).

    ``key`` names the chart's ids (the programme's id); ``description`` reads the amounts in words.
    """
    chart = pygal.HorizontalStackedBar(**_config())
    chart.x_labels = [""]
    for label, amount in zip(legend, amounts, strict=True):
        chart.add(label, [_share(max(amount, 0), budget)])
    chart.add_xml_filter(_clean(key, title, description))
    svg: str = chart.render(is_unicode=True)
    return Markup(svg)  # noqa: S704 - pygal escapes the texts it is given; no text comes from the request


def chart_css() -> str:
    """The rules pygal would put in each chart's ``<style>``, scoped to ``.pygal-chart`` (``/static/chart.css``):
    every colour of the site's charts (``web.charts.COLOURS``, the budgets' three first)."""
    chart = pygal.HorizontalStackedBar(**(_config() | {"style": STYLE.__class__(**{
        **{k: getattr(STYLE, k) for k in dir(STYLE) if not k.startswith("_") and not callable(getattr(STYLE, k))},
        "colors": SITE_COLOURS})}))
    chart.x_labels = [""]
    for series in range(len(SITE_COLOURS)):
        chart.add(str(series), [1])
    svg: str = chart.render(is_unicode=True)
    match = re.search(r"<style[^>]*>(.*?)</style>", svg, re.S)
    assert match is not None
    scope = re.search(r'id="(chart-[0-9a-f-]+)"', svg)
    assert scope is not None
    css = match.group(1).replace("&gt;", ">").replace(f"#{scope.group(1)}", ".pygal-chart")
    return (
        "/* Generated from pygal's own rules and web/programmes/charts.py's STYLE (chart_css()); "
        "tests/unit/test_programme_charts.py keeps it equal. */\n" + css.strip() + "\n" + LAYOUT + "\n"
    )
