"""Unit tests of domain.patent_numbers: CN application numbers and publication numbers."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path

import pytest

from domain.catalogue.patent_numbers import (
    ApplicationNumber,
    PublicationNumber,
    cn_application_type,
    cn_check_character,
    normalise_office,
    parse_application_number,
    parse_publication_number,
)
from domain.shared.errors import InvalidPatentNumberError, ValidationError

SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"

# Real CN application numbers with the check character published with them.  Each one was
# checked against the weighted-sum-mod-11 rule (weights 2..9 repeating, 10 written X):
# - 202123168608.X, 202122864112.X, 202122813075.X, 202022431595.X (utility models granted as
#   CN216269980U, CN216313996U, CN216234167U, CN213443970U) and 202110624021.0 (CN113186699B),
#   202011170715.3 (CN112407980B), 202111383414.3 (CN113875385A): an inventor's CV listing
#   "publication / application number" pairs, in a public GitHub repository;
# - 202011472880.4 (CN112330675B), 202310397744.0 (CN116455754B), 201911050262.8
#   (CN110823978A), 202011167667.2 (CN112415790B), 201210442457.9, 201310209986.9,
#   201410026192.3, 202111118032.8, 201710736136.2, 201220572874.0 (utility model, named in a
#   court judgment): researchers' and companies' pages on GitHub quoting 专利号 ZL…;
# - 99113861.9 (1999 magnesium-alloy invention), 200510030457.8, 200510025251.6: a professor's
#   profile page quoting 专利号ZL99113861.9 etc.;
# - 201710601862.3: the worked example of dfrtw.com/zhuanlichaxun/31487.html;
# - 95115608.X: the worked 8-digit example (9×2+5×3+…+8×9 = 186, 186 mod 11 = 10 → X) of
#   chengju.com/wenhua/33720.html, which also gives the 8-digit textbook number 97101765.4.
VERIFIED_CN_APPLICATIONS = [
    "202123168608.X",
    "202122864112.X",
    "202122813075.X",
    "202022431595.X",
    "202110624021.0",
    "202011170715.3",
    "202111383414.3",
    "202011472880.4",
    "202310397744.0",
    "201911050262.8",
    "202011167667.2",
    "201210442457.9",
    "201310209986.9",
    "201410026192.3",
    "202111118032.8",
    "201710736136.2",
    "201220572874.0",
    "200510030457.8",
    "200510025251.6",
    "201710601862.3",
    "99113861.9",
    "95115608.X",
    "97101765.4",
]


def _with_check(digits: str) -> str:
    return f"{digits}.{cn_check_character(digits)}"


# --- CN check character ----------------------------------------------------------------------


@pytest.mark.parametrize("number", VERIFIED_CN_APPLICATIONS)
def test_check_character_matches_published_numbers(number: str) -> None:
    digits, check = number.split(".")
    assert cn_check_character(digits) == check


@pytest.mark.parametrize("number", VERIFIED_CN_APPLICATIONS)
def test_published_numbers_parse_to_their_canonical_text(number: str) -> None:
    app = parse_application_number(number)
    assert str(app) == number
    assert app.office == "CN"
    assert app.key == "CN" + number.split(".", maxsplit=1)[0]


def test_check_character_rejects_wrong_digit_counts() -> None:
    with pytest.raises(ValueError, match="digits"):
        cn_check_character("2021231686")


# --- CN application numbers: accepted forms ------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "202123168608.X",
        "202123168608.x",
        "CN202123168608.X",
        "CN 202123168608.X",
        "ZL202123168608.X",
        "ZL 2021 2 3168608.X",
        "zl 2021 2 3168608.x",
        "  ZL202123168608.X  ",
        "202123168608X",  # check character without the dot, as often written
        "ZL 202123168608．X",  # full-width dot
    ],
)
def test_cn_application_forms(text: str) -> None:
    app = parse_application_number(text)
    assert app == ApplicationNumber(office="CN", serial="202123168608", check="X")
    assert str(app) == "202123168608.X"
    assert app.key == "CN202123168608"


@pytest.mark.parametrize("text", ["ZL95115608.X", "95115608.x", "CN 95 1 15608.X", "95115608X"])
def test_cn_application_eight_digit_form(text: str) -> None:
    app = parse_application_number(text)
    assert (app.serial, app.check, str(app), app.key) == ("95115608", "X", "95115608.X", "CN95115608")


def test_office_argument_is_case_insensitive() -> None:
    assert parse_application_number("201710601862.3", office="cn").key == "CN201710601862"


# --- CN application numbers: refusals ------------------------------------------------------------


def test_wrong_check_character_is_refused_with_the_expected_one() -> None:
    with pytest.raises(InvalidPatentNumberError) as caught:
        parse_application_number("202123168608.0")
    assert caught.value.field == "application_number"
    assert caught.value.message == "application_number: check character should be X, got 0"


def test_wrong_check_character_in_eight_digit_form() -> None:
    with pytest.raises(InvalidPatentNumberError, match="check character should be 9, got 8"):
        parse_application_number("ZL99113861.8")


def test_transposed_digits_are_caught_by_the_check_character() -> None:
    with pytest.raises(InvalidPatentNumberError, match="check character"):
        parse_application_number("201710601826.3")


def test_missing_check_character_is_refused() -> None:
    with pytest.raises(InvalidPatentNumberError, match="check character is required"):
        parse_application_number("202123168608")


@pytest.mark.parametrize("text", ["20212316860.X", "2021231686088.X", "9511560.X", "1234567890"])
def test_wrong_length_is_refused(text: str) -> None:
    with pytest.raises(InvalidPatentNumberError) as caught:
        parse_application_number(text)
    assert caught.value.message.startswith("application_number: ")
    assert "12 digits" in caught.value.message


@pytest.mark.parametrize("type_digit", ["0", "4", "5", "6", "7"])
def test_bad_type_digit_is_refused(type_digit: str) -> None:
    number = _with_check(f"2021{type_digit}3168608")
    with pytest.raises(InvalidPatentNumberError, match=f"type digit must be .*got {type_digit}"):
        parse_application_number(number)


def test_bad_type_digit_in_eight_digit_form() -> None:
    with pytest.raises(InvalidPatentNumberError, match="type digit"):
        parse_application_number(_with_check("95415608"))


def test_future_year_is_refused() -> None:
    number = _with_check("202710123456")
    with pytest.raises(InvalidPatentNumberError, match="from 2003 to 2026, got 2027"):
        parse_application_number(number, today=date(2026, 5, 1))
    assert parse_application_number(number, today=date(2027, 1, 2)).key == "CN202710123456"


def test_a_new_years_number_is_accepted_from_midnight_beijing_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """At 00:30 on 1 January 2027 in Beijing (16:30 UTC on 31 December) CNIPA's 2027 numbers exist."""

    class NewYearInBeijing(datetime):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> NewYearInBeijing:
            return cls(2026, 12, 31, 16, 30, tzinfo=UTC).astimezone(tz)

    monkeypatch.setattr("domain.catalogue.patent_numbers.datetime", NewYearInBeijing)
    assert parse_application_number(_with_check("202710123456")).key == "CN202710123456"
    with pytest.raises(InvalidPatentNumberError, match="from 2003 to 2027, got 2028"):
        parse_application_number(_with_check("202810123456"))


