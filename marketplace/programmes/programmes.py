"""Programme commands: officers run programmes and review claims; paid deals raise claims once.

Roles and organisations are checked on the aggregates: a programme officer (``programme_officer``)
of a government organisation (主管部门) drafts and runs its own organisation's programmes and reviews
their claims; a beneficiary organisation's admin submits its claims. ``assess_payment`` is the claims
process's step for one paid obligation (``ClaimsProcess`` follows the log and calls it): every open
programme's rules version in force on the payment date is evaluated, each party gets at most one
claim (the higher award, 就高不重复), and a ``PaymentReview`` records every outcome in the same save.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from domain.accounts.organisation import Organisation, OrganisationKind
from domain.accounts.user import Role, User
from domain.catalogue.listing import Listing
from domain.deals.contract import Contract
from domain.deals.payment import PaymentObligation, PaymentStatus
from domain.deals.terms import DealKind
from domain.market.registration import ContractRegistration, registration_id, require_number
from domain.programmes import awarding
from domain.programmes.claim import AwardLedger, Claim, PaymentReview, claim_id, ledger_id, payment_review_id
from domain.programmes.programme import Programme, draft_id
from domain.programmes.related import RelatedParties, related_id
from domain.programmes.rules import (
    BEIJING,
    BENEFICIARY_FLAGS,
    REDEMPTION_MODELS,
    CounterpartyRate,
    DealFacts,
    Party,
    ProgrammeKind,
    Rules,
    Side,
    Tier,
    Totals,
    assess,
    higher_of,
    region_code,
)
from domain.programmes.voucher import SERVICES
from domain.shared.errors import ConflictError, PermissionDeniedError, ValidationError
from marketplace.platform.app_base import MarketplaceBase
from marketplace.programmes import commands as pc
from marketplace.programmes.conversion_commands import conversion_terms_of
from projections.shared.topics import event_topic

PROGRAMME_DRAFTED = get_topic(Programme.Drafted)
LISTING_PUBLISHED = event_topic(Listing, "Published")
#: When the registry numbered a contract's technology-contract registration (技术合同认定登记).
REGISTRATION_NUMBERED = event_topic(ContractRegistration, "NumberRecorded")


def _one_of(value: str, allowed: Iterable[str], field: str) -> str:
    names = sorted(allowed)
    if value not in names:
        raise ValidationError(f"{field}: must be one of {', '.join(names)}", field=field, code="choice")
    return value


def _all_of(values: list[str], allowed: Iterable[str], field: str) -> frozenset[str]:
    names = set(allowed)
    return frozenset(_one_of(v, names, f"{field}.{i}") for i, v in enumerate(values))


ORGANISATION_KINDS = [k.value for k in OrganisationKind]
DEAL_KINDS = [k.value for k in DealKind]


def rules_of(given: pc.RulesInput, field: str = "rules") -> Rules:
    """The domain's rules from their input, every named value checked (a refusal names its path)."""
    return Rules(
        beneficiary=Side(_one_of(given.beneficiary, [s.value for s in Side], f"{field}.beneficiary")),
        tiers=tuple(Tier(rate_bp=t.rate_bp, up_to=t.up_to) for t in given.tiers),
        cap_per_deal=given.cap_per_deal,
        cap_per_beneficiary_year=given.cap_per_beneficiary_year,
        counterparty_rates=tuple(
            CounterpartyRate(rate_bp=r.rate_bp, region=r.region,
                             kinds=_all_of(r.kinds, ORGANISATION_KINDS, f"{field}.counterparty_rates.{i}.kinds"))
            for i, r in enumerate(given.counterparty_rates)
        ),
        buyer_kinds=_all_of(given.buyer_kinds, ORGANISATION_KINDS, f"{field}.buyer_kinds"),
        seller_kinds=_all_of(given.seller_kinds, ORGANISATION_KINDS, f"{field}.seller_kinds"),
        buyer_region=given.buyer_region,
        seller_region=given.seller_region,
        deal_types=_all_of(given.deal_types, DEAL_KINDS, f"{field}.deal_types"),
        beneficiary_flags=_all_of(given.beneficiary_flags, BENEFICIARY_FLAGS, f"{field}.beneficiary_flags"),
        requires_registration=given.requires_registration,
        requires_platform_signing=given.requires_platform_signing,
        excludes_fiscally_funded=given.excludes_fiscally_funded,
        excludes_related_parties=given.excludes_related_parties,
        conversion=None if given.conversion is None else conversion_terms_of(given.conversion),
        share_tech_sme_bp=given.share_tech_sme_bp,
        redemption_model=_one_of(given.redemption_model, REDEMPTION_MODELS, f"{field}.redemption_model"),
        services=_all_of(given.services, SERVICES, f"{field}.services"),
        provider_bonus_bp=given.provider_bonus_bp,
        provider_bonus_cap_per_year=given.provider_bonus_cap_per_year,
        provider_regions=_regions(given.provider_regions, f"{field}.provider_regions"),
    )


