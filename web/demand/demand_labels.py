"""The technology demand pages' labels (zh/en); the app factory passes them to the site's vocabulary."""

from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    "nav.demands": ("技术需求", "Demands"),
    "demand.title": ("技术需求（企业出题）", "Technology demands"),
    "demand.help": (
        "企业发布技术需求，高校和科研院所提交密封方案（协同攻关）。方案在征集截止前对发布企业密封，截止后企业筛选、"
        "选定一份，并对其余每份方案给出理由。",
        "Enterprises post technology demands; universities and research institutes answer with sealed proposals. "
        "Proposals stay sealed to the enterprise until the deadline; then it shortlists, awards one and gives every "
        "other proposal a reason.",
    ),
    "demand.search": ("搜索需求", "Search demands"),
    "demand.search_button": ("搜索", "Search"),
    "demand.facet.field": ("技术领域（IPC）", "Technical field (IPC)"),
    "demand.facet.want": ("合作方式", "What is wanted"),
    "demand.all": ("全部", "All"),
    "demand.none": ("没有符合条件的需求。", "No demand matches."),
    "demand.count": ("共 {n} 项需求", "{n} demands"),
    "demand.new": ("发布技术需求", "Post a demand"),
    "demand.new_help": (
        "说清楚要解决的问题、现有方案、目标指标和预算，能收到更多、更好的方案。",
        "Say what the problem is, how it is solved now, the target figures and the budget: clear demands get "
        "more and better proposals.",
    ),
    "demand.enterprise_only": (
        "技术需求由通过审核的企业成员发布。", "Members of verified enterprises post technology demands.",
    ),
    "demand.title_zh": ("中文标题", "Title (Chinese)"),
    "demand.title_en": ("英文标题", "Title (English)"),
    "demand.description_zh": ("中文描述", "Description (Chinese)"),
    "demand.description_en": ("英文描述", "Description (English)"),
    "demand.problem": ("要解决的问题", "The problem"),
    "demand.current_solution": ("现有方案", "How it is solved now"),
    "demand.targets": ("目标指标", "Target figures"),
    "demand.ipc_codes": ("IPC 分类号（逗号分隔）", "IPC codes (comma-separated)"),
    "demand.ipc": ("技术领域", "Technical field"),
    "demand.keywords": ("关键词（逗号分隔）", "Keywords (comma-separated)"),
    "demand.budget": ("预算", "Budget"),
    "demand.budget_min": ("预算下限（元）", "Budget from (yuan)"),
    "demand.budget_max": ("预算上限（元）", "Budget up to (yuan)"),
    "demand.deadline": ("方案征集截止（北京时间当日结束）", "Proposal deadline (end of day, Beijing time)"),
    "demand.wants": ("合作方式", "What is wanted"),
    "demand.want.licence": ("许可使用现有成果", "Licence of existing results"),
    "demand.want.purchase": ("购买（转让）现有成果", "Purchase of existing results"),
    "demand.want.commissioned": ("委托开发", "Commissioned development"),
    "demand.want.joint": ("合作开发", "Joint development"),
    "demand.visibility": ("公开范围", "Who may see it"),
    "demand.visibility.public": ("公开", "Public"),
    "demand.visibility.verified": ("仅限通过审核的机构", "Verified organisations only"),
    "demand.post": ("发布", "Post"),
    "demand.posted_by": ("发布企业", "Posted by"),
    "demand.posted_at": ("发布于", "Posted"),
    "demand.status.open": ("征集中", "Taking proposals"),
    "demand.status.closed": ("征集已截止", "Deadline passed"),
    "demand.status.awarded": ("已选定方案", "Awarded"),
    "demand.figures": ("响应情况", "Response figures"),
    "demand.figure.proposals": ("收到方案", "Proposals received"),
    "demand.figure.days_without": ("发布后无方案天数", "Days since posting without a proposal"),
    "demand.figure.decided": ("已答复（含理由）的方案", "Proposals answered with a reason"),
    "demand.sealed_note": (
        "密封：每份方案提交时，其规范编码（键排序的 JSON）的 SHA-256 记录在事件中；截止之前，发布企业只能看到提交机构、"
        "时间和哈希，看不到内容。方案内容以明文保存在平台的事件日志中，并未加密：这是平台按规则不予展示，而不是"
        "技术上无法读取。",
        "Sealed: when a proposal is submitted, the SHA-256 of its canonical encoding (JSON, keys sorted) is recorded "
        "in its event; until the deadline the enterprise sees only who proposed, when, and the hash — not the content. "
        "The content is stored in clear in the platform's event log, not encrypted: the platform withholds it by rule; "
        "it is not technically unable to read it.",
    ),
    "demand.contract_note": (
        "选定许可或转让方案时，平台会在方案关联的挂牌上自动发起一份报价，后续按常规流程议价、签约和付款。"
        "选定委托开发或合作开发方案时，平台按方案的里程碑拟定技术开发合同，双方签署后逐个里程碑交付、验收和付款。",
        "Awarding a licence or purchase proposal opens the usual offer on its linked listing, negotiated, signed and "
        "paid as usual. Awarding a commissioned or joint development proposal drafts a technology development "
        "contract (技术开发合同) with the proposal's milestones; once both parties sign, each milestone is delivered, "
        "accepted and paid.",
    ),
    "demand.proposals": ("方案", "Proposals"),
    "demand.proposal.organisation": ("提交机构", "Proposed by"),
    "demand.proposal.submitted_at": ("提交于", "Submitted"),
    "demand.proposal.sha256": ("SHA-256", "SHA-256"),
    "demand.proposal.state": ("状态", "State"),
    "demand.proposal.sealed": ("密封至截止", "Sealed until the deadline"),
    "demand.proposal.state.submitted": ("已提交", "Submitted"),
    "demand.proposal.state.shortlisted": ("入围", "Shortlisted"),
    "demand.proposal.state.awarded": ("已选定", "Awarded"),
    "demand.proposal.state.declined": ("未选定", "Not taken"),
    "demand.proposal.want": ("合作方式", "What is proposed"),
    "demand.proposal.approach": ("技术路线", "Approach"),
    "demand.proposal.team": ("团队", "Team"),
    "demand.proposal.listings": ("关联挂牌", "Linked listings"),
    "demand.proposal.price": ("报价", "Price"),
    "demand.proposal.milestones": ("里程碑", "Milestones"),
    "demand.proposal.milestone_title": ("里程碑", "Milestone"),
    "demand.proposal.milestone_due": ("日期", "Due"),
    "demand.proposal.milestone_amount": ("金额（元）", "Amount (yuan)"),
    "demand.proposal.offer": ("已发起报价 →", "The offer opened →"),
    "demand.propose": ("提交方案", "Submit a proposal"),
    "demand.propose_help": (
        "每个机构对一项需求只能提交一份方案，提交后不能修改。截止前方案对发布企业密封。",
        "One proposal per organisation and demand; it cannot be changed once submitted. It stays sealed to the "
        "enterprise until the deadline.",
    ),
    "demand.propose_institutions": (
        "方案由通过审核的高校和科研院所成员提交。",
        "Members of verified universities and research institutes submit proposals.",
    ),
    "demand.login": ("登录后可发布需求或提交方案。", "Log in to post a demand or to propose."),
    "demand.price_yuan": ("报价（元）", "Price (yuan)"),
    "demand.listing_ids": ("关联挂牌编号（许可或转让时必填，逗号分隔）",
                           "Linked listing ids (for a licence or purchase; comma-separated)"),
    "demand.yours": ("本机构的方案", "Your organisation's proposal"),
    "demand.shortlist": ("入围", "Shortlist"),
    "demand.award": ("选定此方案", "Award this proposal"),
    "demand.decline": ("不选定并说明理由", "Decline with a reason"),
    "demand.reason": ("理由", "Reason"),
    "demand.reason_text": ("说明", "Explanation"),
    "demand.reason.too_early": ("技术尚不成熟", "Too early"),
    "demand.reason.benefit_unclear": ("收益不明确", "Benefit unclear"),
    "demand.reason.description_unclear": ("描述不清楚", "Description unclear"),
    "demand.reason.price": ("价格", "Price"),
    "demand.reason.fit": ("不匹配", "Fit"),
    "demand.reason.other": ("其他", "Other"),
    "demand.posted": ("需求已发布。", "The demand is posted."),
    "demand.proposed": (
        "方案已提交，截止前对发布企业密封。", "Proposal submitted; sealed to the enterprise until the deadline.",
    ),
    "demand.decided": ("决定已记录。", "The decision is recorded."),
    "demand.awarded": ("已选定方案。", "The proposal is awarded."),
    "demand.mine": ("本机构的需求", "My organisation's demands"),
}
