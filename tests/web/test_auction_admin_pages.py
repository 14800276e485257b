# ruff: noqa: F811 - pytest fixtures imported from other test modules are parameters here
"""The pages that run auction sessions (issue 15), over HTTP: a platform admin schedules a session and adds a lot
from forms (window typed in Beijing time), sees the owner's consent, the registered bidders and the deposits, and
records a deposit received by bank transfer; a transfer agency runs its own session and nobody else's; the report
gives the sell-through rate and the premium over the starting prices. And the refusals, in words: an enterprise
asking for the pages, hostile form values."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

import psycopg
from litestar import Litestar
from litestar.testing import TestClient

from marketplace.platform.clock import ManualClock
from marketplace.platform.services import Services
from tests.web.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, csrf_token, login, sign_up_verified
from tests.web.test_api import Member, admin, listed, verified_member
from tests.web.test_auctions_web import (  # noqa: F401 - the clock and services fixtures
    PASSWORD,
    START,
    clock,
    close_lots,
    enterprise,
    ok,
    services,
)

#: START is 10:00 in Beijing; the window typed on the form is Beijing time.
OPENS, CLOSES = "2026-03-02T10:00", "2026-03-02T11:00"


def form(client: TestClient[Litestar], page: str, path: str, data: dict[str, Any]) -> Any:
    return client.post(path, data={**data, "_csrf_token": csrf_token(client, page)}, follow_redirects=False)


def schedule(client: TestClient[Litestar], **data: Any) -> str:
    response = form(client, "/auctions/manage", "/auctions/manage", data)
    assert response.status_code == 303, response.text
    found = re.fullmatch(r"/auctions/([0-9a-f-]{36})/manage\?done=scheduled", response.headers["location"])
    assert found, response.headers["location"]
    return found.group(1)


def lot_form(listing: str, **more: Any) -> dict[str, Any]:
    return {"listing_id": listing, "kind": "assignment", "start_price": "10000", "reserve": "12000",
            "increment": "1000", "opens_at": OPENS, "closes_at": CLOSES, **more}


def lots_of(services: Services, session: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(services.address.conninfo()) as conn:
        return conn.execute("SELECT listing_id::text, start_price, reserve, reserve_shown, increment, opens_at,"
                            " closes_at, status FROM auction_lots WHERE session_id = %s ORDER BY opens_at, id",
                            (session,)).fetchall()


def test_an_admin_runs_a_session_from_the_pages(
    client: TestClient[Litestar], services: Services, clock: ManualClock,
) -> None:
    uni = verified_member(client, services, "wang@fzu.example.cn", "福州大学")
    first, second = listed(client, uni, 1), listed(client, uni, 2, deal_types=["assignment", "exclusive_licence"])
    firm = enterprise(client, services, "chen@xmzz.example.cn", "厦门智造装备有限公司")
    rival = enterprise(client, services, "lin@qzxc.example.cn", "泉州新材料有限公司")
    login(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    client.cookies.set("lang", "zh")
    todo = client.get("/todo").text
    assert 'href="/auctions/manage"' in todo
    session = schedule(client, title_zh="春季专利拍卖会", title_en="Spring patent auction", deposit_rate_pct="10")
    page = client.get(f"/auctions/{session}/manage?done=scheduled")
    assert page.status_code == 200
    assert "拍卖会已创建" in page.text
    assert f'value="{first}"' in page.text  # the picker offers the published listings
    added = form(client, f"/auctions/{session}/manage", f"/auctions/{session}/manage/lots", lot_form(first))
    assert added.status_code == 303, added.text
    not_offered = form(client, f"/auctions/{session}/manage", f"/auctions/{session}/manage/lots",
                       lot_form(first, kind="exclusive_licence"))
    assert not_offered.status_code == 400
    assert 'id="form-error"' in not_offered.text
    licence = form(client, f"/auctions/{session}/manage", f"/auctions/{session}/manage/lots",
                   lot_form(second, reserve="", reserve_shown="yes", kind="exclusive_licence"))
    assert licence.status_code == 303, licence.text
    end = START + timedelta(hours=1)  # 11:00 Beijing time is 03:00 UTC
    assert sorted(lots_of(services, session)) == sorted([
        (first, 1_000_000, 1_200_000, False, 100_000, START, end, "proposed"),
        (second, 1_000_000, 0, True, 100_000, START, end, "proposed"),
    ])
    lot = str(uuid.UUID(next(r[0] for r in _lot_ids(services, session) if r[1] == first)))
    other = str(uuid.UUID(next(r[0] for r in _lot_ids(services, session) if r[1] == second)))
    page = client.get(f"/auctions/{session}/manage").text
    assert page.count(">待同意<") == 2

    # The owner consents to one lot (from its to-do); the page shows it.
    items = ok(client.get("/api/todo", headers=uni.headers))["items"]
    assert sorted(i["link"] for i in items if i["kind"] == "auction_consent") == sorted([f"/lots/{lot}",
                                                                                          f"/lots/{other}"])
    ok(client.post(f"/api/lots/{lot}/consent", headers=uni.headers))
    page = client.get(f"/auctions/{session}/manage").text
    row = re.search(rf'<tr id="lot-{lot}">.*?</tr>', page, re.S)
    assert row is not None
    assert 'class="consent">已同意<' in row.group(0)
    assert page.count(">待同意<") == 1

    # Bidders register and start their deposits; the admin records one receipt from the page.
    for who in (firm, rival):
        ok(client.post(f"/api/auctions/{session}/bidders", json={"accept_rules": True}, headers=who.headers), 201)
        ok(client.post(f"/api/lots/{lot}/deposit", json={"gateway": "manual"}, headers=who.headers))
    page = client.get(f"/auctions/{session}/manage").text
    assert "厦门智造装备有限公司" in page
    assert "泉州新材料有限公司" in page
    assert page.count('class="record-receipt"') == 2
    short = form(client, f"/auctions/{session}/manage", f"/auctions/{session}/manage/receipts", {
        "lot_id": lot, "organisation_id": firm.organisation_id, "amount": "999", "bank_reference": "B-1"})
    assert short.status_code == 400
    assert 'id="form-error"' in short.text
    recorded = form(client, f"/auctions/{session}/manage", f"/auctions/{session}/manage/receipts", {
        "lot_id": lot, "organisation_id": firm.organisation_id, "amount": "1000", "bank_reference": "B-1"})
    assert recorded.status_code == 303, recorded.text
    page = client.get(f"/auctions/{session}/manage").text
    assert re.search(rf'<tr id="deposit-{lot}-1">.*?class="deposit-status">保证金已到账<', page, re.S)
    assert page.count('class="record-receipt"') == 1

    # Bids, the close, and the report: one sold at 13,000 yuan of a 10,000 start, one unconsented lot unsold.
    ok(client.post(f"/api/lots/{lot}/bids", json={"amount": 1_300_000}, headers=firm.headers))
    clock.advance(timedelta(hours=2))
    close_lots(services)
    report = client.get(f"/auctions/{session}/report")
    assert report.status_code == 200
    assert re.search(r'id="figure-sold">1 / 1<', report.text)
    assert re.search(r'id="figure-sell-through">100 %<', report.text)
    assert re.search(r'id="figure-premium">30 %<', report.text)
    sold = re.search(rf'<tr id="report-{lot}">.*?</tr>', report.text, re.S)
    assert sold is not None
    assert 'class="premium">30 %<' in sold.group(0)
    assert 'class="outcome">成交<' in sold.group(0)
    client.cookies.set("lang", "en")
    assert "Sell-through rate" in client.get(f"/auctions/{session}/report").text


def _lot_ids(services: Services, session: str) -> list[tuple[str, str]]:
    with psycopg.connect(services.address.conninfo()) as conn:
        return conn.execute("SELECT id::text, listing_id::text FROM auction_lots WHERE session_id = %s",
                            (session,)).fetchall()


def test_a_transfer_agency_runs_its_own_sessions_only(client: TestClient[Litestar], services: Services) -> None:
    uni = verified_member(client, services, "wang@fzu.example.cn", "福州大学")
    first = listed(client, uni, 1)
    ops: Member = admin(client)
    platform = str(ok(client.post("/api/auctions", json={"title_zh": "平台拍卖会"}, headers=ops.headers), 201)["id"])
    agency = verified_member(client, services, "zhao@hxjy.example.cn", "海峡技术转移中心")
    sign_up_verified(client, services, "li@agency.example.cn", "福建技术转移中心", kind="transfer_agency",
                     password=PASSWORD)
    ours = ok(client.post("/api/auctions", json={"title_zh": "机构拍卖会"},
                          headers=_headers(client, "li@agency.example.cn")), 201)["id"]
    refused = client.post("/api/auctions", json={"title_zh": "大学拍卖会"}, headers=agency.headers)
    assert refused.status_code == 403
    assert refused.json()["code"] == "auction.runner"

    login(client, "li@agency.example.cn", PASSWORD)
    client.cookies.set("lang", "zh")
    assert 'href="/auctions/manage"' in client.get("/todo").text
    index = client.get("/auctions/manage").text
    assert f'href="/auctions/{ours}/manage"' in index
    assert f'href="/auctions/{platform}/manage"' not in index
    theirs = client.get(f"/auctions/{platform}/manage")
    assert theirs.status_code == 403
    assert "技术转移机构" in theirs.text
    added = form(client, f"/auctions/{ours}/manage", f"/auctions/{ours}/manage/lots", lot_form(first))
    assert added.status_code == 303, added.text
    into_platform = form(client, f"/auctions/{ours}/manage", f"/auctions/{platform}/manage/lots", lot_form(first))
    assert into_platform.status_code == 403
    lots = lots_of(services, ours)
    assert [r[0] for r in lots] == [first]
    assert lots_of(services, platform) == []
    page = client.get(f"/auctions/{ours}/manage").text
    assert "record-receipt" not in page  # deposits are the platform's to record
    with psycopg.connect(services.address.conninfo()) as conn:
        runners = dict(conn.execute("SELECT id::text, organisation_id::text FROM auction_sessions").fetchall())
    assert runners[platform] is None
    assert runners[ours] is not None


def _headers(client: TestClient[Litestar], email: str) -> dict[str, str]:
    token = ok(client.post("/api/auth/token", json={"email": email, "password": PASSWORD}), 201)["token"]
    return {"Authorization": f"Bearer {token}"}


def test_pages_refuse_in_words(client: TestClient[Litestar], services: Services) -> None:
    uni = verified_member(client, services, "wang@fzu.example.cn", "福州大学")
    first = listed(client, uni, 1)
    enterprise(client, services, "chen@xmzz.example.cn", "厦门智造装备有限公司")
    login(client, "chen@xmzz.example.cn", PASSWORD)
    for lang, words in (("zh", "技术转移机构"), ("en", "transfer agency")):
        client.cookies.set("lang", lang)
        page = client.get("/auctions/manage")
        assert page.status_code == 403
        assert words in page.text
    assert 'href="/auctions/manage"' not in client.get("/todo").text
    client.cookies.set("lang", "zh")
    login(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    bad_rate = form(client, "/auctions/manage", "/auctions/manage", {"title_zh": "拍卖会", "deposit_rate_pct": "1e3"})
    assert bad_rate.status_code == 400
    assert "5 % 至 20 %" in bad_rate.text
    high_rate = form(client, "/auctions/manage", "/auctions/manage", {"title_zh": "拍卖会", "deposit_rate_pct": "30"})
    assert high_rate.status_code == 400
    bidi = form(client, "/auctions/manage", "/auctions/manage", {"title_zh": "拍卖\u202e会"})
    assert bidi.status_code == 400
    session = schedule(client, title_zh="拍卖会")
    for bad in ({"opens_at": "明天"}, {"closes_at": "2026-03-02T11:00+08:00"}, {"start_price": "1e9"},
                {"closes_at": "2026-03-02T09:00"}):
        response = form(client, f"/auctions/{session}/manage", f"/auctions/{session}/manage/lots",
                        lot_form(first, **bad))
        assert response.status_code == 400, (bad, response.text)
        assert 'id="form-error"' in response.text
    assert lots_of(services, session) == []
    with psycopg.connect(services.address.conninfo()) as conn:
        assert conn.execute("SELECT count(*) FROM auction_sessions").fetchone() == (1,)


def _reads_of(services: Services, aggregate_id: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(services.address.conninfo()) as conn:
        return conn.execute("SELECT reader_id::text, aggregate_type, page FROM audit_reads WHERE aggregate_id = %s"
                            " ORDER BY position", (aggregate_id,)).fetchall()


def test_a_platform_admins_read_of_a_sessions_bidders_is_recorded(
    client: TestClient[Litestar], services: Services,
) -> None:
    """The manage page names every registered bidder and deposit before the close: a platform admin's read of it is
    recorded like an auditor's read of a confidential record (the agency running its own session is its party)."""
    ops: Member = admin(client)
    platform = str(ok(client.post("/api/auctions", json={"title_zh": "平台拍卖会"}, headers=ops.headers), 201)["id"])
    sign_up_verified(client, services, "li@agency.example.cn", "福建技术转移中心", kind="transfer_agency",
                     password=PASSWORD)
    ours = ok(client.post("/api/auctions", json={"title_zh": "机构拍卖会"},
                          headers=_headers(client, "li@agency.example.cn")), 201)["id"]
    login(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    assert client.get(f"/auctions/{platform}/manage").status_code == 200
    assert client.get(f"/auctions/{ours}/manage").status_code == 200
    assert _reads_of(services, platform) == [(str(ops.user_id), "AuctionSession", f"GET /auctions/{platform}/manage")]
    assert _reads_of(services, ours) == [(str(ops.user_id), "AuctionSession", f"GET /auctions/{ours}/manage")]
    client.cookies.clear()
    login(client, "li@agency.example.cn", PASSWORD)
    assert client.get(f"/auctions/{ours}/manage").status_code == 200
    assert len(_reads_of(services, ours)) == 1  # the runner's own page is not an outsider's read
