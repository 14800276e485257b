"""Auctions after the hammer, over HTTP (issue 15): a deposit paid by card through Stripe (localstripe) and the
webhook, a losing bid, the deposit refunded by card at the close; the winner's contract without a public notice,
paid, its hammer price in the valuation records as an auction price; a winner who does not sign and pay within the
session's term forfeits its deposit, its contract ends and the listing is sold again; an exclusive-licence lot is
refused the owner's consent while the patent has an exclusive licence."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from litestar import Litestar
from litestar.testing import TestClient
from psycopg.rows import dict_row

from marketplace.deals.gateways.port import PaymentGatewayError
from marketplace.platform.clock import ManualClock
from marketplace.platform.database import DatabaseAddress
from marketplace.platform.deadlines import DeadlineWorker
from marketplace.platform.services import Services, build_services
from marketplace.platform.settings import Settings
from tests.conftest import patient
from tests.localstripe import Localstripe, WebhookReceiver, confirm_with_test_card
from tests.localstripe import stripe_signature as sign
from tests.web.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, login, post_form, sign_up_verified
from tests.web.test_api import Member, _member, listed, verified_member
from web.app import create_app

PASSWORD = "secret-password-1"
START = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 in Beijing
WEBHOOK_SECRET = "whsec_auction_settlement"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


def _services(database: DatabaseAddress, ipc_scheme: Any, tmp_path: Path, clock: ManualClock,
              env: dict[str, str]) -> Services:
    settings = Settings.from_env({"MARKETPLACE_DATA_DIR": str(tmp_path), "MARKETPLACE_DEMO_DATA": "0", **env})
    svc = build_services(settings, address=database, ipc_scheme=ipc_scheme, clock=clock)
    svc.app.accounts.bootstrap_platform_admin(email=ADMIN_EMAIL, password=ADMIN_PASSWORD,
                                              display_name="Platform Admin", organisation_name="Platform Ops")
    return svc


@pytest.fixture
def stripe_client(database: DatabaseAddress, ipc_scheme: Any, tmp_path: Path, clock: ManualClock,
                  localstripe: Localstripe) -> Iterator[TestClient[Litestar]]:
    svc = _services(database, ipc_scheme, tmp_path, clock, {
        "MARKETPLACE_STRIPE_API_KEY": localstripe.api_key, "MARKETPLACE_STRIPE_API_BASE": localstripe.api_base,
        "MARKETPLACE_STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET, "MARKETPLACE_STRIPE_LOCALSTRIPE": "1",
        "MARKETPLACE_STRIPE_PUBLISHABLE_KEY": "pk_test_auctions"})
    with TestClient(create_app(patient(svc), start_projections=True)) as client:
        yield client
    svc.close()


@pytest.fixture
def manual_client(database: DatabaseAddress, ipc_scheme: Any, tmp_path: Path,
                  clock: ManualClock) -> Iterator[TestClient[Litestar]]:
    svc = _services(database, ipc_scheme, tmp_path, clock, {})
    with TestClient(create_app(patient(svc), start_projections=True)) as client:
        yield client
    svc.close()


@pytest.fixture
def relay(localstripe: Localstripe) -> Iterator[WebhookReceiver]:
    r = WebhookReceiver()
    localstripe.register_webhook(r.url, WEBHOOK_SECRET, webhook_id="wh_auction_settlement")
    yield r
    r.close()


def services_of(client: TestClient[Litestar]) -> Services:
    services: Services = client.app.state.web.services
    return services


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def enterprise(client: TestClient[Litestar], email: str, org: str) -> Member:
    sign_up_verified(client, services_of(client), email, org, kind="enterprise", password=PASSWORD)
    return _member(client, email, PASSWORD)


def session_and_lot(client: TestClient[Litestar], ops: Member, listing: str, **more: Any) -> tuple[str, str]:
    session = str(ok(client.post("/api/auctions", headers=ops.headers, json={
        "title_zh": "2026 春季专利拍卖会", "settle_days": more.pop("settle_days", 10)}), 201)["id"])
    body = {"session_id": session, "listing_id": listing, "kind": "assignment", "start_price": 1_000_000,
            "reserve": 1_000_000, "increment": 100_000, "opens_at": START.isoformat(),
            "closes_at": (START + timedelta(hours=1)).isoformat(), **more}
    lot = str(ok(client.post(f"/api/auctions/{session}/lots", json=body, headers=ops.headers), 201)["id"])
    return session, lot


def by_transfer(client: TestClient[Litestar], ops: Member, who: Member, session: str, lot: str) -> None:
    ok(client.post(f"/api/auctions/{session}/bidders", json={"accept_rules": True}, headers=who.headers), 201)
    ok(client.post(f"/api/lots/{lot}/deposit", json={"gateway": "manual"}, headers=who.headers))
    ok(client.post(f"/api/lots/{lot}/deposit-receipt", headers=ops.headers, json={
        "organisation_id": who.organisation_id, "amount": 100_000, "bank_reference": f"BANK-{who.user_id[:6]}"}))


def run_deadlines(client: TestClient[Litestar]) -> Any:
    services = services_of(client)
    report = DeadlineWorker(services).run_once()
    services.make_runner().catch_up()
    return report


def told_of(client: TestClient[Litestar], lot: str, event: str, *members: Member) -> None:
    """Each member's inbox holds ``event`` once, linking the lot's page."""
    for who in members:
        inbox = ok(client.get("/api/inbox", headers=who.headers))["items"]
        assert [n["link"] for n in inbox if n["event"] == event] == [f"/lots/{lot}"], inbox


def lot_page_says(client: TestClient[Litestar], lot: str, *, zh: tuple[str, ...], en: tuple[str, ...]) -> None:
    """The lot's page, in Chinese and in English, shows each of the words (or marks) given for the language."""
    for lang, words in (("zh", zh), ("en", en)):
        client.cookies.set("lang", lang)
        page = client.get(f"/lots/{lot}")
        assert page.status_code == 200
        for word in words:
            assert word in page.text, (lang, word)


