"""Achievement packages (科技成果包): a transfer agency curates, schedules, the day publishes the edition; a new
edition records what changed; published editions stay; only the curator organisation edits; followers
(on the in-memory recorder)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest

from domain.market.package import Package, PackageFollow, changes, follow_id
from domain.shared.errors import ConflictError, PermissionDeniedError, ValidationError
from marketplace.catalogue import commands as cc
from marketplace.market import package_commands as pk
from marketplace.market.packages import BEIJING
from tests.unit.deal_helpers import World, make_world


@pytest.fixture
def world() -> World:
    w = make_world()
    w.sign_up("agency", "海峡技术转移中心", "transfer_agency")
    w.sign_up("agency2", "福建省技术交易所", "transfer_agency")
    w.sign_up("idle", "未审核技术转移中心", "transfer_agency", verify=False)
    w.ids["patent2"] = w.register_patent(["uni"], number="202010123457")
    w.ids["listing2"] = w.list_patent("uni", w["patent2"])
    w.ids["patent3"] = w.register_patent(["uni"], number="202010123458")
    w.ids["listing3"] = w.list_patent("uni", w["patent3"])
    return w


def today(world: World) -> Any:
    return world.clock.now().astimezone(BEIJING).date()


def draft(world: World, who: str = "agency", listings: tuple[str, ...] = ("listing", "listing2"), **more: Any) -> UUID:
    values: dict[str, Any] = {"title_zh": "新能源电池成果包 2027 第一期", "title_en": "New-energy batteries 2027/1",
                              "industry": "新能源", "listing_ids": [world[k] for k in listings], **more}
    package_id, _ = world.app.packages.draft_package(pk.DraftPackage(**values), actor_id=world[who])
    return package_id


def publish_on_the_day(world: World, package_id: UUID, days: int = 3) -> None:
    world.app.packages.schedule_package(pk.SchedulePackage(package_id=package_id,
                                                           publish_on=today(world) + timedelta(days=days)),
                                        actor_id=world["agency"])
    assert world.app.packages.publish_due_package(pk.PublishDuePackage(package_id=package_id)) is None  # not yet
    world.clock.advance(timedelta(days=days))
    assert world.app.packages.publish_due_package(pk.PublishDuePackage(package_id=package_id)) is not None


def test_a_scheduled_package_publishes_on_its_day_and_a_second_edition_records_its_changes(world: World) -> None:
    package_id = draft(world)
    publish_on_the_day(world, package_id)
    package: Package = world.get(package_id)
    assert package.edition == 1
    assert package.publish_on is None
    assert package.editions[0]["added"] == [world["listing"], world["listing2"]]
    world.app.packages.revise_package(pk.RevisePackage(
        package_id=package_id, title_zh="新能源电池成果包 2027 第一期", title_en="New-energy batteries 2027/1",
        industry="新能源", listing_ids=[world["listing2"], world["listing3"]]), actor_id=world["agency"])
    publish_on_the_day(world, package_id, days=7)
    package = world.get(package_id)
    assert package.edition == 2
    assert package.editions[1]["added"] == [world["listing3"]]
    assert package.editions[1]["dropped"] == [world["listing"]]
    assert package.editions[0]["listing_ids"] == [world["listing"], world["listing2"]]  # the first edition stands


def test_only_the_curator_organisation_edits_and_only_curators_draft(world: World) -> None:
    package_id = draft(world)
    revise = pk.RevisePackage(package_id=package_id, title_zh="别人的成果包", listing_ids=[world["listing"]])
    with pytest.raises(PermissionDeniedError):
        world.app.packages.revise_package(revise, actor_id=world["agency2"])
    with pytest.raises(PermissionDeniedError):
        world.app.packages.schedule_package(pk.SchedulePackage(package_id=package_id, publish_on=today(world)),
                                            actor_id=world["uni"])
    for outsider in ("firm", "uni", "idle"):  # an enterprise, a university, an unverified agency
        with pytest.raises(PermissionDeniedError):
            draft(world, who=outsider)
    assert world.get(package_id).version == 1


def test_only_published_listings_enter_and_a_closed_one_may_stay(world: World) -> None:
    world.app.catalogue.withdraw_listing(cc.WithdrawListing(listing_id=world["listing3"], reason="另行转让"),
                                         actor_id=world["uni"])
    with pytest.raises(ConflictError):
        draft(world, listings=("listing", "listing3"))
    package_id = draft(world)
    world.app.catalogue.withdraw_listing(cc.WithdrawListing(listing_id=world["listing2"], reason="另行转让"),
                                         actor_id=world["uni"])
    world.app.packages.revise_package(pk.RevisePackage(  # it stays (shown as withdrawn); a new title is fine
        package_id=package_id, title_zh="第一期（修订）", listing_ids=[world["listing"], world["listing2"]]),
        actor_id=world["agency"])
    assert world.get(package_id).title_zh == "第一期（修订）"


def test_a_past_date_an_empty_set_and_no_title_are_refused(world: World) -> None:
    with pytest.raises(ValidationError):
        draft(world, title_zh="", title_en="")
    package_id = draft(world, listings=())
    with pytest.raises(ConflictError):
        world.app.packages.schedule_package(pk.SchedulePackage(package_id=package_id, publish_on=today(world)),
                                            actor_id=world["agency"])
    with pytest.raises(ValidationError):
        world.app.packages.schedule_package(pk.SchedulePackage(
            package_id=package_id, publish_on=today(world) - timedelta(days=1)), actor_id=world["agency"])


def test_a_double_submit_drafts_one_package(world: World) -> None:
    chosen = UUID("6b0f0c4e-1d1e-4c57-9a38-0d3a0e6f0a01")
    first = draft(world, package_id=chosen)
    before = world.app.recorder.max_notification_id()
    again = draft(world, package_id=chosen)
    assert first == again != chosen  # the key names the request; the package's id is derived from it
    assert world.app.recorder.max_notification_id() == before
    with pytest.raises(ConflictError) as other:
        draft(world, package_id=chosen, title_zh="另一个")
    assert other.value.code == "package.id_taken"
    theirs = draft(world, "agency2", package_id=chosen)  # another curator's same key: another package
    assert theirs not in (first, chosen)
    assert world.get(theirs).organisation_id == world["agency2_org"]


def test_a_follower_is_told_of_each_new_edition_once(world: World) -> None:
    package_id = draft(world)
    with pytest.raises(Exception, match="no package"):  # nothing published: nothing to follow
        world.app.packages.follow_package(pk.FollowPackage(package_id=package_id), actor_id=world["firm"])
    publish_on_the_day(world, package_id)
    follow = pk.FollowPackage(package_id=package_id)
    world.app.packages.follow_package(follow, actor_id=world["firm"])
    world.app.packages.follow_package(follow, actor_id=world["firm"])  # twice: one follow
    fid = follow_id(package_id, world["firm"])
    record: PackageFollow = world.get(fid)
    assert record.version == 1
    assert record.seen_edition == 1
    world.app.packages.revise_package(pk.RevisePackage(package_id=package_id, title_zh="第二期",
                                                       listing_ids=[world["listing3"]]), actor_id=world["agency"])
    publish_on_the_day(world, package_id)
    world.app.packages.see_package_edition(pk.SeePackageEdition(package_id=package_id), actor_id=world["firm"])
    assert world.get(fid).seen_edition == 2
    world.app.packages.unfollow_package(pk.UnfollowPackage(package_id=package_id), actor_id=world["firm"])
    assert not world.get(fid).following


def test_changes_keep_each_sets_order() -> None:
    a, b, c = (UUID(int=n) for n in (1, 2, 3))
    assert changes([a, b], [c, b]) == ([c], [a])


def test_a_package_key_cannot_take_the_id_of_a_follow_to_come(world: World) -> None:
    """``package_id`` is an idempotency key: a curator drafting with another record's (derived) id as key (here
    the firm's follow of a rival's package) takes nothing; the follow is recorded."""
    victim = draft(world)
    publish_on_the_day(world, victim)
    follow = follow_id(victim, world["firm"])
    squatted = draft(world, "agency2", package_id=follow)
    assert squatted != follow
    world.app.packages.follow_package(pk.FollowPackage(package_id=victim), actor_id=world["firm"])
    record: PackageFollow = world.get(follow)
    assert (record.following, record.seen_edition) == (True, 1)
