"""Conversions read model, writing side: ``conversions`` (migration 0024), one row per flag of a funded patent.

Every value derives from the events alone (times are event timestamps), so a rebuild reproduces identical
rows. The worker's reading side is here too (:func:`funded_patents`, psycopg, what the deadline worker asks).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.postgres import PostgresDatastore
from psycopg import Cursor
from psycopg.rows import DictRow

from domain.programmes.conversion import Conversion
from projections.deals.view import handler_key
from projections.shared.base import PostgresReadModelView
from projections.shared.records import EventRecord, plain
from projections.shared.rows import json_text
from projections.shared.topics import event_topics

Handler = Callable[[Cursor[DictRow], EventRecord], None]
UPDATE = "UPDATE conversions SET {}, updated_at = %s, version = %s WHERE id = %s"


class PostgresConversionsView(PostgresReadModelView):
    name = "conversions"
    tables = ("conversions",)
    topics = frozenset(event_topics(Conversion, "Flagged", "BecameOverdue", "Converted", "Answered", "Resumed",
                                    "OpenedToOthers"))

    def apply(self, curs: Cursor[DictRow], records: Sequence[EventRecord]) -> None:
        handlers: dict[tuple[str, str], Handler] = {
            ("Conversion", "Flagged"): self._flagged,
            ("Conversion", "BecameOverdue"): lambda c, r: self._set(
                c, r, "status = 'overdue', overdue_since = %s", r.data["on"]),
            ("Conversion", "Converted"): lambda c, r: self._set(
                c, r, "status = 'converted', converted_contract_id = %s, converted_at = %s",
                plain(r.data["contract_id"]), r.timestamp),
            ("Conversion", "Answered"): lambda c, r: self._set(
                c, r, "status = 'paused', answer_kind = %s, answer_text = %s, answer_reference = %s,"
                " answered_at = %s, resume_reason = ''",
                r.data["kind"], r.data["text"], r.data.get("reference", ""), r.timestamp),
            ("Conversion", "Resumed"): lambda c, r: self._set(
                c, r, "status = %s, resume_reason = %s", r.data["stage"], r.data["reason"]),
            ("Conversion", "OpenedToOthers"): self._opened,
        }
        for r in records:
            handler = handlers.get(handler_key(r.topic))
            if handler is not None:
                handler(curs, r)

    @staticmethod
    def _set(curs: Cursor[DictRow], r: EventRecord, assignments: str, *values: Any) -> None:
        curs.execute(UPDATE.format(assignments), (*values, r.timestamp, r.version, r.originator_id))

    @staticmethod
    def _flagged(curs: Cursor[DictRow], r: EventRecord) -> None:
        d = plain(r.data)
        overdue = d["deadline"] if d["stage"] == "overdue" else None
        curs.execute(
            "INSERT INTO conversions (id, patent_id, programme_id, organisation_id, owner_ids, funding, deadline,"
            " warn_from, status, legal_basis, overdue_since, flagged_at, updated_at, version)"
            " VALUES (%s, %s, %s, %s, %s::uuid[], %s::jsonb, %s, %s, %s, %s, %s, %s, %s, %s)",
            (r.originator_id, d["patent_id"], d["programme_id"], d["organisation_id"], d["owner_ids"],
             json_text(d["funding"]), d["deadline"], d["warn_from"], d["stage"], d["legal_basis"], overdue,
             r.timestamp, r.timestamp, r.version),
        )

    def _opened(self, curs: Cursor[DictRow], r: EventRecord) -> None:
        d = plain(r.data)
        self._set(curs, r, "status = 'opened', opened_mode = %s, opened_legal_basis = %s, opened_reason = %s,"
                  " opened_terms = %s::jsonb, listing_id = %s, licensee_ids = %s::uuid[], opened_at = %s",
                  d["mode"], d["legal_basis"], d["reason"], json_text(d["terms"]), d.get("listing_id"),
                  d.get("licensee_ids", []), r.timestamp)


def funded_patents(datastore: PostgresDatastore, ended_by: date, limit: int = 100_000) -> list[dict[str, Any]]:
    """Pending or granted patents whose funding ended by ``ended_by`` (what any programme could flag today),
    whether a licence or transfer of them is in force, and each programme's flag on them (for the deadline
    worker; the application re-checks on the aggregates)."""
    with datastore.transaction(commit=False) as curs:
        curs.execute(
            "SELECT p.id, p.public_funding AS funding,"
            " (EXISTS (SELECT 1 FROM catalogue_licences l WHERE l.patent_id = p.id AND l.status = 'active')"
            "  OR EXISTS (SELECT 1 FROM catalogue_ownership_history h WHERE h.patent_id = p.id"
            "             AND h.reverted_at IS NULL)) AS paid,"
            " coalesce((SELECT jsonb_object_agg(c.programme_id::text, c.status) FROM conversions c"
            "           WHERE c.patent_id = p.id), '{}'::jsonb) AS flags"
            " FROM catalogue_patents p WHERE p.registration_status = 'active'"
            " AND p.legal_status IN ('pending', 'granted')"
            " AND (p.public_funding ->> 'end_date')::date <= %s ORDER BY p.id LIMIT %s",
            (ended_by, limit),
        )
        return [
            {"patent_id": row["id"], "funding": row["funding"], "paid": row["paid"],
             "flags": {UUID(k): v for k, v in row["flags"].items()}}
            for row in curs.fetchall()
        ]
