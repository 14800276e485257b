# ruff: noqa: F811 - pytest fixtures imported from other test modules are parameters here
"""A closed lot's own export is public (``GET /api/lots/{id}/export.jsonl``): anyone, not only an auditor holding
the full export, checks the result with ``marketplace auction verify`` or ``docs/verify_auction.py``. It holds the
events the result needs exactly as stored, with their chain hashes — the very lines of the full export — bidders by
organisation id and number, never by name; not before the close. It cannot reach a published root, and says so."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from marketplace.audit.chain import export
from marketplace.platform.cli import main
from marketplace.platform.clock import ManualClock
from marketplace.platform.services import Services
from tests.web.test_auctions_web import clock, close_lots, services  # noqa: F401 - fixtures
from tests.web.test_audit_auction_withheld import open_lot_with_a_proxy

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "verify_auction.py"


def test_a_closed_lots_export_is_public_and_verifies(
    client: TestClient[Litestar], services: Services, clock: ManualClock, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, firm, rival, lot = open_lot_with_a_proxy(client, services)
    client.cookies.clear()
    assert client.get(f"/api/lots/{lot}/export.jsonl").status_code == 404  # the maximum is secret until the close
    clock.advance(timedelta(hours=2))
    assert [str(c) for c in close_lots(services)] == [lot]

    answer = client.get(f"/api/lots/{lot}/export.jsonl")  # nobody logged in
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(raw) for raw in answer.content.splitlines()]
    assert [line["topic"].split(":")[1] for line in lines] == [
        "Lot.Proposed", "Lot.DepositReceived", "Lot.DepositReceived", "Lot.ProxySet", "Lot.BidPlaced",
        "Lot.BidPlaced", "Lot.BidPlaced", "Lot.Closed"]
    states = b"".join(base64.b64decode(line["state_b64"]) for line in lines).decode()
    assert firm.organisation_id.replace("-", "") in states  # bidders by organisation id...
    assert "厦门智造装备有限公司" not in states  # ...never by name
    assert "泉州新材料有限公司" not in states
    # The same lines as the full export an auditor holds, which reaches the published roots.
    full = tmp_path / "full.jsonl"
    export(services.address.conninfo(), full)
    by_position = {line["position"]: line for line in map(json.loads, full.read_bytes().splitlines())}
    for line in lines:
        assert {k: v for k, v in line.items() if k != "previous"} == by_position[line["position"]]
        assert line["previous"] == by_position[line["position"] - 1]["hash"]

    mine = tmp_path / "lot.jsonl"
    mine.write_bytes(answer.content)
    capsys.readouterr()
    assert main(["auction", "verify", lot, "--export", str(mine)]) == 0
    said = capsys.readouterr().out
    assert "hash links of the lot's export: intact" in said
    assert f"recomputed winner {firm.organisation_id}, price 1200000" in said
    assert f"unanchored from position {lines[0]['position']}" in said
    assert "no published root can anchor it" in said
    assert main(["auction", "verify", lot, "--export", str(mine), "--require-anchored"]) == 1
    done = subprocess.run([sys.executable, "-I", str(SCRIPT), str(mine), lot], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stdout
    assert f"OK   lot {lot} (timed): recorded sold; recomputed winner {firm.organisation_id}, price 1200000" \
        in done.stdout.splitlines()
    # A line altered without its hash is caught by both.
    forged = [{**line, "state_b64": base64.b64encode(base64.b64decode(line["state_b64"]).replace(
        b"1200000", b"1300000")).decode()} if line["topic"].endswith(":Lot.Closed") else line for line in lines]
    bad = tmp_path / "bad.jsonl"
    bad.write_text("".join(json.dumps(line) + "\n" for line in forged))
    assert main(["auction", "verify", lot, "--export", str(bad)]) == 1
    assert f"BROKEN at position {lines[-1]['position']}" in capsys.readouterr().out
    done = subprocess.run([sys.executable, "-I", str(SCRIPT), str(bad), lot], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 1
    assert f"the chain breaks at position {lines[-1]['position']}" in done.stdout
    del rival
