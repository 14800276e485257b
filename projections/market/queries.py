"""Market read model, reading side (asyncpg): technology-contract registrations, and the contracts awaiting one.

The contracts awaiting registration are read from the deals read model (market reads deals): signed or in
force, sold by the organisation (of a development contract: developed by it), with no registry number recorded
yet.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg
import msgspec

from domain.market.registration import deadline

BEIJING = ZoneInfo("Asia/Shanghai")


class RegistrationRow(msgspec.Struct, frozen=True, kw_only=True):
    """A contract's registration record (表 JJ-001 fields in ``record``) and the registry's number."""

    contract_id: UUID
    id: UUID
    seller_organisation_id: UUID
    buyer_organisation_id: UUID
    seller_name: str
    buyer_name: str
    deal_kind: str
    contract_price: int
    record: dict[str, Any]
    status: str
    number: str
    prepared_at: datetime
    number_recorded_at: datetime | None
    updated_at: datetime
    version: int

    @property
    def signed_on(self) -> date:
        return date.fromisoformat(str(self.record["signed_on"]))

    @property
    def deadline(self) -> date:
        return deadline(self.signed_on)


class RegistrationDueRow(msgspec.Struct, frozen=True, kw_only=True):
    """A signed contract its seller has yet to register (no registry number recorded)."""

    contract_id: UUID
    signed_at: datetime
    title_zh: str
    title_en: str
    buyer_name: str
    status: str  # not_prepared | prepared

    @property
    def deadline(self) -> date:
        return deadline(self.signed_at.astimezone(BEIJING).date())

    def overdue(self, now: datetime) -> bool:
        return now.astimezone(BEIJING).date() > self.deadline


SELECT = (
    "SELECT r.contract_id, r.id, r.seller_organisation_id, r.buyer_organisation_id,"
    " coalesce(s.name, '') AS seller_name, coalesce(b.name, '') AS buyer_name, r.deal_kind, r.contract_price,"
    " r.record, r.status, r.number, r.prepared_at, r.number_recorded_at, r.updated_at, r.version"
    " FROM market_tech_registrations r LEFT JOIN accounts_organisations s ON s.id = r.seller_organisation_id"
    " LEFT JOIN accounts_organisations b ON b.id = r.buyer_organisation_id"
)


class MarketQueries:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def registration(self, contract_id: UUID) -> RegistrationRow | None:
        row = await self.pool.fetchrow(f"{SELECT} WHERE r.contract_id = $1", contract_id)
        return None if row is None else msgspec.convert(dict(row), RegistrationRow)

    async def registrations_due(self, seller_organisation_id: UUID, *, limit: int = 200) -> list[RegistrationDueRow]:
        """The seller's signed contracts without a registry number, the earliest signed first."""
        rows = await self.pool.fetch(
            "SELECT c.id AS contract_id, g.signed_at, coalesce(p.title_zh, c.terms->>'title', '') AS title_zh,"
            " coalesce(p.title_en, c.terms->>'title', '') AS title_en, coalesce(b.name, '') AS buyer_name,"
            " CASE WHEN r.contract_id IS NULL THEN 'not_prepared' ELSE r.status END AS status"
            " FROM deal_contracts c"
            " JOIN LATERAL (SELECT max(s.signed_at) AS signed_at FROM deal_signatures s"
            "               WHERE s.contract_id = c.id) g ON g.signed_at IS NOT NULL"
            " LEFT JOIN market_tech_registrations r ON r.contract_id = c.id"
            " LEFT JOIN catalogue_patents p ON p.id = c.patent_id"
            " LEFT JOIN accounts_organisations b ON b.id = c.buyer_organisation_id"
            " WHERE c.seller_organisation_id = $1 AND c.status IN ('signed', 'in_force')"
            " AND coalesce(r.number, '') = ''"
            " ORDER BY g.signed_at, c.id LIMIT $2",
            seller_organisation_id, limit,
        )
        return [msgspec.convert(dict(r), RegistrationDueRow) for r in rows]


