"""Validating a patent's bibliographic record before it is registered (numbers, type, titles, IPC, dates, owners)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from domain.catalogue.ipc import IpcScheme, parse_ipc
from domain.catalogue.owners import (
    Inventor,
    Owner,
    PublicFunding,
    awaiting_confirmation,
    check_inventors,
    check_owners,
    funding_dict,
    owner_dict,
)
from domain.catalogue.patent_numbers import cn_application_type, parse_application_number, parse_publication_number
from domain.catalogue.patent_terms import LegalStatus, parse_legal_status, parse_patent_type, statutory_expiry
from domain.shared.errors import ValidationError


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def registration_record(
*,
    jurisdiction: str,
    application_number: str | None,
    publication_number: str | None,
    patent_type: str,
    title_zh: str = "",
    title_en: str = "",
    abstract_zh: str = "",
    abstract_en: str = "",
    ipc_codes: list[str],
    ipc_scheme: IpcScheme | None,
    filing_date: date | None = None,
    publication_date: date | None = None,
    grant_date: date | None = None,
    expiry_date: date | None = None,
    legal_status: str = LegalStatus.PENDING.value,
    owners: list[Owner],
    inventors: list[Inventor] = (),  # type: ignore[assignment]
    public_funding: PublicFunding | None = None,
    source: str = "form",
    by: UUID | None = None,
    allow_unknown_owners: bool = False,
    registrant_organisation_id: UUID | None = None,
) -> dict[str, Any]:
    """The fields of ``Patent.Registered`` for a bibliographic record, validated (``Patent.register``).

    ``allow_unknown_owners`` is for bulk imports of records whose source names no applicant
    or inventor: the patent is recorded, but nobody can list it until its owners are known.

    Every owner organisation other than the registrant's must confirm its co-ownership before
    the patent is listed or contracted; an import is the patent office's own bibliographic
    record, so its owners stand confirmed.
    """
    office = jurisdiction.strip().upper()
    if len(office) != 2 or not office.isalpha():
        raise ValidationError(
            "jurisdiction: must be a two-letter office code such as CN", field="jurisdiction",
            code="number.office", got=jurisdiction.strip(),
        )
    kind = parse_patent_type(patent_type)
    status = parse_legal_status(legal_status)
    app_text = pub_text = None
    key = None
    if application_number and application_number.strip():
        app = parse_application_number(application_number, office=office)
        declared = cn_application_type(app) if office == "CN" else None
        if declared is not None and declared != kind.value:
            raise ValidationError(
                f"patent_type: the application number is for a {declared.replace('_', ' ')}, "
                f"not a {kind.value.replace('_', ' ')}",
                field="patent_type", code="patent_type.mismatch", declared_type=declared, patent_type=kind.value,
            )
        app_text, key = str(app), app.key
    if publication_number and publication_number.strip():
        pub = parse_publication_number(publication_number)
        if pub.office != office:
            raise ValidationError(
                f"publication_number: office {pub.office} does not match jurisdiction {office}",
                field="publication_number", code="number.office_mismatch", office=pub.office, jurisdiction=office,
            )
        pub_text = str(pub)
        key = key or f"PUB:{pub.key}"
    if key is None:
        raise ValidationError(
            "application_number: give an application number or a publication number",
            field="application_number", code="number.missing",
        )
    if not (title_zh.strip() or title_en.strip()):
        raise ValidationError("title_zh: give a title in Chinese or English", field="title_zh", code="title.missing")
    codes = [parse_ipc(c) for c in ipc_codes if c.strip()]
    if ipc_scheme is not None:
        for code in codes:
            ipc_scheme.require(code, field="ipc_codes")
    check_owners(owners, allow_unknown=allow_unknown_owners)
    check_inventors(list(inventors))
    for name, d in (("publication_date", publication_date), ("grant_date", grant_date)):
        if d and filing_date and d < filing_date:
            raise ValidationError(f"{name}: must not be before the filing date", field=name, code="date.before_filing")
    if expiry_date is None and filing_date is not None:
        expiry_date = statutory_expiry(office, kind, filing_date)
    funding = None
    if public_funding is not None:
        funding = funding_dict(public_funding)
    return {
        "number_key": key,
        "jurisdiction": office,
        "application_number": app_text,
        "publication_number": pub_text,
        "patent_type": kind.value,
        "title_zh": title_zh.strip(),
        "title_en": title_en.strip(),
        "abstract_zh": abstract_zh.strip(),
        "abstract_en": abstract_en.strip(),
        "ipc_codes": list(dict.fromkeys(str(c) for c in codes)),
        "filing_date": _iso(filing_date),
        "publication_date": _iso(publication_date),
        "grant_date": _iso(grant_date),
        "expiry_date": _iso(expiry_date),
        "legal_status": status.value,
        "owners": [owner_dict(o) for o in owners],
        "inventors": [{"name": i.name.strip(), "share": i.share} for i in inventors],
        "public_funding": funding,
        "source": source,
        "by": by,
        "registrant_organisation_id": registrant_organisation_id,
        "unconfirmed_owner_ids": awaiting_confirmation(owners, registrant_organisation_id, source),
    }
