"""Deal terms: what an offer proposes and a contract fixes (kind, price, scope, royalty, schedule)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any
from uuid import UUID

from domain.shared.errors import ValidationError
from domain.shared.money import Money, check_amount

#: Rates are basis points: 10,000 = 100 %.
FULL_RATE = 10_000


class DealKind(StrEnum):
    """What a deal grants: 转让 (assignment) or a 独占 / 排他 / 普通 licence.

    The open licence (开放许可) is taken through its own command and never offered.
    """

    ASSIGNMENT = "assignment"
    EXCLUSIVE_LICENCE = "exclusive_licence"
    SOLE_LICENCE = "sole_licence"
    NON_EXCLUSIVE_LICENCE = "non_exclusive_licence"


#: Kinds that exclude other licensees within their scope.
EXCLUSIVE_KINDS = frozenset({DealKind.EXCLUSIVE_LICENCE.value, DealKind.SOLE_LICENCE.value})
#: The kind recorded for an open-licence declaration when checking conflicts.
OPEN_DECLARATION = "open_licence"


def parse_kind(value: str, field: str = "kind") -> DealKind:
    try:
        return DealKind(value)
    except ValueError:
        allowed = ", ".join(k.value for k in DealKind)
        raise ValidationError(f"{field}: must be one of {allowed}", field=field) from None


def _overlap(a: str, b: str) -> bool:
    """Two fields of use (or territories) overlap when equal or when either is empty (= all)."""
    return not a or not b or a.casefold() == b.casefold()


@dataclass(frozen=True)
class LicenceScope:
    """Where, in what, and for how long a licence applies (实施领域, 地域范围, 许可期限).

    An empty ``field_of_use`` or ``territory`` means "all"; ``end`` is the first day the licence
    no longer runs.
    """

    field_of_use: str
    territory: str
    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValidationError("scope.end: the licence term must end after it starts", field="scope.end")
        for name in ("field_of_use", "territory"):
            if len(getattr(self, name)) > 500:
                raise ValidationError(f"scope.{name}: at most 500 characters", field=f"scope.{name}")

    def overlaps(self, other: LicenceScope) -> bool:
        return (
            _overlap(self.field_of_use, other.field_of_use)
            and _overlap(self.territory, other.territory)
            and self.start < other.end
            and other.start < self.end
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "field_of_use": self.field_of_use,
            "territory": self.territory,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LicenceScope:
        return cls(
            field_of_use=str(data["field_of_use"]),
            territory=str(data["territory"]),
            start=date.fromisoformat(str(data["start"])),
            end=date.fromisoformat(str(data["end"])),
        )


#: The scope of an open-licence declaration: every field, everywhere, for as long as it is live.
EVERYTHING = LicenceScope("", "", date.min, date.max)


@dataclass(frozen=True)
class Milestone:
    """A payment due when an event of the licensee's development is reached (里程碑付款)."""

    name: str
    amount: int


@dataclass(frozen=True)
class Instalment:
    """One part of the price: ``due`` is a date, or ``None`` for "on signing"."""

    due: date | None
    amount: int


def _check_milestones(milestones: tuple[Milestone, ...]) -> None:
    names = [m.name.strip().casefold() for m in milestones]
    for i, m in enumerate(milestones):
        if not m.name.strip() or len(m.name) > 100:
            raise ValidationError(f"milestones.{i}.name: must be 1 to 100 characters", field=f"milestones.{i}.name")
        if m.amount <= 0:
            raise ValidationError(f"milestones.{i}.amount: must be greater than 0", field=f"milestones.{i}.amount")
        check_amount(m.amount, f"milestones.{i}.amount")
    if len(set(names)) != len(names):
        raise ValidationError("milestones: each milestone needs its own name", field="milestones")


def _check_instalments(instalments: tuple[Instalment, ...], price: int) -> None:
    if not instalments:
        return
    if len(instalments) < 2:
        raise ValidationError("instalments: give at least two instalments, or none", field="instalments")
    for i, inst in enumerate(instalments):
        if inst.amount <= 0:
            raise ValidationError(f"instalments.{i}.amount: must be greater than 0", field=f"instalments.{i}.amount")
        check_amount(inst.amount, f"instalments.{i}.amount")
        if inst.due is None and i > 0:
            raise ValidationError(
                "instalments: only the first instalment may fall due on signing", field=f"instalments.{i}.due"
            )
    dates = [inst.due for inst in instalments if inst.due is not None]
    if dates != sorted(dates) or len(set(dates)) != len(dates):
        raise ValidationError("instalments: due dates must be in ascending order", field="instalments")
    total = sum(inst.amount for inst in instalments)
    if total != price:
        raise ValidationError(
            f"instalments: the instalments must sum to the price ({price}), got {total}", field="instalments"
        )


