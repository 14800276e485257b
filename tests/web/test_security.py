"""Pages and forms: CSRF, login redirects, organisation boundaries, sessions, language, password storage."""

from __future__ import annotations

import dataclasses
import html
import logging
import re
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import msgspec
import psycopg
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from domain.catalogue.patent_numbers import cn_check_character
from marketplace.platform.services import Services
from projections.catalogue.queries import CatalogueQueries
from tests.web.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, api_token, csrf_token, login, post_form, sign_up_verified
from web.app import create_app

PASSWORD = "secret-password-1"
TITLE = "一种高安全性固态锂电池电解质及其制备方法"


@pytest.fixture
def client(web_app: Litestar) -> Iterator[TestClient[Litestar]]:
    """As a browser sees the server: an error inside the app is a 500 response, not an exception in the test."""
    with TestClient(web_app, raise_server_exceptions=False) as test_client:
        yield test_client


def assert_local(location: str) -> None:
    """A redirect target on this site: a path, which no browser reads as another host."""
    assert location.startswith("/"), location
    assert not re.match(r"^/[/\\\t\n\r]", location), location
    assert urlsplit(location).netloc == "", location


def position(services: Services) -> int:
    return services.app.recorder.max_notification_id() or 0


def organisation_of(client: TestClient[Litestar], email: str, password: str = PASSWORD) -> str:
    token = client.post("/api/auth/token", json={"email": email, "password": password})
    assert token.status_code == 201, token.text
    return str(token.json()["organisation_id"])


def register_and_draft(client: TestClient[Litestar], headers: dict[str, str], organisation_id: str,
                       serial: int = 1) -> tuple[str, str]:
    """Register a patent of the organisation and draft a listing of it over the API: (patent id, listing id)."""
    digits = f"20211{serial:07d}"
    patent = client.post("/api/patents", headers=headers, json={
        "application_number": f"{digits}.{cn_check_character(digits)}", "patent_type": "invention",
        "title_zh": TITLE, "ipc_codes": ["H01M 10/0562"], "filing_date": "2021-06-04",
        "owners": [{"organisation_id": organisation_id, "share": 100}]})
    assert patent.status_code == 201, patent.text
    patent_id = str(patent.json()["id"])
    listing = client.post("/api/listings", headers=headers, json={
        "patent_id": patent_id, "deal_types": ["assignment"], "price_mode": "fixed", "asking_price": 88_000_00,
        "maturity": "pilot", "advantages": "机密的技术优势说明"})
    assert listing.status_code == 201, listing.text
    return patent_id, str(listing.json()["id"])


def listing_form(**overrides: Any) -> dict[str, Any]:
    return {"deal_types": ["assignment"], "price_mode": "fixed", "asking_price": "1", "maturity": "concept",
            "advantages": "改写", **overrides}


@pytest.fixture
def university_a(client: TestClient[Litestar], services: Services) -> dict[str, str]:
    headers = sign_up_verified(client, services, "wang@fzu.example.cn", "福州大学")
    return headers | {"organisation_id": organisation_of(client, "wang@fzu.example.cn")}


def bearer(member: dict[str, str]) -> dict[str, str]:
    return {"Authorization": member["Authorization"]}


# --- CSRF -----------------------------------------------------------------------------------
def test_form_post_without_csrf_token_is_refused_and_records_nothing(
    client: TestClient[Litestar], services: Services, university_a: dict[str, str]
) -> None:
    digits = "202110000001"
    registered = client.post("/api/patents", headers=bearer(university_a), json={
        "application_number": f"{digits}.{cn_check_character(digits)}", "patent_type": "invention",
        "title_zh": TITLE, "owners": [{"organisation_id": university_a["organisation_id"], "share": 100}]})
    assert registered.status_code == 201
    login(client, "wang@fzu.example.cn", PASSWORD)
    before = position(services)

    for token in ({}, {"_csrf_token": "forged-token-value"}):
        response = client.post("/listings/new", data={"patent_id": registered.json()["id"], **listing_form(), **token},
                               follow_redirects=False)
        assert response.status_code == 403, response.text
        assert "CSRF" in response.text
    assert position(services) == before
    assert client.get(f"/api/patents/{registered.json()['id']}").json()["patent"]["active_listing_id"] is None

    # The same form with the page's token goes through.
    accepted = post_form(client, "/listings/new", {"patent_id": registered.json()["id"], **listing_form()},
                         form_page="/listings/new")
    assert accepted.status_code == 303, accepted.text


