"""The ValuerAccreditation aggregate: a valuation agency's member accredited to assess patents (评估师)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.accounts.organisation import OrganisationKind
from domain.shared.errors import ConflictError, PermissionDeniedError, ValidationError
from domain.shared.ids import natural_id
from domain.shared.topics import stored_as


def accreditation_id(user_id: UUID) -> UUID:
    """One accreditation record per valuer: its id derives from the user's id."""
    return natural_id("valuer-accreditation", str(user_id))


class ValuerAccreditation(Aggregate):
    """A platform admin's accreditation of one user of a valuation agency (评估机构) as a valuer.

    The accreditation is valid from ``accredited_on`` up to and including ``expires_on``, until it
    is revoked. Only a valid accreditation lets the valuer record assessments; revocation is final
    for this record (the valuer's past assessments stay on record, marked with their dates).
    """

    class Accredited(Aggregate.Created):
        user_id: UUID
        organisation_id: UUID
        credential_number: str
        expires_on: str
        by: UUID
        accredited_on: str = ""

    @staticmethod
    def create_id(user_id: UUID, **_: object) -> UUID:
        return accreditation_id(user_id)

    @event(Accredited)
    def __init__(
        self,
        user_id: UUID,
        organisation_id: UUID,
        credential_number: str,
        expires_on: str,
        by: UUID,
        accredited_on: str = "",
    ) -> None:
        self.user_id = user_id
        self.organisation_id = organisation_id
        self.credential_number = credential_number
        self.expires_on = date.fromisoformat(expires_on)
        self.accredited_on = date.fromisoformat(accredited_on) if accredited_on else date.min
        self.revoked_on: date | None = None
        self.revocation_reason = ""

    @classmethod
    def accredit(
        cls,
        *,
        user_id: UUID,
        organisation_id: UUID,
        organisation_kind: str,
        credential_number: str,
        expires_on: date,
        today: date,
        by: UUID,
    ) -> ValuerAccreditation:
        """Accredit a member of a valuation agency; the credential is the valuer's licence number."""
        if organisation_kind != OrganisationKind.VALUATION_AGENCY.value:
            raise PermissionDeniedError(
                "user_id: only members of a valuation agency (评估机构) can be accredited as valuers",
                field="user_id", code="valuer.agency_member",
            )
        number = " ".join(credential_number.split())
        if not 1 <= len(number) <= 64:
            raise ValidationError(
                "credential_number: give the valuer's credential number (1 to 64 characters)",
                field="credential_number", code="length", least=1, most=64,
            )
        if expires_on <= today:
            raise ValidationError(
                f"expires_on: the accreditation must expire after today ({today})", field="expires_on",
                code="valuer.expires_after_today", today=today,
            )
        return cls(
            user_id=user_id,
            organisation_id=organisation_id,
            credential_number=number,
            expires_on=expires_on.isoformat(),
            by=by,
            accredited_on=today.isoformat(),
        )

    @property
    def is_revoked(self) -> bool:
        return self.revoked_on is not None

    def is_valid_on(self, day: date) -> bool:
        """Whether the valuer was accredited on ``day``: on or after accreditation, not expired, not revoked."""
        if self.revoked_on is not None and day >= self.revoked_on:
            return False
        return self.accredited_on <= day <= self.expires_on

    def why_invalid_on(self, day: date) -> str | None:
        """The reason the accreditation is not valid on ``day`` (for refusals), or ``None``."""
        if self.revoked_on is not None and day >= self.revoked_on:
            return f"the accreditation was revoked on {self.revoked_on} ({self.revocation_reason})"
        if day < self.accredited_on:
            return f"the accreditation starts on {self.accredited_on}, after {day}"
        if day > self.expires_on:
            return f"the accreditation expired on {self.expires_on}"
        return None

    def invalid_on(self, day: date) -> tuple[str, date] | None:
        """Why the accreditation is not valid on ``day`` as a refusal code and its date, or ``None``."""
        if self.revoked_on is not None and day >= self.revoked_on:
            return "valuer.revoked_on", self.revoked_on
        if day < self.accredited_on:
            return "valuer.starts_on", self.accredited_on
        if day > self.expires_on:
            return "valuer.expired_on", self.expires_on
        return None

    def renew(self, *, expires_on: date, today: date, by: UUID) -> None:
        """Extend the accreditation to a later expiry date (also after it has lapsed)."""
        if self.is_revoked:
            raise ConflictError("user_id: a revoked accreditation cannot be renewed", field="user_id",
                                code="valuer.revoked")
        if expires_on <= max(today, self.expires_on):
            raise ValidationError(
                f"expires_on: must be after the current expiry ({self.expires_on}) and after today ({today})",
                field="expires_on", code="valuer.expires_after", expiry=self.expires_on, today=today,
            )
        self._renewed(expires_on=expires_on.isoformat(), by=by)

    @event("Renewed")
    def _renewed(self, expires_on: str, by: UUID) -> None:
        self.expires_on = date.fromisoformat(expires_on)

    def revoke(self, *, reason: str, today: date, by: UUID) -> None:
        """Revoke the accreditation from ``today`` on; the reason is kept on record."""
        if self.is_revoked:
            raise ConflictError("user_id: the accreditation is already revoked", field="user_id", code="valuer.revoked")
        text = " ".join(reason.split())
        if not text:
            raise ValidationError("reason: give the reason for revoking the accreditation", field="reason",
                                  code="required")
        self._revoked(reason=text[:500], by=by, revoked_on=today.isoformat())

    @event("Revoked")
    def _revoked(self, reason: str, by: UUID, revoked_on: str = "") -> None:
        self.revoked_on = date.fromisoformat(revoked_on) if revoked_on else date.min
        self.revocation_reason = reason


stored_as("domain.valuer", __name__)  # moved from domain/valuer.py: its stored topics stay
