# ruff: noqa: F811 - pytest fixtures imported from other test modules are parameters here
"""Demand alerts on PostgreSQL, from the read model's side: a posted demand tells each organisation whose
listing answers it exactly once, though the worker dies mid-way and is started again, and though the matching
read model has not run at all (the inbox matches on its own copy of the facts); a rebuild of the inbox alone
writes the same items and sends nothing again. A demand for verified organisations only tells no organisation
that is not verified, where the public one does."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from marketplace.demand import demand_commands as mc
from marketplace.platform.services import Services
from tests.integration.test_notification_restarts import Killed, mail_client, rows, sender  # noqa: F401 - the fixture
from tests.web.mail_server import MailServer, mail_server  # noqa: F401 - the fixture
from tests.web.test_api import listed, verified_member
from tests.web.test_deals_journey import Parties, clock, parties, services_of  # noqa: F401
from tests.web.test_demand_matching_web import BREAD, SEPARATOR

UNIVERSITY = "tto@fzu.example.cn"
ITEMS = ("SELECT user_id::text, position, seq, kind, event, title_zh, link FROM notification_items"
         " WHERE kind = 'demand_match' ORDER BY 1, 2, 3")


def _stop(services: Services) -> None:
    assert services.runner is not None
    services.runner.stop()
    services.runner = None


def _post(services: Services, p: Parties, visibility: str = "public") -> UUID:
    demand, _ = services.app.demands.post(mc.PostDemand(
        title_zh="固态电池界面阻抗", description_zh="寻求降低固态电解质界面阻抗的技术", problem="界面阻抗高",
        targets="界面阻抗 < 10 Ω·cm²", ipc_codes=["H01M 10/0562"], keywords=["固态电池", "界面"],
        budget_min=50_000_000, budget_max=200_000_000, deadline=date(2026, 3, 12), wants=["commissioned"],
        visibility=visibility), actor_id=UUID(p.enterprise.user_id))
    return demand


def test_a_demand_tells_the_university_once_across_a_killed_worker_and_a_rebuild_without_the_matching_model(
    mail_client: TestClient[Litestar], mail_server: MailServer,
) -> None:
    client = mail_client
    services = services_of(client)
    p = parties(client)
    listed(client, p.university, 81, SEPARATOR, asking_price=100_000_000, maturity="pilot")
    xmu = verified_member(client, services, "lab@xmu.example.cn", "厦门大学")
    listed(client, xmu, 82, BREAD, asking_price=100_000_000, keywords=["全麦", "面包"])
    _stop(services)
    demands = [_post(services, p), _post(services, p)]

    # Only the accounts and the inbox run (one event per page); the worker dies after the first match notice.
    def die(_last: int, _head: int) -> None:
        if rows(services, ITEMS):
            raise Killed

    with pytest.raises(Killed):
        services.make_runner(["accounts", "notifications"], page_size=1).catch_up(progress=die)
    assert len(sender(services).run_once().sent) == 1
    services.make_runner(["accounts", "notifications"], page_size=3).catch_up()
    assert len(sender(services).run_once().sent) == 1
    assert sender(services).run_once().sent == []
    # The matching read model never ran: its tables are empty, and the inbox told the university all the same.
    assert rows(services, "SELECT count(*) AS n FROM matching_matches") == [{"n": 0}]
    items = rows(services, ITEMS)
    assert [(i["event"], i["link"]) for i in items] == [("demand_match.demand", f"/demands/{d}") for d in demands]
    assert {i["user_id"] for i in items} == {p.university.user_id}
    mails = mail_server.received.to(UNIVERSITY)
    assert len(mails) == 2
    assert mail_server.received.to("lab@xmu.example.cn") == []

    # The inbox rebuilt alone, all at once, writes the same items and sends nothing again.
    services.views["notifications"].reset()
    services.make_runner(["notifications"]).catch_up()
    assert rows(services, ITEMS) == items
    assert sender(services).run_once().sent == []
    assert len(mail_server.received.to(UNIVERSITY)) == 2


def test_a_demand_for_verified_organisations_only_tells_no_organisation_that_is_not_verified(
    mail_client: TestClient[Litestar], mail_server: MailServer,
) -> None:
    client = mail_client
    services = services_of(client)
    p = parties(client)
    listed(client, p.university, 81, SEPARATOR, asking_price=100_000_000, maturity="pilot")
    _stop(services)
    services.make_runner().catch_up()
    # No command takes a verification back today; the accounts read model's row is set as a revocation would.
    with services.recorder.datastore.transaction(commit=True) as curs:
        curs.execute("UPDATE accounts_organisations SET verified = false WHERE id = %s",
                     (p.university.organisation_id,))
    hidden = _post(services, p, visibility="verified")
    public = _post(services, p)
    services.make_runner().catch_up()
    assert [i["link"] for i in rows(services, ITEMS)] == [f"/demands/{public}"]
    assert f"/demands/{hidden}" not in str(rows(services, "SELECT link FROM notification_items"))
