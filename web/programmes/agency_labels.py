"""Words of the agency performance subsidy (技术转移机构业绩补助), Chinese and English."""

from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    "programme.kind.agency_subsidy": ("技术转移机构业绩补助", "Agency performance subsidy"),
    "programme.side.agency": ("技术转移机构", "Transfer agency"),
    "agency_subsidy.title": ("技术转移机构业绩补助申领", "Agency performance subsidy claims"),
    "agency_subsidy.help": (
        "按所选年度（北京时间）内收到的、本机构居间促成的合同付款计算：付款合计 × 比例，每机构每年不超过上限。"
        "已退款、合同已解除或不符合规则的付款不计，并列出原因；每笔付款只申领一次。",
        "Computed from the payments received in the chosen year (Beijing time) on the contracts the agency "
        "brokered: their sum × the rate, at most the cap per agency and year. Refunded payments, payments on "
        "terminated contracts and payments the rules refuse do not count, each with its reason; a payment is "
        "claimed once.",
    ),
    "agency_subsidy.open": ("查看或申领机构业绩补助", "See or claim the agency performance subsidy"),
    "agency_subsidy.year": ("年度", "Year"),
    "agency_subsidy.show": ("计算", "Compute"),
    "agency_subsidy.agency": ("机构", "Agency"),
    "agency_subsidy.volume": ("计入的付款合计", "Payments counted"),
    "agency_subsidy.already_counted": ("本年度此前已申领的付款", "Payments of the year claimed before"),
    "agency_subsidy.already_awarded": ("本年度已核定的补助", "Awarded this year already"),
    "agency_subsidy.amount": ("本次可申领", "Claimable now"),
    "agency_subsidy.basis": ("计算依据（付款明细）", "Basis (the payments)"),
    "agency_subsidy.basis.none": ("本年度没有尚未申领的居间付款。",
                                  "No brokered payment of the year is left to claim."),
    "agency_subsidy.paid_at": ("付款时间", "Paid"),
    "agency_subsidy.payment": ("付款", "Payment"),
    "agency_subsidy.counts": ("是否计入", "Counted"),
    "agency_subsidy.counts.yes": ("计入", "counted"),
    "agency_subsidy.owed_back": ("退款应退回的补助", "Owed back (payment refunded)"),
    "agency_subsidy.apply": ("提交申领", "Submit the claim"),
    "agency_subsidy.raise": ("为全部机构生成本年度申领", "Raise every agency's claim for the year"),
    "agency_subsidy.raise.help": (
        "为每家有未申领居间付款的机构生成申领，由机构确认收款账户后提交。",
        "Raises a claim for every agency with brokered payments not claimed yet; each agency confirms its "
        "account and submits it.",
    ),
    "agency_subsidy.raised_done": ("已为各机构生成本年度申领", "Every agency's claim for the year is raised"),
    "agency_subsidy.applied": ("申领已提交，等待主管部门审核", "The claim is submitted; the department reviews it"),
    "agency_subsidy.officer_raised": (
        "本年度的申领已由主管部门的项目官员提出，尚未提交：本次申请未提交任何内容。请核对该申领并填写收款账户后提交。",
        "A programme officer already raised this year's claim for your agency, and it is not submitted yet: your "
        "application submitted nothing. Check that claim and submit it with your payee account."),
    "agency_subsidy.already_claimed": (
        "本年度的款项已经申领过，没有新的款项可申领：本次申请未提交任何内容。请查看已有的申领。",
        "This year's payments were claimed already and none has counted since: your application submitted nothing. "
        "See the existing claim."),
    "agency_subsidy.see_claim": ("查看该申领", "See the claim"),
    "agency_subsidy.unchecked": (
        "平台无法核验、由主管部门审核时判断的条件：业绩是否“突出”；机构的法人资格（平台只核验注册）；"
        "国家级示范机构一次性 30 万元奖励；技术合同登记机构补助（不属于本项）；平台外促成的交易。",
        "What the platform cannot check and the department judges on review: whether the performance is "
        "outstanding; the agency's legal standing (the platform verifies its registration only); the national "
        "demonstration agency's one-off ¥300,000; the registration bodies' subsidy (not this one); deals brokered "
        "off the platform.",
    ),
    "agency_subsidy.claim_year": ("申领年度", "Year claimed"),
    "agency_subsidy.step.volume": ("计入的居间付款合计（{payments} 笔，{deals} 份合同）",
                                   "Brokered payments counted ({payments} payments, {deals} contracts)"),
    "agency_subsidy.refusal.broker_named_only": (
        "经纪机构仅由买方填写，无卖方委托或经确认的居间介绍",
        "broker named by the buyer only, no mandate or confirmed introduction"),
    "agency_subsidy.refusal.refunded": ("已退款", "refunded"),
    "agency_subsidy.refusal.terminated": ("合同已解除", "the contract was terminated"),
    "agency_subsidy.refusal.not_registered": ("合同未完成技术合同认定登记", "the contract is not registered"),
    "agency_subsidy.refusal.agency_related": ("机构与交易一方为关联方", "the agency is related to a party"),
    "agency_subsidy.refusal.nothing_counted": ("没有可计入的付款", "no payment counts"),
}
