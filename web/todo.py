"""The to-do (待办): what awaits the logged-in user's answer, gathered from every trade's read model.

``GET /todo`` shows it grouped by kind, ``GET /api/todo`` answers it as a :class:`TodoAnswer`, and the
header shows its count on every page (:func:`count_in_header`). It reads several trades, so it lives
in the web's kernel, not in a trade.

**A to-do is a list of sources.** A source is one small async function that takes a :class:`Reader`
(the user with the roles held now, the trades' queries, the clock) and returns typed
:class:`TodoItem` s — a kind, a label key, the link where the user acts, and when (a deadline, or
since when it waits). A source that is not for the user's role returns ``[]`` without reading;
one that is reads with one query at most, so the header's count costs one query per source.
To add a source (say royalty reports due):

1. write ``async def royalty_reports_due(r: Reader) -> list[TodoItem]`` reading a query of its trade's
   ``projections/<trade>/queries.py`` (add a small one there if needed);
2. add its kind to ``KINDS`` (the order the page shows the groups in) and append the function to
   ``SOURCES``;
3. add to ``LABELS`` its group heading ``todo.kind.<kind>``, its item label and ``<label>.when`` (what
   its ``when`` means, e.g. "due on"), in Chinese and English.

Standing work that is no item to tick off (the valuer's page, the audit pages, what a programme
officer can read) is listed under :func:`work_links`, shown first and not counted.

Every item is for the user's own organisation or role: a source filters by ``me.organisation_id``
in SQL, and the platform admin's sources check the role held now (``WebState.with_current_roles``).
Acting is checked again by the application on the aggregates.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import msgspec
from litestar import Controller, Request, Response, get
from litestar.response import Template

from domain.auctions.lot import CONSENT_GRACE
from domain.programmes.rules import BEIJING
from projections.accounts.view import AccountsQueries
from projections.auctions.queries import AuctionsQueries
from projections.catalogue.queries import CatalogueQueries
from projections.deals.development_queries import DevelopmentQueries
from projections.deals.queries import DealsQueries
from projections.deals.rows import ContractRow
from projections.demand.demands_queries import DemandsQueries, ThreadQueries
from projections.demand.queries import DemandQueries
from projections.market.broker_queries import BrokerQueries
from projections.market.package_queries import PackagesQueries
from projections.market.queries import MarketQueries
from projections.notifications.queries import InboxQueries
from projections.programmes.conversion_queries import ConversionsQueries
from projections.programmes.queries import ProgrammesQueries
from projections.valuation.queries import ValuationQueries
from web.api_docs import BEARER
from web.context import TODO_COUNT_FOR, Identity, page_context
from web.identity import login_required
from web.state import WebState

#: Texts are (zh, en); item labels ``todo.<kind>`` each have a ``.when`` saying what the item's time is.
LABELS: dict[str, tuple[str, str]] = {
    "nav.todo": ("待办", "To-do"),
    "todo.title": ("我的待办", "My to-do"),
    "todo.explain": (
        "以下事项等待您或您的机构处理，点击进入办理页面。时间均为北京时间。",
        "What awaits you or your organisation; follow an item to act on it. Times are Beijing time.",
    ),
    "todo.empty": ("目前没有待办事项。", "Nothing awaits you now."),
    "todo.work": ("您的工作", "Your work"),
    "todo.kind.offer": ("待答复的报价和还价", "Offers and counter-offers awaiting your answer"),
    "todo.kind.in_notice": ("公示中的合同", "Your contracts in public notice"),
    "todo.kind.to_sign": ("待签署的合同", "Contracts to sign now"),
    "todo.kind.development": ("技术开发里程碑", "Development milestones"),
    "todo.kind.demand_clarify": ("需求澄清与问答", "Clarifications and questions"),
    "todo.demand_sent_back": ("需求被退回：请澄清后重新提交", "Demand sent back: clarify and resubmit"),
    "todo.demand_sent_back.when": ("发布于", "posted"),
    "todo.demand_question": ("企业就您的方案提问，请答复", "The enterprise asks about your proposal: answer"),
    "todo.demand_question.when": ("提问于", "asked"),
    "todo.development.deliver": ("交付里程碑", "Deliver the milestone"),
    "todo.development.deliver.when": ("约定交付日", "due"),
    "todo.development.accept": ("验收已交付的里程碑", "Accept the delivered milestone"),
    "todo.development.accept.when": ("约定交付日", "due"),
    "todo.kind.signing_waits": ("暂不能签署的合同", "Contracts not open for signing yet"),
    "todo.kind.consent": ("请求本机构同意的合同", "Consents asked of your organisation"),
    "todo.kind.objection": ("待决定的公示异议", "Objections to decide"),
    "todo.kind.payment": ("本机构应付款项", "Payments your organisation owes"),
    "todo.kind.co_ownership": ("待确认的共有权", "Co-ownerships to confirm"),
    "todo.kind.refund": ("待退款项", "Refunds owed"),
    "todo.kind.transfer": ("待确认到账的对公转账", "Bank transfers awaiting receipt"),
    "todo.kind.claim": ("待裁决的权属异议", "Ownership claims to decide"),
    "todo.kind.organisation": ("待审核的机构", "Organisations to review"),
    "todo.kind.grant": ("待确认的旧授权", "Old role grants to confirm"),
    "todo.offer": ("轮到本机构答复", "Your organisation's turn to answer"),
    "todo.offer.when": ("答复期限", "answer by"),
    "todo.in_notice": ("公示结束后开放签署", "Signing opens when the notice ends"),
    "todo.in_notice.when": ("公示结束", "notice ends"),
    "todo.to_sign": ("公示已结束，请签署", "The notice is over: sign"),
    "todo.to_sign.when": ("起草于", "drafted"),
    "todo.signing_waits": (
        "等待异议决定或共有人同意后开放签署",
        "Signing opens once objections are decided and co-owners consent",
    ),
    "todo.signing_waits.when": ("起草于", "drafted"),
    "todo.consent": ("作为共有人表示同意", "Consent as a co-owner"),
    "todo.consent.when": ("起草于", "drafted"),
    "todo.objection": ("决定是否支持异议", "Uphold or dismiss the objection"),
    "todo.objection.when": ("提出于", "filed"),
    "todo.payment": ("付款", "Pay"),
    "todo.payment.when": ("应付日期", "due"),
    "todo.co_ownership": ("确认或拒绝共有权", "Confirm or decline the co-ownership"),
    "todo.co_ownership.when": ("登记于", "registered"),
    "todo.refund": ("退还已收款项", "Refund the money received"),
    "todo.refund.when": ("应退自", "owed since"),
    "todo.transfer": ("核对到账并记录", "Check the receipt and record it"),
    "todo.transfer.when": ("应付自", "due since"),
    "todo.claim": ("裁决权属异议", "Decide the ownership claim"),
    "todo.claim.when": ("提出于", "filed"),
    "todo.organisation": ("审核机构", "Review the organisation"),
    "todo.organisation.when": ("注册于", "registered"),
    "todo.grant": ("确认或撤销旧授权", "Confirm or revoke the old grant"),
    "todo.link.valuer": ("我的评估记录与校准", "My assessments and calibration"),
    "todo.link.valuer_expires": ("资质有效期至", "accreditation valid until"),
    "todo.link.audit": ("审计：事件日志", "Audit: the event log"),
    "todo.link.roots": ("每日哈希根", "Daily hash roots"),
    "todo.kind.royalty_report": ("提成报告", "Royalty reports"),
    "todo.royalty_report": ("提成报告待提交或待对方提交", "A royalty report to file or to receive"),
    "todo.royalty_report.when": ("截止日期", "due on"),
    "todo.royalty_report.overdue": ("提成报告已逾期", "A royalty report is overdue"),
    "todo.royalty_report.overdue.when": ("应于", "was due on"),
    "todo.kind.award_claim": ("待提交的扶持申领", "Programme claims to submit"),
    "todo.award_claim": ("确认收款账户后提交", "Confirm the account to pay and submit"),
    "todo.award_claim.when": ("产生于", "raised"),
    "todo.kind.award_review": ("待处理的扶持申领", "Programme claims to review or pay"),
    "todo.award_review": ("审核、拨付或追回", "Review, pay or recover"),
    "todo.award_review.when": ("产生于", "raised"),
    "todo.kind.voucher_settle": ("待兑付的创新券", "Voucher redemptions to settle"),
    "todo.voucher_settle": (
        "向服务机构兑付或向企业报销，或登记追回", "Pay the provider or reimburse the buyer, or record a repayment",
    ),
    "todo.voucher_settle.when": ("抵用于", "redeemed"),
    "todo.kind.voucher_application": ("待审核的创新券申请", "Voucher applications to decide"),
    "todo.voucher_application": ("创新券申请", "Voucher application"),
    "todo.voucher_application.when": ("申请于", "applied"),
    "todo.kind.voucher_decided": ("创新券申请结果", "Voucher applications decided"),
    "todo.voucher_decided.issued": ("创新券申请已通过，已发券", "Voucher application granted: voucher issued"),
    "todo.voucher_decided.refused": ("创新券申请未通过", "Voucher application refused"),
    "todo.voucher_decided.issued.when": ("决定于", "decided"),
    "todo.voucher_decided.refused.when": ("决定于", "decided"),
    "todo.kind.voucher_expiring": ("即将过期的创新券", "Vouchers about to expire"),
    "todo.voucher_expiring": (
        "余额将随有效期结束退回预算，请及时使用", "Its remaining value returns to the budget at its date: use it",
    ),
    "todo.voucher_expiring.when": ("有效期至", "valid until"),
    "todo.link.dashboard": ("扶持计划工作台", "Programme dashboard"),
    "todo.link.programmes": ("本部门的扶持计划", "My department's programmes"),
    "todo.link.qualifications": ("企业资质认定", "Qualifications of enterprises"),
    "todo.kind.enquiry_to_answer": ("待回复的咨询", "Enquiries awaiting your answer"),
    "todo.enquiry_to_answer": ("回复咨询", "Answer the enquiry"),
    "todo.enquiry_to_answer.when": ("提问于", "asked"),
    "todo.kind.enquiry_answered": ("卖方的新回复", "New answers to your enquiries"),
    "todo.enquiry_answered": ("阅读回复", "Read the answer"),
    "todo.enquiry_answered.when": ("回复于", "answered"),
    "todo.kind.auction_consent": ("拍卖：待同意的拍品", "Auctions: lots awaiting your consent"),
    "todo.auction_consent_item": (
        "拍卖会拟拍卖本机构的挂牌：请同意或说明理由拒绝",
        "An auction session proposes to auction your listing: consent, or decline saying why",
    ),
    "todo.auction_consent_item.when": ("开拍于", "opens"),
    "todo.kind.auction_deposit": ("拍卖：待到账的保证金", "Auctions: deposits awaiting receipt"),
    "todo.auction_deposit_item": ("保证金到账后方可出价", "Bidding waits for the deposit"),
    "todo.auction_deposit_item.when": ("截止于", "bidding closes"),
    "todo.kind.auction_refund_owed": ("拍卖：待退还的保证金", "Auctions: deposit refunds owed"),
    "todo.auction_refund_owed_item": ("支付渠道未能退款，平台将自动重试；必要时请人工退还",
                                      "The payment provider did not refund it; retried automatically, refund by"
                                      " hand if need be"),
    "todo.auction_refund_owed_item.when": ("竞价结束于", "bidding closed"),
    "todo.kind.auction_reveal": ("拍卖：待开标的密封报价", "Auctions: sealed bids to reveal"),
    "todo.auction_reveal_item": ("请公开您的密封报价，否则保证金不予退还",
                                 "Reveal your sealed bid, or the deposit is forfeited"),
    "todo.auction_reveal_item.when": ("开标截止", "the reveal window ends"),
    "todo.kind.demand_to_decide": ("技术需求：待决定的方案", "Demands: proposals to decide"),
    "todo.demand_to_decide": ("征集已截止，请对方案作出决定", "The deadline passed: decide on the proposals"),
    "todo.demand_to_decide.when": ("截止于", "deadline passed"),
    "todo.kind.demand_decision": ("技术需求：方案的决定", "Demands: decisions on your proposals"),
    "todo.demand_decision": ("阅读企业对本机构方案的决定", "Read the enterprise's decision on your proposal"),
    "todo.demand_decision.when": ("决定于", "decided"),
    "todo.kind.tech_registration": ("技术合同认定登记", "Technology-contract registrations"),
    "todo.kind.introduction_to_confirm": ("待确认的技术经纪人介绍", "Broker introductions to confirm"),
    "todo.introduction_to_confirm": ("确认或否认该介绍", "Confirm or decline the introduction"),
    "todo.introduction_to_confirm.when": ("介绍于", "introduced on"),
    "todo.kind.introduction_awaiting": ("等待买方确认的介绍", "Your introductions awaiting the buyer"),
    "todo.kind.offer_for_principal": ("代委托方答复的报价", "Offers to answer for the seller you act for"),
    "todo.offer_for_principal": ("受托代卖方答复", "Answer for the seller under the mandate"),
    "todo.offer_for_principal.when": ("答复期限", "answer by"),
    "todo.kind.mandate_ending": ("即将期满的经纪委托", "Agency mandates about to end"),
    "todo.mandate_ending": ("续签或任其期满", "Give it again or let it end"),
    "todo.mandate_ending.when": ("委托期限至", "runs until"),
    "todo.kind.broker_expiring": ("即将到期的技术经纪人资格", "Broker accreditations about to expire"),
    "todo.broker_expiring": ("续期或任其到期", "Renew it or let it lapse"),
    "todo.broker_expiring.when": ("有效期至", "valid until"),
    "todo.link.brokers": ("技术经纪人名录与登记", "Register of brokers: accredit, renew, revoke"),
    "todo.link.broker": ("我的介绍与经纪的交易", "My introductions and the deals my agency brokers"),
    "todo.link.packages": ("科技成果包", "Achievement packages"),
    "todo.introduction_awaiting": ("买方尚未确认", "The buyer has not confirmed yet"),
    "todo.introduction_awaiting.when": ("介绍于", "introduced on"),
    "todo.tech_registration": (
        "办理技术合同认定登记（登记后可享受增值税免征、所得税减免，买方可加计扣除研发费用）",
        "Register the technology contract (it unlocks the VAT exemption and income-tax relief, and the buyer's "
        "R&D super-deduction)",
    ),
    "todo.tech_registration.when": ("申请截止（签订后 30 日）", "apply by (30 days after signing)"),
    "todo.tech_registration.overdue": (
        "技术合同认定登记已超过 30 日申请期限，请尽快办理",
        "The 30 days to register the technology contract have passed: register it now",
    ),
    "todo.tech_registration.overdue.when": ("应于", "was due on"),
}


class TodoItem(msgspec.Struct, frozen=True, kw_only=True):
    """One thing awaiting the user: of a ``kind`` (its group), shown by the label key ``label``, acted on
    at ``link``; ``when`` (or ``when_day``) is its deadline or since when it waits (the label ``<label>.when``
    says which)."""

    kind: str
    label: str
    link: str
    when: datetime | None = None
    #: A day rather than an instant (a payment's due date): shown instead of ``when``.
    when_day: date | None = None
    title_zh: str = ""
    title_en: str = ""
    amount: int | None = None
    currency: str = "CNY"
    #: A payment's purpose (``upfront``, ``instalment-2``…), shown in the reader's words.
    purpose: str | None = None


class WorkLink(msgspec.Struct, frozen=True, kw_only=True):
    """A page where a role's standing work is (not an item to tick off, not counted)."""

    label: str
    link: str
    when: date | None = None
    when_label: str | None = None


