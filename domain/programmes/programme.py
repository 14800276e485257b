"""The Programme aggregate: a government lever with a budget, a period and versioned rules.

A programme officer drafts a programme, opens and closes it, and changes its rules by new versions
(an award uses the version in force on the deal's payment date, Beijing time). The programme holds
its budget: an approval commits part of it, a disbursement pays the committed part, a withdrawal or
a rejection after commitment releases it; nothing may commit more than the budget, and two officers
approving at once are serialised by the aggregate's version (the second save conflicts and retries).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.programmes.rules import BASIS_POINTS, ProgrammeKind, Rules, Side, rules_from_dict
from domain.shared.errors import ConflictError, ValidationError
from domain.shared.ids import natural_id
from domain.shared.money import check_amount

NAME_LIMIT = 200


def _name(value: str, field: str) -> str:
    text = " ".join(value.split())
    if not 1 <= len(text) <= NAME_LIMIT:
        raise ValidationError(f"{field}: give a name of 1 to {NAME_LIMIT} characters", field=field, code="length",
                              least=1, most=NAME_LIMIT)
    return text


#: An idempotency key: what a client may name one request by (a form's token, an ``Idempotency-Key``).
IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9._:-]{8,100}$")


def draft_id(officer_id: UUID, idempotency_key: str) -> UUID:
    """The id of the programme an officer's draft request (named by ``idempotency_key``) creates: sent twice
    (a double click, a retried request), it is the same programme."""
    if not IDEMPOTENCY_KEY.match(idempotency_key):
        raise ValidationError("idempotency_key: give 8 to 100 letters, digits or . _ : -", field="idempotency_key",
                              code="idempotency_key")
    return natural_id("programme-draft", f"{officer_id}:{idempotency_key}")


#: Who each kind of programme rewards (a voucher's holder pays for services: it is the buyer).
BENEFICIARY = {ProgrammeKind.PURCHASE_SUBSIDY: Side.BUYER, ProgrammeKind.TRANSFER_REWARD: Side.SELLER,
               ProgrammeKind.INNOVATION_VOUCHER: Side.BUYER, ProgrammeKind.AGENCY_SUBSIDY: Side.AGENCY}
#: A voucher covers at most half of a cost (fujian_innovation_voucher: max_share_of_actual_cost 0.5).
VOUCHER_MAX_SHARE_BP = 5_000


def _check_beneficiary(kind: ProgrammeKind, rules: Rules) -> None:
    expected = BENEFICIARY.get(kind)
    if expected is None and rules.beneficiary is Side.AGENCY:
        expected = Side.SELLER  # only an agency subsidy rewards agencies
    if expected is not None and rules.beneficiary is not expected:
        raise ValidationError(
            f"rules.beneficiary: a {kind.value.replace('_', ' ')} rewards the {expected.value}",
            field="rules.beneficiary", code="programme.beneficiary", side=expected.value,
        )
    if kind is ProgrammeKind.INNOVATION_VOUCHER:
        shares = [("rules.tiers.0.rate_bp", rules.tiers[0].rate_bp),
                  ("rules.share_tech_sme_bp", rules.share_tech_sme_bp)]
        if len(rules.tiers) != 1:
            raise ValidationError("rules.tiers: a voucher covers one share of a cost (one rate)", field="rules.tiers",
                                  code="voucher.one_share")
        for name, share in shares:
            if share is not None and not 0 < share <= VOUCHER_MAX_SHARE_BP:
                raise ValidationError(f"{name}: a voucher covers more than 0 % and at most 50 % of a cost", field=name,
                                      code="voucher.share", most=VOUCHER_MAX_SHARE_BP)
        if rules.provider_bonus_bp is not None and rules.redemption_model != "provider":
            raise ValidationError("rules.provider_bonus_bp: a provider bonus goes with provider redemption (通兑)",
                                  field="rules.provider_bonus_bp", code="voucher.bonus_needs_provider")
    elif rules.provider_bonus_bp is not None or rules.provider_bonus_cap_per_year is not None:
        raise ValidationError("rules.provider_bonus_bp: only an innovation-voucher programme pays provider bonuses",
                              field="rules.provider_bonus_bp", code="voucher.bonus_only_vouchers")
    elif rules.provider_regions:
        raise ValidationError("rules.provider_regions: only an innovation-voucher programme names its providers' "
                              "regions (a subsidy or reward names the seller's region)",
                              field="rules.provider_regions", code="voucher.regions_only_vouchers")


def _check_conversion(kind: ProgrammeKind, rules: Rules) -> None:
    """A conversion programme's rules are its deadlines (and it awards no deal); the others' have none."""
    if (kind is ProgrammeKind.CONVERSION) != (rules.conversion is not None):
        raise ValidationError("rules.conversion: only a conversion programme, and every one, sets conversion terms",
                              field="rules.conversion", code="programme.conversion_terms")


class Programme(Aggregate):
    """One programme (补助, 奖励 or 创新券) of a government organisation."""

    class Drafted(Aggregate.Created):
        organisation_id: UUID
        kind: str
        name_zh: str
        name_en: str
        budget: int
        starts_on: str
        ends_on: str
        rules: dict[str, Any]
        by: UUID
        source: str = ""  # the policy document the rules follow (e.g. 闽政〔2023〕7号)

    @event(Drafted)
    def __init__(
        self,
        organisation_id: UUID,
        kind: str,
        name_zh: str,
        name_en: str,
        budget: int,
        starts_on: str,
        ends_on: str,
        rules: dict[str, Any],
        by: UUID,
        source: str = "",
    ) -> None:
        self.organisation_id = organisation_id
        self.kind = ProgrammeKind(kind)
        self.name_zh = name_zh
        self.name_en = name_en
        self.budget = budget
        self.starts_on = date.fromisoformat(starts_on)
        self.ends_on = date.fromisoformat(ends_on)
        self.source = source
        self.status = "draft"
        #: (effective from, rules), oldest first; version n is index n - 1.
        self.rule_versions: list[tuple[date, Rules]] = [(self.starts_on, rules_from_dict(rules))]
        self.committed: dict[UUID, int] = {}  # claim -> amount committed, not yet disbursed
        self.disbursed = 0
        #: voucher -> its value not paid out yet (unspent, or redeemed and owed to the seller or buyer)
        self.voucher_committed: dict[UUID, int] = {}
        #: obligation -> the provider bonus paid with its settlement: {provider, year, amount, status}; status
        #: paid | recovery_due | recovered
        self.provider_bonuses: dict[UUID, dict[str, Any]] = {}

    @classmethod
    def draft(
        cls,
        *,
        organisation_id: UUID,
        kind: str,
        name_zh: str,
        name_en: str,
        budget: int,
        starts_on: date,
        ends_on: date,
        rules: Rules,
        by: UUID,
        source: str = "",
        programme_id: UUID | None = None,
    ) -> Programme:
        try:
            parsed = ProgrammeKind(kind)
        except ValueError:
            allowed = ", ".join(k.value for k in ProgrammeKind)
            raise ValidationError(f"kind: must be one of {allowed}", field="kind", code="choice") from None
        _check_beneficiary(parsed, rules)
        _check_conversion(parsed, rules)
        check_amount(budget, "budget")
        if ends_on < starts_on:
            raise ValidationError("ends_on: the programme must end on or after its start", field="ends_on",
                                  code="programme.ends_before_start")
        values: dict[str, Any] = {
            "organisation_id": organisation_id, "kind": parsed.value, "name_zh": _name(name_zh, "name_zh"),
            "name_en": _name(name_en, "name_en"), "budget": budget, "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(), "rules": rules.as_dict(), "by": by,
            "source": " ".join(source.split())[:NAME_LIMIT],
        }
        if programme_id is None:
            return cls(**values)
        # A natural id (``draft_id``): the same request sent twice drafts one programme, the second save
        # conflicting on the id.
        return cls._create(cls.Drafted, id=programme_id, **values)

    # --- rules --------------------------------------------------------------------------------
    @property
    def rules_version(self) -> int:
        return len(self.rule_versions)

    def rules_on(self, day: date) -> tuple[int, Rules]:
        """The version of the rules in force on ``day`` (the deal's payment date) and its number."""
        chosen = 1
        for number, (since, _) in enumerate(self.rule_versions, start=1):
            if since <= day:
                chosen = number
        return chosen, self.rule_versions[chosen - 1][1]

    def revise_rules(self, rules: Rules, effective_from: date, by: UUID) -> None:
        if self.status == "closed":
            raise ConflictError("programme_id: the programme is closed", field="programme_id", code="programme.closed")
        _check_beneficiary(self.kind, rules)
        _check_conversion(self.kind, rules)
        latest = self.rule_versions[-1][0]
        if effective_from < latest:
            raise ValidationError(
                f"effective_from: a new version takes effect on or after the last one ({latest.isoformat()})",
                field="effective_from", code="programme.effective_from", latest=latest,
            )
        self._rules_revised(rules=rules.as_dict(), effective_from=effective_from.isoformat(), by=by)

    @event("RulesRevised")
    def _rules_revised(self, rules: dict[str, Any], effective_from: str, by: UUID) -> None:
        self.rule_versions.append((date.fromisoformat(effective_from), rules_from_dict(rules)))

    # --- life -----------------------------------------------------------------------------------
    def open(self, by: UUID) -> None:
        if self.status != "draft":
            raise ConflictError(f"programme_id: the programme is {self.status}, not a draft", field="programme_id",
                                code="programme.state", programme_status=self.status)
        self._opened(by=by)

    @event("Opened")
    def _opened(self, by: UUID) -> None:
        self.status = "open"

    def close(self, by: UUID, reason: str = "") -> None:
        if self.status == "closed":
            raise ConflictError("programme_id: the programme is already closed", field="programme_id",
                                code="programme.closed")
        self._closed(by=by, reason=" ".join(reason.split())[:NAME_LIMIT])

    @event("Closed")
    def _closed(self, by: UUID, reason: str) -> None:
        self.status = "closed"

    def require_open(self) -> None:
        """Refuse (``programme.state``) unless the programme is open: what claims, vouchers and subsidies need."""
        if self.status != "open":
            raise ConflictError(f"programme_id: the programme is {self.status}", field="programme_id",
                                code="programme.state", programme_status=self.status)

    def runs_on(self, day: date) -> bool:
        """Whether a payment on ``day`` falls in an open programme's period (a conversion programme awards none)."""
        return self.status == "open" and self.starts_on <= day <= self.ends_on and self.awards_deals

    @property
    def awards_deals(self) -> bool:
        return self.kind not in (ProgrammeKind.CONVERSION, ProgrammeKind.AGENCY_SUBSIDY)

    def runs_in(self, year: int) -> bool:
        """Whether an open agency-subsidy programme's period meets the calendar year (its claims are by year)."""
        return (self.kind is ProgrammeKind.AGENCY_SUBSIDY and self.status == "open"
                and self.starts_on.year <= year <= self.ends_on.year)

    def watches_on(self, day: date) -> bool:
        """Whether a conversion programme is open and running on ``day`` (its deadlines are flagged)."""
        return (self.kind is ProgrammeKind.CONVERSION and self.status == "open"
                and self.starts_on <= day <= self.ends_on)

    # --- budget ---------------------------------------------------------------------------------
    @property
    def remaining(self) -> int:
        return self.budget - self.disbursed - sum(self.committed.values()) - sum(self.voucher_committed.values())

    def commit(self, claim_id: UUID, amount: int) -> int:
        """Commit budget for an approved claim: the amount, or what remains if less (0: nothing left)."""
        if claim_id in self.committed:
            return self.committed[claim_id]
        granted = max(0, min(amount, self.remaining))
        if granted:
            self._committed(award_claim_id=claim_id, amount=granted)
        return granted

    @event("BudgetCommitted")
    def _committed(self, award_claim_id: UUID, amount: int) -> None:
        self.committed[award_claim_id] = amount

    def disburse(self, claim_id: UUID) -> int:
        if claim_id not in self.committed:
            raise ConflictError("claim_id: no budget is committed for this claim", field="claim_id",
                                code="claim.not_committed")
        amount = self.committed[claim_id]
        self._disbursed(award_claim_id=claim_id, amount=amount)
        return amount

    @event("Disbursed")
    def _disbursed(self, award_claim_id: UUID, amount: int) -> None:
        del self.committed[award_claim_id]
        self.disbursed += amount

    def release(self, claim_id: UUID, reason: str) -> None:
        """Give back a commitment that will not be paid (a withdrawn claim)."""
        if claim_id in self.committed:
            self._released(award_claim_id=claim_id, amount=self.committed[claim_id], reason=reason)

    @event("BudgetReleased")
    def _released(self, award_claim_id: UUID, amount: int, reason: str) -> None:
        del self.committed[award_claim_id]

    def recover(self, claim_id: UUID, amount: int) -> None:
        """A paid award repaid after its deal was reversed goes back to the budget."""
        self._recovered(award_claim_id=claim_id, amount=amount)

    @event("Recovered")
    def _recovered(self, award_claim_id: UUID, amount: int) -> None:
        self.disbursed -= amount

    # --- innovation vouchers ----------------------------------------------------------------------
    def commit_voucher(self, voucher_id: UUID, amount: int) -> None:
        """Commit a voucher's face value at its issue (the whole value, or the issue is refused)."""
        if self.kind is not ProgrammeKind.INNOVATION_VOUCHER:
            raise ConflictError("programme_id: only an innovation-voucher programme issues vouchers",
                                field="programme_id", code="voucher.not_a_voucher_programme")
        if voucher_id in self.voucher_committed:
            return
        if amount > self.remaining:
            raise ConflictError(f"face_value: the budget holds {self.remaining} more, not {amount}",
                                field="face_value", code="voucher.budget", remaining=self.remaining)
        self._voucher_committed(voucher_id=voucher_id, amount=amount)

    @event("VoucherCommitted")
    def _voucher_committed(self, voucher_id: UUID, amount: int) -> None:
        self.voucher_committed[voucher_id] = amount

    def settle_voucher(self, voucher_id: UUID, amount: int) -> None:
        """The officer paid a redemption: committed value becomes disbursed."""
        self._voucher_settled(voucher_id=voucher_id, amount=amount)

    @event("VoucherSettled")
    def _voucher_settled(self, voucher_id: UUID, amount: int) -> None:
        self.voucher_committed[voucher_id] = self.voucher_committed.get(voucher_id, 0) - amount
        self.disbursed += amount

    def release_voucher(self, voucher_id: UUID, amount: int, reason: str) -> None:
        """Value of a voucher that will not be spent (expired, or a refund after its expiry) returns to the budget."""
        if amount > 0:
            self._voucher_released(voucher_id=voucher_id, amount=amount, reason=reason)

    @event("VoucherReleased")
    def _voucher_released(self, voucher_id: UUID, amount: int, reason: str) -> None:
        self.voucher_committed[voucher_id] = self.voucher_committed.get(voucher_id, 0) - amount

    def recover_voucher(self, voucher_id: UUID, amount: int) -> None:
        """A settled voucher part repaid after its payment was refunded returns to the budget."""
        self._voucher_recovered(voucher_id=voucher_id, amount=amount)

    @event("VoucherRecovered")
    def _voucher_recovered(self, voucher_id: UUID, amount: int) -> None:
        self.disbursed -= amount

    # --- provider bonuses (通兑) ----------------------------------------------------------------------
    def bonus_paid_to(self, provider_id: UUID, year: int) -> int:
        """The bonuses paid to a provider in a year and not repaid (what the yearly cap counts)."""
        return sum(b["amount"] for b in self.provider_bonuses.values()
                   if b["provider"] == provider_id and b["year"] == year and b["status"] != "recovered")

    def pay_provider_bonus(
        self, *, voucher_id: UUID, obligation_id: UUID, provider_id: UUID, redeemed: int, rate_bp: int,
        cap_per_year: int | None, year: int, bank_reference: str, at: str = "",
    ) -> int:
        """The bonus on a settled provider redemption, paid with it: ``redeemed × rate``, within the provider's
        yearly cap and what the budget holds (never more); recorded also when a cap leaves nothing. Returns
        the amount paid."""
        if obligation_id in self.provider_bonuses:
            return int(self.provider_bonuses[obligation_id]["amount"])
        computed = redeemed * rate_bp // BASIS_POINTS
        amount, capped_by = computed, ""
        if cap_per_year is not None and amount > cap_per_year - self.bonus_paid_to(provider_id, year):
            amount, capped_by = max(0, cap_per_year - self.bonus_paid_to(provider_id, year)), "year_cap"
        if amount > max(0, self.remaining):
            amount, capped_by = max(0, self.remaining), "budget"
        self._provider_bonus_paid(
            voucher_id=voucher_id, obligation_id=obligation_id, provider_organisation_id=provider_id, year=year,
            redeemed=redeemed, rate_bp=rate_bp, computed=computed, amount=amount, capped_by=capped_by,
            cap_per_year=cap_per_year, bank_reference=bank_reference, at=at)
        return amount

    @event("ProviderBonusPaid")
    def _provider_bonus_paid(
        self, voucher_id: UUID, obligation_id: UUID, provider_organisation_id: UUID, year: int, redeemed: int,
        rate_bp: int, computed: int, amount: int, capped_by: str, cap_per_year: int | None, bank_reference: str,
        at: str = "",
    ) -> None:
        self.provider_bonuses[obligation_id] = {"provider": provider_organisation_id, "year": year,
                                                "amount": amount, "status": "paid", "voucher": voucher_id}
        self.disbursed += amount

    def provider_bonus_owed_back(self, obligation_id: UUID, reason: str) -> int:
        """The redemption's payment was refunded after its settlement: the provider owes its bonus back too."""
        bonus = self.provider_bonuses.get(obligation_id)
        if bonus is None or bonus["status"] != "paid" or not bonus["amount"]:
            return 0
        self._provider_bonus_recovery_raised(obligation_id=obligation_id, voucher_id=bonus["voucher"],
                                             amount=bonus["amount"], reason=reason)
        return int(bonus["amount"])

    @event("ProviderBonusRecoveryRaised")
    def _provider_bonus_recovery_raised(self, obligation_id: UUID, voucher_id: UUID, amount: int,
                                        reason: str) -> None:
        self.provider_bonuses[obligation_id]["status"] = "recovery_due"

    def recover_provider_bonus(self, obligation_id: UUID, bank_reference: str) -> int:
        """The provider repaid the bonus (with the voucher part): it returns to the budget."""
        bonus = self.provider_bonuses.get(obligation_id)
        if bonus is None or bonus["status"] != "recovery_due":
            return 0
        self._provider_bonus_recovered(obligation_id=obligation_id, voucher_id=bonus["voucher"],
                                       amount=bonus["amount"], bank_reference=bank_reference)
        return int(bonus["amount"])

    @event("ProviderBonusRecovered")
    def _provider_bonus_recovered(self, obligation_id: UUID, voucher_id: UUID, amount: int,
                                  bank_reference: str) -> None:
        self.provider_bonuses[obligation_id]["status"] = "recovered"
        self.disbursed -= amount
