"""Innovation vouchers from the users' side over HTTP (issue 12, journey 2): a department's programme officer
drafts and opens a voucher programme and issues vouchers to a technology SME and a maker; a voucher pays half
a licence fee, the buyer pays the rest by bank transfer, the officer settles the voucher part with the seller;
another voucher expires at its date and its value returns to the budget. In both languages, and as outsiders
would try it."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from domain.deals.payment import obligation_id
from marketplace.accounts import commands as ac
from marketplace.catalogue import commands as cc
from marketplace.deals import commands as dc
from marketplace.platform.deadlines import DeadlineWorker
from marketplace.platform.services import Services
from tests.unit.deal_helpers import cn
from tests.web.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, api_token, csrf_token, login
from tests.web.test_programmes_web import PASSWORD, YUAN, Market

BEIJING = ZoneInfo("Asia/Shanghai")
FEE = 160_000  # yuan: the licence's upfront fee
VOUCHER_FORM = {"kind": "innovation_voucher", "name_zh": "科技创新券", "name_en": "Innovation vouchers",
                "source": "闽科计〔2020〕8号", "budget": "1,000,000", "starts_on": "2025-01-01",
                "ends_on": "2030-12-31", "rate": "50", "cap_per_year": "200000", "flags": ["tech_sme", "maker"],
                "redemption_model": "provider"}


@pytest.fixture
def market(services: Services, client: TestClient[Litestar]) -> Market:
    m = Market(services, client)
    m.sign_up("officer", "福建省科学技术厅", "government", "福建省福州市", "programme_officer")
    m.sign_up("xm_officer", "厦门市科学技术局", "government", "福建省厦门市", "programme_officer")
    m.sign_up("fafu", "福建农林大学", "university", "福建省福州市")
    m.sign_up("tea", "安溪铁观音集团有限公司", "enterprise", "福建省泉州市")
    m.sign_up("maker", "厦门海沧创客工坊有限公司", "enterprise", "福建省厦门市")
    m.sign_up("sh", "上海浦江食品有限公司", "enterprise", "上海市")
    for key, flags in (("tea", ["tech_sme"]), ("maker", ["maker"]), ("sh", ["tech_sme"])):
        m.app.accounts.verify_organisation_flags(ac.VerifyOrganisationFlags(
            organisation_id=m.ids[f"{key}_org"], flags=flags), actor_id=m.ids["officer"])
    return m


def today(market: Market) -> date:
    return market.clock.now().astimezone(BEIJING).date()


def signed_licence(market: Market, buyer: str = "tea", fee_yuan: int = FEE) -> UUID:
    """A non-exclusive licence of the university's patent to ``buyer``, signed: its upfront fee is due."""
    app, ids = market.app, market.ids
    market.serial += 1
    patent, _ = app.catalogue.register_patent(cc.RegisterPatent(
        application_number=cn(f"2022107{market.serial:05d}"), patent_type="invention", title_zh="一种茶多酚提取方法",
        title_en="A method of extracting tea polyphenols", ipc_codes=["A23F 3/16"], filing_date=date(2022, 3, 1),
        legal_status="granted", owners=[cc.OwnerShare(organisation_id=ids["fafu_org"], share=100)],
        inventors=[cc.InventorShare(name="陈二", share=100)]), actor_id=ids["fafu"])
    listing, _ = app.catalogue.draft_listing(cc.DraftListing(
        patent_id=patent, deal_types=["non_exclusive_licence"], price_mode="fixed", asking_price=fee_yuan * YUAN,
        maturity="prototype"), actor_id=ids["fafu"])
    app.catalogue.publish_listing(cc.PublishListing(listing_id=listing), actor_id=ids["fafu"])
    start = today(market)
    offer, _ = app.offers.make_offer(dc.MakeOffer(
        listing_id=listing, kind="non_exclusive_licence", price=fee_yuan * YUAN,
        scope=dc.ScopeInput(start=start, end=start.replace(year=start.year + 3))), actor_id=ids[buyer])
    contract, _ = app.offers.accept_offer(dc.AcceptOffer(offer_id=offer), actor_id=ids["fafu"])
    digest: str = app.repository.get(contract).text_sha256
    for party in ("fafu", buyer):
        app.contracts.sign_contract(dc.SignContract(contract_id=contract, text_sha256=digest), actor_id=ids[party])
    market.services.make_runner().catch_up()
    return obligation_id(contract, "upfront")


