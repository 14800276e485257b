# ruff: noqa: F811 - pytest fixtures imported from the journey module are parameters here
"""Saved searches and follows, from the users' side: a search saved on /listings or /demands tells its
owner of each newly published listing or demand that matches (not of those that do not, nor of those
published before it was saved); following a listing tells of its price and status changes."""

from __future__ import annotations

import re
import uuid
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from domain.notifications.watching import SEARCHES_LIMIT
from tests.web.conftest import csrf_token
from tests.web.test_api import Member, listed, terms
from tests.web.test_deals_journey import clock, manual_client, ok, parties  # noqa: F401 - the fixtures
from tests.web.test_demands_web import demand_body
from tests.web.test_inbox_web import events
from tests.web.test_todo import ENTERPRISE, UNIVERSITY, as_user, attacker

SOLAR = {"title_zh": "一种钙钛矿太阳能电池组件", "title_en": "Perovskite solar module", "ipc": ("H01L 31/04",)}


def save_search(client: TestClient[Litestar], page: str) -> Any:
    """Press "save this search" on ``page`` as the logged-in user (the form carries the page's criteria)."""
    html = client.get(page).text
    form = re.search(r'<form method="post" action="/searches"[^>]*>(.*?)</form>', html, re.S)
    assert form, f"{page} offers no saved search"
    fields = dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', form.group(1)))
    return client.post("/searches", data={**fields, "_csrf_token": csrf_token(client, page)}, follow_redirects=False)


def test_a_saved_listing_search_tells_of_new_matching_listings_once(manual_client: TestClient[Litestar]) -> None:
    client = manual_client
    p = parties(client)
    spy = attacker(client)
    before = listed(client, p.university, 70)  # published before the search is saved: not news
    as_user(client, ENTERPRISE)
    saved = save_search(client, "/listings?q=固态电池&deal_type=assignment")
    assert saved.status_code == 303
    again = client.post("/searches", data={"search_id": re.search(
        r'name="search_id" value="([^"]+)"', client.get("/listings?q=固态电池").text).group(1),  # type: ignore[union-attr]
        "scope": "listings", "q": "固态电池", "_csrf_token": csrf_token(client, "/listings")}, follow_redirects=False)
    assert again.status_code == 303
    settings = client.get("/inbox/settings").text
    assert settings.count('class="saved-search"') == 2
    assert "固态电池" in settings

    matching = listed(client, p.university, 71)
    listed(client, p.university, 72, patent=SOLAR, keywords=["钙钛矿"])  # another subject: no notice
    news = events(client, p.enterprise)
    assert news.count(("search.listing", f"/listings/{matching}", False)) == 1  # two searches, one notice
    assert all(link != f"/listings/{before}" for _, link, _ in news)
    assert [e for e in news if e[0] == "search.listing"] == [("search.listing", f"/listings/{matching}", False)]
    assert events(client, spy) == []

    # A search with a price ceiling: a listing above it is not news.
    as_user(client, UNIVERSITY)
    assert save_search(client, "/listings?q=solar&price_max=50000").status_code == 303
    uni: Member = p.university
    assert [e for e in events(client, uni) if e[0] == "search.listing"] == []
    # The searcher deletes a search: no more news from it.
    as_user(client, ENTERPRISE)
    page = client.get("/inbox/settings").text
    for search_id in re.findall(r'action="/searches/([0-9a-f-]+)/delete"', page):
        client.post(f"/searches/{search_id}/delete", data={"_csrf_token": csrf_token(client, "/inbox/settings")})
    assert 'class="saved-search"' not in client.get("/inbox/settings").text
    listed(client, p.university, 73)
    assert len([e for e in events(client, p.enterprise) if e[0] == "search.listing"]) == 1


def test_following_a_listing_tells_of_its_price_and_status_changes(manual_client: TestClient[Litestar]) -> None:
    client = manual_client
    p = parties(client)
    listing_id = listed(client, p.university, 74)
    as_user(client, ENTERPRISE)
    page = client.get(f"/listings/{listing_id}").text
    assert 'id="follow-listing"' in page
    followed = client.post(f"/listings/{listing_id}/follow", data={"on": "1", "_csrf_token": csrf_token(
        client, f"/listings/{listing_id}")}, follow_redirects=False)
    assert followed.status_code == 303
    # A revision that leaves the price alone is not news; a new price is.
    ok(client.put(f"/api/listings/{listing_id}", headers=p.university.headers,
                  json=terms(keywords=["固态电池", "电解质"])))
    assert events(client, p.enterprise) == []
    ok(client.put(f"/api/listings/{listing_id}", headers=p.university.headers, json=terms(asking_price=90_000_00)))
    assert events(client, p.enterprise) == [("follow.price", f"/listings/{listing_id}", False)]
    ok(client.post(f"/api/listings/{listing_id}/withdraw", headers=p.university.headers))
    assert [e[0] for e in events(client, p.enterprise)] == ["follow.status", "follow.price"]
    assert "关注的挂牌状态变动" in client.get("/inbox").text
    assert "Status changed on a listing you follow" in client.get("/inbox?lang=en").text
    # Unfollowed from the settings page.
    settings = client.get("/inbox/settings").text
    assert listing_id in settings.split('id="follows"')[1]
    assert settings.count('id="follows"') == 1  # listed once, in the page, not inside its <title>
    assert listing_id not in settings.split("</title>")[0]
    token = csrf_token(client, "/inbox/settings")
    client.post(f"/listings/{listing_id}/follow", data={"on": "0", "_csrf_token": token})
    assert f"/listings/{listing_id}" not in client.get("/inbox/settings").text.split('id="follows"')[1]


def test_a_saved_demand_search_tells_a_university_of_a_new_demand(manual_client: TestClient[Litestar]) -> None:
    client = manual_client
    p = parties(client)
    as_user(client, UNIVERSITY)
    assert save_search(client, "/demands?q=固态电池").status_code == 303
    assert save_search(client, "/demands?q=光伏").status_code == 303
    posted = ok(client.post("/api/demands", json=demand_body(), headers=p.enterprise.headers), 201)
    assert events(client, p.university) == [("search.demand", f"/demands/{posted['id']}", False)]
    assert events(client, p.enterprise) == []


def test_a_saved_search_with_hostile_text_is_refused(manual_client: TestClient[Litestar]) -> None:
    client = manual_client
    parties(client)
    as_user(client, ENTERPRISE)
    token = csrf_token(client, "/listings")
    refused = client.post("/searches", data={"search_id": "5b0c0e58-7a57-4c1f-9b43-6c4d1b8f3a11", "scope": "listings",
                                             "q": "电池\u202e", "_csrf_token": token}, follow_redirects=False)
    assert refused.status_code == 400
    assert 'class="saved-search"' not in client.get("/inbox/settings").text


def test_a_user_keeps_at_most_fifty_saved_searches(manual_client: TestClient[Litestar]) -> None:
    client = manual_client
    parties(client)
    as_user(client, ENTERPRISE)
    token = csrf_token(client, "/listings")
    answers = [client.post("/searches", data={"search_id": str(uuid.uuid4()), "scope": "listings", "q": f"电池 {n}",
                                              "_csrf_token": token}, follow_redirects=False)
               for n in range(SEARCHES_LIMIT + 1)]
    assert [a.status_code for a in answers] == [303] * SEARCHES_LIMIT + [409]
    assert "最多保存 50 个搜索" in answers[-1].text
    page = client.get("/inbox/settings").text
    assert page.count('class="saved-search"') == SEARCHES_LIMIT
