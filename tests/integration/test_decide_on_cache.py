"""Commands that decide on the aggregates their worker holds, with no read of the store first (issue 16): the save
(migration 0049) checks, under the table lock, that nothing the command read has changed since; if something has,
nothing is written and the command runs again on what it reads afresh. Two ``Marketplace`` instances are two web
workers on one database; the other worker's change is saved between the command's decision and its save."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import UUID

import psycopg
import pytest

from domain.shared.errors import NotAuthenticatedError
from marketplace.accounts import commands as ac
from marketplace.catalogue import commands as cc
from marketplace.deals import commands as d
from marketplace.platform.application import Marketplace
from marketplace.platform.database import DatabaseAddress
from marketplace.platform.migrate import migrate
from tests.unit.broker_helpers import broker_world, introduce
from tests.unit.deal_helpers import World, cn


def before_the_first_save(app: Marketplace, meanwhile: Callable[[], Any]) -> list[list[UUID]]:
    """Run ``meanwhile`` (the other worker's command) once, after ``app``'s command decided and before its first
    save; answers the ids each save of ``app`` was given, in order."""
    real_save = app.save
    saves: list[list[UUID]] = []

    def save(*aggregates: Any, **kwargs: Any) -> Any:
        if not saves:  # in a thread of its own, as another worker: nothing of this command's context is shared
            failed: list[BaseException] = []
            worker = threading.Thread(target=lambda: run(meanwhile, failed))
            worker.start()
            worker.join(timeout=60)
            assert not failed, failed
        saves.append([a.id for a in aggregates])
        return real_save(*aggregates, **kwargs)

    app.save = save  # type: ignore[method-assign]
    return saves


def run(command: Callable[[], Any], failed: list[BaseException]) -> None:
    try:
        command()
    except BaseException as error:
        failed.append(error)


def registration(world: World, number: str) -> cc.RegisterPatent:
    return cc.RegisterPatent(
        application_number=cn(number), patent_type="invention", title_zh="一种钠离子电池正极材料",
        ipc_codes=["H01M 4/36"], filing_date=world.clock.now().date() - timedelta(days=400), legal_status="pending",
        owners=[cc.OwnerShare(organisation_id=world["uni_org"], share=100)])


def events_of(database: DatabaseAddress, aggregate_id: UUID) -> int:
    with psycopg.connect(database.conninfo(), autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM marketplace_events WHERE originator_id = %s",
                           (aggregate_id,)).fetchone()
        assert row is not None
        return int(row[0])


def noting(reads: list[str], name: str, real: Callable[..., Any]) -> Callable[..., Any]:
    def reading(*args: Any, **kwargs: Any) -> Any:
        reads.append(name)
        return real(*args, **kwargs)

    return reading


def test_a_command_on_aggregates_the_worker_holds_reads_nothing_before_its_save(
    world: World, other: Marketplace,
) -> None:
    other.catalogue.register_patent(registration(world, "202110000001"), actor_id=world["uni"])  # now held
    reads: list[str] = []
    for name in ("freshen", "get_along", "get"):  # the reads of the store a command's loads make
        setattr(other.repository, name, noting(reads, name, getattr(other.repository, name)))
    patent_id, _ = other.catalogue.register_patent(registration(world, "202110000002"), actor_id=world["uni"])
    assert reads == []
    assert world.app.repository.get(patent_id).registrant_organisation_id == world["uni_org"]


def test_a_member_deactivated_between_the_decision_and_the_save_registers_nothing(
    database: DatabaseAddress, world: World, other: Marketplace,
) -> None:
    other.catalogue.register_patent(registration(world, "202110000001"), actor_id=world["uni"])  # now held
    saves = before_the_first_save(other, lambda: world.app.accounts.deactivate_user(
        ac.DeactivateUser(user_id=world["uni"]), actor_id=world["admin"]))
    with pytest.raises(NotAuthenticatedError) as refused:
        other.catalogue.register_patent(registration(world, "202110000002"), actor_id=world["uni"])
    assert refused.value.code == "auth.deactivated"  # said by the run reading the store, after the refused save
    assert len(saves) == 1
    assert events_of(database, saves[0][0]) == 0  # the patent decided on the cached member was not written


def test_a_person_erased_between_the_decision_and_the_save_drafts_no_listing(
    database: DatabaseAddress, world: World, other: Marketplace,
) -> None:
    """The member's personal data is not read by a command deciding on the cache; its erasure is an event of the
    member, which refuses the save: the command, run again on the store, finds the account can no longer act."""
    first = world.register_patent(["uni"], "202110000004")
    second = world.register_patent(["uni"], "202110000005")
    terms: dict[str, Any] = {"deal_types": ["assignment"], "price_mode": "fixed", "asking_price": 10_000_000,
                             "maturity": "prototype"}
    other.catalogue.draft_listing(cc.DraftListing(patent_id=first, **terms), actor_id=world["uni"])  # now held
    other.repository.get(second)
    saves = before_the_first_save(other, lambda: world.app.accounts.erase_user(
        ac.EraseUser(user_id=world["uni"]), actor_id=world["admin"]))
    with pytest.raises(NotAuthenticatedError) as refused:
        other.catalogue.draft_listing(cc.DraftListing(patent_id=second, **terms), actor_id=world["uni"])
    assert refused.value.code == "auth.deactivated"  # as for any erased account
    assert len(saves) == 1
    assert [events_of(database, i) for i in saves[0]] == [1, 0]  # the patent as registered; no listing
    assert world.app.personal.get(world["uni"]) is None


def test_an_introduction_made_between_the_decision_and_the_save_binds_the_offer(database: DatabaseAddress) -> None:
    migrate(database.conninfo())
    world = broker_world(database.eventsourcing_env(), commission=3.0)
    other = Marketplace(database.eventsourcing_env(), clock=world.clock,
                        gateways={"stripe": world.stripe, "manual": world.manual})
    try:
        for _ in range(2):  # the worker holds the member, listing, patent, organisation, and knows no introduction
            first, _ = other.offers.make_offer(d.MakeOffer(listing_id=world["listing"], kind="assignment",
                                                           price=10_000_000), actor_id=world["firm"])
            assert other.repository.get(first).broker_organisation_id is None
            other.offers.withdraw_offer(d.WithdrawOffer(offer_id=first), actor_id=world["firm"])
        saves = before_the_first_save(other, lambda: introduce(world))
        second, _ = other.offers.make_offer(d.MakeOffer(listing_id=world["listing"], kind="assignment",
                                                        price=10_000_000), actor_id=world["firm"])
        made = other.repository.get(second)
        assert (made.broker_organisation_id, made.broker_commission) == (world["agency_org"], 300)
        assert len(saves) == 2  # decided without the introduction, refused, decided again with it
        assert events_of(database, saves[0][0]) == 0
    finally:
        other.close()
        world.app.close()


def test_a_listing_revised_between_the_decision_and_the_publication_is_published_as_revised(
    world: World, other: Marketplace,
) -> None:
    """The listing read from the cache was changed by the other worker: the save refuses, the command reads the
    revised listing and publishes it on top of the revision."""
    patent = world.register_patent(["uni"], "202110000003")
    drafted, _ = other.catalogue.draft_listing(cc.DraftListing(
        patent_id=patent, deal_types=["assignment"], price_mode="fixed", asking_price=10_000_000,
        maturity="prototype"), actor_id=world["uni"])
    saves = before_the_first_save(other, lambda: world.app.catalogue.revise_listing(cc.ReviseListing(
        listing_id=drafted, deal_types=["assignment"], price_mode="fixed", asking_price=20_000_000,
        maturity="prototype"), actor_id=world["uni"]))
    other.catalogue.publish_listing(cc.PublishListing(listing_id=drafted), actor_id=world["uni"])
    assert len(saves) == 2
    published = world.app.repository.get(drafted)
    assert (published.status, published.terms["asking_price"]) == ("published", 20_000_000)


def test_a_store_without_the_checking_save_reads_first_and_saves(
    database: DatabaseAddress, world: World, other: Marketplace,
) -> None:
    with psycopg.connect(database.conninfo(), autocommit=True) as conn:
        conn.execute("DROP PROCEDURE marketplace_save_events")
        conn.execute("DROP FUNCTION marketplace_insert_events_checked")
    other.catalogue.register_patent(registration(world, "202110000001"), actor_id=world["uni"])
    patent_id, _ = other.catalogue.register_patent(registration(world, "202110000002"), actor_id=world["uni"])
    assert events_of(database, patent_id) == 1
    assert not other.recorder.checks_reads()  # type: ignore[attr-defined]


def test_an_offer_on_a_listing_named_by_text_is_made_on_the_cache(database: DatabaseAddress, world: World) -> None:
    """A command built from a read model's row names the listing as text (the demo's deals, a page's form): its
    read set still holds one UUID per aggregate, and the save goes through."""
    first, _ = world.app.offers.make_offer(d.MakeOffer(listing_id=world["listing"], kind="assignment",
                                                       price=10_000_000), actor_id=world["firm"])
    world.app.offers.withdraw_offer(d.WithdrawOffer(offer_id=first), actor_id=world["firm"])  # all now held
    reads: list[str] = []
    for name in ("freshen", "get_along", "get"):
        setattr(world.app.repository, name, noting(reads, name, getattr(world.app.repository, name)))
    second, _ = world.app.offers.make_offer(d.MakeOffer(listing_id=str(world["listing"]),  # type: ignore[arg-type]
                                                        kind="assignment", price=10_000_000), actor_id=world["firm"])
    assert reads == []  # decided on the cache
    assert events_of(database, second) == 1