class TodoAnswer(msgspec.Struct, frozen=True):
    """The logged-in user's to-do: the items (``count`` of them) and the pages of the role's standing work."""

    items: list[TodoItem]
    count: int
    work: list[WorkLink]


@dataclass(frozen=True)
class Reader:
    """What a source reads with: the user (roles held now), the trades' queries, the clock."""

    me: Identity
    web: WebState
    deals: DealsQueries
    catalogue: CatalogueQueries
    accounts: AccountsQueries
    now: datetime

    @property
    def org_admin(self) -> bool:
        return self.me.has("org_admin")

    @property
    def platform_admin(self) -> bool:
        return self.me.has("platform_admin")


Source = Callable[[Reader], Awaitable[list[TodoItem]]]


# --- sources: one query each at most ----------------------------------------------------------
async def offers_to_answer(r: Reader) -> list[TodoItem]:
    """Offers and counter-offers whose turn is the user's organisation's (any member answers)."""
    return [
        TodoItem(
            kind="offer",
            label="todo.offer",
            link=f"/offers/{o.id}",
            when=o.expires_at,
            title_zh=o.title_zh,
            title_en=o.title_en,
            amount=o.price_amount,
            currency=o.currency,
        )
        for o in await r.deals.offers_awaiting(r.me.organisation_id)
    ]


