"""Brokers and transfer agencies on the site: the public register (``/brokers``) with the platform admin's forms
to accredit, renew and revoke brokers, broker and agency performance pages with their chart, table and CSV, a
listing's mandates (委托) and introductions, and the introductions page where buyers confirm and brokers follow
their deals.

Forms post the commands the JSON API takes (``web.market.broker_api``); the application checks again who
acts, on the aggregates. Performance figures are read from the brokers read model with the deals'
(``projections.market.broker_queries``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Response, Template
from markupsafe import Markup

from domain.market.agency_subsidy import subsidy_ceiling
from domain.shared.errors import DomainError
from marketplace.market import commands as mc
from marketplace.platform.application import Marketplace
from projections.catalogue.queries import CatalogueQueries
from projections.market.broker_queries import BrokerQueries, BrokerRow, PerformanceRow, Scope
from projections.market.statistics_queries import Period
from web.charts import bar_chart
from web.commands import run_command
from web.context import Identity, language_of, page_context
from web.demand.access import visible_listing
from web.errors import error_page, form_error
from web.formats import BEIJING, money
from web.forms import text, to_command
from web.i18n import vocabulary_of
from web.identity import login_required
from web.state import WebState

DONE = {"accredited": "broker.accredited_done", "renewed": "broker.renewed_done", "revoked": "broker.revoked_done",
        "given": "mandate.given", "ended": "mandate.ended_done", "introduced": "introduction.recorded",
        "confirmed": "introduction.confirmed_done", "declined": "introduction.declined_done"}


def today(web: WebState) -> date:
    """Today in Beijing by the application's clock (the one commands act at)."""
    return web.services.app.clock.now().astimezone(BEIJING).date()


def broker_status(b: BrokerRow, day: date) -> str:
    if b.revoked_on is not None and day >= b.revoked_on:
        return "revoked"
    return "valid" if b.accredited_on <= day <= b.expires_on else "expired"


def performance_chart(key: str, rows: list[PerformanceRow], lang: str, t: Any) -> Markup | None:
    if not rows:
        return None
    described = "; ".join(t("broker.chart.desc", period=r.period, introductions=r.introductions, deals=r.deals,
                            volume=money(r.volume, lang)) for r in rows)
    return bar_chart(key=key, title=t("broker.chart.title"), description=described,
                     labels=[r.period for r in rows], values=[r.volume / 100 for r in rows],
                     series=t("broker.chart.series"), horizontal=False, formatter=lambda v: f"{v:,.0f}")


def total_of(rows: list[PerformanceRow]) -> PerformanceRow:
    return PerformanceRow(period="", introductions=sum(r.introductions for r in rows),
                          converted=sum(r.converted for r in rows), deals=sum(r.deals for r in rows),
                          volume=sum(r.volume for r in rows), commission=sum(r.commission for r in rows))


def _cell(value: str) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def performance_csv(rows: list[PerformanceRow], t: Any) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([t("broker.period"), t("broker.introductions"), t("broker.deals"), f"{t('broker.volume')} (CNY)",
                     f"{t('broker.commission')} (CNY)", t("broker.conversion")])
    for r in rows:
        writer.writerow([_cell(r.period), r.introductions, r.deals, f"{Decimal(r.volume) / 100:.2f}",
                         f"{Decimal(r.commission) / 100:.2f}",
                         "" if r.conversion is None else f"{r.conversion:.4f}"])
    return "\ufeff" + out.getvalue()


async def performance_context(request: Request[Any, Any, Any], web: WebState, scope: Scope, subject: UUID,
                              period: Period) -> dict[str, Any]:
    rows = await BrokerQueries(web.pool).performance(scope, subject, period)
    lang = language_of(request)
    t = vocabulary_of(request).translator(lang)
    return {"rows": rows, "total": total_of(rows), "period": period,
            "chart": performance_chart(f"perf-{scope}", rows, lang, t)}


def csv_response(rows: list[PerformanceRow], request: Request[Any, Any, Any], name: str) -> Response[str]:
    t = vocabulary_of(request).translator(language_of(request))
    return Response(performance_csv(rows, t), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})


async def register_context(web: WebState, me: Identity | None) -> dict[str, Any]:
    """The register, and for a platform admin the members of transfer agencies it may accredit."""
    queries = BrokerQueries(web.pool)
    admin = me is not None and me.has("platform_admin")
    return {"brokers": await queries.brokers(), "status_of": broker_status, "today": today(web), "admin": admin,
            "candidates": await queries.accreditable() if admin else []}


