"""Rules that span a claim, its programme and the beneficiary-year's ledger (saved together)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.programmes.claim import AwardLedger, Claim
from domain.programmes.programme import Programme
from domain.shared.errors import ConflictError


def approve(claim: Claim, programme: Programme, ledger: AwardLedger, *, by: UUID) -> int:
    """Approve a submitted claim for what the budget and the caps still hold, and commit it in both.

    The three aggregates are saved together: if another officer approved a claim of the same
    programme or beneficiary-year meanwhile, the save conflicts and the approval is tried again on
    the new state, so the budget is never overspent and no cap exceeded. Returns the approved amount.
    """
    if claim.status != "submitted":
        raise ConflictError(f"claim_id: the claim is {claim.status}, not awaiting review", field="claim_id",
                            code="claim.state", award_status=claim.status)
    programme.require_open()
    _, rules = programme.rule_versions[claim.rules_version - 1]
    steps: list[dict[str, Any]] = []
    wanted = min(claim.amount, programme.remaining)
    if wanted < claim.amount:
        steps.append({"key": "programme.step.budget", "amount": wanted, "figures": {"remaining": programme.remaining}})
    fits = ledger.grant(claim_id=claim.id, contract_id=claim.contract_id, amount=wanted,
                        cap_per_deal=rules.cap_per_deal, cap_per_year=rules.cap_per_beneficiary_year)
    if 0 < fits < wanted:
        steps.append({"key": "programme.step.cap_at_approval", "amount": fits,
                      "figures": {"awarded_this_year": ledger.awarded - fits}})
    if fits == 0:
        raise ConflictError("claim_id: nothing of this award fits the budget or the caps any more", field="claim_id",
                            code="claim.nothing_fits")
    programme.commit(claim.id, fits)
    claim.approve(by=by, amount=fits, steps=steps)
    return fits


def reverse(claim: Claim, programme: Programme, ledger: AwardLedger, reason: str) -> str:
    """A refund reversed the deal: an unpaid claim is withdrawn (its budget and cap room return);
    a paid one owes the award back (room returns once it is repaid, see :func:`recovered`)."""
    outcome = claim.reverse(reason)
    if outcome == "withdrawn":
        programme.release(claim.id, reason)
        ledger.take_back(claim.id)
    return outcome


def recovered(claim: Claim, programme: Programme, ledger: AwardLedger, *, by: UUID, bank_reference: str) -> int:
    """The beneficiary repaid what it owed back: the budget and the beneficiary-year's cap room return by that
    much (the whole award of a reversed deal; the refunded payments' shares of an agency's claim)."""
    amount = claim.record_recovery(by=by, bank_reference=bank_reference)
    programme.recover(claim.id, amount)
    ledger.take_back_part(claim.id, amount)
    return amount


def disburse(claim: Claim, programme: Programme, *, by: UUID, bank_reference: str, at: str = "") -> None:
    if claim.status != "approved":
        raise ConflictError(f"claim_id: the claim is {claim.status}, not approved", field="claim_id",
                            code="claim.state", award_status=claim.status)
    claim.record_disbursement(by=by, bank_reference=bank_reference, at=at)
    programme.disburse(claim.id)
