"""Auction pages: the list of sessions, a session with its lots and the registration form, and a lot's page with
its live state (polled from ``GET /api/lots/{id}`` by ``/static/auction-lot.js``: a countdown at the server's
clock), the owner's consent, the deposit and the bid forms, and, after the close, the full bid log with bidder
numbers. Every form posts the command the JSON API takes; the application checks who may act."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from domain.shared.errors import DomainError
from marketplace.auctions import commands as ac
from marketplace.platform.application import Marketplace
from projections.auctions.queries import AuctionsQueries, session_figures
from web.auctions.api import lot_state, visible_lots
from web.commands import run_command
from web.context import Identity, page_context
from web.errors import explain, status_of
from web.forms import optional, text, to_command, yuan_to_fen
from web.identity import login_required
from web.state import WebState

DONE = {"registered": "auction.done.registered", "bid": "auction.done.bid", "consented": "auction.done.consented",
        "declined": "auction.done.declined",
        "proxy": "auction.done.proxy", "committed": "auction.done.committed", "revealed": "auction.done.revealed"}


class AuctionPagesController(Controller):
    include_in_schema = False

    @get("/auctions", name="auctions")
    async def index(self, request: Request[Any, Any, Any], web: WebState) -> Template:
        sessions = await AuctionsQueries(web.pool).sessions()
        return Template("auctions/sessions.html.jinja2", context=page_context(request, sessions=sessions))

    @get("/auctions/{session_id:uuid}", name="auction")
    async def session(self, session_id: UUID, request: Request[Any, Any, Any], web: WebState,
                      maybe_me: Identity | None) -> Template:
        return await self._session(request, web, maybe_me, session_id)

    @staticmethod
    async def _session(request: Request[Any, Any, Any], web: WebState, me: Identity | None, session_id: UUID,
                       status_code: int = 200, **values: Any) -> Template:
        queries = AuctionsQueries(web.pool)
        found = await queries.session(session_id)
        if found is None:
            raise NotFoundException(f"session_id: no session with id {session_id}")
        number = await queries.bidder_number(session_id, me.organisation_id if me else None)
        lots = await visible_lots(queries, found, me)
        return Template("auctions/session.html.jinja2", status_code=status_code, context=page_context(
            request, s=found, lots=lots, figures=session_figures(lots), number=number,
            done=DONE.get(request.query_params.get("done", "")), **values))

    @post("/auctions/{session_id:uuid}/register", guards=[login_required])
    async def register(self, session_id: UUID, request: Request[Any, Any, Any], web: WebState, me: Identity,
                       marketplace: Marketplace) -> Template | Redirect:
        form = await request.form()
        try:
            cmd = to_command(ac.RegisterBidder, {"session_id": session_id,
                                                 "accept_rules": text(form, "accept_rules") == "yes"})
            await run_command(web, marketplace.auctions.register, cmd, me)
        except DomainError as error:
            return await self._session(request, web, me, session_id, status_code=status_of(error),
                                       error=explain(request, error))
        return Redirect(f"/auctions/{session_id}?done=registered", status_code=303)

    @get("/lots/{lot_id:uuid}", name="auction_lot")
    async def lot(self, lot_id: UUID, request: Request[Any, Any, Any], web: WebState, maybe_me: Identity | None,
                  marketplace: Marketplace) -> Template:
        return await self._lot(request, web, maybe_me, marketplace, lot_id)

    @staticmethod
    async def _lot(request: Request[Any, Any, Any], web: WebState, me: Identity | None, marketplace: Marketplace,
                   lot_id: UUID, status_code: int = 200, **values: Any) -> Template:
        state = await lot_state(web, marketplace, lot_id, me)
        queries = AuctionsQueries(web.pool)
        org = me.organisation_id if me else None
        number = await queries.bidder_number(state.lot.session_id, org)
        mine = await queries.deposits(organisation_id=org, lot_id=lot_id) if org else []
        seller = org is not None and org == state.lot.seller_organisation_id
        values.setdefault("commitment", await queries.my_commitment(lot_id, org))
        return Template("auctions/lot.html.jinja2", status_code=status_code, context=page_context(
            request, state=state, lot=state.lot, number=number, deposit=mine[0] if mine else None,
            seller=bool(seller), done=DONE.get(request.query_params.get("done", "")),
            stripe_enabled=bool(web.services.settings.stripe_api_key),
            least=state.lot.start_price if state.lot.current_price is None
            else state.lot.current_price + state.lot.increment, **values))

    async def _deposit(self, request: Request[Any, Any, Any], web: WebState, me: Identity, marketplace: Marketplace,
                       lot_id: UUID, gateway: str | None) -> Template:
        """Start (or resume) paying the deposit: by bank transfer (the instructions) or by card (Stripe's card form
        on the lot page; the client secret lives only in this response; Stripe returns the bidder to the lot page
        and its webhook records the deposit)."""
        cmd = to_command(ac.StartDeposit, {"lot_id": lot_id, "gateway": gateway or "manual"})
        start, _ = await run_command(web, marketplace.auctions.start_deposit, cmd, me)
        publishable = web.services.settings.stripe_publishable_key
        if start.gateway == "stripe" and start.client_secret and publishable and start.status != "succeeded":
            card = {"client_secret": start.client_secret, "publishable_key": publishable,
                    "return_url": f"{request.base_url}".rstrip("/") + f"/lots/{lot_id}"}
            return await self._lot(request, web, me, marketplace, lot_id, card=card)
        return await self._lot(request, web, me, marketplace, lot_id, instructions=start.instructions)

    @post("/lots/{lot_id:uuid}/{action:str}", guards=[login_required])
    async def act(self, lot_id: UUID, action: str, request: Request[Any, Any, Any], web: WebState, me: Identity,
                  marketplace: Marketplace) -> Template | Redirect:
        """``consent`` (the owner's org admin), ``decline`` (the owner's org admin, with a reason), ``deposit`` (a
        registered bidder), ``bid`` or ``proxy``; on a sealed
        lot ``commit`` (the digest the page's script computed: the amount is not sent) or ``reveal``."""
        form = await request.form()
        try:
            if action in ("consent", "decline"):
                return await _answer(action, lot_id, form, web, me, marketplace)
            if action == "deposit":
                return await self._deposit(request, web, me, marketplace, lot_id, optional(form, "gateway"))
            if action == "bid":
                amount = yuan_to_fen(text(form, "amount"), "amount") or 0
                await run_command(web, marketplace.auctions.bid, to_command(ac.PlaceBid, {
                    "lot_id": lot_id, "amount": amount}), me)
                return Redirect(f"/lots/{lot_id}?done=bid", status_code=303)
            if action == "proxy":
                maximum = yuan_to_fen(text(form, "maximum"), "maximum") or 0
                await run_command(web, marketplace.auctions.set_proxy, to_command(ac.SetProxyBid, {
                    "lot_id": lot_id, "maximum": maximum}), me)
                return Redirect(f"/lots/{lot_id}?done=proxy", status_code=303)
            if action in ("commit", "reveal"):
                return await _sealed(action, lot_id, form, web, me, marketplace)
        except DomainError as error:
            return await self._lot(request, web, me, marketplace, lot_id, status_code=status_of(error),
                                   error=explain(request, error))
        raise NotFoundException(f"no action {action}")


async def _answer(action: str, lot_id: UUID, form: Any, web: WebState, me: Identity,
                  marketplace: Marketplace) -> Redirect:
    """The owner's answer to a proposed lot: ``consent``, or ``decline`` with its reason."""
    if action == "consent":
        await run_command(web, marketplace.auctions.consent, ac.ConsentToLot(lot_id=lot_id), me)
        return Redirect(f"/lots/{lot_id}?done=consented", status_code=303)
    await run_command(web, marketplace.auctions.decline_lot, to_command(ac.DeclineLot, {
        "lot_id": lot_id, "reason": text(form, "reason")}), me)
    return Redirect(f"/lots/{lot_id}?done=declined", status_code=303)


async def _sealed(action: str, lot_id: UUID, form: Any, web: WebState, me: Identity,
                  marketplace: Marketplace) -> Redirect:
    """A sealed lot's ``commit`` (the digest alone: the page's script computed it, the amount is not sent) or
    ``reveal`` (amount in yuan and salt)."""
    if action == "commit":
        await run_command(web, marketplace.auctions.commit_sealed_bid, to_command(ac.CommitSealedBid, {
            "lot_id": lot_id, "commitment": text(form, "commitment")}), me)
        return Redirect(f"/lots/{lot_id}?done=committed", status_code=303)
    amount = yuan_to_fen(text(form, "amount"), "amount") or 0
    await run_command(web, marketplace.auctions.reveal_sealed_bid, to_command(ac.RevealSealedBid, {
        "lot_id": lot_id, "amount": amount, "salt": text(form, "salt").lower()}), me)
    return Redirect(f"/lots/{lot_id}?done=revealed", status_code=303)
