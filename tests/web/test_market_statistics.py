"""Technology-market statistics from the public's side over HTTP (issue 14, journey 3): a seeded year of
deals (months apart, several fields, sellers and buyers in Fujian cities and another province, one registered
with its record's region codes) and the statistics page, its JSON answer and its CSVs, whose figures equal this
test's own computation from the raw events of the log. The read model is rebuilt from the log identically."""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from domain.deals.payment import obligation_id
from marketplace.audit.rebuild_check import rebuild_check
from marketplace.catalogue import commands as cc
from marketplace.deals import commands as dc
from marketplace.market import commands as mc
from projections.shared.records import decode, plain
from tests.unit.deal_helpers import cn
from tests.unit.tech_registration_helpers import completed
from tests.web.test_programmes_web import Market, market  # noqa: F401
from web.market.statistics import _cell

YUAN = 100
BEIJING = ZoneInfo("Asia/Shanghai")
#: This test's own reading of a region text or code (GB/T 2260): a Fujian city told apart, another province whole.
CITY = {"福州": "350100", "厦门": "350200", "泉州": "350500"}
PROVINCE = {"福建": "350000", "上海": "310000"}


def sale(market: Market, seller: str, buyer: str, price_yuan: int, ipc: str, serial: int) -> Any:  # noqa: F811
    """A patent of field ``ipc`` listed by ``seller``, bought by ``buyer`` and paid by bank transfer."""
    app, ids = market.app, market.ids
    patent, _ = app.catalogue.register_patent(cc.RegisterPatent(
        application_number=cn(f"2022107{serial:05d}"), patent_type="invention", title_zh=f"统计专利 {serial}",
        title_en=f"Statistics patent {serial}", ipc_codes=[ipc], filing_date=date(2022, 3, 1),
        legal_status="granted", owners=[cc.OwnerShare(organisation_id=ids[f"{seller}_org"], share=100)],
        inventors=[cc.InventorShare(name="林一", share=100)]), actor_id=ids[seller])
    listing, _ = app.catalogue.draft_listing(cc.DraftListing(
        patent_id=patent, deal_types=["assignment"], price_mode="fixed", asking_price=price_yuan * YUAN,
        maturity="prototype"), actor_id=ids[seller])
    app.catalogue.publish_listing(cc.PublishListing(listing_id=listing), actor_id=ids[seller])
    offer, _ = app.offers.make_offer(dc.MakeOffer(listing_id=listing, kind="assignment", price=price_yuan * YUAN),
                                     actor_id=ids[buyer])
    contract, _ = app.offers.accept_offer(dc.AcceptOffer(offer_id=offer), actor_id=ids[seller])
    digest: str = app.repository.get(contract).text_sha256
    for party in (seller, buyer):
        app.contracts.sign_contract(dc.SignContract(contract_id=contract, text_sha256=digest), actor_id=ids[party])
    app.payments.start_payment(dc.StartPayment(contract_id=contract, gateway="manual"), actor_id=ids[buyer])
    app.payments.record_manual_receipt(dc.RecordManualReceipt(
        obligation_id=obligation_id(contract, "upfront"), amount=price_yuan * YUAN, bank_reference=f"S-{serial}"),
        actor_id=market.admin)
    return contract


def region(text: str) -> str:
    if len(text) == 6 and text.isdigit():
        return text[:4] + "00" if text.startswith("35") and text[2:4] != "00" else text[:2] + "0000"
    return next((code for name, code in (*CITY.items(), *PROVINCE.items()) if name in text), "unknown")


def expected_from_the_log(market: Market) -> dict[str, dict[str, tuple[int, int, int]]]:  # noqa: F811
    """The figures by dimension (``period`` by month), computed here from the stored events alone."""
    events = [decode(n) for n in market.services.recorder.select_notifications(start=1, limit=1_000_000)]
    orgs: dict[str, dict[str, str]] = {}
    patents: dict[str, str] = {}
    contracts: dict[str, dict[str, Any]] = {}
    registrations: dict[str, str] = {}
    for e in events:
        name = e.topic.rsplit(":", 1)[1]
        d = plain(e.data)
        if name == "Organisation.Registered":
            orgs[e.originator_id] = {"kind": d["kind"], "region": region(d["region"])}
        elif name in ("Patent.Registered", "Patent.Reregistered"):
            patents[e.originator_id] = d["ipc_codes"][0]
        elif name.endswith("Contract.Drafted"):
            seller, buyer = orgs[str(d["seller_organisation_id"])], orgs[str(d["buyer_organisation_id"])]
            contracts[e.originator_id] = {
                "amount": int(d["terms"]["price"]), "kind": d["terms"]["kind"],
                "ipc": patents[str(d["patent_id"])], "seller_kind": seller["kind"],
                "seller_region": seller["region"], "buyer_region": buyer["region"], "in_force": None,
                "income": 0, "status": "none", "type": "unknown"}
        elif name == "Contract.CameIntoForce":
            contracts[e.originator_id]["in_force"] = datetime.fromisoformat(str(d["at"]))
        elif name in ("ContractRegistration.Prepared", "ContractRegistration.Revised"):
            contract_id = str(d["contract_id"]) if "contract_id" in d else registrations[e.originator_id]
            registrations[e.originator_id] = contract_id
            c, record = contracts[contract_id], d["record"]
            c |= {"income": record["technology_income"], "type": record["contract_type"],
                  "seller_region": region(record["seller"]["region_code"]),
                  "buyer_region": region(record["buyer"]["region_code"])}
            if c["status"] == "none":
                c["status"] = "prepared"
        elif name == "ContractRegistration.NumberRecorded":
            contracts[registrations[e.originator_id]]["status"] = "registered"
    figures: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))
    for c in contracts.values():
        if c["in_force"] is None:
            continue
        keys = {"period": c["in_force"].astimezone(BEIJING).strftime("%Y-%m"), "ipc_section": c["ipc"][0],
                "ipc_class": c["ipc"][:3], "seller_region": c["seller_region"], "buyer_region": c["buyer_region"],
                "deal_kind": c["kind"], "contract_type": c["type"], "seller_kind": c["seller_kind"],
                "registration_status": c["status"]}
        for dimension, key in keys.items():
            row = figures[dimension][key]
            row[0] += 1
            row[1] += c["amount"]
            row[2] += c["income"]
    return {dim: {k: (v[0], v[1], v[2]) for k, v in rows.items()} for dim, rows in figures.items()}


