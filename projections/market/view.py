"""Market read model, writing side: ``market_tech_registrations`` (migration 0027).

Every value derives from the events alone (times are event timestamps, or the instant a command recorded),
so a rebuild reproduces identical rows.
"""

from __future__ import annotations

from collections.abc import Sequence

from psycopg import Cursor
from psycopg.rows import DictRow

from domain.market.registration import ContractRegistration
from projections.shared.base import PostgresReadModelView
from projections.shared.records import EventRecord, plain
from projections.shared.rows import json_text
from projections.shared.topics import event_topic

PREPARED = event_topic(ContractRegistration, "Prepared")
REVISED = event_topic(ContractRegistration, "Revised")
NUMBERED = event_topic(ContractRegistration, "NumberRecorded")


class PostgresMarketView(PostgresReadModelView):
    name = "market"
    tables = ("market_tech_registrations",)
    topics = frozenset({PREPARED, REVISED, NUMBERED})

    def apply(self, curs: Cursor[DictRow], records: Sequence[EventRecord]) -> None:
        for r in records:
            d = plain(r.data)
            if r.topic == PREPARED:
                curs.execute(
                    "INSERT INTO market_tech_registrations (contract_id, id, seller_organisation_id,"
                    " buyer_organisation_id, deal_kind, contract_price, record, status, prepared_by, prepared_at,"
                    " updated_at, version) VALUES (%s, %s, %s, %s, %s, %s, %s::jsonb, 'prepared', %s, %s, %s, %s)",
                    (d["contract_id"], r.originator_id, d["seller_organisation_id"], d["buyer_organisation_id"],
                     d["deal_kind"], d["contract_price"], json_text(d["record"]), d["by"], r.timestamp,
                     r.timestamp, r.version),
                )
            elif r.topic == REVISED:
                curs.execute(
                    "UPDATE market_tech_registrations SET record = %s::jsonb, updated_at = %s, version = %s"
                    " WHERE id = %s", (json_text(d["record"]), r.timestamp, r.version, r.originator_id),
                )
            elif r.topic == NUMBERED:
                curs.execute(
                    "UPDATE market_tech_registrations SET status = 'registered', number = %s,"
                    " number_recorded_by = %s, number_recorded_at = %s, updated_at = %s, version = %s"
                    " WHERE id = %s",
                    (d["number"], d["by"], d.get("at") or r.timestamp, r.timestamp, r.version, r.originator_id),
                )
