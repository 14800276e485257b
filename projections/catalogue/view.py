"""Catalogue read model, writing side: patents, their status history, and listing pages.

Each page of events is folded in Python over the rows it touches (loaded once), then the
changed rows are upserted in bulk, so a rebuild costs a few statements per page rather than
several per event. Listing rows copy the patent facts they show and search on, and are
refreshed whenever their patent changes. Every value derives from the events alone (times are
event timestamps), so a rebuild reproduces identical rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic
from psycopg import Cursor
from psycopg.rows import DictRow

from domain.catalogue.listing import Listing
from domain.catalogue.patent import Patent
from projections.catalogue.claims import CLAIM, CLAIM_TOPICS, apply_claims
from projections.shared.base import FoldingView, fetch_rows
from projections.shared.records import EventRecord, plain
from projections.shared.rows import encoded_jsonb, json_bytes, json_text
from projections.shared.search import joined_index_parts, number_lexemes, part
from projections.shared.topics import event_topics

PATENT = get_topic(Patent)

PATENT_COLUMNS = (
    "id", "number_key", "jurisdiction", "application_number", "publication_number", "patent_type",
    "title_zh", "title_en", "abstract_zh", "abstract_en", "ipc_codes", "filing_date", "publication_date",
    "grant_date", "expiry_date", "legal_status", "owners", "owner_ids", "inventors", "public_funding",
    "source", "active_listing_id", "registered_at", "updated_at", "version",
    "registration_status", "registrant_organisation_id", "unconfirmed_owner_ids",
    "open_deal_ids", "sale_reserved",
)
LISTING_COLUMNS = (
    "id", "patent_id", "organisation_id", "organisation_name", "status", "deal_types", "price_mode",
    "asking_price", "price_amount", "currency", "open_licence", "maturity", "trl", "advantages",
    "applications", "keywords", "title_zh", "title_en", "jurisdiction", "patent_number", "patent_type",
    "legal_status", "ipc_codes", "ipc_sections", "ipc_classes", "drafted_at", "published_at",
    "updated_at", "version",
)
COLUMN_TYPES = {
    "id": "uuid", "number_key": "text", "jurisdiction": "text", "application_number": "text",
    "publication_number": "text", "patent_type": "text", "title_zh": "text", "title_en": "text",
    "abstract_zh": "text", "abstract_en": "text", "ipc_codes": "text[]", "filing_date": "date",
    "publication_date": "date", "grant_date": "date", "expiry_date": "date", "legal_status": "text",
    "owners": "jsonb", "owner_ids": "uuid[]", "inventors": "jsonb", "public_funding": "jsonb", "source": "text",
    "active_listing_id": "uuid", "registered_at": "timestamptz", "updated_at": "timestamptz", "version": "integer",
    "patent_id": "uuid", "organisation_id": "uuid", "organisation_name": "text", "status": "text",
    "deal_types": "text[]", "price_mode": "text", "asking_price": "bigint", "price_amount": "bigint",
    "currency": "text", "open_licence": "jsonb", "maturity": "text", "trl": "integer", "advantages": "text",
    "applications": "text", "keywords": "text[]", "patent_number": "text", "ipc_sections": "text[]",
    "ipc_classes": "text[]", "drafted_at": "timestamptz", "published_at": "timestamptz",
    "registration_status": "text", "registrant_organisation_id": "uuid", "unconfirmed_owner_ids": "uuid[]",
    "open_deal_ids": "uuid[]", "sale_reserved": "boolean",
    # the search vector's parts: Latin text for the english configuration, CJK bigrams as lexemes
    "latin_a": "text", "cjk_a": "text", "latin_b": "text", "cjk_b": "text",
}
SEARCH_PARTS = ("latin_a", "cjk_a", "latin_b", "cjk_b")
#: Rows of a page beyond which their texts outgrow the token cache (``joined_index_parts``, 8,192 texts).
BIG_PAGE_ROWS = 500


def _lexemes(tokens: str) -> str:
    """SQL of the tsvector of ``tokens``, lexemes joined by single spaces (``joined_index_parts``); '': none."""
    return f"array_to_tsvector(string_to_array({tokens}, ' '))"


def _upsert_sql(table: str, columns: Sequence[str]) -> str:
    """One statement upserts a whole page of rows sent as a JSON array (msgspec encodes it in
    microseconds; binding tens of thousands of parameters costs psycopg far more)."""
    cols = ", ".join(columns)
    picked = ", ".join(f"r.{c}" for c in columns)
    record = ", ".join(f"{c} {COLUMN_TYPES[c]}" for c in (*columns, *SEARCH_PARTS))
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in (*columns[1:], "search"))
    return (
        f"INSERT INTO {table} ({cols}, search)"  # noqa: S608 - constants only
        f" SELECT {picked}, setweight(to_tsvector('english', r.latin_a) || {_lexemes('r.cjk_a')}, 'A')"
        f" || setweight(to_tsvector('english', r.latin_b) || {_lexemes('r.cjk_b')}, 'B')"
        f" FROM jsonb_to_recordset(%s::jsonb) AS r({record}) ON CONFLICT (id) DO UPDATE SET {updates}"
    )


UPSERT_PATENT = _upsert_sql("catalogue_patents", PATENT_COLUMNS)
UPSERT_LISTING = _upsert_sql("catalogue_listings", LISTING_COLUMNS)
UPSERT_FACET = (
    "INSERT INTO catalogue_listing_facets (status, facet, value, listings)"
    " SELECT * FROM unnest(%s::text[], %s::text[], %s::text[], %s::integer[])"
    " ON CONFLICT (status, facet, value) DO UPDATE"
    " SET listings = catalogue_listing_facets.listings + EXCLUDED.listings"
)
# The chain of title (an assignment in force, its registration with the office, its reversal after a
# refund) and the licence register (reserved with the contract's draft, active in force, ended).
INSERT_TRANSFER = (
    "INSERT INTO catalogue_ownership_history (patent_id, version, contract_id, from_owners, to_owners,"
    " transferred_at) VALUES (%s, %s, %s, %s::jsonb, %s::jsonb, %s) ON CONFLICT DO NOTHING"
)
REGISTER_TRANSFER = (
    "UPDATE catalogue_ownership_history SET registration_reference = %s, registered_at = %s"
    " WHERE patent_id = %s AND contract_id = %s"
)
REVERT_TRANSFER = (
    "UPDATE catalogue_ownership_history SET reverted_at = %s, revert_reason = %s"
    " WHERE patent_id = %s AND contract_id = %s AND reverted_at IS NULL"
)
INSERT_LICENCE = (
    "INSERT INTO catalogue_licences (contract_id, patent_id, licensee_organisation_id, kind, field_of_use,"
    " territory, starts_on, ends_on, status, granted_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, 'granted', %s)"
    " ON CONFLICT (contract_id) DO NOTHING"
)
ACTIVATE_LICENCE = "UPDATE catalogue_licences SET status = 'active', activated_at = %s WHERE contract_id = %s"
END_LICENCE = (
    "UPDATE catalogue_licences SET status = 'ended', ended_at = %s, end_reason = %s WHERE contract_id = %s"
)
# A page's status history in one statement (a rebuild registers thousands of patents a page): one array a column.
INSERT_HISTORY = (
    "INSERT INTO catalogue_status_history (patent_id, version, legal_status, effective_date, reason, by_user,"
    " recorded_at) SELECT * FROM unnest(%s::uuid[], %s::integer[], %s::text[], %s::date[], %s::text[], %s::uuid[],"
    " %s::timestamptz[]) ON CONFLICT DO NOTHING"
)


#: Events of a patent's deals the catalogue follows for its negotiation state, chain of title and licences.
DEAL_EVENTS = frozenset({"DealOpened", "DealClosed", "SaleReserved", "SaleReservationEnded", "TransferRegistered",
                         "LicenceGranted", "LicenceActivated", "LicenceEnded"})


def _sections_and_classes(codes: Sequence[str]) -> tuple[list[str], list[str]]:
    sections = sorted({c[:1] for c in codes if c})
    classes = sorted({c[:3] for c in codes if len(c) >= 3})
    return sections, classes


FacetKey = tuple[str, str, str]


def facet_keys(row: dict[str, Any] | None) -> list[FacetKey]:
    """The facet counters a listing row contributes to: (its status, facet, value)."""
    if row is None:
        return []
    status = row["status"]
    sections, classes = _sections_and_classes(row["ipc_codes"])
    keys = [(status, "status", status), (status, "maturity", row["maturity"])]
    keys += [(status, "ipc_section", v) for v in sections]
    keys += [(status, "ipc_class", v) for v in classes]
    keys += [(status, "deal_type", v) for v in row["deal_types"]]
    return keys


def patent_row(r: EventRecord) -> dict[str, Any]:
    d = r.data
    owners = plain(d["owners"])
    return {
        "id": r.originator_id, "number_key": d["number_key"], "jurisdiction": d["jurisdiction"],
        "application_number": d["application_number"], "publication_number": d["publication_number"],
        "patent_type": d["patent_type"], "title_zh": d["title_zh"], "title_en": d["title_en"],
        "abstract_zh": d["abstract_zh"], "abstract_en": d["abstract_en"], "ipc_codes": d["ipc_codes"],
        "filing_date": d["filing_date"], "publication_date": d["publication_date"], "grant_date": d["grant_date"],
        "expiry_date": d["expiry_date"], "legal_status": d["legal_status"], "owners": owners,
        "owner_ids": [UUID(o["organisation_id"]) for o in owners if o["organisation_id"]],
        "inventors": d["inventors"], "public_funding": d["public_funding"], "source": d["source"],
        "active_listing_id": None, "registered_at": r.timestamp, "updated_at": r.timestamp, "version": r.version,
        # Absent from events stored before registrations were checked: active, nothing to confirm.
        "registration_status": "active", "registrant_organisation_id": plain(d.get("registrant_organisation_id")),
        "unconfirmed_owner_ids": list(d.get("unconfirmed_owner_ids") or []),
        "open_deal_ids": [], "sale_reserved": False,
    }


def listing_row(r: EventRecord, patent: dict[str, Any]) -> dict[str, Any]:
    d = r.data
    org_id = plain(d["organisation_id"])
    row: dict[str, Any] = {
        "id": r.originator_id, "patent_id": plain(d["patent_id"]), "organisation_id": org_id,
        "status": "draft", "drafted_at": r.timestamp, "published_at": None,
        "updated_at": r.timestamp, "version": r.version,
    }
    apply_terms(row, d["terms"])
    copy_patent_facts(row, patent)
    return row


def apply_terms(row: dict[str, Any], terms: dict[str, Any]) -> None:
    open_licence = terms["open_licence"]
    price = terms["asking_price"]
    if price is None and open_licence is not None:
        price = open_licence["fee"]
    row.update(
        deal_types=terms["deal_types"], price_mode=terms["price_mode"], asking_price=terms["asking_price"],
        price_amount=price, currency=terms["currency"], open_licence=open_licence, maturity=terms["maturity"],
        trl=terms["trl"], advantages=terms["advantages"], applications=terms["applications"],
        keywords=terms["keywords"],
    )


def copy_patent_facts(row: dict[str, Any], patent: dict[str, Any]) -> None:
    org_id = str(row["organisation_id"])
    # After an assignment the lister is no longer an owner: the listing keeps the name it had.
    kept = row.get("organisation_name", "")
    name = next((o["name"] for o in patent["owners"] if o["organisation_id"] == org_id), kept)
    sections, classes = _sections_and_classes(patent["ipc_codes"])
    row.update(
        organisation_name=name, title_zh=patent["title_zh"], title_en=patent["title_en"],
        jurisdiction=patent["jurisdiction"],
        patent_number=patent["publication_number"] or patent["application_number"] or "",
        patent_type=patent["patent_type"], legal_status=patent["legal_status"], ipc_codes=patent["ipc_codes"],
        ipc_sections=sections, ipc_classes=classes,
        # Kept only for the search vector, never stored as columns of the listing.
        _abstract=(patent["abstract_zh"], patent["abstract_en"]),
        _owners=" ".join(o["name"] for o in patent["owners"]),
        _numbers=(patent["application_number"], patent["publication_number"]),
    )


Memo = dict[str, tuple[str, tuple[str, ...]]]


def _with_search(
    row: dict[str, Any], columns: Sequence[str], a: Sequence[str], b: Sequence[str], numbers: Sequence[str | None] = (),
    memo: Memo | None = None,
) -> dict[str, Any]:
    """The row's columns and its search vector's parts for texts ``a`` and ``b`` (each ``" ".join`` of its parts)."""
    latin_a, cjk_a = joined_index_parts(a, memo)
    # A patent's numbers, as typed with or without office, dot, check character or kind code, rank as titles.
    cjk_a = " ".join(filter(None, (cjk_a, *number_lexemes(*numbers))))
    latin_b, cjk_b = joined_index_parts(b, memo)
    return {**{c: row[c] for c in columns}, "latin_a": latin_a, "cjk_a": cjk_a, "latin_b": latin_b, "cjk_b": cjk_b}


def patent_params(row: dict[str, Any], memo: Memo | None = None) -> dict[str, Any]:
    title = (row["title_zh"], row["title_en"])
    rest = (
        row["abstract_zh"], row["abstract_en"], row["publication_number"] or "", row["application_number"] or "",
        " ".join(o["name"] for o in row["owners"]), " ".join(i["name"] for i in row["inventors"]),
    )
    return _with_search(row, PATENT_COLUMNS, title, rest,
                        (row["application_number"], row["publication_number"]), memo)


def listing_params(row: dict[str, Any], patent: dict[str, Any], memo: Memo | None = None) -> dict[str, Any]:
    if "_abstract" not in row:
        copy_patent_facts(row, patent)
    title = (row["title_zh"], row["title_en"], " ".join(row["keywords"]))
    rest = (*row["_abstract"], row["advantages"], row["applications"], row["_owners"], row["patent_number"])
    return _with_search(row, LISTING_COLUMNS, title, rest, row["_numbers"], memo)


def facet_changes(before: dict[str, list[FacetKey]], after: dict[str, list[FacetKey]]) -> list[tuple[Any, ...]]:
    """How each facet counter moves when the changed listings' contributions move from ``before`` to ``after``."""
    delta: Counter[FacetKey] = Counter()
    for keys in before.values():
        delta.subtract(keys)
    for keys in after.values():
        delta.update(keys)
    return [(*key, n) for key, n in sorted(delta.items()) if n]


