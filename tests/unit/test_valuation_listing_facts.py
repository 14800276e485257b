"""The valuation read model folds a page's patents and open licences before writing them (``ListingFactsPage``):
an event the table would refuse stops the page at that event, whatever the page's size, as a statement per event
did; a later event of the page must not hide it."""

from __future__ import annotations

from typing import Any

import pytest

from projections.shared.records import EventRecord
from projections.shared.rows import checked
from projections.valuation.listing_facts import OPEN_LICENCE, ListingFactsPage

LISTING = "7f1c2d3e-0000-4000-8000-000000000001"
PATENT = "7f1c2d3e-0000-4000-8000-000000000002"
AT = "2026-12-07T10:00:00+00:00"
TERMS = {"open_licence": {"fee": 1_000_000, "currency": "CNY", "royalty_rate": 300, "term_years": 3}}


def record(topic: str, data: dict[str, Any], version: int = 1, originator: str = LISTING) -> EventRecord:
    return EventRecord(position=version, originator_id=originator, version=version,
                       topic=f"domain.catalogue.listing:Listing.{topic}", timestamp=AT, data=data)


def drafted(page: ListingFactsPage, terms: dict[str, Any] | None = None) -> None:
    page.listing_drafted(None, record("Drafted", {"patent_id": PATENT, "terms": terms or TERMS}))  # type: ignore[arg-type]


def test_changes_of_a_listing_drafted_in_the_page_make_its_row() -> None:
    page = ListingFactsPage()
    drafted(page)
    page.listing_status(None, record("Published", {}, 2))  # type: ignore[arg-type]
    page.open_licence_offered(None, record("DealTypesRestricted", {"removed": ["open_licence"]}, 3))  # type: ignore[arg-type]
    assert page.drafted[LISTING] == {
        "listing_id": LISTING, "patent_id": PATENT, "status": "published", "fee": 1_000_000, "currency": "CNY",
        "royalty_rate": 300, "term_years": 3, "offered": False, "updated_at": AT}
    assert page.changed == {}


def test_a_listing_drafted_before_the_page_gets_every_column_its_events_set() -> None:
    page = ListingFactsPage()
    page.listing_revised(None, record("Revised", {"terms": {}}, 2))  # type: ignore[arg-type]
    page.listing_status(None, record("Withdrawn", {}, 3))  # type: ignore[arg-type]
    assert page.changed[LISTING] == {"fee": None, "currency": None, "royalty_rate": None, "term_years": None,
                                     "status": "withdrawn", "updated_at": AT}


def test_a_change_before_the_draft_in_the_same_page_updates_no_row_as_it_did() -> None:
    page = ListingFactsPage()
    page.listing_status(None, record("Published", {}, 1))  # type: ignore[arg-type]
    drafted(page)
    assert page.drafted[LISTING]["status"] == "draft"
    assert page.changed == {}


def test_a_second_draft_in_the_page_is_refused_as_the_tables_key_refused_it() -> None:
    page = ListingFactsPage()
    drafted(page)
    with pytest.raises(ValueError, match="drafted twice"):
        drafted(page)


@pytest.mark.parametrize(("topic", "data"), [
    ("Resumed", {}),  # no status: the column is NOT NULL
    ("Resumed", {"status": ["published"]}),  # not text
    ("Revised", {"terms": {"open_licence": {"fee": 12.5, "currency": "CNY", "royalty_rate": 1, "term_years": 1}}}),
    ("Revised", {"terms": {"open_licence": {"fee": 2**63, "currency": "CNY", "royalty_rate": 1, "term_years": 1}}}),
    ("Revised", {"terms": {"open_licence": {"fee": 1, "currency": "CNY", "royalty_rate": True, "term_years": 1}}}),
])
def test_a_value_the_table_would_refuse_stops_the_page_at_its_event(topic: str, data: dict[str, Any]) -> None:
    """Even when a later event of the page would set the column again."""
    page = ListingFactsPage()
    handler = page.listing_status if topic == "Resumed" else page.listing_revised
    with pytest.raises(ValueError, match="is not a"):
        handler(None, record(topic, data, 2))  # type: ignore[arg-type]


def test_a_patent_without_a_title_stops_at_its_registration() -> None:
    page = ListingFactsPage()
    bad = EventRecord(1, PATENT, 1, "domain.catalogue.patent:Patent.Registered", AT,
                      {"ipc_codes": ["H01M 10/0525"], "title_zh": None, "title_en": "Cell", "application_number": "1"})
    with pytest.raises(ValueError, match="title_zh"):
        page.patent_registered(None, bad)  # type: ignore[arg-type]


def test_checked_accepts_what_the_table_takes() -> None:
    row = {"listing_id": LISTING, "patent_id": PATENT, "status": "draft", "fee": None, "currency": None,
           "royalty_rate": 2**31 - 1, "term_years": 0, "offered": True, "updated_at": AT}
    assert checked(row, OPEN_LICENCE, OPEN_LICENCE, nullable=("fee", "currency")) is row
    with pytest.raises(ValueError, match="royalty_rate"):
        checked(row | {"royalty_rate": 2**31}, OPEN_LICENCE, OPEN_LICENCE, nullable=("fee", "currency"))
    with pytest.raises(ValueError, match="offered"):
        checked(row | {"offered": 1}, OPEN_LICENCE, OPEN_LICENCE, nullable=("fee", "currency"))
