"""Migration 0016 on a store written before it (issue 11): ``marketplace migrate`` empties the catalogue read
model and forgets its position, the projections replay it, and then a listing is found by its application
number and the patent sold in the old store has its chain of title."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row

from marketplace.platform.cli import main
from marketplace.platform.database import DatabaseAddress
from projections.shared.search import query_parts
from tests.fixtures.old_store import database_url, restore


def fetch(address: DatabaseAddress, query: str, *params: Any) -> list[dict[str, Any]]:
    with psycopg.connect(address.conninfo(), row_factory=dict_row) as conn:
        return conn.execute(query, params).fetchall()


def by_number(address: DatabaseAddress, typed: str) -> list[str]:
    _, numbers = query_parts(typed)
    return [str(r["id"]) for r in fetch(
        address, "SELECT id FROM catalogue_listings WHERE search @@ to_tsquery('simple', %s)", numbers)]


def test_migrate_rebuilds_the_catalogue_of_an_old_store_with_numbers_chain_of_title_and_licences(
    database: DatabaseAddress, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    restore(database)
    listing = fetch(database, "SELECT l.id, p.application_number, p.id AS patent_id FROM catalogue_listings l"
                              " JOIN catalogue_patents p ON p.id = l.patent_id"
                              " WHERE l.status = 'published' AND p.application_number LIKE '%%.%%'"
                              " ORDER BY l.id LIMIT 1")[0]
    number = listing["application_number"]
    assert by_number(database, number) == []  # the old vectors do not hold the numbers
    before = fetch(database, "SELECT count(*) AS n FROM catalogue_listings")[0]["n"]

    monkeypatch.setenv("MARKETPLACE_DATABASE_URL", database_url(database))
    monkeypatch.setenv("MARKETPLACE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MARKETPLACE_DEMO_DATA", "0")
    assert main(["migrate"]) == 0
    assert fetch(database, "SELECT count(*) AS n FROM catalogue_listings")[0]["n"] == 0
    position = "SELECT notification_id FROM catalogue_tracking WHERE application_name = 'marketplace'"
    assert fetch(database, position) == []
    assert main(["run-projections", "--once"]) == 0

    assert fetch(database, "SELECT count(*) AS n FROM catalogue_listings")[0]["n"] == before
    digits, check = number.split(".")
    for typed in (number, f"CN{number}", digits, digits + check):
        assert by_number(database, typed) == [str(listing["id"])], typed
    # The old store's completed assignment is on its patent's chain of title; its deals are on the register.
    sold = fetch(database, "SELECT c.patent_id, c.id AS contract_id FROM deal_contracts c WHERE c.status = 'in_force'"
                           " AND c.kind = 'assignment'")
    assert sold, "the old store holds a completed assignment"
    chain = fetch(database, "SELECT patent_id, contract_id FROM catalogue_ownership_history")
    assert {(r["patent_id"], r["contract_id"]) for r in chain} == {(r["patent_id"], r["contract_id"]) for r in sold}
    licences = fetch(database, "SELECT contract_id, status FROM catalogue_licences")
    contracts = fetch(database, "SELECT id FROM deal_contracts WHERE kind <> 'assignment' AND status = 'in_force'")
    assert contracts, "the old store holds a licence in force"
    assert {r["contract_id"]: r["status"] for r in licences} == {r["id"]: "active" for r in contracts}
    # Migrating again changes nothing.
    assert main(["migrate"]) == 0
    assert fetch(database, "SELECT count(*) AS n FROM catalogue_listings")[0]["n"] == before
