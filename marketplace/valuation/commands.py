"""Command structs for valuer accreditation and assessments (msgspec, frozen)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

import msgspec

from marketplace.platform.command import Command, Note, ShortText
from marketplace.platform.command_text import LINES, LINES_RULE

Text = Annotated[str, msgspec.Meta(max_length=10_000, extra=LINES, description=LINES_RULE)]


class AccreditValuer(Command, frozen=True, kw_only=True):
    """A platform admin accredits a member of a valuation agency as a valuer."""

    user_id: UUID
    credential_number: ShortText
    expires_on: date


class RenewAccreditation(Command, frozen=True, kw_only=True):
    user_id: UUID
    expires_on: date


class RevokeAccreditation(Command, frozen=True, kw_only=True):
    user_id: UUID
    reason: Note


class CalculateValuation(Command, frozen=True, kw_only=True):
    """Run a method on inputs and record nothing (the preview and ``POST /api/valuation/calculate``)."""

    method: ShortText
    inputs: dict[str, Any] = msgspec.field(default_factory=dict)


class RecordAssessment(Command, frozen=True, kw_only=True):
    """An accredited valuer records an assessment; the value is computed from ``method`` and ``inputs``.

    ``low`` and ``high`` are the range around the computed value, in yuan (CNY).
    """

    patent_id: UUID
    purpose: ShortText
    basis_date: date
    method: ShortText
    inputs: dict[str, Any] = msgspec.field(default_factory=dict)
    low: Decimal
    high: Decimal
    assumptions: Text = ""
    report_reference: ShortText
    supersedes: UUID | None = None


class WithdrawAssessment(Command, frozen=True, kw_only=True):
    valuation_id: UUID
    reason: Note


class CountersignAssessment(Command, frozen=True, kw_only=True):
    """An admin of the valuation agency countersigns the report its valuer signed (its SHA-256, as seen)."""

    valuation_id: UUID
    report_sha256: ShortText
