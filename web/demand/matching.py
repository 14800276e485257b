"""Matching, explained: a demand's ranked listings and a listing's ranked demands, each with its reasons.

Both read the rows the matching read model keeps (``projections.demand.matching``). A demand's matches are shown
to whoever may see the demand (listings are public). A listing's matching demands are shown only to members of
the listing's seller organisation, and only the demands that organisation may see: verified-only demands to a
verified organisation; never to anonymous readers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, get
from litestar.response import Template

from domain.shared.errors import PermissionDeniedError
from marketplace.platform.application import Marketplace
from projections.catalogue.queries import CatalogueQueries
from projections.demand.demands_queries import DemandsQueries
from projections.demand.matching_queries import DemandMatch, ListingMatch, MatchingQueries
from web.api_docs import BEARER, OPTIONAL_BEARER
from web.context import Identity, page_context
from web.demand.access import visible_listing
from web.demand.demand_api import visible_demand
from web.errors import error_page
from web.identity import login_required
from web.params import Limit
from web.state import WebState

#: Matches a page shows.
SHOWN = 10


class ListingMatches(msgspec.Struct, frozen=True):
    """A demand's matching published listings, best first."""

    items: list[ListingMatch]


class DemandMatches(msgspec.Struct, frozen=True):
    """A listing's matching open demands that the seller may see, best first."""

    items: list[DemandMatch]


async def listing_matches(web: WebState, me: Identity | None, demand_id: UUID, limit: int) -> list[ListingMatch]:
    await visible_demand(DemandsQueries(web.pool), me, demand_id)
    return await MatchingQueries(web.pool).listings_for(demand_id, limit)


async def demand_matches(web: WebState, catalogue: CatalogueQueries, me: Identity, listing_id: UUID, now: datetime,
                         limit: int) -> list[DemandMatch]:
    detail = await visible_listing(catalogue, me, listing_id)
    if me.organisation_id != detail.listing.organisation_id:
        raise PermissionDeniedError("listing_id: only the seller's members see a listing's matching demands",
                                    field="listing_id", code="match.not_seller")
    verified = await DemandsQueries(web.pool).verified(me.organisation_id)
    return await MatchingQueries(web.pool).demands_for(listing_id, reader=me.organisation_id, verified=verified,
                                                       now=now, limit=limit)


def _section(request: Request[Any, Any, Any], kind: str, matches: list[Any], back: str) -> Template:
    partial = bool(request.headers.get("hx-request"))
    return Template("demand/partials/matches.html.jinja2" if partial else "demand/matches.html.jinja2",
                    context=page_context(request, kind=kind, matches=matches, back=back))


class MatchingPagesController(Controller):
    include_in_schema = False

    @get("/demands/{demand_id:uuid}/matches", name="demand_matches")
    async def listings(self, demand_id: UUID, request: Request[Any, Any, Any], web: WebState,
                       maybe_me: Identity | None) -> Template:
        """The demand page's section (htmx), or a page of its own."""
        found = await listing_matches(web, maybe_me, demand_id, SHOWN)
        return _section(request, "listings", found, f"/demands/{demand_id}")

    @get("/listings/{listing_id:uuid}/matching-demands", name="listing_matching_demands", guards=[login_required])
    async def demands(self, listing_id: UUID, request: Request[Any, Any, Any], web: WebState, me: Identity,
                      catalogue: CatalogueQueries, marketplace: Marketplace) -> Template:
        try:
            found = await demand_matches(web, catalogue, me, listing_id, marketplace.clock.now(), SHOWN)
        except PermissionDeniedError as error:
            return error_page(request, error)
        return _section(request, "demands", found, f"/listings/{listing_id}")


class MatchingApiController(Controller):
    path = "/api"
    tags = ["demands"]  # noqa: RUF012 - litestar declares it as an instance attribute

    @get("/demands/{demand_id:uuid}/matches", summary="A demand's matching published listings with the reasons",
         security=OPTIONAL_BEARER)
    async def listings(self, demand_id: UUID, web: WebState, maybe_me: Identity | None,
                       limit: Limit = 20) -> ListingMatches:
        return ListingMatches(await listing_matches(web, maybe_me, demand_id, limit))

    @get("/listings/{listing_id:uuid}/matching-demands", security=BEARER,
         summary="A listing's matching open demands with the reasons (the seller's members)")
    async def demands(self, listing_id: UUID, web: WebState, me: Identity, catalogue: CatalogueQueries,
                      marketplace: Marketplace, limit: Limit = 20) -> DemandMatches:
        found = await demand_matches(web, catalogue, me, listing_id, marketplace.clock.now(), limit)
        return DemandMatches(found)
