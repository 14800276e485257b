"""The inbox gives the same rows however its events reach it: one event per transaction (as live traffic), in
pages of any size (a catch-up after an import), or rebuilt alone while the other read models stand at the head
of the log. An organisation's notice goes to the members it had at the event: a colleague added after the first
offer is told of the second, not of the first, and keeps the second after the account is deactivated."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import UUID

import pytest

from marketplace.accounts import commands as ac
from marketplace.demo.catalogue import seed_demo
from marketplace.platform.services import Services
from tests.unit.deal_helpers import PASSWORD, World, make_world, offer

VIEW = "notifications"


def snapshot(services: Services) -> dict[str, list[str]]:
    """Every row of the inbox's tables (what it rebuilds from the log), as text, in a stable order."""
    with services.recorder.datastore.transaction(commit=False) as curs:
        out = {}
        for table in services.views[VIEW].tables:
            curs.execute(f"SELECT t::text AS row FROM {table} t ORDER BY 1")  # type: ignore[arg-type]
            out[table] = [r["row"] for r in curs.fetchall()]
    return out


def items(services: Services) -> list[dict[str, Any]]:
    with services.recorder.datastore.transaction(commit=False) as curs:
        curs.execute("SELECT user_id, position, event, link FROM notification_items ORDER BY position, user_id")
        return [dict(r) for r in curs.fetchall()]


def live_paged_and_rebuilt(services: Services) -> dict[str, list[str]]:
    """The rows of every read model applied event by event, as the running system got there; the inbox then
    replayed alone in pages of 1, 7 and the whole log (the other read models at the head) must give them again."""
    for view in services.views.values():
        view.reset()
    services.make_runner(page_size=1).catch_up()
    live = snapshot(services)
    for page_size in (1, 7, 1_000_000):
        services.views[VIEW].reset()
        services.make_runner([VIEW], page_size=page_size).catch_up()
        assert snapshot(services) == live, f"pages of {page_size}"
    # And all read models caught up together in pages, as after an import.
    for view in services.views.values():
        view.reset()
    services.make_runner(page_size=1000).catch_up()
    assert snapshot(services) == live, "every read model in pages of 1000"
    return live


@pytest.fixture
def world(services: Services) -> Iterator[World]:
    w = make_world(services.address.eventsourcing_env())
    yield w
    w.app.close()


def test_a_colleague_added_between_two_offers_is_told_of_the_second_only_live_paged_and_rebuilt(
        services: Services, world: World) -> None:
    first = offer(world, "firm")
    colleague, _ = world.app.accounts.add_member(
        ac.AddMember(email="colleague@example.test", password=PASSWORD, display_name="同事"), actor_id=world["uni"])
    second = offer(world, "rival")
    world.app.accounts.deactivate_user(ac.DeactivateUser(user_id=colleague), actor_id=world["uni"])
    third = offer(world, "firm", price=12_000_000)

    rows = live_paged_and_rebuilt(services)

    told = [(str(i["user_id"]), i["link"]) for i in items(services) if i["event"] == "offer.received"]
    uni, mate = str(world["uni"]), str(colleague)
    assert told == [(uni, f"/offers/{first}"), *sorted([(uni, f"/offers/{second}"), (mate, f"/offers/{second}")]),
                    (uni, f"/offers/{third}")]
    assert any(row.startswith(f"({mate},") for row in rows["notification_members"])


def test_the_demo_history_gives_the_same_inbox_live_paged_and_rebuilt(services: Services) -> None:
    seed_demo(services.app, listings=12)
    rows = live_paged_and_rebuilt(services)
    assert all(rows[t] for t in ("notification_listings", "notification_match_listings", "notification_members"))


def test_a_member_s_notices_do_not_depend_on_the_page_that_holds_the_member_s_sign_up(
        services: Services, world: World) -> None:
    """The members of an organisation are those signed up before the event, wherever the page boundaries fall."""
    offer(world, "firm")
    late, _ = world.app.accounts.add_member(
        ac.AddMember(email="late@example.test", password=PASSWORD, display_name="后来者"), actor_id=world["uni"])
    for view in services.views.values():
        view.reset()
    services.make_runner(page_size=1_000_000).catch_up()  # the offer and the sign-up in one page
    assert [i for i in items(services) if str(i["user_id"]) == str(late)] == []
    assert UUID(str(world["uni"])) in {i["user_id"] for i in items(services)}


def test_a_colleague_who_leaves_comes_back_and_is_erased_is_told_only_while_a_member_live_paged_and_rebuilt(
        services: Services, world: World) -> None:
    """Leaving the organisation is the account's deactivation, coming back its reactivation (there is no other
    way in or out: the member role cannot be revoked); an erased account is told of nothing more."""
    colleague, _ = world.app.accounts.add_member(
        ac.AddMember(email="colleague@example.test", password=PASSWORD, display_name="同事"), actor_id=world["uni"])
    first = offer(world, "firm")
    world.app.accounts.deactivate_user(ac.DeactivateUser(user_id=colleague), actor_id=world["uni"])
    second = offer(world, "rival")
    world.app.accounts.reactivate_user(ac.ReactivateUser(user_id=colleague), actor_id=world["uni"])
    third = offer(world, "firm", price=12_000_000)
    world.app.accounts.erase_user(ac.EraseUser(user_id=colleague), actor_id=world["admin"])
    fourth = offer(world, "rival", price=13_000_000)

    rows = live_paged_and_rebuilt(services)

    mate = str(colleague)

    def told(user: str) -> list[str]:
        return sorted(i["link"] for i in items(services)
                      if i["event"] == "offer.received" and str(i["user_id"]) == user)

    assert told(mate) == sorted([f"/offers/{first}", f"/offers/{third}"])
    assert told(str(world["uni"])) == sorted(f"/offers/{o}" for o in (first, second, third, fourth))
    assert any(row.startswith(f"({mate},") and row.endswith(",f)") for row in rows["notification_members"])
