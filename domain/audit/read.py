"""The ``AuditRead`` aggregate: one read of a confidential record by someone outside its parties.

Auditors (and platform admins) may read every negotiation thread, contract and payment; each such
read is itself an event, so it is hash-chained with the rest of the history and cannot be
removed without the chain showing it.
"""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.shared.topics import stored_as


class AuditRead(Aggregate):
    """Who read which record, through which page, and (for as-of pages) which version or instant."""

    class Recorded(Aggregate.Created):
        reader_id: UUID
        reader_roles: list[str]
        aggregate_id: UUID
        aggregate_type: str
        page: str
        shown_version: int | None
        as_of: str | None
        by: UUID

    @event(Recorded)
    def __init__(
        self, reader_id: UUID, reader_roles: list[str], aggregate_id: UUID, aggregate_type: str, page: str,
        shown_version: int | None, as_of: str | None, by: UUID,
    ) -> None:
        self.reader_id = reader_id
        self.reader_roles = list(reader_roles)
        self.aggregate_id = aggregate_id
        self.aggregate_type = aggregate_type
        self.page = page
        self.shown_version = shown_version
        self.as_of = as_of
        self.by = by


stored_as("domain.audit_read", __name__)  # moved from domain/audit_read.py: its stored topics stay
