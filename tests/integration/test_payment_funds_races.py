"""A payment's source of funds under concurrency on a real PostgreSQL (issue 12): the buyer's declaration and
the money arriving, or two declarations at once, never leave a declaration recorded after the payment started
or two different declarations; the save that lost the race is refused."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import UUID

import pytest

from domain.deals.payment import PaymentObligation, obligation_id
from domain.shared.errors import ConflictError
from marketplace.deals import commands as dc
from marketplace.platform.database import DatabaseAddress
from marketplace.platform.migrate import migrate
from tests.integration.test_deal_races import race
from tests.unit.deal_helpers import World, accept, make_world, offer, past_notice, sign_all
from tests.unit.test_programme_process import PRICE, sign_up


@pytest.fixture
def world(database: DatabaseAddress) -> Iterator[World]:
    migrate(database.conninfo())
    w = make_world(database.eventsourcing_env())
    sign_up(w, "fafu", "福建农林大学", "university", "福建省福州市")
    sign_up(w, "maker", "厦门海沧精密制造有限公司", "enterprise", "福建省厦门市")
    yield w
    w.app.close()


def signed_sale(world: World, n: int) -> UUID:
    patent = world.register_patent(["fafu"], number=f"20221066{n:04d}")
    listing = world.list_patent("fafu", patent, asking_price=PRICE)
    contract = accept(world, offer(world, buyer="maker", price=PRICE, listing_id=listing), by="fafu")
    past_notice(world)
    sign_all(world, contract, "fafu", "maker")
    return contract


def topics(world: World, aggregate_id: UUID) -> list[str]:
    return [s.topic.rsplit(".", 1)[1] for s in world.app.recorder.select_events(aggregate_id)]


def test_two_declarations_at_once_record_one(world: World) -> None:
    contract = signed_sale(world, 1)

    def start(source: str) -> object:
        return world.app.payments.start_payment(dc.StartPayment(contract_id=contract, gateway="manual",
                                                                funds_source=source), actor_id=world["maker"])

    outcomes = race(world, lambda: start("fiscal_programme"), lambda: start("government_procurement"))
    refused = [o for o in outcomes if isinstance(o, ConflictError)]
    assert len(refused) == 1, outcomes
    due = obligation_id(contract, "upfront")
    assert topics(world, due).count("FundsDeclared") == 1
    assert topics(world, due).count("PaymentStarted") == 1
    obligation: PaymentObligation = world.get(due)
    winner = "government_procurement" if outcomes[0] is refused[0] else "fiscal_programme"
    assert obligation.funds_source == winner


def test_a_declaration_racing_the_money_never_follows_it(world: World) -> None:
    contract = signed_sale(world, 2)
    due = obligation_id(contract, "upfront")
    outcomes = race(
        world,
        lambda: world.app.payments.start_payment(dc.StartPayment(
            contract_id=contract, gateway="manual", funds_source="fiscal_programme"), actor_id=world["maker"]),
        lambda: world.app.payments.record_manual_receipt(dc.RecordManualReceipt(
            obligation_id=due, amount=PRICE, bank_reference="B-RACE-1"), actor_id=world["admin"]),
    )
    assert sum(isinstance(o, ConflictError) for o in outcomes) == 1, outcomes
    recorded = topics(world, due)
    obligation: PaymentObligation = world.get(due)
    if isinstance(outcomes[1], ConflictError):  # the receipt lost: the declaration stands, the money is still due
        assert "FundsDeclared" in recorded
        assert "Paid" not in recorded
        assert (obligation.status, obligation.funds_source) == ("pending", "fiscal_programme")
    else:  # the declaration lost: paid as own funds, and no declaration recorded after the money
        assert "Paid" in recorded
        assert "FundsDeclared" not in recorded
        assert (obligation.status, obligation.funds_source) == ("paid", "own")
