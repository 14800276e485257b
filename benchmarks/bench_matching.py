"""Precision@5 of "Matching, explained" on a small labelled set (``benchmarks.matching_labels``).

Two catalogues: 1,500 listings drawn by the demo generator (Chinese and English, ten demands labelled by the
subject each listing was drawn from) and the 14,000-odd distinct titles of the WIPO "pizza" export (English
titles with their IPC codes, no abstracts, prices or maturity; eight demands, one in Chinese, labelled by a
pattern over the title). Each demand's listings are ranked exactly as the matching read model ranks them
(``projections.demand.matching_rules``: its candidate rule, then its score; ties by the item's key, where the
read model breaks them by listing id), and
precision@5 is the share of relevant listings among the first five, averaged over the demands.

Same-run baselines, ranked the same way from the same facts: **IPC only** (the closest shared IPC level, as a
facet filter would find them) and **terms only** (the shared title-and-keyword tokens, as the search box
would). A same-run variant, **rare terms**, weights each token of the term shares by its rarity in the
catalogue (``1 + ln((N + 1) / (df + 1))``, df the listings whose text holds it): it is what an IDF weighting of
the score would rank, kept here because it did not rank better (demo 0.80 either way, WIPO 0.525 against 0.55).

The cost of the demand alert (``projections.notifications.demand_match``: a newly posted demand scored against
the published listings its indexes select, the first five kept) is timed on PostgreSQL when a server is given:
each catalogue is written into the inbox's copy of the facts (``notification_match_listings``, 200 owning
organisations) and each labelled demand is posted to the rule, which runs its candidate query and scores.
"""

from __future__ import annotations

import csv
import math
import random
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID, uuid4

import psycopg
from psycopg.rows import dict_row

from benchmarks.common import SHARED_DATA, BenchResult, Context, fresh_database, say
from benchmarks.matching_labels import DEMO_DEMANDS, WIPO_DEMANDS, LabelledDemand
from domain.catalogue.listing import maturity_of_trl
from marketplace.demo.generator import PatentGenerator
from marketplace.demo.vocabulary import FIELDS_BY_KEY
from marketplace.platform.migrate import migrate
from projections.demand.matching_rules import TERMS_EACH_WAY, DemandFacts, ListingFacts, candidate, ipc_reason, score
from projections.notifications.demand_match import demand_posted
from projections.notifications.registry import Context as RuleContext
from projections.shared.records import EventRecord

WIPO = SHARED_DATA / "patents" / "wipo_pizza_24294.csv"
DEMO_LISTINGS = 1500
K = 5

Ranker = Callable[[DemandFacts, ListingFacts], int]


@dataclass(frozen=True)
class Item:
    """A listing of the benchmark catalogue: its id, what the matcher sees, and what the labels read."""

    key: str
    facts: ListingFacts
    title_zh: str
    title_en: str


def demand_facts(d: LabelledDemand) -> DemandFacts:
    key = " ".join((d.title_zh, d.title_en, " ".join(d.keywords)))
    return DemandFacts(ipc_codes=d.ipc_codes, key_text=key, full_text=d.description, budget_min=0,
                       budget_max=d.budget_max, wants=d.wants)


def demo_catalogue(count: int) -> list[Item]:
    """Listings as the demo draws them (same generator, a fixed seed), with the texts the read model keeps."""
    org_ids: defaultdict[str, UUID] = defaultdict(uuid4)
    generator = PatentGenerator(random.Random(20250301), org_ids)
    items = []
    for n in range(count):
        patent, _, field = generator.patent()
        terms = generator.listing(uuid4(), patent, FIELDS_BY_KEY[field.key])
        price = terms.asking_price if terms.asking_price is not None else (
            terms.open_licence.fee if terms.open_licence is not None else None)
        maturity = terms.maturity or (maturity_of_trl(terms.trl).value if terms.trl else "")
        key = " ".join((patent.title_zh, patent.title_en, " ".join(terms.keywords)))
        full = " ".join((patent.abstract_zh, patent.abstract_en, terms.advantages, terms.applications))
        items.append(Item(f"demo-{n:05d}", ListingFacts(ipc_codes=tuple(patent.ipc_codes), key_text=key,
                                                        full_text=full, price=price, maturity=maturity),
                          patent.title_zh, patent.title_en))
    return items


