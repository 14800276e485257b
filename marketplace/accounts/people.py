"""Account commands: sign-up, members, roles, passwords, deactivation and erasure of a person.

Who may grant what: platform-wide roles (auditor, programme_officer, platform_admin) are granted and
revoked only by a platform admin; ``valuer`` comes only with a valuer accreditation. An org admin
grants ``member``/``org_admin`` within its own verified organisation, but changes nothing on an
account holding a platform-wide role (only a platform admin does); the admin of an unverified
organisation may add plain members (no role changes) so that a team can prepare while it waits.
``member`` is never revoked (an account without a role makes no sense: deactivate it instead), and
an erased account's roles do not change; a deactivated one is granted nothing until reactivated.

Personal data (e-mail, display name, password hash) goes to ``self.personal``, never into events.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from uuid import UUID

from eventsourcing.utils import get_topic

from domain.accounts.organisation import Organisation
from domain.accounts.user import ORGANISATION_ROLES, PLATFORM_WIDE, Role, User, email_key, legacy_email_key
from domain.shared.errors import ConcurrentModificationError, ConflictError, PermissionDeniedError, ValidationError
from domain.shared.ids import legacy_user_id
from marketplace.accounts import commands as ac
from marketplace.accounts.passwords import hash_password, verify_password
from marketplace.accounts.personal_data import Erasure, NewPasswordHash, Person, duplicate_email
from marketplace.platform.app_base import SYSTEM_ACTOR, MarketplaceBase

USER_SIGNED_UP = get_topic(User.SignedUp)


@dataclass(frozen=True)
class CheckedPasswordChange:
    """A password change whose current password was proven against ``verified_against``; ``new_hash`` to store."""

    user_id: UUID
    verified_against: str
    new_hash: str


@dataclass(frozen=True)
class UnconfirmedGrant:
    """A platform-wide role an old event granted outside the rule, not honoured until confirmed."""

    user_id: UUID
    role: str
    granted_by: UUID | None


class AccountCommands(MarketplaceBase):
    """Accounts and the people behind them."""

    # --- joining -------------------------------------------------------------------------------
    def _require_email_free(self, email: str) -> None:
        if self.personal.find_by_email(email) is not None:
            raise duplicate_email()
        old = self.find_user(legacy_user_id(email))
        if old is not None and old.legacy_person is not None:
            raise duplicate_email()

    def _save_new_person(
        self, user: User, email: str, name: str, password_hash: str, *others: Organisation,
        duplicate: ConflictError | None = None,
    ) -> int:
        """Claim the e-mail in the personal-data store, then record the events; undo the claim if they fail."""
        self.personal.claim(Person(user.id, email, name, password_hash))
        try:
            return self.commit(*others, user, duplicate=duplicate)
        except BaseException:
            self.personal.erase(user.id)
            raise

    # --- roles ---------------------------------------------------------------------------------
    def grantable_roles(self, actor_id: UUID | None) -> tuple[str, ...]:
        """The roles this actor may grant or revoke (what the forms offer)."""
        admin = self.actor(actor_id)
        if admin.has_role(Role.PLATFORM_ADMIN):
            return tuple(r.value for r in Role if r is not Role.VALUER)
        if not admin.has_role(Role.ORG_ADMIN):
            return ()
        org = self.load(Organisation, admin.organisation_id, "organisation_id")
        return tuple(sorted(ORGANISATION_ROLES)) if org.verified else ()

    def require_platform_admin(self, actor_id: UUID | None) -> None:
        self.require_role(self.actor(actor_id), Role.PLATFORM_ADMIN)

    def unconfirmed_grants(self) -> list[UnconfirmedGrant]:
        """Old platform-wide grants the upgrade revoked, until a platform admin grants the role again."""
        found: list[UnconfirmedGrant] = []
        for user in self._users():
            found.extend(UnconfirmedGrant(user.id, role, by) for role, by in user.awaiting_confirmation.items())
        return found

    def _users(self, start: int = 1) -> Iterator[User]:
        """Every user, in sign-up order, from position ``start`` of the log."""
        while True:
            page = self.recorder.select_notifications(start, 500, topics=[USER_SIGNED_UP])
            for notification in page:
                user = self.find_user(notification.originator_id)  # type: ignore[arg-type]
                if user is not None:
                    yield user
            if len(page) < 500:
                return
            start = page[-1].id + 1

    # --- the account --------------------------------------------------------------------------
    def check_password_change(
        self, current_password: str, new_password: str, *, actor_id: UUID | None
    ) -> CheckedPasswordChange:
        """The argon2 work of a password change: prove the current password, hash the new one.

        The web runs it in the password pool (``run_in_password_pool``) and hands the result to
        :meth:`change_password`, so that no command worker thread waits on argon2.
        """
        user = self.actor(actor_id)
        if new_password == current_password:
            raise ValidationError("new_password: must differ from the current password", field="new_password")
        current = self._password_hash(user)
        if current is None or not verify_password(current, current_password):
            raise PermissionDeniedError("current_password: the current password is not right",
                                        field="current_password")
        return CheckedPasswordChange(user.id, current, hash_password(new_password))

    def change_password(
        self, cmd: ac.ChangePassword, *, actor_id: UUID | None, checked: CheckedPasswordChange | None = None
    ) -> int:
        """The member changes its own password, proving the current one (``checked``: already proven).

        The new hash is written with the ``PasswordChanged`` event, in one transaction: of two changes at
        once, the one whose event is recorded leaves its hash, the other changes nothing (409).
        """
        checked = checked or self.check_password_change(cmd.current_password, cmd.new_password, actor_id=actor_id)
        user = self.actor(actor_id)
        if checked.user_id != user.id or self._password_hash(user) != checked.verified_against:
            raise ConcurrentModificationError(
                "current_password: the password was changed meanwhile; give the current one again",
                field="current_password")
        user.change_password(by=user.id)
        return self.commit(user, personal=[NewPasswordHash(user.id, checked.new_hash)])

    def _password_hash(self, user: User) -> str | None:
        """The hash a password of this user is checked against (an old store's, until adopted)."""
        person = self.personal.get(user.id)
        current = person.password_hash if person else None
        if current is None and user.legacy_person is not None:
            current = user.legacy_person.password_hash
        return current

    def deactivate_user(self, cmd: ac.DeactivateUser, *, actor_id: UUID | None) -> int:
        """Stop a member's account (a departing employee); it can no longer log in or act."""
        admin, user = self._account_authority(cmd.user_id, actor_id)
        user.deactivate(by=admin.id)
        return self.commit(user)

    def reactivate_user(self, cmd: ac.ReactivateUser, *, actor_id: UUID | None) -> int:
        admin, user = self._account_authority(cmd.user_id, actor_id)
        user.reactivate(by=admin.id)
        return self.commit(user)

    def _account_authority(self, target: UUID, actor_id: UUID | None) -> tuple[User, User]:
        """A platform admin, or the org admin of the member's organisation (not for platform-wide roles)."""
        admin = self.actor(actor_id)
        user = self.load(User, target, "user_id")
        if user.id == admin.id:
            raise PermissionDeniedError("user_id: you cannot deactivate your own account", field="user_id")
        if admin.has_role(Role.PLATFORM_ADMIN):
            return admin, user
        self.require_role(admin, Role.ORG_ADMIN)
        if user.organisation_id != admin.organisation_id:
            raise PermissionDeniedError("user_id: you may manage members of your own organisation only",
                                        field="user_id")
        if any(user.has_role(Role(r)) for r in PLATFORM_WIDE):
            raise PermissionDeniedError("user_id: only a platform admin manages accounts with platform-wide roles",
                                        field="user_id")
        return admin, user

    def erase_user(self, cmd: ac.EraseUser, *, actor_id: UUID | None) -> int:
        """Erase a person on request (PIPL): the personal data is destroyed, an ``Erased`` event recorded."""
        admin = self.actor(actor_id)
        self.require_role(admin, Role.PLATFORM_ADMIN)
        user = self.load(User, cmd.user_id, "user_id")
        if user.id == admin.id:
            raise PermissionDeniedError("user_id: a platform admin cannot erase itself", field="user_id")
        user.erase(by=admin.id)
        return self.commit(user, personal=[Erasure(user.id)])

    # --- people behind the ids ----------------------------------------------------------------
    def user_id_of(self, email: str) -> UUID | None:
        """The id of the account with this e-mail address, if any."""
        _, user = self.find_person(email)
        return user.id if user is not None else None

    def find_person(self, email: str) -> tuple[Person | None, User | None]:
        """The person and user of an e-mail address as typed, compared as :func:`email_key` says; an old
        store's account also under the form it was recorded in (:func:`legacy_email_key`)."""
        for address in dict.fromkeys((email_key(email), legacy_email_key(email))):
            person = self.personal.find_by_email(address)
            if person is not None:
                return person, self.find_user(person.user_id)
            user = self._adopt_legacy(legacy_user_id(address), address)
            if user is not None:
                return self.personal.get(user.id), user
        return None, None

    def display_name_of(self, user_id: UUID) -> str:
        person = self.personal.get(user_id)
        if person is not None:
            return person.display_name
        user = self.find_user(user_id)
        return user.display_name if user is not None else ""

    def _adopt_legacy(self, user_id: UUID, email: str) -> User | None:
        """An old store's user whose personal data is still only in its events: copy it to the store."""
        user = self.find_user(user_id)
        if user is None or user.legacy_person is None or user.legacy_person.email != email:
            return None
        self.adopt_person(user)
        return user

    def upgrade_old_accounts(self) -> tuple[int, int]:
        """Bring accounts of events written before issue 9 under today's rules (idempotent; run at start-up).

        Personal data found in old events is copied into the personal-data store (e-mail addresses recorded
        before they were compared NFKC and case-folded are stored in that form), and platform-wide
        roles that old events granted without a platform admin's authority are revoked (``RoleRevoked``
        by the system, awaiting a platform admin's confirmation). Returns (people copied, grants revoked).
        """
        adopted = revoked = 0
        start = self.personal.scanned_to() + 1
        last = self.recorder.max_notification_id() or 0
        for user in self._users(start):
            if user.legacy_person is not None:
                self.adopt_person(user)
                adopted += 1
            revoked += self._revoke_unauthorised_old_grants(user)
        self.personal.mark_scanned(last)
        self.personal.rekey_emails(email_key)
        return adopted, revoked

    def _revoke_unauthorised_old_grants(self, user: User) -> int:
        unauthorised = [role for role, grantor in user.old_grants.items()
                        if role in user.roles and not self._was_platform_authority(grantor)]
        if not unauthorised:
            return 0
        for role in unauthorised:
            user.revoke_old_grant(role, by=SYSTEM_ACTOR)
        try:
            self.commit(user)
        except ConcurrentModificationError:  # another process upgrading at the same moment did it
            return 0
        return len(unauthorised)

    def _was_platform_authority(self, grantor: UUID | None) -> bool:
        if grantor == SYSTEM_ACTOR:
            return True
        granting = self.find_user(grantor) if grantor is not None else None
        return granting is not None and granting.has_role(Role.PLATFORM_ADMIN)
