# ruff: noqa: F811 - pytest fixtures imported from the journey module are parameters here
"""One patent, one sale, over HTTP (issue 9): two buyers at the listed price, the second acceptance
refused; money that arrives anyway for a contract that cannot take effect is owed back and shows on the
platform admin's refund queue; an open licence taken twice (one after the other, or at once) is one
contract; objections need a verified organisation other than the seller."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from domain.catalogue.patent import Patent
from tests.web.conftest import csrf_token, login
from tests.web.test_api import Member, listed, unverified_member, verified_member
from tests.web.test_deals_journey import (  # noqa: F401 - the fixtures
    Parties,
    clock,
    manual_client,
    ok,
    parties,
    services_of,
)
from tests.web.test_deals_refusals import attempt, events

PRICE = 10_000_000  # the listing's fixed asking price (tests.web.test_api.terms)


def rival(client: TestClient[Litestar]) -> Member:
    return verified_member(client, services_of(client), "rival@storage.example.cn", "厦门储能有限公司")


def offer_at_listed_price(client: TestClient[Litestar], buyer: Member, listing_id: str) -> str:
    body = {"kind": "assignment", "price": PRICE, "valid_days": 14}
    return str(ok(client.post(f"/api/listings/{listing_id}/offers", headers=buyer.headers, json=body), 201)["id"])


def contract_of(client: TestClient[Litestar], who: Member, offer_id: str) -> dict[str, Any]:
    contract_id = ok(client.get(f"/api/offers/{offer_id}", headers=who.headers))["offer"]["contract_id"]
    return dict(ok(client.get(f"/api/contracts/{contract_id}", headers=who.headers)))


def sign(client: TestClient[Litestar], contract: dict[str, Any], *who: Member) -> None:
    k = contract["contract"]
    for member in who:
        body = {"text_sha256": k["text_sha256"]}
        ok(client.post(f"/api/contracts/{k['id']}/sign", headers=member.headers, json=body))


def start_by_bank(client: TestClient[Litestar], contract: dict[str, Any], payer: Member) -> dict[str, Any]:
    body = {"purpose": "upfront", "gateway": "manual"}
    return dict(ok(client.post(f"/api/contracts/{contract['contract']['id']}/payments", headers=payer.headers,
                               json=body), 201))


def test_the_second_buyers_acceptance_is_refused_naming_the_reservation(manual_client: TestClient[Litestar]) -> None:
    client = manual_client
    p = parties(client)
    other = rival(client)
    listing_id = listed(client, p.university, 31)
    first = offer_at_listed_price(client, p.enterprise, listing_id)
    second = offer_at_listed_price(client, other, listing_id)
    ok(client.post(f"/api/offers/{first}/accept", headers=p.university.headers))
    contract_id = contract_of(client, p.university, first)["contract"]["id"]
    attempt(client, "POST", f"/api/offers/{second}/accept", 409, f"reserved by contract {contract_id}", "since",
            headers=p.university.headers)
    assert ok(client.get(f"/api/offers/{second}", headers=other.headers))["offer"]["status"] == "open"
    # The seller's page says the same, in its language.
    login(client, "tto@fzu.example.cn", "secret-password-1")
    page = client.post(f"/offers/{second}/accept", data={"_csrf_token": csrf_token(client, f"/offers/{second}")},
                       follow_redirects=False)
    assert page.status_code == 409
    assert contract_id in page.text
    client.cookies.clear()




def test_a_bank_transfer_for_a_contract_beaten_to_the_patent_is_owed_back_on_the_admin_queue(
    manual_client: TestClient[Litestar], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 9's journey, in a store written before reservations: two assignments accepted, signed and
    paying by bank transfer. The second buyer's money is recorded, owed back and queued, never kept."""
    client = manual_client
    p = parties(client)
    other = rival(client)
    listing_id = listed(client, p.university, 32)
    first_offer = offer_at_listed_price(client, p.enterprise, listing_id)
    second_offer = offer_at_listed_price(client, other, listing_id)
    with monkeypatch.context() as before_issue_9:
        before_issue_9.setattr(Patent, "reserve_sale", lambda *args, **kwargs: False)
        for offer_id in (first_offer, second_offer):
            ok(client.post(f"/api/offers/{offer_id}/accept", headers=p.university.headers))
        first, second = contract_of(client, p.university, first_offer), contract_of(client, p.university, second_offer)
        sign(client, first, p.university, p.enterprise)
        sign(client, second, p.university, other)
        start_by_bank(client, first, p.enterprise)
        start_by_bank(client, second, other)
    obligations = {
        k["contract"]["id"]: ok(client.get(f"/api/contracts/{k['contract']['id']}", headers=p.university.headers))[
            "obligations"
        ][0]["id"]
        for k in (first, second)
    }
    receipt = {"amount": PRICE, "bank_reference": "ICBC-0001"}
    ok(client.post(f"/api/obligations/{obligations[first['contract']['id']]}/receipt", headers=p.admin.headers,
                   json=receipt))
    second_oid = obligations[second["contract"]["id"]]
    ok(client.post(f"/api/obligations/{second_oid}/receipt", headers=p.admin.headers,
                   json={**receipt, "bank_reference": "ICBC-0002"}))

    owed = ok(client.get(f"/api/obligations/{second_oid}", headers=other.headers))
    assert owed["status"] == "paid"
    assert owed["refund_owed_reason"] == "the seller no longer owns this patent"
    unmoved = ok(client.get(f"/api/contracts/{second['contract']['id']}", headers=p.university.headers))
    assert unmoved["contract"]["status"] == "signed"
    assert ok(client.get(f"/api/contracts/{first['contract']['id']}", headers=p.university.headers))["contract"][
        "status"] == "in_force"

    # The platform admin's queue: JSON for the admin only, and a page in Chinese and English.
    queue = ok(client.get("/api/admin/refunds", headers=p.admin.headers))
    assert [item["id"] for item in queue["items"]] == [second_oid]
    attempt(client, "GET", "/api/admin/refunds", 403, "platform_admin", headers=other.headers)
    login(client, "admin@platform.test", "admin-password-1")
    assert "/admin/refunds" in client.get("/deals").text
    page = client.get("/admin/refunds")
    assert page.status_code == 200
    assert "待退款项" in page.text
    assert "the seller no longer owns this patent" in page.text
    assert f"/payments/{second_oid}" in page.text
    assert "Refunds owed" in client.get("/admin/refunds", params={"lang": "en"}).text
    assert "应退款" in client.get(f"/payments/{second_oid}").text
    client.cookies.clear()
    login(client, "rival@storage.example.cn", "secret-password-1")
    assert client.get("/admin/refunds").status_code == 403
    client.cookies.clear()

    # Refunded, it leaves the queue and the contract that could not take effect ends.
    ok(client.post(f"/api/obligations/{second_oid}/refund", headers=p.admin.headers, json={"reason": "专利已售出"}))
    assert ok(client.get("/api/admin/refunds", headers=p.admin.headers))["items"] == []
    ended = ok(client.get(f"/api/contracts/{second['contract']['id']}", headers=p.university.headers))
    assert ended["contract"]["status"] == "terminated"
    assert ended["obligations"][0]["status"] == "refunded"