def test_twelve_digit_form_before_2003_is_refused() -> None:
    with pytest.raises(InvalidPatentNumberError, match="filing year"):
        parse_application_number(_with_check("199910123456"))


@pytest.mark.parametrize("year", ["04", "50", "84"])
def test_eight_digit_form_outside_1985_2003_is_refused(year: str) -> None:
    with pytest.raises(InvalidPatentNumberError, match="85 \\(1985\\) to 03 \\(2003\\)"):
        parse_application_number(_with_check(f"{year}115608"))


@pytest.mark.parametrize("text", ["", "   ", "ZL", "US13657122", "2021231686O8.X", "ZL202123168608.Y"])
def test_garbage_is_refused(text: str) -> None:
    with pytest.raises(InvalidPatentNumberError):
        parse_application_number(text)


def test_pct_number_is_refused_for_cn() -> None:
    with pytest.raises(InvalidPatentNumberError, match="national-phase"):
        parse_application_number("PCT/CN2020/123456")


def test_custom_field_name_is_used_in_the_error() -> None:
    with pytest.raises(InvalidPatentNumberError) as caught:
        parse_application_number("202123168608.1", field="patents.0.application_number")
    assert caught.value.field == "patents.0.application_number"
    assert caught.value.message.startswith("patents.0.application_number: check character")
    assert isinstance(caught.value, ValidationError)


# --- CN type digit -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("digits", "expected"),
    [
        ("202010123456", "invention"),
        ("202020123456", "utility_model"),
        ("202030123456", "design"),
        ("200580032273", "invention"),  # PCT national phase (Lens: CN 200580032273 → CN101027230A)
        ("202090123456", "utility_model"),
        ("97101765", "invention"),
        ("99213861", "utility_model"),
        ("99313861", "design"),
        ("99813861", "invention"),
        ("99913861", "utility_model"),
    ],
)
def test_cn_application_type(digits: str, expected: str) -> None:
    assert cn_application_type(parse_application_number(_with_check(digits))) == expected


def test_cn_application_type_of_real_numbers() -> None:
    assert cn_application_type(parse_application_number("202123168608.X")) == "utility_model"
    assert cn_application_type(parse_application_number("202011472880.4")) == "invention"


