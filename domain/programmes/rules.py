"""A programme's rules and the award they give a paid deal: a pure, reproducible calculation.

Amounts are integer fen; rates are basis points (1 % = 100 bp, 0.5 % = 50 bp). An award is the
paid amount times the rate of each tier it falls in (tiers count the beneficiary's paid amounts over
the calendar year, as Fujian's institution reward does: 1 % of the first ¥5,000,000, 0.5 % above),
then each cap in turn (per deal, per beneficiary-year). Every step is kept, so the claim shows
"paid × rate, each cap applied, and why", and the same facts always give the same award.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from domain.accounts.organisation import ORGANISATION_FLAGS
from domain.market.jj001 import PROVINCES, REGION_NAMES, region_code_of
from domain.programmes.conversion_terms import ConversionTerms, conversion_terms_from_dict
from domain.shared.errors import ValidationError
from domain.shared.money import MAX_AMOUNT, check_amount

BASIS_POINTS = 10_000
BEIJING = ZoneInfo("Asia/Shanghai")
#: Flags a rule may require of its beneficiary (verified on the organisation, ``domain.accounts``).
BENEFICIARY_FLAGS = ORGANISATION_FLAGS


class ProgrammeKind(StrEnum):
    PURCHASE_SUBSIDY = "purchase_subsidy"  # 购买专利补助, to the buyer
    TRANSFER_REWARD = "transfer_reward"  # 转让、许可奖励, to the seller
    INNOVATION_VOUCHER = "innovation_voucher"  # 科技创新券
    CONVERSION = "conversion"  # 财政资助成果限时转化: deadlines, no per-deal awards
    #: 技术转移机构业绩补助: a share of the deals an agency brokered in a year, claimed by the agency for the year
    #: (``domain.programmes.agency_subsidy``), never awarded per payment.
    AGENCY_SUBSIDY = "agency_subsidy"


#: How a voucher is redeemed: 通兑 (the provider redeems the voucher part) or 通用 (the buyer is reimbursed).
REDEMPTION_MODELS = ("provider", "reimbursement")


class Side(StrEnum):
    BUYER = "buyer"
    SELLER = "seller"
    #: The transfer agency that brokered the deals (an agency performance subsidy's beneficiary).
    AGENCY = "agency"


def _check_rate(rate_bp: int, name: str) -> None:
    if not isinstance(rate_bp, int) or isinstance(rate_bp, bool) or not 0 <= rate_bp <= BASIS_POINTS:
        raise ValidationError(f"{name}: a rate is 0 to 10000 basis points (0 % to 100 %)", field=name,
                              code="rate.up_to_100")


@dataclass(frozen=True)
class Tier:
    """``rate_bp`` on the beneficiary-year's paid amounts up to ``up_to`` fen (``None``: no upper bound)."""

    rate_bp: int
    up_to: int | None = None


@dataclass(frozen=True)
class CounterpartyRate:
    """A flat rate that replaces the tiers when the other party is of these kinds in this region
    (Fuzhou's SOE subsidy: 10 % buying from a Fuzhou university or institute, 6 % otherwise)."""

    rate_bp: int
    region: str = ""
    kinds: frozenset[str] = frozenset()

    def applies_to(self, party: Party) -> bool:
        return in_region(party.region, self.region) and (not self.kinds or party.kind in self.kinds)


#: The cities of each province the rules name, so that a party registered in ``厦门`` is in ``福建``.
PROVINCE_CITIES: dict[str, tuple[str, ...]] = {
    "福建": ("福州", "厦门", "泉州", "漳州", "莆田", "三明", "南平", "龙岩", "宁德", "平潭"),
}


def in_region(region: str, wanted: str) -> bool:
    """Whether a party's region (``福建省福州市…``, ``厦门``) lies in the wanted one (``福建``, ``福州``);
    a province contains its cities; empty: anywhere."""
    if not wanted or wanted in region:
        return True
    return any(city in region for city in PROVINCE_CITIES.get(wanted.removesuffix("省"), ()))


