# ruff: noqa: F811 - pytest fixtures imported from other test modules are parameters here
"""Demand alerts over HTTP, with a real SMTP server (aiosmtpd on 127.0.0.1): an enterprise posts a technology
demand, and the university whose published listing answers it — with no saved search — gets exactly one e-mail
and one inbox item linking to the demand, where the ranked match shows its reasons; a university whose listings
do not answer it gets nothing. A newly published listing tells the enterprise whose open demand it answers. The
kind has its own e-mail choice on the settings page: off, the inbox item comes without an e-mail. A member whose
saved search told it of the demand is not told again by the match."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import TestClient

from marketplace.platform.clock import ManualClock
from tests.web.conftest import login, post_form
from tests.web.mail_server import MailServer, body, mail_server  # noqa: F401 - the fixture
from tests.web.test_api import listed, verified_member
from tests.web.test_deals_journey import clock, ok, parties, services_of  # noqa: F401 - the fixtures
from tests.web.test_demand_matching_web import BREAD, SEPARATOR, matched
from tests.web.test_development_contracts_web import ENTERPRISE, UNIVERSITY, demand_body
from tests.web.test_notification_mail import mail_client, sender  # noqa: F401 - the fixture
from tests.web.test_saved_searches_web import save_search

XMU = ("lab@xmu.example.cn", "secret-password-1")
CATHODE = {"title_zh": "一种固态电池复合正极界面层",
           "title_en": "Composite cathode interface for solid-state batteries", "ipc": ("H01M 10/0562",)}


def _inbox(client: TestClient[Litestar], headers: dict[str, str]) -> list[tuple[str, str, str]]:
    items = ok(client.get("/api/inbox", headers=headers))["items"]
    return [(i["event"], i["link"], i["title_zh"]) for i in items]


def test_a_new_demand_tells_the_university_whose_listing_answers_it_once_and_no_one_else(
    mail_client: TestClient[Litestar], mail_server: MailServer, clock: ManualClock,
) -> None:
    client = mail_client
    p = parties(client)
    xmu = verified_member(client, services_of(client), XMU[0], "厦门大学")
    layer = listed(client, p.university, 81, SEPARATOR, asking_price=100_000_000, maturity="pilot")
    listed(client, xmu, 82, BREAD, asking_price=100_000_000, keywords=["全麦", "面包"])
    mail = sender(client)
    mail.run_once()  # nothing was waiting: publishing tells no one here
    assert mail_server.received.messages == []

    demand = ok(client.post("/api/demands", json={**demand_body(), "keywords": ["固态电池", "界面"]},
                            headers=p.enterprise.headers), 201)["id"]

    # The university, which saved no search, hears of it once: one e-mail, one inbox item, linking the demand.
    assert len(mail.run_once().sent) == 1
    assert mail.run_once().sent == []
    [message] = mail_server.received.to(UNIVERSITY[0])
    assert message["Subject"] == "新需求与您的挂牌匹配 · 专利交易平台"
    text = body(message)
    assert f"http://testserver/demands/{demand}" in text
    assert "新需求与您的挂牌匹配: 固态电池界面阻抗" in text
    assert "退订此类邮件 (与您匹配的新需求和新挂牌)" in text
    assert _inbox(client, p.university.headers) == [("demand_match.demand", f"/demands/{demand}", "固态电池界面阻抗")]
    # The bread's university and the enterprise itself are told nothing.
    assert mail_server.received.to(XMU[0]) == []
    assert mail_server.received.to(ENTERPRISE[0]) == []
    assert _inbox(client, xmu.headers) == []
    assert _inbox(client, p.enterprise.headers) == []

    # The link opens the demand's ranked matches: the university's listing first, with its reasons.
    [match] = matched(client, demand, **p.university.headers)
    assert match["listing_id"] == layer
    assert [r["kind"] for r in match["reasons"]] == ["ipc_group", "terms", "price"]
    login(client, *UNIVERSITY)
    assert "同一IPC组 H01M 10/0562" in client.get(f"/demands/{demand}/matches").text
    client.cookies.clear()

    # A listing published later that answers the open demand tells the enterprise, linking its demand.
    cathode = listed(client, xmu, 83, CATHODE, asking_price=150_000_000, keywords=["固态电池", "界面"])
    assert len(mail.run_once().sent) == 1
    [letter] = mail_server.received.to(ENTERPRISE[0])
    assert letter["Subject"] == "新挂牌与您的需求匹配 · 专利交易平台"
    assert f"http://testserver/demands/{demand}" in body(letter)
    assert _inbox(client, p.enterprise.headers) == [
        ("demand_match.listing", f"/demands/{demand}", "一种固态电池复合正极界面层")]
    assert cathode in [m["listing_id"] for m in matched(client, demand, **p.enterprise.headers)]
    assert len(mail_server.received.to(UNIVERSITY[0])) == 1  # the university is not told of another's listing


def test_the_kind_has_its_own_e_mail_choice_and_off_keeps_the_inbox_item(
    mail_client: TestClient[Litestar], mail_server: MailServer, clock: ManualClock,
) -> None:
    client = mail_client
    p = parties(client)
    listed(client, p.university, 81, SEPARATOR, asking_price=100_000_000, maturity="pilot")
    login(client, *UNIVERSITY)
    page = client.get("/inbox/settings").text
    assert "与您匹配的新需求和新挂牌" in page
    assert "New demands and listings that match yours" in client.get("/inbox/settings?lang=en").text
    assert post_form(client, "/inbox/settings", {"mode_demand_match": "off"},
                     form_page="/inbox/settings").status_code == 303
    assert 'name="mode_demand_match" value="off" checked' in client.get("/inbox/settings").text
    client.cookies.clear()

    demand = ok(client.post("/api/demands", json={**demand_body(), "visibility": "verified"},
                            headers=p.enterprise.headers), 201)["id"]
    assert sender(client).run_once().sent == []
    assert mail_server.received.messages == []
    # A verified-only demand reaches the verified university's inbox.
    assert _inbox(client, p.university.headers) == [("demand_match.demand", f"/demands/{demand}", "固态电池界面阻抗")]


def test_a_member_told_by_a_saved_search_is_not_told_again_by_the_match(
    mail_client: TestClient[Litestar], mail_server: MailServer, clock: ManualClock,
) -> None:
    client = mail_client
    p = parties(client)
    listed(client, p.university, 81, SEPARATOR, asking_price=100_000_000, maturity="pilot")
    login(client, *UNIVERSITY)
    assert save_search(client, "/demands?q=固态电池").status_code == 303
    client.cookies.clear()
    demand = ok(client.post("/api/demands", json=demand_body(), headers=p.enterprise.headers), 201)["id"]
    assert len(sender(client).run_once().sent) == 1
    [message] = mail_server.received.to(UNIVERSITY[0])
    assert message["Subject"] == "新需求符合您保存的搜索 · 专利交易平台"
    assert _inbox(client, p.university.headers) == [("search.demand", f"/demands/{demand}", "固态电池界面阻抗")]
