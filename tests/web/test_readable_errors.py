# ruff: noqa: F811 - pytest fixtures imported from the journey module are parameters here
"""Refusals in the reader's words (issue 11): a Chinese reader reads Chinese, an English reader English; each
names the field by the label the form shows, never by its internal name; the JSON API adds a stable ``code``
and the ``field`` for programs. Role names are shown by their labels on /admin/people and /my."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from domain.catalogue.patent_numbers import cn_check_character
from marketplace.platform.clock import ManualClock
from marketplace.platform.services import Services
from tests.web.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, csrf_token, login, post_form
from tests.web.test_api import Member, app_number, listed, register, verified_member
from tests.web.test_deals_journey import (  # noqa: F401 - the fixtures
    clock,
    manual_client,
    ok,
    parties,
    services_of,
)

PASSWORD = "secret-password-1"
#: An internal name as a refusal used to lead with it (``application_number:``), or any snake_case identifier.
INTERNAL_NAME = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")


def refusal_of(page: str) -> str:
    """The refusal a page shows a person: its alert, or the first field error, as text."""
    found = re.search(r'<p class="error" role="alert">(.*?)</p>', page, flags=re.S) or re.search(
        r'<span class="field-error">(.*?)</span>', page, flags=re.S
    )
    assert found, "the page shows no refusal"
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip()


def visible_text(page: str) -> str:
    """What a person reads on a page: its text without tags, attributes, scripts or styles."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def in_language(client: TestClient[Litestar], lang: str) -> None:
    client.cookies.set("lang", lang)


@pytest.fixture
def member(client: TestClient[Litestar], services: Services) -> Member:
    return verified_member(client, services, "wang@xmu.example.cn", "厦门大学")


def patent_form(member: Member, **fields: str) -> dict[str, str]:
    return {
        "application_number": app_number(7),
        "patent_type": "invention",
        "title_zh": "一种固态电池",
        "ipc_codes": "H01M 10/0562",
        "legal_status": "granted",
        "owner_0": member.organisation_id,
        "owner_share_0": "100",
        **fields,
    }


def wrong_check(digits: str = "202110000007") -> str:
    """A CN application number whose check character is wrong (and the right one)."""
    right = cn_check_character(digits)
    return f"{digits}.{'1' if right != '1' else '2'}"


def refused_page(client: TestClient[Litestar], path: str, form: dict[str, str], form_page: str, status: int) -> str:
    response = post_form(client, path, form, form_page=form_page)
    assert response.status_code == status, response.text
    return refusal_of(response.text)


# --- forms: the field's label and the rule, in the reader's language ---------------------------------------


def test_a_wrong_check_character_is_refused_in_chinese_and_in_english(
    client: TestClient[Litestar], member: Member
) -> None:
    login(client, "wang@xmu.example.cn", PASSWORD)
    number = wrong_check()
    right = cn_check_character("202110000007")
    zh = refused_page(client, "/patents/new", patent_form(member, application_number=number), "/patents/new", 400)
    assert zh == f"申请号：校验位应为 {right}，填写的是 {number[-1]}，请核对号码"
    in_language(client, "en")
    en = refused_page(client, "/patents/new", patent_form(member, application_number=number), "/patents/new", 400)
    assert en == f"Application number: the check character should be {right}, not {number[-1]}; check the number"


