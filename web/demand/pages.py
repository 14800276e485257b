"""Enquiry pages: a listing's enquiries and materials section, the enquiry threads of both sides, the offer
form opened from a thread, and the seller's materials page.

Every form posts the command the JSON API takes; the application checks who may act on the aggregates. A
form that writes a message carries a ``message_id`` chosen when the page was drawn, so a double submit
records one message. Opening a thread with answers not yet read records that the enquirer read them.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import quote
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Response, Template

from domain.deals.terms import DealKind
from domain.demand.materials import DEFAULT_TERMS, MAX_MATERIAL_BYTES
from domain.shared.errors import DomainError, PermissionDeniedError
from marketplace.demand import commands as ec
from marketplace.platform.application import Marketplace
from projections.catalogue.queries import CatalogueQueries
from projections.demand.queries import DemandQueries, EnquiryRow, MaterialRow
from web.commands import run_command
from web.context import Identity, page_context
from web.deals.forms import terms_fields
from web.demand.access import guard_enquiry, visible_listing
from web.errors import error_page, explain, form_error, status_of
from web.forms import text, to_command
from web.identity import login_required
from web.state import WebState

#: Messages a redirect may show (``?done=…``): only these keys, never text from the address.
DONE = {"asked": "enquiry.asked", "answered": "enquiry.answered", "accepted": "enquiry.terms_accepted",
        "attached": "material.attached", "removed": "material.removed", "terms": "material.terms_saved"}
#: A multipart upload of the largest file accepted, with room for its form fields.
UPLOAD_LIMIT = MAX_MATERIAL_BYTES + 256 * 1024


def done_message(request: Request[Any, Any, Any]) -> str | None:
    return DONE.get(request.query_params.get("done", ""))


def shown_materials(rows: list[MaterialRow], *, seller: bool, enquirer: bool) -> list[MaterialRow]:
    """Public materials for everyone; confidential ones named to the seller and to enquirers only."""
    return [m for m in rows if m.access == "public" or seller or enquirer]


def disposition(name: str) -> str:
    """``attachment`` with the file's name, ASCII-safe and in UTF-8 (RFC 6266 / 5987)."""
    fallback = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in name) or "material"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


async def thread_or_404(demand: DemandQueries, enquiry_id: UUID) -> EnquiryRow:
    enquiry = await demand.get_enquiry(enquiry_id)
    if enquiry is None:
        raise NotFoundException(f"enquiry_id: no enquiry with id {enquiry_id}")
    return enquiry


