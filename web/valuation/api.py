"""Valuation in the JSON API (``/api/…``): the calculator, methods, a patent's record, assessments, valuers.

Commands take a bearer token; the application checks the accreditation, the conflict of interest
and who may supersede or withdraw on the aggregates.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException

from marketplace.valuation import commands as vc
from projections.valuation.queries import AccreditationRow, FieldRecord, PatentValuationRecord, ValuerProfile
from web.api_docs import BEARER, OPTIONAL_BEARER
from web.catalogue.api import api_identity
from web.context import bearer_identity, language_of
from web.state import WebState
from web.valuation.pages import as_seen_by, method_specs, queries, today


class CalculationOut(msgspec.Struct, frozen=True):
    method: str
    value: Decimal
    steps: dict[str, Any]


class Recorded(msgspec.Struct, frozen=True):
    id: UUID
    position: int


class Position(msgspec.Struct, frozen=True):
    position: int


class ReasonInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    reason: str


class ExpiryInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    expires_on: date


class ValuationApiController(Controller):
    path = "/api"
    tags = ["valuation"]  # noqa: RUF012 - litestar declares it as an instance attribute

    @post("/valuation/calculate", summary="Run a valuation method on inputs; records nothing", status_code=200)
    async def calculate(self, data: vc.CalculateValuation, web: WebState) -> CalculationOut:
        result = web.services.app.valuation.calculate_valuation(data)
        return CalculationOut(result.method, result.value, result.steps)

    @get("/valuation/methods", summary="The valuation methods and their inputs")
    async def methods(self, request: Request[Any, Any, Any]) -> list[dict[str, Any]]:
        return method_specs(language_of(request))

    @get(
        "/patents/{patent_id:uuid}/valuations", summary="A patent's assessments, offers, prices paid and open licences",
        security=OPTIONAL_BEARER,
    )
    async def patent_record(
        self, patent_id: UUID, web: WebState, request: Request[Any, Any, Any]
    ) -> PatentValuationRecord:
        record = await queries(web).patent_record(patent_id)
        if record is None:
            raise NotFoundException(f"patent_id: no patent with id {patent_id}")
        me = bearer_identity(request, web.services.settings.secret_key)
        return await as_seen_by(web, me, record)

    @post("/valuations", summary="Record an assessment (accredited valuer); the value is computed", security=BEARER)
    async def record(self, data: vc.RecordAssessment, web: WebState, request: Request[Any, Any, Any]) -> Recorded:
        me = api_identity(request, web)
        valuation_id, position = await web.run(web.services.app.valuation.record_assessment, data, actor_id=me.user_id)
        await web.wait_for(position)
        return Recorded(valuation_id, position)

    @post("/valuations/{valuation_id:uuid}/withdraw", summary="Withdraw an assessment with a reason", status_code=200,
          security=BEARER)
    async def withdraw(
        self, valuation_id: UUID, data: ReasonInput, web: WebState, request: Request[Any, Any, Any]
    ) -> Position:
        me = api_identity(request, web)
        cmd = vc.WithdrawAssessment(valuation_id=valuation_id, reason=data.reason)
        position = await web.run(web.services.app.valuation.withdraw_assessment, cmd, actor_id=me.user_id)
        await web.wait_for(position)
        return Position(position)

    @get("/valuation/fields/{ipc:path}", summary="Prices paid and assessments in an IPC main group or class")
    async def field(self, ipc: str, web: WebState) -> FieldRecord:
        return await queries(web).field_record(ipc.strip("/"))

    @get("/valuers", summary="Valuer accreditations")
    async def valuers(self, web: WebState) -> list[AccreditationRow]:
        return await queries(web).list_accreditations(today(web))

    @get("/valuers/{user_id:uuid}", summary="A valuer's accreditation, assessments and calibration")
    async def valuer(self, user_id: UUID, web: WebState) -> ValuerProfile:
        profile = await queries(web).valuer_profile(user_id, today(web))
        if profile is None:
            raise NotFoundException(f"user_id: no valuer with id {user_id}")
        return profile

    @post("/valuers", summary="Accredit a valuation agency's member as a valuer (platform admin)", security=BEARER)
    async def accredit(self, data: vc.AccreditValuer, web: WebState, request: Request[Any, Any, Any]) -> Recorded:
        me = api_identity(request, web)
        accreditation_id, position = await web.run(
            web.services.app.valuation.accredit_valuer, data, actor_id=me.user_id)
        await web.wait_for(position)
        return Recorded(accreditation_id, position)

    @post("/valuers/{user_id:uuid}/renew", summary="Renew an accreditation (platform admin)", status_code=200,
          security=BEARER)
    async def renew(self, user_id: UUID, data: ExpiryInput, web: WebState, request: Request[Any, Any, Any]) -> Position:
        me = api_identity(request, web)
        cmd = vc.RenewAccreditation(user_id=user_id, expires_on=data.expires_on)
        position = await web.run(web.services.app.valuation.renew_accreditation, cmd, actor_id=me.user_id)
        await web.wait_for(position)
        return Position(position)

    @post("/valuers/{user_id:uuid}/revoke", summary="Revoke an accreditation (platform admin)", status_code=200,
          security=BEARER)
    async def revoke(
        self, user_id: UUID, data: ReasonInput, web: WebState, request: Request[Any, Any, Any]
    ) -> Position:
        me = api_identity(request, web)
        cmd = vc.RevokeAccreditation(user_id=user_id, reason=data.reason)
        position = await web.run(web.services.app.valuation.revoke_accreditation, cmd, actor_id=me.user_id)
        await web.wait_for(position)
        return Position(position)
