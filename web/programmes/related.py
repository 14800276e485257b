"""The related-parties page of programme officers (关联方): the pairs recorded, a form to mark a pair (each
organisation picked by its name or id, found by a name search) and to withdraw a relation.

Deals between related parties earn nothing under programmes whose rules exclude them. The page posts the
commands the JSON API takes (``POST /api/related-parties``, ``/api/related-parties/withdraw``); the
application checks again that the actor is a programme officer of a government organisation.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from domain.shared.errors import DomainError, PermissionDeniedError, ValidationError
from marketplace.platform.application import Marketplace
from marketplace.programmes import commands as pc
from projections.programmes.queries import ProgrammesQueries
from web.commands import run_command
from web.context import Identity, page_context
from web.errors import error_page, explain, status_of
from web.forms import text, to_command
from web.identity import login_required
from web.programmes.pages import done_message, officer_of
from web.state import WebState

PAGE = "/programmes/related-parties"


async def pick(programmes: ProgrammesQueries, given: str, field: str) -> str:
    """The id of the one organisation ``given`` names (its id, its exact name, or the one name containing it)."""
    found = await programmes.find_organisations(given)
    exact = [o for o in found if str(o.id) == given.strip().lower() or o.name == given.strip()]
    chosen = exact if len(exact) == 1 else found
    if not given.strip():
        raise ValidationError(f"{field}: pick an organisation", field=field, code="required")
    if not chosen:
        raise ValidationError(f"{field}: no organisation matches {given!r}", field=field,
                              code="related_parties.no_match", given=given.strip()[:100])
    if len(chosen) > 1:
        raise ValidationError(f"{field}: several organisations match {given!r}", field=field,
                              code="related_parties.ambiguous", given=given.strip()[:100])
    return str(chosen[0].id)


class RelatedPartiesPagesController(Controller):
    """Programme officers' pages only; anyone else is refused (403)."""

    include_in_schema = False
    guards = [login_required]  # noqa: RUF012

    async def _page(self, request: Request[Any, Any, Any], programmes: ProgrammesQueries, *, status: int = 200,
                    error: str | None = None, entered: dict[str, str] | None = None) -> Template:
        query = request.query_params.get("q", "").strip()[:100]
        return Template("programmes/related_parties.html.jinja2", status_code=status, context=page_context(
            request, pairs=await programmes.related_pairs(), q=query,
            found=await programmes.find_organisations(query) if query else [], error=error,
            entered=entered or {}, done=done_message(request)))

    @get(PAGE, name="related_parties")
    async def related_parties(self, request: Request[Any, Any, Any], web: WebState, me: Identity,
                              programmes: ProgrammesQueries) -> Template:
        if not await officer_of(web, me):
            return error_page(request, PermissionDeniedError("this needs the role programme_officer",
                                                             code="role.needed", roles=["programme_officer"]))
        return await self._page(request, programmes)

    @post(PAGE)
    async def mark(self, request: Request[Any, Any, Any], web: WebState, me: Identity, marketplace: Marketplace,
                   programmes: ProgrammesQueries) -> Template | Redirect:
        form = await request.form()
        entered = {k: text(form, k)[:500] for k in ("organisation", "related_organisation", "reason")}
        try:
            if not await officer_of(web, me):
                raise PermissionDeniedError("this needs the role programme_officer", code="role.needed",
                                            roles=["programme_officer"])
            command = to_command(pc.MarkRelatedParties, {
                "organisation_id": await pick(programmes, entered["organisation"], "organisation_id"),
                "related_organisation_id": await pick(programmes, entered["related_organisation"],
                                                      "related_organisation_id"),
                "reason": text(form, "reason"),
            })
            await run_command(web, marketplace.programmes.mark_related_parties, command, me)
        except DomainError as error:
            if status_of(error) == 403:
                return error_page(request, error)
            return await self._page(request, programmes, status=status_of(error), error=explain(request, error),
                                    entered=entered)
        return Redirect(f"{PAGE}?done=related_marked", status_code=303)

    @post(f"{PAGE}/withdraw")
    async def withdraw(self, request: Request[Any, Any, Any], web: WebState, me: Identity,
                       marketplace: Marketplace, programmes: ProgrammesQueries) -> Template | Redirect:
        form = await request.form()
        try:
            command = to_command(pc.WithdrawRelatedParties, {
                "organisation_id": text(form, "organisation_id"),
                "related_organisation_id": text(form, "related_organisation_id"),
                "reason": text(form, "reason"),
            })
            await run_command(web, marketplace.programmes.withdraw_related_parties, command, me)
        except DomainError as error:
            if status_of(error) == 403:
                return error_page(request, error)
            return await self._page(request, programmes, status=status_of(error), error=explain(request, error))
        return Redirect(f"{PAGE}?done=related_withdrawn", status_code=303)