def test_cn_application_type_is_none_for_other_offices() -> None:
    assert cn_application_type(parse_application_number("US13657122", office="US")) is None
    assert cn_application_type(parse_application_number("PCT/CN2020/123456", office="WO")) is None


# --- other offices' application numbers ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "office", "expected"),
    [
        ("US13657122", "US", "US13657122"),
        ("13/657,122", "US", "US13657122"),
        ("US 201213657122 A", "US", "US201213657122"),  # Lens, with its application kind
        ("AU PP322298 A", "AU", "AUPP322298"),
        ("ep 05 254 187.3", "EP", "EP05254187.3"),
        ("PCT/CN2020/123456", "WO", "PCT/CN2020/123456"),
        ("pct/us99/12345", "WO", "PCT/US99/12345"),
        ("PCT/CN2020/123456", "PCT", "PCT/CN2020/123456"),
    ],
)
def test_other_office_application_numbers(text: str, office: str, expected: str) -> None:
    app = parse_application_number(text, office=office)
    assert str(app) == expected
    assert app.check is None
    assert app.key == expected


def test_other_office_application_numbers_keep_office_and_serial() -> None:
    assert parse_application_number("US13657122", office="US") == ApplicationNumber("US", "13657122", None)
    assert parse_application_number("PCT/CN2020/123456", office="WO").office == "WO"


@pytest.mark.parametrize("text", ["", "US", "12", "US 1/2", "US13657122!"])
def test_other_office_garbage_is_refused(text: str) -> None:
    with pytest.raises(InvalidPatentNumberError) as caught:
        parse_application_number(text, office="US")
    assert caught.value.message.startswith("application_number: ")


def test_bad_office_is_refused() -> None:
    with pytest.raises(InvalidPatentNumberError, match=r"two-letter WIPO ST\.3 code"):
        parse_application_number("13657122", office="USA")


def test_normalise_office() -> None:
    assert normalise_office(" cn ") == "CN"
    with pytest.raises(InvalidPatentNumberError) as caught:
        normalise_office("C1", field="jurisdiction")
    assert caught.value.field == "jurisdiction"


# --- publication numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "office", "serial", "kind", "canonical"),
    [
        # CN
        ("CN112345678A", "CN", "112345678", "A", "CN112345678A"),
        ("cn112345678a", "CN", "112345678", "A", "CN112345678A"),
        ("CN 102214373 A", "CN", "102214373", "A", "CN102214373A"),
        ("CN 201431279 Y", "CN", "201431279", "Y", "CN201431279Y"),
        ("CN216269980U", "CN", "216269980", "U", "CN216269980U"),
        ("CN 116455754 B", "CN", "116455754", "B", "CN116455754B"),
        ("CN102283586", "CN", "102283586", None, "CN102283586"),
        ("CN1688334", "CN", "1688334", None, "CN1688334"),
        ("CN 1537788 A", "CN", "1537788", "A", "CN1537788A"),
        # WIPO PATENTSCOPE export shapes
        ("US20050286606", "US", "20050286606", None, "US20050286606"),
        ("za2005/02132", "ZA", "2005/02132", None, "ZA2005/02132"),
        ("il161868", "IL", "161868", None, "IL161868"),
        ("es2228454", "ES", "2228454", None, "ES2228454"),
        ("ru02262857", "RU", "02262857", None, "RU02262857"),
        ("sg97990", "SG", "97990", None, "SG97990"),
        ("ea199900393", "EA", "199900393", None, "EA199900393"),
        ("mxPA/a/2005/003863", "MX", "PA/A/2005/003863", None, "MXPA/A/2005/003863"),
        ("mxMX/a/2010/008180", "MX", "MX/A/2010/008180", None, "MXMX/A/2010/008180"),
        ("KR100396150*", "KR", "100396150", None, "KR100396150"),
        ("KR1015514300000*", "KR", "1015514300000", None, "KR1015514300000"),
        ("USRE038478", "US", "RE038478", None, "USRE038478"),
        ("USH0002283", "US", "H0002283", None, "USH0002283"),
        ("BRPI0314094", "BR", "PI0314094", None, "BRPI0314094"),
        ("BRMU8901880", "BR", "MU8901880", None, "BRMU8901880"),
        ("SG11201500980W", "SG", "11201500980W", None, "SG11201500980W"),
        ("DE000069233417", "DE", "000069233417", None, "DE000069233417"),
        ("WO2005125189", "WO", "2005125189", None, "WO2005125189"),
        ("EP1610276", "EP", "1610276", None, "EP1610276"),
        ("EP1610276A1", "EP", "1610276", "A1", "EP1610276A1"),
        ("US3982033A", "US", "3982033", "A", "US3982033A"),
        ("JPH0292232A", "JP", "H0292232", "A", "JPH0292232A"),
        ("SG11201500980WA", "SG", "11201500980W", "A", "SG11201500980WA"),
        ("SG 11201402375V A1", "SG", "11201402375V", "A1", "SG11201402375VA1"),
        # The Lens shapes
        ("US 2013/0101709 A1", "US", "20130101709", "A1", "US20130101709A1"),
        ("WO 2006/111640 A1", "WO", "2006111640", "A1", "WO2006111640A1"),
        ("JP H0292232 A", "JP", "H0292232", "A", "JPH0292232A"),
        ("JP S56154944 A", "JP", "S56154944", "A", "JPS56154944A"),
        ("KR 20050063944 A", "KR", "20050063944", "A", "KR20050063944A"),
        ("US 7331459 B2", "US", "7331459", "B2", "US7331459B2"),
        ("US D533981 S1", "US", "D533981", "S1", "USD533981S1"),
        ("US RE33508 E", "US", "RE33508", "E", "USRE33508E"),
        ("AU 1991/080191 A", "AU", "1991/080191", "A", "AU1991/080191A"),
        ("AU PP322298 D0", "AU", "PP322298", "D0", "AUPP322298D0"),
        ("GB 0122448 D0", "GB", "0122448", "D0", "GB0122448D0"),
        ("TW M504788 U", "TW", "M504788", "U", "TWM504788U"),
        ("CZ 896 U1", "CZ", "896", "U1", "CZ896U1"),
    ],
)
def test_publication_number_forms(
    text: str, office: str, serial: str, kind: str | None, canonical: str
) -> None:
    pub = parse_publication_number(text)
    assert pub == PublicationNumber(office=office, serial=serial, kind=kind)
    assert str(pub) == canonical
    assert pub.key == office + serial
    assert parse_publication_number(canonical) == pub


