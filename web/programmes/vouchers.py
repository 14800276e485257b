"""Innovation-voucher pages and JSON API: the officer's voucher book (issue, settle, recover), "my vouchers",
and the payment's voucher page where the buyer applies one.

The voucher book and its actions are the programme's department's officers' only; "my vouchers" shows the
logged-in member's organisation's vouchers; a payment's voucher page is for members of the paying
organisation. The application checks roles and organisations again on the aggregates.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from typing import Any
from uuid import UUID, uuid4

import msgspec
from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Response, Template

from domain.programmes.rules import BEIJING
from domain.shared.errors import DomainError, PermissionDeniedError
from marketplace.platform.application import Marketplace
from marketplace.programmes import commands as pc
from projections.deals.queries import DealsQueries
from projections.deals.rows import ObligationRow
from projections.programmes.queries import (
    BonusRow,
    ProgrammeRow,
    ProgrammesQueries,
    RedemptionRow,
    VoucherApplicationRow,
    VoucherBook,
    VoucherRow,
    redeemed_share,
)
from web.answers import Done
from web.api_docs import BEARER
from web.commands import run_command
from web.context import Identity, page_context
from web.errors import error_page, explain, status_of
from web.forms import optional, text, to_command, yuan_to_fen
from web.identity import login_required
from web.programmes.pages import _cell, officer_of, parse_day
from web.state import WebState

SERVICES = ("technology_transfer", "development", "consulting", "service", "testing", "instrument_use",
            "data_analysis")


def today_in_beijing(web: WebState) -> date:
    return web.services.app.clock.now().astimezone(BEIJING).date()


async def voucher_programme(web: WebState, programmes: ProgrammesQueries, me: Identity | None,
                            programme_id: UUID) -> ProgrammeRow:
    """A voucher programme of the officer's own department (403 for anyone else, 404 when none)."""
    programme = await programmes.get_programme(programme_id)
    if programme is None or programme.kind != "innovation_voucher":
        raise NotFoundException(f"programme_id: no voucher programme with id {programme_id}")
    if not await officer_of(web, me, programme):
        raise PermissionDeniedError("programme_id: the voucher book is its department's officers' only",
                                    field="programme_id", code="programme.other_organisation")
    return programme


async def payers_obligation(deals: DealsQueries, me: Identity, obligation_id: UUID) -> ObligationRow:
    obligation = await deals.get_obligation(obligation_id)
    if obligation is None:
        raise NotFoundException(f"obligation_id: no payment obligation with id {obligation_id}")
    if obligation.payer_organisation_id != me.organisation_id:
        raise PermissionDeniedError("obligation_id: this payment is not your organisation's to pay",
                                    field="obligation_id", code="voucher.not_the_payer")
    return obligation


