"""Manual bank settlement (对公转账): the buyer transfers to the platform's account quoting a reference.

The default gateway when no Stripe key is configured, and the only one for amounts above Stripe's
single-payment cap. Nothing is called here: ``start_payment`` tells the payer where to transfer
and which reference to quote (the payment obligation's unique reference, which is also the
provider payment id), and a platform admin records the receipt once the bank statement shows it.
Refunds are likewise paid out by the platform by bank transfer, so they start as ``pending_payout``.
"""

from __future__ import annotations

import msgspec

from domain.shared.errors import ValidationError
from marketplace.deals.gateways.port import PaymentRequest, PaymentStart, RefundResult

#: ISO 4217 currencies without minor units (amounts are already whole units).
_ZERO_DECIMAL = frozenset(
    {"BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"}
)


def format_amount(amount: int, currency: str) -> str:
    """``amount`` minor units as the payer types it into a bank form: ``1,234,567.89 CNY``."""
    code = currency.upper()
    if code in _ZERO_DECIMAL:
        return f"{amount:,} {code}"
    units, cents = divmod(amount, 100)
    return f"{units:,}.{cents:02d} {code}"


class ManualSettlementGateway:
    """Bank transfer to the platform's corporate account, confirmed by a platform admin."""

    name = "manual"

    def __init__(self, account_name: str, bank: str, account_number: str) -> None:
        self.account_name = account_name
        self.bank = bank
        self.account_number = account_number

    def start_payment(self, request: PaymentRequest) -> PaymentStart:
        """Bilingual transfer instructions; the payment waits for an admin to record the receipt."""
        if request.amount <= 0:
            raise ValidationError(
                "amount: must be a positive number of minor units", field="amount", code="amount.positive"
            )
        if not request.reference:
            raise ValidationError(
                "reference: a bank transfer needs a reference for the payer to quote", field="reference",
                code="payment.transfer_reference",
            )
        amount = format_amount(request.amount, request.currency)
        instructions = {
            "payee_account_name": self.account_name,
            "bank": self.bank,
            "account_number": self.account_number,
            "amount": amount,
            "currency": request.currency.upper(),
            "reference": request.reference,
            "instructions_zh": (
                f"请通过对公转账向 {self.account_name}（开户行：{self.bank}，账号：{self.account_number}）"
                f"支付 {amount}，并在转账附言中注明付款编号 {request.reference}。"
                "平台核对到账后确认付款。"
            ),
            "instructions_en": (
                f"Transfer {amount} to {self.account_name} (bank: {self.bank}, account number: "
                f"{self.account_number}) and quote the reference {request.reference} in the transfer's "
                "remarks. The platform confirms the payment once it has arrived."
            ),
        }
        return PaymentStart(
            gateway=self.name,
            provider_payment_id=request.reference,
            status="awaiting_transfer",
            instructions=instructions,
        )

    def resume_payment(self, provider_payment_id: str, request: PaymentRequest) -> PaymentStart:
        """The same instructions again: a bank transfer quoting ``provider_payment_id`` can always still be made."""
        return self.start_payment(msgspec.structs.replace(request, reference=provider_payment_id))

    def refund(self, provider_payment_id: str, amount: int, *, idempotency_key: str) -> RefundResult:
        """A refund the platform pays out by bank transfer; its id is derived from the key, so repeats match."""
        if amount <= 0:
            raise ValidationError(
                "amount: a refund must be a positive number of minor units", field="amount", code="amount.positive"
            )
        if not idempotency_key:
            raise ValueError("idempotency_key: a refund needs one, derived from what is being refunded")
        return RefundResult(
            provider_refund_id=f"manual-refund-{idempotency_key}", amount=amount, status="pending_payout"
        )
