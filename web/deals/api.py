"""Offers, contracts and notices in the JSON API (``/api/…``): the same commands and queries as the deal pages.

Commands take a bearer token and a typed body (``web.deals.bodies``); the application checks
parties, roles and deadlines on the aggregates. Reads of an offer or a contract are for the parties
(and co-owners), platform admins and auditors only (``web.access``). Collections are
``{"items": [...], "total": n}``; refusals are ``{"status_code", "detail", "field"}`` like the rest
of the API. Payments are in ``web.deals.payments_api``.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from msgspec.structs import asdict, replace

from domain.deals.offer import OfferStatus, Side
from marketplace.deals import commands as dc
from marketplace.platform.application import Marketplace
from projections.deals.queries import DealsQueries
from projections.deals.rows import ContractDetail
from web.access import guard_contract, guard_offer, reads_everything
from web.answers import Created, Done
from web.api_docs import BEARER, answers
from web.commands import run_command
from web.context import Identity
from web.deals.answers import (
    Accepted,
    ContractCollection,
    Notice,
    NoticeCollection,
    OfferCollection,
    OfferDetail,
    OpenLicenceText,
)
from web.deals.bodies import (
    AgreeDevelopmentResultsBody,
    CounterOfferBody,
    DecideObjectionBody,
    DeliverMilestoneBody,
    FileObjectionBody,
    FileRoyaltyReportBody,
    MakeOfferBody,
    ReachMilestoneBody,
    RecordRegistrationBody,
    RejectOfferBody,
    SignContractBody,
    TakeOpenLicenceBody,
    TerminateContractBody,
    WithdrawOfferBody,
)
from web.identity import login_required
from web.state import WebState
from web.throttle import throttle_objections


class DealsApiController(Controller):
    """Offers and contracts: every operation needs a bearer token."""

    path = "/api"
    tags = ["deals"]  # noqa: RUF012 - litestar declares it as an instance attribute
    guards = [login_required]  # noqa: RUF012
    security = BEARER

    # --- offers ---------------------------------------------------------------------------
    @post("/listings/{listing_id:uuid}/offers", summary="Make an offer on a published listing")
    async def make_offer(
        self, listing_id: UUID, data: MakeOfferBody, me: Identity, web: WebState, marketplace: Marketplace
    ) -> Created:
        cmd = dc.MakeOffer(listing_id=listing_id, **asdict(data))
        offer_id, position = await run_command(web, marketplace.offers.make_offer, cmd, me)
        return Created(offer_id, position)

    @get(
        "/listings/{listing_id:uuid}/open-licence",
        summary="The contract a take-up of the listing's open licence would sign now (records nothing)",
    )
    async def open_licence_text(
        self, listing_id: UUID, me: Identity, web: WebState, marketplace: Marketplace
    ) -> OpenLicenceText:
        preview = await web.run(marketplace.contracts.preview_open_licence, listing_id, actor_id=me.user_id)
        return OpenLicenceText(**preview._asdict())

    @post(
        "/listings/{listing_id:uuid}/open-licence",
        summary="Take up a listing's open licence (开放许可): sign the text you were shown",
        description="Send the `text_sha256` of the text `GET` on this path gave: 409 when the text would now "
        "differ (nothing is signed). 201 with the new contract; 200 with the live one when your organisation "
        "already took it up (a repeat records nothing). Without a digest the current text is signed (clients "
        "written before the digest existed).",
    )
    async def take_open_licence(
        self, listing_id: UUID, me: Identity, web: WebState, marketplace: Marketplace,
        data: TakeOpenLicenceBody | None = None,
    ) -> Response[Created]:
        cmd = dc.TakeOpenLicence(listing_id=listing_id, text_sha256=data.text_sha256 if data else None)
        taken = await run_command(web, marketplace.contracts.take_up_open_licence, cmd, me)
        return Response(
            Created(taken.contract_id, taken.position),
            status_code=HTTP_201_CREATED if taken.created else HTTP_200_OK,
        )

    @get("/offers/{offer_id:uuid}", summary="One offer with its negotiation thread (parties only)")
    async def offer(
        self, offer_id: UUID, request: Request[Any, Any, Any], me: Identity, web: WebState, deals: DealsQueries
    ) -> OfferDetail:
        row = await deals.get_offer(offer_id)
        if row is None:
            raise NotFoundException(f"offer_id: no offer with id {offer_id}")
        await guard_offer(request, web, me, row)
        return OfferDetail(row, await deals.offer_thread(offer_id))

    @post("/offers/{offer_id:uuid}/counter", summary="Counter an offer with new terms", status_code=200)
    async def counter(
        self, offer_id: UUID, data: CounterOfferBody, me: Identity, web: WebState, marketplace: Marketplace
    ) -> Done:
        cmd = dc.CounterOffer(offer_id=offer_id, **asdict(data))
        return Done(await run_command(web, marketplace.offers.counter_offer, cmd, me))

    @post("/offers/{offer_id:uuid}/accept", summary="Accept the terms on the table: the contract drafted",
          status_code=200)
    async def accept(self, offer_id: UUID, me: Identity, web: WebState, marketplace: Marketplace) -> Accepted:
        contract_id, position = await run_command(
            web, marketplace.offers.accept_offer, dc.AcceptOffer(offer_id=offer_id), me)
        return Accepted(contract_id, position)

    @post("/offers/{offer_id:uuid}/reject", summary="Reject an offer", status_code=200)
    async def reject(
        self, offer_id: UUID, me: Identity, web: WebState, marketplace: Marketplace,
        data: RejectOfferBody | None = None,
    ) -> Done:
        cmd = dc.RejectOffer(offer_id=offer_id, **asdict(data or RejectOfferBody()))
        return Done(await run_command(web, marketplace.offers.reject_offer, cmd, me))

    @post("/offers/{offer_id:uuid}/withdraw", summary="Withdraw your offer", status_code=200)
    async def withdraw(
        self, offer_id: UUID, me: Identity, web: WebState, marketplace: Marketplace,
        data: WithdrawOfferBody | None = None,
    ) -> Done:
        cmd = dc.WithdrawOffer(offer_id=offer_id, **asdict(data or WithdrawOfferBody()))
        return Done(await run_command(web, marketplace.offers.withdraw_offer, cmd, me))

    @get("/my/offers", summary="Offers of my organisation (side=buyer|seller)")
    async def my_offers(
        self, me: Identity, deals: DealsQueries, side: Side | None = None, status: OfferStatus | None = None,
    ) -> OfferCollection:
        items, total = await deals.my_offers(
            me.organisation_id, side=side.value if side else None, status=status.value if status else None
        )
        return OfferCollection(items, total)

    # --- contracts ------------------------------------------------------------------------
    @get("/my/contracts", summary="Contracts of my organisation (as a party or co-owner)")
    async def my_contracts(self, me: Identity, deals: DealsQueries) -> ContractCollection:
        items = await deals.my_contracts(me.organisation_id)
        return ContractCollection(items, len(items))

    @get("/contracts/{contract_id:uuid}", summary="A contract with signatures, objections, obligations, shares")
    async def contract(
        self, contract_id: UUID, request: Request[Any, Any, Any], me: Identity, web: WebState, deals: DealsQueries,
        marketplace: Marketplace,
    ) -> ContractDetail:
        detail = await deals.contract_detail(contract_id, marketplace.clock.now())
        if detail is None:
            raise NotFoundException(f"contract_id: no contract with id {contract_id}")
        await guard_contract(request, web, me, detail.contract)
        if not (reads_everything(me) or me.organisation_id == detail.contract.seller_organisation_id):
            # the seller institution's business, and the share its inventors get
            detail = replace(detail, benefit_shares=[], contract=replace(detail.contract, inventor_share=None))
        return detail

    @post("/contracts/{contract_id:uuid}/consent", summary="Consent as a co-owner", status_code=200)
    async def consent(self, contract_id: UUID, me: Identity, web: WebState, marketplace: Marketplace) -> Done:
        cmd = dc.ConsentAsCoOwner(contract_id=contract_id)
        return Done(await run_command(web, marketplace.contracts.consent_as_co_owner, cmd, me))

    @post("/contracts/{contract_id:uuid}/sign", summary="Sign the contract text with this SHA-256", status_code=200)
    async def sign(
        self, contract_id: UUID, data: SignContractBody, me: Identity, web: WebState, marketplace: Marketplace
    ) -> Done:
        cmd = dc.SignContract(contract_id=contract_id, **asdict(data))
        return Done(await run_command(web, marketplace.contracts.sign_contract, cmd, me))

    @post(
        "/contracts/{contract_id:uuid}/terminate",
        summary="End a contract not in force (a party's org admin while unsigned; a platform admin)",
        status_code=200,
    )
    async def terminate(
        self, contract_id: UUID, data: TerminateContractBody, me: Identity, web: WebState, marketplace: Marketplace
    ) -> Done:
        cmd = dc.TerminateContract(contract_id=contract_id, **asdict(data))
        return Done(await run_command(web, marketplace.contracts.terminate_contract, cmd, me))

    @post("/contracts/{contract_id:uuid}/registration", summary="Record the patent office reference", status_code=200)
    async def registration(
        self, contract_id: UUID, data: RecordRegistrationBody, me: Identity, web: WebState, marketplace: Marketplace
    ) -> Done:
        cmd = dc.RecordRegistration(contract_id=contract_id, **asdict(data))
        return Done(await run_command(web, marketplace.contracts.record_registration, cmd, me))

    @post("/contracts/{contract_id:uuid}/milestones", summary="Record a milestone reached", status_code=200)
    async def milestone(
        self, contract_id: UUID, data: ReachMilestoneBody, me: Identity, web: WebState, marketplace: Marketplace
    ) -> Done:
        cmd = dc.ReachMilestone(contract_id=contract_id, **asdict(data))
        _, position = await run_command(web, marketplace.contracts.reach_milestone, cmd, me)
        return Done(position)

    @post("/contracts/{contract_id:uuid}/deliveries", summary="Record a development milestone as delivered (the "
          "developer); the client then accepts it at /milestones and its payment falls due", status_code=200)
    async def deliver(
        self, contract_id: UUID, data: DeliverMilestoneBody, me: Identity, web: WebState, marketplace: Marketplace
    ) -> Done:
        cmd = dc.DeliverMilestone(contract_id=contract_id, **asdict(data))
        return Done(await run_command(web, marketplace.contracts.deliver_milestone, cmd, me))

    @post("/contracts/{contract_id:uuid}/development-results", summary="Agree a draft development contract's "
          "ownership of the results and confidentiality (a party's org admin, before anyone signs); the text and its "
          "SHA-256 change with them", status_code=200)
    async def development_results(
        self, contract_id: UUID, data: AgreeDevelopmentResultsBody, me: Identity, web: WebState,
        marketplace: Marketplace,
    ) -> Done:
        cmd = dc.AgreeDevelopmentResults(contract_id=contract_id, **asdict(data))
        return Done(await run_command(web, marketplace.contracts.agree_development_results, cmd, me))

    @post("/contracts/{contract_id:uuid}/royalty-reports", summary="File a royalty report", status_code=200)
    async def royalty_report(
        self, contract_id: UUID, data: FileRoyaltyReportBody, me: Identity, web: WebState, marketplace: Marketplace
    ) -> Done:
        cmd = dc.FileRoyaltyReport(contract_id=contract_id, **asdict(data))
        _, position = await run_command(web, marketplace.contracts.file_royalty_report, cmd, me)
        return Done(position)


class NoticesApiController(Controller):
    """Public notices (公示): anyone reads them; objecting and deciding need a bearer token."""

    path = "/api"
    tags = ["deals"]  # noqa: RUF012 - litestar declares it as an instance attribute

    @get("/notices", summary="Contracts in public notice (公示) with their objections")
    async def notices(self, deals: DealsQueries) -> NoticeCollection:
        contracts = await deals.notices()
        objections = await deals.objections([k.id for k in contracts])
        items = [Notice(k, [o for o in objections if o.contract_id == k.id]) for k in contracts]
        return NoticeCollection(items, len(items))

    @post(
        "/contracts/{contract_id:uuid}/objections",
        summary="Object to a notice (a member of a verified organisation other than the seller)",
        description="Throttled per address and per user: 429 with Retry-After.",
        guards=[throttle_objections, login_required],  # an attempt is taken before the token is looked at
        security=BEARER, responses=answers(429),
    )
    async def object(
        self, contract_id: UUID, data: FileObjectionBody, me: Identity, web: WebState, marketplace: Marketplace
    ) -> Created:
        cmd = dc.FileObjection(contract_id=contract_id, **asdict(data))
        objection_id, position = await run_command(web, marketplace.contracts.file_objection, cmd, me)
        return Created(objection_id, position)

    @post(
        "/contracts/{contract_id:uuid}/objections/{objection_id:uuid}/decide",
        summary="Uphold or dismiss an objection (the seller's org admin)",
        status_code=200, guards=[login_required], security=BEARER,
    )
    async def decide(
        self, contract_id: UUID, objection_id: UUID, data: DecideObjectionBody, me: Identity, web: WebState,
        marketplace: Marketplace,
    ) -> Done:
        cmd = dc.DecideObjection(contract_id=contract_id, objection_id=objection_id, **asdict(data))
        return Done(await run_command(web, marketplace.contracts.decide_objection, cmd, me))
