"""The valuation read model's patent fields and open licences, folded over a page and written at its end.

A catch-up after an import meets three such events per listing (its patent registered, the listing drafted and
published). Sent as a statement each, they had the server run hundreds of thousands of statements; here a page
leaves one row per patent and per listing, written in a statement per table (a JSON array of rows, as the
catalogue writes its pages). Each row is what the statements one after another would have left:

* a patent registered (or registered again) sets all of its fields, the last event of the page winning;
* a listing drafted in the page is inserted with what the page's later events changed;
* a listing drafted before the page has only the columns its events set updated (grouped by those columns, one
  statement per group); a listing the table does not hold stays absent, as an ``UPDATE`` would leave it.

No other statement of the valuation view reads these two tables, so writing them at the page's end, in the page's
transaction, changes nothing the page's other statements see.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from psycopg import Cursor
from psycopg.rows import DictRow

from domain.catalogue.ipc import parse_ipc
from domain.shared.errors import DomainError
from projections.shared.records import EventRecord, plain
from projections.shared.rows import checked, encoded_jsonb, insert_json_page, json_bytes, json_page_columns

PATENT_FIELDS = {
    "patent_id": "uuid", "patent_number": "text", "title_zh": "text", "title_en": "text", "ipc_codes": "text[]",
    "main_groups": "text[]", "subclasses": "text[]", "classes": "text[]",
}
OPEN_LICENCE = {
    "listing_id": "uuid", "patent_id": "uuid", "status": "text", "fee": "bigint", "currency": "text",
    "royalty_rate": "integer", "term_years": "integer", "offered": "boolean", "updated_at": "timestamptz",
}
#: The open licence's own columns: null when the listing offers none.
_OPEN_TERMS = frozenset({"fee", "currency", "royalty_rate", "term_years"})
LISTING_STATUS = {"Published": "published", "Withdrawn": "withdrawn", "Suspended": "suspended", "Closed": "closed"}


def ipc_fields(codes: Sequence[str]) -> tuple[list[str], list[str], list[str]]:
    """The main groups (``H01M 10/00``), subclasses (``H01M``) and classes (``H01``) of the codes."""
    groups: set[str] = set()
    subclasses: set[str] = set()
    classes: set[str] = set()
    for text in codes:
        try:
            code = parse_ipc(text)
        except DomainError:
            continue
        if code.main_group_code:
            groups.add(code.main_group_code)
        if code.subclass_code:
            subclasses.add(code.subclass_code)
        if code.class_code:
            classes.add(code.class_code)
    return sorted(groups), sorted(subclasses), sorted(classes)


UPSERT_PATENT_FIELDS = (
    insert_json_page("valuation_patent_fields", PATENT_FIELDS)
    + " ON CONFLICT (patent_id) DO UPDATE SET patent_number = EXCLUDED.patent_number,"
    " title_zh = EXCLUDED.title_zh, title_en = EXCLUDED.title_en, ipc_codes = EXCLUDED.ipc_codes,"
    " main_groups = EXCLUDED.main_groups, subclasses = EXCLUDED.subclasses, classes = EXCLUDED.classes"
)
INSERT_OPEN_LICENCES = insert_json_page("valuation_open_licences", OPEN_LICENCE)


@functools.cache
def update_open_licences(names: tuple[str, ...]) -> str:
    """Set the columns ``names`` of the open licences of a JSON array of rows (``listing_id`` and those columns)."""
    assignments = ", ".join(f"{name} = r.{name}" for name in names)
    return (
        f"UPDATE valuation_open_licences t SET {assignments}"  # noqa: S608 - the column names are ours
        f" FROM jsonb_to_recordset(%s::jsonb) AS r({json_page_columns(OPEN_LICENCE, ('listing_id', *names))})"
        " WHERE t.listing_id = r.listing_id"
    )


def open_terms(terms: dict[str, Any]) -> dict[str, Any]:
    """The open licence's columns of a listing's terms (all null: the listing offers none)."""
    ol = terms.get("open_licence")
    if not ol:
        return {"fee": None, "currency": None, "royalty_rate": None, "term_years": None}
    return {"fee": ol.get("fee"), "currency": ol.get("currency") or terms.get("currency") or "CNY",
            "royalty_rate": ol.get("royalty_rate"), "term_years": ol.get("term_years")}


class ListingFactsPage:
    """The patents' fields and the open licences one page of events leaves (see the module)."""

    def __init__(self) -> None:
        self.patents: dict[str, dict[str, Any]] = {}
        self.drafted: dict[str, dict[str, Any]] = {}  # listings drafted in the page: their whole rows
        self.changed: dict[str, dict[str, Any]] = {}  # listings drafted before: the columns the page set

    def patent_registered(self, _curs: Cursor[DictRow], r: EventRecord) -> None:
        d = r.data
        codes = list(d["ipc_codes"])
        groups, subclasses, classes = ipc_fields(codes)
        self.patents.pop(r.originator_id, None)
        self.patents[r.originator_id] = checked({
            "patent_id": r.originator_id,
            "patent_number": d.get("publication_number") or d.get("application_number") or d.get("number_key", ""),
            "title_zh": d["title_zh"], "title_en": d["title_en"], "ipc_codes": codes, "main_groups": groups,
            "subclasses": subclasses, "classes": classes,
        }, PATENT_FIELDS, PATENT_FIELDS)

    def listing_drafted(self, _curs: Cursor[DictRow], r: EventRecord) -> None:
        if r.originator_id in self.drafted:  # as the table's key refused a second insert
            raise ValueError(f"listing {r.originator_id} drafted twice")
        d = plain(r.data)
        self.changed.pop(r.originator_id, None)  # changes before the draft: an update of no row, as they were
        self.drafted[r.originator_id] = checked(
            {"listing_id": r.originator_id, "patent_id": d["patent_id"], "status": "draft", **open_terms(d["terms"]),
             "offered": True, "updated_at": r.timestamp}, OPEN_LICENCE, OPEN_LICENCE, nullable=_OPEN_TERMS)

    def listing_revised(self, _curs: Cursor[DictRow], r: EventRecord) -> None:
        self._set(r.originator_id, **open_terms(plain(r.data["terms"])), updated_at=r.timestamp)

    def listing_status(self, _curs: Cursor[DictRow], r: EventRecord) -> None:
        kind = r.topic.rsplit(".", 1)[1]
        self._set(r.originator_id, status=r.data.get("status") if kind == "Resumed" else LISTING_STATUS[kind],
                  updated_at=r.timestamp)

    def open_licence_offered(self, _curs: Cursor[DictRow], r: EventRecord) -> None:
        """An exclusive or sole licence takes the open licence off the listing; a refund puts it back."""
        restricted = r.topic.endswith(".DealTypesRestricted")
        changed = r.data.get("removed" if restricted else "restored") or []
        if "open_licence" in changed:
            self._set(r.originator_id, offered=not restricted, updated_at=r.timestamp)

    def _set(self, listing_id: str, **columns: Any) -> None:
        checked(columns, OPEN_LICENCE, columns, nullable=_OPEN_TERMS)
        row = self.drafted.get(listing_id)
        (row if row is not None else self.changed.setdefault(listing_id, {})).update(columns)

    def write(self, curs: Cursor[DictRow]) -> None:
        if self.patents:
            curs.execute(UPSERT_PATENT_FIELDS, (encoded_jsonb(json_bytes(list(self.patents.values()))),))
        if self.drafted:
            curs.execute(INSERT_OPEN_LICENCES, (encoded_jsonb(json_bytes(list(self.drafted.values()))),))
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for listing_id, columns in self.changed.items():
            groups.setdefault(tuple(sorted(columns)), []).append({"listing_id": listing_id, **columns})
        for names, rows in sorted(groups.items()):
            curs.execute(update_open_licences(names), (encoded_jsonb(json_bytes(rows)),))
