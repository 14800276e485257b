# ruff: noqa: F811 - pytest fixtures imported from other test modules are parameters here
"""A sealed second-price lot over HTTP, from the users' side (issue 15): three bidders commit digests (the API
client computes one itself; the page's form posts only the digest its script computed, never the amount), a late
commitment is refused, the reveal window opens and bidders who have not revealed are reminded in the inbox and by
e-mail (twice, only those still to reveal), a wrong salt is refused, one bidder never reveals and forfeits its
deposit; the close sells at the second bid, refunds the loser, drafts the winner's contract, and the page then shows
the full log with bidder numbers, amounts, salts and the forfeit."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from domain.auctions.sealed import commitment_of
from marketplace.platform.clock import ManualClock
from tests.web.conftest import csrf_token, login
from tests.web.mail_server import MailServer, mail_server  # noqa: F401 - the fixture
from tests.web.test_api import Member, listed
from tests.web.test_auctions_web import todo_kinds
from tests.web.test_deals_journey import clock, ok, parties, services_of  # noqa: F401 - the fixtures
from tests.web.test_inbox_more_rules import assert_rebuilds_identically, member, run_deadlines
from tests.web.test_inbox_web import events
from tests.web.test_notification_mail import mail_client, sender  # noqa: F401 - the fixture

HOUR = timedelta(hours=1)
SALTS = {"firm": "1a" * 32, "rival": "2b" * 32, "third": "3c" * 32}
EMAILS = {"firm": "chen@xmzz.example.cn", "rival": "lin@qzxc.example.cn", "third": "he@zzxc.example.cn"}
PASSWORD = "secret-password-1"


def reveal_mail(mail_server: MailServer, who: str) -> list[Any]:
    return [m for m in mail_server.received.to(EMAILS[who]) if m["Subject"].startswith("请及时开标")]


def test_a_sealed_second_price_lot_with_one_unrevealed_commitment(
    mail_client: TestClient[Litestar], clock: ManualClock, mail_server: MailServer,
) -> None:
    client = mail_client
    p = parties(client)
    uni, ops = p.university, p.admin
    bidders: dict[str, Member] = {
        "firm": member(client, EMAILS["firm"], "厦门智造装备有限公司", "enterprise"),
        "rival": member(client, EMAILS["rival"], "泉州新材料有限公司", "enterprise"),
        "third": member(client, EMAILS["third"], "漳州新材料有限公司", "enterprise"),
    }
    listing = listed(client, uni, 81)
    now = clock.now()
    session = str(ok(client.post("/api/auctions", json={"title_zh": "密封报价专场", "deposit_rate": 1000},
                                 headers=ops.headers), 201)["id"])
    body = {"session_id": session, "listing_id": listing, "kind": "assignment", "start_price": 1_000_000,
            "reserve": 1_200_000, "increment": 100_000, "opens_at": now.isoformat(),
            "closes_at": (now + HOUR).isoformat(), "auction_format": "sealed_second_price",
            "reveal_closes_at": (now + 3 * HOUR).isoformat()}
    no_window = client.post(f"/api/auctions/{session}/lots", headers=ops.headers,
                            json={**body, "reveal_closes_at": None})
    assert no_window.status_code == 400
    assert no_window.json()["code"] == "auction.window"
    lot = str(ok(client.post(f"/api/auctions/{session}/lots", json=body, headers=ops.headers), 201)["id"])
    ok(client.post(f"/api/lots/{lot}/consent", headers=uni.headers))
    numbers: dict[str, int] = {}
    for who, m in bidders.items():
        numbers[who] = int(ok(client.post(f"/api/auctions/{session}/bidders", json={"accept_rules": True},
                                          headers=m.headers), 201)["bidder_number"])
        ok(client.post(f"/api/lots/{lot}/deposit", json={"gateway": "manual"}, headers=m.headers))
        ok(client.post(f"/api/lots/{lot}/deposit-receipt", headers=ops.headers, json={
            "organisation_id": m.organisation_id, "amount": 100_000, "bank_reference": f"BANK-{who}"}))
    assert numbers == {"firm": 1, "rival": 2, "third": 3}

    def digest(who: str, amount: int) -> str:
        return commitment_of(lot, numbers[who], amount, SALTS[who])

    live = ok(client.get(f"/api/lots/{lot}"))
    assert (live["phase"], live["seconds_left"], live["lot"]["auction_format"]) == ("commit", 3600,
                                                                                    "sealed_second_price")
    open_bid = client.post(f"/api/lots/{lot}/bids", json={"amount": 1_000_000}, headers=bidders["firm"].headers)
    assert open_bid.status_code == 409
    assert open_bid.json()["code"] == "auction.format"
    ok(client.post(f"/api/lots/{lot}/commitments", json={"commitment": digest("firm", 1_500_000)},
                   headers=bidders["firm"].headers))
    amount_sent = client.post(f"/api/lots/{lot}/commitments", headers=bidders["third"].headers,
                              json={"commitment": digest("third", 9_000_000), "amount": 9_000_000})
    assert amount_sent.status_code == 400  # the API takes the digest alone
    assert (amount_sent.json()["code"], amount_sent.json()["field"]) == ("unknown_field", "amount")
    ok(client.post(f"/api/lots/{lot}/commitments", json={"commitment": digest("third", 9_000_000)},
                   headers=bidders["third"].headers))
    stranger = client.post(f"/api/lots/{lot}/commitments", json={"commitment": "ab" * 32}, headers=uni.headers)
    assert stranger.status_code == 403  # the owner has no deposit (and may not bid on its own lot)
    assert stranger.json()["code"] == "auction.deposit_needed"

    # The page's commit form: the amount field has no name (the browser never sends it), the script computes the
    # digest; here the test plays the script and posts what it would.
    login(client, EMAILS["rival"], PASSWORD)
    page = client.get(f"/lots/{lot}")
    assert page.status_code == 200
    assert 'id="commit-form"' in page.text
    assert "/static/sealed-bid.js" in page.text
    assert re.search(r'<input id="sealed-amount"[^>]*>', page.text)
    assert not re.search(r'<input[^>]*name="amount"', page.text)
    assert "报价期" in page.text
    committed = client.post(f"/lots/{lot}/commit", follow_redirects=False, data={
        "commitment": digest("rival", 1_300_000), "_csrf_token": csrf_token(client, f"/lots/{lot}")})
    assert committed.status_code == 303, committed.text
    page = client.get(f"/lots/{lot}?done=committed")
    assert 'id="my-commitment"' in page.text
    assert digest("rival", 1_300_000) in page.text
    assert 'id="commit-form"' not in page.text
    script = client.get("/static/sealed-bid.js").text
    assert 'crypto.subtle.digest("SHA-256"' in script
    assert '"sealed-bid:v1:" + lot + ":" + number + ":" + amount + ":" + salt' in script
    assert "getRandomValues(new Uint8Array(32))" in script

    services = services_of(client)
    services.make_runner().catch_up()
    assert ok(client.get(f"/api/lots/{lot}"))["lot"]["commitments"] == 3
    assert ok(client.get(f"/api/lots/{lot}"))["commitments"] == []  # nothing of the bids before the close

    clock.set(now + HOUR + timedelta(minutes=1))  # the commit deadline passed: the reveal window
    late = client.post(f"/api/lots/{lot}/commitments", json={"commitment": digest("firm", 1_600_000)},
                       headers=bidders["firm"].headers)
    assert late.status_code == 409
    assert late.json()["code"] == "auction.closed"
    wrong = client.post(f"/api/lots/{lot}/reveals", headers=bidders["firm"].headers,
                        json={"amount": 1_500_000, "salt": SALTS["rival"]})
    assert wrong.status_code == 400
    assert wrong.json()["code"] == "auction.reveal_mismatch"
    ok(client.post(f"/api/lots/{lot}/reveals", json={"amount": 1_500_000, "salt": SALTS["firm"]},
                   headers=bidders["firm"].headers))
    live = ok(client.get(f"/api/lots/{lot}"))
    assert (live["phase"], live["seconds_left"]) == ("reveal", 2 * 3600 - 60)

    # The reveal window opened: those who committed and have not revealed are reminded, in the inbox and by mail.
    reminded = run_deadlines(client, clock, now + HOUR + timedelta(minutes=2))
    assert reminded.reveals_reminded == [uuid.UUID(lot)]
    link = f"/lots/{lot}"
    for who in ("rival", "third"):
        assert ("auction.reveal_due", link, False) in events(client, bidders[who])
    assert not any(e == "auction.reveal_due" for e, _, _ in events(client, bidders["firm"]))
    sent = sender(client)
    sent.run_once()
    assert [len(reveal_mail(mail_server, who)) for who in ("firm", "rival", "third")] == [0, 1, 1]
    assert run_deadlines(client, clock, now + HOUR + timedelta(minutes=3)).reveals_reminded == []  # once

    # The rival reveals on the page (amount and salt, as its receipt holds them).
    page = client.get(f"/lots/{lot}")
    assert 'id="reveal-form"' in page.text
    revealed = client.post(f"/lots/{lot}/reveal", follow_redirects=False, data={
        "amount": "13000.00", "salt": SALTS["rival"], "_csrf_token": csrf_token(client, f"/lots/{lot}")})
    assert revealed.status_code == 303, revealed.text
    services.make_runner().catch_up()
    assert "您的报价已公开" in client.get(f"/lots/{lot}").text

    # Each bidder's to-do lists its sealed bid while it is still to reveal.
    assert ("auction_reveal", link) in todo_kinds(client, bidders["third"])
    assert ("auction_reveal", link) not in todo_kinds(client, bidders["rival"])
    assert ("auction_reveal", link) not in todo_kinds(client, bidders["firm"])

    # Halfway through the window the one still to reveal is reminded again.
    assert len(run_deadlines(client, clock, now + 2 * HOUR + timedelta(minutes=1)).reveals_reminded) == 1
    sent.run_once()
    assert [len(reveal_mail(mail_server, who)) for who in ("firm", "rival", "third")] == [0, 1, 2]

    # The window ends: the worker closes the lot. Second price: the rival's 1 300 000 (above the reserve).
    assert run_deadlines(client, clock, now + 3 * HOUR - timedelta(minutes=1)).lots_closed == []
    too_late_time = now + 3 * HOUR
    clock.set(too_late_time)
    too_late = client.post(f"/api/lots/{lot}/reveals", json={"amount": 9_000_000, "salt": SALTS["third"]},
                           headers=bidders["third"].headers)
    assert too_late.status_code == 409
    assert too_late.json()["code"] == "auction.reveal_closed"
    assert len(run_deadlines(client, clock, too_late_time).lots_closed) == 1
    sold = ok(client.get(f"/api/lots/{lot}"))
    assert (sold["phase"], sold["lot"]["status"], sold["lot"]["price"]) == ("closed", "sold", 1_300_000)
    assert [(c["bidder_number"], c["amount"], c["salt"], c["forfeited"]) for c in sold["commitments"]] == [
        (1, 1_500_000, SALTS["firm"], False), (3, None, None, True), (2, 1_300_000, SALTS["rival"], False)]
    contract = ok(client.get(f"/api/contracts/{sold['lot']['contract_id']}", headers=bidders["firm"].headers))
    assert contract["contract"]["buyer_organisation_id"] == bidders["firm"].organisation_id
    assert contract["contract"]["terms"]["price"] == 1_300_000
    assert _deposits(client, lot) == {bidders["firm"].organisation_id: "applied",
                                      bidders["rival"].organisation_id: "refunded",
                                      bidders["third"].organisation_id: "forfeited"}
    assert ("auction.deposit_forfeited", link, False) in events(client, bidders["third"])
    assert ("auction.deposit_refunded", link, False) in events(client, bidders["rival"])
    assert ("auction_reveal", link) not in todo_kinds(client, bidders["third"])
    assert_rebuilds_identically(client)  # the sealed log and the reminders come back the same from the events

    client.cookies.clear()
    client.cookies.set("lang", "zh")
    assert "密封报价（最高价者按第二高报价成交）" in client.get(f"/auctions/{session}").text
    for lang, words in (("zh", ("竞买人 3", "未开标，保证金不予退还", "1.30 万元", SALTS["rival"])),
                        ("en", ("Bidder 3", "Not revealed: deposit forfeited", "CNY 15,000", SALTS["firm"]))):
        client.cookies.set("lang", lang)
        page = client.get(f"/lots/{lot}")
        assert page.status_code == 200
        for word in words:
            assert word in page.text, (lang, word)


def _deposits(client: TestClient[Litestar], lot: str) -> dict[str, str]:
    with services_of(client).views["auctions"].datastore.transaction(commit=False) as curs:
        curs.execute("SELECT organisation_id::text, status FROM auction_deposits WHERE lot_id = %s", (lot,))
        return {r["organisation_id"]: r["status"] for r in curs.fetchall()}
