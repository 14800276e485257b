"""Technology-contract registration from the seller's side over HTTP (issue 14, journey 4): a registration
record is pre-filled from a contract and its number recorded. The to-do shows the 30-day deadline and the
tax benefits; the seller completes the record, exports it, records the registry's number; the contract page
shows it; a programme claim is then submitted with that number. In both languages, and as outsiders and
attackers would try it."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from uuid import UUID

from domain.market.registration import registration_id
from marketplace.audit.rebuild_check import rebuild_check
from tests.web.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, api_token, login
from tests.web.test_programmes_web import PASSWORD, Market, claim_ids, draft_and_open, market  # noqa: F401

NUMBER = "2026350100000777"
PAGE = "/contracts/{}/tech-registration"


def completed_form(page: str) -> dict[str, str]:
    """What the seller adds to the pre-filled form: the enterprise's nature, the term's end, the figures."""
    return {"contract_type": "transfer_patent_right", "project_name": field(page, "project_name"),
            "term_start": field(page, "term_start"), "term_end": "2030-12-31",
            "seller_nature_code": "022", "seller_country_code": field(page, "seller_country_code"),
            "seller_region_code": field(page, "seller_region_code"), "buyer_nature_code": "170",
            "buyer_country_code": field(page, "buyer_country_code"),
            "buyer_region_code": field(page, "buyer_region_code"), "amount": field(page, "amount"),
            "technology_income": field(page, "technology_income"), "expected_investment": "1,000,000",
            "expected_output": "5000000"}


def field(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found is not None, name
    return found.group(1)


def selected(page: str, name: str) -> str | None:
    block = re.search(rf'<select name="{name}">(.*?)</select>', page, re.S)
    assert block is not None, name
    chosen = re.search(r'<option value="([^"]*)" selected>', block.group(1))
    return chosen.group(1) if chosen else None


def registration_version(market: Market,  # noqa: F811 - the fixture of test_programmes_web
                          contract: UUID) -> int:
    found = market.app.recorder.select_events(registration_id(contract))
    return len(found)


def test_the_seller_prepares_exports_and_records_the_number_and_a_claim_gives_it(market: Market) -> None:  # noqa: F811 - the fixture of test_programmes_web
    client = market.client
    draft_and_open(market)  # a seller reward whose rule asks for the registration number
    contract = market.paid_sale("fafu", "tea", 800_000)
    (claim_id,) = market.follow_payments()
    page = PAGE.format(contract)

    # The to-do, where the login lands, shows the registration with its deadline: 30 days after signing.
    login(client, "fafu@example.test", PASSWORD)
    deadline = (market.clock.now() + timedelta(hours=8)).date() + timedelta(days=30)
    todo = client.get("/todo").text
    assert 'id="todo-tech_registration"' in todo
    assert f'href="{page}"' in todo
    assert "增值税免征" in todo
    assert f"申请截止（签订后 30 日） {deadline.isoformat()}" in todo

    # The form is pre-filled from the deal: project, parties' codes, amounts; the tax benefits are said.
    form = client.get(page)
    assert form.status_code == 200
    assert field(form.text, "project_name") == "一种茶叶加工装置"
    assert selected(form.text, "seller_nature_code") == "022"  # 高等院校
    assert selected(form.text, "buyer_nature_code") is None  # an enterprise's form is its own to say
    assert (field(form.text, "seller_region_code"), field(form.text, "buyer_region_code")) == ("350100", "350500")
    assert field(form.text, "buyer_country_code") == "142"
    assert (field(form.text, "amount"), field(form.text, "technology_income")) == ("800000", "800000")
    assert "企业所得税" in form.text
    assert "加计扣除" in form.text
    assert deadline.isoformat() in form.text
    # Before it is complete, the registrar's first review would refuse it, and it is not exported.
    assert 'data-code="tech_registration.transfer_figures_missing"' in form.text
    assert client.get(f"{page}.csv").status_code == 400

    saved = market.form(page, page, completed_form(form.text))
    assert saved.status_code == 303, saved.text
    shown = client.get(saved.headers["location"]).text
    assert "登记表已保存" in shown
    assert 'id="techreg-passes"' in shown

    exported = client.get(f"{page}.json").json()
    assert exported["form"] == "JJ-001"
    assert exported["number"] == ""
    record = exported["record"]
    assert (record["seller"]["name"], record["seller"]["nature_code"]) == ("福建农林大学", "022")
    assert (record["buyer"]["name"], record["buyer"]["nature_code"], record["buyer"]["region_code"]) == (
        "安溪铁观音集团有限公司", "170", "350500")
    assert (record["amount"], record["technology_income"]) == (80_000_000, 80_000_000)
    assert (record["expected_investment"], record["expected_output"]) == (100_000_000, 500_000_000)
    sheet = client.get(f"{page}.csv")
    assert sheet.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(sheet.text.lstrip("\ufeff"))))
    assert rows[0][0] == "合同登记编号 / number"
    assert rows[1][2] == "一种茶叶加工装置"
    assert rows[1][14:16] == ["800000.00", "800000.00"]
    printed = client.get(f"{page}/print")
    assert printed.status_code == 200
    assert "技术合同登记表（表号 JJ-001）" in printed.text
    assert "安溪铁观音集团有限公司" in printed.text
    assert "@media print" in client.get("/static/app.css").text

    # The registry's number is recorded, shown on the contract page, and the to-do item is gone.
    numbered = market.form(f"{page}/number", page, {"number": "2026 3501 0000 0777"})
    assert numbered.status_code == 303
    assert "合同登记编号已记录" in client.get(numbered.headers["location"]).text
    contract_page = client.get(f"/contracts/{contract}").text
    assert re.search(rf'id="contract-techreg-number">{NUMBER}<', contract_page)
    assert "已认定登记" in contract_page
    assert 'id="todo-tech_registration"' not in client.get("/todo").text

    # The claim is submitted with the recorded number (another one is refused, and says why).
    wrong = market.form(f"/claims/{claim_id}/submit", "/my/claims",
                        {"payee_account": "35001234567890", "registration_number": "2026350100000999"})
    assert wrong.status_code == 400
    assert "与该合同记录的技术合同登记号不一致" in wrong.text
    submitted = market.form(f"/claims/{claim_id}/submit", "/my/claims",
                            {"payee_account": "35001234567890", "registration_number": NUMBER})
    assert submitted.status_code == 303
    assert "申领已提交" in client.get(submitted.headers["location"]).text

    # The same pages in English; the audit history tells the story in words.
    english = client.get(f"/lang/en?next={page}").text
    assert "Technology-contract registration" in english
    assert "Registered" in english
    assert "R&amp;D super-deduction" in english
    login(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    history = client.get(f"/audit/aggregates/{registration_id(contract)}").text
    for words in ("Registration form prepared", "Registration number recorded", "Registration form", "350500"):
        assert words in history
    assert "{'" not in history
    # The read model is rebuilt from the log identically.
    report = rebuild_check(market.services, names=["market", "audit_log"])
    assert report.tables
    assert not report.differences, report.lines()


def test_the_seller_works_through_the_json_api(market: Market) -> None:  # noqa: F811 - the fixture of test_programmes_web
    client = market.client
    contract = market.paid_sale("fafu", "tea", 800_000)
    market.services.make_runner().catch_up()
    fafu = api_token(client, "fafu@example.test", PASSWORD)
    url = f"/api/contracts/{contract}/tech-registration"
    found = client.get(url, headers={**fafu, "Accept-Language": "zh"}).json()
    assert (found["status"], found["may_prepare"], found["number"]) == ("not_prepared", True, "")
    assert found["record"]["project_name"] == "一种茶叶加工装置"
    assert {f["code"] for f in found["findings"]} >= {"tech_registration.transfer_figures_missing"}
    assert any("增值税" in b for b in found["tax_benefits"])
    unnamed = client.get(url, headers=fafu).json()  # no language named: English, as the refusals
    assert any("VAT exemption" in b for b in unnamed["tax_benefits"])
    assert any("technology transfer's form requires this" in f["detail"] for f in unnamed["findings"])
    body = {k: v for k, v in found["record"].items() if k != "signed_on"}
    for side in ("seller", "buyer"):
        body[side] = {k: v for k, v in body[side].items() if k in ("nature_code", "country_code", "region_code")}
    body["buyer"]["nature_code"] = "170"
    body |= {"term_end": "2030-12-31", "expected_investment": 0, "expected_output": 1}
    assert client.post(url, headers=fafu, json=body).status_code == 200
    assert client.post(url, headers=fafu, json=body).status_code == 200  # a double submit: one record
    assert registration_version(market, contract) == 1
    export = client.get(f"{url}/export", headers=fafu)
    assert export.status_code == 200
    assert export.json()["record"]["buyer"]["nature_code"] == "170"
    assert client.post(f"{url}/number", headers=fafu, json={"number": NUMBER}).status_code == 200
    assert client.post(f"{url}/number", headers=fafu, json={"number": NUMBER}).status_code == 200  # again: one
    assert registration_version(market, contract) == 2
    assert client.get(url, headers=fafu).json()["status"] == "registered"
    changed = client.post(url, headers=fafu, json=body | {"expected_output": 2})
    assert (changed.status_code, changed.json()["code"]) == (409, "tech_registration.numbered")


def test_buyers_strangers_and_hostile_input_are_refused_and_nothing_is_recorded(market: Market) -> None:  # noqa: F811 - the fixture of test_programmes_web
    client = market.client
    contract = market.paid_sale("fafu", "tea", 800_000)
    market.services.make_runner().catch_up()
    page, url = PAGE.format(contract), f"/api/contracts/{contract}/tech-registration"
    head = market.app.recorder.max_notification_id()

    # The buyer reads the registration but may neither prepare it nor record its number.
    login(client, "tea@example.test", PASSWORD)
    read = client.get(page)
    assert read.status_code == 200
    assert 'id="techreg-form"' not in read.text
    assert "卖方尚未填写登记表" in read.text
    tea = api_token(client, "tea@example.test", PASSWORD)
    body = {"contract_type": "transfer_patent_right", "project_name": "x"}
    refused = client.post(url, headers=tea, json=body)
    assert (refused.status_code, refused.json()["code"]) == (403, "tech_registration.seller_only")
    assert client.post(f"{url}/number", headers=tea, json={"number": NUMBER}).status_code == 403
    # A stranger sees nothing of it.
    sh = api_token(client, "sh@example.test", PASSWORD)
    assert client.get(url, headers=sh).status_code == 403
    assert client.post(url, headers=sh, json=body).status_code == 403
    login(client, "sh@example.test", PASSWORD)
    assert client.get(page).status_code == 403
    assert client.get(f"{page}.csv").status_code == 403
    assert market.app.recorder.max_notification_id() == head

    # The seller's bad codes, a 15-digit number and hostile text are refused, saying why.
    login(client, "fafu@example.test", PASSWORD)
    form = completed_form(client.get(page).text)
    bad_region = market.form(page, page, form | {"buyer_region_code": "3505"})
    assert bad_region.status_code == 400
    assert "买方行政区划代码：行政区划代码应为 6 位数字" in bad_region.text
    assert 'value="3505"' in bad_region.text  # the form keeps what was typed
    assert market.form(page, page, form | {"seller_country_code": "CHN"}).status_code == 400
    assert market.form(page, page, form | {"buyer_nature_code": "999"}).status_code == 400
    assert market.form(page, page, form | {"project_name": "隔膜\u202egnp.exe"}).status_code == 400
    assert market.form(page, page, form | {"amount": "-1"}).status_code == 400
    assert market.form(page, page, form | {"amount": "99999999999999999"}).status_code == 400
    fafu = api_token(client, "fafu@example.test", PASSWORD)
    early = client.post(f"{url}/number", headers=fafu, json={"number": NUMBER})
    assert (early.status_code, early.json()["code"]) == (409, "tech_registration.not_prepared")
    assert market.app.recorder.max_notification_id() == head

    # Markup is text: recorded as typed, shown escaped.
    saved = market.form(page, page, form | {"project_name": "<script>alert(1)</script>隔膜"})
    assert saved.status_code == 303
    shown = client.get(page).text
    assert "<script>alert(1)" not in shown
    assert "&lt;script&gt;alert(1)&lt;/script&gt;隔膜" in shown
    assert market.form(page, page, form | {"project_name": "=HYPERLINK(\"x\")隔膜"}).status_code == 303
    sheet = list(csv.reader(io.StringIO(client.get(f"{page}.csv").text.lstrip("\ufeff"))))
    assert sheet[1][2] == "'=HYPERLINK(\"x\")隔膜"  # a spreadsheet will not run it
    short = market.form(f"{page}/number", page, {"number": NUMBER[:15]})
    assert short.status_code == 400
    assert "合同登记编号应为 16 位数字，填写的是 15 位" in short.text
    english = client.post(f"{url}/number", headers={**fafu, "Accept-Language": "en"}, json={"number": "1" * 17})
    assert english.json()["detail"].endswith("the registration number is 16 digits; 17 were given")
    assert client.get(url, headers=fafu).json()["number"] == ""
    # A platform admin may record the number.
    admin = api_token(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    assert client.post(f"{url}/number", headers=admin, json={"number": NUMBER}).status_code == 200
    assert client.get(url, headers=fafu).json()["number"] == NUMBER
    # Another contract cannot take the same number.
    other = market.paid_sale("fafu", "sh", 300_000)
    market.services.make_runner().catch_up()
    other_url = f"/api/contracts/{other}/tech-registration"
    prefilled = client.get(other_url, headers=fafu).json()["record"]
    other_body = {"contract_type": prefilled["contract_type"], "project_name": prefilled["project_name"],
                  "term_start": prefilled["term_start"], "term_end": "2031-01-01",
                  "seller": {"nature_code": "022", "country_code": "142", "region_code": "350100"},
                  "buyer": {"nature_code": "150", "country_code": "142", "region_code": "310000"},
                  "amount": prefilled["amount"], "technology_income": prefilled["technology_income"],
                  "expected_investment": 1, "expected_output": 1}
    assert client.post(other_url, headers=fafu, json=other_body).status_code == 200
    taken = client.post(f"{other_url}/number", headers=fafu, json={"number": NUMBER})
    assert (taken.status_code, taken.json()["code"]) == (409, "tech_registration.number_taken")
