"""The litestar application factory."""

from __future__ import annotations

import gc
import re
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

from jinja2 import pass_context
from jinja2.runtime import Context
from litestar import Litestar
from litestar.config.csrf import CSRFConfig
from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import HTTPException, NotFoundException
from litestar.plugins.htmx import HTMXPlugin
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from domain.accounts.user import ERASED_PERSON
from domain.shared.errors import DomainError
from marketplace.platform.services import Services, build_services
from marketplace.platform.settings import Settings
from projections.accounts.view import AccountsQueries
from projections.catalogue.queries import CatalogueQueries
from web.accounts.api import AccountsApiController, SignUpApiController
from web.accounts.pages import AccountController
from web.accounts.people import PeopleFormsController
from web.api_docs import declare_answers, openapi_config
from web.auctions.admin_pages import AuctionAdminController, AuctionReportController
from web.auctions.api import AuctionsApiController
from web.auctions.pages import AuctionPagesController
from web.audit.api import AuditApiController
from web.audit.lot_export import LotExportController
from web.audit.pages import AuditController
from web.audit.roots import DailyRootsController
from web.catalogue.api import ApiController
from web.catalogue.member_pages import MemberFormsController
from web.catalogue.pages import PagesController
from web.catalogue.registrations import RegistrationPagesController
from web.catalogue.registrations_api import RegistrationsApiController
from web.deals.api import DealsApiController, NoticesApiController
from web.deals.pages import DealsController, NoticesController
from web.deals.payments import PaymentPagesController
from web.deals.payments_api import PaymentsApiController
from web.deals.reconciliation import ReconciliationApiController, ReconciliationController
from web.deals.sections import ContractSections
from web.deals.webhooks import WebhooksController
from web.demand.api import EnquiriesApiController
from web.demand.demand_api import DemandsApiController
from web.demand.demand_pages import DemandPagesController
from web.demand.matching import MatchingApiController, MatchingPagesController
from web.demand.pages import EnquiryPagesController
from web.deps import DEPENDENCIES
from web.errors import (
    MarketplaceRequest,
    domain_error_handler,
    http_error_handler,
    internal_error_handler,
    refuse_nul_in_query,
)
from web.fast_paths import PageCache, cache_public_pages, serve_static
from web.formats import money, shown_day
from web.health import HealthController
from web.i18n import history_reason, shown_value
from web.market.api import TechRegistrationApiController
from web.market.broker_api import BrokerApiController
from web.market.brokers import BrokerPagesController
from web.market.open_data import OpenDataApiController, OpenDataPagesController
from web.market.packages import PackagePagesController, PackagesApiController
from web.market.pages import TechRegistrationPagesController, contract_section
from web.market.statistics import MarketStatisticsController
from web.notifications.pages import InboxApiController, InboxController, UnsubscribeController
from web.programmes.agency_subsidy import AgencySubsidyApiController, AgencySubsidyPagesController
from web.programmes.api import ProgrammesApiController
from web.programmes.assessment import PaymentAssessmentController
from web.programmes.conversions import ConversionPagesController
from web.programmes.conversions_api import ConversionsApiController
from web.programmes.dashboard import ProgrammeDashboardController
from web.programmes.pages import ProgrammePagesController
from web.programmes.related import RelatedPartiesPagesController
from web.programmes.vouchers import VoucherPagesController, VouchersApiController
from web.replica import read_your_writes_middleware, replica_router
from web.security_headers import answer_head, security_headers
from web.sessions import PostgresSessionStore, SessionConfig, credentials_middleware
from web.state import WebState, create_pool
from web.throttle import ThrottledError, throttled_handler
from web.todo import TodoController, count_in_header
from web.valuation.api import ValuationApiController
from web.valuation.pages import ValuationPagesController
from web.vocabulary import site_vocabulary

HERE = Path(__file__).parent
_PARENTHESES = re.compile(r"\([^()]*\)")


