"""History and as-of replay of aggregates, computed from the event store (never from a read model).

``history`` folds an aggregate's events once, keeping its state before and after each event, so
a history costs O(n) in events. ``state_at`` finds the version in force at an instant by a
search over the aggregate's event timestamps (two indexed reads on PostgreSQL), then
loads that version through the repository, which starts from the nearest snapshot at or below
it when snapshots are enabled. ``marketplace.audit.listing_page`` rebuilds what a buyer saw on a
listing page from the same events.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import Enum
from math import isqrt
from typing import Any, Protocol, cast
from uuid import UUID

import msgspec
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate
from eventsourcing.postgres import PostgresAggregateRecorder
from eventsourcing.utils import get_topic
from psycopg.sql import SQL, Identifier

from domain.shared.errors import NotFoundError, ValidationError

#: State fields whose values are never shown: a change shows as "changed".
SECRET_FIELDS = frozenset({"password_hash"})
REDACTED = "(redacted)"
CHANGED = "changed"


@dataclass(frozen=True)
class HistoryEntry:
    """One event of an aggregate: who, when, and which fields it changed (``field: (before, after)``).

    Nested dicts are compared key by key (``terms.asking_price``); values are plain JSON values.
    """

    version: int
    event_type: str
    timestamp: datetime
    actor: UUID | None
    changes: dict[str, tuple[Any, Any]]


@dataclass(frozen=True)
class AggregateState:
    """An aggregate as it stood at one version, as plain JSON values with secrets redacted."""

    aggregate_id: UUID
    aggregate_type: str
    version: int
    created_on: datetime
    modified_on: datetime
    state: dict[str, Any]


class StoredEvent(Protocol):
    """What replay uses of a domain event read back from the store."""

    @property
    def originator_id(self) -> UUID: ...
    @property
    def originator_version(self) -> int: ...
    @property
    def timestamp(self) -> datetime: ...
    def mutate(self, aggregate: Aggregate | None) -> Aggregate | None: ...


def events(
    app: Application[UUID], aggregate_id: UUID, *, gt: int | None = None, lte: int | None = None
) -> Iterator[StoredEvent]:
    """The aggregate's domain events in version order, optionally ``gt < version <= lte``."""
    return cast("Iterator[StoredEvent]", app.events.get(aggregate_id, gt=gt, lte=lte))


# --- plain values ---------------------------------------------------------------------------


