"""Related parties read model (``programme_related_parties``, migration 0031): the pairs of organisations
programme officers recorded as related parties (关联方), their latest reason, who recorded it and when.

Written from the ``RelatedParties`` events alone (times are event timestamps), so a rebuild reproduces
identical rows. A read model of its own, so that it replays the pairs recorded before it existed.
"""

from __future__ import annotations

from collections.abc import Sequence

from psycopg import Cursor
from psycopg.rows import DictRow

from domain.programmes.related import RelatedParties
from projections.deals.view import handler_key
from projections.shared.base import PostgresReadModelView
from projections.shared.records import EventRecord, plain
from projections.shared.topics import event_topics


class PostgresRelatedPartiesView(PostgresReadModelView):
    name = "related_parties"
    tables = ("programme_related_parties",)
    topics = frozenset(event_topics(RelatedParties, "Marked", "MarkedAgain", "Withdrawn"))

    def apply(self, curs: Cursor[DictRow], records: Sequence[EventRecord]) -> None:
        for r in records:
            d = plain(r.data)
            kind = handler_key(r.topic)[1]
            if kind == "Marked":
                first, second = d["organisation_ids"]
                curs.execute(
                    "INSERT INTO programme_related_parties (id, organisation_id, related_id, related, reason, by_user,"
                    " marked_at, updated_at, version) VALUES (%s, %s, %s, true, %s, %s, %s, %s, %s)"
                    " ON CONFLICT (id) DO NOTHING",
                    (r.originator_id, first, second, d["reason"], d["by"], r.timestamp, r.timestamp, r.version),
                )
            else:
                curs.execute(
                    "UPDATE programme_related_parties SET related = %s, reason = %s, by_user = %s,"
                    " marked_at = CASE WHEN %s THEN %s ELSE marked_at END, updated_at = %s, version = %s"
                    " WHERE id = %s",
                    (kind == "MarkedAgain", d["reason"], d["by"], kind == "MarkedAgain", r.timestamp, r.timestamp,
                     r.version, r.originator_id),
                )