def purpose_label(t: Callable[..., str], purpose: str) -> str:
    """What a payment obligation is for, in the reader's words (``upfront``, ``instalment-2``, ``milestone-X``,
    ``royalty-2027-12-31``); an unknown purpose shows as stored."""
    kind, _, rest = purpose.partition("-")
    if kind == "upfront" and not rest:
        return t("payment.purpose.upfront")
    if kind == "instalment" and rest.isdigit():
        return t("payment.purpose.instalment", n=int(rest))
    if kind == "milestone" and rest:
        return t("payment.purpose.milestone", name=rest)
    if kind == "royalty" and rest:
        return t("payment.purpose.royalty", day=rest)
    if kind == "minimum" and rest:
        return t("payment.purpose.minimum", day=rest)
    return purpose


def ipc_short(title: str, limit: int = 90) -> str:
    """An IPC title without its parenthesised cross-references, in sentence case, at most ``limit`` long."""
    text = title
    while True:  # remove innermost parentheses until none are left
        shorter = _PARENTHESES.sub("", text)
        if shorter == text:
            break
        text = shorter
    text = " ".join(text.split()).strip(" ;,")
    text = text[:1].upper() + text[1:].lower() if text.isupper() else text
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@pass_context
def _shown(context: Context, value: object) -> object:
    """Every printed value: an erased person's name in the page's language only (``web.i18n.shown_value``)."""
    if value != ERASED_PERSON:  # (a page prints hundreds of values: the context is looked up only for that one)
        return value
    return shown_value(value, context.get("t"))


@pass_context
def _history_reason(context: Context, reason: str | None) -> str:
    return history_reason(reason, context["t"], context.get("lang", "zh"))


def _instant(value: str | datetime | None) -> str:
    """An instant recorded as ISO text in a payload (an agency claim's basis) shown like ``day``."""
    return shown_day(datetime.fromisoformat(value) if isinstance(value, str) else value)


def _template_engine(engine: JinjaTemplateEngine) -> None:
    # The templates ship with the code: read once per process, not checked for changes (a stat of each file
    # a page includes) on every page. Restart the server after editing one.
    engine.engine.auto_reload = False
    engine.engine.finalize = _shown
    engine.engine.filters.update(day=shown_day, ipc_short=ipc_short, pct=lambda bp: f"{bp / 100:g} %",
                                 history_reason=_history_reason, instant=_instant)
    engine.engine.globals.update(money=money, purpose_label=purpose_label, new_id=uuid.uuid4)
    engine.engine.globals.update(deal_types=("assignment", "exclusive_licence", "sole_licence",
                                             "non_exclusive_licence", "open_licence"),
                                 maturities=("concept", "prototype", "pilot", "industrialised"),
                                 legal_statuses=("pending", "granted", "lapsed", "expired", "invalidated",
                                                 "withdrawn"),
                                 organisation_kinds=("university", "research_institute", "enterprise",
                                                     "valuation_agency", "transfer_agency", "government"))


def provide_contract_sections(web: WebState) -> ContractSections:
    """What the trades above deals add to the contract page (the deals trade reads none of them)."""
    return ContractSections(web, [contract_section])


