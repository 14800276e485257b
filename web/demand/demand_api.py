"""Technology demands (企业出题) and proposals (协同攻关) in the JSON API: post a demand, search and read
demands (visibility respected), submit a sealed proposal, and the enterprise's decisions after the deadline."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, get, post
from litestar.exceptions import NotFoundException
from litestar.params import Parameter

from domain.demand.demand import MILESTONES_LIMIT, DeclineReason, Want
from marketplace.deals.commands import Amount
from marketplace.demand import demand_commands as mc
from marketplace.platform.application import Marketplace
from marketplace.platform.command import one_of
from projections.demand.demands_queries import (
    DemandRow,
    DemandSearch,
    DemandsQueries,
    ProposalRow,
    ThreadEntry,
    ThreadQueries,
)
from web.answers import Created, Done
from web.api_docs import BEARER, OPTIONAL_BEARER
from web.commands import run_command
from web.context import Identity
from web.params import Limit, Offset
from web.state import WebState

Words = Annotated[str, Parameter(max_length=200, description="words to find, in Chinese or English")]
Field = Annotated[str, Parameter(max_length=20, description="an IPC subclass, e.g. H01M")]
WantParam = Annotated[str, Parameter(max_length=20, description="licence, purchase, commissioned or joint")]


class ProposalInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A sealed proposal: what is proposed (``want``: one the demand asks for), the approach, the team, the
    organisation's listings it offers, the price (fen) and the schedule as milestones."""

    want: Annotated[str, one_of(Want)]
    approach: str
    team: str = ""
    listing_ids: list[UUID] = msgspec.field(default_factory=list)
    price: Amount
    milestones: Annotated[list[mc.Milestone], msgspec.Meta(max_length=MILESTONES_LIMIT)] = msgspec.field(
        default_factory=list)


class DecisionInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Why the proposal is not taken: a reason from the fixed list and, for ``other`` necessarily, a few words."""

    reason: Annotated[str, one_of(DeclineReason)]
    text: str = ""


class NoteInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A question to a proposer, or a proposer's answer: a few words (at most 2,000 characters)."""

    text: mc.Reason


class SendBackInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Why the demand goes back to its enterprise for clarification (the enterprise reads it)."""

    reason: mc.Reason


class ResubmitInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The clarified problem, current solution, target figures and budget (fen)."""

    problem: mc.Body
    targets: mc.Body
    current_solution: mc.Body = ""
    budget_min: Amount = 0
    budget_max: Amount = 0


class ProposalThread(msgspec.Struct, frozen=True):
    proposal_id: UUID
    entries: list[ThreadEntry]


class ThreadsOut(msgspec.Struct, frozen=True):
    """The question threads of the demand's proposals the reader is a party to (the enterprise: all of them;
    a proposer: its own; anyone else: none)."""

    threads: list[ProposalThread]


class Awarded(msgspec.Struct, frozen=True, omit_defaults=True):
    """The award is recorded; ``offer_id``: the offer it opened on the proposal's listing (licence or purchase),
    or null; ``contract_id`` (only for a commissioned or joint development): the technology development contract
    it drafted, to be signed by both parties at ``/api/contracts/{contract_id}/sign``."""

    offer_id: UUID | None
    position: int
    contract_id: UUID | msgspec.UnsetType = msgspec.UNSET


class DemandOut(msgspec.Struct, frozen=True, kw_only=True):
    """A demand and the proposals the reader may see (``content`` null while sealed to the reader);
    ``days_without_proposal``: from posting to the first proposal, or to now."""

    demand: DemandRow
    proposals: list[ProposalRow]
    closed: bool
    days_without_proposal: int


async def visible_demand(queries: DemandsQueries, me: Identity | None, demand_id: UUID) -> DemandRow:
    """The demand, unless it is for verified organisations only and the reader's is not one (then: not found)."""
    demand = await queries.get(demand_id)
    if demand is None or (demand.visibility == "verified" and not (
            me is not None and (me.organisation_id == demand.organisation_id
                                or await queries.verified(me.organisation_id)))):
        raise NotFoundException(f"demand_id: no demand with id {demand_id}")
    return demand


