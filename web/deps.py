"""The web's dependencies, provided by litestar's ``Provide``: the web state, the application, each
trade's queries, and the acting user. A handler names what it needs as a parameter; nothing reaches
into ``request.app.state`` by hand.
"""

from __future__ import annotations

from litestar.datastructures import State
from litestar.di import Provide

from marketplace.platform.application import Marketplace
from projections.accounts.view import AccountsQueries
from projections.catalogue.queries import CatalogueQueries
from projections.deals.queries import DealsQueries
from projections.demand.queries import DemandQueries
from projections.programmes.conversion_queries import ConversionsQueries
from projections.programmes.queries import ProgrammesQueries
from projections.valuation.queries import ValuationQueries
from web.identity import provide_identity, provide_optional_identity
from web.state import WebState


def provide_web(state: State) -> WebState:
    web: WebState = state.web
    return web


def provide_marketplace(web: WebState) -> Marketplace:
    return web.services.app


def provide_catalogue(web: WebState) -> CatalogueQueries:
    return web.catalogue


def provide_accounts(web: WebState) -> AccountsQueries:
    return web.accounts


def provide_deals(web: WebState) -> DealsQueries:
    return DealsQueries(web.pool)


def provide_valuation(web: WebState) -> ValuationQueries:
    return ValuationQueries(web.pool)


def provide_demand(web: WebState) -> DemandQueries:
    return DemandQueries(web.pool)


def provide_programmes(web: WebState) -> ProgrammesQueries:
    return ProgrammesQueries(web.pool)


def provide_conversions(web: WebState) -> ConversionsQueries:
    return ConversionsQueries(web.pool)


DEPENDENCIES: dict[str, Provide] = {
    "web": Provide(provide_web, sync_to_thread=False),
    "marketplace": Provide(provide_marketplace, sync_to_thread=False),
    "catalogue": Provide(provide_catalogue, sync_to_thread=False),
    "accounts": Provide(provide_accounts, sync_to_thread=False),
    "deals": Provide(provide_deals, sync_to_thread=False),
    "valuation": Provide(provide_valuation, sync_to_thread=False),
    "programmes": Provide(provide_programmes, sync_to_thread=False),
    "conversions": Provide(provide_conversions, sync_to_thread=False),
    "demand": Provide(provide_demand, sync_to_thread=False),
    "me": Provide(provide_identity, sync_to_thread=False),
    "maybe_me": Provide(provide_optional_identity, sync_to_thread=False),
}
