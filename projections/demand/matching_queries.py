"""Matching read model, reading side: a demand's ranked listings and a listing's ranked demands (asyncpg).

Pages read the rows the projection wrote (``projections.demand.matching``): one indexed query each, no
scoring per page view. A demand past its deadline is left out of a listing's matches here (no event marks it).
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg
import msgspec


class MatchReason(msgspec.Struct, frozen=True):
    """Why a pair matches: ``kind`` — ``ipc_group``, ``ipc_main_group`` or ``ipc_subclass`` (the shared code in
    ``values``), ``terms`` (the shared words), ``price`` (within the budget) or ``maturity`` (its stage)."""

    kind: str
    values: list[str]


class ListingMatch(msgspec.Struct, frozen=True, kw_only=True):
    """A published listing that matches a demand; ``score`` in points (higher first)."""

    listing_id: UUID
    title_zh: str
    title_en: str
    organisation_id: UUID
    price: int | None  # fen; null when negotiable
    maturity: str
    score: float
    reasons: list[MatchReason]


class DemandMatch(msgspec.Struct, frozen=True, kw_only=True):
    """An open demand that matches a listing; ``score`` in points (higher first)."""

    demand_id: UUID
    title_zh: str
    title_en: str
    visibility: str
    closes_at: datetime
    budget_min: int
    budget_max: int
    score: float
    reasons: list[MatchReason]


_reasons = msgspec.json.Decoder(list[MatchReason])

LISTINGS_OF_DEMAND = (
    "SELECT m.listing_id, l.title_zh, l.title_en, l.organisation_id, l.price, l.maturity, m.score, m.reasons::text"
    " AS reasons FROM matching_matches m JOIN matching_listings l ON l.id = m.listing_id"
    " WHERE m.demand_id = $1 ORDER BY m.score DESC, m.listing_id LIMIT $2"
)
#: Open demands before their deadline, that the reader may see ($2: its organisation, $3: whether verified).
DEMANDS_OF_LISTING = (
    "SELECT m.demand_id, d.title_zh, d.title_en, d.visibility, d.closes_at, d.budget_min, d.budget_max, m.score,"
    " m.reasons::text AS reasons FROM matching_matches m JOIN matching_demands d ON d.id = m.demand_id"
    " WHERE m.listing_id = $1 AND d.closes_at > $4"
    " AND (d.visibility = 'public' OR $3::boolean OR d.organisation_id = $2::uuid)"
    " ORDER BY m.score DESC, m.demand_id LIMIT $5"
)


class MatchingQueries:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def listings_for(self, demand_id: UUID, limit: int = 10) -> list[ListingMatch]:
        rows = await self.pool.fetch(LISTINGS_OF_DEMAND, demand_id, limit)
        return [ListingMatch(**{**dict(r), "score": r["score"] / 1000, "reasons": _reasons.decode(r["reasons"])})
                for r in rows]

    async def demands_for(self, listing_id: UUID, *, reader: UUID | None, verified: bool, now: datetime,
                          limit: int = 10) -> list[DemandMatch]:
        rows = await self.pool.fetch(DEMANDS_OF_LISTING, listing_id, reader, verified, now, limit)
        return [DemandMatch(**{**dict(r), "score": r["score"] / 1000, "reasons": _reasons.decode(r["reasons"])})
                for r in rows]
