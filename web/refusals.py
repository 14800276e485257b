"""Refusals in the reader's words: a domain error's code and values said in Chinese or English, naming the field
by its form label rather than its internal name.

A domain error carries a stable ``code`` (``number.check_character``) and the values its rule mentions
(``expected``, ``got``); the rule is ``refusal.<code>`` in the vocabulary, its values formatted for people
(instants in Beijing time, amounts as money, statuses, sides, roles and deal kinds by their labels). An error
without a code keeps its English rule, led by the field's label instead of the field's internal name; a few
common English rule shapes are still recognised and said in the reader's language (:data:`_SHAPES`).
msgspec's complaints about a body or form are read into codes too (:func:`input_refusal`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from domain.shared.errors import DomainError
from web.formats import money, shown_day
from web.i18n import Vocabulary

#: Rules (``refusal.<code>``) and the field names the site's forms do not label (``refusal.field.<name>``).
REFUSAL_LABELS: dict[str, tuple[str, str]] = {
    # --- what was typed -------------------------------------------------------------------------
    "refusal.required": ("必须填写", "is required"),
    "refusal.unknown_field": ("不是可填写的项目", "is not a field this form takes"),
    "refusal.choice": ("请从给出的选项中选择", "choose one of the values offered"),
    "refusal.type.int": ("须为整数", "must be a whole number"),
    "refusal.type.float": ("须为数字", "must be a number"),
    "refusal.type.str": ("须为文字", "must be text"),
    "refusal.type.bool": ("须为“是”或“否”", "must be yes or no"),
    "refusal.type.array": ("须为一组值", "must be a list of values"),
    "refusal.type.object": ("须为一组字段", "must be a set of fields"),
    "refusal.type.other": ("格式不对", "is not in the right form"),
    "refusal.date": ("日期格式不对，应为 YYYY-MM-DD", "must be a date such as 2025-03-31"),
    "refusal.datetime": ("时间格式不对", "must be a date and time"),
    "refusal.uuid": ("不是有效的编号", "is not a valid id"),
    "refusal.at_least": ("不得小于 {low}", "must be at least {low}"),
    "refusal.at_most": ("不得大于 {high}", "must be at most {high}"),
    "refusal.above": ("须大于 {low}", "must be greater than {low}"),
    "refusal.below": ("须小于 {high}", "must be less than {high}"),
    "refusal.too_long": ("最多 {most} 个字符", "at most {most} characters"),
    "refusal.too_short": ("至少 {least} 个字符", "at least {least} characters"),
    "refusal.too_many": ("最多 {most} 项", "at most {most} items"),
    "refusal.too_few": ("至少 {least} 项", "at least {least} items"),
    "refusal.length": ("须为 {least} 至 {most} 个字符", "must be {least} to {most} characters"),
    "refusal.item": ("第 {n} 项", "item {n}"),
    "refusal.percentage": ("请填写百分比，如 5 或 2.5", "must be a percentage such as 5 or 2.5"),
    "refusal.lines.format": ("第 {line} 行应写作“名称 = 金额（元）”", "line {line} must read 'label = amount in yuan'"),
    "refusal.lines.amount": ("第 {line} 行缺少金额", "line {line} has no amount"),
    # --- the text rule (domain.shared.text) ------------------------------------------------------
    "refusal.text.refused_character": (
        "第 {position} 个字符（{character}）是{reason}，请删除",
        "character {position} ({character}) is {reason}; remove it",
    ),
    "refusal.text.reason.line_break": ("换行符，此处只能填写一行", "a line break, and this field takes one line"),
    "refusal.text.reason.tab": ("制表符，此处只能填写一行", "a tab, and this field takes one line"),
    "refusal.text.reason.bidi": (
        "双向文字控制符（可使文字显示顺序与实际内容不符）",
        "a bidirectional control character (it can make text read differently from what it says)",
    ),
    "refusal.text.reason.control": ("控制字符", "a control character"),
    "refusal.text.reason.format": ("不可见的格式字符", "an invisible format character"),
    "refusal.text.reason.surrogate": ("无效的字符编码（孤立代理项）", "a lone surrogate, which is not a character"),
    # --- patent numbers (domain.catalogue.patent_numbers) -----------------------------------------
    "refusal.number.office": (
        "国家/地区代码须为两个字母的 WIPO ST.3 代码，如 CN 或 US；填写的是“{got}”",
        "the office must be a two-letter WIPO ST.3 code such as CN or US, not “{got}”",
    ),
    "refusal.number.pct": (
        "{number} 是国际（PCT）申请号，请填写进入中国国家阶段后的申请号（类型位为 8 或 9）",
        "{number} is an international (PCT) application number; give the Chinese national-phase "
        "application number (type digit 8 or 9) instead",
    ),
    "refusal.number.cn_application": (
        "“{number}”不是中国专利申请号；应为 12 位数字（年份、类型位、流水号，2003 年 10 月前为 8 位），"
        "再加小数点和校验位，如 202010123456.2",
        "“{number}” is not a Chinese application number; it is 12 digits (year, type digit, serial; 8 digits "
        "before October 2003), a dot and a check character, e.g. 202010123456.2",
    ),
    "refusal.number.cn_digits": (
        "校验位前应有 12 位数字（2003 年 10 月前为 8 位），填写了 {count} 位",
        "a Chinese application number has 12 digits (8 before October 2003) before the check character, not {count}",
    ),
    "refusal.number.check_required": (
        "小数点后须有校验位，如 202010123456.2",
        "the check character is needed after a dot, e.g. 202010123456.2",
    ),
    "refusal.number.year": (
        "12 位申请号以申请年份开头，年份应在 {first} 至 {last} 年之间，填写的是 {got}",
        "the 12-digit number starts with the filing year, which must be from {first} to {last}, not {got}",
    ),
    "refusal.number.short_year": (
        "8 位申请号以两位申请年份开头，应在 85（1985 年）至 03（2003 年）之间，填写的是 {got}",
        "the 8-digit number starts with a two-digit filing year from 85 (1985) to 03 (2003), not {got}",
    ),
    "refusal.number.type_digit": (
        "类型位须为 1（发明）、2（实用新型）、3（外观设计）或 8、9（PCT 国家阶段），填写的是 {got}",
        "the type digit must be 1 (invention), 2 (utility model), 3 (design), 8 or 9 (PCT national phase), not {got}",
    ),
    "refusal.number.check_character": (
        "校验位应为 {expected}，填写的是 {got}，请核对号码",
        "the check character should be {expected}, not {got}; check the number",
    ),
    "refusal.number.other_application": (
        "“{number}”不是 {office} 申请号；应为国家代码（可省略）、字母和至少 4 位数字，如 US13657122",
        "“{number}” is not a {office} application number; give the office code "
        "(optional), then letters and at least four digits, e.g. US13657122",
    ),
    "refusal.number.publication": (
        "“{number}”不是公开号；应以两个字母的国家代码开头，后接号码，如 CN112345678A 或 US20050286606",
        "“{number}” is not a publication number; it starts with a two-letter office "
        "code and then the number, e.g. CN112345678A or US20050286606",
    ),
    "refusal.number.other_publication": (
        "“{number}”不是 {office} 公开号；国家代码后至少应有 3 位数字，如 US20050286606",
        "“{number}” is not a {office} publication number; after the office code "
        "it needs at least three digits, e.g. US20050286606",
    ),
    "refusal.number.cn_publication": (
        "“{number}”不是中国公开号；应为 CN、9 位数字（2007 年前为 7 位）和可选的文献类型代码，如 CN112345678A",
        "“{number}” is not a Chinese publication number; it is CN, 9 digits (7 before "
        "2007) and an optional kind code, e.g. CN112345678A",
    ),
    "refusal.number.cn_publication_digits": (
        "中国公开号应有 9 位数字（2007 年前为 7 位），填写了 {count} 位",
        "a Chinese publication number has 9 digits (7 before 2007), not {count}",
    ),
    "refusal.number.two_kinds": (
        "“{number}”有两个文献类型代码（{first} 和 {second}）",
        "“{number}” has two kind codes ({first} and {second})",
    ),
    "refusal.number.cn_kind": (
        "中国文献类型代码应以 A、B、C、U、Y、S、D 之一开头，填写的是 {got}",
        "a Chinese kind code starts with one of A, B, C, U, Y, S, D, not {got}",
    ),
    "refusal.number.missing": ("请填写申请号或公开号", "give an application number or a publication number"),
    "refusal.title.missing": ("请填写中文或英文标题", "give a title in Chinese or English"),
    # --- amounts -------------------------------------------------------------------------------
    "refusal.amount.whole": ("须为整数金额（以分计）", "must be a whole number of fen"),
    "refusal.amount.negative": ("不能为负数", "must not be negative"),
    "refusal.amount.positive": ("须大于 0", "must be greater than 0"),
    "refusal.amount.too_large": ("不得超过 {most}", "must be at most {most}"),
    "refusal.amount.yuan": (
        "请填写以元为单位的金额，如 500000 或 12.50",
        "must be an amount in yuan, such as 500000 or 12.50",
    ),
    "refusal.amount.decimals": ("最多两位小数", "at most two decimals"),
    "refusal.rate.below_100": ("须不小于 0 % 且小于 100 %", "must be at least 0 % and below 100 %"),
    "refusal.years.range": ("须为 {low} 至 {high} 年", "must be {low} to {high} years"),
    "refusal.listing.price_only_fixed": ("只有一口价挂牌才有挂牌价", "only a fixed-price listing has an asking price"),
    "refusal.listing.open_terms": (
        "开放许可须公布许可费、提成比例和期限",
        "an open licence needs its fee, royalty rate and term posted",
    ),
    "refusal.listing.open_beside_exclusive": (
        "开放许可不能与独占许可或排他许可同时提供",
        "an open licence cannot be offered beside an exclusive or sole licence",
    ),
    "refusal.milestones.names": ("每个里程碑须有不同的名称", "each milestone needs its own name"),
    "refusal.instalments.two": ("分期付款至少两期，或不分期", "give at least two instalments, or none"),
    "refusal.instalments.first_on_signing": (
        "只有第一期可以在签约时支付",
        "only the first instalment may fall due on signing",
    ),
    "refusal.instalments.order": ("各期付款日期须依次递增", "the due dates must be in ascending order"),
    "refusal.instalments.sum": (
        "各期金额合计须等于价格 {price}，现为 {total}",
        "the instalments must add up to the price, {price}, not {total}",
    ),
    "refusal.terms.assignment_scope": (
        "转让是整个专利权的转让，没有许可范围",
        "an assignment transfers the whole patent and has no scope",
    ),
    "refusal.terms.assignment_royalty": (
        "转让没有提成费、年度最低提成费或分许可权",
        "an assignment has no royalty, minimum royalty or sublicensing right",
    ),
    "refusal.terms.licence_scope": (
        "许可须约定实施领域、地域范围和期限",
        "a licence needs a field of use, territory and term",
    ),
    "refusal.trl.range": (
        "技术就绪度须在 {low} 至 {high} 之间",
        "the technology readiness level must be {low} to {high}",
    ),
    "refusal.owners.sum": (
        "各专利权人的份额合计须为 100 %，现为 {total}",
        "the owners' shares must add up to 100 %, not {total}",
    ),
    # --- listings, offers, contracts -----------------------------------------------------------
    "refusal.listing.state": (
        "该挂牌{listing_status}，不能进行此操作",
        "the listing is {listing_status}: this cannot be done",
    ),
    "refusal.listing.no_offers": (
        "该挂牌{listing_status}，不接受报价",
        "the listing is {listing_status} and takes no offers",
    ),
    "refusal.listing.active_exists": (
        "该专利已有进行中的挂牌，请先撤牌",
        "this patent already has an active listing; withdraw it first",
    ),
    "refusal.offer.closed": (
        "该报价{offer_status}，不能再进行此操作",
        "the offer is {offer_status}: this can no longer be done",
    ),
    "refusal.offer.expired": ("该报价已于 {at}过期", "the offer expired at {at}"),
    "refusal.offer.not_your_turn": (
        "现在轮到{side}答复，请等待对方",
        "it is the {side}'s turn to answer; wait for them",
    ),
    "refusal.offer.not_party": ("只有买方或卖方可以答复此报价", "only the buyer or the seller may answer this offer"),
    "refusal.offer.own_listing": (
        "不能对本机构的专利或挂牌报价",
        "you cannot make an offer on your own patent or listing",
    ),
    "refusal.offer.kind_not_offered": ("该挂牌只提供：{kinds}", "this listing offers only: {kinds}"),
    "refusal.time.future": ("须为将来的时间", "must be in the future"),
    "refusal.contract.state": (
        "该合同{contract_status}，不能进行此操作",
        "the contract is {contract_status}: this cannot be done",
    ),
    "refusal.contract.terminated": ("该合同已终止", "the contract was terminated"),
    "refusal.contract.not_party": ("只有合同当事方可以签署", "only a party to the contract may sign it"),
    "refusal.contract.signer": ("只有当事方的机构管理员可以签署", "only an organisation admin of a party may sign"),
    "refusal.contract.already_signed": ("贵机构已签署", "your organisation has already signed"),
    "refusal.contract.consents_missing": ("尚有 {count} 位共有人未同意", "{count} co-owner(s) have not consented yet"),
    "refusal.contract.text_changed": (
        "您阅读后合同文本已有变化，请重新阅读",
        "the contract text changed since you read it; read it again",
    ),
    "refusal.notice.running": (
        "公示期至 {until}止，请在公示期结束后签署",
        "the public notice runs until {until}; sign after it closes",
    ),
    "refusal.notice.closed": ("仅在公示期内受理异议", "objections are taken only while the public notice runs"),
    "refusal.notice.objection_pending": (
        "有异议尚待卖方处理",
        "an objection to the notice awaits the seller's decision",
    ),
    "refusal.notice.objection_upheld": (
        "异议成立，本合同不得签署",
        "an objection was upheld; this contract cannot be signed",
    ),
    "refusal.patent.not_in_force": ("该专利已不再有效", "the patent is no longer in force"),
    "refusal.patent.not_tradable": (
        "该专利{legal_status}，不能交易",
        "the patent is {legal_status}: it cannot be traded",
    ),
    "refusal.patent.reserved": (
        "该专利自 {since}起已为转让合同 {contract} 所保留；除非该合同未生效而终止，不能就此专利另行约定",
        "this patent is reserved for the assignment of contract {contract} since {since}; nothing else can be "
        "agreed on it unless that contract ends without effect",
    ),
    "refusal.licence.overlap": (
        "此许可与该专利已有的独占、排他或开放许可在领域、地域和期限上重叠",
        "this licence would overlap an exclusive, sole or open licence of the patent in field, territory and term",
    ),
    # --- who may ---------------------------------------------------------------------------------
    "refusal.auth.failed": ("邮箱或密码不正确", "e-mail or password is wrong"),
    "refusal.auth.login": ("请先登录", "log in to do this"),
    "refusal.auth.gone": ("您的账户已不存在，请重新登录", "your account no longer exists; log in again"),
    "refusal.auth.deactivated": (
        "您的账户已停用，请联系贵机构的管理员",
        "your account is deactivated; ask your organisation's admin",
    ),
    "refusal.role.needed": ("此操作需要以下角色：{roles}", "this needs the role {roles}"),
    "refusal.email.taken": ("已有账户使用此电子邮箱", "an account with this e-mail address already exists"),
    "refusal.organisation.exists": (
        "该机构已注册，请联系其管理员将您添加为成员",
        "this organisation is already registered; ask its administrator to add you",
    ),
    "refusal.role.valuer": (
        "评估师角色只能随评估师资格一同取得",
        "the valuer role comes only with a valuer accreditation",
    ),
    "refusal.role.platform_only": (
        "只有平台管理员可以授予或撤销：{roles}",
        "only a platform admin can grant or revoke {roles}",
    ),
    "refusal.role.unverified": (
        "贵机构通过平台审核前，只能添加普通成员，不能更改角色",
        "until the platform has verified your organisation you may add plain members and change no roles",
    ),
    "refusal.people.own_organisation": ("只能管理本机构的成员", "you may manage members of your own organisation only"),
    "refusal.people.platform_wide": (
        "拥有平台级角色的账户只能由平台管理员管理",
        "only a platform admin manages accounts with platform-wide roles",
    ),
    "refusal.people.self": ("不能对自己的账户这样做", "you cannot do this to your own account"),
    "refusal.password.same": ("新密码须与当前密码不同", "must differ from the current password"),
    "refusal.password.wrong": ("当前密码不正确", "the current password is not right"),
    "refusal.permission.member": ("只有该机构的成员可以这样做", "only a member of that organisation may do this"),
    "refusal.permission.org_admin": (
        "只有该机构的机构管理员可以这样做",
        "only an organisation admin of that organisation may do this",
    ),
    "refusal.organisation.unverified": (
        "该机构须经平台审核后才能交易",
        "the organisation must be verified by the platform before it can trade",
    ),
    "refusal.access.offer": (
        "只有报价双方、平台管理员和审计员可以查看此报价",
        "only the two parties, platform admins and auditors may see this offer",
    ),
    "refusal.access.contract": (
        "只有合同当事方、共有人、平台管理员和审计员可以查看此合同",
        "only the parties, co-owners, platform admins and auditors may see this contract",
    ),
    "refusal.not_found": ("找不到该记录", "no such record"),
    "refusal.email.form": (
        "请填写电子邮箱地址，如 name@example.org",
        "must be an e-mail address such as name@example.org",
    ),
    # --- field names that forms do not label --------------------------------------------------------
    "refusal.field.patent_id": ("专利", "Patent"),
    "refusal.field.contract_id": ("合同", "Contract"),
    "refusal.field.listing_id": ("挂牌", "Listing"),
    "refusal.field.offer_id": ("报价", "Offer"),
    "refusal.field.obligation_id": ("应付款项", "Payment"),
    "refusal.field.objection_id": ("异议", "Objection"),
    "refusal.field.claim_id": ("权属主张", "Ownership claim"),
    "refusal.field.aggregate_id": ("记录", "Record"),
    "refusal.field.broker_organisation_id": ("经纪机构", "Broker"),
    "refusal.field.amount": ("金额", "Amount"),
    "refusal.field.price": ("价格", "Price"),
    "refusal.field.currency": ("币种", "Currency"),
    "refusal.field.kind": ("交易方式", "Deal type"),
    "refusal.field.terms": ("交易条件", "Terms"),
    "refusal.field.scope": ("许可范围", "Licence scope"),
    "refusal.field.expires_at": ("报价有效期至", "Offer open until"),
    "refusal.field.expected_version": ("版本", "Version"),
    "refusal.field.text_sha256": ("合同文本", "Contract text"),
    "refusal.field.text": ("内容", "Text"),
    "refusal.field.note": ("其他约定", "Other terms"),
    "refusal.field.milestones": ("里程碑付款", "Milestone payments"),
    "refusal.field.instalments": ("分期付款", "Instalments"),
    "refusal.field.name": ("名称", "Name"),
    "refusal.field.reference": ("登记编号", "Registration reference"),
    "refusal.field.period_start": ("报告期起", "Period start"),
    "refusal.field.period_end": ("报告期止", "Period end"),
    "refusal.field.net_sales": ("净销售额", "Net sales"),
    "refusal.field.payment.purpose": ("款项", "Payment"),
    "refusal.field.claim.claim_id": ("扶持申领", "Programme claim"),
    "refusal.field.programme.claim_id": ("扶持申领", "Programme claim"),
    "refusal.field.year": ("年度", "Year"),
    "refusal.field.payee_account": ("收款账号", "Account to pay"),
    "refusal.field.registration_number": ("技术合同登记号", "Technology-contract registration number"),
    "refusal.field.bank_reference": ("银行流水号", "Bank reference"),
    "refusal.field.budget": ("预算", "Budget"),
    "refusal.field.flags": ("资质", "Qualifications"),
    "refusal.field.effective_from": ("生效日期", "In force from"),
    "refusal.field.broker_commission": ("经纪佣金", "Broker commission"),
    "refusal.field.broker_commission_rate": ("经纪佣金比例", "Broker commission rate"),
    "refusal.field.inventor_share": ("发明人奖励比例", "Inventors' share"),
    "refusal.field.rate": ("比例", "Rate"),
    "refusal.field.shares": ("分配", "Shares"),
    "refusal.field.gateway": ("支付方式", "Payment method"),
    "refusal.field.open_licence": ("开放许可", "Open licence"),
    "refusal.field.open_licence.fee": ("开放许可费（元）", "Open-licence fee (CNY)"),
    "refusal.field.open_licence.royalty_rate": ("提成比例 %", "Royalty rate %"),
    "refusal.field.open_licence.term_years": ("许可期限（年）", "Term (years)"),
    "refusal.field.public_funding.programme": ("资助计划", "Programme"),
    "refusal.field.terms.scope": ("许可范围", "Licence scope"),
    "refusal.field.scope.end": ("许可期限止", "Licence term ends"),
    "refusal.field.minimum_annual_royalty": ("年度最低提成费", "Minimum annual royalty"),
    "refusal.field.closes_licence_year": ("结束许可年度", "Closes the licence year"),
    "refusal.field.payments": ("付款", "Payments"),
    "refusal.field.at": ("时间", "Time"),
    "refusal.field.q": ("搜索", "Search"),
    # --- deals (refuse-deals) ---
    "refusal.payment.card_unavailable": (
        "本平台暂未开通银行卡支付，请以对公转账方式付款",
        "card payments are not available here; pay by bank transfer",
    ),
    "refusal.payment.card_limit": (
        "银行卡单笔支付不得超过 {most}，更大金额请以对公转账方式付款",
        "a card payment is at most {most}; larger amounts are paid by bank transfer",
    ),
    "refusal.payment.no_gateway": (
        "平台尚未开通任何付款方式，请联系平台管理员",
        "no way to pay is set up on the platform yet; ask a platform admin",
    ),
    "refusal.payment.no_such": ("本合同没有这笔应付款项", "no such payment is due on this contract"),
    "refusal.payment.paid_from_held": (
        "本期价款由平台以买受人的竞买保证金支付，无需另行付款",
        "this instalment is paid from the winner's auction deposit the platform holds: it is not paid again",
    ),
    "refusal.payment.closed": (
        "该款项{payment_status}，不能重复付款或登记收款",
        "this payment is already {payment_status}",
    ),
    "refusal.payment.amount_due": ("应付金额为 {due}，填写的是 {given}", "{due} is due, not {given}"),
    "refusal.payment.shares_sum": ("各方分得金额合计须等于实收金额", "the shares must add up to the amount paid"),
    "refusal.payment.not_refundable": (
        "该款项{payment_status}，不能退款",
        "a {payment_status} payment cannot be refunded",
    ),
    "refusal.payment.nothing_to_give_back": (
        "该款项{payment_status}，没有需要退还的款项",
        "a {payment_status} payment has no money to give back",
    ),
    "refusal.payment.gateway_gone": (
        "该款项当初使用的付款方式现已停用，无法在线退款",
        "the way this payment was made is no longer set up here; it cannot be refunded",
    ),
    "refusal.payment.transfer_reference": (
        "对公转账须有付款附言编号，供付款方转账时填写",
        "a bank transfer needs a reference for the payer to quote",
    ),
    "refusal.refund.later_first": (
        "本合同此后已付的 {count} 笔款项须先退款",
        "the {count} later payment(s) of this contract must be refunded first",
    ),
    "refusal.refund.changed_hands": (
        "该专利此后已再次转让，本次转让无法撤回",
        "the patent has changed hands again since: the transfer cannot be reversed",
    ),
    "refusal.refund.relisted": (
        "受让方此后已将该专利挂牌，本次转让无法撤回",
        "the new owner has since listed the patent: the transfer cannot be reversed",
    ),
    "refusal.refund.relicensed": (
        "受让方此后已许可他人实施该专利，本次转让无法撤回",
        "the new owner has since licensed the patent: the transfer cannot be reversed",
    ),
    "refusal.refund.transfer_kept": ("本次转让已无法撤回", "the transfer cannot be reversed"),
    "refusal.benefits.institution_only": (
        "只有高等院校或科研机构可以设定发明人奖励比例",
        "only a university or research institute sets an inventors' share",
    ),
    "refusal.benefits.fee_and_commission": (
        "平台服务费与经纪佣金合计不得超过 100 %",
        "the platform fee and the broker commission together may not exceed 100 %",
    ),
    "refusal.benefits.inventor_minimum": (
        "发明人奖励不得低于转让或许可净收入的 50 %（《促进科技成果转化法》第四十五条），填写的是 {got} %",
        "inventors get at least 50 % of the net income from a transfer or licence (Law on Promoting the "
        "Transformation of Scientific and Technological Achievements, art. 45), not {got} %",
    ),
    "refusal.benefits.contributions": (
        "请为每位发明人填写大于 0 % 的贡献份额，合计为 100 %；或者全部不填",
        "give every inventor a contribution share above 0 %, adding up to 100 %, or give none",
    ),
    "refusal.contract.who_ends": (
        "只有当事方的机构管理员或平台管理员可以终止合同",
        "only an organisation admin of a party or a platform admin may end a contract",
    ),
    "refusal.contract.ends_by_refund": (
        "该合同已生效，只能通过退还首笔款项来终止",
        "the contract is in force; it ends through the refund of its first payment",
    ),
    "refusal.contract.ended_by_admin": (
        "该合同（{contract_status}）只能由平台管理员终止",
        "the contract is {contract_status}: only a platform admin can end it",
    ),
    "refusal.contract.consent_admin": (
        "只有机构管理员可以代表本机构表示同意",
        "only an organisation admin may consent for the organisation",
    ),
    "refusal.contract.consent_not_asked": ("本合同无需贵机构同意", "your organisation's consent is not asked for"),
    "refusal.contract.already_consented": ("贵机构已表示同意", "your organisation has already consented"),
    "refusal.contract.party_registers": (
        "只有合同当事方可以登记备案信息",
        "only a party to the contract may record its registration",
    ),
    "refusal.contract.party_milestone": (
        "只有合同当事方可以确认里程碑达成",
        "only a party to the contract may record a milestone",
    ),
    "refusal.contract.reference_recorded": ("该登记编号已经登记过了", "this reference is already recorded"),
    "refusal.contract.not_reserved": (
        "该专利已不再为本许可保留",
        "the licence is no longer reserved on the patent",
    ),
    "refusal.patent.not_owned": ("卖方已不再拥有该专利", "the seller no longer owns this patent"),
    "refusal.consent.unregistered_co_owner": (
        "该专利的共有人中有未在本平台注册的单位，无法在此表示同意，因此只能提供普通许可",
        "a co-owner who is not an organisation on the marketplace cannot consent here; "
        "only a non-exclusive licence can be offered",
    ),
    "refusal.objection.unknown": ("本合同没有这项异议", "there is no such objection on this contract"),
    "refusal.objection.decided": ("该异议已处理（{objection_status}）", "the objection was already {objection_status}"),
    "refusal.milestone.unknown": ("本合同没有名为“{name}”的里程碑", "the contract has no milestone “{name}”"),
    "refusal.milestone.reached": ("里程碑“{name}”已确认达成", "milestone “{name}” was already reached"),
    "refusal.royalty.licences_only": ("只有许可合同才需报告提成", "royalties are reported on licences only"),
    "refusal.royalty.closes_year": (
        "只有报告期止于许可年度最后一天的报告，才结束该许可年度",
        "a report closes its licence year exactly when it ends on the year's last day",
    ),
    "refusal.royalty.credit": (
        "抵扣额超过本年度已收取的最低提成费",
        "more than the minimum royalty charged for this year",
    ),
    "refusal.royalty.minimum_charged": (
        "截至 {day} 的许可年度最低提成费已经收取",
        "the minimum royalty of the licence year to {day} was already charged",
    ),
    "refusal.royalty.not_a_year_left": (
        "{day} 不是尚未报告的完整许可年度的最后一天",
        "{day} does not end a whole licence year left unreported",
    ),
    "refusal.royalty.before_licence": ("{day} 早于许可开始日 {start}", "{day} is before the licence starts on {start}"),
    "refusal.royalty.first_period": (
        "首期提成报告应从许可开始日 {expected} 起算，填写的是 {got}",
        "the first royalty report starts on {expected}, the licence start, not {got}",
    ),
    "refusal.royalty.next_period": (
        "提成报告须逐期衔接：上一期已报告至 {previous}，本期应从 {expected} 起算，填写的是 {got}",
        "royalty reports follow on from each other: the last ran to {previous}, so the next starts on {expected}, "
        "not {got}",
    ),
    "refusal.royalty.beyond_term": (
        "报告期须在许可期限内，许可期限至 {day} 止",
        "the period must lie within the licence term, which ends on {day}",
    ),
    "refusal.royalty.one_year": (
        "每份提成报告只能在一个许可年度之内，本许可年度至 {day} 止",
        "a royalty report lies within one licence year; this one ends on {day}",
    ),
    "refusal.period.order": ("不得早于报告期起", "must not be before the period start"),
    "refusal.rate.basis_points": (
        "须为 0 至 10000 之间的整数（以万分之一计）",
        "must be a whole number of basis points from 0 to 10000",
    ),
    "refusal.time.zone": ("须注明时区", "must carry a time zone"),
    "refusal.offer.commission_without_broker": (
        "只有经纪机构可以收取佣金，请先选择经纪机构",
        "only a broker organisation earns a commission",
    ),
    "refusal.offer.broker_is_party": ("经纪机构不能是买方或卖方", "the broker must not be the buyer or the seller"),
    "refusal.offer.broker_kind": ("经纪机构须为技术转移机构", "a broker must be a technology transfer agency"),
    "refusal.offer.commission_room": (
        "经纪佣金与平台服务费（{fee} %）合计不得超过每笔款项的 100 %，佣金最多为 {most} %",
        "the broker commission and the platform fee ({fee} %) together may not exceed 100 % of a payment; "
        "at most {most} %",
    ),
    "refusal.offer.counter_kind": (
        "还价不能改变交易方式；如需其他交易方式，请重新报价",
        "a counter-offer keeps the deal kind; make a new offer instead",
    ),
    "refusal.offer.still_open": ("该报价有效期至 {at}，尚未到期", "the offer runs until {at}"),
    "refusal.offer.currency": ("该挂牌以 {currency} 计价", "the listing is priced in {currency}"),
    "refusal.field.organisation_id": ("机构", "Organisation"),
    "refusal.field.credit": ("抵扣额", "Credit"),
    "refusal.field.year_end": ("许可年度末", "Licence year end"),
    # --- valuation, accounts, programmes (refuse-valuation) ---
    "refusal.amount.at_most_value": ("不得高于算出的评估值 {most}", "must be at most the computed value {most}"),
    "refusal.amount.at_least_value": ("不得低于算出的评估值 {least}", "must be at least the computed value {least}"),
    "refusal.valuation.basis_after_today": ("不得晚于今天（{today}）", "must not be after today ({today})"),
    "refusal.valuation.negative_value": (
        "评估方法算出的价值为负数，请检查输入", "the method gave a negative value; check the inputs",
    ),
    "refusal.valuation.other_patent": ("所选评估针对的是另一项专利", "that assessment is of another patent"),
    "refusal.valuation.state": ("该评估当前为“{valuation_status}”", "the assessment is {valuation_status}"),
    "refusal.valuation.own_agency": (
        "只有出具该评估的评估机构可以替代它", "only the agency that recorded an assessment may supersede it",
    ),
    "refusal.valuation.countersign_admin": (
        "只有出具该评估的评估机构的管理员可以副署",
        "only an admin of the agency that recorded the assessment may countersign it",
    ),
    "refusal.valuation.unsigned": (
        "该评估登记于电子签名启用之前，没有已签署的报告",
        "the assessment was recorded before signing existed; it has no signed report",
    ),
    "refusal.valuation.countersign_self": (
        "签署报告的评估师不能再副署", "the valuer who signed the report cannot also countersign it",
    ),
    "refusal.valuation.countersigned": ("该评估已副署", "the assessment is already countersigned"),
    "refusal.valuation.digest": (
        "与评估师签署的报告摘要不一致", "that is not the digest of the report the valuer signed",
    ),
    "refusal.valuation.withdraw_who": (
        "只有登记该评估的评估师或其评估机构的管理员可以撤回",
        "only the valuer who recorded the assessment or an admin of the agency may withdraw it",
    ),
    "refusal.valuation.owner": (
        "存在利益冲突：贵机构是该专利的权利人", "conflict of interest: your organisation owns this patent",
    ),
    "refusal.valuation.deal_party": (
        "存在利益冲突：贵机构是该专利一项进行中交易的当事方",
        "conflict of interest: your organisation is a party to an open deal on this patent",
    ),
    "refusal.valuation.finite": ("须为有限的数字", "must be a finite number"),
    "refusal.valuation.too_large": (
        "数值须小于 10^15，请改用更大的单位（如万元）", "must be below 10^15 in size; choose a larger unit (e.g. 万元)",
    ),
    "refusal.valuation.fraction_below_1": (
        "须为不小于 0 且小于 1 的小数（0.1 即 10 %）", "must be a fraction at least 0 and below 1 (0.1 = 10 %)",
    ),
    "refusal.valuation.fraction": ("须为 0 至 1 之间的小数（1 即全部）", "must be a fraction from 0 to 1 (1 = all)"),
    "refusal.valuation.costs_zero": (
        "专利与被许可方的成本不能同时为 0", "the patent's and the licensee's costs cannot both be 0",
    ),
    "refusal.valuation.years_zero": (
        "已使用年限与剩余年限不能同时为 0", "years used and remaining years cannot both be 0",
    ),
    "refusal.valuation.one_line": ("须为一行，最多 {most} 个字符", "must be one line of at most {most} characters"),
    "refusal.valuer.agency_member": (
        "只有评估机构的成员可以登记为评估师", "only members of a valuation agency can be accredited as valuers",
    ),
    "refusal.valuer.expires_after_today": (
        "资格有效期须晚于今天（{today}）", "the accreditation must expire after today ({today})",
    ),
    "refusal.valuer.expires_after": (
        "须晚于当前有效期（{expiry}）和今天（{today}）",
        "must be after the current expiry ({expiry}) and after today ({today})",
    ),
    "refusal.valuer.revoked": ("该评估师资格已被撤销", "the accreditation is revoked"),
    "refusal.valuer.accredited": (
        "该用户已登记为评估师，请改为续期", "this user is already accredited; renew the accreditation instead",
    ),
    "refusal.valuer.not_accredited": (
        "您尚未登记为评估师，请联系平台办理", "you are not an accredited valuer; ask the platform to accredit you",
    ),
    "refusal.valuer.revoked_on": (
        "您的评估师资格已于 {on} 被撤销，不能登记评估",
        "your accreditation was revoked on {on}; you may not record assessments",
    ),
    "refusal.valuer.starts_on": (
        "您的评估师资格自 {on} 起生效，此前不能登记评估",
        "your accreditation starts on {on}; you may not record assessments before",
    ),
    "refusal.valuer.expired_on": (
        "您的评估师资格已于 {on} 到期，不能登记评估",
        "your accreditation expired on {on}; you may not record assessments",
    ),
    "refusal.valuer.not_on_basis_date": (
        "您在 {day} 不具备有效的评估师资格", "you were not an accredited valuer on {day}",
    ),
    "refusal.organisation.verified": ("该机构已通过核验", "the organisation is already verified"),
    "refusal.organisation.inventor_share": (
        "须为 50 %（《促进科技成果转化法》第四十五条规定的下限）至 100 %，填写的是 {got} %",
        "must be 50 % (the legal floor of the Law on Promoting the Transformation of Scientific and "
        "Technological Achievements, art. 45) to 100 %, not {got} %",
    ),
    "refusal.organisation.rule_set": ("已是现行规则，无需重新设定", "this rule is already set"),
    "refusal.organisation.flags_recorded": ("这些资质已登记", "these qualifications are already recorded"),
    "refusal.people.deactivated": (
        "该账户已停用，请先恢复后再授予角色", "the account is deactivated; reactivate it before granting it a role",
    ),
    "refusal.role.held": ("该用户已拥有“{role}”角色", "the user already has the role {role}"),
    "refusal.role.member": (
        "“成员”角色人人都有，不能撤销；如要将其移出本机构，请停用其账户",
        "every account holds the member role, so it cannot be revoked; to remove someone from the "
        "organisation, deactivate the account",
    ),
    "refusal.role.not_held": ("该用户没有“{role}”角色", "the user does not have the role {role}"),
    "refusal.role.not_old_grant": ("“{role}”不是该用户的旧授权", "{role} is not an old grant of this user"),
    "refusal.people.already_deactivated": ("该账户已停用", "the account is already deactivated"),
    "refusal.people.active": ("该账户未停用", "the account is active"),
    "refusal.people.erased": ("此人的个人信息已删除", "this person was erased"),
    "refusal.password.changed_meanwhile": (
        "密码刚被修改，请重新输入当前密码", "the password was changed meanwhile; give the current one again",
    ),
    "refusal.claim.state": (
        "该申领当前为“{award_status}”，不能这样处理", "the claim is {award_status}; this cannot be done",
    ),
    "refusal.claim.registration_required": (
        "按计划规则须填写技术合同登记号", "the programme's rule requires the technology-contract registration number",
    ),
    "refusal.claim.nothing_fits": (
        "预算或上限已无余额可用于此项奖补", "nothing of this award fits the budget or the caps any more",
    ),
    "refusal.claim.not_committed": ("尚未为此申领预留预算", "no budget is committed for this claim"),
    "refusal.claim.recovery_exceeds": (
        "应退回金额超过该申领尚未退回的奖补", "more than what is left of the award would be owed back",
    ),
    "refusal.claim.other_organisation": ("该申领属于其他机构", "this claim is another organisation's"),
    "refusal.claim.busy": (
        "其他人正在审批该计划的申领，请稍后再试", "others are approving claims of this programme right now; try again",
    ),
    "refusal.agency_subsidy.not_agency": ("机构业绩补助由技术转移机构申领",
                                          "a technology transfer agency claims this subsidy"),
    "refusal.agency_subsidy.unverified": ("本机构尚未通过平台审核", "the agency is not verified by the platform yet"),
    "refusal.agency_subsidy.not_agency_programme": ("该计划不是技术转移机构业绩补助",
                                                    "the programme is no agency performance subsidy"),
    "refusal.agency_subsidy.year_outside": ("该计划的期间为 {starts_on} 至 {ends_on}",
                                            "the programme runs from {starts_on} to {ends_on}"),
    "refusal.agency_subsidy.future": ("该年度尚未开始", "a year not begun has no deals"),
    "refusal.agency_subsidy.nothing_to_claim": ("该年度没有可申领的付款，或已达年度上限",
                                                "no payment of the year is left to claim, or the cap leaves nothing"),
    "refusal.agency_subsidy.basis_changed": (
        "申领计入的 {payments} 笔付款在申领后已退款或合同已解除；该申领已撤回，机构可重新申领其余付款",
        "{payments} payment(s) the claim counts were refunded, or their contract terminated, after the claim was "
        "made; the claim is withdrawn and the agency may claim the other payments again"),
    "refusal.agency_subsidy.flags": ("该计划要求的资质本机构不具备：{flags}",
                                     "the programme asks qualifications the agency does not hold: {flags}"),
    "refusal.programme.state": ("该计划当前为“{programme_status}”", "the programme is {programme_status}"),
    "refusal.programme.closed": ("该计划已结束", "the programme is closed"),
    "refusal.programme.beneficiary": ("此类计划的受益方为{side}", "this kind of programme rewards the {side}"),
    # --- innovation vouchers ---
    "refusal.voucher.one_share": ("创新券只设一个抵用比例", "a voucher covers one share of a cost (one rate)"),
    "refusal.voucher.share": (
        "创新券抵用比例须大于 0 且不超过 50 %", "a voucher covers more than 0 % and at most 50 % of a cost",
    ),
    "refusal.voucher.not_a_voucher_programme": (
        "只有科技创新券计划才能发放创新券", "only an innovation-voucher programme issues vouchers",
    ),
    "refusal.voucher.budget": ("预算余额仅剩 {remaining}，不足以发放", "the budget holds only {remaining} more"),
    "refusal.voucher_application.state": (
        "该申请已处理（{application_status}）", "the application is already {application_status}",
    ),
    "refusal.voucher_application.sent_twice": ("该申请已提交", "this application was sent already"),
    "refusal.voucher.not_an_enterprise": ("创新券只发给经平台审核的企业", "vouchers go to verified enterprises"),
    "refusal.voucher.not_qualified": (
        "该企业未经认定为计划规定的资质（科技型中小企业或创客等）",
        "the enterprise is not verified as the programme requires (a technology SME or a maker, say)",
    ),
    "refusal.voucher.region": ("该企业不在{region}", "the enterprise is outside {region}"),
    "refusal.voucher.annual_cap": (
        "发放后该企业本年度创新券将超过上限 {cap}（已获 {already}）",
        "the enterprise's vouchers this year would pass the cap of {cap} ({already} issued already)",
    ),
    "refusal.voucher.valid_until": (
        "有效期不得早于今天（{today}）", "a voucher is valid until today ({today}) or later",
    ),
    "refusal.voucher.after_programme": (
        "有效期不得晚于计划结束日期（{ends_on}）",
        "a voucher is valid at the latest until the programme ends ({ends_on})",
    ),
    "refusal.voucher.named_twice": ("同一企业被选了两次", "an enterprise is named twice"),
    "refusal.voucher.bonus_needs_provider": (
        "服务机构奖励只适用于通兑（服务机构兑付）方式", "a provider bonus goes with provider redemption (通兑)",
    ),
    "refusal.voucher.provider_region": (
        "卖方（服务机构）位于{region}，该创新券只能用于{accepted}的服务机构",
        "the seller (the provider) is in {region}; this voucher pays providers in {accepted} only",
    ),
    "refusal.voucher.provider_region_unknown": (
        "卖方（服务机构）未登记可识别的所在地区，无法核对该创新券接受的地区（{accepted}），因此不能使用创新券",
        "the seller (the provider) has no recognisable region on record, so it cannot be checked against the "
        "regions this voucher accepts ({accepted}); the voucher cannot be used",
    ),
    "refusal.voucher.provider_region_name": (
        "“{got}”不是平台可识别的省、市名称或行政区划代码（如 福建、厦门、上海、350000）",
        "“{got}” is not a province or city the platform knows, nor a GB/T 2260 code (e.g. 福建, 厦门, 上海, 350000)",
    ),
    "refusal.voucher.regions_only_vouchers": (
        "只有科技创新券计划才限定服务机构地区（补助和奖励计划请用“卖方所在地区”）",
        "only an innovation-voucher programme names its providers' regions (a subsidy or reward names the "
        "seller's region)",
    ),
    "refusal.voucher.bonus_only_vouchers": (
        "只有科技创新券计划才设服务机构奖励", "only an innovation-voucher programme pays provider bonuses",
    ),
    "refusal.voucher.busy": (
        "其他人正在发放该计划的创新券，请稍后再试",
        "others are issuing vouchers of this programme right now; try again",
    ),
    "refusal.voucher.other_organisation": ("该创新券属于其他机构", "the voucher is another organisation's"),
    "refusal.voucher.not_the_payer": ("这笔款项不由本机构支付", "this payment is not your organisation's to pay"),
    "refusal.voucher.already_applied": ("该创新券已用于这笔付款", "the voucher is already applied to this payment"),
    "refusal.voucher.state": ("该创新券当前为“{voucher_status}”", "the voucher is {voucher_status}"),
    "refusal.voucher.expired": (
        "该创新券的有效期至 {valid_until}，已过期", "the voucher was valid until {valid_until}",
    ),
    "refusal.voucher.still_valid": (
        "该创新券有效期至 {valid_until}，尚未过期", "the voucher is valid until {valid_until}",
    ),
    "refusal.voucher.service": ("该创新券不能支付此类服务", "the voucher does not pay for this service"),
    "refusal.voucher.nothing_left": (
        "该创新券已无余额可用于这笔付款", "nothing of the voucher is left to spend on this payment",
    ),
    "refusal.voucher.amount_too_high": (
        "这笔付款最多可抵用 {most}，填写的是 {given}", "the voucher pays at most {most} of this payment, not {given}",
    ),
    "refusal.voucher.no_redemption": ("该创新券未用于这笔付款", "the voucher was not applied to this payment"),
    "refusal.voucher.redemption_state": (
        "该笔抵用当前为“{redemption_status}”，不能这样处理",
        "the redemption is {redemption_status}; this cannot be done",
    ),
    "refusal.voucher.unpaid": (
        "这笔付款当前为“{payment_status}”；买方付清其应付部分后才能兑付创新券",
        "the payment is {payment_status}; the voucher part is settled once the buyer's part is received",
    ),
    "refusal.payment.funds_locked": (
        "这笔付款当前为“{payment_status}”；资金来源须在付款前申报，付款开始后不能更改",
        "the payment is {payment_status}; the source of funds is declared before paying and cannot change once a "
        "payment has started",
    ),
    "refusal.field.funds_source": ("资金来源", "Source of funds"),
    "refusal.payment.voucher_applied": ("这笔付款已使用了创新券", "a voucher is already applied to this payment"),
    "refusal.payment.voucher_too_late": (
        "这笔付款当前为“{payment_status}”；通兑创新券须在付款前（或银行转账到账前）使用",
        "the payment is {payment_status}; a provider-redeemed voucher is applied before paying (or before a bank "
        "transfer arrives)",
    ),
    "refusal.payment.voucher_after_paying": (
        "这笔付款当前为“{payment_status}”；通用创新券在付款完成后申请报销",
        "the payment is {payment_status}; a reimbursement voucher is claimed once paid",
    ),
    "refusal.payment.voucher_part": (
        "创新券抵用金额须大于 0 且少于付款金额", "the voucher part is more than 0 and less than the payment",
    ),
    "refusal.field.voucher_id": ("创新券", "Voucher"),
    "refusal.field.face_value": ("面额", "Face value"),
    "refusal.field.valid_until": ("有效期至", "Valid until"),
    "refusal.field.batch_key": ("批次号", "Batch"),
    "refusal.field.application_id": ("创新券申请", "Voucher application"),
    "refusal.field.token": ("表单", "Form"),
    "refusal.field.purpose": ("用途", "Purpose"),
    "refusal.field.reason": ("理由", "Reason"),
    "refusal.field.organisation_ids": ("企业", "Enterprise"),
    "refusal.field.services": ("可支付的服务", "Services"),
    "refusal.field.application_reference": ("申请编号", "Application number"),
    "refusal.field.redemption_model": ("兑付方式", "Redemption"),
    "refusal.field.rules.share_tech_sme_bp": ("科技型中小企业的比例（%）", "Share for a technology SME (%)"),
    "refusal.field.rules.redemption_model": ("兑付方式", "Redemption"),
    "refusal.field.rules.services": ("可支付的服务", "Services"),
    "refusal.field.rules.tiers": ("比例（%）", "Rate (%)"),
    "refusal.programme.ends_before_start": ("结束日期不得早于开始日期", "the programme must end on or after its start"),
    "refusal.programme.effective_from": (
        "新版本的生效日期不得早于上一版本（{latest}）",
        "a new version takes effect on or after the last one ({latest})",
    ),
    "refusal.programme.no_rate": ("请至少填写一个比例", "give at least one rate"),
    "refusal.programme.tier_unbounded": ("只有最后一档可以不设上限", "only the last tier is unbounded"),
    "refusal.programme.tiers_rise": ("各档上限须逐档递增", "tiers must rise"),
    "refusal.programme.officer": (
        "计划由主管部门的计划管理员负责", "programmes are run by officers of a government organisation",
    ),
    "refusal.programme.other_organisation": ("该计划属于其他机构", "this programme belongs to another organisation"),
    "refusal.programme.evaluated": ("该笔付款已评估过", "this payment was already evaluated"),
    "refusal.programme.sent_twice": ("该请求已处理", "this request was answered already"),
    "refusal.idempotency_key": (
        "须为 8 至 100 个字母、数字或 . _ : -", "give 8 to 100 letters, digits or . _ : -",
    ),
    "refusal.field.idempotency_key": ("请求标识", "Request key"),
    "refusal.rate.up_to_100": ("须为 0 % 至 100 %", "must be 0 % to 100 %"),
    "refusal.field.technical_factor": ("技术修正系数", "Technical factor"),
    "refusal.field.economic_factor": ("经济修正系数", "Economic factor"),
    "refusal.field.time_factor": ("时间修正系数", "Time factor"),
    "refusal.field.term_factor": ("年限修正系数", "Remaining-life factor"),
    "refusal.field.region_factor": ("地域修正系数", "Region factor"),
    "refusal.field.rules.tiers.rate_bp": ("比例（%）", "Rate (%)"),
    "refusal.field.tiers.rate_bp": ("比例（%）", "Rate (%)"),
    "refusal.rate.percent_100": (
        "请填写 0 至 100 之间的百分比，最多两位小数", "give a rate in percent from 0 to 100, at most two decimals",
    ),
    # --- catalogue and audit (refuse-catalogue) ---
    "refusal.listing.maturity_or_trl": ("请选择成熟度或填写技术就绪度", "choose a maturity stage or give a TRL"),
    "refusal.organisation.unverified_register": (
        "{organisation}须经平台审核后才能登记专利",
        "{organisation} must be verified by the platform before it can register patents",
    ),
    "refusal.organisation.unverified_list": (
        "{organisation}须经平台审核后才能挂牌专利",
        "{organisation} must be verified by the platform before it can list patents",
    ),
    "refusal.organisation.unverified_answer": (
        "{organisation}须经平台审核后才能答复专利登记",
        "{organisation} must be verified by the platform before it can answer for a patent",
    ),
    "refusal.organisation.unverified_claim": (
        "{organisation}须经平台审核后才能提出权属主张",
        "{organisation} must be verified by the platform before it can file an ownership claim",
    ),
    "refusal.registration.own_organisation_owner": (
        "贵机构须为该专利的专利权人之一",
        "your organisation must be one of the patent's owners",
    ),
    "refusal.patent.owner_member": (
        "只有专利权人机构的成员可以进行此操作",
        "only a member of the patent's owner organisation may do this",
    ),
    "refusal.listing.owner_only": (
        "只有专利权人机构可以挂牌该专利",
        "only the patent's owner organisation may list it",
    ),
    "refusal.listing.own_only": ("只有挂牌机构可以修改该挂牌", "only the organisation that listed it may change it"),
    "refusal.number.registered": ("该号码的专利已登记", "a patent with this number is already registered"),
    "refusal.number.different": ("号码与原登记不一致", "the number differs from the one registered"),
    "refusal.registration.not_named_owner": (
        "只有登记为该专利专利权人的机构可以答复",
        "only an organisation named as an owner of this patent may answer for it",
    ),
    "refusal.registration.registrant_only": (
        "只有登记该专利的机构可以撤回其登记",
        "only the organisation that registered this patent may withdraw its registration",
    ),
    "refusal.registration.assigned": (
        "该专利已通过本平台转让，其登记不能撤回",
        "the patent was assigned through the marketplace; its registration cannot be withdrawn",
    ),
    "refusal.registration.open_deals": (
        "该专利尚有进行中的报价或尚未生效的合同，须待其结束后才能撤回登记",
        "the registration cannot be withdrawn while offers or contracts not yet in force are open; they must end first",
    ),
    "refusal.registration.live_licences": (
        "该专利尚有有效的许可，须待其终止后才能撤回登记",
        "the registration cannot be withdrawn while licences of the patent are live; they must end first",
    ),
    "refusal.registration.withdrawn": (
        "该专利的登记已撤回，不能进行此操作",
        "the registration of this patent was withdrawn: this cannot be done",
    ),
    "refusal.registration.unconfirmed": (
        "须待共有人确认登记后才能进行此操作（尚待：{waiting}）",
        "this waits until the co-owners confirm the registration (awaiting {waiting})",
    ),
    "refusal.registration.no_co_ownership": (
        "贵机构没有待确认的该专利共有权",
        "your organisation has no co-ownership of this patent awaiting its answer",
    ),
    "refusal.registration.listing_open": ("请先关闭该专利进行中的挂牌", "close the patent's active listing first"),
    "refusal.claim.registration_withdrawn": (
        "该登记已撤回，此号码可以重新登记，无需提出权属主张",
        "this registration was already withdrawn; the number can be registered again",
    ),
    "refusal.claim.own_registration": (
        "该专利由贵机构登记，请直接撤回登记",
        "your organisation registered this patent; withdraw the registration instead",
    ),
    "refusal.claim.duplicate": (
        "贵机构已对本次登记提出过权属主张",
        "your organisation has already filed a claim against this registration",
    ),
    "refusal.claim.registration_gone": (
        "该主张所针对的登记已撤回，请驳回该主张",
        "the registration this claim is against was already withdrawn; dismiss the claim",
    ),
    "refusal.claim.decided": ("该主张已有裁决：{claim_status}", "this claim was already decided: {claim_status}"),
    "refusal.patent.status_unchanged": (
        "该专利的法律状态已是“{legal_status}”",
        "the patent's legal status is already {legal_status}",
    ),
    "refusal.patent.term_running": ("该专利的保护期尚未届满", "the patent's term has not ended"),
    "refusal.patent.no_expiry": (
        "该专利的法律状态为“{legal_status}”，不会届满失效",
        "a patent whose status is {legal_status} does not expire",
    ),
    "refusal.listing.not_active": ("这不是该专利当前的挂牌", "this is not the patent's active listing"),
    "refusal.listing.unchanged": ("挂牌条件没有任何改动", "nothing was changed"),
    "refusal.deal.already_open": ("该交易已在进行中", "this deal is already open"),
    "refusal.licence.none_granted": ("没有可以生效的已授予许可", "there is no granted licence to bring into force"),
    "refusal.licence.term_order": ("许可期限的结束日须晚于开始日", "the licence term must end after it starts"),
    "refusal.transfer.changed_hands_again": (
        "该专利此后已再次易主，不能退回转让",
        "the transfer cannot be reversed: the patent has changed hands again since",
    ),
    "refusal.transfer.listed_since": (
        "新专利权人此后已挂牌该专利，不能退回转让",
        "the transfer cannot be reversed: the new owner has since listed the patent",
    ),
    "refusal.transfer.licensed_since": (
        "新专利权人此后已许可他人实施该专利，不能退回转让",
        "the transfer cannot be reversed: the new owner has since licensed the patent",
    ),
    "refusal.owners.duplicate": ("同一机构只能列出一次", "an organisation may appear only once"),
    "refusal.inventors.all_or_none": (
        "请为每位发明人填写大于 0 % 的贡献比例，或全部不填",
        "give every inventor a contribution share above 0 %, or none",
    ),
    "refusal.inventors.sum": (
        "各发明人的贡献比例合计须为 100 %，现为 {total}",
        "the inventors' shares must add up to 100 %, not {total}",
    ),
    "refusal.patent_type.mismatch": (
        "按申请号的类型位，这是{declared_type}专利，而不是{patent_type}专利",
        "the application number's type digit means {declared_type}, not {patent_type}",
    ),
    "refusal.number.office_mismatch": (
        "公开号的国家代码 {office} 与国家/地区 {jurisdiction} 不一致",
        "the publication number's office {office} does not match the jurisdiction {jurisdiction}",
    ),
    "refusal.date.before_filing": ("不得早于申请日", "must not be before the filing date"),
    "refusal.ipc.form": (
        "“{got}”不是有效的 IPC 分类号，应写作如 A21D 13/00、A21D、A21 或 A",
        "“{got}” is not an IPC code; write it like A21D 13/00, A21D, A21 or A",
    ),
    "refusal.ipc.unknown": (
        "{ipc} 不在 IPC 分类表（{edition} 版）中",
        "{ipc} is not in the IPC scheme (edition {edition})",
    ),
    "refusal.currency.code": (
        "须为三个字母的 ISO 4217 货币代码，如 CNY，填写的是“{got}”",
        "must be a three-letter ISO 4217 currency code such as CNY, not “{got}”",
    ),
    "refusal.version.stale": (
        "该记录已被他人修改，请刷新后重试",
        "the record was changed by someone else meanwhile; reload and try again",
    ),
    "refusal.audit.version_or_time": ("请填写版本或时间，不能两者都填", "give either a version or a time, not both"),
    "refusal.audit.none_at": ("在 {at}尚无此记录", "there was no such record yet at {at}"),
    "refusal.audit.versions": ("该记录只有第 1 至 {last} 版", "the record has versions 1 to {last} only"),
    "refusal.field.evidence": ("证据", "Evidence"),
    "refusal.field.scope.field_of_use": ("实施领域", "Field of use"),
    "refusal.field.scope.territory": ("地域范围", "Territory"),
    # --- time-limited conversion (限时转化) ---
    "refusal.days.range": ("须为 {low} 至 {high} 天", "must be {low} to {high} days"),
    "refusal.programme.conversion_terms": (
        "限时转化计划须设定转化期限规则，其他计划不得设定",
        "only a conversion programme, and every one, sets conversion terms",
    ),
    "refusal.conversion.not_due": ("转化期限尚未临近", "the conversion deadline is not near yet"),
    "refusal.conversion.flagged": ("该专利已被提示", "the patent is already flagged"),
    "refusal.conversion.state": ("该限时转化事项当前为“{conversion_status}”", "the conversion is {conversion_status}"),
    "refusal.conversion.not_overdue": (
        "只有逾期未转化的专利才能开放给他人实施（当前为“{conversion_status}”）",
        "only an overdue conversion is opened to others (it is {conversion_status})",
    ),
    "refusal.conversion.owner_only": (
        "只有专利权人机构的成员才能答复", "only a member of the patent's owner organisation answers",
    ),
    "refusal.conversion.officer_only": (
        "只有该计划主管部门的计划管理员才能处理", "only the programme's department's officers act on it",
    ),
    "refusal.conversion.no_owner": (
        "该专利没有可以许可的权利人机构", "the patent has no owner organisation to license it",
    ),
    "refusal.conversion.licensees": ("请指定 1 至 {most} 个被许可机构", "designate 1 to {most} licensees"),
    "refusal.conversion.licensee_unverified": (
        "{organisation}尚未经平台审核", "{organisation} is not a verified organisation",
    ),
    "refusal.conversion.not_designated": (
        "该许可仅向主管部门指定的被许可人开放",
        "this licence is open to the licensees the programme officer designated only",
    ),
    "refusal.conversion.funder_years": ("请按“资助单位 年数”填写", "give a funder and a number of years"),
    "refusal.conversion.whole_number": ("请填写整数", "give whole numbers"),
    "refusal.listing.declared_by_officer": (
        "该开放许可由主管部门依限时转化发布，权利人不能修改或撤回",
        "a programme officer declared this open licence (time-limited conversion); its owner cannot change it",
    ),
    "refusal.field.conversion_id": ("限时转化事项", "Conversion"),
    "refusal.field.licensee_ids": ("被许可机构", "Licensees"),
    "refusal.field.legal_basis": ("法律依据", "Legal basis"),
    "refusal.field.public_funding.funder": ("资助单位", "Funder"),
    "refusal.field.public_funding.project_reference": ("项目编号", "Project reference"),
    "refusal.field.rules.conversion": ("转化期限规则", "Conversion terms"),
    "refusal.field.rules.conversion.years": ("结题后年限", "Years after the funding ends"),
    "refusal.field.rules.conversion.warning_days": ("提前提示天数", "Days of warning"),
    "refusal.field.rules.conversion.legal_basis": ("法律依据", "Legal basis"),
    "refusal.field.rules.conversion.funder_years": ("按资助单位设定", "Per funder"),
    # --- demand: enquiries and materials (issue 13) ---
    "refusal.enquiry.own_listing": (
        "本机构不能咨询自己的挂牌",
        "an organisation does not enquire about its own listing",
    ),
    "refusal.enquiry.not_seller": (
        "只有卖方机构的成员可以这样做",
        "only a member of the seller organisation may do this",
    ),
    "refusal.enquiry.not_party": (
        "只有咨询方和卖方参与此咨询",
        "only the enquirer and the seller take part in this thread",
    ),
    "refusal.enquiry.not_enquirer": ("只有咨询方机构可以这样做", "only the enquiring organisation may do this"),
    "refusal.enquiry.full": (
        "一个咨询最多 {most} 条消息，请据此报价或直接联系",
        "a thread holds at most {most} messages; make an offer instead",
    ),
    "refusal.enquiry.busy": (
        "其他人正在此咨询中留言，请稍后再试",
        "others are writing in this thread right now; try again",
    ),
    "refusal.enquiry.terms_changed": (
        "保密条款在您阅读后已修改，请重新阅读后再接受",
        "the confidentiality terms changed since they were shown; read them again",
    ),
    "refusal.enquiry.no_terms": ("该挂牌尚无保密条款", "this listing has no confidentiality terms yet"),
    "refusal.access.enquiry": (
        "只有咨询方、卖方、平台管理员和审计员可以查看此咨询",
        "only the enquirer, the seller, platform admins and auditors may read this thread",
    ),
    "refusal.material.empty": ("文件是空的", "the file is empty"),
    "refusal.material.too_large": ("每个文件不得超过 {most_mb} MB", "a file is at most {most_mb} MB"),
    "refusal.material.type": (
        "只接受 PDF 文件和图片（PNG、JPEG、WebP），该文件两者都不是",
        "only PDF files and images (PNG, JPEG, WebP) are accepted; this file is neither",
    ),
    "refusal.material.truncated": (
        "PDF 文件不完整（缺少文件结束标记）",
        "the PDF file is cut short (no end-of-file marker)",
    ),
    "refusal.material.extension": (
        "文件名须以 {extensions} 结尾，与文件内容相符",
        "the name must end in {extensions}, as the file's content is",
    ),
    "refusal.material.too_many": (
        "每个挂牌最多 {most} 份资料，请先删除一份",
        "a listing holds at most {most} materials; remove one first",
    ),
    "refusal.material.busy": ("挂牌资料正在被修改，请稍后再试", "the listing's materials changed meanwhile; try again"),
    "refusal.material.confidential": (
        "该资料为保密资料，须咨询卖方并接受保密条款后方可下载",
        "this material is released to enquirers who accepted the listing's confidentiality terms",
    ),
    "refusal.material.missing": ("文件不在资料库中", "the file is missing from the material store"),
    "refusal.field.enquiry_id": ("咨询", "Enquiry"),
    "refusal.field.message_id": ("消息编号", "Message id"),
    "refusal.field.enquiry.kind": ("咨询类型", "Kind of enquiry"),
    "refusal.field.enquiry.text": ("咨询内容", "Message"),
    "refusal.field.content": ("文件", "File"),
    "refusal.field.access": ("公开范围", "Who may read it"),
    "refusal.field.sha256": ("资料", "Material"),
    "refusal.field.terms_sha256": ("保密条款", "Confidentiality terms"),
    # --- technology-contract registration (market, 技术合同认定登记) ---
    "refusal.tech_registration.region_code": (
        "行政区划代码应为 6 位数字（GB/T 2260，如 350100 福州市），填写的是“{got}”",
        "a region code is six digits of GB/T 2260 (e.g. 350100 for Fuzhou), not “{got}”",
    ),
    "refusal.tech_registration.country_code": (
        "国别代码应为 3 位数字（海关总署 2003，中国为 142），填写的是“{got}”",
        "a country code is three digits (GAC 2003; China is 142), not “{got}”",
    ),
    "refusal.tech_registration.nature_code": (
        "性质代码须从所列代码中选择，填写的是“{got}”", "the nature code must be one of the codes listed, not “{got}”",
    ),
    "refusal.package.curator_only": (
        "科技成果包由科技主管部门的项目管理人员或已认证技术转移机构的成员遴选",
        "achievement packages are curated by programme officers and members of verified transfer agencies",
    ),
    "refusal.package.not_curator": ("只有遴选机构的成员可以编辑此成果包",
                                    "only the curator organisation's members edit this package"),
    "refusal.package.listing_not_published": ("成果包只收录挂牌中的成果", "a package presents published listings only"),
    "refusal.package.title": ("请填写中文或英文名称", "give the package a title in Chinese or English"),
    "refusal.package.too_many": ("一个成果包最多收录 {limit} 项成果", "a package presents at most {limit} listings"),
    "refusal.package.date_past": ("发布日期须为今天或以后", "the publication date is today or later"),
    "refusal.package.empty": ("每一版至少收录一项成果", "an edition presents at least one listing"),
    "refusal.package.id_taken": ("此请求编号已用于另一成果包，请重新打开表单再提交",
                                 "this request key was used for another package; open the form again and send it"),
    "refusal.package.busy": ("此成果包正在被修改，请稍后再试", "the package is changing right now; try again"),
    "refusal.tech_registration.term_order": ("合同有效期的截止日期须晚于起始日期", "the term must end after it starts"),
    "refusal.tech_registration.signed_on": ("合同签订日期以合同为准", "the signing date is the contract's"),
    "refusal.tech_registration.number_format": (
        "合同登记编号应为 16 位数字，填写的是 {got} 位", "the registration number is 16 digits; {got} were given",
    ),
    "refusal.tech_registration.number_recorded": (
        "该合同已记录了另一个登记编号", "another registration number is already recorded for this contract",
    ),
    "refusal.tech_registration.number_taken": (
        "该登记编号已记录在另一份合同上", "this registration number is recorded for another contract",
    ),
    "refusal.tech_registration.numbered": (
        "登记机构已为该登记表编号，变更须重新办理认定登记",
        "the registry has numbered this record; a change is registered anew",
    ),
    "refusal.tech_registration.not_signed": (
        "合同须经各方签署后方可办理认定登记", "a contract is registered once every party has signed it",
    ),
    "refusal.tech_registration.not_prepared": ("请先填写并保存登记表", "prepare the registration record first"),
    "refusal.tech_registration.seller_only": (
        "技术合同认定登记由卖方机构的成员办理", "the seller's members register the contract",
    ),
    "refusal.tech_registration.busy": (
        "同事正在保存该登记表，请稍后再试", "colleagues are saving this record right now; try again",
    ),
    "refusal.tech_registration.subject_unclear": (
        "标的不明确：请填写项目名称", "the subject is unclear: give the project's name",
    ),
    "refusal.tech_registration.type_mismatch": (
        "合同类别与合同内容不符", "the contract type does not match the contract",
    ),
    "refusal.tech_registration.price_unclear": ("价款不明确：请填写成交额", "the price is unclear: give the amount"),
    "refusal.tech_registration.amount_below_price": (
        "成交额不得低于合同约定的价款", "the amount may not be below the contract's price",
    ),
    "refusal.tech_registration.income_missing": (
        "请填写技术交易额（技术性收入）", "give the technology income",
    ),
    "refusal.tech_registration.income_exceeds_amount": (
        "金额不一致：技术交易额不得超过成交额",
        "the amounts are inconsistent: the technology income exceeds the amount",
    ),
    "refusal.tech_registration.term_missing": ("请填写合同有效期限", "give the contract's term"),
    "refusal.tech_registration.term_before_signing": (
        "合同有效期须在签订日期之后届满", "the term must end after the signing date",
    ),
    "refusal.tech_registration.term_before_milestones": (
        "合同有效期须至最后一个里程碑的交付日，与合同内容一致",
        "the term must run to the last milestone's due date, as the contract says",
    ),
    "refusal.tech_registration.party_code_missing": ("登记表须填写此项", "the form requires this"),
    "refusal.tech_registration.transfer_figures_missing": (
        "技术转让合同须填写此项", "a technology transfer's form requires this",
    ),
    "refusal.claim.registration_not_recorded": (
        "该合同尚未记录技术合同登记号，请先在合同的认定登记页记录",
        "no technology-contract registration number is recorded for this contract yet; record it on the "
        "contract's registration page first",
    ),
    "refusal.claim.registration_mismatch": (
        "与该合同记录的技术合同登记号不一致", "differs from the registration number recorded for this contract",
    ),
    "refusal.related_parties.same": ("请填写两个不同的机构", "name two different organisations"),
    "refusal.related_parties.marked": (
        "这两个机构刚刚已被标记为关联方", "these organisations were just marked related",
    ),
    "refusal.related_parties.not_marked": ("这两个机构未被标记为关联方", "these organisations are not marked related"),
    "refusal.field.related_organisation_id": ("关联机构", "Related organisation"),
    "refusal.related_parties.no_match": (
        "没有名称或编号为“{given}”的机构", "no organisation is named “{given}” or has that id",
    ),
    "refusal.related_parties.ambiguous": (
        "有多个机构的名称包含“{given}”，请从查找结果中选择其编号",
        "several organisations' names contain “{given}”; pick one by its id from the search results",
    ),
    "refusal.claim.order_registration_after_signing": (
        "技术合同登记早于合同签订，日期顺序不符", "the registration was recorded before the contract was signed",
    ),
    **{f"refusal.field.tech_registration.{name}": pair for name, pair in {
        "project_name": ("项目名称", "Project name"), "contract_type": ("合同类别", "Contract type"),
        "term_start": ("有效期自", "Term from"), "term_end": ("有效期至", "Term until"),
        "amount": ("成交额", "Amount"), "technology_income": ("技术交易额", "Technology income"),
        "expected_investment": ("预计新增投入", "Expected new investment"),
        "expected_output": ("预计新增产值", "Expected new output"), "number": ("合同登记编号", "Registration number"),
        "signed_on": ("合同签订日期", "Signing date"),
        **{f"{side}.{code}": (f"{zh_side}{zh}", f"{en_side} {en}")
           for side, zh_side, en_side in (("seller", "卖方", "Seller's"), ("buyer", "买方", "Buyer's"))
           for code, zh, en in (("nature_code", "性质", "nature code"), ("country_code", "国别代码", "country code"),
                                ("region_code", "行政区划代码", "region code"))},
    }.items()},
    # --- demand: technology demands (企业出题) and sealed proposals (协同攻关), issue 13 ---
    "refusal.demand.money": ("金额应在 0 至 {most} 之间", "an amount is between 0 and {most}"),
    "refusal.demand.budget_range": ("预算上限不得低于下限", "the budget's upper end must not be below its lower end"),
    "refusal.demand.deadline": (
        "征集截止日期应在今天之后、{most} 天之内（北京时间）",
        "the proposal deadline is a day after today and within {most} days (Beijing time)",
    ),
    "refusal.demand.title_missing": ("请填写中文或英文标题", "give a title in Chinese or English"),
    "refusal.demand.description_missing": ("请用中文或英文描述需求", "describe the need in Chinese or English"),
    "refusal.demand.want_not_asked": ("该需求未征集此类合作", "the demand does not ask for this"),
    "refusal.demand.listing_needed": (
        "许可或转让方案须关联所提供成果的挂牌", "a licence or purchase proposal names the listing it offers",
    ),
    # technology development contracts and clarifications (issue 13)
    "refusal.development.terms_signed": (
        "研究开发成果的归属与保密期限须在任何一方签署之前约定",
        "the ownership of the results and the confidentiality are agreed before either party signs",
    ),
    "refusal.development.confidential_years": (
        "保密期限为合同终止后 1 至 {most} 年", "confidentiality lasts 1 to {most} years after the contract ends"),
    "refusal.development.text_clause": (
        "合同文本中找不到成果归属条款，无法修改", "the contract text does not hold its clause on the results"),
    "refusal.development.results_only": (
        "只有技术开发合同约定研究开发成果的归属",
        "the ownership of the results is agreed on development contracts only",
    ),
    "refusal.development.not_delivered": (
        "里程碑“{name}”尚未交付，交付后才能验收", "milestone “{name}” is not delivered yet; accept it once it is"),
    "refusal.development.only": ("只有技术开发合同记录交付", "deliveries are recorded on development contracts only"),
    "refusal.development.no_milestones": (
        "技术开发合同按里程碑付款，须有金额", "a development contract pays by milestones and needs a price"),
    "refusal.demand.clarifying": (
        "需求已退回企业澄清，重新提交前不接收方案，也不能选定方案",
        "the demand was sent back for clarification; until it is resubmitted it takes no proposals or awards",
    ),
    "refusal.demand.not_sent_back": ("只有被退回澄清的需求才能重新提交", "only a demand sent back is resubmitted"),
    "refusal.demand.not_reviewer": (
        "只有平台或持证技术经纪人可以将需求退回澄清",
        "only the platform or an accredited technology broker sends a demand back for clarification",
    ),
    "refusal.demand.not_open": ("已选定方案的需求不能退回", "an awarded demand is not sent back"),
    "refusal.demand.not_proposer": ("只有提交方案的机构可以答复", "only the proposing organisation answers"),
    "refusal.demand.no_question": ("没有待答复的提问", "no question awaits an answer"),
    "refusal.demand.thread_full": ("该方案的问答已满 {most} 条", "this thread has its {most} entries"),
    "refusal.demand.milestones_over_price": ("里程碑金额合计超过报价", "the milestones add up to more than the price"),
    "refusal.match.not_seller": (
        "只有挂牌方机构的成员可以查看其匹配的技术需求", "only the seller's members see a listing's matching demands",
    ),
    "refusal.demand.not_owner": (
        "只有发布该需求的企业可以作出决定", "only the enterprise that posted the demand decides",
    ),
    "refusal.demand.sealed": (
        "方案在征集截止（{deadline} 北京时间当日结束）之前密封，截止后才能查看和决定",
        "proposals are sealed until the deadline ({deadline}, end of day Beijing time) has passed",
    ),
    "refusal.demand.own": ("机构不能应答自己发布的需求", "an organisation does not answer its own demand"),
    "refusal.demand.closed": ("方案征集已于 {deadline} 截止", "the proposal deadline ({deadline}) has passed"),
    "refusal.demand.proposed_already": (
        "本机构已就该需求提交方案，方案提交后不能更改", "your organisation has proposed on this demand already",
    ),
    "refusal.demand.full": ("该需求已收到最多 {most} 份方案", "this demand has all the {most} proposals it takes"),
    "refusal.demand.decided": ("该方案已有决定", "this proposal is decided already"),
    "refusal.demand.awarded": ("该需求已选定其他方案", "another proposal was awarded already"),
    "refusal.demand.busy": (
        "其他人正在应答该需求，请稍后再试", "others are answering this demand right now; try again",
    ),
    "refusal.demand.enterprise_only": ("技术需求由企业发布", "technology demands are posted by enterprises"),
    "refusal.demand.institution_only": (
        "方案由高校和科研院所提交", "proposals come from universities and research institutes",
    ),
    "refusal.demand.listing_not_yours": (
        "方案只能关联本机构已发布的挂牌", "a proposal links only its organisation's published listings",
    ),
    "refusal.demand.id_taken": ("此请求编号已用于另一需求，请重新打开表单再提交",
                                "this request key was used for another demand; open the form again and send it"),
    "refusal.demand.no_licence": ("方案关联的挂牌不提供许可", "the proposal's listing offers no licence"),
    **{f"refusal.field.{name}": pair for name, pair in {
        "description_zh": ("中文描述", "Description (Chinese)"),
        "description_en": ("英文描述", "Description (English)"),
        "problem": ("要解决的问题", "The problem"), "current_solution": ("现有方案", "Current solution"),
        "targets": ("目标指标", "Target figures"), "budget_min": ("预算下限", "Budget from"),
        "budget_max": ("预算上限", "Budget up to"), "deadline": ("截止日期", "Deadline"),
        "wants": ("合作方式", "What is wanted"), "visibility": ("公开范围", "Visibility"),
        "want": ("合作方式", "What is proposed"), "approach": ("技术路线", "Approach"), "team": ("团队", "Team"),
        "listing_ids": ("关联挂牌", "Linked listings"), "demand_id": ("技术需求", "Demand"),
        "proposal_id": ("方案", "Proposal"),
    }.items()},
    "refusal.field.demand.reason": ("理由", "Reason"),
    "refusal.field.demand.text": ("说明", "Explanation"),
    "refusal.field.demand.milestones": ("里程碑", "Milestones"),
    "refusal.field.demand.price": ("报价", "Price"),
    # --- brokers and transfer agencies (技术经纪人, 委托, 居间介绍) ---
    "refusal.broker.accredited": ("该用户已登记为技术经纪人，请改为续期",
                                  "this user is already accredited; renew the accreditation instead"),
    "refusal.broker.agency_unverified": ("该技术转移机构尚未通过平台审核，其成员不能登记为技术经纪人",
                                         "the transfer agency is not verified yet: its members cannot be accredited"),
    "refusal.broker.agency_member": ("只有技术转移机构的成员可以登记为技术经纪人",
                                     "only members of a technology transfer agency can be accredited as brokers"),
    "refusal.broker.expired": ("该技术经纪人资格已于 {expiry} 到期", "the broker's accreditation expired on {expiry}"),
    "refusal.broker.expires_after": ("须晚于当前有效期（{expiry}）和今天（{today}）",
                                     "must be after the current expiry ({expiry}) and after today ({today})"),
    "refusal.broker.expires_after_today": ("资格有效期须晚于今天（{today}）",
                                           "the accreditation must expire after today ({today})"),
    "refusal.broker.not_accredited": ("只有经平台登记的技术经纪人可以办理",
                                      "only brokers accredited by the platform may do this"),
    "refusal.broker.revoked": ("该技术经纪人资格已被撤销", "the broker's accreditation is revoked"),
    "refusal.introduction.buyer_only": ("只有被介绍的买方机构成员可以确认或否认介绍",
                                        "only the introduced buyer's members answer an introduction"),
    "refusal.introduction.confirmed": ("该介绍已被确认", "the introduction is confirmed"),
    "refusal.introduction.declined": ("该介绍已被买方否认", "the buyer declined the introduction"),
    "refusal.introduction.buyer_trading": ("只能介绍经平台认证、可参与交易的机构（主管部门除外）",
                                           "introduce a verified organisation that may buy (not a government "
                                           "department)"),
    "refusal.introduction.exists": ("该买方已被介绍到此挂牌", "this buyer was already introduced to the listing"),
    "refusal.introduction.not_mandated": ("您的机构未受托经纪此挂牌",
                                          "your agency holds no mandate for this listing"),
    "refusal.introduction.party": ("买方须是卖方和经纪机构以外的机构",
                                   "the buyer must be another organisation than the seller and the agency"),
    "refusal.mandate.agency_kind": ("请委托经平台认证的技术转移机构",
                                    "mandate a verified technology transfer agency"),
    "refusal.mandate.commission": ("佣金比例须大于 0 % 且小于 100 %",
                                   "the commission must be above 0 % and below 100 %"),
    "refusal.mandate.ends_after_today": ("委托期限须至少到今天（{today}）",
                                         "the term must end today ({today}) or later"),
    "refusal.mandate.live": ("该机构已持有此挂牌的有效委托，请先解除",
                             "this agency already holds a live mandate for the listing; end it first"),
    "refusal.mandate.not_live": ("该委托不在有效期内", "the mandate is not running"),
    "refusal.mandate.self": ("卖方不能委托自己", "the seller cannot mandate itself"),
    "refusal.mandate.seller_admin": ("只有卖方机构的管理员可以委托经纪机构",
                                     "only the seller's organisation admin mandates an agency"),
    "refusal.mandate.too_long": ("委托期限最长五年", "a mandate runs at most five years"),
    "refusal.offer.broker_introduced": ("贵机构经受托经纪机构的技术经纪人介绍而来，报价须由该机构经纪",
                                        "you were introduced by a mandated agency's broker; the offer carries "
                                        "that agency"),
    "refusal.offer.commission_mandated": ("佣金比例由委托约定为 {rate} %",
                                          "the mandate sets the commission at {rate} %"),
    **{f"refusal.field.{name}": pair for name, pair in {
        "agency_id": ("技术转移机构", "Transfer agency"), "commission": ("佣金比例", "Commission"),
        "ends_on": ("委托期限至", "Term until"), "may_act": ("可代为办理", "May act for the seller"),
        "buyer_organisation_id": ("买方机构", "Buyer organisation"), "introduction_id": ("介绍", "Introduction"),
        "mandate_id": ("委托", "Mandate"), "broker": ("技术经纪人", "Broker"),
        "credential_number": ("证书编号", "Certificate number"), "note": ("说明", "Note"),
    }.items()},
    # --- saved searches and follows (notifications) ---
    "refusal.search.limit": ("每位用户最多保存 {limit} 个搜索，请先删除一个",
                             "a user keeps at most {limit} saved searches; delete one first"),
    "refusal.search.busy": ("您保存的搜索正在被修改，请稍后再试",
                            "your saved searches are being changed right now; try again"),
    "refusal.follow.busy": ("此关注正在被修改，请稍后再试", "this follow is being changed right now; try again"),
    "refusal.field.search_id": ("保存的搜索", "Saved search"),
    # --- auctions (issue 15) ---
    "refusal.auction.deposit_rate": (
        "保证金比例应在 5 % 至 20 % 之间", "the deposit is between 5 % and 20 % of the start",
    ),
    "refusal.auction.full": ("已达上限（{most}）", "the limit ({most}) is reached"),
    "refusal.auction.rules": ("登记前须接受竞买规则", "accept the session's rules to register"),
    "refusal.auction.not_registered": (
        "请先登记竞买并接受规则", "register for the session (and accept its rules) first",
    ),
    "refusal.auction.bid_too_low": ("出价至少为 {least}", "bid at least {least}"),
    "refusal.auction.bid_step": ("出价应为起拍价加加价幅度（{increment}）的整数倍",
                                 "bid the start plus a whole multiple of the increment ({increment})"),
    "refusal.auction.money": ("金额应在 {least} 至 {most} 之间", "an amount between {least} and {most}"),
    "refusal.auction.window": ("竞价时间应从现在或以后开始、结束晚于开始且不超过 60 天",
                               "the window opens now or later and closes after it opens, within 60 days"),
    "refusal.auction.not_owner": ("只有挂牌的权利人可以同意拍卖", "only the listing's owner consents to its lot"),
    "refusal.auction.lot_state": ("拍品当前状态不允许此操作", "the lot's state does not allow this"),
    "refusal.auction.own_lot": ("权利人不能竞买自己的拍品", "the owner does not bid on its own lot"),
    "refusal.auction.runner_bids": ("拍卖人不得在自己组织的拍卖会上竞买（《拍卖法》第二十二条）",
                                    "the agency running the session does not bid in it (Auction Law art. 22)"),
    "refusal.auction.closed": ("竞价已结束", "bidding has closed"),
    "refusal.auction.not_open": ("竞价尚未开始", "bidding has not opened yet"),
    "refusal.auction.no_deposit": ("该竞买人未发起保证金支付", "no deposit was started for this bidder"),
    "refusal.auction.deposit_state": ("保证金状态不允许此操作", "the deposit's state does not allow this"),
    "refusal.auction.deposit_needed": ("您的保证金尚未到账，不能出价", "your deposit has not been received"),
    "refusal.auction.own_bid": ("您已是最高出价人", "you hold the highest bid already"),
    "refusal.auction.still_open": ("竞价尚未结束", "bidding is still open"),
    "refusal.auction.reserve": ("保留价应为空或不低于起拍价", "the reserve is none, or at least the start"),
    "refusal.auction.id_taken": ("此请求编号已用于另一拍卖会，请换一个再提交",
                                 "this request key was used for another session; send it with a new one"),
    "refusal.auction.id_held": ("该记录应使用的编号已被其他记录占用，无法保存，请联系平台",
                                "the id this record is derived to is held by another record; it cannot be saved, "
                                "tell the platform"),
    "refusal.auction.deposit_by_transfer": ("保证金请以对公转账方式交纳", "deposits are paid by bank transfer"),
    "refusal.auction.runner": ("拍卖会由平台管理员或经认证的技术转移机构的机构管理员组织，且机构只能管理自己的拍卖会",
                               "a platform admin, or an org admin of a verified transfer agency for its own sessions, "
                               "runs auction sessions"),
    "refusal.auction.when": ("请填写日期和时间（北京时间），如 2026-03-02T10:00",
                             "give a date and time (Beijing time) such as 2026-03-02T10:00"),
    "refusal.auction.busy": ("出价过于集中，请重试", "many bids are arriving at once; try again"),
    "refusal.auction.settle_days": ("买受人签约付款期限应为 {least} 至 {most} 天",
                                    "the winner's term is {least} to {most} days"),
    "refusal.auction.term_runs": ("买受人签约付款期限尚未届满（至 {until}）", "the winner's term to sign and pay runs "
                                  "until {until}"),
    "refusal.auction.winner_paid": ("买受人已付款，不能没收保证金", "the winner has paid: nothing is forfeited"),
    "refusal.auction.payment_underway": ("买受人的付款正在支付渠道处理中，暂不没收保证金",
                                         "the winner's payment is under way at the payment provider: nothing is "
                                         "forfeited"),
    "refusal.auction.paid_late": ("买受人在期限届满后才付款", "the winner paid after its term"),
    **{f"refusal.field.{name}": pair for name, pair in {
        "session_id": ("拍卖会", "Session"), "lot_id": ("拍品", "Lot"), "start_price": ("起拍价", "Starting price"),
        "reserve": ("保留价", "Reserve"), "increment": ("加价幅度", "Increment"), "opens_at": ("开始时间", "Opens"),
        "closes_at": ("结束时间", "Closes"), "accept_rules": ("竞买规则", "Rules"),
        "deposit_rate": ("保证金比例", "Deposit rate"),
    }.items()},
    # --- sealed-bid lots (issue 15) ---
    "refusal.auction.format": ("本拍品不以此方式竞价", "the lot is not sold this way"),
    "refusal.auction.commitment": ("承诺值应为 SHA-256 摘要（64 位小写十六进制）",
                                   "a commitment is a SHA-256 digest (64 lowercase hex digits)"),
    "refusal.auction.committed": ("您已对本拍品提交密封报价，不能更改", "you committed a bid on this lot already"),
    "refusal.auction.reveal_not_open": ("开标期在报价截止后开始", "the reveal window opens at the commit deadline"),
    "refusal.auction.reveal_closed": ("开标期已结束", "the reveal window has closed"),
    "refusal.auction.no_commitment": ("您未对本拍品提交密封报价", "you committed no bid on this lot"),
    "refusal.auction.salt": ("随机盐应为 32 至 128 位小写十六进制", "the salt is 32 to 128 lowercase hex digits"),
    "refusal.auction.revealed": ("您的报价已开标", "your bid was revealed already"),
    "refusal.auction.reveal_mismatch": ("金额与随机盐不符合您提交的承诺值",
                                        "this amount and salt do not give the digest you committed"),
    "refusal.auction.declined": ("权利人已拒绝拍卖此拍品，不能再同意或竞买",
                                 "the owner declined this lot: it can no longer be consented to or bid on"),
    "refusal.auction.consent_late": ("拍品竞价已开始，不能再同意拍卖；请拍卖会组织者另行安排",
                                     "the lot's bidding window has opened, so it can no longer be consented to; ask "
                                     "the session's runner for a new lot"),
    "refusal.auction.listing_unavailable": ("该挂牌已撤回、暂停或已售出，不能拍卖",
                                            "the listing has been withdrawn, suspended or sold: it cannot be "
                                            "auctioned"),
    **{f"refusal.field.{name}": pair for name, pair in {
        "commitment": ("承诺值", "Commitment"), "salt": ("随机盐", "Salt"),
        "reveal_closes_at": ("开标截止时间", "Reveal window ends"), "auction_format": ("竞价方式", "Format"),
    }.items()},
}

#: Values named by their labels: a parameter's name and the label prefix of its values.
_VALUE_LABELS = {
    "offer_status": "offer.status.",
    "contract_status": "contract.status.",
    "listing_status": "status.",
    "legal_status": "legal.",
    "side": "side.",
    "roles": "role.",
    "role": "role.",
    "kinds": "deal.",
    "payment_status": "payment.status.",
    "objection_status": "objection.",
    "valuation_status": "valuation.status.",
    "award_status": "award.status.",
    "programme_status": "programme.status.",
    "conversion_status": "conversion.status.",
    "voucher_status": "voucher.status.",
    "redemption_status": "voucher.redemption.status.",
    "claim_status": "claim.status.",
    "declared_type": "type.",
    "patent_type": "type.",
}
#: Parameters that are amounts in fen.
_AMOUNTS = ("most", "price", "total", "least")
_INSTANT_PARAMS = ("at", "until", "since")
#: Amounts in fen named by the code whose rule says them (``payment.amount_due``: ``due``, ``given``); amounts
#: compared to the fen are said in yuan, never rounded to 万元.
_MONEY_PARAMS: dict[str, tuple[str, ...]] = {
    "payment.amount_due": ("due", "given"), "payment.card_limit": ("most",),
    "voucher.amount_too_high": ("most", "given"), "voucher.budget": ("remaining",),
    "voucher.annual_cap": ("cap", "already"),
    "auction.bid_too_low": ("least",), "auction.bid_step": ("increment",), "auction.money": ("least", "most"),
    "demand.money": ("most",),
}
_EXACT_MONEY = ("payment.amount_due", "payment.card_limit", "auction.bid_too_low", "auction.bid_step")


def _instant(value: object, language: str) -> object:
    """An instant (or its ISO text) in Beijing time, to the minute, named as such; other values as they are."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        shown = shown_day(value)
        return f"{shown}（北京时间）" if language == "zh" else f"{shown} (Beijing time)"
    if isinstance(value, date):
        return value.isoformat()
    return value