class EnquiryPagesController(Controller):
    include_in_schema = False

    # --- the listing's section ------------------------------------------------------------------
    @get("/listings/{listing_id:uuid}/enquiries", name="listing_enquiries")
    async def listing_section(self, listing_id: UUID, request: Request[Any, Any, Any], maybe_me: Identity | None,
                              catalogue: CatalogueQueries, demand: DemandQueries) -> Template:
        """Ask the seller, the materials, and for the seller its enquiry counts (a whole page, or the listing
        page's section when htmx asks)."""
        detail = await visible_listing(catalogue, maybe_me, listing_id)
        me = maybe_me
        seller = me is not None and me.organisation_id == detail.listing.organisation_id
        mine = await demand.enquiry_of(listing_id, me.organisation_id) if me is not None and not seller else None
        counts = await demand.count_for_listing(listing_id) if seller else (0, 0)
        rows = await demand.materials(listing_id)
        terms = await demand.terms(listing_id) if mine is not None else None
        context = page_context(
            request, item=detail.listing, seller=seller, mine=mine, counts=counts,
            materials=shown_materials(rows, seller=seller, enquirer=mine is not None),
            hidden=sum(1 for m in rows if m.access == "confidential") if not seller and mine is None else 0,
            released=mine is not None and terms is not None and mine.accepted_terms_sha256 == terms.terms_sha256,
            message_id=uuid.uuid4(), done=done_message(request))
        partial = bool(request.headers.get("hx-request"))
        return Template("demand/partials/section.html.jinja2" if partial else "demand/listing.html.jinja2",
                        context=context)

    @post("/listings/{listing_id:uuid}/enquiries", guards=[login_required])
    async def ask(self, listing_id: UUID, request: Request[Any, Any, Any], web: WebState, me: Identity,
                  marketplace: Marketplace, catalogue: CatalogueQueries) -> Template | Redirect:
        form = await request.form()
        try:
            command = to_command(ec.AskEnquiry, {"listing_id": listing_id, "kind": text(form, "kind") or "question",
                                                 "text": text(form, "text"),
                                                 "message_id": text(form, "message_id") or None})
            thread, _ = await run_command(web, marketplace.enquiries.ask, command, me)
        except DomainError as error:
            detail = await visible_listing(catalogue, me, listing_id)  # a draft's refusal shows nothing of it
            return form_error(request, "demand/listing.html.jinja2", error, item=detail.listing, seller=False,
                              mine=None, counts=(0, 0), materials=[], hidden=0, released=False,
                              message_id=uuid.uuid4(), form=dict(form))
        return Redirect(f"/enquiries/{thread}?done=asked", status_code=303)

    # --- threads ----------------------------------------------------------------------------------
    @get("/enquiries", name="enquiries", guards=[login_required])
    async def index(self, request: Request[Any, Any, Any], me: Identity, demand: DemandQueries) -> Template:
        asked, _ = await demand.enquiries(me.organisation_id, side="enquirer")
        listing = request.query_params.get("listing", "")
        try:
            only = UUID(listing) if listing else None
        except ValueError:
            only = None
        received, _ = await demand.enquiries(me.organisation_id, side="seller", listing_id=only)
        counts = await demand.counts_by_listing(me.organisation_id)
        return Template("demand/index.html.jinja2", context=page_context(
            request, asked=asked, received=received, counts=counts, only=only))

    @get("/enquiries/{enquiry_id:uuid}", name="enquiry", guards=[login_required])
    async def thread(self, enquiry_id: UUID, request: Request[Any, Any, Any], web: WebState, me: Identity,
                     marketplace: Marketplace, demand: DemandQueries) -> Template:
        enquiry = await thread_or_404(demand, enquiry_id)
        await guard_enquiry(request, web, me, enquiry)
        if me.organisation_id == enquiry.enquirer_organisation_id and enquiry.unread_answers:
            await run_command(web, marketplace.enquiries.mark_read, ec.MarkEnquiryRead(enquiry_id=enquiry_id), me)
            enquiry = await thread_or_404(demand, enquiry_id)
        return await self._thread_page(request, me, demand, enquiry)

    @staticmethod
    async def _thread_page(request: Request[Any, Any, Any], me: Identity, demand: DemandQueries,
                           enquiry: EnquiryRow, status_code: int = 200, **values: Any) -> Template:
        side = ("enquirer" if me.organisation_id == enquiry.enquirer_organisation_id
                else "seller" if me.organisation_id == enquiry.seller_organisation_id else None)
        terms = await demand.terms(enquiry.listing_id)
        materials = await demand.materials(enquiry.listing_id)
        context = page_context(
            request, e=enquiry, side=side, messages=await demand.messages(enquiry.id), materials=materials,
            terms=terms, released=terms is not None and enquiry.accepted_terms_sha256 == terms.terms_sha256,
            reads=await demand.material_reads(enquiry.id) if side != "enquirer" else [],
            message_id=uuid.uuid4(), done=done_message(request), **values)
        return Template("demand/thread.html.jinja2", status_code=status_code, context=context)

    @post("/enquiries/{enquiry_id:uuid}/messages", guards=[login_required])
    async def write(self, enquiry_id: UUID, request: Request[Any, Any, Any], web: WebState, me: Identity,
                    marketplace: Marketplace, demand: DemandQueries) -> Template | Redirect:
        """The seller answers; the enquirer writes again (the same thread)."""
        enquiry = await thread_or_404(demand, enquiry_id)
        form = await request.form()
        message = {"text": text(form, "text"), "message_id": text(form, "message_id") or None}
        try:
            if me.organisation_id == enquiry.seller_organisation_id:
                await run_command(web, marketplace.enquiries.answer,
                                  to_command(ec.AnswerEnquiry, {"enquiry_id": enquiry_id, **message}), me)
                done = "answered"
            elif me.organisation_id == enquiry.enquirer_organisation_id:
                await run_command(web, marketplace.enquiries.ask, to_command(ec.AskEnquiry, {
                    "listing_id": enquiry.listing_id, "kind": text(form, "kind") or "question", **message}), me)
                done = "asked"
            else:
                raise PermissionDeniedError("enquiry_id: only the enquirer and the seller take part in this thread",
                                            field="enquiry_id", code="enquiry.not_party")
        except PermissionDeniedError as error:
            return error_page(request, error)
        except DomainError as error:
            return await self._thread_page(request, me, demand, enquiry, status_code=status_of(error),
                                           error=explain(request, error), form=dict(form))
        return Redirect(f"/enquiries/{enquiry_id}?done={done}#messages", status_code=303)

    @post("/enquiries/{enquiry_id:uuid}/terms", guards=[login_required])
    async def accept_terms(self, enquiry_id: UUID, request: Request[Any, Any, Any], web: WebState, me: Identity,
                           marketplace: Marketplace) -> Template | Redirect:
        form = await request.form()
        try:
            command = to_command(ec.AcceptConfidentiality, {"enquiry_id": enquiry_id,
                                                            "terms_sha256": text(form, "terms_sha256")})
            await run_command(web, marketplace.enquiries.accept_terms, command, me)
        except DomainError as error:
            return error_page(request, error)
        return Redirect(f"/enquiries/{enquiry_id}?done=accepted#materials", status_code=303)

    # --- the offer opened from a thread ----------------------------------------------------------
    @get("/enquiries/{enquiry_id:uuid}/offer", name="enquiry_offer", guards=[login_required])
    async def offer_form(self, enquiry_id: UUID, request: Request[Any, Any, Any], me: Identity,
                         demand: DemandQueries, catalogue: CatalogueQueries) -> Template:
        enquiry = await thread_or_404(demand, enquiry_id)
        if me.organisation_id != enquiry.enquirer_organisation_id:
            return error_page(request, PermissionDeniedError("enquiry_id: only the enquiring organisation may do this",
                                                             field="enquiry_id", code="enquiry.not_enquirer"))
        return await self._offer_page(request, enquiry, catalogue)

    @staticmethod
    async def _offer_page(request: Request[Any, Any, Any], enquiry: EnquiryRow, catalogue: CatalogueQueries,
                          status_code: int = 200, **values: Any) -> Template:
        detail = await catalogue.get_one_or_none(enquiry.listing_id)
        if detail is None:
            raise NotFoundException(f"listing_id: no listing with id {enquiry.listing_id}")
        kinds = [k for k in detail.listing.deal_types if k in {d.value for d in DealKind}]
        asking = detail.listing.asking_price
        prefill = {"kind": kinds[0] if kinds else "", "price": f"{asking / 100:.2f}" if asking else "",
                   "note": ""}
        return Template("demand/offer.html.jinja2", status_code=status_code, context=page_context(
            request, e=enquiry, item=detail.listing, deal_kinds=kinds, prefill=prefill, **values))

    @post("/enquiries/{enquiry_id:uuid}/offer", guards=[login_required])
    async def make_offer(self, enquiry_id: UUID, request: Request[Any, Any, Any], web: WebState, me: Identity,
                         marketplace: Marketplace, demand: DemandQueries,
                         catalogue: CatalogueQueries) -> Template | Redirect:
        enquiry = await thread_or_404(demand, enquiry_id)
        form = await request.form()
        try:
            command = to_command(ec.MakeOfferFromEnquiry, {"enquiry_id": enquiry_id, **terms_fields(form)})
            offer, _ = await run_command(web, marketplace.enquiries.make_offer_from_enquiry, command, me)
        except PermissionDeniedError as error:
            return error_page(request, error)
        except DomainError as error:
            return await self._offer_page(request, enquiry, catalogue, status_code=status_of(error),
                                          error=explain(request, error), error_field=error.field)
        return Redirect(f"/offers/{offer}", status_code=303)

    # --- the seller's materials --------------------------------------------------------------------
    @get("/listings/{listing_id:uuid}/materials", name="listing_materials", guards=[login_required])
    async def materials(self, listing_id: UUID, request: Request[Any, Any, Any], me: Identity,
                        catalogue: CatalogueQueries, demand: DemandQueries) -> Template:
        detail = await visible_listing(catalogue, me, listing_id)
        if me.organisation_id != detail.listing.organisation_id:
            return error_page(request, PermissionDeniedError(
                "listing_id: only a member of the seller organisation may do this", field="listing_id",
                code="enquiry.not_seller"))
        return await self._materials_page(request, detail.listing, demand)

    @staticmethod
    async def _materials_page(request: Request[Any, Any, Any], listing: Any, demand: DemandQueries,
                              status_code: int = 200, **values: Any) -> Template:
        terms = await demand.terms(listing.id)
        return Template("demand/materials.html.jinja2", status_code=status_code, context=page_context(
            request, item=listing, materials=await demand.materials(listing.id),
            terms=terms.terms if terms else DEFAULT_TERMS, done=done_message(request), **values))

    @post("/listings/{listing_id:uuid}/materials", guards=[login_required], request_max_body_size=UPLOAD_LIMIT)
    async def attach(self, listing_id: UUID, request: Request[Any, Any, Any], web: WebState, me: Identity,
                     marketplace: Marketplace, catalogue: CatalogueQueries,
                     demand: DemandQueries) -> Template | Redirect:
        form = await request.form()
        upload = form.get("file")
        try:
            content = await upload.read() if isinstance(upload, UploadFile) else b""
            name = upload.filename if isinstance(upload, UploadFile) else ""
            command = to_command(ec.AttachMaterial, {"listing_id": listing_id, "name": name or "",
                                                     "access": text(form, "access") or "public", "content": content})
            await run_command(web, marketplace.enquiries.attach_material, command, me)
        except DomainError as error:
            detail = await catalogue.get_one_or_none(listing_id)
            if detail is None or isinstance(error, PermissionDeniedError):
                return error_page(request, error)
            return await self._materials_page(request, detail.listing, demand, status_code=status_of(error),
                                              error=explain(request, error))
        return Redirect(f"/listings/{listing_id}/materials?done=attached", status_code=303)

    @post("/listings/{listing_id:uuid}/materials/{sha256:str}/remove", guards=[login_required])
    async def remove(self, listing_id: UUID, sha256: str, request: Request[Any, Any, Any], web: WebState,
                     me: Identity, marketplace: Marketplace) -> Template | Redirect:
        try:
            command = to_command(ec.RemoveMaterial, {"listing_id": listing_id, "sha256": sha256})
            await run_command(web, marketplace.enquiries.remove_material, command, me)
        except DomainError as error:
            return error_page(request, error)
        return Redirect(f"/listings/{listing_id}/materials?done=removed", status_code=303)

    @post("/listings/{listing_id:uuid}/confidentiality-terms", guards=[login_required])
    async def set_terms(self, listing_id: UUID, request: Request[Any, Any, Any], web: WebState, me: Identity,
                        marketplace: Marketplace) -> Template | Redirect:
        form = await request.form()
        try:
            command = to_command(ec.SetConfidentialityTerms, {"listing_id": listing_id, "text": text(form, "terms")})
            await run_command(web, marketplace.enquiries.set_terms, command, me)
        except DomainError as error:
            return error_page(request, error)
        return Redirect(f"/listings/{listing_id}/materials?done=terms", status_code=303)

    @get("/listings/{listing_id:uuid}/materials/{sha256:str}", name="material")
    async def download(self, listing_id: UUID, sha256: str, web: WebState, maybe_me: Identity | None,
                       marketplace: Marketplace) -> Response[bytes]:
        """The file, for whoever may read it (an enquirer's read of a confidential one is recorded first)."""
        command = to_command(ec.ReadMaterial, {"listing_id": listing_id, "sha256": sha256})
        found = await run_command(web, marketplace.enquiries.read_material, command, maybe_me)
        return Response(found.content, media_type=found.media_type,
                        headers={"Content-Disposition": disposition(found.name), "Cache-Control": "private, no-store"})
