"""The audit chain's rule: how each stored event is hashed onto the one before it, and the day it counts for.

This is the legal evidence rule: third parties recompute it from an export (docs/AUDIT_CHAIN.md
states it for them), the ``audit_chain`` read model applies it as events are stored, and
``marketplace audit verify`` checks a store or an export against it. Pure: the standard library only.
"""

from __future__ import annotations

import hashlib
import struct
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

#: The "previous hash" of the first event in the log.
GENESIS = bytes(32)
#: The day before any event: the running day of the chain starts here.
EPOCH_DAY = date(1970, 1, 1)

_FIXED = struct.Struct(">32sQ16sQ")  # previous hash, position, originator id, version
_LENGTH = struct.Struct(">Q")


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
