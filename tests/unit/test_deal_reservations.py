"""One patent, one sale (issue 9): what an accepted deal sells is reserved on the patent until the deal
takes effect or ends without effect; money that arrives anyway for a deal that cannot take effect is
owed back; an open licence is taken once; objections come from verified organisations."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from uuid import UUID

import pytest

from domain.catalogue.patent import Patent
from domain.deals.payment import obligation_id
from domain.shared.errors import (
    ConflictError,
    ContractStateError,
    PatentNotTradableError,
    PermissionDeniedError,
    ValidationError,
)
from marketplace.catalogue import commands as cc
from marketplace.deals import commands as d
from marketplace.deals.gateways.port import GatewayEvent
from tests.unit.deal_helpers import (
    World,
    accept,
    head,
    licence_scope,
    make_world,
    offer,
    pay_by_webhook,
    sign_all,
)


@pytest.fixture
def world() -> World:
    return make_world()


@contextmanager
def refuses(world: World, error: type[Exception], match: str) -> Iterator[None]:
    """The command in the block is refused with ``error`` (message matching ``match``) and records nothing."""
    before = head(world.app)
    with pytest.raises(error, match=match):
        yield
    assert head(world.app) == before, "a refused command recorded events"


def manual_receipt(world: World, oid: UUID, reference: str = "ICBC-1") -> None:
    amount = world.get(oid).amount
    world.app.payments.record_manual_receipt(
        d.RecordManualReceipt(obligation_id=oid, amount=amount, bank_reference=reference), actor_id=world["admin"]
    )


def start_by_bank(world: World, contract_id: UUID, payer: str = "firm") -> None:
    world.app.payments.start_payment(d.StartPayment(contract_id=contract_id, gateway="manual"), actor_id=world[payer])


# --- an accepted assignment reserves the patent ---------------------------------------------------
def test_a_second_assignment_acceptance_is_refused_naming_the_reserving_contract(world: World) -> None:
    first, second = offer(world), offer(world, buyer="rival")
    contract_id = accept(world, first)
    reservation = world.get(world["patent"]).sale_reservation
    assert reservation == {
        "contract_id": str(contract_id),
        "buyer_organisation_id": str(world["firm_org"]),
        "since": world.clock.now().isoformat(),
    }
    with refuses(world, ConflictError, f"reserved by contract {contract_id} \\(an assignment\\) since 2025-03-03"):
        accept(world, second)
    assert world.get(second).status == "open"


def test_while_a_sale_is_reserved_no_offer_licence_or_open_licence_is_agreed(world: World) -> None:
    licence_offer = offer(world, buyer="rival", kind="non_exclusive_licence", price=100_000)
    contract_id = accept(world, offer(world))
    with refuses(world, ConflictError, f"reserved by contract {contract_id}"):
        accept(world, licence_offer)
    with refuses(world, ConflictError, f"reserved by contract {contract_id}"):
        offer(world, buyer="rival", kind="exclusive_licence")
    with refuses(world, ConflictError, f"reserved by contract {contract_id}"):
        offer(world, buyer="rival")


def test_a_transfer_taking_effect_ends_the_reservation(world: World) -> None:
    contract_id = accept(world, offer(world))
    sign_all(world, contract_id)
    pay_by_webhook(world, contract_id)
    patent = world.get(world["patent"])
    assert patent.owner_ids == {world["firm_org"]}
    assert patent.sale_reservation is None
    events = [type(e).__name__ for e in world.app.repository.event_store.get(world["patent"])]
    assert events[-4:-1] == ["DealClosed", "SaleReservationEnded", "OwnershipTransferred"]


def test_an_upheld_objection_releases_the_reservation_for_the_next_buyer(world: World) -> None:
    first = offer(world, price=9_000_000)  # off the fixed price: negotiated, so a university's deal is noticed
    contract_id = accept(world, first)
    objection, _ = world.app.contracts.file_objection(
        d.FileObjection(contract_id=contract_id, text="价格明显低于评估价值"), actor_id=world["rival"]
    )
    world.app.contracts.decide_objection(
        d.DecideObjection(contract_id=contract_id, objection_id=objection, upheld=True, reason="重新评估后再议"),
        actor_id=world["uni"],
    )
    assert world.get(world["patent"]).sale_reservation is None
    accept(world, offer(world, buyer="rival"))
    assert world.get(world["patent"]).sale_reservation is not None


def test_an_exclusive_licence_reservation_is_named_in_the_refusal(world: World) -> None:
    first = offer(world, kind="exclusive_licence", price=500_000)
    second = offer(world, buyer="rival", kind="exclusive_licence", price=500_000,
                   scope=licence_scope(field_of_use="储能"))
    contract_id = accept(world, first)
    with refuses(world, ConflictError, f"exclusive licence of contract {contract_id} \\(reserved since 2025-03-03"):
        accept(world, second)


def test_an_exclusive_licence_in_another_field_is_not_held_up(world: World) -> None:
    accept(world, offer(world, kind="exclusive_licence", price=500_000, scope=licence_scope(field_of_use="储能")))
    accept(world, offer(world, buyer="rival", kind="exclusive_licence", price=500_000,
                        scope=licence_scope(field_of_use="电动汽车")))


# --- a signature or payment that can no longer take effect is refused before money is asked ------
def test_no_payment_is_started_when_the_patent_lapsed_after_signing(world: World) -> None:
    contract_id = accept(world, offer(world))
    sign_all(world, contract_id)
    world.app.catalogue.change_legal_status(
        cc.ChangeLegalStatus(patent_id=world["patent"], legal_status="lapsed", effective_date=date(2025, 3, 1),
                             reason="annuity unpaid"),
        actor_id=world["uni"],
    )
    with refuses(world, PatentNotTradableError, "lapsed"):
        start_by_bank(world, contract_id)
    assert world.manual.started == []
    assert world.stripe.started == []


@pytest.fixture
def legacy(world: World, monkeypatch: pytest.MonkeyPatch) -> tuple[UUID, UUID]:
    """Two assignment contracts on one patent accepted before reservations existed (as issue 9 found)."""
    with monkeypatch.context() as before_issue_9:
        before_issue_9.setattr(Patent, "reserve_sale", lambda *args, **kwargs: False)
        first, second = accept(world, offer(world)), accept(world, offer(world, buyer="rival"))
    assert world.get(world["patent"]).sale_reservation is None
    return first, second


def test_of_two_contracts_drafted_before_reservations_the_first_to_sign_holds_the_patent(
    world: World, legacy: tuple[UUID, UUID]
) -> None:
    first, second = legacy
    sign_all(world, first, "uni")
    assert world.get(world["patent"]).sale_reservation["contract_id"] == str(first)
    with refuses(world, ConflictError, f"reserved by contract {first}"):
        sign_all(world, second, "rival")
    assert world.get(second).signatures == {}


def test_of_two_signed_contracts_from_before_the_first_payment_start_holds_the_patent(
    world: World, legacy: tuple[UUID, UUID], monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = legacy
    with monkeypatch.context() as before_issue_9:
        before_issue_9.setattr(Patent, "reserve_sale", lambda *args, **kwargs: False)
        sign_all(world, first)
        sign_all(world, second, "uni", "rival")
    start_by_bank(world, first)
    with refuses(world, ConflictError, f"reserved by contract {first}"):
        start_by_bank(world, second, payer="rival")
    assert len(world.manual.started) == 1


def test_the_second_buyers_bank_transfer_is_owed_back_and_moves_nothing(
    world: World, legacy: tuple[UUID, UUID], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 9's journey: both signed and both paying by bank transfer before the fix."""
    first, second = legacy
    with monkeypatch.context() as before_issue_9:
        before_issue_9.setattr(Patent, "reserve_sale", lambda *args, **kwargs: False)
        sign_all(world, first)
        sign_all(world, second, "uni", "rival")
        start_by_bank(world, first)
        start_by_bank(world, second, payer="rival")
    manual_receipt(world, obligation_id(first, "upfront"))
    assert world.get(first).status == "in_force"
    patent_version = world.get(world["patent"]).version
    second_version = world.get(second).version
    manual_receipt(world, obligation_id(second, "upfront"), "ICBC-2")
    owed = world.get(obligation_id(second, "upfront"))
    assert owed.status == "paid"
    assert owed.refund_owed == "the seller no longer owns this patent"
    assert world.get(second).version == second_version
    assert world.get(world["patent"]).version == patent_version
    assert world.get(world["patent"]).owner_ids == {world["firm_org"]}
    # The platform admin gives it back; the second contract then ends without effect.
    world.app.payments.refund_payment(
        d.RefundPayment(obligation_id=owed.id, reason="patent sold to another buyer"), actor_id=world["admin"]
    )
    assert (world.get(owed.id).status, world.get(owed.id).refund_owed) == ("refunded", None)
    assert world.get(second).status == "terminated"
    assert world.get(first).status == "in_force"
    assert world.get(world["patent"]).owner_ids == {world["firm_org"]}


