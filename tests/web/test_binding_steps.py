# ruff: noqa: F811 - pytest fixtures imported from the journey module are parameters here
"""Binding steps are confirmed and explained (issue 11), from the user's side in both languages.

An open licence binds the taker to its fee: the listing's button opens a confirmation page with the terms,
the fee and the contract text (zh and en) as the contract will store them, and "confirm and sign" signs
exactly that text (its SHA-256); a text that changed in between is refused with the reason and the new
text, nothing recorded. Public notices show the patent number and how to object; the parties see no
objection box; an objector sees the seller's decision on the notice and on its deals page. Signing during
the notice, or offering on a reserved patent, is answered with a page that says why and when.
"""

from __future__ import annotations

import asyncio
import html
import re
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from litestar import Litestar
from litestar.testing import TestClient

from marketplace.platform.clock import ManualClock
from projections.deals.queries import DealsQueries
from tests.web.conftest import csrf_token, login, post_form
from tests.web.test_api import Member, listed, unverified_member, verified_member
from tests.web.test_deals_journey import (  # noqa: F401 - the fixtures
    Parties,
    clock,
    manual_client,
    negotiate,
    ok,
    parties,
    services_of,
)
from tests.web.test_deals_refusals import events
from web.state import create_pool

FEE = 5_500_000  # ¥55,000 in fen
BUYER = ("buyer@cells.example.cn", "secret-password-1")
SELLER = ("tto@fzu.example.cn", "secret-password-1")
PASSWORD = "secret-password-1"
BEIJING = ZoneInfo("Asia/Shanghai")


def open_listing(client: TestClient[Litestar], p: Parties, serial: int, fee: int = FEE) -> str:
    return listed(
        client,
        p.university,
        serial,
        deal_types=["open_licence"],
        price_mode="open_licence",
        asking_price=None,
        open_licence={"fee": fee, "royalty_rate": 3, "term_years": 3},
    )


def as_user(client: TestClient[Litestar], email: str, password: str = PASSWORD) -> None:
    client.cookies.clear()
    login(client, email, password)


def shown_texts(page: str) -> dict[str, str]:
    """The contract texts a page shows, by language, as the reader sees them (entities decoded)."""
    found = re.findall(r'<pre class="contract-text" lang="(zh|en)">(.*?)</pre>', page, flags=re.S)
    return {lang: html.unescape(body) for lang, body in found}


def shown_digest(page: str) -> str:
    return page.split('<code id="text-sha256">', 1)[1].split("</code>", 1)[0]


def confirm(client: TestClient[Litestar], listing_id: str, digest: str, lang: str = "zh") -> Any:
    path = f"/listings/{listing_id}/open-licence"
    return client.post(
        f"{path}?lang={lang}",
        data={"text_sha256": digest, "_csrf_token": csrf_token(client, path)},
        follow_redirects=False,
    )


def revise_fee(client: TestClient[Litestar], seller: Member, listing_id: str, fee: int) -> None:
    body = {
        "deal_types": ["open_licence"],
        "price_mode": "open_licence",
        "asking_price": None,
        "maturity": "pilot",
        "keywords": ["固态电池"],
        "open_licence": {"fee": fee, "royalty_rate": 3, "term_years": 3},
    }
    ok(client.put(f"/api/listings/{listing_id}", headers=seller.headers, json=body))


def my_contracts(client: TestClient[Litestar], who: Member) -> list[dict[str, Any]]:
    return list(ok(client.get("/api/my/contracts", headers=who.headers))["items"])


def beijing(instant: str) -> str:
    return datetime.fromisoformat(instant).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


# --- the open licence: confirmed, then signed as shown -------------------------------------------


