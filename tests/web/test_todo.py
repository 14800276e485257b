# ruff: noqa: F811 - pytest fixtures imported from the journey module are parameters here
"""The to-do (待办), as each user relies on it: what awaits the organisation's answer shows with a link to
where it acts, leaves once done, is never someone else's, and its count is in the header."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from domain.catalogue.patent import Patent
from marketplace.accounts import commands as ac
from marketplace.platform.clock import ManualClock
from tests.web.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, login, post_form
from tests.web.test_api import Member, draft, listed, publish, register, verified_member
from tests.web.test_deals_journey import (  # noqa: F401 - the fixtures
    Parties,
    clock,
    manual_client,
    negotiate,
    ok,
    parties,
    services_of,
)

UNIVERSITY = ("tto@fzu.example.cn", "secret-password-1")
ENTERPRISE = ("buyer@cells.example.cn", "secret-password-1")
ATTACKER = ("spy@rival.example.cn", "secret-password-1")
PRICE = 10_000_000  # the fixed asking price of tests.web.test_api.terms


def todo(client: TestClient[Litestar], who: Member) -> dict[str, Any]:
    answer = ok(client.get("/api/todo", headers=who.headers))
    assert answer["count"] == len(answer["items"])
    return dict(answer)


def kinds(client: TestClient[Litestar], who: Member) -> list[tuple[str, str]]:
    return [(item["kind"], item["link"]) for item in todo(client, who)["items"]]


def as_user(client: TestClient[Litestar], who: tuple[str, str]) -> None:
    client.cookies.clear()
    login(client, *who)


def header_count(html: str) -> int:
    found = re.search(r'<a href="/todo" id="todo-link">[^<]*\(<span id="todo-count">(\d+)</span>\)</a>', html)
    assert found, "the header shows no to-do count"
    return int(found.group(1))


def attacker(client: TestClient[Litestar]) -> Member:
    return verified_member(client, services_of(client), ATTACKER[0], "无关科技有限公司")


def test_a_buyers_counter_shows_on_the_sellers_todo_with_its_link_and_leaves_once_answered(
    manual_client: TestClient[Litestar],
) -> None:
    client = manual_client
    p = parties(client)
    spy = attacker(client)
    listing_id = listed(client, p.university, 41, price_mode="negotiable", asking_price=None)
    offer = {"kind": "assignment", "price": 30_000_000, "valid_days": 10}
    made = client.post(f"/api/listings/{listing_id}/offers", headers=p.enterprise.headers, json=offer)
    offer_id = ok(made, 201)["id"]
    link = f"/offers/{offer_id}"

    # The buyer's offer awaits the seller; the university counters; then it awaits the buyer.
    assert kinds(client, p.university) == [("offer", link)]
    assert kinds(client, p.enterprise) == []
    counter = {"kind": "assignment", "price": 35_000_000, "valid_days": 10}
    ok(client.post(f"/api/offers/{offer_id}/counter", headers=p.university.headers, json=counter))
    assert kinds(client, p.university) == []
    assert kinds(client, p.enterprise) == [("offer", link)]
    assert kinds(client, spy) == []

    # On the buyer's page: grouped, bilingual, linked, with the deadline in Beijing time and the count.
    as_user(client, ENTERPRISE)
    page = client.get("/todo").text
    assert "待答复的报价和还价" in page
    assert f'<a href="{link}">轮到本机构答复 · 一种高安全性固态锂电池电解质及其制备方法</a>' in page
    assert "35 万元" in page
    assert "答复期限 2026-03-12 09:00 北京时间" in page  # ten days from 2026-03-02 01:00 UTC
    assert header_count(page) == 1
    english = client.get("/todo?lang=en").text
    assert "Offers and counter-offers awaiting your answer" in english
    assert "Your organisation&#39;s turn to answer" in english or "Your organisation's turn to answer" in english
    assert "answer by 2026-03-12 09:00 Beijing time" in english
    assert header_count(client.get("/deals").text) == 1  # every page's header, not only the to-do's

    # The buyer follows the link and accepts there: the offer leaves the to-do.
    assert 'action="' + link + '/accept"' in client.get(link).text
    assert post_form(client, f"{link}/accept", {}, form_page=link).status_code == 303
    assert ("offer", link) not in kinds(client, p.enterprise)
    assert link not in client.get("/todo").text

    # Someone of another organisation never sees it, on the page or in the API.
    as_user(client, ATTACKER)
    page = client.get("/todo").text
    assert link not in page
    assert "目前没有待办事项。" in page
    assert header_count(page) == 0
    assert "Nothing awaits you now." in client.get("/todo?lang=en").text
    assert todo(client, spy) == {"items": [], "count": 0, "work": []}


def test_a_contract_shows_in_notice_then_to_sign_for_both_parties_then_the_payment_for_the_payer_only(
    manual_client: TestClient[Litestar], clock: ManualClock
) -> None:
    client = manual_client
    p = parties(client)
    spy = attacker(client)
    listing_id = listed(client, p.university, 42, price_mode="negotiable", asking_price=None)
    contract_id = negotiate(client, p, listing_id, offered=25_000_000, agreed=28_000_000)
    link = f"/contracts/{contract_id}"
    contract = ok(client.get(f"/api/contracts/{contract_id}", headers=p.university.headers))["contract"]

    # During the public notice both parties see when it ends (signing opens then); nobody can sign yet.
    for party in (p.university, p.enterprise):
        items = todo(client, party)["items"]
        assert [(i["kind"], i["link"]) for i in items] == [("in_notice", link)]
        assert datetime.fromisoformat(items[0]["when"]) == datetime.fromisoformat(contract["notice_ends_at"])
    ends = datetime.fromisoformat(contract["notice_ends_at"]).astimezone(ZoneInfo("Asia/Shanghai"))
    as_user(client, UNIVERSITY)
    page = client.get("/todo").text
    assert f"公示结束 {ends:%Y-%m-%d %H:%M} 北京时间" in page
    assert f"notice ends {ends:%Y-%m-%d %H:%M} Beijing time" in client.get("/todo?lang=en").text

    # An objection to the notice is the seller's org admin's to decide, linked to the notice.
    objection = {"text": "价格明显低于评估值，请说明"}
    ok(client.post(f"/api/contracts/{contract_id}/objections", headers=spy.headers, json=objection), 201)
    assert ("objection", f"/notices#notice-{contract_id}") in kinds(client, p.university)
    assert not any(kind == "objection" for kind, _ in kinds(client, p.enterprise))
    assert "决定是否支持异议" in client.get("/todo").text
    objection_id = ok(client.get(f"/api/contracts/{contract_id}", headers=p.university.headers))["objections"][0]["id"]
    ok(
        client.post(
            f"/api/contracts/{contract_id}/objections/{objection_id}/decide",
            headers=p.university.headers,
            json={"upheld": False, "reason": "价格经双方协商，符合评估区间"},
        )
    )
    assert not any(kind == "objection" for kind, _ in kinds(client, p.university))

    # The notice over: both parties have it to sign, and each loses it once it signed.
    clock.advance(timedelta(days=16))
    assert kinds(client, p.university) == [("to_sign", link)]
    assert kinds(client, p.enterprise) == [("to_sign", link)]
    page = client.get("/todo").text
    assert f'<a href="{link}">公示已结束，请签署' in page
    assert header_count(page) == 1
    assert "The notice is over: sign" in client.get("/todo?lang=en").text
    sign = {"text_sha256": contract["text_sha256"]}
    ok(client.post(f"/api/contracts/{contract_id}/sign", headers=p.university.headers, json=sign))
    assert kinds(client, p.university) == []
    assert kinds(client, p.enterprise) == [("to_sign", link)]
    ok(client.post(f"/api/contracts/{contract_id}/sign", headers=p.enterprise.headers, json=sign))

    # Signed: the upfront payment is the payer's to-do, not the payee's, nor anyone else's.
    obligation = ok(client.get(f"/api/contracts/{contract_id}", headers=p.enterprise.headers))["obligations"][0]
    payment = f"/payments/{obligation['id']}"
    assert kinds(client, p.enterprise) == [("payment", payment)]
    # The seller's is the technology-contract registration, due 30 days after signing.
    assert kinds(client, p.university) == [("tech_registration", f"/contracts/{contract_id}/tech-registration")]
    assert kinds(client, spy) == []
    as_user(client, ENTERPRISE)
    page = client.get("/todo").text
    assert f'<a href="{payment}">付款: 首付款 · {obligation["reference"]}</a> · 28 万元' in page
    assert header_count(page) == 1
    assert "Payments your organisation owes" in client.get("/todo?lang=en").text
    as_user(client, UNIVERSITY)
    assert payment not in client.get("/todo").text


def test_the_platform_admin_sees_bank_transfers_to_reconcile_and_refunds_owed(
    manual_client: TestClient[Litestar], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two buyers of one patent (a store written before reservations) both pay by bank transfer: the
    transfers await the admin's receipt, then the money of the one that cannot take effect is owed back."""
    client = manual_client
    p = parties(client)
    other = verified_member(client, services_of(client), "rival@storage.example.cn", "厦门储能有限公司")
    listing_id = listed(client, p.university, 43)
    body = {"kind": "assignment", "price": PRICE, "valid_days": 14}
    offers = [
        ok(client.post(f"/api/listings/{listing_id}/offers", headers=b.headers, json=body), 201)["id"]
        for b in (p.enterprise, other)
    ]
    obligations = []
    with monkeypatch.context() as before_issue_9:
        before_issue_9.setattr(Patent, "reserve_sale", lambda *args, **kwargs: False)
        for offer_id, buyer in zip(offers, (p.enterprise, other), strict=True):
            ok(client.post(f"/api/offers/{offer_id}/accept", headers=p.university.headers))
            contract_id = ok(client.get(f"/api/offers/{offer_id}", headers=buyer.headers))["offer"]["contract_id"]
            k = ok(client.get(f"/api/contracts/{contract_id}", headers=buyer.headers))["contract"]
            for party in (p.university, buyer):
                ok(
                    client.post(
                        f"/api/contracts/{contract_id}/sign",
                        headers=party.headers,
                        json={"text_sha256": k["text_sha256"]},
                    )
                )
            ok(
                client.post(
                    f"/api/contracts/{contract_id}/payments",
                    headers=buyer.headers,
                    json={"purpose": "upfront", "gateway": "manual"},
                ),
                201,
            )
            obligations.append(ok(client.get(f"/api/contracts/{contract_id}", headers=buyer.headers))["obligations"][0])

    # Both transfers started, none received: the admin's to reconcile on /admin/transfers; not the buyers'.
    assert [k for k in kinds(client, p.admin) if k[0] == "transfer"] == [("transfer", "/admin/transfers")] * 2
    assert not any(kind in ("transfer", "refund") for kind, _ in kinds(client, p.enterprise))
    assert ("payment", f"/payments/{obligations[0]['id']}") in kinds(client, p.enterprise)
    as_user(client, (ADMIN_EMAIL, ADMIN_PASSWORD))
    page = client.get("/todo").text
    assert "待确认到账的对公转账" in page
    assert all(f'<a href="/admin/transfers">核对到账并记录: 首付款 · {o["reference"]}</a>' in page for o in obligations)
    assert "Bank transfers awaiting receipt" in client.get("/todo?lang=en").text

    for obligation, reference in zip(obligations, ("ICBC-0001", "ICBC-0002"), strict=True):
        ok(
            client.post(
                f"/api/obligations/{obligation['id']}/receipt",
                headers=p.admin.headers,
                json={"amount": PRICE, "bank_reference": reference},
            )
        )
    admin_items = kinds(client, p.admin)
    assert ("transfer", "/admin/transfers") not in admin_items
    assert [k for k in admin_items if k[0] == "refund"] == [("refund", "/admin/refunds")]
    page = client.get("/todo").text
    assert f'<a href="/admin/refunds">退还已收款项: 首付款 · {obligations[1]["reference"]}</a>' in page
    assert header_count(page) == len(admin_items)
    assert "Refunds owed" in client.get("/todo?lang=en").text
    assert not any(kind == "refund" for kind, _ in kinds(client, other))


