"""Payment pages: a payment (bank instructions or Stripe's card form), bank receipts, refunds, benefit shares.

An obligation is shown under its contract's policy (``web.access``); every form posts a command to
the application, which checks the payer, the platform admin and the contract's state.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from domain.shared.errors import DomainError, PermissionDeniedError
from marketplace.deals import commands as dc
from marketplace.platform.application import Marketplace
from projections.deals.queries import DealsQueries
from web.access import guard_contract
from web.commands import run_command
from web.context import Identity, page_context
from web.deals.benefit_rules import benefit_share_refusal, current_benefit_rule
from web.deals.forms import form_command, percent_text
from web.errors import error_page, explain, status_of
from web.forms import optional, text, to_command, yuan_to_fen
from web.identity import login_required
from web.state import WebState


async def benefit_share_page(
    request: Request[Any, Any, Any], web: WebState, deals: DealsQueries, me: Identity, *, status: int = 200,
    error: str | None = None, entered: str = "",
) -> Template:
    rule = await current_benefit_rule(web, deals, me)
    may_set = rule.institution and (await web.with_current_roles(me)).has("org_admin")
    return Template(
        "deals/benefit_share.html.jinja2", status_code=status,
        context=page_context(request, institution=rule.institution, inventor_share=rule.inventor_share,
                             rules=rule.rules, may_set=may_set, error=error, entered=entered),
    )


async def payment_page(
    request: Request[Any, Any, Any], web: WebState, me: Identity, deals: DealsQueries, obligation_id: UUID, *,
    card: dict[str, str] | None = None,
) -> Template:
    """The payment page: amount, reference, status; bank instructions; Stripe's card form when ``card``."""
    obligation = await deals.get_obligation(obligation_id)
    contract = await deals.get_contract(obligation.contract_id) if obligation else None
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
        context=page_context(
            request,
            o=obligation,
            k=contract,
            bank=bank,
            is_payer=me.organisation_id == obligation.payer_organisation_id,
            may_see_assessment=(
                me.organisation_id in (obligation.payer_organisation_id, obligation.payee_organisation_id)
                or any(map((await web.with_current_roles(me)).has, ("programme_officer", "platform_admin")))
            ),
            stripe_enabled=bool(settings.stripe_api_key),
            card=card,
        ),
    )


