"""The text rule (domain.shared.text) and the command edge that applies it to every field of every command."""

from __future__ import annotations

import uuid
from datetime import date

import msgspec
import pytest

from domain.accounts.organisation import Organisation
from domain.shared.errors import ValidationError
from domain.shared.ids import legacy_organisation_id, organisation_id
from domain.shared.text import checked, name_key, scrubbed
from marketplace.accounts import commands as ac
from marketplace.catalogue import commands as cc
from marketplace.catalogue.importing.records import Applicant, ImportedPatent
from marketplace.catalogue.importing.service import PatentImporter
from marketplace.deals import commands as dc
from marketplace.platform.application import Marketplace
from marketplace.valuation import commands as vc

REFUSED_ANYWHERE = [
    "\x00", "\x07", "\x1b", "\x7f", "\x85", "\x9f",  # C0 and C1 controls, DEL
    "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",  # bidi embeddings and overrides
    "\u2066", "\u2067", "\u2068", "\u2069",  # bidi isolates
    "\u200e", "\u200f", "\u061c",  # bidi marks
    "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\U000e0001",  # invisible format characters
    "\ud800", "\udfff",  # lone surrogates
]
ACCEPTED = ["福州大学", "caf\u00e9", "👍🏽", "\u2764\ufe0f", "\u3000全角空格", "\ue000", "x\u0301\u0302", "🇨🇳"]


@pytest.mark.parametrize("ch", REFUSED_ANYWHERE)
@pytest.mark.parametrize("shape", ["line", "lines"])
def test_control_invisible_and_bidi_characters_are_refused_naming_the_field(ch: str, shape: str) -> None:
    with pytest.raises(ValidationError) as refused:
        checked(f"一种{ch}电池", "title_zh", shape)  # type: ignore[arg-type]
    assert refused.value.field == "title_zh"
    assert f"character 3 is U+{ord(ch):04X}" in refused.value.message


@pytest.mark.parametrize("ch", ["\n", "\r", "\t", "\u2028", "\u2029"])
def test_one_line_text_takes_no_line_break_or_tab(ch: str) -> None:
    with pytest.raises(ValidationError):
        checked(f"a{ch}b", "region")


def test_multi_line_text_keeps_newlines_and_tabs_and_turns_carriage_returns_into_newlines() -> None:
    assert checked("一\r\n\t二\r三\n", "abstract_zh", "lines") == "一\n\t二\n三\n"


def test_accepted_text_is_nfc() -> None:
    assert checked("cafe\u0301", "title_en") == "caf\u00e9"
    assert checked("\u212b", "title_en") == "\u00c5"  # ANGSTROM SIGN: canonically Å


@pytest.mark.parametrize("value", ACCEPTED)
def test_emoji_combining_marks_cjk_and_private_use_are_accepted(value: str) -> None:
    assert checked(value, "note", "lines") == value


def test_scrubbed_drops_invisible_characters_and_spaces_out_controls() -> None:
    assert scrubbed("福州\u200b大学\x00校区\u202e") == "福州大学 校区"
    assert scrubbed("一\r\n二\x0c", "lines") == "一\n二 "
    assert scrubbed("caf\u0065\u0301") == "caf\u00e9"


@pytest.mark.parametrize("variant", ["福州大学\u200b", "福州大学\u202e", "\ufeff福州大学", " 福州大学 "])
def test_names_compare_without_invisible_characters(variant: str) -> None:
    assert name_key(variant) == name_key("福州大学")
    assert organisation_id(variant) == organisation_id("福州大学")


def test_names_compare_under_nfkc_and_case_folding() -> None:
    assert name_key("ＦＺＵ福州大学") == name_key("FZU福州大学") == name_key("fzu福州大学")
    assert organisation_id("ＦＺＵ福州大学") == organisation_id("FZU福州大学")
    assert name_key("Straße  Institut") == name_key("STRASSE INSTITUT")


def test_a_plain_name_keeps_the_id_it_had_before_names_compared_under_nfkc() -> None:
    for name in ("福州大学", "Fuzhou University", "中国科学院福建物质结构研究所"):
        assert organisation_id(name) == legacy_organisation_id(name)


