"""Time-limited conversion pages (限时转化): the public list of overdue funded patents, the officer's queue and
conversion-programme form, the owner's view, and one flag's page with the owner's and the officer's forms.

A flag is public once overdue or opened; before that only its owner organisation and its department see it.
Every form posts the command the JSON API takes; the application checks roles and organisations again on the
aggregates.
"""

from __future__ import annotations

import math
import re
from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from domain.shared.errors import DomainError, PermissionDeniedError, ValidationError
from marketplace.platform.application import Marketplace
from marketplace.programmes import commands as pc
from marketplace.programmes import conversion_commands as vc
from projections.programmes.conversion_queries import ConversionRow, ConversionsQueries
from web.commands import run_command
from web.context import Identity, page_context
from web.errors import error_page, form_error
from web.forms import optional, text, to_command, yuan_to_fen
from web.identity import login_required
from web.params import page_number
from web.programmes.forms import percent_to_bp
from web.programmes.pages import officer_of
from web.state import WebState

PAGE_SIZE = 50
PUBLIC = ("overdue", "opened")
DONE = {"answered": "conversion.answered", "resumed": "conversion.resumed", "opened": "conversion.opened"}


def may_read(row: ConversionRow, me: Identity | None, officer: bool) -> bool:
    """Overdue and opened flags are public (and stay so once converted); the others are their owners' and
    their department's."""
    if row.status in PUBLIC or (row.status == "converted" and row.overdue_since is not None):
        return True
    if me is None:
        return False
    return me.organisation_id in row.owner_ids or (officer and me.organisation_id == row.organisation_id)


async def readable(web: WebState, conversions: ConversionsQueries, me: Identity | None,
                   conversion_id: UUID) -> tuple[ConversionRow, bool]:
    """The flag if ``me`` may read it (else 404), and whether ``me`` is an officer of its department."""
    row = await conversions.get(conversion_id)
    officer = row is not None and await officer_of(web, me) and me is not None \
        and me.organisation_id == row.organisation_id
    if row is None or not may_read(row, me, officer):
        raise NotFoundException(f"conversion_id: no conversion with id {conversion_id}")
    return row, officer


def conversion_programme_fields(form: FormMultiDict) -> dict[str, Any]:
    """The conversion-programme form as the ``DraftProgramme`` command the JSON API takes."""
    funder_years = []
    for i, line in enumerate(text(form, "funder_years").splitlines()):
        if not line.strip():
            continue
        match = re.match(r"^\s*(.+?)\s+(\d{1,2})\s*$", line)
        if match is None:
            raise ValidationError(f"rules.conversion.funder_years.{i}: give a funder and a number of years",
                                  field=f"rules.conversion.funder_years.{i}", code="conversion.funder_years")
        funder_years.append({"funder": match.group(1), "years": int(match.group(2))})
    return {
        "kind": "conversion", "name_zh": text(form, "name_zh"), "name_en": text(form, "name_en"),
        "source": text(form, "source"), "budget": 0,
        "starts_on": optional(form, "starts_on"), "ends_on": optional(form, "ends_on"),
        "rules": {"beneficiary": "seller", "tiers": [], "requires_registration": False,
                  "conversion": {"years": int(optional(form, "years") or 3),
                                 "warning_days": int(optional(form, "warning_days") or 90),
                                 "funder_years": funder_years,
                                 "funders": [f.strip() for f in text(form, "funders").splitlines() if f.strip()],
                                 "legal_basis": text(form, "legal_basis")}},
    }


def opening_fields(form: FormMultiDict, conversion_id: UUID) -> dict[str, Any]:
    licensees = [v.strip() for v in re.split(r"[\s,，;；]+", text(form, "licensee_ids")) if v.strip()]
    return {
        "conversion_id": str(conversion_id), "mode": text(form, "mode"), "legal_basis": text(form, "legal_basis"),
        "reason": text(form, "reason"), "fee": yuan_to_fen(optional(form, "fee"), "fee") or 0,
        "royalty_rate": percent_to_bp(optional(form, "royalty_rate"), "royalty_rate") or 0,
        "term_years": optional(form, "term_years") or 3, "maturity": text(form, "maturity") or "prototype",
        "licensee_ids": licensees,
    }


