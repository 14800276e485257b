"""Audit pages and API: access, the event log with filters, history with diffs, the listing as it stood.

These tests need the two hooks of the audit issue: ``"audit_log"`` in
``marketplace.services.VIEW_CLASSES`` and ``AuditController`` in ``web.app.create_app``.
"""

from __future__ import annotations

import html
import re
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import quote
from uuid import UUID
from zoneinfo import ZoneInfo

import psycopg
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from domain.catalogue.patent_numbers import cn_check_character
from marketplace.accounts import commands as ac
from marketplace.catalogue import commands as cc
from marketplace.platform.application import Marketplace
from marketplace.platform.services import Services
from tests.web.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, api_token, login
from web.app import money
from web.audit.pages import EVENT_LOG_ID, PAGE_SIZE
from web.audit.readable import Reader
from web.vocabulary import site_vocabulary

PASSWORD = "secret-password-1"
BEIJING = ZoneInfo("Asia/Shanghai")
AUDITOR = "auditor@platform.test"
MEMBER = "li@xmu.test"
OUTSIDER = "wang@other.test"
TERMS = {"deal_types": ["assignment"], "price_mode": "fixed", "maturity": "pilot"}


@dataclass(frozen=True)
class Market:
    member: UUID
    org: UUID
    auditor: UUID
    listing: UUID
    draft: UUID
    published: datetime  # at 100,000 yuan
    repriced: datetime   # at 120,000 yuan, before the lapse


def _instant() -> datetime:
    time.sleep(0.002)
    now = datetime.now(UTC)
    time.sleep(0.002)
    return now


def _patent(app: Marketplace, member: UUID, org: UUID, serial: str, title: str) -> UUID:
    digits = f"20201{serial}"
    patent, _ = app.catalogue.register_patent(cc.RegisterPatent(
        application_number=f"{digits}.{cn_check_character(digits)}", patent_type="invention", title_zh=title,
        ipc_codes=["H01M 10/0562"], filing_date=date(2020, 3, 4), legal_status="granted",
        owners=[cc.OwnerShare(organisation_id=org, share=100)]), actor_id=member)
    return patent


def settle(services: Services) -> None:
    """Wait until every read model has read the whole event log."""
    head = services.recorder.max_notification_id() or 0
    deadline = time.monotonic() + 60  # a loaded CI machine; caught up, the loop ends at once
    while any(v.position(services.app.name) < head for v in services.views.values()):
        assert time.monotonic() < deadline, "read models did not catch up"
        time.sleep(0.01)


@pytest.fixture
def market(client: TestClient[Litestar], services: Services, web_app: Litestar) -> Market:
    assert "audit_log" in services.views, "hook missing: add 'audit_log' to marketplace.services.VIEW_CLASSES"
    assert any(route.path == "/audit/events" for route in web_app.routes), (
        "hook missing: register AuditController in web.app.create_app")
    app = services.app
    admin = app.accounts.user_id_of(ADMIN_EMAIL)
    assert admin is not None
    auditor, _ = app.accounts.add_member(ac.AddMember(email=AUDITOR, password=PASSWORD, display_name="审计员",
                                                      roles=["member", "auditor"]), actor_id=admin)
    member, _ = app.accounts.sign_up(ac.SignUp(
        email=MEMBER, password=PASSWORD, display_name="李", organisation_name="厦门大学",
        organisation_kind="university"))
    org: UUID = app.repository.get(member).organisation_id
    app.accounts.verify_organisation(ac.VerifyOrganisation(organisation_id=org), actor_id=admin)
    app.accounts.sign_up(ac.SignUp(email=OUTSIDER, password=PASSWORD, display_name="王", organisation_name="某公司",
                                   organisation_kind="enterprise"))
    patent = _patent(app, member, org, "0123456", "固态锂电池电解质")
    listing, _ = app.catalogue.draft_listing(
        cc.DraftListing(patent_id=patent, asking_price=10_000_000, **TERMS),  # type: ignore[arg-type]
        actor_id=member)
    app.catalogue.publish_listing(cc.PublishListing(listing_id=listing), actor_id=member)
    published = _instant()
    app.catalogue.revise_listing(
        cc.ReviseListing(listing_id=listing, asking_price=12_000_000, **TERMS),  # type: ignore[arg-type]
        actor_id=member)
    repriced = _instant()
    app.catalogue.change_legal_status(cc.ChangeLegalStatus(patent_id=patent, legal_status="lapsed",
                                                           effective_date=date(2024, 5, 1), reason="annuity unpaid"),
                            actor_id=member)
    other = _patent(app, member, org, "0123457", "电池隔膜")
    draft, _ = app.catalogue.draft_listing(
        cc.DraftListing(patent_id=other, asking_price=5_000_000, **TERMS),  # type: ignore[arg-type]
        actor_id=member)
    settle(services)
    return Market(member, org, auditor, listing, draft, published, repriced)


