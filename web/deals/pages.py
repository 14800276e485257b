"""Deal pages: my deals, an offer's thread, public notices (公示), a contract, and the forms that act on them.

Pages read the deals read model; every form posts a command to the application, which checks
roles, parties and deadlines on the aggregates. A thread or a contract is shown only to the
parties (and co-owners, platform admins and auditors): ``web.access``. Payment pages are in
``web.deals.payments``.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from domain.shared.errors import DomainError
from marketplace.deals import commands as dc
from marketplace.deals.contracts import OpenLicencePreview
from marketplace.platform.application import Marketplace
from projections.catalogue.queries import CatalogueQueries
from projections.deals.queries import DealsQueries, count_transfers_awaiting_receipt
from projections.deals.rows import ObjectionRow
from web.access import as_of_url, guard_contract, guard_offer, reads_everything
from web.commands import run_command
from web.context import Identity, page_context
from web.deals.forms import form_command, terms_fields
from web.deals.sections import ContractSections
from web.errors import error_page, explain
from web.forms import optional, text, to_command, yuan_to_fen
from web.identity import login_required
from web.state import WebState
from web.throttle import throttle_objections


class DealsController(Controller):
    """My deals, offers and contracts: every page and form needs a logged-in user."""

    include_in_schema = False
    guards = [login_required]  # noqa: RUF012

    # --- pages ----------------------------------------------------------------------------
    @get("/deals", name="deals")
    async def my_deals(self, request: Request[Any, Any, Any], me: Identity, web: WebState,
                       deals: DealsQueries, marketplace: Marketplace) -> Template:
        bought, _ = await deals.my_offers(me.organisation_id, side="buyer")
        sold, _ = await deals.my_offers(me.organisation_id, side="seller")
        contracts = await deals.my_contracts(me.organisation_id)
        obligations = await deals.obligations(organisation_id=me.organisation_id)
        filed = await deals.objections_filed(me.organisation_id)
        admin = (await web.with_current_roles(me)).has("platform_admin")
        refunds_owed = await deals.count_refunds_owed() if admin else 0
        transfers_waiting = await count_transfers_awaiting_receipt(deals) if admin else 0
        reports_due = await deals.royalty_reports_due(me.organisation_id, marketplace.clock.now())
        return Template(
            "deals/index.html.jinja2",
            context=page_context(
                request, bought=bought, sold=sold, contracts=contracts, obligations=obligations,
                refunds_owed=refunds_owed, transfers_waiting=transfers_waiting, filed=filed,
                reports_due=reports_due,
            ),
        )

    @get("/offers/{offer_id:uuid}", name="offer")
    async def offer(
        self, offer_id: UUID, request: Request[Any, Any, Any], me: Identity, web: WebState, deals: DealsQueries,
        catalogue: CatalogueQueries, marketplace: Marketplace,
    ) -> Template:
        offer = await deals.get_offer(offer_id)
        if offer is None:
            raise NotFoundException(f"offer_id: no offer with id {offer_id}")
        await guard_offer(request, web, me, offer)
        thread = await deals.offer_thread(offer_id)
        my_side = (
            "buyer"
            if me.organisation_id == offer.buyer_organisation_id
            else "seller"
            if me.organisation_id == offer.seller_organisation_id
            else None
        )
        # A broker whose agency's mandate lets it act for the seller answers as the seller (the application
        # decides it, as it does again when the broker acts).
        acting = my_side is None and offer.broker_organisation_id == me.organisation_id and (
            await web.run(marketplace.offers.answering_side, offer_id, actor_id=me.user_id)) == "seller"
        if acting:
            my_side = "seller"
        detail = await catalogue.get_one_or_none(offer.listing_id)
        deal_kinds = [k for k in (detail.listing.deal_types if detail else [offer.kind]) if k != "open_licence"]
        return Template(
            "deals/offer.html.jinja2",
            context=page_context(
                request,
                offer=offer,
                thread=thread,
                my_side=my_side,
                acting_for_seller=acting,
                deal_kinds=deal_kinds,
                as_of=as_of_url(offer.listing_id, offer.made_at),
                now=marketplace.clock.now(),
            ),
        )

    @get("/contracts/{contract_id:uuid}", name="contract")
    async def contract(
        self, contract_id: UUID, request: Request[Any, Any, Any], me: Identity, web: WebState, deals: DealsQueries,
        marketplace: Marketplace, contract_sections: ContractSections,
    ) -> Template:
        detail = await deals.contract_detail(contract_id, marketplace.clock.now())
        if detail is None:
            raise NotFoundException(f"contract_id: no contract with id {contract_id}")
        await guard_contract(request, web, me, detail.contract)
        return Template(
            "deals/contract.html.jinja2",
            context=page_context(
                request,
                d=detail,
                k=detail.contract,
                now=marketplace.clock.now(),
                shows_benefits=reads_everything(me) or me.organisation_id == detail.contract.seller_organisation_id,
                sections=await contract_sections.render(me, detail.contract),
            ),
        )

    # --- offers ---------------------------------------------------------------------------
    @post("/listings/{listing_id:uuid}/offers")
    async def make_offer(
        self, listing_id: UUID, request: Request[Any, Any, Any], me: Identity, web: WebState,
        marketplace: Marketplace,
    ) -> Template | Redirect:
        form = await request.form()
        return await form_command(
            request, web, me, marketplace.offers.make_offer,
            lambda: to_command(dc.MakeOffer, {"listing_id": str(listing_id), **terms_fields(form)}),
            lambda made: f"/offers/{made[0]}",
        )

    @get("/listings/{listing_id:uuid}/open-licence", name="open-licence-confirm")
    async def confirm_open_licence(
        self, listing_id: UUID, request: Request[Any, Any, Any], me: Identity, web: WebState,
        marketplace: Marketplace, catalogue: CatalogueQueries,
    ) -> Template | Redirect:
        """Before the one step that binds: the licence terms, the fee and the contract text (zh and en)
        that "confirm and sign" will sign; nothing is recorded. A live take-up opens its contract."""
        return await _confirm_or_contract(request, web, me, marketplace, catalogue, listing_id)

    @post("/listings/{listing_id:uuid}/open-licence")
    async def take_open_licence(
        self, listing_id: UUID, request: Request[Any, Any, Any], me: Identity, web: WebState,
        marketplace: Marketplace, catalogue: CatalogueQueries,
    ) -> Template | Redirect:
        """Sign the text the confirmation page showed (its SHA-256 in the form); a repeat (a double click)
        lands on the live take-up's contract. Without a digest nothing is signed: the confirmation opens."""
        form = await request.form()
        if not text(form, "text_sha256"):
            return await _confirm_or_contract(request, web, me, marketplace, catalogue, listing_id)
        try:
            cmd = to_command(dc.TakeOpenLicence, {"listing_id": str(listing_id),
                                                  "text_sha256": text(form, "text_sha256")})
            contract_id, _ = await run_command(web, marketplace.contracts.take_open_licence, cmd, me)
        except DomainError as error:
            if error.key != TEXT_CHANGED:
                return error_page(request, error)
            try:  # the text changed: show the new one, with the reason, to confirm again
                preview = await web.run(marketplace.contracts.preview_open_licence, listing_id, actor_id=me.user_id)
            except DomainError as again:
                return error_page(request, again)
            return await _confirmation(request, catalogue, listing_id, preview, error=error)
        return Redirect(f"/contracts/{contract_id}", status_code=303)

    @post("/offers/{offer_id:uuid}/counter")
    async def counter(
        self, offer_id: UUID, request: Request[Any, Any, Any], me: Identity, web: WebState, marketplace: Marketplace
    ) -> Template | Redirect:
        form = await request.form()
        return await form_command(
            request, web, me, marketplace.offers.counter_offer,
            lambda: to_command(dc.CounterOffer, {"offer_id": str(offer_id), **terms_fields(form)}),
            f"/offers/{offer_id}",
        )

    @post("/offers/{offer_id:uuid}/accept")
    async def accept(
        self, offer_id: UUID, request: Request[Any, Any, Any], me: Identity, web: WebState, marketplace: Marketplace
    ) -> Template | Redirect:
        return await form_command(
            request, web, me, marketplace.offers.accept_offer, lambda: dc.AcceptOffer(offer_id=offer_id),
            f"/offers/{offer_id}",
        )

    @post("/offers/{offer_id:uuid}/reject")
    async def reject(
        self, offer_id: UUID, request: Request[Any, Any, Any], me: Identity, web: WebState, marketplace: Marketplace
    ) -> Template | Redirect:
        form = await request.form()
        return await form_command(
            request, web, me, marketplace.offers.reject_offer,
            lambda: to_command(dc.RejectOffer, {"offer_id": str(offer_id), "reason": text(form, "reason")}),
            f"/offers/{offer_id}",
        )

    @post("/offers/{offer_id:uuid}/withdraw")
    async def withdraw(
        self, offer_id: UUID, request: Request[Any, Any, Any], me: Identity, web: WebState, marketplace: Marketplace
    ) -> Template | Redirect:
        form = await request.form()
        return await form_command(
            request, web, me, marketplace.offers.withdraw_offer,
            lambda: to_command(dc.WithdrawOffer, {"offer_id": str(offer_id), "reason": text(form, "reason")}),
            f"/offers/{offer_id}",
        )

    # --- contracts ------------------------------------------------------------------------
    @post("/contracts/{contract_id:uuid}/consent")
    async def consent(
        self, contract_id: UUID, request: Request[Any, Any, Any], me: Identity, web: WebState,
        marketplace: Marketplace,
    ) -> Template | Redirect:
        return await form_command(
            request, web, me, marketplace.contracts.consent_as_co_owner,
            lambda: dc.ConsentAsCoOwner(contract_id=contract_id),
            f"/contracts/{contract_id}",
        )

    @post("/contracts/{contract_id:uuid}/sign")
    async def sign(
        self, contract_id: UUID, request: Request[Any, Any, Any], me: Identity, web: WebState,
        marketplace: Marketplace,
    ) -> Template | Redirect:
        form = await request.form()
        return await form_command(
            request, web, me, marketplace.contracts.sign_contract,
            lambda: to_command(dc.SignContract, {"contract_id": str(contract_id),
                                                 "text_sha256": text(form, "text_sha256")}),
            f"/contracts/{contract_id}",
        )

    @post("/contracts/{contract_id:uuid}/terminate")
    async def terminate(
        self, contract_id: UUID, request: Request[Any, Any, Any], me: Identity, web: WebState,
        marketplace: Marketplace,
    ) -> Template | Redirect:
        form = await request.form()
        return await form_command(
            request, web, me, marketplace.contracts.terminate_contract,
            lambda: to_command(dc.TerminateContract, {"contract_id": str(contract_id),
                                                      "reason": text(form, "reason")}),
            f"/contracts/{contract_id}",
        )

    @post("/contracts/{contract_id:uuid}/registration")
    async def registration(
        self, contract_id: UUID, request: Request[Any, Any, Any], me: Identity, web: WebState,
        marketplace: Marketplace,
    ) -> Template | Redirect:
        form = await request.form()
        return await form_command(
            request, web, me, marketplace.contracts.record_registration,
            lambda: to_command(dc.RecordRegistration, {"contract_id": str(contract_id),
                                                       "reference": text(form, "reference")}),
            f"/contracts/{contract_id}",
        )

    @post("/contracts/{contract_id:uuid}/milestones")
    async def milestone(
        self, contract_id: UUID, request: Request[Any, Any, Any], me: Identity, web: WebState,
        marketplace: Marketplace,
    ) -> Template | Redirect:
        form = await request.form()
        return await form_command(
            request, web, me, marketplace.contracts.reach_milestone,
            lambda: to_command(dc.ReachMilestone, {"contract_id": str(contract_id), "name": text(form, "name")}),
            f"/contracts/{contract_id}",
        )

    @post("/contracts/{contract_id:uuid}/deliveries")
    async def deliver(
        self, contract_id: UUID, request: Request[Any, Any, Any], me: Identity, web: WebState,
        marketplace: Marketplace,
    ) -> Template | Redirect:
        """The developer records a development milestone's delivery."""
        form = await request.form()
        return await form_command(
            request, web, me, marketplace.contracts.deliver_milestone,
            lambda: to_command(dc.DeliverMilestone, {"contract_id": str(contract_id), "name": text(form, "name"),
                                                     "note": text(form, "note")}),
            f"/contracts/{contract_id}#milestones",
        )

    @post("/contracts/{contract_id:uuid}/development-results")
    async def development_results(
        self, contract_id: UUID, request: Request[Any, Any, Any], me: Identity, web: WebState,
        marketplace: Marketplace,
    ) -> Template | Redirect:
        """A party's org admin agrees the draft development contract's results clauses before anyone signs."""
        form = await request.form()
        return await form_command(
            request, web, me, marketplace.contracts.agree_development_results,
            lambda: to_command(dc.AgreeDevelopmentResults, {
                "contract_id": str(contract_id), "ownership": text(form, "ownership"),
                "confidential_years": text(form, "confidential_years") or "3"}),
            f"/contracts/{contract_id}#results",
        )

    @post("/contracts/{contract_id:uuid}/royalties")
    async def royalty(
        self, contract_id: UUID, request: Request[Any, Any, Any], me: Identity, web: WebState,
        marketplace: Marketplace,
    ) -> Template | Redirect:
        form = await request.form()
        return await form_command(
            request, web, me, marketplace.contracts.file_royalty_report,
            lambda: to_command(dc.FileRoyaltyReport, {
                "contract_id": str(contract_id),
                "period_start": text(form, "period_start"),
                "period_end": text(form, "period_end"),
                "net_sales": yuan_to_fen(optional(form, "net_sales"), "net_sales") or 0,
            }),
            f"/contracts/{contract_id}",
        )