def test_taking_an_open_licence_shows_the_fee_and_text_first_and_signs_exactly_that_text(
    manual_client: TestClient[Litestar],
) -> None:
    client = manual_client
    p = parties(client)
    listing_id = open_listing(client, p, 61)
    as_user(client, *BUYER)
    listing_page = client.get(f"/listings/{listing_id}").text
    assert f'href="/listings/{listing_id}/open-licence" id="take-open-licence"' in listing_page  # a link, not a post

    before = events(client)
    zh = client.get(f"/listings/{listing_id}/open-licence")
    assert zh.status_code == 200
    assert "确认取得开放许可" in zh.text
    assert "确认后，贵机构即以下列合同文本签署本开放许可合同，并须支付许可使用费 5.50 万元" in zh.text
    assert '<dd class="price" id="open-fee">5.50 万元</dd>' in zh.text
    texts = shown_texts(zh.text)
    assert list(texts) == ["zh", "en"]  # the reader's language first, both shown
    assert "入门费为 ¥55,000.00。" in texts["zh"]
    assert "The upfront fee is CNY 55,000.00." in texts["en"]
    assert "确认并签署" in zh.text
    en = client.get(f"/listings/{listing_id}/open-licence?lang=en")
    assert "Once you confirm, your organisation signs the contract below" in en.text
    assert "the licence fee of CNY 55,000" in en.text
    assert list(shown_texts(en.text)) == ["en", "zh"]
    assert "Confirm and sign" in en.text
    digest = shown_digest(zh.text)
    assert shown_digest(en.text) == digest
    assert events(client) == before  # looking records nothing
    assert my_contracts(client, p.enterprise) == []

    signed = confirm(client, listing_id, digest)
    assert signed.status_code == 303
    contract_id = signed.headers["location"].removeprefix("/contracts/")
    detail = ok(client.get(f"/api/contracts/{contract_id}", headers=p.enterprise.headers))
    k = detail["contract"]
    assert (k["text_zh"], k["text_en"], k["text_sha256"]) == (texts["zh"], texts["en"], digest)
    assert [s["text_sha256"] for s in detail["signatures"]] == [digest]
    assert k["status"] == "signed"
    assert [(o["purpose"], o["amount"]) for o in detail["obligations"]] == [("upfront", FEE)]
    assert f"合同编号：{contract_id}" in texts["zh"]  # the number shown is the contract's


def test_a_text_that_changed_since_it_was_shown_is_refused_with_the_reason_and_nothing_is_signed(
    manual_client: TestClient[Litestar],
) -> None:
    client = manual_client
    p = parties(client)
    listing_id = open_listing(client, p, 62)
    as_user(client, *BUYER)
    shown = shown_digest(client.get(f"/listings/{listing_id}/open-licence").text)
    revise_fee(client, p.university, listing_id, 6_600_000)  # the seller raises the fee meanwhile

    before = events(client)
    stale = confirm(client, listing_id, shown)
    assert stale.status_code == 409
    assert "合同文本已与您看到的不同（挂牌条件、当事人名称或起始日期已变更），未签署任何内容" in stale.text
    assert "入门费为 ¥66,000.00。" in shown_texts(stale.text)["zh"]  # the new text, to read and confirm again
    fresh = shown_digest(stale.text)
    assert fresh != shown
    assert events(client) == before
    assert my_contracts(client, p.enterprise) == []

    revise_fee(client, p.university, listing_id, 7_700_000)
    before = events(client)
    stale_en = confirm(client, listing_id, fresh, lang="en")
    assert stale_en.status_code == 409
    assert "The contract text is no longer the one you were shown" in stale_en.text
    assert "nothing was signed" in stale_en.text
    assert events(client) == before

    api = client.post(
        f"/api/listings/{listing_id}/open-licence", headers=p.enterprise.headers, json={"text_sha256": fresh}
    )
    assert api.status_code == 409
    assert api.json()["field"] == "text_sha256"
    assert events(client) == before

    signed = confirm(client, listing_id, shown_digest(stale_en.text))
    assert signed.status_code == 303
    [contract] = my_contracts(client, p.enterprise)
    assert contract["price_amount"] == 7_700_000


def test_confirming_twice_is_one_contract_and_one_obligation(manual_client: TestClient[Litestar]) -> None:
    client = manual_client
    p = parties(client)
    listing_id = open_listing(client, p, 63)
    as_user(client, *BUYER)
    digest = shown_digest(client.get(f"/listings/{listing_id}/open-licence").text)
    first = confirm(client, listing_id, digest)
    after_first = events(client)
    second = confirm(client, listing_id, digest)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert events(client) == after_first
    assert len(my_contracts(client, p.enterprise)) == 1
    assert len(ok(client.get("/api/obligations", headers=p.enterprise.headers))["items"]) == 1
    # Opening the confirmation again leads to the contract already signed.
    again = client.get(f"/listings/{listing_id}/open-licence", follow_redirects=False)
    assert again.status_code == 303
    assert again.headers["location"] == first.headers["location"]


