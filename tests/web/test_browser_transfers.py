# ruff: noqa: F811 - pytest fixtures imported from the browser module are parameters here
"""In a real browser: the platform admin opens the queue of bank transfers from the deals page, finds the
buyer's transfer by its reference, records the receipt from the queue and sees it gone (issue 11)."""

from __future__ import annotations

import re
from uuid import UUID

import pytest
from playwright.sync_api import Page, expect

from domain.deals.contract import Contract
from domain.deals.payment import obligation_id
from marketplace.deals import commands as d
from tests.web.test_browser import (  # noqa: F401 - browser, page and served are the browser tests' fixtures
    Served,
    _wait_for_projections,
    assert_fits,
    browser,
    log_in,
    page,
    served,
    zh,
)


def started_transfer(served: Served) -> tuple[UUID, str, int]:
    """A demo enterprise buys a demo institution's fixed-price patent and starts paying by bank transfer:
    the obligation, its reference and its amount."""
    with served.connect() as conn:
        busy = {r["listing_id"] for r in conn.execute("SELECT listing_id::text FROM deal_offers").fetchall()}
    buyer = served.account_of("厦门智造装备有限公司")
    assert buyer is not None
    listing, seller = next(
        (
            (r, a)
            for r in served.listings()
            if r["price_mode"] == "fixed"
            and "assignment" in r["deal_types"]
            and r["id"] not in busy
            and len(r["owners"]) == 1
            and r["organisation_name"] != buyer.organisation
            and (a := served.account_of(r["organisation_name"])) is not None
        ),
        (None, None),
    )
    assert listing is not None, "no fixed-price listing of a demo account"
    assert seller is not None
    app = served.services.app
    buyer_id, seller_id = app.accounts.user_id_of(buyer.email), app.accounts.user_id_of(seller.email)
    assert buyer_id is not None
    assert seller_id is not None
    offer, _ = app.offers.make_offer(
        d.MakeOffer(listing_id=UUID(listing["id"]), kind="assignment", price=listing["asking_price"]),
        actor_id=buyer_id,
    )
    contract_id, _ = app.offers.accept_offer(d.AcceptOffer(offer_id=offer), actor_id=seller_id)
    contract: Contract = app.repository.get(contract_id)
    for signer in (seller_id, buyer_id):
        app.contracts.sign_contract(
            d.SignContract(contract_id=contract_id, text_sha256=contract.text_sha256), actor_id=signer
        )
    started, _ = app.payments.start_payment(
        d.StartPayment(contract_id=contract_id, gateway="manual"), actor_id=buyer_id
    )
    _wait_for_projections(served)
    return obligation_id(contract_id, "upfront"), started.provider_payment_id, int(listing["asking_price"])


@pytest.mark.browser
def test_the_admin_finds_a_bank_transfer_by_its_reference_and_records_the_receipt_from_the_queue(
    served: Served, page: Page
) -> None:
    obligation, reference, amount = started_transfer(served)
    admin = next(a for a in served.demo.accounts if "platform_admin" in a.roles)

    log_in(page, served, admin)
    page.goto(f"{served.url}/deals")
    page.locator("#transfers-link").click()
    page.wait_for_url(f"{served.url}/admin/transfers")
    expect(page.locator(f'tr[data-reference="{reference}"]')).to_have_count(1)

    page.get_by_label(zh("transfers.search_reference")).fill(f" {reference.lower()} ")
    page.get_by_role("button", name=zh("transfers.search"), exact=True).click()
    page.wait_for_url(re.compile(r"/admin/transfers\?reference="))
    rows = page.locator("#transfers tbody tr")
    expect(rows).to_have_count(1)
    row = rows.first
    expect(row).to_have_attribute("data-reference", reference)
    assert_fits(page, "transfers")

    units, cents = divmod(amount, 100)
    row.get_by_label(zh("transfers.amount_received")).fill(f"{units:,}.{cents:02d}")
    row.get_by_label(zh("transfers.bank_reference")).fill("ICBC-20260320-0042")
    row.get_by_role("button", name=zh("payment.record_receipt"), exact=True).click()

    page.wait_for_url(f"{served.url}/admin/transfers?recorded={obligation}")
    expect(page.locator("#transfer-recorded")).to_contain_text(reference)
    expect(page.locator(f'tr[data-reference="{reference}"]')).to_have_count(0)
    assert_fits(page, "transfers-recorded")
    page.locator("#transfer-recorded a").first.click()
    page.wait_for_url(f"{served.url}/payments/{obligation}")
    expect(page.locator("#payment-status")).to_have_text(zh("payment.status.paid"))
