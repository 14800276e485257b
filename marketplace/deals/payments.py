"""Payment commands: gateways, payments started and received, gateway events, refunds, benefit rules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.accounts.organisation import Organisation
from domain.accounts.user import Role
from domain.catalogue.listing import Listing
from domain.catalogue.patent import Patent
from domain.catalogue.patent_deals import CHANGED_HANDS_AGAIN, LICENSED_SINCE, LISTED_SINCE
from domain.deals.benefit_sharing import settle
from domain.deals.contract import Contract, TransferContract
from domain.deals.contract_terms import ContractStatus, instalment_purpose
from domain.deals.contracting import require_effect_possible, unique, why_no_effect
from domain.deals.development import DevelopmentContract
from domain.deals.payment import PaymentObligation, PaymentStatus, obligation_id
from domain.deals.webhook import WebhookDelivery, delivery_id
from domain.shared.errors import (
    ConcurrentModificationError,
    ConflictError,
    ContractStateError,
    NotFoundError,
    PaymentStateError,
    ValidationError,
)
from marketplace.deals import commands as d
from marketplace.deals.checks import DealChecks, DealPolicy
from marketplace.deals.gateways.port import (
    STRIPE_MAX_AMOUNT,
    GatewayEvent,
    PaymentGateway,
    PaymentGatewayError,
    PaymentRequest,
    PaymentStart,
)
from marketplace.platform.app_base import SYSTEM_ACTOR, MarketplaceBase
from marketplace.platform.units import percent_to_basis_points

PAYMENT_SUCCEEDED = "payment_intent.succeeded"
#: Who receives the inventors' share of a development payment: the developer's team, named as such.
DEVELOPMENT_TEAM = "研究开发团队 / development team"
REFUND_EVENTS = frozenset({"charge.refunded", "refund.created", "refund.updated", "charge.refund.updated"})
#: The status a refund (or, for ``charge.refunded``, the refunded charge) has once the money went back.
REFUND_SUCCEEDED = "succeeded"
#: Why a refund cannot undo a transfer (``Patent.why_transfer_cannot_be_reverted``), as the refusal's code.
_TRANSFER_KEPT = {
    CHANGED_HANDS_AGAIN: "refund.changed_hands",
    LISTED_SINCE: "refund.relisted",
    LICENSED_SINCE: "refund.relicensed",
}


class HeldPayments(Protocol):
    """Money the platform takes outside a contract (auction deposits, a higher trade) that a gateway's events may
    be about; set by the composition root."""

    def knows(self, event: GatewayEvent) -> bool:
        """Whether the event is about a payment this holder started."""
        ...

    def apply(self, event: GatewayEvent) -> list[Aggregate]:
        """What the event does to the holder's records (the caller saves them with the delivery)."""
        ...

    def paid_after_end(self, obligation: PaymentObligation, event: GatewayEvent) -> list[Aggregate]:
        """A provider's payment of ``obligation`` arrived after its contract had ended (recorded as owed back): what
        the holder does about it and the money it holds for that contract (the caller saves what is returned)."""
        ...


def _refuse_paid_from(obligation: PaymentObligation, field: str) -> None:
    """An obligation the platform pays from money it holds (an auction winner's deposit) is not the payer's to pay,
    nor a bank receipt's: paying it too would pay it twice."""
    if obligation.paid_from:
        raise PaymentStateError(
            f"{field}: this payment is made from the {obligation.paid_from} the platform holds", field=field,
            code="payment.paid_from_held", paid_from=obligation.paid_from,
        )


