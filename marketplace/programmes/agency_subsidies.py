"""Agency performance subsidies (``ProgrammeKind.AGENCY_SUBSIDY``): an agency claims a year of brokered deals.

The basis is read from the event log, never from a read model: the ``Paid`` events of payment obligations, each
obligation and its contract as they stand now (refunded, terminated), the registration and the related parties
recorded (``domain.programmes.agency_subsidy`` states the rule). An agency's org admin applies for a year: the
claim is raised and submitted in one save with the agency-year's ``AwardLedger`` counting its payments, so a
double application (or two admins at once) makes one claim, and a payment is never claimed twice. A programme
officer may instead raise the claims of every agency for a year; each agency then submits its own. Review,
approval within the budget and the yearly cap, rejection and disbursement are the programme claims' own.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from domain.accounts.organisation import Organisation, OrganisationKind
from domain.accounts.user import Role, User
from domain.deals.contract import Contract
from domain.deals.contract_terms import ContractStatus
from domain.deals.payment import PaymentObligation, PaymentStatus
from domain.programmes import awarding
from domain.programmes.agency_subsidy import (
    BrokeredPayment,
    agency_refusals,
    assess_year,
    basis_id,
    payment_shares,
)
from domain.programmes.claim import AwardLedger, Claim, claim_id, ledger_id
from domain.programmes.programme import Programme
from domain.programmes.rules import BEIJING, Assessment, ProgrammeKind, Rules, Side, Totals, refusals_of
from domain.shared.errors import ConcurrentModificationError, ConflictError, PermissionDeniedError, ValidationError
from marketplace.platform.app_base import MarketplaceBase
from marketplace.programmes import commands as pc
from marketplace.programmes.established_brokers import EstablishedBrokers
from marketplace.programmes.programmes import Programmes
from projections.shared.topics import event_topic

PAID = event_topic(PaymentObligation, "Paid")
PAGE = 500
#: The reason a claim withdrawn at approval or disbursement records (a payment refunded after it was counted).
REFUNDED_SINCE = "退款或合同解除发生在申领之后 refunded or terminated after the claim was made"


@dataclass(frozen=True)
class YearFigures:
    """What an agency may claim for a year under a programme: the rules version, the payments not claimed before
    (counted or not, and why) and the award they give after what the year awarded already."""

    programme_id: UUID
    agency_id: UUID
    year: int
    rules_version: int
    rules: Rules
    payments: tuple[BrokeredPayment, ...]
    assessment: Assessment
    already_counted: int
    already_awarded: int

    @property
    def counted(self) -> list[BrokeredPayment]:
        return [p for p in self.payments if p.counts]

    @property
    def volume(self) -> int:
        return sum(p.amount for p in self.counted)

    @property
    def basis_id(self) -> UUID:
        return basis_id(self.programme_id, self.agency_id, self.year, [p.obligation_id for p in self.counted])


class AgencySubsidies:
    def __init__(self, store: MarketplaceBase, programmes: Programmes) -> None:
        self.store = store
        self.programmes = programmes
        self.brokers = EstablishedBrokers(store)

    # --- who may act ----------------------------------------------------------------------------
    def _agency_admin(self, actor_id: UUID | None) -> tuple[User, Organisation]:
        """An org admin of a verified transfer agency (技术转移机构)."""
        user = self.store.actor(actor_id)
        org = self.store.load(Organisation, user.organisation_id, "organisation_id")
        if org.kind != OrganisationKind.TRANSFER_AGENCY.value:
            raise PermissionDeniedError("an agency performance subsidy is claimed by a technology transfer agency",
                                        code="agency_subsidy.not_agency")
        if not org.verified:
            raise PermissionDeniedError("the agency is not verified by the platform yet",
                                        code="agency_subsidy.unverified")
        self.store.require_role(user, Role.ORG_ADMIN)
        return user, org

    def _programme(self, programme_id: UUID, year: int) -> Programme:
        programme = self.store.load(Programme, programme_id, "programme_id")
        if programme.kind is not ProgrammeKind.AGENCY_SUBSIDY:
            raise ValidationError("programme_id: the programme is no agency performance subsidy",
                                  field="programme_id", code="agency_subsidy.not_agency_programme")
        programme.require_open()
        if not programme.runs_in(year):
            raise ValidationError(f"year: the programme runs from {programme.starts_on} to {programme.ends_on}",
                                  field="year", code="agency_subsidy.year_outside", starts_on=programme.starts_on,
                                  ends_on=programme.ends_on)
        if year > self.store.clock.now().astimezone(BEIJING).year:
            raise ValidationError("year: a year not begun has no deals", field="year", code="agency_subsidy.future")
        return programme

    # --- the basis, from the log ------------------------------------------------------------------
    def _paid_obligations(self) -> Iterator[UUID]:
        start = 1
        while True:
            page = self.store.recorder.select_notifications(start, PAGE, topics=[PAID])
            for notification in page:
                assert isinstance(notification.originator_id, UUID)
                yield notification.originator_id
            if len(page) < PAGE:
                return
            start = page[-1].id + 1

    def _contract(self, contract_id: UUID, cache: dict[UUID, Contract | None]) -> Contract | None:
        if contract_id not in cache:
            found: Aggregate | None
            try:
                found = self.store.repository.get(contract_id)
            except AggregateNotFoundError:
                found = None
            cache[contract_id] = found if isinstance(found, Contract) else None  # development contracts: no broker
        return cache[contract_id]

    def brokered(self, programme: Programme, year: int) -> dict[UUID, list[tuple[PaymentObligation, Contract]]]:
        """The year's payments (Beijing) inside the programme's period on brokered contracts, by agency."""
        found: dict[UUID, list[tuple[PaymentObligation, Contract]]] = {}
        contracts: dict[UUID, Contract | None] = {}
        seen: set[UUID] = set()
        for oid in self._paid_obligations():
            if oid in seen:
                continue
            seen.add(oid)
            obligation = self.store.load(PaymentObligation, oid, "obligation_id")
            if not obligation.paid_at:
                continue
            day = datetime.fromisoformat(obligation.paid_at).astimezone(BEIJING).date()
            if day.year != year or not programme.starts_on <= day <= programme.ends_on:
                continue
            contract = self._contract(obligation.contract_id, contracts)
            if contract is None or contract.broker_organisation_id is None:
                continue
            found.setdefault(contract.broker_organisation_id, []).append((obligation, contract))
        return found

    def _entry(self, rules: Rules, agency_id: UUID, obligation: PaymentObligation, contract: Contract,
               established: dict[UUID, bool]) -> BrokeredPayment:
        facts = self.programmes.facts_of(obligation)
        if contract.id not in established:
            established[contract.id] = self.brokers.established(contract)
        related = any(self.programmes.related(agency_id, party)
                      for party in (contract.buyer_organisation_id, contract.seller_organisation_id))
        refusals = agency_refusals(
            refunded=obligation.status == PaymentStatus.REFUNDED.value or obligation.refund_owed is not None,
            terminated=contract.status == ContractStatus.TERMINATED.value,
            rule_refusals=refusals_of(rules, facts), requires_registration=rules.requires_registration,
            registered=facts.registered_at is not None, agency_related=related,
            excludes_related=rules.excludes_related_parties, broker_established=established[contract.id])
        return BrokeredPayment(obligation_id=obligation.id, contract_id=contract.id, paid_at=facts.paid_at,
                               amount=obligation.amount, refusals=refusals)

    def _figures(self, programme: Programme, agency_id: UUID, year: int,
                 payments: list[tuple[PaymentObligation, Contract]]) -> tuple[YearFigures, AwardLedger]:
        ledger = self.programmes.ledger(programme.id, agency_id, year)
        version, rules = programme.rules_on(self.store.clock.now().astimezone(BEIJING).date())
        established: dict[UUID, bool] = {}
        entries = sorted(
            (self._entry(rules, agency_id, o, c, established) for o, c in payments
             if o.id not in ledger.counted_payments),
            key=lambda p: (p.paid_at, str(p.obligation_id)))
        totals = Totals(year_paid=ledger.paid_counted, year_awarded=ledger.awarded)
        figures = YearFigures(programme_id=programme.id, agency_id=agency_id, year=year, rules_version=version,
                              rules=rules, payments=tuple(entries), assessment=assess_year(rules, entries, totals),
                              already_counted=ledger.paid_counted, already_awarded=ledger.awarded)
        return figures, ledger

    def figures(self, programme_id: UUID, year: int, agency_id: UUID | None = None, *,
                actor_id: UUID | None) -> YearFigures:
        """What an agency may claim for a year (its own members; a programme officer of the programme's department
        names the agency)."""
        user = self.store.actor(actor_id)
        agency = agency_id or user.organisation_id
        if agency != user.organisation_id:
            self.programmes.own_programme(programme_id, actor_id)
        org = self.store.load(Organisation, agency, "agency_id")
        if org.kind != OrganisationKind.TRANSFER_AGENCY.value:
            raise PermissionDeniedError("an agency performance subsidy is claimed by a technology transfer agency",
                                        code="agency_subsidy.not_agency")
        programme = self._programme(programme_id, year)
        return self._figures(programme, agency, year, self.brokered(programme, year).get(agency, []))[0]

    # --- claims -----------------------------------------------------------------------------------
    def _raise(self, figures: YearFigures, ledger: AwardLedger) -> Claim:
        if not figures.assessment.eligible:
            raise ConflictError("year: no payment of the year is left to claim, or the cap leaves nothing",
                                field="year", code="agency_subsidy.nothing_to_claim")
        bid = figures.basis_id
        ledger.claim_payments(claim_id(bid, figures.agency_id),
                              [(p.obligation_id, p.amount) for p in figures.counted])
        return Claim(
            programme_id=figures.programme_id, rules_version=figures.rules_version, obligation_id=bid,
            contract_id=bid, beneficiary_id=figures.agency_id, side=Side.AGENCY.value, year=figures.year,
            paid_amount=figures.volume, amount=figures.assessment.amount,
            steps=[s.as_dict() for s in figures.assessment.steps], requires_registration=False,
            basis=[p.as_dict() for p in figures.payments],
        )

    def apply(self, cmd: pc.ApplyForAgencySubsidy, *, actor_id: UUID | None) -> tuple[UUID, int]:
        """The agency's org admin claims the year's brokered payments not claimed before: raised and submitted at
        once. The same payments claimed again (a double click, two admins at once) answer the first claim."""
        user, org = self._agency_admin(actor_id)
        programme = self._programme(cmd.programme_id, cmd.year)
        _, rules = programme.rules_on(self.store.clock.now().astimezone(BEIJING).date())
        if not rules.beneficiary_flags <= org.flags:
            raise PermissionDeniedError("the programme asks qualifications the agency does not hold",
                                        code="agency_subsidy.flags", flags=", ".join(sorted(rules.beneficiary_flags)))
        for _ in range(3):
            payments = self.brokered(programme, cmd.year).get(org.id, [])
            figures, ledger = self._figures(programme, org.id, cmd.year, payments)
            existing = self._existing(figures, ledger)
            if existing is not None:
                return existing, self.store.recorder.max_notification_id() or 0
            claim = self._raise(figures, ledger)
            claim.submit(by=user.id, payee_account=cmd.payee_account)
            try:
                return claim.id, self.store.commit(claim, ledger)
            except ConflictError:
                if self.store.exists(claim.id):  # the same application saved by another request a moment ago
                    return claim.id, self.store.recorder.max_notification_id() or 0
                continue  # another application saved meanwhile: what is left is computed again
        raise ConflictError("year: others are claiming for this agency right now; try again", field="year",
                            code="claim.busy")

    @staticmethod
    def _existing(figures: YearFigures, ledger: AwardLedger) -> UUID | None:
        """The agency's last claim of the year, when no payment counted since (the second of a double
        application answers the first one's claim)."""
        last = ledger.claims[-1] if ledger.claims else None
        return last if not figures.counted and last in ledger.claimed else None

    def raise_for_agencies(self, cmd: pc.RaiseAgencySubsidies, *, actor_id: UUID | None) -> tuple[list[UUID], int]:
        """A programme officer raises every agency's claim for the year (each agency submits its own)."""
        self.programmes.own_programme(cmd.programme_id, actor_id)
        programme = self._programme(cmd.programme_id, cmd.year)
        _, rules = programme.rules_on(self.store.clock.now().astimezone(BEIJING).date())
        raised: list[Any] = []
        for agency_id, payments in sorted(self.brokered(programme, cmd.year).items(), key=lambda kv: str(kv[0])):
            agency = self.store.load(Organisation, agency_id, "agency_id")
            if not (agency.verified and rules.beneficiary_flags <= agency.flags):
                continue  # as an application would be refused
            figures, ledger = self._figures(programme, agency_id, cmd.year, payments)
            if not figures.assessment.eligible:
                continue
            raised.extend((self._raise(figures, ledger), ledger))
        if not raised:
            return [], self.store.recorder.max_notification_id() or 0
        position = self.store.commit(*raised)
        return [a.id for a in raised if isinstance(a, Claim)], position

    # --- the basis again, at approval and disbursement ------------------------------------------
    def _gone(self, obligation_id: UUID) -> bool:
        """Whether a payment a claim counted is refunded or owed back, or its contract terminated, by now."""
        obligation = self.store.load(PaymentObligation, obligation_id, "obligation_id")
        if obligation.status == PaymentStatus.REFUNDED.value or obligation.refund_owed is not None:
            return True
        contract = self._contract(obligation.contract_id, {})
        return contract is not None and contract.status == ContractStatus.TERMINATED.value

    def check_basis(self, claim: Claim) -> None:
        """Before an agency's claim is approved or paid: each payment it counts is read again. A refund handled
        while the claim was being applied for found no claim to reverse; here the claim is withdrawn as a refund
        would have done (its budget and cap room return, its other payments may be claimed again) and the
        officer's step is refused with the reason. Other claims pass unchanged."""
        if claim.side != Side.AGENCY.value or claim.status not in ("submitted", "approved"):
            return
        gone = [UUID(str(b["obligation_id"])) for b in claim.basis or []
                if b.get("counts") and self._gone(UUID(str(b["obligation_id"])))]
        if not gone:
            return
        for obligation_id in gone:
            self.withdraw_for_refund(obligation_id, REFUNDED_SINCE)
        raise ConflictError(
            "claim_id: a payment the claim counts was refunded, or its contract terminated, after the claim was "
            "made; the claim is withdrawn and the agency may claim the other payments again", field="claim_id",
            code="agency_subsidy.basis_changed", payments=len(gone))

    # --- refunds --------------------------------------------------------------------------------
    def withdraw_for_refund(self, obligation_id: UUID, reason: str) -> list[UUID]:
        """A refunded payment an agency's claim counts: an unpaid claim is withdrawn (its budget and cap room
        return) and its payments released, so the agency claims the others again without the refunded one; a
        paid claim owes back the payment's share of the award (``payment_shares``), once, repaid with the claims'
        recovery step. Handling the refund again changes nothing; a claim saved meanwhile (another refund of the
        same claim at once) is read again."""
        for _ in range(4):
            try:
                return self._reverse_for_refund(obligation_id, reason)
            except ConcurrentModificationError:
                continue
        return self._reverse_for_refund(obligation_id, reason)  # a clash again: the claims process retries later

    def _reverse_for_refund(self, obligation_id: UUID, reason: str) -> list[UUID]:
        obligation = self.store.load(PaymentObligation, obligation_id, "obligation_id")
        contract = self._contract(obligation.contract_id, {})
        if not obligation.paid_at or contract is None or contract.broker_organisation_id is None:
            return []
        agency = contract.broker_organisation_id
        year = datetime.fromisoformat(obligation.paid_at).astimezone(BEIJING).year
        changed: list[Aggregate] = []
        touched: list[UUID] = []
        for programme_id in self.programmes.programme_ids():
            if not self.store.exists(ledger_id(programme_id, agency, year)):
                continue
            ledger = self.programmes.ledger(programme_id, agency, year)
            cid = ledger.claim_of(obligation_id)
            if cid is None:
                continue
            claim = self.store.load(Claim, cid, "claim_id")
            if claim.status in ("paid", "recovery_due"):
                share = payment_shares(claim.approved_amount, claim.basis or []).get(obligation_id, 0)
                if claim.owe_back_part(obligation_id=obligation_id, amount=share, reason=reason):
                    changed.append(claim)
                    touched.append(cid)
                continue
            if claim.status not in ("raised", "submitted", "approved"):
                continue  # rejected (final), withdrawn or recovered in full: nothing more to do
            programme = self.store.load(Programme, programme_id, "programme_id")
            awarding.reverse(claim, programme, ledger, reason)
            ledger.release_payments(cid, reason)
            changed.extend((claim, programme, ledger))
            touched.append(cid)
        if changed:
            self.store.commit(*changed)
        return touched