def draft_voucher_programme(market: Market) -> str:
    login(market.client, "officer@example.test", PASSWORD)
    drafted = market.form("/programmes", "/programmes/new", VOUCHER_FORM)
    assert drafted.status_code == 303, drafted.text
    programme_id = str(drafted.headers["location"]).split("/")[2].split("?")[0]
    page = market.client.get(f"/programmes/{programme_id}").text
    assert "科技创新券" in page
    assert "通兑（服务机构兑付）" in page
    assert market.form(f"/programmes/{programme_id}/open", f"/programmes/{programme_id}", {}).status_code == 303
    return programme_id


def issue(market: Market, programme_id: str, key: str, face: str, until: date, batch: str) -> int:
    book = f"/programmes/{programme_id}/vouchers"
    return int(market.form(book, book, {"organisation_ids": [str(market.ids[f"{key}_org"])], "face_value": face,
                                        "valid_until": until.isoformat(), "batch_key": batch}).status_code)


def sums(page: str) -> list[str]:
    book = re.search(r'<section class="panel" id="book">(.*?)</section>', page, re.S)
    assert book is not None
    return re.findall(r'<td class="n">([^<]+)</td>', book.group(1))


def test_a_voucher_pays_half_a_licence_fee_the_officer_settles_and_another_expires(market: Market) -> None:
    client = market.client
    programme_id = draft_voucher_programme(market)
    book = f"/programmes/{programme_id}/vouchers"
    # On the tea company's application, then the same form again (a double submit): one voucher.
    assert issue(market, programme_id, "tea", "100000", today(market) + timedelta(days=180), "2026-申请-001") == 303
    assert issue(market, programme_id, "tea", "100000", today(market) + timedelta(days=180), "2026-申请-001") == 303
    assert issue(market, programme_id, "maker", "50000", today(market) + timedelta(days=10), "2026-批量-01") == 303
    page = client.get(f"{book}?done=issued").text
    assert "创新券已发放" in page
    assert page.count('<tr id="voucher-') == 2
    assert sums(page) == ["15 万元", "15 万元", "0.00 元", "0.00 元", "0.00 元"]
    passing = issue(market, programme_id, "tea", "100001", today(market) + timedelta(days=180), "2026-申请-002")
    assert passing == 409  # ¥200,000 a year per enterprise

    oid = signed_licence(market)
    login(client, "tea@example.test", PASSWORD)
    payment = client.get(f"/payments/{oid}").text
    assert f'href="/payments/{oid}/voucher"' in payment
    offer_page = client.get(f"/payments/{oid}/voucher").text
    assert "本次最多抵用" in offer_page
    assert "8 万元" in offer_page  # half of ¥160,000
    applied = market.form(f"/payments/{oid}/voucher", f"/payments/{oid}/voucher",
                          {"voucher_id": re.findall(r'name="voucher_id" value="([^"]+)"', offer_page)[0]})
    assert applied.status_code == 303, applied.text
    payment = client.get(f"/payments/{oid}").text
    assert re.search(r'id="voucher-part">80,000\.00 元', payment) or re.search(r'id="voucher-part">8 万元', payment)
    assert re.search(r'id="to-pay">(8 万元|80,000\.00 元)', payment)
    assert f'href="/payments/{oid}/voucher"' not in payment  # one voucher per payment
    started = market.form(f"/payments/{oid}/start", f"/payments/{oid}", {"gateway": "manual"})
    assert started.status_code == 303
    assert re.search(r'id="transfer-amount">(8 万元|80,000\.00 元)', client.get(f"/payments/{oid}").text)

    login(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    whole = market.form(f"/payments/{oid}/receipt", f"/payments/{oid}", {"amount": "160000", "bank_reference": "B1"})
    assert whole.status_code == 400  # the transfer brings what is left to pay
    received = market.form(f"/payments/{oid}/receipt", f"/payments/{oid}", {"amount": "80000", "bank_reference": "B1"})
    assert received.status_code == 303
    admin = api_token(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    paid = client.get(f"/api/obligations/{oid}", headers=admin).json()
    assert (paid["status"], paid["paid_amount"], paid["voucher_amount"]) == ("paid", FEE * YUAN, 80_000 * YUAN)

    login(client, "officer@example.test", PASSWORD)
    todo = client.get("/todo").text
    assert f'href="{book}#redemption-{oid}"' in todo
    dashboard = client.get("/programmes/dashboard").text  # the officer's dashboard lists it too
    assert f'id="queue-redemption-{oid}"' in dashboard
    page = client.get(book).text
    assert "待兑付" in page
    assert "安溪铁观音集团有限公司 → 福建农林大学" in page
    settled = market.form(f"/vouchers/{re.findall(r'/vouchers/([0-9a-f-]{36})/redemptions', page)[0]}"
                          f"/redemptions/{oid}/settle", book, {"bank_reference": "GK20261205001"})
    assert settled.status_code == 303
    page = client.get(settled.headers["location"]).text
    assert "兑付已登记" in page
    assert sums(page) == ["15 万元", "7 万元", "0.00 元", "8 万元", "0.00 元"], sums(page)
    # The finance department's export of the period's settlements (Beijing dates, ``before`` excluded).
    assert 'action="/programmes/' + programme_id + '/vouchers.csv"' in page
    day = today(market).isoformat()
    export = client.get(f"/programmes/{programme_id}/vouchers.csv?from={day}")
    assert export.status_code == 200
    assert export.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(export.text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["voucher_id", "obligation_id", "contract_id"]
    assert [(r[1], r[3], r[4], r[7], r[8], r[9]) for r in rows[1:]] == [
        (str(oid), "安溪铁观音集团有限公司", "福建农林大学", str(80_000 * YUAN), "settled", "GK20261205001")]
    earlier = client.get(f"/programmes/{programme_id}/vouchers.csv?before={day}").text
    assert len(list(csv.reader(io.StringIO(earlier.lstrip("\ufeff"))))) == 1  # the header only
    assert client.get(f"/programmes/{programme_id}/vouchers.csv?from=yesterday").status_code == 400
    assert 'id="reconciles" class="hint"' in page

    login(client, "maker@example.test", PASSWORD)
    assert 'href="/my/vouchers#voucher-' in client.get("/todo").text  # ten days left: about to expire
    market.clock.advance(timedelta(days=11))
    assert len(DeadlineWorker(market.services).run_once().vouchers_expired) == 1
    market.services.make_runner().catch_up()
    mine = client.get("/my/vouchers").text
    assert "已过期" in mine
    assert '<p id="redeemed-share">有效期内已使用面额占发放面额的 0 %' in mine  # expired unspent
    english = client.get("/lang/en?next=/my/vouchers").text
    assert "Expired" in english
    client.get("/lang/zh?next=/my/vouchers")

    login(client, "officer@example.test", PASSWORD)
    page = client.get(book).text
    assert sums(page) == ["15 万元", "2 万元", "0.00 元", "8 万元", "5 万元"]
    assert "有效期内已使用面额占发放面额的 53.33 %" in page  # 80,000 of 150,000
    assert 'id="reconciles" class="hint"' in page
    officer = api_token(client, "officer@example.test", PASSWORD)
    [programme] = [p for p in client.get("/api/programmes", headers=officer).json() if p["id"] == programme_id]
    assert (programme["committed"], programme["disbursed"], programme["remaining"]) == (
        20_000 * YUAN, 80_000 * YUAN, 900_000 * YUAN)
    answer = client.get(f"/api/programmes/{programme_id}/vouchers", headers=officer).json()
    assert (answer["issued"], answer["settled"], answer["expired"], answer["reconciles"]) == (
        150_000 * YUAN, 80_000 * YUAN, 50_000 * YUAN, True)
    assert answer["redeemed_share_bp"] == 5333
    assert [r["status"] for r in answer["redemptions"]] == ["settled"]
    dashboard_answer = client.get("/api/programmes/dashboard", headers=officer).json()
    assert dashboard_answer["vouchers_to_settle"] == []
    assert dashboard_answer["voucher_redeemed_share_bp"] == 5333
    assert re.search(r'id="dashboard-voucher-share">有效期内已使用面额占发放面额的 53.33 %',
                     client.get("/programmes/dashboard").text)
    login(client, "tea@example.test", PASSWORD)  # the holder: ¥80,000 of its ¥100,000 spent
    assert '<p id="redeemed-share">有效期内已使用面额占发放面额的 80 %' in client.get("/my/vouchers").text
    tea = api_token(client, "tea@example.test", PASSWORD)
    assert client.get("/api/my/vouchers", headers=tea).json()["redeemed_share_bp"] == 8000
    assert client.get(f"/programmes/{programme_id}/vouchers.csv").status_code == 403  # the book is the officers'

    # The licence is refunded after the voucher part was settled: the provider owes it back; the officer
    # records the repayment.
    admin = api_token(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    refunded = client.post(f"/api/obligations/{oid}/refund", headers=admin, json={"reason": "合同解除"})
    assert refunded.status_code == 200, refunded.text
    DeadlineWorker(market.services).run_once()
    market.services.make_runner().catch_up()
    login(client, "officer@example.test", PASSWORD)
    assert f'id="queue-redemption-{oid}"' in client.get("/programmes/dashboard").text  # owed back: in the queue
    page = client.get(book).text
    assert "待追回（付款退款）" in page
    recover = re.search(rf'action="(/vouchers/[0-9a-f-]{{36}}/redemptions/{oid}/recover)"', page)
    assert recover is not None
    assert market.form(recover.group(1), book, {"bank_reference": "=HYPERLINK(1)\u202e"}).status_code == 400
    recovered = market.form(recover.group(1), book, {"bank_reference": "HX-R-001"})
    assert recovered.status_code == 303, recovered.text
    again = market.form(recover.group(1), book, {"bank_reference": "HX-R-001"})  # a double click: refused, no effect
    assert again.status_code == 409
    page = client.get(recovered.headers["location"]).text
    assert "已追回" in page
    assert 'id="reconciles" class="hint"' in page
    answer = client.get(f"/api/programmes/{programme_id}/vouchers", headers=officer).json()
    assert [(r["status"], r["bank_reference"]) for r in answer["redemptions"]] == [("recovered", "HX-R-001")]
    assert answer["reconciles"] is True
    assert client.get("/api/programmes/dashboard", headers=officer).json()["vouchers_to_settle"] == []


def test_outsiders_cannot_issue_apply_or_settle_and_bad_input_records_nothing(market: Market) -> None:
    client = market.client
    programme_id = draft_voucher_programme(market)
    officer = api_token(client, "officer@example.test", PASSWORD)
    until = (today(market) + timedelta(days=90)).isoformat()
    issued = client.post(f"/api/programmes/{programme_id}/vouchers", headers=officer, json={
        "organisation_ids": [str(market.ids["tea_org"])], "face_value": 100_000 * YUAN, "valid_until": until,
        "batch_key": "A-1"})
    assert issued.status_code == 201, issued.text
    (voucher,) = issued.json()["voucher_ids"]
    oid = signed_licence(market)
    head = market.app.recorder.max_notification_id()

    # Anonymous: pages ask for a login, the API for a token.
    client.post("/logout", data={"_csrf_token": csrf_token(client, "/programmes")})
    assert client.get("/my/vouchers", follow_redirects=False).status_code == 303
    assert client.get("/api/my/vouchers").status_code == 401
    assert client.post(f"/api/payments/{oid}/voucher", json={"voucher_id": voucher}).status_code == 401
    # Another department's officer, and the enterprise itself, issue nothing and see no book.
    xm = api_token(client, "xm_officer@example.test", PASSWORD)
    tea = api_token(client, "tea@example.test", PASSWORD)
    body = {"organisation_ids": [str(market.ids["sh_org"])], "face_value": 1_000 * YUAN, "valid_until": until,
            "batch_key": "X-1"}
    assert client.post(f"/api/programmes/{programme_id}/vouchers", headers=xm, json=body).status_code == 403
    assert client.post(f"/api/programmes/{programme_id}/vouchers", headers=tea, json=body).status_code == 403
    assert client.get(f"/api/programmes/{programme_id}/vouchers", headers=xm).status_code == 403
    # The seller, or another enterprise, cannot spend the tea company's voucher.
    fafu = api_token(client, "fafu@example.test", PASSWORD)
    sh = api_token(client, "sh@example.test", PASSWORD)
    assert client.post(f"/api/payments/{oid}/voucher", headers=fafu, json={"voucher_id": voucher}).status_code == 403
    assert client.post(f"/api/payments/{oid}/voucher", headers=sh, json={"voucher_id": voucher}).status_code == 403
    assert client.get(f"/api/vouchers/{voucher}", headers=sh).status_code == 404
    login(client, "fafu@example.test", PASSWORD)
    assert client.get(f"/payments/{oid}/voucher").status_code == 403
    # More than the voucher pays, a huge amount, hostile text: refused, nothing recorded.
    too_much = client.post(f"/api/payments/{oid}/voucher", headers=tea,
                           json={"voucher_id": voucher, "amount": 80_000 * YUAN + 1})
    assert too_much.status_code == 400
    assert too_much.json()["code"] == "voucher.amount_too_high"
    assert client.post(f"/api/payments/{oid}/voucher", headers=tea,
                       json={"voucher_id": voucher, "amount": 10**18}).status_code == 400
    hostile = {**body, "organisation_ids": [str(market.ids["tea_org"])], "batch_key": "批次\u202e1"}
    assert client.post(f"/api/programmes/{programme_id}/vouchers", headers=officer, json=hostile).status_code == 400
    huge = {**body, "face_value": 10**18}
    assert client.post(f"/api/programmes/{programme_id}/vouchers", headers=officer, json=huge).status_code == 400
    assert market.app.recorder.max_notification_id() == head
    # Applied once, whatever a double click sends; a second voucher on the payment is refused.
    first = client.post(f"/api/payments/{oid}/voucher", headers=tea, json={"voucher_id": voucher, "amount": 5_000_00})
    again = client.post(f"/api/payments/{oid}/voucher", headers=tea, json={"voucher_id": voucher})
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json()["amount"] == first.json()["amount"] == 5_000_00
    [mine] = client.get("/api/my/vouchers", headers=tea).json()["vouchers"]
    assert mine["remaining"] == 95_000 * YUAN
    # The programme's own officers settle; another department's may not; nothing is settled twice.
    settle = f"/api/vouchers/{voucher}/redemptions/{oid}/settle"
    assert client.post(settle, headers=xm, json={"bank_reference": "X"}).status_code == 403
    unpaid = client.post(settle, headers=officer, json={"bank_reference": "GK-0"})
    assert (unpaid.status_code, unpaid.json()["code"]) == (409, "voucher.unpaid")  # the buyer has not paid yet
    admin = api_token(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    received = client.post(f"/api/obligations/{oid}/receipt", headers=admin,
                           json={"amount": FEE * YUAN - 5_000_00, "bank_reference": "B-7"})
    assert received.status_code == 200, received.text
    assert client.post(settle, headers=officer, json={"bank_reference": "G\u202eK"}).status_code == 400
    assert client.post(settle, headers=officer, json={"bank_reference": "GK-1"}).status_code == 200
    assert client.post(settle, headers=officer, json={"bank_reference": "GK-1"}).status_code == 409
