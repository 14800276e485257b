"""Search and listing pages over 100,000 published listings, served by uvicorn, loaded by wrk.

``build_catalogue`` generates the listings (see ``benchmarks.catalogue``) and projects them with
the batch runner. ``run`` then times the SQL of the index page alone (asyncpg, as the web pool
sets it up, plus EXPLAIN ANALYZE), and serves the app with one and with two uvicorn workers:
for each endpoint, a closed-loop load of 16 keep-alive connections where every request takes
the next term of a list. Baselines under the same load: a tiny litestar app with one route and
no middleware (the framework's ceiling on this machine), and ``/static/app.css`` of the app
itself (its middleware: session cookie, CSRF). Two latency-only runs with one connection tell
what a request costs when nothing queues.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
import urllib.request
from types import SimpleNamespace
from typing import Any, cast
from urllib.parse import quote

import psycopg

from benchmarks import vocabulary
from benchmarks.catalogue import generate
from benchmarks.common import (
    BenchResult,
    Context,
    at_least,
    at_most,
    execute,
    make_services,
    median,
    say,
)
from benchmarks.load import LoadResult, have_wrk, run_load, say_load, serve
from marketplace.platform.database import DatabaseAddress
from marketplace.platform.services import Services
from projections.catalogue import queries as catalogue_queries
from projections.catalogue.queries import (
    COUNT_SQL,
    FACETS_SQL,
    LIST_SQL,
    PUBLIC_STATUSES,
    CatalogueQueries,
    ListingFilters,
    _filter_args,
)
from web.state import create_pool

TARGET_P99_MS = 50.0
TARGET_RPS = 1500.0
CONNECTIONS = 16
TINY = "tiny litestar app GET / (framework ceiling)"
STATIC = "GET /static/app.css (app middleware)"
SINGLE = {"GET /listings?q=电池": f"/listings?q={quote('电池')}", "GET /listings": "/listings"}
DEAL_TYPES = ("assignment", "exclusive_licence", "sole_licence", "non_exclusive_licence", "open_licence")


def listing_count(ctx: Context) -> int:
    return 10_000 if ctx.quick else 100_000


# --- the data -------------------------------------------------------------------------------------
def build_catalogue(ctx: Context, address: DatabaseAddress) -> BenchResult:
    result = BenchResult("catalogue")
    count = listing_count(ctx)
    services = make_services(address, with_scheme=False)
    try:
        step = max(count // 5, 1)
        reported = [0]
        started = time.perf_counter()

        def progress(done: int) -> None:
            if done - reported[0] >= step:
                reported[0] = done
                say(f"    {done:,} listings, {time.perf_counter() - started:.0f} s")

        generated = generate(services.app, count, batch=ctx.save_batch, progress=progress)
        seconds = time.perf_counter() - started
        say(f"  generated {count:,} published listings ({generated.events:,} events) in {seconds:.1f} s:"
            f" building aggregates {generated.build_seconds:.1f} s, app.save {generated.save_seconds:.1f} s"
            f" ({ctx.save_batch} aggregates per save)")

        started = time.perf_counter()
        projected = services.make_runner().catch_up()
        project_seconds = time.perf_counter() - started
        say(f"  projected {projected:,} events (catalogue + accounts) in {project_seconds:.1f} s"
            f" = {projected / project_seconds:,.0f} events/s")
        started = time.perf_counter()
        execute(address, "VACUUM ANALYZE catalogue_listings, catalogue_patents, catalogue_status_history,"
                         " marketplace_events")
        say(f"  VACUUM ANALYZE: {time.perf_counter() - started:.1f} s")
    finally:
        services.close()
    rng = random.Random(5)
    ctx.shared["catalogue"] = {"listings": count, "events": generated.events,
                               "sample_ids": [str(i) for i in rng.sample(generated.listing_ids, 2000)]}
    result.add("generate listings (build + app.save)", count / seconds, "listings/s",
               note=f"{generated.events / seconds:,.0f} events/s")
    result.add("initial projection (batch runner, 2 views)", projected / project_seconds, "events/s")
    result.details.update(listings=count, events=generated.events, generate_seconds=seconds,
                          build_seconds=generated.build_seconds, save_seconds=generated.save_seconds,
                          save_batch=ctx.save_batch, projection_seconds=project_seconds)
    if ctx.save_batch != 500:
        result.note(f"saved {ctx.save_batch} aggregates per app.save, not 500: a ~700 kB save never completes on"
                    " this connection (psycopg pipeline bug, see README)")
    return result


# --- SQL alone ------------------------------------------------------------------------------------
async def _explain(conn: Any, statement: str, params: list[Any]) -> float:
    plan = json.loads(await conn.fetchval("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, *params))[0]
    return float(plan["Execution Time"]) + float(plan["Planning Time"])


async def _sql_timings(address: DatabaseAddress) -> dict[str, Any]:
    """The index page's queries as the app runs them (``CatalogueQueries.list_and_count`` on a pool set
    up by ``web.state.create_pool``), and each statement's EXPLAIN ANALYZE time (execution + planning)."""
    pool = await create_pool(cast(Services, SimpleNamespace(address=address)), max_size=2)
    queries = CatalogueQueries(pool)
    stored_facets = getattr(catalogue_queries, "STORED_FACETS_SQL", None)
    cases = {
        "q=电池": ListingFilters(q="电池"),
        "q=battery": ListingFilters(q="battery"),
        "index (no filter)": ListingFilters(),
        "q=电池&deal_type=assignment": ListingFilters(q="电池", deal_type="assignment"),
    }
    out: dict[str, Any] = {}
    try:
        async with pool.acquire() as conn:
            for label, f in cases.items():
                page = await queries.list_and_count(f)
                walls = []
                for _ in range(7):
                    started = time.perf_counter()
                    await queries.list_and_count(f)
                    walls.append(time.perf_counter() - started)
                args = _filter_args(f)
                unfiltered = label.startswith("index")
                plans = {"list": await _explain(conn, LIST_SQL, [*args, f.status, f.limit, f.offset])}
                if unfiltered and stored_facets is not None:
                    plans["stored facets"] = await _explain(conn, stored_facets, [list(PUBLIC_STATUSES), f.status])
                else:
                    plans["count"] = await _explain(conn, COUNT_SQL, [*args, f.status])
                    plans["facets"] = await _explain(conn, FACETS_SQL, [*args, list(PUBLIC_STATUSES), f.status])
                out[label] = {"matches": page.total, "app_ms": median(walls) * 1000, "explain_ms": plans}
    finally:
        await pool.close()
    return out


