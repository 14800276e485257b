"""The demo's literal data, read from the TOML files in ``marketplace/demo/data/``.

``organisations.toml`` names the organisations and their accounts, ``technical_fields.toml`` what
patents are about, ``listings.toml`` what patents and listings are drawn from, ``deals.toml`` the
deals and valuations. Order in the files matters: seeding follows it and the random draws depend on it.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib.resources import files
from typing import Any, NamedTuple

Pair = tuple[str, str]  # (Chinese, English)


@cache
def data_file(name: str) -> dict[str, Any]:
    """One of the demo's data files, parsed (dates come as ``datetime.date``)."""
    return tomllib.loads((files("marketplace.demo") / "data" / name).read_text(encoding="utf-8"))


class Org(NamedTuple):
    """A demo organisation and its first account (its admin)."""

    name: str
    kind: str
    region: str
    email: str
    display_name: str
    fields: tuple[str, ...] = ()  # technical fields it patents in (owners) or works in (enterprises)
    weight: int = 0  # how many patents it owns, relatively
    verified: bool = True


class Member(NamedTuple):
    """A plain member an organisation adds, with the platform-wide role the platform admin grants."""

    organisation: str
    email: str
    display_name: str
    role: str


class Subject(NamedTuple):
    """A thing a patent can be about, with its IPC codes and its main technical feature.

    ``en`` carries its article when countable ("a separator"); the feature's English is a clause.
    """

    zh: str
    en: str
    ipc: tuple[str, ...] = ()
    feature: Pair = ("", "")


class TechnicalField(NamedTuple):
    """Vocabulary of one technical field; every IPC code is in the 2020 IPC scheme."""

    key: str
    name: Pair
    materials: tuple[Subject, ...]  # products and substances: "一种…的制备方法"
    processes: tuple[Subject, ...]  # methods, English as "Method for <gerund phrase>"
    devices: tuple[Subject, ...]  # apparatus: inventions and utility models
    designs: tuple[Subject, ...]  # products of design patents (no IPC)
    qualifiers: tuple[Pair, ...]
    effects: tuple[Pair, ...]  # advantages; English as a verb phrase ("reduces cost")
    uses: tuple[Pair, ...]
    keywords: tuple[Pair, ...]


def _pair(item: list[str]) -> Pair:
    zh, en = item
    return zh, en


def _pairs(items: list[list[str]]) -> tuple[Pair, ...]:
    return tuple(_pair(item) for item in items)


def _org(row: dict[str, Any]) -> Org:
    return Org(**{**row, "fields": tuple(row.get("fields", ()))})


def _subject(row: dict[str, Any]) -> Subject:
    return Subject(row["zh"], row["en"], tuple(row.get("ipc", ())), _pair(row.get("feature", ["", ""])))


def _subjects(rows: list[dict[str, Any]]) -> tuple[Subject, ...]:
    return tuple(_subject(row) for row in rows)


def _field(row: dict[str, Any]) -> TechnicalField:
    return TechnicalField(
        key=row["key"], name=_pair(row["name"]), materials=_subjects(row.get("materials", [])),
        processes=_subjects(row.get("processes", [])), devices=_subjects(row.get("devices", [])),
        designs=_subjects(row.get("designs", [])), qualifiers=_pairs(row["qualifiers"]), effects=_pairs(row["effects"]),
        uses=_pairs(row["uses"]), keywords=_pairs(row["keywords"]),
    )


_ORGANISATIONS = data_file("organisations.toml")
_LISTINGS = data_file("listings.toml")

# --- organisations and accounts ---------------------------------------------------------------

#: The marketplace operator: its organisation and first platform admin come from ``bootstrap_platform_admin``.
PLATFORM_ADMIN = _org(_ORGANISATIONS["platform_admin"])
PLATFORM_ORGANISATION = PLATFORM_ADMIN.name
UNIVERSITIES = tuple(_org(row) for row in _ORGANISATIONS["universities"])
INSTITUTES = tuple(_org(row) for row in _ORGANISATIONS["institutes"])
ENTERPRISES = tuple(_org(row) for row in _ORGANISATIONS["enterprises"])
AGENCIES = tuple(_org(row) for row in _ORGANISATIONS["agencies"])
MEMBERS = tuple(Member(**row) for row in _ORGANISATIONS["members"])

# --- technical fields -------------------------------------------------------------------------

TECHNICAL_FIELDS = tuple(_field(row) for row in data_file("technical_fields.toml")["fields"])
FIELDS_BY_KEY = {f.key: f for f in TECHNICAL_FIELDS}

# --- patents and listings ---------------------------------------------------------------------

SURNAMES: str = _LISTINGS["surnames"]
GIVEN: str = _LISTINGS["given"]
INVENTOR_SPLITS: dict[int, tuple[tuple[int, ...], ...]] = {
    int(count): tuple(tuple(split) for split in splits) for count, splits in _LISTINGS["inventor_splits"].items()
}
CO_OWNER_SPLITS: tuple[tuple[float, float], ...] = tuple((major, minor) for major, minor in
                                                         _LISTINGS["co_owner_splits"])
BUYERS = _pairs(_LISTINGS["buyers"])
WITHDRAW_REASONS: tuple[str, ...] = tuple(_LISTINGS["withdraw_reasons"])
DEAL_COMBINATIONS: tuple[tuple[tuple[str, ...], int], ...] = tuple(
    (tuple(row["deal_types"]), row["weight"]) for row in _LISTINGS["deal_combinations"]
)
#: CN application type digit and publication kind code (A, U, S) per patent type.
TYPE_DIGIT_AND_KIND: dict[str, Pair] = {kind: _pair(pair) for kind, pair in _LISTINGS["type_digit_and_kind"].items()}
MATURITY_TRL: dict[str, tuple[int, int]] = {maturity: (low, high) for maturity, (low, high) in
                                            _LISTINGS["maturity_trl"].items()}
