# ruff: noqa: F811 - pytest fixtures imported from other test modules are parameters here
"""Each change notifies each subscriber exactly once, also when the notifier dies mid-way (the issue's
done-when 2): on PostgreSQL, the read-model worker is killed between events and started again, the sender
runs before and after, a second sender races the first, and the inbox is rebuilt — one e-mail per newly
published listing, never two."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from marketplace.catalogue.commands import PublishListing
from marketplace.notifications.outbox import OutboxSender, SendReport
from marketplace.platform.clock import ManualClock
from marketplace.platform.database import DatabaseAddress
from marketplace.platform.services import Services
from tests.conftest import patient
from tests.web.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, login
from tests.web.mail_server import MailServer, mail_server  # noqa: F401 - the fixture
from tests.web.test_api import draft, register
from tests.web.test_deals_journey import clock, deal_services, parties, services_of  # noqa: F401
from tests.web.test_saved_searches_web import save_search
from tests.web.test_todo import ENTERPRISE, as_user
from web.app import create_app

BUYER = "buyer@cells.example.cn"


class Killed(Exception):  # noqa: N818 - what happened to the worker
    """The worker process died here."""


@pytest.fixture
def mail_client(database: DatabaseAddress, ipc_scheme: Any, tmp_path: Path, clock: ManualClock,
                mail_server: MailServer) -> Iterator[TestClient[Litestar]]:
    svc = deal_services(database, ipc_scheme, tmp_path, clock, {"MARKETPLACE_SMTP_URL": mail_server.url})
    with TestClient(create_app(patient(svc), start_projections=True)) as client:
        yield client
    svc.close()


def sender(services: Services) -> OutboxSender:
    s = services.settings
    return OutboxSender(services.recorder.datastore, smtp_url=s.smtp_url or "", sender=s.smtp_sender,
                        site_url=s.site_url, secret=s.secret_key)


def rows(services: Services, statement: str) -> list[dict[str, Any]]:
    with services.recorder.datastore.transaction(commit=False) as curs:
        curs.execute(statement)  # type: ignore[arg-type]
        return [dict(r) for r in curs.fetchall()]


def test_a_saved_search_yields_one_email_per_new_listing_though_the_notifier_is_killed_and_restarted(
    mail_client: TestClient[Litestar], mail_server: MailServer,
) -> None:
    client = mail_client
    services = services_of(client)
    p = parties(client)
    as_user(client, ENTERPRISE)
    assert save_search(client, "/listings?q=固态电池").status_code == 303
    drafts = [draft(client, p.university, register(client, p.university, serial)) for serial in (81, 82, 83)]

    # The in-process worker stops; three listings are published while no read model follows.
    assert services.runner is not None
    services.runner.stop()
    services.runner = None
    app = services.app
    for listing_id in drafts:
        app.catalogue.publish_listing(PublishListing(listing_id=UUID(listing_id)), actor_id=UUID(p.university.user_id))

    # A worker that applies one event per page dies after its first page with a notice in it.
    first = services.make_runner(page_size=1)
    with pytest.raises(Killed):
        first.catch_up(progress=_kill_after_first_notice(services))
    assert len(sender(services).run_once().sent) == 1
    assert len(mail_server.received.to(BUYER)) == 1

    # Started again: it goes on from its tracked position; a second worker racing it changes nothing.
    second, third = services.make_runner(page_size=1), services.make_runner(page_size=2)
    racing = threading.Thread(target=third.catch_up)
    racing.start()
    second.catch_up()
    racing.join()
    # Two senders at once (rows claimed with SKIP LOCKED): each message goes once.
    reports: list[SendReport] = []
    senders = [threading.Thread(target=lambda: reports.append(sender(services).run_once())) for _ in range(2)]
    for t in senders:
        t.start()
    for t in senders:
        t.join()
    assert sum(len(r.sent) for r in reports) == 2
    assert sender(services).run_once().sent == []

    mails = mail_server.received.to(BUYER)
    assert len(mails) == 3
    linked = sorted(next(line for line in m.get_content().splitlines() if "/listings/" in line)  # type: ignore[attr-defined]
                    .rsplit("/", 1)[1] for m in mails)
    assert linked == sorted(drafts)
    items = rows(services, "SELECT user_id, position, seq FROM notification_items WHERE event = 'search.listing'")
    assert len(items) == 3

    # A rebuild of the inbox gives the same items and sends nothing again.
    services.views["notifications"].reset()
    services.make_runner(["notifications"]).catch_up()
    assert len(rows(services, "SELECT 1 FROM notification_items WHERE event = 'search.listing'")) == 3
    assert sender(services).run_once().sent == []
    assert len(mail_server.received.to(BUYER)) == 3
    statuses = rows(services, "SELECT status, count(*) AS n FROM notification_outbox GROUP BY status")
    assert statuses == [{"status": "sent", "n": 3}]


def _kill_after_first_notice(services: Services) -> Any:
    """Die right after the page that wrote the first search notice (the page and its position committed)."""

    def progress(_last: int, _head: int) -> None:
        if rows(services, "SELECT 1 FROM notification_items WHERE event = 'search.listing'"):
            raise Killed

    return progress


def test_a_sender_killed_after_claiming_never_sends_that_message_twice_and_the_admin_sees_it(
    mail_client: TestClient[Litestar], mail_server: MailServer,
) -> None:
    client = mail_client
    services = services_of(client)
    p = parties(client)
    as_user(client, ENTERPRISE)
    assert save_search(client, "/listings?q=固态电池").status_code == 303
    listing_id = draft(client, p.university, register(client, p.university, 84))
    client.post(f"/api/listings/{listing_id}/publish", headers=p.university.headers)
    dying = sender(services)
    claimed = dying._claim(datetime.now(UTC), SendReport())
    assert len(claimed) == 1
    assert sender(services).run_once() == SendReport()
    assert mail_server.received.to(BUYER) == []
    [row] = rows(services, "SELECT status, attempts FROM notification_outbox")
    assert row == {"status": "sending", "attempts": 1}
    client.cookies.clear()
    login(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    assert "<td>sending</td>" in client.get("/admin/outbox").text
