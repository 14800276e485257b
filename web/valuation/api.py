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

from marketplace.platform.application import Marketplace
from marketplace.valuation import commands as vc
from projections.catalogue.queries import CatalogueQueries
from projections.valuation.queries import (
    AccreditationRow,
    FieldRecord,
    PatentValuationRecord,
    ValuationQueries,
    ValuerProfile,
)
from web.answers import Created, Done
from web.api_docs import BEARER, OPTIONAL_BEARER
from web.commands import run_command
from web.context import Identity, language_of
from web.state import WebState
from web.valuation.pages import MethodOut, as_seen_by, method_specs, today


class CalculationOut(msgspec.Struct, frozen=True):
    """The value a method computes from the inputs, with the steps of its calculation."""

    method: str
    value: Decimal
    steps: dict[str, Any]


class ReasonInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    reason: str


class CountersignInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The digest of the report the countersigner read (``report_sha256`` of the assessment)."""

    report_sha256: str


class ExpiryInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    expires_on: date


class ValuationApiController(Controller):
    path = "/api"
    tags = ["valuation"]  # noqa: RUF012 - litestar declares it as an instance attribute
    # No login guard on the JSON API: a body is decoded (a malformed one is a 400) before the token is asked for;
    # ``me`` refuses a call without a token with the guard's 401 (``web.identity.provide_identity``).

    @post("/valuation/calculate", summary="Run a valuation method on inputs; records nothing", status_code=200)
    async def calculate(self, data: vc.CalculateValuation, marketplace: Marketplace) -> CalculationOut:
        result = marketplace.valuation.calculate_valuation(data)
        return CalculationOut(result.method, result.value, result.steps)

    @get("/valuation/methods", summary="The valuation methods and their inputs")
    async def methods(self, request: Request[Any, Any, Any]) -> list[MethodOut]:
        return method_specs(language_of(request))

    @get(
        "/patents/{patent_id:uuid}/valuations", summary="A patent's assessments, offers, prices paid and open licences",
        security=OPTIONAL_BEARER,
    )
    async def patent_record(
        self, patent_id: UUID, valuation: ValuationQueries, catalogue: CatalogueQueries, maybe_me: Identity | None
    ) -> PatentValuationRecord:
        record = await valuation.patent_record(patent_id)
        if record is None:
            raise NotFoundException(f"patent_id: no patent with id {patent_id}")
        return await as_seen_by(catalogue, maybe_me, record)

    @post("/valuations", summary="Record an assessment (accredited valuer); the value is computed", security=BEARER)
    async def record(self, data: vc.RecordAssessment, web: WebState, marketplace: Marketplace, me: Identity) -> Created:
        valuation_id, position = await run_command(web, marketplace.valuation.record_assessment, data, me)
        return Created(valuation_id, position)

    @post("/valuations/{valuation_id:uuid}/withdraw", summary="Withdraw an assessment with a reason", status_code=200,
          security=BEARER)
    async def withdraw(
        self, valuation_id: UUID, data: ReasonInput, web: WebState, marketplace: Marketplace, me: Identity
    ) -> Done:
        cmd = vc.WithdrawAssessment(valuation_id=valuation_id, reason=data.reason)
        return Done(await run_command(web, marketplace.valuation.withdraw_assessment, cmd, me))

    @post("/valuations/{valuation_id:uuid}/countersign", status_code=200, security=BEARER,
          summary="Countersign an assessment's signed report (an admin of the valuer's agency, once)")
    async def countersign(
        self, valuation_id: UUID, data: CountersignInput, web: WebState, marketplace: Marketplace, me: Identity
    ) -> Done:
        cmd = vc.CountersignAssessment(valuation_id=valuation_id, report_sha256=data.report_sha256)
        return Done(await run_command(web, marketplace.valuation.countersign_assessment, cmd, me))

    @get("/valuation/fields/{ipc:path}", summary="Prices paid and assessments in an IPC main group or class")
    async def field(self, ipc: str, valuation: ValuationQueries) -> FieldRecord:
        return await valuation.field_record(ipc.strip("/"))

    @get("/valuers", summary="Valuer accreditations")
    async def valuers(self, web: WebState, valuation: ValuationQueries) -> list[AccreditationRow]:
        return await valuation.list_accreditations(today(web))

    @get("/valuers/{user_id:uuid}", summary="A valuer's accreditation, assessments and calibration")
    async def valuer(self, user_id: UUID, web: WebState, valuation: ValuationQueries) -> ValuerProfile:
        profile = await valuation.valuer_profile(user_id, today(web))
        if profile is None:
            raise NotFoundException(f"user_id: no valuer with id {user_id}")
        return profile

    @post("/valuers", summary="Accredit a valuation agency's member as a valuer (platform admin)", security=BEARER)
    async def accredit(self, data: vc.AccreditValuer, web: WebState, marketplace: Marketplace, me: Identity) -> Created:
        accreditation_id, position = await run_command(web, marketplace.valuation.accredit_valuer, data, me)
        return Created(accreditation_id, position)

    @post("/valuers/{user_id:uuid}/renew", summary="Renew an accreditation (platform admin)", status_code=200,
          security=BEARER)
    async def renew(
        self, user_id: UUID, data: ExpiryInput, web: WebState, marketplace: Marketplace, me: Identity
    ) -> Done:
        cmd = vc.RenewAccreditation(user_id=user_id, expires_on=data.expires_on)
        return Done(await run_command(web, marketplace.valuation.renew_accreditation, cmd, me))

    @post("/valuers/{user_id:uuid}/revoke", summary="Revoke an accreditation (platform admin)", status_code=200,
          security=BEARER)
    async def revoke(
        self, user_id: UUID, data: ReasonInput, web: WebState, marketplace: Marketplace, me: Identity
    ) -> Done:
        cmd = vc.RevokeAccreditation(user_id=user_id, reason=data.reason)
        return Done(await run_command(web, marketplace.valuation.revoke_accreditation, cmd, me))
