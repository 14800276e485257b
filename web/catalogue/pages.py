"""Public pages: home, listing index (with htmx partial), listing and patent details."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus, urlencode
from uuid import UUID

from jinja2 import pass_context
from jinja2.runtime import Context
from litestar import Controller, Request, get
from litestar.datastructures import CacheControlHeader
from litestar.exceptions import NotFoundException
from litestar.plugins.htmx import HTMXRequest
from litestar.response import File, Redirect, Template
from markupsafe import Markup, escape

from projections.accounts.view import AccountsQueries
from projections.catalogue.queries import SORTS, CatalogueQueries, FacetCount, ListingFilters
from web.catalogue.cards import prerendered_card, shown_html
from web.catalogue.ipc import ipc_titles
from web.context import Identity, page_context
from web.forms import yuan_to_fen
from web.params import page_number
from web.state import WebState

FAVICON = Path(__file__).parents[1] / "static" / "favicon.ico"

PAGE_SIZE = 20
FILTER_KEYS = ("q", "ipc_section", "ipc_class", "deal_type", "price_min", "price_max", "maturity", "status", "sort")


def _filters(request: Request[Any, Any, Any]) -> tuple[ListingFilters, dict[str, str], int]:
    params = {k: request.query_params.get(k, "").strip() for k in FILTER_KEYS}
    page = page_number(request.query_params.get("page"))
    status = params["status"] if params["status"] in ("published", "suspended", "withdrawn") else "published"
    if params["sort"] not in SORTS:
        params["sort"] = ""
    filters = ListingFilters(
        q=params["q"][:200], ipc_section=params["ipc_section"][:1].upper() or None,
        ipc_class=params["ipc_class"][:3].upper() or None, deal_type=params["deal_type"] or None,
        price_min=_price(params["price_min"]), price_max=_price(params["price_max"]),
        maturity=params["maturity"] or None, status=status, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE,
        sort=params["sort"],
    )
    return filters, {k: v for k, v in params.items() if v}, page


def _facet_links(active: dict[str, str]) -> Callable[[str, str, bool], Markup]:
    """``facet_href(facet, value, on)``: the (escaped) link of one facet value, as ``link(**{facet: None if on
    else value, 'page': None})`` builds it, but from the query string around the facet, built once per facet
    group instead of once per link (a search page draws about forty facet links)."""
    around: dict[str, tuple[str, str, Markup]] = {}

    def facet_href(facet: str, value: str, on: bool) -> Markup:
        if facet not in around:
            rest = {k: v for k, v in active.items() if k != "page"}
            keys = list(rest)
            at = keys.index(facet) if facet in rest else len(keys)
            before = urlencode({k: rest[k] for k in keys[:at]})
            after = urlencode({k: rest[k] for k in keys[at + 1:]})
            without = "&".join(part for part in (before, after) if part)
            around[facet] = (before + "&" if before else "", "&" + after if after else "",
                             escape("/listings" + ("?" + without if without else "")))
        before, after, without_it = around[facet]
        if on:
            return without_it
        return escape(f"/listings?{before}{quote_plus(facet)}={quote_plus(value)}{after}")

    return facet_href


#: The facets whose values the search page shows by their label (``t(prefix + value)``).
_FACET_LABELS = {"deal_type": "deal.", "maturity": "maturity.", "status": "status.", "ipc_section": "ipc."}


@pass_context
def facet_rows(context: Context, facet: str, counts: list[FacetCount]) -> Markup:
    """``{{ facet_rows(facet, counts) }}``: a facet group's list items, as the template's loop drew them (same
    HTML), at a fraction of its cost: a search page draws about forty."""
    t: Callable[..., str] = context["t"]
    active: dict[str, str] = context["active"]
    facet_href: Callable[[str, str, bool], Markup] = context["facet_href"]
    titles: dict[str, str] = context["ipc_class_titles"]
    short: Callable[[str, int], str] = context.environment.filters["ipc_short"]
    prefix = _FACET_LABELS.get(facet)
    rows = []
    for f in counts:
        on = active.get(facet) == f.value
        href = shown_html(facet_href(facet, f.value, on), t)
        if prefix is not None:
            label = shown_html(t(prefix + f.value), t)
        elif facet == "ipc_class":
            title = titles.get(f.value, "")
            label = (f'<span title="{shown_html(title, t)}">{shown_html(f.value, t)} '
                     f'<small>{shown_html(short(title, 26), t)}</small></span>')
        else:
            label = shown_html(f.value, t)
        rows.append(f'\n        \n        \n        <li class="{"on" if on else ""}"><a href="{href}"\n'
                    f'               hx-get="{href}" hx-target="#results" hx-push-url="true">{label}</a> '
                    f'<span class="n">{shown_html(f.count, t)}</span></li>\n        ')
    return Markup("".join(rows))  # noqa: S704 - every value in it is escaped by ``shown_html``


def _price(value: str) -> int | None:
    try:
        return yuan_to_fen(value, "price") if value else None
    except Exception:
        return None


class PagesController(Controller):
    include_in_schema = False

    @get("/", name="home")
    async def home(self, request: Request[Any, Any, Any], catalogue: CatalogueQueries) -> Template:
        counts = await catalogue.counts()
        latest = await catalogue.latest(8)
        return Template("home.html.jinja2", context=page_context(request, counts=counts, latest=latest))

    @get("/listings", name="listings")
    async def listings(self, request: HTMXRequest, web: WebState, catalogue: CatalogueQueries) -> Template:
        filters, active, page = _filters(request)
        partial = bool(request.htmx) and request.htmx.target == "results"
        result = await catalogue.list_and_count(filters, with_facets=True)
        pages = max(1, math.ceil(result.total / PAGE_SIZE))

        def link(**change: Any) -> str:
            merged = {**active, **{k: v for k, v in change.items() if v is not None}}
            for k, v in change.items():
                if v is None:
                    merged.pop(k, None)
            return "/listings" + ("?" + urlencode(merged) if merged else "")

        facet_href = _facet_links(active)
        classes = [f.value for f in result.facets.get("ipc_class", [])[:12]]
        context = page_context(request, result=result, active=active, page=page, pages=pages, link=link,
                               filters=filters, ipc_class_titles=ipc_titles(web, classes), card_html=prerendered_card,
                               facet_href=facet_href, facet_rows=facet_rows)
        template = "listings/partials/results.html.jinja2" if partial else "listings/index.html.jinja2"
        return Template(template, context=context)

    @get("/listings/{listing_id:uuid}", name="listing")
    async def listing(
        self, listing_id: UUID, request: Request[Any, Any, Any], web: WebState, catalogue: CatalogueQueries,
        accounts: AccountsQueries, maybe_me: Identity | None,
    ) -> Template:
        page = await catalogue.listing_page(listing_id)
        me = maybe_me
        if page is None or (
            page.detail.listing.status == "draft"
            and not (me and (me.organisation_id == page.detail.listing.organisation_id or me.has("platform_admin")))
        ):
            raise NotFoundException(f"listing_id: no listing with id {listing_id}")
        detail = page.detail
        can_edit = me is not None and me.organisation_id == detail.listing.organisation_id
        mine = await accounts.get_organisation(me.organisation_id) if me else None
        return Template("listings/detail.html.jinja2", context=page_context(
            request, d=detail, ipc=ipc_titles(web, detail.patent.ipc_codes), can_edit=can_edit,
            under_negotiation=page.under_negotiation, may_trade=mine is not None and mine.verified,
            licensed_kinds=page.licensed_kinds))

    @get("/patents", name="patents")
    async def patents(self, request: Request[Any, Any, Any], catalogue: CatalogueQueries) -> Template:
        q = request.query_params.get("q", "")[:200]
        page = page_number(request.query_params.get("page"))
        items, total = await catalogue.list_patents(q=q, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        pages = max(1, math.ceil(total / PAGE_SIZE))
        return Template("patents/index.html.jinja2", context=page_context(
            request, items=items, total=total, q=q, page=page, pages=pages))

    @get("/patents/{patent_id:uuid}", name="patent")
    async def patent(
        self, patent_id: UUID, request: Request[Any, Any, Any], web: WebState, catalogue: CatalogueQueries,
        accounts: AccountsQueries, maybe_me: Identity | None,
    ) -> Template:
        found = await catalogue.get_patent(patent_id)
        if found is None:
            raise NotFoundException(f"patent_id: no patent with id {patent_id}")
        patent, history = found
        me = maybe_me
        owns = me is not None and any(o.get("organisation_id") == str(me.organisation_id) for o in patent.owners)
        # Offered forms only; the commands check the rules again on the aggregates.
        registrant = patent.registrant_organisation_id
        active = patent.registration_status == "active"
        owner_ids = {o.get("organisation_id") for o in patent.owners}
        registrant_owns = registrant is not None and str(registrant) in owner_ids
        may_withdraw = active and owns and me is not None and me.has("org_admin") and (
            not registrant_owns or registrant == me.organisation_id)
        could_claim = active and me is not None and registrant != me.organisation_id
        mine = await accounts.get_organisation(me.organisation_id) if me else None
        verified = mine is not None and mine.verified
        claims = (await catalogue.list_claims(patent_id=patent_id, claimant=me.organisation_id))[0] if me else []
        transfers = await catalogue.ownership_history(patent_id)
        licences = await catalogue.patent_licences(patent_id)
        # The licensee's name is for the licensor and the licensee; everyone sees what the patent is encumbered with.
        show_licensees = me is not None and (owns or any(lic.licensee_organisation_id == me.organisation_id
                                                         for lic in licences))
        return Template("patents/detail.html.jinja2", context=page_context(
            request, under_negotiation=await catalogue.under_negotiation(patent_id), transfers=transfers,
            licences=licences, show_licensees=show_licensees,
            p=patent, history=history, ipc=ipc_titles(web, patent.ipc_codes), owns=owns,
            may_withdraw=may_withdraw, may_claim=could_claim and verified,
            claim_needs_verification=could_claim and not verified, my_claims=claims,
            claim_filed=request.query_params.get("claim") == "filed",
            funding_recorded=request.query_params.get("funding") == "recorded"))

    @get("/favicon.ico", name="favicon", cache_control=CacheControlHeader(max_age=86400, public=True))
    async def favicon(self) -> File:
        return File(FAVICON, media_type="image/x-icon", content_disposition_type="inline")

    @get("/lang/{code:str}", name="language")
    async def language(self, code: str, request: Request[Any, Any, Any]) -> Redirect:
        target = request.query_params.get("next", "/")
        if not target.startswith("/") or target[1:2] in ("/", "\\") or not target.isprintable():
            target = "/"  # a path of this site only: never //host, /\host or /<tab>/host (browsers read //host)
        response = Redirect(target, status_code=303)
        response.set_cookie("lang", code if code in ("zh", "en") else "zh", max_age=365 * 86400, samesite="lax")
        return response
