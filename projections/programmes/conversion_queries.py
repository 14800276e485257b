"""Conversions read model, reading side (asyncpg): flags of funded patents with their patent and programme."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec


class ConversionRow(msgspec.Struct, frozen=True, kw_only=True):
    """A funded patent's conversion flag under one programme: the deadline, where it stands, the owner's
    answer and what the officer did."""

    id: UUID
    patent_id: UUID
    patent_title_zh: str
    patent_title_en: str
    patent_number: str
    owners: list[dict[str, Any]]
    programme_id: UUID
    programme_name_zh: str
    programme_name_en: str
    organisation_id: UUID
    organisation_name: str
    owner_ids: list[UUID]
    funding: dict[str, Any]
    deadline: date
    warn_from: date
    status: str
    legal_basis: str
    answer_kind: str
    answer_text: str
    answer_reference: str
    answered_at: datetime | None
    resume_reason: str
    opened_mode: str
    opened_legal_basis: str
    opened_reason: str
    opened_terms: dict[str, Any] | None
    listing_id: UUID | None
    licensee_ids: list[UUID]
    opened_at: datetime | None
    overdue_since: date | None
    converted_contract_id: UUID | None
    converted_at: datetime | None
    flagged_at: datetime
    updated_at: datetime
    version: int


SELECT = (
    "SELECT c.id, c.patent_id, coalesce(t.title_zh, '') AS patent_title_zh, coalesce(t.title_en, '')"
    " AS patent_title_en, coalesce(t.application_number, t.publication_number, '') AS patent_number,"
    " coalesce(t.owners, '[]'::jsonb) AS owners, c.programme_id, coalesce(p.name_zh, '') AS programme_name_zh,"
    " coalesce(p.name_en, '') AS programme_name_en, c.organisation_id, coalesce(o.name, '') AS organisation_name,"
    " c.owner_ids, c.funding, c.deadline, c.warn_from, c.status, c.legal_basis, c.answer_kind, c.answer_text,"
    " c.answer_reference, c.answered_at, c.resume_reason, c.opened_mode, c.opened_legal_basis, c.opened_reason,"
    " c.opened_terms, c.listing_id, c.licensee_ids, c.opened_at, c.overdue_since, c.converted_contract_id,"
    " c.converted_at, c.flagged_at, c.updated_at, c.version"
    " FROM conversions c LEFT JOIN catalogue_patents t ON t.id = c.patent_id"
    " LEFT JOIN programmes p ON p.id = c.programme_id"
    " LEFT JOIN accounts_organisations o ON o.id = c.organisation_id"
)
#: What the owner is still to act on, and what the officer's queue holds.
OWNER_OPEN = ("due", "overdue")
QUEUE = ("overdue", "paused", "due", "opened")


def _rows(records: list[asyncpg.Record]) -> list[ConversionRow]:
    return [ConversionRow(**dict(r)) for r in records]


class ConversionsQueries:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def get(self, conversion_id: UUID) -> ConversionRow | None:
        row = await self.pool.fetchrow(f"{SELECT} WHERE c.id = $1", conversion_id)
        return ConversionRow(**dict(row)) if row else None

    async def overdue(self, *, limit: int = 50, offset: int = 0) -> tuple[list[ConversionRow], int]:
        """The public list: overdue patents and those opened to others, the longest overdue first."""
        rows = await self.pool.fetch(
            f"{SELECT} WHERE c.status IN ('overdue', 'opened') ORDER BY c.deadline, c.id LIMIT $1 OFFSET $2",
            limit, offset)
        total = await self.pool.fetchval("SELECT count(*) FROM conversions WHERE status IN ('overdue', 'opened')")
        return _rows(rows), int(total or 0)

    async def overdue_of(self, organisation_id: UUID | None, *, limit: int = 100) -> list[ConversionRow]:
        """The overdue flags of a department's conversion programmes (``None``: every department's), the
        longest overdue first (the officer's dashboard)."""
        rows = await self.pool.fetch(
            f"{SELECT} WHERE c.status = 'overdue' AND ($1::uuid IS NULL OR c.organisation_id = $1)"
            " ORDER BY c.deadline, c.id LIMIT $2", organisation_id, limit)
        return _rows(rows)

    async def queue(self, organisation_id: UUID, *, statuses: tuple[str, ...] = QUEUE,
                    limit: int = 200) -> list[ConversionRow]:
        """A department's flags: overdue first, then answered (paused), due, opened; each by deadline."""
        rows = await self.pool.fetch(
            f"{SELECT} WHERE c.organisation_id = $1 AND c.status = ANY($2::text[])"
            " ORDER BY array_position($3::text[], c.status), c.deadline, c.id LIMIT $4",
            organisation_id, list(statuses), list(QUEUE), limit)
        return _rows(rows)

    async def of_owner(self, organisation_id: UUID, *, open_only: bool = False,
                       limit: int = 200) -> list[ConversionRow]:
        """An owner organisation's flags (``open_only``: those it is to answer), by deadline."""
        rows = await self.pool.fetch(
            f"{SELECT} WHERE c.owner_ids @> ARRAY[$1::uuid] AND (NOT $2 OR c.status = ANY($3::text[]))"
            " ORDER BY c.deadline, c.id LIMIT $4",
            organisation_id, open_only, list(OWNER_OPEN), limit)
        return _rows(rows)

    async def of_patent(self, patent_id: UUID) -> list[ConversionRow]:
        return _rows(await self.pool.fetch(f"{SELECT} WHERE c.patent_id = $1 ORDER BY c.flagged_at, c.id",
                                           patent_id))
