"""The claims process: follows the event log and turns payments into claims, and refunds into reversals.

Each pass reads the ``Paid`` and ``Refunded`` events of payment obligations after the position it
reached and calls ``app.programmes.assess_payment`` or ``reverse_payment`` for each. The deadline worker
runs a pass with each of its own. A refund also gives back the part an innovation voucher paid of it
(``Vouchers.return_voucher_part``; a redemption is returned once, so handling the refund again changes nothing).

**Where it stands survives a restart.** After each event it records its position with eventsourcing's
tracking recorder (on PostgreSQL the table ``programme_claims_process_tracking``, beside the event store,
created by the library so that it keeps the library's shape; in memory for the unit tests), and a new
process (a restarted worker) starts after it instead of at the beginning of the log.

**Exactly once.** The position is recorded after the event's effect is saved, not in its transaction, so
a crash between the two makes the next pass handle that one event again; it has no second effect: an
assessment is recorded with a ``PaymentReview`` whose id derives from the obligation (evaluated before:
nothing is raised; two workers at once: the second save conflicts), and a reversal changes only claims not
reversed yet. A payment whose records changed meanwhile (a version clash with an officer's approval) ends
the pass before it, so the next pass handles it again rather than skipping it. The position never moves
back (the tracking recorder refuses it), so two workers at once leave the furthest position.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from uuid import UUID

from eventsourcing.persistence import IntegrityError, Tracking, TrackingRecorder
from eventsourcing.popo import POPOTrackingRecorder
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresTrackingRecorder

from domain.deals.payment import PaymentObligation
from domain.programmes.claim import payment_review_id
from domain.shared.errors import ConcurrentModificationError, ConflictError, DomainError
from marketplace.programmes.commands import AssessPayment
from marketplace.programmes.programmes import Programmes
from marketplace.programmes.vouchers import Vouchers
from projections.shared.topics import event_topic

log = logging.getLogger(__name__)

PAID = event_topic(PaymentObligation, "Paid")
REFUNDED = event_topic(PaymentObligation, "Refunded")
PAGE = 500
REFUND_REASON = "退款 / the payment was refunded"
#: Where the process records its position (one row per application, the library's tracking table).
TRACKING_TABLE = "programme_claims_process_tracking"
#: How many passes may stop at one payment whose records keep changing meanwhile before it is left.
RETRIES = 5


@dataclass
class ClaimsPass:
    raised: list[UUID] = field(default_factory=list)
    reversed: list[UUID] = field(default_factory=list)
    position: int = 0
    #: Vouchers whose part of a refunded payment came back (or is owed back, once settled).
    vouchers_returned: list[UUID] = field(default_factory=list)


def tracking_recorder(programmes: Programmes) -> TrackingRecorder:
    """The process's tracking recorder: a table beside the event store on PostgreSQL, memory otherwise."""
    recorder = programmes.store.recorder
    if isinstance(recorder, PostgresApplicationRecorder):
        tracking = PostgresTrackingRecorder(recorder.datastore, tracking_table_name=TRACKING_TABLE)
        tracking.create_table()
        return tracking
    return POPOTrackingRecorder()


class ClaimsProcess:
    def __init__(self, programmes: Programmes, tracking: TrackingRecorder | None = None, *,
                 vouchers: Vouchers | None = None) -> None:
        self.programmes = programmes
        self.vouchers = vouchers
        self.tracking = tracking if tracking is not None else tracking_recorder(programmes)
        self.application_name = programmes.store.name
        self.position = self.recorded_position()
        #: Passes stopped at a payment whose records changed meanwhile, by its position.
        self.retries: dict[int, int] = {}

    def recorded_position(self) -> int:
        """The last event handled, as recorded (by this process or another)."""
        return self.tracking.max_tracking_id(self.application_name) or 0

    def _record(self, position: int) -> None:
        try:
            self.tracking.insert_tracking(Tracking(self.application_name, position))
        except IntegrityError:  # another worker is further on: its position stands
            log.info("claims process: position %s recorded by another worker already", position)

    def _retry_later(self, position: int, topic: str, obligation_id: UUID, clash: ConflictError) -> bool:
        """Whether a conflict is a clash with a change made meanwhile (a ledger or a claim saved by an officer
        approving) rather than the payment's evaluation by another worker: then the pass stops before the
        payment, its position unrecorded, and the next pass handles it again (at most ``RETRIES`` times)."""
        evaluated = topic == PAID and self.programmes.store.exists(payment_review_id(obligation_id))
        if evaluated or not (isinstance(clash, ConcurrentModificationError) or topic == PAID):
            log.info("claims process: obligation %s: %s", obligation_id, clash.message)
            return False
        self.retries[position] = self.retries.get(position, 0) + 1
        if self.retries[position] > RETRIES:
            log.warning("claims process: obligation %s kept clashing; left: %s", obligation_id, clash.message)
            return False
        log.info("claims process: obligation %s changed meanwhile; handled again next pass", obligation_id)
        return True

    def run_once(self) -> ClaimsPass:
        self.position = max(self.position, self.recorded_position())
        done = ClaimsPass(position=self.position)
        programmes = self.programmes
        while True:
            page = programmes.store.recorder.select_notifications(self.position + 1, PAGE, topics=[PAID, REFUNDED])
            for notification in page:
                obligation_id = notification.originator_id
                assert isinstance(obligation_id, UUID)
                try:
                    if notification.topic == PAID:
                        done.raised.extend(programmes.assess_payment(AssessPayment(obligation_id=obligation_id)))
                    else:
                        done.reversed.extend(programmes.reverse_payment(obligation_id, REFUND_REASON))
                except ConflictError as clash:
                    if self._retry_later(notification.id, notification.topic, obligation_id, clash):
                        done.position = self.position
                        return done
                except DomainError as refusal:
                    # Evaluated by another worker meanwhile, or a record it needs is missing: logged, not retried.
                    log.info("claims process: obligation %s: %s", obligation_id, refusal.message)
                if notification.topic == REFUNDED and self.vouchers is not None:
                    try:  # a voucher part of the refunded payment returns (once: the redemption records it)
                        done.vouchers_returned.extend(self.vouchers.return_voucher_part(obligation_id, REFUND_REASON))
                    except DomainError as refusal:
                        log.info("vouchers: obligation %s: %s", obligation_id, refusal.message)
                self._record(notification.id)
                self.position = notification.id
            if len(page) < PAGE:
                done.position = self.position
                return done
