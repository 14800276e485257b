"""The application's plumbing shared by every group of commands: loading, saving, actors, clocks."""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, ClassVar, Concatenate, ParamSpec, Protocol, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, Recording
from eventsourcing.postgres import PostgresApplicationRecorder

from domain.accounts.user import Role, User
from domain.catalogue.ipc import IpcScheme
from domain.catalogue.listing import Listing
from domain.catalogue.patent import Patent
from domain.shared.errors import (
    ConcurrentModificationError,
    DomainError,
    NotAuthenticatedError,
    NotFoundError,
    PermissionDeniedError,
)
from domain.shared.ids import natural_id
from marketplace.accounts.personal_data import (
    MemoryPersonalData,
    Person,
    PersonalChange,
    PersonalData,
    PersonalDataRecorder,
    PostgresPersonalData,
    ServerRestartedError,
    StaleReadError,
)
from marketplace.platform.aggregate_cache import DEFAULT_CACHE_SIZE, FastForwardRepository, first_read
from marketplace.platform.clock import Clock, SystemClock
from marketplace.platform.pool_order import most_recent_first

A = TypeVar("A", bound=Aggregate)

#: The actor recorded on events written by the system itself (imports, automatic suspensions).
SYSTEM_ACTOR = natural_id("system", "marketplace")


@dataclass
class _ReadTogether:
    """The aggregates a running command reads with its actor (``MarketplaceBase.reading_together``)."""

    ids: tuple[UUID, ...]
    #: What else the command reads, named by an aggregate it reads (beside ``_named_next``).
    also: Callable[[Any], Iterable[UUID | None]] | None = None
    #: The version each was found at by the actor's round trip, by id: a ``load`` of one of them in this command
    #: is served from the cache (at that version or newer) without another round trip, once.
    fresh: dict[UUID, int] = field(default_factory=dict)
    #: Aggregates that had no events at the actor's round trip: ``exists`` answers False without a query.
    absent: set[UUID] = field(default_factory=set)
    #: While the command decides on this process's cached copies without reading the store first
    #: (``reads_together(cached=...)``): the version of each aggregate it read, by id (0: found with no events),
    #: which its save has the database check. None otherwise, and after the save.
    cached: dict[UUID, int] | None = None
    #: Whether a save of this command went through (a command deciding on the cache is run again only before).
    saved: bool = False
    #: The application whose command this is: another one in the same thread (a test's second worker) ignores it.
    store: object = None

    def read(self, aggregate_id: UUID | str, version: int) -> None:
        """Note a version read on the cache (the oldest, if read twice: the save checks nothing came after it). An id
        given as text (a command built from a read model's row) is noted as the UUID it is."""
        assert self.cached is not None
        key = _as_uuid(aggregate_id)
        self.cached[key] = min(version, self.cached.get(key, version))

    def clear(self) -> None:
        self.fresh.clear()
        self.absent.clear()

    def next_of(self, aggregate: Any) -> Iterator[UUID | None]:
        yield from _named_next(aggregate)
        if self.also is not None:
            yield from self.also(aggregate)


_READ_TOGETHER: ContextVar[_ReadTogether | None] = ContextVar("marketplace_read_together", default=None)


def _as_uuid(aggregate_id: UUID | str) -> UUID:
    return aggregate_id if isinstance(aggregate_id, UUID) else UUID(str(aggregate_id))


class _NotOnCache(Exception):  # noqa: N818 (a signal, caught by ``reads_together``)
    """A command deciding on the cache cannot (its actor is not held, a read the cache cannot answer) or its save
    found that something it read changed meanwhile: it runs again, reading the store first."""


def _named_next(aggregate: Any) -> Iterator[UUID | None]:
    """The aggregates a command usually reads after this one: its organisation, its patent (a user's organisation;
    a listing's organisation and patent)."""
    for name in ("organisation_id", "patent_id"):
        value = getattr(aggregate, name, None)
        if isinstance(value, UUID):
            yield value


class _HasStore(Protocol):
    store: MarketplaceBase


S = TypeVar("S", bound=_HasStore)
C = TypeVar("C")
P = ParamSpec("P")
R = TypeVar("R")