#: The refusal of a take-up whose text is no longer the one shown (``Contracts._take_open_licence``).
TEXT_CHANGED = "refusal.open_licence_text_changed"


async def _confirm_or_contract(
    request: Request[Any, Any, Any], web: WebState, me: Identity, marketplace: Marketplace,
    catalogue: CatalogueQueries, listing_id: UUID,
) -> Template | Redirect:
    """The confirmation page of a take-up, or the contract of the live one (a repeat)."""
    try:
        preview = await web.run(marketplace.contracts.preview_open_licence, listing_id, actor_id=me.user_id)
    except DomainError as error:
        return error_page(request, error)
    if preview.live_contract_id is not None:
        return Redirect(f"/contracts/{preview.live_contract_id}", status_code=303)
    return await _confirmation(request, catalogue, listing_id, preview)


async def _confirmation(
    request: Request[Any, Any, Any], catalogue: CatalogueQueries, listing_id: UUID, preview: OpenLicencePreview,
    error: DomainError | None = None,
) -> Template:
    detail = await catalogue.get_one_or_none(listing_id)
    if detail is None:
        raise NotFoundException(f"listing_id: no listing with id {listing_id}")
    return Template(
        "deals/open_licence.html.jinja2",
        status_code=409 if error is not None else 200,
        context=page_context(request, item=detail.listing, preview=preview, terms=preview.terms,
                             error=explain(request, error) if error is not None else None),
    )


