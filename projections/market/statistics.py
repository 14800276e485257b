"""Market statistics read model, writing side (技术市场统计, migrations 0030 and 0041): one row per contract.

It follows the log alone: organisations (kind, region text mapped to a GB/T 2260 code: a Fujian city, else the
province) and patents (IPC section and class of the first IPC code) into small tables of its own, contracts from
their draft (kind, price, patent, parties, copied from those tables as they stood then) and their coming into force
(from then they count), and the technology-contract registration record (the JJ-001 contract type, technology
income, the parties' region codes; its number makes it registered). Times are event timestamps, so a rebuild
reproduces identical rows. The figures are grouped at reading (``projections.market.statistics_queries``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from psycopg import Cursor
from psycopg.rows import DictRow

from domain.accounts.organisation import Organisation
from domain.catalogue.patent import Patent
from domain.deals.contract import Contract, LicenceContract, TransferContract
from domain.deals.development import DevelopmentContract
from domain.market.jj001 import region_code_of
from domain.market.registration import ContractRegistration
from projections.deals.view import handler_key
from projections.shared.base import PostgresReadModelView
from projections.shared.records import EventRecord, plain
from projections.shared.topics import event_topic, event_topics

Handler = Callable[[Cursor[DictRow], EventRecord], None]
#: Every contract kind, technology development contracts too (技术开发: no patent, so no technical field).
CONTRACTS = (Contract, TransferContract, LicenceContract, DevelopmentContract)


#: A patent's registration (or its number's new one): its IPC section and class.
_REGISTERED = frozenset({("Patent", "Registered"), ("Patent", "Reregistered")})
#: The province whose technology market this is (福建, GB/T 2260 ``35``): its cities are told apart.
HOME_PROVINCE = "35"


def statistics_region(code: str) -> str:
    """The GB/T 2260 code a region counts under: in Fujian its city (设区市: ``350203`` → ``350200``, 平潭
    ``350128`` under 福州 ``350100``; the province alone stays ``350000``), elsewhere the province (``310115`` →
    ``310000``); ``''`` for no code."""
    code = (code or "").strip()
    if len(code) != 6 or not code.isdigit():
        return ""
    if code.startswith(HOME_PROVINCE) and code[2:4] != "00":
        return f"{code[:4]}00"
    return f"{code[:2]}0000"


def ipc_parts(codes: Sequence[str]) -> tuple[str, str]:
    """The IPC section and class of the first code (``A23F 3/06`` → ``A``, ``A23``), or ``''``."""
    for code in codes:
        text = str(code).strip().upper()
        if len(text) >= 3 and text[0] in "ABCDEFGH" and text[1:3].isdigit():
            return text[0], text[:3]
    return "", ""


class PostgresMarketStatisticsView(PostgresReadModelView):
    name = "market_statistics"
    tables = ("market_stat_organisations", "market_stat_patents", "market_stat_contracts")
    topics = frozenset(
        {event_topic(Organisation, "Registered")}
        | event_topics(Patent, "Registered", "Reregistered")
        | {topic for cls in CONTRACTS for topic in event_topics(cls, "Drafted", "CameIntoForce")}
        | event_topics(ContractRegistration, "Prepared", "Revised", "NumberRecorded")
    )

    def apply(self, curs: Cursor[DictRow], records: Sequence[EventRecord]) -> None:
        """A page's statements in one pipeline (none waits for another's answer). The patents registered one after
        another (an import's run of them) are written as one statement, sent before the next other statement: a
        contract's draft copies its patent's row as the events before it left it."""
        patents: dict[str, tuple[str, str]] = {}
        handlers: dict[tuple[str, str], Handler] = {
            ("Organisation", "Registered"): self._organisation,
            ("Contract", "Drafted"): self._drafted,
            ("Contract", "CameIntoForce"): self._in_force,
            ("ContractRegistration", "Prepared"): self._record,
            ("ContractRegistration", "Revised"): self._record,
            ("ContractRegistration", "NumberRecorded"): self._numbered,
        }
        with curs.connection.pipeline():
            for r in records:
                key = handler_key(r.topic)
                if key in _REGISTERED:
                    patents.pop(r.originator_id, None)  # the last registration of the run stands
                    patents[r.originator_id] = ipc_parts(plain(r.data).get("ipc_codes") or [])
                    continue
                handler = handlers.get(key)
                if handler is not None:
                    self._patents(curs, patents)
                    handler(curs, r)
            self._patents(curs, patents)

    @staticmethod
    def _patents(curs: Cursor[DictRow], patents: dict[str, tuple[str, str]]) -> None:
        """Upsert the patents' IPC section and class (patent id -> (section, class)), then forget them."""
        if not patents:
            return
        ids, sections, classes = zip(*((i, *parts) for i, parts in patents.items()), strict=True)
        curs.execute(
            "INSERT INTO market_stat_patents (id, ipc_section, ipc_class)"
            " SELECT * FROM unnest(%s::uuid[], %s::text[], %s::text[])"
            " ON CONFLICT (id) DO UPDATE SET ipc_section = EXCLUDED.ipc_section, ipc_class = EXCLUDED.ipc_class",
            (list(ids), list(sections), list(classes)),
        )
        patents.clear()

    @staticmethod
    def _organisation(curs: Cursor[DictRow], r: EventRecord) -> None:
        d = plain(r.data)
        curs.execute(
            "INSERT INTO market_stat_organisations (id, kind, region_code) VALUES (%s, %s, %s)"
            " ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind, region_code = EXCLUDED.region_code",
            (r.originator_id, d["kind"], statistics_region(region_code_of(str(d.get("region") or "")))),
        )

    @staticmethod
    def _drafted(curs: Cursor[DictRow], r: EventRecord) -> None:
        d = plain(r.data)
        terms: dict[str, Any] = d["terms"]
        curs.execute(
            "INSERT INTO market_stat_contracts (contract_id, patent_id, deal_kind, amount, currency, ipc_section,"
            " ipc_class, seller_kind, seller_region, buyer_region, drafted_at, updated_at)"
            " SELECT %(id)s, %(patent)s, %(kind)s, %(amount)s, %(currency)s,"
            " coalesce((SELECT ipc_section FROM market_stat_patents WHERE id = %(patent)s), ''),"
            " coalesce((SELECT ipc_class FROM market_stat_patents WHERE id = %(patent)s), ''),"
            " coalesce((SELECT kind FROM market_stat_organisations WHERE id = %(seller)s), ''),"
            " coalesce((SELECT region_code FROM market_stat_organisations WHERE id = %(seller)s), ''),"
            " coalesce((SELECT region_code FROM market_stat_organisations WHERE id = %(buyer)s), ''),"
            " %(at)s, %(at)s ON CONFLICT (contract_id) DO NOTHING",
            {"id": r.originator_id, "patent": d["patent_id"], "kind": str(terms.get("kind", "")),
             "amount": int(terms.get("price", 0)), "currency": str(terms.get("currency", "CNY")),
             "seller": d["seller_organisation_id"], "buyer": d["buyer_organisation_id"], "at": r.timestamp},
        )

    @staticmethod
    def _in_force(curs: Cursor[DictRow], r: EventRecord) -> None:
        curs.execute(
            "UPDATE market_stat_contracts SET in_force_at = %s, updated_at = %s WHERE contract_id = %s",
            (plain(r.data).get("at") or r.timestamp, r.timestamp, r.originator_id),
        )

    @staticmethod
    def _record(curs: Cursor[DictRow], r: EventRecord) -> None:
        d = plain(r.data)
        record: dict[str, Any] = d["record"]
        seller, buyer = record.get("seller") or {}, record.get("buyer") or {}
        income = record.get("technology_income")
        assignments = (
            "contract_type = %(type)s, technology_income = %(income)s, record_seller_region = %(seller)s,"
            " record_buyer_region = %(buyer)s, registration_status = CASE registration_status"
            " WHEN 'registered' THEN 'registered' ELSE 'prepared' END, registration_id = %(rid)s, updated_at = %(at)s"
        )
        values = {"type": str(record.get("contract_type") or ""),
                  "income": int(income) if isinstance(income, int) else None,
                  "seller": statistics_region(str(seller.get("region_code") or "")),
                  "buyer": statistics_region(str(buyer.get("region_code") or "")),
                  "rid": r.originator_id, "at": r.timestamp}
        if "contract_id" in d:
            curs.execute(f"UPDATE market_stat_contracts SET {assignments} WHERE contract_id = %(contract)s",  # noqa: S608 - fixed text
                         values | {"contract": d["contract_id"]})
        else:
            curs.execute(f"UPDATE market_stat_contracts SET {assignments} WHERE registration_id = %(rid)s",  # noqa: S608 - fixed text
                         values)

    @staticmethod
    def _numbered(curs: Cursor[DictRow], r: EventRecord) -> None:
        curs.execute(
            "UPDATE market_stat_contracts SET registration_status = 'registered', updated_at = %s"
            " WHERE registration_id = %s", (r.timestamp, r.originator_id),
        )
