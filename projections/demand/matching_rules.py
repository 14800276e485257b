"""How well a listing answers a technology demand, and why: pure scoring with readable reasons.

A pair matches when it shares an IPC subclass or a term (a word or a run of Chinese characters) of one side's
title or keywords appears in the other side's text. Its score adds:

- IPC: the closest shared level of any two codes — the same group or subgroup (3), the same main group (2),
  the same subclass (1);
- terms: the share of each side's title-and-keyword tokens found in the other side's text (up to 3 each way);
  Chinese is cut into bigrams and English words are lower-cased and lightly stemmed, as the search index does
  (``projections.shared.search``), so terms match in either language the texts are written in;
- price within budget (0.5): a fixed or open-licence price in CNY between the demand's budget bounds;
- maturity (0.5): a demand for existing results (licence or purchase) and a listing at pilot or industrial stage.

Price and maturity never make a match on their own. Scores are integers (thousandths) so that a rebuild from
the log writes identical rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import MISSING, dataclass, field, fields
from functools import lru_cache
from typing import Any, TypeVar

from domain.catalogue.ipc import parse_ipc
from domain.shared.errors import DomainError
from projections.shared.search import cjk_tokens

_CJK_RUN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[0-9A-Za-z\u00c0-\u024f]+(?:-[0-9A-Za-z\u00c0-\u024f]+)*")
#: Bigrams of patent and demand boilerplate ("一种…的制备方法及其应用", "我们需要…").
CJK_STOP = frozenset([
    "一种", "种用", "及其", "其制", "制备", "备方", "方法", "装置", "系统", "用于", "的制", "的方",
    "法及", "及应", "应用", "其应", "一个", "以及", "具有", "包括", "通过", "我们", "们需", "需要",
    "要一", "寻求", "求一", "希望", "技术", "术方", "方案", "相关", "有关", "的技", "一套", "套用",
    "于的", "中的", "和方",
])
LATIN_STOP = frozenset(
    ["the", "and", "for", "with", "from", "into", "that", "this", "which", "method", "methods", "apparatus",
     "device", "devices", "system", "systems", "use", "uses", "using", "used", "thereof", "therefor", "same",
     "its", "are", "has", "have", "been", "being", "can", "able", "make", "making", "made", "process", "processes",
     "product", "products", "composition", "compositions", "new", "improved", "based", "via", "per", "our", "need",
     "needs", "want", "wants", "seek", "seeking", "looking", "technology", "technologies", "solution", "solutions"])
MATURE = frozenset({"pilot", "industrialised"})
EXISTING = frozenset({"licence", "purchase"})

IPC_GROUP, IPC_MAIN_GROUP, IPC_SUBCLASS = 3000, 2000, 1000
TERMS_EACH_WAY = 3000
PRICE_BONUS = MATURITY_BONUS = 500
#: At most this many terms are named in a reason.
TERMS_SHOWN = 6


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def latin_words(text: str) -> list[str]:
    """Lower-cased, stemmed words of three letters or more, boilerplate left out."""
    words = (_stem(w.casefold()) for w in _WORD.findall(text))
    return [w for w in words if len(w) >= 3 and w not in LATIN_STOP and not w.isdigit()]


def tokens(text: str) -> frozenset[str]:
    """The tokens compared: CJK bigrams (boilerplate left out) and English words."""
    bigrams = {t for t in cjk_tokens(text) if len(t) == 2 and t not in CJK_STOP}
    return frozenset(bigrams | set(latin_words(text)))


@dataclass(frozen=True)
class Facts:
    """What one side (a demand or a listing) is matched on."""

    ipc_codes: tuple[str, ...]
    key_text: str  # titles and keywords
    full_text: str  # all its words (titles, keywords, descriptions or abstract)
    key_tokens: frozenset[str] = field(init=False)
    full_tokens: frozenset[str] = field(init=False)
    subclasses: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        key = tokens(self.key_text)
        object.__setattr__(self, "key_tokens", key)
        object.__setattr__(self, "full_tokens", key | tokens(self.full_text))
        object.__setattr__(self, "subclasses", subclasses(self.ipc_codes))


F = TypeVar("F", bound=Facts)


def with_tokens(cls: type[F], *, key_tokens: Iterable[str], full_tokens: Iterable[str], **values: Any) -> F:
    """``cls``'s facts with the tokens a read model stored (cut from the same texts by ``tokens`` when it wrote
    them), so that scoring a pair does not cut its texts again; the other fields from ``values`` or defaults."""
    facts = object.__new__(cls)
    for f in fields(cls):
        if f.init:
            value = values.get(f.name, f.default)
            if value is MISSING:
                raise TypeError(f"with_tokens: {f.name} is required")
            object.__setattr__(facts, f.name, value)
    object.__setattr__(facts, "key_tokens", frozenset(key_tokens))
    object.__setattr__(facts, "full_tokens", frozenset(full_tokens))
    object.__setattr__(facts, "subclasses", subclasses(facts.ipc_codes))
    return facts


@dataclass(frozen=True)
class DemandFacts(Facts):
    budget_min: int = 0
    budget_max: int = 0
    wants: tuple[str, ...] = ()


@dataclass(frozen=True)
class ListingFacts(Facts):
    price: int | None = None  # fen, CNY; None when negotiable
    maturity: str = ""


def subclasses(codes: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    return tuple(sorted({c.replace(" ", "")[:4].upper() for c in codes if len(c.replace(" ", "")) >= 4}))


@lru_cache(maxsize=65536)
def _ipc_parts(code: str) -> tuple[str, str, str] | None:
    """(subclass, main group, full code) of a group-level code, e.g. ("H01M", "H01M 10/00", "H01M 10/0525")."""
    try:
        parsed = parse_ipc(code)
    except DomainError:
        return None
    sub = parsed.subclass_code
    if sub is None:
        return None
    if parsed.main_group is None:
        return sub, "", ""
    return sub, f"{sub} {parsed.main_group}/00", str(parsed)


def ipc_reason(demand: tuple[str, ...], listing: tuple[str, ...]) -> tuple[int, dict[str, Any] | None]:
    """The closest shared IPC level of any two codes, with its points and reason."""
    best: tuple[int, dict[str, Any] | None] = (0, None)
    theirs = [p for p in (_ipc_parts(c) for c in listing) if p]
    for mine in (p for p in (_ipc_parts(c) for c in demand) if p):
        for other in theirs:
            if mine[2] and mine[2] == other[2]:
                found = (IPC_GROUP, {"kind": "ipc_group", "values": [mine[2]]})
            elif mine[1] and mine[1] == other[1]:
                found = (IPC_MAIN_GROUP, {"kind": "ipc_main_group", "values": [mine[1]]})
            elif mine[0] == other[0]:
                found = (IPC_SUBCLASS, {"kind": "ipc_subclass", "values": [mine[0]]})
            else:
                continue
            if found[0] > best[0]:
                best = found
    return best


def _cjk_terms(source: str, target: str) -> list[str]:
    """Maximal runs (two characters or more) of ``source``'s Chinese that appear in ``target``."""
    found: list[str] = []
    for run in _CJK_RUN.findall(source):
        i = 0
        while i < len(run) - 1:
            end = next((j for j in range(len(run), i + 1, -1) if run[i:j] in target), 0)
            if end:
                term = run[i:end]
                if any(term[k:k + 2] not in CJK_STOP for k in range(len(term) - 1)):
                    found.append(term)
                i = end
            else:
                i += 1
    return found


