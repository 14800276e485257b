"""The claims process: follows the event log and turns payments into claims, and refunds into reversals.

Each pass reads the ``Paid`` and ``Refunded`` events of payment obligations after the position it
reached and calls ``app.programmes.assess_payment`` or ``reverse_payment`` for each. Exactly once:
an assessment is recorded with a ``PaymentReview`` whose id derives from the obligation, so a second
pass (after a restart the process starts from the beginning of the log) raises nothing twice, and a
reversal changes only claims not reversed yet. The deadline worker runs a pass with each of its own.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from uuid import UUID

from domain.deals.payment import PaymentObligation
from domain.shared.errors import DomainError
from marketplace.programmes.commands import AssessPayment
from marketplace.programmes.programmes import Programmes
from projections.shared.topics import event_topic

log = logging.getLogger(__name__)

PAID = event_topic(PaymentObligation, "Paid")
REFUNDED = event_topic(PaymentObligation, "Refunded")
PAGE = 500
REFUND_REASON = "退款 / the payment was refunded"


@dataclass
class ClaimsPass:
    raised: list[UUID] = field(default_factory=list)
    reversed: list[UUID] = field(default_factory=list)
    position: int = 0


class ClaimsProcess:
    def __init__(self, programmes: Programmes) -> None:
        self.programmes = programmes
        self.position = 0

    def run_once(self) -> ClaimsPass:
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
                except DomainError as refusal:
                    # Evaluated by another worker meanwhile, or a record it needs is missing: logged, not retried.
                    log.info("claims process: obligation %s: %s", obligation_id, refusal.message)
                self.position = notification.id
            if len(page) < PAGE:
                done.position = self.position
                return done
