"""Credentials read model: which users exist and which of their sessions and tokens still count.

A session or token carries the user aggregate's version at login. A password change, a role
revocation, a deactivation or an erasure raises the user's ``valid_from`` to that event's version,
so everything issued before it stops counting, whichever process recorded the event (the session
store reads sessions through these marks and sweeps the ones they end). The view writes only its own
table, so a rebuild into scratch tables (``audit rebuild-check``) touches no live session. Versions,
not clocks, order these facts, so a rebuild yields the same marks and never ends a session begun
after the event.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import asyncpg
import msgspec
from eventsourcing.utils import get_topic
from psycopg import Cursor
from psycopg.rows import DictRow

from domain.accounts.user import User
from projections.shared.base import PostgresReadModelView
from projections.shared.records import EventRecord
from projections.shared.topics import event_topic, event_topics

SIGNED_UP = get_topic(User.SignedUp)
#: Events after which the user's earlier sessions and tokens no longer count.
REVOKING = event_topics(User, "PasswordChanged", "RoleRevoked", "Deactivated", "Erased")
#: Events after which no session or token of the user counts until it is reactivated.
ENDING = event_topics(User, "Deactivated", "Erased")
REACTIVATED = event_topic(User, "Reactivated")


class PostgresCredentialsView(PostgresReadModelView):
    """Writes ``credential_marks``: from which version of each user its sessions and tokens count."""

    name = "credentials"
    tables = ("credential_marks",)
    topics = frozenset({SIGNED_UP, REACTIVATED} | REVOKING)

    def apply(self, curs: Cursor[DictRow], records: Sequence[EventRecord]) -> None:
        for r in records:
            if r.topic == SIGNED_UP:
                curs.execute(
                    "INSERT INTO credential_marks (user_id) VALUES (%s) ON CONFLICT (user_id) DO NOTHING",
                    (r.originator_id,),
                )
            elif r.topic == REACTIVATED:
                curs.execute("UPDATE credential_marks SET ended = false WHERE user_id = %s", (r.originator_id,))
            else:
                curs.execute(
                    "INSERT INTO credential_marks AS m (user_id, valid_from, ended) VALUES (%s, %s, %s)"
                    " ON CONFLICT (user_id) DO UPDATE SET valid_from = greatest(m.valid_from, excluded.valid_from),"
                    " ended = m.ended OR excluded.ended",
                    (r.originator_id, r.version, r.topic in ENDING),
                )


class CredentialStanding(msgspec.Struct, frozen=True):
    """Whether a token or session of a user, issued at ``user_version``, still counts."""

    known: bool
    valid: bool


class CredentialsQueries:
    """Reads ``credential_marks`` and ``revoked_tokens`` (asyncpg)."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def token_standing(self, user_id: UUID, user_version: int, jti: UUID) -> CredentialStanding:
        row = await self.pool.fetchrow(
            "SELECT m.user_id IS NOT NULL AS known,"
            " coalesce(NOT m.ended AND m.valid_from <= $2, false)"
            " AND NOT EXISTS (SELECT 1 FROM revoked_tokens WHERE jti = $3) AS valid"
            " FROM (SELECT 1) AS one LEFT JOIN credential_marks m ON m.user_id = $1",
            user_id, user_version, jti,
        )
        assert row is not None
        return CredentialStanding(known=row["known"], valid=row["valid"])

    async def is_user(self, user_id: UUID) -> bool:
        return bool(await self.pool.fetchval("SELECT 1 FROM credential_marks WHERE user_id = $1", user_id))
