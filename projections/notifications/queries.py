"""Inbox read model, reading side (asyncpg): a user's notifications, the unread count, what the user read,
the user's e-mail choices, saved searches and follows, and the outbox's trouble for the platform admin.

Saved searches and follows are events (``marketplace.notifications.watching`` records them), kept here by the
inbox view; the e-mail choices and the read marks are the users' own rows, written here.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from uuid import UUID

import asyncpg
import msgspec

from projections.notifications.registry import KINDS

MODES = ("immediately", "digest", "off")


class InboxItem(msgspec.Struct, frozen=True, kw_only=True):
    """One notification: ``id`` is ``<log position>-<seq>``; ``event`` names its words (``notify.event.…``)."""

    id: str
    kind: str
    event: str
    title_zh: str
    title_en: str
    link: str
    created_at: datetime
    read: bool


class SavedSearch(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    scope: str
    q: str
    ipc_section: str | None = None
    ipc_class: str | None = None
    deal_type: str | None = None
    price_min: int | None = None
    price_max: int | None = None
    maturity: str | None = None
    field: str = ""
    want: str = ""
    saved_at: datetime | None = None


class FollowedListing(msgspec.Struct, frozen=True, kw_only=True):
    listing_id: UUID
    title_zh: str
    title_en: str
    status: str
    followed_at: datetime


class OutboxTrouble(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    user_id: UUID
    kind: str
    status: str
    attempts: int
    last_error: str
    created_at: datetime
    next_attempt_at: datetime


def item_id(position: int, seq: int) -> str:
    return f"{position}-{seq}"


def parse_item_id(value: str) -> tuple[int, int] | None:
    position, _, seq = value.partition("-")
    if not (position.isdigit() and seq.isdigit()) or len(position) > 18 or len(seq) > 6:
        return None
    return int(position), int(seq)


ITEM_FIELDS = "position, seq, kind, event, title_zh, title_en, link, created_at, read_at IS NOT NULL AS read"
SEARCH_FIELDS = ("id, scope, q, f_section AS ipc_section, f_class AS ipc_class, f_deal_type AS deal_type,"
                 " f_price_min AS price_min, f_price_max AS price_max, f_maturity AS maturity, field, want, saved_at")


def _item(r: asyncpg.Record) -> InboxItem:
    values = dict(r)
    return InboxItem(id=item_id(values.pop("position"), values.pop("seq")), **values)


class InboxQueries:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    # --- the inbox ----------------------------------------------------------------------------------------
    async def items(self, user_id: UUID, *, unread_only: bool = False, limit: int = 50,
                    offset: int = 0) -> list[InboxItem]:
        rows = await self.pool.fetch(
            f"SELECT {ITEM_FIELDS} FROM notification_items WHERE user_id = $1"  # noqa: S608 - fixed text
            " AND (NOT $2 OR read_at IS NULL) ORDER BY position DESC, seq LIMIT $3 OFFSET $4",
            user_id, unread_only, limit, offset)
        return [_item(r) for r in rows]

    async def unread(self, user_id: UUID) -> int:
        """The unread count of the header (an index-only count over the partial index of unread items)."""
        return int(await self.pool.fetchval(
            "SELECT count(*) FROM notification_items WHERE user_id = $1 AND read_at IS NULL", user_id) or 0)

    async def total(self, user_id: UUID) -> int:
        return int(await self.pool.fetchval("SELECT count(*) FROM notification_items WHERE user_id = $1",
                                            user_id) or 0)

    async def mark_read(self, user_id: UUID, position: int, seq: int) -> str | None:
        """Mark one of the user's items read (again: no change); its link, or None when it is not the user's."""
        async with self.pool.acquire() as conn, conn.transaction():
            link = await conn.fetchval(
                "UPDATE notification_items SET read_at = coalesce(read_at, now()) WHERE user_id = $1"
                " AND position = $2 AND seq = $3 RETURNING link", user_id, position, seq)
            if link is not None:
                await conn.execute("INSERT INTO notification_reads (user_id, position, seq, read_at)"
                                   " VALUES ($1, $2, $3, now()) ON CONFLICT DO NOTHING", user_id, position, seq)
        return str(link) if link is not None else None

    async def mark_all_read(self, user_id: UUID) -> int:
        async with self.pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch("UPDATE notification_items SET read_at = now() WHERE user_id = $1"
                                    " AND read_at IS NULL RETURNING position, seq", user_id)
            await conn.execute(
                "INSERT INTO notification_reads (user_id, position, seq, read_at) SELECT $1, p, s, now()"
                " FROM unnest($2::bigint[], $3::int[]) AS t(p, s) ON CONFLICT DO NOTHING",
                user_id, [r["position"] for r in rows], [r["seq"] for r in rows])
        return len(rows)

    # --- e-mail choices -----------------------------------------------------------------------------------
    async def preferences(self, user_id: UUID) -> dict[str, str]:
        rows = await self.pool.fetch("SELECT kind, mode FROM notification_preferences WHERE user_id = $1", user_id)
        chosen = {r["kind"]: r["mode"] for r in rows}
        return {kind: chosen.get(kind, "immediately") for kind in KINDS}

    async def set_preference(self, user_id: UUID, kind: str, mode: str) -> bool:
        """Record a choice; whether it changed anything."""
        if kind not in KINDS or mode not in MODES:
            raise ValueError(f"kind, mode: unknown {kind!r} or {mode!r}")
        status = await self.pool.execute(
            "INSERT INTO notification_preferences (user_id, kind, mode) VALUES ($1, $2, $3)"
            " ON CONFLICT (user_id, kind) DO UPDATE SET mode = $3, changed_at = now()"
            " WHERE notification_preferences.mode <> $3", user_id, kind, mode)
        return status.endswith(" 1")

    async def language(self, user_id: UUID) -> str:
        return str(await self.pool.fetchval("SELECT language FROM notification_languages WHERE user_id = $1",
                                            user_id) or "zh")

    async def set_language(self, user_id: UUID, language: str) -> None:
        await self.pool.execute("INSERT INTO notification_languages (user_id, language) VALUES ($1, $2)"
                                " ON CONFLICT (user_id) DO UPDATE SET language = $2", user_id, language)

    # --- saved searches and follows -----------------------------------------------------------------------
    async def searches(self, user_id: UUID) -> list[SavedSearch]:
        rows = await self.pool.fetch(f"SELECT {SEARCH_FIELDS} FROM notification_searches"  # noqa: S608
                                     " WHERE user_id = $1 ORDER BY saved_at DESC, id", user_id)
        return [SavedSearch(**dict(r)) for r in rows]

    async def followed(self, user_id: UUID) -> list[FollowedListing]:
        rows = await self.pool.fetch(
            "SELECT f.listing_id, coalesce(l.title_zh, '') AS title_zh, coalesce(l.title_en, '') AS title_en,"
            " coalesce(l.status, '') AS status, f.followed_at FROM notification_follows f"
            " LEFT JOIN catalogue_listings l ON l.id = f.listing_id WHERE f.user_id = $1"
            " ORDER BY f.followed_at DESC", user_id)
        return [FollowedListing(**dict(r)) for r in rows]

    async def follows(self, user_id: UUID, listing_id: UUID) -> bool:
        return bool(await self.pool.fetchval("SELECT true FROM notification_follows WHERE user_id = $1"
                                             " AND listing_id = $2", user_id, listing_id))

    # --- the outbox, for the platform admin ---------------------------------------------------------------
    async def outbox_trouble(self, limit: int = 200) -> list[OutboxTrouble]:
        """Messages that failed for good, are stuck mid-send, or wait for another attempt after an error."""
        rows = await self.pool.fetch(
            "SELECT id, user_id, kind, status, attempts, last_error, created_at, next_attempt_at"
            " FROM notification_outbox WHERE status IN ('failed', 'sending')"
            " OR (status = 'pending' AND attempts > 0) ORDER BY created_at DESC, id DESC LIMIT $1", limit)
        return [OutboxTrouble(**dict(r)) for r in rows]

    async def outbox_counts(self) -> dict[str, int]:
        rows = await self.pool.fetch("SELECT status, count(*)::int AS n FROM notification_outbox GROUP BY status")
        return {r["status"]: r["n"] for r in rows}


def new_id() -> UUID:
    return uuid.uuid4()
