"""Auctions on a real PostgreSQL: 50 bidders bidding on one lot at once never get a lower bid accepted after a
higher one, nor two bids in a row from one bidder, nor two winners; the read model follows the lot's own order and
rebuilds from the log to identical rows."""

from __future__ import annotations

import itertools
import random
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
import pytest

from domain.auctions.lot import Lot
from domain.auctions.verify import verify_lot
from domain.deals.payment import obligation_id
from domain.shared.errors import ConflictError, DomainError
from marketplace.auctions import commands as ac
from marketplace.auctions.auctions import auction_contract_id
from marketplace.audit.auction_cli import lot_events, verify_from_export
from marketplace.audit.chain import export
from marketplace.deals import commands as d
from marketplace.platform.cli import main
from marketplace.platform.services import Services
from projections.audit.log import SUMMARIES
from tests.unit.deal_helpers import START, World, accept, make_world, offer

BIDDERS = 50
START_PRICE, INCREMENT = 1_000_000, 10_000
TABLES = ("auction_sessions", "auction_bidders", "auction_lots", "auction_deposits", "auction_bids")


@pytest.fixture
def world(services: Services) -> Iterator[World]:
    w = make_world(services.address.eventsourcing_env() | {"POSTGRES_POOL_SIZE": "5",
                                                          "POSTGRES_POOL_MAX_OVERFLOW": "5"})
    yield w
    w.app.close()


def rows(services: Services) -> dict[str, list[tuple[Any, ...]]]:
    with psycopg.connect(services.address.conninfo()) as conn:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in TABLES}


def open_lot(world: World, bidders: list[str]) -> UUID:
    app = world.app
    session, _ = app.auctions.schedule_session(ac.ScheduleSession(title_zh="并发拍卖会"), actor_id=world["admin"])
    lot, _ = app.auctions.add_lot(ac.AddLot(
        session_id=session, listing_id=world["listing"], kind="assignment", start_price=START_PRICE,
        increment=INCREMENT, opens_at=START, closes_at=START + timedelta(hours=1)), actor_id=world["admin"])
    app.auctions.consent(ac.ConsentToLot(lot_id=lot), actor_id=world["uni"])
    deposit = world.get(lot).deposit
    for who in bidders:
        app.auctions.register(ac.RegisterBidder(session_id=session, accept_rules=True), actor_id=world[who])
        app.auctions.start_deposit(ac.StartDeposit(lot_id=lot, gateway="manual"), actor_id=world[who])
        app.auctions.record_deposit(ac.RecordDepositReceipt(lot_id=lot, organisation_id=world[f"{who}_org"],
                                                            amount=deposit, bank_reference=f"B-{who}"),
                                    actor_id=world["admin"])
    return lot