class DemandsApiController(Controller):
    path = "/api"
    tags = ["demands"]  # noqa: RUF012 - litestar declares it as an instance attribute

    @post("/demands", summary="Post a technology demand (a member of a verified enterprise)", security=BEARER)
    async def post_demand(self, data: mc.PostDemand, web: WebState, marketplace: Marketplace,
                          me: Identity) -> Created:
        demand_id, position = await run_command(web, marketplace.demands.post, data, me)
        return Created(demand_id, position)

    @get("/demands", summary="Search technology demands (verified-only ones for verified organisations)",
         security=OPTIONAL_BEARER)
    async def search(self, web: WebState, maybe_me: Identity | None, q: Words = "", field: Field = "",
                     want: WantParam = "", limit: Limit = 20, offset: Offset = 0) -> DemandSearch:
        queries = DemandsQueries(web.pool)
        reader = maybe_me.organisation_id if maybe_me else None
        return await queries.search(reader=reader, verified=await queries.verified(reader), q=q, field=field,
                                    want=want, limit=limit, offset=offset)

    @get("/demands/{demand_id:uuid}", summary="A demand and the proposals the reader may see (sealed until the "
         "deadline for the enterprise)", security=OPTIONAL_BEARER)
    async def detail(self, demand_id: UUID, web: WebState, marketplace: Marketplace,
                     maybe_me: Identity | None) -> DemandOut:
        queries = DemandsQueries(web.pool)
        demand = await visible_demand(queries, maybe_me, demand_id)
        now = marketplace.clock.now()
        proposals = await queries.proposals(demand, reader=maybe_me.organisation_id if maybe_me else None, now=now)
        return DemandOut(demand=demand, proposals=proposals, closed=demand.closed(now),
                         days_without_proposal=demand.days_without_proposal(now))

    @post("/demands/{demand_id:uuid}/proposals", summary="Submit a sealed proposal (a member of a verified "
          "university or research institute; one per organisation)", security=BEARER)
    async def propose(self, demand_id: UUID, data: ProposalInput, web: WebState, marketplace: Marketplace,
                      me: Identity) -> Created:
        cmd = mc.SubmitProposal(demand_id=demand_id, want=data.want, approach=data.approach, team=data.team,
                                listing_ids=data.listing_ids, price=data.price, milestones=data.milestones)
        proposal_id, position = await run_command(web, marketplace.demands.submit, cmd, me)
        return Created(proposal_id, position)

    @get("/demands/{demand_id:uuid}/threads", summary="The question threads of the proposals the reader is a "
         "party to", security=BEARER)
    async def threads(self, demand_id: UUID, web: WebState, me: Identity) -> ThreadsOut:
        await visible_demand(DemandsQueries(web.pool), me, demand_id)
        found = await ThreadQueries(web.pool).threads(demand_id, me.organisation_id)
        return ThreadsOut([ProposalThread(pid, entries) for pid, entries in found.items()])

    @post("/demands/{demand_id:uuid}/proposals/{proposal_id:uuid}/questions", status_code=200, security=BEARER,
          summary="Ask the proposer a question (the enterprise, after the deadline; only the two see the thread)")
    async def ask(self, demand_id: UUID, proposal_id: UUID, data: NoteInput, web: WebState, marketplace: Marketplace,
                  me: Identity) -> Done:
        cmd = mc.AskQuestion(demand_id=demand_id, proposal_id=proposal_id, text=data.text)
        return Done(await run_command(web, marketplace.demands.ask_proposer, cmd, me))

    @post("/demands/{demand_id:uuid}/proposals/{proposal_id:uuid}/answers", status_code=200, security=BEARER,
          summary="Answer the open question on your proposal (the proposing organisation)")
    async def answer(self, demand_id: UUID, proposal_id: UUID, data: NoteInput, web: WebState,
                     marketplace: Marketplace, me: Identity) -> Done:
        cmd = mc.AnswerQuestion(demand_id=demand_id, proposal_id=proposal_id, text=data.text)
        return Done(await run_command(web, marketplace.demands.answer_enterprise, cmd, me))

    @post("/demands/{demand_id:uuid}/send-back", status_code=200, security=BEARER,
          summary="Send a demand back for clarification with a reason (a platform admin or an accredited "
          "broker); it takes no proposals "
          "until resubmitted")
    async def send_back(self, demand_id: UUID, data: SendBackInput, web: WebState, marketplace: Marketplace,
                        me: Identity) -> Done:
        cmd = mc.SendBackDemand(demand_id=demand_id, reason=data.reason)
        return Done(await run_command(web, marketplace.demands.send_back, cmd, me))

    @post("/demands/{demand_id:uuid}/resubmit", status_code=200, security=BEARER,
          summary="Resubmit a demand sent back, with the problem, current solution, targets and budget clarified")
    async def resubmit(self, demand_id: UUID, data: ResubmitInput, web: WebState, marketplace: Marketplace,
                       me: Identity) -> Done:
        cmd = mc.ResubmitDemand(demand_id=demand_id, problem=data.problem, current_solution=data.current_solution,
                                targets=data.targets, budget_min=data.budget_min, budget_max=data.budget_max)
        return Done(await run_command(web, marketplace.demands.resubmit, cmd, me))

    @post("/demands/{demand_id:uuid}/proposals/{proposal_id:uuid}/shortlist", status_code=200, security=BEARER,
          summary="Shortlist a proposal (the enterprise, after the deadline)")
    async def shortlist(self, demand_id: UUID, proposal_id: UUID, web: WebState, marketplace: Marketplace,
                        me: Identity) -> Done:
        cmd = mc.ShortlistProposal(demand_id=demand_id, proposal_id=proposal_id)
        return Done(await run_command(web, marketplace.demands.shortlist, cmd, me))

    @post("/demands/{demand_id:uuid}/proposals/{proposal_id:uuid}/award", status_code=200, security=BEARER,
          summary="Award a proposal (the enterprise, after the deadline); a licence or purchase proposal naming a "
          "listing opens an offer on it")
    async def award(self, demand_id: UUID, proposal_id: UUID, web: WebState, marketplace: Marketplace,
                    me: Identity) -> Awarded:
        cmd = mc.AwardProposal(demand_id=demand_id, proposal_id=proposal_id)
        done = await run_command(web, marketplace.demands.award_proposal, cmd, me)
        return Awarded(done.offer_id, done.position,
                       msgspec.UNSET if done.contract_id is None else done.contract_id)

    @post("/demands/{demand_id:uuid}/proposals/{proposal_id:uuid}/decision", status_code=200, security=BEARER,
          summary="Decline a proposal with a reason (the enterprise, after the deadline)")
    async def decline(self, demand_id: UUID, proposal_id: UUID, data: DecisionInput, web: WebState,
                      marketplace: Marketplace, me: Identity) -> Done:
        cmd = mc.DeclineProposal(demand_id=demand_id, proposal_id=proposal_id, reason=data.reason, text=data.text)
        return Done(await run_command(web, marketplace.demands.decline, cmd, me))
