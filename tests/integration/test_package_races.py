"""Achievement packages on a real PostgreSQL when the deadline worker and the curator meet (issue 14): the
worker publishing the scheduled edition while the curator saves an edit gives one consistent edition — the set
before the edit (the edit then refused, to be made again on the next edition) or after it, never a mix — and
two workers at once publish it once; a double click follows once."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import UUID

import pytest

from domain.market.package import Package, follow_id
from domain.shared.errors import ConflictError
from marketplace.market import package_commands as pk
from marketplace.market.packages import BEIJING
from marketplace.platform.database import DatabaseAddress
from marketplace.platform.migrate import migrate
from tests.integration.test_deal_races import race
from tests.unit.deal_helpers import World, make_world


@pytest.fixture
def world(database: DatabaseAddress) -> Iterator[World]:
    migrate(database.conninfo())
    w = make_world(database.eventsourcing_env())
    w.sign_up("agency", "海峡技术转移中心", "transfer_agency")
    for n in (2, 3, 4):
        w.ids[f"listing{n}"] = w.list_patent("uni", w.register_patent(["uni"], number=f"20201012345{n}"))
    yield w
    w.app.close()


def scheduled(world: World, ids: list[UUID]) -> UUID:
    package, _ = world.app.packages.draft_package(pk.DraftPackage(title_zh="成果包", listing_ids=ids),
                                                  actor_id=world["agency"])
    world.app.packages.schedule_package(pk.SchedulePackage(
        package_id=package, publish_on=world.clock.now().astimezone(BEIJING).date()), actor_id=world["agency"])
    return package


def test_the_worker_publishing_while_the_curator_edits_gives_one_consistent_edition(world: World) -> None:
    before = [world["listing"], world["listing2"]]
    after = [world["listing3"], world["listing4"]]
    seen: set[str] = set()
    for _ in range(6):
        package = scheduled(world, before)
        edit = pk.RevisePackage(package_id=package, title_zh="成果包（修订）", listing_ids=after)
        outcomes = race(world,
                        lambda p=package: world.app.packages.publish_due_package(pk.PublishDuePackage(package_id=p)),
                        lambda e=edit: world.app.packages.revise_package(e, actor_id=world["agency"]))
        published, edited = outcomes
        assert isinstance(published, int), published  # the worker's publication always lands (retried)
        record: Package = world.get(package)
        assert record.edition == 1
        edition = record.editions[0]["listing_ids"]
        if isinstance(edited, ConflictError):  # the worker saved first: the edition is the set before the edit
            assert edition == before
            assert record.listing_ids == before
            seen.add("before")
        else:  # the curator saved first: the worker published the edited set, with its title
            assert isinstance(edited, int), edited
            assert edition == after
            assert record.title_zh == "成果包（修订）"
            seen.add("after")
    assert seen  # whichever order the database gave; each was one consistent edition


def test_two_workers_at_once_publish_one_edition_and_a_double_click_follows_once(world: World) -> None:
    package = scheduled(world, [world["listing"]])
    publish = world.app.packages.publish_due_package
    outcomes = race(world, lambda: publish(pk.PublishDuePackage(package_id=package)),
                    lambda: publish(pk.PublishDuePackage(package_id=package)))
    assert sorted(o is None for o in outcomes) == [False, True]  # one published, the other found nothing due
    assert world.get(package).edition == 1
    follow = world.app.packages.follow_package
    outcomes = race(world, lambda: follow(pk.FollowPackage(package_id=package), actor_id=world["firm"]),
                    lambda: follow(pk.FollowPackage(package_id=package), actor_id=world["firm"]))
    assert not [o for o in outcomes if isinstance(o, Exception)]
    assert len(world.app.recorder.select_events(follow_id(package, world["firm"]))) == 1
