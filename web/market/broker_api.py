"""Brokers and transfer agencies in the JSON API: the register, accreditation (platform admin), mandates (the
seller's organisation admin), introductions (brokers) and their answers (buyers), and performance figures."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import msgspec
from litestar import Controller, get, post
from litestar.exceptions import NotFoundException

from marketplace.market import commands as mc
from marketplace.platform.application import Marketplace
from marketplace.platform.command import Note, Percent, ShortText
from projections.market.broker_queries import BrokerQueries, BrokerRow, IntroductionRow, MandateRow, PerformanceRow
from projections.market.statistics_queries import Period
from web.answers import Done
from web.api_docs import BEARER
from web.commands import run_command
from web.context import Identity
from web.forms import to_command
from web.state import WebState


class Created(msgspec.Struct, frozen=True):
    """The record's id, and the position the read models have caught up to."""

    id: UUID
    position: int


class AccreditInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A transfer agency's member to accredit as a broker: the certificate number and the expiry."""

    user_id: UUID
    credential_number: ShortText
    expires_on: date


class RevokeInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    reason: Note


class RenewInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    expires_on: date


class MandateInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The agency mandated, its commission in % of each payment the seller receives, the last day of the term,
    and whether its brokers may act for the seller."""

    agency_id: UUID
    commission: Percent
    ends_on: date
    may_act: bool = False


class EndMandateInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    reason: Note = ""


class IntroductionInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The buyer organisation the broker introduced to the listing, and a note."""

    buyer_organisation_id: UUID
    note: Note = ""


class DeclineInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    reason: Note = ""


class Performance(msgspec.Struct, frozen=True, kw_only=True):
    """Introductions, deals (contracts in force), volume and commission received (fen) and the introductions that
    converted, by Beijing-time period."""

    period: Period
    rows: list[PerformanceRow]


class BrokerApiController(Controller):
    path = "/api"
    tags = ["market"]  # noqa: RUF012 - litestar declares it as an instance attribute

    @get("/brokers", summary="The register of accredited technology brokers (public)")
    async def brokers(self, web: WebState) -> list[BrokerRow]:
        return await BrokerQueries(web.pool).brokers()

    @post("/brokers", summary="Accredit a transfer agency's member as a broker (platform admin)", security=BEARER)
    async def accredit(self, data: AccreditInput, web: WebState, marketplace: Marketplace, me: Identity) -> Created:
        cmd = to_command(mc.AccreditBroker, msgspec.to_builtins(data))
        bid, position = await run_command(web, marketplace.brokers.accredit_broker, cmd, me)
        return Created(bid, position)

    @post("/brokers/{user_id:uuid}/renew", summary="Renew a broker's accreditation (platform admin)",
          status_code=200, security=BEARER)
    async def renew(self, user_id: UUID, data: RenewInput, web: WebState, marketplace: Marketplace,
                    me: Identity) -> Done:
        cmd = mc.RenewBroker(user_id=user_id, expires_on=data.expires_on)
        return Done(await run_command(web, marketplace.brokers.renew_broker, cmd, me))

    @post("/brokers/{user_id:uuid}/revoke", summary="Revoke a broker's accreditation (platform admin)",
          status_code=200, security=BEARER)
    async def revoke(self, user_id: UUID, data: RevokeInput, web: WebState, marketplace: Marketplace,
                     me: Identity) -> Done:
        cmd = to_command(mc.RevokeBroker, {"user_id": str(user_id), "reason": data.reason})
        return Done(await run_command(web, marketplace.brokers.revoke_broker, cmd, me))

    @get("/brokers/{broker_id:uuid}/performance", summary="A broker's performance by period (public)")
    async def broker_performance(self, broker_id: UUID, web: WebState, period: Period = "month") -> Performance:
        broker = await BrokerQueries(web.pool).broker(broker_id)
        if broker is None:
            raise NotFoundException(f"broker_id: no broker with id {broker_id}")
        return Performance(period=period,
                           rows=await BrokerQueries(web.pool).performance("broker", broker.user_id, period))

    @get("/agencies/{agency_id:uuid}/performance", summary="A transfer agency's performance by period (public)")
    async def agency_performance(self, agency_id: UUID, web: WebState, period: Period = "month") -> Performance:
        return Performance(period=period, rows=await BrokerQueries(web.pool).performance("agency", agency_id, period))

    @get("/listings/{listing_id:uuid}/mandates", summary="A listing's mandates of transfer agencies (public)")
    async def mandates(self, listing_id: UUID, web: WebState) -> list[MandateRow]:
        return await BrokerQueries(web.pool).mandates_for_listing(listing_id)

    @post("/listings/{listing_id:uuid}/mandates", summary="Mandate a transfer agency (the seller's org admin)",
          security=BEARER)
    async def give(self, listing_id: UUID, data: MandateInput, web: WebState, marketplace: Marketplace,
                   me: Identity) -> Created:
        cmd = to_command(mc.GiveMandate, {**msgspec.to_builtins(data), "listing_id": str(listing_id)})
        mid, position = await run_command(web, marketplace.brokers.give_mandate, cmd, me)
        return Created(mid, position)

    @post("/listings/{listing_id:uuid}/mandates/{agency_id:uuid}/end",
          summary="End a mandate (the seller's org admin)", status_code=200, security=BEARER)
    async def end(self, listing_id: UUID, agency_id: UUID, data: EndMandateInput, web: WebState,
                  marketplace: Marketplace, me: Identity) -> Done:
        cmd = to_command(mc.EndMandate, {"listing_id": str(listing_id), "agency_id": str(agency_id),
                                         "reason": data.reason})
        return Done(await run_command(web, marketplace.brokers.end_mandate, cmd, me))

    @post("/listings/{listing_id:uuid}/introductions",
          summary="Record the introduction of a buyer (an accredited broker of the mandated agency)", security=BEARER)
    async def introduce(self, listing_id: UUID, data: IntroductionInput, web: WebState, marketplace: Marketplace,
                        me: Identity) -> Created:
        cmd = to_command(mc.IntroduceBuyer, {**msgspec.to_builtins(data), "listing_id": str(listing_id)})
        iid, position = await run_command(web, marketplace.brokers.introduce_buyer, cmd, me)
        return Created(iid, position)

    @get("/introductions", summary="Introductions of my organisation (to confirm) and my own (as broker)",
         security=BEARER)
    async def introductions(self, web: WebState, me: Identity) -> list[IntroductionRow]:
        queries = BrokerQueries(web.pool)
        mine = await queries.introductions(broker_user_id=me.user_id)
        theirs = await queries.introductions(buyer_organisation_id=me.organisation_id)
        return [*theirs, *(i for i in mine if i.id not in {t.id for t in theirs})]

    @post("/introductions/{introduction_id:uuid}/confirm", summary="Confirm an introduction (the buyer's members)",
          status_code=200, security=BEARER)
    async def confirm(self, introduction_id: UUID, web: WebState, marketplace: Marketplace, me: Identity) -> Done:
        cmd = mc.ConfirmIntroduction(introduction_id=introduction_id)
        return Done(await run_command(web, marketplace.brokers.confirm_introduction, cmd, me))

    @post("/introductions/{introduction_id:uuid}/decline", summary="Decline an introduction (the buyer's members)",
          status_code=200, security=BEARER)
    async def decline(self, introduction_id: UUID, data: DeclineInput, web: WebState, marketplace: Marketplace,
                      me: Identity) -> Done:
        cmd = to_command(mc.DeclineIntroduction, {"introduction_id": str(introduction_id), "reason": data.reason})
        return Done(await run_command(web, marketplace.brokers.decline_introduction, cmd, me))