#: The name of each GB/T 2260 code the regions of the rules may name (福建 for 350000, 厦门 for 350200).
REGION_OF_CODE: dict[str, str] = {code: name for name, code in REGION_NAMES.items()}


def region_code(value: str) -> str:
    """A region the officer names (``福建``, ``厦门市``, ``350200``) as its GB/T 2260 code; empty when unknown."""
    return region_code_of(value.strip().removesuffix("省").removesuffix("市"))


def region_name(code: str) -> str:
    return REGION_OF_CODE.get(code, code)


def within_region(code: str, accepted: str) -> bool:
    """Whether a region's code lies in an accepted one: a province (``350000``) holds its cities and districts,
    a city (``350200``) its districts, a district only itself."""
    if accepted.endswith("0000"):
        return code[:2] == accepted[:2]
    if accepted.endswith("00"):
        return code[:4] == accepted[:4]
    return code == accepted


@dataclass(frozen=True)
class Rules:
    """One version of a programme's rules. Empty sets mean "any"."""

    beneficiary: Side
    tiers: tuple[Tier, ...]
    cap_per_deal: int | None = None
    cap_per_beneficiary_year: int | None = None
    counterparty_rates: tuple[CounterpartyRate, ...] = ()
    buyer_kinds: frozenset[str] = frozenset()
    seller_kinds: frozenset[str] = frozenset()
    buyer_region: str = ""
    seller_region: str = ""
    deal_types: frozenset[str] = frozenset()
    beneficiary_flags: frozenset[str] = frozenset()  # verified flags the beneficiary must hold: soe, tech_sme
    #: 技术合同认定登记: the claim asks for the registration number at submission (registration
    #: often follows the payment); a registration recorded before signing breaks the date order.
    requires_registration: bool = True
    requires_platform_signing: bool = True
    excludes_fiscally_funded: bool = True
    excludes_related_parties: bool = True
    #: A conversion programme's deadlines (``conversion_terms``); ``None`` for the programmes that award deals.
    conversion: ConversionTerms | None = None
    #: Innovation vouchers (``ProgrammeKind.INNOVATION_VOUCHER``): the first tier's rate is the share of a
    #: cost a voucher covers (Fujian: at most 50 %; Xiamen 40 % per use), this the share for a registered
    #: technology SME (Xiamen: 50 %); ``cap_per_deal`` caps one use, ``cap_per_beneficiary_year`` the
    #: face value issued to one enterprise a year; the flags are alternatives (a tech SME *or* a maker).
    share_tech_sme_bp: int | None = None
    #: ``provider`` (通兑: the buyer pays its share, the programme pays the voucher part to the seller) or
    #: ``reimbursement`` (通用: the buyer pays everything and is reimbursed the voucher part).
    redemption_model: str = "provider"
    #: The services a voucher pays for (``domain.programmes.voucher.VoucherService``); empty: all of them.
    services: frozenset[str] = frozenset()
    #: 通兑 only: a bonus to the service provider on the voucher value it redeems, paid with the settlement
    #: (xiamen_torch_innovation_voucher_2022: 20 % of the redeemed value, at most ¥400,000 a provider a year);
    #: ``None``: no bonus (the rules stored before the bonus existed load so).
    provider_bonus_bp: int | None = None
    provider_bonus_cap_per_year: int | None = None
    #: 跨区域: the regions whose providers a voucher may pay (GB/T 2260 codes: a province ``350000`` holds its
    #: cities, a city ``350200`` its districts); empty: any region (the rules stored before this existed, and
    #: Fujian's, which names its providers by kind — 高校、科研院所、企业 — not by place).
    provider_regions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.tiers and self.conversion is None:
            raise ValidationError("tiers: give at least one rate", field="tiers", code="programme.no_rate")
        bound = 0
        for i, tier in enumerate(self.tiers):
            _check_rate(tier.rate_bp, f"tiers.{i}.rate_bp")
            last = i == len(self.tiers) - 1
            if tier.up_to is None and not last:
                raise ValidationError(f"tiers.{i}.up_to: only the last tier is unbounded", field=f"tiers.{i}.up_to",
                                      code="programme.tier_unbounded")
            if tier.up_to is not None:
                check_amount(tier.up_to, f"tiers.{i}.up_to")
                if tier.up_to <= bound:
                    raise ValidationError(f"tiers.{i}.up_to: tiers must rise", field=f"tiers.{i}.up_to",
                                          code="programme.tiers_rise")
                bound = tier.up_to
        for name in ("cap_per_deal", "cap_per_beneficiary_year"):
            value = getattr(self, name)
            if value is not None:
                check_amount(value, name)
        for i, rate in enumerate(self.counterparty_rates):
            _check_rate(rate.rate_bp, f"counterparty_rates.{i}.rate_bp")
        if self.share_tech_sme_bp is not None:
            _check_rate(self.share_tech_sme_bp, "share_tech_sme_bp")
        if self.provider_bonus_bp is not None:
            _check_rate(self.provider_bonus_bp, "provider_bonus_bp")
        if self.provider_bonus_cap_per_year is not None:
            check_amount(self.provider_bonus_cap_per_year, "provider_bonus_cap_per_year")
        for i, code in enumerate(self.provider_regions):
            if not (len(code) == 6 and code.isascii() and code.isdigit() and code[:2] in PROVINCES):
                raise ValidationError(f"provider_regions.{i}: a region is a province or city of China (福建, 厦门, "
                                      "上海) or its GB/T 2260 code", field=f"provider_regions.{i}",
                                      code="voucher.provider_region_name", got=code)
        if self.redemption_model not in REDEMPTION_MODELS:
            raise ValidationError(f"redemption_model: must be one of {', '.join(REDEMPTION_MODELS)}",
                                  field="redemption_model", code="choice")

    def as_dict(self) -> dict[str, Any]:
        """The rules as plain data (an event's payload; :func:`rules_from_dict` reads it back)."""
        return {
            "beneficiary": self.beneficiary.value,
            "tiers": [{"rate_bp": t.rate_bp, "up_to": t.up_to} for t in self.tiers],
            "cap_per_deal": self.cap_per_deal,
            "cap_per_beneficiary_year": self.cap_per_beneficiary_year,
            "counterparty_rates": [
                {"rate_bp": r.rate_bp, "region": r.region, "kinds": sorted(r.kinds)} for r in self.counterparty_rates
            ],
            "buyer_kinds": sorted(self.buyer_kinds),
            "seller_kinds": sorted(self.seller_kinds),
            "buyer_region": self.buyer_region,
            "seller_region": self.seller_region,
            "deal_types": sorted(self.deal_types),
            "beneficiary_flags": sorted(self.beneficiary_flags),
            "requires_registration": self.requires_registration,
            "requires_platform_signing": self.requires_platform_signing,
            "excludes_fiscally_funded": self.excludes_fiscally_funded,
            "excludes_related_parties": self.excludes_related_parties,
            **({"conversion": self.conversion.as_dict()} if self.conversion is not None else {}),
            # The voucher terms only where they differ from the defaults: the rules of subsidies and
            # rewards are recorded as before.
            **({"share_tech_sme_bp": self.share_tech_sme_bp} if self.share_tech_sme_bp is not None else {}),
            **({"redemption_model": self.redemption_model} if self.redemption_model != "provider" else {}),
            **({"services": sorted(self.services)} if self.services else {}),
            **({"provider_bonus_bp": self.provider_bonus_bp} if self.provider_bonus_bp is not None else {}),
            **({"provider_bonus_cap_per_year": self.provider_bonus_cap_per_year}
               if self.provider_bonus_cap_per_year is not None else {}),
            **({"provider_regions": list(self.provider_regions)} if self.provider_regions else {}),
        }


