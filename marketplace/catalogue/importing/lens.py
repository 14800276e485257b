"""The Lens.org CSV export (format ``lens``; see ``docs/IMPORT_FORMATS.md``)."""

from __future__ import annotations

import datetime
import re

from domain.catalogue.patent_numbers import PublicationNumber, parse_application_number, parse_publication_number
from domain.shared.errors import DomainError
from marketplace.catalogue.importing.csv_files import columns
from marketplace.catalogue.importing.fields import dmy2, ipc_codes, titles
from marketplace.catalogue.importing.names import applicants_named, clean_names
from marketplace.catalogue.importing.numbers import expire, infer_status, infer_type
from marketplace.catalogue.importing.records import (
    DESIGN,
    GRANTED,
    PENDING,
    UTILITY_MODEL,
    Builder,
    ImportedPatent,
    Result,
    RowError,
)

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
    "patent application": (None, PENDING, False),
    "granted patent": (None, GRANTED, True),
    "ammended patent": (None, GRANTED, True),
    "amended patent": (None, GRANTED, True),
    "design right": (DESIGN, GRANTED, True),
    "limited patent": (UTILITY_MODEL, GRANTED, True),
}
_LENS_NUMBER = re.compile(r"^([A-Z]{2}) ?(\S+) ([A-Z]\d?)$")
#: Offices whose Lens (DOCDB) application number is the office's own number.
_LENS_FAITHFUL_OFFICES = frozenset({"EP", "DE", "GB", "AU", "FR", "CA"})


def lens_builder(header: list[str], today: datetime.date) -> Builder | RowError:
    col = columns(header, _LENS_COLUMNS)
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
        title_en, title_zh = titles(row[i_title])
        if not (title_en or title_zh):
            return RowError(line, "Title: the record has no title; a patent needs a title in Chinese or English")
        published = dmy2(row[i_pdate], pivot)
        filed = dmy2(row[i_adate], pivot)
        declared = _LENS_TYPES.get(row[i_type].strip().lower())
        if declared is None:
            patent_type = infer_type(pub)
            status, is_grant = infer_status(pub)
        else:
            patent_type = declared[0] or infer_type(pub)
            status, is_grant = declared[1], declared[2]
        inventors = clean_names(row[i_invs].split(";;"))
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
            ipc_codes=ipc_codes(row[i_ipc].split(";;")),
            publication_date=published,
            filing_date=filed,
            grant_date=published if is_grant else None,
            legal_status=expire(status, pub.office, patent_type, filed=filed, dates=(published,), today=today),
            applicants=applicants_named(row[i_apps].split(";;"), inventors),
            inventors=inventors,
        )

    return build


def _lens_application(office: str, text: str, filed: datetime.date | None) -> str | None:
    """The office's own application number for a Lens (DOCDB) one, or None when it cannot be
    rebuilt faithfully (see ``docs/IMPORT_FORMATS.md``)."""
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
