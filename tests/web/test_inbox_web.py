# ruff: noqa: F811 - pytest fixtures imported from the journey module are parameters here
"""The inbox (站内通知), as each user relies on it: what happens in the organisation's deals reaches its
members (not the one who acted, never another organisation), with a link to the thing, the unread count in
the header, and reading an item (or all) takes it off the count; the JSON answer says the same."""

from __future__ import annotations

import re
import uuid
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from marketplace.platform.clock import ManualClock
from tests.web.conftest import post_form
from tests.web.test_api import Member, listed
from tests.web.test_deals_journey import (  # noqa: F401 - the fixtures
    clock,
    manual_client,
    negotiate,
    ok,
    parties,
    services_of,
    through_notice,
)
from tests.web.test_demands_web import demand_body, proposal_body
from tests.web.test_todo import ENTERPRISE, UNIVERSITY, as_user, attacker


def inbox(client: TestClient[Litestar], who: Member, **params: Any) -> dict[str, Any]:
    answer: dict[str, Any] = ok(client.get("/api/inbox", headers=who.headers, params=params))
    return answer


def events(client: TestClient[Litestar], who: Member) -> list[tuple[str, str, bool]]:
    return [(i["event"], i["link"], i["read"]) for i in inbox(client, who)["items"]]


def header_inbox(html: str) -> int:
    found = re.search(r'<a href="/inbox" id="inbox-link">[^<]*\(<span id="inbox-count">(\d+)</span>\)</a>', html)
    assert found, "the header shows no inbox count"
    return int(found.group(1))


def test_an_offer_and_its_counter_reach_the_other_side_and_reading_takes_them_off_the_count(
    manual_client: TestClient[Litestar],
) -> None:
    client = manual_client
    p = parties(client)
    spy = attacker(client)
    listing_id = listed(client, p.university, 41, price_mode="negotiable", asking_price=None)
    offer = {"kind": "assignment", "price": 30_000_000, "valid_days": 10}
    offer_id = ok(client.post(f"/api/listings/{listing_id}/offers", headers=p.enterprise.headers, json=offer),
                  201)["id"]
    link = f"/offers/{offer_id}"

    # The seller's members are told; the buyer who made it is not; another organisation never is.
    assert events(client, p.university) == [("offer.received", link, False)]
    assert events(client, p.enterprise) == []
    assert events(client, spy) == []
    answer = inbox(client, p.university)
    assert answer["unread"] == 1
    assert answer["total"] == 1
    assert answer["items"][0]["title_zh"]  # the listing's title, to know what it is about

    counter = {"kind": "assignment", "price": 35_000_000, "valid_days": 10}
    ok(client.post(f"/api/offers/{offer_id}/counter", headers=p.university.headers, json=counter))
    assert events(client, p.enterprise) == [("offer.countered", link, False)]
    assert events(client, p.university) == [("offer.received", link, False)]

    # The seller's page: the item with its words and Beijing time, the count in the header next to the to-do.
    as_user(client, UNIVERSITY)
    page = client.get("/inbox")
    assert page.status_code == 200
    assert header_inbox(page.text) == 1
    assert "收到报价" in page.text
    assert "北京时间" in page.text
    item_id = inbox(client, p.university)["items"][0]["id"]
    assert f'href="/inbox/{item_id}"' in page.text
    english = client.get("/inbox?lang=en")
    assert "Offer received" in english.text
    assert "Beijing time" in english.text

    # Opening the item goes to the offer and marks it read: the count drops, on every page.
    opened = client.get(f"/inbox/{item_id}", follow_redirects=False)
    assert opened.status_code == 303
    assert opened.headers["location"] == link
    assert header_inbox(client.get("/listings").text) == 0
    assert events(client, p.university) == [("offer.received", link, True)]
    assert inbox(client, p.university, unread="true")["items"] == []

    # Someone else's item is not there to open (nor to learn of).
    as_user(client, ("spy@rival.example.cn", "secret-password-1"))
    assert client.get(f"/inbox/{item_id}", follow_redirects=False).status_code == 404
    assert ok(client.get("/api/inbox", headers=spy.headers))["total"] == 0

    # The buyer marks all read with the form; the JSON answer agrees.
    as_user(client, ENTERPRISE)
    assert header_inbox(client.get("/inbox").text) == 1
    assert post_form(client, "/inbox/read-all", {}, form_page="/inbox").status_code == 303
    assert inbox(client, p.enterprise)["unread"] == 0
    assert header_inbox(client.get("/inbox").text) == 0


