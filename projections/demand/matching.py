"""Matching read model, writing side: each open demand's matching published listings, with reasons (0034).

The view keeps its own copy of the facts it matches on — patents' titles, abstracts and IPC codes; listings'
terms and status; demands' texts, budget and wants — from the events alone, so a rebuild writes the same rows
and the catalogue's runner being ahead or behind changes nothing. Events are applied one by one, in log order:
a published listing is scored against the open demands its indexes select (a shared IPC subclass or term), a
posted demand against the published listings; a listing withdrawn, suspended or sold, or a demand awarded,
leaves the matches. A demand whose deadline has passed is left out by the queries (no event marks it).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from psycopg import Cursor
from psycopg.rows import DictRow

from domain.catalogue.listing import Listing
from domain.catalogue.patent import Patent
from domain.demand.demand import Demand, closes_at
from projections.catalogue.view import apply_terms
from projections.demand.matching_rules import DemandFacts, ListingFacts, score
from projections.shared.base import PostgresReadModelView
from projections.shared.records import EventRecord, plain
from projections.shared.topics import event_topics

Handler = Callable[[Cursor[DictRow], EventRecord], None]

LISTING_FACTS = "id, ipc_codes, key_text, full_text, price, maturity"
DEMAND_FACTS = "id, ipc_codes, key_text, full_text, budget_min, budget_max, wants"
#: Candidates share an IPC subclass or a token (the rules' ``candidate``), read through the GIN indexes.
LISTING_CANDIDATES = (f"SELECT {LISTING_FACTS} FROM matching_listings WHERE status = 'published'"  # noqa: S608
                      " AND (subclasses && %s OR full_tokens && %s OR key_tokens && %s)")
DEMAND_CANDIDATES = (f"SELECT {DEMAND_FACTS} FROM matching_demands WHERE status = 'open'"  # noqa: S608
                     " AND (subclasses && %s OR key_tokens && %s OR full_tokens && %s)")
INSERT_MATCH = ("INSERT INTO matching_matches (demand_id, listing_id, score, reasons) VALUES (%s, %s, %s, %s)"
                " ON CONFLICT (demand_id, listing_id) DO UPDATE SET score = EXCLUDED.score,"
                " reasons = EXCLUDED.reasons")


def listing_facts(row: dict[str, Any]) -> ListingFacts:
    return ListingFacts(ipc_codes=tuple(row["ipc_codes"]), key_text=row["key_text"], full_text=row["full_text"],
                        price=row["price"], maturity=row["maturity"])


def demand_facts(row: dict[str, Any]) -> DemandFacts:
    return DemandFacts(ipc_codes=tuple(row["ipc_codes"]), key_text=row["key_text"], full_text=row["full_text"],
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
        handlers: dict[str, Handler] = {
            "Patent.Registered": self._patent, "Patent.Reregistered": self._patent,
            "Listing.Drafted": self._drafted, "Listing.Revised": self._revised,
            "Listing.Published": lambda c, r: self._status(c, r, "published"),
            "Listing.Withdrawn": lambda c, r: self._status(c, r, "withdrawn"),
            "Listing.Suspended": lambda c, r: self._status(c, r, "suspended"),
            "Listing.Resumed": lambda c, r: self._status(c, r, str(r.data["status"])),
            "Listing.Closed": lambda c, r: self._status(c, r, "closed"),
            "Demand.Posted": self._posted, "Demand.ProposalAwarded": self._awarded,
        }
        for r in records:
            handler = handlers.get(r.topic.rsplit(":", 1)[1])
            if handler is not None:
                handler(curs, r)

    # --- patents and listings ------------------------------------------------------------------------
    def _patent(self, curs: Cursor[DictRow], r: EventRecord) -> None:
        d = r.data
        curs.execute(
            "INSERT INTO matching_patents (id, title_zh, title_en, abstract, ipc_codes) VALUES (%s, %s, %s, %s, %s)"
            " ON CONFLICT (id) DO UPDATE SET title_zh = EXCLUDED.title_zh, title_en = EXCLUDED.title_en,"
            " abstract = EXCLUDED.abstract, ipc_codes = EXCLUDED.ipc_codes",
            (r.originator_id, d["title_zh"], d["title_en"], f"{d['abstract_zh']} {d['abstract_en']}",
             list(d["ipc_codes"])))
        # A re-registration may change the titles or codes its listings are matched on.
        curs.execute("SELECT id FROM matching_listings WHERE patent_id = %s ORDER BY id", (r.originator_id,))
        for row in curs.fetchall():
            self._refresh_patent_facts(curs, str(row["id"]), r.originator_id)

    @staticmethod
    def _patent_row(curs: Cursor[DictRow], patent_id: str) -> dict[str, Any]:
        curs.execute("SELECT title_zh, title_en, abstract, ipc_codes FROM matching_patents WHERE id = %s",
                     (patent_id,))
        row = curs.fetchone()
        return dict(row) if row else {"title_zh": "", "title_en": "", "abstract": "", "ipc_codes": []}

    def _write_listing(self, curs: Cursor[DictRow], listing_id: str, patent_id: str, organisation_id: str,
                       status: str, terms: dict[str, Any]) -> None:
        patent = self._patent_row(curs, patent_id)
        key, full = listing_texts(patent, terms)
        row: dict[str, Any] = {}
        apply_terms(row, terms)
        price = row["price_amount"] if row["currency"] == "CNY" else None
        facts = ListingFacts(ipc_codes=tuple(patent["ipc_codes"]), key_text=key, full_text=full, price=price,
                             maturity=terms["maturity"])
        curs.execute(
            "INSERT INTO matching_listings (id, patent_id, organisation_id, status, title_zh, title_en, ipc_codes,"
            " subclasses, key_text, full_text, key_tokens, full_tokens, price, maturity, terms)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, title_zh = EXCLUDED.title_zh,"
            " title_en = EXCLUDED.title_en, ipc_codes = EXCLUDED.ipc_codes, subclasses = EXCLUDED.subclasses,"
            " key_text = EXCLUDED.key_text, full_text = EXCLUDED.full_text, key_tokens = EXCLUDED.key_tokens,"
            " full_tokens = EXCLUDED.full_tokens, price = EXCLUDED.price, maturity = EXCLUDED.maturity,"
            " terms = EXCLUDED.terms",
            (listing_id, patent_id, organisation_id, status, patent["title_zh"], patent["title_en"],
             list(facts.ipc_codes), list(facts.subclasses), key, full, sorted(facts.key_tokens),
             sorted(facts.full_tokens), price, facts.maturity, json.dumps(terms, ensure_ascii=False)))
        self._match_listing(curs, listing_id, status, facts)

    def _refresh_patent_facts(self, curs: Cursor[DictRow], listing_id: str, patent_id: str) -> None:
        curs.execute("SELECT organisation_id, status, terms FROM matching_listings WHERE id = %s", (listing_id,))
        row = curs.fetchone()
        if row is not None:
            self._write_listing(curs, listing_id, patent_id, str(row["organisation_id"]), row["status"],
                                dict(row["terms"]))

    def _drafted(self, curs: Cursor[DictRow], r: EventRecord) -> None:
        d = r.data
        self._write_listing(curs, r.originator_id, plain(d["patent_id"]), plain(d["organisation_id"]), "draft",
                            plain(d["terms"]))

    def _revised(self, curs: Cursor[DictRow], r: EventRecord) -> None:
        curs.execute("SELECT patent_id, organisation_id, status FROM matching_listings WHERE id = %s",
                     (r.originator_id,))
        row = curs.fetchone()
        if row is not None:
            self._write_listing(curs, r.originator_id, str(row["patent_id"]), str(row["organisation_id"]),
                                row["status"], plain(r.data["terms"]))

    def _status(self, curs: Cursor[DictRow], r: EventRecord, status: str) -> None:
        curs.execute(f"UPDATE matching_listings SET status = %s WHERE id = %s RETURNING {LISTING_FACTS}",  # noqa: S608
                     (status, r.originator_id))
        row = curs.fetchone()
        if row is not None:
            self._match_listing(curs, r.originator_id, status, listing_facts(dict(row)))

    def _match_listing(self, curs: Cursor[DictRow], listing_id: str, status: str, facts: ListingFacts) -> None:
        curs.execute("DELETE FROM matching_matches WHERE listing_id = %s", (listing_id,))
        if status != "published":
            return
        curs.execute(DEMAND_CANDIDATES, (list(facts.subclasses), sorted(facts.full_tokens),
                                         sorted(facts.key_tokens)))
        rows = [(str(d["id"]), *score(demand_facts(dict(d)), facts)) for d in curs.fetchall()]
        self._insert(curs, [(demand, listing_id, points, reasons) for demand, points, reasons in rows if points])

    # --- demands -------------------------------------------------------------------------------------
    def _posted(self, curs: Cursor[DictRow], r: EventRecord) -> None:
        d = plain(r.data)
        f = d["details"]
        key, full = demand_texts(f)
        facts = DemandFacts(ipc_codes=tuple(d["ipc_codes"]), key_text=key, full_text=full,
                            budget_min=f["budget_min"], budget_max=f["budget_max"], wants=tuple(f["wants"]))
        curs.execute(
            "INSERT INTO matching_demands (id, organisation_id, status, visibility, title_zh, title_en, closes_at,"
            " ipc_codes, subclasses, key_text, full_text, key_tokens, full_tokens, budget_min, budget_max, wants)"
            " VALUES (%s, %s, 'open', %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (r.originator_id, d["organisation_id"], f["visibility"], f["title_zh"], f["title_en"],
             closes_at(date.fromisoformat(f["deadline"])), list(facts.ipc_codes), list(facts.subclasses), key,
             full, sorted(facts.key_tokens), sorted(facts.full_tokens), facts.budget_min, facts.budget_max,
             list(facts.wants)))
        curs.execute(LISTING_CANDIDATES, (list(facts.subclasses), sorted(facts.key_tokens),
                                          sorted(facts.full_tokens)))
        rows = [(str(x["id"]), *score(facts, listing_facts(dict(x)))) for x in curs.fetchall()]
        self._insert(curs, [(r.originator_id, listing, points, reasons) for listing, points, reasons in rows
                            if points])

    @staticmethod
    def _awarded(curs: Cursor[DictRow], r: EventRecord) -> None:
        curs.execute("UPDATE matching_demands SET status = 'awarded' WHERE id = %s", (r.originator_id,))
        curs.execute("DELETE FROM matching_matches WHERE demand_id = %s", (r.originator_id,))

    @staticmethod
    def _insert(curs: Cursor[DictRow], rows: list[tuple[str, str, int, list[dict[str, Any]]]]) -> None:
        if rows:
            curs.executemany(INSERT_MATCH, [(d, x, p, json.dumps(why, ensure_ascii=False)) for d, x, p, why in rows])
