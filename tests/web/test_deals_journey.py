"""Deals end to end over HTTP, as the parties use them: offer, counter, accept, public notice, signatures,
payment (Stripe through a real localstripe, or a bank transfer), the webhook (twice, and out of order),
ownership and listing effects, benefit shares; and the open licence taken up at once.

localstripe cannot reach the in-process TestClient, so a small HTTP receiver takes its signed
deliveries and the test forwards each one, byte for byte with its Stripe-Signature header, to
``POST /webhooks/stripe``.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from marketplace.accounts import commands as ac
from marketplace.platform.clock import ManualClock
from marketplace.platform.database import DatabaseAddress
from marketplace.platform.services import Services, build_services
from marketplace.platform.settings import Settings
from tests.conftest import patient
from tests.localstripe import Localstripe, WebhookReceiver, confirm_with_test_card
from tests.localstripe import stripe_signature as sign
from tests.web.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, login, post_form
from tests.web.test_api import Member, _member, listed, verified_member
from tests.web.test_audit_pages import audit_reads
from web.app import create_app

WEBHOOK_SECRET = "whsec_deals_journey"
START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


# --- fixtures ---------------------------------------------------------------------------------
PUBLISHABLE_KEY = "pk_test_marketplace_journeys"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


def deal_services(
    database: DatabaseAddress, ipc_scheme: Any, tmp_path: Path, clock: ManualClock, env: dict[str, str]
) -> Services:
    settings = Settings.from_env({"MARKETPLACE_DATA_DIR": str(tmp_path), "MARKETPLACE_DEMO_DATA": "0", **env})
    svc = build_services(settings, address=database, ipc_scheme=ipc_scheme, clock=clock)
    svc.app.accounts.bootstrap_platform_admin(
        email=ADMIN_EMAIL, password=ADMIN_PASSWORD, display_name="Platform Admin", organisation_name="Platform Ops"
    )
    return svc


@pytest.fixture
def stripe_client(
    database: DatabaseAddress, ipc_scheme: Any, tmp_path: Path, clock: ManualClock, localstripe: Localstripe
) -> Iterator[TestClient[Litestar]]:
    """The marketplace with Stripe (localstripe) configured and the clock in the test's hand."""
    svc = deal_services(
        database,
        ipc_scheme,
        tmp_path,
        clock,
        {
            "MARKETPLACE_STRIPE_API_KEY": localstripe.api_key,
            "MARKETPLACE_STRIPE_API_BASE": localstripe.api_base,
            "MARKETPLACE_STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "MARKETPLACE_STRIPE_LOCALSTRIPE": "1",
            "MARKETPLACE_STRIPE_PUBLISHABLE_KEY": PUBLISHABLE_KEY,
        },
    )
    with TestClient(create_app(patient(svc), start_projections=True)) as client:
        yield client
    svc.close()