def shown_params(code: str, params: Mapping[str, object], t: Callable[..., str], language: str) -> dict[str, object]:
    """A refusal's values as a person reads them."""
    shown: dict[str, object] = {}
    for name, value in params.items():
        prefix = _VALUE_LABELS.get(name)
        if prefix is not None:
            values = value if isinstance(value, list | tuple) else [value]
            joined = ("、" if language == "zh" else ", ") if name in ("roles", "kinds") else ""
            said = [t(prefix + str(v)) for v in values]
            if language != "zh" and name not in ("roles", "role"):  # a status or kind inside an English sentence
                said = [word[:1].lower() + word[1:] for word in said]
            shown[name] = (joined or ", ").join(said) if name in ("roles", "kinds") else said[0]
        elif name in _AMOUNTS and code.startswith(("amount.", "instalments.")) and isinstance(value, int):
            shown[name] = money(value, language)
        elif name in _INSTANT_PARAMS:
            shown[name] = _instant(value, language)
        elif name in _MONEY_PARAMS.get(code, ()) and isinstance(value, int):
            shown[name] = money(value, language, unit="yuan" if code in _EXACT_MONEY else None)
        elif name == "reason" and code == "text.refused_character":
            shown[name] = t(f"refusal.text.reason.{value}")
        elif isinstance(value, list | tuple):  # names (the co-owners awaited), listed as the language lists them
            shown[name] = ("、" if language == "zh" else ", ").join(str(v) for v in value)
        else:
            shown[name] = value
    return shown


