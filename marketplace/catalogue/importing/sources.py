"""Reading patent records from files, for ``marketplace import-patents FILE``.

``read_patents(path)`` yields one ``ImportedPatent`` per usable record and one ``RowError`` (with
the 1-based line number of the record's first line; a CSV header is line 1) per record that
cannot be used.  It never raises for bad data: a publication number that does not parse, a
record without any title, a wrong enumeration value in the marketplace formats are row errors;
an unparseable date only becomes ``None``; an IPC code that does not parse is dropped.  It does
no de-duplication: the same number twice gives two records (the importer derives one id per
number and skips the second).

Formats (``detect_format`` tells them apart by extension and header):

``wipo``
    A WIPO PATENTSCOPE CSV export: ``Publication Number, Publication Date (dd.mm.yyyy), Title,
    Priority Data, IPC (";"-joined "A21D 13/00"), Applicants (";"), Inventors (";")``.
    The jurisdiction is the office of the publication number (``WO`` for PCT publications,
    ``EP`` for the EPO).  There is no filing date; type and legal status come from the number
    (see *Type and status from the number* below).
``lens``
    A Lens.org CSV export (its records may end in a bare carriage return): ``Jurisdiction, Kind,
    Publication Number ("US 2013/0101709 A1"), Publication Date (dd/mm/yy), Application Number,
    Application Date (dd/mm/yy; the filing date), Title, Applicants (";;"), Inventors (";;"),
    Type, IPCR Classifications (";;", "A21D13/00")``.  Two-digit years above the current year's
    last two digits are 19xx, the others 20xx.  ``Type``: "Patent Application" → pending,
    "Granted Patent" and "Ammended Patent" → granted, "Design right" → design, granted,
    "Limited Patent" (utility models, innovation patents) → utility model, granted; anything else
    ("unknown", "ambiguous") → inferred from the number and kind code.  Lens application numbers
    use the DOCDB form, which for most offices is not the office's own number: only those that
    convert faithfully are kept — US ``201213657122`` → ``US13657122``, PCT ``US 2007/0016552 W``
    → ``PCT/US2007/016552``, and EP, DE, GB, AU, FR and 7-digit CA numbers as given; the others
    are ``None``.  CN numbers lack the check character and are ``None``.
``native-csv``
    The marketplace's own CSV format, UTF-8 (a byte-order mark is allowed), comma-separated,
    quoted as usual (fields may span lines).  Header, in any column order (unknown columns are
    ignored; ``jurisdiction`` and one of the two number columns are required)::

        jurisdiction,application_number,publication_number,patent_type,title_zh,title_en,
        abstract_zh,abstract_en,ipc_codes,filing_date,publication_date,grant_date,
        legal_status,applicants,inventors

    - ``jurisdiction``: two-letter office code (``CN``); empty → the publication number's
      office, else CN.
    - ``application_number``: validated for the office (CN needs the check character,
      ``202010123456.2``); ``publication_number``: ``CN112345678A``.  At least one of the two.
    - ``patent_type``: ``invention`` | ``utility_model`` | ``design`` (or 发明 | 实用新型 |
      外观设计); empty → from the CN application number's type digit, else from the
      publication number.
    - ``title_zh``, ``title_en``: at least one; ``abstract_zh``, ``abstract_en``: optional.
    - ``ipc_codes``: ";"-joined, e.g. ``A21D 13/00;A21D 13/007``.
    - ``filing_date``, ``publication_date``, ``grant_date``: ISO ``2020-05-17``.
    - ``legal_status``: ``pending`` | ``granted`` | ``lapsed`` | ``expired`` | ``invalidated`` |
      ``withdrawn`` (or 审中 | 授权 | 有效 | 失效 | 届满 | 无效 | 撤回); empty → granted when a
      grant date is given, else inferred from the publication number.
    - ``applicants``: ";"-joined names, each optionally ``name|kind`` with kind ``university`` |
      ``research_institute`` | ``enterprise`` | ``individual`` (or 高校 | 科研院所 | 企业 | 个人),
      e.g. ``福州大学|university;张三``; without a kind it is classified by name
      (``classify_applicant``).
    - ``inventors``: ";"-joined names.
``jsonl``
    JSON Lines (``.jsonl``): one object per line with the same field names; lists as JSON
    arrays (a ";"-joined string is accepted too); applicants as strings (``"name|kind"``
    allowed) or ``{"name": ..., "kind": ...}`` objects.  Line numbers count every line.

Type and status from the number (WIPO; Lens without a usable ``Type``; the marketplace formats
when the columns are empty).  Kind codes are WIPO ST.16 letters; with no kind the number series
decides; anything not listed is an invention, pending:

- design: kind ``S…`` (and CN ``D``); US ``D…`` numbers; CN 9-digit numbers starting 3; KR
  numbers (9 or 13 digits) starting 30.
- utility model: kind ``U…``/``Y…``; CN 9-digit numbers starting 2; KR numbers starting 20;
  DE Gebrauchsmuster (8 digits starting 2, 12 digits starting 20, old 7-digit numbers
  starting 7-9); BR ``MU…``; ES 7-digit numbers starting 1.
- pending: WO publications; US 11-digit pre-grant publications (``US20050286606``); kind
  ``A…`` and any number not listed under granted (EP, JP, CA from 2,000,000, ...).
- granted, the publication being the grant (its date becomes the grant date): kind ``B…``,
  ``C…``, ``E…``, ``S…``, ``Y…``; kind ``U…`` except where it publishes an application (KR, JP,
  PL, IT, ES, BR, HU); US patents (7-8 digits, ``RE``, ``PP``, ``D``, ``H``); KR 9-digit
  registrations; CN 9-digit utility models and designs; CA numbers below 2,000,000 (issued
  before October 1989, when Canada published only granted patents); DE utility models;
  RU 7-digit patents (2,000,000 onward).
- granted, the publication not being the grant (no grant date): ZA (published only on
  acceptance) and DE 8-digit numbers starting 6 (German translations of granted European
  patents).
- expired: whenever the right certainly can no longer be in force, whatever the above says:
  more than 25 years (invention, design) or 15 years (utility model) have passed since the
  latest known of the filing, publication and grant dates, or, for a CN utility model or
  design with a known filing date, its term under Art. 42 of the PRC Patent Law has run out
  (``domain.patent_terms.statutory_expiry``; these terms have no extension).  These bounds exceed every
  statutory term with its extensions (inventions 20 years from filing plus at most 5 years of
  extension, or 17 years from a US grant before June 1995; designs at most 25 years; utility
  models at most 15), so an old grant is never offered for sale as ``granted``.
"""

