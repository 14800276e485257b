"""Technology-contract registration on a real PostgreSQL when clicks and colleagues meet (issue 14): a record
prepared twice at once is one record; a number recorded twice at once is recorded once; two contracts
recording one number at once: one holds it, the other is refused."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import UUID

import pytest

from domain.market.registration import registration_id
from domain.shared.errors import ConflictError
from marketplace.accounts import commands as ac
from marketplace.market import commands as mc
from marketplace.platform.database import DatabaseAddress
from marketplace.platform.migrate import migrate
from tests.integration.test_deal_races import race
from tests.unit.deal_helpers import PASSWORD, World, accept, licence_scope, make_world, offer, past_notice, sign_all
from tests.unit.tech_registration_helpers import NUMBER, completed


@pytest.fixture
def world(database: DatabaseAddress) -> Iterator[World]:
    migrate(database.conninfo())
    w = make_world(database.eventsourcing_env())
    w.ids["colleague"], _ = w.app.accounts.add_member(
        ac.AddMember(email="colleague@example.test", password=PASSWORD, display_name="同事"), actor_id=w["uni"])
    yield w
    w.app.close()


def signed_licence(world: World) -> UUID:
    contract = accept(world, offer(world, kind="non_exclusive_licence", scope=licence_scope()))
    past_notice(world)
    sign_all(world, contract)
    return contract


def command(world: World, contract: UUID, **changes: object) -> mc.PrepareRegistration:
    return completed(contract, world.app.tech_registrations.prefill(contract, actor_id=world["uni"]), **changes)


def events(world: World, contract: UUID) -> list[str]:
    return [e.topic.rsplit(".", 1)[1] for e in world.app.recorder.select_events(registration_id(contract))]


def test_a_double_click_prepares_one_record_and_colleagues_at_once_make_one_revision(world: World) -> None:
    contract = signed_licence(world)
    same = command(world, contract)
    prepare = world.app.tech_registrations.prepare_registration
    outcomes = race(world, lambda: prepare(same, actor_id=world["uni"]), lambda: prepare(same, actor_id=world["uni"]))
    assert not [o for o in outcomes if isinstance(o, Exception)]
    assert events(world, contract) == ["Prepared"]

    other = signed_licence(world)
    mine, theirs = command(world, other, expected_output=1), command(world, other, expected_output=2)
    outcomes = race(world, lambda: prepare(mine, actor_id=world["uni"]),
                    lambda: prepare(theirs, actor_id=world["colleague"]))
    assert not [o for o in outcomes if isinstance(o, Exception)]
    assert events(world, other) == ["Prepared", "Revised"]  # the later save applied on the earlier one


def test_a_number_recorded_twice_at_once_is_recorded_once_and_held_by_one_contract(world: World) -> None:
    first, second = signed_licence(world), signed_licence(world)
    for contract in (first, second):
        world.app.tech_registrations.prepare_registration(command(world, contract), actor_id=world["uni"])
    record = world.app.tech_registrations.record_registration_number

    def number(contract: UUID) -> object:
        return record(mc.RecordRegistrationNumber(contract_id=contract, number=NUMBER), actor_id=world["uni"])

    outcomes = race(world, lambda: number(first), lambda: number(first))
    assert not [o for o in outcomes if isinstance(o, Exception)]
    assert events(world, first) == ["Prepared", "NumberRecorded"]

    third = signed_licence(world)
    world.app.tech_registrations.prepare_registration(command(world, third), actor_id=world["uni"])
    other = "2026350100000999"
    outcomes = race(world, lambda: record(mc.RecordRegistrationNumber(contract_id=second, number=other),
                                          actor_id=world["uni"]),
                    lambda: record(mc.RecordRegistrationNumber(contract_id=third, number=other), actor_id=world["uni"]))
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(refused) == 1
    assert isinstance(refused[0], ConflictError)
    assert refused[0].code == "tech_registration.number_taken"
    held = [c for c in (second, third) if world.app.tech_registrations.number_of(c) == other]
    assert len(held) == 1
