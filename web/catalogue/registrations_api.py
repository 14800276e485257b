"""JSON API for a patent registration's standing: co-owners' confirmations, withdrawal, ownership claims."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, get, post
from litestar.exceptions import PermissionDeniedException
from litestar.params import Parameter

from marketplace.catalogue import commands as r
from marketplace.platform.application import Marketplace
from marketplace.platform.command import ShortText, Text
from projections.catalogue.claims import CoOwnershipToConfirm, OwnershipClaimRow
from projections.catalogue.queries import CatalogueQueries
from web.answers import Created, Done
from web.api_docs import BEARER
from web.commands import run_command
from web.context import Identity
from web.state import WebState

Limit = Annotated[int, Parameter(ge=1, le=100, description="page size")]
Offset = Annotated[int, Parameter(ge=0, le=100_000, description="rows to skip")]


class ReasonInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    reason: Text


class ClaimInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    evidence: Text
    reference: ShortText = ""


class DecisionInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    upheld: bool
    reason: Text = ""


class ClaimCollection(msgspec.Struct, frozen=True):
    items: list[OwnershipClaimRow]
    total: int


class CoOwnershipCollection(msgspec.Struct, frozen=True):
    items: list[CoOwnershipToConfirm]


class RegistrationsApiController(Controller):
    path = "/api"
    tags = ["registrations"]  # noqa: RUF012 - litestar declares it as an instance attribute
    security = BEARER  # every operation here needs a bearer token
    # No login guard on the JSON API: a body is decoded (a malformed one is a 400) before the token is asked for;
    # ``me`` refuses a call without a token with the guard's 401 (``web.identity.provide_identity``).

    @get("/co-ownerships", summary="Registrations naming your organisation as a co-owner, awaiting its confirmation")
    async def to_confirm(self, catalogue: CatalogueQueries, me: Identity) -> CoOwnershipCollection:
        return CoOwnershipCollection(await catalogue.co_ownerships_to_confirm(me.organisation_id))

    @post("/patents/{patent_id:uuid}/co-ownership/confirm", status_code=200,
          summary="Confirm your organisation's co-ownership (org admin of a named, verified co-owner)")
    async def confirm(self, patent_id: UUID, web: WebState, marketplace: Marketplace, me: Identity) -> Done:
        cmd = r.ConfirmCoOwnership(patent_id=patent_id)
        return Done(await run_command(web, marketplace.registrations.confirm_co_ownership, cmd, me))

    @post("/patents/{patent_id:uuid}/co-ownership/decline", status_code=200,
          summary="Decline a co-ownership: the registration is wrong and is withdrawn")
    async def decline(
        self, patent_id: UUID, data: ReasonInput, web: WebState, marketplace: Marketplace, me: Identity
    ) -> Done:
        cmd = r.DeclineCoOwnership(patent_id=patent_id, reason=data.reason)
        return Done(await run_command(web, marketplace.registrations.decline_co_ownership, cmd, me))

    @post("/patents/{patent_id:uuid}/registration/withdraw", status_code=200,
          summary="Withdraw your organisation's own registration while nothing is contracted")
    async def withdraw(
        self, patent_id: UUID, data: ReasonInput, web: WebState, marketplace: Marketplace, me: Identity
    ) -> Done:
        cmd = r.WithdrawRegistration(patent_id=patent_id, reason=data.reason)
        return Done(await run_command(web, marketplace.registrations.withdraw_registration, cmd, me))

    @post("/patents/{patent_id:uuid}/claims",
          summary="Claim, with evidence, to be the true owner of a registered patent")
    async def file_claim(
        self, patent_id: UUID, data: ClaimInput, web: WebState, marketplace: Marketplace, me: Identity
    ) -> Created:
        cmd = r.FileOwnershipClaim(patent_id=patent_id, evidence=data.evidence, reference=data.reference)
        claim_id, position = await run_command(web, marketplace.registrations.file_ownership_claim, cmd, me)
        return Created(claim_id, position)

    @get("/claims", summary="Ownership claims: every claim for a platform admin, your organisation's otherwise")
    async def claims(
        self, web: WebState, catalogue: CatalogueQueries, me: Identity, status: str | None = None,
        patent_id: UUID | None = None, limit: Limit = 50, offset: Offset = 0,
    ) -> ClaimCollection:
        me = await web.with_current_roles(me)
        claimant = None if me.has("platform_admin") else me.organisation_id
        items, total = await catalogue.list_claims(status=status, patent_id=patent_id, claimant=claimant,
                                                   limit=limit, offset=offset)
        return ClaimCollection(items, total)

    @post("/claims/{claim_id:uuid}/decision", status_code=200,
          summary="Decide an ownership claim (platform admin): upheld withdraws the registration")
    async def decide(
        self, claim_id: UUID, data: DecisionInput, web: WebState, marketplace: Marketplace, me: Identity
    ) -> Done:
        if not me.has("platform_admin"):
            raise PermissionDeniedException("this needs the role platform_admin")
        cmd = r.DecideOwnershipClaim(claim_id=claim_id, upheld=data.upheld, reason=data.reason)
        return Done(await run_command(web, marketplace.registrations.decide_ownership_claim, cmd, me))
