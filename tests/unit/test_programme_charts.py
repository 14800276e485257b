"""The budget chart (pygal, inline SVG): nothing the Content-Security-Policy refuses, ids unique per programme,
named and described for screen readers; ``/static/chart.css`` is what pygal would have inlined."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

import web
from web.programmes.charts import budget_chart, chart_css

SVG = "{http://www.w3.org/2000/svg}"


def chart(key: str = "budget-1", amounts: tuple[int, int, int] = (100, 250, 650), budget: int = 1000) -> ET.Element:
    svg = budget_chart(key=key, title="计划 <甲> & 乙", legend=("已承诺", "已拨付", "剩余"), amounts=amounts,
                       budget=budget, description="预算 10 元")
    return ET.fromstring(str(svg))


def test_the_chart_is_an_image_named_and_described_with_no_script_nor_inline_style() -> None:
    root = chart()
    assert (root.get("role"), root.get("aria-labelledby")) == ("img", "budget-1-title budget-1-desc")
    assert root.find(f"{SVG}title").text == "计划 <甲> & 乙"  # type: ignore[union-attr]
    assert root.find(f"{SVG}desc").text == "预算 10 元"  # type: ignore[union-attr]
    tags = {e.tag.removeprefix(SVG) for e in root.iter() if isinstance(e.tag, str)}
    assert not tags & {"script", "style", "foreignObject"}
    assert not [e for e in root.iter() if e.get("style")]
    assert len([e for e in root.iter() if e.tag == f"{SVG}title"]) == 1
    ids = [str(e.get("id")) for e in root.iter() if e.get("id")]
    assert all(i.startswith(("chart-budget-1", "budget-1-")) for i in ids), ids
    assert len(ids) == len(set(ids))


def test_bars_are_shares_of_the_budget_and_an_empty_budget_draws_none() -> None:
    widths = [float(r.get("width", 0)) for r in chart().iter(f"{SVG}rect") if "reactive" in r.get("class", "")
              and "rect" in r.get("class", "")]
    assert widths[1] / widths[0] == pytest.approx(2.5)
    assert widths[2] / widths[0] == pytest.approx(6.5)
    empty = chart(amounts=(0, 0, 0), budget=0)
    assert empty.get("role") == "img"


def test_the_static_stylesheet_is_what_pygal_would_inline() -> None:
    stylesheet = Path(web.__file__).parent / "static" / "chart.css"
    assert stylesheet.read_text(encoding="utf-8") == chart_css(), "regenerate web/static/chart.css with chart_css()"
    assert "#chart-" not in chart_css()
