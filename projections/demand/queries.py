"""Demand read model, reading side (asyncpg): enquiry threads, the queues they make, counts per listing,
and listings' materials."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg
import msgspec


class EnquiryRow(msgspec.Struct, frozen=True, kw_only=True):
    """An enquiry thread: who asks about which listing, how far it got, and what the enquirer accepted."""

    id: UUID
    listing_id: UUID
    patent_id: UUID
    title_zh: str
    title_en: str
    patent_number: str
    seller_organisation_id: UUID
    seller_name: str
    enquirer_organisation_id: UUID
    enquirer_name: str
    kind: str
    messages: int
    last_side: str
    read_by_enquirer: int
    unread_answers: int
    accepted_terms_sha256: str
    accepted_at: datetime | None
    offer_ids: list[UUID]
    opened_at: datetime
    last_message_at: datetime
    version: int

    def parties(self) -> tuple[UUID, UUID]:
        return self.enquirer_organisation_id, self.seller_organisation_id


class MessageRow(msgspec.Struct, frozen=True, kw_only=True):
    """One message of a thread (its author by user id; the page names the side)."""

    n: int
    message_id: UUID
    side: str
    kind: str
    text: str
    author_id: UUID
    author_name: str
    written_at: datetime


class MaterialRow(msgspec.Struct, frozen=True, kw_only=True):
    """A material attached to a listing: what the record says of the file (its bytes are in the store)."""

    listing_id: UUID
    sha256: str
    name: str
    media_type: str
    size: int
    access: str
    attached_at: datetime


class TermsRow(msgspec.Struct, frozen=True, kw_only=True):
    """A listing's confidentiality terms in force, named by their SHA-256."""

    listing_id: UUID
    seller_organisation_id: UUID
    terms: str
    terms_sha256: str
    updated_at: datetime


class ListingEnquiryCount(msgspec.Struct, frozen=True, kw_only=True):
    """A seller's listing with its enquiries: all of them, and those awaiting the seller's answer."""

    listing_id: UUID
    title_zh: str
    title_en: str
    patent_number: str
    enquiries: int
    awaiting_answer: int


class MaterialReadRow(msgspec.Struct, frozen=True, kw_only=True):
    """A recorded read of a confidential material by an enquirer."""

    sha256: str
    reader_id: UUID
    read_at: datetime
    reader_name: str = ""


ENQUIRY_SELECT = (
    "SELECT e.id, e.listing_id, e.patent_id, coalesce(l.title_zh, '') AS title_zh,"
    " coalesce(l.title_en, '') AS title_en, coalesce(l.patent_number, '') AS patent_number,"
    " e.seller_organisation_id, coalesce(s.name, '') AS seller_name, e.enquirer_organisation_id,"
    " coalesce(b.name, '') AS enquirer_name, e.kind, e.messages, e.last_side, e.read_by_enquirer,"
    " (SELECT count(*) FROM demand_enquiry_messages m WHERE m.enquiry_id = e.id AND m.side = 'seller'"
    "  AND m.n > e.read_by_enquirer)::int AS unread_answers,"
    " e.accepted_terms_sha256, e.accepted_at, e.offer_ids, e.opened_at, e.last_message_at, e.version"
    " FROM demand_enquiries e LEFT JOIN catalogue_listings l ON l.id = e.listing_id"
    " LEFT JOIN accounts_organisations s ON s.id = e.seller_organisation_id"
    " LEFT JOIN accounts_organisations b ON b.id = e.enquirer_organisation_id"
)


