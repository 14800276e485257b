"""Deals read model, reading side (asyncpg for the web; one psycopg read for the deadline worker)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg
import msgspec
from eventsourcing.postgres import PostgresDatastore

from domain.deals.royalty import next_report_period, report_due_on, unreported_year_ends
from projections.deals.rows import (
    BenefitRuleRow,
    BenefitShareLine,
    BenefitShareRow,
    ContractDetail,
    ContractRow,
    FiledObjectionRow,
    MinimumRoyaltyRow,
    ObjectionRow,
    ObligationRow,
    OfferEventRow,
    OfferRow,
    RoyaltyReportDueRow,
    RoyaltyReportRow,
    SignatureRow,
    TransferRow,
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
    " c.updated_at, c.version, c.inventor_share, c.milestones_delivered,"
    " coalesce(p.title_zh, c.terms->>'title', '') AS title_zh, coalesce(p.title_en, c.terms->>'title', '') AS title_en,"
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
    " refund_reason, refunded_at, fell_due_at, version, refund_owed_reason, refund_owed_at, voucher_id,"
    " voucher_amount, voucher_model, funds_source, paid_from"
)

BEIJING = ZoneInfo("Asia/Shanghai")  # a licence year and a report's due day are Beijing days


def _row(kind: type[Any], record: Any, drop: tuple[str, ...] = ("total",)) -> Any:
    if kind is ObligationRow and record.get("voucher_id") is None:
        drop = (*drop, *_VOUCHER_COLUMNS)  # no voucher applied: the answer leaves the voucher out
    if kind is ObligationRow and record.get("funds_source") in (None, "own"):
        drop = (*drop, "funds_source")  # the buyer's own funds (the default): left out, as before declarations
    if kind is ObligationRow and not record.get("paid_from"):
        drop = (*drop, "paid_from")  # the payer pays it (every obligation but an auction deposit's): left out
    return kind(**{k: v for k, v in record.items() if k not in drop})


_VOUCHER_COLUMNS = ("voucher_id", "voucher_amount", "voucher_model")


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

    async def contract_detail(self, contract_id: UUID, now: datetime | None = None) -> ContractDetail | None:
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
            minimum_royalties=await self.minimum_royalties(contract_id),
            report_due=next((r for r in await self.royalty_reports_due(
                contract.buyer_organisation_id, datetime.now(UTC) if now is None else now)
                if r.contract_id == contract_id), None),
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
            "SELECT contract_id, period_start, period_end, net_sales, royalty, top_up, obligation_id, reported_at,"
            " credit FROM deal_royalty_reports WHERE contract_id = $1 ORDER BY period_end",
            contract_id,
        )
        return [_row(RoyaltyReportRow, r) for r in rows]

    # --- what a party has to do next (issue 11; for the to-do queue) ----------------------
    async def contracts_to_sign(self, organisation_id: UUID, now: datetime) -> list[ContractRow]:
        """Contracts the organisation is a party to and has not signed, whose signing is open at ``now``:
        drafted, with no public notice or one that has ended, and no objection undecided or upheld
        (co-owners' consents may still be missing: the contract page says so). Oldest notice end first."""
        rows = await self.pool.fetch(
            f"SELECT {CONTRACT_COLUMNS}{CONTRACT_FROM}"
            " WHERE c.status = 'drafted' AND (c.buyer_organisation_id = $1 OR c.seller_organisation_id = $1)"
            " AND NOT ($1 = ANY(c.signed_by)) AND (c.notice_ends_at IS NULL OR c.notice_ends_at <= $2)"
            " AND c.objections_open = 0 AND c.objections_upheld = 0"
            " ORDER BY c.notice_ends_at NULLS LAST, c.drafted_at, c.id",
            organisation_id,
            now,
        )
        return [_row(ContractRow, r) for r in rows]

    async def objections_filed(self, organisation_id: UUID, limit: int = 100) -> list[FiledObjectionRow]:
        """Objections members of the organisation filed, newest first, with the seller's decision
        (``status`` open, upheld or dismissed, and its ``reason``) and the notice each was filed on."""
        rows = await self.pool.fetch(
            "SELECT o.id, o.contract_id, o.text, o.filed_at, o.status, o.reason, o.decided_at,"
            " coalesce(p.title_zh, '') AS title_zh, coalesce(p.title_en, '') AS title_en,"
            " coalesce(nullif(p.publication_number, ''), p.application_number, '') AS patent_number,"
            " c.notice_ends_at"
            " FROM deal_objections o JOIN deal_contracts c ON c.id = o.contract_id"
            " LEFT JOIN catalogue_patents p ON p.id = c.patent_id"
            " WHERE o.organisation_id = $1 ORDER BY o.filed_at DESC, o.id LIMIT $2",
            organisation_id,
            limit,
        )
        return [_row(FiledObjectionRow, r) for r in rows]

    async def patent_numbers(self, contract_ids: list[UUID]) -> dict[UUID, str]:
        """The number of each contract's patent (its publication number, else its application number), as a
        public notice names it."""
        rows = await self.pool.fetch(
            "SELECT c.id, coalesce(nullif(p.publication_number, ''), p.application_number, '') AS number"
            " FROM deal_contracts c LEFT JOIN catalogue_patents p ON p.id = c.patent_id"
            " WHERE c.id = ANY($1::uuid[])",
            contract_ids,
        )
        return {r["id"]: r["number"] or "" for r in rows}
    async def benefit_share_lines(self, organisation_id: UUID, inventor: str | None = None) -> list[BenefitShareLine]:
        """The benefit shares of the payments to a seller (those of inventors named like ``inventor``), each with
        the payment's purpose and the contract's patent title (the benefits page links both)."""
        rows = await self.pool.fetch(
            "SELECT b.obligation_id, b.contract_id, b.recipient, b.name, b.organisation_id, b.amount, b.currency,"
            " b.reversed, b.paid_at, coalesce(o.purpose, '') AS purpose, coalesce(p.title_zh, '') AS title_zh,"
            " coalesce(p.title_en, '') AS title_en"
            " FROM deal_benefit_shares b JOIN deal_contracts c ON c.id = b.contract_id"
            " LEFT JOIN deal_obligations o ON o.id = b.obligation_id"
            " LEFT JOIN catalogue_patents p ON p.id = c.patent_id"
            " WHERE c.seller_organisation_id = $1 AND ($2::text IS NULL OR b.name ILIKE '%' || $2 || '%')"
            " ORDER BY b.paid_at, b.obligation_id, b.seq",
            organisation_id,
            inventor,
        )
        return [_row(BenefitShareLine, r) for r in rows]

    async def minimum_royalties(self, contract_id: UUID) -> list[MinimumRoyaltyRow]:
        """Minimum annual royalties charged on a licence because a licence year ended unreported."""
        rows = await self.pool.fetch(
            "SELECT contract_id, year_end, amount, obligation_id, fell_due_at FROM deal_minimum_royalties"
            " WHERE contract_id = $1 ORDER BY year_end",
            contract_id,
        )
        return [_row(MinimumRoyaltyRow, r) for r in rows]

    async def benefit_rules(self, organisation_id: UUID) -> list[BenefitRuleRow]:
        """The inventors' shares an institution set, newest first (none: the legal floor, 50 %)."""
        rows = await self.pool.fetch(
            "SELECT organisation_id, inventor_share, set_at FROM deal_benefit_rules WHERE organisation_id = $1"
            " ORDER BY version DESC",
            organisation_id,
        )
        return [_row(BenefitRuleRow, r) for r in rows]

    async def royalty_reports_due(self, organisation_id: UUID, now: datetime) -> list[RoyaltyReportDueRow]:
        """The royalty reports the organisation's licences in force await at ``now``, oldest due first.

        For both parties: the licensee files them, the licensor waits for them (``side``). A licence
        with a running royalty or a minimum annual royalty awaits, once a licence year (or the
        licence's last part year) is over, the report of the days it has not reported yet: ``due``
        until ``report_due_on`` of the year's last day (30 days later), ``overdue`` after it. Reports
        are contiguous (``domain.deals.royalty``), so a licence awaits one report at a time.
        """
        today = now.astimezone(BEIJING).date()
        rows = await self.pool.fetch(
            "SELECT c.id, c.buyer_organisation_id, c.seller_organisation_id, c.terms, c.currency,"
            " coalesce(b.name, '') AS buyer_name, coalesce(s.name, '') AS seller_name,"
            " coalesce(p.title_zh, '') AS title_zh, coalesce(p.title_en, '') AS title_en,"
            " (SELECT max(r.period_end) FROM deal_royalty_reports r WHERE r.contract_id = c.id) AS last_end"
            " FROM deal_contracts c LEFT JOIN catalogue_patents p ON p.id = c.patent_id"
            " LEFT JOIN accounts_organisations b ON b.id = c.buyer_organisation_id"
            " LEFT JOIN accounts_organisations s ON s.id = c.seller_organisation_id"
            " WHERE c.status = 'in_force' AND c.contract_type = 'LicenceContract'"
            " AND (c.buyer_organisation_id = $1 OR c.seller_organisation_id = $1)"
            " AND (coalesce((c.terms->>'royalty_rate')::bigint, 0) > 0"
            "      OR coalesce((c.terms->>'minimum_annual_royalty')::bigint, 0) > 0)"
            " ORDER BY c.id",
            organisation_id,
        )
        due: list[RoyaltyReportDueRow] = []
        for row in rows:
            terms = row["terms"] if isinstance(row["terms"], dict) else msgspec.json.decode(row["terms"])
            scope = terms.get("scope") or {}
            if not scope.get("start") or not scope.get("end"):
                continue
            period = next_report_period(
                licence_start=date.fromisoformat(scope["start"]),
                licence_end=date.fromisoformat(scope["end"]),
                previous_end=row["last_end"],
            )
            if period is None or period[1] >= today:
                continue  # everything reported, or the period is not over yet
            due_on = report_due_on(period[1])
            charged = await self.pool.fetchval(
                "SELECT amount FROM deal_minimum_royalties WHERE contract_id = $1"
                " AND year_end >= $2 AND year_end <= $3 ORDER BY year_end LIMIT 1",
                row["id"], period[0], period[1],
            )
            licensee = row["buyer_organisation_id"] == organisation_id
            due.append(RoyaltyReportDueRow(
                contract_id=row["id"],
                side="licensee" if licensee else "licensor",
                licensee_organisation_id=row["buyer_organisation_id"],
                licensor_organisation_id=row["seller_organisation_id"],
                licensee_name=row["buyer_name"],
                licensor_name=row["seller_name"],
                title_zh=row["title_zh"],
                title_en=row["title_en"],
                period_start=period[0],
                period_end=period[1],
                due_on=due_on,
                status="overdue" if today > due_on else "due",
                overdue=today > due_on,
                minimum_charged=charged,
                currency=row["currency"],
            ))
        return sorted(due, key=lambda r: (r.due_on, str(r.contract_id)))
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
            " AND ((c.buyer_organisation_id = $1 OR c.seller_organisation_id = $1"
            "       AND (c.offer_id IS NOT NULL OR c.contract_type = 'DevelopmentContract'))"
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
        """Payments the organisation owes: due, or started and not paid yet, earliest due first (not those the
        platform pays from money it holds, such as an auction winner's deposit)."""
        rows = await self.pool.fetch(
            f"SELECT {OBLIGATION_COLUMNS} FROM deal_obligations"  # noqa: S608 - constants
            " WHERE payer_organisation_id = $1 AND status IN ('due', 'pending') AND paid_from IS NULL"
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


# --- bank transfers to reconcile (the platform admin's queue) ------------------------------------
#: A bank transfer awaiting receipt: started through the manual gateway and not paid yet. Nothing but
#: ``Paid`` (which takes it off the queue) changes such a row after ``PaymentStarted``, so its
#: ``updated_at`` is when the payer started the transfer.
_AWAITING_TRANSFER = "o.status = 'pending' AND o.gateway = 'manual'"
#: The admin's search: a reference's start (case-insensitive; a whole reference is its own start), an amount
#: due in fen, a status and a gateway, each ignored when ``NULL``.
#: What the payer pays through the gateway: the whole, less a voucher part the programme pays (通兑).
_TO_PAY = "(o.amount - CASE WHEN o.voucher_model = 'provider' THEN o.voucher_amount ELSE 0 END)"
_SEARCH = (
    " WHERE ($1::text IS NULL OR starts_with(upper(o.reference), upper($1)))"
    f" AND ($2::bigint IS NULL OR {_TO_PAY} = $2)"
    " AND ($3::text IS NULL OR o.status = $3) AND ($4::text IS NULL OR o.gateway = $4)"
)


async def _found(
    queries: DealsQueries, select: str, order: str, params: tuple[Any, ...], limit: int, offset: int
) -> Any:
    """The page of rows ``select`` finds under ``_SEARCH`` and how many it finds in all (whatever the page)."""
    async with queries.pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        total = await conn.fetchval(f"SELECT count(*) FROM deal_obligations o{_SEARCH}", *params)  # noqa: S608
        rows = await conn.fetch(f"{select}{_SEARCH} ORDER BY {order} LIMIT $5 OFFSET $6", *params, limit, offset)
    return rows, int(total or 0)


async def transfers_awaiting_receipt(
    queries: DealsQueries,
    *,
    reference: str | None = None,
    amount: int | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[TransferRow], int]:
    """Bank transfers awaiting receipt, oldest first, with payer, payee and the contract's title; narrowed to
    references starting with ``reference`` and to the amount due ``amount`` (fen). ``amount`` is what the
    transfer brings: the whole, less a voucher part the programme pays the seller."""
    rows, total = await _found(
        queries,
        "SELECT o.id, o.contract_id, o.payer_organisation_id, coalesce(b.name, '') AS payer_name,"  # noqa: S608
        f" o.payee_organisation_id, coalesce(s.name, '') AS payee_name, {_TO_PAY} AS amount,"
        " o.currency, o.purpose,"
        " o.reference, o.status, o.updated_at AS started_at,"
        " coalesce(p.title_zh, '') AS title_zh, coalesce(p.title_en, '') AS title_en"
        " FROM deal_obligations o LEFT JOIN deal_contracts c ON c.id = o.contract_id"
        " LEFT JOIN catalogue_patents p ON p.id = c.patent_id"
        " LEFT JOIN accounts_organisations b ON b.id = o.payer_organisation_id"
        " LEFT JOIN accounts_organisations s ON s.id = o.payee_organisation_id",
        "o.updated_at, o.id",
        (reference, amount, "pending", "manual"),
        limit,
        offset,
    )
    return [_row(TransferRow, r) for r in rows], total


async def count_transfers_awaiting_receipt(queries: DealsQueries) -> int:
    """How many bank transfers await their receipt (the count beside the queue's link)."""
    count = await queries.pool.fetchval(
        f"SELECT count(*) FROM deal_obligations o WHERE {_AWAITING_TRANSFER}"  # noqa: S608 - constants
    )
    return int(count or 0)


async def find_obligations(
    queries: DealsQueries,
    *,
    reference: str | None = None,
    amount: int | None = None,
    status: str | None = None,
    gateway: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[ObligationRow], int]:
    """Every organisation's payment obligations (the platform admin's search), oldest first: by a reference's
    start, the amount due (fen), status and gateway."""
    columns = ", ".join(f"o.{c.strip()}" for c in OBLIGATION_COLUMNS.split(","))
    rows, total = await _found(
        queries,
        f"SELECT {columns} FROM deal_obligations o",  # noqa: S608 - constants
        "o.fell_due_at, o.id",
        (reference, amount, status, gateway),
        limit,
        offset,
    )
    return [_row(ObligationRow, r) for r in rows], total
def licences_owing_minimum_royalty(datastore: PostgresDatastore, today: date, limit: int = 500) -> list[UUID]:
    """Licences in force with a minimum annual royalty and a whole licence year, over by ``today``, that
    no report closed and whose minimum is not charged yet (for the deadline worker; the application
    works the years out again on the contract and charges each once)."""
    with datastore.transaction(commit=False) as curs:
        curs.execute(
            "SELECT c.id, c.terms->'scope'->>'start' AS start, c.terms->'scope'->>'end' AS end_,"
            " (SELECT max(r.period_end) FROM deal_royalty_reports r WHERE r.contract_id = c.id) AS last_end,"
            " ARRAY(SELECT m.year_end FROM deal_minimum_royalties m WHERE m.contract_id = c.id) AS charged"
            " FROM deal_contracts c WHERE c.status = 'in_force' AND c.contract_type = 'LicenceContract'"
            " AND coalesce((c.terms->>'minimum_annual_royalty')::bigint, 0) > 0"
            " AND (c.terms->'scope'->>'start')::date < %s::date ORDER BY c.id",
            (today,),
        )
        found: list[UUID] = []
        for row in curs.fetchall():
            years = unreported_year_ends(
                licence_start=date.fromisoformat(row["start"]), licence_end=date.fromisoformat(row["end_"]),
                previous_end=row["last_end"], today=today,
            )
            if set(years) - set(row["charged"] or []):
                found.append(row["id"])
        return found[:limit]
