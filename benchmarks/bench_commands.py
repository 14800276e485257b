"""Commands per second through ``Marketplace`` as the web runs them, against raw PostgreSQL.

One verified organisation signs up once; then, in interleaved rounds (so that noise on this
shared machine hits both sides alike): N single-row INSERT transactions on a scratch table
(psycopg, autocommit connection as eventsourcing configures it, a row the size of a stored
``Patent.Registered`` event), N ``register_patent`` commands, then ``draft_listing`` and
``publish_listing`` for each new patent. Each command is its own transaction, sequential. Five rounds of 300
commands each (about a quarter of a second a block): with 150 a round's ratio moved by 20 points on this machine.
The process is set up as a serving one (``web.app``): what start-up built is frozen out of the cyclic collector.

A second pass times the steps of ``register_patent`` (load aggregates, the duplicate check,
domain validation, event encoding, INSERT + commit) and cProfile names the hottest functions.
"""

from __future__ import annotations

import cProfile
import gc
import io
import os
import pstats
import random
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import psycopg

from benchmarks import vocabulary
from benchmarks.common import (
    BenchResult,
    Context,
    Timer,
    at_least,
    execute,
    fresh_database,
    make_services,
    median,
    percentile,
    say,
)
from domain.catalogue.patent import Patent
from domain.catalogue.patent_numbers import cn_check_character
from domain.shared.ids import organisation_id
from marketplace.accounts import commands as ac
from marketplace.catalogue import commands as cc
from marketplace.platform.database import DatabaseAddress

TARGET_RATIO = 0.50  # issue 16: one-aggregate commands at >= 50 % of a raw INSERT + COMMIT
ORG_NAME = "福州大学（基准测试）"


class Commands:
    """The acting organisation and a supply of valid, distinct register/draft/publish commands."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.rng = random.Random(7)
        self.serial = 0
        self.admin = app.accounts.bootstrap_platform_admin(
            email="ops@bench.example.cn", password="bench-admin-password", display_name="Ops",
            organisation_name="平台运营（基准测试）")
        self.user, _ = app.accounts.sign_up(ac.SignUp(
            email="tto@fzu.bench.example.cn", password="bench-user-password", display_name="王老师",
            organisation_name=ORG_NAME, organisation_kind="university", region="福州"))
        self.org = organisation_id(ORG_NAME)
        app.accounts.verify_organisation(ac.VerifyOrganisation(organisation_id=self.org), actor_id=self.admin)

    def register(self) -> Any:
        self.serial += 1
        digits = f"20211{self.serial:07d}"  # filed 2021, type digit 1 (invention)
        t = vocabulary.title(self.rng)
        zh, en = vocabulary.abstract(self.rng, t)
        return cc.RegisterPatent(
            jurisdiction="CN", application_number=f"{digits}.{cn_check_character(digits)}",
            publication_number=f"CN{113_000_000 + self.serial}A", patent_type="invention",
            title_zh=t.zh, title_en=t.en, abstract_zh=zh, abstract_en=en,
            ipc_codes=vocabulary.ipc_codes(self.rng, t.field), filing_date=date(2021, 3, 1 + self.serial % 28),
            publication_date=date(2021, 9, 1 + self.serial % 28), legal_status="pending",
            owners=[cc.OwnerShare(self.org, 100)],
            inventors=[cc.InventorShare(vocabulary.person(self.rng), 60),
                       cc.InventorShare(vocabulary.person(self.rng), 40)],
        )

    def draft(self, patent_id: uuid.UUID) -> Any:
        return cc.DraftListing(
            patent_id=patent_id, deal_types=["assignment", "exclusive_licence"], price_mode="fixed",
            asking_price=self.rng.randrange(5, 500) * 1_000_000, maturity="pilot", trl=6,
            advantages="成本降低约三成", applications="新能源汽车、储能", keywords=["电池", "隔膜"],
        )


# --- raw PostgreSQL ---------------------------------------------------------------------------
@contextmanager
def raw_connection(address: DatabaseAddress) -> Iterator[psycopg.Connection[Any]]:
    """A connection set up as eventsourcing sets up its pool's connections."""
    with psycopg.connect(address.conninfo(), autocommit=True) as conn:
        conn.execute("SET idle_in_transaction_session_timeout = '5000ms'")
        conn.execute("CREATE TABLE IF NOT EXISTS bench_scratch (id bigserial PRIMARY KEY, originator_id uuid NOT NULL,"
                     " originator_version bigint NOT NULL, topic text, state bytea)")
        yield conn


def raw_inserts(conn: psycopg.Connection[Any], n: int, state: bytes) -> list[float]:
    latencies = []
    for _ in range(n):
        started = time.perf_counter()
        with conn.transaction():
            conn.execute("INSERT INTO bench_scratch (originator_id, originator_version, topic, state)"
                         " VALUES (%s, 1, 'domain.patent:Patent.Registered', %s)", (uuid.uuid4(), state))
        latencies.append(time.perf_counter() - started)
    return latencies


