"""Deal terms: what an offer may propose, and which licences collide (field × territory × term)."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain.catalogue.licences import EXCLUSIVE_KINDS, LicenceRecord, LicenceScope, exclusivity_conflict
from domain.deals.terms import (
    EVERYTHING,
    DealKind,
    DealTerms,
    Instalment,
    Milestone,
)
from domain.shared.errors import ValidationError
from domain.shared.money import Money


def scope(
    field: str = "", territory: str = "", start: date = date(2025, 1, 1), end: date = date(2028, 1, 1)
) -> LicenceScope:
    return LicenceScope(field, territory, start, end)


def test_terms_round_trip_through_their_event_payload() -> None:
    terms = DealTerms(
        kind=DealKind.EXCLUSIVE_LICENCE,
        price=Money(500_000),
        scope=scope("新能源汽车", "福建省"),
        sublicensable=True,
        royalty_rate=350,
        minimum_annual_royalty=200_000,
        milestones=(Milestone("量产", 1_000_000),),
        instalments=(Instalment(None, 200_000), Instalment(date(2025, 9, 1), 300_000)),
        note="技术培训两次",
    )
    payload = terms.as_dict()
    assert set(payload) == {
        "kind",
        "price",
        "currency",
        "scope",
        "sublicensable",
        "royalty_rate",
        "minimum_annual_royalty",
        "milestones",
        "instalments",
        "note",
    }
    assert payload["scope"] == {
        "field_of_use": "新能源汽车",
        "territory": "福建省",
        "start": "2025-01-01",
        "end": "2028-01-01",
    }
    assert payload["instalments"] == [{"due": None, "amount": 200_000}, {"due": "2025-09-01", "amount": 300_000}]
    assert DealTerms.from_dict(payload) == terms


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": DealKind.ASSIGNMENT, "scope": scope()}, "scope"),
        ({"kind": DealKind.ASSIGNMENT, "scope": None, "royalty_rate": 100}, "royalty_rate"),
        ({"scope": None}, "scope"),
        ({"royalty_rate": 10_000}, "royalty_rate"),
        ({"instalments": (Instalment(None, 100), Instalment(date(2025, 5, 1), 100))}, "instalments"),
        ({"instalments": (Instalment(date(2025, 5, 1), 500), Instalment(None, 500))}, "instalments.1.due"),
        ({"instalments": (Instalment(date(2025, 6, 1), 500), Instalment(date(2025, 5, 1), 500))}, "instalments"),
        ({"milestones": (Milestone("A", 1), Milestone("a", 2))}, "milestones"),
        ({"milestones": (Milestone("A", 0),)}, "milestones.0.amount"),
    ],
)
def test_invalid_terms_are_refused_naming_the_field(overrides: dict[str, object], field: str) -> None:
    values: dict[str, object] = {"kind": DealKind.NON_EXCLUSIVE_LICENCE, "price": Money(1_000), "scope": scope()}
    values.update(overrides)
    with pytest.raises(ValidationError) as refused:
        DealTerms(**values)  # type: ignore[arg-type]
    assert refused.value.field == field
    assert refused.value.message.startswith(field.split(".", maxsplit=1)[0])


def test_a_licence_term_must_end_after_it_starts() -> None:
    with pytest.raises(ValidationError, match=r"^scope\.end"):
        scope(start=date(2025, 1, 1), end=date(2025, 1, 1))


def test_scopes_overlap_only_when_field_territory_and_term_all_intersect() -> None:
    base = scope("新能源汽车", "福建省")
    assert base.overlaps(scope("", "福建省"))  # all fields includes 新能源汽车
    assert base.overlaps(scope("新能源汽车", ""))
    assert not base.overlaps(scope("储能电站", "福建省"))
    assert not base.overlaps(scope("新能源汽车", "广东省"))
    assert not base.overlaps(scope("新能源汽车", "福建省", date(2028, 1, 1), date(2030, 1, 1)))  # end is exclusive


def test_an_exclusive_licence_collides_with_any_overlapping_live_licence() -> None:
    existing = [
        LicenceRecord(uuid4(), "non_exclusive_licence", scope("储能电站")),
        LicenceRecord(uuid4(), "non_exclusive_licence", scope("新能源汽车")),
    ]
    clash = exclusivity_conflict("exclusive_licence", scope("新能源汽车"), existing)
    assert clash is existing[1]
    assert exclusivity_conflict("sole_licence", scope("航空"), existing) is None


def test_a_non_exclusive_licence_collides_only_with_exclusive_or_sole_ones() -> None:
    existing = [
        LicenceRecord(uuid4(), "non_exclusive_licence", scope()),
        LicenceRecord(uuid4(), "sole_licence", scope("储能电站")),
    ]
    assert exclusivity_conflict("non_exclusive_licence", scope("新能源汽车"), existing) is None
    assert exclusivity_conflict("non_exclusive_licence", scope("储能电站"), existing) is existing[1]


def test_an_open_licence_declaration_excludes_exclusive_and_sole_licences_but_not_non_exclusive() -> None:
    declaration = [LicenceRecord(None, "open_licence", EVERYTHING)]
    assert exclusivity_conflict("exclusive_licence", scope("新能源汽车"), declaration) is declaration[0]
    assert exclusivity_conflict("sole_licence", scope(), declaration) is declaration[0]
    assert exclusivity_conflict("non_exclusive_licence", scope(), declaration) is None


def test_an_assignment_conflicts_with_no_licence() -> None:
    existing = [LicenceRecord(uuid4(), "exclusive_licence", scope())]
    assert exclusivity_conflict("assignment", None, existing) is None
    assert exclusivity_conflict(DealKind.ASSIGNMENT.value, scope(), existing) is None


def test_the_licence_register_names_the_exclusive_kinds_as_the_deals_do() -> None:
    """The catalogue's licence register uses plain kind names; they must be the deal kinds' values."""
    assert {DealKind.EXCLUSIVE_LICENCE.value, DealKind.SOLE_LICENCE.value} == EXCLUSIVE_KINDS
