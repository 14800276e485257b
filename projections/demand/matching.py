"""Matching read model, writing side: each open demand's matching published listings, with reasons (0034).

The view keeps its own copy of the facts it matches on — patents' titles, abstracts and IPC codes; listings'
terms and status; demands' texts, budget and wants — from the events alone, so a rebuild writes the same rows
and the catalogue's runner being ahead or behind changes nothing. A pair's score depends on the two sides' facts
only, so a page of events is folded first (the facts as they stand at the page's end, written in bulk), then
the matches of every listing and demand the page changed are computed again: a published listing against the
open demands (loaded once per page), a posted demand against the published listings its indexes select (a
shared IPC subclass or term). The rows do not depend on paging. A listing withdrawn, suspended or sold, or a
demand awarded, leaves the matches; a demand whose deadline has passed is left out by the queries (no event
marks it).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from psycopg import Cursor
from psycopg.rows import DictRow

from domain.catalogue.listing import Listing
from domain.catalogue.patent import Patent
from domain.demand.demand import Demand, closes_at
from projections.catalogue.view import apply_terms
from projections.demand.matching_rules import DemandFacts, ListingFacts, score, with_tokens
from projections.shared.base import PostgresReadModelView
from projections.shared.records import EventRecord, plain
from projections.shared.rows import checked, encoded_jsonb, insert_json_page, json_bytes
from projections.shared.topics import event_topics

LISTING_FACTS = "id, ipc_codes, key_text, full_text, key_tokens, full_tokens, price, maturity"
DEMAND_FACTS = "id, ipc_codes, key_text, full_text, key_tokens, full_tokens, budget_min, budget_max, wants"
#: A demand's candidates share an IPC subclass or a token (the rules' ``candidate``), read through the GIN indexes.
LISTING_CANDIDATES = (f"SELECT {LISTING_FACTS} FROM matching_listings WHERE status = 'published'"  # noqa: S608
                      " AND (subclasses && %s OR full_tokens && %s OR key_tokens && %s)")
INSERT_MATCH = ("INSERT INTO matching_matches (demand_id, listing_id, score, reasons) VALUES (%s, %s, %s, %s)"
                " ON CONFLICT (demand_id, listing_id) DO UPDATE SET score = EXCLUDED.score,"
                " reasons = EXCLUDED.reasons")


def listing_facts(row: dict[str, Any]) -> ListingFacts:
    """A listing's facts from its stored row (``LISTING_FACTS``), with the tokens stored."""
    return with_tokens(ListingFacts, key_tokens=row["key_tokens"], full_tokens=row["full_tokens"],
                       ipc_codes=tuple(row["ipc_codes"]), key_text=row["key_text"], full_text=row["full_text"],
                       price=row["price"], maturity=row["maturity"])


def demand_facts(row: dict[str, Any]) -> DemandFacts:
    """A demand's facts from its stored row (``DEMAND_FACTS``), with the tokens stored."""
    return with_tokens(DemandFacts, key_tokens=row["key_tokens"], full_tokens=row["full_tokens"],
                       ipc_codes=tuple(row["ipc_codes"]), key_text=row["key_text"], full_text=row["full_text"],
                       budget_min=row["budget_min"], budget_max=row["budget_max"], wants=tuple(row["wants"]))


def demand_texts(fields: dict[str, Any]) -> tuple[str, str]:
    """(titles and keywords, descriptions, problem and targets) of a posted demand."""
    key = " ".join((fields["title_zh"], fields["title_en"], " ".join(fields["keywords"])))
    full = " ".join(fields[k] for k in ("description_zh", "description_en", "problem", "targets"))
    return key, full


def listing_texts(patent: dict[str, Any], terms: dict[str, Any]) -> tuple[str, str]:
    key = " ".join((patent["title_zh"], patent["title_en"], " ".join(terms["keywords"])))
    full = " ".join((patent["abstract"], terms["advantages"], terms["applications"]))
    return key, full


class PostgresMatchingView(PostgresReadModelView):
    """Writes ``matching_patents``, ``matching_listings``, ``matching_demands`` and ``matching_matches``."""

    name = "matching"
    tables = ("matching_patents", "matching_listings", "matching_demands", "matching_matches")
    topics = (event_topics(Patent, "Registered", "Reregistered")
              | event_topics(Listing, "Drafted", "Revised", "Published", "Withdrawn", "Suspended", "Resumed",
                             "Closed")
              | event_topics(Demand, "Posted", "ProposalAwarded"))

    def apply(self, curs: Cursor[DictRow], records: Sequence[EventRecord]) -> None:
        page = FactsPage(curs)
        page.prefetch(records)
        for r in records:
            page.fold(r)
        page.write()


