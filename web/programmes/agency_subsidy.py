"""The agency performance subsidy on the web: the year's figures with their basis, the agency's application and the
officer's "raise every agency's claims" — a page ``/programmes/{id}/agency-subsidy`` and its JSON API. The claims
then go through ``/my/claims`` and the officer's queue like every programme claim."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from domain.programmes.rules import BEIJING
from domain.shared.errors import DomainError, ValidationError
from marketplace.platform.application import Marketplace
from marketplace.programmes import commands as pc
from marketplace.programmes.agency_subsidies import YearFigures
from projections.programmes.queries import ProgrammesQueries
from web.access import record_read
from web.answers import Created
from web.api_docs import BEARER
from web.commands import run_command
from web.context import Identity, page_context
from web.errors import error_page, form_error
from web.forms import text, to_command
from web.identity import login_required
from web.programmes.pages import officer_of, readable_programme
from web.state import WebState


class BasisEntryOut(msgspec.Struct, frozen=True, kw_only=True):
    """One payment received on a deal the agency brokered: its amount (fen), whether it counts and why not."""

    obligation_id: UUID
    contract_id: UUID
    paid_at: datetime
    amount: int
    counts: bool
    refusals: list[str]


class StepOut(msgspec.Struct, frozen=True, kw_only=True):
    key: str
    amount: int
    figures: dict[str, Any]


class AgencyFiguresOut(msgspec.Struct, frozen=True, kw_only=True):
    """What an agency may claim for a year: the payments not claimed before (the basis), the award they give with
    each step (the volume × the rate, the yearly cap) and what the year counted and awarded before."""

    programme_id: UUID
    agency_id: UUID
    year: int
    rules_version: int
    rate_bp: int
    cap_per_year: int | None
    volume: int
    amount: int
    already_counted: int
    already_awarded: int
    steps: list[StepOut]
    refusals: list[str]
    basis: list[BasisEntryOut]

    @classmethod
    def of(cls, f: YearFigures) -> AgencyFiguresOut:
        return cls(
            programme_id=f.programme_id, agency_id=f.agency_id, year=f.year, rules_version=f.rules_version,
            rate_bp=f.rules.tiers[0].rate_bp, cap_per_year=f.rules.cap_per_beneficiary_year, volume=f.volume,
            amount=f.assessment.amount, already_counted=f.already_counted, already_awarded=f.already_awarded,
            steps=[StepOut(key=s.key, amount=s.amount, figures=dict(s.figures)) for s in f.assessment.steps],
            refusals=list(f.assessment.refusals),
            basis=[BasisEntryOut(obligation_id=p.obligation_id, contract_id=p.contract_id, paid_at=p.paid_at,
                                 amount=p.amount, counts=p.counts, refusals=list(p.refusals)) for p in f.payments])


class ApplyInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    year: int
    payee_account: str


class RaiseInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    year: int


class RaisedOut(msgspec.Struct, frozen=True):
    """The claims raised (one per agency with payments left to claim) and the log position."""

    claims: list[UUID]
    position: int


def year_of(value: str, marketplace: Marketplace) -> int:
    """The year asked (``?year=``), else this year in Beijing on the marketplace's clock."""
    if not value:
        return marketplace.clock.now().astimezone(BEIJING).year
    if not (value.isascii() and value.isdigit() and len(value) == 4):
        raise ValidationError("year: give a year such as 2026", field="year", code="type.int")
    return int(value)


async def record_basis_read(request: Request[Any, Any, Any], web: WebState, me: Identity, agency_id: UUID) -> None:
    """A programme officer's read of an agency's basis (the payments on the deals it brokered: other parties'
    contract prices) is recorded like an auditor's read of a confidential record; the agency's own read is not."""
    if agency_id != me.organisation_id:
        await record_read(request, web, me, agency_id, "Organisation")


class AgencySubsidyApiController(Controller):
    path = "/api/programmes/{programme_id:uuid}/agency-subsidy"
    tags = ["programmes"]  # noqa: RUF012 - litestar declares it as an instance attribute

    @get("", security=BEARER, summary="What an agency may claim for a year, with its basis (the agency's members; a "
                                      "programme officer of the programme's department names the agency)")
    async def figures(self, programme_id: UUID, request: Request[Any, Any, Any], web: WebState,
                      marketplace: Marketplace, me: Identity, year: int,
                      agency_id: UUID | None = None) -> AgencyFiguresOut:
        found = await web.run(marketplace.agency_subsidies.figures, programme_id, year, agency_id,
                              actor_id=me.user_id)
        await record_basis_read(request, web, me, found.agency_id)
        return AgencyFiguresOut.of(found)

    @post("", security=BEARER, summary="Claim the year's brokered payments not claimed before (the agency's org "
                                       "admin); the same payments claimed again answer the first claim")
    async def apply(self, programme_id: UUID, data: ApplyInput, web: WebState, marketplace: Marketplace,
                    me: Identity) -> Created:
        cmd = pc.ApplyForAgencySubsidy(programme_id=programme_id, year=data.year, payee_account=data.payee_account)
        claim_id, position = await run_command(web, marketplace.agency_subsidies.apply, cmd, me)
        return Created(claim_id, position)

    @post("/raise", status_code=200, security=BEARER,
          summary="Raise every agency's claim for a year (a programme officer of the programme's department)")
    async def raise_all(self, programme_id: UUID, data: RaiseInput, web: WebState, marketplace: Marketplace,
                        me: Identity) -> RaisedOut:
        cmd = pc.RaiseAgencySubsidies(programme_id=programme_id, year=data.year)
        claims, position = await run_command(web, marketplace.agency_subsidies.raise_for_agencies, cmd, me)
        return RaisedOut(claims, position)


