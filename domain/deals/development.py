"""Technology development contracts (技术开发合同, 民法典 arts. 851–861): commissioned or joint development.

A third contract kind next to the transfer and the licence. It is drafted when an enterprise awards a
development proposal of its technology demand; no patent or listing stands behind it (``listing_id`` and
``patent_id`` are ``None``). The developer (研究开发人, the proposing institution) is the contract's
"seller" and payee; the enterprise (委托人 / the other party of a joint development) its "buyer" and payer,
so payments, receipts, refunds and the institution's benefit sharing run through the same machinery.

Its life: both parties sign the text (SHA-256 as the other contracts); with the last signature it is in
force (there is no first payment: money follows the work). Then milestone by milestone the developer
records the delivery, the enterprise accepts it (验收), and the acceptance makes that milestone's
amount fall due at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from domain.deals.contract import Contract
from domain.deals.contract_terms import ContractStatus
from domain.deals.contract_text import money_en, money_zh, text_sha256
from domain.shared.errors import ContractStateError, ValidationError
from domain.shared.ids import natural_id

#: Confidentiality lasts this many years after the contract ends unless the parties agree otherwise.
CONFIDENTIAL_YEARS = 3
#: The longest confidentiality the parties may agree on the platform (years after the contract ends).
CONFIDENTIAL_YEARS_MOST = 20
#: A delivery note: a line or a short paragraph.
NOTE_LIMIT = 2000


class DevelopmentKind(StrEnum):
    COMMISSIONED = "commissioned_development"  # 委托开发
    JOINT = "joint_development"  # 合作开发


class Ownership(StrEnum):
    """Who holds the right to apply for patents on the results (申请专利的权利)."""

    DEVELOPER = "developer"  # 民法典 art. 859: commissioned development, unless agreed otherwise
    JOINT = "joint"  # 民法典 art. 860: joint development, unless agreed otherwise
    CLIENT = "client"


def default_ownership(kind: str) -> str:
    """The statutory default: commissioned → the developer (art. 859), joint → the parties jointly (art. 860)."""
    return Ownership.DEVELOPER.value if kind == DevelopmentKind.COMMISSIONED.value else Ownership.JOINT.value


def check_ownership(ownership: str) -> str:
    if ownership not in {o.value for o in Ownership}:
        raise ValidationError("ownership: not a choice", field="ownership", code="choice")
    return ownership


def check_confidential_years(years: int) -> int:
    if not 1 <= years <= CONFIDENTIAL_YEARS_MOST:
        raise ValidationError(
            f"confidential_years: from 1 to {CONFIDENTIAL_YEARS_MOST} years after the contract ends",
            field="confidential_years", code="development.confidential_years", most=CONFIDENTIAL_YEARS_MOST,
        )
    return years


def development_contract_id(demand_id: UUID) -> UUID:
    """One development contract per demand: an award drafts it, a second award at once finds it."""
    return natural_id("development-contract", str(demand_id))


def contract_milestones(steps: Sequence[Mapping[str, Any]], price: int) -> list[dict[str, Any]]:
    """The proposal's milestones as the contract's: ``name`` (the title, made unique), ``amount``, ``due``.

    What the milestones leave of the price is paid on the last one (the final acceptance); a proposal with
    no milestones is one milestone of the whole price, due on the day named by the caller's ``steps``-less
    rule (see ``drafted_milestones``)."""
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for step in steps:
        name = str(step["title"]).strip()
        base, n = name, 2
        while name.casefold() in seen:
            name, n = f"{base} ({n})", n + 1
        seen.add(name.casefold())
        out.append({"name": name, "amount": int(step["amount"]), "due": str(step["due"])})
    rest = price - sum(m["amount"] for m in out)
    if out and rest > 0:
        out[-1]["amount"] += rest
    return [m for m in out if m["amount"] > 0] or out


def drafted_milestones(steps: Sequence[Mapping[str, Any]], price: int, fallback_due: date) -> list[dict[str, Any]]:
    """``contract_milestones``, or for a proposal without milestones one of the whole price on ``fallback_due``."""
    if steps:
        return contract_milestones(steps, price)
    return [{"name": "交付验收 / Delivery and acceptance", "amount": price, "due": fallback_due.isoformat()}]


def development_terms(
    *,
    kind: str,
    price: int,
    currency: str,
    milestones: list[dict[str, Any]],
    deliverables: str,
    ownership: str,
    demand_id: UUID,
    proposal_id: UUID,
    title: str = "",
) -> dict[str, Any]:
    """The contract's terms as stored: the keys every contract has (``instalments`` empty: milestones carry the
    price) and the development's own."""
    if kind not in {k.value for k in DevelopmentKind}:
        raise ValidationError("kind: not a development", field="kind", code="choice")
    check_ownership(ownership)
    if not milestones or price <= 0:
        raise ValidationError(
            "milestones: a development contract pays by milestones",
            field="milestones",
            code="development.no_milestones",
        )
    return {
        "kind": kind,
        "price": price,
        "currency": currency,
        "scope": None,
        "sublicensable": False,
        "royalty_rate": 0,
        "minimum_annual_royalty": 0,
        "instalments": [],
        "milestones": milestones,
        "note": "",
        "deliverables": deliverables,
        "ownership": ownership,
        "confidential_years": CONFIDENTIAL_YEARS,
        "title": title,
        "demand_id": str(demand_id),
        "proposal_id": str(proposal_id),
    }