def test_each_role_lands_on_its_work_and_the_admin_reviews_organisations(manual_client: TestClient[Litestar]) -> None:
    client = manual_client
    services = services_of(client)
    admin = services.app.accounts.authenticate(ADMIN_EMAIL, ADMIN_PASSWORD)
    assert admin is not None
    services.app.accounts.add_member(
        ac.AddMember(
            email="audit@platform.example.cn",
            password="secret-password-1",
            display_name="审计员",
            roles=["member", "auditor"],
        ),
        actor_id=admin.id,
    )
    services.app.accounts.add_member(
        ac.AddMember(
            email="officer@platform.example.cn",
            password="secret-password-1",
            display_name="项目主管",
            roles=["member", "programme_officer"],
        ),
        actor_id=admin.id,
    )

    # A login without a next lands on the to-do; a safe next is honoured, another site's is not.
    client.cookies.clear()
    landed = post_form(client, "/login", {"email": "audit@platform.example.cn", "password": "secret-password-1"})
    assert (landed.status_code, landed.headers["location"]) == (303, "/todo")
    page = client.get("/todo").text
    assert page.index('id="todo-work"') < page.index("目前没有待办事项。")  # the auditor's work first
    assert '<a href="/audit/events">审计：事件日志</a>' in page
    for unsafe in ("//evil.example", "/\\evil.example", "https://evil.example"):
        client.cookies.clear()
        landed = post_form(
            client, "/login", {"email": "officer@platform.example.cn", "password": "secret-password-1", "next": unsafe}
        )
        assert landed.headers["location"] == "/todo"
    client.cookies.clear()
    landed = post_form(
        client, "/login", {"email": "officer@platform.example.cn", "password": "secret-password-1", "next": "/notices"}
    )
    assert landed.headers["location"] == "/notices"
    page = client.get("/todo").text
    assert '<li><a href="/programmes#my-programmes">本部门的扶持计划</a></li>' in page  # its work first
    assert '<li><a href="/programmes/qualifications">企业资质认定</a></li>' in page
    assert "目前没有待办事项。" in page
    assert "My department&#39;s programmes" in client.get("/todo?lang=en").text

    # An organisation signed up and not verified yet is on the platform admin's review queue.
    ok(
        client.post(
            "/api/signup",
            json={
                "email": "new@startup.example.cn",
                "password": "secret-password-1",
                "display_name": "新人",
                "organisation_name": "初创科技有限公司",
                "organisation_kind": "enterprise",
            },
        ),
        201,
    )
    as_user(client, (ADMIN_EMAIL, ADMIN_PASSWORD))
    page = client.get("/todo").text
    assert '<a href="/admin/organisations">审核机构 · 初创科技有限公司</a>' in page
    assert header_count(page) == 1


