"""Catalogue and audit refusals in the reader's words: withdrawing a registration twice, a claim on one's own
registration, an IPC code the scheme lacks or a malformed one, an unverified organisation registering, a second
listing of a listed patent, publishing a withdrawn listing and an as-of page for a time before the listing existed
are each said in Chinese and in English, naming the field by its label and never by an internal name."""

from __future__ import annotations

import re
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from marketplace.platform.services import Services
from tests.web.conftest import login, post_form
from tests.web.test_api import Member, draft, patent_body, publish, register, unverified_member, verified_member
from tests.web.test_readable_errors import INTERNAL_NAME, in_language, refusal_of

PASSWORD = "secret-password-1"


def said(
    client: TestClient[Litestar],
    method: str,
    path: str,
    who: Member,
    status: int,
    code: str,
    json: dict[str, Any] | None = None,
) -> dict[str, str]:
    """The refusal's detail in each language, as the JSON API says it (``?lang=``), with its code checked."""
    details = {}
    for lang in ("zh", "en"):
        answer = client.request(method, f"{path}?lang={lang}", headers=who.headers, json=json)
        assert answer.status_code == status, answer.text
        assert answer.json()["code"] == code, answer.json()
        detail = answer.json()["detail"]
        assert not INTERNAL_NAME.search(detail), detail
        details[lang] = detail
    return details


def test_withdrawing_a_registration_twice_says_it_was_withdrawn(
    client: TestClient[Litestar], services: Services
) -> None:
    university = verified_member(client, services, "tto@fzu.example.cn", "福州大学")
    patent_id = register(client, university, 71)
    path = f"/api/patents/{patent_id}/registration/withdraw"
    done = client.post(path, headers=university.headers, json={"reason": "申请号录入错误"})
    assert done.status_code == 200, done.text
    assert said(client, "POST", path, university, 409, "registration.withdrawn", {"reason": "再次撤回"}) == {
        "zh": "专利：该专利的登记已撤回，不能进行此操作",
        "en": "Patent: the registration of this patent was withdrawn: this cannot be done",
    }
    # On the patent page's form too, in the language the reader chose.
    login(client, "tto@fzu.example.cn", PASSWORD)
    for lang, words in (
        ("zh", "专利：该专利的登记已撤回，不能进行此操作"),
        ("en", "Patent: the registration of this patent was withdrawn: this cannot be done"),
    ):
        in_language(client, lang)
        page = post_form(
            client,
            f"/patents/{patent_id}/withdraw-registration",
            {"reason": "再次撤回"},
            form_page=f"/patents/{patent_id}",
        )
        assert page.status_code == 409
        assert refusal_of(page.text) == words


def test_a_claim_on_ones_own_registration_is_refused_in_each_language(
    client: TestClient[Litestar], services: Services
) -> None:
    university = verified_member(client, services, "tto@fzu.example.cn", "福州大学")
    patent_id = register(client, university, 72)
    login(client, "tto@fzu.example.cn", PASSWORD)
    for lang, words in (
        ("zh", "专利：该专利由贵机构登记，请直接撤回登记"),
        ("en", "Patent: your organisation registered this patent; withdraw the registration instead"),
    ):
        in_language(client, lang)
        page = post_form(
            client,
            f"/patents/{patent_id}/claims",
            {"evidence": "登记簿副本", "reference": ""},
            form_page=f"/patents/{patent_id}",
        )
        assert page.status_code == 409
        assert refusal_of(page.text) == words
    assert client.get("/api/claims", headers=university.headers).json()["total"] == 0


def test_ipc_codes_the_scheme_lacks_or_malformed_are_named_with_the_code_typed(
    client: TestClient[Litestar], services: Services
) -> None:
    member = verified_member(client, services, "wang@xmu.example.cn", "厦门大学")
    unknown = patent_body(member.organisation_id, 73, ipc=("H01M 10/0562", "H01M 50/403"))
    details = said(client, "POST", "/api/patents", member, 400, "ipc.unknown", unknown)
    assert re.fullmatch(r"IPC 分类号：H01M 50/403 不在 IPC 分类表（\S+ 版）中", details["zh"]), details
    assert re.fullmatch(r"IPC codes: H01M 50/403 is not in the IPC scheme \(edition \S+\)", details["en"]), details
    malformed = patent_body(member.organisation_id, 74, ipc=("H01M-10",))
    assert said(client, "POST", "/api/patents", member, 400, "ipc.form", malformed) == {
        "zh": "IPC 分类号：“H01M-10”不是有效的 IPC 分类号，应写作如 A21D 13/00、A21D、A21 或 A",
        "en": "IPC codes: “H01M-10” is not an IPC code; write it like A21D 13/00, A21D, A21 or A",
    }


