"""The repository every command loads aggregates through: a per-process cache that is fast-forwarded on every load.

Each load reads the events stored after the cached version (one ``SELECT ... WHERE originator_id = %s AND
originator_version > %s``) and applies them, so a command decides on the aggregate as the database has it when the
command reads it, whichever worker wrote the events in between: the cache saves the replay of the history and, for
patents and listings, the snapshot query, never the read of what changed. A save that the database refuses
(another worker saved the aggregate meanwhile) drops the aggregates from the cache; the command's usual retry then
reloads them.

A command that reads several aggregates (``MarketplaceBase.reading_together``) reads what changed in all of those
this process holds, and the actor's personal data, in one statement at its start (``freshen``): each is then as the
database had it at that statement, during the command, and the command's later loads of them take no round trip.

A command that may decide on the cache alone (``reads_together(cached=...)``) reads nothing first: it takes copies
of what this process holds (``cached_copy``) and its save checks, under the table lock, that no aggregate it read
has events beyond the version it read (migration 0049); a refused save drops them and the command runs again with
the read above.

The cache holds only state replayed from stored events: a saved aggregate is remembered by applying (copies of) the
events just recorded to the cached copy, never by keeping the object a command changed (commands attach data that
is not in the events, such as a user's e-mail and name). Every load hands out its own deep copy, taken under the
aggregate's lock, so a command's changes and another thread's fast-forward never meet (``state_copy``: what
``copy.deepcopy`` makes, 4-9 times faster on these aggregates).

eventsourcing's own ``Repository`` (``AGGREGATE_CACHE_MAXSIZE``) copies the cached aggregate after releasing the
fast-forward lock, so a copy could be taken while another thread applies newer events to it; and it caches nothing
on save when fast-forwarding. ``AGGREGATE_CACHE_MAXSIZE`` still sets the size here (0: no cache).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable, Sequence
from contextvars import ContextVar
from typing import Any, cast
from uuid import UUID

from eventsourcing.application import (
    AggregateNotFoundError,
    LRUCache,
    ProjectorFunction,
    Repository,
    project_aggregate,
)
from eventsourcing.domain import DomainEventProtocol, TDomainEvent, TMutableOrImmutableAggregate
from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresAggregateRecorder
from psycopg.sql import SQL, Identifier

from marketplace.platform.pg_arrays import BigintArray, UuidArray
from marketplace.platform.server_restarts import ServerRestarts
from marketplace.platform.state_copy import state_copy

#: Aggregates kept per process when ``AGGREGATE_CACHE_MAXSIZE`` is not set.
DEFAULT_CACHE_SIZE = 5000
#: Locks the cached aggregates share (``FastForwardRepository._locked``): enough that the threads of a process
#: (the web's worker threads, the projection runner's) seldom meet on one.
LOCK_STRIPES = 1024


def mutate_in_turn(aggregate: Any, events: Iterable[Any]) -> Any:
    """eventsourcing's ``project_aggregate`` (each event's ``mutate`` in turn) without its per-event
    ``assert isinstance(event, CanMutateProtocol)``: on Python 3.11 a runtime protocol check walks the protocol's
    members each time, 17 µs an event measured, more than most events take to apply."""
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate


MUTATE_IN_TURN = cast("ProjectorFunction[Any, Any]", mutate_in_turn)


#: The crashes noticed (the watcher and its count) when the running command first read an aggregate: ``commit`` has
#: its save refused if the count moved since (``first_read``).
_FIRST_READ: ContextVar[tuple[ServerRestarts, int] | None] = ContextVar("marketplace_first_read", default=None)


def first_read() -> tuple[ServerRestarts, int] | None:
    """What the running command noted at its first read (``_FIRST_READ``), forgotten for the next command: a command
    takes it when it saves."""
    noted = _FIRST_READ.get()
    _FIRST_READ.set(None)
    return noted


class FastForwardRepository(Repository[UUID]):
    """An LRU cache of aggregates, fast-forwarded from the event store on every load (see the module's text)."""

    def __init__(self, event_store: Any, *, snapshot_store: Any = None, cache_size: int = DEFAULT_CACHE_SIZE) -> None:
        super().__init__(event_store, snapshot_store=snapshot_store, cache_maxsize=None)
        self.lru: LRUCache[UUID, Any] | None = LRUCache(maxsize=cache_size) if cache_size > 0 else None
        #: The locks the cached aggregates share (``_locked``).
        self.locks = tuple(threading.RLock() for _ in range(LOCK_STRIPES))
        #: How many times the cache was emptied (``clear``): a read that began before may not keep what it read.
        self.generation = 0
        #: The crashes of the store's server this process noticed (``server_restarts``), if it watches them: each
        #: read notes their count for the running command (``first_read``).
        self.restarts: ServerRestarts | None = None

    def _note_read(self) -> None:
        """A read for the running command: the first one notes the crashes noticed so far (``first_read``)."""
        if self.restarts is not None and _FIRST_READ.get() is None:
            _FIRST_READ.set((self.restarts, self.restarts.count))

    def clear(self) -> None:
        """Forget every aggregate held (the database server restarted: ``server_restarts``). A load running
        meanwhile that began with a copy held before does not put it back (``_kept``)."""
        if self.lru is None:
            return
        self.generation += 1
        self.lru = LRUCache(maxsize=self.lru.maxsize)

    def _replayed(self, aggregate_id: UUID) -> Any:
        """The aggregate replayed from the store, kept unless the cache was emptied while the replay read (it may
        have read events the server then lost)."""
        generation = self.generation
        aggregate = self.replay(aggregate_id)
        if self.generation == generation:
            self.lru.put(aggregate_id, aggregate)  # type: ignore[union-attr]
        return aggregate

    def _kept(self, aggregate_id: UUID, generation: int) -> bool:
        """After a read that fast-forwarded a held copy: False (and the copy dropped) if the cache was emptied since
        ``generation``, when the read began; the copy it began with may rest on events the server lost."""
        if self.generation == generation:
            return True
        self._evict(aggregate_id)
        return False

    def get(
        self,
        aggregate_id: UUID,
        *,
        version: int | None = None,
        projector_func: ProjectorFunction[TMutableOrImmutableAggregate, TDomainEvent] = project_aggregate,
        fastforward_skipping: bool = False,
        deepcopy_from_cache: bool = True,
    ) -> TMutableOrImmutableAggregate:
        self._note_read()
        if projector_func is not project_aggregate:  # another projection of the events: never cached
            return self._reconstruct_aggregate(aggregate_id, version, projector_func)
        if self.lru is None or version is not None:
            replayed = self._reconstruct_aggregate(aggregate_id, version, MUTATE_IN_TURN)
            return cast("TMutableOrImmutableAggregate", replayed)
        return cast("TMutableOrImmutableAggregate", self._cached(aggregate_id))

    def _cached(self, aggregate_id: UUID) -> Any:
        assert self.lru is not None
        with self._locked(aggregate_id):
            generation = self.generation
            cached = self._peek(aggregate_id)
            if cached is not None:
                new_events = list(self.event_store.get(originator_id=aggregate_id, gt=cached.version))
                if new_events:
                    cached = self._apply(aggregate_id, cached, new_events)
                if not self._kept(aggregate_id, generation):
                    cached = None
            if cached is None:
                cached = self._replayed(aggregate_id)
            return state_copy(cached)

    def get_along(self, aggregate_id: UUID, statement: str, params: Sequence[Any]) -> tuple[Any, list[Any]]:
        """The aggregate (as ``get``) and the rows of one more read-only ``statement``, in one round trip when the
        aggregate is cached on PostgreSQL: both SELECTs go in one pipeline (the acting user and its personal data,
        read by every command). Otherwise the two are read one after the other."""
        self._note_read()
        recorder = getattr(self.event_store, "recorder", None)
        if self.lru is None or not isinstance(recorder, PostgresAggregateRecorder):
            return self.get(aggregate_id), self._rows(recorder, statement, params)
        with self._locked(aggregate_id):
            generation = self.generation
            cached = self._peek(aggregate_id)
            if cached is None:
                cached = self._replayed(aggregate_id)
                return state_copy(cached), self._rows(recorder, statement, params)
            with recorder.datastore.get_connection() as conn, conn.pipeline(), \
                    conn.cursor() as events, conn.cursor() as along:
                events.execute(recorder.select_events_statement
                               + SQL(" AND originator_version > %s ORDER BY originator_version ASC"),
                               (aggregate_id, cached.version), prepare=True)
                along.execute(statement, params, prepare=True)
                stored = [StoredEvent(originator_id=r["originator_id"], originator_version=r["originator_version"],
                                      topic=r["topic"], state=bytes(r["state"])) for r in events.fetchall()]
                rows = along.fetchall()
            if stored:
                mapper = self.event_store.mapper
                cached = self._apply(aggregate_id, cached, [mapper.to_domain_event(e) for e in stored])
            if not self._kept(aggregate_id, generation):
                cached = self._replayed(aggregate_id)
            return state_copy(cached), rows

    def freshen(self, aggregate_ids: Sequence[UUID], statement: str, params: Sequence[Any],
                follow: Callable[[Any], Iterable[UUID | None]] = lambda _: (),
                ) -> tuple[dict[UUID, int], list[Any], set[UUID]]:
        """Fast-forward those of ``aggregate_ids`` this process holds, and the aggregates ``follow`` names from them
        (the organisation of a user, the patent of a listing: what a command reads next), reading the rows of one
        more read-only ``statement`` too (each row as a JSON object: a dict of JSON values): one statement, one
        round trip for all. The events stored after each cached version are read in one SELECT and applied; the
        answer is the version each aggregate had in the database at that SELECT, by id (``copy_fresh`` hands out a
        copy at least that fresh), the rows, and those of the followed aggregates not held that had no events at
        that SELECT (absent: an introduction no broker made). Other aggregates not held are left out (``get``
        replays them); without PostgreSQL or a cache nothing is freshened and ``statement`` is read alone."""
        self._note_read()
        recorder = getattr(self.event_store, "recorder", None)
        if self.lru is None or not isinstance(recorder, PostgresAggregateRecorder):
            return {}, self._rows(recorder, statement, params), set()
        versions: dict[UUID, int] = {}
        probed: list[UUID] = []
        generation = self.generation
        for aggregate_id in aggregate_ids:
            with self._locked(aggregate_id):
                cached = self._peek(aggregate_id)
                if cached is None:
                    continue
                versions[aggregate_id] = cached.version
                followed = [f for f in follow(cached) if f is not None]
            for other in followed:
                if other not in versions:
                    with self._locked(other):
                        held = self._peek(other)
                        if held is not None:
                            versions[other] = held.version
                        elif other not in probed:
                            probed.append(other)
        if not versions:
            return {}, self._rows(recorder, statement, params), set()
        ids = list(versions)
        with recorder.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self._fresh_statement(recorder, statement),
                         (UuidArray(ids), BigintArray([versions[i] for i in ids]), UuidArray(probed), *params),
                         prepare=True)
            found = curs.fetchall()
        rows = [r["along"] for r in found if r["along"] is not None]
        absent = set(probed) - {r["originator_id"] for r in found if r["originator_version"] is None}
        if self.generation != generation:  # emptied meanwhile: the versions taken may be of lost events
            return {}, rows, absent
        mapper = self.event_store.mapper
        new: dict[UUID, list[Any]] = {}
        events = (r for r in found if r["originator_version"] is not None)
        for r in sorted(events, key=lambda r: r["originator_version"]):
            new.setdefault(r["originator_id"], []).append(mapper.to_domain_event(StoredEvent(
                originator_id=r["originator_id"], originator_version=r["originator_version"], topic=r["topic"],
                state=bytes(r["state"]))))
        fresh: dict[UUID, int] = {}
        for aggregate_id in ids:
            own = new.get(aggregate_id, [])
            with self._locked(aggregate_id):
                cached = self._peek(aggregate_id)
                if cached is None:  # dropped meanwhile (a refused save): ``get`` reads it afresh
                    continue
                # The cache may have moved on since the versions were taken (another thread's load or save, both
                # later than the SELECT's start): only the events after what it holds now apply.
                after = [e for e in own if e.originator_version > cached.version]
                if after:
                    self._apply(aggregate_id, cached, after)
            fresh[aggregate_id] = own[-1].originator_version if own else versions[aggregate_id]
        return fresh, rows, absent

    def copy_fresh(self, aggregate_id: UUID, version: int) -> Any:
        """A copy of the cached aggregate if it is at ``version`` or later (as ``freshen`` found it, or newer), else
        ``None`` (dropped from the cache meanwhile)."""
        return self.cached_copy(aggregate_id, at_least=version)

    def cached_copy(self, aggregate_id: UUID, at_least: int = 0) -> Any:
        """A copy of the cached aggregate as this process holds it (no round trip: perhaps older than the database's;
        a command deciding on it has its save check the version), or ``None`` if not held or older than
        ``at_least``."""
        self._note_read()
        if self.lru is None:
            return None
        with self._locked(aggregate_id):
            cached = self._peek(aggregate_id)
            if cached is None or cached.version < at_least:
                return None
            return state_copy(cached)

    def _fresh_statement(self, recorder: PostgresAggregateRecorder, along: str) -> Any:
        """One statement: the events after each given version, the ids of the probed aggregates that have events
        (rows with no version), then the rows of the ``along`` statement, each as one JSON object in ``along``."""
        statements: dict[str, Any] = self.__dict__.setdefault("_fresh_statements", {})
        statement = statements.get(along)
        if statement is None:
            statement = statements[along] = SQL(
                "SELECT e.originator_id, e.originator_version, e.topic, e.state, NULL::json AS along"
                " FROM {schema}.{table} e JOIN unnest(%s::{id_type}[], %s::bigint[]) AS c(id, version)"
                " ON e.originator_id = c.id AND e.originator_version > c.version"
                " UNION ALL SELECT p.id, NULL, NULL, NULL, NULL FROM unnest(%s::{id_type}[]) AS p(id)"
                " WHERE EXISTS (SELECT 1 FROM {schema}.{table} x WHERE x.originator_id = p.id)"
                " UNION ALL SELECT NULL, NULL, NULL, NULL, row_to_json(a) FROM ({along}) a",
            ).format(schema=Identifier(recorder.datastore.schema), table=Identifier(recorder.events_table_name),
                     id_type=Identifier(recorder.datastore.originator_id_type),
                     along=SQL(along))
        return statement

    @staticmethod
    def _rows(recorder: Any, statement: str, params: Sequence[Any]) -> list[Any]:
        if not isinstance(recorder, PostgresAggregateRecorder):
            return []
        with recorder.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement, params, prepare=True)
            return curs.fetchall()

    def holds(self, aggregate_id: UUID) -> bool:
        """Whether the cache holds the aggregate (so it exists: stored events are never deleted)."""
        self._note_read()
        return self.lru is not None and aggregate_id in self.lru.cache

    def replay(self, aggregate_id: UUID) -> Any:
        """The aggregate rebuilt from the store (its latest snapshot and the events after it), bypassing the cache."""
        return self._reconstruct_aggregate(aggregate_id, None, MUTATE_IN_TURN)

    def remember(self, events: Sequence[DomainEventProtocol[UUID]]) -> None:
        """After a save: apply copies of the recorded events to the cached aggregates they follow on from (a new
        aggregate is cached from its first events), so the next load reads no history."""
        if self.lru is None:
            return
        by_aggregate: dict[UUID, list[DomainEventProtocol[UUID]]] = {}
        for event in events:
            by_aggregate.setdefault(event.originator_id, []).append(event)
        for aggregate_id, own in by_aggregate.items():
            with self._locked(aggregate_id):
                cached = self._peek(aggregate_id)
                first = own[0].originator_version
                if cached is None and first == 1:
                    self._apply(aggregate_id, None, state_copy(own))
                elif cached is not None and cached.version == first - 1:
                    self._apply(aggregate_id, cached, state_copy(own))
                # otherwise the cache is behind (or ahead, after another thread's load): the next load catches up

    def forget(self, aggregate_ids: Iterable[UUID]) -> None:
        """Drop these aggregates from the cache (their save was refused: the next load reads them afresh)."""
        if self.lru is None:
            return
        for aggregate_id in aggregate_ids:
            with self._locked(aggregate_id):
                self._evict(aggregate_id)

    def _locked(self, aggregate_id: UUID) -> threading.RLock:
        """The aggregate's lock (``with self._locked(id):``): one of ``locks``, shared by the aggregates whose ids
        hash alike. eventsourcing's per-aggregate locks took a process-wide lock twice and an LRU cache of locks
        for each use: 16 µs of the ~210 µs of Python of a ``register_patent`` (three uses: the actor, its
        organisation, the new patent). A thread never holds two (no method here takes one inside another), so
        aggregates sharing a lock only wait for each other, never deadlock; an ``RLock``, should a method ever take
        one it already holds."""
        return self.locks[hash(aggregate_id) % len(self.locks)]

    def _peek(self, aggregate_id: UUID) -> Any:
        """The cached aggregate (not a copy; under its lock), or ``None``."""
        try:
            return self.lru.get(aggregate_id)  # type: ignore[union-attr]
        except KeyError:
            return None

    def _apply(self, aggregate_id: UUID, cached: Any, events: Iterable[DomainEventProtocol[UUID]]) -> Any:
        """Apply ``events`` to the cached aggregate (under its lock); a failure leaves nothing half-applied cached."""
        try:
            aggregate = mutate_in_turn(cached, events)
        except BaseException:
            self._evict(aggregate_id)
            raise
        if aggregate is None:
            self._evict(aggregate_id)
            raise AggregateNotFoundError(aggregate_id)
        self.lru.put(aggregate_id, aggregate)  # type: ignore[union-attr]
        return aggregate

    def _evict(self, aggregate_id: UUID) -> None:
        with contextlib.suppress(KeyError):
            self.lru.get(aggregate_id, evict=True)  # type: ignore[union-attr]
