"""Valuation pages and JSON API: the calculator, assessments on a patent, field records, valuers, accreditation.

Pages read the valuation read model; every form posts a command to the application, which checks the
accreditation, the conflict of interest and who may supersede or withdraw on the aggregates.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.exceptions import NotAuthorizedException, NotFoundException
from litestar.response import Redirect, Template

from domain.errors import DomainError, PermissionDeniedError, ValidationError
from domain.valuation import Purpose
from domain.valuation_methods import METHODS, MethodSpec
from marketplace import valuation_commands as vc
from projections.valuation_queries import (
    AccreditationRow,
    FieldRecord,
    PatentValuationRecord,
    ValuationQueries,
    ValuerProfile,
    agency_members,
)
from web.context import Identity, bearer_identity, language_of, page_context, session_identity
from web.controllers.account import error_page, explain, require_login
from web.forms import optional, text, to_command
from web.i18n import MESSAGES, translator
from web.state import WebState
from web.valuation_chart import decimal_text, value_chart

# key: (中文, English): the valuation pages' labels; other keys fall through to web/i18n.py.
LABELS: dict[str, tuple[str, str]] = {
    "valuation.title": ("价值评估", "Valuation"),
    "valuation.history": ("评估记录", "Assessments"),
    "valuation.chart": ("价值走势：评估、报价与成交价", "Value over time: assessments, offers and prices paid"),
    "valuation.chart.legend": (
        "● 评估（竖线为区间）  ◆ 报价  ■ 成交价",
        "● assessment (bar: range)  ◆ offer  ■ price paid",
    ),
    "valuation.record": ("录入评估", "Record an assessment"),
    "valuation.calculate": ("试算", "Calculate"),
    "valuation.optional": ("可选", "optional"),
    "valuation.none": ("暂无评估记录。", "No assessments yet."),
    "valuation.value": ("评估值（元）", "Value (CNY)"),
    "valuation.range": ("区间（元）", "Range (CNY)"),
    "valuation.steps": ("计算过程", "Calculation steps"),
    "valuation.offers": ("报价", "Offers"),
    "valuation.prices": ("成交价（已付款）", "Contract prices paid"),
    "valuation.open_licences": ("开放许可条件", "Open-licence terms"),
    "valuation.withdraw": ("撤回评估", "Withdraw"),
    "valuation.supersede": ("以新评估替代", "Supersede with a new assessment"),
    "valuation.superseded_by": ("已被替代", "Superseded by"),
    "valuation.status.current": ("有效", "Current"),
    "valuation.status.superseded": ("已替代", "Superseded"),
    "valuation.status.withdrawn": ("已撤回", "Withdrawn"),
    "valuation.field": ("领域价值记录", "Field record"),
    "valuation.field.patents": ("领域内专利", "patents in the field"),
    "valuation.field.prices": ("成交价统计（按交易方式和年度）", "Prices paid by deal type and year"),
    "valuation.field.assessments": ("领域内有效评估", "Current assessments in the field"),
    "valuation.count": ("笔数", "Count"),
    "valuation.median": ("中位数", "Median"),
    "valuation.iqr": ("四分位区间", "Interquartile range"),
    "valuation.year": ("年度", "Year"),
    "valuation.valuer": ("评估师", "Valuer"),
    "valuation.agency": ("评估机构", "Agency"),
    "valuation.calibration": ("评估校准：评估值与后续成交价", "Calibration: assessed values against prices later paid"),
    "valuation.ratio": ("评估值/成交价（中位数）", "Assessed / paid (median)"),
    "valuation.bias": ("偏差（平均）", "Bias (mean)"),
    "valuation.mae": ("平均绝对偏差", "Mean absolute error"),
    "valuation.no_pairs": ("尚无可比较的成交。", "No realised prices to compare yet."),
    "valuation.accreditations": ("评估师资格", "Valuer accreditations"),
    "valuation.accredit": ("认定评估师", "Accredit a valuer"),
    "valuation.renew": ("续期", "Renew"),
    "valuation.revoke": ("撤销资格", "Revoke"),
    "valuation.accreditation.active": ("有效", "Active"),
    "valuation.accreditation.expired": ("已过期", "Expired"),
    "valuation.accreditation.revoked": ("已撤销", "Revoked"),
    "field.method": ("评估方法", "Method"),
    "field.purpose": ("评估目的", "Purpose"),
    "field.basis_date": ("评估基准日", "Basis date"),
    "field.low": ("区间下限（元）", "Range low (CNY)"),
    "field.high": ("区间上限（元）", "Range high (CNY)"),
    "field.assumptions": ("评估假设", "Assumptions"),
    "field.report_reference": ("评估报告编号", "Report reference"),
    "field.supersedes": ("替代的评估", "Supersedes"),
    "field.inputs": ("评估参数", "Inputs"),
    "field.credential_number": ("资格证书编号", "Credential number"),
    "field.expires_on": ("有效期至", "Expires on"),
    "field.user_id": ("用户", "User"),
    "field.valuation_id": ("评估", "Assessment"),
    "field.ipc": ("IPC 领域", "IPC field"),
    "purpose.transfer": ("转让", "Transfer"),
    "purpose.licence": ("许可", "Licence"),
    "purpose.pledge": ("质押融资", "Pledge"),
    "purpose.investment": ("作价投资", "Investment"),
    "side.buyer": ("买方", "Buyer"),
    "side.seller": ("卖方", "Seller"),
}
for _key, _pair in LABELS.items():
    MESSAGES.setdefault(_key, _pair)


def queries(web: WebState) -> ValuationQueries:
    return ValuationQueries(web.pool)


def today(web: WebState) -> date:
    return web.services.app.clock.now().date()


async def wait_for_valuation(web: WebState, position: int, patience: float = 5.0) -> None:
    """Read your writes: wait until every read model (the valuation records among them) reached ``position``."""
    await web.wait_for(position, patience)


def method_specs(lang: str) -> list[dict[str, Any]]:
    """The methods as the form and the API show them: id, names, approach, formula, input fields."""
    return [
        {
            "id": m.id,
            "name": m.name_zh if lang == "zh" else m.name_en,
            "name_zh": m.name_zh,
            "name_en": m.name_en,
            "approach": m.approach,
            "formula": m.formula,
            "fields": [
                {
                    "name": f.name,
                    "kind": f.kind,
                    "label": f.label_zh if lang == "zh" else f.label_en,
                    "label_zh": f.label_zh,
                    "label_en": f.label_en,
                    "required": f.required,
                    "default": f.default,
                }
                for f in m.fields
            ],
        }
        for m in METHODS.values()
    ]


def form_inputs(form: FormMultiDict, spec: MethodSpec) -> dict[str, Any]:
    """The method's inputs from form fields ``in.<name>``; comparables are a JSON list."""
    inputs: dict[str, Any] = {}
    for field in spec.fields:
        raw = text(form, f"in.{field.name}")
        if field.kind == "bool":
            inputs[field.name] = "true" if raw else "false"
        elif field.kind == "comparables" and raw:
            try:
                inputs[field.name] = json.loads(raw)
            except json.JSONDecodeError:
                raise ValidationError(
                    f'inputs.{field.name}: must be a JSON list such as [{{"price": 500000, "technical": 1.1}}]',
                    field=f"inputs.{field.name}",
                ) from None
        elif raw:
            inputs[field.name] = raw
    return inputs


