"""Enquiries before offers in a real browser (issue 13): the university attaches a confidential report to its
listing; an enterprise requests it from the listing page; the university answers from its to-do; the enterprise
reads the answer, accepts the confidentiality terms, downloads the report and makes an offer from the thread —
in Chinese, with the pages checked in English too; no page scrolls sideways on a phone."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.unit.demand_helpers import pdf
from tests.web.test_browser import (  # noqa: F401 - fixtures
    Served,
    assert_fits,
    browser,
    en,
    log_in,
    log_out,
    page,
    served,
    zh,
)

REPORT = pdf("pilot line report: 1200 cycles at 1C")


def _listing_and_parties(served: Served) -> tuple[dict[str, Any], Any, Any]:  # noqa: F811 - the served fixture's value
    with served.connect() as conn:
        busy = {r["listing_id"] for r in conn.execute("SELECT listing_id::text FROM deal_offers").fetchall()}
    listing, seller = next(
        ((r, a) for r in served.listings()
         if r["price_mode"] == "fixed" and "assignment" in r["deal_types"] and r["id"] not in busy
         and len(r["owners"]) == 1 and "大学" in r["organisation_name"]
         and (a := served.account_of(r["organisation_name"])) is not None),
        (None, None))
    assert listing is not None, "no fixed-price listing of a demo university"
    buyer = served.account_of("厦门智造装备有限公司")
    assert buyer is not None
    return listing, seller, buyer


def _switch_language(tab: Page) -> None:
    tab.locator("a[data-lang-switch]").click()


@pytest.mark.browser
def test_an_enterprise_requests_materials_the_university_answers_and_the_thread_becomes_an_offer(
    served: Served, page: Page,  # noqa: F811 - the fixtures of test_browser
) -> None:
    listing, seller, buyer = _listing_and_parties(served)
    listing_url = f"{served.url}/listings/{listing['id']}"

    # The university attaches a confidential test report from its listing page.
    log_in(page, served, seller)
    page.goto(listing_url)
    page.locator("#enquiries #manage-materials").click()
    page.wait_for_url(re.compile(r"/materials$"))
    form = page.locator("#attach-form")
    form.locator("input[type=file]").set_input_files(
        {"name": "中试检测报告.pdf", "mimeType": "application/pdf", "buffer": REPORT})
    form.locator("select[name=access]").select_option("confidential")
    form.get_by_role("button", name=zh("material.attach"), exact=True).click()
    page.wait_for_url(re.compile(r"done=attached"))
    expect(page.locator("#done")).to_have_text(zh("material.attached"))
    expect(page.locator("main table.materials")).to_contain_text("中试检测报告.pdf")
    expect(page.locator("main table.materials")).to_contain_text(zh("material.access.confidential"))
    assert_fits(page, "listing-materials")
    log_out(page)

    # The enterprise requests the materials from the listing page (the section htmx loads).
    log_in(page, served, buyer)
    page.goto(listing_url)
    section = page.locator("#enquiries")
    expect(section.locator("#hidden-materials")).to_be_visible()
    section.get_by_label(zh("enquiry.kind.materials")).check()
    section.locator("textarea[name=text]").fill("请提供中试线的循环寿命检测报告，谢谢。")
    section.get_by_role("button", name=zh("enquiry.ask"), exact=True).click()
    page.wait_for_url(re.compile(r"/enquiries/[0-9a-f-]{36}\?done=asked"))
    thread_url = page.url.split("?")[0]
    expect(page.locator("#done")).to_have_text(zh("enquiry.asked"))
    expect(page.locator("#messages")).to_contain_text("请提供中试线的循环寿命检测报告，谢谢。")
    expect(page.locator("#enquiry-status")).to_have_text(zh("enquiry.status.awaiting_seller"))
    log_out(page)

    # The university finds it on its to-do and answers.
    log_in(page, served, seller)
    expect(page.locator("main")).to_contain_text(zh("todo.kind.enquiry_to_answer"))
    page.locator(f"main a[href='{thread_url.removeprefix(served.url)}#answer']").click()
    page.wait_for_url(re.compile(r"/enquiries/[0-9a-f-]{36}#answer$"))
    page.locator("#answer textarea[name=text]").fill("报告已上传为保密资料，接受保密条款后即可下载。")
    page.locator("#answer").get_by_role("button", name=zh("enquiry.send"), exact=True).click()
    page.wait_for_url(re.compile(r"done=answered"))
    expect(page.locator("#enquiry-status")).to_have_text(zh("enquiry.status.answered"))
    _switch_language(page)
    expect(page.locator("#enquiry-status")).to_have_text(en("enquiry.status.answered"))
    expect(page.locator("h1")).to_contain_text(en("enquiry.thread"))
    _switch_language(page)
    page.goto(listing_url)
    expect(page.locator("#enquiry-counts")).to_have_text(re.compile("本挂牌收到咨询 1 条，其中 0 条待回复"))
    log_out(page)

    # The enterprise reads the answer from its to-do, accepts the terms, downloads, and makes an offer.
    log_in(page, served, buyer)
    expect(page.locator("main")).to_contain_text(zh("todo.kind.enquiry_answered"))
    page.locator(f"main a[href='{thread_url.removeprefix(served.url)}#messages']").click()
    expect(page.locator("#messages")).to_contain_text("报告已上传为保密资料，接受保密条款后即可下载。")
    materials = page.locator("#materials")
    expect(materials).to_contain_text(zh("material.locked"))
    expect(page.locator("#terms-text")).to_contain_text("保密条款")
    assert_fits(page, "enquiry-thread")
    materials.get_by_role("button", name=zh("enquiry.accept_terms"), exact=True).click()
    page.wait_for_url(re.compile(r"done=accepted"))
    expect(page.locator("#terms-accepted")).to_be_visible()
    with page.expect_download() as downloading:
        page.locator("#materials").get_by_role("link", name=zh("material.download")).click()
    download = downloading.value
    assert download.suggested_filename == "中试检测报告.pdf"
    with open(download.path(), "rb") as saved:
        assert saved.read() == REPORT
    _switch_language(page)
    expect(page.locator("#make-offer")).to_have_text(en("enquiry.make_offer"))
    _switch_language(page)
    page.locator("#make-offer").click()
    page.wait_for_url(re.compile(r"/enquiries/[0-9a-f-]{36}/offer$"))
    offer = page.locator("#offer-form")
    expect(offer.locator("input[name=price]")).to_have_value(f"{listing['asking_price'] / 100:.2f}")
    expect(offer.locator("select[name=kind]")).to_have_value("assignment")
    assert_fits(page, "enquiry-offer")
    offer.get_by_role("button", name=zh("offer.make"), exact=True).click()
    page.wait_for_url(re.compile(r"/offers/[0-9a-f-]{36}$"))
    expect(page.locator("#offer-status")).to_contain_text(zh("offer.status.open"))
    page.goto(thread_url)
    expect(page.locator("a.offer-link")).to_have_count(1)
    with served.connect() as conn:
        reads = conn.execute("SELECT count(*) AS n FROM demand_material_reads").fetchone()
    assert reads is not None
    assert reads["n"] == 1


@pytest.mark.browser
def test_an_english_reader_asks_a_question_and_the_seller_sees_the_count_in_english(
    served: Served, page: Page,  # noqa: F811 - the fixtures of test_browser
) -> None:
    listing, seller, buyer = _listing_and_parties(served)
    listing_url = f"{served.url}/listings/{listing['id']}"
    log_in(page, served, buyer)
    page.goto(listing_url)
    _switch_language(page)
    section = page.locator("#enquiries")
    expect(section.locator("h2")).to_have_text(en("enquiry.title"))
    section.get_by_label(en("enquiry.kind.question")).check()
    section.locator("textarea[name=text]").fill("Is the pilot line available for a site visit?")
    section.get_by_role("button", name=en("enquiry.ask"), exact=True).click()
    page.wait_for_url(re.compile(r"/enquiries/[0-9a-f-]{36}\?done=asked"))
    expect(page.locator("#done")).to_have_text(en("enquiry.asked"))
    expect(page.locator("#enquiry-status")).to_have_text(en("enquiry.status.awaiting_seller"))
    page.goto(f"{served.url}/enquiries")
    expect(page.locator("#asked")).to_contain_text(en("enquiry.status.awaiting_seller"))
    assert_fits(page, "enquiries-en")
    log_out(page)

    log_in(page, served, seller)
    page.goto(listing_url)
    expect(page.locator("#enquiry-counts")).to_contain_text("Enquiries on this listing: 1; awaiting your answer: 1")
    page.goto(f"{served.url}/enquiries")
    expect(page.locator(f"#count-{listing['id']}")).to_contain_text("1")
    expect(page.locator("#received")).to_contain_text(en("enquiry.status.awaiting_seller"))
    page.goto(f"{served.url}/todo")
    expect(page.locator("main")).to_contain_text(en("todo.kind.enquiry_to_answer"))
