"""Enquiries and materials in the JSON API: ask, answer, read, accept the confidentiality terms, make an
offer from a thread, and a listing's materials (attached as base64 in JSON, read back as bytes)."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, post, put
from litestar.exceptions import NotFoundException
from litestar.params import Parameter
from litestar.response import Response

from domain.demand.enquiry import EnquiryKind
from domain.demand.materials import DEFAULT_TERMS, MAX_MATERIAL_BYTES, Access, terms_digest
from domain.shared.errors import PermissionDeniedError
from marketplace.deals import commands as dc
from marketplace.demand import commands as ec
from marketplace.platform.application import Marketplace
from marketplace.platform.command import one_of
from projections.catalogue.queries import CatalogueQueries
from projections.demand.queries import DemandQueries, EnquiryRow, ListingEnquiryCount, MaterialRow, MessageRow
from web.answers import Created, Done
from web.api_docs import BEARER, OPTIONAL_BEARER
from web.commands import run_command
from web.context import Identity
from web.demand.access import guard_enquiry, visible_listing
from web.demand.pages import disposition, shown_materials
from web.params import Limit, Offset
from web.state import WebState

Sha256 = Annotated[str, Parameter(pattern="^[0-9a-f]{64}$", description="the material's SHA-256 (64 hex digits)")]
#: A JSON body carrying the largest file in base64, with room for its other fields.
API_UPLOAD_LIMIT = MAX_MATERIAL_BYTES * 4 // 3 + 64 * 1024


class AskInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A question (``question``) or a request for materials (``materials``) in a few words; ``message_id``:
    your id for this message (sent twice, it is recorded once)."""

    text: str
    kind: Annotated[str, one_of(EnquiryKind)] = EnquiryKind.QUESTION.value
    message_id: UUID | None = None


class MessageInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The seller's answer, or the enquirer writing again (``kind`` then as when asking)."""

    text: str
    kind: Annotated[str, one_of(EnquiryKind)] = EnquiryKind.QUESTION.value
    message_id: UUID | None = None


class AcceptInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The SHA-256 of the confidentiality terms accepted (as ``GET /api/listings/{id}/materials`` gives it)."""

    terms_sha256: ec.Sha256


class MaterialInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A PDF or an image (PNG, JPEG, WebP) of at most 10 MB; ``content`` is the file's bytes in base64."""

    name: str
    content: bytes
    access: Annotated[str, one_of(Access)] = Access.PUBLIC.value


class TermsTextInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    text: str


class MaterialCreated(msgspec.Struct, frozen=True):
    """The material's SHA-256 (its address) and the log position its record is at."""

    sha256: str
    position: int


class ThreadOut(msgspec.Struct, frozen=True):
    """An enquiry thread: where it stands and its messages, oldest first."""

    enquiry: EnquiryRow
    messages: list[MessageRow]


class EnquiryCollection(msgspec.Struct, frozen=True):
    items: list[EnquiryRow]
    total: int


class MaterialsOut(msgspec.Struct, frozen=True, kw_only=True):
    """A listing's materials as the reader may see them, the confidentiality terms in force (with their SHA-256,
    to accept them), whether the reader's organisation accepted them, and how many confidential materials it
    is not shown."""

    items: list[MaterialRow]
    terms: str
    terms_sha256: str
    released: bool
    hidden: int


