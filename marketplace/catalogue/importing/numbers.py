"""Type and legal status from a publication number's kind code and series, and the *expired* rule.

The rules are listed in ``docs/IMPORT_FORMATS.md`` ("Type and status from the number").
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from domain.catalogue.patent_numbers import PublicationNumber
from domain.catalogue.patent_terms import PatentType, statutory_expiry
from marketplace.catalogue.importing.records import DESIGN, EXPIRED, GRANTED, INVENTION, PENDING, UTILITY_MODEL

#: Offices whose kind U publishes a utility model *application* (not yet registered).
_UM_APPLICATION_OFFICES = frozenset({"KR", "JP", "PL", "IT", "ES", "BR", "HU"})


def _digits(serial: str) -> str:
    """The serial without leading zeros when it is all digits, else unchanged."""
    return serial.lstrip("0") if serial.isdigit() else serial


def infer_type(pub: PublicationNumber) -> str:  # noqa: PLR0911
    """Patent type from the kind code and number series (see ``docs/IMPORT_FORMATS.md``)."""
    kind = (pub.kind or "")[:1]
    office, serial = pub.office, _digits(pub.serial)
    if kind == "S" or (kind == "D" and office == "CN"):
        return DESIGN
    if kind in ("U", "Y"):
        return UTILITY_MODEL
    if office == "US":
        return DESIGN if serial.startswith("D") else INVENTION
    if not serial.isdigit():
        return UTILITY_MODEL if office == "BR" and serial.startswith("MU") else INVENTION
    length = len(serial)
    if office == "CN" and length == 9:
        return {"2": UTILITY_MODEL, "3": DESIGN}.get(serial[0], INVENTION)
    if office == "KR" and length in (9, 13):
        return {"20": UTILITY_MODEL, "30": DESIGN}.get(serial[:2], INVENTION)
    if office == "DE" and _is_de_utility_model(serial):
        return UTILITY_MODEL
    if office == "ES" and length == 7 and serial.startswith("1"):
        return UTILITY_MODEL
    return INVENTION


def _is_de_utility_model(serial: str) -> bool:
    length = len(serial)
    return (
        (length == 8 and serial.startswith("2"))
        or (length == 12 and serial.startswith("20"))
        or (length == 7 and serial[0] in "789")
    )


def infer_status(pub: PublicationNumber) -> tuple[str, bool]:  # noqa: PLR0911
    """(legal status, whether this publication is the grant) from kind and number series."""
    office, serial, kind = pub.office, _digits(pub.serial), (pub.kind or "")[:1]
    if office == "WO":
        return PENDING, False
    if office == "US":
        if serial.isdigit() and len(serial) == 11:
            return PENDING, False
        return GRANTED, True
    if kind in ("B", "C", "E", "S", "Y"):
        return GRANTED, True
    if kind == "U":
        return (PENDING, False) if office in _UM_APPLICATION_OFFICES else (GRANTED, True)
    if kind:
        return PENDING, False
    if office == "ZA":
        return GRANTED, False
    if not serial.isdigit():
        return PENDING, False
    length = len(serial)
    if (
        (office == "KR" and length == 9)
        or (office == "CN" and length == 9 and serial[0] in "23")
        or (office == "CA" and int(serial) < 2_000_000)
        or (office == "DE" and _is_de_utility_model(serial))
        or (office == "RU" and length == 7 and serial.startswith("2"))
    ):
        return GRANTED, True
    if office == "DE" and length == 8 and serial.startswith("6"):
        return GRANTED, False
    return PENDING, False


#: Years after the latest known date by which every right of the type has certainly ended.
_CERTAIN_END_YEARS: dict[str, int] = {INVENTION: 25, DESIGN: 25, UTILITY_MODEL: 15}


def expire(
    status: str,
    office: str,
    patent_type: str,
    *,
    filed: datetime.date | None,
    dates: Iterable[datetime.date | None],
    today: datetime.date,
) -> str:
    """``expired`` when the right has certainly ended by ``today``, else ``status`` unchanged."""
    if status not in (PENDING, GRANTED):
        return status
    if filed is not None and office == "CN" and patent_type != INVENTION:
        # PRC utility models and designs have fixed terms from filing and no extension.
        end = statutory_expiry(office, PatentType(patent_type), filed)
        if end is not None and end <= today:
            return EXPIRED
    known = [d for d in (filed, *dates) if d is not None]
    if not known:
        return status
    latest = max(known)
    years = _CERTAIN_END_YEARS[patent_type]
    try:
        end = latest.replace(year=latest.year + years)
    except ValueError:  # 29 February
        end = latest.replace(year=latest.year + years, day=28)
    return EXPIRED if end < today else status