def wipo_catalogue(path: Path) -> list[Item]:
    """One listing per distinct title of the export (titles and IPC codes only)."""
    seen: set[str] = set()
    items = []
    with path.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            title = row["Title"].strip()
            if not title or title.casefold() in seen:
                continue
            seen.add(title.casefold())
            codes = tuple(dict.fromkeys(c.strip() for c in row["IPC"].split(";") if c.strip()))[:10]
            items.append(Item(row["Publication Number"], ListingFacts(ipc_codes=codes, key_text=title, full_text=""),
                              "", title))
    return items


def demo_relevant(d: LabelledDemand, subjects_en: dict[str, str]) -> Callable[[Item], bool]:
    names_en = [subjects_en[s].casefold() for s in d.subjects]
    return lambda item: any(s in item.title_zh for s in d.subjects) or any(
        n in item.title_en.casefold() for n in names_en)


def wipo_relevant(d: LabelledDemand) -> Callable[[Item], bool]:
    pattern = re.compile(d.relevant, re.IGNORECASE)
    return lambda item: bool(pattern.search(item.title_en))


def full(demand: DemandFacts, listing: ListingFacts) -> int:
    return score(demand, listing)[0]


def ipc_only(demand: DemandFacts, listing: ListingFacts) -> int:
    return ipc_reason(demand.ipc_codes, listing.ipc_codes)[0]


def terms_only(demand: DemandFacts, listing: ListingFacts) -> int:
    return len(demand.key_tokens & listing.full_tokens) + len(listing.key_tokens & demand.full_tokens)


def rare_terms(items: Sequence[Item]) -> Ranker:
    """The full score with each token of its two term shares weighted by its rarity among ``items``."""
    df: Counter[str] = Counter(t for i in items for t in i.facts.full_tokens)
    n = len(items)

    def weight(token: str) -> float:
        return 1.0 + math.log((n + 1) / (df[token] + 1))

    def share(part: frozenset[str], whole: frozenset[str], weighted: bool) -> int:
        if not part:
            return 0
        if not weighted:
            return TERMS_EACH_WAY * len(part & whole) // len(part)
        return int(TERMS_EACH_WAY * sum(weight(t) for t in part & whole) / sum(weight(t) for t in part))

    def rank(demand: DemandFacts, listing: ListingFacts) -> int:
        points = score(demand, listing)[0]
        if not points:
            return 0
        plain = share(demand.key_tokens, listing.full_tokens, False) + share(listing.key_tokens, demand.full_tokens,
                                                                            False)
        rare = share(demand.key_tokens, listing.full_tokens, True) + share(listing.key_tokens, demand.full_tokens,
                                                                          True)
        return points - plain + rare

    return rank


def top(demand: DemandFacts, items: Sequence[Item], ranker: Ranker, k: int = K) -> list[Item]:
    """The first ``k`` of the matches, as the read model orders them (score, then id)."""
    scored = [(ranker(demand, i.facts), i.key, i) for i in items if candidate(demand, i.facts)]
    return [i for points, _, i in sorted((s for s in scored if s[0] > 0), key=lambda s: (-s[0], s[1]))[:k]]


def precision(demands: Iterable[tuple[LabelledDemand, Callable[[Item], bool]]], items: Sequence[Item],
              ranker: Ranker, per_demand: dict[str, float] | None = None) -> float:
    values = []
    for labelled, relevant in demands:
        found = top(demand_facts(labelled), items, ranker)
        value = sum(1 for i in found if relevant(i)) / K
        values.append(value)
        if per_demand is not None:
            per_demand[labelled.key] = value
    return sum(values) / len(values)


def _subjects_en() -> dict[str, str]:
    names = {}
    for field in FIELDS_BY_KEY.values():
        for s in (*field.materials, *field.processes, *field.devices):
            names[s.zh] = re.sub(r"^(a|an) ", "", s.en)
    return names


def _measure(result: BenchResult, name: str, labelled: list[tuple[LabelledDemand, Callable[[Item], bool]]],
             items: Sequence[Item]) -> None:
    per: dict[str, float] = {}
    matcher = precision(labelled, items, full, per)
    by_ipc = precision(labelled, items, ipc_only)
    by_terms = precision(labelled, items, terms_only)
    by_rarity = precision(labelled, items, rare_terms(items))
    counts = {d.key: sum(1 for i in items if relevant(i)) for d, relevant in labelled}
    say(f"  {name}: {len(items):,} listings, {len(labelled)} demands; relevant listings per demand {counts}")
    say(f"  {name}: precision@5 matcher {matcher:.3f}, IPC only {by_ipc:.3f}, terms only {by_terms:.3f},"
        f" rare terms weighted {by_rarity:.3f}; per demand {per}")
    result.add(f"{name}: precision@5", matcher, "ratio", baseline=by_ipc, baseline_name="IPC only",
               note=f"terms only {by_terms:.2f}; rare terms weighted {by_rarity:.3f}; {len(labelled)} demands,"
                    f" {len(items):,} listings")
    result.details[name] = {"precision_at_5": matcher, "ipc_only": by_ipc, "terms_only": by_terms,
                            "rare_terms": by_rarity,
                            "per_demand": per, "relevant_counts": counts, "listings": len(items)}


