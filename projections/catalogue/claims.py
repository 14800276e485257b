"""Ownership claims against patent registrations: written with the catalogue, read by the admin's queue.

Claims live in the catalogue read model because they are about its patents; this module holds
the SQL that writes ``catalogue_ownership_claims`` (inside the catalogue's transaction) and the
asyncpg queries that read it, side by side.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec
from eventsourcing.utils import get_topic
from psycopg import Cursor
from psycopg.rows import DictRow

from domain.catalogue.ownership_claim import OwnershipClaim
from projections.shared.records import EventRecord, plain
from projections.shared.topics import event_topics

CLAIM = get_topic(OwnershipClaim)
CLAIM_TOPICS = event_topics(OwnershipClaim, "Filed", "Decided")

INSERT_CLAIM = (
    "INSERT INTO catalogue_ownership_claims (id, patent_id, registration, claimant_organisation_id, evidence,"
    " reference, status, filed_by, filed_at, version) VALUES (%s, %s, %s, %s, %s, %s, 'filed', %s, %s, %s)"
    " ON CONFLICT (id) DO NOTHING"
)
DECIDE_CLAIM = (
    "UPDATE catalogue_ownership_claims SET status = %s, decided_by = %s, decided_at = %s, decision_reason = %s,"
    " version = %s WHERE id = %s"
)


def apply_claims(curs: Cursor[DictRow], records: Sequence[EventRecord]) -> None:
    """Write the claims' rows for a page of their events (in log order)."""
    for r in records:
        d = r.data
        if r.topic.endswith(".Filed"):
            curs.execute(INSERT_CLAIM, (
                r.originator_id, plain(d["patent_id"]), d["registration"], plain(d["claimant_organisation_id"]),
                d["evidence"], d["reference"], plain(d["by"]), r.timestamp, r.version,
            ))
        else:
            status = "upheld" if d["upheld"] else "dismissed"
            curs.execute(DECIDE_CLAIM, (status, plain(d["by"]), r.timestamp, d["reason"], r.version, r.originator_id))


class OwnershipClaimRow(msgspec.Struct, frozen=True):
    id: UUID
    patent_id: UUID
    patent_number: str
    patent_title: str
    registration: int
    claimant_organisation_id: UUID
    claimant_name: str
    evidence: str
    reference: str
    status: str
    filed_at: datetime
    decided_at: datetime | None
    decision_reason: str
    version: int


_CLAIM_SELECT = (
    "SELECT c.id, c.patent_id, coalesce(p.publication_number, p.application_number, p.number_key) AS patent_number,"
    " CASE WHEN p.title_zh <> '' THEN p.title_zh ELSE p.title_en END AS patent_title, c.registration,"
    " c.claimant_organisation_id, coalesce(o.name, '') AS claimant_name, c.evidence, c.reference, c.status,"
    " c.filed_at, c.decided_at, c.decision_reason, c.version"
    " FROM catalogue_ownership_claims c JOIN catalogue_patents p ON p.id = c.patent_id"
    " LEFT JOIN accounts_organisations o ON o.id = c.claimant_organisation_id"
)


class CoOwnershipToConfirm(msgspec.Struct, frozen=True):
    """A registration that names the organisation as a co-owner, awaiting its confirmation."""

    patent_id: UUID
    number: str
    title: str
    owners: list[dict[str, Any]]
    registrant_name: str
    registered_at: datetime


class ClaimQueries:
    """Reads of ownership claims and of co-ownerships awaiting confirmation (asyncpg)."""

    pool: asyncpg.Pool

    async def list_claims(
        self, *, status: str | None = None, patent_id: UUID | None = None, claimant: UUID | None = None,
        limit: int = 100, offset: int = 0,
    ) -> tuple[list[OwnershipClaimRow], int]:
        where = (
            " WHERE ($1::text IS NULL OR c.status = $1) AND ($2::uuid IS NULL OR c.patent_id = $2)"
            " AND ($3::uuid IS NULL OR c.claimant_organisation_id = $3)"
        )
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(_CLAIM_SELECT + where + " ORDER BY c.filed_at, c.id LIMIT $4 OFFSET $5",
                                    status, patent_id, claimant, limit, offset)
            total = await conn.fetchval(
                "SELECT count(*) FROM catalogue_ownership_claims c" + where,  # noqa: S608 - constants only
                status, patent_id, claimant,
            )
        return [OwnershipClaimRow(**dict(r)) for r in rows], int(total)

    async def co_ownerships_to_confirm(self, organisation_id: UUID, limit: int = 100) -> list[CoOwnershipToConfirm]:
        """Registrations naming the organisation as a co-owner that it has not yet confirmed."""
        rows = await self.pool.fetch(
            "SELECT p.id AS patent_id, coalesce(p.publication_number, p.application_number, p.number_key) AS number,"
            " CASE WHEN p.title_zh <> '' THEN p.title_zh ELSE p.title_en END AS title, p.owners,"
            " coalesce(o.name, '') AS registrant_name, p.registered_at"
            " FROM catalogue_patents p LEFT JOIN accounts_organisations o ON o.id = p.registrant_organisation_id"
            " WHERE p.unconfirmed_owner_ids @> ARRAY[$1::uuid] AND p.registration_status = 'active'"
            " ORDER BY p.registered_at, p.id LIMIT $2",
            organisation_id, limit,
        )
        return [CoOwnershipToConfirm(**dict(r)) for r in rows]
