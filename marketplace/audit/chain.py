"""Tamper evidence of the event log: verify the hash chain from the store or from an export, and export it.

The chain itself is written by the ``audit_chain`` follower (``projections.audit.chain``); the
hashing rule :func:`link_hash` is the domain's (``domain.audit.chain``) and is re-exported here.
Verifying from the store recomputes every link from the stored bytes and compares it with the
recorded chain; verifying an export needs nothing but the file. Both report the first position
that diverges.
"""

from __future__ import annotations

import binascii
import os
import sys
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

import msgspec
import psycopg
from psycopg import sql

from domain.audit.chain import EPOCH_DAY, GENESIS, chain_day, event_timestamp, link_hash_encoded, utc_day
from projections.audit.chain import DailyRoot

#: ``progress(done, total)``: positions for the store, bytes for an export file.
Progress = Callable[[int, int], None]
#: Progress is reported every this many events.
ITERSIZE = 10_000
#: Rows per chunk of the stream: about what the server's socket buffer holds (~200 kB of events),
#: so the server refills it while this process hashes the chunk before (measured: no slower than
#: 10,000-row chunks, often faster).
STREAM_CHUNK = 256

ALTERED = ("its hash differs from the recorded chain: the event was altered, replaced or moved,"
           " or its chain record was")