def _contract_item(kind: str, k: ContractRow, when: datetime | None) -> TodoItem:
    return TodoItem(
        kind=kind,
        label=f"todo.{kind}",
        link=f"/contracts/{k.id}",
        when=when,
        title_zh=k.title_zh,
        title_en=k.title_en,
        amount=k.price_amount,
        currency=k.currency,
    )


async def contracts_to_act(r: Reader) -> list[TodoItem]:
    """Drafted contracts: in public notice (every member sees when signing opens); to sign now, or not
    open for signing yet (objections or consents outstanding), and consents asked — the org admin's."""
    items = []
    mine = r.me.organisation_id
    for k in await r.deals.contracts_awaiting(mine):
        if mine in k.consents_required and mine not in k.consents_given:
            if r.org_admin:
                items.append(_contract_item("consent", k, k.drafted_at))
            continue
        if k.notice_ends_at is not None and k.notice_ends_at > r.now:
            items.append(_contract_item("in_notice", k, k.notice_ends_at))
        elif r.org_admin:
            waits = k.objections_open > 0 or not set(k.consents_required) <= set(k.consents_given)
            items.append(_contract_item("signing_waits" if waits else "to_sign", k, k.drafted_at))
    return items


async def objections_to_decide(r: Reader) -> list[TodoItem]:
    """Open objections to the notices of the organisation's sales: its org admin decides them."""
    if not r.org_admin:
        return []
    return [
        TodoItem(
            kind="objection",
            label="todo.objection",
            link=f"/notices#notice-{o.contract_id}",
            when=o.filed_at,
            title_zh=_short(o.text),
            title_en=_short(o.text),
        )
        for o in await r.deals.objections_to_decide(r.me.organisation_id)
    ]