class Payments:
    """Money due under a contract: paid, split between the beneficiaries, refunded."""

    def __init__(
        self,
        store: MarketplaceBase,
        checks: DealChecks,
        policy: DealPolicy,
        gateways: Mapping[str, PaymentGateway] | None = None,
    ) -> None:
        self.store = store
        self.checks = checks
        self.policy = policy
        #: Payment gateways by name (``stripe``, ``manual``), given by the composition root.
        self.gateways: dict[str, PaymentGateway] = dict(gateways or {})
        #: Payments of money held outside contracts (auction deposits), given by the composition root.
        self.held: HeldPayments | None = None

    # --- payments ---------------------------------------------------------------------------
    def gateway_for(self, amount: int, wanted: str | None = None) -> PaymentGateway:
        """The gateway that takes ``amount`` (the payer's choice, else the default); auction deposits use it too."""
        return self._gateway_for(amount, wanted)

    def _gateway_for(self, amount: int, wanted: str | None = None) -> PaymentGateway:
        """The gateway the payer chose, if it can take the amount; without a choice, Stripe when
        configured and the amount fits one PaymentIntent, bank transfer otherwise."""
        stripe = self.gateways.get("stripe")
        manual = self.gateways.get("manual")
        if wanted not in (None, "stripe", "manual"):
            raise ValidationError(
                "gateway: must be stripe (card) or manual (bank transfer)", field="gateway", code="choice"
            )
        if wanted == "stripe" and stripe is None:
            raise ValidationError("gateway: card payments are not configured here; pay by bank transfer",
                                  field="gateway", code="payment.card_unavailable")
        if wanted == "stripe" and amount > STRIPE_MAX_AMOUNT:
            raise ValidationError(
                f"gateway: {amount:,} minor units is above Stripe's single-payment cap of {STRIPE_MAX_AMOUNT:,};"
                " pay by bank transfer", field="gateway", code="payment.card_limit", most=STRIPE_MAX_AMOUNT)
        if wanted != "manual" and stripe is not None and amount <= STRIPE_MAX_AMOUNT:
            return stripe
        if manual is None:
            raise ConflictError(
                "payments: no payment gateway is configured", field="payments", code="payment.no_gateway"
            )
        return manual

    def start_payment(self, cmd: d.StartPayment, *, actor_id: UUID | None) -> tuple[PaymentStart, int]:
        """The payer starts paying an obligation of a signed contract, or resumes the payment started.

        A pending obligation whose payment went through the gateway that would be used now gets that
        payment back (client secret or instructions; ``succeeded`` when it was paid and the webhook
        has not been recorded yet) and nothing is recorded: the position returned is the current one.
        Only when the gateway says that payment can no longer be paid (a canceled PaymentIntent) is
        the next attempt started (another ``PaymentStarted``, with an idempotency key of its own).
        """
        user = self.store.actor(actor_id)
        contract = self.store.load(Contract, cmd.contract_id, "contract_id")
        self.checks.require_member(user, contract.buyer_organisation_id, "paying organisation", "contract_id")
        if contract.status == ContractStatus.DRAFTED:
            raise ContractStateError(
                "contract_id: the contract is not signed by every party yet", field="contract_id",
                code="contract.state", contract_status=contract.status,
            )
        if contract.status == ContractStatus.TERMINATED:
            raise ContractStateError(
                "contract_id: the contract was terminated", field="contract_id", code="contract.terminated"
            )
        oid = obligation_id(contract.id, cmd.purpose.strip())
        if not self.store.exists(oid):
            raise NotFoundError(
                f"purpose: no payment {cmd.purpose!r} is due on this contract", field="purpose", code="payment.no_such"
            )
        obligation = self.store.load(PaymentObligation, oid, "purpose")
        if not obligation.is_open:
            raise PaymentStateError(
                f"purpose: this payment is already {obligation.status}", field="purpose",
                code="payment.closed", payment_status=obligation.status,
            )
        _refuse_paid_from(obligation, "purpose")
        # No money is asked for a contract that can no longer take effect (the patent sold or reserved
        # for another deal, lapsed); an assignment drafted before reservations takes its reservation now.
        # A development contract stands on no patent.
        patent = None if isinstance(contract, DevelopmentContract) else self.store.load(
            Patent, contract.patent_id, "patent_id")
        if patent is not None and contract.status == ContractStatus.SIGNED:
            require_effect_possible(contract, patent, now=self.store.clock.now(), by=user.id)
        # The source of funds is declared before any money is asked (refused once a payment has started).
        if cmd.funds_source is not None:
            obligation.declare_funds(source=cmd.funds_source.strip(), by=user.id)
        # A voucher's part (通兑) is the programme's to pay: the gateway asks only for the rest.
        gateway = self._gateway_for(obligation.to_pay, cmd.gateway)
        request = PaymentRequest(
            obligation_id=obligation.id,
            amount=obligation.to_pay,
            currency=obligation.currency,
            reference=obligation.reference,
            payer_email=user.email,
            attempt=obligation.payment_attempts + 1,
        )
        if (
            obligation.status == PaymentStatus.PENDING
            and obligation.gateway == gateway.name
            and obligation.provider_payment_id
        ):
            resumed = gateway.resume_payment(obligation.provider_payment_id, request)
            if resumed is not None:
                return resumed, self.store.commit(*([patent] if patent is not None else []))
        started = gateway.start_payment(request)
        obligation.start(gateway=started.gateway, provider_payment_id=started.provider_payment_id, by=user.id)
        return started, self.store.commit(obligation, *([patent] if patent is not None else []))

    def record_manual_receipt(self, cmd: d.RecordManualReceipt, *, actor_id: UUID | None) -> int:
        """A platform admin records a bank transfer received for an obligation (对公转账).

        Money that arrived for a contract that can no longer take effect (terminated, the patent sold
        or reserved for another deal) is recorded with the refund it calls for (``RefundOwed``): it
        then waits on the platform admin's refund queue, never kept in silence.
        """
        user = self.store.actor(actor_id)
        self.store.require_role(user, Role.PLATFORM_ADMIN)
        obligation = self.store.load(PaymentObligation, cmd.obligation_id, "obligation_id")
        if not obligation.is_open:
            raise PaymentStateError(
                f"obligation_id: this payment is already {obligation.status}", field="obligation_id",
                code="payment.closed", payment_status=obligation.status,
            )
        _refuse_paid_from(obligation, "obligation_id")
        if cmd.amount != obligation.to_pay:
            raise ValidationError(
                f"amount: {obligation.to_pay} is due, not {cmd.amount}", field="amount",
                code="payment.amount_due", due=obligation.to_pay, given=cmd.amount,
            )
        changed = self._receive(
            obligation, gateway="manual", provider_payment_id=cmd.bank_reference.strip(), by=user.id
        )
        return self.store.commit(*changed)

    def receive_held(self, obligation: PaymentObligation, *, gateway: str, provider_payment_id: str,
                     by: UUID) -> list[Aggregate]:
        """Record as paid an obligation whose money the platform already holds (an auction deposit applied to
        the price): split and effects as for any receipt. The caller saves the aggregates returned."""
        if not obligation.is_open:
            raise PaymentStateError(
                f"obligation_id: this payment is already {obligation.status}", field="obligation_id",
                code="payment.closed", payment_status=obligation.status,
            )
        return self._receive(obligation, gateway=gateway, provider_payment_id=provider_payment_id, by=by)

    def _receive(
        self, obligation: PaymentObligation, *, gateway: str, provider_payment_id: str, by: UUID, effects: bool = True
    ) -> list[Aggregate]:
        """Record the payment with its benefit-sharing split; the first payment brings the contract into force.

        For a contract that can no longer take effect (terminated, or signed but its patent sold, lapsed
        or reserved for another deal) the payment is recorded with its shares and a ``RefundOwed`` naming
        why, and nothing else moves; a platform admin refunds it from the refund queue. ``effects``
        ``False``: the caller records the refund at once (it overtook the success), so none is owed.
        """
        contract = self.store.load(Contract, obligation.contract_id, "contract_id")
        if isinstance(contract, DevelopmentContract):
            return self._receive_development(contract, obligation, gateway=gateway,
                                             provider_payment_id=provider_payment_id, by=by, effects=effects)
        patent = self.store.load(Patent, contract.patent_id, "patent_id")
        now = self.store.clock.now()
        why_not = (
            "the contract was terminated"
            if contract.status == ContractStatus.TERMINATED
            else why_no_effect(contract, patent, now=now, by=by)
        )
        seller = self.store.load(Organisation, contract.seller_organisation_id, "seller_organisation_id")
        shares = settle(
            obligation.amount,
            # The fee in force when the deal was made, not whatever it is today.
            platform_fee_rate=(
                self.policy.platform_fee_rate if contract.platform_fee_rate is None else contract.platform_fee_rate
            ),
            broker_commission_rate=contract.broker_commission,
            # The institution's rule when the contract was drafted (contracts drafted before it was
            # recorded take the rule in force now).
            inventor_share=seller.inventor_share if contract.inventor_share is None else contract.inventor_share,
            inventors=[(str(i["name"]), i.get("share")) for i in patent.inventors],
            institution_seller=seller.is_institution,
        )
        obligation.pay(
            gateway=gateway,
            provider_payment_id=provider_payment_id,
            amount=obligation.amount,
            now=now,
            shares=[s.as_dict() for s in shares],
            by=by,
        )
        changed: list[Aggregate] = [obligation]
        if not effects:
            return changed
        if why_not is not None:
            obligation.owe_refund(reason=why_not, now=now, by=by)
            return changed
        if obligation.purpose == contract.first_purpose() and contract.status == ContractStatus.SIGNED:
            changed += self.checks.come_into_force(contract, patent, now, by=by)
        elif patent.pending_events:
            changed.append(patent)  # a reservation taken now by an assignment drafted before they existed
        return unique(changed)

    def _receive_development(
        self, contract: DevelopmentContract, obligation: PaymentObligation, *, gateway: str, provider_payment_id: str,
        by: UUID, effects: bool,
    ) -> list[Aggregate]:
        """A development milestone paid: split as any payment (the developer institution's inventors' share goes
        to its development team as one, since the contract names no persons); nothing else moves. Money for a
        terminated contract is owed back."""
        seller = self.store.load(Organisation, contract.seller_organisation_id, "seller_organisation_id")
        now = self.store.clock.now()
        shares = settle(
            obligation.amount,
            platform_fee_rate=(
                self.policy.platform_fee_rate if contract.platform_fee_rate is None else contract.platform_fee_rate
            ),
            broker_commission_rate=contract.broker_commission,
            inventor_share=seller.inventor_share if contract.inventor_share is None else contract.inventor_share,
            inventors=[(DEVELOPMENT_TEAM, None)],
            institution_seller=seller.is_institution,
        )
        obligation.pay(gateway=gateway, provider_payment_id=provider_payment_id, amount=obligation.amount, now=now,
                       shares=[s.as_dict() for s in shares], by=by)
        if effects and contract.status == ContractStatus.TERMINATED:
            obligation.owe_refund(reason="the contract was terminated", now=now, by=by)
        return [obligation]

    def record_gateway_event(self, event: GatewayEvent) -> int | None:
        """Apply a verified provider event once; a repeated delivery is a no-op answered with ``None``.

        The delivery record is saved with its effect, so a concurrent duplicate fails the save.
        States never move backwards: a success after a refund, or a second refund, changes nothing.
        """
        did = delivery_id(event.provider, event.event_id)
        if self.store.exists(did):
            return None
        delivery = WebhookDelivery(
            provider=event.provider,
            event_id=event.event_id,
            event_type=event.event_type,
            object_id=event.provider_payment_id,
            payload_sha256=event.payload_sha256,
        )
        changed: list[Aggregate] = [delivery]
        if self.held is not None and self.held.knows(event):
            changed += self.held.apply(event)
        elif event.obligation_id is not None and self.store.exists(event.obligation_id):
            obligation = self.store.load(PaymentObligation, event.obligation_id, "obligation_id")
            changed += self._apply_gateway_event(obligation, event)
        try:
            return self.store.commit(*changed)
        except ConcurrentModificationError:
            if self.store.exists(did):
                return None
            raise

    def knows_held(self, event: GatewayEvent) -> bool:
        """Whether a provider event is about money held outside contracts (an auction deposit)."""
        return self.held is not None and self.held.knows(event)

    def _apply_gateway_event(self, obligation: PaymentObligation, event: GatewayEvent) -> list[Aggregate]:
        """What a verified provider event does to its obligation (the caller records the delivery anyway).

        - ``payment_intent.succeeded`` of the whole amount pays a due/pending obligation.
        - A refund event (``charge.refunded``, ``refund.*``, ``charge.refund.updated``) refunds a paid
          obligation only when the refund succeeded (``event.status == "succeeded"``; for
          ``charge.refunded`` the charge's status) for the whole amount (``event.amount``: the refund's
          amount, or the charge's total refunded). Refunds are whole-amount only in this release: a
          failed, pending, requires_action or canceled refund, a partial refund, or one whose amount
          is not given changes nothing.
        """
        payment_id = event.provider_payment_id or obligation.provider_payment_id or event.event_id
        if event.event_type == PAYMENT_SUCCEEDED:
            if obligation.is_open and (event.amount is None or event.amount == obligation.to_pay):
                changed = self._receive(
                    obligation, gateway=event.provider, provider_payment_id=payment_id, by=SYSTEM_ACTOR
                )
                if obligation.refund_owed is not None and self.held is not None:
                    changed = unique(changed + self.held.paid_after_end(obligation, event))
                return changed
            return []
        if event.event_type in REFUND_EVENTS and obligation.status != PaymentStatus.REFUNDED:
            if event.status != REFUND_SUCCEEDED or event.amount != obligation.to_pay:
                return []  # not (yet) a refund of the whole amount: nothing went back
            refund_id = event.provider_refund_id or event.event_id
            reason = f"refunded at {event.provider}"
            if obligation.is_open:
                # The refund overtook the success event: the money came and went; the contract, which
                # can no longer be paid, ends without effect if that was its first payment.
                changed = self._receive(
                    obligation, gateway=event.provider, provider_payment_id=payment_id, by=SYSTEM_ACTOR, effects=False
                )
                now = self.store.clock.now()
                obligation.refund(provider_refund_id=refund_id, reason=reason, now=now, by=SYSTEM_ACTOR)
                return unique(changed + self._end_unpaid(obligation, reason=reason, by=SYSTEM_ACTOR))
            return self._refund(obligation, refund_id=refund_id, reason=reason, by=SYSTEM_ACTOR, strict=False)
        return []

    def refund_payment(self, cmd: d.RefundPayment, *, actor_id: UUID | None) -> int:
        """A platform admin refunds a paid obligation, reversing what the payment caused, or is refused."""
        user = self.store.actor(actor_id)
        self.store.require_role(user, Role.PLATFORM_ADMIN)
        obligation = self.store.load(PaymentObligation, cmd.obligation_id, "obligation_id")
        if obligation.status != PaymentStatus.PAID:
            raise PaymentStateError(
                f"obligation_id: a {obligation.status} payment cannot be refunded", field="obligation_id",
                code="payment.not_refundable", payment_status=obligation.status,
            )
        if not cmd.reason.strip():
            raise ValidationError("reason: give the reason for the refund", field="reason", code="required")
        changed = self._refund(obligation, refund_id=None, reason=cmd.reason, by=user.id, strict=True)
        gateway = self.gateways.get(obligation.gateway or "")
        if gateway is None:
            raise ConflictError(
                f"obligation_id: the {obligation.gateway} gateway is not configured", field="obligation_id",
                code="payment.gateway_gone",
            )
        result = gateway.refund(
            obligation.provider_payment_id or "", obligation.to_pay, idempotency_key=f"refund-{obligation.id}"
        )
        obligation.refund(
            provider_refund_id=result.provider_refund_id, reason=cmd.reason, now=self.store.clock.now(), by=user.id
        )
        return self.store.commit(*changed)

    def refund_owed_now(self, obligation: PaymentObligation, *, reason: str, by: UUID) -> list[Aggregate]:
        """Give back at once, through its gateway, a payment just recorded as owed back (its contract had ended);
        when the gateway refuses or is gone it stays owed, on the platform admin's refund queue."""
        gateway = self.gateways.get(obligation.gateway or "")
        if obligation.refund_owed is None or obligation.status != PaymentStatus.PAID or gateway is None:
            return [obligation]
        try:
            result = gateway.refund(obligation.provider_payment_id or "", obligation.to_pay,
                                    idempotency_key=f"refund-{obligation.id}")
        except PaymentGatewayError:
            return [obligation]
        changed = self._refund(obligation, refund_id=None, reason=reason, by=by, strict=False)
        obligation.refund(provider_refund_id=result.provider_refund_id, reason=reason, now=self.store.clock.now(),
                          by=by)
        return changed

    def _refund(
        self, obligation: PaymentObligation, *, refund_id: str | None, reason: str, by: UUID, strict: bool
    ) -> list[Aggregate]:
        """Reverse what the payment caused (the contract ends, licence or ownership goes back).

        Only the refund of the first payment of a contract in force reverses anything, and only while
        no later payment of the contract (instalment, milestone, royalty) is paid: ending the contract
        then would keep the buyer's other money.

        ``refund_id`` ``None``: only prepare the reversal (the caller refunds at the gateway, then records).
        ``strict``: refuse when the reversal is impossible (later payments paid, or the transfer cannot
        be undone); otherwise (a refund already made at the provider) record the refund and leave the
        contract, or the patent, as it is.
        """
        contract = self.store.load(Contract, obligation.contract_id, "contract_id")
        changed: list[Aggregate] = [obligation]
        reverses = obligation.purpose == contract.first_purpose() and contract.status == ContractStatus.IN_FORCE
        if reverses:
            later = [o.purpose for o in self._later_obligations(contract) if o.status == PaymentStatus.PAID]
            if later and strict:
                raise ConflictError(
                    "obligation_id: the later payments of this contract must be refunded first: " + ", ".join(later),
                    field="obligation_id", code="refund.later_first", count=len(later),
                )
            reverses = not later
        if reverses:
            patent = self.store.load(Patent, contract.patent_id, "patent_id")
            if isinstance(contract, TransferContract):
                why = patent.why_transfer_cannot_be_reverted(contract.id)
                if why is not None and strict:
                    raise ConflictError(
                        f"obligation_id: the transfer cannot be reversed: {why}", field="obligation_id",
                        code=_TRANSFER_KEPT.get(why, "refund.transfer_kept"),
                    )
                if why is None:
                    patent.revert_transfer(contract.id, reason=reason, by=by)
            else:
                patent.end_licence(contract.id, reason="refunded")
                listing = self.store.load(Listing, contract.listing_id, "listing_id")
                listing.restore_deal_types(contract.id, by=by)
                changed.append(listing)
            contract.terminate(reason=f"payment refunded: {reason}", by=by)
            changed += [contract, patent]
        changed += self._end_unpaid(obligation, reason=reason, by=by)
        if refund_id is not None:
            obligation.refund(provider_refund_id=refund_id, reason=reason, now=self.store.clock.now(), by=by)
        return unique(changed)

    def _end_unpaid(self, obligation: PaymentObligation, *, reason: str, by: UUID) -> list[Aggregate]:
        """The first payment of a signed contract not in force goes back: the contract can never be paid
        now, so it ends without effect and what it reserved on the patent is released."""
        contract = self.store.load(Contract, obligation.contract_id, "contract_id")
        if contract.status != ContractStatus.SIGNED or obligation.purpose != contract.first_purpose():
            return []
        contract.terminate(reason=f"first payment refunded before the contract took effect: {reason}", by=by)
        return [contract, self.checks.release(contract, reason="refunded", by=by)]

    def _later_obligations(self, contract: Contract) -> list[PaymentObligation]:
        """The contract's payment obligations other than its first: instalments, milestones, royalties."""
        purposes = [instalment_purpose(i, inst["due"]) for i, inst in enumerate(contract.terms["instalments"])]
        purposes += [f"milestone-{name}" for name in contract.milestones_reached]
        ids = [obligation_id(contract.id, purpose) for purpose in purposes if purpose != contract.first_purpose()]
        for event in self.store.repository.event_store.get(contract.id):  # royalty reports raise their obligations
            raised = getattr(event, "obligation_id", None)
            if type(event).__name__ in ("RoyaltyReported", "MinimumRoyaltyFellDue") and isinstance(raised, UUID):
                ids.append(raised)
        return [
            self.store.load(PaymentObligation, oid, "obligation_id")
            for oid in dict.fromkeys(ids) if self.store.exists(oid)
        ]

    # --- benefit rules ----------------------------------------------------------------------
    def set_benefit_rules(self, cmd: d.SetBenefitRules, *, actor_id: UUID | None) -> int:
        """An institution's org admin sets the inventors' share of net income (促进科技成果转化法 art. 45).

        Only an org admin of that university or research institute decides its rule (单位规定). The rule
        reaches the contracts drafted after it (each contract keeps the share of its drafting day). The
        rule already in force, set again (a double submission), records nothing.
        """
        user = self.store.actor(actor_id)
        org = self.store.load(Organisation, cmd.organisation_id, "organisation_id")
        self.checks.require_org_admin(user, org.id, "organisation", "organisation_id")
        if not org.is_institution:
            raise ValidationError(
                "organisation_id: only a university or research institute sets an inventors' share",
                field="organisation_id", code="benefits.institution_only",
            )
        share = percent_to_basis_points(cmd.inventor_share, "inventor_share")
        if share == org.inventor_share and org.benefit_rule_set:
            return self.store.commit()
        org.set_benefit_rules(inventor_share=share, by=user.id)
        return self.store.commit(org)
