"""Auction pages of the people who run sessions (a platform admin, or an org admin of a verified transfer agency for
its own sessions): schedule a session, add lots (a published listing picked from the catalogue; deal type,
starting price, reserve hidden or shown, increment, bidding window in Beijing time), see which owners consented,
who registered and whose deposit came in, and record a deposit received by bank transfer (a platform admin: the
platform holds the money). And the session's report: sell-through rate and premium over the starting prices.

Every form posts the command the JSON API takes; the application checks who may act on the aggregates, and these
pages only decide what to show (``runner``)."""

from __future__ import annotations

import re
import unicodedata
import uuid
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from domain.auctions.lot import SETTLE_DAYS_DEFAULT, SETTLE_DAYS_MAX, SETTLE_DAYS_MIN
from domain.auctions.session import DEPOSIT_RATE_DEFAULT, DEPOSIT_RATE_MAX, DEPOSIT_RATE_MIN
from domain.shared.errors import DomainError, PermissionDeniedError, ValidationError
from marketplace.auctions import commands as ac
from marketplace.platform.application import Marketplace
from projections.auctions.queries import AuctionsQueries, LotRow, SessionRow, session_figures
from projections.catalogue.queries import ListingFilters
from web.access import record_read
from web.auctions.api import visible_lots
from web.commands import run_command
from web.context import Identity, page_context
from web.errors import explain, status_of
from web.forms import text, to_command, yuan_to_fen
from web.identity import login_required
from web.state import WebState

BEIJING = ZoneInfo("Asia/Shanghai")
#: Published listings offered in the lot form's picker (a search narrows them).
PICKER_SIZE = 50
DONE = {"scheduled": "auction.done.scheduled", "lot": "auction.done.lot_added",
        "receipt": "auction.done.receipt"}
_PERCENT = re.compile(r"[0-9]{1,2}(?:\.[0-9]{1,2})?", re.ASCII)
RUNNER_REFUSAL = "session_id: a platform admin or an org admin of a verified transfer agency runs auction sessions"


def percent_to_basis_points(value: str, field: str) -> int:
    """A percentage typed on the form (``10`` or ``12.5``) in basis points; empty: the default rate."""
    if not value:
        return DEPOSIT_RATE_DEFAULT
    typed = unicodedata.normalize("NFKC", value).strip().removesuffix("%").strip()
    try:
        found = Decimal(typed) if _PERCENT.fullmatch(typed) else None
    except InvalidOperation:
        found = None
    if found is None:
        raise ValidationError(f"{field}: a percentage such as 10 or 12.5", field=field, code="auction.deposit_rate",
                              least=DEPOSIT_RATE_MIN, most=DEPOSIT_RATE_MAX)
    return int(found * 100)


def whole_days(value: str, field: str) -> int:
    """The winner's term typed on the form (whole days); empty: the default term."""
    typed = unicodedata.normalize("NFKC", value).strip()
    if not typed:
        return SETTLE_DAYS_DEFAULT
    if not re.fullmatch(r"[0-9]{1,3}", typed, re.ASCII):
        raise ValidationError(f"{field}: whole days, {SETTLE_DAYS_MIN} to {SETTLE_DAYS_MAX}", field=field,
                              code="auction.settle_days", least=SETTLE_DAYS_MIN, most=SETTLE_DAYS_MAX)
    return int(typed)


def _key(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


def beijing_instant(value: str, field: str) -> datetime:
    """A ``datetime-local`` value (``2026-03-02T10:00``) read as Beijing time."""
    try:
        found = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"{field}: a date and time such as 2026-03-02T10:00", field=field,
                              code="auction.when") from None
    if found.tzinfo is not None:
        raise ValidationError(f"{field}: a date and time such as 2026-03-02T10:00", field=field, code="auction.when")
    return found.replace(tzinfo=BEIJING)