DELETED = "the chain records an event at this position that the store no longer has (deleted)"
UNCHAINED = "the store has an event here that the chain never recorded (inserted, or its chain record deleted)"


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of a verification: OK with the head, or the first broken position and why."""

    ok: bool
    checked: int
    head_position: int | None
    head_hash: str | None
    first_broken_position: int | None
    reason: str
    #: events after the chain head, not chained yet (from the store only)
    unchained: int = 0
    #: the daily roots recomputed up to the head (or up to the break)
    roots: tuple[DailyRoot, ...] = ()


class ExportLine(msgspec.Struct, forbid_unknown_fields=True):
    """One line of an export: a stored event exactly as stored, and its recorded chain hash."""

    position: int
    originator_id: str
    version: int
    topic: str
    timestamp: str
    state_b64: str
    hash: str | None


class _Stamped(msgspec.Struct):
    timestamp: Any = None


_stamp_decoder = msgspec.json.Decoder(_Stamped)
_line_decoder = msgspec.json.Decoder(ExportLine)
_line_encoder = msgspec.json.Encoder()


def state_timestamp(state: bytes) -> str:
    """The hashed timestamp of a stored event (:func:`event_timestamp` of its JSON); "" if it has none."""
    try:
        return event_timestamp(_stamp_decoder.decode(state).timestamp)
    except msgspec.MsgspecError:
        return ""


#: position, originator id (16 bytes), version, topic, state, recorded hash
Row = tuple[int, bytes, int, str, bytes, bytes | None]
_STAMP = b'"timestamp":{"_type_":"datetime_iso","_data_":"'


def quick_timestamp(state: bytes) -> bytes:
    """The hashed timestamp as eventsourcing writes it, found without parsing the JSON (UTF-8).

    Only a fast first guess: if it is wrong (another member written the same way comes first), the
    link does not match and is recomputed with :func:`state_timestamp`, so a guess can never make
    an altered event pass.
    """
    start = state.find(_STAMP)
    if start < 0:
        return b""
    start += len(_STAMP)
    end = state.find(b'"', start)
    return state[start:end] if end >= 0 else b""


class _Walk:
    """Recomputes the chain event by event, and the daily roots, against recorded hashes and roots."""

    def __init__(self, expected_roots: dict[date, tuple[int, bytes]] | None = None) -> None:
        self.previous = GENESIS
        self.position = 0
        self.day = EPOCH_DAY
        self.checked = 0
        self.roots: list[DailyRoot] = []
        self.expected = expected_roots
        self._topics: dict[str, bytes] = {}
        self._utc_prefix = b""

    def run(self, rows: Iterable[Row]) -> tuple[int, str] | None:
        """Link ``rows`` in order; the first broken position and why, if any."""
        link, topics = link_hash_encoded, self._topics
        previous, last, checked, prefix = self.previous, self.position, self.checked, self._utc_prefix
        try:
            for position, oid, version, topic, state, recorded in rows:
                if position <= last:
                    return position, f"out of log order (after position {last})"
                if recorded is None:
                    return position, UNCHAINED
                topic_bytes = topics.get(topic) or topics.setdefault(topic, topic.encode())
                start = state.find(_STAMP) + len(_STAMP)  # quick_timestamp, inlined (the hot loop)
                stamp = state[start:state.find(b'"', start)] if start >= len(_STAMP) else b""
                digest = link(previous, position, oid, version, topic_bytes, stamp, state)
                if digest != recorded:
                    stamp = state_timestamp(state).encode()
                    digest = link(previous, position, oid, version, topic_bytes, stamp, state)
                    if digest != recorded:
                        return position, ALTERED
                if stamp[:10] != prefix or not stamp.endswith(b"+00:00"):
                    self.previous, self.position = previous, last
                    broken = self._advance_day(stamp.decode())
                    if broken:
                        return broken
                    prefix = self._utc_prefix
                previous, last = digest, position
                checked += 1
            return None
        finally:
            self.previous, self.position, self.checked = previous, last, checked

    def _advance_day(self, timestamp: str) -> tuple[int, str] | None:
        """Move to the event's day; if that closes a day, its root (checked against the recorded one)."""
        day = chain_day(self.day, timestamp)
        broken = None
        if day != self.day:
            broken = self.close_day()
            self.day = day
        # Later events with the same UTC date count for this same day: skip parsing them.
        if timestamp.endswith("+00:00") and utc_day(timestamp) is not None:
            self._utc_prefix = timestamp[:10].encode()
        return broken

    def close_day(self) -> tuple[int, str] | None:
        """Record the root of the day that ends at the current position; check it against the recorded one."""
        if self.position == 0:
            return None
        root = DailyRoot(self.day, self.position, self.previous.hex())
        self.roots.append(root)
        if self.expected is None:
            return None
        recorded = self.expected.pop(self.day, None)
        if recorded != (self.position, self.previous):
            found = f"position {recorded[0]}" if recorded else "none"
            return self.position, f"the daily root of {self.day} should be this position's hash; recorded: {found}"
        return None

    def finish(self) -> tuple[int, str] | None:
        broken = self.close_day()
        if broken or not self.expected:
            return broken
        day, (position, _) = min(self.expected.items(), key=lambda item: item[1][0])
        return position, f"a daily root is recorded for {day} at this position, which is not the end of that day"

    def result(self, broken: tuple[int, str] | None, unchained: int = 0) -> VerifyResult:
        head = (self.position or None, self.previous.hex() if self.position else None)
        if broken is None:
            return VerifyResult(True, self.checked, *head, None, "OK", unchained, tuple(self.roots))
        return VerifyResult(False, self.checked, *head, broken[0], broken[1], unchained, tuple(self.roots))


# --- the store -----------------------------------------------------------------------------------
def _connect(conninfo: str) -> psycopg.Connection[Any]:
    """A read-only REPEATABLE READ connection: the events and the chain are read from one snapshot."""
    conn = psycopg.connect(conninfo)
    conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
    conn.read_only = True
    return conn


def _chain_end(conn: psycopg.Connection[Any]) -> tuple[int, int]:
    """The last chained position (0 if none) and how many positions are chained."""
    row = conn.execute("SELECT coalesce(max(position), 0), count(*) FROM audit_chain").fetchone()
    return (int(row[0]), int(row[1])) if row else (0, 0)


