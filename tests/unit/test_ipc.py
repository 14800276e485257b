"""Unit tests of domain.catalogue.ipc and of loading the WIPO IPC scheme file."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from domain.catalogue.ipc import IpcCode, IpcScheme, parse_ipc
from domain.shared.errors import UnknownIpcCodeError, ValidationError
from marketplace.catalogue.ipc_scheme import default_ipc_scheme, load_ipc_scheme

SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
SCHEME_FILE = SHARED_DATA / "ipc" / "all_ipc.tsv.gz"


def _require_shared_data() -> None:
    if not SHARED_DATA.is_dir():
        pytest.skip("shared data folder absent")


# --- parsing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "canonical", "scheme_key", "level"),
    [
        ("A21D 13/00", "A21D 13/00", "A21D0013000000", "group"),
        ("A21D13/00", "A21D 13/00", "A21D0013000000", "group"),
        ("a21d 13/00", "A21D 13/00", "A21D0013000000", "group"),
        ("  A21D 13/00  ", "A21D 13/00", "A21D0013000000", "group"),
        ("A21D  13 / 00", "A21D 13/00", "A21D0013000000", "group"),
        ("A21D0013000000", "A21D 13/00", "A21D0013000000", "group"),
        ("A21D 13/007", "A21D 13/007", "A21D0013007000", "group"),
        ("A21D0013007000", "A21D 13/007", "A21D0013007000", "group"),
        ("A21D 13/043", "A21D 13/043", "A21D0013043000", "group"),
        ("A21D 13/10", "A21D 13/10", "A21D0013100000", "group"),
        ("A21D 13/100", "A21D 13/10", "A21D0013100000", "group"),
        ("A01B 3/421", "A01B 3/421", "A01B0003421000", "group"),
        ("A23L1/0067", "A23L 1/0067", "A23L0001006700", "group"),  # The Lens IPCR style
        ("A01K0089015500", "A01K 89/0155", "A01K0089015500", "group"),
        ("H04L 29/08", "H04L 29/08", "H04L0029080000", "group"),
        ("G06F 17/30", "G06F 17/30", "G06F0017300000", "group"),
        ("A21D 013/00", "A21D 13/00", "A21D0013000000", "group"),
        ("A21D 13/00 (2006.01)", "A21D 13/00", "A21D0013000000", "group"),
        ("A21D 13/00 20060101A I20051008RMEP", "A21D 13/00", "A21D0013000000", "group"),
        ("A61K 39/095 20060101ALI20051220RMJP", "A61K 39/095", "A61K0039095000", "group"),
        ("A21D", "A21D", "A21D", "subclass"),
        ("a21d", "A21D", "A21D", "subclass"),
        ("A21", "A21", "A21", "class"),
        ("A", "A", "A", "section"),
        (" h ", "H", "H", "section"),
    ],
)
def test_parse_forms(text: str, canonical: str, scheme_key: str, level: str) -> None:
    code = parse_ipc(text)
    assert str(code) == canonical
    assert code.scheme_key == scheme_key
    assert code.level == level
    assert parse_ipc(canonical) == code
    assert parse_ipc(scheme_key) == code


def test_parts_of_a_subgroup() -> None:
    code = parse_ipc("A21D 13/007")
    assert code == IpcCode(section="A", class_="21", subclass="D", main_group="13", subgroup="007")
    assert code.section_code == "A"
    assert code.class_code == "A21"
    assert code.subclass_code == "A21D"
    assert code.main_group_code == "A21D 13/00"
    assert not code.is_main_group
    assert parse_ipc("A21D 13/00").is_main_group


def test_codes_above_group_level() -> None:
    section, klass, subclass = parse_ipc("A"), parse_ipc("A21"), parse_ipc("A21D")
    assert (section.class_code, section.subclass_code, section.main_group_code) == (None, None, None)
    assert (klass.class_code, klass.subclass_code, klass.main_group_code) == ("A21", None, None)
    assert (subclass.class_code, subclass.subclass_code, subclass.main_group_code) == ("A21", "A21D", None)


def test_parents_from_section_down() -> None:
    assert [str(p) for p in parse_ipc("A21D 13/007").parents()] == ["A", "A21", "A21D", "A21D 13/00"]
    assert [str(p) for p in parse_ipc("A21D 13/00").parents()] == ["A", "A21", "A21D"]
    assert [str(p) for p in parse_ipc("A21D").parents()] == ["A", "A21"]
    assert [str(p) for p in parse_ipc("A21").parents()] == ["A"]
    assert parse_ipc("A").parents() == ()
    assert all(isinstance(p, IpcCode) for p in parse_ipc("A21D 13/007").parents())


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "I",  # sections are A-H
        "A2",
        "A21DD",
        "A2ID",
        "21D 13/00",
        "A21D 13",
        "A21D 13/",
        "A21D 13/0",  # a subgroup has at least two digits (truncated in the WIPO export)
        "A21D /00",
        "A21D 0/00",  # there is no main group 0
        "A21D0000000000",
        "A21D 13/0000000",
        "A21D 12345/00",
        "A21D 13/00 A",
        "A21D 13//00",
        "A21D 13/00;A21D 15/00",
        "Y02E 10/50",  # CPC, not IPC
        "6 A 21 D 13/02, A 47 J 37/01",
    ],
)
def test_invalid_forms_are_refused(text: str) -> None:
    with pytest.raises(UnknownIpcCodeError) as caught:
        parse_ipc(text)
    assert caught.value.field == "ipc_codes"
    assert caught.value.message.startswith("ipc_codes: ")
    assert "is not a valid IPC code form" in caught.value.message
    assert isinstance(caught.value, ValidationError)


def test_invalid_form_names_the_given_field() -> None:
    with pytest.raises(UnknownIpcCodeError) as caught:
        parse_ipc("A21D 13", field="patents.2.ipc_codes")
    assert caught.value.field == "patents.2.ipc_codes"
    assert caught.value.message.startswith("patents.2.ipc_codes: 'A21D 13' is not a valid IPC code form")


@pytest.mark.parametrize(
    "parts",
    [
        ("I", None, None, None, None),
        ("A", "2", None, None, None),
        ("A", None, "D", None, None),
        ("A", "21", None, "13", "00"),
        ("A", "21", "D", "13", None),
        ("A", "21", "D", "013", "00"),
        ("A", "21", "D", "13", "0"),
        ("A", "21", "D", "13", "0070"),
    ],
)
def test_value_object_refuses_impossible_parts(
    parts: tuple[str, str | None, str | None, str | None, str | None],
) -> None:
    with pytest.raises(UnknownIpcCodeError):
        IpcCode(*parts)


# --- the scheme (in memory) ----------------------------------------------------------------------

SMALL_SCHEME = {
    "A": "HUMAN NECESSITIES",
    "A21": "BAKING; EDIBLE DOUGHS",
    "A21D": "TREATMENT OF FLOUR OR DOUGH",
    "A21D0013000000": "Finished or partly finished bakery products",
    "A21D0013040000": "Products made from materials other than rye or wheat flour",
    "A21D0013043000": "from tubers, e.g. manioc or potato",
    "A23L": "FOODS, FOODSTUFFS, OR NON-ALCOHOLIC BEVERAGES",
}


def test_scheme_contains_and_title() -> None:
    scheme = IpcScheme(SMALL_SCHEME)
    assert scheme.contains(parse_ipc("A21D 13/043"))
    assert scheme.contains(parse_ipc("A21D"))
    assert not scheme.contains(parse_ipc("A21D 13/02"))
    assert scheme.title(parse_ipc("A21D0013043000")) == "from tubers, e.g. manioc or potato"
    assert scheme.title(parse_ipc("A99Z 1/00")) is None
    assert len(scheme) == len(SMALL_SCHEME)


def test_scheme_copies_its_mapping() -> None:
    titles = dict(SMALL_SCHEME)
    scheme = IpcScheme(titles)
    titles["A99Z0001000000"] = "added later"
    assert not scheme.contains(parse_ipc("A99Z 1/00"))


def test_require_accepts_a_known_code() -> None:
    IpcScheme(SMALL_SCHEME).require(parse_ipc("A21D 13/00"), "ipc_codes")


def test_require_refuses_an_unknown_code_naming_the_field() -> None:
    with pytest.raises(UnknownIpcCodeError) as caught:
        IpcScheme(SMALL_SCHEME).require(parse_ipc("A99Z 1/00"), "ipc_codes")
    assert caught.value.message == "ipc_codes: A99Z 1/00 is not in the IPC scheme (2020)"
    assert caught.value.field == "ipc_codes"


def test_require_uses_the_given_field_and_edition() -> None:
    with pytest.raises(UnknownIpcCodeError) as caught:
        IpcScheme(SMALL_SCHEME, edition="2024.01").require(parse_ipc("A21D 13/02"), field="listing.ipc")
    assert caught.value.message == "listing.ipc: A21D 13/02 is not in the IPC scheme (2024.01)"
    assert caught.value.field == "listing.ipc"


def test_nearest_known_in_memory() -> None:
    scheme = IpcScheme(SMALL_SCHEME)
    assert scheme.nearest_known(parse_ipc("A21D 13/043")) == parse_ipc("A21D 13/043")
    assert scheme.nearest_known(parse_ipc("A21D 13/047")) == parse_ipc("A21D 13/00")
    assert scheme.nearest_known(parse_ipc("A21D 99/00")) == parse_ipc("A21D")
    assert scheme.nearest_known(parse_ipc("A23L 1/00")) == parse_ipc("A23L")
    assert scheme.nearest_known(parse_ipc("B65D 85/36")) is None


# --- the real scheme file ------------------------------------------------------------------------


def test_scheme_key_round_trip_over_the_whole_scheme_file() -> None:
    _require_shared_data()
    with gzip.open(SCHEME_FILE, "rt", encoding="utf-8") as handle:
        keys = [line.partition("\t")[0] for line in handle if "\t" in line]
    assert len(keys) == 75_827
    levels: dict[str, int] = {}
    for key in keys:
        code = parse_ipc(key)
        assert code.scheme_key == key
        assert parse_ipc(str(code)) == code
        levels[code.level] = levels.get(code.level, 0) + 1
    assert levels == {"section": 8, "class": 131, "subclass": 645, "group": 75_043}


def test_load_real_scheme() -> None:
    _require_shared_data()
    scheme = load_ipc_scheme(SCHEME_FILE)
    assert len(scheme) == 75_287  # 75,827 code lines, 540 of them repeat the previous code
    assert scheme.title(parse_ipc("A")) == "HUMAN NECESSITIES"
    assert scheme.title(parse_ipc("A21D 13/00")) == "Finished or partly finished bakery products"
    assert scheme.title(parse_ipc("A01B 3/00")) == "Ploughs"  # first of two titles kept
    title = scheme.title(parse_ipc("B61D 19/00")) or ""
    assert title.endswith("E05B 85/00;door-operating mechanisms E05F)")  # continuation lines, readable references
    for code in ("A01B 1/02", "A21D 13/043", "A23L1/0067", "H04L 12/28", "G01N 25/72"):
        assert scheme.contains(parse_ipc(code)) == (code != "A23L1/0067"), code


def test_nearest_known_for_a_historic_code_in_the_real_scheme() -> None:
    _require_shared_data()
    scheme = load_ipc_scheme(SCHEME_FILE)
    historic = parse_ipc("A23L 1/00")  # pre-2016 foods main group, frequent in the pizza data
    assert not scheme.contains(historic)
    with pytest.raises(UnknownIpcCodeError, match="ipc_codes: A23L 1/00 is not in the IPC scheme"):
        scheme.require(historic, "ipc_codes")
    assert scheme.nearest_known(historic) == parse_ipc("A23L")
    assert scheme.nearest_known(parse_ipc("A23L1/0067")) == parse_ipc("A23L")
    assert scheme.nearest_known(parse_ipc("A21D 13/007")) == parse_ipc("A21D 13/00")
    assert scheme.nearest_known(parse_ipc("A21D 13/043")) == parse_ipc("A21D 13/043")


def test_default_scheme_is_read_once() -> None:
    _require_shared_data()
    assert default_ipc_scheme(SCHEME_FILE) is default_ipc_scheme(SCHEME_FILE)