ORGANISATIONS = 200
INSERT_LISTING = (
    "INSERT INTO notification_match_listings (id, patent_id, organisation_id, status, title_zh, title_en, ipc_codes,"
    " subclasses, key_text, full_text, key_tokens, full_tokens, price, maturity, terms)"
    " VALUES (%s, %s, %s, 'published', %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, '{}')"
)
INSERT_DEMAND = (
    "INSERT INTO notification_match_demands (id, organisation_id, status, visibility, title_zh, title_en, closes_at,"
    " ipc_codes, subclasses, key_text, full_text, key_tokens, full_tokens, budget_min, budget_max, wants)"
    " VALUES (%s, %s, 'open', 'public', %s, %s, now(), %s, %s, %s, %s, %s, %s, 0, %s, %s)"
)


def alert_cost(ctx: Context, result: BenchResult, name: str, labelled: Sequence[LabelledDemand],
               items: Sequence[Item]) -> None:
    """Milliseconds the demand alert's rule takes per posted demand, on PostgreSQL, against ``items``."""
    orgs = [uuid4() for _ in range(ORGANISATIONS)]
    with fresh_database(ctx.server, "alerts") as address:
        migrate(address.conninfo())
        with psycopg.connect(address.conninfo(), row_factory=dict_row) as conn:
            with conn.cursor() as curs:
                curs.executemany(INSERT_LISTING, [
                    (uuid4(), uuid4(), orgs[n % ORGANISATIONS], i.title_zh, i.title_en, list(i.facts.ipc_codes),
                     list(i.facts.subclasses), i.facts.key_text, i.facts.full_text, sorted(i.facts.key_tokens),
                     sorted(i.facts.full_tokens), i.facts.price, i.facts.maturity) for n, i in enumerate(items)])
                conn.commit()
                curs.execute("ANALYZE notification_match_listings")
            times, told = [], []
            for d in labelled:
                facts = demand_facts(d)
                demand_id = uuid4()
                with conn.cursor() as curs:
                    curs.execute(INSERT_DEMAND, (demand_id, uuid4(), d.title_zh, d.title_en, list(facts.ipc_codes),
                                                 list(facts.subclasses), facts.key_text, facts.full_text,
                                                 sorted(facts.key_tokens), sorted(facts.full_tokens),
                                                 facts.budget_max, list(facts.wants)))
                    record = EventRecord(0, str(demand_id), 1, "", "", {})
                    started = time.perf_counter()
                    notices = list(demand_posted(RuleContext(curs), record))
                    times.append(time.perf_counter() - started)
                    told.append(sum(len(n.organisations) for n in notices))
            conn.rollback()
    ms = sorted(t * 1000 for t in times)
    result.add(f"{name}: demand alert per posted demand", sum(ms) / len(ms), "ms",
               note=f"median {ms[len(ms) // 2]:.1f} ms, max {ms[-1]:.1f} ms over {len(ms)} demands against"
                    f" {len(items):,} published listings; organisations told per demand {told}")
    say(f"  {name}: demand alert {sum(ms) / len(ms):.1f} ms per demand (max {ms[-1]:.1f}); told {told}")


def run(ctx: Context) -> BenchResult:
    result = BenchResult("matching")
    subjects_en = _subjects_en()
    demo = demo_catalogue(DEMO_LISTINGS // 3 if ctx.quick else DEMO_LISTINGS)
    _measure(result, "demo (zh/en)", [(d, demo_relevant(d, subjects_en)) for d in DEMO_DEMANDS], demo)
    alert_cost(ctx, result, "demo (zh/en)", DEMO_DEMANDS, demo)
    if WIPO.exists():
        wipo = wipo_catalogue(WIPO)
        _measure(result, "WIPO pizza (en)", [(d, wipo_relevant(d)) for d in WIPO_DEMANDS], wipo)
        alert_cost(ctx, result, "WIPO pizza (en)", WIPO_DEMANDS, wipo)
    else:
        result.note(f"{WIPO} is absent: the WIPO part is not measured")
    return result