def _joined(conn: psycopg.Connection[Any], table: str, head: int, columns: str,
            progress: Progress | None) -> Iterator[tuple[Any, ...]]:
    """Stored events up to ``head`` in log order, each with its recorded hash (NULL if none).

    Streamed in small chunks (libpq's chunked-rows mode): the server produces the next chunk while
    this process hashes one; a server-side cursor's FETCH round trips would leave it idle.
    """
    query = sql.SQL(
        "SELECT {columns}, c.hash FROM {table} e LEFT JOIN audit_chain c ON c.position = e.notification_id"
        " WHERE e.notification_id <= %s ORDER BY e.notification_id"
    ).format(columns=sql.SQL(columns), table=sql.Identifier(table))
    rows = conn.cursor(binary=True).stream(query, (head,), size=STREAM_CHUNK)
    return rows if progress is None else _reporting(rows, progress, head)


def _reporting(rows: Iterator[tuple[Any, ...]], progress: Progress, head: int) -> Iterator[tuple[Any, ...]]:
    try:
        for count, row in enumerate(rows, 1):
            yield row
            if count % ITERSIZE == 0:
                progress(row[0], head)
        progress(head, head)
    finally:
        _close(rows)


def _close(rows: Iterator[tuple[Any, ...]]) -> None:
    """End a stream now, even if not read to its end (psycopg then cancels the query still running)."""
    if isinstance(rows, Generator):
        rows.close()


def _first_deleted(conn: psycopg.Connection[Any], table: str, below: int | None) -> int | None:
    """The first chained position (below ``below``, if given) that the store no longer has."""
    row = conn.execute(sql.SQL(
        "SELECT min(c.position) FROM audit_chain c WHERE c.position < %s"
        " AND NOT EXISTS (SELECT 1 FROM {} e WHERE e.notification_id = c.position)"
    ).format(sql.Identifier(table)), (below if below is not None else sys.maxsize,)).fetchone()
    return int(row[0]) if row and row[0] is not None else None


def verify_store(conninfo: str, *, table: str = "marketplace_events", progress: Progress | None = None) -> VerifyResult:
    """Recompute the chain from the stored events and compare it with the recorded chain and daily roots.

    Finds an event altered in place (its recomputed hash differs), deleted (the chain has a
    position the store lacks), inserted (the store has a position the chain lacks), events
    swapped or moved (the hash differs at the first of them), and altered chain or root rows.
    Events newer than the chain head are counted as ``unchained``, not verified: bring the
    follower up to date first. Everything is read in one REPEATABLE READ snapshot.
    """
    with _connect(conninfo) as conn:
        head, chained = _chain_end(conn)
        expected = {d: (p, bytes(h)) for d, p, h in conn.execute("SELECT day, position, hash FROM audit_daily_roots")}
        row = conn.execute(sql.SQL("SELECT count(*) FROM {} WHERE notification_id > %s")
                           .format(sql.Identifier(table)), (head,)).fetchone()
        unchained = int(row[0]) if row else 0
        walk = _Walk(expected)
        columns = "e.notification_id, uuid_send(e.originator_id), e.originator_version, e.topic, e.state"
        # A walk that stops at a break leaves the stream half-read; closing it cancels the query, which
        # aborts the transaction if the server was still sending rows. Rolling back to this savepoint
        # recovers the transaction, and with it the same REPEATABLE READ snapshot, for the next query.
        conn.execute("SAVEPOINT walk")
        rows = _joined(conn, table, head, columns, progress)
        try:
            broken = walk.run(rows)
        finally:
            _close(rows)
        conn.execute("ROLLBACK TO SAVEPOINT walk")
        # Every event streamed matched a chained position; if fewer than were chained, some were deleted.
        if broken is not None or walk.checked != chained:
            deleted = _first_deleted(conn, table, broken[0] if broken else None)
            if deleted is not None:
                broken = deleted, DELETED
        return walk.result(broken or walk.finish(), unchained)


