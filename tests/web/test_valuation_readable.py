"""Valuation pages people can read (issue 11): rounded figures, method names, the steps as a table,
comparables entered as rows, signed reports that the page verifies, the agency's countersignature,
and the open licences taken up in a field's record; in both languages, with the attacker's refusals."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from marketplace.platform.cli import main
from marketplace.platform.database import DatabaseAddress
from marketplace.platform.services import Services, build_services
from marketplace.platform.settings import Settings
from tests.conftest import patient
from tests.fixtures.old_store import database_url, restore
from tests.web.conftest import api_token, login, post_form, sign_up_verified
from tests.web.test_valuation_pages import PASSWORD, Setting, _me, beijing_today, make_setting
from web.app import create_app


@pytest.fixture
def setting(client: TestClient[Litestar], services: Services) -> Setting:
    """A university's patent in H01M 10/00 and an accredited valuer (also the admin) of a valuation agency."""
    return make_setting(client, services)


HOSTILE = '<img src=x onerror="alert(1)">「评估」'
#: (500,000 × 1.1 + 400,000 × 0.93 + 100,000) / 3 = 340,666.666… yuan
ROWS = {
    "in.comparables.0.reference": "ZL201910001234.5",
    "in.comparables.0.date": "2025-06-30",
    "in.comparables.0.price": "500000",
    "in.comparables.0.technical_factor": "1.1",
    "in.comparables.1.reference": HOSTILE,
    "in.comparables.1.price": "400000",
    "in.comparables.1.time_factor": "0.93",
    # row 2 left empty, row 3 added (by the page's script, or typed into a fourth row)
    "in.comparables.3.price": "100000",
}


def market_form(**changes: str) -> dict[str, str]:
    return {
        "method": "market_comparables",
        **ROWS,
        "purpose": "pledge",
        "basis_date": beijing_today().isoformat(),
        "low": "300000",
        "high": "380000",
        "report_reference": "华信评报字〔2026〕第031号",
        "assumptions": "可比交易均为公开成交",
    } | changes


def visible(html: str) -> str:
    """The page's text without tags (what a reader sees), to check ids and raw figures do not show."""
    return re.sub(r"<[^>]+>", " ", html)


def record_by_rows(client: TestClient[Litestar], setting: Setting) -> str:
    login(client, "wang@huaxin.test", PASSWORD)
    form_page = f"/patents/{setting.patent_id}/valuations/new?method=market_comparables"
    done = post_form(client, f"/patents/{setting.patent_id}/valuations/new", market_form(), form_page=form_page)
    assert done.status_code == 303, done.text
    record = client.get(f"/api/patents/{setting.patent_id}/valuations").json()
    [assessment] = record["assessments"]
    return str(assessment["id"])


