"""Applicants' and inventors' names: cleaning, de-duplication and the kind of applicant (by name)."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence

from marketplace.catalogue.importing.records import (
    ENTERPRISE,
    INDIVIDUAL,
    RESEARCH_INSTITUTE,
    UNIVERSITY,
    Applicant,
)


def clean_name(name: str) -> str:
    """Collapse whitespace and drop the "*" that exports put before or after a name."""
    return " ".join(name.strip().strip("*").split())


_NON_WORD = re.compile(r"[\W_]+")


@functools.lru_cache(maxsize=65536)
def name_key(name: str) -> str:
    """Name for comparisons: NFKC, case-folded, punctuation as spaces, whitespace collapsed."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return " ".join(_NON_WORD.sub(" ", folded).split())


def clean_names(names: Iterable[str]) -> tuple[str, ...]:
    """Cleaned names, empty ones dropped, de-duplicated by normalised name (first spelling kept)."""
    seen: dict[str, str] = {}
    for raw in names:
        name = clean_name(raw)
        if name:
            seen.setdefault(name_key(name), name)
    return tuple(seen.values())


def applicants_named(names: Iterable[str], inventors: Sequence[str]) -> tuple[Applicant, ...]:
    return applicants_with_kinds(((n, None) for n in names), inventors)


def applicants_with_kinds(items: Iterable[tuple[str, str | None]], inventors: Sequence[str]) -> tuple[Applicant, ...]:
    inventor_keys = frozenset(name_key(i) for i in inventors)
    seen: dict[str, Applicant] = {}
    for raw, kind in items:
        name = clean_name(raw)
        if not name:
            continue
        key = name_key(name)
        if key not in seen:
            seen[key] = Applicant(name=name, kind=kind or _kind_of(name, inventor_keys))
    return tuple(seen.values())


# --- applicant classification ------------------------------------------------------------------

# A university word anywhere makes a university: "UNIVERSITY OF TENNESSEE RESEARCH FOUNDATION",
# "Industry-Academic Cooperation Foundation, Yonsei University", "学校法人明治大学".
# "univ" as in PATENTSCOPE's abbreviations (UNIV CALIFORNIA), not UNIVERSAL or UNIVERSE.
_UNIVERSITY = re.compile(
    r"\buniv(?!ersal|erse\b)|\bcollege\b|hochschule|"
    r"大学|大學|学院|學院|대학|학교법인|学校法人",
)
# Weaker university words, which a company form (GmbH, Co., S.L., ...) overrides.
_UNIVERSITY_WEAK = re.compile(
    r"polytechn|politecnic|\bschool of\b|\b(?:medical|business|law|graduate) school\b|"
    r"institute of technology|\binst(?:\.|itute)? tech",
)
_RESEARCH = re.compile(
    r"\binstitut|\bistituto\b|"
    r"\bresearch (?:cent(?:er|re)|council|organi[sz]ation|foundation|agency)|national laborator|"
    r"\bcnrs\b|centre national de la recherche|fraunhofer|\bcsiro\b|commonwealth scientific|"
    r"academy of sciences|academia sinica|national institutes? of health|max[- ]planck|"
    r"\binserm\b|\binra\b|\bcsic\b|consejo superior de investigaciones|commissariat [àa] l.[ée]nergie|"
    r"\btno\b|nederlandse organisatie voor toegepast|\briken\b|agency for science, technology and research|"
    r"\bvtt\b|\bsintef\b|consiglio nazionale delle ricerche|"
    r"研究院|研究所|科学院|研究中心|研究センター|研究機構|연구원|연구소|연구센터",
)
# Substrings one of which every _RESEARCH match contains: a fast first test.
_RESEARCH_HINTS = (
    "institut", "istituto", "research", "laborator", "cnrs", "recherche", "fraunhofer", "csiro",
    "commonwealth", "academ", "planck", "inserm", "inra", "csic", "consejo", "commissariat", "tno",
    "nederlandse", "riken", "agency", "vtt", "sintef", "consiglio", "研究", "科学院", "연구",
)  # fmt: skip
# Company forms.  The strong ones mark a business even in "... INSTITUTE GMBH"; INC and LTD do
# not, since US non-profits and Crown research institutes use them (J. CRAIG VENTER INSTITUTE, INC.).
_STRONG_COMPANY = re.compile(
    r"\b(?:gmbh|mbh|llc|l\.l\.c|co|corp|corporation|company|s\.?l|s\.?a|s\.?r\.?l|s\.?p\.?a|"
    r"s\.?c\.?a\.?r\.?l|b\.?v|n\.?v|k\.?k|plc|a/s|oy|oyj|pty|pte|kg|kgaa|bhd)\b\.?|"
    r"株式会社|有限会社|公司|주식회사|\(주\)|㈜",
)
_COMPANY = re.compile(
    r"\b(?:inc|incorporated|ltd|limited|ag|ab|llp|l\.?p|sas|sarl|lda|bvba|sprl|unipessoal|de c\.? ?v|"
    r"cooperative|co-operative|industria|staat|엘엘씨|인코포레이티드|코포레이션|리미티드|게엠베하)\b\.?",
)
# Words that do not occur in a person's name written "SURNAME, Given".
# fmt: off
_NOT_PERSON_WORDS = frozenset(
    {
        "the", "of", "and", "for", "foundation", "trust", "association", "society", "council", "board",
        "government", "ministry", "department", "republic", "state", "states", "bank", "hospital", "clinic",
        "center", "centre", "laboratories", "laboratory", "industries", "industry", "international", "holding",
        "holdings", "group", "partners", "enterprises", "products", "foods", "food", "systems", "technologies",
        "technology", "pharmaceuticals", "pharma", "services", "solutions", "trading", "regents", "trustees",
        "represented", "secretary", "america", "united", "national", "institute", "research",
    }
)
# fmt: on
# "SURNAME, Given" or, as in PCT records, "SURNAME, Given, Middle" and "WOOD, Lowell L., Jr.".
_PERSON_COMMA = re.compile(r"^[^\W\d_][\w'’.\- ]*(?:,\s*[^\W\d_][\w'’.\- ]*)+$")
_CJK_PERSON = re.compile(r"^[\u4e00-\u9fff][\u4e00-\u9fff·・]{1,3}$|^[\uac00-\ud7a3]{2,4}$")
_CJK_ORGANISATION_END = re.compile(r"(?:公司|厂|院|所|局|会|部|社|店|中心|集团|站|处|队|校|馆|행|원|소|회|단)$")


