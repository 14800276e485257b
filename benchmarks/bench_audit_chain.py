"""The audit hash chain: how fast it verifies and exports, and what it costs a command.

On a fresh database, 50,000 generated listings (``benchmarks.catalogue.generate``: real
aggregates saved through ``app.save`` in batches of at most 100 aggregates, about 200,000 events;
5,000 with ``--quick``) are chained by the ``audit_chain`` follower, then:

1. ``verify_store`` over the whole log, median of 3 runs, against two same-run baselines: the
   same server-side query streamed without hashing (what reading costs) and ``hashlib.sha256``
   over the same bytes (the link preimages of a sample of events) in a tight loop (the ceiling);
2. ``export`` to JSON Lines and ``verify_export`` of that file (no database);
3. on a second, small database, the cost to a command: sequential publish/revise commands timed
   in interleaved rounds with, in this process, no follower; the chain follower alone (a
   ``BatchProjectionRunner`` thread tailing the log); the registered read models (as ``marketplace
   serve`` runs them); and those plus the chain view. Then the chain follower's lag, from a
   command's return to its event being chained, and ``verify_store`` of that database.

Run alone: ``python -m benchmarks.bench_audit_chain [--quick] [--database-url URL]``.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg

from benchmarks.bench_commands import Commands
from benchmarks.catalogue import generate
from benchmarks.common import (
    BenchResult,
    Context,
    at_least,
    fresh_database,
    large_pipelined_statement_completes,
    make_services,
    median,
    percentile,
    say,
    start_server,
    summary_table,
)
from domain.audit.chain import GENESIS, link_hash_encoded
from marketplace.audit.chain import export, state_timestamp, verify_export, verify_store
from marketplace.catalogue import commands as cc
from marketplace.platform.database import DatabaseAddress
from projections.audit.chain import PostgresAuditChainView
from projections.runner import BatchProjectionRunner

TARGET_VERIFY_RATE = 200_000.0
SAVE_BATCH = 100  # aggregates per app.save: about 200 kB of events (larger pipelined saves hang, see README)
HASH_SAMPLE = 50_000


def chain_view(services: Any) -> PostgresAuditChainView:
    view = services.views.get("audit_chain")
    if isinstance(view, PostgresAuditChainView):
        return view
    view = PostgresAuditChainView(services.recorder.datastore)
    view.create_table()
    return view


def chain_runner(services: Any, view: PostgresAuditChainView) -> BatchProjectionRunner:
    return BatchProjectionRunner(application_name=services.app.name, recorder=services.recorder, views=[view])


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - started


# --- baselines ------------------------------------------------------------------------------------
def read_only(address: DatabaseAddress) -> tuple[int, float]:
    """The verifier's query, streamed the same way (chunked rows), without hashing."""
    count = 0
    started = time.perf_counter()
    with psycopg.connect(address.conninfo()) as conn, conn.cursor(binary=True) as cur:
        query = ("SELECT e.notification_id, uuid_send(e.originator_id), e.originator_version, e.topic, e.state,"
                 " c.hash FROM marketplace_events e LEFT JOIN audit_chain c ON c.position = e.notification_id"
                 " ORDER BY e.notification_id")
        for _ in cur.stream(query, size=10_000):
            count += 1
    return count, time.perf_counter() - started


def hash_ceiling(address: DatabaseAddress, sample: int) -> tuple[int, float, int]:
    """hashlib.sha256 alone over the link preimages of the first ``sample`` events: (events, seconds, bytes)."""
    with psycopg.connect(address.conninfo()) as conn:
        rows = conn.execute("SELECT notification_id, uuid_send(originator_id), originator_version, topic, state"
                            " FROM marketplace_events ORDER BY notification_id LIMIT %s", (sample,)).fetchall()
    preimages = []
    for position, oid, version, topic, state in rows:
        t, s = topic.encode(), state_timestamp(state).encode()
        preimages.append(GENESIS + position.to_bytes(8) + oid + version.to_bytes(8) + len(t).to_bytes(8) + t
                         + len(s).to_bytes(8) + s + len(state).to_bytes(8) + state)
    first = rows[0]
    assert hashlib.sha256(preimages[0]).digest() == link_hash_encoded(
        GENESIS, first[0], first[1], first[2], first[3].encode(), state_timestamp(first[4]).encode(), first[4])
    sha256 = hashlib.sha256
    started = time.perf_counter()
    for preimage in preimages:
        sha256(preimage).digest()
    return len(preimages), time.perf_counter() - started, sum(map(len, preimages))


