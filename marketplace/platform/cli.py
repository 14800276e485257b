"""Command line: ``marketplace serve | migrate | run-projections | rebuild | status | import-patents | seed-demo``."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import time
from datetime import UTC
from pathlib import Path

import psycopg
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from marketplace.audit.auction_cli import add_auction_commands, cmd_auction
from marketplace.audit.chain_cli import add_chain_commands, run_audit
from marketplace.audit.replay_cli import add_replay_commands
from marketplace.notifications.outbox import outbox_sender
from marketplace.platform.deadlines import DeadlineWorker
from marketplace.platform.leases import (
    DUTIES,
    LEASE_CLASS,
    LeasedProjections,
    lease_connection,
    lease_groups,
    lease_holders,
    lease_key,
    worker_name,
)
from marketplace.platform.services import VIEW_CLASSES, Services, build_services
from marketplace.platform.settings import Settings
from projections.shared.health import ReadModelStatus, read_statuses

console = Console(stderr=True)


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=console, transient=False)


def _services(settings: Settings) -> Services:
    return build_services(settings)


def cmd_migrate(settings: Settings, _: argparse.Namespace) -> int:
    from marketplace.platform.database import resolve_database
    from marketplace.platform.migrate import migrate

    address = resolve_database(settings.database_url, settings.data_dir)
    applied = migrate(address.conninfo())
    console.print(f"applied {len(applied)} migration(s): {', '.join(applied) or 'none needed'}")
    return 0


def catch_up(services: Services, names: list[str] | None = None, label: str = "projecting") -> tuple[int, float]:
    runner = services.make_runner(names)
    head = services.recorder.max_notification_id() or 0
    with _progress() as progress:
        task = progress.add_task(label, total=head)
        started = time.perf_counter()
        count = runner.catch_up(lambda position, _head: progress.update(task, completed=position))
        progress.update(task, completed=head)
    return count, time.perf_counter() - started


def leased_projections(services: Services) -> LeasedProjections:
    """This process as one projection worker among any number (``marketplace.platform.leases``)."""
    settings = services.settings
    return LeasedProjections(
        conninfo=services.address.conninfo(), application_name=services.app.name, view_names=list(services.views),
        make_runner=services.make_runner,
        duties={"deadlines": lambda: DeadlineWorker(services),
                "mail": lambda: outbox_sender(settings, services.recorder.datastore)},
    )


def cmd_run_projections(settings: Settings, args: argparse.Namespace) -> int:
    services = _services(settings)
    if args.once:
        count, seconds = catch_up(services)
        console.print(f"caught up: {count} events in {seconds:.1f} s")
        warn_stopped(services)
        services.close()
        return 0
    worker = leased_projections(services)
    signal.signal(signal.SIGTERM, lambda *_: worker.stop())
    console.print(f"projection worker {worker.name}: following the event log under leases (Ctrl-C to stop)")
    try:
        worker.run()  # raises if its lease connection is lost: the process ends, its leases with it
    except KeyboardInterrupt:
        pass
    finally:
        services.close()
    return 0


#: The application name of a rebuild's lease connection (``lease_holders`` shows it as the lease's holder).
REBUILD_PREFIX = "marketplace-rebuild "


def cmd_rebuild(settings: Settings, args: argparse.Namespace) -> int:
    if args.name not in VIEW_CLASSES:
        console.print(f"[red]unknown read model {args.name!r}; choose from {', '.join(VIEW_CLASSES)}")
        return 2
    services = _services(settings)
    try:
        # The read model's lease, held for the whole rebuild: no projection worker applies a page to it meanwhile
        # (nor takes it up while the tables are emptied); another worker takes it once this command ends.
        lease = next(lead for lead, names in lease_groups(list(services.views)).items() if args.name in names)
        with lease_connection(services.address.conninfo(), worker_name(), REBUILD_PREFIX) as conn:
            key = (LEASE_CLASS, lease_key(services.app.name, lease))
            if not (row := conn.execute("SELECT pg_try_advisory_lock(%s, %s)", key).fetchone()) or not row[0]:
                holder = lease_holders(conn, services.app.name, [lease]).get(lease, "another process")
                if holder.startswith(REBUILD_PREFIX):  # another `marketplace rebuild`, not a worker to stop
                    other = holder.removeprefix(REBUILD_PREFIX)
                    console.print(f"[red]读模型 {args.name} 未重建：另一个重建命令（{other}）正持有租约 {lease}，"
                                  "请等它结束后再试。\n"
                                  f"read model {args.name} not rebuilt: another rebuild ({other}) holds lease {lease};"
                                  " wait for it to end, then try again.", highlight=False)
                    return 1
                console.print(f"[red]读模型 {args.name} 正由投影工作进程 {holder} 运行（租约 {lease}），未重建："
                              "请先停止所有投影工作进程（run-projections，或带进程内投影的 serve），再重建。\n"
                              f"read model {args.name} not rebuilt: projection worker {holder} runs it (lease {lease});"
                              " stop the projection workers (run-projections, or serve with in-process projections)"
                              " first, then rebuild.", highlight=False)
                return 1
            services.views[args.name].reset()
            count, seconds = catch_up(services, [args.name], label=f"rebuilding {args.name}")
            conn.execute("SELECT pg_advisory_unlock(%s, %s)", key)
        rate = count / seconds if seconds else 0
        console.print(f"rebuilt {args.name}: {count} events in {seconds:.2f} s ({rate:,.0f} events/s)")
        warn_stopped(services)
    finally:
        services.close()
    return 0


def cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    from marketplace.catalogue.importing.formats import count_rows, detect_format, read_patents
    from marketplace.catalogue.importing.records import UnknownFormatError
    from marketplace.catalogue.importing.service import PatentImporter

    path = Path(args.file)
    if not path.exists():
        console.print(f"[red]{path}: no such file")
        return 2
    try:
        fmt = args.format or detect_format(path)
    except UnknownFormatError as exc:
        console.print(f"[red]{exc}")
        return 2
    services = _services(settings)
    total = count_rows(path, fmt)
    importer = PatentImporter(services.app, batch_size=args.batch_size)
    with _progress() as progress:
        task = progress.add_task(f"importing {path.name} ({fmt})", total=total)
        report = importer.run(read_patents(path, fmt), lambda n: progress.advance(task, n))
    for error in report.errors[: args.show_errors]:
        console.print(f"[yellow]line {error.line}: {error.message}")
    if len(report.errors) > args.show_errors:
        console.print(f"[yellow]… and {len(report.errors) - args.show_errors} more skipped rows")
    table = Table(title=f"import of {path.name}")
    for column in ("rows read", "registered", "unchanged", "new organisations", "skipped", "seconds", "rows/s"):
        table.add_column(column, justify="right")
    rate = report.read / report.seconds if report.seconds else 0
    table.add_row(str(report.read), str(report.registered), str(report.unchanged), str(report.organisations),
                  str(len(report.errors)), f"{report.seconds:.1f}", f"{rate:,.0f}")
    console.print(table)
    if not args.no_project:
        count, seconds = catch_up(services)
        console.print(f"read models updated: {count} events in {seconds:.1f} s")
    services.close()
    return 0


def print_accounts(report: object) -> None:
    """The demo accounts, one per line and never truncated (the passwords must be copyable)."""
    from marketplace.demo.catalogue import DemoReport

    assert isinstance(report, DemoReport)
    out = Console(soft_wrap=True)
    out.print("[bold]demo accounts[/] (passwords are shown once; they are only for the demo):")
    for account in report.accounts:
        out.print(f"  {account.email:<34} {account.password:<20} {', '.join(account.roles):<28} "
                  f"{account.organisation} · {account.display_name}", highlight=False, markup=False)


def seed_if_empty(services: Services, listings: int) -> bool:
    from marketplace.demo.catalogue import is_empty, seed_demo

    if not is_empty(services.app):
        return False
    with _progress() as progress:
        task = progress.add_task("loading demo data", total=listings)
        report = seed_demo(services.app, listings=listings,
                           progress=lambda done, total: progress.update(task, completed=done, total=total))
    print_accounts(report)
    return True


def cmd_seed_demo(settings: Settings, args: argparse.Namespace) -> int:
    services = _services(settings)
    if not seed_if_empty(services, args.listings):
        console.print("[yellow]the marketplace is not empty: demo data goes only into an empty marketplace")
        services.close()
        return 1
    catch_up(services)
    services.close()
    return 0


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    host = args.host or settings.host
    port = args.port or settings.port
    services = _services(settings)
    if settings.demo_data:
        seed_if_empty(services, args.demo_listings)
    catch_up(services)
    warn_stopped(services)  # the server starts anyway: the other read models and every command still work
    where = (settings.database_url and "the configured PostgreSQL") or f"embedded PostgreSQL in {settings.data_dir}"
    # In-process projections run as one leased worker: next to ``run-projections`` workers, they share the work.
    worker = leased_projections(services) if settings.run_projections_in_process else None
    thread = threading.Thread(target=worker.run_forever, name="leases", daemon=True) if worker is not None else None
    if thread is not None:
        thread.start()
    log_level = settings.log_level.lower()
    try:
        if args.workers > 1:
            # The web workers are new processes: they find the database and the key the same way as this one.
            os.environ.update(MARKETPLACE_DATABASE_URL=services.address.url(),
                              MARKETPLACE_SECRET_KEY=settings.secret_key,
                              MARKETPLACE_INPROCESS_PROJECTIONS="0", MARKETPLACE_DEMO_DATA="0")
            console.print(f"serving the marketplace at http://{host}:{port} with {args.workers} web workers"
                          f" (data: {where})")
            uvicorn.run("web.app:create_app", factory=True, workers=args.workers, host=host, port=port,
                        log_level=log_level, access_log=False)
        else:
            from web.app import create_app

            app = create_app(services, start_projections=False)
            console.print(f"serving the marketplace at http://{host}:{port} (data: {where})")
            uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=False)
    finally:
        if worker is not None and thread is not None:
            worker.stop()
            thread.join(timeout=10)
        services.close()
    return 0


# --- status of the read models ----------------------------------------------------------------------
def read_model_statuses(services: Services) -> list[ReadModelStatus]:
    with psycopg.connect(services.address.conninfo()) as conn:
        return read_statuses(conn, services.health_statement())


def read_model_workers(services: Services) -> dict[str, str]:
    """Read model (and duty): the projection worker (``host:pid``) that holds its lease now."""
    groups = lease_groups(list(services.views))
    with psycopg.connect(services.address.conninfo()) as conn:
        holders = lease_holders(conn, services.app.name, list(groups))
    return {name: worker for lease, worker in holders.items() for name in groups[lease] or [lease]}


def print_statuses(statuses: list[ReadModelStatus], workers: dict[str, str] | None = None) -> None:
    """The read models as a table (position, lag, state, worker), then each stopped one's event and error."""
    out = Console(soft_wrap=True)
    head = max((s.head for s in statuses), default=0)
    table = Table(title=f"read models (head of the event log: {head:,})")
    table.add_column("read model", no_wrap=True)
    for column in ("position", "lag", "state", "stops at", "tries", "next try"):
        table.add_column(column, no_wrap=True, justify="left" if column == "state" else "right")
    if workers is not None:
        table.add_column("worker", no_wrap=True)
    colour = {"ok": "green", "behind": "yellow", "stopped": "red"}
    for s in statuses:
        cells = [s.name, f"{s.position:,}", f"{s.lag:,}", f"[{colour[s.state]}]{s.state}",
                 "" if s.failed_position is None else f"{s.failed_position:,}", str(s.attempts or ""),
                 retry_at(s).removesuffix(" UTC")]
        table.add_row(*cells, *([workers.get(s.name, "none")] if workers is not None else []))
    out.print(table)
    if workers is not None:
        out.print("; ".join(f"{duty}: {workers.get(duty, 'none')}" for duty in DUTIES)
                  + " (the projection worker that holds each lease; none: no worker running)", highlight=False)
    for s in statuses:
        if s.state == "stopped":
            since = s.failing_since.astimezone(UTC) if s.failing_since else None
            out.print(f"{s.name} stopped before position {s.failed_position} ({s.topic})"
                      f" since {since:%Y-%m-%d %H:%M:%S} UTC, next try at {retry_at(s)}: {s.error}",
                      highlight=False, markup=False)