def test_the_statistics_equal_the_logs_own_figures_in_both_languages(market: Market) -> None:  # noqa: F811 - the fixture of test_programmes_web
    client = market.client
    market.clock.set(datetime(2026, 1, 10, 2, tzinfo=UTC))
    deals = [("fafu", "tea", 800_000, "A23F 3/06"), ("fafu", "sh", 120_000, "H01M 10/05"),
             ("sh", "tea", 50_000, "A01B 1/00"), ("fafu", "tea", 30_000, "G06F 16/00")]
    contracts = []
    for serial, (seller, buyer, price, ipc) in enumerate(deals, start=1):
        contracts.append(sale(market, seller, buyer, price, ipc, serial))
        market.clock.advance(timedelta(days=40))  # the next deal a month or two later
    # A deal signed but never paid does not count; one registered counts with its record's region codes.
    fafu = market.ids["fafu"]
    record = market.app.tech_registrations.prefill(contracts[1], actor_id=fafu)
    market.app.tech_registrations.prepare_registration(completed(
        contracts[1], record, buyer=mc.PartyCodesInput(nature_code="170", country_code="142",
                                                        region_code="320500")), actor_id=fafu)
    market.app.tech_registrations.record_registration_number(
        mc.RecordRegistrationNumber(contract_id=contracts[1], number="2026350100000456"), actor_id=fafu)
    market.services.make_runner().catch_up()

    expected = expected_from_the_log(market)
    assert expected["buyer_region"]["320000"] == (1, 12_000_000, 12_000_000)  # the record's code wins
    assert len(expected["period"]) == 4
    answer = client.get("/api/statistics?period=month")
    assert answer.status_code == 200
    body = answer.json()
    assert body["total"]["contracts"] == 4
    assert body["total"]["amount"] == 100_000_000
    got = {g["dimension"]: {r["key"]: (r["contracts"], r["amount"], r["technology_income"]) for r in g["rows"]}
           for g in body["groups"]}
    assert got == expected
    years = client.get("/api/statistics?period=year").json()["groups"][0]["rows"]
    assert years == [{"key": "2026", "contracts": 4, "amount": 100_000_000, "technology_income": 12_000_000}]
    quarters = {r["key"] for r in client.get("/api/statistics?period=quarter").json()["groups"][0]["rows"]}
    assert quarters == {"2026-Q1", "2026-Q2"}

    # The page shows the same figures in every table, a chart beside four of them, and a CSV of each.
    page = client.get("/statistics")
    assert page.status_code == 200
    html = page.text
    assert "技术市场统计" in html
    for dimension, rows in expected.items():
        section = re.search(rf'<section class="panel stats-group" id="stats-{dimension}">(.*?)</section>', html, re.S)
        assert section is not None, dimension
        shown = {m[0]: (int(m[1]), int(m[2]), int(m[3])) for m in re.findall(
            r'<tr data-key="([^"]+)">.*?data-value="(\d+)".*?data-fen="(\d+)".*?data-fen="(\d+)"', section.group(1))}
        assert shown == rows, dimension
    for chart in ("period", "ipc_section", "seller_region", "deal_kind"):
        assert f'id="chart-stats-{chart}"' in html
    for svg in re.findall(r"<svg.*?</svg>", html, re.S):
        assert "<script" not in svg
        assert "<style" not in svg
        assert 'role="img"' in svg
    for words in ("福州市", "泉州市", "H 电学", "转让"):
        assert words in html
    sheet = client.get("/statistics/csv/seller_region")
    assert sheet.headers["content-type"].startswith("text/csv")
    cells = list(csv.reader(io.StringIO(sheet.text.lstrip("\ufeff"))))
    assert cells[0][:3] == ["卖方地区", "key", "合同数"]
    assert {r[1]: (int(r[2]), r[3]) for r in cells[1:]} == {"350100": (3, "950000.00"), "310000": (1, "50000.00")}

    english = client.get("/lang/en?next=/statistics").text
    assert "Technology-market statistics" in english
    for words in ("Fuzhou", "Quanzhou", "H Electricity", "Assignment"):
        assert words in english
    assert client.get("/statistics/csv/buyer_region").text.splitlines()[0].lstrip("\ufeff").startswith("Buyer")

    # Nonsense is refused, not guessed.
    assert client.get("/statistics?period=decade").status_code == 400
    assert client.get("/api/statistics?period=1;DROP").status_code == 400
    assert client.get("/statistics/csv/password").status_code == 404

    # The read model is rebuilt from the log identically.
    report = rebuild_check(market.services, names=["market_statistics"])
    assert report.tables
    assert not report.differences, report.lines()


def test_a_csv_cell_never_starts_a_formula() -> None:
    assert [_cell(v) for v in ("=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "福建省", "2026-01")] == [
        "'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\t=1", "福建省", "2026-01"]
