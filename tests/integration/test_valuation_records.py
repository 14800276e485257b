"""Valuation records on a real PostgreSQL: field record and calibration follow paid deals; rebuild is identical."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import pytest

from domain.deals.contract import Contract
from domain.deals.contract_terms import contract_id_for_offer
from domain.deals.offer import Offer, Side
from domain.deals.payment import PaymentObligation
from domain.deals.terms import DealKind, DealTerms
from domain.shared.money import Money
from marketplace.catalogue import commands as cc
from marketplace.platform.clock import ManualClock
from marketplace.platform.services import Services
from marketplace.valuation import commands as vc
from projections.valuation.queries import FieldRecord, ValuationQueries, ValuerProfile
from tests.integration.test_projections import table_digest
from tests.unit.test_valuation_rules import Market, _org_user, assess, build_market

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def paid_deal(market: Market, patent_id: UUID, buyer: UUID, price: int, *, kind: str = "assignment") -> UUID:
    """An offer countered to ``price`` (fen), its contract drafted and the upfront payment received."""
    app, now = market.app, market.clock.now()
    seller_org = app.repository.get(market.owner).organisation_id
    buyer_org = app.repository.get(buyer).organisation_id
    terms = DealTerms(kind=DealKind(kind), price=Money(price))
    offer = Offer.make(
        listing_id=uuid4(),
        patent_id=patent_id,
        buyer_organisation_id=buyer_org,
        seller_organisation_id=seller_org,
        terms=DealTerms(DealKind(kind), Money(price * 9 // 10)),
        expires_at=now + timedelta(days=10),
        listed_price=None,
        by=buyer,
    )
    offer.counter(terms, side=Side.SELLER, expires_at=now + timedelta(days=10), now=now, by=market.owner)
    contract = Contract.draft(
        contract_id=contract_id_for_offer(offer.id),
        offer_id=offer.id,
        listing_id=offer.listing_id,
        patent_id=patent_id,
        seller_organisation_id=seller_org,
        buyer_organisation_id=buyer_org,
        terms=terms,
        text=("专利权转让合同", "Patent assignment contract"),
        text_sha256="0" * 64,
        notice_ends_at=None,
        consents_required=[],
        broker_organisation_id=None,
        broker_commission=0,
        by=market.owner,
    )
    obligation = PaymentObligation.fall_due(
        contract_id=contract.id,
        payer_organisation_id=buyer_org,
        payee_organisation_id=seller_org,
        amount=price,
        currency="CNY",
        purpose="upfront",
        due_on=None,
    )
    app.save(offer, contract, obligation)
    obligation.pay(
        gateway="manual",
        provider_payment_id=f"BANK-{contract.id.hex[:8]}",
        amount=price,
        now=now,
        shares=[{"recipient": "seller", "amount": price}],
        by=buyer,
    )
    app.save(obligation)
    return obligation.id


def read(services: Services, fn: Any) -> Any:
    """Run one query of ``ValuationQueries`` on a fresh asyncpg pool."""

    async def run() -> Any:
        a = services.address
        pool = await asyncpg.create_pool(
            host=a.host,
            port=a.port,
            user=a.user,
            password=a.password or None,
            database=a.dbname,
            min_size=1,
            max_size=2,
        )
        try:
            return await fn(ValuationQueries(pool))
        finally:
            await pool.close()

    return asyncio.run(run())


def dump(services: Services) -> dict[str, str]:
    return {t: table_digest(services, t) for t in services.views["valuation"].tables}


@pytest.fixture
def market(services: Services) -> Market:
    clock = ManualClock(START)
    services.app.clock = clock
    return build_market(services.app, clock, patents=3)


def test_field_record_and_calibration_follow_paid_deals_and_rebuild_identically(
    services: Services, market: Market
) -> None:
    app = market.app
    runner = services.make_runner(["accounts", "valuation"])
    buyer = _org_user(app, market.admin, "buy@ningde.test", "宁德电池科技有限公司", "enterprise")
    first, second, third = market.patents
    # 800,000 yuan on the first two patents (depreciated replacement cost); the rival agency assesses too.
    assess(market, patent_id=first)
    withdrawn = assess(market, patent_id=second, low=Decimal(800_000))
    app.valuation.withdraw_assessment(
        vc.WithdrawAssessment(valuation_id=withdrawn, reason="资料不全"), actor_id=market.valuer)
    assess(market, patent_id=second)
    assess(
        market,
        patent_id=first,
        actor=market.rival_agency_valuer,
        inputs={"replacement_cost": "2000000", "years_used": "2", "remaining_years": "8"},
        low=Decimal(1_500_000),
        high=Decimal(1_700_000),
    )
    listing, _ = app.catalogue.draft_listing(
        cc.DraftListing(
            patent_id=third,
            deal_types=["open_licence", "non_exclusive_licence"],
            price_mode="open_licence",
            open_licence=cc.OpenLicenceInput(fee=5_000_000, royalty_rate=3, term_years=5),
            maturity="pilot",
        ),
        actor_id=market.owner,
    )
    app.catalogue.publish_listing(cc.PublishListing(listing_id=listing), actor_id=market.owner)
    runner.catch_up()

    empty: FieldRecord = read(services, lambda q: q.field_record("H01M10/00"))
    assert (empty.ipc, empty.level, empty.patents, empty.prices) == ("H01M 10/00", "group", 3, [])
    assert {a.organisation_name for a in empty.assessments} == {"华信资产评估有限公司", "中瑞评估有限公司"}
    profile: ValuerProfile = read(services, lambda q: q.valuer_profile(market.valuer, date(2026, 3, 2)))
    assert profile.calibration.count == 0
    assert [a.status for a in profile.assessments].count("withdrawn") == 1

    # The market pays 1,000,000 yuan for the first patent and 640,000 yuan for the second.
    paid_deal(market, first, buyer, 100_000_000)
    market.clock.advance(timedelta(days=30))
    paid_deal(market, second, buyer, 64_000_000)
    assess(market, patent_id=third)  # after those deals: no realised price to compare it with
    runner.catch_up()

    group: FieldRecord = read(services, lambda q: q.field_record("H01M 10/0525"))
    [stats] = group.prices
    assert (stats.deal_type, stats.year, stats.count) == ("assignment", 2026, 2)
    assert (stats.median, stats.p25, stats.p75) == (82_000_000, 73_000_000, 91_000_000)
    subclass: FieldRecord = read(services, lambda q: q.field_record("H01M"))
    assert (subclass.level, subclass.prices) == ("subclass", group.prices)
    other: FieldRecord = read(services, lambda q: q.field_record("A21B"))
    assert (other.patents, other.prices, other.assessments) == (0, [], [])

    calibration = read(services, lambda q: q.calibration(market.valuer))
    assert calibration.count == 2
    assert [round(p.ratio, 4) for p in calibration.pairs] == [0.8, 1.25]
    assert round(calibration.median_ratio, 4) == 1.025
    assert round(calibration.bias, 4) == 0.025
    rival = read(services, lambda q: q.calibration(market.rival_agency_valuer))
    assert (rival.count, [round(p.ratio, 4) for p in rival.pairs]) == (1, [1.6])

    record = read(services, lambda q: q.patent_record(first))
    assert [(o.side, o.price) for o in record.offers] == [("buyer", 90_000_000), ("seller", 100_000_000)]
    assert [p.price for p in record.prices] == [100_000_000]
    licences = read(services, lambda q: q.patent_record(third)).open_licences
    assert [(o.fee, o.royalty_rate, o.status) for o in licences] == [(5_000_000, 300, "published")]

    # An exclusive licence elsewhere takes the open licence off the listing: no longer on the record.
    restricted = app.repository.get(listing)
    restricted.restrict_deal_types(["open_licence"], contract_id=uuid4(), by=market.owner)
    app.save(restricted)
    runner.catch_up()
    assert read(services, lambda q: q.patent_record(third)).open_licences == []

    before = dump(services)
    services.views["valuation"].reset()
    services.make_runner(["valuation"]).catch_up()
    assert dump(services) == before
