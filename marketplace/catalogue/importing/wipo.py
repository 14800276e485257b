"""The WIPO PATENTSCOPE CSV export (format ``wipo``; see ``docs/IMPORT_FORMATS.md``)."""

from __future__ import annotations

import datetime

from domain.catalogue.patent_numbers import parse_publication_number
from domain.shared.errors import DomainError
from marketplace.catalogue.importing.csv_files import columns
from marketplace.catalogue.importing.fields import dmy, ipc_codes, titles
from marketplace.catalogue.importing.names import applicants_named, clean_names
from marketplace.catalogue.importing.numbers import expire, infer_status, infer_type
from marketplace.catalogue.importing.records import Builder, ImportedPatent, Result, RowError

_WIPO_COLUMNS = ("Publication Number", "Publication Date", "Title", "IPC", "Applicants", "Inventors")


def wipo_builder(header: list[str], today: datetime.date) -> Builder | RowError:
    col = columns(header, _WIPO_COLUMNS)
    if isinstance(col, RowError):
        return col
    i_pub, i_date, i_title = col["Publication Number"], col["Publication Date"], col["Title"]
    i_ipc, i_app, i_inv = col["IPC"], col["Applicants"], col["Inventors"]

    def build(line: int, row: list[str]) -> Result:
        try:
            pub = parse_publication_number(row[i_pub], field="Publication Number")
        except DomainError as exc:
            return RowError(line, exc.message)
        title_en, title_zh = titles(row[i_title])
        if not (title_en or title_zh):
            return RowError(line, "Title: the record has no title; a patent needs a title in Chinese or English")
        published = dmy(row[i_date], ".")
        patent_type = infer_type(pub)
        status, is_grant = infer_status(pub)
        granted_on = published if is_grant else None
        inventors = clean_names(row[i_inv].split(";"))
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
            ipc_codes=ipc_codes(row[i_ipc].split(";")),
            publication_date=published,
            filing_date=None,
            grant_date=granted_on,
            legal_status=expire(status, pub.office, patent_type, filed=None, dates=(published,), today=today),
            applicants=applicants_named(row[i_app].split(";"), inventors),
            inventors=inventors,
        )

    return build