# --- the cost to commands -------------------------------------------------------------------------
class CommandLoad:
    """Alternating publish (of a prepared draft) and revise (of a published listing) commands."""

    def __init__(self, app: Any, drafts: int) -> None:
        self.app = app
        self.cmds = Commands(app)
        self.cmds.serial = 9_000_000  # application numbers clear of the generated catalogue's
        self.published: list[UUID] = []
        self.drafts: list[UUID] = []
        for _ in range(drafts + 5):
            patent, _ = app.catalogue.register_patent(self.cmds.register(), actor_id=self.cmds.user)
            listing, _ = app.catalogue.draft_listing(self.cmds.draft(patent), actor_id=self.cmds.user)
            self.drafts.append(listing)
        for _ in range(5):
            self.publish()
        self.serial = 0

    def publish(self) -> int:
        listing = self.drafts.pop()
        position: int = self.app.catalogue.publish_listing(
            cc.PublishListing(listing_id=listing), actor_id=self.cmds.user)
        self.published.append(listing)
        return position

    def revise(self) -> int:
        self.serial += 1
        listing = self.published[self.serial % len(self.published)]
        cmd = cc.ReviseListing(listing_id=listing, deal_types=["assignment"], price_mode="fixed",
                               asking_price=100_000_000 + self.serial * 10_000, maturity="pilot",
                               advantages=f"成本降低约三成（第 {self.serial} 次修订）", keywords=["电池"])
        position: int = self.app.catalogue.revise_listing(cmd, actor_id=self.cmds.user)
        return position

    def block(self, n: int, latencies: list[float]) -> float:
        """``n`` commands, half publish and half revise; the block's commands per second."""
        started = time.perf_counter()
        for i in range(n):
            began = time.perf_counter()
            if i % 2 == 0:
                self.publish()
            else:
                self.revise()
            latencies.append(time.perf_counter() - began)
        return n / (time.perf_counter() - started)


def follower_lag(services: Any, view: PostgresAuditChainView, load: CommandLoad, n: int) -> list[float]:
    """Seconds from a command's return until the running follower has chained its event (polled every 0.5 ms)."""
    lags = []
    for i in range(n):
        position = load.publish() if i % 2 == 0 else load.revise()
        returned = time.perf_counter()
        while view.position(services.app.name) < position:
            time.sleep(0.0005)
        lags.append(time.perf_counter() - returned)
    return lags


#: What runs in this process while the commands are timed: no follower; the chain follower alone;
#: the registered read models (as ``marketplace serve`` runs them); the same plus the chain view.
MODES = ("none", "chain", "views", "views+chain")


@contextmanager
def followers(services: Any, views: list[Any]) -> Iterator[None]:
    """A projection runner thread tailing the log with ``views`` (nothing if none), caught up first."""
    if not views:
        yield
        return
    runner = BatchProjectionRunner(application_name=services.app.name, recorder=services.recorder, views=views)
    runner.catch_up()  # the backlog left by the blocks without these views, untimed
    runner.start()
    try:
        yield
    finally:
        runner.stop()
    if runner.error is not None:
        raise RuntimeError("a follower failed") from runner.error


def command_cost(ctx: Context) -> dict[str, Any]:
    """Publish/revise commands per second in each mode, in interleaved rounds; and the chain follower's lag."""
    rounds, n = (2, 40) if ctx.quick else (4, 120)
    lag_n = 30 if ctx.quick else 100
    with fresh_database(ctx.server, "audit_cmd") as address:
        services = make_services(address)
        try:
            chain = chain_view(services)
            others = [v for name, v in services.views.items() if name != "audit_chain"]
            setups = {"none": [], "chain": [chain], "views": others, "views+chain": [*others, chain]}
            load = CommandLoad(services.app, drafts=rounds * n * len(MODES) + lag_n)
            rates: dict[str, list[float]] = {m: [] for m in MODES}
            latencies: dict[str, list[float]] = {m: [] for m in MODES}
            for r in range(rounds):
                for mode in (MODES if r % 2 == 0 else MODES[::-1]):
                    with followers(services, setups[mode]):
                        rates[mode].append(load.block(n, latencies[mode]))
            with followers(services, [chain]):
                lags = follower_lag(services, chain, load, lag_n)
            names = [type(v).__name__ for v in others]
            chain_runner(services, chain).catch_up()
            final = verify_store(address.conninfo())
        finally:
            services.close()
    return {"rates": rates, "latencies": latencies, "lags": lags, "per_block": n, "rounds": rounds, "views": names,
            "verified": final,
            "chain_ratios": [w / o for w, o in zip(rates["chain"], rates["none"], strict=True)],
            "views_ratios": [w / o for w, o in zip(rates["views+chain"], rates["views"], strict=True)]}