async def payments_owed(r: Reader) -> list[TodoItem]:
    """Payments the organisation owes (due, or started and not paid): any member pays."""
    return [
        TodoItem(
            kind="payment",
            label="todo.payment",
            link=f"/payments/{o.id}",
            when=None if o.due_on else o.fell_due_at,
            when_day=o.due_on,
            title_zh=o.reference,
            title_en=o.reference,
            amount=o.amount,
            currency=o.currency,
            purpose=o.purpose,
        )
        for o in await r.deals.obligations_owed(r.me.organisation_id)
    ]


async def co_ownerships_to_confirm(r: Reader) -> list[TodoItem]:
    """Registrations naming the organisation as a co-owner, awaiting its org admin's confirmation (on /my)."""
    if not r.org_admin:
        return []
    return [
        TodoItem(
            kind="co_ownership",
            label="todo.co_ownership",
            link="/my#co-ownership",
            when=c.registered_at,
            title_zh=f"{c.number} {c.title}",
            title_en=f"{c.number} {c.title}",
        )
        for c in await r.catalogue.co_ownerships_to_confirm(r.me.organisation_id)
    ]


async def refunds_owed(r: Reader) -> list[TodoItem]:
    """The platform admin's refund queue."""
    if not r.platform_admin:
        return []
    return [
        TodoItem(
            kind="refund",
            label="todo.refund",
            link="/admin/refunds",
            when=o.refund_owed_at,
            title_zh=o.reference,
            title_en=o.reference,
            amount=o.paid_amount or o.amount,
            currency=o.currency,
            purpose=o.purpose,
        )
        for o in await r.deals.refunds_owed()
    ]


async def transfers_awaiting_receipt(r: Reader) -> list[TodoItem]:
    """Bank transfers started and not recorded as received: reconciled by the platform admin."""
    if not r.platform_admin:
        return []
    return [
        TodoItem(
            kind="transfer",
            label="todo.transfer",
            link="/admin/transfers",
            when=None if o.due_on else o.fell_due_at,
            when_day=o.due_on,
            title_zh=o.reference,
            title_en=o.reference,
            amount=o.amount,
            currency=o.currency,
            purpose=o.purpose,
        )
        for o in await r.deals.transfers_awaiting_receipt()
    ]


async def claims_to_decide(r: Reader) -> list[TodoItem]:
    """Ownership claims filed against registrations: the platform admin decides them."""
    if not r.platform_admin:
        return []
    claims, _ = await r.catalogue.list_claims(status="filed")
    return [
        TodoItem(
            kind="claim",
            label="todo.claim",
            link="/admin/claims",
            when=c.filed_at,
            title_zh=f"{c.patent_number} {c.patent_title} · {c.claimant_name}",
            title_en=f"{c.patent_number} {c.patent_title} · {c.claimant_name}",
        )
        for c in claims
    ]


async def organisations_to_review(r: Reader) -> list[TodoItem]:
    """Organisations signed up and not verified yet (platform review)."""
    if not r.platform_admin:
        return []
    organisations, _ = await r.accounts.list_organisations(verified=False, limit=100)
    return [
        TodoItem(
            kind="organisation",
            label="todo.organisation",
            link="/admin/organisations",
            when=o.registered_at,
            title_zh=o.name,
            title_en=o.name,
        )
        for o in organisations
    ]


async def grants_to_confirm(r: Reader) -> list[TodoItem]:
    """Old platform-wide grants not honoured until a platform admin confirms them (stores from before issue 9).

    Read from the accounts' aggregates (the read model does not keep them), as ``/admin/people`` does.
    """
    if not r.platform_admin:
        return []
    grants = await r.web.run(r.web.services.app.accounts.unconfirmed_grants)
    return [
        TodoItem(kind="grant", label="todo.grant", link="/admin/people", title_zh=g.role, title_en=g.role)
        for g in grants
    ]


async def royalty_reports(r: Reader) -> list[TodoItem]:
    """Royalty reports a licence awaits: the licensee files them, the licensor waits for them (both see
    them, and an overdue one says so)."""
    return [
        TodoItem(
            kind="royalty_report",
            label="todo.royalty_report.overdue" if d.overdue else "todo.royalty_report",
            link=f"/contracts/{d.contract_id}",
            when_day=d.due_on,
            title_zh=d.title_zh,
            title_en=d.title_en,
        )
        for d in await r.deals.royalty_reports_due(r.me.organisation_id, r.now)
    ]


async def programme_claims_to_submit(r: Reader) -> list[TodoItem]:
    """Claims a programme raised for the organisation, for its org admin to submit (on /my/claims)."""
    if not r.org_admin:
        return []
    claims = await ProgrammesQueries(r.web.pool).claims(beneficiary_id=r.me.organisation_id, status="raised")
    return [
        TodoItem(kind="award_claim", label="todo.award_claim", link=f"/my/claims#claim-{c.id}", when=c.raised_at,
                 title_zh=c.programme_name_zh, title_en=c.programme_name_en, amount=c.amount)
        for c in claims
    ]


