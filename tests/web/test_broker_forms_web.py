"""The brokers' forms over HTTP (issue 14, the parts that were JSON only): the platform admin accredits, renews and
revokes brokers on the register's pages and finds expiring ones on its to-do; a broker whose mandate lets it act
answers the seller's offers from its to-do and the offer's page. And the refusals, in words on the page: not an
admin, another organisation's listing, an expired or revoked accreditation, a broker whose mandate does not let
it act."""

from __future__ import annotations

import re
from datetime import timedelta

from litestar import Litestar
from litestar.testing import TestClient

from marketplace.platform.clock import ManualClock
from tests.web.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, post_form, sign_up_verified
from tests.web.test_api import Member, _member, listed
from tests.web.test_brokers_web import AGENCY, BROKER_EMAIL, as_user
from tests.web.test_deals_journey import clock, manual_client, ok, parties, services_of  # noqa: F401

UNIVERSITY = "tto@fzu.example.cn"
ENTERPRISE = "buyer@cells.example.cn"


def agency_member(client: TestClient[Litestar]) -> Member:
    sign_up_verified(client, services_of(client), BROKER_EMAIL, AGENCY, kind="transfer_agency")
    return _member(client, BROKER_EMAIL, "secret-password-1")


def broker_id_of(page: str) -> str:
    found = re.search(r'href="/brokers/([0-9a-f-]{36})"', page)
    assert found, "no broker on the register"
    return found.group(1)