class PaymentPagesController(Controller):
    """Payments, the refund queue and benefit shares: every page and form needs a logged-in user."""

    include_in_schema = False
    guards = [login_required]  # noqa: RUF012

    # --- pages ----------------------------------------------------------------------------
    @get("/payments/{obligation_id:uuid}", name="payment")
    async def payment(
        self, obligation_id: UUID, request: Request[Any, Any, Any], me: Identity, web: WebState, deals: DealsQueries
    ) -> Template:
        return await payment_page(request, web, me, deals, obligation_id)

    @get("/admin/refunds", name="admin_refunds")
    async def refunds_owed(
        self, request: Request[Any, Any, Any], me: Identity, web: WebState, deals: DealsQueries
    ) -> Template:
        """The platform admin's refund queue: money received for contracts that can no longer take effect."""
        if not (await web.with_current_roles(me)).has("platform_admin"):
            raise PermissionDeniedError(
                "this needs the role platform_admin", code="role.needed", roles=["platform_admin"]
            )
        rows = await deals.refunds_owed()
        return Template("deals/refunds.html.jinja2", context=page_context(request, rows=rows))

    @get("/my/benefits", name="my_benefits")
    async def benefits(
        self, request: Request[Any, Any, Any], me: Identity, web: WebState, deals: DealsQueries
    ) -> Template:
        """The benefit shares of the payments to the organisation as seller, each linked to its contract and payment."""
        name = request.query_params.get("name", "").strip()[:100]
        shares = await deals.benefit_share_lines(me.organisation_id, inventor=name or None)
        rule = await current_benefit_rule(web, deals, me)
        return Template(
            "deals/benefits.html.jinja2",
            context=page_context(
                request, name=name, shares=[s for s in shares if s.recipient == "inventor" or not name],
                institution=rule.institution, inventor_share=rule.inventor_share,
            ),
        )

    @get("/my/benefit-share", name="my_benefit_share")
    async def benefit_share(
        self, request: Request[Any, Any, Any], me: Identity, web: WebState, deals: DealsQueries
    ) -> Template:
        """The institution's inventors' share: every member reads it; its org admins set it."""
        return await benefit_share_page(request, web, deals, me)

    @post("/my/benefit-share")
    async def set_benefit_share(
        self, request: Request[Any, Any, Any], me: Identity, web: WebState, deals: DealsQueries,
        marketplace: Marketplace,
    ) -> Template | Redirect:
        """Set the inventors' share (in %) of the user's own organisation; a refusal says why in the
        reader's language."""
        form = await request.form()
        entered = text(form, "inventor_share")[:40]
        try:
            cmd = to_command(dc.SetBenefitRules, {
                "organisation_id": str(me.organisation_id),
                "inventor_share": percent_text(entered, "inventor_share") if entered else None,
            })
            await run_command(web, marketplace.payments.set_benefit_rules, cmd, me)
        except DomainError as error:
            t = page_context(request)["t"]
            return await benefit_share_page(
                request, web, deals, me, status=status_of(error), entered=entered,
                error=benefit_share_refusal(error, t, entered) or explain(request, error),
            )
        return Redirect("/my/benefit-share", status_code=303)

    # --- forms ----------------------------------------------------------------------------
    @post("/payments/{obligation_id:uuid}/start")
    async def start_payment(
        self, obligation_id: UUID, request: Request[Any, Any, Any], me: Identity, web: WebState,
        deals: DealsQueries, marketplace: Marketplace,
    ) -> Template | Redirect:
        """Start (or resume) paying: a card payment answers with Stripe's card form on the payment
        page (the client secret lives only in this response); a bank transfer shows its instructions."""
        obligation = await deals.get_obligation(obligation_id)
        if obligation is None:
            raise NotFoundException(f"obligation_id: no payment obligation with id {obligation_id}")
        form = await request.form()
        try:
            cmd = to_command(dc.StartPayment, {"contract_id": str(obligation.contract_id),
                                               "purpose": obligation.purpose, "gateway": optional(form, "gateway"),
                                               "funds_source": optional(form, "funds_source")})
            started, _ = await run_command(web, marketplace.payments.start_payment, cmd, me)
        except DomainError as error:
            return error_page(request, error)
        publishable = web.services.settings.stripe_publishable_key
        if started.gateway == "stripe" and started.client_secret and publishable and started.status != "succeeded":
            card = {"client_secret": started.client_secret, "publishable_key": publishable,
                    "return_url": f"{request.base_url}".rstrip("/") + f"/payments/{obligation_id}"}
            return await payment_page(request, web, me, deals, obligation_id, card=card)
        return Redirect(f"/payments/{obligation_id}", status_code=303)

    @post("/payments/{obligation_id:uuid}/receipt")
    async def record_receipt(
        self, obligation_id: UUID, request: Request[Any, Any, Any], me: Identity, web: WebState,
        marketplace: Marketplace,
    ) -> Template | Redirect:
        form = await request.form()
        return await form_command(
            request, web, me, marketplace.payments.record_manual_receipt,
            lambda: to_command(dc.RecordManualReceipt, {
                "obligation_id": str(obligation_id),
                "amount": yuan_to_fen(optional(form, "amount"), "amount"),
                "bank_reference": text(form, "bank_reference"),
            }),
            f"/payments/{obligation_id}",
        )

    @post("/payments/{obligation_id:uuid}/refund")
    async def refund(
        self, obligation_id: UUID, request: Request[Any, Any, Any], me: Identity, web: WebState,
        marketplace: Marketplace,
    ) -> Template | Redirect:
        form = await request.form()
        return await form_command(
            request, web, me, marketplace.payments.refund_payment,
            lambda: to_command(dc.RefundPayment, {"obligation_id": str(obligation_id), "reason": text(form, "reason")}),
            f"/payments/{obligation_id}",
        )
