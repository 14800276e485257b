"""Claims on programmes, and the ledger that keeps each beneficiary-year within its caps.

A paid deal raises a ``Claim`` for each party a programme's rules reward (one per payment and
beneficiary: its id derives from both, so following the log twice raises it once). The beneficiary
submits it, the officer approves or rejects it with a reason, and records the disbursement. Approval
commits the programme's budget and the beneficiary-year's ``AwardLedger`` in the same save, so no cap
and no budget is ever exceeded, also when officers approve at once (the later save conflicts).
A refund that reverses the deal withdraws an unpaid claim and raises a recovery on a paid one.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.shared.errors import ConflictError, ValidationError
from domain.shared.ids import natural_id

REASON_LIMIT = 500
REFERENCE_LIMIT = 64


def claim_id(obligation_id: UUID, beneficiary_id: UUID) -> UUID:
    """One claim per payment and beneficiary, whichever programme it falls under (就高不重复)."""
    return natural_id("programme-claim", f"{obligation_id}:{beneficiary_id}")


def ledger_id(programme_id: UUID, beneficiary_id: UUID, year: int) -> UUID:
    return natural_id("award-ledger", f"{programme_id}:{beneficiary_id}:{year}")


def _reason(value: str, field: str, *, required: bool = True) -> str:
    text = " ".join(value.split())
    if required and not text:
        raise ValidationError(f"{field}: give a reason", field=field, code="required")
    if len(text) > REASON_LIMIT:
        raise ValidationError(f"{field}: at most {REASON_LIMIT} characters", field=field, code="too_long",
                              most=REASON_LIMIT)
    return text


def _reference(value: str, field: str) -> str:
    text = "".join(value.split())
    if not 1 <= len(text) <= REFERENCE_LIMIT:
        raise ValidationError(f"{field}: give the reference (1 to {REFERENCE_LIMIT} characters)", field=field,
                              code="length", least=1, most=REFERENCE_LIMIT)
    return text


class Claim(Aggregate):
    """A beneficiary's claim to a programme's award for one payment on a contract."""

    class Raised(Aggregate.Created):
        programme_id: UUID
        rules_version: int
        obligation_id: UUID
        contract_id: UUID
        beneficiary_id: UUID
        side: str
        year: int
        paid_amount: int
        amount: int
        steps: list[dict[str, Any]]
        requires_registration: bool = True
        #: An agency subsidy's claim (side ``agency``): every payment of the year on the deals the agency
        #: brokered that it had not claimed before, counted or not and why (``agency_subsidy.basis_entry``);
        #: its ``obligation_id`` and ``contract_id`` are then the basis's id (``agency_subsidy.basis_id``).
        #: ``None`` on the claims of paid deals (and on every claim stored before agencies claimed).
        basis: list[dict[str, Any]] | None = None

    @staticmethod
    def create_id(obligation_id: UUID, beneficiary_id: UUID, **_: object) -> UUID:
        return claim_id(obligation_id, beneficiary_id)

    @event(Raised)
    def __init__(
        self,
        programme_id: UUID,
        rules_version: int,
        obligation_id: UUID,
        contract_id: UUID,
        beneficiary_id: UUID,
        side: str,
        year: int,
        paid_amount: int,
        amount: int,
        steps: list[dict[str, Any]],
        requires_registration: bool = True,
        basis: list[dict[str, Any]] | None = None,
    ) -> None:
        self.programme_id = programme_id
        self.rules_version = rules_version
        self.obligation_id = obligation_id
        self.contract_id = contract_id
        self.beneficiary_id = beneficiary_id
        self.side = side
        self.year = year
        self.paid_amount = paid_amount
        self.amount = amount
        self.steps = steps
        self.requires_registration = requires_registration
        self.basis = basis
        self.status = "raised"
        self.approved_amount = 0
        self.registration_number = ""
        self.payee_account = ""
        self.reason = ""
        self.disbursement_reference = ""
        #: What the beneficiary owes back (a refund reversed the deal or, on an agency's claim, some of its
        #: payments) and what it repaid; an agency claim's parts owed back by payment (obligation -> amount).
        self.owed_back = 0
        self.repaid = 0
        self.parts_owed: dict[UUID, int] = {}

    def submit(self, *, by: UUID, payee_account: str, registration_number: str = "") -> None:
        if self.status == "submitted":
            return  # a double click: the claim is submitted once
        if self.status != "raised":
            raise ConflictError(f"claim_id: the claim is {self.status}, it cannot be submitted", field="claim_id",
                                code="claim.state", award_status=self.status)
        account = _reference(payee_account, "payee_account")
        number = "".join(registration_number.split())
        if self.requires_registration and not number:
            raise ValidationError(
                "registration_number: the rule requires the technology-contract registration number (技术合同登记号)",
                field="registration_number", code="claim.registration_required",
            )
        if len(number) > REFERENCE_LIMIT:
            raise ValidationError(f"registration_number: at most {REFERENCE_LIMIT} characters",
                                  field="registration_number", code="too_long", most=REFERENCE_LIMIT)
        self._submitted(by=by, payee_account=account, registration_number=number)

    @event("Submitted")
    def _submitted(self, by: UUID, payee_account: str, registration_number: str) -> None:
        self.status = "submitted"
        self.payee_account = payee_account
        self.registration_number = registration_number

    def approve(self, *, by: UUID, amount: int, steps: list[dict[str, Any]]) -> None:
        """Approve ``amount`` (the award after the budget and the ledger had their say; > 0)."""
        if self.status != "submitted":
            raise ConflictError(f"claim_id: the claim is {self.status}, not awaiting review", field="claim_id",
                                code="claim.state", award_status=self.status)
        if not 0 < amount <= self.amount:
            raise ConflictError("claim_id: nothing of this award fits the budget or the caps any more",
                                field="claim_id", code="claim.nothing_fits")
        self._approved(by=by, amount=amount, steps=steps)

    @event("Approved")
    def _approved(self, by: UUID, amount: int, steps: list[dict[str, Any]]) -> None:
        self.status = "approved"
        self.approved_amount = amount
        self.steps = self.steps + steps

    def reject(self, *, by: UUID, reason: str) -> None:
        if self.status not in ("raised", "submitted"):
            raise ConflictError(f"claim_id: the claim is {self.status}, it cannot be rejected", field="claim_id",
                                code="claim.state", award_status=self.status)
        self._rejected(by=by, reason=_reason(reason, "reason"))

    @event("Rejected")
    def _rejected(self, by: UUID, reason: str) -> None:
        self.status = "rejected"
        self.reason = reason

    def record_disbursement(self, *, by: UUID, bank_reference: str, at: str = "") -> None:
        """The officer paid the award (``at``: when, on the marketplace's clock, ISO 8601)."""
        if self.status != "approved":
            raise ConflictError(f"claim_id: the claim is {self.status}, not approved", field="claim_id",
                                code="claim.state", award_status=self.status)
        self._disbursed(by=by, bank_reference=_reference(bank_reference, "bank_reference"), at=at)

    @event("Disbursed")
    def _disbursed(self, by: UUID, bank_reference: str, at: str = "") -> None:
        self.status = "paid"
        self.disbursement_reference = bank_reference

    def reverse(self, reason: str) -> str:
        """The deal was refunded: withdraw an unpaid claim, or owe back a paid one. Returns what happened."""
        if self.status in ("raised", "submitted", "approved"):
            self._withdrawn(reason=_reason(reason, "reason"))
            return "withdrawn"
        if self.status == "paid":
            self._recovery_raised(reason=_reason(reason, "reason"), amount=self.approved_amount)
            return "recovery_due"
        return "unchanged"

    @event("Withdrawn")
    def _withdrawn(self, reason: str) -> None:
        self.status = "withdrawn"
        self.reason = reason

    @event("RecoveryRaised")
    def _recovery_raised(self, reason: str, amount: int) -> None:
        self.status = "recovery_due"
        self.reason = reason
        self.owed_back = self.approved_amount

    def owe_back_part(self, *, obligation_id: UUID, amount: int, reason: str) -> bool:
        """A payment an agency's paid claim counted was refunded: its share of the award (``amount``, see
        ``agency_subsidy.payment_shares``) is owed back. Once per payment; ``False`` when nothing changed (the
        payment's share owed already, nothing to owe, or the claim not paid)."""
        if self.status not in ("paid", "recovery_due") or obligation_id in self.parts_owed or amount <= 0:
            return False
        if amount > self.approved_amount - self.owed_back:
            raise ConflictError("obligation_id: more than the award is left to owe back", field="obligation_id",
                                code="claim.recovery_exceeds")
        self._part_recovery_raised(obligation_id=obligation_id, amount=amount, reason=_reason(reason, "reason"))
        return True

    @event("PartRecoveryRaised")
    def _part_recovery_raised(self, obligation_id: UUID, amount: int, reason: str) -> None:
        self.status = "recovery_due"
        self.reason = reason
        self.parts_owed[obligation_id] = amount
        self.owed_back += amount

    @property
    def outstanding(self) -> int:
        """What is owed back and not repaid yet."""
        return self.owed_back - self.repaid

    def record_recovery(self, *, by: UUID, bank_reference: str) -> int:
        """The beneficiary repaid what it owed back (everything outstanding); returns that amount. A claim owed
        back in full is ``recovered``; an agency's claim owing back some payments' shares is ``paid`` again for
        the rest."""
        if self.status != "recovery_due":
            raise ConflictError(f"claim_id: the claim is {self.status}, nothing is owed back", field="claim_id",
                                code="claim.state", award_status=self.status)
        amount = self.outstanding
        self._recovered(by=by, bank_reference=_reference(bank_reference, "bank_reference"), amount=amount)
        return amount

    @event("Recovered")
    def _recovered(self, by: UUID, bank_reference: str, amount: int = 0) -> None:
        # Stored before partial recoveries: no amount, everything owed (the whole award) was repaid.
        self.repaid += amount or self.outstanding
        self.status = "recovered" if self.repaid >= self.approved_amount else "paid"


class AwardLedger(Aggregate):
    """One beneficiary's awards under one programme in one calendar year (Beijing), and per deal."""

    class Opened(Aggregate.Created):
        programme_id: UUID
        beneficiary_id: UUID
        year: int

    @staticmethod
    def create_id(programme_id: UUID, beneficiary_id: UUID, year: int, **_: object) -> UUID:
        return ledger_id(programme_id, beneficiary_id, year)

    @event(Opened)
    def __init__(self, programme_id: UUID, beneficiary_id: UUID, year: int) -> None:
        self.programme_id = programme_id
        self.beneficiary_id = beneficiary_id
        self.year = year
        self.paid_counted = 0  # paid amounts the rules' tiers have counted this year
        #: The payments counted (an agency claims each of its brokered payments once a year and programme).
        self.counted_payments: set[UUID] = set()
        #: The claims an agency made for the year, in order (``PaymentsClaimed``), and the payments each counts
        #: (obligation, amount) until it is withdrawn (``PaymentsReleased``).
        self.claims: list[UUID] = []
        self.claimed: dict[UUID, list[tuple[UUID, int]]] = {}
        self.awards: dict[UUID, tuple[UUID, int]] = {}  # claim -> (contract, amount)

    @property
    def awarded(self) -> int:
        return sum(amount for _, amount in self.awards.values())

    def awarded_for(self, contract_id: UUID) -> int:
        return sum(amount for contract, amount in self.awards.values() if contract == contract_id)

    def count_payment(self, obligation_id: UUID, amount: int) -> None:
        """Count a paid amount toward the year's tiers (once per payment)."""
        self._payment_counted(obligation_id=obligation_id, amount=amount)

    @event("PaymentCounted")
    def _payment_counted(self, obligation_id: UUID, amount: int) -> None:
        self.paid_counted += amount
        self.counted_payments.add(obligation_id)

    def claim_payments(self, claim_id: UUID, payments: list[tuple[UUID, int]]) -> None:
        """An agency's claim counts these payments (obligation, amount) toward the year: each once."""
        fresh = [(o, a) for o, a in payments if o not in self.counted_payments]
        if fresh:
            self._payments_claimed(award_claim_id=claim_id,
                                   payments=[{"obligation_id": o, "amount": a} for o, a in fresh])

    @event("PaymentsClaimed")
    def _payments_claimed(self, award_claim_id: UUID, payments: list[dict[str, Any]]) -> None:
        counted = [(UUID(str(p["obligation_id"])), int(p["amount"])) for p in payments]
        for obligation, amount in counted:
            self.paid_counted += amount
            self.counted_payments.add(obligation)
        self.claims.append(award_claim_id)
        self.claimed[award_claim_id] = counted

    def claim_of(self, obligation_id: UUID) -> UUID | None:
        """The agency's claim that counts this payment (not withdrawn), if any."""
        return next((claim for claim, payments in self.claimed.items()
                     if any(o == obligation_id for o, _ in payments)), None)

    def release_payments(self, claim_id: UUID, reason: str) -> None:
        """A withdrawn agency claim's payments count no more: those not refunded may be claimed again."""
        if claim_id in self.claimed:
            self._payments_released(award_claim_id=claim_id, reason=reason)

    @event("PaymentsReleased")
    def _payments_released(self, award_claim_id: UUID, reason: str) -> None:
        for obligation, amount in self.claimed.pop(award_claim_id):
            self.paid_counted -= amount
            self.counted_payments.discard(obligation)

    def grant(
        self, *, claim_id: UUID, contract_id: UUID, amount: int, cap_per_deal: int | None, cap_per_year: int | None
    ) -> int:
        """Record an approved award, cut to the caps' room; returns what fits (0: nothing)."""
        if claim_id in self.awards:
            return self.awards[claim_id][1]
        room = amount
        if cap_per_deal is not None:
            room = min(room, cap_per_deal - self.awarded_for(contract_id))
        if cap_per_year is not None:
            room = min(room, cap_per_year - self.awarded)
        room = max(0, room)
        if room:
            self._granted(award_claim_id=claim_id, contract_id=contract_id, amount=room)
        return room

    @event("Granted")
    def _granted(self, award_claim_id: UUID, contract_id: UUID, amount: int) -> None:
        self.awards[award_claim_id] = (contract_id, amount)

    def take_back(self, claim_id: UUID) -> None:
        """A withdrawn or recovered award no longer counts against the caps."""
        if claim_id in self.awards:
            self._taken_back(award_claim_id=claim_id)

    @event("TakenBack")
    def _taken_back(self, award_claim_id: UUID) -> None:
        del self.awards[award_claim_id]

    def take_back_part(self, claim_id: UUID, amount: int) -> None:
        """Part of an award repaid (an agency's claim owing back a refunded payment's share) no longer counts
        against the caps; all of it: as :meth:`take_back`."""
        if claim_id not in self.awards:
            return
        if amount >= self.awards[claim_id][1]:
            self._taken_back(award_claim_id=claim_id)
        elif amount > 0:
            self._part_taken_back(award_claim_id=claim_id, amount=amount)

    @event("PartTakenBack")
    def _part_taken_back(self, award_claim_id: UUID, amount: int) -> None:
        contract, awarded = self.awards[award_claim_id]
        self.awards[award_claim_id] = (contract, awarded - amount)


def payment_review_id(obligation_id: UUID) -> UUID:
    return natural_id("programme-payment-review", str(obligation_id))


class PaymentReview(Aggregate):
    """The claims process's record that one paid obligation was evaluated against every open programme:
    what each programme gave each party, or why it gave nothing. Its id derives from the obligation, so a
    payment is evaluated once however often the log is followed; an auditor sees why there was no award."""

    class Recorded(Aggregate.Created):
        obligation_id: UUID
        outcomes: list[dict[str, Any]]  # {programme_id, side, rules_version, amount, refusals, chosen}

    @staticmethod
    def create_id(obligation_id: UUID, **_: object) -> UUID:
        return payment_review_id(obligation_id)

    @event(Recorded)
    def __init__(self, obligation_id: UUID, outcomes: list[dict[str, Any]]) -> None:
        self.obligation_id = obligation_id
        self.outcomes = outcomes
