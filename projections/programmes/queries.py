"""Programmes read model, reading side (asyncpg): programmes with their budgets, and claims."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec
from eventsourcing.postgres import PostgresDatastore


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
    #: An agency subsidy's claim (``side`` ``agency``): each payment of the year on the deals the agency brokered
    #: that the claim took up — ``obligation_id``, ``contract_id``, ``paid_at``, ``amount`` (fen), whether it
    #: ``counts`` and the ``refusals`` (label keys) why not; empty on the claims of paid deals.
    basis: list[dict[str, Any]] = msgspec.field(default_factory=list)
    #: What the beneficiary owes back after refunds (fen) and what it repaid; an agency claim's parts owed back
    #: by refunded payment (obligation id -> fen).
    owed_back: int = 0
    repaid: int = 0
    parts_owed: dict[str, int] = msgspec.field(default_factory=dict)

    @property
    def outstanding(self) -> int:
        return self.owed_back - self.repaid


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
    " c.disbursement_reference, c.raised_at, c.submitted_at, c.decided_at, c.paid_at, c.version, c.basis,"
    " c.owed_back, c.repaid, c.parts_owed"
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


class RelatedPairRow(msgspec.Struct, frozen=True, kw_only=True):
    """Two organisations recorded as related parties (or withdrawn), the latest reason, who and when."""

    id: UUID
    organisation_id: UUID
    organisation_name: str
    related_id: UUID
    related_name: str
    related: bool
    reason: str
    by_user: UUID
    by_name: str
    marked_at: datetime
    updated_at: datetime


class OrganisationPick(msgspec.Struct, frozen=True, kw_only=True):
    """An organisation found by name (or id) for an officer to pick."""

    id: UUID
    name: str
    kind: str
    region: str


class ProgrammeFigures(msgspec.Struct, frozen=True, kw_only=True):
    """A programme's claims counted by status, and the median days from a deal's payment to the award's
    disbursement (Xiamen settles quarterly; the aim is 30 days or less). ``None`` until one is paid."""

    by_status: dict[str, int]
    median_days_to_disbursement: float | None
    disbursed_claims: int


class VoucherRow(msgspec.Struct, frozen=True, kw_only=True):
    """An innovation voucher: its value (face, still to spend, owed, paid out, back in the budget) and terms."""

    id: UUID
    programme_id: UUID
    programme_name_zh: str
    programme_name_en: str
    programme_organisation_id: UUID
    organisation_id: UUID
    organisation_name: str
    face_value: int
    remaining: int
    owed: int
    settled: int
    returned: int
    share_bp: int
    cap_per_use: int | None
    redemption_model: str
    services: list[str]
    valid_until: date
    status: str
    batch_key: str
    application_reference: str
    issued_at: datetime
    expired_at: datetime | None
    version: int


class VoucherApplicationRow(msgspec.Struct, frozen=True, kw_only=True):
    """An enterprise's application for a voucher: what it asked for, and the officer's decision."""

    id: UUID
    programme_id: UUID
    programme_name_zh: str
    programme_name_en: str
    programme_organisation_id: UUID
    organisation_id: UUID
    organisation_name: str
    amount: int
    services: list[str]
    purpose: str
    status: str
    voucher_id: UUID | None
    reason: str
    applied_at: datetime
    decided_at: datetime | None
    version: int


class RedemptionRow(msgspec.Struct, frozen=True, kw_only=True):
    """A voucher spent on a payment: the cost, the voucher part, and whether the programme paid it out."""

    voucher_id: UUID
    obligation_id: UUID
    programme_id: UUID
    contract_id: UUID
    payer_organisation_id: UUID
    payer_name: str
    payee_organisation_id: UUID
    payee_name: str
    cost: int
    amount: int
    redemption_model: str
    status: str
    bank_reference: str
    reason: str
    redeemed_at: datetime
    settled_at: datetime | None
    #: The payment's status (``paid``: the buyer's part is received, the voucher part may be settled).
    payment_status: str = ""


class BonusRow(msgspec.Struct, frozen=True, kw_only=True):
    """The bonus a provider was paid with the settlement of one redemption (通兑): the redeemed base, the rate,
    the amount by the rate, the amount paid within the yearly cap and the budget (``capped_by``: why less)."""

    programme_id: UUID
    obligation_id: UUID
    voucher_id: UUID
    provider_organisation_id: UUID
    provider_name: str
    year: int
    redeemed: int
    rate_bp: int
    computed: int
    amount: int
    capped_by: str
    cap_per_year: int | None
    status: str
    bank_reference: str
    reason: str
    paid_at: datetime


def redeemed_share(issued: int, spent: int) -> int | None:
    """The share of issued voucher value spent (within validity: an expired voucher pays nothing), in basis
    points; ``None`` before any is issued (the figure the issue asks of the dashboard)."""
    return spent * 10_000 // issued if issued else None


class VoucherBook(msgspec.Struct, frozen=True, kw_only=True):
    """A programme's vouchers in sums. It reconciles to the budget: ``issued = unspent + owed + settled +
    returned``, and the budget's commitment to vouchers is ``unspent + owed`` (``committed`` of the programme
    holds it with the claims' commitments)."""

    issued: int
    unspent: int
    owed: int
    settled: int
    returned: int
    expired: int  # of ``returned``: what expiries gave back
    count: int
    by_status: dict[str, int]

    @property
    def reconciles(self) -> bool:
        return self.issued == self.unspent + self.owed + self.settled + self.returned

    @property
    def redeemed_share_bp(self) -> int | None:
        """The share of the issued value spent (always within validity: an expired voucher pays nothing), in
        basis points; ``None`` before any is issued."""
        return redeemed_share(self.issued, self.owed + self.settled)


