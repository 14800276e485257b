"""Technology-contract registration (技术合同认定登记, issue 14): the seller's record of a signed contract,
pre-filled from the deal, checked against the registrar's refusal grounds, and its 16-digit number (in memory)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from domain.market.jj001 import (
    FINDING_CODES,
    OrganisationFacts,
    PartyCodes,
    RegistrationRecord,
    findings,
    prefill,
    region_code_of,
)
from domain.market.registration import ContractRegistration, registration_id
from domain.shared.errors import ConflictError, ContractStateError, DomainError, PermissionDeniedError, ValidationError
from marketplace.market import commands as mc
from tests.unit.deal_helpers import World, accept, make_world, offer, past_notice, sign_all
from tests.unit.tech_registration_helpers import NUMBER, completed
from web.refusals import REFUSAL_LABELS

PRICE = 10_000_000


@pytest.fixture
def world() -> World:
    return make_world()


def signed_sale(world: World, kind: str = "assignment") -> UUID:
    contract = accept(world, offer(world, kind=kind, price=PRICE))
    past_notice(world)
    sign_all(world, contract)
    return contract


def prepared(world: World, contract: UUID, by: str = "uni", **changes: object) -> None:
    record = world.app.tech_registrations.prefill(contract, actor_id=world[by])
    world.app.tech_registrations.prepare_registration(completed(contract, record, **changes), actor_id=world[by])


def number(world: World, contract: UUID, value: str = NUMBER, by: str = "uni") -> None:
    world.app.tech_registrations.record_registration_number(
        mc.RecordRegistrationNumber(contract_id=contract, number=value), actor_id=world[by])


def refused(call: object) -> DomainError:
    assert callable(call)
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value


# --- the record, pure ------------------------------------------------------------------------------
def test_the_record_is_prefilled_from_the_deal() -> None:
    record = prefill(deal_kind="non_exclusive_licence",
                     terms={"price": 500_000, "scope": {"start": "2025-04-01", "end": "2028-04-01"}},
                     patent_pending=False, title="一种锂电池隔膜", signed_on=date(2025, 3, 20),
                     seller=OrganisationFacts("university", "福建省福州市鼓楼区"),
                     buyer=OrganisationFacts("enterprise", "福建省厦门市", frozenset({"soe"})))
    assert record.contract_type == "licence_patent"
    assert (record.term_start, record.term_end) == (date(2025, 4, 1), date(2028, 4, 1))
    assert record.seller == PartyCodes("022", "142", "350100")
    assert record.buyer == PartyCodes("110", "142", "350200")  # verified state-owned
    assert (record.amount, record.technology_income) == (500_000, 500_000)
    # A transfer must still give its expected new investment and output.
    assert [f.code for f in findings(record, deal_kind="non_exclusive_licence", contract_price=500_000)] == [
        "tech_registration.transfer_figures_missing", "tech_registration.transfer_figures_missing"]
    pending = prefill(deal_kind="assignment", terms={"price": 1}, patent_pending=True, title="x",
                      signed_on=date(2025, 3, 20), seller=OrganisationFacts("enterprise", ""),
                      buyer=OrganisationFacts("research_institute", "上海市"))
    assert pending.contract_type == "transfer_patent_application"
    assert (pending.seller.nature_code, pending.seller.region_code, pending.buyer.region_code) == ("", "", "310000")


def test_region_codes_from_free_text_and_their_format() -> None:
    assert region_code_of("福建省泉州市安溪县") == "350500"
    assert region_code_of("福建") == "350000"
    assert region_code_of("350203") == "350203"
    assert region_code_of("Atlantis") == ""
    for bad in ("35010", "3501000", "990100", "35０100", "3501OO"):
        with pytest.raises(ValidationError) as caught:
            RegistrationRecord("licence_patent", "x", date(2025, 1, 1), seller=PartyCodes(region_code=bad))
        assert (caught.value.code, caught.value.field) == ("tech_registration.region_code", "seller.region_code")
    for bad, code in (("14", "tech_registration.country_code"), ("000", "tech_registration.country_code")):
        with pytest.raises(ValidationError) as caught:
            RegistrationRecord("licence_patent", "x", date(2025, 1, 1), buyer=PartyCodes(country_code=bad))
        assert caught.value.code == code
    with pytest.raises(ValidationError) as caught:
        RegistrationRecord("licence_patent", "x", date(2025, 1, 1), buyer=PartyCodes(nature_code="999"))
    assert (caught.value.code, caught.value.field) == ("tech_registration.nature_code", "buyer.nature_code")


def test_the_refusal_grounds_a_machine_can_check() -> None:
    whole = RegistrationRecord(
        "transfer_patent_right", "一种锂电池隔膜", date(2025, 3, 20), seller=PartyCodes("022", "142", "350100"),
        buyer=PartyCodes("170", "142", "350200"), term_start=date(2025, 3, 20), term_end=date(2026, 3, 20),
        amount=PRICE, technology_income=PRICE, expected_investment=0, expected_output=1)
    assert findings(whole, deal_kind="assignment", contract_price=PRICE) == ()

    def codes(**changes: object) -> list[str]:
        data = whole.as_dict() | changes
        return [f.code for f in findings(RegistrationRecord.from_dict(data), deal_kind="assignment",
                                         contract_price=PRICE)]

    assert codes(project_name="") == ["tech_registration.subject_unclear"]
    assert codes(contract_type="licence_patent") == ["tech_registration.type_mismatch"]
    assert codes(amount=0, technology_income=0) == [
        "tech_registration.price_unclear", "tech_registration.income_missing"]
    assert codes(amount=PRICE - 1, technology_income=PRICE - 1) == ["tech_registration.amount_below_price"]
    assert codes(technology_income=PRICE + 1) == ["tech_registration.income_exceeds_amount"]
    assert codes(term_end=None) == ["tech_registration.term_missing"]
    assert codes(term_start="2025-01-01", term_end="2025-03-01") == ["tech_registration.term_before_signing"]
    assert codes(expected_output=None) == ["tech_registration.transfer_figures_missing"]
    assert codes(buyer={"nature_code": "", "country_code": "142", "region_code": ""}) == [
        "tech_registration.party_code_missing", "tech_registration.party_code_missing"]
    # Every finding has its rule in both languages.
    assert all(f"refusal.{code}" in REFUSAL_LABELS for code in FINDING_CODES)


# --- the application -------------------------------------------------------------------------------
def test_the_seller_prepares_once_revises_and_records_the_number(world: World) -> None:
    contract = signed_sale(world)
    record = world.app.tech_registrations.prefill(contract, actor_id=world["uni"])
    assert (record.contract_type, record.project_name, record.amount) == ("transfer_patent_right", "一种锂电池隔膜",
                                                                           PRICE)
    assert record.seller.nature_code == "022"  # the enterprise's form: to say
    assert record.buyer.nature_code == ""
    command = completed(contract, record)
    world.app.tech_registrations.prepare_registration(command, actor_id=world["uni"])
    world.app.tech_registrations.prepare_registration(command, actor_id=world["uni"])  # a double click
    registration = world.get(registration_id(contract))
    assert isinstance(registration, ContractRegistration)
    assert registration.version == 1
    assert registration.findings == ()
    prepared(world, contract, expected_output=1)  # a revision
    assert world.get(registration_id(contract)).version == 2
    number(world, contract, "2026 3501 0000 0123")  # typed in groups
    number(world, contract)  # again: one effect
    registration = world.get(registration_id(contract))
    assert (registration.number, registration.version) == (NUMBER, 3)
    assert world.app.tech_registrations.number_of(contract) == NUMBER
    assert refused(lambda: number(world, contract, "2026350100000999")).code == "tech_registration.number_recorded"
    assert refused(lambda: prepared(world, contract, expected_output=2)).code == "tech_registration.numbered"


def test_only_the_sellers_members_prepare_and_a_platform_admin_may_record_the_number(world: World) -> None:
    contract = signed_sale(world)
    for outsider in ("firm", "rival"):  # the buyer, a stranger
        error = refused(lambda who=outsider: prepared(world, contract, by=who))
        assert isinstance(error, PermissionDeniedError)
        assert error.code == "tech_registration.seller_only"
    prepared(world, contract)
    for outsider in ("firm", "rival"):
        error = refused(lambda who=outsider: number(world, contract, by=who))
        assert error.code == "tech_registration.seller_only"
    number(world, contract, by="admin")
    assert world.get(registration_id(contract)).number == NUMBER


def test_no_record_before_signing_and_no_number_before_the_record_passes(world: World) -> None:
    contract = accept(world, offer(world, price=PRICE))
    error = refused(lambda: world.app.tech_registrations.prefill(contract, actor_id=world["uni"]))
    assert isinstance(error, ContractStateError)
    assert error.code == "tech_registration.not_signed"
    past_notice(world)
    sign_all(world, contract)
    assert refused(lambda: number(world, contract)).code == "tech_registration.not_prepared"
    prepared(world, contract, technology_income=PRICE + 1)
    error = refused(lambda: number(world, contract))
    assert (error.code, error.field) == ("tech_registration.income_exceeds_amount", "technology_income")
    for bad in ("202635010000012", "20263501000001234", "２０２６３５０１００００１２３", "2026-3501-0000-0123", ""):
        assert refused(lambda n=bad: number(world, contract, n)).code == "tech_registration.number_format"


def test_a_number_is_held_by_one_contract(world: World) -> None:
    first = signed_sale(world, kind="non_exclusive_licence")
    second = signed_sale(world, kind="non_exclusive_licence")
    prepared(world, first)
    prepared(world, second)
    number(world, first)
    error = refused(lambda: number(world, second))
    assert isinstance(error, ConflictError)
    assert error.code == "tech_registration.number_taken"
    assert world.app.tech_registrations.number_of(second) is None