def field_label(vocabulary: Vocabulary, language: str, field: str | None, code: str | None = None) -> str | None:
    """The label a person knows the field by (``owners.1.share`` → 专利权人 · 第 2 项 · 份额 %), or ``None``.

    A field name two trades use for different things (``purpose``: a payment's or a valuation's; ``claim_id``:
    an ownership claim or a programme claim) is labelled for the refusal's trade first, the trade being its
    code's first part (``refusal.field.payment.purpose``)."""
    if not field:
        return None
    index = 0 if language == "zh" else 1
    trade = code.split(".", 1)[0] if code and "." in code else None

    def label(name: str) -> str | None:
        pair = ((vocabulary.pair(f"refusal.field.{trade}.{name}") if trade else None)
                or vocabulary.pair(f"refusal.field.{name}") or vocabulary.pair(f"field.{name}"))
        return pair[index] if pair else None

    parts = field.split(".")
    names = [p for p in parts if not p.isdigit()]
    whole = label(".".join(names))
    if whole is not None and len(names) == len(parts):
        return whole
    first = label(names[0]) if names else None
    if first is None:
        return whole
    said = [first]
    numbers = [p for p in parts if p.isdigit()]
    if numbers:
        said.append(vocabulary.translator(language)("refusal.item", n=int(numbers[0]) + 1))
    last = label(names[-1]) if len(names) > 1 else None
    if last is not None:
        said.append(last)
    return " · ".join(said)