def classify_applicant(name: str, *, inventors: Iterable[str] = ()) -> str:
    """Kind of applicant: ``"university"``, ``"research_institute"``, ``"enterprise"`` or
    ``"individual"``.

    University words win (a university's research foundation or company is the university's);
    then research bodies (institutes, research centres, CNRS, Fraunhofer, CSIRO, academies of
    sciences, 研究院/研究所/科学院, ...) unless a company form such as GmbH or Co. shows a
    business; then persons: "SURNAME, Given" without company or organisation words, a 2-4
    character Chinese or Korean name, or (for names like "HOPKINS ALEXANDER N" that only
    look like a person's) a name that is also in ``inventors``; everything else is an
    enterprise.
    """
    keys = frozenset(name_key(clean_name(i)) for i in inventors)
    return _kind_of(clean_name(name), keys)


def _kind_of(name: str, inventor_keys: frozenset[str]) -> str:
    kind = _kind_by_name(name)
    if kind == ENTERPRISE and inventor_keys and name_key(name) in inventor_keys and not _is_company(name):
        return INDIVIDUAL
    return kind


def _is_company(name: str) -> bool:
    folded = name.casefold()
    return bool(_STRONG_COMPANY.search(folded) or _COMPANY.search(folded))


@functools.lru_cache(maxsize=65536)
def _kind_by_name(name: str) -> str:
    folded = name.casefold()  # the patterns are in lower case
    if _UNIVERSITY.search(folded.replace("科学院", "")):
        return UNIVERSITY
    if _STRONG_COMPANY.search(folded) is not None:
        return ENTERPRISE
    if _UNIVERSITY_WEAK.search(folded):
        return UNIVERSITY
    if any(hint in folded for hint in _RESEARCH_HINTS) and _RESEARCH.search(folded):
        return RESEARCH_INSTITUTE
    if _looks_like_person(folded):
        return INDIVIDUAL
    return ENTERPRISE


def _looks_like_person(name: str) -> bool:
    if _CJK_PERSON.match(name):
        return not _CJK_ORGANISATION_END.search(name)
    if not _PERSON_COMMA.match(name):
        return False
    surname, _, given = name.partition(",")
    surname_words, given_words = surname.split(), given.replace(",", " ").split()
    if not (1 <= len(surname_words) <= 4 and 1 <= len(given_words) <= 6):
        return False
    # A company form after the comma ("Cargill, Incorporated") or in a longer first part; a
    # one-word surname may look like one ("SAS, Benedikt").
    if _COMPANY.search(given) or (len(surname_words) > 1 and _COMPANY.search(surname)):
        return False
    return not set(name_key(name).split()) & _NOT_PERSON_WORDS
