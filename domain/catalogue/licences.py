"""A patent's licence register: the scope of a licence, the licences live on a patent, exclusivity conflicts.

Kinds are the deal kinds' plain names (``domain.deals.terms.DealKind`` values): the catalogue does not import deals.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from domain.shared.errors import ValidationError

#: Kinds that exclude other licensees within their scope: exclusive (独占) and sole (排他) licences.
EXCLUSIVE_KINDS = frozenset({"exclusive_licence", "sole_licence"})


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
            raise ValidationError(
                "scope.end: the licence term must end after it starts", field="scope.end", code="licence.term_order"
            )
        for name in ("field_of_use", "territory"):
            if len(getattr(self, name)) > 500:
                raise ValidationError(
                    f"scope.{name}: at most 500 characters", field=f"scope.{name}", code="too_long", most=500
                )

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
    if new_scope is None or new_kind == "assignment":
        return None
    exclusive = new_kind in EXCLUSIVE_KINDS
    for record in existing:
        if not (exclusive or record.kind in EXCLUSIVE_KINDS):
            continue
        if record.scope.overlaps(new_scope):
            return record
    return None
