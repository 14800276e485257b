"""The inbox (站内通知) and its JSON answer, the e-mail settings, the no-login unsubscribe link, saved searches
and follows, and the platform admin's view of the outbox.

Saving a search and following a listing are commands (events the inbox matches against); reading an item is the
user's own state (no event): opening ``/inbox/<id>`` marks it read and goes to the
thing it is about. Every form carries the CSRF token; the JSON endpoints take and return msgspec structs.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, post
from litestar.exceptions import ClientException, NotFoundException
from litestar.params import Parameter
from litestar.response import Redirect, Template

from marketplace.notifications import commands as nc
from marketplace.notifications.outbox import signature_ok
from marketplace.platform.application import Marketplace
from projections.notifications.queries import MODES, InboxItem, InboxQueries, parse_item_id
from projections.notifications.registry import KINDS
from web.api_docs import BEARER
from web.commands import run_command
from web.context import Identity, page_context
from web.forms import text, to_command
from web.identity import login_required
from web.state import WebState

PAGE = 50


class InboxAnswer(msgspec.Struct, frozen=True):
    """The user's notifications, newest first, with the unread and total counts."""

    items: list[InboxItem]
    unread: int
    total: int


class ReadAnswer(msgspec.Struct, frozen=True):
    """What marking read did: the item's link (one item) or how many were marked (all)."""

    unread: int
    marked: int = 0
    link: str = ""


