"""Sign-up, login, logout, the organisation dashboard and the platform admin's review."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from domain.shared.errors import DomainError
from marketplace.accounts import commands as ac
from marketplace.accounts.passwords import hash_password
from marketplace.platform.application import Marketplace
from projections.accounts.view import AccountsQueries
from projections.catalogue.queries import CatalogueQueries
from web.commands import run_command
from web.context import Identity, page_context
from web.errors import admin_only, error_page, form_error
from web.forms import text, to_command
from web.identity import login_required
from web.sessions import NEW_USER_VERSION, authenticate, begin_session
from web.state import WebState
from web.throttle import client_address, password_work, throttle_members, throttle_of

#: Where a login lands without a safe ``next``: the to-do, which shows each role its work first (``web.todo``).
LANDING = "/todo"


class AccountController(Controller):
    include_in_schema = False

    @get("/login", name="login")
    async def login_form(self, request: Request[Any, Any, Any]) -> Template:
        return Template("account/login.html.jinja2", context=page_context(
            request, next=request.query_params.get("next", LANDING),
            password_changed=request.query_params.get("changed") == "password"))

    @post("/login")
    async def login(self, request: Request[Any, Any, Any], web: WebState) -> Template | Redirect:
        form = await request.form()
        target = text(form, "next") or LANDING
        if not target.startswith("/") or target.startswith(("//", "/\\")):  # no other site, however spelled
            target = LANDING
        identity = await authenticate(request, web, text(form, "email"), text(form, "password"))
        if identity is None:
            return Template("account/login.html.jinja2", status_code=401, context=page_context(
                request, error="auth.failed", next=target, email=text(form, "email")))
        await begin_session(request, identity)
        return Redirect(target, status_code=303)

    @post("/logout")
    async def logout(self, request: Request[Any, Any, Any]) -> Redirect:
        request.clear_session()  # the store deletes the session: its cookie no longer logs anyone in
        return Redirect("/", status_code=303)

    @get("/signup", name="signup")
    async def signup_form(self, request: Request[Any, Any, Any]) -> Template:
        return Template("account/signup.html.jinja2", context=page_context(request, values={}))

    @post("/signup")
    async def signup(
        self, request: Request[Any, Any, Any], web: WebState, marketplace: Marketplace, accounts: AccountsQueries
    ) -> Template | Redirect:
        form = await request.form()
        values = {k: text(form, k) for k in ("email", "display_name", "organisation_name", "organisation_kind",
                                              "region")}
        await throttle_of(request).take(("signup.address", client_address(request)),
                                        ("signup.account", values["email"]))
        try:
            cmd = to_command(ac.SignUp, values | {"password": text(form, "password")})
            hashed = await password_work(hash_password, cmd.password)
            user_id, position = await web.run(
                marketplace.accounts.sign_up, cmd, password_hash=hashed)  # nobody acts yet
        except DomainError as error:
            return form_error(request, "account/signup.html.jinja2", error, values=values)
        await web.wait_for(position)
        user = await accounts.get_user(user_id)
        assert user is not None
        identity = Identity(user_id, user.display_name, user.organisation_id, tuple(user.roles), NEW_USER_VERSION)
        await begin_session(request, identity)
        return Redirect("/my", status_code=303)

    @get("/my", name="my", guards=[login_required])
    async def my(
        self, request: Request[Any, Any, Any], web: WebState, marketplace: Marketplace, accounts: AccountsQueries,
        catalogue: CatalogueQueries, me: Identity,
    ) -> Template:
        org = await accounts.get_organisation(me.organisation_id)
        listings = await catalogue.list_for_organisation(me.organisation_id)
        patents, patent_total = await catalogue.list_patents(owner_id=me.organisation_id, limit=100)
        members = await accounts.list_members(me.organisation_id)
        to_confirm = await catalogue.co_ownerships_to_confirm(me.organisation_id)
        licences_held = await catalogue.licences_held(me.organisation_id)
        try:
            grantable = await web.run(marketplace.accounts.grantable_roles, me.user_id)
        except DomainError:
            grantable = ()
        return Template("account/my.html.jinja2", context=page_context(
            request, org=org, listings=listings, patents=patents, patent_total=patent_total, members=members,
            to_confirm=to_confirm, grantable=grantable, licences_held=licences_held))

    @post("/my/members", guards=[login_required, throttle_members])
    async def add_member(
        self, request: Request[Any, Any, Any], web: WebState, marketplace: Marketplace, me: Identity
    ) -> Template | Redirect:
        form = await request.form()
        try:
            cmd = to_command(ac.AddMember, {
                "email": text(form, "email"), "password": text(form, "password"),
                "display_name": text(form, "display_name"),
                "roles": [str(r) for r in form.getall("roles", [])] or ["member"],
            })
            hashed = await password_work(hash_password, cmd.password)
            await run_command(web, marketplace.accounts.add_member, cmd, me, password_hash=hashed)
        except DomainError as error:
            return error_page(request, error)
        return Redirect("/my", status_code=303)

    @get("/admin/organisations", name="admin", guards=[login_required])
    async def pending(
        self, request: Request[Any, Any, Any], web: WebState, accounts: AccountsQueries, me: Identity
    ) -> Template:
        if not (await web.with_current_roles(me)).has("platform_admin"):
            return admin_only(request)
        pending, total = await accounts.list_organisations(verified=False, limit=100)
        return Template("admin/organisations.html.jinja2",
                        context=page_context(request, pending=pending, total=total))

    @post("/admin/organisations/{organisation_id:uuid}/verify", guards=[login_required])
    async def verify(
        self, organisation_id: UUID, request: Request[Any, Any, Any], web: WebState, marketplace: Marketplace,
        me: Identity,
    ) -> Template | Redirect:
        try:
            await run_command(web, marketplace.accounts.verify_organisation,
                              ac.VerifyOrganisation(organisation_id=organisation_id), me)
        except DomainError as error:
            return error_page(request, error)
        return Redirect("/admin/organisations", status_code=303)