def test_a_card_payment_for_a_contract_beaten_to_the_patent_is_owed_back(
    world: World, legacy: tuple[UUID, UUID], monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = legacy
    with monkeypatch.context() as before_issue_9:
        before_issue_9.setattr(Patent, "reserve_sale", lambda *args, **kwargs: False)
        sign_all(world, first)
        sign_all(world, second, "uni", "rival")
        started, _ = world.app.payments.start_payment(d.StartPayment(contract_id=second), actor_id=world["rival"])
    start_by_bank(world, first)  # the first buyer takes the reservation
    oid = obligation_id(second, "upfront")
    world.app.payments.record_gateway_event(
        GatewayEvent(provider="stripe", event_id="evt_late", event_type="payment_intent.succeeded",
                     provider_payment_id=started.provider_payment_id, obligation_id=oid, amount=10_000_000)
    )
    assert world.get(oid).status == "paid"
    assert world.get(oid).refund_owed is not None
    assert f"reserved by contract {first}" in world.get(oid).refund_owed
    assert world.get(second).status == "signed"
    assert world.get(world["patent"]).sale_reservation["contract_id"] == str(first)


# --- the open licence: one live take-up per licensee and listing ---------------------------------
def open_listing(world: World, fee: int = 50_000) -> UUID:
    patent = world.register_patent(["uni"], number="202110111111")
    return world.list_patent(
        "uni", patent, deal_types=["open_licence"], price_mode="open_licence", asking_price=None,
        open_licence=cc.OpenLicenceInput(fee=fee, term_years=3),
    )


def test_taking_an_open_licence_again_answers_the_live_take_up_and_records_nothing(world: World) -> None:
    listing = open_listing(world)
    first = world.app.contracts.take_up_open_licence(d.TakeOpenLicence(listing_id=listing), actor_id=world["firm"])
    assert first.created
    before = head(world.app)
    world.clock.advance(date.resolution)  # another instant: the old contract id would differ
    again = world.app.contracts.take_up_open_licence(d.TakeOpenLicence(listing_id=listing), actor_id=world["firm"])
    assert (again.contract_id, again.created) == (first.contract_id, False)
    assert world.app.contracts.take_open_licence(d.TakeOpenLicence(listing_id=listing), actor_id=world["firm"])[0] == (
        first.contract_id
    )
    assert head(world.app) == before
    other = world.app.contracts.take_up_open_licence(d.TakeOpenLicence(listing_id=listing), actor_id=world["rival"])
    assert other.created
    assert other.contract_id != first.contract_id


def test_a_new_take_up_is_possible_once_the_last_one_ended(world: World) -> None:
    listing = open_listing(world)
    taken, _ = world.app.contracts.take_open_licence(d.TakeOpenLicence(listing_id=listing), actor_id=world["firm"])
    oid = pay_by_webhook(world, taken)
    world.app.payments.refund_payment(
        d.RefundPayment(obligation_id=oid, reason="licensee withdrew"), actor_id=world["admin"])
    assert world.get(taken).status == "terminated"
    world.clock.advance(date.resolution)
    again = world.app.contracts.take_up_open_licence(d.TakeOpenLicence(listing_id=listing), actor_id=world["firm"])
    assert again.created
    assert again.contract_id != taken


# --- objections to a public notice ------------------------------------------------------------------
def noticed(world: World) -> UUID:
    contract_id = accept(world, offer(world, price=9_000_000))
    assert world.get(contract_id).notice_ends_at is not None
    return contract_id


def test_an_unverified_organisation_cannot_object(world: World) -> None:
    contract_id = noticed(world)
    world.sign_up("drifter", "某未审核公司", "enterprise", verify=False)
    with refuses(world, PermissionDeniedError, "must be verified"):
        world.app.contracts.file_objection(
            d.FileObjection(contract_id=contract_id, text="价格明显偏低，应当重新评估"), actor_id=world["drifter"]
        )


def test_the_seller_cannot_object_to_its_own_notice(world: World) -> None:
    contract_id = noticed(world)
    with refuses(world, PermissionDeniedError, "selling organisation"):
        world.app.contracts.file_objection(
            d.FileObjection(contract_id=contract_id, text="我方对价格提出异议"), actor_id=world["uni"]
        )


def test_a_verified_outsider_objects_and_the_objection_names_its_organisation(world: World) -> None:
    contract_id = noticed(world)
    world.app.contracts.file_objection(
        d.FileObjection(contract_id=contract_id, text="价格明显偏低，应当重新评估"), actor_id=world["rival"]
    )
    filed = list(world.app.repository.event_store.get(contract_id))[-1]
    assert type(filed).__name__ == "NoticeObjectionFiled"
    assert filed.organisation_id == world["rival_org"]  # type: ignore[attr-defined]


# --- a contract that stalls before it takes effect can be ended, freeing the patent ----------------
def terminate(world: World, contract_id: UUID, by: str, reason: str = "买方未签署") -> None:
    world.app.contracts.terminate_contract(
        d.TerminateContract(contract_id=contract_id, reason=reason), actor_id=world[by])


def test_a_party_walks_away_before_signing_and_the_patent_is_free_again(world: World) -> None:
    second = offer(world, buyer="rival")
    contract_id = accept(world, offer(world))
    with refuses(world, PermissionDeniedError, "only an org_admin of a party or a platform admin"):
        terminate(world, contract_id, "rival")
    with refuses(world, ValidationError, "reason"):
        terminate(world, contract_id, "firm", reason="  ")
    terminate(world, contract_id, "firm")
    assert world.get(contract_id).status == "terminated"
    patent = world.get(world["patent"])
    assert patent.sale_reservation is None
    assert patent.deal_party_ids() == {world["rival_org"]}
    accept(world, second)
    with refuses(world, ContractStateError, "already terminated"):
        terminate(world, contract_id, "admin")


def test_a_signed_contract_whose_payment_never_came_is_ended_by_a_platform_admin_only(world: World) -> None:
    contract_id = accept(world, offer(world))
    sign_all(world, contract_id)
    with refuses(world, ContractStateError, "only by a platform admin"):
        terminate(world, contract_id, "uni")
    started, _ = world.app.payments.start_payment(d.StartPayment(contract_id=contract_id), actor_id=world["firm"])
    terminate(world, contract_id, "admin", reason="买方逾期未付款")
    assert world.get(world["patent"]).sale_reservation is None
    # the card payment then goes through anyway: recorded and owed back
    oid = obligation_id(contract_id, "upfront")
    world.app.payments.record_gateway_event(
        GatewayEvent(provider="stripe", event_id="evt_after_end", event_type="payment_intent.succeeded",
                     provider_payment_id=started.provider_payment_id, obligation_id=oid, amount=10_000_000)
    )
    assert (world.get(oid).status, world.get(oid).refund_owed) == ("paid", "the contract was terminated")


def test_a_contract_in_force_is_not_ended_by_terminating_it(world: World) -> None:
    contract_id = accept(world, offer(world))
    sign_all(world, contract_id)
    pay_by_webhook(world, contract_id)
    with refuses(world, ContractStateError, "refund of its first payment"):
        terminate(world, contract_id, "admin")
