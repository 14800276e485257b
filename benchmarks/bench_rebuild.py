"""Rebuild of the catalogue read model from the event log, and proof that it is reproducible.

On the catalogue database of the search benchmark (100,000 listings, about 400,000 events):
hash every row of the catalogue tables (all of ``view.tables``), then

1. baseline: the first events replayed one transaction per event, as eventsourcing's
   ``ProjectionRunner`` does (``view.process([record], tracking)`` per event);
2. a breakdown of a page's work over the first pages, one page after the other (instrumented, not the figure: the
   runner folds each page while the server writes the one before);
3. the measured rebuild: ``view.reset()`` then ``services.make_runner(["catalogue"]).catch_up()``;

and hash the rows again: a rebuild must reproduce every row exactly.

It also measures this machine's ceilings for a rebuild and for the catch-up after an import by a projection that
decodes the log in Python, as ours does, whatever else its code does (``ceiling``). Three parts are timed alone: the
server writing the catalogue's final rows (copied with ``INSERT … SELECT`` from the tables just built: no event read,
decoded, folded or tokenised), the server stemming the English titles and abstracts of the search vectors
(``vector_floor``, a part of what the vectors hold), and Python reading and decoding the log. Such a projection
cannot take less than their sum spread over every core of the machine.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from eventsourcing.persistence import Tracking

from benchmarks.bench_search import TARGET_CATCH_UP, read_log
from benchmarks.common import BenchResult, Context, Timer, at_least, execute, make_services, say
from marketplace.platform.database import DatabaseAddress
from projections.catalogue import view as catalogue_view
from projections.catalogue.view import PostgresCatalogueView
from projections.shared.base import FoldingView
from projections.shared.records import decode

TARGET_RATE = 50_000.0


def table_hashes(address: DatabaseAddress, tables: tuple[str, ...]) -> dict[str, tuple[int, str]]:
    """(row count, md5 over the md5 of every whole row, in the order of those hashes) per table."""
    hashes = {}
    for table in tables:
        count, digest = execute(address, "SELECT count(*), md5(string_agg(h, '' ORDER BY h))"
                                         f" FROM (SELECT md5(t::text) AS h FROM {table} t) rows")[0]
        hashes[table] = (int(count), str(digest))
    return hashes


def write_floor(address: DatabaseAddress, tables: tuple[str, ...]) -> tuple[float, float]:
    """Seconds the server takes to write ``tables``' rows as they stand, in one statement per table, with no event
    read and nothing computed: (into copies with every index, as a catch-up writes beside live indexes; into bare
    copies whose indexes are built afterwards, the cheapest a rebuild could do). Copies are dropped after."""
    indexed = bare = 0.0
    with psycopg.connect(address.conninfo(), autocommit=True) as conn:
        for table in tables:
            copy = f"ceiling_{table}"
            conn.execute(f"DROP TABLE IF EXISTS {copy}")
            conn.execute(f"CREATE TABLE {copy} (LIKE {table} INCLUDING ALL)")
            started = time.perf_counter()
            conn.execute(f"INSERT INTO {copy} SELECT * FROM {table}")
            indexed += time.perf_counter() - started
            conn.execute(f"TRUNCATE {copy}")
            indexes = [str(r[0]) for r in conn.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s",
                                                       (copy,)).fetchall()]
            for (constraint,) in conn.execute("SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass"
                                              " AND contype IN ('p', 'u')", (copy,)).fetchall():
                conn.execute(f'ALTER TABLE {copy} DROP CONSTRAINT "{constraint}"')
            for (index,) in conn.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s",
                                         (copy,)).fetchall():
                conn.execute(f'DROP INDEX "{index}"')
            started = time.perf_counter()
            conn.execute(f"INSERT INTO {copy} SELECT * FROM {table}")
            for definition in indexes:
                conn.execute(definition)
            bare += time.perf_counter() - started
            conn.execute(f"DROP TABLE {copy}")
    return indexed, bare


def vector_floor(address: DatabaseAddress) -> float:
    """Seconds the server takes to stem the English titles and abstracts that the search vectors of the catalogue's
    patents and listings index (each listing indexes its patent's): a part of the vectors, computed and dropped."""
    started = time.perf_counter()
    with psycopg.connect(address.conninfo(), autocommit=True) as conn:
        for rows in ("catalogue_patents p",
                     "catalogue_listings l JOIN catalogue_patents p ON p.id = l.patent_id"):
            conn.execute(f"SELECT count(*) FROM (SELECT to_tsvector('english', p.title_en || ' ' || p.abstract_en)"
                         f" AS v FROM {rows} OFFSET 0) x WHERE v IS NOT NULL")  # OFFSET 0: computed, not skipped
    return time.perf_counter() - started


def ceiling(events: int, server_seconds: float, decode_seconds: float, cores: int) -> float:
    """Events/s at best for a projection that decodes the log in Python, as ours does: the server's work and the
    decoding, and nothing else (no fold, no Chinese tokens), spread perfectly over every core of the machine."""
    return events / ((server_seconds + decode_seconds) / cores)


def per_event_baseline(services: Any, events: int) -> tuple[int, float]:
    """One transaction per event, as the library's ProjectionRunner commits them."""
    view = services.views["catalogue"]
    view.reset()
    name = services.app.name
    done, position = 0, 0
    started = time.perf_counter()
    while done < events:
        page = services.recorder.select_notifications(start=position, limit=min(1000, events - done),
                                                      inclusive_of_start=False)
        if not page:
            break
        for notification in page:
            record = decode(notification)
            view.process([record], Tracking(name, record.position))
        done += len(page)
        position = page[-1].id
    return done, time.perf_counter() - started


@contextmanager
def instrumented(timer: Timer) -> Iterator[None]:
    """Time the steps of ``apply``: SQL statements are timed only inside it, and not twice inside ``_load``."""
    restore: list[Callable[[], None]] = []
    inside = {"apply": False, "load": False}

    def patch(owner: Any, name: str, step: str | None, *, static: bool = False, flag: str = "") -> None:
        attribute = owner.__dict__[name] if isinstance(owner, type) else getattr(owner, name)
        function = attribute.__func__ if static else attribute

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if flag:
                inside[flag] = True
            try:
                if step is None:  # a statement: counted only where it belongs to no other step
                    if not inside["apply"] or inside["load"]:
                        return function(*args, **kwargs)
                    with timer.step("SQL: upserts, history, facet counters (server + parameters)"):
                        return function(*args, **kwargs)
                with timer.step(step):
                    return function(*args, **kwargs)
            finally:
                if flag:
                    inside[flag] = False

        setattr(owner, name, staticmethod(wrapper) if static else wrapper)
        restore.append(lambda: setattr(owner, name, attribute))

    for name in ("patent_params", "listing_params"):
        if hasattr(catalogue_view, name):
            patch(catalogue_view, name, "row parameters (search tokens)")
    for name in ("json_text", "json_bytes"):
        if hasattr(catalogue_view, name):
            patch(catalogue_view, name, "encode the page as JSON")
    patch(PostgresCatalogueView, "_load", "SELECT rows the page touches", static=True, flag="load")
    patch(FoldingView, "apply", "apply (total)", flag="apply")  # the catalogue's: fold, then write
    patch(psycopg.Cursor, "execute", None)
    patch(psycopg.Cursor, "executemany", None)
    # A statement sent in a pipeline is waited for when the block ends: that wait is the server's, not the fold's.
    patch(psycopg.Pipeline, "__exit__", None)
    try:
        yield
    finally:
        for undo in reversed(restore):
            undo()


def breakdown(services: Any, events: int) -> tuple[dict[str, float], float, int]:
    """Seconds per step over the first ``events`` events, replayed in pages as the batch runner does."""
    view = services.views["catalogue"]
    view.reset()
    timer = Timer()
    position, done = 0, 0
    started = time.perf_counter()
    with instrumented(timer):
        while done < events:
            with timer.step("read page (SELECT notifications)"):
                page = services.recorder.select_notifications(start=position, limit=1000, inclusive_of_start=False)
            if not page:
                break
            with timer.step("decode events (msgspec)"):
                records = [decode(n) for n in page]
            with timer.step("process (total)"):
                view.process(records, Tracking(services.app.name, page[-1].id))
            position = page[-1].id
            done += len(page)
    total = time.perf_counter() - started
    steps = dict(timer.totals)
    apply = steps.pop("apply (total)", 0.0)
    process = steps.pop("process (total)", 0.0)
    inner = sum(v for k, v in steps.items() if not k.startswith(("read page", "decode")))
    steps["fold events in Python"] = apply - inner
    steps["tracking insert + commit"] = process - apply
    steps["other"] = total - sum(steps.values())
    return steps, total, done


def run(ctx: Context, address: DatabaseAddress) -> BenchResult:
    result = BenchResult("rebuild")
    services = make_services(address, with_scheme=False)
    try:
        view = services.views["catalogue"]
        head = services.recorder.max_notification_id() or 0
        tables = tuple(view.tables)
        before = table_hashes(address, tables)
        say("  rows before: " + ", ".join(f"{t} {n:,}" for t, (n, _) in before.items()))
        # Measured on the rows just built, before the baseline and the breakdown below replay a part of the log.
        floor_indexed, floor_bare = write_floor(address, tables)
        stemming = vector_floor(address)
        read_events, read_seconds = read_log(services)
        cores = os.cpu_count() or 1
        catch_up_ceiling = ceiling(read_events, floor_indexed + stemming, read_seconds, cores)
        rebuild_ceiling = ceiling(read_events, min(floor_indexed, floor_bare) + stemming, read_seconds, cores)
        say(f"  this machine's ceilings ({cores} cores) for a projection decoding in Python: the server writes the"
            f" catalogue's {sum(n for n, _ in before.values()):,} rows alone in {floor_indexed:.1f} s with every index"
            f" ({floor_bare:.1f} s into bare tables, indexes built after) and stems their English titles and"
            f" abstracts alone in {stemming:.1f} s; reading + decoding the log alone takes {read_seconds:.1f} s"
            f" ({read_events:,} events). So at best, with no fold, no Chinese tokens and all of it spread perfectly"
            f" over the {cores} cores:"
            f" catch-up {catch_up_ceiling:,.0f} events/s, rebuild {rebuild_ceiling:,.0f} events/s")

        baseline_events = 2000 if ctx.quick else 5000
        done, seconds = per_event_baseline(services, baseline_events)
        baseline_rate = done / seconds
        say(f"  baseline, one transaction per event: {done:,} events in {seconds:.1f} s"
            f" = {baseline_rate:,.0f} events/s")

        steps, total, counted = breakdown(services, 20_000 if ctx.quick else 30_000)
        say(f"  where the batch runner's time goes (instrumented replay of the first {counted:,} events,"
            f" {counted / total:,.0f} events/s):")
        for name, spent in sorted(steps.items(), key=lambda kv: -kv[1]):
            say(f"    {spent:6.2f} s  {spent / total:4.0%}  {name}")

        view.reset()
        started = time.perf_counter()
        events = services.make_runner(["catalogue"]).catch_up()
        seconds = time.perf_counter() - started
        rate = events / seconds
        say(f"  rebuild (reset + batch runner): {events:,} events in {seconds:.1f} s = {rate:,.0f} events/s"
            f" ({rate / baseline_rate:.1f}x the per-event baseline)")

        after = table_hashes(address, tables)
        identical = before == after
        for table in tables:
            mark = "identical" if before[table] == after[table] else "DIFFERENT"
            say(f"    {table}: {after[table][0]:,} rows, {mark}")
    finally:
        services.close()

    result.add("catalogue rebuild", rate, "events/s", baseline=baseline_rate, baseline_name="per-event tx events/s",
               target=f"≥ {TARGET_RATE:,.0f}/s, rows identical", met=at_least(rate, TARGET_RATE) and identical,
               goal="rebuild",
               note=f"{events:,} events in {seconds:.1f} s; rows {'identical' if identical else 'DIFFER'}")
    result.add("rebuild seconds", seconds, "s", note=f"{events:,} events (log head {head:,})")
    result.add("rebuild ceiling on this machine", rebuild_ceiling, "events/s",
               note=f"goal {TARGET_RATE:,.0f}/s {'within' if rebuild_ceiling >= TARGET_RATE else 'ABOVE'} it: rows"
                    f" written alone {min(floor_indexed, floor_bare):.1f} s + English stemmed alone {stemming:.1f} s,"
                    f" log read + decoded alone {read_seconds:.1f} s, {cores} cores")
    result.add("catch-up ceiling on this machine", catch_up_ceiling, "events/s",
               note=f"goal {TARGET_CATCH_UP:,.0f}/s {'within' if catch_up_ceiling >= TARGET_CATCH_UP else 'ABOVE'}"
                    f" it: rows written alone beside live indexes {floor_indexed:.1f} s + English stemmed alone"
                    f" {stemming:.1f} s, log read + decoded alone {read_seconds:.1f} s, {cores} cores")
    result.add("rows identical after rebuild", 1.0 if identical else 0.0, "bool", target="1", met=identical,
               goal="rebuild")
    top = max(steps.items(), key=lambda kv: kv[1])
    result.note(f"rebuild: largest step {top[0]} ({top[1] / total:.0%} of the instrumented replay)")
    result.details.update(events=events, seconds=seconds, baseline_events=done, baseline_rate=baseline_rate,
                          breakdown_seconds=steps, breakdown_events=counted, breakdown_total=total,
                          hashes_before=before, hashes_after=after, identical=identical,
                          floor_indexed_seconds=floor_indexed, floor_bare_seconds=floor_bare, stemming_seconds=stemming,
                          read_decode_seconds=read_seconds, cores=cores, rebuild_ceiling=rebuild_ceiling,
                          catch_up_ceiling=catch_up_ceiling)
    return result
