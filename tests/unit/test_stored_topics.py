"""Stored topics outlive module moves: events written before and after a move share one topic."""

from __future__ import annotations

from eventsourcing.domain import CanMutateAggregate
from eventsourcing.utils import get_topic, resolve_topic

from domain.aggregates import AGGREGATES
from domain.deals.contract import TransferContract
from domain.deals.offer import Offer
from domain.shared.topics import MOVED


def event_classes(aggregate: type) -> list[type]:
    return [v for v in vars(aggregate).values()
            if isinstance(v, type) and issubclass(v, CanMutateAggregate)
            and v.__qualname__.startswith(f"{aggregate.__qualname__}.")]


#: Trades whose aggregates were first stored after the move into trade packages.
TRADES_ADDED_AFTER_THE_MOVE = (
    "domain.programmes.",
    "domain.demand.",
    "domain.market.",
    "domain.auctions.",
    "domain.notifications.",
    "domain.deals.development",  # technology development contracts (issue 13)
)


def test_every_aggregate_and_event_is_stored_under_its_module_before_the_trade_packages() -> None:
    old_module = {new: old for old, new in MOVED.items()}
    for aggregate in AGGREGATES:
        for cls in [aggregate, *event_classes(aggregate)]:
            topic = get_topic(cls)
            if cls.__module__.startswith(TRADES_ADDED_AFTER_THE_MOVE):  # stored under their own modules' names
                assert cls.__module__ not in old_module
                assert topic == f"{cls.__module__}:{cls.__qualname__}"
            else:
                assert topic == f"{old_module[cls.__module__]}:{cls.__qualname__}"
            assert resolve_topic(topic) is cls


def test_an_offer_event_is_written_with_the_topic_offers_were_always_stored_under() -> None:
    # A stored record names its event by topic; the chain hashes it: the move changes no record.
    assert get_topic(Offer.Made) == "domain.offer:Offer.Made"
    assert resolve_topic("domain.offer:Offer.Made") is Offer.Made
    assert resolve_topic("domain.contract:TransferContract.Drafted") is TransferContract.Drafted
    assert get_topic(TransferContract) == "domain.contract:TransferContract"


def test_twelve_aggregate_modules_moved_and_each_kept_its_name() -> None:
    assert set(MOVED) == {
        "domain.user", "domain.organisation", "domain.patent", "domain.listing", "domain.ownership_claim",
        "domain.offer", "domain.contract", "domain.payment", "domain.webhook", "domain.valuation",
        "domain.valuer", "domain.audit_read",
    }
    assert all(len(event_classes(a)) > 0 for a in AGGREGATES)
