"""The marketplace application: one event store and the command groups of each trade over it.

Each command takes one command struct and the acting user's id, loads aggregates, checks roles and
ownership on the aggregates themselves (never on a read model), and saves every changed aggregate in
one atomic ``save``. It returns the notification id of the last event written, so that callers can
wait for read models to catch up (read-your-writes). The groups: ``accounts``, ``catalogue``,
``registrations``, ``offers``, ``contracts``, ``payments``, ``valuation``, ``audit``, ``programmes``,
``vouchers``, ``conversions``, ``enquiries``, ``demands``, ``auctions``, ``tech_registrations``, ``brokers`` and
``packages``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping

from domain.catalogue.ipc import IpcScheme
from domain.market.mandates import introduction_id
from marketplace.accounts.people import Accounts
from marketplace.accounts.personal_data import PersonalData
from marketplace.auctions.auctions import Auctions, HeldDeposits
from marketplace.audit.reads import AuditReads
from marketplace.catalogue.patents import Catalogue
from marketplace.catalogue.registrations import Registrations
from marketplace.deals.checks import DealChecks, DealPolicy
from marketplace.deals.contracts import Contracts
from marketplace.deals.gateways.port import PaymentGateway
from marketplace.deals.offers import Offers
from marketplace.deals.payments import Payments
from marketplace.demand.demands import Demands
from marketplace.demand.enquiries import Enquiries
from marketplace.demand.storage import MaterialStore
from marketplace.market.brokers import Brokers
from marketplace.market.packages import Packages
from marketplace.market.registrations import TechRegistrations
from marketplace.notifications.watching import Watching
from marketplace.platform.app_base import MarketplaceBase
from marketplace.platform.clock import Clock
from marketplace.programmes.agency_subsidies import AgencySubsidies
from marketplace.programmes.conversions import Conversions
from marketplace.programmes.programmes import Programmes
from marketplace.programmes.vouchers import Vouchers
from marketplace.valuation.assessments import Valuations

#: The class of each command group, by the attribute that holds it on the application.
COMMAND_GROUPS: dict[str, type] = {
    "accounts": Accounts, "catalogue": Catalogue, "registrations": Registrations, "offers": Offers,
    "contracts": Contracts, "payments": Payments, "valuation": Valuations, "audit": AuditReads,
    "programmes": Programmes, "conversions": Conversions, "enquiries": Enquiries,
    "demands": Demands, "auctions": Auctions, "watching": Watching,
    "tech_registrations": TechRegistrations, "vouchers": Vouchers, "brokers": Brokers, "packages": Packages,
    "agency_subsidies": AgencySubsidies,
}


class Marketplace(MarketplaceBase):
    """All commands of the marketplace over one event store (tables ``marketplace_events``), by trade."""

    #: eventsourcing names an application after its class unless the class itself says otherwise;
    #: read models track their position under this name.
    name = "marketplace"

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        *,
        ipc_scheme: IpcScheme | None = None,
        clock: Clock | None = None,
        gateways: Mapping[str, PaymentGateway] | None = None,
        deal_policy: DealPolicy | None = None,
        personal: PersonalData | None = None,
        materials: MaterialStore | None = None,
    ) -> None:
        """``env``: eventsourcing's settings (the event store); ``gateways``: payment gateways by name;
        ``deal_policy``: platform fee and notice days; ``personal``: the personal-data store (default: beside
        the events on PostgreSQL, in memory otherwise); ``materials``: where materials' bytes are kept (default: in
        memory)."""
        super().__init__(env, ipc_scheme=ipc_scheme, clock=clock, personal=personal)
        try:
            policy = deal_policy or DealPolicy()
            checks = DealChecks(self)
            self.accounts = Accounts(self)
            self.catalogue = Catalogue(self)
            self.registrations = Registrations(self)
            self.offers = Offers(self, checks, policy)
            self.contracts = Contracts(self, checks, policy)
            self.payments = Payments(self, checks, policy, gateways)
            self.valuation = Valuations(self)
            self.audit = AuditReads(self)
            self.programmes = Programmes(self)
            self.conversions = Conversions(self, self.programmes)
            self.enquiries = Enquiries(self, checks, self.offers, materials)
            self.demands = Demands(self, checks, self.offers, self.contracts)
            self.tech_registrations = TechRegistrations(self)
            self.vouchers = Vouchers(self, self.programmes)
            self.agency_subsidies = AgencySubsidies(self, self.programmes)
            # A refund withdraws the unpaid agency-subsidy claim that counts the payment (programmes' own rule, kept
            # in its own command group).
            self.programmes.also_reverse = self.agency_subsidies.withdraw_for_refund
            self.programmes.check_basis = self.agency_subsidies.check_basis
            self.brokers = Brokers(self, self.offers.commission_room)
            # An introduced buyer's offers carry its broker: the market trade's rule, handed to deals here.
            self.offers.introduced_by = self.brokers.binding_broker
            self.offers.introduction_of = introduction_id
            # A broker whose mandate lets it act answers the seller's offers (the market trade's rule).
            checks.acts_for_seller = self.brokers.acts_for_seller
            # An accredited broker sends a demand back for clarification, as the platform does (the market's rule).
            self.demands.accredited_broker = self.brokers.reviews_demands
            self.auctions = Auctions(self, checks, policy, self.payments)
            # Stripe's events about auction deposits paid by card reach the lots (the auctions trade's records).
            self.payments.held = HeldDeposits(self.auctions)
            # The instalment an auction winner's deposit pays is not the winner's to pay (the auctions' rule), and a
            # seller ending its winner's contract settles the lot at once.
            checks.paid_from = self.auctions.paid_from_deposit
            self.contracts.on_ended = self.auctions.contract_ended
            self.packages = Packages(self)
            self.watching = Watching(self)
        except BaseException:
            with contextlib.suppress(Exception):  # the constructor's own error is the one to report
                self.close()  # a constructor that fails leaves no pool of connections open behind it
            raise
