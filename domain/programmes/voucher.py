"""Innovation vouchers (科技创新券): issued by a programme officer to qualified enterprises, spent on services.

A ``Voucher`` holds a face value until a date; its holder applies it to a payment it owes under a
contract on the marketplace, and the voucher pays its share of the cost (``share_bp``, within its
remaining value and the cap of one use). Two redemption models (``voucher_redemption_models``):

- **provider** (通兑): the buyer pays the rest through the gateway; the programme owes the voucher part
  to the seller until the officer settles it (a bank reference);
- **reimbursement** (通用): the buyer pays everything, then claims the voucher part back; the officer
  pays it to the buyer.

Each redemption is recorded on the voucher, so the aggregate's version serialises redemptions: two
payments spending one voucher at once save against the same version and one of them conflicts — a
voucher is never spent twice. A refund of the payment returns an unsettled part to the voucher while it
is valid (to the budget after its date), and raises a recovery for a settled one; at its date the
deadline worker expires the voucher and its unused value returns to the programme's budget.

A ``VoucherQuota`` counts the face value issued to one enterprise under one programme in one calendar
year (Beijing), saved with each issue, so the annual cap holds also when officers issue at once.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.programmes.rules import BASIS_POINTS, Rules, in_region, region_code, region_name, within_region
from domain.shared.errors import ConflictError, PermissionDeniedError, ValidationError
from domain.shared.ids import natural_id
from domain.shared.money import check_amount

REFERENCE_LIMIT = 64
BATCH_KEY_LIMIT = 64


class VoucherService(StrEnum):
    """What a voucher may pay for (fujian_innovation_voucher ``eligible_services``)."""

    TECHNOLOGY_TRANSFER = "technology_transfer"  # 技术转让、许可
    DEVELOPMENT = "development"  # 技术开发
    CONSULTING = "consulting"  # 技术咨询
    SERVICE = "service"  # 技术服务
    TESTING = "testing"  # 检验检测
    INSTRUMENT_USE = "instrument_use"  # 科研仪器设备使用
    DATA_ANALYSIS = "data_analysis"  # 技术数据分析


class RedemptionModel(StrEnum):
    PROVIDER = "provider"  # 通兑
    REIMBURSEMENT = "reimbursement"  # 通用


#: Every deal on the marketplace (an assignment or a licence) is a technology transfer or licence.
DEAL_SERVICE = VoucherService.TECHNOLOGY_TRANSFER.value
SERVICES = tuple(s.value for s in VoucherService)


def voucher_id(programme_id: UUID, organisation_id: UUID, batch_key: str) -> UUID:
    """One voucher per programme, enterprise and batch (an application or a bulk issue): a double submit
    of the same issue names the same vouchers and issues them once."""
    return natural_id("innovation-voucher", f"{programme_id}:{organisation_id}:{batch_key}")


def quota_id(programme_id: UUID, organisation_id: UUID, year: int) -> UUID:
    return natural_id("voucher-quota", f"{programme_id}:{organisation_id}:{year}")


def _reference(value: str, field: str) -> str:
    text = "".join(value.split())
    if not 1 <= len(text) <= REFERENCE_LIMIT:
        raise ValidationError(f"{field}: give the reference (1 to {REFERENCE_LIMIT} characters)", field=field,
                              code="length", least=1, most=REFERENCE_LIMIT)
    return text


def batch_key_of(value: str) -> str:
    text = " ".join(value.split())
    if not 1 <= len(text) <= BATCH_KEY_LIMIT:
        raise ValidationError(f"batch_key: give the batch or application reference (1 to {BATCH_KEY_LIMIT} characters)",
                              field="batch_key", code="length", least=1, most=BATCH_KEY_LIMIT)
    return text


def share_for(rules: Rules, flags: frozenset[str]) -> int:
    """The share of a cost the voucher covers: the programme's, or its share for a registered tech SME."""
    if rules.share_tech_sme_bp is not None and "tech_sme" in flags:
        return rules.share_tech_sme_bp
    return rules.tiers[0].rate_bp


def check_holder(rules: Rules, *, kind: str, verified: bool, region: str, flags: frozenset[str], field: str) -> None:
    """A voucher goes to a verified enterprise that holds one of the qualifications the rules name
    (a technology SME or a maker), in the rules' region."""
    if not verified or kind != "enterprise":
        raise ValidationError(f"{field}: vouchers go to verified enterprises", field=field,
                              code="voucher.not_an_enterprise")
    if rules.beneficiary_flags and not rules.beneficiary_flags & flags:
        wanted = " or ".join(sorted(rules.beneficiary_flags))
        raise ValidationError(f"{field}: the enterprise is not verified as {wanted}", field=field,
                              code="voucher.not_qualified", flags=sorted(rules.beneficiary_flags))
    if not in_region(region, rules.buyer_region):
        raise ValidationError(f"{field}: the enterprise is outside {rules.buyer_region}", field=field,
                              code="voucher.region", region=rules.buyer_region)


