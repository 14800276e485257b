"""Who may hold a patent's registration, over HTTP (issue 9): a co-owner confirms from /my before the
patent can be listed; the true owner's claim, upheld by the platform admin, frees the number."""

from __future__ import annotations

import re

from litestar import Litestar
from litestar.testing import TestClient

from marketplace.platform.services import Services
from tests.web.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, login, post_form
from tests.web.test_api import draft, patent_body, position, publish, register, search, verified_member

PASSWORD = "secret-password-1"


def test_a_co_owned_patent_is_listed_only_once_the_co_owner_confirms_on_its_page(
    client: TestClient[Litestar], services: Services
) -> None:
    university = verified_member(client, services, "tto@fzu.example.cn", "福州大学")
    institute = verified_member(client, services, "ip@fjirsm.example.cn", "中国科学院福建物质结构研究所")
    owners = [{"organisation_id": university.organisation_id, "share": 60},
              {"organisation_id": institute.organisation_id, "share": 40}]
    patent_id = register(client, university, 61, owners=owners)

    before = position(services)
    refused = client.post("/api/listings", headers=university.headers, json={
        "patent_id": patent_id, "deal_types": ["assignment"], "price_mode": "negotiable", "maturity": "pilot"})
    assert refused.status_code == 409
    assert "until its co-owners confirm" in refused.json()["detail"]
    assert position(services) == before
    assert client.get(f"/api/patents/{patent_id}").json()["patent"]["unconfirmed_owner_ids"] == [
        institute.organisation_id]
    assert 'id="registration-awaiting"' in client.get(f"/patents/{patent_id}").text
    awaiting = client.get("/api/co-ownerships", headers=institute.headers).json()["items"]
    assert [item["patent_id"] for item in awaiting] == [patent_id]

    # The institute's org admin sees the registration on /my, in Chinese and in English, and confirms it.
    login(client, "ip@fjirsm.example.cn", PASSWORD)
    page = client.get("/my")
    assert "待确认的共有专利" in page.text
    assert f'action="/my/co-ownership/{patent_id}/confirm"' in page.text
    assert f'action="/my/co-ownership/{patent_id}/decline"' in page.text
    assert "Co-ownership to confirm" in client.get("/my", params={"lang": "en"}).text
    confirmed = post_form(client, f"/my/co-ownership/{patent_id}/confirm", {}, form_page="/my")
    assert (confirmed.status_code, confirmed.headers["location"]) == (303, "/my")
    assert "待确认的共有专利" not in client.get("/my").text
    assert client.get(f"/api/patents/{patent_id}").json()["patent"]["unconfirmed_owner_ids"] == []

    publish(client, university, draft(client, university, patent_id))
    assert search(client)["total"] == 1


def test_an_upheld_claim_frees_the_number_for_the_true_owner(client: TestClient[Litestar], services: Services) -> None:
    squatter = verified_member(client, services, "bd@squat.example.cn", "抢注科技有限公司")
    owner = verified_member(client, services, "tto@xmu.example.cn", "厦门大学")
    patent_id = register(client, squatter, 62)
    publish(client, squatter, draft(client, squatter, patent_id))
    number_taken = client.post("/api/patents", json=patent_body(owner.organisation_id, 62), headers=owner.headers)
    assert number_taken.status_code == 409

    # The true owner files its claim from the patent page.
    login(client, "tto@xmu.example.cn", PASSWORD)
    page = client.get(f"/patents/{patent_id}")
    assert 'id="claim-form"' in page.text
    filed = post_form(client, f"/patents/{patent_id}/claims",
                      {"evidence": "专利登记簿副本：专利权人为厦门大学", "reference": "CNIPA-2026-0042"},
                      form_page=f"/patents/{patent_id}")
    assert filed.status_code == 303
    claims = client.get("/api/claims", headers=owner.headers).json()
    assert [(c["status"], c["claimant_name"]) for c in claims["items"]] == [("filed", "厦门大学")]
    assert client.get("/api/claims", headers=squatter.headers).json()["total"] == 0

    # Only the platform admin decides; its queue shows the claim and its evidence.
    refused = client.post(f"/api/claims/{claims['items'][0]['id']}/decision", headers=owner.headers,
                          json={"upheld": True})
    assert refused.status_code == 403
    login(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    queue = client.get("/admin/claims")
    assert "专利登记簿副本：专利权人为厦门大学" in queue.text
    decided = post_form(client, f"/admin/claims/{claims['items'][0]['id']}/decide",
                        {"decision": "uphold", "reason": "登记簿为证"}, form_page="/admin/claims")
    assert decided.status_code == 303

    record = client.get(f"/api/patents/{patent_id}").json()
    assert (record["patent"]["registration_status"], record["patent"]["owners"]) == ("withdrawn", [])
    assert search(client)["total"] == 0  # the squatter's listing is withdrawn with the registration
    assert "登记已撤销" in client.get(f"/patents/{patent_id}").text

    registered = client.post("/api/patents", json=patent_body(owner.organisation_id, 62), headers=owner.headers)
    assert registered.status_code == 201, registered.text
    assert registered.json()["id"] == patent_id
    record = client.get(f"/api/patents/{patent_id}").json()
    assert record["patent"]["registration_status"] == "active"
    assert [o["name"] for o in record["patent"]["owners"]] == ["厦门大学"]
    assert [h["reason"] for h in record["status_history"]][-1] == "reregistered"
    publish(client, owner, draft(client, owner, patent_id))
    assert search(client)["total"] == 1


def test_the_registrant_withdraws_its_own_registration(client: TestClient[Litestar], services: Services) -> None:
    university = verified_member(client, services, "tto@fzu.example.cn", "福州大学")
    rival = verified_member(client, services, "bd@rival.example.cn", "泉州新材料有限公司")
    patent_id = register(client, university, 63)
    before = position(services)
    foreign = client.post(f"/api/patents/{patent_id}/registration/withdraw", headers=rival.headers,
                          json={"reason": "not theirs"})
    assert foreign.status_code == 403
    assert position(services) == before
    done = client.post(f"/api/patents/{patent_id}/registration/withdraw", headers=university.headers,
                       json={"reason": "申请号录入错误"})
    assert done.status_code == 200, done.text
    assert client.get(f"/api/patents/{patent_id}").json()["patent"]["registration_status"] == "withdrawn"
    assert re.search(r"Registration withdrawn: 申请号录入错误",
                     client.get(f"/patents/{patent_id}", params={"lang": "en"}).text)
