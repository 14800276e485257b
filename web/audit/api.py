"""The audit API (``/api/audit/…``, auditors and platform admins): the event log, a record's history and state.

Every read is recorded as an ``AuditRead.Recorded`` event, like a read of the audit pages.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, get
from litestar.exceptions import NotAuthorizedException
from litestar.params import Parameter

from domain.shared.errors import PermissionDeniedError
from marketplace.audit.replay import HistoryEntry, as_utc, history, state_at
from marketplace.platform.application import Marketplace
from projections.audit.queries import AuditEvent, AuditFilters, AuditLogQueries
from web.access import record_read
from web.api_docs import BEARER
from web.audit.pages import EVENT_LOG_ID, EVENT_LOG_TYPE, can_audit, type_of
from web.context import Identity
from web.identity import NO_TOKEN
from web.params import MAX_OFFSET, Version
from web.state import WebState

Limit = Annotated[int, Parameter(ge=1, le=500, description="page size")]
Offset = Annotated[int, Parameter(ge=0, le=MAX_OFFSET, description="rows to skip")]


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


async def _auditor(web: WebState, maybe_me: Identity | None) -> Identity:
    """The caller with the roles held now, if an auditor or platform admin: 401 without a token, 403 otherwise.

    Asked in the handler, after its parameters are checked: a malformed query is a 400 before the token is asked for.
    """
    if maybe_me is None:
        raise NotAuthorizedException(NO_TOKEN)
    me = await web.with_current_roles(maybe_me)
    if not can_audit(me):
        raise PermissionDeniedError("this needs the role auditor or platform_admin", code="role.needed",
                                    roles=["auditor", "platform_admin"])
    return me


class AuditApiController(Controller):
    path = "/api/audit"
    tags = ["audit"]  # noqa: RUF012 - litestar declares it as an instance attribute
    security = BEARER  # every operation here needs a bearer token

    @get("/events", summary="The event log, newest first, filtered (auditors and platform admins)")
    async def events(
        self, request: Request[Any, Any, Any], web: WebState, maybe_me: Identity | None,
        aggregate_type: str | None = None, aggregate_id: UUID | None = None, organisation_id: UUID | None = None,
        actor: UUID | None = None,
        event_type: str | None = None, since: datetime | None = None, until: datetime | None = None,
        limit: Limit = 50, offset: Offset = 0,
    ) -> AuditEventCollection:
        me = await _auditor(web, maybe_me)
        await record_read(request, web, me, EVENT_LOG_ID, EVENT_LOG_TYPE)
        filters = AuditFilters(
            aggregate_type=aggregate_type, aggregate_id=aggregate_id, organisation_id=organisation_id, actor=actor,
            event_type=event_type, since=as_utc(since) if since else None, until=as_utc(until) if until else None,
            limit=limit, offset=offset)
        items, total = await AuditLogQueries(web.pool).list_and_count(filters)
        return AuditEventCollection(items, total)

    @get("/aggregates/{aggregate_id:uuid}",
         summary="A record's history from the event store: each event with actor, time and changed fields")
    async def aggregate_history(
        self, aggregate_id: UUID, request: Request[Any, Any, Any], web: WebState, marketplace: Marketplace,
        maybe_me: Identity | None,
    ) -> AggregateHistory:
        me = await _auditor(web, maybe_me)
        entries = await web.run(history, marketplace, aggregate_id)
        await record_read(request, web, me, aggregate_id, type_of(entries))
        names = await AuditLogQueries(web.pool).actor_names([e.actor for e in entries if e.actor is not None])
        return AggregateHistory(aggregate_id, type_of(entries), _items(entries, names))

    @get("/aggregates/{aggregate_id:uuid}/state",
         summary="A record as it stood at a version or an instant (now without either), from the event store")
    async def aggregate_state(
        self, aggregate_id: UUID, request: Request[Any, Any, Any], web: WebState, marketplace: Marketplace,
        maybe_me: Identity | None, at: datetime | None = None, version: Version = None,
    ) -> AggregateStateView:
        me = await _auditor(web, maybe_me)
        at = as_utc(at) if at else None
        s = await web.run(state_at, marketplace, aggregate_id, version=version, at=at)
        await record_read(request, web, me, aggregate_id, s.aggregate_type, version=version, as_of=at)
        return AggregateStateView(s.aggregate_id, s.aggregate_type, s.version, s.created_on, s.modified_on, at,
                                  s.state)
