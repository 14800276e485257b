"""Time-limited conversion from the users' side over HTTP (issue 12, journey 3): a university records the public
funding of its patent; a department's programme officer drafts and opens a conversion programme; the deadline
worker flags the patent "conversion due" 90 days before its deadline and "overdue" after it; the owner is told on
its to-do page, the patent is listed publicly as overdue; the officer opens it as an open licence, recording the
legal basis and the reason; an enterprise takes the licence up and pays, and the flag is cleared. In both
languages, and as outsiders would try it."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from domain.programmes.conversion import conversion_id
from marketplace.accounts import commands as ac
from marketplace.audit.rebuild_check import rebuild_check
from marketplace.catalogue import commands as cc
from marketplace.platform.clock import ManualClock
from marketplace.platform.deadlines import DeadlineWorker
from marketplace.platform.services import Services
from tests.unit.deal_helpers import cn
from tests.web.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, api_token, csrf_token, login

PASSWORD = "secret-password-1"
YUAN = 100
#: Beijing noon on 1 December 2025: the funding ended on 31 December 2022, so the deadline (3 years) is
#: 31 December 2025 and the warning (90 days before) began on 2 October 2025.
START = datetime(2025, 12, 1, 4, 0, tzinfo=UTC)


class Market:
    """The people of the journey, set up through the application as they would sign up."""

    def __init__(self, services: Services, client: TestClient[Litestar]) -> None:
        self.services, self.client = services, client
        self.app = services.app
        self.clock = ManualClock(START)
        self.app.clock = self.clock
        admin = self.app.accounts.user_id_of(ADMIN_EMAIL)
        assert admin is not None
        self.admin = admin
        self.ids: dict[str, UUID] = {}
        self.serial = 0

    def sign_up(self, key: str, org: str, kind: str, region: str, *roles: str) -> None:
        user, _ = self.app.accounts.sign_up(ac.SignUp(email=f"{key}@example.test", password=PASSWORD,
                                                      display_name=key, organisation_name=org,
                                                      organisation_kind=kind, region=region))
        org_id: UUID = self.app.repository.get(user).organisation_id
        self.app.accounts.verify_organisation(ac.VerifyOrganisation(organisation_id=org_id), actor_id=self.admin)
        for role in roles:
            self.app.accounts.grant_role(ac.GrantRole(user_id=user, role=role), actor_id=self.admin)
        self.ids[key], self.ids[f"{key}_org"] = user, org_id

    def patent(self, owner: str = "fafu") -> UUID:
        self.serial += 1
        patent, _ = self.app.catalogue.register_patent(cc.RegisterPatent(
            application_number=cn(f"2020105{self.serial:05d}"), patent_type="invention", title_zh="一种茶多酚提取方法",
            title_en="A method of extracting tea polyphenols", ipc_codes=["A23F 3/06"], filing_date=date(2020, 3, 1),
            legal_status="granted", owners=[cc.OwnerShare(organisation_id=self.ids[f"{owner}_org"], share=100)],
            inventors=[cc.InventorShare(name="林一", share=100)]), actor_id=self.ids[owner])
        return patent

    def worker(self) -> list[UUID]:
        """The deadline worker's pass (``serve`` runs it every few seconds), then the read models catch up."""
        flagged = DeadlineWorker(self.services).run_once().conversions
        self.services.make_runner().catch_up()
        return flagged

    def form(self, path: str, page: str, data: dict[str, Any]) -> Any:
        return self.client.post(path, data={**data, "_csrf_token": csrf_token(self.client, page)},
                                follow_redirects=False)

    def as_user(self, key: str) -> None:
        self.client.cookies.clear()
        login(self.client, f"{key}@example.test", PASSWORD)


@pytest.fixture
def market(services: Services, client: TestClient[Litestar]) -> Market:
    m = Market(services, client)
    m.sign_up("officer", "福建省科学技术厅", "government", "福建省福州市", "programme_officer")
    m.sign_up("xm_officer", "厦门市科学技术局", "government", "福建省厦门市", "programme_officer")
    m.sign_up("fafu", "福建农林大学", "university", "福建省福州市")
    m.sign_up("tea", "安溪铁观音集团有限公司", "enterprise", "福建省泉州市")
    m.sign_up("sh", "上海浦江食品有限公司", "enterprise", "上海市")
    return m