class AgencySubsidyPagesController(Controller):
    include_in_schema = False
    path = "/programmes/{programme_id:uuid}/agency-subsidy"

    async def _page(self, request: Request[Any, Any, Any], programme_id: UUID, web: WebState, me: Identity,
                    marketplace: Marketplace, programmes: ProgrammesQueries, year: int,
                    **values: Any) -> Template:
        programme = await readable_programme(web, programmes, me, programme_id)
        officer = await officer_of(web, me, programme)
        agency = request.query_params.get("agency_id") if officer else None
        figures: YearFigures | None = None
        refusal: DomainError | None = None
        if programme.kind == "agency_subsidy" and (agency or not officer):
            try:
                figures = await web.run(marketplace.agency_subsidies.figures, programme_id, year,
                                        UUID(agency) if agency else None, actor_id=me.user_id)
            except (DomainError, ValueError) as error:
                refusal = error if isinstance(error, DomainError) else ValidationError("agency_id: not an id")
            else:
                await record_basis_read(request, web, me, figures.agency_id)
        claims = [c for c in await programmes.claims(beneficiary_id=me.organisation_id)
                  if c.programme_id == programme_id] if not officer else []
        if refusal is not None and "error" not in values:
            return error_page(request, refusal)
        return Template("programmes/agency_subsidy.html.jinja2", context=page_context(
            request, p=programme, officer=officer, year=year, f=figures, claims=claims, request_agency=agency,
            f_steps=[s.as_dict() for s in figures.assessment.steps] if figures else [],
            f_basis=[e.as_dict() for e in figures.payments] if figures else [], **values))

    @get("", name="agency_subsidy", guards=[login_required])
    async def show(self, programme_id: UUID, request: Request[Any, Any, Any], web: WebState, me: Identity,
                   marketplace: Marketplace, programmes: ProgrammesQueries) -> Template:
        try:
            year = year_of(request.query_params.get("year", ""), marketplace)
        except DomainError as error:
            return error_page(request, error)
        done = {"applied": "agency_subsidy.applied"}.get(request.query_params.get("done", ""))
        return await self._page(request, programme_id, web, me, marketplace, programmes, year, done=done)

    @post("", guards=[login_required])
    async def apply(self, programme_id: UUID, request: Request[Any, Any, Any], web: WebState, me: Identity,
                    marketplace: Marketplace, programmes: ProgrammesQueries) -> Template | Redirect:
        form = await request.form()
        try:
            cmd = to_command(pc.ApplyForAgencySubsidy, {"programme_id": programme_id, "year": text(form, "year"),
                                                        "payee_account": text(form, "payee_account")})
            claim_id, _ = await run_command(web, marketplace.agency_subsidies.apply, cmd, me)
        except DomainError as error:
            return form_error(request, "programmes/agency_subsidy.html.jinja2", error,
                              p=await readable_programme(web, programmes, me, programme_id), officer=False,
                              year=text(form, "year"), f=None, claims=[], f_steps=[], f_basis=[])
        # The application answers the year's claim already made when nothing has counted since: say which, not
        # "submitted" — a claim a programme officer raised still waits for the agency's own submission.
        claim = await programmes.get_claim(claim_id)
        done = "submitted"
        if claim is not None and claim.status == "raised":
            done = "officer_raised"
        elif claim is not None and claim.status != "submitted":
            done = "already_claimed"  # decided (approved, paid, rejected…) before this application
        return Redirect(f"/my/claims?done={done}&claim={claim_id}#claim-{claim_id}", status_code=303)

    @post("/raise", guards=[login_required])
    async def raise_all(self, programme_id: UUID, request: Request[Any, Any, Any], web: WebState, me: Identity,
                        marketplace: Marketplace) -> Template | Redirect:
        form = await request.form()
        try:
            cmd = to_command(pc.RaiseAgencySubsidies, {"programme_id": programme_id, "year": text(form, "year")})
            await run_command(web, marketplace.agency_subsidies.raise_for_agencies, cmd, me)
        except DomainError as error:
            return error_page(request, error)
        return Redirect(f"/programmes/{programme_id}/claims?done=raised", status_code=303)
