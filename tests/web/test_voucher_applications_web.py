"""Online applications for innovation vouchers from the users' side over HTTP (issue 12): an enterprise's admin
applies on its "my vouchers" page, the department's officer sees it on the to-do and in the voucher book and
issues the voucher; another application is refused with a reason the applicant reads. And as outsiders would
try it: an unverified or non-qualified enterprise, another department's officer, a double submit, hostile text."""

from __future__ import annotations

import re
from datetime import timedelta

from marketplace.accounts import commands as ac
from tests.web.conftest import api_token, login
from tests.web.test_programmes_web import PASSWORD, YUAN, Market
from tests.web.test_vouchers_web import draft_voucher_programme, market, today

__all__ = ["market"]


def apply_form(market: Market, programme_id: str, amount: str, purpose: str, *, token: str | None = None) -> object:
    page = market.client.get(f"/my/vouchers?programme={programme_id}").text
    found = re.search(r'name="token" value="([0-9a-f]{32})"', page)
    assert found is not None, page
    return market.form("/my/voucher-applications", "/my/vouchers", {
        "programme_id": programme_id, "amount": amount, "services": ["testing", "consulting"], "purpose": purpose,
        "token": token or found.group(1)})


def test_an_enterprise_applies_the_officer_issues_and_refuses(market: Market) -> None:
    client = market.client
    programme_id = draft_voucher_programme(market)
    book = f"/programmes/{programme_id}/vouchers"

    login(client, "tea@example.test", PASSWORD)
    detail = client.get(f"/programmes/{programme_id}").text
    assert f'href="/my/vouchers?programme={programme_id}#apply"' in detail
    page = client.get(f"/my/vouchers?programme={programme_id}").text
    token = re.search(r'name="token" value="([0-9a-f]{32})"', page)
    assert token is not None
    for _ in range(2):  # a double submit of one form: one application
        sent = market.form("/my/voucher-applications", "/my/vouchers", {
            "programme_id": programme_id, "amount": "60000", "services": ["testing"],
            "purpose": "检测茶多酚提取工艺", "token": token.group(1)})
        assert sent.status_code == 303, sent.text
    application = str(sent.headers["location"]).split("#application-")[1]
    mine = client.get("/my/vouchers?done=application_sent").text
    assert "申请已提交" in mine
    assert mine.count('<article class="claim" id="application-') == 1
    assert "待审核" in mine

    login(client, "officer@example.test", PASSWORD)
    todo = client.get("/todo").text
    assert f'href="{book}#application-{application}"' in todo
    assert "待审核的创新券申请" in todo
    page = client.get(book).text
    assert "检测茶多酚提取工艺" in page
    until = (today(market) + timedelta(days=180)).isoformat()
    issued = market.form(f"/voucher-applications/{application}/issue", book, {"valid_until": until})
    assert issued.status_code == 303, issued.text
    again = market.form(f"/voucher-applications/{application}/issue", book, {"valid_until": until})
    assert again.status_code == 303  # a second click issues nothing more
    page = client.get(book + "?done=issued_on_application").text
    assert "已依申请发券" in page
    assert page.count('<tr id="voucher-') == 1
    assert f'href="{book}#application-{application}"' not in client.get("/todo").text  # decided

    login(client, "maker@example.test", PASSWORD)
    refused_one = apply_form(market, programme_id, "30000", "<script>alert(1)</script> 创客空间设备")
    assert refused_one.status_code == 303  # type: ignore[attr-defined]
    second = str(refused_one.headers["location"]).split("#application-")[1]  # type: ignore[attr-defined]
    login(client, "officer@example.test", PASSWORD)
    page = client.get(book).text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    refused = market.form(f"/voucher-applications/{second}/refuse", book, {"reason": "今年额度已用完，请明年再申请"})
    assert refused.status_code == 303
    late = market.form(f"/voucher-applications/{second}/issue", book, {"valid_until": until})
    assert late.status_code == 409  # refused: no voucher after all

    login(client, "tea@example.test", PASSWORD)
    mine = client.get("/my/vouchers").text
    assert "已发券" in mine
    assert 'id="voucher-' in mine
    assert "6 万元" in mine
    assert 'href="/my/vouchers#application-' + application in client.get("/todo").text
    english = client.get("/lang/en?next=/my/vouchers").text
    assert "Voucher issued" in english
    client.get("/lang/zh?next=/my/vouchers")

    login(client, "maker@example.test", PASSWORD)
    mine = client.get("/my/vouchers").text
    assert "不予发放" in mine
    assert "今年额度已用完，请明年再申请" in mine
    assert 'id="voucher-' not in mine
    assert f'href="/my/vouchers#application-{second}"' in client.get("/todo").text

    # The JSON API tells the same story.
    tea = api_token(client, "tea@example.test", PASSWORD)
    [answer] = client.get("/api/my/voucher-applications", headers=tea).json()
    assert (answer["status"], answer["amount"]) == ("issued", 60_000 * YUAN)
    assert answer["voucher_id"]
    officer = api_token(client, "officer@example.test", PASSWORD)
    listed = client.get(f"/api/programmes/{programme_id}/voucher-applications", headers=officer).json()
    assert {a["status"] for a in listed} == {"issued", "refused"}