def reads_together(
    ids: Callable[[Any], Iterable[UUID | None]] = lambda _: (),
    also: Callable[[Any, Any, Any], Iterable[UUID | None]] | None = None,
    *,
    cached: Callable[[Mapping[str, Any]], bool] | None = None,
) -> Callable[[Callable[Concatenate[S, C, P], R]], Callable[Concatenate[S, C, P], R]]:
    """A command (``method(self, cmd, *, actor_id)`` of a group with ``store``) that reads its actor, the aggregates
    ``ids(cmd)`` names and those they name in turn (an organisation, a patent; and ``also(group, cmd, aggregate)``)
    in one round trip, when this process holds them: see ``MarketplaceBase.reading_together``.

    ``cached(kwargs)``: True when this call of the command may first decide on this process's cached copies with
    no read of the store at all (``MarketplaceBase.deciding_on_cache``): only for a command that uses nothing of
    its actor's personal data (the actor is handed out without it) and that has no effect before its save but the
    save; a refusal, a read the cache cannot answer or a save finding a read aggregate changed runs it again as
    above."""

    def decorate(method: Callable[Concatenate[S, C, P], R]) -> Callable[Concatenate[S, C, P], R]:
        @functools.wraps(method)
        def command(group: S, cmd: C, /, *args: P.args, **kwargs: P.kwargs) -> R:
            more = None if also is None else functools.partial(also, group, cmd)
            if cached is not None and cached(kwargs):
                with group.store.deciding_on_cache(*ids(cmd), also=more) as together:
                    if together is not None:
                        try:
                            return method(group, cmd, *args, **kwargs)
                        except _NotOnCache:
                            pass
                        except DomainError:
                            if together.saved:
                                raise
                            # refused on cached copies: decided again below, on what the store has
            with group.store.reading_together(*ids(cmd), also=more):
                return method(group, cmd, *args, **kwargs)

        return command

    return decorate


class _Collected(ProcessingEvent[UUID]):
    """A save's events: an aggregate's pending events are taken without eventsourcing's two runtime protocol checks
    per object (``isinstance(obj, DomainEventProtocol)``, then ``CollectEventsProtocol``: 15 µs an aggregate on
    Python 3.11, measured); anything else is collected as eventsourcing collects it."""

    def collect_events(self, *objs: Any, **kwargs: Any) -> None:
        for obj in objs:  # in the order given, as eventsourcing collects them (the log's order)
            if isinstance(obj, Aggregate):
                self.events.extend(obj.collect_events())
                self.aggregates[obj.id] = obj
            elif obj is not None:
                super().collect_events(obj)
        super().collect_events(**kwargs)


