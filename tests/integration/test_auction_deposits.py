"""Auction deposits and the winner's payment on a real PostgreSQL (issue 15, an attacker review):

1. a second payment of a deposit already paid (a card after a bank transfer, a bank receipt after the card, two
   card payments) is refunded at once through its own gateway (owed and retried when the gateway refuses), and
   the deposit is counted once;
2. a card payment of the winner's contract that the provider is processing or has taken when the term runs out
   does not forfeit the deposit; a payment whose webhook arrives after a forfeit anyway goes back at once, and the
   forfeit is undone only when the provider took the payment within the term;
3. the instalment the winner's deposit pays is not the winner's to pay (nor a bank receipt's);
4. a seller (or a platform admin) ending the winner's contract settles the lot at once: ``seller_default``, the
   winner's deposit refunded.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from domain.auctions.lot import Lot
from domain.deals.payment import PaymentObligation, obligation_id
from domain.shared.errors import ConflictError, PaymentStateError
from marketplace.auctions import commands as ac
from marketplace.auctions.auctions import auction_contract_id
from marketplace.deals import commands as d
from marketplace.deals.gateways.port import GatewayEvent, PaymentGatewayError, RefundResult
from marketplace.platform.services import Services
from tests.unit.deal_helpers import World, make_world, sign_all
from tests.unit.test_auctions import _sold, bid, lot

#: ``_sold`` closes on 3 March at 18:00 Beijing; the default term runs to the end of 13 March in Beijing.
TERM_OVER = datetime(2025, 3, 13, 16, 0, tzinfo=UTC)
DEPOSIT = 100_000


@pytest.fixture
def world(services: Services) -> Iterator[World]:
    w = make_world(services.address.eventsourcing_env())
    yield w
    w.app.close()


def _events(world: World, aggregate_id: UUID, name: str) -> list[Any]:
    return [e for e in world.app.repository.event_store.get(aggregate_id) if type(e).__name__ == name]


def _card_succeeded(world: World, payment_id: str, event_id: str, *, amount: int = DEPOSIT, created: int = 0,
                    obligation: UUID | None = None) -> int | None:
    return world.app.payments.record_gateway_event(GatewayEvent(
        provider="stripe", event_id=event_id, event_type="payment_intent.succeeded", provider_payment_id=payment_id,
        obligation_id=obligation, amount=amount, created=created))


def _registered(world: World, who: str = "firm") -> UUID:
    lot_id = lot(world)
    world.app.auctions.consent(ac.ConsentToLot(lot_id=lot_id), actor_id=world["uni"])
    world.app.auctions.register(ac.RegisterBidder(session_id=world["session"], accept_rules=True),
                                actor_id=world[who])
    return lot_id


def _start(world: World, lot_id: UUID, gateway: str, who: str = "firm") -> str:
    started, _ = world.app.auctions.start_deposit(ac.StartDeposit(lot_id=lot_id, gateway=gateway),
                                                  actor_id=world[who])
    return started.provider_payment_id


def _receipt(world: World, lot_id: UUID, reference: str, who: str = "firm", amount: int = DEPOSIT) -> None:
    world.app.auctions.record_deposit(ac.RecordDepositReceipt(
        lot_id=lot_id, organisation_id=world[f"{who}_org"], amount=amount, bank_reference=reference),
        actor_id=world["admin"])


# --- 1. a second payment of one deposit -----------------------------------------------------------------
def test_a_card_payment_after_the_bank_transfer_was_received_goes_back_through_the_card(world: World) -> None:
    lot_id = _registered(world)
    _start(world, lot_id, "manual")
    intent = _start(world, lot_id, "stripe")  # the bidder also asks for a card: both are paid
    _receipt(world, lot_id, "BANK-firm")  # the transfer arrives first: that is the deposit
    assert _card_succeeded(world, intent, "evt_card") is not None
    held: Lot = world.get(lot_id)
    assert (held.deposits[world["firm_org"]]["status"], held.deposits[world["firm_org"]]["gateway"]) == (
        "received", "manual")
    assert len(_events(world, lot_id, "DepositReceived")) == 1  # counted once
    assert world.stripe.refunds == [(intent, DEPOSIT, world.stripe.refunds[0][2])]  # the card money went back
    assert world.manual.refunds == []
    assert [(e.gateway, e.provider_payment_id) for e in _events(world, lot_id, "DepositPaidTwice")] == [
        ("stripe", intent)]
    assert [e.provider_payment_id for e in _events(world, lot_id, "SecondPaymentRefunded")] == [intent]
    assert _card_succeeded(world, intent, "evt_card_again") is not None  # another delivery: nothing more
    assert len(world.stripe.refunds) == 1
    bid(world, "firm", lot_id, 1_000_000)  # the deposit still lets the bidder bid


def test_a_bank_receipt_recorded_after_the_card_paid_is_refunded_by_the_bank(world: World) -> None:
    lot_id = _registered(world)
    intent = _start(world, lot_id, "stripe")
    assert _card_succeeded(world, intent, "evt_card") is not None
    _receipt(world, lot_id, "BANK-late")
    _receipt(world, lot_id, "BANK-late")  # a double click: one payment, one refund
    held: Lot = world.get(lot_id)
    assert (held.deposits[world["firm_org"]]["status"], held.deposits[world["firm_org"]]["gateway"]) == (
        "received", "stripe")
    assert [r[:2] for r in world.manual.refunds] == [("BANK-late", DEPOSIT)]
    assert world.stripe.refunds == []
    assert held.second_refunds_due == []
    # At the close the deposit goes back once, through the card that paid it.
    world.clock.advance(timedelta(hours=2))
    world.app.auctions.close(ac.CloseLot(lot_id=lot_id))
    assert [r[:2] for r in world.stripe.refunds] == [(intent, DEPOSIT)]
    assert len(world.manual.refunds) == 1


def test_two_card_payments_of_one_deposit_keep_one(world: World) -> None:
    lot_id = _registered(world)
    first = _start(world, lot_id, "stripe")
    _start(world, lot_id, "manual")
    # A day later Stripe has forgotten the idempotency key: the same start makes a new PaymentIntent.
    world.stripe._by_key = {"forgotten": first}
    second = _start(world, lot_id, "stripe")
    assert first != second
    assert _card_succeeded(world, first, "evt_1") is not None
    assert _card_succeeded(world, second, "evt_2") is not None
    held: Lot = world.get(lot_id)
    assert held.deposits[world["firm_org"]]["provider_payment_id"] == first
    assert [r[:2] for r in world.stripe.refunds] == [(second, DEPOSIT)]
    keys = {r[2] for r in world.stripe.refunds}
    world.clock.advance(timedelta(hours=2))
    world.app.auctions.close(ac.CloseLot(lot_id=lot_id))  # no bid: the deposit itself goes back, its own key
    assert [r[:2] for r in world.stripe.refunds] == [(second, DEPOSIT), (first, DEPOSIT)]
    assert len(keys | {r[2] for r in world.stripe.refunds}) == 2


def test_a_second_payment_the_gateway_refuses_to_refund_is_owed_and_retried(world: World) -> None:
    lot_id = _registered(world)
    intent = _start(world, lot_id, "stripe")
    assert _card_succeeded(world, intent, "evt_card") is not None
    refusing = [True]
    original = world.manual.refund

    def refund(provider_payment_id: str, amount: int, *, idempotency_key: str) -> RefundResult:
        if refusing[0]:
            raise PaymentGatewayError("the bank is closed", provider="manual", code="unavailable")
        return original(provider_payment_id, amount, idempotency_key=idempotency_key)

    world.manual.refund = refund  # type: ignore[method-assign]
    _receipt(world, lot_id, "BANK-twice")
    held: Lot = world.get(lot_id)
    assert held.second_refunds_due == ["manual:BANK-twice"]
    assert [e.reason for e in _events(world, lot_id, "SecondPaymentRefundOwed")] == [
        "unavailable: the bank is closed"]
    assert world.app.auctions.retry_refunds(ac.RetryRefunds(lot_id=lot_id)) is None
    assert len(_events(world, lot_id, "SecondPaymentRefundOwed")) == 1
    refusing[0] = False
    assert world.app.auctions.retry_refunds(ac.RetryRefunds(lot_id=lot_id)) is not None
    assert [r[:2] for r in world.manual.refunds] == [("BANK-twice", DEPOSIT)]
    assert world.get(lot_id).second_refunds_due == []
    assert world.get(lot_id).deposits[world["firm_org"]]["status"] == "received"


# --- 2. the winner's card payment and its term ---------------------------------------------------------
def _signed_and_card_started(world: World) -> tuple[UUID, UUID, str]:
    lot_id = _sold(world)
    contract = auction_contract_id(lot_id)
    sign_all(world, contract, "uni", "firm")
    started, _ = world.app.payments.start_payment(d.StartPayment(contract_id=contract, purpose="upfront",
                                                                 gateway="stripe"), actor_id=world["firm"])
    return lot_id, obligation_id(contract, "upfront"), started.provider_payment_id


def test_a_card_payment_the_provider_took_in_time_is_not_forfeited_while_its_webhook_is_late(world: World) -> None:
    lot_id, upfront, intent = _signed_and_card_started(world)
    world.stripe.set_status(intent, "succeeded")  # paid on the 13th; Stripe's webhook is delayed
    world.clock.set(TERM_OVER)
    for status in ("succeeded", "processing"):
        world.stripe.set_status(intent, status)
        with pytest.raises(ConflictError) as underway:
            world.app.auctions.forfeit(ac.ForfeitLot(lot_id=lot_id))
        assert underway.value.code == "auction.payment_underway"
        assert world.get(lot_id).status == "sold"
    world.stripe.set_status(intent, "succeeded")
    assert _card_succeeded(world, intent, "evt_upfront", amount=1_200_000, obligation=upfront,
                           created=int((TERM_OVER - timedelta(hours=1)).timestamp())) is not None
    assert world.get(auction_contract_id(lot_id)).status == "in_force"
    assert world.app.auctions.pay_in_deposit(ac.PayInDeposit(lot_id=lot_id)) is not None
    with pytest.raises(ConflictError) as paid:
        world.app.auctions.forfeit(ac.ForfeitLot(lot_id=lot_id))
    assert paid.value.code == "auction.winner_paid"
    assert world.stripe.refunds == []


def test_a_card_payment_not_made_by_the_term_does_not_hold_off_the_forfeit(world: World) -> None:
    lot_id, _, intent = _signed_and_card_started(world)
    world.stripe.set_status(intent, "requires_payment_method")  # started, never paid
    world.clock.set(TERM_OVER)
    world.app.auctions.forfeit(ac.ForfeitLot(lot_id=lot_id))
    assert world.get(lot_id).status == "forfeited"


def test_a_payment_taken_in_time_whose_webhook_comes_after_the_forfeit_undoes_it(world: World) -> None:
    lot_id, upfront, intent = _signed_and_card_started(world)
    world.stripe.set_status(intent, "requires_action")  # the bank's check was still open at the term
    world.clock.set(TERM_OVER)
    world.app.auctions.forfeit(ac.ForfeitLot(lot_id=lot_id))
    assert world.get(lot_id).status == "forfeited"
    world.clock.advance(timedelta(days=1))
    # Stripe took the money at 23:30 on the 13th (Beijing), within the term; its webhook arrives a day late.
    taken = int((TERM_OVER - timedelta(minutes=30)).timestamp())
    assert _card_succeeded(world, intent, "evt_late", amount=1_200_000, obligation=upfront,
                           created=taken) is not None
    held: Lot = world.get(lot_id)
    assert held.status == "unwound"
    assert held.deposits[world["firm_org"]]["status"] == "refunded"
    assert [r[0] for r in world.manual.refunds] == ["BANK-rival", "BANK-firm"]  # the deposit went back
    assert [r[:2] for r in world.stripe.refunds] == [(intent, 1_200_000)]  # and the payment, at once
    paid: PaymentObligation = world.get(upfront)
    assert paid.status == "refunded"
    assert world.get(auction_contract_id(lot_id)).status == "terminated"
    assert [e.obligation_id for e in _events(world, lot_id, "ForfeitUnwound")] == [upfront]


def test_a_payment_taken_after_the_term_goes_back_and_the_forfeit_stands(world: World) -> None:
    lot_id, upfront, intent = _signed_and_card_started(world)
    world.clock.set(TERM_OVER)
    world.app.auctions.forfeit(ac.ForfeitLot(lot_id=lot_id))
    taken = int((TERM_OVER + timedelta(hours=3)).timestamp())
    assert _card_succeeded(world, intent, "evt_late", amount=1_200_000, obligation=upfront,
                           created=taken) is not None
    held: Lot = world.get(lot_id)
    assert held.status == "forfeited"
    assert held.deposits[world["firm_org"]]["status"] == "forfeited"
    assert [r[0] for r in world.manual.refunds] == ["BANK-rival"]
    assert [r[:2] for r in world.stripe.refunds] == [(intent, 1_200_000)]  # the late payment is not kept
    assert world.get(upfront).status == "refunded"


# --- 3. the instalment the deposit pays ------------------------------------------------------------------
def test_the_winner_cannot_pay_the_instalment_its_deposit_pays(world: World) -> None:
    lot_id = _sold(world)
    contract = auction_contract_id(lot_id)
    sign_all(world, contract, "uni", "firm")
    covered = obligation_id(contract, "instalment-2")
    for gateway in ("stripe", "manual"):
        with pytest.raises(PaymentStateError) as refused:
            world.app.payments.start_payment(d.StartPayment(contract_id=contract, purpose="instalment-2",
                                                            gateway=gateway), actor_id=world["firm"])
        assert refused.value.code == "payment.paid_from_held"
    with pytest.raises(PaymentStateError) as receipt:
        world.app.payments.record_manual_receipt(d.RecordManualReceipt(
            obligation_id=covered, amount=DEPOSIT, bank_reference="BANK-x"), actor_id=world["admin"])
    assert receipt.value.code == "payment.paid_from_held"
    assert world.get(covered).status == "due"
    assert world.get(covered).paid_from == "auction_deposit"
    assert world.get(obligation_id(contract, "upfront")).paid_from == ""
    world.app.payments.record_manual_receipt(d.RecordManualReceipt(
        obligation_id=obligation_id(contract, "upfront"), amount=1_200_000, bank_reference="BANK-rest"),
        actor_id=world["admin"])
    assert world.app.auctions.pay_in_deposit(ac.PayInDeposit(lot_id=lot_id)) is not None
    assert world.get(covered).status == "paid"
    assert world.get(lot_id).deposits[world["firm_org"]]["status"] == "applied"


def test_an_instalment_the_winner_paid_itself_before_the_rule_gives_the_deposit_back(world: World) -> None:
    """A contract signed before the deposit's instalment was marked (its obligation says nothing): the winner paid
    it itself; the deposit then goes back instead of paying it a second time."""
    lot_id = _sold(world)
    contract = auction_contract_id(lot_id)
    world.app.contracts.checks.paid_from = None  # as before this release: the obligation is not marked
    sign_all(world, contract, "uni", "firm")
    covered = obligation_id(contract, "instalment-2")
    assert world.get(covered).paid_from == ""
    world.app.payments.record_manual_receipt(d.RecordManualReceipt(
        obligation_id=covered, amount=DEPOSIT, bank_reference="BANK-own"), actor_id=world["admin"])
    world.app.payments.record_manual_receipt(d.RecordManualReceipt(
        obligation_id=obligation_id(contract, "upfront"), amount=1_200_000, bank_reference="BANK-rest"),
        actor_id=world["admin"])
    assert world.app.auctions.pay_in_deposit(ac.PayInDeposit(lot_id=lot_id)) is not None
    held: Lot = world.get(lot_id)
    assert held.deposits[world["firm_org"]]["status"] == "refunded"
    assert [r[0] for r in world.manual.refunds] == ["BANK-rival", "BANK-firm"]
    assert world.app.auctions.pay_in_deposit(ac.PayInDeposit(lot_id=lot_id)) is None  # once
    assert len(world.manual.refunds) == 2


# --- 4. the seller's certain default ----------------------------------------------------------------------
@pytest.mark.parametrize("ender", ["uni", "admin"])
def test_the_seller_or_the_platform_ending_the_contract_settles_the_lot_at_once(world: World, ender: str) -> None:
    lot_id = _sold(world)
    world.app.contracts.terminate_contract(d.TerminateContract(contract_id=auction_contract_id(lot_id),
                                                               reason="另有安排"), actor_id=world[ender])
    held: Lot = world.get(lot_id)  # the same day, long before the term
    assert held.status == "seller_default"
    assert held.deposits[world["firm_org"]]["status"] == "refunded"
    assert [r[0] for r in world.manual.refunds] == ["BANK-rival", "BANK-firm"]
    assert [e.reason for e in _events(world, lot_id, "SellerDefaulted")] == ["terminated"]
    world.clock.set(TERM_OVER)
    with pytest.raises(ConflictError) as settled:
        world.app.auctions.forfeit(ac.ForfeitLot(lot_id=lot_id))
    assert settled.value.code == "auction.lot_state"
    assert len(world.manual.refunds) == 2


def test_a_winner_ending_its_own_contract_still_waits_for_the_term_and_forfeits(world: World) -> None:
    lot_id = _sold(world)
    world.app.contracts.terminate_contract(d.TerminateContract(contract_id=auction_contract_id(lot_id),
                                                               reason="不要了"), actor_id=world["firm"])
    assert world.get(lot_id).status == "sold"
    world.clock.set(TERM_OVER)
    world.app.auctions.forfeit(ac.ForfeitLot(lot_id=lot_id))
    assert world.get(lot_id).status == "forfeited"
    assert [r[0] for r in world.manual.refunds] == ["BANK-rival"]

