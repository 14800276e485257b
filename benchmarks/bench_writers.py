"""Concurrent writers: commands/s of 8 writers at once against one writer, in the same run.

Eight writer processes (as eight web workers or command handlers would be: separate processes,
each with its own ``Marketplace`` and connection pool, so the figures are not bounded by one
interpreter's lock) each act for their own verified organisation: ``register_patent``,
``draft_listing``, ``publish_listing``, again and again, each command its own transaction. In
interleaved rounds (noise on this shared machine hits both sides alike) one writer runs alone for
a fixed time, then all eight at once for the same time. Commands/s = commands completed by all
the writers of a round / the round's wall time. A command that fails (any exception, a conflict
included) is counted and marks the goal missed.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import threading
import time
import traceback
from collections import Counter
from typing import Any

import psycopg

from benchmarks.bench_commands import Commands
from benchmarks.common import (
    BenchResult,
    Context,
    at_least,
    database_url,
    fresh_database,
    make_services,
    median,
    percentile,
    say,
)
from domain.shared.ids import organisation_id
from marketplace.accounts import commands as ac
from marketplace.catalogue import commands as cc
from marketplace.platform.database import DatabaseAddress

WRITERS = 8
TARGET_SPEED_UP = 2.0  # issue 16: 8 concurrent writers at >= 2x one writer's commands/s


def _org_name(index: int) -> str:
    return f"并发写入基准大学{index}"


class WriterCommands(Commands):
    """The commands benchmark's supply of valid commands, for an organisation set up by the parent."""

    def __init__(self, app: Any, user: Any, org: Any, index: int) -> None:  # no sign-up: done by the parent
        self.app = app
        self.rng = random.Random(100 + index)
        self.serial = (index + 1) * 1_000_000  # distinct application numbers per writer
        self.user = user
        self.org = org

    def triple(self) -> int:
        patent, _ = self.app.catalogue.register_patent(self.register(), actor_id=self.user)
        listing, _ = self.app.catalogue.draft_listing(self.draft(patent), actor_id=self.user)
        self.app.catalogue.publish_listing(cc.PublishListing(listing_id=listing), actor_id=self.user)
        return 3


def _writer(url: str, index: int, user: str, inbox: Any, outbox: Any) -> None:
    """One writer process: warm up, then on each ("run", start_at, seconds) write until the time is up."""
    from uuid import UUID

    try:
        # All at once, as web workers start: ``build_services`` takes turns on the schema (``schema_lock``).
        services = make_services(DatabaseAddress.from_url(url), with_scheme=False)
    except Exception:
        outbox.put(("failed", index, traceback.format_exc()))
        return
    try:
        cmds = WriterCommands(services.app, UUID(user), organisation_id(_org_name(index)), index)
        for _ in range(3):
            cmds.triple()
        outbox.put(("ready", index, ""))
        while True:
            message = inbox.get()
            if message[0] != "run":
                break
            _, start_at, seconds = message
            time.sleep(max(0.0, start_at - time.time()))
            done, failures = 0, 0
            latencies: list[float] = []
            errors: list[str] = []
            cpu = os.times()
            began = time.perf_counter()
            while time.perf_counter() - began < seconds:
                started = time.perf_counter()
                try:
                    done += cmds.triple()
                except Exception as exc:  # counted, and the goal is missed
                    failures += 1
                    if len(errors) < 3:
                        errors.append(f"{type(exc).__name__}: {exc}"[:200])
                latencies.append((time.perf_counter() - started) / 3)
            used = os.times()
            outbox.put(("done", index, {"commands": done, "failures": failures, "seconds": time.perf_counter() - began,
                                        "cpu": used.user + used.system - cpu.user - cpu.system,
                                        "ended_at": time.time(), "latencies": latencies, "errors": errors}))
    finally:
        services.close()


def _machine_cpu() -> tuple[int, int]:
    """Jiffies of all CPUs since boot: (total, idle); (0, 0) where /proc/stat is not there."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            values = [int(v) for v in stat.readline().split()[1:]]
    except OSError:
        return 0, 0
    return sum(values), values[3] + values[4]


def _backend_cpu(monitor: psycopg.Connection[Any]) -> float:
    """CPU seconds used so far by the database's backends (read from /proc: a server on this machine), else 0."""
    pids = [r[0] for r in monitor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                                          " AND pid <> pg_backend_pid()").fetchall()]
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


