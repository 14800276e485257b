"""Who is at fault after the hammer, and refunds that cannot stop a close (an attacker review of the auctions):
a winner loses its deposit only when it did not sign, or did not pay once all had signed; when the seller's side
ended the contract or did not sign (or consent) within the term, the winner's deposit is refunded and the lot ends
without sale (``seller_default``). A deposit refund the gateway refuses (or cannot make) is recorded as owed and
tried again by the deadline worker, and the close is saved all the same. The agency running a session does not bid
in it (拍卖法 art. 22)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from domain.auctions.lot import Lot
from domain.shared.errors import PermissionDeniedError
from marketplace.auctions import commands as ac
from marketplace.auctions.auctions import auction_contract_id
from marketplace.deals import commands as d
from marketplace.deals.gateways.port import PaymentGatewayError, RefundResult
from tests.unit.deal_helpers import World, make_world, sign_all
from tests.unit.test_auctions import _sold, bid, bidder, lot

#: The default term of a lot ``_sold`` closes (3 March, 18:00 Beijing): to the end of 13 March in Beijing.
TERM_OVER = datetime(2025, 3, 13, 16, 0, tzinfo=UTC)


@pytest.fixture
def world() -> World:
    return make_world()


def _events(world: World, lot_id: UUID, name: str) -> list[Any]:
    return [e for e in world.app.repository.event_store.get(lot_id) if type(e).__name__ == name]


def _refunded_to(world: World) -> list[str]:
    return [r[0] for r in world.manual.refunds]


def _settle(world: World, lot_id: UUID) -> Lot:
    world.clock.set(TERM_OVER)
    world.app.auctions.forfeit(ac.ForfeitLot(lot_id=lot_id))
    held: Lot = world.get(lot_id)
    return held


def test_the_seller_ending_the_contract_refunds_the_winner_instead_of_forfeiting(world: World) -> None:
    lot_id = _sold(world)
    contract = auction_contract_id(lot_id)
    world.app.contracts.terminate_contract(d.TerminateContract(contract_id=contract, reason="不卖了"),
                                           actor_id=world["uni"])
    held: Lot = world.get(lot_id)  # settled at once: the seller's default is certain, no need to wait the term
    assert held.status == "seller_default"
    assert held.deposits[world["firm_org"]]["status"] == "refunded"
    assert _refunded_to(world) == ["BANK-rival", "BANK-firm"]  # the winner's deposit went back too
    assert [(e.organisation_id, e.amount, e.reason) for e in _events(world, lot_id, "SellerDefaulted")] == [
        (world["firm_org"], 100_000, "terminated")]
    assert _events(world, lot_id, "WinnerForfeited") == []
    assert world.get(world["listing"]).status == "published"


def test_a_seller_who_never_signs_defaults_and_the_winner_is_refunded(world: World) -> None:
    lot_id = _sold(world)
    sign_all(world, auction_contract_id(lot_id), "firm")  # the winner signed; the seller never does
    held = _settle(world, lot_id)
    assert held.status == "seller_default"
    assert held.deposits[world["firm_org"]]["status"] == "refunded"
    assert [e.reason for e in _events(world, lot_id, "SellerDefaulted")] == ["seller_not_signed"]
    assert world.get(auction_contract_id(lot_id)).status == "terminated"
    assert world.get(world["patent"]).sale_reservation is None


def test_a_winner_who_does_not_sign_or_ends_the_contract_itself_still_forfeits(world: World) -> None:
    lot_id = _sold(world)
    sign_all(world, auction_contract_id(lot_id), "uni")  # the seller signed; the winner never does
    held = _settle(world, lot_id)
    assert held.status == "forfeited"
    assert held.deposits[world["firm_org"]]["status"] == "forfeited"
    assert _refunded_to(world) == ["BANK-rival"]

    other = make_world()
    lot_id = _sold(other)
    other.app.contracts.terminate_contract(d.TerminateContract(contract_id=auction_contract_id(lot_id),
                                                               reason="不要了"), actor_id=other["firm"])
    held = _settle(other, lot_id)
    assert held.status == "forfeited"
    assert [r[0] for r in other.manual.refunds] == ["BANK-rival"]


def _refusing(world: World) -> list[bool]:
    """The bank (manual gateway) refuses refunds while the returned flag is set."""
    refusing = [True]
    original = world.manual.refund

    def refund(provider_payment_id: str, amount: int, *, idempotency_key: str) -> RefundResult:
        if refusing[0]:
            raise PaymentGatewayError("charge_disputed: the charge is disputed", provider="manual",
                                      code="charge_disputed")
        return original(provider_payment_id, amount, idempotency_key=idempotency_key)

    world.manual.refund = refund  # type: ignore[method-assign]
    return refusing


def test_a_refused_refund_does_not_block_the_close_and_is_retried(world: World) -> None:
    refusing = _refusing(world)
    lot_id = _sold(world)  # the close refunds the rival: refused
    held: Lot = world.get(lot_id)
    assert held.status == "sold"
    assert held.winner == world["firm_org"]
    assert held.deposits[world["rival_org"]]["status"] == "refund_owed"
    assert held.refunds_owed == [world["rival_org"]]
    assert [(e.organisation_id, e.amount, e.reason) for e in _events(world, lot_id, "DepositRefundOwed")] == [
        (world["rival_org"], 100_000, "charge_disputed: charge_disputed: the charge is disputed")]
    assert world.app.auctions.retry_refunds(ac.RetryRefunds(lot_id=lot_id)) is None  # refused again
    assert len(_events(world, lot_id, "DepositRefundOwed")) == 1  # recorded once
    refusing[0] = False
    assert world.app.auctions.retry_refunds(ac.RetryRefunds(lot_id=lot_id)) is not None
    assert world.get(lot_id).deposits[world["rival_org"]]["status"] == "refunded"
    assert world.app.auctions.retry_refunds(ac.RetryRefunds(lot_id=lot_id)) is None  # nothing owed any more
    assert _refunded_to(world) == ["BANK-rival"]


def test_a_deposit_whose_gateway_is_gone_is_owed_not_left_received(world: World) -> None:
    lot_id = lot(world)
    world.app.auctions.consent(ac.ConsentToLot(lot_id=lot_id), actor_id=world["uni"])
    bidder(world, "firm", lot_id)
    bidder(world, "rival", lot_id)
    bid(world, "rival", lot_id, 1_200_000)
    bid(world, "firm", lot_id, 1_300_000)
    world.clock.advance(timedelta(hours=2))
    world.restart(gateways={"stripe": world.stripe})  # bank transfers no longer configured
    world.app.auctions.close(ac.CloseLot(lot_id=lot_id))
    held: Lot = world.get(lot_id)
    assert held.status == "sold"
    assert held.deposits[world["rival_org"]]["status"] == "refund_owed"
    assert [e.reason for e in _events(world, lot_id, "DepositRefundOwed")] == ["gateway manual is not configured"]


def test_the_agency_running_a_session_does_not_bid_in_it(world: World) -> None:
    world.sign_up("agency", "福建省技术转移中心", "transfer_agency")
    session_id, _ = world.app.auctions.schedule_session(
        ac.ScheduleSession(title_zh="中心专利拍卖会", title_en="The centre's auction"), actor_id=world["agency"])
    with pytest.raises(PermissionDeniedError) as refused:
        world.app.auctions.register(ac.RegisterBidder(session_id=session_id, accept_rules=True),
                                    actor_id=world["agency"])
    assert refused.value.code == "auction.runner_bids"
    number, _ = world.app.auctions.register(ac.RegisterBidder(session_id=session_id, accept_rules=True),
                                            actor_id=world["firm"])
    assert number == 1
