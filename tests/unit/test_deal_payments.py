"""Payments and their effects: the whole journey, the webhook inbox, refunds, royalties, instalments."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

import pytest

from domain.deals.payment import obligation_id
from domain.deals.webhook import delivery_id
from domain.shared.errors import ConflictError, ContractStateError, PaymentStateError, PermissionDeniedError
from marketplace.catalogue import commands as cc
from marketplace.deals import commands as d
from marketplace.deals.checks import DealPolicy
from marketplace.deals.gateways.port import GatewayEvent
from tests.unit.deal_helpers import (
    World,
    accept,
    head,
    licence_scope,
    make_world,
    offer,
    past_notice,
    pay_by_webhook,
    sign_all,
)


@pytest.fixture
def world() -> World:
    return make_world()


def succeeded(oid: UUID, event_id: str, amount: int, payment: str = "pi_1") -> GatewayEvent:
    return GatewayEvent(
        provider="stripe",
        event_id=event_id,
        event_type="payment_intent.succeeded",
        provider_payment_id=payment,
        obligation_id=oid,
        amount=amount,
    )


def refunded(
    oid: UUID | None,
    event_id: str,
    refund: str = "re_x",
    *,
    amount: int | None = 10_000_000,
    status: str | None = "succeeded",
    event_type: str = "charge.refunded",
    payment: str = "pi_1",
) -> GatewayEvent:
    """A Stripe refund event: ``amount`` is the refund's (or the charge's total refunded), ``status`` its state."""
    return GatewayEvent(
        provider="stripe",
        event_id=event_id,
        event_type=event_type,
        provider_payment_id=payment,
        obligation_id=oid,
        amount=amount,
        provider_refund_id=refund,
        status=status,
    )


def test_whole_journey_from_offer_to_a_paid_transfer(world: World) -> None:
    # a licence granted earlier carries over to the new owner
    licence = accept(
        world,
        offer(
            world, buyer="rival", kind="non_exclusive_licence", price=100_000, scope=licence_scope(field_of_use="储能")
        ),
    )
    past_notice(world)
    sign_all(world, licence, "uni", "rival")
    pay_by_webhook(world, licence, payer="rival", event_id="evt_licence")

    offer_id = offer(world, price=8_000_000)
    world.app.offers.counter_offer(
        d.CounterOffer(offer_id=offer_id, kind="assignment", price=9_000_000), actor_id=world["uni"]
    )
    contract_id = accept(world, offer_id, by="firm")
    past_notice(world)
    sign_all(world, contract_id)
    started, _ = world.app.payments.start_payment(d.StartPayment(contract_id=contract_id), actor_id=world["firm"])
    assert started.gateway == "stripe"
    assert world.stripe.started[-1].amount == 9_000_000
    oid = obligation_id(contract_id, "upfront")
    assert world.app.payments.record_gateway_event(
        succeeded(oid, "evt_1", 9_000_000, started.provider_payment_id)) is not None

    paid = world.get(oid)
    assert paid.status == "paid"
    shares = world.app.recorder.select_events(oid)[-1]
    assert b"inventor" in shares.state
    assert b"platform" in shares.state
    patent = world.get(world["patent"])
    assert patent.owner_ids == {world["firm_org"]}
    assert patent.active_listing_id is None
    assert world.get(world["listing"]).status == "closed"
    assert patent.licences[str(licence)]["status"] == "active"
    assert world.get(contract_id).status == "in_force"
    assert patent.deal_party_ids() == set()


def test_the_shares_of_a_payment_follow_the_institutions_benefit_rule(world: World) -> None:
    world.app.payments.set_benefit_rules(
        d.SetBenefitRules(organisation_id=world["uni_org"], inventor_share=70), actor_id=world["uni"]
    )
    contract_id = accept(world, offer(world))
    sign_all(world, contract_id)
    oid = pay_by_webhook(world, contract_id)
    event = list(world.app.repository.event_store.get(oid))[-1]
    split = {(s["party"], s["name"]): s["amount"] for s in event.shares}  # type: ignore[attr-defined]
    # 10,000,000 fen: 1 % platform fee, no broker; inventors 70 % of the net 9,900,000 by 60/40
    assert split == {
        ("platform", ""): 100_000,
        ("inventor", "张三"): 4_158_000,
        ("inventor", "李四"): 2_772_000,
        ("institution", ""): 2_970_000,
    }


def test_the_platform_fee_is_the_one_in_force_when_the_deal_was_made(world: World) -> None:
    """A fee raised after drafting does not reach contracts already made (it would change their split)."""
    contract_id = accept(world, offer(world))
    world.restart(policy=DealPolicy(platform_fee_rate=300))
    sign_all(world, contract_id)
    oid = pay_by_webhook(world, contract_id)
    event = list(world.app.repository.event_store.get(oid))[-1]
    split = {(s["party"], s["name"]): s["amount"] for s in event.shares}  # type: ignore[attr-defined]
    assert split[("platform", "")] == 100_000  # 1 % of 10,000,000 fen, as when the offer was accepted


def test_payment_of_an_unsigned_contract_and_a_second_payment_are_refused(world: World) -> None:
    contract_id = accept(world, offer(world))
    before = head(world.app)
    with pytest.raises(ContractStateError, match="not signed"):
        world.app.payments.start_payment(d.StartPayment(contract_id=contract_id), actor_id=world["firm"])
    assert head(world.app) == before
    assert world.stripe.started == []
    sign_all(world, contract_id)
    with pytest.raises(PermissionDeniedError):
        world.app.payments.start_payment(d.StartPayment(contract_id=contract_id), actor_id=world["uni"])
    oid = pay_by_webhook(world, contract_id)
    before = head(world.app)
    with pytest.raises(PaymentStateError):
        world.app.payments.start_payment(d.StartPayment(contract_id=contract_id), actor_id=world["firm"])
    with pytest.raises(PaymentStateError):
        world.app.payments.record_manual_receipt(
            d.RecordManualReceipt(obligation_id=oid, amount=10_000_000, bank_reference="B-1"), actor_id=world["admin"]
        )
    assert head(world.app) == before


def _event_names(world: World, oid: UUID) -> list[str]:
    return [e.__class__.__name__ for e in world.app.repository.event_store.get(oid)]


def test_starting_a_started_payment_again_resumes_it_and_records_nothing(world: World) -> None:
    contract_id = accept(world, offer(world))
    sign_all(world, contract_id)
    oid = obligation_id(contract_id, "upfront")
    first, position = world.app.payments.start_payment(d.StartPayment(contract_id=contract_id), actor_id=world["firm"])
    assert world.get(oid).payment_attempts == 1

    again, again_position = world.app.payments.start_payment(
        d.StartPayment(contract_id=contract_id), actor_id=world["firm"])

    assert again == first
    assert again_position == position == head(world.app)
    assert world.stripe.resumed == [first.provider_payment_id]
    assert world.stripe.keys == [f"obligation-{oid}"]  # no second payment was asked for
    assert _event_names(world, oid) == ["FellDue", "PaymentStarted"]


def test_a_payment_already_made_is_given_back_as_succeeded_and_left_to_the_webhook(world: World) -> None:
    contract_id = accept(world, offer(world))
    sign_all(world, contract_id)
    oid = obligation_id(contract_id, "upfront")
    first, _ = world.app.payments.start_payment(d.StartPayment(contract_id=contract_id), actor_id=world["firm"])
    world.stripe.set_status(first.provider_payment_id, "succeeded")
    before = head(world.app)

    again, _ = world.app.payments.start_payment(d.StartPayment(contract_id=contract_id), actor_id=world["firm"])

    assert (again.provider_payment_id, again.status) == (first.provider_payment_id, "succeeded")
    assert head(world.app) == before
    assert len(world.stripe.keys) == 1
    assert world.get(oid).status == "pending"  # paid once the provider's notification arrives


def test_a_canceled_payment_is_followed_by_a_new_attempt_under_a_key_of_its_own(world: World) -> None:
    contract_id = accept(world, offer(world))
    sign_all(world, contract_id)
    oid = obligation_id(contract_id, "upfront")
    first, _ = world.app.payments.start_payment(d.StartPayment(contract_id=contract_id), actor_id=world["firm"])
    world.stripe.cancel(first.provider_payment_id)

    second, position = world.app.payments.start_payment(d.StartPayment(contract_id=contract_id), actor_id=world["firm"])

    assert second.provider_payment_id != first.provider_payment_id
    assert position == head(world.app)
    assert world.stripe.keys == [f"obligation-{oid}", f"obligation-{oid}-2"]
    assert [r.attempt for r in world.stripe.started] == [1, 2]
    obligation = world.get(oid)
    assert (obligation.status, obligation.provider_payment_id, obligation.payment_attempts) == (
        "pending",
        second.provider_payment_id,
        2,
    )
    assert _event_names(world, oid) == ["FellDue", "PaymentStarted", "PaymentStarted"]

    # the new attempt is resumed in its turn, and paying it pays the obligation
    third, _ = world.app.payments.start_payment(d.StartPayment(contract_id=contract_id), actor_id=world["firm"])
    assert third == second
    assert len(world.stripe.keys) == 2
    world.app.payments.record_gateway_event(succeeded(oid, "evt_2", 10_000_000, second.provider_payment_id))
    assert world.get(oid).status == "paid"


def test_a_payment_started_through_another_gateway_is_not_resumed_through_this_one(world: World) -> None:
    world.restart(gateways={"manual": world.manual})  # no Stripe configured yet: a bank transfer
    contract_id = accept(world, offer(world))
    sign_all(world, contract_id)
    oid = obligation_id(contract_id, "upfront")
    by_bank, _ = world.app.payments.start_payment(d.StartPayment(contract_id=contract_id), actor_id=world["firm"])
    assert by_bank.gateway == "manual"
    world.restart(gateways={"stripe": world.stripe, "manual": world.manual})

    by_card, _ = world.app.payments.start_payment(d.StartPayment(contract_id=contract_id), actor_id=world["firm"])

    assert by_card.gateway == "stripe"
    assert world.stripe.resumed == []
    assert world.manual.resumed == []
    assert world.stripe.keys == [f"obligation-{oid}-2"]
    assert (world.get(oid).gateway, world.get(oid).payment_attempts) == ("stripe", 2)


def test_duplicate_and_out_of_order_gateway_events_change_nothing(world: World) -> None:
    contract_id = accept(world, offer(world))
    sign_all(world, contract_id)
    world.app.payments.start_payment(d.StartPayment(contract_id=contract_id), actor_id=world["firm"])
    oid = obligation_id(contract_id, "upfront")
    assert world.app.payments.record_gateway_event(succeeded(oid, "evt_1", 10_000_000)) is not None
    before = head(world.app)
    assert world.app.payments.record_gateway_event(succeeded(oid, "evt_1", 10_000_000)) is None  # same delivery again
    assert head(world.app) == before
    world.app.payments.record_gateway_event(
        succeeded(oid, "evt_2", 10_000_000))  # a second success event: no second payment
    assert [e.__class__.__name__ for e in world.app.repository.event_store.get(oid)] == [
        "FellDue",
        "PaymentStarted",
        "Paid",
    ]
    assert world.get(oid).status == "paid"


def test_a_refund_event_ahead_of_its_success_event_ends_the_unpaid_contract_and_frees_the_patent(
    world: World,
) -> None:
    """The first payment came and went: it can never be paid again, so the contract ends without effect
    (before issue 9 it stayed ``signed`` for ever, and now it would hold the patent's sale reservation)."""
    contract_id = accept(world, offer(world))
    sign_all(world, contract_id)
    oid = obligation_id(contract_id, "upfront")
    world.app.payments.record_gateway_event(refunded(oid, "evt_r", "re_1"))
    world.app.payments.record_gateway_event(succeeded(oid, "evt_s", 10_000_000))
    world.app.payments.record_gateway_event(refunded(oid, "evt_r2",
    "re_1"))  # the same refund through another event type
    assert world.get(oid).status == "refunded"
    assert world.get(oid).refund_owed is None
    assert world.get(contract_id).status == "terminated"
    patent = world.get(world["patent"])
    assert patent.owner_ids == {world["uni_org"]}
    assert patent.sale_reservation is None
    assert patent.deal_party_ids() == set()
    accept(world, offer(world, buyer="rival"))  # the patent can be sold again


def test_large_amounts_go_by_bank_transfer_recorded_by_a_platform_admin(world: World) -> None:
    contract_id = accept(world, offer(world, price=120_000_000))
    past_notice(world)
    sign_all(world, contract_id)
    started, _ = world.app.payments.start_payment(d.StartPayment(contract_id=contract_id), actor_id=world["firm"])
    assert started.gateway == "manual"
    oid = obligation_id(contract_id, "upfront")
    with pytest.raises(PermissionDeniedError):
        world.app.payments.record_manual_receipt(
            d.RecordManualReceipt(obligation_id=oid, amount=120_000_000, bank_reference="B-1"), actor_id=world["uni"]
        )
    world.app.payments.record_manual_receipt(
        d.RecordManualReceipt(obligation_id=oid, amount=120_000_000, bank_reference="B-1"), actor_id=world["admin"]
    )
    assert world.get(world["patent"]).owner_ids == {world["firm_org"]}


def test_refund_of_an_exclusive_licence_ends_it_and_restores_the_listing(world: World) -> None:
    contract_id = accept(world, offer(world, kind="exclusive_licence", price=500_000))
    past_notice(world)
    sign_all(world, contract_id)
    oid = pay_by_webhook(world, contract_id)
    assert world.get(world["listing"]).terms["deal_types"] == ["assignment"]
    world.app.payments.refund_payment(d.RefundPayment(obligation_id=oid, reason="licensee cancelled"),
    actor_id=world["admin"])
    assert world.stripe.refunds == [("pi_1", 500_000, f"refund-{oid}")]
    assert world.get(oid).status == "refunded"
    assert world.get(contract_id).status == "terminated"
    assert world.get(world["patent"]).licences[str(contract_id)]["status"] == "ended"
    assert set(world.get(world["listing"]).terms["deal_types"]) == {
        "assignment",
        "exclusive_licence",
        "non_exclusive_licence",
    }
    before = head(world.app)
    world.app.payments.record_gateway_event(refunded(oid, "evt_refund", "re_1", amount=500_000))  # the provider's echo
    assert world.get(oid).status == "refunded"
    assert head(world.app) == before + 1


def test_refund_of_a_transfer_gives_the_patent_back(world: World) -> None:
    contract_id = accept(world, offer(world))
    sign_all(world, contract_id)
    oid = pay_by_webhook(world, contract_id)
    world.app.payments.refund_payment(d.RefundPayment(obligation_id=oid, reason="registration refused"),
    actor_id=world["admin"])
    assert world.get(world["patent"]).owner_ids == {world["uni_org"]}
    assert world.get(contract_id).status == "terminated"


def test_refund_of_a_transfer_is_refused_once_the_new_owner_listed_the_patent(world: World) -> None:
    contract_id = accept(world, offer(world))
    sign_all(world, contract_id)
    oid = pay_by_webhook(world, contract_id)
    world.app.catalogue.draft_listing(
        cc.DraftListing(
            patent_id=world["patent"],
            deal_types=["assignment"],
            price_mode="fixed",
            asking_price=20_000_000,
            maturity="pilot",
        ),
        actor_id=world["firm"],
    )
    before = head(world.app)
    with pytest.raises(ConflictError, match="since listed"):
        world.app.payments.refund_payment(d.RefundPayment(obligation_id=oid, reason="x"), actor_id=world["admin"])
    assert head(world.app) == before
    assert world.stripe.refunds == []


def test_royalty_report_closing_a_licence_year_tops_up_to_the_minimum(world: World) -> None:
    scope = licence_scope(start=date(2025, 4, 1))
    contract_id = accept(
        world,
        offer(
            world,
            kind="non_exclusive_licence",
            price=100_000,
            scope=scope,
            royalty_rate=5,
            minimum_annual_royalty=1_000_000,
        ),
    )
    past_notice(world)
    sign_all(world, contract_id)
    pay_by_webhook(world, contract_id)
    first, _ = world.app.contracts.file_royalty_report(
        d.FileRoyaltyReport(
            contract_id=contract_id, period_start=date(2025, 4, 1), period_end=date(2025, 9, 30), net_sales=6_000_000
        ),
        actor_id=world["firm"],
    )
    assert first is not None
    assert world.get(first).amount == 300_000
    second, _ = world.app.contracts.file_royalty_report(
        d.FileRoyaltyReport(
            contract_id=contract_id, period_start=date(2025, 10, 1), period_end=date(2026, 3, 31), net_sales=4_000_000
        ),
        actor_id=world["firm"],
    )
    assert second == obligation_id(contract_id, "royalty-2026-03-31")
    assert world.get(second).amount == 700_000  # 200,000 royalty + 500,000 top-up to the 1,000,000 minimum
    before = head(world.app)
    with pytest.raises(PermissionDeniedError):
        world.app.contracts.file_royalty_report(
            d.FileRoyaltyReport(
                contract_id=contract_id, period_start=date(2026, 4, 1), period_end=date(2026, 6, 30), net_sales=1
            ),
            actor_id=world["uni"],
        )
    assert head(world.app) == before
    pay_by_webhook(world, contract_id, purpose="royalty-2026-03-31", event_id="evt_roy")
    assert world.get(second).status == "paid"


def test_an_instalment_falls_due_when_its_date_comes_and_milestones_when_reached(world: World) -> None:
    instalments = [d.InstalmentInput(amount=4_000_000), d.InstalmentInput(amount=6_000_000, due=date(2025, 6, 1))]
    contract_id = accept(
        world, offer(world, instalments=instalments, milestones=[d.MilestoneInput(name="登记完成", amount=500_000)])
    )
    sign_all(world, contract_id)
    pay_by_webhook(world, contract_id)
    assert world.get(contract_id).status == "in_force"
    second = obligation_id(contract_id, "instalment-2")
    assert world.app.contracts.raise_due_instalments(date(2025, 5, 31), [contract_id]) == 0
    assert not world.app.exists(second)
    world.clock.advance(timedelta(days=90))
    assert world.app.contracts.raise_due_instalments(date(2025, 6, 1), [contract_id]) > 0
    assert world.get(second).amount == 6_000_000
    assert world.get(second).due_on == "2025-06-01"
    before = head(world.app)
    assert world.app.contracts.raise_due_instalments(date(2025, 6, 2), [contract_id]) == 0  # raised once only
    assert head(world.app) == before
    milestone, _ = world.app.contracts.reach_milestone(
        d.ReachMilestone(contract_id=contract_id, name="登记完成"), actor_id=world["firm"]
    )
    assert world.get(milestone).amount == 500_000
    with pytest.raises(ContractStateError):
        world.app.contracts.reach_milestone(d.ReachMilestone(contract_id=contract_id, name="登记完成"),
        actor_id=world["firm"])


def event_names(world: World, aggregate_id: UUID) -> list[str]:
    return [e.__class__.__name__ for e in world.app.repository.event_store.get(aggregate_id)]


@pytest.mark.parametrize(
    ("event_type", "status", "amount"),
    [
        ("refund.created", "pending", 10_000_000),
        ("refund.updated", "failed", 10_000_000),
        ("refund.updated", "canceled", 10_000_000),
        ("charge.refund.updated", "requires_action", 10_000_000),
        ("refund.created", "succeeded", 4_000_000),  # a partial refund
        ("charge.refunded", "succeeded", 4_000_000),  # the charge's total refunded is only part of it
        ("refund.updated", None, 10_000_000),
        ("refund.updated", "succeeded", None),
    ],
)
def test_a_refund_event_not_of_a_succeeded_whole_refund_changes_nothing_but_the_inbox(
    world: World, event_type: str, status: str | None, amount: int | None
) -> None:
    contract_id = accept(world, offer(world))
    sign_all(world, contract_id)
    oid = pay_by_webhook(world, contract_id)
    before = head(world.app)
    event = refunded(oid, "evt_refund", "re_1", amount=amount, status=status, event_type=event_type)
    assert world.app.payments.record_gateway_event(event) is not None
    assert head(world.app) == before + 1  # the delivery only
    assert world.app.exists(delivery_id("stripe", "evt_refund"))
    assert world.get(oid).status == "paid"
    assert world.get(contract_id).status == "in_force"
    assert world.get(world["patent"]).owner_ids == {world["firm_org"]}
    # the refund then succeeds for the whole amount: now the transfer is reversed
    world.app.payments.record_gateway_event(refunded(oid, "evt_refund_ok", "re_1", event_type="refund.updated"))
    assert world.get(oid).status == "refunded"
    assert world.get(contract_id).status == "terminated"
    assert world.get(world["patent"]).owner_ids == {world["uni_org"]}


def test_a_failed_refund_ahead_of_the_success_event_leaves_the_payment_to_be_made(world: World) -> None:
    contract_id = accept(world, offer(world))
    sign_all(world, contract_id)
    oid = obligation_id(contract_id, "upfront")
    world.app.payments.record_gateway_event(refunded(oid, "evt_r", "re_1", status="failed",
    event_type="refund.updated"))
    assert world.get(oid).status == "due"
    world.app.payments.record_gateway_event(succeeded(oid, "evt_s", 10_000_000))
    assert world.get(oid).status == "paid"
    assert world.get(contract_id).status == "in_force"


def in_force_with_later_payments(world: World) -> tuple[UUID, UUID, list[UUID]]:
    """A transfer in instalments with a milestone: the first instalment, the second and the milestone paid."""
    instalments = [d.InstalmentInput(amount=4_000_000), d.InstalmentInput(amount=6_000_000, due=date(2025, 4, 1))]
    contract_id = accept(
        world, offer(world, instalments=instalments, milestones=[d.MilestoneInput(name="登记完成", amount=500_000)])
    )
    sign_all(world, contract_id)
    first = pay_by_webhook(world, contract_id)
    world.clock.advance(timedelta(days=30))
    world.app.contracts.raise_due_instalments(date(2025, 4, 2), [contract_id])
    second = pay_by_webhook(world, contract_id, purpose="instalment-2", event_id="evt_2")
    milestone, _ = world.app.contracts.reach_milestone(
        d.ReachMilestone(contract_id=contract_id, name="登记完成"), actor_id=world["firm"]
    )
    pay_by_webhook(world, contract_id, purpose="milestone-登记完成", event_id="evt_3")
    assert world.get(milestone).status == "paid"
    return contract_id, first, [second, milestone]


def test_refund_of_the_first_payment_is_refused_while_later_payments_are_paid(world: World) -> None:
    contract_id, first, later = in_force_with_later_payments(world)
    before = head(world.app)
    with pytest.raises(ConflictError, match="refunded first") as refused:
        world.app.payments.refund_payment(d.RefundPayment(obligation_id=first, reason="x"), actor_id=world["admin"])
    assert refused.value.field == "obligation_id"
    assert "instalment-2" in refused.value.message
    assert "milestone-登记完成" in refused.value.message
    assert head(world.app) == before
    assert world.stripe.refunds == []
    # the later payments refunded first, the first one's refund reverses the transfer
    for oid in later:
        world.app.payments.refund_payment(d.RefundPayment(obligation_id=oid, reason="x"), actor_id=world["admin"])
        assert world.get(contract_id).status == "in_force"
    world.app.payments.refund_payment(d.RefundPayment(obligation_id=first, reason="x"), actor_id=world["admin"])
    assert world.get(contract_id).status == "terminated"
    assert world.get(world["patent"]).owner_ids == {world["uni_org"]}


def test_refund_of_the_first_licence_fee_is_refused_while_a_royalty_is_paid(world: World) -> None:
    contract_id = accept(world, offer(world, kind="non_exclusive_licence", price=100_000, royalty_rate=5))
    past_notice(world)
    sign_all(world, contract_id)
    first = pay_by_webhook(world, contract_id)
    royalty, _ = world.app.contracts.file_royalty_report(
        d.FileRoyaltyReport(
            contract_id=contract_id, period_start=date(2025, 4, 1), period_end=date(2025, 9, 30), net_sales=6_000_000
        ),
        actor_id=world["firm"],
    )
    pay_by_webhook(world, contract_id, purpose="royalty-2025-09-30", event_id="evt_roy")
    assert royalty is not None
    assert world.get(royalty).status == "paid"
    with pytest.raises(ConflictError, match="royalty-2025-09-30"):
        world.app.payments.refund_payment(d.RefundPayment(obligation_id=first, reason="x"), actor_id=world["admin"])
    assert world.get(contract_id).status == "in_force"
    assert world.get(world["patent"]).licences[str(contract_id)]["status"] == "active"


def test_a_refund_at_stripe_of_the_first_payment_with_later_payments_paid_keeps_the_contract(world: World) -> None:
    contract_id, first, later = in_force_with_later_payments(world)
    world.app.payments.record_gateway_event(refunded(first, "evt_refund", "re_1", amount=4_000_000))
    assert world.get(first).status == "refunded"
    assert world.get(contract_id).status == "in_force"
    assert world.get(world["patent"]).owner_ids == {world["firm_org"]}
    assert [world.get(oid).status for oid in later] == ["paid", "paid"]


def terminated_with_a_payment_under_way(world: World) -> tuple[UUID, UUID, int]:
    """A transfer in force with its milestone's payment started, then ended by the refund of its first payment."""
    contract_id = accept(world, offer(world, milestones=[d.MilestoneInput(name="登记完成", amount=500_000)]))
    sign_all(world, contract_id)
    first = pay_by_webhook(world, contract_id)
    milestone, _ = world.app.contracts.reach_milestone(
        d.ReachMilestone(contract_id=contract_id, name="登记完成"), actor_id=world["firm"]
    )
    world.app.payments.start_payment(
        d.StartPayment(contract_id=contract_id, purpose="milestone-登记完成"), actor_id=world["firm"]
    )
    world.app.payments.refund_payment(d.RefundPayment(obligation_id=first, reason="x"), actor_id=world["admin"])
    assert world.get(contract_id).status == "terminated"
    assert world.get(milestone).status == "pending"
    return contract_id, milestone, head(world.app)


def test_a_bank_transfer_on_a_terminated_contract_is_recorded_with_the_refund_it_owes(world: World) -> None:
    """The money is in the platform's account: recorded, it must go back, and nothing else moves
    (before issue 9 the receipt was refused, leaving money received but unrecorded)."""
    contract_id, milestone, before = terminated_with_a_payment_under_way(world)
    patent_version = world.get(world["patent"]).version
    contract_version = world.get(contract_id).version
    world.app.payments.record_manual_receipt(
        d.RecordManualReceipt(obligation_id=milestone, amount=500_000, bank_reference="B-1"),
        actor_id=world["admin"],
    )
    paid = world.get(milestone)
    assert (paid.status, paid.refund_owed) == ("paid", "the contract was terminated")
    assert event_names(world, milestone)[-2:] == ["Paid", "RefundOwed"]
    assert head(world.app) == before + 2
    assert world.get(contract_id).version == contract_version
    assert world.get(world["patent"]).version == patent_version
    world.app.payments.refund_payment(d.RefundPayment(obligation_id=milestone, reason="contract ended"),
    actor_id=world["admin"])
    assert (world.get(milestone).status, world.get(milestone).refund_owed) == ("refunded", None)
    assert world.manual.refunds[-1][1] == 500_000


def test_money_arriving_at_stripe_on_a_terminated_contract_is_recorded_and_moves_nothing_else(world: World) -> None:
    contract_id, milestone, before = terminated_with_a_payment_under_way(world)
    patent_version = world.get(world["patent"]).version
    listing_version = world.get(world["listing"]).version
    contract_version = world.get(contract_id).version
    world.app.payments.record_gateway_event(succeeded(milestone, "evt_late", 500_000, "pi_2"))
    assert world.get(milestone).status == "paid"
    assert event_names(world, milestone)[-2:] == ["Paid", "RefundOwed"]
    assert world.get(milestone).refund_owed == "the contract was terminated"
    assert head(world.app) == before + 3  # the delivery, the payment and the refund it owes
    assert world.get(contract_id).version == contract_version
    assert world.get(contract_id).status == "terminated"
    assert world.get(world["patent"]).version == patent_version
    assert world.get(world["patent"]).owner_ids == {world["uni_org"]}
    assert world.get(world["listing"]).version == listing_version
    # a platform admin can give it back; nothing else is reversed
    world.app.payments.refund_payment(d.RefundPayment(obligation_id=milestone, reason="contract ended"),
    actor_id=world["admin"])
    assert world.get(milestone).status == "refunded"
    assert world.get(world["patent"]).version == patent_version