def rules_from_dict(data: dict[str, Any]) -> Rules:
    return Rules(
        beneficiary=Side(data["beneficiary"]),
        tiers=tuple(Tier(rate_bp=t["rate_bp"], up_to=t.get("up_to")) for t in data["tiers"]),
        cap_per_deal=data.get("cap_per_deal"),
        cap_per_beneficiary_year=data.get("cap_per_beneficiary_year"),
        counterparty_rates=tuple(
            CounterpartyRate(rate_bp=r["rate_bp"], region=r.get("region", ""), kinds=frozenset(r.get("kinds", ())))
            for r in data.get("counterparty_rates", ())
        ),
        buyer_kinds=frozenset(data.get("buyer_kinds", ())),
        seller_kinds=frozenset(data.get("seller_kinds", ())),
        buyer_region=data.get("buyer_region", ""),
        seller_region=data.get("seller_region", ""),
        deal_types=frozenset(data.get("deal_types", ())),
        beneficiary_flags=frozenset(data.get("beneficiary_flags", ())),
        requires_registration=data.get("requires_registration", True),
        requires_platform_signing=data.get("requires_platform_signing", True),
        excludes_fiscally_funded=data.get("excludes_fiscally_funded", True),
        excludes_related_parties=data.get("excludes_related_parties", True),
        conversion=conversion_terms_from_dict(data["conversion"]) if data.get("conversion") else None,
        share_tech_sme_bp=data.get("share_tech_sme_bp"),
        redemption_model=data.get("redemption_model", "provider"),
        services=frozenset(data.get("services", ())),
        provider_bonus_bp=data.get("provider_bonus_bp"),
        provider_bonus_cap_per_year=data.get("provider_bonus_cap_per_year"),
        provider_regions=tuple(data.get("provider_regions", ())),
    )


