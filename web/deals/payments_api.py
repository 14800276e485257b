"""Payments in the JSON API (``/api/…``): starting a payment, bank receipts, refunds, obligations, benefit shares.

Commands take a bearer token and a typed body (``web.deals.bodies``); the application checks the
payer, the platform admin and the contract's state on the aggregates. An obligation is read under
its contract's policy (``web.access``).
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import Parameter
from msgspec.structs import asdict

from domain.deals.benefit_sharing import MIN_INVENTOR_SHARE
from domain.deals.payment import PaymentStatus
from domain.deals.payment import obligation_id as obligation_of
from domain.shared.errors import PermissionDeniedError, ValidationError
from marketplace.deals import commands as dc
from marketplace.platform.application import Marketplace
from projections.deals.queries import DealsQueries
from projections.deals.rows import ObligationRow
from web.access import guard_contract
from web.answers import Done
from web.api_docs import BEARER
from web.commands import run_command
from web.context import Identity, language_of
from web.deals.answers import (
    BenefitShareRule,
    ObligationCollection,
    PaymentStarted,
    RoyaltyReportDueCollection,
    ShareCollection,
)
from web.deals.benefit_rules import benefit_share_refusal, current_benefit_rule
from web.deals.bodies import RecordManualReceiptBody, RefundPaymentBody, SetBenefitRulesBody, StartPaymentBody
from web.i18n import vocabulary_of
from web.identity import login_required
from web.state import WebState


class PaymentsApiController(Controller):
    """Money under a contract: every operation needs a bearer token."""

    path = "/api"
    tags = ["deals"]  # noqa: RUF012 - litestar declares it as an instance attribute
    guards = [login_required]  # noqa: RUF012
    security = BEARER

    @post("/contracts/{contract_id:uuid}/payments", summary="Start paying an obligation (purpose: upfront, …)")
    async def start_payment(
        self, contract_id: UUID, me: Identity, web: WebState, marketplace: Marketplace,
        data: StartPaymentBody | None = None,
    ) -> PaymentStarted:
        cmd = dc.StartPayment(contract_id=contract_id, **asdict(data or StartPaymentBody()))
        start, position = await run_command(web, marketplace.payments.start_payment, cmd, me)
        return PaymentStarted(
            obligation_id=obligation_of(contract_id, cmd.purpose.strip()),  # the obligation the application paid
            gateway=start.gateway,
            provider_payment_id=start.provider_payment_id,
            status=start.status,
            client_secret=start.client_secret,
            instructions=start.instructions,
            position=position,
        )

    @post("/obligations/{obligation_id:uuid}/receipt", summary="Record a bank transfer received (platform admin)",
          status_code=200)
    async def record_receipt(
        self, obligation_id: UUID, data: RecordManualReceiptBody, me: Identity, web: WebState,
        marketplace: Marketplace,
    ) -> Done:
        cmd = dc.RecordManualReceipt(obligation_id=obligation_id, **asdict(data))
        return Done(await run_command(web, marketplace.payments.record_manual_receipt, cmd, me))

    @post("/obligations/{obligation_id:uuid}/refund", summary="Refund a paid obligation", status_code=200)
    async def refund(
        self, obligation_id: UUID, data: RefundPaymentBody, me: Identity, web: WebState, marketplace: Marketplace
    ) -> Done:
        cmd = dc.RefundPayment(obligation_id=obligation_id, **asdict(data))
        return Done(await run_command(web, marketplace.payments.refund_payment, cmd, me))

    @get("/obligations", summary="Payment obligations my organisation pays or receives")
    async def obligations(
        self, me: Identity, deals: DealsQueries, status: PaymentStatus | None = None
    ) -> ObligationCollection:
        items = await deals.obligations(organisation_id=me.organisation_id, status=status.value if status else None)
        return ObligationCollection(items, len(items))

    @get("/obligations/{obligation_id:uuid}", summary="One payment obligation (parties only)")
    async def obligation(
        self, obligation_id: UUID, request: Request[Any, Any, Any], me: Identity, web: WebState, deals: DealsQueries
    ) -> ObligationRow:
        row = await deals.get_obligation(obligation_id)
        contract = await deals.get_contract(row.contract_id) if row else None
        if row is None or contract is None:
            raise NotFoundException(f"obligation_id: no payment obligation with id {obligation_id}")
        await guard_contract(request, web, me, contract, aggregate_id=row.id, aggregate_type="PaymentObligation")
        return row

    @get("/admin/refunds", summary="Refunds owed: money received for contracts that cannot take effect (admin)")
    async def refunds_owed(self, me: Identity, web: WebState, deals: DealsQueries) -> ObligationCollection:
        if not (await web.with_current_roles(me)).has("platform_admin"):
            raise PermissionDeniedError(
                "this needs the role platform_admin", code="role.needed", roles=["platform_admin"]
            )
        items = await deals.refunds_owed()
        return ObligationCollection(items, len(items))

    @get("/my/benefits", summary="Benefit shares of my institution's deals (filter by inventor name)")
    async def benefits(
        self, me: Identity, deals: DealsQueries,
        name: Annotated[str | None, Parameter(max_length=100, description="an inventor's name")] = None,
    ) -> ShareCollection:
        items = await deals.benefit_shares(organisation_id=me.organisation_id, inventor=name or None)
        return ShareCollection(items, len(items))

    @get("/my/benefit-share", summary="My organisation's inventors' share of net income (its rule, else 50 %)")
    async def benefit_share(self, me: Identity, web: WebState, deals: DealsQueries) -> BenefitShareRule:
        rule = await current_benefit_rule(web, deals, me)
        return BenefitShareRule(
            organisation_id=me.organisation_id, institution=rule.institution, inventor_share=rule.inventor_share,
            legal_floor=MIN_INVENTOR_SHARE, own_rule=bool(rule.rules),
            applies_to="contracts drafted after the rule is set", history=rule.rules,
        )

    @post(
        "/organisations/{organisation_id:uuid}/benefit-share",
        summary="Set the inventors' share of net income, in % (an org admin of that university or institute)",
        description="50 % (促进科技成果转化法 art. 45) to 100 %; it applies to contracts drafted afterwards. A share "
        "below the floor is refused (400) with the reason in the reader's language (Accept-Language or ?lang=); "
        "the share in force, set again, records nothing.",
        status_code=200,
    )
    async def set_benefit_share(
        self, organisation_id: UUID, data: SetBenefitRulesBody, request: Request[Any, Any, Any], me: Identity,
        web: WebState, marketplace: Marketplace,
    ) -> Done:
        cmd = dc.SetBenefitRules(organisation_id=organisation_id, **asdict(data))
        try:
            return Done(await run_command(web, marketplace.payments.set_benefit_rules, cmd, me))
        except ValidationError as error:
            t = vocabulary_of(request).translator(language_of(request))
            reason = benefit_share_refusal(error, t, f"{data.inventor_share:g}")
            if reason is None:
                raise
            raise ValidationError(f"{error.field}: {reason}", field=error.field) from None

    @get("/my/royalty-reports-due", summary="Royalty reports my organisation's licences await (due or overdue)")
    async def royalty_reports_due(
        self, me: Identity, deals: DealsQueries, marketplace: Marketplace
    ) -> RoyaltyReportDueCollection:
        items = await deals.royalty_reports_due(me.organisation_id, marketplace.clock.now())
        return RoyaltyReportDueCollection(items, len(items))
