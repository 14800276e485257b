"""The stored topics a read model follows, built from the domain's aggregate and event classes."""

from __future__ import annotations

from eventsourcing.domain import CanMutateAggregate
from eventsourcing.utils import get_topic


def event_topic(aggregate: type, event: str) -> str:
    """The stored topic of ``aggregate``'s event class named ``event`` (``get_topic(Offer.Countered)``).

    Most events are declared by ``@event("Countered")`` and exist only at run time, so they are
    found by name; a name that is not an event of the aggregate fails on import, not by an empty table.
    """
    cls = getattr(aggregate, event, None)
    if not (isinstance(cls, type) and issubclass(cls, CanMutateAggregate)
            and cls.__qualname__ == f"{aggregate.__qualname__}.{event}"):
        raise LookupError(f"{aggregate.__qualname__} has no event {event!r}")
    return get_topic(cls)


def event_topics(aggregate: type, *events: str) -> frozenset[str]:
    """The stored topics of ``aggregate``'s events named ``events``."""
    return frozenset(event_topic(aggregate, event) for event in events)
