"""The agency performance subsidy as a programme kind (对促进技术交易业绩突出的技术转移服务机构给予补助, seed task 9).

Fujian's 2019 measures (``policy_params.json`` → ``fujian_transfer_agency_subsidy_2019``): up to 2 % of the deals an
agency brokered, at most ¥500,000 a year per agency. A programme of kind ``agency_subsidy`` keeps them as its rules'
first tier (200 bp) and its cap per beneficiary-year (50,000,000 fen); the officer may set others.

**The basis.** An agency claims for a calendar year (Beijing): the payments received that year, inside the
programme's period, on contracts whose broker is the agency (the offer carried it: named, or bound by an
introduction under a mandate). Only an **established** broker counts: the buyer's organisation confirmed an
introduction by the agency under the seller's mandate, or the seller's mandate for the listing names the agency, in
force when the offer was made (read from the mandate's and the introduction's events as they stood then). A broker
the buyer merely named on its offer (neither the agency nor the seller confirmed it, at any commission, even 0 %)
is shown and not counted (``broker_named_only``): otherwise an agency could have friendly buyers name it and
collect public money on their deals. Each payment is counted once per programme and agency-year (the ``AwardLedger``
records it), so a second application in a year claims only the payments received since; the yearly cap holds
across claims (approval cuts a claim to what the ledger still holds). A payment does not count, with its reason:
refunded or owed back (``refunded``), on a terminated contract (``terminated``), or refused by the rules as a deal
claim is (``domain.programmes.rules.refusals_of``: kinds, regions, deal types, fiscal funds, related parties, the
date order), unregistered where the rules ask for registration (``not_registered``), or between the agency and a
party it is related to (``agency_related``).

**A refund after the claim was paid.** A payment the claim counted that is refunded later (the per-deal claims'
reversal: the obligation's ``Refunded``) owes back that payment's share of the award paid (:func:`payment_shares`):
the claim records it (``PartRecoveryRaised``, once per payment) and is ``recovery_due``; the officer records the
repayment with the claims' recovery step, and the budget and the agency-year's cap room return by that much.
A claim not paid yet is withdrawn instead (its other payments may be claimed again). A **rejected** claim is final,
as a deal's claim is: its payments stay counted for the year and are not claimed again (a deal's rejected claim is
never raised again either); the officer's reason tells the agency why.

**What the platform cannot check** (the officer judges it on review, and says why when rejecting): that the
agency's performance is "outstanding" (业绩突出) beyond the figures; its standing as a legal entity beyond the
platform's verification; the national demonstration agency's one-off ¥300,000 (not a share of deals); the
registration bodies' subsidy (for 技术合同登记机构, not agencies); deals brokered off the platform.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.programmes.rules import Assessment, Rules, Step, Totals, capped, tiered
from domain.shared.ids import natural_id

#: Fujian 2019: 2 % of the deals an agency brokered (basis points) and at most ¥500,000 a year (fen).
FUJIAN_RATE_BP = 200
FUJIAN_CAP_PER_YEAR = 500_000 * 100


@dataclass(frozen=True)
class BrokeredPayment:
    """One payment received on a deal the agency brokered, and why it does not count (empty: it counts)."""

    obligation_id: UUID
    contract_id: UUID
    paid_at: datetime
    amount: int
    refusals: tuple[str, ...] = ()

    @property
    def counts(self) -> bool:
        return not self.refusals

    def as_dict(self) -> dict[str, Any]:
        """The basis entry a claim records (plain data: an event's payload)."""
        return {"obligation_id": str(self.obligation_id), "contract_id": str(self.contract_id),
                "paid_at": self.paid_at.isoformat(), "amount": self.amount, "counts": self.counts,
                "refusals": list(self.refusals)}


def basis_id(programme_id: UUID, agency_id: UUID, year: int, counted: Sequence[UUID]) -> UUID:
    """The id of an application's basis: the same payments claimed twice (a double click, two admins at once) are
    one claim; new payments since make another."""
    ids = ",".join(sorted(str(i) for i in counted))
    return natural_id("agency-subsidy", f"{programme_id}:{agency_id}:{year}:{ids}")


def agency_refusals(*, refunded: bool, terminated: bool, rule_refusals: Sequence[str], requires_registration: bool,
                    registered: bool, agency_related: bool, excludes_related: bool,
                    broker_established: bool = True) -> tuple[str, ...]:
    """Why a brokered payment does not count (label keys, in a fixed order)."""
    checks = [
        (not broker_established, "agency_subsidy.refusal.broker_named_only"),
        (refunded, "agency_subsidy.refusal.refunded"),
        (terminated, "agency_subsidy.refusal.terminated"),
        (requires_registration and not registered, "agency_subsidy.refusal.not_registered"),
        (excludes_related and agency_related, "agency_subsidy.refusal.agency_related"),
    ]
    return tuple(key for failed, key in checks if failed) + tuple(rule_refusals)


def assess_year(rules: Rules, payments: Sequence[BrokeredPayment], totals: Totals | None = None) -> Assessment:
    """The award for the payments counted: their sum × the rate (tiers continue from what the year counted
    before), then the cap per agency-year less what was awarded already. Every step is kept."""
    totals = totals or Totals()
    counted = [p for p in payments if p.counts]
    volume = sum(p.amount for p in counted)
    if not counted:
        return Assessment(0, refusals=("agency_subsidy.refusal.nothing_counted",))
    steps = [Step("agency_subsidy.step.volume", volume,
                  {"payments": len(counted), "deals": len({p.contract_id for p in counted})})]
    rated = tiered(rules.tiers, totals.year_paid, volume)
    steps.extend(rated)
    amount = sum(s.amount for s in rated)
    steps.append(Step("programme.step.subtotal", amount))
    amount = capped(amount, steps, "programme.step.cap_per_year", rules.cap_per_beneficiary_year, totals.year_awarded)
    return Assessment(amount, steps=tuple(steps))


def payment_shares(award: int, basis: Sequence[dict[str, Any]]) -> dict[UUID, int]:
    """What each payment a claim counted earned of its ``award`` (the amount approved and paid, after any cap or
    budget cut): the award in proportion to the amounts, cut where the claim's payments run up in the basis's
    order and rounded down as the rates are (``A(x) = award × x // volume``, a payment's share the step of ``A``
    over its amount), so the shares add up to the award exactly. Uncut, with one rate, a payment's share is exactly the
    rate × its amount where that is whole fen (to a fen otherwise). Payments the claim did not count earn nothing."""
    counted = [(UUID(str(b["obligation_id"])), int(b["amount"])) for b in basis if b.get("counts")]
    volume = sum(amount for _, amount in counted)
    shares: dict[UUID, int] = {}
    running = earned = 0
    for obligation, amount in counted:
        running += amount
        upto = award * running // volume
        shares[obligation] = upto - earned
        earned = upto
    return shares
