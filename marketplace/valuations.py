"""Valuation commands: valuer accreditation and assessments (评估)."""

from __future__ import annotations

from marketplace.app_base import MarketplaceBase


class ValuationCommands(MarketplaceBase):
    """Accrediting valuers and recording, superseding and withdrawing assessments."""
