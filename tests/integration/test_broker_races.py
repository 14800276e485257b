"""Brokers on a real PostgreSQL when clicks and competitors meet (issue 14): two brokers of two mandated agencies
introducing the same buyer at once make one introduction (the other is refused); a broker's double click, and a
seller's double click on a mandate, have one effect."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from domain.market.mandates import introduction_id, mandate_id
from domain.shared.errors import ConflictError
from marketplace.market import commands as mc
from marketplace.platform.database import DatabaseAddress
from marketplace.platform.migrate import migrate
from tests.integration.test_deal_races import race
from tests.unit.broker_helpers import broker_world
from tests.unit.deal_helpers import World


@pytest.fixture
def world(database: DatabaseAddress) -> Iterator[World]:
    migrate(database.conninfo())
    w = broker_world(database.eventsourcing_env())
    w.sign_up("broker2", "厦门第二技术转移中心", "transfer_agency")
    w.app.brokers.accredit_broker(
        mc.AccreditBroker(user_id=w["broker2"], credential_number="XM-2", expires_on=date(2027, 1, 1)),
        actor_id=w["admin"])
    w.app.brokers.give_mandate(mc.GiveMandate(listing_id=w["listing"], agency_id=w["broker2_org"], commission=2.0,
                                              ends_on=date(2025, 12, 31)), actor_id=w["uni"])
    yield w
    w.app.close()


def topics(world: World, aggregate: object) -> list[str]:
    return [e.topic.rsplit(".", 1)[1] for e in world.app.recorder.select_events(aggregate)]  # type: ignore[arg-type]


def introduce(world: World, broker: str) -> object:
    return world.app.brokers.introduce_buyer(
        mc.IntroduceBuyer(listing_id=world["listing"], buyer_organisation_id=world["firm_org"]),
        actor_id=world[broker])


def test_two_brokers_introducing_the_same_buyer_at_once_make_one_introduction(world: World) -> None:
    outcomes = race(world, lambda: introduce(world, "broker"), lambda: introduce(world, "broker2"))
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(refused) == 1
    assert isinstance(refused[0], ConflictError)
    assert refused[0].code == "introduction.exists"
    iid = introduction_id(world["listing"], world["firm_org"])
    assert topics(world, iid) == ["Recorded"]
    winner = world.get(iid)
    assert winner.agency_id in (world["agency_org"], world["broker2_org"])
    # Once the buyer confirms, its offer carries the winner's agency only.
    world.app.brokers.confirm_introduction(mc.ConfirmIntroduction(introduction_id=iid), actor_id=world["firm"])
    assert world.app.brokers.binding_broker(world["listing"], world["firm_org"]) == (
        winner.agency_id, world.get(winner.mandate_id).commission)


def test_a_brokers_double_click_introduces_once(world: World) -> None:
    outcomes = race(world, lambda: introduce(world, "broker"), lambda: introduce(world, "broker"))
    assert not [o for o in outcomes if isinstance(o, Exception)]
    assert topics(world, introduction_id(world["listing"], world["firm_org"])) == ["Recorded"]


def test_a_sellers_double_click_mandates_once(world: World) -> None:
    world.sign_up("third", "泉州第三技术转移中心", "transfer_agency")
    cmd = mc.GiveMandate(listing_id=world["listing"], agency_id=world["third_org"], commission=4.0,
                         ends_on=date(2025, 9, 30))
    outcomes = race(world, lambda: world.app.brokers.give_mandate(cmd, actor_id=world["uni"]),
                    lambda: world.app.brokers.give_mandate(cmd, actor_id=world["uni"]))
    assert not [o for o in outcomes if isinstance(o, Exception)]
    assert topics(world, mandate_id(world["listing"], world["third_org"])) == ["Given"]