# --- msgspec's complaints, and common English rules said in the reader's language -------------------------
_EXPECTED_TYPE = re.compile(r"^Expected `([a-z]+)(?: \| null)?`, got `[a-z]+`$")
_BOUND = re.compile(r"^Expected `(?:int|float)(?: \| null)?` (>=|<=|>|<) (-?[\d.]+)$")
_LENGTH = re.compile(r"^Expected `(str|array|object)(?: \| null)?` of length (>=|<=) (\d+)$")
_MISSING = re.compile(r"^Object missing required field `[^`]+`$")
_UNKNOWN = re.compile(r"^Object contains unknown field `[^`]+`$")
_BOUNDS = {">=": ("at_least", "low"), "<=": ("at_most", "high"), ">": ("above", "low"), "<": ("below", "high")}
_INVALID = re.compile(r"^Invalid (enum value .*|RFC3339 encoded (?:date|datetime|time)|UUID.*)$")
_TYPES = ("int", "float", "str", "bool", "array", "object")


def _bound(found: re.Match[str]) -> tuple[str, dict[str, object]]:
    code, name = _BOUNDS[found.group(1)]
    return code, {name: found.group(2).removesuffix(".0")}


def _length(found: re.Match[str]) -> tuple[str, dict[str, object]]:
    most = found.group(2) == "<="
    code = {("str", True): "too_long", ("str", False): "too_short"}.get((found.group(1), most))
    code = code or ("too_many" if most else "too_few")
    return code, {("most" if most else "least"): found.group(3)}


