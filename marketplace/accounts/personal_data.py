"""The personal-data store: e-mail, display name and password hash of each person, by user id.

Events never hold these (PIPL): they name people by user id only, so that erasing a person is
deleting one row here while the hash-chained event log stays intact. One port, two adapters:
PostgreSQL (table ``personal_data``, migration 0010, same database and psycopg pool as the event
store) and memory (the POPO application of the unit tests).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol
from uuid import UUID

from eventsourcing.persistence import (
    DatabaseError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    ProgrammingError,
    StoredEvent,
)
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.utils import retry
from psycopg import Cursor, errors
from psycopg.pq import TransactionStatus
from psycopg.rows import DictRow

from domain.shared.errors import ConflictError
from marketplace.platform.pg_arrays import BigintArray, ByteaArray, TextArray, UuidArray
from marketplace.platform.server_restarts import ServerRestarts
from marketplace.platform.server_restarts import watch as watch_restarts


@dataclass(frozen=True)
class Person:
    """One person's personal data. ``password_hash`` is None until an old store's hash is adopted."""

    user_id: UUID
    email: str
    display_name: str
    password_hash: str | None


class NewPasswordHash(NamedTuple):
    """The person's new password hash, written with the ``PasswordChanged`` event that records the change."""

    user_id: UUID
    password_hash: str


class Erasure(NamedTuple):
    """The person's row destroyed, with the ``Erased`` event that records it."""

    user_id: UUID


#: A change to the personal-data store that goes with the events recording it: both are written, or neither.
PersonalChange = NewPasswordHash | Erasure


def duplicate_email() -> ConflictError:
    return ConflictError("email: an account with this e-mail address already exists", field="email",
                         code="email.taken")


class PersonalData(Protocol):
    """The port the application uses; nothing else reads or writes personal data."""

    def claim(self, person: Person) -> None:
        """Store a new person; ConflictError (409, field ``email``) if the e-mail is taken."""

    def adopt(self, person: Person) -> None:
        """Store a person found in an old event, unless the user id or e-mail already has a row."""

    def get(self, user_id: UUID) -> Person | None: ...

    def find_by_email(self, email: str) -> Person | None: ...

    def set_password_hash(self, user_id: UUID, password_hash: str) -> None: ...

    def erase(self, user_id: UUID) -> bool:
        """Destroy the person's row; False if there was none."""

    def apply(self, changes: Sequence[PersonalChange]) -> None:
        """Make the changes (after their events were saved, where the recorder does not write them itself)."""

    def rekey_emails(self, key: Callable[[str], str]) -> int:
        """Store each e-mail address under ``key(email)`` where that differs and no other person has it."""

    def scanned_to(self) -> int:
        """The event-log position up to which old events were searched for personal data."""

    def mark_scanned(self, position: int) -> None: ...


class MemoryPersonalData:
    """The personal-data store of the in-memory (POPO) application."""

    def __init__(self) -> None:
        self._people: dict[UUID, Person] = {}
        self._position = 0

    def claim(self, person: Person) -> None:
        if person.user_id in self._people or self.find_by_email(person.email) is not None:
            raise duplicate_email()
        self._people[person.user_id] = person

    def adopt(self, person: Person) -> None:
        if person.user_id not in self._people and self.find_by_email(person.email) is None:
            self._people[person.user_id] = person

    def get(self, user_id: UUID) -> Person | None:
        return self._people.get(user_id)

    def find_by_email(self, email: str) -> Person | None:
        return next((p for p in self._people.values() if p.email == email), None)

    def set_password_hash(self, user_id: UUID, password_hash: str) -> None:
        person = self._people.get(user_id)
        if person is not None:
            self._people[user_id] = Person(person.user_id, person.email, person.display_name, password_hash)

    def erase(self, user_id: UUID) -> bool:
        return self._people.pop(user_id, None) is not None

    def rekey_emails(self, key: Callable[[str], str]) -> int:
        changed = 0
        for person in list(self._people.values()):
            new = key(person.email)
            if new != person.email and self.find_by_email(new) is None:
                self._people[person.user_id] = Person(person.user_id, new, person.display_name, person.password_hash)
                changed += 1
        return changed

    def apply(self, changes: Sequence[PersonalChange]) -> None:
        for change in changes:
            if isinstance(change, NewPasswordHash):
                self.set_password_hash(change.user_id, change.password_hash)
            else:
                self.erase(change.user_id)

    def scanned_to(self) -> int:
        return self._position

    def mark_scanned(self, position: int) -> None:
        self._position = max(self._position, position)


