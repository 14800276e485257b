"""Demand read model, writing side: ``demand_enquiries`` and their messages, the reads of confidential
materials, and each listing's materials and confidentiality terms (migration 0026).

Every value derives from the events alone (times are event timestamps), so a rebuild reproduces
identical rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from psycopg import Cursor
from psycopg.rows import DictRow

from domain.demand.enquiry import Enquiry
from domain.demand.materials import ListingMaterials
from projections.deals.view import handler_key
from projections.shared.base import PostgresReadModelView
from projections.shared.records import EventRecord, plain
from projections.shared.topics import event_topics

Handler = Callable[[Cursor[DictRow], EventRecord], None]

ADD_MESSAGE = (
    "INSERT INTO demand_enquiry_messages (enquiry_id, n, message_id, side, kind, text, author_id, written_at)"
    " SELECT id, messages + 1, %s, %s, %s, %s, %s, %s FROM demand_enquiries WHERE id = %s"
)
COUNT_MESSAGE = (
    "UPDATE demand_enquiries SET messages = messages + 1, last_side = %s, last_message_at = %s,"
    " read_by_enquirer = CASE WHEN %s = 'enquirer' THEN messages + 1 ELSE read_by_enquirer END, version = %s"
    " WHERE id = %s"
)


class PostgresDemandView(PostgresReadModelView):
    name = "demand"
    tables = ("demand_enquiries", "demand_enquiry_messages", "demand_material_reads", "demand_listing_materials",
              "demand_materials")
    topics = frozenset(
        event_topics(Enquiry, "Opened", "Asked", "Answered", "AnswersRead", "TermsAccepted", "MaterialRead",
                     "OfferMade")
        | event_topics(ListingMaterials, "Opened", "Attached", "Removed", "TermsSet")
    )

    def apply(self, curs: Cursor[DictRow], records: Sequence[EventRecord]) -> None:
        handlers = self._handlers()
        for r in records:
            handler = handlers.get(handler_key(r.topic))
            if handler is not None:
                handler(curs, r)

    def _handlers(self) -> dict[tuple[str, str], Handler]:
        return {
            ("Enquiry", "Opened"): self._opened,
            ("Enquiry", "Asked"): lambda c, r: self._message(c, r, "enquirer", r.data.get("kind", "question")),
            ("Enquiry", "Answered"): lambda c, r: self._message(c, r, "seller", "question"),
            ("Enquiry", "AnswersRead"): self._read,
            ("Enquiry", "TermsAccepted"): self._accepted,
            ("Enquiry", "MaterialRead"): self._material_read,
            ("Enquiry", "OfferMade"): self._offer_made,
            ("ListingMaterials", "Opened"): self._materials_opened,
            ("ListingMaterials", "Attached"): self._attached,
            ("ListingMaterials", "Removed"): self._removed,
            ("ListingMaterials", "TermsSet"): self._terms_set,
        }

    # --- enquiries --------------------------------------------------------------------------------
    @staticmethod
    def _opened(curs: Cursor[DictRow], r: EventRecord) -> None:
        d = plain(r.data)
        curs.execute(
            "INSERT INTO demand_enquiries (id, listing_id, patent_id, seller_organisation_id,"
            " enquirer_organisation_id, kind, messages, last_side, read_by_enquirer, opened_at, last_message_at,"
            " version) VALUES (%s, %s, %s, %s, %s, %s, 0, 'enquirer', 0, %s, %s, %s)",
            (r.originator_id, d["listing_id"], d["patent_id"], d["seller_organisation_id"],
             d["enquirer_organisation_id"], d["kind"], r.timestamp, r.timestamp, r.version),
        )
        PostgresDemandView._message(curs, r, "enquirer", d["kind"])

    @staticmethod
    def _message(curs: Cursor[DictRow], r: EventRecord, side: str, kind: str) -> None:
        d = plain(r.data)
        curs.execute(ADD_MESSAGE, (d["message_id"], side, kind, d["text"], d["by"], r.timestamp, r.originator_id))
        curs.execute(COUNT_MESSAGE, (side, r.timestamp, side, r.version, r.originator_id))

    @staticmethod
    def _read(curs: Cursor[DictRow], r: EventRecord) -> None:
        curs.execute("UPDATE demand_enquiries SET read_by_enquirer = %s, version = %s WHERE id = %s",
                     (r.data["count"], r.version, r.originator_id))

    @staticmethod
    def _accepted(curs: Cursor[DictRow], r: EventRecord) -> None:
        curs.execute(
            "UPDATE demand_enquiries SET accepted_terms_sha256 = %s, accepted_at = %s, version = %s WHERE id = %s",
            (r.data["terms_sha256"], r.timestamp, r.version, r.originator_id))

    @staticmethod
    def _material_read(curs: Cursor[DictRow], r: EventRecord) -> None:
        curs.execute(
            "INSERT INTO demand_material_reads (enquiry_id, position, sha256, reader_id, read_at)"
            " VALUES (%s, %s, %s, %s, %s)",
            (r.originator_id, r.position, r.data["sha256"], plain(r.data["by"]), r.timestamp))
        curs.execute("UPDATE demand_enquiries SET version = %s WHERE id = %s", (r.version, r.originator_id))

    @staticmethod
    def _offer_made(curs: Cursor[DictRow], r: EventRecord) -> None:
        curs.execute("UPDATE demand_enquiries SET offer_ids = offer_ids || %s::uuid, version = %s WHERE id = %s",
                     (plain(r.data["offer_id"]), r.version, r.originator_id))

    # --- materials --------------------------------------------------------------------------------
    @staticmethod
    def _materials_opened(curs: Cursor[DictRow], r: EventRecord) -> None:
        d = plain(r.data)
        curs.execute(
            "INSERT INTO demand_listing_materials (id, listing_id, seller_organisation_id, terms, terms_sha256,"
            " updated_at, version) VALUES (%s, %s, %s, %s, %s, %s, %s)",
            (r.originator_id, d["listing_id"], d["seller_organisation_id"], d["terms_text"], d["terms_sha256"],
             r.timestamp, r.version))

    @staticmethod
    def _touch(curs: Cursor[DictRow], r: EventRecord) -> str:
        """The listing whose materials changed (its row bumped to the event's version)."""
        curs.execute("UPDATE demand_listing_materials SET updated_at = %s, version = %s WHERE id = %s"
                     " RETURNING listing_id", (r.timestamp, r.version, r.originator_id))
        row = curs.fetchone()
        assert row is not None, f"materials {r.originator_id} attached before they were opened"
        return str(row["listing_id"])

    @staticmethod
    def _attached(curs: Cursor[DictRow], r: EventRecord) -> None:
        d = plain(r.data)
        listing = PostgresDemandView._touch(curs, r)
        curs.execute(
            "INSERT INTO demand_materials (listing_id, sha256, name, media_type, size, access, attached_by,"
            " attached_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (listing_id, sha256) DO UPDATE SET name = excluded.name, access = excluded.access",
            (listing, d["sha256"], d["name"], d["media_type"], d["size"], d["access"], d["by"], r.timestamp))

    @staticmethod
    def _removed(curs: Cursor[DictRow], r: EventRecord) -> None:
        listing = PostgresDemandView._touch(curs, r)
        curs.execute("DELETE FROM demand_materials WHERE listing_id = %s AND sha256 = %s", (listing, r.data["sha256"]))

    @staticmethod
    def _terms_set(curs: Cursor[DictRow], r: EventRecord) -> None:
        curs.execute("UPDATE demand_listing_materials SET terms = %s, terms_sha256 = %s, updated_at = %s,"
                     " version = %s WHERE id = %s",
                     (r.data["terms_text"], r.data["terms_sha256"], r.timestamp, r.version, r.originator_id))
