"""Pages for a patent registration's standing: co-owners confirm or decline (from /my), the registrant
withdraws, an organisation files an ownership claim, and the platform admin decides claims."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from domain.shared.errors import DomainError
from marketplace.catalogue import commands as r
from marketplace.platform.application import Marketplace
from projections.catalogue.queries import CatalogueQueries
from web.commands import run_command
from web.context import Identity, page_context
from web.errors import admin_only, error_page
from web.forms import text, to_command
from web.identity import login_required
from web.state import WebState

C = TypeVar("C", bound=msgspec.Struct)


class RegistrationPagesController(Controller):
    include_in_schema = False
    guards = [login_required]  # noqa: RUF012 - litestar declares it as an instance attribute

    @post("/my/co-ownership/{patent_id:uuid}/confirm")
    async def confirm(
        self, patent_id: UUID, request: Request[Any, Any, Any], web: WebState, marketplace: Marketplace, me: Identity
    ) -> Template | Redirect:
        return await _command(request, web, me, marketplace.registrations.confirm_co_ownership, r.ConfirmCoOwnership,
                              {"patent_id": str(patent_id)}, "/my")

    @post("/my/co-ownership/{patent_id:uuid}/decline")
    async def decline(
        self, patent_id: UUID, request: Request[Any, Any, Any], web: WebState, marketplace: Marketplace, me: Identity
    ) -> Template | Redirect:
        form = await request.form()
        return await _command(request, web, me, marketplace.registrations.decline_co_ownership, r.DeclineCoOwnership,
                              {"patent_id": str(patent_id), "reason": text(form, "reason")}, "/my")

    @post("/patents/{patent_id:uuid}/withdraw-registration")
    async def withdraw(
        self, patent_id: UUID, request: Request[Any, Any, Any], web: WebState, marketplace: Marketplace, me: Identity
    ) -> Template | Redirect:
        form = await request.form()
        return await _command(request, web, me, marketplace.registrations.withdraw_registration, r.WithdrawRegistration,
                              {"patent_id": str(patent_id), "reason": text(form, "reason")}, f"/patents/{patent_id}")

    @post("/patents/{patent_id:uuid}/claims")
    async def file_claim(
        self, patent_id: UUID, request: Request[Any, Any, Any], web: WebState, marketplace: Marketplace, me: Identity
    ) -> Template | Redirect:
        form = await request.form()
        data = {"patent_id": str(patent_id), "evidence": text(form, "evidence"), "reference": text(form, "reference")}
        return await _command(
            request, web, me, marketplace.registrations.file_ownership_claim, r.FileOwnershipClaim, data,
            f"/patents/{patent_id}?claim=filed")

    @get("/admin/claims", name="admin_claims")
    async def claims(
        self, request: Request[Any, Any, Any], web: WebState, catalogue: CatalogueQueries, me: Identity
    ) -> Template:
        if not (await web.with_current_roles(me)).has("platform_admin"):
            return admin_only(request)
        pending, total = await catalogue.list_claims(status="filed")
        decided, _ = await catalogue.list_claims(status=None, limit=50)
        return Template("admin/claims.html.jinja2", context=page_context(
            request, pending=pending, total=total, decided=[c for c in decided if c.status != "filed"]))

    @post("/admin/claims/{claim_id:uuid}/decide")
    async def decide(
        self, claim_id: UUID, request: Request[Any, Any, Any], web: WebState, marketplace: Marketplace, me: Identity
    ) -> Template | Redirect:
        form = await request.form()
        data = {"claim_id": str(claim_id), "upheld": text(form, "decision") == "uphold", "reason": text(form, "reason")}
        return await _command(
            request, web, me, marketplace.registrations.decide_ownership_claim, r.DecideOwnershipClaim, data,
            "/admin/claims")


async def _command(
    request: Request[Any, Any, Any], web: WebState, me: Identity, command: Callable[..., object], kind: type[C],
    data: dict[str, Any], target: str,
) -> Template | Redirect:
    """Run one command for the logged-in user; its refusal is shown with its status and rule."""
    try:
        await run_command(web, command, to_command(kind, data), me)
    except DomainError as error:
        return error_page(request, error)
    return Redirect(target, status_code=303)
