"""The site's chart kernel: pygal draws charts on the server as inline SVG, cleaned for the site's CSP.

pygal's SVG normally carries a ``<script>`` (its tooltips' configuration) and a ``<style>``; the site's
Content-Security-Policy allows neither inline, so :func:`clean` takes both out and ``/static/chart.css``
(written by ``web.programmes.charts.chart_css``; a test keeps the file equal to it) styles every chart. Each
chart is an image to assistive technology (``role="img"``) named by its ``<title>`` and described by its
``<desc>``, which says every figure in words; the page puts a table of the same figures beside it.

Every trade's charts come from here (``web.programmes.charts`` the budgets, ``web.market.statistics`` the
technology market's figures, ``web.valuation.chart`` a patent's values); it imports no trade.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from xml.etree import ElementTree as ET

import pygal
from markupsafe import Markup
from pygal.style import Style

SVG = "{http://www.w3.org/2000/svg}"
FONT = '"PingFang SC","Microsoft YaHei","Noto Sans CJK SC","Source Han Sans SC",system-ui,sans-serif'
#: The series' colours in order (``/static/chart.css``): amber, green, grey (a budget's committed, disbursed,
#: remaining), then blue, red and slate (a patent's current and withdrawn assessments, their ranges).
COLOURS = ("#b45309", "#15803d", "#9ca3af", "#1f5fa8", "#c0392b", "#64748b")
STYLE = Style(
    background="transparent", plot_background="transparent", foreground="#1f2937", foreground_strong="#111827",
    foreground_subtle="#6b7280", colors=COLOURS, opacity="1", opacity_hover="1", transition="0s",
    font_family=FONT, label_font_size=12, major_label_font_size=12, legend_font_size=13, title_font_size=13,
    value_font_size=11, tooltip_font_size=11,
)
#: The viewBox's width: about a phone's, so text keeps its size at 390 px; wider screens cap it (chart.css).
WIDTH = 360


def _tag(element: ET.Element) -> str:
    tag = element.tag if isinstance(element.tag, str) else ""
    return tag.removeprefix(SVG)


def clean(key: str, title: str, description: str) -> Callable[[ET.Element], ET.Element]:
    """An xml filter: no script, no style, no inline style, no comment, ids unique on the page; the title
    and a description for assistive technology."""

    def apply(root: ET.Element) -> ET.Element:
        for parent in root.iter():
            for child in list(parent):
                tag, classes = _tag(child), child.get("class", "").split()
                if tag in ("", "script", "style") or "tooltip-overlay" in classes:  # "": a comment
                    parent.remove(child)  # pygal's script, its inline style and the tooltips its script shows
                elif tag == "title" and parent is root:
                    parent.remove(child)  # pygal's own ("Pygal" when the chart has no visible title)
                elif tag == "desc" and "label" in classes and "dots" in parent.get("class", "").split():
                    child.tag, child.attrib = "title", {}  # a point's label: its title, read aloud
                elif tag == "desc" and classes:
                    parent.remove(child)  # a bar's tooltip data (value, coordinates)
                elif child.get("id"):
                    child.set("id", f"{key}-{child.get('id')}")
        root.set("id", f"chart-{key}")
        root.set("role", "img")
        root.set("aria-labelledby", f"{key}-title {key}-desc")
        named = ET.Element("title", {"id": f"{key}-title"})
        named.text = title
        described = ET.Element("desc", {"id": f"{key}-desc"})
        described.text = description
        root.insert(0, described)
        root.insert(0, named)
        return root

    return apply


def bar_chart(*, key: str, title: str, description: str, labels: Sequence[str], values: Sequence[float],
              series: str, horizontal: bool, formatter: Callable[[float], str]) -> Markup:
    """One series of bars, one per label (``horizontal``: labels down the side, for long names); ``key``
    names the chart's ids, ``description`` reads the figures in words."""
    rows = max(len(labels), 1)
    config: dict[str, Any] = {
        "style": STYLE, "width": WIDTH, "height": 60 + 26 * rows if horizontal else 200,
        "explicit_size": False, "disable_xml_declaration": True, "js": [], "show_legend": False,
        "print_values": False, "include_x_axis": True, "margin": 8, "margin_right": 20, "margin_left": 8,
        "spacing": 8, "truncate_label": 14, "value_formatter": formatter, "show_minor_x_labels": True,
        "x_label_rotation": 0 if horizontal or rows <= 4 else 40, "y_labels_major_count": 4,
        "show_minor_y_labels": False,
    }
    chart = pygal.HorizontalBar(**config) if horizontal else pygal.Bar(**config)
    chart.x_labels = list(labels)
    chart.add(series, list(values))
    chart.add_xml_filter(clean(key, title, description))
    svg: str = chart.render(is_unicode=True)
    return Markup(svg)  # noqa: S704 - pygal escapes the texts it is given; no text comes from the request