class ConversionPagesController(Controller):
    include_in_schema = False

    @get("/conversions/overdue", name="conversions_overdue")
    async def overdue(self, request: Request[Any, Any, Any], conversions: ConversionsQueries) -> Template:
        page = page_number(request.query_params.get("page"))
        rows, total = await conversions.overdue(limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        return Template("conversions/overdue.html.jinja2", context=page_context(
            request, rows=rows, total=total, page=page, pages=max(1, math.ceil(total / PAGE_SIZE))))

    @get("/conversions", name="conversions_queue", guards=[login_required])
    async def queue(self, request: Request[Any, Any, Any], web: WebState, me: Identity,
                    conversions: ConversionsQueries) -> Template:
        if not await officer_of(web, me):
            return error_page(request, PermissionDeniedError("this needs the role programme_officer",
                                                             code="role.needed", role="programme_officer"))
        rows = await conversions.queue(me.organisation_id)
        return Template("conversions/queue.html.jinja2", context=page_context(request, rows=rows))

    @get("/my/conversions", name="my_conversions", guards=[login_required])
    async def mine(self, request: Request[Any, Any, Any], me: Identity, conversions: ConversionsQueries) -> Template:
        rows = await conversions.of_owner(me.organisation_id)
        return Template("conversions/mine.html.jinja2", context=page_context(request, rows=rows))

    @get("/conversions/{conversion_id:uuid}", name="conversion")
    async def detail(self, conversion_id: UUID, request: Request[Any, Any, Any], web: WebState,
                     maybe_me: Identity | None, conversions: ConversionsQueries) -> Template:
        row, officer = await readable(web, conversions, maybe_me, conversion_id)
        owner = maybe_me is not None and maybe_me.organisation_id in row.owner_ids
        return Template("conversions/detail.html.jinja2", context=page_context(
            request, c=row, officer=officer, owner=owner, done=DONE.get(request.query_params.get("done", ""))))

    @post("/conversions/{conversion_id:uuid}/{action:str}", guards=[login_required])
    async def act(self, conversion_id: UUID, action: str, request: Request[Any, Any, Any], web: WebState,
                  me: Identity, marketplace: Marketplace) -> Template | Redirect:
        form = await request.form()
        group = marketplace.conversions
        try:
            if action == "answer":
                await run_command(web, group.answer_conversion, to_command(vc.AnswerConversion, {
                    "conversion_id": str(conversion_id), "kind": text(form, "kind"), "text": text(form, "text"),
                    "reference": text(form, "reference")}), me)
                done = "answered"
            elif action == "resume":
                await run_command(web, group.resume_conversion, to_command(vc.ResumeConversion, {
                    "conversion_id": str(conversion_id), "reason": text(form, "reason")}), me)
                done = "resumed"
            elif action == "open":
                await run_command(web, group.open_conversion,
                                  to_command(vc.OpenConversion, opening_fields(form, conversion_id)), me)
                done = "opened"
            else:
                raise NotFoundException(f"action: no such step {action!r}")
        except DomainError as error:
            return error_page(request, error)
        return Redirect(f"/conversions/{conversion_id}?done={done}", status_code=303)

    # --- the officer's conversion programme ---------------------------------------------------------
    @get("/conversions/programmes/new", name="conversion_programme_new", guards=[login_required])
    async def new_programme(self, request: Request[Any, Any, Any], web: WebState, me: Identity) -> Template:
        if not await officer_of(web, me):
            return error_page(request, PermissionDeniedError("this needs the role programme_officer",
                                                             code="role.needed", role="programme_officer"))
        return Template("conversions/new.html.jinja2", context=page_context(request, form={}))

    @post("/conversions/programmes", guards=[login_required])
    async def draft_programme(self, request: Request[Any, Any, Any], web: WebState, me: Identity,
                              marketplace: Marketplace) -> Template | Redirect:
        form = await request.form()
        try:
            command = to_command(pc.DraftProgramme, conversion_programme_fields(form))
            programme_id, _ = await run_command(web, marketplace.programmes.draft_programme, command, me)
        except (DomainError, ValueError) as error:
            refusal = error if isinstance(error, DomainError) else ValidationError(
                "rules.conversion.years: give whole numbers", field="rules.conversion.years",
                code="conversion.whole_number")
            return form_error(request, "conversions/new.html.jinja2", refusal, form=dict(form))
        return Redirect(f"/programmes/{programme_id}?done=drafted", status_code=303)
