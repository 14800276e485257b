"""Deals read model, reading side (asyncpg for the web; one psycopg read for the deadline worker)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

import asyncpg
from eventsourcing.postgres import PostgresDatastore

from projections.deals.rows import (
    BenefitShareRow,
    ContractDetail,
    ContractRow,
    ObjectionRow,
    ObligationRow,
    OfferEventRow,
    OfferRow,
    RoyaltyReportRow,
    SignatureRow,
)

OFFER_COLUMNS = (
    "o.id, o.listing_id, o.patent_id, o.buyer_organisation_id, o.seller_organisation_id, o.broker_organisation_id,"
    " o.broker_commission, o.kind, o.terms, o.price_amount, o.currency, o.listed_price, o.status, o.awaiting,"
    " o.rounds, o.expires_at, o.made_at, o.closed_at, o.contract_id, o.updated_at, o.version,"
    " coalesce(l.title_zh, '') AS title_zh, coalesce(l.title_en, '') AS title_en,"
    " coalesce(b.name, '') AS buyer_name, coalesce(s.name, '') AS seller_name"
)
OFFER_FROM = (
    " FROM deal_offers o LEFT JOIN catalogue_listings l ON l.id = o.listing_id"
    " LEFT JOIN accounts_organisations b ON b.id = o.buyer_organisation_id"
    " LEFT JOIN accounts_organisations s ON s.id = o.seller_organisation_id"
)
CONTRACT_COLUMNS = (
    "c.id, c.contract_type, c.offer_id, c.listing_id, c.patent_id, c.seller_organisation_id,"
    " c.buyer_organisation_id, c.broker_organisation_id, c.broker_commission, c.kind, c.terms, c.price_amount,"
    " c.currency, c.text_zh, c.text_en, c.text_sha256, c.notice_ends_at, c.consents_required, c.consents_given,"
    " c.objections_open, c.objections_upheld, c.signed_by, c.status, c.in_force_at, c.registration_reference,"
    " c.milestones_reached, c.ownership_transferred, c.listing_closed, c.terminated_reason, c.drafted_at,"
    " c.updated_at, c.version,"
    " coalesce(p.title_zh, '') AS title_zh, coalesce(p.title_en, '') AS title_en,"
    " coalesce(b.name, '') AS buyer_name, coalesce(s.name, '') AS seller_name, coalesce(s.kind, '') AS seller_kind"
)
CONTRACT_FROM = (
    " FROM deal_contracts c LEFT JOIN catalogue_patents p ON p.id = c.patent_id"
    " LEFT JOIN accounts_organisations b ON b.id = c.buyer_organisation_id"
    " LEFT JOIN accounts_organisations s ON s.id = c.seller_organisation_id"
)
OBLIGATION_COLUMNS = (
    "id, contract_id, payer_organisation_id, payee_organisation_id, amount, currency, purpose, due_on, reference,"
    " status, gateway, provider_payment_id, paid_amount, paid_at, provider_refund_id, refunded_amount,"
    " refund_reason, refunded_at, fell_due_at, version, refund_owed_reason, refund_owed_at"
)


def _row(kind: type[Any], record: Any, drop: tuple[str, ...] = ("total",)) -> Any:
    return kind(**{k: v for k, v in record.items() if k not in drop})


class DealsQueries:
    """Reads of the deals read model (asyncpg)."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    # --- offers ---------------------------------------------------------------------------
    async def my_offers(
        self,
        organisation_id: UUID,
        *,
        side: str | None = None,
        status: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[OfferRow], int]:
        """Offers the organisation made (``side="buyer"``), received (``"seller"``), or both."""
        rows = await self.pool.fetch(
            f"SELECT {OFFER_COLUMNS}, count(*) OVER () AS total{OFFER_FROM}"
            " WHERE (($2::text IS NULL OR $2 = 'buyer') AND o.buyer_organisation_id = $1"
            "     OR ($2::text IS NULL OR $2 = 'seller') AND o.seller_organisation_id = $1)"
            " AND ($3::text IS NULL OR o.status = $3)"
            " ORDER BY o.updated_at DESC, o.id LIMIT $4 OFFSET $5",
            organisation_id,
            side,
            status,
            limit,
            offset,
        )
        return [_row(OfferRow, r) for r in rows], (rows[0]["total"] if rows else 0)

    async def get_offer(self, offer_id: UUID) -> OfferRow | None:
        row = await self.pool.fetchrow(f"SELECT {OFFER_COLUMNS}{OFFER_FROM} WHERE o.id = $1", offer_id)
        return _row(OfferRow, row) if row else None

    async def offer_thread(self, offer_id: UUID) -> list[OfferEventRow]:
        rows = await self.pool.fetch(
            "SELECT e.version, e.event_type, e.side, e.terms, e.expires_at, e.reason, e.by_user,"
            " coalesce(u.display_name, '') AS by_name, e.at"
            " FROM deal_offer_events e LEFT JOIN accounts_users u ON u.id = e.by_user"
            " WHERE e.offer_id = $1 ORDER BY e.version",
            offer_id,
        )
        return [_row(OfferEventRow, r) for r in rows]

    # --- contracts ------------------------------------------------------------------------
    async def my_contracts(self, organisation_id: UUID, limit: int = 50) -> list[ContractRow]:
        rows = await self.pool.fetch(
            f"SELECT {CONTRACT_COLUMNS}{CONTRACT_FROM}"
            " WHERE c.buyer_organisation_id = $1 OR c.seller_organisation_id = $1 OR $1 = ANY(c.consents_required)"
            " ORDER BY c.updated_at DESC, c.id LIMIT $2",
            organisation_id,
            limit,
        )
        return [_row(ContractRow, r) for r in rows]

    async def notices(self, *, limit: int = 100) -> list[ContractRow]:
        """Contracts subject to public notice (公示), newest first."""
        rows = await self.pool.fetch(
            f"SELECT {CONTRACT_COLUMNS}{CONTRACT_FROM}"
            " WHERE c.notice_ends_at IS NOT NULL ORDER BY c.notice_ends_at DESC, c.id LIMIT $1",
            limit,
        )
        return [_row(ContractRow, r) for r in rows]

    async def objections(self, contract_ids: list[UUID]) -> list[ObjectionRow]:
        rows = await self.pool.fetch(
            "SELECT id, contract_id, text, filed_at, status, reason, decided_at FROM deal_objections"
            " WHERE contract_id = ANY($1::uuid[]) ORDER BY filed_at, id",
            contract_ids,
        )
        return [_row(ObjectionRow, r) for r in rows]

    async def get_contract(self, contract_id: UUID) -> ContractRow | None:
        row = await self.pool.fetchrow(f"SELECT {CONTRACT_COLUMNS}{CONTRACT_FROM} WHERE c.id = $1", contract_id)
        return _row(ContractRow, row) if row else None

    async def contract_detail(self, contract_id: UUID) -> ContractDetail | None:
        contract = await self.get_contract(contract_id)
        if contract is None:
            return None
        signatures = await self.pool.fetch(
            "SELECT g.organisation_id, coalesce(o.name, '') AS organisation_name, g.by_user, g.signed_at,"
            " g.text_sha256 FROM deal_signatures g LEFT JOIN accounts_organisations o ON o.id = g.organisation_id"
            " WHERE g.contract_id = $1 ORDER BY g.signed_at, g.organisation_id",
            contract_id,
        )
        return ContractDetail(
            contract=contract,
            signatures=[_row(SignatureRow, r) for r in signatures],
            objections=await self.objections([contract_id]),
            obligations=await self.obligations(contract_id=contract_id),
            benefit_shares=await self.benefit_shares(contract_id=contract_id),
            royalty_reports=await self.royalty_reports(contract_id),
        )

    # --- payments -------------------------------------------------------------------------
    async def obligations(
        self, *, contract_id: UUID | None = None, organisation_id: UUID | None = None, status: str | None = None
    ) -> list[ObligationRow]:
        """Payment obligations of a contract, or those an organisation pays or receives."""
        rows = await self.pool.fetch(
            f"SELECT {OBLIGATION_COLUMNS} FROM deal_obligations"  # noqa: S608 - constants
            " WHERE ($1::uuid IS NULL OR contract_id = $1)"
            " AND ($2::uuid IS NULL OR payer_organisation_id = $2 OR payee_organisation_id = $2)"
            " AND ($3::text IS NULL OR status = $3) ORDER BY fell_due_at, id",
            contract_id,
            organisation_id,
            status,
        )
        return [_row(ObligationRow, r) for r in rows]

    async def refunds_owed(self) -> list[ObligationRow]:
        """The platform admin's refund queue: payments received for contracts that can no longer take
        effect, not refunded yet, oldest first."""
        rows = await self.pool.fetch(
            f"SELECT {OBLIGATION_COLUMNS} FROM deal_obligations"  # noqa: S608 - constants
            " WHERE refund_owed_reason IS NOT NULL AND status = 'paid' ORDER BY refund_owed_at, id"
        )
        return [_row(ObligationRow, r) for r in rows]

    async def count_refunds_owed(self) -> int:
        """How many refunds the platform admin's queue holds (the count on the deals page)."""
        count = await self.pool.fetchval(
            "SELECT count(*) FROM deal_obligations WHERE refund_owed_reason IS NOT NULL AND status = 'paid'"
        )
        return int(count or 0)

    async def get_obligation(self, obligation_id: UUID) -> ObligationRow | None:
        row = await self.pool.fetchrow(
            f"SELECT {OBLIGATION_COLUMNS} FROM deal_obligations WHERE id = $1",  # noqa: S608 - constants
            obligation_id,
        )
        return _row(ObligationRow, row) if row else None

    async def obligation_id_for_payment(self, provider_payment_id: str, *, gateway: str = "stripe") -> UUID | None:
        """The obligation a provider's payment (a Stripe PaymentIntent id) was started or paid for.

        For provider events that carry no ``metadata.obligation_id`` (Stripe's refund objects): the
        read model only locates the obligation, the command validates on the aggregate. ``None`` when
        no obligation, or more than one, has that payment.
        """
        rows = await self.pool.fetch(
            "SELECT id FROM deal_obligations WHERE provider_payment_id = $1 AND gateway = $2 LIMIT 2",
            provider_payment_id,
            gateway,
        )
        return rows[0]["id"] if len(rows) == 1 else None

    async def benefit_shares(
        self, *, contract_id: UUID | None = None, organisation_id: UUID | None = None, inventor: str | None = None
    ) -> list[BenefitShareRow]:
        """Benefit shares of paid obligations: of a contract, of a seller institution's contracts, or
        those of inventors whose name contains ``inventor`` (within that institution)."""
        rows = await self.pool.fetch(
            "SELECT b.obligation_id, b.contract_id, b.recipient, b.name, b.organisation_id, b.amount, b.currency,"
            " b.reversed, b.paid_at FROM deal_benefit_shares b JOIN deal_contracts c ON c.id = b.contract_id"
            " WHERE ($1::uuid IS NULL OR b.contract_id = $1) AND ($2::uuid IS NULL OR c.seller_organisation_id = $2)"
            " AND ($3::text IS NULL OR b.name ILIKE '%' || $3 || '%')"
            " ORDER BY b.paid_at, b.obligation_id, b.seq",
            contract_id,
            organisation_id,
            inventor,
        )
        return [_row(BenefitShareRow, r) for r in rows]

    async def royalty_reports(self, contract_id: UUID) -> list[RoyaltyReportRow]:
        rows = await self.pool.fetch(
            "SELECT contract_id, period_start, period_end, net_sales, royalty, top_up, obligation_id, reported_at"
            " FROM deal_royalty_reports WHERE contract_id = $1 ORDER BY period_end",
            contract_id,
        )
        return [_row(RoyaltyReportRow, r) for r in rows]

    # --- work queues (web.todo) ------------------------------------------------------------
    async def offers_awaiting(self, organisation_id: UUID, limit: int = 100) -> list[OfferRow]:
        """Open offers and counter-offers whose turn is the organisation's (buyer or seller side), soonest
        expiring first."""
        rows = await self.pool.fetch(
            f"SELECT {OFFER_COLUMNS}{OFFER_FROM} WHERE o.status = 'open'"
            " AND (o.awaiting = 'seller' AND o.seller_organisation_id = $1"
            "      OR o.awaiting = 'buyer' AND o.buyer_organisation_id = $1)"
            " ORDER BY o.expires_at, o.id LIMIT $2",
            organisation_id,
            limit,
        )
        return [_row(OfferRow, r) for r in rows]

    async def contracts_awaiting(self, organisation_id: UUID, limit: int = 100) -> list[ContractRow]:
        """Drafted contracts the organisation has still to sign (a party that signs: an open licence's
        licensor does not) or to consent to as a co-owner, oldest first."""
        rows = await self.pool.fetch(
            f"SELECT {CONTRACT_COLUMNS}{CONTRACT_FROM} WHERE c.status = 'drafted'"
            " AND ((c.buyer_organisation_id = $1 OR c.seller_organisation_id = $1 AND c.offer_id IS NOT NULL)"
            "      AND NOT $1 = ANY(c.signed_by)"
            "      OR $1 = ANY(c.consents_required) AND NOT $1 = ANY(c.consents_given))"
            " ORDER BY c.drafted_at, c.id LIMIT $2",
            organisation_id,
            limit,
        )
        return [_row(ContractRow, r) for r in rows]

    async def objections_to_decide(self, seller_organisation_id: UUID, limit: int = 100) -> list[ObjectionRow]:
        """Open objections to the public notices of the organisation's sales (its org admin decides them)."""
        rows = await self.pool.fetch(
            "SELECT j.id, j.contract_id, j.text, j.filed_at, j.status, j.reason, j.decided_at"
            " FROM deal_objections j JOIN deal_contracts c ON c.id = j.contract_id"
            " WHERE j.status = 'open' AND c.seller_organisation_id = $1 ORDER BY j.filed_at, j.id LIMIT $2",
            seller_organisation_id,
            limit,
        )
        return [_row(ObjectionRow, r) for r in rows]

    async def obligations_owed(self, payer_organisation_id: UUID, limit: int = 100) -> list[ObligationRow]:
        """Payments the organisation owes: due, or started and not paid yet, earliest due first."""
        rows = await self.pool.fetch(
            f"SELECT {OBLIGATION_COLUMNS} FROM deal_obligations"  # noqa: S608 - constants
            " WHERE payer_organisation_id = $1 AND status IN ('due', 'pending')"
            " ORDER BY due_on NULLS FIRST, fell_due_at, id LIMIT $2",
            payer_organisation_id,
            limit,
        )
        return [_row(ObligationRow, r) for r in rows]

    async def transfers_awaiting_receipt(self, limit: int = 100) -> list[ObligationRow]:
        """Bank transfers (对公转账) started and not recorded as received: the platform admin's to reconcile."""
        rows = await self.pool.fetch(
            f"SELECT {OBLIGATION_COLUMNS} FROM deal_obligations"  # noqa: S608 - constants
            " WHERE status = 'pending' AND gateway = 'manual' ORDER BY fell_due_at, id LIMIT $1",
            limit,
        )
        return [_row(ObligationRow, r) for r in rows]