class MarketplaceBase(Application[UUID]):
    """One event store (tables ``marketplace_events``) and the plumbing every command uses."""

    name = "marketplace"
    # Long-lived aggregates load from a snapshot plus the events after it (as-of replay stays fast).
    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {Listing: 50, Patent: 50}
    env: ClassVar[dict[str, str]] = {
        "COMPRESSOR_TOPIC": "", "POSTGRES_LOCK_TIMEOUT": "5",
        # On PostgreSQL, personal-data changes are written in the transaction of the events recording them.
        "APPLICATION_RECORDER_TOPIC": "marketplace.accounts.personal_data:PersonalDataRecorder",
    }

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        *,
        ipc_scheme: IpcScheme | None = None,
        clock: Clock | None = None,
        personal: PersonalData | None = None,
    ) -> None:
        super().__init__(env)
        try:
            if isinstance(self.recorder, PostgresApplicationRecorder):
                most_recent_first(self.recorder.datastore.pool)  # a worker's commands keep to its warm connections
            if isinstance(self.recorder, PersonalDataRecorder):
                self._watch_restarts(self.recorder)
            self.ipc_scheme = ipc_scheme
            #: The time commands act at (offer expiry, notice windows, due dates); tests inject their own.
            self.clock: Clock = clock or SystemClock()
            #: E-mail, name and password hash of each person, by user id: never in the events. By default
            #: beside the events on PostgreSQL, in memory otherwise.
            self.personal: PersonalData = personal or (
                PostgresPersonalData(self.recorder.datastore) if isinstance(self.recorder, PostgresApplicationRecorder)
                else MemoryPersonalData()
            )
        except BaseException:
            with contextlib.suppress(Exception):  # the constructor's own error is the one to report
                self.close()  # a constructor that fails leaves no pool of connections open behind it
            raise

        self._turns_guard = threading.Lock()
        self._turns: dict[UUID, tuple[threading.Lock, int]] = {}

    def _watch_restarts(self, recorder: PersonalDataRecorder) -> None:
        """Empty the aggregate cache when the database server crashed (``server_restarts``): what it holds may
        include events the crash lost. The server's mark is read once now, for the connections opened before."""
        restarts = recorder.watch_restarts()
        if restarts is None:
            return
        restarts.on_restart(self.repository.clear)
        self.repository.restarts = restarts
        with recorder.datastore.get_connection() as conn:
            restarts.check(conn)

    # --- plumbing ---------------------------------------------------------------------------
    @contextmanager
    def one_at_a_time(self, aggregate_id: UUID) -> Iterator[None]:
        """Commands of this process on one hot aggregate (a lot many bidders bid on) take turns from load to save,
        instead of all loading one version and all but one losing the save to retry; other workers' commands
        still meet the version check at save."""
        with self._turns_guard:
            lock, users = self._turns.get(aggregate_id) or (threading.Lock(), 0)
            self._turns[aggregate_id] = (lock, users + 1)
        try:
            with lock:
                yield
        finally:
            with self._turns_guard:
                lock, users = self._turns[aggregate_id]
                if users == 1:
                    del self._turns[aggregate_id]
                else:
                    self._turns[aggregate_id] = (lock, users - 1)

    @contextmanager
    def reading_together(self, *aggregate_ids: UUID | None,
                         also: Callable[[Any], Iterable[UUID | None]] | None = None) -> Iterator[None]:
        """While the block runs (one command), ``actor`` also fast-forwards ``aggregate_ids`` and the aggregates
        they and the actor name (``_named_next``) in its one round trip, and each following ``load`` of one of
        them takes the cached copy instead of reading the store again. The copies are as the database had them
        during this command (never older than the actor's read), so the command decides on current state; the
        block's end, a save or the next ``actor`` ends what was read (a retry reads afresh). ``also(aggregate)``
        names more aggregates to read with it; one found with no events is known absent to ``exists``. Inside a
        command deciding on the cache (``deciding_on_cache``), that command's reads go on: what it runs reads as it
        does, so that the first save checks all it read."""
        outer = self._together()
        if outer is not None and outer.cached is not None:
            yield
            return
        token = _READ_TOGETHER.set(_ReadTogether(tuple(i for i in aggregate_ids if i is not None), also, store=self))
        try:
            yield
        finally:
            _READ_TOGETHER.reset(token)

    @contextmanager
    def deciding_on_cache(self, *aggregate_ids: UUID | None,
                          also: Callable[[Any], Iterable[UUID | None]] | None = None,
                          ) -> Iterator[_ReadTogether | None]:
        """While the block runs (one command), ``actor``, ``load`` and ``exists`` answer from this process's cache
        with no round trip (an aggregate not held is read from the store by ``load``, taken as absent by ``exists``)
        and note each version read (0: absent); the command's save has the database check, under the table lock,
        that none of them has newer events (migration 0049), else nothing is saved and ``_NotOnCache`` is raised.
        Yields None (and changes nothing) where the save cannot check, or inside another command's reads."""
        recorder = self.recorder
        if (self._together() is not None or self.repository.lru is None
                or not isinstance(recorder, PersonalDataRecorder) or not recorder.checks_reads()):
            yield None
            return
        together = _ReadTogether(tuple(i for i in aggregate_ids if i is not None), also, cached={}, store=self)
        token = _READ_TOGETHER.set(together)
        try:
            yield together
        finally:
            _READ_TOGETHER.reset(token)

    def _together(self) -> _ReadTogether | None:
        """The reads of this application's running command in this thread (``reading_together``), if any."""
        together = _READ_TOGETHER.get()
        return together if together is not None and together.store is self else None

    def construct_repository(self) -> FastForwardRepository:
        """Aggregates are cached per process and fast-forwarded from the event store on every load
        (``marketplace.platform.aggregate_cache``); ``AGGREGATE_CACHE_MAXSIZE=0`` turns the cache off."""
        size = self.env.get(self.AGGREGATE_CACHE_MAXSIZE)
        return FastForwardRepository(self.events, snapshot_store=self.snapshots,
                                     cache_size=int(size) if size else DEFAULT_CACHE_SIZE)

    @property
    def repository(self) -> FastForwardRepository:
        repository = self._repository
        assert isinstance(repository, FastForwardRepository)
        return repository

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        """eventsourcing's ``Application.save``, collecting the aggregates' events without its runtime protocol
        checks (``_Collected``)."""
        processing_event = _Collected()
        processing_event.collect_events(*objs, **kwargs)
        recordings = self._record(processing_event)
        self._take_snapshots(processing_event)
        self._notify(recordings)
        self.notify(processing_event.events)  # deprecated in eventsourcing, still called there
        return recordings

    def _record(self, processing_event: ProcessingEvent[UUID]) -> list[Recording[UUID]]:
        recordings = super()._record(processing_event)
        self.repository.remember(processing_event.events)
        return recordings

    def load(self, kind: type[A], aggregate_id: UUID, field: str) -> A:
        together = self._together()
        if together is not None and together.cached is not None:
            return self._load_cached(together, kind, aggregate_id, field)
        version = together.fresh.pop(aggregate_id, None) if together is not None else None
        aggregate: Aggregate | None = (self.repository.copy_fresh(aggregate_id, version)
                                       if version is not None else None)
        try:
            if aggregate is None:
                aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise NotFoundError(f"{field}: no {kind.__name__.lower()} with id {aggregate_id}", field=field,
                                code="not_found") from None
        if not isinstance(aggregate, kind):
            raise NotFoundError(f"{field}: no {kind.__name__.lower()} with id {aggregate_id}", field=field,
                                code="not_found")
        return aggregate

    def _load_cached(self, together: _ReadTogether, kind: type[A], aggregate_id: UUID, field: str) -> A:
        """``load`` while deciding on the cache: the held copy, or the store's if not held; its version noted."""
        aggregate_id = _as_uuid(aggregate_id)  # the cache's key (an id may come as text from a read model's row)
        aggregate = self.repository.cached_copy(aggregate_id)
        if aggregate is None:
            try:
                aggregate = self.repository.get(aggregate_id)
            except AggregateNotFoundError:
                raise _NotOnCache from None  # not found: said after reading the store first
        assert aggregate is not None
        together.read(aggregate_id, aggregate.version)
        if not isinstance(aggregate, kind):
            raise _NotOnCache
        return aggregate

    def exists(self, aggregate_id: UUID) -> bool:
        """Whether the aggregate has events: no query when this process holds it (aggregates are never deleted) or
        the command's read together found it had none."""
        together = self._together()
        if together is not None and together.cached is not None:  # deciding on the cache
            aggregate_id = _as_uuid(aggregate_id)
            if self.repository.holds(aggregate_id):
                return True
            # Not held: taken as absent without a query, and the save checks that it has no events (if it has,
            # nothing is saved and the command runs again reading the store, which then finds and holds it).
            together.read(aggregate_id, 0)
            return False
        if together is not None and aggregate_id in together.absent:
            return False
        return self.repository.holds(aggregate_id) or bool(self.recorder.select_events(aggregate_id, limit=1))

    def commit(
        self, *aggregates: Aggregate, duplicate: DomainError | None = None, personal: Sequence[PersonalChange] = ()
    ) -> int:
        """Save atomically; a version clash becomes a 409 (or ``duplicate`` for natural keys).

        ``personal``: changes to the personal-data store that the events record (a new password hash, an
        erasure); on PostgreSQL they are written in the events' transaction, so both stand or neither.
        """
        reading = self._together()
        read_set = None
        noted = first_read()  # what the command reads after its save is noted afresh
        if reading is not None:  # what the command reads after its save, it reads afresh
            read_set = reading.cached  # (kept if the save fails: a further save still checks what was read)
            reading.clear()
        together = isinstance(self.recorder, PersonalDataRecorder)
        saving: dict[str, Any] = {}
        if together and personal:
            saving["personal_changes"] = tuple(personal)
        if read_set is not None:  # decided on cached copies: the save checks none of them changed meanwhile
            if personal:
                raise _NotOnCache
            saving["read_set"] = (list(read_set), list(read_set.values()))
        if together and noted is not None and noted[0] is self.repository.restarts:
            saving["generation"] = noted[1]  # refused if the server crashed since the command's first read
        try:
            recordings: list[Recording[UUID]] = self.save(*aggregates, **saving)
        except StaleReadError as error:
            if read_set is not None:
                self.repository.forget(read_set)  # read afresh when the command runs again
                raise _NotOnCache from None
            if not isinstance(error, ServerRestartedError):
                raise
            self.repository.forget(a.id for a in aggregates)
            raise ConcurrentModificationError(
                "version: the database restarted while this was being done; reload and try again",
                field="expected_version", code="version.stale",
            ) from None
        except IntegrityError:
            # Someone else saved one of these meanwhile (or the natural key is taken): load them afresh next time.
            self.repository.forget(a.id for a in aggregates)
            if duplicate is not None:
                raise duplicate from None
            raise ConcurrentModificationError(
                "version: the record was changed by someone else meanwhile; reload and try again",
                field="expected_version", code="version.stale",
            ) from None
        if reading is not None:
            reading.cached, reading.saved = None, True
        if personal and not together:  # the in-memory store of the unit tests: after the save
            self.personal.apply(personal)
        return recordings[-1].notification.id if recordings else self.recorder.max_notification_id() or 0

    @staticmethod
    def expect_version(aggregate: Aggregate, expected: int | None) -> None:
        if expected is not None and aggregate.version != expected:
            raise ConcurrentModificationError(
                f"expected_version: the record is at version {aggregate.version}, not {expected}; "
                "it was changed by someone else meanwhile, reload and try again",
                field="expected_version", code="version.stale",
            )

    def actor(self, actor_id: UUID | None) -> User:
        """The acting user, with its e-mail and name; a deactivated or erased account cannot act."""
        if actor_id is None:
            raise NotAuthenticatedError("log in to do this", code="auth.login")
        person: Person | None
        together = self._together()
        if together is not None and together.cached is not None:
            return self._actor_cached(together, actor_id)
        if isinstance(self.personal, PostgresPersonalData):  # the user's new events and its person: one round trip
            found = None
            if together is not None:
                together.clear()
                if self.repository.holds(actor_id):
                    fresh, rows, absent = self.repository.freshen(
                        [actor_id, *together.ids], PostgresPersonalData.BY_USER_ID, (actor_id,),
                        follow=together.next_of)
                    actor_version = fresh.pop(actor_id, None)
                    together.fresh, together.absent = fresh, absent
                    found = self.repository.copy_fresh(actor_id, actor_version) if actor_version is not None else None
            if found is None:
                try:
                    found, rows = self.repository.get_along(actor_id, PostgresPersonalData.BY_USER_ID, (actor_id,))
                except AggregateNotFoundError:
                    found, rows = None, []
            user = found if isinstance(found, User) else None
            person = PostgresPersonalData.row_person(rows)
        else:
            user = self.find_user(actor_id)
            person = self.personal.get(user.id) if user is not None else None
        if user is None:
            raise NotAuthenticatedError("your account no longer exists; log in again", code="auth.gone")
        if not user.active:
            raise NotAuthenticatedError("your account is deactivated; ask your organisation's admin",
                                         code="auth.deactivated")
        person = person or self.adopt_person(user)
        if person is not None:
            user.attach_person(person.email, person.display_name)
        return user

    def _actor_cached(self, together: _ReadTogether, actor_id: UUID) -> User:
        """``actor`` while deciding on the cache: the held user, without its personal data (the command uses none);
        its version noted, so that a deactivation or erasure saved meanwhile refuses the save. Not held, or not
        able to act: the command runs again, reading the store first (which says why it cannot act)."""
        user = self.repository.cached_copy(actor_id)
        if not isinstance(user, User) or not user.active or user.erased or user.legacy_person is not None:
            raise _NotOnCache
        together.read(actor_id, user.version)
        return user

    def find_user(self, user_id: UUID) -> User | None:
        """The user with this id, or None."""
        try:
            user: Aggregate = self.repository.get(user_id)
        except AggregateNotFoundError:
            return None
        return user if isinstance(user, User) else None

    def adopt_person(self, user: User) -> Person | None:
        """Copy an old store's personal data from the user's events into the personal-data store."""
        legacy = user.legacy_person
        if legacy is None:
            return None
        self.personal.adopt(Person(user.id, legacy.email, legacy.display_name, legacy.password_hash))
        return self.personal.get(user.id)

    @staticmethod
    def require_role(user: User, *roles: Role) -> None:
        if not any(user.has_role(r) for r in roles):
            names = " or ".join(r.value for r in roles)
            raise PermissionDeniedError(f"this needs the role {names}", code="role.needed",
                                        roles=[r.value for r in roles])
