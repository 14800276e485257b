"""A technology development contract over HTTP from its parties' side (issues 13 and 14): before signing, the
developer agrees with the client that the results belong to the client (民法典 art. 859 "unless agreed") and
that confidentiality lasts five years — the text and its SHA-256 change, the page says so in Chinese and
English, a change once a party has signed is refused; then the developer (研究开发方, the contract's seller)
registers it (技术合同认定登记): to-do with the 30-day deadline, the JJ-001 record pre-filled as 技术开发（委托）,
the checks, the export and print, the registry's number — while the client's members and other organisations
may not; double submits have one effect; the market statistics count it as registered."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from domain.deals.contract_text import text_sha256
from domain.market.registration import registration_id
from marketplace.audit.rebuild_check import rebuild_check
from marketplace.platform.clock import ManualClock
from tests.web.conftest import login, post_form
from tests.web.test_api import verified_member
from tests.web.test_deals_journey import (  # noqa: F401 - the fixtures of test_deals_journey
    clock,
    manual_client,
    ok,
    services_of,
)
from tests.web.test_development_contracts_web import ENTERPRISE, UNIVERSITY, awarded
from tests.web.test_inbox_web import events

NUMBER = "2026350100001234"


def events_of(client: TestClient[Litestar], aggregate_id: Any) -> int:
    return len(list(services_of(client).app.recorder.select_events(aggregate_id)))


def groups(client: TestClient[Litestar]) -> dict[str, dict[str, tuple[int, int, int]]]:
    services_of(client).make_runner().catch_up()
    answer = ok(client.get("/api/statistics?period=year"))
    return {g["dimension"]: {r["key"]: (r["contracts"], r["amount"], r["technology_income"]) for r in g["rows"]}
            for g in answer["groups"]}


def test_the_results_are_agreed_before_signing_and_the_developer_registers_the_contract(
    manual_client: TestClient[Litestar], clock: ManualClock,  # noqa: F811 - the fixtures of test_deals_journey
) -> None:
    client = manual_client
    firm, fzu, _, contract_id = awarded(client, clock)
    url = f"/api/contracts/{contract_id}"
    drafted = ok(client.get(url, headers=fzu.headers))["contract"]
    assert (drafted["terms"]["ownership"], drafted["terms"]["confidential_years"]) == ("developer", 3)

    # --- the results clauses, agreed on the draft -------------------------------------------------
    outsider = verified_member(client, services_of(client), "li@xmu.example.cn", "厦门大学")
    stranger = client.post(f"{url}/development-results", headers=outsider.headers,
                           json={"ownership": "developer", "confidential_years": 9})
    assert stranger.status_code == 403, stranger.text
    bad = client.post(f"{url}/development-results", headers=fzu.headers, json={"ownership": "nobody"})
    assert (bad.status_code, bad.json()["code"]) == (400, "choice")
    too_long = client.post(f"{url}/development-results", headers=fzu.headers,
                           json={"ownership": "client", "confidential_years": 21})
    assert too_long.status_code == 400
    before = events_of(client, contract_id)
    body = {"ownership": "client", "confidential_years": 5}
    ok(client.post(f"{url}/development-results", headers=fzu.headers, json=body))
    ok(client.post(f"{url}/development-results", headers=firm.headers, json=body))  # the same again: one effect
    assert events_of(client, contract_id) == before + 1
    agreed = ok(client.get(url, headers=firm.headers))["contract"]
    assert (agreed["terms"]["ownership"], agreed["terms"]["confidential_years"]) == ("client", 5)
    assert "经双方约定，本合同研究开发所完成的发明创造，申请专利的权利属于甲方。" in agreed["text_zh"]
    assert "保密期限至本合同终止后5年" in agreed["text_zh"]
    assert "第八百五十九条" not in agreed["text_zh"]
    assert "belongs to Party A" in agreed["text_en"]
    assert "until 5 years after the contract ends" in agreed["text_en"]
    assert agreed["text_sha256"] == text_sha256(agreed["text_zh"], agreed["text_en"]) != drafted["text_sha256"]
    stale = client.post(f"{url}/sign", headers=firm.headers, json={"text_sha256": drafted["text_sha256"]})
    assert stale.status_code == 409  # the text read before the change is not the one in force
    services_of(client).make_runner().catch_up()
    link = f"/contracts/{contract_id}"
    # The client is told that the text it would sign is another now (the developer changed it: no notice to itself).
    assert ("development.results_agreed", link, False) in events(client, firm)
    for other in (fzu, outsider):
        assert not any(e == "development.results_agreed" for e, _, _ in events(client, other))

    login(client, *ENTERPRISE)
    page = client.get(f"/contracts/{contract_id}").text
    assert '<dd id="ownership">委托方（双方约定）</dd>' in page
    assert "合同终止后 5 年" in page
    assert 'id="results"' in page  # still open to change: nobody signed
    english = client.get(f"/contracts/{contract_id}?lang=en").text
    assert '<dd id="ownership">the client (as agreed)</dd>' in english
    assert "5 years after the contract ends" in english
    # The HTML form: the client sets joint ownership back, then the developer's choice again.
    joint = post_form(client, f"/contracts/{contract_id}/development-results",
                      {"ownership": "joint", "confidential_years": "5"}, form_page=f"/contracts/{contract_id}")
    assert joint.status_code == 303
    assert "申请专利的权利属于甲乙双方共有" in client.get(f"/contracts/{contract_id}").text
    client.cookies.clear()
    ok(client.post(f"{url}/development-results", headers=fzu.headers, json=body))
    final = ok(client.get(url, headers=firm.headers))["contract"]
    assert final["text_zh"] == agreed["text_zh"]  # the same terms, the same bytes
    assert final["text_sha256"] == agreed["text_sha256"]

    ok(client.post(f"{url}/sign", headers=firm.headers, json={"text_sha256": final["text_sha256"]}))
    late = client.post(f"{url}/development-results", headers=fzu.headers, json={"ownership": "developer"})
    assert (late.status_code, late.json()["code"]) == (409, "development.terms_signed")
    ok(client.post(f"{url}/sign", headers=fzu.headers, json={"text_sha256": final["text_sha256"]}))
    signed = ok(client.get(url, headers=firm.headers))["contract"]
    assert signed["status"] == "in_force"
    assert signed["terms"]["ownership"] == "client"
    after = client.post(f"{url}/development-results", headers=firm.headers, json={"ownership": "joint"})
    assert (after.status_code, after.json()["code"]) == (409, "development.terms_signed")
    login(client, *ENTERPRISE)
    assert 'id="results"' not in client.get(f"/contracts/{contract_id}").text
    client.cookies.clear()

    # --- registration (技术合同认定登记): the developer registers --------------------------------
    signed_on = (clock.now() + timedelta(hours=8)).date()
    deadline = signed_on + timedelta(days=30)
    page_url, reg = f"/contracts/{contract_id}/tech-registration", f"{url}/tech-registration"
    login(client, *UNIVERSITY)
    todo = client.get("/todo").text
    assert f'href="{page_url}"' in todo
    assert f"申请截止（签订后 30 日） {deadline.isoformat()}" in todo
    form = client.get(page_url).text
    assert 'id="techreg-development"' in form
    assert '<option value="development_commissioned" selected>技术开发（委托开发）</option>' in form
    client.cookies.clear()
    login(client, *ENTERPRISE)
    assert f'href="{page_url}"' not in client.get("/todo").text  # the client does not register it
    client.cookies.clear()

    found = ok(client.get(reg, headers=fzu.headers))
    assert (found["status"], found["may_prepare"]) == ("not_prepared", True)
    record = found["record"]
    assert (record["contract_type"], record["project_name"]) == ("development_commissioned", "固态电池界面阻抗")
    assert (record["term_start"], record["term_end"], record["signed_on"]) == (
        signed_on.isoformat(), "2026-12-31", signed_on.isoformat())
    assert (record["amount"], record["technology_income"]) == (150_000_000, 150_000_000)
    assert (record["expected_investment"], record["expected_output"]) == (None, None)
    assert (record["seller"]["name"], record["seller"]["nature_code"], record["seller"]["country_code"]) == (
        "福州大学", "022", "142")
    assert (record["buyer"]["name"], record["buyer"]["nature_code"]) == ("宁德电芯科技有限公司", "")
    assert [(f["code"], f["field"]) for f in found["findings"]] == [
        ("tech_registration.party_code_missing", "seller.region_code"),
        ("tech_registration.party_code_missing", "buyer.nature_code"),
        ("tech_registration.party_code_missing", "buyer.region_code"),
    ]  # no transfer figures asked of a development

    # The client's members and other organisations may not prepare it nor record its number.
    body = {k: v for k, v in record.items() if k != "signed_on"}
    for side in ("seller", "buyer"):
        body[side] = {k: v for k, v in body[side].items() if k in ("nature_code", "country_code", "region_code")}
    body["seller"]["region_code"] = "350100"
    body["buyer"] |= {"nature_code": "170", "region_code": "350900"}
    body |= {"technology_income": 120_000_000, "term_end": "2026-06-30"}
    head = services_of(client).app.recorder.max_notification_id()
    refused = client.post(reg, headers=firm.headers, json=body)
    assert (refused.status_code, refused.json()["code"]) == (403, "tech_registration.seller_only")
    assert client.post(f"{reg}/number", headers=firm.headers, json={"number": NUMBER}).status_code == 403
    stranger = client.post(reg, headers=outsider.headers, json=body)
    assert (stranger.status_code, stranger.json()["code"]) == (403, "tech_registration.seller_only")
    unseen = client.get(reg, headers=outsider.headers)
    assert (unseen.status_code, unseen.json()["code"]) == (403, "access.contract")
    assert services_of(client).app.recorder.max_notification_id() == head
    assert ok(client.get(reg, headers=firm.headers))["may_prepare"] is False

    # A term that ends before the last milestone is due would be refused: saved, not exported.
    ok(client.post(reg, headers=fzu.headers, json=body))
    short = ok(client.get(reg, headers=fzu.headers))
    assert [f["code"] for f in short["findings"]] == ["tech_registration.term_before_milestones"]
    blocked = client.get(f"{reg}/export", headers=fzu.headers)
    assert (blocked.status_code, blocked.json()["code"]) == (400, "tech_registration.term_before_milestones")
    body["term_end"] = "2026-12-31"
    ok(client.post(reg, headers=fzu.headers, json=body))
    ok(client.post(reg, headers=fzu.headers, json=body))  # a double submit: one revision
    assert events_of(client, registration_id(contract_id)) == 2
    export = ok(client.get(f"{reg}/export", headers=fzu.headers))
    assert export["form"] == "JJ-001"
    assert (export["record"]["contract_type"], export["record"]["technology_income"]) == (
        "development_commissioned", 120_000_000)
    login(client, *UNIVERSITY)
    sheet = client.get(f"{page_url}.csv")
    rows = list(csv.reader(io.StringIO(sheet.text.lstrip("\ufeff"))))
    assert rows[1][1:3] == ["development_commissioned", "固态电池界面阻抗"]
    assert rows[1][14:18] == ["1500000.00", "1200000.00", "", ""]
    printed = client.get(f"{page_url}/print").text
    assert "技术开发（委托开发）" in printed
    assert "宁德电芯科技有限公司" in printed
    client.cookies.clear()

    assert groups(client)["registration_status"] == {"prepared": (1, 150_000_000, 120_000_000)}
    ok(client.post(f"{reg}/number", headers=fzu.headers, json={"number": NUMBER}))
    ok(client.post(f"{reg}/number", headers=fzu.headers, json={"number": NUMBER}))  # again: one effect
    assert events_of(client, registration_id(contract_id)) == 3
    assert ok(client.get(reg, headers=firm.headers))["number"] == NUMBER  # the client reads it
    login(client, *UNIVERSITY)
    assert f'href="{page_url}"' not in client.get("/todo").text
    assert re.search(rf'id="contract-techreg-number">{NUMBER}<', client.get(f"/contracts/{contract_id}").text)
    client.cookies.clear()
    stats = groups(client)
    assert stats["registration_status"] == {"registered": (1, 150_000_000, 120_000_000)}
    assert stats["deal_kind"] == {"commissioned_development": (1, 150_000_000, 120_000_000)}
    assert stats["contract_type"] == {"development_commissioned": (1, 150_000_000, 120_000_000)}
    # The read models it touched are rebuilt from the log identically.
    report = rebuild_check(services_of(client))  # all: the inbox rules read the accounts and the catalogue
    assert report.tables
    assert not report.differences, report.lines()
