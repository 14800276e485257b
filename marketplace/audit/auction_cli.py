"""``marketplace auction verify LOT_ID --export FILE [--root ROOT ...] [--require-anchored]``: a lot's result
recomputed from an audit export alone (in the audit trade: it reads exports, whatever trade recorded the events).

An export carries its own hashes: rewritten wholesale with its hashes recomputed, it still chains. Only a daily root
published elsewhere before the rewrite pins it, so the verifier says which positions the published roots given
(``--root``) anchor, and from which position on the export is unanchored; ``--require-anchored`` fails a lot whose
events are not all anchored. A root is ``POSITION:HASH`` or a file: the JSON of ``GET /api/audit/roots`` (or of
``/audit/roots``' link) or the lines of ``marketplace audit roots``. A day's root is only final once the (UTC) day
has ended: the current day's, still moving with the chain head, is not used.
"""

from __future__ import annotations

import argparse
import base64
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from domain.auctions.verify import Verdict, verify_lot
from domain.audit.chain import link_hash
from marketplace.audit.chain import state_timestamp, verify_export
from marketplace.platform.settings import Settings


def add_auction_commands(subparsers: Any) -> None:
    auction = subparsers.add_parser("auction", help="auctions: verify a lot's result from an audit export")
    commands = auction.add_subparsers(dest="auction_command", required=True)
    verify = commands.add_parser("verify", help="recompute a lot's result from an export (marketplace audit export)")
    verify.add_argument("lot_id", type=UUID)
    verify.add_argument("--export", required=True, help="the JSON Lines file `marketplace audit export` wrote")
    verify.add_argument("--root", action="append", default=[], metavar="ROOT",
                        help="a published daily root, POSITION:HASH, or a file of them (GET /api/audit/roots JSON, "
                             "or `marketplace audit roots` lines); repeatable")
    verify.add_argument("--require-anchored", action="store_true",
                        help="fail unless a published root anchors every event of the lot")


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


@dataclass(frozen=True)
class Root:
    """A published daily root: the chain hash at ``position``, and the day it closed (if known)."""

    position: int
    hash: str
    day: str = ""


@dataclass
class Anchoring:
    """What the published roots pin of an export: every position up to ``through`` (0: none)."""

    through: int = 0
    first: int = 0
    last: int = 0
    #: a per-record export (``GET /api/lots/{id}/export.jsonl``): no root can anchor it
    per_record: bool = False
    mismatches: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def unanchored_from(self) -> int | None:
        """The first position no published root pins (None: the whole export is anchored)."""
        return max(self.through + 1, self.first) if self.last > self.through else None


_HEX = re.compile(r"^[0-9a-f]{64}$")


def _final(day: str, final: object, today: date) -> bool:
    if isinstance(final, bool):
        return final
    return bool(day) and date.fromisoformat(day) < today


def parse_roots(specs: list[str], *, today: date) -> tuple[list[Root], list[str]]:
    """The roots given (``POSITION:HASH`` or a file of them) and notes on those not used (a day not over yet).

    Raises ``ValueError`` on a root that cannot be read."""
    roots: list[Root] = []
    notes: list[str] = []
    candidates: list[tuple[str, int, str, object]] = []  # day, position, hash, final (None: not said)
    for spec in specs:
        path = Path(spec)
        if ":" in spec and not path.exists():
            at, _, value = spec.partition(":")
            candidates.append(("", int(at), value, True))
            continue
        text = path.read_text(encoding="utf-8")
        if text.lstrip().startswith(("{", "[")):
            document = json.loads(text)
            items = document["items"] if isinstance(document, dict) else document
            candidates.extend((str(i.get("day", "")), int(i["position"]), str(i["hash"]), i.get("final"))
                              for i in items)
            continue
        for line in text.splitlines():
            parts = line.replace(":", " ").split()
            if len(parts) == 3:
                candidates.append((parts[0], int(parts[1]), parts[2], None))
            elif len(parts) == 2:
                candidates.append(("", int(parts[0]), parts[1], True))
            elif parts:
                raise ValueError(f"not a root: {line!r}")
    for day, position, digest, final in candidates:
        if position < 1 or not _HEX.match(digest.lower()):
            raise ValueError(f"not a root: position {position}, hash {digest!r}")
        if not _final(day, final, today):
            notes.append(f"the root of {day or 'position ' + str(position)} is not final (its UTC day has not ended"
                         "): not used")
            continue
        roots.append(Root(position, digest.lower(), day))
    return roots, notes


def read_export(path: Path, lot_id: UUID, roots: list[Root]) -> tuple[list[tuple[str, dict[str, Any]]], list[int],
                                                                       Anchoring]:
    """The lot's events in version order, as (event name, plain data), their positions, and what ``roots``
    anchor of the export (read from the lines' hashes: call it on an export whose chain holds)."""
    found: list[tuple[int, str, dict[str, Any]]] = []
    positions: list[int] = []
    wanted = {r.position: r for r in roots}
    seen: dict[int, str] = {}
    anchoring = Anchoring()
    with path.open("rb") as lines:
        for raw in lines:
            line = json.loads(raw)
            position = int(line["position"])
            anchoring.first = anchoring.first or position
            anchoring.last = max(anchoring.last, position)
            anchoring.per_record = anchoring.per_record or "previous" in line
            if position in wanted:
                seen[position] = str(line["hash"])
            if line["originator_id"] != str(lot_id) or ":Lot." not in line["topic"]:
                continue
            state = json.loads(base64.b64decode(line["state_b64"]))
            found.append((int(line["version"]), line["topic"].rsplit(".", 1)[1], _plain(state)))
            positions.append(position)
    for root in sorted(roots, key=lambda r: r.position):
        name = f"the published root at position {root.position}" + (f" ({root.day})" if root.day else "")
        if root.position not in seen:
            anchoring.mismatches.append(f"{name} is not in the export")
        elif seen[root.position] != root.hash:
            anchoring.mismatches.append(f"{name} is not the export's hash there: rewritten history")
        elif not anchoring.per_record:  # a per-record export lacks the events between its lines
            anchoring.through = max(anchoring.through, root.position)
    events = [(name, data) for _, name, data in sorted(found, key=lambda f: f[0])]
    return events, sorted(positions), anchoring