def open_licence_listing(client: TestClient[Litestar], p: Parties, serial: int) -> str:
    return listed(client, p.university, serial, deal_types=["open_licence"], price_mode="open_licence",
                  asking_price=None, open_licence={"fee": 2_000_000, "royalty_rate": 3, "term_years": 3})


def test_an_open_licence_taken_twice_is_one_contract(manual_client: TestClient[Litestar]) -> None:
    client = manual_client
    p = parties(client)
    listing_id = open_licence_listing(client, p, 33)
    taken = ok(client.post(f"/api/listings/{listing_id}/open-licence", headers=p.enterprise.headers), 201)
    before = events(client)
    again = ok(client.post(f"/api/listings/{listing_id}/open-licence", headers=p.enterprise.headers), 200)
    assert again["id"] == taken["id"]
    assert events(client) == before
    # The page's button, clicked twice, lands on that contract both times.
    login(client, "buyer@cells.example.cn", "secret-password-1")
    for _ in range(2):
        click = client.post(f"/listings/{listing_id}/open-licence",
                            data={"_csrf_token": csrf_token(client, f"/listings/{listing_id}")}, follow_redirects=False)
        assert click.status_code == 303
        assert click.headers["location"] == f"/contracts/{taken['id']}"
    client.cookies.clear()
    assert events(client) == before
    obligations = ok(client.get("/api/obligations", headers=p.enterprise.headers))["items"]
    assert len(obligations) == 1