# --- exports -------------------------------------------------------------------------------------
def export(conninfo: str, path: str | Path, *, table: str = "marketplace_events",
           progress: Progress | None = None) -> int:
    """Write the chained events as JSON Lines (docs/AUDIT_CHAIN.md); return how many.

    One line per stored event up to the chain head, in log order, with its *recorded* hash, so
    that an export of an altered store fails verification. An event the chain lacks is written
    with ``"hash": null``; an event the store lost has no line (the next line then fails).
    """
    count = 0
    with _connect(conninfo) as conn, _private_file(path) as out:
        head, _ = _chain_end(conn)
        columns = "e.notification_id, e.originator_id::text, e.originator_version, e.topic, e.state"
        for position, oid, version, topic, state, recorded in _joined(conn, table, head, columns, progress):
            line = ExportLine(position, oid, version, topic, state_timestamp(state),
                              binascii.b2a_base64(state, newline=False).decode("ascii"),
                              bytes(recorded).hex() if recorded is not None else None)
            out.write(_line_encoder.encode(line) + b"\n")
            count += 1
    return count


def _private_file(path: str | Path) -> BinaryIO:
    """``path`` opened for writing, readable and writable by its owner alone (0600).

    An export holds every stored event. A file that existed is emptied and narrowed to 0600 before
    anything is written to it.
    """
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "wb")


def verify_export(path: str | Path, *, progress: Progress | None = None) -> VerifyResult:
    """Recompute the chain from an export file alone (no database) and compare it with the hashes it carries."""
    walk = _Walk()
    source = Path(path)
    total = source.stat().st_size
    malformed: list[tuple[int, str]] = []
    with source.open("rb") as lines:
        rows = _export_rows(lines, walk, malformed, lambda done: progress(done, total) if progress else None)
        broken = walk.run(rows) or (malformed[0] if malformed else None)
    return walk.result(broken or walk.finish())


def _export_rows(lines: Iterable[bytes], walk: _Walk, malformed: list[tuple[int, str]],
                 progress: Callable[[int], None]) -> Iterator[Row]:
    """The rows of an export, checked for form; stops at the first malformed line (recorded in ``malformed``)."""
    done = 0
    for number, raw in enumerate(lines, 1):
        done += len(raw)
        try:
            line = _line_decoder.decode(raw)
            state = binascii.a2b_base64(line.state_b64, strict_mode=True)
            recorded = bytes.fromhex(line.hash) if line.hash is not None else None
            oid = bytes.fromhex(line.originator_id.replace("-", ""))  # as uuid_bytes, faster
            if len(oid) != 16:
                raise ValueError("originator_id: not a UUID")
        except (msgspec.MsgspecError, ValueError, binascii.Error) as exc:
            reason = f"line {number} is not a valid export line ({exc})"
            malformed.append((_line_position(raw, walk.position + 1), reason))
            return
        stamp = line.timestamp.encode()
        if stamp != quick_timestamp(state) and line.timestamp != state_timestamp(state):
            malformed.append((line.position, f"line {number}: its timestamp is not the one inside its state"))
            return
        yield line.position, oid, line.version, line.topic, state, recorded
        if number % ITERSIZE == 0:
            progress(done)


def _line_position(raw: bytes, default: int) -> int:
    """The position a malformed line claims, if it can be read; else the earliest it could be."""
    try:
        position = msgspec.json.decode(raw).get("position")
    except (msgspec.MsgspecError, AttributeError):
        return default
    return position if isinstance(position, int) else default


# --- roots ---------------------------------------------------------------------------------------
def daily_roots(conninfo: str) -> list[DailyRoot]:
    """The recorded chain head at the end of each UTC day, oldest first: the values to publish."""
    with psycopg.connect(conninfo) as conn:
        rows = conn.execute("SELECT day, position, hash FROM audit_daily_roots ORDER BY day").fetchall()
    return [DailyRoot(d, int(p), bytes(h).hex()) for d, p, h in rows]


def chain_head(conninfo: str) -> tuple[int, str] | None:
    """The last chained position and its hash (hex), if anything is chained."""
    with psycopg.connect(conninfo) as conn:
        row = conn.execute("SELECT position, hash FROM audit_chain ORDER BY position DESC LIMIT 1").fetchone()
    return (int(row[0]), bytes(row[1]).hex()) if row else None