def test_the_api_marks_one_or_all_read_and_refuses_what_is_not_the_users(
    manual_client: TestClient[Litestar],
) -> None:
    client = manual_client
    p = parties(client)
    spy = attacker(client)
    for serial in (51, 52):
        listing_id = listed(client, p.university, serial, price_mode="negotiable", asking_price=None)
        offer = {"kind": "assignment", "price": 30_000_000, "valid_days": 10}
        ok(client.post(f"/api/listings/{listing_id}/offers", headers=p.enterprise.headers, json=offer), 201)
    items = inbox(client, p.university)["items"]
    assert len(items) == 2
    first = items[0]["id"]
    assert client.post("/api/inbox/read", headers=spy.headers, json={"id": first}).status_code == 404
    read = ok(client.post("/api/inbox/read", headers=p.university.headers, json={"id": first}))
    assert read == {"unread": 1, "marked": 1, "link": items[0]["link"]}
    again = ok(client.post("/api/inbox/read", headers=p.university.headers, json={"id": first}))
    assert again["unread"] == 1  # a double submit changes nothing more
    assert client.post("/api/inbox/read", headers=p.university.headers, json={"id": "x\u202e1"}).status_code == 400
    assert ok(client.post("/api/inbox/read", headers=p.university.headers, json={"all": True}))["unread"] == 0
    assert client.get("/api/inbox").status_code == 401


def test_a_whole_deal_tells_each_side_what_it_must_know_from_offer_to_refund(
    manual_client: TestClient[Litestar], clock: ManualClock,
) -> None:
    client = manual_client
    p = parties(client)
    listing_id = listed(client, p.university, 42, price_mode="negotiable", asking_price=None)
    contract_id = negotiate(client, p, listing_id, offered=80_000_000, agreed=90_000_000)
    contract = f"/contracts/{contract_id}"
    through_notice(client, p, clock, contract_id)
    ok(client.post(f"/api/contracts/{contract_id}/payments", headers=p.enterprise.headers,
                   json={"purpose": "upfront"}), 201)
    obligation = ok(client.get("/api/obligations", headers=p.enterprise.headers))["items"][0]["id"]
    payment = f"/payments/{obligation}"
    ok(client.post(f"/api/obligations/{obligation}/receipt", headers=p.admin.headers,
                   json={"amount": 90_000_000, "bank_reference": "ICBC-20260320-0042"}))

    seller = [(e, link) for e, link, _ in reversed(events(client, p.university))]
    buyer = [(e, link) for e, link, _ in reversed(events(client, p.enterprise))]
    offer = seller[0][1]
    assert seller == [("offer.received", offer), ("offer.accepted", offer), ("contract.to_sign", contract),
                      ("contract.signed", contract), ("payment.received", payment),
                      ("contract.in_force", contract)]
    # The buyer accepted (drafting the contract itself): it is told of what the others did.
    assert buyer == [("offer.countered", offer), ("contract.signed", contract), ("payment.owed", payment),
                     ("contract.in_force", contract)]
    # Each of these is one notice per user: a read model replayed from the log gives the same inbox.
    services = services_of(client)
    before = inbox(client, p.university)["items"]
    services.views["notifications"].reset()
    services.make_runner(["notifications"]).catch_up()
    assert inbox(client, p.university)["items"] == before


def test_enquiries_and_proposals_reach_the_other_side(manual_client: TestClient[Litestar]) -> None:
    client = manual_client
    p = parties(client)
    listing_id = listed(client, p.university, 43)
    question = {"kind": "question", "text": "能否提供中试数据？", "message_id": str(uuid.uuid4())}
    asked = ok(client.post(f"/api/listings/{listing_id}/enquiries", headers=p.enterprise.headers, json=question),
               201)
    thread = f"/enquiries/{asked['id']}"
    assert events(client, p.university) == [("enquiry.asked", thread, False)]
    ok(client.post(f"/api/enquiries/{asked['id']}/messages", headers=p.university.headers,
                   json={"text": "可以，请查看资料。", "message_id": str(uuid.uuid4())}))
    assert events(client, p.enterprise) == [("enquiry.answered", thread, False)]

    demand = ok(client.post("/api/demands", json=demand_body(), headers=p.enterprise.headers), 201)["id"]
    ok(client.post(f"/api/demands/{demand}/proposals", json=proposal_body(listing_id), headers=p.university.headers),
       201)
    assert events(client, p.enterprise)[0] == ("demand.proposal", f"/demands/{demand}", False)
