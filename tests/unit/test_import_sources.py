"""The file-parsing layer of the patent importer: real WIPO and Lens exports, the marketplace CSV, JSON Lines."""

from __future__ import annotations

import csv
import re
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from marketplace.catalogue.importing.formats import count_rows, detect_format, read_patents
from marketplace.catalogue.importing.names import classify_applicant
from marketplace.catalogue.importing.records import Applicant, ImportedPatent, RowError, UnknownFormatError

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "patents"
WIPO = SHARED / "wipo_pizza_24294.csv"
LENS = SHARED / "lens_pizza_1000.csv"
TODAY = date(2026, 1, 1)  # reference day for two-digit Lens years and the "expired" rule

#: The 17 WIPO rows with an empty Title column (a patent cannot be registered without a title).
WIPO_UNTITLED_LINES = [
    1634, 1792, 1793, 9615, 18019, 18021, 22231, 22233, 22234,
    22235, 22239, 22240, 22241, 22242, 22243, 22244, 23660,
]  # fmt: skip
WIPO_BY_JURISDICTION = {
    "US": 13342, "WO": 4673, "EP": 2444, "CA": 2416, "KR": 389, "JP": 267, "CN": 126, "ZA": 123, "GB": 119,
    "DE": 110, "IL": 61, "ES": 55, "MX": 54, "PT": 37, "BR": 30, "RU": 14, "SG": 13, "EA": 4,
}  # fmt: skip


def _shared() -> None:
    if not SHARED.is_dir():
        pytest.skip("shared data folder absent")


@pytest.fixture(scope="module")
def wipo() -> list[ImportedPatent | RowError]:
    _shared()
    return list(read_patents(WIPO, today=TODAY))


@pytest.fixture(scope="module")
def lens() -> list[ImportedPatent | RowError]:
    _shared()
    return list(read_patents(LENS, today=TODAY))


def _patents(results: list[ImportedPatent | RowError]) -> list[ImportedPatent]:
    return [r for r in results if isinstance(r, ImportedPatent)]


def _errors(results: list[ImportedPatent | RowError]) -> list[RowError]:
    return [r for r in results if isinstance(r, RowError)]


def _by_number(results: list[ImportedPatent | RowError], number: str) -> ImportedPatent:
    (found,) = [r for r in _patents(results) if r.publication_number == number]
    return found


# --- WIPO PATENTSCOPE -----------------------------------------------------------------------------


def test_wipo_is_detected_and_counted() -> None:
    _shared()
    assert detect_format(WIPO) == "wipo"
    assert count_rows(WIPO) == 24_294


def test_wipo_yields_every_record(wipo: list[ImportedPatent | RowError]) -> None:
    assert len(wipo) == 24_294
    assert len(_patents(wipo)) == 24_294 - len(WIPO_UNTITLED_LINES)


def test_wipo_every_number_parses_only_untitled_rows_are_errors(wipo: list[ImportedPatent | RowError]) -> None:
    errors = _errors(wipo)
    assert [e.line for e in errors] == WIPO_UNTITLED_LINES
    assert all(e.message.startswith("Title: the record has no title") for e in errors)
    assert not [e for e in errors if "Publication Number" in e.message]


def test_wipo_counts_by_jurisdiction(wipo: list[ImportedPatent | RowError]) -> None:
    counts = Counter(p.jurisdiction for p in _patents(wipo))
    assert counts == WIPO_BY_JURISDICTION
    assert counts["CN"] == 126  # as the dataset README says


def test_wipo_lower_case_and_odd_numbers_are_canonical(wipo: list[ImportedPatent | RowError]) -> None:
    za = _by_number(wipo, "ZA2005/02132")
    assert (za.jurisdiction, za.line, za.publication_date) == ("ZA", 103, date(2005, 11, 30))
    assert za.legal_status == "granted"  # South Africa publishes only on acceptance
    assert za.grant_date is None
    assert za.ipc_codes == ("A01J", "A23C")
    assert _by_number(wipo, "IL161868").jurisdiction == "IL"
    assert _by_number(wipo, "MXPA/A/2005/003863").jurisdiction == "MX"
    assert _by_number(wipo, "KR100396150").publication_number == "KR100396150"  # trailing "*" dropped
    cn = _by_number(wipo, "CN1688334")
    assert (cn.jurisdiction, cn.patent_type, cn.legal_status) == ("CN", "invention", "pending")


