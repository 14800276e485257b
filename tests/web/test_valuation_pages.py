"""Valuation over HTTP: the calculator API, recording through the form, history, chart, profile and field pages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from domain.catalogue.patent_numbers import cn_check_character
from marketplace.platform.services import Services
from tests.web.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, api_token, login, post_form, sign_up_verified

PASSWORD = "secret-password-1"
COST = {"replacement_cost": "1000000", "years_used": "2", "remaining_years": "8"}


@dataclass
class Setting:
    patent_id: str
    valuer_id: str
    valuer: dict[str, str]
    admin: dict[str, str]


def beijing_today() -> date:
    """Today in Beijing: the day the marketplace counts accreditations and basis dates in."""
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def _me(client: TestClient[Litestar], email: str) -> dict[str, Any]:
    response = client.post("/api/auth/token", json={"email": email, "password": PASSWORD})
    return dict(response.json())


@pytest.fixture
def setting(client: TestClient[Litestar], services: Services) -> Setting:
    return make_setting(client, services)


def make_setting(client: TestClient[Litestar], services: Services) -> Setting:
    """A university's patent in H01M 10/00 and an accredited valuer of a valuation agency."""
    owner = sign_up_verified(client, services, "li@fzu.test", "福州大学", "university")
    sign_up_verified(client, services, "wang@huaxin.test", "华信资产评估有限公司", "valuation_agency")
    admin = api_token(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    digits = "202110555120"
    patent = client.post(
        "/api/patents",
        headers=owner,
        json={
            "application_number": f"{digits}.{cn_check_character(digits)}",
            "patent_type": "invention",
            "title_zh": "锂电池负极材料",
            "ipc_codes": ["H01M 10/0525"],
            "legal_status": "granted",
            "owners": [{"organisation_id": _me(client, "li@fzu.test")["organisation_id"], "share": 100}],
        },
    )
    assert patent.status_code == 201, patent.text
    valuer_id = _me(client, "wang@huaxin.test")["user_id"]
    accredited = client.post(
        "/api/valuers",
        headers=admin,
        json={
            "user_id": valuer_id,
            "credential_number": "CPV-350001",
            "expires_on": (beijing_today() + timedelta(days=365)).isoformat(),
        },
    )
    assert accredited.status_code == 201, accredited.text
    return Setting(patent.json()["id"], valuer_id, api_token(client, "wang@huaxin.test", PASSWORD), admin)


def record_form(setting: Setting, **changes: str) -> dict[str, str]:
    return {
        "method": "cost_depreciated",
        **{f"in.{k}": v for k, v in COST.items()},
        "purpose": "transfer",
        "basis_date": beijing_today().isoformat(),
        "low": "700000",
        "high": "900000",
        "report_reference": "华信评报字〔2026〕第018号",
        "assumptions": "持续使用假设",
    } | changes


def test_calculate_answers_value_and_steps_and_records_nothing(
    client: TestClient[Litestar], services: Services
) -> None:
    before = services.app.recorder.max_notification_id()
    response = client.post("/api/valuation/calculate", json={"method": "cost_depreciated", "inputs": COST})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["method"] == "cost_depreciated"
    assert Decimal(body["value"]) == Decimal(800_000)
    assert body["steps"]
    missing = client.post(
        "/api/valuation/calculate", json={"method": "cost_depreciated", "inputs": {"replacement_cost": "1000000"}}
    )
    assert missing.status_code == 400
    assert missing.json()["field"] == "inputs.years_used"
    assert missing.json()["detail"].startswith("inputs.years_used:")
    unknown = client.post("/api/valuation/calculate", json={"method": "guess", "inputs": {}})
    assert (unknown.status_code, unknown.json()["field"]) == (400, "method")
    assert services.app.recorder.max_notification_id() == before
    methods = client.get("/api/valuation/methods").json()
    assert "cost_depreciated" in {m["id"] for m in methods}


def test_a_valuer_records_through_the_form_and_the_history_marks_supersede_and_withdraw(
    client: TestClient[Litestar], setting: Setting
) -> None:
    # One basis date for every record of the test, read once: a run crossing midnight in Beijing still records
    # (yesterday is a past basis date) and the chart's labels still name the date sent.
    today = beijing_today().isoformat()
    # Before anything is recorded the listing's chart panel says so and links the record (no empty panel).
    empty = client.get(f"/valuation/patents/{setting.patent_id}/chart").text
    assert "<svg" not in empty
    record_link = f'<a href="/patents/{setting.patent_id}/valuations">'
    assert f'id="no-value-yet">尚无评估、报价或成交记录。 · {record_link}' in empty, empty
    login(client, "wang@huaxin.test", PASSWORD)
    form_page = f"/patents/{setting.patent_id}/valuations/new"
    page = client.get(form_page)
    assert page.status_code == 200
    assert 'name="in.replacement_cost"' in client.get(f"{form_page}?method=cost_depreciated").text
    inputs = client.get("/valuation/inputs?method=relief_from_royalty")
    assert 'name="in.royalty_rate"' in inputs.text
    preview = post_form(client, "/valuation/preview", record_form(setting, basis_date=today), form_page=form_page)
    assert preview.status_code == 200
    assert "800,000" in preview.text

    refused = post_form(client, form_page, record_form(setting, low="850000", basis_date=today), form_page=form_page)
    assert refused.status_code == 400
    assert "区间下限（元）：不得高于算出的评估值 80 万元" in refused.text

    done = post_form(client, form_page, record_form(setting, basis_date=today), form_page=form_page)
    assert done.status_code == 303, done.text
    history = client.get(f"/patents/{setting.patent_id}/valuations").text
    assert "华信评报字〔2026〕第018号" in history
    first = re.search(r'id="assessment-([0-9a-f-]{36})"', history)
    assert first is not None
    again = record_form(setting, supersedes=first.group(1), purpose="pledge", report_reference="R-2",
                        basis_date=today)
    assert post_form(client, form_page, again, form_page=form_page).status_code == 303
    history = client.get(f"/patents/{setting.patent_id}/valuations").text
    assert f'class="assessment superseded" id="assessment-{first.group(1)}"' in history
    second = re.search(r'class="assessment current" id="assessment-([0-9a-f-]{36})"', history)
    assert second is not None
    withdrawn = post_form(
        client, f"/valuations/{second.group(1)}/withdraw", {"reason": "参数录入错误"}, form_page=form_page
    )
    assert withdrawn.status_code == 303
    history = client.get(f"/patents/{setting.patent_id}/valuations").text
    assert f'class="assessment withdrawn" id="assessment-{second.group(1)}"' in history
    assert "参数录入错误" in history
    chart = client.get(f"/valuation/patents/{setting.patent_id}/chart").text
    assert "<svg" in chart
    assert 'class="pygal-chart"' in chart  # drawn by the site's chart library, not by hand
    assert "<script" not in chart
    assert "<style" not in chart
    # One point per assessment, titled with who, when, value, range and status, in the series' order.
    points = re.findall(r'<g class="dots"><title>(.*?)</title><circle cx="([\d.]+)" cy="([\d.]+)"', chart)
    assert [label.rsplit(" ", 1)[1] for label, _, _ in points] == ["superseded", "withdrawn"], chart
    for label, _, _ in points:  # amounts as people read them, not 7.0E+5
        kind = label.rsplit(" ", 1)[1]
        assert label == f"华信资产评估有限公司 {today}: 800,000 (700,000–900,000) {kind}", label
    # Each range is a vertical line from low to high at the basis date; the point sits at the value, halfway.
    lines = re.findall(r'<path d="M([\d.]+) ([\d.]+) L([\d.]+) ([\d.]+)" class="line reactive nofill"', chart)
    assert len(lines) == 2, chart
    for (_, cx, cy), (x1, y1, x2, y2) in zip(points, lines, strict=True):
        assert abs(float(x1) - float(cx)) < 0.01
        assert float(x1) == float(x2)
        low, high = float(y1), float(y2)
        assert low > high  # low is drawn lower
        assert abs(float(cy) - (low + high) / 2) < 0.01
    assert f'id="value-title">{"价值走势：评估、报价与成交价"}</title>' in chart
    assert "现行评估" in chart  # the legend names the series
    assert ">90 万<" in chart  # the value axis reads as people read amounts


def test_revoked_valuers_and_strangers_are_refused_with_the_rule(
    client: TestClient[Litestar], setting: Setting
) -> None:
    body = {
        "patent_id": setting.patent_id,
        "purpose": "transfer",
        "basis_date": beijing_today().isoformat(),
        "method": "cost_depreciated",
        "inputs": COST,
        "low": "700000",
        "high": "900000",
        "report_reference": "R-1",
    }
    stranger = sign_up_verified(client, client.app.state.web.services, "x@corp.test", "某企业", "enterprise")
    refused = client.post("/api/valuations", headers=stranger, json=body)
    assert refused.status_code == 403
    assert refused.json()["detail"].startswith("you are not an accredited valuer")
    revoked = client.post(
        f"/api/valuers/{setting.valuer_id}/revoke", headers=setting.admin, json={"reason": "证书注销"}
    )
    assert revoked.status_code == 200, revoked.text
    # Revoking the accreditation revokes the role valuer, and with it the valuer's tokens.
    assert client.post("/api/valuations", headers=setting.valuer, json=body).status_code == 401
    refused = client.post("/api/valuations", headers=api_token(client, "wang@huaxin.test", PASSWORD), json=body)
    assert refused.status_code == 403
    assert "the accreditation was revoked" in refused.json()["detail"]
    listed = client.get("/api/valuers").json()
    assert [(v["credential_number"], v["status"]) for v in listed] == [("CPV-350001", "revoked")]


def test_profile_field_and_admin_pages(client: TestClient[Litestar], setting: Setting) -> None:
    body = {
        "patent_id": setting.patent_id,
        "purpose": "licence",
        "basis_date": beijing_today().isoformat(),
        "method": "cost_depreciated",
        "inputs": COST,
        "low": "700000",
        "high": "900000",
        "report_reference": "R-9",
    }
    recorded = client.post("/api/valuations", headers=setting.valuer, json=body)
    assert recorded.status_code == 201, recorded.text

    profile = client.get(f"/valuers/{setting.valuer_id}")
    assert profile.status_code == 200
    assert "CPV-350001" in profile.text
    assert 'id="calibration"' in profile.text
    api_profile = client.get(f"/api/valuers/{setting.valuer_id}").json()
    assert api_profile["calibration"]["count"] == 0
    assert [a["report_reference"] for a in api_profile["assessments"]] == ["R-9"]

    for ipc in ("H01M10/00", "H01M10/0525", "H01M"):
        page = client.get(f"/valuation/fields/{ipc}")
        assert page.status_code == 200, ipc
        assert "R-9" in page.text
    field = client.get("/api/valuation/fields/H01M10/00").json()
    assert (field["ipc"], field["level"], field["patents"], field["prices"]) == ("H01M 10/00", "group", 1, [])
    bad = client.get("/api/valuation/fields/XYZ")
    assert (bad.status_code, bad.json()["field"]) == (400, "ipc")
    record = client.get(f"/api/patents/{setting.patent_id}/valuations").json()
    assert [a["status"] for a in record["assessments"]] == ["current"]

    assert client.get("/admin/valuers", follow_redirects=False).status_code == 303  # not logged in: log in first
    login(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    admin_page = client.get("/admin/valuers")
    assert admin_page.status_code == 200
    assert "CPV-350001" in admin_page.text
    renewed = post_form(
        client, f"/admin/valuers/{setting.valuer_id}/renew", {"expires_on": "2020-01-01"}, form_page="/admin/valuers"
    )
    assert renewed.status_code == 400
    assert "有效期至：须晚于当前有效期（" in renewed.text