APPLICATION_SELECT = (
    "SELECT a.id, a.programme_id, p.name_zh AS programme_name_zh, p.name_en AS programme_name_en,"
    " p.organisation_id AS programme_organisation_id, a.organisation_id, coalesce(o.name, '') AS organisation_name,"
    " a.amount, a.services, a.purpose, a.status, a.voucher_id, a.reason, a.applied_at, a.decided_at, a.version"
    " FROM programme_voucher_applications a JOIN programmes p ON p.id = a.programme_id"
    " LEFT JOIN accounts_organisations o ON o.id = a.organisation_id"
)
VOUCHER_SELECT = (
    "SELECT v.id, v.programme_id, p.name_zh AS programme_name_zh, p.name_en AS programme_name_en,"
    " p.organisation_id AS programme_organisation_id, v.organisation_id, coalesce(o.name, '') AS organisation_name,"
    " v.face_value, v.remaining, v.owed, v.settled, v.returned, v.share_bp, v.cap_per_use, v.redemption_model,"
    " v.services, v.valid_until, v.status, v.batch_key, v.application_reference, v.issued_at, v.expired_at, v.version"
    " FROM programme_vouchers v JOIN programmes p ON p.id = v.programme_id"
    " LEFT JOIN accounts_organisations o ON o.id = v.organisation_id"
)
BONUS_SELECT = (
    "SELECT g.programme_id, g.obligation_id, g.voucher_id, g.provider_organisation_id,"
    " coalesce(o.name, '') AS provider_name, g.year, g.redeemed, g.rate_bp, g.computed, g.amount, g.capped_by,"
    " g.cap_per_year, g.status, g.bank_reference, g.reason, g.paid_at"
    " FROM programme_voucher_bonuses g LEFT JOIN accounts_organisations o ON o.id = g.provider_organisation_id"
)
REDEMPTION_SELECT = (
    "SELECT r.voucher_id, r.obligation_id, r.programme_id, r.contract_id, r.payer_organisation_id,"
    " coalesce(b.name, '') AS payer_name, r.payee_organisation_id, coalesce(s.name, '') AS payee_name, r.cost,"
    " r.amount, r.redemption_model, r.status, r.bank_reference, r.reason, r.redeemed_at, r.settled_at,"
    " coalesce(d.status, '') AS payment_status"
    " FROM programme_voucher_redemptions r LEFT JOIN deal_obligations d ON d.id = r.obligation_id"
    " LEFT JOIN accounts_organisations b ON b.id = r.payer_organisation_id"
    " LEFT JOIN accounts_organisations s ON s.id = r.payee_organisation_id"
)