def lot_events(path: Path, lot_id: UUID) -> list[tuple[str, dict[str, Any]]]:
    """The lot's events in version order, as (event name, plain data), from an export file."""
    return read_export(path, lot_id, [])[0]


def verify_from_export(path: Path, lot_id: UUID) -> tuple[bool, Verdict]:
    """(the export's hash chain holds, the lot's verdict)."""
    return verify_export(path).ok, verify_lot(lot_events(path, lot_id), str(lot_id))


def cmd_auction(settings: Settings, args: argparse.Namespace) -> int:
    path = Path(args.export)
    if not path.exists():
        print(f"{path}: no such file")
        return 2
    try:
        roots, notes = parse_roots(args.root, today=datetime.now(UTC).date())
    except (OSError, ValueError, KeyError, TypeError) as error:
        print(f"cannot read the published roots: {error}")
        return 2
    try:
        events, positions, anchoring = read_export(path, args.lot_id, roots)
    except (ValueError, KeyError, TypeError, IndexError) as error:
        print(f"hash chain of the export: BROKEN (a line cannot be read: {error})")
        print("FAILED")
        return 1
    if anchoring.per_record:
        broken = check_links(path)
        chained = broken is None
        print(f"hash links of the lot's export: {broken or 'intact'} (each event hashed from the hash before it, "
              "as the export states it; the events between are other records', not in it)")
    else:
        chained = verify_export(path).ok
        print(f"hash chain of the export: {'intact' if chained else 'BROKEN'}")
    verdict = verify_lot(events, str(args.lot_id))
    anchored = report_anchoring(anchoring, notes, positions)
    if verdict.commitments:
        print(f"sealed: {verdict.commitments} commitments, {verdict.reveals} revealed, {verdict.forfeits} forfeited")
    print(f"lot {args.lot_id}: {verdict.bids} bids; recorded outcome {verdict.recorded_outcome}; "
          f"recomputed winner {verdict.winner}, price {verdict.price}")
    for problem in verdict.problems:
        print(f"  problem: {problem}")
    ok = chained and verdict.ok and not anchoring.mismatches and (anchored or not args.require_anchored)
    if not anchored and args.require_anchored and not anchoring.mismatches:
        print("  problem: --require-anchored, and no published root anchors all of the lot's events")
    print("OK: the recorded result is the one the bids give" if ok else "FAILED")
    return 0 if ok else 1


def check_links(path: Path) -> str | None:
    """A per-record export's lines: each hash the link of its event from the ``previous`` hash it states, the
    timestamp the one inside the state, positions rising. None when they hold, else where not."""
    last = 0
    with path.open("rb") as lines:
        for number, raw in enumerate(lines, 1):
            try:
                line = json.loads(raw)
                state = base64.b64decode(line["state_b64"], validate=True)
                link = link_hash(bytes.fromhex(line["previous"]), int(line["position"]), str(line["originator_id"]),
                                 int(line["version"]), str(line["topic"]), str(line["timestamp"]), state)
            except (ValueError, KeyError, TypeError) as error:
                return f"line {number} is not a valid export line ({error})"
            if line["timestamp"] != state_timestamp(state):
                return f"line {number}: its timestamp is not the one inside its state"
            if int(line["position"]) <= last or link.hex() != line["hash"]:
                return f"BROKEN at position {line['position']}"
            last = int(line["position"])
    return None


def report_anchoring(anchoring: Anchoring, notes: list[str], positions: list[int]) -> bool:
    """Print which positions the published roots anchor; whether they anchor every one of the lot's events."""
    for note in notes:
        print(f"note: {note}")
    for mismatch in anchoring.mismatches:
        print(f"MISMATCH: {mismatch}")
    if anchoring.per_record:
        print("note: a lot's own export holds its events alone, so no published root can anchor it; an auditor's "
              "full export, which can, holds the same lines")
    if anchoring.through:
        print(f"anchored: positions 1 to {anchoring.through} by a published root")
    else:
        print("anchored: none (no published root given, or none matched)")
    start = anchoring.unanchored_from
    if start is not None:
        print(f"unanchored from position {start}: later events are checked only against hashes the export "
              "itself carries, which a rewrite recomputes; check them again once a later day's root is published")
    lot_anchored = bool(positions) and positions[-1] <= anchoring.through
    if positions:
        print(f"the lot's events (positions {positions[0]} to {positions[-1]}): "
              + ("anchored" if lot_anchored else f"unanchored from position {max(positions[0], start or 0)}"))
    return lot_anchored and not anchoring.mismatches
