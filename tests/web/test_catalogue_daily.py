"""The catalogue as it is used every day (issue 11): finding a listing by its patent number however it is
typed, sorting, a page past the end, the chain of title and the licences on a patent's page, "licences we
hold" on /my, and a patent that expires by itself at the end of its term."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse
from uuid import UUID
from zoneinfo import ZoneInfo

from litestar import Litestar
from litestar.testing import TestClient

from domain.catalogue.patent_numbers import cn_check_character
from marketplace.platform.clock import ManualClock
from marketplace.platform.deadlines import DeadlineWorker
from marketplace.platform.services import Services
from tests.web.conftest import login
from tests.web.test_api import Member, listed, search, verified_member
from tests.web.test_audit_pages import settle
from tests.web.test_deals_journey import (
    clock,
    manual_client,
    negotiate,
    ok,
    parties,
    services_of,
    through_notice,
)

FIXTURES = (clock, manual_client)  # the deal journeys' fixtures, used here by name

APPLICATION = "201710451976"
PUBLICATION = "CN107123456A"


def cn(digits: str) -> str:
    return f"{digits}.{cn_check_character(digits)}"


def rows(services: Services, query: str, *params: Any) -> list[dict[str, Any]]:
    with services.views["catalogue"].datastore.transaction(commit=False) as curs:
        curs.execute(query, params)
        return [dict(r) for r in curs.fetchall()]


def listing_ids(page: str) -> list[str]:
    """The listings a results page shows, in order."""
    return re.findall(r'<h3><a href="/listings/([0-9a-f-]{36})"', page)


# --- search by number ------------------------------------------------------------------------------
def test_a_listing_is_found_by_its_application_or_publication_number_however_it_is_typed(
    client: TestClient[Litestar], services: Services
) -> None:
    uni = verified_member(client, services, "tto@fzu.example.cn", "福州大学")
    number = cn(APPLICATION)
    wanted = listed(client, uni, 1, patent={"application_number": number, "publication_number": PUBLICATION})
    other = listed(client, uni, 2)  # another battery patent: the same words, another number
    check = number[-1]
    for typed in (number, APPLICATION, APPLICATION + check, f"CN{number}", f"CN {number}", f"ZL{number}",
                  f"cn{APPLICATION}", PUBLICATION, "CN107123456B", "107123456"):
        found = search(client, q=typed)
        assert [i["id"] for i in found["items"]] == [wanted], typed
        patents = ok(client.get("/api/patents", params={"q": typed}))
        assert [p["application_number"] for p in patents["items"]] == [number], typed
    wrong_check = "0" if check != "0" else "1"
    assert search(client, q=APPLICATION + "." + wrong_check)["items"] == []
    assert search(client, q="CN107123457A")["items"] == []
    # Numbers and words together: both must match.
    assert [i["id"] for i in search(client, q=f"电池 {number}")["items"]] == [wanted]
    assert search(client, q=f"风电 {number}")["items"] == []
    assert {i["id"] for i in search(client, q="电池")["items"]} == {wanted, other}
    # The page, in both languages.
    for lang in ("zh", "en"):
        page = client.get("/listings", params={"q": number, "lang": lang})
        assert page.status_code == 200
        assert listing_ids(page.text) == [wanted]


# --- sorting and paging ---------------------------------------------------------------------------
def expected_order(listings: list[dict[str, Any]], sort: str) -> list[str]:
    """The order a user expects, computed from the read model's rows."""
    def newest(r: dict[str, Any]) -> tuple[float, str]:
        return (-r["published_at"].timestamp(), str(r["id"]))

    if sort == "newest":
        return [str(r["id"]) for r in sorted(listings, key=newest)]
    priced = [r for r in listings if r["price_mode"] != "negotiable" and r["price_amount"] is not None]
    unpriced = [r for r in listings if r not in priced]
    sign = 1 if sort == "price_asc" else -1
    ordered = sorted(priced, key=lambda r: (sign * r["price_amount"], *newest(r))) + sorted(unpriced, key=newest)
    return [str(r["id"]) for r in ordered]


