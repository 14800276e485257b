# ruff: noqa: F811 - pytest fixtures imported from other test modules are parameters here
"""Issue 15's "done when", as one HTTP journey: a session with three lots run end to end.

- Lot A, timed: the firm pays its deposit by card (Stripe through localstripe, received by the webhook), the rival by
  bank transfer; the rival's proxy bid answers the firm's bids, the firm's sniping bid three minutes before the end
  moves the end five minutes; the rival wins at 14,000 yuan and the firm's card deposit is refunded through Stripe.
- Lot B, sealed second price: three bidders commit, two reveal, the third never does and forfeits its deposit; the
  firm wins at the second bid, 13,000 yuan; the rival is refunded.
- Lot C, timed: its only bid misses the shown reserve; not sold, the bidder refunded, the listing published again.

Then the rival signs and pays lot A's contract (its deposit pays the last instalment) while the firm lets lot B's
term run out: the deadline worker, driven by the test clock, forfeits the firm's deposit at the term's end, ends the
contract and publishes the listing again. Finally an audit export is checked by ``marketplace auction verify`` and by
the stdlib script ``docs/verify_auction.py``: both agree with each lot's recorded result."""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from domain.auctions.sealed import commitment_of
from marketplace.audit.chain import export
from marketplace.platform.cli import main
from marketplace.platform.clock import ManualClock
from tests.localstripe import Localstripe, WebhookReceiver, confirm_with_test_card
from tests.web.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, csrf_token, login
from tests.web.test_api import Member, _member, listed, verified_member
from tests.web.test_auction_admin_pages import form, lot_form, schedule
from tests.web.test_auction_settlement_web import (  # noqa: F401 - clock, relay, stripe_client: fixtures
    PASSWORD,
    START,
    clock,
    deposits,
    enterprise,
    ok,
    relay,
    run_deadlines,
    services_of,
    stripe_client,
)

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "verify_auction.py"
MINUTE, HOUR = timedelta(minutes=1), timedelta(hours=1)
SALTS = {"firm": "1a" * 32, "rival": "2b" * 32, "third": "3c" * 32}


def lot_body(session: str, listing: str, **more: Any) -> dict[str, Any]:
    return {"session_id": session, "listing_id": listing, "kind": "assignment", "start_price": 1_000_000,
            "reserve": 1_200_000, "increment": 100_000, "opens_at": START.isoformat(),
            "closes_at": (START + HOUR).isoformat(), **more}


def by_transfer(client: TestClient[Litestar], ops: Member, who: Member, lot: str, reference: str) -> None:
    started = ok(client.post(f"/api/lots/{lot}/deposit", json={"gateway": "manual"}, headers=who.headers))
    assert started["gateway"] == "manual"
    ok(client.post(f"/api/lots/{lot}/deposit-receipt", headers=ops.headers, json={
        "organisation_id": who.organisation_id, "amount": 100_000, "bank_reference": reference}))


def bid(client: TestClient[Litestar], who: Member, lot: str, amount: int) -> Any:
    return client.post(f"/api/lots/{lot}/bids", json={"amount": amount}, headers=who.headers)


