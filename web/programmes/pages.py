"""Programme pages: public programme pages, the officer's editor and claim queue, and "my claims".

Anyone may read an open or closed programme (its rules, budget, committed and disbursed amounts);
a draft only its department's programme officers. A claim queue is its department's officers' only;
a claim's beneficiary sees its own claims on ``/my/claims``. Every form posts the command the JSON API
takes; the application checks the roles and organisations again on the aggregates.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any
from uuid import UUID, uuid4

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Response, Template

from domain.programmes.programme import IDEMPOTENCY_KEY
from domain.programmes.rules import region_name
from domain.shared.errors import DomainError, PermissionDeniedError, ValidationError
from marketplace.accounts import commands as ac
from marketplace.platform.application import Marketplace
from marketplace.programmes import commands as pc
from projections.programmes.queries import ProgrammeRow, ProgrammesQueries
from web.commands import run_command
from web.context import Identity, page_context
from web.errors import error_page, form_error
from web.forms import text, to_command
from web.identity import login_required
from web.programmes.forms import programme_fields, rules_fields
from web.state import WebState

#: Messages a redirect may show (``?done=…``): only these keys, never text from the address.
DONE = {"drafted": "programme.drafted", "opened": "programme.opened", "closed": "programme.closed",
        "submitted": "award.submitted", "approved": "award.approved", "rejected": "award.rejected",
        "disbursed": "award.disbursed", "recovered": "award.recovered", "qualified": "programme.qualified",
        "revised": "programme.revised", "related_marked": "related.marked",
        "related_withdrawn": "related.withdrawn", "raised": "agency_subsidy.raised_done",
        "officer_raised": "agency_subsidy.officer_raised", "already_claimed": "agency_subsidy.already_claimed"}
KINDS = ("transfer_reward", "purchase_subsidy", "innovation_voucher", "agency_subsidy")
FLAGS = ("soe", "tech_sme", "maker")
CHOICES = ("seller_kinds", "buyer_kinds", "deal_types", "flags", "services")


def done_message(request: Request[Any, Any, Any]) -> str | None:
    return DONE.get(request.query_params.get("done", ""))


async def officer_of(web: WebState, me: Identity | None, programme: ProgrammeRow | None = None) -> bool:
    """Whether ``me`` is a programme officer now (of the programme's department, when given)."""
    if me is None:
        return False
    current = await web.with_current_roles(me)
    if not current.has("programme_officer"):
        return False
    return programme is None or programme.organisation_id == me.organisation_id


async def readable_programme(web: WebState, programmes: ProgrammesQueries, me: Identity | None,
                             programme_id: UUID) -> ProgrammeRow:
    programme = await programmes.get_programme(programme_id)
    if programme is None or (programme.status == "draft" and not await officer_of(web, me, programme)):
        raise NotFoundException(f"programme_id: no programme with id {programme_id}")
    return programme


def parse_day(value: str, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"{field}: give a date as YYYY-MM-DD", field=field) from None


class ProgrammePagesController(Controller):
    include_in_schema = False

    # --- public -------------------------------------------------------------------------------
    @get("/programmes", name="programmes")
    async def index(self, request: Request[Any, Any, Any], web: WebState, maybe_me: Identity | None,
                    programmes: ProgrammesQueries) -> Template:
        officer = await officer_of(web, maybe_me)
        mine = await programmes.programmes(organisation_id=maybe_me.organisation_id) if officer and maybe_me else []
        public = [p for p in await programmes.programmes(public=True) if p.id not in {m.id for m in mine}]
        return Template("programmes/index.html.jinja2",
                        context=page_context(request, mine=mine, rows=public, officer=officer))

    @get("/programmes/{programme_id:uuid}", name="programme")
    async def detail(self, programme_id: UUID, request: Request[Any, Any, Any], web: WebState,
                     maybe_me: Identity | None, programmes: ProgrammesQueries) -> Template:
        programme = await readable_programme(web, programmes, maybe_me, programme_id)
        return Template("programmes/detail.html.jinja2", context=page_context(
            request, p=programme, officer=await officer_of(web, maybe_me, programme), done=done_message(request),
            figures=await programmes.figures(programme_id), region_name=region_name))

    # --- the officer's editor -------------------------------------------------------------------
    @get("/programmes/new", name="programme_new", guards=[login_required])
    async def new(self, request: Request[Any, Any, Any], web: WebState, me: Identity) -> Template:
        if not await officer_of(web, me):
            return error_page(request, PermissionDeniedError("this needs the role programme_officer"))
        return Template("programmes/new.html.jinja2", context=page_context(
            request, form={"form_token": uuid4().hex}, kinds=KINDS, flags=FLAGS,
            checked={name: [] for name in CHOICES}))

    @post("/programmes", guards=[login_required])
    async def draft(self, request: Request[Any, Any, Any], web: WebState, me: Identity,
                    marketplace: Marketplace) -> Template | Redirect:
        form = await request.form()
        # The form's token names this draft: a second click on "save" answers the programme the first drafted.
        token = text(form, "form_token")
        try:
            command = to_command(pc.DraftProgramme, programme_fields(form))
            programme_id, _ = await run_command(web, marketplace.programmes.draft_programme, command, me,
                                                idempotency_key=token)
        except DomainError as error:
            checked = {name: list(form.getall(name, [])) for name in CHOICES}
            shown = {**dict(form), "form_token": token if IDEMPOTENCY_KEY.match(token) else uuid4().hex}
            return form_error(request, "programmes/new.html.jinja2", error, form=shown, kinds=KINDS,
                              flags=FLAGS, checked=checked)
        return Redirect(f"/programmes/{programme_id}?done=drafted", status_code=303)

    @post("/programmes/{programme_id:uuid}/open", guards=[login_required])
    async def open(self, programme_id: UUID, request: Request[Any, Any, Any], web: WebState, me: Identity,
                   marketplace: Marketplace) -> Template | Redirect:
        try:
            await run_command(web, marketplace.programmes.open_programme, pc.OpenProgramme(programme_id=programme_id),
                              me)
        except DomainError as error:
            return error_page(request, error)
        return Redirect(f"/programmes/{programme_id}?done=opened", status_code=303)

    @post("/programmes/{programme_id:uuid}/close", guards=[login_required])
    async def close(self, programme_id: UUID, request: Request[Any, Any, Any], web: WebState, me: Identity,
                    marketplace: Marketplace) -> Template | Redirect:
        form = await request.form()
        try:
            command = to_command(pc.CloseProgramme, {"programme_id": programme_id, "reason": text(form, "reason")})
            await run_command(web, marketplace.programmes.close_programme, command, me)
        except DomainError as error:
            return error_page(request, error)
        return Redirect(f"/programmes/{programme_id}?done=closed", status_code=303)

    @get("/programmes/{programme_id:uuid}/rules", name="programme_rules", guards=[login_required])
    async def rules_form(self, programme_id: UUID, request: Request[Any, Any, Any], web: WebState, me: Identity,
                         programmes: ProgrammesQueries) -> Template:
        programme = await programmes.get_programme(programme_id)
        if programme is None or not await officer_of(web, me, programme):
            return error_page(request, PermissionDeniedError("programme_id: the rules are its department's to change",
                                                             field="programme_id"))
        return Template("programmes/rules.html.jinja2", context=page_context(
            request, p=programme, form={}, flags=FLAGS, checked={name: [] for name in CHOICES}))

    @post("/programmes/{programme_id:uuid}/rules", guards=[login_required])
    async def revise(self, programme_id: UUID, request: Request[Any, Any, Any], web: WebState, me: Identity,
                     marketplace: Marketplace, programmes: ProgrammesQueries) -> Template | Redirect:
        form = await request.form()
        programme = await programmes.get_programme(programme_id)
        if programme is None:
            raise NotFoundException(f"programme_id: no programme with id {programme_id}")
        try:
            command = to_command(pc.ReviseRules, {"programme_id": programme_id,
                                                  "effective_from": text(form, "effective_from") or None,
                                                  "rules": rules_fields(form, programme.kind)})
            await run_command(web, marketplace.programmes.revise_rules, command, me)
        except DomainError as error:
            checked = {name: list(form.getall(name, [])) for name in CHOICES}
            return form_error(request, "programmes/rules.html.jinja2", error, p=programme, form=dict(form),
                              flags=FLAGS, checked=checked)
        return Redirect(f"/programmes/{programme_id}?done=revised", status_code=303)

    # --- the officer's claim queue --------------------------------------------------------------
    @get("/programmes/{programme_id:uuid}/claims", name="programme_claims", guards=[login_required])
    async def claims(self, programme_id: UUID, request: Request[Any, Any, Any], web: WebState, me: Identity,
                     programmes: ProgrammesQueries) -> Template:
        programme = await programmes.get_programme(programme_id)
        if programme is None or not await officer_of(web, me, programme):
            return error_page(request, PermissionDeniedError("programme_id: the claims are its department's only",
                                                             field="programme_id"))
        rows = await programmes.claims(programme_id=programme_id)
        return Template("programmes/claims.html.jinja2", context=page_context(
            request, p=programme, rows=rows, done=done_message(request)))

    @get("/programmes/{programme_id:uuid}/claims.csv", guards=[login_required])
    async def export(self, programme_id: UUID, request: Request[Any, Any, Any], web: WebState, me: Identity,
                     programmes: ProgrammesQueries) -> Response[str] | Template:
        """The finance department's export: claims disbursed in a period (Beijing dates, ``before`` excluded)."""
        programme = await programmes.get_programme(programme_id)
        if programme is None or not await officer_of(web, me, programme):
            return error_page(request, PermissionDeniedError("programme_id: the claims are its department's only",
                                                             field="programme_id"))
        try:
            start = parse_day(request.query_params.get("from", ""), "from")
            before = parse_day(request.query_params.get("before", ""), "before")
        except DomainError as error:
            return error_page(request, error)
        rows = await programmes.claims(programme_id=programme_id, paid_from=start, paid_before=before, limit=100_000)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["claim_id", "beneficiary", "side", "contract_id", "obligation_id", "paid_amount_fen",
                         "approved_amount_fen", "status", "registration_number", "bank_reference", "paid_at_utc"])
        for r in rows:
            if r.paid_at is None:
                continue
            writer.writerow([r.id, _cell(r.beneficiary_name), r.side, r.contract_id, r.obligation_id, r.paid_amount,
                             r.approved_amount, r.status, _cell(r.registration_number),
                             _cell(r.disbursement_reference), r.paid_at.isoformat()])
        name = f"programme-{programme_id}-{start or 'start'}-{before or 'now'}.csv"
        return Response("\ufeff" + out.getvalue(), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})

    @post("/claims/{claim_id:uuid}/{action:str}", guards=[login_required])
    async def act(self, claim_id: UUID, action: str, request: Request[Any, Any, Any], web: WebState, me: Identity,
                  marketplace: Marketplace, programmes: ProgrammesQueries) -> Template | Redirect:
        form = await request.form()
        claim = await programmes.get_claim(claim_id)
        if claim is None:
            raise NotFoundException(f"claim_id: no claim with id {claim_id}")
        group = marketplace.programmes
        steps: dict[str, tuple[Any, type[Any], dict[str, Any], str]] = {
            "submit": (group.submit_claim, pc.SubmitClaim, {"payee_account": text(form, "payee_account"),
                                                            "registration_number": text(form, "registration_number")},
                       "/my/claims?done=submitted"),
            "approve": (group.approve_claim, pc.ApproveClaim, {}, "approved"),
            "reject": (group.reject_claim, pc.RejectClaim, {"reason": text(form, "reason")}, "rejected"),
            "disburse": (group.record_disbursement, pc.RecordDisbursement,
                         {"bank_reference": text(form, "bank_reference")}, "disbursed"),
            "recover": (group.record_recovery, pc.RecordRecovery, {"bank_reference": text(form, "bank_reference")},
                        "recovered"),
        }
        if action not in steps:
            raise NotFoundException(f"action: no such step {action!r}")
        command, kind, fields, target = steps[action]
        try:
            await run_command(web, command, to_command(kind, {"claim_id": claim_id, **fields}), me)
        except DomainError as error:
            return error_page(request, error)
        if target.startswith("/"):
            return Redirect(target, status_code=303)
        return Redirect(f"/programmes/{claim.programme_id}/claims?done={target}#claim-{claim_id}", status_code=303)

    # --- qualifications (SOE, technology SME, maker) -----------------------------------------------
    @get("/programmes/qualifications", name="qualifications", guards=[login_required])
    async def qualifications(self, request: Request[Any, Any, Any], web: WebState, me: Identity,
                             programmes: ProgrammesQueries) -> Template:
        current = await web.with_current_roles(me)
        if not (current.has("programme_officer") or current.has("platform_admin")):
            return error_page(request, PermissionDeniedError("this needs the role programme_officer"))
        name = request.query_params.get("name", "").strip()[:100]
        rows = await programmes.qualifications(name=name)
        return Template("programmes/qualifications.html.jinja2", context=page_context(
            request, rows=rows, name=name, flags=FLAGS, done=done_message(request)))

    @post("/programmes/qualifications/{organisation_id:uuid}", guards=[login_required])
    async def qualify(self, organisation_id: UUID, request: Request[Any, Any, Any], web: WebState, me: Identity,
                      marketplace: Marketplace) -> Template | Redirect:
        form = await request.form()
        try:
            command = to_command(ac.VerifyOrganisationFlags, {"organisation_id": organisation_id,
                                                              "flags": list(form.getall("flags", []))})
            await run_command(web, marketplace.accounts.verify_organisation_flags, command, me)
        except DomainError as error:
            return error_page(request, error)
        return Redirect(f"/programmes/qualifications?done=qualified#org-{organisation_id}", status_code=303)

    # --- beneficiaries ---------------------------------------------------------------------------
    @get("/my/claims", name="my_claims", guards=[login_required])
    async def my_claims(self, request: Request[Any, Any, Any], me: Identity,
                        programmes: ProgrammesQueries) -> Template:
        rows = await programmes.claims(beneficiary_id=me.organisation_id)
        named = request.query_params.get("claim", "")
        pointed = next((c.id for c in rows if str(c.id) == named), None)  # only a claim of the page, never the text
        return Template("programmes/my_claims.html.jinja2",
                        context=page_context(request, rows=rows, done=done_message(request), pointed=pointed))


def _cell(value: str) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value
