"""Every page a user reaches fits a 390 px phone (nothing scrolls sideways) as well as a desktop (issue 11).

The demo marketplace (``served``) is browsed as a visitor, a buyer with a signed contract of their own,
the seller, a valuer, an auditor and the platform admin; ``assert_fits`` checks each page at 1280 px and
at 390 px. With ``MARKETPLACE_SCREENSHOT_DIR`` set, both widths are kept as screenshots to look at.
"""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID, uuid4

import pytest
from playwright.sync_api import Page, expect

from domain.deals.contract import Contract
from marketplace.deals import commands as d
from marketplace.demo.catalogue import DemoAccount
from tests.web.test_browser import (  # noqa: F401 - browser, page and served are fixtures
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


def visit(tab: Page, site: Served, path: str, name: str, *, status: int = 200) -> None:
    """Open ``path`` (expecting ``status``), check it shows its main content, and that it fits both widths."""
    response = tab.goto(f"{site.url}{path}")
    assert response is not None
    assert response.status == status, f"{path}: {response.status}"
    expect(tab.locator("main")).to_be_visible()
    assert_fits(tab, name)


def log_out(tab: Page) -> None:
    tab.locator("header form[action='/logout'] button").click()
    tab.wait_for_url(re.compile(r"/$|/login|/listings"))


def account(site: Served, role: str) -> DemoAccount:
    found = next((a for a in site.demo.accounts if role in a.roles), None)
    assert found is not None, f"no demo account with the role {role}"
    return found


def one(site: Served, query: str, *args: Any) -> dict[str, Any]:
    with site.connect() as conn:
        row = conn.execute(query, args).fetchone()
    assert row is not None, query
    return row


def signed_deal(site: Served) -> tuple[DemoAccount, DemoAccount, UUID, UUID]:
    """A fixed-price assignment accepted at the asking price and signed by both: (buyer, seller, offer, contract)."""
    buyer = site.account_of("厦门智造装备有限公司")
    assert buyer is not None
    listing, seller = next(iter(site.free_listings(buyer)), (None, None))
    assert listing is not None, "no fixed-price listing of a demo account"
    assert seller is not None
    app = site.services.app
    buyer_id, seller_id = app.accounts.user_id_of(buyer.email), app.accounts.user_id_of(seller.email)
    assert buyer_id is not None
    assert seller_id is not None
    offer, _ = app.offers.make_offer(d.MakeOffer(listing_id=UUID(listing["id"]), kind="assignment",
                                                 price=listing["asking_price"],
                                                 note="含三个月技术指导和一次现场培训，付款后十个工作日内提交专利局变更登记"),
                                     actor_id=buyer_id)
    contract_id, _ = app.offers.accept_offer(d.AcceptOffer(offer_id=offer), actor_id=seller_id)
    contract: Contract = app.repository.get(contract_id)
    for signer in (seller_id, buyer_id):
        app.contracts.sign_contract(
            d.SignContract(contract_id=contract_id, text_sha256=contract.text_sha256), actor_id=signer)
    _wait_for_projections(site)
    return buyer, seller, offer, contract_id


@pytest.mark.browser
def test_every_page_fits_a_phone_and_a_desktop(served: Served, page: Page) -> None:  # noqa: F811 - fixtures
    buyer, seller, offer, contract_id = signed_deal(served)
    listing = one(served, "SELECT l.id::text AS id, l.patent_id::text AS patent_id FROM catalogue_listings l"
                          " JOIN valuation_assessments v ON v.patent_id = l.patent_id"
                          " WHERE l.status = 'published' AND v.status = 'current' LIMIT 1")
    obligation = one(served, "SELECT id::text FROM deal_obligations WHERE contract_id = %s", contract_id)["id"]

    # A visitor: the public pages, the forms to join, and the error pages.
    for path, name in (("/", "home"), ("/listings", "listings"), ("/listings?q=电池", "listings-search"),
                       (f"/listings/{listing['id']}", "listing"), ("/patents", "patents"),
                       (f"/patents/{listing['patent_id']}", "patent"),
                       (f"/patents/{listing['patent_id']}/valuations", "patent-valuations"),
                       ("/notices", "notices"),
                       ("/audit/roots", "audit-roots"), ("/login", "login"), ("/signup", "signup")):
        visit(page, served, path, f"visitor-{name}")
    visit(page, served, f"/listings/{uuid4()}", "error-404", status=404)
    visit(page, served, f"/listings/{listing['id']}/as-of?version=2", "listing-as-of")

    # The buyer: their organisation, deals, the offer thread, the contract (SHA-256, texts) and the payment.
    log_in(page, served, buyer)
    for path, name in (("/my", "my"), ("/deals", "deals"), (f"/offers/{offer}", "offer"),
                       (f"/contracts/{contract_id}", "contract"), (f"/payments/{obligation}", "payment"),
                       ("/patents/new", "patent-new"), ("/listings/new", "listing-new"), ("/my/benefits", "benefits")):
        visit(page, served, path, f"buyer-{name}")
    expect(page.locator("main")).to_be_visible()
    page.goto(f"{served.url}/contracts/{contract_id}")
    expect(page.locator("main pre").first).to_be_visible()  # the contract text, wrapped inside the page
    visit(page, served, "/audit/events", "error-403", status=403)
    log_out(page)

    # The seller: the offer from their side, the listing's edit form and the benefit shares.
    log_in(page, served, seller)
    owned = one(served, "SELECT l.id::text AS id FROM catalogue_listings l JOIN accounts_organisations o"
                        " ON o.id = l.organisation_id WHERE o.name = %s LIMIT 1", seller.organisation)
    for path, name in ((f"/offers/{offer}", "offer"), (f"/contracts/{contract_id}", "contract"),
                       (f"/listings/{owned['id']}/edit", "listing-edit"), ("/my/benefits", "benefits")):
        visit(page, served, path, f"seller-{name}")
    log_out(page)

    # A valuer: the assessment form.
    log_in(page, served, account(served, "valuer"))
    visit(page, served, f"/patents/{listing['patent_id']}/valuations/new", "valuer-new-assessment")
    log_out(page)

    # The auditor: the event log, a contract's history and state, every kind of contract, the listing as of.
    log_in(page, served, account(served, "auditor"))
    visit(page, served, "/audit/events", "audit-events")
    page.locator("main details.raw summary").first.click()  # the raw payload, opened, still fits
    assert_fits(page, "audit-events-raw")
    for path, name in ((f"/audit/aggregates/{contract_id}", "audit-history-contract"),
                       (f"/audit/aggregates/{contract_id}?version=1#state", "audit-state-contract"),
                       (f"/audit/aggregates/{listing['id']}", "audit-history-listing"),
                       (f"/audit/aggregates/{offer}", "audit-history-offer")):
        visit(page, served, path, name)
    with served.connect() as conn:
        kinds = conn.execute("SELECT DISTINCT ON (kind) id::text AS id, kind FROM deal_contracts ORDER BY kind, id")
        for row in kinds.fetchall():
            visit(page, served, f"/contracts/{row['id']}", f"auditor-contract-{row['kind']}")
    log_out(page)

    # The platform admin: every page of the admin menu, and the refunds owed.
    log_in(page, served, account(served, "platform_admin"))
    for path, name in (("/admin/organisations", "organisations"), ("/admin/claims", "claims"),
                       ("/admin/people", "people"), ("/admin/valuers", "valuers"), ("/admin/refunds", "refunds"),
                       ("/admin/health", "health")):
        visit(page, served, path, f"admin-{name}")
    page.locator("#admin-menu summary").click()  # the header menu, opened on a phone, stays on screen
    assert_fits(page, "admin-menu-open")


@pytest.mark.browser
def test_the_widest_pages_fit_a_phone_in_english_too(served: Served, page: Page) -> None:  # noqa: F811 - fixtures
    """English words are longer than Chinese ones: the contract, the event log and a history, in English."""
    buyer, _, offer, contract_id = signed_deal(served)
    page.goto(f"{served.url}/")
    page.get_by_role("link", name="English", exact=True).click()
    page.wait_for_url(f"{served.url}/")
    log_in(page, served, buyer)
    expect(page.locator("header nav")).to_contain_text(en("nav.deals"))
    for path, name in ((f"/contracts/{contract_id}", "contract"), (f"/offers/{offer}", "offer"), ("/deals", "deals"),
                       ("/my", "my")):
        visit(page, served, path, f"en-buyer-{name}")
    log_out(page)
    log_in(page, served, account(served, "auditor"))
    visit(page, served, "/audit/events", "en-audit-events")
    expect(page.locator("main table.events .tag").first).not_to_have_text(re.compile(r"^[A-Za-z]+\.[A-Z]"))
    visit(page, served, f"/audit/aggregates/{contract_id}?version=1", "en-audit-history-contract")
    assert zh("nav.audit") not in page.locator("header nav").inner_text()