def test_login_without_csrf_token_is_refused(client: TestClient[Litestar], university_a: dict[str, str]) -> None:
    client.cookies.clear()
    client.get("/login")  # a browser that loaded the page but an attacker's form lacks the token
    response = client.post("/login", data={"email": "wang@fzu.example.cn", "password": PASSWORD},
                           follow_redirects=False)
    assert response.status_code == 403
    assert client.get("/my", follow_redirects=False).status_code == 303  # still logged out


def test_logout_needs_the_csrf_token(client: TestClient[Litestar], university_a: dict[str, str]) -> None:
    login(client, "wang@fzu.example.cn", PASSWORD)
    assert client.post("/logout", follow_redirects=False).status_code == 403
    assert client.get("/my", follow_redirects=False).status_code == 200
    assert post_form(client, "/logout", {}, form_page="/my").status_code == 303
    assert client.get("/my", follow_redirects=False).status_code == 303


# --- login required -----------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/my", "/patents/new", "/listings/new"])
def test_logged_out_member_pages_redirect_to_login(client: TestClient[Litestar], path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next={path}"
    assert f'name="next" value="{path}"' in client.get(response.headers["location"]).text


def test_login_returns_to_next_but_never_off_site(client: TestClient[Litestar], university_a: dict[str, str]) -> None:
    client.cookies.clear()
    response = post_form(client, "/login", {"email": "wang@fzu.example.cn", "password": PASSWORD,
                                            "next": "/patents/new"})
    assert (response.status_code, response.headers["location"]) == (303, "/patents/new")
    for target in ("//evil.example", "https://evil.example/", "evil.example"):
        client.cookies.clear()
        response = post_form(client, "/login", {"email": "wang@fzu.example.cn", "password": PASSWORD,
                                                "next": target})
        assert response.status_code == 303
        assert response.headers["location"] == "/todo", target
    client.cookies.clear()
    tricky = post_form(client, "/login", {"email": "wang@fzu.example.cn", "password": PASSWORD,
                                          "next": "/\\evil.example"})
    assert tricky.status_code == 303
    assert_local(tricky.headers["location"])


# --- organisation boundaries ----------------------------------------------------------------
def test_another_organisation_cannot_see_edit_or_publish_a_draft(
    client: TestClient[Litestar], services: Services, university_a: dict[str, str]
) -> None:
    _, listing_id = register_and_draft(client, bearer(university_a), university_a["organisation_id"])
    b_headers = sign_up_verified(client, services, "li@xmu.example.cn", "厦门大学")
    login(client, "li@xmu.example.cn", PASSWORD)
    before = position(services)

    assert client.get(f"/listings/{listing_id}").status_code == 404
    assert client.get(f"/listings/{listing_id}/edit").status_code == 404
    assert "机密的技术优势说明" not in client.get(f"/listings/{listing_id}").text

    edit = post_form(client, f"/listings/{listing_id}/edit", listing_form(expected_version="1"),
                     form_page="/listings/new")
    assert edit.status_code == 403
    assert "挂牌：只有挂牌机构可以修改该挂牌" in edit.text
    assert "机密的技术优势说明" not in edit.text

    publish = post_form(client, f"/listings/{listing_id}/publish", {}, form_page="/listings/new")
    assert publish.status_code == 403
    assert "挂牌：只有挂牌机构可以修改该挂牌" in publish.text
    withdraw = post_form(client, f"/listings/{listing_id}/withdraw", {"reason": "恶意"}, form_page="/listings/new")
    assert withdraw.status_code == 403
    assert position(services) == before

    # Over the API: the draft is hidden from B and from the public, shown to A.
    assert client.get(f"/api/listings/{listing_id}", headers=b_headers).status_code == 404
    anonymous = client.get(f"/api/listings/{listing_id}", headers={})
    assert anonymous.status_code == 404
    assert "no listing with id" in anonymous.json()["detail"]
    own = client.get(f"/api/listings/{listing_id}", headers=bearer(university_a)).json()["listing"]
    assert (own["status"], own["asking_price"], own["version"]) == ("draft", 88_000_00, 1)

    # Once A publishes, B can read it but still not change it.
    assert client.post(f"/api/listings/{listing_id}/publish", headers=bearer(university_a)).status_code == 200
    assert client.get(f"/listings/{listing_id}").status_code == 200
    assert post_form(client, f"/listings/{listing_id}/edit", listing_form(), form_page="/listings/new"
                     ).status_code == 403
    assert client.get(f"/api/listings/{listing_id}").json()["listing"]["asking_price"] == 88_000_00


def test_a_draft_stays_private_when_its_patent_lapses(
    client: TestClient[Litestar], services: Services, university_a: dict[str, str]
) -> None:
    """Suspension must not publish a listing that was never published."""
    patent_id, listing_id = register_and_draft(client, bearer(university_a), university_a["organisation_id"])
    lapsed = client.post(f"/api/patents/{patent_id}/legal-status", headers=bearer(university_a),
                         json={"legal_status": "lapsed", "effective_date": "2024-03-01"})
    assert lapsed.status_code == 200

    b_headers = sign_up_verified(client, services, "li@xmu.example.cn", "厦门大学")
    assert client.get(f"/api/listings/{listing_id}", headers=b_headers).status_code == 404
    assert client.get(f"/api/listings/{listing_id}").status_code == 404
    assert client.get("/api/listings", params={"status": "suspended"}).json()["total"] == 0
    assert "机密的技术优势说明" not in client.get(f"/listings/{listing_id}").text
    own = client.get(f"/api/listings/{listing_id}", headers=bearer(university_a))
    assert own.status_code == 200
    assert own.json()["listing"]["published_at"] is None


def test_admin_review_page_refuses_a_non_admin(
    client: TestClient[Litestar], services: Services, university_a: dict[str, str]
) -> None:
    client.post("/api/signup", json={"email": "zhang@startup.example.cn", "password": PASSWORD,
                                     "display_name": "张", "organisation_name": "新创科技有限公司",
                                     "organisation_kind": "enterprise"})
    pending_id = client.get("/api/organisations", params={"verified": "false"}).json()["items"][0]["id"]
    login(client, "wang@fzu.example.cn", PASSWORD)
    page = client.get("/admin/organisations")
    assert page.status_code == 403
    assert "此页面仅供平台管理员使用" in page.text  # the refusal, in the reader's language
    assert "新创科技有限公司" not in page.text
    before = position(services)
    verify = post_form(client, f"/admin/organisations/{pending_id}/verify", {}, form_page="/my")
    assert verify.status_code == 403
    assert "此操作需要以下角色：平台管理员" in verify.text
    assert position(services) == before
    assert client.get("/api/organisations", params={"verified": "false"}).json()["total"] == 1


# --- sessions -------------------------------------------------------------------------------
def test_wrong_password_is_a_401_with_a_message(client: TestClient[Litestar], university_a: dict[str, str]) -> None:
    client.cookies.clear()
    for email, password in (("wang@fzu.example.cn", "wrong-password-9"), ("nobody@example.cn", PASSWORD)):
        response = post_form(client, "/login", {"email": email, "password": password, "next": "/my"})
        assert response.status_code == 401
        assert "邮箱或密码不正确" in response.text
        assert f'value="{email}"' in response.text  # the e-mail is kept, the password is not
        assert password not in response.text
    assert client.get("/my", follow_redirects=False).status_code == 303


def test_session_cookie_is_http_only(client: TestClient[Litestar], university_a: dict[str, str]) -> None:
    client.cookies.clear()
    response = post_form(client, "/login", {"email": "wang@fzu.example.cn", "password": PASSWORD, "next": "/my"})
    assert response.status_code == 303
    session = [c for c in response.headers.get_list("set-cookie") if c.startswith("session=")]
    assert session, response.headers.get_list("set-cookie")
    attributes = {a.strip().split("=")[0].lower() for a in session[-1].split(";")[1:]}
    assert "httponly" in attributes
    assert re.search(r"samesite=lax", session[-1], re.IGNORECASE)
    assert PASSWORD not in session[-1]
    assert client.get("/my").status_code == 200


# --- language -------------------------------------------------------------------------------
def test_language_switch_and_default(client: TestClient[Litestar]) -> None:
    chinese = client.get("/listings")
    assert ">专利挂牌</a>" in chinese.text
    assert '<html lang="zh-CN">' in chinese.text

    switched = client.get("/lang/en", params={"next": "/listings"}, follow_redirects=False)
    assert switched.status_code == 303
    assert switched.headers["location"] == "/listings"
    cookie = next(c for c in switched.headers.get_list("set-cookie") if c.startswith("lang="))
    assert cookie.startswith("lang=en;")
    english = client.get("/listings")
    assert ">Listings</a>" in english.text
    assert ">专利挂牌</a>" not in english.text
    assert ">Patents</a>" in client.get("/").text

    client.get("/lang/zh", params={"next": "/"})
    assert ">专利挂牌</a>" in client.get("/listings").text
    assert ">Listings</a>" in client.get("/listings", params={"lang": "en"}).text  # ?lang= for one page
    assert ">专利挂牌</a>" in client.get("/listings").text  # the cookie still says Chinese


def test_the_language_switch_returns_to_the_page_with_its_search_and_filters(client: TestClient[Litestar]) -> None:
    page = client.get("/listings", params={"q": "电池", "deal_type": "assignment"}).text
    link = re.search(r'<a class="lang" href="([^"]+)" data-lang-switch>', page)
    assert link is not None, page
    switched = client.get(html.unescape(link.group(1)), follow_redirects=False)
    assert switched.headers["location"] == "/listings?q=%E7%94%B5%E6%B1%A0&deal_type=assignment"
    assert ">Listings</a>" in client.get(switched.headers["location"]).text


def test_query_parameter_language_on_a_fresh_client(client: TestClient[Litestar]) -> None:
    client.cookies.clear()
    assert ">Listings</a>" in client.get("/", params={"lang": "en"}).text
    assert ">专利挂牌</a>" in client.get("/", params={"lang": "xx"}).text  # unknown: default Chinese
    unknown = client.get("/lang/xx", params={"next": "/"}, follow_redirects=False)
    assert any(c.startswith("lang=zh;") for c in unknown.headers.get_list("set-cookie"))


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example/x", "evil.example", "///evil.example"])
def test_language_switch_refuses_an_open_redirect(client: TestClient[Litestar], target: str) -> None:
    response = client.get("/lang/en", params={"next": target}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/"


@pytest.mark.parametrize("target", ["/\\evil.example", "/\\/evil.example", "/\t/evil.example"])
def test_language_switch_keeps_backslash_tricks_on_site(client: TestClient[Litestar], target: str) -> None:
    """Browsers read "/\\host" (and "/<tab>/host") as "//host": the redirect must stay a local path."""
    response = client.get("/lang/en", params={"next": target}, follow_redirects=False)
    assert response.status_code == 303
    assert_local(response.headers["location"])


# --- password storage -----------------------------------------------------------------------
def test_passwords_are_stored_only_as_argon2_hashes(client: TestClient[Litestar], services: Services) -> None:
    plain = "plain-text-password-42"
    response = post_form(client, "/signup", {
        "email": "chen@hqu.example.cn", "password": plain, "display_name": "陈", "organisation_name": "华侨大学",
        "organisation_kind": "university", "region": "泉州"}, form_page="/signup")
    assert response.status_code == 303
    with psycopg.connect(services.address.conninfo()) as conn:
        states = [bytes(row[0]) for row in conn.execute("SELECT state FROM marketplace_events")]
        users = conn.execute("SELECT * FROM accounts_users").fetchall()
        hashes = [row[0] for row in conn.execute("SELECT password_hash FROM personal_data")]
    assert states
    assert not any(plain.encode() in state for state in states)
    # The hash lives in the personal-data store, never in the events (PIPL: it can be erased there).
    assert not any(b"$argon2" in state for state in states)
    assert len(hashes) == 2
    assert all(h.startswith("$argon2id$") for h in hashes)
    assert not any(plain in str(row) for row in users)
    assert not any("$argon2" in str(row) for row in users)  # the read model does not copy the hash
    # The hash verifies: the plain password logs in, a wrong one does not.
    assert client.post("/api/auth/token", json={"email": "chen@hqu.example.cn", "password": plain}).status_code == 201
    assert client.post("/api/auth/token", json={"email": "chen@hqu.example.cn", "password": plain + "x"}
                       ).status_code == 401


def test_csrf_token_is_bound_to_the_browser(client: TestClient[Litestar], university_a: dict[str, str]) -> None:
    """A token read from one browser's page does not work with another browser's cookie."""
    token = csrf_token(client, "/login")
    client.cookies.clear()
    client.get("/login")  # a fresh CSRF cookie
    response = client.post("/login", data={"email": "wang@fzu.example.cn", "password": PASSWORD,
                                           "_csrf_token": token}, follow_redirects=False)
    assert response.status_code == 403


def test_chinese_pages_name_the_refused_field_in_chinese(client: TestClient[Litestar]) -> None:
    response = post_form(client, "/signup", {
        "email": "not-an-email", "password": "long-enough-password", "display_name": "王",
        "organisation_name": "集美大学", "organisation_kind": "university",
    }, form_page="/signup")
    assert response.status_code == 400
    assert "电子邮箱：请填写电子邮箱地址，如 name@example.org" in response.text


# --- the web as a hardened site -------------------------------------------------------------
SECURITY_HEADERS = ("content-security-policy", "x-content-type-options", "referrer-policy", "x-request-id")


def assert_hardened(response: Any) -> None:
    """The headers every answer carries, whatever it is: page, JSON, error or static file."""
    for header in SECURITY_HEADERS:
        assert header in response.headers, (response.request.url, header)
    csp = dict(part.strip().split(" ", 1) for part in response.headers["content-security-policy"].split(";"))
    assert "'unsafe-inline'" not in csp["script-src"]
    assert "'unsafe-eval'" not in csp["script-src"]
    assert "'unsafe-inline'" not in csp["style-src"]
    assert csp["frame-ancestors"] == "'none'"
    assert csp["object-src"] == "'none'"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert "strict-transport-security" not in response.headers  # plain HTTP here: see the HTTPS test


@pytest.mark.parametrize(("method", "path", "status"), [
    ("GET", "/", 200), ("GET", "/listings", 200), ("GET", "/static/app.css", 200), ("GET", "/favicon.ico", 200),
    ("GET", "/api/listings", 200), ("GET", "/schema", 200), ("GET", "/schema/openapi.json", 200),
    ("GET", "/listings/00000000-0000-0000-0000-000000000000", 404), ("GET", "/api/patents/not-an-id", 404),
    ("GET", "/static/missing.css", 404), ("GET", "/api/listings?limit=0", 400), ("POST", "/login", 403),
    ("DELETE", "/listings", 405), ("OPTIONS", "/api/listings", 204), ("HEAD", "/", 200),
])
def test_every_answer_carries_the_security_headers(
    client: TestClient[Litestar], method: str, path: str, status: int
) -> None:
    response = client.request(method, path)
    assert response.status_code == status, response.text
    assert_hardened(response)


def test_pages_and_scripts_need_no_inline_script_or_style(client: TestClient[Litestar]) -> None:
    """The CSP forbids inline script and style: no page may rely on them (they would silently stop working)."""
    for path in ("/", "/listings", "/patents", "/login", "/signup", "/notices", "/audit/roots",
                 "/listings/00000000-0000-0000-0000-000000000000", "/schema"):
        page = client.get(path).text
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), path
        assert not re.search(r"<style|\sstyle=|\son[a-z]+=|javascript:", page, re.IGNORECASE), path
    assert client.get("/static/site.js").status_code == 200
    assert client.get("/static/swagger-ui/start.js").status_code == 200


def test_only_the_payment_page_allows_stripe() -> None:
    from web.security_headers import content_security_policy

    obligation = "/payments/4a3a2b6e-8d0b-4a36-9a5e-3f1f9b0c1d2e"
    for page in (obligation, f"{obligation}/start"):
        payment = content_security_policy(page)  # the page, and the card form its POST answers with
        assert "script-src 'self' https://js.stripe.com https://*.js.stripe.com;" in payment
        assert "frame-src https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com;" in payment
        assert "connect-src 'self' https://api.stripe.com;" in payment
    for path in ("/", f"{obligation}/receipt", "/contracts/x", "/api/listings"):
        assert "stripe" not in content_security_policy(path), path


def test_hsts_when_the_site_is_served_over_https(services: Services) -> None:
    secure = dataclasses.replace(services, settings=msgspec.structs.replace(services.settings, secure_cookies=True))
    with TestClient(create_app(secure, start_projections=False), raise_server_exceptions=False) as https_client:
        for path in ("/", "/static/app.css", "/api/listings?limit=0"):
            hsts = https_client.get(path).headers.get("strict-transport-security", "")
            assert hsts.startswith("max-age=31536000"), path


@pytest.mark.parametrize("path", ["/", "/listings", "/patents", "/api/listings", "/static/app.css", "/favicon.ico"])
def test_head_answers_like_get_without_a_body(client: TestClient[Litestar], path: str) -> None:
    head, get = client.head(path), client.get(path)
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    assert_hardened(head)


def test_options_names_every_method_a_path_answers(client: TestClient[Litestar]) -> None:
    allowed = client.options("/api/listings").headers["allow"]
    assert allowed == "GET, HEAD, OPTIONS, POST"  # litestar alone said "OPTIONS, POST"
    assert client.options("/listings/00000000-0000-0000-0000-000000000000").headers["allow"] == "GET, HEAD, OPTIONS"


@pytest.mark.parametrize("path", [
    "/api/listings?price_min=9223372036854775808", "/api/listings?price_max=-1", "/api/listings?limit=101",
    "/api/listings?offset=99999999999999999999", "/api/listings?deal_type=barter", "/api/listings?status=draft",
    "/api/audit/roots?offset=92233720368547758080", "/api/audit/roots?limit=100000000000000000000",
    "/api/patents?offset=9223372036854775808", "/api/organisations?limit=99999999999999999999",
    "/api/audit/events?offset=9223372036854775808",
    f"/api/audit/aggregates/{uuid.uuid4()}/state?version=9223372036854775808",
    "/api/listings?offset=" + "9" * 5000, "/api/listings?q=a%00b", "/api/patents?jurisdiction=C%00",
])
def test_out_of_range_parameters_are_a_400_naming_the_parameter(client: TestClient[Litestar], path: str) -> None:
    response = client.get(path)
    assert response.status_code == 400, response.text
    name = path.split("?")[1].split("=", maxsplit=1)[0]
    assert name in response.text


@pytest.mark.parametrize("path", [
    "/listings?price_min=92233720368547758.08", "/listings?price_max=1e400", "/listings?page=99999999999999999999",
    "/listings?page=²", "/patents?page=9223372036854775808", "/patents?page=³", "/listings?page=" + "9" * 5000,
])
def test_pages_shrug_off_out_of_range_numbers(client: TestClient[Litestar], path: str) -> None:
    assert client.get(path).status_code == 200


def test_a_refused_page_request_is_a_page(client: TestClient[Litestar]) -> None:
    """A person's browser gets the site's error page (in the site's language), not JSON."""
    for path in ("/listings?q=%E7%94%B5%00%E6%B1%A0", "/patents?q=%00"):
        page = client.get(path)
        assert page.status_code == 400
        assert page.headers["content-type"].startswith("text/html")
        assert "出错了" in page.text
        assert "搜索：第 " in page.text
        assert "（U+0000）是控制字符，请删除" in page.text


@pytest.mark.parametrize("path", ["/api/signup", "/api/auth/token", "/api/listings", "/api/valuation/calculate"])
def test_json_nested_a_thousand_deep_is_a_400(
    client: TestClient[Litestar], services: Services, path: str
) -> None:
    before = position(services)
    for deep in ("[" * 1000 + "]" * 1000, '{"a":' * 1000 + "1" + "}" * 1000):
        response = client.post(path, content=deep, headers={"content-type": "application/json"})
        assert response.status_code == 400, response.text  # the body is decoded before the token is asked for
    assert position(services) == before


def test_an_unexpected_error_is_logged_with_the_request_id_it_answers(
    client: TestClient[Litestar], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the read model is gone")

    monkeypatch.setattr(CatalogueQueries, "list_and_count", broken)
    caplog.set_level(logging.ERROR, logger="web.errors")
    api = client.get("/api/listings")
    assert api.status_code == 500
    request_id = api.headers["x-request-id"]
    assert api.json() == {"status_code": 500, "detail": "internal server error", "request_id": request_id}
    page = client.get("/listings")
    assert page.status_code == 500
    assert f'<code id="request-id">{page.headers["x-request-id"]}</code>' in page.text
    assert "the read model is gone" not in api.text + page.text
    assert_hardened(page)
    logged = [r for r in caplog.records if r.name == "web.errors"]
    assert [request_id in r.getMessage() for r in logged] == [True, False]
    assert page.headers["x-request-id"] in logged[1].getMessage()
    assert all(r.exc_info and "the read model is gone" in str(r.exc_info[1]) for r in logged)
    assert request_id != page.headers["x-request-id"]


def test_a_request_id_from_the_proxy_is_kept_and_a_forged_one_replaced(client: TestClient[Litestar]) -> None:
    assert client.get("/", headers={"x-request-id": "req-0123456789abcdef"}).headers["x-request-id"] == (
        "req-0123456789abcdef")
    forged = client.get("/", headers={"x-request-id": "evil\r\nlog line"}).headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", forged)


def test_favicon_and_api_docs_are_served_by_the_site(client: TestClient[Litestar]) -> None:
    icon = client.get("/favicon.ico")
    assert icon.headers["content-type"] == "image/x-icon"
    assert icon.content.startswith(b"\x00\x00\x01\x00")
    home = client.get("/").text
    assert '<link rel="icon" href="/favicon.ico"' in home
    header, footer = home.split("</header>")[0], home.split("<footer>")[1]
    assert "/schema" not in header
    assert '<a href="/schema">' in footer
    docs = client.get("/schema")
    assert docs.status_code == 200
    assert not re.search(r"(src|href)=\"(https?:)?//", docs.text)  # nothing from another host
    for asset in re.findall(r"(?:src|href)=\"(/static/[^\"]+)\"", docs.text):
        assert client.get(asset).status_code == 200, asset
    assert client.get("/static/swagger-ui/LICENSE").status_code == 200


def test_a_refused_valuer_revocation_shows_no_admin_page(
    client: TestClient[Litestar], services: Services, university_a: dict[str, str]
) -> None:
    sign_up_verified(client, services, "chen@huaxin.example.cn", "华信资产评估有限公司", "valuation_agency")
    valuer = organisation_of(client, "chen@huaxin.example.cn")
    valuer_id = client.post("/api/auth/token", json={"email": "chen@huaxin.example.cn", "password": PASSWORD}).json()[
        "user_id"]
    admin = api_token(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    accredited = client.post("/api/valuers", headers=admin, json={
        "user_id": valuer_id, "credential_number": "CPV-350077", "expires_on": "2099-01-01"})
    assert accredited.status_code == 201, accredited.text
    assert valuer
    login(client, "wang@fzu.example.cn", PASSWORD)
    before = position(services)
    for action, form in (("revoke", {"reason": "x"}), ("renew", {"expires_on": "not a date"})):
        refused = post_form(client, f"/admin/valuers/{valuer_id}/{action}", form, form_page="/my")
        assert refused.status_code == 403, refused.text
        assert "此操作需要以下角色：平台管理员" in refused.text
        for secret in ("CPV-350077", "chen", "华信资产评估有限公司", 'action="/admin/valuers'):
            assert secret not in refused.text, (action, secret)
    accredit = post_form(client, "/admin/valuers", {"user_id": valuer_id, "credential_number": "CPV-1",
                                                     "expires_on": "2099-01-01"}, form_page="/my")
    assert accredit.status_code == 403
    assert "CPV-350077" not in accredit.text
    assert position(services) == before