class MarkRead(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Mark one item read (``id`` as the inbox gives it), or every item when ``all`` is true."""

    id: Annotated[str, msgspec.Meta(max_length=30, pattern=r"^[0-9]{1,18}-[0-9]{1,6}$")] = ""
    all: bool = False


def _int(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) < 16 else None


def _choice(value: str, allowed: tuple[str, ...]) -> str | None:
    return value if value in allowed else None


class InboxController(Controller):
    include_in_schema = False
    guards = [login_required]  # noqa: RUF012 - litestar declares it as an instance attribute

    @get("/inbox", name="inbox")
    async def page(self, request: Request[Any, Any, Any], web: WebState, me: Identity,
                   unread: bool = False, page: Annotated[int, Parameter(ge=1, le=1000)] = 1) -> Template:
        q = InboxQueries(web.pool)
        items = await q.items(me.user_id, unread_only=unread, limit=PAGE + 1, offset=(page - 1) * PAGE)
        count = await q.unread(me.user_id)
        return Template("notifications/inbox.html.jinja2", context=page_context(
            request, items=items[:PAGE], more=len(items) > PAGE, page=page, unread_only=unread,
            inbox_count=count, unread=count))

    @get("/inbox/{item:str}", name="inbox_open")
    async def open(self, item: str, web: WebState, me: Identity) -> Redirect:
        key = parse_item_id(item)
        link = await InboxQueries(web.pool).mark_read(me.user_id, *key) if key else None
        if link is None:
            raise NotFoundException("item: no such notification in your inbox")
        return Redirect(link, status_code=303)

    @post("/inbox/read-all", name="inbox_read_all")
    async def read_all(self, web: WebState, me: Identity) -> Redirect:
        await InboxQueries(web.pool).mark_all_read(me.user_id)
        return Redirect("/inbox", status_code=303)

    # --- e-mail settings --------------------------------------------------------------------------------
    @get("/inbox/settings", name="inbox_settings")
    async def settings(self, request: Request[Any, Any, Any], web: WebState, me: Identity) -> Template:
        q = InboxQueries(web.pool)
        return Template("notifications/settings.html.jinja2", context=page_context(
            request, kinds=KINDS, modes=MODES, chosen=await q.preferences(me.user_id),
            language=await q.language(me.user_id), mail=bool(web.services.settings.smtp_url),
            done=request.query_params.get("done") == "1", searches=await q.searches(me.user_id),
            followed=await q.followed(me.user_id)))

    @post("/inbox/settings", name="inbox_settings_save")
    async def save_settings(self, request: Request[Any, Any, Any], web: WebState, me: Identity) -> Redirect:
        form = await request.form()
        q = InboxQueries(web.pool)
        for kind in KINDS:
            mode = _choice(text(form, f"mode_{kind}"), MODES)
            if mode is not None:
                await q.set_preference(me.user_id, kind, mode)
        language = _choice(text(form, "language"), ("zh", "en"))
        if language is not None:
            await q.set_language(me.user_id, language)
        return Redirect("/inbox/settings?done=1", status_code=303)

    # --- saved searches and follows -----------------------------------------------------------------------
    @post("/searches", name="search_save")
    async def save_search(self, request: Request[Any, Any, Any], web: WebState, me: Identity,
                          marketplace: Marketplace) -> Redirect:
        """Save the page's search (its form carries the criteria and an id, so a double submit saves one).
        Hostile text is a 400; a 51st search is refused with the rule's words (a 409)."""
        form = await request.form()
        scope = _choice(text(form, "scope"), ("listings", "demands")) or "listings"
        try:
            search_id = UUID(text(form, "search_id"))
        except ValueError:
            search_id = UUID(int=0)
        if search_id.int == 0:
            raise ClientException("search_id: the form's id is missing")
        cmd = to_command(nc.SaveSearch, {
            "search_id": search_id, "scope": scope, "q": text(form, "q")[:200],
            "ipc_section": text(form, "ipc_section")[:1] or None, "ipc_class": text(form, "ipc_class")[:3] or None,
            "deal_type": text(form, "deal_type")[:40] or None, "price_min": _int(text(form, "price_min")),
            "price_max": _int(text(form, "price_max")), "maturity": text(form, "maturity")[:40] or None,
            "field": text(form, "field")[:4], "want": text(form, "want")[:40]})
        await run_command(web, marketplace.watching.save_search, cmd, me)
        return Redirect("/inbox/settings?done=1#searches", status_code=303)

    @post("/searches/{search_id:uuid}/delete", name="search_delete")
    async def delete_search(self, search_id: UUID, web: WebState, me: Identity,
                            marketplace: Marketplace) -> Redirect:
        await run_command(web, marketplace.watching.delete_search, nc.DeleteSearch(search_id=search_id), me)
        return Redirect("/inbox/settings#searches", status_code=303)

    @post("/listings/{listing_id:uuid}/follow", name="listing_follow")
    async def follow(self, listing_id: UUID, request: Request[Any, Any, Any], web: WebState,
                     me: Identity, marketplace: Marketplace) -> Redirect:
        form = await request.form()
        on = text(form, "on") != "0"
        cmd = nc.FollowListing(listing_id=listing_id, on=on)
        await run_command(web, marketplace.watching.follow_listing, cmd, me)
        return Redirect(f"/listings/{listing_id}" if on else "/inbox/settings#follows", status_code=303)

    # --- the outbox ---------------------------------------------------------------------------------------
    @get("/admin/outbox", name="outbox")
    async def outbox(self, request: Request[Any, Any, Any], web: WebState, me: Identity) -> Template:
        context = page_context(request)
        if "platform_admin" not in (await web.with_current_roles(me)).roles:
            return Template("errors/error.html.jinja2", status_code=403,
                            context=page_context(request, status=403, message=context["t"]("outbox.forbidden")))
        q = InboxQueries(web.pool)
        context.update(rows=await q.outbox_trouble(), counts=await q.outbox_counts(),
                       mail=bool(web.services.settings.smtp_url))
        return Template("notifications/outbox.html.jinja2", context=context)


class UnsubscribeController(Controller):
    """The link in every e-mail: no login; the signature names the user and the kind. The page asks before
    acting (mail scanners follow links); the second use of a link says it is done already."""

    include_in_schema = False

    def _check(self, web: WebState, user_id: UUID, kind: str, signature: str) -> bool:
        return kind in KINDS and signature_ok(web.services.settings.secret_key, user_id, kind, signature)

    @get("/unsubscribe/{user_id:uuid}/{kind:str}/{signature:str}", name="unsubscribe")
    async def ask(self, request: Request[Any, Any, Any], web: WebState, user_id: UUID, kind: str,
                  signature: str) -> Template:
        valid = self._check(web, user_id, kind, signature)
        off = valid and (await InboxQueries(web.pool).preferences(user_id)).get(kind) == "off"
        return Template("notifications/unsubscribe.html.jinja2", status_code=200 if valid else 404,
                        context=page_context(request, valid=valid, kind=kind, already=off, done=False))

    @post("/unsubscribe/{user_id:uuid}/{kind:str}/{signature:str}", name="unsubscribe_do")
    async def act(self, request: Request[Any, Any, Any], web: WebState, user_id: UUID, kind: str,
                  signature: str) -> Template:
        valid = self._check(web, user_id, kind, signature)
        changed = valid and await InboxQueries(web.pool).set_preference(user_id, kind, "off")
        return Template("notifications/unsubscribe.html.jinja2", status_code=200 if valid else 404,
                        context=page_context(request, valid=valid, kind=kind, already=valid and not changed,
                                             done=changed))


class InboxApiController(Controller):
    guards = [login_required]  # noqa: RUF012

    @get("/api/inbox", summary="My inbox: notifications newest first, with the unread count", tags=["accounts"],
         security=BEARER)
    async def answer(self, web: WebState, me: Identity, unread: bool = False,
                     limit: Annotated[int, Parameter(ge=1, le=200)] = 50,
                     offset: Annotated[int, Parameter(ge=0, le=100_000)] = 0) -> InboxAnswer:
        q = InboxQueries(web.pool)
        items = await q.items(me.user_id, unread_only=unread, limit=limit, offset=offset)
        return InboxAnswer(items, await q.unread(me.user_id), await q.total(me.user_id))

    @post("/api/inbox/read", summary="Mark one notification, or all, read", tags=["accounts"], security=BEARER,
          status_code=200)
    async def read(self, data: MarkRead, web: WebState, me: Identity) -> ReadAnswer:
        q = InboxQueries(web.pool)
        if data.all:
            marked = await q.mark_all_read(me.user_id)
            return ReadAnswer(await q.unread(me.user_id), marked)
        key = parse_item_id(data.id)
        link = await q.mark_read(me.user_id, *key) if key else None
        if link is None:
            raise NotFoundException("id: no such notification in your inbox")
        return ReadAnswer(await q.unread(me.user_id), 1, link)