def test_the_admin_accredits_renews_and_revokes_on_the_register_and_others_are_refused_in_words(
    manual_client: TestClient[Litestar], clock: ManualClock,  # noqa: F811 - the fixtures of test_deals_journey
) -> None:
    client = manual_client
    p = parties(client)
    broker = agency_member(client)

    # Anyone but a platform admin: no form, and a posted one is refused in words, nothing recorded.
    as_user(client, BROKER_EMAIL)
    assert 'id="accredit-broker"' not in client.get("/brokers").text
    refused = post_form(client, "/brokers", {"user_id": broker.user_id, "credential_number": "闽技经-0001",
                                              "expires_on": "2027-03-01"}, form_page="/brokers")
    assert refused.status_code == 403
    assert "此操作需要以下角色：平台管理员" in refused.text
    assert ok(client.get("/api/brokers")) == []

    # The admin's form lists the agency's member; a past expiry is refused and the form keeps what was typed.
    as_user(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    register = client.get("/brokers").text
    assert 'id="accredit-broker"' in register
    assert f'<option value="{broker.user_id}">jjr · {AGENCY}</option>' in register
    past = post_form(client, "/brokers", {"user_id": broker.user_id, "credential_number": "闽技经-0001",
                                          "expires_on": "2026-03-02"}, form_page="/brokers")
    assert past.status_code == 400
    assert "资格有效期须晚于今天（2026-03-02）" in past.text
    assert 'value="闽技经-0001"' in past.text
    # A member of an enterprise is no broker.
    not_agency = post_form(client, "/brokers", {"user_id": p.enterprise.user_id, "credential_number": "X-1",
                                                "expires_on": "2027-03-01"}, form_page="/brokers")
    assert not_agency.status_code == 403
    assert "只有技术转移机构的成员可以登记为技术经纪人" in not_agency.text

    # Hostile text is refused, not recorded.
    for hostile in ("闽技经\u202e-0001", "闽技经\x07-0001"):
        bad = post_form(client, "/brokers", {"user_id": broker.user_id, "credential_number": hostile,
                                             "expires_on": "2027-03-01"}, form_page="/brokers")
        assert bad.status_code == 400, hostile
        assert 'role="alert"' in bad.text
    assert ok(client.get("/api/brokers")) == []

    # Accredited for 20 days: on the admin's to-do as expiring, with its day.
    done = post_form(client, "/brokers", {"user_id": broker.user_id, "credential_number": "闽技经-0001",
                                          "expires_on": "2026-03-22"}, form_page="/brokers")
    assert done.status_code == 303, done.text
    twice = post_form(client, "/brokers", {"user_id": broker.user_id, "credential_number": "闽技经-0001",
                                           "expires_on": "2026-03-22"}, form_page="/brokers")
    assert (twice.status_code, twice.headers["location"]) == (303, done.headers["location"])  # one accreditation
    profile_url = done.headers["location"]
    broker_id = profile_url.split("/")[2].split("?")[0]
    profile = client.get(profile_url).text
    assert "已登记为技术经纪人。" in profile
    assert '<dd id="broker-status">有效</dd>' in profile
    assert 'id="renew-broker"' in profile
    assert 'id="revoke-broker"' in profile
    assert f'<option value="{broker.user_id}"' not in client.get("/brokers").text  # accredited: no longer offered
    again = post_form(client, "/brokers", {"user_id": broker.user_id, "credential_number": "闽技经-0002",
                                           "expires_on": "2027-03-01"}, form_page="/brokers")
    assert again.status_code == 409
    assert "该用户已登记为技术经纪人，请改为续期" in again.text
    todo = client.get("/todo").text
    assert "即将到期的技术经纪人资格" in todo
    assert f'href="/brokers/{broker_id}#broker-admin"' in todo
    assert "2026-03-22" in todo

    # Renewed for a year: off the to-do.
    renewed = post_form(client, f"/brokers/{broker_id}/renew", {"expires_on": "2027-03-01"}, form_page="/brokers")
    assert renewed.status_code == 303, renewed.text
    assert "资格已续期。" in client.get(renewed.headers["location"]).text
    renewed_twice = post_form(client, f"/brokers/{broker_id}/renew", {"expires_on": "2027-03-01"},
                              form_page="/brokers")
    assert renewed_twice.status_code == 303  # the second click: renewed as asked already
    shorter = post_form(client, f"/brokers/{broker_id}/renew", {"expires_on": "2027-02-01"}, form_page="/brokers")
    assert shorter.status_code == 400
    assert "须晚于当前有效期（2027-03-01）和今天（2026-03-02）" in shorter.text
    assert "即将到期的技术经纪人资格" not in client.get("/todo").text
    assert ok(client.get(f"/api/brokers/{broker_id}/performance"))["rows"] == []

    # The broker cannot revoke itself; the admin must give a reason; then it is revoked and final.
    as_user(client, BROKER_EMAIL)
    assert 'id="revoke-broker"' not in client.get(f"/brokers/{broker_id}").text
    itself = post_form(client, f"/brokers/{broker_id}/revoke", {"reason": "自行撤销"}, form_page="/brokers")
    assert itself.status_code == 403
    assert "此操作需要以下角色：平台管理员" in itself.text
    as_user(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    no_reason = post_form(client, f"/brokers/{broker_id}/revoke", {"reason": " "}, form_page="/brokers")
    assert no_reason.status_code == 400
    revoked = post_form(client, f"/brokers/{broker_id}/revoke", {"reason": "证书被发证机关注销"},
                        form_page="/brokers")
    assert revoked.status_code == 303, revoked.text
    revoked_twice = post_form(client, f"/brokers/{broker_id}/revoke", {"reason": "证书被发证机关注销"},
                              form_page="/brokers")
    assert revoked_twice.status_code == 303  # the second click
    shown = client.get(revoked.headers["location"]).text
    assert "资格已撤销。" in shown
    assert '<dd id="broker-status">已撤销</dd>' in shown
    assert "证书被发证机关注销" in shown
    assert 'id="renew-broker"' not in shown
    late = post_form(client, f"/brokers/{broker_id}/renew", {"expires_on": "2028-03-01"}, form_page="/brokers")
    assert late.status_code == 409
    assert "该技术经纪人资格已被撤销" in late.text
    [row] = ok(client.get("/api/brokers"))
    assert (row["credential_number"], row["expires_on"], row["revoked_on"]) == ("闽技经-0001", "2027-03-01",
                                                                               "2026-03-02")


def test_a_broker_whose_mandate_lets_it_act_answers_the_sellers_offer_and_others_are_refused(
    manual_client: TestClient[Litestar], clock: ManualClock,  # noqa: F811 - the fixtures of test_deals_journey
) -> None:
    client = manual_client
    p = parties(client)
    broker = agency_member(client)
    ok(client.post("/api/brokers", headers=p.admin.headers, json={
        "user_id": broker.user_id, "credential_number": "FJ-JJR-001", "expires_on": "2026-03-20"}), 201)
    acting = listed(client, p.university, 41, price_mode="negotiable", asking_price=None)
    watching = listed(client, p.university, 42, price_mode="negotiable", asking_price=None)

    # Another organisation's listing: the enterprise's admin cannot mandate for the university, in words.
    as_user(client, ENTERPRISE)
    foreign = post_form(client, f"/listings/{acting}/mandates",
                        {"agency_id": broker.organisation_id, "commission": "3", "ends_on": "2026-12-31"},
                        form_page=f"/listings/{acting}/brokerage")
    assert foreign.status_code == 403
    assert "只有卖方机构的管理员可以委托经纪机构" in foreign.text
    assert ok(client.get(f"/api/listings/{acting}/mandates")) == []

    # The university mandates the agency on both: on one its brokers may act for it, on the other not.
    as_user(client, UNIVERSITY)
    for listing, may_act, ends_on in ((acting, "yes", "2026-12-31"), (watching, "", "2026-03-16")):
        given = post_form(client, f"/listings/{listing}/mandates",
                          {"agency_id": broker.organisation_id, "commission": "2.5", "ends_on": ends_on,
                           "may_act": may_act}, form_page=f"/listings/{listing}/brokerage")
        assert given.status_code == 303, given.text
    assert [m["may_act"] for m in ok(client.get(f"/api/listings/{acting}/mandates"))] == [True]
    # The one ending within 14 days is on the university admin's to-do, linked to the listing's mandates.
    todo = client.get("/todo").text
    assert "即将期满的经纪委托" in todo
    assert f'href="/listings/{watching}/brokerage"' in todo
    assert f'href="/listings/{acting}/brokerage"' not in todo
    assert "2026-03-16" in todo

    # The enterprise offers on both through the agency.
    offers = {}
    for listing in (acting, watching):
        offers[listing] = ok(client.post(f"/api/listings/{listing}/offers", headers=p.enterprise.headers, json={
            "kind": "assignment", "price": 40_000_000, "valid_days": 14,
            "broker_organisation_id": broker.organisation_id, "broker_commission": 2.5}), 201)["id"]

    # The broker finds the one it may answer on its to-do, and answers it there for the university.
    as_user(client, BROKER_EMAIL)
    todo = client.get("/todo").text
    assert "代委托方答复的报价" in todo
    assert f'href="/offers/{offers[acting]}"' in todo
    assert f'href="/offers/{offers[watching]}"' not in todo
    page = client.get(f"/offers/{offers[acting]}").text
    assert 'id="acting-for-seller"' in page
    assert "福州大学" in page
    assert f'action="/offers/{offers[acting]}/counter"' in page
    countered = post_form(client, f"/offers/{offers[acting]}/counter",
                          {"kind": "assignment", "price": "450000", "valid_days": "10"},
                          form_page=f"/offers/{offers[acting]}")
    assert countered.status_code == 303, countered.text
    offer = ok(client.get(f"/api/offers/{offers[acting]}", headers=p.enterprise.headers))["offer"]
    assert (offer["awaiting"], offer["price_amount"], offer["rounds"]) == ("buyer", 45_000_000, 2)
    assert "代委托方答复的报价" not in client.get("/todo").text  # the buyer's turn now

    # Where the mandate does not let it act, the broker reads the offer but may not answer it.
    page = client.get(f"/offers/{offers[watching]}").text
    assert 'id="acting-for-seller"' not in page
    assert f'action="/offers/{offers[watching]}/accept"' not in page
    refused = post_form(client, f"/offers/{offers[watching]}/accept", {}, form_page=f"/offers/{offers[watching]}")
    assert refused.status_code == 403
    assert "只有买方或卖方可以答复此报价" in refused.text
    assert ok(client.get(f"/api/offers/{offers[watching]}", headers=p.enterprise.headers))["offer"]["status"] == "open"

    # Once its accreditation has expired, the broker neither answers for the seller nor introduces buyers.
    ok(client.post(f"/api/offers/{offers[acting]}/counter", headers=p.enterprise.headers,
                   json={"kind": "assignment", "price": 42_000_000, "valid_days": 30}))
    clock.set(clock.now() + timedelta(days=20))  # 22 March 2026: the accreditation ran to 20 March
    assert "代委托方答复的报价" not in client.get("/todo").text
    assert 'id="acting-for-seller"' not in client.get(f"/offers/{offers[acting]}").text
    expired = post_form(client, f"/offers/{offers[acting]}/accept", {}, form_page=f"/offers/{offers[acting]}")
    assert expired.status_code == 403
    assert "只有买方或卖方可以答复此报价" in expired.text
    introduced = post_form(client, f"/listings/{acting}/introductions",
                           {"buyer_organisation_id": p.enterprise.organisation_id},
                           form_page=f"/listings/{acting}/brokerage")
    assert introduced.status_code == 403
    assert "该技术经纪人资格已于 2026-03-20 到期" in introduced.text
    assert ok(client.get("/api/introductions", headers=broker.headers)) == []
