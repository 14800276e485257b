"""Whether a contract's broker is established, for the agency performance subsidy: read from the log as it stood
when the offer was made.

An offer's broker is whatever the buyer named unless a confirmed introduction under the seller's mandate bound it
(``Offers.introduced_by``); neither the offer's nor the contract's events say which. So the mandate's and the
introduction's events recorded before the offer's ``Made`` tell it: the agency is established when the buyer had
confirmed the agency's introduction under a mandate running then, or when the seller's mandate for the listing
named the agency and ran then. Events are ordered by their timestamps (all stamped by the store); the mandate's
term, kept in days of the platform's clock, is checked on the Beijing day the offer was accepted (the latest day
the offer could have been made, so a term that lapsed before it is never counted in).
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.deals.contract import Contract
from domain.deals.offer import Offer
from domain.market.mandates import Introduction, Mandate, binding_broker, introduction_id, mandate_id
from domain.programmes.rules import BEIJING
from marketplace.platform.app_base import MarketplaceBase


def _stamp(event: object) -> datetime:
    """When the store recorded an event (every stored event carries its timestamp)."""
    stamp = getattr(event, "timestamp", None)
    assert isinstance(stamp, datetime)
    return stamp


class EstablishedBrokers:
    def __init__(self, store: MarketplaceBase) -> None:
        self.store = store

    def _as_of(self, aggregate_id: UUID, instant: datetime) -> Aggregate | None:
        """The aggregate as its events recorded up to ``instant`` left it (``None``: none yet)."""
        if not self.store.exists(aggregate_id):
            return None
        version: int | None = None
        for stored in self.store.repository.event_store.get(aggregate_id):
            if _stamp(stored) > instant:
                break
            version = stored.originator_version
        if version is None:
            return None
        return self.store.repository.get(aggregate_id, version=version)

    def established(self, contract: Contract) -> bool:
        """Whether the contract's broker came from a confirmed introduction under the seller's mandate, or the
        seller's mandate for the listing named it, when the offer was made."""
        agency = contract.broker_organisation_id
        if agency is None or contract.offer_id is None or not self.store.exists(contract.offer_id):
            return False
        made = _stamp(next(iter(self.store.repository.event_store.get(contract.offer_id, limit=1))))
        offer: Aggregate = self.store.repository.get(contract.offer_id)
        if not isinstance(offer, Offer) or offer.broker_organisation_id != agency:
            return False
        accepted = getattr(offer, "accepted_at", None)
        day: date = (datetime.fromisoformat(accepted) if accepted else made).astimezone(BEIJING).date()
        introduction = self._as_of(introduction_id(contract.listing_id, contract.buyer_organisation_id),
                                   made)
        if isinstance(introduction, Introduction) and introduction.agency_id == agency:
            mandate = self._as_of(introduction.mandate_id, made)
            if binding_broker(introduction, mandate if isinstance(mandate, Mandate) else None, day) is not None:
                return True
        mandate = self._as_of(mandate_id(contract.listing_id, agency), made)
        return (isinstance(mandate, Mandate) and mandate.agency_id == agency
                and mandate.seller_organisation_id == contract.seller_organisation_id and mandate.is_live_on(day))