def _spec(method: str | None) -> MethodSpec:
    return METHODS.get(method or "") or next(iter(METHODS.values()))


def valuation_context(request: Request[Any, Any, Any], **values: Any) -> dict[str, Any]:
    context = page_context(request, **values)
    context["t"] = translator(context["lang"])
    context["amount"] = decimal_text
    return context


async def my_accreditation(web: WebState, me: Identity | None) -> AccreditationRow | None:
    return None if me is None else await queries(web).get_accreditation(me.user_id, today(web))


async def as_seen_by(web: WebState, me: Identity | None, record: PatentValuationRecord) -> PatentValuationRecord:
    """Offers made are negotiation (seen by the two parties and auditors only, like the thread): the
    public record keeps assessments, prices paid and open-licence terms; the patent's owners,
    auditors and platform admins also see the offers made on it."""
    if me is not None and (me.has("auditor") or me.has("platform_admin")):
        return record
    if me is not None:
        found = await web.catalogue.get_patent(record.patent.patent_id)
        if found is not None and str(me.organisation_id) in {str(o.get("organisation_id")) for o in found[0].owners}:
            return record
    return msgspec.structs.replace(record, offers=[])


class ValuationPagesController(Controller):
    include_in_schema = False

    # --- a patent's assessments -----------------------------------------------------------
    @get("/patents/{patent_id:uuid}/valuations", name="patent_valuations")
    async def history(self, patent_id: UUID, request: Request[Any, Any, Any], web: WebState) -> Template:
        record = await queries(web).patent_record(patent_id)
        if record is None:
            raise NotFoundException(f"patent_id: no patent with id {patent_id}")
        me = session_identity(request)
        record = await as_seen_by(web, me, record)
        context = valuation_context(request, record=record, mine=await my_accreditation(web, me))
        context["chart"] = value_chart(record, context["lang"], context["t"]("valuation.chart"))
        return Template("valuation/patent.html.jinja2", context=context)

    @get("/valuation/patents/{patent_id:uuid}/chart", name="valuation_chart")
    async def chart(self, patent_id: UUID, request: Request[Any, Any, Any], web: WebState) -> Template:
        """The chart partial (the listing page loads it with htmx)."""
        record = await queries(web).patent_record(patent_id)
        if record is not None:
            record = await as_seen_by(web, session_identity(request), record)
        context = valuation_context(request, record=record)
        context["chart"] = value_chart(record, context["lang"], context["t"]("valuation.chart")) if record else ""
        return Template("valuation/partials/chart.html.jinja2", context=context)

    @get("/patents/{patent_id:uuid}/valuations/new", name="valuation_new")
    async def form(self, patent_id: UUID, request: Request[Any, Any, Any], web: WebState) -> Template | Redirect:
        me = require_login(request)
        if isinstance(me, Redirect):
            return me
        record = await queries(web).patent_record(patent_id)
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
            "valuation/form.html.jinja2", context=context, status_code=error.status if error is not None else 200
        )

    @get("/valuation/inputs", name="valuation_inputs")
    async def inputs(self, request: Request[Any, Any, Any]) -> Template:
        """The chosen method's input fields (htmx swaps them in when the method changes)."""
        spec = _spec(request.query_params.get("method"))
        return Template(
            "valuation/partials/inputs.html.jinja2", context=valuation_context(request, spec=spec, values={})
        )

    @post("/valuation/preview", name="valuation_preview")
    async def preview(self, request: Request[Any, Any, Any], web: WebState) -> Template:
        """Calculate without recording: the same calculation the record command runs."""
        form = await request.form()
        spec = _spec(text(form, "method"))
        try:
            cmd = to_command(vc.CalculateValuation, {"method": spec.id, "inputs": form_inputs(form, spec)})
            result = web.services.app.calculate_valuation(cmd)
        except DomainError as error:
            return Template(
                "valuation/partials/preview.html.jinja2",
                status_code=200,
                context=valuation_context(request, error=explain(request, error), result=None),
            )
        return Template(
            "valuation/partials/preview.html.jinja2", context=valuation_context(request, result=result, error=None)
        )

    @post("/patents/{patent_id:uuid}/valuations/new")
    async def record(self, patent_id: UUID, request: Request[Any, Any, Any], web: WebState) -> Template | Redirect:
        me = require_login(request)
        if isinstance(me, Redirect):
            return me
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
            _, position = await web.run(web.services.app.record_assessment, cmd, actor_id=me.user_id)
        except DomainError as error:
            record = await queries(web).patent_record(patent_id)
            if record is None:
                raise NotFoundException(f"patent_id: no patent with id {patent_id}") from None
            return self._form(request, record, values, error)
        await wait_for_valuation(web, position)
        return Redirect(f"/patents/{patent_id}/valuations", status_code=303)

    @post("/valuations/{valuation_id:uuid}/withdraw")
    async def withdraw(self, valuation_id: UUID, request: Request[Any, Any, Any], web: WebState) -> Template | Redirect:
        me = require_login(request)
        if isinstance(me, Redirect):
            return me
        form = await request.form()
        try:
            cmd = to_command(vc.WithdrawAssessment, {"valuation_id": str(valuation_id), "reason": text(form, "reason")})
            position = await web.run(web.services.app.withdraw_assessment, cmd, actor_id=me.user_id)
        except DomainError as error:
            return error_page(request, error)
        await wait_for_valuation(web, position)
        row = await queries(web).get_assessment(valuation_id)
        return Redirect(f"/patents/{row.patent_id}/valuations" if row else "/", status_code=303)

    # --- fields and valuers -----------------------------------------------------------------
    @get("/valuation/fields/{ipc:path}", name="valuation_field")
    async def field(self, ipc: str, request: Request[Any, Any, Any], web: WebState) -> Template:
        record = await queries(web).field_record(ipc.strip("/"))
        return Template("valuation/field.html.jinja2", context=valuation_context(request, field=record))

    @get("/valuers/{user_id:uuid}", name="valuer")
    async def valuer(self, user_id: UUID, request: Request[Any, Any, Any], web: WebState) -> Template:
        profile = await queries(web).valuer_profile(user_id, today(web))
        if profile is None:
            raise NotFoundException(f"user_id: no valuer with id {user_id}")
        return Template("valuation/valuer.html.jinja2", context=valuation_context(request, profile=profile))

    # --- accreditation (platform admin) -----------------------------------------------------
    @get("/admin/valuers", name="admin_valuers")
    async def accreditations(self, request: Request[Any, Any, Any], web: WebState) -> Template | Redirect:
        me = require_login(request)
        if isinstance(me, Redirect):
            return me
        if not me.has("platform_admin"):
            raise PermissionDeniedError("this needs the role platform_admin")
        return await self._admin_page(request, web, {})

    async def _admin_page(
        self, request: Request[Any, Any, Any], web: WebState, values: dict[str, Any], error: DomainError | None = None
    ) -> Template:
        context = valuation_context(
            request,
            rows=await queries(web).list_accreditations(today(web)),
            members=await agency_members(web.pool),
            values=values,
        )
        if error is not None:
            context |= {"error": explain(request, error), "error_field": error.field}
        return Template(
            "valuation/admin.html.jinja2", context=context, status_code=error.status if error is not None else 200
        )

    @post("/admin/valuers")
    async def accredit(self, request: Request[Any, Any, Any], web: WebState) -> Template | Redirect:
        return await self._admin_command(request, web, "accredit_valuer", vc.AccreditValuer, {})

    @post("/admin/valuers/{user_id:uuid}/renew")
    async def renew(self, user_id: UUID, request: Request[Any, Any, Any], web: WebState) -> Template | Redirect:
        return await self._admin_command(
            request, web, "renew_accreditation", vc.RenewAccreditation, {"user_id": str(user_id)}
        )

    @post("/admin/valuers/{user_id:uuid}/revoke")
    async def revoke(self, user_id: UUID, request: Request[Any, Any, Any], web: WebState) -> Template | Redirect:
        return await self._admin_command(
            request, web, "revoke_accreditation", vc.RevokeAccreditation, {"user_id": str(user_id)}
        )

    async def _admin_command(
        self,
        request: Request[Any, Any, Any],
        web: WebState,
        name: str,
        kind: type[msgspec.Struct],
        fixed: dict[str, str],
    ) -> Template | Redirect:
        me = require_login(request)
        if isinstance(me, Redirect):
            return me
        form = await request.form()
        values = {k: text(form, k) for k in form if k != "_csrf_token"}
        try:
            cmd = to_command(kind, {k: v for k, v in values.items() if v} | fixed)
            result = await web.run(getattr(web.services.app, name), cmd, actor_id=me.user_id)
        except DomainError as error:
            return await self._admin_page(request, web, values, error)
        await wait_for_valuation(web, result[1] if isinstance(result, tuple) else result)
        return Redirect("/admin/valuers", status_code=303)