CONVERSION_FORM = {"name_zh": "财政科技计划成果限时转化", "name_en": "Time-limited conversion of funded results",
                   "source": "《科学技术进步法》", "starts_on": "2025-01-01", "ends_on": "2030-12-31",
                   "years": "3", "warning_days": "90", "funder_years": "国家自然科学基金委员会 5", "funders": "",
                   "legal_basis": ""}
FUNDING = {"funder": "福建省科学技术厅", "programme": "福建省科技计划项目", "project_reference": "2019N0012",
           "end_date": "2022-12-31"}


def open_conversion_programme(market: Market) -> str:
    market.as_user("officer")
    assert "新建限时转化计划" in market.client.get("/programmes").text
    drafted = market.form("/conversions/programmes", "/conversions/programmes/new", CONVERSION_FORM)
    assert drafted.status_code == 303, drafted.text
    programme_id = str(drafted.headers["location"].split("/")[2].split("?")[0])
    page = market.client.get(f"/programmes/{programme_id}")
    assert "财政资助成果限时转化" in page.text
    assert "结题后 3 年" in page.text
    assert "国家自然科学基金委员会：结题后 5 年" in page.text
    assert "科学技术进步法" in page.text  # the default legal basis
    opened = market.form(f"/programmes/{programme_id}/open", f"/programmes/{programme_id}", {})
    assert opened.status_code == 303
    return programme_id


def funded_patent(market: Market) -> UUID:
    """The university records its patent's public funding on the patent's page."""
    patent = market.patent()
    market.as_user("fafu")
    recorded = market.form(f"/patents/{patent}/funding", f"/patents/{patent}", FUNDING)
    assert recorded.status_code == 303, recorded.text
    page = market.client.get(recorded.headers["location"])
    assert "资助信息已保存" in page.text
    assert "福建省科学技术厅 · 福建省科技计划项目 2019N0012" in page.text
    return patent