# --- the text ------------------------------------------------------------------------------------------
_TITLES = {
    DevelopmentKind.COMMISSIONED.value: ("技术开发（委托）合同", "Technology Development Contract (Commissioned)"),
    DevelopmentKind.JOINT.value: ("技术开发（合作）合同", "Technology Development Contract (Joint)"),
}
_OWNERSHIP = {
    Ownership.DEVELOPER.value: (
        "本合同研究开发所完成的发明创造，申请专利的权利属于乙方（研究开发人）；乙方取得专利权的，甲方可以依法实施该专利"
        "（《民法典》第八百五十九条）。",
        "The right to apply for patents on the inventions made in this development belongs to Party B (the "
        "developer); where Party B obtains a patent, Party A may practise it free of charge (Civil Code, art. 859).",
    ),
    Ownership.JOINT.value: (
        "本合同研究开发所完成的发明创造，申请专利的权利属于甲乙双方共有（《民法典》第八百六十条）；一方声明放弃其共有的"
        "专利申请权的，另一方可以单独申请。",
        "The right to apply for patents on the inventions made in this development belongs to both parties "
        "jointly (Civil Code, art. 860); if one party waives its share, the other may apply alone.",
    ),
    Ownership.CLIENT.value: (
        "经双方约定，本合同研究开发所完成的发明创造，申请专利的权利属于甲方。",
        "As the parties agree, the right to apply for patents on the inventions made in this development "
        "belongs to Party A.",
    ),
}


def _confidentiality(years: int) -> tuple[str, str]:
    return (
        f"双方对履行本合同中知悉的对方技术信息和经营信息负有保密义务，保密期限至本合同终止后{years}年。",
        f"Each party keeps confidential the other's technical and business information "
        f"learnt under this contract, until {years} years after the contract ends.",
    )


#: The headings of the two clauses the parties may agree before signing (each text has each once).
_RESULTS_HEADINGS = (("研究开发成果的归属", "Ownership of the results"), ("保密", "Confidentiality"))