# --- the run --------------------------------------------------------------------------------------
def run(ctx: Context) -> BenchResult:
    result = BenchResult("audit_chain")
    listings = 5_000 if ctx.quick else 50_000
    batch = min(SAVE_BATCH, ctx.save_batch)
    with fresh_database(ctx.server, "audit") as address:
        services = make_services(address, with_scheme=False)
        try:
            generated, seconds = timed(lambda: generate(services.app, listings, batch=batch))
            say(f"  generated {generated.events:,} events ({listings:,} listings, {batch} aggregates per save)"
                f" in {seconds:.1f} s")
            view = chain_view(services)
            chained, chain_seconds = timed(lambda: chain_runner(services, view).catch_up())
            say(f"  chained by the follower (batch runner, pages of 1,000): {chained:,} events in {chain_seconds:.1f} s"
                f" = {chained / chain_seconds:,.0f} events/s")
            execute_vacuum(address)
            stats = measure_chain(ctx, address, result)
        finally:
            services.close()
    cost = command_cost(ctx)
    report_cost(result, cost)
    result.add("chain follower catch-up", chained / chain_seconds, "events/s", note=f"{chained:,} events")
    result.details.update(stats, events=generated.events, listings=listings, save_batch=batch,
                          generate_seconds=seconds, chain_seconds=chain_seconds,
                          command_rates=cost["rates"], chain_ratios=cost["chain_ratios"],
                          views_ratios=cost["views_ratios"])
    return result


