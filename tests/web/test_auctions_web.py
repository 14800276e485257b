"""Auctions over HTTP, from the users' side (issue 15): a platform admin schedules a session with a timed lot and
a lot with a high reserve; the university's org admin consents; two enterprises register, pay their deposits by
bank transfer (recorded by the admin) and bid; a bid in the last minutes extends the close; the deadline worker
closes both lots: the winner's contract is drafted (deposit applied), the loser refunded, the bid log public with
bidder numbers; once the winner's payment brings the contract into force, its deposit pays the last instalment;
the lot that missed its reserve is not sold and its listing stays published. And the refusals: bidding without a
deposit, outbidding oneself, a stranger consenting, a member who is not an admin scheduling."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from litestar import Litestar
from litestar.testing import TestClient
from psycopg.rows import dict_row

from domain.auctions.lot import auction_contract_id
from marketplace.platform.clock import ManualClock
from marketplace.platform.database import DatabaseAddress
from marketplace.platform.deadlines import DeadlineWorker
from marketplace.platform.services import Services, build_services
from marketplace.platform.settings import Settings
from tests.web.conftest import csrf_token, login, sign_up_verified
from tests.web.test_api import Member, _member, admin, listed, verified_member
from web.formats import money

PASSWORD = "secret-password-1"
START = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 in Beijing


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def services(database: DatabaseAddress, ipc_scheme: Any, tmp_path: Path, clock: ManualClock) -> Iterator[Services]:
    settings = Settings.from_env({"MARKETPLACE_DATA_DIR": str(tmp_path), "MARKETPLACE_DEMO_DATA": "0"})
    svc = build_services(settings, address=database, ipc_scheme=ipc_scheme, clock=clock)
    yield svc
    svc.close()


def enterprise(client: TestClient[Litestar], services: Services, email: str, org: str) -> Member:
    sign_up_verified(client, services, email, org, kind="enterprise", password=PASSWORD)
    return _member(client, email, PASSWORD)


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def lot_body(session: str, listing: str, **more: Any) -> dict[str, Any]:
    return {"session_id": session, "listing_id": listing, "kind": "assignment", "start_price": 1_000_000,
            "reserve": 1_200_000, "reserve_shown": False, "increment": 100_000, "opens_at": START.isoformat(),
            "closes_at": (START + timedelta(hours=1)).isoformat(), **more}


def bidder(client: TestClient[Litestar], ops: Member, who: Member, session: str, lot: str) -> int:
    number = ok(client.post(f"/api/auctions/{session}/bidders", json={"accept_rules": True}, headers=who.headers),
                201)
    started = ok(client.post(f"/api/lots/{lot}/deposit", json={"gateway": "manual"}, headers=who.headers))
    assert started["gateway"] == "manual"
    assert started["instructions"]
    ok(client.post(f"/api/lots/{lot}/deposit-receipt", headers=ops.headers, json={
        "organisation_id": who.organisation_id, "amount": 100_000, "bank_reference": f"BANK-{who.user_id[:6]}"}))
    return int(number["bidder_number"])


def close_lots(services: Services) -> list[Any]:
    closed = DeadlineWorker(services).run_once().lots_closed
    services.make_runner().catch_up()
    return closed


def test_a_session_with_a_sniped_lot_and_a_lot_missing_its_reserve(
    client: TestClient[Litestar], services: Services, clock: ManualClock,
) -> None:
    ops = admin(client)
    uni = verified_member(client, services, "wang@fzu.example.cn", "福州大学")
    first, second = listed(client, uni, 1), listed(client, uni, 2)
    firm = enterprise(client, services, "chen@xmzz.example.cn", "厦门智造装备有限公司")
    rival = enterprise(client, services, "lin@qzxc.example.cn", "泉州新材料有限公司")
    refused = client.post("/api/auctions", json={"title_zh": "拍卖会"}, headers=firm.headers)
    assert refused.status_code == 403
    session = str(ok(client.post("/api/auctions", json={"title_zh": "2026 春季专利拍卖会",
                                                        "title_en": "Spring 2026 patent auction",
                                                        "deposit_rate": 1000}, headers=ops.headers), 201)["id"])
    lot = str(ok(client.post(f"/api/auctions/{session}/lots", json=lot_body(session, first), headers=ops.headers),
                 201)["id"])
    dear = str(ok(client.post(f"/api/auctions/{session}/lots", headers=ops.headers,
                              json=lot_body(session, second, reserve=9_000_000, reserve_shown=True)), 201)["id"])
    # ``session_id`` is an idempotency key, never the id: sent twice it answers one session, and a key that is
    # the lot's contract's id takes nothing from the lot (it is sold below).
    key = {"title_zh": "占位拍卖会", "session_id": str(auction_contract_id(uuid.UUID(lot)))}
    squat = ok(client.post("/api/auctions", json=key, headers=ops.headers), 201)["id"]
    assert ok(client.post("/api/auctions", json=key, headers=ops.headers), 201)["id"] == squat != key["session_id"]
    assert client.post(f"/api/lots/{lot}/consent", headers=firm.headers).status_code == 403
    for each in (lot, dear):
        ok(client.post(f"/api/lots/{each}/consent", headers=uni.headers))
    assert bidder(client, ops, firm, session, lot) == 1
    assert bidder(client, ops, rival, session, lot) == 2
    ok(client.post(f"/api/lots/{dear}/deposit", json={"gateway": "manual"}, headers=firm.headers))
    ok(client.post(f"/api/lots/{dear}/deposit-receipt", headers=ops.headers, json={
        "organisation_id": firm.organisation_id, "amount": 100_000, "bank_reference": "BANK-dear"}))

    stranger = enterprise(client, services, "he@zzxc.example.cn", "漳州新材料有限公司")
    # The live lot holds its patent: a direct offer on its listing is refused, with the catalogue's reason.
    direct = client.post(f"/api/listings/{first}/offers", headers=stranger.headers,
                         json={"kind": "assignment", "price": 50_000_000, "valid_days": 14})
    assert direct.status_code == 409, direct.text
    assert direct.json()["code"] == "patent.reserved"
    no_deposit = client.post(f"/api/lots/{lot}/bids", json={"amount": 1_000_000}, headers=stranger.headers)
    assert no_deposit.status_code == 403, no_deposit.text
    assert no_deposit.json()["code"] == "auction.deposit_needed"
    ok(client.post(f"/api/lots/{lot}/bids", json={"amount": 1_000_000}, headers=firm.headers))
    own = client.post(f"/api/lots/{lot}/bids", json={"amount": 1_100_000}, headers=firm.headers)
    assert own.status_code == 409
    assert own.json()["code"] == "auction.own_bid"
    off_step = client.post(f"/api/lots/{lot}/bids", json={"amount": 1_150_000}, headers=rival.headers)
    assert off_step.status_code == 400
    ok(client.post(f"/api/lots/{lot}/bids", json={"amount": 1_100_000}, headers=rival.headers))
    ok(client.post(f"/api/lots/{dear}/bids", json={"amount": 1_000_000}, headers=firm.headers))

    live = ok(client.get(f"/api/lots/{lot}"))
    assert live["lot"]["current_price"] == 1_100_000
    assert live["lot"]["leader_number"] == 2
    assert live["lot"]["reserve"] is None  # hidden
    assert live["lot"]["reserve_met"] is False
    assert live["bids"] == []  # the log is public after the close
    assert live["seconds_left"] == 3600

    clock.advance(timedelta(minutes=57))  # a sniping bid three minutes before the end moves the end 5 minutes
    ok(client.post(f"/api/lots/{lot}/bids", json={"amount": 1_300_000}, headers=firm.headers))
    live = ok(client.get(f"/api/lots/{lot}"))
    assert datetime.fromisoformat(live["lot"]["closes_at"]) == START + timedelta(minutes=65)
    assert live["seconds_left"] == 8 * 60

    clock.advance(timedelta(minutes=4))  # past the first end: the worker closes only the lot without the extension
    assert close_lots(services) == [uuid.UUID(dear)]
    # The unsold lot let go of its patent: an ordinary offer on its listing is made and accepted.
    offered = ok(client.post(f"/api/listings/{second}/offers", headers=stranger.headers,
                             json={"kind": "assignment", "price": 50_000_000, "valid_days": 14}), 201)
    ok(client.post(f"/api/offers/{offered['id']}/accept", headers=uni.headers))
    late = client.post(f"/api/lots/{lot}/bids", json={"amount": 1_400_000}, headers=rival.headers)
    assert late.status_code == 200, late.text  # still open: its end moved
    clock.advance(timedelta(minutes=10))
    assert len(close_lots(services)) == 1

    sold = ok(client.get(f"/api/lots/{lot}"))
    assert sold["lot"]["status"] == "sold"
    assert sold["lot"]["price"] == 1_400_000
    assert [(b["bidder_number"], b["amount"]) for b in sold["bids"]] == [
        (1, 1_000_000), (2, 1_100_000), (1, 1_300_000), (2, 1_400_000)]
    assert "organisation_id" not in sold["bids"][0]
    contract_id = sold["lot"]["contract_id"]
    contract = ok(client.get(f"/api/contracts/{contract_id}", headers=rival.headers))["contract"]
    assert contract["buyer_organisation_id"] == rival.organisation_id
    assert contract["status"] == "drafted"
    assert ("to_sign", f"/contracts/{contract_id}") in todo_kinds(client, rival)
    for party in (rival, uni):
        ok(client.post(f"/api/contracts/{contract_id}/sign", json={"text_sha256": contract["text_sha256"]},
                       headers=party.headers))
    assert len(close_lots(services)) == 0  # signed, not paid: the deposit stays held (a forfeit would keep it)
    signed = ok(client.get(f"/api/contracts/{contract_id}", headers=rival.headers))
    owed = {o["purpose"]: (o["amount"], o["status"]) for o in signed["obligations"]}
    assert owed == {"upfront": (1_300_000, "due"), "instalment-2": (100_000, "due")}
    upfront = next(o for o in signed["obligations"] if o["purpose"] == "upfront")
    ok(client.post(f"/api/obligations/{upfront['id']}/receipt", headers=ops.headers,
                   json={"amount": 1_300_000, "bank_reference": "BANK-rest"}))
    assert len(close_lots(services)) == 0  # the worker's next pass pays the deposit into its instalment
    paid = ok(client.get(f"/api/contracts/{contract_id}", headers=rival.headers))
    owed = {o["purpose"]: (o["amount"], o["status"]) for o in paid["obligations"]}
    assert owed == {"upfront": (1_300_000, "paid"), "instalment-2": (100_000, "paid")}
    assert paid["contract"]["status"] == "in_force"
    deposits = {r["organisation_id"]: r["status"] for r in _deposits(services, lot)}
    assert deposits == {rival.organisation_id: "applied", firm.organisation_id: "refunded"}

    unsold = ok(client.get(f"/api/lots/{dear}"))
    assert unsold["lot"]["status"] == "unsold"
    assert unsold["lot"]["outcome"] == "reserve_not_met"
    assert unsold["lot"]["contract_id"] is None
    assert ok(client.get(f"/api/listings/{second}"))["listing"]["status"] == "published"
    assert {r["status"] for r in _deposits(services, dear)} == {"refunded"}

    figures = ok(client.get(f"/api/auctions/{session}"))["figures"]
    assert figures == {"lots": 2, "closed": 2, "sold": 1, "sell_through": 5000, "premium": 4000}
    login(client, "wang@fzu.example.cn", PASSWORD)
    for lang, words in (("zh", ("已成交", "竞买人 2", "北京时间")), ("en", ("Sold", "Bidder 2", "Beijing"))):
        client.cookies.set("lang", lang)
        page = client.get(f"/lots/{lot}")
        assert page.status_code == 200
        for word in words:
            assert word in page.text, (lang, word)
        assert "/static/auction-lot.js" in page.text
    client.cookies.set("lang", "zh")
    assert "流拍" in client.get(f"/lots/{dear}").text
    session_page = client.get(f"/auctions/{session}").text
    assert re.search(r'id="figure-sell-through">50 %<', session_page)
    assert re.search(r'id="figure-premium">40 %<', session_page)


def todo_kinds(client: TestClient[Litestar], who: Member) -> list[tuple[str, str]]:
    return [(item["kind"], item["link"]) for item in ok(client.get("/api/todo", headers=who.headers))["items"]]


def _deposits(services: Services, lot: str) -> list[dict[str, Any]]:
    with psycopg.connect(services.address.conninfo(), row_factory=dict_row) as conn:
        return conn.execute("SELECT organisation_id::text, status FROM auction_deposits WHERE lot_id = %s",
                            (lot,)).fetchall()


def test_the_lot_page_forms_register_pay_and_bid(
    client: TestClient[Litestar], services: Services, clock: ManualClock,
) -> None:
    ops = admin(client)
    uni = verified_member(client, services, "wang@fzu.example.cn", "福州大学")
    listing = listed(client, uni, 3)
    enterprise(client, services, "chen@xmzz.example.cn", "厦门智造装备有限公司")
    firm = _member(client, "chen@xmzz.example.cn", PASSWORD)
    session = str(ok(client.post("/api/auctions", json={"title_zh": "秋季拍卖会"}, headers=ops.headers), 201)["id"])
    lot = str(ok(client.post(f"/api/auctions/{session}/lots", json=lot_body(session, listing), headers=ops.headers),
                 201)["id"])
    assert ("auction_consent", f"/lots/{lot}") in todo_kinds(client, uni)
    login(client, "wang@fzu.example.cn", PASSWORD)
    consent = client.post(f"/lots/{lot}/consent", data={"_csrf_token": csrf_token(client, f"/lots/{lot}")},
                          follow_redirects=False)
    assert consent.status_code == 303
    client.cookies.clear()
    login(client, "chen@xmzz.example.cn", PASSWORD)
    page = client.get(f"/lots/{lot}")
    assert 'id="register-first"' in page.text
    done = client.post(f"/auctions/{session}/register", follow_redirects=False, data={
        "accept_rules": "yes", "_csrf_token": csrf_token(client, f"/auctions/{session}")})
    assert done.status_code == 303
    paying = client.post(f"/lots/{lot}/deposit", data={"_csrf_token": csrf_token(client, f"/lots/{lot}")})
    assert paying.status_code == 200
    assert 'id="instructions"' in paying.text
    reference = re.search(r"<code>(PT-[A-Z0-9]+)</code>", paying.text)
    assert reference is not None
    assert ("auction_deposit", f"/lots/{lot}") in todo_kinds(client, firm)
    assert ("auction_deposit", f"/lots/{lot}") in todo_kinds(client, ops)
    assert ("auction_consent", f"/lots/{lot}") not in todo_kinds(client, uni)
    ok(client.post(f"/api/lots/{lot}/deposit-receipt", headers=ops.headers, json={
        "organisation_id": firm.organisation_id, "amount": 100_000, "bank_reference": reference.group(1)}))
    assert ("auction_deposit", f"/lots/{lot}") not in todo_kinds(client, firm)
    bid = client.post(f"/lots/{lot}/bid", follow_redirects=False, data={
        "amount": "10000.00", "_csrf_token": csrf_token(client, f"/lots/{lot}")})
    assert bid.status_code == 303, bid.text
    again = client.post(f"/lots/{lot}/bid", data={"amount": "11000", "_csrf_token": csrf_token(client, f"/lots/{lot}")})
    assert again.status_code == 409
    assert "您已是最高出价人" in again.text
    proxy = client.post(f"/lots/{lot}/proxy", follow_redirects=False, data={
        "maximum": "15000", "_csrf_token": csrf_token(client, f"/lots/{lot}")})
    assert proxy.status_code == 303, proxy.text
    state = ok(client.get(f"/api/lots/{lot}"))
    assert state["lot"]["current_price"] == 1_000_000  # a maximum bids only when someone else bids
    # The hidden maximum (¥15,000) reaches nobody else: neither the lot's JSON for another organisation nor the
    # page an anonymous reader gets says it.
    seen = client.get(f"/api/lots/{lot}", headers=uni.headers)
    assert seen.status_code == 200
    assert not any(said in seen.text for said in ("1500000", "15000", "15,000"))
    assert "maximum" not in seen.json()["lot"]
    client.cookies.clear()
    page = client.get(f"/lots/{lot}")
    assert page.status_code == 200
    assert f'<dd id="current-price">{money(1_000_000)}</dd>' in page.text  # the page says amounts in 万元
    assert not any(said in page.text for said in ("1500000", "15000", "15,000", money(1_500_000)))
