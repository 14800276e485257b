"""Forms about people: roles, password change, deactivation, erasure (PIPL); the JSON API is in web/accounts/api.py.

Every command is re-checked by the application on the aggregates; the forms only offer what the
actor may do (``Marketplace.grantable_roles``). Refusals answer the error page, never the page
they came from, so a refused POST shows nothing of what it was refused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from domain.shared.errors import DomainError, NotFoundError
from marketplace.accounts import commands as ac
from marketplace.platform.application import Marketplace
from projections.accounts.view import AccountsQueries
from web.commands import run_command
from web.context import Identity, page_context
from web.errors import admin_only, error_page
from web.forms import text, to_command
from web.identity import login_required
from web.sessions import end_sessions
from web.state import WebState
from web.throttle import ThrottledError, client_address, password_work, throttle_of


class PeopleFormsController(Controller):
    """The /my members' controls, the password form and the platform admin's people page."""

    include_in_schema = False
    guards = [login_required]  # noqa: RUF012 - litestar declares it as an instance attribute

    @post("/my/password")
    async def change_password(
        self, request: Request[Any, Any, Any], web: WebState, me: Identity
    ) -> Template | Redirect:
        form = await request.form()
        try:
            cmd = to_command(ac.ChangePassword, {"current_password": text(form, "current_password"),
                                                 "new_password": text(form, "new_password")})
            position = await change_password(request, web, me, cmd)
        except DomainError as error:
            return error_page(request, error)
        await web.wait_for(position)
        return Redirect("/login?changed=password", status_code=303)  # the change ended this session too

    @post("/my/members/{user_id:uuid}/roles")
    async def change_role(
        self, user_id: UUID, request: Request[Any, Any, Any], web: WebState, marketplace: Marketplace, me: Identity
    ) -> Template | Redirect:
        form = await request.form()
        values = {"user_id": str(user_id), "role": text(form, "role")}
        try:
            if text(form, "action") == "revoke":
                await run_command(web, marketplace.accounts.revoke_role, to_command(ac.RevokeRole, values), me)
            else:
                await run_command(web, marketplace.accounts.grant_role, to_command(ac.GrantRole, values), me)
        except DomainError as error:
            return error_page(request, error)
        return Redirect(_back(text(form, "next")), status_code=303)

    @post("/my/members/{user_id:uuid}/deactivate")
    async def deactivate(
        self, user_id: UUID, request: Request[Any, Any, Any], web: WebState, marketplace: Marketplace, me: Identity
    ) -> Template | Redirect:
        return await _account_command(
            request, web, me, marketplace.accounts.deactivate_user, ac.DeactivateUser(user_id=user_id))

    @post("/my/members/{user_id:uuid}/reactivate")
    async def reactivate(
        self, user_id: UUID, request: Request[Any, Any, Any], web: WebState, marketplace: Marketplace, me: Identity
    ) -> Template | Redirect:
        return await _account_command(
            request, web, me, marketplace.accounts.reactivate_user, ac.ReactivateUser(user_id=user_id))

    @get("/admin/people", name="admin_people")
    async def people(
        self, request: Request[Any, Any, Any], web: WebState, marketplace: Marketplace, accounts: AccountsQueries,
        me: Identity,
    ) -> Template:
        if not (await web.with_current_roles(me)).has("platform_admin"):
            return admin_only(request)
        offset = request.query_params.get("offset", "0")
        start = min(int(offset), 1_000_000) if offset.isdigit() and len(offset) < 10 else 0
        people, total = await accounts.list_people(limit=100, offset=start)
        unconfirmed = await web.run(marketplace.accounts.unconfirmed_grants)
        ids = {g.user_id for g in unconfirmed} | {g.granted_by for g in unconfirmed if g.granted_by is not None}
        names = {i: await web.run(marketplace.accounts.display_name_of, i) for i in ids}
        grantable = await web.run(marketplace.accounts.grantable_roles, me.user_id)
        return Template("admin/people.html.jinja2", context=page_context(
            request, people=people, total=total, unconfirmed=unconfirmed, names=names, grantable=grantable))

    @get("/admin/people/{user_id:uuid}/erase", name="admin_erase")
    async def erase_form(
        self, user_id: UUID, request: Request[Any, Any, Any], web: WebState, accounts: AccountsQueries, me: Identity
    ) -> Template:
        """The confirmation step before an erasure, which cannot be undone."""
        return await _erase_page(request, web, accounts, me, user_id)

    @post("/admin/people/{user_id:uuid}/erase")
    async def erase(
        self, user_id: UUID, request: Request[Any, Any, Any], web: WebState, marketplace: Marketplace,
        accounts: AccountsQueries, me: Identity,
    ) -> Template | Redirect:
        form = await request.form()
        if text(form, "understood") != "yes":  # not confirmed: nothing is run, the confirmation is asked again
            return await _erase_page(request, web, accounts, me, user_id, unconfirmed=True)
        return await _account_command(request, web, me, marketplace.accounts.erase_user, ac.EraseUser(user_id=user_id),
                                      back="/admin/people")


async def _erase_page(
    request: Request[Any, Any, Any], web: WebState, accounts: AccountsQueries, me: Identity, user_id: UUID, *,
    unconfirmed: bool = False,
) -> Template:
    """The person to erase and the box to tick, for a platform admin only (others see the refusal alone)."""
    if not (await web.with_current_roles(me)).has("platform_admin"):
        return admin_only(request)
    person = await accounts.get_user(user_id)
    if person is None:
        return error_page(request, NotFoundError(f"user_id: no user with id {user_id}", field="user_id"))
    organisation = await accounts.get_organisation(person.organisation_id)
    context = page_context(request, person=person, organisation_name=organisation.name if organisation else "")
    if unconfirmed:
        context["error"] = context["t"]("account.erase_unconfirmed")
    return Template("admin/erase.html.jinja2", status_code=400 if unconfirmed else 200, context=context)


async def _account_command(
    request: Request[Any, Any, Any], web: WebState, me: Identity, command: Callable[..., int],
    cmd: ac.DeactivateUser | ac.ReactivateUser | ac.EraseUser, back: str = "/my",
) -> Template | Redirect:
    form = await request.form()
    try:
        position = await web.run(command, cmd, actor_id=me.user_id)
    except DomainError as error:
        return error_page(request, error)
    if isinstance(cmd, ac.DeactivateUser | ac.EraseUser):
        await end_sessions(web, cmd.user_id, position)
    await web.wait_for(position)
    return Redirect(_back(text(form, "next"), back), status_code=303)


async def change_password(
    request: Request[Any, Any, Any], web: WebState, me: Identity, cmd: ac.ChangePassword
) -> int:
    """Change ``me``'s password: throttled like logins (only failures count, per account and per address),
    its argon2 work in the password pool, the command in a worker thread."""
    throttle = throttle_of(request)
    scopes = (("password.account", str(me.user_id)), ("password.address", client_address(request)))
    await throttle.take(*scopes)
    try:
        checked = await password_work(web.services.app.accounts.check_password_change, cmd.current_password,
                                      cmd.new_password, actor_id=me.user_id)
    except ThrottledError:  # the pool is busy: not a failed attempt
        await throttle.give_back(*scopes)
        raise
    position = await web.run(web.services.app.accounts.change_password, cmd, actor_id=me.user_id, checked=checked)
    await throttle.give_back(*scopes)
    return position


def _back(target: str, default: str = "/my") -> str:
    """Where a form returns: one of our own pages only."""
    return target if target in ("/my", "/admin/people") else default
