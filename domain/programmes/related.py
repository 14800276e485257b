"""Related parties (关联方): two organisations a programme officer has found related (a parent and its
subsidiary, common control, a university and the company it holds), with the reason and who said so.

Fujian's deal rules exclude related-party deals; nothing else on the platform records the relation, so an
officer records it here (``RelatedParties``, one record per pair: its id derives from the two organisation
ids in either order). A programme rule that excludes related parties refuses a payment between them
(``programme.refusal.related_parties``). Marking a pair already marked, or withdrawing one not marked,
records nothing (a double click: one effect).
"""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.shared.errors import ValidationError
from domain.shared.ids import natural_id

REASON_LIMIT = 500


def related_id(first: UUID, second: UUID) -> UUID:
    """The one record of a pair of organisations, whichever is named first."""
    return natural_id("related-parties", ":".join(sorted((str(first), str(second)))))


def _reason(value: str) -> str:
    text = " ".join(value.split())
    if not text:
        raise ValidationError("reason: say why the organisations are related", field="reason", code="required")
    if len(text) > REASON_LIMIT:
        raise ValidationError(f"reason: at most {REASON_LIMIT} characters", field="reason", code="too_long",
                              most=REASON_LIMIT)
    return text


class RelatedParties(Aggregate):
    """Whether two organisations stand as related parties now, and why (the latest reason)."""

    class Marked(Aggregate.Created):
        organisation_ids: list[UUID]
        by: UUID
        reason: str

    @staticmethod
    def create_id(organisation_ids: list[UUID], **_: object) -> UUID:
        return related_id(*organisation_ids)

    @classmethod
    def mark_new(cls, first: UUID, second: UUID, *, by: UUID, reason: str) -> RelatedParties:
        if first == second:
            raise ValidationError("organisation_id: name two different organisations", field="organisation_id",
                                  code="related_parties.same")
        return cls(organisation_ids=sorted((first, second), key=str), by=by, reason=_reason(reason))

    @event(Marked)
    def __init__(self, organisation_ids: list[UUID], by: UUID, reason: str) -> None:
        self.organisation_ids = list(organisation_ids)
        self.related = True
        self.reason = reason

    def mark(self, *, by: UUID, reason: str) -> bool:
        """Mark the pair related again (after a withdrawal); returns whether anything changed."""
        text = _reason(reason)
        if self.related:
            return False
        self._marked_again(by=by, reason=text)
        return True

    @event("MarkedAgain")
    def _marked_again(self, by: UUID, reason: str) -> None:
        self.related = True
        self.reason = reason

    def withdraw(self, *, by: UUID, reason: str) -> bool:
        """The relation no longer stands (or was recorded in error); returns whether anything changed."""
        text = _reason(reason)
        if not self.related:
            return False
        self._withdrawn(by=by, reason=text)
        return True

    @event("Withdrawn")
    def _withdrawn(self, by: UUID, reason: str) -> None:
        self.related = False
        self.reason = reason