def test_an_unverified_organisation_and_the_seller_cannot_take_up_the_open_licence(
    manual_client: TestClient[Litestar],
) -> None:
    client = manual_client
    p = parties(client)
    listing_id = open_listing(client, p, 64)
    path = f"/listings/{listing_id}/open-licence"

    anonymous = client.get(path, follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/login")

    unverified_member(client, "new@shady.example", "某新公司")
    as_user(client, "new@shady.example")
    assert 'id="take-open-licence" disabled' in client.get(f"/listings/{listing_id}").text
    before = events(client)
    zh = client.get(path)
    assert zh.status_code == 403
    assert "贵机构通过平台审核后方可报价或取得开放许可" in zh.text
    en = client.get(f"{path}?lang=en")
    assert "Your organisation can make offers and take open licences once the platform has verified it" in en.text
    forced = confirm(client, listing_id, "0" * 64)
    assert forced.status_code == 403
    assert events(client) == before

    as_user(client, *SELLER)
    assert 'id="take-open-licence"' not in client.get(f"/listings/{listing_id}").text
    own = client.get(path)
    assert own.status_code == 403
    assert "贵机构是该专利的权利人，不能向自己许可" in own.text
    assert "Your organisation owns this patent" in client.get(f"{path}?lang=en").text
    assert confirm(client, listing_id, "0" * 64).status_code == 403
    assert client.get(f"/api/listings/{listing_id}/open-licence", headers=p.university.headers).status_code == 403
    as_user(client, *BUYER)
    assert client.get(f"/listings/{uuid4()}/open-licence").status_code == 404
    assert confirm(client, str(uuid4()), "0" * 64).status_code == 404
    assert events(client) == before


def test_the_api_shows_the_text_before_the_take_up_and_signs_the_digest_sent(
    manual_client: TestClient[Litestar],
) -> None:
    client = manual_client
    p = parties(client)
    listing_id = open_listing(client, p, 65)
    assert client.get(f"/api/listings/{listing_id}/open-licence").status_code == 401
    before = events(client)
    shown = ok(client.get(f"/api/listings/{listing_id}/open-licence", headers=p.enterprise.headers))
    assert shown["terms"]["price"] == FEE
    assert events(client) == before
    taken = ok(
        client.post(
            f"/api/listings/{listing_id}/open-licence",
            headers=p.enterprise.headers,
            json={"text_sha256": shown["text_sha256"]},
        ),
        201,
    )
    assert taken["id"] == shown["contract_id"]
    k = ok(client.get(f"/api/contracts/{taken['id']}", headers=p.enterprise.headers))["contract"]
    assert (k["text_zh"], k["text_sha256"]) == (shown["text_zh"], shown["text_sha256"])
    live = ok(client.get(f"/api/listings/{listing_id}/open-licence", headers=p.enterprise.headers))
    assert live["live_contract_id"] == taken["id"]


# --- public notices ------------------------------------------------------------------------------


def notice_of(page: str, contract_id: str) -> str:
    return page.split(f'id="notice-{contract_id}"', 1)[1].split("</section>", 1)[0]


def test_the_notice_shows_the_patent_number_and_how_to_object_and_the_parties_get_no_objection_box(
    manual_client: TestClient[Litestar],
) -> None:
    client = manual_client
    p = parties(client)
    listing_id = listed(client, p.university, 66, price_mode="negotiable", asking_price=None)
    contract_id = negotiate(client, p, listing_id, offered=4_000_000, agreed=5_000_000)
    k = ok(client.get(f"/api/contracts/{contract_id}", headers=p.university.headers))["contract"]
    patent = ok(client.get(f"/api/patents/{k['patent_id']}"))["patent"]
    number = patent["publication_number"] or patent["application_number"]
    ends = beijing(k["notice_ends_at"])
    form = f'action="/contracts/{contract_id}/objections"'

    zh = notice_of(client.get("/notices").text, contract_id)
    assert f'<dt>专利号</dt><dd class="patent-number">{number}</dd>' in zh
    assert f"如何提出异议：经平台审核的机构（交易双方除外）的成员登录后，于 {ends} 北京时间 前在下方写明理由提交" in zh
    en = notice_of(client.get("/notices?lang=en").text, contract_id)
    assert f'<dt>Patent number</dt><dd class="patent-number">{number}</dd>' in en
    assert f"writes its reasons below before {ends} Beijing time" in en

    for who, zh_words, en_words in (
        (SELLER, "本机构是卖方", "Your organisation is the seller"),
        (BUYER, "本机构是买方", "Your organisation is the buyer"),
    ):
        as_user(client, *who)
        assert form not in client.get("/notices").text
        assert zh_words in notice_of(client.get("/notices").text, contract_id)
        assert en_words in notice_of(client.get("/notices?lang=en").text, contract_id)
    before = events(client)
    refused = post_form(
        client, f"/contracts/{contract_id}/objections", {"text": "我方对价格提出异议"}, form_page="/notices"
    )
    assert refused.status_code == 403  # the buyer, posting anyway
    assert "本机构是买方，已同意此价格，不能对其公示提出异议" in refused.text
    assert events(client) == before


def test_an_objector_sees_the_sellers_decision_on_the_notice_and_on_its_deals_page(
    manual_client: TestClient[Litestar],
) -> None:
    client = manual_client
    p = parties(client)
    listing_id = listed(client, p.university, 67, price_mode="negotiable", asking_price=None)
    contract_id = negotiate(client, p, listing_id, offered=4_000_000, agreed=5_000_000)
    verified_member(client, services_of(client), "watch@assoc.example.cn", "某行业协会")
    verified_member(client, services_of(client), "other@lab.example.cn", "某研究所")

    as_user(client, "watch@assoc.example.cn")
    filed = post_form(
        client, f"/contracts/{contract_id}/objections", {"text": "价格明显低于评估价值"}, form_page="/notices"
    )
    assert filed.status_code == 303
    mine = notice_of(client.get("/notices").text, contract_id)
    assert "<strong>贵机构的异议</strong>: 价格明显低于评估价值" in mine
    deals = client.get("/deals").text
    assert "本机构提出的异议" in deals
    assert "决定: <strong>待卖方决定</strong>" in deals

    as_user(client, *SELLER)
    objection_id = re.search(
        rf"/contracts/{contract_id}/objections/([0-9a-f-]+)/decide", client.get("/notices").text
    ).group(1)  # type: ignore[union-attr]
    decided = post_form(
        client,
        f"/contracts/{contract_id}/objections/{objection_id}/decide",
        {"upheld": "false", "reason": "价格经资产评估确定"},
        form_page="/notices",
    )
    assert decided.status_code == 303

    as_user(client, "watch@assoc.example.cn")
    mine = notice_of(client.get("/notices").text, contract_id)
    assert "<strong>贵机构的异议</strong>: 价格明显低于评估价值" in mine
    assert "<strong>驳回</strong> · 价格经资产评估确定" in mine
    deals = client.get("/deals").text
    assert "决定: <strong>驳回</strong> · 价格经资产评估确定" in deals
    deals_en = client.get("/deals?lang=en").text
    assert "Objections my organisation filed" in deals_en
    assert "Decision: <strong>dismissed</strong> · 价格经资产评估确定" in deals_en
    assert "<strong>Your organisation&#39;s objection</strong>" in client.get("/notices?lang=en").text

    as_user(client, "other@lab.example.cn")  # another organisation: the decision is public, the mark is not
    other = notice_of(client.get("/notices").text, contract_id)
    assert "驳回" in other
    assert "贵机构的异议" not in other
    assert "价格明显低于评估价值" not in client.get("/deals").text


# --- refusals that say why and when ----------------------------------------------------------------


def test_signing_during_the_notice_is_answered_with_when_signing_opens_in_the_readers_language(
    manual_client: TestClient[Litestar],
) -> None:
    client = manual_client
    p = parties(client)
    listing_id = listed(client, p.university, 68, price_mode="negotiable", asking_price=None)
    contract_id = negotiate(client, p, listing_id, offered=4_000_000, agreed=5_000_000)
    k = ok(client.get(f"/api/contracts/{contract_id}", headers=p.university.headers))["contract"]
    ends = beijing(k["notice_ends_at"])
    as_user(client, *BUYER)
    before = events(client)
    for lang, words in (
        ("zh", f"价格公示期内不能签署。公示于 {ends} 北京时间 结束，届时即可签署。"),
        ("en", f"The notice ends {ends} Beijing time; signing opens then."),
    ):
        path = f"/contracts/{contract_id}"
        page = client.post(
            f"{path}/sign?lang={lang}",
            data={"text_sha256": k["text_sha256"], "_csrf_token": csrf_token(client, path)},
            follow_redirects=False,
        )
        assert page.status_code == 409
        assert words in page.text
        assert re.search(r"\d\d:\d\d:\d\d", page.text.split('role="alert">', 1)[1].split("</p>", 1)[0]) is None
    assert events(client) == before


def test_an_offer_on_a_reserved_patent_is_answered_with_since_when_in_the_readers_language(
    manual_client: TestClient[Litestar],
    clock: ManualClock,
) -> None:
    client = manual_client
    p = parties(client)
    listing_id = listed(client, p.university, 69)  # at the fixed price: no notice
    ok(
        client.post(
            f"/api/listings/{listing_id}/offers",
            headers=p.enterprise.headers,
            json={"kind": "assignment", "price": 10_000_000, "valid_days": 14},
        ),
        201,
    )
    offer_id = ok(client.get("/api/my/offers", headers=p.enterprise.headers))["items"][0]["id"]
    ok(client.post(f"/api/offers/{offer_id}/accept", headers=p.university.headers))
    since = beijing(clock.now().isoformat())  # reserved when the offer was accepted
    verified_member(client, services_of(client), "late@other.example.cn", "某后来公司")
    as_user(client, "late@other.example.cn")
    before = events(client)
    path = f"/listings/{listing_id}"
    for lang, words in (
        ("zh", f"该专利自 {since} 北京时间 起为已达成的转让"),
        ("en", f"This patent has been reserved since {since} Beijing time for an assignment"),
    ):
        page = client.post(
            f"{path}/offers?lang={lang}",
            data={"kind": "assignment", "price": "100000", "_csrf_token": csrf_token(client, path)},
            follow_redirects=False,
        )
        assert page.status_code == 409, page.text
        assert words in page.text, page.text.split('role="alert">', 1)[1][:400]
    assert events(client) == before


# --- the to-do queue's facts -------------------------------------------------------------------------


def test_the_deals_queries_say_which_contracts_await_my_signature_and_which_objections_i_filed(
    manual_client: TestClient[Litestar],
    clock: ManualClock,
) -> None:
    client = manual_client
    p = parties(client)
    listing_id = listed(client, p.university, 70, price_mode="negotiable", asking_price=None)
    contract_id = negotiate(client, p, listing_id, offered=4_000_000, agreed=5_000_000)
    watcher = verified_member(client, services_of(client), "watch@assoc.example.cn", "某行业协会")
    objection = ok(
        client.post(
            f"/api/contracts/{contract_id}/objections", headers=watcher.headers, json={"text": "价格明显低于评估价值"}
        ),
        201,
    )

    async def facts(now: datetime) -> tuple[list[list[str]], list[tuple[str, str]]]:
        pool = await create_pool(services_of(client), max_size=2)
        try:
            q = DealsQueries(pool)
            to_sign = [
                [str(k.id) for k in await q.contracts_to_sign(UUID(org), now)]
                for org in (p.university.organisation_id, p.enterprise.organisation_id)
            ]
            filed = [(str(o.id), o.status) for o in await q.objections_filed(UUID(watcher.organisation_id))]
            return to_sign, filed
        finally:
            await pool.close()

    to_sign, filed = asyncio.run(facts(clock.now()))
    assert to_sign == [[], []]  # in notice
    assert filed == [(objection["id"], "open")]
    ok(
        client.post(
            f"/api/contracts/{contract_id}/objections/{objection['id']}/decide",
            headers=p.university.headers,
            json={"upheld": False, "reason": "价格经资产评估确定"},
        )
    )
    clock.advance(timedelta(days=16))
    to_sign, filed = asyncio.run(facts(clock.now()))
    assert to_sign == [[contract_id], [contract_id]]  # the notice is over: both parties are told
    assert filed == [(objection["id"], "dismissed")]
    k = ok(client.get(f"/api/contracts/{contract_id}", headers=p.university.headers))["contract"]
    ok(
        client.post(
            f"/api/contracts/{contract_id}/sign", headers=p.university.headers, json={"text_sha256": k["text_sha256"]}
        )
    )
    to_sign, _ = asyncio.run(facts(clock.now()))
    assert to_sign == [[], [contract_id]]  # the seller signed; the buyer still has to
