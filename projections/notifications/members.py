"""Who an organisation's notice goes to: its members as of the event, kept by the inbox from the users' events.

An organisation's notice goes to the members it had when the event happened: a user who signs up later is
not told of what happened before, a deactivated or erased account is not told while it stays so. The inbox
keeps its own copy of the members (``notification_members``: organisation and whether the account is active
and not erased, as the accounts read model folds them), written as it meets the ``User`` events in the log,
so the inbox applied event by event, in pages of any size, or rebuilt alone while the accounts read model
stands at the head of the log, tells the same users.
"""

from __future__ import annotations

from collections.abc import Iterable

from domain.accounts.user import User
from projections.notifications.registry import REGISTRY, Context, Notice, canonical, value
from projections.shared.records import EventRecord

#: The account's state after each event (active and not erased), as the accounts read model has it.
ACTIVE_AFTER = {"Deactivated": False, "Reactivated": True, "Erased": False}


class Members:
    """The members of organisations and the users who are active, read once per page and kept up to date."""

    def __init__(self, ctx: Context) -> None:
        self.curs = ctx.curs
        self.of_organisation: dict[str, list[str]] = {}  # organisation -> active members, sorted
        self.active: dict[str, bool] = {}  # user -> active and not erased (False: no such user)

    def joined(self, user: str, organisation: str) -> None:
        self.curs.execute("INSERT INTO notification_members (user_id, organisation_id, active) VALUES (%s, %s, true)"
                          " ON CONFLICT DO NOTHING", (user, organisation))
        self._forget()

    def became(self, user: str, active: bool) -> None:
        self.curs.execute("UPDATE notification_members SET active = %s WHERE user_id = %s", (active, user))
        self._forget()

    def _forget(self) -> None:  # membership changes are rare: read again what is asked next
        self.of_organisation.clear()
        self.active.clear()

    def members(self, organisations: Iterable[str]) -> list[str]:
        """The active members of ``organisations`` now (at the event being applied)."""
        wanted = {canonical(o) for o in organisations}
        unknown = sorted(wanted - self.of_organisation.keys())
        if unknown:
            self.curs.execute("SELECT organisation_id::text AS o, user_id::text AS u FROM notification_members"
                              " WHERE organisation_id = ANY(%s::uuid[]) AND active", (unknown,))
            for o in unknown:
                self.of_organisation[o] = []
            for row in self.curs.fetchall():
                self.of_organisation.setdefault(row["o"], []).append(row["u"])
        return [u for o in sorted(wanted) for u in self.of_organisation.get(o, ())]

    def active_users(self, users: Iterable[str]) -> list[str]:
        wanted = {canonical(u) for u in users}
        unknown = sorted(wanted - self.active.keys())
        if unknown:
            self.curs.execute("SELECT user_id::text AS u FROM notification_members WHERE user_id = ANY(%s::uuid[])"
                              " AND active", (unknown,))
            found = {row["u"] for row in self.curs.fetchall()}
            self.active.update((u, u in found) for u in unknown)
        return [u for u in sorted(wanted) if self.active.get(u)]  # in a fixed order, as members()

    def flush(self) -> None:
        """Nothing to write at the page's end: the rare membership changes are written as they come."""


def members(ctx: Context) -> Members:
    found: Members = ctx.state("members", Members)
    return found


@REGISTRY.on(User, "SignedUp", "Deactivated", "Reactivated", "Erased")
def member_event(ctx: Context, r: EventRecord) -> Iterable[Notice]:
    name = r.topic.rsplit(".", 1)[1]
    if name == "SignedUp":
        members(ctx).joined(r.originator_id, value(r, "organisation_id"))
    else:
        members(ctx).became(r.originator_id, ACTIVE_AFTER[name])
    return ()
