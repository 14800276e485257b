"""``state_copy``: what a command gets from the aggregate cache is what ``copy.deepcopy`` would give, sharing nothing
that can change with the cached original, for the marketplace's aggregates and events and for values it does not
know (handed to ``deepcopy``)."""

from __future__ import annotations

import copy
import enum
from typing import Any

import msgspec

from marketplace.platform.state_copy import state_copy
from tests.unit.deal_helpers import accept, make_world, offer

MUTABLE = (list, dict, set)


def mutable_parts(value: Any, seen: set[int] | None = None) -> dict[int, Any]:
    """Every list, dict, set and plain object reachable from ``value``, by id."""
    seen = set() if seen is None else seen
    found: dict[int, Any] = {}
    if id(value) in seen:
        return found
    seen.add(id(value))
    children: list[Any] = []
    if isinstance(value, (list, tuple, set, frozenset)):
        children = list(value)
    elif isinstance(value, dict):
        children = [*value.keys(), *value.values()]
    elif hasattr(value, "__dict__") and not isinstance(value, type):
        children = list(vars(value).values())
    if isinstance(value, MUTABLE) or (hasattr(value, "__dict__") and not isinstance(value, (type, enum.Enum))):
        found[id(value)] = value
    for child in children:
        found.update(mutable_parts(child, seen))
    return found


def assert_independent_equal_copy(original: Any) -> None:
    copied = state_copy(original)
    expected = copy.deepcopy(original)
    assert type(copied) is type(original)
    assert vars(copied) == vars(expected)
    shared = mutable_parts(original).keys() & mutable_parts(copied).keys()
    assert not shared, [mutable_parts(original)[i] for i in shared]


def test_every_aggregate_a_deal_goes_through_and_its_events_copy_as_deepcopy_does_sharing_nothing() -> None:
    world = make_world()
    offer_id = offer(world)
    contract_id = accept(world, offer_id)
    ids = [world[k] for k in ("admin", "uni", "uni_org", "firm", "firm_org", "patent", "listing")]
    aggregates = [world.get(i) for i in (*ids, offer_id, contract_id)]
    kinds = {type(a).__name__ for a in aggregates}
    assert {"User", "Organisation", "Patent", "Listing", "Offer"} <= kinds
    for aggregate in aggregates:
        assert_independent_equal_copy(aggregate)
        events = list(world.app.repository.event_store.get(aggregate.id))
        copied = state_copy(events)
        assert copied == events
        assert not mutable_parts(events).keys() & mutable_parts(copied).keys()


def test_a_change_to_the_copy_leaves_the_cached_aggregate_as_it_was() -> None:
    world = make_world()
    listing = world.get(world["listing"])
    before = copy.deepcopy(vars(listing))
    copied = state_copy(listing)
    copied.terms["keywords"].append("changed")
    copied.terms["deal_types"].clear()
    copied.status = "withdrawn"
    assert vars(listing) == before


def test_aliases_and_cycles_are_kept_as_deepcopy_keeps_them() -> None:
    class Holder:
        a: list[Any]
        b: list[Any]
        cycle: list[Any]
        me: Any

    shared: list[Any] = [1, {"k": [2]}]
    cycle: list[Any] = []
    cycle.append(cycle)
    holder = Holder()
    holder.a, holder.b, holder.cycle, holder.me = shared, shared, cycle, holder
    copied = state_copy(holder)
    assert copied.a is copied.b
    assert copied.a is not shared
    assert copied.a == shared
    assert copied.cycle[0] is copied.cycle
    assert copied.cycle is not cycle
    assert copied.me is copied


def test_values_with_their_own_copy_rules_are_copied_by_deepcopy() -> None:
    class Counted:
        copies = 0

        def __deepcopy__(self, memo: dict[int, Any]) -> Counted:
            Counted.copies += 1
            return Counted()

    class Slotted:
        __slots__ = ("items",)

        def __init__(self) -> None:
            self.items = [1, 2]

    class Terms(msgspec.Struct, frozen=True):
        keywords: list[str]

    class Colour(enum.Enum):
        RED = "red"

    value: dict[str, Any] = {"counted": Counted(), "slotted": Slotted(), "terms": Terms(["a"]), "colour": Colour.RED,
             "pair": ([1], "x"), "plain": ("x", 1), "ids": frozenset({1, 2})}
    copied: dict[str, Any] = state_copy(value)
    assert Counted.copies == 1
    assert copied["counted"] is not value["counted"]
    assert copied["slotted"].items == [1, 2]
    assert copied["slotted"].items is not value["slotted"].items
    assert copied["terms"] == value["terms"]
    assert copied["terms"].keywords is not value["terms"].keywords
    assert copied["colour"] is Colour.RED
    assert copied["pair"] == ([1], "x")
    assert copied["pair"][0] is not value["pair"][0]
    assert copied["plain"] is value["plain"]
    assert copied["ids"] is value["ids"]



def test_subclasses_of_containers_keep_their_contents_and_type() -> None:
    from collections import Counter, OrderedDict, defaultdict, namedtuple

    class Codes(list[Any]):
        pass

    class Shares(dict[str, Any]):
        pass

    pair = namedtuple("pair", "left right")
    values = [Codes([1, [2]]), Shares(a=[1]), pair([1], 2), OrderedDict(a=[1]), defaultdict(list, a=[1]),
              Counter(a=2)]
    for value in values:
        copied = state_copy(value)
        assert type(copied) is type(value)
        assert copied == value
        assert copied is not value


def test_copyreg_reductions_custom_time_zones_and_shared_tuples_copy_as_deepcopy_does() -> None:
    import copyreg
    from datetime import UTC, datetime, timedelta, tzinfo
    from zoneinfo import ZoneInfo

    class Cached:
        def __init__(self) -> None:
            self.cache = [1]

    copyreg.pickle(Cached, lambda _obj: (Cached, ()))  # copied as a new Cached(), whatever the original holds
    try:
        assert state_copy(Cached()).cache == copy.deepcopy(Cached()).cache == [1]
        original = Cached()
        original.cache.append(2)
        assert state_copy(original).cache == copy.deepcopy(original).cache == [1]  # rebuilt by the reduction
    finally:
        del copyreg.dispatch_table[Cached]

    class Shifting(tzinfo):
        def __init__(self) -> None:
            self.hours = [8]

        def utcoffset(self, _dt: datetime | None) -> timedelta:
            return timedelta(hours=self.hours[0])

        def dst(self, _dt: datetime | None) -> timedelta:
            return timedelta(0)

        def tzname(self, _dt: datetime | None) -> str:
            return "shifting"

    moment = datetime(2026, 12, 6, 12, tzinfo=Shifting())
    assert state_copy(moment).tzinfo is not moment.tzinfo
    beijing = datetime(2026, 12, 6, 12, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert state_copy(beijing) is beijing
    assert state_copy(datetime(2026, 12, 6, tzinfo=UTC)).tzinfo is UTC

    pair = ([1], "x")
    copied = state_copy([pair, pair])
    assert copied[0] is copied[1]
    assert copied[0] is not pair
