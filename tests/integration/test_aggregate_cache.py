"""The aggregate cache with several workers on one PostgreSQL (issue 16): two ``Marketplace`` instances are two web
workers, each with its own cache. A change saved by one is seen by the other's next command, which decides on it;
a save refused because the other worker saved first drops the aggregates from the cache, and the command that
retried before still retries on the state that won."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any
from uuid import UUID

import psycopg
import pytest

from domain.auctions.lot import Lot
from domain.catalogue.listing import Listing
from domain.shared.errors import (
    ConcurrentModificationError,
    ConflictError,
    DomainError,
    NotAuthenticatedError,
    ValidationError,
)
from marketplace.accounts import commands as ac
from marketplace.auctions import commands as auc
from marketplace.catalogue import commands as cc
from marketplace.deals import commands as d
from marketplace.platform.application import Marketplace
from marketplace.platform.database import DatabaseAddress
from marketplace.platform.migrate import migrate
from tests.integration.test_auction_races import open_lot
from tests.unit.broker_helpers import broker_world, introduce
from tests.unit.deal_helpers import PASSWORD, World, accept, cn, offer


def cached(app: Marketplace, aggregate_id: UUID) -> Any:
    """What the worker's cache holds for the aggregate (None: nothing)."""
    lru = app.repository.lru
    assert lru is not None
    try:
        return lru.get(aggregate_id)
    except KeyError:
        return None


def test_a_listing_withdrawn_on_one_worker_takes_no_offer_on_the_other(world: World, other: Marketplace) -> None:
    offer_id, _ = other.offers.make_offer(d.MakeOffer(listing_id=world["listing"], kind="assignment",
                                                      price=10_000_000), actor_id=world["firm"])
    assert cached(other, world["listing"]).status == "published"  # the other worker holds the published listing
    world.app.offers.withdraw_offer(d.WithdrawOffer(offer_id=offer_id), actor_id=world["firm"])
    world.app.catalogue.withdraw_listing(cc.WithdrawListing(listing_id=world["listing"]), actor_id=world["uni"])
    with pytest.raises(ConflictError) as refused:
        other.offers.make_offer(d.MakeOffer(listing_id=world["listing"], kind="assignment", price=10_000_000),
                                actor_id=world["rival"])
    assert refused.value.code == "listing.no_offers"
    assert other.repository.get(world["listing"]).status == "withdrawn"


def test_a_member_deactivated_on_one_worker_cannot_act_on_the_other(world: World, other: Marketplace) -> None:
    other.offers.make_offer(d.MakeOffer(listing_id=world["listing"], kind="assignment", price=10_000_000),
                            actor_id=world["firm"])
    assert cached(other, world["firm"]).active
    world.app.accounts.deactivate_user(ac.DeactivateUser(user_id=world["firm"]), actor_id=world["admin"])
    with pytest.raises(NotAuthenticatedError) as refused:
        other.offers.make_offer(d.MakeOffer(listing_id=world["listing"], kind="assignment", price=11_000_000),
                                actor_id=world["firm"])
    assert refused.value.code == "auth.deactivated"


def test_a_listing_withdrawn_on_one_worker_takes_no_offer_from_a_member_the_other_holds(
    world: World, other: Marketplace,
) -> None:
    """make_offer reads its actor, the listing, the listing's patent and the buyer's organisation in one round trip
    when the worker holds them: the listing withdrawn on the other worker meanwhile is still what it decides on."""
    offer_id, _ = other.offers.make_offer(d.MakeOffer(listing_id=world["listing"], kind="assignment",
                                                      price=10_000_000), actor_id=world["firm"])
    for held in (world["firm"], world["firm_org"], world["listing"], world["patent"]):
        assert cached(other, held) is not None  # the next offer reads all of them together
    world.app.offers.withdraw_offer(d.WithdrawOffer(offer_id=offer_id), actor_id=world["firm"])
    world.app.catalogue.withdraw_listing(cc.WithdrawListing(listing_id=world["listing"]), actor_id=world["uni"])
    with pytest.raises(ConflictError) as refused:
        other.offers.make_offer(d.MakeOffer(listing_id=world["listing"], kind="assignment", price=10_000_000),
                                actor_id=world["firm"])
    assert refused.value.code == "listing.no_offers"
    assert cached(other, world["listing"]).status == "withdrawn"


