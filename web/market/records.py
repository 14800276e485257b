"""The registration record between its form, its JSON and its CSV export (表 JJ-001 columns).

The page's form is typed in yuan and sent as the ``PrepareRegistration`` command the JSON API takes;
the export names each JJ-001 field in Chinese and English, amounts in fen (JSON) or yuan (CSV).
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import msgspec
from litestar.datastructures import FormMultiDict

from domain.market.jj001 import RegistrationRecord
from web.forms import optional, text, yuan_to_fen

AMOUNTS = ("amount", "technology_income", "expected_investment", "expected_output")
CODES = ("nature_code", "country_code", "region_code")


def form_values(record: RegistrationRecord) -> dict[str, str]:
    """The record as the form shows it (amounts in yuan; empty where not given)."""
    values: dict[str, str] = {
        "contract_type": record.contract_type, "project_name": record.project_name,
        "term_start": record.term_start.isoformat() if record.term_start else "",
        "term_end": record.term_end.isoformat() if record.term_end else "",
    }
    for side in ("seller", "buyer"):
        for name in CODES:
            values[f"{side}_{name}"] = getattr(getattr(record, side), name)
    for name in AMOUNTS:
        fen = getattr(record, name)
        values[name] = "" if fen is None else f"{Decimal(fen) / 100:f}".removesuffix(".00")
    return values


def command_fields(form: FormMultiDict, contract_id: UUID) -> dict[str, Any]:
    """The form's fields as the ``PrepareRegistration`` command (amounts typed in yuan become fen)."""
    fields: dict[str, Any] = {
        "contract_id": contract_id, "contract_type": text(form, "contract_type"),
        "project_name": text(form, "project_name"), "term_start": optional(form, "term_start"),
        "term_end": optional(form, "term_end"),
        **{side: {name: text(form, f"{side}_{name}") for name in CODES} for side in ("seller", "buyer")},
    }
    for name in AMOUNTS:
        fen = yuan_to_fen(optional(form, name), name)
        if fen is not None or name in ("expected_investment", "expected_output"):
            fields[name] = fen
    return fields


class PartyOut(msgspec.Struct, frozen=True, kw_only=True):
    """买/卖方: name, nature code, country code (3 digits), region code (6 digits, GB/T 2260)."""

    organisation_id: UUID
    name: str
    nature_code: str
    country_code: str
    region_code: str


class RecordOut(msgspec.Struct, frozen=True, kw_only=True):
    """The JJ-001 fields: amounts in fen; ``None``: not given yet."""

    contract_type: str
    project_name: str
    term_start: date | None
    term_end: date | None
    signed_on: date
    seller: PartyOut
    buyer: PartyOut
    amount: int
    technology_income: int
    expected_investment: int | None
    expected_output: int | None

    @classmethod
    def of(cls, record: RegistrationRecord, seller: tuple[UUID, str], buyer: tuple[UUID, str]) -> RecordOut:
        def party(side: str, org: tuple[UUID, str]) -> PartyOut:
            codes = getattr(record, side)
            return PartyOut(organisation_id=org[0], name=org[1], nature_code=codes.nature_code,
                            country_code=codes.country_code, region_code=codes.region_code)

        return cls(contract_type=record.contract_type, project_name=record.project_name,
                   term_start=record.term_start, term_end=record.term_end, signed_on=record.signed_on,
                   seller=party("seller", seller), buyer=party("buyer", buyer), amount=record.amount,
                   technology_income=record.technology_income, expected_investment=record.expected_investment,
                   expected_output=record.expected_output)


class FindingOut(msgspec.Struct, frozen=True, kw_only=True):
    """A refusal ground the record meets: its stable code, the field, and the rule in words."""

    code: str
    field: str
    detail: str


class RegistrationExport(msgspec.Struct, frozen=True, kw_only=True):
    """The machine-readable registration form (表 JJ-001) of one contract, once it passes the checks."""

    form: str
    contract_id: UUID
    number: str
    record: RecordOut
    currency: str = "CNY"


#: CSV columns: the JJ-001 field (Chinese / English) and how to read it from the export.
CSV_COLUMNS: tuple[tuple[str, str], ...] = (
    ("合同登记编号 / number", "number"), ("合同类别 / contract_type", "contract_type"),
    ("项目名称 / project_name", "project_name"), ("有效期自 / term_start", "term_start"),
    ("有效期至 / term_end", "term_end"), ("合同签订日期 / signed_on", "signed_on"),
    ("卖方名称 / seller_name", "seller.name"), ("卖方性质 / seller_nature_code", "seller.nature_code"),
    ("卖方国别代码 / seller_country_code", "seller.country_code"),
    ("卖方行政区划代码 / seller_region_code", "seller.region_code"),
    ("买方名称 / buyer_name", "buyer.name"), ("买方性质 / buyer_nature_code", "buyer.nature_code"),
    ("买方国别代码 / buyer_country_code", "buyer.country_code"),
    ("买方行政区划代码 / buyer_region_code", "buyer.region_code"),
    ("成交额（元） / amount_yuan", "amount"), ("技术交易额（元） / technology_income_yuan", "technology_income"),
    ("预计新增投入（元） / expected_investment_yuan", "expected_investment"),
    ("预计新增产值（元） / expected_output_yuan", "expected_output"),
)


def _cell(value: object) -> str:
    """A CSV cell a spreadsheet will not run as a formula; amounts in fen shown in yuan by the caller."""
    shown = "" if value is None else str(value)
    return "'" + shown if shown[:1] in ("=", "+", "-", "@") else shown


def export_csv(export: RegistrationExport) -> str:
    data = msgspec.to_builtins(export)
    row: list[str] = []
    for _, path in CSV_COLUMNS:
        value: Any = data if path == "number" else data["record"]
        for part in path.split("."):
            value = value[part] if isinstance(value, dict) else value
        if path in AMOUNTS and value is not None:
            value = f"{Decimal(value) / 100:.2f}"
        row.append(_cell(value))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([name for name, _ in CSV_COLUMNS])
    writer.writerow(row)
    return "\ufeff" + out.getvalue()