@pytest.mark.parametrize(
    ("fields", "zh", "en"),
    [
        (
            {"application_number": "12345"},
            "申请号：校验位前应有 12 位数字（2003 年 10 月前为 8 位），填写了 5 位",
            "Application number: a Chinese application number has 12 digits (8 before October 2003) before the "
            "check character, not 5",
        ),
        (
            {"application_number": "CN-ABC"},
            "申请号：“CN-ABC”不是中国专利申请号",
            "Application number: “CN-ABC” is not a Chinese application number",
        ),
        (
            {"application_number": "202110000007"},
            "申请号：小数点后须有校验位",
            "Application number: the check character is needed after a dot",
        ),
        (
            {"application_number": "", "publication_number": ""},
            "申请号：请填写申请号或公开号",
            "Application number: give an application number or a publication number",
        ),
        (
            {"title_zh": "", "title_en": ""},
            "中文标题：请填写中文或英文标题",
            "Chinese title: give a title in Chinese or English",
        ),
        (
            {"title_zh": "一种\u202e电池"},
            "中文标题：第 3 个字符（U+202E）是双向文字控制符",
            "Chinese title: character 3 (U+202E) is a bidirectional control character",
        ),
        (
            {"title_zh": "一种\x07电池"},
            "中文标题：第 3 个字符（U+0007）是控制字符，请删除",
            "Chinese title: character 3 (U+0007) is a control character; remove it",
        ),
    ],
)
def test_the_patent_form_names_the_field_and_the_rule_in_each_language(
    client: TestClient[Litestar], member: Member, fields: dict[str, str], zh: str, en: str
) -> None:
    login(client, "wang@xmu.example.cn", PASSWORD)
    chinese = refused_page(client, "/patents/new", patent_form(member, **fields), "/patents/new", 400)
    assert chinese.startswith(zh), chinese
    in_language(client, "en")
    english = refused_page(client, "/patents/new", patent_form(member, **fields), "/patents/new", 400)
    assert english.startswith(en), english


def listing_form(patent_id: str, **fields: str) -> dict[str, str]:
    return {
        "patent_id": patent_id,
        "deal_types": "assignment",
        "price_mode": "fixed",
        "asking_price": "500000",
        "maturity": "pilot",
        "trl": "6",
        **fields,
    }


@pytest.mark.parametrize(
    ("fields", "zh", "en"),
    [
        (
            {"trl": "12"},
            "技术就绪度 TRL：技术就绪度须在 1 至 9 之间",
            "TRL: the technology readiness level must be 1 to 9",
        ),
        (
            {"asking_price": "100000000000000"},
            "挂牌价（元）：不得超过 1,000,000,000 万元",
            "Asking price (CNY): must be at most CNY 10,000,000,000,000",
        ),
        ({"asking_price": "-5"}, "挂牌价（元）：不能为负数", "Asking price (CNY): must not be negative"),
        ({"asking_price": "12.345"}, "挂牌价（元）：最多两位小数", "Asking price (CNY): at most two decimals"),
        (
            {"asking_price": "五十万"},
            "挂牌价（元）：请填写以元为单位的金额",
            "Asking price (CNY): must be an amount in yuan",
        ),
        ({"asking_price": "0"}, "挂牌价（元）：须大于 0", "Asking price (CNY): must be greater than 0"),
        ({"trl": "six"}, "技术就绪度 TRL：须为整数", "TRL: must be a whole number"),
    ],
)
def test_the_listing_form_says_price_and_trl_limits_in_each_language(
    client: TestClient[Litestar], member: Member, fields: dict[str, str], zh: str, en: str
) -> None:
    patent_id = register(client, member, 8)
    login(client, "wang@xmu.example.cn", PASSWORD)
    chinese = refused_page(client, "/listings/new", listing_form(patent_id, **fields), "/listings/new", 400)
    assert chinese.startswith(zh), chinese
    in_language(client, "en")
    english = refused_page(client, "/listings/new", listing_form(patent_id, **fields), "/listings/new", 400)
    assert english.startswith(en), english


# --- offers and contracts: whose turn, expiry, a reserved patent ---------------------------------------------


def offer(client: TestClient[Litestar], buyer: Member, listing_id: str, price: int = 100_000_00) -> str:
    body = {"kind": "assignment", "price": price, "valid_days": 14}
    return str(ok(client.post(f"/api/listings/{listing_id}/offers", headers=buyer.headers, json=body), 201)["id"])


