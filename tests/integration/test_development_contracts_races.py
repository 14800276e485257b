"""Technology development contracts on a real PostgreSQL: two awards at once — the same development proposal
clicked twice, or two different proposals of one demand — draft one contract; two acceptances of one delivered
milestone at once raise one payment; the deals read model rebuilds from the log to identical rows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import psycopg
import pytest

from domain.deals.contract_text import text_sha256
from domain.deals.development import DevelopmentContract, development_contract_id
from domain.shared.errors import ConflictError
from marketplace.deals import commands as d
from marketplace.demand import demand_commands as mc
from marketplace.platform.services import Services
from tests.integration.test_deal_races import race
from tests.unit.deal_helpers import World, make_world, sign_all

DEADLINE = date(2025, 3, 10)


@pytest.fixture
def world(services: Services) -> Iterator[World]:
    w = make_world(services.address.eventsourcing_env())
    w.sign_up("uni2", "厦门大学", "university")
    yield w
    w.app.close()


def _demand_with_two_proposals(world: World) -> tuple[UUID, UUID, UUID]:
    demand, _ = world.app.demands.post(mc.PostDemand(
        title_zh="低温快充", description_zh="寻求方案", problem="充电慢", targets="30 分钟 80%",
        budget_min=0, budget_max=50_000_000, deadline=DEADLINE, wants=["commissioned", "joint"]),
        actor_id=world["firm"])
    steps = [mc.Milestone(title="样品", due=DEADLINE + timedelta(days=60), amount=10_000_000),
             mc.Milestone(title="中试", due=DEADLINE + timedelta(days=200), amount=20_000_000)]
    first, _ = world.app.demands.submit(mc.SubmitProposal(demand_id=demand, want="commissioned", approach="电解液改性",
                                                          price=30_000_000, milestones=steps), actor_id=world["uni"])
    second, _ = world.app.demands.submit(mc.SubmitProposal(demand_id=demand, want="joint", approach="联合攻关",
                                                           price=25_000_000), actor_id=world["uni2"])
    world.clock.advance(timedelta(days=10))
    return demand, first, second


def contract_rows(services: Services) -> list[tuple[Any, ...]]:
    with psycopg.connect(services.address.conninfo()) as conn:
        return conn.execute("SELECT * FROM deal_contracts ORDER BY id").fetchall()


def test_two_awards_at_once_draft_one_development_contract(world: World, services: Services) -> None:
    demand, first, _second = _demand_with_two_proposals(world)
    same = mc.AwardProposal(demand_id=demand, proposal_id=first)
    clicked = race(world, *[(lambda: world.app.demands.award_proposal(same, actor_id=world["firm"]))
                            for _ in range(2)])
    assert {outcome.contract_id for outcome in clicked} == {development_contract_id(demand)}, clicked
    contract = world.get(development_contract_id(demand))
    assert isinstance(contract, DevelopmentContract)
    assert contract.seller_organisation_id == world["uni_org"]
    versions = list(world.app.repository.event_store.get(contract.id))
    assert len(versions) == 1  # drafted once

    # Another demand: two different proposals awarded at once — one wins, the other is refused.
    world.clock.set(world.clock.now() - timedelta(days=10))
    other, first_b, second_b = _demand_with_two_proposals(world)
    outcomes = race(world,
                    lambda: world.app.demands.award_proposal(mc.AwardProposal(demand_id=other, proposal_id=first_b),
                                                             actor_id=world["firm"]),
                    lambda: world.app.demands.award_proposal(mc.AwardProposal(demand_id=other, proposal_id=second_b),
                                                             actor_id=world["firm"]))
    won = [o for o in outcomes if not isinstance(o, Exception)]
    lost = [o for o in outcomes if isinstance(o, Exception)]
    assert len(won) == 1, outcomes
    assert len(lost) == 1
    assert isinstance(lost[0], ConflictError)
    assert lost[0].code == "demand.awarded"
    drafted = world.get(development_contract_id(other))
    awarded = [p for p, v in world.get(other).proposals.items() if v["state"] == "awarded"]
    assert UUID(drafted.terms["proposal_id"]) == awarded[0]

    # Both parties sign; the delivered first milestone accepted twice at once raises one payment.
    sign_all(world, contract.id)
    world.app.contracts.deliver_milestone(d.DeliverMilestone(contract_id=contract.id, name="样品"),
                                          actor_id=world["uni"])
    accept = d.ReachMilestone(contract_id=contract.id, name="样品")
    accepted = race(world, *[(lambda: world.app.contracts.reach_milestone(accept, actor_id=world["firm"]))
                             for _ in range(2)])
    assert all(isinstance(o, tuple) for o in accepted), accepted  # the second gets the first's answer
    assert len({o[0] for o in accepted}) == 1, accepted
    assert world.get(contract.id).milestones_reached == ["样品"]

    services.make_runner().catch_up()
    before = contract_rows(services)
    services.views["deals"].reset()
    services.make_runner(["deals"]).catch_up()
    assert contract_rows(services) == before


def test_the_results_agreed_twice_at_once_are_agreed_once_and_a_signature_meets_one_text(
    world: World, services: Services,
) -> None:
    """Both parties agree the same results clauses at once: one ``ResultsAgreed``, both answered. A change and a
    signature at once: either the signature comes first and the change is refused, or the change comes first
    and the signature on the old text is refused — never a signature on a text that is no longer the contract's."""
    demand, first, _second = _demand_with_two_proposals(world)
    world.app.demands.award_proposal(mc.AwardProposal(demand_id=demand, proposal_id=first), actor_id=world["firm"])
    contract_id = development_contract_id(demand)
    agree = d.AgreeDevelopmentResults(contract_id=contract_id, ownership="client", confidential_years=5)
    both = race(world, lambda: world.app.contracts.agree_development_results(agree, actor_id=world["uni"]),
                lambda: world.app.contracts.agree_development_results(agree, actor_id=world["firm"]))
    assert not [o for o in both if isinstance(o, Exception)], both
    topics = [e.topic.rsplit(".", 1)[1] for e in world.app.recorder.select_events(contract_id)]
    assert topics == ["Drafted", "ResultsAgreed"]

    digest = world.get(contract_id).text_sha256
    change = d.AgreeDevelopmentResults(contract_id=contract_id, ownership="joint", confidential_years=5)
    outcomes = race(world, lambda: world.app.contracts.agree_development_results(change, actor_id=world["uni"]),
                    lambda: world.app.contracts.sign_contract(d.SignContract(contract_id=contract_id,
                                                                             text_sha256=digest),
                                                              actor_id=world["firm"]))
    lost = [o for o in outcomes if isinstance(o, Exception)]
    assert len(lost) == 1, outcomes
    contract = world.get(contract_id)
    if isinstance(outcomes[0], Exception):  # the signature won: the change is refused
        assert getattr(lost[0], "code", None) == "development.terms_signed"
        assert (contract.terms["ownership"], contract.text_sha256) == ("client", digest)
        assert list(contract.signatures) == [str(world["firm_org"])]
    else:  # the change won: the signature on the old text is refused
        assert isinstance(lost[0], ConflictError)
        assert contract.terms["ownership"] == "joint"
        assert contract.signatures == {}
    assert contract.text_sha256 == text_sha256(contract.text_zh, contract.text_en)

    services.make_runner().catch_up()
    before = contract_rows(services)
    services.views["deals"].reset()
    services.make_runner(["deals"]).catch_up()
    assert contract_rows(services) == before