def test_outsiders_cannot_apply_or_decide(market: Market) -> None:
    client = market.client
    programme_id = draft_voucher_programme(market)
    # An enterprise verified but without a qualification (no tech_sme / maker flag) ...
    market.sign_up("plain", "福州普通贸易有限公司", "enterprise", "福建省福州市")
    plain = api_token(client, "plain@example.test", PASSWORD)
    body = {"amount": 10_000 * YUAN, "token": "t-1", "services": ["testing"], "purpose": "x"}
    refused = client.post(f"/api/programmes/{programme_id}/voucher-applications", json=body, headers=plain)
    assert refused.status_code in (400, 409), refused.text
    assert refused.json()["code"] == "voucher.not_qualified" or "not_qualified" in refused.text
    # ... a university (not an enterprise) ...
    fafu = api_token(client, "fafu@example.test", PASSWORD)
    refused = client.post(f"/api/programmes/{programme_id}/voucher-applications", json=body, headers=fafu)
    assert refused.status_code in (400, 409)
    assert "not_an_enterprise" in refused.text
    # ... and an enterprise the platform has not verified (though its flag is set) may not apply either.
    market.app.accounts.sign_up(ac.SignUp(email="new@example.test", password=PASSWORD, display_name="n",
                                          organisation_name="新注册科技有限公司", organisation_kind="enterprise",
                                          region="福建省福州市"))
    new = api_token(client, "new@example.test", PASSWORD)
    refused = client.post(f"/api/programmes/{programme_id}/voucher-applications", json=body, headers=new)
    assert refused.status_code in (400, 403, 409), refused.text
    for outsider in (plain, fafu, new):  # nothing was recorded for them
        assert client.get("/api/my/voucher-applications", headers=outsider).json() == []
    tea = api_token(client, "tea@example.test", PASSWORD)
    # Hostile amounts and unknown services are refused.
    for bad in ({**body, "amount": -1}, {**body, "amount": 10**18}, {**body, "services": ["casino"]},
                {**body, "purpose": "x" * 501}, {**body, "token": ""}, {**body, "extra": 1}):
        answer = client.post(f"/api/programmes/{programme_id}/voucher-applications", json=bad, headers=tea)
        assert answer.status_code == 400, (bad, answer.text)
    sent = client.post(f"/api/programmes/{programme_id}/voucher-applications", json=body, headers=tea)
    assert sent.status_code == 201, sent.text
    twice = client.post(f"/api/programmes/{programme_id}/voucher-applications", json=body, headers=tea)
    assert twice.json()["application_id"] == sent.json()["application_id"]
    application = sent.json()["application_id"]
    # Another department's officer neither sees nor decides it; the applicant cannot issue its own.
    xm = api_token(client, "xm_officer@example.test", PASSWORD)
    assert client.get(f"/api/programmes/{programme_id}/voucher-applications", headers=xm).status_code == 403
    until = (today(market) + timedelta(days=30)).isoformat()
    for who in (xm, tea):
        answer = client.post(f"/api/voucher-applications/{application}/issue", json={"valid_until": until},
                             headers=who)
        assert answer.status_code == 403, answer.text
        answer = client.post(f"/api/voucher-applications/{application}/refuse", json={"reason": "不"}, headers=who)
        assert answer.status_code == 403, answer.text
    login(client, "xm_officer@example.test", PASSWORD)
    assert f"#application-{application}" not in client.get("/todo").text
    officer = api_token(client, "officer@example.test", PASSWORD)
    assert client.post(f"/api/voucher-applications/{application}/refuse", json={"reason": "  "},
                       headers=officer).status_code == 400
    [only] = client.get("/api/my/voucher-applications", headers=tea).json()
    assert only["status"] == "applied"
