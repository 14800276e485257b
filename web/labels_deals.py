"""The deal pages' labels (zh/en); they also join the site's vocabulary in ``web.i18n.MESSAGES``.

Importing this module merges them (``setdefault``: a key web/i18n.py already has keeps its text).
The listing page's offer form uses them through ``MESSAGES``; the deal pages translate with
``deals_translator``, which reads these labels first.
"""

from __future__ import annotations

from collections.abc import Callable

from web.i18n import MESSAGES, translator

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
        "高校、科研机构协议定价的科技成果转让、许可，须在公示期满且无异议成立后方可签约。"
        "经平台审核的机构（卖方除外）的成员可提出异议。",
        "A negotiated price for a university's or institute's patent is published here; the contract may be "
        "signed only after the notice period ends with no objection upheld. A member of any verified "
        "organisation other than the seller may object.",
    ),
    "notices.object_unverified": (
        "贵机构通过平台审核后方可提出异议。",
        "Your organisation can object once the platform has verified it.",
    ),
    "notices.object_own": (
        "本机构是卖方，不能对自己的公示提出异议。",
        "Your organisation is the seller: it cannot object to its own notice.",
    ),
    "notices.object_login": ("登录后可提出异议。", "Log in to object."),
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
    "contract.terminate": ("终止合同", "End the contract"),
    "contract.terminate_help": (
        "合同生效前可终止：各方签署完成前，任一方的组织管理员可退出；已签署未付款的合同由平台管理员终止。"
        "终止后，合同对该专利的保留随即解除。",
        "A contract can be ended before it takes effect: an org admin of a party may walk away until every "
        "party has signed; a platform admin ends a signed contract whose payment never came. Ending it frees "
        "what it reserved on the patent.",
    ),
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
    "payment.card": ("银行卡支付", "Pay by card"),
    "payment.card_pay": ("支付", "Pay"),
    "payment.card_continue": ("继续银行卡支付", "Continue the card payment"),
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
    "payment.refund_owed": ("应退款", "Refund owed"),
    "payment.refund_owed_help": (
        "该款项到账时合同已无法生效，平台须将其退还付款方。",
        "This money arrived for a contract that can no longer take effect: the platform must give it back.",
    ),
    "refunds.title": ("待退款项", "Refunds owed"),
    "refunds.help": (
        "以下款项到账时合同已无法生效（合同已终止，或该专利已售出、已为其他合同保留、已失效），须退还付款方。"
        "请打开付款页面办理退款。",
        "Money received for contracts that can no longer take effect (terminated, or the patent sold, "
        "reserved by another contract or lapsed) must go back to the payer. Open the payment to refund it.",
    ),
    "refunds.reason": ("原因", "Why"),
    "refunds.owed_since": ("记录时间", "Owed since"),
    "refunds.contract": ("合同", "Contract"),
    "refunds.none": ("暂无待退款项。", "No refund is owed."),
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
    return translator(lang, LABELS)
