#!/usr/bin/env python3
"""Check an auction's results from an audit export alone: Python 3.11+ standard library, no marketplace code.

    python3 verify_auction.py EXPORT.jsonl [LOT_ID ...] [--root POSITION:HASH|FILE ...] [--require-anchored]

EXPORT.jsonl is what ``marketplace audit export FILE`` writes (docs/AUDIT_CHAIN.md, "Export format"): one stored
event per line with its recorded chain hash; or a closed lot's own export, public at
``GET /api/lots/{id}/export.jsonl``, whose lines also carry ``previous``, the chain hash of the event before
each (its events alone: it cannot reach a published root). The script

1. recomputes the hash chain of every line (docs/AUDIT_CHAIN.md states the rule) and, given published daily roots
   (``--root POSITION:HASH``, or a file: the JSON of ``GET /api/audit/roots`` or ``marketplace audit roots``'
   lines), checks that the export reaches them, and says which positions they anchor. An export carries its own
   hashes: rewritten wholesale with them recomputed it still chains, so only a root published before the rewrite
   pins it. Events after the last published root are "unanchored from position N"; ``--require-anchored`` fails a
   lot with unanchored events;
2. replays every lot named (or, with none named, every lot in the export) from its own events and recomputes its
   result:

   - a **timed** lot: every bid from a bidder whose deposit was received, inside the window, at least the start
     (first bid) or the current price plus the increment, on the increment grid, not outbidding itself (a proxy may
     raise its own leader), each bid's recorded end after the soft close (a bid within 5 minutes of the end moves
     it 5 minutes); every bid marked ``proxy`` exactly the next answer the proxy rule gives from the maxima
     (``Lot.ProxySet``) set before it (the strongest other maximum bids just above what the leader's maximum can
     answer, a leader whose maximum covers it raises itself to it), and no answer the rule owes left out; the
     winner is the last (highest) bidder if its bid meets the reserve, at its bid;
   - a **sealed** lot (first or second price, commit–reveal): every commitment made in the commit window by a
     bidder whose deposit was received, one per bidder; every reveal in the reveal window, its amount and salt
     giving the committed digest ``sha256("sealed-bid:v1:<lot id>:<bidder number>:<amount>:<salt>")``; every
     commitment not revealed forfeited at the close, and no other; the winner is the highest valid revealed bid
     (at least the start) if it meets the reserve, ties to the earlier commitment; the price is its own bid (first
     price) or the highest of the second-ranked valid bid, the reserve and the start (second price);

   and compares the recomputation with the recorded ``Closed`` event (winner and price).

It prints one line per lot and exits 0 when the chain holds and every lot agrees, 1 otherwise, 2 on bad input.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import re
import struct
import sys
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

SOFT_CLOSE = timedelta(minutes=5)
MONEY_LIMIT = 10_000_000_000_000  # fen
BIDS_LIMIT = 10_000  # a lot takes no more bids
COMMITMENT = re.compile(r"^[0-9a-f]{64}$")


# --- 1. the hash chain ---------------------------------------------------------------------------------
def _u64(n: int) -> bytes:
    return struct.pack(">Q", n)


def check_chain(lines: list[dict[str, Any]], roots: dict[int, str]) -> tuple[str | None, int, list[str]]:
    """(None when every line's hash is the recomputed link, else why not; the last position a published root
    anchors, 0 if none; the published roots the export does not reach or contradicts)."""
    previous, last, anchored = bytes(32), 0, 0
    missing = dict(roots)
    mismatches: list[str] = []
    for e in lines:
        if "previous" in e:  # a lot's own export: each event with the hash before it, the events between not in it
            previous = bytes.fromhex(e["previous"])
        state = base64.b64decode(e["state_b64"], validate=True)
        topic, stamp = e["topic"].encode(), e["timestamp"].encode()
        link = hashlib.sha256(previous + _u64(e["position"]) + uuid.UUID(e["originator_id"]).bytes
                              + _u64(e["version"]) + _u64(len(topic)) + topic + _u64(len(stamp)) + stamp
                              + _u64(len(state)) + state).digest()
        if e["position"] <= last or link.hex() != e["hash"]:
            return f"the chain breaks at position {e['position']}", anchored, mismatches
        published = missing.pop(e["position"], None)
        if published is not None and published != link.hex():
            mismatches.append(f"position {e['position']} is not the published root: rewritten history")
        elif published is not None and "previous" not in e:
            anchored = e["position"]
        previous, last = link, e["position"]
    mismatches.extend(f"the published root at position {p} is not in the export" for p in sorted(missing))
    return None, anchored, mismatches


def read_roots(specs: list[str], today: date) -> tuple[dict[int, str], list[str]]:
    """Published roots: ``POSITION:HASH``, or a file of them (the JSON of GET /api/audit/roots, or the lines
    ``DAY POSITION HASH`` of ``marketplace audit roots``); a day's root is used once that UTC day has ended (the
    current day's moves with the chain head). Returns the roots and notes on those left out."""
    found: dict[int, str] = {}
    notes: list[str] = []
    for spec in specs:
        if ":" in spec and not os.path.exists(spec):
            position, _, digest = spec.partition(":")
            items: list[dict[str, Any]] = [{"position": position, "hash": digest, "final": True}]
        else:
            with open(spec, encoding="utf-8") as handle:
                text = handle.read()
            if text.lstrip().startswith(("{", "[")):
                document = json.loads(text)
                items = document["items"] if isinstance(document, dict) else document
            else:
                items = []
                for line in text.splitlines():
                    parts = line.replace(":", " ").split()
                    if len(parts) == 3:
                        items.append({"day": parts[0], "position": parts[1], "hash": parts[2]})
                    elif len(parts) == 2:
                        items.append({"position": parts[0], "hash": parts[1], "final": True})
                    elif parts:
                        raise ValueError(f"not a root: {line!r}")
        for item in items:
            at, digest, day = int(item["position"]), str(item["hash"]).lower(), str(item.get("day") or "")
            if at < 1 or not re.fullmatch(r"[0-9a-f]{64}", digest):
                raise ValueError(f"not a root: {item!r}")
            final = item.get("final")
            if not (final if isinstance(final, bool) else bool(day) and date.fromisoformat(day) < today):
                notes.append(f"the root of {day or at} is not final (its UTC day has not ended): not used")
                continue
            found[at] = digest
    return found, notes