def _invalid(found: re.Match[str]) -> tuple[str, dict[str, object]]:
    what = found.group(1) or ""
    return (
        "choice"
        if what.startswith("enum")
        else "uuid"
        if what.startswith("UUID")
        else "date"
        if what.endswith(" date")
        else "datetime"
    ), {}


_INPUT_SHAPES: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], tuple[str, dict[str, object]]]], ...] = (
    (_MISSING, lambda _: ("required", {})),
    (_UNKNOWN, lambda _: ("unknown_field", {})),
    (_EXPECTED_TYPE, lambda found: (f"type.{found.group(1)}" if found.group(1) in _TYPES else "type.other", {})),
    (_BOUND, _bound),
    (_LENGTH, _length),
    (_INVALID, _invalid),
)


def input_refusal(message: str) -> tuple[str | None, dict[str, object]]:
    """The code and values of one of msgspec's complaints (without its `` - at `$.x``` tail), or ``(None, {})``."""
    text = message.split(" - at ", 1)[0].strip()
    for pattern, said in _INPUT_SHAPES:
        found = pattern.match(text)
        if found is not None:
            return said(found)
    return None, {}


#: English rule shapes that many uncoded refusals share, said in the reader's language.
_SHAPES: tuple[tuple[re.Pattern[str], str, tuple[str, ...]], ...] = (
    (re.compile(r"^must not be empty$"), "required", ()),
    (re.compile(r"^must not be negative$"), "amount.negative", ()),
    (re.compile(r"^must be greater than 0(?: %)?$"), "amount.positive", ()),
    (re.compile(r"^must be one of .+$"), "choice", ()),
    (re.compile(r"^'[^']*' is not one of .+$"), "choice", ()),
    (re.compile(r"^at most ([\d,]+) characters$"), "too_long", ("most",)),
    (re.compile(r"^must be (\d+) to ([\d,]+) characters$"), "length", ("least", "most")),
    (re.compile(r"^must be in the future$"), "time.future", ()),
)
#: An internal name left in an English rule (``period_start``), said by its label where it has one.
_IDENTIFIER = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?:\.[a-z0-9_]+)*\b")
_LEADING_NAME = re.compile(r"^[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*: ")


