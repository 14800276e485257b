"""Technology-contract registration pages (技术合同认定登记): the record of a signed contract, its print and export.

The seller organisation's members see the record pre-filled from the deal (``TechRegistrations.prefill``),
complete and save it, print or export it once it passes the registrar's machine-checkable grounds, and
record the registry's number; a platform admin may record the number too. The buyer, co-owners asked to
consent, platform admins and auditors read it (``web.access``: a non-party's read is recorded). Every form
posts the command the JSON API takes; the application checks who acts on the aggregates again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Response, Template

from domain.market.jj001 import (
    PARTY_TYPE_CODES,
    TAX_BENEFITS,
    ContractType,
    Finding,
    RegistrationRecord,
    findings,
    last_due_of,
)
from domain.market.registration import deadline
from domain.shared.errors import DomainError, ValidationError
from marketplace.market import commands as mc
from marketplace.platform.application import Marketplace
from projections.deals.queries import DealsQueries
from projections.deals.rows import ContractRow
from projections.market.queries import MarketQueries, RegistrationRow
from web.access import guard_contract
from web.commands import run_command
from web.context import Identity, language_of, page_context
from web.errors import error_page, explain, status_of
from web.formats import BEIJING
from web.forms import text, to_command
from web.i18n import vocabulary_of
from web.identity import login_required
from web.market.records import FindingOut, RecordOut, RegistrationExport, command_fields, export_csv, form_values
from web.refusals import refusal_text
from web.state import WebState

DONE = {"saved": "techreg.saved", "numbered": "techreg.numbered"}


@dataclass(frozen=True)
class RegistrationView:
    """What a reader may see of a contract's registration: the record (recorded, or pre-filled for the seller)."""

    contract: ContractRow
    row: RegistrationRow | None
    record: RegistrationRecord | None
    findings: tuple[Finding, ...]
    may_prepare: bool
    may_number: bool

    @property
    def status(self) -> str:
        return self.row.status if self.row is not None else "not_prepared"

    @property
    def number(self) -> str:
        return self.row.number if self.row is not None else ""

    @property
    def deadline(self) -> date | None:
        return deadline(self.record.signed_on) if self.record is not None else None

    def record_out(self) -> RecordOut | None:
        if self.record is None:
            return None
        k = self.contract
        return RecordOut.of(self.record, (k.seller_organisation_id, k.seller_name),
                            (k.buyer_organisation_id, k.buyer_name))


async def registration_view(request: Request[Any, Any, Any], web: WebState, me: Identity, marketplace: Marketplace,
                            contract_id: UUID) -> RegistrationView:
    """The contract's registration as ``me`` may see it; outsiders are refused (404 for no contract)."""
    contract = await DealsQueries(web.pool).get_contract(contract_id)
    if contract is None:
        raise NotFoundException(f"contract_id: no contract with id {contract_id}")
    await guard_contract(request, web, me, contract)
    current = await web.with_current_roles(me)
    seller = me.organisation_id == contract.seller_organisation_id
    row = await MarketQueries(web.pool).registration(contract_id)
    # A development contract's term must run to its last milestone (its milestones are fixed once signed).
    last_due = last_due_of(contract.terms) if contract.is_development else None
    record: RegistrationRecord | None = None
    if row is not None:
        record = RegistrationRecord.from_dict(row.record)
        found = findings(record, deal_kind=row.deal_kind, contract_price=row.contract_price, last_due=last_due)
    elif seller or current.has("platform_admin"):
        record = await web.run(marketplace.tech_registrations.prefill, contract_id, actor_id=me.user_id)
        found = findings(record, deal_kind=contract.kind, contract_price=contract.price_amount, last_due=last_due)
    else:
        found = ()
    return RegistrationView(contract=contract, row=row, record=record, findings=found, may_prepare=seller,
                            may_number=seller or current.has("platform_admin"))


def finding_outs(request: Request[Any, Any, Any], found: tuple[Finding, ...],
                 language: str | None = None) -> list[FindingOut]:
    """The findings with their rules in ``language`` (default: the page's)."""
    language = language or language_of(request)
    vocabulary = vocabulary_of(request)
    return [FindingOut(code=f.code, field=f.field,
                       detail=refusal_text(ValidationError(f.code, field=f.field, code=f.code), vocabulary, language))
            for f in found]


def exported(view: RegistrationView) -> RegistrationExport:
    """The export, refused (the first finding, coded) while the record does not pass the checks."""
    if view.row is None or view.record is None:
        raise ValidationError("contract_id: prepare the registration record first", field="contract_id",
                              code="tech_registration.not_prepared")
    if view.findings:
        first = view.findings[0]
        raise ValidationError(f"{first.field}: the record does not pass the registrar's checks", field=first.field,
                              code=first.code)
    record = view.record_out()
    assert record is not None
    return RegistrationExport(form="JJ-001", contract_id=view.contract.id, number=view.number, record=record)


