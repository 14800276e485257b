"""Search and listing pages over 100,000 published listings, served by uvicorn, loaded by wrk.

``build_catalogue`` generates the listings (see ``benchmarks.catalogue``), then times the catch-up
of the catalogue and accounts read models over them (positions reset) against reading the log
alone, and catches up the other read models. ``run`` times the SQL of the index page alone
(asyncpg, as the web pool sets it up, plus EXPLAIN ANALYZE), then serves the app with one and with
two uvicorn workers while a write stream runs commands through the application at a fixed rate
with a projection runner keeping every read model current (as in production, so that caches
keyed by the read models' position are emptied). For each endpoint, a closed-loop load of 16
keep-alive connections; search terms are distinct: a cold run sends every term once and never a
term any earlier run sent, a warm run repeats exactly the terms its cold run served. Baseline
under the same load and the same write stream: a tiny litestar app with one route and no
middleware (the framework's ceiling on this machine). The serving processes' RSS is read after
the load. Latency-only runs with one connection tell what a request costs when nothing queues.
"""

from __future__ import annotations

import asyncio
import json
import random
import threading
import time
import urllib.request
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, cast
from urllib.parse import quote, unquote
from uuid import UUID

import psycopg

from benchmarks import vocabulary
from benchmarks.bench_commands import Commands
from benchmarks.bench_read_your_writes import _terms as revision_terms
from benchmarks.catalogue import generate
from benchmarks.common import (
    BenchResult,
    Context,
    at_least,
    at_most,
    execute,
    make_services,
    median,
    percentile,
    say,
)
from benchmarks.load import LoadResult, have_wrk, run_load, say_load, serve, server_rss
from marketplace.catalogue import commands as cc
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
from projections.runner import read_page
from projections.shared.search import query_parts
from web.state import create_pool

TARGET_P99_MS = 50.0  # GET /listings, issue 16
TARGET_SEARCH_P99_MS = 100.0  # GET /listings?q=<term>, issue 16
TARGET_SEARCH_RPS = 300.0
TARGET_STATIC = 0.50  # of the bare litestar app
WRITE_RATE = 10.0  # commands/s through the application during every load
TARGET_CATCH_UP = 30_000.0  # events/s, issue 16
CATCH_UP_VIEWS = ("catalogue", "accounts")
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

        read_events, read_seconds = read_log(services)
        say(f"  reading + decoding the log alone (the runner's pages, no read model): {read_events:,} events in"
            f" {read_seconds:.1f} s = {read_events / read_seconds:,.0f} events/s")
        for name in CATCH_UP_VIEWS:
            services.views[name].reset()  # positions at the start: the catch-up after an import of the lot
        started = time.perf_counter()
        projected = caught_up(services.make_runner(list(CATCH_UP_VIEWS)))
        project_seconds = time.perf_counter() - started
        say(f"  catch-up of {' + '.join(CATCH_UP_VIEWS)} after the import: {projected:,} events in"
            f" {project_seconds:.1f} s = {projected / project_seconds:,.0f} events/s")
        other_names = [n for n in services.views if n not in CATCH_UP_VIEWS]
        spent = time_each_view(services, other_names)
        started = time.perf_counter()
        others = caught_up(services.make_runner(other_names))
        others_seconds = time.perf_counter() - started
        for name in other_names:
            vars(services.views[name]).pop("process", None)  # the class's own again
        say(f"  the other {len(services.views) - len(CATCH_UP_VIEWS)} read models: {others:,} events in"
            f" {others_seconds:.1f} s = {others / others_seconds:,.0f} events/s")
        say("    of which applying (page writes + tracking, per read model): " + ", ".join(
            f"{name} {seconds:.1f} s" for name, seconds in sorted(spent.items(), key=lambda x: -x[1])))
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
    result.add(f"catch-up after the {count:,}-listing import ({' + '.join(CATCH_UP_VIEWS)})",
               projected / project_seconds, "events/s", baseline=read_events / read_seconds,
               baseline_name="events/s reading + decoding the log alone",
               target=f"≥ {TARGET_CATCH_UP:,.0f} events/s", met=at_least(projected / project_seconds, TARGET_CATCH_UP),
               goal="catch_up", note=f"{projected:,} events in {project_seconds:.1f} s")
    result.add("catch-up of the other read models", others / others_seconds, "events/s",
               note=f"{others:,} events in {others_seconds:.1f} s")
    result.details.update(listings=count, events=generated.events, generate_seconds=seconds,
                          build_seconds=generated.build_seconds, save_seconds=generated.save_seconds,
                          save_batch=ctx.save_batch, projection_seconds=project_seconds,
                          catch_up_views=list(CATCH_UP_VIEWS), log_read_seconds=read_seconds,
                          other_views_seconds=others_seconds,
                          other_view_apply_seconds={n: round(v, 2) for n, v in spent.items()})
    if ctx.save_batch != 500:
        result.note(f"saved {ctx.save_batch} aggregates per app.save, not 500: a ~700 kB save never completes on"
                    " this connection (psycopg pipeline bug, see README)")
    return result