def retry_at(s: ReadModelStatus) -> str:
    return f"{s.next_retry_at.astimezone(UTC):%H:%M:%S} UTC" if s.next_retry_at else ""


def warn_stopped(services: Services) -> None:
    stopped = [s for s in read_model_statuses(services) if s.state == "stopped"]
    if stopped:
        console.print(f"[red]{len(stopped)} read model(s) stopped at an event they cannot apply; the others run:")
        print_statuses(stopped)


def cmd_status(settings: Settings, args: argparse.Namespace) -> int:
    """Print every read model's position and error; with ``--retry``, try the stopped ones again first."""
    unknown = sorted(set(args.retry or []) - set(VIEW_CLASSES))
    if unknown:
        console.print(f"[red]unknown read model(s) {', '.join(unknown)}; choose from {', '.join(VIEW_CLASSES)}")
        return 2
    services = _services(settings)
    try:
        if args.retry is not None:
            asked = services.health.retry_now(args.retry or None)  # a running runner retries them too
            if asked:
                catch_up(services, asked, label=f"retrying {', '.join(asked)}")
            else:
                console.print("no read model is stopped")
        statuses = read_model_statuses(services)
        workers = read_model_workers(services)
    finally:
        services.close()
    print_statuses(statuses, workers)
    return 1 if any(s.state == "stopped" for s in statuses) else 0