def check_provider_region(rules: Rules, *, region: str, field: str = "voucher_id") -> None:
    """跨区域: a voucher pays providers in the regions the rules accept (none named: any region). A provider
    whose recorded region cannot be placed (none recorded at sign-up, or a place the platform does not know)
    is refused by name, not silently taken for an outsider."""
    if not rules.provider_regions:
        return
    accepted = "、".join(region_name(c) for c in rules.provider_regions)
    code = region_code(region)
    if not code:
        raise ConflictError(f"{field}: the provider's region is not on record, so it cannot be checked against the "
                            f"programme's accepted regions ({accepted})", field=field,
                            code="voucher.provider_region_unknown", accepted=accepted, region=region.strip())
    if not any(within_region(code, wanted) for wanted in rules.provider_regions):
        raise ConflictError(f"{field}: the provider is in {region.strip()}; the programme's vouchers pay providers "
                            f"in {accepted}", field=field, code="voucher.provider_region",
                            accepted=accepted, region=region.strip())


class Voucher(Aggregate):
    """One innovation voucher of one enterprise under one programme."""

    class Issued(Aggregate.Created):
        programme_id: UUID
        organisation_id: UUID
        face_value: int
        valid_until: str
        services: list[str]
        share_bp: int
        cap_per_use: int | None
        redemption_model: str
        year: int
        batch_key: str
        by: UUID
        application_reference: str = ""

    @staticmethod
    def create_id(programme_id: UUID, organisation_id: UUID, batch_key: str, **_: object) -> UUID:
        return voucher_id(programme_id, organisation_id, batch_key)

    @event(Issued)
    def __init__(
        self,
        programme_id: UUID,
        organisation_id: UUID,
        face_value: int,
        valid_until: str,
        services: list[str],
        share_bp: int,
        cap_per_use: int | None,
        redemption_model: str,
        year: int,
        batch_key: str,
        by: UUID,
        application_reference: str = "",
    ) -> None:
        self.programme_id = programme_id
        self.organisation_id = organisation_id
        self.face_value = face_value
        self.valid_until = date.fromisoformat(valid_until)
        self.services = list(services)
        self.share_bp = share_bp
        self.cap_per_use = cap_per_use
        self.redemption_model = redemption_model
        self.year = year
        self.batch_key = batch_key
        self.application_reference = application_reference
        self.status = "active"  # active | expired
        self.remaining = face_value
        self.returned = 0  # value given back to the budget (expiry, or a refund after the date)
        #: obligation -> {contract_id, payee_organisation_id, cost, amount, status}; status owed | settled |
        #: returned | recovery_due | recovered
        self.redemptions: dict[UUID, dict[str, Any]] = {}

    @classmethod
    def issue(
        cls,
        *,
        programme_id: UUID,
        organisation_id: UUID,
        face_value: int,
        valid_until: date,
        today: date,
        services: list[str],
        share_bp: int,
        cap_per_use: int | None,
        redemption_model: str,
        batch_key: str,
        by: UUID,
        application_reference: str = "",
    ) -> Voucher:
        check_amount(face_value, "face_value")
        if face_value <= 0:
            raise ValidationError("face_value: a voucher is worth more than 0", field="face_value",
                                  code="amount.positive")
        if valid_until < today:
            raise ValidationError("valid_until: a voucher is valid until today or later", field="valid_until",
                                  code="voucher.valid_until", today=today)
        for i, service in enumerate(services):
            if service not in SERVICES:
                raise ValidationError(f"services.{i}: must be one of {', '.join(SERVICES)}", field=f"services.{i}",
                                      code="choice")
        if redemption_model not in (m.value for m in RedemptionModel):
            raise ValidationError("redemption_model: must be provider or reimbursement", field="redemption_model",
                                  code="choice")
        return cls(
            programme_id=programme_id, organisation_id=organisation_id, face_value=face_value,
            valid_until=valid_until.isoformat(), services=sorted(set(services) or SERVICES), share_bp=share_bp,
            cap_per_use=cap_per_use, redemption_model=redemption_model, year=today.year,
            batch_key=batch_key_of(batch_key), by=by,
            application_reference=" ".join(application_reference.split())[:REFERENCE_LIMIT],
        )

    # --- reading ----------------------------------------------------------------------------------
    def valid_on(self, day: date) -> bool:
        return self.status == "active" and day <= self.valid_until

    def most_for(self, cost: int) -> int:
        """The most this voucher pays of ``cost``: its share, within its remaining value and the cap of one use."""
        most = min(cost * self.share_bp // BASIS_POINTS, self.remaining)
        if self.cap_per_use is not None:
            most = min(most, self.cap_per_use)
        return max(0, most)

    @property
    def owed(self) -> int:
        """Redeemed and not yet paid out by the programme."""
        return sum(r["amount"] for r in self.redemptions.values() if r["status"] == "owed")

    @property
    def settled(self) -> int:
        return sum(r["amount"] for r in self.redemptions.values() if r["status"] in ("settled", "recovery_due"))

    # --- redemption -------------------------------------------------------------------------------
    def redeem(
        self, *, obligation_id: UUID, contract_id: UUID, payer_organisation_id: UUID, payee_organisation_id: UUID,
        cost: int, amount: int | None, service: str, today: date, by: UUID,
    ) -> int:
        """Spend part of the voucher on a payment of ``cost``; returns the voucher part (refused if none)."""
        if payer_organisation_id != self.organisation_id:
            raise PermissionDeniedError("voucher_id: the voucher is another organisation's", field="voucher_id",
                                        code="voucher.other_organisation")
        if obligation_id in self.redemptions and self.redemptions[obligation_id]["status"] != "returned":
            raise ConflictError("voucher_id: the voucher is already applied to this payment", field="voucher_id",
                                code="voucher.already_applied")
        if self.status != "active":
            raise ConflictError(f"voucher_id: the voucher is {self.status}", field="voucher_id",
                                code="voucher.state", voucher_status=self.status)
        if today > self.valid_until:
            raise ConflictError(f"voucher_id: the voucher was valid until {self.valid_until.isoformat()}",
                                field="voucher_id", code="voucher.expired", valid_until=self.valid_until)
        if service not in self.services:
            raise ConflictError("voucher_id: the voucher does not pay for this service", field="voucher_id",
                                code="voucher.service", service=service)
        most = self.most_for(cost)
        if most <= 0:
            raise ConflictError("voucher_id: nothing of the voucher is left to spend", field="voucher_id",
                                code="voucher.nothing_left")
        wanted = most if amount is None else amount
        if wanted <= 0:
            raise ValidationError("amount: the voucher part is more than 0", field="amount", code="amount.positive")
        if wanted > most:
            raise ValidationError(f"amount: the voucher pays at most {most} of this payment", field="amount",
                                  code="voucher.amount_too_high", most=most, given=wanted)
        self._redeemed(obligation_id=obligation_id, contract_id=contract_id,
                       payee_organisation_id=payee_organisation_id, cost=cost, amount=wanted,
                       redemption_model=self.redemption_model, by=by)
        return wanted

    @event("Redeemed")
    def _redeemed(self, obligation_id: UUID, contract_id: UUID, payee_organisation_id: UUID, cost: int, amount: int,
                  redemption_model: str, by: UUID) -> None:
        self.remaining -= amount
        self.redemptions[obligation_id] = {"contract_id": contract_id, "payee_organisation_id": payee_organisation_id,
                                           "cost": cost, "amount": amount, "status": "owed"}

    def _redemption(self, obligation_id: UUID) -> dict[str, Any]:
        found = self.redemptions.get(obligation_id)
        if found is None:
            raise ConflictError("obligation_id: the voucher was not applied to this payment", field="obligation_id",
                                code="voucher.no_redemption")
        return found

    def settle(self, *, obligation_id: UUID, by: UUID, bank_reference: str, at: str = "") -> int:
        """The officer paid the voucher part (to the seller, or back to the buyer); returns it."""
        redemption = self._redemption(obligation_id)
        if redemption["status"] != "owed":
            raise ConflictError(f"obligation_id: the redemption is {redemption['status']}, nothing is owed",
                                field="obligation_id", code="voucher.redemption_state",
                                redemption_status=redemption["status"])
        self._settled(obligation_id=obligation_id, amount=redemption["amount"], by=by,
                      bank_reference=_reference(bank_reference, "bank_reference"), at=at)
        return int(redemption["amount"])

    @event("Settled")
    def _settled(self, obligation_id: UUID, amount: int, by: UUID, bank_reference: str, at: str = "") -> None:
        self.redemptions[obligation_id]["status"] = "settled"
        self.redemptions[obligation_id]["bank_reference"] = bank_reference

    def reverse(self, obligation_id: UUID, *, today: date, reason: str) -> tuple[str, int]:
        """The payment was refunded. An unsettled part returns to the voucher while it is valid
        (``restored``), to the budget once it is not (``released``); a settled one is owed back
        (``recovery_due``). Returns what happened and the amount."""
        redemption = self.redemptions.get(obligation_id)
        if redemption is None:
            return "unchanged", 0
        amount = int(redemption["amount"])
        text = " ".join(reason.split())[:500]
        if redemption["status"] == "owed":
            to_voucher = self.valid_on(today)
            self._returned(obligation_id=obligation_id, amount=amount, to_voucher=to_voucher, reason=text)
            return ("restored" if to_voucher else "released"), amount
        if redemption["status"] == "settled":
            self._recovery_raised(obligation_id=obligation_id, amount=amount, reason=text)
            return "recovery_due", amount
        return "unchanged", 0

    @event("RedemptionReturned")
    def _returned(self, obligation_id: UUID, amount: int, to_voucher: bool, reason: str) -> None:
        self.redemptions[obligation_id]["status"] = "returned"
        if to_voucher:
            self.remaining += amount
        else:
            self.returned += amount

    @event("RecoveryRaised")
    def _recovery_raised(self, obligation_id: UUID, amount: int, reason: str) -> None:
        self.redemptions[obligation_id]["status"] = "recovery_due"

    def record_recovery(self, *, obligation_id: UUID, by: UUID, bank_reference: str) -> int:
        redemption = self._redemption(obligation_id)
        if redemption["status"] != "recovery_due":
            raise ConflictError(f"obligation_id: the redemption is {redemption['status']}, nothing is owed back",
                                field="obligation_id", code="voucher.redemption_state",
                                redemption_status=redemption["status"])
        self._recovered(obligation_id=obligation_id, amount=redemption["amount"], by=by,
                        bank_reference=_reference(bank_reference, "bank_reference"))
        return int(redemption["amount"])

    @event("Recovered")
    def _recovered(self, obligation_id: UUID, amount: int, by: UUID, bank_reference: str) -> None:
        self.redemptions[obligation_id]["status"] = "recovered"
        self.redemptions[obligation_id]["bank_reference"] = bank_reference
        self.returned += amount

    # --- expiry -----------------------------------------------------------------------------------
    def expire(self, today: date) -> int:
        """Past its date the voucher expires; returns its unused value (back to the budget)."""
        if self.status != "active":
            raise ConflictError(f"voucher_id: the voucher is {self.status}", field="voucher_id",
                                code="voucher.state", voucher_status=self.status)
        if today <= self.valid_until:
            raise ConflictError(f"voucher_id: the voucher is valid until {self.valid_until.isoformat()}",
                                field="voucher_id", code="voucher.still_valid", valid_until=self.valid_until)
        unused = self.remaining
        self._expired(returned=unused, on=today.isoformat())
        return unused

    @event("Expired")
    def _expired(self, returned: int, on: str) -> None:
        self.status = "expired"
        self.remaining = 0
        self.returned += returned


class VoucherQuota(Aggregate):
    """The face value issued to one enterprise under one programme in one calendar year (the annual cap)."""

    class Opened(Aggregate.Created):
        programme_id: UUID
        organisation_id: UUID
        year: int

    @staticmethod
    def create_id(programme_id: UUID, organisation_id: UUID, year: int, **_: object) -> UUID:
        return quota_id(programme_id, organisation_id, year)

    @event(Opened)
    def __init__(self, programme_id: UUID, organisation_id: UUID, year: int) -> None:
        self.programme_id = programme_id
        self.organisation_id = organisation_id
        self.year = year
        self.issued: dict[UUID, int] = {}

    @property
    def total(self) -> int:
        return sum(self.issued.values())

    def take(self, voucher: UUID, amount: int, cap: int | None, field: str) -> None:
        if voucher in self.issued:
            return
        if cap is not None and self.total + amount > cap:
            raise ConflictError(f"{field}: the enterprise's vouchers this year would pass the cap of {cap}",
                                field=field, code="voucher.annual_cap", cap=cap, already=self.total)
        self._taken(voucher_id=voucher, amount=amount)

    @event("Taken")
    def _taken(self, voucher_id: UUID, amount: int) -> None:
        self.issued[voucher_id] = amount
