"""Audit pages and API: the event log, a record's history with diffs, and a listing as it stood at an instant.

The event log reads the ``audit_log`` read model; history and as-of states are replayed from
the event store in a worker thread. Auditors and platform admins may read everything; every
such read of a confidential record (any record's history or past state, a listing while it
was a draft) is recorded as an ``AuditRead.Recorded`` event (and projected into ``audit_reads``).
"""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime, time
from typing import Annotated, Any
from urllib.parse import urlencode
from uuid import NAMESPACE_URL, UUID, uuid5

import msgspec
from litestar import Controller, Request, get
from litestar.exceptions import NotAuthorizedException, NotFoundException
from litestar.params import Parameter
from litestar.response import Redirect, Template

from domain.shared.errors import PermissionDeniedError, ValidationError
from marketplace.audit.replay import HistoryEntry, ListingAsOf, as_utc, history, listing_as_of, state_at
from projections.audit.log import (
    KNOWN_AGGREGATE_TYPES,
    KNOWN_EVENT_TYPES,
    AuditEvent,
    AuditFilters,
    AuditLogQueries,
    AuditReads,
)
from projections.catalogue.queries import ListingDetail, ListingItem, PatentRecord, StatusChange
from web.access import record_read
from web.api_docs import BEARER
from web.catalogue.pages import ipc_titles
from web.context import Identity, bearer_identity, page_context, session_identity
from web.params import MAX_OFFSET, MAX_VERSION, Version, page_number, whole_number
from web.state import WebState

PAGE_SIZE = 50
# The event log shows every record's events (offer prices among them): a read of it is recorded like a
# read of one record, under this id, with the filters in the page address.
EVENT_LOG_ID = uuid5(NAMESPACE_URL, "urn:marketplace:audit:event-log")
EVENT_LOG_TYPE = "EventLog"
AUDIT_ROLES = ("auditor", "platform_admin")
PUBLIC_LISTING_STATUSES = ("published", "suspended", "withdrawn")
FILTER_KEYS = ("aggregate_type", "event_type", "aggregate_id", "organisation_id", "actor", "since", "until")

# key: (中文, English). Kept here until they move to web/i18n.py; other keys fall through to it.
LABELS: dict[str, tuple[str, str]] = {
    "nav.audit": ("审计", "Audit"),
    "audit.events.title": ("审计 · 事件日志", "Audit · event log"),
    "audit.events.total": ("共 {total} 条事件", "{total} events"),
    "audit.events.none": ("没有符合条件的事件。", "No events match."),
    "audit.filter.aggregate_type": ("记录类型", "Record type"),
    "audit.filter.event_type": ("事件类型", "Event type"),
    "audit.filter.aggregate_id": ("记录 ID", "Record id"),
    "audit.filter.organisation_id": ("机构 ID", "Organisation id"),
    "audit.filter.actor": ("操作人 ID", "Actor id"),
    "audit.filter.since": ("起始时间（UTC）", "From (UTC)"),
    "audit.filter.until": ("截止时间（UTC）", "Until (UTC)"),
    "audit.filter.any": ("全部", "Any"),
    "audit.filter.apply": ("筛选", "Filter"),
    "audit.filter.clear": ("清除筛选", "Clear filters"),
    "audit.filter.invalid": ("已忽略无效的筛选值：{fields}", "Invalid filter values ignored: {fields}"),
    "audit.col.position": ("序号", "#"),
    "audit.col.time": ("时间（UTC）", "Time (UTC)"),
    "audit.col.actor": ("操作人", "Actor"),
    "audit.col.record": ("记录", "Record"),
    "audit.col.organisations": ("相关机构", "Organisations"),
    "audit.col.event": ("事件", "Event"),
    "audit.col.summary": ("摘要", "Summary"),
    "audit.col.version": ("版本", "Version"),
    "audit.col.changes": ("变更（变更前 → 变更后）", "Changes (before → after)"),
    "audit.col.reader": ("查阅人", "Reader"),
    "audit.col.page": ("页面", "Page"),
    "audit.history.title": ("记录历史", "Record history"),
    "audit.history.state": ("第 {version} 版的状态", "State at version {version}"),
    "audit.history.show": ("查看此版本", "Show this version"),
    "audit.history.buyer_saw": ("买方当时所见", "What a buyer saw"),
    "audit.history.in_log": ("在事件日志中查看", "In the event log"),
    "audit.history.reads": ("审计查阅记录", "Audit reads of this record"),
    "audit.history.no_reads": ("尚无审计查阅记录。", "No audit reads yet."),
    "audit.history.recorded": ("本次查阅已记录。", "This read has been recorded."),
    "audit.asof.banner": ("此页面为该挂牌在 {when} 时的状态（挂牌第 {version} 版），并非当前状态。",
                          "As it stood at {when} (listing version {version}); this is not the current page."),
    "audit.asof.current": ("查看当前页面", "See the current page"),
    "audit.asof.history": ("完整历史", "Full history"),
    "audit.actor.none": ("（未记录）", "(not recorded)"),
    "audit.type.Listing": ("挂牌", "Listing"),
    "audit.type.Patent": ("专利", "Patent"),
    "audit.type.Organisation": ("机构", "Organisation"),
    "audit.type.User": ("用户", "User"),
    "audit.forbidden": ("此页面仅限审计员或平台管理员访问。", "This page needs the role auditor or platform_admin."),
}

