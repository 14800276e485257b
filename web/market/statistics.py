"""The technology-market statistics (技术市场统计): ``GET /statistics``, its CSVs and ``GET /api/statistics``.

Public: the figures of contracts in force (``projections.market.statistics_queries``), by period, technical
field, region, type, seller kind and registration status. Four are charted (volume over time, by field, by
seller's region, by contract type) by the site's chart kernel (``web.charts``, pygal), each beside its table
and with a CSV download; the other groupings are tables. The page and the JSON answer carry the same figures.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import msgspec
from litestar import Controller, Request, get
from litestar.exceptions import NotFoundException
from litestar.response import Response, Template
from markupsafe import Markup

from projections.market.statistics_queries import (
    DIMENSIONS,
    UNKNOWN,
    Dimension,
    Period,
    StatisticRow,
    StatisticsQueries,
)
from web.charts import bar_chart
from web.context import language_of, page_context
from web.formats import money
from web.i18n import vocabulary_of
from web.state import WebState

#: The charted groupings, in the page's order, and whether their bars lie down (long names).
CHARTS: dict[Dimension, bool] = {"period": False, "ipc_section": True, "seller_region": True, "deal_kind": True}


class StatisticGroup(msgspec.Struct, frozen=True, kw_only=True):
    """The figures by one dimension: each row a group (``key`` a code: ``2026-03``, ``A``, ``350000``,
    ``assignment``…, ``unknown`` when the log does not say); amounts in fen."""

    dimension: Dimension
    rows: list[StatisticRow]


class Statistics(msgspec.Struct, frozen=True, kw_only=True):
    """The technology market's figures: contracts in force, their amount and the technology income
    registered (fen), in total and by every dimension; periods are Beijing-time months, quarters or years."""

    period: Period
    total: StatisticRow
    groups: list[StatisticGroup]


async def load_statistics(queries: StatisticsQueries, period: Period) -> Statistics:
    return Statistics(period=period, total=await queries.total(),
                      groups=[StatisticGroup(dimension=d, rows=await queries.by(d, period)) for d in DIMENSIONS])


def key_label(dimension: str, key: str, t: Any) -> str:
    """A group's name as the reader reads it (codes the vocabulary names, others as they are)."""
    if key == UNKNOWN:
        return str(t("stats.unknown"))
    label = {"ipc_section": f"ipc.{key}", "seller_region": f"stats.region.{key}",
             "buyer_region": f"stats.region.{key}", "deal_kind": f"deal.{key}",
             "contract_type": f"techreg.type.{key}", "seller_kind": f"kind.{key}",
             "registration_status": f"stats.registration.{key}"}.get(dimension)
    if label is None:
        return key
    named = str(t(label))
    return key if named == label else named


def chart_of(group: StatisticGroup, lang: str, t: Any) -> Markup:
    labels = [key_label(group.dimension, r.key, t) for r in group.rows]
    described = "; ".join(
        t("stats.chart.desc", label=label, contracts=r.contracts, amount=money(r.amount, lang))
        for label, r in zip(labels, group.rows, strict=True)
    )
    return bar_chart(key=f"stats-{group.dimension}", title=t(f"stats.dim.{group.dimension}"),
                     description=described or t("stats.none"), labels=labels,
                     values=[r.amount / 100 for r in group.rows], series=t("stats.chart.unit"),
                     horizontal=CHARTS[group.dimension], formatter=lambda v: f"{v:,.0f}")


def _cell(value: str) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def group_csv(group: StatisticGroup, t: Any) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([t(f"stats.key.{group.dimension}"), "key", t("stats.contracts"), f"{t('stats.amount')} (CNY)",
                     f"{t('stats.technology_income')} (CNY)"])
    for r in group.rows:
        writer.writerow([_cell(key_label(group.dimension, r.key, t)), _cell(r.key), r.contracts,
                         f"{Decimal(r.amount) / 100:.2f}", f"{Decimal(r.technology_income) / 100:.2f}"])
    return "\ufeff" + out.getvalue()


class MarketStatisticsController(Controller):
    """The public statistics page (``include_in_schema`` off), its CSVs and its JSON answer."""

    @get("/statistics", name="market_statistics", include_in_schema=False)
    async def page(self, request: Request[Any, Any, Any], web: WebState, period: Period = "month") -> Template:
        s = await load_statistics(StatisticsQueries(web.pool), period)
        context = page_context(request, s=s, charted=tuple(CHARTS), key_label=key_label)
        lang, t = context["lang"], context["t"]
        charts = {g.dimension: chart_of(g, lang, t) for g in s.groups if g.dimension in CHARTS and g.rows}
        return Template("market/statistics.html.jinja2", context={**context, "charts": charts})

    @get("/statistics/csv/{dimension:str}", name="market_statistics_csv", include_in_schema=False)
    async def csv(self, request: Request[Any, Any, Any], web: WebState, dimension: str,
                  period: Period = "month") -> Response[str]:
        if dimension not in DIMENSIONS:
            raise NotFoundException(f"dimension: no statistics by {dimension[:40]!r}")
        dim: Dimension = dimension
        group = StatisticGroup(dimension=dim, rows=await StatisticsQueries(web.pool).by(dim, period))
        t = vocabulary_of(request).translator(language_of(request))
        return Response(group_csv(group, t), media_type="text/csv; charset=utf-8", headers={
            "Content-Disposition": f'attachment; filename="statistics-{dim}-{period}.csv"'})

    @get("/api/statistics", tags=["market"],
         summary="Technology-market statistics: contracts in force, amount and technology income by dimension")
    async def answer(self, web: WebState, period: Period = "month") -> Statistics:
        return await load_statistics(StatisticsQueries(web.pool), period)
