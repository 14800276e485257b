"""Technology demands and sealed proposals (issue 13): an enterprise posts, institutions propose once each
(the proposal's SHA-256 recorded with it), the enterprise decides only after the deadline, awards one (a
licence/purchase award makes the usual offer on the listing) and gives every other a reason; who may do what
(on the in-memory recorder)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest

from domain.deals.development import DevelopmentContract, development_contract_id
from domain.deals.offer import Offer
from domain.demand.demand import Demand, check_demand, demand_proposal_id, proposal_digest
from domain.shared.errors import ConflictError, PermissionDeniedError, ValidationError
from marketplace.demand import demand_commands as mc
from tests.unit.deal_helpers import World, head, make_world

TODAY = date(2025, 3, 3)
DEADLINE = TODAY + timedelta(days=10)


@pytest.fixture
def world() -> World:
    w = make_world()
    w.sign_up("uni2", "厦门大学", "university")
    return w


def post(world: World, who: str = "firm", **more: Any) -> uuid.UUID:
    values: dict[str, Any] = {
        "title_zh": "动力电池低温快充", "description_zh": "寻求低温快充方案", "problem": "零下20度充电慢",
        "targets": "-20°C 下30分钟充至80%",
        "budget_min": 100_000_00, "budget_max": 500_000_00, "deadline": DEADLINE,
        "wants": ["licence", "commissioned"], "keywords": ["快充", "低温"], **more}
    demand_id, _ = world.app.demands.post(mc.PostDemand(**values), actor_id=world[who])
    return demand_id


def propose(world: World, demand_id: uuid.UUID, who: str = "uni", **more: Any) -> uuid.UUID:
    values: dict[str, Any] = {"want": "licence", "approach": "电解液改性", "team": "电化学团队",
                              "listing_ids": [world["listing"]], "price": 300_000_00,
                              "milestones": [mc.Milestone(title="样品", due=DEADLINE + timedelta(days=60),
                                                          amount=100_000_00)], **more}
    proposal_id, _ = world.app.demands.submit(mc.SubmitProposal(demand_id=demand_id, **values),
                                              actor_id=world[who])
    return proposal_id


def test_a_sealed_proposal_is_recorded_with_its_hash_and_decided_only_after_the_deadline(world: World) -> None:
    demand_id = post(world)
    first = propose(world, demand_id)
    second = propose(world, demand_id, "uni2", want="commissioned", listing_ids=[], price=200_000_00)
    assert first == demand_proposal_id(demand_id, world["uni_org"])
    demand: Demand = world.get(demand_id)
    content = demand.proposals[first]["content"]
    assert demand.proposals[first]["sha256"] == proposal_digest(demand_id, world["uni_org"], content)
    assert isinstance(demand.proposals[first]["by"], uuid.UUID)
    before = head(world.app)
    assert propose(world, demand_id) == first  # a double submit: one effect
    assert head(world.app) == before
    with pytest.raises(ConflictError) as other:
        propose(world, demand_id, approach="另一方案")
    assert other.value.code == "demand.proposed_already"
    with pytest.raises(ConflictError) as sealed:
        world.app.demands.award(mc.AwardProposal(demand_id=demand_id, proposal_id=first), actor_id=world["firm"])
    assert sealed.value.code == "demand.sealed"

    world.clock.advance(timedelta(days=11))
    world.sign_up("uni3", "华侨大学", "university")
    with pytest.raises(ConflictError) as late:
        propose(world, demand_id, "uni3", want="commissioned", listing_ids=[])
    assert late.value.code == "demand.closed"
    with pytest.raises(PermissionDeniedError) as stranger:
        world.app.demands.award(mc.AwardProposal(demand_id=demand_id, proposal_id=first), actor_id=world["rival"])
    assert stranger.value.code == "demand.not_owner"
    world.app.demands.shortlist(mc.ShortlistProposal(demand_id=demand_id, proposal_id=first), actor_id=world["firm"])
    offer_id, _ = world.app.demands.award(mc.AwardProposal(demand_id=demand_id, proposal_id=first),
                                          actor_id=world["firm"])
    assert offer_id is not None
    offer: Offer = world.get(offer_id)
    assert offer.listing_id == world["listing"]
    assert offer.buyer_organisation_id == world["firm_org"]
    again, _ = world.app.demands.award(mc.AwardProposal(demand_id=demand_id, proposal_id=first),
                                       actor_id=world["firm"])
    assert again == offer_id  # a double submit: one offer
    with pytest.raises(ConflictError) as twice:
        world.app.demands.award(mc.AwardProposal(demand_id=demand_id, proposal_id=second), actor_id=world["firm"])
    assert twice.value.code == "demand.awarded"
    with pytest.raises(ValidationError):
        world.app.demands.decline(mc.DeclineProposal(demand_id=demand_id, proposal_id=second, reason="other"),
                                  actor_id=world["firm"])  # "other" needs words
    world.app.demands.decline(mc.DeclineProposal(demand_id=demand_id, proposal_id=second, reason="price",
                                                 text="超出预算"), actor_id=world["firm"])
    assert world.get(demand_id).proposals[second]["state"] == "declined"


def test_who_may_post_and_propose(world: World) -> None:
    world.sign_up("shady", "未审核有限公司", "enterprise", verify=False)
    before = head(world.app)
    with pytest.raises(PermissionDeniedError) as uni:
        post(world, "uni")
    assert uni.value.code == "demand.enterprise_only"
    with pytest.raises(PermissionDeniedError):
        post(world, "shady")
    assert head(world.app) == before
    demand_id = post(world)
    with pytest.raises(PermissionDeniedError) as firm:
        propose(world, demand_id, "rival", listing_ids=[], want="commissioned")
    assert firm.value.code == "demand.institution_only"
    with pytest.raises(PermissionDeniedError) as foreign:
        propose(world, demand_id, "uni2")  # uni's listing is not uni2's
    assert foreign.value.code == "demand.listing_not_yours"
    with pytest.raises(ValidationError) as unasked:
        propose(world, demand_id, want="purchase")
    assert unasked.value.code == "demand.want_not_asked"


def test_a_demand_is_checked_before_anything_is_recorded() -> None:
    base: dict[str, Any] = {"title_zh": "题", "title_en": "", "description_zh": "描述", "description_en": "",
                            "problem": "问题", "current_solution": "", "targets": "指标", "keywords": [],
                            "budget_min": 0, "budget_max": 10, "deadline": DEADLINE, "today": TODAY,
                            "wants": ["joint"], "visibility": "public"}
    assert check_demand(**base)["wants"] == ["joint"]
    for change, code in (({"budget_min": 11}, "demand.budget_range"), ({"deadline": TODAY}, "demand.deadline"),
                         ({"title_zh": " "}, "demand.title_missing"), ({"wants": []}, "required"),
                         ({"visibility": "secret"}, "choice"), ({"budget_max": 10**16}, "demand.money")):
        with pytest.raises(ValidationError) as refused:
            check_demand(**{**base, **change})
        assert refused.value.code == code


def test_a_demand_key_cannot_take_the_id_of_a_rivals_development_contract(world: World) -> None:
    """``demand_id`` is an idempotency key: posting with another record's (derived) id as key takes nothing."""
    victim = post(world)
    contract_id = development_contract_id(victim)
    squatted = post(world, "rival", demand_id=contract_id)
    assert squatted != contract_id
    assert not world.app.exists(contract_id)
    proposal_id = propose(world, victim, want="commissioned", listing_ids=[], price=200_000_00)
    world.clock.advance(timedelta(days=11))
    award = world.app.demands.award_proposal(mc.AwardProposal(demand_id=victim, proposal_id=proposal_id),
                                             actor_id=world["firm"])
    assert award.contract_id == contract_id
    assert isinstance(world.get(contract_id), DevelopmentContract)


def test_a_double_posted_demand_is_one_demand_and_keys_are_each_users_own(world: World) -> None:
    key = uuid.UUID("3c9a7e51-2b4d-4f60-8a1e-6d7c8b9a0f12")
    first = post(world, demand_id=key)
    before = world.app.recorder.max_notification_id()
    assert post(world, demand_id=key) == first  # sent again: the first answers, nothing recorded
    assert world.app.recorder.max_notification_id() == before
    with pytest.raises(ConflictError) as other:
        post(world, demand_id=key, problem="另一个问题")
    assert other.value.code == "demand.id_taken"
    theirs = post(world, "rival", demand_id=key)
    assert theirs not in (first, key)
    assert world.get(theirs).organisation_id == world["rival_org"]
