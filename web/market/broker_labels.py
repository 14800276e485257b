"""Labels of the brokers' pages (技术经纪人, 技术转移机构, 委托, 居间介绍), in Chinese and English."""

from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    "broker.register": ("技术经纪人名录", "Register of technology brokers"),
    "broker.register.explain": (
        "技术经纪人是技术转移机构中经平台登记的从业人员，接受卖方委托，为挂牌成果介绍买方、促成交易。",
        "Technology brokers are members of technology transfer agencies accredited by the platform: mandated by "
        "sellers, they introduce buyers to listed results and help deals happen.",
    ),
    "broker.none": ("暂无登记的技术经纪人", "No broker is accredited yet"),
    "broker.name": ("姓名", "Name"),
    "broker.agency": ("技术转移机构", "Transfer agency"),
    "broker.credential": ("证书编号", "Certificate number"),
    "broker.valid_until": ("有效期至", "Valid until"),
    "broker.status": ("状态", "Status"),
    "broker.status.valid": ("有效", "Valid"),
    "broker.status.expired": ("已过期", "Expired"),
    "broker.status.revoked": ("已撤销", "Revoked"),
    "broker.accredited_on": ("登记日期", "Accredited on"),
    "broker.revoked_reason": ("撤销原因", "Reason for revocation"),
    "broker.profile": ("技术经纪人", "Technology broker"),
    "broker.agency_page": ("机构业绩", "Agency performance"),
    "broker.performance": ("业绩", "Performance"),
    "broker.performance.explain": (
        "按期间统计：介绍买方次数、成交（生效合同）笔数与金额、已到账佣金，以及转化率（该期间的介绍中已成交的比例）。",
        "By period: introductions of buyers, deals (contracts in force) and their volume, commission received, and "
        "the conversion rate (the share of the period's introductions that became deals).",
    ),
    "broker.period": ("期间", "Period"),
    "broker.period.month": ("按月", "By month"),
    "broker.period.quarter": ("按季度", "By quarter"),
    "broker.period.year": ("按年", "By year"),
    "broker.show": ("显示", "Show"),
    "broker.introductions": ("介绍", "Introductions"),
    "broker.deals": ("成交", "Deals"),
    "broker.volume": ("成交金额", "Volume"),
    "broker.commission": ("佣金", "Commission"),
    "broker.conversion": ("转化率", "Conversion rate"),
    "broker.csv": ("下载 CSV", "Download CSV"),
    "broker.no_figures": ("暂无业绩", "No figures yet"),
    "broker.chart.title": ("各期间成交金额（元）", "Volume by period (yuan)"),
    "broker.chart.series": ("成交金额（元）", "Volume (yuan)"),
    "broker.chart.desc": ("{period}：介绍 {introductions} 次，成交 {deals} 笔，金额 {volume}",
                          "{period}: {introductions} introductions, {deals} deals, {volume}"),
    "broker.total": ("合计", "Total"),
    "broker.subsidy": ("技术转移机构业绩补助（上限测算）", "Agency performance subsidy (ceiling)"),
    "broker.subsidy.explain": (
        "按福建省 2019 年措施，对促进技术交易业绩突出的技术转移服务机构，按其促成交易额的最高 2% 给予补助，"
        "每家机构每年最高 50 万元。下表为按本平台生效合同测算的上限，补助以主管部门审核为准。",
        "Under Fujian's 2019 measures, a transfer agency that brokered deals may receive up to 2 % of their volume, "
        "at most 500,000 yuan a year. The table shows the ceiling the contracts in force here allow; the "
        "department decides the award.",
    ),
    "broker.subsidy.ceiling": ("补助上限", "Ceiling"),
    "broker.agency_brokers": ("本机构的技术经纪人", "The agency's brokers"),
    "broker.agency_mandates": ("受托挂牌", "Mandated listings"),
    # mandates
    "mandate.title": ("技术转移机构委托", "Transfer agency mandates"),
    "mandate.explain": (
        "卖方可委托技术转移机构经纪本挂牌：约定佣金比例（从卖方每笔到账款中支付给机构）和委托期限。"
        "委托期内，由该机构技术经纪人介绍并经买方确认的买方，其报价自动载明该机构为经纪方。",
        "The seller may mandate a transfer agency to broker this listing: a commission (paid to the agency from "
        "each payment the seller receives) and a term. Within the term, a buyer its broker introduced, once the "
        "buyer confirms, offers with the agency as broker.",
    ),
    "mandate.none": ("本挂牌尚无委托", "No agency is mandated for this listing"),
    "mandate.term": ("委托期限", "Term"),
    "mandate.may_act": ("可代卖方办理", "May act for the seller"),
    "mandate.yes": ("是", "Yes"),
    "mandate.no": ("否", "No"),
    "mandate.live": ("委托中", "Running"),
    "mandate.ended": ("已解除（{day}）", "Ended ({day})"),
    "mandate.lapsed": ("已期满", "Term over"),
    "mandate.give": ("委托技术转移机构", "Mandate an agency"),
    "mandate.commission_percent": ("佣金比例（%）", "Commission (%)"),
    "mandate.ends_on": ("委托期限至", "Term until"),
    "mandate.submit": ("委托", "Mandate"),
    "mandate.end": ("解除委托", "End the mandate"),
    "mandate.end_reason": ("解除原因", "Reason"),
    "mandate.given": ("已委托。", "The agency is mandated."),
    "mandate.ended_done": ("委托已解除。", "The mandate is ended."),
    # introductions
    "introduction.title": ("居间介绍", "Introductions"),
    "introduction.record": ("记录介绍的买方", "Record a buyer you introduced"),
    "introduction.buyer": ("买方机构", "Buyer organisation"),
    "introduction.note": ("说明（选填）", "Note (optional)"),
    "introduction.submit": ("记录介绍", "Record the introduction"),
    "introduction.recorded": ("已记录介绍，等待买方确认。", "The introduction is recorded; the buyer confirms it."),
    "introduction.confirmed_done": ("已确认介绍。", "The introduction is confirmed."),
    "introduction.declined_done": ("已否认介绍。", "The introduction is declined."),
    "introduction.confirm": ("确认", "Confirm"),
    "introduction.decline": ("否认", "Decline"),
    "introduction.decline_reason": ("原因", "Reason"),
    "introduction.status.awaiting": ("待买方确认", "Awaiting the buyer"),
    "introduction.status.confirmed": ("买方已确认", "Confirmed"),
    "introduction.status.declined": ("买方已否认", "Declined"),
    "introduction.to_confirm": ("待确认的介绍", "Introductions to confirm"),
    "introduction.to_confirm.explain": (
        "以下技术经纪人称曾向贵机构介绍相应挂牌。确认后，委托期内贵机构对该挂牌的报价将载明其机构为经纪方并按委托支付佣金。",
        "These brokers say they introduced your organisation to the listings. Once you confirm, your offers on the "
        "listing within the mandate's term carry their agency as broker, at the mandate's commission.",
    ),
    "introduction.mine": ("我的介绍", "My introductions"),
    "introduction.none": ("暂无介绍", "No introductions"),
    "introduction.listing": ("挂牌", "Listing"),
    "introduction.on": ("介绍日期", "Introduced on"),
    "introduction.by": ("技术经纪人", "Broker"),
    "broker.deals_followed": ("本机构经纪的交易", "Deals the agency brokers"),
    "broker.deals_followed.explain": (
        "可查看报价往来、合同与付款（只读）。", "Read the thread, the contract and the payments (read-only).",
    ),
    "broker.offer": ("报价", "Offer"),
    "broker.contract": ("合同", "Contract"),
    "broker.seller": ("卖方", "Seller"),
    "offer.brokered_by": ("经纪方", "Brokered by"),
    "offer.brokered_by.agency": ("技术转移机构（查看业绩）", "Transfer agency (its performance)"),
}
