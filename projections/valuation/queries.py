"""Valuation records, reading side (asyncpg): per patent, per IPC field, per valuer (with calibration).

Amounts: assessment values are yuan (``Decimal``) as the valuer's method computed them; market prices
(offers, contract prices, open-licence fees) are minor units (fen) as the deals record them.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from domain.catalogue.ipc import parse_ipc
from domain.shared.errors import DomainError, ValidationError


class AccreditationRow(msgspec.Struct, frozen=True):
    user_id: UUID
    display_name: str
    organisation_id: UUID
    organisation_name: str
    credential_number: str
    accredited_on: date | None
    expires_on: date
    revoked_on: date | None
    revocation_reason: str
    status: str  # active, expired, revoked (on the day asked)


class AssessmentRow(msgspec.Struct, frozen=True, omit_defaults=True):
    """An assessment as recorded; the signature fields are left out of the JSON while unset (an assessment
    recorded before signing existed answers exactly as it did; ``countersigned_*`` appear once countersigned)."""

    id: UUID
    patent_id: UUID
    patent_number: str
    title_zh: str
    title_en: str
    valuer_id: UUID
    valuer_name: str
    organisation_id: UUID
    organisation_name: str
    purpose: str
    basis_date: date
    method: str
    inputs: dict[str, Any]
    value: Decimal
    low: Decimal
    high: Decimal
    unit: str
    assumptions: str
    report_reference: str
    steps: dict[str, Any]
    supersedes: UUID | None
    status: str
    superseded_by: UUID | None
    withdrawn_reason: str | None
    recorded_at: datetime
    # Signatures (issue 11): empty on assessments recorded before signing existed.
    report_sha256: str = ""
    signed_by: UUID | None = None
    signer_name: str = ""
    signed_at: datetime | None = None
    countersigned_by: UUID | None = None
    countersigner_name: str = ""
    countersigned_at: datetime | None = None


class OfferRow(msgspec.Struct, frozen=True):
    offer_id: UUID
    version: int
    side: str
    deal_type: str
    price: int
    currency: str
    offered_at: datetime


class PriceRow(msgspec.Struct, frozen=True, omit_defaults=True):
    contract_id: UUID
    patent_id: UUID
    deal_type: str
    price: int
    currency: str
    drafted_at: datetime
    paid_at: datetime
    year: int
    #: Where the price came from: ``auction`` (a hammer price) or ``open_licence``; left out for a negotiated price
    #: (the answer as it always was).
    source: str | None = None


class OpenLicenceRow(msgspec.Struct, frozen=True):
    listing_id: UUID
    status: str
    fee: int
    currency: str
    royalty_rate: int
    term_years: int


class PatentFields(msgspec.Struct, frozen=True):
    patent_id: UUID
    patent_number: str
    title_zh: str
    title_en: str
    ipc_codes: list[str]
    main_groups: list[str]
    subclasses: list[str]
    classes: list[str]


class PatentValuationRecord(msgspec.Struct, frozen=True):
    """Everything the market knows about one patent's value, oldest first."""

    patent: PatentFields
    assessments: list[AssessmentRow]
    offers: list[OfferRow]
    prices: list[PriceRow]
    open_licences: list[OpenLicenceRow]


class PriceStats(msgspec.Struct, frozen=True):
    """Observed contract prices paid (fen) in a field, per deal type and year: count, median, quartiles."""

    deal_type: str
    year: int
    currency: str
    count: int
    median: int
    p25: int
    p75: int


class TakeUpStats(msgspec.Struct, frozen=True):
    """Open licences taken up in a field, per year (Beijing time) of taking up: how many, how many of them
    paid the fee, and the fees (fen) the licensees took them up at: median and quartiles."""

    year: int
    currency: str
    count: int
    paid: int
    median: int
    p25: int
    p75: int


class FieldRecord(msgspec.Struct, frozen=True):
    ipc: str
    level: str  # group (main group), subclass, class
    patents: int
    prices: list[PriceStats]
    assessments: list[AssessmentRow]
    open_licence_take_ups: list[TakeUpStats] = msgspec.field(default_factory=list)


class CalibrationPair(msgspec.Struct, frozen=True):
    """One assessment against the price later realised for the same patent."""

    contract_id: UUID
    patent_id: UUID
    patent_number: str
    deal_type: str
    price: int
    paid_at: datetime
    valuation_id: UUID
    value: Decimal
    basis_date: date
    ratio: float


