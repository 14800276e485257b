"""Brokers read model, writing side: ``market_brokers``, ``market_mandates``, ``market_introductions`` (0035).

Every value derives from the events alone (dates the events carry, event timestamps), so a rebuild
reproduces identical rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from psycopg import Cursor
from psycopg.rows import DictRow

from domain.market.brokers import BrokerAccreditation
from domain.market.mandates import Introduction, Mandate
from projections.shared.base import PostgresReadModelView
from projections.shared.records import EventRecord, plain
from projections.shared.topics import event_topic

Apply = Callable[[Cursor[DictRow], EventRecord], None]


def accredited(curs: Cursor[DictRow], r: EventRecord) -> None:
    d = plain(r.data)
    curs.execute(
        "INSERT INTO market_brokers (id, user_id, organisation_id, credential_number, accredited_on, expires_on,"
        " accredited_at, version) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (id) DO NOTHING",
        (r.originator_id, d["user_id"], d["organisation_id"], d["credential_number"], d["accredited_on"],
         d["expires_on"], r.timestamp, r.version))


def renewed(curs: Cursor[DictRow], r: EventRecord) -> None:
    d = plain(r.data)
    curs.execute("UPDATE market_brokers SET expires_on = %s, version = %s WHERE id = %s",
                 (d["expires_on"], r.version, r.originator_id))


def revoked(curs: Cursor[DictRow], r: EventRecord) -> None:
    d = plain(r.data)
    curs.execute("UPDATE market_brokers SET revoked_on = %s, revocation_reason = %s, version = %s WHERE id = %s",
                 (d["revoked_on"], d["reason"], r.version, r.originator_id))


def mandate_given(curs: Cursor[DictRow], r: EventRecord) -> None:
    d = plain(r.data)
    curs.execute(
        "INSERT INTO market_mandates (id, listing_id, seller_organisation_id, agency_id, commission, starts_on,"
        " ends_on, may_act, given_at, version) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
        " ON CONFLICT (id) DO NOTHING",
        (r.originator_id, d["listing_id"], d["seller_organisation_id"], d["agency_id"], d["commission"],
         d["starts_on"], d["ends_on"], d["may_act"], r.timestamp, r.version))


def mandate_given_again(curs: Cursor[DictRow], r: EventRecord) -> None:
    d = plain(r.data)
    curs.execute(
        "UPDATE market_mandates SET commission = %s, starts_on = %s, ends_on = %s, may_act = %s, ended_on = NULL,"
        " end_reason = '', given_at = %s, version = %s WHERE id = %s",
        (d["commission"], d["starts_on"], d["ends_on"], d["may_act"], r.timestamp, r.version, r.originator_id))


def mandate_ended(curs: Cursor[DictRow], r: EventRecord) -> None:
    d = plain(r.data)
    curs.execute("UPDATE market_mandates SET ended_on = %s, end_reason = %s, version = %s WHERE id = %s",
                 (d["ended_on"], d["reason"], r.version, r.originator_id))


def introduced(curs: Cursor[DictRow], r: EventRecord) -> None:
    d = plain(r.data)
    curs.execute(
        "INSERT INTO market_introductions (id, listing_id, buyer_organisation_id, mandate_id, agency_id,"
        " broker_user_id, introduced_on, introduced_at, note, status, version)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, 'awaiting', %s) ON CONFLICT (id) DO NOTHING",
        (r.originator_id, d["listing_id"], d["buyer_organisation_id"], d["mandate_id"], d["agency_id"],
         d["broker_user_id"], d["introduced_on"], r.timestamp, d["note"], r.version))


def answered(status: str) -> Apply:
    def apply(curs: Cursor[DictRow], r: EventRecord) -> None:
        curs.execute("UPDATE market_introductions SET status = %s, answered_at = %s, version = %s WHERE id = %s",
                     (status, r.timestamp, r.version, r.originator_id))
    return apply


APPLY: dict[str, Apply] = {
    event_topic(BrokerAccreditation, "Accredited"): accredited,
    event_topic(BrokerAccreditation, "Renewed"): renewed,
    event_topic(BrokerAccreditation, "Revoked"): revoked,
    event_topic(Mandate, "Given"): mandate_given,
    event_topic(Mandate, "GivenAgain"): mandate_given_again,
    event_topic(Mandate, "Ended"): mandate_ended,
    event_topic(Introduction, "Recorded"): introduced,
    event_topic(Introduction, "Confirmed"): answered("confirmed"),
    event_topic(Introduction, "Declined"): answered("declined"),
}


class PostgresBrokersView(PostgresReadModelView):
    name = "brokers"
    tables = ("market_brokers", "market_mandates", "market_introductions")
    topics = frozenset(APPLY)

    def apply(self, curs: Cursor[DictRow], records: Sequence[EventRecord]) -> None:
        for r in records:
            APPLY[r.topic](curs, r)
