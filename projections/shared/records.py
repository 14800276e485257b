"""Event records as projections see them: decoded straight from the stored JSON with msgspec.

Projections read pages of the notification log. Decoding each stored event into a library
``DomainEvent`` costs about 10 µs; decoding the JSON with msgspec costs under 3 µs, and the
projections need only plain values. The library's JSON transcoder wraps UUIDs and datetimes as
``{"_type_": ..., "_data_": ...}``; :func:`plain` unwraps them to strings.
"""

from __future__ import annotations

from typing import Any, NamedTuple, Protocol
from uuid import UUID

import msgspec

_decoder = msgspec.json.Decoder(dict[str, Any])


class StoredNotification(Protocol):
    id: int
    originator_id: UUID
    originator_version: int
    topic: str
    state: bytes


class EventRecord(NamedTuple):
    """One stored event: log position, aggregate id and version, topic and payload."""

    position: int
    originator_id: str
    version: int
    topic: str
    timestamp: str
    data: dict[str, Any]
    state: bytes = b""  # the stored bytes, for views that must see exactly what was stored (audit chain)


def plain(value: Any) -> Any:
    """Unwrap the transcoder's ``{"_type_", "_data_"}`` envelopes (UUIDs, datetimes) to strings."""
    if value.__class__ is str:  # most values: the checks below cost a rebuild more than decoding
        return value
    if isinstance(value, dict):
        if "_type_" in value and "_data_" in value:
            data = value["_data_"]
            if value["_type_"] == "uuid_hex":
                return str(UUID(data))
            return plain(data)
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def decode(notification: StoredNotification) -> EventRecord:
    state = _decoder.decode(notification.state)
    timestamp = state.get("timestamp")
    if timestamp.__class__ is dict and timestamp.get("_type_") == "datetime_iso":
        timestamp = timestamp["_data_"]  # what ``plain`` gives, without its walk
    return EventRecord(
        position=notification.id,
        originator_id=str(notification.originator_id),
        version=notification.originator_version,
        topic=notification.topic,
        timestamp=plain(timestamp),
        data=state,
        state=notification.state,
    )