def audit_reads(services: Services) -> list[tuple[object, ...]]:
    with psycopg.connect(services.address.conninfo()) as conn:
        query = "SELECT reader_id, aggregate_id, aggregate_type, page, position FROM audit_reads ORDER BY position"
        return conn.execute(query).fetchall()


# --- access ---------------------------------------------------------------------------------


def test_audit_needs_an_auditor_or_platform_admin(client: TestClient[Litestar], market: Market) -> None:
    anonymous = client.get("/audit/events", follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/login")
    assert client.get("/api/audit/events").status_code == 401
    login(client, MEMBER, PASSWORD)
    assert client.get("/audit/events").status_code == 403
    assert client.get(f"/audit/aggregates/{market.listing}").status_code == 403
    member = api_token(client, MEMBER, PASSWORD)
    for path in ("/api/audit/events", f"/api/audit/aggregates/{market.listing}",
                 f"/api/audit/aggregates/{market.listing}/state"):
        assert client.get(path, headers=member).status_code == 403, path
    admin = api_token(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    assert client.get("/api/audit/events", headers=admin).status_code == 200
    login(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    assert client.get("/audit/events").status_code == 200


# --- the event log --------------------------------------------------------------------------


def test_event_log_page_filters_and_pages(
    client: TestClient[Litestar], market: Market, services: Services
) -> None:
    login(client, AUDITOR, PASSWORD)
    page = client.get("/audit/events")
    assert page.status_code == 200
    assert "审计 · 事件日志" in page.text
    assert "Listing published" in page.text
    assert "Legal status changed to lapsed (annuity unpaid), effective 2024-05-01" in page.text
    english = client.get("/audit/events?lang=en&aggregate_type=Listing")
    assert "Audit · event log" in english.text
    assert '<span class="tag">Patent.' not in english.text  # patent rows are filtered out
    assert "Listing revised: fixed price CNY 120,000.00; assignment" in english.text
    partial = client.get("/audit/events?event_type=Listing.Suspended",
                         headers={"hx-request": "true", "hx-target": "audit-results"})
    assert "<html" not in partial.text
    assert partial.text.count("data-position=") == 1
    assert "system" in partial.text
    by_actor = client.get(f"/audit/events?actor={market.member}&organisation_id={market.org}")
    assert "Listing drafted for patent 202010123456." in by_actor.text
    invalid = client.get("/audit/events?actor=nobody&since=yesterday")
    assert invalid.status_code == 200
    assert "actor, since" in invalid.text
    # One page of the newest 50 events; a link to the next page exactly when there are more.
    # (Each view of the log is itself recorded first, as an audit read, so it shows its own read.)
    first = client.get("/audit/events?page=1")
    total = services.recorder.max_notification_id() or 0
    assert total < PAGE_SIZE  # the scenario's log fits one page
    assert first.text.count("data-position=") == total
    assert "page=2" not in first.text
    for n in range((PAGE_SIZE - total) // 2 + 1):  # two events each: the log grows past one page
        services.app.accounts.bootstrap_platform_admin(email=f"ops{n}@platform.test", password=PASSWORD,
                                                       display_name=f"Ops {n}", organisation_name=f"运营{n}")
    services.make_runner().catch_up()
    first = client.get("/audit/events?page=1")
    assert first.text.count("data-position=") == PAGE_SIZE
    assert "page=2" in first.text
    second = client.get("/audit/events?page=2")
    total = services.recorder.max_notification_id() or 0
    assert second.text.count("data-position=") == total - PAGE_SIZE


def test_event_log_api(client: TestClient[Litestar], market: Market, services: Services) -> None:
    headers = api_token(client, AUDITOR, PASSWORD)
    everything = client.get("/api/audit/events?limit=500", headers=headers).json()
    # Every event in the store, this read of the log (recorded first, as an audit read) included.
    assert everything["total"] == len(everything["items"]) == services.recorder.max_notification_id()
    assert [i["position"] for i in everything["items"]] == list(range(everything["total"], 0, -1))
    published = client.get("/api/audit/events", params={"event_type": "Listing.Published"}, headers=headers).json()
    assert published["total"] == 1
    (item,) = published["items"]
    assert (item["aggregate_id"], item["actor"], item["actor_name"], item["summary"]) == (
        str(market.listing), str(market.member), "李", "Listing published")
    assert item["organisation_ids"] == [str(market.org)]
    assert item["organisation_names"] == ["厦门大学"]
    paged = client.get("/api/audit/events", params={"aggregate_type": "Listing", "limit": 2, "offset": 2},
                       headers=headers).json()
    assert (len(paged["items"]), paged["total"]) == (2, 5)  # drafted, published, revised, suspended; drafted
    since = client.get("/api/audit/events", params={"since": market.repriced.isoformat()}, headers=headers).json()
    assert {i["event_type"] for i in since["items"]} >= {"Patent.LegalStatusChanged", "Listing.Suspended"}
    assert "Listing.Revised" not in {i["event_type"] for i in since["items"]}
    assert client.get("/api/audit/events?limit=0", headers=headers).status_code == 400


def test_reads_of_the_event_log_are_recorded_as_audit_reads(
    client: TestClient[Litestar], market: Market, services: Services
) -> None:
    """The log shows every offer's price: an auditor's look at it is recorded like a look at one record."""
    login(client, AUDITOR, PASSWORD)
    assert client.get("/audit/events?aggregate_type=Listing").status_code == 200
    partial = client.get("/audit/events?page=1", headers={"hx-request": "true", "hx-target": "audit-results"})
    assert partial.status_code == 200
    headers = api_token(client, AUDITOR, PASSWORD)
    assert client.get("/api/audit/events", params={"limit": 5}, headers=headers).status_code == 200
    reads = audit_reads(services)
    assert [(r[0], r[1], r[2]) for r in reads] == [(market.auditor, EVENT_LOG_ID, "EventLog")] * 3
    assert [r[3] for r in reads] == ["GET /audit/events?aggregate_type=Listing", "GET /audit/events?page=1",
                                     "GET /api/audit/events?limit=5"]
    stored = [n for n in services.recorder.select_notifications(start=1, limit=10_000)
              if n.topic.endswith(":AuditRead.Recorded")]
    assert [n.id for n in stored] == [r[4] for r in reads]
    # Refused reads record nothing.
    login(client, MEMBER, PASSWORD)
    assert client.get("/audit/events").status_code == 403
    assert client.get("/api/audit/events", headers=api_token(client, MEMBER, PASSWORD)).status_code == 403
    assert len(audit_reads(services)) == 3


# --- history and state ----------------------------------------------------------------------


def test_history_page_shows_diffs_and_records_the_read(
    client: TestClient[Litestar], market: Market, services: Services
) -> None:
    login(client, AUDITOR, PASSWORD)
    page = client.get(f"/audit/aggregates/{market.listing}?lang=en")
    assert page.status_code == 200
    assert "terms.asking_price" in page.text
    assert "10000000" in page.text
    assert "12000000" in page.text
    assert page.text.count("data-version=") == 4
    assert f"/listings/{market.listing}/as-of?version=2" in page.text
    version = client.get(f"/audit/aggregates/{market.listing}?version=1")
    assert "第 1 版的状态" in version.text
    assert client.get(f"/audit/aggregates/{UUID(int=7)}").status_code == 404
    reads = audit_reads(services)
    assert [(r[0], r[1], r[2]) for r in reads] == [(market.auditor, market.listing, "Listing")] * 2
    assert reads[1][3] == f"GET /audit/aggregates/{market.listing}?version=1"
    # Each read is an event in the store (so the hash chain covers it), the read model its projection.
    stored = [n for n in services.recorder.select_notifications(start=1, limit=10_000)
              if n.topic.endswith(":AuditRead.Recorded")]
    assert [n.id for n in stored] == [r[4] for r in reads]
    assert "/audit/aggregates/" in client.get(f"/audit/aggregates/{market.listing}").text  # reads are listed


def test_history_and_state_api(client: TestClient[Litestar], market: Market, services: Services) -> None:
    headers = api_token(client, AUDITOR, PASSWORD)
    body = client.get(f"/api/audit/aggregates/{market.listing}", headers=headers).json()
    assert body["aggregate_type"] == "Listing"
    assert [h["event_type"] for h in body["history"]] == [
        "Listing.Drafted", "Listing.Published", "Listing.Revised", "Listing.Suspended"]
    assert body["history"][2]["changes"] == {"terms.asking_price": [10_000_000, 12_000_000]}
    assert body["history"][3]["actor_name"] == "system"
    state = client.get(f"/api/audit/aggregates/{market.listing}/state", params={"version": 1}, headers=headers)
    assert state.json()["state"]["status"] == "draft"
    at = client.get(f"/api/audit/aggregates/{market.listing}/state", params={"at": market.repriced.isoformat()},
                    headers=headers).json()
    assert (at["version"], at["state"]["terms"]["asking_price"], at["state"]["status"]) == (3, 12_000_000, "published")
    user = client.get(f"/api/audit/aggregates/{market.member}/state", headers=headers).json()
    assert not {"password_hash", "email", "display_name"} & user["state"].keys()  # personal data is not state
    assert "argon2" not in client.get(f"/api/audit/aggregates/{market.member}", headers=headers).text
    too_far = client.get(f"/api/audit/aggregates/{market.listing}/state", params={"version": 9}, headers=headers)
    assert too_far.status_code == 404
    assert len(audit_reads(services)) == 5  # every successful read was recorded


# --- what the buyer saw ---------------------------------------------------------------------


def test_listing_as_it_stood(client: TestClient[Litestar], market: Market, services: Services) -> None:
    before = client.get(f"/listings/{market.listing}/as-of?lang=en&at={quote(market.published.isoformat())}")
    assert before.status_code == 200
    assert "As it stood at" in before.text
    assert "CNY 100,000" in before.text
    assert "Published" in before.text
    assert "Granted" in before.text
    between = client.get(f"/listings/{market.listing}/as-of?lang=en&at={quote(market.repriced.isoformat())}")
    assert "CNY 120,000" in between.text
    assert "Lapsed" not in between.text
    now = client.get(f"/listings/{market.listing}/as-of?lang=en")
    assert "Suspended" in now.text
    assert "Lapsed" in now.text
    by_version = client.get(f"/listings/{market.listing}/as-of?version=1")
    assert by_version.status_code == 404  # version 1 was a draft: not public
    assert client.get(f"/listings/{market.listing}/as-of?at=not-a-time").status_code == 400
    assert client.get(f"/listings/{market.listing}/as-of?at=2020-01-01&version=1").status_code == 400
    assert client.get(f"/listings/{market.listing}/as-of?at=2020-01-01").status_code == 404  # not listed yet
    assert audit_reads(services) == []  # public pages are not audit reads


def shown(page: str) -> tuple[str, str, str, int]:
    """What an as-of page shows of the listing: title, status tag, asking price and the version."""
    title = re.search(r"<h1>(.*?)</h1>", page)
    status = re.search(r'<span class="tag status-[a-z_]+">(.*?)</span>', page)
    price = re.search(r'<dd class="price">(.*?)</dd>', page)
    version = re.search(r"（挂牌第 (\d+) 版）", page)
    assert title is not None, page
    assert status is not None, page
    assert price is not None, page
    assert version is not None, page
    return title[1], status[1], price[1], int(version[1])


def test_a_draft_as_it_stood_is_for_its_organisation_and_auditors(
    client: TestClient[Litestar], market: Market, services: Services
) -> None:
    path = f"/listings/{market.draft}/as-of"
    assert client.get(path).status_code == 404
    login(client, OUTSIDER, PASSWORD)
    assert client.get(path).status_code == 404
    login(client, MEMBER, PASSWORD)
    own_draft = client.get(path)
    assert own_draft.status_code == 200
    assert shown(own_draft.text) == ("电池隔膜", "草稿", "5 万元", 1)
    # The published listing's first version, as drafted: the first price, before the revision and lapse.
    first = client.get(f"/listings/{market.listing}/as-of?version=1")
    assert first.status_code == 200
    assert shown(first.text) == ("固态锂电池电解质", "草稿", "10 万元", 1)
    assert "有效（已授权）" in first.text
    assert "失效（未缴年费）" not in first.text
    assert "12 万元" not in first.text
    assert audit_reads(services) == []
    login(client, AUDITOR, PASSWORD)
    page = client.get(path + "?lang=en")
    assert page.status_code == 200
    assert "Draft" in page.text
    assert [(r[0], r[1], r[2]) for r in audit_reads(services)] == [(market.auditor, market.draft, "Listing")]


def test_a_revoked_auditor_loses_access_even_with_an_old_token(
    client: TestClient[Litestar], market: Market, services: Services
) -> None:
    token = api_token(client, AUDITOR, PASSWORD)
    assert client.get("/api/audit/events", headers=token).status_code == 200
    admin = api_token(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    member = api_token(client, MEMBER, PASSWORD)
    assert client.delete(f"/api/users/{market.auditor}/roles/auditor", headers=member).status_code == 403
    assert client.delete(f"/api/users/{market.auditor}/roles/auditor", headers=admin).status_code == 200
    # A role revocation revokes the user's tokens: the old one is refused, a new login lacks the role.
    refused = client.get("/api/audit/events", headers=token)
    assert refused.status_code == 401
    assert "revoked" in refused.json()["detail"]
    refused = client.get("/api/audit/events", headers=api_token(client, AUDITOR, PASSWORD))
    assert refused.status_code == 403
    assert "auditor" in refused.json()["detail"]
    assert client.post(f"/api/users/{market.auditor}/roles", json={"role": "auditor"}, headers=admin
                       ).status_code == 200
    assert client.get("/api/audit/events", headers=token).status_code == 401
    assert client.get("/api/audit/events", headers=api_token(client, AUDITOR, PASSWORD)).status_code == 200


# --- readable summaries and diffs (issue 11) -------------------------------------------------

RAW = re.compile(r'<details class="raw">.*?</details>', re.S)
REPRS = ("{'", "['", '{"', '["', "':", "None", "True", "False")


def visible(page: str) -> str:
    """The text a reader sees without opening a "raw" toggle: tags stripped, entities decoded."""
    text = re.sub(r"<[^>]+>", " ", RAW.sub(" ", page.split("<main>", 1)[-1]))
    text = " ".join(html.unescape(text).split())
    return re.sub(r"\s+:\s*", ": ", re.sub(r"\s*：\s*", "：", text))


def row(page: str, attribute: str, value: object) -> str:
    """One table row of a page, by its ``data-position`` or ``data-version``."""
    found = re.search(rf'<tr {attribute}="{value}">(.*?)</tr>', page, re.S)
    assert found, f"no row {attribute}={value}"
    return found.group(1)


def positions(services: Services, event_type: str) -> list[int]:
    with psycopg.connect(services.address.conninfo()) as conn:
        return [r[0] for r in conn.execute("SELECT position FROM audit_log_events WHERE event_type = %s"
                                           " ORDER BY position", (event_type,)).fetchall()]


def test_event_log_summaries_are_words_with_the_raw_payload_behind_a_toggle(
    client: TestClient[Litestar], market: Market, services: Services
) -> None:
    login(client, AUDITOR, PASSWORD)
    zh_page = client.get("/audit/events").text
    en_page = client.get("/audit/events?lang=en").text
    for page in (zh_page, en_page):
        shown = visible(page)
        assert not [r for r in REPRS if r in shown], [r for r in REPRS if r in shown]
        assert not re.search(r"\b(Listing|Patent|User|Organisation)\.[A-Z]", shown), "a class name is shown"
    revised = positions(services, "Listing.Revised")[0]
    lapsed = positions(services, "Patent.LegalStatusChanged")[0]
    registered = positions(services, "Patent.Registered")[0]
    # Chinese: the event in words, field labels, money in 万元, the legal status by its label.
    shown = visible(row(zh_page, "data-position", revised))
    assert "修改挂牌" in shown
    assert "要价：12 万元" in shown
    assert "交易方式：转让" in shown
    assert "成熟度：中试" in shown
    assert "12000000" not in shown
    drafted = positions(services, "Listing.Drafted")[0]
    assert "机构：厦门大学" in visible(row(zh_page, "data-position", drafted))  # an id by its name, linked
    linked = f'<a href="/audit/aggregates/{market.org}">厦门大学</a>'
    assert linked in row(zh_page, "data-position", drafted)
    shown = visible(row(zh_page, "data-position", lapsed))
    assert "法律状态变更" in shown
    assert "状态：失效（未缴年费）" in shown
    assert "生效日期：2024-05-01" in shown
    shown = visible(row(zh_page, "data-position", registered))
    assert "专利权人：（名称 厦门大学，份额 100 %" in shown
    assert "专利类型：发明" in shown
    # English: the same facts in English words.
    shown = visible(row(en_page, "data-position", revised))
    assert "Listing revised" in shown
    assert "Asking price: CNY 120,000" in shown
    assert "Deal types: Assignment" in shown
    assert "Listing revised: fixed price" not in shown  # the stored English line is raw data now
    assert "Status: Lapsed" in visible(row(en_page, "data-position", lapsed))
    # The exact data stays one click away: the payload, the stored summary and the hash-chain link.
    raw = RAW.search(row(en_page, "data-position", revised))
    assert raw is not None
    exact = html.unescape(raw.group(0))
    assert '"asking_price": 12000000' in exact
    assert "Listing.Revised" in exact
    assert "Listing revised: fixed price CNY 120,000.00; assignment" in exact
    with psycopg.connect(services.address.conninfo()) as conn:
        link = conn.execute("SELECT encode(hash, 'hex') FROM audit_chain WHERE position = %s", (revised,)).fetchone()
    assert link is not None
    assert link[0] in exact
    # The event-type filter offers the events by name too.
    assert '<option value="Offer.Countered" >还价</option>' in zh_page
    assert '<option value="Offer.Countered" >Countered</option>' in en_page


def test_history_diffs_name_fields_format_values_and_hide_what_did_not_change(
    client: TestClient[Litestar], market: Market
) -> None:
    login(client, AUDITOR, PASSWORD)
    zh_page = client.get(f"/audit/aggregates/{market.listing}?version=3").text
    en_page = client.get(f"/audit/aggregates/{market.listing}?version=3&lang=en").text
    for page in (zh_page, en_page):
        shown = visible(page)
        assert not [r for r in REPRS if r in shown], [r for r in REPRS if r in shown]
        assert "terms.asking_price" not in shown
        assert "10000000" not in shown
        assert "Listing.Revised" not in shown
    # The revision changed the price only: one line, before → after, in words.
    assert visible(row(zh_page, "data-version", 3)).count("→") == 1
    assert "修改挂牌" in visible(row(zh_page, "data-version", 3))
    assert "交易条件 · 要价：10 万元 → 12 万元" in visible(row(zh_page, "data-version", 3))
    assert "Terms · Asking price: CNY 100,000 → CNY 120,000" in visible(row(en_page, "data-version", 3))
    assert "Status: Published → Suspended" in visible(row(en_page, "data-version", 4))
    # At creation: the fields given a value, each on its own line, no "before".
    created = visible(row(en_page, "data-version", 1))
    assert "Terms · Deal types: Assignment" in created
    assert "Terms · Maturity: Pilot" in created
    assert "Organisation: 厦门大学" in created  # an id by its name, linked to the record's own history
    assert "→" not in created
    # The state at version 3, labelled; the exact JSON behind the toggle.
    state = re.search(r'<section class="panel" id="state">(.*?)</section>', en_page, re.S)
    assert state is not None
    assert "State at version 3" in visible(state.group(1))
    assert "Published" in visible(state.group(1))
    assert '"asking_price": 12000000' in html.unescape(state.group(1))
    exact = html.unescape(RAW.search(row(en_page, "data-version", 3)).group(0))  # type: ignore[union-attr]
    assert '"terms.asking_price": [' in exact
    assert "10000000" in exact


def test_the_event_logs_time_filters_read_a_time_without_an_offset_as_beijing_time(
    client: TestClient[Litestar], market: Market
) -> None:
    """The page shows Beijing time, so a time typed into its filters is Beijing time too (UTC+8)."""
    login(client, AUDITOR, PASSWORD)
    an_hour_ago = (datetime.now(BEIJING) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    since = client.get(f"/audit/events?since={an_hour_ago}")
    assert "起始时间（北京时间）" in since.text
    assert since.text.count("data-position=") >= 10  # the scenario's events, all within the last hour
    # Read as UTC the same text would lie seven hours ahead, where nothing has happened yet.
    in_utc = client.get(f"/audit/events?since={an_hour_ago}%2B00:00")
    assert in_utc.text.count("data-position=") == 0


def test_a_counter_offer_reads_as_words_in_both_languages() -> None:
    """Offer.Countered as the event log shows it: 还价 / Countered, the side and the terms in words."""
    payload = {"side": "buyer", "by": str(UUID(int=1)), "expires_at": "2026-03-12T01:00:00+00:00",
               "terms": {"kind": "exclusive_licence", "price": 28_000_000, "currency": "CNY", "sublicensable": False,
                         "royalty_rate": 350, "milestones": [{"name": "样机", "amount": 5_000_000}], "note": ""}}
    vocabulary = site_vocabulary()
    zh_reader, en_reader = Reader(vocabulary, "zh", money), Reader(vocabulary, "en", money)
    assert (zh_reader.event("Offer.Countered"), en_reader.event("Offer.Countered")) == ("还价", "Countered")
    zh_facts = {f.label: f.text for f in zh_reader.facts(payload)}
    en_facts = {f.label: f.text for f in en_reader.facts(payload)}
    assert zh_facts == {"一方": "买方", "有效期至": "2026-03-12 09:00:00", "类型": "独占许可", "价格": "28 万元",
                        "可分许可": "否", "提成比例": "3.5 %", "里程碑": "（名称 样机，金额 5 万元）"}
    assert en_facts == {"Side": "buyer", "Open until": "2026-03-12 09:00:00", "Kind": "Exclusive licence",
                        "Price": "CNY 280,000", "Sublicensable": "no", "Royalty rate": "3.5 %",
                        "Milestones": "(Name 样机, Amount CNY 50,000)"}