def test_listings_sort_by_newest_and_by_price_with_negotiable_prices_last(
    client: TestClient[Litestar], services: Services
) -> None:
    uni = verified_member(client, services, "tto@fzu.example.cn", "福州大学")
    listed(client, uni, 1, asking_price=30_000_000)
    listed(client, uni, 2, price_mode="negotiable", asking_price=None)
    listed(client, uni, 3, asking_price=10_000_000)
    listed(client, uni, 4, asking_price=50_000_000)
    listed(client, uni, 5, price_mode="negotiable", asking_price=None)
    published = rows(services, "SELECT id, price_mode, price_amount, published_at FROM catalogue_listings"
                               " WHERE status = 'published'")
    assert len(published) == 5
    for sort in ("newest", "price_asc", "price_desc"):
        want = expected_order(published, sort)
        assert [i["id"] for i in search(client, sort=sort)["items"]] == want, sort
        for lang in ("zh", "en"):
            page = client.get("/listings", params={"sort": sort, "lang": lang})
            assert listing_ids(page.text) == want, (sort, lang)
            assert f'<option value="{sort}" selected>' in page.text
    cheapest_first = expected_order(published, "price_asc")
    assert [r["price_amount"] for r in sorted(published, key=lambda r: cheapest_first.index(str(r["id"])))] == [
        10_000_000, 30_000_000, 50_000_000, None, None]
    # Without a query the default is newest; with one, relevance (the select says which).
    assert '<option value="newest" selected>' in client.get("/listings").text
    assert '<option value="relevance" selected>' in client.get("/listings", params={"q": "电池"}).text
    labels = client.get("/listings", params={"lang": "en"}).text
    assert "Price: low to high" in labels
    assert "Sort by" in labels
    assert "价格从低到高" in client.get("/listings", params={"lang": "zh"}).text
    # The sort survives a filter's links, the htmx partial, and the language switch.
    page = client.get("/listings", params={"sort": "price_desc", "deal_type": "assignment"}).text
    pager_and_facets = re.findall(r'href="(/listings\?[^"]+)"', page)
    assert pager_and_facets
    assert all("sort=price_desc" in unquote(h) for h in pager_and_facets), pager_and_facets
    switch = re.search(r'href="(/lang/en\?next=[^"]+)"', page)
    assert switch is not None
    back = client.get(switch.group(1).replace("&amp;", "&"), follow_redirects=False)
    assert parse_qs(urlparse(back.headers["location"]).query)["sort"] == ["price_desc"]
    partial = client.get("/listings", params={"sort": "price_desc"},
                         headers={"HX-Request": "true", "HX-Target": "results"})
    assert "<html" not in partial.text
    assert listing_ids(partial.text) == expected_order(published, "price_desc")
    # An unknown order is the default, not an error; the API refuses it.
    assert listing_ids(client.get("/listings", params={"sort": "cheapest"}).text) == expected_order(published,
                                                                                                   "newest")
    assert client.get("/api/listings", params={"sort": "cheapest"}).status_code == 400


def test_a_page_past_the_end_says_so_and_links_back_to_the_last_page(
    client: TestClient[Litestar], services: Services
) -> None:
    uni = verified_member(client, services, "tto@fzu.example.cn", "福州大学")
    for serial in range(1, 23):  # 22 listings: two pages of 20
        listed(client, uni, serial, asking_price=serial * 1_000_000)
    for lang, words in (("zh", ("本页没有结果", "回到最后一页（第 2 页）")),
                        ("en", ("No results on this page.", "Back to the last page (page 2)"))):
        page = client.get("/listings", params={"page": 99, "sort": "price_asc", "lang": lang})
        assert page.status_code == 200
        assert all(w in page.text for w in words), lang
        back = re.search(r'<a href="([^"]+)"[^>]*id="last-page"', page.text)
        assert back is not None
        target = back.group(1).replace("&amp;", "&")
        assert parse_qs(urlparse(target).query) == {"page": ["2"], "sort": ["price_asc"]}
        last = client.get(target)
        assert len(listing_ids(last.text)) == 2
        assert "id=\"past-the-end\"" not in last.text
    # With nothing found at all, the way back is to the first page.
    nothing = client.get("/listings", params={"page": 3, "q": "风电"})
    assert 'id="past-the-end"' in nothing.text
    target = re.search(r'<a href="([^"]+)"[^>]*id="last-page"', nothing.text)
    assert target is not None
    assert "page=" not in target.group(1)


