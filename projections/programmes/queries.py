"""Programmes read model, reading side (asyncpg): programmes with their budgets, and claims."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec


class ProgrammeRow(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    organisation_id: UUID
    organisation_name: str
    kind: str
    name_zh: str
    name_en: str
    source: str
    budget: int
    committed: int
    disbursed: int
    starts_on: date
    ends_on: date
    status: str
    rules: dict[str, Any]
    rules_versions: list[dict[str, Any]]
    drafted_at: datetime
    updated_at: datetime
    version: int

    @property
    def remaining(self) -> int:
        return self.budget - self.committed - self.disbursed


class ClaimRow(msgspec.Struct, frozen=True, kw_only=True):
    """A claim on a programme for one payment: the award calculated (with its steps) and where it stands."""

    id: UUID
    programme_id: UUID
    programme_name_zh: str
    programme_name_en: str
    programme_organisation_id: UUID
    rules_version: int
    obligation_id: UUID
    contract_id: UUID
    beneficiary_id: UUID
    beneficiary_name: str
    side: str
    year: int
    paid_amount: int
    amount: int
    approved_amount: int
    steps: list[dict[str, Any]]
    requires_registration: bool
    status: str
    registration_number: str
    reason: str
    disbursement_reference: str
    raised_at: datetime
    submitted_at: datetime | None
    decided_at: datetime | None
    paid_at: datetime | None
    version: int


PROGRAMME_SELECT = (
    "SELECT p.id, p.organisation_id, coalesce(o.name, '') AS organisation_name, p.kind, p.name_zh, p.name_en,"
    " p.source, p.budget, p.committed, p.disbursed, p.starts_on, p.ends_on, p.status, p.rules, p.rules_versions,"
    " p.drafted_at, p.updated_at, p.version"
    " FROM programmes p LEFT JOIN accounts_organisations o ON o.id = p.organisation_id"
)
CLAIM_SELECT = (
    "SELECT c.id, c.programme_id, p.name_zh AS programme_name_zh, p.name_en AS programme_name_en,"
    " p.organisation_id AS programme_organisation_id, c.rules_version, c.obligation_id, c.contract_id,"
    " c.beneficiary_id, coalesce(o.name, '') AS beneficiary_name, c.side, c.year, c.paid_amount, c.amount,"
    " c.approved_amount, c.steps, c.requires_registration, c.status, c.registration_number, c.reason,"
    " c.disbursement_reference, c.raised_at, c.submitted_at, c.decided_at, c.paid_at, c.version"
    " FROM programme_claims c JOIN programmes p ON p.id = c.programme_id"
    " LEFT JOIN accounts_organisations o ON o.id = c.beneficiary_id"
)


class QualifiedRow(msgspec.Struct, frozen=True, kw_only=True):
    """An organisation and the qualifications verified for it (what programme rules may ask of it)."""

    id: UUID
    name: str
    kind: str
    region: str
    flags: list[str]


class ProgrammeFigures(msgspec.Struct, frozen=True, kw_only=True):
    """A programme's claims counted by status, and the median days from a deal's payment to the award's
    disbursement (Xiamen settles quarterly; the aim is 30 days or less). ``None`` until one is paid."""

    by_status: dict[str, int]
    median_days_to_disbursement: float | None
    disbursed_claims: int


class ProgrammesQueries:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def programmes(self, *, organisation_id: UUID | None = None, public: bool = False) -> list[ProgrammeRow]:
        """Programmes, newest first: every one of an organisation, or (``public``) those not in draft."""
        rows = await self.pool.fetch(
            f"{PROGRAMME_SELECT} WHERE ($1::uuid IS NULL OR p.organisation_id = $1)"
            " AND (NOT $2 OR p.status <> 'draft') ORDER BY p.drafted_at DESC, p.id",
            organisation_id, public,
        )
        return [ProgrammeRow(**dict(r)) for r in rows]

    async def get_programme(self, programme_id: UUID) -> ProgrammeRow | None:
        row = await self.pool.fetchrow(f"{PROGRAMME_SELECT} WHERE p.id = $1", programme_id)
        return ProgrammeRow(**dict(row)) if row else None

    async def claims(
        self, *, programme_id: UUID | None = None, beneficiary_id: UUID | None = None, status: str | None = None,
        paid_from: date | None = None, paid_before: date | None = None, limit: int = 200,
    ) -> list[ClaimRow]:
        """Claims of a programme or of a beneficiary, oldest first (a queue), optionally by status and by
        the Beijing date their disbursement was recorded (``paid_from`` ≤ date < ``paid_before``)."""
        rows = await self.pool.fetch(
            f"{CLAIM_SELECT} WHERE ($1::uuid IS NULL OR c.programme_id = $1)"
            " AND ($2::uuid IS NULL OR c.beneficiary_id = $2) AND ($3::text IS NULL OR c.status = $3)"
            " AND ($4::date IS NULL OR (c.paid_at AT TIME ZONE 'Asia/Shanghai')::date >= $4)"
            " AND ($5::date IS NULL OR (c.paid_at AT TIME ZONE 'Asia/Shanghai')::date < $5)"
            " ORDER BY c.raised_at, c.id LIMIT $6",
            programme_id, beneficiary_id, status, paid_from, paid_before, limit,
        )
        return [ClaimRow(**dict(r)) for r in rows]

    async def figures(self, programme_id: UUID) -> ProgrammeFigures:
        counts = await self.pool.fetch(
            "SELECT status, count(*) AS n FROM programme_claims WHERE programme_id = $1 GROUP BY status",
            programme_id,
        )
        timing = await self.pool.fetchrow(
            "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM c.paid_at - o.paid_at) / 86400)"
            " AS median, count(*) AS n FROM programme_claims c JOIN deal_obligations o ON o.id = c.obligation_id"
            " WHERE c.programme_id = $1 AND c.paid_at IS NOT NULL AND o.paid_at IS NOT NULL",
            programme_id,
        )
        median = timing["median"] if timing else None
        return ProgrammeFigures(
            by_status={r["status"]: int(r["n"]) for r in counts},
            median_days_to_disbursement=round(float(median), 1) if median is not None else None,
            disbursed_claims=int(timing["n"]) if timing else 0,
        )

    async def department_figures(self, organisation_id: UUID | None) -> ProgrammeFigures:
        """The dashboard's figures over a department's programmes (``None``: every programme): claims by
        status and the median days from a deal's payment to the award's disbursement."""
        counts = await self.pool.fetch(
            "SELECT c.status, count(*) AS n FROM programme_claims c JOIN programmes p ON p.id = c.programme_id"
            " WHERE ($1::uuid IS NULL OR p.organisation_id = $1) GROUP BY c.status",
            organisation_id,
        )
        timing = await self.pool.fetchrow(
            "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM c.paid_at - o.paid_at) / 86400)"
            " AS median, count(*) AS n FROM programme_claims c JOIN programmes p ON p.id = c.programme_id"
            " JOIN deal_obligations o ON o.id = c.obligation_id"
            " WHERE ($1::uuid IS NULL OR p.organisation_id = $1) AND c.paid_at IS NOT NULL AND o.paid_at IS NOT NULL",
            organisation_id,
        )
        median = timing["median"] if timing else None
        return ProgrammeFigures(
            by_status={r["status"]: int(r["n"]) for r in counts},
            median_days_to_disbursement=round(float(median), 1) if median is not None else None,
            disbursed_claims=int(timing["n"]) if timing else 0,
        )

    async def claims_queue(self, organisation_id: UUID | None, statuses: tuple[str, ...],
                           limit: int = 100) -> list[ClaimRow]:
        """Claims of a department's programmes (``None``: every programme) in these statuses, oldest first."""
        rows = await self.pool.fetch(
            f"{CLAIM_SELECT} WHERE ($1::uuid IS NULL OR p.organisation_id = $1) AND c.status = ANY($2::text[])"
            " ORDER BY c.raised_at, c.id LIMIT $3",
            organisation_id, list(statuses), limit,
        )
        return [ClaimRow(**dict(r)) for r in rows]

    async def get_claim(self, claim_id: UUID) -> ClaimRow | None:
        row = await self.pool.fetchrow(f"{CLAIM_SELECT} WHERE c.id = $1", claim_id)
        return ClaimRow(**dict(row)) if row else None

    async def claims_to_review(self, organisation_id: UUID, limit: int = 100) -> list[ClaimRow]:
        """Claims of a department's programmes awaiting its officers: to review, to pay, or owed back."""
        rows = await self.pool.fetch(
            f"{CLAIM_SELECT} WHERE p.organisation_id = $1 AND c.status IN ('submitted', 'approved', 'recovery_due')"
            " ORDER BY c.raised_at, c.id LIMIT $2",
            organisation_id, limit,
        )
        return [ClaimRow(**dict(r)) for r in rows]

    async def count_claims(self, *, organisation_id: UUID, beneficiary: bool) -> int:
        """Claims awaiting someone: a beneficiary's raised ones to submit, or an officer's submitted and
        approved ones to review and pay (the to-do count)."""
        if beneficiary:
            value = await self.pool.fetchval(
                "SELECT count(*) FROM programme_claims WHERE beneficiary_id = $1 AND status = 'raised'",
                organisation_id)
        else:
            value = await self.pool.fetchval(
                "SELECT count(*) FROM programme_claims c JOIN programmes p ON p.id = c.programme_id"
                " WHERE p.organisation_id = $1 AND c.status IN ('submitted', 'approved', 'recovery_due')",
                organisation_id)
        return int(value or 0)

    async def qualifications(self, *, name: str = "", limit: int = 100) -> list[QualifiedRow]:
        """Verified enterprises, by name (a part of it), with their verified qualifications."""
        rows = await self.pool.fetch(
            "SELECT id, name, kind, region, flags FROM accounts_organisations"
            " WHERE verified AND kind = 'enterprise' AND ($1 = '' OR strpos(name, $1) > 0)"
            " ORDER BY name, id LIMIT $2",
            name, limit,
        )
        return [QualifiedRow(**dict(r)) for r in rows]