def test_the_form_takes_comparables_as_rows_without_script_and_the_preview_shows_a_rounded_steps_table(
    client: TestClient[Litestar], setting: Setting
) -> None:
    login(client, "wang@huaxin.test", PASSWORD)
    form_page = f"/patents/{setting.patent_id}/valuations/new?method=market_comparables"
    page = client.get(form_page).text
    for i in range(3):  # three rows work without JavaScript
        assert f'name="in.comparables.{i}.price"' in page
        assert f'name="in.comparables.{i}.reference"' in page
    assert 'name="in.comparables"' not in page  # no JSON textarea any more
    assert '<script src="/static/valuation-rows.js" defer></script>' in page
    assert "<option value=\"market_comparables\" selected>市场法（可比交易修正）</option>" in page
    script = client.get("/static/valuation-rows.js")
    assert script.status_code == 200
    assert "data-add-row" in script.text

    preview = post_form(client, "/valuation/preview", market_form(), form_page=form_page).text
    assert '<strong class="price" id="preview-value">340,667</strong>' in preview
    assert "340666.6" not in preview
    assert "['" not in preview
    assert "{'" not in preview
    assert "<th>可比交易</th><th>修正系数乘积</th><th>修正后价格（元）</th>" in preview
    assert '<tr><td>1 · ZL201910001234.5</td><td class="num">1.1</td><td class="num">550,000</td></tr>' in preview
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;「评估」</td>" in preview  # the reference, escaped
    assert "<img src=x" not in preview
    assert '<tr><td>3</td><td class="num">1</td><td class="num">100,000</td></tr>' in preview

    english = post_form(client, "/valuation/preview?lang=en", market_form(), form_page=form_page).text
    assert "<th>Comparable</th><th>Product of adjustment factors</th><th>Adjusted price (CNY)</th>" in english
    assert "Amounts rounded to the yuan" in english

    # A row's error is shown at that row, and the rows typed come back as typed (hostile text escaped).
    bad = post_form(client, f"/patents/{setting.patent_id}/valuations/new",
                    market_form(**{"in.comparables.1.time_factor": "-1"}), form_page=form_page)
    assert bad.status_code == 400
    assert 'name="in.comparables.1.time_factor" value="-1"' in bad.text
    assert "评估参数 · 第 2 项 · 时间修正系数：须大于 0" in bad.text
    assert 'value="&lt;img src=x onerror=&#34;alert(1)&#34;&gt;「评估」"' in bad.text
    assert 'name="in.comparables.3.price"' in bad.text  # three filled rows and a spare
    # Text the command edge refuses (a bidirectional override) is refused at its row, recording nothing.
    before = client.get(f"/api/patents/{setting.patent_id}/valuations").json()["assessments"]
    hidden = post_form(client, f"/patents/{setting.patent_id}/valuations/new",
                       market_form(**{"in.comparables.0.reference": "ZL\u202e2019"}), form_page=form_page)
    assert hidden.status_code == 400
    row = hidden.text[hidden.text.index('name="in.comparables.0.reference"'):]
    assert '<span class="field-error">' in row[: row.index('name="in.comparables.0.date"')]
    assert client.get(f"/api/patents/{setting.patent_id}/valuations").json()["assessments"] == before == []


def test_the_record_is_exact_the_pages_round_and_name_the_method_and_the_report_is_signed_and_verified(
    client: TestClient[Litestar], setting: Setting
) -> None:
    valuation_id = record_by_rows(client, setting)
    api = client.get(f"/api/patents/{setting.patent_id}/valuations").json()["assessments"][0]
    assert api["value"].startswith("340666.66666666666666")  # exact in the JSON API
    assert api["method"] == "market_comparables"
    assert [c.get("reference") for c in api["inputs"]["comparables"]] == ["ZL201910001234.5", HOSTILE, None]
    assert re.fullmatch(r"[0-9a-f]{64}", api["report_sha256"])
    assert api["signed_by"] == setting.valuer_id
    assert "countersigned_by" not in api

    zh = client.get(f"/patents/{setting.patent_id}/valuations?lang=zh").text
    row = zh[zh.index(f'id="assessment-{valuation_id}"'):]
    assert '<td class="price">340,667</td>' in row
    assert "<td>300,000 – 380,000</td>" in row
    assert '<td class="method">市场法（可比交易修正）</td>' in row
    assert "market_comparables" not in visible(zh)
    assert "340666.6" not in zh
    signature = zh[zh.index(f'id="signature-{valuation_id}"'):]
    assert f'<code class="digest">{api["report_sha256"]}</code>' in signature
    assert '<strong class="matches">✓ 与报告一致</strong>' in signature
    assert '评估师签署: <span class="signer">wang</span>' in signature
    assert "评估机构尚未副署" in signature
    assert "<th>可比交易</th>" in signature  # the recorded calculation's steps, as a table
    assert "&lt;img src=x" in signature
    assert "<img src=x" not in zh
    # The valuer (also the agency's admin here) may not countersign the report he signed: no button.
    assert f'action="/valuations/{valuation_id}/countersign"' not in zh

    en = client.get(f"/patents/{setting.patent_id}/valuations?lang=en").text
    assert '<td class="method">Market comparables</td>' in en
    assert '<strong class="matches">✓ matches the report</strong>' in en
    assert "Not countersigned by the agency yet" in en
    assert "Product of adjustment factors" in en
    # The valuer's profile and the field record show the same rounded figures and names.
    for path in (f"/valuers/{setting.valuer_id}", "/valuation/fields/H01M10/00"):
        page = client.get(path).text
        assert '<td class="price">340,667</td>' in page, path
        assert "市场法（可比交易修正）" in page, path
        assert "340666.6" not in page, path
    chart = client.get(f"/valuation/patents/{setting.patent_id}/chart").text
    assert f"华信资产评估有限公司 {beijing_today().isoformat()}: 340,667 (300,000–380,000) current" in chart