def _regions(given: list[str], field: str) -> tuple[str, ...]:
    """The regions an officer names, as GB/T 2260 codes in the order given (each once); an unknown name is
    refused by its position."""
    codes: list[str] = []
    for i, value in enumerate(given):
        code = region_code(value)
        if not code:
            raise ValidationError(f"{field}.{i}: {value!r} is not a province or city the platform knows (福建, 厦门, "
                                  "上海) nor a GB/T 2260 code", field=f"{field}.{i}",
                                  code="voucher.provider_region_name", got=value)
        if code not in codes:
            codes.append(code)
    return tuple(codes)


class _SentTwiceError(ConflictError):
    """A draft whose natural id was saved meanwhile: the same request, answered with that programme."""


class Programmes:
    """Drafting and running programmes, raising claims from payments, and reviewing claims."""

    def __init__(self, store: MarketplaceBase) -> None:
        self.store = store
        #: What a refund also reverses beyond the parties' claims (agency subsidies' claims, set by the
        #: composition root): ``(obligation_id, reason) -> claims touched``.
        self.also_reverse: Callable[[UUID, str], list[UUID]] | None = None
        #: Reads a claim's basis again before it is approved or paid (agency subsidies: a payment refunded since
        #: the claim was made withdraws it); set in the composition root.
        self.check_basis: Callable[[Claim], None] | None = None

    # --- who may act --------------------------------------------------------------------------
    def _officer(self, actor_id: UUID | None, organisation_id: UUID | None = None) -> User:
        """A programme officer of a government organisation (of ``organisation_id`` when given)."""
        user = self.store.actor(actor_id)
        self.store.require_role(user, Role.PROGRAMME_OFFICER)
        org = self.store.load(Organisation, user.organisation_id, "organisation_id")
        if org.kind != OrganisationKind.GOVERNMENT.value:
            raise PermissionDeniedError("programmes are run by officers of a government organisation (主管部门)",
                                        code="programme.officer")
        if organisation_id is not None and organisation_id != org.id:
            raise PermissionDeniedError("programme_id: this programme belongs to another organisation",
                                        field="programme_id", code="programme.other_organisation")
        return user

    def own_programme(self, programme_id: UUID, actor_id: UUID | None) -> tuple[Programme, User]:
        """The programme, if the actor is a programme officer of its department (else refused)."""
        return self._own_programme(programme_id, actor_id)

    def ledger(self, programme_id: UUID, beneficiary_id: UUID, year: int) -> AwardLedger:
        """The beneficiary-year's award ledger under the programme (a new one if none was saved)."""
        return self._ledger(programme_id, beneficiary_id, year)

    def _own_programme(self, programme_id: UUID, actor_id: UUID | None) -> tuple[Programme, User]:
        programme = self.store.load(Programme, programme_id, "programme_id")
        return programme, self._officer(actor_id, programme.organisation_id)

    # --- programmes -----------------------------------------------------------------------------
    def draft_programme(self, cmd: pc.DraftProgramme, *, actor_id: UUID | None,
                        idempotency_key: str = "") -> tuple[UUID, int]:
        """Draft a programme; with an ``idempotency_key`` (the form's token, the API's ``Idempotency-Key``)
        the same request sent again, also at the same time, answers the programme the first one drafted."""
        officer = self._officer(actor_id)
        programme_id = draft_id(officer.id, idempotency_key) if idempotency_key else None
        if programme_id is not None and self.store.exists(programme_id):
            return programme_id, self.store.recorder.max_notification_id() or 0
        programme = Programme.draft(
            organisation_id=officer.organisation_id, kind=cmd.kind, name_zh=cmd.name_zh, name_en=cmd.name_en,
            budget=cmd.budget, starts_on=cmd.starts_on, ends_on=cmd.ends_on, rules=rules_of(cmd.rules),
            by=officer.id, source=cmd.source, programme_id=programme_id,
        )
        try:
            sent_twice = _SentTwiceError("idempotency_key: this request was answered already",
                                         field="idempotency_key", code="programme.sent_twice")
            return programme.id, self.store.commit(programme, duplicate=sent_twice)
        except _SentTwiceError:  # the same request, saved by another worker a moment ago
            return programme.id, self.store.recorder.max_notification_id() or 0

    def revise_rules(self, cmd: pc.ReviseRules, *, actor_id: UUID | None) -> int:
        programme, officer = self._own_programme(cmd.programme_id, actor_id)
        programme.revise_rules(rules_of(cmd.rules), cmd.effective_from, officer.id)
        return self.store.commit(programme)

    def open_programme(self, cmd: pc.OpenProgramme, *, actor_id: UUID | None) -> int:
        programme, officer = self._own_programme(cmd.programme_id, actor_id)
        programme.open(officer.id)
        return self.store.commit(programme)

    def close_programme(self, cmd: pc.CloseProgramme, *, actor_id: UUID | None) -> int:
        programme, officer = self._own_programme(cmd.programme_id, actor_id)
        programme.close(officer.id, cmd.reason)
        return self.store.commit(programme)

    # --- related parties ---------------------------------------------------------------------
    def mark_related_parties(self, cmd: pc.MarkRelatedParties, *, actor_id: UUID | None) -> int:
        """A programme officer records two organisations as related parties; marked already: nothing new."""
        officer = self._officer(actor_id)
        for org_id in (cmd.organisation_id, cmd.related_organisation_id):
            self.store.load(Organisation, org_id, "organisation_id")
        rid = related_id(cmd.organisation_id, cmd.related_organisation_id)
        if not self.store.exists(rid):
            marked = RelatedParties.mark_new(cmd.organisation_id, cmd.related_organisation_id, by=officer.id,
                                             reason=cmd.reason)
            return self.store.commit(marked, duplicate=ConflictError(
                "organisation_id: these organisations were just marked related", field="organisation_id",
                code="related_parties.marked"))
        pair = self.store.load(RelatedParties, rid, "organisation_id")
        return self.store.commit(pair) if pair.mark(by=officer.id, reason=cmd.reason) else self.store.commit()

    def withdraw_related_parties(self, cmd: pc.WithdrawRelatedParties, *, actor_id: UUID | None) -> int:
        """A programme officer withdraws a recorded relation; not marked (or withdrawn already): nothing new."""
        officer = self._officer(actor_id)
        rid = related_id(cmd.organisation_id, cmd.related_organisation_id)
        if not self.store.exists(rid):
            raise ValidationError("related_organisation_id: these organisations are not marked related",
                                  field="related_organisation_id", code="related_parties.not_marked")
        pair = self.store.load(RelatedParties, rid, "organisation_id")
        return self.store.commit(pair) if pair.withdraw(by=officer.id, reason=cmd.reason) else self.store.commit()

    def relation(self, first: UUID, second: UUID) -> RelatedParties | None:
        """The record of the two organisations' relation, if an officer ever marked them related."""
        rid = related_id(first, second)
        return self.store.load(RelatedParties, rid, "organisation_id") if self.store.exists(rid) else None

    def related(self, first: UUID, second: UUID) -> bool:
        """Whether an officer has recorded the two organisations as related parties (and not withdrawn it)."""
        found = self.relation(first, second)
        return found is not None and found.related

    def programme_ids(self) -> list[UUID]:
        """Every programme ever drafted, oldest first (from the log: programmes are few)."""
        ids: list[UUID] = []
        start = 1
        while True:
            page = self.store.recorder.select_notifications(start, 500, topics=[PROGRAMME_DRAFTED])
            ids.extend(n.originator_id for n in page)  # type: ignore[misc]
            if len(page) < 500:
                return ids
            start = page[-1].id + 1

    # --- the claims process ---------------------------------------------------------------------
    def _recorded_at(self, aggregate_id: UUID, topic: str | None = None) -> datetime | None:
        """When the aggregate's first event (of ``topic``) was recorded (the record's own time)."""
        for stored in self.store.recorder.select_events(aggregate_id):
            if topic is None or stored.topic == topic:
                when = getattr(self.store.mapper.to_domain_event(stored), "timestamp", None)
                return when if isinstance(when, datetime) else None
        return None

    def _party(self, organisation_id: UUID) -> Party:
        org = self.store.load(Organisation, organisation_id, "organisation_id")
        return Party(str(org.id), org.kind, org.region, org.flags)

    def facts_of(self, obligation: PaymentObligation) -> DealFacts:
        contract = self.store.load(Contract, obligation.contract_id, "contract_id")
        signed = [datetime.fromisoformat(at) for at in contract.signatures.values()]
        return DealFacts(
            contract_id=str(contract.id),
            deal_type=contract.kind,
            buyer=self._party(contract.buyer_organisation_id),
            seller=self._party(contract.seller_organisation_id),
            paid_amount=obligation.amount,
            paid_at=datetime.fromisoformat(obligation.paid_at or ""),
            signed_at=max(signed) if contract.fully_signed and signed else None,
            offered_from=self._recorded_at(contract.listing_id, LISTING_PUBLISHED),
            contracted_at=self._recorded_at(contract.id),
            registered_at=self.registered_at(contract.id),
            # "Deals funded by fiscal science programmes or government procurement" are the *payments* made
            # with such money (policy_params: fujian_platform_transaction_subsidy_2024), not deals on results
            # of funded research — those are what time-limited conversion wants converted. The buyer declares
            # the payment's source of funds before paying (``PaymentObligation.declare_funds``).
            fiscally_funded=obligation.fiscally_funded,
            related_parties=self.related(contract.buyer_organisation_id, contract.seller_organisation_id),
        )

    def registered_at(self, contract_id: UUID) -> datetime | None:
        """When the registry's number was recorded for the contract's registration (market), or ``None``."""
        rid = registration_id(contract_id)
        return self._recorded_at(rid, REGISTRATION_NUMBERED) if self.store.exists(rid) else None

    def assess_payment(self, cmd: pc.AssessPayment) -> list[UUID]:
        """Raise the claims one paid obligation earns (none if it was evaluated before); returns them."""
        if self.store.exists(payment_review_id(cmd.obligation_id)):
            return []
        obligation = self.store.load(PaymentObligation, cmd.obligation_id, "obligation_id")
        if obligation.status != PaymentStatus.PAID.value:
            return []
        facts = self.facts_of(obligation)
        day = facts.paid_at.astimezone(BEIJING).date()
        # Vouchers are spent by their holders on a payment page, never awarded from a paid deal.
        programmes = [p for p in (self.store.load(Programme, i, "programme_id") for i in self.programme_ids())
                      if p.runs_on(day) and p.kind is not ProgrammeKind.INNOVATION_VOUCHER]
        changed: list[Aggregate] = []
        outcomes: list[dict[str, object]] = []
        raised: list[UUID] = []
        whole = facts
        for side, party in ((Side.BUYER, facts.buyer), (Side.SELLER, facts.seller)):
            # The buyer actually paid the whole less an innovation voucher's part (通兑): a purchase subsidy is
            # on what it paid, never also on what the voucher paid; the seller received the whole.
            facts = replace(whole, paid_amount=obligation.to_pay) if side is Side.BUYER else whole
            beneficiary = UUID(party.organisation_id)
            candidates = []
            versions: dict[str, tuple[Programme, int, Rules, AwardLedger]] = {}
            for programme in programmes:
                version, rules = programme.rules_on(day)
                if rules.beneficiary is not side:
                    continue
                ledger = self._ledger(programme.id, beneficiary, facts.year)
                totals = Totals(year_paid=ledger.paid_counted, year_awarded=ledger.awarded,
                                deal_awarded=ledger.awarded_for(obligation.contract_id))
                award = assess(rules, facts, totals)
                candidates.append((str(programme.id), award))
                versions[str(programme.id)] = (programme, version, rules, ledger)
                if award.eligible:
                    ledger.count_payment(obligation.id, facts.paid_amount)
                    changed.append(ledger)
            chosen = higher_of(candidates)
            for key, award in candidates:
                outcomes.append({"programme_id": key, "side": side.value, "rules_version": versions[key][1],
                                 "amount": award.amount, "refusals": list(award.refusals),
                                 "chosen": chosen is not None and chosen[0] == key})
            if chosen is not None:
                programme, version, rules, _ = versions[chosen[0]]
                claim = Claim(
                    programme_id=programme.id, rules_version=version, obligation_id=obligation.id,
                    contract_id=obligation.contract_id, beneficiary_id=beneficiary, side=side.value,
                    year=facts.year, paid_amount=facts.paid_amount, amount=chosen[1].amount,
                    steps=[s.as_dict() for s in chosen[1].steps], requires_registration=rules.requires_registration,
                )
                changed.append(claim)
                raised.append(claim.id)
        review = PaymentReview(obligation_id=obligation.id, outcomes=outcomes)
        duplicate = ConflictError("obligation_id: already evaluated", code="programme.evaluated")
        self.store.commit(review, *changed, duplicate=duplicate)
        return raised

    def payment_assessment(self, obligation_id: UUID, *, actor_id: UUID | None) -> list[dict[str, Any]]:
        """What the claims process found for one paid obligation: each programme's award to each side, or the
        reasons it gave nothing (label keys). Read by the payment's two organisations, programme officers and
        platform admins; empty until the payment is evaluated."""
        user = self.store.actor(actor_id)
        obligation = self.store.load(PaymentObligation, obligation_id, "obligation_id")
        if user.organisation_id not in (obligation.payer_organisation_id, obligation.payee_organisation_id):
            self.store.require_role(user, Role.PROGRAMME_OFFICER, Role.PLATFORM_ADMIN)
        rid = payment_review_id(obligation_id)
        if not self.store.exists(rid):
            return []
        return list(self.store.load(PaymentReview, rid, "obligation_id").outcomes)

    def _ledger(self, programme_id: UUID, beneficiary_id: UUID, year: int) -> AwardLedger:
        try:
            found: Aggregate = self.store.repository.get(ledger_id(programme_id, beneficiary_id, year))
        except AggregateNotFoundError:
            return AwardLedger(programme_id=programme_id, beneficiary_id=beneficiary_id, year=year)
        assert isinstance(found, AwardLedger)
        return found

    def reverse_payment(self, obligation_id: UUID, reason: str) -> list[UUID]:
        """A refunded payment reverses its claims (withdrawn if unpaid, owed back if paid)."""
        obligation = self.store.load(PaymentObligation, obligation_id, "obligation_id")
        changed: list[Aggregate] = []
        touched: list[UUID] = []
        for party in (obligation.payer_organisation_id, obligation.payee_organisation_id):
            cid = claim_id(obligation_id, party)
            if not self.store.exists(cid):
                continue
            claim = self.store.load(Claim, cid, "claim_id")
            programme = self.store.load(Programme, claim.programme_id, "programme_id")
            ledger = self._ledger(claim.programme_id, claim.beneficiary_id, claim.year)
            if awarding.reverse(claim, programme, ledger, reason) != "unchanged":
                changed.extend((claim, programme, ledger))
                touched.append(cid)
        if changed:
            self.store.commit(*changed)
        if self.also_reverse is not None:
            touched.extend(self.also_reverse(obligation_id, reason))
        return touched

    # --- claims -----------------------------------------------------------------------------------
    def submit_claim(self, cmd: pc.SubmitClaim, *, actor_id: UUID | None) -> int:
        """The beneficiary organisation's admin confirms the claim."""
        user = self.store.actor(actor_id)
        claim = self.store.load(Claim, cmd.claim_id, "claim_id")
        if user.organisation_id != claim.beneficiary_id:
            raise PermissionDeniedError("claim_id: this claim is another organisation's", field="claim_id",
                                        code="claim.other_organisation")
        self.store.require_role(user, Role.ORG_ADMIN)
        if claim.status == "raised" and cmd.registration_number.strip():  # none, where the rule asks: refused below
            require_number(cmd.registration_number, self._registration_number(claim.contract_id))
            self._registered_after_signing(claim.contract_id)
        version = claim.version
        claim.submit(by=user.id, payee_account=cmd.payee_account, registration_number=cmd.registration_number)
        if claim.version == version:  # submitted before: one effect
            return self.store.recorder.max_notification_id() or 0
        return self.store.commit(claim)

    def _registered_after_signing(self, contract_id: UUID) -> None:
        """Date order checked by the machine: the registration the claim gives follows the contract's signing."""
        contract = self.store.load(Contract, contract_id, "contract_id")
        signed = [datetime.fromisoformat(at) for at in contract.signatures.values()]
        registered = self.registered_at(contract_id)
        if signed and registered is not None and registered < max(signed):
            raise ValidationError("registration_number: the registration was recorded before the contract was signed",
                                  field="registration_number", code="claim.order_registration_after_signing")

    def _registration_number(self, contract_id: UUID) -> str | None:
        """The technology-contract registration number recorded for the contract (market), or ``None``."""
        rid = registration_id(contract_id)
        if not self.store.exists(rid):
            return None
        return self.store.load(ContractRegistration, rid, "contract_id").number or None

    def _review(self, claim_uuid: UUID, actor_id: UUID | None) -> tuple[Claim, Programme, User]:
        claim = self.store.load(Claim, claim_uuid, "claim_id")
        programme, officer = self._own_programme(claim.programme_id, actor_id)
        return claim, programme, officer

    def approve_claim(self, cmd: pc.ApproveClaim, *, actor_id: UUID | None) -> tuple[int, int]:
        """Approve for what the budget and the caps still hold; returns (amount, position).

        Saved with the programme and the beneficiary-year's ledger: an approval made meanwhile by
        another officer makes this save conflict, and the approval is evaluated again on the new state.
        """
        for _ in range(5):
            claim, programme, officer = self._review(cmd.claim_id, actor_id)
            if self.check_basis is not None:
                self.check_basis(claim)
            ledger = self._ledger(programme.id, claim.beneficiary_id, claim.year)
            amount = awarding.approve(claim, programme, ledger, by=officer.id)
            try:
                return amount, self.store.commit(claim, programme, ledger)
            except ConflictError:
                continue
        raise ConflictError("claim_id: others are approving claims of this programme right now; try again",
                            field="claim_id", code="claim.busy")

    def reject_claim(self, cmd: pc.RejectClaim, *, actor_id: UUID | None) -> int:
        claim, _, officer = self._review(cmd.claim_id, actor_id)
        claim.reject(by=officer.id, reason=cmd.reason)
        return self.store.commit(claim)

    def record_disbursement(self, cmd: pc.RecordDisbursement, *, actor_id: UUID | None) -> int:
        claim, programme, officer = self._review(cmd.claim_id, actor_id)
        if self.check_basis is not None:
            self.check_basis(claim)
        awarding.disburse(claim, programme, by=officer.id, bank_reference=cmd.bank_reference,
                          at=self.store.clock.now().isoformat())
        return self.store.commit(claim, programme)

    def record_recovery(self, cmd: pc.RecordRecovery, *, actor_id: UUID | None) -> int:
        claim, programme, officer = self._review(cmd.claim_id, actor_id)
        ledger = self._ledger(programme.id, claim.beneficiary_id, claim.year)
        awarding.recovered(claim, programme, ledger, by=officer.id, bank_reference=cmd.bank_reference)
        return self.store.commit(claim, programme, ledger)
