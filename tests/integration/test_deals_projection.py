"""The deals read model on a real PostgreSQL: it follows offers, contracts and payments; a rebuild
yields identical rows; the deadline worker expires an offer at its deadline (not before)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from domain.deals.payment import obligation_id
from marketplace.deals import commands as d
from marketplace.platform.clock import ManualClock
from marketplace.platform.deadlines import DeadlineWorker
from marketplace.platform.services import Services
from tests.integration.test_projections import rows, table_digest
from tests.unit.deal_helpers import (
    START,
    ProviderDouble,
    World,
    accept,
    licence_scope,
    offer,
    past_notice,
    pay_by_webhook,
    sign_all,
)


def world_on(services: Services) -> World:
    """The unit tests' small market (a university, two enterprises, a listed patent) on PostgreSQL."""
    clock = ManualClock(START)
    app = services.app
    app.clock = clock
    stripe, manual = ProviderDouble("stripe"), ProviderDouble("manual")
    app.payments.gateways = {"stripe": stripe, "manual": manual}  # the shared services' app, set for this test
    world = World(app, clock, stripe, manual)
    world.ids["admin"] = app.accounts.bootstrap_platform_admin(
        email="ops@platform.test", password="a-long-password", display_name="Ops", organisation_name="Platform Ops"
    )
    world.sign_up("uni", "福州大学", "university")
    world.sign_up("firm", "厦门智造装备有限公司", "enterprise")
    world.sign_up("rival", "泉州新材料有限公司", "enterprise")
    world.ids["patent"] = world.register_patent(["uni"])
    world.ids["listing"] = world.list_patent("uni", world["patent"])
    return world


def test_deals_view_follows_the_deal_and_rebuilds_identical_rows(services: Services) -> None:
    w = world_on(services)
    # A negotiated licence: offer, counter, accept, objection dismissed, signatures, payment, royalties.
    licence = offer(w, kind="exclusive_licence", price=5_000_000, royalty_rate=3.0, minimum_annual_royalty=100_000)
    w.app.offers.counter_offer(
        d.CounterOffer(
            offer_id=licence,
            kind="exclusive_licence",
            price=6_000_000,
            scope=licence_scope(),
            royalty_rate=4.0,
            minimum_annual_royalty=100_000,
        ),
        actor_id=w["uni"],
    )
    contract = accept(w, licence, by="firm")
    objection, _ = w.app.contracts.file_objection(
        d.FileObjection(contract_id=contract, text="成交价格明显偏低"), actor_id=w["rival"]
    )
    w.app.contracts.decide_objection(
        d.DecideObjection(contract_id=contract, objection_id=objection, upheld=False, reason="已评估"),
        actor_id=w["uni"],
    )
    past_notice(w)
    sign_all(w, contract)
    pay_by_webhook(w, contract)
    w.app.contracts.file_royalty_report(
        d.FileRoyaltyReport(
            contract_id=contract, period_start=date(2025, 4, 1), period_end=date(2025, 6, 30), net_sales=10_000_000
        ),
        actor_id=w["firm"],
    )
    # A second offer, rejected.
    rejected = offer(w, buyer="rival", kind="assignment", price=1_000_000)
    w.app.offers.reject_offer(d.RejectOffer(offer_id=rejected, reason="太低"), actor_id=w["uni"])

    services.make_runner().catch_up()
    offers = {
        r[0]: r[1:] for r in rows(services, "SELECT id, status, rounds, awaiting, price_amount FROM deal_offers")
    }
    assert offers[licence] == ("accepted", 2, None, 6_000_000)
    assert offers[rejected] == ("rejected", 1, None, 1_000_000)
    k = rows(
        services, "SELECT status, objections_open, kind, price_amount FROM deal_contracts WHERE id = %s", contract
    )[0]
    assert k == ("in_force", 0, "exclusive_licence", 6_000_000)
    assert rows(services, "SELECT status FROM deal_objections") == [("dismissed",)]
    shares = rows(services, "SELECT recipient, name, amount FROM deal_benefit_shares ORDER BY seq")
    assert sum(s[2] for s in shares if isinstance(s[2], int)) == 6_000_000
    assert {s[1] for s in shares if s[0] == "inventor"} == {"张三", "李四"}
    assert rows(services, "SELECT royalty FROM deal_royalty_reports") == [(400_000,)]

    tables = services.views["deals"].tables
    before = {name: table_digest(services, name) for name in tables}
    services.views["deals"].reset()
    services.make_runner(["deals"], page_size=3).catch_up()  # small pages: rows must not depend on paging
    assert {name: table_digest(services, name) for name in tables} == before


def test_the_deadline_worker_expires_an_offer_at_its_deadline(services: Services) -> None:
    w = world_on(services)
    short = offer(w, price=9_000_000, valid_days=2)
    later = offer(w, buyer="rival", price=9_500_000, valid_days=5)
    runner = services.make_runner()
    runner.catch_up()
    worker = DeadlineWorker(services)

    w.clock.advance(timedelta(days=2) - timedelta(seconds=1))
    assert worker.run_once().expired == []

    w.clock.advance(timedelta(seconds=1))
    report = worker.run_once()
    assert report.expired == [short]
    runner.catch_up()
    statuses = {r[0]: r[1] for r in rows(services, "SELECT id, status FROM deal_offers")}
    assert statuses == {short: "expired", later: "open"}
    thread = rows(
        services, "SELECT event_type FROM deal_offer_events WHERE offer_id = %s ORDER BY version", short
    )
    assert thread == [("Made",), ("Expired",)]
    # Once expired, the offer is no longer the worker's business; the other expires in its turn.
    assert worker.run_once().expired == []
    w.clock.advance(timedelta(days=3))
    assert worker.run_once().expired == [later]


