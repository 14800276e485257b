"""The brokers' forms in a real browser (issue 14, what was JSON only): the platform admin goes from its to-do to
the register, accredits a new member of the transfer agency, and revokes it from its page — a refusal shown in
words first; a university's admin mandates the agency letting its broker act for it, the broker introduces an
enterprise that confirms from its to-do and offers, the broker finds the offer on its to-do and counters it for
the university, and the university ends the mandate; a transfer agency's curator composes a package by searching
listings by title and number, ticking and unticking them. In Chinese, with pages checked in English; no page
scrolls sideways."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from marketplace.accounts import commands as ac
from tests.web.test_browser import (  # noqa: F401 - fixtures
    Served,
    _wait_for_projections,
    assert_fits,
    browser,
    en,
    log_in,
    log_out,
    page,
    served,
    zh,
)
from tests.web.test_browser_brokers import unmandated_university_listing
from web.formats import BEIJING

AGENCY = "海峡技术转移中心"
BUYER = "厦门智造装备有限公司"
NEW_BROKER = "林晓东"


def user_id_of(served: Served, email: str) -> str:  # noqa: F811 - ``served`` the fixture's value
    with served.connect() as conn:
        row = conn.execute("SELECT id::text FROM accounts_users WHERE email = %s", (email,)).fetchone()
    assert row is not None
    return str(row["id"])


@pytest.mark.browser
def test_the_admin_accredits_a_broker_from_its_to_do_and_revokes_it(
    served: Served, page: Page,  # noqa: F811 - the fixtures of test_browser
) -> None:
    agency_admin = served.account_of(AGENCY)
    assert agency_admin is not None
    served.services.app.accounts.add_member(
        ac.AddMember(email="lxd@hxtt.example", password="secret-password-9", display_name=NEW_BROKER),
        actor_id=user_id_of(served, agency_admin.email))
    _wait_for_projections(served)
    admin = next(a for a in served.demo.accounts if "platform_admin" in a.roles)
    today = served.services.app.clock.now().astimezone(BEIJING).date()

    log_in(page, served, admin)
    page.get_by_role("link", name=zh("todo.link.brokers")).click()
    page.wait_for_url(f"{served.url}/brokers#accredit")
    form = page.locator("#accredit-broker")
    form.locator("select[name=user_id]").select_option(label=f"{NEW_BROKER} · {AGENCY}")
    form.locator("input[name=credential_number]").fill("闽技经〔2026〕第 0101 号")
    form.locator("input[name=expires_on]").fill(today.isoformat())  # not after today: refused in words
    form.get_by_role("button", name=zh("broker.accredit.submit"), exact=True).click()
    expect(page.locator("#form-error")).to_have_text(f"有效期至：资格有效期须晚于今天（{today.isoformat()}）")
    expect(form.locator("input[name=credential_number]")).to_have_value("闽技经〔2026〕第 0101 号")
    form.locator("input[name=expires_on]").fill((today + timedelta(days=365)).isoformat())
    form.get_by_role("button", name=zh("broker.accredit.submit"), exact=True).click()
    page.wait_for_url(re.compile(r"/brokers/[0-9a-f-]{36}\?done=accredited$"))
    expect(page.locator("#done")).to_have_text(zh("broker.accredited_done"))
    expect(page.locator("h1")).to_contain_text(NEW_BROKER)
    expect(page.locator("#broker-status")).to_have_text(zh("broker.status.valid"))
    expect(page.locator("#broker-agency")).to_have_text(AGENCY)
    assert_fits(page, "broker-accredited")

    revoke = page.locator("#revoke-broker")
    revoke.locator("input[name=reason]").fill("证书被发证机关注销")
    revoke.get_by_role("button", name=zh("broker.revoke"), exact=True).click()
    expect(page.locator("#done")).to_have_text(zh("broker.revoked_done"))
    expect(page.locator("#broker-status")).to_have_text(zh("broker.status.revoked"))
    expect(page.locator("#broker-profile")).to_contain_text("证书被发证机关注销")
    expect(page.locator("#revoke-broker")).to_have_count(0)

    page.goto(f"{served.url}/brokers?lang=en")
    expect(page.locator("#accredit h2")).to_have_text(en("broker.accredit"))
    expect(page.locator("#brokers tr", has_text=NEW_BROKER).locator(".broker-status")).to_have_text(
        en("broker.status.revoked"))
    assert_fits(page, "broker-register-admin")


@pytest.mark.browser
def test_a_broker_mandated_to_act_counters_the_buyers_offer_for_the_seller_who_then_ends_the_mandate(
    served: Served, page: Page,  # noqa: F811 - the fixtures of test_browser
) -> None:
    listing, seller, broker, buyer = unmandated_university_listing(served)
    listing_url = f"{served.url}/listings/{listing['id']}"
    ends_on = served.services.app.clock.now().astimezone(BEIJING).date() + timedelta(days=180)

    # The university's admin mandates the agency and lets its broker act for it.
    log_in(page, served, seller)
    page.goto(listing_url)
    mandate = page.locator("#give-mandate")
    mandate.locator("select[name=agency_id]").select_option(label=AGENCY)
    mandate.locator("input[name=commission]").fill("2.5")
    mandate.locator("input[name=ends_on]").fill(ends_on.isoformat())
    mandate.locator("input[name=may_act]").check()
    mandate.get_by_role("button", name=zh("mandate.submit"), exact=True).click()
    expect(page.locator("#done")).to_have_text(zh("mandate.given"))
    expect(page.locator("#mandates")).to_contain_text(f"{zh('mandate.may_act')} {zh('mandate.yes')}")
    log_out(page)

    # The broker introduces the enterprise, which confirms from its to-do and offers.
    log_in(page, served, broker)
    page.goto(listing_url)
    introduce = page.locator("#introduce-buyer")
    introduce.locator("select[name=buyer_organisation_id]").select_option(label=BUYER)
    introduce.locator("input[name=note]").fill("厦门技术对接会")
    introduce.get_by_role("button", name=zh("introduction.submit"), exact=True).click()
    expect(page.locator("#done")).to_have_text(zh("introduction.recorded"))
    log_out(page)
    log_in(page, served, buyer)
    page.locator("main a[href^='/introductions#introduction-']").first.click()
    page.locator("#to-confirm li", has_text="厦门技术对接会").get_by_role(
        "button", name=zh("introduction.confirm"), exact=True).click()
    expect(page.locator("#done")).to_have_text(zh("introduction.confirmed_done"))
    page.goto(listing_url)
    offer = page.locator("#offer-form")
    offer.locator("select[name=kind]").select_option("assignment")
    offer.locator("input[name=price]").press_sequentially("300000")
    offer.get_by_role("button", name=zh("offer.make"), exact=True).click()
    page.wait_for_url(re.compile(r"/offers/[0-9a-f-]{36}$"))
    thread_url = page.url
    log_out(page)

    # The broker finds the offer on its to-do and counters it for the university.
    log_in(page, served, broker)
    item = page.locator(f"main a[href='{thread_url.removeprefix(served.url)}']")
    expect(item).to_be_visible()
    expect(page.locator("main")).to_contain_text(zh("todo.kind.offer_for_principal"))
    item.first.click()
    page.wait_for_url(thread_url)
    expect(page.locator("#acting-for-seller")).to_contain_text(listing["organisation_name"])
    counter = page.locator("main form[action$='/counter']")
    counter.locator("input[name=price]").fill("")
    counter.locator("input[name=price]").press_sequentially("360000")
    counter.get_by_role("button", name=zh("offer.counter"), exact=True).click()
    page.wait_for_url(thread_url)
    expect(page.locator("main dd.price")).to_have_text("36 万元")
    expect(page.locator("#offer-status")).to_contain_text(zh("side.buyer"))
    expect(page.locator("main form[action$='/counter']")).to_have_count(0)  # the buyer's turn now
    assert_fits(page, "broker-acting")
    page.goto(f"{thread_url}?lang=en")
    expect(page.locator("main ol.thread li")).to_have_count(2)
    log_out(page)

    # The university ends the mandate on the listing's page.
    log_in(page, served, seller)
    page.goto(listing_url)
    end = page.locator("#mandates li", has_text=AGENCY)
    end.locator("input[name=reason]").fill("已进入议价，卖方自行跟进")
    end.get_by_role("button", name=zh("mandate.end"), exact=True).click()
    expect(page.locator("#done")).to_have_text(zh("mandate.ended_done"))
    expect(page.locator("#mandates .mandate-status")).to_have_text(re.compile(r"^已解除（\d{4}-\d{2}-\d{2}）$"))
    expect(page.locator("#mandates form")).to_have_count(0)


@pytest.mark.browser
def test_a_curator_composes_a_package_by_searching_and_ticking_listings(
    served: Served, page: Page,  # noqa: F811 - the fixtures of test_browser
) -> None:
    curator = served.account_of(AGENCY)
    assert curator is not None
    listings = served.listings()
    first = listings[0]
    second = next(r for r in listings if r["title_zh"] != first["title_zh"]
                  and first["patent_number"] not in r["patent_number"])

    log_in(page, served, curator)
    page.goto(f"{served.url}/packages")
    page.locator("#package-new").click()
    page.wait_for_url(f"{served.url}/packages/new")
    page.locator("input[name=title_zh]").fill("浏览器成果包")
    page.locator("#picker-text").fill(first["title_zh"])
    page.locator("#picker-find").click()
    found = page.locator(f"#picker-found-{first['id']} input[name=listing_id]")
    found.check()
    expect(page.locator("input[name=title_zh]")).to_have_value("浏览器成果包")  # kept across the search
    page.locator("#picker-text").fill(second["patent_number"])
    page.locator("#picker-find").click()
    expect(page.locator(f"#picker-chosen-{first['id']} input")).to_be_checked()
    page.locator(f"#picker-found-{second['id']} input[name=listing_id]").check()
    assert_fits(page, "package-picker")
    page.locator("#package-save").click()
    page.wait_for_url(re.compile(r"/packages/[0-9a-f-]{36}\?done=saved$"))
    expect(page.locator("#package-curate .package-listings li")).to_have_count(2)
    expect(page.locator(f"#picker-chosen-{first['id']} input")).to_be_checked()
    expect(page.locator(f"#picker-chosen-{second['id']} input")).to_be_checked()

    # Untick the first to drop it.
    page.locator(f"#picker-chosen-{first['id']} input").uncheck()
    page.locator("#package-save").click()
    page.wait_for_url(re.compile(r"\?done=saved$"))
    expect(page.locator("#package-curate .package-listings li")).to_have_count(1)
    expect(page.locator(f"#package-curate #package-listing-{second['id']}")).to_be_visible()
    page.goto(f"{page.url.split('?')[0]}?lang=en")
    expect(page.locator("#package-picker legend")).to_have_text(en("package.listings"))
    expect(page.locator("#picker-find")).to_have_text(en("package.picker.search"))
