"""Contracts: the public notice and its objections, co-owners' consent, signatures, open licences."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import pytest

from domain.shared.errors import (
    ConsentMissingError,
    ContractStateError,
    NoticeWindowError,
    PatentNotTradableError,
    PermissionDeniedError,
    ValidationError,
)
from marketplace.catalogue import commands as cc
from marketplace.deals import commands as d
from tests.unit.deal_helpers import (
    World,
    accept,
    head,
    licence_scope,
    make_world,
    offer,
    past_notice,
    pay_by_webhook,
    sign_all,
)


@pytest.fixture
def world() -> World:
    return make_world()


def sign(world: World, contract_id: UUID, party: str, digest: str | None = None) -> None:
    text_sha256 = digest or world.get(contract_id).text_sha256
    world.app.contracts.sign_contract(
        d.SignContract(contract_id=contract_id, text_sha256=text_sha256),
        actor_id=world[party],
    )


def test_a_negotiated_price_of_a_university_is_noticed_for_15_days_before_signing(world: World) -> None:
    contract_id = accept(world, offer(world, price=9_000_000))
    contract = world.get(contract_id)
    assert contract.notice_ends_at == (world.clock.now() + timedelta(days=15)).isoformat()
    before = head(world.app)
    with pytest.raises(NoticeWindowError, match="public notice runs until"):
        sign(world, contract_id, "uni")
    assert head(world.app) == before
    past_notice(world)
    sign_all(world, contract_id)
    signed = world.get(contract_id)
    assert signed.status == "signed"
    assert set(signed.signatures) == {str(world["uni_org"]), str(world["firm_org"])}


def test_the_listed_fixed_price_needs_no_notice(world: World) -> None:
    contract_id = accept(world, offer(world, price=10_000_000))
    assert world.get(contract_id).notice_ends_at is None
    sign_all(world, contract_id)
    assert world.get(contract_id).status == "signed"


def test_an_upheld_objection_ends_the_contract_and_it_can_never_be_signed(world: World) -> None:
    contract_id = accept(world, offer(world, kind="exclusive_licence", price=500_000))
    objection, _ = world.app.contracts.file_objection(
        d.FileObjection(contract_id=contract_id, text="价格明显低于评估价值"), actor_id=world["rival"]
    )
    past_notice(world)
    with pytest.raises(NoticeWindowError, match="awaits"):
        sign(world, contract_id, "uni")
    with pytest.raises(PermissionDeniedError):
        world.app.contracts.decide_objection(
            d.DecideObjection(contract_id=contract_id, objection_id=objection, upheld=True, reason="x"),
            actor_id=world["firm"],
        )
    world.app.contracts.decide_objection(
        d.DecideObjection(contract_id=contract_id, objection_id=objection, upheld=True, reason="重新评估后再议"),
        actor_id=world["uni"],
    )
    before = head(world.app)
    with pytest.raises(ContractStateError):
        sign(world, contract_id, "uni")
    assert head(world.app) == before
    patent = world.get(world["patent"])
    assert patent.licences[str(contract_id)]["status"] == "ended"
    assert patent.deal_party_ids() == set()


def test_a_dismissed_objection_lets_the_parties_sign_after_the_window(world: World) -> None:
    contract_id = accept(world, offer(world, price=9_000_000))
    objection, _ = world.app.contracts.file_objection(
        d.FileObjection(contract_id=contract_id, text="价格偏低，请说明"), actor_id=world["rival"]
    )
    world.app.contracts.decide_objection(
        d.DecideObjection(contract_id=contract_id, objection_id=objection, upheld=False, reason="价格经评估确定"),
        actor_id=world["uni"],
    )
    past_notice(world)
    with pytest.raises(NoticeWindowError, match="only while"):
        world.app.contracts.file_objection(
            d.FileObjection(contract_id=contract_id, text="too late to object"), actor_id=world["rival"]
        )
    sign_all(world, contract_id)
    assert world.get(contract_id).status == "signed"


def test_a_co_owned_patent_needs_every_co_owners_consent_for_an_exclusive_licence(world: World) -> None:
    world.sign_up("inst", "中国科学院福建物质结构研究所", "research_institute")
    patent = world.register_patent(["uni", "inst"], number="202110654321")
    listing = world.list_patent("uni", patent)
    contract_id = accept(world, offer(world, kind="exclusive_licence", price=500_000, listing_id=listing))
    assert world.get(contract_id).consents_required == [world["inst_org"]]
    past_notice(world)
    before = head(world.app)
    with pytest.raises(ConsentMissingError):
        sign(world, contract_id, "uni")
    assert head(world.app) == before
    with pytest.raises(PermissionDeniedError):
        world.app.contracts.consent_as_co_owner(d.ConsentAsCoOwner(contract_id=contract_id), actor_id=world["rival"])
    world.app.contracts.consent_as_co_owner(d.ConsentAsCoOwner(contract_id=contract_id), actor_id=world["inst"])
    sign_all(world, contract_id)
    assert world.get(contract_id).status == "signed"


def test_a_non_exclusive_licence_of_a_co_owned_patent_needs_no_consent(world: World) -> None:
    world.sign_up("inst", "中国科学院福建物质结构研究所", "research_institute")
    patent = world.register_patent(["uni", "inst"], number="202110654321")
    listing = world.list_patent("uni", patent)
    contract_id = accept(world, offer(world, kind="non_exclusive_licence", price=100_000, listing_id=listing))
    assert world.get(contract_id).consents_required == []


def test_a_lapsed_patent_cannot_be_signed_and_a_party_signs_once_the_text_it_read(world: World) -> None:
    contract_id = accept(world, offer(world))
    sign(world, contract_id, "firm")
    with pytest.raises(ContractStateError, match="already signed"):
        sign(world, contract_id, "firm")
    with pytest.raises(ContractStateError, match="text changed"):
        sign(world, contract_id, "uni", digest="0" * 64)
    world.app.catalogue.change_legal_status(
        cc.ChangeLegalStatus(patent_id=world["patent"], legal_status="lapsed", effective_date=date(2025, 3, 1)),
        actor_id=world["uni"],
    )
    before = head(world.app)
    with pytest.raises(PatentNotTradableError):
        sign(world, contract_id, "uni")
    assert head(world.app) == before


def test_only_an_org_admin_of_a_party_signs(world: World) -> None:
    contract_id = accept(world, offer(world))
    with pytest.raises(PermissionDeniedError):
        sign(world, contract_id, "rival")


def test_open_licence_is_taken_at_once_and_survives_withdrawal_of_the_declaration(world: World) -> None:
    patent = world.register_patent(["uni"], number="202110111111")
    listing = world.list_patent(
        "uni",
        patent,
        deal_types=["open_licence", "non_exclusive_licence"],
        price_mode="open_licence",
        asking_price=None,
        open_licence=cc.OpenLicenceInput(fee=0, royalty_rate=3, term_years=5),
    )
    contract_id, _ = world.app.contracts.take_open_licence(
        d.TakeOpenLicence(listing_id=listing), actor_id=world["firm"])
    contract = world.get(contract_id)
    assert (contract.status, contract.kind, contract.terms["royalty_rate"]) == (
        "in_force",
        "non_exclusive_licence",
        300,
    )
    assert contract.parties == [world["firm_org"]]
    assert world.get(patent).licences[str(contract_id)]["status"] == "active"
    world.app.catalogue.withdraw_listing(cc.WithdrawListing(listing_id=listing), actor_id=world["uni"])
    assert world.get(patent).licences[str(contract_id)]["status"] == "active"


def test_open_licence_with_a_fee_becomes_active_when_paid(world: World) -> None:
    from tests.unit.deal_helpers import pay_by_webhook

    patent = world.register_patent(["uni"], number="202110111111")
    listing = world.list_patent(
        "uni",
        patent,
        deal_types=["open_licence"],
        price_mode="open_licence",
        asking_price=None,
        open_licence=cc.OpenLicenceInput(fee=50_000, term_years=3),
    )
    contract_id, _ = world.app.contracts.take_open_licence(
        d.TakeOpenLicence(listing_id=listing), actor_id=world["rival"])
    assert world.get(contract_id).status == "signed"
    assert world.get(patent).licences[str(contract_id)]["status"] == "granted"
    pay_by_webhook(world, contract_id, payer="rival")
    assert world.get(contract_id).status == "in_force"
    assert world.get(patent).licences[str(contract_id)]["status"] == "active"
    before = head(world.app)
    with pytest.raises(PermissionDeniedError):
        world.app.contracts.take_open_licence(d.TakeOpenLicence(listing_id=listing), actor_id=world["uni"])
    assert head(world.app) == before


def test_registration_reference_of_a_transfer_is_recorded_on_contract_and_patent(world: World) -> None:
    from tests.unit.deal_helpers import pay_by_webhook

    contract_id = accept(world, offer(world))
    sign_all(world, contract_id)
    with pytest.raises(ContractStateError):
        world.app.contracts.record_registration(
            d.RecordRegistration(contract_id=contract_id, reference="ZL-2025-001"), actor_id=world["firm"]
        )
    pay_by_webhook(world, contract_id)
    world.app.contracts.record_registration(
        d.RecordRegistration(contract_id=contract_id, reference="ZL-2025-001"), actor_id=world["firm"]
    )
    assert world.get(contract_id).registration_reference == "ZL-2025-001"
    topics = [n.topic for n in world.app.recorder.select_notifications(start=1, limit=1000)]
    assert "domain.patent:Patent.TransferRegistered" in topics
    assert "domain.contract:TransferContract.Drafted" in topics


def _licence_in_force(world: World) -> UUID:
    """A licence from 1 April 2025 for three years at 5 %, with a ¥10,000 minimum annual royalty."""
    contract_id = accept(
        world,
        offer(
            world,
            kind="non_exclusive_licence",
            price=100_000,
            scope=licence_scope(start=date(2025, 4, 1)),
            royalty_rate=5,
            minimum_annual_royalty=1_000_000,
        ),
    )
    past_notice(world)
    sign_all(world, contract_id)
    pay_by_webhook(world, contract_id)
    assert world.get(contract_id).status == "in_force"
    return contract_id


def report(world: World, contract_id: UUID, start: date, end: date, net_sales: int = 0) -> UUID | None:
    obligation, _ = world.app.contracts.file_royalty_report(
        d.FileRoyaltyReport(contract_id=contract_id, period_start=start, period_end=end, net_sales=net_sales),
        actor_id=world["firm"],
    )
    return obligation


@pytest.mark.parametrize(
    ("start", "end", "field", "rule"),
    [
        # skipping the start of the licence
        (date(2025, 7, 1), date(2025, 9, 30), "period_start", "the first royalty report starts on 2025-04-01"),
        # straddling the end of the first licence year (31 March 2026)
        (date(2025, 4, 1), date(2026, 4, 30), "period_end", "ends on 2026-03-31"),
    ],
)
def test_the_first_royalty_report_starts_the_licence_and_stays_in_its_year(
    world: World, start: date, end: date, field: str, rule: str
) -> None:
    contract_id = _licence_in_force(world)
    before = head(world.app)
    with pytest.raises(ValidationError) as refused:
        report(world, contract_id, start, end)
    assert (refused.value.field, rule in refused.value.message) == (field, True)
    assert head(world.app) == before


def test_royalty_reports_are_contiguous_and_no_licence_year_escapes_its_minimum(world: World) -> None:
    contract_id = _licence_in_force(world)
    assert report(world, contract_id, date(2025, 4, 1), date(2025, 12, 31), 4_000_000) is not None  # 200,000
    before = head(world.app)
    for start, end, field in [
        (date(2026, 1, 2), date(2026, 3, 31), "period_start"),  # a gap
        (date(2025, 12, 31), date(2026, 3, 31), "period_start"),  # an overlap
        (date(2026, 1, 1), date(2026, 6, 30), "period_end"),  # straddles 31 March 2026
        (date(2026, 1, 1), date(2027, 3, 31), "period_end"),  # skips the year's end
    ]:
        with pytest.raises(ValidationError) as refused:
            report(world, contract_id, start, end)
        assert refused.value.field == field
    assert head(world.app) == before
    closing = report(world, contract_id, date(2026, 1, 1), date(2026, 3, 31))
    assert closing is not None
    assert world.get(closing).amount == 800_000  # no sales: top-up of the 200,000 royalty to the minimum
    # A whole second year in one report closes it too.
    second = report(world, contract_id, date(2026, 4, 1), date(2027, 3, 31), 2_000_000)
    assert second is not None
    assert world.get(second).amount == 1_000_000  # 100,000 royalty + 900,000 top-up


#: 00:30 on 1 January 2027 in Beijing, still 31 December 2026 in UTC: the day is Beijing's.
NEW_YEAR_IN_BEIJING = datetime(2026, 12, 31, 16, 30, tzinfo=UTC)


def test_an_open_licence_taken_after_midnight_beijing_time_starts_on_that_beijing_day(world: World) -> None:
    patent = world.register_patent(["uni"], number="202110111111")
    listing = world.list_patent(
        "uni", patent, deal_types=["open_licence"], price_mode="open_licence", asking_price=None,
        open_licence=cc.OpenLicenceInput(fee=0, royalty_rate=3, term_years=5),
    )
    world.clock.set(NEW_YEAR_IN_BEIJING)
    contract_id, _ = world.app.contracts.take_open_licence(
        d.TakeOpenLicence(listing_id=listing), actor_id=world["firm"])
    scope = world.get(contract_id).terms["scope"]
    assert (scope["start"], scope["end"]) == ("2027-01-01", "2032-01-01")


def test_a_royalty_reported_after_midnight_beijing_time_falls_due_on_that_beijing_day(world: World) -> None:
    contract_id = _licence_in_force(world)
    world.clock.set(datetime(2025, 6, 30, 16, 30, tzinfo=UTC))  # 1 July 2025, 00:30 in Beijing
    obligation = report(world, contract_id, date(2025, 4, 1), date(2025, 6, 30), net_sales=10_000_000)
    assert obligation is not None
    assert (world.get(obligation).amount, world.get(obligation).due_on) == (500_000, "2025-07-01")