def _rule(error: DomainError) -> tuple[str | None, dict[str, object], str]:
    """The error's code and values (read from its English rule where it has no code), and that rule."""
    rule = _LEADING_NAME.sub("", error.message, count=1)
    if error.code:
        return error.code, error.params, rule
    code, params = input_refusal(rule)
    if code is not None:
        return code, params, rule
    for pattern, shape, names in _SHAPES:
        found = pattern.match(rule)
        if found is not None:
            return shape, dict(zip(names, found.groups(), strict=True)), rule
    return None, {}, rule


def refusal_text(error: DomainError, vocabulary: Vocabulary, language: str) -> str:
    """The refusal as a person reads it: the field's label, then the rule, both in ``language``."""
    t = vocabulary.translator(language)
    code, params, rule = _rule(error)
    said = None
    if code is not None and vocabulary.pair(f"refusal.{code}") is not None:
        try:
            said = t(f"refusal.{code}", **shown_params(code, params, t, language))
        except (KeyError, IndexError):  # a label that names a value the error did not give: keep the rule
            said = None
    if said is None:  # the English rule, its internal names said by their labels where they have one
        said = _IDENTIFIER.sub(lambda found: field_label(vocabulary, language, found.group(0)) or found.group(0), rule)
    rule = said
    label = field_label(vocabulary, language, error.field, code)
    if label is None:
        return rule[:1].upper() + rule[1:] if language != "zh" else rule
    return f"{label}：{rule}" if language == "zh" else f"{label}: {rule}"


def refusal_body(error: DomainError, vocabulary: Vocabulary, language: str | None) -> dict[str, Any]:
    """What the JSON API says of a refusal: ``code`` and ``field`` for programs, ``detail`` for people
    (in ``language``; the English rule as recorded when the reader named no language)."""
    code, _, _ = _rule(error)
    detail = error.message if language is None else refusal_text(error, vocabulary, language)
    return {"detail": detail, "field": error.field, "code": code}
