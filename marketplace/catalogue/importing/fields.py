"""Cleaning fields of imported records: titles, dates and IPC codes."""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Iterable

from domain.catalogue.ipc import parse_ipc
from domain.shared.errors import DomainError

_HAN = re.compile(r"[\u4e00-\u9fff]")
_KANA_HANGUL = re.compile(r"[\u3040-\u30ff\uac00-\ud7a3]")


def one_line(text: str) -> str:
    return " ".join(text.split())


def titles(text: str) -> tuple[str, str]:
    """(title_en, title_zh): a title in Chinese characters (no kana or hangul) goes to title_zh."""
    title = one_line(text)
    if title and _HAN.search(title) and not _KANA_HANGUL.search(title):
        return "", title
    return title, ""


def dmy(text: str, sep: str) -> datetime.date | None:
    parts = text.strip().split(sep)
    if len(parts) != 3:
        return None
    try:
        return datetime.date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError:
        return None


def dmy2(text: str, pivot: int) -> datetime.date | None:
    """dd/mm/yy: years above ``pivot`` (this year's two digits) are 19xx, the others 20xx."""
    parts = text.strip().split("/")
    if len(parts) != 3 or len(parts[2]) != 2:
        return None
    try:
        year = int(parts[2])
        return datetime.date(1900 + year if year > pivot else 2000 + year, int(parts[1]), int(parts[0]))
    except ValueError:
        return None


_ISO_DATE = re.compile(r"^(\d{4})[-/.]?(\d{2})[-/.]?(\d{2})$")


def iso_date(text: str) -> datetime.date | None:
    match = _ISO_DATE.match(text.strip())
    if match is None:
        return None
    try:
        return datetime.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


# A lenient reading of damaged IPC entries: an edition digit in front ("6 A 21 D 13/02"), spaces
# inside the symbol, a space for the stroke ("A21D 8 02 20060101 A F I"), "//", trailing flags
# ("A21D 13/00 A", "G06F 17/60A0", "A23C 19/032 -"), lists after one subclass ("19/00, 19/068").
_IPC_EDITION = re.compile(r"^\d\s+(?=[A-H])")
_IPC_SPACED_SUBCLASS = re.compile(r"\b([A-H])\s*(\d)\s*(\d)\s*([A-Z])\b")
_IPC_LENIENT = re.compile(r"^([A-H]\d\d[A-Z])\s*(?:(\d{1,4})\s*(?:/+\s*|\s+)(\d*)|(\d{1,4})|/)?(?:\W|[A-Z]|$)")
_IPC_GROUP_ONLY = re.compile(r"^(\d{1,4})\s*/+\s*(\d*)")


@functools.lru_cache(maxsize=16384)
def _ipc_texts(code: str) -> tuple[str, ...]:
    """The IPC symbols in one entry of a classification list, in "A21D 13/00" form.

    Most entries parse as they are.  Damaged ones are read leniently (see above); a subgroup cut
    short ("A21D 13/0", "A21D 13/") gives its main group ("A21D 13/00"), which certainly
    contains the document's subgroup, and a missing group gives the subclass.  What still
    does not parse is dropped.
    """
    try:
        return (str(parse_ipc(code)),)
    except DomainError:
        pass
    texts: list[str] = []
    subclass = ""
    for part in _IPC_SPACED_SUBCLASS.sub(r"\1\2\3\4", _IPC_EDITION.sub("", code.strip())).split(","):
        piece = part.strip()
        if subclass and _IPC_GROUP_ONLY.match(piece):  # "19/068" continuing "A23C 19/00"
            piece = f"{subclass} {piece}"
        match = _IPC_LENIENT.match(piece)
        if match is None:
            continue
        subclass, main, sub, main_only = match.group(1), match.group(2), match.group(3), match.group(4)
        main = main or main_only
        if main is None:
            candidate = subclass
        elif sub is not None and len(sub) >= 2:
            candidate = f"{subclass} {main}/{sub}"
        else:
            candidate = f"{subclass} {main}/00"
        try:
            texts.append(str(parse_ipc(candidate)))
        except DomainError:
            continue
    return tuple(texts)


def ipc_codes(codes: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for raw in codes:
        code = raw.strip()
        if code:
            for text in _ipc_texts(code):
                seen.setdefault(text, None)
    return tuple(seen)
