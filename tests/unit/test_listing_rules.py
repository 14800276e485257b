"""Rules of listings: terms, prices and the draft → published → withdrawn lifecycle."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.catalogue.listing import Listing, ListingTerms, OpenLicenceTerms, maturity_of_trl
from domain.shared.errors import ListingNotOpenError, ValidationError
from domain.shared.money import MAX_AMOUNT, Money


def terms(**overrides: object) -> ListingTerms:
    values: dict[str, object] = {
        "deal_types": ("assignment",), "price_mode": "fixed", "asking_price": Money(50_000_000),
        "open_licence": None, "maturity": "pilot", "trl": None, "advantages": "", "applications": "",
        "keywords": ("电池",),
    }
    values.update(overrides)
    return ListingTerms(**values)  # type: ignore[arg-type]


def draft() -> Listing:
    return Listing.draft(patent_id=uuid4(), organisation_id=uuid4(), terms=terms(), by=uuid4())


def test_money_is_integer_minor_units_never_negative() -> None:
    assert Money(120_000_000).currency == "CNY"
    with pytest.raises(ValidationError, match="amount: must not be negative"):
        Money(-1)
    with pytest.raises(ValidationError, match="currency"):
        Money(100, "yuan")


def test_money_is_at_most_ten_trillion_yuan() -> None:
    # Read models keep amounts in bigint columns; sums of a few amounts must still fit.
    assert MAX_AMOUNT == 10**15
    assert Money(MAX_AMOUNT).amount == MAX_AMOUNT
    for amount in (MAX_AMOUNT + 1, 2**63):
        with pytest.raises(ValidationError) as refused:
            Money(amount)
        assert refused.value.field == "amount"
        assert refused.value.message.startswith("amount: must be at most ")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"deal_types": ()}, "deal_types"),
        ({"deal_types": ("sale",)}, "deal_types"),
        ({"asking_price": None}, "asking_price"),
        ({"price_mode": "negotiable"}, "asking_price"),
        ({"price_mode": "auction", "asking_price": None}, "price_mode"),
        ({"deal_types": ("open_licence",), "price_mode": "open_licence", "asking_price": None}, "open_licence"),
        ({"maturity": "ready"}, "maturity"),
        ({"trl": 10}, "trl"),
        ({"deal_types": ("exclusive_licence", "open_licence"), "price_mode": "open_licence", "asking_price": None,
          "open_licence": OpenLicenceTerms(Money(0), 300, 5)}, "deal_types"),
    ],
)
def test_bad_terms_are_refused_naming_the_field(overrides: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        terms(**overrides)
    assert refused.value.field == field


def test_open_licence_terms_are_validated() -> None:
    with pytest.raises(ValidationError, match="royalty_rate"):
        OpenLicenceTerms(Money(0), 10_000, 5)
    with pytest.raises(ValidationError, match="term_years"):
        OpenLicenceTerms(Money(0), 500, 0)
    posted = terms(deal_types=("non_exclusive_licence", "open_licence"), price_mode="open_licence",
                   asking_price=None, open_licence=OpenLicenceTerms(Money(100_000), 350, 5))
    assert posted.as_dict()["open_licence"] == {"fee": 100_000, "currency": "CNY", "royalty_rate": 350,
                                                "term_years": 5}


@pytest.mark.parametrize(("trl", "stage"), [(1, "concept"), (3, "concept"), (4, "prototype"), (6, "pilot"),
                                              (8, "industrialised"), (9, "industrialised")])
def test_trl_maps_to_a_maturity_stage(trl: int, stage: str) -> None:
    assert maturity_of_trl(trl).value == stage


def test_lifecycle_draft_published_withdrawn() -> None:
    listing, actor = draft(), uuid4()
    assert listing.status == "draft"
    listing.publish(by=actor)
    assert listing.status == "published"
    with pytest.raises(ListingNotOpenError, match="published listing cannot be published"):
        listing.publish(by=actor)
    listing.revise(terms(asking_price=Money(40_000_000)), by=actor)
    assert listing.terms["asking_price"] == 40_000_000
    listing.withdraw(reason="licensed elsewhere", by=actor)
    assert not listing.is_open
    with pytest.raises(ListingNotOpenError):
        listing.revise(terms(asking_price=Money(1)), by=actor)
    assert all(getattr(e, "by", None) == actor for e in listing.collect_events()[1:])


def test_suspension_restores_the_published_stage_and_never_touches_drafts() -> None:
    listing, system = draft(), uuid4()
    with pytest.raises(ListingNotOpenError, match="draft listing cannot be suspended"):
        listing.suspend(reason="lapsed", by=system)
    listing.publish(by=system)
    listing.suspend(reason="legal status lapsed", by=system)
    assert listing.status == "suspended"
    listing.resume(by=system)
    assert listing.status == "published"


def test_a_revision_that_changes_nothing_is_refused() -> None:
    listing = draft()
    with pytest.raises(ValidationError, match="nothing changed"):
        listing.revise(terms(), by=uuid4())