class _Waits(threading.Thread):
    """Samples, every 5 ms while a round runs, what the database's busy backends (the writers' statements) are
    doing: waiting for the events table's lock (``Lock:relation``), for the WAL flush (``IO:WalSync``), for
    another lock, or running (``CPU``); ``shares()`` gives each one's share of the samples."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url, self.counts, self.done = url, Counter[str](), threading.Event()

    def run(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self.done.wait(0.005):
                for (waiting,) in conn.execute(
                        "SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU') FROM pg_stat_activity"
                        " WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()"
                        " AND backend_type = 'client backend'").fetchall():
                    self.counts[waiting] += 1

    def shares(self) -> dict[str, float]:
        self.done.set()
        self.join()
        total = sum(self.counts.values())
        return {k: v / total for k, v in self.counts.most_common()} if total else {}


def _round(inboxes: list[Any], outbox: Any, writers: int, seconds: float,
           monitor: psycopg.Connection[Any], url: str) -> dict[str, Any]:
    backends_before, (total_before, idle_before) = _backend_cpu(monitor), _machine_cpu()
    start_at = time.time() + 0.3
    for inbox in inboxes[:writers]:
        inbox.put(("run", start_at, seconds))
    waits = _Waits(url)  # in the one-writer rounds too: both sides of the ratio bear the sampler's load
    waits.start()
    reports = []
    try:
        for _ in range(writers):
            kind, index, report = outbox.get(timeout=seconds + 120)
            if kind != "done":
                raise RuntimeError(f"writer {index}: {report}")
            reports.append(report)
    finally:
        waiting = waits.shares()  # the sampler stopped and its connection closed, whatever happened
    wall = max(r["ended_at"] for r in reports) - start_at
    total, idle = _machine_cpu()
    commands = sum(r["commands"] for r in reports)
    # Where the CPU went: the writers' own time, their backends' time (both in cores over the round), and how busy
    # the whole machine was (other programs included): on a saturated shared machine the writers get only a
    # share of the cores, whatever the product does.
    writers_cpu = sum(r["cpu"] for r in reports)
    backends_cpu = max(0.0, _backend_cpu(monitor) - backends_before)
    return {"writers": writers, "commands": commands, "wall": wall, "rate": commands / wall,
            "failures": sum(r["failures"] for r in reports), "errors": [e for r in reports for e in r["errors"]],
            "latencies": [x for r in reports for x in r["latencies"]],
            "writer_cores": writers_cpu / wall, "backend_cores": backends_cpu / wall,
            "cpu_ms_per_command": (writers_cpu + backends_cpu) / max(1, commands) * 1000,
            "machine_busy": 1 - (idle - idle_before) / (total - total_before) if total > total_before else None,
            "waits": waiting}


def _shares(waits: dict[str, float]) -> str:
    return ", ".join(f"{share:.0%} {what}" for what, share in list(waits.items())[:4]) or "no samples"


def _setup(address: DatabaseAddress) -> list[str]:
    """The platform admin and one verified organisation with a member per writer; the members' ids."""
    services = make_services(address, with_scheme=False)
    try:
        app = services.app
        admin = app.accounts.bootstrap_platform_admin(
            email="ops@writers.bench.example.cn", password="bench-admin-password", display_name="Ops",
            organisation_name="平台运营（并发基准）")
        users = []
        for index in range(WRITERS):
            user, _ = app.accounts.sign_up(ac.SignUp(
                email=f"tto{index}@writers.bench.example.cn", password="bench-user-password",
                display_name=f"写入者{index}", organisation_name=_org_name(index), organisation_kind="university",
                region="福州"))
            app.accounts.verify_organisation(ac.VerifyOrganisation(organisation_id=organisation_id(_org_name(index))),
                                             actor_id=admin)
            users.append(str(user))
        return users
    finally:
        services.close()


