"""Deal pages: my deals, an offer's thread, public notices (公示), a contract, a payment, benefit shares.

Pages read the deals read model; every form posts a command to the application, which checks
roles, parties and deadlines on the aggregates. The controllers also refuse to show a thread or
a contract to anyone but the parties (and co-owners, platform admins and auditors), from the
read model row.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from domain.errors import DomainError, PermissionDeniedError, ValidationError
from marketplace import deal_commands as dc
from projections.deals_queries import ContractRow, DealsQueries, OfferRow
from web.context import Identity, page_context, session_identity
from web.controllers.account import error_page, require_login
from web.controllers.audit import as_of_url, record_read
from web.forms import optional, text, to_command, yuan_to_fen
from web.i18n import MESSAGES, translator
from web.state import WebState

READ_ALL_ROLES = ("platform_admin", "auditor")

# key: (中文, English): the deal pages' labels; other keys fall through to web/i18n.py.
LABELS: dict[str, tuple[str, str]] = {
    "deals.title": ("我的交易", "My deals"),
    "deals.as_buyer": ("我方发出的报价（买方）", "Offers we made (buyer)"),
    "deals.as_seller": ("我方收到的报价（卖方）", "Offers we received (seller)"),
    "deals.contracts": ("合同", "Contracts"),
    "deals.obligations": ("应付与应收款项", "Payments due and receivable"),
    "deals.none": ("暂无。", "None yet."),
    "offer.title": ("报价磋商", "Offer and negotiation"),
    "offer.make": ("提出报价", "Make an offer"),
    "offer.kind": ("交易方式", "Kind of deal"),
    "offer.price": ("价格（元）", "Price (yuan)"),
    "offer.price_shown": ("价格", "Price"),
    "offer.field_of_use": ("实施领域（留空为全部）", "Field of use (empty: all)"),
    "offer.territory": ("地域（留空为全部）", "Territory (empty: all)"),
    "offer.start": ("许可起始日", "Licence starts"),
    "offer.end": ("许可终止日", "Licence ends"),
    "offer.royalty_rate": ("提成费率（%）", "Royalty rate (%)"),
    "offer.sublicensable": ("允许分许可", "Right to sublicense"),
    "offer.minimum_annual_royalty": ("最低年度提成（元）", "Minimum annual royalty (yuan)"),
    "offer.milestones": ("里程碑付款（每行：名称 = 金额（元））", "Milestone payments (one per line: name = yuan)"),
    "offer.instalments": (
        "分期支付（每行：到期日 = 金额（元）；到期日留空为签约时；留空为签约时一次付清）",
        "Instalments (one per line: YYYY-MM-DD = yuan; no date: on signing; empty: all on signing)",
    ),
    "offer.valid_days": ("有效期（天）", "Valid for (days)"),
    "offer.expires_at": ("有效期至", "Open until"),
    "offer.note": ("附言", "Note"),
    "offer.status": ("状态", "Status"),
    "offer.awaiting": ("等待答复方", "Awaiting answer from"),
    "offer.rounds": ("轮次", "Rounds"),
    "offer.buyer": ("买方", "Buyer"),
    "offer.seller": ("卖方", "Seller"),
    "offer.counter": ("还价", "Counter"),
    "offer.accept": ("接受", "Accept"),
    "offer.reject": ("拒绝", "Reject"),
    "offer.withdraw": ("撤回报价", "Withdraw the offer"),
    "offer.thread": ("磋商记录", "Thread"),
    "offer.as_of": ("报价时的挂牌信息", "The listing as it stood when this offer was made"),
    "offer.contract": ("查看合同", "See the contract"),
    "offer.status.open": ("磋商中", "Open"),
    "offer.status.accepted": ("已接受", "Accepted"),
    "offer.status.rejected": ("已拒绝", "Rejected"),
    "offer.status.withdrawn": ("已撤回", "Withdrawn"),
    "offer.status.expired": ("已过期", "Expired"),
    "offer.event.Made": ("提出报价", "Offer made"),
    "offer.event.Countered": ("还价", "Countered"),
    "offer.event.Accepted": ("接受", "Accepted"),
    "offer.event.Rejected": ("拒绝", "Rejected"),
    "offer.event.Withdrawn": ("撤回", "Withdrawn"),
    "offer.event.Expired": ("到期失效", "Expired"),
    "side.buyer": ("买方", "buyer"),
    "side.seller": ("卖方", "seller"),
    "open.take": ("接受开放许可", "Take the open licence"),
    "notices.title": ("公示", "Notices"),
    "notices.explain": (
        "高校、科研机构协议定价的科技成果转让、许可，须在公示期满且无异议成立后方可签约。登录用户均可提出异议。",
        "A negotiated price for a university's or institute's patent is published here; the contract may be "
        "signed only after the notice period ends with no objection upheld. Anyone logged in may object.",
    ),
    "notices.ends": ("公示截止", "Notice ends"),
    "notices.open": ("公示中", "In notice"),
    "notices.closed": ("公示期满", "Notice over"),
    "notices.object": ("提出异议", "Object"),
    "notices.objections": ("异议", "Objections"),
    "notices.uphold": ("异议成立", "Uphold"),
    "notices.dismiss": ("驳回异议", "Dismiss"),
    "objection.open": ("待处理", "undecided"),
    "objection.upheld": ("成立", "upheld"),
    "objection.dismissed": ("驳回", "dismissed"),
    "contract.title": ("合同", "Contract"),
    "contract.text": ("合同文本", "Contract text"),
    "contract.sha256": ("文本 SHA-256", "Text SHA-256"),
    "contract.signatures": ("签署", "Signatures"),
    "contract.sign": ("签署此文本", "Sign this text"),
    "contract.consent": ("作为共有人同意", "Consent as co-owner"),
    "contract.consents": ("共有人同意", "Co-owner consents"),
    "contract.registration": ("登记/备案号", "Registration reference"),
    "contract.record_registration": ("记录登记号", "Record the reference"),
    "contract.milestones": ("里程碑", "Milestones"),
    "contract.milestone_reached": ("里程碑已达成", "Milestone reached"),
    "contract.royalties": ("提成报告", "Royalty reports"),
    "contract.report_royalty": ("提交提成报告", "Report royalties"),
    "contract.period_start": ("期间起", "Period from"),
    "contract.period_end": ("期间止", "Period to"),
    "contract.net_sales": ("净销售额（元）", "Net sales (yuan)"),
    "contract.royalty": ("提成", "Royalty"),
    "contract.top_up": ("最低提成补足", "Minimum top-up"),
    "contract.obligations": ("付款义务", "Payment obligations"),
    "contract.pay": ("付款", "Pay"),
    "contract.benefits": ("收益分配", "Benefit shares"),
    "contract.ownership_transferred": ("专利权已转移", "Ownership transferred"),
    "contract.listing_closed": ("挂牌已关闭", "Listing closed"),
    "contract.status.drafted": ("待签署", "Awaiting signatures"),
    "contract.status.signed": ("已签署，待付款", "Signed, awaiting payment"),
    "contract.status.in_force": ("已生效", "In force"),
    "contract.status.blocked": ("异议成立，不得签署", "Objection upheld: cannot be signed"),
    "contract.status.terminated": ("已终止", "Terminated"),
    "payment.title": ("付款", "Payment"),
    "payment.amount": ("金额", "Amount"),
    "payment.purpose": ("款项", "Purpose"),
    "payment.due_on": ("应付日期", "Due on"),
    "payment.reference": ("付款附言（参考号）", "Payment reference"),
    "payment.status": ("状态", "Status"),
    "payment.start_stripe": ("用银行卡付款（Stripe）", "Pay by card (Stripe)"),
    "payment.start_manual": ("对公转账", "Pay by bank transfer"),
    "payment.intent": ("Stripe 支付单号", "Stripe PaymentIntent"),
    "payment.stripe_help": (
        "请在 Stripe 支付页面用此支付单完成付款；付款结果由 Stripe 通知本平台后自动入账。",
        "Confirm this PaymentIntent with Stripe; the payment is recorded when Stripe notifies the platform.",
    ),
    "payment.bank_help": (
        "请向以下账户转账，并在附言中注明参考号；平台管理员核对到账后记录收款。",
        "Transfer to this account quoting the reference; a platform admin records receipt once it arrives.",
    ),
    "payment.record_receipt": ("记录收款", "Record receipt"),
    "payment.refund": ("退款", "Refund"),
    "payment.receipt": ("收据", "Receipt"),
    "payment.paid_at": ("付款时间", "Paid at"),
    "payment.status.due": ("待付", "due"),
    "payment.status.pending": ("付款处理中", "pending"),
    "payment.status.paid": ("已付", "paid"),
    "payment.status.refunded": ("已退款", "refunded"),
    "benefits.title": ("发明人收益", "Inventors' benefits"),
    "benefits.search": ("发明人姓名", "Inventor's name"),
    "share.platform": ("平台服务费", "Platform fee"),
    "share.broker": ("经纪佣金", "Broker commission"),
    "share.inventor": ("发明人", "Inventor"),
    "share.institution": ("单位", "Institution"),
    "share.seller": ("卖方", "Seller"),
}


# The deal labels join the site's vocabulary: the listing page's offer form uses them too.
for _key, _pair in LABELS.items():
    MESSAGES.setdefault(_key, _pair)


def deals_translator(lang: str) -> Callable[..., str]:
    """The site's translator, with the deal pages' labels first."""
    fallback, index = translator(lang), 0 if lang == "zh" else 1

    def t(key: str, **values: object) -> str:
        pair = LABELS.get(key)
        if pair is None:
            return fallback(key, **values)
        return pair[index].format(**values) if values else pair[index]

    return t


def deals_context(request: Request[Any, Any, Any], **values: Any) -> dict[str, Any]:
    context = page_context(request, **values)
    context["t"] = deals_translator(context["lang"])
    return context


def queries(web: WebState) -> DealsQueries:
    return DealsQueries(web.pool)


def reads_everything(me: Identity | None) -> bool:
    return me is not None and any(me.has(role) for role in READ_ALL_ROLES)


def may_read_offer(me: Identity | None, offer: OfferRow) -> bool:
    """The thread is for the two parties, platform admins and auditors only."""
    return me is not None and (reads_everything(me) or me.organisation_id in offer.parties())


def may_read_contract(me: Identity | None, contract: ContractRow) -> bool:
    """A contract is for the two parties, co-owners asked to consent, platform admins and auditors."""
    return me is not None and (reads_everything(me) or me.organisation_id in contract.parties())


def refuse_offer(me: Identity | None, offer: OfferRow) -> None:
    if not may_read_offer(me, offer):
        raise PermissionDeniedError("offer_id: only the two parties, platform admins and auditors may see this offer")


def refuse_contract(me: Identity | None, contract: ContractRow) -> None:
    if not may_read_contract(me, contract):
        raise PermissionDeniedError(
            "contract_id: only the parties, co-owners, platform admins and auditors may see this contract"
        )


async def guard_offer(request: Request[Any, Any, Any], web: WebState, me: Identity | None, offer: OfferRow) -> None:
    """Refuse outsiders; record the read of an auditor or platform admin who is not a party."""
    refuse_offer(me, offer)
    if me is not None and me.organisation_id not in offer.parties():
        await record_read(request, web, me, offer.id, "Offer")


async def guard_contract(
    request: Request[Any, Any, Any], web: WebState, me: Identity | None, contract: ContractRow, *,
    aggregate_id: UUID | None = None, aggregate_type: str = "Contract",
) -> None:
    """Refuse outsiders; record the read of an auditor or platform admin who is not a party."""
    refuse_contract(me, contract)
    if me is not None and me.organisation_id not in contract.parties():
        await record_read(request, web, me, aggregate_id or contract.id, aggregate_type)


def now_of(web: WebState) -> datetime:
    return web.services.app.clock.now()


# --- form fields to command input ---------------------------------------------------------
def percent_text(value: str | None, field: str) -> float:
    if not value:
        return 0.0
    try:
        return float(value)
    except ValueError:
        raise ValidationError(f"{field}: must be a percentage such as 5 or 2.5", field=field) from None


def terms_fields(form: FormMultiDict) -> dict[str, Any]:
    """Deal terms as typed in the offer or counter form (prices in yuan, rates in %, validity in days)."""
    kind = text(form, "kind")
    terms: dict[str, Any] = {
        "kind": kind,
        "price": yuan_to_fen(optional(form, "price"), "price") or 0,
        "currency": "CNY",
        "note": text(form, "note"),
        "valid_days": optional(form, "valid_days") or 14,
    }
    if kind != "assignment":
        terms["scope"] = {
            "field_of_use": text(form, "field_of_use"),
            "territory": text(form, "territory"),
            "start": optional(form, "start"),
            "end": optional(form, "end"),
        }
        terms["royalty_rate"] = percent_text(optional(form, "royalty_rate"), "royalty_rate")
        terms["sublicensable"] = bool(form.get("sublicensable"))
        terms["minimum_annual_royalty"] = yuan_to_fen(optional(form, "minimum_annual_royalty"),
                                                      "minimum_annual_royalty") or 0
        terms["milestones"] = [{"name": name, "amount": amount}
                               for name, amount in amount_lines(text(form, "milestones"), "milestones")]
    terms["instalments"] = [{"due": due or None, "amount": amount}
                            for due, amount in amount_lines(text(form, "instalments"), "instalments")]
    return terms


def amount_lines(value: str, field: str) -> list[tuple[str, int]]:
    """Lines of ``label = amount in yuan`` (``=``, ``:`` or ``：``); a blank label stays blank."""
    found: list[tuple[str, int]] = []
    for number, line in enumerate((x.strip() for x in value.splitlines()), start=1):
        if not line:
            continue
        cut = max(line.rfind(sep) for sep in ("=", ":", "："))
        if cut < 0:
            raise ValidationError(f"{field}: line {number} must read 'label = amount in yuan'", field=field)
        label, amount = line[:cut].strip(), yuan_to_fen(line[cut + 1:], f"{field}.{number}")
        if amount is None:
            raise ValidationError(f"{field}: line {number} has no amount", field=field)
        found.append((label, amount))
    return found


class DealsController(Controller):
    include_in_schema = False

    # --- pages ----------------------------------------------------------------------------
    @get("/deals", name="deals")
    async def my_deals(self, request: Request[Any, Any, Any], web: WebState) -> Template | Redirect:
        me = require_login(request)
        if isinstance(me, Redirect):
            return me
        q = queries(web)
        bought, _ = await q.my_offers(me.organisation_id, side="buyer")
        sold, _ = await q.my_offers(me.organisation_id, side="seller")
        contracts = await q.my_contracts(me.organisation_id)
        obligations = await q.obligations(organisation_id=me.organisation_id)
        return Template(
            "deals/index.html.jinja2",
            context=deals_context(request, bought=bought, sold=sold, contracts=contracts, obligations=obligations),
        )

    @get("/offers/{offer_id:uuid}", name="offer")
    async def offer(self, offer_id: UUID, request: Request[Any, Any, Any], web: WebState) -> Template | Redirect:
        me = require_login(request)
        if isinstance(me, Redirect):
            return me
        offer = await queries(web).get_offer(offer_id)
        if offer is None:
            raise NotFoundException(f"offer_id: no offer with id {offer_id}")
        await guard_offer(request, web, me, offer)
        thread = await queries(web).offer_thread(offer_id)
        my_side = (
            "buyer"
            if me.organisation_id == offer.buyer_organisation_id
            else "seller"
            if me.organisation_id == offer.seller_organisation_id
            else None
        )
        detail = await web.catalogue.get_one_or_none(offer.listing_id)
        deal_kinds = [k for k in (detail.listing.deal_types if detail else [offer.kind]) if k != "open_licence"]
        return Template(
            "deals/offer.html.jinja2",
            context=deals_context(
                request,
                offer=offer,
                thread=thread,
                my_side=my_side,
                deal_kinds=deal_kinds,
                as_of=as_of_url(offer.listing_id, offer.made_at),
                now=now_of(web),
            ),
        )

    @get("/notices", name="notices")
    async def notices(self, request: Request[Any, Any, Any], web: WebState) -> Template:
        q = queries(web)
        contracts = await q.notices()
        objections = await q.objections([n.id for n in contracts])
        by_contract: dict[UUID, list[Any]] = {}
        for objection in objections:
            by_contract.setdefault(objection.contract_id, []).append(objection)
        return Template(
            "deals/notices.html.jinja2",
            context=deals_context(request, contracts=contracts, objections=by_contract, now=now_of(web)),
        )

    @get("/contracts/{contract_id:uuid}", name="contract")
    async def contract(self, contract_id: UUID, request: Request[Any, Any, Any], web: WebState) -> Template | Redirect:
        me = require_login(request)
        if isinstance(me, Redirect):
            return me
        detail = await queries(web).contract_detail(contract_id)
        if detail is None:
            raise NotFoundException(f"contract_id: no contract with id {contract_id}")
        await guard_contract(request, web, me, detail.contract)
        return Template(
            "deals/contract.html.jinja2",
            context=deals_context(
                request,
                d=detail,
                k=detail.contract,
                now=now_of(web),
                shows_benefits=reads_everything(me) or me.organisation_id == detail.contract.seller_organisation_id,
            ),
        )

    @get("/payments/{obligation_id:uuid}", name="payment")
    async def payment(self, obligation_id: UUID, request: Request[Any, Any, Any], web: WebState) -> Template | Redirect:
        me = require_login(request)
        if isinstance(me, Redirect):
            return me
        q = queries(web)
        obligation = await q.get_obligation(obligation_id)
        contract = await q.get_contract(obligation.contract_id) if obligation else None
        if obligation is None or contract is None:
            raise NotFoundException(f"obligation_id: no payment obligation with id {obligation_id}")
        await guard_contract(request, web, me, contract, aggregate_id=obligation.id, aggregate_type="PaymentObligation")
        settings = web.services.settings
        bank = {
            "account_name": settings.bank_account_name,
            "bank_name": settings.bank_name,
            "account_number": settings.bank_account_number,
        }
        return Template(
            "deals/payment.html.jinja2",
            context=deals_context(
                request,
                o=obligation,
                k=contract,
                bank=bank,
                is_payer=me.organisation_id == obligation.payer_organisation_id,
                stripe_enabled=bool(settings.stripe_api_key),
            ),
        )

    @get("/my/benefits", name="my_benefits")
    async def benefits(self, request: Request[Any, Any, Any], web: WebState) -> Template | Redirect:
        me = require_login(request)
        if isinstance(me, Redirect):
            return me
        name = request.query_params.get("name", "").strip()[:100]
        shares = await queries(web).benefit_shares(organisation_id=me.organisation_id, inventor=name or None)
        return Template(
            "deals/benefits.html.jinja2",
            context=deals_context(
                request, name=name, shares=[s for s in shares if s.recipient == "inventor" or not name]
            ),
        )

    # --- commands -------------------------------------------------------------------------
    @post("/listings/{listing_id:uuid}/offers")
    async def make_offer(self, listing_id: UUID, request: Request[Any, Any, Any], web: WebState) -> Template | Redirect:
        form = await request.form()
        return await self._command(
            request,
            web,
            "make_offer",
            "MakeOffer",
            lambda: {"listing_id": str(listing_id), **terms_fields(form)},
            lambda result: f"/offers/{result[0]}",
        )

    @post("/listings/{listing_id:uuid}/open-licence")
    async def take_open_licence(
        self, listing_id: UUID, request: Request[Any, Any, Any], web: WebState
    ) -> Template | Redirect:
        return await self._command(
            request,
            web,
            "take_open_licence",
            "TakeOpenLicence",
            lambda: {"listing_id": str(listing_id)},
            lambda result: f"/contracts/{result[0]}",
        )

    @post("/offers/{offer_id:uuid}/counter")
    async def counter(self, offer_id: UUID, request: Request[Any, Any, Any], web: WebState) -> Template | Redirect:
        form = await request.form()
        return await self._command(
            request,
            web,
            "counter_offer",
            "CounterOffer",
            lambda: {"offer_id": str(offer_id), **terms_fields(form)},
            f"/offers/{offer_id}",
        )

    @post("/offers/{offer_id:uuid}/accept")
    async def accept(self, offer_id: UUID, request: Request[Any, Any, Any], web: WebState) -> Template | Redirect:
        return await self._command(
            request, web, "accept_offer", "AcceptOffer", lambda: {"offer_id": str(offer_id)}, f"/offers/{offer_id}"
        )

    @post("/offers/{offer_id:uuid}/reject")
    async def reject(self, offer_id: UUID, request: Request[Any, Any, Any], web: WebState) -> Template | Redirect:
        form = await request.form()
        return await self._command(
            request,
            web,
            "reject_offer",
            "RejectOffer",
            lambda: {"offer_id": str(offer_id), "reason": text(form, "reason")},
            f"/offers/{offer_id}",
        )

    @post("/offers/{offer_id:uuid}/withdraw")
    async def withdraw(self, offer_id: UUID, request: Request[Any, Any, Any], web: WebState) -> Template | Redirect:
        form = await request.form()
        return await self._command(
            request,
            web,
            "withdraw_offer",
            "WithdrawOffer",
            lambda: {"offer_id": str(offer_id), "reason": text(form, "reason")},
            f"/offers/{offer_id}",
        )

    @post("/contracts/{contract_id:uuid}/objections")
    async def object(self, contract_id: UUID, request: Request[Any, Any, Any], web: WebState) -> Template | Redirect:
        form = await request.form()
        return await self._command(
            request,
            web,
            "file_objection",
            "FileObjection",
            lambda: {"contract_id": str(contract_id), "text": text(form, "text")},
            "/notices",
        )

    @post("/contracts/{contract_id:uuid}/objections/{objection_id:uuid}/decide")
    async def decide(
        self, contract_id: UUID, objection_id: UUID, request: Request[Any, Any, Any], web: WebState
    ) -> Template | Redirect:
        form = await request.form()
        return await self._command(
            request,
            web,
            "decide_objection",
            "DecideObjection",
            lambda: {
                "contract_id": str(contract_id),
                "objection_id": str(objection_id),
                "upheld": text(form, "upheld") == "true",
                "reason": text(form, "reason"),
            },
            "/notices",
        )

    @post("/contracts/{contract_id:uuid}/consent")
    async def consent(self, contract_id: UUID, request: Request[Any, Any, Any], web: WebState) -> Template | Redirect:
        return await self._command(
            request,
            web,
            "consent_as_co_owner",
            "ConsentAsCoOwner",
            lambda: {"contract_id": str(contract_id)},
            f"/contracts/{contract_id}",
        )

    @post("/contracts/{contract_id:uuid}/sign")
    async def sign(self, contract_id: UUID, request: Request[Any, Any, Any], web: WebState) -> Template | Redirect:
        form = await request.form()
        return await self._command(
            request,
            web,
            "sign_contract",
            "SignContract",
            lambda: {
                "contract_id": str(contract_id),
                "text_sha256": text(form, "text_sha256"),
            },
            f"/contracts/{contract_id}",
        )

    @post("/contracts/{contract_id:uuid}/registration")
    async def registration(
        self, contract_id: UUID, request: Request[Any, Any, Any], web: WebState
    ) -> Template | Redirect:
        form = await request.form()
        return await self._command(
            request,
            web,
            "record_registration",
            "RecordRegistration",
            lambda: {
                "contract_id": str(contract_id),
                "reference": text(form, "reference"),
            },
            f"/contracts/{contract_id}",
        )

    @post("/contracts/{contract_id:uuid}/milestones")
    async def milestone(self, contract_id: UUID, request: Request[Any, Any, Any], web: WebState) -> Template | Redirect:
        form = await request.form()
        return await self._command(
            request,
            web,
            "reach_milestone",
            "ReachMilestone",
            lambda: {
                "contract_id": str(contract_id),
                "name": text(form, "name"),
            },
            f"/contracts/{contract_id}",
        )

    @post("/contracts/{contract_id:uuid}/royalties")
    async def royalty(self, contract_id: UUID, request: Request[Any, Any, Any], web: WebState) -> Template | Redirect:
        form = await request.form()
        return await self._command(
            request,
            web,
            "file_royalty_report",
            "FileRoyaltyReport",
            lambda: {
                "contract_id": str(contract_id),
                "period_start": text(form, "period_start"),
                "period_end": text(form, "period_end"),
                "net_sales": yuan_to_fen(optional(form, "net_sales"), "net_sales") or 0,
            },
            f"/contracts/{contract_id}",
        )

    @post("/payments/{obligation_id:uuid}/start")
    async def start_payment(
        self, obligation_id: UUID, request: Request[Any, Any, Any], web: WebState
    ) -> Template | Redirect:
        obligation = await queries(web).get_obligation(obligation_id)
        if obligation is None:
            raise NotFoundException(f"obligation_id: no payment obligation with id {obligation_id}")
        return await self._command(
            request,
            web,
            "start_payment",
            "StartPayment",
            lambda: {
                "contract_id": str(obligation.contract_id),
                "purpose": obligation.purpose,
            },
            f"/payments/{obligation_id}",
        )

    @post("/payments/{obligation_id:uuid}/receipt")
    async def record_receipt(
        self, obligation_id: UUID, request: Request[Any, Any, Any], web: WebState
    ) -> Template | Redirect:
        form = await request.form()
        return await self._command(
            request,
            web,
            "record_manual_receipt",
            "RecordManualReceipt",
            lambda: {
                "obligation_id": str(obligation_id),
                "amount": yuan_to_fen(optional(form, "amount"), "amount"),
                "bank_reference": text(form, "bank_reference"),
            },
            f"/payments/{obligation_id}",
        )

    @post("/payments/{obligation_id:uuid}/refund")
    async def refund(self, obligation_id: UUID, request: Request[Any, Any, Any], web: WebState) -> Template | Redirect:
        form = await request.form()
        return await self._command(
            request,
            web,
            "refund_payment",
            "RefundPayment",
            lambda: {
                "obligation_id": str(obligation_id),
                "reason": text(form, "reason"),
            },
            f"/payments/{obligation_id}",
        )

    @staticmethod
    async def _command(
        request: Request[Any, Any, Any],
        web: WebState,
        method: str,
        command: str,
        data: Callable[[], dict[str, Any]],
        target: str | Callable[[Any], str],
    ) -> Template | Redirect:
        """Run one deal command as the logged-in user; a refusal shows its status and rule."""
        me = session_identity(request)
        if me is None:
            return Redirect(f"/login?next={request.url.path}", status_code=303)
        try:
            cmd = to_command(getattr(dc, command), data())
            result = await web.run(getattr(web.services.app, method), cmd, actor_id=me.user_id)
        except DomainError as error:
            return error_page(request, error)
        position = result[-1] if isinstance(result, tuple) else result
        if isinstance(position, int):
            await web.wait_for(position)
        return Redirect(target if isinstance(target, str) else target(result), status_code=303)
