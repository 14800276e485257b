"""Patent application and publication numbers: value objects, parsers and the CNIPA check character."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from types import MappingProxyType
from zoneinfo import ZoneInfo

from domain.shared.errors import InvalidPatentNumberError

#: Application years are CNIPA's: a number filed on 1 January Beijing time carries the new year.
BEIJING = ZoneInfo("Asia/Shanghai")

# --- CN application numbers ----------------------------------------------------------------
#
# CNIPA standard ZC 0006-2003 《专利申请号标准》 §4: from 1 October 2003 an application number has
# 12 digits (4-digit filing year, 1 type digit, 7-digit serial); from 1985 to 30 September 2003
# it had 8 digits (2-digit year, 1 type digit, 5-digit serial).  Both are followed by a dot and
# one check character computed from the digits (see ``cn_check_character``).

CN_TYPE_INVENTION = "invention"
CN_TYPE_UTILITY_MODEL = "utility_model"
CN_TYPE_DESIGN = "design"

#: Type digit of a CN application number → patent type (ZC 0006-2003 §4.3): 1 invention,
#: 2 utility model, 3 design, 8 PCT invention entering the national phase, 9 PCT utility model
#: entering the national phase.
CN_TYPE_DIGITS: Mapping[str, str] = MappingProxyType(
    {
        "1": CN_TYPE_INVENTION,
        "2": CN_TYPE_UTILITY_MODEL,
        "3": CN_TYPE_DESIGN,
        "8": CN_TYPE_INVENTION,
        "9": CN_TYPE_UTILITY_MODEL,
    }
)

CN_FIRST_YEAR = 1985  # the Patent Law of the PRC took effect on 1 April 1985
CN_LAST_SHORT_FORM_YEAR = 2003  # the 8-digit form was replaced on 1 October 2003
CN_FIRST_LONG_FORM_YEAR = 2003

_CN_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9)
_SPACES = re.compile(r"\s+")
_CN_APPLICATION = re.compile(r"^(?:CN|ZL)?(\d+)(?:\.([0-9X]))?$")
_CN_APPLICATION_NO_DOT = re.compile(r"^(?:CN|ZL)?(\d{8}|\d{12})([0-9X])$")
_PCT_APPLICATION = re.compile(r"^PCT/([A-Z]{2})(\d{4}/\d{6}|\d{2}/\d{5})$")
_OTHER_APPLICATION = re.compile(r"^[A-Z0-9]+(?:[/.\-][A-Z0-9]+)*$")
_LENS_KIND = re.compile(r"^[A-Z]\d?$")
_OFFICE = re.compile(r"^[A-Z]{2}$")


def normalise_office(text: str, *, field: str = "office") -> str:
    """Return a two-letter WIPO ST.3 office code in upper case (``cn`` → ``CN``)."""
    office = text.strip().upper()
    if not _OFFICE.match(office):
        raise InvalidPatentNumberError(
            f"{field}: an office must be a two-letter WIPO ST.3 code such as CN or US, got {text.strip()!r}",
            field=field,
            code="number.office",
            got=text.strip(),
        )
    return office


def cn_check_character(digits: str) -> str:
    """Compute the check character of a CN application number from its 8 or 12 digits.

    CNIPA standard ZC 0006-2003 §2.3 and §5.1 require the check character (a digit or X) after
    the number and a dot; the computation, as CNIPA applies it: multiply the digits from the
    left by the weights 2, 3, 4, 5, 6, 7, 8, 9 (restarting at 2, so 2,3,4,5,6,7,8,9,2,3,4,5 for
    the 12-digit form), add the products and take the sum modulo 11; a remainder of 10 is
    written X.  Checked against granted numbers, e.g. 202123168608 → X, 99113861 → 9.
    """
    if not digits.isdigit() or len(digits) not in (8, 12):
        raise ValueError(f"a CN application number has 8 or 12 digits, got {digits!r}")
    total = sum(int(d) * _CN_WEIGHTS[i % len(_CN_WEIGHTS)] for i, d in enumerate(digits))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


@dataclass(frozen=True)
class ApplicationNumber:
    """A patent application number of one office.

    CN numbers keep their 8 or 12 digits in ``serial`` and the check character in ``check``;
    other offices have no check character.  International (PCT) applications are held under
    office ``WO`` with the whole ``PCT/CN2020/123456`` text as serial.  Build with
    ``parse_application_number``, which validates.
    """

    office: str
    serial: str
    check: str | None

    @property
    def is_pct(self) -> bool:
        """Whether this is an international application number (``PCT/CN2020/123456``)."""
        return self.serial.startswith("PCT/")

    @property
    def key(self) -> str:
        """Identity key: office and serial without the check character (``CN202010123456``)."""
        if self.is_pct:
            return self.serial
        return f"{self.office}{self.serial}"

    def __str__(self) -> str:
        """Canonical text: ``202010123456.2`` for CN, ``US13657122`` elsewhere."""
        if self.office == "CN":
            return f"{self.serial}.{self.check}" if self.check else self.serial
        if self.is_pct:
            return self.serial
        return f"{self.office}{self.serial}"


def cn_application_type(app: ApplicationNumber) -> str | None:
    """Patent type declared by a CN application number's type digit (ZC 0006-2003 §4.3).

    Returns ``"invention"`` (digits 1 and 8), ``"utility_model"`` (2 and 9), ``"design"`` (3),
    or None for a number of another office.
    """
    if app.office != "CN" or app.is_pct:
        return None
    if len(app.serial) == 12:
        return CN_TYPE_DIGITS.get(app.serial[4])
    if len(app.serial) == 8:
        return CN_TYPE_DIGITS.get(app.serial[2])
    return None


def parse_application_number(
    text: str,
    *,
    office: str = "CN",
    field: str = "application_number",
    today: date | None = None,
) -> ApplicationNumber:
    """Parse and validate an application number of ``office``.

    CN (ZC 0006-2003): ``202010123456.2``, ``CN202010123456.2``, ``ZL 2020 1 0123456.2``,
    ``ZL95115608.X``; case and spaces do not matter; the check character is required and must
    match ``cn_check_character`` (it may also follow the digits without the dot, as in the
    common ``2022106357271``).  A PCT international number (``PCT/CN2020/123456``) is accepted
    for any office but CN.  Other offices are checked loosely: office code optional, then letters,
    digits and ``/ . -`` separators with at least four digits; a Lens-style trailing kind
    (``US 201213657122 A``) is dropped.
    """
    office_code = "WO" if office.strip().upper() == "PCT" else normalise_office(office)
    compact = _compact(text)
    if not compact:
        raise InvalidPatentNumberError(f"{field}: must not be empty", field=field, code="required")
    if office_code == "CN":
        return _parse_cn_application(compact, field=field, today=today or datetime.now(tz=BEIJING).date())
    return _parse_other_application(text, office_code, field=field)


def _compact(text: str) -> str:
    """Upper-case, unify the dot variants and remove every space."""
    cleaned = text.strip().upper().replace("．", ".").replace("·", ".").replace("。", ".")
    return _SPACES.sub("", cleaned)


def _parse_cn_application(compact: str, *, field: str, today: date) -> ApplicationNumber:
    if compact.startswith("PCT/"):
        raise InvalidPatentNumberError(
            f"{field}: {compact} is an international (PCT) application number; give the CN "
            "national-phase application number (type digit 8 or 9) instead",
            field=field,
            code="number.pct",
            number=compact,
        )
    match = _CN_APPLICATION_NO_DOT.match(compact) or _CN_APPLICATION.match(compact)
    if match is None:
        raise InvalidPatentNumberError(
            f"{field}: {compact!r} is not a CN application number; the form is 12 digits "
            "(year, type digit, serial) or, before October 2003, 8 digits, then a dot and a check "
            "character, e.g. 202010123456.2",
            field=field,
            code="number.cn_application",
            number=compact,
        )
    digits, check = match.group(1), match.group(2)
    if len(digits) not in (8, 12):
        raise InvalidPatentNumberError(
            f"{field}: a CN application number has 12 digits (or 8 before October 2003) "
            f"before the check character, got {len(digits)}",
            field=field,
            code="number.cn_digits",
            count=len(digits),
        )
    if check is None:
        raise InvalidPatentNumberError(
            f"{field}: the check character is required after a dot, e.g. 202010123456.2",
            field=field,
            code="number.check_required",
        )
    if len(digits) == 12:
        year, type_digit = int(digits[:4]), digits[4]
        if not CN_FIRST_LONG_FORM_YEAR <= year <= today.year:
            raise InvalidPatentNumberError(
                f"{field}: the 12-digit form starts with the filing year, which must be from "
                f"{CN_FIRST_LONG_FORM_YEAR} to {today.year}, got {year}",
                field=field,
                code="number.year",
                first=CN_FIRST_LONG_FORM_YEAR,
                last=today.year,
                got=year,
            )
    else:
        short_year, type_digit = int(digits[:2]), digits[2]
        year = 1900 + short_year if short_year >= CN_FIRST_YEAR % 100 else 2000 + short_year
        if year > CN_LAST_SHORT_FORM_YEAR:
            raise InvalidPatentNumberError(
                f"{field}: the 8-digit form starts with a two-digit filing year from 85 (1985) to "
                f"03 (2003), got {digits[:2]}",
                field=field,
                code="number.short_year",
                got=digits[:2],
            )
    if type_digit not in CN_TYPE_DIGITS:
        raise InvalidPatentNumberError(
            f"{field}: the type digit must be 1 (invention), 2 (utility model), 3 (design), "
            f"8 or 9 (PCT national phase), got {type_digit}",
            field=field,
            code="number.type_digit",
            got=type_digit,
        )
    expected = cn_check_character(digits)
    if check != expected:
        raise InvalidPatentNumberError(
            f"{field}: check character should be {expected}, got {check}",
            field=field,
            code="number.check_character",
            expected=expected,
            got=check,
        )
    return ApplicationNumber(office="CN", serial=digits, check=check)


def _parse_other_application(text: str, office: str, *, field: str) -> ApplicationNumber:
    tokens = text.strip().upper().split()
    if len(tokens) > 1 and _LENS_KIND.match(tokens[-1]):
        tokens = tokens[:-1]  # Lens appends the application kind: "US 201213657122 A"
    compact = "".join(tokens).replace(",", "")
    pct = _PCT_APPLICATION.match(compact)
    if pct is not None:
        return ApplicationNumber(office="WO", serial=compact, check=None)
    serial = compact.removeprefix(office)
    if office == "US":
        serial = serial.replace("/", "")  # US "13/657,122" is series code 13 + serial 657122
    if not _OTHER_APPLICATION.match(serial) or sum(c.isdigit() for c in serial) < 4:
        raise InvalidPatentNumberError(
            f"{field}: {text.strip()!r} is not a {office} application number; expected the office "
            "code (optional), then letters and at least four digits, e.g. US13657122",
            field=field,
            code="number.other_application",
            number=text.strip(),
            office=office,
        )
    return ApplicationNumber(office=office, serial=serial, check=None)


# --- publication numbers -------------------------------------------------------------------
#
# WIPO ST.6 numbering: two-letter office code (ST.3), the document serial, then a kind code
# (ST.16, e.g. A1, B2, U) that can be omitted.

#: CN kind codes (CNIPA, 2007 onward, and earlier C/Y/D): A application publication,
#: B granted invention, C granted invention (before 2010), U/Y utility model, S/D design.
CN_KIND_LETTERS = frozenset("ABCUYSD")

_CN_PUBLICATION = re.compile(r"^CN(\d+)([A-Z]\d?)?$")
_COMPACT_KIND = re.compile(r"(?<=\d)([A-Z]\d?)$")
#: Singapore's numbers since 2012 are 11 digits and a check letter (SG 11201500980W): that
#: letter belongs to the serial; a kind code may follow it.
_SG_CHECK_LETTER_SERIAL = re.compile(r"^(\d{11}[A-Z])([A-Z]\d?)?$")
_OTHER_SERIAL = re.compile(r"^[A-Z0-9]+(?:[/\-][A-Z0-9]+)*$")
_YEAR_SLASH = re.compile(r"^((?:19|20)\d{2})/(\d+)$")
_MIN_SERIAL_DIGITS = 3  # the shortest real number seen is a Czech utility model, CZ 896 U1


@dataclass(frozen=True)
class PublicationNumber:
    """A published patent document number: office, serial and optional kind code (WIPO ST.6/ST.16).

    Build with ``parse_publication_number``, which normalises and validates.
    """

    office: str
    serial: str
    kind: str | None

    @property
    def key(self) -> str:
        """Identity key: office and serial without the kind code (``CN112345678``)."""
        return f"{self.office}{self.serial}"

    def __str__(self) -> str:
        """Canonical text: office + serial + kind, e.g. ``CN112345678A``, ``ZA2005/02132``."""
        return f"{self.office}{self.serial}{self.kind or ''}"


def parse_publication_number(text: str, *, field: str = "publication_number") -> PublicationNumber:
    """Parse a publication number as written by WIPO PATENTSCOPE, The Lens, CNIPA or by hand.

    The office code is upper-cased (``za2005/02132`` → ``ZA2005/02132``), spaces are removed
    (Lens ``US 2013/0101709 A1``), a trailing ``*`` is dropped (``KR100396150*``).  A kind code is
    taken when it is separated by a space (Lens) or follows the digits directly (``EP1610276A1``,
    ``US3982033A``, so that ``str()`` parses back to an equal number), except the check letter
    that ends Singapore's serials (``SG11201500980W``).  US and WO numbers written
    ``year/serial`` (Lens) are compacted to the WIPO form (``US 2013/0101709`` → ``US20130101709``).
    CN: 9 digits (since 2007) or 7 digits (before), kind one of A B C U Y S D.
    """
    cleaned = text.strip().rstrip("*").strip().upper()
    tokens = cleaned.split()
    kind: str | None = None
    if len(tokens) > 1 and _LENS_KIND.match(tokens[-1]):
        kind = tokens[-1]
        tokens = tokens[:-1]
    compact = "".join(tokens)
    if len(compact) < 3 or not compact[:2].isalpha() or not compact[:2].isascii():
        raise InvalidPatentNumberError(
            f"{field}: {text.strip()!r} is not a publication number; it must start with a "
            "two-letter office code followed by the number, e.g. CN112345678A or US20050286606",
            field=field,
            code="number.publication",
            number=text.strip(),
        )
    office = compact[:2]
    if office == "CN":
        return _parse_cn_publication(compact, kind, text=text, field=field)
    serial = compact[2:]
    if kind is None:
        singapore = _SG_CHECK_LETTER_SERIAL.match(serial) if office == "SG" else None
        compact_kind = _COMPACT_KIND.search(serial)
        if singapore is not None:
            serial, kind = singapore.group(1), singapore.group(2)
        elif compact_kind is not None:
            kind = compact_kind.group(1)
            serial = serial[: compact_kind.start()]
    if office in ("US", "WO"):
        year_slash = _YEAR_SLASH.match(serial)
        if year_slash is not None:
            serial = year_slash.group(1) + year_slash.group(2)
    if not _OTHER_SERIAL.match(serial) or sum(c.isdigit() for c in serial) < _MIN_SERIAL_DIGITS:
        raise InvalidPatentNumberError(
            f"{field}: {text.strip()!r} is not a {office} publication number; after the office code "
            "it needs at least three digits (letters and / separators allowed), e.g. US20050286606",
            field=field,
            code="number.other_publication",
            number=text.strip(),
            office=office,
        )
    return PublicationNumber(office=office, serial=serial, kind=kind)


def _parse_cn_publication(compact: str, kind: str | None, *, text: str, field: str) -> PublicationNumber:
    match = _CN_PUBLICATION.match(compact)
    if match is None:
        raise InvalidPatentNumberError(
            f"{field}: {text.strip()!r} is not a CN publication number; the form is CN, 9 digits "
            "(7 before 2007) and an optional kind code, e.g. CN112345678A",
            field=field,
            code="number.cn_publication",
            number=text.strip(),
        )
    serial, compact_kind = match.group(1), match.group(2)
    if len(serial) not in (7, 9):
        raise InvalidPatentNumberError(
            f"{field}: a CN publication number has 9 digits (7 before 2007), got {len(serial)}",
            field=field,
            code="number.cn_publication_digits",
            count=len(serial),
        )
    if compact_kind is not None:
        if kind is not None:
            raise InvalidPatentNumberError(
                f"{field}: {text.strip()!r} has two kind codes ({compact_kind} and {kind})",
                field=field,
                code="number.two_kinds",
                number=text.strip(),
                first=compact_kind,
                second=kind,
            )
        kind = compact_kind
    if kind is not None and kind[0] not in CN_KIND_LETTERS:
        raise InvalidPatentNumberError(
            f"{field}: a CN kind code starts with one of A, B, C, U, Y, S, D, got {kind}",
            field=field,
            code="number.cn_kind",
            got=kind,
        )
    return PublicationNumber(office="CN", serial=serial, kind=kind)
