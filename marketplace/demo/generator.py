"""Drawing demo patents and their listings from one ``random.Random``: numbers, people, texts, terms.

Content is deterministic for a given generator; the words come from ``vocabulary`` (the data files).
Design patents carry no IPC codes: CNIPA classifies designs by the Locarno classification,
which the marketplace does not model.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from uuid import UUID

from domain.catalogue.patent_numbers import cn_check_character
from marketplace.catalogue import commands as cc
from marketplace.demo.vocabulary import (
    BUYERS,
    CO_OWNER_SPLITS,
    DEAL_COMBINATIONS,
    ENTERPRISES,
    FIELDS_BY_KEY,
    GIVEN,
    INSTITUTES,
    INVENTOR_SPLITS,
    MATURITY_TRL,
    SURNAMES,
    TYPE_DIGIT_AND_KIND,
    UNIVERSITIES,
    Org,
    Pair,
    Subject,
    TechnicalField,
)

#: "Today" of the demo world: dates are drawn relative to this fixed day so that content is
#: the same whenever it is generated.
AS_OF = date(2025, 12, 31)

#: Programmes behind publicly funded results, with a project-reference maker.
FUNDING_PROGRAMMES: tuple[tuple[str, Callable[[random.Random, int], str]], ...] = (
    ("国家自然科学基金", lambda r, y: f"{r.choice('23456789')}{y % 100:02d}{r.randint(10000, 99999)}"),
    ("福建省科技重大专项", lambda r, y: f"{y}HZ0{r.randint(20000, 29999)}"),
    ("国家重点研发计划", lambda r, y: f"{y}YFB{r.randint(1000000, 2999999)}"),
    ("福建省自然科学基金", lambda r, y: f"{y}J0{r.randint(1000, 1999)}"),
    ("福建省科技计划引导性项目", lambda r, y: f"{y}Y0{r.randint(100, 199)}"),
)


# --- English helpers --------------------------------------------------------------------------

_ACRONYM_VOWEL_SOUND = frozenset("AEFHILMNORSX")  # "an LED", "an AGV"


def _split_article(en: str) -> tuple[bool, str]:
    for article in ("a ", "an "):
        if en.startswith(article):
            return True, en[len(article):]
    return False, en


def _article(phrase: str) -> str:
    word = phrase.split(maxsplit=1)[0].split("-", maxsplit=1)[0]
    if len(word) > 1 and word.isupper():
        return "an" if word[0] in _ACRONYM_VOWEL_SOUND else "a"
    lower = word.lower()
    vowel = lower[:1] in set("aeiou") and not lower.startswith(("uni", "use", "eu", "one"))
    return "an" if vowel else "a"


def _noun(subject_en: str, qualifier_en: str = "", *, article: bool = True) -> str:
    """The subject's English noun phrase with an optional qualifier, its article re-chosen."""
    countable, bare = _split_article(subject_en)
    phrase = f"{qualifier_en} {bare}" if qualifier_en else bare
    return f"{_article(phrase)} {phrase}" if countable and article else phrase


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


# --- generating one patent --------------------------------------------------------------------


