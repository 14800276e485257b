"""Technology demands on a real PostgreSQL: two clicks on "submit" at once record one proposal, two proposals
of different universities at once are both kept, two clicks on "award" at once make one offer; the demands
read model rebuilds from the log to identical rows, and every event is summarised for the auditor without the
sealed content; the platform and a broker sending one demand back at once record one send-back."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import psycopg
import pytest

from domain.accounts.organisation import OrganisationKind
from domain.shared.errors import ConflictError
from marketplace.demand import demand_commands as mc
from marketplace.market.commands import AccreditBroker
from marketplace.platform.services import Services
from projections.audit.log import SUMMARIES
from tests.integration.test_deal_races import race
from tests.unit.deal_helpers import World, make_world

TABLES = ("demand_demands", "demand_proposals")
DEADLINE = date(2025, 3, 10)


@pytest.fixture
def world(services: Services) -> Iterator[World]:
    w = make_world(services.address.eventsourcing_env())
    w.sign_up("uni2", "厦门大学", "university")
    yield w
    w.app.close()


def rows(services: Services) -> dict[str, list[tuple[Any, ...]]]:
    with psycopg.connect(services.address.conninfo()) as conn:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in TABLES}


def _post(world: World) -> Any:
    demand, _ = world.app.demands.post(mc.PostDemand(
        title_zh="低温快充", description_zh="寻求方案", problem="充电慢", targets="30 分钟 80%",
        ipc_codes=[], budget_min=0, budget_max=50_000_000, deadline=DEADLINE, wants=["licence", "joint"]),
        actor_id=world["firm"])
    return demand


def test_one_proposal_of_two_clicks_both_universities_kept_and_one_offer_of_two_awards(
    world: World, services: Services,
) -> None:
    demand = _post(world)
    licence = mc.SubmitProposal(demand_id=demand, want="licence", approach="电解液改性——绝密配方",
                                listing_ids=[world["listing"]], price=30_000_000)
    joint = mc.SubmitProposal(demand_id=demand, want="joint", approach="联合攻关", price=20_000_000)
    submitted = race(world,
                     lambda: world.app.demands.submit(licence, actor_id=world["uni"]),
                     lambda: world.app.demands.submit(licence, actor_id=world["uni"]),
                     lambda: world.app.demands.submit(joint, actor_id=world["uni2"]))
    ids = {outcome[0] for outcome in submitted if isinstance(outcome, tuple)}
    assert len(ids) == 2, submitted
    assert len(world.get(demand).proposals) == 2
    world.clock.advance(timedelta(days=10))
    (first,) = [p for p, v in world.get(demand).proposals.items() if v["organisation_id"] == world["uni_org"]]
    award = mc.AwardProposal(demand_id=demand, proposal_id=first)
    awarded = race(world, *[(lambda: world.app.demands.award(award, actor_id=world["firm"])) for _ in range(2)])
    offers = {outcome[0] for outcome in awarded if isinstance(outcome, tuple)}
    assert len(offers) == 1, awarded
    assert None not in offers

    services.make_runner().catch_up()
    before = rows(services)
    assert len(before["demand_proposals"]) == 2
    services.views["demands"].reset()
    services.make_runner(["demands"]).catch_up()
    assert rows(services) == before
    with psycopg.connect(services.address.conninfo()) as conn:
        found = conn.execute("SELECT event_type, summary FROM audit_log_events WHERE aggregate_type = 'Demand'"
                             " ORDER BY position").fetchall()
    kinds = {event_type for event_type, _ in found}
    assert kinds == {"Demand.Posted", "Demand.ProposalSubmitted", "Demand.ProposalAwarded", "Demand.OfferMade"}
    assert kinds <= set(SUMMARIES)
    assert all("绝密配方" not in summary for _, summary in found)  # the sealed content stays out of the summary


def _reviewers(world: World) -> tuple[Any, Any]:
    """The platform admin and an accredited technology broker of a transfer agency (valid until 2028)."""
    world.sign_up("broker", "福建省技术转移中心", OrganisationKind.TRANSFER_AGENCY.value)
    world.app.brokers.accredit_broker(AccreditBroker(user_id=world["broker"], credential_number="FJ-TT-0042",
                                                     expires_on=date(2028, 1, 1)), actor_id=world["admin"])
    return world["admin"], world["broker"]


def _sent_back(world: World, demand: Any) -> list[tuple[str, str]]:
    """Each send-back recorded on the demand: (reason, who)."""
    events = world.app.repository.event_store.get(demand)
    return [(e.reason, str(e.by)) for e in events if type(e).__name__ == "SentBackForClarification"]


def test_the_platform_and_a_broker_sending_a_demand_back_at_once_record_one_send_back(world: World) -> None:
    admin, broker = _reviewers(world)
    # The same reason at the same moment: one send-back; the other click is answered with it, not refused.
    demand = _post(world)
    same = mc.SendBackDemand(demand_id=demand, reason="请写明目标指标：充电倍率与循环寿命")
    outcomes = race(world, lambda: world.app.demands.send_back(same, actor_id=admin),
                    lambda: world.app.demands.send_back(same, actor_id=broker))
    assert all(isinstance(o, int) for o in outcomes), outcomes
    [(reason, by)] = _sent_back(world, demand)
    assert reason == same.reason
    assert by in {str(admin), str(broker)}
    assert world.get(demand).status == "clarifying"

    # Two different reasons at the same moment: one is recorded, the other refused because the demand awaits
    # the enterprise's clarification already.
    other = _post(world)
    first = mc.SendBackDemand(demand_id=other, reason="预算范围过宽")
    second = mc.SendBackDemand(demand_id=other, reason="缺少现有方案说明")
    outcomes = race(world, lambda: world.app.demands.send_back(first, actor_id=admin),
                    lambda: world.app.demands.send_back(second, actor_id=broker))
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert [(type(e), e.code) for e in refused] == [(ConflictError, "demand.clarifying")], outcomes
    [(reason, by)] = _sent_back(world, other)
    winner = 1 if outcomes[0] is refused[0] else 0
    assert (reason, by) == ([first, second][winner].reason, str([admin, broker][winner]))
