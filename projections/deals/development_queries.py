"""Technology development contracts, reading side: the milestones awaiting a party (the developer's deliveries,
the client's acceptances), from ``deal_contracts`` (migration 0006, delivered milestones 0032)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import asyncpg
import msgspec


class MilestoneToAct(msgspec.Struct, frozen=True, kw_only=True):
    """A milestone of an in-force development contract awaiting the reader's organisation: ``deliver`` (it is the
    developer) or ``accept`` (it is the client and the milestone is delivered)."""

    contract_id: UUID
    title: str
    name: str
    due: date
    amount: int
    currency: str
    action: str


class DevelopmentQueries:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def milestones_to_act(self, organisation_id: UUID, limit: int = 100) -> list[MilestoneToAct]:
        rows = await self.pool.fetch(
            "SELECT c.id AS contract_id, coalesce(c.terms->>'title', '') AS title, m->>'name' AS name,"
            " (m->>'due')::date AS due, (m->>'amount')::bigint AS amount, c.currency,"
            " CASE WHEN c.seller_organisation_id = $1 THEN 'deliver' ELSE 'accept' END AS action"
            " FROM deal_contracts c CROSS JOIN LATERAL jsonb_array_elements(c.terms->'milestones') AS m"
            " WHERE c.contract_type = 'DevelopmentContract' AND c.status = 'in_force'"
            " AND NOT (m->>'name') = ANY(c.milestones_reached)"
            " AND ((c.seller_organisation_id = $1 AND NOT (m->>'name') = ANY(c.milestones_delivered))"
            "      OR (c.buyer_organisation_id = $1 AND (m->>'name') = ANY(c.milestones_delivered)))"
            " ORDER BY due, c.id LIMIT $2",
            organisation_id, limit,
        )
        return [MilestoneToAct(**dict(r)) for r in rows]