class Calibration(msgspec.Struct, frozen=True):
    """How a valuer's assessments compare with realised prices.

    ``ratio`` is assessed value / realised price (median over pairs); ``bias`` the mean of
    (ratio − 1), positive when the valuer assesses above what the market later paid;
    ``mean_abs_error`` the mean of |ratio − 1|.
    """

    count: int
    median_ratio: float | None
    mean_ratio: float | None
    bias: float | None
    mean_abs_error: float | None
    pairs: list[CalibrationPair]


class ValuerProfile(msgspec.Struct, frozen=True):
    accreditation: AccreditationRow
    assessments: list[AssessmentRow]
    calibration: Calibration


def parse_field(text: str) -> tuple[str, str]:
    """An IPC field as asked in a URL: a main group (``H01M10/00``, or any group in it) or a (sub)class.

    Returns the normalised symbol and its level: ``("H01M 10/00", "group")``, ``("H01M", "subclass")``,
    ``("H01", "class")``.
    """
    try:
        code = parse_ipc(text.replace("_", "/"), field="ipc")
    except DomainError:
        raise ValidationError(
            f"ipc: {text!r} is not an IPC main group or class, e.g. H01M10/00, H01M or H01", field="ipc"
        ) from None
    if code.main_group_code is not None:
        return code.main_group_code, "group"
    if code.subclass_code is not None:
        return code.subclass_code, "subclass"
    if code.class_code is not None:
        return code.class_code, "class"
    raise ValidationError(
        "ipc: a section is too broad; give a class such as H01 or a subclass such as H01M", field="ipc"
    )


_FIELD_COLUMN = {"group": "main_groups", "subclass": "subclasses", "class": "classes"}

_ACCREDITATION_SELECT = (
    "SELECT a.user_id, COALESCE(u.display_name, '') AS display_name, a.organisation_id,"
    " COALESCE(o.name, '') AS organisation_name, a.credential_number, a.accredited_on, a.expires_on, a.revoked_on,"
    " a.revocation_reason, CASE WHEN a.revoked_on IS NOT NULL AND a.revoked_on <= $1 THEN 'revoked'"
    " WHEN a.expires_on < $1 THEN 'expired' ELSE 'active' END AS status"
    " FROM valuation_accreditations a LEFT JOIN accounts_users u ON u.id = a.user_id"
    " LEFT JOIN accounts_organisations o ON o.id = a.organisation_id"
)
_ASSESSMENT_SELECT = (
    "SELECT v.id, v.patent_id, COALESCE(f.patent_number, '') AS patent_number, COALESCE(f.title_zh, '') AS title_zh,"
    " COALESCE(f.title_en, '') AS title_en, v.valuer_id, COALESCE(u.display_name, '') AS valuer_name,"
    " v.organisation_id, COALESCE(o.name, '') AS organisation_name, v.purpose, v.basis_date, v.method, v.inputs,"
    " v.value, v.low, v.high, v.unit, v.assumptions, v.report_reference, v.steps, v.supersedes, v.status,"
    " v.superseded_by, v.withdrawn_reason, v.recorded_at, v.report_sha256, v.signed_by,"
    " COALESCE(su.display_name, '') AS signer_name, v.signed_at, v.countersigned_by,"
    " COALESCE(cu.display_name, '') AS countersigner_name, v.countersigned_at"
    " FROM valuation_assessments v LEFT JOIN valuation_patent_fields f ON f.patent_id = v.patent_id"
    " LEFT JOIN accounts_users u ON u.id = v.valuer_id LEFT JOIN accounts_organisations o ON o.id = v.organisation_id"
    " LEFT JOIN accounts_users su ON su.id = v.signed_by LEFT JOIN accounts_users cu ON cu.id = v.countersigned_by"
)
_PAIRS = """
    SELECT p.contract_id, p.patent_id, COALESCE(f.patent_number, '') AS patent_number, p.deal_type, p.price,
           p.paid_at, a.id AS valuation_id, a.value, a.basis_date,
           (a.value / (p.price / 100.0))::float8 AS ratio
    FROM valuation_market_prices p
    JOIN LATERAL (
        SELECT id, value, basis_date FROM valuation_assessments v
        WHERE v.patent_id = p.patent_id AND v.valuer_id = $1 AND v.status <> 'withdrawn'
          AND v.recorded_at < p.drafted_at AND v.unit = p.currency
        ORDER BY v.recorded_at DESC, v.id LIMIT 1
    ) a ON true
    LEFT JOIN valuation_patent_fields f ON f.patent_id = p.patent_id
    WHERE NOT p.refunded AND p.price > 0
"""


