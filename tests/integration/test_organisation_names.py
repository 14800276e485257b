"""Organisation names compare under NFKC, case folding and without invisible characters, on PostgreSQL:
at sign-up, at import, and against organisations a store registered before names compared so."""

from __future__ import annotations

import json
from pathlib import Path
from uuid import UUID

import psycopg
import pytest

from domain.accounts.organisation import Organisation
from domain.shared.errors import ConflictError, ValidationError
from domain.shared.ids import legacy_organisation_id, organisation_id
from marketplace.accounts import commands as ac
from marketplace.catalogue.importing.formats import read_patents
from marketplace.catalogue.importing.service import PatentImporter
from marketplace.platform.application import Marketplace
from marketplace.platform.services import Services
from tests.integration.test_projections import cn
from tests.web.test_api import position

N1, N2, N3 = cn("202110624021"), cn("202110624022"), cn("202110624023")
HEADER = ("jurisdiction,application_number,publication_number,patent_type,title_zh,title_en,abstract_zh,"
          "abstract_en,ipc_codes,filing_date,publication_date,grant_date,legal_status,applicants,inventors\n")


def sign_up(app: Marketplace, email: str, organisation: str) -> UUID:
    user, _ = app.accounts.sign_up(ac.SignUp(email=email, password="secret-password-1", display_name="陈",
                                             organisation_name=organisation, organisation_kind="university"))
    return user




def registered_before(app: Marketplace, name: str) -> UUID:
    """An organisation as a store written before this change holds it: under its legacy id."""
    org = Organisation._create(Organisation.Registered, id=legacy_organisation_id(name), name=name,
                               kind="university", region="", verified=True, by=None)
    app.save(org)
    return org.id


def organisations(services: Services) -> list[tuple[object, ...]]:
    services.make_runner().catch_up()
    with psycopg.connect(services.address.conninfo()) as conn:
        return conn.execute("SELECT id, name FROM accounts_organisations ORDER BY name").fetchall()


@pytest.mark.parametrize("variant", ["ＦＺＵ福州大学", "fzu福州大学", " FZU福州大学 ", "ｆｚｕ福州大学"])
def test_a_variant_of_a_registered_name_is_a_409_and_records_nothing(services: Services, variant: str) -> None:
    sign_up(services.app, "a@fzu.example.cn", "FZU福州大学")
    before = position(services)
    with pytest.raises(ConflictError) as refused:
        sign_up(services.app, "b@fzu.example.cn", variant)
    assert refused.value.field == "organisation_name"
    assert position(services) == before


@pytest.mark.parametrize("variant", ["福州大学\u200b", "福州大学\u202e", "\ufeff福州大学"])
def test_a_name_with_invisible_characters_is_refused_and_records_nothing(services: Services, variant: str) -> None:
    sign_up(services.app, "a@fzu.example.cn", "福州大学")
    before = position(services)
    with pytest.raises(ValidationError) as refused:
        sign_up(services.app, "b@fzu.example.cn", variant)
    assert refused.value.field == "organisation_name"
    assert position(services) == before


def test_an_organisation_registered_before_keeps_its_id_and_is_still_found(services: Services) -> None:
    old = registered_before(services.app, "ＦＺＵ福州大学")
    assert old != organisation_id("ＦＺＵ福州大学")  # its name was not compared under NFKC then
    before = position(services)
    with pytest.raises(ConflictError):
        sign_up(services.app, "b@fzu.example.cn", "ｆｚｕ福州大学")  # the same legacy key
    assert position(services) == before
    # A plain name's id did not change: organisations registered before are found under it.
    plain = registered_before(services.app, "Fujian Agriculture and Forestry University")
    assert plain == organisation_id("fujian agriculture and forestry university")


def test_import_finds_the_existing_organisation_whatever_the_spelling(services: Services, tmp_path: Path) -> None:
    user = sign_up(services.app, "a@fzu.example.cn", "FZU福州大学")
    fzu = services.app.repository.get(user).organisation_id
    legacy = registered_before(services.app, "ＸＭＵ厦门大学")
    native = tmp_path / "patents.csv"
    native.write_text(
        HEADER
        + f"CN,{N1},,invention,一种茶叶萎凋设备,,,,A23F 3/06,2021-06-04,,,pending,ＦＺＵ福州大学|university,张三\n"
        + f"CN,{N2},,invention,一种电池,,,,H01M 10/0562,2021-06-04,,,pending,"
          "FZU福州大学\u200b|university,李四\n"
        + f"CN,{N3},,invention,一种面包,,,,A21D 13/00,2021-06-04,,,pending,ＸＭＵ厦门大学|university,王五\n",
        encoding="utf-8",
    )
    report = PatentImporter(services.app).run(read_patents(native))
    assert (report.registered, report.organisations, report.errors) == (3, 0, [])
    assert [row[0] for row in organisations(services)] == [fzu, legacy]
    with psycopg.connect(services.address.conninfo()) as conn:
        owners = conn.execute("SELECT owner_ids FROM catalogue_patents ORDER BY application_number").fetchall()
    assert owners == [([fzu],), ([fzu],), ([legacy],)]


def test_import_cleans_invisible_and_control_characters_and_reports_what_it_cannot_record(
    services: Services, tmp_path: Path
) -> None:
    native = tmp_path / "patents.jsonl"
    rows = [
        {"jurisdiction": "CN", "application_number": N1, "patent_type": "invention",
         "title_zh": "一种\x00茶叶\u00ad萎凋\u202e设备", "abstract_zh": "第一行\r\n第二行\x1b",
         "applicants": ["福建农林大学\u200b|university"], "inventors": ["张\u200d三"]},
        {"jurisdiction": "CN", "application_number": N2, "patent_type": "invention",
         "title_zh": "一种\ud800电池", "applicants": ["福建农林大学|university"]},
    ]
    native.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    report = PatentImporter(services.app).run(read_patents(native))
    assert report.registered == 1
    assert [e.line for e in report.errors] == [2]
    assert organisations(services)[0][1] == "福建农林大学"
    with psycopg.connect(services.address.conninfo()) as conn:
        rows = conn.execute("SELECT title_zh, abstract_zh, inventors FROM catalogue_patents").fetchall()
    assert rows == [("一种 茶叶萎凋设备", "第一行\n第二行", [{"name": "张三", "share": None}])]
