"""The programme officer's dashboard: ``GET /programmes/dashboard`` and ``GET /api/programmes/dashboard``.

A programme officer sees its own department's programmes (drafts too); a platform admin sees every
department's. Anyone else is refused (403). The page and the JSON answer the same :class:`Dashboard`.

**The dashboard is a list of sections** (:data:`SECTIONS`), each a partial template shown in that order.
To add one (as the innovation vouchers' queue and the overdue conversions were):

1. load its rows in :func:`load_dashboard` into a new field of :class:`Dashboard`, with a default
   (``msgspec.field(default_factory=list)``), so that the JSON answer only grows;
2. write its partial ``programmes/dashboard/<key>.html.jinja2`` (it reads ``d``, the dashboard);
3. append ``Section("<key>")`` to :data:`SECTIONS` and give ``dashboard.section.<key>`` its zh/en heading
   in ``web/programmes/labels.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal
from uuid import UUID

import msgspec
from litestar import Controller, Request, get
from litestar.response import Template
from markupsafe import Markup

from domain.shared.errors import PermissionDeniedError
from projections.market.statistics_queries import StatisticsQueries
from projections.programmes.conversion_queries import ConversionRow, ConversionsQueries
from projections.programmes.queries import (
    ClaimRow,
    ProgrammeFigures,
    ProgrammeRow,
    ProgrammesQueries,
    RedemptionRow,
)
from web.api_docs import BEARER
from web.context import Identity, page_context
from web.formats import money
from web.identity import login_required
from web.market.statistics import CHARTS, key_label, load_statistics
from web.market.statistics import chart_of as statistics_chart
from web.programmes.charts import budget_chart
from web.state import WebState

#: The aim for the days from a deal's payment to the award's disbursement (Xiamen settles quarterly).
AIM_DAYS = 30
TO_REVIEW, TO_PAY, OWED_BACK = ("submitted",), ("approved",), ("recovery_due",)


class Budget(msgspec.Struct, frozen=True, kw_only=True):
    """One programme's budget: committed (approved, not paid yet), disbursed and remaining, in fen."""

    programme_id: UUID
    organisation_id: UUID
    organisation_name: str
    name_zh: str
    name_en: str
    kind: str
    status: str
    budget: int
    committed: int
    disbursed: int
    remaining: int

    @classmethod
    def of(cls, p: ProgrammeRow) -> Budget:
        return cls(programme_id=p.id, organisation_id=p.organisation_id, organisation_name=p.organisation_name,
                   name_zh=p.name_zh, name_en=p.name_en, kind=p.kind, status=p.status, budget=p.budget,
                   committed=p.committed, disbursed=p.disbursed, remaining=p.remaining)


class Dashboard(msgspec.Struct, frozen=True, kw_only=True):
    """What awaits a programme officer: the budgets of the department's programmes (``scope`` ``department``)
    or of every programme (``all``, a platform admin), the claims to review, to pay and owed back (oldest
    first, at most 100 each), and the figures: claims by status and the median days from payment to
    disbursement against the aim of ``aim_days``."""

    scope: Literal["department", "all"]
    programmes: list[Budget]
    to_review: list[ClaimRow]
    to_pay: list[ClaimRow]
    owed_back: list[ClaimRow]
    figures: ProgrammeFigures
    aim_days: int = AIM_DAYS
    #: Innovation vouchers spent on payments: the voucher parts to settle (the buyer's part received) and
    #: those owed back after a refund, oldest first.
    vouchers_to_settle: list[RedemptionRow] = msgspec.field(default_factory=list)
    #: Funded patents overdue for conversion under the department's conversion programmes, longest overdue
    #: first (at most 100; the whole queue is at ``/conversions``).
    overdue_conversions: list[ConversionRow] = msgspec.field(default_factory=list)
    #: The share of the issued voucher value spent within validity (basis points; none before any is issued).
    voucher_redeemed_share_bp: int | None = None


@dataclass(frozen=True)
class Section:
    """A part of the dashboard page: its partial ``programmes/dashboard/<key>.html.jinja2``, its element id
    ``dashboard-<key>`` and its heading ``dashboard.section.<key>``."""

    key: str

    @property
    def template(self) -> str:
        return f"programmes/dashboard/{self.key}.html.jinja2"