def test_lens_and_wipo_forms_share_a_key() -> None:
    assert parse_publication_number("US 2013/0101709 A1").key == parse_publication_number("US20130101709").key


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("", "two-letter office code"),
        ("   ", "two-letter office code"),
        ("C", "two-letter office code"),
        ("12345", "two-letter office code"),
        ("1A2345678", "two-letter office code"),
        ("CNABC", "CN, 9 digits"),
        ("CN", "two-letter office code"),
        ("CN12345678A", "9 digits (7 before 2007), got 8"),
        ("CN1234567890", "9 digits (7 before 2007), got 10"),
        ("CN123456", "9 digits (7 before 2007), got 6"),
        ("CN112345678Q", "A, B, C, U, Y, S, D, got Q"),
        ("CN112345678A B", "two kind codes"),
        ("US", "two-letter office code"),
        ("US12", "at least three digits"),
        ("US ABC", "at least three digits"),
        ("US 2013//0101709", "at least three digits"),
        ("US2013-", "at least three digits"),
    ],
)
def test_publication_number_garbage_is_refused(text: str, rule: str) -> None:
    with pytest.raises(InvalidPatentNumberError) as caught:
        parse_publication_number(text)
    assert caught.value.field == "publication_number"
    assert caught.value.message.startswith("publication_number: ")
    assert rule in caught.value.message


def test_publication_number_custom_field() -> None:
    with pytest.raises(InvalidPatentNumberError) as caught:
        parse_publication_number("CNABC", field="rows.3.publication_number")
    assert caught.value.field == "rows.3.publication_number"


def _publication_numbers(name: str) -> list[str]:
    path = SHARED_DATA / "patents" / name
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        return [row["Publication Number"] for row in csv.DictReader(handle)]


@pytest.mark.parametrize(("name", "rows"), [("wipo_pizza_24294.csv", 24_294), ("lens_pizza_1000.csv", 1_000)])
def test_every_publication_number_in_the_real_exports_parses(name: str, rows: int) -> None:
    if not SHARED_DATA.is_dir():
        pytest.skip("shared data folder absent")
    numbers = _publication_numbers(name)
    assert len(numbers) == rows
    failures: list[str] = []
    for number in numbers:
        try:
            pub = parse_publication_number(number)
        except InvalidPatentNumberError as error:
            failures.append(f"{number!r}: {error.message}")
            continue
        assert parse_publication_number(str(pub)) == pub, number
    assert failures == []


def test_cn_numbers_in_the_wipo_export() -> None:
    if not SHARED_DATA.is_dir():
        pytest.skip("shared data folder absent")
    cn = [parse_publication_number(n) for n in _publication_numbers("wipo_pizza_24294.csv") if n.startswith("CN")]
    assert len(cn) == 126
    assert {len(p.serial) for p in cn} == {7, 9}
    assert parse_publication_number("CN1688334") in cn