def page_refusal(client: TestClient[Litestar], path: str, form_page: str, status: int) -> str:
    response = client.post(path, data={"_csrf_token": csrf_token(client, form_page)}, follow_redirects=False)
    assert response.status_code == status, response.text
    return refusal_of(response.text)


def test_not_your_turn_expired_and_reserved_offers_are_said_in_each_language(
    manual_client: TestClient[Litestar], clock: ManualClock
) -> None:
    client = manual_client
    p = parties(client)
    rival = verified_member(client, services_of(client), "rival@storage.example.cn", "厦门储能有限公司")
    listing_id = listed(client, p.university, 41)
    first, second = offer(client, p.enterprise, listing_id), offer(client, rival, listing_id)

    # The buyer made the offer: it is the seller's turn, not the buyer's.
    turn = client.post(f"/api/offers/{first}/accept", headers=p.enterprise.headers | {"Accept-Language": "zh-CN"})
    assert turn.status_code == 409
    assert turn.json() | {"status_code": 409} == {
        "status_code": 409,
        "code": "offer.not_your_turn",
        "field": "offer_id",
        "detail": "报价：现在轮到卖方答复，请等待对方",
    }
    login(client, "buyer@cells.example.cn", PASSWORD)
    path = f"/offers/{first}"
    assert page_refusal(client, f"{path}/accept", path, 409) == "报价：现在轮到卖方答复，请等待对方"
    in_language(client, "en")
    assert (
        page_refusal(client, f"{path}/accept", path, 409) == "Offer: it is the seller's turn to answer; wait for them"
    )

    # The seller accepts the first: the patent is reserved for that assignment, the second is refused.
    ok(client.post(f"/api/offers/{first}/accept", headers=p.university.headers))
    client.cookies.clear()
    login(client, "tto@fzu.example.cn", PASSWORD)
    path = f"/offers/{second}"
    reserved = page_refusal(client, f"{path}/accept", path, 409)
    assert reserved.startswith("专利：该专利自 "), reserved
    assert "北京时间 起为已达成的转让" in reserved  # since when, in Beijing time
    in_language(client, "en")
    reserved_en = page_refusal(client, f"{path}/accept", path, 409)
    assert reserved_en.startswith("Patent: This patent has been reserved since "), reserved_en
    assert "Beijing time for an assignment already agreed" in reserved_en

    # The second offer runs out: answering it after its deadline is refused with the deadline in Beijing time.
    clock.advance(timedelta(days=15))
    client.cookies.delete("lang")  # the API call names its language in its header
    expired = client.post(
        f"/api/offers/{second}/reject",
        headers=p.university.headers | {"Accept-Language": "en"},
        json={"reason": "too late"},
    )
    assert expired.status_code == 409, expired.text
    body = expired.json()
    assert body["code"] == "offer.expired"
    assert body["field"] == "offer_id"
    # Made at 2026-03-02 01:00 UTC, valid 14 days: 2026-03-16 09:00 in Beijing.
    assert body["detail"] == "Offer: the offer expired at 2026-03-16 09:00 (Beijing time)"
    in_language(client, "zh")
    assert page_refusal(client, f"{path}/reject", path, 409) == "报价：该报价已于 2026-03-16 09:00（北京时间）过期"