STATUS_OF = {"Published": "published", "Withdrawn": "withdrawn", "Suspended": "suspended", "Closed": "closed"}
PATENT_COLUMNS = {"id": "uuid", "title_zh": "text", "title_en": "text", "abstract": "text", "ipc_codes": "text[]"}
LISTING_COLUMNS = {
    "id": "uuid", "patent_id": "uuid", "organisation_id": "uuid", "status": "text", "title_zh": "text",
    "title_en": "text", "ipc_codes": "text[]", "subclasses": "text[]", "key_text": "text", "full_text": "text",
    "key_tokens": "text[]", "full_tokens": "text[]", "price": "bigint", "maturity": "text", "terms": "jsonb",
}


#: The listing columns whose values come from the events as they are (the others are cut or computed here).
_FROM_EVENTS = ("status", "title_zh", "title_en", "ipc_codes", "price", "maturity")


UPSERT_PATENT = (
    insert_json_page("matching_patents", PATENT_COLUMNS)
    + " ON CONFLICT (id) DO UPDATE SET title_zh = EXCLUDED.title_zh, title_en = EXCLUDED.title_en,"
    " abstract = EXCLUDED.abstract, ipc_codes = EXCLUDED.ipc_codes"
)
UPSERT_LISTING = (
    insert_json_page("matching_listings", LISTING_COLUMNS)
    + " ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, title_zh = EXCLUDED.title_zh,"
    " title_en = EXCLUDED.title_en, ipc_codes = EXCLUDED.ipc_codes, subclasses = EXCLUDED.subclasses,"
    " key_text = EXCLUDED.key_text, full_text = EXCLUDED.full_text, key_tokens = EXCLUDED.key_tokens,"
    " full_tokens = EXCLUDED.full_tokens, price = EXCLUDED.price, maturity = EXCLUDED.maturity,"
    " terms = EXCLUDED.terms"
)
INSERT_DEMAND = (
    "INSERT INTO matching_demands (id, organisation_id, status, visibility, title_zh, title_en, closes_at,"
    " ipc_codes, subclasses, key_text, full_text, key_tokens, full_tokens, budget_min, budget_max, wants)"
    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
)
NO_PATENT = {"title_zh": "", "title_en": "", "abstract": "", "ipc_codes": []}
_DRAFTED = event_topics(Listing, "Drafted")
_LISTING_CHANGES = event_topics(Listing, "Revised", "Published", "Withdrawn", "Suspended", "Resumed", "Closed")
_PATENT_TOPICS = event_topics(Patent, "Registered", "Reregistered")


def _renamed(text: str, prefix: str) -> str:
    """``text`` with the facts tables ``matching_*`` named ``{prefix}_*`` instead."""
    return text if prefix == "matching" else _FACTS_TABLE.sub(lambda m: f"{prefix}_{m.group(1)}", text)


_FACTS_TABLE = re.compile(r"\bmatching_(patents|listings|demands)\b")