def test_wipo_type_and_status_follow_the_number(wipo: list[ImportedPatent | RowError]) -> None:
    pre_grant = _by_number(wipo, "US20050286606")
    assert (pre_grant.legal_status, pre_grant.grant_date) == ("pending", None)
    reissue = _by_number(wipo, "USRE038478")
    assert (reissue.legal_status, reissue.grant_date) == ("granted", date(2004, 3, 30))
    kr_registration = _by_number(wipo, "KR100396150")
    assert (kr_registration.legal_status, kr_registration.grant_date) == ("granted", date(2003, 8, 18))
    assert _by_number(wipo, "KR1020050123389").legal_status == "pending"
    assert _by_number(wipo, "WO2005125189").legal_status == "pending"
    assert _by_number(wipo, "DE000020310100").patent_type == "utility_model"
    assert _by_number(wipo, "BRMU8901880").patent_type == "utility_model"
    old_ca = _by_number(wipo, "CA983780")
    assert (old_ca.legal_status, old_ca.grant_date) == ("expired", date(1976, 2, 17))
    assert Counter(p.patent_type for p in _patents(wipo)) == {"invention": 24_256, "utility_model": 21}


def test_wipo_fields(wipo: list[ImportedPatent | RowError]) -> None:
    record = _by_number(wipo, "US20050286606")
    assert record.line == 2
    assert record.title_en == ("Method and apparatus for monitoring and detecting defects in plastic package sealing")
    assert record.title_zh == ""
    assert record.publication_date == date(2005, 12, 29)
    assert record.filing_date is None
    assert record.ipc_codes == ("G01N 25/00", "G01J 5/00", "G01N 25/72")  # de-duplicated, order kept
    assert record.applicants == (Applicant("Fluke Corporation", "enterprise"),)
    assert record.inventors == ("Ignatowicz Steven",)


def test_wipo_damaged_ipc_entries_are_read_leniently_or_dropped(wipo: list[ImportedPatent | RowError]) -> None:
    patents = _patents(wipo)
    assert sum(1 for p in patents if not p.ipc_codes) == 98  # 96 rows without IPC, 2 with only junk
    codes = {c for p in patents for c in p.ipc_codes}
    assert all(re.fullmatch(r"[A-H]\d\d[A-Z]( \d{1,4}/\d{2,6})?", c) for c in codes)


def test_wipo_line_numbers_survive_multi_line_titles(wipo: list[ImportedPatent | RowError]) -> None:
    lines = {p.publication_number: p.line for p in _patents(wipo)}
    # SG93200's title spans lines 3281-3283, so the next record starts on line 3284.
    assert lines["SG93200"] == 3281
    assert lines["KR1020020093681"] == 3284
    assert _by_number(wipo, "SG93200").title_en.startswith("IMMUNOGENIC DETOXIFIED MUTANTS OF CHOLERA TOXIN AND OF")


def test_wipo_duplicates_are_all_yielded(wipo: list[ImportedPatent | RowError]) -> None:
    numbers = Counter(p.publication_number for p in _patents(wipo))
    twice = {n for n, c in numbers.items() if c > 1}
    assert {"US4377109", "EP2174549", "EP1874120"} <= twice  # the same text twice in the file
    assert {"ES2228454", "RU0002529060", "IL219036"} <= twice  # "es2228454" and "ES2228454", ...
    assert len(twice) == 14
    assert max(numbers.values()) == 2


def test_wipo_mixed_applicants(wipo: list[ImportedPatent | RowError]) -> None:
    record = _by_number(wipo, "WO2005123054")
    assert record.applicants[:4] == (
        Applicant("KOREA RESEARCH INSTITUTE OF CHEMICAL TECHNOLOGY", "research_institute"),
        Applicant("OSCOTEC INC.", "enterprise"),
        Applicant("KIM, Bum Tae", "individual"),
        Applicant("MIN, Yong Ki", "individual"),
    )
    hopkins = _by_number(wipo, "US20050287277")  # persons without a comma, also named as inventors
    assert [a.kind for a in hopkins.applicants] == ["individual"] * 3