class EnquiriesApiController(Controller):
    path = "/api"
    tags = ["enquiries"]  # noqa: RUF012 - litestar declares it as an instance attribute

    @post("/listings/{listing_id:uuid}/enquiries", summary="Ask the seller about a listing, or request its materials"
          " (a member of a verified organisation other than the seller)", security=BEARER)
    async def ask(self, listing_id: UUID, data: AskInput, web: WebState, marketplace: Marketplace,
                  me: Identity) -> Created:
        cmd = ec.AskEnquiry(listing_id=listing_id, kind=data.kind, text=data.text, message_id=data.message_id)
        thread, position = await run_command(web, marketplace.enquiries.ask, cmd, me)
        return Created(thread, position)

    @get("/enquiries", summary="My organisation's enquiry threads, as the enquirer or as the seller",
         security=BEARER)
    async def enquiries(self, me: Identity, demand: DemandQueries, side: Literal["enquirer", "seller"] = "enquirer",
                        listing_id: UUID | None = None, limit: Limit = 50, offset: Offset = 0) -> EnquiryCollection:
        items, total = await demand.enquiries(me.organisation_id, side=side, listing_id=listing_id, limit=limit,
                                              offset=offset)
        return EnquiryCollection(items, total)

    @get("/my/enquiry-counts", summary="Enquiries per listing of my organisation, and those awaiting an answer",
         security=BEARER)
    async def counts(self, me: Identity, demand: DemandQueries) -> list[ListingEnquiryCount]:
        return await demand.counts_by_listing(me.organisation_id)

    @get("/enquiries/{enquiry_id:uuid}", summary="An enquiry thread (its two organisations; auditors)",
         security=BEARER)
    async def thread(self, enquiry_id: UUID, request: Request[Any, Any, Any], web: WebState, me: Identity,
                     demand: DemandQueries) -> ThreadOut:
        enquiry = await demand.get_enquiry(enquiry_id)
        if enquiry is None:
            raise NotFoundException(f"enquiry_id: no enquiry with id {enquiry_id}")
        await guard_enquiry(request, web, me, enquiry)
        return ThreadOut(enquiry, await demand.messages(enquiry_id))

    @post("/enquiries/{enquiry_id:uuid}/messages", summary="Answer (the seller) or write again (the enquirer)",
          status_code=200, security=BEARER)
    async def write(self, enquiry_id: UUID, data: MessageInput, web: WebState, marketplace: Marketplace,
                    me: Identity, demand: DemandQueries) -> Done:
        enquiry = await demand.get_enquiry(enquiry_id)
        if enquiry is None:
            raise NotFoundException(f"enquiry_id: no enquiry with id {enquiry_id}")
        if me.organisation_id == enquiry.seller_organisation_id:
            answer = ec.AnswerEnquiry(enquiry_id=enquiry_id, text=data.text, message_id=data.message_id)
            return Done(await run_command(web, marketplace.enquiries.answer, answer, me))
        if me.organisation_id == enquiry.enquirer_organisation_id:
            ask = ec.AskEnquiry(listing_id=enquiry.listing_id, kind=data.kind, text=data.text,
                                message_id=data.message_id)
            _, position = await run_command(web, marketplace.enquiries.ask, ask, me)
            return Done(position)
        raise PermissionDeniedError("enquiry_id: only the enquirer and the seller take part in this thread",
                                    field="enquiry_id", code="enquiry.not_party")

    @post("/enquiries/{enquiry_id:uuid}/read", summary="The enquirer has read the answers so far", status_code=200,
          security=BEARER)
    async def read(self, enquiry_id: UUID, web: WebState, marketplace: Marketplace, me: Identity) -> Done:
        cmd = ec.MarkEnquiryRead(enquiry_id=enquiry_id)
        return Done(await run_command(web, marketplace.enquiries.mark_read, cmd, me))

    @post("/enquiries/{enquiry_id:uuid}/terms-acceptance", status_code=200, security=BEARER,
          summary="Accept the listing's confidentiality terms (the enquirer): its confidential materials are released")
    async def accept(self, enquiry_id: UUID, data: AcceptInput, web: WebState, marketplace: Marketplace,
                     me: Identity) -> Done:
        cmd = ec.AcceptConfidentiality(enquiry_id=enquiry_id, terms_sha256=data.terms_sha256)
        return Done(await run_command(web, marketplace.enquiries.accept_terms, cmd, me))

    @post("/enquiries/{enquiry_id:uuid}/offers", summary="Make an offer from the thread (the enquirer)",
          security=BEARER)
    async def offer(self, enquiry_id: UUID, data: dc.TermsInput, web: WebState, marketplace: Marketplace,
                    me: Identity) -> Created:
        fields = {f: getattr(data, f) for f in dc.TermsInput.__struct_fields__}
        cmd = ec.MakeOfferFromEnquiry(enquiry_id=enquiry_id, **fields)
        offer, position = await run_command(web, marketplace.enquiries.make_offer_from_enquiry, cmd, me)
        return Created(offer, position)

    # --- materials ----------------------------------------------------------------------------------
    @get("/listings/{listing_id:uuid}/materials", summary="A listing's materials and confidentiality terms",
         security=OPTIONAL_BEARER)
    async def materials(self, listing_id: UUID, maybe_me: Identity | None, catalogue: CatalogueQueries,
                        demand: DemandQueries) -> MaterialsOut:
        detail = await visible_listing(catalogue, maybe_me, listing_id)
        seller = maybe_me is not None and maybe_me.organisation_id == detail.listing.organisation_id
        mine = (await demand.enquiry_of(listing_id, maybe_me.organisation_id)
                if maybe_me is not None and not seller else None)
        rows = await demand.materials(listing_id)
        shown = shown_materials(rows, seller=seller, enquirer=mine is not None)
        terms = await demand.terms(listing_id)
        text = terms.terms if terms else DEFAULT_TERMS
        sha = terms.terms_sha256 if terms else terms_digest(DEFAULT_TERMS)
        return MaterialsOut(items=shown, terms=text, terms_sha256=sha,
                            released=seller or (mine is not None and mine.accepted_terms_sha256 == sha),
                            hidden=len(rows) - len(shown))

    @post("/listings/{listing_id:uuid}/materials", summary="Attach a PDF or an image to a listing (its seller)",
          security=BEARER, request_max_body_size=API_UPLOAD_LIMIT)
    async def attach(self, listing_id: UUID, data: MaterialInput, web: WebState, marketplace: Marketplace,
                     me: Identity) -> MaterialCreated:
        cmd = ec.AttachMaterial(listing_id=listing_id, name=data.name, access=data.access, content=data.content)
        sha256, position = await run_command(web, marketplace.enquiries.attach_material, cmd, me)
        return MaterialCreated(sha256, position)

    @post("/listings/{listing_id:uuid}/materials/{sha256:str}/removal", summary="Remove a material (its seller)",
          status_code=200, security=BEARER)
    async def remove(self, listing_id: UUID, sha256: Sha256, web: WebState, marketplace: Marketplace,
                     me: Identity) -> Done:
        cmd = ec.RemoveMaterial(listing_id=listing_id, sha256=sha256)
        return Done(await run_command(web, marketplace.enquiries.remove_material, cmd, me))

    @put("/listings/{listing_id:uuid}/confidentiality-terms", summary="Set the listing's confidentiality terms"
         " (its seller; earlier acceptances must be given again)", security=BEARER)
    async def terms(self, listing_id: UUID, data: TermsTextInput, web: WebState, marketplace: Marketplace,
                    me: Identity) -> Done:
        cmd = ec.SetConfidentialityTerms(listing_id=listing_id, text=data.text)
        return Done(await run_command(web, marketplace.enquiries.set_terms, cmd, me))

    @get("/listings/{listing_id:uuid}/materials/{sha256:str}", media_type="application/octet-stream",
         summary="A material's bytes (public ones for anyone; confidential ones for the seller and for enquirers "
         "who accepted the terms, each such read recorded)", security=OPTIONAL_BEARER)
    async def download(self, listing_id: UUID, sha256: Sha256, web: WebState, maybe_me: Identity | None,
                       marketplace: Marketplace) -> Response[bytes]:
        cmd = ec.ReadMaterial(listing_id=listing_id, sha256=sha256)
        found = await run_command(web, marketplace.enquiries.read_material, cmd, maybe_me)
        return Response(found.content, media_type="application/octet-stream",
                        headers={"Content-Disposition": disposition(found.name), "Cache-Control": "private, no-store",
                                 "X-Material-Type": found.media_type})