def test_fifty_bidders_at_once_leave_an_ascending_log_and_one_winner(
    world: World, services: Services, tmp_path: Path,
) -> None:
    bidders = [f"b{i}" for i in range(BIDDERS)]
    for who in bidders:
        world.sign_up(who, f"竞买企业{who}", "enterprise")
    lot = open_lot(world, bidders)
    barrier = threading.Barrier(BIDDERS)
    accepted: list[tuple[str, int]] = []
    refused: list[str] = []
    latencies: list[float] = []
    lock = threading.Lock()

    def bidding(who: str) -> None:
        draw = random.Random(who)
        barrier.wait(timeout=30)
        for _ in range(3):  # each bidder raises on what it last saw, by one to twenty increments, three times
            held: Lot = world.app.repository.get(lot)
            steps = draw.randint(0 if held.current is None else 1, 20)
            amount = (START_PRICE if held.current is None else held.current) + steps * INCREMENT
            began = time.perf_counter()
            try:
                world.app.auctions.bid(ac.PlaceBid(lot_id=lot, amount=amount), actor_id=world[who])
            except DomainError as error:
                with lock:
                    refused.append(error.code or "")
            else:
                with lock:
                    accepted.append((who, amount))
                    latencies.append(time.perf_counter() - began)

    threads = [threading.Thread(target=bidding, args=(who,)) for who in bidders]
    began_all = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    wall = time.perf_counter() - began_all
    held: Lot = world.get(lot)
    amounts = [int(b["amount"]) for b in held.bids]
    assert len(held.bids) == len(accepted) > 1
    assert amounts == sorted(set(amounts)), "a lower bid was accepted after a higher one"
    assert all(a["organisation_id"] != b["organisation_id"] for a, b in zip(held.bids, held.bids[1:], strict=False))
    assert all((b - START_PRICE) % INCREMENT == 0 for b in amounts)
    assert set(refused) <= {"auction.bid_too_low", "auction.own_bid", "auction.busy"}, set(refused)

    world.clock.advance(timedelta(hours=2))
    closing = [threading.Thread(target=lambda: _close(world, lot)) for _ in range(3)]  # three workers at once
    for thread in closing:
        thread.start()
    for thread in closing:
        thread.join(timeout=60)
    held = world.get(lot)
    assert held.status == "sold"
    assert held.winner == held.leader
    contract = world.get(auction_contract_id(lot))
    assert contract.terms["price"] == amounts[-1]
    statuses = [d["status"] for d in held.deposits.values()]
    assert statuses.count("applied") == 1
    assert statuses.count("refunded") == BIDDERS - 1
    # Closers racing may each ask the gateway; the idempotency key (one per deposit) makes it one refund there.
    assert len({key for _, _, key in world.manual.refunds}) == BIDDERS - 1
    refunded = [e for e in world.app.repository.event_store.get(lot) if type(e).__name__ == "DepositRefunded"]
    assert len(refunded) == BIDDERS - 1

    services.make_runner().catch_up()
    before = rows(services)
    assert [r[3] for r in before["auction_bids"]] == amounts
    services.views["auctions"].reset()
    services.make_runner(["auctions"]).catch_up()
    assert rows(services) == before
    with psycopg.connect(services.address.conninfo()) as conn:
        kinds = {k for (k,) in conn.execute("SELECT DISTINCT event_type FROM audit_log_events"
                                            " WHERE aggregate_type IN ('Lot', 'AuctionSession')").fetchall()}
    assert kinds <= set(SUMMARIES)
    assert {"Lot.BidPlaced", "Lot.Closed", "Lot.DepositRefunded", "Lot.DepositApplied"} <= kinds
    # Anyone holding an audit export recomputes the result from the bids alone.
    path = tmp_path / "export.jsonl"
    export(services.address.conninfo(), path)
    chained, verdict = verify_from_export(path, lot)
    assert chained
    assert verdict.ok, verdict.problems
    assert (verdict.winner, verdict.price, verdict.bids) == (str(held.winner), amounts[-1], len(amounts))
    events = lot_events(path, lot)
    forged = [(name, {**data, "winner_organisation_id": str(world["uni_org"])} if name == "Closed" else data)
              for name, data in events]
    assert not verify_lot(forged).ok
    late = [(name, {**data, "at": "2099-01-01T00:00:00+00:00"} if name == "BidPlaced" else data)
            for name, data in events]
    assert any("outside the window" in p for p in verify_lot(late).problems)
    assert main(["auction", "verify", str(lot), "--export", str(path)]) == 0
    kept = [line for line in path.read_bytes().splitlines() if b":Lot.Closed" not in line]
    tampered = tmp_path / "tampered.jsonl"
    tampered.write_bytes(b"\n".join(kept) + b"\n")  # the close's line dropped: the chain breaks there
    assert main(["auction", "verify", str(lot), "--export", str(tampered)]) == 1
    latencies.sort()
    p50, p99 = latencies[len(latencies) // 2], latencies[int(len(latencies) * 0.99)]
    print(f"\n{len(accepted)} bids accepted of {len(accepted) + len(refused)} in {wall:.1f} s "
          f"({(len(accepted) + len(refused)) / wall:.0f} bids decided/s); accepted bids' latency "
          f"p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms")


def _close(world: World, lot: UUID) -> None:
    """A close racing others: one that finds the lot closed answers with the position; only losing every retry to
    the other closers (``auction.busy``) is a refusal, and anything else fails the test."""
    try:
        world.app.auctions.close(ac.CloseLot(lot_id=lot))
    except ConflictError as busy:
        if busy.code != "auction.busy":
            raise


def test_a_consent_and_an_acceptance_at_once_leave_the_patent_held_by_one_of_them(world: World) -> None:
    """The owner consents to a lot while its org accepts an offer made earlier: both save the patent, so one is
    refused (``patent.reserved``) and the patent holds one sale, the lot's or the contract's."""
    app = world.app
    early = offer(world, buyer="rival")
    session, _ = app.auctions.schedule_session(ac.ScheduleSession(title_zh="并发拍卖会"), actor_id=world["admin"])
    lot, _ = app.auctions.add_lot(ac.AddLot(
        session_id=session, listing_id=world["listing"], kind="assignment", start_price=START_PRICE,
        increment=INCREMENT, opens_at=START, closes_at=START + timedelta(hours=1)), actor_id=world["admin"])
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def run(name: str, command: Any) -> None:
        barrier.wait()
        try:
            command()
            outcomes[name] = "ok"
        except DomainError as error:
            outcomes[name] = str(error.code)

    threads = [threading.Thread(target=run, args=("consent", lambda: app.auctions.consent(
                   ac.ConsentToLot(lot_id=lot), actor_id=world["uni"]))),
               threading.Thread(target=run, args=("accept", lambda: accept(world, early)))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes.values()) == ["ok", "patent.reserved"], outcomes
    held = world.get(world["patent"]).sale_reservation
    if outcomes["consent"] == "ok":
        assert world.get(lot).status == "ready"
        assert held["contract_id"] == str(lot)
    else:
        assert world.get(lot).status == "proposed"
        assert held["contract_id"] != str(lot)


def test_a_winner_paying_as_the_forfeit_deadline_passes_is_either_paid_or_forfeited_never_both(
    world: World,
) -> None:
    """The winner's payment (it brings the contract into force) and the deadline worker's forfeit (it ends the
    contract) both save the contract: one of them wins. Paid: the contract is in force and the lot stays sold.
    Forfeited: the contract ended, the patent free, and the payment, if it was recorded after, is owed back."""
    app = world.app
    lot = open_lot(world, ["firm", "rival"])
    app.auctions.bid(ac.PlaceBid(lot_id=lot, amount=START_PRICE), actor_id=world["rival"])
    app.auctions.bid(ac.PlaceBid(lot_id=lot, amount=START_PRICE + INCREMENT), actor_id=world["firm"])
    world.clock.advance(timedelta(hours=2))
    app.auctions.close(ac.CloseLot(lot_id=lot))
    contract = auction_contract_id(lot)
    for party in ("uni", "firm"):
        app.contracts.sign_contract(d.SignContract(contract_id=contract, text_sha256=world.get(contract).text_sha256),
                                    actor_id=world[party])
    held: Lot = world.get(lot)
    assert held.settle_by is not None
    world.clock.set(held.settle_by)  # the very moment the term ends
    upfront = obligation_id(contract, "upfront")
    amount = world.get(upfront).amount
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def run(name: str, command: Any) -> None:
        barrier.wait(timeout=30)
        try:
            command()
            outcomes[name] = "ok"
        except DomainError as error:
            outcomes[name] = str(error.code)

    threads = [
        threading.Thread(target=run, args=("forfeit", lambda: app.auctions.forfeit(ac.ForfeitLot(lot_id=lot)))),
        threading.Thread(target=run, args=("pay", lambda: app.payments.record_manual_receipt(d.RecordManualReceipt(
            obligation_id=upfront, amount=amount, bank_reference="BANK-at-the-deadline"), actor_id=world["admin"]))),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    held = world.get(lot)
    status = world.get(contract).status
    paid = world.get(upfront)
    if outcomes["forfeit"] == "ok":
        assert held.status == "forfeited"
        assert held.deposits[world["firm_org"]]["status"] == "forfeited"
        assert status == "terminated"
        assert world.get(world["patent"]).sale_reservation is None
        # The payment came second and is owed back, or lost the save and recorded nothing: it took no effect.
        if outcomes["pay"] == "ok":
            assert (paid.status, paid.refund_owed is not None) == ("paid", True)
        else:
            assert (outcomes["pay"], paid.status, paid.refund_owed) == ("version.stale", "due", None), outcomes
    else:
        assert outcomes == {"forfeit": "auction.winner_paid", "pay": "ok"}, outcomes
        assert held.status == "sold"
        assert held.deposits[world["firm_org"]]["status"] == "applied"
        assert status == "in_force"
        assert paid.status == "paid"
        assert paid.refund_owed is None


def test_fifty_bidders_and_proxies_at_once_never_accept_a_lower_bid_after_a_higher_one(world: World) -> None:
    """Fifty bidders at once on one lot, half bidding and half raising proxy maxima: in the order the log gives
    the lot's bids (notification ids), the amounts strictly increase; a bid accepted after another was accepted
    (the second began after the first had returned) is the higher; the plain bids in the log are exactly the
    accepted ones; three closers at once record one close, with one winner: the last bid."""
    bidders = [f"p{i}" for i in range(BIDDERS)]
    for who in bidders:
        world.sign_up(who, f"代理竞买企业{who}", "enterprise")
    lot = open_lot(world, bidders)
    barrier = threading.Barrier(BIDDERS)
    accepted: list[tuple[str, str, int, float, float, int]] = []  # who, kind, amount, began, ended, position
    refused: list[str] = []
    lock = threading.Lock()

    def bidding(who: str) -> None:
        draw = random.Random(f"proxy-{who}")
        proxy = int(who[1:]) % 2 == 0
        barrier.wait(timeout=30)
        for _ in range(3):
            held: Lot = world.app.repository.get(lot)
            amount = held.least + draw.randint(0, 30 if proxy else 10) * INCREMENT
            began = time.perf_counter()
            try:
                if proxy:
                    position = world.app.auctions.set_proxy(ac.SetProxyBid(lot_id=lot, maximum=amount),
                                                            actor_id=world[who])
                else:
                    position = world.app.auctions.bid(ac.PlaceBid(lot_id=lot, amount=amount), actor_id=world[who])
            except DomainError as error:
                with lock:
                    refused.append(error.code or "")
            else:
                with lock:
                    accepted.append((who, "proxy" if proxy else "bid", amount, began, time.perf_counter(), position))

    threads = [threading.Thread(target=bidding, args=(who,)) for who in bidders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert not any(thread.is_alive() for thread in threads)
    assert set(refused) <= {"auction.bid_too_low", "auction.own_bid", "auction.busy"}, set(refused)

    topic = "domain.auctions.lot:Lot.BidPlaced"
    logged = [(n.id, world.app.mapper.to_domain_event(n))
              for n in world.app.recorder.select_notifications(start=1, limit=100_000, topics=[topic])
              if n.originator_id == lot]
    amounts = [int(e.amount) for _, e in logged]  # type: ignore[attr-defined]
    proxied = [bool(e.proxy) for _, e in logged]  # type: ignore[attr-defined]
    assert proxied.count(True) >= 1
    assert proxied.count(False) >= 1  # both kinds of bid in the race
    assert all(a < b for a, b in itertools.pairwise(amounts)), "a lower bid followed a higher one"
    versions = [e.originator_version for _, e in logged]
    assert versions == sorted(set(versions))  # the log's order is the lot's own order
    org_of = {world[f"{who}_org"]: who for who in bidders}
    plain = sorted((org_of[e.organisation_id], int(e.amount)) for _, e in logged  # type: ignore[attr-defined]
                   if not e.proxy)  # type: ignore[attr-defined]
    assert plain == sorted((who, amount) for who, kind, amount, *_ in accepted if kind == "bid")
    bids = [(amount, began, ended) for _, kind, amount, began, ended, _ in accepted if kind == "bid"]
    for first_amount, _, first_ended in bids:
        for later_amount, later_began, _ in bids:
            if later_began > first_ended:
                assert later_amount > first_amount, "a bid accepted later was not the higher"
    # Each accepted bid answered with the log position of its save: at or after its own BidPlaced.
    placed_at = {(org_of[e.organisation_id], int(e.amount)): i for i, e in logged  # type: ignore[attr-defined]
                 if not e.proxy}  # type: ignore[attr-defined]
    assert all(position >= placed_at[(who, amount)]
               for who, kind, amount, _, _, position in accepted if kind == "bid")

    world.clock.advance(timedelta(hours=2))
    closing = [threading.Thread(target=lambda: _close(world, lot)) for _ in range(3)]
    for thread in closing:
        thread.start()
    for thread in closing:
        thread.join(timeout=60)
    events = list(world.app.repository.event_store.get(lot))
    closes = [e for e in events if type(e).__name__ == "Closed"]
    assert len(closes) == 1
    last = logged[-1][1]
    assert closes[0].winner_organisation_id == last.organisation_id  # type: ignore[attr-defined]
    assert closes[0].price == amounts[-1]  # type: ignore[attr-defined]
    statuses = [d["status"] for d in world.get(lot).deposits.values()]
    assert (statuses.count("applied"), statuses.count("refunded")) == (1, BIDDERS - 1)


def test_a_session_sent_twice_at_once_with_one_key_is_one_session(world: World) -> None:
    """A double click: the same user's two requests with one idempotency key, at once, both answer the one
    session the first saved (its id derived from the user and the key, not the key)."""
    app = world.app
    key = UUID("5d2f8a41-9c3b-4e7d-8f16-2a0b1c3d4e5f")
    command = ac.ScheduleSession(title_zh="并发拍卖会", session_id=key)
    barrier = threading.Barrier(2)
    answers: list[UUID] = []
    before = app.recorder.max_notification_id() or 0

    def run() -> None:
        barrier.wait()
        answers.append(app.auctions.schedule_session(command, actor_id=world["admin"])[0])

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(answers) == 2
    assert answers[0] == answers[1] != key
    assert world.get(answers[0]).version == 1
    recorded = app.recorder.select_notifications(start=before + 1, limit=10)
    assert [(n.originator_id, n.topic.rsplit(".", 1)[-1]) for n in recorded] == [(answers[0], "Scheduled")]
