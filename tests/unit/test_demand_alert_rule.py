"""Who hears of a new demand (issue 13, "both sides must hear about each other"): the organisations whose
listings rank in the demand's first five with 3,000 points or more, ranked as the matching read model ranks
(points, then id); and the facts a read model rebuilds from its stored tokens score exactly as those cut from
the texts."""

from __future__ import annotations

from dataclasses import asdict

from projections.demand.matching_rules import DemandFacts, ListingFacts, score, with_tokens
from projections.notifications.demand_match import LEAST, TOP, ranked
from tests.unit.test_demand_matching_rules import SEPARATOR_DEMAND, listing


def test_the_first_five_with_enough_points_are_kept_ties_broken_by_id() -> None:
    assert (TOP, LEAST) == (5, 3000)
    scored = [(9000, "l9", "a"), (3000, "l3", "b"), (2999, "l2", "c"), (6000, "lb", "d"), (6000, "la", "e"),
              (4000, "l4", "a"), (3500, "l5", "f")]
    assert ranked(scored) == [(9000, "l9", "a"), (6000, "la", "e"), (6000, "lb", "d"), (4000, "l4", "a"),
                              (3500, "l5", "f")]
    # Sixth and below are not told, however many points they have; below 3,000 points nobody is, even in the five.
    assert ranked([(3000, "x", "o"), (2999, "y", "p")]) == [(3000, "x", "o")]
    assert ranked([(2999, "y", "p")]) == []
    assert ranked([]) == []


def test_the_same_ipc_group_alone_is_enough_and_a_shared_subclass_with_few_terms_is_not() -> None:
    group, _ = score(SEPARATOR_DEMAND, listing(key_text="Membrane", full_text="", price=None, maturity=""))
    assert group == 3000
    assert ranked([(group, "l", "o")]) == [(3000, "l", "o")]
    subclass, why = score(SEPARATOR_DEMAND, listing(ipc_codes=("H01M 4/00",), key_text="Membrane", full_text="",
                                                    price=None, maturity=""))
    assert (subclass, [r["kind"] for r in why]) == (1000, ["ipc_subclass"])
    assert ranked([(subclass, "l", "o")]) == []


def test_facts_with_the_stored_tokens_score_as_facts_cut_from_the_texts() -> None:
    cut = listing()
    stored = with_tokens(ListingFacts, key_tokens=sorted(cut.key_tokens), full_tokens=sorted(cut.full_tokens),
                         ipc_codes=cut.ipc_codes, key_text=cut.key_text, full_text=cut.full_text, price=cut.price,
                         maturity=cut.maturity)
    assert asdict(stored) == asdict(cut)
    assert score(SEPARATOR_DEMAND, stored) == score(SEPARATOR_DEMAND, cut)
    demand = with_tokens(DemandFacts, key_tokens=SEPARATOR_DEMAND.key_tokens, full_tokens=SEPARATOR_DEMAND.full_tokens,
                         ipc_codes=SEPARATOR_DEMAND.ipc_codes, key_text=SEPARATOR_DEMAND.key_text,
                         full_text=SEPARATOR_DEMAND.full_text, budget_min=SEPARATOR_DEMAND.budget_min,
                         budget_max=SEPARATOR_DEMAND.budget_max, wants=SEPARATOR_DEMAND.wants)
    assert demand == SEPARATOR_DEMAND
    # Fields left out take their defaults.
    bare = with_tokens(ListingFacts, key_tokens=[], full_tokens=[], ipc_codes=(), key_text="", full_text="")
    assert (bare.price, bare.maturity, bare.subclasses) == (None, "", ())
