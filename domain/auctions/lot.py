"""A lot (拍品) of an auction session: one published listing sold by timed ascending bids.

The rules (``auction_rules_reference`` in the policy parameters, after CBEX and the judicial online auctions):
the first bid is at least the starting price and every raise a whole multiple of the increment above it; a
bidder cannot outbid itself; the server's clock rules and each accepted bid records its time; a bid in the last
five minutes extends the close by five minutes (anti-sniping); the lot never ends early. At the close the highest
bid at or above the reserve wins. Only bidders whose deposit (保证金) was received may bid; the winner's deposit is
applied to the price, every other deposit is refunded at once; a deposit is counted once, and a second payment of
it is recorded apart (``DepositPaidTwice``) to go back at once. All of it is in the lot's own events, so one
aggregate (one version sequence) orders every bid: two bids saved at once cannot both succeed.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Any, TypeVar
from uuid import UUID
from zoneinfo import ZoneInfo

from eventsourcing.domain import Aggregate, event

from domain.auctions.sealed import COMMITMENT_PATTERN, SALT_PATTERN, LotFormat, commitment_of, sealed_result
from domain.deals.payment import payment_reference
from domain.shared.errors import ConflictError, PermissionDeniedError, ValidationError
from domain.shared.ids import natural_id
from domain.shared.text import checked

#: A bid this close to the end extends the end by as much (soft close).
SOFT_CLOSE = timedelta(minutes=5)
BEIJING = ZoneInfo("Asia/Shanghai")
#: Fen: a hundred billion yuan is a typing error.
MONEY_LIMIT = 10_000_000_000_000
WINDOW_MOST = timedelta(days=60)
BIDS_LIMIT = 10_000
#: What the audit's reading surfaces show in place of a secret of a lot still open: a proxy maximum, a revealed
#: sealed amount and its salt (a platform insider who read them could bid against them).
WITHHELD = "(withheld until the close)"
#: The event fields withheld so until the lot closes (``Lot.Closed``), by event type.
WITHHELD_UNTIL_CLOSE: dict[str, frozenset[str]] = {"Lot.ProxySet": frozenset({"maximum"}),
                                                   "Lot.BidRevealed": frozenset({"amount", "salt"})}
#: a bidder's key: its organisation id in the aggregate, its id's text in the verifier
K = TypeVar("K", bound=Hashable)
#: A sealed lot's reveal window (开标) after its commit deadline: at least this long, at most that.
REVEAL_LEAST, REVEAL_MOST = timedelta(minutes=10), timedelta(days=14)
#: The actor recorded on bids a proxy placed (the system acting on the bidder's standing instruction).
SYSTEM_BIDDER = natural_id("system", "marketplace")
#: How long after its window opens a proposed lot may still be consented: a lot proposed to open at once (the form
#: takes the minute; a window may open up to a minute before its proposal) is consented in its first minutes, no later.
CONSENT_GRACE = timedelta(minutes=5)
#: The owner's reason for declining a proposed lot, in characters.
DECLINE_REASON_LIMIT = 500
#: A proposed or declined lot is shown only to the session's runner, the owner and platform admins/auditors.
UNCONSENTED = frozenset({"proposed", "declined"})


class LotKind(StrEnum):
    ASSIGNMENT = "assignment"
    EXCLUSIVE_LICENCE = "exclusive_licence"


class LotStatus(StrEnum):
    PROPOSED = "proposed"  # awaiting the owner's consent
    #: the owner declined the proposal (with its reason): never consented, never bid on
    DECLINED = "declined"
    READY = "ready"  # consented: open for deposits, bids within the window
    SOLD = "sold"
    UNSOLD = "unsold"
    #: sold, but the winner did not sign and pay within the session's term: its deposit kept, its contract ended
    FORFEITED = "forfeited"
    #: sold, but the seller's side did not sign (or consent) within the term, or ended the contract: the winner's
    #: deposit refunded, no sale
    SELLER_DEFAULT = "seller_default"
    #: forfeited, then undone: the winner's payment succeeded at the provider within the term but reached the
    #: platform after the forfeit; no sale, the payment and the deposit go back
    UNWOUND = "unwound"


class DepositStatus(StrEnum):
    DUE = "due"
    PENDING = "pending"
    RECEIVED = "received"
    REFUNDED = "refunded"
    APPLIED = "applied"
    #: kept: the winner did not sign and pay within the session's term, or a sealed commitment was never revealed
    FORFEITED = "forfeited"
    #: to be refunded, but the gateway refused or is not configured: the deadline worker tries again
    REFUND_OWED = "refund_owed"


def deposit_id(lot_id: UUID, organisation_id: UUID) -> UUID:
    """One deposit per lot and bidder; also the id the payment gateway knows it by."""
    return natural_id("auction-deposit", f"{lot_id}:{organisation_id}")


def auction_contract_id(lot_id: UUID) -> UUID:
    """The id of the contract a lot's close drafts for its winner (read models tell auction prices by it)."""
    return natural_id("auction-contract", str(lot_id))


def payment_key(gateway: str, provider_payment_id: str) -> str:
    """How a lot knows one provider payment (a PaymentIntent, a bank transfer's reference)."""
    return f"{gateway}:{provider_payment_id}"


