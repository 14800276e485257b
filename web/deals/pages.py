"""Deal pages: my deals, an offer's thread, public notices (公示), a contract, a payment, benefit shares.

Pages read the deals read model; every form posts a command to the application, which checks
roles, parties and deadlines on the aggregates. The controllers also refuse to show a thread or
a contract to anyone but the parties (and co-owners, platform admins and auditors), from the
read model row.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from domain.shared.errors import DomainError, PermissionDeniedError
from marketplace.deals import commands as dc
from web.accounts.pages import error_page, require_login
from web.audit.pages import as_of_url
from web.context import Identity, page_context, session_identity
from web.deals.access import guard_contract, guard_offer, queries, reads_everything, run_deal_command
from web.deals.forms import terms_fields
from web.forms import optional, text, to_command, yuan_to_fen
from web.state import WebState
from web.throttle import throttle_objections

# The guards and queries live in deal_access.py; re-exported for callers that import them from here.
__all__ = ["DealsController", "guard_contract", "guard_offer", "queries", "reads_everything"]


def deals_context(request: Request[Any, Any, Any], **values: Any) -> dict[str, Any]:
    return page_context(request, **values)


def now_of(web: WebState) -> datetime:
    return web.services.app.clock.now()


async def payment_page(
    request: Request[Any, Any, Any], web: WebState, me: Identity, obligation_id: UUID, *,
    card: dict[str, str] | None = None,
) -> Template:
    """The payment page: amount, reference, status; bank instructions; Stripe's card form when ``card``."""
    q = queries(web)
    obligation = await q.get_obligation(obligation_id)
    contract = await q.get_contract(obligation.contract_id) if obligation else None
    if obligation is None or contract is None:
        raise NotFoundException(f"obligation_id: no payment obligation with id {obligation_id}")
    await guard_contract(request, web, me, contract, aggregate_id=obligation.id, aggregate_type="PaymentObligation")
    settings = web.services.settings
    bank = {
        "account_name": settings.bank_account_name,
        "bank_name": settings.bank_name,
        "account_number": settings.bank_account_number,
    }
    return Template(
        "deals/payment.html.jinja2",
        context=deals_context(
            request,
            o=obligation,
            k=contract,
            bank=bank,
            is_payer=me.organisation_id == obligation.payer_organisation_id,
            stripe_enabled=bool(settings.stripe_api_key),
            card=card,
        ),
    )


