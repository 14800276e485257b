"""Audit pages: the event log, a record's history with diffs, and a listing as it stood at an instant.

The event log reads the ``audit_log`` read model; history and as-of states are replayed from
the event store in a worker thread. Auditors and platform admins may read everything; every
such read of a confidential record (any record's history or past state, a listing while it
was a draft) is recorded as an ``AuditRead.Recorded`` event (and projected into ``audit_reads``).
"""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, date, datetime, time, tzinfo
from typing import Annotated, Any
from urllib.parse import urlencode
from uuid import NAMESPACE_URL, UUID, uuid5

from litestar import Controller, Request, get
from litestar.exceptions import NotFoundException
from litestar.params import Parameter
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from domain.shared.errors import ValidationError
from marketplace.audit.listing_page import ListingAsOf, listing_as_of
from marketplace.audit.replay import HistoryEntry, as_utc, history, state_at
from marketplace.platform.application import Marketplace
from projections.audit.log import KNOWN_AGGREGATE_TYPES, KNOWN_EVENT_TYPES
from projections.audit.queries import AuditEvent, AuditFilters, AuditLogQueries, AuditReads, payloads, record_names
from projections.catalogue.queries import ListingDetail, ListingItem, PatentRecord, StatusChange
from web.access import record_read
from web.audit.readable import BEIJING, Reader, beijing, raw_json
from web.catalogue.ipc import ipc_titles
from web.context import Identity, language_of, page_context
from web.i18n import vocabulary_of
from web.identity import login_required
from web.params import MAX_OFFSET, MAX_VERSION, page_number, whole_number
from web.state import WebState

PAGE_SIZE = 50
# The event log shows every record's events (offer prices among them): a read of it is recorded like a
# read of one record, under this id, with the filters in the page address.
EVENT_LOG_ID = uuid5(NAMESPACE_URL, "urn:marketplace:audit:event-log")
EVENT_LOG_TYPE = "EventLog"
AUDIT_ROLES = ("auditor", "platform_admin")
PUBLIC_LISTING_STATUSES = ("published", "suspended", "withdrawn")
FILTER_KEYS = ("aggregate_type", "event_type", "aggregate_id", "organisation_id", "actor", "since", "until")

Limit = Annotated[int, Parameter(ge=1, le=500, description="page size")]
Offset = Annotated[int, Parameter(ge=0, le=MAX_OFFSET, description="rows to skip")]


def shown(value: Any, limit: int = 300) -> str:
    """A value of a diff or state as a person reads it: text as is, the rest as compact JSON."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def utc(moment: datetime | None) -> str:
    """An instant in UTC to the second, as the audit pages show times."""
    return "" if moment is None else as_utc(moment).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def reader_of(request: Request[Any, Any, Any]) -> Reader:
    """The page's formatter of events, fields and values, in the page's language (money as the pages show it)."""
    engine = request.app.template_engine
    assert engine is not None, "the app has a template engine"
    money = engine.engine.globals["money"]
    return Reader(vocabulary_of(request), language_of(request), money)


def names_of(event: AuditEvent) -> dict[str, str]:
    """The names a log row knows for ids its payload may hold: its organisations' and its actor's."""
    known = {str(o): n for o, n in zip(event.organisation_ids, event.organisation_names, strict=False) if n}
    if event.actor is not None and event.actor_name:
        known[str(event.actor)] = event.actor_name
    return known


def audit_context(request: Request[Any, Any, Any], **values: Any) -> dict[str, Any]:
    return page_context(request, shown=shown, utc=utc, beijing=beijing, raw_json=raw_json,
                        reader=reader_of(request), names_of=names_of, **values)


def can_audit(me: Identity | None) -> bool:
    return me is not None and any(me.has(role) for role in AUDIT_ROLES)


def parse_instant(text: str, *, end_of_day: bool = False, field: str = "at", zone: tzinfo = UTC) -> datetime:
    """An ISO 8601 date or time; in ``zone`` (UTC) without an offset; a bare date is its start (or its end)."""
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            moment = datetime.combine(day, time.max if end_of_day else time.min)
        else:
            moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"{field}: {text!r} is not an ISO 8601 time such as 2024-05-01T08:00:00+08:00",
                              field=field) from None
    return as_utc(moment if moment.tzinfo else moment.replace(tzinfo=zone))


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
                values[key] = parse_instant(text, end_of_day=key == "until", field=key, zone=BEIJING)
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


async def _auditor_page(request: Request[Any, Any, Any], web: WebState, me: Identity) -> Identity | Template:
    """``me`` with the roles held now, if an auditor or platform admin; else the 403 page."""
    me = await web.with_current_roles(me)
    return me if can_audit(me) else _forbidden(request)




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


_UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def ids_in(entries: list[HistoryEntry]) -> list[UUID]:
    """The record ids a history's changes name (as field parts or values), to show them by name."""
    return [UUID(t) for t in {m for e in entries for m in _UUID_TEXT.findall(json.dumps(e.changes, default=str))}]