class NoticesController(Controller):
    """Public notices (公示): anyone reads them; objecting and deciding need a logged-in user."""

    include_in_schema = False

    @get("/notices", name="notices")
    async def notices(
        self, request: Request[Any, Any, Any], maybe_me: Identity | None, web: WebState, deals: DealsQueries,
        marketplace: Marketplace,
    ) -> Template:
        contracts = await deals.notices()
        objections = await deals.objections([n.id for n in contracts])
        by_contract: dict[UUID, list[ObjectionRow]] = {}
        for objection in objections:
            by_contract.setdefault(objection.contract_id, []).append(objection)
        mine = await web.accounts.get_organisation(maybe_me.organisation_id) if maybe_me else None
        ours = {o.id for o in await deals.objections_filed(maybe_me.organisation_id)} if maybe_me else set()
        numbers = await deals.patent_numbers([n.id for n in contracts])
        return Template(
            "deals/notices.html.jinja2",
            context=page_context(request, contracts=contracts, objections=by_contract, now=marketplace.clock.now(),
                                 may_object=mine is not None and mine.verified,  # and not a party (the page)
                                 ours=ours, numbers=numbers),
        )

    @post("/contracts/{contract_id:uuid}/objections", guards=[throttle_objections, login_required])
    async def object(
        self, contract_id: UUID, request: Request[Any, Any, Any], me: Identity, web: WebState,
        marketplace: Marketplace,
    ) -> Template | Redirect:
        form = await request.form()
        return await form_command(
            request, web, me, marketplace.contracts.file_objection,
            lambda: to_command(dc.FileObjection, {"contract_id": str(contract_id), "text": text(form, "text")}),
            "/notices",
        )

    @post("/contracts/{contract_id:uuid}/objections/{objection_id:uuid}/decide", guards=[login_required])
    async def decide(
        self, contract_id: UUID, objection_id: UUID, request: Request[Any, Any, Any], me: Identity, web: WebState,
        marketplace: Marketplace,
    ) -> Template | Redirect:
        form = await request.form()
        return await form_command(
            request, web, me, marketplace.contracts.decide_objection,
            lambda: to_command(dc.DecideObjection, {
                "contract_id": str(contract_id),
                "objection_id": str(objection_id),
                "upheld": text(form, "upheld") == "true",
                "reason": text(form, "reason"),
            }),
            "/notices",
        )
