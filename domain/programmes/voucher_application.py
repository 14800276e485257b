"""Online applications for an innovation voucher (科技创新券申请).

A member of a verified enterprise applies under an open voucher programme: the amount wanted, the services,
a short purpose. The application's id is natural (programme, organisation and the form's token), so a double
submit of one form is one application. The programme's officers issue a voucher from it (the application
records the voucher) or refuse it with a reason.
"""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.shared.errors import ConflictError, ValidationError
from domain.shared.ids import natural_id

PURPOSE_LIMIT = 500
TOKEN_LIMIT = 64


def application_id(programme_id: UUID, organisation_id: UUID, token: str) -> UUID:
    return natural_id("voucher-application", f"{programme_id}:{organisation_id}:{token}")


def token_of(value: str) -> str:
    text = "".join(value.split())
    if not 1 <= len(text) <= TOKEN_LIMIT:
        raise ValidationError(f"token: give the form's token (1 to {TOKEN_LIMIT} characters)", field="token",
                              code="length", least=1, most=TOKEN_LIMIT)
    return text


class VoucherApplication(Aggregate):
    """One enterprise's application for a voucher under one programme."""

    class Applied(Aggregate.Created):
        programme_id: UUID
        organisation_id: UUID
        amount: int
        services: list[str]
        purpose: str
        token: str
        by: UUID

    @staticmethod
    def create_id(programme_id: UUID, organisation_id: UUID, token: str, **_: object) -> UUID:
        return application_id(programme_id, organisation_id, token)

    @event(Applied)
    def __init__(self, programme_id: UUID, organisation_id: UUID, amount: int, services: list[str], purpose: str,
                 token: str, by: UUID) -> None:
        self.programme_id = programme_id
        self.organisation_id = organisation_id
        self.amount = amount
        self.services = list(services)
        self.purpose = purpose
        self.token = token
        self.status = "applied"  # applied | issued | refused
        self.voucher_id: UUID | None = None
        self.reason = ""

    def _pending(self) -> None:
        if self.status != "applied":
            raise ConflictError(f"application_id: the application is already {self.status}",
                                field="application_id", code="voucher_application.state",
                                application_status=self.status)

    def issued(self, *, voucher_id: UUID, by: UUID) -> None:
        if self.status == "issued" and self.voucher_id == voucher_id:
            return
        self._pending()
        self._issued(voucher_id=voucher_id, by=by)

    @event("Issued")
    def _issued(self, voucher_id: UUID, by: UUID) -> None:
        self.status = "issued"
        self.voucher_id = voucher_id

    def refuse(self, *, reason: str, by: UUID) -> None:
        self._pending()
        text = " ".join(reason.split())
        if not 1 <= len(text) <= PURPOSE_LIMIT:
            raise ValidationError(f"reason: give the reason (1 to {PURPOSE_LIMIT} characters)", field="reason",
                                  code="length", least=1, most=PURPOSE_LIMIT)
        self._refused(reason=text, by=by)

    @event("Refused")
    def _refused(self, reason: str, by: UUID) -> None:
        self.status = "refused"
        self.reason = reason
