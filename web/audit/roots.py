"""The public page of daily roots: the audit chain's head at the end of each UTC day, to publish elsewhere."""

from __future__ import annotations

from datetime import UTC
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get
from litestar.params import Parameter
from litestar.response import Template

from projections.audit.chain import AuditChainQueries, DailyRoot
from web.context import page_context
from web.params import Offset
from web.state import WebState


class DailyRootItem(msgspec.Struct, frozen=True):
    """A day's root; ``final`` once its UTC day has ended (the current day's root moves with the chain head, so
    only a final root is worth publishing, and the auction verifiers use only final ones)."""

    day: str
    position: int
    hash: str
    final: bool = True


class DailyRootCollection(msgspec.Struct, frozen=True):
    items: list[DailyRootItem]
    total: int


def _items(web: WebState, roots: list[DailyRoot]) -> list[DailyRootItem]:
    today = web.services.app.clock.now().astimezone(UTC).date()
    newest = max((r.day for r in roots), default=None)
    return [DailyRootItem(r.day.isoformat(), r.position, r.hash, r.day < today or r.day != newest) for r in roots]


class DailyRootsController(Controller):
    """Anyone may read the daily roots: publishing them is what makes rewriting history detectable."""

    @get("/audit/roots", name="daily_roots", include_in_schema=False)
    async def page(self, request: Request[Any, Any, Any], web: WebState) -> Template:
        roots, total = await AuditChainQueries(web.pool).list_daily_roots(limit=366)
        return Template("audit/roots.html.jinja2",
                        context=page_context(request, roots=_items(web, roots), total=total))

    @get("/api/audit/roots", tags=["audit"], summary="Daily roots of the event log's hash chain (public)")
    async def api(
        self, web: WebState,
        limit: Annotated[int, Parameter(ge=1, le=1000, description="page size")] = 366, offset: Offset = 0,
    ) -> DailyRootCollection:
        roots, total = await AuditChainQueries(web.pool).list_daily_roots(limit=limit, offset=offset)
        return DailyRootCollection(_items(web, roots), total)
