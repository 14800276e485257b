"""Deals in the JSON API (``/api/…``): the same commands and queries as the deal pages.

Commands take a bearer token; the application checks parties, roles and deadlines on the
aggregates. Reads of an offer or a contract are for the parties (and co-owners), platform admins
and auditors only. Collections are ``{"items": [...], "total": n}``; refusals are
``{"status_code", "detail", "field"}`` like the rest of the API.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import Parameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from domain.deals.offer import OfferStatus, Side
from domain.deals.payment import PaymentStatus
from domain.shared.errors import PermissionDeniedError
from marketplace.deals import commands as dc
from marketplace.deals.contracts import TakeUp
from projections.deals.rows import (
    BenefitShareRow,
    ContractDetail,
    ContractRow,
    ObjectionRow,
    ObligationRow,
    OfferEventRow,
    OfferRow,
)
from web.answers import Created, Done
from web.api_docs import BEARER, answers
from web.catalogue.api import api_identity
from web.context import Identity
from web.deals.access import (
    guard_contract,
    guard_offer,
    queries,
    reads_everything,
)
from web.forms import to_command
from web.state import WebState
from web.throttle import throttle_objections


class OfferDetail(msgspec.Struct, frozen=True):
    offer: OfferRow
    thread: list[OfferEventRow]


class OfferCollection(msgspec.Struct, frozen=True):
    items: list[OfferRow]
    total: int


class ContractCollection(msgspec.Struct, frozen=True):
    items: list[ContractRow]
    total: int


class Notice(msgspec.Struct, frozen=True):
    contract: ContractRow
    objections: list[ObjectionRow]


class NoticeCollection(msgspec.Struct, frozen=True):
    items: list[Notice]
    total: int


class ObligationCollection(msgspec.Struct, frozen=True):
    items: list[ObligationRow]
    total: int


class ShareCollection(msgspec.Struct, frozen=True):
    items: list[BenefitShareRow]
    total: int


class PaymentStarted(msgspec.Struct, frozen=True):
    """What the payer needs next: the PaymentIntent's client secret (Stripe) or bank instructions."""

    obligation_id: UUID | None
    gateway: str
    provider_payment_id: str
    status: str
    client_secret: str | None
    instructions: dict[str, str] | None
    position: int


def _position(result: Any) -> int:
    if isinstance(result, TakeUp):
        return result.position
    if isinstance(result, tuple):
        return int(result[-1])
    if isinstance(result, int):
        return result
    return int(getattr(result, "position", 0))


async def _run(web: WebState, me: Identity, method: str, command: str, data: dict[str, Any]) -> Any:
    cmd = to_command(getattr(dc, command), data)
    result = await web.run(web.services.app.command(method), cmd, actor_id=me.user_id)
    await web.wait_for(_position(result))
    return result


def _body(data: dict[str, Any] | None, **path: Any) -> dict[str, Any]:
    """The JSON body with the path's ids (the path wins)."""
    return {**(data or {}), **{k: str(v) for k, v in path.items()}}


