"""Achievement packages read model, reading side (asyncpg; the deadline worker's question with psycopg).

The listings of a package are read with their state now from the catalogue read model (market reads
catalogue): a listing withdrawn or sold since the edition shows so.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import asyncpg
import msgspec
from eventsourcing.postgres import PostgresDatastore


class PackageRow(msgspec.Struct, frozen=True, kw_only=True):
    """A package: its next edition's texts and set as the curator works on them, its schedule and the number
    of its latest published edition (0: none yet)."""

    id: UUID
    organisation_id: UUID
    organisation_name: str
    title_zh: str
    title_en: str
    description_zh: str
    description_en: str
    industry: str
    listing_ids: list[UUID]
    publish_on: date | None
    edition: int
    published_at: datetime | None
    followers: int
    version: int


class EditionRow(msgspec.Struct, frozen=True, kw_only=True):
    """A published edition (immutable): its texts, its set and what changed since the previous edition."""

    number: int
    title_zh: str
    title_en: str
    description_zh: str
    description_en: str
    industry: str
    listing_ids: list[UUID]
    added: list[UUID]
    dropped: list[UUID]
    publish_on: date
    published_at: datetime


class PackageListingRow(msgspec.Struct, frozen=True, kw_only=True):
    """A listing a package presents (or dropped), as it stands now: ``status`` ``withdrawn`` or ``closed``
    (sold) shows inside the package."""

    id: UUID
    title_zh: str
    title_en: str
    organisation_name: str
    patent_number: str
    status: str
    price_mode: str
    asking_price: int | None


class FollowedNews(msgspec.Struct, frozen=True, kw_only=True):
    """A followed package with an edition newer than the one its follower has seen."""

    package_id: UUID
    title_zh: str
    title_en: str
    edition: int
    published_at: datetime


SELECT = (
    "SELECT p.id, p.organisation_id, coalesce(o.name, '') AS organisation_name, p.title_zh, p.title_en,"
    " p.description_zh, p.description_en, p.industry, p.listing_ids, p.publish_on, p.edition, p.published_at,"
    " (SELECT count(*) FROM market_package_followers f WHERE f.package_id = p.id AND f.following)::int"
    " AS followers, p.version FROM market_packages p LEFT JOIN accounts_organisations o ON o.id = p.organisation_id"
)


class PackagesQueries:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def get(self, package_id: UUID) -> PackageRow | None:
        row = await self.pool.fetchrow(f"{SELECT} WHERE p.id = $1", package_id)
        return None if row is None else msgspec.convert(dict(row), PackageRow)

    async def index(self, *, curator: UUID | None = None, limit: int = 200) -> list[PackageRow]:
        """Published packages, latest edition first; with ``curator``, that organisation's unpublished ones too."""
        rows = await self.pool.fetch(
            f"{SELECT} WHERE p.edition > 0 OR p.organisation_id = $1"
            " ORDER BY p.published_at DESC NULLS FIRST, p.drafted_at DESC, p.id LIMIT $2", curator, limit)
        return [msgspec.convert(dict(r), PackageRow) for r in rows]

    async def editions(self, package_id: UUID) -> list[EditionRow]:
        """The published editions, latest first."""
        rows = await self.pool.fetch(
            "SELECT number, title_zh, title_en, description_zh, description_en, industry, listing_ids, added,"
            " dropped, publish_on, published_at FROM market_package_editions WHERE package_id = $1"
            " ORDER BY number DESC", package_id)
        return [msgspec.convert(dict(r), EditionRow) for r in rows]

    async def listings(self, listing_ids: list[UUID]) -> dict[UUID, PackageListingRow]:
        rows = await self.pool.fetch(
            "SELECT l.id, l.title_zh, l.title_en, l.organisation_name, l.patent_number, l.status, l.price_mode,"
            " l.asking_price FROM catalogue_listings l WHERE l.id = ANY($1::uuid[])", listing_ids)
        return {r["id"]: msgspec.convert(dict(r), PackageListingRow) for r in rows}

    async def find_published(self, text: str, limit: int = 20) -> list[PackageListingRow]:
        """Published listings whose Chinese or English title or patent number contains ``text`` (the number's
        punctuation and spaces ignored): the choices of a curator's listing picker, by title."""
        words = " ".join(text.split())[:200]
        if not words:
            return []
        like = "%" + words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        number = "".join(ch for ch in words.upper() if ch.isascii() and ch.isalnum())
        rows = await self.pool.fetch(
            "SELECT l.id, l.title_zh, l.title_en, l.organisation_name, l.patent_number, l.status, l.price_mode,"
            " l.asking_price FROM catalogue_listings l WHERE l.status = 'published'"
            " AND (l.title_zh ILIKE $1 OR l.title_en ILIKE $1"
            "  OR ($2 <> '' AND regexp_replace(upper(l.patent_number), '[^A-Z0-9]', '', 'g') LIKE '%' || $2 || '%'))"
            " ORDER BY l.title_zh, l.id LIMIT $3", like, number, limit)
        return [msgspec.convert(dict(r), PackageListingRow) for r in rows]

    async def following(self, package_id: UUID, user_id: UUID) -> tuple[bool, int]:
        """Whether the user follows the package, and the edition it has seen."""
        row = await self.pool.fetchrow("SELECT following, seen_edition FROM market_package_followers"
                                       " WHERE package_id = $1 AND user_id = $2", package_id, user_id)
        return (False, 0) if row is None else (bool(row["following"]), int(row["seen_edition"]))

    async def news_for(self, user_id: UUID) -> list[FollowedNews]:
        """The packages the user follows with an edition it has not seen, latest first."""
        rows = await self.pool.fetch(
            "SELECT p.id AS package_id, p.title_zh, p.title_en, p.edition, p.published_at"
            " FROM market_package_followers f JOIN market_packages p ON p.id = f.package_id"
            " WHERE f.user_id = $1 AND f.following AND p.edition > f.seen_edition"
            " ORDER BY p.published_at DESC, p.id", user_id)
        return [msgspec.convert(dict(r), FollowedNews) for r in rows]


def packages_due(datastore: PostgresDatastore, today: date, limit: int = 500) -> list[UUID]:
    """Packages scheduled for ``today`` or before (Beijing) — for the deadline worker, which re-checks each."""
    with datastore.transaction(commit=False) as curs:
        curs.execute("SELECT id FROM market_packages WHERE publish_on <= %s ORDER BY publish_on, id LIMIT %s",
                     (today, limit))
        return [row["id"] for row in curs.fetchall()]
