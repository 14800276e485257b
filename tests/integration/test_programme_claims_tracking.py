"""The claims process resumes where it stood after a restart, on a real PostgreSQL (issue 12): its position is
recorded in ``programme_claims_process_tracking``; a restarted process reads no payment it handled before;
a crash between a claim's save and the position's record makes the next process handle that payment again
with no second effect; two processes at once raise each claim once; a refund is reversed once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import Tracking

from domain.programmes.claim import Claim
from domain.shared.errors import ConcurrentModificationError, ConflictError
from marketplace.deals import commands as d
from marketplace.platform.database import DatabaseAddress
from marketplace.platform.migrate import migrate
from marketplace.programmes.claims_process import PAID, TRACKING_TABLE, ClaimsProcess, tracking_recorder
from tests.unit.deal_helpers import World, accept, make_world, offer, past_notice, pay_by_webhook, sign_all
from tests.unit.test_programme_process import PRICE, programme, seller_reward, sign_up


@pytest.fixture
def world(database: DatabaseAddress) -> Iterator[World]:
    migrate(database.conninfo())
    w = make_world(database.eventsourcing_env())
    sign_up(w, "officer", "福建省科学技术厅", "government", "福建省福州市", ("programme_officer",))
    sign_up(w, "fafu", "福建农林大学", "university", "福建省福州市")
    sign_up(w, "maker", "厦门海沧精密制造有限公司", "enterprise", "福建省厦门市")
    programme(w, "transfer_reward", seller_reward())
    yield w
    w.app.close()


def paid_sale(world: World, n: int) -> UUID:
    patent = world.register_patent(["fafu"], number=f"20211077{n:04d}")
    listing = world.list_patent("fafu", patent, asking_price=PRICE)
    contract = accept(world, offer(world, buyer="maker", price=PRICE, listing_id=listing), by="fafu")
    past_notice(world)
    sign_all(world, contract, "fafu", "maker")
    return pay_by_webhook(world, contract, payer="maker", event_id=f"evt_{n}")


class Counted:
    """Counts the payments a process hands to the application (what a restart re-reads)."""

    def __init__(self, world: World) -> None:
        self.assessed: list[UUID] = []
        self.reversed: list[UUID] = []
        programmes = world.app.programmes
        self.assess, self.reverse = programmes.assess_payment, programmes.reverse_payment

        def assess(cmd: Any) -> list[UUID]:
            self.assessed.append(cmd.obligation_id)
            return self.assess(cmd)

        def reverse(obligation_id: UUID, reason: str) -> list[UUID]:
            self.reversed.append(obligation_id)
            return self.reverse(obligation_id, reason)

        programmes.assess_payment = assess  # type: ignore[method-assign]
        programmes.reverse_payment = reverse  # type: ignore[method-assign]


def recorded(world: World) -> int:
    """The position as the table holds it."""
    with world.app.recorder.datastore.transaction(commit=False) as curs:  # type: ignore[attr-defined]
        curs.execute(f"SELECT notification_id FROM {TRACKING_TABLE} WHERE application_name = %s",
                     (world.app.name,))
        row = curs.fetchone()
    return int(row["notification_id"]) if row else 0


def claims_of(world: World) -> list[UUID]:
    return [n.originator_id for n in world.app.recorder.select_notifications(  # type: ignore[misc]
        1, 10_000, topics=[f"{Claim.__module__}:{Claim.__qualname__}.Raised"])]


def test_a_restarted_process_resumes_after_the_last_payment_it_handled(world: World) -> None:
    first = paid_sale(world, 1)
    (claim,) = ClaimsProcess(world.app.programmes).run_once().raised
    last_paid = world.app.recorder.select_notifications(1, 10_000, topics=[PAID])[-1].id
    assert recorded(world) == last_paid

    counted = Counted(world)
    restarted = ClaimsProcess(world.app.programmes)  # a new worker: a new process, the same database
    assert restarted.position == last_paid
    assert restarted.run_once().raised == []
    assert counted.assessed == []  # it read nothing it had handled

    second = paid_sale(world, 2)
    (another,) = ClaimsProcess(world.app.programmes).run_once().raised
    assert counted.assessed == [second]
    assert first != second
    assert claims_of(world) == [claim, another]

    # A refund is reversed once, and a restart does not reverse it again.
    world.app.payments.refund_payment(d.RefundPayment(obligation_id=first, reason="合同解除"), actor_id=world["admin"])
    assert ClaimsProcess(world.app.programmes).run_once().reversed == [claim]
    assert ClaimsProcess(world.app.programmes).run_once().reversed == []
    assert counted.reversed == [first]
    assert world.get(claim).status == "withdrawn"


class CrashesOnRecord:
    """A tracking recorder whose process dies when it records a position (after the claim's save)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def max_tracking_id(self, application_name: str) -> int | None:
        return self.inner.max_tracking_id(application_name)  # type: ignore[no-any-return]

    def insert_tracking(self, tracking: Tracking) -> None:
        raise SystemExit("the worker was stopped")


def test_a_crash_between_the_claim_and_the_position_raises_no_claim_twice(world: World) -> None:
    paid_sale(world, 1)
    ClaimsProcess(world.app.programmes).run_once()
    before = recorded(world)
    paid = paid_sale(world, 2)
    crashing = ClaimsProcess(world.app.programmes, tracking=CrashesOnRecord(tracking_recorder(world.app.programmes)))
    with pytest.raises(SystemExit):
        crashing.run_once()
    assert len(claims_of(world)) == 2  # the second claim was saved, its position not recorded
    assert recorded(world) == before

    counted = Counted(world)
    again = ClaimsProcess(world.app.programmes).run_once()
    assert counted.assessed == [paid]  # handled again ...
    assert again.raised == []  # ... with no second effect
    assert len(claims_of(world)) == 2
    assert recorded(world) > before


def test_two_processes_at_once_raise_each_claim_once(world: World) -> None:
    for n in range(3):
        paid_sale(world, n)
    processes = [ClaimsProcess(world.app.programmes) for _ in range(3)]
    start = threading.Barrier(len(processes))
    raised: list[UUID] = []
    failures: list[BaseException] = []

    def run(process: ClaimsProcess) -> None:
        start.wait()
        try:
            raised.extend(process.run_once().raised)
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=run, args=(p,)) for p in processes]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert sorted(raised) == sorted(claims_of(world))
    assert len(claims_of(world)) == 3
    assert recorded(world) == world.app.recorder.select_notifications(1, 10_000, topics=[PAID])[-1].id


def test_a_payment_whose_records_changed_meanwhile_is_handled_again_not_skipped(world: World) -> None:
    paid_sale(world, 1)
    programmes = world.app.programmes
    assess = programmes.assess_payment
    # As the application answers a save that clashed with an officer's approval of the same ledger.
    clashes = [ConflictError("obligation_id: already evaluated", code="programme.evaluated"),
               ConcurrentModificationError("version: changed meanwhile", code="version.stale")]

    def clashing(cmd: Any) -> list[UUID]:
        if clashes:
            raise clashes.pop()
        return assess(cmd)

    programmes.assess_payment = clashing  # type: ignore[method-assign]
    process = ClaimsProcess(programmes)
    assert process.run_once().raised == []
    assert recorded(world) == 0  # not past the payment it could not handle
    assert ClaimsProcess(programmes).run_once().raised == []  # a restart meets the other clash
    assert recorded(world) == 0
    (claim,) = process.run_once().raised  # the next pass handles it
    assert claims_of(world) == [claim]