async def programme_claims_to_review(r: Reader) -> list[TodoItem]:
    """Claims on the officer's department's programmes: to review, to pay, or owed back."""
    if not r.me.has("programme_officer"):
        return []
    claims = await ProgrammesQueries(r.web.pool).claims_to_review(r.me.organisation_id)
    return [
        TodoItem(kind="award_review", label="todo.award_review",
                 link=f"/programmes/{c.programme_id}/claims#claim-{c.id}", when=c.raised_at,
                 title_zh=f"{c.beneficiary_name} · {c.programme_name_zh}",
                 title_en=f"{c.beneficiary_name} · {c.programme_name_en}", amount=c.amount)
        for c in claims
    ]


async def conversions_to_answer(r: Reader) -> list[TodoItem]:
    """The organisation's funded patents whose conversion deadline is near or passed (限时转化)."""
    rows = await ConversionsQueries(r.web.pool).of_owner(r.me.organisation_id, open_only=True)
    return [
        TodoItem(kind="conversion_due", label=f"todo.conversion_{c.status}", link=f"/conversions/{c.id}",
                 when_day=c.deadline, title_zh=c.patent_title_zh or c.patent_title_en,
                 title_en=c.patent_title_en or c.patent_title_zh)
        for c in rows
    ]


async def conversions_to_review(r: Reader) -> list[TodoItem]:
    """The officer's department's overdue and answered conversions, to open to others or to resume."""
    if not r.me.has("programme_officer"):
        return []
    rows = await ConversionsQueries(r.web.pool).queue(r.me.organisation_id, statuses=("overdue", "paused"))
    return [
        TodoItem(kind="conversion_review", label="todo.conversion_review", link=f"/conversions/{c.id}",
                 when_day=c.deadline, title_zh=c.patent_title_zh or c.patent_title_en,
                 title_en=c.patent_title_en or c.patent_title_zh)
        for c in rows
    ]


async def enquiries_to_answer(r: Reader) -> list[TodoItem]:
    """Enquiries about the organisation's listings whose last message is the enquirer's: any member answers."""
    return [
        TodoItem(kind="enquiry_to_answer", label="todo.enquiry_to_answer", link=f"/enquiries/{e.id}#answer",
                 when=e.last_message_at, title_zh=f"{e.enquirer_name} · {e.title_zh or e.title_en}",
                 title_en=f"{e.enquirer_name} · {e.title_en or e.title_zh}")
        for e in await DemandQueries(r.web.pool).awaiting_answer(r.me.organisation_id)
    ]


async def enquiry_answers_to_read(r: Reader) -> list[TodoItem]:
    """The seller answered the organisation's enquiries and no one of it has read the answer yet."""
    return [
        TodoItem(kind="enquiry_answered", label="todo.enquiry_answered", link=f"/enquiries/{e.id}#messages",
                 when=e.last_message_at, title_zh=f"{e.seller_name} · {e.title_zh or e.title_en}",
                 title_en=f"{e.seller_name} · {e.title_en or e.title_zh}")
        for e in await DemandQueries(r.web.pool).answers_to_read(r.me.organisation_id)
    ]


async def demand_proposals_to_decide(r: Reader) -> list[TodoItem]:
    """The organisation's demands past their deadline with proposals still without a decision (award one, give
    every other a reason)."""
    return [
        TodoItem(kind="demand_to_decide", label="todo.demand_to_decide", link=f"/demands/{d.demand_id}#proposals",
                 when=d.since, title_zh=f"{d.title_zh or d.title_en} · {d.count}",
                 title_en=f"{d.title_en or d.title_zh} · {d.count}")
        for d in await DemandsQueries(r.web.pool).to_decide(r.me.organisation_id, r.now)
    ]


async def demand_decisions_to_read(r: Reader) -> list[TodoItem]:
    """Decisions on the organisation's proposals in the last ``DECISION_DAYS`` days (award or reason)."""
    since = r.now - timedelta(days=DECISION_DAYS)
    return [
        TodoItem(kind="demand_decision", label="todo.demand_decision", link=f"/demands/{d.demand_id}#mine",
                 when=d.since, title_zh=d.title_zh or d.title_en, title_en=d.title_en or d.title_zh)
        for d in await DemandsQueries(r.web.pool).decisions(r.me.organisation_id, since)
    ]


async def auction_lots_to_consent(r: Reader) -> list[TodoItem]:
    """Lots a session's runner (the platform or a transfer agency) proposed on the organisation's listings, awaiting
    its org admin's answer (consent, or decline saying why); a lot whose window has opened can no longer be
    consented to, so it is no longer a task."""
    if not r.org_admin:
        return []
    return [
        TodoItem(kind="auction_consent", label="todo.auction_consent_item", link=f"/lots/{lot.id}", when=lot.opens_at,
                 title_zh=lot.title_zh or lot.title_en, title_en=lot.title_en or lot.title_zh,
                 amount=lot.start_price, currency=lot.currency)
        for lot in await AuctionsQueries(r.web.pool).awaiting_consent(r.me.organisation_id)
        if lot.opens_at + CONSENT_GRACE >= r.now
    ]


async def auction_deposits_to_pay(r: Reader) -> list[TodoItem]:
    """Deposits the organisation started and the platform has not received yet (bidding waits for them); for a
    platform admin, bank-transfer deposits to record."""
    queries = AuctionsQueries(r.web.pool)
    found = await (queries.deposits_awaiting_receipt() if r.platform_admin
                   else queries.deposits_to_pay(r.me.organisation_id))
    return [
        TodoItem(kind="auction_deposit", label="todo.auction_deposit_item", link=f"/lots/{lot.id}",
                 when=lot.closes_at, title_zh=f"{lot.title_zh or lot.title_en} · {d.reference}",
                 title_en=f"{lot.title_en or lot.title_zh} · {d.reference}", amount=d.amount, currency=lot.currency)
        for lot, d in found
    ]


async def auction_refunds_owed(r: Reader) -> list[TodoItem]:
    """For a platform admin: deposit refunds the payment gateway refused or could not make (owed; the deadline
    worker tries them again)."""
    if not r.platform_admin:
        return []
    return [
        TodoItem(kind="auction_refund_owed", label="todo.auction_refund_owed_item", link=f"/lots/{lot.id}",
                 when=lot.reveal_closes_at or lot.closes_at, title_zh=f"{lot.title_zh or lot.title_en} · {d.reference}",
                 title_en=f"{lot.title_en or lot.title_zh} · {d.reference}", amount=d.amount, currency=lot.currency)
        for lot, d in await AuctionsQueries(r.web.pool).refunds_owed()
    ]


