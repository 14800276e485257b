"""Import of the whole WIPO PATENTSCOPE file (24,294 rows) into a fresh database.

Measures ``PatentImporter(app).run(read_patents(path))`` as ``marketplace import-patents`` runs
it, against the parse-only rate of ``read_patents`` in the same run (what the event store and
the domain cost on top of reading the file), then the projection of the imported events. First,
``read_patents`` over the whole file against the bare ``csv.reader`` (≤ 3 s: this was a timed unit
test, ``test_wipo_reads_fast``; a speed bound belongs here, beside its baseline, not in the tests).
"""

from __future__ import annotations

import csv
import time
from itertools import islice
from typing import Any

from benchmarks.common import (
    SHARED_DATA,
    BenchResult,
    Context,
    Timer,
    at_most,
    execute,
    fresh_database,
    make_services,
    median,
    say,
)
from marketplace.catalogue.importing.formats import read_patents
from marketplace.catalogue.importing.records import ENCODING
from marketplace.catalogue.importing.service import PatentImporter

WIPO = SHARED_DATA / "patents" / "wipo_pizza_24294.csv"
QUICK_ROWS = 3000
TARGET_SECONDS = 60.0
WIPO_ROWS = 24_294
READ_TARGET_SECONDS = 3.0  # the bound of the former timed unit test (test_wipo_reads_fast), measured here instead


def read_whole_file() -> tuple[int, float, float]:
    """``read_patents`` over the whole WIPO file (every row parsed into an ImportedPatent or a RowError) and
    the bare ``csv.reader`` over the same file, opened as the reader opens it: (rows, seconds, csv seconds),
    medians of 3 runs each, interleaved."""
    reads, bare = [], []
    rows = 0
    for _ in range(3):
        started = time.perf_counter()
        rows = sum(1 for _ in read_patents(WIPO))
        reads.append(time.perf_counter() - started)
        started = time.perf_counter()
        with WIPO.open(encoding=ENCODING, errors="replace", newline="") as handle:
            sum(1 for _ in csv.reader(handle))
        bare.append(time.perf_counter() - started)
    return rows, median(reads), median(bare)


def _records(limit: int | None) -> Any:
    records = read_patents(WIPO)
    return islice(records, limit) if limit else records


def parse_only(limit: int | None) -> tuple[int, float]:
    started = time.perf_counter()
    count = sum(1 for _ in _records(limit))
    return count, time.perf_counter() - started


def run(ctx: Context) -> BenchResult:
    result = BenchResult("import")
    if not WIPO.exists():
        result.error = f"{WIPO} not found"
        return result
    limit = QUICK_ROWS if ctx.quick else None

    whole_rows, read_seconds, csv_seconds = read_whole_file()  # the whole file, quick or not: it takes seconds
    say(f"  read_patents over the whole file: {whole_rows:,} rows in {read_seconds:.2f} s (median of 3);"
        f" bare csv.reader {csv_seconds:.2f} s")
    result.add("read_patents, whole WIPO file (24,294 rows)", read_seconds, "s", baseline=csv_seconds,
               baseline_name="s csv.reader alone", target=f"≤ {READ_TARGET_SECONDS:.0f} s, every row",
               met=at_most(read_seconds, READ_TARGET_SECONDS) and whole_rows == WIPO_ROWS,
               errors=abs(whole_rows - WIPO_ROWS), note=f"{whole_rows:,} rows read")

    runs = [parse_only(limit) for _ in range(3)]
    rows = runs[0][0]
    parse_seconds = median([s for _, s in runs])
    parse_rate = rows / parse_seconds
    say(f"  parse only: {rows:,} rows in {parse_seconds:.2f} s (median of 3) = {parse_rate:,.0f} rows/s")

    batch = 500  # records per batch, the CLI's default (the importer splits a batch into saves of <= 200 kB)
    with fresh_database(ctx.server, "import") as address:
        services = make_services(address)
        try:
            importer = PatentImporter(services.app, batch_size=batch)
            timer = Timer()
            save = services.app.save

            def timed_save(*aggregates: Any, **kwargs: Any) -> Any:
                with timer.step("save"):
                    return save(*aggregates, **kwargs)

            services.app.save = timed_save
            started = time.perf_counter()
            report = importer.run(_records(limit))
            seconds = time.perf_counter() - started
            services.app.save = save
            events, stored = execute(address, "SELECT count(*), coalesce(sum(octet_length(state)), 0)"
                                              " FROM marketplace_events")[0]
            rate = report.read / seconds
            say(f"  import: {report.read:,} rows ({report.registered:,} patents, {report.organisations:,} new"
                f" organisations, {len(report.errors)} skipped) in {seconds:.1f} s = {rate:,.0f} rows/s;"
                f" {events:,} events, {stored / 1e6:.1f} MB of event state; {timer.counts.get('save', 0)} saves")
            save_share = timer.totals.get("save", 0.0) / seconds
            say(f"  of which app.save (encode + INSERT + commit): {timer.totals.get('save', 0.0):.1f} s"
                f" ({save_share:.0%}); reading, parsing and building aggregates: the rest")

            started = time.perf_counter()
            projected = services.make_runner().catch_up()
            project_seconds = time.perf_counter() - started
            say(f"  projection of the imported events (catalogue + accounts): {projected:,} events in"
                f" {project_seconds:.1f} s = {projected / project_seconds:,.0f} events/s")
        finally:
            services.close()

    full = "" if limit is None else f" (quick: first {rows:,} rows)"
    result.add("import rows/s" + full, rate, "rows/s", baseline=parse_rate, baseline_name="parse-only rows/s",
               note="ratio = import rate / parse-only rate")
    target = TARGET_SECONDS if limit is None else TARGET_SECONDS * rows / 24_294
    result.add("import total seconds" + full, seconds, "s", target=f"< {target:.0f} s", met=at_most(seconds, target))
    result.add("share of import time in app.save", save_share * 100, "%")
    result.add("projection after import", projected / project_seconds, "events/s",
               note=f"{projected:,} events in {project_seconds:.1f} s")
    result.details.update(whole_file_rows=whole_rows, whole_file_read_seconds=read_seconds,
                          whole_file_csv_seconds=csv_seconds,
                          rows=rows, parse_seconds=parse_seconds, import_seconds=seconds, batch_size=batch,
                          registered=report.registered, organisations=report.organisations,
                          skipped=len(report.errors), events=events, event_bytes=stored,
                          save_seconds=timer.totals.get("save", 0.0), projected_events=projected,
                          projection_seconds=project_seconds)
    return result
