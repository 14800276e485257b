"""Deal commands: offers, public notice, contracts, open licences, payments and their effects.

Every command loads the aggregates it touches, checks roles and ownership on them, and saves
every change in one atomic ``commit`` (see docs/DEALS.md). Times come from ``self.clock``.
The commands live in one mixin per stage of a deal; ``DealCommands`` combines them.
"""

from __future__ import annotations

from marketplace.deals.checks import DealChecks
from marketplace.deals.contracts import ContractCommands
from marketplace.deals.offers import OfferCommands
from marketplace.deals.payments import PaymentCommands


class DealCommands(PaymentCommands, ContractCommands, OfferCommands, DealChecks):
    """Commands from first offer to paid, signed, registered deal (see docs/DEALS.md)."""
