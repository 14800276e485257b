"""The User aggregate: a person acting for one organisation, with roles."""

from __future__ import annotations

import re
from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import ConflictError, ValidationError
from domain.ids import user_id

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class Role(StrEnum):
    """Roles a user may hold; ``platform_admin`` is the marketplace operator's."""

    MEMBER = "member"
    ORG_ADMIN = "org_admin"
    VALUER = "valuer"
    PROGRAMME_OFFICER = "programme_officer"
    AUDITOR = "auditor"
    PLATFORM_ADMIN = "platform_admin"


def parse_roles(values: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    roles: list[str] = []
    for value in values:
        try:
            roles.append(Role(value).value)
        except ValueError:
            allowed = ", ".join(r.value for r in Role)
            raise ValidationError(f"roles: {value!r} is not one of {allowed}", field="roles") from None
    return tuple(dict.fromkeys(roles))


def clean_email(email: str) -> str:
    cleaned = email.strip().lower()
    if not _EMAIL.match(cleaned) or len(cleaned) > 254:
        raise ValidationError("email: must be an e-mail address such as name@example.org", field="email")
    return cleaned


class User(Aggregate):
    """A person with an account. The password is stored only as an argon2 hash."""

    class SignedUp(Aggregate.Created):
        email: str
        display_name: str
        password_hash: str
        organisation_id: UUID
        roles: list[str]
        by: UUID | None

    @staticmethod
    def create_id(email: str, **_: object) -> UUID:
        return user_id(email)

    @event(SignedUp)
    def __init__(
        self,
        email: str,
        display_name: str,
        password_hash: str,
        organisation_id: UUID,
        roles: list[str],
        by: UUID | None,
    ) -> None:
        self.email = email
        self.display_name = display_name
        self.password_hash = password_hash
        self.organisation_id = organisation_id
        self.roles = list(roles)

    @classmethod
    def sign_up(
        cls,
        *,
        email: str,
        display_name: str,
        password_hash: str,
        organisation_id: UUID,
        roles: list[str] | tuple[str, ...] = (Role.MEMBER.value,),
        by: UUID | None = None,
    ) -> User:
        name = " ".join(display_name.split())
        if not 1 <= len(name) <= 100:
            raise ValidationError("display_name: must be 1 to 100 characters", field="display_name")
        return cls(
            email=clean_email(email),
            display_name=name,
            password_hash=password_hash,
            organisation_id=organisation_id,
            roles=list(parse_roles(list(roles)) or (Role.MEMBER.value,)),
            by=by,
        )

    def has_role(self, role: Role) -> bool:
        return role.value in self.roles

    def grant_role(self, role: str, *, by: UUID) -> None:
        (parsed,) = parse_roles([role])
        if parsed in self.roles:
            raise ConflictError(f"roles: user already has the role {parsed}", field="roles")
        self._role_granted(role=parsed, by=by)

    @event("RoleGranted")
    def _role_granted(self, role: str, by: UUID) -> None:
        self.roles.append(role)

    def revoke_role(self, role: str, *, by: UUID) -> None:
        (parsed,) = parse_roles([role])
        if parsed not in self.roles:
            raise ConflictError(f"roles: user does not have the role {parsed}", field="roles")
        self._role_revoked(role=parsed, by=by)

    @event("RoleRevoked")
    def _role_revoked(self, role: str, by: UUID) -> None:
        self.roles.remove(role)

    def change_password(self, password_hash: str, *, by: UUID) -> None:
        self._password_changed(password_hash=password_hash, by=by)

    @event("PasswordChanged")
    def _password_changed(self, password_hash: str, by: UUID) -> None:
        self.password_hash = password_hash
