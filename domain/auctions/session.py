"""An auction session (拍卖会): run by a platform admin or a transfer agency, it groups lots and registers bidders.

A bidder is a verified organisation that accepted the session's rules; it gets a bidder number (1, 2, …) that
stands for it in the public bid log. Deposits are paid per lot (``domain.auctions.lot``).
"""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.auctions.lot import SETTLE_DAYS_DEFAULT, SETTLE_DAYS_MAX, SETTLE_DAYS_MIN
from domain.shared.errors import ConflictError, PermissionDeniedError, ValidationError

#: The deposit as a share of a lot's starting price, in basis points (judicial online auctions: 5–20 %).
DEPOSIT_RATE_MIN, DEPOSIT_RATE_MAX, DEPOSIT_RATE_DEFAULT = 500, 2000, 1000
TITLE_LIMIT = 200
#: The rules every bidder accepts on registering (their version is recorded with the registration).
RULES_VERSION = "2026-12"
LOTS_LIMIT = 100
BIDDERS_LIMIT = 500


class AuctionSession(Aggregate):
    """A session of lots and the organisations registered to bid in it, each with its bidder number."""

    class Scheduled(Aggregate.Created):
        title_zh: str
        title_en: str
        deposit_rate: int
        by: UUID
        settle_days: int = SETTLE_DAYS_DEFAULT
        #: The transfer agency running the session; none: the platform runs it (and every session before this).
        organisation_id: UUID | None = None

    @event(Scheduled)
    def __init__(self, id: UUID, title_zh: str, title_en: str, deposit_rate: int, by: UUID,
                 settle_days: int = SETTLE_DAYS_DEFAULT, organisation_id: UUID | None = None) -> None:
        self.organisation_id = organisation_id
        self.title_zh = title_zh
        self.title_en = title_en
        self.deposit_rate = deposit_rate
        #: Beijing days after a lot's close within which its winner signs and pays, else forfeits its deposit.
        self.settle_days = settle_days
        self.lot_ids: list[UUID] = []
        #: organisation id → bidder number
        self.bidders: dict[UUID, int] = {}

    @classmethod
    def schedule(cls, *, session_id: UUID, title_zh: str, title_en: str, deposit_rate: int, by: UUID,
                 settle_days: int = SETTLE_DAYS_DEFAULT, organisation_id: UUID | None = None) -> AuctionSession:
        title_zh, title_en = title_zh.strip(), title_en.strip()
        if not (title_zh or title_en):
            raise ValidationError("title_zh: give the session a title in Chinese or English", field="title_zh",
                                  code="required")
        if max(len(title_zh), len(title_en)) > TITLE_LIMIT:
            raise ValidationError(f"title_zh: at most {TITLE_LIMIT} characters", field="title_zh", code="too_long",
                                  most=TITLE_LIMIT)
        if not DEPOSIT_RATE_MIN <= deposit_rate <= DEPOSIT_RATE_MAX:
            raise ValidationError("deposit_rate: between 5 % and 20 % of the starting price", field="deposit_rate",
                                  code="auction.deposit_rate", least=DEPOSIT_RATE_MIN, most=DEPOSIT_RATE_MAX)
        if not SETTLE_DAYS_MIN <= settle_days <= SETTLE_DAYS_MAX:
            raise ValidationError("settle_days: the winner's term is 1 to 60 days", field="settle_days",
                                  code="auction.settle_days", least=SETTLE_DAYS_MIN, most=SETTLE_DAYS_MAX)
        return cls(id=session_id, title_zh=title_zh, title_en=title_en, deposit_rate=deposit_rate, by=by,
                   settle_days=settle_days, organisation_id=organisation_id)

    def add_lot(self, lot_id: UUID, *, by: UUID) -> None:
        if lot_id in self.lot_ids:
            return
        if len(self.lot_ids) >= LOTS_LIMIT:
            raise ConflictError(f"session_id: a session holds at most {LOTS_LIMIT} lots", field="session_id",
                                code="auction.full", most=LOTS_LIMIT)
        self._lot_added(lot_id=lot_id, by=by)

    @event("LotAdded")
    def _lot_added(self, lot_id: UUID, by: UUID) -> None:
        self.lot_ids.append(lot_id)

    def register(self, *, organisation_id: UUID, rules_accepted: bool, by: UUID) -> bool:
        """Register a bidder; ``False`` (nothing recorded) when it is registered already."""
        if not rules_accepted:
            raise ValidationError("accept_rules: accept the session's rules to register", field="accept_rules",
                                  code="auction.rules")
        if self.organisation_id is not None and organisation_id == self.organisation_id:
            # 拍卖法 art. 22: the auctioneer may not bid in its own auction.
            raise PermissionDeniedError("session_id: the agency running the session does not bid in it",
                                        field="session_id", code="auction.runner_bids")
        if organisation_id in self.bidders:
            return False
        if len(self.bidders) >= BIDDERS_LIMIT:
            raise ConflictError("session_id: the session takes no more bidders", field="session_id",
                                code="auction.full", most=BIDDERS_LIMIT)
        self._registered(organisation_id=organisation_id, bidder_number=len(self.bidders) + 1,
                         rules_version=RULES_VERSION, by=by)
        return True

    @event("BidderRegistered")
    def _registered(self, organisation_id: UUID, bidder_number: int, rules_version: str, by: UUID) -> None:
        self.bidders[organisation_id] = bidder_number

    def bidder_number(self, organisation_id: UUID) -> int:
        number = self.bidders.get(organisation_id)
        if number is None:
            raise ConflictError("session_id: register for the session (and accept its rules) first",
                                field="session_id", code="auction.not_registered")
        return number