def test_the_organisation_aggregate_refuses_a_name_or_region_that_cannot_be_recorded() -> None:
    with pytest.raises(ValidationError):
        Organisation.register(name="福州\x00大学", kind="university")
    with pytest.raises(ValidationError):
        Organisation.register(name="福州大学", kind="university", region="福建\u202e")
    assert Organisation.register(name="Universite\u0301 X", kind="university").name == "Universit\u00e9 X"


# --- the command edge -------------------------------------------------------------------------
def test_a_nested_field_is_named_by_its_path() -> None:
    body = {"patent_type": "invention", "owners": [],
            "inventors": [{"name": "陈明"}, {"name": "林\u200b华"}]}
    with pytest.raises(ValidationError) as refused:
        msgspec.convert(body, cc.RegisterPatent)
    assert refused.value.field == "inventors.1.name"
    with pytest.raises(ValidationError) as refused:
        cc.RegisterPatent(patent_type="invention", owners=[], ipc_codes=["H01M\x00"])
    assert refused.value.field == "ipc_codes.0"
    with pytest.raises(ValidationError) as refused:
        dc.MakeOffer(listing_id=uuid.uuid4(), kind="exclusive_licence", price=1,
                     scope=dc.ScopeInput(start=date(2026, 1, 1), end=date(2027, 1, 1), territory="福建\u202e"))
    assert refused.value.field == "scope.territory"
    with pytest.raises(ValidationError) as refused:
        vc.CalculateValuation(method="income", inputs={"comparables": [{"name": "x\x00"}]})
    assert refused.value.field == "inputs.comparables.0.name"


def test_nested_text_is_stored_in_nfc() -> None:
    cmd = msgspec.json.decode(
        b'{"patent_type": "invention", "owners": [], "title_en": "Cafe\\u0301",'
        b' "inventors": [{"name": "Jose\\u0301"}], "abstract_en": "a\\r\\nb"}', type=cc.RegisterPatent)
    assert (cmd.title_en, cmd.inventors[0].name, cmd.abstract_en) == ("Caf\u00e9", "Jos\u00e9", "a\nb")


def test_reasons_and_notes_take_several_lines_but_names_take_one() -> None:
    assert dc.RejectOffer(offer_id=uuid.uuid4(), reason="价格太高\n请再议").reason == "价格太高\n请再议"
    with pytest.raises(ValidationError) as refused:
        ac.SignUp(email="a@b.cn", password="secret-password-1", display_name="陈\n明", organisation_name="福州大学",
                  organisation_kind="university")
    assert refused.value.field == "display_name"


def test_a_password_is_taken_exactly_as_typed() -> None:
    password = "pa\u0073\u0301sword\tpass"  # never recorded as text: hashed as typed, so login still matches
    assert ac.SignUp(email="a@b.cn", password=password, display_name="陈", organisation_name="福州大学",
                     organisation_kind="university").password == password


# --- the importer ---------------------------------------------------------------------------------
def _record(line: int, number: str, title: str, applicant: str) -> ImportedPatent:
    return ImportedPatent(
        line=line, jurisdiction="CN", publication_number=number, application_number=None, patent_type="invention",
        title_en="", title_zh=title, abstract_en="", abstract_zh="", ipc_codes=(), publication_date=None,
        filing_date=None, grant_date=None, legal_status="pending",
        applicants=(Applicant(applicant, "university"),), inventors=("张\u200b三",))


def test_the_importer_reports_a_record_it_cannot_record_and_imports_the_rest(memory_app: Marketplace) -> None:
    report = PatentImporter(memory_app).run([
        _record(2, "CN1688334A", "一种\ud800电池", "福州大学"),  # a lone surrogate: no store can hold it
        _record(3, "CN1688335A", "一种\x00茶叶\u202e设备", "福州大学\u200b"),  # cleaned
        _record(4, "CN1688336A", "一种面包", "\u200b\u200c"),  # nothing visible is left of the name
    ])
    assert report.registered == 1
    assert [(e.line, e.message.split(":")[0]) for e in report.errors] == [(2, "title_zh"), (4, "name")]
    org = memory_app.repository.get(organisation_id("福州大学"))
    assert org.name == "福州大学"
