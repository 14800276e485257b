"""Audit log reads (asyncpg): the event log as auditors filter it, and the record of reads of confidential records."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import asyncpg
import msgspec

from domain.auctions.lot import WITHHELD, WITHHELD_UNTIL_CLOSE
from projections.audit.log import SYSTEM_ACTOR


class AuditFilters(msgspec.Struct, frozen=True, kw_only=True):
    """What the event log is asked for; every filter optional, times inclusive."""

    aggregate_type: str | None = None
    aggregate_id: UUID | None = None
    organisation_id: UUID | None = None
    actor: UUID | None = None
    event_type: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 50
    offset: int = 0


class AuditEvent(msgspec.Struct, frozen=True):
    """One row of the event log, with the names of its actor and organisations."""

    position: int
    aggregate_id: UUID
    aggregate_type: str
    version: int
    event_type: str
    actor: UUID | None
    actor_name: str | None
    organisation_ids: list[UUID]
    organisation_names: list[str]
    recorded_at: datetime
    summary: str


class AuditRead(msgspec.Struct, frozen=True):
    """An auditor's (or platform admin's) read of a confidential record."""

    reader_id: UUID
    reader_name: str | None
    reader_roles: list[str]
    aggregate_id: UUID
    aggregate_type: str
    page: str
    version: int | None
    as_of: datetime | None
    read_at: datetime


_EVENT_FIELDS = (
    "e.position, e.aggregate_id, e.aggregate_type, e.version, e.event_type, e.actor,"
    " CASE WHEN e.actor = {system} THEN 'system' ELSE u.display_name END AS actor_name, e.organisation_ids,"
    " (SELECT coalesce(array_agg(coalesce(o.name, '') ORDER BY x.n), '{{}}') FROM unnest(e.organisation_ids)"
    " WITH ORDINALITY AS x(id, n) LEFT JOIN accounts_organisations o ON o.id = x.id) AS organisation_names,"
    " e.recorded_at, e.summary"
)
# $1 aggregate type, $2 aggregate id, $3 organisation, $4 actor, $5 event type, $6/$7 time range.
_CONDITIONS = (
    "($1::text IS NULL OR e.aggregate_type = $1) AND ($2::uuid IS NULL OR e.aggregate_id = $2)"
    " AND ($3::uuid IS NULL OR e.organisation_ids @> ARRAY[$3::uuid]) AND ($4::uuid IS NULL OR e.actor = $4)"
    " AND ($5::text IS NULL OR e.event_type = $5) AND ($6::timestamptz IS NULL OR e.recorded_at >= $6)"
    " AND ($7::timestamptz IS NULL OR e.recorded_at <= $7)"
)
_FROM = " FROM audit_log_events e LEFT JOIN accounts_users u ON u.id = e.actor"
# $8 limit, $9 offset, $10 the system actor.
LIST_SQL = (
    f"SELECT {_EVENT_FIELDS.format(system='$10')}{_FROM} WHERE {_CONDITIONS}"
    " ORDER BY e.position DESC LIMIT $8 OFFSET $9"
)
COUNT_SQL = f"SELECT count(*) FROM audit_log_events e WHERE {_CONDITIONS}"  # noqa: S608
FOR_AGGREGATE_SQL = (
    f"SELECT {_EVENT_FIELDS.format(system='$2')}{_FROM} WHERE e.aggregate_id = $1 ORDER BY e.version"
)


class AuditLogQueries:
    """Reads of the audit log read model (asyncpg)."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def list_and_count(self, f: AuditFilters) -> tuple[list[AuditEvent], int]:
        args = (f.aggregate_type, f.aggregate_id, f.organisation_id, f.actor, f.event_type, f.since, f.until)
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(LIST_SQL, *args, f.limit, f.offset, SYSTEM_ACTOR)
            if len(rows) < f.limit and (rows or f.offset == 0):
                total = f.offset + len(rows)
            else:
                total = int(await conn.fetchval(COUNT_SQL, *args))
        return [AuditEvent(**dict(r)) for r in rows], total

    async def for_aggregate(self, aggregate_id: UUID) -> list[AuditEvent]:
        rows = await self.pool.fetch(FOR_AGGREGATE_SQL, aggregate_id, SYSTEM_ACTOR)
        return [AuditEvent(**dict(r)) for r in rows]

    async def actor_names(self, ids: Sequence[UUID]) -> dict[UUID, str]:
        """Display names of users (and "system" for the system's actor), for pages that show actors."""
        rows = await self.pool.fetch("SELECT id, display_name FROM accounts_users WHERE id = ANY($1)", list(ids))
        names: dict[UUID, str] = {r["id"]: r["display_name"] for r in rows}
        if SYSTEM_ACTOR in ids:
            names[SYSTEM_ACTOR] = "system"
        return names

    async def position(self) -> int:
        """How far the audit log has read the event log."""
        value = await self.pool.fetchval(
            "SELECT notification_id FROM audit_log_tracking WHERE application_name = 'marketplace'"
        )
        return int(value or 0)


