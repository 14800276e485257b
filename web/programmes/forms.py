"""The programme editor's form fields to the ``DraftProgramme`` command the JSON API also takes."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from litestar.datastructures import FormMultiDict

from domain.shared.errors import ValidationError
from web.forms import optional, text, yuan_to_fen


def percent_to_bp(value: str | None, field: str) -> int | None:
    """A rate typed in percent (``1``, ``0.5``, ``10``) as basis points; at most two decimals, 0 to 100."""
    if value is None or not value.strip():
        return None
    try:
        bp = Decimal(value.replace("%", "").strip()) * 100
        ok = bp.is_finite() and bp == bp.to_integral_value() and 0 <= bp <= 10_000
    except (InvalidOperation, ArithmeticError):
        ok = False
    if not ok:
        raise ValidationError(f"{field}: give a rate in percent from 0 to 100, at most two decimals", field=field,
                              code="rate.percent_100")
    return int(bp)


def rules_fields(form: FormMultiDict, kind: str) -> dict[str, Any]:
    rate = percent_to_bp(optional(form, "rate"), "rules.tiers.0.rate_bp")
    if rate is None:
        raise ValidationError("rules.tiers.0.rate_bp: give the rate in percent", field="rules.tiers.0.rate_bp",
                              code="required")
    up_to = yuan_to_fen(optional(form, "tier_up_to"), "rules.tiers.0.up_to")
    tiers: list[dict[str, Any]] = [{"rate_bp": rate, "up_to": up_to}]
    if up_to is not None:
        above = percent_to_bp(optional(form, "rate_above"), "rules.tiers.1.rate_bp")
        tiers.append({"rate_bp": above if above is not None else 0, "up_to": None})
    counterparty: list[dict[str, Any]] = []
    other_rate = percent_to_bp(optional(form, "counterparty_rate"), "rules.counterparty_rates.0.rate_bp")
    if other_rate is not None:
        counterparty.append({"rate_bp": other_rate, "region": text(form, "counterparty_region"),
                             "kinds": ["university", "research_institute"]})
    voucher: dict[str, Any] = {}
    if kind == "innovation_voucher":
        voucher = {
            "share_tech_sme_bp": percent_to_bp(optional(form, "share_tech_sme"), "rules.share_tech_sme_bp"),
            "redemption_model": text(form, "redemption_model") or "provider",
            "services": [str(v) for v in form.getall("services", [])],
            "provider_bonus_bp": percent_to_bp(optional(form, "provider_bonus"), "rules.provider_bonus_bp"),
            "provider_bonus_cap_per_year": yuan_to_fen(optional(form, "provider_bonus_cap"),
                                                       "rules.provider_bonus_cap_per_year"),
            "provider_regions": [r for r in re.split(r"[,，、;；\s]+", text(form, "provider_regions")) if r],
        }
    return {
        **voucher,
        "beneficiary": ("buyer" if kind in ("purchase_subsidy", "innovation_voucher")
                        else "agency" if kind == "agency_subsidy" else "seller"),
        "tiers": tiers,
        "cap_per_deal": yuan_to_fen(optional(form, "cap_per_deal"), "rules.cap_per_deal"),
        "cap_per_beneficiary_year": yuan_to_fen(optional(form, "cap_per_year"), "rules.cap_per_beneficiary_year"),
        "counterparty_rates": counterparty,
        "buyer_kinds": [str(v) for v in form.getall("buyer_kinds", [])],
        "seller_kinds": [str(v) for v in form.getall("seller_kinds", [])],
        "buyer_region": text(form, "buyer_region"),
        "seller_region": text(form, "seller_region"),
        "deal_types": [str(v) for v in form.getall("deal_types", [])],
        "beneficiary_flags": [str(v) for v in form.getall("flags", [])],
        "requires_registration": bool(optional(form, "requires_registration")),
    }


def programme_fields(form: FormMultiDict) -> dict[str, Any]:
    kind = text(form, "kind")
    return {
        "kind": kind,
        "name_zh": text(form, "name_zh"),
        "name_en": text(form, "name_en"),
        "source": text(form, "source"),
        "budget": yuan_to_fen(optional(form, "budget"), "budget"),
        "starts_on": optional(form, "starts_on"),
        "ends_on": optional(form, "ends_on"),
        "rules": rules_fields(form, kind),
    }
