"""The JSON API as a client uses it: collections, search, commands, refusals and the OpenAPI document."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from domain.catalogue.patent_numbers import cn_check_character
from marketplace.platform.services import Services
from tests.web.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, api_token, sign_up_verified

BATTERY_ZH = "一种高安全性固态锂电池电解质及其制备方法"
BATTERY_EN = "Solid-state lithium battery electrolyte"
BREAD_ZH = "一种全麦面包及其制作方法"
BREAD_EN = "Wholemeal bread and a method of making it"
SEPARATOR_ZH = "一种锂离子电池隔膜"
SEPARATOR_EN = "Separator for lithium-ion cells"


# --- helpers --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Member:
    """A signed-up user as an API client holds it: bearer headers and the ids from the token."""

    headers: dict[str, str]
    user_id: str
    organisation_id: str


def _member(client: TestClient[Litestar], email: str, password: str) -> Member:
    token = client.post("/api/auth/token", json={"email": email, "password": password})
    assert token.status_code == 201, token.text
    body = token.json()
    return Member({"Authorization": f"Bearer {body['token']}"}, body["user_id"], body["organisation_id"])


def verified_member(client: TestClient[Litestar], services: Services, email: str, org: str) -> Member:
    sign_up_verified(client, services, email, org, password="secret-password-1")
    return _member(client, email, "secret-password-1")


def unverified_member(client: TestClient[Litestar], email: str, org: str) -> Member:
    response = client.post("/api/signup", json={
        "email": email, "password": "secret-password-1", "display_name": "未审核", "organisation_name": org,
        "organisation_kind": "enterprise"})
    assert response.status_code == 201, response.text
    return _member(client, email, "secret-password-1")


def admin(client: TestClient[Litestar]) -> Member:
    return _member(client, ADMIN_EMAIL, ADMIN_PASSWORD)


def app_number(serial: int) -> str:
    """A valid CN invention application number filed in 2021 (type digit 1)."""
    digits = f"20211{serial:07d}"
    return f"{digits}.{cn_check_character(digits)}"


def patent_body(owner: str, serial: int, *, title_zh: str = BATTERY_ZH, title_en: str = BATTERY_EN,
                ipc: tuple[str, ...] = ("H01M 10/0562",), **extra: Any) -> dict[str, Any]:
    return {
        "jurisdiction": "CN", "application_number": app_number(serial), "patent_type": "invention",
        "title_zh": title_zh, "title_en": title_en, "ipc_codes": list(ipc), "filing_date": "2021-06-04",
        "legal_status": "pending", "owners": [{"organisation_id": owner, "share": 100}],
        "inventors": [{"name": "陈明", "share": 60}, {"name": "林华", "share": 40}], **extra,
    }


def terms(**overrides: Any) -> dict[str, Any]:
    return {"deal_types": ["assignment"], "price_mode": "fixed", "asking_price": 100_000_00,
            "maturity": "pilot", "keywords": ["固态电池"], **overrides}


def register(client: TestClient[Litestar], who: Member, serial: int, **kwargs: Any) -> str:
    response = client.post("/api/patents", json=patent_body(who.organisation_id, serial, **kwargs),
                           headers=who.headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def draft(client: TestClient[Litestar], who: Member, patent_id: str, **overrides: Any) -> str:
    response = client.post("/api/listings", json={"patent_id": patent_id, **terms(**overrides)},
                           headers=who.headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def publish(client: TestClient[Litestar], who: Member, listing_id: str) -> None:
    response = client.post(f"/api/listings/{listing_id}/publish", headers=who.headers)
    assert response.status_code == 200, response.text


def listed(client: TestClient[Litestar], who: Member, serial: int, patent: dict[str, Any] | None = None,
           **overrides: Any) -> str:
    """Register a patent and publish a listing of it; returns the listing id."""
    listing_id = draft(client, who, register(client, who, serial, **(patent or {})), **overrides)
    publish(client, who, listing_id)
    return listing_id


def search(client: TestClient[Litestar], **params: Any) -> dict[str, Any]:
    response = client.get("/api/listings", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def titles(body: dict[str, Any]) -> set[str]:
    return {item["title"] for item in body["items"]}


def facet(body: dict[str, Any], name: str) -> dict[str, int]:
    return {f["value"]: f["count"] for f in body["facets"].get(name, [])}


def position(services: Services) -> int:
    return services.app.recorder.max_notification_id() or 0


@pytest.fixture
def member_a(client: TestClient[Litestar], services: Services) -> Member:
    return verified_member(client, services, "wang@fzu.example.cn", "福州大学")


@pytest.fixture
def member_b(client: TestClient[Litestar], services: Services) -> Member:
    return verified_member(client, services, "li@xmu.example.cn", "厦门大学")


@pytest.fixture
def catalogue(client: TestClient[Litestar], member_a: Member) -> dict[str, str]:
    """Three published listings: a battery electrolyte, a bread, a battery separator."""
    return {
        "battery": listed(client, member_a, 1, {"title_zh": BATTERY_ZH, "title_en": BATTERY_EN},
                          deal_types=["assignment", "exclusive_licence"], asking_price=120_000_000,
                          maturity="pilot"),
        "bread": listed(client, member_a, 2, {"title_zh": BREAD_ZH, "title_en": BREAD_EN, "ipc": ("A21D 13/00",)},
                        deal_types=["non_exclusive_licence"], asking_price=5_000_000, maturity="industrialised",
                        keywords=["面包"]),
        "separator": listed(client, member_a, 3, {"title_zh": SEPARATOR_ZH, "title_en": SEPARATOR_EN,
                                                   "ipc": ("H01M 2/14",)},
                            deal_types=["assignment"], price_mode="negotiable", asking_price=None,
                            maturity="prototype", keywords=[]),
    }


# --- collections --------------------------------------------------------------------------
def test_listing_collection_pages_with_limit_and_offset(
    client: TestClient[Litestar], member_a: Member, catalogue: dict[str, str]
) -> None:
    first = search(client, limit=2)
    assert len(first["items"]) == 2
    assert first["total"] == 3
    assert set(first["facets"]) >= {"ipc_section", "ipc_class", "deal_type", "maturity"}
    rest = search(client, limit=2, offset=2)
    assert len(rest["items"]) == 1
    assert rest["total"] == 3
    ids = {item["id"] for item in first["items"]} | {item["id"] for item in rest["items"]}
    assert ids == set(catalogue.values())

    battery = next(item for item in search(client)["items"] if item["id"] == catalogue["battery"])
    assert battery["title"] == BATTERY_ZH
    assert battery["status"] == "published"
    assert set(battery["deal_types"]) == {"assignment", "exclusive_licence"}
    assert battery["price_mode"] == "fixed"
    assert battery["asking_price"] == 120_000_000
    assert battery["currency"] == "CNY"
    assert battery["maturity"] == "pilot"
    assert battery["organisation_name"] == "福州大学"
    assert battery["patent_number"] == app_number(1)
    separator = next(item for item in search(client)["items"] if item["id"] == catalogue["separator"])
    assert separator["price_mode"] == "negotiable"
    assert separator["asking_price"] is None

    patents = client.get("/api/patents", params={"limit": 2}).json()
    assert (len(patents["items"]), patents["total"]) == (2, 3)
    patents = client.get("/api/patents", params={"limit": 2, "offset": 2}).json()
    assert (len(patents["items"]), patents["total"]) == (1, 3)

    organisations = client.get("/api/organisations", params={"limit": 1}).json()
    assert (len(organisations["items"]), organisations["total"]) == (1, 2)
    assert {o["name"] for o in client.get("/api/organisations").json()["items"]} == {"福州大学", "Platform Ops"}


def test_page_size_out_of_range_is_a_400(client: TestClient[Litestar]) -> None:
    for params in ({"limit": 0}, {"limit": 101}, {"offset": -1}):
        response = client.get("/api/listings", params=params)
        assert response.status_code == 400, params
        assert next(iter(params)) in response.text


# --- search and facets --------------------------------------------------------------------
def test_search_in_chinese_and_english(client: TestClient[Litestar], catalogue: dict[str, str]) -> None:
    two_characters = search(client, q="电池")
    assert titles(two_characters) == {BATTERY_ZH, SEPARATOR_ZH}
    assert two_characters["total"] == 2
    assert titles(search(client, q="锂")) == {BATTERY_ZH, SEPARATOR_ZH}  # one character: a prefix query
    assert titles(search(client, q="麦")) == {BREAD_ZH}
    assert titles(search(client, q="面包")) == {BREAD_ZH}
    assert titles(search(client, q="电解质")) == {BATTERY_ZH}
    stemmed = search(client, q="batteries")  # the English stem finds "battery"
    assert titles(stemmed) == {BATTERY_ZH}
    assert stemmed["items"][0]["title_en"] == BATTERY_EN
    assert titles(search(client, q="lithium")) == {BATTERY_ZH, SEPARATOR_ZH}
    assert titles(search(client, q="锂 battery")) == {BATTERY_ZH}  # Chinese and English terms together
    assert search(client, q="蛋糕")["total"] == 0
    assert search(client, q="cake")["items"] == []


def test_facets_count_and_filters_narrow(client: TestClient[Litestar], catalogue: dict[str, str]) -> None:
    everything = search(client)
    assert facet(everything, "ipc_section") == {"H": 2, "A": 1}
    assert facet(everything, "ipc_class") == {"H01": 2, "A21": 1}
    assert facet(everything, "deal_type") == {"assignment": 2, "exclusive_licence": 1, "non_exclusive_licence": 1}
    assert facet(everything, "maturity") == {"pilot": 1, "industrialised": 1, "prototype": 1}
    assert facet(everything, "status") == {"published": 3}
    assert everything["facets"]["ipc_section"][0] == {"value": "H", "count": 2}  # largest first

    assert facet(search(client, q="电池"), "ipc_class") == {"H01": 2}

    assert titles(search(client, deal_type="assignment")) == {BATTERY_ZH, SEPARATOR_ZH}
    assert titles(search(client, deal_type="non_exclusive_licence")) == {BREAD_ZH}
    assert titles(search(client, maturity="pilot")) == {BATTERY_ZH}
    assert titles(search(client, ipc_class="H01")) == {BATTERY_ZH, SEPARATOR_ZH}
    assert titles(search(client, ipc_section="A")) == {BREAD_ZH}
    # Prices are in minor units (fen); a negotiable listing has no price and drops out of a price filter.
    assert titles(search(client, price_min=10_000_000)) == {BATTERY_ZH}
    assert titles(search(client, price_max=10_000_000)) == {BREAD_ZH}
    assert titles(search(client, price_min=5_000_000, price_max=5_000_000)) == {BREAD_ZH}
    assert titles(search(client, price_min=5_000_001, price_max=119_999_999)) == set()
    combined = search(client, deal_type="assignment", maturity="prototype")
    assert titles(combined) == {SEPARATOR_ZH}
    assert combined["total"] == 1
    assert facet(combined, "maturity") == {"prototype": 1}


# --- reading single records ---------------------------------------------------------------
def test_listing_and_patent_details_and_404s(
    client: TestClient[Litestar], member_a: Member, catalogue: dict[str, str]
) -> None:
    detail = client.get(f"/api/listings/{catalogue['battery']}")
    assert detail.status_code == 200
    body = detail.json()
    assert body["listing"]["title"] == BATTERY_ZH
    assert body["patent"]["application_number"] == app_number(1)
    assert body["patent"]["ipc_codes"] == ["H01M 10/0562"]
    assert [h["legal_status"] for h in body["status_history"]] == ["pending"]

    patents = client.get("/api/patents", params={"q": "隔膜"}).json()
    assert patents["total"] == 1
    assert patents["items"][0]["title_zh"] == SEPARATOR_ZH
    assert client.get("/api/patents", params={"q": "electrolyte"}).json()["items"][0]["title_en"] == BATTERY_EN
    patent_id = patents["items"][0]["id"]

    patent = client.get(f"/api/patents/{patent_id}")
    assert patent.status_code == 200
    record = patent.json()["patent"]
    assert record["application_number"] == app_number(3)
    assert record["patent_type"] == "invention"
    assert record["expiry_date"] == "2041-06-04"  # 20 years from filing
    assert record["owners"] == [{"organisation_id": member_a.organisation_id, "name": "福州大学", "share": 10_000}]
    assert record["active_listing_id"] == catalogue["separator"]
    history = patent.json()["status_history"]
    assert len(history) == 1
    assert history[0]["legal_status"] == "pending"
    assert history[0]["reason"] == "registered"
    assert history[0]["effective_date"] == "2021-06-04"

    unknown = uuid.uuid4()
    missing_listing = client.get(f"/api/listings/{unknown}")
    assert missing_listing.status_code == 404
    assert missing_listing.json()["detail"] == f"listing_id: no listing with id {unknown}"
    missing_patent = client.get(f"/api/patents/{unknown}")
    assert missing_patent.status_code == 404
    assert missing_patent.json()["detail"] == f"patent_id: no patent with id {unknown}"
    assert client.get("/api/patents/not-a-uuid").status_code == 404  # no route takes a non-UUID id


# --- commands and read-your-writes --------------------------------------------------------
def test_command_lifecycle_reads_its_own_writes(client: TestClient[Litestar], member_a: Member) -> None:
    registered = client.post("/api/patents", json=patent_body(member_a.organisation_id, 7), headers=member_a.headers)
    assert registered.status_code == 201
    patent_id = registered.json()["id"]
    assert registered.json()["position"] > 0
    assert client.get(f"/api/patents/{patent_id}").json()["patent"]["title_zh"] == BATTERY_ZH

    drafted = client.post("/api/listings", json={"patent_id": patent_id, **terms()}, headers=member_a.headers)
    assert drafted.status_code == 201
    listing_id = drafted.json()["id"]
    mine = client.get(f"/api/listings/{listing_id}", headers=member_a.headers).json()["listing"]
    assert (mine["status"], mine["asking_price"], mine["version"]) == ("draft", 100_000_00, 1)
    assert client.get(f"/api/patents/{patent_id}").json()["patent"]["active_listing_id"] == listing_id
    assert search(client)["total"] == 0  # drafts are not public

    revised = client.put(f"/api/listings/{listing_id}", json=terms(asking_price=80_000_00, maturity="prototype"),
                         headers=member_a.headers)
    assert revised.status_code == 200, revised.text
    mine = client.get(f"/api/listings/{listing_id}", headers=member_a.headers).json()["listing"]
    assert (mine["asking_price"], mine["maturity"], mine["version"]) == (80_000_00, "prototype", 2)

    published = client.post(f"/api/listings/{listing_id}/publish", headers=member_a.headers)
    assert published.status_code == 200
    public = client.get(f"/api/listings/{listing_id}").json()["listing"]
    assert public["status"] == "published"
    assert public["published_at"] is not None
    assert [item["id"] for item in search(client)["items"]] == [listing_id]

    withdrawn = client.post(f"/api/listings/{listing_id}/withdraw", params={"reason": "已转让"},
                            headers=member_a.headers)
    assert withdrawn.status_code == 200
    assert client.get(f"/api/listings/{listing_id}").json()["listing"]["status"] == "withdrawn"
    assert search(client)["total"] == 0
    assert [item["id"] for item in search(client, status="withdrawn")["items"]] == [listing_id]
    assert client.get(f"/api/patents/{patent_id}").json()["patent"]["active_listing_id"] is None

    # The slot is free again: a new listing of the same patent can be drafted.
    again = draft(client, member_a, patent_id)
    assert client.get(f"/api/patents/{patent_id}").json()["patent"]["active_listing_id"] == again


def test_legal_status_lapse_suspends_and_grant_resumes(client: TestClient[Litestar], member_a: Member) -> None:
    patent_id = register(client, member_a, 11)
    listing_id = draft(client, member_a, patent_id)
    publish(client, member_a, listing_id)

    lapsed = client.post(f"/api/patents/{patent_id}/legal-status", headers=member_a.headers,
                         json={"legal_status": "lapsed", "effective_date": "2024-03-01", "reason": "未缴年费"})
    assert lapsed.status_code == 200, lapsed.text
    listing = client.get(f"/api/listings/{listing_id}").json()
    assert listing["listing"]["status"] == "suspended"
    assert listing["listing"]["legal_status"] == "lapsed"
    assert search(client)["total"] == 0
    assert [item["id"] for item in search(client, status="suspended")["items"]] == [listing_id]
    patent = client.get(f"/api/patents/{patent_id}").json()
    history = patent["status_history"]
    assert [(h["legal_status"], h["effective_date"], h["reason"]) for h in history] == [
        ("pending", "2021-06-04", "registered"), ("lapsed", "2024-03-01", "未缴年费")]
    # The listing's own page reads its patent and the patent's history with it: the same, in order.
    assert listing["status_history"] == history
    assert listing["patent"] == patent["patent"]

    granted = client.post(f"/api/patents/{patent_id}/legal-status", headers=member_a.headers,
                          json={"legal_status": "granted", "effective_date": "2024-05-01"})
    assert granted.status_code == 200, granted.text
    listing = client.get(f"/api/listings/{listing_id}").json()
    assert listing["listing"]["status"] == "published"
    assert listing["listing"]["legal_status"] == "granted"
    assert [h["legal_status"] for h in listing["status_history"]] == ["pending", "lapsed", "granted"]
    assert listing["patent"]["legal_status"] == "granted"
    assert [item["id"] for item in search(client)["items"]] == [listing_id]
    assert client.get(f"/api/patents/{patent_id}").json()["patent"]["legal_status"] == "granted"


def test_legal_status_input_is_validated(client: TestClient[Litestar], services: Services, member_a: Member) -> None:
    patent_id = register(client, member_a, 12)
    before = position(services)
    unknown = client.post(f"/api/patents/{patent_id}/legal-status", headers=member_a.headers,
                          json={"legal_status": "asleep", "effective_date": "2024-03-01"})
    assert unknown.status_code == 400
    assert unknown.json()["field"] == "legal_status"
    assert "must be one of" in unknown.json()["detail"]
    bad_date = client.post(f"/api/patents/{patent_id}/legal-status", headers=member_a.headers,
                           json={"legal_status": "lapsed", "effective_date": "yesterday"})
    assert bad_date.status_code == 400
    assert "effective_date" in bad_date.text
    assert position(services) == before


# --- refusals: 400 --------------------------------------------------------------------------
Mutation = Callable[[Member, str], tuple[str, dict[str, Any]]]


def _wrong_check(member: Member, _: str) -> tuple[str, dict[str, Any]]:
    digits = "202110000042"
    wrong = "1" if cn_check_character(digits) != "1" else "2"
    return "/api/patents", patent_body(member.organisation_id, 42) | {"application_number": f"{digits}.{wrong}"}


def _unknown_ipc(member: Member, _: str) -> tuple[str, dict[str, Any]]:
    return "/api/patents", patent_body(member.organisation_id, 43, ipc=("H01M 10/0562", "H01M 50/403"))


def _shares_one_owner(member: Member, _: str) -> tuple[str, dict[str, Any]]:
    return "/api/patents", patent_body(member.organisation_id, 45) | {
        "owners": [{"organisation_id": member.organisation_id, "share": 90}]}


def _negative_price(_: Member, patent_id: str) -> tuple[str, dict[str, Any]]:
    return "/api/listings", {"patent_id": patent_id, **terms(asking_price=-100)}


def _unknown_deal(_: Member, patent_id: str) -> tuple[str, dict[str, Any]]:
    return "/api/listings", {"patent_id": patent_id, **terms(deal_types=["assignment", "barter"])}


def _price_not_a_number(_: Member, patent_id: str) -> tuple[str, dict[str, Any]]:
    return "/api/listings", {"patent_id": patent_id, **terms(asking_price="abc")}


def _share_not_a_number(member: Member, _: str) -> tuple[str, dict[str, Any]]:
    return "/api/patents", patent_body(member.organisation_id, 46) | {
        "owners": [{"organisation_id": member.organisation_id, "share": "all"}]}


def _unknown_field(_: Member, patent_id: str) -> tuple[str, dict[str, Any]]:
    return "/api/listings", {"patent_id": patent_id, **terms(), "discount": 5}


@pytest.mark.parametrize(("mutation", "field", "rule"), [
    (_wrong_check, "application_number", "check character should be"),
    (_unknown_ipc, "ipc_codes", "H01M 50/403 is not in the IPC scheme (2020)"),
    (_shares_one_owner, "owners", "co-owner shares must sum to 100 %, got 90 %"),
    (_negative_price, "asking_price", "must not be negative"),
    (_unknown_deal, "deal_types", "'barter' is not one of"),
])
def test_rule_violation_is_a_400_naming_field_and_rule_and_records_nothing(
    client: TestClient[Litestar], services: Services, member_a: Member, mutation: Mutation, field: str, rule: str
) -> None:
    patent_id = register(client, member_a, 1)
    path, body = mutation(member_a, patent_id)
    before = position(services)
    patents_before = client.get("/api/patents").json()["total"]

    response = client.post(path, json=body, headers=member_a.headers)

    assert response.status_code == 400, response.text
    error = response.json()
    assert error["field"] == field
    assert error["detail"].startswith(f"{field}: ")
    assert rule in error["detail"]
    assert position(services) == before
    assert client.get("/api/patents").json()["total"] == patents_before
    assert client.get(f"/api/patents/{patent_id}").json()["patent"]["active_listing_id"] is None


def test_co_owner_shares_not_summing_to_100_are_refused(
    client: TestClient[Litestar], services: Services, member_a: Member, member_b: Member
) -> None:
    before = position(services)
    body = patent_body(member_a.organisation_id, 47) | {"owners": [
        {"organisation_id": member_a.organisation_id, "share": 60},
        {"organisation_id": member_b.organisation_id, "share": 30}]}
    response = client.post("/api/patents", json=body, headers=member_a.headers)
    assert response.status_code == 400
    assert response.json()["field"] == "owners"
    assert response.json()["detail"] == "owners: co-owner shares must sum to 100 %, got 90 %"
    assert position(services) == before
    assert client.get("/api/patents").json()["total"] == 0


@pytest.mark.parametrize(("mutation", "field"), [
    (_price_not_a_number, "asking_price"),
    (_share_not_a_number, "share"),
    (_unknown_field, "discount"),
])
def test_type_errors_are_a_400_naming_the_field_and_record_nothing(
    client: TestClient[Litestar], services: Services, member_a: Member, mutation: Mutation, field: str
) -> None:
    patent_id = register(client, member_a, 1)
    path, body = mutation(member_a, patent_id)
    before = position(services)

    response = client.post(path, json=body, headers=member_a.headers)

    assert response.status_code == 400, response.text
    assert field in response.text
    assert position(services) == before
    assert client.get(f"/api/patents/{patent_id}").json()["patent"]["active_listing_id"] is None


# --- refusals: 409 --------------------------------------------------------------------------
def test_second_active_listing_on_a_patent_is_a_409(
    client: TestClient[Litestar], services: Services, member_a: Member
) -> None:
    patent_id = register(client, member_a, 20)
    first = draft(client, member_a, patent_id)
    before = position(services)

    response = client.post("/api/listings", json={"patent_id": patent_id, **terms()}, headers=member_a.headers)

    assert response.status_code == 409
    assert response.json()["field"] == "patent_id"
    assert "already has an active listing" in response.json()["detail"]
    assert position(services) == before
    assert client.get(f"/api/patents/{patent_id}").json()["patent"]["active_listing_id"] == first


@pytest.mark.parametrize("spelling", ["{d}.{c}", "CN{d}.{c}", "{d}{c}"])
def test_duplicate_patent_number_is_a_409(
    client: TestClient[Litestar], services: Services, member_a: Member, spelling: str
) -> None:
    register(client, member_a, 21)
    digits = app_number(21).split(".")[0]
    before = position(services)
    body = patent_body(member_a.organisation_id, 21, title_zh="另一个标题") | {
        "application_number": spelling.format(d=digits, c=cn_check_character(digits))}

    response = client.post("/api/patents", json=body, headers=member_a.headers)

    assert response.status_code == 409, response.text
    assert response.json()["field"] == "application_number"
    assert "already registered" in response.json()["detail"]
    assert position(services) == before
    patents = client.get("/api/patents").json()
    assert patents["total"] == 1
    assert patents["items"][0]["title_zh"] == BATTERY_ZH


def test_stale_expected_version_is_a_409_and_keeps_the_other_revision(
    client: TestClient[Litestar], services: Services, member_a: Member
) -> None:
    listing_id = draft(client, member_a, register(client, member_a, 22))
    loaded = client.get(f"/api/listings/{listing_id}", headers=member_a.headers).json()["listing"]["version"]
    assert loaded == 1

    # Someone else (the platform admin) revises first, with the version they loaded.
    other = client.put(f"/api/listings/{listing_id}", params={"expected_version": loaded},
                       json=terms(asking_price=90_000_00), headers=admin(client).headers)
    assert other.status_code == 200, other.text
    before = position(services)

    stale = client.put(f"/api/listings/{listing_id}", params={"expected_version": loaded},
                       json=terms(asking_price=70_000_00), headers=member_a.headers)

    assert stale.status_code == 409, stale.text
    assert stale.json()["field"] == "expected_version"
    assert "version 2, not 1" in stale.json()["detail"]
    assert position(services) == before
    listing = client.get(f"/api/listings/{listing_id}", headers=member_a.headers).json()["listing"]
    assert (listing["asking_price"], listing["version"]) == (90_000_00, 2)

    current = client.put(f"/api/listings/{listing_id}", params={"expected_version": 2},
                         json=terms(asking_price=70_000_00), headers=member_a.headers)
    assert current.status_code == 200
    listing = client.get(f"/api/listings/{listing_id}", headers=member_a.headers).json()["listing"]
    assert (listing["asking_price"], listing["version"]) == (70_000_00, 3)


# --- refusals: 401 and 403 ------------------------------------------------------------------
def test_commands_need_a_valid_bearer_token(
    client: TestClient[Litestar], services: Services, member_a: Member
) -> None:
    patent_id = register(client, member_a, 30)
    listing_id = draft(client, member_a, patent_id)
    before = position(services)
    body = patent_body(member_a.organisation_id, 31)
    attempts: list[tuple[str, str, dict[str, Any] | None]] = [
        ("POST", "/api/patents", body),
        ("POST", "/api/listings", {"patent_id": patent_id, **terms()}),
        ("PUT", f"/api/listings/{listing_id}", terms(asking_price=1)),
        ("POST", f"/api/listings/{listing_id}/publish", None),
        ("POST", f"/api/listings/{listing_id}/withdraw", None),
        ("POST", f"/api/patents/{patent_id}/legal-status", {"legal_status": "granted", "effective_date": "2024-01-01"}),
        ("POST", f"/api/organisations/{member_a.organisation_id}/verify", None),
    ]
    for headers in ({}, {"Authorization": "Bearer garbage.token.value"}, {"Authorization": "Basic d2FuZzpwdw=="},
                    {"Authorization": "Bearer"}):
        for method, path, json in attempts:
            response = client.request(method, path, json=json, headers=headers)
            assert response.status_code == 401, (headers, path, response.text)
            assert "authorization" in response.json()["detail"]
    assert position(services) == before
    assert client.get(f"/api/listings/{listing_id}", headers=member_a.headers).json()["listing"]["status"] == "draft"

    wrong = client.post("/api/auth/token", json={"email": "wang@fzu.example.cn", "password": "not-the-password"})
    assert wrong.status_code == 401
    unknown = client.post("/api/auth/token", json={"email": "nobody@example.cn", "password": "not-the-password"})
    assert unknown.status_code == 401
    assert unknown.json()["detail"] == wrong.json()["detail"]


def test_members_of_another_organisation_are_refused(
    client: TestClient[Litestar], services: Services, member_a: Member, member_b: Member
) -> None:
    patent_id = register(client, member_a, 32)
    listing_id = draft(client, member_a, patent_id)
    before = position(services)

    attempts: list[tuple[str, str, dict[str, Any] | None, str]] = [
        ("POST", "/api/listings", {"patent_id": patent_id, **terms()}, "patent_id"),
        ("PUT", f"/api/listings/{listing_id}", terms(asking_price=1), "listing_id"),
        ("POST", f"/api/listings/{listing_id}/publish", None, "listing_id"),
        ("POST", f"/api/listings/{listing_id}/withdraw", None, "listing_id"),
        ("POST", f"/api/patents/{patent_id}/legal-status", {"legal_status": "lapsed", "effective_date": "2024-01-01"},
         "patent_id"),
    ]
    for method, path, json, field in attempts:
        response = client.request(method, path, json=json, headers=member_b.headers)
        assert response.status_code == 403, (path, response.text)
        assert response.json()["field"] == field
        assert response.json()["detail"].startswith(f"{field}: only ")

    # B may not register A's patent as its own either (A must be among the owners).
    foreign = client.post("/api/patents", json=patent_body(member_a.organisation_id, 33), headers=member_b.headers)
    assert foreign.status_code == 403
    assert foreign.json()["field"] == "owners"

    assert position(services) == before
    listing = client.get(f"/api/listings/{listing_id}", headers=member_a.headers).json()
    assert (listing["listing"]["status"], listing["listing"]["asking_price"]) == ("draft", 100_000_00)
    assert listing["patent"]["legal_status"] == "pending"


def test_an_unverified_organisation_cannot_register_a_patent(client: TestClient[Litestar], services: Services) -> None:
    """Issue 9: a fresh self-signup could register any number and lock its true owner out (409 for ever)."""
    newcomer = unverified_member(client, "zhang@startup.example.cn", "新创科技有限公司")
    before = position(services)

    response = client.post("/api/patents", json=patent_body(newcomer.organisation_id, 40), headers=newcomer.headers)

    assert response.status_code == 403
    assert "must be verified" in response.json()["detail"]
    assert position(services) == before
    assert client.get("/api/patents").json()["total"] == 0
    assert search(client)["total"] == 0


def test_only_a_platform_admin_verifies_organisations(
    client: TestClient[Litestar], services: Services, member_a: Member
) -> None:
    newcomer = unverified_member(client, "zhang@startup.example.cn", "新创科技有限公司")
    before = position(services)
    for who in (member_a, newcomer):
        response = client.post(f"/api/organisations/{newcomer.organisation_id}/verify", headers=who.headers)
        assert response.status_code == 403
        assert "platform_admin" in response.json()["detail"]
    assert position(services) == before
    pending = client.get("/api/organisations", params={"verified": "false"}).json()
    assert [o["name"] for o in pending["items"]] == ["新创科技有限公司"]

    verified = client.post(f"/api/organisations/{newcomer.organisation_id}/verify", headers=admin(client).headers)
    assert verified.status_code == 200
    assert client.get("/api/organisations", params={"verified": "false"}).json()["total"] == 0
    again = client.post(f"/api/organisations/{newcomer.organisation_id}/verify", headers=admin(client).headers)
    assert again.status_code == 409


def test_bearer_token_carries_the_identity(client: TestClient[Litestar], member_a: Member) -> None:
    token = client.post("/api/auth/token", json={"email": "Wang@FZU.example.cn ", "password": "secret-password-1"})
    assert token.status_code == 201
    body = token.json()
    assert body["token_type"] == "bearer"
    assert body["organisation_id"] == member_a.organisation_id
    assert set(body["roles"]) == {"member", "org_admin"}
    assert api_token(client, ADMIN_EMAIL, ADMIN_PASSWORD)["Authorization"].startswith("Bearer ")


# --- OpenAPI --------------------------------------------------------------------------------
def test_openapi_document_lists_the_api(client: TestClient[Litestar]) -> None:
    response = client.get("/schema/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["info"]["title"] == "Fujian Patent Marketplace API"
    paths = document["paths"]
    for path in ("/api/listings", "/api/listings/{listing_id}", "/api/patents", "/api/patents/{patent_id}",
                 "/api/patents/{patent_id}/legal-status", "/api/auth/token",
                 "/api/organisations/{organisation_id}/verify"):
        assert path in paths, path
    assert set(paths["/api/listings"]) >= {"get", "post"}
    assert "put" in paths["/api/listings/{listing_id}"]
    assert not any(p.startswith(("/login", "/my", "/listings")) for p in paths)  # pages are not API