# --- chain of title and licences --------------------------------------------------------------------
def test_the_patent_page_shows_the_chain_of_title_once_an_assignment_takes_effect(
    manual_client: TestClient[Litestar], clock: ManualClock
) -> None:
    client = manual_client
    p = parties(client)
    listing_id = listed(client, p.university, 21, price_mode="negotiable", asking_price=None)
    patent_id = ok(client.get(f"/api/listings/{listing_id}"))["patent"]["id"]
    before = client.get(f"/patents/{patent_id}", params={"lang": "en"}).text
    assert "No change of ownership since registration." in before
    contract_id = negotiate(client, p, listing_id, offered=80_000_000, agreed=90_000_000)
    # In talks (and in its public notice): the listing and the patent say so.
    assert 'id="under-negotiation"' in client.get(f"/listings/{listing_id}").text
    assert "洽谈中" in client.get(f"/patents/{patent_id}").text
    through_notice(client, p, clock, contract_id)
    ok(client.post(f"/api/contracts/{contract_id}/payments", headers=p.enterprise.headers,
                   json={"purpose": "upfront"}), 201)
    obligation = ok(client.get("/api/obligations", headers=p.enterprise.headers))["items"][0]
    ok(client.post(f"/api/obligations/{obligation['id']}/receipt", headers=p.admin.headers,
                   json={"amount": 90_000_000, "bank_reference": "ICBC-20260320-0042"}))
    ok(client.post(f"/api/contracts/{contract_id}/registration", headers=p.enterprise.headers,
                   json={"reference": "著变字2026第0042号"}))
    settle(services_of(client))
    # When the transfer was recorded (the event's time), shown in Beijing time.
    recorded = rows(services_of(client), "SELECT transferred_at FROM catalogue_ownership_history WHERE patent_id = %s",
                    patent_id)
    assert len(recorded) == 1
    beijing = recorded[0]["transferred_at"].astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")
    for lang, heading in (("zh", "权属变更记录"), ("en", "Chain of title")):
        page = client.get(f"/patents/{patent_id}", params={"lang": lang}).text
        chain = page[page.index('id="chain-of-title"'):page.index('id="licences"')]
        assert heading in page
        row = re.search(r"<tbody>\s*<tr[^>]*>(.*?)</tr>", chain, re.S)
        assert row is not None, chain
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", row.group(1), re.S)]
        assert cells[0] == "福州大学"
        assert cells[1] == "宁德电芯科技有限公司"
        assert cells[2] == beijing
        assert cells[3].startswith("著变字2026第0042号")
        assert "洽谈中" not in page
        assert "Under negotiation" not in page
    # Sold: the listing is closed and no longer in talks.
    assert 'id="under-negotiation"' not in client.get(f"/listings/{listing_id}").text


def licence_offer(client: TestClient[Litestar], buyer: Member, listing_id: str) -> str:
    offer = ok(client.post(f"/api/listings/{listing_id}/offers", headers=buyer.headers, json={
        "kind": "exclusive_licence", "price": 5_000_000, "valid_days": 14,
        "scope": {"field_of_use": "动力电池", "territory": "福建省", "start": "2026-04-01", "end": "2031-04-01"}}), 201)
    return str(offer["id"])


def test_a_licence_in_force_shows_on_the_patent_and_on_the_licensees_my_page(
    manual_client: TestClient[Litestar], clock: ManualClock
) -> None:
    client = manual_client
    p = parties(client)
    listing_id = listed(client, p.university, 22, deal_types=["exclusive_licence", "non_exclusive_licence"],
                        price_mode="negotiable", asking_price=None)
    patent_id = ok(client.get(f"/api/listings/{listing_id}"))["patent"]["id"]
    offer_id = licence_offer(client, p.enterprise, listing_id)
    ok(client.post(f"/api/offers/{offer_id}/accept", headers=p.university.headers))
    contract_id = ok(client.get(f"/api/offers/{offer_id}", headers=p.enterprise.headers))["offer"]["contract_id"]
    reserved = client.get(f"/patents/{patent_id}", params={"lang": "en"}).text
    assert "Reserved (contract not yet in force)" in reserved
    # Reserved is not yet licensed: the listing says it is in talks, not that it is licensed.
    in_talks = client.get(f"/listings/{listing_id}", params={"lang": "en"}).text
    assert "Licensed · " not in in_talks
    assert 'id="under-negotiation"' in in_talks
    assert "宁德电芯科技有限公司" not in in_talks  # nor who is to hold it
    through_notice(client, p, clock, contract_id)
    ok(client.post(f"/api/contracts/{contract_id}/payments", headers=p.enterprise.headers,
                   json={"purpose": "upfront"}), 201)
    obligation = ok(client.get("/api/obligations", headers=p.enterprise.headers))["items"][0]
    ok(client.post(f"/api/obligations/{obligation['id']}/receipt", headers=p.admin.headers,
                   json={"amount": 5_000_000, "bank_reference": "BOC-0001"}))
    settle(services_of(client))

    def licence_rows(page: str) -> list[list[str]]:
        register = page[page.index('id="licences"'):]
        body = register[register.index("<tbody>"):register.index("</tbody>")]
        return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", tr, re.S)]
                for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S)]

    # Anyone sees what the patent is encumbered with, not who holds it.
    for lang, want in (("zh", ["独占许可", "动力电池", "福建省", "2026-04-01 – 2031-04-01", "有效"]),
                       ("en", ["Exclusive licence", "动力电池", "福建省", "2026-04-01 – 2031-04-01", "In force"])):
        assert licence_rows(client.get(f"/patents/{patent_id}", params={"lang": lang}).text) == [want]
        listing = client.get(f"/listings/{listing_id}", params={"lang": lang}).text
        assert ("已许可 · 独占许可" if lang == "zh" else "Licensed · Exclusive licence") in listing
        assert 'id="under-negotiation"' not in listing
        assert "宁德电芯科技有限公司" not in listing  # the kind of licence, not the licensee
    assert "宁德电芯科技有限公司" not in client.get(f"/patents/{patent_id}").text
    # The licensor and the licensee see the licensee's name.
    for email in ("tto@fzu.example.cn", "buyer@cells.example.cn"):
        login(client, email, "secret-password-1")
        assert licence_rows(client.get(f"/patents/{patent_id}").text)[0][-1] == "宁德电芯科技有限公司"
        client.cookies.clear()
    # The licensee's /my lists the licence it holds; the licensor's does not.
    login(client, "buyer@cells.example.cn", "secret-password-1")
    for lang, words in (("zh", ("本机构持有的许可", "独占许可", "动力电池", "有效")),
                        ("en", ("Licences we hold", "Exclusive licence", "动力电池", "In force"))):
        my = client.get("/my", params={"lang": lang}).text
        held = my[my.index('id="licences-held"'):]
        held = held[:held.index("</section>")]
        assert all(w in held for w in words), lang
        assert f"/contracts/{contract_id}" in held
        assert f"/patents/{patent_id}#licences" in held
    client.cookies.clear()
    login(client, "tto@fzu.example.cn", "secret-password-1")
    my = client.get("/my").text
    assert "本机构尚未持有任何许可。" in my
    client.cookies.clear()
    assert client.get("/my", follow_redirects=False).status_code in (302, 303)


