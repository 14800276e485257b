"""The PaymentObligation aggregate: one sum a contract makes due, from due to paid (and refunded)."""

from __future__ import annotations

import hashlib
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.shared.errors import PaymentStateError, ValidationError
from domain.shared.ids import natural_id
from domain.shared.topics import stored_as

#: Bank-transfer references avoid letters and digits that are easily confused (0/O, 1/I/L).
_REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


class FundsSource(StrEnum):
    """Where the buyer's money for a payment comes from, as the buyer declares it before paying.

    Fujian's transaction subsidy excludes deals paid with fiscal science-programme money or bought by
    government procurement (policy_params: ``fujian_platform_transaction_subsidy_2024``).
    """

    OWN = "own"  # 自有资金
    FISCAL_PROGRAMME = "fiscal_programme"  # 财政科技项目资金
    GOVERNMENT_PROCUREMENT = "government_procurement"  # 政府采购


FUNDS_SOURCES = tuple(s.value for s in FundsSource)


class PaymentStatus(StrEnum):
    """States move only forward: due → pending → paid → refunded (pending may be skipped)."""

    DUE = "due"
    PENDING = "pending"
    PAID = "paid"
    REFUNDED = "refunded"


def obligation_id(contract_id: UUID, purpose: str) -> UUID:
    """One obligation per contract and purpose (``upfront``, ``instalment-2``, ``milestone-<name>``, ...)."""
    return natural_id("payment", f"{contract_id}:{purpose}")


def payment_reference(obligation: UUID) -> str:
    """A short reference for the payer to quote on a bank transfer, e.g. ``PT-7K3Q9X2M``."""
    digest = int.from_bytes(hashlib.sha256(obligation.bytes).digest()[:8], "big")
    chars = []
    for _ in range(8):
        digest, index = divmod(digest, len(_REFERENCE_ALPHABET))
        chars.append(_REFERENCE_ALPHABET[index])
    return "PT-" + "".join(chars)