def plain(value: Any) -> Any:  # noqa: PLR0911 - one return per kind of value
    """A JSON-able copy: UUIDs and enums as strings, dates as ISO text, dataclasses as dicts."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((plain(v) for v in value), key=str)
    if isinstance(value, Enum):
        return plain(value.value)
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return plain(dataclasses.asdict(value))
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _fields(aggregate: Aggregate) -> dict[str, Any]:
    """The aggregate's own state (the library's ``_id``, ``_version``… left out), unredacted, with what it offers
    the audit besides (``audit_extras()``: state it keeps under ``_`` names, such as a lot's proxy maxima)."""
    fields = {k: plain(v) for k, v in vars(aggregate).items() if not k.startswith("_")}
    extras = getattr(aggregate, "audit_extras", None)
    if callable(extras):
        fields.update(plain(extras()))
    return fields


def _withholding(latest: Aggregate | None) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """How the aggregate's fields are shown now: with its secrets withheld while ``latest`` (its state now) says
    so (``audit_open``, ``audit_withhold``: a lot's proxy maxima and revealed sealed amounts until it closes)."""
    withhold = getattr(type(latest), "audit_withhold", None)
    if latest is not None and getattr(latest, "audit_open", False) and callable(withhold):
        return cast("Callable[[dict[str, Any]], dict[str, Any]]", withhold)
    return lambda fields: fields


def _redacted(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: REDACTED if k in SECRET_FIELDS and v is not None else v for k, v in fields.items()}


def diff(before: dict[str, Any], after: dict[str, Any], prefix: str = "") -> dict[str, tuple[Any, Any]]:
    """Changed fields, ``name: (before, after)``; nested dicts by dotted path; secrets as "changed"."""
    changes: dict[str, tuple[Any, Any]] = {}
    for key in [*after, *(k for k in before if k not in after)]:
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        name = f"{prefix}{key}"
        if key in SECRET_FIELDS:
            changes[name] = (REDACTED if old is not None else None, CHANGED)
        elif isinstance(old, dict) and isinstance(new, dict):
            changes.update(diff(old, new, f"{name}."))
        else:
            changes[name] = (old, new)
    return changes


def as_utc(moment: datetime) -> datetime:
    """A timezone-aware instant; a naive one is read as UTC (event timestamps are UTC)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def event_type(event: StoredEvent) -> str:
    """``Listing.Published``: the event's class within its aggregate, as stored in its topic."""
    return get_topic(type(event)).partition(":")[2]


def actor(event: StoredEvent) -> UUID | None:
    """The event's ``by``; a self sign-up (no ``by``) is the user's own act."""
    by = getattr(event, "by", None)
    if by is None and event_type(event) == "User.SignedUp":
        return event.originator_id
    return by if isinstance(by, UUID) else None


# --- history --------------------------------------------------------------------------------


def history(app: Application[UUID], aggregate_id: UUID) -> list[HistoryEntry]:
    """Every event of the aggregate with its actor, time and the fields it changed."""
    aggregate: Aggregate | None = None
    folded: list[tuple[StoredEvent, dict[str, Any]]] = []
    for event in events(app, aggregate_id):
        aggregate = event.mutate(aggregate)
        assert aggregate is not None
        folded.append((event, _fields(aggregate)))
    if not folded:
        raise NotFoundError(f"aggregate_id: no record with id {aggregate_id}", field="aggregate_id", code="not_found")
    shown = _withholding(aggregate)  # as the record stands now: a lot closed since shows what it withheld
    before: dict[str, Any] = {}
    entries: list[HistoryEntry] = []
    for event, fields in folded:
        after = shown(fields)
        entries.append(
            HistoryEntry(
                version=event.originator_version,
                event_type=event_type(event),
                timestamp=event.timestamp,
                actor=actor(event),
                changes=diff(before, after),
            )
        )
        before = after
    return entries


# --- as-of ----------------------------------------------------------------------------------


def _timestamp(app: Application[UUID], aggregate_id: UUID, version: int) -> datetime:
    (event,) = events(app, aggregate_id, gt=version - 1, lte=version)
    return event.timestamp


def last_version(app: Application[UUID], aggregate_id: UUID) -> int:
    stored = app.recorder.select_events(aggregate_id, desc=True, limit=1)
    if not stored:
        raise NotFoundError(f"aggregate_id: no record with id {aggregate_id}", field="aggregate_id", code="not_found")
    return int(stored[0].originator_version)


def version_at(app: Application[UUID], aggregate_id: UUID, at: datetime, *, last: int | None = None) -> int | None:
    """The last version whose event happened at or before ``at``; None if the record did not exist yet.

    An aggregate's event timestamps rise with its versions (each event is created after the one
    it follows, on the aggregate loaded with it), so the version is found by search. On
    PostgreSQL two indexed reads do it: every ``STRIDE``-th event's timestamp, then the events of
    the one stride that holds the instant; elsewhere, a binary search with one read per probe.
    """
    at = as_utc(at)
    last = last or last_version(app, aggregate_id)
    recorder = app.recorder
    if isinstance(recorder, PostgresAggregateRecorder):
        return _version_at_strided(recorder, aggregate_id, at, last)
    low, high, found = 1, last, None
    while low <= high:
        middle = (low + high) // 2
        if _timestamp(app, aggregate_id, middle) <= at:
            found, low = middle, middle + 1
        else:
            high = middle - 1
    return found


class _Iso(msgspec.Struct):
    data: str = msgspec.field(name="_data_")


class _Stamped(msgspec.Struct):
    """The one field of a stored event's state that the search reads (eventsourcing's JSON form)."""

    timestamp: _Iso


_STAMPED = msgspec.json.Decoder(_Stamped)


def _stamp(state: bytes) -> datetime:
    return as_utc(datetime.fromisoformat(_STAMPED.decode(state).timestamp.data))


def _version_at_strided(recorder: PostgresAggregateRecorder, aggregate_id: UUID, at: datetime, last: int) -> int | None:
    stride = max(8, isqrt(last))
    table = SQL("{}.{}").format(Identifier(recorder.datastore.schema), Identifier(recorder.events_table_name))
    probes = SQL(
        "SELECT originator_version, state FROM {} WHERE originator_id = %s AND originator_version %% %s = 0 "
        "ORDER BY originator_version"
    ).format(table)
    segment = SQL(
        "SELECT originator_version, state FROM {} WHERE originator_id = %s "
        "AND originator_version > %s AND originator_version <= %s ORDER BY originator_version"
    ).format(table)
    with recorder.datastore.get_connection() as conn, conn.cursor() as curs:
        curs.execute(probes, (aggregate_id, stride), prepare=True)
        start = 0  # the last probed version at or before ``at`` (0: none)
        for row in curs.fetchall():
            if _stamp(bytes(row["state"])) > at:
                break
            start = row["originator_version"]
        curs.execute(segment, (aggregate_id, start, min(start + stride - 1, last)), prepare=True)
        found = start or None
        for row in curs.fetchall():
            if _stamp(bytes(row["state"])) > at:
                break
            found = row["originator_version"]
    return found


def aggregate_at(
    app: Application[UUID], aggregate_id: UUID, *, version: int | None = None, at: datetime | None = None
) -> Aggregate:
    """The aggregate at ``version``, or as it stood at instant ``at``, or now (uses snapshots)."""
    if version is not None and at is not None:
        raise ValidationError(
            "version: give either a version or an instant, not both", field="version", code="audit.version_or_time"
        )
    last = last_version(app, aggregate_id)
    if at is not None:
        version = version_at(app, aggregate_id, at, last=last)
        if version is None:
            raise NotFoundError(
                f"at: record {aggregate_id} did not exist yet at {as_utc(at).isoformat()}",
                field="at",
                code="audit.none_at",
                at=as_utc(at),
            )
    if version is not None and not 1 <= version <= last:
        raise NotFoundError(
            f"version: record {aggregate_id} has versions 1 to {last}",
            field="version",
            code="audit.versions",
            last=last,
        )
    aggregate: Aggregate = app.repository.get(aggregate_id, version=version)
    return aggregate


def state_at(
    app: Application[UUID], aggregate_id: UUID, *, version: int | None = None, at: datetime | None = None
) -> AggregateState:
    """The aggregate's state at ``version`` or instant ``at`` (now without either), secrets redacted."""
    aggregate = aggregate_at(app, aggregate_id, version=version, at=at)
    past = (version is not None or at is not None) and hasattr(type(aggregate), "audit_withhold")
    latest = app.repository.get(aggregate_id) if past else aggregate  # withholding follows the record as it is now
    return AggregateState(
        aggregate_id=aggregate.id,
        aggregate_type=type(aggregate).__name__,
        version=aggregate.version,
        created_on=aggregate.created_on,
        modified_on=aggregate.modified_on,
        state=_redacted(_withholding(latest)(_fields(aggregate))),
    )
