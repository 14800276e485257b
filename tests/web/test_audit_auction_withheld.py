# ruff: noqa: F811 - pytest fixtures imported from other test modules are parameters here
"""While a lot is open, no audit reading surface shows a proxy maximum (nor a revealed sealed amount): the event
log page and its API, a record's history page and its API, the as-of state page and API, ``marketplace audit show``
— an auditor or platform admin who read it could bid against it. They say "withheld" in zh and en; once the lot has
closed, they show it."""

from __future__ import annotations

import argparse
import json
from datetime import timedelta
from uuid import UUID

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from marketplace.audit.replay_cli import print_history, print_state
from marketplace.platform.clock import ManualClock
from marketplace.platform.services import Services
from tests.web.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, login
from tests.web.test_api import Member, admin, listed, verified_member
from tests.web.test_auctions_web import (  # noqa: F401 - the clock and services fixtures
    bidder,
    clock,
    close_lots,
    enterprise,
    lot_body,
    ok,
    services,
)
from web.formats import money

MAXIMUM = 1_900_000  # on the grid and never bid: only the ProxySet event holds it
WITHHELD_ZH, WITHHELD_EN = "截止前不予显示", "withheld until the lot closes"


def surfaces(client: TestClient[Litestar], lot: str, headers: dict[str, str]) -> dict[str, str]:
    """Every audit reading of the lot, as text: pages in zh and en, the API, the command line."""
    read: dict[str, str] = {}
    for lang in ("zh", "en"):
        client.cookies.set("lang", lang)
        read[f"events page {lang}"] = client.get(f"/audit/events?aggregate_id={lot}").text
        read[f"history page {lang}"] = client.get(f"/audit/aggregates/{lot}").text
        read[f"state page {lang}"] = client.get(f"/audit/aggregates/{lot}?version=7").text
    read["events api"] = client.get("/api/audit/events", params={"aggregate_id": lot}, headers=headers).text
    read["history api"] = client.get(f"/api/audit/aggregates/{lot}", headers=headers).text
    read["state api"] = client.get(f"/api/audit/aggregates/{lot}/state", headers=headers).text
    read["as-of api"] = client.get(f"/api/audit/aggregates/{lot}/state", params={"version": 7}, headers=headers).text
    return read


def open_lot_with_a_proxy(client: TestClient[Litestar], services: Services) -> tuple[Member, Member, Member, str]:
    """A lot with two bidders: the firm's proxy maximum (version 7) answers the rival's bid; not closed yet."""
    ops = admin(client)
    uni = verified_member(client, services, "wang@fzu.example.cn", "福州大学")
    firm = enterprise(client, services, "chen@xmzz.example.cn", "厦门智造装备有限公司")
    rival = enterprise(client, services, "lin@qzxc.example.cn", "泉州新材料有限公司")
    session = str(ok(client.post("/api/auctions", json={"title_zh": "拍卖会"}, headers=ops.headers), 201)["id"])
    lot = str(ok(client.post(f"/api/auctions/{session}/lots", json=lot_body(session, listed(client, uni, 1)),
                             headers=ops.headers), 201)["id"])
    ok(client.post(f"/api/lots/{lot}/consent", headers=uni.headers))
    for who in (firm, rival):
        bidder(client, ops, who, session, lot)
    ok(client.post(f"/api/lots/{lot}/proxy", json={"maximum": MAXIMUM}, headers=firm.headers))  # version 7
    ok(client.post(f"/api/lots/{lot}/bids", json={"amount": 1_100_000}, headers=rival.headers))
    services.make_runner().catch_up()
    return ops, firm, rival, lot


def test_no_audit_surface_shows_a_proxy_maximum_before_the_close(
    client: TestClient[Litestar], services: Services, clock: ManualClock, capsys: pytest.CaptureFixture[str],
) -> None:
    ops, firm, _, lot = open_lot_with_a_proxy(client, services)
    login(client, ADMIN_EMAIL, ADMIN_PASSWORD)  # a platform admin reads as an auditor does

    secret = (str(MAXIMUM), money(MAXIMUM, "zh"), money(MAXIMUM, "en"))
    for surface, text in surfaces(client, lot, ops.headers).items():
        assert not [s for s in secret if s in text], surface
        if "page zh" in surface:
            assert WITHHELD_ZH in text, surface
        if "page en" in surface:
            assert WITHHELD_EN in text, surface
    history = json.loads(client.get(f"/api/audit/aggregates/{lot}", headers=ops.headers).text)["history"]
    (proxy_set,) = [h for h in history if h["event_type"] == "Lot.ProxySet"]
    assert proxy_set["changes"][f"proxies.{firm.organisation_id}"][1]["maximum"] == "(withheld until the close)"
    print_history(services, UUID(lot), as_json=True)
    print_state(services, argparse.Namespace(aggregate_id=UUID(lot), version=7, at=None))
    said = capsys.readouterr().out
    assert str(MAXIMUM) not in said
    assert "(withheld until the close)" in said

    clock.advance(timedelta(hours=2))
    assert [str(c) for c in close_lots(services)] == [lot]
    for surface, text in surfaces(client, lot, ops.headers).items():
        if surface != "events api":  # the log's rows carry their summary alone, which never names a maximum
            assert str(MAXIMUM) in text or money(MAXIMUM, surface[-2:]) in text, surface
        assert WITHHELD_ZH not in text, surface
        assert WITHHELD_EN not in text, surface
    print_history(services, UUID(lot), as_json=True)
    assert str(MAXIMUM) in capsys.readouterr().out
