"""Hostile text at the web edge: refused with a 400 naming the field, and nothing is recorded.

One NUL byte in a sign-up's region or a patent's title used to be accepted; PostgreSQL text cannot
hold it, so the read models stopped at that event for good.
"""

from __future__ import annotations

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from marketplace.platform.services import Services
from tests.web.conftest import login, post_form
from tests.web.test_api import Member, app_number, patent_body, position, verified_member


def signup_body(**overrides: str) -> dict[str, str]:
    return {"email": "chen@fzu.example.cn", "password": "secret-password-1", "display_name": "陈",
            "organisation_name": "福州大学", "organisation_kind": "university", "region": "福建", **overrides}


@pytest.fixture
def member(client: TestClient[Litestar], services: Services) -> Member:
    return verified_member(client, services, "wang@xmu.example.cn", "厦门大学")


@pytest.mark.parametrize(("field", "value"), [
    ("region", "福建\x00"),
    ("region", "福建\u202e"),
    ("display_name", "陈\u200b明"),
    ("organisation_name", "福州\x07大学"),
    ("email", "chen@fzu.example.cn\ufeff"),
    ("display_name", "陈\n明"),  # one line only
])
def test_signup_with_hostile_text_is_a_400_naming_the_field_and_records_nothing(
    client: TestClient[Litestar], services: Services, field: str, value: str
) -> None:
    before = position(services)
    response = client.post("/api/signup", json=signup_body(**{field: value}))
    assert response.status_code == 400, response.text
    assert response.json()["field"] == field
    assert position(services) == before


def test_signup_form_with_a_nul_in_the_region_shows_the_form_error_and_records_nothing(
    client: TestClient[Litestar], services: Services
) -> None:
    before = position(services)
    response = post_form(client, "/signup", signup_body(region="福建\x00"), form_page="/signup")
    assert response.status_code == 400, response.text
    assert "所在地区：第 3 个字符（U+0000）是控制字符，请删除" in response.text
    assert position(services) == before


@pytest.mark.parametrize(("field", "value", "named"), [
    ("title_zh", "一种电池\x00", "title_zh"),
    ("title_en", "Battery \u2066evil\u2069", "title_en"),
    ("abstract_zh", "摘要\x1b[31m", "abstract_zh"),
    ("inventors", [{"name": "陈\u200d明", "share": 100}], "inventors.0.name"),
    ("ipc_codes", ["H01M 10/0562", "H01M\x00"], "ipc_codes.1"),
])
def test_patent_with_hostile_text_is_a_400_naming_the_field_and_records_nothing(
    client: TestClient[Litestar], services: Services, member: Member, field: str, value: object, named: str
) -> None:
    before = position(services)
    response = client.post("/api/patents", json=patent_body(member.organisation_id, 1, **{field: value}),
                           headers=member.headers)
    assert response.status_code == 400, response.text
    assert response.json()["field"] == named
    assert position(services) == before


def test_multi_line_text_keeps_its_lines_and_is_recorded_in_nfc(
    client: TestClient[Litestar], services: Services, member: Member
) -> None:
    abstract = "第一行\r\n\t第二行 cafe\u0301"  # a browser's CRLF; e + combining acute accent
    response = client.post("/api/patents", json=patent_body(member.organisation_id, 2, abstract_zh=abstract,
                                                            title_en="Cafe\u0301 battery"),
                           headers=member.headers)
    assert response.status_code == 201, response.text
    patent = client.get(f"/api/patents/{response.json()['id']}").json()["patent"]
    assert patent["abstract_zh"] == "第一行\n\t第二行 caf\u00e9"
    assert patent["title_en"] == "Caf\u00e9 battery"


def test_a_reason_in_the_query_string_is_checked_too(
    client: TestClient[Litestar], services: Services, member: Member
) -> None:
    patent = client.post("/api/patents", json=patent_body(member.organisation_id, 3), headers=member.headers)
    listing = client.post("/api/listings", headers=member.headers, json={
        "patent_id": patent.json()["id"], "deal_types": ["assignment"], "price_mode": "negotiable",
        "maturity": "pilot"})
    assert listing.status_code == 201, listing.text
    before = position(services)
    response = client.post(f"/api/listings/{listing.json()['id']}/withdraw", params={"reason": "sold\x00"},
                           headers=member.headers)
    assert response.status_code == 400, response.text
    assert response.json()["field"] == "reason"
    assert position(services) == before


def test_the_patent_form_refuses_a_hidden_character_and_keeps_a_textarea_s_lines(
    client: TestClient[Litestar], services: Services, member: Member
) -> None:
    login(client, "wang@xmu.example.cn", "secret-password-1")
    fields = {"application_number": app_number(4), "patent_type": "invention", "title_zh": "一种电池\u202e",
              "abstract_zh": "第一段\r\n第二段", "ipc_codes": "H01M 10/0562", "legal_status": "granted",
              "owner_0": member.organisation_id, "owner_share_0": "100"}
    before = position(services)
    refused = post_form(client, "/patents/new", fields, form_page="/patents/new")
    assert refused.status_code == 400, refused.text
    assert "中文标题：第 5 个字符（U+202E）是双向文字控制符" in refused.text
    assert position(services) == before

    registered = post_form(client, "/patents/new", fields | {"title_zh": "一种电池"}, form_page="/patents/new")
    assert registered.status_code == 303, registered.text
    patent_id = registered.headers["location"].rsplit("/", 1)[-1]
    assert client.get(f"/api/patents/{patent_id}").json()["patent"]["abstract_zh"] == "第一段\n第二段"