def test_an_introduction_made_on_one_worker_binds_the_next_offer_on_the_other(database: DatabaseAddress) -> None:
    """make_offer reads whether a broker introduced the buyer with its actor: found absent by one command, an
    introduction made meanwhile on the other worker still binds the next offer (the commission goes to the agency)."""
    migrate(database.conninfo())
    world = broker_world(database.eventsourcing_env(), commission=3.0)
    other = Marketplace(database.eventsourcing_env(), clock=world.clock,
                        gateways={"stripe": world.stripe, "manual": world.manual})
    try:
        for _ in range(2):  # the second offer reads with the actor the worker now holds that there is none
            first, _ = other.offers.make_offer(d.MakeOffer(listing_id=world["listing"], kind="assignment",
                                                           price=10_000_000), actor_id=world["firm"])
            assert other.repository.get(first).broker_organisation_id is None  # no introduction yet
            other.offers.withdraw_offer(d.WithdrawOffer(offer_id=first), actor_id=world["firm"])
        introduce(world)  # on the first worker
        second, _ = other.offers.make_offer(d.MakeOffer(listing_id=world["listing"], kind="assignment",
                                                        price=10_000_000), actor_id=world["firm"])
        made = other.repository.get(second)
        assert (made.broker_organisation_id, made.broker_commission) == (world["agency_org"], 300)
    finally:
        other.close()
        world.app.close()


def test_an_organisation_verified_on_one_worker_registers_patents_on_the_other(
    world: World, other: Marketplace,
) -> None:
    """The actor's organisation is read with the actor, found from the user the worker holds: its verification on
    the other worker is seen by the next command."""
    world.sign_up("lab", "福建省实验室", "research_institute", verify=False)
    command = cc.RegisterPatent(
        application_number=cn("202110987654"), patent_type="invention", title_zh="一种钠离子电池正极材料",
        ipc_codes=["H01M 4/36"], filing_date=world.clock.now().date() - timedelta(days=400), legal_status="pending",
        owners=[cc.OwnerShare(organisation_id=world["lab_org"], share=100)])
    with pytest.raises(DomainError) as refused:
        other.catalogue.register_patent(command, actor_id=world["lab"])
    assert refused.value.code == "organisation.unverified_register"
    assert not cached(other, world["lab_org"]).verified  # the other worker holds the unverified organisation
    world.app.accounts.verify_organisation(ac.VerifyOrganisation(organisation_id=world["lab_org"]),
                                           actor_id=world["admin"])
    patent_id, _ = other.catalogue.register_patent(command, actor_id=world["lab"])
    assert world.app.repository.get(patent_id).owners[0]["organisation_id"] == str(world["lab_org"])