def shared_terms(a: Facts, b: Facts) -> list[str]:
    """Readable terms of either side's title or keywords found in the other side's text, longest first."""
    terms: list[str] = []
    for source, other in ((a, b), (b, a)):
        terms += _cjk_terms(source.key_text, other.key_text + " " + other.full_text)
        terms += [w for w in dict.fromkeys(latin_words(source.key_text)) if w in other.full_tokens]
    unique = sorted(dict.fromkeys(terms), key=lambda t: (-len(t), t))
    kept: list[str] = []
    for term in unique:
        if not any(term in longer for longer in kept):
            kept.append(term)
    return kept[:TERMS_SHOWN]


def _share(part: frozenset[str], whole: frozenset[str]) -> int:
    return TERMS_EACH_WAY * len(part & whole) // len(part) if part else 0


def candidate(demand: Facts, listing: Facts) -> bool:
    """Whether the pair may match at all: what the projection selects with its indexes."""
    return bool(set(demand.subclasses) & set(listing.subclasses) or demand.key_tokens & listing.full_tokens
                or listing.key_tokens & demand.full_tokens)


def score(demand: DemandFacts, listing: ListingFacts) -> tuple[int, list[dict[str, Any]]]:
    """(score, reasons) of the pair; score 0 when they do not match."""
    if not candidate(demand, listing):
        return 0, []
    points, ipc = ipc_reason(demand.ipc_codes, listing.ipc_codes)
    reasons = [ipc] if ipc else []
    terms = _share(demand.key_tokens, listing.full_tokens) + _share(listing.key_tokens, demand.full_tokens)
    words = shared_terms(demand, listing) if terms else []
    if words:
        reasons.append({"kind": "terms", "values": words})
    if not points and not words:
        return 0, []
    points += terms
    if listing.price is not None and demand.budget_max and demand.budget_min <= listing.price <= demand.budget_max:
        points += PRICE_BONUS
        reasons.append({"kind": "price", "values": []})
    if listing.maturity in MATURE and EXISTING & set(demand.wants):
        points += MATURITY_BONUS
        reasons.append({"kind": "maturity", "values": [listing.maturity]})
    return points, reasons