async def runner(web: WebState, me: Identity) -> UUID | None:
    """Whose sessions the user may see here: ``None`` for a platform admin (every session), the agency's id for an
    org admin of a verified transfer agency; anyone else is refused (the roles held now, not at login)."""
    me = await web.with_current_roles(me)
    if me.has("platform_admin"):
        return None
    org = await web.accounts.get_organisation(me.organisation_id)
    if org is None or org.kind != "transfer_agency" or not org.verified or not me.has("org_admin"):
        raise PermissionDeniedError(RUNNER_REFUSAL, field="session_id", code="auction.runner")
    return org.id


async def run_session(web: WebState, me: Identity, session_id: UUID) -> tuple[SessionRow, bool]:
    """The session the user runs, and whether the user is a platform admin (who records deposits)."""
    mine = await runner(web, me)
    found = await AuctionsQueries(web.pool).session(session_id)
    if found is None:
        raise NotFoundException(f"session_id: no session with id {session_id}")
    if mine is not None and found.organisation_id != mine:
        raise PermissionDeniedError("session_id: another organisation runs this session", field="session_id",
                                    code="auction.runner")
    return found, mine is None


def lot_command(session_id: UUID, form: FormMultiDict) -> ac.AddLot:
    reserve = yuan_to_fen(text(form, "reserve"), "reserve") or 0
    return to_command(ac.AddLot, {
        "session_id": session_id, "listing_id": text(form, "listing_id") or None, "kind": text(form, "kind"),
        "start_price": yuan_to_fen(text(form, "start_price"), "start_price"), "reserve": reserve,
        "reserve_shown": text(form, "reserve_shown") == "yes",
        "increment": yuan_to_fen(text(form, "increment"), "increment"),
        "opens_at": beijing_instant(text(form, "opens_at"), "opens_at"),
        "closes_at": beijing_instant(text(form, "closes_at"), "closes_at"),
        "auction_format": text(form, "auction_format") or "timed",
        # A sealed lot's reveal window ends here (its ``closes_at`` is the commit deadline); a timed lot has none.
        "reveal_closes_at": beijing_instant(reveal, "reveal_closes_at") if (reveal := text(form, "reveal_closes_at"))
        else None})


