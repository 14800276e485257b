"""Brokers read model, reading side (asyncpg): the register, mandates, introductions and performance figures.

Performance reads the brokers' tables with the deals read model's (market reads deals): a deal is a contract
in force whose broker is the agency (for a broker: under one of its introductions), dated when it came into
force; its volume is the contract price; the commission is the broker shares of the payments received (not
reversed), dated when paid; an introduction converted when its buyer holds such a deal on the listing.
Periods are Beijing-time months, quarters or years.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

import asyncpg
import msgspec

from projections.market.statistics_queries import PERIOD_FORMATS, Period

Scope = Literal["agency", "broker"]


class BrokerRow(msgspec.Struct, frozen=True, kw_only=True):
    """An accredited broker (技术经纪人) and its agency, as the public register shows it."""

    id: UUID
    user_id: UUID
    display_name: str
    organisation_id: UUID
    agency_name: str
    credential_number: str
    accredited_on: date
    expires_on: date
    revoked_on: date | None
    revocation_reason: str


class MandateRow(msgspec.Struct, frozen=True, kw_only=True):
    """A seller's mandate of an agency for a listing (委托); ``commission`` in basis points."""

    id: UUID
    listing_id: UUID
    seller_organisation_id: UUID
    agency_id: UUID
    agency_name: str
    seller_name: str
    title_zh: str
    title_en: str
    commission: int
    starts_on: date
    ends_on: date
    may_act: bool
    ended_on: date | None
    end_reason: str

    def live_on(self, day: date) -> bool:
        return (self.ended_on is None or day < self.ended_on) and self.starts_on <= day <= self.ends_on


class IntroductionRow(msgspec.Struct, frozen=True, kw_only=True):
    """A broker's introduction of a buyer to a listing, and the buyer's answer."""

    id: UUID
    listing_id: UUID
    buyer_organisation_id: UUID
    buyer_name: str
    agency_id: UUID
    agency_name: str
    broker_user_id: UUID
    broker_name: str
    title_zh: str
    title_en: str
    introduced_on: date
    introduced_at: datetime
    note: str
    status: str


class BrokeredDealRow(msgspec.Struct, frozen=True, kw_only=True):
    """An offer an agency brokers and, once accepted, its contract (``commission`` in basis points)."""

    offer_id: UUID
    contract_id: UUID | None
    listing_id: UUID
    title_zh: str
    title_en: str
    buyer_name: str
    seller_name: str
    offer_status: str
    contract_status: str | None
    price_amount: int
    commission: int
    #: The offer's answer deadline (given where the broker answers it for the seller).
    expires_at: datetime | None = None


class PerformanceRow(msgspec.Struct, frozen=True, kw_only=True):
    """One period's figures (``period`` ``2026-03``, ``2026-Q1`` or ``2026``; amounts in fen)."""

    period: str
    introductions: int
    converted: int
    deals: int
    volume: int
    commission: int

    @property
    def conversion(self) -> float | None:
        """Introductions of the period that became deals, as a share of them (``None`` without any)."""
        return self.converted / self.introductions if self.introductions else None