def raw_inserts_like_eventsourcing(conn: psycopg.Connection[Any], n: int, state: bytes) -> list[float]:
    """The same row, with the statements eventsourcing adds around it: lock the table, NOTIFY."""
    latencies = []
    for _ in range(n):
        started = time.perf_counter()
        with conn.transaction():
            conn.execute("SET LOCAL lock_timeout = '5s'")
            conn.execute("LOCK TABLE bench_scratch IN EXCLUSIVE MODE")
            conn.execute("NOTIFY bench_scratch")
            conn.execute("INSERT INTO bench_scratch (originator_id, originator_version, topic, state)"
                         " VALUES (%s, 1, 'domain.patent:Patent.Registered', %s) RETURNING id", (uuid.uuid4(), state))
        latencies.append(time.perf_counter() - started)
    return latencies


def command_block(call: Callable[..., Any], commands: list[Any], actor: uuid.UUID, latencies: list[float],
                  rates: list[float]) -> list[Any]:
    """Run ``commands`` one after the other; return the ids they created (if any)."""
    created = []
    block_start = time.perf_counter()
    for cmd in commands:
        started = time.perf_counter()
        value = call(cmd, actor_id=actor)
        latencies.append(time.perf_counter() - started)
        if isinstance(value, tuple):
            created.append(value[0])
    rates.append(len(commands) / (time.perf_counter() - block_start))
    return created


# --- the breakdown ----------------------------------------------------------------------------
@contextmanager
def instrumented(app: Any, timer: Timer) -> Iterator[None]:
    """Time the steps of a command by wrapping the functions it goes through."""
    restore: list[Callable[[], None]] = []

    def wrap(owner: Any, name: str, step: str) -> None:
        if isinstance(owner, type):  # a classmethod
            attribute = owner.__dict__[name]
            bound = getattr(owner, name)

            def class_wrapper(_cls: Any, *args: Any, **kwargs: Any) -> Any:
                with timer.step(step):
                    return bound(*args, **kwargs)

            setattr(owner, name, classmethod(class_wrapper))
            restore.append(lambda: setattr(owner, name, attribute))
            return
        own = name in vars(owner)
        original = getattr(owner, name)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with timer.step(step):
                return original(*args, **kwargs)

        setattr(owner, name, wrapper)
        restore.append(lambda: setattr(owner, name, original) if own else delattr(owner, name))

    wrap(app.repository, "get", "load aggregates (SELECT events + replay)")
    wrap(app.repository, "get_along", "load aggregates (SELECT events + replay)")
    wrap(app.repository, "freshen", "read actor + aggregates together (one SELECT) and fast-forward")
    wrap(app.repository, "copy_fresh", "copy cached aggregates")
    wrap(app, "exists", "duplicate check (SELECT by id)")
    wrap(Patent, "register", "domain: validate + build events")
    wrap(app.mapper, "to_stored_event", "encode events (JSON)")
    wrap(app.recorder, "insert_events", "INSERT + commit (one transaction)")
    try:
        yield
    finally:
        for undo in reversed(restore):
            undo()


def breakdown(cmds: Commands, n: int) -> tuple[dict[str, float], float]:
    """Mean milliseconds per register_patent in each step, and the mean total."""
    timer = Timer()
    totals = 0.0
    with instrumented(cmds.app, timer):
        for _ in range(n):
            cmd = cmds.register()
            started = time.perf_counter()
            cmds.app.catalogue.register_patent(cmd, actor_id=cmds.user)
            totals += time.perf_counter() - started
    steps = {name: seconds / n * 1000 for name, seconds in timer.totals.items()}
    steps["other (command code, save bookkeeping)"] = totals / n * 1000 - sum(steps.values())
    return steps, totals / n * 1000


