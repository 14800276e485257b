"""JSON API of accounts: tokens, sign-up, organisations and their verification, members, roles and people."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, delete, get, post

from domain.accounts.user import Role
from domain.shared.errors import NotAuthenticatedError
from marketplace.accounts import commands as ac
from marketplace.accounts.passwords import hash_password
from marketplace.platform.application import Marketplace
from projections.accounts.view import AccountsQueries, OrganisationRow
from web.accounts.people import change_password
from web.answers import Created, Done
from web.api_docs import BEARER, answers, documented
from web.commands import run_command
from web.context import Identity, issue_token, read_token
from web.params import Limit, Offset
from web.sessions import authenticate, end_sessions, revoke_token
from web.state import WebState
from web.throttle import client_address, password_work, throttle_members, throttle_of


class Credentials(msgspec.Struct, frozen=True):
    email: str
    password: str


class Token(msgspec.Struct, frozen=True):
    token: str
    token_type: str
    user_id: UUID
    organisation_id: UUID
    roles: list[str]


class OrganisationCollection(msgspec.Struct, frozen=True):
    items: list[OrganisationRow]
    total: int


class RoleInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    role: Annotated[str, documented(Role)]


class UnconfirmedGrantOut(msgspec.Struct, frozen=True):
    user_id: UUID
    role: str
    granted_by: UUID | None


class SignUpApiController(Controller):
    """What needs no token: a token itself, signing up, and the list of organisations."""

    path = "/api"
    tags = ["accounts"]  # noqa: RUF012 - litestar declares it as an instance attribute

    @post("/auth/token", summary="Exchange e-mail and password for a bearer token (8 hours; revocable)",
          description="Failed attempts are throttled per address and per account: 429 with Retry-After.",
          responses=answers(401, 429))
    async def token(self, data: Credentials, web: WebState, request: Request[Any, Any, Any]) -> Token:
        identity = await authenticate(request, web, data.email, data.password)
        if identity is None:
            raise NotAuthenticatedError("email: e-mail or password is wrong", field="email", code="auth.failed")
        return Token(issue_token(identity, web.services.settings.secret_key), "bearer", identity.user_id,
                     identity.organisation_id, list(identity.roles))

    @post("/signup", summary="Sign up for a new organisation (awaits verification)",
          description="Throttled per address and per e-mail: 429 with Retry-After.", responses=answers(409, 429))
    async def signup(
        self, data: ac.SignUp, web: WebState, marketplace: Marketplace, request: Request[Any, Any, Any]
    ) -> Created:
        await throttle_of(request).take(("signup.address", client_address(request)), ("signup.account", data.email))
        hashed = await password_work(hash_password, data.password)
        user_id, position = await web.run(marketplace.accounts.sign_up, data, password_hash=hashed)  # nobody acts yet
        await web.wait_for(position)
        return Created(user_id, position)

    @get("/organisations", summary="Organisations, optionally only verified or unverified ones")
    async def organisations(
        self, accounts: AccountsQueries, verified: bool | None = None, limit: Limit = 50, offset: Offset = 0
    ) -> OrganisationCollection:
        items, total = await accounts.list_organisations(verified=verified, limit=limit, offset=offset)
        return OrganisationCollection(items, total)


class AccountsApiController(Controller):
    """What needs a bearer token: logging out, members, roles, passwords, deactivation and erasure."""

    path = "/api"
    tags = ["accounts"]  # noqa: RUF012 - litestar declares it as an instance attribute
    security = BEARER  # every operation here needs a bearer token
    # No login guard on the JSON API: a body is decoded (a malformed one is a 400) before the token is asked for;
    # ``me`` refuses a call without a token with the guard's 401 (``web.identity.provide_identity``).

    @post("/auth/logout", summary="Revoke the bearer token presented", status_code=204)
    async def logout(self, web: WebState, request: Request[Any, Any, Any], me: Identity) -> None:
        """``me``: a checked bearer token is required (401 without one), and it is the one revoked."""
        claims = read_token(request.headers.get("authorization", ""), web.services.settings.secret_key)
        assert claims is not None  # ``me`` came from this very token
        await revoke_token(web.pool, claims.jti, claims.expires_at)

    @post("/organisations/{organisation_id:uuid}/verify", summary="Verify an organisation (platform admin)",
          status_code=200)
    async def verify(self, organisation_id: UUID, web: WebState, marketplace: Marketplace, me: Identity) -> Done:
        cmd = ac.VerifyOrganisation(organisation_id=organisation_id)
        return Done(await run_command(web, marketplace.accounts.verify_organisation, cmd, me))

    @post("/users/{user_id:uuid}/roles", summary="Grant a role (platform admin, or org admin within the org)",
          status_code=200)
    async def grant_role(
        self, user_id: UUID, data: RoleInput, web: WebState, marketplace: Marketplace, me: Identity
    ) -> Done:
        cmd = ac.GrantRole(user_id=user_id, role=data.role)
        return Done(await run_command(web, marketplace.accounts.grant_role, cmd, me))

    @delete("/users/{user_id:uuid}/roles/{role:str}", summary="Revoke a role", status_code=200)
    async def revoke_role(
        self, user_id: UUID, role: str, web: WebState, marketplace: Marketplace, me: Identity
    ) -> Done:
        cmd = ac.RevokeRole(user_id=user_id, role=role)
        return Done(await run_command(web, marketplace.accounts.revoke_role, cmd, me))

    @post("/members", summary="Add a member to your organisation (plain members only until it is verified)",
          description="Throttled per admin and per organisation: 429 with Retry-After.", guards=[throttle_members],
          responses=answers(429))
    async def add_member(self, data: ac.AddMember, web: WebState, marketplace: Marketplace, me: Identity) -> Created:
        hashed = await password_work(hash_password, data.password)
        user_id, position = await run_command(web, marketplace.accounts.add_member, data, me, password_hash=hashed)
        return Created(user_id, position)

    @post("/me/password", summary="Change your password (give the current one)", status_code=200,
          description="Failed attempts are throttled per account and per address: 429 with Retry-After.",
          responses=answers(429))
    async def change_password(
        self, data: ac.ChangePassword, web: WebState, me: Identity, request: Request[Any, Any, Any]
    ) -> Done:
        position = await change_password(request, web, me, data)
        await web.wait_for(position)
        return Done(position)

    @post("/users/{user_id:uuid}/deactivate", summary="Deactivate a member (its org admin, or a platform admin)",
          status_code=200)
    async def deactivate(self, user_id: UUID, web: WebState, marketplace: Marketplace, me: Identity) -> Done:
        position = await web.run(
            marketplace.accounts.deactivate_user, ac.DeactivateUser(user_id=user_id), actor_id=me.user_id)
        await end_sessions(web, user_id, position)  # waits for the read models between its two sweeps
        return Done(position)

    @post("/users/{user_id:uuid}/reactivate", summary="Reactivate a deactivated member", status_code=200)
    async def reactivate(self, user_id: UUID, web: WebState, marketplace: Marketplace, me: Identity) -> Done:
        return Done(
            await run_command(web, marketplace.accounts.reactivate_user, ac.ReactivateUser(user_id=user_id), me))

    @post("/users/{user_id:uuid}/erase", summary="Erase a person's personal data on request (platform admin)",
          status_code=200)
    async def erase(self, user_id: UUID, web: WebState, marketplace: Marketplace, me: Identity) -> Done:
        position = await web.run(marketplace.accounts.erase_user, ac.EraseUser(user_id=user_id), actor_id=me.user_id)
        await end_sessions(web, user_id, position)  # waits for the read models between its two sweeps
        return Done(position)

    @get("/users/unconfirmed-roles", summary="Old platform-wide grants not honoured until confirmed (platform admin)")
    async def unconfirmed(self, web: WebState, marketplace: Marketplace, me: Identity) -> list[UnconfirmedGrantOut]:
        await web.run(marketplace.accounts.require_platform_admin, me.user_id)
        grants = await web.run(marketplace.accounts.unconfirmed_grants)
        return [UnconfirmedGrantOut(g.user_id, g.role, g.granted_by) for g in grants]
