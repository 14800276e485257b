"""Command line of the tamper evidence: ``marketplace audit verify [--export FILE] | export FILE | roots``."""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from marketplace.audit.chain import VerifyResult, daily_roots, export, verify_export, verify_store
from marketplace.platform.services import Services, build_services
from marketplace.platform.settings import Settings
from projections.runner import BatchProjectionRunner
from projections.shared.health import ViewFailure

console = Console(stderr=True)
Handler = Callable[[Settings, argparse.Namespace], int]


def add_chain_commands(audit_subparsers: Any) -> None:
    """Add ``verify``, ``export`` and ``roots`` under ``marketplace audit``; each sets ``audit_handler``."""
    verify = audit_subparsers.add_parser(
        "verify", help="recompute the event log's hash chain and report the first position that diverges")
    verify.add_argument("--export", metavar="FILE", help="verify an export file alone, without the database")
    verify.set_defaults(audit_handler=cmd_verify)
    exp = audit_subparsers.add_parser("export", help="write every stored event with its chain hash as JSON Lines")
    exp.add_argument("file")
    exp.set_defaults(audit_handler=cmd_export)
    roots = audit_subparsers.add_parser("roots", help="list the daily roots (the chain head at the end of each day)")
    roots.set_defaults(audit_handler=cmd_roots)


def run_audit(settings: Settings, args: argparse.Namespace) -> int:
    """Dispatch ``marketplace audit <command>`` to the handler its subparser set."""
    handler: Handler = args.audit_handler
    return handler(settings, args)


def _progress(*, in_bytes: bool = False) -> Progress:
    count = DownloadColumn() if in_bytes else MofNCompleteColumn()
    return Progress(TextColumn("{task.description}"), BarColumn(), count, TimeElapsedColumn(),
                    console=console, transient=False)


def chain_runner(services: Services) -> BatchProjectionRunner:
    """A runner for the chain follower alone (its table made at start-up, with every read model's, under the schema
    lock: ``build_services``)."""
    return services.make_runner(["audit_chain"])


def bring_chain_up_to_date(services: Services) -> ViewFailure | None:
    """Chain every event stored so far; the event the follower could not chain (it stopped before it), if any."""
    runner = chain_runner(services)
    head = services.recorder.max_notification_id() or 0
    with _progress() as progress:
        task = progress.add_task("chaining new events", total=head)
        runner.catch_up(lambda position, _head: progress.update(task, completed=position))
        progress.update(task, completed=head)
    stopped = runner.stopped.get("audit_chain")
    if stopped is None:
        return None
    console.print(f"[red]the chain follower stopped before position {stopped.failure.position}"
                  f" ({stopped.failure.topic}); events from there on are not chained: {stopped.failure.error}",
                  highlight=False, markup=False)
    return stopped.failure


def report(result: VerifyResult, seconds: float) -> int:
    """Print OK with the head, or BROKEN with the first diverging position; the exit status."""
    out = Console(soft_wrap=True)
    rate = result.checked / seconds if seconds else 0.0
    if result.ok:
        out.print(f"OK: {result.checked} events, head position {result.head_position}, head hash {result.head_hash}",
                  highlight=False)
        if result.unchained:
            console.print(f"[yellow]{result.unchained} newer event(s) were stored after the chain head: not verified")
        console.print(f"verified in {seconds:.2f} s ({rate:,.0f} events/s)")
        return 0
    out.print(f"BROKEN at position {result.first_broken_position}: {result.reason}", highlight=False)
    console.print(f"{result.checked} events verified before it; last good position {result.head_position}")
    return 1


def cmd_verify(settings: Settings, args: argparse.Namespace) -> int:
    if args.export:
        path = Path(args.export)
        if not path.exists():
            console.print(f"[red]{path}: no such file")
            return 2
        with _progress(in_bytes=True) as progress:
            task = progress.add_task(f"verifying {path.name}", total=path.stat().st_size)
            started = time.perf_counter()
            result = verify_export(path, progress=lambda done, _total: progress.update(task, completed=done))
            progress.update(task, completed=path.stat().st_size)
        return report(result, time.perf_counter() - started)
    services = build_services(settings)
    try:
        unchainable = bring_chain_up_to_date(services)
        with _progress() as progress:
            task = progress.add_task("verifying the event store", total=services.recorder.max_notification_id() or 0)
            started = time.perf_counter()
            result = verify_store(services.address.conninfo(),
                                  progress=lambda done, total: progress.update(task, completed=done, total=total))
        status = report(result, time.perf_counter() - started)
        return 1 if unchainable is not None else status
    finally:
        services.close()


def cmd_export(settings: Settings, args: argparse.Namespace) -> int:
    path = Path(args.file)
    services = build_services(settings)
    try:
        bring_chain_up_to_date(services)
        with _progress() as progress:
            task = progress.add_task(f"exporting to {path.name}", total=services.recorder.max_notification_id() or 0)
            started = time.perf_counter()
            count = export(services.address.conninfo(), path,
                           progress=lambda done, total: progress.update(task, completed=done, total=total))
        seconds = time.perf_counter() - started
    finally:
        services.close()
    rate = count / seconds if seconds else 0.0
    console.print(f"exported {count} events to {path} in {seconds:.2f} s ({rate:,.0f} events/s);"
                  f" verify it with `marketplace audit verify --export {path}` or docs/AUDIT_CHAIN.md's script")
    return 0


def cmd_roots(settings: Settings, _: argparse.Namespace) -> int:
    services = build_services(settings)
    try:
        bring_chain_up_to_date(services)
        roots = daily_roots(services.address.conninfo())
    finally:
        services.close()
    out = Console(soft_wrap=True)
    for root in roots:
        out.print(f"{root.day.isoformat()}  {root.position:>12}  {root.hash}", highlight=False)
    if not roots:
        console.print("no events chained yet")
    return 0