# --- 2. the lots' events --------------------------------------------------------------------------------
def _plain(value: Any) -> Any:
    """The stored JSON's ``{"_type_", "_data_"}`` envelopes (UUIDs, datetimes) as their text."""
    if isinstance(value, dict):
        if "_type_" in value and "_data_" in value:
            data = value["_data_"]
            return str(uuid.UUID(data)) if value["_type_"] == "uuid_hex" else _plain(data)
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def lot_positions(lines: list[dict[str, Any]]) -> dict[str, tuple[int, int]]:
    """Each lot's first and last positions in the log."""
    found: dict[str, tuple[int, int]] = {}
    for e in lines:
        module, _, name = e["topic"].partition(":")
        if name.startswith("Lot.") and module.endswith("auctions.lot"):
            first, _ = found.get(e["originator_id"], (e["position"], 0))
            found[e["originator_id"]] = (first, e["position"])
    return found


def lots_in(lines: list[dict[str, Any]]) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """Each lot's events in version order, as (event name, plain data); a lot's topic is ``…:Lot.<Event>``."""
    found: dict[str, list[tuple[int, str, dict[str, Any]]]] = {}
    for e in lines:
        module, _, name = e["topic"].partition(":")
        if not name.startswith("Lot.") or not module.endswith("auctions.lot"):
            continue
        state = _plain(json.loads(base64.b64decode(e["state_b64"])))
        found.setdefault(e["originator_id"], []).append((int(e["version"]), name[4:], state))
    return {lot: [(n, d) for _, n, d in sorted(events, key=lambda x: x[0])] for lot, events in found.items()}


