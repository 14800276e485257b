"""Health of the read models: each one's position in the event log, the head, the lag, and where one stopped.

``GET /api/health`` is public: monitoring needs no account, and positions, lags and the position a
read model stopped at say nothing about the marketplace's business. The topic of that event and the
error text are shown only to platform admins and auditors (bearer token or session), because an
error can quote the event's content (a confidential price, a person's name). The answer is 200
even when a read model is stopped ("degraded"): the server still takes commands and serves the
other read models, so a load balancer must not take it out of service for that. ``/admin/health``
shows the same to platform admins.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import msgspec
from litestar import Controller, Request, get
from litestar.response import Template

from projections.shared.health import ReadModelStatus
from web.api_docs import OPTIONAL_BEARER
from web.context import Identity, page_context, session_identity
from web.identity import login_required
from web.state import WebState

ERROR_ROLES = ("platform_admin", "auditor")

# key: (中文, English)
LABELS: dict[str, tuple[str, str]] = {
    "health.title": ("读模型运行状况", "Read model health"),
    "health.explain": ("每个读模型在事件日志中处理到的位置。某个读模型无法应用某条事件时，仅该读模型停在此事件之前，"
                       "其余读模型与所有操作照常进行；它会定时重试，原因排除后自动恢复（也可运行 "
                       "marketplace status --retry 立即重试）。",
                       "Where each read model stands in the event log. A read model that cannot apply an event "
                       "stops just before it, alone: the others and every command go on. It is tried again "
                       "from time to time and resumes by itself once the cause is fixed (or at once with "
                       "marketplace status --retry)."),
    "health.head": ("事件日志最新位置：{head}", "Head of the event log: {head}"),
    "health.col.name": ("读模型", "Read model"),
    "health.col.position": ("已处理位置", "Position"),
    "health.col.lag": ("落后", "Lag"),
    "health.col.state": ("状态", "State"),
    "health.col.stopped_before": ("停止于位置", "Stopped before"),
    "health.col.topic": ("事件类型", "Event topic"),
    "health.col.since": ("起始时间（UTC）", "Since (UTC)"),
    "health.col.attempts": ("尝试次数", "Attempts"),
    "health.col.next_retry": ("下次重试（UTC）", "Next try (UTC)"),
    "health.col.error": ("错误", "Error"),
    "health.state.ok": ("正常", "OK"),
    "health.state.behind": ("追赶中", "Catching up"),
    "health.state.stopped": ("已停止", "Stopped"),
    "health.all_ok": ("所有读模型运行正常。", "Every read model is running."),
    "health.stopped_count": ("{count} 个读模型已停止。", "{count} read model(s) stopped."),
    "health.forbidden": ("此页面仅限平台管理员访问。", "This page is for platform admins only."),
}


class ReadModelHealthItem(msgspec.Struct, frozen=True, omit_defaults=True):
    """One read model: ``stopped`` at an event it cannot apply, ``behind`` the head, or ``ok``."""

    name: str
    state: Literal["ok", "behind", "stopped"]
    position: int
    lag: int
    stopped_before: int | None = None
    attempts: int | None = None
    failing_since: datetime | None = None
    next_retry_at: datetime | None = None
    topic: str | None = None  # platform admins and auditors only
    error: str | None = None  # platform admins and auditors only


class HealthReport(msgspec.Struct, frozen=True):
    """``degraded`` while any read model is stopped; ``head`` is the last position of the event log."""

    status: Literal["ok", "degraded"]
    head: int
    read_models: list[ReadModelHealthItem]


def _item(s: ReadModelStatus, with_errors: bool) -> ReadModelHealthItem:
    state: Literal["ok", "behind", "stopped"] = "stopped" if s.state == "stopped" else (
        "behind" if s.state == "behind" else "ok")
    return ReadModelHealthItem(
        s.name, state, s.position, s.lag, s.failed_position, s.attempts, s.failing_since, s.next_retry_at,
        s.topic if with_errors else None, s.error if with_errors else None)


def report(statuses: list[ReadModelStatus], with_errors: bool) -> HealthReport:
    stopped = any(s.state == "stopped" for s in statuses)
    head = max((s.head for s in statuses), default=0)
    return HealthReport("degraded" if stopped else "ok", head, [_item(s, with_errors) for s in statuses])


async def _current_roles(me: Identity | None, web: WebState) -> tuple[str, ...]:
    """The roles the user holds now (a session or token may predate a revocation)."""
    return (await web.with_current_roles(me)).roles if me is not None else ()


class HealthController(Controller):
    @get("/api/health", tags=["health"], summary="Each read model's position, lag and error (public; errors for"
                                                 " platform admins and auditors)", security=OPTIONAL_BEARER)
    async def api(self, request: Request[Any, Any, Any], web: WebState, maybe_me: Identity | None) -> HealthReport:
        me = maybe_me or session_identity(request)  # a monitoring page in a logged-in browser shows the errors too
        roles = await _current_roles(me, web)
        return report(await web.health.statuses(), with_errors=any(r in roles for r in ERROR_ROLES))

    @get("/admin/health", name="health", include_in_schema=False, guards=[login_required])
    async def page(self, request: Request[Any, Any, Any], web: WebState, me: Identity) -> Template:
        context = page_context(request)
        t = context["t"]
        if "platform_admin" not in await _current_roles(me, web):
            return Template("errors/error.html.jinja2", status_code=403,
                            context=page_context(request, status=403, message=t("health.forbidden")))
        health = report(await web.health.statuses(), with_errors=True)
        context.update(t=t, health=health, stopped=sum(m.state == "stopped" for m in health.read_models))
        return Template("admin/health.html.jinja2", context=context)