async def auction_reveals_due(r: Reader) -> list[TodoItem]:
    """Sealed bids the organisation committed and has not revealed, while the reveal window is open."""
    return [
        TodoItem(kind="auction_reveal", label="todo.auction_reveal_item", link=f"/lots/{lot.id}",
                 when=lot.reveal_closes_at, title_zh=lot.title_zh or lot.title_en,
                 title_en=lot.title_en or lot.title_zh)
        for lot in await AuctionsQueries(r.web.pool).reveals_due(r.me.organisation_id, r.now)
    ]


async def demand_clarifications(r: Reader) -> list[TodoItem]:
    """The enterprise's demands sent back for clarification, and the proposer's questions to answer."""
    return [
        TodoItem(kind="demand_clarify", label=f"todo.demand_{'question' if c.proposal_id else 'sent_back'}",
                 link=f"/demands/{c.demand_id}#{'mine' if c.proposal_id else 'clarify'}", when=c.since,
                 title_zh=c.title_zh or c.title_en, title_en=c.title_en or c.title_zh)
        for c in await ThreadQueries(r.web.pool).to_do(r.me.organisation_id)
    ]


async def development_milestones(r: Reader) -> list[TodoItem]:
    """Milestones of the organisation's development contracts in force: the developer's to deliver, the client's
    delivered ones to accept (its acceptance makes the payment fall due)."""
    return [
        TodoItem(kind="development", label=f"todo.development.{m.action}",
                 link=f"/contracts/{m.contract_id}#milestones",
                 when_day=m.due, title_zh=f"{m.title} · {m.name}", title_en=f"{m.title} · {m.name}", amount=m.amount,
                 currency=m.currency)
        for m in await DevelopmentQueries(r.web.pool).milestones_to_act(r.me.organisation_id)
    ]


#: How long a decision on a proposal stays on the proposing organisation's to-do.
DECISION_DAYS = 14


async def tech_registrations_due(r: Reader) -> list[TodoItem]:
    """The organisation's signed sales without a technology-contract registration number: register within
    30 days of signing (技术合同认定登记), which unlocks the parties' tax benefits."""
    due = await MarketQueries(r.web.pool).registrations_due(r.me.organisation_id)
    return [
        TodoItem(kind="tech_registration",
                 label="todo.tech_registration.overdue" if d.overdue(r.now) else "todo.tech_registration",
                 link=f"/contracts/{d.contract_id}/tech-registration", when_day=d.deadline, title_zh=d.title_zh,
                 title_en=d.title_en)
        for d in due
    ]


async def introductions_to_confirm(r: Reader) -> list[TodoItem]:
    """Brokers' introductions of the organisation to listings, awaiting its members' confirmation."""
    rows = await BrokerQueries(r.web.pool).introductions(buyer_organisation_id=r.me.organisation_id,
                                                         status="awaiting")
    return [
        TodoItem(kind="introduction_to_confirm", label="todo.introduction_to_confirm",
                 link=f"/introductions#introduction-{i.id}", when=i.introduced_at,
                 title_zh=f"{i.agency_name} · {i.title_zh or i.title_en}",
                 title_en=f"{i.agency_name} · {i.title_en or i.title_zh}")
        for i in rows
    ]


async def introductions_awaiting(r: Reader) -> list[TodoItem]:
    """The broker's own introductions the buyer has not confirmed yet (to follow up)."""
    rows = await BrokerQueries(r.web.pool).introductions(broker_user_id=r.me.user_id, status="awaiting")
    return [
        TodoItem(kind="introduction_awaiting", label="todo.introduction_awaiting",
                 link=f"/introductions#introduction-{i.id}", when=i.introduced_at,
                 title_zh=f"{i.buyer_name} · {i.title_zh or i.title_en}",
                 title_en=f"{i.buyer_name} · {i.title_en or i.title_zh}")
        for i in rows
    ]


async def offers_for_principal(r: Reader) -> list[TodoItem]:
    """Offers awaiting the seller's answer that the broker may answer for it (its agency's mandate lets its
    brokers act, and its accreditation is valid today)."""
    today = r.now.astimezone(BEIJING).date()
    rows = await BrokerQueries(r.web.pool).offers_to_answer_for_seller(r.me.user_id, r.me.organisation_id, today)
    return [
        TodoItem(kind="offer_for_principal", label="todo.offer_for_principal", link=f"/offers/{o.offer_id}",
                 when=o.expires_at, title_zh=f"{o.seller_name} · {o.title_zh or o.title_en}",
                 title_en=f"{o.seller_name} · {o.title_en or o.title_zh}", amount=o.price_amount)
        for o in rows
    ]


#: How long before its term ends a mandate is on the seller's org admin's to-do.
MANDATE_NOTICE_DAYS = 14


async def mandates_ending(r: Reader) -> list[TodoItem]:
    """For the seller's org admin: its running mandates of transfer agencies whose term ends within 14 days."""
    if not r.org_admin:
        return []
    today = r.now.astimezone(BEIJING).date()
    rows = await BrokerQueries(r.web.pool).mandates_ending(r.me.organisation_id, today,
                                                           today + timedelta(days=MANDATE_NOTICE_DAYS))
    return [
        TodoItem(kind="mandate_ending", label="todo.mandate_ending", link=f"/listings/{m.listing_id}/brokerage",
                 when_day=m.ends_on, title_zh=f"{m.agency_name} · {m.title_zh or m.title_en}",
                 title_en=f"{m.agency_name} · {m.title_en or m.title_zh}")
        for m in rows
    ]


#: How long before its expiry an accreditation is on the platform admin's to-do.
BROKER_RENEWAL_DAYS = 30