# --- 3. the rules ---------------------------------------------------------------------------------------
def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def proxy_answer(leader: str | None, current: int | None, start: int, step: int,
                 proxies: dict[str, dict[str, int]]) -> tuple[str, int] | None:
    """The next bid the proxy maxima place (bidder, amount), or None: the strongest challenger (highest maximum,
    then the earliest set) bids just above what the leader's own maximum can answer; a leader whose maximum covers
    the challenger's raises itself to it."""
    least = start if current is None else current + step
    challengers = [(p["maximum"], -p["order"], org) for org, p in proxies.items()
                   if org != leader and p["maximum"] >= least]
    if not challengers:
        return None
    top, order, challenger = max(challengers)
    mine = proxies.get(leader) if leader is not None else None
    if mine is not None and (mine["maximum"] > top or (mine["maximum"] == top and -mine["order"] > order)):
        return str(leader), top
    ceiling = mine["maximum"] if mine is not None else (current or 0)
    return challenger, least if current is None else min(top, max(least, ceiling + step))


def set_proxy(d: dict[str, Any], proxies: dict[str, dict[str, int]], received: set[str],
              now: tuple[int | None, str | None, int], start: int, step: int, problems: list[str]) -> None:
    """A maximum set (``Lot.ProxySet``): by a bidder whose deposit was received, on the grid, above the leader's
    own bid (or maximum), else at least the next bid; ``now`` is (current price, leader, bids so far)."""
    current, leader, n = now
    org, maximum = d["organisation_id"], int(d["maximum"])
    least = start if current is None else current + step
    floor = (proxies[org]["maximum"] if org in proxies else (current or 0)) + 1 if org == leader else least
    if org not in received:
        problems.append(f"a proxy maximum of {org}: the bidder's deposit was not received")
    if maximum < floor or (maximum - start) % step or maximum > MONEY_LIMIT:
        problems.append(f"a proxy maximum of {org}: {maximum} breaks the amount rule (at least {floor})")
    proxies[org] = {"maximum": maximum, "order": len(proxies) + n}


def check_proxy_bid(n: int, org: str, amount: int, proxy_bid: bool, due: tuple[str, int] | None,
                    proxies: dict[str, dict[str, int]], problems: list[str]) -> None:
    """A proxy bid must be the answer ``due``; a manual bid may not equal another bidder's earlier maximum."""
    if proxy_bid and due is None:
        problems.append(f"bid {n}: a proxy bid no proxy maximum (ProxySet) owes")
    elif proxy_bid and due is not None and due != (org, amount):
        problems.append(f"bid {n}: a proxy bid of {amount} for {org}; the proxy maxima set give {due[1]} for {due[0]}")
    elif not proxy_bid and any(o != org and p["maximum"] == amount for o, p in proxies.items()):
        problems.append(f"bid {n}: {amount} equals an earlier proxy maximum, which holds")


