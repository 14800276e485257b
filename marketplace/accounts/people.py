"""Account commands: sign-up, members, roles, passwords, deactivation and erasure of a person.

Who may grant what: platform-wide roles (auditor, programme_officer, platform_admin) are granted and
revoked only by a platform admin; ``valuer`` comes only with a valuer accreditation. An org admin
grants ``member``/``org_admin`` within its own verified organisation, but changes nothing on an
account holding a platform-wide role (only a platform admin does); the admin of an unverified
organisation may add plain members (no role changes) so that a team can prepare while it waits.
``member`` is never revoked (an account without a role makes no sense: deactivate it instead), and
an erased account's roles do not change; a deactivated one is granted nothing until reactivated.

Personal data (e-mail, display name, password hash) goes to ``self.store.personal``, never into events.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from domain.accounts.organisation import Organisation
from domain.accounts.user import (
    ORGANISATION_ROLES,
    PLATFORM_WIDE,
    Role,
    User,
    clean_display_name,
    clean_email,
    email_key,
    legacy_email_key,
    parse_roles,
)
from domain.shared.errors import ConcurrentModificationError, ConflictError, PermissionDeniedError, ValidationError
from domain.shared.ids import legacy_user_id, organisation_ids
from domain.shared.text import checked
from marketplace.accounts import commands as ac
from marketplace.accounts.old_accounts import UnconfirmedGrant, unconfirmed_grants, upgrade_old_accounts
from marketplace.accounts.passwords import hash_password, timing_equaliser, verify_password
from marketplace.accounts.personal_data import Erasure, NewPasswordHash, Person, duplicate_email
from marketplace.platform.app_base import SYSTEM_ACTOR, MarketplaceBase


@dataclass(frozen=True)
class CheckedPasswordChange:
    """A password change whose current password was proven against ``verified_against``; ``new_hash`` to store."""

    user_id: UUID
    verified_against: str
    new_hash: str


class Accounts:
    """Accounts and the people behind them: joining, members, roles, passwords, deactivation, erasure."""

    def __init__(self, store: MarketplaceBase) -> None:
        self.store = store

    # --- joining -------------------------------------------------------------------------------
    def _require_email_free(self, email: str) -> None:
        if self.store.personal.find_by_email(email) is not None:
            raise duplicate_email()
        old = self.store.find_user(legacy_user_id(email))
        if old is not None and old.legacy_person is not None:
            raise duplicate_email()

    def _save_new_person(
        self, user: User, email: str, name: str, password_hash: str, *others: Organisation,
        duplicate: ConflictError | None = None,
    ) -> int:
        """Claim the e-mail in the personal-data store, then record the events; undo the claim if they fail."""
        self.store.personal.claim(Person(user.id, email, name, password_hash))
        try:
            return self.store.commit(*others, user, duplicate=duplicate)
        except BaseException:
            self.store.personal.erase(user.id)
            raise

    def sign_up(self, cmd: ac.SignUp, *, password_hash: str | None = None) -> tuple[UUID, int]:
        """A person signs up for a new organisation, which waits for verification.

        ``password_hash``: the hash of ``cmd.password``, made beforehand in the password pool (the web does,
        so that no command worker thread waits on argon2); made here otherwise.
        """
        email, name = clean_email(cmd.email), clean_display_name(cmd.display_name)
        self._require_email_free(email)
        if any(self.store.exists(i) for i in organisation_ids(cmd.organisation_name)):
            raise ConflictError(
                "organisation_name: this organisation is already registered; ask its administrator to add you",
                field="organisation_name", code="organisation.exists",
            )
        org = Organisation.register(name=cmd.organisation_name, kind=cmd.organisation_kind, region=cmd.region)
        user = User.sign_up(organisation_id=org.id, authority="self", roles=(Role.MEMBER.value, Role.ORG_ADMIN.value))
        duplicate = ConflictError(
            "organisation_name: this organisation is already registered; ask its administrator to add you",
            field="organisation_name", code="organisation.exists",
        )
        hashed = password_hash or hash_password(cmd.password)
        return user.id, self._save_new_person(user, email, name, hashed, org, duplicate=duplicate)

    def add_member(
        self, cmd: ac.AddMember, *, actor_id: UUID | None, password_hash: str | None = None
    ) -> tuple[UUID, int]:
        """An org admin adds a colleague to its own organisation (a platform admin to the operator's).

        ``password_hash``: as for :meth:`sign_up`.
        """
        admin = self.store.actor(actor_id)
        roles = parse_roles(list(cmd.roles)) or (Role.MEMBER.value,)
        if Role.VALUER.value in roles:
            raise PermissionDeniedError("roles: the valuer role comes only with a valuer accreditation", field="roles",
                                        code="role.valuer")
        if admin.has_role(Role.PLATFORM_ADMIN):
            authority = Role.PLATFORM_ADMIN.value
        else:
            self.store.require_role(admin, Role.ORG_ADMIN)
            wide = sorted(set(roles) & PLATFORM_WIDE)
            if wide:
                raise PermissionDeniedError(
                    f"roles: only a platform admin can grant {', '.join(wide)}", field="roles",
                    code="role.platform_only", roles=list(wide))
            org = self.store.load(Organisation, admin.organisation_id, "organisation_id")
            if not org.verified and set(roles) != {Role.MEMBER.value}:
                raise PermissionDeniedError(
                    "roles: until the platform has verified your organisation you may add plain members only",
                    field="roles", code="role.unverified")
            authority = Role.ORG_ADMIN.value
        email, name = clean_email(cmd.email), clean_display_name(cmd.display_name)
        self._require_email_free(email)
        user = User.sign_up(organisation_id=admin.organisation_id, authority=authority, roles=roles, by=admin.id)
        hashed = password_hash or hash_password(cmd.password)
        return user.id, self._save_new_person(user, email, name, hashed)

    def verify_organisation(self, cmd: ac.VerifyOrganisation, *, actor_id: UUID | None) -> int:
        admin = self.store.actor(actor_id)
        self.store.require_role(admin, Role.PLATFORM_ADMIN)
        org = self.store.load(Organisation, cmd.organisation_id, "organisation_id")
        org.verify(by=admin.id)
        return self.store.commit(org)

    def verify_organisation_flags(self, cmd: ac.VerifyOrganisationFlags, *, actor_id: UUID | None) -> int:
        """A platform admin or a programme officer records what an organisation is verified to be."""
        verifier = self.store.actor(actor_id)
        self.store.require_role(verifier, Role.PLATFORM_ADMIN, Role.PROGRAMME_OFFICER)
        org = self.store.load(Organisation, cmd.organisation_id, "organisation_id")
        org.verify_flags(flags=list(cmd.flags), by=verifier.id)
        return self.store.commit(org)

    def grant_role(self, cmd: ac.GrantRole, *, actor_id: UUID | None) -> int:
        """Grant a role (a platform admin granting a role awaiting confirmation confirms it)."""
        admin, user, authority = self._role_authority(cmd.user_id, cmd.role, actor_id)
        user.grant_role(cmd.role, by=admin.id, authority=authority)
        return self.store.commit(user)

    def revoke_role(self, cmd: ac.RevokeRole, *, actor_id: UUID | None) -> int:
        """Take a role away; the same authority as granting it."""
        admin, user, _ = self._role_authority(cmd.user_id, cmd.role, actor_id)
        user.revoke_role(cmd.role, by=admin.id)
        return self.store.commit(user)

    def _role_authority(self, target: UUID, role: str, actor_id: UUID | None) -> tuple[User, User, str]:
        """Who may change this role of this user: the rule in this module's docstring."""
        admin = self.store.actor(actor_id)
        (parsed,) = parse_roles([role])
        user = self.store.load(User, target, "user_id")
        if parsed == Role.VALUER.value:
            raise PermissionDeniedError("role: the valuer role comes only with a valuer accreditation", field="role",
                                        code="role.valuer")
        if admin.has_role(Role.PLATFORM_ADMIN):
            return admin, user, Role.PLATFORM_ADMIN.value
        if parsed in PLATFORM_WIDE:
            raise PermissionDeniedError(f"role: only a platform admin can grant or revoke {parsed}", field="role",
                                        code="role.platform_only", roles=[parsed])
        self.store.require_role(admin, Role.ORG_ADMIN)
        if user.organisation_id != admin.organisation_id:
            raise PermissionDeniedError("user_id: you may change roles only within your organisation", field="user_id",
                                        code="people.own_organisation")
        if any(user.has_role(Role(r)) for r in PLATFORM_WIDE):
            raise PermissionDeniedError(
                "user_id: only a platform admin changes the roles of an account with platform-wide roles",
                field="user_id", code="people.platform_wide")
        org = self.store.load(Organisation, admin.organisation_id, "organisation_id")
        if not org.verified:
            raise PermissionDeniedError(
                "role: roles can be changed once the platform has verified your organisation", field="role",
                code="role.unverified")
        return admin, user, Role.ORG_ADMIN.value

    def authenticate(self, email: str, password: str) -> User | None:
        """The active user with these credentials, or ``None`` (one answer for every failure)."""
        person, user = self.find_person(email)
        stored = person.password_hash if person else None
        if stored is None and user is not None and user.legacy_person is not None:
            stored = user.legacy_person.password_hash
        if user is None or person is None or stored is None or not user.active:
            verify_password(timing_equaliser(), password)
            return None
        if not verify_password(stored, password):
            return None
        if person.password_hash is None:
            self.store.personal.set_password_hash(user.id, stored)
        user.attach_person(person.email, person.display_name)
        return user

    def bootstrap_platform_admin(self, *, email: str, password: str, display_name: str, organisation_name: str) -> UUID:
        """Create the operator's organisation and first platform admin (CLI and demo data only)."""
        display_name = checked(display_name, "display_name")
        email, name = clean_email(email), clean_display_name(display_name)
        self._require_email_free(email)
        org = Organisation.register(name=organisation_name, kind="government", verified=True, by=SYSTEM_ACTOR)
        user = User.sign_up(organisation_id=org.id, authority="system",
                            roles=(Role.MEMBER.value, Role.PLATFORM_ADMIN.value), by=SYSTEM_ACTOR)
        duplicate = ConflictError("organisation_name: already registered", field="organisation_name",
                                  code="organisation.exists")
        self._save_new_person(user, email, name, hash_password(password), org, duplicate=duplicate)
        return user.id

    # --- roles ---------------------------------------------------------------------------------
    def grantable_roles(self, actor_id: UUID | None) -> tuple[str, ...]:
        """The roles this actor may grant or revoke (what the forms offer)."""
        admin = self.store.actor(actor_id)
        if admin.has_role(Role.PLATFORM_ADMIN):
            return tuple(r.value for r in Role if r is not Role.VALUER)
        if not admin.has_role(Role.ORG_ADMIN):
            return ()
        org = self.store.load(Organisation, admin.organisation_id, "organisation_id")
        return tuple(sorted(ORGANISATION_ROLES)) if org.verified else ()

    def require_platform_admin(self, actor_id: UUID | None) -> None:
        self.store.require_role(self.store.actor(actor_id), Role.PLATFORM_ADMIN)

    # --- the account --------------------------------------------------------------------------
    def check_password_change(
        self, current_password: str, new_password: str, *, actor_id: UUID | None
    ) -> CheckedPasswordChange:
        """The argon2 work of a password change: prove the current password, hash the new one.

        The web runs it in the password pool (``run_in_password_pool``) and hands the result to
        :meth:`change_password`, so that no command worker thread waits on argon2.
        """
        user = self.store.actor(actor_id)
        if new_password == current_password:
            raise ValidationError("new_password: must differ from the current password", field="new_password",
                                  code="password.same")
        current = self._password_hash(user)
        if current is None or not verify_password(current, current_password):
            raise PermissionDeniedError("current_password: the current password is not right",
                                        field="current_password", code="password.wrong")
        return CheckedPasswordChange(user.id, current, hash_password(new_password))

    def change_password(
        self, cmd: ac.ChangePassword, *, actor_id: UUID | None, checked: CheckedPasswordChange | None = None
    ) -> int:
        """The member changes its own password, proving the current one (``checked``: already proven).

        The new hash is written with the ``PasswordChanged`` event, in one transaction: of two changes at
        once, the one whose event is recorded leaves its hash, the other changes nothing (409).
        """
        checked = checked or self.check_password_change(cmd.current_password, cmd.new_password, actor_id=actor_id)
        user = self.store.actor(actor_id)
        if checked.user_id != user.id or self._password_hash(user) != checked.verified_against:
            raise ConcurrentModificationError(
                "current_password: the password was changed meanwhile; give the current one again",
                field="current_password", code="password.changed_meanwhile")
        user.change_password(by=user.id)
        return self.store.commit(user, personal=[NewPasswordHash(user.id, checked.new_hash)])

    def _password_hash(self, user: User) -> str | None:
        """The hash a password of this user is checked against (an old store's, until adopted)."""
        person = self.store.personal.get(user.id)
        current = person.password_hash if person else None
        if current is None and user.legacy_person is not None:
            current = user.legacy_person.password_hash
        return current

    def deactivate_user(self, cmd: ac.DeactivateUser, *, actor_id: UUID | None) -> int:
        """Stop a member's account (a departing employee); it can no longer log in or act."""
        admin, user = self._account_authority(cmd.user_id, actor_id)
        user.deactivate(by=admin.id)
        return self.store.commit(user)

    def reactivate_user(self, cmd: ac.ReactivateUser, *, actor_id: UUID | None) -> int:
        admin, user = self._account_authority(cmd.user_id, actor_id)
        user.reactivate(by=admin.id)
        return self.store.commit(user)

    def _account_authority(self, target: UUID, actor_id: UUID | None) -> tuple[User, User]:
        """A platform admin, or the org admin of the member's organisation (not for platform-wide roles)."""
        admin = self.store.actor(actor_id)
        user = self.store.load(User, target, "user_id")
        if user.id == admin.id:
            raise PermissionDeniedError("user_id: you cannot deactivate your own account", field="user_id",
                                        code="people.self")
        if admin.has_role(Role.PLATFORM_ADMIN):
            return admin, user
        self.store.require_role(admin, Role.ORG_ADMIN)
        if user.organisation_id != admin.organisation_id:
            raise PermissionDeniedError("user_id: you may manage members of your own organisation only",
                                        field="user_id", code="people.own_organisation")
        if any(user.has_role(Role(r)) for r in PLATFORM_WIDE):
            raise PermissionDeniedError("user_id: only a platform admin manages accounts with platform-wide roles",
                                        field="user_id", code="people.platform_wide")
        return admin, user

    def erase_user(self, cmd: ac.EraseUser, *, actor_id: UUID | None) -> int:
        """Erase a person on request (PIPL): the personal data is destroyed, an ``Erased`` event recorded."""
        admin = self.store.actor(actor_id)
        self.store.require_role(admin, Role.PLATFORM_ADMIN)
        user = self.store.load(User, cmd.user_id, "user_id")
        if user.id == admin.id:
            raise PermissionDeniedError("user_id: a platform admin cannot erase itself", field="user_id",
                                        code="people.self")
        user.erase(by=admin.id)
        return self.store.commit(user, personal=[Erasure(user.id)])

    # --- people behind the ids ----------------------------------------------------------------
    def user_id_of(self, email: str) -> UUID | None:
        """The id of the account with this e-mail address, if any."""
        _, user = self.find_person(email)
        return user.id if user is not None else None

    def find_person(self, email: str) -> tuple[Person | None, User | None]:
        """The person and user of an e-mail address as typed, compared as :func:`email_key` says; an old
        store's account also under the form it was recorded in (:func:`legacy_email_key`)."""
        for address in dict.fromkeys((email_key(email), legacy_email_key(email))):
            person = self.store.personal.find_by_email(address)
            if person is not None:
                return person, self.store.find_user(person.user_id)
            user = self._adopt_legacy(legacy_user_id(address), address)
            if user is not None:
                return self.store.personal.get(user.id), user
        return None, None

    def display_name_of(self, user_id: UUID) -> str:
        person = self.store.personal.get(user_id)
        if person is not None:
            return person.display_name
        user = self.store.find_user(user_id)
        return user.display_name if user is not None else ""

    def _adopt_legacy(self, user_id: UUID, email: str) -> User | None:
        """An old store's user whose personal data is still only in its events: copy it to the store."""
        user = self.store.find_user(user_id)
        if user is None or user.legacy_person is None or user.legacy_person.email != email:
            return None
        self.store.adopt_person(user)
        return user

    # --- accounts recorded before issue 9 (marketplace.accounts.old_accounts) -------------------------
    def unconfirmed_grants(self) -> list[UnconfirmedGrant]:
        """Old platform-wide grants the upgrade revoked, until a platform admin grants the role again."""
        return unconfirmed_grants(self.store)

    def upgrade_old_accounts(self) -> tuple[int, int]:
        """Bring accounts of old events under today's rules (``old_accounts.upgrade_old_accounts``)."""
        return upgrade_old_accounts(self.store)
