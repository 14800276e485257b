"""The transfer-agency performance subsidy as Fujian's 2019 measures set it (对促进技术交易业绩突出的技术转移服务机构
给予补助): up to 2 % of the deals an agency brokered in a year, at most 500,000 yuan a year per agency
(``../shared/data/reference/policy_params.json`` → ``fujian_transfer_agency_subsidy_2019``).

This is the ceiling the figures allow, shown on the agency's page; the department decides the award.
"""

from __future__ import annotations

#: Basis points of the year's brokered volume (2 %).
RATE_BP = 200
#: The yearly cap per agency, in fen (500,000 yuan).
CAP_PER_YEAR = 500_000 * 100


def subsidy_ceiling(brokered_volume: int) -> int:
    """The most the measure allows for a year's brokered volume (fen): 2 % of it, at most 500,000 yuan."""
    if brokered_volume < 0:
        raise ValueError("brokered_volume: must not be negative")
    return min(brokered_volume * RATE_BP // 10_000, CAP_PER_YEAR)