def test_a_closed_offer_and_a_contract_signed_during_its_notice_are_said_in_each_language(
    manual_client: TestClient[Litestar],
) -> None:
    client = manual_client
    p = parties(client)
    listing_id = listed(client, p.university, 42, price_mode="negotiable", asking_price=None)
    offer_id = offer(client, p.enterprise, listing_id, price=90_000_00)
    ok(client.post(f"/api/offers/{offer_id}/withdraw", headers=p.enterprise.headers, json={"reason": ""}))
    closed = client.post(f"/api/offers/{offer_id}/accept", headers=p.university.headers | {"Accept-Language": "zh"})
    assert closed.json()["code"] == "offer.closed"
    assert closed.json()["detail"] == "报价：该报价已撤回，不能再进行此操作"

    second = offer(client, p.enterprise, listing_id, price=95_000_00)
    ok(client.post(f"/api/offers/{second}/accept", headers=p.university.headers))
    contract_id = ok(client.get(f"/api/offers/{second}", headers=p.university.headers))["offer"]["contract_id"]
    contract = ok(client.get(f"/api/contracts/{contract_id}", headers=p.university.headers))["contract"]
    early = client.post(
        f"/api/contracts/{contract_id}/sign",
        headers=p.university.headers | {"Accept-Language": "en"},
        json={"text_sha256": contract["text_sha256"]},
    )
    assert early.status_code == 409
    assert early.json()["code"] == "notice.running"
    assert early.json()["field"] == "contract_id"
    assert re.fullmatch(
        r"Contract: the public notice runs until \d{4}-\d\d-\d\d \d\d:\d\d \(Beijing time\); "
        r"sign after it closes",
        early.json()["detail"],
    ), early.json()["detail"]


# --- who may: logging in and roles --------------------------------------------------------------------------


