"""Deals read model, writing side: offers and their thread, contracts, signatures, notice objections,
payment obligations, benefit shares and royalty reports (tables ``deal_*``, migration 0006).

Each event is folded into the rows it touches inside the page's transaction (deal volumes are
small; the page and its tracking position still commit together, exactly once). Every value
derives from the events alone (times are event timestamps or instants carried in the payload),
so a rebuild reproduces identical rows. Payment obligations are written by ``projections.deals.payments``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from psycopg import Cursor
from psycopg.rows import DictRow

from domain.accounts.organisation import Organisation
from domain.catalogue.listing import Listing
from domain.catalogue.patent import Patent
from domain.deals.contract import Contract, LicenceContract, TransferContract
from domain.deals.development import DevelopmentContract
from domain.deals.offer import Offer
from domain.deals.payment import PaymentObligation
from projections.deals import payments
from projections.shared.base import PostgresReadModelView
from projections.shared.records import EventRecord, plain
from projections.shared.rows import json_text, price_of
from projections.shared.topics import event_topic, event_topics

#: Contracts on a patent (transfer and licence); a technology development contract stands on none.
PATENT_CONTRACTS = (Contract, TransferContract, LicenceContract)
CONTRACTS = (*PATENT_CONTRACTS, DevelopmentContract)
CONTRACT_CLASSES = tuple(cls.__name__ for cls in CONTRACTS)

OFFER_EVENTS = ("Made", "Countered", "Accepted", "Rejected", "Withdrawn", "Expired")
CONTRACT_EVENTS = (
    "Drafted",
    "NoticeObjectionFiled",
    "NoticeObjectionDecided",
    "CoOwnerConsented",
    "Signed",
    "CameIntoForce",
    "RegistrationRecorded",
    "MilestoneReached",
    "Terminated",
)
OBLIGATION_EVENTS = ("FellDue", "PaymentStarted", "Paid", "Refunded", "RefundOwed", "VoucherApplied", "FundsDeclared")
#: Offer statuses once an event of this kind happened (an open offer's status stays ``open``).
OFFER_STATUS = {"Accepted": "accepted", "Rejected": "rejected", "Withdrawn": "withdrawn", "Expired": "expired"}
OTHER_SIDE = {"buyer": "seller", "seller": "buyer"}


def handler_key(topic: str) -> tuple[str, str]:
    """The (aggregate, event) a handler is registered under: the three contract classes are one aggregate."""
    aggregate, kind = topic.rsplit(":", 1)[1].rsplit(".", 1)
    return ("Contract" if aggregate in CONTRACT_CLASSES else aggregate), kind


class PostgresDealsView(PostgresReadModelView):
    """Writes the ``deal_*`` tables from offers, contracts, payment obligations (and effects on patents/listings)."""

    name = "deals"
    tables = (
        "deal_offers",
        "deal_offer_events",
        "deal_contracts",
        "deal_signatures",
        "deal_objections",
        "deal_obligations",
        "deal_benefit_shares",
        "deal_royalty_reports",
        "deal_benefit_rules",
        "deal_minimum_royalties",
    )
    topics = frozenset(
        event_topics(Offer, *OFFER_EVENTS)
        | {topic for cls in CONTRACTS for topic in event_topics(cls, *CONTRACT_EVENTS)}
        | {event_topic(LicenceContract, "RoyaltyReported")}  # royalties are a licence's alone
        | {event_topic(LicenceContract, "MinimumRoyaltyFellDue")}
        | {event_topic(DevelopmentContract, "MilestoneDelivered")}  # a development's milestones are delivered
        | {event_topic(DevelopmentContract, "ResultsAgreed")}  # and its results clauses agreed before signing
        | {event_topic(Organisation, "BenefitRulesSet")}
        | event_topics(PaymentObligation, *OBLIGATION_EVENTS)
        | {event_topic(Patent, "OwnershipTransferred"), event_topic(Listing, "Closed")}
    )

    def apply(self, curs: Cursor[DictRow], records: Sequence[EventRecord]) -> None:
        handlers = self._handlers()
        for r in records:
            handler = handlers.get(handler_key(r.topic))
            if handler is not None:
                handler(curs, r)

    def _handlers(self) -> dict[tuple[str, str], Callable[[Cursor[DictRow], EventRecord], None]]:
        return {
            ("Offer", "Made"): self._offer_made,
            ("Offer", "Countered"): self._offer_countered,
            ("Offer", "Accepted"): self._offer_closed,
            ("Offer", "Rejected"): self._offer_closed,
            ("Offer", "Withdrawn"): self._offer_closed,
            ("Offer", "Expired"): self._offer_closed,
            ("Contract", "Drafted"): self._contract_drafted,
            ("Contract", "NoticeObjectionFiled"): self._objection_filed,
            ("Contract", "NoticeObjectionDecided"): self._objection_decided,
            ("Contract", "CoOwnerConsented"): self._consented,
            ("Contract", "Signed"): self._signed,
            ("Contract", "CameIntoForce"): self._in_force,
            ("Contract", "RegistrationRecorded"): self._registration,
            ("Contract", "MilestoneReached"): self._milestone,
            ("Contract", "MilestoneDelivered"): self._milestone_delivered,
            ("Contract", "ResultsAgreed"): self._results_agreed,
            ("Contract", "RoyaltyReported"): self._royalty,
            ("Contract", "Terminated"): self._terminated,
            ("Contract", "MinimumRoyaltyFellDue"): self._minimum_royalty,
            ("Organisation", "BenefitRulesSet"): self._benefit_rules_set,
            ("PaymentObligation", "FellDue"): payments.fell_due,
            ("PaymentObligation", "PaymentStarted"): payments.payment_started,
            ("PaymentObligation", "Paid"): payments.paid,
            ("PaymentObligation", "Refunded"): payments.refunded,
            ("PaymentObligation", "RefundOwed"): payments.refund_owed,
            ("PaymentObligation", "VoucherApplied"): payments.voucher_applied,
            ("PaymentObligation", "FundsDeclared"): payments.funds_declared,
            ("Patent", "OwnershipTransferred"): self._ownership_transferred,
            ("Listing", "Closed"): self._listing_closed,
        }

    # --- offers ---------------------------------------------------------------------------
    def _thread(self, curs: Cursor[DictRow], r: EventRecord, kind: str, **values: Any) -> None:
        d = plain(r.data)
        curs.execute(
            "INSERT INTO deal_offer_events (offer_id, version, event_type, side, terms, expires_at, reason, by_user,"
            " at)"
            " VALUES (%s, %s, %s, %s, %s::jsonb, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            (
                r.originator_id,
                r.version,
                kind,
                values.get("side", d.get("side")),
                json_text(d["terms"]) if d.get("terms") is not None else None,
                d.get("expires_at"),
                d.get("reason") or "",
                d.get("by"),
                d.get("at") or r.timestamp,
            ),
        )

    def _offer_made(self, curs: Cursor[DictRow], r: EventRecord) -> None:
        d = plain(r.data)
        terms = d["terms"]
        amount, currency = price_of(terms)
        curs.execute(
            "INSERT INTO deal_offers (id, listing_id, patent_id, buyer_organisation_id, seller_organisation_id,"
            " broker_organisation_id, broker_commission, kind, terms, price_amount, currency, listed_price, status,"
            " awaiting, rounds, expires_at, made_at, made_by, updated_at, version)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s, %s, %s, 'open', 'seller', 1, %s, %s, %s, %s, %s)",
            (
                r.originator_id,
                d.get("listing_id"),
                d.get("patent_id"),
                d["buyer_organisation_id"],
                d["seller_organisation_id"],
                d.get("broker_organisation_id"),
                d.get("broker_commission") or 0,
                terms.get("kind", ""),
                json_text(terms),
                amount,
                currency,
                d.get("listed_price"),
                d["expires_at"],
                r.timestamp,
                d.get("by"),
                r.timestamp,
                r.version,
            ),
        )
        self._thread(curs, r, "Made", side="buyer")

    def _offer_countered(self, curs: Cursor[DictRow], r: EventRecord) -> None:
        d = plain(r.data)
        amount, currency = price_of(d["terms"])
        curs.execute(
            "UPDATE deal_offers SET terms = %s::jsonb, kind = %s, price_amount = %s, currency = %s, expires_at = %s,"
            " awaiting = %s, rounds = rounds + 1, updated_at = %s, version = %s WHERE id = %s",
            (
                json_text(d["terms"]),
                d["terms"].get("kind", ""),
                amount,
                currency,
                d["expires_at"],
                OTHER_SIDE.get(d.get("side", "")),
                r.timestamp,
                r.version,
                r.originator_id,
            ),
        )
        self._thread(curs, r, "Countered")

    def _offer_closed(self, curs: Cursor[DictRow], r: EventRecord) -> None:
        kind = r.topic.rsplit(".", 1)[1]
        d = plain(r.data)
        curs.execute(
            "UPDATE deal_offers SET status = %s, awaiting = NULL, closed_at = %s, updated_at = %s, version = %s"
            " WHERE id = %s",
            (OFFER_STATUS[kind], d.get("at") or r.timestamp, r.timestamp, r.version, r.originator_id),
        )
        self._thread(curs, r, kind)

    # --- contracts ------------------------------------------------------------------------
    def _contract_drafted(self, curs: Cursor[DictRow], r: EventRecord) -> None:
        d = plain(r.data)
        terms = d["terms"]
        amount, currency = price_of(terms)
        contract_type = r.topic.rsplit(":", 1)[1].rsplit(".", 1)[0]
        curs.execute(
            "INSERT INTO deal_contracts (id, contract_type, offer_id, listing_id, patent_id, seller_organisation_id,"
            " buyer_organisation_id, broker_organisation_id, broker_commission, kind, terms, price_amount, currency,"
            " text_zh, text_en, text_sha256, notice_ends_at, consents_required, consents_given, signed_by, status,"
            " milestones_reached, drafted_at, updated_at, version, inventor_share)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s, %s, %s, %s, %s, %s, %s::uuid[],"
            " '{}', '{}', 'drafted', '{}', %s, %s, %s, %s)",
            (
                r.originator_id,
                contract_type,
                d.get("offer_id"),
                d["listing_id"],
                d["patent_id"],
                d["seller_organisation_id"],
                d["buyer_organisation_id"],
                d.get("broker_organisation_id"),
                d.get("broker_commission") or 0,
                terms.get("kind", ""),
                json_text(terms),
                amount,
                currency,
                d.get("text_zh", ""),
                d.get("text_en", ""),
                d.get("text_sha256", ""),
                d.get("notice_ends_at"),
                list(d.get("consents_required") or []),
                r.timestamp,
                r.timestamp,
                r.version,
                d.get("inventor_share"),
            ),
        )
        if d.get("offer_id"):
            curs.execute("UPDATE deal_offers SET contract_id = %s WHERE id = %s", (r.originator_id, d["offer_id"]))

    def _touch(
        self, curs: Cursor[DictRow], r: EventRecord, assignments: str = "", params: tuple[Any, ...] = ()
    ) -> None:
        sets = f"{assignments}, " if assignments else ""
        curs.execute(
            f"UPDATE deal_contracts SET {sets}updated_at = %s, version = %s WHERE id = %s",  # noqa: S608 - constants
            (*params, r.timestamp, r.version, r.originator_id),
        )

    def _objection_filed(self, curs: Cursor[DictRow], r: EventRecord) -> None:
        d = plain(r.data)
        curs.execute(
            "INSERT INTO deal_objections (id, contract_id, text, by_user, filed_at, status, organisation_id)"
            " VALUES (%s, %s, %s, %s, %s, 'open', %s)",
            (d["objection_id"], r.originator_id, d.get("text", ""), d.get("by"), r.timestamp, d.get("organisation_id")),
        )
        self._touch(curs, r, "objections_open = objections_open + 1")

    def _objection_decided(self, curs: Cursor[DictRow], r: EventRecord) -> None:
        d = plain(r.data)
        upheld = bool(d.get("upheld"))
        curs.execute(
            "UPDATE deal_objections SET status = %s, reason = %s, decided_by = %s, decided_at = %s WHERE id = %s",
            ("upheld" if upheld else "dismissed", d.get("reason", ""), d.get("by"), r.timestamp, d["objection_id"]),
        )
        if upheld:
            self._touch(
                curs,
                r,
                "objections_open = objections_open - 1, objections_upheld = objections_upheld + 1, status = 'blocked'",
            )
        else:
            self._touch(curs, r, "objections_open = objections_open - 1")

    def _consented(self, curs: Cursor[DictRow], r: EventRecord) -> None:
        d = plain(r.data)
        self._touch(curs, r, "consents_given = array_append(consents_given, %s::uuid)", (d["organisation_id"],))

    def _signed(self, curs: Cursor[DictRow], r: EventRecord) -> None:
        d = plain(r.data)
        curs.execute(
            "INSERT INTO deal_signatures (contract_id, organisation_id, by_user, signed_at, text_sha256)"
            " VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            (r.originator_id, d["organisation_id"], d.get("by"), d.get("at") or r.timestamp, d.get("text_sha256", "")),
        )
        self._touch(
            curs,
            r,
            # An open licence is signed by the licensee alone (no offer: the declaration is the licensor's).
            # A development contract has no offer either, but both parties sign it.
            "signed_by = array_append(signed_by, %s::uuid), status = CASE WHEN status = 'drafted'"
            " AND ((offer_id IS NULL AND contract_type <> 'DevelopmentContract')"
            " OR seller_organisation_id = ANY(array_append(signed_by, %s::uuid)))"
            " AND buyer_organisation_id = ANY(array_append(signed_by, %s::uuid)) THEN 'signed' ELSE status END",
            (d["organisation_id"], d["organisation_id"], d["organisation_id"]),
        )

    def _in_force(self, curs: Cursor[DictRow], r: EventRecord) -> None:
        d = plain(r.data)
        self._touch(curs, r, "status = 'in_force', in_force_at = %s", (d.get("at") or r.timestamp,))

    def _registration(self, curs: Cursor[DictRow], r: EventRecord) -> None:
        self._touch(curs, r, "registration_reference = %s", (plain(r.data).get("reference", ""),))

    def _milestone(self, curs: Cursor[DictRow], r: EventRecord) -> None:
        self._touch(curs, r, "milestones_reached = array_append(milestones_reached, %s)", (plain(r.data)["name"],))

    def _milestone_delivered(self, curs: Cursor[DictRow], r: EventRecord) -> None:
        self._touch(curs, r, "milestones_delivered = array_append(milestones_delivered, %s)", (plain(r.data)["name"],))

    def _results_agreed(self, curs: Cursor[DictRow], r: EventRecord) -> None:
        d = plain(r.data)
        changed = {"ownership": d["ownership"], "confidential_years": d.get("confidential_years", 3)}
        self._touch(curs, r, "terms = terms || %s::jsonb, text_zh = %s, text_en = %s, text_sha256 = %s",
                    (json_text(changed), d["text_zh"], d["text_en"], d["text_sha256"]))

    def _royalty(self, curs: Cursor[DictRow], r: EventRecord) -> None:
        d = plain(r.data)
        curs.execute(
            "INSERT INTO deal_royalty_reports (contract_id, period_start, period_end, net_sales, royalty, top_up,"
            " obligation_id, by_user, reported_at, credit) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
            " ON CONFLICT DO NOTHING",
            (
                r.originator_id,
                d["period_start"],
                d["period_end"],
                d.get("net_sales") or 0,
                d.get("royalty") or 0,
                d.get("top_up") or 0,
                d.get("obligation_id"),
                d.get("by"),
                r.timestamp,
                d.get("credit") or 0,
            ),
        )
        self._touch(curs, r)

    def _minimum_royalty(self, curs: Cursor[DictRow], r: EventRecord) -> None:
        d = plain(r.data)
        curs.execute(
            "INSERT INTO deal_minimum_royalties (contract_id, year_end, amount, obligation_id, fell_due_at)"
            " VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            (r.originator_id, d["year_end"], d.get("amount") or 0, d.get("obligation_id"), r.timestamp),
        )
        self._touch(curs, r)

    def _benefit_rules_set(self, curs: Cursor[DictRow], r: EventRecord) -> None:
        d = plain(r.data)
        curs.execute(
            "INSERT INTO deal_benefit_rules (organisation_id, version, inventor_share, set_by, set_at)"
            " VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            (r.originator_id, r.version, d["inventor_share"], d.get("by"), r.timestamp),
        )

    def _terminated(self, curs: Cursor[DictRow], r: EventRecord) -> None:
        self._touch(curs, r, "status = 'terminated', terminated_reason = %s", (plain(r.data).get("reason", ""),))

    def _ownership_transferred(self, curs: Cursor[DictRow], r: EventRecord) -> None:
        contract_id = plain(r.data).get("contract_id")
        if contract_id:
            curs.execute("UPDATE deal_contracts SET ownership_transferred = true WHERE id = %s", (contract_id,))

    def _listing_closed(self, curs: Cursor[DictRow], r: EventRecord) -> None:
        contract_id = plain(r.data).get("contract_id")
        if contract_id:
            curs.execute("UPDATE deal_contracts SET listing_closed = true WHERE id = %s", (contract_id,))