def _context(request: Request[Any, Any, Any], view: RegistrationView, **values: Any) -> dict[str, Any]:
    form = values.pop("form", None) or (form_values(view.record) if view.record is not None else {})
    return page_context(
        request, v=view, k=view.contract, f=form, findings=finding_outs(request, view.findings),
        benefits=TAX_BENEFITS, natures=list(PARTY_TYPE_CODES), types=[t.value for t in ContractType],
        done=DONE.get(request.query_params.get("done", "")), today=web_today(request), **values,
    )


def web_today(request: Request[Any, Any, Any]) -> date:
    """Today in Beijing on the marketplace's clock (a deadline passed shows so)."""
    web: WebState = request.app.state.web
    return web.services.app.clock.now().astimezone(BEIJING).date()


class TechRegistrationPagesController(Controller):
    include_in_schema = False
    guards = [login_required]  # noqa: RUF012

    @get("/contracts/{contract_id:uuid}/tech-registration", name="tech_registration")
    async def page(self, contract_id: UUID, request: Request[Any, Any, Any], web: WebState, me: Identity,
                   marketplace: Marketplace) -> Template:
        try:
            view = await registration_view(request, web, me, marketplace, contract_id)
        except DomainError as error:
            return error_page(request, error)
        return Template("market/registration.html.jinja2", context=_context(request, view))

    @post("/contracts/{contract_id:uuid}/tech-registration")
    async def prepare(self, contract_id: UUID, request: Request[Any, Any, Any], web: WebState, me: Identity,
                      marketplace: Marketplace) -> Template | Redirect:
        form = await request.form()
        try:
            command = to_command(mc.PrepareRegistration, command_fields(form, contract_id))
            await run_command(web, marketplace.tech_registrations.prepare_registration, command, me)
        except DomainError as error:
            try:
                view = await registration_view(request, web, me, marketplace, contract_id)
            except DomainError as refused:
                return error_page(request, refused)
            return Template("market/registration.html.jinja2", status_code=status_of(error),
                            context=_context(request, view, form=dict(form), error=explain(request, error),
                                             error_field=error.field))
        return Redirect(f"/contracts/{contract_id}/tech-registration?done=saved", status_code=303)

    @post("/contracts/{contract_id:uuid}/tech-registration/number")
    async def number(self, contract_id: UUID, request: Request[Any, Any, Any], web: WebState, me: Identity,
                     marketplace: Marketplace) -> Template | Redirect:
        form = await request.form()
        try:
            command = to_command(mc.RecordRegistrationNumber, {"contract_id": contract_id,
                                                               "number": text(form, "number")})
            await run_command(web, marketplace.tech_registrations.record_registration_number, command, me)
        except DomainError as error:
            return error_page(request, error)
        return Redirect(f"/contracts/{contract_id}/tech-registration?done=numbered", status_code=303)

    @get("/contracts/{contract_id:uuid}/tech-registration/print", name="tech_registration_print")
    async def print_form(self, contract_id: UUID, request: Request[Any, Any, Any], web: WebState, me: Identity,
                         marketplace: Marketplace) -> Template:
        try:
            view = await registration_view(request, web, me, marketplace, contract_id)
            export = exported(view)
        except DomainError as error:
            return error_page(request, error)
        return Template("market/print.html.jinja2", context=_context(request, view, export=export))

    @get("/contracts/{contract_id:uuid}/tech-registration.csv")
    async def csv(self, contract_id: UUID, request: Request[Any, Any, Any], web: WebState, me: Identity,
                  marketplace: Marketplace) -> Response[str] | Template:
        try:
            export = exported(await registration_view(request, web, me, marketplace, contract_id))
        except DomainError as error:
            return error_page(request, error)
        name = f"jj001-{contract_id}.csv"
        return Response(export_csv(export), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})

    @get("/contracts/{contract_id:uuid}/tech-registration.json")
    async def json(self, contract_id: UUID, request: Request[Any, Any, Any], web: WebState, me: Identity,
                   marketplace: Marketplace) -> Response[RegistrationExport] | Template:
        try:
            export = exported(await registration_view(request, web, me, marketplace, contract_id))
        except DomainError as error:
            return error_page(request, error)
        return Response(export, headers={"Content-Disposition": f'attachment; filename="jj001-{contract_id}.json"'})


# --- the section of the contract page ---------------------------------------------------------------
async def contract_section(web: WebState, me: Identity, contract: ContractRow) -> tuple[str, dict[str, Any]] | None:
    """The registration's lines on the contract page (its number, status and deadline), for the contract's readers."""
    if contract.status not in ("signed", "in_force"):
        return None
    row = await MarketQueries(web.pool).registration(contract.id)
    return "market/contract_section.html.jinja2", {"techreg": row}