# --- JSON API ------------------------------------------------------------------------------
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


def _identity(request: Request[Any, Any, Any], web: WebState) -> Identity:
    identity = bearer_identity(request, web.services.settings.secret_key)
    if identity is None:
        raise NotAuthorizedException("authorization: send 'Authorization: Bearer <token>' (POST /api/auth/token)")
    return identity


class ValuationApiController(Controller):
    path = "/api"
    tags = ["valuation"]  # noqa: RUF012 - litestar declares it as an instance attribute

    @post("/valuation/calculate", summary="Run a valuation method on inputs; records nothing", status_code=200)
    async def calculate(self, data: vc.CalculateValuation, web: WebState) -> CalculationOut:
        result = web.services.app.calculate_valuation(data)
        return CalculationOut(result.method, result.value, result.steps)

    @get("/valuation/methods", summary="The valuation methods and their inputs")
    async def methods(self, request: Request[Any, Any, Any]) -> list[dict[str, Any]]:
        return method_specs(language_of(request))

    @get(
        "/patents/{patent_id:uuid}/valuations", summary="A patent's assessments, offers, prices paid and open licences"
    )
    async def patent_record(
        self, patent_id: UUID, web: WebState, request: Request[Any, Any, Any]
    ) -> PatentValuationRecord:
        record = await queries(web).patent_record(patent_id)
        if record is None:
            raise NotFoundException(f"patent_id: no patent with id {patent_id}")
        me = bearer_identity(request, web.services.settings.secret_key)
        return await as_seen_by(web, me, record)

    @post("/valuations", summary="Record an assessment (accredited valuer); the value is computed")
    async def record(self, data: vc.RecordAssessment, web: WebState, request: Request[Any, Any, Any]) -> Recorded:
        me = _identity(request, web)
        valuation_id, position = await web.run(web.services.app.record_assessment, data, actor_id=me.user_id)
        await wait_for_valuation(web, position)
        return Recorded(valuation_id, position)

    @post("/valuations/{valuation_id:uuid}/withdraw", summary="Withdraw an assessment with a reason", status_code=200)
    async def withdraw(
        self, valuation_id: UUID, data: ReasonInput, web: WebState, request: Request[Any, Any, Any]
    ) -> Position:
        me = _identity(request, web)
        cmd = vc.WithdrawAssessment(valuation_id=valuation_id, reason=data.reason)
        position = await web.run(web.services.app.withdraw_assessment, cmd, actor_id=me.user_id)
        await wait_for_valuation(web, position)
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

    @post("/valuers", summary="Accredit a valuation agency's member as a valuer (platform admin)")
    async def accredit(self, data: vc.AccreditValuer, web: WebState, request: Request[Any, Any, Any]) -> Recorded:
        me = _identity(request, web)
        accreditation_id, position = await web.run(web.services.app.accredit_valuer, data, actor_id=me.user_id)
        await wait_for_valuation(web, position)
        return Recorded(accreditation_id, position)

    @post("/valuers/{user_id:uuid}/renew", summary="Renew an accreditation (platform admin)", status_code=200)
    async def renew(self, user_id: UUID, data: ExpiryInput, web: WebState, request: Request[Any, Any, Any]) -> Position:
        me = _identity(request, web)
        cmd = vc.RenewAccreditation(user_id=user_id, expires_on=data.expires_on)
        position = await web.run(web.services.app.renew_accreditation, cmd, actor_id=me.user_id)
        await wait_for_valuation(web, position)
        return Position(position)

    @post("/valuers/{user_id:uuid}/revoke", summary="Revoke an accreditation (platform admin)", status_code=200)
    async def revoke(
        self, user_id: UUID, data: ReasonInput, web: WebState, request: Request[Any, Any, Any]
    ) -> Position:
        me = _identity(request, web)
        cmd = vc.RevokeAccreditation(user_id=user_id, reason=data.reason)
        position = await web.run(web.services.app.revoke_accreditation, cmd, actor_id=me.user_id)
        await wait_for_valuation(web, position)
        return Position(position)
