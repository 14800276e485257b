"""Registering imported records: applicants become organisations, rows become patents.

Records are saved in batches, one transaction each (a batch of patents and the new
organisations they name). Ids are deterministic, so a record whose patent is already in the
event store is counted as unchanged rather than written again: re-importing a file changes
nothing. Unusable rows are reported with their line numbers and skipped; the rest go in.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from itertools import islice
from typing import Any
from uuid import UUID

import msgspec
from eventsourcing.persistence import IntegrityError
from psycopg import sql

from domain.accounts.organisation import Organisation
from domain.catalogue.ipc import IpcScheme, parse_ipc
from domain.catalogue.owners import FULL_SHARE, Inventor, Owner, PublicFunding
from domain.catalogue.patent import Patent
from domain.shared.errors import DomainError
from domain.shared.ids import legacy_organisation_id, organisation_id
from domain.shared.text import Shape, checked, name_key, scrubbed
from marketplace.catalogue.importing.records import Applicant, ImportedPatent, RowError
from marketplace.platform.app_base import SYSTEM_ACTOR, MarketplaceBase


class ImportReport(msgspec.Struct, kw_only=True):
    """What an import did; ``errors`` carry line numbers into the file."""

    read: int = 0
    registered: int = 0
    unchanged: int = 0
    organisations: int = 0
    errors: list[RowError] = msgspec.field(default_factory=list)
    seconds: float = 0.0


def equal_shares(count: int) -> list[int]:
    """Split 100 % into ``count`` basis-point shares that sum exactly (remainder to the first)."""
    base, rest = divmod(FULL_SHARE, count)
    return [base + rest] + [base] * (count - 1)


def _ipc_codes(codes: Iterable[str], scheme: IpcScheme | None) -> list[str]:
    """Codes as given when the scheme knows them, else their nearest known ancestor (historic codes)."""
    result: list[str] = []
    for text in codes:
        try:
            code = parse_ipc(text)
        except DomainError:
            continue
        known = scheme.nearest_known(code) if scheme is not None else code
        if known is not None and str(known) not in result:
            result.append(str(known))
    return result


def recordable(record: ImportedPatent) -> ImportedPatent:
    """The record's text as the marketplace records it (``domain.shared.text``).

    Exports carry soft hyphens, zero-width spaces, byte-order marks, bidirectional marks and
    stray control characters: they are dropped (control characters become spaces) rather than
    cost the row. What still cannot be recorded raises a ``ValidationError`` naming the column,
    which the importer reports as a row error.
    """

    def text(value: str, field: str, shape: Shape = "line") -> str:
        return checked(scrubbed(value, shape), field, shape)

    return msgspec.structs.replace(
        record,
        title_en=text(record.title_en, "title_en"), title_zh=text(record.title_zh, "title_zh"),
        abstract_en=text(record.abstract_en, "abstract_en", "lines"),
        abstract_zh=text(record.abstract_zh, "abstract_zh", "lines"),
        ipc_codes=tuple(text(code, "ipc_codes") for code in record.ipc_codes),
        applicants=tuple(Applicant(" ".join(text(a.name, "applicants").split()), a.kind) for a in record.applicants),
        inventors=tuple(" ".join(text(name, "inventors").split()) for name in record.inventors),
        public_funding=None if record.public_funding is None else msgspec.structs.replace(
            record.public_funding, funder=text(record.public_funding.funder, "funder"),
            programme=text(record.public_funding.programme, "funding_programme"),
            project_reference=text(record.public_funding.project_reference, "funding_project")),
    )


def build_patent(
    record: ImportedPatent, scheme: IpcScheme | None, registered: Mapping[str, UUID] | None = None
) -> tuple[Patent, list[Organisation]]:
    """The patent a record describes and the organisations among its applicants.

    A record that names no applicant is owned by its inventors: where the office names no
    separate applicant (US filings before 2012, many PATENTSCOPE rows) the inventors applied.
    ``registered`` maps applicant names (by ``domain.text.name_key``) to organisations registered
    under their legacy id (``domain.ids.legacy_organisation_id``), which own the patent then.
    """
    record = recordable(record)
    applicants = list(record.applicants) or [Applicant(name, "individual") for name in record.inventors]
    organisations: list[Organisation] = []
    owners: list[Owner] = []
    shares = equal_shares(len(applicants)) if applicants else []
    for applicant, share in zip(applicants, shares, strict=True):
        if applicant.kind == "individual":
            owners.append(Owner(None, applicant.name, share))
        elif registered and name_key(applicant.name) in registered:
            owners.append(Owner(registered[name_key(applicant.name)], applicant.name, share))
        else:
            org = Organisation.register(name=applicant.name, kind=applicant.kind, by=SYSTEM_ACTOR)
            organisations.append(org)
            owners.append(Owner(org.id, org.name, share))
    filing = record.filing_date
    if filing and any(d and d < filing for d in (record.publication_date, record.grant_date)):
        # Sources carry impossible dates now and then (a filing date after publication): the
        # publication is what the record documents, so the filing date is dropped, not the row.
        filing = None
    patent = Patent.register(
        jurisdiction=record.jurisdiction, application_number=record.application_number,
        publication_number=record.publication_number, patent_type=record.patent_type,
        title_zh=record.title_zh, title_en=record.title_en, abstract_zh=record.abstract_zh,
        abstract_en=record.abstract_en, ipc_codes=_ipc_codes(record.ipc_codes, scheme), ipc_scheme=None,
        filing_date=filing, publication_date=record.publication_date, grant_date=record.grant_date,
        legal_status=record.legal_status, owners=owners, inventors=[Inventor(n) for n in record.inventors],
        source="import", by=SYSTEM_ACTOR, allow_unknown_owners=True,
        public_funding=None if (f := record.public_funding) is None else PublicFunding(
            f.programme, f.project_reference, f.end_date, f.funder),
    )
    return patent, organisations


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


class PatentImporter:
    """Imports records into a marketplace application in batches."""

    def __init__(self, app: MarketplaceBase, *, batch_size: int = 500) -> None:
        self.app = app
        self.batch_size = batch_size
        self.seen: set[UUID] = set()

    def existing(self, ids: list[UUID]) -> set[UUID]:
        """Which of ``ids`` already have events (one indexed query; reading the store is safe)."""
        recorder: Any = self.app.recorder
        if not hasattr(recorder, "datastore"):  # the in-memory recorder of unit tests
            return {i for i in ids if self.app.exists(i)}
        query = sql.SQL("SELECT originator_id FROM {} WHERE originator_id = ANY(%s) AND originator_version = 1").format(
            sql.Identifier(recorder.events_table_name)
        )
        with recorder.datastore.transaction(commit=False) as curs:
            curs.execute(query, (ids,))
            return {row["originator_id"] for row in curs.fetchall()}

    def registered_under_legacy_ids(self, records: Iterable[ImportedPatent]) -> dict[str, UUID]:
        """Applicant names whose organisation a store written before names compared under NFKC
        holds under a legacy id different from the name's id (one query; usually none to ask)."""
        legacy: dict[UUID, str] = {}
        for record in records:
            for applicant in record.applicants:
                name = applicant.name
                old = legacy_organisation_id(name)
                if applicant.kind != "individual" and old != organisation_id(name) and old not in self.seen:
                    legacy[old] = name_key(name)
        return {legacy[i]: i for i in self.existing(list(legacy))} if legacy else {}

    def run(
        self, records: Iterable[ImportedPatent | RowError], progress: Callable[[int], None] | None = None
    ) -> ImportReport:
        started = time.perf_counter()
        report = ImportReport()
        for batch in _batches(records, self.batch_size):
            self._import_batch(batch, report)
            if progress is not None:
                progress(len(batch))
        report.seconds = time.perf_counter() - started
        return report

    def _import_batch(self, batch: list[ImportedPatent | RowError], report: ImportReport) -> None:
        built: list[tuple[Patent, list[Organisation]]] = []
        registered = self.registered_under_legacy_ids(r for r in batch if isinstance(r, ImportedPatent))
        for record in batch:
            report.read += 1
            if isinstance(record, RowError):
                report.errors.append(record)
                continue
            try:
                built.append(build_patent(record, self.app.ipc_scheme, registered))
            except DomainError as error:
                report.errors.append(RowError(record.line, error.message))
        candidates = [p.id for p, _ in built] + [o.id for _, orgs in built for o in orgs]
        known = self.existing(list(set(candidates) - self.seen)) | self.seen
        new: list[Patent | Organisation] = []
        for patent, orgs in built:
            if patent.id in known:
                report.unchanged += 1
                continue
            known.add(patent.id)
            new.append(patent)
            report.registered += 1
            for org in orgs:
                if org.id not in known:
                    known.add(org.id)
                    new.append(org)
                    report.organisations += 1
        self.seen |= {a.id for a in new}
        if new:
            try:
                self.app.save(*new)
            except IntegrityError:
                self._save_one_by_one(new, report)

    def _save_one_by_one(self, aggregates: list[Patent | Organisation], report: ImportReport) -> None:
        """A concurrent writer registered some of these meanwhile: keep the rest."""
        for aggregate in aggregates:
            try:
                self.app.save(aggregate)
            except IntegrityError:
                if isinstance(aggregate, Patent):
                    report.registered -= 1
                    report.unchanged += 1
                else:
                    report.organisations -= 1

