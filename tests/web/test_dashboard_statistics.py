"""The technology-market statistics on the programme officer's dashboard over HTTP (issue 14): after paid deals
the dashboard's statistics section charts volume over time, by field, by region and by type from the same read
model as the public page — each chart with its table (the figures ``/api/statistics`` answers) and a CSV link."""

from __future__ import annotations

import re

from tests.web.conftest import login
from tests.web.test_programme_dashboard import section
from tests.web.test_programmes_web import (  # noqa: F401 - the fixture and helpers of the programmes journey
    PASSWORD,
    Market,
    market,
)

CHARTED = ("period", "ipc_section", "seller_region", "deal_kind")


def test_the_dashboard_charts_the_market_statistics_with_their_tables_and_csv(
    market: Market,  # noqa: F811 - the fixture of the programmes journey
) -> None:
    client = market.client
    market.paid_sale("fafu", "tea", 800_000)
    market.paid_sale("fafu", "tea", 300_000)
    market.services.make_runner().catch_up()
    figures = {g["dimension"]: g["rows"] for g in client.get("/api/statistics").json()["groups"]}
    assert sum(r["contracts"] for r in figures["period"]) == 2

    login(client, "officer@example.test", PASSWORD)
    page = client.get("/programmes/dashboard")
    assert page.status_code == 200, page.text
    stats = section(page.text, "statistics")
    assert "技术市场统计" in stats
    for dimension in CHARTED:
        assert re.search(rf'<svg [^>]*id="chart-stats-{dimension}"[^>]*role="img"', stats), dimension
        table = re.search(rf'<div class="stats-group" id="dashboard-stats-{dimension}">.*?</table>', stats, re.S)
        assert table is not None, dimension
        shown = dict(re.findall(r'<tr data-key="([^"]+)">.*?<td class="n" data-fen="(\d+)"', table.group(0), re.S))
        assert shown == {r["key"]: str(r["amount"]) for r in figures[dimension]}, dimension
        assert f'href="/statistics/csv/{dimension}?period=month"' in stats
    english = section(client.get("/programmes/dashboard", params={"lang": "en"}).text, "statistics")
    assert "Technology-market statistics" in english
    csv = client.get("/statistics/csv/period?period=month")
    assert csv.status_code == 200
    assert csv.headers["content-type"].startswith("text/csv")