def test_only_an_admin_of_the_valuers_agency_countersigns_once_and_the_page_shows_it(
    client: TestClient[Litestar], services: Services, setting: Setting
) -> None:
    valuation_id = record_by_rows(client, setting)
    digest = client.get(f"/api/patents/{setting.patent_id}/valuations").json()["assessments"][0]["report_sha256"]
    url = f"/api/valuations/{valuation_id}/countersign"
    # Nobody without a token; not the signing valuer; not another agency's admin and valuer; not a plain member.
    assert client.post(url, json={"report_sha256": digest}).status_code == 401
    own = client.post(url, headers=setting.valuer, json={"report_sha256": digest})
    assert own.status_code == 403
    assert "the valuer who signed the report" in own.json()["detail"]
    sign_up_verified(client, services, "chen@zhongrui.test", "中瑞评估有限公司", "valuation_agency")
    accredited = client.post("/api/valuers", headers=setting.admin, json={
        "user_id": _me(client, "chen@zhongrui.test")["user_id"], "credential_number": "CPV-350002",
        "expires_on": (beijing_today() + timedelta(days=365)).isoformat()})  # replace(year=…) fails on 29 February
    assert accredited.status_code == 201, accredited.text
    rival = api_token(client, "chen@zhongrui.test", PASSWORD)  # with the valuer role now
    refused = client.post(url, headers=rival, json={"report_sha256": digest})
    assert refused.status_code == 403
    assert "only an admin of the agency" in refused.json()["detail"]
    added = client.post("/api/members", headers=setting.valuer, json={
        "email": "zhao@huaxin.test", "password": PASSWORD, "display_name": "zhao"})
    assert added.status_code == 201, added.text
    member = api_token(client, "zhao@huaxin.test", PASSWORD)
    assert client.post(url, headers=member, json={"report_sha256": digest}).status_code == 403
    # A member without the valuer role cannot sign either: recording is the valuer's signature.
    body = {"patent_id": setting.patent_id, "purpose": "transfer", "basis_date": beijing_today().isoformat(),
            "method": "cost_depreciated", "inputs": {"replacement_cost": "1000000", "years_used": "2",
                                                     "remaining_years": "8"},
            "low": "700000", "high": "900000", "report_reference": "R-X"}
    unsigned = client.post("/api/valuations", headers=member, json=body)
    assert unsigned.status_code == 403
    assert "not an accredited valuer" in unsigned.json()["detail"]
    assert client.post(f"/api/valuations/{setting.patent_id}/countersign", headers=member,
                       json={"report_sha256": digest}).status_code == 404

    # The agency's other admin countersigns through the page; a double click has one effect.
    granted = client.post(f"/api/users/{_me(client, 'zhao@huaxin.test')['user_id']}/roles", headers=setting.valuer,
                          json={"role": "org_admin"})
    assert granted.status_code == 200, granted.text
    client.cookies.clear()
    login(client, "zhao@huaxin.test", PASSWORD)
    history = f"/patents/{setting.patent_id}/valuations"
    page = client.get(history).text
    assert f'action="/valuations/{valuation_id}/countersign"' in page
    wrong = post_form(client, f"/valuations/{valuation_id}/countersign", {"report_sha256": "0" * 64},
                      form_page=history)
    assert wrong.status_code == 409
    before = services.app.recorder.max_notification_id()
    first = post_form(client, f"/valuations/{valuation_id}/countersign", {"report_sha256": digest}, form_page=history)
    assert first.status_code == 303, first.text
    again = post_form(client, f"/valuations/{valuation_id}/countersign", {"report_sha256": digest}, form_page=history)
    assert again.status_code == 409
    assert "评估：该评估已副署" in again.text
    assert services.app.recorder.max_notification_id() == before + 1
    zh = client.get(f"{history}?lang=zh").text
    assert '评估机构副署: <span class="countersigner">zhao</span> · 华信资产评估有限公司' in zh
    assert f'action="/valuations/{valuation_id}/countersign"' not in zh
    en = client.get(f"{history}?lang=en").text
    assert 'Countersigned by the agency: <span class="countersigner">zhao</span>' in en
    api = client.get(f"/api/patents/{setting.patent_id}/valuations").json()["assessments"][0]
    assert api["countersigned_by"] == _me(client, "zhao@huaxin.test")["user_id"]


