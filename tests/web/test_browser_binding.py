# ruff: noqa: F811 - pytest fixtures imported from the browser module are parameters here
"""In the browser (issue 11): a buyer takes up an open licence through its confirmation page, which shows the
fee and the contract text and fits a phone; the public notices show each patent's number and fit too."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.web.test_browser import (  # noqa: F401 - browser, page and served are fixtures
    Served,
    assert_fits,
    browser,
    log_in,
    page,
    served,
    zh,
)
from web.app import money

BUYER = "厦门智造装备有限公司"


@pytest.mark.browser
def test_a_buyer_takes_up_an_open_licence_through_its_confirmation_page_and_reads_the_notices(
    served: Served, page: Page
) -> None:
    buyer = served.account_of(BUYER)
    assert buyer is not None
    with served.connect() as conn:
        taken = {
            r["listing_id"]
            for r in conn.execute(
                "SELECT k.listing_id::text FROM deal_contracts k JOIN accounts_organisations o"
                " ON o.id = k.buyer_organisation_id WHERE o.name = %s",
                (BUYER,),
            ).fetchall()
        }
        fees = {
            r["id"]: r["fee"]
            for r in conn.execute(
                "SELECT id::text, (open_licence->>'fee')::bigint AS fee FROM catalogue_listings"
                " WHERE status = 'published' AND open_licence IS NOT NULL"
            ).fetchall()
        }
    listing = next(
        (
            r
            for r in served.listings()
            if "open_licence" in r["deal_types"]
            and fees.get(r["id"])
            and r["id"] not in taken
            and r["organisation_name"] != BUYER
        ),
        None,
    )
    assert listing is not None, "no open-licence listing with a fee the demo buyer has not taken"
    fee = fees[listing["id"]]

    log_in(page, served, buyer)
    page.goto(f"{served.url}/listings/{listing['id']}")
    page.locator("#take-open-licence").click()
    page.wait_for_url(f"{served.url}/listings/{listing['id']}/open-licence")
    expect(page.locator("#open-fee")).to_have_text(money(fee))
    expect(page.locator("#binding")).to_contain_text(money(fee))
    expect(page.locator("pre.contract-text[lang=zh]")).to_contain_text(f"入门费为 ¥{fee // 100:,}.{fee % 100:02d}。")
    expect(page.locator("pre.contract-text[lang=en]")).to_contain_text("Patent Licence Contract (Open Licence)")
    shown = page.locator("#text-sha256").inner_text()
    assert re.fullmatch(r"[0-9a-f]{64}", shown)
    assert_fits(page, "open-licence-confirm")

    page.get_by_role("button", name=zh("open.confirm.sign"), exact=True).click()
    page.wait_for_url(re.compile(r"/contracts/[0-9a-f-]{36}$"))
    expect(page.locator("#contract-status")).to_have_text(zh("contract.status.signed"))
    expect(page.locator("#text-sha256")).to_have_text(shown)

    # The public notices show each patent's number, and fit a phone too.
    with served.connect() as conn:
        noticed = conn.execute(
            "SELECT k.id::text AS id, coalesce(nullif(p.publication_number, ''), p.application_number) AS number"
            " FROM deal_contracts k JOIN catalogue_patents p ON p.id = k.patent_id"
            " WHERE k.notice_ends_at IS NOT NULL"
        ).fetchall()
    assert noticed
    page.goto(f"{served.url}/notices")
    for row in noticed:
        expect(page.locator(f"#notice-{row['id']} dd.patent-number")).to_have_text(row["number"])
    assert_fits(page, "notices")
