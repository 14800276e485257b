"""Sealed-bid lots on a real PostgreSQL: one bidder's two commitments (or two reveals) sent at once leave one; the
read model follows; and the standalone verifier ``docs/verify_auction.py`` (run as its own process, standard
library only) recomputes a timed and a sealed lot from an audit export, agreeing with the recorded winners and
prices, and disagreeing when the export is tampered with — whether the chain is left broken or rewritten."""

from __future__ import annotations

import base64
import hashlib
import json
import struct
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
import pytest

from domain.auctions.lot import Lot
from domain.auctions.sealed import commitment_of
from domain.shared.errors import DomainError
from marketplace.auctions import commands as ac
from marketplace.audit.auction_cli import verify_from_export
from marketplace.audit.chain import export
from marketplace.platform.cli import main
from marketplace.platform.services import Services
from tests.unit.deal_helpers import START, World, make_world

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "verify_auction.py"
HOUR = timedelta(hours=1)
SALT = "c3" * 32


@pytest.fixture
def world(services: Services) -> Iterator[World]:
    w = make_world(services.address.eventsourcing_env() | {"POSTGRES_POOL_SIZE": "5",
                                                          "POSTGRES_POOL_MAX_OVERFLOW": "5"})
    w.sign_up("third", "漳州新材料有限公司", "enterprise")
    yield w
    w.app.close()


