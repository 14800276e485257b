"""The personal-data store: e-mail, display name and password hash of each person, by user id.

Events never hold these (PIPL): they name people by user id only, so that erasing a person is
deleting one row here while the hash-chained event log stays intact. One port, two adapters:
PostgreSQL (table ``personal_data``, migration 0010, same database and psycopg pool as the event
store) and memory (the POPO application of the unit tests).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from eventsourcing.postgres import PostgresDatastore
from psycopg import errors

from domain.errors import ConflictError


@dataclass(frozen=True)
class Person:
    """One person's personal data. ``password_hash`` is None until an old store's hash is adopted."""

    user_id: UUID
    email: str
    display_name: str
    password_hash: str | None


def duplicate_email() -> ConflictError:
    return ConflictError("email: an account with this e-mail address already exists", field="email")


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

    def find_by_email(self, email: str) -> Person | None:
        return self._one("email = %s", email)

    def _one(self, where: str, value: object) -> Person | None:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                f"SELECT user_id, email, display_name, password_hash FROM personal_data WHERE {where}",  # noqa: S608
                (value,),
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

    def scanned_to(self) -> int:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute("SELECT position FROM personal_data_scan")
            row = curs.fetchone()
        return int(row["position"]) if row else 0

    def mark_scanned(self, position: int) -> None:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute("UPDATE personal_data_scan SET position = greatest(position, %s)", (position,))
