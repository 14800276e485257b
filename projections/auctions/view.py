"""Auctions read model, writing side: ``auction_*`` tables (migrations 0037, 0042-0044, 0047), from the events
alone."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from psycopg import Cursor
from psycopg.rows import DictRow

from domain.auctions.lot import SETTLE_DAYS_DEFAULT, Lot, settle_deadline
from domain.auctions.session import AuctionSession
from projections.deals.view import handler_key
from projections.shared.base import PostgresReadModelView
from projections.shared.records import EventRecord, plain
from projections.shared.topics import event_topics

Handler = Callable[[Cursor[DictRow], EventRecord], None]


def _deposit(curs: Cursor[DictRow], r: EventRecord, status: str) -> None:
    curs.execute("UPDATE auction_deposits SET status = %s, updated_at = %s WHERE lot_id = %s AND organisation_id = %s",
                 (status, r.timestamp, r.originator_id, plain(r.data["organisation_id"])))


class PostgresAuctionsView(PostgresReadModelView):
    name = "auctions"
    tables = ("auction_sessions", "auction_bidders", "auction_lots", "auction_deposits", "auction_bids",
              "auction_commitments", "auction_second_payments")
    topics = (event_topics(AuctionSession, "Scheduled", "BidderRegistered")
              | event_topics(Lot, "Proposed", "Consented", "Declined", "DepositStarted", "DepositReceived",
                            "DepositRefunded", "DepositApplied", "BidPlaced", "Closed", "DepositPaidIn",
                            "WinnerForfeited", "SellerDefaulted", "DepositRefundOwed",
                            "BidCommitted", "BidRevealed", "RevealReminded", "CommitmentForfeited",
                            "DepositPaidTwice", "SecondPaymentRefunded", "SecondPaymentRefundOwed",
                            "ForfeitUnwound"))

    def apply(self, curs: Cursor[DictRow], records: Sequence[EventRecord]) -> None:
        handlers: dict[tuple[str, str], Handler] = {
            ("AuctionSession", "Scheduled"): self._scheduled,
            ("AuctionSession", "BidderRegistered"): self._registered,
            ("Lot", "Proposed"): self._proposed,
            ("Lot", "Consented"): lambda c, r: self._lot(c, r, ", status = 'ready'"),
            ("Lot", "Declined"): lambda c, r: self._lot(c, r, ", status = 'declined', decline_reason = %s,"
                                                        " declined_at = %s", (r.data["reason"],
                                                                              r.data.get("at") or r.timestamp)),
            ("Lot", "DepositStarted"): self._deposit_started,
            ("Lot", "DepositReceived"): self._received,
            ("Lot", "DepositRefunded"): lambda c, r: _deposit(c, r, "refunded"),
            ("Lot", "DepositApplied"): lambda c, r: _deposit(c, r, "applied"),
            ("Lot", "BidPlaced"): self._bid,
            ("Lot", "Closed"): self._closed,
            ("Lot", "DepositPaidIn"): lambda c, r: self._lot(c, r, ", deposit_paid_in = true"),
            ("Lot", "WinnerForfeited"): self._winner_forfeited,
            ("Lot", "SellerDefaulted"): lambda c, r: self._lot(c, r, ", status = 'seller_default',"
                                                                " outcome = 'seller_default'"),
            ("Lot", "DepositRefundOwed"): lambda c, r: _deposit(c, r, "refund_owed"),
            ("Lot", "BidCommitted"): self._committed,
            ("Lot", "BidRevealed"): self._revealed,
            ("Lot", "RevealReminded"): lambda c, r: self._lot(c, r, ", reminded = %s", (r.data["stage"],)),
            ("Lot", "CommitmentForfeited"): self._commitment_forfeited,
            ("Lot", "DepositPaidTwice"): self._paid_twice,
            ("Lot", "SecondPaymentRefunded"): lambda c, r: self._second(c, r, "refunded"),
            ("Lot", "SecondPaymentRefundOwed"): lambda c, r: self._second(c, r, "refund_owed"),
            ("Lot", "ForfeitUnwound"): self._unwound,
        }
        for r in records:
            handler = handlers.get(handler_key(r.topic))
            if handler is not None:
                handler(curs, r)

    @staticmethod
    def _scheduled(curs: Cursor[DictRow], r: EventRecord) -> None:
        d = plain(r.data)
        curs.execute("INSERT INTO auction_sessions (id, title_zh, title_en, deposit_rate, scheduled_at,"
                     " organisation_id, settle_days) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                     (r.originator_id, d["title_zh"], d["title_en"], d["deposit_rate"], r.timestamp,
                      d.get("organisation_id"), d.get("settle_days", SETTLE_DAYS_DEFAULT)))

    @staticmethod
    def _registered(curs: Cursor[DictRow], r: EventRecord) -> None:
        curs.execute("INSERT INTO auction_bidders (session_id, organisation_id, bidder_number, registered_at)"
                     " VALUES (%s, %s, %s, %s)", (r.originator_id, plain(r.data["organisation_id"]),
                                                  r.data["bidder_number"], r.timestamp))

    @staticmethod
    def _proposed(curs: Cursor[DictRow], r: EventRecord) -> None:
        d = plain(r.data)
        curs.execute(
            "INSERT INTO auction_lots (id, session_id, listing_id, patent_id, seller_organisation_id, kind, currency,"
            " start_price, reserve, reserve_shown, increment, deposit, opens_at, closes_at, status, version)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 'proposed', %s)",
            (r.originator_id, d["session_id"], d["listing_id"], d["patent_id"], d["seller_organisation_id"],
             d["kind"], d["currency"], d["start_price"], d["reserve"], d["reserve_shown"], d["increment"],
             d["deposit"], d["opens_at"], d["closes_at"], r.version))
        if d.get("auction_format", "timed") != "timed":
            curs.execute("UPDATE auction_lots SET auction_format = %s, reveal_closes_at = %s WHERE id = %s",
                         (d["auction_format"], d["reveal_closes_at"], r.originator_id))

    @staticmethod
    def _lot(curs: Cursor[DictRow], r: EventRecord, extra: str = "", values: tuple[object, ...] = ()) -> None:
        curs.execute(f"UPDATE auction_lots SET version = %s{extra} WHERE id = %s",  # noqa: S608 - fixed text
                     (r.version, *values, r.originator_id))

    @staticmethod
    def _deposit_started(curs: Cursor[DictRow], r: EventRecord) -> None:
        d = plain(r.data)
        curs.execute(
            "INSERT INTO auction_deposits (lot_id, organisation_id, bidder_number, amount, reference, gateway, status,"
            " updated_at) VALUES (%s, %s, %s, %s, %s, %s, 'pending', %s) ON CONFLICT (lot_id, organisation_id)"
            " DO UPDATE SET gateway = EXCLUDED.gateway, updated_at = EXCLUDED.updated_at",
            (r.originator_id, d["organisation_id"], d["bidder_number"], d["amount"], d["reference"], d["gateway"],
             r.timestamp))

    @staticmethod
    def _bid(curs: Cursor[DictRow], r: EventRecord) -> None:
        d = r.data
        curs.execute(
            "INSERT INTO auction_bids (lot_id, seq, bidder_number, amount, placed_at, closes_at)"
            " SELECT %s, bids + 1, %s, %s, %s, %s FROM auction_lots WHERE id = %s",
            (r.originator_id, d["bidder_number"], d["amount"], d["at"], d["closes_at"], r.originator_id))
        PostgresAuctionsView._lot(curs, r, ", bids = bids + 1, current_price = %s, leader_number = %s,"
                                  " closes_at = %s", (d["amount"], d["bidder_number"], d["closes_at"]))

    @staticmethod
    def _closed(curs: Cursor[DictRow], r: EventRecord) -> None:
        d = plain(r.data)
        status = "sold" if d["winner_organisation_id"] else "unsold"
        settle_by = d.get("settle_by")
        if settle_by is None and d["winner_organisation_id"]:  # closed before the term was recorded: the default
            settle_by = settle_deadline(datetime.fromisoformat(str(d["at"])), SETTLE_DAYS_DEFAULT).isoformat()
        PostgresAuctionsView._lot(curs, r, ", status = %s, outcome = %s, winner_organisation_id = %s, price = %s,"
                                  " contract_id = %s, closed_at = %s, settle_by = %s",
                                  (status, d["outcome"], d["winner_organisation_id"], d["price"], d["contract_id"],
                                   d["at"], settle_by))

    @staticmethod
    def _winner_forfeited(curs: Cursor[DictRow], r: EventRecord) -> None:
        PostgresAuctionsView._lot(curs, r, ", status = 'forfeited', outcome = 'forfeited'")
        _deposit(curs, r, "forfeited")

    @staticmethod
    def _received(curs: Cursor[DictRow], r: EventRecord) -> None:
        """The deposit received, by the gateway that paid it (the bidder may have started another one since)."""
        curs.execute("UPDATE auction_deposits SET status = 'received', gateway = %s, updated_at = %s"
                     " WHERE lot_id = %s AND organisation_id = %s",
                     (r.data["gateway"], r.timestamp, r.originator_id, plain(r.data["organisation_id"])))

    @staticmethod
    def _paid_twice(curs: Cursor[DictRow], r: EventRecord) -> None:
        d = plain(r.data)
        curs.execute("INSERT INTO auction_second_payments (lot_id, gateway, provider_payment_id, organisation_id,"
                     " amount, status, updated_at) VALUES (%s, %s, %s, %s, %s, 'received', %s)",
                     (r.originator_id, d["gateway"], d["provider_payment_id"], d["organisation_id"], d["amount"],
                      r.timestamp))

    @staticmethod
    def _second(curs: Cursor[DictRow], r: EventRecord, status: str) -> None:
        d = plain(r.data)
        curs.execute("UPDATE auction_second_payments SET status = %s, updated_at = %s WHERE lot_id = %s"
                     " AND gateway = %s AND provider_payment_id = %s",
                     (status, r.timestamp, r.originator_id, d["gateway"], d["provider_payment_id"]))

    @staticmethod
    def _unwound(curs: Cursor[DictRow], r: EventRecord) -> None:
        PostgresAuctionsView._lot(curs, r, ", status = 'unwound', outcome = 'unwound'")
        _deposit(curs, r, "received")

    @staticmethod
    def _committed(curs: Cursor[DictRow], r: EventRecord) -> None:
        d = plain(r.data)
        curs.execute(
            "INSERT INTO auction_commitments (lot_id, organisation_id, seq, bidder_number, commitment, committed_at)"
            " SELECT %s, %s, commitments + 1, %s, %s, %s FROM auction_lots WHERE id = %s",
            (r.originator_id, d["organisation_id"], d["bidder_number"], d["commitment"], d["at"], r.originator_id))
        PostgresAuctionsView._lot(curs, r, ", commitments = commitments + 1")

    @staticmethod
    def _revealed(curs: Cursor[DictRow], r: EventRecord) -> None:
        d = plain(r.data)
        curs.execute("UPDATE auction_commitments SET amount = %s, salt = %s, revealed_at = %s"
                     " WHERE lot_id = %s AND organisation_id = %s",
                     (d["amount"], d["salt"], d["at"], r.originator_id, d["organisation_id"]))
        PostgresAuctionsView._lot(curs, r, ", reveals = reveals + 1")

    @staticmethod
    def _commitment_forfeited(curs: Cursor[DictRow], r: EventRecord) -> None:
        curs.execute("UPDATE auction_commitments SET forfeited = true WHERE lot_id = %s AND organisation_id = %s",
                     (r.originator_id, plain(r.data["organisation_id"])))
        _deposit(curs, r, "forfeited")
