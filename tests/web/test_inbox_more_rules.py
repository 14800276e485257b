# ruff: noqa: F811 - pytest fixtures imported from the journey module are parameters here
"""The inbox (站内通知) of the later trades, as each user relies on it: a package's follower is told of its new
edition (and no longer once it unfollowed); an auction tells the listing's owner of the lot to consent, each
bidder of its deposit, of being outbid and of the result (the winner: its contract); a broker's introduction
reaches the buyer to confirm and its answer the agency, as the mandates given and ended do; a development
contract's client is told of a delivered milestone and the developer of its acceptance. Never the wrong party;
and the inbox rebuilt from the log is the same."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from marketplace.audit.rebuild_check import rebuild_check
from marketplace.platform.clock import ManualClock
from marketplace.platform.deadlines import DeadlineWorker
from projections.notifications.registry import KIND_WORDS, KINDS, REGISTRY
from tests.web.conftest import login, sign_up_verified
from tests.web.test_api import Member, _member, listed
from tests.web.test_brokers_web import agency_broker
from tests.web.test_deals_journey import (  # noqa: F401 - the fixtures
    START,
    clock,
    manual_client,
    ok,
    parties,
    services_of,
)
from tests.web.test_development_contracts_web import awarded
from tests.web.test_inbox_web import events, inbox
from tests.web.test_todo import attacker

PASSWORD = "secret-password-1"


def member(client: TestClient[Litestar], email: str, org: str, kind: str) -> Member:
    sign_up_verified(client, services_of(client), email, org, kind=kind, password=PASSWORD)
    return _member(client, email, PASSWORD)


def run_deadlines(client: TestClient[Litestar], clock: ManualClock, at: datetime) -> Any:
    clock.set(at)
    services = services_of(client)
    done = DeadlineWorker(services).run_once()
    services.make_runner().catch_up()
    return done


def assert_rebuilds_identically(client: TestClient[Litestar]) -> None:
    report = rebuild_check(services_of(client))  # all: the rules read the catalogue and accounts
    assert report.tables
    assert not report.differences, "\n".join(report.lines())


def test_the_new_kinds_have_words_and_every_notice_event_has_both_languages() -> None:
    assert {"package", "auction", "broker"} <= set(KINDS)
    assert set(KINDS) == set(KIND_WORDS)
    for event in ("package.edition", "auction.consent", "auction.outbid", "auction.deposit_received",
                  "auction.deposit_refunded", "auction.won", "auction.result", "broker.introduction",
                  "broker.confirmed", "broker.declined", "broker.mandate_given", "broker.mandate_ended",
                  "development.delivered", "development.accepted", "development.results_agreed"):
        zh, en = REGISTRY.words[event]
        assert zh, event
        assert en, event
        assert zh != en, event


def test_a_packages_followers_are_told_of_its_new_edition_until_they_unfollow(
    manual_client: TestClient[Litestar], clock: ManualClock,
) -> None:
    client = manual_client
    p = parties(client)
    agency = member(client, "lin@hxtt.example.cn", "海峡技术转移中心", "transfer_agency")
    follower, other = p.enterprise, attacker(client)
    a, b = listed(client, p.university, 51), listed(client, p.university, 52)
    body = {"title_zh": "新能源电池成果包", "title_en": "New-energy batteries", "industry": "新能源",
            "listing_ids": [a]}
    package = ok(client.post("/api/packages", json=body, headers=agency.headers), 201)["id"]
    ok(client.post(f"/api/packages/{package}/schedule", json={"publish_on": "2026-03-05"}, headers=agency.headers))
    run_deadlines(client, clock, datetime(2026, 3, 4, 16, 0, tzinfo=UTC))
    # Following it (twice: one follow) tells nobody of the edition it already shows.
    for who in (follower, other):
        ok(client.post(f"/api/packages/{package}/follow", headers=who.headers))
    ok(client.post(f"/api/packages/{package}/follow", headers=follower.headers))
    assert events(client, follower) == []

    # The second edition: both followers are told once, with the package's title and link; the curator is not.
    ok(client.post(f"/api/packages/{package}", json=body | {"listing_ids": [a, b], "title_en": "Issue 2"},
                   headers=agency.headers))
    ok(client.post(f"/api/packages/{package}/schedule", json={"publish_on": "2026-04-01"}, headers=agency.headers))
    run_deadlines(client, clock, datetime(2026, 3, 31, 16, 0, tzinfo=UTC))
    link = f"/packages/{package}"
    for who in (follower, other):
        assert events(client, who) == [("package.edition", link, False)]
    assert inbox(client, follower)["items"][0]["title_en"] == "Issue 2"
    assert events(client, agency) == []
    assert events(client, p.university) == []

    # One unfollows: the third edition reaches only the other.
    ok(client.post(f"/api/packages/{package}/unfollow", headers=other.headers))
    ok(client.post(f"/api/packages/{package}", json=body | {"listing_ids": [b], "title_en": "Issue 3"},
                   headers=agency.headers))
    ok(client.post(f"/api/packages/{package}/schedule", json={"publish_on": "2026-05-01"}, headers=agency.headers))
    run_deadlines(client, clock, datetime(2026, 4, 30, 16, 0, tzinfo=UTC))
    assert events(client, follower) == [("package.edition", link, False)] * 2
    assert events(client, other) == [("package.edition", link, False)]

    # The follower reads it in its inbox and may choose its e-mails for followed packages, in both languages.
    login(client, "buyer@cells.example.cn", PASSWORD)
    assert "新一期成果包" in client.get("/inbox").text
    assert "New edition of a package you follow" in client.get("/inbox", params={"lang": "en"}).text
    settings = client.get("/inbox/settings")
    for words in ("关注的成果包", "拍卖：同意、出价、保证金与结果", "经纪委托与居间介绍"):
        assert words in settings.text
    assert "Followed achievement packages" in client.get("/inbox/settings", params={"lang": "en"}).text
    client.cookies.clear()
    assert_rebuilds_identically(client)


def lot_body(session: str, listing: str, **more: Any) -> dict[str, Any]:
    return {"session_id": session, "listing_id": listing, "kind": "assignment", "start_price": 1_000_000,
            "reserve": 1_200_000, "reserve_shown": False, "increment": 100_000, "opens_at": START.isoformat(),
            "closes_at": (START + timedelta(hours=1)).isoformat(), **more}


def test_an_auction_tells_the_owner_to_consent_and_each_bidder_its_deposit_outbids_and_result(
    manual_client: TestClient[Litestar], clock: ManualClock,
) -> None:
    client = manual_client
    p = parties(client)
    uni, firm, ops = p.university, p.enterprise, p.admin
    rival = member(client, "lin@qzxc.example.cn", "泉州新材料有限公司", "enterprise")
    spy = attacker(client)
    listing = listed(client, uni, 61)
    session = str(ok(client.post("/api/auctions", json={"title_zh": "春季专利拍卖会", "title_en": "Spring auction",
                                                        "deposit_rate": 1000}, headers=ops.headers), 201)["id"])
    lot = str(ok(client.post(f"/api/auctions/{session}/lots", json=lot_body(session, listing), headers=ops.headers),
                 201)["id"])
    link = f"/lots/{lot}"
    # The listing's owner is asked to consent; no one else.
    assert events(client, uni) == [("auction.consent", link, False)]
    assert inbox(client, uni)["items"][0]["title_zh"]
    for who in (firm, rival, spy):
        assert events(client, who) == []
    ok(client.post(f"/api/lots/{lot}/consent", headers=uni.headers))

    # Each bidder is told its own deposit arrived.
    for who in (firm, rival):
        ok(client.post(f"/api/auctions/{session}/bidders", json={"accept_rules": True}, headers=who.headers), 201)
        ok(client.post(f"/api/lots/{lot}/deposit", json={"gateway": "manual"}, headers=who.headers))
        ok(client.post(f"/api/lots/{lot}/deposit-receipt", headers=ops.headers, json={
            "organisation_id": who.organisation_id, "amount": 100_000, "bank_reference": f"BANK-{who.user_id[:6]}"}))
        assert events(client, who) == [("auction.deposit_received", link, False)]

    # The first bid outbids nobody; each higher bid tells the bidder it displaced, not the one who bid.
    clock.set(START + timedelta(minutes=5))
    ok(client.post(f"/api/lots/{lot}/bids", json={"amount": 1_000_000}, headers=firm.headers))
    assert [e for e, _, _ in events(client, firm)] == ["auction.deposit_received"]
    ok(client.post(f"/api/lots/{lot}/bids", json={"amount": 1_100_000}, headers=rival.headers))
    assert [e for e, _, _ in events(client, firm)] == ["auction.outbid", "auction.deposit_received"]
    assert [e for e, _, _ in events(client, rival)] == ["auction.deposit_received"]
    ok(client.post(f"/api/lots/{lot}/bids", json={"amount": 1_300_000}, headers=firm.headers))
    assert [e for e, _, _ in events(client, rival)] == ["auction.outbid", "auction.deposit_received"]
    assert [e for e, _, _ in events(client, firm)] == ["auction.outbid", "auction.deposit_received"]

    # The close: the winner is sent to its contract, the other bidder told the result and its refund.
    closed = run_deadlines(client, clock, START + timedelta(hours=2))
    assert len(closed.lots_closed) == 1
    sold = ok(client.get(f"/api/lots/{lot}"))["lot"]
    contract = f"/contracts/{sold['contract_id']}"
    won = events(client, firm)
    assert ("auction.won", contract, False) in won
    assert not any(e == "auction.result" for e, _, _ in won)
    lost = [(e, target) for e, target, _ in events(client, rival)]
    assert ("auction.result", link) in lost
    assert ("auction.deposit_refunded", link) in lost
    assert not any(e == "auction.won" for e, _ in lost)
    assert not any(e.startswith("auction.") for e, _, _ in events(client, spy))
    assert not any(e in ("auction.won", "auction.result", "auction.outbid") for e, _, _ in events(client, uni))
    assert_rebuilds_identically(client)


def test_a_brokers_introduction_reaches_the_buyer_and_its_answer_and_the_mandates_the_agency(
    manual_client: TestClient[Litestar], clock: ManualClock,
) -> None:
    client = manual_client
    p = parties(client)
    broker, _ = agency_broker(client, p.admin)
    spy = attacker(client)
    first, second = (listed(client, p.university, n, price_mode="negotiable", asking_price=None) for n in (71, 72))
    for listing in (first, second):
        ok(client.post(f"/api/listings/{listing}/mandates", headers=p.university.headers,
                       json={"agency_id": broker.organisation_id, "commission": 3, "ends_on": "2026-12-31"}), 201)
        assert ("broker.mandate_given", f"/listings/{listing}/brokerage", False) in events(client, broker)
    assert events(client, p.university) == []  # who gave it is not told
    assert events(client, p.enterprise) == []

    # The buyer is asked to confirm; the agency is told of the answer (confirmed on one, declined on the other).
    intro = ok(client.post(f"/api/listings/{first}/introductions", headers=broker.headers,
                           json={"buyer_organisation_id": p.enterprise.organisation_id}), 201)["id"]
    assert events(client, p.enterprise) == [("broker.introduction", "/introductions", False)]
    assert not any(e == "broker.introduction" for e, _, _ in events(client, broker))
    ok(client.post(f"/api/introductions/{intro}/confirm", headers=p.enterprise.headers))
    assert events(client, broker)[0] == ("broker.confirmed", f"/listings/{first}/brokerage", False)
    intro2 = ok(client.post(f"/api/listings/{second}/introductions", headers=broker.headers,
                            json={"buyer_organisation_id": p.enterprise.organisation_id}), 201)["id"]
    ok(client.post(f"/api/introductions/{intro2}/decline", headers=p.enterprise.headers, json={"reason": "未曾联系"}))
    assert events(client, broker)[0] == ("broker.declined", f"/listings/{second}/brokerage", False)
    assert not any(e in ("broker.confirmed", "broker.declined") for e, _, _ in events(client, p.university))

    # The seller ends a mandate: the agency is told.
    ok(client.post(f"/api/listings/{second}/mandates/{broker.organisation_id}/end", headers=p.university.headers,
                   json={"reason": "改为自行推广"}))
    assert events(client, broker)[0] == ("broker.mandate_ended", f"/listings/{second}/brokerage", False)
    assert not any(e.startswith("broker.") for e, _, _ in events(client, spy))
    assert_rebuilds_identically(client)


def test_a_delivered_milestone_reaches_the_client_and_its_acceptance_the_developer(
    manual_client: TestClient[Litestar], clock: ManualClock,
) -> None:
    client = manual_client
    firm, fzu, _, contract_id = awarded(client, clock)
    spy = attacker(client)
    link = f"/contracts/{contract_id}"
    # The developer is asked to sign the development contract, as any contract's (the client's member who
    # awarded it drafted it: the one who acted is not told).
    assert ("contract.to_sign", link, False) in events(client, fzu)
    text = ok(client.get(f"/api/contracts/{contract_id}", headers=fzu.headers))["contract"]["text_sha256"]
    for who in (fzu, firm):
        ok(client.post(f"/api/contracts/{contract_id}/sign", headers=who.headers, json={"text_sha256": text}))

    ok(client.post(f"/api/contracts/{contract_id}/deliveries", headers=fzu.headers,
                   json={"name": "小试样品", "note": "样品 20 片已寄出"}))
    assert events(client, firm)[0] == ("development.delivered", link, False)
    assert inbox(client, firm)["items"][0]["title_zh"] == "小试样品"
    assert not any(e == "development.delivered" for e, _, _ in events(client, fzu))

    ok(client.post(f"/api/contracts/{contract_id}/milestones", headers=firm.headers, json={"name": "小试样品"}))
    assert events(client, fzu)[0] == ("development.accepted", link, False)
    assert not any(e == "development.accepted" for e, _, _ in events(client, firm))
    assert not any(e.startswith(("development.", "contract.")) for e, _, _ in events(client, spy))
    assert_rebuilds_identically(client)