def cmd_accounts(settings: Settings, args: argparse.Namespace) -> int:
    """``accounts unconfirmed-roles``: old platform-wide grants revoked by the upgrade, awaiting confirmation."""
    services = _services(settings)
    try:
        grants = services.app.accounts.unconfirmed_grants()
        out = Console(soft_wrap=True)
        for grant in grants:
            by = services.app.accounts.display_name_of(grant.granted_by) if grant.granted_by else ""
            out.print(f"{grant.user_id}  {grant.role:<18} granted by {by} ({grant.granted_by})",
                      markup=False, highlight=False)
        console.print(f"{len(grants)} unconfirmed grant(s); a platform admin confirms one by granting the role again"
                      " (POST /api/users/{id}/roles or /admin/people)")
    finally:
        services.close()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="marketplace", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the marketplace (loads demo data into an empty one)")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--demo-listings", type=int, default=300)
    serve.add_argument("--workers", type=int, default=1,
                       help="web worker processes (uvicorn); they share the database, the secret key and sessions")
    sub.add_parser("migrate", help="apply the read-model migrations")
    run = sub.add_parser("run-projections", help="keep the read models up to date (a worker process)")
    run.add_argument("--once", action="store_true", help="catch up and exit")
    rebuild = sub.add_parser("rebuild", help="drop one read model and replay it from the event log")
    rebuild.add_argument("name", help=f"one of: {', '.join(VIEW_CLASSES)}")
    status = sub.add_parser("status", help="each read model's position, the head of the log, and any error")
    status.add_argument("--retry", nargs="*", metavar="NAME",
                        help="try the stopped read models (all, or those named) again now")
    imp = sub.add_parser("import-patents", help="import a WIPO, Lens, native CSV or JSON Lines file")
    imp.add_argument("file")
    imp.add_argument("--format", choices=["wipo", "lens", "native-csv", "jsonl"])
    imp.add_argument("--batch-size", type=int, default=500)
    imp.add_argument("--show-errors", type=int, default=20)
    imp.add_argument("--no-project", action="store_true", help="leave the read models to run-projections")
    seed = sub.add_parser("seed-demo", help="load the demo data into an empty marketplace")
    seed.add_argument("--listings", type=int, default=300)
    accounts = sub.add_parser("accounts", help="accounts: old role grants awaiting a platform admin's confirmation")
    accounts.add_argument("accounts_command", choices=["unconfirmed-roles"])
    audit = sub.add_parser("audit", help="audit the records: history, as-of state, rebuild check, hash chain")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True)
    add_replay_commands(audit_commands)
    add_chain_commands(audit_commands)
    add_auction_commands(sub)
    return parser


COMMANDS = {
    "serve": cmd_serve, "migrate": cmd_migrate, "run-projections": cmd_run_projections, "rebuild": cmd_rebuild,
    "import-patents": cmd_import, "seed-demo": cmd_seed_demo, "audit": run_audit, "accounts": cmd_accounts,
}
COMMANDS["status"] = cmd_status
COMMANDS["auction"] = cmd_auction


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # Exit normally on SIGTERM, so that the embedded PostgreSQL is stopped with the process.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    settings = Settings.from_env()
    logging.basicConfig(level=settings.log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    return COMMANDS[args.command](settings, args)


if __name__ == "__main__":
    sys.exit(main())
