"""Statutory terms of protection, used to derive a patent's expiry date when none is given."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from domain.shared.errors import ValidationError


class PatentType(StrEnum):
    """Chinese patent types (专利类型): 发明, 实用新型, 外观设计."""

    INVENTION = "invention"
    UTILITY_MODEL = "utility_model"
    DESIGN = "design"


class LegalStatus(StrEnum):
    """Legal status (法律状态) of a patent or application."""

    PENDING = "pending"
    GRANTED = "granted"
    LAPSED = "lapsed"
    EXPIRED = "expired"
    INVALIDATED = "invalidated"
    WITHDRAWN = "withdrawn"


#: While a patent is in one of these statuses its listing is suspended (no valid right to trade).
SUSPENDING_STATUSES = frozenset({LegalStatus.LAPSED, LegalStatus.EXPIRED, LegalStatus.INVALIDATED})
#: A patent in one of these statuses cannot get a new listing.
UNLISTABLE_STATUSES = SUSPENDING_STATUSES | {LegalStatus.WITHDRAWN}

#: Patent Law of the PRC, Art. 42 as amended in 2020 (in force 2021-06-01): design term 15 years.
DESIGN_15_YEARS_FROM = date(2021, 6, 1)


def parse_patent_type(value: str, field: str = "patent_type") -> PatentType:
    try:
        return PatentType(value)
    except ValueError:
        allowed = ", ".join(t.value for t in PatentType)
        raise ValidationError(f"{field}: must be one of {allowed}", field=field, code="choice") from None


def parse_legal_status(value: str, field: str = "legal_status") -> LegalStatus:
    try:
        return LegalStatus(value)
    except ValueError:
        allowed = ", ".join(s.value for s in LegalStatus)
        raise ValidationError(f"{field}: must be one of {allowed}", field=field, code="choice") from None


def _add_years(start: date, years: int) -> date:
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February in a non-leap target year
        return start.replace(year=start.year + years, day=28)


def statutory_expiry(jurisdiction: str, patent_type: PatentType, filing_date: date) -> date | None:
    """The day after the last day of protection counted from the filing date.

    Patent Law of the PRC, Art. 42: invention 20 years, utility model 10 years, design 15
    years (10 years for designs filed before 2021-06-01, under the 2008 text), all counted
    from the filing date. Elsewhere only the TRIPS Art. 33 minimum of 20 years for
    inventions is assumed; other types return ``None`` (unknown, to be entered by hand).
    """
    if jurisdiction.upper() == "CN":
        if patent_type is PatentType.INVENTION:
            years = 20
        elif patent_type is PatentType.UTILITY_MODEL:
            years = 10
        else:
            years = 15 if filing_date >= DESIGN_15_YEARS_FROM else 10
        return _add_years(filing_date, years)
    if patent_type is PatentType.INVENTION:
        return _add_years(filing_date, 20)
    return None