# --- the load test --------------------------------------------------------------------------------
def scenarios(sample_ids: list[str]) -> dict[str, list[str]]:
    zh = vocabulary.query_terms_zh()
    en = vocabulary.query_terms_en()
    rng = random.Random(11)
    api = [f"/api/listings?q={quote('电池')}&deal_type=assignment"]
    api += [f"/api/listings?q={quote(t)}&deal_type={rng.choice(DEAL_TYPES)}" for t in zh]
    return {
        STATIC: ["/static/app.css"],
        "GET /listings (index, page 1)": ["/listings"],
        "GET /listings?q=<zh term>": [f"/listings?q={quote(t)}" for t in zh],
        "GET /listings?q=<en term>": [f"/listings?q={quote(t)}" for t in en],
        "GET /api/listings?q=<zh>&deal_type=<d>": api,
        "GET /listings/{id}": [f"/listings/{i}" for i in sample_ids],
    }


def _check(base_url: str, paths: list[str]) -> None:
    """Every scenario's first path answers 200 with content, or the load figures would mislead."""
    for path in paths[:2]:
        with urllib.request.urlopen(base_url + path, timeout=30) as response:
            body = response.read()
            if response.status != 200 or len(body) < 100:
                raise RuntimeError(f"{path}: {response.status}, {len(body)} bytes")


def wait_idle(address: DatabaseAddress, timeout: float = 60.0) -> float:
    """Wait until no query of the app runs: wrk stops, but requests it abandoned still run to the end."""
    started = time.perf_counter()
    with psycopg.connect(address.conninfo(), autocommit=True) as conn:
        while time.perf_counter() - started < timeout:
            row = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                               " AND state = 'active' AND pid <> pg_backend_pid()").fetchone()
            if row is not None and row[0] == 0:
                break
            time.sleep(0.1)
    return time.perf_counter() - started


