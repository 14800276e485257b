"""Valuation, account and programme refusals over HTTP in the reader's language (zh/en): the page or the JSON
names the field by its label and says the rule in Chinese or English (amounts as money, statuses and roles by
their labels), never an internal snake_case name nor the English rule on a Chinese page."""

from __future__ import annotations

import html
import re

from litestar import Litestar
from litestar.testing import TestClient

from marketplace.platform.services import Services
from tests.unit.tech_registration_helpers import register
from tests.web.conftest import api_token, login, post_form, sign_up_verified
from tests.web.test_programmes_web import REWARD_FORM, Market, claim_ids, draft_and_open
from tests.web.test_valuation_pages import COST, beijing_today, make_setting, record_form

PASSWORD = "secret-password-1"
_SNAKE = re.compile(r"\b[a-z]+_[a-z_]+\b")


def alerts(page: str) -> set[str]:
    """The refusals a page shows (its alert and the messages at its fields), as read."""
    return {html.unescape(m) for m in re.findall(r'(?:role="alert"|class="field-error")>([^<]*)<', page)}


def no_internal_names(*said: str) -> None:
    for text in said:
        assert not _SNAKE.search(text), text


def test_a_range_outside_the_computed_value_is_said_as_money_on_the_form_in_each_language(
    client: TestClient[Litestar], services: Services
) -> None:
    setting = make_setting(client, services)
    login(client, "wang@huaxin.test", PASSWORD)
    form_page = f"/patents/{setting.patent_id}/valuations/new"
    said = {}
    for lang in ("zh", "en"):
        low = post_form(client, f"{form_page}?lang={lang}", record_form(setting, low="850000"), form_page=form_page)
        high = post_form(client, f"{form_page}?lang={lang}", record_form(setting, high="750000"), form_page=form_page)
        assert (low.status_code, high.status_code) == (400, 400)
        said[lang] = alerts(low.text) | alerts(high.text)
    assert said["zh"] == {
        "区间下限（元）：不得高于算出的评估值 80 万元",
        "区间上限（元）：不得低于算出的评估值 80 万元",
    }
    assert said["en"] == {
        "Range low (CNY): must be at most the computed value CNY 800,000",
        "Range high (CNY): must be at least the computed value CNY 800,000",
    }
    no_internal_names(*said["zh"], *said["en"])


def test_accreditation_and_recording_refusals_are_said_in_the_json_in_each_language(
    client: TestClient[Litestar], services: Services
) -> None:
    setting = make_setting(client, services)
    today = beijing_today().isoformat()
    past = {"user_id": setting.valuer_id, "credential_number": "CPV-2", "expires_on": "2020-01-01"}
    stranger = sign_up_verified(client, services, "x@corp.test", "某企业", "enterprise")
    body = {"patent_id": setting.patent_id, "purpose": "transfer", "basis_date": today, "method": "cost_depreciated",
            "inputs": COST, "low": "700000", "high": "900000", "report_reference": "R-1"}
    said = {}
    for lang in ("zh", "en"):
        expired = client.post(f"/api/valuers?lang={lang}", headers=setting.admin, json=past)
        assert expired.status_code == 400
        assert (expired.json()["field"], expired.json()["code"]) == ("expires_on", "valuer.expires_after_today")
        refused = client.post(f"/api/valuations?lang={lang}", headers=stranger, json=body)
        assert (refused.status_code, refused.json()["code"]) == (403, "valuer.not_accredited")
        said[lang] = (expired.json()["detail"], refused.json()["detail"])
    assert said["zh"] == (f"有效期至：资格有效期须晚于今天（{today}）", "您尚未登记为评估师，请联系平台办理")
    assert said["en"] == (
        f"Expires on: the accreditation must expire after today ({today})",
        "You are not an accredited valuer; ask the platform to accredit you",
    )
    # A program that names no language still reads the English rule as recorded.
    plain = client.post("/api/valuers", headers=setting.admin, json=past).json()["detail"]
    assert plain == f"expires_on: the accreditation must expire after today ({today})"


