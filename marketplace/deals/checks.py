"""Checks and steps shared by the deal command groups: membership, roles, trading status, effects.

The rules themselves are in ``domain.deals.contracting``; here they meet the loading of the
aggregates they need. One ``DealChecks`` is given to the offers, contracts and payments groups.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.accounts.organisation import Organisation
from domain.accounts.user import Role, User
from domain.catalogue.listing import Listing
from domain.catalogue.patent import Patent
from domain.deals.contract import Contract, TransferContract
from domain.deals.contracting import come_into_force, fall_due, release
from domain.deals.offer import Offer, Side
from domain.deals.payment import obligation_id
from domain.shared.errors import ConcurrentModificationError, PermissionDeniedError
from marketplace.platform.app_base import MarketplaceBase

T = TypeVar("T")


@dataclass(frozen=True)
class DealPolicy:
    """The platform's deal settings (policy_params.json), given by the composition root."""

    #: Platform fee on every received payment, basis points; it is fixed on each contract when drafted,
    #: and a broker's commission must leave room for it.
    platform_fee_rate: int = 100
    #: Length of the public notice (公示) of a negotiated price, in days.
    notice_days: int = 15


#: Whether a user (not of the seller) may answer offers on a listing for its seller: a broker under a mandate
#: that lets it act (委托代理). Given the user and the offer; the market trade (above deals) provides it through
#: the composition root, so deals holds the rule without importing market.
ActsForSeller = Callable[[User, Offer], bool]
#: What the platform pays a contract's payment from, when not the buyer ("" for the buyer): a higher trade's rule.
PaidFrom = Callable[[Contract, str], str]


class DealChecks:
    """The rules every deal command checks on the aggregates it loads (see docs/DEALS.md)."""

    def __init__(self, store: MarketplaceBase) -> None:
        self.store = store
        #: Brokers mandated to act for the seller answer its offers (counter, accept, reject).
        self.acts_for_seller: ActsForSeller | None = None
        #: Whether a scheduled payment is paid from money the platform holds (an auction winner's deposit).
        self.paid_from: PaidFrom | None = None

    @staticmethod
    def require_member(user: User, organisation_id: UUID, what: str, field: str) -> None:
        if user.organisation_id != organisation_id:
            raise PermissionDeniedError(f"{field}: only a member of the {what} may do this", field=field,
                                        code="permission.member")

    def require_org_admin(self, user: User, organisation_id: UUID, what: str, field: str) -> None:
        self.require_member(user, organisation_id, what, field)
        if not user.has_role(Role.ORG_ADMIN):
            raise PermissionDeniedError(f"{field}: only an org_admin of the {what} may do this", field=field,
                                        code="permission.org_admin")

    def side(self, user: User, offer: Offer) -> Side:
        side = offer.side_of(user.organisation_id)
        if side is None and self.acts_for_seller is not None and self.acts_for_seller(user, offer):
            return Side.SELLER
        if side is None:
            raise PermissionDeniedError(
                "offer_id: only the buyer or the seller may answer this offer", field="offer_id",
                code="offer.not_party",
            )
        return side

    def trading_organisation(self, organisation_id: UUID, field: str) -> Organisation:
        org = self.store.load(Organisation, organisation_id, field)
        if not org.can_trade:
            raise PermissionDeniedError(
                f"{field}: {org.name} must be verified by the platform before it can trade", field=field,
                code="organisation.unverified",
                key="refusal.unverified",
            )
        return org

    # --- one patent, one sale (docs/DEALS.md "Reservations") ----------------------------------
    @staticmethod
    def once_more_if_beaten(run: Callable[[], T]) -> T:
        """Run a command; when a concurrent save won the race, run it once more on the state that won,
        so that the loser is refused for the rule it now breaks (or goes through when it breaks none)."""
        try:
            return run()
        except ConcurrentModificationError:
            return run()

    # --- effects on the patent and the listing -----------------------------------------------
    def come_into_force(self, contract: Contract, patent: Patent, now: datetime, *, by: UUID) -> list[Aggregate]:
        """Signed and first payment made: the transfer or licence takes effect (``contracting.come_into_force``)."""
        listing = self.store.load(Listing, contract.listing_id, "listing_id")
        buyer = (
            self.store.load(Organisation, contract.buyer_organisation_id, "buyer_organisation_id")
            if isinstance(contract, TransferContract) else None
        )
        return come_into_force(contract, patent, listing, buyer, now, by=by)

    def release(self, contract: Contract, *, reason: str, by: UUID) -> Patent:
        """The patent side of a contract that ends before it is in force (``contracting.release``)."""
        return release(contract, self.store.load(Patent, contract.patent_id, "patent_id"), reason=reason, by=by)

    def raise_scheduled(self, contract: Contract, today: date) -> list[Aggregate]:
        """The contract's scheduled payments due by ``today`` not raised yet, as new obligations."""
        raised: list[Aggregate] = []
        for purpose, amount, due in contract.scheduled_payments(today):
            if not self.store.exists(obligation_id(contract.id, purpose)):
                paid_from = self.paid_from(contract, purpose) if self.paid_from is not None else ""
                raised.append(fall_due(contract, purpose, amount, due, paid_from=paid_from))
        return raised
