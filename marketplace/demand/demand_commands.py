"""Command structs (msgspec, frozen) of technology demands (企业出题) and proposals (协同攻关).

``demand_id`` on ``PostDemand`` is an idempotency key chosen by the form (or API client) that sends it, so posting
twice records one demand (the demand's id is derived from it and the user, and answered); amounts are in fen; the
deadline is a date in Beijing time.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

import msgspec

from domain.demand.demand import (
    KEYWORDS_LIMIT,
    LISTINGS_LIMIT,
    MILESTONES_LIMIT,
    TEXT_LIMIT,
    TITLE_LIMIT,
    DeclineReason,
    Visibility,
    Want,
)
from marketplace.deals.commands import Amount
from marketplace.platform.command import Command, RequestKey, ShortText, list_of, one_of
from marketplace.platform.command_text import LINE, LINE_RULE, LINES, LINES_RULE

Title = Annotated[str, msgspec.Meta(max_length=TITLE_LIMIT, extra=LINE, description=LINE_RULE)]
Body = Annotated[str, msgspec.Meta(max_length=TEXT_LIMIT, extra=LINES, description=LINES_RULE)]
Keyword = Annotated[str, msgspec.Meta(max_length=50, extra=LINE, description=LINE_RULE)]
Reason = Annotated[str, msgspec.Meta(max_length=2000, extra=LINES, description=LINES_RULE)]


class Milestone(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A step of the schedule: what is delivered, by when, and the part of the price due then (fen)."""

    title: Title
    due: date
    amount: Amount = 0


class PostDemand(Command, frozen=True, kw_only=True):
    """A member of a verified enterprise posts a technology demand (企业出题)."""

    title_zh: Title = ""
    title_en: Title = ""
    description_zh: Body = ""
    description_en: Body = ""
    problem: Body
    current_solution: Body = ""
    targets: Body
    ipc_codes: Annotated[list[ShortText], msgspec.Meta(max_length=20)] = msgspec.field(default_factory=list)
    keywords: Annotated[list[Keyword], msgspec.Meta(max_length=KEYWORDS_LIMIT)] = msgspec.field(
        default_factory=list)
    budget_min: Amount = 0
    budget_max: Amount = 0
    deadline: date
    wants: Annotated[list[ShortText], list_of(Want)]
    visibility: Annotated[str, one_of(Visibility)] = Visibility.PUBLIC.value
    demand_id: RequestKey | None = None


class SubmitProposal(Command, frozen=True, kw_only=True):
    """A member of a verified university or research institute answers a demand with a sealed proposal."""

    demand_id: UUID
    want: Annotated[str, one_of(Want)]
    approach: Body
    team: Body = ""
    listing_ids: Annotated[list[UUID], msgspec.Meta(max_length=LISTINGS_LIMIT)] = msgspec.field(
        default_factory=list)
    price: Amount
    milestones: Annotated[list[Milestone], msgspec.Meta(max_length=MILESTONES_LIMIT)] = msgspec.field(
        default_factory=list)


class ShortlistProposal(Command, frozen=True, kw_only=True):
    demand_id: UUID
    proposal_id: UUID


class AwardProposal(Command, frozen=True, kw_only=True):
    """The enterprise awards one proposal; a licence or purchase proposal naming a listing opens an offer on it."""

    demand_id: UUID
    proposal_id: UUID


class AskQuestion(Command, frozen=True, kw_only=True):
    """The enterprise asks a proposer a question on its proposal (after the deadline)."""

    demand_id: UUID
    proposal_id: UUID
    text: Reason


class AnswerQuestion(Command, frozen=True, kw_only=True):
    """The proposing organisation answers the open question on its proposal."""

    demand_id: UUID
    proposal_id: UUID
    text: Reason


class SendBackDemand(Command, frozen=True, kw_only=True):
    """A platform admin sends a vague demand back to its enterprise for clarification, with the reason."""

    demand_id: UUID
    reason: Reason


class ResubmitDemand(Command, frozen=True, kw_only=True):
    """The enterprise clarifies the demand sent back — the problem, the current solution, the target figures and
    the budget — and resubmits it: it takes proposals again."""

    demand_id: UUID
    problem: Body
    current_solution: Body = ""
    targets: Body
    budget_min: Amount = 0
    budget_max: Amount = 0


class DeclineProposal(Command, frozen=True, kw_only=True):
    """The enterprise's decision on a proposal it does not award: a reason from the fixed list, and free text."""

    demand_id: UUID
    proposal_id: UUID
    reason: Annotated[str, one_of(DeclineReason)]
    text: Reason = ""
