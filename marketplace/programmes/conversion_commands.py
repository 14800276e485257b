"""Command structs of time-limited conversion (限时转化): the owner's answer and the officer's steps."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import msgspec

from domain.catalogue.listing import Maturity
from domain.programmes.conversion import AnswerKind, OpeningMode
from domain.programmes.conversion_terms import DEFAULT_LEGAL_BASIS, ConversionTerms
from domain.shared.money import MAX_AMOUNT
from marketplace.platform.command import Command, Note, ShortText, Text, documented_range, one_of


class FunderYearsInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    funder: ShortText
    years: Annotated[int, documented_range(1, 20)]


class ConversionTermsInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A conversion programme's deadlines: ``years`` after the funding's end (per funder where named), the
    owner told ``warning_days`` before; ``funders``: whose funded patents it watches (empty: every one)."""

    years: Annotated[int, documented_range(1, 20)] = 3
    warning_days: Annotated[int, documented_range(0, 366)] = 90
    funder_years: list[FunderYearsInput] = msgspec.field(default_factory=list)
    funders: list[ShortText] = msgspec.field(default_factory=list)
    legal_basis: Note = ""


class AnswerConversion(Command, frozen=True, kw_only=True):
    """A member of the patent's owner organisation answers a flag: a conversion plan, or a deal in progress
    (``reference``: the offer or contract, or where it stands); the flag pauses until the officer resumes it."""

    conversion_id: UUID
    kind: Annotated[str, one_of(AnswerKind)]
    text: Note
    reference: ShortText = ""


class ResumeConversion(Command, frozen=True, kw_only=True):
    """The programme officer finds the owner's answer wanting: the flag stands again."""

    conversion_id: UUID
    reason: Note


class OpenConversion(Command, frozen=True, kw_only=True):
    """The programme officer opens an overdue patent to others under the recorded legal basis: an open
    licence anyone verified may take up on the officer's terms, or the same licence for the designated
    licensees only."""

    conversion_id: UUID
    mode: Annotated[str, one_of(OpeningMode)]
    legal_basis: Text
    reason: Text
    fee: Annotated[int, msgspec.Meta(ge=0, le=MAX_AMOUNT, description="fen")] = 0
    royalty_rate: Annotated[int, msgspec.Meta(ge=0, le=9_999, description="basis points of net sales")] = 0
    term_years: Annotated[int, documented_range(1, 20)] = 3
    maturity: Annotated[str, one_of(Maturity)] = "prototype"
    licensee_ids: list[UUID] = msgspec.field(default_factory=list)


def conversion_terms_of(given: ConversionTermsInput) -> ConversionTerms:
    """The domain's terms from their input (an empty legal basis: the statute's default wording)."""
    return ConversionTerms(
        years=given.years, warning_days=given.warning_days,
        funder_years=tuple((f.funder.strip(), f.years) for f in given.funder_years),
        funders=tuple(f.strip() for f in given.funders if f.strip()),
        legal_basis=" ".join(given.legal_basis.split()) or DEFAULT_LEGAL_BASIS,
    )
