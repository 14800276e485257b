"""Time-limited conversion (限时转化) in the domain: the deadline terms, the Conversion flag's life, conversion
programmes beside the others, a patent's funding, and the import formats' funding columns."""

from __future__ import annotations

import datetime
from datetime import date
from uuid import uuid4

import pytest

from domain.catalogue.owners import Owner, PublicFunding
from domain.catalogue.patent import Patent
from domain.programmes.conversion import Conversion, ConversionStatus, conversion_id
from domain.programmes.conversion_terms import ConversionTerms, add_years
from domain.programmes.programme import Programme
from domain.programmes.rules import Rules, Side, Tier, rules_from_dict
from domain.shared.errors import ConflictError, DomainError, ValidationError
from marketplace.catalogue.importing.native_csv import native_builder
from marketplace.catalogue.importing.records import ImportedPatent, RowError

FUNDING = {"funder": "福建省科学技术厅", "programme": "省科技计划", "project_reference": "2019N1",
           "end_date": "2022-12-31"}


def test_the_deadline_is_the_funding_end_plus_the_years_of_its_funder() -> None:
    terms = ConversionTerms(funder_years=(("国家自然科学基金委员会", 5),))
    assert terms.deadline(FUNDING) == date(2025, 12, 31)
    assert terms.warn_from(date(2025, 12, 31)) == date(2025, 10, 2)
    assert terms.deadline({**FUNDING, "funder": " 国家自然科学基金委员会 "}) == date(2027, 12, 31)
    assert add_years(date(2020, 2, 29), 3) == date(2023, 2, 28)


def test_a_programme_watches_funded_patents_with_an_end_date_of_its_funders() -> None:
    assert ConversionTerms().watches(FUNDING)
    assert not ConversionTerms().watches({**FUNDING, "end_date": None})
    assert not ConversionTerms().watches(None)
    only = ConversionTerms(funders=("厦门市科学技术局",))
    assert not only.watches(FUNDING)
    assert only.watches({**FUNDING, "funder": "厦门市科学技术局"})