class DemandQueries:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    # --- threads ----------------------------------------------------------------------------------
    async def get_enquiry(self, enquiry_id: UUID) -> EnquiryRow | None:
        row = await self.pool.fetchrow(f"{ENQUIRY_SELECT} WHERE e.id = $1", enquiry_id)
        return EnquiryRow(**dict(row)) if row else None

    async def enquiry_of(self, listing_id: UUID, organisation_id: UUID) -> EnquiryRow | None:
        """The organisation's thread on the listing, if it asked."""
        row = await self.pool.fetchrow(f"{ENQUIRY_SELECT} WHERE e.listing_id = $1 AND e.enquirer_organisation_id = $2",
                                       listing_id, organisation_id)
        return EnquiryRow(**dict(row)) if row else None

    async def messages(self, enquiry_id: UUID) -> list[MessageRow]:
        rows = await self.pool.fetch(
            "SELECT m.n, m.message_id, m.side, m.kind, m.text, m.author_id,"
            " coalesce(u.display_name, '') AS author_name, m.written_at"
            " FROM demand_enquiry_messages m LEFT JOIN accounts_users u ON u.id = m.author_id"
            " WHERE m.enquiry_id = $1 ORDER BY m.n", enquiry_id)
        return [MessageRow(**dict(r)) for r in rows]

    async def enquiries(self, organisation_id: UUID, *, side: str, listing_id: UUID | None = None,
                        limit: int = 100, offset: int = 0) -> tuple[list[EnquiryRow], int]:
        """The organisation's threads as the ``enquirer`` or as the ``seller``, latest message first."""
        column = "e.enquirer_organisation_id" if side == "enquirer" else "e.seller_organisation_id"
        where = f"WHERE {column} = $1 AND ($2::uuid IS NULL OR e.listing_id = $2)"
        rows = await self.pool.fetch(f"{ENQUIRY_SELECT} {where} ORDER BY e.last_message_at DESC, e.id LIMIT $3"
                                     " OFFSET $4", organisation_id, listing_id, limit, offset)
        total = await self.pool.fetchval(f"SELECT count(*) FROM demand_enquiries e {where}",  # noqa: S608 - a column
                                         organisation_id, listing_id)
        return [EnquiryRow(**dict(r)) for r in rows], int(total or 0)

    async def awaiting_answer(self, organisation_id: UUID, limit: int = 100) -> list[EnquiryRow]:
        """The seller's threads whose last message is the enquirer's (the to-do), oldest first."""
        rows = await self.pool.fetch(
            f"{ENQUIRY_SELECT} WHERE e.seller_organisation_id = $1 AND e.last_side = 'enquirer'"
            " ORDER BY e.last_message_at, e.id LIMIT $2", organisation_id, limit)
        return [EnquiryRow(**dict(r)) for r in rows]

    async def answers_to_read(self, organisation_id: UUID, limit: int = 100) -> list[EnquiryRow]:
        """The enquirer's threads with answers it has not read (the to-do), oldest first."""
        rows = await self.pool.fetch(
            f"{ENQUIRY_SELECT} WHERE e.enquirer_organisation_id = $1 AND e.last_side = 'seller'"
            " AND e.read_by_enquirer < e.messages ORDER BY e.last_message_at, e.id LIMIT $2", organisation_id, limit)
        return [EnquiryRow(**dict(r)) for r in rows]

    async def counts_by_listing(self, organisation_id: UUID) -> list[ListingEnquiryCount]:
        """The seller's listings that were asked about, with their enquiries and those awaiting an answer."""
        rows = await self.pool.fetch(
            "SELECT e.listing_id, coalesce(l.title_zh, '') AS title_zh, coalesce(l.title_en, '') AS title_en,"
            " coalesce(l.patent_number, '') AS patent_number, count(*)::int AS enquiries,"
            " (count(*) FILTER (WHERE e.last_side = 'enquirer'))::int AS awaiting_answer"
            " FROM demand_enquiries e LEFT JOIN catalogue_listings l ON l.id = e.listing_id"
            " WHERE e.seller_organisation_id = $1"
            " GROUP BY e.listing_id, l.title_zh, l.title_en, l.patent_number ORDER BY max(e.last_message_at) DESC",
            organisation_id)
        return [ListingEnquiryCount(**dict(r)) for r in rows]

    async def count_for_listing(self, listing_id: UUID) -> tuple[int, int]:
        """(enquiries, awaiting the seller's answer) on one listing."""
        row = await self.pool.fetchrow(
            "SELECT count(*)::int AS n, (count(*) FILTER (WHERE last_side = 'enquirer'))::int AS waiting"
            " FROM demand_enquiries WHERE listing_id = $1", listing_id)
        return (int(row["n"]), int(row["waiting"])) if row else (0, 0)

    # --- materials --------------------------------------------------------------------------------
    async def materials(self, listing_id: UUID) -> list[MaterialRow]:
        rows = await self.pool.fetch(
            "SELECT listing_id, sha256, name, media_type, size, access, attached_at FROM demand_materials"
            " WHERE listing_id = $1 ORDER BY attached_at, sha256", listing_id)
        return [MaterialRow(**dict(r)) for r in rows]

    async def terms(self, listing_id: UUID) -> TermsRow | None:
        row = await self.pool.fetchrow(
            "SELECT listing_id, seller_organisation_id, terms, terms_sha256, updated_at FROM demand_listing_materials"
            " WHERE listing_id = $1", listing_id)
        return TermsRow(**dict(row)) if row else None

    async def material_reads(self, enquiry_id: UUID) -> list[MaterialReadRow]:
        rows = await self.pool.fetch(
            "SELECT r.sha256, r.reader_id, r.read_at, coalesce(u.display_name, '') AS reader_name"
            " FROM demand_material_reads r LEFT JOIN accounts_users u ON u.id = r.reader_id"
            " WHERE r.enquiry_id = $1 ORDER BY r.position",
            enquiry_id)
        return [MaterialReadRow(**dict(r)) for r in rows]
