"""Import of the real WIPO PATENTSCOPE file into a real PostgreSQL, twice."""

from __future__ import annotations

import csv
from pathlib import Path

import psycopg
import pytest

from marketplace.catalogue.importing.formats import read_patents
from marketplace.catalogue.importing.service import PatentImporter
from marketplace.platform.services import Services
from tests.conftest import SHARED_DATA

WIPO = SHARED_DATA / "patents" / "wipo_pizza_24294.csv"
LENS = SHARED_DATA / "patents" / "lens_pizza_1000.csv"


def _rows(services: Services, query: str) -> list[tuple[object, ...]]:
    with psycopg.connect(services.address.conninfo()) as conn:
        return conn.execute(query).fetchall()  # type: ignore[arg-type]


@pytest.mark.slow
def test_whole_wipo_file_imports_with_counts_and_reimport_changes_nothing(services: Services) -> None:
    if not WIPO.exists():
        pytest.skip("shared data folder absent")
    report = PatentImporter(services.app).run(read_patents(WIPO))
    assert report.read == 24_294
    # Only the 17 rows with no title at all are unusable; every number is recognised.
    assert len(report.errors) == 17
    assert all("Title" in e.message for e in report.errors)
    # 14 numbers occur twice once office codes are normalised (e.g. es2228454 and ES2228454).
    assert report.unchanged == 14
    assert report.registered == 24_294 - 17 - 14
    services.make_runner().catch_up()

    by_office = dict(_rows(services, "SELECT jurisdiction, count(*) FROM catalogue_patents GROUP BY jurisdiction"))
    expected = _distinct_numbers_by_office()
    assert by_office == expected
    assert (by_office["US"], by_office["WO"], by_office["EP"], by_office["CN"], by_office["ZA"]) == (
        13_341, 4_673, 2_442, 126, 123)
    assert sum(by_office.values()) == report.registered
    assert _rows(services, "SELECT count(*) FROM catalogue_patents WHERE publication_number = 'CN1688334'") == [(1,)]

    university_patents = _rows(services, """
        SELECT count(DISTINCT p.id) FROM catalogue_patents p
        JOIN accounts_organisations o ON o.id = ANY(p.owner_ids) WHERE o.kind = 'university'""")[0][0]
    assert university_patents == 469 - _duplicated_university_rows()
    # Applicants become organisations once, whatever the case the file spells them in.
    assert _rows(services, "SELECT kind, count(*) FROM accounts_organisations"
                 " WHERE lower(name) = 'sungkyunkwan university' GROUP BY kind") == [("university", 1)]

    events_before = services.recorder.max_notification_id()
    again = PatentImporter(services.app).run(read_patents(WIPO))
    assert again.registered == 0
    assert again.organisations == 0
    assert again.unchanged == report.registered + report.unchanged
    assert services.recorder.max_notification_id() == events_before


def _distinct_numbers_by_office() -> dict[str, int]:
    """Counted straight from the CSV, independently of the importer: titled rows, distinct numbers."""
    numbers: dict[str, set[str]] = {}
    with WIPO.open(encoding="utf-8", errors="replace", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["Title"].strip():
                number = row["Publication Number"].strip().rstrip("*").upper()
                numbers.setdefault(number[:2], set()).add(number)
    return {office: len(found) for office, found in numbers.items()}


def _duplicated_university_rows() -> int:
    """University rows whose number repeats in the file (counted once as a patent)."""
    seen: dict[str, int] = {}
    for record in read_patents(WIPO):
        if hasattr(record, "applicants") and any(a.kind == "university" for a in record.applicants):
            key = (record.publication_number or "").upper()
            seen[key] = seen.get(key, 0) + 1
    return sum(n - 1 for n in seen.values())


def test_lens_file_imports_every_row_and_reports_none(services: Services) -> None:
    if not LENS.exists():
        pytest.skip("shared data folder absent")
    report = PatentImporter(services.app, batch_size=200).run(read_patents(LENS))
    assert report.read == 1_000
    assert report.errors == []
    assert report.registered + report.unchanged == 1_000


def test_bad_rows_are_reported_by_line_and_the_rest_imported(services: Services, tmp_path: Path) -> None:
    native = tmp_path / "results.csv"
    native.write_text(
        "jurisdiction,application_number,publication_number,patent_type,title_zh,title_en,abstract_zh,"
        "abstract_en,ipc_codes,filing_date,publication_date,grant_date,legal_status,applicants,inventors\n"
        "CN,202110624021.0,,invention,一种茶叶萎凋设备,,,,A23F 3/06,2021-06-04,,,pending,福建农林大学|university,张三\n"
        "CN,202110624021.9,,invention,校验位错误的专利,,,,A23F 3/06,2021-06-04,,,pending,福建农林大学,李四\n"
        "CN,,CNABC,invention,号码错误,,,,,,,,pending,福建农林大学,王五\n",
        encoding="utf-8",
    )
    report = PatentImporter(services.app).run(read_patents(native))
    assert report.registered == 1
    assert sorted(e.line for e in report.errors) == [3, 4]
    assert any("check character" in e.message for e in report.errors)
    services.make_runner().catch_up()
    assert _rows(services, "SELECT title_zh, expiry_date::text FROM catalogue_patents") == [
        ("一种茶叶萎凋设备", "2041-06-04")]
