"""Run the benchmarks and print one summary table: ``python -m benchmarks.run_all [--quick] [--only NAME]``.

Every figure comes with a baseline measured in the same run (the machine is shared and noisy),
so compare ratios across runs rather than absolute numbers. The table is also written as JSON
to ``benchmarks/results/latest.json``.
"""

from __future__ import annotations

import argparse
import json
import logging
import platform
import signal
import sys
import time
import traceback
import warnings
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

from benchmarks import (
    bench_as_of,
    bench_auctions,
    bench_audit_chain,
    bench_commands,
    bench_deals,
    bench_import,
    bench_logins,
    bench_matching,
    bench_read_your_writes,
    bench_rebuild,
    bench_search,
    bench_todo,
    bench_writers,
)
from benchmarks.common import (
    RESULTS_DIR,
    BenchResult,
    Context,
    fresh_database,
    goal_table,
    large_pipelined_statement_completes,
    say,
    start_server,
    summary_table,
)

NAMES = ("import", "commands", "writers", "deals", "catalogue", "search", "read_your_writes", "rebuild", "audit_chain",
         "as_of", "logins", "todo", "matching", "auctions")


class BenchmarkTimeoutError(Exception):
    """A benchmark ran past its time limit (a hang: the suite must end and clean up all the same)."""


def _alarm(_signum: int, _frame: FrameType | None) -> None:
    raise BenchmarkTimeoutError("time limit reached")


def _guarded(name: str, fn: Callable[[], BenchResult], limit: int = 900) -> BenchResult:
    say(f"\n=== {name} ===")
    started = time.perf_counter()
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(limit)
    try:
        result = fn()
    except Exception as exc:  # one failing benchmark must not hide the others
        traceback.print_exc()
        result = BenchResult(name, error=f"{type(exc).__name__}: {exc}")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    result.seconds = time.perf_counter() - started
    say(f"=== {name}: {result.seconds:.0f} s ===")
    return result


def _run(ctx: Context, selected: list[str]) -> list[BenchResult]:
    results: list[BenchResult] = []
    if "import" in selected:
        results.append(_guarded("import", lambda: bench_import.run(ctx)))
    if "commands" in selected:
        results.append(_guarded("commands", lambda: bench_commands.run(ctx)))
    if "writers" in selected:
        results.append(_guarded("writers", lambda: bench_writers.run(ctx)))
    if "deals" in selected:
        results.append(_guarded("deals", lambda: bench_deals.run(ctx)))
    if {"catalogue", "search", "rebuild"} & set(selected):
        # One catalogue of generated listings serves both: searched, then rebuilt from its events. Alone
        # (``--only catalogue``): the generation and the catch-up of every read model, timed per read model.
        with fresh_database(ctx.server, "catalogue") as address:
            # 100,000 listings through every read model: a hang guard of an hour, not 15 minutes
            catalogue = _guarded("catalogue", lambda: bench_search.build_catalogue(ctx, address), limit=3600)
            results.append(catalogue)
            if not catalogue.error:
                if "search" in selected:
                    results.append(_guarded("search", lambda: bench_search.run(ctx, address)))
                if "rebuild" in selected:
                    results.append(_guarded("rebuild", lambda: bench_rebuild.run(ctx, address)))
    if "read_your_writes" in selected:
        results.append(_guarded("read_your_writes", lambda: bench_read_your_writes.run(ctx)))
    if "audit_chain" in selected:
        results.append(_guarded("audit_chain", lambda: bench_audit_chain.run(ctx)))
    if "as_of" in selected:
        results.append(_guarded("as_of", lambda: bench_as_of.run(ctx)))
    if "logins" in selected:
        results.append(_guarded("logins", lambda: bench_logins.run(ctx)))
    if "todo" in selected:
        results.append(_guarded("todo", lambda: bench_todo.run(ctx)))
    if "matching" in selected:
        results.append(_guarded("matching", lambda: bench_matching.run(ctx)))
    if "auctions" in selected:
        results.append(_guarded("auctions", lambda: bench_auctions.run(ctx)))
    return results


def _stop(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(f"stopped by signal {signum}")  # unwinds: databases dropped, servers stopped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run_all", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="reduced sizes, for a smoke check (about 2 minutes)")
    parser.add_argument("--only", action="append", choices=NAMES, metavar="NAME",
                        help=f"run only this benchmark (repeatable): {', '.join(NAMES)}")
    parser.add_argument("--database-url", help="PostgreSQL server to create the benchmark databases on"
                        " (default: MARKETPLACE_BENCH_DATABASE_URL, MARKETPLACE_DATABASE_URL, else embedded)")
    parser.add_argument("--json", default=str(RESULTS_DIR / "latest.json"), help="where to write the results")
    args = parser.parse_args(argv)
    selected = [n for n in NAMES if n in (args.only or NAMES)]
    partial = len(selected) < len(NAMES)
    size = "quick" if args.quick else "full"
    label = (f"PARTIAL {size}-size run: {len(selected)} of {len(NAMES)} benchmarks (--only {' '.join(selected)})"
             if partial else f"{size} run, all {len(NAMES)} benchmarks")

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    signal.signal(signal.SIGTERM, _stop)

    started = time.perf_counter()
    server = start_server(args.database_url)
    try:
        version = server.version()
        large_ok = large_pipelined_statement_completes(server.address)
        ctx = Context(server=server, quick=args.quick, large_saves_ok=large_ok)
        say(f"{label}; server: {server.description}, PostgreSQL {version}; machine: {platform.node()}"
            f" ({platform.processor() or platform.machine()}), Python {platform.python_version()}")
        if not large_ok:
            say("WARNING: a 1 MB pipelined statement never completes on this server's connection (psycopg"
                " pipeline bug, see benchmarks/README.md): bulk saves use smaller batches")
        results = _run(ctx, selected)
    finally:
        server.close()
    total = time.perf_counter() - started

    table = summary_table(results)
    heading = f"{label}, {total:.0f} s, {server.description}, PostgreSQL {version}"
    say(f"\n=== every figure ({heading}) ===")
    say(table)
    for result in results:
        for note in result.notes:
            say(f"- {result.name}: {note}")
    goals = goal_table(results)
    say(f"\n=== issue 16's table ({heading}) ===")
    say(goals)
    if partial:
        say(f"(a partial run: only {', '.join(selected)} ran; the lines marked 'not run' were not measured)")
    selection = {"benchmarks": selected, "ran": [r.name for r in results], "all": not partial,
                 "size": size, "database_server": server.description,
                 "postgresql": version, "label": label}
    _write_json(args.json, results, selection=selection, total=total, quick=args.quick, server=server.description,
                version=version, large_ok=large_ok, table=table, goal_table=goals,
                goals=[asdict(m) for r in results for m in r.metrics if m.goal])
    return 1 if any(r.error for r in results) else 0


def _write_json(path: str, results: list[BenchResult], **meta: Any) -> None:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": sys.version.split()[0], "machine": platform.node(), **meta,
        "results": [r.as_dict() for r in results],
    }
    target.write_text(json.dumps(document, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    say(f"\nresults written to {target}")


if __name__ == "__main__":
    sys.exit(main())
