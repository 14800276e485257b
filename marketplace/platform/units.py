"""Units the commands take from people and keep in another form (percentages as basis points)."""

from __future__ import annotations

from decimal import Decimal

from domain.shared.errors import ValidationError


def percent_to_basis_points(value: float, field: str) -> int:
    """Shares are entered as percentages with at most two decimals and kept as basis points."""
    bp = Decimal(str(value)) * 100
    if bp != bp.to_integral_value():
        raise ValidationError(f"{field}: at most two decimals", field=field, code="amount.decimals")
    return int(bp)