def timed_result(events: list[tuple[str, dict[str, Any]]], problems: list[str]) -> tuple[str | None, int | None]:
    terms = events[0][1]
    start, step, reserve = int(terms["start_price"]), int(terms["increment"]), int(terms["reserve"])
    opens, closes = _at(terms["opens_at"]), _at(terms["closes_at"])
    received: set[str] = set()
    proxies: dict[str, dict[str, int]] = {}
    current: int | None = None
    leader: str | None = None
    n = 0

    def owed() -> tuple[str, int] | None:
        return proxy_answer(leader, current, start, step, proxies) if n < BIDS_LIMIT else None

    for name, d in [*events[1:], ("End", {})]:
        proxy_bid = name == "BidPlaced" and bool(d.get("proxy"))
        if not proxy_bid and owed() is not None:
            who, amount = owed()  # type: ignore[misc]
            problems.append(f"after bid {n}: the proxy rule bids {amount} for {who}, and no such proxy bid follows")
            proxies.clear()
        if name == "DepositReceived":
            received.add(d["organisation_id"])
        elif name == "ProxySet":
            set_proxy(d, proxies, received, (current, leader, n), start, step, problems)
        elif name == "BidPlaced":
            org, amount, at = d["organisation_id"], int(d["amount"]), _at(d["at"])
            due = owed() if proxy_bid else None
            n += 1
            least = start if current is None else current + step
            check_proxy_bid(n, org, amount, proxy_bid, due, proxies, problems)
            if org not in received:
                problems.append(f"bid {n}: the bidder's deposit was not received")
            if amount < least or (amount - start) % step or amount > MONEY_LIMIT:
                problems.append(f"bid {n}: {amount} breaks the amount rule (at least {least}, steps of {step})")
            if org == leader and not proxy_bid:
                problems.append(f"bid {n}: the leader outbid itself")
            if not opens <= at < closes:
                problems.append(f"bid {n}: placed at {d['at']}, outside the window")
            expected = closes + SOFT_CLOSE if closes - at <= SOFT_CLOSE else closes
            if _at(d["closes_at"]) != expected:
                problems.append(f"bid {n}: the end after it should be {expected.isoformat()}")
            current, leader, closes = amount, org, _at(d["closes_at"])
        elif name == "Closed" and _at(d["at"]) < closes:
            problems.append(f"closed at {d['at']}, before the end {closes.isoformat()}")
    if current is not None and current >= reserve:
        return leader, current
    return None, None


def commitment_of(lot_id: str, number: int, amount: int, salt: str) -> str:
    return hashlib.sha256(f"sealed-bid:v1:{lot_id}:{number}:{amount}:{salt}".encode("ascii")).hexdigest()


def sealed_result(lot_id: str, events: list[tuple[str, dict[str, Any]]],
                  problems: list[str]) -> tuple[str | None, int | None]:
    terms = events[0][1]
    start, reserve = int(terms["start_price"]), int(terms["reserve"])
    opens, closes, reveal_closes = _at(terms["opens_at"]), _at(terms["closes_at"]), _at(terms["reveal_closes_at"])
    received: set[str] = set()
    committed: dict[str, dict[str, Any]] = {}
    forfeited: set[str] = set()
    for name, d in events[1:]:
        org = str(d.get("organisation_id"))
        if name == "DepositReceived":
            received.add(org)
        elif name == "BidPlaced":
            problems.append("a sealed lot took an open bid")
        elif name == "BidCommitted":
            if org not in received:
                problems.append(f"bidder {d['bidder_number']} committed without a received deposit")
            if not opens <= _at(d["at"]) < closes:
                problems.append(f"bidder {d['bidder_number']} committed at {d['at']}, outside the commit window")
            if org in committed or not COMMITMENT.match(str(d["commitment"])):
                problems.append(f"bidder {d['bidder_number']}: a second or malformed commitment")
            committed.setdefault(org, {"order": len(committed), "number": int(d["bidder_number"]),
                                       "commitment": d["commitment"]})
        elif name == "BidRevealed":
            held = committed.get(org)
            if held is None or "amount" in held:
                problems.append(f"bidder {d['bidder_number']}: a reveal without a commitment, or a second one")
                continue
            if not closes <= _at(d["at"]) < reveal_closes:
                problems.append(f"bidder {d['bidder_number']} revealed at {d['at']}, outside the reveal window")
            if commitment_of(lot_id, held["number"], int(d["amount"]), str(d["salt"])) != held["commitment"]:
                problems.append(f"bidder {d['bidder_number']}: amount and salt do not give the committed digest")
            held["amount"] = int(d["amount"])
        elif name == "CommitmentForfeited":
            forfeited.add(org)
        elif name == "Closed" and _at(d["at"]) < reveal_closes:
            problems.append(f"closed at {d['at']}, before the reveal window ended")
    if {org for org, c in committed.items() if "amount" not in c} != forfeited:
        problems.append("the forfeited deposits are not those of the unrevealed commitments")
    valid = sorted((-c["amount"], c["order"], org) for org, c in committed.items()
                   if "amount" in c and start <= c["amount"] <= MONEY_LIMIT)
    if not valid or -valid[0][0] < reserve:
        return None, None
    top, _, winner = valid[0]
    if terms["auction_format"] == "sealed_first_price":
        return winner, -top
    return winner, max(-valid[1][0] if len(valid) > 1 else 0, reserve, start)