def test_the_deadline_worker_raises_an_instalment_when_it_falls_due(services: Services) -> None:
    """The worker finds contracts with a dated instalment due in the read model and raises its
    obligation once, on the due date, not before."""
    w = world_on(services)
    due = START.date() + timedelta(days=60)
    instalments = [d.InstalmentInput(amount=4_000_000), d.InstalmentInput(amount=6_000_000, due=due)]
    contract_id = accept(w, offer(w, instalments=instalments))
    sign_all(w, contract_id)
    pay_by_webhook(w, contract_id)
    runner = services.make_runner()
    runner.catch_up()
    worker = DeadlineWorker(services)
    second = obligation_id(contract_id, "instalment-2")

    w.clock.advance(timedelta(days=59))
    assert worker.run_once().last_position == 0
    assert not services.app.exists(second)
    w.clock.advance(timedelta(days=1))
    assert worker.run_once().last_position > 0
    assert w.get(second).amount == 6_000_000
    runner.catch_up()
    assert rows(services, "SELECT purpose, status FROM deal_obligations WHERE contract_id = %s ORDER BY purpose",
                contract_id) == [("instalment-2", "due"), ("upfront", "paid")]
    assert worker.run_once().last_position == 0  # raised once only


def test_the_deadline_worker_raises_an_instalment_from_midnight_beijing_time_on_its_due_day(
    services: Services,
) -> None:
    """An instalment due on 6 December 2026 is due from 00:00 that day in Beijing (16:00 UTC on the 5th)."""
    w = world_on(services)
    due = date(2026, 12, 6)
    instalments = [d.InstalmentInput(amount=4_000_000), d.InstalmentInput(amount=6_000_000, due=due)]
    contract_id = accept(w, offer(w, instalments=instalments))
    sign_all(w, contract_id)
    pay_by_webhook(w, contract_id)
    services.make_runner().catch_up()
    worker = DeadlineWorker(services)
    second = obligation_id(contract_id, "instalment-2")

    w.clock.set(datetime(2026, 12, 5, 15, 59, tzinfo=UTC))  # 23:59 on the 5th in Beijing: not yet
    worker.run_once()
    assert not services.app.exists(second)
    w.clock.set(datetime.fromisoformat("2026-12-06T00:21+08:00").astimezone(UTC))  # the clock tells UTC: the 5th
    assert worker.run_once().last_position > 0
    assert (w.get(second).amount, w.get(second).due_on) == (6_000_000, "2026-12-06")


async def test_a_royalty_report_is_awaited_and_overdue_from_midnight_beijing_time(services: Services) -> None:
    """A licence year ending 31 March 2026 awaits its report from 00:00 on 1 April in Beijing (16:00 UTC on
    31 March); the report due on 30 April is overdue from 00:00 on 1 May in Beijing."""
    from projections.deals.queries import DealsQueries
    from web.state import create_pool

    w = world_on(services)
    licence = offer(w, kind="non_exclusive_licence", price=100_000, scope=licence_scope(start=date(2025, 4, 1)),
                    royalty_rate=5.0)
    contract_id = accept(w, licence)
    past_notice(w)
    sign_all(w, contract_id)
    pay_by_webhook(w, contract_id)
    services.make_runner().catch_up()
    pool = await create_pool(services)
    try:
        queries = DealsQueries(pool)

        async def awaited(at: datetime) -> list[tuple[date, date, str]]:
            return [(r.period_end, r.due_on, r.status) for r in await queries.royalty_reports_due(w["firm_org"], at)]

        assert await awaited(datetime(2026, 3, 31, 15, 59, tzinfo=UTC)) == []  # 23:59 on 31 March in Beijing
        assert await awaited(datetime(2026, 3, 31, 16, 30, tzinfo=UTC)) == [
            (date(2026, 3, 31), date(2026, 4, 30), "due")]
        assert await awaited(datetime(2026, 4, 30, 15, 59, tzinfo=UTC)) == [
            (date(2026, 3, 31), date(2026, 4, 30), "due")]
        assert await awaited(datetime(2026, 4, 30, 16, 30, tzinfo=UTC)) == [
            (date(2026, 3, 31), date(2026, 4, 30), "overdue")]
    finally:
        await pool.close()


def test_a_deadline_pass_after_a_crash_of_the_database_server_is_not_refused_for_an_earlier_read(
    services: Services,
) -> None:
    """A worker thread's earlier reads (a command refused, nothing saved) were made before the crash; the next
    deadline pass reads afresh and expires what is due (a save is refused only for a crash after its own command's
    first read)."""
    w = world_on(services)
    due = offer(w, price=9_000_000, valid_days=2)
    services.make_runner().catch_up()
    worker = DeadlineWorker(services)
    services.app.repository.get(due)  # read in this thread, not saved after
    restarts = services.app.recorder.restarts  # type: ignore[attr-defined]
    assert restarts.seen(uuid.uuid4())  # a new connection found the server crashed since
    w.clock.advance(timedelta(days=2))
    assert worker.run_once().expired == [due]
