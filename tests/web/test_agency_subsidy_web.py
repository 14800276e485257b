"""The agency performance subsidy over HTTP (issue 14, seed task 9): a department's programme officer opens an
agency subsidy on Fujian's 2019 figures (2 % of the deals an agency brokered, at most ¥500,000 a year); a transfer
agency's admin reads its year's figures with their basis, applies, the officer approves and pays it, and the agency
sees it on its claims, to-do and inbox; the figures equal the test's own computation from the deals it made. And as
attackers would try it: another agency, a non-member, an unverified agency, a double application, the cap across
two claims."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import psycopg

from domain.deals.payment import obligation_id
from domain.market.brokers import broker_id
from domain.programmes.rules import BEIJING
from marketplace.accounts import commands as ac
from marketplace.catalogue import commands as cc
from marketplace.deals import commands as dc
from marketplace.market import commands as mc
from projections.shared.records import EventRecord
from tests.unit.deal_helpers import cn
from tests.web.conftest import api_token, login
from tests.web.test_programmes_web import PASSWORD, YUAN, Market, market  # noqa: F401 - the fixture

AGENCY_FORM = {"kind": "agency_subsidy", "name_zh": "技术转移机构业绩补助", "name_en": "Agency performance subsidy",
               "source": "闽政〔2019〕（fujian_transfer_agency_subsidy_2019）", "budget": "2,000,000",
               "starts_on": "2025-01-01", "ends_on": "2030-12-31", "rate": "2", "cap_per_year": "500000"}


def brokered_sale(m: Market, seller: str, buyer: str, price_yuan: int, agency: str | None,
                  basis: str = "mandate") -> UUID:
    """A patent of ``seller`` bought at its listed price by ``buyer``, signed and paid by bank transfer: the
    obligation paid. The agency brokers it under the seller's mandate, the offer naming it at 3 % (``mandate``), by
    an introduction the buyer confirmed, the offer naming no broker (``introduction``), or named by the buyer
    alone at 0 % (``named``)."""
    m.serial += 1
    patent, _ = m.app.catalogue.register_patent(cc.RegisterPatent(
        application_number=cn(f"2022107{m.serial:05d}"), patent_type="invention", title_zh="一种电池管理装置",
        title_en="A battery management device", ipc_codes=["H01M 10/42"], filing_date=m.clock.now().date(),
        legal_status="granted", owners=[cc.OwnerShare(organisation_id=m.ids[f"{seller}_org"], share=100)],
        inventors=[cc.InventorShare(name="陈二", share=100)]), actor_id=m.ids[seller])
    listing, _ = m.app.catalogue.draft_listing(cc.DraftListing(
        patent_id=patent, deal_types=["assignment"], price_mode="fixed", asking_price=price_yuan * YUAN,
        maturity="prototype"), actor_id=m.ids[seller])
    m.app.catalogue.publish_listing(cc.PublishListing(listing_id=listing), actor_id=m.ids[seller])
    broker: dict[str, Any] = {}
    if agency and basis in ("mandate", "introduction"):
        m.app.brokers.give_mandate(mc.GiveMandate(
            listing_id=listing, agency_id=m.ids[f"{agency}_org"], commission=3.0,
            ends_on=m.clock.now().astimezone(BEIJING).date() + timedelta(days=365)), actor_id=m.ids[seller])
    if agency and basis == "mandate":
        broker = {"broker_organisation_id": m.ids[f"{agency}_org"], "broker_commission": 3.0}
    elif agency and basis == "introduction":
        if not m.app.exists(broker_id(m.ids[agency])):
            m.app.brokers.accredit_broker(mc.AccreditBroker(
                user_id=m.ids[agency], credential_number="FJ-JJR-2025-7",
                expires_on=m.clock.now().astimezone(BEIJING).date() + timedelta(days=730)), actor_id=m.admin)
        introduction, _ = m.app.brokers.introduce_buyer(mc.IntroduceBuyer(
            listing_id=listing, buyer_organisation_id=m.ids[f"{buyer}_org"]), actor_id=m.ids[agency])
        m.app.brokers.confirm_introduction(mc.ConfirmIntroduction(introduction_id=introduction),
                                           actor_id=m.ids[buyer])
    elif agency:
        broker = {"broker_organisation_id": m.ids[f"{agency}_org"], "broker_commission": 0.0}
    offer, _ = m.app.offers.make_offer(dc.MakeOffer(listing_id=listing, kind="assignment", price=price_yuan * YUAN,
                                                    **broker), actor_id=m.ids[buyer])
    contract, _ = m.app.offers.accept_offer(dc.AcceptOffer(offer_id=offer), actor_id=m.ids[seller])
    digest = m.app.repository.get(contract).text_sha256
    for party in (seller, buyer):
        m.app.contracts.sign_contract(dc.SignContract(contract_id=contract, text_sha256=digest),
                                      actor_id=m.ids[party])
    m.app.payments.start_payment(dc.StartPayment(contract_id=contract, gateway="manual"), actor_id=m.ids[buyer])
    paid = obligation_id(contract, "upfront")
    m.app.payments.record_manual_receipt(dc.RecordManualReceipt(
        obligation_id=paid, amount=price_yuan * YUAN, bank_reference=f"B-{m.serial}"), actor_id=m.admin)
    return paid


def open_programme(m: Market, form: dict[str, str] | None = None) -> str:
    client = m.client
    login(client, "officer@example.test", PASSWORD)
    drafted = m.form("/programmes", "/programmes/new", form or AGENCY_FORM)
    assert drafted.status_code == 303, drafted.text
    programme_id = drafted.headers["location"].split("/")[2].split("?")[0]
    page = client.get(f"/programmes/{programme_id}").text
    assert "技术转移机构业绩补助" in page
    assert "按实际支付金额的 2 %" in page
    if form is None:
        assert "50 万元" in page  # Fujian's yearly cap
    assert m.form(f"/programmes/{programme_id}/open", f"/programmes/{programme_id}", {}).status_code == 303
    assert 'id="agency-subsidy"' in client.get(f"/programmes/{programme_id}").text
    return programme_id


def agencies(m: Market) -> None:
    m.sign_up("hx", "海峡技术转移中心", "transfer_agency", "福建省福州市")
    m.sign_up("xm_tta", "厦门技术转移中心", "transfer_agency", "福建省厦门市")


def fen(page: str, element: str) -> int:
    found = re.search(rf'id="{element}" data-fen="(\d+)"', page)
    assert found, f"no {element}"
    return int(found.group(1))


def test_an_agency_applies_the_officer_approves_and_pays_and_the_figures_are_exact(market: Market) -> None:  # noqa: F811
    m, client = market, market.client
    agencies(m)
    programme_id = open_programme(m)
    year = m.clock.now().astimezone(BEIJING).year
    prices = {"first": 1_234_567, "second": 876_543, "refunded": 300_000}
    paid = {key: brokered_sale(m, "fafu", "tea", price, "hx") for key, price in prices.items()}
    other = brokered_sale(m, "fafu", "sh", 999_999, "xm_tta")  # another agency's deal
    unbrokered = brokered_sale(m, "fafu", "tea", 555_555, None)
    m.app.payments.refund_payment(dc.RefundPayment(obligation_id=paid["refunded"], reason="合同解除"),
                                  actor_id=m.admin)
    m.services.make_runner().catch_up()
    # The test's own computation: 2 % of what was paid on the agency's deals this year, less the refunded one.
    volume = (prices["first"] + prices["second"]) * YUAN
    expected = volume * 200 // 10_000

    agency = api_token(client, "hx@example.test", PASSWORD)
    figures = client.get(f"/api/programmes/{programme_id}/agency-subsidy", params={"year": year}, headers=agency)
    assert figures.status_code == 200, figures.text
    body = figures.json()
    assert (body["volume"], body["amount"], body["rate_bp"], body["cap_per_year"]) == (
        volume, expected, 200, 50_000_000)
    basis = {e["obligation_id"]: (e["amount"], e["counts"], e["refusals"]) for e in body["basis"]}
    assert basis == {str(paid["first"]): (prices["first"] * YUAN, True, []),
                     str(paid["second"]): (prices["second"] * YUAN, True, []),
                     # the refund of an assignment also terminates its contract: both reasons are given
                     str(paid["refunded"]): (prices["refunded"] * YUAN, False, [
                         "agency_subsidy.refusal.refunded", "agency_subsidy.refusal.terminated"])}
    assert str(other) not in basis
    assert str(unbrokered) not in basis

    # The agency's admin reads the same figures on the page, with the basis, and applies.
    login(client, "hx@example.test", PASSWORD)
    page = client.get(f"/programmes/{programme_id}/agency-subsidy?year={year}").text
    assert (fen(page, "volume"), fen(page, "claimable")) == (volume, expected)
    assert page.count('class="counted"') == 2
    assert "已退款" in page
    assert 'id="unchecked"' in page  # what the platform cannot check is said
    applied = m.form(f"/programmes/{programme_id}/agency-subsidy",
                     f"/programmes/{programme_id}/agency-subsidy?year={year}",
                     {"year": str(year), "payee_account": "3500 1234 5678 90"})
    assert applied.status_code == 303, applied.text
    claim_id = applied.headers["location"].split("#claim-")[1]
    mine = client.get("/my/claims").text
    assert f'id="claim-{claim_id}"' in mine
    assert "技术转移机构" in mine
    assert f'id="basis-{paid["first"]}"' in mine
    # A double application answers the same claim; nothing new is claimed.
    again = client.post(f"/api/programmes/{programme_id}/agency-subsidy", headers=agency,
                        json={"year": year, "payee_account": "3500 1234 5678 90"})
    assert again.status_code == 201, again.text
    assert again.json()["id"] == claim_id
    claims = client.get("/api/my/claims", headers=agency).json()
    assert [(c["id"], c["status"], c["amount"], c["side"]) for c in claims] == [
        (claim_id, "submitted", expected, "agency")]
    assert {e["obligation_id"] for e in claims[0]["basis"]} == {str(o) for o in paid.values()}

    # The officer approves and pays it through the programme's claims.
    officer = api_token(client, "officer@example.test", PASSWORD)
    login(client, "officer@example.test", PASSWORD)
    assert f'href="/programmes/{programme_id}/claims#claim-{claim_id}"' in client.get("/todo").text
    queue = client.get(f"/programmes/{programme_id}/claims").text
    assert "海峡技术转移中心" in queue
    assert f'id="basis-{paid["second"]}"' in queue
    approved = client.post(f"/api/claims/{claim_id}/approve", headers=officer)
    assert approved.status_code == 200, approved.text
    assert approved.json()["amount"] == expected
    assert client.post(f"/api/claims/{claim_id}/disbursement", headers=officer,
                       json={"bank_reference": "GK-2026-0042"}).status_code == 200
    m.services.make_runner().catch_up()
    done = client.get(f"/api/programmes/{programme_id}").json()
    assert (done["disbursed"], done["remaining"]) == (expected, 2_000_000 * YUAN - expected)

    # The agency sees it paid, and its inbox told it.
    assert client.get("/api/my/claims", headers=agency).json()[0]["status"] == "paid"
    inbox = client.get("/api/inbox", headers=agency).json()
    events = [i.get("event") for i in inbox["items"]]
    assert "claim.paid" in events
    assert "claim.approved" in events


def test_attackers_and_the_cap_across_two_claims(market: Market) -> None:  # noqa: F811
    m, client = market, market.client
    agencies(m)
    programme_id = open_programme(m, {**AGENCY_FORM, "cap_per_year": "30000"})
    year = m.clock.now().astimezone(BEIJING).year
    brokered_sale(m, "fafu", "tea", 1_000_000, "hx")  # 20,000 yuan
    m.services.make_runner().catch_up()
    hx = api_token(client, "hx@example.test", PASSWORD)
    xm = api_token(client, "xm_tta@example.test", PASSWORD)
    tea = api_token(client, "tea@example.test", PASSWORD)
    url = f"/api/programmes/{programme_id}/agency-subsidy"
    body = {"year": year, "payee_account": "3500 0001"}

    # Another agency: neither its figures nor a claim on them.
    peek = client.get(url, params={"year": year, "agency_id": str(m.ids["hx_org"])}, headers=xm)
    assert peek.status_code == 403, peek.text
    nothing = client.post(url, headers=xm, json=body)
    assert nothing.status_code == 409, nothing.text
    assert nothing.json()["code"] == "agency_subsidy.nothing_to_claim"
    # A non-member of any agency (the buyer) and an unverified agency are refused.
    outsider = client.post(url, headers=tea, json=body)
    assert (outsider.status_code, outsider.json()["code"]) == (403, "agency_subsidy.not_agency")
    m.app.accounts.sign_up(ac.SignUp(email="new@example.test", password=PASSWORD, display_name="new",
                                               organisation_name="新设技术转移所", organisation_kind="transfer_agency"))
    unverified = client.post(url, headers=api_token(client, "new@example.test", PASSWORD), json=body)
    assert (unverified.status_code, unverified.json()["code"]) == (403, "agency_subsidy.unverified")
    # Hostile text in the account is refused and records nothing.
    hostile = client.post(url, headers=hx, json={**body, "payee_account": "3500\u202e0001"})
    assert hostile.status_code == 400
    assert client.get("/api/my/claims", headers=hx).json() == []

    # The agency's admin is offered the application form on the page (the control for the officer's page below).
    login(client, "hx@example.test", PASSWORD)
    assert 'id="apply"' in client.get(f"/programmes/{programme_id}/agency-subsidy?year={year}").text
    client.cookies.clear()
    # The officer reads the agency's figures on the page, and raises every agency's claim from it.
    login(client, "officer@example.test", PASSWORD)
    page = client.get(f"/programmes/{programme_id}/agency-subsidy?year={year}&agency_id={m.ids['hx_org']}").text
    assert fen(page, "claimable") == 20_000 * YUAN
    assert 'id="apply"' not in page  # an officer applies for nobody
    raised = m.form(f"/programmes/{programme_id}/agency-subsidy/raise", f"/programmes/{programme_id}/agency-subsidy",
                    {"year": str(year)})
    assert raised.status_code == 303, raised.text
    queue = client.get(raised.headers["location"]).text
    assert "已为各机构生成本年度申领" in queue
    (raised_claim,) = client.get("/api/my/claims", headers=hx).json()
    assert (raised_claim["status"], raised_claim["amount"]) == ("raised", 20_000 * YUAN)
    # The agency finds it on its to-do and submits it as any claim.
    login(client, "hx@example.test", PASSWORD)
    assert f'href="/my/claims#claim-{raised_claim["id"]}"' in client.get("/todo").text
    submitted = client.post(f"/api/claims/{raised_claim['id']}/submit", headers=hx,
                            json={"payee_account": "3500 0001"})
    assert submitted.status_code == 200, submitted.text
    first_id = raised_claim["id"]
    brokered_sale(m, "fafu", "sh", 1_000_000, "hx")  # another 20,000 yuan: 10,000 left under the cap
    m.services.make_runner().catch_up()
    second = client.post(url, headers=hx, json=body)
    assert second.status_code == 201, second.text
    assert second.json()["id"] != first_id
    officer = api_token(client, "officer@example.test", PASSWORD)
    xm_officer = api_token(client, "xm_officer@example.test", PASSWORD)
    assert client.post(f"/api/claims/{first_id}/approve", headers=xm_officer).status_code == 403
    amounts = [client.post(f"/api/claims/{c}/approve", headers=officer).json()["amount"]
               for c in (first_id, second.json()["id"])]
    assert amounts == [20_000 * YUAN, 10_000 * YUAN]
    third = client.post(url, headers=hx, json=body)  # nothing new: the second claim answers
    assert third.json()["id"] == second.json()["id"]


def test_a_refund_after_the_agency_was_paid_is_owed_back_and_repaid(market: Market) -> None:  # noqa: F811
    """Claim paid → the buyer refunded → the payment's share owed back, on the officer's queue and the agency's
    claims → repaid → the budget and the agency's yearly cap room restored, to the fen."""
    m, client = market, market.client
    agencies(m)
    programme_id = open_programme(m)
    year = m.clock.now().astimezone(BEIJING).year
    kept = brokered_sale(m, "fafu", "tea", 1_000_000, "hx")  # 2 %: 20,000 yuan
    refunded = brokered_sale(m, "fafu", "sh", 500_000, "hx")  # 2 %: 10,000 yuan
    m.follow_payments()
    hx = api_token(client, "hx@example.test", PASSWORD)
    officer = api_token(client, "officer@example.test", PASSWORD)
    applied = client.post(f"/api/programmes/{programme_id}/agency-subsidy", headers=hx,
                          json={"year": year, "payee_account": "3500 1234"})
    assert applied.status_code == 201, applied.text
    claim_id = applied.json()["id"]
    assert client.post(f"/api/claims/{claim_id}/approve", headers=officer).json()["amount"] == 30_000 * YUAN
    assert client.post(f"/api/claims/{claim_id}/disbursement", headers=officer,
                       json={"bank_reference": "GK-1"}).status_code == 200

    # The buyer of the second deal is refunded; the claims process follows the log.
    m.app.payments.refund_payment(dc.RefundPayment(obligation_id=refunded, reason="合同解除"), actor_id=m.admin)
    m.follow_payments()
    (claim,) = client.get("/api/my/claims", headers=hx).json()
    assert (claim["status"], claim["owed_back"], claim["repaid"], claim["parts_owed"]) == (
        "recovery_due", 10_000 * YUAN, 0, {str(refunded): 10_000 * YUAN})
    budget = client.get(f"/api/programmes/{programme_id}", headers=officer).json()
    assert budget["disbursed"] == 30_000 * YUAN  # returns once repaid

    # The officer sees it to recover: the dashboard's queue, the to-do and the claims page, with the amount owed.
    login(client, "officer@example.test", PASSWORD)
    dashboard = client.get("/api/programmes/dashboard", headers=officer).json()
    assert [(c["id"], c["owed_back"]) for c in dashboard["owed_back"]] == [(claim_id, 10_000 * YUAN)]
    page = client.get("/programmes/dashboard").text
    assert re.search(rf'id="queue-claim-{claim_id}".*?data-fen="{10_000 * YUAN}"', page, re.S)
    assert f'href="/programmes/{programme_id}/claims#claim-{claim_id}"' in client.get("/todo").text
    queue = client.get(f"/programmes/{programme_id}/claims").text
    assert f'class="owed-back" data-fen="{10_000 * YUAN}"' in queue
    assert f'id="basis-{refunded}"' in queue
    assert 'action="/claims/' + claim_id + '/recover"' in queue
    # The agency is told, and sees what it owes back, and for which payment.
    assert "claim.recovery_due" in [i.get("event") for i in client.get("/api/inbox", headers=hx).json()["items"]]
    login(client, "hx@example.test", PASSWORD)
    mine = client.get("/my/claims").text
    assert "待追回" in mine
    assert f'class="owed-back" data-fen="{10_000 * YUAN}"' in mine
    assert re.search(rf'id="basis-{refunded}".*?class="n owed-back" data-fen="{10_000 * YUAN}"', mine, re.S)
    assert re.search(rf'id="basis-{kept}".*?class="n owed-back" data-fen="0"', mine, re.S)
    # Only the programme's officer records the repayment; hostile text is refused and records nothing.
    assert client.post(f"/api/claims/{claim_id}/recovery", headers=hx,
                       json={"bank_reference": "R-1"}).status_code == 403
    hostile = client.post(f"/api/claims/{claim_id}/recovery", headers=officer,
                          json={"bank_reference": "R\u202e-1"})
    assert hostile.status_code == 400, hostile.text
    repaid = client.post(f"/api/claims/{claim_id}/recovery", headers=officer, json={"bank_reference": "HK-2026-7"})
    assert repaid.status_code == 200, repaid.text
    twice = client.post(f"/api/claims/{claim_id}/recovery", headers=officer, json={"bank_reference": "HK-2026-7"})
    assert twice.status_code == 409  # nothing more owed: the budget is restored once
    m.services.make_runner().catch_up()
    (claim,) = client.get("/api/my/claims", headers=hx).json()
    assert (claim["status"], claim["owed_back"], claim["repaid"]) == ("paid", 10_000 * YUAN, 10_000 * YUAN)
    budget = client.get(f"/api/programmes/{programme_id}", headers=officer).json()
    assert (budget["disbursed"], budget["remaining"]) == (20_000 * YUAN, 2_000_000 * YUAN - 20_000 * YUAN)
    assert client.get("/api/programmes/dashboard", headers=officer).json()["owed_back"] == []
    figures = client.get(f"/api/programmes/{programme_id}/agency-subsidy", params={"year": year}, headers=hx).json()
    assert figures["already_awarded"] == 20_000 * YUAN  # the yearly cap room returned by the repayment