from __future__ import annotations

import csv
import datetime
import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Final

import msgspec

from domain.catalogue.ipc import parse_ipc
from domain.catalogue.patent_numbers import (
    ApplicationNumber,
    PublicationNumber,
    cn_application_type,
    parse_application_number,
    parse_publication_number,
)
from domain.catalogue.patent_terms import LegalStatus, PatentType, statutory_expiry
from domain.shared.errors import DomainError

__all__ = [
    "APPLICANT_KINDS",
    "FORMATS",
    "Applicant",
    "ImportedPatent",
    "RowError",
    "UnknownFormatError",
    "classify_applicant",
    "count_rows",
    "detect_format",
    "read_patents",
]

FORMATS: Final = ("wipo", "lens", "native-csv", "jsonl")

UNIVERSITY: Final = "university"
RESEARCH_INSTITUTE: Final = "research_institute"
ENTERPRISE: Final = "enterprise"
INDIVIDUAL: Final = "individual"
APPLICANT_KINDS: Final = (UNIVERSITY, RESEARCH_INSTITUTE, ENTERPRISE, INDIVIDUAL)

_INVENTION: Final = PatentType.INVENTION.value
_UTILITY_MODEL: Final = PatentType.UTILITY_MODEL.value
_DESIGN: Final = PatentType.DESIGN.value
_PENDING: Final = LegalStatus.PENDING.value
_GRANTED: Final = LegalStatus.GRANTED.value
_EXPIRED: Final = LegalStatus.EXPIRED.value

_ENCODING: Final = "utf-8-sig"  # UTF-8; a byte-order mark (Excel) is skipped


class Applicant(msgspec.Struct, frozen=True):
    """An applicant (申请人) as named in the file, with the kind of body it is."""

    name: str  # cleaned display name: whitespace collapsed, stray "*" removed
    kind: str  # "university" | "research_institute" | "enterprise" | "individual"


