"""Who holds and who made a patent: owners with their shares, inventors, public funding; the share rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from domain.shared.errors import ValidationError

FULL_SHARE = 10_000  # shares are basis points: 10,000 = 100 %


@dataclass(frozen=True)
class Owner:
    """A patentee (专利权人) and its share of the right, in basis points.

    ``organisation_id`` is ``None`` for a natural person, who holds the right but is not an
    organisation on the marketplace (common among imported applicants).
    """

    organisation_id: UUID | None
    name: str
    share: int


@dataclass(frozen=True)
class Inventor:
    """An inventor (发明人) and, when known, the contribution share in basis points."""

    name: str
    share: int | None = None


@dataclass(frozen=True)
class PublicFunding:
    """Public money behind the result (财政资金资助): programme, project reference, end date, and the
    funder (资助单位, e.g. 福建省科学技术厅) whose conversion programme may set a deadline on it."""

    programme: str
    project_reference: str
    end_date: date | None = None
    funder: str = ""


#: The longest funder, programme or project reference kept.
FUNDING_TEXT_LIMIT = 200


def funding_dict(funding: PublicFunding) -> dict[str, Any]:
    """The funding as an event's payload, validated: a programme is required, texts are one line."""
    values = {}
    for name in ("funder", "programme", "project_reference"):
        text = " ".join(str(getattr(funding, name)).split())
        if len(text) > FUNDING_TEXT_LIMIT:
            raise ValidationError(f"public_funding.{name}: at most {FUNDING_TEXT_LIMIT} characters",
                                  field=f"public_funding.{name}", code="too_long", most=FUNDING_TEXT_LIMIT)
        values[name] = text
    if not values["programme"]:
        raise ValidationError("public_funding.programme: must not be empty", field="public_funding.programme",
                              code="required")
    end = funding.end_date.isoformat() if funding.end_date else None
    out: dict[str, Any] = {"programme": values["programme"], "project_reference": values["project_reference"],
                           "end_date": end}
    if values["funder"]:
        out["funder"] = values["funder"]
    return out


def check_owners(owners: list[Owner], *, allow_unknown: bool = False) -> None:
    if not owners and allow_unknown:
        return
    if not owners:
        raise ValidationError("owners: at least one owner is required", field="owners", code="required")
    ids = [o.organisation_id or o.name.casefold() for o in owners]
    if len(set(ids)) != len(ids):
        raise ValidationError("owners: an organisation may appear only once", field="owners", code="owners.duplicate")
    for i, owner in enumerate(owners):
        if owner.share <= 0:
            raise ValidationError(
                f"owners.{i}.share: must be greater than 0 %", field=f"owners.{i}.share", code="amount.positive"
            )
    total = sum(o.share for o in owners)
    if total != FULL_SHARE:
        raise ValidationError(
            f"owners: co-owner shares must sum to 100 %, got {total / 100:g} %", field="owners",
            code="owners.sum", total=f"{total / 100:g} %",
        )


def check_inventors(inventors: list[Inventor]) -> None:
    shares = [i.share for i in inventors]
    if any(s is not None for s in shares):
        if any(s is None or s <= 0 for s in shares):
            raise ValidationError(
                "inventors: give every inventor a contribution share above 0 %, or none", field="inventors",
                code="inventors.all_or_none",
            )
        total = sum(s for s in shares if s is not None)
        if total != FULL_SHARE:
            raise ValidationError(
                f"inventors: contribution shares must sum to 100 %, got {total / 100:g} %", field="inventors",
                code="inventors.sum", total=f"{total / 100:g} %",
            )
    for i, inv in enumerate(inventors):
        if not inv.name.strip():
            raise ValidationError(
                f"inventors.{i}.name: must not be empty", field=f"inventors.{i}.name", code="required"
            )



def awaiting_confirmation(owners: list[Owner], registrant: UUID | None, source: str) -> list[str]:
    """The owner organisations that must confirm a registration: all but the registrant's.

    An import (``source="import"``) is the patent office's bibliographic record: nothing to confirm.
    """
    if source == "import":
        return []
    return sorted({str(o.organisation_id) for o in owners if o.organisation_id and o.organisation_id != registrant})


def owner_dict(o: Owner) -> dict[str, Any]:
    org = str(o.organisation_id) if o.organisation_id else None
    return {"organisation_id": org, "name": o.name, "share": o.share}