@pytest.mark.parametrize("terms", [
    {"years": 0}, {"years": 21}, {"warning_days": -1}, {"warning_days": 400}, {"legal_basis": " "},
    {"funder_years": (("", 3),)}, {"funder_years": (("基金委", 0),)},
])
def test_terms_out_of_range_are_refused(terms: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        ConversionTerms(**terms)  # type: ignore[arg-type]


def conversion_rules() -> Rules:
    return Rules(beneficiary=Side.SELLER, tiers=(), conversion=ConversionTerms(years=4))


def test_conversion_terms_ride_on_the_rules_and_come_back_from_their_payload() -> None:
    rules = conversion_rules()
    assert rules_from_dict(rules.as_dict()) == rules
    plain = Rules(beneficiary=Side.SELLER, tiers=(Tier(100),))
    assert "conversion" not in plain.as_dict()  # the other programmes' payloads are as before
    assert rules_from_dict(plain.as_dict()).conversion is None
    with pytest.raises(ValidationError):
        Rules(beneficiary=Side.SELLER, tiers=())  # a deal programme still needs a rate


def draft(kind: str, rules: Rules) -> Programme:
    return Programme.draft(organisation_id=uuid4(), kind=kind, name_zh="限时转化", name_en="Conversion", budget=0,
                           starts_on=date(2025, 1, 1), ends_on=date(2030, 12, 31), rules=rules, by=uuid4())


def test_a_conversion_programme_sets_deadlines_and_awards_no_deal() -> None:
    programme = draft("conversion", conversion_rules())
    programme.open(uuid4())
    assert programme.watches_on(date(2026, 1, 5))
    assert not programme.runs_on(date(2026, 1, 5))  # the claims process passes it by
    assert not programme.watches_on(date(2031, 1, 1))
    with pytest.raises(ValidationError) as refused:
        draft("conversion", Rules(beneficiary=Side.SELLER, tiers=(Tier(100),)))
    assert refused.value.code == "programme.conversion_terms"
    with pytest.raises(ValidationError):
        draft("transfer_reward", Rules(beneficiary=Side.SELLER, tiers=(Tier(100),), conversion=ConversionTerms()))
    reward = draft("transfer_reward", Rules(beneficiary=Side.SELLER, tiers=(Tier(100),)))
    reward.open(uuid4())
    assert reward.runs_on(date(2026, 1, 5))
    assert not reward.watches_on(date(2026, 1, 5))


def flag(today: date, deadline: date = date(2025, 12, 31)) -> Conversion:
    return Conversion.flag(patent_id=uuid4(), programme_id=uuid4(), organisation_id=uuid4(), owner_ids=[uuid4()],
                           funding=FUNDING, deadline=deadline, warn_from=date(2025, 10, 2), today=today,
                           legal_basis="科学技术进步法")


def test_a_flag_is_due_before_the_deadline_overdue_from_it_and_not_raised_early() -> None:
    with pytest.raises(ConflictError):
        flag(date(2025, 10, 1))
    due = flag(date(2025, 12, 1))
    assert due.stage.value == "due"
    assert not due.pass_deadline(date(2025, 12, 30))
    assert due.pass_deadline(date(2025, 12, 31))  # the deadline day itself is late
    assert due.stage.value == "overdue"
    assert not due.pass_deadline(date(2026, 1, 1))
    assert flag(date(2026, 1, 5)).stage is ConversionStatus.OVERDUE
    assert due.id == conversion_id(due.patent_id, due.programme_id)


def test_the_owners_answer_pauses_the_flag_and_only_an_overdue_one_is_opened() -> None:
    f = flag(date(2026, 1, 5))
    org, user = uuid4(), uuid4()
    with pytest.raises(ValidationError):
        f.answer_with("excuse", "x", "", organisation_id=org, by=user)
    with pytest.raises(ValidationError):
        f.answer_with("plan", "   ", "", organisation_id=org, by=user)
    assert f.answer_with("plan", "明年中试", "", organisation_id=org, by=user)
    assert not f.answer_with("plan", "明年中试", "", organisation_id=org, by=user)  # the same answer: nothing
    with pytest.raises(ConflictError) as refused:
        f.open_to_others(mode="open_licence", legal_basis="法", reason="逾期", terms={}, listing_id=None,
                         licensee_ids=[], by=user)
    assert refused.value.code == "conversion.not_overdue"
    f.resume("计划不具体", date(2026, 1, 6), by=user)
    assert f.stage.value == "overdue"
    with pytest.raises(ValidationError):
        f.open_to_others(mode="give_away", legal_basis="法", reason="逾期", terms={}, listing_id=None,
                         licensee_ids=[], by=user)
    f.open_to_others(mode="open_licence", legal_basis="法", reason="逾期", terms={"fee": 0}, listing_id=uuid4(),
                     licensee_ids=[], by=user)
    assert f.stage.value == "opened"
    with pytest.raises(ConflictError):
        f.answer_with("plan", "晚了", "", organisation_id=org, by=user)
    assert f.record_converted(uuid4())
    assert not f.record_converted(uuid4())
    assert f.stage is ConversionStatus.CONVERTED


def patent() -> Patent:
    return Patent.register(jurisdiction="CN", application_number="202010123456.2", publication_number=None,
                           patent_type="invention", title_zh="一种方法", ipc_codes=[], ipc_scheme=None,
                           owners=[Owner(uuid4(), "福州大学", 10_000)], source="import")


def test_a_patents_funding_is_recorded_once_and_checked() -> None:
    p = patent()
    funding = PublicFunding("省科技计划", "2019N1", date(2022, 12, 31), "福建省科学技术厅")
    assert p.record_funding(funding, by=uuid4())
    assert not p.record_funding(funding, by=uuid4())
    assert p.public_funding == FUNDING
    assert p.funding_end == date(2022, 12, 31)
    with pytest.raises(ValidationError):
        p.record_funding(PublicFunding(" ", ""), by=uuid4())
    with pytest.raises(ValidationError):
        p.record_funding(PublicFunding("计划", "", None, "x" * 201), by=uuid4())
    assert p.record_funding(None, by=uuid4())
    assert p.public_funding is None


HEADER = ["jurisdiction", "application_number", "title_zh", "applicants"]
TODAY = datetime.date(2026, 12, 1)


def read(header: list[str], row: list[str]) -> ImportedPatent | RowError:
    build = native_builder(header, TODAY)
    assert callable(build)
    return build(2, row)


def test_the_native_format_reads_funding_columns_and_old_files_still_import() -> None:
    old = read(HEADER, ["CN", "202010123456.2", "一种方法", "福州大学|university"])
    assert isinstance(old, ImportedPatent)
    assert old.public_funding is None
    header = [*HEADER, "funder", "funding_programme", "funding_project", "funding_end_date"]
    funded = read(header, ["CN", "202010123456.2", "一种方法", "福州大学", "福建省科学技术厅", "省科技计划",
                           "2019N1", "2022-12-31"])
    assert isinstance(funded, ImportedPatent)
    assert funded.public_funding is not None
    assert funded.public_funding.end_date == date(2022, 12, 31)
    assert funded.public_funding.funder == "福建省科学技术厅"
    no_programme = read(header, ["CN", "202010123456.2", "一种方法", "福州大学", "福建省科学技术厅", "", "", ""])
    assert isinstance(no_programme, RowError)
    assert "funding_programme" in no_programme.message
    bad_date = read(header, ["CN", "202010123456.2", "一种方法", "福州大学", "", "计划", "", "2022-13-01"])
    assert isinstance(bad_date, RowError)
    assert "funding_end_date" in bad_date.message
    empty = read(header, ["CN", "202010123456.2", "一种方法", "福州大学", "", "", "", ""])
    assert isinstance(empty, ImportedPatent)
    assert empty.public_funding is None


def test_refusals_name_their_codes() -> None:
    with pytest.raises(DomainError) as refused:
        ConversionTerms(years=30)
    assert refused.value.code == "years.range"


def test_the_worker_reads_only_fundings_that_ended_early_enough_for_some_programme_to_flag() -> None:
    from marketplace.programmes.conversions import Conversions

    short = draft("conversion", Rules(beneficiary=Side.SELLER, tiers=(), conversion=ConversionTerms(
        years=4, warning_days=30, funder_years=(("基金委", 2),))))
    long = draft("conversion", Rules(beneficiary=Side.SELLER, tiers=(), conversion=ConversionTerms(years=3)))
    today = date(2026, 1, 5)
    assert Conversions.ended_by(today, [long]) == date(2023, 4, 5)  # 3 years back from 90 days ahead
    assert Conversions.ended_by(today, [short, long]) == date(2024, 2, 4)  # the funder's 2 years, 30 days ahead
    assert Conversions.ended_by(today, []) == date.min
