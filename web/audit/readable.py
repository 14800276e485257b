"""Audit entries as an auditor reads them: event names in words, field names as labels, values formatted.

The event log stores each event's payload as plain JSON (``projections.audit.log.clean``) and a record's
history holds its changed fields (``marketplace.audit.replay.diff``). This module turns both into short
lines of facts in the page's language: money with the ``money`` rules, instants in Beijing time, known
codes (deal types, statuses, roles…) by their labels, lists and nested values joined in words, never a
Python or JSON representation. The exact data stays on the pages in a "raw" toggle.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from domain.auctions.lot import WITHHELD
from web.i18n import Vocabulary

BEIJING = ZoneInfo("Asia/Shanghai")
_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)?$")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")

#: Fields holding an amount in minor units (fen).
MONEY_FIELDS = frozenset({
    "amount", "price", "asking_price", "fee", "net_sales", "listed_price", "broker_commission", "top_up",
    "minimum_annual_royalty", "royalty", "royalties_this_year", "budget", "paid_amount", "cap_per_deal",
    "cap_per_beneficiary_year", "contract_price", "technology_income", "expected_investment", "expected_output",
})
#: Fields holding a rate in basis points (10000 = 100 %).
BASIS_POINT_FIELDS = frozenset({"inventor_share", "platform_fee_rate", "broker_commission_rate", "royalty_rate",
                                "share"})
#: Where a field's coded values find their labels, tried in order.
CODE_PREFIXES: dict[str, tuple[str, ...]] = {
    "deal_types": ("deal.",), "removed": ("deal.",), "restored": ("deal.",),
    "kind": ("deal.", "kind.", "programme.kind.", "conversion.answer."), "organisation_kind": ("kind.",),
    "mode": ("conversion.mode.",), "stage": ("conversion.status.",),
    "status": ("status.", "offer.status.", "contract.status.", "payment.status.", "valuation.status.", "legal.",
               "programme.status.", "award.status.", "conversion.status."),
    "legal_status": ("legal.",), "status_before_suspension": ("status.",),
    "price_mode": ("price.",), "maturity": ("maturity.",), "side": ("side.",),
    "role": ("role.",), "roles": ("role.",), "reader_roles": ("role.",),
    "gateway": ("payment.gateway.",), "patent_type": ("type.",), "purpose": ("purpose.",),
    "aggregate_type": ("audit.type.",), "event_type": ("audit.event.",),
    "authority": ("audit.authority.", "role."), "source": ("audit.source.",),
    "flags": ("programme.flag.",),
}
#: Fields naming another record, linked to its history.
RECORD_FIELDS = frozenset({
    "patent_id", "listing_id", "active_listing_id", "offer_id", "contract_id", "claim_id", "obligation_id",
    "by_valuation_id", "superseded_by", "supersedes", "aggregate_id", "organisation_id", "user_id", "valuer_id",
    "reader_id", "buyer_organisation_id", "seller_organisation_id", "payer_organisation_id",
    "payee_organisation_id", "licensee_organisation_id", "broker_organisation_id", "claimant_organisation_id",
    "registrant_organisation_id", "by", "granted_by", "registered_by", "programme_id", "beneficiary_id",
    "award_claim_id", "conversion_id", "enquirer_organisation_id", "registration_id",
})
#: Payload fields left out of a summary line (the actor has its own column; long texts and calculations
#: are in the raw payload).
SUMMARY_SKIP = frozenset({"by", "text", "text_zh", "text_en", "abstract_zh", "abstract_en", "inputs", "steps",
                          "assumptions", "number_key", "originator_id_type", "terms_text",
                          "content", "details"})
SUMMARY_FACTS = 8  # at most this many facts on one line; the rest are in the raw payload
TEXT_LIMIT = 160


@dataclass(frozen=True)
class Fact:
    """One labelled value: ``label`` ``text``, linked to ``href`` when it names a record."""

    label: str
    text: str
    href: str | None = None

    @property
    def is_id(self) -> bool:
        """Whether the text is a bare record id (set in code type), not a name."""
        return bool(_UUID.match(self.text))


@dataclass(frozen=True)
class Change:
    """One changed field of a record: its label, the value before (None at creation) and after."""

    label: str
    before: str | None
    after: str
    href: str | None = None

    @property
    def is_id(self) -> bool:
        return bool(_UUID.match(self.after))


def beijing(moment: datetime | None) -> str:
    """An instant in Beijing time to the second (a naive one is UTC)."""
    if moment is None:
        return ""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def _empty(value: Any) -> bool:
    return value is None or value in ("", [], {})


def raw_json(value: Any) -> str:
    """The exact data, pretty-printed JSON (for the raw toggle)."""
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str)


class Reader:
    """Formats events, fields and values in one language with the site's vocabulary."""

    def __init__(self, vocabulary: Vocabulary, lang: str, money: Callable[..., str]) -> None:
        self.labels = vocabulary.labels
        self.lang = lang
        self.index = 0 if lang == "zh" else 1
        self.money = money
        self.sep = "、" if lang == "zh" else ", "
        self.colon = "：" if lang == "zh" else ": "

    # --- words ---------------------------------------------------------------------------
    def word(self, key: str, **values: object) -> str:
        pair = self.labels.get(key)
        text = pair[self.index] if pair else key
        return text.format(**values) if values else text

    def has(self, key: str) -> bool:
        return key in self.labels

    def event(self, event_type: str) -> str:
        """``Offer.Countered`` → 还价 / Countered; an event without a label: its record type and name in words."""
        key = f"audit.event.{event_type}"
        if self.has(key):
            return self.word(key)
        aggregate, _, name = event_type.partition(".")
        kind = self.word(f"audit.type.{aggregate}") if self.has(f"audit.type.{aggregate}") else _words(aggregate)
        return f"{kind} · {_words(name)}"

    def field(self, name: str, names: Mapping[str, str] | None = None) -> str:
        """A (dotted) field name as labels: ``terms.asking_price`` → 交易条件 · 要价; an id among the parts (a
        signature's signer) by its name in ``names`` where known."""
        parts = [p for p in name.split(".") if p]
        words = [(names or {}).get(p) or self._field_word(p) for p in parts if not p.isdigit()]
        indices = [p for p in parts if p.isdigit()]
        label = " · ".join(words) if words else name
        if indices:
            label += " " + " ".join(f"#{int(i) + 1}" for i in indices)
        return label

    def _field_word(self, part: str) -> str:
        for key in (f"audit.field.{part}", f"field.{part}"):
            if self.has(key):
                return self.word(key)
        return _words(part)

    # --- values --------------------------------------------------------------------------
    def value(self, name: str, value: Any, *, context: dict[str, Any] | None = None) -> str:  # noqa: PLR0911
        """A value as words: ``name`` is its field (the last part of a dotted name decides)."""
        field = name.rsplit(".", 1)[-1]
        if field.isdigit():  # an item of a list: named by the list
            field = name.rsplit(".", 2)[-2] if name.count(".") else field
        if _empty(value):
            return self.word("audit.value.none")
        if value == "(redacted)":
            return self.word("audit.value.redacted")
        if value == WITHHELD:
            return self.word("audit.value.withheld")
        if value == "changed":
            return self.word("audit.value.changed")
        if isinstance(value, bool):
            return self.word("audit.value.yes" if value else "audit.value.no")
        if isinstance(value, int | float) and field in MONEY_FIELDS:
            currency = str((context or {}).get("currency") or "CNY")
            return self.money(int(value), self.lang, currency)
        if isinstance(value, int) and field in BASIS_POINT_FIELDS:
            return f"{value / 100:g} %"
        if isinstance(value, int):
            return str(value)
        if isinstance(value, str):
            return self._text(field, value)
        if isinstance(value, dict):
            if set(value) <= {"amount", "currency"} and isinstance(value.get("amount"), int):
                return self.money(value["amount"], self.lang, str(value.get("currency") or "CNY"))
            return self._dict(name, value)
        if isinstance(value, list):
            return self._list(name, value)
        return str(value)

    def _text(self, field: str, text: str) -> str:
        if _INSTANT.match(text):
            try:
                return beijing(datetime.fromisoformat(text.replace("Z", "+00:00")))
            except ValueError:
                return text
        if field == "purpose":
            kind, _, rest = text.partition("-")
            if kind in ("upfront", "instalment", "milestone", "royalty"):
                return self._purpose(kind, rest, text)
        if _CODE.match(text):
            for prefix in CODE_PREFIXES.get(field, ()):
                if self.has(prefix + text):
                    return self.word(prefix + text)
        return text if len(text) <= TEXT_LIMIT else text[: TEXT_LIMIT - 1] + "…"

    def _purpose(self, kind: str, rest: str, text: str) -> str:
        if kind == "upfront" and not rest:
            return self.word("payment.purpose.upfront")
        if kind == "instalment" and rest.isdigit():
            return self.word("payment.purpose.instalment", n=int(rest))
        if kind == "milestone" and rest:
            return self.word("payment.purpose.milestone", name=rest)
        if kind == "royalty" and rest:
            return self.word("payment.purpose.royalty", day=rest)
        return text

    def _dict(self, name: str, value: dict[str, Any]) -> str:
        parts = [f"{self.field(k)} {self.value(f'{name}.{k}', v, context=value)}"
                 for k, v in value.items() if not _empty(v) and k not in SUMMARY_SKIP and k != "currency"]
        return "（" + "，".join(parts) + "）" if self.lang == "zh" else "(" + ", ".join(parts) + ")"

    def _list(self, name: str, items: list[Any]) -> str:
        shown = [self.value(f"{name}.{i}", item) for i, item in enumerate(items[:12])]
        if len(items) > 12:
            shown.append(self.word("audit.value.more", n=len(items) - 12))
        return ("；" if self.lang == "zh" else "; ").join(shown) if any(isinstance(i, dict) for i in items) \
            else self.sep.join(shown)

    def href(self, name: str, value: Any) -> str | None:
        field = name.rsplit(".", 1)[-1]
        if field in RECORD_FIELDS and isinstance(value, str) and _UUID.match(value):
            return f"/audit/aggregates/{value}"
        return None

    # --- summaries, changes, states -------------------------------------------------------
    def facts(self, data: dict[str, Any], limit: int = SUMMARY_FACTS,
              names: Mapping[str, str] | None = None) -> list[Fact]:
        """An event's payload as labelled facts: empty values and long texts left out, one level of nesting
        (a deal's terms) spread out, at most ``limit``; a record id by its name in ``names`` where known."""
        out: list[Fact] = []
        for key, value in _spread(data):
            if key.rsplit(".", 1)[-1] in SUMMARY_SKIP or _empty(value):
                continue
            out.append(Fact(self.field(key.rsplit(".", 1)[-1]),
                            self.named(key, value, names, context=_parent(data, key)), self.href(key, value)))
        return out[:limit]

    def changes(self, changes: dict[str, tuple[Any, Any]], *, created: bool,
                names: Mapping[str, str] | None = None) -> list[Change]:
        """A history entry's changed fields; at creation only the fields given a value."""
        out: list[Change] = []
        spread: list[tuple[str, tuple[Any, Any]]] = []
        for name, (before, after) in changes.items():
            if created and isinstance(after, dict) and not set(after) <= {"amount", "currency"}:
                spread.extend((f"{name}.{k}", (None, v)) for k, v in after.items() if k != "currency")
            else:
                spread.append((name, (before, after)))
        for name, (before, after) in spread:
            if _same(before, after) or (created and (_empty(after) or (after == 0 and after is not False))):
                continue
            out.append(Change(self.field(name, names), None if created else self.named(name, before, names),
                              self.named(name, after, names), self.href(name, after)))
        return out

    def state(self, state: dict[str, Any], names: Mapping[str, str] | None = None) -> list[Fact]:
        return [Fact(self.field(k), self.named(k, v, names, context=state), self.href(k, v))
                for k, v in state.items() if not _empty(v)]

    def named(self, name: str, value: Any, names: Mapping[str, str] | None,
              context: dict[str, Any] | None = None) -> str:
        """A value; a record id by its name in ``names`` where known."""
        known = (names or {}).get(value) if self.href(name, value) else None
        return known or self.value(name, value, context=context)


def _same(before: Any, after: Any) -> bool:
    return before == after or (_empty(before) and _empty(after))


def _spread(data: dict[str, Any]) -> Iterable[tuple[str, Any]]:
    """Top-level fields, with a nested mapping (``terms``) spread into its own fields."""
    for key, value in data.items():
        if isinstance(value, dict) and not (set(value) <= {"amount", "currency"}):
            for inner, v in value.items():
                if inner != "currency":
                    yield f"{key}.{inner}", v
        elif key != "currency":
            yield key, value


def _parent(data: dict[str, Any], key: str) -> dict[str, Any]:
    head, _, _ = key.partition(".")
    nested = data.get(head)
    return nested if "." in key and isinstance(nested, dict) else data


def _words(name: str) -> str:
    """``LegalStatusChanged`` or ``legal_status`` → ``legal status changed`` / ``legal status``."""
    return re.sub(r"(?<!^)(?=[A-Z])", " ", name).replace("_", " ").lower().strip()
