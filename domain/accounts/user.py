"""The User aggregate: a person acting for one organisation, with roles.

Events reference the person by id only. The e-mail address, the display name and the password hash
live in the personal-data store (``marketplace.accounts.personal_data``), which a platform admin can erase.
Stores written before that rule hold them in ``SignedUp`` and ``PasswordChanged`` payloads: such
events still load, and their values are kept aside (``legacy_person``) so that the application can
copy them into the personal-data store; they are never shown.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event

from domain.shared.errors import ConflictError, ValidationError
from domain.shared.text import checked
from domain.shared.topics import stored_as

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

#: What pages and history show where the name of an erased person stood.
ERASED_PERSON = "已删除的用户 / erased person"


class Role(StrEnum):
    """Roles a user may hold; ``platform_admin`` is the marketplace operator's."""

    MEMBER = "member"
    ORG_ADMIN = "org_admin"
    VALUER = "valuer"
    PROGRAMME_OFFICER = "programme_officer"
    AUDITOR = "auditor"
    PLATFORM_ADMIN = "platform_admin"


#: Roles that act across organisations: only a platform admin grants them (valuer only by accreditation).
PLATFORM_WIDE = frozenset({Role.AUDITOR.value, Role.PROGRAMME_OFFICER.value, Role.VALUER.value,
                           Role.PLATFORM_ADMIN.value})
#: Roles an organisation's own admin may grant within its verified organisation.
ORGANISATION_ROLES = frozenset({Role.MEMBER.value, Role.ORG_ADMIN.value})


