"""Read-your-writes: from a command's HTTP response to the listing page showing its effect.

The app serves with its projections in-process (as ``marketplace serve`` does by default). A
verified organisation owns one published listing; ~200 times: PUT /api/listings/{id} with a new
asking price (bearer token from POST /api/auth/token), then GET /listings/{id} until the page
shows the new price. The web layer waits for the read models before it answers a command, so
the first GET should already show it. Also measured: how long the projection takes to catch up
after a commit made directly through the application (no HTTP), which is what the wait costs.
"""

from __future__ import annotations

import http.client
import json
import time
from typing import Any
from uuid import UUID

import psycopg

from benchmarks.bench_commands import Commands
from benchmarks.common import (
    BenchResult,
    Context,
    at_most,
    fresh_database,
    make_services,
    median,
    percentile,
    say,
)
from benchmarks.load import serve
from marketplace.catalogue import commands as cc

TARGET_P99_MS = 20.0
PASSWORD = "bench-user-password"


def _terms(price_fen: int) -> dict[str, Any]:
    return {"deal_types": ["assignment", "exclusive_licence"], "price_mode": "fixed", "asking_price": price_fen,
            "maturity": "pilot", "trl": 6, "advantages": f"成本降低约三成 (rev {price_fen})",
            "applications": "新能源汽车、储能", "keywords": ["电池", "隔膜"]}


def price_renderings(fen: int) -> list[bytes]:
    """How the page may print the price (万元 in Chinese, plain yuan, CNY in English)."""
    yuan = fen / 100
    texts = [f"{yuan / 10_000:,.2f} 万元".replace(".00 ", " "), f"{yuan:,.2f} 元",
             f"CNY {yuan:,.2f}".replace(".00", "")]
    return [t.encode() for t in texts]


class Client:
    """One keep-alive HTTP/1.1 connection (stdlib: the least client overhead in this process)."""

    def __init__(self, base_url: str) -> None:
        host, _, port = base_url.removeprefix("http://").partition(":")
        self.conn = http.client.HTTPConnection(host, int(port), timeout=30)

    def request(self, method: str, path: str, body: Any = None, token: str | None = None) -> tuple[int, bytes]:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = self.conn.getresponse()
        return response.status, response.read()

    def close(self) -> None:
        self.conn.close()


def projection_lag(services: Any, cmds: Commands, listing_id: UUID, n: int, conninfo: str) -> list[float]:
    """Seconds from a committed revision (through the application) to the catalogue view having it."""
    lags = []
    with psycopg.connect(conninfo, autocommit=True) as conn:
        for i in range(n):
            cmd = cc.ReviseListing(listing_id=listing_id, **_terms(90_000_000 + i * 10_000))
            position = services.app.catalogue.revise_listing(cmd, actor_id=cmds.user)
            committed = time.perf_counter()
            while True:
                row = conn.execute("SELECT notification_id FROM catalogue_tracking"
                                   " WHERE application_name = 'marketplace'").fetchone()
                if row and row[0] >= position:
                    break
                if time.perf_counter() - committed > 5:
                    raise RuntimeError("the projection did not catch up within 5 s")
            lags.append(time.perf_counter() - committed)
    return lags


def run(ctx: Context) -> BenchResult:
    result = BenchResult("read_your_writes")
    n = 50 if ctx.quick else 200
    with fresh_database(ctx.server, "ryw") as address:
        services = make_services(address)
        try:
            cmds = Commands(services.app)
            patent_id, _ = services.app.catalogue.register_patent(cmds.register(), actor_id=cmds.user)
            listing_id, _ = services.app.catalogue.draft_listing(cmds.draft(patent_id), actor_id=cmds.user)
            services.app.catalogue.publish_listing(cc.PublishListing(listing_id=listing_id), actor_id=cmds.user)

            commands: list[float] = []
            visible: list[float] = []
            totals: list[float] = []
            gets: list[int] = []
            unrecognised = 0
            with serve(address, workers=1, projections=True) as server:
                client = Client(server.base_url)
                try:
                    status, body = client.request("POST", "/api/auth/token",
                                                  {"email": "tto@fzu.bench.example.cn", "password": PASSWORD})
                    if status != 201:
                        raise RuntimeError(f"token: {status} {body[:300]!r}")
                    token = json.loads(body)["token"]
                    page = f"/listings/{listing_id}"
                    for i in range(n + 10):  # the first 10 warm up
                        price = 100_000_000 + (i + 1) * 10_000  # 1,000,000 yuan + i × 100 yuan: distinct on the page
                        expected = price_renderings(price)
                        marker = f"(rev {price})".encode()
                        started = time.perf_counter()
                        status, body = client.request("PUT", f"/api/listings/{listing_id}", _terms(price), token)
                        answered = time.perf_counter()
                        if status != 200:
                            raise RuntimeError(f"PUT: {status} {body[:300]!r}")
                        tries = 0
                        while True:
                            tries += 1
                            status, html = client.request("GET", page)
                            if status == 200 and marker in html:  # the revision's row is on the page
                                if not any(e in html for e in expected):
                                    unrecognised += 1  # shown, in a price format this benchmark does not know
                                break
                            if time.perf_counter() - answered > 5:
                                raise RuntimeError(f"revision {price} not on {page} after 5 s")
                        seen = time.perf_counter()
                        if i >= 10:
                            commands.append(answered - started)
                            visible.append(seen - answered)
                            totals.append(seen - started)
                            gets.append(tries)
                finally:
                    client.close()
                lags = projection_lag(services, cmds, listing_id, 50 if ctx.quick else 100, address.conninfo())
        finally:
            services.close()

    def ms(values: list[float], p: float) -> float:
        return percentile(values, p) * 1000

    say(f"  {n} revisions: PUT /api/listings/{{id}} p50 {ms(commands, 50):.1f} ms, p99 {ms(commands, 99):.1f} ms;"
        f" response → page shows the price p50 {ms(visible, 50):.1f} ms, p99 {ms(visible, 99):.1f} ms;"
        f" PUT sent → visible p50 {ms(totals, 50):.1f} ms, p99 {ms(totals, 99):.1f} ms")
    stale = sum(1 for g in gets if g > 1)
    say(f"  the first GET showed the new price {n - stale} times of {n}")
    if unrecognised:
        result.note(f"{unrecognised} pages showed the revision but not the price in a known format")
    say(f"  projection lag after a commit (in-process runner, LISTEN/NOTIFY): p50 {ms(lags, 50):.1f} ms,"
        f" p99 {ms(lags, 99):.1f} ms")
    result.add("response → visible p50", ms(visible, 50), "ms")
    result.add("response → visible p99", ms(visible, 99), "ms", target=f"≤ {TARGET_P99_MS:.0f} ms",
               met=at_most(ms(visible, 99), TARGET_P99_MS))
    result.add("PUT revise command p50", ms(commands, 50), "ms")
    result.add("PUT revise command p99", ms(commands, 99), "ms")
    result.add("PUT sent → visible p99", ms(totals, 99), "ms", note=f"p50 {ms(totals, 50):.1f} ms")
    result.add("projection lag after commit p50", ms(lags, 50), "ms", note=f"p99 {ms(lags, 99):.1f} ms")
    result.add("first GET already fresh", (n - stale) / n * 100, "%", target="100 %", met=stale == 0)
    result.details.update(revisions=n, command_p50_ms=ms(commands, 50), visible_median_ms=median(visible) * 1000,
                          stale_first_reads=stale, projection_lag_p50_ms=ms(lags, 50),
                          projection_lag_p99_ms=ms(lags, 99))
    return result