class DealsController(Controller):
    include_in_schema = False
    _command = staticmethod(run_deal_command)

    # --- pages ----------------------------------------------------------------------------
    @get("/deals", name="deals")
    async def my_deals(self, request: Request[Any, Any, Any], web: WebState) -> Template | Redirect:
        me = require_login(request)
        if isinstance(me, Redirect):
            return me
        q = queries(web)
        bought, _ = await q.my_offers(me.organisation_id, side="buyer")
        sold, _ = await q.my_offers(me.organisation_id, side="seller")
        contracts = await q.my_contracts(me.organisation_id)
        obligations = await q.obligations(organisation_id=me.organisation_id)
        admin = (await web.with_current_roles(me)).has("platform_admin")
        refunds_owed = await q.count_refunds_owed() if admin else 0
        return Template(
            "deals/index.html.jinja2",
            context=deals_context(
                request, bought=bought, sold=sold, contracts=contracts, obligations=obligations,
                refunds_owed=refunds_owed,
            ),
        )

    @get("/admin/refunds", name="admin_refunds")
    async def refunds_owed(self, request: Request[Any, Any, Any], web: WebState) -> Template | Redirect:
        """The platform admin's refund queue: money received for contracts that can no longer take effect."""
        me = require_login(request)
        if isinstance(me, Redirect):
            return me
        if not (await web.with_current_roles(me)).has("platform_admin"):
            raise PermissionDeniedError("this needs the role platform_admin")
        rows = await queries(web).refunds_owed()
        return Template("deals/refunds.html.jinja2", context=deals_context(request, rows=rows))

    @get("/offers/{offer_id:uuid}", name="offer")
    async def offer(self, offer_id: UUID, request: Request[Any, Any, Any], web: WebState) -> Template | Redirect:
        me = require_login(request)
        if isinstance(me, Redirect):
            return me
        offer = await queries(web).get_offer(offer_id)
        if offer is None:
            raise NotFoundException(f"offer_id: no offer with id {offer_id}")
        await guard_offer(request, web, me, offer)
        thread = await queries(web).offer_thread(offer_id)
        my_side = (
            "buyer"
            if me.organisation_id == offer.buyer_organisation_id
            else "seller"
            if me.organisation_id == offer.seller_organisation_id
            else None
        )
        detail = await web.catalogue.get_one_or_none(offer.listing_id)
        deal_kinds = [k for k in (detail.listing.deal_types if detail else [offer.kind]) if k != "open_licence"]
        return Template(
            "deals/offer.html.jinja2",
            context=deals_context(
                request,
                offer=offer,
                thread=thread,
                my_side=my_side,
                deal_kinds=deal_kinds,
                as_of=as_of_url(offer.listing_id, offer.made_at),
                now=now_of(web),
            ),
        )

    @get("/notices", name="notices")
    async def notices(self, request: Request[Any, Any, Any], web: WebState) -> Template:
        q = queries(web)
        contracts = await q.notices()
        objections = await q.objections([n.id for n in contracts])
        by_contract: dict[UUID, list[Any]] = {}
        for objection in objections:
            by_contract.setdefault(objection.contract_id, []).append(objection)
        me = session_identity(request)
        mine = await web.accounts.get_organisation(me.organisation_id) if me else None
        return Template(
            "deals/notices.html.jinja2",
            context=deals_context(request, contracts=contracts, objections=by_contract, now=now_of(web),
                                  may_object=mine is not None and mine.verified),  # and not the seller's own
        )

    @get("/contracts/{contract_id:uuid}", name="contract")
    async def contract(self, contract_id: UUID, request: Request[Any, Any, Any], web: WebState) -> Template | Redirect:
        me = require_login(request)
        if isinstance(me, Redirect):
            return me
        detail = await queries(web).contract_detail(contract_id)
        if detail is None:
            raise NotFoundException(f"contract_id: no contract with id {contract_id}")
        await guard_contract(request, web, me, detail.contract)
        return Template(
            "deals/contract.html.jinja2",
            context=deals_context(
                request,
                d=detail,
                k=detail.contract,
                now=now_of(web),
                shows_benefits=reads_everything(me) or me.organisation_id == detail.contract.seller_organisation_id,
            ),
        )

    @get("/payments/{obligation_id:uuid}", name="payment")
    async def payment(self, obligation_id: UUID, request: Request[Any, Any, Any], web: WebState) -> Template | Redirect:
        me = require_login(request)
        if isinstance(me, Redirect):
            return me
        return await payment_page(request, web, me, obligation_id)

    @get("/my/benefits", name="my_benefits")
    async def benefits(self, request: Request[Any, Any, Any], web: WebState) -> Template | Redirect:
        me = require_login(request)
        if isinstance(me, Redirect):
            return me
        name = request.query_params.get("name", "").strip()[:100]
        shares = await queries(web).benefit_shares(organisation_id=me.organisation_id, inventor=name or None)
        return Template(
            "deals/benefits.html.jinja2",
            context=deals_context(
                request, name=name, shares=[s for s in shares if s.recipient == "inventor" or not name]
            ),
        )

    # --- commands -------------------------------------------------------------------------
    @post("/listings/{listing_id:uuid}/offers")
    async def make_offer(self, listing_id: UUID, request: Request[Any, Any, Any], web: WebState) -> Template | Redirect:
        form = await request.form()
        return await self._command(
            request,
            web,
            "make_offer",
            "MakeOffer",
            lambda: {"listing_id": str(listing_id), **terms_fields(form)},
            lambda result: f"/offers/{result[0]}",
        )

    @post("/listings/{listing_id:uuid}/open-licence")
    async def take_open_licence(
        self, listing_id: UUID, request: Request[Any, Any, Any], web: WebState
    ) -> Template | Redirect:
        """Take up the open licence; a repeat (a double click) lands on the live take-up's contract."""
        return await self._command(
            request,
            web,
            "take_open_licence",
            "TakeOpenLicence",
            lambda: {"listing_id": str(listing_id)},
            lambda result: f"/contracts/{result[0]}",
        )

    @post("/offers/{offer_id:uuid}/counter")
    async def counter(self, offer_id: UUID, request: Request[Any, Any, Any], web: WebState) -> Template | Redirect:
        form = await request.form()
        return await self._command(
            request,
            web,
            "counter_offer",
            "CounterOffer",
            lambda: {"offer_id": str(offer_id), **terms_fields(form)},
            f"/offers/{offer_id}",
        )

    @post("/offers/{offer_id:uuid}/accept")
    async def accept(self, offer_id: UUID, request: Request[Any, Any, Any], web: WebState) -> Template | Redirect:
        return await self._command(
            request, web, "accept_offer", "AcceptOffer", lambda: {"offer_id": str(offer_id)}, f"/offers/{offer_id}"
        )

    @post("/offers/{offer_id:uuid}/reject")
    async def reject(self, offer_id: UUID, request: Request[Any, Any, Any], web: WebState) -> Template | Redirect:
        form = await request.form()
        return await self._command(
            request,
            web,
            "reject_offer",
            "RejectOffer",
            lambda: {"offer_id": str(offer_id), "reason": text(form, "reason")},
            f"/offers/{offer_id}",
        )

    @post("/offers/{offer_id:uuid}/withdraw")
    async def withdraw(self, offer_id: UUID, request: Request[Any, Any, Any], web: WebState) -> Template | Redirect:
        form = await request.form()
        return await self._command(
            request,
            web,
            "withdraw_offer",
            "WithdrawOffer",
            lambda: {"offer_id": str(offer_id), "reason": text(form, "reason")},
            f"/offers/{offer_id}",
        )

    @post("/contracts/{contract_id:uuid}/objections", guards=[throttle_objections])
    async def object(self, contract_id: UUID, request: Request[Any, Any, Any], web: WebState) -> Template | Redirect:
        form = await request.form()
        return await self._command(
            request,
            web,
            "file_objection",
            "FileObjection",
            lambda: {"contract_id": str(contract_id), "text": text(form, "text")},
            "/notices",
        )

    @post("/contracts/{contract_id:uuid}/objections/{objection_id:uuid}/decide")
    async def decide(
        self, contract_id: UUID, objection_id: UUID, request: Request[Any, Any, Any], web: WebState
    ) -> Template | Redirect:
        form = await request.form()
        return await self._command(
            request,
            web,
            "decide_objection",
            "DecideObjection",
            lambda: {
                "contract_id": str(contract_id),
                "objection_id": str(objection_id),
                "upheld": text(form, "upheld") == "true",
                "reason": text(form, "reason"),
            },
            "/notices",
        )

    @post("/contracts/{contract_id:uuid}/consent")
    async def consent(self, contract_id: UUID, request: Request[Any, Any, Any], web: WebState) -> Template | Redirect:
        return await self._command(
            request,
            web,
            "consent_as_co_owner",
            "ConsentAsCoOwner",
            lambda: {"contract_id": str(contract_id)},
            f"/contracts/{contract_id}",
        )

    @post("/contracts/{contract_id:uuid}/sign")
    async def sign(self, contract_id: UUID, request: Request[Any, Any, Any], web: WebState) -> Template | Redirect:
        form = await request.form()
        return await self._command(
            request,
            web,
            "sign_contract",
            "SignContract",
            lambda: {
                "contract_id": str(contract_id),
                "text_sha256": text(form, "text_sha256"),
            },
            f"/contracts/{contract_id}",
        )

    @post("/contracts/{contract_id:uuid}/terminate")
    async def terminate(self, contract_id: UUID, request: Request[Any, Any, Any], web: WebState) -> Template | Redirect:
        form = await request.form()
        return await self._command(
            request,
            web,
            "terminate_contract",
            "TerminateContract",
            lambda: {"contract_id": str(contract_id), "reason": text(form, "reason")},
            f"/contracts/{contract_id}",
        )

    @post("/contracts/{contract_id:uuid}/registration")
    async def registration(
        self, contract_id: UUID, request: Request[Any, Any, Any], web: WebState
    ) -> Template | Redirect:
        form = await request.form()
        return await self._command(
            request,
            web,
            "record_registration",
            "RecordRegistration",
            lambda: {
                "contract_id": str(contract_id),
                "reference": text(form, "reference"),
            },
            f"/contracts/{contract_id}",
        )

    @post("/contracts/{contract_id:uuid}/milestones")
    async def milestone(self, contract_id: UUID, request: Request[Any, Any, Any], web: WebState) -> Template | Redirect:
        form = await request.form()
        return await self._command(
            request,
            web,
            "reach_milestone",
            "ReachMilestone",
            lambda: {
                "contract_id": str(contract_id),
                "name": text(form, "name"),
            },
            f"/contracts/{contract_id}",
        )

    @post("/contracts/{contract_id:uuid}/royalties")
    async def royalty(self, contract_id: UUID, request: Request[Any, Any, Any], web: WebState) -> Template | Redirect:
        form = await request.form()
        return await self._command(
            request,
            web,
            "file_royalty_report",
            "FileRoyaltyReport",
            lambda: {
                "contract_id": str(contract_id),
                "period_start": text(form, "period_start"),
                "period_end": text(form, "period_end"),
                "net_sales": yuan_to_fen(optional(form, "net_sales"), "net_sales") or 0,
            },
            f"/contracts/{contract_id}",
        )

    @post("/payments/{obligation_id:uuid}/start")
    async def start_payment(
        self, obligation_id: UUID, request: Request[Any, Any, Any], web: WebState
    ) -> Template | Redirect:
        """Start (or resume) paying: a card payment answers with Stripe's card form on the payment
        page (the client secret lives only in this response); a bank transfer shows its instructions."""
        me = require_login(request)
        if isinstance(me, Redirect):
            return me
        obligation = await queries(web).get_obligation(obligation_id)
        if obligation is None:
            raise NotFoundException(f"obligation_id: no payment obligation with id {obligation_id}")
        form = await request.form()
        try:
            cmd = to_command(dc.StartPayment, {"contract_id": str(obligation.contract_id),
                                               "purpose": obligation.purpose, "gateway": optional(form, "gateway")})
            started, position = await web.run(web.services.app.payments.start_payment, cmd, actor_id=me.user_id)
        except DomainError as error:
            return error_page(request, error)
        await web.wait_for(position)
        publishable = web.services.settings.stripe_publishable_key
        if started.gateway == "stripe" and started.client_secret and publishable and started.status != "succeeded":
            card = {"client_secret": started.client_secret, "publishable_key": publishable,
                    "return_url": f"{request.base_url}".rstrip("/") + f"/payments/{obligation_id}"}
            return await payment_page(request, web, me, obligation_id, card=card)
        return Redirect(f"/payments/{obligation_id}", status_code=303)

    @post("/payments/{obligation_id:uuid}/receipt")
    async def record_receipt(
        self, obligation_id: UUID, request: Request[Any, Any, Any], web: WebState
    ) -> Template | Redirect:
        form = await request.form()
        return await self._command(
            request,
            web,
            "record_manual_receipt",
            "RecordManualReceipt",
            lambda: {
                "obligation_id": str(obligation_id),
                "amount": yuan_to_fen(optional(form, "amount"), "amount"),
                "bank_reference": text(form, "bank_reference"),
            },
            f"/payments/{obligation_id}",
        )

    @post("/payments/{obligation_id:uuid}/refund")
    async def refund(self, obligation_id: UUID, request: Request[Any, Any, Any], web: WebState) -> Template | Redirect:
        form = await request.form()
        return await self._command(
            request,
            web,
            "refund_payment",
            "RefundPayment",
            lambda: {
                "obligation_id": str(obligation_id),
                "reason": text(form, "reason"),
            },
            f"/payments/{obligation_id}",
        )