def test_a_field_record_counts_the_open_licences_taken_up_in_both_languages(
    client: TestClient[Litestar], services: Services, setting: Setting
) -> None:
    owner = api_token(client, "li@fzu.test", PASSWORD)
    listing = client.post("/api/listings", headers=owner, json={
        "patent_id": setting.patent_id, "deal_types": ["open_licence"], "price_mode": "open_licence",
        "asking_price": None, "maturity": "pilot",
        "open_licence": {"fee": 2_000_000, "royalty_rate": 3, "term_years": 3}})
    assert listing.status_code == 201, listing.text
    listing_id = listing.json()["id"]
    assert client.post(f"/api/listings/{listing_id}/publish", headers=owner).status_code == 200
    before = client.get("/api/valuation/fields/H01M10/00").json()
    assert before["open_licence_take_ups"] == []
    for n, email in enumerate(("a@cells.test", "b@cells.test")):
        licensee = sign_up_verified(client, services, email, f"宁德电池{n}有限公司", "enterprise")
        taken = client.post(f"/api/listings/{listing_id}/open-licence", headers=licensee)
        assert taken.status_code == 201, taken.text
    field = client.get("/api/valuation/fields/H01M10/00").json()
    [stats] = field["open_licence_take_ups"]
    assert (stats["year"], stats["count"], stats["paid"], stats["median"]) == (beijing_today().year, 2, 0, 2_000_000)
    zh = client.get("/valuation/fields/H01M?lang=zh").text
    take_ups = zh[zh.index('id="take-ups"'):]
    assert "<h2>开放许可实施（按年度）</h2>" in take_ups
    assert f'<tr><td>{beijing_today().year}</td><td>2</td><td>0</td><td class="price">2 万元</td>' in take_ups
    en = client.get("/valuation/fields/H01M?lang=en").text
    assert "<h2>Open licences taken up, by year</h2>" in en
    assert '<td class="price">CNY 20,000</td>' in en


def test_assessments_recorded_before_signing_load_and_show_not_signed(
    database: DatabaseAddress, ipc_scheme: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fixture = restore(database)
    monkeypatch.setenv("MARKETPLACE_DATABASE_URL", database_url(database))
    monkeypatch.setenv("MARKETPLACE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MARKETPLACE_DEMO_DATA", "0")
    assert main(["migrate"]) == 0
    services = build_services(Settings.from_env(), address=database, ipc_scheme=ipc_scheme)
    try:
        with TestClient(create_app(patient(services), start_projections=True)) as client:
            patent = fixture["ids"]["sold_patent"]
            zh = client.get(f"/patents/{patent}/valuations?lang=zh").text
            en = client.get(f"/patents/{patent}/valuations?lang=en").text
            [old] = client.get(f"/api/patents/{patent}/valuations").json()["assessments"]
            valuation = services.app.repository.get(UUID(old["id"]))
    finally:
        services.close()
    assert '<small class="unsigned">未签署（签署功能上线前录入）</small>' in zh
    assert '<small class="unsigned">Not signed (recorded before signing)</small>' in en
    assert "report_sha256" not in old  # the JSON answers as before
    assert (valuation.report_sha256, valuation.signed_by, valuation.countersigned_by) == ("", None, None)
