"""The programme officer's related-parties page (关联方, issue 12): the pairs recorded with their reason, who
and when; a form to mark a pair, each organisation picked by a name search or its id; withdrawing a relation.
Refusals are read in words, in both languages; nobody but a programme officer reaches the page."""

from __future__ import annotations

import re

from tests.web.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, login
from tests.web.test_programmes_web import PASSWORD, Market, market  # noqa: F401 - the fixture of test_programmes_web

PAGE = "/programmes/related-parties"


def pairs_shown(page: str) -> list[str]:
    return re.findall(r'<tr id="pair-([0-9a-f-]{36})" class="(\w+)"', page)  # type: ignore[arg-type]


def test_an_officer_marks_a_pair_by_name_and_by_id_reads_who_and_why_and_withdraws_it(market: Market) -> None:  # noqa: F811 - the fixture
    client = market.client
    login(client, "officer@example.test", PASSWORD)
    assert 'id="related-parties-link"' in client.get("/programmes").text
    empty = client.get(PAGE)
    assert empty.status_code == 200
    assert "尚未记录任何关联方" in empty.text

    found = client.get(PAGE, params={"q": "安溪"})  # a name search shows the organisation's id to pick
    assert "安溪铁观音集团有限公司" in found.text
    assert str(market.ids["tea_org"]) in found.text

    marked = market.form(PAGE, PAGE, {"organisation": "安溪铁观音集团有限公司",  # by its exact name
                                      "related_organisation": str(market.ids["fafu_org"]),  # by its id
                                      "reason": "铁观音集团持有校办企业股份"})
    assert marked.status_code == 303, marked.text
    page = client.get(marked.headers["location"])
    assert "关联方已记录" in page.text
    [(pair, state)] = pairs_shown(page.text)
    assert state == "related"
    row = re.search(rf'<tr id="pair-{pair}".*?</tr>', page.text, re.S)
    assert row is not None
    for words in ("安溪铁观音集团有限公司", "福建农林大学", "铁观音集团持有校办企业股份", "officer", "关联"):
        assert words in row.group(0)
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", row.group(0))  # when, in Beijing time
    assert market.app.programmes.related(market.ids["fafu_org"], market.ids["tea_org"])

    again = market.form(PAGE, PAGE, {"organisation": "福建农林大学", "related_organisation": "安溪",
                                     "reason": "再次提交"})  # a double submit: one record
    assert again.status_code == 303
    assert len(pairs_shown(client.get(PAGE).text)) == 1

    english = client.get(f"/lang/en?next={PAGE}")
    assert "Related parties" in english.text
    assert "Withdraw" in english.text
    client.get(f"/lang/zh?next={PAGE}")

    withdrawn = market.form(f"{PAGE}/withdraw", PAGE, {"organisation_id": str(market.ids["tea_org"]),
                                                       "related_organisation_id": str(market.ids["fafu_org"]),
                                                       "reason": "股份已于 2025 年转让"})
    assert withdrawn.status_code == 303
    after = client.get(withdrawn.headers["location"])
    assert "关联方记录已撤回" in after.text
    assert pairs_shown(after.text) == [(pair, "withdrawn")]
    assert "股份已于 2025 年转让" in after.text
    assert not market.app.programmes.related(market.ids["fafu_org"], market.ids["tea_org"])


def test_refusals_are_read_in_words_and_others_may_not_mark(market: Market) -> None:  # noqa: F811 - the fixture
    client = market.client
    login(client, "officer@example.test", PASSWORD)
    head = market.app.recorder.max_notification_id()
    unknown = market.form(PAGE, PAGE, {"organisation": "不存在的公司", "related_organisation": "福建农林大学",
                                       "reason": "测试"})
    assert unknown.status_code == 400
    assert "没有名称或编号为“不存在的公司”的机构" in unknown.text
    assert 'value="不存在的公司"' in unknown.text  # what was typed stays in the form
    several = market.form(PAGE, PAGE, {"organisation": "科学技术", "related_organisation": "福建农林大学",
                                       "reason": "测试"})  # two departments' names contain it
    assert several.status_code == 400
    assert "有多个机构的名称包含“科学技术”" in several.text
    same = market.form(PAGE, PAGE, {"organisation": "福建农林大学", "related_organisation": "福建农林大学",
                                    "reason": "测试"})
    assert same.status_code == 400
    assert "请填写两个不同的机构" in same.text
    hostile = market.form(PAGE, PAGE, {"organisation": "福建农林大学", "related_organisation": "安溪",
                                       "reason": "关联\u202e方"})
    assert hostile.status_code == 400
    unmarked = market.form(f"{PAGE}/withdraw", PAGE, {"organisation_id": str(market.ids["tea_org"]),
                                                      "related_organisation_id": str(market.ids["sh_org"]),
                                                      "reason": "无"})
    assert unmarked.status_code == 400
    assert "这两个机构未被标记为关联方" in unmarked.text
    client.get(f"/lang/en?next={PAGE}")
    english = market.form(PAGE, PAGE, {"organisation": "nowhere", "related_organisation": "福建农林大学",
                                       "reason": "test"})
    assert "no organisation is named “nowhere”" in english.text
    client.get(f"/lang/zh?next={PAGE}")
    assert market.app.recorder.max_notification_id() == head  # nothing was recorded

    for who in ("tea@example.test", "fafu@example.test"):
        login(client, who, PASSWORD)
        assert client.get(PAGE).status_code == 403
        refused = market.form(PAGE, "/my/claims", {"organisation": "福建农林大学", "related_organisation": "安溪",
                                                   "reason": "自己标记"})
        assert refused.status_code == 403
    login(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    assert client.get(PAGE).status_code == 403  # a platform admin does not run programmes
    assert market.app.recorder.max_notification_id() == head
