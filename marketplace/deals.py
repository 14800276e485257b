"""Deal commands: offers, public notice, contracts, open licences, payments and their effects."""

from __future__ import annotations

from marketplace.app_base import MarketplaceBase


class DealCommands(MarketplaceBase):
    """Commands from first offer to paid, signed, registered deal (see docs/DEALS.md)."""
