"""What the readers of patent files produce: imported records, applicants and row errors.

Each format has its own reader module; the format specification: ``docs/IMPORT_FORMATS.md``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Final

import msgspec

from domain.catalogue.patent_terms import LegalStatus, PatentType

UNIVERSITY: Final = "university"
RESEARCH_INSTITUTE: Final = "research_institute"
ENTERPRISE: Final = "enterprise"
INDIVIDUAL: Final = "individual"
APPLICANT_KINDS: Final = (UNIVERSITY, RESEARCH_INSTITUTE, ENTERPRISE, INDIVIDUAL)

INVENTION: Final = PatentType.INVENTION.value
UTILITY_MODEL: Final = PatentType.UTILITY_MODEL.value
DESIGN: Final = PatentType.DESIGN.value
PENDING: Final = LegalStatus.PENDING.value
GRANTED: Final = LegalStatus.GRANTED.value
EXPIRED: Final = LegalStatus.EXPIRED.value

ENCODING: Final = "utf-8-sig"  # UTF-8; a byte-order mark (Excel) is skipped


class Applicant(msgspec.Struct, frozen=True):
    """An applicant (申请人) as named in the file, with the kind of body it is."""

    name: str  # cleaned display name: whitespace collapsed, stray "*" removed
    kind: str  # "university" | "research_institute" | "enterprise" | "individual"


class ImportedFunding(msgspec.Struct, frozen=True):
    """The public money behind a record (财政资金资助): funder, programme, project number, funding end date."""

    programme: str
    project_reference: str = ""
    end_date: datetime.date | None = None
    funder: str = ""


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
    #: The native formats' funding columns (``funder``, ``funding_programme``, ``funding_project``,
    #: ``funding_end_date``); none in files without them.
    public_funding: ImportedFunding | None = None


class RowError(msgspec.Struct, frozen=True):
    """A record that cannot be used; the message names the column and the rule."""

    line: int
    message: str


class UnknownFormatError(ValueError):
    """The file is none of the formats the importer reads."""


Result = ImportedPatent | RowError
Builder = Callable[[int, list[str]], Result]