async def brokers_expiring(r: Reader) -> list[TodoItem]:
    """For a platform admin: brokers' accreditations that expire within 30 days (Beijing dates)."""
    if not r.platform_admin:
        return []
    today = r.now.astimezone(BEIJING).date()
    rows = await BrokerQueries(r.web.pool).expiring(today, today + timedelta(days=BROKER_RENEWAL_DAYS))
    return [
        TodoItem(kind="broker_expiring", label="todo.broker_expiring", link=f"/brokers/{b.id}#broker-admin",
                 when_day=b.expires_on, title_zh=f"{b.display_name} · {b.agency_name}",
                 title_en=f"{b.display_name} · {b.agency_name}")
        for b in rows
    ]


async def voucher_redemptions_to_settle(r: Reader) -> list[TodoItem]:
    """Vouchers spent on payments under the officer's department's programmes: the voucher part to pay out
    (to the provider, or back to the buyer), or owed back after a refund."""
    if not r.me.has("programme_officer"):
        return []
    rows = await ProgrammesQueries(r.web.pool).redemptions_to_settle(r.me.organisation_id)
    return [
        TodoItem(kind="voucher_settle", label="todo.voucher_settle",
                 link=f"/programmes/{x.programme_id}/vouchers#redemption-{x.obligation_id}", when=x.redeemed_at,
                 title_zh=f"{x.payer_name} → {x.payee_name}", title_en=f"{x.payer_name} → {x.payee_name}",
                 amount=x.amount)
        for x in rows
    ]


async def voucher_applications(r: Reader) -> list[TodoItem]:
    """Voucher applications: to decide for the officer's department; decided ones for the applicant's org
    admin (until the voucher is spent or a month has passed: the last 30 days' decisions)."""
    queries = ProgrammesQueries(r.web.pool)
    if r.me.has("programme_officer"):
        rows = await queries.voucher_applications(department_id=r.me.organisation_id, status="applied")
        return [
            TodoItem(kind="voucher_application", label="todo.voucher_application",
                     link=f"/programmes/{a.programme_id}/vouchers#application-{a.id}", when=a.applied_at,
                     title_zh=f"{a.organisation_name} · {a.programme_name_zh}",
                     title_en=f"{a.organisation_name} · {a.programme_name_en}", amount=a.amount)
            for a in rows
        ]
    if not r.org_admin:
        return []
    since = r.now - timedelta(days=30)
    rows = await queries.voucher_applications(organisation_id=r.me.organisation_id)
    return [
        TodoItem(kind="voucher_decided", label=f"todo.voucher_decided.{a.status}",
                 link=f"/my/vouchers#application-{a.id}", when=a.decided_at,
                 title_zh=a.programme_name_zh, title_en=a.programme_name_en, amount=a.amount)
        for a in rows if a.decided_at is not None and a.decided_at >= since
    ]


async def vouchers_about_to_expire(r: Reader) -> list[TodoItem]:
    """The organisation's vouchers with value left whose validity ends within 30 days (Beijing dates)."""
    today = r.now.astimezone(BEIJING).date()
    rows = await ProgrammesQueries(r.web.pool).vouchers_expiring(r.me.organisation_id, today)
    return [
        TodoItem(kind="voucher_expiring", label="todo.voucher_expiring", link=f"/my/vouchers#voucher-{v.id}",
                 when_day=v.valid_until, title_zh=v.programme_name_zh, title_en=v.programme_name_en,
                 amount=v.remaining)
        for v in rows
    ]


async def package_editions(r: Reader) -> list[TodoItem]:
    """New editions of the packages the user follows, until the user marks them read on the package's page
    (科技成果包; the ``Followed`` and ``EditionPublished`` events are what an inbox maps too)."""
    return [
        TodoItem(kind="package_edition", label="todo.package_edition", link=f"/packages/{n.package_id}#package-changes",
                 when=n.published_at, title_zh=f"{n.title_zh or n.title_en} · 第 {n.edition} 版",
                 title_en=f"{n.title_en or n.title_zh} · edition {n.edition}")
        for n in await PackagesQueries(r.web.pool).news_for(r.me.user_id)
    ]


#: The groups in the order the page shows them.
KINDS = (
    "offer",
    "to_sign",
    "consent",
    "objection",
    "payment",
    "signing_waits",
    "in_notice",
    "co_ownership",
    "refund",
    "transfer",
    "claim",
    "organisation",
    "grant",
    "royalty_report",
    "award_claim",
    "award_review",
    "conversion_due",
    "conversion_review",
    "enquiry_to_answer",
    "enquiry_answered",
    "demand_to_decide",
    "demand_decision",
    "development",
    "demand_clarify",
    "tech_registration",
    "introduction_to_confirm",
    "introduction_awaiting",
    "offer_for_principal",
    "mandate_ending",
    "broker_expiring",
    "voucher_settle",
    "voucher_expiring",
    "voucher_application",
    "voucher_decided",
    "auction_consent",
    "auction_deposit",
    "auction_reveal",
    "auction_refund_owed",
    "package_edition",
)
SOURCES: list[Source] = [
    offers_to_answer,
    contracts_to_act,
    objections_to_decide,
    payments_owed,
    co_ownerships_to_confirm,
    refunds_owed,
    transfers_awaiting_receipt,
    claims_to_decide,
    organisations_to_review,
    grants_to_confirm,
    royalty_reports,
    programme_claims_to_submit,
    programme_claims_to_review,
    conversions_to_answer,
    conversions_to_review,
    enquiries_to_answer,
    enquiry_answers_to_read,
    demand_proposals_to_decide,
    demand_decisions_to_read,
    development_milestones,
    demand_clarifications,
    tech_registrations_due,
    introductions_to_confirm,
    introductions_awaiting,
    offers_for_principal,
    mandates_ending,
    brokers_expiring,
    voucher_redemptions_to_settle,
    vouchers_about_to_expire,
    voucher_applications,
    auction_lots_to_consent,
    auction_deposits_to_pay,
    auction_reveals_due,
    auction_refunds_owed,
    package_editions,
]


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- gathering --------------------------------------------------------------------------------
async def reader_for(web: WebState, me: Identity) -> Reader:
    return Reader(
        me=await web.with_current_roles(me),
        web=web,
        deals=DealsQueries(web.pool),
        catalogue=web.catalogue,
        accounts=web.accounts,
        now=web.services.app.clock.now(),
    )