def test_the_claims_read_model_follows_repayments_stored_before_and_after_amounts(market: Market) -> None:  # noqa: F811
    """A deal's claim repaid before repayments had amounts (its ``Recovered`` without one) is repaid in full; an
    agency claim's partial repayment leaves it paid for the rest."""
    view = market.services.views["programmes"]
    old, agency = uuid4(), uuid4()
    with psycopg.connect(market.services.address.conninfo()) as conn:
        for claim, side in ((old, "seller"), (agency, "agency")):
            conn.execute(
                "INSERT INTO programme_claims (id, programme_id, rules_version, obligation_id, contract_id,"
                " beneficiary_id, side, year, paid_amount, amount, approved_amount, steps, requires_registration,"
                " status, raised_at, updated_at, version) VALUES (%s, %s, 1, %s, %s, %s, %s, 2025, 100000, 3000,"
                " 3000, '[]', false, 'paid', now(), now(), 4)", (claim, uuid4(), uuid4(), uuid4(), uuid4(), side))
    topic = "domain.programmes.claim:Claim."
    part = str(uuid4())
    records = [
        EventRecord(1, str(old), 5, topic + "RecoveryRaised", "2025-06-01T00:00:00+00:00",
                    {"reason": "退款", "amount": 3000}),
        EventRecord(2, str(old), 6, topic + "Recovered", "2025-06-02T00:00:00+00:00",
                    {"by": str(uuid4()), "bank_reference": "R-OLD"}),  # stored before amounts
        EventRecord(3, str(agency), 5, topic + "PartRecoveryRaised", "2025-06-01T00:00:00+00:00",
                    {"obligation_id": part, "amount": 1000, "reason": "退款"}),
        EventRecord(4, str(agency), 6, topic + "Recovered", "2025-06-02T00:00:00+00:00",
                    {"by": str(uuid4()), "bank_reference": "R-1", "amount": 1000}),
    ]
    with view.datastore.transaction(commit=True) as curs:
        view.apply(curs, records)
    with psycopg.connect(market.services.address.conninfo()) as conn:
        rows = dict(conn.execute("SELECT id, (status, owed_back, repaid, parts_owed::text) FROM programme_claims"
                                 " WHERE id = ANY(%s)", ([old, agency],)).fetchall())
    assert rows[old] == ("recovered", "3000", "3000", "{}")
    assert rows[agency] == ("paid", "1000", "1000", f'{{"{part}": 1000}}')


