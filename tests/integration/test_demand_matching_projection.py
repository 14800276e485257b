"""The matching read model on a real PostgreSQL (issue 13, "Matching, explained"): a listing published after a
demand appears in the demand's matches with its reasons, a withdrawn one leaves them, an awarded demand leaves
them; a listing in another field never matches; a rebuild from the log writes identical rows, however the
log is paged."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import psycopg
import pytest

from marketplace.catalogue import commands as cc
from marketplace.demand import demand_commands as mc
from marketplace.platform.services import Services
from tests.unit.deal_helpers import World, cn, make_world

TABLES = ("matching_patents", "matching_listings", "matching_demands", "matching_matches")


@pytest.fixture
def world(services: Services) -> Iterator[World]:
    w = make_world(services.address.eventsourcing_env())
    yield w
    w.app.close()


def matches(services: Services, demand: UUID) -> dict[str, list[dict[str, Any]]]:
    services.make_runner().catch_up()
    with psycopg.connect(services.address.conninfo()) as conn:
        found = conn.execute("SELECT listing_id, reasons FROM matching_matches WHERE demand_id = %s"
                             " ORDER BY score DESC", (demand,)).fetchall()
    return {str(listing): reasons for listing, reasons in found}


def rows(services: Services) -> dict[str, list[tuple[Any, ...]]]:
    with psycopg.connect(services.address.conninfo()) as conn:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in TABLES}


def post_demand(world: World) -> UUID:
    demand, _ = world.app.demands.post(mc.PostDemand(
        title_zh="耐高温锂电池隔膜", title_en="Heat-resistant lithium battery separator",
        description_zh="寻求陶瓷涂层隔膜", problem="聚乙烯隔膜 130 度收缩", targets="150 度收缩率 < 3%",
        ipc_codes=["H01M 2/16"], keywords=["隔膜"],
        budget_min=5_000_000, budget_max=50_000_000, deadline=date(2025, 3, 10), wants=["purchase", "joint"]),
        actor_id=world["firm"])
    return demand


def register(world: World, number: str, title_zh: str, title_en: str, ipc: str) -> UUID:
    patent, _ = world.app.catalogue.register_patent(cc.RegisterPatent(
        application_number=cn(number), patent_type="invention", title_zh=title_zh, title_en=title_en,
        ipc_codes=[ipc], filing_date=date(2021, 5, 6), legal_status="granted",
        owners=[cc.OwnerShare(organisation_id=world["uni_org"], share=100)]), actor_id=world["uni"])
    return patent


def test_a_newly_published_listing_joins_an_open_demands_matches_and_a_withdrawn_one_leaves(
    world: World, services: Services,
) -> None:
    demand = post_demand(world)
    first = str(world["listing"])  # 一种锂电池隔膜 (H01M 2/14), listed before the demand was posted
    found = matches(services, demand)
    assert list(found) == [first]
    assert [r["kind"] for r in found[first]] == ["ipc_main_group", "terms", "price"]
    assert found[first][0]["values"] == ["H01M 2/00"]
    assert "锂电池隔膜" in found[first][1]["values"]

    newer = world.list_patent("uni", register(world, "202110765432", "一种陶瓷涂层锂电池隔膜",
                                              "A ceramic-coated lithium battery separator", "H01M 2/16"),
                              maturity="pilot")
    pizza = world.list_patent("uni", register(world, "202110111111", "一种比萨饼烤炉", "A pizza oven", "A21B 1/00"))
    found = matches(services, demand)
    assert list(found) == [str(newer), first]  # the same IPC group and more terms rank it first
    assert [r["kind"] for r in found[str(newer)]] == ["ipc_group", "terms", "price", "maturity"]
    assert str(pizza) not in found

    world.app.catalogue.withdraw_listing(cc.WithdrawListing(listing_id=newer, reason="已线下转让"),
                                         actor_id=world["uni"])
    assert list(matches(services, demand)) == [first]

    before = rows(services)
    assert len(before["matching_matches"]) == 1
    for page_size in (1000, 1, 3):  # one page, one event a page, pages cutting the journey anywhere
        services.views["matching"].reset()
        services.make_runner(["matching"], page_size=page_size).catch_up()
        assert rows(services) == before, page_size


def test_a_revised_listing_is_rescored_and_an_awarded_demand_leaves_the_matches(
    world: World, services: Services,
) -> None:
    demand = post_demand(world)
    listing = str(world["listing"])
    assert [r["kind"] for r in matches(services, demand)[listing]] == ["ipc_main_group", "terms", "price"]
    world.app.catalogue.revise_listing(cc.ReviseListing(
        listing_id=world["listing"], deal_types=["assignment"], price_mode="fixed", asking_price=90_000_000,
        maturity="industrialised"), actor_id=world["uni"])
    assert [r["kind"] for r in matches(services, demand)[listing]] == ["ipc_main_group", "terms", "maturity"]

    proposal = mc.SubmitProposal(demand_id=demand, want="joint", approach="联合攻关", price=20_000_000)
    proposal_id, _ = world.app.demands.submit(proposal, actor_id=world["uni"])
    world.clock.advance(timedelta(days=12))
    world.app.demands.award(mc.AwardProposal(demand_id=demand, proposal_id=proposal_id), actor_id=world["firm"])
    assert matches(services, demand) == {}