def profile(cmds: Commands, n: int) -> str:
    profiler = cProfile.Profile()
    commands = [cmds.register() for _ in range(n)]
    profiler.enable()
    for cmd in commands:
        cmds.app.catalogue.register_patent(cmd, actor_id=cmds.user)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(12)
    text = out.getvalue()
    prefixes = {p.rsplit("/site-packages/", 1)[0] + "/site-packages/" for p in text.split() if "/site-packages/" in p}
    for prefix in prefixes:
        text = text.replace(prefix, "")
    out = io.StringIO(text)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    start = next((i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls")), 0)
    return "\n".join(lines[start:])


def run(ctx: Context) -> BenchResult:
    result = BenchResult("commands")
    rounds, n = (2, 40) if ctx.quick else (5, 300)
    with fresh_database(ctx.server, "commands") as address:
        services = make_services(address)
        try:
            app = services.app
            cmds = Commands(app)
            # Warm up both paths (connections, prepared statements, imports).
            warm = [app.catalogue.register_patent(cmds.register(), actor_id=cmds.user)[0] for _ in range(10)]
            for pid in warm:
                lid, _ = app.catalogue.draft_listing(cmds.draft(pid), actor_id=cmds.user)
                app.catalogue.publish_listing(cc.PublishListing(listing_id=lid), actor_id=cmds.user)
            state_size = int(execute(address, "SELECT avg(octet_length(state)) FROM marketplace_events"
                                              " WHERE topic = 'domain.patent:Patent.Registered'")[0][0])
            state = os.urandom(state_size)
            gc.collect()  # as a serving process does after start-up (web.app's lifespan)
            gc.freeze()
            lat: dict[str, list[float]] = {"raw": [], "register": [], "draft": [], "publish": []}
            rates: dict[str, list[float]] = {k: [] for k in lat}
            with raw_connection(address) as conn:
                raw_inserts(conn, 20, state)
                for _ in range(rounds):
                    started = time.perf_counter()
                    lat["raw"] += raw_inserts(conn, n, state)
                    rates["raw"].append(n / (time.perf_counter() - started))
                    patents = command_block(
                        app.catalogue.register_patent, [cmds.register() for _ in range(n)], cmds.user,
                        lat["register"], rates["register"])
                    listings = command_block(app.catalogue.draft_listing, [cmds.draft(p) for p in patents], cmds.user,
                                             lat["draft"], rates["draft"])
                    command_block(
                        app.catalogue.publish_listing, [cc.PublishListing(listing_id=x) for x in listings], cmds.user,
                        lat["publish"], rates["publish"])
                like_es = raw_inserts_like_eventsourcing(conn, 60 if ctx.quick else 200, state)
            steps, mean_ms = breakdown(cmds, 60 if ctx.quick else 150)
            hot = profile(cmds, 50)
        finally:
            gc.unfreeze()
            services.close()

    raw_rate = median(rates["raw"])
    say(f"  raw single-row INSERT transaction ({state_size} B row): {raw_rate:,.0f}/s,"
        f" p50 {median(lat['raw']) * 1000:.2f} ms, p99 {percentile(lat['raw'], 99) * 1000:.2f} ms")
    say(f"  raw transaction with eventsourcing's extra statements (SET LOCAL, LOCK TABLE, NOTIFY, INSERT"
        f" RETURNING; no pipeline): p50 {median(like_es) * 1000:.2f} ms")
    result.details["raw_like_eventsourcing_p50_ms"] = median(like_es) * 1000
    labels = {"register": "register_patent", "draft": "draft_listing", "publish": "publish_listing"}
    for kind, label in labels.items():
        rate = median(rates[kind])
        ratios = [r / b for r, b in zip(rates[kind], rates["raw"], strict=True)]
        say(f"  {label}: {rate:,.0f}/s, p50 {median(lat[kind]) * 1000:.2f} ms,"
            f" p99 {percentile(lat[kind], 99) * 1000:.2f} ms; {rate / raw_rate:.0%} of raw (median rate over median"
            " raw rate); per round, for the spread: " + ", ".join(f"{r:.0%}" for r in ratios))
        result.add(f"{label} commands/s", rate, "cmd/s", baseline=raw_rate, baseline_name="raw tx/s",
                   target=f"≥ {TARGET_RATIO * 100:.0f} % of raw", met=at_least(rate / raw_rate, TARGET_RATIO),
                   goal="commands", note=f"p99 {percentile(lat[kind], 99) * 1000:.1f} ms")
        result.details[f"{kind}_round_ratios"] = ratios
        result.details[f"{kind}_p50_ms"] = median(lat[kind]) * 1000
        result.details[f"{kind}_p99_ms"] = percentile(lat[kind], 99) * 1000
    result.add("raw single-row INSERT transaction", raw_rate, "tx/s", note=f"p50 {median(lat['raw']) * 1000:.2f} ms")
    result.details.update(raw_p50_ms=median(lat["raw"]) * 1000, raw_p99_ms=percentile(lat["raw"], 99) * 1000,
                          rounds=rounds, per_round=n, state_bytes=state_size, rates=rates,
                          register_breakdown_ms=steps, register_mean_ms=mean_ms, profile=hot)

    say(f"  register_patent, mean {mean_ms:.2f} ms, by step (instrumented pass):")
    for name, ms in sorted(steps.items(), key=lambda kv: -kv[1]):
        say(f"    {ms:6.2f} ms  {ms / mean_ms:4.0%}  {name}")
    say("  cProfile of 50 register_patent commands, by own time:")
    for line in hot.splitlines()[:14]:
        say("    " + line[:150])
    top = max(steps.items(), key=lambda kv: kv[1])
    result.note(f"register_patent: {mean_ms:.2f} ms mean; largest step: {top[0]} {top[1]:.2f} ms"
                f" ({top[1] / mean_ms:.0%}); raw INSERT+commit p50 {median(lat['raw']) * 1000:.2f} ms")
    return result