#: The rows a page read or wrote, by id: (patents, listings).
Rows = tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]
#: Keys ``copy_patent_facts`` adds to a listing's row for its search vector only (never columns).
_SEARCH_ONLY = ("_abstract", "_owners", "_numbers")


@dataclass(frozen=True)
class CatalogueWrites:
    """What one page writes (``PostgresCatalogueView.fold``), ready to send: nothing in it reads the tables."""

    claims: list[EventRecord]
    patents: bytes | None  # a JSON array of patent rows with their search parts
    listings: bytes | None
    history: list[list[Any]]  # one list per column of catalogue_status_history
    register: list[tuple[str, tuple[Any, ...]]]  # the chain of title's and licence register's, in log order
    facets: list[tuple[Any, ...]]  # (status, facet, value, change)


def listings_by_patent(listings: dict[str, dict[str, Any]]) -> dict[str, list[str]]:
    """The page's listings of each patent (in the page's order), kept as listings are drafted: a patent's event
    finds its listings without scanning the page (a page of legal-status changes was quadratic)."""
    of: dict[str, list[str]] = {}
    for listing_id, listing in listings.items():
        of.setdefault(str(listing["patent_id"]), []).append(listing_id)
    return of


class PostgresCatalogueView(FoldingView["CatalogueWrites", "Rows"]):
    """Writes ``catalogue_patents``, ``catalogue_status_history`` and ``catalogue_listings``."""

    name = "catalogue"
    tables = ("catalogue_patents", "catalogue_status_history", "catalogue_listings", "catalogue_listing_facets",
              "catalogue_ownership_claims", "catalogue_ownership_history", "catalogue_licences")
    topics = (
        event_topics(Patent, "Registered", "LegalStatusChanged", "ListingOpened", "ListingClosed",
                     "OwnershipTransferred", "OwnershipReverted", "CoOwnershipConfirmed", "CoOwnershipDeclined",
                     "RegistrationWithdrawn", "Reregistered",
                     "DealOpened", "DealClosed", "SaleReserved", "SaleReservationEnded", "TransferRegistered",
                     "LicenceGranted", "LicenceActivated", "LicenceEnded", "FundingRecorded")
        | event_topics(Listing, "Drafted", "Revised", "Published", "Withdrawn", "Suspended", "Resumed", "Closed",
                       "DealTypesRestricted", "DealTypesRestored")
        | CLAIM_TOPICS
    )

    def prepare(self, records: Sequence[EventRecord]) -> Memo:
        """The search tokens of the texts the page's new patents and listing terms bring (``part`` of each,
        so the rows are those :meth:`apply` would cut itself), cut in the reading thread."""
        texts: list[str] = []
        for r in records:
            d = r.data
            if r.topic.startswith(PATENT):
                if r.topic.endswith((".Registered", ".Reregistered")):
                    owners = " ".join(o["name"] for o in d["owners"])
                    texts += (d["title_zh"], d["title_en"], d["abstract_zh"], d["abstract_en"], owners,
                              d["publication_number"] or "", d["application_number"] or "",
                              " ".join(i["name"] for i in d["inventors"]))
            elif r.topic.endswith((".Drafted", ".Revised")) and not r.topic.startswith(CLAIM):
                terms = d["terms"]
                texts += (" ".join(terms["keywords"]), terms["advantages"], terms["applications"])
        return {text: part(text) for text in texts if isinstance(text, str)}

    def fold(self, curs: Cursor[DictRow], records: Sequence[EventRecord],
             carry: Rows | None = None) -> tuple[CatalogueWrites, Rows]:
        """What the page writes, and every row it read or wrote (``carry`` for the next page): the rows it
        touches are read (from ``carry``, the previous page's, when that page may not be committed yet), folded
        over its events, and sent as one JSON array per table."""
        claims = [r for r in records if r.topic.startswith(CLAIM)]
        records = [r for r in records if not r.topic.startswith(CLAIM)]
        patents, listings = self._load(curs, records, carry)
        before = {listing_id: facet_keys(row) for listing_id, row in listings.items()}
        listings_of = listings_by_patent(listings)
        changed_patents: set[str] = set()
        changed_listings: set[str] = set()
        history: list[tuple[Any, ...]] = []
        register: list[tuple[str, tuple[Any, ...]]] = []
        for r in records:
            event = r.topic.rsplit(".", 1)[1]
            if r.topic.startswith(PATENT):
                self._fold_patent(r, event, patents, listings, changed_listings, history, listings_of)
                register.extend(self._register_statements(r, event))
                changed_patents.add(r.originator_id)
            else:
                self._fold_listing(r, event, patents, listings, listings_of)
                changed_listings.add(r.originator_id)
        # More texts than the process's token cache holds (a bulk page): the page keeps its own.
        memo: Memo | None = self.prepared()
        if memo is None and len(changed_patents) + len(changed_listings) > BIG_PAGE_ROWS:
            memo = {}
        patent_page = [patent_params(patents[i], memo) for i in sorted(changed_patents)]
        listing_page = [listing_params(listings[i], patents[str(listings[i]["patent_id"])], memo)
                        for i in sorted(changed_listings)]
        writes = CatalogueWrites(
            claims=claims,
            patents=json_bytes(patent_page) if patent_page else None,
            listings=json_bytes(listing_page) if listing_page else None,
            history=[list(column) for column in zip(*history, strict=True)],
            register=register,
            facets=facet_changes({i: before.get(i, []) for i in changed_listings},
                                 {i: facet_keys(listings[i]) for i in changed_listings}),
        )
        for row in listings.values():  # what the search vector took from the patent: read again from it next time
            for key in _SEARCH_ONLY:
                row.pop(key, None)
        return writes, (patents, listings)

    def write(self, curs: Cursor[DictRow], writes: CatalogueWrites) -> None:
        apply_claims(curs, writes.claims)
        # The server writes the patents (search vectors, indexes) while the listings' array is sent: in a
        # pipeline each statement is sent at once and the results are read when the block ends.
        with curs.connection.pipeline():
            if writes.patents is not None:
                curs.execute(UPSERT_PATENT, (encoded_jsonb(writes.patents),))
            if writes.listings is not None:
                curs.execute(UPSERT_LISTING, (encoded_jsonb(writes.listings),))
            if writes.history:
                curs.execute(INSERT_HISTORY, writes.history)
            for statement, params in writes.register:  # in log order: a licence is reserved before activated
                curs.execute(statement, params)
            if writes.facets:  # one statement for the page's counters, not one per counter
                curs.execute(UPSERT_FACET, [list(column) for column in zip(*writes.facets, strict=True)])
                # A counter that reaches zero goes, so incremental and rebuilt tables hold the same rows.
                curs.execute("DELETE FROM catalogue_listing_facets WHERE listings = 0")

    @staticmethod
    def _load(curs: Cursor[DictRow], records: Sequence[EventRecord], carry: Rows | None = None) -> Rows:
        """The rows ``records`` touch: from ``carry`` (the previous page's rows, which may not be committed yet)
        where it has them, else from the tables."""
        patent_ids: set[str] = set()
        listing_ids: set[str] = set()
        status_changed: set[str] = set()
        for r in records:
            if r.topic.startswith(PATENT):
                patent_ids.add(r.originator_id)
                if r.topic.endswith(".LegalStatusChanged"):
                    status_changed.add(r.originator_id)
            else:
                listing_ids.add(r.originator_id)
                if r.topic.endswith(".Drafted"):
                    patent_ids.add(plain(r.data["patent_id"]))
        kept_patents, kept_listings = carry or ({}, {})

        def patent_rows(ids: set[str]) -> dict[str, dict[str, Any]]:
            rows = {i: kept_patents[i] for i in ids if i in kept_patents}
            for p in fetch_rows(curs, "catalogue_patents", "id", sorted(ids - rows.keys()), PATENT_COLUMNS):
                rows[str(p["id"])] = dict(p)
            return rows

        patents = patent_rows(patent_ids)
        listings = {i: kept_listings[i] for i in listing_ids if i in kept_listings}
        for x in fetch_rows(curs, "catalogue_listings", "id", sorted(listing_ids - listings.keys()), LISTING_COLUMNS):
            listings[str(x["id"])] = dict(x)
        if status_changed:
            for x in fetch_rows(curs, "catalogue_listings", "patent_id", sorted(status_changed), LISTING_COLUMNS):
                listings.setdefault(str(x["id"]), dict(x))
            for i, x in kept_listings.items():  # newer than the table's, or not in it yet
                if str(x["patent_id"]) in status_changed:
                    listings[i] = x
        patents.update(patent_rows({str(x["patent_id"]) for x in listings.values()} - patents.keys()))
        for p in patents.values():
            p["id"] = str(p["id"])
        return patents, listings

    @staticmethod
    def _fold_patent(
        r: EventRecord,
        event: str,
        patents: dict[str, dict[str, Any]],
        listings: dict[str, dict[str, Any]],
        changed_listings: set[str],
        history: list[tuple[Any, ...]],
        listings_of: dict[str, list[str]],
    ) -> None:
        d = r.data
        if event in ("Registered", "Reregistered"):
            if event == "Reregistered":  # the same number: the record's key stays
                r = r._replace(data={**d, "number_key": patents[r.originator_id]["number_key"]})
            patents[r.originator_id] = patent_row(r)
            effective = d["grant_date"] if d["legal_status"] == "granted" else d["filing_date"]
            history.append((r.originator_id, r.version, d["legal_status"], effective, event.lower(),
                            plain(d["by"]), r.timestamp))
            return
        row = patents[r.originator_id]
        if event in DEAL_EVENTS:
            # Deals on the patent: kept apart from the record's version and time (their answers stay as
            # they were before these events were followed; the register's rows carry their own times).
            if event == "DealOpened":
                row["open_deal_ids"] = [*row["open_deal_ids"], UUID(plain(d["offer_id"]))]
            elif event == "DealClosed":
                row["open_deal_ids"] = [o for o in row["open_deal_ids"] if str(o) != plain(d["offer_id"])]
            elif event in ("SaleReserved", "SaleReservationEnded"):
                row["sale_reserved"] = event == "SaleReserved"
            return
        if event == "LegalStatusChanged":
            row["legal_status"] = d["status"]
            history.append((r.originator_id, r.version, d["status"], d["effective_date"], d["reason"],
                            plain(d["by"]), r.timestamp))
            for listing_id in listings_of.get(r.originator_id, ()):
                copy_patent_facts(listings[listing_id], row)
                changed_listings.add(listing_id)
        elif event == "ListingOpened":
            row["active_listing_id"] = plain(d["listing_id"])
        elif event == "ListingClosed":
            row["active_listing_id"] = None
        elif event in ("OwnershipTransferred", "OwnershipReverted"):
            row["owners"] = plain(d["owners"])
            row["owner_ids"] = [UUID(o["organisation_id"]) for o in row["owners"] if o["organisation_id"]]
        elif event == "FundingRecorded":
            row["public_funding"] = plain(d["public_funding"])
        elif event in ("CoOwnershipConfirmed", "CoOwnershipDeclined"):
            answered = plain(d["organisation_id"])
            row["unconfirmed_owner_ids"] = [o for o in row["unconfirmed_owner_ids"] if str(o) != answered]
        elif event == "RegistrationWithdrawn":
            row.update(registration_status="withdrawn", owners=[], owner_ids=[], unconfirmed_owner_ids=[])
            history.append((r.originator_id, r.version, row["legal_status"], None,
                            f"registration withdrawn: {d['reason']}", plain(d["by"]), r.timestamp))
        row["updated_at"] = r.timestamp
        row["version"] = r.version

    @staticmethod
    def _register_statements(r: EventRecord, event: str) -> list[tuple[str, tuple[Any, ...]]]:
        """The chain of title's and the licence register's writes for one event of a patent."""
        d = r.data
        patent = r.originator_id
        contract = plain(d.get("contract_id"))
        statement: tuple[str, tuple[Any, ...]] | None = None
        if event == "OwnershipTransferred":
            previous, owners = json_text(plain(d["previous_owners"])), json_text(plain(d["owners"]))
            statement = (INSERT_TRANSFER, (patent, r.version, contract, previous, owners, r.timestamp))
        elif event == "TransferRegistered":
            statement = (REGISTER_TRANSFER, (d["reference"], r.timestamp, patent, contract))
        elif event == "OwnershipReverted":
            statement = (REVERT_TRANSFER, (r.timestamp, d["reason"], patent, contract))
        elif event == "LicenceGranted":
            scope = d["scope"]
            statement = (INSERT_LICENCE, (contract, patent, plain(d["licensee_organisation_id"]), d["kind"],
                                          scope["field_of_use"], scope["territory"], scope["start"], scope["end"],
                                          r.timestamp))
        elif event == "LicenceActivated":
            statement = (ACTIVATE_LICENCE, (r.timestamp, contract))
        elif event == "LicenceEnded":
            statement = (END_LICENCE, (r.timestamp, d["reason"], contract))
        return [statement] if statement else []

    @staticmethod
    def _fold_listing(
        r: EventRecord, event: str, patents: dict[str, dict[str, Any]], listings: dict[str, dict[str, Any]],
        listings_of: dict[str, list[str]],
    ) -> None:
        d = r.data
        if event == "Drafted":
            listings[r.originator_id] = row = listing_row(r, patents[plain(d["patent_id"])])
            listings_of.setdefault(str(row["patent_id"]), []).append(r.originator_id)
            return
        row = listings[r.originator_id]
        # The patent's facts as they stand at this event (not at the end of the page, which a later
        # event of the patent, such as a re-registration, may have changed): rows do not depend on paging.
        copy_patent_facts(row, patents[str(row["patent_id"])])
        if event == "Revised":
            apply_terms(row, d["terms"])
        elif event == "Published":
            row["status"] = "published"
            row["published_at"] = row["published_at"] or r.timestamp
        elif event == "Withdrawn":
            row["status"] = "withdrawn"
        elif event == "Suspended":
            row["status"] = "suspended"
        elif event == "Resumed":
            row["status"] = d["status"]
        elif event == "Closed":  # sold: the assignment came into force
            row["status"] = "closed"
        elif event == "DealTypesRestricted":  # an exclusive or sole licence excludes these
            row["deal_types"] = [t for t in row["deal_types"] if t not in d["removed"]]
        elif event == "DealTypesRestored":
            row["deal_types"] = [*row["deal_types"], *d["restored"]]
        row["updated_at"] = r.timestamp
        row["version"] = r.version