class PatentGenerator:
    """Draws patents from one ``random.Random``; keeps numbers unique."""

    def __init__(self, rng: random.Random, org_ids: dict[str, UUID]) -> None:
        self.rng = rng
        self.org_ids = org_ids
        self.application_serials: set[str] = set()
        self.publication_serials: set[str] = set()
        self.owners = [*UNIVERSITIES, *INSTITUTES]
        self.owner_weights = [o.weight for o in self.owners]

    # numbers and dates ----------------------------------------------------------------------
    def application_number(self, year: int, type_digit: str) -> str:
        while True:
            digits = f"{year}{type_digit}{self.rng.randint(10000, 2999999):07d}"
            if digits not in self.application_serials:
                self.application_serials.add(digits)
                return f"{digits}.{cn_check_character(digits)}"

    def publication_number(self, published: date, type_digit: str, kind: str) -> str:
        while True:
            block = 4 + (published.year - 2015) * 3 // 2  # CN1 04… in 2015 to CN1 19… in 2025, roughly as CNIPA
            serial = f"{type_digit}{block:02d}{self.rng.randint(0, 999999):06d}"
            if serial not in self.publication_serials:
                self.publication_serials.add(serial)
                return f"CN{serial}{kind}"

    def day_in(self, year: int) -> date:
        return date(year, 1, 1) + timedelta(days=self.rng.randrange(365))

    # people -----------------------------------------------------------------------------------
    def inventors(self) -> list[cc.InventorShare]:
        count = self.rng.choice((2, 2, 3, 3, 3, 4, 4, 5))
        names: list[str] = []
        while len(names) < count:
            given = "".join(self.rng.sample(GIVEN, self.rng.choice((1, 2, 2))))
            name = self.rng.choice(SURNAMES) + given
            if name not in names:
                names.append(name)
        if self.rng.random() < 0.5:
            split = self.rng.choice(INVENTOR_SPLITS[count])
            return [cc.InventorShare(name=n, share=float(s)) for n, s in zip(names, split, strict=True)]
        return [cc.InventorShare(name=n) for n in names]

    def funding(self, filing_year: int) -> cc.FundingInput | None:
        if self.rng.random() >= 0.33:
            return None
        programme, reference = self.rng.choice(FUNDING_PROGRAMMES)
        start = filing_year - self.rng.randint(0, 2)
        return cc.FundingInput(programme=programme, project_reference=reference(self.rng, start),
                               end_date=date(start + self.rng.choice((3, 4, 5)), 12, 31))

    def owner_shares(self, lister: Org, field: str) -> list[cc.OwnerShare]:
        roll = self.rng.random()
        partner: Org | None = None
        if roll < 0.12:
            others = [o for o in self.owners if o.name != lister.name]
            related = [o for o in others if field in o.fields]
            partner = self.rng.choice(related or others)
        elif roll < 0.22:
            firms = [e for e in ENTERPRISES if e.verified and field in e.fields]
            partner = self.rng.choice(firms) if firms else None
        if partner is None:
            return [cc.OwnerShare(organisation_id=self.org_ids[lister.name], share=100.0)]
        major, minor = self.rng.choice(CO_OWNER_SPLITS)
        return [cc.OwnerShare(organisation_id=self.org_ids[lister.name], share=major),
                cc.OwnerShare(organisation_id=self.org_ids[partner.name], share=minor)]

    # texts ------------------------------------------------------------------------------------
    def texts(self, field: TechnicalField, patent_type: str) -> tuple[Pair, Pair, tuple[str, ...]]:
        """(title zh/en, abstract zh/en, IPC codes) for a patent of ``patent_type`` in ``field``."""
        r = self.rng
        (e1_zh, e1_en), (e2_zh, e2_en) = r.sample(field.effects, 2)
        (u1_zh, u1_en), (u2_zh, u2_en) = r.sample(field.uses, 2)
        if patent_type == "design":
            s = r.choice(field.designs)
            model = r.choice(("", "", "A", "B", "1", "2"))
            title = (f"{s.zh}（{model}型）", f"{_cap(_noun(s.en, article=False))} (type {model})") if model else (
                s.zh, _cap(_noun(s.en, article=False)))
            abstract = (
                f"1．本外观设计产品的名称：{title[0]}。2．本外观设计产品的用途：用于{u1_zh}。"
                "3．本外观设计产品的设计要点：在于形状。4．最能表明设计要点的图片或照片：立体图。",
                f"1. Name of the product: {title[1]}. 2. Use of the product: for {u1_en}. "
                "3. Design points: the shape of the product. 4. Representative view: perspective view.",
            )
            return title, abstract, ()
        if patent_type == "utility_model":
            s = r.choice(field.devices)
            if r.random() < 0.3:
                title = (f"一种结构紧凑的{s.zh}", f"Compact {_noun(s.en, article=False)}")
            else:
                title = (f"一种{s.zh}", _cap(_noun(s.en, article=False)))
            abstract = (
                f"本实用新型公开了{title[0]}，{s.feature[0]}。本实用新型结构简单，{e1_zh}，适用于{u1_zh}。",
                f"The utility model discloses {_noun(s.en)}. {_cap(s.feature[1])}. "
                f"It is simple in structure, {e1_en} and is suitable for {u1_en}.",
            )
            return title, abstract, self.ipc(s, field)
        kinds = [k for k, pool in (("material", field.materials), ("process", field.processes),
                                   ("device", field.devices)) if pool]
        kind = r.choice(kinds)
        if kind == "material":
            s = r.choice(field.materials)
            q_zh, q_en = r.choice(field.qualifiers) if field.qualifiers and r.random() < 0.5 else ("", "")
            noun = _noun(s.en, q_en)
            bare = _cap(_noun(s.en, q_en, article=False))
            title, core_en = r.choice((
                ((f"一种{q_zh}{s.zh}的制备方法", f"Method for preparing {noun}"), f"a method for preparing {noun}"),
                ((f"一种{q_zh}{s.zh}及其制备方法", f"{bare} and preparation method thereof"),
                 f"{noun} and a method for preparing it"),
                ((f"一种{q_zh}{s.zh}及其应用", f"{bare} and use thereof"), f"{noun} and its use"),
            ))
        elif kind == "process":
            s = r.choice(field.processes)
            title, core_en = r.choice((
                ((f"一种{s.zh}方法", f"Method for {s.en}"), f"a method for {s.en}"),
                ((f"一种{s.zh}方法及系统", f"Method and system for {s.en}"), f"a method and system for {s.en}"),
            ))
        else:
            s = r.choice(field.devices)
            bare = _cap(_noun(s.en, article=False))
            title, core_en = r.choice((
                ((f"一种{s.zh}", bare), _noun(s.en)),
                ((f"一种{s.zh}及其使用方法", f"{bare} and method of using the same"),
                 f"{_noun(s.en)} and a method of using it"),
            ))
        abstract = (
            f"本发明公开了{title[0]}，其主要技术特征在于{s.feature[0]}。本发明{e1_zh}，{e2_zh}，"
            f"可用于{u1_zh}和{u2_zh}等领域。",
            f"The invention discloses {core_en}. Its main technical feature is that {s.feature[1]}. "
            f"The invention {e1_en} and {e2_en}, and can be used in {u1_en} and {u2_en}.",
        )
        return title, abstract, self.ipc(s, field)

    def ipc(self, subject: Subject, field: TechnicalField) -> tuple[str, ...]:
        """The subject's own codes (1-2), sometimes plus one more from the field: 1-3 codes."""
        codes = list(subject.ipc[: self.rng.choice((1, 2))])
        if self.rng.random() < 0.3:
            pool = [code for s in (*field.materials, *field.processes, *field.devices) for code in s.ipc]
            extra = self.rng.choice(pool)
            if extra not in codes:
                codes.append(extra)
        return tuple(codes[:3])

    # the patent -------------------------------------------------------------------------------
    def patent(self) -> tuple[cc.RegisterPatent, Org, TechnicalField]:
        r = self.rng
        lister = r.choices(self.owners, weights=self.owner_weights)[0]
        field = FIELDS_BY_KEY[r.choice(lister.fields)]
        patent_type = r.choices(("invention", "utility_model", "design"), weights=(78, 17, 5))[0]
        type_digit, kind_code = TYPE_DIGIT_AND_KIND[patent_type]
        # Utility models (10 years) and designs filed before June 2021 (10 years) from 2015 or 2016
        # would have expired by AS_OF; such records would be misleading demo data.
        first_year = {"invention": 2015, "utility_model": 2017, "design": 2018}[patent_type]
        year = r.randint(first_year, 2024)
        filed = self.day_in(year)
        published: date | None
        granted: date | None
        if patent_type == "invention":
            published = filed + timedelta(days=r.randint(540, 600))  # 18 months after filing, as the law says
            granted = published + timedelta(days=r.randint(180, 900))
            if published > AS_OF:
                published = granted = None
            elif granted > AS_OF or (year >= 2020 and r.random() < 0.15):
                granted = None  # still in substantive examination
        else:
            # Utility models and designs are published when granted (授权公告).
            granted = filed + timedelta(days=r.randint(120, 420))
            published = granted
            if granted > AS_OF:
                published = granted = None
        language = r.choices(("both", "zh", "en"), weights=(75, 15, 10))[0]
        (title_zh, title_en), (abstract_zh, abstract_en), codes = self.texts(field, patent_type)
        if language == "zh":
            title_en = abstract_en = ""
        elif language == "en":
            title_zh = abstract_zh = ""
        publication_number = self.publication_number(published, type_digit, kind_code) if published else None
        if r.random() < 0.05:
            publication_number = None  # some owners enter only the application number
        command = cc.RegisterPatent(
            application_number=self.application_number(year, type_digit),
            publication_number=publication_number,
            patent_type=patent_type, title_zh=title_zh, title_en=title_en, abstract_zh=abstract_zh,
            abstract_en=abstract_en, ipc_codes=list(codes), filing_date=filed, publication_date=published,
            grant_date=granted, legal_status="granted" if granted else "pending",
            owners=self.owner_shares(lister, field.key), inventors=self.inventors(), public_funding=self.funding(year),
        )
        return command, lister, field

    # the listing ------------------------------------------------------------------------------
    def listing(self, patent_id: UUID, patent: cc.RegisterPatent, field: TechnicalField) -> cc.DraftListing:
        """The draft listing of a registered patent: deal types, price, maturity and texts."""
        r = self.rng
        deal_types = r.choices([d for d, _ in DEAL_COMBINATIONS], weights=[w for _, w in DEAL_COMBINATIONS])[0]
        scale = {"design": 0.3, "utility_model": 0.6}.get(patent.patent_type, 1.0)
        asking_price: int | None = None
        open_licence: cc.OpenLicenceInput | None = None
        if "open_licence" in deal_types:
            price_mode = "open_licence"
            fee_yuan = int(round(r.randint(1, 20) * 5000 * scale, -3))
            open_licence = cc.OpenLicenceInput(fee=fee_yuan * 100, royalty_rate=r.choice((0.0, 1.5, 2.5, 3.5, 5.0)),
                                               term_years=r.choice((3, 5, 5, 10)))
        elif r.random() < 0.6:
            price_mode = "fixed"
            yuan = int(round(10 ** r.uniform(4.7, 6.7) * scale, -4))
            asking_price = max(50_000, min(5_000_000, yuan)) * 100  # fen
        else:
            price_mode = "negotiable"
        maturity: str | None = r.choices(list(MATURITY_TRL), weights=(15, 30, 30, 25))[0]
        trl: int | None = None
        if r.random() < 0.4:
            trl = r.randint(*MATURITY_TRL[maturity or "concept"])
            if r.random() < 0.5:
                maturity = None  # the application derives it from the TRL
        zh, en = bool(patent.title_zh), bool(patent.title_en)
        effects = r.sample(field.effects, r.choice((2, 3)))
        (u1_zh, u1_en), (u2_zh, u2_en) = r.sample(field.uses, 2)
        buyer_zh, buyer_en = r.choice(BUYERS)
        advantages: list[str] = []
        applications: list[str] = []
        if zh:
            items = "；".join(f"{i}．{e[0]}" for i, e in enumerate(effects, 1))
            advantages.append(f"技术优势：{items}。")
            applications.append(f"可应用于{u1_zh}、{u2_zh}等领域，适合{buyer_zh}承接转化。")
        if en:
            items = "; ".join(f"{i}. {_cap(e[1])}" for i, e in enumerate(effects, 1))
            advantages.append(f"Advantages: {items}.")
            applications.append(f"Applicable to {u1_en} and {u2_en}; suited to {buyer_en}.")
        picked = r.sample(field.keywords, r.randint(3, min(5, len(field.keywords))))
        keywords = [k[0] for k in picked] if zh else []
        keywords += [k[1] for k in picked if k[1] not in keywords] if en else []
        return cc.DraftListing(
            patent_id=patent_id, deal_types=list(deal_types), price_mode=price_mode, asking_price=asking_price,
            open_licence=open_licence, maturity=maturity, trl=trl, advantages="\n".join(advantages),
            applications="\n".join(applications), keywords=keywords,
        )


def status_plan(rng: random.Random, granted: Sequence[bool]) -> list[str]:
    """Final listing status per patent: ~85 % published, ~8 % draft, ~4 % withdrawn, ~3 % suspended."""
    n = len(granted)
    if n < 4:
        return ["published"] * n
    suspended = min(max(1, round(n * 0.03)), sum(granted))
    withdrawn = max(1, round(n * 0.04))
    drafts = max(1, round(n * 0.08))
    statuses = ["published"] * n
    lapsing = set(rng.sample([i for i, g in enumerate(granted) if g], suspended))
    for i in lapsing:
        statuses[i] = "suspended"
    others = [i for i in range(n) if i not in lapsing]
    chosen = rng.sample(others, withdrawn + drafts)
    for i in chosen[:withdrawn]:
        statuses[i] = "withdrawn"
    for i in chosen[withdrawn:]:
        statuses[i] = "draft"
    return statuses

