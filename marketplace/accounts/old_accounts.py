"""Accounts recorded before issue 9: personal data copied out of old events, unauthorised old grants revoked."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from uuid import UUID

from eventsourcing.utils import get_topic

from domain.accounts.user import Role, User, email_key
from domain.shared.errors import ConcurrentModificationError
from marketplace.platform.app_base import SYSTEM_ACTOR, MarketplaceBase

USER_SIGNED_UP = get_topic(User.SignedUp)


@dataclass(frozen=True)
class UnconfirmedGrant:
    """A platform-wide role an old event granted outside the rule, not honoured until confirmed."""

    user_id: UUID
    role: str
    granted_by: UUID | None


def unconfirmed_grants(store: MarketplaceBase) -> list[UnconfirmedGrant]:
    """Old platform-wide grants the upgrade revoked, until a platform admin grants the role again."""
    found: list[UnconfirmedGrant] = []
    for user in users(store):
        found.extend(UnconfirmedGrant(user.id, role, by) for role, by in user.awaiting_confirmation.items())
    return found


def users(store: MarketplaceBase, start: int = 1) -> Iterator[User]:
    """Every user, in sign-up order, from position ``start`` of the log."""
    while True:
        page = store.recorder.select_notifications(start, 500, topics=[USER_SIGNED_UP])
        for notification in page:
            user = store.find_user(notification.originator_id)  # type: ignore[arg-type]
            if user is not None:
                yield user
        if len(page) < 500:
            return
        start = page[-1].id + 1


def upgrade_old_accounts(store: MarketplaceBase) -> tuple[int, int]:
    """Bring accounts of events written before issue 9 under today's rules (idempotent; run at start-up).

    Personal data found in old events is copied into the personal-data store (e-mail addresses recorded
    before they were compared NFKC and case-folded are stored in that form), and platform-wide
    roles that old events granted without a platform admin's authority are revoked (``RoleRevoked``
    by the system, awaiting a platform admin's confirmation). Returns (people copied, grants revoked).
    """
    adopted = revoked = 0
    start = store.personal.scanned_to() + 1
    last = store.recorder.max_notification_id() or 0
    for user in users(store, start):
        if user.legacy_person is not None:
            store.adopt_person(user)
            adopted += 1
        revoked += revoke_unauthorised_old_grants(store, user)
    store.personal.mark_scanned(last)
    store.personal.rekey_emails(email_key)
    return adopted, revoked


def revoke_unauthorised_old_grants(store: MarketplaceBase, user: User) -> int:
    unauthorised = [role for role, grantor in user.old_grants.items()
                    if role in user.roles and not was_platform_authority(store, grantor)]
    if not unauthorised:
        return 0
    for role in unauthorised:
        user.revoke_old_grant(role, by=SYSTEM_ACTOR)
    try:
        store.commit(user)
    except ConcurrentModificationError:  # another process upgrading at the same moment did it
        return 0
    return len(unauthorised)


def was_platform_authority(store: MarketplaceBase, grantor: UUID | None) -> bool:
    if grantor == SYSTEM_ACTOR:
        return True
    granting = store.find_user(grantor) if grantor is not None else None
    return granting is not None and granting.has_role(Role.PLATFORM_ADMIN)