def test_a_session_of_three_lots_from_deposits_to_the_verifier(
    stripe_client: TestClient[Litestar], clock: ManualClock, localstripe: Localstripe, relay: WebhookReceiver,
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    client = stripe_client
    ops = _member(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    uni = verified_member(client, services_of(client), "wang@fzu.example.cn", "福州大学")
    timed, sealed, dear = listed(client, uni, 41), listed(client, uni, 42), listed(client, uni, 43)
    firm = enterprise(client, "chen@xmzz.example.cn", "厦门智造装备有限公司")
    rival = enterprise(client, "lin@qzxc.example.cn", "泉州新材料有限公司")
    third = enterprise(client, "he@zzxc.example.cn", "漳州新材料有限公司")
    session = str(ok(client.post("/api/auctions", headers=ops.headers, json={
        "title_zh": "2026 春季专利拍卖会", "title_en": "Spring 2026 patent auction", "deposit_rate": 1000,
        "settle_days": 3}), 201)["id"])
    a = str(ok(client.post(f"/api/auctions/{session}/lots", json=lot_body(session, timed), headers=ops.headers),
               201)["id"])
    b = str(ok(client.post(f"/api/auctions/{session}/lots", headers=ops.headers, json=lot_body(
        session, sealed, auction_format="sealed_second_price", reveal_closes_at=(START + 2 * HOUR).isoformat())),
        201)["id"])
    c = str(ok(client.post(f"/api/auctions/{session}/lots", headers=ops.headers, json=lot_body(
        session, dear, reserve=9_000_000, reserve_shown=True)), 201)["id"])
    for lot in (a, b, c):
        ok(client.post(f"/api/lots/{lot}/consent", headers=uni.headers))
    numbers = [ok(client.post(f"/api/auctions/{session}/bidders", json={"accept_rules": True}, headers=m.headers),
                  201)["bidder_number"] for m in (firm, rival, third)]
    assert numbers == [1, 2, 3]

    # Deposits: the firm's for lot A by card, every other by bank transfer.
    started = ok(client.post(f"/api/lots/{a}/deposit", json={"gateway": "stripe"}, headers=firm.headers))
    intent = started["provider_payment_id"]
    assert localstripe.client.v1.payment_intents.retrieve(intent).to_dict()["amount"] == 100_000
    assert bid(client, firm, a, 1_000_000).json()["code"] == "auction.deposit_needed"  # not received yet
    confirm_with_test_card(localstripe.client, intent)
    body, signature = relay.events_for(intent, {"payment_intent.succeeded"})["payment_intent.succeeded"]
    ok(client.post("/webhooks/stripe", content=body,
                   headers={"Stripe-Signature": signature, "Content-Type": "application/json"}))
    by_transfer(client, ops, rival, a, "BANK-A-rival")
    for who, m in (("firm", firm), ("rival", rival), ("third", third)):
        by_transfer(client, ops, m, b, f"BANK-B-{who}")
    by_transfer(client, ops, rival, c, "BANK-C-rival")
    assert deposits(client, a) == {firm.organisation_id: ("stripe", "received"),
                                   rival.organisation_id: ("manual", "received")}

    # Lot A: the firm opens; the rival's proxy (maximum 15,000 yuan) bids for it at once.
    ok(bid(client, firm, a, 1_000_000))
    ok(client.post(f"/api/lots/{a}/proxy", json={"maximum": 1_500_000}, headers=rival.headers))
    live = ok(client.get(f"/api/lots/{a}"))["lot"]
    assert (live["current_price"], live["leader_number"]) == (1_100_000, 2)
    # Lot B: three commitments (digests only); lot C: one bid under the shown reserve.
    for who, m, amount in (("firm", firm, 1_500_000), ("rival", rival, 1_300_000), ("third", third, 9_000_000)):
        ok(client.post(f"/api/lots/{b}/commitments", headers=m.headers,
                       json={"commitment": commitment_of(b, numbers[("firm", "rival", "third").index(who)],
                                                         amount, SALTS[who])}))
    ok(bid(client, rival, c, 1_000_000))

    # Three minutes before the end the firm snipes: the end moves five minutes; the proxy answers at once.
    clock.set(START + 57 * MINUTE)
    ok(bid(client, firm, a, 1_300_000))
    live = ok(client.get(f"/api/lots/{a}"))
    assert datetime.fromisoformat(live["lot"]["closes_at"]) == START + 65 * MINUTE
    assert (live["lot"]["current_price"], live["lot"]["leader_number"]) == (1_400_000, 2)
    tied = bid(client, firm, a, 1_500_000)  # the rival's earlier maximum holds at 15,000
    assert tied.status_code == 400, tied.text
    assert tied.json()["code"] == "auction.bid_too_low"

    # The reveal window: the firm and the rival reveal, the third does not.
    clock.set(START + 61 * MINUTE)
    for who, m, amount in (("firm", firm, 1_500_000), ("rival", rival, 1_300_000)):
        ok(client.post(f"/api/lots/{b}/reveals", json={"amount": amount, "salt": SALTS[who]}, headers=m.headers))
    assert run_deadlines(client).lots_closed == [uuid.UUID(c)]  # A's end moved; B is revealing
    assert ok(client.get(f"/api/lots/{a}"))["seconds_left"] == 4 * 60  # A is still open: its end moved
    clock.set(START + 66 * MINUTE)
    assert run_deadlines(client).lots_closed == [uuid.UUID(a)]
    clock.set(START + 2 * HOUR)
    assert run_deadlines(client).lots_closed == [uuid.UUID(b)]

    # The results, each lot's log public with bidder numbers only.
    sold_a = ok(client.get(f"/api/lots/{a}"))
    assert (sold_a["lot"]["status"], sold_a["lot"]["price"]) == ("sold", 1_400_000)
    assert [(x["bidder_number"], x["amount"]) for x in sold_a["bids"]] == [
        (1, 1_000_000), (2, 1_100_000), (1, 1_300_000), (2, 1_400_000)]
    assert all("organisation_id" not in x for x in sold_a["bids"])
    sold_b = ok(client.get(f"/api/lots/{b}"))
    assert (sold_b["lot"]["status"], sold_b["lot"]["price"]) == ("sold", 1_300_000)
    assert [(x["bidder_number"], x["amount"], x["forfeited"]) for x in sold_b["commitments"]] == [
        (1, 1_500_000, False), (2, 1_300_000, False), (3, None, True)]
    unsold = ok(client.get(f"/api/lots/{c}"))["lot"]
    assert (unsold["status"], unsold["outcome"], unsold["contract_id"]) == ("unsold", "reserve_not_met", None)
    assert ok(client.get(f"/api/listings/{dear}"))["listing"]["status"] == "published"

    # Deposits: losers refunded at once (the card one through Stripe), the unrevealed commitment forfeited.
    assert deposits(client, a) == {firm.organisation_id: ("stripe", "refunded"),
                                   rival.organisation_id: ("manual", "applied")}
    refunds = [r for r in localstripe.client.v1.refunds.list().to_dict()["data"] if r["payment_intent"] == intent]
    assert [r["amount"] for r in refunds] == [100_000]
    assert deposits(client, b) == {firm.organisation_id: ("manual", "applied"),
                                   rival.organisation_id: ("manual", "refunded"),
                                   third.organisation_id: ("manual", "forfeited")}
    assert deposits(client, c) == {rival.organisation_id: ("manual", "refunded")}

    # Both winners have three Beijing days: to the end of 5 March in Beijing (16:00 UTC).
    term_end = datetime(2026, 3, 5, 16, 0, tzinfo=UTC)
    for sold in (sold_a, sold_b):
        assert datetime.fromisoformat(sold["lot"]["settle_by"]) == term_end

    # The rival signs and pays lot A's contract; its deposit pays the last instalment.
    contract_a = sold_a["lot"]["contract_id"]
    contract = ok(client.get(f"/api/contracts/{contract_a}", headers=rival.headers))["contract"]
    assert (contract["buyer_organisation_id"], contract["terms"]["price"]) == (rival.organisation_id, 1_400_000)
    for party in (rival, uni):
        ok(client.post(f"/api/contracts/{contract_a}/sign", json={"text_sha256": contract["text_sha256"]},
                       headers=party.headers))
    signed = ok(client.get(f"/api/contracts/{contract_a}", headers=rival.headers))
    assert {o["purpose"]: (o["amount"], o["status"]) for o in signed["obligations"]} == {
        "upfront": (1_300_000, "due"), "instalment-2": (100_000, "due")}
    upfront = next(o for o in signed["obligations"] if o["purpose"] == "upfront")
    ok(client.post(f"/api/obligations/{upfront['id']}/receipt", headers=ops.headers,
                   json={"amount": 1_300_000, "bank_reference": "BANK-A-price"}))
    clock.set(START + 3 * HOUR)
    assert run_deadlines(client).deposits_paid_in == [uuid.UUID(a)]
    paid = ok(client.get(f"/api/contracts/{contract_a}", headers=rival.headers))
    assert paid["contract"]["status"] == "in_force"
    assert {o["purpose"]: (o["amount"], o["status"]) for o in paid["obligations"]} == {
        "upfront": (1_300_000, "paid"), "instalment-2": (100_000, "paid")}

    # The firm neither signs nor pays lot B's contract: at the term's end (not a minute before) it forfeits.
    clock.set(term_end - MINUTE)
    assert run_deadlines(client).lots_forfeited == []
    clock.set(term_end)
    assert run_deadlines(client).lots_forfeited == [uuid.UUID(b)]
    assert run_deadlines(client).lots_forfeited == []  # once
    forfeited = ok(client.get(f"/api/lots/{b}"))["lot"]
    assert (forfeited["status"], forfeited["outcome"]) == ("forfeited", "forfeited")
    assert deposits(client, b)[firm.organisation_id] == ("manual", "forfeited")
    contract_b = ok(client.get(f"/api/contracts/{sold_b['lot']['contract_id']}", headers=firm.headers))["contract"]
    assert contract_b["status"] == "terminated"
    assert ok(client.get(f"/api/listings/{sealed}"))["listing"]["status"] == "published"
    assert ok(client.get(f"/api/lots/{a}"))["lot"]["status"] == "sold"  # the paid lot stays sold
    figures = ok(client.get(f"/api/auctions/{session}"))["figures"]
    assert figures == {"lots": 3, "closed": 3, "sold": 1, "sell_through": 3333, "premium": 4000}

    # The verifiers, from an audit export alone, agree with each lot's recorded result.
    services = services_of(client)
    services.make_runner().catch_up()
    path = tmp_path / "audit.jsonl"
    export(services.address.conninfo(), path)
    capsys.readouterr()
    for lot in (a, b, c):
        assert main(["auction", "verify", lot, "--export", str(path)]) == 0
    said = capsys.readouterr().out
    assert said.count("hash chain of the export: intact") == 3
    assert f"recomputed winner {rival.organisation_id}, price 1400000" in said
    assert f"recomputed winner {firm.organisation_id}, price 1300000" in said
    assert "sealed: 3 commitments, 2 revealed, 1 forfeited" in said
    assert said.count("OK: the recorded result is the one the bids give") == 3
    checked = subprocess.run([sys.executable, "-I", str(SCRIPT), str(path), a, b, c], capture_output=True,
                             text=True, timeout=120, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    lines = checked.stdout.splitlines()
    assert lines[0] == "hash chain: intact"
    assert f"OK   lot {a} (timed): recorded sold; recomputed winner {rival.organisation_id}, price 1400000" in lines
    assert (f"OK   lot {b} (sealed_second_price): recorded sold; recomputed winner {firm.organisation_id}, "
            "price 1300000") in lines
    assert f"OK   lot {c} (timed): recorded reserve_not_met; recomputed winner None, price None" in lines
    assert lines[-1] == "OK: every result is the one the bids give"


def test_a_sealed_lot_added_from_the_admin_form_and_a_card_deposit_from_the_lot_page(
    stripe_client: TestClient[Litestar], clock: ManualClock, localstripe: Localstripe, relay: WebhookReceiver,
) -> None:
    client = stripe_client
    uni = verified_member(client, services_of(client), "wang@fzu.example.cn", "福州大学")
    listing = listed(client, uni, 44)
    firm = enterprise(client, "chen@xmzz.example.cn", "厦门智造装备有限公司")
    login(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    client.cookies.set("lang", "zh")
    session = schedule(client, title_zh="密封报价专场", deposit_rate_pct="10")
    page = client.get(f"/auctions/{session}/manage").text
    assert re.search(r'<select name="auction_format" id="lot-format">', page)
    assert "密封报价（最高价者按第二高报价成交）" in page
    assert 'name="reveal_closes_at"' in page
    manage = f"/auctions/{session}/manage"
    for bad in ({"auction_format": "sealed_second_price"},  # a sealed lot needs its reveal window
                {"auction_format": "dutch", "reveal_closes_at": "2026-03-02T12:00"},
                {"auction_format": "sealed_first_price", "reveal_closes_at": "2026-03-02T12:00+08:00"},
                {"auction_format": "sealed_first_price", "reveal_closes_at": "2026-03-02T10:30"}):
        refused = form(client, manage, f"{manage}/lots", lot_form(listing, **bad))
        assert refused.status_code == 400, (bad, refused.text)
        assert 'id="form-error"' in refused.text
    assert _lots(client, session) == []
    added = form(client, manage, f"{manage}/lots", lot_form(
        listing, auction_format="sealed_second_price", reveal_closes_at="2026-03-02T12:00"))
    assert added.status_code == 303, added.text
    # The window typed in Beijing time: commits until 11:00 (03:00 UTC), reveals until 12:00 (04:00 UTC).
    [(lot, fmt, closes, reveal)] = _lots(client, session)
    assert (fmt, closes, reveal) == ("sealed_second_price", START + HOUR, START + 2 * HOUR)
    assert re.search(r'class="format">密封报价（最高价者按第二高报价成交）<', client.get(manage).text)
    ok(client.post(f"/api/lots/{lot}/consent", headers=uni.headers))
    ok(client.post(f"/api/auctions/{session}/bidders", json={"accept_rules": True}, headers=firm.headers), 201)

    # The bidder's lot page offers the card beside the bank transfer; the card button answers with Stripe's form.
    client.cookies.clear()
    login(client, "chen@xmzz.example.cn", PASSWORD)
    client.cookies.set("lang", "zh")
    page = client.get(f"/lots/{lot}").text
    assert re.search(r'name="gateway" value="stripe" id="pay-deposit-card">银行卡交纳保证金<', page)
    assert re.search(r'name="gateway" value="manual" id="pay-deposit">银行转账交纳保证金<', page)
    assert 'id="card-payment"' not in page
    card = client.post(f"/lots/{lot}/deposit", data={"gateway": "stripe",
                                                      "_csrf_token": csrf_token(client, f"/lots/{lot}")})
    assert card.status_code == 200, card.text
    assert 'id="card-payment"' in card.text  # the form the page above had not drawn yet
    found = re.search(r'data-client-secret="(pi_[A-Za-z0-9]+)_secret_[A-Za-z0-9]+"', card.text)
    assert found is not None, card.text
    intent = found.group(1)
    assert 'data-publishable-key="pk_test_auctions"' in card.text
    assert f'data-return-url="http://testserver.local/lots/{lot}"' in card.text
    assert "/static/stripe-payment.js" in card.text
    assert "https://js.stripe.com" in card.headers["content-security-policy"]
    assert "https://js.stripe.com" not in client.get(f"/lots/{lot}").headers["content-security-policy"]
    assert localstripe.client.v1.payment_intents.retrieve(intent).to_dict()["amount"] == 100_000
    assert deposits(client, lot) == {firm.organisation_id: ("stripe", "pending")}
    again = client.post(f"/lots/{lot}/deposit", data={"gateway": "stripe",
                                                       "_csrf_token": csrf_token(client, f"/lots/{lot}")})
    assert f'data-client-secret="{intent}_secret_' in again.text  # a second click resumes the same payment
    confirm_with_test_card(localstripe.client, intent)
    body, signature = relay.events_for(intent, {"payment_intent.succeeded"})["payment_intent.succeeded"]
    ok(client.post("/webhooks/stripe", content=body,
                   headers={"Stripe-Signature": signature, "Content-Type": "application/json"}))
    assert deposits(client, lot) == {firm.organisation_id: ("stripe", "received")}
    page = client.get(f"/lots/{lot}").text
    assert "保证金已到账" in page
    assert 'id="commit-form"' in page
    assert 'id="pay-deposit-card"' not in page


def _lots(client: TestClient[Litestar], session: str) -> list[tuple[str, str, datetime, datetime | None]]:
    with psycopg.connect(services_of(client).address.conninfo()) as conn:
        return conn.execute("SELECT id::text, auction_format, closes_at, reveal_closes_at FROM auction_lots"
                            " WHERE session_id = %s", (session,)).fetchall()
