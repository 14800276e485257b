"""Who may hold a patent's registration: co-owners confirm or decline, the registrant withdraws,
the true owner files a claim that a platform admin decides (issue 9).

A registration found wrong is withdrawn on the Patent aggregate (``Patent.RegistrationWithdrawn``):
its active listing is withdrawn in the same save and the number may be registered again
(``Patent.Reregistered``, see ``Catalogue.register_patent``).
"""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.accounts.organisation import Organisation
from domain.accounts.user import Role, User
from domain.catalogue.listing import Listing
from domain.catalogue.ownership_claim import OwnershipClaim
from domain.catalogue.patent import Patent
from domain.shared.errors import ConflictError, PermissionDeniedError
from marketplace.catalogue import commands as r
from marketplace.platform.app_base import MarketplaceBase


class Registrations:
    """Commands on the standing of a patent's registration."""

    def __init__(self, store: MarketplaceBase) -> None:
        self.store = store

    # --- co-owners ----------------------------------------------------------------------------
    def confirm_co_ownership(self, cmd: r.ConfirmCoOwnership, *, actor_id: UUID | None) -> int:
        user = self.store.actor(actor_id)
        patent = self.store.load(Patent, cmd.patent_id, "patent_id")
        self._require_co_owner_admin(user, patent)
        patent.confirm_co_ownership(user.organisation_id, by=user.id)
        return self.store.commit(patent)

    def decline_co_ownership(self, cmd: r.DeclineCoOwnership, *, actor_id: UUID | None) -> int:
        """The registration is wrong as filed: it is withdrawn; the registrant registers it again correctly."""
        user = self.store.actor(actor_id)
        patent = self.store.load(Patent, cmd.patent_id, "patent_id")
        self._require_co_owner_admin(user, patent)
        patent.decline_co_ownership(user.organisation_id, reason=cmd.reason, by=user.id)
        return self.store.commit(patent)

    def _require_co_owner_admin(self, user: User, patent: Patent) -> None:
        """An org admin of a verified organisation the registration names as an owner."""
        if not patent.is_owned_by(user.organisation_id):
            raise PermissionDeniedError(
                "patent_id: only an organisation named as an owner of this patent may answer for it", field="patent_id",
                code="registration.not_named_owner",
            )
        self.store.require_role(user, Role.ORG_ADMIN)
        self._require_verified(user.organisation_id, "answer for a patent", code="organisation.unverified_answer")

    def _require_verified(self, organisation_id: UUID, action: str, *, code: str) -> Organisation:
        org = self.store.load(Organisation, organisation_id, "organisation_id")
        if not org.verified:
            raise PermissionDeniedError(
                f"organisation: {org.name} must be verified by the platform before it can {action}",
                code=code, organisation=org.name,
            )
        return org

    # --- withdrawal by the registrant ---------------------------------------------------------
    def withdraw_registration(self, cmd: r.WithdrawRegistration, *, actor_id: UUID | None) -> int:
        """The registrant's org admin withdraws its own registration while nothing is contracted.

        When the registrant is not an owner (a platform admin registered the patent) or is unknown
        (registered before registrants were recorded), an org admin of an owner organisation may.
        """
        user = self.store.actor(actor_id)
        patent = self.store.load(Patent, cmd.patent_id, "patent_id")
        if patent.registration_withdrawn and user.organisation_id == patent.registrant_organisation_id:
            # the registrant withdrawing again (a second click): said as such, not as someone else's registration
            raise ConflictError(
                "patent_id: the registration of this patent was withdrawn", field="patent_id",
                code="registration.withdrawn",
            )
        registrant = patent.registrant_organisation_id
        registrant_owns = registrant is not None and patent.is_owned_by(registrant)
        if not patent.is_owned_by(user.organisation_id) or (registrant_owns and registrant != user.organisation_id):
            raise PermissionDeniedError(
                "patent_id: only the organisation that registered this patent may withdraw its registration",
                field="patent_id", code="registration.registrant_only",
            )
        self.store.require_role(user, Role.ORG_ADMIN)
        if patent.has_changed_hands:
            raise ConflictError(
                "patent_id: the patent was assigned through the marketplace; its registration cannot be withdrawn",
                field="patent_id", code="registration.assigned",
            )
        changed = self._withdraw(patent, reason=cmd.reason, by=user.id)
        return self.store.commit(*changed)

    def _withdraw(self, patent: Patent, *, reason: str, by: UUID, claim_id: UUID | None = None) -> list[Aggregate]:
        """Withdraw the registration and, in the same save, its active listing."""
        changed: list[Aggregate] = [patent]
        if patent.active_listing_id is not None:
            why = patent.why_registration_cannot_be_withdrawn()
            if why is not None:  # refused before the listing is touched
                raise patent.withdrawal_refused(why)
            listing = self.store.load(Listing, patent.active_listing_id, "listing_id")
            if listing.is_open:
                listing.withdraw(reason="the patent's registration was withdrawn", by=by)
                changed.append(listing)
            patent.close_listing(listing.id, by=by)
        patent.withdraw_registration(reason=reason, by=by, claim_id=claim_id)
        return changed

    # --- claims by the true owner ---------------------------------------------------------------
    def file_ownership_claim(self, cmd: r.FileOwnershipClaim, *, actor_id: UUID | None) -> tuple[UUID, int]:
        """A member of a verified organisation claims, with evidence, that the registration is wrong."""
        user = self.store.actor(actor_id)
        self._require_verified(user.organisation_id, "file an ownership claim", code="organisation.unverified_claim")
        patent = self.store.load(Patent, cmd.patent_id, "patent_id")
        if patent.registration_withdrawn:
            raise ConflictError(
                "patent_id: this registration was already withdrawn; the number can be registered again",
                field="patent_id", code="claim.registration_withdrawn",
            )
        if user.organisation_id == patent.registrant_organisation_id:
            raise ConflictError(
                "patent_id: your organisation registered this patent; withdraw the registration instead",
                field="patent_id", code="claim.own_registration",
            )
        claim = OwnershipClaim.file(
            patent_id=patent.id, registration=patent.registration_round, claimant_organisation_id=user.organisation_id,
            evidence=cmd.evidence, reference=cmd.reference, by=user.id,
        )
        duplicate = ConflictError(
            "patent_id: your organisation has already filed a claim against this registration", field="patent_id",
            code="claim.duplicate",
        )
        return claim.id, self.store.commit(claim, duplicate=duplicate)

    def decide_ownership_claim(self, cmd: r.DecideOwnershipClaim, *, actor_id: UUID | None) -> int:
        """A platform admin decides: upheld, the registration is withdrawn (its listing with it)."""
        admin = self.store.actor(actor_id)
        self.store.require_role(admin, Role.PLATFORM_ADMIN)
        claim = self.store.load(OwnershipClaim, cmd.claim_id, "claim_id")
        claim.decide(upheld=cmd.upheld, reason=cmd.reason, by=admin.id)
        changed: list[Aggregate] = [claim]
        if cmd.upheld:
            patent = self.store.load(Patent, claim.patent_id, "patent_id")
            if patent.registration_withdrawn or patent.registration_round != claim.registration:
                raise ConflictError(
                    "claim_id: the registration this claim is against was already withdrawn; dismiss the claim",
                    field="claim_id", code="claim.registration_gone",
                )
            reason = "ownership claim upheld" + (f": {claim_reason}" if (claim_reason := cmd.reason.strip()) else "")
            changed += self._withdraw(patent, reason=reason, by=admin.id, claim_id=claim.id)
        return self.store.commit(*changed)
