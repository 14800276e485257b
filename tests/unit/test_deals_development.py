"""Technology development contracts (技术开发合同, issue 13): the award of a commissioned or joint development
proposal drafts one (milestones from the proposal, ownership by the Civil Code's defaults, confidentiality, a
signed SHA-256); both parties sign; the developer delivers, the client accepts, the milestone's payment falls
due and is paid and shared as any other; who may do what (on the in-memory recorder)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest

from domain.deals.contract_text import text_sha256
from domain.deals.development import DevelopmentContract, development_contract_id
from domain.deals.payment import obligation_id
from domain.shared.errors import ContractStateError, PermissionDeniedError
from marketplace.deals import commands as d
from marketplace.demand import demand_commands as mc
from tests.unit.deal_helpers import World, head, make_world, pay_by_webhook, sign_all

DEADLINE = date(2025, 3, 13)


@pytest.fixture
def world() -> World:
    return make_world()


def awarded(world: World, want: str = "commissioned", **more: Any) -> DevelopmentContract:
    demand_id, _ = world.app.demands.post(mc.PostDemand(
        title_zh="动力电池低温快充", description_zh="寻求低温快充方案", problem="零下20度充电慢",
        targets="-20°C 下30分钟充至80%",
        budget_min=100_000_00, budget_max=500_000_00, deadline=DEADLINE, wants=["commissioned", "joint"]),
        actor_id=world["firm"])
    values: dict[str, Any] = {
        "want": want, "approach": "电解液改性与脉冲快充算法", "price": 300_000_00,
        "milestones": [mc.Milestone(title="样品", due=DEADLINE + timedelta(days=60), amount=100_000_00),
                       mc.Milestone(title="中试", due=DEADLINE + timedelta(days=150), amount=150_000_00)], **more}
    proposal_id, _ = world.app.demands.submit(mc.SubmitProposal(demand_id=demand_id, **values),
                                              actor_id=world["uni"])
    world.clock.advance(timedelta(days=30))
    award = world.app.demands.award_proposal(mc.AwardProposal(demand_id=demand_id, proposal_id=proposal_id),
                                             actor_id=world["firm"])
    assert award.contract_id == development_contract_id(demand_id)
    assert award.offer_id is None
    contract = world.get(award.contract_id)
    assert isinstance(contract, DevelopmentContract)
    assert world.get(demand_id).proposals[proposal_id]["contract_id"] == contract.id
    return contract


def test_an_award_drafts_the_development_contract_with_the_proposals_milestones(world: World) -> None:
    contract = awarded(world)
    assert contract.seller_organisation_id == world["uni_org"]  # the developer is paid
    assert contract.buyer_organisation_id == world["firm_org"]  # the client pays
    assert contract.patent_id is None
    assert contract.listing_id is None
    # What the milestones leave of the price (50,000 yuan) is paid on the last one.
    assert [(m["name"], m["amount"], m["due"]) for m in contract.terms["milestones"]] == [
        ("样品", 100_000_00, "2025-05-12"), ("中试", 200_000_00, "2025-08-10")]
    assert contract.terms["ownership"] == "developer"  # 民法典 art. 859
    assert contract.text_sha256 == text_sha256(contract.text_zh, contract.text_en)
    for words in ("技术开发（委托）合同", "研究开发成果的归属", "第八百五十九条", "保密", "样品", "¥200,000.00",
                  "-20°C 下30分钟充至80%"):
        assert words in contract.text_zh
    for words in ("Technology Development Contract (Commissioned)", "Confidentiality", "art. 859"):
        assert words in contract.text_en


def test_a_joint_development_leaves_the_results_to_both(world: World) -> None:
    contract = awarded(world, want="joint", milestones=[])
    assert contract.terms["ownership"] == "joint"
    assert "第八百六十条" in contract.text_zh
    assert "Technology Development Contract (Joint)" in contract.text_en
    assert [m["amount"] for m in contract.terms["milestones"]] == [300_000_00]  # no milestones: one of the price


def test_signed_by_both_it_is_in_force_and_paid_milestone_by_milestone(world: World) -> None:
    contract = awarded(world)
    sign_all(world, contract.id)
    assert world.get(contract.id).status == "in_force"
    assert not world.app.exists(obligation_id(contract.id, "upfront"))  # nothing is paid before the work
    accept = d.ReachMilestone(contract_id=contract.id, name="样品")
    with pytest.raises(ContractStateError) as early:
        world.app.contracts.reach_milestone(accept, actor_id=world["firm"])
    assert early.value.code == "development.not_delivered"
    with pytest.raises(PermissionDeniedError):  # only the developer delivers
        world.app.contracts.deliver_milestone(d.DeliverMilestone(contract_id=contract.id, name="样品"),
                                              actor_id=world["firm"])
    world.app.contracts.deliver_milestone(d.DeliverMilestone(contract_id=contract.id, name="样品", note="样品已寄出"),
                                          actor_id=world["uni"])
    before = head(world.app)
    world.app.contracts.deliver_milestone(d.DeliverMilestone(contract_id=contract.id, name="样品", note="样品已寄出"),
                                          actor_id=world["uni"])
    assert head(world.app) == before  # a double submit records nothing
    with pytest.raises(PermissionDeniedError):  # only the client accepts
        world.app.contracts.reach_milestone(accept, actor_id=world["uni"])
    oid, _ = world.app.contracts.reach_milestone(accept, actor_id=world["firm"])
    again, _ = world.app.contracts.reach_milestone(accept, actor_id=world["firm"])
    assert again == oid
    obligation = world.get(oid)
    assert (obligation.amount, obligation.payer_organisation_id) == (100_000_00, world["firm_org"])
    paid = pay_by_webhook(world, contract.id, purpose="milestone-样品")
    obligation = world.get(paid)
    assert obligation.status == "paid"
    recorded = next(e for e in world.app.repository.event_store.get(paid) if type(e).__name__ == "Paid")
    shares = {s["party"]: s["amount"] for s in recorded.shares}
    assert sum(shares.values()) == 100_000_00
    assert shares["inventor"] > 0  # the developer institution's team gets the inventors' share
    assert world.get(contract.id).milestones_reached == ["样品"]


def test_two_awards_of_one_demand_draft_one_contract(world: World) -> None:
    contract = awarded(world)
    demand_id = uuid.UUID(contract.terms["demand_id"])
    proposal_id = uuid.UUID(contract.terms["proposal_id"])
    before = head(world.app)
    again = world.app.demands.award_proposal(mc.AwardProposal(demand_id=demand_id, proposal_id=proposal_id),
                                             actor_id=world["firm"])
    assert again.contract_id == contract.id
    assert head(world.app) == before


def test_a_development_contract_ends_before_signing_without_touching_a_patent(world: World) -> None:
    contract = awarded(world)
    world.app.contracts.terminate_contract(d.TerminateContract(contract_id=contract.id, reason="预算取消"),
                                           actor_id=world["firm"])
    assert world.get(contract.id).status == "terminated"


def test_a_paid_milestone_is_refunded_and_the_contract_stays_in_force(world: World) -> None:
    contract = awarded(world)
    sign_all(world, contract.id)
    world.app.contracts.deliver_milestone(d.DeliverMilestone(contract_id=contract.id, name="样品"),
                                          actor_id=world["uni"])
    world.app.contracts.reach_milestone(d.ReachMilestone(contract_id=contract.id, name="样品"), actor_id=world["firm"])
    paid = pay_by_webhook(world, contract.id, purpose="milestone-样品")
    world.app.payments.refund_payment(d.RefundPayment(obligation_id=paid, reason="样品不合格，双方协商退款"),
                                      actor_id=world["admin"])
    assert world.get(paid).status == "refunded"
    assert world.get(contract.id).status == "in_force"  # the work goes on: the next milestone can still be paid