class DealsApiController(Controller):
    path = "/api"
    tags = ["deals"]  # noqa: RUF012 - litestar declares it as an instance attribute

    # --- offers ---------------------------------------------------------------------------
    @post("/listings/{listing_id:uuid}/offers", summary="Make an offer on a published listing", security=BEARER)
    async def make_offer(
        self, listing_id: UUID, data: dict[str, Any], web: WebState, request: Request[Any, Any, Any]
    ) -> Created:
        me = api_identity(request, web)
        offer_id, position = await _run(web, me, "make_offer", "MakeOffer", _body(data, listing_id=listing_id))
        return Created(offer_id, position)

    @post(
        "/listings/{listing_id:uuid}/open-licence",
        summary="Take up a listing's open licence (开放许可)",
        description="201 with the new contract; 200 with the live one when your organisation already took it up "
        "(a repeat records nothing).",
        security=BEARER,
    )
    async def take_open_licence(
        self, listing_id: UUID, web: WebState, request: Request[Any, Any, Any]
    ) -> Response[Created]:
        me = api_identity(request, web)
        taken = await _run(web, me, "take_up_open_licence", "TakeOpenLicence", {"listing_id": str(listing_id)})
        return Response(
            Created(taken.contract_id, taken.position),
            status_code=HTTP_201_CREATED if taken.created else HTTP_200_OK,
        )

    @get("/offers/{offer_id:uuid}", summary="One offer with its negotiation thread (parties only)", security=BEARER)
    async def offer(self, offer_id: UUID, web: WebState, request: Request[Any, Any, Any]) -> OfferDetail:
        me = api_identity(request, web)
        row = await queries(web).get_offer(offer_id)
        if row is None:
            raise NotFoundException(f"offer_id: no offer with id {offer_id}")
        await guard_offer(request, web, me, row)
        return OfferDetail(row, await queries(web).offer_thread(offer_id))

    @post("/offers/{offer_id:uuid}/counter", summary="Counter an offer with new terms", status_code=200,
          security=BEARER)
    async def counter(
        self, offer_id: UUID, data: dict[str, Any], web: WebState, request: Request[Any, Any, Any]
    ) -> Done:
        me = api_identity(request, web)
        return Done(_position(await _run(web, me, "counter_offer", "CounterOffer", _body(data, offer_id=offer_id))))

    @post("/offers/{offer_id:uuid}/accept", summary="Accept the terms on the table", status_code=200, security=BEARER)
    async def accept(self, offer_id: UUID, web: WebState, request: Request[Any, Any, Any]) -> Done:
        me = api_identity(request, web)
        return Done(_position(await _run(web, me, "accept_offer", "AcceptOffer", {"offer_id": str(offer_id)})))

    @post("/offers/{offer_id:uuid}/reject", summary="Reject an offer", status_code=200, security=BEARER)
    async def reject(
        self, offer_id: UUID, web: WebState, request: Request[Any, Any, Any], data: dict[str, Any] | None = None
    ) -> Done:
        me = api_identity(request, web)
        return Done(_position(await _run(web, me, "reject_offer", "RejectOffer", _body(data, offer_id=offer_id))))

    @post("/offers/{offer_id:uuid}/withdraw", summary="Withdraw your offer", status_code=200, security=BEARER)
    async def withdraw(
        self, offer_id: UUID, web: WebState, request: Request[Any, Any, Any], data: dict[str, Any] | None = None
    ) -> Done:
        me = api_identity(request, web)
        return Done(_position(await _run(web, me, "withdraw_offer", "WithdrawOffer", _body(data, offer_id=offer_id))))

    @get("/my/offers", summary="Offers of my organisation (side=buyer|seller)", security=BEARER)
    async def my_offers(
        self, web: WebState, request: Request[Any, Any, Any], side: Side | None = None,
        status: OfferStatus | None = None,
    ) -> OfferCollection:
        me = api_identity(request, web)
        items, total = await queries(web).my_offers(
            me.organisation_id, side=side.value if side else None, status=status.value if status else None
        )
        return OfferCollection(items, total)

    # --- contracts ------------------------------------------------------------------------
    @get("/my/contracts", summary="Contracts of my organisation (as a party or co-owner)", security=BEARER)
    async def my_contracts(self, web: WebState, request: Request[Any, Any, Any]) -> ContractCollection:
        me = api_identity(request, web)
        items = await queries(web).my_contracts(me.organisation_id)
        return ContractCollection(items, len(items))

    @get("/contracts/{contract_id:uuid}", summary="A contract with signatures, objections, obligations, shares",
         security=BEARER)
    async def contract(self, contract_id: UUID, web: WebState, request: Request[Any, Any, Any]) -> ContractDetail:
        me = api_identity(request, web)
        detail = await queries(web).contract_detail(contract_id)
        if detail is None:
            raise NotFoundException(f"contract_id: no contract with id {contract_id}")
        await guard_contract(request, web, me, detail.contract)
        if not (reads_everything(me) or me.organisation_id == detail.contract.seller_organisation_id):
            detail = msgspec.structs.replace(detail, benefit_shares=[])  # the seller institution's business
        return detail

    @get("/notices", summary="Contracts in public notice (公示) with their objections")
    async def notices(self, web: WebState) -> NoticeCollection:
        contracts = await queries(web).notices()
        objections = await queries(web).objections([k.id for k in contracts])
        items = [Notice(k, [o for o in objections if o.contract_id == k.id]) for k in contracts]
        return NoticeCollection(items, len(items))

    @post(
        "/contracts/{contract_id:uuid}/objections",
        summary="Object to a notice (a member of a verified organisation other than the seller)",
        description="Throttled per address and per user: 429 with Retry-After.", guards=[throttle_objections],
        security=BEARER, responses=answers(429),
    )
    async def object(
        self, contract_id: UUID, data: dict[str, Any], web: WebState, request: Request[Any, Any, Any]
    ) -> Created:
        me = api_identity(request, web)
        body = _body(data, contract_id=contract_id)
        objection_id, position = await _run(web, me, "file_objection", "FileObjection", body)
        return Created(objection_id, position)

    @post(
        "/contracts/{contract_id:uuid}/objections/{objection_id:uuid}/decide",
        summary="Uphold or dismiss an objection (the seller's org admin)",
        status_code=200,
        security=BEARER,
    )
    async def decide(
        self,
        contract_id: UUID,
        objection_id: UUID,
        data: dict[str, Any],
        web: WebState,
        request: Request[Any, Any, Any],
    ) -> Done:
        me = api_identity(request, web)
        body = _body(data, contract_id=contract_id, objection_id=objection_id)
        return Done(_position(await _run(web, me, "decide_objection", "DecideObjection", body)))

    @post("/contracts/{contract_id:uuid}/consent", summary="Consent as a co-owner", status_code=200, security=BEARER)
    async def consent(self, contract_id: UUID, web: WebState, request: Request[Any, Any, Any]) -> Done:
        me = api_identity(request, web)
        body = {"contract_id": str(contract_id)}
        return Done(_position(await _run(web, me, "consent_as_co_owner", "ConsentAsCoOwner", body)))

    @post("/contracts/{contract_id:uuid}/sign", summary="Sign the contract text with this SHA-256", status_code=200,
          security=BEARER)
    async def sign(
        self, contract_id: UUID, data: dict[str, Any], web: WebState, request: Request[Any, Any, Any]
    ) -> Done:
        me = api_identity(request, web)
        body = _body(data, contract_id=contract_id)
        return Done(_position(await _run(web, me, "sign_contract", "SignContract", body)))

    @post(
        "/contracts/{contract_id:uuid}/terminate",
        summary="End a contract not in force (a party's org admin while unsigned; a platform admin)",
        status_code=200,
        security=BEARER,
    )
    async def terminate(
        self, contract_id: UUID, data: dict[str, Any], web: WebState, request: Request[Any, Any, Any]
    ) -> Done:
        me = api_identity(request, web)
        body = _body(data, contract_id=contract_id)
        return Done(_position(await _run(web, me, "terminate_contract", "TerminateContract", body)))

    @post("/contracts/{contract_id:uuid}/registration", summary="Record the patent office reference", status_code=200,
          security=BEARER)
    async def registration(
        self, contract_id: UUID, data: dict[str, Any], web: WebState, request: Request[Any, Any, Any]
    ) -> Done:
        me = api_identity(request, web)
        body = _body(data, contract_id=contract_id)
        return Done(_position(await _run(web, me, "record_registration", "RecordRegistration", body)))

    @post("/contracts/{contract_id:uuid}/milestones", summary="Record a milestone reached", status_code=200,
          security=BEARER)
    async def milestone(
        self, contract_id: UUID, data: dict[str, Any], web: WebState, request: Request[Any, Any, Any]
    ) -> Done:
        me = api_identity(request, web)
        body = _body(data, contract_id=contract_id)
        return Done(_position(await _run(web, me, "reach_milestone", "ReachMilestone", body)))

    @post("/contracts/{contract_id:uuid}/royalty-reports", summary="File a royalty report", status_code=200,
          security=BEARER)
    async def royalty_report(
        self, contract_id: UUID, data: dict[str, Any], web: WebState, request: Request[Any, Any, Any]
    ) -> Done:
        me = api_identity(request, web)
        body = _body(data, contract_id=contract_id)
        return Done(_position(await _run(web, me, "file_royalty_report", "FileRoyaltyReport", body)))

    # --- payments -------------------------------------------------------------------------
    @post("/contracts/{contract_id:uuid}/payments", summary="Start paying an obligation (purpose: upfront, …)",
          security=BEARER)
    async def start_payment(
        self, contract_id: UUID, web: WebState, request: Request[Any, Any, Any], data: dict[str, Any] | None = None
    ) -> PaymentStarted:
        me = api_identity(request, web)
        result = await _run(web, me, "start_payment", "StartPayment", _body(data, contract_id=contract_id))
        start, position = result if isinstance(result, tuple) else (result, _position(result))
        return PaymentStarted(
            obligation_id=getattr(start, "obligation_id", None),
            gateway=start.gateway,
            provider_payment_id=start.provider_payment_id,
            status=start.status,
            client_secret=start.client_secret,
            instructions=start.instructions,
            position=position,
        )

    @post(
        "/obligations/{obligation_id:uuid}/receipt",
        summary="Record a bank transfer received (platform admin)",
        status_code=200,
        security=BEARER,
    )
    async def record_receipt(
        self, obligation_id: UUID, data: dict[str, Any], web: WebState, request: Request[Any, Any, Any]
    ) -> Done:
        me = api_identity(request, web)
        body = _body(data, obligation_id=obligation_id)
        return Done(_position(await _run(web, me, "record_manual_receipt", "RecordManualReceipt", body)))

    @post("/obligations/{obligation_id:uuid}/refund", summary="Refund a paid obligation", status_code=200,
          security=BEARER)
    async def refund(
        self, obligation_id: UUID, data: dict[str, Any], web: WebState, request: Request[Any, Any, Any]
    ) -> Done:
        me = api_identity(request, web)
        body = _body(data, obligation_id=obligation_id)
        return Done(_position(await _run(web, me, "refund_payment", "RefundPayment", body)))

    @get("/obligations", summary="Payment obligations my organisation pays or receives", security=BEARER)
    async def obligations(
        self, web: WebState, request: Request[Any, Any, Any], status: PaymentStatus | None = None
    ) -> ObligationCollection:
        me = api_identity(request, web)
        items = await queries(web).obligations(organisation_id=me.organisation_id,
                                               status=status.value if status else None)
        return ObligationCollection(items, len(items))

    @get("/obligations/{obligation_id:uuid}", summary="One payment obligation (parties only)", security=BEARER)
    async def obligation(self, obligation_id: UUID, web: WebState, request: Request[Any, Any, Any]) -> ObligationRow:
        me = api_identity(request, web)
        row = await queries(web).get_obligation(obligation_id)
        contract = await queries(web).get_contract(row.contract_id) if row else None
        if row is None or contract is None:
            raise NotFoundException(f"obligation_id: no payment obligation with id {obligation_id}")
        await guard_contract(request, web, me, contract, aggregate_id=row.id, aggregate_type="PaymentObligation")
        return row

    @get("/admin/refunds", summary="Refunds owed: money received for contracts that cannot take effect (admin)",
         security=BEARER)
    async def refunds_owed(self, web: WebState, request: Request[Any, Any, Any]) -> ObligationCollection:
        me = await web.with_current_roles(api_identity(request, web))
        if not me.has("platform_admin"):
            raise PermissionDeniedError("this needs the role platform_admin")
        items = await queries(web).refunds_owed()
        return ObligationCollection(items, len(items))

    @get("/my/benefits", summary="Benefit shares of my institution's deals (filter by inventor name)", security=BEARER)
    async def benefits(
        self, web: WebState, request: Request[Any, Any, Any],
        name: Annotated[str | None, Parameter(max_length=100, description="an inventor's name")] = None,
    ) -> ShareCollection:
        me = api_identity(request, web)
        items = await queries(web).benefit_shares(organisation_id=me.organisation_id, inventor=name or None)
        return ShareCollection(items, len(items))