# --- the end of a patent's term ----------------------------------------------------------------------
def test_the_deadline_worker_expires_a_patent_at_the_end_of_its_term_and_suspends_its_listing_once(
    manual_client: TestClient[Litestar], clock: ManualClock
) -> None:
    client = manual_client
    services = services_of(client)
    p = parties(client)
    # An invention filed on 2006-03-10: protected for 20 years, until 2026-03-09; expired from 2026-03-10.
    listing_id = listed(client, p.university, 23, patent={"filing_date": "2006-03-10", "legal_status": "granted"})
    patent_id = ok(client.get(f"/api/listings/{listing_id}"))["patent"]["id"]
    assert ok(client.get(f"/api/patents/{patent_id}"))["patent"]["expiry_date"] == "2026-03-10"
    worker = DeadlineWorker(services)
    clock.set(datetime(2026, 3, 9, 15, 59, tzinfo=UTC))
    assert worker.run_once().patents_expired == []  # 23:59 on 9 March in Beijing: still protected
    clock.advance(timedelta(minutes=1))  # midnight in Beijing
    assert worker.run_once().patents_expired == [UUID(patent_id)]
    assert worker.run_once().patents_expired == []  # once
    settle(services)
    assert worker.run_once().patents_expired == []
    history = rows(services, "SELECT legal_status, effective_date, reason FROM catalogue_status_history"
                             " WHERE patent_id = %s ORDER BY version", patent_id)
    assert history[-1] == {"legal_status": "expired", "effective_date": date(2026, 3, 10),
                           "reason": "term of protection ended"}
    assert [h["legal_status"] for h in history].count("expired") == 1
    suspended = rows(services, "SELECT status FROM catalogue_listings WHERE id = %s", listing_id)
    assert suspended == [{"status": "suspended"}]
    for lang, words in (("zh", ("已暂停", "届满失效", "保护期已于 2026-03-10 届满", "保护期届满")),
                        ("en", ("Suspended", "Expired", "Its term of protection ended on 2026-03-10",
                                "Term of protection ended"))):
        page = client.get(f"/listings/{listing_id}", params={"lang": lang}).text
        assert 'id="suspended-reason"' in page
        assert all(w in page for w in words), lang
    assert listing_id not in [i["id"] for i in search(client)["items"]]
    assert listing_id in [i["id"] for i in search(client, status="suspended")["items"]]
    # Nobody can make an offer on it any more.
    refused = client.post(f"/api/listings/{listing_id}/offers", headers=p.enterprise.headers,
                          json={"kind": "assignment", "price": 1_000_000, "valid_days": 14})
    assert refused.status_code in (403, 409), refused.text