def load_tests(address: DatabaseAddress, sample_ids: list[str], *, workers: int, seconds: float,
               latency_runs: bool) -> tuple[dict[str, LoadResult], dict[str, LoadResult]]:
    loads: dict[str, LoadResult] = {}
    single: dict[str, LoadResult] = {}
    plan = scenarios(sample_ids)
    with serve(address, workers=workers, app="benchmarks.tiny_app:app", ready_path="/") as tiny:
        run_load(tiny.base_url, ["/"], label="warm-up", seconds=1.5, connections=CONNECTIONS)
        loads[TINY] = run_load(tiny.base_url, ["/"], label=f"{TINY}, {workers} worker(s)", seconds=seconds,
                               connections=CONNECTIONS)
        say_load(loads[TINY])
    with serve(address, workers=workers) as server:
        for paths in plan.values():
            _check(server.base_url, paths)
        say(f"  uvicorn, {workers} worker(s), {CONNECTIONS} connections, {seconds:.0f} s per endpoint:")
        for label, paths in plan.items():
            run_load(server.base_url, paths, label="warm-up", seconds=1.5, connections=CONNECTIONS)
            wait_idle(address)
            loads[label] = run_load(server.base_url, paths, label=label, seconds=seconds, connections=CONNECTIONS,
                                    offset=len(paths) // 2)
            drained = wait_idle(address)
            say_load(loads[label])
            if drained > 1:
                say(f"      (queries abandoned by the load client kept the database busy {drained:.1f} s more)")
        if latency_runs:
            say("  one connection (no queueing), the requests whose SQL was timed above:")
            runs = [*((k, [p]) for k, p in SINGLE.items()), ("GET /listings/{id}", plan["GET /listings/{id}"])]
            for label, paths in runs:
                single[label] = run_load(server.base_url, paths, label=label, seconds=max(2.0, seconds / 2),
                                         connections=1)
                say_load(single[label])
                wait_idle(address)
    return loads, single


def run(ctx: Context, address: DatabaseAddress) -> BenchResult:
    result = BenchResult("search")
    shared = ctx.shared["catalogue"]
    say(f"  {shared['listings']:,} published listings; load client: {'wrk' if have_wrk() else 'python (no wrk)'}")

    sql = asyncio.run(_sql_timings(address))
    say("  SQL alone: CatalogueQueries.list_and_count as the app calls it (median of 7), and per statement:")
    for label, case in sql.items():
        parts = ", ".join(f"{name} {ms:.1f} ms" for name, ms in case["explain_ms"].items())
        say(f"    {label}: {case['matches']:,} matches; list_and_count {case['app_ms']:.1f} ms;"
            f" EXPLAIN ANALYZE: {parts}")
    result.details["sql"] = sql

    seconds = 3.0 if ctx.quick else 6.0
    by_workers: dict[int, dict[str, LoadResult]] = {}
    singles: dict[str, LoadResult] = {}
    for workers in (1, 2):
        loads, single = load_tests(address, shared["sample_ids"], workers=workers, seconds=seconds,
                                   latency_runs=workers == 1)
        by_workers[workers] = loads
        singles |= single
    result.details["load"] = {str(w): {k: vars(v) | {"rps": v.rps} for k, v in loads.items()}
                              for w, loads in by_workers.items()}
    result.details["single_connection"] = {k: vars(v) for k, v in singles.items()}

    for workers, loads in by_workers.items():
        ceiling = loads[TINY]
        for label, r in loads.items():
            if r.requests < 20:
                result.note(f"{workers} worker(s), {label}: only {r.requests} requests completed in {seconds:.0f} s;"
                            " latency percentiles over so few are rough (n/a when none)")
            if r.requests == 0:
                r.p50_ms = r.p99_ms = float("nan")
            if label == TINY:
                result.add(f"{workers}w {label} req/s", r.rps, "req/s", note=f"p99 {r.p99_ms:.1f} ms")
                continue
            result.add(f"{workers}w {label} req/s", r.rps, "req/s", baseline=ceiling.rps,
                       baseline_name="tiny-app req/s", target="" if label == STATIC else f"≥ {TARGET_RPS:,.0f}",
                       met=None if label == STATIC else at_least(r.rps, TARGET_RPS))
            if label != STATIC:
                result.add(f"{workers}w {label} p50", r.p50_ms, "ms")
            result.add(f"{workers}w {label} p99", r.p99_ms, "ms", target="" if label == STATIC else
                       f"≤ {TARGET_P99_MS:.0f} ms", met=None if label == STATIC else at_most(r.p99_ms, TARGET_P99_MS))
            if r.errors:
                result.note(f"{workers} worker(s), {label}: {r.errors} failed requests")
    for label, key in (("q=电池", "GET /listings?q=电池"), ("index (no filter)", "GET /listings")):
        sql_ms = sql[label]["app_ms"]
        one = singles.get(key)
        share = sql_ms / one.p50_ms if one and one.p50_ms else float("nan")
        result.add(f"SQL per page, {label} (list_and_count)", sql_ms, "ms",
                   baseline=one.p50_ms if one else None, baseline_name="ms HTTP p50 at 1 conn", ratio=share,
                   note="ratio = SQL share of the unloaded HTTP latency")
    best = max((1, 2), key=lambda w: median([r.rps for k, r in by_workers[w].items() if k not in (TINY, STATIC)]))
    result.note(f"{'two workers' if best == 2 else 'one worker'} served more requests/s on this 2-core machine"
                " (the database and the load client share the same cores)")
    return result