def parse_roles(values: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    roles: list[str] = []
    for value in values:
        try:
            roles.append(Role(value).value)
        except ValueError:
            allowed = ", ".join(r.value for r in Role)
            raise ValidationError(f"roles: {value!r} is not one of {allowed}", field="roles", code="choice") from None
    return tuple(dict.fromkeys(roles))


def email_key(email: str) -> str:
    """The form in which two e-mail addresses are one account: trimmed, NFKC, case-folded (Unicode's
    NFKC_Casefold), so that ``ｔｔｏ@fzu.example`` and ``TTO@fzu.example`` are ``tto@fzu.example``."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", email.strip()).casefold())


def legacy_email_key(email: str) -> str:
    """The form stores written before :func:`email_key` recorded (and derived old user ids from)."""
    return email.strip().lower()


def clean_email(email: str) -> str:
    """The e-mail address as recorded and compared (:func:`email_key`); invisible characters are refused."""
    cleaned = email_key(checked(email.strip(), "email"))
    if not _EMAIL.match(cleaned) or len(cleaned) > 254:
        raise ValidationError(
            "email: must be an e-mail address such as name@example.org", field="email", code="email.form"
        )
    return cleaned


def clean_display_name(display_name: str) -> str:
    name = " ".join(display_name.split())
    if not 1 <= len(name) <= 100:
        raise ValidationError("display_name: must be 1 to 100 characters", field="display_name", code="length",
                              least=1, most=100)
    return name


@dataclass(frozen=True)
class LegacyPerson:
    """Personal data found in an event written before personal data left the event payloads."""

    email: str
    display_name: str
    password_hash: str


class User(Aggregate):
    """A person with an account: organisation, roles, and whether the account may act."""

    class SignedUp(Aggregate.Created):
        organisation_id: UUID
        roles: list[str]
        by: UUID | None
        #: The role the granting actor acted in ("system", "self", "platform_admin", "org_admin");
        #: absent from events written before the rule on who may grant what.
        authority: str

        def apply(self, aggregate: Any) -> None:
            """Old events: note grants made without the rule, and keep personal data aside for adoption."""
            state = self.__dict__
            if not state.get("authority"):
                for role in state.get("roles", []):
                    aggregate.note_old_grant(role, state.get("by"))
            if state.get("email") is not None and state.get("password_hash") is not None:
                aggregate.keep_legacy(LegacyPerson(state["email"], state.get("display_name") or "",
                                                   state["password_hash"]))

    class PasswordChanged(Aggregate.Event):
        by: UUID

        def apply(self, aggregate: Any) -> None:
            """Old events carried the new hash: keep it aside for adoption."""
            password_hash = self.__dict__.get("password_hash")
            if password_hash is not None and aggregate.legacy_person is not None:
                old = aggregate.legacy_person
                aggregate.keep_legacy(LegacyPerson(old.email, old.display_name, password_hash))

    @staticmethod
    def create_id(**_: object) -> UUID:
        """New accounts get a random id: an e-mail address must not be derivable from a user id."""
        return uuid4()

    @event(SignedUp)
    def __init__(self, organisation_id: UUID, roles: list[str], by: UUID | None, authority: str = "") -> None:
        self.organisation_id = organisation_id
        self.roles = list(roles)
        self.active = True
        self.erased = False
        #: Platform-wide roles granted by events written before the rule on who may grant what: role -> grantor.
        self.old_grants: dict[str, UUID | None] = {}
        #: Old grants the upgrade revoked (their grantor was no platform admin), until a platform admin grants
        #: the role again: role -> who made the old grant.
        self.awaiting_confirmation: dict[str, UUID | None] = {}
        self._person: tuple[str, str] | None = None
        self._legacy: LegacyPerson | None = None

    @classmethod
    def sign_up(
        cls,
        *,
        organisation_id: UUID,
        authority: str,
        roles: list[str] | tuple[str, ...] = (Role.MEMBER.value,),
        by: UUID | None = None,
    ) -> User:
        return cls(
            organisation_id=organisation_id,
            roles=list(parse_roles(list(roles)) or (Role.MEMBER.value,)),
            by=by,
            authority=authority,
        )

    # --- personal data (never event state) ----------------------------------------------------
    @property
    def legacy_person(self) -> LegacyPerson | None:
        """Personal data from old events, unless the person was erased since."""
        return None if self.erased else self._legacy

    def attach_person(self, email: str, display_name: str) -> None:
        """Give the loaded user its e-mail and name from the personal-data store (for this request only)."""
        self._person = (email, display_name)

    @property
    def email(self) -> str:
        return self._person[0] if self._person else ""

    @property
    def display_name(self) -> str:
        if self._person:
            return self._person[1]
        return ERASED_PERSON if self.erased else ""

    def keep_legacy(self, person: LegacyPerson) -> None:
        self._legacy = person

    # --- roles --------------------------------------------------------------------------------
    def note_old_grant(self, role: str, by: UUID | None) -> None:
        if role in PLATFORM_WIDE:
            self.old_grants[role] = by

    def has_role(self, role: Role) -> bool:
        return role.value in self.roles

    def grant_role(self, role: str, *, by: UUID, authority: str) -> None:
        (parsed,) = parse_roles([role])
        self._require_not_erased()
        if not self.active:
            raise ConflictError("user_id: the account is deactivated; reactivate it before granting it a role",
                                field="user_id", code="people.deactivated")
        if parsed in self.roles:
            raise ConflictError(f"roles: user already has the role {parsed}", field="roles", code="role.held",
                                role=parsed)
        self._role_granted(role=parsed, by=by, authority=authority)

    @event("RoleGranted")
    def _role_granted(self, role: str, by: UUID, authority: str = "") -> None:
        self.roles.append(role)
        self.awaiting_confirmation.pop(role, None)
        if authority:
            self.old_grants.pop(role, None)
        else:
            self.note_old_grant(role, by)

    def revoke_role(self, role: str, *, by: UUID) -> None:
        """Take a role away; never ``member``, which every account holds (deactivate the account instead)."""
        (parsed,) = parse_roles([role])
        self._require_not_erased()
        if parsed == Role.MEMBER.value:
            raise ConflictError("role: member cannot be revoked, every account holds it; to remove someone from "
                                "the organisation, deactivate the account", field="role", code="role.member")
        if parsed in self.awaiting_confirmation:
            self._role_revoked(role=parsed, by=by)
            return
        if parsed not in self.roles:
            raise ConflictError(f"roles: user does not have the role {parsed}", field="roles", code="role.not_held",
                                role=parsed)
        self._role_revoked(role=parsed, by=by)

    def revoke_old_grant(self, role: str, *, by: UUID) -> None:
        """The upgrade takes back an old platform-wide grant whose grantor was no platform admin."""
        if role not in self.roles or role not in self.old_grants:
            raise ConflictError(f"roles: {role} is not an old grant of this user", field="roles",
                                code="role.not_old_grant", role=role)
        self._role_revoked(role=role, by=by, awaiting_confirmation=True, granted_by=self.old_grants[role])

    @event("RoleRevoked")
    def _role_revoked(
        self, role: str, by: UUID, awaiting_confirmation: bool = False, granted_by: UUID | None = None
    ) -> None:
        if role in self.roles:
            self.roles.remove(role)
        self.old_grants.pop(role, None)
        if awaiting_confirmation:
            self.awaiting_confirmation[role] = granted_by
        else:
            self.awaiting_confirmation.pop(role, None)

    # --- the account ----------------------------------------------------------------------------
    def change_password(self, *, by: UUID) -> None:
        """Record that the password changed (the new hash goes to the personal-data store)."""
        self._require_not_erased()
        self._password_changed(by=by)

    @event(PasswordChanged)
    def _password_changed(self, by: UUID) -> None:
        """The new hash is in the personal-data store."""

    def deactivate(self, *, by: UUID) -> None:
        self._require_not_erased()
        if not self.active:
            raise ConflictError("user_id: the account is already deactivated", field="user_id",
                                code="people.already_deactivated")
        self._deactivated(by=by)

    @event("Deactivated")
    def _deactivated(self, by: UUID) -> None:
        self.active = False

    def reactivate(self, *, by: UUID) -> None:
        self._require_not_erased()
        if self.active:
            raise ConflictError("user_id: the account is active", field="user_id", code="people.active")
        self._reactivated(by=by)

    @event("Reactivated")
    def _reactivated(self, by: UUID) -> None:
        self.active = True

    def erase(self, *, by: UUID) -> None:
        """The person's data was destroyed on request; the account can never act again."""
        self._require_not_erased()
        self._erased(by=by)

    @event("Erased")
    def _erased(self, by: UUID) -> None:
        self.erased = True
        self.active = False
        self._legacy = None
        self._person = None

    def _require_not_erased(self) -> None:
        if self.erased:
            raise ConflictError("user_id: this person was erased", field="user_id", code="people.erased")


stored_as("domain.user", __name__)  # moved from domain/user.py: its stored topics stay
