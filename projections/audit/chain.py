"""Audit chain read model: a SHA-256 hash chain over every stored event, and the chain head of each UTC day.

This module holds the hashing rule itself (:func:`link_hash`, :func:`chain_day`), because the
follower that writes the chain lives here and projections import nothing from ``marketplace/``;
``marketplace.audit.chain`` re-exports the rule and verifies stores and exports with it.
docs/AUDIT_CHAIN.md states the rule for third parties.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any, NamedTuple
from uuid import UUID

import asyncpg
from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresDatastore
from psycopg import Cursor, sql
from psycopg.rows import DictRow

from projections.shared.base import PostgresReadModelView
from projections.shared.records import EventRecord

#: The "previous hash" of the first event in the log.
GENESIS = bytes(32)
#: The day before any event: the running day of the chain starts here.
EPOCH_DAY = date(1970, 1, 1)

_FIXED = struct.Struct(">32sQ16sQ")  # previous hash, position, originator id, version
_LENGTH = struct.Struct(">Q")


class ChainIntegrityError(RuntimeError):
    """The chain tables disagree with each other or with their tracking position: altered, so the follower stops."""


def uuid_bytes(originator_id: UUID | str | bytes) -> bytes:
    """The 16 bytes of an aggregate id (RFC 4122 byte order, as ``UUID.bytes`` and PostgreSQL's ``uuid_send``)."""
    if isinstance(originator_id, bytes):
        if len(originator_id) != 16:
            raise ValueError("an aggregate id is 16 bytes")
        return originator_id
    if isinstance(originator_id, str):
        return UUID(originator_id).bytes
    return originator_id.bytes


def link_hash(
    previous: bytes,
    position: int,
    originator_id: UUID | str | bytes,
    version: int,
    topic: str,
    timestamp: str,
    state: bytes,
) -> bytes:
    """The chain hash of one stored event: the evidence that it, and everything before it, is unaltered.

    SHA-256 over the concatenation of

    1. ``previous``: the hash of the event before it in log order (32 bytes; 32 zero bytes for the first);
    2. ``position``: its notification id, 8 bytes unsigned big-endian;
    3. ``originator_id``: the aggregate id, its 16 bytes;
    4. ``version``: the aggregate version, 8 bytes unsigned big-endian;
    5. ``topic``, then ``timestamp``, then ``state``: each as its length in bytes (8 bytes unsigned
       big-endian) followed by the bytes: UTF-8 for the topic and the timestamp, the stored bytes
       exactly as they are in the ``state`` column for the state.

    ``timestamp`` is the event's own timestamp, the ``_data_`` string of the stored JSON's top-level
    ``"timestamp"`` (see :func:`event_timestamp`). It is inside ``state`` already; it is hashed on
    its own as well so that the daily roots' days are committed to explicitly.
    """
    if len(previous) != 32:
        raise ValueError("the previous hash is 32 bytes")
    oid = uuid_bytes(originator_id)
    return link_hash_encoded(previous, position, oid, version, topic.encode(), timestamp.encode(), state)


def link_hash_encoded(previous: bytes, position: int, oid: bytes, version: int, topic: bytes, timestamp: bytes,
                      state: bytes) -> bytes:
    """:func:`link_hash` on pre-encoded fields (the verifier's hot loop)."""
    return hashlib.sha256(b"".join((
        _FIXED.pack(previous, position, oid, version),
        _LENGTH.pack(len(topic)), topic,
        _LENGTH.pack(len(timestamp)), timestamp,
        _LENGTH.pack(len(state)), state,
    ))).digest()


def event_timestamp(value: Any) -> str:
    """The timestamp hashed for an event, from the stored JSON's top-level ``"timestamp"`` value.

    eventsourcing stores it as ``{"_type_": "datetime_iso", "_data_": "2025-01-02T03:04:05.678901+00:00"}``:
    the ``_data_`` string is taken verbatim. A bare string is taken as is; anything else (no
    timestamp) hashes as the empty string.
    """
    if isinstance(value, dict):
        value = value.get("_data_")
    return value if isinstance(value, str) else ""


def utc_day(timestamp: str) -> date | None:
    """The UTC calendar day of an ISO 8601 timestamp (a timestamp without offset is taken as UTC)."""
    try:
        moment = datetime.fromisoformat(timestamp)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(UTC).date()


def chain_day(previous_day: date, timestamp: str) -> date:
    """The day an event counts for in the daily roots: its UTC day, but never before the event before it.

    Event timestamps are taken when the command runs, and the log orders events as their
    transactions commit, so near midnight an event may carry an earlier day than the one before
    it. Taking the running maximum keeps days in log order, so each day's root commits to every
    event of that day and of the days before; an event without a timestamp keeps the day before it.
    """
    day = utc_day(timestamp)
    return previous_day if day is None or day <= previous_day else day


class ChainHead(NamedTuple):
    """The last chained event: its position and hash, and the day it counts for."""

    position: int
    hash: bytes
    day: date


EMPTY_HEAD = ChainHead(0, GENESIS, EPOCH_DAY)


class DailyRoot(NamedTuple):
    """The chain head at the end of a UTC day: to publish, so that history cannot be rewritten unseen."""

    day: date
    position: int
    hash: str  # hex


class PostgresAuditChainView(PostgresReadModelView):
    """Writes ``audit_chain`` (one hash per stored event) and ``audit_daily_roots`` (one per UTC day).

    A strictly ordered follower: it sees every record of every page the runner reads, whatever
    its topic, and links each one to the one before it. Notification ids may have gaps (an insert
    that rolled back still consumed a sequence value; the store's table lock makes ids commit in
    order, so a gap is never filled later): the runner reads the log in id order, and this view
    chains every notification it is given and never filters any, so a gap is not a skipped event.

    Each page is written under a lock on ``audit_chain``, starting from the head read inside the
    same transaction, so two followers (the server's in-process runner and ``marketplace audit
    verify``) cannot interleave: the second one chains only what the first has not.
    """

    name = "audit_chain"
    tables = ("audit_chain", "audit_daily_roots")
    topics = frozenset[str]()  # unused: every topic is chained (process does not filter)

    def __init__(self, datastore: PostgresDatastore) -> None:
        super().__init__(datastore)
        self._head_statement = sql.SQL(
            "SELECT c.position, c.hash, r.day, r.position AS root_position, r.hash AS root_hash,"
            " (SELECT max(notification_id) FROM {} WHERE application_name = %s) AS tracked FROM (SELECT) AS one"
            " LEFT JOIN LATERAL (SELECT position, hash FROM audit_chain ORDER BY position DESC LIMIT 1) c ON true"
            " LEFT JOIN LATERAL (SELECT day, position, hash FROM audit_daily_roots ORDER BY day DESC LIMIT 1) r"
            " ON true"
        ).format(sql.Identifier(self.datastore.schema, self.tracking_table_name)).as_string()

    def process(self, records: Sequence[EventRecord], tracking: Tracking) -> None:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute("LOCK TABLE audit_chain IN SHARE ROW EXCLUSIVE MODE")
            head = self._read_head(curs, tracking.application_name)
            todo = [r for r in records if r.position > head.position]
            if not todo:
                return  # another follower chained this page already
            self._chain(curs, head, todo)
            self._insert_tracking(curs, tracking)

    def apply(self, curs: Cursor[DictRow], records: Sequence[EventRecord]) -> None:
        """Chain ``records`` after the current head (``process`` does this under a lock, with tracking)."""
        self._chain(curs, self._read_head(curs, None), records)

    def _read_head(self, curs: Cursor[DictRow], application_name: str | None) -> ChainHead:
        """The last chained event and its day, checked against the last daily root and the tracking position.

        The three are written together, so they agree unless someone altered the tables; then
        the follower stops rather than extend a chain it cannot trust.
        """
        curs.execute(self._head_statement, (application_name,), prepare=True)
        row = curs.fetchone()
        assert row is not None
        position, tracked = row["position"] or 0, row["tracked"] or 0
        if (row["root_position"] or 0, row["root_hash"]) != (position, row["hash"]) or (
                application_name is not None and tracked != position):
            raise ChainIntegrityError(
                f"the chain ends at position {position}, its last daily root at {row['root_position'] or 0} and its"
                f" tracking at {tracked}: the chain tables were altered; run `marketplace audit verify`")
        return ChainHead(position, bytes(row["hash"]), row["day"]) if position else EMPTY_HEAD

    @staticmethod
    def _chain(curs: Cursor[DictRow], head: ChainHead, records: Sequence[EventRecord]) -> None:
        """Link every record to the one before it; insert the links and upsert the roots of the days touched."""
        previous, day, position = head.hash, head.day, head.position
        positions: list[int] = []
        hashes: list[bytes] = []
        roots: dict[date, tuple[int, bytes]] = {}
        for r in records:
            if r.position <= position:
                raise ChainIntegrityError(f"records out of log order: {r.position} after {position}")
            if not r.state:
                raise ValueError(f"position {r.position}: the audit chain needs the stored bytes of the event")
            timestamp = event_timestamp(r.data.get("timestamp"))
            previous = link_hash(previous, r.position, r.originator_id, r.version, r.topic, timestamp, r.state)
            day = chain_day(day, timestamp)
            position = r.position
            positions.append(position)
            hashes.append(previous)
            roots[day] = (position, previous)
        curs.execute(INSERT_LINKS, (positions, hashes, list(roots), [p for p, _ in roots.values()],
                                    [h for _, h in roots.values()]), prepare=True)


#: The links of a page and the roots of the days it touches, in one statement.
INSERT_LINKS = (
    "WITH links AS (INSERT INTO audit_chain (position, hash) SELECT * FROM unnest(%s::bigint[], %s::bytea[]))"
    " INSERT INTO audit_daily_roots (day, position, hash) SELECT * FROM unnest(%s::date[], %s::bigint[], %s::bytea[])"
    " ON CONFLICT (day) DO UPDATE SET position = EXCLUDED.position, hash = EXCLUDED.hash"
)


class AuditChainQueries:
    """Reads of the audit chain (asyncpg), for the public page of daily roots."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def list_daily_roots(self, *, limit: int = 366, offset: int = 0) -> tuple[list[DailyRoot], int]:
        """Daily roots, most recent day first, and how many there are."""
        rows = await self.pool.fetch(
            "SELECT day, position, encode(hash, 'hex') AS hash, count(*) OVER () AS total"
            " FROM audit_daily_roots ORDER BY day DESC LIMIT $1 OFFSET $2",
            limit, offset,
        )
        if rows:
            return [DailyRoot(r["day"], r["position"], r["hash"]) for r in rows], int(rows[0]["total"])
        total = int(await self.pool.fetchval("SELECT count(*) FROM audit_daily_roots"))
        return [], total

    async def get_head(self) -> DailyRoot | None:
        """The latest root: the chain head now."""
        row = await self.pool.fetchrow(
            "SELECT day, position, encode(hash, 'hex') AS hash FROM audit_daily_roots ORDER BY day DESC LIMIT 1"
        )
        return DailyRoot(row["day"], row["position"], row["hash"]) if row else None