def time_each_view(services: Services, names: list[str]) -> dict[str, float]:
    """Time each view's ``process`` (its page's writes and tracking row) while one runner catches them up together:
    the seconds per view name, filled as the runner goes."""
    spent = dict.fromkeys(names, 0.0)
    for name in names:
        view = services.views[name]

        def timed(records: Any, tracking: Any, after: int | None = None, prepared: Any = None, *,
                  _process: Any = view.process, _name: str = name) -> None:
            started = time.perf_counter()
            try:
                _process(records, tracking, after, prepared)
            finally:
                spent[_name] += time.perf_counter() - started

        setattr(view, "process", timed)  # noqa: B010 - an instance attribute over the method, removed afterwards
    return spent


def caught_up(runner: Any) -> int:
    """``runner.catch_up()``, refused if any read model stopped on the way: a stopped read model applied only part of
    the log, so its events/s would flatter (a catch-up figure counts only complete catch-ups)."""
    position = int(runner.catch_up())
    if runner.stopped:
        raise RuntimeError("read models stopped during the catch-up: " + "; ".join(
            f"{name} before position {stop.failure.position}: {stop.failure.error}"
            for name, stop in runner.stopped.items()))
    return position


def read_log(services: Services) -> tuple[int, float]:
    """Every event of the log read in the runner's pages (1,000) and decoded as the runner decodes them."""
    position, done = 0, 0
    started = time.perf_counter()
    while True:
        page = services.recorder.select_notifications(start=position, limit=1000, inclusive_of_start=False)
        if not page:
            break
        read_page(page)
        done += len(page)
        position = page[-1].id
    return done, time.perf_counter() - started


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

# --- distinct search terms ------------------------------------------------------------------------
def _english_keys(address: DatabaseAddress, terms: list[str]) -> list[str]:
    """What PostgreSQL's english parser makes of each term (stemmed lexemes, sorted): two terms with the
    same lexemes are the same search for every cache."""
    with psycopg.connect(address.conninfo(), autocommit=True) as conn:
        rows = conn.execute("SELECT t.term, coalesce(array_to_string(ARRAY(SELECT DISTINCT unnest(tsvector_to_array("
                            "to_tsvector('english', t.term))) ORDER BY 1), ' '), '')"
                            " FROM unnest(%s::text[]) WITH ORDINALITY AS t(term, n) ORDER BY t.n",
                            ([query_parts(x)[0] for x in terms],)).fetchall()
    return [str(key) for _, key in rows]


def distinct_term_tiers(address: DatabaseAddress, language: str, seed: int = 17) -> list[list[str]]:
    """Search terms the search reads differently from all the others (the CJK bigram set of
    ``query_parts``; the stemmed lexemes for English), in four tiers, each shuffled: the vocabulary's single
    words (broad: a few hundred), pairs of nouns of a field, and short and long fragments of the titles of
    60,000 listings of the catalogue (each matches at least its own listing; tens of thousands)."""
    rng = random.Random(seed)
    rows = execute(address, f"SELECT title_{language} FROM catalogue_patents ORDER BY md5(id::text) LIMIT 60000")
    titles = [str(r[0]) for r in rows if r[0]]
    tiers = [*vocabulary.search_term_tiers(language), *vocabulary.title_fragments(titles, language, rng)]
    seen: set[str] = set()
    out_tiers: list[list[str]] = []
    for tier in tiers:
        if language == "zh":
            keys = [" & ".join(sorted(query_parts(t)[1].split(" & "))) for t in tier]
        else:
            keys = _english_keys(address, tier)
        kept = []
        for term, key in zip(tier, keys, strict=True):
            if key and key not in seen:
                seen.add(key)
                kept.append(term)
        rng.shuffle(kept)
        out_tiers.append(kept)
    return out_tiers


