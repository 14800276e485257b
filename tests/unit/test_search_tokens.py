"""Chinese bigram tokenisation for full-text search."""

from __future__ import annotations

from projections.shared.search import cjk_tokens, index_parts, query_parts


def test_cjk_runs_become_overlapping_bigrams_and_a_trailing_unigram() -> None:
    assert cjk_tokens("锂电池隔膜") == ["锂电", "电池", "池隔", "隔膜", "膜"]
    assert cjk_tokens("电 池") == ["电", "池"]


def test_latin_text_keeps_words_and_drops_cjk() -> None:
    latin, cjk = index_parts("一种锂电池 Lithium battery separator")
    assert latin.split() == ["Lithium", "battery", "separator"]
    assert "电池" in cjk


def test_queries_need_every_bigram_and_single_characters_are_prefixes() -> None:
    assert query_parts("锂电池") == ("", "锂电 & 电池")
    assert query_parts("电") == ("", "电:*")
    assert query_parts("电池 batteries") == ("batteries", "电池")
    assert query_parts("  ") == ("", "")


def test_query_text_cannot_carry_tsquery_operators() -> None:
    latin, cjk = query_parts("a & b | !c <-> 电池' OR 1=1")
    assert set(cjk) <= set("电池 &:*")
    assert not set("&|!'<>") & set(latin)
