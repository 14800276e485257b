"""Valuation pages: the calculator, assessments on a patent, field records, valuers, accreditation.

Pages read the valuation read model; every form posts a command to the application, which checks the
accreditation, the conflict of interest and who may supersede or withdraw on the aggregates. The JSON
API is in web/valuation/api.py; both share the helpers here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from domain.shared.errors import DomainError, PermissionDeniedError
from domain.valuation.cost_market import COMPARABLE_FACTORS
from domain.valuation.methods import METHODS, Approach, Kind, MethodSpec
from domain.valuation.report import ReportFacts, report_sha256
from domain.valuation.valuation import Purpose
from marketplace.platform.application import Marketplace
from marketplace.valuation import commands as vc
from projections.accounts.view import AccountsQueries
from projections.catalogue.queries import CatalogueQueries
from projections.valuation.queries import (
    AccreditationRow,
    AssessmentRow,
    PatentValuationRecord,
    ValuationQueries,
    agency_members,
)
from web.commands import run_command
from web.context import Identity, language_of, page_context
from web.errors import error_page, explain, status_of
from web.formats import BEIJING
from web.forms import optional, text, to_command
from web.identity import login_required
from web.state import WebState
from web.valuation.chart import decimal_text, value_chart
from web.valuation.steps import steps_table


def today(web: WebState) -> date:
    return web.services.app.clock.now().astimezone(BEIJING).date()


class MethodFieldOut(msgspec.Struct, frozen=True):
    """One input of a valuation method, as the form and the API show it (``label`` in the reader's language)."""

    name: str
    kind: Kind
    label: str
    label_zh: str
    label_en: str
    required: bool
    default: str | bool | None


class MethodOut(msgspec.Struct, frozen=True):
    """A valuation method: id, names (``name`` in the reader's language), approach, formula and inputs."""

    id: str
    name: str
    name_zh: str
    name_en: str
    approach: Approach
    formula: str
    fields: list[MethodFieldOut]


def method_specs(lang: str) -> list[MethodOut]:
    """The methods as the form and the API show them: id, names, approach, formula, input fields."""
    return [
        MethodOut(
            id=m.id, name=m.name_zh if lang == "zh" else m.name_en, name_zh=m.name_zh, name_en=m.name_en,
            approach=m.approach, formula=m.formula,
            fields=[
                MethodFieldOut(name=f.name, kind=f.kind, label=f.label_zh if lang == "zh" else f.label_en,
                               label_zh=f.label_zh, label_en=f.label_en, required=f.required, default=f.default)
                for f in m.fields
            ],
        )
        for m in METHODS.values()
    ]


#: The fields of one comparable transaction's row in the form (``in.comparables.<i>.<key>``).
COMPARABLE_ROW = ("reference", "date", "price", *COMPARABLE_FACTORS)
#: Rows the form shows at least (enough without JavaScript; the page's script adds more).
COMPARABLE_ROWS = 3
_ROW_FIELD = re.compile(r"^in\.(\w+)\.(\d{1,3})\.(\w+)$")


def form_rows(form: FormMultiDict | dict[str, Any], name: str) -> list[dict[str, str]]:
    """The rows ``in.<name>.<i>.<key>`` of a repeatable fieldset, in row order, rows left empty dropped."""
    rows: dict[int, dict[str, str]] = {}
    for key in form:
        match = _ROW_FIELD.match(key)
        if match is None or match.group(1) != name or match.group(3) not in COMPARABLE_ROW:
            continue
        value = text(form, key) if isinstance(form, FormMultiDict) else str(form[key]).strip()
        if value:
            rows.setdefault(int(match.group(2)), {})[match.group(3)] = value
    return [rows[i] for i in sorted(rows)]


def form_inputs(form: FormMultiDict, spec: MethodSpec) -> dict[str, Any]:
    """The method's inputs from form fields ``in.<name>``; comparables are rows ``in.comparables.<i>.<key>``."""
    inputs: dict[str, Any] = {}
    for field in spec.fields:
        raw = text(form, f"in.{field.name}")
        if field.kind == "bool":
            inputs[field.name] = "true" if raw else "false"
        elif field.kind == "comparables":
            rows = form_rows(form, field.name)
            if rows:
                inputs[field.name] = rows
        elif raw:
            inputs[field.name] = raw
    return inputs


def comparable_rows(values: dict[str, Any]) -> list[dict[str, str]]:
    """The rows the form shows: those filled in, then empty ones up to at least ``COMPARABLE_ROWS`` (and one spare)."""
    filled = form_rows(values, "comparables")
    return filled + [{} for _ in range(max(COMPARABLE_ROWS - len(filled), 1 if filled else 0))]


def report_matches(row: AssessmentRow) -> bool:
    """Whether the assessment's rendered report, recomputed now from the record, has the digest signed."""
    facts = ReportFacts(
        patent_id=row.patent_id, valuer_id=row.valuer_id, organisation_id=row.organisation_id, purpose=row.purpose,
        basis_date=row.basis_date.isoformat(), method=row.method, inputs=row.inputs, value=row.value, low=row.low,
        high=row.high, unit=row.unit, assumptions=row.assumptions, report_reference=row.report_reference,
        steps=row.steps, supersedes=row.supersedes,
    )
    return bool(row.report_sha256) and report_sha256(facts) == row.report_sha256


def _spec(method: str | None) -> MethodSpec:
    return METHODS.get(method or "") or next(iter(METHODS.values()))


def valuation_context(request: Request[Any, Any, Any], **values: Any) -> dict[str, Any]:
    context = page_context(request, **values)
    context |= {
        "amount": decimal_text,
        "steps_table": steps_table,
        "comparable_rows": comparable_rows,
        "comparable_fields": COMPARABLE_ROW,
        "report_matches": report_matches,
    }
    return context


async def my_accreditation(web: WebState, valuation: ValuationQueries, me: Identity | None) -> AccreditationRow | None:
    return None if me is None else await valuation.get_accreditation(me.user_id, today(web))


async def as_seen_by(
    catalogue: CatalogueQueries, me: Identity | None, record: PatentValuationRecord
) -> PatentValuationRecord:
    """Offers made are negotiation (seen by the two parties and auditors only, like the thread): the
    public record keeps assessments, prices paid and open-licence terms; the patent's owners,
    auditors and platform admins also see the offers made on it."""
    if me is not None and (me.has("auditor") or me.has("platform_admin")):
        return record
    if me is not None:
        found = await catalogue.get_patent(record.patent.patent_id)
        if found is not None and str(me.organisation_id) in {str(o.get("organisation_id")) for o in found[0].owners}:
            return record
    return msgspec.structs.replace(record, offers=[])


class ValuationPagesController(Controller):
    include_in_schema = False

    # --- a patent's assessments -----------------------------------------------------------
    @get("/patents/{patent_id:uuid}/valuations", name="patent_valuations")
    async def history(
        self, patent_id: UUID, request: Request[Any, Any, Any], web: WebState, valuation: ValuationQueries,
        catalogue: CatalogueQueries, maybe_me: Identity | None,
    ) -> Template:
        record = await valuation.patent_record(patent_id)
        if record is None:
            raise NotFoundException(f"patent_id: no patent with id {patent_id}")
        record = await as_seen_by(catalogue, maybe_me, record)
        context = valuation_context(request, record=record, mine=await my_accreditation(web, valuation, maybe_me))
        context["chart"] = value_chart(record, context["lang"], context["t"]("valuation.chart"))
        return Template("valuation/patent.html.jinja2", context=context)

    @get("/valuation/patents/{patent_id:uuid}/chart", name="valuation_chart")
    async def chart(
        self, patent_id: UUID, request: Request[Any, Any, Any], valuation: ValuationQueries,
        catalogue: CatalogueQueries, maybe_me: Identity | None,
    ) -> Template:
        """The chart partial (the listing page loads it with htmx)."""
        record = await valuation.patent_record(patent_id)
        if record is not None:
            record = await as_seen_by(catalogue, maybe_me, record)
        context = valuation_context(request, record=record)
        context["chart"] = value_chart(record, context["lang"], context["t"]("valuation.chart")) if record else ""
        return Template("valuation/partials/chart.html.jinja2", context=context)

    @get("/patents/{patent_id:uuid}/valuations/new", name="valuation_new", guards=[login_required])
    async def form(
        self, patent_id: UUID, request: Request[Any, Any, Any], web: WebState, valuation: ValuationQueries
    ) -> Template:
        record = await valuation.patent_record(patent_id)
        if record is None:
            raise NotFoundException(f"patent_id: no patent with id {patent_id}")
        values = {
            "method": request.query_params.get("method") or next(iter(METHODS)),
            "purpose": "transfer",
            "basis_date": today(web).isoformat(),
            "supersedes": request.query_params.get("supersedes", ""),
        }
        return self._form(request, record, values)

    @staticmethod
    def _form(
        request: Request[Any, Any, Any],
        record: PatentValuationRecord,
        values: dict[str, Any],
        error: DomainError | None = None,
    ) -> Template:
        context = valuation_context(
            request,
            record=record,
            values=values,
            methods=method_specs(language_of(request)),
            spec=_spec(values.get("method")),
            purposes=[p.value for p in Purpose],
        )
        if error is not None:
            context |= {"error": explain(request, error), "error_field": error.field}
        return Template(
            "valuation/form.html.jinja2", context=context, status_code=status_of(error) if error is not None else 200
        )

    @get("/valuation/inputs", name="valuation_inputs")
    async def inputs(self, request: Request[Any, Any, Any]) -> Template:
        """The chosen method's input fields (htmx swaps them in when the method changes)."""
        spec = _spec(request.query_params.get("method"))
        return Template(
            "valuation/partials/inputs.html.jinja2", context=valuation_context(request, spec=spec, values={})
        )

    @post("/valuation/preview", name="valuation_preview")
    async def preview(self, request: Request[Any, Any, Any], marketplace: Marketplace) -> Template:
        """Calculate without recording: the same calculation the record command runs."""
        form = await request.form()
        spec = _spec(text(form, "method"))
        try:
            cmd = to_command(vc.CalculateValuation, {"method": spec.id, "inputs": form_inputs(form, spec)})
            result = marketplace.valuation.calculate_valuation(cmd)
        except DomainError as error:
            return Template(
                "valuation/partials/preview.html.jinja2",
                status_code=200,
                context=valuation_context(request, error=explain(request, error), result=None),
            )
        return Template(
            "valuation/partials/preview.html.jinja2",
            context=valuation_context(request, result=result, inputs=cmd.inputs, error=None),
        )

    @post("/patents/{patent_id:uuid}/valuations/new", guards=[login_required])
    async def record(
        self, patent_id: UUID, request: Request[Any, Any, Any], web: WebState, marketplace: Marketplace,
        valuation: ValuationQueries, me: Identity,
    ) -> Template | Redirect:
        form = await request.form()
        values = {k: text(form, k) for k in form}
        try:
            spec = _spec(text(form, "method"))
            cmd = to_command(
                vc.RecordAssessment,
                {
                    "patent_id": str(patent_id),
                    "purpose": text(form, "purpose"),
                    "basis_date": text(form, "basis_date"),
                    "method": text(form, "method"),
                    "inputs": form_inputs(form, spec),
                    "low": text(form, "low"),
                    "high": text(form, "high"),
                    "assumptions": text(form, "assumptions"),
                    "report_reference": text(form, "report_reference"),
                    "supersedes": optional(form, "supersedes"),
                },
            )
            await run_command(web, marketplace.valuation.record_assessment, cmd, me)
        except DomainError as error:
            record = await valuation.patent_record(patent_id)
            if record is None:
                raise NotFoundException(f"patent_id: no patent with id {patent_id}") from None
            return self._form(request, record, values, error)
        return Redirect(f"/patents/{patent_id}/valuations", status_code=303)

    @post("/valuations/{valuation_id:uuid}/withdraw", guards=[login_required])
    async def withdraw(
        self, valuation_id: UUID, request: Request[Any, Any, Any], web: WebState, marketplace: Marketplace,
        valuation: ValuationQueries, me: Identity,
    ) -> Template | Redirect:
        form = await request.form()
        try:
            cmd = to_command(vc.WithdrawAssessment, {"valuation_id": str(valuation_id), "reason": text(form, "reason")})
            await run_command(web, marketplace.valuation.withdraw_assessment, cmd, me)
        except DomainError as error:
            return error_page(request, error)
        row = await valuation.get_assessment(valuation_id)
        return Redirect(f"/patents/{row.patent_id}/valuations" if row else "/", status_code=303)

    @post("/valuations/{valuation_id:uuid}/countersign", guards=[login_required])
    async def countersign(
        self, valuation_id: UUID, request: Request[Any, Any, Any], web: WebState, marketplace: Marketplace,
        valuation: ValuationQueries, me: Identity,
    ) -> Template | Redirect:
        """An admin of the valuation agency countersigns the report (the digest shown on the page)."""
        form = await request.form()
        try:
            cmd = to_command(
                vc.CountersignAssessment,
                {"valuation_id": str(valuation_id), "report_sha256": text(form, "report_sha256")},
            )
            await run_command(web, marketplace.valuation.countersign_assessment, cmd, me)
        except DomainError as error:
            return error_page(request, error)
        row = await valuation.get_assessment(valuation_id)
        return Redirect(f"/patents/{row.patent_id}/valuations#assessment-{valuation_id}" if row else "/",
                        status_code=303)

    # --- fields and valuers -----------------------------------------------------------------
    @get("/valuation/fields/{ipc:path}", name="valuation_field")
    async def field(self, ipc: str, request: Request[Any, Any, Any], valuation: ValuationQueries) -> Template:
        record = await valuation.field_record(ipc.strip("/"))
        return Template("valuation/field.html.jinja2", context=valuation_context(request, field=record))

    @get("/valuers/{user_id:uuid}", name="valuer")
    async def valuer(
        self, user_id: UUID, request: Request[Any, Any, Any], web: WebState, valuation: ValuationQueries
    ) -> Template:
        profile = await valuation.valuer_profile(user_id, today(web))
        if profile is None:
            raise NotFoundException(f"user_id: no valuer with id {user_id}")
        return Template("valuation/valuer.html.jinja2", context=valuation_context(request, profile=profile))

    # --- accreditation (platform admin) -----------------------------------------------------
    @get("/admin/valuers", name="admin_valuers", guards=[login_required])
    async def accreditations(
        self, request: Request[Any, Any, Any], web: WebState, valuation: ValuationQueries, me: Identity
    ) -> Template:
        if not (await web.with_current_roles(me)).has("platform_admin"):
            raise PermissionDeniedError(
                "this needs the role platform_admin", code="role.needed", roles=["platform_admin"]
            )
        return await self._admin_page(request, web, valuation, {})

    async def _admin_page(
        self, request: Request[Any, Any, Any], web: WebState, valuation: ValuationQueries, values: dict[str, Any],
        error: DomainError | None = None,
    ) -> Template:
        context = valuation_context(
            request,
            rows=await valuation.list_accreditations(today(web)),
            members=await agency_members(web.pool),
            values=values,
        )
        if error is not None:
            context |= {"error": explain(request, error), "error_field": error.field}
        return Template(
            "valuation/admin.html.jinja2", context=context, status_code=status_of(error) if error is not None else 200
        )

    @post("/admin/valuers", guards=[login_required])
    async def accredit(
        self, request: Request[Any, Any, Any], web: WebState, marketplace: Marketplace, valuation: ValuationQueries,
        accounts: AccountsQueries, me: Identity,
    ) -> Template | Redirect:
        return await self._admin_command(request, web, valuation, accounts, me, marketplace.valuation.accredit_valuer,
                                         vc.AccreditValuer, {})

    @post("/admin/valuers/{user_id:uuid}/renew", guards=[login_required])
    async def renew(
        self, user_id: UUID, request: Request[Any, Any, Any], web: WebState, marketplace: Marketplace,
        valuation: ValuationQueries, accounts: AccountsQueries, me: Identity,
    ) -> Template | Redirect:
        return await self._admin_command(
            request, web, valuation, accounts, me, marketplace.valuation.renew_accreditation,
            vc.RenewAccreditation, {"user_id": str(user_id)})

    @post("/admin/valuers/{user_id:uuid}/revoke", guards=[login_required])
    async def revoke(
        self, user_id: UUID, request: Request[Any, Any, Any], web: WebState, marketplace: Marketplace,
        valuation: ValuationQueries, accounts: AccountsQueries, me: Identity,
    ) -> Template | Redirect:
        return await self._admin_command(
            request, web, valuation, accounts, me, marketplace.valuation.revoke_accreditation,
            vc.RevokeAccreditation, {"user_id": str(user_id)})

    async def _admin_command(
        self, request: Request[Any, Any, Any], web: WebState, valuation: ValuationQueries, accounts: AccountsQueries,
        me: Identity, command: Callable[..., object], kind: type[msgspec.Struct], fixed: dict[str, str],
    ) -> Template | Redirect:
        user = await accounts.get_user(me.user_id)
        if user is None or "platform_admin" not in user.roles:
            # Refused before anything else: the admin page (members, credentials) is never the answer.
            return error_page(request, PermissionDeniedError(
                "this needs the role platform_admin", code="role.needed", roles=["platform_admin"]
            ))
        form = await request.form()
        values = {k: text(form, k) for k in form if k != "_csrf_token"}
        try:
            cmd = to_command(kind, {k: v for k, v in values.items() if v} | fixed)
            await run_command(web, command, cmd, me)
        except DomainError as error:
            return await self._admin_page(request, web, valuation, values, error)
        return Redirect("/admin/valuers", status_code=303)
