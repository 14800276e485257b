"""Audit over a full scenario on a real PostgreSQL: listings, an assessment, a negotiated deal paid by
bank transfer, and a licence; the log summarises every event, the as-of listing reached from the
offer shows what the buyer saw, histories cover deals, and ``rebuild-check`` finds no difference."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest

from domain.deals.contract import Contract
from domain.deals.offer import Offer
from domain.deals.payment import obligation_id
from domain.shared.ids import organisation_id
from marketplace.accounts import commands as ac
from marketplace.audit.listing_page import listing_as_of
from marketplace.audit.rebuild_check import rebuild_check
from marketplace.audit.replay import history
from marketplace.catalogue import commands as cc
from marketplace.deals import commands as d
from marketplace.platform.clock import ManualClock
from marketplace.platform.services import Services
from marketplace.valuation import commands as vc
from projections.audit.log import SUMMARIES, event_type_of
from tests.integration.test_projections import PASSWORD, cn

UNIVERSITY = "福州大学"
ENTERPRISE = "宁德新能源科技有限公司"
AGENCY = "福建联合资产评估有限公司"


@dataclass
class Scenario:
    admin: UUID
    seller: UUID
    buyer: UUID
    valuer: UUID
    patent: UUID
    listing: UUID
    offer: UUID
    offer_made_at: datetime
    contract: UUID


def _people(services: Services) -> tuple[UUID, UUID, UUID, UUID]:
    app = services.app
    admin = app.accounts.bootstrap_platform_admin(email="ops@p.test", password=PASSWORD, display_name="Ops",
                                       organisation_name="平台运营")
    ids = []
    for email, name, kind in (("tto@fzu.test", UNIVERSITY, "university"),
                              ("cto@xny.test", ENTERPRISE, "enterprise"),
                              ("lin@appraisal.test", AGENCY, "valuation_agency")):
        user, _ = app.accounts.sign_up(ac.SignUp(email=email, password=PASSWORD, display_name=name[:2],
                                     organisation_name=name, organisation_kind=kind))
        app.accounts.verify_organisation(ac.VerifyOrganisation(organisation_id=organisation_id(name)), actor_id=admin)
        ids.append(user)
    app.valuation.accredit_valuer(vc.AccreditValuer(user_id=ids[2], credential_number="35000123",
                                        expires_on=date(2030, 12, 31)), actor_id=admin)
    return admin, ids[0], ids[1], ids[2]


def _pause() -> None:
    time.sleep(0.003)  # instants strictly between events


def run_scenario(services: Services) -> Scenario:
    app = services.app
    clock = ManualClock(datetime.now(UTC))
    app.clock = clock
    admin, seller, buyer, valuer = _people(services)
    uni = organisation_id(UNIVERSITY)
    patent, _ = app.catalogue.register_patent(cc.RegisterPatent(
        application_number=cn("202110456780"), patent_type="invention", title_zh="固态电解质及其制备方法",
        ipc_codes=["H01M 10/0562"], filing_date=date(2021, 3, 2), legal_status="granted",
        owners=[cc.OwnerShare(organisation_id=uni, share=100)],
        inventors=[cc.InventorShare("林教授", 60), cc.InventorShare("陈博士", 40)]), actor_id=seller)
    listing, _ = app.catalogue.draft_listing(cc.DraftListing(
        patent_id=patent, deal_types=["assignment", "exclusive_licence"], price_mode="fixed",
        asking_price=80_000_000, maturity="pilot"), actor_id=seller)
    app.catalogue.publish_listing(cc.PublishListing(listing_id=listing), actor_id=seller)
    app.valuation.record_assessment(vc.RecordAssessment(
        patent_id=patent, purpose="transfer", basis_date=clock.now().astimezone(ZoneInfo("Asia/Shanghai")).date(),
        method="income_stream",
        inputs={"incomes": ["30", "30", "30", "30"], "discount_rate": "0.1", "share": "0.3"},
        low=Decimal("25"), high=Decimal("32"), report_reference="闽联评报字〔2026〕第001号"), actor_id=valuer)
    _pause()
    offer, _ = app.offers.make_offer(
        d.MakeOffer(listing_id=listing, kind="assignment", price=70_000_000), actor_id=buyer)
    made: Offer = app.repository.get(offer)
    _pause()
    # After the offer: the seller reprices, then counters; the buyer accepts the negotiated price.
    app.catalogue.revise_listing(cc.ReviseListing(listing_id=listing, deal_types=["assignment", "exclusive_licence"],
                                                  price_mode="fixed", asking_price=95_000_000, maturity="pilot"),
                       actor_id=seller)
    app.offers.counter_offer(d.CounterOffer(offer_id=offer, kind="assignment", price=75_000_000), actor_id=seller)
    contract_id, _ = app.offers.accept_offer(d.AcceptOffer(offer_id=offer), actor_id=buyer)
    contract: Contract = app.repository.get(contract_id)
    assert contract.notice_ends_at is not None  # a university's negotiated price is publicly noticed
    clock.advance(timedelta(days=16))
    for signer in (seller, buyer):
        app.contracts.sign_contract(
            d.SignContract(contract_id=contract_id, text_sha256=contract.text_sha256), actor_id=signer)
    app.payments.start_payment(d.StartPayment(contract_id=contract_id), actor_id=buyer)
    app.payments.record_manual_receipt(d.RecordManualReceipt(obligation_id=obligation_id(contract_id, "upfront"),
                                                             amount=75_000_000, bank_reference="ICBC-20261126-001"),
                              actor_id=admin)
    return Scenario(admin, seller, buyer, valuer, patent, listing, offer, made.created_on, contract_id)


@pytest.fixture
def scenario(services: Services) -> Scenario:
    s = run_scenario(services)
    services.make_runner().catch_up()
    return s


def test_every_event_of_the_scenario_has_its_own_summary(services: Services, scenario: Scenario) -> None:
    seen: set[str] = set()
    for n in services.recorder.select_notifications(start=1, limit=10_000):
        seen.add(event_type_of(n.topic)[1])
    missing = sorted(seen - set(SUMMARIES))
    assert not missing, f"event types summarised only generically: {missing}"
    with services.recorder.datastore.transaction(commit=False) as curs:
        curs.execute("SELECT event_type, data FROM audit_log_events ORDER BY position")
        rows = curs.fetchall()
    assert len(rows) == len(list(services.recorder.select_notifications(start=1, limit=10_000)))
    for row in rows:  # each event's own summary reads the fields the event carries (no fallback)
        assert SUMMARIES[row["event_type"]](row["data"], {}), row
    with services.recorder.datastore.transaction(commit=False) as curs:
        curs.execute("SELECT event_type FROM audit_log_events WHERE aggregate_type = 'Contract'"
                     " AND aggregate_id = %s ORDER BY version", (scenario.contract,))
        contract_events = [r["event_type"] for r in curs.fetchall()]
    assert contract_events[:2] == ["TransferContract.Drafted", "Contract.Signed"]  # one filter finds them all
    for needed in ("Offer.Made", "Offer.Countered", "Offer.Accepted", "TransferContract.Drafted", "Contract.Signed",
                   "PaymentObligation.Paid", "Patent.OwnershipTransferred", "Listing.Closed", "Valuation.Recorded"):
        assert needed in seen


def test_the_listing_as_of_the_offer_shows_what_the_buyer_saw(services: Services, scenario: Scenario) -> None:
    then = listing_as_of(services.app, scenario.listing, at=scenario.offer_made_at)
    assert then.listing.status == "published"
    assert then.listing.terms["asking_price"] == 80_000_000
    now = listing_as_of(services.app, scenario.listing)
    assert now.listing.status == "closed"
    assert now.listing.terms["asking_price"] == 95_000_000
    assert then.patent.owners[0]["name"] == UNIVERSITY
    assert now.patent.owners[0]["name"] == ENTERPRISE


def test_histories_of_offers_contracts_and_payments(services: Services, scenario: Scenario) -> None:
    offer = [e.event_type for e in history(services.app, scenario.offer)]
    assert offer == ["Offer.Made", "Offer.Countered", "Offer.Accepted"]
    contract = history(services.app, scenario.contract)
    assert [e.event_type for e in contract][:3] == ["TransferContract.Drafted", "Contract.Signed", "Contract.Signed"]
    assert contract[-1].event_type == "Contract.CameIntoForce"
    assert {e.actor for e in contract[1:3]} == {scenario.seller, scenario.buyer}
    payment = history(services.app, obligation_id(scenario.contract, "upfront"))
    assert [e.event_type for e in payment] == [
        "PaymentObligation.FellDue", "PaymentObligation.PaymentStarted", "PaymentObligation.Paid"]
    assert payment[-1].changes["status"] == ("pending", "paid")


def test_rebuild_check_after_the_full_scenario_finds_no_difference(services: Services, scenario: Scenario) -> None:
    report = rebuild_check(services)
    assert {"deals", "valuation", "catalogue", "audit_log", "audit_chain", "accounts"} <= set(report.positions)
    assert report.tables
    assert not report.differences, report.lines()
