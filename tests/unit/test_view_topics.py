"""Every read model follows topics of real events: each resolves to an event class of an aggregate of the domain."""

from __future__ import annotations

from typing import Any

import pytest
from eventsourcing.domain import CanMutateAggregate
from eventsourcing.utils import get_topic, resolve_topic

from domain.accounts.organisation import Organisation
from domain.accounts.user import User
from domain.aggregates import AGGREGATES
from domain.audit.read import AuditRead
from domain.catalogue.listing import Listing
from domain.catalogue.ownership_claim import OwnershipClaim
from domain.catalogue.patent import Patent
from domain.deals.contract import Contract, LicenceContract, TransferContract
from domain.deals.offer import Offer
from domain.deals.payment import PaymentObligation
from domain.valuation.valuation import Valuation
from domain.valuation.valuer import ValuerAccreditation
from marketplace.platform.services import VIEW_CLASSES
from projections.audit.log import NAMING_A_PATENT, READ_RECORDED
from projections.deals.view import PostgresDealsView
from projections.shared.topics import event_topic, event_topics
from projections.valuation.view import PostgresValuationView

#: Views that take every event of the log (they filter nothing, so they name no topic).
EVERY_EVENT = {"audit_log", "audit_chain"}


def event(aggregate: type, name: str) -> type:
    """The event class ``name`` declared on ``aggregate`` itself (most are made at run time by ``@event``)."""
    value = vars(aggregate)[name]
    assert isinstance(value, type)
    return value


def aggregate_of(event_class: type) -> type | None:
    """The aggregate of ``AGGREGATES`` that declares ``event_class`` as one of its events."""
    name = event_class.__qualname__.rpartition(".")[2]
    return next((a for a in AGGREGATES if vars(a).get(name) is event_class), None)


def test_every_topic_of_every_view_is_an_event_of_an_aggregate_of_the_domain() -> None:
    followed = 0
    for name, view in VIEW_CLASSES.items():
        assert view.topics or name in EVERY_EVENT, name
        for topic in view.topics:
            event_class = resolve_topic(topic)
            assert isinstance(event_class, type), (name, topic)
            assert issubclass(event_class, CanMutateAggregate), (name, topic)
            assert aggregate_of(event_class) is not None, (name, topic)
            assert get_topic(event_class) == topic, (name, topic)  # stored and followed under one topic
            followed += 1
    assert followed > 100


def test_the_views_that_take_every_event_name_no_topic() -> None:
    assert {name for name, view in VIEW_CLASSES.items() if not view.topics} == EVERY_EVENT


#: Events each view must follow, or its tables miss rows (named by class: a rename fails here).
MUST_FOLLOW: dict[str, list[type]] = {
    "accounts": [Organisation.Registered, User.SignedUp, User.PasswordChanged,
                 *(event(User, e) for e in ("RoleGranted", "RoleRevoked", "Deactivated", "Reactivated", "Erased"))],
    "credentials": [User.SignedUp, User.PasswordChanged,
                    *(event(User, e) for e in ("RoleRevoked", "Deactivated", "Reactivated", "Erased"))],
    "catalogue": [Patent.Registered, Listing.Drafted, OwnershipClaim.Filed,
                  *(event(Listing, e) for e in ("Published", "Withdrawn", "Closed")),
                  *(event(Patent, e) for e in ("LegalStatusChanged", "OwnershipTransferred", "Reregistered")),
                  event(OwnershipClaim, "Decided")],
    "deals": [Offer.Made, Contract.Drafted, TransferContract.Drafted, LicenceContract.Drafted,
              PaymentObligation.FellDue,
              *(event(Offer, e) for e in ("Countered", "Accepted", "Rejected", "Withdrawn", "Expired")),
              *(event(c, e) for c in (Contract, TransferContract, LicenceContract)
                for e in ("Signed", "CameIntoForce", "Terminated")),
              event(LicenceContract, "RoyaltyReported"),
              *(event(PaymentObligation, e) for e in ("PaymentStarted", "Paid", "Refunded", "RefundOwed")),
              event(Patent, "OwnershipTransferred"), event(Listing, "Closed")],
    "valuation": [ValuerAccreditation.Accredited, Valuation.Recorded, Patent.Registered, Listing.Drafted, Offer.Made,
                  TransferContract.Drafted, LicenceContract.Drafted, PaymentObligation.FellDue,
                  *(event(PaymentObligation, e) for e in ("Paid", "Refunded"))],
}


@pytest.mark.parametrize("name", sorted(MUST_FOLLOW))
def test_each_view_follows_the_events_it_must(name: str) -> None:
    topics = VIEW_CLASSES[name].topics
    missing = [get_topic(cls) for cls in MUST_FOLLOW[name] if get_topic(cls) not in topics]
    assert missing == []


def test_views_follow_the_topics_events_were_always_stored_under() -> None:
    # Stored records keep their topics (domain/shared/topics.py): the views must match them as written.
    assert "domain.offer:Offer.Made" in VIEW_CLASSES["deals"].topics
    assert "domain.contract:LicenceContract.RoyaltyReported" in VIEW_CLASSES["deals"].topics
    assert "domain.payment:PaymentObligation.Paid" in VIEW_CLASSES["valuation"].topics
    assert "domain.user:User.SignedUp" in VIEW_CLASSES["credentials"].topics
    assert "domain.ownership_claim:OwnershipClaim.Filed" in VIEW_CLASSES["catalogue"].topics
    assert READ_RECORDED == "domain.audit_read:AuditRead.Recorded" == get_topic(AuditRead.Recorded)
    assert sorted(NAMING_A_PATENT) == ["domain.listing:Listing.Drafted", "domain.ownership_claim:OwnershipClaim.Filed"]


@pytest.mark.parametrize("view", [PostgresDealsView, PostgresValuationView])
def test_every_followed_topic_has_a_handler_and_every_handler_a_topic(view: Any) -> None:
    # The handlers are keyed by (aggregate family, event); a topic without one would be read and dropped.
    handlers = view._handlers(object.__new__(view))
    contracts = {"Contract", "TransferContract", "LicenceContract", "DevelopmentContract"}
    keys = set()
    for topic in view.topics:
        aggregate, kind = topic.rsplit(":", 1)[1].rsplit(".", 1)
        keys.add(("Contract" if aggregate in contracts else aggregate, kind))
    assert keys == set(handlers)


def test_an_event_the_aggregate_does_not_have_fails_when_the_view_is_built() -> None:
    assert event_topic(Offer, "Countered") == "domain.offer:Offer.Countered"
    assert event_topics(User, "Erased", "Reactivated") == {"domain.user:User.Erased", "domain.user:User.Reactivated"}
    with pytest.raises(LookupError, match="Offer has no event 'Countred'"):
        event_topic(Offer, "Countred")
    with pytest.raises(LookupError, match="TransferContract has no event 'RoyaltyReported'"):
        event_topic(TransferContract, "RoyaltyReported")  # royalties are reported on licences only
    with pytest.raises(LookupError, match="Offer has no event 'make'"):
        event_topic(Offer, "make")  # a method, not an event class
