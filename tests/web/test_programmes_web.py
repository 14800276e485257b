"""Programmes from the users' side over HTTP (issue 12): a department's programme officer drafts and opens a
seller reward; a university sells patents to a Fujian enterprise; each paid deal puts a claim with its
calculation on the university's "my claims"; the university submits, the officer approves and records the
disbursement; the programme page shows what was disbursed; a deal past the cap is capped. In both languages,
and as outsiders would try it."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from domain.deals.payment import obligation_id
from marketplace.accounts import commands as ac
from marketplace.catalogue import commands as cc
from marketplace.deals import commands as dc
from marketplace.platform.clock import ManualClock
from marketplace.platform.deadlines import DeadlineWorker
from marketplace.platform.services import Services
from tests.unit.deal_helpers import cn
from tests.unit.tech_registration_helpers import register
from tests.web.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, api_token, csrf_token, login

PASSWORD = "secret-password-1"
YUAN = 100


class Market:
    """The people of the journey, set up through the application as they would sign up."""

    def __init__(self, services: Services, client: TestClient[Litestar]) -> None:
        self.services, self.client = services, client
        self.app = services.app
        self.clock = ManualClock(datetime.now(UTC))  # the marketplace's clock, moved by the journeys
        self.app.clock = self.clock
        self.admin = self.user_id(ADMIN_EMAIL)
        self.ids: dict[str, UUID] = {}
        self.serial = 0

    def user_id(self, email: str) -> UUID:
        found = self.app.accounts.user_id_of(email)
        assert found is not None
        return found

    def sign_up(self, key: str, org: str, kind: str, region: str, *roles: str) -> None:
        user, _ = self.app.accounts.sign_up(ac.SignUp(email=f"{key}@example.test", password=PASSWORD,
                                                      display_name=key, organisation_name=org,
                                                      organisation_kind=kind, region=region))
        org_id = self.app.repository.get(user).organisation_id
        self.app.accounts.verify_organisation(ac.VerifyOrganisation(organisation_id=org_id), actor_id=self.admin)
        for role in roles:
            self.app.accounts.grant_role(ac.GrantRole(user_id=user, role=role), actor_id=self.admin)
        self.ids[key], self.ids[f"{key}_org"] = user, org_id

    def paid_sale(self, seller: str, buyer: str, price_yuan: int,
                  registered: Callable[[UUID], object] | None = None) -> UUID:
        """A patent listed by ``seller`` bought at its listed price by ``buyer`` and paid by bank transfer
        (``registered``: what the seller does with the patent once registered, before listing it)."""
        self.serial += 1
        patent, _ = self.app.catalogue.register_patent(cc.RegisterPatent(
            application_number=cn(f"2021106{self.serial:05d}"), patent_type="invention", title_zh="一种茶叶加工装置",
            title_en="A tea processing device", ipc_codes=["A23F 3/06"], filing_date=date(2021, 3, 1),
            legal_status="granted", owners=[cc.OwnerShare(organisation_id=self.ids[f"{seller}_org"], share=100)],
            inventors=[cc.InventorShare(name="林一", share=100)]), actor_id=self.ids[seller])
        if registered is not None:
            registered(patent)
        listing, _ = self.app.catalogue.draft_listing(cc.DraftListing(
            patent_id=patent, deal_types=["assignment"], price_mode="fixed", asking_price=price_yuan * YUAN,
            maturity="prototype"), actor_id=self.ids[seller])
        self.app.catalogue.publish_listing(cc.PublishListing(listing_id=listing), actor_id=self.ids[seller])
        offer, _ = self.app.offers.make_offer(dc.MakeOffer(listing_id=listing, kind="assignment",
                                                           price=price_yuan * YUAN), actor_id=self.ids[buyer])
        contract, _ = self.app.offers.accept_offer(dc.AcceptOffer(offer_id=offer), actor_id=self.ids[seller])
        digest = self.app.repository.get(contract).text_sha256
        for party in (seller, buyer):
            self.app.contracts.sign_contract(dc.SignContract(contract_id=contract, text_sha256=digest),
                                             actor_id=self.ids[party])
        self.app.payments.start_payment(dc.StartPayment(contract_id=contract, gateway="manual"),
                                        actor_id=self.ids[buyer])
        paid = obligation_id(contract, "upfront")
        self.app.payments.record_manual_receipt(dc.RecordManualReceipt(
            obligation_id=paid, amount=price_yuan * YUAN, bank_reference=f"B-{self.serial}"), actor_id=self.admin)
        return contract

    def follow_payments(self) -> list[UUID]:
        """The deadline worker's pass (``serve`` runs it every few seconds) raises the claims; then the
        read models catch up."""
        raised = DeadlineWorker(self.services).run_once().claims_raised
        self.services.make_runner().catch_up()
        return raised

    def form(self, path: str, page: str, data: dict[str, Any]) -> Any:
        return self.client.post(path, data={**data, "_csrf_token": csrf_token(self.client, page)},
                                follow_redirects=False)


@pytest.fixture
def market(services: Services, client: TestClient[Litestar]) -> Market:
    m = Market(services, client)
    m.sign_up("officer", "福建省科学技术厅", "government", "福建省福州市", "programme_officer")
    m.sign_up("xm_officer", "厦门市科学技术局", "government", "福建省厦门市", "programme_officer")
    m.sign_up("fafu", "福建农林大学", "university", "福建省福州市")
    m.sign_up("tea", "安溪铁观音集团有限公司", "enterprise", "福建省泉州市")
    m.sign_up("sh", "上海浦江食品有限公司", "enterprise", "上海市")
    return m


REWARD_FORM = {"kind": "transfer_reward", "name_zh": "技术交易补助（卖方）", "name_en": "Deal reward (seller)",
               "source": "闽科服函〔2025〕68号", "budget": "1,000,000", "starts_on": "2025-01-01",
               "ends_on": "2030-12-31", "rate": "1", "cap_per_deal": "50000", "cap_per_year": "200000",
               "buyer_region": "福建", "seller_region": "福建", "requires_registration": "1"}


def draft_and_open(market: Market) -> str:
    client = market.client
    login(client, "officer@example.test", PASSWORD)
    assert client.get("/programmes/new").status_code == 200
    drafted = market.form("/programmes", "/programmes/new", REWARD_FORM)
    assert drafted.status_code == 303, drafted.text
    programme_id = drafted.headers["location"].split("/")[2].split("?")[0]
    page = client.get(drafted.headers["location"])
    assert "计划草稿已保存" in page.text
    assert "技术交易补助（卖方）" in page.text
    assert "按实际支付金额的 1 %" in page.text
    opened = market.form(f"/programmes/{programme_id}/open", f"/programmes/{programme_id}", {})
    assert opened.status_code == 303
    return programme_id


def claim_ids(page: str) -> list[str]:
    return re.findall(r'id="claim-([0-9a-f-]{36})"', page)


def test_a_seller_reward_from_draft_to_disbursement_in_both_languages(market: Market) -> None:
    client = market.client
    programme_id = draft_and_open(market)
    # A draft of another department is nobody else's business; this one is open and public now.
    client.post("/logout", data={"_csrf_token": csrf_token(client, "/programmes")})
    listed = client.get("/programmes")
    assert "技术交易补助（卖方）" in listed.text

    contract = market.paid_sale("fafu", "tea", 800_000)
    register(market.app, contract, market.ids["fafu"])  # the seller recorded the registry's number (issue 14)
    assert len(market.follow_payments()) == 1

    login(client, "fafu@example.test", PASSWORD)
    todo = client.get("/todo").text  # where the login lands: the claim waits there with its link
    assert 'id="todo-award_claim"' in todo
    mine = client.get("/my/claims")
    (claim_id,) = claim_ids(mine.text)
    assert f'href="/my/claims#claim-{claim_id}"' in todo
    assert "待提交" in mine.text
    assert "80 万元 × 1 %" in mine.text  # the calculation: paid × rate
    assert "8,000.00 元" in mine.text
    english = client.get("/lang/en?next=/my/claims")  # the language switch, back to the same page
    assert "To submit" in english.text
    assert "CNY 800,000 × 1 %" in english.text
    client.get("/lang/zh?next=/my/claims")
    missing = market.form(f"/claims/{claim_id}/submit", "/my/claims", {"payee_account": "35001234567890"})
    assert missing.status_code == 400
    assert "registration_number" in missing.text or "登记号" in missing.text
    submitted = market.form(f"/claims/{claim_id}/submit", "/my/claims",
                            {"payee_account": "3500 1234 5678 90", "registration_number": "2026350100000123"})
    assert submitted.status_code == 303
    assert "申领已提交" in client.get(submitted.headers["location"]).text

    login(client, "officer@example.test", PASSWORD)
    assert f'href="/programmes/{programme_id}/claims#claim-{claim_id}"' in client.get("/todo").text
    queue = client.get(f"/programmes/{programme_id}/claims")
    assert claim_ids(queue.text) == [claim_id]
    assert "福建农林大学" in queue.text
    assert "待审核" in queue.text
    approved = market.form(f"/claims/{claim_id}/approve", f"/programmes/{programme_id}/claims", {})
    assert approved.status_code == 303
    market.clock.advance(timedelta(days=12))  # the department pays twelve days after the deal was paid
    paid = market.form(f"/claims/{claim_id}/disburse", f"/programmes/{programme_id}/claims",
                       {"bank_reference": "HX20261204001"})
    assert paid.status_code == 303
    assert "拨付已登记" in client.get(paid.headers["location"]).text

    detail = client.get(f"/programmes/{programme_id}")
    assert re.search(r'id="median-days">12\.0 天 <small>\(共 1 笔已拨付\)', detail.text), detail.text
    budget = re.search(r'<section class="panel" id="budget">(.*?)</section>', detail.text, re.S)
    assert budget is not None
    assert re.findall(r'<td class="n">([^<]+)</td>', budget.group(1)) == [
        "100 万元", "0.00 元", "8,000.00 元", "99.20 万元"]
    # The claim's audit history tells its story in words: raised, submitted, approved, paid.
    login(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    history = client.get(f"/audit/aggregates/{claim_id}")
    assert history.status_code == 200
    for word in ("申领产生", "申领提交", "申领核定", "扶持资金拨付"):
        assert word in history.text
    assert "{'" not in history.text
    client.get("/lang/en?next=/my/claims")
    login(client, "fafu@example.test", PASSWORD)
    english = client.get("/my/claims")
    assert "Paid" in english.text
    assert "CNY 800,000 × 1 %" in english.text


def test_a_deal_past_the_cap_is_capped_and_a_buyer_outside_fujian_earns_nothing(market: Market) -> None:
    draft_and_open(market)
    market.paid_sale("fafu", "tea", 9_000_000)  # 1 % would be ¥90,000: the cap per deal is ¥50,000
    market.paid_sale("fafu", "sh", 1_000_000)  # a Shanghai buyer: the rule wants a Fujian buyer
    raised = market.follow_payments()
    assert len(raised) == 1
    login(market.client, "fafu@example.test", PASSWORD)
    mine = market.client.get("/my/claims").text
    assert "每个项目上限 5 万元" in mine
    assert re.search(r"测算金额</dt><dd>5 万元", mine)


def test_outsiders_cannot_run_programmes_nor_review_or_submit_claims(market: Market) -> None:
    client = market.client
    programme_id = draft_and_open(market)
    contract = market.paid_sale("fafu", "tea", 800_000)
    register(market.app, contract, market.ids["fafu"])
    (claim_id,) = market.follow_payments()
    # Anonymous: pages ask for a login, the API for a token.
    client.post("/logout", data={"_csrf_token": csrf_token(client, "/programmes")})
    assert client.get("/my/claims", follow_redirects=False).status_code == 303
    body = {"kind": "transfer_reward", "name_zh": "匿名计划", "name_en": "Anonymous", "budget": 100,
            "starts_on": "2025-01-01", "ends_on": "2025-12-31", "rules": {"beneficiary": "seller",
                                                                          "tiers": [{"rate_bp": 100}]}}
    assert client.post("/api/programmes", json=body).status_code == 401
    assert client.get(f"/api/programmes/{programme_id}/claims").status_code == 401
    # The buyer is no beneficiary of this claim; the university is no officer.
    login(client, "tea@example.test", PASSWORD)
    refused = market.form(f"/claims/{claim_id}/submit", "/my/claims",
                          {"payee_account": "1", "registration_number": "2"})
    assert refused.status_code == 403
    assert client.get(f"/programmes/{programme_id}/claims").status_code == 403
    assert client.get("/programmes/new").status_code == 403
    # An officer of another department may not review this department's claims.
    xm = api_token(client, "xm_officer@example.test", PASSWORD)
    assert client.get(f"/api/programmes/{programme_id}/claims", headers=xm).status_code == 403
    fafu = api_token(client, "fafu@example.test", PASSWORD)
    submitted = client.post(f"/api/claims/{claim_id}/submit", headers=fafu,
                            json={"payee_account": "35001234567890", "registration_number": "2026350100000123"})
    assert submitted.status_code == 200, submitted.text
    assert client.post(f"/api/claims/{claim_id}/approve", headers=xm).status_code == 403
    # Hostile text is refused and nothing is recorded.
    head = market.app.recorder.max_notification_id()
    bidi = client.post(f"/api/claims/{claim_id}/reject", headers=api_token(client, "officer@example.test", PASSWORD),
                       json={"reason": "材料\u202e不全"})
    assert bidi.status_code == 400
    assert market.app.recorder.max_notification_id() == head


def test_the_officer_approves_over_the_api_and_exports_the_disbursements_as_csv(market: Market) -> None:
    client = market.client
    programme_id = draft_and_open(market)
    contract = market.paid_sale("fafu", "tea", 800_000)
    register(market.app, contract, market.ids["fafu"])
    (claim_id,) = market.follow_payments()
    fafu = api_token(client, "fafu@example.test", PASSWORD)
    officer = api_token(client, "officer@example.test", PASSWORD)
    [mine] = client.get("/api/my/claims", headers=fafu).json()
    assert (mine["id"], mine["amount"], mine["status"]) == (str(claim_id), 8_000 * YUAN, "raised")
    formula = client.post(f"/api/claims/{claim_id}/submit", headers=fafu, json={  # not the contract's number
        "payee_account": "35001234567890", "registration_number": "=HYPERLINK(1)"})
    assert (formula.status_code, formula.json()["code"]) == (400, "claim.registration_mismatch")
    assert client.post(f"/api/claims/{claim_id}/submit", headers=fafu, json={
        "payee_account": "35001234567890", "registration_number": "2026350100000123"}).status_code == 200
    approved = client.post(f"/api/claims/{claim_id}/approve", headers=officer)
    assert approved.status_code == 200
    assert approved.json()["amount"] == 8_000 * YUAN
    again = client.post(f"/api/claims/{claim_id}/approve", headers=officer)  # a double click
    assert again.status_code == 409
    assert client.post(f"/api/claims/{claim_id}/disbursement", headers=officer,
                       json={"bank_reference": "HX-1"}).status_code == 200
    [programme] = [p for p in client.get("/api/programmes").json() if p["id"] == programme_id]
    assert (programme["disbursed"], programme["committed"]) == (8_000 * YUAN, 0)
    login(client, "officer@example.test", PASSWORD)
    exported = client.get(f"/programmes/{programme_id}/claims.csv?from=2020-01-01")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["claim_id", "beneficiary", "side"]
    assert rows[1][0] == str(claim_id)
    assert rows[1][1] == "福建农林大学"
    assert rows[1][8] == "2026350100000123"  # the number recorded for the contract
    assert client.get(f"/programmes/{programme_id}/claims.csv?before=2000-01-01").text.count("\n") == 1
    assert client.get(f"/programmes/{programme_id}/claims.csv?from=yesterday").status_code == 400


def test_the_officer_records_an_enterprises_qualifications_and_others_may_not(market: Market) -> None:
    client = market.client
    login(client, "tea@example.test", PASSWORD)
    assert client.get("/programmes/qualifications").status_code == 403
    refused = client.post(f"/api/organisations/{market.ids['tea_org']}/flags", json={"flags": ["soe"]},
                          headers=api_token(client, "tea@example.test", PASSWORD))
    assert refused.status_code == 403
    login(client, "officer@example.test", PASSWORD)
    page = client.get("/programmes/qualifications?name=铁观音")
    assert f'id="org-{market.ids["tea_org"]}"' in page.text
    assert "上海浦江食品有限公司" not in page.text
    saved = market.form(f"/programmes/qualifications/{market.ids['tea_org']}", "/programmes/qualifications",
                        {"flags": ["soe", "tech_sme"]})
    assert saved.status_code == 303
    shown = client.get(saved.headers["location"])
    assert "资质认定已保存" in shown.text
    row = re.search(rf'<tr id="org-{market.ids["tea_org"]}">.*?</tr>', shown.text, re.S)
    assert row is not None
    assert re.findall(r'value="(\w+)" checked', row.group(0)) == ["soe", "tech_sme"]
    again = market.form(f"/programmes/qualifications/{market.ids['tea_org']}", "/programmes/qualifications",
                        {"flags": ["soe", "tech_sme"]})  # a double click: nothing new to record
    assert again.status_code == 409
    assert market.app.repository.get(market.ids["tea_org"]).flags == {"soe", "tech_sme"}


def test_the_officer_revises_the_rules_and_later_payments_follow_the_new_version(market: Market) -> None:
    client = market.client
    programme_id = draft_and_open(market)
    today = market.clock.now().astimezone(ZoneInfo("Asia/Shanghai")).date()
    form = {**{k: v for k, v in REWARD_FORM.items() if k not in ("kind", "name_zh", "name_en", "source", "budget",
                                                                  "starts_on", "ends_on")},
            "rate": "2", "effective_from": today.isoformat()}
    too_early = market.form(f"/programmes/{programme_id}/rules", f"/programmes/{programme_id}/rules",
                            {**form, "effective_from": "2024-12-31"})
    assert too_early.status_code == 400
    assert "生效日期" in too_early.text
    revised = market.form(f"/programmes/{programme_id}/rules", f"/programmes/{programme_id}/rules", form)
    assert revised.status_code == 303, revised.text
    page = client.get(revised.headers["location"]).text
    assert "新版规则已保存" in page
    assert f"第 2 版，自 {today.isoformat()} 起" in page
    assert "按实际支付金额的 2 %" in page
    market.paid_sale("fafu", "tea", 800_000)
    (claim_id,) = market.follow_payments()
    claim = market.app.repository.get(claim_id)
    assert (claim.rules_version, claim.amount) == (2, 16_000 * YUAN)
    login(client, "tea@example.test", PASSWORD)
    assert client.get(f"/programmes/{programme_id}/rules").status_code == 403


def test_related_parties_earn_nothing_and_the_parties_read_why(market: Market) -> None:
    """Conditions and exclusions (issue 12): no related parties (a relation a programme officer records); a patent's
    own public funding excludes nothing (the exclusion is of deals paid with fiscal programme money). The
    payment's parties read each programme's outcome and the reasons over the API."""
    client = market.client
    draft_and_open(market)
    fafu, tea = market.ids["fafu_org"], market.ids["tea_org"]
    pair = {"organisation_id": str(tea), "related_organisation_id": str(fafu), "reason": "铁观音集团持有校办企业股份"}
    assert client.post("/api/related-parties", json=pair).status_code == 401
    seller = api_token(client, "fafu@example.test", PASSWORD)
    buyer = api_token(client, "tea@example.test", PASSWORD)
    refused = client.post("/api/related-parties", json=pair, headers=buyer)  # an enterprise does not mark itself
    assert refused.status_code == 403
    officer = api_token(client, "officer@example.test", PASSWORD)
    for hostile in ({**pair, "reason": "关联\u202e方"}, {**pair, "reason": "  "}, {**pair, "reason": "x" * 501},
                    {**pair, "related_organisation_id": str(tea)}):
        assert client.post("/api/related-parties", json=hostile, headers=officer).status_code == 400, hostile
    head = market.app.recorder.max_notification_id() or 0
    for _ in range(2):  # a double click: one record
        assert client.post("/api/related-parties", json=pair, headers=officer).status_code == 200
    assert market.app.recorder.max_notification_id() == head + 1
    shown = client.get(f"/api/related-parties/{fafu}/{tea}", headers=officer).json()  # either order
    assert shown == {"related": True, "reason": "铁观音集团持有校办企业股份"}
    assert client.get(f"/api/related-parties/{fafu}/{tea}", headers=buyer).status_code == 403

    related_sale = market.paid_sale("fafu", "tea", 800_000)
    assert market.follow_payments() == []
    paid = obligation_id(related_sale, "upfront")
    answer = client.get(f"/api/payments/{paid}/programme-assessment", headers=seller)
    assert answer.status_code == 200, answer.text
    [outcome] = answer.json()
    assert (outcome["side"], outcome["amount"], outcome["chosen"]) == ("seller", 0, False)
    assert [r["key"] for r in outcome["refusals"]] == ["programme.refusal.related_parties"]
    assert "关联方" in outcome["refusals"][0]["zh"]
    outsider = api_token(client, "sh@example.test", PASSWORD)
    assert client.get(f"/api/payments/{paid}/programme-assessment", headers=outsider).status_code == 403

    withdrawn = client.post("/api/related-parties/withdraw", headers=officer,
                            json={**pair, "reason": "股份已于 2025 年转让"})
    assert withdrawn.status_code == 200
    assert client.get(f"/api/related-parties/{tea}/{fafu}", headers=officer).json()["related"] is False
    again = client.post("/api/related-parties/withdraw", headers=officer, json={**pair, "reason": "再次撤回"})
    assert again.status_code == 200  # withdrawn already: nothing new
    stranger = {"organisation_id": str(tea), "related_organisation_id": str(market.ids["sh_org"]), "reason": "无"}
    unmarked = client.post("/api/related-parties/withdraw", headers=officer, json=stranger)
    assert (unmarked.status_code, unmarked.json()["code"]) == (400, "related_parties.not_marked")

    funding = {"public_funding": {"funder": "福建省科学技术厅", "programme": "福建省科技计划项目",
                                  "project_reference": "2019N0012", "end_date": "2022-12-31"}}

    def record_funding(patent: UUID) -> None:  # the university records the patent's public funding
        assert client.post(f"/api/patents/{patent}/funding", json=funding, headers=seller).status_code == 200

    funded_sale = market.paid_sale("fafu", "tea", 500_000, registered=record_funding)
    (claim,) = market.follow_payments()  # a funded result's sale is rewarded like any other
    [mine] = client.get("/api/my/claims", headers=seller).json()
    assert (mine["id"], mine["amount"], mine["contract_id"]) == (str(claim), 5_000 * YUAN, str(funded_sale))
    [funded] = client.get(f"/api/payments/{obligation_id(funded_sale, 'upfront')}/programme-assessment",
                          headers=buyer).json()
    assert (funded["amount"], funded["chosen"], funded["refusals"]) == (5_000 * YUAN, True, [])
