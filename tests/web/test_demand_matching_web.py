"""Matching, explained, over HTTP from the users' side (issue 13): an enterprise posts a demand and its page
shows the matching listings with readable reasons in Chinese and English; the university that lists a matching
patent sees the demand among its listing's matching demands; a verified-only demand reaches the seller only
when the seller's organisation is verified, never an anonymous reader or another organisation; a withdrawn
listing leaves the demand's matches."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from marketplace.platform.services import Services
from tests.web.test_api import listed, unverified_member, verified_member
from tests.web.test_demands_web import clock, demand_body, enterprise, services  # noqa: F401 - fixtures

SEPARATOR = {"title_zh": "一种固态电池界面修饰层", "title_en": "Interface layer for solid-state batteries",
             "ipc": ("H01M 10/0562",)}
BREAD = {"title_zh": "一种全麦面包及其制作方法", "title_en": "Wholemeal bread", "ipc": ("A21D 13/00",)}


def matched(client: TestClient[Litestar], demand: str, **headers: str) -> list[dict[str, Any]]:
    answer = client.get(f"/api/demands/{demand}/matches", headers=headers)
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


def test_a_demand_shows_its_matching_listings_with_reasons_and_the_seller_sees_the_demand(
    client: TestClient[Litestar], services: Services,  # noqa: F811 - the fixture of test_demands_web (its clock)
) -> None:
    firm = enterprise(client, services, "chen@ningde.example.cn", "宁德新能源科技有限公司")
    fzu = verified_member(client, services, "wang@fzu.example.cn", "福州大学")
    xmu = verified_member(client, services, "li@xmu.example.cn", "厦门大学")
    layer = listed(client, fzu, 1, SEPARATOR, asking_price=100_000_000, maturity="pilot")
    bread = listed(client, fzu, 2, BREAD, asking_price=100_000_000, keywords=["全麦", "面包"])
    posted = client.post("/api/demands", json=demand_body(), headers=firm.headers)
    assert posted.status_code == 201, posted.text
    demand = posted.json()["id"]

    (match,) = matched(client, demand)  # anonymous readers see a public demand's matches; the bread is not one
    assert match["listing_id"] == layer
    assert [r["kind"] for r in match["reasons"]] == ["ipc_group", "terms", "price", "maturity"]
    assert match["reasons"][0]["values"] == ["H01M 10/0562"]
    assert {"固态电池界面", "solid-state", "battery"} <= set(match["reasons"][1]["values"])
    assert bread not in {m["listing_id"] for m in matched(client, demand)}

    section = client.get(f"/demands/{demand}/matches", headers={"HX-Request": "true"})
    assert section.status_code == 200
    assert "同一IPC组 H01M 10/0562" in section.text
    assert "关键词：" in section.text
    assert "固态电池" in section.text
    assert "价格在预算内" in section.text
    assert "成熟度：中试" in section.text
    assert f'href="/listings/{layer}"' in section.text
    english = client.get(f"/demands/{demand}/matches?lang=en")
    assert "same IPC group H01M 10/0562" in english.text
    assert "price within budget" in english.text
    assert "maturity: Pilot" in english.text
    page = client.get(f"/demands/{demand}")
    assert f'hx-get="/demands/{demand}/matches"' in page.text

    # The seller's members see the demand among the listing's matching demands; others are refused.
    seen = client.get(f"/api/listings/{layer}/matching-demands", headers=fzu.headers)
    assert seen.status_code == 200, seen.text
    assert [d["demand_id"] for d in seen.json()["items"]] == [demand]
    assert [r["kind"] for r in seen.json()["items"][0]["reasons"]][:2] == ["ipc_group", "terms"]
    other = client.get(f"/api/listings/{layer}/matching-demands", headers=xmu.headers)
    assert other.status_code == 403
    assert "match.not_seller" in other.text
    assert client.get(f"/api/listings/{layer}/matching-demands").status_code == 401
    assert client.get(f"/api/listings/{bread}/matching-demands", headers=fzu.headers).json()["items"] == []

    # Withdrawn: the listing leaves the demand's matches.
    withdrawn = client.post(f"/api/listings/{layer}/withdraw", json={"reason": "已线下转让"}, headers=fzu.headers)
    assert withdrawn.status_code in (200, 201), withdrawn.text
    assert matched(client, demand) == []


def test_a_verified_only_demand_reaches_only_a_verified_seller(
    client: TestClient[Litestar], services: Services,  # noqa: F811 - the fixture of test_demands_web (its clock)
) -> None:
    firm = enterprise(client, services, "chen@ningde.example.cn", "宁德新能源科技有限公司")
    fzu = verified_member(client, services, "wang@fzu.example.cn", "福州大学")
    layer = listed(client, fzu, 1, SEPARATOR)
    posted = client.post("/api/demands", json=demand_body(visibility="verified"), headers=firm.headers)
    assert posted.status_code == 201, posted.text
    demand = posted.json()["id"]
    assert client.get(f"/api/demands/{demand}/matches").status_code == 404  # hidden from anonymous readers
    stranger = unverified_member(client, "zhao@example.cn", "某未审核企业")
    assert client.get(f"/api/demands/{demand}/matches", headers=stranger.headers).status_code == 404
    assert [m["listing_id"] for m in matched(client, demand, **fzu.headers)] == [layer]
    seen = client.get(f"/api/listings/{layer}/matching-demands", headers=fzu.headers).json()["items"]
    assert [(d["demand_id"], d["visibility"]) for d in seen] == [(demand, "verified")]