class PostgresPersonalData:
    """Table ``personal_data`` (unique e-mail), through the event store's psycopg pool."""

    def __init__(self, datastore: PostgresDatastore) -> None:
        self.datastore = datastore

    def claim(self, person: Person) -> None:
        try:
            with self.datastore.transaction(commit=True) as curs:
                curs.execute(
                    "INSERT INTO personal_data (user_id, email, display_name, password_hash)"
                    " VALUES (%s, %s, %s, %s)",
                    (person.user_id, person.email, person.display_name, person.password_hash),
                )
        except errors.UniqueViolation:
            raise duplicate_email() from None

    def adopt(self, person: Person) -> None:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(
                "INSERT INTO personal_data (user_id, email, display_name, password_hash) VALUES (%s, %s, %s, %s)"
                " ON CONFLICT DO NOTHING",
                (person.user_id, person.email, person.display_name, person.password_hash),
            )

    def get(self, user_id: UUID) -> Person | None:
        return self._one("user_id = %s", user_id)

    #: The statement of ``get``, for reading it in one round trip with the user's events (``row_person``).
    BY_USER_ID = "SELECT user_id, email, display_name, password_hash FROM personal_data WHERE user_id = %s"

    @staticmethod
    def row_person(rows: Sequence[Any]) -> Person | None:
        row = rows[0] if rows else None  # a row, or the row as JSON (AggregateCache.freshen): the id as text
        return Person(UUID(str(row["user_id"])), row["email"], row["display_name"], row["password_hash"]) \
            if row else None

    def find_by_email(self, email: str) -> Person | None:
        return self._one("email = %s", email)

    def _one(self, where: str, value: object) -> Person | None:
        # One statement on the pool's autocommit connection: one round trip (a transaction around it took three).
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(
                f"SELECT user_id, email, display_name, password_hash FROM personal_data WHERE {where}",  # noqa: S608
                (value,), prepare=True,
            )
            row = curs.fetchone()
        return Person(row["user_id"], row["email"], row["display_name"], row["password_hash"]) if row else None

    def set_password_hash(self, user_id: UUID, password_hash: str) -> None:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute("UPDATE personal_data SET password_hash = %s WHERE user_id = %s", (password_hash, user_id))

    def erase(self, user_id: UUID) -> bool:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute("DELETE FROM personal_data WHERE user_id = %s", (user_id,))
            return curs.rowcount > 0

    def apply(self, changes: Sequence[PersonalChange]) -> None:
        with self.datastore.transaction(commit=True) as curs:
            write_changes(curs, changes)

    def rekey_emails(self, key: Callable[[str], str]) -> int:
        with self.datastore.transaction(commit=False) as curs:  # only non-ASCII addresses can change
            curs.execute("SELECT user_id, email FROM personal_data WHERE email !~ '^[ -~]*$'")
            rows = curs.fetchall()
        changed = 0
        for row in rows:
            new = key(row["email"])
            if new == row["email"]:
                continue
            try:
                with self.datastore.transaction(commit=True) as curs:
                    curs.execute("UPDATE personal_data SET email = %s WHERE user_id = %s", (new, row["user_id"]))
                    changed += curs.rowcount
            except errors.UniqueViolation:  # two old addresses that are one now: both keep their old form
                continue
        return changed

    def scanned_to(self) -> int:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute("SELECT position FROM personal_data_scan")
            row = curs.fetchone()
        return int(row["position"]) if row else 0

    def mark_scanned(self, position: int) -> None:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute("UPDATE personal_data_scan SET position = greatest(position, %s)", (position,))