def execute_vacuum(address: DatabaseAddress) -> None:
    with psycopg.connect(address.conninfo(), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE marketplace_events, audit_chain, audit_daily_roots")


def measure_chain(ctx: Context, address: DatabaseAddress, result: BenchResult) -> dict[str, Any]:
    conninfo = address.conninfo()
    rates, checked = [], 0
    cpu_rates = []
    for _ in range(3):
        cpu = time.process_time()
        outcome, seconds = timed(lambda: verify_store(conninfo))
        cpu = time.process_time() - cpu
        if not outcome.ok:
            raise RuntimeError(f"the untouched store does not verify: {outcome.reason}")
        checked = outcome.checked
        rates.append(checked / seconds)
        cpu_rates.append(checked / cpu)
    read_count, read_seconds = read_only(address)
    hashed, hash_seconds, hashed_bytes = hash_ceiling(address, HASH_SAMPLE)
    verify_rate, read_rate, hash_rate = median(rates), read_count / read_seconds, hashed / hash_seconds
    say(f"  verify_store: {checked:,} events, runs " + ", ".join(f"{r:,.0f}" for r in rates) + " events/s;"
        " per second of this process's CPU: " + ", ".join(f"{r:,.0f}" for r in cpu_rates))
    say(f"  baselines: the same query streamed without hashing {read_rate:,.0f} events/s;"
        f" hashlib.sha256 alone over {hashed:,} link preimages ({hashed_bytes / hashed:,.0f} B each)"
        f" {hash_rate:,.0f} events/s = {hashed_bytes / hash_seconds / 1e6:,.0f} MB/s")
    result.add("verify_store (from PostgreSQL)", verify_rate, "events/s", baseline=read_rate,
               baseline_name="read-only events/s", target=f"≥ {TARGET_VERIFY_RATE:,.0f}/s",
               met=at_least(verify_rate, TARGET_VERIFY_RATE), note=f"{checked:,} events, median of 3")
    result.add("verify_store per CPU-second of the verifier", median(cpu_rates), "events/s",
               note="wall rate if the verifier had a core to itself")
    result.add("sha256 alone over the same bytes (ceiling)", hash_rate, "events/s")

    with tempfile.TemporaryDirectory(prefix="mkt-bench-audit-") as folder:
        path = Path(folder) / "chain.jsonl"
        exported, export_seconds = timed(lambda: export(conninfo, path))
        size = path.stat().st_size
        from_file, file_seconds = timed(lambda: verify_export(path))
    if not from_file.ok:
        raise RuntimeError(f"the export does not verify: {from_file.reason}")
    export_rate, file_rate = exported / export_seconds, from_file.checked / file_seconds
    say(f"  export: {exported:,} events, {size / 1e6:,.0f} MB in {export_seconds:.1f} s = {export_rate:,.0f} events/s"
        f" ({size / export_seconds / 1e6:,.0f} MB/s); verify_export: {file_rate:,.0f} events/s")
    result.add("export (JSON Lines)", export_rate, "events/s", note=f"{size / 1e6:,.0f} MB")
    result.add("verify_export (file alone)", file_rate, "events/s", baseline=verify_rate,
               baseline_name="verify_store events/s")
    return {"verify_rates": rates, "verify_cpu_rates": cpu_rates, "read_only_rate": read_rate, "hash_rate": hash_rate,
            "hash_sample_bytes": hashed_bytes, "export_rate": export_rate, "export_bytes": size,
            "verify_export_rate": file_rate}


def report_cost(result: BenchResult, cost: dict[str, Any]) -> None:
    lat, rates, lags = cost["latencies"], cost["rates"], cost["lags"]
    say(f"  commands (publish/revise alternately, sequential; {cost['rounds']} interleaved rounds of"
        f" {cost['per_block']} per mode); read models in 'views': {', '.join(cost['views'])}")
    for mode in MODES:
        say(f"    {mode:<12} {median(rates[mode]):6,.0f} cmd/s, p50 {median(lat[mode]) * 1000:.2f} ms,"
            f" p99 {percentile(lat[mode], 99) * 1000:.2f} ms")
    # The note states the rows' own ratios (median rate over median baseline rate); per round is the spread.
    chain_ratio = median(rates["chain"]) / median(rates["none"])
    views_ratio = median(rates["views+chain"]) / median(rates["views"])
    say("    per round, chain / none: " + ", ".join(f"{r:.2f}" for r in cost["chain_ratios"])
        + "; views+chain / views: " + ", ".join(f"{r:.2f}" for r in cost["views_ratios"]))
    say(f"  chain follower lag, command return → chained: p50 {median(lags) * 1000:.1f} ms,"
        f" p99 {percentile(lags, 99) * 1000:.1f} ms over {len(lags)} commands")
    result.add("commands/s, chain follower running in-process", median(rates["chain"]), "cmd/s",
               baseline=median(rates["none"]), baseline_name="no follower cmd/s",
               note="1.0 = the chain costs a command nothing")
    result.add("commands/s, read models + chain in-process", median(rates["views+chain"]), "cmd/s",
               baseline=median(rates["views"]), baseline_name="read models alone cmd/s",
               note="as marketplace serve runs them")
    final = cost["verified"]
    result.add("verify OK after the command rounds", 1.0 if final.ok else 0.0, "bool", target="1", met=final.ok,
               note=f"{final.checked:,} events chained while followers started and stopped")
    result.add("chain follower lag p50", median(lags) * 1000, "ms")
    result.add("chain follower lag p99", percentile(lags, 99) * 1000, "ms")
    result.note(f"commands with/without the chain follower: {chain_ratio:.2f}x the rate alone,"
                f" {views_ratio:.2f}x next to the other read models; lag p50 {median(lags) * 1000:.1f} ms")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_audit_chain", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="5,000 listings instead of 50,000")
    parser.add_argument("--database-url", help="PostgreSQL server (default: as run_all, else embedded)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    server = start_server(args.database_url)
    try:
        large_ok = large_pipelined_statement_completes(server.address)
        ctx = Context(server=server, quick=args.quick, large_saves_ok=large_ok)
        say("=== audit_chain ===")
        started = time.perf_counter()
        result = run(ctx)
        result.seconds = time.perf_counter() - started
    finally:
        server.close()
    say(summary_table([result]))
    for note in result.notes:
        say(f"- {result.name}: {note}")
    return 0 if not result.error else 1


if __name__ == "__main__":
    sys.exit(main())
