"""Forms for organisation members: register a patent; draft, edit, publish and withdraw listings."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from domain.shared.errors import DomainError
from marketplace.catalogue import commands as cc
from marketplace.platform.application import Marketplace
from projections.accounts.view import AccountsQueries
from projections.catalogue.queries import CatalogueQueries
from web.commands import run_command
from web.context import Identity, page_context
from web.errors import error_page, form_error, status_of
from web.forms import funding_fields, listing_fields, optional, patent_fields, text, to_command
from web.identity import login_required
from web.params import MAX_VERSION, whole_number
from web.state import WebState


def _version(form: Any) -> int | None:
    value = optional(form, "expected_version")
    return whole_number(value, MAX_VERSION)


class MemberFormsController(Controller):
    include_in_schema = False
    guards = [login_required]  # noqa: RUF012 - litestar declares it as an instance attribute

    # --- patents ----------------------------------------------------------------------
    @get("/patents/new", name="patent_new")
    async def patent_form(self, request: Request[Any, Any, Any], accounts: AccountsQueries, me: Identity) -> Template:
        mine = await accounts.get_organisation(me.organisation_id)
        if not me.has("platform_admin") and not (mine and mine.verified):  # the form would only be refused
            return Template("patents/new.html.jinja2", context=page_context(request, needs_verification=True))
        orgs, _ = await accounts.list_organisations(limit=100)
        return Template("patents/new.html.jinja2", context=page_context(
            request, orgs=orgs, values={"owner_0": str(me.organisation_id), "owner_share_0": "100"}))

    @post("/patents/new")
    async def register_patent(
        self, request: Request[Any, Any, Any], web: WebState, marketplace: Marketplace, accounts: AccountsQueries,
        me: Identity,
    ) -> Template | Redirect:
        form = await request.form()
        try:
            cmd = to_command(cc.RegisterPatent, patent_fields(form))
            patent_id, _ = await run_command(web, marketplace.catalogue.register_patent, cmd, me)
        except DomainError as error:
            mine = await accounts.get_organisation(me.organisation_id)
            if status_of(error) == 403 and not me.has("platform_admin") and not (mine and mine.verified):
                return Template("patents/new.html.jinja2", status_code=403,
                                context=page_context(request, needs_verification=True))
            orgs, _ = await accounts.list_organisations(limit=100)
            return form_error(request, "patents/new.html.jinja2", error, orgs=orgs,
                              values={k: str(v) for k, v in form.items()})
        return Redirect(f"/patents/{patent_id}", status_code=303)

    @post("/patents/{patent_id:uuid}/legal-status")
    async def legal_status(
        self, patent_id: UUID, request: Request[Any, Any, Any], web: WebState, marketplace: Marketplace, me: Identity
    ) -> Template | Redirect:
        form = await request.form()
        try:
            cmd = to_command(cc.ChangeLegalStatus, {
                "patent_id": str(patent_id), "legal_status": text(form, "legal_status"),
                "effective_date": text(form, "effective_date"), "reason": text(form, "reason"),
                "expected_version": _version(form),
            })
            await run_command(web, marketplace.catalogue.change_legal_status, cmd, me)
        except DomainError as error:
            return error_page(request, error)
        return Redirect(f"/patents/{patent_id}", status_code=303)

    @post("/patents/{patent_id:uuid}/funding")
    async def funding(
        self, patent_id: UUID, request: Request[Any, Any, Any], web: WebState, marketplace: Marketplace, me: Identity
    ) -> Template | Redirect:
        """Record the patent's public funding (funder, programme, project, end date): an owner's member."""
        form = await request.form()
        try:
            cmd = to_command(cc.RecordFunding, {"patent_id": str(patent_id), "public_funding": funding_fields(form),
                                                "expected_version": _version(form)})
            await run_command(web, marketplace.catalogue.record_funding, cmd, me)
        except DomainError as error:
            return error_page(request, error)
        return Redirect(f"/patents/{patent_id}?funding=recorded#funding", status_code=303)

    # --- listings ---------------------------------------------------------------------
    @get("/listings/new", name="listing_new")
    async def listing_form(
        self, request: Request[Any, Any, Any], catalogue: CatalogueQueries, me: Identity
    ) -> Template:
        patents, _ = await catalogue.list_patents(owner_id=me.organisation_id, limit=100)
        values = {"patent_id": request.query_params.get("patent_id", ""), "price_mode": "negotiable"}
        return Template("listings/form.html.jinja2", context=page_context(
            request, patents=[p for p in patents if p.active_listing_id is None], values=values, listing=None))

    @post("/listings/new")
    async def draft_listing(
        self, request: Request[Any, Any, Any], web: WebState, marketplace: Marketplace, catalogue: CatalogueQueries,
        me: Identity,
    ) -> Template | Redirect:
        form = await request.form()
        try:
            cmd = to_command(cc.DraftListing, listing_fields(form) | {"patent_id": text(form, "patent_id")})
            listing_id, _ = await run_command(web, marketplace.catalogue.draft_listing, cmd, me)
        except DomainError as error:
            patents, _ = await catalogue.list_patents(owner_id=me.organisation_id, limit=100)
            return form_error(request, "listings/form.html.jinja2", error, listing=None,
                              patents=[p for p in patents if p.active_listing_id is None], values=_values(form))
        return Redirect(f"/listings/{listing_id}", status_code=303)

    @get("/listings/{listing_id:uuid}/edit", name="listing_edit")
    async def edit_form(
        self, listing_id: UUID, request: Request[Any, Any, Any], catalogue: CatalogueQueries, me: Identity
    ) -> Template:
        detail = await catalogue.get_one_or_none(listing_id)
        if detail is None or detail.listing.organisation_id != me.organisation_id:
            raise NotFoundException(f"listing_id: no listing of yours with id {listing_id}")
        item = detail.listing
        values: dict[str, Any] = {
            "deal_types": item.deal_types, "price_mode": item.price_mode,
            "asking_price": f"{item.asking_price / 100:.2f}" if item.asking_price is not None else "",
            "maturity": item.maturity, "trl": item.trl or "", "advantages": detail.advantages,
            "applications": detail.applications, "keywords": ", ".join(item.keywords),
            "expected_version": item.version,
        }
        if detail.open_licence:
            values |= {"open_fee": f"{detail.open_licence['fee'] / 100:.2f}",
                       "royalty_rate": detail.open_licence["royalty_rate"] / 100,
                       "term_years": detail.open_licence["term_years"]}
        return Template("listings/form.html.jinja2",
                        context=page_context(request, listing=detail, values=values, patents=[]))

    @post("/listings/{listing_id:uuid}/edit")
    async def revise(
        self, listing_id: UUID, request: Request[Any, Any, Any], web: WebState, marketplace: Marketplace,
        catalogue: CatalogueQueries, me: Identity,
    ) -> Template | Redirect:
        form = await request.form()
        try:
            cmd = to_command(cc.ReviseListing, listing_fields(form) | {
                "listing_id": str(listing_id), "expected_version": _version(form)})
            await run_command(web, marketplace.catalogue.revise_listing, cmd, me)
        except DomainError as error:
            detail = await catalogue.get_one_or_none(listing_id)
            if detail is None or detail.listing.organisation_id != me.organisation_id:
                return error_page(request, error)  # the form would show another organisation's listing
            return form_error(request, "listings/form.html.jinja2", error, listing=detail, patents=[],
                              values=_values(form))
        return Redirect(f"/listings/{listing_id}", status_code=303)

    @post("/listings/{listing_id:uuid}/publish")
    async def publish(
        self, listing_id: UUID, request: Request[Any, Any, Any], web: WebState, marketplace: Marketplace, me: Identity
    ) -> Template | Redirect:
        form = await request.form()
        data = {"listing_id": str(listing_id), "expected_version": _version(form)}
        try:
            await run_command(web, marketplace.catalogue.publish_listing, to_command(cc.PublishListing, data), me)
        except DomainError as error:
            return error_page(request, error)
        return Redirect(f"/listings/{listing_id}", status_code=303)

    @post("/listings/{listing_id:uuid}/withdraw")
    async def withdraw(
        self, listing_id: UUID, request: Request[Any, Any, Any], web: WebState, marketplace: Marketplace, me: Identity
    ) -> Template | Redirect:
        form = await request.form()
        data = {"listing_id": str(listing_id), "expected_version": _version(form), "reason": text(form, "reason")}
        try:
            await run_command(web, marketplace.catalogue.withdraw_listing, to_command(cc.WithdrawListing, data), me)
        except DomainError as error:
            return error_page(request, error)
        return Redirect(f"/listings/{listing_id}", status_code=303)


def _values(form: Any) -> dict[str, Any]:
    values: dict[str, Any] = {k: str(v) for k, v in form.items()}
    values["deal_types"] = [str(v) for v in form.getall("deal_types", [])]
    return values
