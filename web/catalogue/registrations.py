"""Pages for a patent registration's standing: co-owners confirm or decline (from /my), the registrant
withdraws, an organisation files an ownership claim, and the platform admin decides claims."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from domain.shared.errors import DomainError
from marketplace.catalogue import commands as r
from web.accounts.pages import admin_only, error_page, require_login
from web.context import page_context
from web.forms import text, to_command
from web.state import WebState


class RegistrationPagesController(Controller):
    include_in_schema = False

    @post("/my/co-ownership/{patent_id:uuid}/confirm")
    async def confirm(self, patent_id: UUID, request: Request[Any, Any, Any], web: WebState) -> Template | Redirect:
        return await _command(request, web, web.services.app.registrations.confirm_co_ownership, r.ConfirmCoOwnership,
                              {"patent_id": str(patent_id)}, "/my")

    @post("/my/co-ownership/{patent_id:uuid}/decline")
    async def decline(self, patent_id: UUID, request: Request[Any, Any, Any], web: WebState) -> Template | Redirect:
        form = await request.form()
        return await _command(request, web, web.services.app.registrations.decline_co_ownership, r.DeclineCoOwnership,
                              {"patent_id": str(patent_id), "reason": text(form, "reason")}, "/my")

    @post("/patents/{patent_id:uuid}/withdraw-registration")
    async def withdraw(self, patent_id: UUID, request: Request[Any, Any, Any], web: WebState) -> Template | Redirect:
        form = await request.form()
        return await _command(
            request, web, web.services.app.registrations.withdraw_registration, r.WithdrawRegistration,
            {"patent_id": str(patent_id), "reason": text(form, "reason")}, f"/patents/{patent_id}")

    @post("/patents/{patent_id:uuid}/claims")
    async def file_claim(self, patent_id: UUID, request: Request[Any, Any, Any], web: WebState) -> Template | Redirect:
        form = await request.form()
        data = {"patent_id": str(patent_id), "evidence": text(form, "evidence"), "reference": text(form, "reference")}
        return await _command(
            request, web, web.services.app.registrations.file_ownership_claim, r.FileOwnershipClaim, data,
            f"/patents/{patent_id}?claim=filed")

    @get("/admin/claims", name="admin_claims")
    async def claims(self, request: Request[Any, Any, Any], web: WebState) -> Template | Redirect:
        me = require_login(request)
        if isinstance(me, Redirect):
            return me
        if not (await web.with_current_roles(me)).has("platform_admin"):
            return admin_only(request)
        pending, total = await web.catalogue.list_claims(status="filed")
        decided, _ = await web.catalogue.list_claims(status=None, limit=50)
        return Template("admin/claims.html.jinja2", context=page_context(
            request, pending=pending, total=total, decided=[c for c in decided if c.status != "filed"]))

    @post("/admin/claims/{claim_id:uuid}/decide")
    async def decide(self, claim_id: UUID, request: Request[Any, Any, Any], web: WebState) -> Template | Redirect:
        form = await request.form()
        data = {"claim_id": str(claim_id), "upheld": text(form, "decision") == "uphold", "reason": text(form, "reason")}
        return await _command(
            request, web, web.services.app.registrations.decide_ownership_claim, r.DecideOwnershipClaim, data,
            "/admin/claims")


async def _command(
    request: Request[Any, Any, Any], web: WebState, command: Callable[..., Any], kind: type[Any],
    data: dict[str, Any], target: str,
) -> Template | Redirect:
    """Run one command for the logged-in user; its refusal is shown with its status and rule."""
    me = require_login(request)
    if isinstance(me, Redirect):
        return me
    try:
        result = await web.run(command, to_command(kind, data), actor_id=me.user_id)
    except DomainError as error:
        return error_page(request, error)
    await web.wait_for(result[1] if isinstance(result, tuple) else result)
    return Redirect(target, status_code=303)
