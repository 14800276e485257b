"""Sealed-bid lots (issue 15) on the in-memory recorder: the commitment's exact bytes, commit before the deadline
only, reveals checked against the digest in the reveal window only, first- and second-price results, ties to the
earlier commitment, an unrevealed commitment forfeiting its deposit, reminders, and the verifier recomputing it all
from the lot's events."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest

from domain.auctions.lot import Lot, deposit_id
from domain.auctions.sealed import commitment_of, sealed_result
from domain.auctions.verify import verify_lot
from domain.deals.contract import Contract
from domain.shared.errors import ConflictError, PermissionDeniedError, ValidationError
from marketplace.auctions import commands as ac
from marketplace.auctions.auctions import auction_contract_id
from tests.unit.deal_helpers import START, World, make_world
from tests.unit.test_auctions import bidder, lot

SALT = "5a" * 32
HOUR = timedelta(hours=1)


@pytest.fixture
def world() -> World:
    w = make_world()
    w.sign_up("third", "漳州新材料有限公司", "enterprise")
    return w


def sealed(world: World, rule: str = "sealed_second_price", **more: Any) -> UUID:
    lot_id = lot(world, auction_format=rule, reveal_closes_at=START + 2 * HOUR, **more)
    world.app.auctions.consent(ac.ConsentToLot(lot_id=lot_id), actor_id=world["uni"])
    return lot_id


def number(world: World, lot_id: UUID, who: str) -> int:
    held: Lot = world.get(lot_id)
    return int(held.deposits[world[f"{who}_org"]]["number"])


def commit(world: World, lot_id: UUID, who: str, amount: int, salt: str = SALT) -> None:
    digest = commitment_of(lot_id, number(world, lot_id, who), amount, salt)
    world.app.auctions.commit_sealed_bid(ac.CommitSealedBid(lot_id=lot_id, commitment=digest), actor_id=world[who])


def reveal(world: World, lot_id: UUID, who: str, amount: int, salt: str = SALT) -> None:
    world.app.auctions.reveal_sealed_bid(ac.RevealSealedBid(lot_id=lot_id, amount=amount, salt=salt),
                                         actor_id=world[who])


def events(world: World, lot_id: UUID) -> list[tuple[str, dict[str, Any]]]:
    def plain(value: Any) -> Any:
        return value if isinstance(value, (int, bool, type(None))) else str(value)

    return [(type(e).__name__, {k: plain(v) for k, v in e.__dict__.items()})
            for e in world.app.repository.event_store.get(lot_id)]


def test_the_commitment_is_sha256_of_the_documented_ascii_text() -> None:
    lot_id = UUID("6f1c2a3b-0000-4000-8000-000000000001")
    text = f"sealed-bid:v1:{lot_id}:3:1234500:{SALT}".encode("ascii")
    assert commitment_of(lot_id, 3, 1_234_500, SALT) == hashlib.sha256(text).hexdigest()
    assert commitment_of(lot_id, 3, 1_234_500, SALT) != commitment_of(lot_id, 4, 1_234_500, SALT)


def test_second_price_rule_and_ties() -> None:
    rule = {"start": 1_000, "reserve": 1_500, "most": 10**12}
    # the second-ranked valid bid sets the price, the reserve below it
    assert sealed_result([(0, "a", 3_000), (1, "b", 2_000), (2, "c", 1_800)], second_price=True, **rule) == ("a", 2_000)
    # the second below the reserve: the reserve; one bid only: the reserve
    assert sealed_result([(0, "a", 3_000), (1, "b", 1_200)], second_price=True, **rule) == ("a", 1_500)
    assert sealed_result([(0, "a", 3_000)], second_price=True, **rule) == ("a", 1_500)
    # no reserve: one bid sells at the starting price
    assert sealed_result([(0, "a", 3_000)], second_price=True, start=1_000, reserve=0, most=10**12) == ("a", 1_000)
    # a tie at the top: the earlier commitment wins, at the tied amount; first price: the own bid
    assert sealed_result([(1, "late", 3_000), (0, "early", 3_000)], second_price=True, **rule) == ("early", 3_000)
    assert sealed_result([(1, "late", 3_000), (0, "early", 3_000)], second_price=False, **rule) == ("early", 3_000)
    # bids below the start are not valid; none at the reserve: nobody
    assert sealed_result([(0, "a", 900), (1, "b", 1_400)], second_price=False, **rule) == (None, None)
    assert sealed_result([(0, "a", 900), (1, "b", 2_400)], second_price=True, **rule) == ("b", 1_500)


def test_a_second_price_lot_with_a_forfeit_sells_at_the_second_bid(world: World) -> None:
    lot_id = sealed(world)
    for who in ("firm", "rival", "third"):
        bidder(world, who, lot_id)
    with pytest.raises(ConflictError) as timed:  # no open bids on a sealed lot
        world.app.auctions.bid(ac.PlaceBid(lot_id=lot_id, amount=1_000_000), actor_id=world["firm"])
    assert timed.value.code == "auction.format"
    commit(world, lot_id, "firm", 1_500_000)
    commit(world, lot_id, "firm", 1_500_000)  # a double submit: nothing more
    with pytest.raises(ConflictError) as again:
        commit(world, lot_id, "firm", 1_700_000)
    assert again.value.code == "auction.committed"
    commit(world, lot_id, "rival", 1_300_000)
    commit(world, lot_id, "third", 9_900_000)  # never revealed
    held: Lot = world.get(lot_id)
    assert all("amount" not in c for c in held.commitments.values())  # the server holds digests only
    with pytest.raises(ConflictError) as early:
        reveal(world, lot_id, "firm", 1_500_000)
    assert early.value.code == "auction.reveal_not_open"

    world.clock.advance(HOUR)  # the commit deadline
    with pytest.raises(ConflictError) as late:
        commit(world, lot_id, "firm", 1_500_000, salt="6b" * 32)
    assert late.value.code == "auction.closed"
    assert world.app.auctions.remind_reveals(ac.RemindReveals(lot_id=lot_id)) is not None
    assert world.app.auctions.remind_reveals(ac.RemindReveals(lot_id=lot_id)) is None  # once per stage
    reminded = [e for e in world.app.repository.event_store.get(lot_id) if type(e).__name__ == "RevealReminded"]
    assert [set(e.organisation_ids) for e in reminded] == [{world["firm_org"], world["rival_org"],
                                                            world["third_org"]}]
    with pytest.raises(ValidationError) as wrong_salt:
        reveal(world, lot_id, "firm", 1_500_000, salt="6b" * 32)
    assert wrong_salt.value.code == "auction.reveal_mismatch"
    with pytest.raises(ValidationError) as wrong_amount:
        reveal(world, lot_id, "firm", 1_600_000)
    assert wrong_amount.value.code == "auction.reveal_mismatch"
    assert all("amount" not in c for c in world.get(lot_id).commitments.values())  # nothing recorded
    reveal(world, lot_id, "firm", 1_500_000)
    reveal(world, lot_id, "firm", 1_500_000)  # a double submit: nothing more
    world.clock.advance(timedelta(minutes=30))  # half the reveal window: the second reminder, to the others
    world.app.auctions.remind_reveals(ac.RemindReveals(lot_id=lot_id))
    reminded = [e for e in world.app.repository.event_store.get(lot_id) if type(e).__name__ == "RevealReminded"]
    assert set(reminded[-1].organisation_ids) == {world["rival_org"], world["third_org"]}
    reveal(world, lot_id, "rival", 1_300_000)
    with pytest.raises(ConflictError) as still:
        world.app.auctions.close(ac.CloseLot(lot_id=lot_id))
    assert still.value.code == "auction.still_open"

    world.clock.advance(timedelta(minutes=30))  # the reveal window ends
    with pytest.raises(ConflictError) as too_late:
        reveal(world, lot_id, "third", 9_900_000)
    assert too_late.value.code == "auction.reveal_closed"
    world.app.auctions.close(ac.CloseLot(lot_id=lot_id))
    held = world.get(lot_id)
    assert (held.status, held.winner) == ("sold", world["firm_org"])
    contract: Contract = world.get(auction_contract_id(lot_id))
    assert contract.terms["price"] == 1_300_000  # the second bid (above the 1 200 000 reserve)
    statuses = {org: d["status"] for org, d in held.deposits.items()}
    assert statuses == {world["firm_org"]: "applied", world["rival_org"]: "refunded",
                        world["third_org"]: "forfeited"}
    assert {key for _, _, key in world.manual.refunds} == {f"refund-{deposit_id(lot_id, world['rival_org'])}"}
    forfeits = [e for e in world.app.repository.event_store.get(lot_id) if type(e).__name__ == "CommitmentForfeited"]
    assert [(f.organisation_id, f.amount) for f in forfeits] == [(world["third_org"], 100_000)]

    verdict = verify_lot(events(world, lot_id), str(lot_id))
    assert verdict.ok, verdict.problems
    assert (verdict.winner, verdict.price, verdict.commitments, verdict.reveals, verdict.forfeits) == (
        str(world["firm_org"]), 1_300_000, 3, 2, 1)
    forged = [(n, {**d, "amount": 1_400_000} if n == "BidRevealed" and d["amount"] == 1_300_000 else d)
              for n, d in events(world, lot_id)]
    firm = world["firm_org"]
    assert verify_lot(forged, str(lot_id)).problems == [
        "reveal 2: amount and salt do not give the committed digest",
        f"recorded winner and price ('{firm}', 1300000), recomputed ('{firm}', 1400000)"]
    unforfeited = [(n, d) for n, d in events(world, lot_id) if n != "CommitmentForfeited"]
    assert not verify_lot(unforfeited, str(lot_id)).ok
    assert verify_lot(unforfeited, str(lot_id)).problems == [
        "the forfeited deposits are not those of the unrevealed commitments"]


def test_a_first_price_tie_goes_to_the_earlier_commitment_at_its_own_bid(world: World) -> None:
    lot_id = sealed(world, "sealed_first_price", reserve=0)
    for who in ("firm", "rival"):
        bidder(world, who, lot_id)
    commit(world, lot_id, "rival", 2_000_000)
    commit(world, lot_id, "firm", 2_000_000)
    world.clock.advance(HOUR)
    reveal(world, lot_id, "firm", 2_000_000)
    reveal(world, lot_id, "rival", 2_000_000)
    world.clock.advance(HOUR)
    world.app.auctions.close(ac.CloseLot(lot_id=lot_id))
    assert world.get(lot_id).winner == world["rival_org"]
    assert world.get(auction_contract_id(lot_id)).terms["price"] == 2_000_000
    verdict = verify_lot(events(world, lot_id), str(lot_id))
    assert verdict.ok, verdict.problems
    assert verdict.winner == str(world["rival_org"])


def test_who_may_commit_and_what_a_sealed_lot_takes(world: World) -> None:
    with pytest.raises(ValidationError) as no_window:
        lot(world, auction_format="sealed_first_price")
    assert no_window.value.code == "auction.window"
    with pytest.raises(ValidationError) as short:
        lot(world, auction_format="sealed_first_price", reveal_closes_at=START + HOUR + timedelta(minutes=5))
    assert short.value.code == "auction.window"
    lot_id = sealed(world)
    world.app.auctions.register(ac.RegisterBidder(session_id=world["session"], accept_rules=True),
                                actor_id=world["firm"])
    digest = commitment_of(lot_id, 1, 1_000_000, SALT)
    with pytest.raises(PermissionDeniedError) as no_deposit:
        world.app.auctions.commit_sealed_bid(ac.CommitSealedBid(lot_id=lot_id, commitment=digest),
                                             actor_id=world["firm"])
    assert no_deposit.value.code == "auction.deposit_needed"
    bidder(world, "rival", lot_id)
    with pytest.raises(ValidationError) as not_hex:  # the domain checks the digest as the command struct does
        world.get(lot_id).commit_bid(organisation_id=world["rival_org"], commitment="Z" * 64, now=START,
                                     by=world["rival"])
    assert not_hex.value.code == "auction.commitment"
    world.clock.advance(HOUR)
    with pytest.raises(ConflictError) as none:
        reveal(world, lot_id, "rival", 1_000_000)
    assert none.value.code == "auction.no_commitment"
    world.clock.advance(HOUR)
    world.app.auctions.close(ac.CloseLot(lot_id=lot_id))
    held: Lot = world.get(lot_id)
    assert (held.status, held.deposits[world["rival_org"]]["status"]) == ("unsold", "refunded")
    closed = next(e for e in world.app.repository.event_store.get(lot_id) if type(e).__name__ == "Closed")
    assert closed.outcome == "no_bids"


def test_old_timed_lots_load_as_timed(world: World) -> None:
    lot_id = lot(world)
    held: Lot = world.get(lot_id)
    assert (held.sealed, held.auction_format, held.reveal_closes_at) == (False, "timed", "")
    proposed = world.app.repository.event_store.get(lot_id).__next__()
    state = {k: v for k, v in proposed.__dict__.items() if k not in ("auction_format", "reveal_closes_at")}
    old = object.__new__(type(proposed))
    old.__dict__.update(state)  # an event stored before sealed lots: the class defaults stand in
    assert (old.auction_format, old.reveal_closes_at) == ("timed", "")
    assert old.mutate(None).sealed is False
