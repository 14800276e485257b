"""Demands read model, reading side (asyncpg): demand pages with search and facets, their response figures,
the proposals each reader may see, and the to-do queues.

**Sealed proposals.** The content of a proposal is stored from its submission, but these queries give it to
the posting enterprise only once the demand's deadline has passed (``closes_at <= now``, ``now`` from the
application's clock); before that the enterprise sees each proposal's organisation, time and SHA-256 only.
The proposing organisation always sees its own proposal. This is the read model withholding it, not
encryption: the platform's operators could read the stored content.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec


class DemandRow(msgspec.Struct, frozen=True, kw_only=True):
    """A technology demand as its page shows it, with its response figures."""

    id: UUID
    organisation_id: UUID
    organisation_name: str
    title_zh: str
    title_en: str
    description_zh: str
    description_en: str
    problem: str
    current_solution: str
    targets: str
    ipc_codes: list[str]
    ipc_classes: list[str]
    keywords: list[str]
    budget_min: int
    budget_max: int
    deadline: date  # Beijing
    closes_at: datetime
    wants: list[str]
    visibility: str
    status: str
    proposals: int
    decided: int
    first_proposal_at: datetime | None
    posted_at: datetime
    version: int
    #: Why a platform admin sent the demand back for clarification (omitted when it never was).
    clarify_reason: str | msgspec.UnsetType = msgspec.UNSET

    def closed(self, now: datetime) -> bool:
        return now >= self.closes_at

    def days_without_proposal(self, now: datetime) -> int:
        """Days from posting to its first proposal (or to now, while none came)."""
        until = self.first_proposal_at or now
        return max(0, (until - self.posted_at).days)


class ProposalRow(msgspec.Struct, frozen=True, kw_only=True):
    """A proposal as the reader may see it: ``content`` is ``None`` while it is sealed to this reader."""

    id: UUID
    demand_id: UUID
    organisation_id: UUID
    organisation_name: str
    sha256: str
    want: str
    state: str
    reason: str
    reason_text: str
    offer_id: UUID | None
    submitted_at: datetime
    decided_at: datetime | None
    sealed: bool
    content: dict[str, Any] | None
    #: The technology development contract the award drafted (omitted when none).
    contract_id: UUID | msgspec.UnsetType = msgspec.UNSET


class Facet(msgspec.Struct, frozen=True):
    value: str
    count: int


class DemandSearch(msgspec.Struct, frozen=True, kw_only=True):
    items: list[DemandRow]
    total: int
    fields: list[Facet]
    wants: list[Facet]


class DemandTodo(msgspec.Struct, frozen=True, kw_only=True):
    """A demand with proposals to decide (the enterprise), or a decision on an institution's proposal."""

    demand_id: UUID
    title_zh: str
    title_en: str
    count: int
    since: datetime


DEMAND_SELECT = (
    "SELECT d.id, d.organisation_id, coalesce(o.name, '') AS organisation_name, d.title_zh, d.title_en,"
    " d.description_zh, d.description_en, d.problem, d.current_solution, d.targets, d.ipc_codes, d.ipc_classes,"
    " d.keywords, d.budget_min, d.budget_max, d.deadline, d.closes_at, d.wants, d.visibility, d.status,"
    " d.proposals, d.decided, d.first_proposal_at, d.posted_at, d.version, d.clarify_reason"
    " FROM demand_demands d LEFT JOIN accounts_organisations o ON o.id = d.organisation_id"
)
#: Who sees a demand: public ones anyone; verified-only ones verified organisations and the poster ($1: the
#: reader's organisation or NULL, $2: whether it is verified).
VISIBLE = "(d.visibility = 'public' OR $2::boolean OR d.organisation_id = $1::uuid)"
#: ... and match every word of the search ($3, LIKE-escaped), then the facets chosen ($4 field, $5 want).
WHERE = ("WHERE " + VISIBLE  # noqa: S608 - fixed text
         + " AND (SELECT bool_and(d.search LIKE '%' || w || '%') FROM unnest($3::text[]) w) IS NOT FALSE")