def test_the_todo_is_for_logged_in_users_and_public_pages_stay_public(client: TestClient[Litestar]) -> None:
    refused = client.get("/todo", follow_redirects=False)
    assert (refused.status_code, refused.headers["location"]) == (303, "/login?next=/todo")
    assert client.get("/api/todo").status_code == 401
    assert client.get("/api/todo", headers={"Authorization": "Bearer forged"}).status_code == 401
    for path in ("/", "/listings", "/notices", "/login"):
        page = client.get(path)
        assert page.status_code == 200
        assert 'id="todo-link"' not in page.text


def test_a_co_owner_confirms_its_co_ownership_then_consents_and_signing_opens_for_the_parties(
    manual_client: TestClient[Litestar], clock: ManualClock
) -> None:
    client = manual_client
    p = parties(client)
    institute = verified_member(client, services_of(client), "ip@fjirsm.example.cn", "中国科学院福建物质结构研究所")
    owners = [
        {"organisation_id": p.university.organisation_id, "share": 60},
        {"organisation_id": institute.organisation_id, "share": 40},
    ]
    # The registration names the institute as a co-owner: its to-do, linked to /my where it confirms.
    patent_id = register(client, p.university, 44, owners=owners)
    assert kinds(client, institute) == [("co_ownership", "/my#co-ownership")]
    assert kinds(client, p.university) == []
    as_user(client, ("ip@fjirsm.example.cn", "secret-password-1"))
    assert "待确认的共有权" in client.get("/todo").text
    assert "Co-ownerships to confirm" in client.get("/todo?lang=en").text
    confirmed = post_form(client, f"/my/co-ownership/{patent_id}/confirm", {}, form_page="/my")
    assert confirmed.status_code == 303
    assert kinds(client, institute) == []

    # An assignment of the co-owned patent asks the institute's consent; signing waits for it.
    listing_id = draft(client, p.university, patent_id, price_mode="negotiable", asking_price=None)
    publish(client, p.university, listing_id)
    contract_id = negotiate(client, p, listing_id, offered=40_000_000, agreed=45_000_000)
    link = f"/contracts/{contract_id}"
    assert kinds(client, institute) == [("consent", link)]
    assert kinds(client, p.university) == [("in_notice", link)]
    clock.advance(timedelta(days=16))
    assert kinds(client, p.university) == [("signing_waits", link)]
    assert kinds(client, p.enterprise) == [("signing_waits", link)]
    as_user(client, UNIVERSITY)
    assert f'<a href="{link}">等待异议决定或共有人同意后开放签署' in client.get("/todo").text
    as_user(client, ("ip@fjirsm.example.cn", "secret-password-1"))
    page = client.get("/todo").text
    assert f'<a href="{link}">作为共有人表示同意' in page
    assert post_form(client, f"{link}/consent", {}, form_page=link).status_code == 303
    assert kinds(client, institute) == []
    assert kinds(client, p.university) == [("to_sign", link)]
    assert kinds(client, p.enterprise) == [("to_sign", link)]
