"""A large catalogue, generated fast: aggregates built in Python and saved in batches.

Each listing is a patent (``Patent.register`` with ``ipc_scheme=None``, codes drawn from the 2020
scheme), a ``Listing.draft`` with varied terms, ``patent.open_listing`` and ``listing.publish``:
four events. Organisations (universities, institutes, enterprises) own the patents.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from benchmarks import vocabulary
from benchmarks.common import Timer
from domain.accounts.organisation import Organisation
from domain.catalogue.listing import Listing, ListingTerms, OpenLicenceTerms
from domain.catalogue.owners import Inventor, Owner
from domain.catalogue.patent import Patent
from domain.catalogue.patent_numbers import cn_check_character
from domain.shared.ids import natural_id
from domain.shared.money import Money
from marketplace.platform.app_base import SYSTEM_ACTOR

DEAL_TYPE_SETS: tuple[tuple[str, ...], ...] = (
    ("assignment",), ("assignment", "exclusive_licence"), ("exclusive_licence",), ("sole_licence",),
    ("non_exclusive_licence",), ("assignment", "non_exclusive_licence"), ("exclusive_licence", "sole_licence"),
    ("open_licence",), ("open_licence", "non_exclusive_licence"), ("assignment", "exclusive_licence", "sole_licence"),
)
MATURITY_TRL = {"concept": (1, 3), "prototype": (4, 5), "pilot": (6, 7), "industrialised": (8, 9)}


@dataclass
class Generated:
    listings: int = 0
    events: int = 0
    build_seconds: float = 0.0
    save_seconds: float = 0.0
    listing_ids: list[UUID] = field(default_factory=list)


def _terms(rng: random.Random, t: vocabulary.Title) -> ListingTerms:
    deal_types = rng.choice(DEAL_TYPE_SETS)
    roll = rng.random()
    open_licence = None
    if "open_licence" in deal_types:
        open_licence = OpenLicenceTerms(fee=Money(rng.choice((0, 2, 5, 10, 20)) * 1_000_000),
                                        royalty_rate=rng.choice((0, 100, 300, 500)), term_years=rng.choice((3, 5)))
        mode, price = ("open_licence", None) if roll < 0.7 else ("negotiable", None)
    elif roll < 0.6:
        mode, price = "fixed", Money(rng.choice((5, 8, 10, 20, 30, 50, 80, 100, 150, 200, 300, 500)) * 1_000_000
                                     + rng.randrange(0, 100) * 10_000)
    else:
        mode, price = "negotiable", None
    maturity = rng.choice(tuple(MATURITY_TRL))
    low, high = MATURITY_TRL[maturity]
    adv = rng.choice(vocabulary.ADVANTAGES)
    use = rng.choice(t.field.uses)
    return ListingTerms(
        deal_types=deal_types, price_mode=mode, asking_price=price, open_licence=open_licence, maturity=maturity,
        trl=rng.randint(low, high) if rng.random() < 0.7 else None, advantages=f"{adv[0]}；{adv[1]}",
        applications=f"{use[0]}（{use[1]}）", keywords=tuple(n[0] for n in t.nouns),
    )


def generate(app: Any, count: int, *, batch: int, seed: int = 2024,
             progress: Callable[[int], None] | None = None) -> Generated:
    """Register ``count`` patents, each with a published listing, in saves of ``batch`` aggregates."""
    rng = random.Random(seed)
    out = Generated()
    timer = Timer()
    actor = natural_id("user", "bench-loader@example.cn")
    organisations = [Organisation.register(name=name, kind=kind, verified=True, by=SYSTEM_ACTOR)
                     for name, kind in vocabulary.organisation_names(300, rng)]
    # Universities and institutes hold most patents, as on the real platform.
    weights = [8 if o.kind != "enterprise" else 1 for o in organisations]
    for start in range(0, len(organisations), batch):
        app.save(*organisations[start:start + batch])
    out.events += len(organisations)
    pending: list[Any] = []
    first_day = date(2012, 1, 1)
    for i in range(count):
        with timer.step("build"):
            t = vocabulary.title(rng)
            org = rng.choices(organisations, weights)[0]
            kind = "invention" if rng.random() < 0.7 else "utility_model"
            filed = first_day + timedelta(days=rng.randrange(0, 12 * 365))
            digits = f"{filed.year}{'1' if kind == 'invention' else '2'}{i:07d}"
            abstract_zh, abstract_en = vocabulary.abstract(rng, t)
            granted = rng.random() < 0.6
            patent = Patent.register(
                jurisdiction="CN", application_number=f"{digits}.{cn_check_character(digits)}",
                publication_number=f"CN{(100_000_000 if kind == 'invention' else 200_000_000) + i}"
                                   f"{'A' if kind == 'invention' else 'U'}",
                patent_type=kind, title_zh=t.zh, title_en=t.en, abstract_zh=abstract_zh, abstract_en=abstract_en,
                ipc_codes=vocabulary.ipc_codes(rng, t.field), ipc_scheme=None, filing_date=filed,
                publication_date=filed + timedelta(days=180 + rng.randrange(0, 200)),
                grant_date=filed + timedelta(days=500 + rng.randrange(0, 400)) if granted else None,
                legal_status="granted" if granted else "pending",
                owners=[Owner(org.id, org.name, 10_000)],
                inventors=[Inventor(vocabulary.person(rng)) for _ in range(rng.randint(1, 4))], by=actor,
            )
            listing = Listing.draft(patent_id=patent.id, organisation_id=org.id, terms=_terms(rng, t), by=actor)
            patent.open_listing(listing.id, by=actor)
            listing.publish(by=actor)
            pending += (patent, listing)
            out.listing_ids.append(listing.id)
        if len(pending) >= batch or i == count - 1:
            with timer.step("save"):
                app.save(*pending)
            out.events += 4 * (len(pending) // 2)
            pending = []
            if progress is not None:
                progress(i + 1)
    out.listings = count
    out.build_seconds = timer.totals.get("build", 0.0)
    out.save_seconds = timer.totals.get("save", 0.0)
    return out


def timed_generate(app: Any, count: int, *, batch: int) -> tuple[Generated, float]:
    started = time.perf_counter()
    generated = generate(app, count, batch=batch)
    return generated, time.perf_counter() - started
