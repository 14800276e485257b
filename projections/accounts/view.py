"""Accounts read model: organisations (with their verification) and users, for pages and admin.

The projection writes no personal data (events hold none): ``accounts_user_records`` has ids, roles
and the account's state. Pages read ``accounts_users``, a view (migration 0010) that joins in the
e-mail and name from the personal-data store at query time; an erased person shows as such.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar
from uuid import UUID

import asyncpg
import msgspec
from eventsourcing.utils import get_topic
from psycopg import Cursor
from psycopg.rows import DictRow

from domain.accounts.organisation import Organisation
from domain.accounts.user import User
from projections.shared.base import PostgresReadModelView, array_literal, fetch_rows
from projections.shared.records import EventRecord, plain
from projections.shared.topics import event_topics

ORG = get_topic(Organisation)


class OrganisationRow(msgspec.Struct, frozen=True):
    id: UUID
    name: str
    kind: str
    region: str
    verified: bool
    registered_at: Any
    verified_at: Any


class UserRow(msgspec.Struct, frozen=True):
    id: UUID
    email: str
    display_name: str
    organisation_id: UUID
    roles: list[str]
    active: bool = True
    erased: bool = False


class PersonRow(msgspec.Struct, frozen=True):
    """A user as the platform admin's people page lists it, with its organisation's name."""

    id: UUID
    email: str
    display_name: str
    organisation_name: str
    roles: list[str]
    active: bool
    erased: bool


class PostgresAccountsView(PostgresReadModelView):
    """Writes ``accounts_organisations`` and ``accounts_user_records``."""

    name = "accounts"
    tables = ("accounts_organisations", "accounts_user_records")
    topics = event_topics(Organisation, "Registered", "Verified", "FlagsVerified") | event_topics(
        User, "SignedUp", "RoleGranted", "RoleRevoked", "PasswordChanged", "Deactivated", "Reactivated", "Erased"
    )
    #: Account states by event: (active, erased).
    _STATES: ClassVar[dict[str, tuple[bool, bool]]] = {
        "Deactivated": (False, False), "Reactivated": (True, False), "Erased": (False, True),
    }

    def apply(self, curs: Cursor[DictRow], records: Sequence[EventRecord]) -> None:
        """Fold the page to the final state of each organisation and user it touches, then write each
        table with one upsert of arrays (``unnest``) instead of a statement per event."""
        organisations = _rows(curs, "accounts_organisations", ORGANISATION_COLUMNS, records, ORG, True)
        users = _rows(curs, "accounts_user_records", USER_COLUMNS, records, ORG, False)
        for r in records:
            kind = r.topic.rsplit(".", 1)[1]
            d = r.data
            if r.topic.startswith(ORG):
                if kind == "Registered":
                    organisations[r.originator_id] = {
                        "id": r.originator_id, "name": d["name"], "kind": d["kind"], "region": d["region"],
                        "verified": d["verified"], "registered_at": r.timestamp,
                        "verified_at": r.timestamp if d["verified"] else None, "version": r.version, "flags": [],
                    }
                    continue
                row = organisations.get(r.originator_id)
                if row is None:  # an update of a row that is not there changes nothing
                    continue
                if kind == "FlagsVerified":
                    row["flags"] = list(d["flags"])
                else:
                    row.update(verified=True, verified_at=r.timestamp)
            else:
                if kind == "SignedUp":
                    users[r.originator_id] = {
                        "id": r.originator_id, "organisation_id": plain(d["organisation_id"]),
                        "roles": list(d["roles"]), "signed_up_at": r.timestamp, "version": r.version,
                        "active": True, "erased": False,
                    }
                    continue
                row = users.get(r.originator_id)
                if row is None:
                    continue
                if kind == "RoleGranted":
                    row["roles"] = [*row["roles"], d["role"]]  # array_append: a role held twice stays twice
                elif kind == "RoleRevoked":
                    row["roles"] = [role for role in row["roles"] if role != d["role"]]  # array_remove: all
                elif kind in self._STATES:
                    row["active"], row["erased"] = self._STATES[kind]
            row["version"] = r.version
        for columns, upsert, rows in ((ORGANISATION_COLUMNS, UPSERT_ORGANISATIONS, organisations),
                                      (USER_COLUMNS, UPSERT_USERS, users)):
            if rows:
                curs.execute(upsert, [[_param(row[c], kind) for row in rows.values()] for c, kind in columns])


ORGANISATION_COLUMNS = (("id", "uuid"), ("name", "text"), ("kind", "text"), ("region", "text"),
                        ("verified", "boolean"), ("registered_at", "timestamptz"), ("verified_at", "timestamptz"),
                        ("version", "integer"), ("flags", "text[]"))
USER_COLUMNS = (("id", "uuid"), ("organisation_id", "uuid"), ("roles", "text[]"), ("signed_up_at", "timestamptz"),
                ("version", "integer"), ("active", "boolean"), ("erased", "boolean"))


def _upsert(table: str, columns: Sequence[tuple[str, str]]) -> str:
    """One row per element of the arrays bound in ``columns``' order; array columns arrive as literals."""
    names = [c for c, _ in columns]
    picked = ", ".join(f"{c}::{kind}" if kind.endswith("[]") else c for c, kind in columns)
    arrays = ", ".join(f"%s::{'text' if kind.endswith('[]') else kind}[]" for _, kind in columns)
    return (f"INSERT INTO {table} ({', '.join(names)}) SELECT {picked}"  # noqa: S608 - constants only
            f" FROM unnest({arrays}) AS r({', '.join(names)})"
            f" ON CONFLICT (id) DO UPDATE SET {', '.join(f'{c} = EXCLUDED.{c}' for c in names[1:])}")


