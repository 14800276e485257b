"""Brokers and transfer agencies over HTTP, as their users meet them (issue 14, done-when 1): the seller's admin
mandates an agency on the listing's page, its accredited broker records the introduction of an enterprise, the
enterprise confirms it from its to-do, offers without naming the broker, the deal is paid by bank transfer, the
commission is paid to the agency, and the broker's and the agency's performance pages count it."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from marketplace.platform.clock import ManualClock
from tests.web.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, login, post_form, sign_up_verified
from tests.web.test_api import Member, _member, listed
from tests.web.test_deals_journey import clock, manual_client, ok, parties, services_of, through_notice  # noqa: F401

AGENCY = "海峡技术转移中心"
BROKER_EMAIL = "jjr@hx-tt.example.cn"


def agency_broker(client: TestClient[Litestar], admin: Member) -> tuple[Member, str]:
    """The agency signs up; the platform admin accredits its member as a broker: the member and the broker's id."""
    sign_up_verified(client, services_of(client), BROKER_EMAIL, AGENCY, kind="transfer_agency")
    broker = _member(client, BROKER_EMAIL, "secret-password-1")
    body = {"user_id": broker.user_id, "credential_number": "FJ-JJR-001", "expires_on": "2028-01-01"}
    refused = client.post("/api/brokers", headers=broker.headers, json=body)
    assert refused.status_code == 403  # only a platform admin accredits
    accredited = ok(client.post("/api/brokers", headers=admin.headers, json={
        "user_id": broker.user_id, "credential_number": "FJ-JJR-001", "expires_on": "2028-01-01"}), 201)
    return broker, str(accredited["id"])


def as_user(client: TestClient[Litestar], email: str, password: str = "secret-password-1") -> None:
    client.cookies.clear()
    login(client, email, password)


def figures(page: str) -> dict[str, str]:
    total = re.search(r'<tr id="performance-total">(.*?)</tr>', page, re.S)
    assert total, "no total row"
    cells = re.findall(r'data-(?:value|fen)="(\d+)"', total.group(1))
    return dict(zip(("introductions", "deals", "volume", "commission"), cells, strict=True))


