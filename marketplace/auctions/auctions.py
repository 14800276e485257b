"""Auction commands: schedule a session, add a lot, the owner's consent, bidders' registration and deposits,
bids, and the close that drafts the winner's contract and refunds the other deposits.

Who may act is checked on the aggregates: sessions and lots are a platform admin's, or a verified transfer
agency's (技术转移机构: its org admins run the agency's own sessions only); consent is the listing owner's org
admin's; bidders are members of verified organisations registered for the session (rules accepted)
whose deposit for the lot was received. A bid is validated on the lot as it stands at the save: when another bid
was saved meanwhile (a version clash on PostgreSQL), the bid is validated again against that one, so a lower bid
is never accepted after a higher one. The deadline worker closes lots whose window ended.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar
from uuid import UUID
from zoneinfo import ZoneInfo

from eventsourcing.domain import Aggregate

from domain.accounts.organisation import Organisation, OrganisationKind
from domain.accounts.user import Role, User
from domain.auctions.deposit_payment import DepositPayment, deposit_payment_id
from domain.auctions.lot import (
    DepositStatus,
    Lot,
    LotKind,
    LotStatus,
    auction_contract_id,
    deposit_id,
    payment_key,
    settle_deadline,
)
from domain.auctions.session import AuctionSession
from domain.catalogue.licences import LicenceScope
from domain.catalogue.listing import Listing, ListingStatus
from domain.catalogue.patent import Patent
from domain.deals.contract import Contract
from domain.deals.contract_terms import ContractStatus, instalment_purpose
from domain.deals.contracting import add_years, check_exclusivity, draft_contract, release
from domain.deals.payment import PaymentObligation, PaymentStatus, obligation_id, payment_reference
from domain.deals.terms import DealKind, DealTerms, Instalment
from domain.shared.errors import ConflictError, DomainError, PermissionDeniedError, ValidationError
from domain.shared.ids import natural_id, requested_id
from domain.shared.money import Money
from marketplace.auctions import commands as ac
from marketplace.deals.checks import DealChecks, DealPolicy
from marketplace.deals.gateways.port import GatewayEvent, PaymentGatewayError, PaymentRequest, PaymentStart
from marketplace.deals.payments import PAYMENT_SUCCEEDED, Payments
from marketplace.platform.app_base import SYSTEM_ACTOR, MarketplaceBase

__all__ = ["LICENCE_YEARS", "RETRIES", "Auctions", "HeldDeposits", "auction_contract_id"]

T = TypeVar("T")
BEIJING = ZoneInfo("Asia/Shanghai")
#: An exclusive licence sold at auction runs this many years from the close (or to the patent's expiry).
LICENCE_YEARS = 5
#: A card payment the provider is processing or has taken: made, whatever its webhook's delay.
PAYMENT_UNDERWAY = frozenset({"processing", "requires_capture", "succeeded"})
#: What an auction contract's deposit instalment is paid from (``PaymentObligation.paid_from``).
PAID_FROM_DEPOSIT = "auction_deposit"
#: How many times a bid is validated again after others were saved before it.
RETRIES = 20


class Auctions:
    """Sessions, lots, deposits, bids and the close."""

    def __init__(self, store: MarketplaceBase, checks: DealChecks, policy: DealPolicy, payments: Payments) -> None:
        self.store = store
        self.checks = checks
        self.policy = policy
        self.payments = payments

    def _now(self) -> datetime:
        return self.store.clock.now()

    def _position(self) -> int:
        return self.store.recorder.max_notification_id() or 0

    def _retry(self, run: Callable[[], T], lot_id: UUID | None = None) -> T:
        """Run a lot command again when another save won the race; ``lot_id``: this process's bids on the lot take
        turns (one load-to-save at a time), so only other workers' bids race them."""
        for _ in range(RETRIES):
            try:
                if lot_id is None:
                    return run()
                with self.store.one_at_a_time(lot_id):
                    return run()
            except ConflictError as error:
                if error.code != "version.stale":
                    raise
        raise ConflictError("lot_id: many bids are arriving at once; try again", field="lot_id",
                            code="auction.busy")

    # --- sessions and lots (platform admin or transfer agency) --------------------------------------
    def runner_of(self, user: User) -> UUID | None:
        """Who runs the sessions the user schedules: ``None``, the platform (a platform admin), or the verified
        transfer agency the user is an org admin of; anyone else is refused."""
        if user.has_role(Role.PLATFORM_ADMIN):
            return None
        org = self.store.load(Organisation, user.organisation_id, "organisation")
        if org.kind != OrganisationKind.TRANSFER_AGENCY.value or not org.can_trade or not user.has_role(
                Role.ORG_ADMIN):
            raise PermissionDeniedError("session_id: a platform admin or an org admin of a verified transfer agency "
                                        "runs auction sessions", field="session_id", code="auction.runner")
        return org.id

    def require_runner(self, user: User, session: AuctionSession) -> None:
        """A platform admin runs every session; an agency's org admin only its agency's."""
        runner = self.runner_of(user)
        if runner is not None and runner != session.organisation_id:
            raise PermissionDeniedError("session_id: another organisation runs this session", field="session_id",
                                        code="auction.runner")

    def schedule_session(self, cmd: ac.ScheduleSession, *, actor_id: UUID | None) -> tuple[UUID, int]:
        user = self.store.actor(actor_id)
        runner = self.runner_of(user)
        # ``cmd.session_id`` is the client's idempotency key, never the id itself (``requested_id``).
        session_id = requested_id("auction-session", user.id, cmd.session_id) if cmd.session_id else uuid.uuid4()
        session = AuctionSession.schedule(session_id=session_id, title_zh=cmd.title_zh, title_en=cmd.title_en,
                                          deposit_rate=cmd.deposit_rate, settle_days=cmd.settle_days, by=user.id,
                                          organisation_id=runner)
        taken = ConflictError("session_id: this request key was used for another session", field="session_id",
                              code="auction.id_taken")

        def same() -> bool:
            existing = self.store.load(AuctionSession, session_id, "session_id")  # nothing else is saved there
            return (existing.title_zh, existing.title_en, existing.deposit_rate, existing.settle_days,
                    existing.organisation_id) == (session.title_zh, session.title_en, session.deposit_rate,
                                                  session.settle_days, session.organisation_id)

        if self.store.exists(session_id):
            if same():
                return session_id, self._position()  # a double submit
            raise taken
        try:
            return session_id, self.store.commit(session)
        except ConflictError:  # the same request twice at once: the first one stands
            if same():
                return session_id, self._position()
            raise taken from None

    def add_lot(self, cmd: ac.AddLot, *, actor_id: UUID | None) -> tuple[UUID, int]:
        user = self.store.actor(actor_id)
        session = self.store.load(AuctionSession, cmd.session_id, "session_id")
        self.require_runner(user, session)
        listing = self.store.load(Listing, cmd.listing_id, "listing_id")
        if listing.status != ListingStatus.PUBLISHED.value:
            raise ConflictError(f"listing_id: a {listing.status} listing cannot be auctioned", field="listing_id",
                                code="listing.state", listing_status=listing.status)
        if cmd.kind not in listing.terms["deal_types"]:
            raise ValidationError("kind: the listing does not offer this", field="kind", code="offer.kind_not_offered",
                                  kinds=list(listing.terms["deal_types"]))
        if cmd.reserve and cmd.reserve < cmd.start_price:
            raise ValidationError("reserve: none, or at least the starting price", field="reserve",
                                  code="auction.reserve")
        lot_id = natural_id("auction-lot", f"{session.id}:{listing.id}")
        if self.store.exists(lot_id):
            self._require_kind(Lot, lot_id, "lot_id")
            return lot_id, self._position()  # the listing is in this session already
        lot = Lot.propose(lot_id=lot_id, session_id=session.id, listing_id=listing.id, patent_id=listing.patent_id,
                          seller_organisation_id=listing.organisation_id, kind=cmd.kind,
                          currency=str(listing.terms["currency"]), start_price=cmd.start_price, reserve=cmd.reserve,
                          reserve_shown=cmd.reserve_shown, increment=cmd.increment, opens_at=cmd.opens_at,
                          closes_at=cmd.closes_at, deposit_rate=session.deposit_rate, now=self._now(), by=user.id,
                          auction_format=cmd.auction_format, reveal_closes_at=cmd.reveal_closes_at)
        session.add_lot(lot_id, by=user.id)
        return lot_id, self.store.commit(session, lot)

    def consent(self, cmd: ac.ConsentToLot, *, actor_id: UUID | None) -> int:
        user = self.store.actor(actor_id)

        def run() -> int:
            lot = self.store.load(Lot, cmd.lot_id, "lot_id")
            self.checks.require_org_admin(user, lot.seller_organisation_id, "listing's owner", "lot_id")
            now = self._now()
            if lot.status == LotStatus.PROPOSED.value:
                # The listing as it stands now, not as it stood when the lot was proposed: withdrawn, suspended or
                # sold since, or passed to another owner, it cannot be auctioned.
                listing = self.store.load(Listing, lot.listing_id, "listing_id")
                if listing.status != ListingStatus.PUBLISHED.value or listing.organisation_id != \
                        lot.seller_organisation_id:
                    raise ConflictError(f"listing_id: a {listing.status} listing cannot be auctioned",
                                        field="listing_id", code="auction.listing_unavailable",
                                        listing_status=listing.status)
            changed = lot.consent(organisation_id=user.organisation_id, now=now, by=user.id)
            if not changed:
                return self._position()
            # The live lot holds its patent: no other sale or licence is agreed on it until the close. The
            # reservation is the lot's (its id in ``contract_id``); no buyer is known yet, so it names the seller.
            patent = self.store.load(Patent, lot.patent_id, "patent_id")
            if lot.kind == LotKind.EXCLUSIVE_LICENCE.value:
                # An exclusive licence sold at auction may not contradict a licence the patent already has (an
                # exclusive or sole one, or a non-exclusive one it would exclude), nor its open licence: the
                # deals' own check, on the licence the close would draft (from today to the longest term).
                listing = self.store.load(Listing, lot.listing_id, "listing_id")
                check_exclusivity(self._licence_terms(lot, patent, lot.start_price, now, lot.closes),
                                  patent, listing)
            patent.reserve_sale(lot.id, buyer_organisation_id=lot.seller_organisation_id,
                                at=now.isoformat(), by=user.id)
            return self.store.commit(lot, patent)

        return self._retry(run)

    def decline_lot(self, cmd: ac.DeclineLot, *, actor_id: UUID | None) -> int:
        """An org admin of the listing's owner (who alone may consent) declines a proposed lot with a reason: it is
        never consented nor bid on, and the session's runner is told (``Lot.Declined``). A decline cannot be taken
        back, so it needs the same role as the consent."""
        user = self.store.actor(actor_id)

        def run() -> int:
            lot = self.store.load(Lot, cmd.lot_id, "lot_id")
            if user.organisation_id != lot.seller_organisation_id:
                raise PermissionDeniedError("lot_id: only the listing's owner declines its lot", field="lot_id",
                                            code="auction.not_owner")
            self.checks.require_org_admin(user, lot.seller_organisation_id, "listing's owner", "lot_id")
            session = self.store.load(AuctionSession, lot.session_id, "session_id")
            changed = lot.decline(organisation_id=user.organisation_id, reason=cmd.reason, now=self._now(),
                                  by=user.id, runner_organisation_id=session.organisation_id)
            return self.store.commit(lot) if changed else self._position()

        return self._retry(run)

    # --- bidders and deposits -----------------------------------------------------------------------
    def register(self, cmd: ac.RegisterBidder, *, actor_id: UUID | None) -> tuple[int, int]:
        """Register the user's organisation; returns (bidder number, position)."""
        user = self.store.actor(actor_id)
        org = self.checks.trading_organisation(user.organisation_id, "organisation")

        def run() -> tuple[int, int]:
            session = self.store.load(AuctionSession, cmd.session_id, "session_id")
            changed = session.register(organisation_id=org.id, rules_accepted=cmd.accept_rules, by=user.id)
            position = self.store.commit(session) if changed else self._position()
            return session.bidders[org.id], position

        return self._retry(run)

    def start_deposit(self, cmd: ac.StartDeposit, *, actor_id: UUID | None) -> tuple[PaymentStart, int]:
        """Start (or resume) paying the deposit for a lot through a payment gateway."""
        user = self.store.actor(actor_id)
        org = self.checks.trading_organisation(user.organisation_id, "organisation")

        def run() -> tuple[PaymentStart, int]:
            lot = self.store.load(Lot, cmd.lot_id, "lot_id")
            number = self.store.load(AuctionSession, lot.session_id, "session_id").bidder_number(org.id)
            lot.require_deposit_open(org.id, self._now())
            did = deposit_id(lot.id, org.id)
            # By bank transfer unless the bidder asks for a card: Stripe's webhook then confirms it, found through
            # the ``DepositPayment`` saved with the start (``HeldDeposits``).
            gateway = self.payments.gateway_for(lot.deposit, cmd.gateway or "manual")
            request = PaymentRequest(obligation_id=did, amount=lot.deposit, currency=lot.currency,
                                     reference=payment_reference(did), payer_email=user.email)
            found = lot.deposits.get(org.id)
            if found is not None:
                if found["status"] != DepositStatus.PENDING.value:
                    raise ConflictError(f"lot_id: your deposit is {found['status']}", field="lot_id",
                                        code="auction.deposit_state")
                if found["gateway"] == gateway.name:
                    resumed = gateway.resume_payment(str(found["provider_payment_id"]), request)
                    if resumed is not None:
                        return resumed, self._position()
            started = gateway.start_payment(request)
            lot.deposit_started(organisation_id=org.id, bidder_number=number, gateway=started.gateway,
                                provider_payment_id=started.provider_payment_id, by=user.id)
            changed: list[Aggregate] = [lot]
            if started.gateway != "manual" and not self.store.exists(
                    deposit_payment_id(started.gateway, started.provider_payment_id)):
                changed.append(DepositPayment.start(lot_id=lot.id, organisation_id=org.id, gateway=started.gateway,
                                                    provider_payment_id=started.provider_payment_id))
            return started, self.store.commit(*changed)

        return self._retry(run)

    def record_deposit(self, cmd: ac.RecordDepositReceipt, *, actor_id: UUID | None) -> int:
        """A platform admin records a deposit received by bank transfer (对公转账)."""
        user = self.store.actor(actor_id)
        self.store.require_role(user, Role.PLATFORM_ADMIN)

        def run() -> int:
            lot = self.store.load(Lot, cmd.lot_id, "lot_id")
            changed = self.take_payment(lot, cmd.organisation_id, amount=cmd.amount, gateway="manual",
                                        provider_payment_id=cmd.bank_reference.strip(), by=user.id)
            return self.store.commit(lot) if changed else self._position()

        return self._retry(run)

    def take_payment(self, lot: Lot, org_id: UUID, *, amount: int, gateway: str, provider_payment_id: str,
                     by: UUID) -> bool:
        """Money in for a bidder's deposit, by whichever gateway: the first payment is the deposit (back at once if
        the lot closed meanwhile, as the losers' deposits went back); any further payment of the same deposit is
        refunded at once through its own gateway (or recorded as owed, retried by the deadline worker) and never
        counted. ``False``: this payment was recorded already."""
        if not lot.receive_deposit(organisation_id=org_id, amount=amount, gateway=gateway,
                                   provider_payment_id=provider_payment_id, by=by):
            return False
        key = payment_key(gateway, provider_payment_id)
        if key in lot.second_payments:
            self._refund_second(lot, key, by=by)
        elif lot.finished:
            self._refund(lot, org_id, by=by)
        return True

    def _refund_second(self, lot: Lot, key: str, *, by: UUID) -> bool:
        """Give a second payment of a deposit back through the gateway it came by (its own idempotency key, apart
        from the deposit's); a refusal is recorded as owed. ``True`` when refunded."""
        return self._give_back(
            lot.second_payments[key], f"refund-second-{natural_id('auction-second-payment', key)}",
            owe=lambda reason: lot.owe_second_refund(key=key, reason=reason, by=by),
            refunded=lambda refund_id: lot.refund_second_payment(key=key, provider_refund_id=refund_id, by=by))

    def _give_back(self, held: dict[str, Any], idempotency_key: str, *, owe: Callable[[str], object],
                   refunded: Callable[[str], object]) -> bool:
        """Refund a payment held (its gateway, provider payment id and amount) through the gateway it came by,
        under ``idempotency_key``: ``refunded(provider_refund_id)`` when the gateway refunds, ``owe(reason)`` when
        it refuses or is not configured. ``True`` when refunded."""
        gateway = self.payments.gateways.get(str(held["gateway"]))
        if gateway is None:
            owe(f"gateway {held['gateway']} is not configured")
            return False
        try:
            result = gateway.refund(str(held["provider_payment_id"]), int(held["amount"]),
                                    idempotency_key=idempotency_key)
        except PaymentGatewayError as error:
            owe(f"{error.code or 'refused'}: {error.message}")
            return False
        refunded(result.provider_refund_id)
        return True

    # --- bids ---------------------------------------------------------------------------------------
    def bid(self, cmd: ac.PlaceBid, *, actor_id: UUID | None) -> int:
        user = self.store.actor(actor_id)
        org = self.checks.trading_organisation(user.organisation_id, "organisation")

        def run() -> int:
            lot = self.store.load(Lot, cmd.lot_id, "lot_id")
            lot.bid(organisation_id=org.id, amount=cmd.amount, now=self._now(), by=user.id)
            return self.store.commit(lot)

        return self._retry(run, cmd.lot_id)

    def set_proxy(self, cmd: ac.SetProxyBid, *, actor_id: UUID | None) -> int:
        user = self.store.actor(actor_id)
        org = self.checks.trading_organisation(user.organisation_id, "organisation")

        def run() -> int:
            lot = self.store.load(Lot, cmd.lot_id, "lot_id")
            lot.set_proxy(organisation_id=org.id, maximum=cmd.maximum, now=self._now(), by=user.id)
            return self.store.commit(lot)

        return self._retry(run, cmd.lot_id)

    # --- sealed bids: commit and reveal ------------------------------------------------------------
    def commit_sealed_bid(self, cmd: ac.CommitSealedBid, *, actor_id: UUID | None) -> int:
        """Record the bidder's commitment (the digest only: the server never sees the amount before the reveal)."""
        user = self.store.actor(actor_id)
        org = self.checks.trading_organisation(user.organisation_id, "organisation")

        def run() -> int:
            lot = self.store.load(Lot, cmd.lot_id, "lot_id")
            changed = lot.commit_bid(organisation_id=org.id, commitment=cmd.commitment, now=self._now(), by=user.id)
            return self.store.commit(lot) if changed else self._position()

        return self._retry(run, cmd.lot_id)

    def reveal_sealed_bid(self, cmd: ac.RevealSealedBid, *, actor_id: UUID | None) -> int:
        """Open the bidder's commitment in the reveal window (a mismatching amount or salt is refused)."""
        user = self.store.actor(actor_id)
        # Revealing honours a commitment already made: it asks no verification (a bidder whose verification lapsed
        # after committing would otherwise forfeit its deposit for want of a reveal); the lot checks the commitment
        # is the organisation's. Committing and bidding still need a verified organisation.
        org = self.store.load(Organisation, user.organisation_id, "organisation")

        def run() -> int:
            lot = self.store.load(Lot, cmd.lot_id, "lot_id")
            changed = lot.reveal_bid(organisation_id=org.id, amount=cmd.amount, salt=cmd.salt, now=self._now(),
                                     by=user.id)
            return self.store.commit(lot) if changed else self._position()

        return self._retry(run, cmd.lot_id)

    def remind_reveals(self, cmd: ac.RemindReveals) -> int | None:
        """The deadline worker: record a reminder to the bidders who have not revealed (``None``: none due)."""

        def run() -> int | None:
            lot = self.store.load(Lot, cmd.lot_id, "lot_id")
            return self.store.commit(lot) if lot.remind_reveals(now=self._now(), by=SYSTEM_ACTOR) else None

        return self._retry(run)

    # --- the close ----------------------------------------------------------------------------------
    def close(self, cmd: ac.CloseLot) -> int:
        """Close a lot whose window ended: the winner's contract drafted (its deposit applied), every other
        received deposit refunded at once; no reserve met, no sale (the listing stays published)."""
        return self._retry(lambda: self._close(cmd.lot_id))

    def _close(self, lot_id: UUID) -> int:
        lot = self.store.load(Lot, lot_id, "lot_id")
        if lot.finished:
            return self._position()
        now = self._now()
        winner, price = lot.outcome(now)
        term = self.store.load(AuctionSession, lot.session_id, "session_id").settle_days
        # The lot's hold on its patent ends in the close's save, before the winner's contract is drafted (an
        # assignment's draft reserves the patent for that contract). Lots consented before the hold held none.
        patent = self._released(lot)
        changed: list[Aggregate] = [lot, patent]
        contract_id: UUID | None = None
        refused: str | None = None
        if winner is not None and price is not None:
            try:
                changed.append(self._draft(lot, patent, winner, price, now))
                contract_id = auction_contract_id(lot.id)
            except DomainError as error:
                refused = error.code or "refused"
                patent = self._released(lot)  # nothing the failed draft did to the patent is saved
                changed = [lot, patent]
        lot.close(now=now, contract_id=contract_id, refused=refused, by=SYSTEM_ACTOR,
                  settle_by=settle_deadline(now, term))
        for org_id, found in list(lot.deposits.items()):
            if found["status"] != DepositStatus.RECEIVED.value:
                continue
            if org_id == lot.winner and contract_id is not None:
                lot.apply_deposit(organisation_id=org_id, contract_id=contract_id, by=SYSTEM_ACTOR)
                continue
            self._refund(lot, org_id, by=SYSTEM_ACTOR)
        try:
            return self.store.commit(*changed)
        except ConflictError as error:
            # A clash on the new contract's id with a record of another kind is no race: retrying cannot help.
            if error.code == "version.stale" and contract_id is not None and self.store.exists(contract_id):
                self._require_kind(Contract, contract_id, "contract_id")
            raise

    def _require_kind(self, kind: type[Aggregate], aggregate_id: UUID, field: str) -> None:
        """Refuse (not as a race to retry) when the id an aggregate of ``kind`` is derived to is held by a record
        of another kind."""
        found: Aggregate = self.store.repository.get(aggregate_id)
        if not isinstance(found, kind):
            raise ConflictError(f"{field}: the id {aggregate_id} this {kind.__name__.lower()} is derived to is held "
                                f"by a {type(found).__name__.lower()}", field=field, code="auction.id_held",
                                kind=kind.__name__.lower(), held_by=type(found).__name__.lower())

    def _refund(self, lot: Lot, org_id: UUID, *, by: UUID) -> bool:
        """Give a deposit back through the gateway it came by (one refund per deposit: the key). A refund the
        gateway refuses (a disputed or already refunded charge, the provider unreachable) or cannot make (the
        gateway no longer configured) never stops what called it: the deposit is recorded as owed
        (``refund_owed``, with the reason), shown to the platform admin and retried by the deadline worker.
        ``True`` when refunded."""
        return self._give_back(
            lot.deposits[org_id], f"refund-{deposit_id(lot.id, org_id)}",
            owe=lambda reason: lot.owe_refund(organisation_id=org_id, reason=reason, by=by),
            refunded=lambda refund_id: lot.refund_deposit(organisation_id=org_id, provider_refund_id=refund_id, by=by))

    def retry_refunds(self, cmd: ac.RetryRefunds) -> int | None:
        """The deadline worker tries again the lot's refunds owed; ``None`` when none went through."""

        def run() -> int | None:
            lot = self.store.load(Lot, cmd.lot_id, "lot_id")
            refunded = [org for org in lot.refunds_owed if self._refund(lot, org, by=SYSTEM_ACTOR)]
            seconds = [key for key in lot.second_refunds_due if self._refund_second(lot, key, by=SYSTEM_ACTOR)]
            return self.store.commit(lot) if refunded or seconds else None

        return self._retry(run)

    def pay_in_deposit(self, cmd: ac.PayInDeposit) -> int | None:
        """The deadline worker pays the winner's deposit into its contract's deposit instalment once signing has
        raised it; ``None`` when there is nothing to do yet (not signed) or any more (paid in)."""
        return self._retry(lambda: self._pay_in(cmd.lot_id))

    def _pay_in(self, lot_id: UUID) -> int | None:
        lot = self.store.load(Lot, lot_id, "lot_id")
        if lot.winner is None or lot.contract_id is None or lot.deposit_paid_in:
            return None
        contract = self.store.load(Contract, lot.contract_id, "contract_id")
        if contract.status != ContractStatus.IN_FORCE:
            # Held until the winner's own payment brought the contract into force: a winner who does not pay
            # within the term forfeits the deposit, which must still be the platform's to keep.
            return None
        instalments = contract.terms["instalments"]
        oid = obligation_id(contract.id, instalment_purpose(len(instalments) - 1, instalments[-1]["due"]))
        if not self.store.exists(oid):
            return None  # raised when the contract is signed
        obligation = self.store.load(PaymentObligation, oid, "obligation_id")
        held = lot.deposits[lot.winner]
        if not obligation.is_open:
            # Paid by the winner itself (before the deposit could be, on a contract drafted before that was
            # refused): its deposit must not pay for it twice, it goes back.
            if held["status"] != DepositStatus.APPLIED.value:
                return None
            self._refund(lot, lot.winner, by=SYSTEM_ACTOR)
            return self.store.commit(lot)
        changed = self.payments.receive_held(obligation, gateway=str(held["gateway"]),
                                             provider_payment_id=str(held["provider_payment_id"]), by=SYSTEM_ACTOR)
        lot.pay_in_deposit(obligation_id=oid, by=SYSTEM_ACTOR)
        return self.store.commit(lot, *changed)

    def _released(self, lot: Lot) -> Patent:
        """The lot's patent as stored, its reservation for the lot ended (nothing recorded if it held none)."""
        patent = self.store.load(Patent, lot.patent_id, "patent_id")
        patent.end_sale_reservation(lot.id, reason="auction_closed", by=SYSTEM_ACTOR)
        return patent

    def _draft(self, lot: Lot, patent: Patent, winner: UUID, price: int, now: datetime) -> Contract:
        listing = self.store.load(Listing, lot.listing_id, "listing_id")
        seller = self.store.load(Organisation, lot.seller_organisation_id, "seller_organisation_id")
        buyer = self.checks.trading_organisation(winner, "buyer_organisation_id")
        deposit = int(lot.deposits[winner]["amount"])
        note = (f"拍卖成交。第 2 期价款即竞买保证金 {deposit} 分，由平台以已收取的保证金支付 / Sold at auction. The "
                f"second instalment is the bidder's deposit of {deposit} fen, paid from the deposit the platform holds")
        today = now.astimezone(BEIJING).date()
        # The buyer pays the rest on signing (that payment brings the contract into force); the deposit pays the
        # second instalment, due today, once that payment is in (``pay_in_deposit``).
        schedule = (Instalment(None, price - deposit), Instalment(today, deposit))
        if lot.kind == LotKind.ASSIGNMENT.value:
            terms = DealTerms(kind=DealKind.ASSIGNMENT, price=Money(price, lot.currency), instalments=schedule,
                              note=note)
        else:
            terms = self._licence_terms(lot, patent, price, now, now, schedule=schedule, note=note)
            check_exclusivity(terms, patent, listing)
        contract = draft_contract(
            contract_id=auction_contract_id(lot.id), offer_id=lot.id, listing=listing, patent=patent, seller=seller,
            buyer=buyer, terms=terms, notice_ends_at=None, broker=(None, 0),
            platform_fee_rate=self.policy.platform_fee_rate, by=SYSTEM_ACTOR, now=now)
        if patent.is_owned_by(buyer.id):
            raise PermissionDeniedError("lot_id: the winner owns the patent", field="lot_id", code="offer.own_listing")
        return contract

    @staticmethod
    def _licence_terms(lot: Lot, patent: Patent, price: int, begins: datetime, closes: datetime, *,
                       schedule: tuple[Instalment, ...] = (), note: str = "") -> DealTerms:
        """The exclusive licence a lot sells: the whole field and territory, from ``begins`` to
        ``LICENCE_YEARS`` after the (Beijing) day of ``closes``, or the patent's expiry."""
        start = begins.astimezone(BEIJING).date()
        end = add_years(closes.astimezone(BEIJING).date(), LICENCE_YEARS)
        if patent.expiry_date:
            end = min(end, date.fromisoformat(str(patent.expiry_date)))
        return DealTerms(kind=DealKind.EXCLUSIVE_LICENCE, price=Money(price, lot.currency),
                         scope=LicenceScope("", "", start, max(end, start + timedelta(days=1))),
                         instalments=schedule, note=note)

    # --- after the hammer: the winner's term --------------------------------------------------------
    def forfeit(self, cmd: ac.ForfeitLot) -> int:
        """The winner did not sign and pay within the session's term: its deposit is forfeited (kept, not
        refunded), its drafted contract ended, and the patent's reservation for that contract released, so the
        listing (which stayed published) can be sold again. The lot does not pass to the runner-up: its deposit
        was refunded at the close.

        The contract is saved with the lot: a payment that brings it into force at the same moment (it saves the
        contract too) and this forfeit cannot both succeed; whichever is second sees the other's result. A card
        payment the provider is processing or has taken (its webhook late) holds the forfeit off
        (``auction.payment_underway``); a payment arriving after the forfeit goes back at once, and undoes the
        forfeit when the provider took it within the term (``paid_after_end``)."""
        return self._retry(lambda: self._forfeit(cmd.lot_id))

    def _seller_fault(self, lot: Lot, contract: Contract) -> str | None:
        """Why the seller's side, not the winner, kept the contract from coming into force (``None``: the winner
        is at fault). The winner is at fault when it ended the contract itself, did not sign although it could,
        or did not pay once all had signed; the seller's side when another party (or the platform) ended the
        contract, a co-owner's consent (which every signature waits for) never came, or the winner signed and
        the seller did not."""
        if contract.status == ContractStatus.TERMINATED:
            ender = contract.terminated_by
            if ender is not None and ender != SYSTEM_ACTOR and self.store.exists(ender) and self.store.load(
                    User, ender, "user_id").organisation_id == lot.winner:
                return None
            return "terminated"
        if any(org not in contract.consents for org in contract.consents_required):
            return "consent_missing"
        if str(lot.winner) in contract.signatures and not contract.fully_signed:
            return "seller_not_signed"
        return None

    def _forfeit(self, lot_id: UUID) -> int:
        lot = self.store.load(Lot, lot_id, "lot_id")
        if lot.contract_id is None:
            raise ConflictError(f"lot_id: the lot is {lot.status}", field="lot_id", code="auction.lot_state",
                                lot_status=lot.status)
        contract = self.store.load(Contract, lot.contract_id, "contract_id")
        in_force = contract.status == ContractStatus.IN_FORCE
        fault = None if in_force else self._seller_fault(lot, contract)
        if fault is not None:
            winner = lot.seller_defaulted(now=self._now(), contract_in_force=in_force, reason=fault, by=SYSTEM_ACTOR)
            self._refund(lot, winner, by=SYSTEM_ACTOR)
        else:
            if not in_force and lot.status == LotStatus.SOLD.value:
                self._require_no_payment_underway(contract)
            lot.forfeit(now=self._now(), contract_in_force=in_force, by=SYSTEM_ACTOR)
        changed: list[Aggregate] = [lot]
        if contract.status != ContractStatus.TERMINATED:
            contract.terminate(reason="the auction's winner did not sign and pay within the session's term"
                               if fault is None else "the seller's side did not sign within the auction's term",
                               by=SYSTEM_ACTOR)
            patent = self.store.load(Patent, contract.patent_id, "patent_id")
            changed += [contract, release(contract, patent, reason="auction winner forfeited", by=SYSTEM_ACTOR)]
        return self.store.commit(*changed)


    def _require_no_payment_underway(self, contract: Contract) -> None:
        """Before a winner forfeits: a card payment of its contract's first instalment that the provider is
        processing or has taken (its webhook not here yet) was made in time and must not cost the deposit. The
        provider is asked; while it cannot answer, nothing is forfeited either (the worker asks again)."""
        purpose = contract.first_purpose()
        oid = obligation_id(contract.id, purpose) if purpose else None
        if oid is None or not self.store.exists(oid):
            return
        obligation = self.store.load(PaymentObligation, oid, "obligation_id")
        if obligation.status != PaymentStatus.PENDING.value or not obligation.provider_payment_id:
            return
        gateway = self.payments.gateways.get(obligation.gateway or "")
        if gateway is None or gateway.name == "manual":
            return  # a bank transfer is known only once the platform records it
        underway = ConflictError("lot_id: the winner's payment is under way at the payment provider",
                                 field="lot_id", code="auction.payment_underway")
        request = PaymentRequest(obligation_id=obligation.id, amount=obligation.to_pay, currency=obligation.currency,
                                 reference=obligation.reference, attempt=max(1, obligation.payment_attempts))
        try:
            found = gateway.resume_payment(obligation.provider_payment_id, request)
        except PaymentGatewayError as error:
            raise underway from error
        if found is not None and found.status in PAYMENT_UNDERWAY:
            raise underway

    # --- hooks the deals trade calls (wired by the composition root) --------------------------------
    def paid_from_deposit(self, contract: Contract, purpose: str) -> str:
        """``auction_deposit`` when the payment ``purpose`` of ``contract`` is the instalment its winner's deposit
        pays (the buyer never pays it itself), else ``""``."""
        lot_id = contract.offer_id
        if lot_id is None or contract.id != auction_contract_id(lot_id):
            return ""
        instalments = contract.terms["instalments"]
        if len(instalments) < 2:
            return ""
        last = len(instalments) - 1
        return PAID_FROM_DEPOSIT if purpose == instalment_purpose(last, instalments[last]["due"]) else ""

    def contract_ended(self, contract: Contract, user: User) -> list[Aggregate]:
        """An auction contract ended before it took effect: when the seller's side (or a platform admin) ended it,
        the seller's default is certain: the lot is settled at once (``seller_default``, the winner's deposit
        refunded). A winner ending its own contract waits for the term (then it forfeits)."""
        lot_id = contract.offer_id
        if lot_id is None or contract.id != auction_contract_id(lot_id) or not self.store.exists(lot_id):
            return []
        lot = self.store.load(Lot, lot_id, "lot_id")
        if lot.status != LotStatus.SOLD.value or lot.contract_id != contract.id or lot.winner is None:
            return []
        if user.organisation_id == lot.winner:  # the winner walked away: its fault, settled when the term ends
            return []
        # The platform settles the lot (both sides are told); who ended the contract is on the contract's event.
        winner = lot.seller_defaulted(now=self._now(), contract_in_force=False, reason="terminated",
                                      by=SYSTEM_ACTOR, certain=True)
        self._refund(lot, winner, by=SYSTEM_ACTOR)
        return [lot]

    def paid_after_end(self, obligation: PaymentObligation, event: GatewayEvent) -> list[Aggregate]:
        """The winner's payment reached the platform after its contract had ended (the caller recorded it as owed
        back). It goes back at once through its gateway. If the lot was forfeited although the provider took the
        payment within the winner's term (the provider's own time of the success), the forfeit is undone: the
        deposit goes back too (``unwound``). A payment taken after the term leaves the forfeit as it was."""
        contract = self.store.load(Contract, obligation.contract_id, "contract_id")
        lot_id = contract.offer_id
        if lot_id is None or contract.id != auction_contract_id(lot_id) or not self.store.exists(lot_id):
            return []
        changed: list[Aggregate] = self.payments.refund_owed_now(
            obligation, reason="the auction contract had ended when the payment arrived", by=SYSTEM_ACTOR)
        lot = self.store.load(Lot, lot_id, "lot_id")
        paid_at = datetime.fromtimestamp(event.created, tz=UTC) if event.created > 0 else None
        deadline = lot.settle_by
        if (lot.status == LotStatus.FORFEITED.value and obligation.purpose == contract.first_purpose()
                and paid_at is not None and deadline is not None and paid_at < deadline):
            winner = lot.unwind_forfeit(paid_at=paid_at, obligation_id=obligation.id, now=self._now(),
                                        by=SYSTEM_ACTOR)
            self._refund(lot, winner, by=SYSTEM_ACTOR)
            changed.append(lot)
        return changed


