# ruff: noqa: F811 - pytest fixtures imported from other test modules are parameters here
"""E-mail notifications through a real SMTP server (aiosmtpd on 127.0.0.1): each notification is sent once,
in the user's language, with an unsubscribe link that works without a login; a server that is down is
tried again later, and what failed shows to the platform admin; a daily digest gathers a day in one message."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from marketplace.notifications.outbox import OutboxSender, SendReport
from marketplace.platform.clock import ManualClock
from marketplace.platform.database import DatabaseAddress
from tests.conftest import patient
from tests.web.conftest import csrf_token, post_form
from tests.web.mail_server import MailServer, body, free_port, mail_server  # noqa: F401 - the fixture
from tests.web.test_api import listed
from tests.web.test_deals_journey import Parties, clock, deal_services, ok, parties, services_of  # noqa: F401
from tests.web.test_demands_web import demand_body
from tests.web.test_saved_searches_web import save_search
from tests.web.test_todo import ENTERPRISE, UNIVERSITY, as_user
from web.app import create_app

SELLER = "tto@fzu.example.cn"
BUYER = "buyer@cells.example.cn"


@pytest.fixture
def mail_client(database: DatabaseAddress, ipc_scheme: Any, tmp_path: Path, clock: ManualClock,
                mail_server: MailServer) -> Iterator[TestClient[Litestar]]:
    env = {"MARKETPLACE_SMTP_URL": mail_server.url, "MARKETPLACE_SMTP_SENDER": "noreply@market.example.cn",
           "MARKETPLACE_PUBLIC_URL": "http://testserver"}
    svc = deal_services(database, ipc_scheme, tmp_path, clock, env)
    with TestClient(create_app(patient(svc), start_projections=True)) as client:
        yield client
    svc.close()


def sender(client: TestClient[Litestar], url: str | None = None, **kwargs: Any) -> OutboxSender:
    services = services_of(client)
    s = services.settings
    return OutboxSender(services.recorder.datastore, smtp_url=url or s.smtp_url or "", sender=s.smtp_sender,
                        site_url=s.site_url, secret=s.secret_key, **kwargs)


def offer_on_new_listing(client: TestClient[Litestar], p: Parties, serial: int) -> str:
    listing_id = listed(client, p.university, serial, price_mode="negotiable", asking_price=None)
    offer = {"kind": "assignment", "price": 30_000_000, "valid_days": 10}
    made = ok(client.post(f"/api/listings/{listing_id}/offers", headers=p.enterprise.headers, json=offer), 201)
    return str(made["id"])


def outbox(client: TestClient[Litestar]) -> list[dict[str, Any]]:
    with services_of(client).recorder.datastore.transaction(commit=False) as curs:
        curs.execute("SELECT id, user_id, kind, status, attempts, digest, last_error, next_attempt_at"
                     " FROM notification_outbox ORDER BY id")
        return [dict(r) for r in curs.fetchall()]


def unsubscribe_link(text: str, kind: str) -> str:
    found = re.search(rf"http://testserver(/unsubscribe/[0-9a-f-]+/{kind}/[0-9a-f]+)", text)
    assert found, f"no unsubscribe link for {kind} in {text!r}"
    return found.group(1)


def test_an_offer_is_mailed_once_in_the_users_language_and_the_unsubscribe_link_works_once(
    mail_client: TestClient[Litestar], mail_server: MailServer,
) -> None:
    client = mail_client
    p = parties(client)
    # The buyer chooses English e-mails on the settings page.
    as_user(client, ENTERPRISE)
    assert post_form(client, "/inbox/settings", {"language": "en", "mode_offer": "immediately"},
                     form_page="/inbox/settings").status_code == 303
    offer_id = offer_on_new_listing(client, p, 61)
    mail = sender(client)
    first = mail.run_once()
    assert len(first.sent) == 1
    assert mail.run_once().sent == []
    assert sender(client).run_once().sent == []
    [message] = mail_server.received.to(SELLER)
    assert message["Subject"].startswith("收到报价")
    assert message["From"] == "noreply@market.example.cn"
    text = body(message)
    assert f"http://testserver/offers/{offer_id}" in text
    assert mail_server.received.to(BUYER) == []  # the buyer made it

    # The seller counters: the buyer's message is in English.
    counter = {"kind": "assignment", "price": 35_000_000, "valid_days": 10}
    ok(client.post(f"/api/offers/{offer_id}/counter", headers=p.university.headers, json=counter))
    assert len(mail.run_once().sent) == 1
    [english] = mail_server.received.to(BUYER)
    assert english["Subject"].startswith("Counter-offer received")
    link = unsubscribe_link(body(english), "offer")
    assert english["List-Unsubscribe"] == f"<http://testserver{link}>"

    # Unsubscribing needs no login, asks first, and works once; a forged link does nothing.
    client.cookies.clear()
    assert "退订" in client.get(link).text
    forged = link[:-4] + ("0000" if not link.endswith("0000") else "1111")
    assert client.get(forged).status_code == 404
    token = csrf_token(client, link)
    done = client.post(link, data={"_csrf_token": token})
    assert done.status_code == 200
    assert 'id="unsubscribe-done"' in done.text
    again = client.post(link, data={"_csrf_token": token})
    assert 'id="unsubscribe-already"' in again.text
    assert 'id="unsubscribe-already"' in client.get(link).text

    # Another counter: the buyer's inbox has it, but no e-mail about offers comes any more.
    ok(client.post(f"/api/offers/{offer_id}/counter", headers=p.enterprise.headers,
                   json={"kind": "assignment", "price": 32_000_000, "valid_days": 10}))
    ok(client.post(f"/api/offers/{offer_id}/counter", headers=p.university.headers,
                   json={"kind": "assignment", "price": 34_000_000, "valid_days": 10}))
    mail.run_once()
    assert len(mail_server.received.to(BUYER)) == 1
    assert len(mail_server.received.to(SELLER)) == 2
    buyer_items = ok(client.get("/api/inbox", headers=p.enterprise.headers))["items"]
    assert [i["event"] for i in buyer_items] == ["offer.countered", "offer.countered"]


def test_a_server_that_is_down_is_tried_again_later_and_a_failure_shows_to_the_platform_admin(
    mail_client: TestClient[Litestar], mail_server: MailServer,
) -> None:
    client = mail_client
    p = parties(client)
    offer_on_new_listing(client, p, 62)
    now = datetime.now(UTC)
    down = sender(client, url=f"smtp://127.0.0.1:{free_port()}", now=lambda: now, max_attempts=3, timeout=2)
    report = down.run_once()
    assert report.retrying
    assert not report.sent
    [row] = outbox(client)
    assert row["status"] == "pending"
    assert row["attempts"] == 1
    assert row["last_error"]
    assert row["next_attempt_at"] == now + timedelta(seconds=30)
    assert down.run_once() == SendReport()  # not before its time

    # The platform admin sees the trouble; no one else does.
    as_user(client, UNIVERSITY)
    assert client.get("/admin/outbox").status_code == 403
    client.cookies.clear()
    from tests.web.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, login

    login(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    page = client.get("/admin/outbox")
    assert page.status_code == 200
    assert "outbox-row" in page.text
    assert row["last_error"][:20] in page.text

    # Twice more with the server down (30 s, then 60 s later): failed for good.
    later = sender(client, url=f"smtp://127.0.0.1:{free_port()}", now=lambda: now + timedelta(seconds=31),
                   max_attempts=3, timeout=2)
    assert later.run_once().retrying
    last = sender(client, url=f"smtp://127.0.0.1:{free_port()}", now=lambda: now + timedelta(seconds=200),
                  max_attempts=3, timeout=2)
    assert last.run_once().failed
    assert outbox(client)[0]["status"] == "failed"
    assert "failed" in client.get("/admin/outbox").text

    # A second notification while the server is down once, then up: sent once, on the next try.
    offer_on_new_listing(client, p, 63)
    assert sender(client, url=f"smtp://127.0.0.1:{free_port()}", timeout=2).run_once().retrying
    up = sender(client, now=lambda: datetime.now(UTC) + timedelta(seconds=31))
    assert len(up.run_once().sent) == 1
    assert up.run_once().sent == []
    assert len(mail_server.received.to(SELLER)) == 1


def test_a_daily_digest_gathers_the_days_notifications_in_one_message_at_eight(
    mail_client: TestClient[Litestar], mail_server: MailServer,
) -> None:
    client = mail_client
    p = parties(client)
    as_user(client, UNIVERSITY)
    assert post_form(client, "/inbox/settings", {"mode_offer": "digest"}, form_page="/inbox/settings").status_code \
        == 303
    assert 'value="digest" checked' in client.get("/inbox/settings").text
    offer_on_new_listing(client, p, 64)
    offer_on_new_listing(client, p, 65)
    assert sender(client).run_once().sent == []  # not before 08:00 Beijing time the next day
    assert [r["digest"] for r in outbox(client)] == [True, True]
    tomorrow = sender(client, now=lambda: datetime.now(UTC) + timedelta(days=1, hours=1))
    assert len(tomorrow.run_once().sent) == 2
    [digest] = mail_server.received.to(SELLER)
    assert "每日摘要" in digest["Subject"]
    assert body(digest).count("收到报价") == 2


@pytest.mark.parametrize(("beijing", "due"), [
    ("2026-12-06 00:21", "2026-12-06 08:00"),  # after midnight: that morning, not the one after
    ("2026-12-06 07:59", "2026-12-06 08:00"),
    ("2026-12-06 08:00", "2026-12-07 08:00"),  # at eight: the day's digest has gone; the next one
    ("2026-12-06 23:59", "2026-12-07 08:00"),
    ("2026-12-31 12:00", "2027-01-01 08:00"),
])
def test_a_digest_notice_is_due_at_the_first_eight_oclock_beijing_time_after_it(
    mail_client: TestClient[Litestar], beijing: str, due: str,
) -> None:
    from projections.notifications.view import NEXT_DIGEST_AT

    shanghai = ZoneInfo("Asia/Shanghai")
    at = datetime.fromisoformat(beijing).replace(tzinfo=shanghai)
    with services_of(mail_client).recorder.datastore.transaction(commit=False) as curs:
        curs.execute("SELECT " + NEXT_DIGEST_AT + " AS due", {"at": at})
        row = curs.fetchone()
    assert row is not None
    assert row["due"] == datetime.fromisoformat(due).replace(tzinfo=shanghai)


def test_settings_refuse_unknown_choices_and_the_inbox_alone_works_without_mail(
    mail_client: TestClient[Litestar],
) -> None:
    client = mail_client
    parties(client)
    as_user(client, UNIVERSITY)
    post_form(client, "/inbox/settings", {"mode_offer": "hourly", "language": "fr"}, form_page="/inbox/settings")
    page = client.get("/inbox/settings")
    assert 'name="mode_offer" value="immediately" checked' in page.text
    assert '<option value="zh" selected>' in page.text
    english = client.get("/inbox/settings?lang=en").text
    assert "Daily digest" in english
    assert "Language of e-mails" in english


def test_a_university_is_mailed_of_a_new_demand_matching_its_saved_search(
    mail_client: TestClient[Litestar], mail_server: MailServer,
) -> None:
    client = mail_client
    p = parties(client)
    as_user(client, UNIVERSITY)
    assert save_search(client, "/demands?q=固态电池").status_code == 303
    posted = ok(client.post("/api/demands", json=demand_body(), headers=p.enterprise.headers), 201)
    assert len(sender(client).run_once().sent) == 1
    [message] = mail_server.received.to(SELLER)
    assert message["Subject"].startswith("新需求符合您保存的搜索")
    text = body(message)
    assert f"http://testserver/demands/{posted['id']}" in text
    assert "固态电池界面阻抗" in text
    assert unsubscribe_link(text, "search")
