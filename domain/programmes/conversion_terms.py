"""A conversion programme's terms: when a fiscally funded patent must have been put to use.

科学技术进步法 (2021) provides that the results of fiscally funded projects that are not implemented
within a reasonable period without good reason may be implemented by the state or licensed to others
(the policy file records it as art. 33; a relayed text numbers it 32, so the article number is the
officer's ``legal_basis`` text, not a constant). No Fujian rule with a concrete period was found, so
the period is a programme setting: by default the funding's end plus three years, per funder if the
officer says so, and the owner is told ``warning_days`` before the deadline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from domain.shared.errors import ValidationError

DEFAULT_YEARS = 3
DEFAULT_WARNING_DAYS = 90
DEFAULT_LEGAL_BASIS = (
    "《中华人民共和国科学技术进步法》（2021年修订）关于利用财政性资金设立的科学技术计划项目所形成科技成果"
    "在合理期限内没有实施的，国家可以无偿实施，也可以许可他人有偿或者无偿实施的规定"
)
LEGAL_BASIS_LIMIT = 1000
FUNDER_LIMIT = 200
MAX_YEARS = 20


def add_years(day: date, years: int) -> date:
    """The same day ``years`` later (29 February becomes 28 February in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _check_years(years: int, field: str) -> None:
    if isinstance(years, bool) or not isinstance(years, int) or not 1 <= years <= MAX_YEARS:
        raise ValidationError(f"{field}: give 1 to {MAX_YEARS} years", field=field, code="years.range", low=1,
                              high=MAX_YEARS)


@dataclass(frozen=True)
class ConversionTerms:
    """When funded results must be converted: ``years`` after the funding's end (``funder_years`` overrides it
    for a named funder), the owner warned ``warning_days`` before; ``funders``: the funders whose patents the
    programme watches (empty: every funded patent); ``legal_basis``: the rule the officer acts under."""

    years: int = DEFAULT_YEARS
    warning_days: int = DEFAULT_WARNING_DAYS
    funder_years: tuple[tuple[str, int], ...] = ()
    funders: tuple[str, ...] = ()
    legal_basis: str = DEFAULT_LEGAL_BASIS

    def __post_init__(self) -> None:
        _check_years(self.years, "rules.conversion.years")
        if isinstance(self.warning_days, bool) or not 0 <= self.warning_days <= 366:
            raise ValidationError("rules.conversion.warning_days: give 0 to 366 days",
                                  field="rules.conversion.warning_days", code="days.range", low=0, high=366)
        for i, (funder, years) in enumerate(self.funder_years):
            _check_years(years, f"rules.conversion.funder_years.{i}.years")
            if not funder.strip() or len(funder) > FUNDER_LIMIT:
                raise ValidationError(f"rules.conversion.funder_years.{i}.funder: name the funder",
                                      field=f"rules.conversion.funder_years.{i}.funder", code="required")
        if not self.legal_basis.strip() or len(self.legal_basis) > LEGAL_BASIS_LIMIT:
            raise ValidationError(f"rules.conversion.legal_basis: give the legal basis (at most {LEGAL_BASIS_LIMIT}"
                                  " characters)", field="rules.conversion.legal_basis", code="required")

    def watches(self, funding: dict[str, Any] | None) -> bool:
        """Whether a patent's funding falls under the programme (it has an end date, and a watched funder)."""
        if not funding or not funding.get("end_date"):
            return False
        return not self.funders or _key(funding.get("funder", "")) in {_key(f) for f in self.funders}

    def years_for(self, funder: str) -> int:
        for name, years in self.funder_years:
            if _key(name) == _key(funder):
                return years
        return self.years

    def deadline(self, funding: dict[str, Any]) -> date:
        """The conversion deadline of a funding (its end date plus the funder's years)."""
        return add_years(date.fromisoformat(funding["end_date"]), self.years_for(funding.get("funder", "")))

    def warn_from(self, deadline: date) -> date:
        return deadline - timedelta(days=self.warning_days)

    def as_dict(self) -> dict[str, Any]:
        return {"years": self.years, "warning_days": self.warning_days,
                "funder_years": [{"funder": f, "years": y} for f, y in self.funder_years],
                "funders": list(self.funders), "legal_basis": self.legal_basis}


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def conversion_terms_from_dict(data: dict[str, Any]) -> ConversionTerms:
    return ConversionTerms(
        years=data.get("years", DEFAULT_YEARS), warning_days=data.get("warning_days", DEFAULT_WARNING_DAYS),
        funder_years=tuple((f["funder"], f["years"]) for f in data.get("funder_years", ())),
        funders=tuple(data.get("funders", ())), legal_basis=data.get("legal_basis", DEFAULT_LEGAL_BASIS),
    )