def revised_text(text: tuple[str, str], old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[str, str]:
    """The texts with the ownership and confidentiality clauses of ``new`` in place of ``old``'s: the same
    bytes ``render_development`` gives for the new terms (the other clauses do not depend on them)."""
    olds = (_OWNERSHIP[str(old["ownership"])], _confidentiality(int(old["confidential_years"])))
    news = (_OWNERSHIP[str(new["ownership"])], _confidentiality(int(new["confidential_years"])))
    out = list(text)
    for lang in (0, 1):
        for heading, before, after in zip(_RESULTS_HEADINGS, olds, news, strict=True):
            was, now = f"{heading[lang]}\n{before[lang]}\n", f"{heading[lang]}\n{after[lang]}\n"
            if out[lang].count(was) != 1:
                raise ContractStateError("contract_id: the contract text does not hold its clause on the results",
                                         field="contract_id", code="development.text_clause")
            out[lang] = out[lang].replace(was, now)
    return out[0], out[1]


def render_development(
    *,
    contract_id: UUID,
    terms: Mapping[str, Any],
    client_name: str,
    developer_name: str,
    demand_title: str,
    targets: str,
) -> tuple[str, str]:
    """The development contract's Chinese and English texts (deterministic: the same inputs, the same bytes).

    Clauses: parties; the subject (the demand and its target figures); deliverables and milestones with
    their amounts and due dates; acceptance and payment; ownership of the results; confidentiality;
    signatures and entry into force."""
    kind = str(terms["kind"])
    currency = str(terms["currency"])
    title_zh, title_en = _TITLES[kind]
    role_zh, role_en = ("委托方", "Client") if kind == DevelopmentKind.COMMISSIONED.value else ("合作方", "Partner")
    steps_zh = [
        f"{i}. {m['name']}：{money_zh(int(m['amount']), currency)}，{m['due']}前交付"
        for i, m in enumerate(terms["milestones"], start=1)
    ]
    steps_en = [
        f"{i}. {m['name']}: {money_en(int(m['amount']), currency)}, delivered by {m['due']}"
        for i, m in enumerate(terms["milestones"], start=1)
    ]
    years = int(terms["confidential_years"])
    own_zh, own_en = _OWNERSHIP[str(terms["ownership"])]
    clauses = [
        (
            "合同当事人",
            [f"甲方（{role_zh}）：{client_name}", f"乙方（研究开发方）：{developer_name}"],
            "Parties",
            [f"Party A ({role_en}): {client_name}", f"Party B (Developer): {developer_name}"],
        ),
        (
            "研究开发项目",
            [f"项目：{demand_title}", f"技术指标：{targets}"],
            "The project",
            [f"Project: {demand_title}", f"Target figures: {targets}"],
        ),
        (
            "交付成果与里程碑",
            [f"交付成果：{terms['deliverables']}", *steps_zh, f"合计：{money_zh(int(terms['price']), currency)}"],
            "Deliverables and milestones",
            [f"Deliverables: {terms['deliverables']}", *steps_en, f"Total: {money_en(int(terms['price']), currency)}"],
        ),
        (
            "验收与付款",
            ["乙方在本平台记录每一里程碑的交付；甲方验收后，该里程碑的款项即到期应付，甲方通过本平台支付。"],
            "Acceptance and payment",
            [
                "Party B records each milestone's delivery on the platform; once Party A "
                "accepts it, that milestone's amount falls due and Party A pays it on the "
                "platform."
            ],
        ),
        ("研究开发成果的归属", [own_zh], "Ownership of the results", [own_en]),
        (
            "保密",
            [_confidentiality(years)[0]],
            "Confidentiality",
            [_confidentiality(years)[1]],
        ),
        (
            "签署与生效",
            [
                "双方在本平台签署本合同；每一签署均记录本合同文本的 SHA-256 摘要。本合同自双方均已签署之日起生效。"
                "本合同以中文和英文书就，两种文本不一致的，以中文文本为准。",
                f"甲方（{role_zh}）：{client_name}    签署：",
                f"乙方（研究开发方）：{developer_name}    签署：",
            ],
            "Signatures and entry into force",
            [
                "The parties sign this contract on the platform; each signature records the SHA-256 digest of "
                "this text. It comes into force when both parties have signed it. It is written in Chinese and "
                "English; if the two differ, the Chinese text prevails.",
                f"Party A ({role_en}): {client_name}    Signature:",
                f"Party B (Developer): {developer_name}    Signature:",
            ],
        ),
    ]
    numerals = "一二三四五六七八九十"
    zh = [f"{title_zh}\n合同编号：{contract_id}"] + [
        "\n".join([f"第{numerals[i]}条 {c[0]}", *c[1]]) for i, c in enumerate(clauses)
    ]
    en = [f"{title_en}\nContract No.: {contract_id}"] + [
        "\n".join([f"{i + 1}. {c[2]}", *c[3]]) for i, c in enumerate(clauses)
    ]
    return "\n\n".join(zh) + "\n", "\n\n".join(en) + "\n"


class DevelopmentContract(Contract):
    """A technology development contract: the developer's work, accepted and paid milestone by milestone."""

    @property
    def is_open_licence(self) -> bool:
        return False

    def first_purpose(self) -> str | None:
        """Nothing is paid before the work: the contract is in force once both parties signed."""
        return None

    def scheduled_payments(self, today: date) -> list[tuple[str, int, str | None]]:
        """No price is raised on signing: each milestone falls due when the client accepts it."""
        return []

    # --- the results clauses, agreed before signing ------------------------------------------------
    def agree_results(self, *, ownership: str, confidential_years: int, by: UUID) -> bool:
        """Set who holds the right to apply for patents on the results (民法典 arts. 859–861: the parties may
        agree otherwise than the default) and how long confidentiality lasts; the text is revised and its
        SHA-256 with it. Only while no party has signed (a signature is given on the text it read); ``False``
        when the terms are these already (a double submit)."""
        if self.status != ContractStatus.DRAFTED.value or self.signatures:
            raise ContractStateError(
                "contract_id: the results and confidentiality are agreed before anyone signs",
                field="contract_id", code="development.terms_signed",
            )
        owner, years = check_ownership(ownership), check_confidential_years(confidential_years)
        new = {"ownership": owner, "confidential_years": years}
        if all(self.terms.get(k) == v for k, v in new.items()):
            return False
        zh, en = revised_text((self.text_zh, self.text_en), self.terms, new)
        self._results_agreed(ownership=owner, confidential_years=years, text_zh=zh, text_en=en,
                             text_sha256=text_sha256(zh, en), by=by)
        return True

    @event("ResultsAgreed")
    def _results_agreed(self, ownership: str, text_zh: str, text_en: str, text_sha256: str, by: UUID,
                        confidential_years: int = CONFIDENTIAL_YEARS) -> None:
        self.terms = {**self.terms, "ownership": ownership, "confidential_years": confidential_years}
        self.text_zh, self.text_en, self.text_sha256 = text_zh, text_en, text_sha256

    @property
    def milestones_delivered(self) -> dict[str, str]:
        """Delivered milestones by name, with the developer's note."""
        return dict(getattr(self, "_delivered", {}))

    def milestone(self, name: str) -> dict[str, Any]:
        for m in self.terms["milestones"]:
            if m["name"] == name:
                return dict(m)
        raise ValidationError(
            f"name: the contract has no milestone {name!r}", field="name", code="milestone.unknown", name=name
        )

    def deliver_milestone(self, name: str, *, note: str, by: UUID) -> bool:
        """The developer records a milestone's delivery; ``False`` when it is recorded already (a double submit)."""
        self._require(ContractStatus.IN_FORCE, action="given a delivery")
        self.milestone(name)
        if name in self.milestones_delivered:
            return False
        cleaned = note.strip()
        if len(cleaned) > NOTE_LIMIT:
            raise ValidationError(
                f"note: at most {NOTE_LIMIT} characters", field="note", code="too_long", most=NOTE_LIMIT
            )
        self._milestone_delivered(name=name, note=cleaned, by=by)
        return True

    @event("MilestoneDelivered")
    def _milestone_delivered(self, name: str, note: str, by: UUID) -> None:
        delivered = self.milestones_delivered
        delivered[name] = note
        self._delivered = delivered

    def reach_milestone(self, name: str, *, by: UUID) -> int:
        """The client accepts a delivered milestone (验收); returns the amount that falls due."""
        self._require(ContractStatus.IN_FORCE, action="given a milestone")
        self.milestone(name)
        if name not in self.milestones_delivered and name not in self.milestones_reached:
            raise ContractStateError(
                f"name: milestone {name!r} is not delivered yet",
                field="name",
                code="development.not_delivered",
                name=name,
            )
        return super().reach_milestone(name, by=by)


def draft_development(
    *,
    contract_id: UUID,
    developer_id: UUID,
    client_id: UUID,
    terms: dict[str, Any],
    text: tuple[str, str],
    text_sha256: str,
    by: UUID,
    platform_fee_rate: int,
    inventor_share: int | None,
) -> DevelopmentContract:
    """Draft the development contract (no patent, no listing, no notice, no co-owners' consents)."""
    contract = DevelopmentContract._create(
        DevelopmentContract.Drafted,
        id=contract_id,
        offer_id=None,
        listing_id=None,
        patent_id=None,
        seller_organisation_id=developer_id,
        buyer_organisation_id=client_id,
        terms=terms,
        text_zh=text[0],
        text_en=text[1],
        text_sha256=text_sha256,
        notice_ends_at=None,
        consents_required=[],
        broker_organisation_id=None,
        broker_commission=0,
        by=by,
        platform_fee_rate=platform_fee_rate,
        inventor_share=inventor_share,
    )
    assert isinstance(contract, DevelopmentContract)
    return contract