def write_changes(curs: Cursor[DictRow], changes: Sequence[PersonalChange]) -> None:
    for change in changes:
        if isinstance(change, NewPasswordHash):
            curs.execute("UPDATE personal_data SET password_hash = %s WHERE user_id = %s",
                         (change.password_hash, change.user_id))
        else:
            curs.execute("DELETE FROM personal_data WHERE user_id = %s", (change.user_id,))


class StaleReadError(Exception):
    """A save with a read set (``insert_events(..., read_set=...)``) found that an aggregate the command read has
    events beyond the version it read (or that the save cannot check it): nothing was written."""


class ServerRestartedError(StaleReadError):
    """The database server crashed after the command started reading, or the save would follow a version the store
    does not have (a cached copy resting on an event a crash lost): nothing was written (``server_restarts``)."""


#: What a save refused for a crash of the server says.
RESTARTED = "the database server crashed while this command ran: what it read may be gone"
#: The SQLSTATE of migration 0053's refusal of an event that does not follow a stored version.
GAP_SQLSTATE = "MKS02"

#: The SQLSTATE of migration 0049's refusal.
STALE_READ_SQLSTATE = "MKS01"


class PersonalDataRecorder(PostgresApplicationRecorder):
    """The event store's recorder, writing the personal-data changes that events record in their transaction.

    ``app.save(user, personal_changes=[NewPasswordHash(...)])``: the new hash is stored if and only if the
    ``PasswordChanged`` event is, so two password changes at once leave the winner's hash, and a crash
    between the two writes cannot happen. (eventsourcing calls ``_insert_events`` in the transaction that
    inserts the events, before them; a version clash rolls both back.)
    """

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        """One round trip: BEGIN, the personal-data changes, the table lock, NOTIFY, the INSERT and COMMIT are sent
        in one pipeline and synced once (eventsourcing syncs after the INSERT, then again for the COMMIT). A
        version clash still raises ``IntegrityError`` and rolls everything back: the server skips the COMMIT after
        the failed INSERT, and the failed transaction is rolled back before the connection goes back to the pool."""
        if kwargs.get("personal_changes") and self.datastore.enable_db_functions:
            raise NotImplementedError("personal-data changes need the recorder's own transaction")
        read_set = kwargs.get("read_set")
        generation = kwargs.get("generation")
        if read_set is not None:
            return self._insert_checking_reads(stored_events, read_set, bool(kwargs.get("personal_changes")),
                                               generation)
        if self.datastore.enable_db_functions or not stored_events:
            ids: Sequence[int] | None = super().insert_events(stored_events, **kwargs)
            return ids
        if not kwargs.get("personal_changes") and self._insert_function():
            try:
                return self._insert_by_function(stored_events, generation)
            except ProgrammingError as error:
                if not isinstance(error.__cause__, errors.UndefinedFunction):
                    raise
                self._function = False  # a store not migrated yet (migration 0048): the transaction below
        rows = [self.construct_pg_stored_event(e.originator_id, e.originator_version, e.topic, e.state)
                for e in stored_events]
        with self.datastore.get_connection() as conn:
            self._refuse_after_restart(generation)
            try:
                with conn.pipeline() as pipeline, conn.cursor() as curs, conn.cursor() as insert:
                    curs.execute("BEGIN")
                    self._insert_events(curs, stored_events, **kwargs)
                    self._lock_table(curs)
                    self._notify_channel(curs)
                    insert.execute(self.insert_events_statement, (rows,), prepare=True)
                    curs.execute("COMMIT")
                    pipeline.sync()
                    return [row["notification_id"] for row in insert.fetchall()]
            except BaseException:
                if conn.info.transaction_status != TransactionStatus.IDLE:
                    conn.execute("ROLLBACK")
                raise

    _function: bool | None = None

    #: Migration 0048's function, for the table it names.
    INSERT_FUNCTION = "SELECT marketplace_insert_events(%s, %s, %s, %s, %s) AS notification_id"

    def _insert_function(self) -> bool:
        """Whether a save goes through ``marketplace_insert_events`` (one statement, one round trip): where the
        events table is the one the function writes, until a call finds no such function."""
        if self._function is None:
            self._function = self.events_table_name == "marketplace_events" and self.datastore.schema in ("", "public")
        return self._function

    def _insert_by_function(self, stored_events: Sequence[StoredEvent], generation: int | None = None) -> list[int]:
        """The events' INSERT with the table lock and NOTIFY, in one call (``_save``)."""
        return self._save(self.SAVE_PROCEDURE, self.INSERT_FUNCTION,
                          (*self._event_arrays(stored_events), f"{self.datastore.lock_timeout}s"), generation)

    #: Migration 0053's procedure: 0048's save, or 0052's with a read set, committed without holding the table lock
    #: through the commit's WAL flush, answered once the save is on disk (see the migration).
    SAVE_PROCEDURE = "CALL marketplace_save_events(%s, %s, %s, %s, %s, NULL, NULL, NULL)"
    SAVE_CHECKED_PROCEDURE = "CALL marketplace_save_events(%s, %s, %s, %s, %s, %s::uuid[], %s::bigint[], NULL)"
    #: The calls of the procedure that found it missing (a store not migrated yet): the functions save instead.
    _missing: frozenset[str] = frozenset()
    #: The restarts of the database server this recorder's pool noticed (``server_restarts``), if it watches.
    restarts: ServerRestarts | None = None

    def saves_by_procedure(self, procedure: str = SAVE_PROCEDURE) -> bool:
        """Whether saves go through ``procedure`` (no call has found it missing)."""
        return procedure not in self._missing

    def watch_restarts(self) -> ServerRestarts | None:
        """Have the pool's new connections notice a restarted server (``server_restarts``): the restarts, or None
        where this pool cannot be watched."""
        if self.restarts is None:
            restarts = ServerRestarts()
            if not watch_restarts(self.datastore.pool, restarts):
                return None
            self.restarts = restarts
        return self.restarts

    def _restarted_since(self, generation: int | None) -> bool:
        """Whether the server crashed since a command noted ``generation`` at its first read: asked once the save
        has its connection (a new connection is checked before it is handed out)."""
        return generation is not None and self.restarts is not None and self.restarts.count != generation

    def _refuse_after_restart(self, generation: int | None) -> None:
        if self._restarted_since(generation):
            raise ServerRestartedError(RESTARTED)

    def _save(self, procedure: str, function: str, args: tuple[Any, ...], generation: int | None) -> list[int]:
        """The notification ids of a save by ``procedure`` (migration 0053), or by ``function`` (0048, 0052: the
        lock held through the flush) on a store that has no such procedure yet: one statement, on an autocommit
        connection of the pool (a procedure that commits cannot run inside a transaction block).

        A save refused for a version taken (or, checking a read set, for newer events) may be refused for its own
        events: an earlier call committed them and then failed (its connection cut, a cancel during the flush), and
        ``insert_events`` called again. Then the store holds these very events, and their ids are the answer."""
        try:
            with self.datastore.get_connection() as conn, conn.cursor() as curs:
                if self._restarted_since(generation):
                    # Refused, unless an earlier call of this save committed before the crash and then failed:
                    # then its events survived (and everything it read, written to the WAL before them).
                    saved = self._saved_already(curs, args[:4], procedure)
                    if saved is None:
                        raise ServerRestartedError(RESTARTED)
                    return saved
                if procedure not in self._missing:
                    try:
                        curs.execute(procedure, args, prepare=True)
                    except errors.UndefinedFunction:
                        self._missing = self._missing | {procedure}  # not migrated yet: the function, from now on
                    else:
                        row = curs.fetchone()
                        return list(row["notification_ids"]) if row is not None else []
                curs.execute(function, args, prepare=True)
                return [row["notification_id"] for row in curs.fetchall()]
        except DatabaseError as error:
            sqlstate = getattr(error.__cause__, "sqlstate", None)
            if sqlstate == GAP_SQLSTATE:
                raise ServerRestartedError(f"{RESTARTED} ({error})") from None
            if not (isinstance(error, IntegrityError) or sqlstate == STALE_READ_SQLSTATE):
                raise
            with self.datastore.get_connection() as conn, conn.cursor() as curs:
                saved = self._saved_already(curs, args[:4], procedure)
            if saved is None:
                raise
            return saved

    #: The stored ids of a save's events, by their position in it: NULL where the store does not hold that event
    #: (the same aggregate, version, topic and state).
    SAVED_ALREADY = (
        "SELECT e.notification_id FROM unnest(%s::uuid[], %s::bigint[], %s::text[], %s::bytea[])"
        " WITH ORDINALITY AS s(id, version, topic, state, n) LEFT JOIN marketplace_events e"
        " ON e.originator_id = s.id AND e.originator_version = s.version AND e.topic = s.topic AND e.state = s.state"
        " ORDER BY s.n"
    )
    #: A transaction that writes one WAL record and commits synchronously: once it returns, every commit before it
    #: is on disk (migration 0053's second transaction), waiting for the sequence no longer than a save's lock.
    FLUSH = "SELECT set_config('lock_timeout', %s, true), setval('public.marketplace_save_flush', 1)"

    def _saved_already(self, curs: Cursor[DictRow], events: tuple[Any, ...], procedure: str) -> list[int] | None:
        """The notification ids of ``events`` (a save's four arrays) if the store holds every one of them, once they
        are on disk (a save by ``procedure`` that failed after its commit may not have flushed); otherwise None."""
        curs.execute(self.SAVED_ALREADY, events, prepare=True)
        ids = [row["notification_id"] for row in curs.fetchall()]
        if not ids or any(i is None for i in ids):
            return None
        if procedure not in self._missing:
            curs.execute(self.FLUSH, (f"{self.datastore.lock_timeout}s",))
        return [int(i) for i in ids]

    @staticmethod
    def _event_arrays(stored_events: Sequence[StoredEvent]) -> tuple[UuidArray, BigintArray, TextArray, ByteaArray]:
        """The events' ids, versions, topics and states as the functions' four array parameters (typed: see
        ``pg_arrays``)."""
        return (UuidArray([e.originator_id for e in stored_events]),
                BigintArray([e.originator_version for e in stored_events]),
                TextArray([e.topic for e in stored_events]), ByteaArray([e.state for e in stored_events]))

    #: Migration 0049's function: the save refuses (SQLSTATE MKS01) if an aggregate read has newer events.
    INSERT_CHECKING_FUNCTION = ("SELECT marketplace_insert_events_checked(%s, %s, %s, %s, %s, %s::uuid[],"
                                " %s::bigint[]) AS notification_id")
    _checking: bool | None = None

    def checks_reads(self) -> bool:
        """Whether a save can check a command's read set (``insert_events(..., read_set=...)``): migration 0049's
        function on the table it names, until a call finds no such function."""
        if self._checking is None:
            self._checking = not self.datastore.enable_db_functions and self._insert_function()
        return self._checking

    def _insert_checking_reads(self, stored_events: Sequence[StoredEvent],
                               read_set: tuple[Sequence[UUID], Sequence[int]], personal: bool,
                               generation: int | None = None) -> list[int]:
        """The events' INSERT (as ``_insert_by_function``) only if no aggregate of ``read_set`` (ids, versions
        read; 0 for one found with no events) has an event beyond its version, checked under the table lock;
        ``StaleReadError`` if one has, or if this store cannot check (nothing is written then)."""
        if personal or not stored_events or not self.checks_reads():
            raise StaleReadError("this save cannot check what the command read")
        ids, versions = read_set
        try:
            return self._save(self.SAVE_CHECKED_PROCEDURE, self.INSERT_CHECKING_FUNCTION, (
                *self._event_arrays(stored_events), f"{self.datastore.lock_timeout}s", UuidArray(ids),
                BigintArray(versions)), generation)
        except DatabaseError as error:
            cause = error.__cause__
            if isinstance(cause, errors.UndefinedFunction):
                self._checking = False  # a store not migrated yet (migration 0049): commands read first again
                raise StaleReadError("this store's save cannot check what the command read") from None
            if getattr(cause, "sqlstate", None) == STALE_READ_SQLSTATE:
                raise StaleReadError(str(error)) from None
            raise

    def _insert_events(self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        super()._insert_events(curs, stored_events, **kwargs)
        write_changes(curs, kwargs.get("personal_changes", ()))