def test_a_save_refused_for_the_other_workers_save_empties_the_cache_and_the_next_command_reads_afresh(
    world: World, other: Marketplace,
) -> None:
    listing = world["listing"]
    for app in (world.app, other):  # both workers hold the listing
        app.repository.get(listing)
    barrier = threading.Barrier(2)
    outcomes: list[Any] = [None, None]

    def revising(i: int, app: Marketplace, price: int) -> None:
        real_commit = app.commit

        def commit_together(*aggregates: Any, **kwargs: Any) -> int:
            barrier.wait(timeout=20)  # both loaded the listing before either saves
            return real_commit(*aggregates, **kwargs)

        app.commit = commit_together  # type: ignore[method-assign]
        try:
            outcomes[i] = app.catalogue.revise_listing(cc.ReviseListing(
                listing_id=listing, deal_types=["assignment"], price_mode="fixed", asking_price=price,
                maturity="prototype"), actor_id=world["uni"])
        except Exception as error:
            outcomes[i] = error
        finally:
            app.commit = real_commit  # type: ignore[method-assign]

    threads = [threading.Thread(target=revising, args=(0, world.app, 20_000_000)),
               threading.Thread(target=revising, args=(1, other, 30_000_000))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    lost = [i for i, o in enumerate(outcomes) if isinstance(o, ConcurrentModificationError)]
    assert len(lost) == 1, outcomes
    assert outcomes[lost[0]].code == "version.stale"
    loser = (world.app, other)[lost[0]]
    assert cached(loser, listing) is None  # the refused save dropped the listing
    winner: Listing = world.app.repository.get(listing)
    won_at = winner.version
    # The loser's next command reads the winner's version and is saved on top of it.
    loser.catalogue.revise_listing(cc.ReviseListing(
        listing_id=listing, deal_types=["assignment"], price_mode="fixed", asking_price=40_000_000,
        maturity="prototype", expected_version=won_at), actor_id=world["uni"])
    for app in (world.app, other):
        held: Listing = app.repository.get(listing)
        assert held.version == won_at + 1
        assert held.terms["asking_price"] == 40_000_000
    # A command on a version the other worker has moved past is refused, as without a cache.
    with pytest.raises(ConcurrentModificationError):
        other.catalogue.revise_listing(cc.ReviseListing(
            listing_id=listing, deal_types=["assignment"], price_mode="fixed", asking_price=50_000_000,
            maturity="prototype", expected_version=won_at), actor_id=world["uni"])


def test_bids_on_two_workers_at_once_are_each_checked_against_the_bid_that_won(
    world: World, other: Marketplace,
) -> None:
    lot = open_lot(world, ["firm", "rival"])
    world.clock.advance(timedelta(minutes=1))
    barrier = threading.Barrier(2)
    outcomes: list[Any] = [None, None]
    saves: list[int] = [0, 0]

    def bidding(i: int, app: Marketplace, who: str, amount: int) -> None:
        real_commit = app.commit

        def commit_together(*aggregates: Any, **kwargs: Any) -> int:
            saves[i] += 1
            if saves[i] == 1:
                barrier.wait(timeout=20)  # both workers loaded the lot before either saves its bid
            return real_commit(*aggregates, **kwargs)

        app.commit = commit_together  # type: ignore[method-assign]
        try:
            outcomes[i] = app.auctions.bid(auc.PlaceBid(lot_id=lot, amount=amount), actor_id=world[who])
        except DomainError as error:
            outcomes[i] = error
        finally:
            app.commit = real_commit  # type: ignore[method-assign]

    for app in (world.app, other):
        app.repository.get(lot)  # both workers hold the lot before anyone bids
    threads = [threading.Thread(target=bidding, args=(0, world.app, "firm", 1_010_000)),
               threading.Thread(target=bidding, args=(1, other, "rival", 1_020_000))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # One bid was saved first; the other worker's save was refused, and its retry decided on the winner's bid:
    # the higher bid is placed on top, the lower one is refused as too low.
    assert isinstance(outcomes[1], int), outcomes
    if isinstance(outcomes[0], int):
        assert saves == [1, 2], saves  # the higher bid lost the first save and went through on its retry
        expected = [1_010_000, 1_020_000]
    else:
        assert isinstance(outcomes[0], ValidationError), outcomes  # refused for its amount, on the retry
        assert outcomes[0].field == "amount", outcomes
        assert saves == [1, 1], saves
        expected = [1_020_000]
    for app in (world.app, other):
        held: Lot = app.repository.get(lot)
        assert [int(b["amount"]) for b in held.bids] == expected


def test_a_member_the_worker_holds_carries_no_personal_data(world: World) -> None:
    app = world.app
    app.accounts.change_password(ac.ChangePassword(current_password=PASSWORD, new_password="another-long-password"),
                                 actor_id=world["firm"])
    assert app.actor(world["firm"]).email == "firm@example.test"
    held = cached(app, world["firm"])
    assert held is not None
    assert held.email == ""  # the e-mail lives in the personal-data store only
    assert app.repository.get(world["firm"]).email == ""


def test_what_each_worker_holds_is_what_replaying_the_events_gives(world: World, other: Marketplace,
                                                                   database: DatabaseAddress) -> None:
    contract = accept(world, offer(world))
    second = world.list_patent("uni", world.register_patent(["uni"], number="202010765432"))
    other.offers.make_offer(d.MakeOffer(listing_id=second, kind="assignment", price=10_000_000),
                            actor_id=world["rival"])
    world.app.contracts.sign_contract(d.SignContract(contract_id=contract, text_sha256=world.get(contract).text_sha256),
                                      actor_id=world["uni"])
    with psycopg.connect(database.conninfo()) as conn:
        ids = [row[0] for row in conn.execute("SELECT DISTINCT originator_id FROM marketplace_events")]
    assert len(ids) > 10
    for app in (world.app, other):
        for aggregate_id in ids:
            replayed = app.repository.replay(aggregate_id)
            assert vars(app.repository.get(aggregate_id)) == vars(replayed), aggregate_id
            held = cached(app, aggregate_id)
            assert held is None or vars(held) == vars(replayed), aggregate_id


def test_commands_at_once_on_aggregates_sharing_one_lock_all_finish_as_their_events_replay(
    world: World, database: DatabaseAddress,
) -> None:
    """The cached aggregates share their locks (one of 1,024 by id): a thread never holds two, so aggregates that
    share one only wait for each other. With a single lock for all of them, threads registering, listing and
    offering at once (the actors and organisations read by several of them) all finish, and every aggregate the
    worker holds is what its events replay. The one lock here is not re-entrant: a thread taking a lock it holds
    would wait for ever."""
    app = world.app
    world.sign_up("lab", "厦门大学", "university")
    app.repository.locks = (threading.Lock(),)  # type: ignore[assignment]
    errors: list[BaseException] = []

    def listing_patents(key: str, first: int) -> None:
        try:
            for n in range(first, first + 6):
                patent, _ = app.catalogue.register_patent(cc.RegisterPatent(
                    application_number=cn(f"20201{n:07d}"), patent_type="invention", title_zh="一种传感器",
                    title_en="A sensor", ipc_codes=["G01D 5/00"], legal_status="granted",
                    owners=[cc.OwnerShare(organisation_id=world[f"{key}_org"], share=100)]), actor_id=world[key])
                world.list_patent(key, patent)
        except BaseException as error:  # reported below, with the other threads' errors
            errors.append(error)

    def offering(key: str) -> None:
        try:
            for price in range(10_000_000, 10_600_000, 100_000):
                offer_id = retried(lambda p=price: app.offers.make_offer(d.MakeOffer(
                    listing_id=world["listing"], kind="assignment", price=p), actor_id=world[key])[0])
                retried(lambda o=offer_id: app.offers.withdraw_offer(d.WithdrawOffer(offer_id=o), actor_id=world[key]))
        except BaseException as error:
            errors.append(error)

    def retried(command: Any) -> Any:
        """Both buyers' offers open and close deals on the same patent: a save that finds the other's saved first
        is refused (409, "reload and try again"), and the buyer tries again, as a person would."""
        for _ in range(20):
            try:
                return command()
            except ConcurrentModificationError:
                continue
        return command()

    # Daemon threads: should one wait for ever, the test fails and the run still ends.
    threads = [threading.Thread(target=listing_patents, args=("uni", 100), daemon=True),
               threading.Thread(target=listing_patents, args=("uni", 200), daemon=True),
               threading.Thread(target=listing_patents, args=("lab", 300), daemon=True),
               threading.Thread(target=offering, args=("firm",), daemon=True),
               threading.Thread(target=offering, args=("rival",), daemon=True)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 60
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    assert not [t for t in threads if t.is_alive()], "threads still waiting: a lock taken twice?"
    assert errors == [], [repr(e) for e in errors]
    with psycopg.connect(database.conninfo()) as conn:
        ids = [row[0] for row in conn.execute("SELECT DISTINCT originator_id FROM marketplace_events")]
        listed = conn.execute("SELECT count(*) FROM marketplace_events WHERE topic LIKE %s",
                              ("%Listing.Published",)).fetchone()
    assert listed == (1 + 18,)  # the world's listing and the threads' eighteen
    for aggregate_id in ids:
        replayed = app.repository.replay(aggregate_id)
        held = cached(app, aggregate_id)
        assert held is None or vars(held) == vars(replayed), aggregate_id
        assert vars(app.repository.get(aggregate_id)) == vars(replayed), aggregate_id