def _param(value: Any, kind: str) -> Any:
    """A value as the upsert's array of ``kind`` takes it (text for ids and times read back or decoded)."""
    if value is None or kind in ("text", "boolean", "integer"):
        return value
    return array_literal(value) if kind.endswith("[]") else str(value)


UPSERT_ORGANISATIONS = _upsert("accounts_organisations", ORGANISATION_COLUMNS)
UPSERT_USERS = _upsert("accounts_user_records", USER_COLUMNS)


def _rows(curs: Cursor[DictRow], table: str, columns: Sequence[tuple[str, str]], records: Sequence[EventRecord],
          org_topic: str, organisations: bool) -> dict[str, dict[str, Any]]:
    """The stored rows of ``table`` the page's updates touch (those it creates are folded from nothing)."""
    ids = sorted({r.originator_id for r in records
                  if r.topic.startswith(org_topic) == organisations
                  and not r.topic.endswith((".Registered", ".SignedUp"))})
    return {str(row["id"]): dict(row) for row in fetch_rows(curs, table, "id", ids, [c for c, _ in columns])}


class AccountsQueries:
    """Reads of the accounts read model (asyncpg)."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def list_organisations(
        self, *, verified: bool | None = None, limit: int = 50, offset: int = 0
    ) -> tuple[list[OrganisationRow], int]:
        rows = await self.pool.fetch(
            "SELECT id, name, kind, region, verified, registered_at, verified_at, count(*) OVER () AS total"
            " FROM accounts_organisations WHERE ($1::boolean IS NULL OR verified = $1)"
            " ORDER BY registered_at DESC, id LIMIT $2 OFFSET $3",
            verified, limit, offset,
        )
        total = rows[0]["total"] if rows else await self.count_organisations(verified=verified)
        return [OrganisationRow(**{k: v for k, v in r.items() if k != "total"}) for r in rows], total

    async def count_organisations(self, *, verified: bool | None = None) -> int:
        value = await self.pool.fetchval(
            "SELECT count(*) FROM accounts_organisations WHERE ($1::boolean IS NULL OR verified = $1)", verified
        )
        return int(value)

    async def get_organisation(self, organisation_id: UUID) -> OrganisationRow | None:
        row = await self.pool.fetchrow(
            "SELECT id, name, kind, region, verified, registered_at, verified_at"
            " FROM accounts_organisations WHERE id = $1",
            organisation_id,
        )
        return OrganisationRow(**dict(row)) if row else None

    async def get_user(self, user_id: UUID) -> UserRow | None:
        row = await self.pool.fetchrow(
            # A deactivated or erased account holds no role, whatever a session or token still says.
            "SELECT id, email, display_name, organisation_id,"
            " CASE WHEN active THEN roles ELSE '{}'::text[] END AS roles, active, erased"
            " FROM accounts_users WHERE id = $1",
            user_id,
        )
        return UserRow(**dict(row)) if row else None

    async def list_members(self, organisation_id: UUID) -> list[UserRow]:
        rows = await self.pool.fetch(
            "SELECT id, email, display_name, organisation_id, roles, active, erased FROM accounts_users"
            " WHERE organisation_id = $1 ORDER BY signed_up_at, id",
            organisation_id,
        )
        return [UserRow(**dict(r)) for r in rows]

    async def list_people(self, *, limit: int = 100, offset: int = 0) -> tuple[list[PersonRow], int]:
        """Every account, newest first, with e-mail and name from the personal-data store (platform admin)."""
        rows = await self.pool.fetch(
            "SELECT u.id, u.email, u.display_name, o.name AS organisation_name, u.roles, u.active, u.erased,"
            " count(*) OVER () AS total FROM accounts_users u"
            " JOIN accounts_organisations o ON o.id = u.organisation_id"
            " ORDER BY u.signed_up_at DESC, u.id LIMIT $1 OFFSET $2",
            limit, offset,
        )
        total = rows[0]["total"] if rows else int(await self.pool.fetchval("SELECT count(*) FROM accounts_users"))
        return [PersonRow(**{k: v for k, v in r.items() if k != "total"}) for r in rows], total
