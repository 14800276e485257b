"""Valuation commands: valuer accreditation and assessments (评估)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID
from zoneinfo import ZoneInfo

from eventsourcing.domain import Aggregate

from domain.accounts.organisation import Organisation
from domain.accounts.user import Role, User
from domain.catalogue.patent import Patent
from domain.shared.errors import ConflictError, PermissionDeniedError, ValidationError
from domain.valuation.methods import Calculation, calculate
from domain.valuation.valuation import Valuation, conflict_of_interest
from domain.valuation.valuer import ValuerAccreditation, accreditation_id
from marketplace.platform.app_base import MarketplaceBase
from marketplace.valuation import commands as vc

BEIJING = ZoneInfo("Asia/Shanghai")


class Valuations:
    """Accrediting valuers and recording, superseding and withdrawing assessments."""

    def __init__(self, store: MarketplaceBase) -> None:
        self.store = store

    def today(self) -> date:
        """Today's Beijing date (accreditations and basis dates are Beijing days)."""
        return self.store.clock.now().astimezone(BEIJING).date()

    # --- accreditation (platform admin) -------------------------------------------------
    def accredit_valuer(self, cmd: vc.AccreditValuer, *, actor_id: UUID | None) -> tuple[UUID, int]:
        """Accredit a valuation agency's member; the user gets the ``valuer`` role with it."""
        admin = self.store.actor(actor_id)
        self.store.require_role(admin, Role.PLATFORM_ADMIN)
        user = self.store.load(User, cmd.user_id, "user_id")
        org = self.store.load(Organisation, user.organisation_id, "user_id")
        accreditation = ValuerAccreditation.accredit(
            user_id=user.id,
            organisation_id=org.id,
            organisation_kind=org.kind,
            credential_number=cmd.credential_number,
            expires_on=cmd.expires_on,
            today=self.today(),
            by=admin.id,
        )
        changed: list[Aggregate] = [accreditation]
        if not user.has_role(Role.VALUER):
            user.grant_role(Role.VALUER.value, by=admin.id, authority=Role.PLATFORM_ADMIN.value)
            changed.append(user)
        duplicate = ConflictError(
            "user_id: this user is already accredited; renew the accreditation instead", field="user_id",
            code="valuer.accredited",
        )
        return accreditation.id, self.store.commit(*changed, duplicate=duplicate)

    def renew_accreditation(self, cmd: vc.RenewAccreditation, *, actor_id: UUID | None) -> int:
        admin = self.store.actor(actor_id)
        self.store.require_role(admin, Role.PLATFORM_ADMIN)
        accreditation = self._accreditation(cmd.user_id)
        accreditation.renew(expires_on=cmd.expires_on, today=self.today(), by=admin.id)
        return self.store.commit(accreditation)

    def revoke_accreditation(self, cmd: vc.RevokeAccreditation, *, actor_id: UUID | None) -> int:
        """Revoke from today; the user loses the ``valuer`` role in the same save."""
        admin = self.store.actor(actor_id)
        self.store.require_role(admin, Role.PLATFORM_ADMIN)
        accreditation = self._accreditation(cmd.user_id)
        accreditation.revoke(reason=cmd.reason, today=self.today(), by=admin.id)
        changed: list[Aggregate] = [accreditation]
        user = self.store.load(User, cmd.user_id, "user_id")
        if user.has_role(Role.VALUER):
            user.revoke_role(Role.VALUER.value, by=admin.id)
            changed.append(user)
        return self.store.commit(*changed)

    def _accreditation(self, user_id: UUID) -> ValuerAccreditation:
        return self.store.load(ValuerAccreditation, accreditation_id(user_id), "user_id")

    # --- assessments --------------------------------------------------------------------
    @staticmethod
    def calculate_valuation(cmd: vc.CalculateValuation) -> Calculation:
        """The method's value and steps for these inputs; nothing is recorded."""
        return calculate(cmd.method, cmd.inputs)

    def record_assessment(self, cmd: vc.RecordAssessment, *, actor_id: UUID | None) -> tuple[UUID, int]:
        """Record an assessment by an accredited valuer without a conflict of interest.

        The value is always what the method computes from the inputs: the valuer cannot type it.
        With ``supersedes`` the earlier assessment (same patent, same agency, still current) is
        marked superseded in the same atomic save.
        """
        user = self.store.actor(actor_id)
        accreditation = self._valid_accreditation(user, cmd.basis_date)
        patent = self.store.load(Patent, cmd.patent_id, "patent_id")
        conflict = conflict_of_interest(accreditation.organisation_id, patent.owner_ids, patent.deal_party_ids())
        if conflict is not None:
            owns = accreditation.organisation_id in set(patent.owner_ids)
            raise PermissionDeniedError(conflict, field="patent_id",
                                        code="valuation.owner" if owns else "valuation.deal_party")
        previous = None
        if cmd.supersedes is not None:
            previous = self.store.load(Valuation, cmd.supersedes, "supersedes")
            previous.check_supersedable_by(patent_id=patent.id, organisation_id=accreditation.organisation_id)
        result = calculate(cmd.method, cmd.inputs)
        valuation = Valuation.record(
            patent_id=patent.id,
            valuer_id=user.id,
            organisation_id=accreditation.organisation_id,
            purpose=cmd.purpose,
            basis_date=cmd.basis_date,
            today=self.today(),
            method=result.method,
            inputs=cmd.inputs,
            value=Decimal(result.value),
            low=cmd.low,
            high=cmd.high,
            assumptions=cmd.assumptions,
            report_reference=cmd.report_reference,
            steps=result.steps,
            supersedes=cmd.supersedes,
            by=user.id,
            now=self.store.clock.now(),
        )
        changed: list[Aggregate] = [valuation]
        if previous is not None:
            previous.supersede(
                by_valuation_id=valuation.id,
                patent_id=patent.id,
                organisation_id=accreditation.organisation_id,
                by=user.id,
            )
            changed.append(previous)
        return valuation.id, self.store.commit(*changed)

    def _valid_accreditation(self, user: User, basis_date: date) -> ValuerAccreditation:
        """The user's accreditation, valid today and on the basis date, or a refusal saying why not."""
        if not self.store.exists(accreditation_id(user.id)):
            raise PermissionDeniedError("you are not an accredited valuer; ask the platform to accredit you",
                                        code="valuer.not_accredited")
        accreditation = self._accreditation(user.id)
        today = self.today()
        why = accreditation.why_invalid_on(today)
        invalid = accreditation.invalid_on(today)
        if why is not None and invalid is not None:
            raise PermissionDeniedError(f"you may not record assessments: {why}", code=invalid[0], on=invalid[1])
        why = accreditation.why_invalid_on(basis_date)
        invalid = accreditation.invalid_on(basis_date)
        if why is not None and invalid is not None and basis_date <= today:
            raise ValidationError(f"basis_date: you were not accredited on {basis_date}: {why}", field="basis_date",
                                  code="valuer.not_on_basis_date", day=basis_date)
        return accreditation

    def withdraw_assessment(self, cmd: vc.WithdrawAssessment, *, actor_id: UUID | None) -> int:
        """Withdraw with a reason: the valuer who recorded it, or an org admin of that agency."""
        user = self.store.actor(actor_id)
        valuation = self.store.load(Valuation, cmd.valuation_id, "valuation_id")
        own = valuation.valuer_id == user.id
        agency_admin = user.organisation_id == valuation.organisation_id and user.has_role(Role.ORG_ADMIN)
        if not (own or agency_admin):
            raise PermissionDeniedError(
                "valuation_id: only the valuer who recorded the assessment or an admin of the agency may withdraw it",
                field="valuation_id", code="valuation.withdraw_who",
            )
        valuation.withdraw(reason=cmd.reason, by=user.id)
        return self.store.commit(valuation)

    def countersign_assessment(self, cmd: vc.CountersignAssessment, *, actor_id: UUID | None) -> int:
        """The agency countersigns its valuer's signed report: an org admin of that agency, once."""
        user = self.store.actor(actor_id)
        valuation = self.store.load(Valuation, cmd.valuation_id, "valuation_id")
        if not (user.organisation_id == valuation.organisation_id and user.has_role(Role.ORG_ADMIN)):
            raise PermissionDeniedError(
                "valuation_id: only an admin of the agency that recorded the assessment may countersign it",
                field="valuation_id", code="valuation.countersign_admin",
            )
        valuation.countersign(
            organisation_id=user.organisation_id, report_sha256=cmd.report_sha256, now=self.store.clock.now(),
            by=user.id,
        )
        return self.store.commit(valuation)
