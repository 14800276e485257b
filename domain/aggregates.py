"""Every aggregate of the marketplace, imported once so that stored topics resolve from the start."""

from domain.accounts.organisation import Organisation
from domain.accounts.user import User
from domain.auctions.deposit_payment import DepositPayment
from domain.auctions.lot import Lot
from domain.auctions.session import AuctionSession
from domain.audit.read import AuditRead
from domain.catalogue.listing import Listing
from domain.catalogue.ownership_claim import OwnershipClaim
from domain.catalogue.patent import Patent
from domain.deals.contract import Contract, LicenceContract, TransferContract
from domain.deals.development import DevelopmentContract
from domain.deals.offer import Offer
from domain.deals.payment import PaymentObligation
from domain.deals.webhook import WebhookDelivery
from domain.demand.demand import Demand
from domain.demand.enquiry import Enquiry
from domain.demand.materials import ListingMaterials
from domain.market.brokers import BrokerAccreditation
from domain.market.mandates import Introduction, Mandate
from domain.market.package import Package, PackageFollow
from domain.market.registration import ContractRegistration, RegistrationNumber
from domain.notifications.watching import Follow, SavedSearches
from domain.programmes.claim import AwardLedger, Claim, PaymentReview
from domain.programmes.conversion import Conversion
from domain.programmes.programme import Programme
from domain.programmes.related import RelatedParties
from domain.programmes.voucher import Voucher, VoucherQuota
from domain.programmes.voucher_application import VoucherApplication
from domain.valuation.valuation import Valuation
from domain.valuation.valuer import ValuerAccreditation

AGGREGATES = (
    Organisation, User, AuditRead, Listing, OwnershipClaim, Patent, Contract, LicenceContract, TransferContract,
    Offer, PaymentObligation, WebhookDelivery, Valuation, ValuerAccreditation, Programme, Claim, AwardLedger,
    PaymentReview, Conversion, Enquiry, ListingMaterials, ContractRegistration, RegistrationNumber,
    Voucher, VoucherQuota, Demand, RelatedParties, VoucherApplication, BrokerAccreditation, Mandate, Introduction,
    AuctionSession, Lot, Package, PackageFollow,
    DevelopmentContract, SavedSearches, Follow, DepositPayment,
)