def deposit_amount(start_price: int, rate: int) -> int:
    """The deposit: ``rate`` basis points of the starting price, rounded up to the fen (never 0)."""
    return max(1, -(-start_price * rate // 10_000))


def check_bid(*, amount: int, start: int, increment: int, current: int | None) -> None:
    """The amount rule: at least the start (first bid) or the current price plus the increment, and a whole
    multiple of the increment above the start."""
    least = start if current is None else current + increment
    if amount < least:
        raise ValidationError(f"amount: at least {least}", field="amount", code="auction.bid_too_low", least=least)
    if (amount - start) % increment:
        raise ValidationError(f"amount: the start plus a whole multiple of the increment {increment}",
                              field="amount", code="auction.bid_step", increment=increment)
    if amount > MONEY_LIMIT:
        raise ValidationError(f"amount: at most {MONEY_LIMIT} fen", field="amount", code="auction.money", least=0,
                              most=MONEY_LIMIT)


def proxy_answer(*, leader: K | None, current: int | None, start: int, increment: int,
                 proxies: Mapping[K, Mapping[str, Any]]) -> tuple[K, int] | None:
    """The next bid the proxies place, as (bidder, amount), or ``None`` when none can better the leader.

    The strongest challenger (highest maximum, then the earliest set: lowest ``order``) bids just above what the
    leader's own maximum can answer; a leader whose maximum covers the challenger's raises itself to it. The rule
    of :meth:`Lot._answer_proxies`, and of the verifier (``domain.auctions.verify``) replaying a lot's events.
    """
    least = start if current is None else current + increment
    challengers = [(int(p["maximum"]), -int(p["order"]), org) for org, p in proxies.items()
                   if org != leader and int(p["maximum"]) >= least]
    if not challengers:
        return None
    top, order, challenger = max(challengers)
    mine = proxies.get(leader) if leader is not None else None
    if leader is not None and mine is not None and (
            int(mine["maximum"]) > top or (int(mine["maximum"]) == top and -int(mine["order"]) > order)):
        return leader, top
    ceiling = int(mine["maximum"]) if mine is not None else (current or 0)
    amount = least if current is None else min(top, max(least, ceiling + increment))
    return challenger, amount


def _reveal_window(auction_format: str, closes_at: datetime, reveal_closes_at: datetime | None) -> str:
    """A sealed lot's end of reveal as stored ("" for a timed lot); refuses a window too short or too long."""
    try:
        sealed = LotFormat(auction_format) != LotFormat.TIMED
    except ValueError:
        raise ValidationError("auction_format: timed, sealed_first_price or sealed_second_price",
                              field="auction_format", code="choice") from None
    if not sealed:
        if reveal_closes_at is not None:
            raise ValidationError("reveal_closes_at: only a sealed lot has a reveal window", field="reveal_closes_at",
                                  code="auction.window")
        return ""
    if reveal_closes_at is None or reveal_closes_at.tzinfo is None or closes_at.tzinfo is None or not (
            closes_at + REVEAL_LEAST <= reveal_closes_at <= closes_at + REVEAL_MOST):
        raise ValidationError("reveal_closes_at: a sealed lot's reveal window ends 10 minutes to 14 days after its "
                              "commit deadline (give the time zone)", field="reveal_closes_at", code="auction.window")
    return reveal_closes_at.isoformat()


def _money(value: int, field: str, *, least: int = 0) -> int:
    if not least <= value <= MONEY_LIMIT:
        raise ValidationError(f"{field}: between {least} and {MONEY_LIMIT} fen", field=field, code="auction.money",
                              least=least, most=MONEY_LIMIT)
    return value


class Lot(Aggregate):
    """One listing auctioned in a session: terms, consent, deposits, the bids in order and the result."""

    class Proposed(Aggregate.Created):
        session_id: UUID
        listing_id: UUID
        patent_id: UUID
        seller_organisation_id: UUID
        kind: str
        currency: str
        start_price: int
        reserve: int
        reserve_shown: bool
        increment: int
        opens_at: str
        closes_at: str
        deposit: int
        by: UUID
        #: ``timed`` (lots proposed before sealed bids existed), ``sealed_first_price`` or ``sealed_second_price``
        auction_format: str = LotFormat.TIMED.value
        #: a sealed lot's end of the reveal window ("" for a timed lot); ``closes_at`` is its commit deadline
        reveal_closes_at: str = ""

    @event(Proposed)
    def __init__(self, id: UUID, session_id: UUID, listing_id: UUID, patent_id: UUID, seller_organisation_id: UUID,
                 kind: str, currency: str, start_price: int, reserve: int, reserve_shown: bool, increment: int,
                 opens_at: str, closes_at: str, deposit: int, by: UUID, auction_format: str = LotFormat.TIMED.value,
                 reveal_closes_at: str = "") -> None:
        self.auction_format = auction_format
        self.reveal_closes_at = reveal_closes_at
        self.session_id = session_id
        self.listing_id = listing_id
        self.patent_id = patent_id
        self.seller_organisation_id = seller_organisation_id
        self.kind = kind
        self.currency = currency
        self.start_price = start_price
        self.reserve = reserve
        self.reserve_shown = reserve_shown
        self.increment = increment
        self.opens_at = opens_at
        self.closes_at = closes_at
        self.deposit = deposit
        self.status = LotStatus.PROPOSED.value
        #: who proposed the lot (told if its owner declines it)
        self.proposed_by = by
        #: organisation id → {number, status, amount, gateway, provider_payment_id}
        self.deposits: dict[UUID, dict[str, Any]] = {}
        #: accepted bids in order: {organisation_id, number, amount, at}
        self.bids: list[dict[str, Any]] = []
        self.winner: UUID | None = None
        self.contract_id: UUID | None = None

    @classmethod
    def propose(cls, *, lot_id: UUID, session_id: UUID, listing_id: UUID, patent_id: UUID, seller_organisation_id: UUID,
                kind: str, currency: str, start_price: int, reserve: int, reserve_shown: bool, increment: int,
                opens_at: datetime, closes_at: datetime, deposit_rate: int, now: datetime, by: UUID,
                auction_format: str = LotFormat.TIMED.value, reveal_closes_at: datetime | None = None) -> Lot:
        try:
            kind = LotKind(kind).value
        except ValueError:
            raise ValidationError("kind: assignment or exclusive_licence", field="kind", code="choice") from None
        reveal = _reveal_window(auction_format, closes_at, reveal_closes_at)
        _money(start_price, "start_price", least=1)
        _money(reserve, "reserve")
        _money(increment, "increment", least=1)
        if opens_at.tzinfo is None or closes_at.tzinfo is None:
            raise ValidationError("opens_at: give the time zone", field="opens_at", code="auction.window")
        if not now - timedelta(minutes=1) <= opens_at < closes_at <= opens_at + WINDOW_MOST:
            raise ValidationError("closes_at: the window opens now or later and closes after it opens, within 60 "
                                  "days", field="closes_at", code="auction.window")
        return cls(id=lot_id, session_id=session_id, listing_id=listing_id, patent_id=patent_id,
                   seller_organisation_id=seller_organisation_id, kind=kind, currency=currency,
                   start_price=start_price, reserve=reserve, reserve_shown=reserve_shown, increment=increment,
                   opens_at=opens_at.isoformat(), closes_at=closes_at.isoformat(),
                   deposit=deposit_amount(start_price, deposit_rate), by=by, auction_format=auction_format,
                   reveal_closes_at=reveal)

    # --- reading -------------------------------------------------------------------------------------
    @property
    def closes(self) -> datetime:
        return datetime.fromisoformat(self.closes_at)

    @property
    def opens(self) -> datetime:
        return datetime.fromisoformat(self.opens_at)

    @property
    def current(self) -> int | None:
        return int(self.bids[-1]["amount"]) if self.bids else None

    @property
    def leader(self) -> UUID | None:
        return UUID(str(self.bids[-1]["organisation_id"])) if self.bids else None

    @property
    def finished(self) -> bool:
        return self.status in (LotStatus.SOLD.value, LotStatus.UNSOLD.value, LotStatus.FORFEITED.value,
                               LotStatus.SELLER_DEFAULT.value, LotStatus.UNWOUND.value)

    # --- what the audit's replay shows (``marketplace.audit.replay``) -------------------------------------
    def audit_extras(self) -> dict[str, Any]:
        """State the plain fields leave out (it is kept under ``_`` names): each bidder's proxy maximum and sealed
        commitment, shown to auditors, their secret parts withheld while the lot is open (:meth:`audit_withhold`)."""
        return {"proxies": self.proxies, "commitments": self.commitments}

    @property
    def audit_open(self) -> bool:
        """Whether the audit withholds the secret parts of this lot: until it has closed."""
        return "_closed_at" not in self.__dict__ and not self.finished

    @staticmethod
    def audit_withhold(fields: dict[str, Any]) -> dict[str, Any]:
        """``fields`` (plain values) with the proxy maxima, revealed amounts and salts replaced by :data:`WITHHELD`."""
        secret = {"proxies": ("maximum",), "commitments": ("amount", "salt")}
        out = dict(fields)
        for name, keys in secret.items():
            held = fields.get(name)
            if isinstance(held, dict):
                out[name] = {who: {k: WITHHELD if k in keys and v is not None else v for k, v in entry.items()}
                             if isinstance(entry, dict) else entry for who, entry in held.items()}
        return out

    # --- consent ----------------------------------------------------------------------------------------
    def _owner(self, organisation_id: UUID) -> None:
        if organisation_id != self.seller_organisation_id:
            raise PermissionDeniedError("lot_id: only the listing's owner consents to its lot", field="lot_id",
                                        code="auction.not_owner")

    def consent(self, *, organisation_id: UUID, by: UUID, now: datetime | None = None) -> bool:
        """The owner agrees to the lot's terms; ``False`` (nothing recorded) when it consented already. Refused
        once it declined the lot, and once the lot's bidding window has opened (``now``; ``CONSENT_GRACE`` for a lot
        proposed to open at once): bidders could not have paid a deposit for a lot that was not yet consented."""
        self._owner(organisation_id)
        if self.status == LotStatus.DECLINED.value:
            raise ConflictError("lot_id: the owner declined this lot", field="lot_id", code="auction.declined")
        if self.status != LotStatus.PROPOSED.value:
            return False
        if now is not None and now > self.opens + CONSENT_GRACE:
            raise ConflictError("lot_id: the lot's bidding window has opened; it can no longer be consented",
                                field="lot_id", code="auction.consent_late", opens_at=self.opens_at)
        self._consented(by=by)
        return True

    @event("Consented")
    def _consented(self, by: UUID) -> None:
        self.status = LotStatus.READY.value

    def decline(self, *, organisation_id: UUID, reason: str, now: datetime, by: UUID,
                runner_organisation_id: UUID | None = None) -> bool:
        """The owner declines a proposed lot, saying why; the runner is told (``runner_organisation_id``: the agency
        running the session, none for the platform: then whoever proposed it). ``False`` (nothing recorded) when
        it was declined already; refused once consented."""
        self._owner(organisation_id)
        if self.status == LotStatus.DECLINED.value:
            return False
        if self.status != LotStatus.PROPOSED.value:
            raise ConflictError(f"lot_id: the lot is {self.status}", field="lot_id", code="auction.lot_state",
                                lot_status=self.status)
        text = checked(reason, "reason", "lines").strip()
        if not text:
            raise ValidationError("reason: say why you decline the lot", field="reason", code="required")
        if len(text) > DECLINE_REASON_LIMIT:
            raise ValidationError(f"reason: at most {DECLINE_REASON_LIMIT} characters", field="reason",
                                  code="too_long", most=DECLINE_REASON_LIMIT)
        self._declined(reason=text, by=by, at=now.isoformat(), runner_organisation_id=runner_organisation_id,
                       proposed_by=self.proposed_by)
        return True

    @event("Declined")
    def _declined(self, reason: str, by: UUID, at: str = "", runner_organisation_id: UUID | None = None,
                  proposed_by: UUID | None = None) -> None:
        self.status = LotStatus.DECLINED.value

    # --- deposits ------------------------------------------------------------------------------------
    def _ready(self) -> None:
        if self.status != LotStatus.READY.value:
            raise ConflictError(f"lot_id: the lot is {self.status}", field="lot_id", code="auction.lot_state",
                                lot_status=self.status)

    def require_deposit_open(self, organisation_id: UUID, now: datetime) -> None:
        self._ready()
        if organisation_id == self.seller_organisation_id:
            raise PermissionDeniedError("lot_id: the owner does not bid on its own lot", field="lot_id",
                                        code="auction.own_lot")
        if now >= self.closes:
            raise ConflictError("lot_id: bidding has closed", field="lot_id", code="auction.closed")

    def deposit_started(self, *, organisation_id: UUID, bidder_number: int, gateway: str, provider_payment_id: str,
                        by: UUID) -> None:
        self._deposit_started(organisation_id=organisation_id, bidder_number=bidder_number, amount=self.deposit,
                              reference=payment_reference(deposit_id(self.id, organisation_id)), gateway=gateway,
                              provider_payment_id=provider_payment_id, by=by)

    @event("DepositStarted")
    def _deposit_started(self, organisation_id: UUID, bidder_number: int, amount: int, reference: str, gateway: str,
                         provider_payment_id: str, by: UUID) -> None:
        self.deposits[organisation_id] = {"number": bidder_number, "status": DepositStatus.PENDING.value,
                                          "amount": amount, "gateway": gateway,
                                          "provider_payment_id": provider_payment_id}

    def receive_deposit(self, *, organisation_id: UUID, amount: int, gateway: str, provider_payment_id: str,
                        by: UUID) -> bool:
        """Money in for a bidder's deposit. The first payment is the deposit (counted once); a second payment of
        the same deposit (another gateway, another card payment, a bank receipt after the card paid, or money
        after the deposit went back) is recorded as such (``DepositPaidTwice``), never counted, and is for the
        caller to refund at once through its own gateway. ``False``: this very payment was recorded already."""
        found = self.deposits.get(organisation_id)
        if found is None:
            raise ConflictError("organisation_id: no deposit was started for this bidder", field="organisation_id",
                                code="auction.no_deposit")
        if payment_key(gateway, provider_payment_id) in self.second_payments:
            return False
        if found["status"] != DepositStatus.PENDING.value:
            if (found["gateway"], found["provider_payment_id"]) == (gateway, provider_payment_id):
                return False  # the payment that paid the deposit, reported again
            if not 0 < amount <= MONEY_LIMIT:
                raise ValidationError(f"amount: between 1 and {MONEY_LIMIT} fen", field="amount",
                                      code="auction.money", least=1, most=MONEY_LIMIT)
            self._deposit_paid_twice(organisation_id=organisation_id, amount=amount, gateway=gateway,
                                     provider_payment_id=provider_payment_id, deposit_status=str(found["status"]),
                                     by=by)
            return True
        if amount != found["amount"]:
            raise ValidationError(f"amount: {found['amount']} is due, not {amount}", field="amount",
                                  code="payment.amount_due", due=found["amount"], given=amount)
        self._deposit_received(organisation_id=organisation_id, amount=amount, gateway=gateway,
                               provider_payment_id=provider_payment_id, by=by)
        return True

    # --- second payments of a deposit (refunded at once, never counted) -------------------------------
    @property
    def second_payments(self) -> dict[str, dict[str, Any]]:
        """``gateway:provider payment id`` → {organisation_id, amount, gateway, provider_payment_id, status}
        (``received``, ``refunded`` or ``refund_owed``) of payments made for a deposit already paid."""
        found: dict[str, dict[str, Any]] = self.__dict__.setdefault("_second_payments", {})
        return found

    @property
    def second_refunds_due(self) -> list[str]:
        """The second payments not refunded yet (received, or owed after the gateway refused)."""
        return [key for key, p in self.second_payments.items() if p["status"] != DepositStatus.REFUNDED.value]

    @event("DepositPaidTwice")
    def _deposit_paid_twice(self, organisation_id: UUID, amount: int, gateway: str, provider_payment_id: str,
                            deposit_status: str, by: UUID) -> None:
        self.second_payments[payment_key(gateway, provider_payment_id)] = {
            "organisation_id": organisation_id, "amount": amount, "gateway": gateway,
            "provider_payment_id": provider_payment_id, "status": DepositStatus.RECEIVED.value}

    def refund_second_payment(self, *, key: str, provider_refund_id: str, by: UUID) -> None:
        held = self.second_payments[key]
        self._second_payment_refunded(organisation_id=held["organisation_id"], amount=int(held["amount"]),
                                      gateway=str(held["gateway"]),
                                      provider_payment_id=str(held["provider_payment_id"]),
                                      provider_refund_id=provider_refund_id, by=by)

    @event("SecondPaymentRefunded")
    def _second_payment_refunded(self, organisation_id: UUID, amount: int, gateway: str, provider_payment_id: str,
                                 provider_refund_id: str, by: UUID) -> None:
        self.second_payments[payment_key(gateway, provider_payment_id)]["status"] = DepositStatus.REFUNDED.value

    def owe_second_refund(self, *, key: str, reason: str, by: UUID) -> bool:
        """The gateway refused (or is gone): the second payment is owed back, retried by the deadline worker;
        ``False`` when recorded as owed already."""
        held = self.second_payments[key]
        if held["status"] == DepositStatus.REFUND_OWED.value:
            return False
        self._second_payment_refund_owed(organisation_id=held["organisation_id"], amount=int(held["amount"]),
                                         gateway=str(held["gateway"]),
                                         provider_payment_id=str(held["provider_payment_id"]), reason=reason[:200],
                                         by=by)
        return True

    @event("SecondPaymentRefundOwed")
    def _second_payment_refund_owed(self, organisation_id: UUID, amount: int, gateway: str,
                                    provider_payment_id: str, reason: str, by: UUID) -> None:
        self.second_payments[payment_key(gateway, provider_payment_id)]["status"] = DepositStatus.REFUND_OWED.value

    @event("DepositReceived")
    def _deposit_received(self, organisation_id: UUID, amount: int, gateway: str, provider_payment_id: str,
                          by: UUID) -> None:
        self.deposits[organisation_id]["status"] = DepositStatus.RECEIVED.value
        self.deposits[organisation_id]["gateway"] = gateway
        self.deposits[organisation_id]["provider_payment_id"] = provider_payment_id

    def refund_deposit(self, *, organisation_id: UUID, provider_refund_id: str, by: UUID) -> None:
        self._deposit_refunded(organisation_id=organisation_id, amount=int(self.deposits[organisation_id]["amount"]),
                               provider_refund_id=provider_refund_id, by=by)

    @event("DepositRefunded")
    def _deposit_refunded(self, organisation_id: UUID, amount: int, provider_refund_id: str, by: UUID) -> None:
        self.deposits[organisation_id]["status"] = DepositStatus.REFUNDED.value

    def owe_refund(self, *, organisation_id: UUID, reason: str, by: UUID) -> bool:
        """A refund the gateway refused (or that has no configured gateway) is owed: recorded once, retried by the
        deadline worker; ``False`` when it was recorded as owed already."""
        if self.deposits[organisation_id]["status"] == DepositStatus.REFUND_OWED.value:
            return False
        self._deposit_refund_owed(organisation_id=organisation_id,
                                  amount=int(self.deposits[organisation_id]["amount"]), reason=reason[:200], by=by)
        return True

    @event("DepositRefundOwed")
    def _deposit_refund_owed(self, organisation_id: UUID, amount: int, reason: str, by: UUID) -> None:
        self.deposits[organisation_id]["status"] = DepositStatus.REFUND_OWED.value

    @property
    def refunds_owed(self) -> list[UUID]:
        return [org for org, d in self.deposits.items() if d["status"] == DepositStatus.REFUND_OWED.value]

    # --- bids ----------------------------------------------------------------------------------------
    def _may_bid(self, organisation_id: UUID, now: datetime) -> dict[str, Any]:
        self._ready()
        if now < self.opens:
            raise ConflictError("lot_id: bidding has not opened yet", field="lot_id", code="auction.not_open",
                                opens_at=self.opens_at)
        if now >= self.closes:
            raise ConflictError("lot_id: bidding has closed", field="lot_id", code="auction.closed")
        found = self.deposits.get(organisation_id)
        if found is None or found["status"] != DepositStatus.RECEIVED.value:
            raise PermissionDeniedError("lot_id: your deposit for this lot has not been received", field="lot_id",
                                        code="auction.deposit_needed")
        if len(self.bids) >= BIDS_LIMIT:
            raise ConflictError("lot_id: the lot takes no more bids", field="lot_id", code="auction.full",
                                most=BIDS_LIMIT)
        return found

    @property
    def least(self) -> int:
        """The smallest bid the lot takes now."""
        return self.start_price if self.current is None else self.current + self.increment

    def bid(self, *, organisation_id: UUID, amount: int, now: datetime, by: UUID) -> None:
        """Accept a bid at the server's ``now`` or refuse it; a bid in the soft-close window extends the end.
        Proxy bids of other bidders then answer it."""
        self._format(sealed=False)
        found = self._may_bid(organisation_id, now)
        if self.leader == organisation_id:
            raise ConflictError("amount: you hold the highest bid already", field="amount", code="auction.own_bid")
        check_bid(amount=amount, start=self.start_price, increment=self.increment, current=self.current)
        if any(org != organisation_id and p["maximum"] == amount for org, p in self.proxies.items()):
            # Equal maxima: the earlier holds. A proxy maximum set before this bid already stands at this amount,
            # so the proxy keeps the lead; it cannot say so by bidding the same amount again (the log is strictly
            # ascending), so the bid is refused, naming the least amount that takes the lead.
            least = amount + self.increment
            raise ValidationError(f"amount: an earlier maximum holds at {amount}; at least {least}", field="amount",
                                  code="auction.bid_too_low", least=least)
        self._place(organisation_id, int(found["number"]), amount, now, by, proxy=False)
        self._answer_proxies(now)

    def _place(self, organisation_id: UUID, number: int, amount: int, now: datetime, by: UUID, *, proxy: bool) -> None:
        closes = self.closes + SOFT_CLOSE if self.closes - now <= SOFT_CLOSE else self.closes
        self._bid_placed(organisation_id=organisation_id, bidder_number=number, amount=amount, at=now.isoformat(),
                         closes_at=closes.isoformat(), by=by, proxy=proxy)

    @event("BidPlaced")
    def _bid_placed(self, organisation_id: UUID, bidder_number: int, amount: int, at: str, closes_at: str,
                    by: UUID, proxy: bool = False) -> None:
        self.bids.append({"organisation_id": organisation_id, "number": bidder_number, "amount": amount, "at": at})
        self.closes_at = closes_at

    # --- proxy bids (a hidden maximum that bids for its bidder) --------------------------------------
    @property
    def proxies(self) -> dict[UUID, dict[str, Any]]:
        """Each bidder's latest maximum and the order it was set in (ties go to the earlier one)."""
        found: dict[UUID, dict[str, Any]] = self.__dict__.setdefault("_proxies", {})
        return found

    def set_proxy(self, *, organisation_id: UUID, maximum: int, now: datetime, by: UUID) -> None:
        """Set (or raise) the bidder's maximum; it bids at once where it can, then answers others' bids by the
        smallest raise that keeps it ahead, up to the maximum (proxy bids extend the close like any bid)."""
        self._format(sealed=False)
        self._may_bid(organisation_id, now)
        held = self.proxies.get(organisation_id)
        floor = (held["maximum"] if held else (self.current or 0)) + 1 if self.leader == organisation_id else self.least
        if maximum < floor:
            raise ValidationError(f"maximum: at least {floor}", field="maximum", code="auction.bid_too_low",
                                  least=floor)
        check_bid(amount=maximum, start=self.start_price, increment=self.increment, current=None)
        self._proxy_set(organisation_id=organisation_id, maximum=maximum, by=by)
        self._answer_proxies(now)

    @event("ProxySet")
    def _proxy_set(self, organisation_id: UUID, maximum: int, by: UUID) -> None:
        self.proxies[organisation_id] = {"maximum": maximum, "order": len(self.proxies) + len(self.bids)}

    def _answer_proxies(self, now: datetime) -> None:
        """Let proxies bid until none can better the leader (:func:`proxy_answer` says each bid)."""
        while len(self.bids) < BIDS_LIMIT:
            answer = proxy_answer(leader=self.leader, current=self.current, start=self.start_price,
                                  increment=self.increment, proxies=self.proxies)
            if answer is None:
                return
            organisation_id, amount = answer
            self._place(organisation_id, self._number(organisation_id), amount, now, SYSTEM_BIDDER, proxy=True)

    def _number(self, organisation_id: UUID) -> int:
        return int(self.deposits[organisation_id]["number"])

    # --- the hammer ----------------------------------------------------------------------------------
    def outcome(self, now: datetime) -> tuple[UUID | None, int | None]:
        """The winner and price at the close: the highest bid if it meets the reserve, else nobody."""
        if self.sealed:
            return self._sealed_outcome(now)
        self._ready()
        if now < self.closes:
            raise ConflictError("lot_id: bidding is still open", field="lot_id", code="auction.still_open",
                                closes_at=self.closes_at)
        if self.current is not None and self.current >= self.reserve:
            return self.leader, self.current
        return None, None

    def close(self, *, now: datetime, contract_id: UUID | None, by: UUID, refused: str | None = None,
              settle_by: datetime | None = None) -> None:
        """Record the hammer; ``refused``: why the winner's contract could not be drafted (then no sale);
        ``settle_by``: when the winner must have signed and paid (the session's term), else it forfeits."""
        winner, price = self.outcome(now)
        if self.sealed:
            self._forfeit_unrevealed(by)
        reason = "sold" if winner else ("reserve_not_met" if self.bids or self.valid_reveals else "no_bids")
        if refused is not None:
            winner, price, reason = None, None, f"not_contracted:{refused}"
        self._closed(at=now.isoformat(), winner_organisation_id=winner, price=price, contract_id=contract_id,
                     outcome=reason, by=by,
                     settle_by=settle_by.isoformat() if settle_by is not None and winner is not None else None)

    @event("Closed")
    def _closed(self, at: str, winner_organisation_id: UUID | None, price: int | None, contract_id: UUID | None,
                outcome: str, by: UUID, settle_by: str | None = None) -> None:
        self.status = LotStatus.SOLD.value if winner_organisation_id else LotStatus.UNSOLD.value
        self.winner = winner_organisation_id
        self.contract_id = contract_id
        self.__dict__["_closed_at"] = at
        self.__dict__["_settle_by"] = settle_by

    def apply_deposit(self, *, organisation_id: UUID, contract_id: UUID, by: UUID) -> None:
        self._deposit_applied(organisation_id=organisation_id, amount=int(self.deposits[organisation_id]["amount"]),
                              contract_id=contract_id, by=by)

    @event("DepositApplied")
    def _deposit_applied(self, organisation_id: UUID, amount: int, contract_id: UUID, by: UUID) -> None:
        self.deposits[organisation_id]["status"] = DepositStatus.APPLIED.value

    @property
    def deposit_paid_in(self) -> bool:
        """The winner's deposit has paid the contract's deposit instalment (``DepositPaidIn``)."""
        return bool(self.__dict__.get("_deposit_paid_in"))

    def pay_in_deposit(self, *, obligation_id: UUID, by: UUID) -> None:
        if self.winner is None or self.deposit_paid_in:
            raise ConflictError("lot_id: no deposit to pay in", field="lot_id", code="auction.deposit_state")
        self._deposit_paid_in(organisation_id=self.winner, amount=int(self.deposits[self.winner]["amount"]),
                              obligation_id=obligation_id, by=by)

    @event("DepositPaidIn")
    def _deposit_paid_in(self, organisation_id: UUID, amount: int, obligation_id: UUID, by: UUID) -> None:
        self.__dict__["_deposit_paid_in"] = True

    # --- the winner's term (after the hammer) --------------------------------------------------------
    @property
    def settle_by(self) -> datetime | None:
        """When the winner must have signed and paid: recorded with the close (lots closed before the term
        was recorded: the default term from their close)."""
        recorded = self.__dict__.get("_settle_by")
        if recorded:
            return datetime.fromisoformat(str(recorded))
        closed_at = self.__dict__.get("_closed_at")
        if self.winner is None or not closed_at:
            return None
        return settle_deadline(datetime.fromisoformat(str(closed_at)), SETTLE_DAYS_DEFAULT)

    def _term_over(self, now: datetime, contract_in_force: bool) -> UUID:
        """The winner, once its term has run out without the contract coming into force."""
        if self.status != LotStatus.SOLD.value or self.winner is None or self.contract_id is None:
            raise ConflictError(f"lot_id: the lot is {self.status}", field="lot_id", code="auction.lot_state",
                                lot_status=self.status)
        deadline = self.settle_by
        if deadline is None or now < deadline:
            raise ConflictError("lot_id: the winner's term to sign and pay still runs", field="lot_id",
                                code="auction.term_runs", until=deadline.isoformat() if deadline else "")
        if contract_in_force or self.deposit_paid_in:
            raise ConflictError("lot_id: the winner has paid", field="lot_id", code="auction.winner_paid")
        return self.winner

    def forfeit(self, *, now: datetime, contract_in_force: bool, by: UUID) -> None:
        """The winner did not sign, or did not pay once all signed, by ``settle_by`` (the buyer's fault): its
        deposit is kept (not refunded) and the lot is not sold. Refused while the term runs, once the contract is
        in force (paid) and after a forfeit."""
        winner = self._term_over(now, contract_in_force)
        held = self.deposits.get(winner) or {}
        assert self.contract_id is not None
        self._winner_forfeited(organisation_id=winner, amount=int(held.get("amount", 0)),
                               contract_id=self.contract_id, at=now.isoformat(), by=by)

    def seller_defaulted(self, *, now: datetime, contract_in_force: bool, reason: str, by: UUID,
                         certain: bool = False) -> UUID:
        """The seller's side is at fault (did not sign or consent by ``settle_by``, or ended the contract): no
        sale, and the winner's deposit is to be refunded (the caller refunds it); returns the winner.
        ``certain``: the seller's side (or the platform) ended the contract, so nothing the winner does can
        mend it: settled at once, without waiting for the term."""
        if certain:
            if self.status != LotStatus.SOLD.value or self.winner is None or self.contract_id is None:
                raise ConflictError(f"lot_id: the lot is {self.status}", field="lot_id", code="auction.lot_state",
                                    lot_status=self.status)
            if contract_in_force or self.deposit_paid_in:
                raise ConflictError("lot_id: the winner has paid", field="lot_id", code="auction.winner_paid")
            winner = self.winner
        else:
            winner = self._term_over(now, contract_in_force)
        held = self.deposits.get(winner) or {}
        assert self.contract_id is not None
        self._seller_defaulted(organisation_id=winner, amount=int(held.get("amount", 0)),
                               contract_id=self.contract_id, reason=reason, at=now.isoformat(), by=by)
        return winner

    @event("SellerDefaulted")
    def _seller_defaulted(self, organisation_id: UUID, amount: int, contract_id: UUID, reason: str, at: str,
                          by: UUID) -> None:
        self.status = LotStatus.SELLER_DEFAULT.value

    @event("WinnerForfeited")
    def _winner_forfeited(self, organisation_id: UUID, amount: int, contract_id: UUID, at: str, by: UUID) -> None:
        self.status = LotStatus.FORFEITED.value
        if organisation_id in self.deposits:
            self.deposits[organisation_id]["status"] = DepositStatus.FORFEITED.value

    def unwind_forfeit(self, *, paid_at: datetime, obligation_id: UUID, now: datetime, by: UUID) -> UUID:
        """The winner's payment succeeded at the provider at ``paid_at``, within its term, but reached the
        platform after the forfeit: the forfeit is undone (the lot ends unsold, ``unwound``) and the winner's
        deposit is to be refunded (the caller refunds it; its contract stays ended, the payment goes back).
        Refused unless the lot was forfeited and the payment was in time; returns the winner."""
        deadline = self.settle_by
        if self.status != LotStatus.FORFEITED.value or self.winner is None or self.contract_id is None:
            raise ConflictError(f"lot_id: the lot is {self.status}", field="lot_id", code="auction.lot_state",
                                lot_status=self.status)
        if deadline is None or paid_at >= deadline:
            raise ConflictError("lot_id: the winner paid after its term", field="lot_id", code="auction.paid_late")
        held = self.deposits.get(self.winner) or {}
        self._forfeit_unwound(organisation_id=self.winner, amount=int(held.get("amount", 0)),
                              contract_id=self.contract_id, obligation_id=obligation_id, paid_at=paid_at.isoformat(),
                              at=now.isoformat(), by=by)
        return self.winner

    @event("ForfeitUnwound")
    def _forfeit_unwound(self, organisation_id: UUID, amount: int, contract_id: UUID, obligation_id: UUID,
                         paid_at: str, at: str, by: UUID) -> None:
        self.status = LotStatus.UNWOUND.value
        if organisation_id in self.deposits:
            self.deposits[organisation_id]["status"] = DepositStatus.RECEIVED.value  # held again, to go back


    # --- sealed bids: commit, reveal, forfeit (``domain.auctions.sealed`` states the encoding and the rule) ----
    @property
    def sealed(self) -> bool:
        return str(self.__dict__.get("auction_format", LotFormat.TIMED.value)) != LotFormat.TIMED.value

    @property
    def reveal_closes(self) -> datetime:
        return datetime.fromisoformat(str(self.reveal_closes_at))

    @property
    def commitments(self) -> dict[UUID, dict[str, Any]]:
        """Each bidder's commitment in commitment order: {number, commitment, at, order} and, once revealed,
        {amount, salt, revealed_at}; ``forfeited`` once its deposit was forfeited for want of a reveal."""
        found: dict[UUID, dict[str, Any]] = self.__dict__.setdefault("_commitments", {})
        return found

    @property
    def valid_reveals(self) -> list[tuple[int, UUID, int]]:
        """(commitment order, bidder, amount) of the revealed bids at least the starting price."""
        return [(int(c["order"]), org, int(c["amount"])) for org, c in self.commitments.items()
                if c.get("amount") is not None and self.start_price <= int(c["amount"]) <= MONEY_LIMIT]

    def phase(self, now: datetime) -> str:
        """``proposed``, ``upcoming``, ``commit``, ``reveal`` (sealed) or ``bidding`` (timed), ``closing`` (over,
        not closed yet), ``closed``."""
        if self.finished:
            return "closed"
        if self.status in (LotStatus.PROPOSED.value, LotStatus.DECLINED.value):
            return self.status
        if now < self.opens:
            return "upcoming"
        if now < self.closes:
            return "commit" if self.sealed else "bidding"
        if self.sealed and now < self.reveal_closes:
            return "reveal"
        return "closing"

    def _format(self, *, sealed: bool) -> None:
        if self.sealed != sealed:
            raise ConflictError(f"lot_id: the lot is sold by {self.auction_format}", field="lot_id",
                                code="auction.format", auction_format=self.auction_format)

    def commit_bid(self, *, organisation_id: UUID, commitment: str, now: datetime, by: UUID) -> bool:
        """Record a bidder's sealed commitment (one per bidder, before the commit deadline); ``False`` (nothing
        recorded) when the same commitment was recorded already."""
        self._format(sealed=True)
        found = self._may_bid(organisation_id, now)
        if not COMMITMENT_PATTERN.match(commitment):
            raise ValidationError("commitment: the SHA-256 digest, 64 lowercase hex digits", field="commitment",
                                  code="auction.commitment")
        held = self.commitments.get(organisation_id)
        if held is not None:
            if held["commitment"] == commitment:
                return False
            raise ConflictError("commitment: you committed a bid on this lot already", field="commitment",
                                code="auction.committed")
        self._bid_committed(organisation_id=organisation_id, bidder_number=int(found["number"]),
                            commitment=commitment, at=now.isoformat(), by=by)
        return True

    @event("BidCommitted")
    def _bid_committed(self, organisation_id: UUID, bidder_number: int, commitment: str, at: str, by: UUID) -> None:
        self.commitments[organisation_id] = {"number": bidder_number, "commitment": commitment, "at": at,
                                             "order": len(self.commitments)}

    def reveal_bid(self, *, organisation_id: UUID, amount: int, salt: str, now: datetime, by: UUID) -> bool:
        """Open a commitment in the reveal window: the digest of (lot, bidder number, amount, salt) must be the one
        committed. ``False`` (nothing recorded) when the same reveal was recorded already."""
        self._format(sealed=True)
        self._ready()
        if now < self.closes:
            raise ConflictError("lot_id: the reveal window opens at the commit deadline", field="lot_id",
                                code="auction.reveal_not_open", opens_at=self.closes_at)
        if now >= self.reveal_closes:
            raise ConflictError("lot_id: the reveal window has closed", field="lot_id", code="auction.reveal_closed")
        held = self.commitments.get(organisation_id)
        if held is None:
            raise ConflictError("lot_id: you committed no bid on this lot", field="lot_id",
                                code="auction.no_commitment")
        if not SALT_PATTERN.match(salt):
            raise ValidationError("salt: 32 to 128 lowercase hex digits", field="salt", code="auction.salt")
        if not 0 <= amount <= MONEY_LIMIT:
            raise ValidationError(f"amount: between 0 and {MONEY_LIMIT} fen", field="amount", code="auction.money",
                                  least=0, most=MONEY_LIMIT)
        if held.get("amount") is not None:
            if (held["amount"], held["salt"]) == (amount, salt):
                return False
            raise ConflictError("lot_id: your bid was revealed already", field="lot_id", code="auction.revealed")
        if commitment_of(self.id, int(held["number"]), amount, salt) != held["commitment"]:
            raise ValidationError("salt: this amount and salt do not give the digest you committed", field="salt",
                                  code="auction.reveal_mismatch")
        self._bid_revealed(organisation_id=organisation_id, bidder_number=int(held["number"]), amount=amount,
                           salt=salt, at=now.isoformat(), by=by)
        return True

    @event("BidRevealed")
    def _bid_revealed(self, organisation_id: UUID, bidder_number: int, amount: int, salt: str, at: str,
                      by: UUID) -> None:
        self.commitments[organisation_id].update(amount=amount, salt=salt, revealed_at=at)

    @property
    def unrevealed(self) -> list[UUID]:
        return [org for org, c in self.commitments.items() if c.get("amount") is None and not c.get("forfeited")]

    def remind_reveals(self, *, now: datetime, by: UUID) -> bool:
        """In the reveal window, name the bidders who committed and have not revealed (twice: when the window
        opens, and once half of it has passed); ``False`` when nothing is due."""
        if not self.sealed or self.status != LotStatus.READY.value or not self.closes <= now < self.reveal_closes:
            return False
        stage = 2 if now >= self.closes + (self.reveal_closes - self.closes) / 2 else 1
        if stage <= self.reminded or not self.unrevealed:
            return False
        self._reveal_reminded(stage=stage, organisation_ids=self.unrevealed, by=by)
        return True

    @property
    def reminded(self) -> int:
        return int(self.__dict__.get("_reminded", 0))

    @event("RevealReminded")
    def _reveal_reminded(self, stage: int, organisation_ids: list[UUID], by: UUID) -> None:
        self.__dict__["_reminded"] = stage

    def _sealed_outcome(self, now: datetime) -> tuple[UUID | None, int | None]:
        self._ready()
        if now < self.reveal_closes:
            raise ConflictError("lot_id: the reveal window is still open", field="lot_id", code="auction.still_open",
                                closes_at=self.reveal_closes_at)
        return sealed_result(self.valid_reveals, start=self.start_price, reserve=self.reserve,
                             second_price=self.auction_format == LotFormat.SECOND_PRICE.value, most=MONEY_LIMIT)

    def _forfeit_unrevealed(self, by: UUID) -> None:
        """At the close, each commitment never revealed forfeits its bidder's deposit (it is not refunded)."""
        for org in self.unrevealed:
            held = self.deposits.get(org)
            if held is not None and held["status"] == DepositStatus.RECEIVED.value:
                self._commitment_forfeited(organisation_id=org, bidder_number=int(held["number"]),
                                           amount=int(held["amount"]), by=by)

    @event("CommitmentForfeited")
    def _commitment_forfeited(self, organisation_id: UUID, bidder_number: int, amount: int, by: UUID) -> None:
        self.commitments[organisation_id]["forfeited"] = True
        self.deposits[organisation_id]["status"] = DepositStatus.FORFEITED.value

#: The winner's term to sign and pay, in Beijing days after the close's day (a session may set another).
SETTLE_DAYS_DEFAULT = 10
SETTLE_DAYS_MIN, SETTLE_DAYS_MAX = 1, 60


def settle_deadline(closed_at: datetime, days: int) -> datetime:
    """The end of the Beijing day ``days`` days after the close's Beijing day (midnight Beijing time)."""
    day = closed_at.astimezone(BEIJING).date() + timedelta(days=days + 1)
    return datetime.combine(day, time(0), BEIJING)
