"""The technology-contract registration record (技术合同登记表, 表号 JJ-001) and the registrar's checks.

Figures from ``../shared/data/reference/policy_params.json`` → ``tech_contract_registration``
(技术合同认定登记管理办法 2000; 技术合同认定规则): the seller registers within 30 days of signing; the
record names the contract type, project, term, signing date, both parties' names, nature (legal-entity
type) codes, 3-digit country codes (海关总署 2003) and 6-digit region codes (GB/T 2260), the amount and
the technology income (技术性收入), and — for technology transfers — the expected new investment and
output. Registration unlocks the parties' tax benefits (:data:`TAX_BENEFITS`).

Two kinds of rule: a value in the wrong form is refused when it is typed (:class:`RegistrationRecord`);
a record that is incomplete or inconsistent may be saved, and :func:`findings` lists what the
registrar's first review would refuse (subject or price unclear, amounts inconsistent, a field a
transfer must give), so the record is exported only once it passes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from domain.shared.errors import ValidationError
from domain.shared.money import check_amount

#: 技术合同认定登记管理办法: the seller applies within 30 days of the contract's signing.
DEADLINE_DAYS = 30
#: 全国技术合同管理与服务系统's party nature codes (买/卖方性质), as the parameters file lists them.
PARTY_TYPE_CODES: dict[str, tuple[str, str]] = {
    "010": ("机关", "Government body"),
    "021": ("科研机构", "Research institute"),
    "022": ("高等院校", "University"),
    "110": ("国有企业", "State-owned enterprise"),
    "150": ("有限责任公司", "Limited-liability company"),
    "170": ("私营企业", "Private enterprise"),
    "310": ("中外合资经营企业", "Sino-foreign equity joint venture"),
}
#: 海关总署 2003 country code of China (国别代码).
CHINA = "142"
#: The tax benefits registration unlocks (label keys; the parameters file's ``tax_benefits_unlocked``).
TAX_BENEFITS = ("techreg.benefit.vat", "techreg.benefit.income_tax",
                "techreg.benefit.super_deduction")
PROJECT_NAME_LIMIT = 200

#: GB/T 2260 province-level codes (the first two digits of every region code).
PROVINCES = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42", "43",
    "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82",
})
#: Region names an organisation's free-text region may start with, and their GB/T 2260 codes: enough to
#: pre-fill Fujian's cities and every province; anything else the seller types.
REGION_NAMES: dict[str, str] = {
    "福州": "350100", "厦门": "350200", "莆田": "350300", "三明": "350400", "泉州": "350500", "漳州": "350600",
    "南平": "350700", "龙岩": "350800", "宁德": "350900", "平潭": "350128",
    "福建": "350000", "北京": "110000", "天津": "120000", "河北": "130000", "山西": "140000", "内蒙古": "150000",
    "辽宁": "210000", "吉林": "220000", "黑龙江": "230000", "上海": "310000", "江苏": "320000", "浙江": "330000",
    "安徽": "340000", "江西": "360000", "山东": "370000", "河南": "410000", "湖北": "420000", "湖南": "430000",
    "广东": "440000", "广西": "450000", "海南": "460000", "重庆": "500000", "四川": "510000", "贵州": "520000",
    "云南": "530000", "西藏": "540000", "陕西": "610000", "甘肃": "620000", "青海": "630000", "宁夏": "640000",
    "新疆": "650000", "台湾": "710000", "香港": "810000", "澳门": "820000",
}
_DIGITS = re.compile(r"[0-9]+")


class ContractType(StrEnum):
    """The JJ-001 contract types a deal on the platform can be: a patent deal is a 技术转让, an awarded
    development a 技术开发 (委托 or 合作)."""

    PATENT_RIGHT = "transfer_patent_right"  # 专利权转让
    PATENT_APPLICATION = "transfer_patent_application"  # 专利申请权转让
    PATENT_LICENCE = "licence_patent"  # 专利实施许可
    DEVELOPMENT_COMMISSIONED = "development_commissioned"  # 技术开发（委托开发）
    DEVELOPMENT_JOINT = "development_joint"  # 技术开发（合作开发）


#: Types that are technology transfers (技术转让): expected new investment and output are required.
TRANSFER_TYPES = frozenset({ContractType.PATENT_RIGHT, ContractType.PATENT_APPLICATION, ContractType.PATENT_LICENCE})
#: The development contract's kind (``domain.deals.development.DevelopmentKind``) and its JJ-001 type.
DEVELOPMENT_TYPES: dict[str, ContractType] = {
    "commissioned_development": ContractType.DEVELOPMENT_COMMISSIONED,
    "joint_development": ContractType.DEVELOPMENT_JOINT,
}


def _digits(value: str, length: int) -> bool:
    return len(value) == length and _DIGITS.fullmatch(value) is not None


def check_region_code(value: str, field_name: str) -> str:
    """A GB/T 2260 code: six digits whose first two name a province (e.g. ``350100``, 福州市)."""
    code = value.strip()
    if code and not (_digits(code, 6) and code[:2] in PROVINCES):
        raise ValidationError(f"{field_name}: a region code is six digits of GB/T 2260 (e.g. 350100), not {code!r}",
                              field=field_name, code="tech_registration.region_code", got=code)
    return code


def check_country_code(value: str, field_name: str) -> str:
    code = value.strip()
    if code and not (_digits(code, 3) and code != "000"):
        raise ValidationError(f"{field_name}: a country code is three digits (海关总署 2003; China is 142)",
                              field=field_name, code="tech_registration.country_code", got=code)
    return code


def check_nature_code(value: str, field_name: str) -> str:
    code = value.strip()
    if code and code not in PARTY_TYPE_CODES:
        raise ValidationError(f"{field_name}: must be one of {', '.join(PARTY_TYPE_CODES)}", field=field_name,
                              code="tech_registration.nature_code", got=code)
    return code


@dataclass(frozen=True)
class PartyCodes:
    """One party's codes on the form (its name is the organisation's, from the contract)."""

    nature_code: str = ""
    country_code: str = ""
    region_code: str = ""

    def checked(self, side: str) -> PartyCodes:
        return PartyCodes(check_nature_code(self.nature_code, f"{side}.nature_code"),
                          check_country_code(self.country_code, f"{side}.country_code"),
                          check_region_code(self.region_code, f"{side}.region_code"))

    def as_dict(self) -> dict[str, str]:
        return {"nature_code": self.nature_code, "country_code": self.country_code, "region_code": self.region_code}


@dataclass(frozen=True)
class RegistrationRecord:
    """The JJ-001 fields of one contract. Amounts in fen; ``None``: not given yet."""

    contract_type: str
    project_name: str
    signed_on: date
    seller: PartyCodes = field(default_factory=PartyCodes)
    buyer: PartyCodes = field(default_factory=PartyCodes)
    term_start: date | None = None
    term_end: date | None = None
    amount: int = 0
    technology_income: int = 0
    expected_investment: int | None = None
    expected_output: int | None = None

    def __post_init__(self) -> None:
        if self.contract_type not in {t.value for t in ContractType}:
            raise ValidationError(f"contract_type: must be one of {', '.join(t.value for t in ContractType)}",
                                  field="contract_type", code="choice")
        if len(self.project_name) > PROJECT_NAME_LIMIT:
            raise ValidationError(f"project_name: at most {PROJECT_NAME_LIMIT} characters", field="project_name",
                                  code="too_long", most=PROJECT_NAME_LIMIT)
        object.__setattr__(self, "project_name", " ".join(self.project_name.split()))
        object.__setattr__(self, "seller", self.seller.checked("seller"))
        object.__setattr__(self, "buyer", self.buyer.checked("buyer"))
        if self.term_start is not None and self.term_end is not None and self.term_end <= self.term_start:
            raise ValidationError("term_end: the term must end after it starts", field="term_end",
                                  code="tech_registration.term_order")
        for name in ("amount", "technology_income", "expected_investment", "expected_output"):
            value = getattr(self, name)
            if value is not None:
                check_amount(value, name)

    def as_dict(self) -> dict[str, Any]:
        return {
            "contract_type": self.contract_type, "project_name": self.project_name,
            "signed_on": self.signed_on.isoformat(), "seller": self.seller.as_dict(), "buyer": self.buyer.as_dict(),
            "term_start": self.term_start.isoformat() if self.term_start else None,
            "term_end": self.term_end.isoformat() if self.term_end else None,
            "amount": self.amount, "technology_income": self.technology_income,
            "expected_investment": self.expected_investment, "expected_output": self.expected_output,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RegistrationRecord:
        def day(value: object) -> date | None:
            return date.fromisoformat(str(value)) if value else None

        return cls(
            contract_type=data["contract_type"], project_name=data["project_name"],
            signed_on=date.fromisoformat(data["signed_on"]), seller=PartyCodes(**data.get("seller", {})),
            buyer=PartyCodes(**data.get("buyer", {})), term_start=day(data.get("term_start")),
            term_end=day(data.get("term_end")), amount=data.get("amount", 0),
            technology_income=data.get("technology_income", 0),
            expected_investment=data.get("expected_investment"), expected_output=data.get("expected_output"),
        )


@dataclass(frozen=True)
class Finding:
    """A refusal ground the record meets: its code (``refusal.<code>``) and the field at fault."""

    code: str
    field: str


#: Every finding's code (each has its rule in web/refusals.py).
FINDING_CODES = (
    "tech_registration.subject_unclear", "tech_registration.type_mismatch", "tech_registration.price_unclear",
    "tech_registration.amount_below_price", "tech_registration.income_missing",
    "tech_registration.income_exceeds_amount", "tech_registration.term_missing",
    "tech_registration.term_before_signing", "tech_registration.party_code_missing",
    "tech_registration.transfer_figures_missing", "tech_registration.term_before_milestones",
)


def types_of(deal_kind: str) -> frozenset[str]:
    """The contract types a deal of this kind may be registered as (the title must match the content)."""
    if deal_kind == "assignment":
        return frozenset({ContractType.PATENT_RIGHT.value, ContractType.PATENT_APPLICATION.value})
    if deal_kind in DEVELOPMENT_TYPES:  # a commissioned development is not registered as a joint one, nor back
        return frozenset({DEVELOPMENT_TYPES[deal_kind].value})
    return frozenset({ContractType.PATENT_LICENCE.value})


def findings(record: RegistrationRecord, *, deal_kind: str, contract_price: int,
             last_due: date | None = None) -> tuple[Finding, ...]:
    """What the registrar's first review would refuse, in the form's order (empty: the record passes).

    The machine-checkable refusal grounds of 技术合同认定规则: subject unclear (no project name, or a type
    that does not match the contract: "title does not match content"); price unclear (no amount, or less
    than the contract's price); amounts inconsistent (technology income missing or above the amount);
    and the fields the form requires — the term, both parties' codes, and for a technology transfer the
    expected new investment and output. A technology development is held to the same grounds except the
    transfer's figures, and its term must run to the last milestone's due date (``last_due``, where the
    contract has milestones): a term that ends before the work is due does not match the contract.
    """
    checks: list[tuple[bool, str, str]] = [
        (not record.project_name, "tech_registration.subject_unclear", "project_name"),
        (record.contract_type not in types_of(deal_kind), "tech_registration.type_mismatch", "contract_type"),
        (record.amount <= 0, "tech_registration.price_unclear", "amount"),
        (0 < record.amount < contract_price, "tech_registration.amount_below_price", "amount"),
        (record.technology_income <= 0, "tech_registration.income_missing", "technology_income"),
        (record.technology_income > record.amount, "tech_registration.income_exceeds_amount", "technology_income"),
        (record.term_start is None, "tech_registration.term_missing", "term_start"),
        (record.term_end is None, "tech_registration.term_missing", "term_end"),
        (record.term_end is not None and record.term_end <= record.signed_on,
         "tech_registration.term_before_signing", "term_end"),
        (record.term_end is not None and last_due is not None and record.term_end < last_due,
         "tech_registration.term_before_milestones", "term_end"),
    ]
    for side in ("seller", "buyer"):
        codes = getattr(record, side)
        for name in ("nature_code", "country_code", "region_code"):
            checks.append((not getattr(codes, name), "tech_registration.party_code_missing", f"{side}.{name}"))
    transfer = record.contract_type in TRANSFER_TYPES
    for name in ("expected_investment", "expected_output"):
        checks.append((transfer and getattr(record, name) is None, "tech_registration.transfer_figures_missing",
                       name))
    return tuple(Finding(code, name) for failed, code, name in checks if failed)


# --- pre-filling from the deal ---------------------------------------------------------------------
@dataclass(frozen=True)
class OrganisationFacts:
    kind: str
    region: str
    flags: frozenset[str] = frozenset()


def nature_code_of(org: OrganisationFacts) -> str:
    """The nature code an organisation's kind implies; an enterprise's form (有限责任公司, 私营…) is its to say,
    unless it was verified state-owned."""
    by_kind = {"university": "022", "research_institute": "021", "government": "010"}
    if org.kind in by_kind:
        return by_kind[org.kind]
    return "110" if "soe" in org.flags else ""


def region_code_of(region: str) -> str:
    """The GB/T 2260 code of a free-text region (``福建省厦门市…`` → 350200), the most precise name found; or
    the code itself when the region is one; else empty (the seller types it)."""
    text = region.strip()
    if _digits(text, 6) and text[:2] in PROVINCES:
        return text
    found = [(text.find(name), -len(code.rstrip("0")), code) for name, code in REGION_NAMES.items() if name in text]
    if not found:
        return ""
    city = [f for f in found if not f[2].endswith("0000")]
    return min(city or found, key=lambda f: (f[1], f[0]))[2]


def prefill(*, deal_kind: str, terms: dict[str, Any], patent_pending: bool, title: str, signed_on: date,
            seller: OrganisationFacts, buyer: OrganisationFacts) -> RegistrationRecord:
    """The record as the deal already says it: type, project (the patent's title), term (a licence's scope;
    an assignment's from signing), amount and technology income (the price), codes the parties imply."""
    if deal_kind == "assignment":
        kind = ContractType.PATENT_APPLICATION if patent_pending else ContractType.PATENT_RIGHT
        start, end = signed_on, None
    else:
        kind = ContractType.PATENT_LICENCE
        scope = terms.get("scope") or {}
        start = date.fromisoformat(scope["start"]) if scope.get("start") else signed_on
        end = date.fromisoformat(scope["end"]) if scope.get("end") else None
    price = int(terms.get("price", 0))

    def codes(org: OrganisationFacts) -> PartyCodes:
        return PartyCodes(nature_code_of(org), CHINA, region_code_of(org.region))

    return RegistrationRecord(
        contract_type=kind.value, project_name=" ".join(title.split())[:PROJECT_NAME_LIMIT], signed_on=signed_on,
        seller=codes(seller), buyer=codes(buyer), term_start=start, term_end=end, amount=price,
        technology_income=price,
    )


def last_due_of(terms: dict[str, Any]) -> date | None:
    """A development contract's last milestone due date (``None`` for a contract without milestones)."""
    days = [date.fromisoformat(str(m["due"])) for m in terms.get("milestones") or [] if m.get("due")]
    return max(days) if days else None


def prefill_development(*, kind: str, terms: dict[str, Any], title: str, signed_on: date,
                        developer: OrganisationFacts, client: OrganisationFacts) -> RegistrationRecord:
    """The record of a technology development contract as the contract says it: type 技术开发 (委托 or 合作, the
    contract's kind), the project (the demand's title), the term from signing to the last milestone's due
    date, the amount (the contract price) and the technology income (技术交易额): the price too, which the
    developer lowers by what is not technical income (equipment, materials bought for the client) before it
    registers; seller (卖方) is the developer (研究开发方), buyer (买方) the client; no expected investment and
    output (a transfer's figures)."""
    if kind not in DEVELOPMENT_TYPES:
        raise ValidationError("kind: not a development", field="kind", code="choice")
    price = int(terms.get("price", 0))

    def codes(org: OrganisationFacts) -> PartyCodes:
        return PartyCodes(nature_code_of(org), CHINA, region_code_of(org.region))

    return RegistrationRecord(
        contract_type=DEVELOPMENT_TYPES[kind].value, project_name=" ".join(title.split())[:PROJECT_NAME_LIMIT],
        signed_on=signed_on, seller=codes(developer), buyer=codes(client), term_start=signed_on,
        term_end=last_due_of(terms), amount=price, technology_income=price,
    )