def verify_lot(lot_id: str, events: list[tuple[str, dict[str, Any]]]) -> tuple[bool, str]:
    """(agrees, one line saying what was found)."""
    if not events or events[0][0] != "Proposed":
        return False, f"lot {lot_id}: its first event is not Lot.Proposed"
    problems: list[str] = []
    fmt = events[0][1].get("auction_format", "timed")
    if fmt == "timed":
        winner, price = timed_result(events, problems)
    else:
        winner, price = sealed_result(lot_id, events, problems)
    closed = [d for name, d in events if name == "Closed"]
    if not closed:
        return False, f"lot {lot_id} ({fmt}): not closed"
    d = closed[-1]
    recorded = (d.get("winner_organisation_id") or None, d.get("price"))
    if str(d["outcome"]).startswith("not_contracted:"):
        if winner is None:
            problems.append("recorded as not contracted, but no bid met the reserve")
    elif recorded != (winner, price):
        problems.append(f"recorded winner {recorded[0]} at {recorded[1]}, recomputed {winner} at {price}")
    line = f"lot {lot_id} ({fmt}): recorded {d['outcome']}; recomputed winner {winner}, price {price}"
    return not problems, "; ".join([line, *problems])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check auction results from an audit export (stdlib only).")
    parser.add_argument("export")
    parser.add_argument("lots", nargs="*", help="lot ids (default: every lot in the export)")
    parser.add_argument("--root", action="append", default=[],
                        help="a published daily root POSITION:HASH, or a file of them (GET /api/audit/roots JSON, "
                             "or `marketplace audit roots` lines)")
    parser.add_argument("--require-anchored", action="store_true",
                        help="fail unless a published root anchors every event of the lots checked")
    args = parser.parse_args(argv)
    try:
        with open(args.export, "rb") as handle:
            lines = [json.loads(raw) for raw in handle if raw.strip()]
        roots, notes = read_roots(args.root, datetime.now(UTC).date())
    except (OSError, ValueError, KeyError, TypeError) as error:
        print(f"cannot read the export or the roots: {error}")
        return 2
    broken, anchored, mismatches = check_chain(lines, roots)
    print(f"hash chain: {broken or 'intact'}")
    ok = broken is None and not mismatches
    for note in notes:
        print(f"note: {note}")
    for mismatch in mismatches:
        print(f"MISMATCH: {mismatch}")
    if lines and "previous" in lines[0]:
        print("note: a lot's own export holds its events alone, so no published root can anchor it; an auditor's "
              "full export, which can, holds the same lines")
    print(f"anchored: positions 1 to {anchored} by a published root" if anchored
          else "anchored: none (no published root given, or none matched)")
    last = lines[-1]["position"] if lines else 0
    first = lines[0]["position"] if lines else 0
    if last > anchored:
        print(f"unanchored from position {max(anchored + 1, first)}: later events are checked only against hashes "
              "the export itself carries, which a rewrite recomputes")
    lots, spans = lots_in(lines), lot_positions(lines)
    wanted = [str(uuid.UUID(lot)) for lot in args.lots] or sorted(lots)
    for lot_id in wanted:
        agrees, said = verify_lot(lot_id, lots.get(lot_id, []))
        first, end = spans.get(lot_id, (0, 0))
        unanchored = end > anchored
        agrees = agrees and not (unanchored and args.require_anchored)
        print(("OK   " if agrees else "FAIL ") + said)
        if unanchored:
            print(f"     lot {lot_id}: its events are unanchored from position {max(first, anchored + 1)}")
        ok = ok and agrees
    print("OK: every result is the one the bids give" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
