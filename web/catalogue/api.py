"""JSON API under /api: the same commands and queries as the pages, documented by OpenAPI."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, delete, get, post, put
from litestar.exceptions import NotAuthorizedException, NotFoundException
from litestar.params import Parameter

from domain.accounts.user import Role
from domain.catalogue.listing import DealType, Maturity
from domain.catalogue.patent_terms import LegalStatus
from marketplace.accounts import commands as ac
from marketplace.accounts.passwords import hash_password
from marketplace.catalogue import commands as cc
from projections.accounts.view import OrganisationRow
from projections.catalogue.queries import ListingDetail, ListingFilters, ListingItem, PatentRecord, StatusChange
from web.answers import Created, Done
from web.api_docs import BEARER, OPTIONAL_BEARER, answers, documented
from web.context import Identity, bearer_identity, issue_token, read_token
from web.params import MAX_VERSION, Amount, Limit, Offset, PublicListingStatus, Version
from web.sessions import authenticate, revoke_token
from web.state import WebState
from web.throttle import client_address, password_work, throttle_of

Query = Annotated[str, Parameter(max_length=200, description="words to search for")]


class Credentials(msgspec.Struct, frozen=True):
    email: str
    password: str


class Token(msgspec.Struct, frozen=True):
    token: str
    token_type: str
    user_id: UUID
    organisation_id: UUID
    roles: list[str]


class ListingCollection(msgspec.Struct, frozen=True):
    items: list[ListingItem]
    total: int
    facets: dict[str, list[dict[str, Any]]]


class PatentCollection(msgspec.Struct, frozen=True):
    items: list[PatentRecord]
    total: int


class PatentDetail(msgspec.Struct, frozen=True):
    patent: PatentRecord
    status_history: list[StatusChange]


class OrganisationCollection(msgspec.Struct, frozen=True):
    items: list[OrganisationRow]
    total: int


def api_identity(request: Request[Any, Any, Any], web: WebState) -> Identity:
    """The caller of a JSON API command: a bearer token is required (401 otherwise)."""
    identity = bearer_identity(request, web.services.settings.secret_key)
    if identity is None:
        raise NotAuthorizedException("authorization: send 'Authorization: Bearer <token>' (POST /api/auth/token)")
    return identity


class ApiController(Controller):
    path = "/api"
    tags = ["marketplace"]  # noqa: RUF012 - litestar declares it as an instance attribute

    # --- authentication ---------------------------------------------------------------
    @post("/auth/token", summary="Exchange e-mail and password for a bearer token (8 hours; revocable)",
          description="Failed attempts are throttled per address and per account: 429 with Retry-After.",
          responses=answers(401, 429))
    async def token(self, data: Credentials, web: WebState, request: Request[Any, Any, Any]) -> Token:
        identity = await authenticate(request, web, data.email, data.password)
        if identity is None:
            raise NotAuthorizedException("email: e-mail or password is wrong")
        return Token(issue_token(identity, web.services.settings.secret_key), "bearer", identity.user_id,
                     identity.organisation_id, list(identity.roles))

    @post("/auth/logout", summary="Revoke the bearer token presented", status_code=204, security=BEARER)
    async def logout(self, web: WebState, request: Request[Any, Any, Any]) -> None:
        api_identity(request, web)
        claims = read_token(request.headers.get("authorization", ""), web.services.settings.secret_key)
        assert claims is not None
        await revoke_token(web.pool, claims.jti, claims.expires_at)

    @post("/signup", summary="Sign up for a new organisation (awaits verification)",
          description="Throttled per address and per e-mail: 429 with Retry-After.", responses=answers(409, 429))
    async def signup(self, data: ac.SignUp, web: WebState, request: Request[Any, Any, Any]) -> Created:
        await throttle_of(request).take(("signup.address", client_address(request)), ("signup.account", data.email))
        hashed = await password_work(hash_password, data.password)
        user_id, position = await web.run(web.services.app.accounts.sign_up, data, password_hash=hashed)
        await web.wait_for(position)
        return Created(user_id, position)

    # --- listings ---------------------------------------------------------------------
    @get("/listings", summary="Search and filter listings")
    async def listings(
        self, web: WebState, q: Query = "",
        ipc_section: Annotated[str | None, Parameter(pattern="^[A-Ha-h]$", description="IPC section")] = None,
        ipc_class: Annotated[str | None, Parameter(pattern="^[A-Ha-h][0-9]{2}$", description="IPC class")] = None,
        deal_type: DealType | None = None, price_min: Amount = None, price_max: Amount = None,
        maturity: Maturity | None = None, status: PublicListingStatus = "published", limit: Limit = 20,
        offset: Offset = 0,
    ) -> ListingCollection:
        filters = ListingFilters(q=q, ipc_section=ipc_section.upper() if ipc_section else None,
                                 ipc_class=ipc_class.upper() if ipc_class else None,
                                 deal_type=deal_type.value if deal_type else None, price_min=price_min,
                                 price_max=price_max, maturity=maturity.value if maturity else None, status=status,
                                 limit=limit, offset=offset)
        page = await web.catalogue.list_and_count(filters)
        facets = {k: [{"value": f.value, "count": f.count} for f in v] for k, v in page.facets.items()}
        return ListingCollection(page.items, page.total, facets)

    @get("/listings/{listing_id:uuid}", summary="One listing with its patent and status history",
         security=OPTIONAL_BEARER)
    async def listing(self, listing_id: UUID, web: WebState, request: Request[Any, Any, Any]) -> ListingDetail:
        detail = await web.catalogue.get_one_or_none(listing_id)
        if detail is None or not _visible(detail.listing, bearer_identity(request, web.services.settings.secret_key)):
            raise NotFoundException(f"listing_id: no listing with id {listing_id}")
        return detail

    @post("/listings", summary="Draft a listing for a patent your organisation owns", security=BEARER)
    async def draft_listing(self, data: cc.DraftListing, web: WebState, request: Request[Any, Any, Any]) -> Created:
        me = api_identity(request, web)
        listing_id, position = await web.run(web.services.app.catalogue.draft_listing, data, actor_id=me.user_id)
        await web.wait_for(position)
        return Created(listing_id, position)

    @put("/listings/{listing_id:uuid}", summary="Revise a listing's terms", status_code=200, security=BEARER)
    async def revise_listing(
        self, listing_id: UUID, data: cc.ListingTermsInput, web: WebState, request: Request[Any, Any, Any],
        expected_version: Version = None,
    ) -> Done:
        me = api_identity(request, web)
        cmd = cc.ReviseListing(listing_id=listing_id, expected_version=expected_version,
                               **msgspec.structs.asdict(data))
        position = await web.run(web.services.app.catalogue.revise_listing, cmd, actor_id=me.user_id)
        await web.wait_for(position)
        return Done(position)

    @post("/listings/{listing_id:uuid}/publish", summary="Publish a draft listing", status_code=200, security=BEARER)
    async def publish_listing(
        self, listing_id: UUID, web: WebState, request: Request[Any, Any, Any], expected_version: Version = None
    ) -> Done:
        me = api_identity(request, web)
        cmd = cc.PublishListing(listing_id=listing_id, expected_version=expected_version)
        position = await web.run(web.services.app.catalogue.publish_listing, cmd, actor_id=me.user_id)
        await web.wait_for(position)
        return Done(position)

    @post("/listings/{listing_id:uuid}/withdraw", summary="Withdraw a listing", status_code=200, security=BEARER)
    async def withdraw_listing(
        self, listing_id: UUID, web: WebState, request: Request[Any, Any, Any],
        reason: Annotated[str, Parameter(max_length=500)] = "", expected_version: Version = None,
    ) -> Done:
        me = api_identity(request, web)
        cmd = cc.WithdrawListing(listing_id=listing_id, reason=reason, expected_version=expected_version)
        position = await web.run(web.services.app.catalogue.withdraw_listing, cmd, actor_id=me.user_id)
        await web.wait_for(position)
        return Done(position)

    # --- patents ----------------------------------------------------------------------
    @get("/patents", summary="Search patents")
    async def patents(
        self, web: WebState, q: Query = "",
        jurisdiction: Annotated[str | None, Parameter(pattern="^[A-Za-z]{2}$", description="e.g. CN")] = None,
        owner_id: UUID | None = None, limit: Limit = 20, offset: Offset = 0,
    ) -> PatentCollection:
        items, total = await web.catalogue.list_patents(
            q=q, jurisdiction=jurisdiction.upper() if jurisdiction else None, owner_id=owner_id,
            limit=limit, offset=offset,
        )
        return PatentCollection(items, total)

    @get("/patents/{patent_id:uuid}", summary="One patent with its legal-status history")
    async def patent(self, patent_id: UUID, web: WebState) -> PatentDetail:
        found = await web.catalogue.get_patent(patent_id)
        if found is None:
            raise NotFoundException(f"patent_id: no patent with id {patent_id}")
        return PatentDetail(*found)

    @post("/patents", summary="Register a patent owned by your organisation", security=BEARER)
    async def register_patent(self, data: cc.RegisterPatent, web: WebState, request: Request[Any, Any, Any]) -> Created:
        me = api_identity(request, web)
        patent_id, position = await web.run(web.services.app.catalogue.register_patent, data, actor_id=me.user_id)
        await web.wait_for(position)
        return Created(patent_id, position)

    @post("/patents/{patent_id:uuid}/legal-status", summary="Record a change of legal status", status_code=200,
          security=BEARER)
    async def change_legal_status(
        self, patent_id: UUID, data: LegalStatusInput, web: WebState, request: Request[Any, Any, Any]
    ) -> Done:
        me = api_identity(request, web)
        cmd = cc.ChangeLegalStatus(patent_id=patent_id, **msgspec.structs.asdict(data))
        position = await web.run(web.services.app.catalogue.change_legal_status, cmd, actor_id=me.user_id)
        await web.wait_for(position)
        return Done(position)

    # --- roles ------------------------------------------------------------------------
    @post("/users/{user_id:uuid}/roles", summary="Grant a role (platform admin, or org admin within the org)",
          status_code=200, security=BEARER)
    async def grant_role(self, user_id: UUID, data: RoleInput, web: WebState, request: Request[Any, Any, Any]) -> Done:
        me = api_identity(request, web)
        cmd = ac.GrantRole(user_id=user_id, role=data.role)
        position = await web.run(web.services.app.accounts.grant_role, cmd, actor_id=me.user_id)
        await web.wait_for(position)
        return Done(position)

    @delete("/users/{user_id:uuid}/roles/{role:str}", summary="Revoke a role", status_code=200, security=BEARER)
    async def revoke_role(self, user_id: UUID, role: str, web: WebState, request: Request[Any, Any, Any]) -> Done:
        me = api_identity(request, web)
        cmd = ac.RevokeRole(user_id=user_id, role=role)
        position = await web.run(web.services.app.accounts.revoke_role, cmd, actor_id=me.user_id)
        await web.wait_for(position)
        return Done(position)

    # --- organisations ----------------------------------------------------------------
    @get("/organisations", summary="Organisations, optionally only verified or unverified ones")
    async def organisations(
        self, web: WebState, verified: bool | None = None, limit: Limit = 50, offset: Offset = 0
    ) -> OrganisationCollection:
        items, total = await web.accounts.list_organisations(verified=verified, limit=limit, offset=offset)
        return OrganisationCollection(items, total)

    @post("/organisations/{organisation_id:uuid}/verify", summary="Verify an organisation (platform admin)",
          status_code=200, security=BEARER)
    async def verify(self, organisation_id: UUID, web: WebState, request: Request[Any, Any, Any]) -> Done:
        me = api_identity(request, web)
        cmd = ac.VerifyOrganisation(organisation_id=organisation_id)
        position = await web.run(web.services.app.accounts.verify_organisation, cmd, actor_id=me.user_id)
        await web.wait_for(position)
        return Done(position)


class RoleInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    role: Annotated[str, documented(Role)]


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
