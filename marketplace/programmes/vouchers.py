"""Innovation-voucher commands: officers issue and settle, holders apply vouchers to payments, refunds and
the deadline give value back.

Who may act is checked on the aggregates: a programme officer of the programme's government organisation
issues vouchers (to verified enterprises that qualify under the programme's rules), settles redemptions and
records recoveries; a member of the holder organisation applies its voucher to a payment its organisation
owes. Every save holds what it changes together: an issue saves the vouchers, the programme's budget and
each enterprise-year's quota (a concurrent issue conflicts and is evaluated again); a redemption saves the
voucher and the payment obligation (a concurrent redemption of the same voucher conflicts: a voucher is
never spent twice).
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from domain.accounts.organisation import Organisation
from domain.accounts.user import Role
from domain.deals.payment import PaymentObligation, PaymentStatus
from domain.programmes.programme import Programme
from domain.programmes.rules import BEIJING, ProgrammeKind
from domain.programmes.voucher import (
    DEAL_SERVICE,
    SERVICES,
    RedemptionModel,
    Voucher,
    VoucherQuota,
    check_holder,
    check_provider_region,
    quota_id,
    share_for,
    voucher_id,
)
from domain.programmes.voucher_application import VoucherApplication, application_id, token_of
from domain.shared.errors import ConflictError, PermissionDeniedError, ValidationError
from marketplace.platform.app_base import MarketplaceBase
from marketplace.programmes import commands as pc
from marketplace.programmes.programmes import Programmes

RETRIES = 5


class Vouchers:
    """Issuing, redeeming, settling and expiring innovation vouchers."""

    def __init__(self, store: MarketplaceBase, programmes: Programmes) -> None:
        self.store = store
        self.programmes = programmes

    def _today(self) -> date:
        return self.store.clock.now().astimezone(BEIJING).date()

    # --- issuing --------------------------------------------------------------------------------
    def issue_vouchers(self, cmd: pc.IssueVouchers, *, actor_id: UUID | None) -> tuple[list[UUID], int]:
        """Issue a voucher to each enterprise named; returns the vouchers (issued now or before) and the
        position. The whole issue stands or falls: one enterprise that does not qualify refuses it."""
        for _ in range(RETRIES):
            ids, changed, _ = self._prepare_issue(cmd, actor_id=actor_id)
            if not changed:
                return ids, self.store.commit()
            try:
                return ids, self.store.commit(*changed)
            except ConflictError:
                continue  # another issue of this programme or enterprise-year saved first: evaluate again
        raise ConflictError("programme_id: others are issuing vouchers of this programme right now; try again",
                            field="programme_id", code="voucher.busy")

    def _prepare_issue(self, cmd: pc.IssueVouchers, *, actor_id: UUID | None
                       ) -> tuple[list[UUID], list[Aggregate], UUID]:
        """The vouchers an issue names, the aggregates it changes (the programme's budget first, then each new
        voucher and its enterprise-year's quota; none when all were issued before) and the officer, unsaved."""
        if len(set(cmd.organisation_ids)) != len(cmd.organisation_ids):
            raise ValidationError("organisation_ids: an enterprise is named twice", field="organisation_ids",
                                  code="voucher.named_twice")
        programme, officer = self.programmes._own_programme(cmd.programme_id, actor_id)
        if programme.kind is not ProgrammeKind.INNOVATION_VOUCHER:
            raise ConflictError("programme_id: only an innovation-voucher programme issues vouchers",
                                field="programme_id", code="voucher.not_a_voucher_programme")
        programme.require_open()
        today = self._today()
        if cmd.valid_until > programme.ends_on:
            raise ValidationError(
                f"valid_until: a voucher is valid at the latest until the programme ends ({programme.ends_on})",
                field="valid_until", code="voucher.after_programme", ends_on=programme.ends_on)
        _, rules = programme.rules_on(today)
        changed: list[Aggregate] = []
        ids: list[UUID] = []
        for i, org_id in enumerate(cmd.organisation_ids):
            field = f"organisation_ids.{i}"
            vid = voucher_id(programme.id, org_id, cmd.batch_key.strip().casefold())
            ids.append(vid)
            if self.store.exists(vid):
                continue  # issued before (a double submit): once
            org = self.store.load(Organisation, org_id, field)
            check_holder(rules, kind=org.kind, verified=org.verified, region=org.region, flags=org.flags,
                         field=field)
            voucher = Voucher.issue(
                programme_id=programme.id, organisation_id=org.id, face_value=cmd.face_value,
                valid_until=cmd.valid_until, today=today, services=list(cmd.services) or sorted(rules.services),
                share_bp=share_for(rules, org.flags), cap_per_use=rules.cap_per_deal,
                redemption_model=rules.redemption_model, batch_key=cmd.batch_key.strip().casefold(),
                by=officer.id, application_reference=cmd.application_reference,
            )
            quota = self._quota(programme.id, org.id, today.year)
            quota.take(voucher.id, cmd.face_value, rules.cap_per_beneficiary_year, field)
            programme.commit_voucher(voucher.id, cmd.face_value)
            changed += [voucher, quota]
        return ids, ([programme, *changed] if changed else []), officer.id

    # --- applications ------------------------------------------------------------------------------
    def apply_for_voucher(self, cmd: pc.ApplyForVoucher, *, actor_id: UUID | None) -> tuple[UUID, int]:
        """An org admin of a verified enterprise that qualifies under the programme's rules applies; the form's
        token makes a double submit one application. Returns the application and the position."""
        user = self.store.actor(actor_id)
        self.store.require_role(user, Role.ORG_ADMIN)
        programme = self.store.load(Programme, cmd.programme_id, "programme_id")
        if programme.kind is not ProgrammeKind.INNOVATION_VOUCHER:
            raise ConflictError("programme_id: only an innovation-voucher programme issues vouchers",
                                field="programme_id", code="voucher.not_a_voucher_programme")
        programme.require_open()
        token = token_of(cmd.token)
        found = application_id(programme.id, user.organisation_id, token)
        if self.store.exists(found):
            return found, self.store.commit()  # sent before (a double submit): once
        org = self.store.load(Organisation, user.organisation_id, "organisation_id")
        _, rules = programme.rules_on(self._today())
        check_holder(rules, kind=org.kind, verified=org.verified, region=org.region, flags=org.flags,
                     field="organisation_id")
        if cmd.amount <= 0:
            raise ValidationError("amount: a voucher is worth more than 0", field="amount", code="amount.positive")
        if rules.cap_per_beneficiary_year is not None and cmd.amount > rules.cap_per_beneficiary_year:
            raise ValidationError(f"amount: at most {rules.cap_per_beneficiary_year} a year per enterprise",
                                  field="amount", code="voucher.annual_cap", cap=rules.cap_per_beneficiary_year,
                                  already=0)
        services = sorted(set(cmd.services))
        for i, service in enumerate(services):
            if service not in SERVICES:
                raise ValidationError(f"services.{i}: must be one of {', '.join(SERVICES)}", field=f"services.{i}",
                                      code="choice")
        application = VoucherApplication(
            programme_id=programme.id, organisation_id=org.id, amount=cmd.amount, services=services,
            purpose=" ".join(cmd.purpose.split()), token=token, by=user.id)
        sent_twice = ConflictError("token: this application was sent already", field="token",
                                   code="voucher_application.sent_twice")
        try:
            return application.id, self.store.commit(application, duplicate=sent_twice)
        except ConflictError as clash:
            if clash is sent_twice or getattr(clash, "code", "") == "voucher_application.sent_twice":
                return application.id, self.store.recorder.max_notification_id() or 0
            raise

    def issue_on_application(self, cmd: pc.IssueOnApplication, *, actor_id: UUID | None) -> tuple[UUID, int]:
        """The officer issues the voucher the application asked for (its batch named by the application, so a
        second click issues nothing more). One save holds the voucher, the budget, the enterprise-year's quota
        and the application's "issued": two officers issuing it at once save against the same versions, and the
        one that lost the race reads the application issued and answers with its voucher."""
        for _ in range(RETRIES):
            application = self.store.load(VoucherApplication, cmd.application_id, "application_id")
            programme, _ = self.programmes._own_programme(application.programme_id, actor_id)
            if application.status == "issued" and application.voucher_id is not None:
                return application.voucher_id, self.store.commit()
            if application.status != "applied":
                raise ConflictError(f"application_id: the application is already {application.status}",
                                    field="application_id", code="voucher_application.state",
                                    application_status=application.status)
            face = application.amount if cmd.face_value is None else cmd.face_value
            [voucher], changed, officer = self._prepare_issue(pc.IssueVouchers(
                programme_id=programme.id, organisation_ids=[application.organisation_id], face_value=face,
                valid_until=cmd.valid_until, batch_key=f"application:{application.id}",
                services=application.services, application_reference=str(application.id)), actor_id=actor_id)
            # A store written before issuing was one save may hold the voucher without the application's
            # "issued": this save completes it (``changed`` is then empty).
            application.issued(voucher_id=voucher, by=officer)
            try:
                return voucher, self.store.commit(*changed, application)
            except ConflictError:
                continue  # another officer issued it, or another issue took budget or quota: evaluate again
        raise ConflictError("programme_id: others are issuing vouchers of this programme right now; try again",
                            field="programme_id", code="voucher.busy")

    def refuse_application(self, cmd: pc.RefuseVoucherApplication, *, actor_id: UUID | None) -> int:
        application = self.store.load(VoucherApplication, cmd.application_id, "application_id")
        _, officer = self.programmes._own_programme(application.programme_id, actor_id)
        application.refuse(reason=cmd.reason, by=officer.id)
        return self.store.commit(application)

    def _quota(self, programme_id: UUID, organisation_id: UUID, year: int) -> VoucherQuota:
        try:
            found: Aggregate = self.store.repository.get(quota_id(programme_id, organisation_id, year))
        except AggregateNotFoundError:
            return VoucherQuota(programme_id=programme_id, organisation_id=organisation_id, year=year)
        assert isinstance(found, VoucherQuota)
        return found

    # --- redemption -------------------------------------------------------------------------------
    def apply_voucher(self, cmd: pc.ApplyVoucher, *, actor_id: UUID | None) -> tuple[int, int]:
        """A member of the holder applies its voucher to a payment of its organisation; returns the voucher
        part and the position. Saved with the obligation: a second application of the voucher elsewhere at
        the same time conflicts (the voucher's version), as does a second voucher on this payment."""
        user = self.store.actor(actor_id)
        voucher = self.store.load(Voucher, cmd.voucher_id, "voucher_id")
        if user.organisation_id != voucher.organisation_id:
            raise PermissionDeniedError("voucher_id: the voucher is another organisation's", field="voucher_id",
                                        code="voucher.other_organisation")
        obligation = self.store.load(PaymentObligation, cmd.obligation_id, "obligation_id")
        if obligation.payer_organisation_id != voucher.organisation_id:
            raise PermissionDeniedError("obligation_id: this payment is not your organisation's to pay",
                                        field="obligation_id", code="voucher.not_the_payer")
        if obligation.voucher_id == voucher.id:
            return obligation.voucher_amount, self.store.commit()  # applied before (a double click): once
        obligation.refuse_voucher_unless_open(voucher.redemption_model)
        # 跨区域: the rules in force today name the regions whose providers the voucher pays (none: any).
        programme = self.store.load(Programme, voucher.programme_id, "programme_id")
        _, rules = programme.rules_on(self._today())
        if rules.provider_regions:
            provider = self.store.load(Organisation, obligation.payee_organisation_id, "obligation_id")
            check_provider_region(rules, region=provider.region)
        amount = voucher.redeem(
            obligation_id=obligation.id, contract_id=obligation.contract_id,
            payer_organisation_id=obligation.payer_organisation_id,
            payee_organisation_id=obligation.payee_organisation_id, cost=obligation.amount, amount=cmd.amount,
            service=DEAL_SERVICE, today=self._today(), by=user.id,
        )
        obligation.apply_voucher(voucher_id=voucher.id, amount=amount, model=voucher.redemption_model, by=user.id)
        return amount, self.store.commit(voucher, obligation)

    def _officers_voucher(self, voucher_uuid: UUID, actor_id: UUID | None) -> tuple[Voucher, Programme, UUID]:
        voucher = self.store.load(Voucher, voucher_uuid, "voucher_id")
        programme, officer = self.programmes._own_programme(voucher.programme_id, actor_id)
        return voucher, programme, officer.id

    def settle_redemption(self, cmd: pc.SettleRedemption, *, actor_id: UUID | None) -> int:
        """The officer records paying a redemption (bank reference): the budget's commitment is disbursed.
        Only once the payment is received: the programme pays its part of a payment the buyer made. Under
        provider redemption with a provider bonus in the rules in force today (Beijing), the bonus on the
        redeemed part is paid with it, in the same transfer: computed, capped by the provider's yearly cap and
        by what the budget holds. Saved with the programme: officers settling at once are serialised by its
        version (the one that lost the race is evaluated again, so two bonuses never pass the budget)."""
        for _ in range(RETRIES):
            voucher, programme, officer = self._officers_voucher(cmd.voucher_id, actor_id)
            obligation = self.store.load(PaymentObligation, cmd.obligation_id, "obligation_id")
            if obligation.status != PaymentStatus.PAID or obligation.refund_owed is not None:
                raise ConflictError(f"obligation_id: the payment is {obligation.status}; the voucher part is "
                                    "settled once the buyer's part is received", field="obligation_id",
                                    code="voucher.unpaid", payment_status=obligation.status)
            at = self.store.clock.now().isoformat()
            amount = voucher.settle(obligation_id=cmd.obligation_id, by=officer, bank_reference=cmd.bank_reference,
                                    at=at)
            programme.settle_voucher(voucher.id, amount)
            today = self._today()
            _, rules = programme.rules_on(today)
            if voucher.redemption_model == RedemptionModel.PROVIDER and rules.provider_bonus_bp:
                programme.pay_provider_bonus(
                    voucher_id=voucher.id, obligation_id=cmd.obligation_id,
                    provider_id=voucher.redemptions[cmd.obligation_id]["payee_organisation_id"], redeemed=amount,
                    rate_bp=rules.provider_bonus_bp, cap_per_year=rules.provider_bonus_cap_per_year,
                    year=today.year, bank_reference=voucher.redemptions[cmd.obligation_id]["bank_reference"],
                    at=at)
            try:
                return self.store.commit(voucher, programme)
            except ConflictError:
                continue  # another settlement or issue of this programme saved first: evaluate again
        raise ConflictError("programme_id: others are settling this programme's vouchers right now; try again",
                            field="programme_id", code="voucher.busy")

    def record_voucher_recovery(self, cmd: pc.RecordVoucherRecovery, *, actor_id: UUID | None) -> int:
        """The provider (or the reimbursed buyer) repaid a settled voucher part after a refund, and with it the
        provider bonus paid on it."""
        voucher, programme, officer = self._officers_voucher(cmd.voucher_id, actor_id)
        amount = voucher.record_recovery(obligation_id=cmd.obligation_id, by=officer,
                                         bank_reference=cmd.bank_reference)
        programme.recover_voucher(voucher.id, amount)
        programme.recover_provider_bonus(cmd.obligation_id, voucher.redemptions[cmd.obligation_id]["bank_reference"])
        return self.store.commit(voucher, programme)

    # --- refunds and expiry -------------------------------------------------------------------------
    def return_voucher_part(self, obligation_id: UUID, reason: str) -> list[UUID]:
        """A refunded payment gives its voucher part back (to the voucher while valid, else to the budget), or
        raises a recovery for a part already settled. Returns the voucher touched (none: nothing changed)."""
        obligation = self.store.load(PaymentObligation, obligation_id, "obligation_id")
        if obligation.voucher_id is None:
            return []
        voucher = self.store.load(Voucher, obligation.voucher_id, "voucher_id")
        outcome, amount = voucher.reverse(obligation_id, today=self._today(), reason=reason)
        if outcome == "unchanged":
            return []
        changed: list[Aggregate] = [voucher]
        if outcome == "released":
            programme = self.store.load(Programme, voucher.programme_id, "programme_id")
            programme.release_voucher(voucher.id, amount, reason)
            changed.append(programme)
        elif outcome == "recovery_due":
            programme = self.store.load(Programme, voucher.programme_id, "programme_id")
            if programme.provider_bonus_owed_back(obligation_id, " ".join(reason.split())[:500]):
                changed.append(programme)
        self.store.commit(*changed)
        return [voucher.id]

    def expire_voucher(self, cmd: pc.ExpireVoucher) -> int:
        """Past its date a voucher expires and its unused value returns to the programme's budget (the
        deadline worker; the voucher re-checks the date, so a stale read model is harmless)."""
        voucher = self.store.load(Voucher, cmd.voucher_id, "voucher_id")
        programme = self.store.load(Programme, voucher.programme_id, "programme_id")
        unused = voucher.expire(self._today())
        programme.release_voucher(voucher.id, unused, "expired")
        return self.store.commit(voucher, programme)
