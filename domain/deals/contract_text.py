"""The text of a deal's contract, rendered from its terms in Chinese and in English, and its digest.

The parties sign the digest of exactly these bytes, so rendering is deterministic: the same inputs
always give the same text (no clock, no locale, lists in the order given).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any
from uuid import UUID

from domain.shared.errors import ValidationError

_TITLES = {
    "assignment": ("专利权转让合同", "Patent Assignment Contract"),
    "exclusive_licence": ("专利实施许可合同（独占实施许可）", "Patent Licence Contract (Exclusive Licence)"),
    "sole_licence": ("专利实施许可合同（排他实施许可）", "Patent Licence Contract (Sole Licence)"),
    "non_exclusive_licence": ("专利实施许可合同（普通实施许可）", "Patent Licence Contract (Non-exclusive Licence)"),
    "open_licence": ("专利实施许可合同（开放许可）", "Patent Licence Contract (Open Licence)"),
}
# The meaning of each licence kind, as ../shared/design/GLOSSARY.md defines it.
_MEANINGS = {
    "exclusive_licence": (
        "独占实施许可：在许可范围内，仅乙方可以实施本专利，甲方本人亦不得实施，也不得许可任何第三方实施。",
        "Exclusive licence: within the scope of this licence only the Licensee may practise the Patent; "
        "the Licensor itself may not practise it and may license nobody else.",
    ),
    "sole_licence": (
        "排他实施许可：在许可范围内，仅乙方和甲方可以实施本专利，甲方不得许可任何第三方实施。",
        "Sole licence: within the scope of this licence only the Licensee and the Licensor may practise "
        "the Patent; the Licensor may license nobody else.",
    ),
    "non_exclusive_licence": (
        "普通实施许可：在许可范围内，乙方可以实施本专利；甲方可以自行实施，也可以许可他人实施。",
        "Non-exclusive licence: within the scope of this licence the Licensee may practise the Patent; "
        "the Licensor may practise it and may license others too.",
    ),
    "open_licence": (
        "开放许可：甲方已就本专利作出开放许可声明；乙方书面通知甲方并按公告的条件支付许可使用费，"
        "取得普通实施许可（《专利法》第五十条、第五十一条）；甲方可以许可他人实施。",
        "Open licence: the Licensor has declared an open licence of the Patent; by notifying the Licensor "
        "in writing and paying the fees on the posted terms, the Licensee takes a non-exclusive licence "
        "(Patent Law, arts. 50 and 51); the Licensor may license others too.",
    ),
}
_TERM_KEYS = (
    "kind", "price", "currency", "scope", "sublicensable", "royalty_rate", "minimum_annual_royalty",
    "milestones", "instalments", "note",
)  # fmt: skip
_ZH_NUMERALS = "一二三四五六七八九十"

#: A clause: Chinese heading, Chinese lines, English heading, English lines.
Clause = tuple[str, list[str], str, list[str]]


def money_zh(amount: int, currency: str) -> str:
    """``¥1,234,567.89`` for CNY, ``USD 1,234.00`` for other currencies (integer arithmetic only)."""
    digits = f"{amount // 100:,}.{amount % 100:02d}"
    return f"¥{digits}" if currency == "CNY" else f"{currency} {digits}"


def money_en(amount: int, currency: str) -> str:
    """``CNY 1,234,567.89``."""
    return f"{currency} {amount // 100:,}.{amount % 100:02d}"


def percent(basis_points: int) -> str:
    """``500`` bp → ``5.00%``."""
    return f"{basis_points // 100}.{basis_points % 100:02d}%"


def _date(value: str | date) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _date_zh(value: str | date) -> str:
    day = _date(value)
    return f"{day.year}年{day.month}月{day.day}日"


def _numeral_zh(number: int) -> str:
    if number <= 10:
        return _ZH_NUMERALS[number - 1]
    return "十" + _ZH_NUMERALS[number - 11]


def _parties(kind: str, seller: str, buyer: str) -> Clause:
    if kind == "assignment":
        zh = [f"甲方（转让方）：{seller}", f"乙方（受让方）：{buyer}"]
        en = [f"Party A (Assignor): {seller}", f"Party B (Assignee): {buyer}"]
    else:
        zh = [f"甲方（许可方）：{seller}", f"乙方（被许可方）：{buyer}"]
        en = [f"Party A (Licensor): {seller}", f"Party B (Licensee): {buyer}"]
    return "合同当事人", zh, "Parties", en


def _patent(number: str, title_zh: str, title_en: str) -> Clause:
    zh = [f"专利号：{number}", f"专利名称：{title_zh}"]
    en = [f"Patent number: {number}", f"Title: {title_en or title_zh}"]
    return "专利", zh, "The Patent", en


def _grant(kind: str, terms: Mapping[str, Any]) -> Clause:
    if kind == "assignment":
        zh = ["甲方将本专利的专利权转让给乙方。"]
        en = ["Party A assigns the Patent to Party B."]
        return "转让", zh, "Assignment", en
    meaning_zh, meaning_en = _MEANINGS[kind]
    scope = terms["scope"] or {}
    field, territory = scope.get("field_of_use") or "", scope.get("territory") or ""
    if terms["sublicensable"]:
        sub_zh = "分许可：乙方有权在许可范围内向第三方授予分许可。"
        sub_en = "Sublicensing: the Licensee may grant sublicences within the scope of this licence."
    else:
        sub_zh = "分许可：乙方无权允许合同规定以外的任何单位或者个人实施本专利（《专利法》第十二条）。"
        sub_en = (
            "Sublicensing: the Licensee may not allow anyone not named in this contract to practise the Patent "
            "(Patent Law, art. 12)."
        )
    zh = [
        f"甲方许可乙方实施本专利。{meaning_zh}",
        sub_zh,
        f"实施领域：{field or '全部领域'}",
        f"地域范围：{territory or '全世界'}",
        f"许可期限：自{_date_zh(scope['start'])}起至{_date_zh(scope['end'])}止，且不超过本专利的有效期。",
    ]
    en = [
        f"Party A licenses Party B to practise the Patent. {meaning_en}",
        sub_en,
        f"Field of use: {field or 'all fields of use'}",
        f"Territory: {territory or 'worldwide'}",
        f"Term: from {_date(scope['start']).isoformat()} to {_date(scope['end']).isoformat()}, "
        "and never beyond the life of the Patent.",
    ]
    return "许可", zh, "Licence", en


def _schedule(instalments: Sequence[Mapping[str, Any]], currency: str) -> tuple[list[str], list[str]]:
    if not instalments:
        return ["上述款项于签约时一次总付。"], ["The amount is payable in one lump sum on signing."]
    zh, en = ["分期支付："], ["Payable in instalments:"]
    last = len(instalments)
    for i, instalment in enumerate(instalments, start=1):
        amount_zh, amount_en = money_zh(instalment["amount"], currency), money_en(instalment["amount"], currency)
        end_zh, end_en = ("。", ".") if i == last else ("；", ";")
        if instalment["due"] is None:
            zh.append(f"（{i}）签约时支付 {amount_zh}{end_zh}")
            en.append(f"({i}) {amount_en} on signing{end_en}")
        else:
            zh.append(f"（{i}）于{_date_zh(instalment['due'])}前支付 {amount_zh}{end_zh}")
            en.append(f"({i}) {amount_en} by {_date(instalment['due']).isoformat()}{end_en}")
    return zh, en


def _price(kind: str, terms: Mapping[str, Any]) -> Clause:
    price, currency = terms["price"], terms["currency"]
    if kind == "assignment":
        zh = [f"转让价款为 {money_zh(price, currency)}。"]
        en = [f"The assignment price is {money_en(price, currency)}."]
    else:
        zh = [f"入门费为 {money_zh(price, currency)}。"]
        en = [f"The upfront fee is {money_en(price, currency)}."]
    schedule_zh, schedule_en = _schedule(terms["instalments"], currency)
    zh += schedule_zh
    en += schedule_en
    milestones = terms["milestones"]
    if milestones:
        zh.append("里程碑付款（于该里程碑达成时到期）：")
        en.append("Milestone payments (each due when its milestone is reached):")
        for i, milestone in enumerate(milestones, start=1):
            zh.append(f"（{i}）{milestone['name']}：{money_zh(milestone['amount'], currency)}")
            en.append(f"({i}) {milestone['name']}: {money_en(milestone['amount'], currency)}")
    zh.append("各项款项均通过本平台支付。")
    en.append("All payments are made through the platform.")
    return "价款及支付方式", zh, "Price and payment", en


def _royalties(terms: Mapping[str, Any]) -> Clause | None:
    rate, minimum, currency = terms["royalty_rate"], terms["minimum_annual_royalty"], terms["currency"]
    if not rate and not minimum:
        return None
    zh = [
        f"乙方按每一报告期内许可产品净销售额的 {percent(rate)} 向甲方支付提成费，"
        "并于报告期结束后通过本平台报告该期净销售额。"
    ]
    en = [
        f"Party B pays Party A a running royalty of {percent(rate)} of the net sales of licensed products in "
        "each reporting period, and reports each period's net sales through the platform after the period ends."
    ]
    if minimum:
        zh.append(
            f"每一许可年度（自许可期限起始日起算）的提成费合计低于最低年度提成（保底许可费）"
            f"{money_zh(minimum, currency)} 的，乙方应在结束该许可年度的报告中补足差额。"
        )
        en.append(
            "If the royalties of a licence year (counted from the start of the term) fall short of the minimum "
            f"annual royalty of {money_en(minimum, currency)}, Party B pays the difference with the report "
            "that closes that licence year."
        )
    return "提成费及报告", zh, "Royalties and reports", en


def _registration(kind: str) -> Clause:
    if kind == "assignment":
        zh = [
            "依照《专利法》第十条，专利权的转让自国务院专利行政部门登记之日起生效。双方应在本合同生效后"
            "共同向国家知识产权局办理著录项目变更登记手续；登记之前，本专利仍属甲方。"
        ]
        en = [
            "Under Article 10 of the Patent Law, the assignment takes effect on the day it is registered by the "
            "China National Intellectual Property Administration (CNIPA). After this contract comes into force "
            "the parties jointly apply to CNIPA to record the change of bibliographic data (著录项目变更); until "
            "then the Patent remains Party A's."
        ]
        return "登记", zh, "Registration", en
    zh = ["甲方应自本合同生效之日起三个月内向国家知识产权局办理专利实施许可合同备案，乙方予以协助。"]
    en = [
        "Party A files this licence contract with CNIPA for recordal (许可合同备案) within three months after "
        "it comes into force; Party B assists."
    ]
    return "备案", zh, "Recordal", en


def _notice(notice_ends_at: str) -> Clause:
    zh = [
        "本合同价格为协议定价。依照《促进科技成果转化法》第十八条，科技成果名称和拟交易价格在本平台公示，"
        f"公示期至 {notice_ends_at} 止。公示期届满前或者有异议尚未处理完毕时，双方不得签署本合同；"
        "异议成立的，本合同不得签署。"
    ]
    en = [
        "The price of this contract was negotiated. Under Article 18 of the Law on Promoting the "
        "Transformation of Scientific and Technological Achievements, the name of the result and the proposed "
        f"price are publicly noticed on the platform until {notice_ends_at}. The parties may not sign this "
        "contract before the notice ends or while an objection is undecided; if an objection is upheld, this "
        "contract may not be signed."
    ]
    return "公示", zh, "Public notice", en


def _note(note: str) -> Clause | None:
    if not note:
        return None
    return "其他约定", [note], "Other terms", [note]


def _signatures(kind: str, seller: str, buyer: str) -> Clause:
    role_a, role_b = ("转让方", "受让方") if kind == "assignment" else ("许可方", "被许可方")
    en_a, en_b = ("Assignor", "Assignee") if kind == "assignment" else ("Licensor", "Licensee")
    zh = [
        "双方在本平台签署本合同；每一签署均记录本合同文本的 SHA-256 摘要。本合同自双方均已签署且首期款项"
        "支付之日起生效。本合同以中文和英文书就，两种文本不一致的，以中文文本为准。",
        f"甲方（{role_a}）：{seller}    签署：",
        f"乙方（{role_b}）：{buyer}    签署：",
    ]
    en = [
        "The parties sign this contract on the platform; each signature records the SHA-256 digest of this "
        "text. This contract comes into force when both parties have signed it and the first payment has "
        "been made. It is written in Chinese and English; if the two differ, the Chinese text prevails.",
        f"Party A ({en_a}): {seller}    Signature:",
        f"Party B ({en_b}): {buyer}    Signature:",
    ]
    return "签署与生效", zh, "Signatures and entry into force", en


def _check(kind: str, terms: Mapping[str, Any]) -> None:
    if kind not in _TITLES:
        raise ValidationError(f"kind: must be one of {', '.join(_TITLES)}, got {kind!r}", field="kind")
    missing = [key for key in _TERM_KEYS if key not in terms]
    if missing:
        raise ValidationError(f"terms: missing {', '.join(missing)}", field="terms")
    if kind != "assignment" and not terms["scope"]:
        raise ValidationError("terms.scope: a licence needs a field, territory and term", field="terms.scope")


def _assemble(header: list[str], clauses: Sequence[Clause], pick: Callable[[Clause], tuple[str, list[str]]]) -> str:
    blocks = ["\n".join(header)]
    for number, clause in enumerate(clauses, start=1):
        heading, lines = pick(clause)
        blocks.append("\n".join([heading.format(n=number, zh=_numeral_zh(number)), *lines]))
    return "\n\n".join(blocks) + "\n"


def render_contract(
    *,
    contract_id: UUID,
    kind: str,
    terms: Mapping[str, Any],
    patent_title_zh: str,
    patent_title_en: str,
    patent_number: str,
    seller_name: str,
    buyer_name: str,
    notice_ends_at: str | None,
) -> tuple[str, str]:
    """The contract's Chinese and English texts, as numbered clauses.

    Clauses: parties; the patent; the grant (assignment, or the licence kind with its meaning,
    sublicensing under 专利法 art. 12, field, territory, term); price and payment schedule; running
    royalty and minimum annual royalty (only when the terms have them); registration (an assignment
    takes effect on registration, 专利法 art. 10 / 著录项目变更) or licence recordal (备案); the public
    notice of a negotiated price (促进科技成果转化法 art. 18) when ``notice_ends_at`` is given; other
    terms (the note); signatures and entry into force. ``kind`` may be ``open_licence`` although
    ``terms['kind']`` then says ``non_exclusive_licence``: an open licence is a non-exclusive one.
    """
    _check(kind, terms)
    optional: list[Clause | None] = [
        _parties(kind, seller_name, buyer_name),
        _patent(patent_number, patent_title_zh, patent_title_en),
        _grant(kind, terms),
        _price(kind, terms),
        _royalties(terms),
        _registration(kind),
        _notice(notice_ends_at) if notice_ends_at else None,
        _note(terms["note"]),
        _signatures(kind, seller_name, buyer_name),
    ]
    clauses = [clause for clause in optional if clause is not None]
    title_zh, title_en = _TITLES[kind]
    text_zh = _assemble([title_zh, f"合同编号：{contract_id}"], clauses, lambda c: ("第{zh}条 " + c[0], c[1]))
    text_en = _assemble([title_en, f"Contract No.: {contract_id}"], clauses, lambda c: ("{n}. " + c[2], c[3]))
    return text_zh, text_en


def text_sha256(text_zh: str, text_en: str) -> str:
    """Hex SHA-256 of ``text_zh + "\\n\\n" + text_en`` in UTF-8: the digest each party signs."""
    return hashlib.sha256((text_zh + "\n\n" + text_en).encode("utf-8")).hexdigest()
