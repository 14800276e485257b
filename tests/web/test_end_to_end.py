"""The whole journey of a university member, through the HTML forms as a browser submits them."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import TestClient

from domain.catalogue.patent_numbers import cn_check_character
from tests.web.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, login, post_form


def test_sign_up_verify_register_publish_and_find_by_chinese_term(client: TestClient[Litestar]) -> None:
    # A university's technology-transfer officer signs up.
    response = post_form(client, "/signup", {
        "email": "wang@fzu.example.cn", "password": "fzu-secret-2024", "display_name": "王老师",
        "organisation_name": "福州大学", "organisation_kind": "university", "region": "福州",
    }, form_page="/signup")
    assert response.status_code == 303
    assert "尚待平台审核" in client.get("/my").text

    # The platform admin verifies the new organisation.
    client.cookies.clear()
    login(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    pending = client.get("/admin/organisations")
    assert "福州大学" in pending.text
    org_id = pending.text.split("/admin/organisations/")[1].split("/verify")[0]
    assert post_form(client, f"/admin/organisations/{org_id}/verify", {}, form_page="/admin/organisations"
                     ).status_code == 303
    assert "福州大学" not in client.get("/admin/organisations").text

    # The officer logs in and registers a patent.
    client.cookies.clear()
    login(client, "wang@fzu.example.cn", "fzu-secret-2024")
    number = "202110624021"
    response = post_form(client, "/patents/new", {
        "jurisdiction": "CN", "application_number": f"{number}.{cn_check_character(number)}",
        "publication_number": "CN113345678A", "patent_type": "invention",
        "title_zh": "一种高安全性固态锂电池电解质及其制备方法", "title_en": "Solid-state lithium battery electrolyte",
        "ipc_codes": "H01M 10/0562", "filing_date": "2021-06-04", "legal_status": "pending",
        "owner_0": org_id, "owner_share_0": "100", "inventors": "陈明 60\n林华 40",
    }, form_page="/patents/new")
    assert response.status_code == 303, response.text
    patent_page = client.get(response.headers["location"])
    assert "2041-06-04" in patent_page.text  # expiry derived: invention, 20 years from filing

    # Draft and publish a listing.
    patent_id = response.headers["location"].rsplit("/", 1)[1]
    response = post_form(client, "/listings/new", {
        "patent_id": patent_id, "deal_types": ["assignment", "exclusive_licence"], "price_mode": "fixed",
        "asking_price": "1200000", "maturity": "pilot", "keywords": "固态电池, 电解质",
        "advantages": "室温离子电导率高", "applications": "动力电池、储能",
    }, form_page="/listings/new")
    assert response.status_code == 303, response.text
    listing_path = response.headers["location"]
    assert "草稿" in client.get(listing_path).text
    assert post_form(client, f"{listing_path}/publish", {}, form_page=listing_path).status_code == 303

    # Anyone finds it with a Chinese search term, on the page and in the API.
    client.cookies.clear()
    results = client.get("/listings", params={"q": "电池"})
    assert "一种高安全性固态锂电池电解质及其制备方法" in results.text
    api = client.get("/api/listings", params={"q": "电池"}).json()
    assert api["total"] == 1
    assert api["items"][0]["title"] == "一种高安全性固态锂电池电解质及其制备方法"
    assert api["items"][0]["asking_price"] == 120_000_000
    assert set(api["items"][0]["deal_types"]) == {"assignment", "exclusive_licence"}
    detail = client.get(listing_path)
    assert "120 万元" in detail.text
    assert "陈明" in detail.text
