"""The deal pages' labels (zh/en); the app factory passes them to the site's vocabulary.

The listing page's offer form uses them too.
"""

from __future__ import annotations

# key: (中文, English): the deal pages' labels; a key has one text site-wide.
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
        "经平台审核的机构（交易双方除外）的成员可提出异议。",
        "A negotiated price for a university's or institute's patent is published here; the contract may be "
        "signed only after the notice period ends with no objection upheld. A member of any verified "
        "organisation other than the two parties may object.",
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
    "notices.starts": ("公示开始", "Notice began"),
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
    "deal.needs_verification": ("贵机构通过平台审核后方可报价、取得开放许可；审核前以下按钮不可用。",
                                "Your organisation can make offers and take open licences once the platform has "
                                "verified it; until then these buttons are disabled."),
    "contract.signing_opens": ("价格公示期内不能签署；公示于 {when} 结束，届时即可签署。",
                               "The price is in public notice: signing opens when the notice ends, {when}."),
    "contract.signing_waits": ("有异议待卖方处理；处理后方可签署。",
                               "An objection awaits the seller's decision; signing opens once it is decided."),
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
    "payment.voucher_part.provider": (
        "创新券支付（由计划向卖方兑付）", "Paid by an innovation voucher (the programme pays the seller)",
    ),
    "payment.voucher_part.reimbursement": (
        "创新券报销（计划向买方返还）", "Innovation voucher reimbursement (the programme pays the buyer back)",
    ),
    "payment.to_pay": ("买方应付", "Left for the buyer to pay"),
    "payment.transfer_amount": ("转账金额", "Amount to transfer"),
    "payment.funds_source": ("资金来源", "Source of funds"),
    "payment.funds_source.own": ("自有资金", "Own funds"),
    "payment.funds_source.fiscal_programme": ("财政科技项目资金", "Fiscal science-programme funds"),
    "payment.funds_source.government_procurement": ("政府采购", "Government procurement"),
    "payment.funds_source_help": (
        "付款前请申报资金来源；以财政科技项目资金或政府采购支付的交易不享受交易补助。付款开始后不能更改。",
        "Declare where the money comes from before paying; deals paid with fiscal science-programme funds or by "
        "government procurement earn no transaction subsidy. It cannot change once a payment has started.",
    ),
    "payment.programme_assessment_link": ("补助与奖励评估", "Subsidies and rewards: assessment"),
    "payment.voucher_link": ("使用科技创新券", "Use an innovation voucher"),
    "payment.purpose": ("款项", "Purpose"),
    "payment.due_on": ("应付日期", "Due on"),
    "payment.reference": ("付款附言（参考号）", "Payment reference"),
    "payment.status": ("状态", "Status"),
    "payment.start_stripe": ("用银行卡付款（Stripe）", "Pay by card (Stripe)"),
    "payment.start_manual": ("对公转账", "Pay by bank transfer"),
    "payment.paid_from.auction_deposit": (
        "本期价款由平台以买受人已交纳的竞买保证金支付，买受人无需另行付款（合同生效后自动抵付）。",
        "This instalment is paid from the winner's auction deposit the platform holds: the winner pays nothing "
        "more for it (applied once the contract is in force).",
    ),
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
    "payment.status.awaiting_your_transfer": ("待您转账", "awaiting your transfer"),
    "payment.status.awaiting_transfer": ("等待付款方转账", "awaiting the payer's transfer"),
    "payment.gateway": ("付款方式", "Paid by"),
    "payment.gateway.manual": ("对公转账", "bank transfer"),
    "payment.gateway.stripe": ("银行卡（Stripe）", "card (Stripe)"),
    "payment.gateway_reference": ("付款编号", "Payment reference"),
    "payment.purpose.upfront": ("首付款", "upfront payment"),
    "payment.purpose.instalment": ("第 {n} 期分期款", "instalment {n}"),
    "payment.purpose.milestone": ("里程碑款：{name}", "milestone payment: {name}"),
    "payment.purpose.royalty": ("提成费（截至 {day}）", "royalty to {day}"),
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
    "benefits.title": ("本单位收款的收益分配", "Benefit shares of the payments to our organisation"),
    "benefits.search": ("发明人姓名", "Inventor's name"),
    "share.platform": ("平台服务费", "Platform fee"),
    "share.broker": ("经纪佣金", "Broker commission"),
    "share.inventor": ("发明人", "Inventor"),
    "share.institution": ("单位", "Institution"),
    "share.seller": ("卖方", "Seller"),
    # The platform admin's queue of bank transfers to reconcile (/admin/transfers).
    "nav.transfers": ("待核对转账", "Transfers to reconcile"),
    "transfers.title": ("待核对的对公转账", "Bank transfers to reconcile"),
    "transfers.help": (
        "付款方已选择对公转账、尚未记录收款的款项，按发起时间从早到晚排列。对照银行流水，按付款参考号或金额找到该笔款项，"
        "填写到账金额和银行流水号后记录收款。",
        "Payments the payer chose to make by bank transfer whose receipt is not recorded yet, oldest first. "
        "Find a line of the bank statement by its payment reference or its amount, then record the amount "
        "received and the bank's transaction reference.",
    ),
    "transfers.search_reference": ("付款参考号（PT-…，可只输前几位）", "Payment reference (PT-…, or its start)"),
    "transfers.search_amount": ("金额（元）", "Amount (yuan)"),
    "transfers.search": ("查找", "Find"),
    "transfers.show_all": ("显示全部", "Show all"),
    "transfers.count": ("{n} 笔待核对", "{n} awaiting receipt"),
    "transfers.payer": ("付款方", "Payer"),
    "transfers.payee": ("收款方", "Payee"),
    "transfers.started": ("发起时间", "Started"),
    "transfers.receipt": ("收款", "Receipt"),
    "transfers.amount_received": ("到账金额（元）", "Amount received (yuan)"),
    "transfers.bank_reference": ("银行流水号", "Bank's transaction reference"),
    "transfers.none": ("没有等待核对的对公转账。", "No bank transfer awaits its receipt."),
    "transfers.none_found": ("没有符合条件的待核对转账。", "No bank transfer awaiting receipt matches."),
    "transfers.recorded": (
        "已记录 {reference} 的收款 {amount}，该笔款项已移出队列。",
        "Receipt of {amount} recorded for {reference}: it has left the queue.",
    ),
    "transfers.already": (
        "{reference} 的收款此前已记录（重复提交，或另一位管理员已记录），未再次记录。",
        "The receipt for {reference} was already recorded (a second click, or another admin): "
        "nothing more was recorded.",
    ),
    "transfers.wrong_amount": (
        "{reference} 应付 {due}，不是 {got}：金额不符，未记录收款。",
        "{reference}: {due} is due, not {got}. The amounts differ: nothing was recorded.",
    ),
    "transfers.bad_amount": (
        "金额须为以元计的数字，最多两位小数，如 55000 或 55,000.00。",
        "The amount must be a number of yuan with at most two decimals, such as 55000 or 55,000.00.",
    ),
    "transfers.bad_reference": (
        "付款参考号只含字母、数字和连字符，如 PT-7K3Q9X2M。",
        "A payment reference has only letters, digits and hyphens, such as PT-7K3Q9X2M.",
    ),
    "transfers.bank_reference_needed": (
        "请填写银行流水号，以便日后核对。",
        "Give the bank's transaction reference, so that the receipt can be traced later.",
    ),
    # --- binding steps explained (issue 11) ---
    "open.confirm.title": ("确认取得开放许可", "Confirm the open licence"),
    "open.confirm.explain": (
        "确认后，贵机构即以下列合同文本签署本开放许可合同，并须支付许可使用费 {fee}。请先阅读合同文本。",
        "Once you confirm, your organisation signs the contract below for this open licence and owes the "
        "licence fee of {fee}. Read the text first.",
    ),
    "open.confirm.terms": ("许可条件", "Licence terms"),
    "open.confirm.licensor": ("许可方", "Licensor"),
    "open.confirm.patent": ("专利号", "Patent number"),
    "open.confirm.fee": ("许可使用费（签约时支付）", "Licence fee (due on signing)"),
    "open.confirm.royalty": ("提成费率（按净销售额）", "Royalty (of net sales)"),
    "open.confirm.term": ("许可期限", "Term"),
    "open.confirm.kind": ("许可类型", "Kind of licence"),
    "open.confirm.kind_value": ("普通实施许可（开放许可）", "Non-exclusive licence (open licence)"),
    "open.confirm.sign": ("确认并签署", "Confirm and sign"),
    "open.confirm.cancel": ("返回挂牌页，不签署", "Back to the listing without signing"),
    "open.confirm.digest": ("您签署的是该文本（中英文）的 SHA-256 摘要：",
                            "You sign the SHA-256 digest of this text (both languages):"),
    "refusal.open_licence_text_changed": (
        "合同文本已与您看到的不同（挂牌条件、当事人名称或起始日期已变更），未签署任何内容。请阅读下面的新文本后再确认。",
        "The contract text is no longer the one you were shown (the listing's terms, a party's name or the start "
        "date changed); nothing was signed. Read the new text below and confirm again.",
    ),
    "refusal.no_open_licence": ("该挂牌目前没有有效的开放许可声明。",
                                "This listing has no live open-licence declaration."),
    "refusal.own_patent": ("贵机构是该专利的权利人，不能向自己许可。",
                           "Your organisation owns this patent: it cannot license it to itself."),
    "refusal.unverified": (
        "贵机构通过平台审核后方可报价或取得开放许可。",
        "Your organisation can make offers and take open licences once the platform has verified it.",
    ),
    "refusal.already_signed": ("贵机构已签署此合同。", "Your organisation has already signed this contract."),
    "refusal.sign_in_notice": (
        "价格公示期内不能签署。公示于 {when} 结束，届时即可签署。",
        "The price is in public notice, so the contract cannot be signed yet. The notice ends {when}; "
        "signing opens then.",
    ),
    "refusal.sign_objection_pending": (
        "有异议待卖方处理，处理前不能签署。",
        "An objection awaits the seller's decision; signing opens once it is decided.",
    ),
    "refusal.sign_objection_upheld": (
        "公示异议已成立，此合同不能签署。",
        "An objection to the notice was upheld: this contract can never be signed.",
    ),
    "refusal.consents_missing": (
        "尚有 {count} 个共有人未同意，同意后方可签署。",
        "{count} co-owner(s) have not consented yet; signing opens once they do.",
    ),
    "refusal.text_changed": (
        "合同文本已与您阅读的不同，未签署。请重新阅读后再签署。",
        "The contract text changed since you read it; nothing was signed. Read it again, then sign.",
    ),
    "refusal.patent_reserved": (
        "该专利自 {since} 起为已达成的转让（合同 {contract}）保留；除非该合同未生效而终止，不能就此专利达成其他交易。",
        "This patent has been reserved since {since} for an assignment already agreed (contract {contract}); "
        "nothing else can be agreed on it unless that contract ends without taking effect.",
    ),
    "refusal.objection_closed": (
        "公示期已结束，不再受理异议。", "The public notice is over: objections are no longer taken."),
    "notices.object_buyer": (
        "本机构是买方，已同意此价格，不能对其公示提出异议。",
        "Your organisation is the buyer and agreed this price: it cannot object to its notice.",
    ),
    "notices.patent_number": ("专利号", "Patent number"),
    "notices.how_to_object": (
        "如何提出异议：经平台审核的机构（交易双方除外）的成员登录后，于 {when} 前在下方写明理由提交；"
        "卖方作出成立或驳回的决定并说明理由，决定公布于此。",
        "How to object: a logged-in member of a verified organisation other than the two parties writes its "
        "reasons below before {when}; the seller upholds or dismisses the objection, giving reasons, and the "
        "decision is published here.",
    ),
    "notices.yours": ("贵机构的异议", "Your organisation's objection"),
    "notices.decision": ("决定", "Decision"),
    "notices.awaiting": ("待卖方决定", "awaiting the seller's decision"),
    "deals.objections_filed": ("本机构提出的异议", "Objections my organisation filed"),
    # --- issue 11: the inventors' share, the benefits page, royalty reports awaited ---------------
    "payment.purpose.minimum": ("最低年度提成（许可年度截至 {day}）", "minimum annual royalty, licence year to {day}"),
    "benefits.help": (
        "本单位作为卖方收到的每笔款项如何分配：平台服务费、经纪佣金、发明人奖励与本单位所得。金额均以元计。",
        "How each payment to our organisation as seller was shared: platform fee, broker commission, the "
        "inventors' reward and what the organisation keeps. All amounts in yuan.",
    ),
    "benefits.recipient": ("分配对象", "Recipient"),
    "benefits.name": ("发明人姓名", "Inventor's name"),
    "benefits.amount": ("金额（元）", "Amount (yuan)"),
    "benefits.contract": ("合同", "Contract"),
    "benefits.payment": ("来源款项", "From payment"),
    "benefits.rule_link": ("发明人收益比例", "Inventors' share"),
    "benefit_rule.title": ("发明人收益比例", "Inventors' share of net income"),
    "benefit_rule.explain": (
        "本单位转让、许可科技成果所得净收入（扣除平台服务费、经纪佣金后）中奖励发明人的比例。"
        "法定下限为 50%（《促进科技成果转化法》第四十五条），最高 100%。",
        "The share of the net income (after the platform fee and any broker commission) from transferring or "
        "licensing our results that goes to the inventors. The legal floor is 50 % (Law on Promoting the "
        "Transformation of Scientific and Technological Achievements, art. 45); the most is 100 %.",
    ),
    "benefit_rule.applies": (
        "修改只适用于修改后起草的合同；已起草的合同仍按其起草时的比例分配（合同页面载明）。",
        "A change applies to contracts drafted after it; a contract already drafted keeps the share of the "
        "day it was drafted (its page shows it).",
    ),
    "benefit_rule.current": ("现行比例", "Share in force"),
    "benefit_rule.floor": ("未设定本单位规定，适用法定下限", "no rule of our own: the legal floor applies"),
    "benefit_rule.field": ("发明人收益比例（%）", "Inventors' share (%)"),
    "benefit_rule.save": ("保存比例", "Save the share"),
    "benefit_rule.history": ("修改记录", "Changes"),
    "benefit_rule.set_at": ("设定时间", "Set at"),
    "benefit_rule.refused": (
        "发明人收益比例须在 50%（法定下限，《促进科技成果转化法》第四十五条）至 100% 之间，您填写的是：{value}。",
        "The inventors' share must be from 50 % (the legal floor, Law on Promoting the Transformation of "
        "Scientific and Technological Achievements, art. 45) to 100 %; you entered: {value}.",
    ),
    "benefit_rule.decimals": ("发明人收益比例最多保留两位小数。", "The inventors' share takes at most two decimals."),
    "benefit_rule.admin_only": (
        "只有本单位的组织管理员可以设定发明人收益比例。",
        "Only an org admin of the organisation may set its inventors' share.",
    ),
    "benefit_rule.institutions_only": (
        "发明人收益比例由高校、科研机构设定；企业等其他卖方所得净收入全部归卖方。",
        "The inventors' share is set by universities and research institutes; any other seller keeps all its "
        "net income.",
    ),
    "contract.inventor_share": ("发明人收益比例（起草时）", "Inventors' share (as when drafted)"),
    "contract.inventor_share_later": ("按付款时本单位的规定", "the seller's rule at payment"),
    "contract.credit": ("已计收最低提成抵扣", "Credited from the minimum charged"),
    "contract.minimum_royalties": ("许可年度结束未报告而计收的最低年度提成",
                                   "Minimum annual royalties charged for licence years ended unreported"),
    "contract.year_end": ("许可年度截至", "Licence year to"),
    "royalty_due.title": ("待提交的提成报告", "Royalty reports awaited"),
    "royalty_due.help": (
        "许可年度（或许可期最后不足一年的期间）结束后 30 日内，被许可方须提交该期间的提成报告；"
        "许可年度结束仍未报告的，最低年度提成随即计收，日后提交的报告从中抵扣，不重复收取。",
        "Within 30 days after a licence year (or the licence's last part year) ends, the licensee reports its "
        "net sales for it. When a licence year ends unreported, its minimum annual royalty falls due at once; "
        "the report filed later is credited with it, never charged twice.",
    ),
    "royalty_due.period": ("报告期间", "Period"),
    "royalty_due.due_on": ("提交期限", "Due by"),
    "royalty_due.status": ("状态", "Status"),
    "royalty_due.status.due": ("待提交", "due"),
    "royalty_due.status.overdue": ("已逾期", "overdue"),
    "royalty_due.side": ("我方", "Our side"),
    "royalty_due.side.licensee": ("被许可方（提交报告）", "licensee (files it)"),
    "royalty_due.side.licensor": ("许可方（等待报告）", "licensor (awaits it)"),
    "royalty_due.minimum_charged": ("已计收最低年度提成", "Minimum royalty already charged"),
    "royalty_due.licence": ("许可合同", "Licence"),
}