NARROW = " AND ($4 = '' OR $4 = ANY(d.ipc_classes)) AND ($5 = '' OR $5 = ANY(d.wants))"
SEARCH_ROWS = f"{DEMAND_SELECT} {WHERE}{NARROW} ORDER BY d.posted_at DESC, d.id LIMIT $6 OFFSET $7"
SEARCH_TOTAL = f"SELECT count(*) FROM demand_demands d {WHERE}{NARROW}"  # noqa: S608
FACET_FIELDS = (f"SELECT c AS value, count(*)::int AS count FROM demand_demands d, unnest(d.ipc_classes) c"  # noqa: S608
                f" {WHERE} GROUP BY c ORDER BY count DESC, c LIMIT 20")
FACET_WANTS = (f"SELECT w AS value, count(*)::int AS count FROM demand_demands d, unnest(d.wants) w"  # noqa: S608
               f" {WHERE} GROUP BY w ORDER BY w")


class DemandsQueries:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def verified(self, organisation_id: UUID | None) -> bool:
        if organisation_id is None:
            return False
        return bool(await self.pool.fetchval("SELECT verified FROM accounts_organisations WHERE id = $1",
                                             organisation_id))

    async def search(self, *, reader: UUID | None, verified: bool, q: str = "", field: str = "", want: str = "",
                     limit: int = 20, offset: int = 0) -> DemandSearch:
        """Visible demands matching every word of ``q`` (any language), the IPC subclass ``field`` and ``want``,
        newest first, with the facet counts of the visible demands matching ``q``."""
        words = [w for w in q.casefold().split() if w][:10]
        escaped = [w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") for w in words]
        args = (reader, verified, escaped, field, want)
        rows = await self.pool.fetch(SEARCH_ROWS, *args, limit, offset)
        total = await self.pool.fetchval(SEARCH_TOTAL, *args)
        fields = await self.pool.fetch(FACET_FIELDS, reader, verified, escaped)
        wants = await self.pool.fetch(FACET_WANTS, reader, verified, escaped)
        return DemandSearch(items=[self._row(r) for r in rows], total=int(total or 0),
                            fields=[Facet(r["value"], r["count"]) for r in fields],
                            wants=[Facet(r["value"], r["count"]) for r in wants])

    @staticmethod
    def _row(r: asyncpg.Record) -> DemandRow:
        values = dict(r)
        if not values.get("clarify_reason"):
            values["clarify_reason"] = msgspec.UNSET
        return DemandRow(**values)

    async def get(self, demand_id: UUID) -> DemandRow | None:
        row = await self.pool.fetchrow(f"{DEMAND_SELECT} WHERE d.id = $1", demand_id)
        return self._row(row) if row else None

    async def proposals(self, demand: DemandRow, *, reader: UUID | None, now: datetime) -> list[ProposalRow]:
        """The proposals the reader may see: all of them (content after the deadline) for the posting
        enterprise; its own (with content) for a proposing organisation; none for anyone else."""
        owner = reader is not None and reader == demand.organisation_id
        if reader is None:
            return []
        rows = await self.pool.fetch(
            "SELECT p.id, p.demand_id, p.organisation_id, coalesce(o.name, '') AS organisation_name, p.sha256,"
            " p.want, p.state, p.reason, p.reason_text, p.offer_id, p.submitted_at, p.decided_at, p.content,"
            " p.contract_id"
            " FROM demand_proposals p LEFT JOIN accounts_organisations o ON o.id = p.organisation_id"
            " WHERE p.demand_id = $1 AND ($2 OR p.organisation_id = $3) ORDER BY p.submitted_at, p.id",
            demand.id, owner, reader)
        out = []
        for r in rows:
            values = dict(r)
            sealed = values["organisation_id"] != reader and not demand.closed(now)
            raw = values.pop("content")
            if values["contract_id"] is None:
                values["contract_id"] = msgspec.UNSET
            content = None if sealed else (json.loads(raw) if isinstance(raw, str) else raw)
            out.append(ProposalRow(**values, sealed=sealed, content=content))
        return out

    # --- to-do -----------------------------------------------------------------------------------------
    async def to_decide(self, organisation_id: UUID, now: datetime, limit: int = 100) -> list[DemandTodo]:
        """The enterprise's demands past their deadline with proposals still without a decision."""
        rows = await self.pool.fetch(
            "SELECT d.id AS demand_id, d.title_zh, d.title_en, count(*)::int AS count, d.closes_at AS since"
            " FROM demand_demands d JOIN demand_proposals p ON p.demand_id = d.id"
            " WHERE d.organisation_id = $1 AND d.closes_at <= $2 AND p.state IN ('submitted', 'shortlisted')"
            " GROUP BY d.id ORDER BY d.closes_at, d.id LIMIT $3", organisation_id, now, limit)
        return [DemandTodo(**dict(r)) for r in rows]

    async def decisions(self, organisation_id: UUID, since: datetime, limit: int = 100) -> list[DemandTodo]:
        """Decisions on the institution's proposals taken since ``since`` (to read)."""
        rows = await self.pool.fetch(
            "SELECT d.id AS demand_id, d.title_zh, d.title_en, 1 AS count, p.decided_at AS since"
            " FROM demand_proposals p JOIN demand_demands d ON d.id = p.demand_id"
            " WHERE p.organisation_id = $1 AND p.decided_at >= $2 ORDER BY p.decided_at DESC LIMIT $3",
            organisation_id, since, limit)
        return [DemandTodo(**dict(r)) for r in rows]


class ThreadEntry(msgspec.Struct, frozen=True, kw_only=True):
    """A question of the enterprise or an answer of the proposer, on one proposal."""

    number: int
    kind: str
    text: str
    at: datetime


class ClarifyTodo(msgspec.Struct, frozen=True, kw_only=True):
    """A demand sent back to the enterprise, or a proposal whose question awaits the proposer's answer."""

    demand_id: UUID
    proposal_id: UUID | None
    title_zh: str
    title_en: str
    since: datetime


class ThreadQueries:
    """Threads of questions on proposals and demands sent back: for the two parties of each, never for others
    (the caller passes the reader's organisation; a thread is read only by the enterprise or the proposer)."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def threads(self, demand_id: UUID, reader: UUID | None) -> dict[UUID, list[ThreadEntry]]:
        """The threads of the demand's proposals the reader is a party to, by proposal."""
        if reader is None:
            return {}
        rows = await self.pool.fetch(
            "SELECT q.proposal_id, q.number, q.kind, q.text, q.at FROM demand_questions q"
            " JOIN demand_proposals p ON p.id = q.proposal_id JOIN demand_demands d ON d.id = q.demand_id"
            " WHERE q.demand_id = $1 AND (d.organisation_id = $2 OR p.organisation_id = $2)"
            " ORDER BY q.proposal_id, q.number", demand_id, reader)
        out: dict[UUID, list[ThreadEntry]] = {}
        for r in rows:
            out.setdefault(r["proposal_id"], []).append(
                ThreadEntry(number=r["number"], kind=r["kind"], text=r["text"], at=r["at"]))
        return out

    async def to_do(self, organisation_id: UUID, limit: int = 100) -> list[ClarifyTodo]:
        """In one query: the organisation's demands sent back for clarification (``proposal_id`` NULL), and its
        proposals whose last thread entry is a question awaiting its answer."""
        rows = await self.pool.fetch(
            "(SELECT d.id AS demand_id, NULL::uuid AS proposal_id, d.title_zh, d.title_en, d.posted_at AS since"
            "  FROM demand_demands d WHERE d.organisation_id = $1 AND d.status = 'clarifying')"
            " UNION ALL"
            " (SELECT d.id, p.id, d.title_zh, d.title_en, q.at"
            "  FROM demand_proposals p JOIN demand_demands d ON d.id = p.demand_id"
            "  JOIN LATERAL (SELECT kind, at FROM demand_questions WHERE proposal_id = p.id"
            "                ORDER BY number DESC LIMIT 1) q ON true"
            "  WHERE p.organisation_id = $1 AND q.kind = 'question')"
            " ORDER BY since LIMIT $2", organisation_id, limit)
        return [ClarifyTodo(**dict(r)) for r in rows]