def test_a_broker_the_buyer_named_alone_is_shown_with_its_reason_and_not_counted(market: Market) -> None:  # noqa: F811
    """An agency asks a friendly buyer to name it at 0 %: the deal is listed in its basis, not counted, with the
    reason in both languages; the deals under the seller's mandate and a confirmed introduction count, at 2 %."""
    m, client = market, market.client
    agencies(m)
    programme_id = open_programme(m)
    year = m.clock.now().astimezone(BEIJING).year
    named = brokered_sale(m, "fafu", "tea", 1_000_000, "hx", basis="named")
    mandated = brokered_sale(m, "fafu", "tea", 654_321, "hx")
    introduced = brokered_sale(m, "fafu", "sh", 345_679, "hx", basis="introduction")
    contract = m.app.repository.get(m.app.repository.get(named).contract_id)
    assert (contract.broker_organisation_id, contract.broker_commission) == (m.ids["hx_org"], 0)
    m.services.make_runner().catch_up()
    volume = (654_321 + 345_679) * YUAN
    agency = api_token(client, "hx@example.test", PASSWORD)
    body = client.get(f"/api/programmes/{programme_id}/agency-subsidy", params={"year": year},
                      headers=agency).json()
    assert (body["volume"], body["amount"]) == (volume, 20_000 * YUAN)
    assert {e["obligation_id"]: (e["amount"], e["counts"], e["refusals"]) for e in body["basis"]} == {
        str(named): (1_000_000 * YUAN, False, ["agency_subsidy.refusal.broker_named_only"]),
        str(mandated): (654_321 * YUAN, True, []), str(introduced): (345_679 * YUAN, True, [])}
    login(client, "hx@example.test", PASSWORD)
    client.cookies.set("lang", "zh")
    page = client.get(f"/programmes/{programme_id}/agency-subsidy?year={year}").text
    assert (fen(page, "volume"), fen(page, "claimable")) == (volume, 20_000 * YUAN)
    assert page.count('class="counted"') == 2
    assert "经纪机构仅由买方填写，无卖方委托或经确认的居间介绍" in page
    client.cookies.set("lang", "en")
    english = client.get(f"/programmes/{programme_id}/agency-subsidy?year={year}").text
    assert "broker named by the buyer only, no mandate or confirmed introduction" in english
    client.cookies.set("lang", "zh")
    applied = client.post(f"/api/programmes/{programme_id}/agency-subsidy", headers=agency,
                          json={"year": year, "payee_account": "3500 1234 5678 90"})
    assert applied.status_code == 201, applied.text
    claim = client.get("/api/my/claims", headers=agency).json()[0]
    assert (claim["amount"], claim["paid_amount"]) == (20_000 * YUAN, volume)
    assert {e["obligation_id"]: e["counts"] for e in claim["basis"]} == {
        str(named): False, str(mandated): True, str(introduced): True}