Limit = Annotated[int, Parameter(ge=1, le=500, description="page size")]
Offset = Annotated[int, Parameter(ge=0, le=MAX_OFFSET, description="rows to skip")]


def shown(value: Any, limit: int = 300) -> str:
    """A value of a diff or state as a person reads it: text as is, the rest as compact JSON."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def utc(moment: datetime | None) -> str:
    """An instant in UTC to the second, as the audit pages show times."""
    return "" if moment is None else as_utc(moment).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def audit_context(request: Request[Any, Any, Any], **values: Any) -> dict[str, Any]:
    return page_context(request, shown=shown, utc=utc, **values)


def can_audit(me: Identity | None) -> bool:
    return me is not None and any(me.has(role) for role in AUDIT_ROLES)


def parse_instant(text: str, *, end_of_day: bool = False, field: str = "at") -> datetime:
    """An ISO 8601 date or time; UTC without an offset; a bare date is its start (or its end)."""
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            moment = datetime.combine(day, time.max if end_of_day else time.min)
        else:
            moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"{field}: {text!r} is not an ISO 8601 time such as 2024-05-01T08:00:00+08:00",
                              field=field) from None
    return as_utc(moment)


def _page_filters(request: Request[Any, Any, Any]) -> tuple[AuditFilters, dict[str, str], int, list[str]]:
    params = {k: request.query_params.get(k, "").strip() for k in FILTER_KEYS}
    active = {k: v for k, v in params.items() if v}
    values: dict[str, Any] = {}
    invalid: list[str] = []
    for key, text in active.items():
        try:
            if key in ("aggregate_id", "organisation_id", "actor"):
                values[key] = UUID(text)
            elif key in ("since", "until"):
                values[key] = parse_instant(text, end_of_day=key == "until", field=key)
            else:
                values[key] = text[:100]
        except (ValueError, ValidationError):
            invalid.append(key)
    page = page_number(request.query_params.get("page"))
    return AuditFilters(**values, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE), active, page, invalid


def _forbidden(request: Request[Any, Any, Any]) -> Template:
    t = page_context(request)["t"]
    return Template("errors/error.html.jinja2", status_code=403,
                    context=page_context(request, status=403, message=t("audit.forbidden")))


async def _auditor_page(request: Request[Any, Any, Any], web: WebState) -> Identity | Redirect | Template:
    """The auditor behind a page request; else a redirect to log in, or a 403 page."""
    me = session_identity(request)
    if me is None:
        return Redirect(f"/login?next={request.url.path}", status_code=303)
    me = await web.with_current_roles(me)
    return me if can_audit(me) else _forbidden(request)


async def _auditor_api(request: Request[Any, Any, Any], web: WebState) -> Identity:
    me = bearer_identity(request, web.services.settings.secret_key)
    if me is None:
        raise NotAuthorizedException("authorization: send 'Authorization: Bearer <token>' (POST /api/auth/token)")
    me = await web.with_current_roles(me)
    if not can_audit(me):
        raise PermissionDeniedError("this needs the role auditor or platform_admin")
    return me


def _when(request: Request[Any, Any, Any]) -> tuple[datetime | None, int | None]:
    """``?at=`` or ``?version=`` of a page (both at once is refused)."""
    at_text = request.query_params.get("at", "").strip()
    version_text = request.query_params.get("version", "").strip()
    if at_text and version_text:
        raise ValidationError("version: give either a version or an instant (at), not both", field="version")
    version = whole_number(version_text, MAX_VERSION)
    if version_text and version is None:
        raise ValidationError(f"version: must be a whole number up to {MAX_VERSION}", field="version")
    return (parse_instant(at_text) if at_text else None), version


def listing_detail(a: ListingAsOf) -> ListingDetail:
    """The facts of the live listing page, from the listing and patent as they stood at ``a.instant``."""
    listing, patent, terms = a.listing, a.patent, a.listing.terms
    open_licence = terms.get("open_licence")
    price = terms.get("asking_price")
    if price is None and open_licence is not None:
        price = open_licence["fee"]
    item = ListingItem(
        id=listing.id, patent_id=listing.patent_id, title=patent.title_zh or patent.title_en,
        title_zh=patent.title_zh, title_en=patent.title_en, status=listing.status,
        deal_types=list(terms["deal_types"]), price_mode=terms["price_mode"], asking_price=terms.get("asking_price"),
        price_amount=price, currency=terms.get("currency", "CNY"), maturity=terms["maturity"], trl=terms.get("trl"),
        organisation_id=listing.organisation_id, organisation_name=a.organisation_name,
        jurisdiction=patent.jurisdiction, patent_number=patent.publication_number or patent.application_number or "",
        patent_type=patent.patent_type, legal_status=patent.legal_status, ipc_codes=list(patent.ipc_codes),
        keywords=list(terms.get("keywords", [])), published_at=a.published_at, updated_at=listing.modified_on,
        version=listing.version,
    )
    record = PatentRecord(
        id=patent.id, jurisdiction=patent.jurisdiction, application_number=patent.application_number,
        publication_number=patent.publication_number, patent_type=patent.patent_type, title_zh=patent.title_zh,
        title_en=patent.title_en, abstract_zh=patent.abstract_zh, abstract_en=patent.abstract_en,
        ipc_codes=list(patent.ipc_codes), filing_date=_day(patent.filing_date),
        publication_date=_day(patent.publication_date), grant_date=_day(patent.grant_date),
        expiry_date=_day(patent.expiry_date), legal_status=patent.legal_status, owners=list(patent.owners),
        inventors=list(patent.inventors), public_funding=patent.public_funding, source="",
        active_listing_id=patent.active_listing_id, registered_at=patent.created_on, version=patent.version,
    )
    history_rows = [StatusChange(s.version, s.legal_status, s.effective_date, s.reason, s.recorded_at)
                    for s in a.status_history]
    return ListingDetail(listing=item, advantages=terms.get("advantages", ""),
                         applications=terms.get("applications", ""), open_licence=open_licence,
                         drafted_at=a.drafted_at, patent=record, status_history=history_rows)


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


# --- API shapes -----------------------------------------------------------------------------


class AuditEventCollection(msgspec.Struct, frozen=True):
    items: list[AuditEvent]
    total: int


class HistoryItem(msgspec.Struct, frozen=True):
    """One event of a record; ``changes`` maps each changed field to ``[before, after]``."""

    version: int
    event_type: str
    timestamp: datetime
    actor: UUID | None
    actor_name: str | None
    changes: dict[str, list[Any]]


class AggregateHistory(msgspec.Struct, frozen=True):
    aggregate_id: UUID
    aggregate_type: str
    history: list[HistoryItem]


class AggregateStateView(msgspec.Struct, frozen=True):
    """A record as it stood at ``version`` (secrets redacted); ``as_of`` is the instant asked for, if any."""

    aggregate_id: UUID
    aggregate_type: str
    version: int
    created_on: datetime
    modified_on: datetime
    as_of: datetime | None
    state: dict[str, Any]


def _items(entries: list[HistoryEntry], names: dict[UUID, str]) -> list[HistoryItem]:
    return [HistoryItem(e.version, e.event_type, e.timestamp, e.actor, names.get(e.actor) if e.actor else None,
                        {k: list(v) for k, v in e.changes.items()}) for e in entries]


def _type_of(entries: list[HistoryEntry]) -> str:
    return entries[0].event_type.split(".", 1)[0]


class AuditController(Controller):
    """The auditor's pages (``/audit/…``), the as-of listing page, and the audit API (``/api/audit/…``)."""

    include_in_schema = False

    # --- pages ------------------------------------------------------------------------------
    @get("/audit/events", name="audit_events")
    async def events(self, request: Request[Any, Any, Any], web: WebState) -> Template | Redirect:
        me = await _auditor_page(request, web)
        if not isinstance(me, Identity):
            return me
        filters, active, page, invalid = _page_filters(request)
        await record_read(request, web, me, EVENT_LOG_ID, EVENT_LOG_TYPE)
        items, total = await AuditLogQueries(web.pool).list_and_count(filters)
        pages = max(1, math.ceil(total / PAGE_SIZE))

        def link(**change: Any) -> str:
            merged = {**active, **{k: str(v) for k, v in change.items() if v is not None}}
            return "/audit/events" + ("?" + urlencode(merged) if merged else "")

        partial = request.headers.get("hx-request") == "true" and request.headers.get("hx-target") == "audit-results"
        template = "audit/partials/events.html.jinja2" if partial else "audit/events.html.jinja2"
        return Template(template, context=audit_context(
            request, items=items, total=total, page=page, pages=pages, active=active, link=link, invalid=invalid,
            aggregate_types=KNOWN_AGGREGATE_TYPES, event_types=KNOWN_EVENT_TYPES))

    @get("/audit/aggregates/{aggregate_id:uuid}", name="audit_aggregate")
    async def aggregate(
        self, aggregate_id: UUID, request: Request[Any, Any, Any], web: WebState
    ) -> Template | Redirect:
        me = await _auditor_page(request, web)
        if not isinstance(me, Identity):
            return me
        at, version = _when(request)
        entries = await web.run(history, web.services.app, aggregate_id)
        state = None
        if at is not None or version is not None:
            state = await web.run(state_at, web.services.app, aggregate_id, version=version, at=at)
        kind = _type_of(entries)
        await record_read(request, web, me, aggregate_id, kind, version=version, as_of=at)
        queries = AuditLogQueries(web.pool)
        names = await queries.actor_names([e.actor for e in entries if e.actor is not None])
        reads = await AuditReads(web.pool).for_aggregate(aggregate_id)
        return Template("audit/history.html.jinja2", context=audit_context(
            request, aggregate_id=aggregate_id, kind=kind, entries=list(reversed(entries)), names=names,
            state=state, at=at, reads=reads))

    @get("/listings/{listing_id:uuid}/as-of", name="listing_as_of")
    async def listing_as_of_page(self, listing_id: UUID, request: Request[Any, Any, Any], web: WebState) -> Template:
        at, version = _when(request)
        seen = await web.run(listing_as_of, web.services.app, listing_id, at=at, version=version)
        me = session_identity(request)
        if seen.listing.status not in PUBLIC_LISTING_STATUSES:
            own = me is not None and me.organisation_id == seen.listing.organisation_id
            if not (own or can_audit(me)):
                raise NotFoundException(f"listing_id: no listing with id {listing_id}")
            if me is not None and can_audit(me):
                await record_read(request, web, me, listing_id, "Listing", version=seen.listing.version,
                                  as_of=seen.instant)
        detail = listing_detail(seen)
        return Template("audit/listing_as_of.html.jinja2", context=audit_context(
            request, d=detail, seen=seen, ipc=ipc_titles(web, detail.patent.ipc_codes), can_edit=False,
            audit=can_audit(me)))

    # --- API --------------------------------------------------------------------------------
    @get("/api/audit/events", include_in_schema=True, tags=["audit"],
         summary="The event log, newest first, filtered (auditors and platform admins)", security=BEARER)
    async def api_events(
        self, request: Request[Any, Any, Any], web: WebState, aggregate_type: str | None = None,
        aggregate_id: UUID | None = None, organisation_id: UUID | None = None, actor: UUID | None = None,
        event_type: str | None = None, since: datetime | None = None, until: datetime | None = None,
        limit: Limit = 50, offset: Offset = 0,
    ) -> AuditEventCollection:
        me = await _auditor_api(request, web)
        await record_read(request, web, me, EVENT_LOG_ID, EVENT_LOG_TYPE)
        filters = AuditFilters(
            aggregate_type=aggregate_type, aggregate_id=aggregate_id, organisation_id=organisation_id, actor=actor,
            event_type=event_type, since=as_utc(since) if since else None, until=as_utc(until) if until else None,
            limit=limit, offset=offset)
        items, total = await AuditLogQueries(web.pool).list_and_count(filters)
        return AuditEventCollection(items, total)

    @get("/api/audit/aggregates/{aggregate_id:uuid}", include_in_schema=True, tags=["audit"],
         summary="A record's history from the event store: each event with actor, time and changed fields",
         security=BEARER)
    async def api_history(self, aggregate_id: UUID, request: Request[Any, Any, Any], web: WebState) -> AggregateHistory:
        me = await _auditor_api(request, web)
        entries = await web.run(history, web.services.app, aggregate_id)
        await record_read(request, web, me, aggregate_id, _type_of(entries))
        names = await AuditLogQueries(web.pool).actor_names([e.actor for e in entries if e.actor is not None])
        return AggregateHistory(aggregate_id, _type_of(entries), _items(entries, names))

    @get("/api/audit/aggregates/{aggregate_id:uuid}/state", include_in_schema=True, tags=["audit"],
         summary="A record as it stood at a version or an instant (now without either), from the event store",
         security=BEARER)
    async def api_state(
        self, aggregate_id: UUID, request: Request[Any, Any, Any], web: WebState, at: datetime | None = None,
        version: Version = None,
    ) -> AggregateStateView:
        me = await _auditor_api(request, web)
        at = as_utc(at) if at else None
        s = await web.run(state_at, web.services.app, aggregate_id, version=version, at=at)
        await record_read(request, web, me, aggregate_id, s.aggregate_type, version=version, as_of=at)
        return AggregateStateView(s.aggregate_id, s.aggregate_type, s.version, s.created_on, s.modified_on, at,
                                  s.state)

