"""Technology demand pages: the public list (search, facets by field and kind) and each demand's page with its
response figures; the enterprise's form to post one; the institution's sealed proposal; the enterprise's
decisions after the deadline.

Every form posts the command the JSON API takes; the application checks who may act on the aggregates. The
posting form carries a ``demand_id`` chosen when the page was drawn, so a double submit posts one demand.
Verified-only demands are not found for anonymous readers and unverified organisations.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from domain.demand.demand import DeclineReason, Visibility, Want
from domain.shared.errors import DomainError, PermissionDeniedError, ValidationError
from marketplace.demand import demand_commands as mc
from marketplace.platform.application import Marketplace
from projections.demand.demands_queries import DemandRow, DemandsQueries, ThreadQueries
from web.commands import run_command
from web.context import Identity, page_context
from web.demand.demand_api import visible_demand
from web.errors import error_page, explain, status_of
from web.forms import text, to_command, yuan_to_fen
from web.identity import login_required
from web.state import WebState

DONE = {"posted": "demand.posted", "proposed": "demand.proposed", "decided": "demand.decided",
        "awarded": "demand.awarded", "asked": "clarify.asked", "answered": "clarify.answered",
        "sent_back": "clarify.sent_back", "resubmitted": "clarify.resubmitted"}
#: Milestone rows the proposal form offers.
MILESTONE_ROWS = 3


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.replace("，", ",").split(",") if part.strip()]


def demand_fields(form: FormMultiDict) -> dict[str, Any]:
    return {
        "title_zh": text(form, "title_zh"), "title_en": text(form, "title_en"),
        "description_zh": text(form, "description_zh"), "description_en": text(form, "description_en"),
        "problem": text(form, "problem"), "current_solution": text(form, "current_solution"),
        "targets": text(form, "targets"), "ipc_codes": _split(text(form, "ipc_codes")),
        "keywords": _split(text(form, "keywords")),
        "budget_min": yuan_to_fen(text(form, "budget_min"), "budget_min") or 0,
        "budget_max": yuan_to_fen(text(form, "budget_max"), "budget_max") or 0,
        "deadline": text(form, "deadline"), "wants": [str(w) for w in form.getall("wants", [])],
        "visibility": text(form, "visibility") or Visibility.PUBLIC.value,
        "demand_id": text(form, "demand_id") or None,
    }


def proposal_fields(form: FormMultiDict) -> dict[str, Any]:
    milestones = []
    for n in range(1, MILESTONE_ROWS + 1):
        title = text(form, f"milestone_title_{n}")
        if title:
            milestones.append({"title": title, "due": text(form, f"milestone_due_{n}"),
                               "amount": yuan_to_fen(text(form, f"milestone_amount_{n}"), "milestones") or 0})
    return {"want": text(form, "want"), "approach": text(form, "approach"), "team": text(form, "team"),
            "listing_ids": _split(text(form, "listing_ids")),
            "price": yuan_to_fen(text(form, "price"), "price") or 0, "milestones": milestones}


async def demand_or_404(queries: DemandsQueries, me: Identity | None, demand_id: UUID) -> DemandRow:
    return await visible_demand(queries, me, demand_id)


class DemandPagesController(Controller):
    include_in_schema = False

    @get("/demands", name="demands")
    async def index(self, request: Request[Any, Any, Any], web: WebState, maybe_me: Identity | None) -> Template:
        queries = DemandsQueries(web.pool)
        reader = maybe_me.organisation_id if maybe_me else None
        q = request.query_params.get("q", "")[:200]
        field = request.query_params.get("field", "")[:20]
        want = request.query_params.get("want", "")[:20]
        found = await queries.search(reader=reader, verified=await queries.verified(reader), q=q, field=field,
                                     want=want, limit=50)
        return Template("demand/demands.html.jinja2", context=page_context(
            request, found=found, q=q, field=field, want=want, wants=[w.value for w in Want]))

    @get("/demands/new", name="demand_new", guards=[login_required])
    async def new(self, request: Request[Any, Any, Any]) -> Template:
        return self._form(request)

    @staticmethod
    def _form(request: Request[Any, Any, Any], status_code: int = 200, **values: Any) -> Template:
        values.setdefault("form", {})
        return Template("demand/demand_new.html.jinja2", status_code=status_code, context=page_context(
            request, demand_id=values.pop("demand_id", None) or uuid.uuid4(), wants=[w.value for w in Want],
            visibilities=[v.value for v in Visibility], **values))

    @post("/demands", guards=[login_required])
    async def create(self, request: Request[Any, Any, Any], web: WebState, me: Identity,
                     marketplace: Marketplace) -> Template | Redirect:
        form = await request.form()
        try:
            command = to_command(mc.PostDemand, demand_fields(form))
            demand_id, _ = await run_command(web, marketplace.demands.post, command, me)
        except DomainError as error:
            return self._form(request, status_code=status_of(error), error=explain(request, error),
                              error_field=error.field, form=dict(form), chosen=form.getall("wants", []),
                              demand_id=text(form, "demand_id") or None)
        return Redirect(f"/demands/{demand_id}?done=posted", status_code=303)

    @get("/demands/{demand_id:uuid}", name="demand")
    async def detail(self, demand_id: UUID, request: Request[Any, Any, Any], web: WebState,
                     maybe_me: Identity | None, marketplace: Marketplace) -> Template:
        return await self._page(request, web, maybe_me, marketplace, demand_id)

    @staticmethod
    async def _page(request: Request[Any, Any, Any], web: WebState, me: Identity | None, marketplace: Marketplace,
                    demand_id: UUID, status_code: int = 200, **values: Any) -> Template:
        queries = DemandsQueries(web.pool)
        demand = await demand_or_404(queries, me, demand_id)
        now = marketplace.clock.now()
        reader = me.organisation_id if me else None
        proposals = await queries.proposals(demand, reader=reader, now=now)
        owner = reader is not None and reader == demand.organisation_id
        mine = next((p for p in proposals if p.organisation_id == reader), None)
        threads = await ThreadQueries(web.pool).threads(demand_id, reader)
        reviewer = me is not None and demand.status == "open" and not owner and (
            me.has("platform_admin") or await web.run(marketplace.demands.may_send_back, me.user_id))
        return Template("demand/demand.html.jinja2", status_code=status_code, context=page_context(
            request, d=demand, proposals=proposals, owner=owner, mine=mine, closed=demand.closed(now),
            threads=threads, admin=reviewer,
            days_without=demand.days_without_proposal(now), reasons=[r.value for r in DeclineReason],
            rows=range(1, MILESTONE_ROWS + 1), done=DONE.get(request.query_params.get("done", "")),
            form=values.pop("form", {}), **values))

    @post("/demands/{demand_id:uuid}/proposals", guards=[login_required])
    async def propose(self, demand_id: UUID, request: Request[Any, Any, Any], web: WebState, me: Identity,
                      marketplace: Marketplace) -> Template | Redirect:
        await demand_or_404(DemandsQueries(web.pool), me, demand_id)
        form = await request.form()
        try:
            command = to_command(mc.SubmitProposal, {"demand_id": demand_id, **proposal_fields(form)})
            await run_command(web, marketplace.demands.submit, command, me)
        except PermissionDeniedError as error:
            return error_page(request, error)
        except DomainError as error:
            return await self._page(request, web, me, marketplace, demand_id, status_code=status_of(error),
                                    error=explain(request, error), error_field=error.field, form=dict(form))
        return Redirect(f"/demands/{demand_id}?done=proposed#mine", status_code=303)

    @post("/demands/{demand_id:uuid}/send-back", guards=[login_required])
    async def send_back(self, demand_id: UUID, request: Request[Any, Any, Any], web: WebState, me: Identity,
                        marketplace: Marketplace) -> Template | Redirect:
        """A platform admin or an accredited broker sends the demand back for clarification, with the reason."""
        await demand_or_404(DemandsQueries(web.pool), me, demand_id)
        form = await request.form()
        fields = {"demand_id": demand_id, "reason": text(form, "reason")}
        return await self._clarify(request, web, me, marketplace, demand_id, "sent_back",
                                   marketplace.demands.send_back, lambda: to_command(mc.SendBackDemand, fields))

    @post("/demands/{demand_id:uuid}/resubmit", guards=[login_required])
    async def resubmit(self, demand_id: UUID, request: Request[Any, Any, Any], web: WebState, me: Identity,
                       marketplace: Marketplace) -> Template | Redirect:
        """The enterprise edits the problem, current solution, targets and budget, and resubmits the demand."""
        await demand_or_404(DemandsQueries(web.pool), me, demand_id)
        form = await request.form()

        def build() -> mc.ResubmitDemand:
            return to_command(mc.ResubmitDemand, {
                "demand_id": demand_id, "problem": text(form, "problem"),
                "current_solution": text(form, "current_solution"), "targets": text(form, "targets"),
                "budget_min": yuan_to_fen(text(form, "budget_min"), "budget_min") or 0,
                "budget_max": yuan_to_fen(text(form, "budget_max"), "budget_max") or 0})

        return await self._clarify(request, web, me, marketplace, demand_id, "resubmitted",
                                   marketplace.demands.resubmit, build, form=dict(form))

    async def _clarify(self, request: Request[Any, Any, Any], web: WebState, me: Identity, marketplace: Marketplace,
                       demand_id: UUID, done: str, command: Callable[..., int], build: Callable[[], Any],
                       **values: Any) -> Template | Redirect:
        try:
            await run_command(web, command, build(), me)
        except PermissionDeniedError as error:
            return error_page(request, error)
        except DomainError as error:
            return await self._page(request, web, me, marketplace, demand_id, status_code=status_of(error),
                                    error=explain(request, error), error_field=error.field, **values)
        return Redirect(f"/demands/{demand_id}?done={done}", status_code=303)

    @post("/demands/{demand_id:uuid}/proposals/{proposal_id:uuid}/{action:str}", guards=[login_required])
    async def decide(self, demand_id: UUID, proposal_id: UUID, action: str, request: Request[Any, Any, Any],
                     web: WebState, me: Identity, marketplace: Marketplace) -> Template | Redirect:
        """``shortlist``, ``award`` or ``decision`` (decline with a reason)."""
        await demand_or_404(DemandsQueries(web.pool), me, demand_id)
        form = await request.form()
        ids = {"demand_id": demand_id, "proposal_id": proposal_id}
        try:
            if action == "shortlist":
                await run_command(web, marketplace.demands.shortlist, to_command(mc.ShortlistProposal, ids), me)
                done = "decided"
            elif action == "award":
                award = await run_command(web, marketplace.demands.award_proposal, to_command(mc.AwardProposal, ids),
                                          me)
                if award.contract_id is not None:  # a development: on to the contract to sign
                    return Redirect(f"/contracts/{award.contract_id}", status_code=303)
                done = "awarded"
            elif action in ("question", "answer"):
                thread_cmd = to_command(mc.AskQuestion if action == "question" else mc.AnswerQuestion,
                                        {**ids, "text": text(form, "text")})
                demands = marketplace.demands
                thread_run = demands.ask_proposer if action == "question" else demands.answer_enterprise
                await run_command(web, thread_run, thread_cmd, me)
                anchor = f"proposal-{proposal_id}" if action == "question" else "mine"
                done = "asked" if action == "question" else "answered"
                return Redirect(f"/demands/{demand_id}?done={done}#{anchor}", status_code=303)
            elif action == "decision":
                command = to_command(mc.DeclineProposal, {**ids, "reason": text(form, "reason"),
                                                          "text": text(form, "text")})
                await run_command(web, marketplace.demands.decline, command, me)
                done = "decided"
            else:
                raise NotFoundException(f"no action {action}")
        except PermissionDeniedError as error:
            return error_page(request, error)
        except (ValidationError, DomainError) as error:
            return await self._page(request, web, me, marketplace, demand_id, status_code=status_of(error),
                                    error=explain(request, error), error_field=error.field)
        return Redirect(f"/demands/{demand_id}?done={done}#proposal-{proposal_id}", status_code=303)
