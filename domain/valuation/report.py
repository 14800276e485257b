"""The rendered report of an assessment, defined deterministically, and its SHA-256 (the signed digest).

The report is the assessment's canonical text in Chinese and English: one line per fact, in a fixed
order, amounts in plain decimal notation exactly as recorded (never rounded), the inputs and the
calculation steps as canonical JSON (keys sorted, no spaces). The valuer signs this text's digest
when recording the assessment, and the agency countersigns the same digest; anyone holding the
recorded facts (the event, the read model, the JSON API) can render the text again and check it.
Changing this text changes every digest: a new layout must be a new ``REPORT_VERSION``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain.valuation.methods import METHODS

REPORT_VERSION = "1"

PURPOSE_NAMES = {
    "transfer": ("转让", "Transfer"),
    "licence": ("许可", "Licence"),
    "pledge": ("质押融资", "Pledge"),
    "investment": ("作价投资", "Investment"),
}


@dataclass(frozen=True)
class ReportFacts:
    """What the report states: the assessment as recorded (the ``Recorded`` event's values)."""

    patent_id: UUID
    valuer_id: UUID
    organisation_id: UUID
    purpose: str
    basis_date: str
    method: str
    inputs: Mapping[str, Any]
    value: Decimal
    low: Decimal
    high: Decimal
    unit: str
    assumptions: str
    report_reference: str
    steps: Mapping[str, Any]
    supersedes: UUID | None


def _canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def _amount(value: Decimal | str) -> str:
    return f"{Decimal(value):f}"


def report_text(facts: ReportFacts) -> str:
    """The canonical bilingual text of the assessment (the rendered report whose digest is signed)."""
    purpose = PURPOSE_NAMES.get(facts.purpose, (facts.purpose, facts.purpose))
    spec = METHODS.get(facts.method)
    method = (spec.name_zh, spec.name_en) if spec is not None else (facts.method, facts.method)
    lines = [
        f"专利价值评估报告 / Patent valuation report (v{REPORT_VERSION})",
        f"评估报告编号 / Report reference: {facts.report_reference}",
        f"专利 / Patent: {facts.patent_id}",
        f"评估师 / Valuer: {facts.valuer_id}",
        f"评估机构 / Agency: {facts.organisation_id}",
        f"评估目的 / Purpose: {purpose[0]} / {purpose[1]} ({facts.purpose})",
        f"评估基准日 / Basis date: {facts.basis_date}",
        f"评估方法 / Method: {method[0]} / {method[1]} ({facts.method})",
        f"评估参数 / Inputs: {_canonical_json(dict(facts.inputs))}",
        f"计算过程 / Calculation steps: {_canonical_json(dict(facts.steps))}",
        f"评估值 / Value: {_amount(facts.value)} {facts.unit}",
        f"区间 / Range: {_amount(facts.low)} – {_amount(facts.high)} {facts.unit}",
        f"替代的评估 / Supersedes: {facts.supersedes or '—'}",
        "评估假设 / Assumptions:",
        facts.assumptions,
    ]
    return "\n".join(lines) + "\n"


def report_sha256(facts: ReportFacts) -> str:
    """The SHA-256 (hex) of the report's UTF-8 text."""
    return hashlib.sha256(report_text(facts).encode("utf-8")).hexdigest()
