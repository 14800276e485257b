"""Cross-region vouchers (跨区域, issue 12) from the users' side: the officer names the regions whose providers
the programme's vouchers pay; the enterprise applying its voucher to a seller outside them reads why it is
refused (in Chinese and in English); the officer widens the regions by a new version of the rules and the
same voucher pays."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.web.conftest import login
from tests.web.test_programmes_web import PASSWORD, YUAN, Market
from tests.web.test_vouchers_web import (
    VOUCHER_FORM,
    issue,
    market,  # noqa: F401 - the fixture
    signed_licence,
    today,
)


def test_a_voucher_refuses_a_seller_outside_the_accepted_regions_until_the_rules_accept_it(
    market: Market,  # noqa: F811 - the fixture
) -> None:
    client = market.client
    login(client, "officer@example.test", PASSWORD)
    unknown = market.form("/programmes", "/programmes/new", {**VOUCHER_FORM, "provider_regions": "厦门、亚特兰蒂斯"})
    assert unknown.status_code == 400
    assert "“亚特兰蒂斯”不是平台可识别的省、市名称或行政区划代码" in unknown.text
    drafted = market.form("/programmes", "/programmes/new", {**VOUCHER_FORM, "provider_regions": "厦门"})
    assert drafted.status_code == 303, drafted.text
    programme_id = str(drafted.headers["location"]).split("/")[2].split("?")[0]
    assert market.form(f"/programmes/{programme_id}/open", f"/programmes/{programme_id}", {}).status_code == 303
    page = client.get(f"/programmes/{programme_id}").text
    assert re.search(r'接受的服务机构地区</dt><dd id="provider-regions">厦门</dd>', page)
    assert issue(market, programme_id, "tea", "100000", today(market) + timedelta(days=180), "2026-跨区域") == 303

    oid = signed_licence(market)  # 福建农林大学, in Fuzhou, licenses to the tea company
    login(client, "tea@example.test", PASSWORD)
    offer_page = client.get(f"/payments/{oid}/voucher").text
    voucher = re.findall(r'name="voucher_id" value="([^"]+)"', offer_page)[0]
    refused = market.form(f"/payments/{oid}/voucher", f"/payments/{oid}/voucher", {"voucher_id": voucher})
    assert refused.status_code == 409
    assert "卖方（服务机构）位于福建省福州市，该创新券只能用于厦门的服务机构" in refused.text
    refused_en = client.post(f"/payments/{oid}/voucher?lang=en", data={
        "voucher_id": voucher, "_csrf_token": re.findall(r'name="_csrf_token" value="([^"]+)"', offer_page)[0]},
        follow_redirects=False)
    assert refused_en.status_code == 409
    assert "the seller (the provider) is in 福建省福州市; this voucher pays providers in 厦门 only" in refused_en.text
    assert 'id="voucher-part"' not in client.get(f"/payments/{oid}").text  # nothing was applied

    # The province's agreement: Fujian and Shanghai providers, in force from today.
    login(client, "officer@example.test", PASSWORD)
    rules = {k: v for k, v in VOUCHER_FORM.items() if k not in ("kind", "name_zh", "name_en", "source", "budget",
                                                                 "starts_on", "ends_on")}
    revised = market.form(f"/programmes/{programme_id}/rules", f"/programmes/{programme_id}/rules",
                          {**rules, "provider_regions": "福建, 上海", "effective_from": today(market).isoformat()})
    assert revised.status_code == 303, revised.text
    assert re.search(r'id="provider-regions">福建、上海</dd>', client.get(f"/programmes/{programme_id}").text)
    english = client.get(f"/programmes/{programme_id}?lang=en").text
    assert re.search(r'Providers accepted from</dt><dd id="provider-regions">福建、上海</dd>', english)

    login(client, "tea@example.test", PASSWORD)
    applied = market.form(f"/payments/{oid}/voucher", f"/payments/{oid}/voucher", {"voucher_id": voucher})
    assert applied.status_code == 303, applied.text
    assert market.app.repository.get(oid).voucher_amount == 80_000 * YUAN  # half of the ¥160,000 fee