class ImportedPatent(msgspec.Struct, frozen=True):
    """One bibliographic record read from a file, normalised but not yet registered."""

    line: int  # 1-based line of the record's first line (a CSV header is line 1)
    jurisdiction: str  # two-letter office, upper case (WO for PCT publications, EP for the EPO)
    publication_number: str | None  # canonical, e.g. "CN1688334", "ZA2005/02132", "US20130101709A1"
    application_number: str | None  # canonical, e.g. "US13657122", "202010123456.2"
    patent_type: str  # "invention" | "utility_model" | "design"
    title_en: str
    title_zh: str
    abstract_en: str
    abstract_zh: str
    ipc_codes: tuple[str, ...]  # "A21D 13/00" form, de-duplicated, file order
    publication_date: datetime.date | None
    filing_date: datetime.date | None
    grant_date: datetime.date | None
    legal_status: str  # "pending" | "granted" | "lapsed" | "expired" | "invalidated" | "withdrawn"
    applicants: tuple[Applicant, ...]  # file order, de-duplicated by normalised name
    inventors: tuple[str, ...]


class RowError(msgspec.Struct, frozen=True):
    """A record that cannot be used; the message names the column and the rule."""

    line: int
    message: str


class UnknownFormatError(ValueError):
    """The file is none of the formats the importer reads."""


Result = ImportedPatent | RowError
_Builder = Callable[[int, list[str]], Result]


# --- format detection and counting ---------------------------------------------------------------


def detect_format(path: Path) -> str:
    """Tell the format of ``path``: ``"wipo"``, ``"lens"``, ``"native-csv"`` or ``"jsonl"``.

    ``.jsonl``/``.ndjson`` files, and files whose first line is a JSON object, are JSON Lines;
    a CSV is recognised by its header.  Raises ``UnknownFormatError`` otherwise.
    """
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        return "jsonl"
    with path.open(encoding=_ENCODING, errors="replace", newline="") as handle:
        first = handle.readline(1 << 16).strip()
    if first.startswith("{"):
        return "jsonl"
    columns = {c.strip().lower() for c in next(csv.reader([first]), [])}
    if {"jurisdiction", "kind", "publication number", "ipcr classifications"} <= columns:
        return "lens"
    if {"publication number", "publication date", "title", "applicants"} <= columns:
        return "wipo"
    if "jurisdiction" in columns and columns & {"publication_number", "application_number"}:
        return "native-csv"
    raise UnknownFormatError(
        f"{path.name}: not a recognised patent file; expected a WIPO PATENTSCOPE or Lens CSV "
        "export, the marketplace CSV (header jurisdiction,application_number,publication_number,...) "
        "or JSON Lines (.jsonl)"
    )


def count_rows(path: Path, fmt: str | None = None) -> int:
    """Number of records in the file (for a progress bar): CSV records after the header, or
    non-blank JSON lines.  Multi-line quoted CSV fields count once."""
    fmt = fmt or detect_format(path)
    if fmt == "jsonl":
        with path.open(encoding=_ENCODING, errors="replace") as handle:
            return sum(1 for text in handle if text.strip())
    with path.open(encoding=_ENCODING, errors="replace", newline="") as handle:
        rows = sum(1 for row in csv.reader(handle) if any(row))
    return max(rows - 1, 0)


# --- reading ------------------------------------------------------------------------------------


def read_patents(
    path: Path, fmt: str | None = None, *, today: datetime.date | None = None
) -> Iterator[ImportedPatent | RowError]:
    """Yield the records of ``path`` in file order: an ``ImportedPatent`` or a ``RowError`` each.

    ``fmt`` is one of ``FORMATS``; by default ``detect_format`` decides.  ``today`` (default:
    the current date) is the reference for the two-digit Lens years and the *expired* rule.
    """
    fmt = fmt or detect_format(path)
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    day = today or datetime.datetime.now(tz=datetime.UTC).date()
    if fmt == "jsonl":
        return _read_jsonl(path, day)
    factory = {"wipo": _wipo_builder, "lens": _lens_builder, "native-csv": _native_builder}[fmt]
    return _read_csv(path, lambda header: factory(header, day))


