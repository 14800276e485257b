"""JSON API of the catalogue under /api: listings and patents, the same commands and queries as the pages."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from litestar import Controller, get, post, put
from litestar.exceptions import NotFoundException
from litestar.params import Parameter

from domain.catalogue.listing import DealType, Maturity
from domain.catalogue.patent_terms import LegalStatus
from marketplace.catalogue import commands as cc
from marketplace.platform.application import Marketplace
from projections.catalogue.queries import (
    CatalogueQueries,
    FacetCount,
    ListingDetail,
    ListingFilters,
    ListingItem,
    PatentRecord,
    StatusChange,
)
from web.answers import Created, Done
from web.api_docs import BEARER, OPTIONAL_BEARER, documented
from web.commands import run_command
from web.context import Identity
from web.params import MAX_VERSION, Amount, Limit, Offset, PublicListingStatus, Version
from web.state import WebState

Query = Annotated[str, Parameter(max_length=200, description="words to search for")]
ListingSort = Literal["relevance", "newest", "price_asc", "price_desc"]


class ListingCollection(msgspec.Struct, frozen=True):
    items: list[ListingItem]
    total: int
    facets: dict[str, list[FacetCount]]


class PatentCollection(msgspec.Struct, frozen=True):
    items: list[PatentRecord]
    total: int


class PatentDetail(msgspec.Struct, frozen=True):
    patent: PatentRecord
    status_history: list[StatusChange]


class ApiController(Controller):
    path = "/api"
    tags = ["catalogue"]  # noqa: RUF012 - litestar declares it as an instance attribute
    # No login guard on the JSON API: a body is decoded (a malformed one is a 400) before the token is asked for;
    # ``me`` refuses a call without a token with the guard's 401 (``web.identity.provide_identity``).

    # --- listings ---------------------------------------------------------------------
    @get("/listings", summary="Search and filter listings")
    async def listings(
        self, catalogue: CatalogueQueries, q: Query = "",
        ipc_section: Annotated[str | None, Parameter(pattern="^[A-Ha-h]$", description="IPC section")] = None,
        ipc_class: Annotated[str | None, Parameter(pattern="^[A-Ha-h][0-9]{2}$", description="IPC class")] = None,
        deal_type: DealType | None = None, price_min: Amount = None, price_max: Amount = None,
        maturity: Maturity | None = None, status: PublicListingStatus = "published", limit: Limit = 20,
        offset: Offset = 0,
        sort: Annotated[ListingSort | None, Parameter(
            description="relevance (the default with q), newest (the default without), price_asc or price_desc;"
                        " negotiable prices come last")] = None,
    ) -> ListingCollection:
        filters = ListingFilters(q=q, ipc_section=ipc_section.upper() if ipc_section else None,
                                 ipc_class=ipc_class.upper() if ipc_class else None,
                                 deal_type=deal_type.value if deal_type else None, price_min=price_min,
                                 price_max=price_max, maturity=maturity.value if maturity else None, status=status,
                                 limit=limit, offset=offset, sort=sort or "")
        page = await catalogue.list_and_count(filters)
        return ListingCollection(page.items, page.total, page.facets)

    @get("/listings/{listing_id:uuid}", summary="One listing with its patent and status history",
         security=OPTIONAL_BEARER)
    async def listing(self, listing_id: UUID, catalogue: CatalogueQueries, maybe_me: Identity | None) -> ListingDetail:
        detail = await catalogue.get_one_or_none(listing_id)
        if detail is None or not _visible(detail.listing, maybe_me):
            raise NotFoundException(f"listing_id: no listing with id {listing_id}")
        return detail

    @post("/listings", summary="Draft a listing for a patent your organisation owns", security=BEARER)
    async def draft_listing(
        self, data: cc.DraftListing, web: WebState, marketplace: Marketplace, me: Identity
    ) -> Created:
        listing_id, position = await run_command(web, marketplace.catalogue.draft_listing, data, me)
        return Created(listing_id, position)

    @put("/listings/{listing_id:uuid}", summary="Revise a listing's terms", status_code=200, security=BEARER)
    async def revise_listing(
        self, listing_id: UUID, data: cc.ListingTermsInput, web: WebState, marketplace: Marketplace, me: Identity,
        expected_version: Version = None,
    ) -> Done:
        cmd = cc.ReviseListing(listing_id=listing_id, expected_version=expected_version,
                               **msgspec.structs.asdict(data))
        return Done(await run_command(web, marketplace.catalogue.revise_listing, cmd, me))

    @post("/listings/{listing_id:uuid}/publish", summary="Publish a draft listing", status_code=200, security=BEARER)
    async def publish_listing(
        self, listing_id: UUID, web: WebState, marketplace: Marketplace, me: Identity, expected_version: Version = None
    ) -> Done:
        cmd = cc.PublishListing(listing_id=listing_id, expected_version=expected_version)
        return Done(await run_command(web, marketplace.catalogue.publish_listing, cmd, me))

    @post("/listings/{listing_id:uuid}/withdraw", summary="Withdraw a listing", status_code=200, security=BEARER)
    async def withdraw_listing(
        self, listing_id: UUID, web: WebState, marketplace: Marketplace, me: Identity,
        reason: Annotated[str, Parameter(max_length=500)] = "", expected_version: Version = None,
    ) -> Done:
        cmd = cc.WithdrawListing(listing_id=listing_id, reason=reason, expected_version=expected_version)
        return Done(await run_command(web, marketplace.catalogue.withdraw_listing, cmd, me))

    # --- patents ----------------------------------------------------------------------
    @get("/patents", summary="Search patents")
    async def patents(
        self, catalogue: CatalogueQueries, q: Query = "",
        jurisdiction: Annotated[str | None, Parameter(pattern="^[A-Za-z]{2}$", description="e.g. CN")] = None,
        owner_id: UUID | None = None, limit: Limit = 20, offset: Offset = 0,
    ) -> PatentCollection:
        items, total = await catalogue.list_patents(
            q=q, jurisdiction=jurisdiction.upper() if jurisdiction else None, owner_id=owner_id,
            limit=limit, offset=offset,
        )
        return PatentCollection(items, total)

    @get("/patents/{patent_id:uuid}", summary="One patent with its legal-status history")
    async def patent(self, patent_id: UUID, catalogue: CatalogueQueries) -> PatentDetail:
        found = await catalogue.get_patent(patent_id)
        if found is None:
            raise NotFoundException(f"patent_id: no patent with id {patent_id}")
        return PatentDetail(*found)

    @post("/patents", summary="Register a patent owned by your organisation", security=BEARER)
    async def register_patent(
        self, data: cc.RegisterPatent, web: WebState, marketplace: Marketplace, me: Identity
    ) -> Created:
        patent_id, position = await run_command(web, marketplace.catalogue.register_patent, data, me)
        return Created(patent_id, position)

    @post("/patents/{patent_id:uuid}/funding", status_code=200, security=BEARER,
          summary="Record the patent's public funding (a member of an owner organisation, or a platform admin)")
    async def record_funding(
        self, patent_id: UUID, data: FundingBody, web: WebState, marketplace: Marketplace, me: Identity
    ) -> Done:
        cmd = cc.RecordFunding(patent_id=patent_id, public_funding=data.public_funding,
                               expected_version=data.expected_version)
        return Done(await run_command(web, marketplace.catalogue.record_funding, cmd, me))

    @post("/patents/{patent_id:uuid}/legal-status", summary="Record a change of legal status", status_code=200,
          security=BEARER)
    async def change_legal_status(
        self, patent_id: UUID, data: LegalStatusInput, web: WebState, marketplace: Marketplace, me: Identity
    ) -> Done:
        cmd = cc.ChangeLegalStatus(patent_id=patent_id, **msgspec.structs.asdict(data))
        return Done(await run_command(web, marketplace.catalogue.change_legal_status, cmd, me))


class FundingBody(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The public money behind the patent; ``public_funding`` left out (or null) says it had none."""

    public_funding: cc.FundingInput | None = None
    expected_version: Annotated[int, msgspec.Meta(ge=1, le=MAX_VERSION)] | None = None


class LegalStatusInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    legal_status: Annotated[str, documented(LegalStatus)]
    effective_date: date
    reason: Annotated[str, msgspec.Meta(max_length=500)] = ""
    expected_version: Annotated[int, msgspec.Meta(ge=1, le=MAX_VERSION)] | None = None


def _visible(listing: ListingItem, me: Identity | None) -> bool:
    """Drafts are visible only to their organisation (and platform admins)."""
    if listing.status != "draft":
        return True
    return me is not None and (me.organisation_id == listing.organisation_id or me.has("platform_admin"))