def test_an_agency_applying_after_the_officer_raised_its_claim_is_told_so_not_submitted(
        market: Market) -> None:  # noqa: F811
    """The officer raised the year's claim; the agency then applies on the page. Its application answers the
    officer's claim (nothing new to claim) and submits nothing: it is told that, in zh and en, with a link to the
    claim to submit — not "submitted"."""
    m, client = market, market.client
    agencies(m)
    programme_id = open_programme(m)
    year = m.clock.now().astimezone(BEIJING).year
    brokered_sale(m, "fafu", "tea", 1_000_000, "hx")
    m.services.make_runner().catch_up()
    raised = m.form(f"/programmes/{programme_id}/agency-subsidy/raise", f"/programmes/{programme_id}/agency-subsidy",
                    {"year": str(year)})
    assert raised.status_code == 303, raised.text
    hx = api_token(client, "hx@example.test", PASSWORD)
    (claim,) = client.get("/api/my/claims", headers=hx).json()
    client.cookies.clear()
    login(client, "hx@example.test", PASSWORD)
    page = f"/programmes/{programme_id}/agency-subsidy?year={year}"
    applied = m.form(f"/programmes/{programme_id}/agency-subsidy", page,
                     {"year": str(year), "payee_account": "3500 0001"})
    assert applied.status_code == 303, applied.text
    location = applied.headers["location"]
    assert "done=officer_raised" in location
    assert location.endswith(f"#claim-{claim['id']}")
    assert "submitted" not in location
    client.cookies.set("lang", "zh")
    told = client.get(location).text
    assert "本年度的申领已由主管部门的项目官员提出，尚未提交：本次申请未提交任何内容。" in told
    assert f'<a href="#claim-{claim["id"]}" class="pointed-claim">查看该申领</a>' in told
    assert "申领已提交" not in told
    client.cookies.set("lang", "en")
    told = client.get(location).text
    assert "A programme officer already raised this year&#39;s claim for your agency" in told
    assert "See the claim" in told
    ((status, claim_id),) = [(c["status"], c["id"]) for c in client.get("/api/my/claims", headers=hx).json()]
    assert (status, claim_id) == ("raised", claim["id"])  # nothing was submitted behind the agency's back
    # The agency submits the officer's claim from that page; applying again then truly says "submitted".
    submitted = client.post(f"/api/claims/{claim['id']}/submit", headers=hx, json={"payee_account": "3500 0001"})
    assert submitted.status_code == 200, submitted.text
    client.cookies.set("lang", "zh")
    again = m.form(f"/programmes/{programme_id}/agency-subsidy", page,
                   {"year": str(year), "payee_account": "3500 0001"})
    assert "done=submitted" in again.headers["location"]
    assert "申领已提交，等待主管部门审核。" in client.get(again.headers["location"]).text
    # A hostile claim id in the address names no claim: no link is made of it.
    assert "pointed-claim" not in client.get("/my/claims?done=officer_raised&claim=%22%3E%3Cscript%3E").text


