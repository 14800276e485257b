"""Innovation vouchers in a real browser (issue 12): a maker applies its voucher on a licence fee's payment
page and sees what is left to pay by bank transfer; the programme officer settles a redemption from the voucher
book the to-do links to; an enterprise sees its voucher about to expire. In Chinese and in English; no page
scrolls sideways on a phone."""

from __future__ import annotations

import re
from datetime import timedelta
from uuid import UUID

import pytest
from playwright.sync_api import Page, expect

from domain.deals.contract import Contract
from domain.deals.payment import obligation_id
from marketplace.deals import commands as d
from tests.web.test_browser import (  # noqa: F401 - fixtures
    Served,
    _wait_for_projections,
    assert_fits,
    browser,
    en,
    log_in,
    page,
    served,
    zh,
)

LICENCES = ("non_exclusive_licence", "sole_licence", "exclusive_licence")


def signed_licence(served: Served, buyer_org: str) -> tuple[UUID, int]:  # noqa: F811 - a Served, not the fixture
    """The demo enterprise licenses a demo institution's fixed-price patent at its listed fee, both sign: the
    upfront payment (due) and its amount."""
    with served.connect() as conn:
        busy = {r["listing_id"] for r in conn.execute("SELECT listing_id::text FROM deal_offers").fetchall()}
    buyer = served.account_of(buyer_org)
    assert buyer is not None
    listing, seller = next(
        ((r, a) for r in served.listings()
         if r["price_mode"] == "fixed" and any(k in r["deal_types"] for k in LICENCES) and r["id"] not in busy
         and len(r["owners"]) == 1 and (a := served.account_of(r["organisation_name"])) is not None),
        (None, None))
    assert listing is not None, "no fixed-price licence of a demo account"
    assert seller is not None
    app = served.services.app
    buyer_id, seller_id = app.accounts.user_id_of(buyer.email), app.accounts.user_id_of(seller.email)
    assert buyer_id is not None
    assert seller_id is not None
    start = app.clock.now().date()
    offer, _ = app.offers.make_offer(d.MakeOffer(
        listing_id=UUID(listing["id"]), kind=next(k for k in LICENCES if k in listing["deal_types"]),
        price=listing["asking_price"], scope=d.ScopeInput(start=start, end=start + timedelta(days=3 * 365))),
        actor_id=buyer_id)
    contract_id, _ = app.offers.accept_offer(d.AcceptOffer(offer_id=offer), actor_id=seller_id)
    contract: Contract = app.repository.get(contract_id)
    for signer in (seller_id, buyer_id):
        app.contracts.sign_contract(d.SignContract(contract_id=contract_id, text_sha256=contract.text_sha256),
                                    actor_id=signer)
    _wait_for_projections(served)
    return obligation_id(contract_id, "upfront"), int(listing["asking_price"])


