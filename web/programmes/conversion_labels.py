"""The conversion pages' labels (zh/en): time-limited conversion of fiscally funded results (限时转化)."""

from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    "field.funder": ("资助单位", "Funder"),
    "funding.help": (
        "由财政资金资助形成的专利：填写资助单位、资助计划、项目编号和结题日期；限时转化计划按结题日期计算转化期限。",
        "A patent that public money paid for: give the funder, the programme, the project number and the date the "
        "funding ended; a conversion programme counts its deadline from that date.",
    ),
    "funding.record": ("保存资助信息", "Save the funding"),
    "funding.recorded": ("资助信息已保存。", "The funding was saved."),
    "programme.kind.conversion": ("财政资助成果限时转化", "Time-limited conversion (funded results)"),
    "conversion.title": ("限时转化", "Time-limited conversion"),
    "conversion.overdue.title": ("逾期未转化的财政资助成果", "Funded results overdue for conversion"),
    "conversion.overdue.help": (
        "以下专利由财政资金资助形成，在转化期限内未许可、未转让且无正当理由。主管部门可依法许可他人实施；"
        "已开放许可的，任何经核验的机构均可按公布的条件实施许可。",
        "These patents were paid for by public money and were neither licensed nor transferred by their "
        "conversion deadline. Their department may license others to use them; where an open licence is "
        "declared, any verified organisation may take it up on the posted terms.",
    ),
    "conversion.none": ("目前没有逾期未转化的专利。", "No funded patent is overdue now."),
    "conversion.queue.title": ("限时转化：本部门的督办清单", "Time-limited conversion: my department's queue"),
    "conversion.queue.help": (
        "到期前 90 天（或计划设定的天数）提示“即将到期”；到期后仍未有已付款的许可或转让，标记为“逾期”。"
        "权利人答复转化计划或在谈交易后暂停督办；逾期的，可依法定依据开放许可或指定被许可人。",
        "A funded patent is flagged “due” 90 days (or the programme's setting) before its deadline, and "
        "“overdue” once it passes without a paid licence or transfer. An owner's answer (a plan or a deal in "
        "progress) pauses the flag; an overdue patent may be opened to others under the recorded legal basis.",
    ),
    "conversion.queue.none": ("暂无需要督办的专利。", "Nothing to follow up."),
    "conversion.mine.title": ("本机构的限时转化事项", "My organisation's conversion deadlines"),
    "conversion.mine.help": (
        "本机构财政资助专利的转化期限。请在到期前许可或转让，或答复转化计划、在谈交易。",
        "The conversion deadlines of your organisation's funded patents: license or transfer before the "
        "deadline, or answer with a conversion plan or a deal in progress.",
    ),
    "conversion.mine.none": ("本机构没有限时转化事项。", "Your organisation has no conversion deadline now."),
    "conversion.patent": ("专利", "Patent"),
    "conversion.owners": ("权利人", "Owners"),
    "conversion.programme": ("限时转化计划", "Conversion programme"),
    "conversion.department": ("主管部门", "Department"),
    "conversion.funding": ("财政资助", "Public funding"),
    "conversion.deadline": ("转化期限", "Conversion deadline"),
    "conversion.warn_from": ("提示起始日", "Warned from"),
    "conversion.status": ("状态", "Status"),
    "conversion.status.due": ("即将到期", "Conversion due"),
    "conversion.status.overdue": ("逾期未转化", "Overdue"),
    "conversion.status.paused": ("已答复，暂停督办", "Answered: paused"),
    "conversion.status.opened": ("已开放许可", "Opened to others"),
    "conversion.status.converted": ("已转化", "Converted"),
    "conversion.legal_basis": ("法律依据", "Legal basis"),
    "conversion.reason": ("理由", "Reason"),
    "conversion.answer": ("权利人答复", "The owner's answer"),
    "conversion.answer.kind": ("答复类型", "Answer"),
    "conversion.answer.plan": ("转化计划", "A conversion plan"),
    "conversion.answer.deal_in_progress": ("在谈或履行中的交易", "A deal in progress"),
    "conversion.answer.text": ("说明", "Details"),
    "conversion.answer.reference": ("交易或合同编号（可选）", "Offer or contract (optional)"),
    "conversion.answer.submit": ("提交答复", "Send the answer"),
    "conversion.answered": ("答复已提交，督办已暂停。", "Your answer was sent; the flag is paused."),
    "conversion.resume": ("恢复督办", "Resume the flag"),
    "conversion.resumed": ("已恢复督办。", "The flag stands again."),
    "conversion.resume_reason": ("恢复督办的理由", "Why the answer does not suffice"),
    "conversion.open": ("开放给他人实施", "Open it to others"),
    "conversion.open.help": (
        "记录法律依据和理由后，由主管部门按所定条件代为发布开放许可（权利人原有挂牌撤下）；"
        "选择“指定被许可人”时，仅所填机构可实施许可。",
        "Record the legal basis and the reason: the department declares an open licence on its terms for the "
        "owner (any live listing of the owner's is withdrawn); with designated licensees only the organisations "
        "named may take it up.",
    ),
    "conversion.opened": ("已开放许可。", "The patent was opened to others."),
    "conversion.mode": ("方式", "How"),
    "conversion.mode.open_licence": ("开放许可（任何经核验的机构）", "Open licence (any verified organisation)"),
    "conversion.mode.designated": ("指定被许可人", "Designated licensees"),
    "conversion.fee": ("许可使用费（元）", "Licence fee (CNY)"),
    "conversion.royalty_rate": ("提成比例（%）", "Royalty (% of net sales)"),
    "conversion.term_years": ("许可期限（年）", "Term (years)"),
    "conversion.licensees": ("被许可机构 ID（每行一个）", "Licensee organisation ids (one a line)"),
    "conversion.listing": ("开放许可挂牌", "The open licence"),
    "conversion.take_up": ("查看并实施开放许可", "See and take up the open licence"),
    "conversion.opened_at": ("开放于", "Opened"),
    "conversion.flagged_at": ("提示于", "Flagged"),
    "conversion.converted_contract": ("已付款的合同", "The paid contract"),
    "conversion.terms": ("转化期限规则", "Deadline rules"),
    "conversion.terms.years": ("结题后年限", "Years after the funding ends"),
    "conversion.terms.years_value": ("结题后 {n} 年", "{n} years after the funding ends"),
    "conversion.terms.warning_days": ("提前提示天数", "Days of warning"),
    "conversion.terms.funder_years": ("按资助单位设定", "Per funder"),
    "conversion.terms.funders": ("适用的资助单位", "Funders watched"),
    "conversion.terms.all_funders": ("全部", "All"),
    "conversion.new": ("新建限时转化计划", "New conversion programme"),
    "conversion.new.help": (
        "限时转化计划不发放补助，只设定转化期限：默认结题后 3 年，可按资助单位另设；到期前提示、逾期督办。",
        "A conversion programme awards nothing: it sets deadlines (by default the funding's end plus 3 years, "
        "per funder where you say so), warns owners before and flags what is overdue.",
    ),
    "conversion.funder_years.help": ("每行“资助单位 年数”，如：国家自然科学基金委员会 5",
                                     "One “funder years” a line, e.g. NSFC 5"),
    "conversion.funders.help": ("每行一个；留空适用全部资助单位", "One a line; empty: every funder"),
    "conversion.queue": ("限时转化督办", "Conversion queue"),
    "conversion.overdue.link": ("逾期未转化清单", "Overdue conversions"),
    "conversion.mine.link": ("本机构的限时转化", "My conversion deadlines"),
    "todo.kind.conversion_due": ("限时转化提示", "Conversion deadlines"),
    "todo.conversion_due": ("即将到期：请许可、转让或答复转化计划", "Due: license, transfer, or answer with a plan"),
    "todo.conversion_due.when": ("转化期限", "deadline"),
    "todo.conversion_overdue": ("已逾期：主管部门可开放给他人实施", "Overdue: the department may open it to others"),
    "todo.conversion_overdue.when": ("期限为", "deadline was"),
    "todo.kind.conversion_review": ("限时转化督办", "Conversions to follow up"),
    "todo.conversion_review": ("逾期或已答复，待处理", "Overdue or answered: to decide"),
    "todo.conversion_review.when": ("转化期限", "deadline"),
    "todo.link.conversions": ("限时转化督办清单", "Conversion queue"),
}
