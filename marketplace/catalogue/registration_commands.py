"""Command structs for who may hold a patent's registration: co-owners' confirmations, withdrawals, claims."""

from __future__ import annotations

from uuid import UUID

from marketplace.platform.commands import Command, ShortText, Text


class ConfirmCoOwnership(Command, frozen=True, kw_only=True):
    """A named co-owner's org admin confirms that the organisation co-owns the patent as registered."""

    patent_id: UUID


class DeclineCoOwnership(Command, frozen=True, kw_only=True):
    """A named co-owner's org admin says the registration is wrong: it is withdrawn."""

    patent_id: UUID
    reason: Text


class WithdrawRegistration(Command, frozen=True, kw_only=True):
    """The registrant's org admin withdraws its own registration while nothing is contracted."""

    patent_id: UUID
    reason: Text


class FileOwnershipClaim(Command, frozen=True, kw_only=True):
    """An organisation claims to be the true owner of a registered patent, with evidence."""

    patent_id: UUID
    evidence: Text
    reference: ShortText = ""


class DecideOwnershipClaim(Command, frozen=True, kw_only=True):
    """A platform admin upholds (the registration is withdrawn) or dismisses (with a reason) a claim."""

    claim_id: UUID
    upheld: bool
    reason: Text = ""
