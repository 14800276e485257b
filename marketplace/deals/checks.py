"""Checks shared by the deal commands: membership, roles, trading status, exclusivity, consents."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.accounts.organisation import Organisation
from domain.accounts.user import Role, User
from domain.catalogue.licences import LicenceRecord, exclusivity_conflict
from domain.catalogue.listing import DealType, Listing, ListingStatus
from domain.catalogue.patent import Patent
from domain.deals.contract import Contract, ContractStatus, TransferContract
from domain.deals.offer import Offer, Side
from domain.deals.terms import (
    EVERYTHING,
    OPEN_DECLARATION,
    DealKind,
    DealTerms,
)
from domain.shared.errors import (
    ConcurrentModificationError,
    ConflictError,
    ContractStateError,
    LicenceConflictError,
    PatentNotTradableError,
    PermissionDeniedError,
)
from marketplace.platform.app_base import MarketplaceBase

#: Kinds that need every co-owner's consent (专利法 art. 14: a co-owner alone may only practise
#: the patent or grant non-exclusive licences).
NEEDS_CONSENT = {DealKind.ASSIGNMENT.value, DealKind.EXCLUSIVE_LICENCE.value, DealKind.SOLE_LICENCE.value}

T = TypeVar("T")


class DealChecks(MarketplaceBase):
    """The rules every deal command checks on the aggregates it loads (see docs/DEALS.md)."""

    @staticmethod
    def _unique(aggregates: Iterable[Aggregate]) -> list[Aggregate]:
        seen: dict[UUID, Aggregate] = {}
        for aggregate in aggregates:
            if aggregate.id in seen and seen[aggregate.id] is not aggregate:
                raise AssertionError(f"aggregate {aggregate.id} loaded twice in one command")
            seen.setdefault(aggregate.id, aggregate)
        return list(seen.values())

    @staticmethod
    def _require_member(user: User, organisation_id: UUID, what: str, field: str) -> None:
        if user.organisation_id != organisation_id:
            raise PermissionDeniedError(f"{field}: only a member of the {what} may do this", field=field)

    def _require_org_admin(self, user: User, organisation_id: UUID, what: str, field: str) -> None:
        self._require_member(user, organisation_id, what, field)
        if not user.has_role(Role.ORG_ADMIN):
            raise PermissionDeniedError(f"{field}: only an org_admin of the {what} may do this", field=field)

    def _side(self, user: User, offer: Offer) -> Side:
        side = offer.side_of(user.organisation_id)
        if side is None:
            raise PermissionDeniedError(
                "offer_id: only the buyer or the seller may answer this offer", field="offer_id"
            )
        return side

    def _trading_organisation(self, organisation_id: UUID, field: str) -> Organisation:
        org = self.load(Organisation, organisation_id, field)
        if not org.can_trade:
            raise PermissionDeniedError(
                f"{field}: {org.name} must be verified by the platform before it can trade", field=field
            )
        return org

    @staticmethod
    def _declarations(listing: Listing) -> list[LicenceRecord]:
        """A live open-licence declaration: the listing is public and offers the open licence."""
        if listing.status == ListingStatus.PUBLISHED and DealType.OPEN_LICENCE.value in listing.terms["deal_types"]:
            return [LicenceRecord(None, OPEN_DECLARATION, EVERYTHING)]
        return []

    def _check_exclusivity(self, terms: DealTerms, patent: Patent, listing: Listing) -> None:
        patent.refuse_while_sale_reserved(None, "listing_id")
        clash = exclusivity_conflict(
            terms.kind.value, terms.scope, [*patent.live_licences(), *self._declarations(listing)]
        )
        if clash is not None:
            raise LicenceConflictError(
                f"kind: this licence would overlap {patent.describe_reservation(clash)} in field, territory and term",
                field="kind",
            )

    @staticmethod
    def _co_owner_consents(terms: DealTerms, patent: Patent, seller: UUID) -> list[UUID]:
        if terms.kind.value not in NEEDS_CONSENT:
            return []
        if any(o["organisation_id"] is None for o in patent.owners):
            raise ConflictError(
                "kind: a co-owner who is not an organisation on the marketplace cannot consent here; "
                "only a non-exclusive licence can be offered",
                field="kind",
            )
        return sorted((o for o in patent.owner_ids if o != seller), key=str)

    # --- one patent, one sale (docs/DEALS.md "Reservations") ----------------------------------
    @staticmethod
    def _once_more_if_beaten(run: Callable[[], T]) -> T:
        """Run a command; when a concurrent save won the race, run it once more on the state that won,
        so that the loser is refused for the rule it now breaks (or goes through when it breaks none)."""
        try:
            return run()
        except ConcurrentModificationError:
            return run()

    @staticmethod
    def _require_effect_possible(contract: Contract, patent: Patent, *, now: datetime, by: UUID) -> None:
        """Refuse (409) a signature, payment start or receipt for a contract not yet in force that can no
        longer take effect: terminated, the patent lapsed or sold, or reserved for another deal.

        An assignment must hold the patent's sale reservation; one drafted before reservations existed
        takes it now (a ``SaleReserved`` on ``patent``, saved with the caller's change). A licence must
        still be reserved on the patent (``LicenceGranted``, not ended).
        """
        if contract.status == ContractStatus.TERMINATED:
            raise ContractStateError("contract_id: the contract was terminated", field="contract_id")
        if not patent.is_tradable:
            raise PatentNotTradableError(
                f"patent_id: a {patent.legal_status} patent cannot be contracted", field="patent_id"
            )
        if not patent.is_owned_by(contract.seller_organisation_id):
            raise ConflictError("patent_id: the seller no longer owns this patent", field="patent_id")
        if isinstance(contract, TransferContract):
            patent.reserve_sale(
                contract.id, buyer_organisation_id=contract.buyer_organisation_id, at=now.isoformat(), by=by
            )
        elif patent.licences.get(str(contract.id), {}).get("status") in (None, "ended"):
            raise ContractStateError(
                "contract_id: the licence is no longer reserved on the patent", field="contract_id"
            )

    def _why_no_effect(self, contract: Contract, patent: Patent, *, now: datetime, by: UUID) -> str | None:
        """Why money received for ``contract`` cannot bring it into force, or ``None`` when it can."""
        if contract.status == ContractStatus.IN_FORCE:
            return None
        try:
            self._require_effect_possible(contract, patent, now=now, by=by)
        except (ConflictError, PermissionDeniedError) as refusal:
            return refusal.message.partition(": ")[2] or refusal.message
        return None