async def todo_items(r: Reader) -> list[TodoItem]:
    """Every source's items, in the order of ``KINDS`` (a source's own order within a kind)."""
    items = [item for source in SOURCES for item in await source(r)]
    order = {kind: i for i, kind in enumerate(KINDS)}
    return sorted(items, key=lambda item: order.get(item.kind, len(order)))


async def runs_auctions(r: Reader) -> bool:
    """A platform admin, or an org admin of a verified transfer agency, runs auction sessions."""
    if r.platform_admin:
        return True
    if not r.org_admin:
        return False
    org = await r.accounts.get_organisation(r.me.organisation_id)
    return org is not None and org.kind == "transfer_agency" and org.verified


async def work_links(r: Reader) -> list[WorkLink]:
    """The pages of each role's standing work: the valuer's record, the audit pages, the programme
    officer's programmes and the enterprises' qualifications, the auction sessions one runs."""
    links = []
    if r.me.has("valuer"):
        today = r.now.astimezone(BEIJING).date()
        accreditation = await ValuationQueries(r.web.pool).get_accreditation(r.me.user_id, today)
        links.append(
            WorkLink(
                label="todo.link.valuer",
                link=f"/valuers/{r.me.user_id}",
                when=accreditation.expires_on if accreditation else None,
                when_label="todo.link.valuer_expires" if accreditation else None,
            )
        )
    if r.platform_admin:
        links.append(WorkLink(label="todo.link.brokers", link="/brokers#accredit"))
    if await BrokerQueries(r.web.pool).broker_of_user(r.me.user_id) is not None:
        links.append(WorkLink(label="todo.link.broker", link="/introductions"))
    if r.me.has("auditor"):
        links += [
            WorkLink(label="todo.link.audit", link="/audit/events"),
            WorkLink(label="todo.link.roots", link="/audit/roots"),
        ]
    if await runs_auctions(r):
        links.append(WorkLink(label="todo.link.auctions", link="/auctions/manage"))
    if r.me.has("programme_officer"):
        links += [
            WorkLink(label="todo.link.dashboard", link="/programmes/dashboard"),
            WorkLink(label="todo.link.programmes", link="/programmes#my-programmes"),
            WorkLink(label="todo.link.qualifications", link="/programmes/qualifications"),
            WorkLink(label="todo.link.conversions", link="/conversions"),
            WorkLink(label="todo.link.packages", link="/packages"),
        ]
    return links


def grouped(items: list[TodoItem]) -> list[tuple[str, list[TodoItem]]]:
    groups: dict[str, list[TodoItem]] = {}
    for item in items:
        groups.setdefault(item.kind, []).append(item)
    return list(groups.items())


async def count_in_header(response: Response[Any]) -> Response[Any]:
    """After a handler: a full page for a logged-in user gets the count of its to-do for the header.

    ``page_context`` marks such a page (``TODO_COUNT_FOR``: the request); partial (htmx) answers,
    JSON and pages for anonymous users are left alone, as is a page that counted already (``/todo``).
    """
    if isinstance(response, Template) and response.context:
        request = response.context.pop(TODO_COUNT_FOR, None)
        me = response.context.get("me")
        if request is not None and isinstance(me, Identity) and "todo_count" not in response.context:
            response.context["todo_count"] = await header_count(request.app.state.web, me)
        if request is not None and isinstance(me, Identity) and "inbox_count" not in response.context:
            # One count over a partial index of the unread items: cheap enough for every full page, and
            # never stale (reading an item changes no read model position the to-do count is keyed on).
            response.context["inbox_count"] = await InboxQueries(request.app.state.web.pool).unread(me.user_id)
    return response


#: Users whose header counts a process keeps at most (the oldest are dropped first).
MAX_COUNTS_KEPT = 10_000


async def header_count(web: WebState, me: Identity) -> int:
    """The number of the user's to-do items, for the header of every page.

    Counting runs every source (one query each, and the user's roles read from the event store),
    so a count is reused for ``web.todo_count_seconds`` while no read model has moved: every event a
    read model applies changes ``web.view_positions()``, so the count right after the user's (or
    anyone's) command — which waits for the read models before answering — is counted afresh. The
    seconds bound what only the clock changes (a notice ending, a deadline passing). The positions
    are read before counting: a count stored under them is at least as recent as they are.
    """
    if web.todo_count_seconds <= 0:
        return len(await todo_items(await reader_for(web, me)))
    positions = await web.view_positions()
    kept = web.todo_counts.get(me.user_id)
    now = time.monotonic()
    if kept is not None and kept[0] == positions and now - kept[1] < web.todo_count_seconds:
        return kept[2]
    count = len(await todo_items(await reader_for(web, me)))
    web.todo_counts.pop(me.user_id, None)  # re-inserted last: the dict's order is the order of counting
    web.todo_counts[me.user_id] = (positions, now, count)
    while len(web.todo_counts) > MAX_COUNTS_KEPT:
        del web.todo_counts[next(iter(web.todo_counts))]
    return count


class TodoController(Controller):
    """The to-do page and its JSON answer: for the logged-in user only."""

    guards = [login_required]  # noqa: RUF012 - litestar declares it as an instance attribute

    @get("/todo", name="todo", include_in_schema=False)
    async def page(self, request: Request[Any, Any, Any], web: WebState, me: Identity) -> Template:
        r = await reader_for(web, me)
        items = await todo_items(r)
        return Template(
            "todo.html.jinja2",
            context=page_context(request, groups=grouped(items), work=await work_links(r), todo_count=len(items)),
        )

    @get(
        "/api/todo",
        summary="My to-do: what awaits my organisation's or my role's answer",
        tags=["accounts"],
        security=BEARER,
    )
    async def answer(self, web: WebState, me: Identity) -> TodoAnswer:
        r = await reader_for(web, me)
        items = await todo_items(r)
        return TodoAnswer(items, len(items), await work_links(r))