class HeldDeposits:
    """Stripe's events about auction deposits paid by card (``Payments.held``): a payment's success receives the
    deposit (refunded at once if its lot closed meanwhile), or, when the deposit was paid already (by bank
    transfer or another card payment), is a second payment refunded at once through that card; its refunds were
    recorded when the marketplace asked for them, so they change nothing. A winner's contract payment that arrives
    after its contract ended goes to ``Auctions.paid_after_end``."""

    def __init__(self, auctions: Auctions) -> None:
        self.auctions = auctions

    def knows(self, event: GatewayEvent) -> bool:
        return bool(event.provider_payment_id) and self.auctions.store.exists(
            deposit_payment_id(event.provider, str(event.provider_payment_id)))

    def paid_after_end(self, obligation: PaymentObligation, event: GatewayEvent) -> list[Aggregate]:
        return self.auctions.paid_after_end(obligation, event)

    def apply(self, event: GatewayEvent) -> list[Aggregate]:
        store = self.auctions.store
        pointer = store.load(DepositPayment, deposit_payment_id(event.provider, str(event.provider_payment_id)),
                             "provider_payment_id")
        if event.event_type != PAYMENT_SUCCEEDED:
            return []
        lot = store.load(Lot, pointer.lot_id, "lot_id")
        found = lot.deposits.get(pointer.organisation_id)
        if found is None:
            return []
        pending = found["status"] == DepositStatus.PENDING.value
        if pending and event.amount is not None and event.amount != int(found["amount"]):
            return []  # not the whole deposit
        # A deposit paid already (by bank transfer, or by another card payment): this money is a second payment,
        # refunded at once through the card it came by.
        amount = int(found["amount"]) if pending or event.amount is None else event.amount
        changed = self.auctions.take_payment(lot, pointer.organisation_id, amount=amount, gateway=pointer.gateway,
                                             provider_payment_id=pointer.provider_payment_id, by=SYSTEM_ACTOR)
        return [lot] if changed else []
