"""The claims process: follows the event log and turns payments into claims, and refunds into reversals.

Each pass reads the ``Paid`` and ``Refunded`` events of payment obligations after the position it
reached and calls ``app.programmes.assess_payment`` or ``reverse_payment`` for each. Exactly once:
an assessment is recorded with a ``PaymentReview`` whose id derives from the obligation, so a second
pass (after a restart the process starts from the beginning of the log) raises nothing twice, and a
reversal changes only claims not reversed yet. A refund also gives back the part an innovation voucher
paid of it (``Vouchers.return_voucher_part``; a redemption is returned once). The deadline worker runs a
pass with each of its own.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from uuid import UUID

from domain.deals.payment import PaymentObligation
from domain.shared.errors import DomainError
from marketplace.programmes.commands import AssessPayment
from marketplace.programmes.programmes import Programmes
from marketplace.programmes.vouchers import Vouchers
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
    #: Vouchers whose part of a refunded payment came back (or is owed back, once settled).
    vouchers_returned: list[UUID] = field(default_factory=list)


class ClaimsProcess:
    def __init__(self, programmes: Programmes, vouchers: Vouchers | None = None) -> None:
        self.programmes = programmes
        self.vouchers = vouchers
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
                if notification.topic == REFUNDED and self.vouchers is not None:
                    try:  # a voucher part of the refunded payment returns (once: the redemption records it)
                        done.vouchers_returned.extend(self.vouchers.return_voucher_part(obligation_id, REFUND_REASON))
                    except DomainError as refusal:
                        log.info("vouchers: obligation %s: %s", obligation_id, refusal.message)
                self.position = notification.id
            if len(page) < PAGE:
                done.position = self.position
                return done