def type_of(entries: list[HistoryEntry]) -> str:
    return entries[0].event_type.split(".", 1)[0]


class AuditController(Controller):
    """The auditor's pages (``/audit/…``) and the as-of listing page (the API is in ``web.audit.api``)."""

    include_in_schema = False

    # --- pages ------------------------------------------------------------------------------
    @get("/audit/events", name="audit_events", guards=[login_required])
    async def events(self, request: HTMXRequest, web: WebState, me: Identity) -> Template:
        auditor = await _auditor_page(request, web, me)
        if not isinstance(auditor, Identity):
            return auditor
        filters, active, page, invalid = _page_filters(request)
        await record_read(request, web, auditor, EVENT_LOG_ID, EVENT_LOG_TYPE)
        items, total = await AuditLogQueries(web.pool).list_and_count(filters)
        stored = await payloads(web.pool, [e.position for e in items])
        pages = max(1, math.ceil(total / PAGE_SIZE))

        def link(**change: Any) -> str:
            merged = {**active, **{k: str(v) for k, v in change.items() if v is not None}}
            return "/audit/events" + ("?" + urlencode(merged) if merged else "")

        partial = bool(request.htmx) and request.htmx.target == "audit-results"
        template = "audit/partials/events.html.jinja2" if partial else "audit/events.html.jinja2"
        return Template(template, context=audit_context(
            request, items=items, stored=stored, total=total, page=page, pages=pages, active=active, link=link,
            invalid=invalid,
            aggregate_types=KNOWN_AGGREGATE_TYPES, event_types=KNOWN_EVENT_TYPES))

    @get("/audit/aggregates/{aggregate_id:uuid}", name="audit_aggregate", guards=[login_required])
    async def aggregate(
        self, aggregate_id: UUID, request: Request[Any, Any, Any], web: WebState, marketplace: Marketplace,
        me: Identity,
    ) -> Template:
        auditor = await _auditor_page(request, web, me)
        if not isinstance(auditor, Identity):
            return auditor
        at, version = _when(request)
        entries = await web.run(history, marketplace, aggregate_id)
        state = None
        if at is not None or version is not None:
            state = await web.run(state_at, marketplace, aggregate_id, version=version, at=at)
        kind = type_of(entries)
        await record_read(request, web, auditor, aggregate_id, kind, version=version, as_of=at)
        queries = AuditLogQueries(web.pool)
        names = await queries.actor_names([e.actor for e in entries if e.actor is not None])
        reads = await AuditReads(web.pool).for_aggregate(aggregate_id)
        return Template("audit/history.html.jinja2", context=audit_context(
            request, aggregate_id=aggregate_id, kind=kind, entries=list(reversed(entries)), names=names,
            known=await record_names(web.pool, ids_in(entries)),
            state=state, at=at, reads=reads))

    @get("/listings/{listing_id:uuid}/as-of", name="listing_as_of")
    async def listing_as_of_page(
        self, listing_id: UUID, request: Request[Any, Any, Any], web: WebState, marketplace: Marketplace,
        maybe_me: Identity | None,
    ) -> Template:
        at, version = _when(request)
        seen = await web.run(listing_as_of, marketplace, listing_id, at=at, version=version)
        if seen.listing.status not in PUBLIC_LISTING_STATUSES:
            own = maybe_me is not None and maybe_me.organisation_id == seen.listing.organisation_id
            if not (own or can_audit(maybe_me)):
                raise NotFoundException(f"listing_id: no listing with id {listing_id}")
            if maybe_me is not None and can_audit(maybe_me):
                await record_read(request, web, maybe_me, listing_id, "Listing", version=seen.listing.version,
                                  as_of=seen.instant)
        detail = listing_detail(seen)
        return Template("audit/listing_as_of.html.jinja2", context=audit_context(
            request, d=detail, seen=seen, ipc=ipc_titles(web, detail.patent.ipc_codes), can_edit=False,
            audit=can_audit(maybe_me)))
