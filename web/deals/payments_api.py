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

from domain.deals.payment import PaymentStatus
from domain.deals.payment import obligation_id as obligation_of
from domain.shared.errors import PermissionDeniedError
from marketplace.deals import commands as dc
from marketplace.platform.application import Marketplace
from projections.deals.queries import DealsQueries
from projections.deals.rows import ObligationRow
from web.access import guard_contract
from web.answers import Done
from web.api_docs import BEARER
from web.commands import run_command
from web.context import Identity
from web.deals.answers import ObligationCollection, PaymentStarted, ShareCollection
from web.deals.bodies import RecordManualReceiptBody, RefundPaymentBody, StartPaymentBody
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
