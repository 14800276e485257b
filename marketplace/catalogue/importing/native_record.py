"""One record of the marketplace's own formats (native CSV and JSON Lines), validated.

The field names and rules are in ``docs/IMPORT_FORMATS.md``.
"""

from __future__ import annotations

import datetime
import re
from typing import Final

import msgspec

from domain.catalogue.patent_numbers import (
    ApplicationNumber,
    PublicationNumber,
    cn_application_type,
    parse_application_number,
    parse_publication_number,
)
from domain.catalogue.patent_terms import LegalStatus, PatentType
from domain.shared.errors import DomainError
from marketplace.catalogue.importing.fields import ipc_codes, iso_date, one_line
from marketplace.catalogue.importing.names import applicants_with_kinds, clean_names
from marketplace.catalogue.importing.numbers import expire, infer_status, infer_type
from marketplace.catalogue.importing.records import (
    APPLICANT_KINDS,
    DESIGN,
    ENTERPRISE,
    EXPIRED,
    GRANTED,
    INDIVIDUAL,
    INVENTION,
    PENDING,
    RESEARCH_INSTITUTE,
    UNIVERSITY,
    UTILITY_MODEL,
    ImportedFunding,
    ImportedPatent,
    Result,
    RowError,
)


class JsonApplicant(msgspec.Struct, frozen=True):
    name: str
    kind: str | None = None


class Record(msgspec.Struct, kw_only=True):
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
    applicants: list[str | JsonApplicant] | str | None = None
    inventors: list[str] | str | None = None
    funder: str | None = None
    funding_programme: str | None = None
    funding_project: str | None = None
    funding_end_date: str | None = None


NATIVE_COLUMNS: Final = tuple(f for f in Record.__struct_fields__)
JSON_DECODER = msgspec.json.Decoder(Record)

_PATENT_TYPE_ALIASES: dict[str, str] = {
    **{t.value: t.value for t in PatentType},
    "utility model": UTILITY_MODEL,
    "utility-model": UTILITY_MODEL,
    "发明": INVENTION,
    "实用新型": UTILITY_MODEL,
    "外观设计": DESIGN,
}
_LEGAL_STATUS_ALIASES: dict[str, str] = {
    **{s.value: s.value for s in LegalStatus},
    "审中": PENDING,
    "授权": GRANTED,
    "有效": GRANTED,
    "失效": LegalStatus.LAPSED.value,
    "届满": EXPIRED,
    "期满": EXPIRED,
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


def from_record(line: int, rec: Record, today: datetime.date) -> Result:  # noqa: PLR0911, PLR0912, PLR0915
    """Validate one marketplace-format record (native CSV or JSON Lines)."""
    pub_text, app_text = text_of(rec.publication_number), text_of(rec.application_number)
    office = text_of(rec.jurisdiction).upper()
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
    title_zh, title_en = one_line(text_of(rec.title_zh)), one_line(text_of(rec.title_en))
    if not (title_zh or title_en):
        return RowError(line, "title_en: give a title in Chinese (title_zh) or English (title_en)")
    filed, published = iso_date(text_of(rec.filing_date)), iso_date(text_of(rec.publication_date))
    granted_on = iso_date(text_of(rec.grant_date))
    declared = cn_application_type(app) if app is not None else None
    type_text = text_of(rec.patent_type)
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
        patent_type = declared or (infer_type(pub) if pub is not None else INVENTION)
    status_text = text_of(rec.legal_status)
    if status_text:
        status = _LEGAL_STATUS_ALIASES.get(status_text.lower())
        if status is None:
            allowed = ", ".join(s.value for s in LegalStatus)
            return RowError(line, f"legal_status: {status_text!r} is not one of {allowed}")
    else:
        status, is_grant = infer_status(pub) if pub is not None else (PENDING, False)
        if granted_on is not None:
            status = GRANTED
        elif is_grant:
            granted_on = published
        status = expire(status, office, patent_type, filed=filed, dates=(published, granted_on), today=today)
    applicants: list[tuple[str, str | None]] = []
    for item in items_of(rec.applicants):
        if isinstance(item, JsonApplicant):
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
    inventors = clean_names(x for x in items_of(rec.inventors) if isinstance(x, str))
    funding = funding_of(line, rec)
    if isinstance(funding, RowError):
        return funding
    return ImportedPatent(
        line=line,
        jurisdiction=office,
        publication_number=str(pub) if pub is not None else None,
        application_number=str(app) if app is not None else None,
        patent_type=patent_type,
        title_en=title_en,
        title_zh=title_zh,
        abstract_en=text_of(rec.abstract_en),
        abstract_zh=text_of(rec.abstract_zh),
        ipc_codes=ipc_codes(x for x in items_of(rec.ipc_codes) if isinstance(x, str)),
        publication_date=published,
        filing_date=filed,
        grant_date=granted_on,
        legal_status=status,
        applicants=applicants_with_kinds(applicants, inventors),
        inventors=inventors,
        public_funding=funding,
    )


def funding_of(line: int, rec: Record) -> ImportedFunding | RowError | None:
    """The funding columns: none given, no funding; any given, the programme is required and the end date
    must be a date (YYYY-MM-DD)."""
    funder, programme = one_line(text_of(rec.funder)), one_line(text_of(rec.funding_programme))
    project, end_text = one_line(text_of(rec.funding_project)), text_of(rec.funding_end_date)
    if not (funder or programme or project or end_text):
        return None
    if not programme:
        return RowError(line, "funding_programme: name the funding programme of a funded patent")
    end = iso_date(end_text) if end_text else None
    if end_text and end is None:
        return RowError(line, f"funding_end_date: {end_text!r} is not a date (YYYY-MM-DD)")
    return ImportedFunding(programme=programme, project_reference=project, end_date=end, funder=funder)


def text_of(value: str | None) -> str:
    return value.strip() if value else ""


_LIST_SEPARATORS = re.compile(r"[;；]")


def items_of(value: list[str] | list[str | JsonApplicant] | str | None) -> list[str | JsonApplicant]:
    if not value:
        return []
    if isinstance(value, str):
        return list(_LIST_SEPARATORS.split(value))
    return list(value)
