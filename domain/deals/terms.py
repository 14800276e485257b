"""Deal terms: what an offer proposes and a contract fixes (kind, price, scope, royalty, schedule)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from domain.catalogue.licences import LicenceScope
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


#: The kind recorded for an open-licence declaration when checking conflicts.
OPEN_DECLARATION = "open_licence"


def parse_kind(value: str, field: str = "kind") -> DealKind:
    try:
        return DealKind(value)
    except ValueError:
        allowed = ", ".join(k.value for k in DealKind)
        raise ValidationError(f"{field}: must be one of {allowed}", field=field, code="choice") from None


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
            raise ValidationError(
                f"milestones.{i}.name: must be 1 to 100 characters", field=f"milestones.{i}.name",
                code="length", least=1, most=100,
            )
        if m.amount <= 0:
            raise ValidationError(
                f"milestones.{i}.amount: must be greater than 0", field=f"milestones.{i}.amount", code="amount.positive"
            )
        check_amount(m.amount, f"milestones.{i}.amount")
    if len(set(names)) != len(names):
        raise ValidationError(
            "milestones: each milestone needs its own name", field="milestones", code="milestones.names"
        )


def _check_instalments(instalments: tuple[Instalment, ...], price: int) -> None:
    if not instalments:
        return
    if len(instalments) < 2:
        raise ValidationError(
            "instalments: give at least two instalments, or none", field="instalments", code="instalments.two"
        )
    for i, inst in enumerate(instalments):
        if inst.amount <= 0:
            raise ValidationError(
                f"instalments.{i}.amount: must be greater than 0", field=f"instalments.{i}.amount",
                code="amount.positive",
            )
        check_amount(inst.amount, f"instalments.{i}.amount")
        if inst.due is None and i > 0:
            raise ValidationError(
                "instalments: only the first instalment may fall due on signing",
                field=f"instalments.{i}.due",
                code="instalments.first_on_signing",
            )
    dates = [inst.due for inst in instalments if inst.due is not None]
    if dates != sorted(dates) or len(set(dates)) != len(dates):
        raise ValidationError(
            "instalments: due dates must be in ascending order", field="instalments", code="instalments.order"
        )
    total = sum(inst.amount for inst in instalments)
    if total != price:
        raise ValidationError(
            f"instalments: the instalments must sum to the price ({price}), got {total}",
            field="instalments",
            code="instalments.sum",
            price=price,
            total=total,
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
                raise ValidationError(
                    "scope: an assignment transfers the whole patent and has no scope",
                    field="scope",
                    code="terms.assignment_scope",
                )
            if self.royalty_rate or self.minimum_annual_royalty or self.sublicensable:
                raise ValidationError(
                    "royalty_rate: an assignment has no royalty, minimum royalty or sublicensing right",
                    field="royalty_rate",
                    code="terms.assignment_royalty",
                )
        elif self.scope is None:
            raise ValidationError(
                "scope: a licence needs a field of use, territory and term", field="scope", code="terms.licence_scope"
            )
        if not 0 <= self.royalty_rate < FULL_RATE:
            raise ValidationError(
                "royalty_rate: must be at least 0 % and below 100 %", field="royalty_rate", code="rate.below_100"
            )
        check_amount(self.minimum_annual_royalty, "minimum_annual_royalty")
        _check_milestones(self.milestones)
        _check_instalments(self.instalments, self.price.amount)
        if len(self.note) > 5000:
            raise ValidationError("note: at most 5,000 characters", field="note", code="too_long", most="5,000")

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