class AuditReads:
    """The record of reads of confidential records: ``audit_reads``, projected from ``AuditRead.Recorded``
    events (and the rows recorded directly before reads became events, kept beside it)."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def for_aggregate(self, aggregate_id: UUID, limit: int = 50) -> list[AuditRead]:
        rows = await self.pool.fetch(
            "SELECT r.reader_id, u.display_name AS reader_name, r.reader_roles, r.aggregate_id, r.aggregate_type,"
            " r.page, r.version, r.as_of, r.read_at FROM ("
            " SELECT reader_id, reader_roles, aggregate_id, aggregate_type, page, version, as_of, read_at, position"
            " FROM audit_reads WHERE aggregate_id = $1"
            " UNION ALL SELECT reader_id, reader_roles, aggregate_id, aggregate_type, page, version, as_of, read_at,"
            " -id FROM audit_reads_before_events WHERE aggregate_id = $1) r"
            " LEFT JOIN accounts_users u ON u.id = r.reader_id ORDER BY r.read_at DESC, r.position DESC LIMIT $2",
            aggregate_id, limit,
        )
        return [AuditRead(**dict(r)) for r in rows]


class AuditPayload(msgspec.Struct, frozen=True):
    """What the event log page shows behind a row's summary: the stored payload, summary and chain hash."""

    position: int
    data: dict[str, object]
    summary: str
    chain_hash: str | None


async def payloads(pool: asyncpg.Pool, positions: Sequence[int]) -> dict[int, AuditPayload]:
    """The payloads (and hash-chain links, once chained) of the log rows at ``positions``; the fields a lot keeps
    secret until it closes (a proxy maximum, a revealed sealed amount: ``WITHHELD_UNTIL_CLOSE``) are withheld
    while the lot has no ``Lot.Closed`` event."""
    rows = await pool.fetch(
        "SELECT e.position, e.aggregate_id, e.event_type, e.data::text AS data, e.summary,"
        " encode(c.hash, 'hex') AS chain_hash, (e.event_type = ANY($2::text[]) AND NOT EXISTS (SELECT 1 FROM"
        " audit_log_events d WHERE d.aggregate_id = e.aggregate_id AND d.event_type = 'Lot.Closed')) AS withheld"
        " FROM audit_log_events e LEFT JOIN audit_chain c ON c.position = e.position WHERE e.position = ANY($1)",
        list(positions), list(WITHHELD_UNTIL_CLOSE),
    )
    found: dict[int, AuditPayload] = {}
    for r in rows:
        data = msgspec.json.decode(r["data"])
        if r["withheld"]:
            secret = WITHHELD_UNTIL_CLOSE[r["event_type"]]
            data = {k: WITHHELD if k in secret else v for k, v in data.items()}
        found[r["position"]] = AuditPayload(r["position"], data, r["summary"], r["chain_hash"])
    return found


async def record_names(pool: asyncpg.Pool, ids: Sequence[UUID]) -> dict[str, str]:
    """Names of the organisations and users among ``ids`` (for a history's ids shown by name)."""
    rows = await pool.fetch(
        "SELECT id, name FROM accounts_organisations WHERE id = ANY($1)"
        " UNION ALL SELECT id, display_name FROM accounts_users WHERE id = ANY($1)",
        list(ids),
    )
    return {str(r["id"]): r["name"] for r in rows if r["name"]}