def at_once(*runs: Callable[[], Any]) -> list[str]:
    """Run the commands in threads released together: each outcome, "ok" or the refusal's code."""
    barrier = threading.Barrier(len(runs))
    outcomes: list[str] = []

    def run(command: Callable[[], Any]) -> None:
        barrier.wait(timeout=30)
        try:
            command()
            outcomes.append("ok")
        except DomainError as error:
            outcomes.append(str(error.code))

    threads = [threading.Thread(target=run, args=(r,)) for r in runs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(outcomes)


def sealed_lot(world: World, start: Any) -> UUID:
    app = world.app
    session, _ = app.auctions.schedule_session(ac.ScheduleSession(title_zh="密封报价专场"), actor_id=world["admin"])
    lot, _ = app.auctions.add_lot(ac.AddLot(
        session_id=session, listing_id=world["listing"], kind="assignment", start_price=1_000_000,
        reserve=1_200_000, increment=10_000, opens_at=start, closes_at=start + HOUR,
        auction_format="sealed_second_price", reveal_closes_at=start + 2 * HOUR), actor_id=world["admin"])
    app.auctions.consent(ac.ConsentToLot(lot_id=lot), actor_id=world["uni"])
    for who in ("firm", "rival", "third"):
        app.auctions.register(ac.RegisterBidder(session_id=session, accept_rules=True), actor_id=world[who])
        app.auctions.start_deposit(ac.StartDeposit(lot_id=lot, gateway="manual"), actor_id=world[who])
        app.auctions.record_deposit(ac.RecordDepositReceipt(
            lot_id=lot, organisation_id=world[f"{who}_org"], amount=100_000, bank_reference=f"B-{who}"),
            actor_id=world["admin"])
    return lot


def digest(world: World, lot: UUID, who: str, amount: int, salt: str = SALT) -> str:
    held: Lot = world.get(lot)
    return commitment_of(lot, int(held.deposits[world[f"{who}_org"]]["number"]), amount, salt)


def run_script(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-I", str(SCRIPT), *args], capture_output=True, text=True, timeout=120,
                          check=False)


def rechain(lines: list[dict[str, Any]]) -> None:
    """What a forger with write access to everything does: recompute every hash after its edit."""
    previous = bytes(32)
    for e in lines:
        state, topic, stamp = base64.b64decode(e["state_b64"]), e["topic"].encode(), e["timestamp"].encode()
        previous = hashlib.sha256(b"".join((
            previous, struct.pack(">Q", e["position"]), uuid.UUID(e["originator_id"]).bytes,
            struct.pack(">Q", e["version"]), struct.pack(">Q", len(topic)), topic, struct.pack(">Q", len(stamp)),
            stamp, struct.pack(">Q", len(state)), state))).digest()
        e["hash"] = previous.hex()


def edited(path: Path, out: Path, topic: str, change: Callable[[dict[str, Any]], None], *, chain: bool) -> None:
    lines = [json.loads(raw) for raw in path.read_bytes().splitlines() if raw.strip()]
    for e in lines:
        if e["topic"].endswith(topic):
            state = json.loads(base64.b64decode(e["state_b64"]))
            change(state)
            e["state_b64"] = base64.b64encode(json.dumps(state).encode()).decode()
    if chain:
        rechain(lines)
    out.write_text("".join(json.dumps(e) + "\n" for e in lines))


def test_one_bidders_racing_commits_and_reveals_leave_one_and_the_script_agrees(
    world: World, services: Services, tmp_path: Path,
) -> None:
    app = world.app
    # A timed lot first, for the script to check too: bids below its reserve, so the patent is free again after.
    session, _ = app.auctions.schedule_session(ac.ScheduleSession(title_zh="网络竞价"), actor_id=world["admin"])
    timed, _ = app.auctions.add_lot(ac.AddLot(
        session_id=session, listing_id=world["listing"], kind="assignment", start_price=1_000_000,
        reserve=2_000_000, increment=50_000, opens_at=START, closes_at=START + HOUR), actor_id=world["admin"])
    app.auctions.consent(ac.ConsentToLot(lot_id=timed), actor_id=world["uni"])
    for who in ("firm", "rival"):
        app.auctions.register(ac.RegisterBidder(session_id=session, accept_rules=True), actor_id=world[who])
        app.auctions.start_deposit(ac.StartDeposit(lot_id=timed, gateway="manual"), actor_id=world[who])
        app.auctions.record_deposit(ac.RecordDepositReceipt(
            lot_id=timed, organisation_id=world[f"{who}_org"], amount=100_000, bank_reference=f"T-{who}"),
            actor_id=world["admin"])
    app.auctions.bid(ac.PlaceBid(lot_id=timed, amount=1_000_000), actor_id=world["firm"])
    app.auctions.bid(ac.PlaceBid(lot_id=timed, amount=1_050_000), actor_id=world["rival"])
    world.clock.advance(2 * HOUR)
    app.auctions.close(ac.CloseLot(lot_id=timed))

    lot = sealed_lot(world, world.clock.now())
    commit: Callable[[str, int], Callable[[], Any]] = lambda who, amount: lambda: app.auctions.commit_sealed_bid(  # noqa: E731
        ac.CommitSealedBid(lot_id=lot, commitment=digest(world, lot, who, amount)), actor_id=world[who])
    # Two different commitments of one bidder at once (two tabs): one is recorded, the other refused.
    assert at_once(commit("firm", 1_500_000), commit("firm", 1_600_000)) in (
        ["auction.committed", "ok"], ["auction.busy", "ok"])
    # The same commitment twice at once (a double click): both answer, one event.
    assert at_once(commit("rival", 1_300_000), commit("rival", 1_300_000)) == ["ok", "ok"]
    commit("third", 5_000_000)()
    held: Lot = world.get(lot)
    committed = [e for e in app.repository.event_store.get(lot) if type(e).__name__ == "BidCommitted"]
    assert len(committed) == 3
    firm_amount = next(a for a in (1_500_000, 1_600_000)
                       if digest(world, lot, "firm", a) == held.commitments[world["firm_org"]]["commitment"])

    world.clock.advance(HOUR)
    reveal: Callable[[str, int], Callable[[], Any]] = lambda who, amount: lambda: app.auctions.reveal_sealed_bid(  # noqa: E731
        ac.RevealSealedBid(lot_id=lot, amount=amount, salt=SALT), actor_id=world[who])
    assert at_once(reveal("firm", firm_amount), reveal("firm", firm_amount)) == ["ok", "ok"]
    assert at_once(reveal("rival", 1_300_000), reveal("rival", 1_300_000)) == ["ok", "ok"]
    revealed = [e for e in app.repository.event_store.get(lot) if type(e).__name__ == "BidRevealed"]
    assert [(e.organisation_id, e.amount) for e in revealed] == [(world["firm_org"], firm_amount),
                                                                 (world["rival_org"], 1_300_000)]
    services.make_runner().catch_up()
    with psycopg.connect(services.address.conninfo()) as conn:
        assert conn.execute("SELECT commitments, reveals FROM auction_lots WHERE id = %s", (lot,)).fetchone() == (
            3, 2)
    world.clock.advance(HOUR)
    app.auctions.close(ac.CloseLot(lot_id=lot))
    held = world.get(lot)
    assert held.winner == world["firm_org"]
    assert held.deposits[world["third_org"]]["status"] == "forfeited"
    services.make_runner().catch_up()
    with psycopg.connect(services.address.conninfo()) as conn:
        assert conn.execute("SELECT status, price FROM auction_lots WHERE id = %s", (lot,)).fetchone() == (
            "sold", 1_300_000)
        assert conn.execute("SELECT bidder_number, amount, forfeited FROM auction_commitments WHERE lot_id = %s"
                            " ORDER BY seq", (lot,)).fetchall() == [(1, firm_amount, False), (2, 1_300_000, False),
                                                                    (3, None, True)]
        assert conn.execute("SELECT status FROM auction_deposits WHERE lot_id = %s AND organisation_id = %s",
                            (lot, world["third_org"])).fetchone() == ("forfeited",)

    path = tmp_path / "export.jsonl"
    export(services.address.conninfo(), path)
    chained, verdict = verify_from_export(path, lot)
    assert chained
    assert verdict.ok, verdict.problems
    assert (verdict.winner, verdict.price, verdict.forfeits) == (str(world["firm_org"]), 1_300_000, 1)
    assert main(["auction", "verify", str(lot), "--export", str(path)]) == 0

    agreed = run_script(str(path))
    assert agreed.returncode == 0, agreed.stdout + agreed.stderr
    assert "hash chain: intact" in agreed.stdout
    assert (f"OK   lot {lot} (sealed_second_price): recorded sold; recomputed winner {world['firm_org']}, "
            "price 1300000") in agreed.stdout
    assert f"OK   lot {timed} (timed): recorded reserve_not_met; recomputed winner None, price None" in agreed.stdout

    # A reveal's amount altered, the chain left as it was: the chain breaks there.
    broken = tmp_path / "broken.jsonl"
    edited(path, broken, ":Lot.BidRevealed", lambda s: s.update(amount=1_400_000) if s["amount"] == 1_300_000
           else None, chain=False)
    refused = run_script(str(broken), str(lot))
    assert refused.returncode == 1
    assert "hash chain: the chain breaks at position" in refused.stdout
    assert "do not give the committed digest" in refused.stdout
    # The hammer price lowered and the whole chain recomputed: the chain holds, the result does not.
    forged = tmp_path / "forged.jsonl"
    edited(path, forged, ":Lot.Closed", lambda s: s.update(price=1_200_000) if s.get("price") == 1_300_000
           else None, chain=True)
    disagreed = run_script(str(forged), str(lot), str(timed))
    assert disagreed.returncode == 1
    assert "hash chain: intact" in disagreed.stdout
    assert (f"FAIL lot {lot} (sealed_second_price): recorded sold; recomputed winner {world['firm_org']}, price "
            f"1300000; recorded winner {world['firm_org']} at 1200000, recomputed {world['firm_org']} at 1300000"
            in disagreed.stdout)
    assert f"OK   lot {timed} (timed)" in disagreed.stdout
    # …but not a published root: the rewritten chain misses it.
    head = json.loads(path.read_bytes().splitlines()[-1])
    rooted = run_script(str(forged), str(lot), "--root", f"{head['position']}:{head['hash']}")
    assert rooted.returncode == 1
    assert "is not the published root" in rooted.stdout
