"""An event's notices are numbered in the order of its rules, and the numbers key what users have read and the
e-mail outbox (kept across a replay of the inbox): a rule added later must number its notices after the rules
whose notices are stored already, whatever order the modules are imported in."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from domain.catalogue.listing import Listing
from domain.demand.demand import Demand
from projections.notifications import view  # noqa: F401 - registers every rule
from projections.notifications.demand_match import matched
from projections.notifications.registry import REGISTRY, Notice, Registry
from projections.shared.topics import event_topic


def _rule(name: str) -> Any:
    def rule(ctx: Any, r: Any) -> Iterable[Notice]:
        yield Notice("offer", name, "/", "", "")

    return rule


def test_a_rule_registered_later_numbers_its_notices_after_the_others_even_when_imported_first() -> None:
    registry = Registry()
    added, first, second = _rule("added"), _rule("first"), _rule("second")
    registry.on(Listing, "Published", later=1)(added)  # imported first
    registry.on(Listing, "Published")(first)
    registry.on(Listing, "Published")(second)
    record: Any = type("R", (), {"topic": event_topic(Listing, "Published")})()
    assert [n.event for n in registry.notices(None, record)] == ["first", "second", "added"]  # type: ignore[arg-type]


def test_the_demand_match_rule_comes_after_the_rules_that_numbered_these_events_before_it() -> None:
    for aggregate, name in ((Listing, "Published"), (Demand, "Posted")):
        rules = REGISTRY.rules[event_topic(aggregate, name)]
        assert len(rules) > 1
        assert rules[-1] is matched
