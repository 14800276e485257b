"""Words of technology development contracts (技术开发合同): kinds, parties, milestones, refusals (zh, en)."""

from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    "deal.commissioned_development": ("委托开发", "commissioned development"),
    "deal.joint_development": ("合作开发", "joint development"),
    "development.title": ("技术开发合同", "Technology development contract"),
    "development.developer": ("研究开发方", "Developer"),
    "development.client": ("委托方 / 合作方", "Client / partner"),
    "development.ownership": ("研究开发成果的归属", "Ownership of the results"),
    "development.ownership.developer": ("研究开发方（《民法典》第八百五十九条）",
                                        "the developer (Civil Code, art. 859)"),
    "development.ownership.joint": ("双方共有（《民法典》第八百六十条）",
                                    "both parties jointly (Civil Code, art. 860)"),
    "development.ownership.client": ("委托方（双方约定）", "the client (as agreed)"),
    "development.confidential": ("保密期限", "Confidentiality"),
    "development.confidential_years.field": (
        "保密期限（合同终止后年数）", "Confidentiality (years after the contract ends)"),
    "development.results.hint": (
        "签署前，双方可约定研究开发成果的归属与保密期限（未约定的，委托开发归研究开发方，合作开发归双方共有，"
        "《民法典》第八百五十九至八百六十一条）。修改后合同文本及其 SHA-256 随之更新；任一方签署后不能再改。",
        "Before signing, the parties may agree who owns the results and how long confidentiality lasts (without "
        "an agreement, a commissioned development's belong to the developer, a joint one's to both: Civil Code, "
        "arts. 859–861). The text and its SHA-256 change with them; once a party has signed they cannot change.",
    ),
    "development.results.agree": ("更新合同条款", "Update the contract"),
    "development.confidential_years": ("合同终止后 {years} 年", "{years} years after the contract ends"),
    "development.demand": ("技术需求", "Technology demand"),
    "development.how": (
        "合同经双方签署即生效，无首付款。研究开发方逐个里程碑记录交付；委托方验收后，该里程碑的款项即到期，"
        "由委托方在本平台支付（银行卡或对公转账），研究开发方所在单位按其收益分配规则分配。",
        "The contract is in force once both parties have signed it; nothing is paid up front. The developer "
        "records each milestone's delivery; once the client accepts it, that milestone's amount falls due and the "
        "client pays it here (card or bank transfer); the developer's institution shares it by its benefit rule.",
    ),
    "development.milestone": ("里程碑", "Milestone"),
    "development.due": ("约定交付日", "Due"),
    "development.state": ("状态", "State"),
    "development.state.open": ("待交付", "to deliver"),
    "development.state.delivered": ("已交付，待验收", "delivered, awaiting acceptance"),
    "development.state.accepted": ("已验收，款项到期", "accepted, payment due"),
    "development.state.paid": ("已验收，款项已付", "accepted and paid"),
    "development.deliver": ("记录交付", "Record delivery"),
    "development.note": ("交付说明", "Delivery note"),
    "development.accept": ("验收通过", "Accept"),
    "development.contract_link": ("技术开发合同", "Development contract"),
}
