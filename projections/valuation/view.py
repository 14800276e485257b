"""Valuation records read model, writing side: accreditations, assessments and the market facts beside them.

Tables (migration 0007; signatures 0018): ``valuation_accreditations``, ``valuation_assessments``,
``valuation_patent_fields`` (patent → IPC main groups, subclasses, classes), ``valuation_contracts`` and
``valuation_obligations`` (to know which payment is a contract's upfront price), ``valuation_market_prices``
(contract prices realised: the upfront obligation paid), ``valuation_offers`` and
``valuation_open_licences``. Every value derives from the events alone (times are event timestamps or
instants carried in the payload), so a rebuild reproduces identical rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

from psycopg import Cursor
from psycopg.rows import DictRow

from domain.auctions.lot import auction_contract_id
from domain.catalogue.listing import Listing
from domain.catalogue.patent import Patent
from domain.deals.offer import Offer
from domain.deals.payment import PaymentObligation
from domain.valuation.valuation import Valuation
from domain.valuation.valuer import ValuerAccreditation
from projections.deals.view import PATENT_CONTRACTS, handler_key
from projections.shared.base import PostgresReadModelView
from projections.shared.records import EventRecord, plain
from projections.shared.rows import json_text, price_of
from projections.shared.topics import event_topics
from projections.valuation.listing_facts import ListingFactsPage

Handler = Callable[[Cursor[DictRow], EventRecord], None]


def price_source(contract_id: UUID | str, drafted: dict[str, Any]) -> str:
    """Where a contract's price came from: ``auction`` (a lot's hammer price: its contract's id is the lot's
    ``auction_contract_id``, the lot standing as its offer), ``open_licence`` (posted terms taken up, no offer) or
    ``negotiated`` (migration 0043 fills rows written before the same way)."""
    offer_id = drafted.get("offer_id")
    if offer_id is None:
        return "open_licence"
    if auction_contract_id(UUID(str(offer_id))) == UUID(str(contract_id)):
        return "auction"
    return "negotiated"


class PostgresValuationView(PostgresReadModelView):
    """Writes the ``valuation_*`` tables."""

    name = "valuation"
    tables = (
        "valuation_accreditations",
        "valuation_assessments",
        "valuation_patent_fields",
        "valuation_contracts",
        "valuation_obligations",
        "valuation_market_prices",
        "valuation_offers",
        "valuation_open_licences",
    )
    topics = frozenset(
        event_topics(ValuerAccreditation, "Accredited", "Renewed", "Revoked")
        | event_topics(Valuation, "Recorded", "Superseded", "Withdrawn", "Countersigned")
        | event_topics(Patent, "Registered", "Reregistered")
        | event_topics(
            Listing,
            "Drafted",
            "Revised",
            "Published",
            "Withdrawn",
            "Suspended",
            "Resumed",
            "Closed",
            "DealTypesRestricted",
            "DealTypesRestored",
        )
        | event_topics(Offer, "Made", "Countered")
        | {topic for cls in PATENT_CONTRACTS for topic in event_topics(cls, "Drafted")}
        | event_topics(PaymentObligation, "FellDue", "Paid", "Refunded")
    )

    def apply(self, curs: Cursor[DictRow], records: Sequence[EventRecord]) -> None:
        """A statement per event, sent in a pipeline: the page's statements do not wait for each other's answers
        (a handler that reads waits for its own), so a catch-up costs a round trip per page, not per event; a
        statement that fails still fails the page, which the runner then halves."""
        page = ListingFactsPage()  # patents' fields and open licences: written once, at the page's end
        handlers = self._handlers(page)
        with curs.connection.pipeline():
            for r in records:
                handler = handlers.get(handler_key(r.topic))
                if handler is not None:
                    handler(curs, r)
            page.write(curs)

    def _handlers(self, page: ListingFactsPage | None = None) -> dict[tuple[str, str], Handler]:
        """The handler of each (aggregate family, event) followed; patents and listings fold into ``page``."""
        page = page or ListingFactsPage()
        listing_status: Handler = page.listing_status
        return {
            ("ValuerAccreditation", "Accredited"): self._accredited,
            ("ValuerAccreditation", "Renewed"): self._renewed,
            ("ValuerAccreditation", "Revoked"): self._revoked,
            ("Valuation", "Recorded"): self._recorded,
            ("Valuation", "Superseded"): self._superseded,
            ("Valuation", "Withdrawn"): self._withdrawn,
            ("Valuation", "Countersigned"): self._countersigned,
            ("Patent", "Registered"): page.patent_registered,
            ("Patent", "Reregistered"): page.patent_registered,  # the number's new registration: its facts
            ("Listing", "Drafted"): page.listing_drafted,
            ("Listing", "Revised"): page.listing_revised,
            **{
                ("Listing", kind): listing_status
                for kind in ("Published", "Withdrawn", "Suspended", "Resumed", "Closed")
            },
            ("Listing", "DealTypesRestricted"): page.open_licence_offered,
            ("Listing", "DealTypesRestored"): page.open_licence_offered,
            ("Offer", "Made"): self._offer,
            ("Offer", "Countered"): self._offer,
            ("Contract", "Drafted"): self._contract_drafted,
            ("PaymentObligation", "FellDue"): self._fell_due,
            ("PaymentObligation", "Paid"): self._paid,
            ("PaymentObligation", "Refunded"): self._refunded,
        }

    # --- accreditations -------------------------------------------------------------------
    @staticmethod
    def _accredited(curs: Cursor[DictRow], r: EventRecord) -> None:
        d = plain(r.data)
        curs.execute(
            "INSERT INTO valuation_accreditations (user_id, accreditation_id, organisation_id, credential_number,"
            " accredited_on, expires_on, accredited_at, updated_at, version)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (
                d["user_id"],
                r.originator_id,
                d["organisation_id"],
                d["credential_number"],
                d.get("accredited_on") or None,
                d["expires_on"],
                r.timestamp,
                r.timestamp,
                r.version,
            ),
        )

    @staticmethod
    def _renewed(curs: Cursor[DictRow], r: EventRecord) -> None:
        curs.execute(
            "UPDATE valuation_accreditations SET expires_on = %s, updated_at = %s, version = %s"
            " WHERE accreditation_id = %s",
            (r.data["expires_on"], r.timestamp, r.version, r.originator_id),
        )

    @staticmethod
    def _revoked(curs: Cursor[DictRow], r: EventRecord) -> None:
        d = r.data
        curs.execute(
            "UPDATE valuation_accreditations SET revoked_on ="
            " COALESCE(%s::date, (%s::timestamptz AT TIME ZONE 'Asia/Shanghai')::date),"  # old event: its Beijing day
            " revocation_reason = %s, updated_at = %s, version = %s WHERE accreditation_id = %s",
            (d.get("revoked_on") or None, r.timestamp, d["reason"], r.timestamp, r.version, r.originator_id),
        )

    # --- assessments ----------------------------------------------------------------------
    @staticmethod
    def _recorded(curs: Cursor[DictRow], r: EventRecord) -> None:
        d = plain(r.data)
        curs.execute(
            "INSERT INTO valuation_assessments (id, patent_id, valuer_id, organisation_id, purpose, basis_date,"
            " method, inputs, value, low, high, unit, assumptions, report_reference, steps, supersedes, status,"
            " recorded_at, updated_at, version, report_sha256, signed_by, signed_at)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s, %s, %s, %s, %s, %s, %s::jsonb, %s, 'current',"
            " %s, %s, %s, %s, %s, %s)",
            (
                r.originator_id,
                d["patent_id"],
                d["valuer_id"],
                d["organisation_id"],
                d["purpose"],
                d["basis_date"],
                d["method"],
                json_text(d["inputs"]),
                d["value"],
                d["low"],
                d["high"],
                d["unit"],
                d["assumptions"],
                d["report_reference"],
                json_text(d["steps"]),
                d.get("supersedes"),
                r.timestamp,
                r.timestamp,
                r.version,
                d.get("report_sha256") or "",
                d.get("signed_by"),
                d.get("signed_at") or None,
            ),
        )

    @staticmethod
    def _countersigned(curs: Cursor[DictRow], r: EventRecord) -> None:
        d = plain(r.data)
        curs.execute(
            "UPDATE valuation_assessments SET countersigned_by = %s, countersigned_at = %s, updated_at = %s,"
            " version = %s WHERE id = %s",
            (d["by"], d["at"], r.timestamp, r.version, r.originator_id),
        )

    @staticmethod
    def _superseded(curs: Cursor[DictRow], r: EventRecord) -> None:
        curs.execute(
            "UPDATE valuation_assessments SET status = 'superseded', superseded_by = %s, updated_at = %s,"
            " version = %s WHERE id = %s",
            (plain(r.data["by_valuation_id"]), r.timestamp, r.version, r.originator_id),
        )

    @staticmethod
    def _withdrawn(curs: Cursor[DictRow], r: EventRecord) -> None:
        curs.execute(
            "UPDATE valuation_assessments SET status = 'withdrawn', withdrawn_reason = %s, updated_at = %s,"
            " version = %s WHERE id = %s",
            (r.data["reason"], r.timestamp, r.version, r.originator_id),
        )

    # --- deals ----------------------------------------------------------------------------
    @staticmethod
    def _offer(curs: Cursor[DictRow], r: EventRecord) -> None:
        d = plain(r.data)
        price, currency = price_of(d["terms"])
        if r.topic.endswith(".Made"):
            patent_id, side = d["patent_id"], "buyer"
        else:
            curs.execute("SELECT patent_id FROM valuation_offers WHERE offer_id = %s LIMIT 1", (r.originator_id,))
            row = curs.fetchone()
            if row is None:
                return
            patent_id, side = row["patent_id"], d.get("side") or ""
        curs.execute(
            "INSERT INTO valuation_offers (offer_id, version, patent_id, side, deal_type, price, currency, offered_at)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            (r.originator_id, r.version, patent_id, side, d["terms"].get("kind", ""), price, currency, r.timestamp),
        )

    @staticmethod
    def _contract_drafted(curs: Cursor[DictRow], r: EventRecord) -> None:
        d = plain(r.data)
        price, currency = price_of(d["terms"])
        # An open-licence take-up is drafted without an offer (docs/DEALS.md): count it as its own deal type.
        deal_type = "open_licence" if d.get("offer_id") is None else str(d["terms"].get("kind", ""))
        curs.execute(
            "INSERT INTO valuation_contracts (contract_id, patent_id, deal_type, price, currency, drafted_at, source)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s)",
            (r.originator_id, d["patent_id"], deal_type, price, currency, r.timestamp,
             price_source(r.originator_id, d)),
        )

    @staticmethod
    def _fell_due(curs: Cursor[DictRow], r: EventRecord) -> None:
        d = plain(r.data)
        curs.execute(
            "INSERT INTO valuation_obligations (obligation_id, contract_id, purpose) VALUES (%s, %s, %s)",
            (r.originator_id, d["contract_id"], d["purpose"]),
        )

    @staticmethod
    def _paid(curs: Cursor[DictRow], r: EventRecord) -> None:
        """The contract price is realised when its first price payment is paid: ``upfront`` (docs/DEALS.md) or,
        for a price paid in dated instalments, the first instalment; later instalments change nothing."""
        paid_at = plain(r.data.get("at")) or r.timestamp
        curs.execute(
            "INSERT INTO valuation_market_prices (contract_id, patent_id, deal_type, price, currency, drafted_at,"
            " paid_at, year, source)"
            " SELECT c.contract_id, c.patent_id, c.deal_type, c.price, c.currency, c.drafted_at, %s::timestamptz,"
            " extract(year FROM %s::timestamptz AT TIME ZONE 'Asia/Shanghai')::int, c.source"
            " FROM valuation_obligations o JOIN valuation_contracts c USING (contract_id)"
            " WHERE o.obligation_id = %s AND (o.purpose = 'upfront' OR o.purpose LIKE 'instalment-%%')"
            " ON CONFLICT (contract_id) DO UPDATE SET paid_at = EXCLUDED.paid_at, year = EXCLUDED.year,"
            " refunded = false WHERE valuation_market_prices.refunded",
            (paid_at, paid_at, r.originator_id),
        )

    @staticmethod
    def _refunded(curs: Cursor[DictRow], r: EventRecord) -> None:
        curs.execute(
            "UPDATE valuation_market_prices SET refunded = true WHERE contract_id ="
            " (SELECT contract_id FROM valuation_obligations WHERE obligation_id = %s"
            " AND (purpose = 'upfront' OR purpose LIKE 'instalment-%%'))",
            (r.originator_id,),
        )
