"""Market statistics, reading side (asyncpg): the figures of contracts in force, grouped.

A contract counts from its coming into force (signed by every party and its first payment paid), in the
Beijing-time period it came into force. Its amount is the contract price (fen); its technology income is
the registration record's where the seller prepared one. A party's region is the record's GB/T 2260 code
where present, else the organisation's region text mapped to a code, else ``unknown`` — in Fujian its city
(设区市), elsewhere its province (``projections.market.statistics.statistics_region``). The technical field is
the patent's first IPC code (section, class), else ``unknown``.
"""

from __future__ import annotations

from typing import Literal

import asyncpg
import msgspec

Period = Literal["month", "quarter", "year"]
Dimension = Literal["period", "ipc_section", "ipc_class", "seller_region", "buyer_region", "deal_kind",
                    "contract_type", "seller_kind", "registration_status"]
DIMENSIONS: tuple[Dimension, ...] = ("period", "ipc_section", "ipc_class", "seller_region", "buyer_region",
                                      "deal_kind", "contract_type", "seller_kind", "registration_status")
PERIOD_FORMATS: dict[Period, str] = {"month": "YYYY-MM", "quarter": 'YYYY-"Q"Q', "year": "YYYY"}
UNKNOWN = "unknown"


class StatisticRow(msgspec.Struct, frozen=True, kw_only=True):
    """One group's figures: contracts in force, their amount and the technology income registered (fen)."""

    key: str
    contracts: int
    amount: int
    technology_income: int


def _expression(dimension: Dimension, period: Period) -> str:
    """The SQL grouping expression of a dimension (fixed text, never the request's)."""
    unknown = f"'{UNKNOWN}'"
    expressions: dict[Dimension, str] = {
        "period": f"to_char(in_force_at AT TIME ZONE 'Asia/Shanghai', '{PERIOD_FORMATS[period]}')",
        "ipc_section": f"coalesce(nullif(ipc_section, ''), {unknown})",
        "ipc_class": f"coalesce(nullif(ipc_class, ''), {unknown})",
        "seller_region": f"coalesce(nullif(record_seller_region, ''), nullif(seller_region, ''), {unknown})",
        "buyer_region": f"coalesce(nullif(record_buyer_region, ''), nullif(buyer_region, ''), {unknown})",
        "deal_kind": f"coalesce(nullif(deal_kind, ''), {unknown})",
        "contract_type": f"coalesce(nullif(contract_type, ''), {unknown})",
        "seller_kind": f"coalesce(nullif(seller_kind, ''), {unknown})",
        "registration_status": "registration_status",
    }
    return expressions[dimension]


class StatisticsQueries:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def by(self, dimension: Dimension, period: Period = "month") -> list[StatisticRow]:
        """The figures grouped by ``dimension`` (periods in order, the others largest amount first)."""
        key = _expression(dimension, period)
        order = "key" if dimension == "period" else "amount DESC, key"
        rows = await self.pool.fetch(
            f"SELECT {key} AS key, count(*)::bigint AS contracts, coalesce(sum(amount), 0)::bigint AS amount,"  # noqa: S608 - fixed expressions
            " coalesce(sum(technology_income), 0)::bigint AS technology_income"
            f" FROM market_stat_contracts WHERE in_force_at IS NOT NULL GROUP BY 1 ORDER BY {order}"
        )
        return [StatisticRow(key=r["key"], contracts=r["contracts"], amount=r["amount"],
                             technology_income=r["technology_income"]) for r in rows]

    async def total(self) -> StatisticRow:
        row = await self.pool.fetchrow(
            "SELECT count(*)::bigint AS contracts, coalesce(sum(amount), 0)::bigint AS amount,"
            " coalesce(sum(technology_income), 0)::bigint AS technology_income"
            " FROM market_stat_contracts WHERE in_force_at IS NOT NULL"
        )
        assert row is not None
        return StatisticRow(key="total", contracts=row["contracts"], amount=row["amount"],
                            technology_income=row["technology_income"])