def bank_refuses(client: TestClient[Litestar], monkeypatch: pytest.MonkeyPatch, code: str,
                 why: str) -> Callable[[], None]:
    """The bank transfer gateway refuses every refund (``code``: ``why``) until the function returned is called."""
    bank = services_of(client).app.payments.gateways["manual"]
    original = bank.refund

    def refused(provider_payment_id: str, amount: int, *, idempotency_key: str) -> Any:
        raise PaymentGatewayError(f"{code}: {why}", provider="manual", code=code)

    monkeypatch.setattr(bank, "refund", refused)
    return lambda: monkeypatch.setattr(bank, "refund", original)


def deposits(client: TestClient[Litestar], lot: str) -> dict[str, tuple[str, str]]:
    with psycopg.connect(services_of(client).address.conninfo(), row_factory=dict_row) as conn:
        rows = conn.execute("SELECT organisation_id::text AS org, gateway, status FROM auction_deposits"
                            " WHERE lot_id = %s", (lot,)).fetchall()
    return {r["org"]: (r["gateway"], r["status"]) for r in rows}


def test_a_card_deposit_a_losing_bid_and_the_refund_by_card(
    stripe_client: TestClient[Litestar], clock: ManualClock, localstripe: Localstripe, relay: WebhookReceiver,
) -> None:
    client = stripe_client
    ops = _member(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    uni = verified_member(client, services_of(client), "wang@fzu.example.cn", "福州大学")
    listing = listed(client, uni, 31)
    patent = ok(client.get(f"/api/listings/{listing}"))["patent"]["id"]
    firm = enterprise(client, "chen@xmzz.example.cn", "厦门智造装备有限公司")
    rival = enterprise(client, "lin@qzxc.example.cn", "泉州新材料有限公司")
    session, lot = session_and_lot(client, ops, listing)
    ok(client.post(f"/api/lots/{lot}/consent", headers=uni.headers))

    ok(client.post(f"/api/auctions/{session}/bidders", json={"accept_rules": True}, headers=firm.headers), 201)
    started = ok(client.post(f"/api/lots/{lot}/deposit", json={"gateway": "stripe"}, headers=firm.headers))
    assert started["gateway"] == "stripe"
    assert started["client_secret"]
    intent = started["provider_payment_id"]
    assert intent.startswith("pi_")
    assert localstripe.client.v1.payment_intents.retrieve(intent).to_dict()["amount"] == 100_000
    before = client.post(f"/api/lots/{lot}/bids", json={"amount": 1_000_000}, headers=firm.headers)
    assert before.status_code == 403, before.text  # not received yet
    assert before.json()["code"] == "auction.deposit_needed"
    confirm_with_test_card(localstripe.client, intent)
    body, signature = relay.events_for(intent, {"payment_intent.succeeded"})["payment_intent.succeeded"]
    answer = ok(client.post("/webhooks/stripe", content=body,
                            headers={"Stripe-Signature": signature, "Content-Type": "application/json"}))
    assert answer["duplicate"] is False
    again = ok(client.post("/webhooks/stripe", content=body, headers={"Stripe-Signature": signature}))
    assert again["duplicate"] is True
    assert deposits(client, lot) == {firm.organisation_id: ("stripe", "received")}

    by_transfer(client, ops, rival, session, lot)
    ok(client.post(f"/api/lots/{lot}/bids", json={"amount": 1_000_000}, headers=firm.headers))
    ok(client.post(f"/api/lots/{lot}/bids", json={"amount": 1_100_000}, headers=rival.headers))
    clock.advance(timedelta(hours=2))
    assert run_deadlines(client).lots_closed == [uuid.UUID(lot)]
    assert deposits(client, lot) == {firm.organisation_id: ("stripe", "refunded"),
                                     rival.organisation_id: ("manual", "applied")}
    refunds = [r for r in localstripe.client.v1.refunds.list().to_dict()["data"] if r["payment_intent"] == intent]
    assert [r["amount"] for r in refunds] == [100_000]  # back through the card, once
    # Stripe then reports the refund; its objects carry no metadata: acknowledged (not 503), nothing changes.
    refunded = json.dumps({"id": "evt_deposit_refunded", "type": "charge.refunded", "created": int(time.time()),
                           "data": {"object": {"id": "ch_deposit", "object": "charge", "payment_intent": intent,
                                               "amount": 100_000, "amount_refunded": 100_000,
                                               "status": "succeeded", "refunded": True}}}).encode()
    answer = ok(client.post("/webhooks/stripe", content=refunded,
                            headers={"Stripe-Signature": sign(refunded, WEBHOOK_SECRET)}))
    assert answer["duplicate"] is False
    assert deposits(client, lot)[firm.organisation_id] == ("stripe", "refunded")

    # The winner's contract: no public notice (an auction price is not negotiated); signed and paid, the deposit
    # pays its instalment and the hammer price enters the valuation records as an auction price.
    sold = ok(client.get(f"/api/lots/{lot}"))["lot"]
    contract_id = sold["contract_id"]
    assert sold["settle_by"] is not None
    contract = ok(client.get(f"/api/contracts/{contract_id}", headers=rival.headers))["contract"]
    assert contract["notice_ends_at"] is None
    assert all(n["contract"]["id"] != contract_id for n in ok(client.get("/api/notices"))["items"])
    for party in (rival, uni):
        ok(client.post(f"/api/contracts/{contract_id}/sign", json={"text_sha256": contract["text_sha256"]},
                       headers=party.headers))
    signed = ok(client.get(f"/api/contracts/{contract_id}", headers=rival.headers))
    upfront = next(o for o in signed["obligations"] if o["purpose"] == "upfront")
    ok(client.post(f"/api/obligations/{upfront['id']}/receipt", headers=ops.headers,
                   json={"amount": 1_000_000, "bank_reference": "BANK-rest-of-price"}))
    assert run_deadlines(client).deposits_paid_in == [uuid.UUID(lot)]
    paid = ok(client.get(f"/api/contracts/{contract_id}", headers=rival.headers))
    assert paid["contract"]["status"] == "in_force"
    assert {o["purpose"]: o["status"] for o in paid["obligations"]} == {"upfront": "paid", "instalment-2": "paid"}
    record = ok(client.get(f"/api/patents/{patent}/valuations"))
    assert [(p["price"], p["deal_type"], p["source"]) for p in record["prices"]] == [
        (1_100_000, "assignment", "auction")]
    login(client, "wang@fzu.example.cn", PASSWORD)
    client.cookies.set("lang", "zh")
    assert "拍卖成交价" in client.get(f"/patents/{patent}/valuations").text


def test_a_winner_who_does_not_sign_and_pay_forfeits_and_the_listing_sells_again(
    manual_client: TestClient[Litestar], clock: ManualClock,
) -> None:
    client = manual_client
    _, uni, firm, rival, listing, lot = _sold_to_firm(client)
    session = ok(client.get(f"/api/lots/{lot}"))["lot"]["session_id"]
    assert ok(client.get(f"/api/auctions/{session}"))["session"]["settle_days"] == 3
    clock.advance(timedelta(hours=2))  # closed at 12:00 on 2 March, Beijing time
    assert run_deadlines(client).lots_closed == [uuid.UUID(lot)]
    sold = ok(client.get(f"/api/lots/{lot}"))["lot"]
    # Three Beijing days after the close's day: to the end of 5 March in Beijing (16:00 UTC).
    assert datetime.fromisoformat(sold["settle_by"]) == datetime(2026, 3, 5, 16, 0, tzinfo=UTC)
    offered = client.post(f"/api/listings/{listing}/offers", headers=rival.headers,
                          json={"kind": "assignment", "price": 50_000_000, "valid_days": 14})
    assert offered.status_code == 409  # the winner's contract holds the patent while its term runs
    assert offered.json()["code"] == "patent.reserved"

    clock.set(datetime(2026, 3, 5, 15, 59, tzinfo=UTC))
    assert run_deadlines(client).lots_forfeited == []
    clock.set(datetime(2026, 3, 5, 16, 0, tzinfo=UTC))
    assert run_deadlines(client).lots_forfeited == [uuid.UUID(lot)]
    assert run_deadlines(client).lots_forfeited == []  # once
    forfeited = ok(client.get(f"/api/lots/{lot}"))["lot"]
    assert (forfeited["status"], forfeited["outcome"]) == ("forfeited", "forfeited")
    assert deposits(client, lot) == {firm.organisation_id: ("manual", "forfeited"),
                                     rival.organisation_id: ("manual", "refunded")}
    contract = ok(client.get(f"/api/contracts/{sold['contract_id']}", headers=firm.headers))["contract"]
    assert contract["status"] == "terminated"
    assert ok(client.get(f"/api/listings/{listing}"))["listing"]["status"] == "published"
    figures = ok(client.get(f"/api/auctions/{session}"))["figures"]
    assert (figures["closed"], figures["sold"]) == (1, 0)
    # The patent is sellable again: an ordinary offer on the listing is made and accepted.
    offered = ok(client.post(f"/api/listings/{listing}/offers", headers=rival.headers,
                             json={"kind": "assignment", "price": 50_000_000, "valid_days": 14}), 201)
    ok(client.post(f"/api/offers/{offered['id']}/accept", headers=uni.headers))
    # The winner and the seller are told in their inboxes, once each.
    told_of(client, lot, "auction.forfeited", firm, uni)
    assert not any(n["event"] == "auction.forfeited"
                   for n in ok(client.get("/api/inbox", headers=rival.headers))["items"])
    lot_page_says(client, lot, zh=("买受人悔拍", "保证金不予退还"), en=("Winner forfeited", "deposit is forfeited"))


def test_an_exclusive_licence_lot_is_refused_while_the_patent_has_an_exclusive_licence(
    manual_client: TestClient[Litestar], clock: ManualClock,
) -> None:
    client = manual_client
    ops = _member(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    uni = verified_member(client, services_of(client), "wang@fzu.example.cn", "福州大学")
    listing = listed(client, uni, 33, deal_types=["assignment", "exclusive_licence"], price_mode="negotiable",
                     asking_price=None)
    firm = enterprise(client, "chen@xmzz.example.cn", "厦门智造装备有限公司")
    offer = ok(client.post(f"/api/listings/{listing}/offers", headers=firm.headers, json={
        "kind": "exclusive_licence", "price": 5_000_000, "valid_days": 14,
        "scope": {"field_of_use": "动力电池", "territory": "福建省", "start": "2026-04-01", "end": "2031-04-01"}}), 201)
    ok(client.post(f"/api/offers/{offer['id']}/accept", headers=uni.headers))
    _, lot = session_and_lot(client, ops, listing, kind="exclusive_licence")
    refused = client.post(f"/api/lots/{lot}/consent", headers=uni.headers)
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "licence.overlap"
    # Still proposed (seen by its owner: an unconsented lot is not public).
    assert ok(client.get(f"/api/lots/{lot}", headers=uni.headers))["lot"]["status"] == "proposed"
    # An assignment lot of the same listing is consented: licences survive a transfer.
    _, other = session_and_lot(client, ops, listing)
    ok(client.post(f"/api/lots/{other}/consent", headers=uni.headers))
    assert ok(client.get(f"/api/lots/{other}"))["lot"]["status"] == "ready"


def _sold_to_firm(client: TestClient[Litestar]) -> tuple[Member, Member, Member, Member, str, str]:
    """A lot sold to the firm at 1,200,000 (the rival bid 1,000,000), closed at 12:00 on 2 March in Beijing with a
    term of three days (to the end of 5 March in Beijing, 16:00 UTC)."""
    ops = _member(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    uni = verified_member(client, services_of(client), "wang@fzu.example.cn", "福州大学")
    listing = listed(client, uni, 32)
    firm = enterprise(client, "chen@xmzz.example.cn", "厦门智造装备有限公司")
    rival = enterprise(client, "lin@qzxc.example.cn", "泉州新材料有限公司")
    session, lot = session_and_lot(client, ops, listing, settle_days=3)
    ok(client.post(f"/api/lots/{lot}/consent", headers=uni.headers))
    by_transfer(client, ops, firm, session, lot)
    by_transfer(client, ops, rival, session, lot)
    ok(client.post(f"/api/lots/{lot}/bids", json={"amount": 1_000_000}, headers=rival.headers))
    ok(client.post(f"/api/lots/{lot}/bids", json={"amount": 1_200_000}, headers=firm.headers))
    return ops, uni, firm, rival, listing, lot


def _signed_by_both(client: TestClient[Litestar], lot: str, winner: Member, seller: Member) -> str:
    """The closed lot's contract, signed by the winner and then the seller; its id."""
    contract_id = str(ok(client.get(f"/api/lots/{lot}"))["lot"]["contract_id"])
    contract = ok(client.get(f"/api/contracts/{contract_id}", headers=winner.headers))["contract"]
    for party in (winner, seller):
        ok(client.post(f"/api/contracts/{contract_id}/sign", json={"text_sha256": contract["text_sha256"]},
                       headers=party.headers))
    return contract_id


def test_a_seller_who_ends_the_auction_contract_defaults_and_the_winner_gets_its_deposit_back(
    manual_client: TestClient[Litestar], clock: ManualClock,
) -> None:
    client = manual_client
    _, uni, firm, rival, listing, lot = _sold_to_firm(client)
    clock.advance(timedelta(hours=2))
    assert run_deadlines(client).lots_closed == [uuid.UUID(lot)]
    contract = ok(client.get(f"/api/lots/{lot}"))["lot"]["contract_id"]
    ok(client.post(f"/api/contracts/{contract}/terminate", headers=uni.headers, json={"reason": "另有买家"}))
    # The seller's default is certain once it ended the contract: settled at once, not when the term runs out.
    state = ok(client.get(f"/api/lots/{lot}"))
    assert state["lot"]["status"] == "seller_default"
    clock.set(datetime(2026, 3, 5, 16, 0, tzinfo=UTC))
    assert run_deadlines(client).lots_forfeited == []
    state = ok(client.get(f"/api/lots/{lot}"))
    assert (state["lot"]["status"], state["lot"]["outcome"], state["phase"]) == (
        "seller_default", "seller_default", "closed")
    assert [(b["bidder_number"], b["amount"]) for b in state["bids"]] == [(2, 1_000_000), (1, 1_200_000)]
    assert deposits(client, lot) == {firm.organisation_id: ("manual", "refunded"),
                                     rival.organisation_id: ("manual", "refunded")}
    assert ok(client.get(f"/api/listings/{listing}"))["listing"]["status"] == "published"
    for who in (firm, uni):
        inbox = ok(client.get("/api/inbox", headers=who.headers))["items"]
        assert [n["link"] for n in inbox if n["event"] == "auction.seller_default"] == [f"/lots/{lot}"], inbox
        assert not any(n["event"] == "auction.forfeited" for n in inbox)
    assert not any(n["event"] == "auction.seller_default"
                   for n in ok(client.get("/api/inbox", headers=rival.headers))["items"])
    lot_page_says(client, lot, zh=("出卖方违约，未成交", "买受人保证金全额退还", 'id="bid-log"'),
                  en=("Seller defaulted: not sold", "deposit is refunded in full", 'id="bid-log"'))


def test_a_forfeited_lot_keeps_its_public_bid_log(manual_client: TestClient[Litestar], clock: ManualClock) -> None:
    client = manual_client
    _, _, _, _, _, lot = _sold_to_firm(client)
    clock.advance(timedelta(hours=2))
    run_deadlines(client)
    clock.set(datetime(2026, 3, 5, 16, 0, tzinfo=UTC))
    assert run_deadlines(client).lots_forfeited == [uuid.UUID(lot)]
    state = ok(client.get(f"/api/lots/{lot}"))
    assert (state["lot"]["status"], state["phase"]) == ("forfeited", "closed")
    assert [(b["bidder_number"], b["amount"]) for b in state["bids"]] == [(2, 1_000_000), (1, 1_200_000)]


def test_a_refund_the_bank_refuses_is_owed_shown_to_the_platform_and_retried(
    manual_client: TestClient[Litestar], clock: ManualClock, monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = manual_client
    ops, _, firm, rival, _, lot = _sold_to_firm(client)
    bank_works_again = bank_refuses(client, monkeypatch, "charge_disputed", "the charge is disputed")
    clock.advance(timedelta(hours=2))
    assert run_deadlines(client).lots_closed == [uuid.UUID(lot)]  # the close is saved all the same
    assert ok(client.get(f"/api/lots/{lot}"))["lot"]["status"] == "sold"
    assert deposits(client, lot) == {firm.organisation_id: ("manual", "applied"),
                                     rival.organisation_id: ("manual", "refund_owed")}
    owed = [(i["kind"], i["link"]) for i in ok(client.get("/api/todo", headers=ops.headers))["items"]
            if i["kind"] == "auction_refund_owed"]
    assert owed == [("auction_refund_owed", f"/lots/{lot}")]
    assert not any(i["kind"] == "auction_refund_owed"
                   for i in ok(client.get("/api/todo", headers=rival.headers))["items"])
    assert run_deadlines(client).refunds_retried == []  # refused again: still owed
    bank_works_again()
    assert run_deadlines(client).refunds_retried == [uuid.UUID(lot)]
    assert deposits(client, lot)[rival.organisation_id] == ("manual", "refunded")
    assert run_deadlines(client).refunds_retried == []
    assert not any(i["kind"] == "auction_refund_owed"
                   for i in ok(client.get("/api/todo", headers=ops.headers))["items"])


def second_payments(client: TestClient[Litestar], lot: str) -> list[tuple[str, int, str]]:
    with psycopg.connect(services_of(client).address.conninfo(), row_factory=dict_row) as conn:
        rows = conn.execute("SELECT gateway, amount, status FROM auction_second_payments WHERE lot_id = %s"
                            " ORDER BY updated_at", (lot,)).fetchall()
    return [(r["gateway"], r["amount"], r["status"]) for r in rows]


def test_a_deposit_paid_by_transfer_and_by_card_keeps_one_and_refunds_the_card(
    stripe_client: TestClient[Litestar], localstripe: Localstripe, relay: WebhookReceiver,
) -> None:
    client = stripe_client
    ops = _member(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    uni = verified_member(client, services_of(client), "wang@fzu.example.cn", "福州大学")
    listing = listed(client, uni, 34)
    firm = enterprise(client, "chen@xmzz.example.cn", "厦门智造装备有限公司")
    session, lot = session_and_lot(client, ops, listing)
    ok(client.post(f"/api/lots/{lot}/consent", headers=uni.headers))
    ok(client.post(f"/api/auctions/{session}/bidders", json={"accept_rules": True}, headers=firm.headers), 201)
    ok(client.post(f"/api/lots/{lot}/deposit", json={"gateway": "manual"}, headers=firm.headers))
    intent = ok(client.post(f"/api/lots/{lot}/deposit", json={"gateway": "stripe"},
                            headers=firm.headers))["provider_payment_id"]
    confirm_with_test_card(localstripe.client, intent)  # the card is paid ...
    ok(client.post(f"/api/lots/{lot}/deposit-receipt", headers=ops.headers, json={  # ... and so is the transfer
        "organisation_id": firm.organisation_id, "amount": 100_000, "bank_reference": "BANK-first"}))
    body, signature = relay.events_for(intent, {"payment_intent.succeeded"})["payment_intent.succeeded"]
    ok(client.post("/webhooks/stripe", content=body, headers={"Stripe-Signature": signature}))
    services_of(client).make_runner().catch_up()
    assert deposits(client, lot) == {firm.organisation_id: ("manual", "received")}  # counted once
    refunds = [r for r in localstripe.client.v1.refunds.list().to_dict()["data"] if r["payment_intent"] == intent]
    assert [r["amount"] for r in refunds] == [100_000]  # the card money went back at once
    assert second_payments(client, lot) == [("stripe", 100_000, "refunded")]
    assert run_deadlines(client).refunds_retried == []  # nothing owed
    told_of(client, lot, "auction.second_payment_refunded", firm)


def test_a_card_payment_made_in_time_holds_off_the_forfeit_until_its_webhook_arrives(
    stripe_client: TestClient[Litestar], clock: ManualClock, localstripe: Localstripe, relay: WebhookReceiver,
) -> None:
    client = stripe_client
    _, uni, firm, _, _, lot = _sold_to_firm(client)
    clock.advance(timedelta(hours=2))
    assert run_deadlines(client).lots_closed == [uuid.UUID(lot)]
    contract_id = _signed_by_both(client, lot, firm, uni)
    intent = ok(client.post(f"/api/contracts/{contract_id}/payments", headers=firm.headers,
                            json={"purpose": "upfront", "gateway": "stripe"}), 201)["provider_payment_id"]
    confirm_with_test_card(localstripe.client, intent)  # paid within the term; the webhook is held up
    clock.set(datetime(2026, 3, 5, 16, 0, tzinfo=UTC))
    report = run_deadlines(client)
    assert report.lots_forfeited == []
    assert ok(client.get(f"/api/lots/{lot}"))["lot"]["status"] == "sold"
    assert deposits(client, firm_lot := lot)[firm.organisation_id] == ("manual", "applied")
    body, signature = relay.events_for(intent, {"payment_intent.succeeded"})["payment_intent.succeeded"]
    ok(client.post("/webhooks/stripe", content=body, headers={"Stripe-Signature": signature}))
    assert run_deadlines(client).deposits_paid_in == [uuid.UUID(firm_lot)]
    paid = ok(client.get(f"/api/contracts/{contract_id}", headers=firm.headers))
    assert paid["contract"]["status"] == "in_force"
    assert {o["purpose"]: o["status"] for o in paid["obligations"]} == {"upfront": "paid", "instalment-2": "paid"}
    assert run_deadlines(client).lots_forfeited == []


def test_the_instalment_the_deposit_pays_is_not_offered_to_the_winner(
    manual_client: TestClient[Litestar], clock: ManualClock,
) -> None:
    client = manual_client
    ops, uni, firm, _, _, lot = _sold_to_firm(client)
    clock.advance(timedelta(hours=2))
    run_deadlines(client)
    contract_id = _signed_by_both(client, lot, firm, uni)
    services_of(client).make_runner().catch_up()
    obligations = {o["purpose"]: o for o in ok(client.get(f"/api/contracts/{contract_id}",
                                                          headers=firm.headers))["obligations"]}
    covered = obligations["instalment-2"]
    assert covered["paid_from"] == "auction_deposit"
    assert "paid_from" not in obligations["upfront"]
    refused = client.post(f"/api/contracts/{contract_id}/payments", headers=firm.headers,
                          json={"purpose": "instalment-2", "gateway": "manual"})
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "payment.paid_from_held"
    receipt = client.post(f"/api/obligations/{covered['id']}/receipt", headers=ops.headers,
                          json={"amount": 100_000, "bank_reference": "BANK-twice"})
    assert receipt.status_code == 409, receipt.text
    assert receipt.json()["code"] == "payment.paid_from_held"
    login(client, "chen@xmzz.example.cn", PASSWORD)
    for lang, words, refusal in (
            ("zh", "由平台以买受人已交纳的竞买保证金支付", "无需另行付款"),
            ("en", "auction deposit the platform holds", "it is not paid again")):
        client.cookies.set("lang", lang)
        page = client.get(f"/payments/{covered['id']}")
        assert page.status_code == 200
        assert 'id="paid-from"' in page.text
        assert words in page.text, lang
        assert 'id="start-payment"' not in page.text  # no way to pay it from the page
        upfront = client.get(f"/payments/{obligations['upfront']['id']}")
        assert 'id="start-payment"' in upfront.text
        assert 'id="paid-from"' not in upfront.text
        posted = post_form(client, f"/payments/{covered['id']}/start", {"gateway": "manual"},
                           form_page=f"/payments/{obligations['upfront']['id']}")
        assert posted.status_code == 409, posted.text
        assert refusal in posted.text, lang
    # The winner's to-do list does not ask it to pay the deposit's instalment.
    owed = [i for i in ok(client.get("/api/todo", headers=firm.headers))["items"] if covered["id"] in i["link"]]
    assert owed == []


def test_a_payment_taken_in_time_whose_webhook_comes_after_the_forfeit_undoes_it(
    stripe_client: TestClient[Litestar], clock: ManualClock, localstripe: Localstripe,
) -> None:
    client = stripe_client
    _, uni, firm, _, _, lot = _sold_to_firm(client)
    clock.advance(timedelta(hours=2))
    run_deadlines(client)
    contract_id = _signed_by_both(client, lot, firm, uni)
    started = ok(client.post(f"/api/contracts/{contract_id}/payments", headers=firm.headers,
                             json={"purpose": "upfront", "gateway": "stripe"}), 201)
    term = datetime(2026, 3, 5, 16, 0, tzinfo=UTC)
    clock.set(term)  # the provider has nothing under way yet: the winner forfeits
    assert run_deadlines(client).lots_forfeited == [uuid.UUID(lot)]
    confirm_with_test_card(localstripe.client, started["provider_payment_id"])
    # Stripe's own record: the money was taken at 23:00 on 5 March (Beijing), within the term; the event reaches
    # the platform only now.
    body = json.dumps({"id": "evt_upfront_late", "type": "payment_intent.succeeded",
                       "created": int((term - timedelta(hours=1)).timestamp()),
                       "data": {"object": {"id": started["provider_payment_id"], "object": "payment_intent",
                                           "amount": 1_100_000, "status": "succeeded",
                                           "metadata": {"obligation_id": started["obligation_id"]}}}}).encode()
    ok(client.post("/webhooks/stripe", content=body, headers={"Stripe-Signature": sign(body, WEBHOOK_SECRET)}))
    services_of(client).make_runner().catch_up()
    state = ok(client.get(f"/api/lots/{lot}"))["lot"]
    assert (state["status"], state["outcome"]) == ("unwound", "unwound")
    assert deposits(client, lot)[firm.organisation_id] == ("manual", "refunded")
    refunds = [r for r in localstripe.client.v1.refunds.list().to_dict()["data"]
               if r["payment_intent"] == started["provider_payment_id"]]
    assert [r["amount"] for r in refunds] == [1_100_000]
    obligation = ok(client.get(f"/api/obligations/{started['obligation_id']}", headers=firm.headers))
    assert obligation["status"] == "refunded"
    told_of(client, lot, "auction.forfeit_unwound", firm, uni)
    lot_page_says(client, lot, zh=("悔拍已撤销", "价款与保证金全额退还"),
                  en=("Forfeit undone", "the payment and the deposit are refunded in full"))


def test_a_second_bank_receipt_the_bank_will_not_refund_is_owed_shown_and_retried(
    manual_client: TestClient[Litestar], monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = manual_client
    ops, _, firm, _, _, lot = _sold_to_firm(client)
    bank_works_again = bank_refuses(client, monkeypatch, "account_closed", "the payer's account is closed")
    ok(client.post(f"/api/lots/{lot}/deposit-receipt", headers=ops.headers, json={
        "organisation_id": firm.organisation_id, "amount": 100_000, "bank_reference": "BANK-again"}))
    services_of(client).make_runner().catch_up()
    assert second_payments(client, lot) == [("manual", 100_000, "refund_owed")]
    owed = [(i["kind"], i["link"], i["title_en"].rsplit(" · ", 1)[-1])
            for i in ok(client.get("/api/todo", headers=ops.headers))["items"] if i["kind"] == "auction_refund_owed"]
    assert owed == [("auction_refund_owed", f"/lots/{lot}", "BANK-again")]
    assert run_deadlines(client).refunds_retried == []
    bank_works_again()
    assert run_deadlines(client).refunds_retried == [uuid.UUID(lot)]
    assert second_payments(client, lot) == [("manual", 100_000, "refunded")]
    assert not any(i["kind"] == "auction_refund_owed"
                   for i in ok(client.get("/api/todo", headers=ops.headers))["items"])