BROKERS = (
    "SELECT b.id, b.user_id, coalesce(u.display_name, '') AS display_name, b.organisation_id,"
    " coalesce(o.name, '') AS agency_name, b.credential_number, b.accredited_on, b.expires_on, b.revoked_on,"
    " b.revocation_reason FROM market_brokers b LEFT JOIN accounts_users u ON u.id = b.user_id"
    " LEFT JOIN accounts_organisations o ON o.id = b.organisation_id"
)
MANDATES = (
    "SELECT m.id, m.listing_id, m.seller_organisation_id, m.agency_id, coalesce(a.name, '') AS agency_name,"
    " coalesce(s.name, '') AS seller_name, coalesce(p.title_zh, '') AS title_zh, coalesce(p.title_en, '') AS title_en,"
    " m.commission, m.starts_on, m.ends_on, m.may_act, m.ended_on, m.end_reason FROM market_mandates m"
    " LEFT JOIN accounts_organisations a ON a.id = m.agency_id"
    " LEFT JOIN accounts_organisations s ON s.id = m.seller_organisation_id"
    " LEFT JOIN catalogue_listings l ON l.id = m.listing_id LEFT JOIN catalogue_patents p ON p.id = l.patent_id"
)
INTRODUCTIONS = (
    "SELECT i.id, i.listing_id, i.buyer_organisation_id, coalesce(b.name, '') AS buyer_name, i.agency_id,"
    " coalesce(a.name, '') AS agency_name, i.broker_user_id, coalesce(u.display_name, '') AS broker_name,"
    " coalesce(p.title_zh, '') AS title_zh, coalesce(p.title_en, '') AS title_en, i.introduced_on,"
    " i.introduced_at, i.note, i.status FROM market_introductions i"
    " LEFT JOIN accounts_organisations b ON b.id = i.buyer_organisation_id"
    " LEFT JOIN accounts_organisations a ON a.id = i.agency_id LEFT JOIN accounts_users u ON u.id = i.broker_user_id"
    " LEFT JOIN catalogue_listings l ON l.id = i.listing_id LEFT JOIN catalogue_patents p ON p.id = l.patent_id"
)
#: The deals of a scope: contracts in force brokered by the agency ($1), or under the broker's ($1) introductions.
DEAL_SCOPE: dict[Scope, str] = {
    "agency": "c.broker_organisation_id = $1",
    "broker": ("EXISTS (SELECT 1 FROM market_introductions i WHERE i.broker_user_id = $1 AND i.status = 'confirmed'"
               " AND i.listing_id = c.listing_id AND i.buyer_organisation_id = c.buyer_organisation_id"
               " AND i.agency_id = c.broker_organisation_id)"),
}
INTRO_SCOPE: dict[Scope, str] = {"agency": "i.agency_id = $1", "broker": "i.broker_user_id = $1"}


def performance_sql(scope: Scope, period: Period) -> str:
    fmt = PERIOD_FORMATS[period]

    def bucket(column: str) -> str:
        return f"to_char({column} AT TIME ZONE 'Asia/Shanghai', '{fmt}')"

    return (
        "WITH deals AS (SELECT c.id, c.listing_id, c.buyer_organisation_id, c.price_amount, c.in_force_at"  # noqa: S608 - fixed text: scope and period choose constants
        f" FROM deal_contracts c WHERE c.in_force_at IS NOT NULL AND {DEAL_SCOPE[scope]}),"
        " intros AS (SELECT i.listing_id, i.buyer_organisation_id, i.introduced_on FROM market_introductions i"
        f" WHERE {INTRO_SCOPE[scope]} AND i.status = 'confirmed')"  # the buyer's word: no padding by the broker
        " SELECT period, sum(introductions)::int AS introductions, sum(converted)::int AS converted,"
        " sum(deals)::int AS deals, sum(volume)::bigint AS volume, sum(commission)::bigint AS commission FROM ("
        f"  SELECT to_char(i.introduced_on, '{fmt}') AS period, 1 AS introductions,"
        "   (EXISTS (SELECT 1 FROM deals d WHERE d.listing_id = i.listing_id"
        "    AND d.buyer_organisation_id = i.buyer_organisation_id))::int AS converted,"
        "   0 AS deals, 0::bigint AS volume, 0::bigint AS commission FROM intros i"
        f"  UNION ALL SELECT {bucket('d.in_force_at')}, 0, 0, 1, d.price_amount, 0 FROM deals d"
        f"  UNION ALL SELECT {bucket('s.paid_at')}, 0, 0, 0, 0, s.amount FROM deal_benefit_shares s"
        "   JOIN deals d ON d.id = s.contract_id WHERE s.recipient = 'broker' AND NOT s.reversed"
        " ) x GROUP BY period ORDER BY period"
    )