def run(ctx: Context) -> BenchResult:
    result = BenchResult("writers")
    rounds, seconds = (2, 3.0) if ctx.quick else (3, 8.0)
    spawn = multiprocessing.get_context("spawn")  # fresh interpreters: no connection or lock shared by fork
    with fresh_database(ctx.server, "writers") as address:
        users = _setup(address)
        monitor = psycopg.connect(address.conninfo(), autocommit=True)  # opened before the writers take connections
        url = database_url(address)
        outbox = spawn.Queue()
        inboxes = [spawn.Queue() for _ in range(WRITERS)]
        processes = [spawn.Process(target=_writer, args=(url, i, users[i], inboxes[i], outbox), daemon=True)
                     for i in range(WRITERS)]
        for p in processes:
            p.start()
        try:
            for _ in range(WRITERS):
                kind, index, text = outbox.get(timeout=300)
                if kind != "ready":
                    raise RuntimeError(f"writer {index} did not start: {text.strip().splitlines()[-1]}")
            say(f"  {WRITERS} writer processes ready; {rounds} rounds of {seconds:.0f} s: one writer, then {WRITERS}")
            one: list[dict[str, Any]] = []
            many: list[dict[str, Any]] = []
            for r in range(rounds):
                one.append(_round(inboxes, outbox, 1, seconds, monitor, address.conninfo()))
                many.append(_round(inboxes, outbox, WRITERS, seconds, monitor, address.conninfo()))
                say(f"    round {r + 1}: 1 writer {one[-1]['rate']:,.0f} cmd/s, {WRITERS} writers"
                    f" {many[-1]['rate']:,.0f} cmd/s ({many[-1]['rate'] / one[-1]['rate']:.2f}x); " + "; ".join(
                        f"{x['writers']} writer(s): {x['writer_cores'] + x['backend_cores']:.2f} cores for writers +"
                        f" backends ({x['writer_cores']:.2f} + {x['backend_cores']:.2f};"
                        f" {x['cpu_ms_per_command']:.1f} ms CPU per command), machine "
                        + (f"{x['machine_busy']:.0%} busy" if x["machine_busy"] is not None else "busy unknown")
                        for x in (one[-1], many[-1])))
                say(f"      busy backends, {WRITERS} writers: " + _shares(many[-1]["waits"]))
        finally:
            for inbox in inboxes:
                inbox.put(("stop",))
            for p in processes:
                p.join(timeout=30)
                if p.is_alive():
                    p.kill()
            monitor.close()

    one_rate, many_rate = median([x["rate"] for x in one]), median([x["rate"] for x in many])
    failures = sum(x["failures"] for x in one + many)
    one_lat = [x for r in one for x in r["latencies"]]
    many_lat = [x for r in many for x in r["latencies"]]
    say(f"  1 writer: {one_rate:,.0f} cmd/s, p50 {median(one_lat) * 1000:.1f} ms, p99"
        f" {percentile(one_lat, 99) * 1000:.1f} ms per command; {WRITERS} writers: {many_rate:,.0f} cmd/s,"
        f" p50 {median(many_lat) * 1000:.1f} ms, p99 {percentile(many_lat, 99) * 1000:.1f} ms; {failures} failed")
    busy = [x["machine_busy"] for x in one + many if x["machine_busy"] is not None]
    one_cores = median([x["writer_cores"] + x["backend_cores"] for x in one])
    many_cores = median([x["writer_cores"] + x["backend_cores"] for x in many])
    # The speed-up at this code's CPU per command with no contention at all: every core for the writers and their
    # backends, a command costing no more CPU with 8 writers than with one, no lock to wait for.
    cores = os.cpu_count() or 1
    speed_up_ceiling = cores / one_cores if one_cores > 0 else float("nan")
    say(f"  ceiling with no contention: {cores} cores / {one_cores:.2f} cores for one writer and its backend ="
        f" {speed_up_ceiling:.2f}x one writer, with no contention at all (goal {TARGET_SPEED_UP:.0f}x)")
    result.details.update(one_cores=one_cores, many_cores=many_cores, machine_busy=median(busy) if busy else None,
                          cores=cores, speed_up_ceiling=speed_up_ceiling)
    if busy and median(busy) >= 0.95:
        result.note(f"the machine's CPUs were {median(busy):.0%} busy (median of the rounds, other programs included)"
                    f" while one writer and its backend used {one_cores:.2f} cores and {WRITERS} writers"
                    f" {many_cores:.2f}: the speed-up is bounded by the CPU share this shared machine leaves")
    errors = [e for x in one + many for e in x["errors"]]
    if errors:
        result.note(f"{failures} commands failed, e.g. {errors[0]}")
    result.add(f"{WRITERS} concurrent writers, commands/s", many_rate, "cmd/s", baseline=one_rate,
               baseline_name="cmd/s one writer", target=f"≥ {TARGET_SPEED_UP:.0f}× one writer",
               met=at_least(many_rate / one_rate, TARGET_SPEED_UP), errors=failures, goal="writers",
               note=f"p99 {percentile(many_lat, 99) * 1000:.1f} ms per command (1 writer:"
                    f" {percentile(one_lat, 99) * 1000:.1f} ms)")
    result.add("one writer, commands/s", one_rate, "cmd/s")
    result.add("8 writers' ceiling on this machine", speed_up_ceiling, "× one writer",
               note=f"{cores} cores / {one_cores:.2f} cores one writer and its backend use; {TARGET_SPEED_UP:.0f}×"
                    f" one writer needs {TARGET_SPEED_UP * one_cores:.2f} of the {cores} cores at one writer's CPU per"
                    " command")
    result.details.update(writers=WRITERS, rounds=rounds, seconds=seconds,
                          one=[{k: v for k, v in x.items() if k != "latencies"} for x in one],
                          many=[{k: v for k, v in x.items() if k != "latencies"} for x in many],
                          one_p50_ms=median(one_lat) * 1000, one_p99_ms=percentile(one_lat, 99) * 1000,
                          many_p50_ms=median(many_lat) * 1000, many_p99_ms=percentile(many_lat, 99) * 1000)
    return result
