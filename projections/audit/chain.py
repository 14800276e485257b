"""Audit chain read model: a SHA-256 hash chain over every stored event, and the chain head of each UTC day.

The hashing rule itself (:func:`~domain.audit.chain.link_hash`, :func:`~domain.audit.chain.chain_day`)
is the domain's (``domain/audit/chain.py``); this follower applies it as events are stored.
docs/AUDIT_CHAIN.md states the rule for third parties.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, NamedTuple
from uuid import UUID

import asyncpg
from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresDatastore
from psycopg import Cursor, sql
from psycopg.rows import DictRow

from domain.audit.chain import EPOCH_DAY, GENESIS, chain_day, event_timestamp, link_hash
from projections.shared.base import PostgresReadModelView
from projections.shared.records import EventRecord


class ChainIntegrityError(RuntimeError):
    """The chain tables disagree with each other or with their tracking position: altered, so the follower stops."""


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

    def process(self, records: Sequence[EventRecord], tracking: Tracking, after: int | None = None,
                prepared: Any = None) -> None:
        # ``after`` is not needed: under the table lock, the chain's own head says what is chained.
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

    async def chained_events(self, aggregate_id: UUID, event_types: Sequence[str]) -> list[asyncpg.Record]:
        """The aggregate's stored events of ``event_types`` (``Lot.BidPlaced``…), in version order, each with its
        chain hash (NULL while not chained) and the chain hash of the event before it in the log (``previous``;
        NULL for the first event of the log): what a per-record export gives a verifier."""
        return list(await self.pool.fetch(
            "SELECT e.notification_id AS position, e.originator_id::text AS originator_id,"
            " e.originator_version AS version, e.topic, e.state, encode(c.hash, 'hex') AS hash,"
            " (SELECT encode(p.hash, 'hex') FROM audit_chain p WHERE p.position < e.notification_id"
            " ORDER BY p.position DESC LIMIT 1) AS previous"
            " FROM marketplace_events e LEFT JOIN audit_chain c ON c.position = e.notification_id"
            " WHERE e.originator_id = $1 AND split_part(e.topic, ':', 2) = ANY($2::text[])"
            " ORDER BY e.originator_version",
            aggregate_id, list(event_types),
        ))

    async def get_head(self) -> DailyRoot | None:
        """The latest root: the chain head now."""
        row = await self.pool.fetchrow(
            "SELECT day, position, encode(hash, 'hex') AS hash FROM audit_daily_roots ORDER BY day DESC LIMIT 1"
        )
        return DailyRoot(row["day"], row["position"], row["hash"]) if row else None
