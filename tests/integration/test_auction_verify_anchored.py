"""An audit export carries its own hashes: rewritten wholesale with its hashes recomputed, it chains again. Only a
daily root published before the rewrite pins it. Both auction verifiers (``marketplace auction verify`` and the
stdlib script ``docs/verify_auction.py``) therefore say which positions the published roots anchor and print
"unanchored from position N" for the rest; against a published root a rewritten export fails, and
``--require-anchored`` fails a lot whose events no published root covers yet (a lot closed today)."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from domain.audit.chain import GENESIS, link_hash
from marketplace.audit.chain import export
from marketplace.platform.cli import main
from marketplace.platform.services import Services
from tests.unit.deal_helpers import World, make_world
from tests.unit.test_auction_verify import proxied_lot

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "verify_auction.py"


@pytest.fixture
def world(services: Services) -> Iterator[World]:
    w = make_world(services.address.eventsourcing_env())
    yield w
    w.app.close()


def exported(services: Services, world: World, tmp_path: Path) -> tuple[UUID, Path, list[dict[str, Any]]]:
    lot_id, _ = proxied_lot(world)
    services.make_runner(["audit_chain"]).catch_up()
    path = tmp_path / "honest.jsonl"
    export(services.address.conninfo(), path)
    return lot_id, path, [json.loads(raw) for raw in path.read_bytes().splitlines()]


def rewritten(lines: list[dict[str, Any]], change: Callable[[dict[str, Any]], dict[str, Any]],
              path: Path) -> Path:
    """The export with each event's state passed through ``change`` and every hash recomputed from the first."""
    previous = GENESIS
    out = []
    for line in lines:
        state = json.loads(base64.b64decode(line["state_b64"]))
        raw = json.dumps(change({**state, "_topic": line["topic"]}) | {}, separators=(",", ":")).encode()
        state_bytes = raw.replace(b',"_topic":' + json.dumps(line["topic"]).encode(), b"")
        previous = link_hash(previous, line["position"], line["originator_id"], line["version"], line["topic"],
                             line["timestamp"], state_bytes)
        out.append({**line, "state_b64": base64.b64encode(state_bytes).decode(), "hash": previous.hex()})
    path.write_text("".join(json.dumps(line) + "\n" for line in out))
    return path


def higher_price(state: dict[str, Any]) -> dict[str, Any]:
    """The winning bid and the hammer 100 000 fen higher: a lot that still verifies on its own."""
    topic = state.pop("_topic")
    if topic.endswith(":Lot.BidPlaced") and state["amount"] == 1_700_000:
        state["amount"] = 1_800_000
    if topic.endswith(":Lot.Closed"):
        state["price"] = 1_800_000
    return {**state, "_topic": topic}


def script(*args: str) -> tuple[int, list[str]]:
    done = subprocess.run([sys.executable, "-I", str(SCRIPT), *args], capture_output=True, text=True, timeout=120,
                          check=False)
    return done.returncode, done.stdout.splitlines()


def test_a_rewritten_export_with_recomputed_hashes_fails_against_the_published_root(
    services: Services, world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    lot_id, path, lines = exported(services, world, tmp_path)
    head = lines[-1]
    root = f"{head['position']}:{head['hash']}"  # published once the day ended
    lot = str(lot_id)
    assert main(["auction", "verify", lot, "--export", str(path), "--root", root, "--require-anchored"]) == 0
    said = capsys.readouterr().out
    assert f"anchored: positions 1 to {head['position']} by a published root" in said
    assert "unanchored" not in said
    code, out = script(str(path), lot, "--root", root, "--require-anchored")
    assert code == 0, out
    assert f"anchored: positions 1 to {head['position']} by a published root" in out

    forged = rewritten(lines, higher_price, tmp_path / "forged.jsonl")
    # On its own the rewrite holds together: it chains, and its lot's result is the one its bids give...
    assert main(["auction", "verify", lot, "--export", str(forged)]) == 0
    said = capsys.readouterr().out
    assert "hash chain of the export: intact" in said
    assert "price 1800000" in said
    assert "unanchored from position 1" in said  # ...and the verifier says nothing pins it
    assert main(["auction", "verify", lot, "--export", str(forged), "--require-anchored"]) == 1
    # Against the published root it fails, flag or not.
    assert main(["auction", "verify", lot, "--export", str(forged), "--root", root]) == 1
    said = capsys.readouterr().out
    assert (f"MISMATCH: the published root at position {head['position']} is not the export's hash there: "
            "rewritten history") in said
    assert said.rstrip().endswith("FAILED")
    code, out = script(str(forged), lot)
    assert code == 0, out
    assert "unanchored from position 1: later events are checked only against hashes the export itself carries, " \
           "which a rewrite recomputes" in out
    code, out = script(str(forged), lot, "--root", root)
    assert code == 1
    assert f"MISMATCH: position {head['position']} is not the published root: rewritten history" in out


def test_an_honest_export_of_a_lot_closed_today_is_unanchored_from_the_last_published_root(
    services: Services, world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    lot_id, path, lines = exported(services, world, tmp_path)
    lot = str(lot_id)
    proposed = next(line for line in lines if line["originator_id"] == lot)
    # Yesterday's root closed just before the lot was proposed; today's root (still moving) is not final.
    last_published = lines[lines.index(proposed) - 1]
    roots = tmp_path / "roots.json"
    roots.write_text(json.dumps({"items": [
        {"day": "2099-01-01", "position": lines[-1]["position"], "hash": lines[-1]["hash"], "final": False},
        {"day": "2025-03-02", "position": last_published["position"], "hash": last_published["hash"],
         "final": True}], "total": 2}))
    n = last_published["position"] + 1
    assert main(["auction", "verify", lot, "--export", str(path), "--root", str(roots)]) == 0
    said = capsys.readouterr().out
    assert "note: the root of 2099-01-01 is not final (its UTC day has not ended): not used" in said
    assert f"anchored: positions 1 to {n - 1} by a published root" in said
    assert f"unanchored from position {n}:" in said
    last_of_lot = max(line["position"] for line in lines if line["originator_id"] == lot)
    assert f"the lot's events (positions {proposed['position']} to {last_of_lot}): unanchored from " \
           f"position {proposed['position']}" in said
    assert "OK: the recorded result is the one the bids give" in said
    assert main(["auction", "verify", lot, "--export", str(path), "--root", str(roots), "--require-anchored"]) == 1
    assert "no published root anchors all of the lot's events" in capsys.readouterr().out

    code, out = script(str(path), lot, "--root", str(roots))
    assert code == 0, out
    assert f"unanchored from position {n}: later events are checked only against hashes the export itself " \
           "carries, which a rewrite recomputes" in out
    assert any(line.startswith(f"OK   lot {lot}") for line in out)
    assert f"     lot {lot}: its events are unanchored from position {proposed['position']}" in out
    code, out = script(str(path), lot, "--root", str(roots), "--require-anchored")
    assert code == 1
    assert any(line.startswith(f"FAIL lot {lot}") for line in out)