@dataclass(frozen=True)
class Party:
    organisation_id: str
    kind: str
    region: str
    flags: frozenset[str] = frozenset()


@dataclass(frozen=True)
class DealFacts:
    """What the event log says about one payment on a contract, as the rules read it."""

    contract_id: str
    deal_type: str
    buyer: Party
    seller: Party
    paid_amount: int
    paid_at: datetime
    signed_at: datetime | None
    offered_from: datetime | None  # the listing's publication, an auction's start or the public notice's start
    registered_at: datetime | None = None  # 技术合同认定登记
    #: When the contract was drafted on the platform (its record's time, the clock ``offered_from`` is on).
    contracted_at: datetime | None = None
    signed_on_platform: bool = True
    fiscally_funded: bool = False
    related_parties: bool = False

    @property
    def year(self) -> int:
        """The calendar year the payment counts in: Beijing's (a payment at 20:00 UTC on 31 December is
        already next year's there)."""
        return self.paid_at.astimezone(BEIJING).year


@dataclass(frozen=True)
class Step:
    """One line of an award's calculation: a label key, its figures, and the amount after it."""

    key: str
    amount: int
    figures: dict[str, int | str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "amount": self.amount, "figures": dict(self.figures)}


@dataclass(frozen=True)
class Assessment:
    """The award the rules give one payment, or the reasons it gets none (label keys)."""

    amount: int
    steps: tuple[Step, ...] = ()
    refusals: tuple[str, ...] = ()

    @property
    def eligible(self) -> bool:
        return not self.refusals and self.amount > 0


@dataclass(frozen=True)
class Totals:
    """What the beneficiary has had counted so far: this year's paid amounts and awards, this deal's awards."""

    year_paid: int = 0
    year_awarded: int = 0
    deal_awarded: int = 0


