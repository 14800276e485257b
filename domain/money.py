"""Money in integer minor units with an ISO 4217 currency."""

from __future__ import annotations

import re
from dataclasses import dataclass

from domain.errors import ValidationError

_CURRENCY = re.compile(r"^[A-Z]{3}$")
DEFAULT_CURRENCY = "CNY"


@dataclass(frozen=True)
class Money:
    """An amount of money: ``amount`` minor units (fen for CNY) of ``currency``.

    Amounts are integers so that sums and shares never drift by floating-point rounding.
    """

    amount: int
    currency: str = DEFAULT_CURRENCY

    def __post_init__(self) -> None:
        if not isinstance(self.amount, int) or isinstance(self.amount, bool):
            raise ValidationError("amount: must be an integer number of minor units", field="amount")
        if self.amount < 0:
            raise ValidationError("amount: must not be negative", field="amount")
        if not _CURRENCY.match(self.currency):
            raise ValidationError(
                f"currency: must be a three-letter ISO 4217 code, got {self.currency!r}",
                field="currency",
            )

    def __str__(self) -> str:
        return f"{self.amount / 100:,.2f} {self.currency}"