#: The dashboard's sections, in page order (see above to add one).
SECTIONS: tuple[Section, ...] = (Section("budgets"), Section("claims"), Section("vouchers"), Section("conversions"),
                                 Section("figures"), Section("statistics"))


async def dashboard_scope(web: WebState, me: Identity) -> UUID | None:
    """The department whose programmes ``me`` oversees, ``None`` for a platform admin (every programme);
    refused for anyone else (roles as held now)."""
    current = await web.with_current_roles(me)
    if current.has("platform_admin"):
        return None
    if current.has("programme_officer"):
        return me.organisation_id
    raise PermissionDeniedError("this needs the role programme_officer", code="programme.officer")


async def load_dashboard(programmes: ProgrammesQueries, organisation_id: UUID | None) -> Dashboard:
    """One query per part: the programmes, each queue, the figures."""
    conversions = ConversionsQueries(programmes.pool)
    rows = await programmes.programmes(organisation_id=organisation_id)
    return Dashboard(
        scope="all" if organisation_id is None else "department",
        programmes=[Budget.of(p) for p in rows],  # a conversion programme's shows a note, no chart (no budget)
        to_review=await programmes.claims_queue(organisation_id, TO_REVIEW),
        to_pay=await programmes.claims_queue(organisation_id, TO_PAY),
        owed_back=await programmes.claims_queue(organisation_id, OWED_BACK),
        figures=await programmes.department_figures(organisation_id),
        vouchers_to_settle=await programmes.redemptions_to_settle(organisation_id),
        overdue_conversions=await conversions.overdue_of(organisation_id),
        voucher_redeemed_share_bp=await programmes.department_redeemed_share(organisation_id),
    )


def chart_of(b: Budget, lang: str, t: Any) -> Markup:
    """The budget's chart, its description reading every amount."""
    name = b.name_en if lang == "en" and b.name_en else b.name_zh
    legend = (t("programme.committed"), t("programme.disbursed"), t("programme.remaining"))
    amounts = (b.committed, b.disbursed, b.remaining)
    described = t("dashboard.chart.desc", budget=money(b.budget, lang),
                  **dict(zip(("committed", "disbursed", "remaining"), (money(a, lang) for a in amounts), strict=True)))
    return budget_chart(key=f"budget-{b.programme_id}", title=t("dashboard.chart.title", name=name), legend=legend,
                        amounts=amounts, budget=b.budget, description=described)


class ProgrammeDashboardController(Controller):
    """The dashboard page (``include_in_schema`` off) and its JSON answer; a refusal is answered by the
    site's handler (403, as a page or as JSON)."""

    guards = [login_required]  # noqa: RUF012 - litestar declares it as an instance attribute

    @get("/programmes/dashboard", name="programme_dashboard", include_in_schema=False)
    async def page(self, request: Request[Any, Any, Any], web: WebState, me: Identity,
                   programmes: ProgrammesQueries) -> Template:
        d = await load_dashboard(programmes, await dashboard_scope(web, me))
        context = page_context(request, d=d, sections=SECTIONS)
        # A conversion programme has no budget (deadlines, no awards): no empty chart for it.
        charts = {b.programme_id: chart_of(b, context["lang"], context["t"]) for b in d.programmes if b.budget}
        # The technology market's figures (the public statistics' read model and charts): volume over time, by
        # field, by region and by type, each with its table and CSV; the JSON is ``/api/statistics``.
        stats = await load_statistics(StatisticsQueries(web.pool), "month")
        stat_groups = [g for g in stats.groups if g.dimension in CHARTS]
        stat_charts = {g.dimension: statistics_chart(g, context["lang"], context["t"]) for g in stat_groups if g.rows}
        return Template("programmes/dashboard.html.jinja2", context={
            **context, "charts": charts, "stats": stats, "stat_groups": stat_groups, "stat_charts": stat_charts,
            "key_label": key_label})

    @get("/api/programmes/dashboard", tags=["programmes"], security=BEARER,
         summary="The programme officer's dashboard: budgets, claims to review and to pay, figures")
    async def answer(self, web: WebState, me: Identity, programmes: ProgrammesQueries) -> Dashboard:
        return await load_dashboard(programmes, await dashboard_scope(web, me))
