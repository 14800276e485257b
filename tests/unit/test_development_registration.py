"""Technology development contracts' results clauses and registration (issues 13 and 14), in memory.

The parties agree before signing who holds the right to apply for patents on the results (民法典 arts.
859–861: the statutory default unless agreed) and the years of confidentiality — the text and its SHA-256
are revised, a signature freezes them. The developer (研究开发方, the contract's seller; the parameters'
``who_applies``: "the seller side: developer, …") registers the contract as 技术开发（委托/合作）: the
record is pre-filled from the contract and held to the registrar's grounds that apply to a development (no
transfer figures; its term must run to the last milestone)."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from uuid import UUID

import pytest

from domain.deals.development import (
    DevelopmentContract,
    render_development,
    revised_text,
)
from domain.market.jj001 import (
    ContractType,
    OrganisationFacts,
    PartyCodes,
    RegistrationRecord,
    findings,
    last_due_of,
    prefill_development,
)
from domain.market.registration import ContractRegistration, registration_id
from domain.shared.errors import ContractStateError, DomainError, PermissionDeniedError, ValidationError
from marketplace.deals import commands as d
from marketplace.market import commands as mc
from tests.unit.deal_helpers import World, accept, make_world, offer, past_notice, sign_all
from tests.unit.tech_registration_helpers import NUMBER
from tests.unit.test_deals_development import awarded

SIGNED = date(2025, 4, 12)
TERMS = {"kind": "commissioned_development", "price": 300_000_00,
         "milestones": [{"name": "样品", "amount": 100_000_00, "due": "2025-05-12"},
                        {"name": "中试", "amount": 200_000_00, "due": "2025-08-10"}]}
UNIVERSITY = OrganisationFacts("university", "福建省福州市鼓楼区")
ENTERPRISE = OrganisationFacts("enterprise", "福建省宁德市蕉城区")


@pytest.fixture
def world() -> World:
    return make_world()


def refused(call: object) -> DomainError:
    assert callable(call)
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value


def complete(record: RegistrationRecord, **changes: object) -> RegistrationRecord:
    """The pre-filled record with what the seller adds: the enterprise's nature code, region codes not implied."""
    return dataclasses.replace(
        record, seller=PartyCodes(record.seller.nature_code, "142", record.seller.region_code or "350100"),
        buyer=PartyCodes("170", "142", record.buyer.region_code or "350900"), **changes)  # type: ignore[arg-type]


# --- the record, pure --------------------------------------------------------------------------------
def test_a_commissioned_development_is_prefilled_as_its_developer_registers_it() -> None:
    record = prefill_development(kind="commissioned_development", terms=TERMS, title="  动力电池  低温快充 ",
                                 signed_on=SIGNED, developer=UNIVERSITY, client=ENTERPRISE)
    assert record == RegistrationRecord(
        contract_type="development_commissioned", project_name="动力电池 低温快充", signed_on=SIGNED,
        seller=PartyCodes("022", "142", "350100"), buyer=PartyCodes("", "142", "350900"),
        term_start=SIGNED, term_end=date(2025, 8, 10), amount=300_000_00, technology_income=300_000_00,
        expected_investment=None, expected_output=None)
    joint = prefill_development(kind="joint_development", terms=TERMS, title="x", signed_on=SIGNED,
                                developer=UNIVERSITY, client=ENTERPRISE)
    assert joint.contract_type == ContractType.DEVELOPMENT_JOINT.value
    assert refused(lambda: prefill_development(kind="assignment", terms=TERMS, title="x", signed_on=SIGNED,
                                               developer=UNIVERSITY, client=ENTERPRISE)).code == "choice"