def test_a_programme_officers_reads_of_an_agencys_basis_are_recorded(market: Market) -> None:  # noqa: F811
    """The basis names the payments of other parties' contracts the agency brokered: an officer's read of it, on
    the page or in the API, is recorded like an auditor's read of a confidential record; the agency's own is not."""
    m, client = market, market.client
    agencies(m)
    programme_id = open_programme(m)  # logs the officer in
    year = m.clock.now().astimezone(BEIJING).year
    brokered_sale(m, "fafu", "tea", 1_000_000, "hx")
    m.services.make_runner().catch_up()
    hx_org = str(m.ids["hx_org"])

    def reads() -> list[tuple[Any, ...]]:
        with psycopg.connect(m.services.address.conninfo()) as conn:
            return conn.execute("SELECT reader_id::text, aggregate_type, page FROM audit_reads"
                                " WHERE aggregate_id = %s ORDER BY position", (hx_org,)).fetchall()

    page = client.get(f"/programmes/{programme_id}/agency-subsidy?year={year}&agency_id={hx_org}")
    assert fen(page.text, "claimable") == 20_000 * YUAN
    officer = str(m.ids["officer"])
    assert reads() == [(officer, "Organisation",
                        f"GET /programmes/{programme_id}/agency-subsidy?year={year}&agency_id={hx_org}")]
    token = api_token(client, "officer@example.test", PASSWORD)
    api = client.get(f"/api/programmes/{programme_id}/agency-subsidy",
                     params={"year": year, "agency_id": hx_org}, headers=token)
    assert api.status_code == 200, api.text
    assert [r[2].split("?")[0] for r in reads()] == [f"GET /programmes/{programme_id}/agency-subsidy",
                                                     f"GET /api/programmes/{programme_id}/agency-subsidy"]
    hx = api_token(client, "hx@example.test", PASSWORD)
    assert client.get(f"/api/programmes/{programme_id}/agency-subsidy", params={"year": year},
                      headers=hx).status_code == 200
    client.cookies.clear()
    login(client, "hx@example.test", PASSWORD)
    assert client.get(f"/programmes/{programme_id}/agency-subsidy?year={year}").status_code == 200
    assert len(reads()) == 2  # the agency reading its own figures is no outsider's read