@pytest.fixture
def manual_client(
    database: DatabaseAddress, ipc_scheme: Any, tmp_path: Path, clock: ManualClock
) -> Iterator[TestClient[Litestar]]:
    """The marketplace without Stripe: every payment goes by bank transfer (对公转账)."""
    svc = deal_services(database, ipc_scheme, tmp_path, clock, {"MARKETPLACE_STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET})
    with TestClient(create_app(patient(svc), start_projections=True)) as client:
        yield client
    svc.close()


@pytest.fixture
def relay(localstripe: Localstripe) -> Iterator[WebhookReceiver]:
    r = WebhookReceiver()
    localstripe.register_webhook(r.url, WEBHOOK_SECRET, webhook_id="wh_deals_journey")
    yield r
    r.close()


# --- helpers ----------------------------------------------------------------------------------
def stripe_signature(body: bytes, secret: str = WEBHOOK_SECRET) -> str:
    return sign(body, secret)


@dataclass(frozen=True)
class Parties:
    university: Member
    enterprise: Member
    admin: Member


def services_of(client: TestClient[Litestar]) -> Services:
    services: Services = client.app.state.web.services
    return services


def parties(client: TestClient[Litestar]) -> Parties:
    university = verified_member(client, services_of(client), "tto@fzu.example.cn", "福州大学")
    enterprise = _enterprise(client)
    return Parties(university, enterprise, _member(client, ADMIN_EMAIL, ADMIN_PASSWORD))


def _enterprise(client: TestClient[Litestar]) -> Member:
    from tests.web.conftest import sign_up_verified

    sign_up_verified(
        client,
        services_of(client),
        "buyer@cells.example.cn",
        "宁德电芯科技有限公司",
        kind="enterprise",
        password="secret-password-1",
    )
    return _member(client, "buyer@cells.example.cn", "secret-password-1")


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def negotiate(client: TestClient[Litestar], p: Parties, listing_id: str, offered: int, agreed: int) -> str:
    """The enterprise offers, the university counters, the enterprise accepts: the contract's id."""
    offer = ok(
        client.post(
            f"/api/listings/{listing_id}/offers",
            headers=p.enterprise.headers,
            json={"kind": "assignment", "price": offered, "valid_days": 14},
        ),
        201,
    )
    offer_id = offer["id"]
    ok(
        client.post(
            f"/api/offers/{offer_id}/counter",
            headers=p.university.headers,
            json={"kind": "assignment", "price": agreed, "valid_days": 14, "note": "含技术指导"},
        )
    )
    ok(client.post(f"/api/offers/{offer_id}/accept", headers=p.enterprise.headers))
    detail = ok(client.get(f"/api/offers/{offer_id}", headers=p.enterprise.headers))
    assert detail["offer"]["status"] == "accepted"
    assert [e["event_type"] for e in detail["thread"]] == ["Made", "Countered", "Accepted"]
    assert detail["offer"]["price_amount"] == agreed
    return str(detail["offer"]["contract_id"])


def through_notice(client: TestClient[Litestar], p: Parties, clock: ManualClock, contract_id: str) -> dict[str, Any]:
    """The notice shows the price; signing waits for its end; then both parties sign the hash shown."""
    notices = ok(client.get("/api/notices"))
    notice = next(n for n in notices["items"] if n["contract"]["id"] == contract_id)
    contract = notice["contract"]
    assert contract["notice_ends_at"] is not None
    assert "福州大学" in client.get("/notices").text
    early = client.post(
        f"/api/contracts/{contract_id}/sign",
        headers=p.enterprise.headers,
        json={"text_sha256": contract["text_sha256"]},
    )
    assert early.status_code == 409
    assert "notice" in early.json()["detail"]
    clock.advance(timedelta(days=16))
    for who in (p.university, p.enterprise):
        ok(
            client.post(
                f"/api/contracts/{contract_id}/sign", headers=who.headers, json={"text_sha256": contract["text_sha256"]}
            )
        )
    signed = ok(client.get(f"/api/contracts/{contract_id}", headers=p.university.headers))
    assert signed["contract"]["status"] == "signed"
    assert len(signed["signatures"]) == 2
    assert signed["obligations"][0]["purpose"] == "upfront"
    return dict(signed)


def assert_transferred_and_shared(client: TestClient[Litestar], p: Parties, contract_id: str, amount: int) -> None:
    done = ok(client.get(f"/api/contracts/{contract_id}", headers=p.university.headers))
    k = done["contract"]
    assert k["status"] == "in_force"
    assert k["ownership_transferred"] is True
    assert k["listing_closed"] is True
    assert done["obligations"][0]["status"] == "paid"
    shares = done["benefit_shares"]
    assert sum(s["amount"] for s in shares) == amount
    inventors = {s["name"]: s["amount"] for s in shares if s["recipient"] == "inventor"}
    assert set(inventors) == {"陈明", "林华"}
    # 1 % platform fee; the university's rule is the default, the legal 50 % of the net income to the
    # inventors, split 60:40 by their recorded contributions, each floored to the fen.
    net = amount - amount // 100
    assert inventors == {"陈明": net * 5_000 * 6_000 // 10**8, "林华": net * 5_000 * 4_000 // 10**8}
    # The buyer does not see the seller's split; the university's pages show it.
    assert ok(client.get(f"/api/contracts/{contract_id}", headers=p.enterprise.headers))["benefit_shares"] == []
    login(client, "tto@fzu.example.cn", "secret-password-1")
    page = client.get(f"/contracts/{contract_id}")
    assert page.status_code == 200
    assert "陈明" in page.text
    assert "已生效" in page.text
    mine = client.get("/my/benefits", params={"name": "陈明"})
    assert "陈明" in mine.text
    assert "林华" not in mine.text
    client.cookies.clear()


# --- journeys ---------------------------------------------------------------------------------
def test_negotiated_assignment_paid_by_card_through_stripe_webhooks(
    stripe_client: TestClient[Litestar], clock: ManualClock, localstripe: Localstripe, relay: WebhookReceiver
) -> None:
    client = stripe_client
    p = parties(client)
    listing_id = listed(client, p.university, 11, price_mode="negotiable", asking_price=None)
    contract_id = negotiate(client, p, listing_id, offered=50_000_000, agreed=60_000_000)
    through_notice(client, p, clock, contract_id)

    started = ok(
        client.post(
            f"/api/contracts/{contract_id}/payments", headers=p.enterprise.headers, json={"purpose": "upfront"}
        ),
        201,
    )
    assert started["gateway"] == "stripe"
    assert started["provider_payment_id"].startswith("pi_")
    intent = started["provider_payment_id"]
    obligation_id = ok(client.get("/api/obligations", headers=p.enterprise.headers))["items"][0]["id"]
    login(client, "buyer@cells.example.cn", "secret-password-1")
    assert intent in client.get(f"/payments/{obligation_id}").text
    client.cookies.clear()

    confirm_with_test_card(localstripe.client, intent)
    succeeded = relay.events_for(intent, {"payment_intent.succeeded"})["payment_intent.succeeded"]
    # Stripe's later charge.succeeded (localstripe sends none: signed here as Stripe signs) overtakes it.
    later = json.dumps(
        {
            "id": "evt_charge_later",
            "type": "charge.succeeded",
            "created": int(time.time()) + 5,
            "data": {
                "object": {
                    "id": "ch_later",
                    "object": "charge",
                    "payment_intent": intent,
                    "amount": 60_000_000,
                    "metadata": {"obligation_id": obligation_id},
                }
            },
        }
    )
    for body, signature in ((later.encode(), stripe_signature(later.encode())), succeeded):
        answer = ok(
            client.post(
                "/webhooks/stripe",
                content=body,
                headers={"Stripe-Signature": signature, "Content-Type": "application/json"},
            )
        )
        assert answer["duplicate"] is False
    # Stripe delivers at least once: the same success again changes nothing.
    again = ok(client.post("/webhooks/stripe", content=succeeded[0], headers={"Stripe-Signature": succeeded[1]}))
    assert again["duplicate"] is True
    # An earlier state delivered late (Stripe's order is not guaranteed) never moves the payment back.
    stale = json.dumps(
        {
            "id": "evt_processing_late",
            "type": "payment_intent.processing",
            "created": int(time.time()) - 60,
            "data": {
                "object": {
                    "id": intent,
                    "object": "payment_intent",
                    "status": "processing",
                    "amount": 60_000_000,
                    "metadata": {"obligation_id": obligation_id},
                }
            },
        }
    ).encode()
    late = ok(client.post("/webhooks/stripe", content=stale, headers={"Stripe-Signature": stripe_signature(stale)}))
    assert late["duplicate"] is False

    assert_transferred_and_shared(client, p, contract_id, 60_000_000)
    paid = ok(client.get(f"/api/obligations/{obligation_id}", headers=p.enterprise.headers))
    assert paid["status"] == "paid"
    assert paid["gateway"] == "stripe"
    assert paid["paid_amount"] == 60_000_000


def test_negotiated_assignment_settled_by_bank_transfer_then_refunded(
    manual_client: TestClient[Litestar], clock: ManualClock
) -> None:
    client = manual_client
    p = parties(client)
    listing_id = listed(client, p.university, 12, price_mode="negotiable", asking_price=None)
    contract_id = negotiate(client, p, listing_id, offered=80_000_000, agreed=90_000_000)
    through_notice(client, p, clock, contract_id)

    started = ok(
        client.post(
            f"/api/contracts/{contract_id}/payments", headers=p.enterprise.headers, json={"purpose": "upfront"}
        ),
        201,
    )
    assert started["gateway"] == "manual"
    obligation = ok(client.get("/api/obligations", headers=p.enterprise.headers))["items"][0]
    assert obligation["reference"] in json.dumps(started["instructions"])
    login(client, "buyer@cells.example.cn", "secret-password-1")
    page = client.get(f"/payments/{obligation['id']}")
    assert obligation["reference"] in page.text
    # No money has moved yet: the buyer is asked for its transfer, by the gateway's name in its language.
    status = re.search(r'<dd id="payment-status">(.*?)</dd>', page.text)
    gateway = re.search(r'<dd id="payment-gateway">(.*?)</dd>', page.text)
    assert (status and status.group(1), gateway and gateway.group(1)) == ("待您转账", "对公转账")
    assert "<h1>付款: 首付款</h1>" in page.text
    english = client.get(f"/payments/{obligation['id']}?lang=en").text
    assert all(words in english for words in ("awaiting your transfer", "bank transfer", "upfront payment"))
    client.cookies.clear()
    login(client, ADMIN_EMAIL, ADMIN_PASSWORD)  # the platform admin who records the receipt sees whose move it is
    assert '<dd id="payment-status">等待付款方转账</dd>' in client.get(f"/payments/{obligation['id']}").text
    client.cookies.clear()

    ok(
        client.post(
            f"/api/obligations/{obligation['id']}/receipt",
            headers=p.admin.headers,
            json={"amount": 90_000_000, "bank_reference": "ICBC-20260320-0042"},
        )
    )
    assert_transferred_and_shared(client, p, contract_id, 90_000_000)

    # A refund reverses what the payment caused, or is refused where it cannot: once the new owner
    # has listed the patent, the transfer can no longer be undone and nothing changes.
    patent_id = ok(client.get(f"/api/contracts/{contract_id}", headers=p.university.headers))["contract"]["patent_id"]
    relisted = ok(
        client.post(
            "/api/listings",
            headers=p.enterprise.headers,
            json={"patent_id": patent_id, "deal_types": ["assignment"], "price_mode": "negotiable",
                  "maturity": "pilot"},
        ),
        201,
    )
    refused = client.post(
        f"/api/obligations/{obligation['id']}/refund", headers=p.admin.headers, json={"reason": "合同解除"}
    )
    assert refused.status_code == 409, refused.text
    assert "listed" in refused.json()["detail"]
    unchanged = ok(client.get(f"/api/contracts/{contract_id}", headers=p.university.headers))
    assert unchanged["obligations"][0]["status"] == "paid"
    assert unchanged["contract"]["status"] == "in_force"
    assert not any(s["reversed"] for s in unchanged["benefit_shares"])
    assert owners(client, patent_id) == ["宁德电芯科技有限公司"]
    # With that listing withdrawn, the refund goes through and reverses the transfer.
    ok(client.post(f"/api/listings/{relisted['id']}/withdraw", headers=p.enterprise.headers, json={"reason": "退款"}))
    ok(client.post(f"/api/obligations/{obligation['id']}/refund", headers=p.admin.headers, json={"reason": "合同解除"}))
    after = ok(client.get(f"/api/contracts/{contract_id}", headers=p.university.headers))
    assert after["obligations"][0]["status"] == "refunded"
    assert after["contract"]["status"] == "terminated"
    assert after["benefit_shares"]
    assert all(s["reversed"] for s in after["benefit_shares"])
    assert owners(client, patent_id) == ["福州大学"]


def owners(client: TestClient[Litestar], patent_id: str) -> list[str]:
    return [o["name"] for o in ok(client.get(f"/api/patents/{patent_id}"))["patent"]["owners"]]


def test_open_licence_taken_up_at_once_and_paid(manual_client: TestClient[Litestar]) -> None:
    client = manual_client
    p = parties(client)
    listing_id = listed(
        client,
        p.university,
        13,
        deal_types=["open_licence"],
        price_mode="open_licence",
        asking_price=None,
        open_licence={"fee": 2_000_000, "royalty_rate": 3, "term_years": 3},
    )
    login(client, "buyer@cells.example.cn", "secret-password-1")
    listing_page = client.get(f"/listings/{listing_id}")
    assert "接受开放许可" in listing_page.text
    client.cookies.clear()

    taken = ok(client.post(f"/api/listings/{listing_id}/open-licence", headers=p.enterprise.headers), 201)
    contract = ok(client.get(f"/api/contracts/{taken['id']}", headers=p.enterprise.headers))
    assert contract["contract"]["kind"] == "non_exclusive_licence"
    assert contract["contract"]["notice_ends_at"] is None
    assert contract["contract"]["status"] == "signed"  # by the licensee alone: the declaration is the licensor's
    assert contract["obligations"][0]["amount"] == 2_000_000
    obligation_id = contract["obligations"][0]["id"]
    ok(
        client.post(
            f"/api/contracts/{taken['id']}/payments", headers=p.enterprise.headers, json={"purpose": "upfront"}
        ),
        201,
    )
    ok(
        client.post(
            f"/api/obligations/{obligation_id}/receipt",
            headers=p.admin.headers,
            json={"amount": 2_000_000, "bank_reference": "BOC-0001"},
        )
    )
    done = ok(client.get(f"/api/contracts/{taken['id']}", headers=p.university.headers))
    assert done["contract"]["status"] == "in_force"
    assert sum(s["amount"] for s in done["benefit_shares"]) == 2_000_000


def thread_items(page: str) -> list[str]:
    """The rounds of an offer's thread as the page shows them, tags dropped and spaces collapsed."""
    thread = page.split('<ol class="thread">', 1)[1].split("</ol>", 1)[0]
    items = re.findall(r"<li>(.*?)</li>", thread, flags=re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in items]


def digest_of(contract_page: str) -> str:
    return contract_page.split('<code id="text-sha256">', 1)[1].split("</code>", 1)[0]


def test_the_html_forms_offer_counter_and_accept_and_the_thread_is_for_the_parties_only(
    manual_client: TestClient[Litestar],
) -> None:
    client = manual_client
    p = parties(client)
    listing_id = listed(client, p.university, 14, price_mode="negotiable", asking_price=None)
    login(client, "buyer@cells.example.cn", "secret-password-1")
    listing_page = f"/listings/{listing_id}"
    assert "提出报价" in client.get(listing_page).text
    made = post_form(
        client,
        f"/listings/{listing_id}/offers",
        {"kind": "assignment", "price": "300000", "valid_days": "10", "note": "首轮报价"},
        form_page=listing_page,
    )
    assert made.status_code == 303, made.text
    thread_path = made.headers["location"]
    thread = client.get(thread_path).text
    assert "30 万元" in thread
    assert "首轮报价" in thread
    # Valid ten days from 2026-03-02 01:00 UTC, shown in Beijing time (UTC+8), to the minute.
    assert "2026-03-12 09:00 北京时间" in thread, thread
    assert "2026-03-12 09:00 Beijing time" in client.get(f"{thread_path}?lang=en").text
    assert f"/listings/{listing_id}/as-of?at=" in thread
    assert client.get("/deals").text.count(thread_path) == 1

    client.cookies.clear()
    login(client, "tto@fzu.example.cn", "secret-password-1")
    countered = post_form(
        client,
        f"{thread_path}/counter",
        {"kind": "assignment", "price": "350000", "valid_days": "10"},
        form_page=thread_path,
    )
    assert countered.status_code == 303, countered.text
    refused = post_form(client, f"{thread_path}/accept", {}, form_page=thread_path)  # not the seller's turn
    assert refused.status_code == 409
    assert "报价：现在轮到买方答复，请等待对方" in refused.text

    client.cookies.clear()
    login(client, "buyer@cells.example.cn", "secret-password-1")
    assert post_form(client, f"{thread_path}/accept", {}, form_page=thread_path).status_code == 303
    page = client.get(thread_path).text
    assert "已接受" in page
    assert "/contracts/" in page
    contract_path = "/contracts/" + page.split('href="/contracts/')[1].split('"')[0]
    party_contract = client.get(contract_path).text
    assert "text-sha256" in party_contract

    client.cookies.clear()
    verified_member(client, services_of(client), "x@other.example.cn", "无关公司")
    login(client, "x@other.example.cn", "secret-password-1")
    assert client.get(thread_path).status_code == 403
    assert client.get(contract_path).status_code == 403

    # An auditor reads both; each read of a confidential record is itself recorded (parties' are not).
    client.cookies.clear()
    services = services_of(client)
    admin_id = services.app.accounts.authenticate(ADMIN_EMAIL, ADMIN_PASSWORD)
    assert admin_id is not None
    auditor, _ = services.app.accounts.add_member(
        ac.AddMember(email="audit@platform.example.cn", password="secret-password-1", display_name="审计员",
                     roles=["member", "auditor"]), actor_id=admin_id.id)
    login(client, "audit@platform.example.cn", "secret-password-1")
    audited = client.get(thread_path)
    assert audited.status_code == 200
    # The auditor sees the parties' thread as they saw it: every round, its terms and its note.
    assert thread_items(audited.text) == thread_items(page)
    made_item, countered_item, accepted_item = thread_items(audited.text)
    assert made_item.startswith("提出报价 · 买方 · buyer")
    assert "转让 · 30 万元" in made_item
    assert made_item.endswith("首轮报价")
    assert countered_item.startswith("还价 · 卖方 · tto")
    assert "转让 · 35 万元" in countered_item
    assert accepted_item.startswith("接受 · 买方 · buyer")
    assert '<dd id="offer-status">已接受</dd>' in audited.text
    assert '<dd class="price">35 万元</dd>' in audited.text
    audited_contract = client.get(contract_path)
    assert audited_contract.status_code == 200
    assert "转让价款为 ¥350,000.00。" in audited_contract.text
    assert digest_of(audited_contract.text) == digest_of(party_contract)
    reads = audit_reads(services)
    assert [(r[0], r[2], r[3]) for r in reads] == [(auditor, "Offer", f"GET {thread_path}"),
                                                  (auditor, "Contract", f"GET {contract_path}")]


def test_the_html_offer_form_carries_every_licence_term(manual_client: TestClient[Litestar]) -> None:
    """Royalty, minimum annual royalty, sublicensing, milestones and instalments typed in the form
    reach the offer as entered (yuan → fen); a malformed line is refused naming its field."""
    client = manual_client
    p = parties(client)
    listing_id = listed(client, p.university, 15, price_mode="negotiable", asking_price=None,
                        deal_types=["exclusive_licence", "non_exclusive_licence"])
    login(client, "buyer@cells.example.cn", "secret-password-1")
    page = f"/listings/{listing_id}"
    form = {
        "kind": "exclusive_licence", "price": "200000", "valid_days": "10", "field_of_use": "储能电站",
        "territory": "福建省", "start": "2027-01-01", "end": "2031-12-31", "royalty_rate": "3.5",
        "minimum_annual_royalty": "80000", "sublicensable": "1",
        "milestones": "中试完成 = 100000\n量产：250000.50", "instalments": "= 50000\n2027-06-30 = 150000",
    }
    bad = post_form(client, f"/listings/{listing_id}/offers", {**form, "milestones": "中试完成 100000"},
                    form_page=page)
    assert bad.status_code == 400
    assert "里程碑付款：第 1 行应写作“名称 = 金额（元）”" in bad.text
    for price in ("Infinity", "1e999999999", "NaN", "1e20"):  # a clear 400 naming the field, never a 500
        refused = post_form(client, f"/listings/{listing_id}/offers", {**form, "price": price}, form_page=page)
        assert refused.status_code == 400, (price, refused.status_code)
        assert "价格：" in refused.text
    made = post_form(client, f"/listings/{listing_id}/offers", form, form_page=page)
    assert made.status_code == 303, made.text
    offer_id = made.headers["location"].rsplit("/", 1)[1]
    client.cookies.clear()
    terms = ok(client.get(f"/api/offers/{offer_id}", headers=p.enterprise.headers))["offer"]["terms"]
    assert terms["royalty_rate"] == 350
    assert terms["minimum_annual_royalty"] == 8_000_000
    assert terms["sublicensable"] is True
    assert terms["milestones"] == [{"name": "中试完成", "amount": 10_000_000}, {"name": "量产", "amount": 25_000_050}]
    assert terms["instalments"] == [{"due": None, "amount": 5_000_000}, {"due": "2027-06-30", "amount": 15_000_000}]
    assert terms["scope"] == {"field_of_use": "储能电站", "territory": "福建省", "start": "2027-01-01",
                              "end": "2031-12-31"}


def test_offer_prices_on_the_patent_record_are_for_the_owner_and_auditors_only(
    manual_client: TestClient[Litestar],
) -> None:
    """The market record shows assessments and prices paid to all; offers made are negotiation."""
    client = manual_client
    p = parties(client)
    listing_id = listed(client, p.university, 16, price_mode="negotiable", asking_price=None)
    ok(client.post(f"/api/listings/{listing_id}/offers", headers=p.enterprise.headers,
                   json={"kind": "assignment", "price": 33_000_000}), 201)
    patent_id = ok(client.get(f"/api/listings/{listing_id}"))["listing"]["patent_id"]
    path = f"/api/patents/{patent_id}/valuations"
    assert ok(client.get(path))["offers"] == []
    assert ok(client.get(path, headers=p.enterprise.headers))["offers"] == []  # not even the other side's
    assert [o["price"] for o in ok(client.get(path, headers=p.university.headers))["offers"]] == [33_000_000]
    assert [o["price"] for o in ok(client.get(path, headers=p.admin.headers))["offers"]] == [33_000_000]
    assert "330,000.00 CNY" not in client.get(f"/valuation/patents/{patent_id}/chart").text  # the point's title
    login(client, "tto@fzu.example.cn", "secret-password-1")
    assert "330,000.00 CNY" in client.get(f"/valuation/patents/{patent_id}/chart").text


def test_the_payer_chooses_card_or_bank_transfer_on_the_payment_page(
    stripe_client: TestClient[Litestar], clock: ManualClock, localstripe: Localstripe
) -> None:
    """A card payment answers with Stripe's card form carrying the PaymentIntent's client secret (only
    in that response); asking again resumes the same PaymentIntent; the payer may switch to a bank
    transfer; a card payment above Stripe's cap is refused naming the field."""
    client = stripe_client
    p = parties(client)
    listing_id = listed(client, p.university, 17, price_mode="negotiable", asking_price=None)
    contract_id = negotiate(client, p, listing_id, offered=40_000_000, agreed=45_000_000)
    through_notice(client, p, clock, contract_id)
    obligation = ok(client.get("/api/obligations", headers=p.enterprise.headers))["items"][0]
    path = f"/payments/{obligation['id']}"
    login(client, "buyer@cells.example.cn", "secret-password-1")
    page = client.get(path).text
    assert 'name="gateway" value="stripe"' in page
    assert 'name="gateway" value="manual"' in page

    card = post_form(client, f"{path}/start", {"gateway": "stripe"}, form_page=path)
    assert card.status_code == 200, card.text
    intent_id = ok(client.get(f"/api/obligations/{obligation['id']}", headers=p.enterprise.headers))[
        "provider_payment_id"]
    intent = localstripe.client.v1.payment_intents.retrieve(intent_id)
    assert f'data-client-secret="{intent.client_secret}"' in card.text
    assert f'data-publishable-key="{PUBLISHABLE_KEY}"' in card.text
    assert "https://js.stripe.com/v3/" in card.text
    assert intent.client_secret not in client.get(path).text  # the secret is not kept on the page

    again = post_form(client, f"{path}/start", {"gateway": "stripe"}, form_page=path)
    assert f'data-client-secret="{intent.client_secret}"' in again.text  # the same PaymentIntent, resumed

    bank = post_form(client, f"{path}/start", {"gateway": "manual"}, form_page=path)
    assert bank.status_code == 303
    switched = ok(client.get(f"/api/obligations/{obligation['id']}", headers=p.enterprise.headers))
    assert switched["gateway"] == "manual"
    assert obligation["reference"] in client.get(path).text


def test_a_card_payment_above_stripes_cap_is_refused(stripe_client: TestClient[Litestar], clock: ManualClock) -> None:
    client = stripe_client
    p = parties(client)
    listing_id = listed(client, p.university, 18, price_mode="negotiable", asking_price=None)
    contract_id = negotiate(client, p, listing_id, offered=150_000_000, agreed=200_000_000)
    through_notice(client, p, clock, contract_id)
    refused = client.post(f"/api/contracts/{contract_id}/payments", headers=p.enterprise.headers,
                          json={"purpose": "upfront", "gateway": "stripe"})
    assert refused.status_code == 400
    assert refused.json()["field"] == "gateway"
    assert "cap" in refused.json()["detail"]
    chosen = ok(client.post(f"/api/contracts/{contract_id}/payments", headers=p.enterprise.headers,
                            json={"purpose": "upfront"}), 201)
    assert chosen["gateway"] == "manual"  # without a choice, an amount above the cap goes by bank transfer


def test_during_the_notice_the_parties_see_when_signing_opens_instead_of_a_sign_button(
    manual_client: TestClient[Litestar], clock: ManualClock,
) -> None:
    client = manual_client
    p = parties(client)
    listing_id = listed(client, p.university, 16, price_mode="negotiable", asking_price=None)
    contract_id = negotiate(client, p, listing_id, 250_000_00, 280_000_00)
    ends = ok(client.get(f"/api/contracts/{contract_id}", headers=p.university.headers))["contract"]["notice_ends_at"]
    beijing = datetime.fromisoformat(ends).astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")
    login(client, "buyer@cells.example.cn", "secret-password-1")
    page = client.get(f"/contracts/{contract_id}").text
    assert 'id="sign"' not in page
    assert f"公示于 {beijing} 北京时间 结束" in page
    assert f"signing opens when the notice ends, {beijing} Beijing time" in client.get(
        f"/contracts/{contract_id}?lang=en").text
    clock.advance(timedelta(days=16))  # the notice is over: the button is there
    page = client.get(f"/contracts/{contract_id}").text
    assert 'id="sign"' in page
    assert 'id="signing-opens"' not in page