class FactsPage:
    """One page of events folded into the facts they leave, then written with the matches they change.

    ``prefix`` names the tables the facts are kept in (``matching_*``; the inbox keeps its own copy,
    ``notification_match_*``, with the same columns: ``projections.notifications.demand_match``)."""

    def __init__(self, curs: Cursor[DictRow], prefix: str = "matching") -> None:
        self.curs = curs
        self.prefix = prefix
        self.patents: dict[str, dict[str, Any]] = {}  # changed by this page
        self.listings: dict[str, dict[str, Any]] = {}  # id -> patent_id, organisation_id, status, terms
        self.changed: set[str] = set()  # listings whose facts or status changed
        self.reregistered: set[str] = set()
        self.demands: dict[str, tuple[Any, ...]] = {}  # posted by this page: the row to insert
        self.awarded: set[str] = set()
        self._rows: dict[str, tuple[tuple[Any, ...], ListingFacts]] = {}  # listing -> its row, as folded so far
        self._read_patents: dict[str, dict[str, Any]] = {}  # prefetched, not changed (``patents`` are written)

    def prefetch(self, records: Sequence[EventRecord]) -> None:
        """Read in one round trip each the stored facts of the listings ``records`` change but do not draft, and
        of their patents (what ``_listing`` and ``_patent`` would read one at a time)."""
        drafted = {r.originator_id for r in records if r.topic in _DRAFTED}
        wanted = sorted({r.originator_id for r in records if r.topic in _LISTING_CHANGES} - drafted
                        - self.listings.keys())
        if wanted:
            self.curs.execute(self._sql("SELECT id::text AS id, patent_id, organisation_id, status, terms"
                                        " FROM matching_listings WHERE id = ANY(%s::uuid[])"), (wanted,))
            for found in self.curs.fetchall():
                self.listings[found["id"]] = {"patent_id": str(found["patent_id"]),
                                              "organisation_id": str(found["organisation_id"]),
                                              "status": found["status"], "terms": dict(found["terms"])}
        registered = {r.originator_id for r in records if r.topic in _PATENT_TOPICS}
        patents = sorted({x["patent_id"] for i, x in self.listings.items() if i in wanted} - registered
                         - self.patents.keys())
        patents += sorted({plain(r.data.get("patent_id")) for r in records if r.topic in _DRAFTED}
                          - registered - self.patents.keys() - set(patents) - {None})
        if patents:
            self.curs.execute(self._sql("SELECT id::text AS id, title_zh, title_en, abstract, ipc_codes"
                                        " FROM matching_patents WHERE id = ANY(%s::uuid[])"), (patents,))
            self._read_patents.update({str(row.pop("id")): dict(row) for row in self.curs.fetchall()})
            self._read_patents.update((p, dict(NO_PATENT)) for p in patents if p not in self._read_patents)

    def fold(self, r: EventRecord) -> None:
        kind = r.topic.rsplit(":", 1)[1]
        aggregate, event = kind.split(".", 1)
        d = r.data
        if aggregate == "Patent":
            self._rows.clear()  # a listing's row holds its patent's titles and codes
            self.patents[r.originator_id] = {"title_zh": d["title_zh"], "title_en": d["title_en"],
                                             "abstract": f"{d['abstract_zh']} {d['abstract_en']}",
                                             "ipc_codes": list(d["ipc_codes"])}
            if event == "Reregistered":
                self.reregistered.add(r.originator_id)
        elif aggregate == "Listing":
            self._fold_listing(r, event)
        elif event == "Posted":
            self.demands[r.originator_id] = self._demand_row(r)
        else:
            self.awarded.add(r.originator_id)

    def _fold_listing(self, r: EventRecord, event: str) -> None:
        d = r.data
        self._rows.pop(r.originator_id, None)
        if event == "Drafted":
            self.listings[r.originator_id] = {"patent_id": plain(d["patent_id"]),
                                              "organisation_id": plain(d["organisation_id"]), "status": "draft",
                                              "terms": plain(d["terms"])}
        else:
            row = self._listing(r.originator_id)
            if row is None:
                return
            if event == "Revised":
                row["terms"] = plain(d["terms"])
            else:
                row["status"] = str(d["status"]) if event == "Resumed" else STATUS_OF[event]
        self.changed.add(r.originator_id)

    def _listing(self, listing_id: str) -> dict[str, Any] | None:
        if listing_id not in self.listings:
            self.curs.execute(self._sql("SELECT patent_id, organisation_id, status, terms FROM matching_listings"
                                        " WHERE id = %s"), (listing_id,))
            found = self.curs.fetchone()
            if found is None:
                return None
            self.listings[listing_id] = {"patent_id": str(found["patent_id"]),
                                         "organisation_id": str(found["organisation_id"]),
                                         "status": found["status"], "terms": dict(found["terms"])}
        return self.listings[listing_id]

    @staticmethod
    def _demand_row(r: EventRecord) -> tuple[Any, ...]:
        d = plain(r.data)
        f = d["details"]
        key, full = demand_texts(f)
        facts = DemandFacts(ipc_codes=tuple(d["ipc_codes"]), key_text=key, full_text=full,
                            budget_min=f["budget_min"], budget_max=f["budget_max"], wants=tuple(f["wants"]))
        return (r.originator_id, d["organisation_id"], "open", f["visibility"], f["title_zh"], f["title_en"],
                closes_at(date.fromisoformat(f["deadline"])), list(facts.ipc_codes), list(facts.subclasses), key,
                full, sorted(facts.key_tokens), sorted(facts.full_tokens), facts.budget_min, facts.budget_max,
                list(facts.wants))

    def _sql(self, text: str) -> str:
        return _renamed(text, self.prefix)

    # --- writing ---------------------------------------------------------------------------------------
    def write(self) -> None:
        self._write_matches(self.write_facts())

    def write_facts(self) -> dict[str, ListingFacts]:
        """Write the facts the page leaves; the facts of the listings it changed that are published now."""
        curs = self.curs
        if self.patents:
            patents = [checked({"id": i, "title_zh": p["title_zh"], "title_en": p["title_en"],
                                "abstract": p["abstract"], "ipc_codes": p["ipc_codes"]}, PATENT_COLUMNS, PATENT_COLUMNS)
                       for i, p in sorted(self.patents.items())]
            curs.execute(self._sql(UPSERT_PATENT), (encoded_jsonb(json_bytes(patents)),))
        if self.reregistered:  # its listings are matched on the patent's new titles and codes
            curs.execute(self._sql("SELECT id FROM matching_listings WHERE patent_id = ANY(%s)"),
                         (sorted(self.reregistered),))
            for row in curs.fetchall():
                if self._listing(str(row["id"])) is not None:
                    self.changed.add(str(row["id"]))
        facts = self._write_listings()
        if self.demands:
            curs.executemany(self._sql(INSERT_DEMAND), [self.demands[i] for i in sorted(self.demands)])
        if self.awarded:
            curs.execute(self._sql("UPDATE matching_demands SET status = 'awarded' WHERE id = ANY(%s)"),
                         (sorted(self.awarded),))
        return facts

    def _patent(self, patent_id: str) -> dict[str, Any]:
        """The patent's facts as the page leaves them: changed by the page, else as stored (read, never written)."""
        found = self.patents.get(patent_id) or self._read_patents.get(patent_id)
        if found is None:
            self.curs.execute(self._sql("SELECT title_zh, title_en, abstract, ipc_codes FROM matching_patents"
                                        " WHERE id = %s"), (patent_id,))
            row = self.curs.fetchone()
            found = self._read_patents[patent_id] = dict(row) if row else dict(NO_PATENT)
        return found

    def listing_row(self, listing_id: str) -> tuple[tuple[Any, ...], ListingFacts] | None:
        """The row the listing's facts are written as (``UPSERT_LISTING``'s values), and its facts, as the events
        folded so far leave them (None: a listing the facts do not know)."""
        cached = self._rows.get(listing_id)
        if cached is not None:
            return cached
        x = self._listing(listing_id)
        if x is None:
            return None
        patent = self._patent(x["patent_id"])
        key, full = listing_texts(patent, x["terms"])
        priced: dict[str, Any] = {}
        apply_terms(priced, x["terms"])
        price = priced["price_amount"] if priced["currency"] == "CNY" else None
        facts = ListingFacts(ipc_codes=tuple(patent["ipc_codes"]), key_text=key, full_text=full, price=price,
                             maturity=x["terms"]["maturity"])
        row = (listing_id, x["patent_id"], x["organisation_id"], x["status"], patent["title_zh"],
               patent["title_en"], list(facts.ipc_codes), list(facts.subclasses), key, full,
               sorted(facts.key_tokens), sorted(facts.full_tokens), price, facts.maturity, x["terms"])
        self._rows[listing_id] = (row, facts)
        return row, facts

    def _write_listings(self) -> dict[str, ListingFacts]:
        """Upsert the changed listings; the facts of those published now."""
        rows, published = [], {}
        for listing_id in sorted(self.changed):
            found = self.listing_row(listing_id)
            assert found is not None  # a changed listing is known
            row, facts = found
            rows.append(row)
            if row[3] == "published":
                published[listing_id] = facts
        if rows:
            listings = [checked(dict(zip(LISTING_COLUMNS, row, strict=True)), LISTING_COLUMNS, _FROM_EVENTS,
                                nullable=("price",)) for row in rows]
            self.curs.execute(self._sql(UPSERT_LISTING), (encoded_jsonb(json_bytes(listings)),))
        return published

    def _write_matches(self, published: dict[str, ListingFacts]) -> None:
        curs = self.curs
        listings, demands = sorted(self.changed), sorted(self.demands.keys() | self.awarded)
        if not listings and not demands:
            return
        curs.execute("DELETE FROM matching_matches WHERE listing_id = ANY(%s::uuid[]) OR demand_id = ANY(%s::uuid[])",
                     (listings, demands))
        pairs: dict[tuple[str, str], tuple[int, list[dict[str, Any]]]] = {}
        if published:
            curs.execute(f"SELECT {DEMAND_FACTS} FROM matching_demands WHERE status = 'open'")  # noqa: S608
            for row in curs.fetchall():
                demand = demand_facts(dict(row))
                for listing_id, facts in published.items():
                    pairs[(str(row["id"]), listing_id)] = score(demand, facts)
        for demand_id in sorted(self.demands.keys() - self.awarded):
            facts_row = self.demands[demand_id]
            demand = DemandFacts(ipc_codes=tuple(facts_row[7]), key_text=facts_row[9], full_text=facts_row[10],
                                 budget_min=facts_row[13], budget_max=facts_row[14], wants=tuple(facts_row[15]))
            curs.execute(LISTING_CANDIDATES, (list(demand.subclasses), sorted(demand.key_tokens),
                                              sorted(demand.full_tokens)))
            for row in curs.fetchall():
                pairs[(demand_id, str(row["id"]))] = score(demand, listing_facts(dict(row)))
        rows = [(d, x, points, json.dumps(why, ensure_ascii=False))
                for (d, x), (points, why) in sorted(pairs.items()) if points]
        if rows:
            curs.executemany(INSERT_MATCH, rows)
