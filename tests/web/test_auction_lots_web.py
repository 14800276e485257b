# ruff: noqa: F811 - pytest fixtures imported from other test modules are parameters here
"""Sessions and lots against an attacker (issue 15), over HTTP on PostgreSQL: a transfer agency may propose any
organisation's published listing, but until the owner consents the lot is seen only by the owner's members, the
agency running the session and platform admins and auditors (not on the public session and lot pages, the report or
the API); the owner declines with a reason (the runner is told in its inbox; the lot can then be neither consented
to nor bid on) and sees each proposal on its to-do and in its inbox. Consent is refused once the listing was
withdrawn and once the lot's window has opened, in words. The schedule form sends a request key (a double submit
schedules one session) and the winner's term. A bidder whose verification lapsed after committing still reveals
(bids and commitments still need verification)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from uuid import UUID

import psycopg
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from domain.accounts.organisation import Organisation
from domain.auctions.lot import CONSENT_GRACE
from domain.auctions.sealed import commitment_of
from marketplace.platform.clock import ManualClock
from marketplace.platform.services import Services
from tests.web.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, csrf_token, login, sign_up_verified
from tests.web.test_api import Member, _member, admin, listed, verified_member
from tests.web.test_auction_admin_pages import form
from tests.web.test_auctions_web import (  # noqa: F401 - the clock and services fixtures
    PASSWORD,
    START,
    clock,
    enterprise,
    lot_body,
    ok,
    services,
    todo_kinds,
)
from tests.web.test_inbox_more_rules import assert_rebuilds_identically

AGENCY_EMAIL = "li@agency.example.cn"
HOUR = timedelta(hours=1)


def agency(client: TestClient[Litestar], services: Services) -> Member:
    sign_up_verified(client, services, AGENCY_EMAIL, "福建技术转移中心", kind="transfer_agency", password=PASSWORD)
    return _member(client, AGENCY_EMAIL, PASSWORD)


def inbox(client: TestClient[Litestar], who: Member) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = ok(client.get("/api/inbox", headers=who.headers))["items"]
    return items


def lot_status(services: Services, lot: str) -> tuple[str, str | None]:
    with psycopg.connect(services.address.conninfo()) as conn:
        row = conn.execute("SELECT status, decline_reason FROM auction_lots WHERE id = %s", (lot,)).fetchone()
    assert row is not None
    return row[0], row[1]


def test_an_agencys_proposal_is_private_until_the_owner_answers_and_the_owner_declines_it(
    client: TestClient[Litestar], services: Services,
) -> None:
    uni = verified_member(client, services, "wang@fzu.example.cn", "福州大学")
    theirs, other = listed(client, uni, 1), listed(client, uni, 2)
    runner = agency(client, services)
    firm = enterprise(client, services, "chen@xmzz.example.cn", "厦门智造装备有限公司")
    session = str(ok(client.post("/api/auctions", json={"title_zh": "机构拍卖会", "title_en": "Agency auction"},
                                 headers=runner.headers), 201)["id"])
    lot = str(ok(client.post(f"/api/auctions/{session}/lots", json=lot_body(session, theirs),
                             headers=runner.headers), 201)["id"])
    kept = str(ok(client.post(f"/api/auctions/{session}/lots", json=lot_body(session, other),
                              headers=runner.headers), 201)["id"])

    # Not public: the API, the session page and the report leave the proposals out; the lot is not found.
    client.cookies.clear()
    assert client.get(f"/api/lots/{lot}").status_code == 404
    assert client.get(f"/api/lots/{lot}", headers=firm.headers).status_code == 404
    assert ok(client.get(f"/api/auctions/{session}"))["lots"] == []
    assert ok(client.get(f"/api/auctions/{session}", headers=firm.headers))["lots"] == []
    assert client.get(f"/lots/{lot}").status_code == 404
    for path in (f"/auctions/{session}", f"/auctions/{session}/report"):
        page = client.get(path)
        assert page.status_code == 200
        assert lot not in page.text
    # The owner, the runner and a platform admin see them.
    for who in (uni, runner, admin(client)):
        assert ok(client.get(f"/api/lots/{lot}", headers=who.headers))["phase"] == "proposed"
        assert sorted(x["id"] for x in ok(client.get(f"/api/auctions/{session}", headers=who.headers))["lots"]) \
            == sorted([lot, kept])

    # The owner sees each proposal on its to-do and in its inbox.
    assert {("auction_consent", f"/lots/{lot}"), ("auction_consent", f"/lots/{kept}")} <= set(todo_kinds(client, uni))
    assert {n["link"] for n in inbox(client, uni) if n["event"] == "auction.consent"} == {f"/lots/{lot}",
                                                                                          f"/lots/{kept}"}

    # A stranger cannot decline for the owner; a reason is needed, and hostile text is refused.
    stranger = client.post(f"/api/lots/{lot}/decline", json={"reason": "不卖"}, headers=firm.headers)
    assert stranger.status_code == 403, stranger.text
    assert stranger.json()["code"] == "auction.not_owner"
    for bad, code in (("  ", "required"), ("不\u202e卖", "text.refused_character"), ("x" * 501, None)):
        refused = client.post(f"/api/lots/{lot}/decline", json={"reason": bad}, headers=uni.headers)
        assert refused.status_code == 400, (bad, refused.text)
        if code:
            assert refused.json()["code"] == code
    assert lot_status(services, lot) == ("proposed", None)

    # The owner declines from the lot page, in Chinese; the page then says so, in both languages.
    login(client, "wang@fzu.example.cn", PASSWORD)
    client.cookies.set("lang", "zh")
    page = client.get(f"/lots/{lot}")
    assert 'id="decline-form"' in page.text
    assert "拒绝理由" in page.text
    declined = client.post(f"/lots/{lot}/decline", follow_redirects=False, data={
        "reason": "该专利正在与其他企业洽谈许可，暂不拍卖。", "_csrf_token": csrf_token(client, f"/lots/{lot}")})
    assert declined.status_code == 303, declined.text
    assert lot_status(services, lot) == ("declined", "该专利正在与其他企业洽谈许可，暂不拍卖。")
    for lang, words in (("zh", "权利人已拒绝"), ("en", "Declined by the owner")):
        client.cookies.set("lang", lang)
        page = client.get(f"/lots/{lot}")
        assert page.status_code == 200
        assert words in page.text
        assert 'id="decline-form"' not in page.text
        assert 'id="consent"' not in page.text
    # Declining twice records nothing more.
    ok(client.post(f"/api/lots/{lot}/decline", json={"reason": "再次拒绝"}, headers=uni.headers))
    assert lot_status(services, lot) == ("declined", "该专利正在与其他企业洽谈许可，暂不拍卖。")

    # The runner is told and reads the reason on its session's page.
    told = [n for n in inbox(client, runner) if n["event"] == "auction.declined"]
    assert [n["link"] for n in told] == [f"/lots/{lot}"]
    login(client, AGENCY_EMAIL, PASSWORD)
    client.cookies.set("lang", "zh")
    assert "该专利正在与其他企业洽谈许可" in client.get(f"/auctions/{session}/manage").text

    # A declined lot can no longer be consented to (in words), nor take deposits or bids; nor is it a task.
    refused = client.post(f"/api/lots/{lot}/consent", headers=uni.headers)
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "auction.declined"
    login(client, "wang@fzu.example.cn", PASSWORD)
    for lang, words in (("zh", "权利人已拒绝拍卖此拍品"), ("en", "the owner declined this lot")):
        client.cookies.set("lang", lang)
        page = client.post(f"/lots/{lot}/consent", data={"_csrf_token": csrf_token(client, f"/lots/{lot}")})
        assert page.status_code == 409
        assert words in page.text
    ok(client.post(f"/api/auctions/{session}/bidders", json={"accept_rules": True}, headers=firm.headers), 201)
    deposit = client.post(f"/api/lots/{lot}/deposit", json={"gateway": "manual"}, headers=firm.headers)
    assert deposit.status_code == 409
    assert deposit.json()["code"] == "auction.lot_state"
    assert ("auction_consent", f"/lots/{lot}") not in todo_kinds(client, uni)
    assert ("auction_consent", f"/lots/{kept}") in todo_kinds(client, uni)
    # Still not public.
    assert client.get(f"/api/lots/{lot}", headers=firm.headers).status_code == 404

    # Consented, the other lot is public.
    ok(client.post(f"/api/lots/{kept}/consent", headers=uni.headers))
    assert [x["id"] for x in ok(client.get(f"/api/auctions/{session}", headers=firm.headers))["lots"]] == [kept]
    assert ok(client.get(f"/api/lots/{kept}"))["lot"]["status"] == "ready"
    # The declined lot, its reason and the notices come back the same from the events.
    assert_rebuilds_identically(client)


def test_a_platform_sessions_proposer_is_told_of_a_decline(client: TestClient[Litestar], services: Services) -> None:
    ops = admin(client)
    uni = verified_member(client, services, "wang@fzu.example.cn", "福州大学")
    listing = listed(client, uni, 1)
    session = str(ok(client.post("/api/auctions", json={"title_zh": "平台拍卖会"}, headers=ops.headers), 201)["id"])
    lot = str(ok(client.post(f"/api/auctions/{session}/lots", json=lot_body(session, listing), headers=ops.headers),
                 201)["id"])
    # A plain member of the owner cannot decline: a decline is final, so it takes the org admin who alone may consent.
    added = client.post("/api/members", headers=uni.headers, json={
        "email": "zhao@fzu.example.cn", "password": "secret-password-1", "display_name": "赵", "roles": ["member"]})
    assert added.status_code == 201, added.text
    plain = _member(client, "zhao@fzu.example.cn", "secret-password-1")
    refused = client.post(f"/api/lots/{lot}/decline", json={"reason": "不卖"}, headers=plain.headers)
    assert (refused.status_code, refused.json()["code"]) == (403, "permission.org_admin"), refused.text
    assert lot_status(services, lot)[0] == "proposed"
    assert ("auction_consent", f"/lots/{lot}") not in todo_kinds(client, plain)  # not a task it could do
    ok(client.post(f"/api/lots/{lot}/decline", json={"reason": "价格过低"}, headers=uni.headers))
    assert [n["link"] for n in inbox(client, ops) if n["event"] == "auction.declined"] == [f"/lots/{lot}"]


def test_consent_checks_the_listing_and_the_window_again(
    client: TestClient[Litestar], services: Services, clock: ManualClock,
) -> None:
    ops = admin(client)
    uni = verified_member(client, services, "wang@fzu.example.cn", "福州大学")
    withdrawn, late = listed(client, uni, 1), listed(client, uni, 2)
    session = str(ok(client.post("/api/auctions", json={"title_zh": "拍卖会"}, headers=ops.headers), 201)["id"])
    gone = str(ok(client.post(f"/api/auctions/{session}/lots", json=lot_body(session, withdrawn),
                              headers=ops.headers), 201)["id"])
    opened = str(ok(client.post(f"/api/auctions/{session}/lots", headers=ops.headers, json=lot_body(
        session, late, opens_at=(START + HOUR).isoformat(), closes_at=(START + 2 * HOUR).isoformat())), 201)["id"])
    ok(client.post(f"/api/listings/{withdrawn}/withdraw", headers=uni.headers, json={}))
    refused = client.post(f"/api/lots/{gone}/consent", headers=uni.headers)
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "auction.listing_unavailable"
    clock.advance(HOUR + CONSENT_GRACE + timedelta(seconds=1))  # the second lot's window opened (and its grace)
    too_late = client.post(f"/api/lots/{opened}/consent", headers=uni.headers)
    assert too_late.status_code == 409, too_late.text
    assert too_late.json()["code"] == "auction.consent_late"
    login(client, "wang@fzu.example.cn", PASSWORD)
    for lang, words in (("zh", ("已撤回、暂停或已售出", "竞价已开始")),
                        ("en", ("withdrawn, suspended or sold", "bidding window has opened"))):
        client.cookies.set("lang", lang)
        for lot, word in zip((gone, opened), words, strict=True):
            page = client.post(f"/lots/{lot}/consent", data={"_csrf_token": csrf_token(client, f"/lots/{lot}")})
            assert page.status_code == 409
            assert word in page.text, (lang, word)
    assert lot_status(services, gone)[0] == lot_status(services, opened)[0] == "proposed"
    # Nothing was reserved on either patent: the lots never went live.
    with psycopg.connect(services.address.conninfo()) as conn:
        assert conn.execute("SELECT count(*) FROM auction_lots WHERE status = 'ready'").fetchone() == (0,)


def test_the_schedule_form_sends_a_request_key_and_the_winners_term(
    client: TestClient[Litestar], services: Services,
) -> None:
    login(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    for lang, words in (("zh", "买受人签约付款期限（天）"), ("en", "term to sign and pay (days)")):
        client.cookies.set("lang", lang)
        assert words in client.get("/auctions/manage").text
    client.cookies.set("lang", "zh")
    page = client.get("/auctions/manage").text
    key = re.search(r'name="session_id" value="([0-9a-f-]{36})"', page)
    assert key, "the form carries no request key"
    data = {"title_zh": "秋季拍卖会", "deposit_rate_pct": "10", "settle_days": "30", "session_id": key.group(1)}
    first = form(client, "/auctions/manage", "/auctions/manage", data)
    second = form(client, "/auctions/manage", "/auctions/manage", data)  # the double click
    assert first.status_code == second.status_code == 303, (first.text, second.text)
    assert first.headers["location"] == second.headers["location"]
    with psycopg.connect(services.address.conninfo()) as conn:
        assert conn.execute("SELECT title_zh, settle_days FROM auction_sessions").fetchall() == [("秋季拍卖会", 30)]
    # A term out of range is refused in words, and the page keeps the key.
    for bad, words in (("0", "不得小于 1"), ("61", "不得大于 60"), ("3.5", "买受人签约付款期限应为 1 至 60 天"),
                       ("十", "买受人签约付款期限应为 1 至 60 天")):
        again = form(client, "/auctions/manage", "/auctions/manage", {**data, "settle_days": bad,
                                                                       "session_id": str(UUID(int=7))})
        assert again.status_code == 400, (bad, again.text)
        assert words in "".join(re.findall(r'id="form-error">([^<]*)', again.text)), bad
        assert f'value="{UUID(int=7)}"' in again.text
    with psycopg.connect(services.address.conninfo()) as conn:
        assert conn.execute("SELECT count(*) FROM auction_sessions").fetchone() == (1,)


def test_a_bidder_whose_verification_lapsed_still_reveals(
    client: TestClient[Litestar], services: Services, clock: ManualClock, monkeypatch: pytest.MonkeyPatch,
) -> None:
    ops = admin(client)
    uni = verified_member(client, services, "wang@fzu.example.cn", "福州大学")
    listing = listed(client, uni, 1)
    firm = enterprise(client, services, "chen@xmzz.example.cn", "厦门智造装备有限公司")
    rival = enterprise(client, services, "lin@qzxc.example.cn", "泉州新材料有限公司")
    session = str(ok(client.post("/api/auctions", json={"title_zh": "密封报价专场"}, headers=ops.headers), 201)["id"])
    lot = str(ok(client.post(f"/api/auctions/{session}/lots", headers=ops.headers, json=lot_body(
        session, listing, auction_format="sealed_second_price",
        reveal_closes_at=(START + 3 * HOUR).isoformat())), 201)["id"])
    ok(client.post(f"/api/lots/{lot}/consent", headers=uni.headers))
    salts = {firm.organisation_id: "1a" * 32, rival.organisation_id: "2b" * 32}
    amounts = {firm.organisation_id: 1_500_000, rival.organisation_id: 1_300_000}
    numbers: dict[str, int] = {}
    for who in (firm, rival):
        numbers[who.organisation_id] = int(ok(client.post(f"/api/auctions/{session}/bidders", headers=who.headers,
                                                          json={"accept_rules": True}), 201)["bidder_number"])
        ok(client.post(f"/api/lots/{lot}/deposit", json={"gateway": "manual"}, headers=who.headers))
        ok(client.post(f"/api/lots/{lot}/deposit-receipt", headers=ops.headers, json={
            "organisation_id": who.organisation_id, "amount": 100_000, "bank_reference": f"BANK-{who.user_id[:6]}"}))
        ok(client.post(f"/api/lots/{lot}/commitments", headers=who.headers, json={"commitment": commitment_of(
            lot, numbers[who.organisation_id], amounts[who.organisation_id], salts[who.organisation_id])}))

    # The firm's verification lapses after it committed (the platform has no command for it yet: the test makes
    # the organisation unable to trade, as a lapse would).
    lapsed = UUID(firm.organisation_id)
    monkeypatch.setattr(Organisation, "can_trade", property(lambda self: self.verified and self.id != lapsed))
    recommit = client.post(f"/api/lots/{lot}/commitments", headers=firm.headers, json={"commitment": "ab" * 32})
    assert recommit.status_code == 403  # committing (and bidding) still needs a verified organisation
    assert recommit.json()["code"] == "organisation.unverified"
    clock.advance(HOUR)  # the reveal window opens
    for who in (firm, rival):
        ok(client.post(f"/api/lots/{lot}/reveals", headers=who.headers, json={
            "amount": amounts[who.organisation_id], "salt": salts[who.organisation_id]}))
    with psycopg.connect(services.address.conninfo()) as conn:
        revealed = conn.execute("SELECT organisation_id::text, amount, forfeited FROM auction_commitments"
                                " WHERE lot_id = %s ORDER BY seq", (lot,)).fetchall()
    assert revealed == [(firm.organisation_id, 1_500_000, False), (rival.organisation_id, 1_300_000, False)]
