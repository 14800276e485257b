"""The OwnershipClaim aggregate: an organisation says a patent's registration names the wrong owners."""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.shared.errors import ConflictError, ValidationError
from domain.shared.ids import natural_id
from domain.shared.text import checked
from domain.shared.topics import stored_as

EVIDENCE_MAX = 4_000
REFERENCE_MAX = 500


def clean_statement(text: str, field: str, *, required: str | None = None, limit: int = EVIDENCE_MAX) -> str:
    """Multi-line free text as recorded: the marketplace's text rule (``domain.shared.text``: no control,
    invisible or bidirectional characters, NFC), stripped, at most ``limit`` characters."""
    cleaned = checked(text, field, "lines").strip()
    if required is not None and not cleaned:
        raise ValidationError(f"{field}: {required}", field=field, code="required")
    if len(cleaned) > limit:
        raise ValidationError(f"{field}: at most {limit} characters", field=field, code="too_long", most=limit)
    return cleaned


class ClaimStatus(StrEnum):
    FILED = "filed"
    UPHELD = "upheld"
    DISMISSED = "dismissed"


def claim_id(patent_id: UUID, registration: int, claimant_organisation_id: UUID) -> UUID:
    """One claim per organisation against one registration of a number: a repeat (a double click)
    fails at save instead of filing a second claim."""
    return natural_id("ownership-claim", f"{patent_id}:{registration}:{claimant_organisation_id}")


class OwnershipClaim(Aggregate):
    """A claim, with evidence, that a registration is wrong (the claimant is the true owner).

    A platform admin decides it: upheld, the registration is withdrawn (``Patent.RegistrationWithdrawn``)
    and the number is free for the true owner; dismissed, with the reason, the registration stands.
    """

    class Filed(Aggregate.Created):
        patent_id: UUID
        registration: int
        claimant_organisation_id: UUID
        evidence: str
        reference: str
        by: UUID

    @staticmethod
    def create_id(patent_id: UUID, registration: int, claimant_organisation_id: UUID, **_: object) -> UUID:
        return claim_id(patent_id, registration, claimant_organisation_id)

    @event(Filed)
    def __init__(
        self, patent_id: UUID, registration: int, claimant_organisation_id: UUID, evidence: str, reference: str,
        by: UUID,
    ) -> None:
        self.patent_id = patent_id
        self.registration = registration
        self.claimant_organisation_id = claimant_organisation_id
        self.evidence = evidence
        self.reference = reference
        self.status = ClaimStatus.FILED.value

    @classmethod
    def file(
        cls, *, patent_id: UUID, registration: int, claimant_organisation_id: UUID, evidence: str, reference: str,
        by: UUID,
    ) -> OwnershipClaim:
        evidence = clean_statement(evidence, "evidence", required="describe why your organisation is the owner")
        reference = clean_statement(reference, "reference", limit=REFERENCE_MAX)
        return cls(patent_id=patent_id, registration=registration, claimant_organisation_id=claimant_organisation_id,
                   evidence=evidence, reference=reference, by=by)

    def decide(self, *, upheld: bool, reason: str, by: UUID) -> None:
        if self.status != ClaimStatus.FILED:
            raise ConflictError(
                f"claim_id: this claim was already {self.status}", field="claim_id", code="claim.decided",
                claim_status=str(self.status),
            )
        reason = clean_statement(reason, "reason", required=None if upheld else "say why the claim is dismissed")
        self._decided(upheld=upheld, reason=reason, by=by)

    @event("Decided")
    def _decided(self, upheld: bool, reason: str, by: UUID) -> None:
        self.status = (ClaimStatus.UPHELD if upheld else ClaimStatus.DISMISSED).value


stored_as("domain.ownership_claim", __name__)  # moved from domain/ownership_claim.py: its stored topics stay