def most_for(v: VoucherRow, cost: int) -> int:
    """What the voucher would pay of ``cost`` (the application computes it again on the voucher)."""
    most = min(cost * v.share_bp // 10_000, v.remaining)
    return max(0, min(most, v.cap_per_use) if v.cap_per_use is not None else most)


# --- JSON -------------------------------------------------------------------------------------------
class BookOut(msgspec.Struct, frozen=True, kw_only=True):
    """A programme's voucher book: the sums (``issued = unspent + owed + settled + returned``, and ``committed``
    of the programme holds ``unspent + owed``), every voucher and every redemption."""

    programme_id: UUID
    issued: int
    unspent: int
    owed: int
    settled: int
    returned: int
    expired: int
    reconciles: bool
    #: The share of the issued value spent within validity (basis points; none before any is issued).
    redeemed_share_bp: int | None
    vouchers: list[VoucherRow]
    redemptions: list[RedemptionRow]
    #: The bonuses paid to providers with their settlements (通兑, where the rules give one); omitted when none
    #: was paid, with their sum in fen (paid, less what was repaid after a refund).
    provider_bonuses: list[BonusRow] | msgspec.UnsetType = msgspec.UNSET
    provider_bonus_paid: int | msgspec.UnsetType = msgspec.UNSET

    @classmethod
    def of(cls, programme_id: UUID, book: VoucherBook, vouchers: list[VoucherRow],
           redemptions: list[RedemptionRow], bonuses: list[BonusRow] | None = None) -> BookOut:
        extra: dict[str, Any] = {}
        if bonuses:
            extra = {"provider_bonuses": bonuses, "provider_bonus_paid": bonus_paid(bonuses)}
        return cls(programme_id=programme_id, issued=book.issued, unspent=book.unspent, owed=book.owed,
                   settled=book.settled, returned=book.returned, expired=book.expired, reconciles=book.reconciles,
                   redeemed_share_bp=book.redeemed_share_bp,
                   vouchers=vouchers, redemptions=redemptions, **extra)


def bonus_paid(bonuses: list[BonusRow]) -> int:
    """What the programme paid providers in bonuses and was not repaid."""
    return sum(b.amount for b in bonuses if b.status != "recovered")


class MyVouchersOut(msgspec.Struct, frozen=True, kw_only=True):
    """The organisation's vouchers, their redemptions, and the share of the issued value it spent within
    validity (basis points; none before any voucher was issued to it)."""

    vouchers: list[VoucherRow]
    redemptions: list[RedemptionRow]
    redeemed_share_bp: int | None = None


def my_share(vouchers: list[VoucherRow]) -> int | None:
    return redeemed_share(sum(v.face_value for v in vouchers), sum(v.owed + v.settled for v in vouchers))


class IssueInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Vouchers to issue: one per enterprise (one on its application, several in bulk); ``batch_key`` names
    the issue, so sending it twice issues each voucher once. Amounts in fen."""

    organisation_ids: list[UUID]
    face_value: pc.Amount
    valid_until: date
    batch_key: str
    services: list[str] = msgspec.field(default_factory=list)
    application_reference: str = ""


class IssuedOut(msgspec.Struct, frozen=True):
    voucher_ids: list[UUID]
    position: int


class ApplyInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The voucher to apply and, optionally, the part wanted in fen (none: the most the voucher pays)."""

    voucher_id: UUID
    amount: pc.Amount | None = None


class AppliedOut(msgspec.Struct, frozen=True):
    """The voucher part recorded on the payment (fen) and the log position."""

    amount: int
    position: int


class BankReferenceInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    bank_reference: str


class VoucherApplicationInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """An application for a voucher: the amount wanted (fen), the services, a short purpose; ``token`` names the
    request, so sending it twice is one application."""

    amount: pc.Amount
    token: str
    services: list[str] = msgspec.field(default_factory=list)
    purpose: str = ""


class AppliedForOut(msgspec.Struct, frozen=True):
    application_id: UUID
    position: int


class IssueOnApplicationInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The voucher's last valid day and, optionally, its face value in fen (none: the amount asked for)."""

    valid_until: date
    face_value: pc.Amount | None = None


class ReasonInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    reason: str


async def officers_application(web: WebState, programmes: ProgrammesQueries, me: Identity | None,
                               application_id: UUID) -> VoucherApplicationRow:
    found = await programmes.get_voucher_application(application_id)
    if found is None:
        raise NotFoundException(f"application_id: no voucher application with id {application_id}")
    await voucher_programme(web, programmes, me, found.programme_id)
    return found


class VouchersApiController(Controller):
    path = "/api"
    tags = ["programmes"]  # noqa: RUF012 - litestar declares it as an instance attribute

    @get("/programmes/{programme_id:uuid}/vouchers", summary="A voucher programme's book (its officers)",
         security=BEARER)
    async def book(self, programme_id: UUID, web: WebState, programmes: ProgrammesQueries,
                   me: Identity) -> BookOut:
        await voucher_programme(web, programmes, me, programme_id)
        return BookOut.of(programme_id, await programmes.voucher_book(programme_id),
                          await programmes.vouchers(programme_id=programme_id),
                          await programmes.redemptions(programme_id=programme_id),
                          await programmes.bonuses(programme_id=programme_id))

    @post("/programmes/{programme_id:uuid}/vouchers", summary="Issue vouchers (the programme's officers)",
          status_code=201, security=BEARER)
    async def issue(self, programme_id: UUID, data: IssueInput, web: WebState, marketplace: Marketplace,
                    me: Identity) -> IssuedOut:
        cmd = to_command(pc.IssueVouchers, {"programme_id": programme_id, **msgspec.structs.asdict(data)})
        ids, position = await run_command(web, marketplace.vouchers.issue_vouchers, cmd, me)
        return IssuedOut(ids, position)

    @post("/programmes/{programme_id:uuid}/voucher-applications", status_code=201, security=BEARER,
          summary="Apply for a voucher (an org admin of a verified, qualified enterprise)")
    async def apply_for(self, programme_id: UUID, data: VoucherApplicationInput, web: WebState,
                        marketplace: Marketplace, me: Identity) -> AppliedForOut:
        cmd = to_command(pc.ApplyForVoucher, {"programme_id": programme_id, **msgspec.structs.asdict(data)})
        found, position = await run_command(web, marketplace.vouchers.apply_for_voucher, cmd, me)
        return AppliedForOut(found, position)

    @get("/programmes/{programme_id:uuid}/voucher-applications", security=BEARER,
         summary="A voucher programme's applications (its officers)")
    async def applications(self, programme_id: UUID, web: WebState, programmes: ProgrammesQueries,
                           me: Identity) -> list[VoucherApplicationRow]:
        await voucher_programme(web, programmes, me, programme_id)
        return await programmes.voucher_applications(programme_id=programme_id)

    @get("/my/voucher-applications", summary="My organisation's voucher applications", security=BEARER)
    async def my_applications(self, programmes: ProgrammesQueries, me: Identity) -> list[VoucherApplicationRow]:
        return await programmes.voucher_applications(organisation_id=me.organisation_id)

    @post("/voucher-applications/{application_id:uuid}/issue", status_code=200, security=BEARER,
          summary="Issue the voucher an application asked for (the programme's officers)")
    async def issue_on(self, application_id: UUID, data: IssueOnApplicationInput, web: WebState,
                       marketplace: Marketplace, me: Identity) -> IssuedOut:
        cmd = to_command(pc.IssueOnApplication, {"application_id": application_id, **msgspec.structs.asdict(data)})
        found, position = await run_command(web, marketplace.vouchers.issue_on_application, cmd, me)
        return IssuedOut([found], position)

    @post("/voucher-applications/{application_id:uuid}/refuse", status_code=200, security=BEARER,
          summary="Refuse a voucher application with a reason (the programme's officers)")
    async def refuse(self, application_id: UUID, data: ReasonInput, web: WebState, marketplace: Marketplace,
                     me: Identity) -> Done:
        cmd = to_command(pc.RefuseVoucherApplication, {"application_id": application_id, "reason": data.reason})
        return Done(await run_command(web, marketplace.vouchers.refuse_application, cmd, me))

    @get("/my/vouchers", summary="My organisation's vouchers and their redemptions", security=BEARER)
    async def mine(self, programmes: ProgrammesQueries, me: Identity) -> MyVouchersOut:
        vouchers = await programmes.vouchers(organisation_id=me.organisation_id)
        redemptions = await programmes.redemptions(voucher_ids=[v.id for v in vouchers]) if vouchers else []
        return MyVouchersOut(vouchers=vouchers, redemptions=redemptions, redeemed_share_bp=my_share(vouchers))

    @get("/vouchers/{voucher_id:uuid}", summary="A voucher (its holder and the programme's officers)",
         security=BEARER)
    async def voucher(self, voucher_id: UUID, web: WebState, programmes: ProgrammesQueries,
                      me: Identity) -> VoucherRow:
        found = await programmes.get_voucher(voucher_id)
        if found is None:
            raise NotFoundException(f"voucher_id: no voucher with id {voucher_id}")
        officer = await officer_of(web, me) and found.programme_organisation_id == me.organisation_id
        if found.organisation_id != me.organisation_id and not officer:
            raise NotFoundException(f"voucher_id: no voucher with id {voucher_id}")
        return found

    @post("/payments/{obligation_id:uuid}/voucher", status_code=200, security=BEARER,
          summary="Apply my organisation's voucher to a payment it owes (or paid: reimbursement)")
    async def apply(self, obligation_id: UUID, data: ApplyInput, web: WebState, marketplace: Marketplace,
                    me: Identity) -> AppliedOut:
        cmd = to_command(pc.ApplyVoucher, {"obligation_id": obligation_id, "voucher_id": data.voucher_id,
                                           "amount": data.amount})
        amount, position = await run_command(web, marketplace.vouchers.apply_voucher, cmd, me)
        return AppliedOut(amount, position)

    @post("/vouchers/{voucher_id:uuid}/redemptions/{obligation_id:uuid}/settle", status_code=200, security=BEARER,
          summary="Record paying a redemption's voucher part (the programme's officers)")
    async def settle(self, voucher_id: UUID, obligation_id: UUID, data: BankReferenceInput, web: WebState,
                     marketplace: Marketplace, me: Identity) -> Done:
        cmd = to_command(pc.SettleRedemption, {"voucher_id": voucher_id, "obligation_id": obligation_id,
                                               "bank_reference": data.bank_reference})
        return Done(await run_command(web, marketplace.vouchers.settle_redemption, cmd, me))

    @post("/vouchers/{voucher_id:uuid}/redemptions/{obligation_id:uuid}/recovery", status_code=200,
          security=BEARER, summary="Record that a settled voucher part owed back was repaid")
    async def recovery(self, voucher_id: UUID, obligation_id: UUID, data: BankReferenceInput, web: WebState,
                       marketplace: Marketplace, me: Identity) -> Done:
        cmd = to_command(pc.RecordVoucherRecovery, {"voucher_id": voucher_id, "obligation_id": obligation_id,
                                                    "bank_reference": data.bank_reference})
        return Done(await run_command(web, marketplace.vouchers.record_voucher_recovery, cmd, me))


def rules_in_force(programme: ProgrammeRow, day: date) -> dict[str, Any]:
    """The version of the programme's rules in force on ``day`` (the latest that took effect by then)."""
    chosen = programme.rules_versions[0]["rules"] if programme.rules_versions else programme.rules
    for version in programme.rules_versions:
        if str(version["effective_from"]) <= day.isoformat():
            chosen = version["rules"]
    return dict(chosen)


def bonus_cells(bonus: BonusRow | None) -> list[object]:
    """The export's bonus columns of a settled redemption (empty when the rules gave none): paid in the same
    transfer as the voucher part, under the same bank reference."""
    if bonus is None:
        return ["", "", "", "", ""]
    return [bonus.rate_bp, bonus.computed, bonus.amount, bonus.capped_by, bonus.status]


# --- pages ------------------------------------------------------------------------------------------
DONE = {"application_sent": "voucher_application.applied", "issued_on_application": "voucher_application.issued",
        "refused": "voucher_application.refused", "issued": "voucher.issued", "settled": "voucher.settled",
        "recovered": "voucher.recovered", "applied": "voucher.applied"}


class VoucherPagesController(Controller):
    include_in_schema = False
    guards = [login_required]  # noqa: RUF012

    async def _book_page(self, request: Request[Any, Any, Any], web: WebState, programmes: ProgrammesQueries,
                         programme: ProgrammeRow, *, status: int = 200, error: str | None = None,
                         form: dict[str, Any] | None = None, checked: list[str] | None = None) -> Template:
        vouchers = await programmes.vouchers(programme_id=programme.id)
        name = request.query_params.get("name", "").strip()[:100]
        bonuses = await programmes.bonuses(programme_id=programme.id)
        return Template("programmes/vouchers.html.jinja2", status_code=status, context=page_context(
            request, p=programme, book=await programmes.voucher_book(programme.id), vouchers=vouchers,
            holders={v.id: v for v in vouchers}, redemptions=await programmes.redemptions(programme_id=programme.id),
            enterprises=await programmes.qualifications(name=name), name=name, services=SERVICES,
            done=DONE.get(request.query_params.get("done", "")), error=error, form=form or {},
            checked=checked or [], today=today_in_beijing(web),
            bonuses={b.obligation_id: b for b in bonuses}, bonus_paid=bonus_paid(bonuses),
            bonus_due=sum(b.amount for b in bonuses if b.status == "recovery_due"),
            bonus_rate=rules_in_force(programme, today_in_beijing(web)).get("provider_bonus_bp"),
            applications=await programmes.voucher_applications(programme_id=programme.id)))

    @get("/programmes/{programme_id:uuid}/vouchers", name="programme_vouchers")
    async def book(self, programme_id: UUID, request: Request[Any, Any, Any], web: WebState, me: Identity,
                   programmes: ProgrammesQueries) -> Template:
        try:
            programme = await voucher_programme(web, programmes, me, programme_id)
        except PermissionDeniedError as refused:
            return error_page(request, refused)
        return await self._book_page(request, web, programmes, programme)

    @get("/programmes/{programme_id:uuid}/vouchers.csv")
    async def export(self, programme_id: UUID, request: Request[Any, Any, Any], web: WebState, me: Identity,
                     programmes: ProgrammesQueries) -> Response[str] | Template:
        """The finance department's export: the voucher parts the programme settled in a period (Beijing dates
        of the settlement, ``before`` excluded), one row per redemption."""
        try:
            programme = await voucher_programme(web, programmes, me, programme_id)
            start = parse_day(request.query_params.get("from", ""), "from")
            before = parse_day(request.query_params.get("before", ""), "before")
        except DomainError as refused:
            return error_page(request, refused)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["voucher_id", "obligation_id", "contract_id", "holder", "provider", "redemption_model",
                         "cost_fen", "voucher_part_fen", "status", "bank_reference", "redeemed_at_utc",
                         "settled_at_utc", "provider_bonus_rate_bp", "provider_bonus_computed_fen",
                         "provider_bonus_fen", "provider_bonus_capped_by", "provider_bonus_status"])
        bonuses = {b.obligation_id: b for b in await programmes.bonuses(programme_id=programme.id, limit=100_000)}
        for r in await programmes.redemptions(programme_id=programme.id, limit=100_000):
            if r.settled_at is None:
                continue
            day = r.settled_at.astimezone(BEIJING).date()
            if (start is not None and day < start) or (before is not None and day >= before):
                continue
            writer.writerow([r.voucher_id, r.obligation_id, r.contract_id, _cell(r.payer_name), _cell(r.payee_name),
                             r.redemption_model, r.cost, r.amount, r.status, _cell(r.bank_reference),
                             r.redeemed_at.isoformat(), r.settled_at.isoformat(),
                             *bonus_cells(bonuses.get(r.obligation_id))])
        name = f"vouchers-{programme_id}-{start or 'start'}-{before or 'now'}.csv"
        return Response("\ufeff" + out.getvalue(), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})

    @post("/programmes/{programme_id:uuid}/vouchers")
    async def issue(self, programme_id: UUID, request: Request[Any, Any, Any], web: WebState, me: Identity,
                    marketplace: Marketplace, programmes: ProgrammesQueries) -> Template | Redirect:
        form = await request.form()
        try:
            programme = await voucher_programme(web, programmes, me, programme_id)
        except PermissionDeniedError as refused:
            return error_page(request, refused)
        chosen = [str(v) for v in form.getall("organisation_ids", [])]
        try:
            cmd = to_command(pc.IssueVouchers, {
                "programme_id": programme_id, "organisation_ids": chosen,
                "face_value": yuan_to_fen(optional(form, "face_value"), "face_value"),
                "valid_until": optional(form, "valid_until"), "batch_key": text(form, "batch_key"),
                "services": [str(v) for v in form.getall("services", [])],
                "application_reference": text(form, "application_reference")})
            await run_command(web, marketplace.vouchers.issue_vouchers, cmd, me)
        except DomainError as error:
            return await self._book_page(request, web, programmes, programme, status=status_of(error),
                                         error=explain(request, error), form=dict(form), checked=chosen)
        return Redirect(f"/programmes/{programme_id}/vouchers?done=issued", status_code=303)

    @post("/vouchers/{voucher_id:uuid}/redemptions/{obligation_id:uuid}/{action:str}")
    async def act(self, voucher_id: UUID, obligation_id: UUID, action: str, request: Request[Any, Any, Any],
                  web: WebState, me: Identity, marketplace: Marketplace,
                  programmes: ProgrammesQueries) -> Template | Redirect:
        steps: dict[str, tuple[Any, type[Any], str]] = {
            "settle": (marketplace.vouchers.settle_redemption, pc.SettleRedemption, "settled"),
            "recover": (marketplace.vouchers.record_voucher_recovery, pc.RecordVoucherRecovery, "recovered"),
        }
        if action not in steps:
            raise NotFoundException(f"action: no such step {action!r}")
        voucher = await programmes.get_voucher(voucher_id)
        if voucher is None:
            raise NotFoundException(f"voucher_id: no voucher with id {voucher_id}")
        form = await request.form()
        command, kind, done = steps[action]
        try:
            await run_command(web, command, to_command(kind, {
                "voucher_id": voucher_id, "obligation_id": obligation_id,
                "bank_reference": text(form, "bank_reference")}), me)
        except DomainError as error:
            return error_page(request, error)
        return Redirect(f"/programmes/{voucher.programme_id}/vouchers?done={done}#redemption-{obligation_id}",
                        status_code=303)

    async def _mine(self, request: Request[Any, Any, Any], web: WebState, me: Identity,
                    programmes: ProgrammesQueries, *, status: int = 200, error: str | None = None,
                    form: dict[str, Any] | None = None) -> Template:
        vouchers = await programmes.vouchers(organisation_id=me.organisation_id)
        redemptions = await programmes.redemptions(voucher_ids=[v.id for v in vouchers]) if vouchers else []
        open_programmes = [p for p in await programmes.programmes(public=True)
                           if p.kind == "innovation_voucher" and p.status == "open"]
        shown = dict(form or {})
        token = str(shown.get("token", ""))
        if not re.fullmatch(r"[0-9a-f]{32}", token):
            shown["token"] = uuid4().hex
        if not shown.get("programme_id"):
            shown["programme_id"] = request.query_params.get("programme", "")
        return Template("programmes/my_vouchers.html.jinja2", status_code=status, context=page_context(
            request, vouchers=vouchers, redemptions=redemptions, today=today_in_beijing(web),
            redeemed_share_bp=my_share(vouchers), open_programmes=open_programmes, services=SERVICES,
            applications=await programmes.voucher_applications(organisation_id=me.organisation_id),
            form=shown, error=error, done=DONE.get(request.query_params.get("done", ""))))

    @get("/my/vouchers", name="my_vouchers")
    async def mine(self, request: Request[Any, Any, Any], web: WebState, me: Identity,
                   programmes: ProgrammesQueries) -> Template:
        return await self._mine(request, web, me, programmes)

    @post("/my/voucher-applications")
    async def apply_for(self, request: Request[Any, Any, Any], web: WebState, me: Identity,
                        marketplace: Marketplace, programmes: ProgrammesQueries) -> Template | Redirect:
        form = await request.form()
        try:
            cmd = to_command(pc.ApplyForVoucher, {
                "programme_id": optional(form, "programme_id"),
                "amount": yuan_to_fen(optional(form, "amount"), "amount"),
                "services": [str(v) for v in form.getall("services", [])],
                "purpose": text(form, "purpose"), "token": text(form, "token")})
            found, _ = await run_command(web, marketplace.vouchers.apply_for_voucher, cmd, me)
        except DomainError as error:
            return await self._mine(request, web, me, programmes, status=status_of(error),
                                    error=explain(request, error), form=dict(form))
        return Redirect(f"/my/vouchers?done=application_sent#application-{found}", status_code=303)

    @post("/voucher-applications/{application_id:uuid}/{action:str}")
    async def decide(self, application_id: UUID, action: str, request: Request[Any, Any, Any], web: WebState,
                     me: Identity, marketplace: Marketplace, programmes: ProgrammesQueries) -> Template | Redirect:
        if action not in ("issue", "refuse"):
            raise NotFoundException(f"action: no such step {action!r}")
        form = await request.form()
        try:
            found = await officers_application(web, programmes, me, application_id)
            if action == "issue":
                await run_command(web, marketplace.vouchers.issue_on_application, to_command(pc.IssueOnApplication, {
                    "application_id": application_id, "valid_until": optional(form, "valid_until"),
                    "face_value": yuan_to_fen(optional(form, "face_value"), "face_value")}), me)
            else:
                await run_command(web, marketplace.vouchers.refuse_application, to_command(
                    pc.RefuseVoucherApplication, {"application_id": application_id, "reason": text(form, "reason")}),
                    me)
        except DomainError as error:
            return error_page(request, error)
        done = "issued_on_application" if action == "issue" else "refused"
        return Redirect(f"/programmes/{found.programme_id}/vouchers?done={done}#application-{application_id}",
                        status_code=303)

    # --- the payment's voucher page ---------------------------------------------------------------
    async def _apply_page(self, request: Request[Any, Any, Any], web: WebState, me: Identity, deals: DealsQueries,
                          programmes: ProgrammesQueries, obligation_id: UUID, *, status: int = 200,
                          error: str | None = None) -> Template:
        obligation = await payers_obligation(deals, me, obligation_id)
        today = today_in_beijing(web)
        usable = [] if obligation.voucher_id else await programmes.usable_vouchers(me.organisation_id, today)
        offers = [(v, most_for(v, obligation.amount)) for v in usable]
        applied = await programmes.redemptions(obligation_id=obligation_id)
        return Template("programmes/apply_voucher.html.jinja2", status_code=status, context=page_context(
            request, o=obligation, offers=[(v, most) for v, most in offers if most > 0], applied=applied,
            error=error))

    @get("/payments/{obligation_id:uuid}/voucher", name="payment_voucher")
    async def apply_page(self, obligation_id: UUID, request: Request[Any, Any, Any], web: WebState, me: Identity,
                         deals: DealsQueries, programmes: ProgrammesQueries) -> Template:
        try:
            return await self._apply_page(request, web, me, deals, programmes, obligation_id)
        except PermissionDeniedError as refused:
            return error_page(request, refused)

    @post("/payments/{obligation_id:uuid}/voucher")
    async def apply(self, obligation_id: UUID, request: Request[Any, Any, Any], web: WebState, me: Identity,
                    marketplace: Marketplace, deals: DealsQueries,
                    programmes: ProgrammesQueries) -> Template | Redirect:
        form = await request.form()
        try:
            cmd = to_command(pc.ApplyVoucher, {"obligation_id": obligation_id,
                                               "voucher_id": optional(form, "voucher_id"),
                                               "amount": yuan_to_fen(optional(form, "amount"), "amount")})
            await run_command(web, marketplace.vouchers.apply_voucher, cmd, me)
        except DomainError as error:
            try:
                return await self._apply_page(request, web, me, deals, programmes, obligation_id,
                                              status=status_of(error), error=explain(request, error))
            except PermissionDeniedError as refused:
                return error_page(request, refused)
        return Redirect(f"/payments/{obligation_id}#voucher", status_code=303)