@pytest.mark.browser
def test_a_maker_applies_its_voucher_and_pays_the_rest_the_officer_settles(
    served: Served, page: Page,  # noqa: F811 - the fixtures of test_browser
) -> None:
    maker = "Minjiang Robotics Co., Ltd."
    oid, fee = signed_licence(served, maker)
    with served.connect() as conn:
        voucher = conn.execute(
            "SELECT v.id::text, v.remaining, v.share_bp FROM programme_vouchers v"
            " JOIN accounts_organisations o ON o.id = v.organisation_id WHERE o.name = %s", (maker,)).fetchone()
    assert voucher is not None
    part = min(fee * voucher["share_bp"] // 10_000, voucher["remaining"])
    account = served.account_of(maker)
    assert account is not None

    log_in(page, served, account)
    page.goto(f"{served.url}/payments/{oid}")
    page.get_by_role("link", name=zh("payment.voucher_link")).click()
    page.wait_for_url(f"{served.url}/payments/{oid}/voucher")
    offer = page.locator(f"#offer-{voucher['id']}")
    expect(offer).to_contain_text(zh("voucher.most"))
    assert_fits(page, "voucher-apply")
    offer.get_by_role("button", name=zh("voucher.apply"), exact=True).click()
    page.wait_for_url(re.compile(rf"/payments/{oid}#voucher$"))
    expect(page.locator("#voucher-part")).to_be_visible()
    expect(page.locator("#to-pay")).to_be_visible()
    assert page.get_by_role("link", name=zh("payment.voucher_link")).count() == 0  # one voucher per payment
    page.get_by_role("button", name=zh("payment.start_manual")).click()
    expect(page.locator("#transfer-amount")).to_have_text(page.locator("#to-pay").inner_text())
    assert_fits(page, "voucher-payment")
    page.locator("a[data-lang-switch]").click()
    expect(page.locator("main")).to_contain_text(en("payment.to_pay"))
    expect(page.locator("main")).to_contain_text(en("payment.voucher_part.provider"))
    page.goto(f"{served.url}/my/vouchers")
    expect(page.locator(f"#voucher-{voucher['id']}")).to_contain_text(en("voucher.redemption.status.owed"))
    page.locator("a[data-lang-switch]").click()
    page.context.clear_cookies()
    with served.connect() as conn:
        left = conn.execute("SELECT remaining FROM programme_vouchers WHERE id = %s", (voucher["id"],)).fetchone()
    assert left is not None
    assert left["remaining"] == voucher["remaining"] - part

    with served.connect() as conn:
        owed = conn.execute(
            "SELECT r.voucher_id::text, r.obligation_id::text, r.programme_id::text"
            " FROM programme_voucher_redemptions r"
            " JOIN deal_obligations d ON d.id = r.obligation_id WHERE r.status = 'owed' AND d.status = 'paid'"
        ).fetchone()
    assert owed is not None
    officer = next(a for a in served.demo.accounts if "programme_officer" in a.roles)
    log_in(page, served, officer)
    page.locator(f'a[href="/programmes/{owed["programme_id"]}/vouchers#redemption-{owed["obligation_id"]}"]').click()
    redemption = page.locator(f"#redemption-{owed['obligation_id']}")
    expect(redemption).to_contain_text(zh("voucher.redemption.status.owed"))
    expect(page.locator(f"#redemption-{oid}")).to_contain_text(zh("voucher.awaits_payment"))  # not received yet
    assert_fits(page, "voucher-book")
    redemption.get_by_label(zh("award.bank_reference")).fill("FJKJ-QJ-20261205-0002")
    redemption.get_by_role("button", name=zh("voucher.settle"), exact=True).click()
    page.wait_for_url(re.compile(r"done=settled"))
    expect(page.locator("#done")).to_have_text(zh("voucher.settled"))
    expect(page.locator(f"#redemption-{owed['obligation_id']}")).to_contain_text(
        zh("voucher.redemption.status.settled"))
    expect(page.locator("#reconciles")).to_have_class("hint")
    page.locator("a[data-lang-switch]").click()
    expect(page.locator(f"#redemption-{owed['obligation_id']}")).to_contain_text(
        en("voucher.redemption.status.settled"))
    page.locator("a[data-lang-switch]").click()


@pytest.mark.browser
def test_an_enterprise_sees_its_voucher_about_to_expire(
    served: Served, page: Page,  # noqa: F811 - the fixtures of test_browser
) -> None:
    account = served.account_of("福州新能源科技有限公司")
    assert account is not None
    log_in(page, served, account)  # the login lands on the to-do
    expect(page.locator("#todo-voucher_expiring")).to_contain_text(zh("todo.voucher_expiring"))
    page.locator('#todo-voucher_expiring a[href^="/my/vouchers#voucher-"]').first.click()
    expect(page.locator("main")).to_contain_text(zh("voucher.expires_soon"))
    assert_fits(page, "my-vouchers")
    page.locator("a[data-lang-switch]").click()
    expect(page.locator("main")).to_contain_text(en("voucher.expires_soon"))
    page.locator("a[data-lang-switch]").click()
