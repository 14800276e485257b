"""Full-text search in Chinese and English on PostgreSQL's tsvector.

PostgreSQL's parser does not segment Chinese: it would index "一种锂电池隔膜" as one word, so a
search for "电池" would find nothing. We index every run of CJK characters as overlapping
bigrams ("锂电", "电池", "池隔", ...), plus the run's last character on its own, and let the
``english`` configuration stem the Latin-script remainder. A query is cut the same way and all
its bigrams must match (AND), so "电池" matches any title containing 电池 and "锂电池" needs both
"锂电" and "电池". A one-character query becomes a prefix query ("电:*"), which matches every
bigram starting with that character and the trailing unigram, hence every occurrence.

Why bigrams rather than a dictionary segmenter (jieba) or pg_trgm: bigrams need no dictionary
and no extension, never miss a word the dictionary lacks (technical terms, new names), and a
GIN index serves them for queries of any length; pg_trgm cannot use its index for a
two-character query such as 电池 (most Chinese words have two characters). The cost is a
larger index and some false positives across word boundaries, which ranking pushes down.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

# CJK Unified Ideographs (+ extension A), compatibility ideographs, kana and hangul syllables.
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af"
_CJK_RUN = re.compile(f"[{_CJK}]+")
_LATIN_WORD = re.compile(r"[0-9A-Za-z\u00c0-\u024f]+(?:[-'][0-9A-Za-z\u00c0-\u024f]+)*")


def cjk_tokens(text: str) -> list[str]:
    """Overlapping bigrams of every CJK run, plus each run's last character."""
    tokens: list[str] = []
    for run in _CJK_RUN.findall(text):
        tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
        tokens.append(run[-1])
    return tokens


def latin_text(text: str) -> str:
    """The text with CJK runs blanked out, for the ``english`` text-search configuration."""
    return _CJK_RUN.sub(" ", text)


def index_parts(*texts: str) -> tuple[str, list[str]]:
    """(Latin text, distinct CJK tokens) for one weight class of a document."""
    joined = " ".join(t for t in texts if t)
    return latin_text(joined), sorted(set(cjk_tokens(joined)))


@lru_cache(maxsize=8192)  # a page's texts and then some; tuples of strings are not tracked by the GC
def part(text: str) -> tuple[str, tuple[str, ...]]:
    """(Latin text, distinct CJK tokens) of one text, cached: what ``joined_index_parts`` joins."""
    return latin_text(text), tuple(set(cjk_tokens(text)))


def joined_index_parts(
    parts: Sequence[str], memo: dict[str, tuple[str, tuple[str, ...]]] | None = None
) -> tuple[str, str]:
    """``index_parts(" ".join(parts))``, its tokens joined by spaces in no particular order (for
    ``array_to_tsvector(string_to_array(…, ' '))``, which sorts them and drops repeats), tokenising each part
    once per process (cached).

    A space is not CJK, so the runs of the joined text are those of its parts: its Latin text is the
    parts' Latin texts joined by spaces and its tokens their union. A patent's abstract and titles are
    also in its listing's document (in the same page when both are new): the cache tokenises them once
    (a rebuild spent 17 % of its time here). A page larger than the cache (a bulk catch-up's) passes a
    ``memo`` of its own, kept while it writes: its listings find their patents' texts there.
    """
    if memo is None:
        cut = [part(p) for p in parts]
    else:
        cut = []
        for p in parts:
            known = memo.get(p)
            if known is None:
                known = memo[p] = part(p)
            cut.append(known)
    # One string, not an array: a bulk page's JSON encodes and parses far faster (a document has hundreds).
    return " ".join(latin for latin, _ in cut), " ".join(set().union(*(cjk for _, cjk in cut)))


# A patent number as people type it: an optional office (CN, ZL for a granted CN patent, US, …),
# digits, an optional dot and check character (CN application numbers, ZC 0006-2003), an optional
# kind code (A, B, U, S, B1, …) of a publication number.
_NUMBER = re.compile(r"^(?:[A-Z]{2})?(\d{6,})(?:\.?([0-9X]))?(?:[A-Z]\d?)?$")
#: Lexemes of patent numbers carry this prefix, so that "12345678" the number never collides with
#: a word of the text (and PostgreSQL's parser, which reads "201710451976.4" as one float, is bypassed).
NUMBER_PREFIX = "pn"
# "CN 201710451976.4": the office written apart from the number.
_OFFICE_SPACE = re.compile(r"\b([A-Za-z]{2})\s+(?=\d{6})")


def _number_key(token: str) -> tuple[str, str | None] | None:
    """(digits, check character or None) of a token that reads as a patent number, else None."""
    m = _NUMBER.match(token.strip().upper().replace(" ", ""))
    if m is None:
        return None
    return m.group(1), m.group(2)


def number_lexemes(*numbers: str | None) -> list[str]:
    """The search lexemes of a patent's application and publication numbers.

    ``201710451976.4`` gives ``pn201710451976`` and ``pn2017104519764`` (with or without the dot
    and check character); ``CN107123456A`` gives ``pn107123456`` (any kind code: the application
    publication A and the grant B share the number). The query side (``query_parts``) reduces what
    was typed to one of these.
    """
    lexemes: set[str] = set()
    for number in numbers:
        key = _number_key(number or "")
        if key is None:
            continue
        digits, check = key
        lexemes.add(f"{NUMBER_PREFIX}{digits}")
        if check:
            lexemes.add(f"{NUMBER_PREFIX}{digits}{check}".lower())
    return sorted(lexemes)


def query_parts(query: str) -> tuple[str, str]:
    """(Latin words for ``plainto_tsquery('english', …)``, ``tsquery`` text for the ``simple`` parser or "").

    The second part holds the CJK bigrams and the lexemes of any patent numbers in the query
    (``number_lexemes``); it only contains CJK characters, ASCII letters and digits, spaces, ``&``
    and ``:*``, so it is safe to pass to ``to_tsquery('simple', …)`` as a bound parameter.
    """
    numbers: list[str] = []
    words: list[str] = []
    for token in _OFFICE_SPACE.sub(r"\1", query).split():
        key = _number_key(token)
        if key is None:
            words.append(token)
        else:
            digits, check = key
            numbers.append(f"{NUMBER_PREFIX}{digits}{check or ''}".lower())
    query = " ".join(words)
    cjk: list[str] = list(numbers)
    for run in _CJK_RUN.findall(query):
        if len(run) == 1:
            cjk.append(f"{run}:*")
        else:
            cjk.extend(run[i : i + 2] for i in range(len(run) - 1))
    latin = " ".join(_LATIN_WORD.findall(latin_text(query)))
    return latin, " & ".join(dict.fromkeys(cjk))
