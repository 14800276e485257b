"""Matching a demand with listings (issue 13, "Matching, explained"): what makes a pair match, how pairs rank,
and the reasons a reader sees — shared IPC groups, terms in either language, price within budget, maturity."""

from __future__ import annotations

from projections.demand.matching_rules import DemandFacts, ListingFacts, score, shared_terms, tokens

SEPARATOR_DEMAND = DemandFacts(
    ipc_codes=("H01M 2/16",), key_text="锂电池隔膜涂层 Coated lithium battery separator 隔膜 陶瓷涂层",
    full_text="寻求耐高温的锂电池隔膜，现有聚乙烯隔膜在 130 度收缩", budget_min=5_000_000, budget_max=50_000_000,
    wants=("purchase",))


def listing(**more: object) -> ListingFacts:
    values: dict[str, object] = {
        "ipc_codes": ("H01M 2/16",), "key_text": "一种锂电池隔膜及其制备方法 A lithium battery separator 隔膜",
        "full_text": "在聚乙烯基膜表面涂覆勃姆石陶瓷涂层", "price": 10_000_000, "maturity": "pilot"}
    values.update(more)
    return ListingFacts(**values)  # type: ignore[arg-type]


def kinds(reasons: list[dict[str, object]]) -> list[object]:
    return [r["kind"] for r in reasons]


def test_a_listing_in_the_same_ipc_group_with_shared_terms_in_budget_and_mature_shows_every_reason() -> None:
    points, reasons = score(SEPARATOR_DEMAND, listing())
    assert points > 0
    assert kinds(reasons) == ["ipc_group", "terms", "price", "maturity"]
    assert reasons[0]["values"] == ["H01M 2/16"]
    terms = reasons[1]["values"]
    assert isinstance(terms, list)
    assert "锂电池隔膜" in terms  # the longest shared run of Chinese, not its bigrams
    assert {"lithium", "battery", "separator"} <= set(terms)
    assert reasons[3]["values"] == ["pilot"]


def test_closer_ipc_levels_rank_higher() -> None:
    group, _ = score(SEPARATOR_DEMAND, listing())
    main_group, why_main = score(SEPARATOR_DEMAND, listing(ipc_codes=("H01M 2/14",)))
    subclass, why_sub = score(SEPARATOR_DEMAND, listing(ipc_codes=("H01M 10/0525",)))
    assert group > main_group > subclass
    assert why_main[0] == {"kind": "ipc_main_group", "values": ["H01M 2/00"]}
    assert why_sub[0] == {"kind": "ipc_subclass", "values": ["H01M"]}


def test_terms_match_in_english_alone_and_plurals_meet_their_singular() -> None:
    english = DemandFacts(ipc_codes=(), key_text="Separators for lithium batteries", full_text="heat resistance")
    points, reasons = score(english, listing(ipc_codes=("G06F 17/00",), key_text="A lithium battery separator"))
    assert points > 0
    assert reasons == [{"kind": "terms", "values": ["separator", "battery", "lithium"]}]  # longest first


def test_an_unrelated_listing_does_not_match_and_boilerplate_makes_no_match() -> None:
    unrelated = listing(ipc_codes=("A21D 13/00",), key_text="一种比萨饼的制备方法 A method for making pizza",
                        full_text="面团发酵")
    assert score(SEPARATOR_DEMAND, unrelated) == (0, [])
    # "一种…的制备方法" and "method" are in every title: they are not terms
    assert not tokens("一种…的制备方法 a method") & tokens("一种电池的制备方法")
    assert shared_terms(SEPARATOR_DEMAND, unrelated) == []


def test_price_and_maturity_alone_never_make_a_match() -> None:
    cheap_and_mature = listing(ipc_codes=("A21D 13/00",), key_text="比萨饼烤炉 pizza oven", full_text="")
    assert score(SEPARATOR_DEMAND, cheap_and_mature) == (0, [])


def test_price_outside_the_budget_or_negotiable_gives_no_price_reason_and_ranks_lower() -> None:
    within, _ = score(SEPARATOR_DEMAND, listing())
    above, why_above = score(SEPARATOR_DEMAND, listing(price=90_000_000))
    negotiable, why_negotiable = score(SEPARATOR_DEMAND, listing(price=None))
    assert "price" not in kinds(why_above)
    assert "price" not in kinds(why_negotiable)
    assert within > above == negotiable


def test_maturity_counts_for_existing_results_only() -> None:
    development = DemandFacts(ipc_codes=("H01M 2/16",), key_text=SEPARATOR_DEMAND.key_text, full_text="",
                              wants=("commissioned",))
    _, reasons = score(development, listing(maturity="industrialised"))
    assert "maturity" not in kinds(reasons)
    _, early = score(SEPARATOR_DEMAND, listing(maturity="concept"))
    assert "maturity" not in kinds(early)


def test_scores_are_the_same_whichever_way_they_are_computed() -> None:
    assert score(SEPARATOR_DEMAND, listing()) == score(SEPARATOR_DEMAND, listing())
