"""Rules of the Patent aggregate, without I/O."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain.catalogue.owners import Inventor, Owner
from domain.catalogue.patent import Patent
from domain.catalogue.patent_numbers import cn_check_character
from domain.catalogue.patent_terms import PatentType, statutory_expiry
from domain.shared.errors import ActiveListingExistsError, ConflictError, ValidationError

FZU = Owner(uuid4(), "福州大学", 10_000)


def cn(digits: str) -> str:
    return f"{digits}.{cn_check_character(digits)}"


def register(**overrides: object) -> Patent:
    values: dict[str, object] = {
        "jurisdiction": "CN", "application_number": cn("202010123456"), "publication_number": None,
        "patent_type": "invention", "title_zh": "一种锂电池隔膜", "ipc_codes": [], "ipc_scheme": None,
        "filing_date": date(2020, 3, 2), "owners": [FZU],
    }
    values.update(overrides)
    return Patent.register(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kind", "filed", "expires"),
    [
        (PatentType.INVENTION, date(2020, 3, 2), date(2040, 3, 2)),
        (PatentType.UTILITY_MODEL, date(2020, 3, 2), date(2030, 3, 2)),
        (PatentType.DESIGN, date(2021, 6, 1), date(2036, 6, 1)),
        (PatentType.DESIGN, date(2021, 5, 31), date(2031, 5, 31)),
        (PatentType.INVENTION, date(2020, 2, 29), date(2040, 2, 29)),
        (PatentType.UTILITY_MODEL, date(2020, 2, 29), date(2030, 2, 28)),
    ],
)
def test_statutory_expiry_in_china(kind: PatentType, filed: date, expires: date) -> None:
    assert statutory_expiry("CN", kind, filed) == expires


def test_expiry_is_derived_from_type_and_filing_date_when_not_given() -> None:
    assert register().expiry_date == "2040-03-02"
    design = register(application_number=cn("202130123456"), patent_type="design", filing_date=date(2021, 7, 1))
    assert design.expiry_date == "2036-07-01"
    assert register(expiry_date=date(2039, 1, 1)).expiry_date == "2039-01-01"


def test_one_patent_per_number_the_id_follows_the_number() -> None:
    assert register().id == register(title_zh="另一标题").id
    assert register().id != register(application_number=cn("202010123457")).id


@pytest.mark.parametrize(
    ("overrides", "field", "text"),
    [
        ({"application_number": "202010123456.0"}, "application_number", "check character"),
        ({"application_number": cn("202020123456")}, "patent_type", "utility model"),
        ({"application_number": None, "publication_number": None}, "application_number", "give an application"),
        ({"publication_number": "US7331459B2"}, "publication_number", "does not match"),
        ({"title_zh": "", "title_en": ""}, "title_zh", "title"),
        ({"owners": [Owner(uuid4(), "A", 6_000), Owner(uuid4(), "B", 3_000)]}, "owners", "sum to 100 %, got 90 %"),
        ({"owners": []}, "owners", "at least one owner"),
        ({"inventors": [Inventor("甲", 7_000), Inventor("乙")]}, "inventors", "every inventor"),
        ({"inventors": [Inventor("甲", 7_000), Inventor("乙", 2_000)]}, "inventors", "sum to 100 %"),
        ({"publication_date": date(2019, 1, 1)}, "publication_date", "before the filing date"),
        ({"patent_type": "software"}, "patent_type", "one of"),
        ({"legal_status": "alive"}, "legal_status", "one of"),
        ({"jurisdiction": "China"}, "jurisdiction", "two-letter"),
    ],
)
def test_bad_records_are_refused_naming_the_field(overrides: dict[str, object], field: str, text: str) -> None:
    with pytest.raises(ValidationError) as refused:
        register(**overrides)
    assert refused.value.field == field
    assert text in refused.value.message
    assert refused.value.message.startswith(field.split(".", maxsplit=1)[0])


def test_co_owner_shares_summing_to_100_are_accepted() -> None:
    a, b, c = uuid4(), uuid4(), uuid4()
    patent = register(owners=[Owner(a, "A", 3_334), Owner(b, "B", 3_333), Owner(c, "C", 3_333)])
    assert patent.owner_ids == {a, b, c}
    assert patent.is_owned_by(b)
    assert not patent.is_owned_by(uuid4())


def test_the_listing_slot_admits_one_active_listing() -> None:
    patent, actor = register(), uuid4()
    first = uuid4()
    patent.open_listing(first, by=actor)
    with pytest.raises(ActiveListingExistsError):
        patent.open_listing(uuid4(), by=actor)
    patent.close_listing(first, by=actor)
    patent.open_listing(uuid4(), by=actor)


def test_a_lapsed_patent_cannot_be_listed_and_status_changes_are_history() -> None:
    patent, actor = register(legal_status="granted"), uuid4()
    patent.change_legal_status("lapsed", effective_date=date(2024, 1, 1), reason="annuity unpaid", by=actor)
    with pytest.raises(ConflictError, match="lapsed patent cannot be listed"):
        patent.open_listing(uuid4(), by=actor)
    with pytest.raises(ConflictError, match="already lapsed"):
        patent.change_legal_status("lapsed", effective_date=date(2024, 2, 1), reason="", by=actor)
    events = patent.collect_events()
    assert [type(e).__name__ for e in events] == ["Registered", "LegalStatusChanged"]
    assert events[1].by == actor  # type: ignore[attr-defined]
