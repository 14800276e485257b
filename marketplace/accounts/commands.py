"""Command structs of accounts: sign-up, members, verification, roles, password change, deactivation, erasure."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import msgspec

from domain.accounts.organisation import OrganisationKind
from marketplace.platform.command import Command, ShortText, one_of
from marketplace.platform.command import Password as SecretPassword

Password = Annotated[str, msgspec.Meta(min_length=10, max_length=200)]


class ChangePassword(Command, frozen=True, kw_only=True):
    """A member changes its own password, giving the current one."""

    current_password: Annotated[str, msgspec.Meta(max_length=200)]
    new_password: Password


class DeactivateUser(Command, frozen=True, kw_only=True):
    """An org admin (or a platform admin) stops a member's account: a departing employee."""

    user_id: UUID


class ReactivateUser(Command, frozen=True, kw_only=True):
    user_id: UUID


class EraseUser(Command, frozen=True, kw_only=True):
    """A platform admin erases a person's personal data on request (PIPL)."""

    user_id: UUID


class SignUp(Command, frozen=True, kw_only=True):
    email: ShortText
    password: SecretPassword
    display_name: ShortText
    organisation_name: ShortText
    organisation_kind: Annotated[str, one_of(OrganisationKind)]
    region: ShortText = ""


class AddMember(Command, frozen=True, kw_only=True):
    email: ShortText
    password: SecretPassword
    display_name: ShortText
    roles: list[str] = msgspec.field(default_factory=lambda: ["member"])


class VerifyOrganisation(Command, frozen=True, kw_only=True):
    organisation_id: UUID


class VerifyOrganisationFlags(Command, frozen=True, kw_only=True):
    """The whole set of an organisation's verified qualifications (``soe``, ``tech_sme``, ``maker``)."""

    organisation_id: UUID
    flags: list[ShortText] = msgspec.field(default_factory=list)


class GrantRole(Command, frozen=True, kw_only=True):
    user_id: UUID
    role: ShortText


class RevokeRole(Command, frozen=True, kw_only=True):
    user_id: UUID
    role: ShortText
