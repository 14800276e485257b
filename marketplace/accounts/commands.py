"""Command structs of accounts beyond sign-up: password change, deactivation, erasure."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import msgspec

from marketplace.platform.commands import Command

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
