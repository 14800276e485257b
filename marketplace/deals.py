"""Deal commands: offers, public notice, contracts, open licences, payments and their effects.

Every command loads the aggregates it touches, checks roles and ownership on them, and saves
every change in one atomic ``commit`` (see docs/DEALS.md). Times come from ``self.clock``.
The commands live in one mixin per stage of a deal; ``DealCommands`` combines them.
"""

from __future__ import annotations

from marketplace.deals_checks import NEEDS_CONSENT, DealChecks
from marketplace.deals_contracts import EXCLUDED_BY_EXCLUSIVE, ContractCommands
from marketplace.deals_offers import OfferCommands, deal_terms
from marketplace.deals_payments import PAYMENT_SUCCEEDED, REFUND_EVENTS, PaymentCommands
from marketplace.units import percent_to_basis_points as basis_points

__all__ = [
    "EXCLUDED_BY_EXCLUSIVE",
    "NEEDS_CONSENT",
    "PAYMENT_SUCCEEDED",
    "REFUND_EVENTS",
    "ContractCommands",
    "DealChecks",
    "DealCommands",
    "OfferCommands",
    "PaymentCommands",
    "basis_points",
    "deal_terms",
]


class DealCommands(PaymentCommands, ContractCommands, OfferCommands, DealChecks):
    """Commands from first offer to paid, signed, registered deal (see docs/DEALS.md)."""