def test_two_open_licence_take_ups_at_once_are_one_contract(manual_client: TestClient[Litestar]) -> None:
    client = manual_client
    p = parties(client)
    listing_id = open_licence_listing(client, p, 34)
    before = events(client)
    start = threading.Barrier(2)
    answers: list[Any] = []

    def take() -> None:
        start.wait(timeout=10)
        answers.append(client.post(f"/api/listings/{listing_id}/open-licence", headers=p.enterprise.headers))

    threads = [threading.Thread(target=take) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(a.status_code for a in answers) == [200, 201], [a.text for a in answers]
    assert len({a.json()["id"] for a in answers}) == 1
    contracts = ok(client.get("/api/my/contracts", headers=p.enterprise.headers))["items"]
    assert len(contracts) == 1
    assert len(ok(client.get("/api/obligations", headers=p.enterprise.headers))["items"]) == 1
    assert events(client) > before


def test_objections_need_a_verified_organisation_other_than_the_seller(manual_client: TestClient[Litestar]) -> None:
    client = manual_client
    p = parties(client)
    listing_id = listed(client, p.university, 35)
    negotiated = {"kind": "assignment", "price": PRICE - 1_000_000, "valid_days": 14}
    offer_id = str(ok(client.post(f"/api/listings/{listing_id}/offers", headers=p.enterprise.headers,
                                  json=negotiated), 201)["id"])
    ok(client.post(f"/api/offers/{offer_id}/accept", headers=p.university.headers))
    contract_id = contract_of(client, p.university, offer_id)["contract"]["id"]
    objection = {"json": {"text": "价格明显低于评估值，请说明"}}
    drifter = unverified_member(client, "drifter@example.cn", "某未审核公司")
    attempt(client, "POST", f"/api/contracts/{contract_id}/objections", 403, "verified", headers=drifter.headers,
            **objection)
    attempt(client, "POST", f"/api/contracts/{contract_id}/objections", 403, "selling organisation",
            headers=p.university.headers, **objection)
    ok(client.post(f"/api/contracts/{contract_id}/objections", headers=rival(client).headers, **objection), 201)


def test_a_buyer_walking_away_before_signing_frees_the_patent_for_the_next(manual_client: TestClient[Litestar]) -> None:
    client = manual_client
    p = parties(client)
    other = rival(client)
    listing_id = listed(client, p.university, 36)
    first = offer_at_listed_price(client, p.enterprise, listing_id)
    second = offer_at_listed_price(client, other, listing_id)
    ok(client.post(f"/api/offers/{first}/accept", headers=p.university.headers))
    contract_id = contract_of(client, p.university, first)["contract"]["id"]
    reason = {"json": {"reason": "董事会未批准"}}
    attempt(client, "POST", f"/api/contracts/{contract_id}/terminate", 403, "org_admin of a party",
            headers=other.headers, **reason)
    ok(client.post(f"/api/contracts/{contract_id}/terminate", headers=p.enterprise.headers, **reason))
    ended = ok(client.get(f"/api/contracts/{contract_id}", headers=p.university.headers))["contract"]
    assert ended["status"] == "terminated"
    assert "董事会未批准" in ended["terminated_reason"]
    ok(client.post(f"/api/offers/{second}/accept", headers=p.university.headers))