def test_wipo_university_rows(wipo: list[ImportedPatent | RowError]) -> None:
    """The README's 429 is the count of rows whose Applicants contain "univ" in any case; that
    substring also hits UNIVERSAL FOODS (3 rows) and VENDING UNIVERSE (1 row) and misses
    Harvard College, MIT, Caltech, King's College London, ETH Zürich, EPFL, MHH, Mount Sinai
    School of Medicine and Korean 대학교 names (44 rows).  The classifier counts 469."""
    with WIPO.open(encoding="utf-8", errors="replace", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert sum(1 for row in rows if "univ" in row["Applicants"].lower()) == 429
    university_rows = [p for p in _patents(wipo) if any(a.kind == "university" for a in p.applicants)]
    assert len(university_rows) == 469
    names = {a.name for p in university_rows for a in p.applicants if a.kind == "university"}
    assert {"PRESIDENT AND FELLOWS OF HARVARD COLLEGE", "MASSACHUSETTS INSTITUTE OF TECHNOLOGY"} <= names
    assert "Universal Foods Corporation" not in names


def test_the_whole_wipo_file_reads_every_row() -> None:
    # Its speed is measured by benchmarks/bench_import.py against a baseline, not timed here.
    _shared()
    assert sum(1 for _ in read_patents(WIPO, today=TODAY)) == 24_294


# --- Lens -----------------------------------------------------------------------------------------


def test_lens_is_detected_and_counted() -> None:
    _shared()
    assert detect_format(LENS) == "lens"
    assert count_rows(LENS) == 1_000


def test_lens_yields_1000_records_without_errors(lens: list[ImportedPatent | RowError]) -> None:
    assert len(lens) == 1_000
    assert _errors(lens) == []
    assert [p.line for p in _patents(lens)] == list(range(2, 1_002))  # records end in a bare CR


def test_lens_first_record(lens: list[ImportedPatent | RowError]) -> None:
    first = _patents(lens)[0]
    assert first == ImportedPatent(
        line=2,
        jurisdiction="US",
        publication_number="US20130101709A1",
        application_number="US13657122",
        patent_type="invention",
        title_en="METHOD AND SYSTEM FOR ASSEMBLING A PIZZA",
        title_zh="",
        abstract_en="",
        abstract_zh="",
        ipc_codes=("A23L 1/00", "G01N 5/00"),
        publication_date=date(2013, 4, 25),
        filing_date=date(2012, 10, 22),
        grant_date=None,
        legal_status="pending",
        applicants=(Applicant("PIZZA HUT INC", "enterprise"),),
        inventors=("RADER JEFF",),
    )


def test_lens_types_statuses_and_numbers(lens: list[ImportedPatent | RowError]) -> None:
    old = _by_number(lens, "US3982033A")  # "Granted Patent", dd/mm/76 is 1976
    assert (old.publication_date, old.filing_date, old.grant_date) == (
        date(1976, 9, 21),
        date(1971, 8, 24),
        date(1976, 9, 21),
    )
    assert old.legal_status == "expired"
    assert old.application_number is None  # DOCDB "US 17439471 A" lacks the series code
    design = _by_number(lens, "USD533981S1")  # "Design right"
    assert (design.patent_type, design.legal_status) == ("design", "granted")
    cn_um = _by_number(lens, "CN201788547U")  # "Limited Patent", filed 2010-04-07: 10-year term
    assert (cn_um.patent_type, cn_um.legal_status, cn_um.application_number) == ("utility_model", "expired", None)
    kr_um = _by_number(lens, "KR200150155Y1")  # Type "unknown": kind Y1 decides
    assert kr_um.patent_type == "utility_model"
    pct = _by_number(lens, "WO2008018983A2")
    assert (pct.application_number, pct.legal_status) == ("PCT/US2007/016552", "pending")
    # persons without commas: applicants who are also inventors
    assert {a.kind for a in _by_number(lens, "US20140020570A1").applicants} == {"individual"}
    counts = Counter(p.patent_type for p in _patents(lens))
    assert counts == {"invention": 800, "utility_model": 112, "design": 88}


# --- the marketplace CSV ----------------------------------------------------------------------------

NATIVE_HEADER = (
    "jurisdiction,application_number,publication_number,patent_type,title_zh,title_en,abstract_zh,"
    "abstract_en,ipc_codes,filing_date,publication_date,grant_date,legal_status,applicants,inventors\n"
)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_native_csv_good_row(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "patents.csv",
        NATIVE_HEADER
        + "CN,202010123456.2,CN112345678A,invention,一种披萨饼的制作方法,Method of making pizza,摘要,Abstract,"
        '"A21D 13/00;A21D 13/0;XYZ;A21D13/007",2020-03-01,2020-09-15,,pending,'
        '"福州大学|university;张三;福建省农业科学院",张三;李四\n',
    )
    assert detect_format(path) == "native-csv"
    assert count_rows(path) == 1
    (record,) = read_patents(path, today=TODAY)
    assert record == ImportedPatent(
        line=2,
        jurisdiction="CN",
        publication_number="CN112345678A",
        application_number="202010123456.2",
        patent_type="invention",
        title_en="Method of making pizza",
        title_zh="一种披萨饼的制作方法",
        abstract_en="Abstract",
        abstract_zh="摘要",
        ipc_codes=("A21D 13/00", "A21D 13/007"),
        publication_date=date(2020, 9, 15),
        filing_date=date(2020, 3, 1),
        grant_date=None,
        legal_status="pending",
        applicants=(
            Applicant("福州大学", "university"),
            Applicant("张三", "individual"),
            Applicant("福建省农业科学院", "research_institute"),
        ),
        inventors=("张三", "李四"),
    )


def test_native_csv_bad_rows_and_multi_line_field(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "patents.csv",
        "\ufeff"  # a byte-order mark, as Excel writes
        + NATIVE_HEADER
        + ',,CN112345678A,,,Pizza,,"first line\nsecond line\nthird line",,,2020-09-15,,,,\n'  # lines 2-4
        + ",,CNABC,,,Bad number,,,,,,,,,\n"  # line 5
        + ",,CN112345679A,,,,,,,,,,,,\n"  # line 6: no title
        + "CN,202010123456.3,,,,Bad check character,,,,,,,,,\n"  # line 7
        + "CN,202020123456.8,,invention,,Wrong type,,,,,,,,,\n"  # line 8: type digit 2 = utility model
        + ",,CN112345670A,gadget,,Bad type,,,,,,,,,\n"  # line 9
        + ",,CN112345671A,,,Bad status,,,,,,,lost,,\n"  # line 10
        + "US,,CN112345672A,,,Office mismatch,,,,,,,,,\n"  # line 11
        + ",,CN112345673A,,,Bad kind,,,,,,,,Acme|company,\n"  # line 12
        + ",,,,,No number,,,,,,,,,\n"  # line 13
        + ",,CN112345674A,,,Bad date,,,,not a date,2020-02-30,,,,\n"  # line 14
        + ",,CN112345675A,,,Too wide,,,,,,,,,,extra\n",  # line 15
    )
    results = list(read_patents(path, today=TODAY))
    assert [(r.line, type(r).__name__) for r in results] == [
        (2, "ImportedPatent"),
        (5, "RowError"),
        (6, "RowError"),
        (7, "RowError"),
        (8, "RowError"),
        (9, "RowError"),
        (10, "RowError"),
        (11, "RowError"),
        (12, "RowError"),
        (13, "RowError"),
        (14, "ImportedPatent"),
        (15, "RowError"),
    ]
    first = results[0]
    assert isinstance(first, ImportedPatent)
    assert first.abstract_en == "first line\nsecond line\nthird line"
    messages = {r.line: r.message for r in results if isinstance(r, RowError)}
    assert messages[5].startswith("publication_number: 'CNABC' is not a CN publication number")
    assert messages[6].startswith("title_en: give a title")
    assert messages[7] == "application_number: check character should be 2, got 3"
    assert messages[8].startswith("patent_type: the application number 202020123456.8 is for a utility model")
    assert messages[9].startswith("patent_type: 'gadget' is not one of invention")
    assert messages[10].startswith("legal_status: 'lost' is not one of pending")
    assert messages[11] == "publication_number: office CN does not match jurisdiction US"
    assert messages[12].startswith("applicants: 'Acme' has kind 'company'")
    assert messages[13].startswith("publication_number: give a publication number or an application number")
    assert messages[15] == "the record has 16 fields but the header has 15"
    undated = results[10]
    assert isinstance(undated, ImportedPatent)
    assert (undated.filing_date, undated.publication_date) == (None, None)  # bad dates are not errors
    assert count_rows(path) == 12


def test_native_csv_infers_type_and_status(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "patents.csv",
        NATIVE_HEADER
        + "CN,202020123456.8,,,,Utility model by type digit,,,,2020-05-01,,,,,\n"
        + ",,CN201234567U,,,Old utility model,,,,2005-01-10,2005-11-02,,,,\n"
        + ",,CN112345678A,,,Granted with a date,,,,,,2021-01-05,,,\n",
    )
    by_type, old, granted = read_patents(path, today=TODAY)
    assert isinstance(by_type, ImportedPatent)
    assert (by_type.patent_type, by_type.legal_status) == ("utility_model", "pending")
    assert isinstance(old, ImportedPatent)
    assert (old.patent_type, old.legal_status, old.grant_date) == ("utility_model", "expired", date(2005, 11, 2))
    (young,) = [r for r in read_patents(path, today=date(2010, 1, 1)) if r.line == 3]
    assert isinstance(young, ImportedPatent)
    assert young.legal_status == "granted"
    assert isinstance(granted, ImportedPatent)
    assert (granted.legal_status, granted.grant_date) == ("granted", date(2021, 1, 5))


def test_native_csv_names_are_cleaned_and_de_duplicated(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "patents.csv",
        NATIVE_HEADER + ',,US20130108737,,,Pizza,,,,,,,,"General Mills, INC.; GENERAL   MILLS, INC.*;;* Acme ",'
        '"VAN LENGERICH  Bernhard H.;Van Lengerich Bernhard H"\n',
    )
    (record,) = read_patents(path, today=TODAY)
    assert isinstance(record, ImportedPatent)
    assert record.applicants == (Applicant("General Mills, INC.", "enterprise"), Applicant("Acme", "enterprise"))
    assert record.inventors == ("VAN LENGERICH Bernhard H.",)
    assert (record.jurisdiction, record.legal_status) == ("US", "pending")


def test_native_csv_header_must_name_the_key_columns(tmp_path: Path) -> None:
    path = _write(tmp_path, "patents.csv", "jurisdiction,title_en\nCN,Pizza\n")
    with pytest.raises(UnknownFormatError):
        detect_format(path)
    (error,) = read_patents(path, "native-csv")
    assert error == RowError(
        1, "the header needs a jurisdiction column and a publication_number or application_number column"
    )


# --- JSON Lines -------------------------------------------------------------------------------------


def test_jsonl(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "patents.jsonl",
        '{"publication_number": "CN112345678A", "title_zh": "披萨", "ipc_codes": ["A21D 13/00"],'
        ' "applicants": [{"name": "福州大学", "kind": "university"}, "Acme Pizza Co., Ltd.", "王五|individual"],'
        ' "inventors": ["王五"], "filing_date": "2020-03-01", "legal_status": "granted"}\n'
        "\n"
        "{not json}\n"
        '{"publication_number": "CN112345679A", "title_en": 5}\n'
        '{"publication_number": "CN112345670A"}\n'
        '["a list"]\n'
        '{"application_number": "202010123456.2", "title_en": "Pizza", "applicants": "甲公司;乙大学"}\n',
    )
    assert detect_format(path) == "jsonl"
    assert count_rows(path) == 6
    results = list(read_patents(path, today=TODAY))
    assert [r.line for r in results] == [1, 3, 4, 5, 6, 7]
    first = results[0]
    assert isinstance(first, ImportedPatent)
    assert (first.jurisdiction, first.title_zh, first.legal_status) == ("CN", "披萨", "granted")
    assert first.applicants == (
        Applicant("福州大学", "university"),
        Applicant("Acme Pizza Co., Ltd.", "enterprise"),
        Applicant("王五", "individual"),
    )
    assert first.filing_date == date(2020, 3, 1)
    bad_json, bad_type, no_title, not_object = results[1:5]
    assert isinstance(bad_json, RowError)
    assert bad_json.message.startswith("not a valid record: ")
    assert isinstance(bad_type, RowError)
    assert "`$.title_en`" in bad_type.message
    assert isinstance(no_title, RowError)
    assert no_title.message.startswith("title_en: give a title")
    assert isinstance(not_object, RowError)
    last = results[5]
    assert isinstance(last, ImportedPatent)
    assert (last.jurisdiction, last.application_number, last.publication_number) == ("CN", "202010123456.2", None)
    assert [a.kind for a in last.applicants] == ["enterprise", "university"]


def test_detect_format_by_content_and_unknown(tmp_path: Path) -> None:
    assert detect_format(_write(tmp_path, "export.txt", '{"publication_number": "CN112345678A"}\n')) == "jsonl"
    with pytest.raises(UnknownFormatError):
        detect_format(_write(tmp_path, "other.csv", "a,b,c\n1,2,3\n"))
    with pytest.raises(ValueError, match="format must be one of"):
        read_patents(_write(tmp_path, "x.csv", NATIVE_HEADER), "xml")


# --- classification ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("UNIVERSITY OF TENNESSEE RESEARCH FOUNDATION", "university"),
        ("Industry-Academic Cooperation Foundation, Yonsei University", "university"),
        ("MEIJI UNIV", "university"),
        ("President and Fellows of Harvard College", "university"),
        ("Massachusetts Institute of Technology", "university"),
        ("EIDGENÖSSISCHE TECHNISCHE HOCHSCHULE ZÜRICH", "university"),
        ("PONTIFICIA UNIVERSIDAD CATOLICA DE CHILE", "university"),
        ("UNIVERSITÉ LAVAL", "university"),
        ("福州大学", "university"),
        ("福州大学至诚学院", "university"),
        ("中国科学院大学", "university"),
        ("서울대학교산학협력단", "university"),
        ("中国科学院", "research_institute"),
        ("中国科学院福建物质结构研究所", "research_institute"),
        ("福建省农业科学院", "research_institute"),
        ("KOREA RESEARCH INSTITUTE OF CHEMICAL TECHNOLOGY", "research_institute"),
        ("CENTRE NATIONAL DE LA RECHERCHE SCIENTIFIQUE", "research_institute"),
        ("FRAUNHOFER-GESELLSCHAFT ZUR FÖRDERUNG DER ANGEWANDTEN FORSCHUNG E.V.", "research_institute"),
        ("Commonwealth Scientific and Industrial Research Organisation", "research_institute"),
        ("J. Craig Venter Institute, Inc.", "research_institute"),
        ("한국식품연구원", "research_institute"),
        ("IFP PRIVATES INSTITUT FÜR PRODUKTQUALITÄT GMBH", "enterprise"),
        ("Universal Foods Corporation", "enterprise"),
        ("VENDING UNIVERSE, S.L.", "enterprise"),
        ("OSCOTEC INC.", "enterprise"),
        ("General Mills, INC.", "enterprise"),
        ("Cargill, Incorporated", "enterprise"),
        ("THE UNITED STATES OF AMERICA, AS REPRESENTED BY THE SECRETARY OF AGRICULTURE", "enterprise"),
        ("华为技术有限公司", "enterprise"),
        ("PIZZA HUT INC", "enterprise"),
        ("KIM, Bum Tae", "individual"),
        ("DE JONG, Adrianus, Petrus, Josephus, Maria", "individual"),
        ("WOOD, Lowell L., Jr.", "individual"),
        ("张三", "individual"),
        ("이수철", "individual"),
        ("  NOVARTIS VACCINES AND DIAGNOSTICS, INC.*", "enterprise"),
    ],
)
def test_classify_applicant(name: str, kind: str) -> None:
    assert classify_applicant(name) == kind


def test_classify_applicant_uses_the_inventors_for_names_without_a_comma() -> None:
    assert classify_applicant("HOPKINS ALEXANDER N") == "enterprise"
    assert classify_applicant("HOPKINS ALEXANDER N", inventors=["Hopkins Alexander N."]) == "individual"
    assert classify_applicant("RADER JEFF", inventors=["RADER JEFF"]) == "individual"
    assert classify_applicant("PIZZA HUT INC", inventors=["PIZZA HUT INC"]) == "enterprise"
