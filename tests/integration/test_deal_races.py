"""Deal commands racing on a real PostgreSQL (issue 9): two commands load the same state and save at
the same moment; the event store lets one through and the other, run again on the state that won, is
refused for the rule it now breaks (or answers what the winner recorded)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any
from uuid import UUID

from domain.shared.errors import ConflictError
from marketplace.catalogue import commands as cc
from marketplace.deals import commands as d
from tests.unit.deal_helpers import World, head, offer


def race(world: World, *commands: Callable[[], Any]) -> list[Any]:
    """Run the commands in threads that all load their state before any of them saves (the first save of
    each thread waits for the others at a barrier); each outcome is its result or the error raised."""
    barrier = threading.Barrier(len(commands))
    real_commit = world.app.commit
    local = threading.local()

    def commit_together(*aggregates: Any, **kwargs: Any) -> int:
        if aggregates and not getattr(local, "waited", False):
            local.waited = True
            barrier.wait(timeout=20)
        return real_commit(*aggregates, **kwargs)

    world.app.commit = commit_together  # type: ignore[method-assign]
    outcomes: list[Any] = [None] * len(commands)

    def run(i: int) -> None:
        try:
            outcomes[i] = commands[i]()
        except Exception as error:
            outcomes[i] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(commands))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    world.app.commit = real_commit  # type: ignore[method-assign]
    return outcomes


def test_of_two_acceptances_at_once_one_reserves_the_patent_and_the_other_is_refused(world: World) -> None:
    first, second = offer(world), offer(world, buyer="rival")
    before = head(world.app)
    def accepting(offer_id: UUID) -> Callable[[], Any]:
        return lambda: world.app.offers.accept_offer(d.AcceptOffer(offer_id=offer_id), actor_id=world["uni"])

    outcomes = race(world, accepting(first), accepting(second))
    won = [o for o in outcomes if isinstance(o, tuple)]
    lost = [o for o in outcomes if isinstance(o, Exception)]
    assert len(won) == 1, outcomes
    assert len(lost) == 1, outcomes
    contract_id = won[0][0]
    assert isinstance(lost[0], ConflictError)
    assert f"reserved by contract {contract_id}" in lost[0].message
    assert world.get(world["patent"]).sale_reservation["contract_id"] == str(contract_id)
    statuses = sorted(world.get(o).status for o in (first, second))
    assert statuses == ["accepted", "open"]
    # Only the winner's save was recorded: offer accepted, contract drafted, patent reserved.
    assert head(world.app) - before == 3


def test_two_open_licence_take_ups_at_once_by_one_buyer_are_one_contract(world: World) -> None:
    patent = world.register_patent(["uni"], number="202110111111")
    listing = world.list_patent(
        "uni", patent, deal_types=["open_licence"], price_mode="open_licence", asking_price=None,
        open_licence=cc.OpenLicenceInput(fee=50_000, term_years=3),
    )
    before = head(world.app)

    def take() -> Any:
        return world.app.contracts.take_up_open_licence(d.TakeOpenLicence(listing_id=listing), actor_id=world["firm"])

    outcomes = race(world, take, take)
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert sorted(o.created for o in outcomes) == [False, True]
    assert len({o.contract_id for o in outcomes}) == 1
    contract_id: UUID = outcomes[0].contract_id
    licences = world.get(patent).licences
    assert list(licences) == [str(contract_id)]
    # one contract (drafted, signed), one licence reserved, one payment obligation
    assert head(world.app) - before == 4