def test_an_unverified_organisation_registering_is_told_by_name_in_each_language(
    client: TestClient[Litestar],
) -> None:
    newcomer = unverified_member(client, "bd@new.example.cn", "厦门新创科技有限公司")
    body = patent_body(newcomer.organisation_id, 75)
    assert said(client, "POST", "/api/patents", newcomer, 403, "organisation.unverified_register", body) == {
        "zh": "厦门新创科技有限公司须经平台审核后才能登记专利",
        "en": "厦门新创科技有限公司 must be verified by the platform before it can register patents",
    }


def test_a_second_listing_and_publishing_a_withdrawn_listing_are_refused_in_each_language(
    client: TestClient[Litestar], services: Services
) -> None:
    member = verified_member(client, services, "wang@xmu.example.cn", "厦门大学")
    patent_id = register(client, member, 76)
    listing_id = draft(client, member, patent_id)
    publish(client, member, listing_id)
    second = {"patent_id": patent_id, "deal_types": ["assignment"], "price_mode": "negotiable", "maturity": "pilot"}
    assert said(client, "POST", "/api/listings", member, 409, "listing.active_exists", second) == {
        "zh": "专利：该专利已有进行中的挂牌，请先撤牌",
        "en": "Patent: this patent already has an active listing; withdraw it first",
    }
    withdrawn = client.post(f"/api/listings/{listing_id}/withdraw", headers=member.headers, json={"reason": "暂停"})
    assert withdrawn.status_code == 200, withdrawn.text
    details = said(client, "POST", f"/api/listings/{listing_id}/publish", member, 409, "listing.state")
    assert details["zh"].endswith("该挂牌已撤牌，不能进行此操作"), details
    assert details["en"].endswith("the listing is withdrawn: this cannot be done"), details


def test_an_as_of_page_before_the_listing_existed_says_so_in_beijing_time(
    client: TestClient[Litestar], services: Services
) -> None:
    member = verified_member(client, services, "wang@xmu.example.cn", "厦门大学")
    listing_id = draft(client, member, register(client, member, 77))
    publish(client, member, listing_id)
    for lang, words in (
        ("zh", "挂牌：在 2020-01-01 08:00（北京时间）尚无此记录"),
        ("en", "Listing: there was no such record yet at 2020-01-01 08:00 (Beijing time)"),
    ):
        page = client.get(f"/listings/{listing_id}/as-of", params={"at": "2020-01-01T00:00:00Z", "lang": lang})
        assert page.status_code == 404
        assert words in page.text, page.text
        assert "listing_id" not in page.text


def test_a_listing_awaiting_co_owners_names_them_and_a_wrong_patent_type_names_both_types(
    client: TestClient[Litestar], services: Services
) -> None:
    university = verified_member(client, services, "tto@fzu.example.cn", "福州大学")
    institute = verified_member(client, services, "ip@fjirsm.example.cn", "中国科学院福建物质结构研究所")
    owners = [
        {"organisation_id": university.organisation_id, "share": 60},
        {"organisation_id": institute.organisation_id, "share": 40},
    ]
    patent_id = register(client, university, 78, owners=owners)
    body = {"patent_id": patent_id, "deal_types": ["assignment"], "price_mode": "negotiable", "maturity": "pilot"}
    assert said(client, "POST", "/api/listings", university, 409, "registration.unconfirmed", body) == {
        "zh": "专利：须待共有人确认登记后才能进行此操作（尚待：中国科学院福建物质结构研究所）",
        "en": "Patent: this waits until the co-owners confirm the registration (awaiting 中国科学院福建物质结构研究所)",
    }
    design = patent_body(university.organisation_id, 79, patent_type="design")  # an invention's number
    assert said(client, "POST", "/api/patents", university, 400, "patent_type.mismatch", design) == {
        "zh": "专利类型：按申请号的类型位，这是发明专利，而不是外观设计专利",
        "en": "Patent type: the application number's type digit means invention, not design",
    }
