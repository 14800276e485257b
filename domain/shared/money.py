"""Money in integer minor units with an ISO 4217 currency."""

from __future__ import annotations

import re
from dataclasses import dataclass

from domain.shared.errors import ValidationError

_CURRENCY = re.compile(r"^[A-Z]{3}$")
DEFAULT_CURRENCY = "CNY"
#: The largest amount of money the marketplace records, in minor units: 10^15 fen = ten trillion yuan.
#: Read models keep amounts in ``bigint`` columns (at most 2^63 − 1 ≈ 9.2 × 10^18), so a bounded
#: amount, and any sum or product of a few of them (a royalty plus its top-up, a price times a rate
#: in basis points), always fits.
MAX_AMOUNT = 10**15


def check_amount(value: int, field: str) -> None:
    """Refuse an amount of minor units that is not a whole number from 0 to ``MAX_AMOUNT``."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValidationError(f"{field}: must be an integer number of minor units", field=field, code="amount.whole")
    if value < 0:
        raise ValidationError(f"{field}: must not be negative", field=field, code="amount.negative")
    if value > MAX_AMOUNT:
        raise ValidationError(
            f"{field}: must be at most {MAX_AMOUNT:,} minor units (ten trillion yuan), got {value:,}",
            field=field,
            code="amount.too_large",
            most=MAX_AMOUNT,
        )


@dataclass(frozen=True)
class Money:
    """An amount of money: ``amount`` minor units (fen for CNY) of ``currency``.

    Amounts are integers so that sums and shares never drift by floating-point rounding.
    """

    amount: int
    currency: str = DEFAULT_CURRENCY

    def __post_init__(self) -> None:
        check_amount(self.amount, "amount")
        if not _CURRENCY.match(self.currency):
            raise ValidationError(
                f"currency: must be a three-letter ISO 4217 code, got {self.currency!r}",
                field="currency",
                code="currency.code",
                got=self.currency,
            )

    def __str__(self) -> str:
        return f"{self.amount / 100:,.2f} {self.currency}"
