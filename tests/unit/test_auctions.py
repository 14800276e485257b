"""Auctions (issue 15) on the in-memory recorder: a session, a consented lot, registered bidders with deposits
received, the bid rules (start, increment steps, no outbidding oneself, the server's clock), the soft close, and
the close: the winner's contract drafted with its deposit applied, the other deposits refunded; a lot that misses
its reserve is not sold."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest

from domain.auctions.lot import Lot, check_bid, deposit_amount
from domain.auctions.session import AuctionSession
from domain.deals.contract import Contract
from domain.deals.payment import PaymentObligation, obligation_id
from domain.shared.errors import ConflictError, PermissionDeniedError, ValidationError
from domain.shared.ids import natural_id
from marketplace.auctions import commands as ac
from marketplace.auctions.auctions import auction_contract_id
from marketplace.deals import commands as d
from marketplace.deals.gateways.port import GatewayEvent
from tests.unit.deal_helpers import START, World, accept, make_world, offer, sign_all


@pytest.fixture
def world() -> World:
    return make_world()


def lot(world: World, **more: Any) -> UUID:
    session_id, _ = world.app.auctions.schedule_session(
        ac.ScheduleSession(title_zh="2025 春季专利拍卖会", title_en="Spring 2025 patent auction"),
        actor_id=world["admin"])
    world.ids["session"] = session_id
    values: dict[str, Any] = {"kind": "assignment", "start_price": 1_000_000, "reserve": 1_200_000,
                              "increment": 100_000, "opens_at": START, "closes_at": START + timedelta(hours=1),
                              **more}
    lot_id, _ = world.app.auctions.add_lot(ac.AddLot(session_id=session_id, listing_id=world["listing"], **values),
                                           actor_id=world["admin"])
    return lot_id


def bidder(world: World, who: str, lot_id: UUID) -> None:
    world.app.auctions.register(ac.RegisterBidder(session_id=world["session"], accept_rules=True),
                                actor_id=world[who])
    world.app.auctions.start_deposit(ac.StartDeposit(lot_id=lot_id, gateway="manual"), actor_id=world[who])
    held: Lot = world.get(lot_id)
    world.app.auctions.record_deposit(ac.RecordDepositReceipt(
        lot_id=lot_id, organisation_id=world[f"{who}_org"], amount=held.deposit, bank_reference=f"BANK-{who}"),
        actor_id=world["admin"])


def three_bidders_lot(world: World) -> UUID:
    """A consented lot without a reserve, the firm, the rival and a third enterprise registered with deposits."""
    lot_id = lot(world, reserve=0)
    world.app.auctions.consent(ac.ConsentToLot(lot_id=lot_id), actor_id=world["uni"])
    world.sign_up("third", "漳州新材料有限公司", "enterprise")
    for who in ("firm", "rival", "third"):
        bidder(world, who, lot_id)
    return lot_id


def bid(world: World, who: str, lot_id: UUID, amount: int) -> None:
    world.app.auctions.bid(ac.PlaceBid(lot_id=lot_id, amount=amount), actor_id=world[who])


def test_amount_rules() -> None:
    check_bid(amount=1_000, start=1_000, increment=100, current=None)
    check_bid(amount=1_300, start=1_000, increment=100, current=1_100)
    for amount, current, code in ((900, None, "auction.bid_too_low"), (1_150, None, "auction.bid_step"),
                                  (1_100, 1_100, "auction.bid_too_low")):
        with pytest.raises(ValidationError) as refused:
            check_bid(amount=amount, start=1_000, increment=100, current=current)
        assert refused.value.code == code
    assert deposit_amount(1_000_001, 1000) == 100_001  # rounded up to the fen


def test_a_timed_lot_sells_to_the_highest_bidder_and_refunds_the_other(world: World) -> None:
    lot_id = lot(world)
    with pytest.raises(PermissionDeniedError):  # a stranger cannot consent for the owner
        world.app.auctions.consent(ac.ConsentToLot(lot_id=lot_id), actor_id=world["firm"])
    world.sign_up("rival2", "漳州新材料有限公司", "enterprise")
    world.app.auctions.register(ac.RegisterBidder(session_id=world["session"], accept_rules=True),
                                actor_id=world["firm"])
    with pytest.raises(ConflictError) as unconsented:
        world.app.auctions.start_deposit(ac.StartDeposit(lot_id=lot_id), actor_id=world["firm"])
    assert unconsented.value.code == "auction.lot_state"
    world.app.auctions.consent(ac.ConsentToLot(lot_id=lot_id), actor_id=world["uni"])
    with pytest.raises(ValidationError) as by_cheque:
        world.app.auctions.start_deposit(ac.StartDeposit(lot_id=lot_id, gateway="cheque"), actor_id=world["firm"])
    assert by_cheque.value.code == "choice"
    with pytest.raises(ValidationError):
        world.app.auctions.register(ac.RegisterBidder(session_id=world["session"], accept_rules=False),
                                    actor_id=world["rival"])
    bidder(world, "firm", lot_id)
    bidder(world, "rival", lot_id)
    world.app.auctions.register(ac.RegisterBidder(session_id=world["session"], accept_rules=True),
                                actor_id=world["rival2"])
    with pytest.raises(PermissionDeniedError) as no_deposit:
        bid(world, "rival2", lot_id, 1_000_000)
    assert no_deposit.value.code == "auction.deposit_needed"
    world.app.auctions.register(ac.RegisterBidder(session_id=world["session"], accept_rules=True),
                                actor_id=world["uni"])
    with pytest.raises(PermissionDeniedError):  # the owner does not bid on its own lot
        world.app.auctions.start_deposit(ac.StartDeposit(lot_id=lot_id), actor_id=world["uni"])
    bid(world, "firm", lot_id, 1_000_000)
    with pytest.raises(ConflictError) as own:
        bid(world, "firm", lot_id, 1_100_000)
    assert own.value.code == "auction.own_bid"
    with pytest.raises(ValidationError):
        bid(world, "rival", lot_id, 1_050_000)
    bid(world, "rival", lot_id, 1_100_000)
    world.clock.advance(timedelta(minutes=57))  # three minutes before the end: the end moves 5 minutes
    bid(world, "firm", lot_id, 1_300_000)
    held: Lot = world.get(lot_id)
    assert held.closes == START + timedelta(hours=1, minutes=5)
    assert held.bids[-1]["at"] == (START + timedelta(minutes=57)).isoformat()
    world.clock.advance(timedelta(minutes=4))  # past the first end, before the extended one
    with pytest.raises(ConflictError) as still:
        world.app.auctions.close(ac.CloseLot(lot_id=lot_id))
    assert still.value.code == "auction.still_open"
    world.clock.advance(timedelta(minutes=5))
    with pytest.raises(ConflictError) as late:
        bid(world, "rival", lot_id, 1_400_000)
    assert late.value.code == "auction.closed"
    world.app.auctions.close(ac.CloseLot(lot_id=lot_id))
    world.app.auctions.close(ac.CloseLot(lot_id=lot_id))  # a second worker: nothing more
    held = world.get(lot_id)
    assert held.status == "sold"
    assert held.winner == world["firm_org"]
    contract: Contract = world.get(auction_contract_id(lot_id))
    assert contract.buyer_organisation_id == world["firm_org"]
    assert contract.terms["price"] == 1_300_000
    assert held.deposits[world["firm_org"]]["status"] == "applied"
    assert held.deposits[world["rival_org"]]["status"] == "refunded"
    assert world.manual.refunds == [("BANK-rival", 100_000, f"refund-{_deposit(lot_id, world['rival_org'])}")]

    # No public notice: an auction's price is not negotiated.
    assert contract.notice_ends_at is None
    # The buyer pays the rest, which brings the contract into force; only then does the deposit pay the second
    # instalment (until then it is the platform's to keep, should the winner forfeit).
    assert [i["amount"] for i in contract.terms["instalments"]] == [1_200_000, 100_000]
    assert world.app.auctions.pay_in_deposit(ac.PayInDeposit(lot_id=lot_id)) is None  # not signed yet
    sign_all(world, contract.id, "uni", "firm")
    assert world.app.auctions.pay_in_deposit(ac.PayInDeposit(lot_id=lot_id)) is None  # signed, not paid
    assert world.get(obligation_id(contract.id, "instalment-2")).status == "due"
    rest: PaymentObligation = world.get(obligation_id(contract.id, "upfront"))
    world.app.payments.record_manual_receipt(d.RecordManualReceipt(
        obligation_id=rest.id, amount=1_200_000, bank_reference="BANK-rest"), actor_id=world["admin"])
    assert world.get(contract.id).status == "in_force"
    assert world.app.auctions.pay_in_deposit(ac.PayInDeposit(lot_id=lot_id)) is not None
    assert world.app.auctions.pay_in_deposit(ac.PayInDeposit(lot_id=lot_id)) is None  # once
    deposit_part: PaymentObligation = world.get(obligation_id(contract.id, "instalment-2"))
    assert deposit_part.status == "paid"
    assert deposit_part.amount == 100_000
    # Paid: past the term nothing is forfeited.
    world.clock.advance(timedelta(days=30))
    with pytest.raises(ConflictError) as paid:
        world.app.auctions.forfeit(ac.ForfeitLot(lot_id=lot_id))
    assert paid.value.code == "auction.winner_paid"


def _deposit(lot_id: UUID, org: UUID) -> UUID:
    from domain.auctions.lot import deposit_id
    return deposit_id(lot_id, org)


def test_a_lot_missing_its_reserve_is_not_sold(world: World) -> None:
    lot_id = lot(world, reserve=5_000_000)
    world.app.auctions.consent(ac.ConsentToLot(lot_id=lot_id), actor_id=world["uni"])
    bidder(world, "firm", lot_id)
    bid(world, "firm", lot_id, 1_000_000)
    world.clock.advance(timedelta(hours=2))
    world.app.auctions.close(ac.CloseLot(lot_id=lot_id))
    held: Lot = world.get(lot_id)
    assert held.status == "unsold"
    assert held.winner is None
    assert held.contract_id is None
    assert held.deposits[world["firm_org"]]["status"] == "refunded"
    assert world.get(world["listing"]).status == "published"


def test_a_deposit_arriving_after_the_close_goes_back_at_once(world: World) -> None:
    lot_id = lot(world)
    world.app.auctions.consent(ac.ConsentToLot(lot_id=lot_id), actor_id=world["uni"])
    world.app.auctions.register(ac.RegisterBidder(session_id=world["session"], accept_rules=True),
                                actor_id=world["firm"])
    world.app.auctions.start_deposit(ac.StartDeposit(lot_id=lot_id), actor_id=world["firm"])
    world.clock.advance(timedelta(hours=2))
    world.app.auctions.close(ac.CloseLot(lot_id=lot_id))
    world.app.auctions.record_deposit(ac.RecordDepositReceipt(
        lot_id=lot_id, organisation_id=world["firm_org"], amount=100_000, bank_reference="LATE-1"),
        actor_id=world["admin"])
    held: Lot = world.get(lot_id)
    assert held.deposits[world["firm_org"]]["status"] == "refunded"
    assert world.manual.refunds == [("LATE-1", 100_000, f"refund-{_deposit(lot_id, world['firm_org'])}")]


def test_only_a_platform_admin_runs_sessions(world: World) -> None:
    with pytest.raises(PermissionDeniedError):
        world.app.auctions.schedule_session(ac.ScheduleSession(title_zh="x"), actor_id=world["firm"])
    with pytest.raises(ValidationError):
        lot(world, closes_at=START - timedelta(hours=1))


def test_proxy_bids_answer_by_the_smallest_raise_and_ties_go_to_the_earlier(world: World) -> None:
    lot_id = three_bidders_lot(world)
    world.app.auctions.set_proxy(ac.SetProxyBid(lot_id=lot_id, maximum=1_500_000), actor_id=world["firm"])
    held: Lot = world.get(lot_id)
    assert (held.leader, held.current) == (world["firm_org"], 1_000_000)  # the proxy opened at the start
    bid(world, "rival", lot_id, 1_100_000)
    held = world.get(lot_id)
    assert (held.leader, held.current) == (world["firm_org"], 1_200_000)  # answered by one increment
    with pytest.raises(ValidationError):
        world.app.auctions.set_proxy(ac.SetProxyBid(lot_id=lot_id, maximum=1_250_000), actor_id=world["rival"])
    world.app.auctions.set_proxy(ac.SetProxyBid(lot_id=lot_id, maximum=1_500_000), actor_id=world["rival"])
    held = world.get(lot_id)
    assert (held.leader, held.current) == (world["firm_org"], 1_500_000)  # a tie: the earlier maximum holds
    with pytest.raises(ValidationError) as tied:  # a manual bid equal to the earlier maximum does not take the lead
        bid(world, "third", lot_id, 1_500_000)
    assert (tied.value.code, tied.value.params["least"]) == ("auction.bid_too_low", 1_600_000)
    bid(world, "third", lot_id, 1_700_000)
    held = world.get(lot_id)
    assert (held.leader, held.current) == (world["third_org"], 1_700_000)  # both maxima passed: no answer
    amounts = [int(b["amount"]) for b in held.bids]
    assert amounts == sorted(set(amounts))
    proxied = [e for e in world.app.repository.event_store.get(lot_id) if type(e).__name__ == "BidPlaced"]
    assert [e.proxy for e in proxied] == [True, False, True, True, False]  # type: ignore[attr-defined]


def test_a_manual_bid_equal_to_an_earlier_proxy_maximum_is_refused_naming_the_least_that_leads(
        world: World) -> None:
    """eBay's rule: equal maxima, the earlier holds. The proxy cannot answer with an equal bid (the log is strictly
    ascending), so the later manual bid is refused and told the least amount that takes the lead."""
    lot_id = lot(world, reserve=0)
    world.app.auctions.consent(ac.ConsentToLot(lot_id=lot_id), actor_id=world["uni"])
    for who in ("firm", "rival"):
        bidder(world, who, lot_id)
    bid(world, "rival", lot_id, 1_000_000)
    world.app.auctions.set_proxy(ac.SetProxyBid(lot_id=lot_id, maximum=1_500_000), actor_id=world["firm"])
    held: Lot = world.get(lot_id)
    assert (held.leader, held.current) == (world["firm_org"], 1_100_000)
    with pytest.raises(ValidationError) as tied:
        bid(world, "rival", lot_id, 1_500_000)
    assert tied.value.code == "auction.bid_too_low"
    assert tied.value.params["least"] == 1_600_000
    held = world.get(lot_id)
    assert (held.leader, held.current, len(held.bids)) == (world["firm_org"], 1_100_000, 2)  # nothing recorded
    bid(world, "rival", lot_id, 1_400_000)  # below the maximum: the proxy answers with its maximum
    held = world.get(lot_id)
    assert (held.leader, held.current) == (world["firm_org"], 1_500_000)
    bid(world, "rival", lot_id, 1_600_000)  # above it: the manual bid leads
    held = world.get(lot_id)
    assert (held.leader, held.current) == (world["rival_org"], 1_600_000)
    amounts = [int(b["amount"]) for b in held.bids]
    assert amounts == sorted(set(amounts))


def test_a_live_lot_holds_its_patent_until_the_close_drafts_the_winners_contract(world: World) -> None:
    lot_id = lot(world)
    world.sign_up("rival2", "漳州新材料有限公司", "enterprise")
    early = offer(world, buyer="rival2")  # made before the consent
    world.app.auctions.consent(ac.ConsentToLot(lot_id=lot_id), actor_id=world["uni"])
    assert world.get(world["patent"]).sale_reservation["contract_id"] == str(lot_id)
    with pytest.raises(ConflictError) as made:  # no offer is made on the listing while the lot is live
        offer(world, buyer="rival")
    assert made.value.code == "patent.reserved"
    with pytest.raises(ConflictError) as licence:  # nor a licence
        offer(world, buyer="rival", kind="non_exclusive_licence")
    assert licence.value.code == "patent.reserved"
    with pytest.raises(ConflictError) as accepted:  # an offer made before cannot be accepted
        accept(world, early)
    assert accepted.value.code == "patent.reserved"
    bidder(world, "firm", lot_id)
    bid(world, "firm", lot_id, 1_300_000)
    world.clock.advance(timedelta(hours=2))
    world.app.auctions.close(ac.CloseLot(lot_id=lot_id))
    held: Lot = world.get(lot_id)
    assert held.status == "sold"
    assert held.contract_id == auction_contract_id(lot_id)
    # the lot's hold ended in the close's save; the winner's assignment holds the patent now
    assert world.get(world["patent"]).sale_reservation["contract_id"] == str(held.contract_id)
    with pytest.raises(ConflictError) as after:
        accept(world, early)
    assert after.value.code == "patent.reserved"


def test_an_unsold_lot_lets_go_of_its_patent(world: World) -> None:
    lot_id = lot(world, reserve=5_000_000)
    world.app.auctions.consent(ac.ConsentToLot(lot_id=lot_id), actor_id=world["uni"])
    world.app.auctions.consent(ac.ConsentToLot(lot_id=lot_id), actor_id=world["uni"])  # a double submit: one hold
    bidder(world, "firm", lot_id)
    bid(world, "firm", lot_id, 1_000_000)
    world.clock.advance(timedelta(hours=2))
    world.app.auctions.close(ac.CloseLot(lot_id=lot_id))
    assert world.get(lot_id).status == "unsold"
    assert world.get(world["patent"]).sale_reservation is None
    contract_id = accept(world, offer(world, buyer="rival"))  # an ordinary offer is accepted again
    assert world.get(world["patent"]).sale_reservation["contract_id"] == str(contract_id)


def test_a_lot_is_not_consented_while_another_sale_holds_the_patent(world: World) -> None:
    contract_id = accept(world, offer(world, buyer="rival"))
    lot_id = lot(world)
    with pytest.raises(ConflictError) as refused:
        world.app.auctions.consent(ac.ConsentToLot(lot_id=lot_id), actor_id=world["uni"])
    assert refused.value.code == "patent.reserved"
    assert refused.value.params["contract"] == str(contract_id)
    assert world.get(lot_id).status == "proposed"


def test_an_exclusive_licence_lot_is_refused_consent_while_a_licence_it_would_contradict_exists(
        world: World) -> None:
    """A non-exclusive licence drafted before the lot: an exclusive licence would exclude its licensee, so the
    owner's consent is refused with the deals' own reason, and the lot holds nothing."""
    licence = accept(world, offer(world, buyer="rival", kind="non_exclusive_licence"))
    lot_id = lot(world, kind="exclusive_licence")
    with pytest.raises(ConflictError) as refused:
        world.app.auctions.consent(ac.ConsentToLot(lot_id=lot_id), actor_id=world["uni"])
    assert refused.value.code == "licence.overlap"
    assert world.get(lot_id).status == "proposed"
    assert world.get(world["patent"]).sale_reservation is None
    # Once that licence ended before taking effect, the same lot is consented.
    world.app.contracts.terminate_contract(d.TerminateContract(contract_id=licence, reason="不再需要"),
                                           actor_id=world["uni"])
    world.app.auctions.consent(ac.ConsentToLot(lot_id=lot_id), actor_id=world["uni"])
    assert world.get(lot_id).status == "ready"
    assert world.get(world["patent"]).sale_reservation["contract_id"] == str(lot_id)


def test_an_assignment_lot_is_consented_beside_a_licence(world: World) -> None:
    """Licences survive a transfer: an assignment lot is not refused for a licence the patent has."""
    accept(world, offer(world, buyer="rival", kind="exclusive_licence"))
    lot_id = lot(world)
    world.app.auctions.consent(ac.ConsentToLot(lot_id=lot_id), actor_id=world["uni"])
    assert world.get(lot_id).status == "ready"


def _sold(world: World, **more: Any) -> UUID:
    """A lot sold to the firm at 1,300,000 (the rival bid 1,200,000), closed at START + 2 h (18:00 Beijing)."""
    lot_id = lot(world, **more)
    world.app.auctions.consent(ac.ConsentToLot(lot_id=lot_id), actor_id=world["uni"])
    bidder(world, "firm", lot_id)
    bidder(world, "rival", lot_id)
    bid(world, "rival", lot_id, 1_200_000)
    bid(world, "firm", lot_id, 1_300_000)
    world.clock.advance(timedelta(hours=2))
    world.app.auctions.close(ac.CloseLot(lot_id=lot_id))
    return lot_id


def test_a_winner_who_does_not_pay_within_the_term_forfeits_its_deposit(world: World) -> None:
    lot_id = _sold(world)
    held: Lot = world.get(lot_id)
    # Closed on 3 March at 18:00 Beijing time; the default term is 10 Beijing days: to the end of 13 March.
    assert held.settle_by == datetime(2025, 3, 14, tzinfo=ZoneInfo("Asia/Shanghai"))
    contract = auction_contract_id(lot_id)
    sign_all(world, contract, "uni", "firm")  # signed, never paid
    world.clock.set(datetime(2025, 3, 13, 15, 59, 59, tzinfo=UTC))  # 23:59:59 on 13 March in Beijing
    with pytest.raises(ConflictError) as early:
        world.app.auctions.forfeit(ac.ForfeitLot(lot_id=lot_id))
    assert early.value.code == "auction.term_runs"
    world.clock.set(datetime(2025, 3, 13, 16, 0, tzinfo=UTC))
    world.app.auctions.forfeit(ac.ForfeitLot(lot_id=lot_id))
    held = world.get(lot_id)
    assert held.status == "forfeited"
    assert held.deposits[world["firm_org"]]["status"] == "forfeited"
    assert held.deposits[world["rival_org"]]["status"] == "refunded"  # refunded at the close, as before
    assert [r[0] for r in world.manual.refunds] == ["BANK-rival"]  # the winner's deposit never went back
    assert world.get(contract).status == "terminated"
    assert world.get(world["patent"]).sale_reservation is None
    assert world.get(world["listing"]).status == "published"
    with pytest.raises(ConflictError) as again:  # a second worker: nothing more
        world.app.auctions.forfeit(ac.ForfeitLot(lot_id=lot_id))
    assert again.value.code == "auction.lot_state"
    forfeited = [e for e in world.app.repository.event_store.get(lot_id) if type(e).__name__ == "WinnerForfeited"]
    assert [(e.organisation_id, e.amount) for e in forfeited] == [  # type: ignore[attr-defined]
        (world["firm_org"], 100_000)]
    # The patent is sellable again: an ordinary offer on the listing is accepted.
    contract_id = accept(world, offer(world, buyer="rival"))
    assert world.get(world["patent"]).sale_reservation["contract_id"] == str(contract_id)
    # Money that arrives afterwards for the ended contract is owed back, never brings it into force.
    rest = obligation_id(contract, "upfront")
    world.app.payments.record_manual_receipt(d.RecordManualReceipt(
        obligation_id=rest, amount=1_200_000, bank_reference="BANK-late"), actor_id=world["admin"])
    late: PaymentObligation = world.get(rest)
    assert late.refund_owed is not None
    assert world.get(contract).status == "terminated"


def test_a_session_sets_the_winners_term(world: World) -> None:
    session_id, _ = world.app.auctions.schedule_session(
        ac.ScheduleSession(title_zh="短期拍卖会", settle_days=3), actor_id=world["admin"])
    assert world.get(session_id).settle_days == 3
    with pytest.raises(ValidationError) as no_term:
        AuctionSession.schedule(session_id=session_id, title_zh="x", title_en="", deposit_rate=1000, settle_days=0,
                                by=world["admin"])
    assert (no_term.value.code, no_term.value.field) == ("auction.settle_days", "settle_days")
    world.ids["session"] = session_id
    values: dict[str, Any] = {"kind": "assignment", "start_price": 1_000_000, "reserve": 0, "increment": 100_000,
                              "opens_at": START, "closes_at": START + timedelta(hours=1)}
    lot_id, _ = world.app.auctions.add_lot(ac.AddLot(session_id=session_id, listing_id=world["listing"], **values),
                                           actor_id=world["admin"])
    world.app.auctions.consent(ac.ConsentToLot(lot_id=lot_id), actor_id=world["uni"])
    bidder(world, "firm", lot_id)
    bid(world, "firm", lot_id, 1_000_000)
    world.clock.advance(timedelta(hours=2))
    world.app.auctions.close(ac.CloseLot(lot_id=lot_id))
    assert world.get(lot_id).settle_by == datetime(2025, 3, 7, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_a_card_deposit_is_received_by_stripes_webhook_and_a_losers_goes_back_by_card(world: World) -> None:
    lot_id = lot(world)
    world.app.auctions.consent(ac.ConsentToLot(lot_id=lot_id), actor_id=world["uni"])
    bidder(world, "firm", lot_id)
    world.app.auctions.register(ac.RegisterBidder(session_id=world["session"], accept_rules=True),
                                actor_id=world["rival"])
    started, _ = world.app.auctions.start_deposit(ac.StartDeposit(lot_id=lot_id, gateway="stripe"),
                                                  actor_id=world["rival"])
    assert (started.gateway, started.client_secret) == ("stripe", f"{started.provider_payment_id}_secret")
    again, _ = world.app.auctions.start_deposit(ac.StartDeposit(lot_id=lot_id, gateway="stripe"),
                                                actor_id=world["rival"])
    assert again.provider_payment_id == started.provider_payment_id  # resumed, not a second payment
    with pytest.raises(PermissionDeniedError) as unpaid:  # not received yet
        bid(world, "rival", lot_id, 1_000_000)
    assert unpaid.value.code == "auction.deposit_needed"

    def event(event_id: str, kind: str, amount: int | None) -> GatewayEvent:
        return GatewayEvent(provider="stripe", event_id=event_id, event_type=kind,
                            provider_payment_id=started.provider_payment_id,
                            obligation_id=_deposit(lot_id, world["rival_org"]), amount=amount)

    assert world.app.payments.record_gateway_event(event("evt_part", "payment_intent.succeeded", 1)) is not None
    assert world.get(lot_id).deposits[world["rival_org"]]["status"] == "pending"  # not the whole deposit
    assert world.app.payments.record_gateway_event(event("evt_ok", "payment_intent.succeeded", 100_000)) is not None
    assert world.app.payments.record_gateway_event(event("evt_ok", "payment_intent.succeeded", 100_000)) is None
    held: Lot = world.get(lot_id)
    assert held.deposits[world["rival_org"]] | {} == {
        "number": 2, "status": "received", "amount": 100_000, "gateway": "stripe",
        "provider_payment_id": started.provider_payment_id}
    bid(world, "rival", lot_id, 1_000_000)
    bid(world, "firm", lot_id, 1_300_000)
    world.clock.advance(timedelta(hours=2))
    world.app.auctions.close(ac.CloseLot(lot_id=lot_id))
    held = world.get(lot_id)
    assert held.deposits[world["rival_org"]]["status"] == "refunded"
    assert world.stripe.refunds == [(started.provider_payment_id, 100_000,
                                     f"refund-{_deposit(lot_id, world['rival_org'])}")]
    # Stripe then reports the refund (without metadata): known, recorded once, nothing else changes.
    refunded = GatewayEvent(provider="stripe", event_id="evt_refund", event_type="charge.refunded",
                            provider_payment_id=started.provider_payment_id, obligation_id=None, amount=100_000,
                            status="succeeded")
    assert world.app.payments.knows_held(refunded)
    version = world.get(lot_id).version
    assert world.app.payments.record_gateway_event(refunded) is not None
    assert world.get(lot_id).version == version
    stranger = GatewayEvent(provider="stripe", event_id="evt_x", event_type="charge.refunded",
                            provider_payment_id="pi_unknown", obligation_id=None, amount=1)
    assert not world.app.payments.knows_held(stranger)


def test_a_card_deposit_paid_after_the_close_goes_back_at_once(world: World) -> None:
    lot_id = lot(world)
    world.app.auctions.consent(ac.ConsentToLot(lot_id=lot_id), actor_id=world["uni"])
    world.app.auctions.register(ac.RegisterBidder(session_id=world["session"], accept_rules=True),
                                actor_id=world["firm"])
    started, _ = world.app.auctions.start_deposit(ac.StartDeposit(lot_id=lot_id, gateway="stripe"),
                                                  actor_id=world["firm"])
    world.clock.advance(timedelta(hours=2))
    world.app.auctions.close(ac.CloseLot(lot_id=lot_id))
    world.app.payments.record_gateway_event(GatewayEvent(
        provider="stripe", event_id="evt_late", event_type="payment_intent.succeeded",
        provider_payment_id=started.provider_payment_id, obligation_id=None, amount=100_000))
    assert world.get(lot_id).deposits[world["firm_org"]]["status"] == "refunded"
    assert [r[0] for r in world.stripe.refunds] == [started.provider_payment_id]


def squat(world: World, taken: UUID, who: str = "agency") -> UUID:
    """A verified transfer agency's org admin schedules a session whose key is another record's (derived) id."""
    session_id, _ = world.app.auctions.schedule_session(ac.ScheduleSession(title_zh="占位拍卖会", session_id=taken),
                                                        actor_id=world[who])
    return session_id


def test_a_session_key_cannot_take_a_lots_contract_id_and_the_lot_still_closes(world: World) -> None:
    lot_id = lot(world, reserve=0)
    world.app.auctions.consent(ac.ConsentToLot(lot_id=lot_id), actor_id=world["uni"])
    world.sign_up("agency", "海峡技术转移中心", "transfer_agency")
    contract_id = auction_contract_id(lot_id)
    squatted = squat(world, contract_id)
    assert squatted != contract_id  # the key is not the id
    assert not world.app.exists(contract_id)
    assert isinstance(world.get(squatted), AuctionSession)
    bidder(world, "firm", lot_id)
    bid(world, "firm", lot_id, 1_000_000)
    world.clock.advance(timedelta(hours=2))
    world.app.auctions.close(ac.CloseLot(lot_id=lot_id))
    held: Lot = world.get(lot_id)
    assert (held.status, held.contract_id) == ("sold", contract_id)
    contract = world.get(contract_id)
    assert isinstance(contract, Contract)
    assert contract.buyer_organisation_id == world["firm_org"]


def test_a_session_key_cannot_take_the_id_of_a_lot_to_come(world: World) -> None:
    session_id, _ = world.app.auctions.schedule_session(ac.ScheduleSession(title_zh="春季拍卖会"),
                                                        actor_id=world["admin"])
    world.sign_up("agency", "海峡技术转移中心", "transfer_agency")
    future = natural_id("auction-lot", f"{session_id}:{world['listing']}")
    squat(world, future)
    lot_id, _ = world.app.auctions.add_lot(ac.AddLot(
        session_id=session_id, listing_id=world["listing"], kind="assignment", start_price=1_000_000,
        increment=100_000, opens_at=START, closes_at=START + timedelta(hours=1)), actor_id=world["admin"])
    assert lot_id == future
    added: Lot = world.get(lot_id)
    assert (added.session_id, added.listing_id) == (session_id, world["listing"])
    assert world.get(session_id).lot_ids == [lot_id]


def test_a_double_submitted_session_is_one_session_and_keys_are_each_users_own(world: World) -> None:
    world.sign_up("agency", "海峡技术转移中心", "transfer_agency")
    key = UUID("0b5e2c1a-7f3d-4e8a-9c21-5d6e7f8a9b0c")
    first = squat(world, key)
    before = world.app.recorder.max_notification_id()
    assert squat(world, key) == first  # sent again: answered with the first, nothing recorded
    assert world.app.recorder.max_notification_id() == before
    assert world.get(first).version == 1
    with pytest.raises(ConflictError) as other:  # the same key for a different session
        world.app.auctions.schedule_session(ac.ScheduleSession(title_zh="另一场", session_id=key),
                                            actor_id=world["agency"])
    assert other.value.code == "auction.id_taken"
    theirs = squat(world, key, who="admin")  # another user's same key is another session
    assert theirs not in (first, key)
    assert world.get(theirs).organisation_id is None
    assert world.get(first).organisation_id == world["agency_org"]


def test_a_record_already_held_at_a_derived_id_is_refused_not_retried(world: World) -> None:
    """A squat stored before keys were derived: the close (and adding the lot) fails with its own code
    instead of retrying a "race" twenty times and answering ``auction.busy``."""
    lot_id = lot(world, reserve=0)
    world.app.auctions.consent(ac.ConsentToLot(lot_id=lot_id), actor_id=world["uni"])
    world.app.save(AuctionSession.schedule(session_id=auction_contract_id(lot_id), title_zh="旧占位", title_en="",
                                           deposit_rate=1000, by=world["admin"]))
    bidder(world, "firm", lot_id)
    bid(world, "firm", lot_id, 1_000_000)
    world.clock.advance(timedelta(hours=2))
    with pytest.raises(ConflictError) as held:
        world.app.auctions.close(ac.CloseLot(lot_id=lot_id))
    assert (held.value.code, held.value.field) == ("auction.id_held", "contract_id")
    assert world.get(lot_id).status != "sold"
    session_id, _ = world.app.auctions.schedule_session(ac.ScheduleSession(title_zh="秋季拍卖会"),
                                                        actor_id=world["admin"])
    future = natural_id("auction-lot", f"{session_id}:{world['listing']}")
    world.app.save(AuctionSession.schedule(session_id=future, title_zh="旧占位", title_en="", deposit_rate=1000,
                                           by=world["admin"]))
    with pytest.raises(ConflictError) as taken:
        world.app.auctions.add_lot(ac.AddLot(
            session_id=session_id, listing_id=world["listing"], kind="assignment", start_price=1_000_000,
            increment=100_000, opens_at=START, closes_at=START + timedelta(hours=1)), actor_id=world["admin"])
    assert (taken.value.code, taken.value.field) == ("auction.id_held", "lot_id")