def test_revoking_a_role_the_user_does_not_hold_names_the_role_by_its_label(
    client: TestClient[Litestar], services: Services
) -> None:
    setting = make_setting(client, services)
    said = {}
    for lang in ("zh", "en"):
        refused = client.delete(f"/api/users/{setting.valuer_id}/roles/auditor?lang={lang}", headers=setting.admin)
        assert (refused.status_code, refused.json()["code"]) == (409, "role.not_held")
        said[lang] = refused.json()["detail"]
    assert said == {"zh": "角色：该用户没有“审计员”角色", "en": "Roles: the user does not have the role Auditor"}


def test_programme_refusals_are_said_on_the_pages_in_each_language(
    services: Services, client: TestClient[Litestar]
) -> None:
    market = Market(services, client)
    market.sign_up("officer", "福建省科学技术厅", "government", "福建省福州市", "programme_officer")
    market.sign_up("fafu", "福建农林大学", "university", "福建省福州市")
    market.sign_up("tea", "安溪铁观音集团有限公司", "enterprise", "福建省泉州市")
    login(client, "officer@example.test", PASSWORD)
    rate = {}
    for lang in ("zh", "en"):
        refused = market.form(f"/programmes?lang={lang}", "/programmes/new", REWARD_FORM | {"rate": "120"})
        assert refused.status_code == 400
        rate[lang] = alerts(refused.text)
    assert rate == {"zh": {"比例（%）：请填写 0 至 100 之间的百分比，最多两位小数"},
                    "en": {"Rate (%): give a rate in percent from 0 to 100, at most two decimals"}}

    programme_id = draft_and_open(market)
    contract = market.paid_sale("fafu", "tea", 800_000)
    register(market.app, contract, market.ids["fafu"])  # the seller recorded the registry's number
    market.follow_payments()
    login(client, "fafu@example.test", PASSWORD)
    (claim_id,) = claim_ids(client.get("/my/claims").text)
    missing = {}
    for lang in ("zh", "en"):
        refused = market.form(f"/claims/{claim_id}/submit?lang={lang}", "/my/claims",
                              {"payee_account": "35001234567890"})
        assert refused.status_code == 400
        missing[lang] = alerts(refused.text)
    assert missing == {
        "zh": {"技术合同登记号：按计划规则须填写技术合同登记号"},
        "en": {"Technology-contract registration number: the programme's rule requires the technology-contract "
               "registration number"},
    }
    submitted = market.form(f"/claims/{claim_id}/submit", "/my/claims",
                            {"payee_account": "3500 1234 5678 90", "registration_number": "2026350100000123"})
    assert submitted.status_code == 303

    login(client, "officer@example.test", PASSWORD)
    queue = f"/programmes/{programme_id}/claims"
    assert market.form(f"/claims/{claim_id}/approve", queue, {}).status_code == 303
    twice = {}
    for lang in ("zh", "en"):
        again = market.form(f"/claims/{claim_id}/approve?lang={lang}", queue, {})
        assert again.status_code == 409
        (twice[lang],) = alerts(again.text)
    assert twice["zh"] == "扶持申领：该申领当前为“已核定，待拨付”，不能这样处理"  # not an ownership claim
    assert twice["en"] == "Programme claim: the claim is approved, to be paid; this cannot be done"
    # Over the API too, in the language asked for.
    officer = api_token(client, "officer@example.test", PASSWORD)
    api = client.post(f"/api/claims/{claim_id}/approve?lang=zh", headers=officer)
    assert (api.status_code, api.json()["code"]) == (409, "claim.state")
    assert api.json()["detail"].endswith("该申领当前为“已核定，待拨付”，不能这样处理")
    no_internal_names(*rate["zh"], *rate["en"], *missing["zh"], *missing["en"], *twice.values(), api.json()["detail"])
