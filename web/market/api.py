"""Technology-contract registration in the JSON API: read a contract's record (pre-filled for its seller), save
it, export it once it passes the registrar's checks, and record the registry's number."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, post

from domain.market.jj001 import TAX_BENEFITS
from marketplace.market import commands as mc
from marketplace.platform.application import Marketplace
from marketplace.platform.command import ShortText
from web.answers import Done
from web.api_docs import BEARER
from web.commands import run_command
from web.context import Identity
from web.errors import stated_language
from web.forms import to_command
from web.i18n import vocabulary_of
from web.market.pages import exported, finding_outs, registration_view
from web.market.records import FindingOut, RecordOut, RegistrationExport
from web.state import WebState


class RegistrationOut(msgspec.Struct, frozen=True, kw_only=True):
    """A contract's registration: its status (``not_prepared``, ``prepared``, ``registered``), the registry's
    number, the deadline (30 days after signing), the record (the seller and platform admins get it pre-filled
    before it is prepared; others ``None``), what the registrar would refuse, and the tax benefits it unlocks."""

    contract_id: UUID
    status: str
    number: ShortText
    deadline: date | None
    record: RecordOut | None
    findings: list[FindingOut]
    tax_benefits: list[str]
    may_prepare: bool
    may_record_number: bool


class RegistrationInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """The JJ-001 fields the seller gives (the signing date and the parties' names are the contract's)."""

    contract_type: ShortText
    project_name: ShortText
    seller: mc.PartyCodesInput = mc.PartyCodesInput()
    buyer: mc.PartyCodesInput = mc.PartyCodesInput()
    term_start: date | None = None
    term_end: date | None = None
    amount: mc.Amount = 0
    technology_income: mc.Amount = 0
    expected_investment: mc.Amount | None = None
    expected_output: mc.Amount | None = None


class NumberInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The registry's 16-digit number (合同登记编号)."""

    number: ShortText


class TechRegistrationApiController(Controller):
    path = "/api/contracts/{contract_id:uuid}/tech-registration"
    tags = ["market"]  # noqa: RUF012 - litestar declares it as an instance attribute

    @get("/", summary="A contract's technology-contract registration (parties, platform admins, auditors)",
         security=BEARER)
    async def read(self, contract_id: UUID, request: Request[Any, Any, Any], web: WebState, me: Identity,
                   marketplace: Marketplace) -> RegistrationOut:
        view = await registration_view(request, web, me, marketplace, contract_id)
        language = stated_language(request) or "en"  # as refusals: the English rule unless one is named
        t = vocabulary_of(request).translator(language)
        return RegistrationOut(contract_id=contract_id, status=view.status, number=view.number,
                               deadline=view.deadline, record=view.record_out(),
                               findings=finding_outs(request, view.findings, language),
                               tax_benefits=[t(k) for k in TAX_BENEFITS],
                               may_prepare=view.may_prepare, may_record_number=view.may_number)

    @post("/", summary="Save the registration record (the seller's members; again to revise it)", status_code=200,
          security=BEARER)
    async def prepare(self, contract_id: UUID, data: RegistrationInput, web: WebState, marketplace: Marketplace,
                      me: Identity) -> Done:
        cmd = to_command(mc.PrepareRegistration, {**msgspec.to_builtins(data), "contract_id": str(contract_id)})
        _, position = await run_command(web, marketplace.tech_registrations.prepare_registration, cmd, me)
        return Done(position)

    @post("/number", summary="Record the registry's 16-digit number (the seller's members or a platform admin)",
          status_code=200, security=BEARER)
    async def number(self, contract_id: UUID, data: NumberInput, web: WebState, marketplace: Marketplace,
                     me: Identity) -> Done:
        cmd = mc.RecordRegistrationNumber(contract_id=contract_id, number=data.number)
        return Done(await run_command(web, marketplace.tech_registrations.record_registration_number, cmd, me))

    @get("/export", summary="The registration form (JJ-001) as data, once it passes the registrar's checks",
         security=BEARER)
    async def export(self, contract_id: UUID, request: Request[Any, Any, Any], web: WebState, me: Identity,
                     marketplace: Marketplace) -> RegistrationExport:
        return exported(await registration_view(request, web, me, marketplace, contract_id))
