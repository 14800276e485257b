"""Audit commands: the read of a confidential record by an auditor or platform admin, recorded as an event."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from domain.accounts.user import Role
from domain.audit.read import AuditRead
from domain.shared.text import scrubbed
from marketplace.platform.app_base import MarketplaceBase


class AuditReads:
    """Reads of confidential records, recorded in the hash-chained history like everything else."""

    def __init__(self, store: MarketplaceBase) -> None:
        self.store = store

    def record_read(
        self, *, actor_id: UUID | None, aggregate_id: UUID, aggregate_type: str, page: str,
        version: int | None = None, as_of: datetime | None = None,
    ) -> int:
        """Record that an auditor or platform admin (not a party) read a confidential record, or a programme officer
        another organisation's confidential figures (an agency's subsidy basis): an event, hash-chained with the
        rest of the history like everything else."""
        reader = self.store.actor(actor_id)
        self.store.require_role(reader, Role.AUDITOR, Role.PLATFORM_ADMIN, Role.PROGRAMME_OFFICER)
        read = AuditRead(
            reader_id=reader.id, reader_roles=sorted(reader.roles), aggregate_id=aggregate_id,
            aggregate_type=aggregate_type, page=scrubbed(page)[:2000], shown_version=version,
            as_of=as_of.isoformat() if as_of is not None else None, by=reader.id,
        )
        return self.store.commit(read)
