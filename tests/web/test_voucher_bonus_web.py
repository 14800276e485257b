"""Xiamen's provider bonus from the officer's side (issue 12; xiamen_torch_innovation_voucher_2022: 20 % of the
value a provider redeems, at most ¥400,000 a provider a year): the officer sets it in the programme editor, the
voucher book shows what the settlement will pay the provider, the settlement pays the bonus with the voucher
part, and the book, the JSON book, the budget and the finance department's CSV show it — in both languages."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest

from tests.web.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, api_token, login
from tests.web.test_programmes_web import PASSWORD, YUAN, Market
from tests.web.test_vouchers_web import (
    VOUCHER_FORM,
    issue,
    market,  # noqa: F401 - the fixture
    signed_licence,
    today,
)

XIAMEN_FORM = {**VOUCHER_FORM, "name_zh": "火炬高新区创新券", "name_en": "Torch Hi-tech Zone innovation vouchers",
               "source": "厦高管规〔2022〕2号", "rate": "40", "share_tech_sme": "50", "provider_bonus": "20",
               "provider_bonus_cap": "400000"}


def test_the_officer_settles_a_provider_redemption_and_its_bonus_is_paid_with_it(market: Market) -> None:  # noqa: F811 - the imported fixture
    client = market.client
    login(client, "xm_officer@example.test", PASSWORD)
    refused = market.form("/programmes", "/programmes/new", {**XIAMEN_FORM, "redemption_model": "reimbursement"})
    assert refused.status_code == 400
    assert "服务机构奖励只适用于通兑（服务机构兑付）方式" in refused.text
    drafted = market.form("/programmes", "/programmes/new", XIAMEN_FORM)
    assert drafted.status_code == 303, drafted.text
    programme_id = str(drafted.headers["location"]).split("/")[2].split("?")[0]
    assert market.form(f"/programmes/{programme_id}/open", f"/programmes/{programme_id}", {}).status_code == 303
    page = client.get(f"/programmes/{programme_id}").text
    assert re.search(r'id="provider-bonus-rule">兑付金额的 20 %，随兑付一并支付；每家服务机构每年上限 40 万元', page)
    english = client.get(f"/programmes/{programme_id}?lang=en").text
    assert "20 % of the redeemed value, paid with the settlement; at most" in english

    book = f"/programmes/{programme_id}/vouchers"
    assert issue(market, programme_id, "maker", "100000", today(market) + timedelta(days=180), "2026-火炬-01") == 303
    oid = signed_licence(market, buyer="maker")
    login(client, "maker@example.test", PASSWORD)
    offer_page = client.get(f"/payments/{oid}/voucher").text
    voucher = re.findall(r'name="voucher_id" value="([^"]+)"', offer_page)[0]
    assert market.form(f"/payments/{oid}/voucher", f"/payments/{oid}/voucher",
                       {"voucher_id": voucher}).status_code == 303  # 40 % of ¥160,000: ¥64,000
    assert market.form(f"/payments/{oid}/start", f"/payments/{oid}", {"gateway": "manual"}).status_code == 303
    login(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    assert market.form(f"/payments/{oid}/receipt", f"/payments/{oid}",
                       {"amount": "96000", "bank_reference": "B-XM-1"}).status_code == 303
    market.services.make_runner().catch_up()

    login(client, "xm_officer@example.test", PASSWORD)
    page = client.get(book).text
    assert "兑付时另付服务机构奖励：按比例 1.28 万元（20 %" in page  # 20 % of ¥64,000, before the caps
    settled = market.form(f"/vouchers/{voucher}/redemptions/{oid}/settle", book, {"bank_reference": "XM-GK-001"})
    assert settled.status_code == 303, settled.text
    market.services.make_runner().catch_up()
    page = client.get(settled.headers["location"]).text
    bonus = re.search(rf'id="bonus-{oid}">([^<]+)', page)
    assert bonus is not None
    assert bonus.group(1).strip() == "1.28 万元（兑付金额 6.40 万元 的 20 %，与兑付同笔支付） · 已支付"
    assert re.search(r'id="bonus-total">服务机构奖励已支付 1.28 万元', page)
    assert 'id="reconciles" class="hint"' in page
    assert "bonus-to-pay" not in page  # settled: nothing more to pay
    english = client.get(f"{book}?lang=en").text
    bonus = re.search(rf'id="bonus-{oid}">([^<]+)', english)
    assert bonus is not None
    assert "(20 % of the redeemed" in bonus.group(1)
    assert bonus.group(1).strip().endswith("paid in the same transfer) · Paid")

    token = api_token(client, "xm_officer@example.test", PASSWORD)
    answer = client.get(f"/api/programmes/{programme_id}/vouchers", headers=token).json()
    assert answer["provider_bonus_paid"] == 12_800 * YUAN
    [row] = answer["provider_bonuses"]
    assert (row["redeemed"], row["rate_bp"], row["amount"], row["capped_by"], row["status"]) == (
        64_000 * YUAN, 2000, 12_800 * YUAN, "", "paid")
    assert row["provider_name"] == "福建农林大学"
    figures = client.get(f"/api/programmes/{programme_id}", headers=token).json()
    assert figures["disbursed"] == (64_000 + 12_800) * YUAN  # the voucher part and the bonus
    assert figures["remaining"] == 1_000_000 * YUAN - 100_000 * YUAN - 12_800 * YUAN

    export = client.get(f"{book}.csv?from={today(market).isoformat()}")
    rows = list(csv.reader(io.StringIO(export.text.lstrip("\ufeff"))))
    assert rows[0][12:] == ["provider_bonus_rate_bp", "provider_bonus_computed_fen", "provider_bonus_fen",
                            "provider_bonus_capped_by", "provider_bonus_status"]
    assert [(r[1], r[7], r[9], *r[12:]) for r in rows[1:]] == [
        (str(oid), str(64_000 * YUAN), "XM-GK-001", "2000", str(12_800 * YUAN), str(12_800 * YUAN), "", "paid")]

    # Another department's officer sees none of it.
    login(client, "officer@example.test", PASSWORD)
    assert client.get(book).status_code == 403
    assert client.get(f"/api/programmes/{programme_id}/vouchers",
                      headers=api_token(client, "officer@example.test", PASSWORD)).status_code == 403


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_editor_offers_the_bonus_in_both_languages(market: Market, lang: str) -> None:  # noqa: F811 - the imported fixture
    login(market.client, "xm_officer@example.test", PASSWORD)
    page = market.client.get(f"/programmes/new?lang={lang}").text
    assert 'name="provider_bonus"' in page
    assert 'name="provider_bonus_cap"' in page
    assert ("服务机构奖励比例" if lang == "zh" else "Provider bonus (% of the redeemed value") in page
