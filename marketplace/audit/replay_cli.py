"""Command line of history and replay: ``marketplace audit show ID [--at TIME | --version N] | rebuild-check``."""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from typing import Any
from uuid import UUID

from rich.console import Console
from rich.table import Table

from domain.shared.errors import DomainError
from marketplace.audit.rebuild_check import rebuild_check
from marketplace.audit.replay import HistoryEntry, as_utc, history, state_at
from marketplace.platform.services import Services, build_services
from marketplace.platform.settings import Settings

console = Console(stderr=True)


def parse_instant(text: str) -> datetime:
    """An ISO 8601 instant (``2024-05-01T08:00:00+08:00``); without an offset it is UTC."""
    try:
        return as_utc(datetime.fromisoformat(text.strip()))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO 8601 time such as 2024-05-01T08:00:00+08:00") from None


def add_replay_commands(audit_subparsers: Any) -> None:
    """Add ``show`` and ``rebuild-check`` under ``marketplace audit``; each sets ``audit_handler``."""
    show = audit_subparsers.add_parser(
        "show", help="an aggregate's history with diffs, or its state at a version or instant")
    show.add_argument("aggregate_id", type=UUID)
    when = show.add_mutually_exclusive_group()
    when.add_argument("--at", type=parse_instant, metavar="TIME", help="ISO 8601 instant; UTC without an offset")
    when.add_argument("--version", type=int, metavar="N")
    show.add_argument("--json", action="store_true", help="print JSON instead of a table")
    show.set_defaults(audit_handler=cmd_show)
    check = audit_subparsers.add_parser(
        "rebuild-check", help="rebuild every read model into scratch tables and diff them against the live ones")
    check.add_argument("--view", action="append", dest="views", metavar="NAME", help="only this read model")
    check.add_argument("--keep", action="store_true", help="keep the scratch schema rebuild_check for inspection")
    check.set_defaults(audit_handler=cmd_rebuild_check)


def _actor_names(services: Services, entries: list[HistoryEntry]) -> dict[UUID, str]:
    from marketplace.platform.app_base import SYSTEM_ACTOR

    names = {SYSTEM_ACTOR: "system"}
    for actor in {e.actor for e in entries if e.actor is not None} - names.keys():
        # Names come from the personal-data store (an erased person shows as such), never from events.
        if services.app.find_user(actor) is not None:
            names[actor] = services.app.accounts.display_name_of(actor)
    return names


def _text(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 200 else text[:197] + "…"


def print_history(services: Services, aggregate_id: UUID, as_json: bool) -> None:
    entries = history(services.app, aggregate_id)
    out = Console(soft_wrap=True)
    if as_json:
        out.print_json(json.dumps([{
            "version": e.version, "event_type": e.event_type, "timestamp": e.timestamp.isoformat(),
            "actor": str(e.actor) if e.actor else None,
            "changes": {k: list(v) for k, v in e.changes.items()},
        } for e in entries], ensure_ascii=False))
        return
    names = _actor_names(services, entries)
    table = Table(title=f"history of {aggregate_id}", show_lines=True)
    for column in ("v", "time (UTC)", "event", "actor", "changes (before → after)"):
        table.add_column(column, overflow="fold")
    for e in entries:
        actor = "" if e.actor is None else names.get(e.actor, str(e.actor))
        changes = "\n".join(f"{k}: {_text(before)} → {_text(after)}" for k, (before, after) in e.changes.items())
        table.add_row(str(e.version), e.timestamp.strftime("%Y-%m-%d %H:%M:%S.%f"), e.event_type, actor, changes)
    out.print(table)


def print_state(services: Services, args: argparse.Namespace) -> None:
    state = state_at(services.app, args.aggregate_id, version=args.version, at=args.at)
    out = Console(soft_wrap=True)
    document = {
        "aggregate_id": str(state.aggregate_id), "aggregate_type": state.aggregate_type,
        "version": state.version, "created_on": state.created_on.isoformat(),
        "modified_on": state.modified_on.isoformat(), "state": state.state,
    }
    if args.at is not None:
        document["as_of"] = args.at.isoformat()
    out.print_json(json.dumps(document, ensure_ascii=False))


def cmd_show(settings: Settings, args: argparse.Namespace) -> int:
    services = build_services(settings)
    try:
        if args.at is None and args.version is None:
            print_history(services, args.aggregate_id, args.json)
        else:
            print_state(services, args)
    except DomainError as exc:
        console.print(f"[red]{exc.message}")
        return 1
    finally:
        services.close()
    return 0


def cmd_rebuild_check(settings: Settings, args: argparse.Namespace) -> int:
    services = build_services(settings)
    try:
        unknown = set(args.views or ()) - services.views.keys()
        if unknown:
            console.print(f"[red]unknown read model(s) {', '.join(sorted(unknown))};"
                          f" choose from {', '.join(services.views)}")
            return 2
        with console.status("rebuilding the read models into scratch tables"):
            report = rebuild_check(services, names=args.views, keep=args.keep)
    finally:
        services.close()
    out = Console(soft_wrap=True)
    for line in report.lines():
        out.print(line, highlight=False, markup=False)
    return 1 if report.differences else 0