def create_app(services: Services | None = None, *, start_projections: bool | None = None) -> Litestar:
    """Build the web application; without ``services`` it wires them from the environment."""
    owned = services is None
    svc = services or build_services(Settings.from_env())
    settings = svc.settings

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        run_projections = settings.run_projections_in_process if start_projections is None else start_projections
        if run_projections and svc.runner is None:
            svc.start_projections()
        primary = await create_pool(svc, max_size=max(4, settings.pool_size))
        pool = await replica_router(svc, primary)  # the primary itself unless a read replica is configured
        app.state.web = WebState(svc, pool, CatalogueQueries(pool), AccountsQueries(pool),
                                 todo_count_seconds=settings.todo_count_seconds,
                                 read_wait_seconds=settings.read_wait_seconds,
                                 primary_pool=primary if pool is not primary else None)
        session_store.bind(primary)
        if owned:
            # A serving process: what start-up built (modules, templates, the IPC scheme, pools) lives as long as
            # the process, so the cyclic collector stops walking it. Left in, each full collection walked all of
            # it, stalling whatever request was running for 45-160 ms (gc.callbacks, 1 in about 1,000 requests).
            gc.collect()
            gc.freeze()
        try:
            yield
        finally:
            await pool.close()
            if owned:
                svc.close()

    session_store = PostgresSessionStore()
    app = Litestar(
        route_handlers=[
            PagesController, AccountController, MemberFormsController, ApiController, AuditController,
            AuditApiController, DailyRootsController, LotExportController, DealsController, DealsApiController,
            WebhooksController,
            NoticesController, NoticesApiController, PaymentPagesController, PaymentsApiController,
            ValuationPagesController, ValuationApiController, HealthController,
            RegistrationPagesController, RegistrationsApiController,
            PeopleFormsController, SignUpApiController, AccountsApiController, TodoController,
            ProgrammeDashboardController, ProgrammePagesController, ProgrammesApiController, ConversionPagesController,
            AgencySubsidyPagesController, AgencySubsidyApiController,
            PaymentAssessmentController, RelatedPartiesPagesController,
            ConversionsApiController, EnquiryPagesController, EnquiriesApiController,
            DemandPagesController, DemandsApiController, MatchingPagesController, MatchingApiController,
            AuctionPagesController, AuctionsApiController, AuctionAdminController, AuctionReportController,
            TechRegistrationPagesController, TechRegistrationApiController, OpenDataPagesController,
            OpenDataApiController, MarketStatisticsController, BrokerPagesController, BrokerApiController,
            PackagePagesController, PackagesApiController,
            VoucherPagesController, VouchersApiController,
            ReconciliationController, ReconciliationApiController,
            InboxController, UnsubscribeController, InboxApiController,
            create_static_files_router(path="/static", directories=[HERE / "static"], include_in_schema=False),
        ],
        dependencies={**DEPENDENCIES, "contract_sections": Provide(provide_contract_sections, sync_to_thread=False)},
        lifespan=[lifespan],
        stores={"sessions": session_store},
        middleware=[SessionConfig(secure=settings.secure_cookies, httponly=True, samesite="lax", max_age=8 * 3600,
                                  exclude=["^/static/"]).middleware, credentials_middleware,
                    *([read_your_writes_middleware(settings.secure_cookies)] if settings.read_database_url else [])],
        csrf_config=CSRFConfig(secret=settings.secret_key, exclude=["^/api/", "^/static/", "^/webhooks/"],
                               cookie_secure=settings.secure_cookies, cookie_httponly=False),
        template_config=TemplateConfig(directory=HERE / "templates", engine=JinjaTemplateEngine,
                                       engine_callback=_template_engine),
        openapi_config=openapi_config(),
        exception_handlers={DomainError: domain_error_handler, HTTPException: http_error_handler,
                            NotFoundException: http_error_handler, ThrottledError: throttled_handler,
                            Exception: internal_error_handler},
        request_class=MarketplaceRequest,  # the htmx plugin's request: ``request.htmx``
        plugins=[HTMXPlugin()],
        state=State({"vocabulary": site_vocabulary()}),
        before_request=refuse_nul_in_query,
        after_request=count_in_header,
        before_send=[security_headers(https=settings.secure_cookies)],
    )
    # Static files and anonymous listing pages are answered before the session, CSRF and identity middleware
    # they have no use for (web/fast_paths.py); litestar's ``before_send`` still adds the security headers.
    app.state.page_cache = PageCache()
    app.asgi_handler = answer_head(serve_static(cache_public_pages(app.asgi_handler, app.state.page_cache),
                                                HERE / "static"))
    declare_answers(app)
    return app