class PaymentObligation(Aggregate):
    """A sum the buyer (licensee) owes under a contract, collected by the platform for the seller.

    ``payee_organisation_id`` is the seller whose income is shared out (benefit sharing) when paid.
    """

    class FellDue(Aggregate.Created):
        contract_id: UUID
        payer_organisation_id: UUID
        payee_organisation_id: UUID
        amount: int
        currency: str
        purpose: str
        due_on: str | None
        reference: str
        #: what the platform pays it from, not the payer (``auction_deposit``: an auction winner's deposit);
        #: "" for every obligation the payer pays (all those recorded before this existed)
        paid_from: str = ""

    @staticmethod
    def create_id(contract_id: UUID, purpose: str, **_: object) -> UUID:
        return obligation_id(contract_id, purpose)

    @event(FellDue)
    def __init__(
        self,
        contract_id: UUID,
        payer_organisation_id: UUID,
        payee_organisation_id: UUID,
        amount: int,
        currency: str,
        purpose: str,
        due_on: str | None,
        reference: str,
        paid_from: str = "",
    ) -> None:
        self.contract_id = contract_id
        self.payer_organisation_id = payer_organisation_id
        self.payee_organisation_id = payee_organisation_id
        self.amount = amount
        self.currency = currency
        self.purpose = purpose
        self.due_on = due_on
        self.reference = reference
        self.paid_from = paid_from
        self.status = PaymentStatus.DUE.value
        self.gateway: str | None = None
        self.provider_payment_id: str | None = None
        self.paid_at: str | None = None
        self.provider_refund_id: str | None = None
        #: Payments started for the obligation (``PaymentStarted`` events): the last one's attempt number.
        self.payment_attempts = 0
        #: An innovation voucher applied to the payment (``VoucherApplied``): which, its part, and its model.
        self.voucher_id: UUID | None = None
        self.voucher_amount = 0
        self.voucher_model = ""
        #: Where the buyer's money comes from (``FundsDeclared``); ``own`` until the buyer says otherwise.
        self.funds_source = FundsSource.OWN.value

    @classmethod
    def fall_due(
        cls,
        *,
        contract_id: UUID,
        payer_organisation_id: UUID,
        payee_organisation_id: UUID,
        amount: int,
        currency: str,
        purpose: str,
        due_on: str | None,
        paid_from: str = "",
    ) -> PaymentObligation:
        if amount <= 0:
            raise ValidationError(
                "amount: a payment obligation must be greater than 0", field="amount", code="amount.positive"
            )
        return cls(
            contract_id=contract_id,
            payer_organisation_id=payer_organisation_id,
            payee_organisation_id=payee_organisation_id,
            amount=amount,
            currency=currency,
            purpose=purpose,
            due_on=due_on,
            reference=payment_reference(obligation_id(contract_id, purpose)),
            paid_from=paid_from,
        )

    @property
    def is_open(self) -> bool:
        """Still to be paid (due, or a payment started)."""
        return self.status in (PaymentStatus.DUE, PaymentStatus.PENDING)

    @property
    def fiscally_funded(self) -> bool:
        """Paid with fiscal science-programme money or by government procurement, as the buyer declared."""
        return self.funds_source != FundsSource.OWN

    def declare_funds(self, *, source: str, by: UUID) -> bool:
        """The buyer says where the money comes from; returns whether anything changed.

        Declared before paying: once a payment has started (or the money was received) the declaration
        stands as it was — saying the same again records nothing, saying otherwise is refused.
        """
        if source not in FUNDS_SOURCES:
            raise ValidationError(f"funds_source: must be one of {', '.join(FUNDS_SOURCES)}",
                                  field="funds_source", code="choice")
        if source == self.funds_source:
            return False
        if self.status != PaymentStatus.DUE:
            raise PaymentStateError(
                f"funds_source: the payment is {self.status}; the source of funds was declared before paying",
                field="funds_source", code="payment.funds_locked", payment_status=self.status,
            )
        self._funds_declared(source=source, by=by)
        return True

    @event("FundsDeclared")
    def _funds_declared(self, source: str, by: UUID) -> None:
        self.funds_source = source

    @property
    def to_pay(self) -> int:
        """What the payer pays through the gateway: the whole amount, less a voucher part the programme
        pays the seller (通兑). ``amount`` stays the whole: benefit sharing counts all of it."""
        return self.amount - (self.voucher_amount if self.voucher_model == "provider" else 0)

    def apply_voucher(self, *, voucher_id: UUID, amount: int, model: str, by: UUID) -> None:
        """Record an innovation voucher's part of this payment (one voucher per payment).

        Provider redemption (通兑) lowers what is left to pay, so it comes before the money: while the
        payment is due, or awaiting a bank transfer (a card payment already asked the whole amount).
        Reimbursement (通用) comes after it: the buyer paid everything and claims the part back.
        """
        self.refuse_voucher_unless_open(model)
        most = self.amount - 1 if model == "provider" else self.amount  # the payer pays something through the gateway
        if not 0 < amount <= most:
            raise ValidationError("amount: the voucher part is more than 0 and less than the payment",
                                  field="amount", code="payment.voucher_part")
        self._voucher_applied(voucher_id=voucher_id, amount=amount, model=model, by=by)

    def refuse_voucher_unless_open(self, model: str) -> None:
        """Refuse (with the reason) a voucher this payment cannot take now."""
        if self.voucher_id is not None:
            raise PaymentStateError("obligation_id: a voucher is already applied to this payment",
                                    field="obligation_id", code="payment.voucher_applied")
        if model == "provider":
            if not (self.status == PaymentStatus.DUE or (self.status == PaymentStatus.PENDING
                                                         and self.gateway == "manual")):
                raise PaymentStateError(
                    f"obligation_id: the obligation is {self.status}; a voucher is applied before paying",
                    field="obligation_id", code="payment.voucher_too_late", payment_status=self.status)
        elif self.status != PaymentStatus.PAID or self.refund_owed is not None:
            raise PaymentStateError(
                f"obligation_id: the obligation is {self.status}; a reimbursement voucher is claimed once paid",
                field="obligation_id", code="payment.voucher_after_paying", payment_status=self.status)

    @event("VoucherApplied")
    def _voucher_applied(self, voucher_id: UUID, amount: int, model: str, by: UUID) -> None:
        self.voucher_id = voucher_id
        self.voucher_amount = amount
        self.voucher_model = model

    def _refuse_unless_open(self, action: str) -> None:
        if not self.is_open:
            raise PaymentStateError(
                f"obligation_id: the obligation is {self.status}; it cannot be {action}", field="obligation_id",
                code="payment.closed", payment_status=self.status,
            )

    def start(self, *, gateway: str, provider_payment_id: str, by: UUID) -> None:
        """A payment through ``gateway`` has begun (a PaymentIntent, or bank-transfer instructions given)."""
        self._refuse_unless_open("paid again")
        self._payment_started(gateway=gateway, provider_payment_id=provider_payment_id, by=by)

    @event("PaymentStarted")
    def _payment_started(self, gateway: str, provider_payment_id: str, by: UUID) -> None:
        self.status = PaymentStatus.PENDING.value
        self.gateway = gateway
        self.provider_payment_id = provider_payment_id
        self.payment_attempts += 1

    def pay(
        self,
        *,
        gateway: str,
        provider_payment_id: str,
        amount: int,
        now: datetime,
        shares: list[dict[str, Any]],
        by: UUID,
    ) -> None:
        """The money was received in full; ``shares`` is the benefit-sharing split of ``amount``."""
        self._refuse_unless_open("paid again")
        if amount != self.amount:
            raise ValidationError(
                f"amount: {self.amount} is due, not {amount}", field="amount",
                code="payment.amount_due", due=self.amount, given=amount,
            )
        if sum(int(s["amount"]) for s in shares) != amount:
            raise ValidationError(
                "shares: the shares must add up to the amount paid", field="shares", code="payment.shares_sum"
            )
        self._paid(
            gateway=gateway,
            provider_payment_id=provider_payment_id,
            amount=amount,
            at=now.isoformat(),
            by=by,
            shares=shares,
        )

    @event("Paid")
    def _paid(
        self, gateway: str, provider_payment_id: str, amount: int, at: str, by: UUID, shares: list[dict[str, Any]]
    ) -> None:
        self.status = PaymentStatus.PAID.value
        self.gateway = gateway
        self.provider_payment_id = provider_payment_id
        self.paid_at = at

    def refund(self, *, provider_refund_id: str, reason: str, now: datetime, by: UUID) -> None:
        """What the payer paid went back to it (the whole amount, less a voucher part the payer never
        paid); the shares of the payment are reversed with it."""
        if self.status != PaymentStatus.PAID:
            raise PaymentStateError(
                f"obligation_id: a {self.status} obligation cannot be refunded", field="obligation_id",
                code="payment.not_refundable", payment_status=self.status,
            )
        self._refunded(
            provider_refund_id=provider_refund_id,
            amount=self.to_pay,
            reason=reason.strip()[:500],
            at=now.isoformat(),
            by=by,
        )

    @event("Refunded")
    def _refunded(self, provider_refund_id: str, amount: int, reason: str, at: str, by: UUID) -> None:
        self.status = PaymentStatus.REFUNDED.value
        self.provider_refund_id = provider_refund_id
        self.__dict__.pop("_refund_owed_reason", None)

    # --- money that cannot be kept (issue 9) -------------------------------------------------
    @property
    def refund_owed(self) -> str | None:
        """Why the money received must go back (the contract can no longer take effect), until refunded."""
        reason: str | None = self.__dict__.get("_refund_owed_reason")
        return reason

    def owe_refund(self, *, reason: str, now: datetime, by: UUID) -> None:
        """The payment was received for a contract that can no longer take effect: the platform owes it back.

        Recorded with the payment (``RefundOwed``), it puts the payment on the platform admin's refund
        queue until ``refund`` records the money going back.
        """
        if self.status != PaymentStatus.PAID:
            raise PaymentStateError(
                f"obligation_id: a {self.status} obligation has no money to give back", field="obligation_id",
                code="payment.nothing_to_give_back", payment_status=self.status,
            )
        if self.refund_owed is not None:
            return
        self._refund_owed(reason=reason.strip()[:500], at=now.isoformat(), by=by)

    @event("RefundOwed")
    def _refund_owed(self, reason: str, at: str, by: UUID) -> None:
        self.__dict__["_refund_owed_reason"] = reason


stored_as("domain.payment", __name__)  # moved from domain/payment.py: its stored topics stay