def test_login_and_role_refusals_are_said_in_each_language(client: TestClient[Litestar], member: Member) -> None:
    wrong = {"email": "wang@xmu.example.cn", "password": "not-the-password"}
    zh = client.post("/api/auth/token", json=wrong, headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert zh.status_code == 401
    assert zh.json() | {"status_code": 401} == {
        "status_code": 401,
        "code": "auth.failed",
        "field": "email",
        "detail": "电子邮箱：邮箱或密码不正确",
    }
    en = client.post("/api/auth/token", json=wrong, headers={"Accept-Language": "en-GB"})
    assert en.json()["detail"] == "E-mail: e-mail or password is wrong"
    plain = client.post("/api/auth/token", json=wrong)  # a client that names no language: the rule as recorded
    assert plain.json()["detail"] == "email: e-mail or password is wrong"
    assert plain.json()["code"] == "auth.failed"

    login(client, "wang@xmu.example.cn", PASSWORD)
    refused = post_form(client, f"/admin/organisations/{member.organisation_id}/verify", {}, form_page="/my")
    assert refused.status_code == 403
    assert refusal_of(refused.text) == "此操作需要以下角色：平台管理员"
    in_language(client, "en")
    refused = post_form(client, f"/admin/organisations/{member.organisation_id}/verify", {}, form_page="/my")
    assert refusal_of(refused.text) == "This needs the role Platform admin"


# --- the JSON API: code, field and a detail in the reader's language ------------------------------------------


def test_api_refusals_carry_code_field_and_a_detail_in_the_readers_language(
    client: TestClient[Litestar], member: Member
) -> None:
    from tests.web.test_api import patent_body

    body = patent_body(member.organisation_id, 9) | {"application_number": wrong_check("202110000009")}
    for lang, detail in (("zh", "申请号：校验位应为 "), ("en", "Application number: the check character should be ")):
        answer = client.post(f"/api/patents?lang={lang}", json=body, headers=member.headers)
        assert answer.status_code == 400
        assert answer.json()["code"] == "number.check_character"
        assert answer.json()["field"] == "application_number"
        assert answer.json()["detail"].startswith(detail), answer.json()
    patent_id = register(client, member, 10)
    listing = {
        "patent_id": patent_id,
        "deal_types": ["assignment"],
        "price_mode": "fixed",
        "asking_price": 100,
        "maturity": "pilot",
        "trl": "six",
    }
    for lang, detail in (("zh-CN", "技术就绪度 TRL：须为整数"), ("en-US", "TRL: must be a whole number")):
        answer = client.post("/api/listings", json=listing, headers=member.headers | {"Accept-Language": lang})
        assert answer.status_code == 400, answer.text
        assert (answer.json()["code"], answer.json()["field"], answer.json()["detail"]) == ("type.int", "trl", detail)
    missing = client.post(
        "/api/listings", json={"patent_id": patent_id}, headers=member.headers | {"Accept-Language": "zh"}
    )
    assert missing.status_code == 400
    assert missing.json()["code"] == "required"
    assert missing.json()["detail"].endswith("：必须填写"), missing.json()


# --- the sweep: no internal name in any refusal a person reads ------------------------------------------------


def test_no_refusal_page_shows_an_internal_name(client: TestClient[Litestar], member: Member) -> None:
    patent_id = register(client, member, 11)
    login(client, "wang@xmu.example.cn", PASSWORD)
    cases: list[tuple[str, dict[str, Any], str, int]] = [
        ("/patents/new", patent_form(member, application_number=wrong_check()), "/patents/new", 400),
        ("/patents/new", patent_form(member, application_number="PCT/CN2020/123456"), "/patents/new", 400),
        ("/patents/new", patent_form(member, application_number="1999100000001"), "/patents/new", 400),
        ("/patents/new", patent_form(member, publication_number="XX", application_number=""), "/patents/new", 400),
        ("/patents/new", patent_form(member, title_zh="\u2066电池"), "/patents/new", 400),
        ("/patents/new", patent_form(member, owner_share_0="60"), "/patents/new", 400),
        ("/listings/new", listing_form(patent_id, trl="0"), "/listings/new", 400),
        ("/listings/new", listing_form(patent_id, asking_price="1e30"), "/listings/new", 400),
        ("/listings/new", listing_form(patent_id, price_mode="bogus"), "/listings/new", 400),
        ("/listings/new", listing_form(patent_id, deal_types=""), "/listings/new", 400),
        (f"/admin/organisations/{member.organisation_id}/verify", {}, "/my", 403),
    ]
    for lang in ("zh", "en"):
        in_language(client, lang)
        for path, form, form_page, status in cases:
            shown = refused_page(client, path, form, form_page, status)
            assert not INTERNAL_NAME.search(shown), (lang, path, form, shown)
            assert not re.match(r"^[a-z_.0-9]+: ", shown), (lang, path, shown)


# --- names, not ids: roles --------------------------------------------------------------------------------------


def test_roles_are_named_on_admin_people_and_my(client: TestClient[Litestar], member: Member) -> None:
    login(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    people = visible_text(client.get("/admin/people").text)
    assert "机构管理员" in people
    assert "平台管理员" in people
    for internal in ("org_admin", "platform_admin"):
        assert internal not in people
    in_language(client, "en")
    people_en = visible_text(client.get("/admin/people").text)
    assert "Organisation admin" in people_en
    assert "Platform admin" in people_en
    assert "org_admin" not in people_en

    client.cookies.clear()
    login(client, "wang@xmu.example.cn", PASSWORD)
    my = visible_text(client.get("/my").text)
    assert "机构管理员" in my
    assert "org_admin" not in my
    in_language(client, "en")
    my_en = visible_text(client.get("/my").text)
    assert "Organisation admin" in my_en
    assert "org_admin" not in my_en


def test_a_missing_record_page_names_what_was_looked_for_in_each_language(client: TestClient[Litestar]) -> None:
    unknown = "/listings/00000000-0000-4000-8000-000000000000"
    missing = client.get(unknown)
    assert missing.status_code == 404
    assert refusal_of(missing.text) == "挂牌：找不到该记录"
    in_language(client, "en")
    assert refusal_of(client.get(unknown).text) == "Listing: no such record"


# --- IPC titles: English only, and the page says so ------------------------------------------------------------


def test_the_patent_page_says_ipc_titles_are_in_english_only(client: TestClient[Litestar], member: Member) -> None:
    patent_id = register(client, member, 12)
    page = client.get(f"/patents/{patent_id}").text
    assert "Solid materials" in page  # H01M 10/0562's title in the WIPO scheme, which is in English
    assert '<small id="ipc-english-only">IPC 分类名称此处仅有英文版。</small>' in page
    in_language(client, "en")
    page_en = client.get(f"/patents/{patent_id}").text
    assert '<small id="ipc-english-only">IPC titles are published in English only here.</small>' in page_en