def test_a_development_is_held_to_the_grounds_that_apply_to_it() -> None:
    record = prefill_development(kind="commissioned_development", terms=TERMS, title="低温快充", signed_on=SIGNED,
                                 developer=UNIVERSITY, client=ENTERPRISE)
    last = last_due_of(TERMS)
    assert last == date(2025, 8, 10)

    def codes(r: RegistrationRecord, kind: str = "commissioned_development") -> list[tuple[str, str]]:
        return [(f.code, f.field) for f in findings(r, deal_kind=kind, contract_price=300_000_00, last_due=last)]

    assert codes(record) == [("tech_registration.party_code_missing", "buyer.nature_code")]
    done = complete(record)
    assert codes(done) == []  # a development gives no expected new investment or output
    assert codes(done, "joint_development") == [("tech_registration.type_mismatch", "contract_type")]
    assert codes(complete(record, contract_type="licence_patent")) == [  # and a transfer's figures are then owed
        ("tech_registration.type_mismatch", "contract_type"),
        ("tech_registration.transfer_figures_missing", "expected_investment"),
        ("tech_registration.transfer_figures_missing", "expected_output")]
    assert codes(complete(record, term_end=date(2025, 8, 9))) == [
        ("tech_registration.term_before_milestones", "term_end")]
    assert codes(complete(record, technology_income=0)) == [("tech_registration.income_missing", "technology_income")]
    assert codes(complete(record, amount=200_000_00, technology_income=150_000_00)) == [
        ("tech_registration.amount_below_price", "amount")]
    assert codes(complete(record, project_name="")) == [("tech_registration.subject_unclear", "project_name")]
    # A transfer keeps its own grounds: a development type does not match it, and it still owes its figures.
    assert ("tech_registration.type_mismatch", "contract_type") in [
        (f.code, f.field) for f in findings(done, deal_kind="assignment", contract_price=1)]
    assert last_due_of({"milestones": []}) is None


def test_the_revised_text_is_the_text_the_new_terms_render() -> None:
    terms = {**TERMS, "currency": "CNY", "deliverables": "样品与中试报告", "ownership": "developer",
             "confidential_years": 3}

    def render(t: dict[str, object]) -> tuple[str, str]:
        return render_development(contract_id=UUID(int=7), terms=t, client_name="宁德电芯", developer_name="福州大学",
                                  demand_title="低温快充", targets="-20°C 30 分钟 80%")

    agreed = {**terms, "ownership": "client", "confidential_years": 5}
    assert revised_text(render(terms), terms, agreed) == render(agreed)
    assert revised_text(render(agreed), agreed, terms) == render(terms)
    assert "申请专利的权利属于甲方" in render(agreed)[0]
    assert "belongs to Party A" in render(agreed)[1]


# --- agreeing the results on the draft ---------------------------------------------------------------
def test_a_party_agrees_the_results_before_anyone_signs_and_a_signature_freezes_them(world: World) -> None:
    contract = awarded(world)
    before = contract.text_sha256
    head = world.app.recorder.max_notification_id()
    agree = d.AgreeDevelopmentResults(contract_id=contract.id, ownership="client", confidential_years=5)
    assert isinstance(refused(lambda: world.app.contracts.agree_development_results(agree, actor_id=world["rival"])),
                      PermissionDeniedError)
    bad = d.AgreeDevelopmentResults(contract_id=contract.id, ownership="client", confidential_years=30)
    assert refused(lambda: world.app.contracts.agree_development_results(bad, actor_id=world["uni"])).code == (
        "development.confidential_years")
    assert world.app.recorder.max_notification_id() == head

    world.app.contracts.agree_development_results(agree, actor_id=world["uni"])
    world.app.contracts.agree_development_results(agree, actor_id=world["firm"])  # the same again: no event
    assert world.app.recorder.max_notification_id() == head + 1
    now = world.get(contract.id)
    assert isinstance(now, DevelopmentContract)
    assert (now.terms["ownership"], now.terms["confidential_years"]) == ("client", 5)
    assert "申请专利的权利属于甲方" in now.text_zh
    assert "保密期限至本合同终止后5年" in now.text_zh
    assert now.text_sha256 != before

    sign_all(world, contract.id, "firm")
    late = refused(lambda: world.app.contracts.agree_development_results(
        d.AgreeDevelopmentResults(contract_id=contract.id, ownership="joint"), actor_id=world["uni"]))
    assert (type(late), late.code) == (ContractStateError, "development.terms_signed")
    assert world.get(contract.id).terms["ownership"] == "client"


def test_a_patent_contract_has_no_results_clauses_to_agree(world: World) -> None:
    contract = accept(world, offer(world, kind="assignment", price=10_000_000))
    error = refused(lambda: world.app.contracts.agree_development_results(
        d.AgreeDevelopmentResults(contract_id=contract, ownership="client"), actor_id=world["uni"]))
    assert error.code == "development.results_only"


