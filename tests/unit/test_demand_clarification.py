"""Questions on proposals and demands sent back for clarification (issue 13): the enterprise asks a proposer, the
proposer answers, in a thread per proposal; a platform admin sends a vague demand back with a reason, it takes
no proposals (nor awards) until the enterprise edits the problem, current solution, targets and budget and
resubmits it; who may do what, and double submits (on the in-memory recorder)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from domain.shared.errors import ConflictError, PermissionDeniedError, ValidationError
from marketplace.demand import demand_commands as mc
from marketplace.market import commands as market
from tests.unit.broker_helpers import broker_world
from tests.unit.deal_helpers import World, head, make_world

DEADLINE = date(2025, 3, 13)


@pytest.fixture
def world() -> World:
    w = make_world()
    w.sign_up("uni2", "厦门大学", "university")
    return w


def post(world: World) -> object:
    demand, _ = world.app.demands.post(mc.PostDemand(
        title_zh="低温快充", description_zh="寻求方案", problem="充电慢", targets="更快", budget_min=0,
        budget_max=50_000_000, deadline=DEADLINE, wants=["commissioned"]), actor_id=world["firm"])
    return demand


def test_the_enterprise_asks_and_only_the_proposer_answers(world: World) -> None:
    demand = post(world)
    proposal, _ = world.app.demands.submit(mc.SubmitProposal(demand_id=demand, want="commissioned",
                                                             approach="电解液改性", price=30_000_000),
                                           actor_id=world["uni"])
    ask = mc.AskQuestion(demand_id=demand, proposal_id=proposal, text="样品何时可以提供？")
    with pytest.raises(ConflictError) as sealed:  # before the deadline the proposal is sealed: no questions yet
        world.app.demands.ask_proposer(ask, actor_id=world["firm"])
    assert sealed.value.code == "demand.sealed"
    world.clock.advance(timedelta(days=12))
    with pytest.raises(PermissionDeniedError):
        world.app.demands.ask_proposer(ask, actor_id=world["rival"])
    with pytest.raises(ConflictError) as nothing:
        world.app.demands.answer_enterprise(mc.AnswerQuestion(demand_id=demand, proposal_id=proposal, text="两个月"),
                                 actor_id=world["uni"])
    assert nothing.value.code == "demand.no_question"
    world.app.demands.ask_proposer(ask, actor_id=world["firm"])
    before = head(world.app)
    world.app.demands.ask_proposer(ask, actor_id=world["firm"])
    assert head(world.app) == before  # a double submit records nothing
    answer = mc.AnswerQuestion(demand_id=demand, proposal_id=proposal, text="签约后两个月。")
    with pytest.raises(PermissionDeniedError) as other:
        world.app.demands.answer_enterprise(answer, actor_id=world["uni2"])
    assert other.value.code == "demand.not_proposer"
    world.app.demands.answer_enterprise(answer, actor_id=world["uni"])
    assert [(e["kind"], e["text"]) for e in world.get(demand).thread(proposal)] == [
        ("question", "样品何时可以提供？"), ("answer", "签约后两个月。")]


def test_a_demand_sent_back_takes_no_proposals_until_the_enterprise_resubmits_it(world: World) -> None:
    demand = post(world)
    send_back = mc.SendBackDemand(demand_id=demand, reason="目标指标不清楚：请给出温度和时间。")
    with pytest.raises(PermissionDeniedError):
        world.app.demands.send_back(send_back, actor_id=world["firm"])
    world.app.demands.send_back(send_back, actor_id=world["admin"])
    before = head(world.app)
    world.app.demands.send_back(send_back, actor_id=world["admin"])
    assert head(world.app) == before
    propose = mc.SubmitProposal(demand_id=demand, want="commissioned", approach="电解液改性", price=30_000_000)
    with pytest.raises(ConflictError) as refused:
        world.app.demands.submit(propose, actor_id=world["uni"])
    assert refused.value.code == "demand.clarifying"
    resubmit = mc.ResubmitDemand(demand_id=demand, problem="-20°C 下充电慢", current_solution="预热电池",
                                 targets="-20°C 下 30 分钟充至 80%", budget_min=10_000_000, budget_max=50_000_000)
    with pytest.raises(PermissionDeniedError):
        world.app.demands.resubmit(resubmit, actor_id=world["rival"])
    with pytest.raises(ValidationError):
        world.app.demands.resubmit(mc.ResubmitDemand(demand_id=demand, problem="x", targets="y", budget_min=9,
                                                     budget_max=1), actor_id=world["firm"])
    world.app.demands.resubmit(resubmit, actor_id=world["firm"])
    before = head(world.app)
    world.app.demands.resubmit(resubmit, actor_id=world["firm"])
    assert head(world.app) == before  # a double submit: one resubmission
    assert world.get(demand).fields["targets"] == "-20°C 下 30 分钟充至 80%"
    assert world.get(demand).status == "open"
    world.app.demands.submit(propose, actor_id=world["uni"])
    assert len(world.get(demand).proposals) == 1


def test_an_accredited_broker_sends_a_demand_back_and_an_expired_or_unaccredited_one_may_not() -> None:
    world = broker_world()  # 福建海峡技术转移中心's broker, accredited until 2027
    world.sign_up("lapsed", "福州第二技术转移中心", "transfer_agency")
    world.app.brokers.accredit_broker(
        market.AccreditBroker(user_id=world["lapsed"], credential_number="FJ-JJR-2025-009",
                              expires_on=date(2025, 3, 5)), actor_id=world["admin"])
    world.sign_up("plain", "厦门技术转移中心", "transfer_agency")  # an agency's member, never accredited
    demand = post(world)
    world.clock.advance(timedelta(days=3))  # 6 March: the lapsed broker's accreditation ended on the 5th
    send_back = mc.SendBackDemand(demand_id=demand, reason="预算与目标不一致，请补充。")
    with pytest.raises(PermissionDeniedError) as expired:
        world.app.demands.send_back(send_back, actor_id=world["lapsed"])
    assert expired.value.code == "broker.expired"
    for who in ("plain", "uni", "firm"):
        with pytest.raises(PermissionDeniedError) as refused:
            world.app.demands.send_back(send_back, actor_id=world[who])
        assert refused.value.code == "demand.not_reviewer"
    assert world.get(demand).status == "open"
    assert not world.app.demands.may_send_back(world["lapsed"])
    assert world.app.demands.may_send_back(world["broker"])
    world.app.demands.send_back(send_back, actor_id=world["broker"])
    before = head(world.app)
    world.app.demands.send_back(send_back, actor_id=world["broker"])
    assert head(world.app) == before  # a double submit: sent back once
    assert (world.get(demand).status, world.get(demand).clarify_reason) == ("clarifying", "预算与目标不一致，请补充。")
