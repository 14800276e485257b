"""Achievement packages (科技成果包) over HTTP, from the users' side (issue 14, done-when 2): a transfer agency
curates a package and schedules it; the deadline worker publishes it on its day (a controlled clock); an
enterprise follows it; a second edition shows what it added and dropped, a withdrawn listing shows so inside
the package, and the follower is told on its to-do until it marks the edition read. And the attacks: another
organisation editing, an enterprise curating, an unpublished package hidden, published editions immutable."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from marketplace.audit.rebuild_check import rebuild_check
from marketplace.platform.clock import ManualClock
from marketplace.platform.database import DatabaseAddress
from marketplace.platform.deadlines import DeadlineWorker
from marketplace.platform.services import Services, build_services
from marketplace.platform.settings import Settings
from tests.web.conftest import csrf_token, login, sign_up_verified
from tests.web.test_api import Member, _member, draft, listed, patent_body, register, verified_member

PASSWORD = "secret-password-1"
START = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 on 2 March in Beijing


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def services(database: DatabaseAddress, ipc_scheme: Any, tmp_path: Path, clock: ManualClock) -> Iterator[Services]:
    settings = Settings.from_env({"MARKETPLACE_DATA_DIR": str(tmp_path), "MARKETPLACE_DEMO_DATA": "0"})
    svc = build_services(settings, address=database, ipc_scheme=ipc_scheme, clock=clock)
    yield svc
    svc.close()


def member(client: TestClient[Litestar], services: Services, email: str, org: str, kind: str) -> Member:
    sign_up_verified(client, services, email, org, kind=kind, password=PASSWORD)
    return _member(client, email, PASSWORD)


@pytest.fixture
def market(client: TestClient[Litestar], services: Services) -> dict[str, Any]:
    fzu = verified_member(client, services, "wang@fzu.example.cn", "福州大学")
    return {
        "fzu": fzu,
        "agency": member(client, services, "lin@hxtt.example.cn", "海峡技术转移中心", "transfer_agency"),
        "rival": member(client, services, "xu@fjte.example.cn", "福建省技术交易所", "transfer_agency"),
        "firm": member(client, services, "chen@ningde.example.cn", "宁德新能源科技有限公司", "enterprise"),
        "listings": [listed(client, fzu, n) for n in (1, 2, 3)],
    }


def publish_day(client: TestClient[Litestar], services: Services, clock: ManualClock, day: datetime) -> list[Any]:
    clock.set(day)
    published = DeadlineWorker(services).run_once().packages_published
    services.make_runner().catch_up()
    return published


def test_a_package_publishes_itself_on_its_day_and_its_second_edition_shows_its_changes_to_a_follower(
    client: TestClient[Litestar], services: Services, clock: ManualClock, market: dict[str, Any],
) -> None:
    agency, firm, fzu = market["agency"], market["firm"], market["fzu"]
    a, b, c = market["listings"]
    body = {"title_zh": "新能源电池成果包 2026 第一期", "title_en": "New-energy batteries 2026, issue 1",
            "description_zh": "固态电池与隔膜成果", "description_en": "Solid-state batteries and separators",
            "industry": "新能源", "listing_ids": [a, b]}
    drafted = client.post("/api/packages", json=body, headers=agency.headers)
    assert drafted.status_code == 201, drafted.text
    package = drafted.json()["id"]
    assert client.get(f"/api/packages/{package}").status_code == 404  # not published: hidden from the public
    assert client.get(f"/packages/{package}").status_code == 404
    assert package not in client.get("/api/packages").text
    scheduled = client.post(f"/api/packages/{package}/schedule", json={"publish_on": "2026-03-05"},
                            headers=agency.headers)
    assert scheduled.status_code == 200, scheduled.text
    assert client.get(f"/api/packages/{package}", headers=agency.headers).json()["package"]["publish_on"] == (
        "2026-03-05")

    # 23:59 on 4 March in Beijing: not yet. 00:00 on 5 March in Beijing: the worker publishes it.
    assert publish_day(client, services, clock, datetime(2026, 3, 4, 15, 59, tzinfo=UTC)) == []
    assert client.get(f"/api/packages/{package}").status_code == 404
    assert [str(x) for x in publish_day(client, services, clock, datetime(2026, 3, 4, 16, 0, tzinfo=UTC))] == [
        package]
    first = client.get(f"/api/packages/{package}").json()
    assert first["package"]["edition"] == 1
    assert first["package"]["publish_on"] is None
    assert [e["listing_ids"] for e in first["editions"]] == [[a, b]]
    assert package in client.get("/api/packages").text

    # An enterprise follows it (twice: one follow); the first edition is no news to it.
    for _ in range(2):
        assert client.post(f"/api/packages/{package}/follow", headers=firm.headers).status_code == 200
    assert client.get(f"/api/packages/{package}").json()["package"]["followers"] == 1
    assert "package_edition" not in client.get("/api/todo", headers=firm.headers).text

    # Another agency cannot edit it, an enterprise cannot curate; nothing is recorded by them.
    version = client.get(f"/api/packages/{package}").json()["package"]["version"]
    stranger = client.post(f"/api/packages/{package}", json=body | {"listing_ids": [a]},
                           headers=market["rival"].headers)
    assert stranger.status_code == 403
    assert "package.not_curator" in stranger.text
    firm_draft = client.post("/api/packages", json=body, headers=firm.headers)
    assert firm_draft.status_code == 403
    assert "package.curator_only" in firm_draft.text
    assert client.get(f"/api/packages/{package}").json()["package"]["version"] == version
    assert len(client.get("/api/packages").json()["packages"]) == 1

    # The second edition drops a, adds c; b is withdrawn meanwhile and shows so inside the package.
    revised = client.post(f"/api/packages/{package}", json=body | {"listing_ids": [b, c],
                          "title_zh": "新能源电池成果包 2026 第二期", "title_en": "New-energy batteries 2026, issue 2"},
                          headers=agency.headers)
    assert revised.status_code == 200, revised.text
    assert client.get(f"/api/packages/{package}").json()["editions"][0]["listing_ids"] == [a, b]  # edition 1 stands
    assert client.post(f"/api/packages/{package}/schedule", json={"publish_on": "2026-04-01"},
                       headers=agency.headers).status_code == 200
    withdrawn = client.post(f"/api/listings/{b}/withdraw", json={"reason": "已另行转让"}, headers=fzu.headers)
    assert withdrawn.status_code == 200, withdrawn.text
    assert publish_day(client, services, clock, datetime(2026, 3, 31, 16, 30, tzinfo=UTC))
    second = client.get(f"/api/packages/{package}").json()
    latest = second["editions"][0]
    assert (latest["number"], latest["added"], latest["dropped"], latest["listing_ids"]) == (2, [c], [a], [b, c])
    assert {x["id"]: x["status"] for x in second["listings"]}[b] == "withdrawn"

    # The page shows the changes and the withdrawn listing, in Chinese and English; the follower is told.
    page = client.get(f"/packages/{package}")
    assert "第 2 版" in page.text
    assert "新能源电池成果包 2026 第二期" in page.text
    added = re.search(r'<ul id="package-added">(.*?)</ul>', page.text, re.S)
    dropped = re.search(r'<ul id="package-dropped">(.*?)</ul>', page.text, re.S)
    assert added is not None
    assert c in added.group(1)
    assert dropped is not None
    assert a in dropped.group(1)
    state = re.search(rf'id="package-listing-{b}" data-status="withdrawn".*?</li>', page.text, re.S)
    assert state is not None
    assert "已撤牌" in state.group(0)
    english = client.get(f"/packages/{package}", params={"lang": "en"})
    assert "Edition 2" in english.text
    assert "Changes since the previous edition" in english.text
    assert "Withdrawn" in english.text
    printable = client.get(f"/packages/{package}/print")
    assert printable.status_code == 200
    assert 'id="package-printable"' in printable.text
    assert "已撤牌" in printable.text
    todo = client.get("/api/todo", headers=firm.headers).json()
    news = [i for i in todo["items"] if i["kind"] == "package_edition"]
    assert [(i["link"], i["title_en"]) for i in news] == [
        (f"/packages/{package}#package-changes", "New-energy batteries 2026, issue 2 · edition 2")]

    # In the browser's way: the follower reads the page and marks the edition read; the news leaves the to-do.
    login(client, "chen@ningde.example.cn", PASSWORD)
    assert "package-news" in client.get(f"/packages/{package}").text
    token = csrf_token(client, f"/packages/{package}")
    seen = client.post(f"/packages/{package}/seen", data={"_csrf_token": token}, follow_redirects=False)
    assert seen.status_code == 303
    assert "package_edition" not in client.get("/api/todo", headers=firm.headers).text

    # The read model is rebuilt from the log identically.
    report = rebuild_check(services, names=["market_packages"])
    assert report.tables
    assert not report.differences, report.lines()


def test_a_curator_drafts_and_edits_through_the_forms_and_a_double_submit_drafts_one(
    client: TestClient[Litestar], services: Services, market: dict[str, Any],
) -> None:
    a, b, _ = market["listings"]
    login(client, "lin@hxtt.example.cn", PASSWORD)
    token = csrf_token(client, "/packages/new")
    page = client.get("/packages/new").text
    chosen = re.search(r'name="package_id" value="([^"]+)"', page)
    assert chosen is not None
    form = {"_csrf_token": token, "package_id": chosen.group(1), "title_zh": "海洋生物成果包",
            "industry": "海洋经济", "listing_ids": f"{a}\n{b}"}
    first = client.post("/packages", data=form, follow_redirects=False)
    again = client.post("/packages", data=form, follow_redirects=False)
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    mine = client.get("/api/packages", headers=market["agency"].headers).json()["packages"]
    assert [p["title_zh"] for p in mine] == ["海洋生物成果包"]
    package = mine[0]["id"]
    bad = client.post(f"/packages/{package}/schedule", data={"_csrf_token": token, "publish_on": "2026-03-01"})
    assert bad.status_code == 400  # a day already past: refused on the page, in words
    assert "发布日期须为今天或以后" in bad.text
    edited = client.post(f"/packages/{package}/edit", data={**form, "listing_ids": f"{b}"}, follow_redirects=False)
    assert edited.status_code == 303
    assert client.get(f"/api/packages/{package}", headers=market["agency"].headers).json()["package"][
        "listing_ids"] == [b]
    client.cookies.clear()  # a visitor without a session
    assert client.get(f"/packages/{package}").status_code == 404  # not published: the public does not see it


def test_a_curator_picks_listings_by_title_or_number_instead_of_typing_ids(
    client: TestClient[Litestar], services: Services, market: dict[str, Any],
) -> None:
    a, b, c = market["listings"]
    fzu = market["fzu"]
    other = listed(client, fzu, 4, patent={"title_zh": "海水淡化反渗透膜", "title_en": "Reverse-osmosis membrane"})
    draft_only = client.post("/api/patents", headers=fzu.headers, json=patent_body(fzu.organisation_id, 5,
                             title_zh="海水淡化预处理装置", title_en="Desalination pretreatment"))
    assert draft_only.status_code == 201  # registered, never listed: not offered by the picker
    login(client, "lin@hxtt.example.cn", PASSWORD)
    token = csrf_token(client, "/packages/new")
    page = client.get("/packages/new").text
    assert 'id="picker-none"' in page
    assert 'name="listing_ids"' not in page  # no ids to type
    package_id = re.search(r'name="package_id" value="([^"]+)"', page)
    assert package_id is not None
    form = {"_csrf_token": token, "package_id": package_id.group(1), "title_zh": "海水淡化成果包",
            "industry": "海洋经济"}

    # A search by title finds the published listing only, and keeps what was typed.
    found = client.post("/packages", data={**form, "find": "1", "find_text": "海水淡化"})
    assert found.status_code == 200
    assert re.findall(r'id="picker-found-([0-9a-f-]{36})"', found.text) == [other]
    assert 'value="海水淡化成果包"' in found.text
    assert client.get("/api/packages", headers=market["agency"].headers).json()["packages"] == []  # nothing saved
    # A search by the patent number, typed without its punctuation, finds that patent's listing.
    number = client.post("/packages", data={**form, "listing_id": other, "find": "1", "find_text": "202110000002"})
    assert re.findall(r'id="picker-found-([0-9a-f-]{36})"', number.text) == [b]
    assert re.findall(r'id="picker-chosen-([0-9a-f-]{36})"', number.text) == [other]  # still ticked
    wildcards = client.post("/packages", data={**form, "find": "1", "find_text": "%_"})
    assert "没有找到已发布的挂牌" in wildcards.text  # wildcards are text

    # Ticked ones are saved in their order.
    saved = client.post("/packages", data={**form, "listing_id": [other, b]}, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    package = saved.headers["location"].split("/")[2].split("?")[0]
    assert client.get(f"/api/packages/{package}", headers=market["agency"].headers).json()["package"][
        "listing_ids"] == [other, b]

    # On the package's page: the chosen ones ticked; untick one to drop it, search and tick one to add it.
    edit_page = client.get(f"/packages/{package}").text
    assert re.findall(r'id="picker-chosen-([0-9a-f-]{36})"', edit_page) == [other, b]
    edit = {"_csrf_token": token, "title_zh": "海水淡化成果包", "industry": "海洋经济"}
    more = client.post(f"/packages/{package}/edit", data={**edit, "listing_id": [other], "find": "1",
                                                           "find_text": "202110000003"})
    assert more.status_code == 200
    assert re.findall(r'id="picker-found-([0-9a-f-]{36})"', more.text) == [c]
    edited = client.post(f"/packages/{package}/edit", data={**edit, "listing_id": [other, c]},
                         follow_redirects=False)
    assert edited.status_code == 303
    assert client.get(f"/api/packages/{package}", headers=market["agency"].headers).json()["package"][
        "listing_ids"] == [other, c]
    assert a not in client.get(f"/packages/{package}").text

    # Another agency cannot search its way into this package's form.
    client.cookies.clear()
    login(client, "xu@fjte.example.cn", PASSWORD)
    rival = client.post(f"/packages/{package}/edit", data={**edit, "_csrf_token": csrf_token(client, "/packages"),
                                                            "find": "1", "find_text": "海水淡化"})
    assert rival.status_code == 404


def test_the_picker_shows_no_unpublished_listing_a_form_names(
    client: TestClient[Litestar], services: Services, market: dict[str, Any],
) -> None:
    fzu = market["fzu"]
    hidden = draft(client, fzu, register(client, fzu, 7, title_zh="未公开的固态电解质",
                                         title_en="Unpublished electrolyte"))
    published = market["listings"][0]
    login(client, "chen@ningde.example.cn", PASSWORD)  # an enterprise's member: no curator at all
    form = {"_csrf_token": csrf_token(client, "/packages/new"), "title_zh": "成果包", "industry": "新能源"}
    page = client.post("/packages", data={**form, "listing_id": [hidden, published], "find": "1", "find_text": ""})
    assert page.status_code == 200
    assert re.findall(r'id="picker-chosen-([0-9a-f-]{36})"', page.text) == [published]
    assert "未公开的固态电解质" not in page.text
    assert "Unpublished electrolyte" not in page.text
    # A curator's own package keeps showing a listing it holds once that listing is no longer published.
    client.cookies.clear()
    login(client, "lin@hxtt.example.cn", PASSWORD)
    token = csrf_token(client, "/packages/new")
    saved = client.post("/packages", data={"_csrf_token": token, "package_id": str(uuid.uuid4()), "title_zh": "成果包",
                                           "industry": "新能源", "listing_id": [published]}, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    package = saved.headers["location"].split("/")[2].split("?")[0]
    withdrawn = client.post(f"/api/listings/{published}/withdraw", headers=fzu.headers, json={"reason": "已转让"})
    assert withdrawn.status_code == 200, withdrawn.text
    services.make_runner().catch_up()
    assert re.findall(r'id="picker-chosen-([0-9a-f-]{36})"', client.get(f"/packages/{package}").text) == [published]
