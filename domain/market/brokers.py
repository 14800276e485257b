"""The BrokerAccreditation aggregate: a transfer agency's member accredited as a technology broker (技术经纪人).

Accredited by a platform admin as valuers are (``domain.valuation.valuer``): a credential number, an
expiry, and revocation with its reason. Only a valid accreditation lets a broker record introductions.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.accounts.organisation import OrganisationKind
from domain.shared.errors import ConflictError, PermissionDeniedError, ValidationError
from domain.shared.ids import natural_id
from domain.shared.text import checked


def broker_id(user_id: UUID) -> UUID:
    """One accreditation record per broker: its id derives from the user's id."""
    return natural_id("broker-accreditation", str(user_id))


class BrokerAccreditation(Aggregate):
    """A platform admin's accreditation of one user of a technology transfer agency (技术转移机构) as a broker.

    Valid from ``accredited_on`` up to and including ``expires_on``, until revoked; a revoked record is
    final (its introductions stay on record).
    """

    class Accredited(Aggregate.Created):
        user_id: UUID
        organisation_id: UUID
        credential_number: str
        expires_on: str
        accredited_on: str
        by: UUID

    @staticmethod
    def create_id(user_id: UUID, **_: object) -> UUID:
        return broker_id(user_id)

    @event(Accredited)
    def __init__(self, user_id: UUID, organisation_id: UUID, credential_number: str, expires_on: str,
                 accredited_on: str, by: UUID) -> None:
        self.user_id = user_id
        self.organisation_id = organisation_id
        self.credential_number = credential_number
        self.expires_on = date.fromisoformat(expires_on)
        self.accredited_on = date.fromisoformat(accredited_on)
        self.revoked_on: date | None = None
        self.revocation_reason = ""

    @classmethod
    def accredit(cls, *, user_id: UUID, organisation_id: UUID, organisation_kind: str, credential_number: str,
                 expires_on: date, today: date, by: UUID) -> BrokerAccreditation:
        """Accredit a member of a transfer agency; the credential is the broker's certificate number."""
        if organisation_kind != OrganisationKind.TRANSFER_AGENCY.value:
            raise PermissionDeniedError(
                "user_id: only members of a technology transfer agency (技术转移机构) can be accredited as brokers",
                field="user_id", code="broker.agency_member")
        number = " ".join(checked(credential_number, "credential_number").split())
        if not 1 <= len(number) <= 64:
            raise ValidationError("credential_number: give the broker's certificate number (1 to 64 characters)",
                                  field="credential_number", code="length", least=1, most=64)
        if expires_on <= today:
            raise ValidationError(f"expires_on: the accreditation must expire after today ({today})",
                                  field="expires_on", code="broker.expires_after_today", today=today)
        return cls(user_id=user_id, organisation_id=organisation_id, credential_number=number,
                   expires_on=expires_on.isoformat(), accredited_on=today.isoformat(), by=by)

    def is_valid_on(self, day: date) -> bool:
        if self.revoked_on is not None and day >= self.revoked_on:
            return False
        return self.accredited_on <= day <= self.expires_on

    def require_valid(self, day: date) -> None:
        """Refuse (coded) a broker whose accreditation is revoked or expired on ``day``."""
        if self.revoked_on is not None and day >= self.revoked_on:
            raise PermissionDeniedError("broker: the broker's accreditation is revoked", field="broker",
                                        code="broker.revoked")
        if not self.accredited_on <= day <= self.expires_on:
            raise PermissionDeniedError(f"broker: the broker's accreditation expired on {self.expires_on}",
                                        field="broker", code="broker.expired", expiry=self.expires_on)

    def renew(self, *, expires_on: date, today: date, by: UUID) -> None:
        if self.revoked_on is not None:
            raise ConflictError("user_id: a revoked accreditation cannot be renewed", field="user_id",
                                code="broker.revoked")
        if expires_on <= max(today, self.expires_on):
            raise ValidationError(
                f"expires_on: must be after the current expiry ({self.expires_on}) and after today ({today})",
                field="expires_on", code="broker.expires_after", expiry=self.expires_on, today=today)
        self._renewed(expires_on=expires_on.isoformat(), by=by)

    @event("Renewed")
    def _renewed(self, expires_on: str, by: UUID) -> None:
        self.expires_on = date.fromisoformat(expires_on)

    def revoke(self, *, reason: str, today: date, by: UUID) -> None:
        if self.revoked_on is not None:
            raise ConflictError("user_id: the accreditation is already revoked", field="user_id",
                                code="broker.revoked")
        text = " ".join(checked(reason, "reason", "lines").split())
        if not text:
            raise ValidationError("reason: give the reason for revoking the accreditation", field="reason",
                                  code="required")
        self._revoked(reason=text[:500], revoked_on=today.isoformat(), by=by)

    @event("Revoked")
    def _revoked(self, reason: str, revoked_on: str, by: UUID) -> None:
        self.revoked_on = date.fromisoformat(revoked_on)
        self.revocation_reason = reason