def _interleaved(tiers: list[list[str]]) -> list[str]:
    out: list[str] = []
    for i in range(max((len(t) for t in tiers), default=0)):
        out += [t[i] for t in tiers if i < len(t)]
    return out


def _spread(parts: list[list[str]]) -> list[str]:
    """The terms of ``parts`` in one list, each part's spread evenly over its length (a part of n terms in a
    list of N has one term about every N/n places)."""
    keyed = [((j + 0.5) / len(part), k, term) for k, part in enumerate(parts) for j, term in enumerate(part)]
    return [term for _, _, term in sorted(keyed)]


class TermSupply:
    """Terms never handed out before in this benchmark (so never served before by any server), dealt so that
    every cold run gets the same mix.

    The single words and noun pairs are few (a few hundred each), the title fragments many. Handed out in turn,
    as before, the first run took every single word and the later runs (the API's, the second server's) had
    only fragments: their figures were of an easier load. Now each of ``runs`` cold runs gets an equal part of
    every tier, spread evenly over the first ``planned`` terms of the run (what a run at the goal's rate
    serves), then fragments only. A run that serves at most ``planned`` requests sees the same mix as every
    other; the mix of those ``planned`` is ``mix``."""

    def __init__(self, tiers: list[list[str]], runs: int, planned: int, warm: int) -> None:
        self.terms = [t for tier in tiers for t in tier]
        few, fragments = tiers[:2], [list(t) for t in tiers[2:]]
        # Warm-up terms (one list per server) from the fragments' ends: never a measured term.
        self.warm = [[fragments[n % len(fragments)].pop() for n in range(warm)] for _ in range(2)]
        quota = planned // len(tiers)  # a tier's part of a run: a quarter at most
        self.runs: list[list[str]] = []
        self.mix: list[float] = []
        for k in range(runs):
            heads = [tier[k::runs][:quota] for tier in few]
            dealt = [tier[k::runs] for tier in fragments]
            need = planned - sum(len(h) for h in heads)
            counts = [need // len(dealt) + (1 if n < need % len(dealt) else 0) for n in range(len(dealt))]
            heads += [tier[:c] for tier, c in zip(dealt, counts, strict=True)]
            tail = _interleaved([tier[c:] for tier, c in zip(dealt, counts, strict=True)])
            self.runs.append(_spread(heads) + tail)
            if not self.mix:
                self.mix = [len(h) / planned for h in heads]
        self.used = 0

    def take_warm(self) -> list[str]:
        return self.warm.pop(0)

    def take(self) -> list[str]:
        """The next cold run's terms."""
        run = self.runs[self.used]
        self.used += 1
        return run


async def _match_counts(address: DatabaseAddress, terms: list[str]) -> list[int]:
    """How many published listings each term matches (the index page's COUNT, as the app runs it)."""
    pool = await create_pool(cast(Services, SimpleNamespace(address=address)), max_size=2)
    try:
        async with pool.acquire() as conn:
            out = []
            for term in terms:
                f = ListingFilters(q=term)
                out.append(int(await conn.fetchval(COUNT_SQL, *_filter_args(f), f.status)))
            return out
    finally:
        await pool.close()


# --- commands during the load ---------------------------------------------------------------------
class WriteStream:
    """Commands through the application at a fixed rate while the load runs, as in production: a seller
    registers a patent, drafts and publishes its listing, and revises the price of one of its published
    listings three times, then again. A projection runner in this process (as ``marketplace
    run-projections`` runs one) keeps every read model up to date, so the catalogue's position in the log
    moves several times a second and whatever the web caches by that position is emptied as it would be."""

    def __init__(self, services: Services, cmds: Commands, rate: float) -> None:
        self.services = services
        self.cmds = cmds
        self.rate = rate
        self.done = 0
        self.failures = 0
        self.messages: list[str] = []
        self.started = self.stopped = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._listings: list[UUID] = []
        self._patent: UUID | None = None
        self._listing: UUID | None = None
        self._step = 0
        self._price = 0

    def _one(self) -> None:
        app, user = self.services.app, self.cmds.user
        step = self._step % 6
        if step == 0 or (step >= 3 and not self._listings):
            self._patent, _ = app.catalogue.register_patent(self.cmds.register(), actor_id=user)
            self._step = 0
        elif step == 1 and self._patent is not None:
            self._listing, _ = app.catalogue.draft_listing(self.cmds.draft(self._patent), actor_id=user)
        elif step == 2 and self._listing is not None:
            app.catalogue.publish_listing(cc.PublishListing(listing_id=self._listing), actor_id=user)
            self._listings.append(self._listing)
        else:
            self._price += 1
            listing = self._listings[self._price % len(self._listings)]
            app.catalogue.revise_listing(cc.ReviseListing(listing_id=listing, **revision_terms(
                50_000_000 + self._price * 10_000)), actor_id=user)
        self._step += 1

    def _loop(self) -> None:
        interval = 1 / self.rate
        next_at = time.perf_counter()
        while not self._stop.is_set():
            try:
                self._one()
                self.done += 1
            except Exception as exc:  # counted: a failed command marks the rows it ran under
                self.failures += 1
                self._step = 0
                if len(self.messages) < 5:
                    self.messages.append(f"{type(exc).__name__}: {exc}"[:200])
            next_at = max(next_at + interval, time.perf_counter())  # a fixed rate: no bursts to catch up
            self._stop.wait(max(0.0, next_at - time.perf_counter()))

    def __enter__(self) -> WriteStream:
        self.services.start_projections()
        self.started = time.perf_counter()
        self._thread = threading.Thread(target=self._loop, name="write-stream", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        self.stopped = time.perf_counter()
        runner = self.services.runner
        if runner is not None:
            runner.stop()
            self.services.runner = None
        self.services.make_runner().catch_up()
        stopped = self.services.health.stopped()
        if stopped:
            self.failures += len(stopped)
            self.messages.append(f"read models stopped at an event: {sorted(stopped)}")

    @property
    def achieved(self) -> float:
        seconds = (self.stopped or time.perf_counter()) - self.started
        return self.done / seconds if seconds else 0.0


# --- the load test --------------------------------------------------------------------------------
@dataclass
class Scenario:
    label: str
    key: str  # the scenario's name without worker count: "zh cold", "index", ...
    paths: list[str]
    warmup: list[str]  # paths for the warm-up and the status check (never the measured terms)
    cold: bool = False  # every path a term never requested before: no repeats allowed
    repeat_of: str = ""  # a warm pass: the paths the named cold scenario served, again


@dataclass
class Measured:
    load: LoadResult
    paths: int
    repeats: int  # requests beyond the distinct paths given (a cold run whose terms ran out)
    write_failures: int
    writes: int


def _search_paths(terms: list[str], template: str) -> list[str]:
    return [template.format(quote(t)) for t in terms]


def plan(sample_ids: list[str], zh: TermSupply, en: TermSupply) -> list[Scenario]:
    """The endpoints of one server, in order; cold term scenarios take fresh terms from the supplies."""
    rng = random.Random(11)
    api = "/api/listings?q={}&deal_type="
    warm_zh, warm_en = zh.take_warm(), en.take_warm()
    out = [
        Scenario(STATIC, "static", ["/static/app.css"], ["/static/app.css"]),
        Scenario("GET /listings (index, page 1)", "index", ["/listings"], ["/listings"]),
        Scenario("GET /listings?q=<zh term>, cold", "zh cold", _search_paths(zh.take(), "/listings?q={}"),
                 _search_paths(warm_zh, "/listings?q={}"), cold=True),
        Scenario("GET /listings?q=<zh term>, warm", "zh warm", [], _search_paths(warm_zh, "/listings?q={}"),
                 repeat_of="zh cold"),
        Scenario("GET /listings?q=<en term>, cold", "en cold", _search_paths(en.take(), "/listings?q={}"),
                 _search_paths(warm_en, "/listings?q={}"), cold=True),
        Scenario("GET /listings?q=<en term>, warm", "en warm", [], _search_paths(warm_en, "/listings?q={}"),
                 repeat_of="en cold"),
        Scenario("GET /api/listings?q=<zh>&deal_type=<d>, cold", "api cold",
                 [p + rng.choice(DEAL_TYPES) for p in _search_paths(zh.take(), api)],
                 [p + "assignment" for p in _search_paths(warm_zh, api)], cold=True),
        Scenario("GET /listings/{id}", "detail", [f"/listings/{i}" for i in sample_ids],
                 [f"/listings/{i}" for i in sample_ids[:50]]),
    ]
    return out


def _check(base_url: str, paths: list[str]) -> None:
    """Every scenario answers 200 with content, or the load figures would mislead (warm-up paths only)."""
    for path in paths[:2]:
        with urllib.request.urlopen(base_url + path, timeout=30) as response:
            body = response.read()
            if response.status != 200 or len(body) < 20:
                raise RuntimeError(f"{path}: {response.status}, {len(body)} bytes")


def wait_idle(address: DatabaseAddress, timeout: float = 60.0) -> float:
    """Wait until no query of the app runs: wrk stops, but requests it abandoned still run to the end
    (the write stream's own short transactions are not waited for: it never stops)."""
    started = time.perf_counter()
    with psycopg.connect(address.conninfo(), autocommit=True) as conn:
        while time.perf_counter() - started < timeout:
            row = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                               " AND state = 'active' AND pid <> pg_backend_pid()"
                               " AND now() - query_start > interval '50 milliseconds'").fetchone()
            if row is not None and row[0] == 0:
                break
            time.sleep(0.1)
    return time.perf_counter() - started


def _measure(stream: WriteStream, base_url: str, paths: list[str], *, label: str, seconds: float,
             connections: int = CONNECTIONS, cold: bool = False) -> Measured:
    failures, writes = stream.failures, stream.done
    load = run_load(base_url, paths, label=label, seconds=seconds, connections=connections, offset=-1)
    repeats = max(0, load.requests - len(paths)) if cold else 0
    return Measured(load, len(paths), repeats, stream.failures - failures, stream.done - writes)


def say_measured(m: Measured) -> None:
    say_load(m.load)
    extra = []
    if m.paths > 1:
        extra.append(f"{m.paths:,} distinct paths")
    if m.repeats:
        extra.append(f"TERMS RAN OUT: {m.repeats:,} requests repeated a term")
    extra.append(f"{m.writes} commands ran meanwhile" + (f", {m.write_failures} FAILED" if m.write_failures else ""))
    say("      (" + "; ".join(extra) + ")")


def load_tests(address: DatabaseAddress, scenarios_: list[Scenario], stream: WriteStream, *, workers: int,
               seconds: float, latency_runs: bool) -> tuple[dict[str, Measured], dict[str, Measured], dict[str, Any]]:
    loads: dict[str, Measured] = {}
    single: dict[str, Measured] = {}
    rss: dict[str, Any] = {}
    with serve(address, workers=workers, app="benchmarks.tiny_app:app", ready_path="/") as tiny:
        run_load(tiny.base_url, ["/"], label="warm-up", seconds=1.5, connections=CONNECTIONS)
        loads["tiny"] = _measure(stream, tiny.base_url, ["/"], label=f"{TINY}, {workers} worker(s)", seconds=seconds)
        say_measured(loads["tiny"])
        rss["tiny"] = server_rss(tiny.process)
    with serve(address, workers=workers) as server:
        for scenario in scenarios_:
            _check(server.base_url, scenario.warmup)
        say(f"  uvicorn, {workers} worker(s), {CONNECTIONS} connections, {seconds:.0f} s per endpoint,"
            f" {stream.rate:.0f} commands/s running meanwhile:")
        for scenario in scenarios_:
            paths = scenario.paths
            if scenario.repeat_of:
                cold = loads[scenario.repeat_of]
                paths = scenarios_by_key(scenarios_)[scenario.repeat_of].paths[:max(1, cold.load.requests)]
            run_load(server.base_url, scenario.warmup, label="warm-up", seconds=1.5, connections=CONNECTIONS)
            wait_idle(address)
            loads[scenario.key] = _measure(stream, server.base_url, paths, label=scenario.label, seconds=seconds,
                                           cold=scenario.cold)
            drained = wait_idle(address)
            say_measured(loads[scenario.key])
            if drained > 1:
                say(f"      (queries abandoned by the load client kept the database busy {drained:.1f} s more)")
        rss["app"] = server_rss(server.process)
        say(f"  server RSS after the load: {rss['app']['total_kib'] / 1024:,.0f} MiB"
            f" (tiny app {rss['tiny']['total_kib'] / 1024:,.0f} MiB)")
        if latency_runs:
            say("  one connection (no queueing), the requests whose SQL was timed above (the same term each time):")
            runs = [*((k, [p]) for k, p in SINGLE.items()),
                    ("GET /listings/{id}", scenarios_by_key(scenarios_)["detail"].paths)]
            for label, paths in runs:
                single[label] = _measure(stream, server.base_url, paths, label=label,
                                         seconds=max(2.0, seconds / 2), connections=1)
                say_measured(single[label])
                wait_idle(address)
    return loads, single, rss


def scenarios_by_key(scenarios_: list[Scenario]) -> dict[str, Scenario]:
    return {s.key: s for s in scenarios_}


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
    # Every cold run (zh: the page's and the API's, on each server; en: the page's on each) the same mix of
    # terms for as many requests as a run at the goal's rate serves (TermSupply).
    planned = round(TARGET_SEARCH_RPS * seconds)
    zh = TermSupply(distinct_term_tiers(address, "zh"), runs=4, planned=planned, warm=300)
    en = TermSupply(distinct_term_tiers(address, "en"), runs=2, planned=planned, warm=300)
    tiers = ("single words", "noun pairs", "short title fragments", "long title fragments")
    for lang, supply in (("zh", zh), ("en", en)):
        say(f"  {lang} cold runs: {len(supply.runs[0]):,} distinct terms each; the first {planned:,} of every run: "
            + ", ".join(f"{share:.0%} {name}" for share, name in zip(supply.mix, tiers, strict=True))
            + " (then fragments only)")
    by_workers: dict[int, dict[str, Measured]] = {}
    singles: dict[str, Measured] = {}
    rss: dict[int, dict[str, Any]] = {}
    plans: dict[int, list[Scenario]] = {}
    services = make_services(address, with_scheme=False)
    try:
        cmds = Commands(services.app)
        cmds.serial = 5_000_000  # application numbers clear of the generated catalogue's (index < 5,000,000)
        with WriteStream(services, cmds, WRITE_RATE) as stream:
            for workers in (1, 2):
                plans[workers] = plan(shared["sample_ids"], zh, en)
                loads, single, rss[workers] = load_tests(address, plans[workers], stream, workers=workers,
                                                         seconds=seconds, latency_runs=workers == 1)
                by_workers[workers] = loads
                singles |= single
        mix = {lang: asyncio.run(_match_counts(address, random.Random(3).sample(
            [t for s in plans[1] if s.cold and s.key.startswith(lang) for t in _terms_of(s)[:planned]], 60)))
            for lang in ("zh", "en")}
    finally:
        services.close()
    say(f"  commands during the loads: {stream.done:,} at {stream.achieved:.1f}/s (asked {WRITE_RATE:.0f}/s),"
        f" {stream.failures} failed" + (f": {'; '.join(stream.messages)}" if stream.messages else ""))
    for lang, counts in mix.items():
        say(f"  matches of 60 cold {lang} terms: median {median([float(c) for c in counts]):,.0f},"
            f" p90 {percentile([float(c) for c in counts], 90):,.0f}, none for {sum(1 for c in counts if c == 0)}")
    result.details["load"] = {str(w): {k: vars(v.load) | {"rps": v.load.rps, "paths": v.paths, "repeats": v.repeats,
                                                          "write_failures": v.write_failures, "writes": v.writes}
                                       for k, v in loads.items()} for w, loads in by_workers.items()}
    result.details["single_connection"] = {k: vars(v.load) for k, v in singles.items()}
    result.details["rss_kib"] = rss
    result.details["write_stream"] = {"rate_asked": WRITE_RATE, "rate": stream.achieved, "commands": stream.done,
                                      "failures": stream.failures, "messages": stream.messages}
    result.details["term_matches"] = mix
    result.details["terms"] = {"zh": len(zh.terms), "en": len(en.terms), "planned_per_cold_run": planned,
                               "mix": {"zh": zh.mix, "en": en.mix}, "tiers": list(tiers)}
    _report(result, by_workers, singles, rss, sql, seconds)
    return result


def _terms_of(scenario: Scenario) -> list[str]:
    return [unquote(p.split("q=", 1)[1].split("&", 1)[0]) for p in scenario.paths]


GOAL_OF = {"index": "listings", "zh cold": "search", "zh warm": "search", "en cold": "search", "en warm": "search",
           "static": "static"}


def _report(result: BenchResult, by_workers: dict[int, dict[str, Measured]], singles: dict[str, Measured],
            rss: dict[int, dict[str, Any]], sql: dict[str, Any], seconds: float) -> None:
    for workers, loads in by_workers.items():
        ceiling = loads["tiny"].load
        for key, m in loads.items():
            r = m.load
            errors = r.errors + m.repeats + m.write_failures
            label = TINY if key == "tiny" else r.label
            if r.requests < 20:
                result.note(f"{workers} worker(s), {label}: only {r.requests} requests completed in {seconds:.0f} s;"
                            " latency percentiles over so few are rough (n/a when none)")
            if r.requests == 0:
                r.p50_ms = r.p99_ms = float("nan")
            if errors:
                result.note(f"{workers} worker(s), {label}: {r.errors} failed requests, {m.repeats} repeated terms,"
                            f" {m.write_failures} failed commands meanwhile")
            note = f"p50 {r.p50_ms:.1f} ms, p99 {r.p99_ms:.1f} ms"
            if key == "tiny":
                result.add(f"{workers}w {label} req/s", r.rps, "req/s", note=note, errors=errors)
                continue
            goal = GOAL_OF.get(key, "") if workers == 1 else ""
            if key == "static":
                target, met = f"≥ {TARGET_STATIC * 100:.0f} % of bare", at_least(r.rps / ceiling.rps, TARGET_STATIC)
            elif key == "index":
                target = f"≥ {TARGET_RPS:,.0f} req/s, p99 ≤ {TARGET_P99_MS:.0f} ms"
                met = at_least(r.rps, TARGET_RPS) and at_most(r.p99_ms, TARGET_P99_MS)
            elif key in ("detail",):
                target, met = f"≥ {TARGET_RPS:,.0f} req/s, p99 ≤ {TARGET_P99_MS:.0f} ms", (
                    at_least(r.rps, TARGET_RPS) and at_most(r.p99_ms, TARGET_P99_MS))
            else:
                target = f"≥ {TARGET_SEARCH_RPS:,.0f} req/s, p99 ≤ {TARGET_SEARCH_P99_MS:.0f} ms"
                met = at_least(r.rps, TARGET_SEARCH_RPS) and at_most(r.p99_ms, TARGET_SEARCH_P99_MS)
            result.add(f"{workers}w {label} req/s", r.rps, "req/s", baseline=ceiling.rps,
                       baseline_name="bare-app req/s", target=target, met=met, errors=errors, goal=goal, note=note)
            result.add(f"{workers}w {label} p99", r.p99_ms, "ms")
    for workers, sizes in rss.items():
        app, tiny = sizes["app"]["total_kib"] / 1024, sizes["tiny"]["total_kib"] / 1024
        result.add(f"{workers}w server RSS after the search load", app, "MiB", baseline=tiny,
                   baseline_name="MiB bare app after its load", goal="rss" if workers == 1 else "",
                   note=f"{len([k for k in sizes['app'] if k.startswith('worker')])} serving process(es)")
    for label, key in (("q=电池", "GET /listings?q=电池"), ("index (no filter)", "GET /listings")):
        sql_ms = sql[label]["app_ms"]
        one = singles.get(key)
        result.add(f"SQL per page, {label} (list_and_count)", sql_ms, "ms",
                   baseline=one.load.p50_ms if one else None, baseline_name="ms HTTP p50 at 1 conn",
                   note="ratio = SQL share of the unloaded HTTP latency")
    best = max((1, 2), key=lambda w: median([m.load.rps for k, m in by_workers[w].items()
                                              if k not in ("tiny", "static")]))
    result.note(f"{'two workers' if best == 2 else 'one worker'} served more requests/s on this 2-core machine"
                " (the database, the load client and the write stream share the same cores)")