def refusals_of(rules: Rules, facts: DealFacts) -> tuple[str, ...]:
    """Why the rules give this payment nothing (label keys, in a fixed order); empty when it qualifies."""
    beneficiary = facts.buyer if rules.beneficiary is Side.BUYER else facts.seller
    contracted = facts.contracted_at or facts.signed_at or facts.paid_at
    checks: list[tuple[bool, str]] = [
        (bool(rules.buyer_kinds) and facts.buyer.kind not in rules.buyer_kinds, "programme.refusal.buyer_kind"),
        (bool(rules.seller_kinds) and facts.seller.kind not in rules.seller_kinds, "programme.refusal.seller_kind"),
        (not in_region(facts.buyer.region, rules.buyer_region), "programme.refusal.buyer_region"),
        (not in_region(facts.seller.region, rules.seller_region), "programme.refusal.seller_region"),
        (bool(rules.deal_types) and facts.deal_type not in rules.deal_types, "programme.refusal.deal_type"),
        # An agency's own flags are asked of the agency when it applies, not of a party to the deal.
        (rules.beneficiary is not Side.AGENCY and not rules.beneficiary_flags <= beneficiary.flags,
         "programme.refusal.flags"),
        (rules.requires_platform_signing and not facts.signed_on_platform, "programme.refusal.not_signed_here"),
        (rules.excludes_fiscally_funded and facts.fiscally_funded, "programme.refusal.fiscally_funded"),
        (rules.excludes_related_parties and facts.related_parties, "programme.refusal.related_parties"),
        (facts.signed_at is None, "programme.refusal.not_signed"),
        (
            facts.offered_from is None or facts.offered_from > contracted,
            "programme.refusal.order_offer_before_contract",
        ),
        (
            facts.signed_at is not None and facts.paid_at < facts.signed_at,
            "programme.refusal.order_payment_after_signing",
        ),
        (
            facts.signed_at is not None and facts.registered_at is not None and facts.registered_at < facts.signed_at,
            "programme.refusal.order_registration_after_signing",
        ),
    ]
    return tuple(key for failed, key in checks if failed)


def tiered(tiers: Sequence[Tier], before: int, paid: int) -> list[Step]:
    """The paid amount split over the tiers by where it falls in the year's running total."""
    steps: list[Step] = []
    low = 0
    start, end = before, before + paid
    for tier in tiers:
        high = tier.up_to if tier.up_to is not None else MAX_AMOUNT * 4
        portion = max(0, min(end, high) - max(start, low))
        if portion:
            steps.append(Step("programme.step.rate", portion * tier.rate_bp // BASIS_POINTS,
                              {"base": portion, "rate_bp": tier.rate_bp}))
        low = high
    return steps


def assess(rules: Rules, facts: DealFacts, totals: Totals = Totals()) -> Assessment:
    """The award of one payment under one version of the rules, with each step and cap shown."""
    check_amount(facts.paid_amount, "paid_amount")
    refusals = refusals_of(rules, facts)
    if refusals:
        return Assessment(0, refusals=refusals)
    counterparty = facts.seller if rules.beneficiary is Side.BUYER else facts.buyer
    override = next((r for r in rules.counterparty_rates if r.applies_to(counterparty)), None)
    tiers: Sequence[Tier] = (Tier(override.rate_bp),) if override is not None else rules.tiers
    steps = [Step("programme.step.paid", facts.paid_amount, {"paid": facts.paid_amount})]
    rated = tiered(tiers, totals.year_paid, facts.paid_amount)
    steps.extend(rated)
    amount = sum(s.amount for s in rated)
    steps.append(Step("programme.step.subtotal", amount))
    amount = capped(amount, steps, "programme.step.cap_per_deal", rules.cap_per_deal, totals.deal_awarded)
    amount = capped(amount, steps, "programme.step.cap_per_year", rules.cap_per_beneficiary_year, totals.year_awarded)
    return Assessment(amount, steps=tuple(steps))


def capped(amount: int, steps: list[Step], key: str, cap: int | None, already: int) -> int:
    """``amount`` cut to the room a cap leaves after what was awarded ``already`` (a step ``key`` added to
    ``steps`` when it cuts); no cap (``None``) leaves it whole."""
    if cap is not None:
        room = max(0, cap - already)
        if amount > room:
            steps.append(Step(key, room, {"cap": cap, "already": already}))
            return room
    return amount


def higher_of(candidates: Iterable[tuple[str, Assessment]]) -> tuple[str, Assessment] | None:
    """就高不重复: of one payment's awards under overlapping programmes, the higher applies, never both
    (equal awards: the programme with the smaller id, so the choice is reproducible)."""
    eligible = [(programme, a) for programme, a in candidates if a.eligible]
    if not eligible:
        return None
    return min(eligible, key=lambda c: (-c[1].amount, c[0]))