class BrokerQueries:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def brokers(self) -> list[BrokerRow]:
        rows = await self.pool.fetch(f"{BROKERS} ORDER BY o.name, b.accredited_on, b.id")
        return [msgspec.convert(dict(r), BrokerRow) for r in rows]

    async def broker(self, broker_id: UUID) -> BrokerRow | None:
        row = await self.pool.fetchrow(f"{BROKERS} WHERE b.id = $1", broker_id)
        return None if row is None else msgspec.convert(dict(row), BrokerRow)

    async def brokers_of(self, organisation_id: UUID) -> list[BrokerRow]:
        rows = await self.pool.fetch(f"{BROKERS} WHERE b.organisation_id = $1 ORDER BY b.accredited_on, b.id",
                                     organisation_id)
        return [msgspec.convert(dict(r), BrokerRow) for r in rows]

    async def mandates_for_listing(self, listing_id: UUID) -> list[MandateRow]:
        rows = await self.pool.fetch(f"{MANDATES} WHERE m.listing_id = $1 ORDER BY m.given_at, m.id", listing_id)
        return [msgspec.convert(dict(r), MandateRow) for r in rows]

    async def mandates_of_agency(self, agency_id: UUID) -> list[MandateRow]:
        rows = await self.pool.fetch(f"{MANDATES} WHERE m.agency_id = $1 ORDER BY m.given_at DESC, m.id", agency_id)
        return [msgspec.convert(dict(r), MandateRow) for r in rows]

    async def introductions(self, *, broker_user_id: UUID | None = None, buyer_organisation_id: UUID | None = None,
                            agency_id: UUID | None = None, status: str | None = None,
                            limit: int = 200) -> list[IntroductionRow]:
        rows = await self.pool.fetch(
            f"{INTRODUCTIONS} WHERE ($1::uuid IS NULL OR i.broker_user_id = $1)"
            " AND ($2::uuid IS NULL OR i.buyer_organisation_id = $2) AND ($3::uuid IS NULL OR i.agency_id = $3)"
            " AND ($4::text IS NULL OR i.status = $4) ORDER BY i.introduced_at DESC, i.id LIMIT $5",
            broker_user_id, buyer_organisation_id, agency_id, status, limit)
        return [msgspec.convert(dict(r), IntroductionRow) for r in rows]

    async def introduction(self, introduction_id: UUID) -> IntroductionRow | None:
        row = await self.pool.fetchrow(f"{INTRODUCTIONS} WHERE i.id = $1", introduction_id)
        return None if row is None else msgspec.convert(dict(row), IntroductionRow)

    async def performance(self, scope: Scope, subject: UUID, period: Period = "month") -> list[PerformanceRow]:
        rows = await self.pool.fetch(performance_sql(scope, period), subject)
        return [msgspec.convert(dict(r), PerformanceRow) for r in rows]

    async def brokered_deals(self, agency_id: UUID, *, limit: int = 200) -> list[BrokeredDealRow]:
        """The offers the agency brokers and their contracts, the newest first (its brokers follow them)."""
        rows = await self.pool.fetch(
            "SELECT o.id AS offer_id, c.id AS contract_id, o.listing_id, coalesce(p.title_zh, '') AS title_zh,"
            " coalesce(p.title_en, '') AS title_en, coalesce(b.name, '') AS buyer_name,"
            " coalesce(s.name, '') AS seller_name, o.status AS offer_status, c.status AS contract_status,"
            " coalesce(c.price_amount, o.price_amount) AS price_amount, o.broker_commission AS commission"
            " FROM deal_offers o LEFT JOIN deal_contracts c ON c.offer_id = o.id"
            " LEFT JOIN catalogue_patents p ON p.id = o.patent_id"
            " LEFT JOIN accounts_organisations b ON b.id = o.buyer_organisation_id"
            " LEFT JOIN accounts_organisations s ON s.id = o.seller_organisation_id"
            " WHERE o.broker_organisation_id = $1 ORDER BY o.made_at DESC, o.id LIMIT $2", agency_id, limit)
        return [msgspec.convert(dict(r), BrokeredDealRow) for r in rows]

    async def organisations(self, kind: str | None = None, *, not_kind: tuple[str, ...] = (),
                            limit: int = 500) -> list[tuple[UUID, str]]:
        """Verified organisations (of ``kind``, or not of ``not_kind``) by name: the choices of a form."""
        rows = await self.pool.fetch(
            "SELECT id, name FROM accounts_organisations WHERE verified AND ($1::text IS NULL OR kind = $1)"
            " AND NOT (kind = ANY($2::text[])) ORDER BY name LIMIT $3", kind, list(not_kind), limit)
        return [(r["id"], r["name"]) for r in rows]

    async def accreditable(self, limit: int = 500) -> list[tuple[UUID, str, str]]:
        """Members of verified transfer agencies not accredited yet: the choices of the accreditation form
        (user id, name, agency)."""
        rows = await self.pool.fetch(
            "SELECT u.id, u.display_name, o.name FROM accounts_users u"
            " JOIN accounts_organisations o ON o.id = u.organisation_id"
            " WHERE o.verified AND o.kind = 'transfer_agency'"
            " AND NOT EXISTS (SELECT 1 FROM market_brokers b WHERE b.user_id = u.id)"
            " ORDER BY o.name, u.display_name, u.id LIMIT $1", limit)
        return [(r["id"], r["display_name"], r["name"]) for r in rows]

    async def expiring(self, day: date, until: date) -> list[BrokerRow]:
        """Accreditations not revoked that are valid on ``day`` and expire by ``until``: to renew or let lapse."""
        rows = await self.pool.fetch(
            f"{BROKERS} WHERE b.revoked_on IS NULL AND b.expires_on >= $1 AND b.expires_on <= $2"
            " ORDER BY b.expires_on, b.id", day, until)
        return [msgspec.convert(dict(r), BrokerRow) for r in rows]

    async def offers_to_answer_for_seller(self, user_id: UUID, organisation_id: UUID,
                                          day: date) -> list[BrokeredDealRow]:
        """Open offers awaiting the seller's answer that the broker ``user_id`` may answer for it: its agency
        brokers them under a mandate running on ``day`` that lets its brokers act, and its accreditation is
        valid that day (the application checks it all again when the broker acts)."""
        rows = await self.pool.fetch(
            "SELECT o.id AS offer_id, NULL::uuid AS contract_id, o.listing_id, coalesce(p.title_zh, '') AS title_zh,"
            " coalesce(p.title_en, '') AS title_en, coalesce(b.name, '') AS buyer_name,"
            " coalesce(s.name, '') AS seller_name, o.status AS offer_status, NULL::text AS contract_status,"
            " o.price_amount, o.broker_commission AS commission, o.expires_at"
            " FROM deal_offers o JOIN market_mandates m ON m.listing_id = o.listing_id AND m.agency_id = $2"
            " AND m.seller_organisation_id = o.seller_organisation_id"
            " JOIN market_brokers k ON k.user_id = $1 AND k.organisation_id = $2"
            " LEFT JOIN catalogue_patents p ON p.id = o.patent_id"
            " LEFT JOIN accounts_organisations b ON b.id = o.buyer_organisation_id"
            " LEFT JOIN accounts_organisations s ON s.id = o.seller_organisation_id"
            " WHERE o.broker_organisation_id = $2 AND o.status = 'open' AND o.awaiting = 'seller'"
            " AND m.may_act AND m.starts_on <= $3 AND m.ends_on >= $3 AND (m.ended_on IS NULL OR m.ended_on > $3)"
            " AND k.accredited_on <= $3 AND k.expires_on >= $3 AND (k.revoked_on IS NULL OR k.revoked_on > $3)"
            " ORDER BY o.made_at, o.id", user_id, organisation_id, day)
        return [msgspec.convert(dict(r), BrokeredDealRow) for r in rows]

    async def broker_of_user(self, user_id: UUID) -> BrokerRow | None:
        """The user's accreditation as a broker (whatever its state), or ``None``."""
        row = await self.pool.fetchrow(f"{BROKERS} WHERE b.user_id = $1", user_id)
        return None if row is None else msgspec.convert(dict(row), BrokerRow)

    async def mandates_ending(self, seller_organisation_id: UUID, day: date, until: date) -> list[MandateRow]:
        """The seller's mandates running on ``day`` whose term ends by ``until``: to renew (give again) or let end."""
        rows = await self.pool.fetch(
            f"{MANDATES} WHERE m.seller_organisation_id = $1 AND m.starts_on <= $2 AND m.ends_on >= $2"
            " AND (m.ended_on IS NULL OR m.ended_on > $2) AND m.ends_on <= $3 ORDER BY m.ends_on, m.id",
            seller_organisation_id, day, until)
        return [msgspec.convert(dict(r), MandateRow) for r in rows]