def test_an_agreement_stored_without_the_confidentiality_field_still_loads(world: World) -> None:
    contract = awarded(world)
    world.app.contracts.agree_development_results(
        d.AgreeDevelopmentResults(contract_id=contract.id, ownership="joint"), actor_id=world["uni"])
    stored = world.app.recorder.select_events(contract.id)[-1]
    assert stored.topic.endswith("DevelopmentContract.ResultsAgreed")
    state = json.loads(stored.state)
    state.pop("confidential_years")
    event = world.app.mapper.to_domain_event(dataclasses.replace(stored, state=json.dumps(state).encode()))
    loaded = world.app.repository.get(contract.id, version=stored.originator_version - 1)
    loaded.terms["confidential_years"] = 9
    event.mutate(loaded)
    assert (loaded.terms["ownership"], loaded.terms["confidential_years"]) == ("joint", 3)


# --- registering it ------------------------------------------------------------------------------
def prepare(world: World, contract: UUID, by: str = "uni", **changes: object) -> None:
    record = complete(world.app.tech_registrations.prefill(contract, actor_id=world[by]), **changes)
    world.app.tech_registrations.prepare_registration(mc.PrepareRegistration(
        contract_id=contract, contract_type=record.contract_type, project_name=record.project_name,
        seller=mc.PartyCodesInput(**record.seller.as_dict()), buyer=mc.PartyCodesInput(**record.buyer.as_dict()),
        term_start=record.term_start, term_end=record.term_end, amount=record.amount,
        technology_income=record.technology_income), actor_id=world[by])


def test_the_developer_registers_a_signed_development_and_the_client_may_not(world: World) -> None:
    contract = awarded(world)
    early = refused(lambda: world.app.tech_registrations.prefill(contract.id, actor_id=world["uni"]))
    assert early.code == "tech_registration.not_signed"
    sign_all(world, contract.id)
    record = world.app.tech_registrations.prefill(contract.id, actor_id=world["uni"])
    assert (record.contract_type, record.project_name) == ("development_commissioned", "动力电池低温快充")
    assert (record.seller.nature_code, record.term_end, record.amount) == ("022", date(2025, 8, 10), 300_000_00)
    for who in ("firm", "rival"):
        error = refused(lambda who=who: world.app.tech_registrations.prefill(contract.id, actor_id=world[who]))
        assert (type(error), error.code) == (PermissionDeniedError, "tech_registration.seller_only")
        error = refused(lambda who=who: prepare(world, contract.id, by=who))
        assert isinstance(error, PermissionDeniedError)

    prepare(world, contract.id, term_end=date(2025, 8, 1))  # before the last milestone: saved, not passed
    registration = world.get(registration_id(contract.id))
    assert isinstance(registration, ContractRegistration)
    assert registration.last_due == date(2025, 8, 10)
    assert [f.code for f in registration.findings] == ["tech_registration.term_before_milestones"]
    numbered = mc.RecordRegistrationNumber(contract_id=contract.id, number=NUMBER)
    error = refused(lambda: world.app.tech_registrations.record_registration_number(numbered, actor_id=world["uni"]))
    assert (type(error), error.code) == (ValidationError, "tech_registration.term_before_milestones")
    prepare(world, contract.id, term_end=date(2025, 12, 31))
    world.app.tech_registrations.record_registration_number(numbered, actor_id=world["uni"])
    world.app.tech_registrations.record_registration_number(numbered, actor_id=world["uni"])  # again: one effect
    assert world.app.tech_registrations.number_of(contract.id) == NUMBER
    assert len(world.app.recorder.select_events(registration_id(contract.id))) == 3


def test_a_registration_prepared_before_developments_were_registrable_still_loads(world: World) -> None:
    contract = accept(world, offer(world, kind="assignment", price=10_000_000))
    past_notice(world)
    sign_all(world, contract)
    record = world.app.tech_registrations.prefill(contract, actor_id=world["uni"])
    world.app.tech_registrations.prepare_registration(mc.PrepareRegistration(
        contract_id=contract, contract_type=record.contract_type, project_name=record.project_name),
        actor_id=world["uni"])
    stored = world.app.recorder.select_events(registration_id(contract))[0]
    state = json.loads(stored.state)
    assert state.pop("last_due") is None
    event = world.app.mapper.to_domain_event(dataclasses.replace(stored, state=json.dumps(state).encode()))
    loaded = event.mutate(None)
    assert isinstance(loaded, ContractRegistration)
    assert loaded.last_due is None
    assert loaded.record.contract_type == record.contract_type
    assert "tech_registration.term_before_milestones" not in {f.code for f in loaded.findings}