async def profile_context(request: Request[Any, Any, Any], web: WebState, me: Identity | None, broker: BrokerRow,
                          period: Period) -> dict[str, Any]:
    """A broker's public profile and figures; a platform admin also gets the renewal and revocation forms."""
    figures = await performance_context(request, web, "broker", broker.user_id, period)
    return {"b": broker, "status": broker_status(broker, today(web)), "today": today(web),
            "admin": me is not None and me.has("platform_admin"),
            "csv_link": f"/brokers/{broker.id}/performance.csv",
            "done": DONE.get(request.query_params.get("done", "")), **figures}


class BrokerPagesController(Controller):
    include_in_schema = False

    # --- the public register and performance --------------------------------------------------
    @get("/brokers", name="brokers")
    async def register(self, request: Request[Any, Any, Any], web: WebState,
                       maybe_me: Identity | None) -> Template:
        return Template("market/brokers/index.html.jinja2", context=page_context(
            request, **await register_context(web, maybe_me)))

    @get("/brokers/{broker_id:uuid}", name="broker")
    async def profile(self, broker_id: UUID, request: Request[Any, Any, Any], web: WebState,
                      maybe_me: Identity | None, period: Period = "month") -> Template:
        broker = await BrokerQueries(web.pool).broker(broker_id)
        if broker is None:
            raise NotFoundException(f"broker_id: no broker with id {broker_id}")
        return Template("market/brokers/profile.html.jinja2", context=page_context(
            request, **await profile_context(request, web, maybe_me, broker, period)))

    @get("/brokers/{broker_id:uuid}/performance.csv", name="broker_csv")
    async def profile_csv(self, broker_id: UUID, request: Request[Any, Any, Any], web: WebState,
                          period: Period = "month") -> Response[str]:
        broker = await BrokerQueries(web.pool).broker(broker_id)
        if broker is None:
            raise NotFoundException(f"broker_id: no broker with id {broker_id}")
        rows = await BrokerQueries(web.pool).performance("broker", broker.user_id, period)
        return csv_response(rows, request, f"broker-{broker_id}-{period}")

    @get("/agencies/{agency_id:uuid}", name="agency")
    async def agency(self, agency_id: UUID, request: Request[Any, Any, Any], web: WebState,
                     period: Period = "month") -> Template:
        queries = BrokerQueries(web.pool)
        names = dict(await queries.organisations("transfer_agency"))
        if agency_id not in names:
            raise NotFoundException(f"agency_id: no transfer agency with id {agency_id}")
        figures = await performance_context(request, web, "agency", agency_id, period)
        years = await queries.performance("agency", agency_id, "year")
        ceilings = [(r.period, r.volume, subsidy_ceiling(r.volume)) for r in years if r.volume]
        return Template("market/brokers/agency.html.jinja2", context=page_context(
            request, ceilings=ceilings,
            agency_id=agency_id, agency_name=names[agency_id], brokers=await queries.brokers_of(agency_id),
            mandates=await queries.mandates_of_agency(agency_id), status_of=broker_status, today=today(web),
            csv_link=f"/agencies/{agency_id}/performance.csv", **figures))

    @get("/agencies/{agency_id:uuid}/performance.csv", name="agency_csv")
    async def agency_csv(self, agency_id: UUID, request: Request[Any, Any, Any], web: WebState,
                         period: Period = "month") -> Response[str]:
        rows = await BrokerQueries(web.pool).performance("agency", agency_id, period)
        return csv_response(rows, request, f"agency-{agency_id}-{period}")

    # --- the platform admin's forms: accredit, renew, revoke ----------------------------------
    @post("/brokers", guards=[login_required])
    async def accredit(self, request: Request[Any, Any, Any], web: WebState, me: Identity,
                       marketplace: Marketplace) -> Template | Redirect:
        form = await request.form()
        try:
            cmd = to_command(mc.AccreditBroker, {"user_id": text(form, "user_id") or None,
                                                 "credential_number": text(form, "credential_number"),
                                                 "expires_on": text(form, "expires_on") or None})
            broker_id, _ = await run_command(web, marketplace.brokers.accredit_broker, cmd, me)
        except DomainError as error:
            same = await self._same_again(web, error, "broker.accredited", text(form, "user_id"),
                                          lambda b: b.revoked_on is None and (b.credential_number, str(b.expires_on))
                                          == (" ".join(text(form, "credential_number").split()),
                                              text(form, "expires_on")))
            if same is not None:  # a second click: the first accredited it as asked
                return Redirect(f"/brokers/{same.id}?done=accredited", status_code=303)
            context = await register_context(web, me)
            return form_error(request, "market/brokers/index.html.jinja2", error, **context, form=dict(form))
        return Redirect(f"/brokers/{broker_id}?done=accredited", status_code=303)

    @post("/brokers/{broker_id:uuid}/renew", guards=[login_required])
    async def renew(self, broker_id: UUID, request: Request[Any, Any, Any], web: WebState, me: Identity,
                    marketplace: Marketplace) -> Template | Redirect:
        broker = await self._broker_row(web, broker_id)
        form = await request.form()
        try:
            cmd = to_command(mc.RenewBroker, {"user_id": broker.user_id,
                                              "expires_on": text(form, "expires_on") or None})
            await run_command(web, marketplace.brokers.renew_broker, cmd, me)
        except DomainError as error:
            if await self._same_again(web, error, "broker.expires_after", str(broker.user_id),
                                      lambda b: str(b.expires_on) == text(form, "expires_on")):
                return Redirect(f"/brokers/{broker_id}?done=renewed", status_code=303)  # a second click
            return await self._profile_refused(request, web, me, broker, error, dict(form))
        return Redirect(f"/brokers/{broker_id}?done=renewed", status_code=303)

    @post("/brokers/{broker_id:uuid}/revoke", guards=[login_required])
    async def revoke(self, broker_id: UUID, request: Request[Any, Any, Any], web: WebState, me: Identity,
                     marketplace: Marketplace) -> Template | Redirect:
        broker = await self._broker_row(web, broker_id)
        form = await request.form()
        try:
            cmd = to_command(mc.RevokeBroker, {"user_id": broker.user_id, "reason": text(form, "reason")})
            await run_command(web, marketplace.brokers.revoke_broker, cmd, me)
        except DomainError as error:
            if await self._same_again(web, error, "broker.revoked", str(broker.user_id),
                                      lambda b: b.revocation_reason == " ".join(text(form, "reason").split())):
                return Redirect(f"/brokers/{broker_id}?done=revoked", status_code=303)  # a second click
            return await self._profile_refused(request, web, me, broker, error, dict(form))
        return Redirect(f"/brokers/{broker_id}?done=revoked", status_code=303)

    @staticmethod
    async def _same_again(web: WebState, error: DomainError, code: str, user_id: str,
                          done: Callable[[BrokerRow], bool]) -> BrokerRow | None:
        """The accreditation when ``error`` (of ``code``) refused a form the accreditation already answers as
        asked — the form sent twice — else ``None`` (then the refusal is shown)."""
        if error.code != code:
            return None
        try:
            broker = await BrokerQueries(web.pool).broker_of_user(UUID(user_id))
        except ValueError:
            return None
        return broker if broker is not None and done(broker) else None

    @staticmethod
    async def _broker_row(web: WebState, broker_id: UUID) -> BrokerRow:
        broker = await BrokerQueries(web.pool).broker(broker_id)
        if broker is None:
            raise NotFoundException(f"broker_id: no broker with id {broker_id}")
        return broker

    @staticmethod
    async def _profile_refused(request: Request[Any, Any, Any], web: WebState, me: Identity, broker: BrokerRow,
                       error: DomainError, form: dict[str, Any]) -> Template:
        context = await profile_context(request, web, me, broker, "month")
        return form_error(request, "market/brokers/profile.html.jinja2", error, **context, form=form)

    # --- a listing's mandates and introductions ------------------------------------------------
    async def _section(self, request: Request[Any, Any, Any], web: WebState, me: Identity | None,
                       listing_id: UUID, catalogue: CatalogueQueries, **extra: Any) -> dict[str, Any]:
        detail = await visible_listing(catalogue, me, listing_id)
        queries = BrokerQueries(web.pool)
        mandates = await queries.mandates_for_listing(listing_id)
        seller_admin = me is not None and me.organisation_id == detail.listing.organisation_id and me.has("org_admin")
        day = today(web)
        mine = None
        if me is not None:
            mine = next((m for m in mandates if m.agency_id == me.organisation_id and m.live_on(day)), None)
        broker = mine is not None and any(b.user_id == me.user_id and broker_status(b, day) == "valid"
                                          for b in await queries.brokers_of(mine.agency_id)) if me else False
        return {
            "item": detail.listing, "mandates": mandates, "today": day, "seller_admin": seller_admin,
            "broker": broker,
            "agencies": await queries.organisations("transfer_agency") if seller_admin else [],
            "buyers": [o for o in await queries.organisations(not_kind=("transfer_agency", "government"))
                       if o[0] != detail.listing.organisation_id] if broker else [],
            "done": DONE.get(request.query_params.get("done", "")), **extra,
        }

    @get("/listings/{listing_id:uuid}/brokerage", name="listing_brokerage")
    async def section(self, listing_id: UUID, request: Request[Any, Any, Any], web: WebState,
                      maybe_me: Identity | None, catalogue: CatalogueQueries) -> Template:
        context = await self._section(request, web, maybe_me, listing_id, catalogue)
        partial = bool(request.headers.get("hx-request"))
        return Template("market/brokers/section.html.jinja2" if partial else "market/brokers/listing.html.jinja2",
                        context=page_context(request, **context))

    async def _refused(self, request: Request[Any, Any, Any], web: WebState, me: Identity, listing_id: UUID,
                       catalogue: CatalogueQueries, error: DomainError, form: dict[str, Any]) -> Template:
        context = await self._section(request, web, me, listing_id, catalogue)
        return form_error(request, "market/brokers/listing.html.jinja2", error, **context, form=form)

    @post("/listings/{listing_id:uuid}/mandates", guards=[login_required])
    async def give(self, listing_id: UUID, request: Request[Any, Any, Any], web: WebState, me: Identity,
                   marketplace: Marketplace, catalogue: CatalogueQueries) -> Template | Redirect:
        form = await request.form()
        try:
            cmd = to_command(mc.GiveMandate, {
                "listing_id": listing_id, "agency_id": text(form, "agency_id") or None,
                "commission": text(form, "commission") or None, "ends_on": text(form, "ends_on") or None,
                "may_act": text(form, "may_act") == "yes"})
            await run_command(web, marketplace.brokers.give_mandate, cmd, me)
        except DomainError as error:
            return await self._refused(request, web, me, listing_id, catalogue, error, dict(form))
        return Redirect(f"/listings/{listing_id}/brokerage?done=given", status_code=303)

    @post("/listings/{listing_id:uuid}/mandates/{agency_id:uuid}/end", guards=[login_required])
    async def end(self, listing_id: UUID, agency_id: UUID, request: Request[Any, Any, Any], web: WebState,
                  me: Identity, marketplace: Marketplace, catalogue: CatalogueQueries) -> Template | Redirect:
        form = await request.form()
        try:
            cmd = to_command(mc.EndMandate, {"listing_id": listing_id, "agency_id": agency_id,
                                             "reason": text(form, "reason")})
            await run_command(web, marketplace.brokers.end_mandate, cmd, me)
        except DomainError as error:
            return await self._refused(request, web, me, listing_id, catalogue, error, dict(form))
        return Redirect(f"/listings/{listing_id}/brokerage?done=ended", status_code=303)

    @post("/listings/{listing_id:uuid}/introductions", guards=[login_required])
    async def introduce(self, listing_id: UUID, request: Request[Any, Any, Any], web: WebState, me: Identity,
                        marketplace: Marketplace, catalogue: CatalogueQueries) -> Template | Redirect:
        form = await request.form()
        try:
            cmd = to_command(mc.IntroduceBuyer, {"listing_id": listing_id,
                                                 "buyer_organisation_id": text(form, "buyer_organisation_id") or None,
                                                 "note": text(form, "note")})
            await run_command(web, marketplace.brokers.introduce_buyer, cmd, me)
        except DomainError as error:
            return await self._refused(request, web, me, listing_id, catalogue, error, dict(form))
        return Redirect(f"/listings/{listing_id}/brokerage?done=introduced", status_code=303)

    # --- introductions: the buyer confirms, the broker follows -----------------------------------
    @get("/introductions", name="introductions", guards=[login_required])
    async def introductions(self, request: Request[Any, Any, Any], web: WebState, me: Identity) -> Template:
        queries = BrokerQueries(web.pool)
        return Template("market/brokers/introductions.html.jinja2", context=page_context(
            request, to_confirm=await queries.introductions(buyer_organisation_id=me.organisation_id),
            mine=await queries.introductions(broker_user_id=me.user_id),
            deals=await queries.brokered_deals(me.organisation_id),
            done=DONE.get(request.query_params.get("done", ""))))

    @post("/introductions/{introduction_id:uuid}/confirm", guards=[login_required])
    async def confirm(self, introduction_id: UUID, request: Request[Any, Any, Any], web: WebState, me: Identity,
                      marketplace: Marketplace) -> Template | Redirect:
        try:
            await run_command(web, marketplace.brokers.confirm_introduction,
                              mc.ConfirmIntroduction(introduction_id=introduction_id), me)
        except DomainError as error:
            return error_page(request, error)
        return Redirect("/introductions?done=confirmed", status_code=303)

    @post("/introductions/{introduction_id:uuid}/decline", guards=[login_required])
    async def decline(self, introduction_id: UUID, request: Request[Any, Any, Any], web: WebState, me: Identity,
                      marketplace: Marketplace) -> Template | Redirect:
        form = await request.form()
        try:
            cmd = to_command(mc.DeclineIntroduction, {"introduction_id": introduction_id,
                                                      "reason": text(form, "reason")})
            await run_command(web, marketplace.brokers.decline_introduction, cmd, me)
        except DomainError as error:
            return error_page(request, error)
        return Redirect("/introductions?done=declined", status_code=303)