def offers_due_to_expire(datastore: PostgresDatastore, now: datetime, limit: int = 500) -> list[UUID]:
    """Open offers whose ``expires_at`` has passed at ``now`` (for the deadline worker)."""
    with datastore.transaction(commit=False) as curs:
        curs.execute(
            "SELECT id FROM deal_offers WHERE status = 'open' AND expires_at <= %s ORDER BY expires_at, id LIMIT %s",
            (now, limit),
        )
        return [row["id"] for row in curs.fetchall()]


def contracts_with_instalments_due(datastore: PostgresDatastore, today: date, limit: int = 500) -> list[UUID]:
    """Signed or in-force contracts with a dated instalment due by ``today`` whose obligation is not
    raised yet (for the deadline worker; the application re-checks each contract)."""
    with datastore.transaction(commit=False) as curs:
        curs.execute(
            "SELECT c.id FROM deal_contracts c WHERE c.status IN ('signed', 'in_force')"
            " AND (SELECT count(*) FROM jsonb_array_elements(c.terms->'instalments') i"
            "      WHERE i->>'due' IS NOT NULL AND (i->>'due')::date <= %s)"
            "   > (SELECT count(*) FROM deal_obligations o"
            "      WHERE o.contract_id = c.id AND o.purpose LIKE 'instalment-%%')"
            " ORDER BY c.id LIMIT %s",
            (today, limit),
        )
        return [row["id"] for row in curs.fetchall()]