class AuctionAdminController(Controller):
    include_in_schema = False
    guards = [login_required]  # noqa: RUF012 - litestar declares it as an instance attribute

    @get("/auctions/manage", name="auctions_manage")
    async def index(self, request: Request[Any, Any, Any], web: WebState, me: Identity) -> Template:
        return await self._index(request, web, me)

    @staticmethod
    async def _index(request: Request[Any, Any, Any], web: WebState, me: Identity, status_code: int = 200,
                     **values: Any) -> Template:
        sessions = await AuctionsQueries(web.pool).run_by(await runner(web, me))
        # The schedule form's request key, chosen when the page is drawn (kept when it is drawn again with a
        # refusal): a double submit schedules one session.
        key = _key(str((values.get("form") or {}).get("session_id", ""))) or uuid.uuid4()
        return Template("auctions/manage.html.jinja2", status_code=status_code, context=page_context(
            request, sessions=sessions, session_key=key, settle_days_default=SETTLE_DAYS_DEFAULT,
            settle_days_min=SETTLE_DAYS_MIN, settle_days_max=SETTLE_DAYS_MAX, **values))

    @post("/auctions/manage")
    async def schedule(self, request: Request[Any, Any, Any], web: WebState, me: Identity,
                       marketplace: Marketplace) -> Template | Redirect:
        form = await request.form()
        try:
            cmd = to_command(ac.ScheduleSession, {
                "title_zh": text(form, "title_zh"), "title_en": text(form, "title_en"),
                "deposit_rate": percent_to_basis_points(text(form, "deposit_rate_pct"), "deposit_rate"),
                "settle_days": whole_days(text(form, "settle_days"), "settle_days"),
                "session_id": text(form, "session_id") or None})
            session_id, _ = await run_command(web, marketplace.auctions.schedule_session, cmd, me)
        except DomainError as error:
            return await self._index(request, web, me, status_code=status_of(error), error=explain(request, error),
                                     form=dict(form))
        return Redirect(f"/auctions/{session_id}/manage?done=scheduled", status_code=303)

    @get("/auctions/{session_id:uuid}/manage", name="auction_manage")
    async def session(self, session_id: UUID, request: Request[Any, Any, Any], web: WebState,
                      me: Identity) -> Template:
        return await self._session(request, web, me, session_id)

    @staticmethod
    async def _session(request: Request[Any, Any, Any], web: WebState, me: Identity, session_id: UUID,
                       status_code: int = 200, **values: Any) -> Template:
        found, platform = await run_session(web, me, session_id)
        if platform:  # the page names every bidder, before the close too: a platform admin's read is recorded
            await record_read(request, web, me, session_id, "AuctionSession")
        queries = AuctionsQueries(web.pool)
        lots = await queries.lots(session_id)
        q = request.query_params.get("q", "").strip()[:100]
        picker = await web.catalogue.list_and_count(ListingFilters(q=q, limit=PICKER_SIZE), with_facets=False)
        listings = [item for item in picker.items
                    if {"assignment", "exclusive_licence"} & set(item.deal_types)]
        deposits = await queries.session_deposits(session_id)
        return Template("auctions/manage_session.html.jinja2", status_code=status_code, context=page_context(
            request, s=found, lots=lots, lot_by_id={lot.id: lot for lot in lots}, listings=listings, q=q,
            bidders=await queries.bidders(session_id), deposits=deposits, platform=platform,
            figures=session_figures(lots), done=DONE.get(request.query_params.get("done", "")), **values))

    @post("/auctions/{session_id:uuid}/manage/lots")
    async def add_lot(self, session_id: UUID, request: Request[Any, Any, Any], web: WebState, me: Identity,
                      marketplace: Marketplace) -> Template | Redirect:
        form = await request.form()
        try:
            await run_command(web, marketplace.auctions.add_lot, lot_command(session_id, form), me)
        except DomainError as error:
            return await self._session(request, web, me, session_id, status_code=status_of(error),
                                       error=explain(request, error), form=dict(form))
        return Redirect(f"/auctions/{session_id}/manage?done=lot#lots", status_code=303)

    @post("/auctions/{session_id:uuid}/manage/receipts")
    async def receipt(self, session_id: UUID, request: Request[Any, Any, Any], web: WebState, me: Identity,
                      marketplace: Marketplace) -> Template | Redirect:
        form = await request.form()
        try:
            cmd = to_command(ac.RecordDepositReceipt, {
                "lot_id": text(form, "lot_id") or None, "organisation_id": text(form, "organisation_id") or None,
                "amount": yuan_to_fen(text(form, "amount"), "amount"), "bank_reference": text(form, "bank_reference")})
            lot = await AuctionsQueries(web.pool).lot(cmd.lot_id)
            if lot is None or lot.session_id != session_id:
                raise NotFoundException(f"lot_id: no lot {cmd.lot_id} in this session")
            await run_command(web, marketplace.auctions.record_deposit, cmd, me)
        except DomainError as error:
            return await self._session(request, web, me, session_id, status_code=status_of(error),
                                       error=explain(request, error))
        return Redirect(f"/auctions/{session_id}/manage?done=receipt#deposits", status_code=303)


class AuctionReportController(Controller):
    include_in_schema = False

    @get("/auctions/{session_id:uuid}/report", name="auction_report")
    async def report(self, session_id: UUID, request: Request[Any, Any, Any], web: WebState,
                     maybe_me: Identity | None) -> Template:
        """The session's figures (public, like the results they come from) and each lot's result; lots their owner
        has not consented to only for those who may see them."""
        queries = AuctionsQueries(web.pool)
        found = await queries.session(session_id)
        if found is None:
            raise NotFoundException(f"session_id: no session with id {session_id}")
        lots = await visible_lots(queries, found, maybe_me)
        return Template("auctions/report.html.jinja2", context=page_context(
            request, s=found, lots=lots, figures=session_figures(lots),
            premiums={lot.id: lot_premium(lot) for lot in lots}))


def lot_premium(lot: LotRow) -> int | None:
    """A sold lot's hammer price over its starting price, in basis points."""
    if lot.status != "sold" or lot.price is None:
        return None
    return (lot.price - lot.start_price) * 10_000 // lot.start_price