def vouchers_past_date(datastore: PostgresDatastore, today: date, limit: int = 500) -> list[UUID]:
    """Active vouchers whose last valid day is before ``today`` (Beijing), for the deadline worker (the
    voucher re-checks its date)."""
    with datastore.transaction(commit=False) as curs:
        curs.execute(
            "SELECT id FROM programme_vouchers WHERE status = 'active' AND valid_until < %s"
            " ORDER BY valid_until, id LIMIT %s",
            (today, limit),
        )
        return [row["id"] for row in curs.fetchall()]


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

    # --- related parties (关联方) -------------------------------------------------------------------
    async def related_pairs(self, limit: int = 500) -> list[RelatedPairRow]:
        """Every pair recorded as related parties (those still related first), latest change first."""
        rows = await self.pool.fetch(
            "SELECT r.id, r.organisation_id, coalesce(a.name, '') AS organisation_name, r.related_id,"
            " coalesce(b.name, '') AS related_name, r.related, r.reason, r.by_user,"
            " coalesce(u.display_name, '') AS by_name, r.marked_at, r.updated_at"
            " FROM programme_related_parties r"
            " LEFT JOIN accounts_organisations a ON a.id = r.organisation_id"
            " LEFT JOIN accounts_organisations b ON b.id = r.related_id"
            " LEFT JOIN accounts_users u ON u.id = r.by_user"
            " ORDER BY r.related DESC, r.updated_at DESC, r.id LIMIT $1",
            limit,
        )
        return [RelatedPairRow(**dict(r)) for r in rows]

    async def find_organisations(self, text: str, limit: int = 20) -> list[OrganisationPick]:
        """Organisations whose id is ``text`` or whose name contains it (exact names first)."""
        wanted = text.strip()
        if not wanted:
            return []
        rows = await self.pool.fetch(
            "SELECT id, name, kind, region FROM accounts_organisations"
            " WHERE id::text = lower($1) OR strpos(name, $1) > 0"
            " ORDER BY (id::text = lower($1) OR name = $1) DESC, name, id LIMIT $2",
            wanted, limit,
        )
        return [OrganisationPick(**dict(r)) for r in rows]

    # --- innovation vouchers ----------------------------------------------------------------------
    async def vouchers(self, *, programme_id: UUID | None = None, organisation_id: UUID | None = None,
                       status: str | None = None, limit: int = 500) -> list[VoucherRow]:
        """Vouchers of a programme or of a holder, newest first."""
        rows = await self.pool.fetch(
            f"{VOUCHER_SELECT} WHERE ($1::uuid IS NULL OR v.programme_id = $1)"
            " AND ($2::uuid IS NULL OR v.organisation_id = $2) AND ($3::text IS NULL OR v.status = $3)"
            " ORDER BY v.issued_at DESC, v.id LIMIT $4",
            programme_id, organisation_id, status, limit,
        )
        return [VoucherRow(**dict(r)) for r in rows]

    async def voucher_applications(self, *, programme_id: UUID | None = None, organisation_id: UUID | None = None,
                                   department_id: UUID | None = None, status: str | None = None,
                                   limit: int = 500) -> list[VoucherApplicationRow]:
        """Applications of a programme, of an enterprise, or to a department's programmes, oldest first."""
        rows = await self.pool.fetch(
            f"{APPLICATION_SELECT} WHERE ($1::uuid IS NULL OR a.programme_id = $1)"
            " AND ($2::uuid IS NULL OR a.organisation_id = $2) AND ($3::uuid IS NULL OR p.organisation_id = $3)"
            " AND ($4::text IS NULL OR a.status = $4) ORDER BY a.applied_at, a.id LIMIT $5",
            programme_id, organisation_id, department_id, status, limit,
        )
        return [VoucherApplicationRow(**dict(r)) for r in rows]

    async def get_voucher_application(self, application_id: UUID) -> VoucherApplicationRow | None:
        row = await self.pool.fetchrow(f"{APPLICATION_SELECT} WHERE a.id = $1", application_id)
        return VoucherApplicationRow(**dict(row)) if row is not None else None

    async def get_voucher(self, voucher_id: UUID) -> VoucherRow | None:
        row = await self.pool.fetchrow(f"{VOUCHER_SELECT} WHERE v.id = $1", voucher_id)
        return VoucherRow(**dict(row)) if row else None

    async def usable_vouchers(self, organisation_id: UUID, today: date) -> list[VoucherRow]:
        """The holder's vouchers that may be spent today (active, valid, value left), soonest to expire first."""
        rows = await self.pool.fetch(
            f"{VOUCHER_SELECT} WHERE v.organisation_id = $1 AND v.status = 'active' AND v.valid_until >= $2"
            " AND v.remaining > 0 ORDER BY v.valid_until, v.id",
            organisation_id, today,
        )
        return [VoucherRow(**dict(r)) for r in rows]

    async def vouchers_expiring(self, organisation_id: UUID, today: date, days: int = 30) -> list[VoucherRow]:
        """The holder's vouchers with value left whose validity ends within ``days`` (the to-do)."""
        rows = await self.pool.fetch(
            f"{VOUCHER_SELECT} WHERE v.organisation_id = $1 AND v.status = 'active' AND v.remaining > 0"
            " AND v.valid_until >= $2 AND v.valid_until < $2 + $3::int ORDER BY v.valid_until, v.id",
            organisation_id, today, days,
        )
        return [VoucherRow(**dict(r)) for r in rows]

    async def redemptions(self, *, programme_id: UUID | None = None, voucher_ids: list[UUID] | None = None,
                          obligation_id: UUID | None = None, status: str | None = None,
                          limit: int = 500) -> list[RedemptionRow]:
        """Redemptions of a programme, of some vouchers or of a payment, oldest first (a queue)."""
        rows = await self.pool.fetch(
            f"{REDEMPTION_SELECT} WHERE ($1::uuid IS NULL OR r.programme_id = $1)"
            " AND ($2::uuid[] IS NULL OR r.voucher_id = ANY($2)) AND ($3::uuid IS NULL OR r.obligation_id = $3)"
            " AND ($4::text IS NULL OR r.status = $4) ORDER BY r.redeemed_at, r.voucher_id LIMIT $5",
            programme_id, voucher_ids, obligation_id, status, limit,
        )
        return [RedemptionRow(**dict(r)) for r in rows]

    async def bonuses(self, *, programme_id: UUID | None = None,
                      provider_id: UUID | None = None, limit: int = 500) -> list[BonusRow]:
        """Provider bonuses of a programme or of a provider, oldest first."""
        rows = await self.pool.fetch(
            f"{BONUS_SELECT} WHERE ($1::uuid IS NULL OR g.programme_id = $1)"
            " AND ($2::uuid IS NULL OR g.provider_organisation_id = $2)"
            " ORDER BY g.paid_at, g.obligation_id LIMIT $3",
            programme_id, provider_id, limit,
        )
        return [BonusRow(**dict(r)) for r in rows]

    async def redemptions_to_settle(self, organisation_id: UUID | None, limit: int = 100) -> list[RedemptionRow]:
        """Redemptions of a department's programmes (``None``: every department's) the programme owes (to
        settle: the buyer's part received) or is owed (to recover)."""
        rows = await self.pool.fetch(
            f"{REDEMPTION_SELECT} JOIN programmes p ON p.id = r.programme_id"
            " WHERE ($1::uuid IS NULL OR p.organisation_id = $1)"
            " AND ((r.status = 'owed' AND d.status = 'paid') OR r.status = 'recovery_due')"
            " ORDER BY r.redeemed_at, r.voucher_id LIMIT $2",
            organisation_id, limit,
        )
        return [RedemptionRow(**dict(r)) for r in rows]

    async def department_redeemed_share(self, organisation_id: UUID | None) -> int | None:
        """The share of the value a department's voucher programmes issued (``None``: every department's) that
        was spent within validity, in basis points; ``None`` before any is issued."""
        row = await self.pool.fetchrow(
            "SELECT coalesce(sum(v.face_value), 0) AS issued, coalesce(sum(v.owed + v.settled), 0) AS spent"
            " FROM programme_vouchers v JOIN programmes p ON p.id = v.programme_id"
            " WHERE $1::uuid IS NULL OR p.organisation_id = $1", organisation_id)
        assert row is not None
        return redeemed_share(int(row["issued"]), int(row["spent"]))

    async def voucher_book(self, programme_id: UUID) -> VoucherBook:
        row = await self.pool.fetchrow(
            "SELECT coalesce(sum(face_value), 0) AS issued, coalesce(sum(remaining), 0) AS unspent,"
            " coalesce(sum(owed), 0) AS owed, coalesce(sum(settled), 0) AS settled,"
            " coalesce(sum(returned), 0) AS returned, count(*) AS n FROM programme_vouchers WHERE programme_id = $1",
            programme_id,
        )
        expired = await self.pool.fetchval(
            "SELECT coalesce(sum(returned), 0) FROM programme_vouchers WHERE programme_id = $1 AND status = 'expired'",
            programme_id,
        )
        statuses = await self.pool.fetch(
            "SELECT status, count(*) AS n FROM programme_vouchers WHERE programme_id = $1 GROUP BY status",
            programme_id,
        )
        assert row is not None
        return VoucherBook(issued=int(row["issued"]), unspent=int(row["unspent"]), owed=int(row["owed"]),
                           settled=int(row["settled"]), returned=int(row["returned"]), expired=int(expired or 0),
                           count=int(row["n"]), by_status={r["status"]: int(r["n"]) for r in statuses})