def test_a_funded_patent_passes_its_deadline_is_flagged_and_opened_as_an_open_licence_an_enterprise_takes_up(
    market: Market,
) -> None:
    client = market.client
    programme_id = open_conversion_programme(market)
    patent = funded_patent(market)
    flag = conversion_id(patent, UUID(programme_id))

    # 1 December 2025: within 90 days of the deadline: "conversion due", told on the owner's to-do page.
    assert market.worker() == [flag]
    assert market.worker() == []  # a second pass changes nothing
    market.as_user("fafu")
    todo = client.get("/todo").text
    assert "即将到期：请许可、转让或答复转化计划" in todo
    assert f"/conversions/{flag}" in todo
    mine = client.get("/my/conversions").text
    assert "即将到期" in mine
    assert "2025-12-31" in mine
    client.cookies.clear()
    assert str(flag) not in client.get("/conversions/overdue").text  # not public while only due
    assert client.get(f"/conversions/{flag}").status_code == 404

    # 5 January 2026: the deadline passed without a paid licence or transfer: overdue, and public.
    market.clock.set(START + timedelta(days=35))
    assert market.worker() == [flag]
    public = client.get("/conversions/overdue")
    assert public.status_code == 200
    assert "逾期未转化的财政资助成果" in public.text
    assert "一种茶多酚提取方法" in public.text
    assert "逾期未转化" in public.text
    assert "福建农林大学" in public.text
    client.get("/lang/en")
    english = client.get("/conversions/overdue").text
    assert "Funded results overdue for conversion" in english
    assert "A method of extracting tea polyphenols" in english
    assert "Overdue" in english
    client.get("/lang/zh")
    listed = client.get("/api/conversions/overdue").json()
    assert listed["total"] == 1
    assert listed["items"][0]["status"] == "overdue"
    assert listed["items"][0]["funding"]["funder"] == "福建省科学技术厅"

    market.as_user("fafu")
    assert "已逾期：主管部门可开放给他人实施" in client.get("/todo").text
    market.as_user("officer")
    assert f"/conversions/{flag}" in client.get("/todo").text
    queue = client.get("/conversions").text
    assert "一种茶多酚提取方法" in queue
    assert "逾期未转化" in queue

    # The officer opens it to others: an open licence on the officer's terms, legal basis and reason recorded.
    page = client.get(f"/conversions/{flag}").text
    assert 'action="/conversions/' in page
    assert "开放给他人实施" in page
    opened = market.form(f"/conversions/{flag}/open", f"/conversions/{flag}", {
        "mode": "open_licence", "legal_basis": "《中华人民共和国科学技术进步法》（2021年修订）第三十二条",
        "reason": "结题三年未实施，权利人未答复", "fee": "10000", "royalty_rate": "0", "term_years": "3",
        "maturity": "pilot", "licensee_ids": ""})
    assert opened.status_code == 303, opened.text
    page = client.get(opened.headers["location"]).text
    assert "已开放许可。" in page
    assert "第三十二条" in page
    assert "结题三年未实施" in page
    listing_id = re.search(r'id="take-up-link" href="/listings/([0-9a-f-]{36})"', page)
    assert listing_id is not None
    listing = listing_id.group(1)
    again = market.form(f"/conversions/{flag}/open", f"/conversions/{flag}", {
        "mode": "open_licence", "legal_basis": "x", "reason": "double click", "fee": "1"})
    assert again.status_code == 409  # a double click: one declaration

    # An enterprise finds it on the public list and takes up the open licence like any other.
    market.as_user("tea")
    assert f"/listings/{listing}" in client.get("/conversions/overdue").text
    confirm = client.get(f"/listings/{listing}/open-licence")
    assert confirm.status_code == 200
    assert "¥10,000" in confirm.text
    digest = re.search(r'name="text_sha256" value="([0-9a-f]{64})"', confirm.text)
    assert digest is not None
    taken = market.form(f"/listings/{listing}/open-licence", f"/listings/{listing}/open-licence",
                        {"text_sha256": digest.group(1)})
    assert taken.status_code == 303, taken.text
    contract = taken.headers["location"].split("/")[2]
    headers = api_token(client, "tea@example.test", PASSWORD)
    detail = client.get(f"/api/contracts/{contract}", headers=headers).json()
    assert detail["contract"]["seller_organisation_id"] == str(market.ids["fafu_org"])
    obligation = detail["obligations"][0]["id"]
    assert client.post(f"/api/contracts/{contract}/payments", headers=headers,
                       json={"purpose": "upfront"}).status_code == 201
    admin = api_token(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    receipt = client.post(f"/api/obligations/{obligation}/receipt", headers=admin,
                          json={"amount": 10_000 * YUAN, "bank_reference": "BOC-CONV-1"})
    assert receipt.status_code == 200, receipt.text

    # Paid: the next pass records the conversion; the patent leaves the overdue list.
    market.services.make_runner().catch_up()
    assert market.worker() == [flag]
    shown = client.get(f"/api/conversions/{flag}").json()
    assert shown["status"] == "converted"
    assert shown["converted_contract_id"] == contract
    assert client.get("/api/conversions/overdue").json()["total"] == 0
    client.get("/lang/en")
    assert "Converted" in client.get(f"/conversions/{flag}").text
    # Every step is on the record: the flag's history, and its read model rebuilt from the log is the same.
    assert events_of(market, flag) == ["Flagged", "BecameOverdue", "OpenedToOthers", "Converted"]
    client.cookies.clear()
    login(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    client.get("/lang/zh")
    audit = client.get(f"/audit/aggregates/{flag}")
    assert audit.status_code == 200
    for words in ("限时转化提示", "逾期未转化", "开放他人实施", "已转化", "第三十二条"):
        assert words in audit.text, words
    assert "即将到期" in audit.text  # the stage in the conversion's words, not a payment's
    assert "待付" not in audit.text
    funding_history = client.get(f"/audit/aggregates/{patent}").text
    assert "记录财政资助" in funding_history
    assert "福建省科学技术厅" in funding_history
    report = rebuild_check(market.services)
    assert "conversions" in report.positions
    assert not report.differences, report.lines()


def events_of(market: Market, aggregate_id: UUID) -> list[str]:
    return [e.topic.rsplit(".", 1)[1] for e in market.app.recorder.select_events(aggregate_id)]


def overdue_flag(market: Market) -> tuple[UUID, UUID, str]:
    """An open conversion programme and a funded patent of the university already overdue (5 January 2026)."""
    programme_id = open_conversion_programme(market)
    patent = funded_patent(market)
    market.clock.set(START + timedelta(days=35))
    (flag,) = market.worker()
    assert flag == conversion_id(patent, UUID(programme_id))
    return patent, flag, programme_id


OPEN = {"mode": "open_licence", "legal_basis": "科学技术进步法（2021）", "reason": "逾期未实施", "fee": 500_000,
        "royalty_rate": 0, "term_years": 3}


def test_only_the_owners_members_or_a_platform_admin_record_funding_once_and_hostile_text_records_nothing(
    market: Market,
) -> None:
    client = market.client
    patent = market.patent()
    body = {"public_funding": {"funder": "福建省科学技术厅", "programme": "省科技计划", "project_reference": "2019N1",
                               "end_date": "2022-12-31"}}
    assert client.post(f"/api/patents/{patent}/funding", json=body).status_code == 401
    outsider = api_token(client, "sh@example.test", PASSWORD)
    refused = client.post(f"/api/patents/{patent}/funding", json=body, headers=outsider)
    assert refused.status_code == 403
    assert refused.json()["code"] == "patent.owner_member"
    officer = api_token(client, "officer@example.test", PASSWORD)  # a department records no owner's funding
    assert client.post(f"/api/patents/{patent}/funding", json=body, headers=officer).status_code == 403
    owner = api_token(client, "fafu@example.test", PASSWORD)
    for bad in ("福建\u202e省", "x" * 201, "\x00"):
        hostile = {"public_funding": {**body["public_funding"], "funder": bad}}
        assert client.post(f"/api/patents/{patent}/funding", json=hostile, headers=owner).status_code == 400
    no_programme = {"public_funding": {**body["public_funding"], "programme": "  "}}
    assert client.post(f"/api/patents/{patent}/funding", json=no_programme, headers=owner).status_code == 400
    assert "FundingRecorded" not in events_of(market, patent)
    for _ in range(2):  # a double click: one event
        assert client.post(f"/api/patents/{patent}/funding", json=body, headers=owner).status_code == 200
    assert events_of(market, patent).count("FundingRecorded") == 1
    shown = client.get(f"/api/patents/{patent}").json()["patent"]["public_funding"]
    assert shown == {**body["public_funding"]}
    admin = api_token(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    assert client.post(f"/api/patents/{patent}/funding", json={}, headers=admin).status_code == 200
    assert client.get(f"/api/patents/{patent}").json()["patent"]["public_funding"] is None


def test_only_the_departments_officer_opens_only_an_overdue_patent_and_once(market: Market) -> None:
    client = market.client
    programme_id = open_conversion_programme(market)
    patent = funded_patent(market)
    (flag,) = market.worker()  # due, not overdue yet
    officer = api_token(client, "officer@example.test", PASSWORD)
    early = client.post(f"/api/conversions/{flag}/open", json=OPEN, headers=officer)
    assert early.status_code == 409
    assert early.json()["code"] == "conversion.not_overdue"
    market.clock.set(START + timedelta(days=35))
    assert market.worker() == [flag]
    assert client.post(f"/api/conversions/{flag}/open", json=OPEN).status_code == 401
    for key in ("fafu", "tea", "xm_officer"):
        headers = api_token(client, f"{key}@example.test", PASSWORD)
        refused = client.post(f"/api/conversions/{flag}/open", json=OPEN, headers=headers)
        assert refused.status_code == 403, (key, refused.text)
    hostile = client.post(f"/api/conversions/{flag}/open", json={**OPEN, "reason": "逾期\u202e"}, headers=officer)
    assert hostile.status_code == 400
    empty = client.post(f"/api/conversions/{flag}/open", json={**OPEN, "legal_basis": "  "}, headers=officer)
    assert empty.status_code == 400
    assert empty.json()["field"] == "legal_basis"
    huge = client.post(f"/api/conversions/{flag}/open", json={**OPEN, "fee": 10**15 + 1}, headers=officer)
    assert huge.status_code == 400
    assert events_of(market, flag) == ["Flagged", "BecameOverdue"]
    opened = client.post(f"/api/conversions/{flag}/open", json=OPEN, headers=officer)
    assert opened.status_code == 201, opened.text
    twice = client.post(f"/api/conversions/{flag}/open", json=OPEN, headers=officer)
    assert twice.status_code == 409
    assert events_of(market, flag).count("OpenedToOthers") == 1
    listing = opened.json()["id"]
    # The owner cannot withdraw or change what the department declared.
    owner = api_token(client, "fafu@example.test", PASSWORD)
    withdrawn = client.post(f"/api/listings/{listing}/withdraw", json={"reason": "不同意"}, headers=owner)
    assert withdrawn.status_code == 403
    assert withdrawn.json()["code"] == "listing.declared_by_officer"
    assert client.get(f"/api/listings/{listing}").json()["listing"]["status"] == "published"
    assert programme_id
    assert patent


def test_the_owner_answers_which_pauses_the_flag_until_the_officer_resumes_it(market: Market) -> None:
    client = market.client
    _, flag, _ = overdue_flag(market)
    answer = {"kind": "deal_in_progress", "text": "正与安溪企业洽谈许可，预计一月签约", "reference": "offer 42"}
    assert client.post(f"/api/conversions/{flag}/answer", json=answer).status_code == 401
    for key in ("tea", "officer"):
        headers = api_token(client, f"{key}@example.test", PASSWORD)
        refused = client.post(f"/api/conversions/{flag}/answer", json=answer, headers=headers)
        assert refused.status_code == 403
        assert refused.json()["code"] == "conversion.owner_only"
    owner = api_token(client, "fafu@example.test", PASSWORD)
    bad = client.post(f"/api/conversions/{flag}/answer", json={**answer, "kind": "excuse"}, headers=owner)
    assert bad.status_code == 400
    for _ in range(2):
        assert client.post(f"/api/conversions/{flag}/answer", json=answer, headers=owner).status_code == 200
    assert events_of(market, flag).count("Answered") == 1
    assert client.get("/api/conversions/overdue").json()["total"] == 0  # paused: off the public list
    officer = api_token(client, "officer@example.test", PASSWORD)
    paused = client.post(f"/api/conversions/{flag}/open", json=OPEN, headers=officer)
    assert paused.status_code == 409
    # The officer sees the answer on the flag's page, and in the queue.
    market.as_user("officer")
    page = client.get(f"/conversions/{flag}").text
    assert "在谈或履行中的交易" in page
    assert "正与安溪企业洽谈许可" in page
    assert "已答复，暂停督办" in page
    resumed = market.form(f"/conversions/{flag}/resume", f"/conversions/{flag}", {"reason": "未见合同"})
    assert resumed.status_code == 303
    assert client.get(f"/api/conversions/{flag}", headers=officer).json()["status"] == "overdue"
    market.as_user("fafu")
    assert "未见合同" in client.get(f"/conversions/{flag}").text
    again = client.post(f"/api/conversions/{flag}/resume", json={"reason": "x"}, headers=officer)
    assert again.status_code == 409


def test_designated_licensees_alone_take_up_the_licence(market: Market) -> None:
    client = market.client
    _, flag, _ = overdue_flag(market)
    officer = api_token(client, "officer@example.test", PASSWORD)
    nobody = client.post(f"/api/conversions/{flag}/open", json={**OPEN, "mode": "designated"}, headers=officer)
    assert nobody.status_code == 400
    assert nobody.json()["code"] == "conversion.licensees"
    designated = {**OPEN, "mode": "designated", "licensee_ids": [str(market.ids["tea_org"])]}
    opened = client.post(f"/api/conversions/{flag}/open", json=designated, headers=officer)
    assert opened.status_code == 201, opened.text
    listing = opened.json()["id"]
    other = api_token(client, "sh@example.test", PASSWORD)
    refused = client.post(f"/api/listings/{listing}/open-licence", headers=other)
    assert refused.status_code == 403
    assert refused.json()["code"] == "conversion.not_designated"
    chosen = api_token(client, "tea@example.test", PASSWORD)
    assert client.post(f"/api/listings/{listing}/open-licence", headers=chosen).status_code == 201
    shown = client.get(f"/api/conversions/{flag}").json()
    assert shown["opened_mode"] == "designated"
    assert shown["licensee_ids"] == [str(market.ids["tea_org"])]


def test_two_workers_at_once_flag_a_patent_once_and_a_patent_with_a_paid_licence_is_not_flagged(
    market: Market,
) -> None:
    import threading

    programme_id = open_conversion_programme(market)
    patent = funded_patent(market)
    market.clock.set(START + timedelta(days=35))
    workers = [DeadlineWorker(market.services) for _ in range(3)]
    threads = [threading.Thread(target=w.run_once) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    flag = conversion_id(patent, UUID(programme_id))
    assert events_of(market, flag) == ["Flagged"]  # raised overdue at once, by one worker
    market.services.make_runner().catch_up()
    assert market.client.get("/api/conversions/overdue").json()["total"] == 1
    # The same programme does not flag a funded patent whose funding ended recently.
    recent = market.patent()
    market.app.catalogue.record_funding(cc.RecordFunding(patent_id=recent, public_funding=cc.FundingInput(
        programme="省科技计划", end_date=date(2025, 6, 30), funder="福建省科学技术厅")), actor_id=market.ids["fafu"])
    market.services.make_runner().catch_up()
    assert market.worker() == []


def test_a_funder_with_its_own_period_and_a_programme_watching_other_funders(market: Market) -> None:
    open_conversion_programme(market)
    patent = market.patent()
    market.app.catalogue.record_funding(cc.RecordFunding(patent_id=patent, public_funding=cc.FundingInput(
        programme="面上项目", end_date=date(2022, 12, 31), funder="国家自然科学基金委员会")),
        actor_id=market.ids["fafu"])
    market.services.make_runner().catch_up()
    assert market.worker() == []  # five years for this funder: due in 2027
    market.clock.set(datetime(2027, 11, 1, 4, tzinfo=UTC))
    (flag,) = market.worker()
    headers = api_token(market.client, "fafu@example.test", PASSWORD)
    mine = market.client.get("/api/my/conversions", headers=headers).json()
    assert [(i["id"], i["status"], i["deadline"]) for i in mine["items"]] == [(str(flag), "due", "2027-12-31")]


def test_a_conversion_programme_drafted_through_the_api_by_an_officer_only(market: Market) -> None:
    client = market.client
    terms: dict[str, Any] = {"years": 4, "warning_days": 60, "funders": ["福建省科学技术厅"],
                             "funder_years": [{"funder": "国家自然科学基金委员会", "years": 5}],
                             "legal_basis": "科学技术进步法（2021）"}
    rules: dict[str, Any] = {"beneficiary": "seller", "tiers": [], "conversion": terms}
    body: dict[str, Any] = {"kind": "conversion", "name_zh": "限时转化", "name_en": "Conversion", "budget": 0,
                            "starts_on": "2025-01-01", "ends_on": "2030-12-31", "rules": rules}
    enterprise = api_token(client, "tea@example.test", PASSWORD)
    assert client.post("/api/programmes", json=body, headers=enterprise).status_code == 403
    officer = api_token(client, "officer@example.test", PASSWORD)
    without = {**body, "rules": {"beneficiary": "seller", "tiers": []}}
    refused = client.post("/api/programmes", json=without, headers=officer)
    assert refused.status_code == 400
    for wrong in ({"years": 0}, {"warning_days": 400}):
        bad = {**body, "rules": {**rules, "conversion": {**terms, **wrong}}}
        assert client.post("/api/programmes", json=bad, headers=officer).status_code == 400
    drafted = client.post("/api/programmes", json=body, headers=officer)
    assert drafted.status_code == 201, drafted.text
    shown = client.get(f"/api/programmes/{drafted.json()['id']}", headers=officer).json()
    assert shown["kind"] == "conversion"
    assert shown["rules"]["conversion"]["funder_years"] == [{"funder": "国家自然科学基金委员会", "years": 5}]


def test_the_officers_dashboard_lists_the_departments_overdue_conversions_and_draws_no_empty_budget(
    market: Market,
) -> None:
    """The dashboard's "overdue conversions" section (issue 12, Pages): the department's overdue funded patents,
    each linking to its flag; a conversion programme (no budget) shows no budget chart."""
    patent, flag, programme_id = overdue_flag(market)
    client = market.client
    market.as_user("officer")
    page = client.get("/programmes/dashboard").text
    found = re.search(r'<section class="panel dashboard-section" id="dashboard-conversions".*?</section>', page, re.S)
    assert found is not None, page
    overdue = found.group(0)
    assert "逾期未转化的财政资助成果" in overdue
    assert f'href="/conversions/{flag}"' in overdue
    assert "一种茶多酚提取方法" in overdue
    assert 'href="/conversions"' in overdue
    budget = re.search(rf'<article class="budget" id="budget-{programme_id}">.*?</article>', page, re.S)
    assert budget is not None
    assert "<svg" not in budget.group(0)
    assert "限时转化计划不设预算" in budget.group(0)
    english = client.get("/lang/en?next=/programmes/dashboard").text
    assert "Overdue conversions" in english
    client.get("/lang/zh?next=/")
    officer = api_token(client, "officer@example.test", PASSWORD)
    answered = client.get("/api/programmes/dashboard", headers=officer).json()
    assert [c["id"] for c in answered["overdue_conversions"]] == [str(flag)]
    assert answered["overdue_conversions"][0]["patent_id"] == str(patent)
    # Another department's officer does not see this department's flag.
    market.as_user("xm_officer")
    other = client.get("/programmes/dashboard").text
    assert f"/conversions/{flag}" not in other
    assert "本部门没有逾期未转化的专利" in other
    xm = api_token(client, "xm_officer@example.test", PASSWORD)
    assert client.get("/api/programmes/dashboard", headers=xm).json()["overdue_conversions"] == []