class _BrokenCsvError(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def _csv_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(first line of the record, fields) for every non-blank record, the header included."""
    with path.open(encoding=_ENCODING, errors="replace", newline="") as handle:
        reader = csv.reader(handle)
        end = 0
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise _BrokenCsvError(end + 1, f"the file is not valid CSV from here on: {exc}") from exc
            start, end = end + 1, reader.line_num
            if any(row):
                yield start, row


def _read_csv(path: Path, make_builder: Callable[[list[str]], _Builder | RowError]) -> Iterator[Result]:
    rows = _csv_rows(path)
    try:
        first = next(rows, None)
        if first is None:
            return
        built = make_builder([c.strip() for c in first[1]])
        if isinstance(built, RowError):
            yield built
            return
        width = len(first[1])
        for line, row in rows:
            if len(row) > width:
                yield RowError(line, f"the record has {len(row)} fields but the header has {width}")
            else:
                yield built(line, row if len(row) == width else row + [""] * (width - len(row)))
    except _BrokenCsvError as exc:
        yield RowError(exc.line, exc.message)


def _columns(header: list[str], wanted: Sequence[str]) -> dict[str, int] | RowError:
    index: dict[str, int] = {}
    lowered = [h.lower() for h in header]
    for name in wanted:
        try:
            index[name] = lowered.index(name.lower())
        except ValueError:
            return RowError(1, f"the header has no column {name!r}")
    return index


# --- WIPO PATENTSCOPE -----------------------------------------------------------------------------

_WIPO_COLUMNS = ("Publication Number", "Publication Date", "Title", "IPC", "Applicants", "Inventors")


def _wipo_builder(header: list[str], today: datetime.date) -> _Builder | RowError:
    col = _columns(header, _WIPO_COLUMNS)
    if isinstance(col, RowError):
        return col
    i_pub, i_date, i_title = col["Publication Number"], col["Publication Date"], col["Title"]
    i_ipc, i_app, i_inv = col["IPC"], col["Applicants"], col["Inventors"]

    def build(line: int, row: list[str]) -> Result:
        try:
            pub = parse_publication_number(row[i_pub], field="Publication Number")
        except DomainError as exc:
            return RowError(line, exc.message)
        title_en, title_zh = _titles(row[i_title])
        if not (title_en or title_zh):
            return RowError(line, "Title: the record has no title; a patent needs a title in Chinese or English")
        published = _dmy(row[i_date], ".")
        patent_type = _infer_type(pub)
        status, is_grant = _infer_status(pub)
        granted_on = published if is_grant else None
        inventors = _names(row[i_inv].split(";"))
        return ImportedPatent(
            line=line,
            jurisdiction=pub.office,
            publication_number=str(pub),
            application_number=None,
            patent_type=patent_type,
            title_en=title_en,
            title_zh=title_zh,
            abstract_en="",
            abstract_zh="",
            ipc_codes=_ipc_codes(row[i_ipc].split(";")),
            publication_date=published,
            filing_date=None,
            grant_date=granted_on,
            legal_status=_expire(status, pub.office, patent_type, filed=None, dates=(published,), today=today),
            applicants=_applicants(row[i_app].split(";"), inventors),
            inventors=inventors,
        )

    return build


# --- Lens -----------------------------------------------------------------------------------------

_LENS_COLUMNS = (
    "Jurisdiction",
    "Kind",
    "Publication Number",
    "Publication Date",
    "Application Number",
    "Application Date",
    "Title",
    "Applicants",
    "Inventors",
    "Type",
    "IPCR Classifications",
)
#: Lens "Type" → (patent type or None to infer it, legal status, the publication is the grant)
_LENS_TYPES: dict[str, tuple[str | None, str, bool]] = {
    "patent application": (None, _PENDING, False),
    "granted patent": (None, _GRANTED, True),
    "ammended patent": (None, _GRANTED, True),
    "amended patent": (None, _GRANTED, True),
    "design right": (_DESIGN, _GRANTED, True),
    "limited patent": (_UTILITY_MODEL, _GRANTED, True),
}
_LENS_NUMBER = re.compile(r"^([A-Z]{2}) ?(\S+) ([A-Z]\d?)$")
#: Offices whose Lens (DOCDB) application number is the office's own number.
_LENS_FAITHFUL_OFFICES = frozenset({"EP", "DE", "GB", "AU", "FR", "CA"})


def _lens_builder(header: list[str], today: datetime.date) -> _Builder | RowError:
    col = _columns(header, _LENS_COLUMNS)
    if isinstance(col, RowError):
        return col
    i_office, i_kind, i_pub, i_pdate = (
        col["Jurisdiction"],
        col["Kind"],
        col["Publication Number"],
        col["Publication Date"],
    )
    i_app, i_adate, i_title, i_type = col["Application Number"], col["Application Date"], col["Title"], col["Type"]
    i_apps, i_invs, i_ipc = col["Applicants"], col["Inventors"], col["IPCR Classifications"]
    pivot = today.year % 100

    def build(line: int, row: list[str]) -> Result:
        try:
            pub = parse_publication_number(row[i_pub], field="Publication Number")
        except DomainError as exc:
            return RowError(line, exc.message)
        office = row[i_office].strip().upper()
        if office and office != pub.office:
            return RowError(
                line, f"Jurisdiction: {office!r} does not match the office {pub.office} of {row[i_pub].strip()!r}"
            )
        if pub.kind is None and row[i_kind].strip():
            pub = PublicationNumber(pub.office, pub.serial, row[i_kind].strip().upper())
        title_en, title_zh = _titles(row[i_title])
        if not (title_en or title_zh):
            return RowError(line, "Title: the record has no title; a patent needs a title in Chinese or English")
        published = _dmy2(row[i_pdate], pivot)
        filed = _dmy2(row[i_adate], pivot)
        declared = _LENS_TYPES.get(row[i_type].strip().lower())
        if declared is None:
            patent_type = _infer_type(pub)
            status, is_grant = _infer_status(pub)
        else:
            patent_type = declared[0] or _infer_type(pub)
            status, is_grant = declared[1], declared[2]
        inventors = _names(row[i_invs].split(";;"))
        return ImportedPatent(
            line=line,
            jurisdiction=pub.office,
            publication_number=str(pub),
            application_number=_lens_application(pub.office, row[i_app], filed),
            patent_type=patent_type,
            title_en=title_en,
            title_zh=title_zh,
            abstract_en="",
            abstract_zh="",
            ipc_codes=_ipc_codes(row[i_ipc].split(";;")),
            publication_date=published,
            filing_date=filed,
            grant_date=published if is_grant else None,
            legal_status=_expire(status, pub.office, patent_type, filed=filed, dates=(published,), today=today),
            applicants=_applicants(row[i_apps].split(";;"), inventors),
            inventors=inventors,
        )

    return build


def _lens_application(office: str, text: str, filed: datetime.date | None) -> str | None:
    """The office's own application number for a Lens (DOCDB) one, or None when it cannot be
    rebuilt faithfully (see the module docstring)."""
    match = _LENS_NUMBER.match(text.strip().upper())
    if match is None:
        return None
    app_office, number = match.group(1), match.group(2)
    digits = number.replace("/", "")
    candidate: str | None = None
    if office == "WO":
        if digits.isdigit() and len(digits) == 11 and digits[4] == "0":  # US 2007/0016552
            digits = digits[:4] + digits[5:]
        if digits.isdigit() and len(digits) == 10:
            candidate = f"PCT/{app_office}{digits[:4]}/{digits[4:]}"
        elif digits.isdigit() and len(digits) == 7:
            candidate = f"PCT/{app_office}{digits[:2]}/{digits[2:]}"
    elif app_office != office:
        return None
    elif office == "US":
        year = str(filed.year) if filed else digits[:4]
        if digits.isdigit() and len(digits) == 12 and digits.startswith(year) and year[:2] in ("19", "20"):
            candidate = f"US{digits[4:]}"
    elif office == "CA":
        if digits.isdigit() and len(digits) == 7:
            candidate = f"CA{digits}"
    elif office in _LENS_FAITHFUL_OFFICES:
        candidate = f"{office}{digits}"
    if candidate is None:
        return None
    try:
        return str(parse_application_number(candidate, office=office))
    except DomainError:
        return None


# --- the marketplace formats: native CSV and JSON Lines ---------------------------------------------


class _JsonApplicant(msgspec.Struct, frozen=True):
    name: str
    kind: str | None = None


class _Record(msgspec.Struct, kw_only=True):
    """One record of the marketplace formats, as decoded (every field optional)."""

    jurisdiction: str | None = None
    application_number: str | None = None
    publication_number: str | None = None
    patent_type: str | None = None
    title_zh: str | None = None
    title_en: str | None = None
    abstract_zh: str | None = None
    abstract_en: str | None = None
    ipc_codes: list[str] | str | None = None
    filing_date: str | None = None
    publication_date: str | None = None
    grant_date: str | None = None
    legal_status: str | None = None
    applicants: list[str | _JsonApplicant] | str | None = None
    inventors: list[str] | str | None = None


_NATIVE_COLUMNS: Final = tuple(f for f in _Record.__struct_fields__)
_JSON_DECODER = msgspec.json.Decoder(_Record)

_PATENT_TYPE_ALIASES: dict[str, str] = {
    **{t.value: t.value for t in PatentType},
    "utility model": _UTILITY_MODEL,
    "utility-model": _UTILITY_MODEL,
    "发明": _INVENTION,
    "实用新型": _UTILITY_MODEL,
    "外观设计": _DESIGN,
}
_LEGAL_STATUS_ALIASES: dict[str, str] = {
    **{s.value: s.value for s in LegalStatus},
    "审中": _PENDING,
    "授权": _GRANTED,
    "有效": _GRANTED,
    "失效": LegalStatus.LAPSED.value,
    "届满": _EXPIRED,
    "期满": _EXPIRED,
    "无效": LegalStatus.INVALIDATED.value,
    "撤回": LegalStatus.WITHDRAWN.value,
}
_KIND_ALIASES: dict[str, str] = {
    **{k: k for k in APPLICANT_KINDS},
    "research institute": RESEARCH_INSTITUTE,
    "高校": UNIVERSITY,
    "大学": UNIVERSITY,
    "科研院所": RESEARCH_INSTITUTE,
    "科研机构": RESEARCH_INSTITUTE,
    "企业": ENTERPRISE,
    "个人": INDIVIDUAL,
}
_OFFICE_CODE = re.compile(r"^[A-Z]{2}$")


def _native_builder(header: list[str], today: datetime.date) -> _Builder | RowError:
    lowered = [h.lower() for h in header]
    if "jurisdiction" not in lowered or not {"publication_number", "application_number"} & set(lowered):
        return RowError(
            1, "the header needs a jurisdiction column and a publication_number or application_number column"
        )
    index = [(name, lowered.index(name)) for name in _NATIVE_COLUMNS if name in lowered]

    def build(line: int, row: list[str]) -> Result:
        record = _Record(**{name: row[i] for name, i in index})
        return _from_record(line, record, today)

    return build


def _read_jsonl(path: Path, today: datetime.date) -> Iterator[Result]:
    with path.open(encoding=_ENCODING, errors="replace") as handle:
        for line, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                record = _JSON_DECODER.decode(text)
            except msgspec.DecodeError as exc:
                yield RowError(line, f"not a valid record: {exc}")
                continue
            yield _from_record(line, record, today)


def _from_record(line: int, rec: _Record, today: datetime.date) -> Result:  # noqa: PLR0911, PLR0912, PLR0915
    """Validate one marketplace-format record (native CSV or JSON Lines)."""
    pub_text, app_text = _text(rec.publication_number), _text(rec.application_number)
    office = _text(rec.jurisdiction).upper()
    if office and not _OFFICE_CODE.match(office):
        return RowError(line, f"jurisdiction: {office!r} is not a two-letter office code such as CN")
    pub: PublicationNumber | None = None
    if pub_text:
        try:
            pub = parse_publication_number(pub_text)
        except DomainError as exc:
            return RowError(line, exc.message)
        office = office or pub.office
        if pub.office != office:
            return RowError(line, f"publication_number: office {pub.office} does not match jurisdiction {office}")
    office = office or "CN"
    app: ApplicationNumber | None = None
    if app_text:
        try:
            app = parse_application_number(app_text, office=office)
        except DomainError as exc:
            return RowError(line, exc.message)
    if pub is None and app is None:
        return RowError(line, "publication_number: give a publication number or an application number")
    title_zh, title_en = _one_line(_text(rec.title_zh)), _one_line(_text(rec.title_en))
    if not (title_zh or title_en):
        return RowError(line, "title_en: give a title in Chinese (title_zh) or English (title_en)")
    filed, published = _iso_date(_text(rec.filing_date)), _iso_date(_text(rec.publication_date))
    granted_on = _iso_date(_text(rec.grant_date))
    declared = cn_application_type(app) if app is not None else None
    type_text = _text(rec.patent_type)
    if type_text:
        patent_type = _PATENT_TYPE_ALIASES.get(type_text.lower())
        if patent_type is None:
            allowed = ", ".join(t.value for t in PatentType)
            return RowError(line, f"patent_type: {type_text!r} is not one of {allowed}")
        if declared is not None and declared != patent_type:
            return RowError(
                line,
                f"patent_type: the application number {app} is for a {declared.replace('_', ' ')}, "
                f"not a {patent_type.replace('_', ' ')}",
            )
    else:
        patent_type = declared or (_infer_type(pub) if pub is not None else _INVENTION)
    status_text = _text(rec.legal_status)
    if status_text:
        status = _LEGAL_STATUS_ALIASES.get(status_text.lower())
        if status is None:
            allowed = ", ".join(s.value for s in LegalStatus)
            return RowError(line, f"legal_status: {status_text!r} is not one of {allowed}")
    else:
        status, is_grant = _infer_status(pub) if pub is not None else (_PENDING, False)
        if granted_on is not None:
            status = _GRANTED
        elif is_grant:
            granted_on = published
        status = _expire(status, office, patent_type, filed=filed, dates=(published, granted_on), today=today)
    applicants: list[tuple[str, str | None]] = []
    for item in _items(rec.applicants):
        if isinstance(item, _JsonApplicant):
            name, kind_text = item.name, item.kind or ""
        else:
            name, _, kind_text = item.partition("|")
        kind_text = kind_text.strip()
        kind = _KIND_ALIASES.get(kind_text.lower()) if kind_text else None
        if kind_text and kind is None:
            return RowError(
                line, f"applicants: {name.strip()!r} has kind {kind_text!r}, not one of {', '.join(APPLICANT_KINDS)}"
            )
        applicants.append((name, kind))
    inventors = _names(x for x in _items(rec.inventors) if isinstance(x, str))
    return ImportedPatent(
        line=line,
        jurisdiction=office,
        publication_number=str(pub) if pub is not None else None,
        application_number=str(app) if app is not None else None,
        patent_type=patent_type,
        title_en=title_en,
        title_zh=title_zh,
        abstract_en=_text(rec.abstract_en),
        abstract_zh=_text(rec.abstract_zh),
        ipc_codes=_ipc_codes(x for x in _items(rec.ipc_codes) if isinstance(x, str)),
        publication_date=published,
        filing_date=filed,
        grant_date=granted_on,
        legal_status=status,
        applicants=_applicants_with_kinds(applicants, inventors),
        inventors=inventors,
    )


def _text(value: str | None) -> str:
    return value.strip() if value else ""


_LIST_SEPARATORS = re.compile(r"[;；]")


def _items(value: list[str] | list[str | _JsonApplicant] | str | None) -> list[str | _JsonApplicant]:
    if not value:
        return []
    if isinstance(value, str):
        return list(_LIST_SEPARATORS.split(value))
    return list(value)


# --- type and status from the number -------------------------------------------------------------

#: Offices whose kind U publishes a utility model *application* (not yet registered).
_UM_APPLICATION_OFFICES = frozenset({"KR", "JP", "PL", "IT", "ES", "BR", "HU"})


def _digits(serial: str) -> str:
    """The serial without leading zeros when it is all digits, else unchanged."""
    return serial.lstrip("0") if serial.isdigit() else serial


def _infer_type(pub: PublicationNumber) -> str:  # noqa: PLR0911
    """Patent type from the kind code and number series (see the module docstring)."""
    kind = (pub.kind or "")[:1]
    office, serial = pub.office, _digits(pub.serial)
    if kind == "S" or (kind == "D" and office == "CN"):
        return _DESIGN
    if kind in ("U", "Y"):
        return _UTILITY_MODEL
    if office == "US":
        return _DESIGN if serial.startswith("D") else _INVENTION
    if not serial.isdigit():
        return _UTILITY_MODEL if office == "BR" and serial.startswith("MU") else _INVENTION
    length = len(serial)
    if office == "CN" and length == 9:
        return {"2": _UTILITY_MODEL, "3": _DESIGN}.get(serial[0], _INVENTION)
    if office == "KR" and length in (9, 13):
        return {"20": _UTILITY_MODEL, "30": _DESIGN}.get(serial[:2], _INVENTION)
    if office == "DE" and _is_de_utility_model(serial):
        return _UTILITY_MODEL
    if office == "ES" and length == 7 and serial.startswith("1"):
        return _UTILITY_MODEL
    return _INVENTION


def _is_de_utility_model(serial: str) -> bool:
    length = len(serial)
    return (
        (length == 8 and serial.startswith("2"))
        or (length == 12 and serial.startswith("20"))
        or (length == 7 and serial[0] in "789")
    )


def _infer_status(pub: PublicationNumber) -> tuple[str, bool]:  # noqa: PLR0911
    """(legal status, whether this publication is the grant) from kind and number series."""
    office, serial, kind = pub.office, _digits(pub.serial), (pub.kind or "")[:1]
    if office == "WO":
        return _PENDING, False
    if office == "US":
        if serial.isdigit() and len(serial) == 11:
            return _PENDING, False
        return _GRANTED, True
    if kind in ("B", "C", "E", "S", "Y"):
        return _GRANTED, True
    if kind == "U":
        return (_PENDING, False) if office in _UM_APPLICATION_OFFICES else (_GRANTED, True)
    if kind:
        return _PENDING, False
    if office == "ZA":
        return _GRANTED, False
    if not serial.isdigit():
        return _PENDING, False
    length = len(serial)
    if (
        (office == "KR" and length == 9)
        or (office == "CN" and length == 9 and serial[0] in "23")
        or (office == "CA" and int(serial) < 2_000_000)
        or (office == "DE" and _is_de_utility_model(serial))
        or (office == "RU" and length == 7 and serial.startswith("2"))
    ):
        return _GRANTED, True
    if office == "DE" and length == 8 and serial.startswith("6"):
        return _GRANTED, False
    return _PENDING, False


#: Years after the latest known date by which every right of the type has certainly ended.
_CERTAIN_END_YEARS: dict[str, int] = {_INVENTION: 25, _DESIGN: 25, _UTILITY_MODEL: 15}


def _expire(
    status: str,
    office: str,
    patent_type: str,
    *,
    filed: datetime.date | None,
    dates: Iterable[datetime.date | None],
    today: datetime.date,
) -> str:
    """``expired`` when the right has certainly ended by ``today``, else ``status`` unchanged."""
    if status not in (_PENDING, _GRANTED):
        return status
    if filed is not None and office == "CN" and patent_type != _INVENTION:
        # PRC utility models and designs have fixed terms from filing and no extension.
        end = statutory_expiry(office, PatentType(patent_type), filed)
        if end is not None and end <= today:
            return _EXPIRED
    known = [d for d in (filed, *dates) if d is not None]
    if not known:
        return status
    latest = max(known)
    years = _CERTAIN_END_YEARS[patent_type]
    try:
        end = latest.replace(year=latest.year + years)
    except ValueError:  # 29 February
        end = latest.replace(year=latest.year + years, day=28)
    return _EXPIRED if end < today else status


# --- field cleaning -------------------------------------------------------------------------------

_HAN = re.compile(r"[\u4e00-\u9fff]")
_KANA_HANGUL = re.compile(r"[\u3040-\u30ff\uac00-\ud7a3]")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _titles(text: str) -> tuple[str, str]:
    """(title_en, title_zh): a title in Chinese characters (no kana or hangul) goes to title_zh."""
    title = _one_line(text)
    if title and _HAN.search(title) and not _KANA_HANGUL.search(title):
        return "", title
    return title, ""


def _dmy(text: str, sep: str) -> datetime.date | None:
    parts = text.strip().split(sep)
    if len(parts) != 3:
        return None
    try:
        return datetime.date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError:
        return None


def _dmy2(text: str, pivot: int) -> datetime.date | None:
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


def _iso_date(text: str) -> datetime.date | None:
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


def _ipc_codes(codes: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for raw in codes:
        code = raw.strip()
        if code:
            for text in _ipc_texts(code):
                seen.setdefault(text, None)
    return tuple(seen)


def _clean_name(name: str) -> str:
    """Collapse whitespace and drop the "*" that exports put before or after a name."""
    return " ".join(name.strip().strip("*").split())


_NON_WORD = re.compile(r"[\W_]+")


@functools.lru_cache(maxsize=65536)
def _name_key(name: str) -> str:
    """Name for comparisons: NFKC, case-folded, punctuation as spaces, whitespace collapsed."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return " ".join(_NON_WORD.sub(" ", folded).split())


def _names(names: Iterable[str]) -> tuple[str, ...]:
    """Cleaned names, empty ones dropped, de-duplicated by normalised name (first spelling kept)."""
    seen: dict[str, str] = {}
    for raw in names:
        name = _clean_name(raw)
        if name:
            seen.setdefault(_name_key(name), name)
    return tuple(seen.values())


def _applicants(names: Iterable[str], inventors: Sequence[str]) -> tuple[Applicant, ...]:
    return _applicants_with_kinds(((n, None) for n in names), inventors)


def _applicants_with_kinds(items: Iterable[tuple[str, str | None]], inventors: Sequence[str]) -> tuple[Applicant, ...]:
    inventor_keys = frozenset(_name_key(i) for i in inventors)
    seen: dict[str, Applicant] = {}
    for raw, kind in items:
        name = _clean_name(raw)
        if not name:
            continue
        key = _name_key(name)
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
    keys = frozenset(_name_key(_clean_name(i)) for i in inventors)
    return _kind_of(_clean_name(name), keys)


def _kind_of(name: str, inventor_keys: frozenset[str]) -> str:
    kind = _kind_by_name(name)
    if kind == ENTERPRISE and inventor_keys and _name_key(name) in inventor_keys and not _is_company(name):
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
    return not set(_name_key(name).split()) & _NOT_PERSON_WORDS