def test_mandate_introduction_offer_payment_and_the_brokers_figures(
    manual_client: TestClient[Litestar], clock: ManualClock,  # noqa: F811 - the fixtures of test_deals_journey
) -> None:
    client = manual_client
    p = parties(client)
    broker, broker_id = agency_broker(client, p.admin)
    listing_id = listed(client, p.university, 31, price_mode="negotiable", asking_price=None)

    # The register is public and shows the broker's agency.
    register = client.get("/brokers")
    assert AGENCY in register.text
    assert "FJ-JJR-001" in register.text
    assert "有效" in register.text
    assert "Valid" in client.get("/brokers?lang=en").text

    # The university's admin mandates the agency from the listing's page.
    as_user(client, "tto@fzu.example.cn")
    section = client.get(f"/listings/{listing_id}/brokerage")
    assert 'id="give-mandate"' in section.text
    assert AGENCY in section.text
    given = post_form(client, f"/listings/{listing_id}/mandates",
                      {"agency_id": broker.organisation_id, "commission": "3", "ends_on": "2026-12-31"},
                      form_page=f"/listings/{listing_id}/brokerage")
    assert given.status_code == 303, given.text
    shown = client.get(f"/listings/{listing_id}/brokerage?done=given").text
    assert "已委托" in shown
    assert "3.00 %" in shown
    assert "委托中" in shown
    assert 'id="brokerage"' in client.get(f"/listings/{listing_id}").text  # the listing page loads the section

    # The enterprise cannot mandate for the university.
    refused = client.post(f"/api/listings/{listing_id}/mandates", headers=p.enterprise.headers,
                          json={"agency_id": broker.organisation_id, "commission": 5, "ends_on": "2026-12-31"})
    assert refused.status_code == 403

    # The broker records that it introduced the enterprise; it awaits the enterprise.
    as_user(client, BROKER_EMAIL)
    form = client.get(f"/listings/{listing_id}/brokerage").text
    assert 'id="introduce-buyer"' in form
    assert "宁德电芯科技有限公司" in form
    introduced = post_form(client, f"/listings/{listing_id}/introductions",
                           {"buyer_organisation_id": p.enterprise.organisation_id, "note": "2026 年 3 月福州对接会"},
                           form_page=f"/listings/{listing_id}/brokerage")
    assert introduced.status_code == 303, introduced.text
    assert "等待买方确认的介绍" in client.get("/todo").text

    # The enterprise sees it on its to-do and confirms it.
    as_user(client, "buyer@cells.example.cn")
    todo = client.get("/todo").text
    assert "待确认的技术经纪人介绍" in todo
    page = client.get("/introductions").text
    introduction_id = re.search(r'id="introduction-([0-9a-f-]{36})"', page)
    assert introduction_id
    assert AGENCY in page
    confirmed = post_form(client, f"/introductions/{introduction_id.group(1)}/confirm", {},
                          form_page="/introductions")
    assert confirmed.status_code == 303
    assert "买方已确认" in client.get("/introductions").text
    client.cookies.clear()

    # The enterprise offers without naming the broker: the offer carries the agency at the mandate's 3 %.
    offer = ok(client.post(f"/api/listings/{listing_id}/offers", headers=p.enterprise.headers,
                           json={"kind": "assignment", "price": 50_000_000, "valid_days": 14}), 201)
    detail = ok(client.get(f"/api/offers/{offer['id']}", headers=p.enterprise.headers))["offer"]
    assert (detail["broker_organisation_id"], detail["broker_commission"]) == (broker.organisation_id, 300)
    other = client.post(f"/api/listings/{listing_id}/offers", headers=p.enterprise.headers,
                        json={"kind": "assignment", "price": 50_000_000,
                              "broker_organisation_id": p.university.organisation_id})
    assert other.status_code == 400, other.text
    assert other.json()["code"] == "offer.broker_introduced"

    ok(client.post(f"/api/offers/{offer['id']}/accept", headers=p.university.headers))
    contract_id = ok(client.get(f"/api/offers/{offer['id']}", headers=p.university.headers))["offer"]["contract_id"]
    through_notice(client, p, clock, contract_id)
    # The broker follows the deal but does not pay in the buyer's place.
    for_buyer = client.post(f"/api/contracts/{contract_id}/payments", headers=broker.headers,
                            json={"purpose": "upfront"})
    assert for_buyer.status_code == 403, for_buyer.text
    assert for_buyer.json()["code"] == "permission.member"
    ok(client.post(f"/api/contracts/{contract_id}/payments", headers=p.enterprise.headers, json={"purpose": "upfront"}),
       201)
    obligation = ok(client.get("/api/obligations", headers=p.enterprise.headers))["items"][0]
    ok(client.post(f"/api/obligations/{obligation['id']}/receipt", headers=p.admin.headers,
                   json={"amount": 50_000_000, "bank_reference": "ICBC-20260320-0077"}))

    # The commission is the agency's share of the payment, in the seller's benefit sharing.
    done = ok(client.get(f"/api/contracts/{contract_id}", headers=p.university.headers))
    assert done["contract"]["status"] == "in_force"
    assert done["contract"]["broker_organisation_id"] == broker.organisation_id
    commission = [s["amount"] for s in done["benefit_shares"] if s["recipient"] == "broker"]
    assert commission == [50_000_000 * 300 // 10_000]

    # The broker follows the deal read-only: the contract and offer pages open (paying was refused above).
    as_user(client, BROKER_EMAIL)
    followed = client.get("/introductions").text
    assert f"/contracts/{contract_id}" in followed
    assert client.get(f"/contracts/{contract_id}").status_code == 200
    assert client.get(f"/offers/{offer['id']}").status_code == 200
    client.cookies.clear()

    # The broker's page and the agency's page count the introduction, the deal, its volume and commission.
    clock.advance(timedelta(seconds=1))
    mine = client.get(f"/brokers/{broker_id}")
    assert mine.status_code == 200
    counted = {"introductions": "1", "deals": "1", "volume": "50000000", "commission": "1500000"}
    assert figures(mine.text) == counted
    assert "100 %" in mine.text
    assert 'id="chart-perf-broker"' in mine.text
    agency = client.get(f"/agencies/{broker.organisation_id}?period=year&lang=en").text
    assert figures(agency) == counted
    assert "Conversion rate" in agency
    assert "Mandated listings" in agency
    # 2 % of the year's 500,000 yuan brokered: a ceiling of 10,000 yuan (Fujian 2019, at most 500,000 a year).
    ceiling = re.search(r'id="subsidy-table".*?data-fen="(\d+)"[^>]*>[^<]*</td><td class="n" data-fen="(\d+)"', agency,
                        re.S)
    assert ceiling
    assert ceiling.groups() == ("50000000", "1000000")
    download = client.get(f"/brokers/{broker_id}/performance.csv?period=year").text
    rows = list(csv.reader(io.StringIO(download.lstrip("\ufeff"))))
    assert rows[1][1:] == ["1", "1", "500000.00", "15000.00", "1.0000"]
    api = ok(client.get(f"/api/agencies/{broker.organisation_id}/performance", params={"period": "quarter"}))
    assert [(r["deals"], r["commission"]) for r in api["rows"]] == [(1, 1_500_000)]


def test_a_buyer_declines_and_outsiders_cannot_answer_or_introduce(
    manual_client: TestClient[Litestar], clock: ManualClock,  # noqa: F811 - the fixtures of test_deals_journey
) -> None:
    client = manual_client
    p = parties(client)
    broker, _ = agency_broker(client, p.admin)
    listing_id = listed(client, p.university, 32, price_mode="negotiable", asking_price=None)
    # Without a mandate, the broker introduces nobody.
    early = client.post(f"/api/listings/{listing_id}/introductions", headers=broker.headers,
                        json={"buyer_organisation_id": p.enterprise.organisation_id})
    assert early.status_code == 403
    ok(client.post(f"/api/listings/{listing_id}/mandates", headers=p.university.headers,
                   json={"agency_id": broker.organisation_id, "commission": 2.5, "ends_on": "2026-06-30"}), 201)
    # The university is no buyer; the enterprise is introduced; the university cannot confirm for it.
    intro = ok(client.post(f"/api/listings/{listing_id}/introductions", headers=broker.headers,
                           json={"buyer_organisation_id": p.enterprise.organisation_id}), 201)
    assert client.post(f"/api/introductions/{intro['id']}/confirm", headers=p.university.headers).status_code == 403
    ok(client.post(f"/api/introductions/{intro['id']}/decline", headers=p.enterprise.headers,
                   json={"reason": "未曾联系"}))
    offer = ok(client.post(f"/api/listings/{listing_id}/offers", headers=p.enterprise.headers,
                           json={"kind": "assignment", "price": 1_000_000}), 201)
    detail = ok(client.get(f"/api/offers/{offer['id']}", headers=p.enterprise.headers))["offer"]
    assert detail["broker_organisation_id"] is None  # a declined introduction binds nobody
    # The mandate ends; the listing's page says so.
    ok(client.post(f"/api/listings/{listing_id}/mandates/{broker.organisation_id}/end", headers=p.university.headers,
                   json={"reason": "改为自行推广"}))
    assert "已解除" in client.get(f"/listings/{listing_id}/brokerage").text
    mandates: list[dict[str, Any]] = ok(client.get(f"/api/listings/{listing_id}/mandates"))
    assert mandates[0]["ended_on"] is not None
    assert ADMIN_EMAIL
    assert ADMIN_PASSWORD