@dataclass(frozen=True)
class DealTerms:
    """The terms of a deal. ``price`` is the assignment price or the licence's upfront fee (入门费).

    ``royalty_rate`` is the running royalty (提成费) in basis points of net sales;
    ``minimum_annual_royalty`` (保底许可费) is in minor units of ``price.currency`` per licence year.
    """

    kind: DealKind
    price: Money
    scope: LicenceScope | None = None
    sublicensable: bool = False
    royalty_rate: int = 0
    minimum_annual_royalty: int = 0
    milestones: tuple[Milestone, ...] = ()
    instalments: tuple[Instalment, ...] = ()
    note: str = ""

    def __post_init__(self) -> None:
        if self.kind is DealKind.ASSIGNMENT:
            if self.scope is not None:
                raise ValidationError("scope: an assignment transfers the whole patent and has no scope", field="scope")
            if self.royalty_rate or self.minimum_annual_royalty or self.sublicensable:
                raise ValidationError(
                    "royalty_rate: an assignment has no royalty, minimum royalty or sublicensing right",
                    field="royalty_rate",
                )
        elif self.scope is None:
            raise ValidationError("scope: a licence needs a field of use, territory and term", field="scope")
        if not 0 <= self.royalty_rate < FULL_RATE:
            raise ValidationError("royalty_rate: must be at least 0 % and below 100 %", field="royalty_rate")
        check_amount(self.minimum_annual_royalty, "minimum_annual_royalty")
        _check_milestones(self.milestones)
        _check_instalments(self.instalments, self.price.amount)
        if len(self.note) > 5000:
            raise ValidationError("note: at most 5,000 characters", field="note")

    @property
    def is_licence(self) -> bool:
        return self.kind is not DealKind.ASSIGNMENT

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "price": self.price.amount,
            "currency": self.price.currency,
            "scope": self.scope.as_dict() if self.scope else None,
            "sublicensable": self.sublicensable,
            "royalty_rate": self.royalty_rate,
            "minimum_annual_royalty": self.minimum_annual_royalty,
            "milestones": [{"name": m.name, "amount": m.amount} for m in self.milestones],
            "instalments": [
                {"due": i.due.isoformat() if i.due else None, "amount": i.amount} for i in self.instalments
            ],
            "note": self.note,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DealTerms:
        scope = data.get("scope")
        return cls(
            kind=parse_kind(str(data["kind"])),
            price=Money(int(data["price"]), str(data["currency"])),
            scope=LicenceScope.from_dict(scope) if scope else None,
            sublicensable=bool(data.get("sublicensable", False)),
            royalty_rate=int(data.get("royalty_rate", 0)),
            minimum_annual_royalty=int(data.get("minimum_annual_royalty", 0)),
            milestones=tuple(Milestone(str(m["name"]), int(m["amount"])) for m in data.get("milestones", [])),
            instalments=tuple(
                Instalment(date.fromisoformat(i["due"]) if i.get("due") else None, int(i["amount"]))
                for i in data.get("instalments", [])
            ),
            note=str(data.get("note", "")),
        )


@dataclass(frozen=True)
class LicenceRecord:
    """A licence (or open-licence declaration) that is live on a patent, as conflict checks see it."""

    contract_id: UUID | None
    kind: str
    scope: LicenceScope


def exclusivity_conflict(
    new_kind: str, new_scope: LicenceScope | None, existing: Iterable[LicenceRecord]
) -> LicenceRecord | None:
    """The live licence a new licence would collide with, or ``None``.

    An exclusive licence (独占许可) excludes everybody else, the licensor included, within its
    scope; a sole licence (排他许可) excludes everybody but the licensor (see the glossary). So:

    - a new exclusive or sole licence may not overlap any live licence, nor a live open-licence
      declaration (专利法 art. 51: during an open licence no exclusive or sole licence is granted);
    - a new non-exclusive licence may not overlap a live exclusive or sole licence.

    Overlap means field of use × territory × term all intersect (``LicenceScope.overlaps``).
    An assignment (``new_scope`` ``None``) conflicts with nothing: licences survive a transfer.
    """
    if new_scope is None or new_kind == DealKind.ASSIGNMENT.value:
        return None
    exclusive = new_kind in EXCLUSIVE_KINDS
    for record in existing:
        if not (exclusive or record.kind in EXCLUSIVE_KINDS):
            continue
        if record.scope.overlaps(new_scope):
            return record
    return None
