"""HTML form fields to command structs: the same commands the JSON API takes."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

import msgspec
from litestar.datastructures import FormMultiDict

from domain.shared.errors import ValidationError
from domain.shared.money import MAX_AMOUNT
from web.refusals import input_refusal

C = TypeVar("C", bound=msgspec.Struct)
_FIELD_PATH = re.compile(r"`\$\.([A-Za-z0-9_.\[\]]+)`")
#: An amount as people type it: ASCII digits (full-width ones are folded first), thousands commas, a decimal point.
#: No exponent (``1e5``), no underscores (``1_000``), no other scripts' digits: Decimal() would take them all.
_YUAN = re.compile(r"-?[0-9][0-9,]*(?:\.[0-9]+)?|-?\.[0-9]+", re.ASCII)


def to_command(kind: type[C], data: dict[str, Any]) -> C:
    """Convert decoded input to a command; msgspec's complaint becomes a 400 naming the field."""
    try:
        return msgspec.convert(data, kind, strict=False)
    except msgspec.ValidationError as exc:
        match = _FIELD_PATH.search(str(exc))
        field = match.group(1).replace("[", ".").replace("]", "") if match else None
        missing = re.match(r"^Object (?:missing required|contains unknown) field `([^`]+)`", str(exc))
        if missing is not None:  # msgspec names a missing field at its parent object
            field = f"{field}.{missing.group(1)}" if field else missing.group(1)
        code, params = input_refusal(str(exc))
        refusal = ValidationError(f"{field or 'input'}: {str(exc).split(' - at ')[0]}", field=field, code=code)
        refusal.params = dict(params)
        raise refusal from None


def text(form: FormMultiDict, name: str) -> str:
    value = form.get(name)
    return str(value).strip() if value is not None else ""


def optional(form: FormMultiDict, name: str) -> str | None:
    return text(form, name) or None


def yuan_to_fen(value: str | None, field: str) -> int | None:
    """Prices are typed in yuan (元) with at most two decimals and kept in fen."""
    if value is None or value.strip() == "":
        return None
    typed = unicodedata.normalize("NFKC", value).strip().removeprefix("¥").strip()  # ５００，０００ -> 500,000
    try:
        amount = Decimal(typed.replace(",", "")) * 100 if _YUAN.fullmatch(typed) else None
    except (InvalidOperation, ArithmeticError):  # beyond Decimal's range
        amount = None
    if amount is None or not amount.is_finite():
        raise ValidationError(f"{field}: must be an amount in yuan, such as 500000 or 12.50", field=field,
                              code="amount.yuan")
    if abs(amount) > MAX_AMOUNT:
        raise ValidationError(f"{field}: must be at most {MAX_AMOUNT // 100:,} yuan", field=field,
                              code="amount.too_large", most=MAX_AMOUNT)
    if amount != amount.to_integral_value():
        raise ValidationError(f"{field}: at most two decimals", field=field, code="amount.decimals")
    if amount < 0:
        raise ValidationError(f"{field}: must not be negative", field=field, code="amount.negative")
    return int(amount)


def listing_fields(form: FormMultiDict) -> dict[str, Any]:
    price_mode = text(form, "price_mode")
    data: dict[str, Any] = {
        "deal_types": [str(v) for v in form.getall("deal_types", [])],
        "price_mode": price_mode,
        "asking_price": yuan_to_fen(optional(form, "asking_price"), "asking_price") if price_mode == "fixed" else None,
        "maturity": optional(form, "maturity"),
        "trl": optional(form, "trl"),
        "advantages": text(form, "advantages"),
        "applications": text(form, "applications"),
        "keywords": [k.strip() for k in re.split(r"[,，;；]", text(form, "keywords")) if k.strip()],
    }
    if "open_licence" in data["deal_types"] or price_mode == "open_licence":
        data["open_licence"] = {
            "fee": yuan_to_fen(optional(form, "open_fee"), "open_licence.fee") or 0,
            "royalty_rate": optional(form, "royalty_rate") or 0,
            "term_years": optional(form, "term_years") or 5,
        }
    return data


def funding_fields(form: FormMultiDict) -> dict[str, Any] | None:
    """The public-funding fields of a patent form (none without a programme)."""
    if not optional(form, "programme"):
        return None
    return {"programme": text(form, "programme"), "project_reference": text(form, "project_reference"),
            "end_date": optional(form, "end_date"), "funder": text(form, "funder")}


def patent_fields(form: FormMultiDict) -> dict[str, Any]:
    owners = []
    for i in range(5):
        org = optional(form, f"owner_{i}")
        if org:
            owners.append({"organisation_id": org, "share": optional(form, f"owner_share_{i}") or 0})
    inventors = []
    for line in text(form, "inventors").splitlines():
        match = re.match(r"^\s*(.+?)\s*(?:[,，\s]\s*(\d+(?:\.\d+)?)\s*%?)?\s*$", line)
        if match and match.group(1):
            inventors.append({"name": match.group(1), "share": match.group(2)})
    funding = funding_fields(form)
    return {
        "jurisdiction": text(form, "jurisdiction") or "CN",
        "application_number": optional(form, "application_number"),
        "publication_number": optional(form, "publication_number"),
        "patent_type": text(form, "patent_type"),
        "title_zh": text(form, "title_zh"), "title_en": text(form, "title_en"),
        "abstract_zh": text(form, "abstract_zh"), "abstract_en": text(form, "abstract_en"),
        "ipc_codes": [c.strip() for c in re.split(r"[,，;；\n]", text(form, "ipc_codes")) if c.strip()],
        "filing_date": optional(form, "filing_date"), "publication_date": optional(form, "publication_date"),
        "grant_date": optional(form, "grant_date"), "expiry_date": optional(form, "expiry_date"),
        "legal_status": text(form, "legal_status") or "pending",
        "owners": owners, "inventors": inventors, "public_funding": funding,
    }
