"""Checks shared by the deal commands: membership, roles, trading status, exclusivity, consents."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.deal_terms import (
    EVERYTHING,
    OPEN_DECLARATION,
    DealKind,
    DealTerms,
    LicenceRecord,
    exclusivity_conflict,
)
from domain.errors import ConflictError, LicenceConflictError, PermissionDeniedError
from domain.listing import DealType, Listing, ListingStatus
from domain.offer import Offer, Side
from domain.organisation import Organisation
from domain.patent import Patent
from domain.user import Role, User
from marketplace.app_base import MarketplaceBase

#: Kinds that need every co-owner's consent (专利法 art. 14: a co-owner alone may only practise
#: the patent or grant non-exclusive licences).
NEEDS_CONSENT = {DealKind.ASSIGNMENT.value, DealKind.EXCLUSIVE_LICENCE.value, DealKind.SOLE_LICENCE.value}


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
        clash = exclusivity_conflict(
            terms.kind.value, terms.scope, [*patent.live_licences(), *self._declarations(listing)]
        )
        if clash is not None:
            what = (
                "an open-licence declaration" if clash.contract_id is None else f"a live {clash.kind.replace('_', ' ')}"
            )
            raise LicenceConflictError(
                f"kind: this licence would overlap {what} in field, territory and term", field="kind"
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