class ValuationQueries:
    """Reads of the valuation read model (asyncpg)."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    # --- accreditations -------------------------------------------------------------------
    async def list_accreditations(self, today: date) -> list[AccreditationRow]:
        rows = await self.pool.fetch(f"{_ACCREDITATION_SELECT} ORDER BY o.name, u.display_name, a.user_id", today)
        return [AccreditationRow(**dict(r)) for r in rows]

    async def get_accreditation(self, user_id: UUID, today: date) -> AccreditationRow | None:
        row = await self.pool.fetchrow(f"{_ACCREDITATION_SELECT} WHERE a.user_id = $2", today, user_id)
        return AccreditationRow(**dict(row)) if row else None

    # --- per patent -----------------------------------------------------------------------
    async def get_assessment(self, valuation_id: UUID) -> AssessmentRow | None:
        row = await self.pool.fetchrow(f"{_ASSESSMENT_SELECT} WHERE v.id = $1", valuation_id)
        return AssessmentRow(**dict(row)) if row else None

    async def patent_record(self, patent_id: UUID) -> PatentValuationRecord | None:
        fields = await self.pool.fetchrow(
            "SELECT patent_id, patent_number, title_zh, title_en, ipc_codes, main_groups, subclasses, classes"
            " FROM valuation_patent_fields WHERE patent_id = $1",
            patent_id,
        )
        if fields is None:
            return None
        assessments = await self.pool.fetch(
            f"{_ASSESSMENT_SELECT} WHERE v.patent_id = $1 ORDER BY v.recorded_at, v.id", patent_id
        )
        offers = await self.pool.fetch(
            "SELECT offer_id, version, side, deal_type, price, currency, offered_at FROM valuation_offers"
            " WHERE patent_id = $1 ORDER BY offered_at, offer_id, version",
            patent_id,
        )
        prices = await self.pool.fetch(
            "SELECT contract_id, patent_id, deal_type, price, currency, drafted_at, paid_at, year,"
            " nullif(source, 'negotiated') AS source"
            " FROM valuation_market_prices WHERE patent_id = $1 AND NOT refunded ORDER BY paid_at, contract_id",
            patent_id,
        )
        licences = await self.pool.fetch(
            "SELECT listing_id, status, fee, currency, royalty_rate, term_years FROM valuation_open_licences"
            " WHERE patent_id = $1 AND fee IS NOT NULL AND offered AND status <> 'draft'"
            " ORDER BY updated_at, listing_id",
            patent_id,
        )
        return PatentValuationRecord(
            PatentFields(**dict(fields)),
            [AssessmentRow(**dict(r)) for r in assessments],
            [OfferRow(**dict(r)) for r in offers],
            [PriceRow(**dict(r)) for r in prices],
            [OpenLicenceRow(**dict(r)) for r in licences],
        )

    # --- per field ------------------------------------------------------------------------
    async def field_record(self, ipc: str) -> FieldRecord:
        """Observed deal prices and current assessments of the patents in an IPC main group or (sub)class."""
        symbol, level = parse_field(ipc)
        column = _FIELD_COLUMN[level]
        in_field = f"SELECT patent_id FROM valuation_patent_fields WHERE $1 = ANY({column})"  # noqa: S608 - constant
        patents = await self.pool.fetchval(f"SELECT count(*) FROM ({in_field}) f", symbol)  # noqa: S608
        stats = await self.pool.fetch(
            "SELECT deal_type, year, currency, count(*)::int AS count,"  # noqa: S608 - constants only
            " round(percentile_cont(0.5) WITHIN GROUP (ORDER BY price))::bigint AS median,"
            " round(percentile_cont(0.25) WITHIN GROUP (ORDER BY price))::bigint AS p25,"
            " round(percentile_cont(0.75) WITHIN GROUP (ORDER BY price))::bigint AS p75"
            f" FROM valuation_market_prices WHERE NOT refunded AND patent_id IN ({in_field})"
            " GROUP BY deal_type, year, currency ORDER BY deal_type, year, currency",
            symbol,
        )
        assessments = await self.pool.fetch(
            f"{_ASSESSMENT_SELECT} WHERE v.status = 'current' AND v.patent_id IN ({in_field})"
            " ORDER BY v.basis_date DESC, v.id",
            symbol,
        )
        # Open licences taken up (a contract drafted without an offer: the licensee took the posted terms), paid or not.
        take_ups = await self.pool.fetch(
            "SELECT extract(year FROM c.drafted_at AT TIME ZONE 'Asia/Shanghai')::int AS year, c.currency,"  # noqa: S608
            " count(*)::int AS count,"
            " count(*) FILTER (WHERE p.contract_id IS NOT NULL AND NOT p.refunded)::int AS paid,"
            " round(percentile_cont(0.5) WITHIN GROUP (ORDER BY c.price))::bigint AS median,"
            " round(percentile_cont(0.25) WITHIN GROUP (ORDER BY c.price))::bigint AS p25,"
            " round(percentile_cont(0.75) WITHIN GROUP (ORDER BY c.price))::bigint AS p75"
            " FROM valuation_contracts c LEFT JOIN valuation_market_prices p USING (contract_id)"
            f" WHERE c.deal_type = 'open_licence' AND c.patent_id IN ({in_field})"
            " GROUP BY 1, 2 ORDER BY 1, 2",
            symbol,
        )
        return FieldRecord(
            symbol,
            level,
            int(patents),
            [PriceStats(**dict(r)) for r in stats],
            [AssessmentRow(**dict(r)) for r in assessments],
            [TakeUpStats(**dict(r)) for r in take_ups],
        )

    # --- per valuer -----------------------------------------------------------------------
    async def calibration(self, valuer_id: UUID) -> Calibration:
        """Each realised price against the valuer's latest unwithdrawn assessment recorded before the deal."""
        pairs = await self.pool.fetch(f"{_PAIRS} ORDER BY p.paid_at, p.contract_id", valuer_id)
        summary = await self.pool.fetchrow(
            "SELECT count(*)::int AS count, percentile_cont(0.5) WITHIN GROUP (ORDER BY ratio) AS median_ratio,"  # noqa: S608
            " avg(ratio) AS mean_ratio, avg(ratio - 1) AS bias, avg(abs(ratio - 1)) AS mean_abs_error"
            f" FROM ({_PAIRS}) pairs",
            valuer_id,
        )
        assert summary is not None
        return Calibration(**dict(summary), pairs=[CalibrationPair(**dict(r)) for r in pairs])

    async def valuer_profile(self, user_id: UUID, today: date) -> ValuerProfile | None:
        accreditation = await self.get_accreditation(user_id, today)
        if accreditation is None:
            return None
        assessments = await self.pool.fetch(
            f"{_ASSESSMENT_SELECT} WHERE v.valuer_id = $1 ORDER BY v.recorded_at DESC, v.id", user_id
        )
        return ValuerProfile(
            accreditation, [AssessmentRow(**dict(r)) for r in assessments], await self.calibration(user_id)
        )

    async def position(self) -> int:
        value = await self.pool.fetchval(
            "SELECT notification_id FROM valuation_tracking WHERE application_name = 'marketplace'"
        )
        return int(value or 0)


class AgencyMember(msgspec.Struct, frozen=True):
    user_id: UUID
    display_name: str
    organisation_name: str
    accredited: bool


async def agency_members(pool: asyncpg.Pool) -> list[AgencyMember]:
    """Users of valuation agencies (the people a platform admin may accredit), accredited or not."""
    rows = await pool.fetch(
        "SELECT u.id AS user_id, u.display_name, o.name AS organisation_name,"
        " EXISTS (SELECT 1 FROM valuation_accreditations a WHERE a.user_id = u.id) AS accredited"
        " FROM accounts_users u JOIN accounts_organisations o ON o.id = u.organisation_id"
        " WHERE o.kind = 'valuation_agency' ORDER BY o.name, u.display_name, u.id"
    )
    return [AgencyMember(**dict(r)) for r in rows]
