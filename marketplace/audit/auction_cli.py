"""``marketplace auction verify LOT_ID --export FILE``: a lot's result recomputed from an audit export alone (in
the audit trade: it reads exports, whatever trade recorded the events)."""

from __future__ import annotations

import argparse
import base64
import json
from pathlib import Path
from typing import Any
from uuid import UUID

from domain.auctions.verify import Verdict, verify_lot
from marketplace.audit.chain import verify_export
from marketplace.platform.settings import Settings


def add_auction_commands(subparsers: Any) -> None:
    auction = subparsers.add_parser("auction", help="auctions: verify a lot's result from an audit export")
    commands = auction.add_subparsers(dest="auction_command", required=True)
    verify = commands.add_parser("verify", help="recompute a lot's result from an export (marketplace audit export)")
    verify.add_argument("lot_id", type=UUID)
    verify.add_argument("--export", required=True, help="the JSON Lines file `marketplace audit export` wrote")


def _plain(value: Any) -> Any:
    """The transcoder's ``{"_type_", "_data_"}`` envelopes (UUIDs, datetimes) as their text."""
    if isinstance(value, dict):
        if "_type_" in value and "_data_" in value:
            data = value["_data_"]
            return str(UUID(data)) if value["_type_"] == "uuid_hex" else _plain(data)
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def lot_events(path: Path, lot_id: UUID) -> list[tuple[str, dict[str, Any]]]:
    """The lot's events in version order, as (event name, plain data), from an export file."""
    found: list[tuple[int, str, dict[str, Any]]] = []
    with path.open("rb") as lines:
        for raw in lines:
            line = json.loads(raw)
            if line["originator_id"] != str(lot_id) or ":Lot." not in line["topic"]:
                continue
            state = json.loads(base64.b64decode(line["state_b64"]))
            found.append((int(line["version"]), line["topic"].rsplit(".", 1)[1], _plain(state)))
    return [(name, data) for _, name, data in sorted(found, key=lambda f: f[0])]


def verify_from_export(path: Path, lot_id: UUID) -> tuple[bool, Verdict]:
    """(the export's hash chain holds, the lot's verdict)."""
    return verify_export(path).ok, verify_lot(lot_events(path, lot_id), str(lot_id))


def cmd_auction(settings: Settings, args: argparse.Namespace) -> int:
    path = Path(args.export)
    if not path.exists():
        print(f"{path}: no such file")
        return 2
    chained, verdict = verify_from_export(path, args.lot_id)
    print(f"hash chain of the export: {'intact' if chained else 'BROKEN'}")
    if verdict.commitments:
        print(f"sealed: {verdict.commitments} commitments, {verdict.reveals} revealed, {verdict.forfeits} forfeited")
    print(f"lot {args.lot_id}: {verdict.bids} bids; recorded outcome {verdict.recorded_outcome}; "
          f"recomputed winner {verdict.winner}, price {verdict.price}")
    for problem in verdict.problems:
        print(f"  problem: {problem}")
    ok = chained and verdict.ok
    print("OK: the recorded result is the one the bids give" if ok else "FAILED")
    return 0 if ok else 1
