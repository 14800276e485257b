"""A payment's source of funds and why a payment earned nothing, from the users' side (issue 12).

The buyer declares on the payment page (or over the API) where its money comes from — its own funds
(自有资金), fiscal science-programme funds (财政科技项目资金) or government procurement (政府采购) — before
paying; a programme that excludes fiscally funded deals then raises no claim, and the payment's parties and
the programme officers read why on the payment's assessment page, in both languages. The declaration
cannot change once a payment has started, and only the buyer's members make it.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from domain.deals.payment import PaymentObligation, obligation_id
from marketplace.catalogue import commands as cc
from marketplace.deals import commands as dc
from tests.unit.deal_helpers import cn
from tests.web.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, api_token, login
from tests.web.test_programmes_web import PASSWORD, YUAN, Market, draft_and_open, market  # noqa: F401 - fixture


def signed_sale(m: Market, seller: str, buyer: str, price_yuan: int) -> UUID:
    """A patent listed by ``seller``, bought at its price by ``buyer``; the contract signed, nothing paid."""
    m.serial += 1
    patent, _ = m.app.catalogue.register_patent(cc.RegisterPatent(
        application_number=cn(f"2022107{m.serial:05d}"), patent_type="invention", title_zh="一种茶叶烘焙装置",
        title_en="A tea roasting device", ipc_codes=["A23F 3/06"], filing_date=date(2022, 3, 1),
        legal_status="granted", owners=[cc.OwnerShare(organisation_id=m.ids[f"{seller}_org"], share=100)],
        inventors=[cc.InventorShare(name="林二", share=100)]), actor_id=m.ids[seller])
    listing, _ = m.app.catalogue.draft_listing(cc.DraftListing(
        patent_id=patent, deal_types=["assignment"], price_mode="fixed", asking_price=price_yuan * YUAN,
        maturity="prototype"), actor_id=m.ids[seller])
    m.app.catalogue.publish_listing(cc.PublishListing(listing_id=listing), actor_id=m.ids[seller])
    offer, _ = m.app.offers.make_offer(dc.MakeOffer(listing_id=listing, kind="assignment",
                                                    price=price_yuan * YUAN), actor_id=m.ids[buyer])
    contract, _ = m.app.offers.accept_offer(dc.AcceptOffer(offer_id=offer), actor_id=m.ids[seller])
    digest = m.app.repository.get(contract).text_sha256
    for party in (seller, buyer):
        m.app.contracts.sign_contract(dc.SignContract(contract_id=contract, text_sha256=digest),
                                      actor_id=m.ids[party])
    return contract


def received(m: Market, paid: UUID, amount_yuan: int) -> None:
    m.app.payments.record_manual_receipt(dc.RecordManualReceipt(
        obligation_id=paid, amount=amount_yuan * YUAN, bank_reference=f"B-F{m.serial}"), actor_id=m.admin)


def test_a_buyer_paying_with_fiscal_programme_funds_earns_no_claim_and_reads_why(market: Market) -> None:  # noqa: F811 - the fixture of test_programmes_web
    client = market.client
    draft_and_open(market)  # a seller reward that excludes fiscally funded deals (the rule's default)
    contract = signed_sale(market, "fafu", "tea", 600_000)
    paid = obligation_id(contract, "upfront")
    market.services.make_runner().catch_up()

    login(client, "tea@example.test", PASSWORD)
    page = client.get(f"/payments/{paid}")
    assert 'name="funds_source"' in page.text
    for words in ("自有资金", "财政科技项目资金", "政府采购"):
        assert words in page.text
    assert market.form(f"/payments/{paid}/start", f"/payments/{paid}",
                       {"gateway": "manual", "funds_source": "nonsense"}).status_code == 400
    started = market.form(f"/payments/{paid}/start", f"/payments/{paid}",
                          {"gateway": "manual", "funds_source": "fiscal_programme"})
    assert started.status_code == 303, started.text
    market.services.make_runner().catch_up()
    shown = client.get(f"/payments/{paid}")
    assert 'id="funds-source-declared">财政科技项目资金' in shown.text
    assert f'href="/payments/{paid}/programme-assessment"' in shown.text
    before = client.get(f"/payments/{paid}/programme-assessment")
    assert before.status_code == 200
    assert "尚未评估" in before.text  # the money has not arrived yet

    # Once the payment has started the declaration stands: another answer is refused in words.
    changed = market.form(f"/payments/{paid}/start", f"/payments/{paid}",
                          {"gateway": "manual", "funds_source": "own"})
    assert changed.status_code == 409
    assert "资金来源须在付款前申报" in changed.text
    again = market.form(f"/payments/{paid}/start", f"/payments/{paid}",  # the same answer again: fine
                        {"gateway": "manual", "funds_source": "fiscal_programme"})
    assert again.status_code == 303
    assert market.app.repository.get(paid).funds_source == "fiscal_programme"

    received(market, paid, 600_000)
    assert market.follow_payments() == []  # no claim: the rule excludes fiscally funded deals
    outcome = client.get(f"/payments/{paid}/programme-assessment")
    assert outcome.status_code == 200
    assert "不符合条件" in outcome.text
    assert 'data-reason="programme.refusal.fiscally_funded"' in outcome.text
    assert "交易资金来自财政科技计划或政府采购" in outcome.text
    assert 'id="assessed-funds-source">财政科技项目资金' in outcome.text
    english = client.get(f"/lang/en?next=/payments/{paid}/programme-assessment")
    assert "Did not qualify" in english.text
    assert "paid with fiscal science-programme money" in english.text
    assert "Fiscal science-programme funds" in english.text
    client.get("/lang/zh?next=/my")

    seller = api_token(client, "fafu@example.test", PASSWORD)
    [answer] = client.get(f"/api/payments/{paid}/programme-assessment", headers=seller).json()
    assert [r["key"] for r in answer["refusals"]] == ["programme.refusal.fiscally_funded"]
    listed = client.get("/api/obligations", headers=seller).json()
    assert [o.get("funds_source") for o in listed["items"] if o["id"] == str(paid)] == ["fiscal_programme"]

    # The seller's members read why too; an outsider does not (403), as over the API.
    login(client, "fafu@example.test", PASSWORD)
    assert "交易资金来自财政科技计划或政府采购" in client.get(f"/payments/{paid}/programme-assessment").text
    login(client, "sh@example.test", PASSWORD)
    assert client.get(f"/payments/{paid}/programme-assessment").status_code == 403
    assert client.get(f"/payments/{UUID(int=7)}/programme-assessment").status_code == 404
    login(client, "xm_officer@example.test", PASSWORD)  # any programme officer reads the assessments
    assert client.get(f"/payments/{paid}/programme-assessment").status_code == 200


def test_own_funds_by_default_a_qualifying_payment_shows_its_calculation(market: Market) -> None:  # noqa: F811 - the fixture of test_programmes_web
    client = market.client
    draft_and_open(market)
    contract = signed_sale(market, "fafu", "tea", 800_000)
    paid = obligation_id(contract, "upfront")
    buyer = api_token(client, "tea@example.test", PASSWORD)
    # An API client written before declarations: no funds_source, the buyer's own funds.
    started = client.post(f"/api/contracts/{contract}/payments", json={"gateway": "manual"}, headers=buyer)
    assert started.status_code == 201, started.text
    obligation = market.app.repository.get(paid)
    assert isinstance(obligation, PaymentObligation)
    assert (obligation.funds_source, obligation.fiscally_funded) == ("own", False)
    received(market, paid, 800_000)
    assert len(market.follow_payments()) == 1
    login(client, "tea@example.test", PASSWORD)
    page = client.get(f"/payments/{paid}/programme-assessment")
    assert "符合条件，已生成申领" in page.text
    assert "80 万元 × 1 %" in page.text  # the calculation: paid × rate
    assert 'id="assessed-funds-source">自有资金' in page.text
    login(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    assert client.get(f"/payments/{paid}/programme-assessment").status_code == 200


def test_only_the_buyers_members_declare_and_the_api_takes_government_procurement(market: Market) -> None:  # noqa: F811 - the fixture of test_programmes_web
    client = market.client
    draft_and_open(market)
    contract = signed_sale(market, "fafu", "tea", 300_000)
    paid = obligation_id(contract, "upfront")
    seller = api_token(client, "fafu@example.test", PASSWORD)
    refused = client.post(f"/api/contracts/{contract}/payments", headers=seller,
                          json={"gateway": "manual", "funds_source": "own"})
    assert refused.status_code == 403
    buyer = api_token(client, "tea@example.test", PASSWORD)
    wrong = client.post(f"/api/contracts/{contract}/payments", headers=buyer,
                        json={"gateway": "manual", "funds_source": "lottery"})
    assert (wrong.status_code, wrong.json()["code"]) == (400, "choice")
    ok = client.post(f"/api/contracts/{contract}/payments", headers=buyer,
                     json={"gateway": "manual", "funds_source": "government_procurement"})
    assert ok.status_code == 201, ok.text
    late = client.post(f"/api/contracts/{contract}/payments", headers=buyer,
                       json={"gateway": "manual", "funds_source": "fiscal_programme"})
    assert (late.status_code, late.json()["code"]) == (409, "payment.funds_locked")
    received(market, paid, 300_000)
    assert market.follow_payments() == []
    [answer] = client.get(f"/api/payments/{paid}/programme-assessment", headers=buyer).json()
    assert [r["key"] for r in answer["refusals"]] == ["programme.refusal.fiscally_funded"]
