"""Enquiries on a real PostgreSQL: two colleagues asking at once share one thread (both messages kept), two
clicks on "make an offer from this thread" at once make one offer, and the demand read model rebuilds from
the log to identical rows, every event summarised for the auditor."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from domain.demand.materials import materials_id
from marketplace.accounts import commands as ac
from marketplace.demand import commands as ec
from marketplace.platform.services import Services
from projections.audit.log import SUMMARIES
from tests.integration.test_deal_races import race
from tests.unit.deal_helpers import PASSWORD, World, make_world
from tests.unit.demand_helpers import pdf

TABLES = ("demand_enquiries", "demand_enquiry_messages", "demand_material_reads", "demand_listing_materials",
          "demand_materials")


@pytest.fixture
def world(services: Services) -> Iterator[World]:
    w = make_world(services.address.eventsourcing_env())
    w.app.enquiries.files = services.app.enquiries.files
    colleague, _ = w.app.accounts.add_member(ac.AddMember(email="firm2@example.test", password=PASSWORD,
                                                          display_name="同事"), actor_id=w["firm"])
    w.ids["firm2"] = colleague
    yield w
    w.app.close()


def rows(services: Services) -> dict[str, list[tuple[Any, ...]]]:
    with psycopg.connect(services.address.conninfo()) as conn:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in TABLES}


def test_colleagues_asking_at_once_share_one_thread_and_one_offer_comes_of_two_clicks(
    world: World, services: Services,
) -> None:
    listing = world["listing"]
    asked = race(world, *[
        (lambda who=who: world.app.enquiries.ask(ec.AskEnquiry(listing_id=listing, text=f"{who} 的问题"),
                                                 actor_id=world[who]))
        for who in ("firm", "firm2")])
    threads = {outcome[0] for outcome in asked if isinstance(outcome, tuple)}
    assert len(threads) == 1, asked
    (thread,) = threads
    assert len(world.get(thread).messages) == 2
    make = ec.MakeOfferFromEnquiry(enquiry_id=thread, kind="assignment", price=10_000_000)
    made = race(world, *[
        (lambda: world.app.enquiries.make_offer_from_enquiry(make, actor_id=world["firm"])) for _ in range(2)])
    offers = {outcome[0] for outcome in made if isinstance(outcome, tuple)}
    assert len(offers) == 1, made
    assert world.get(thread).offer_ids == list(offers)


def test_the_read_model_rebuilds_to_identical_rows_and_each_event_is_summarised(
    world: World, services: Services,
) -> None:
    listing = world["listing"]
    sha, _ = world.app.enquiries.attach_material(
        ec.AttachMaterial(listing_id=listing, name="报告.pdf", content=pdf(), access="confidential"),
        actor_id=world["uni"])
    world.app.enquiries.attach_material(ec.AttachMaterial(listing_id=listing, name="图.pdf", content=pdf("x")),
                                        actor_id=world["uni"])
    thread, _ = world.app.enquiries.ask(ec.AskEnquiry(listing_id=listing, kind="materials", text="请提供报告",
                                                      message_id=uuid.uuid4()), actor_id=world["firm"])
    world.app.enquiries.answer(ec.AnswerEnquiry(enquiry_id=thread, text="请先接受保密条款"), actor_id=world["uni"])
    world.app.enquiries.mark_read(ec.MarkEnquiryRead(enquiry_id=thread), actor_id=world["firm"])
    current = world.get(materials_id(listing)).terms_sha256
    world.app.enquiries.accept_terms(ec.AcceptConfidentiality(enquiry_id=thread, terms_sha256=current),
                                     actor_id=world["firm"])
    world.app.enquiries.read_material(ec.ReadMaterial(listing_id=listing, sha256=sha), actor_id=world["firm"])
    world.app.enquiries.set_terms(ec.SetConfidentialityTerms(listing_id=listing, text="新条款"), actor_id=world["uni"])
    world.app.enquiries.remove_material(ec.RemoveMaterial(listing_id=listing, sha256=sha), actor_id=world["uni"])
    world.app.enquiries.make_offer_from_enquiry(
        ec.MakeOfferFromEnquiry(enquiry_id=thread, kind="assignment", price=10_000_000), actor_id=world["firm"])
    services.make_runner().catch_up()
    before = rows(services)
    assert len(before["demand_enquiry_messages"]) == 2
    assert len(before["demand_material_reads"]) == 1
    assert len(before["demand_materials"]) == 1
    services.views["demand"].reset()
    services.make_runner(["demand"]).catch_up()
    assert rows(services) == before
    with psycopg.connect(services.address.conninfo()) as conn:
        found = conn.execute("SELECT event_type, summary FROM audit_log_events WHERE aggregate_type IN"
                             " ('Enquiry', 'ListingMaterials') ORDER BY position").fetchall()
    kinds = {event_type for event_type, _ in found}
    assert kinds == {"Enquiry.Opened", "Enquiry.Answered", "Enquiry.AnswersRead", "Enquiry.TermsAccepted",
                     "Enquiry.MaterialRead", "Enquiry.OfferMade", "ListingMaterials.Opened",
                     "ListingMaterials.Attached", "ListingMaterials.Removed", "ListingMaterials.TermsSet"}
    assert kinds <= set(SUMMARIES)
    assert all("请提供报告" not in summary for _, summary in found)  # a summary says how long, not what
