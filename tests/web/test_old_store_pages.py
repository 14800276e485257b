"""The JSON answers on a store written by the code before the trade-package move are what that code gave,
and its public pages show the same records.

The expected answers were recorded by ``tests/fixtures/make_old_store.py`` with the old code (commit
d8eb921), right after exporting the store; here the same requests, in the same order, are made of the
code under test on the restored and migrated store (an auditor's read is an event, hence the order).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from marketplace.platform.cli import main
from marketplace.platform.database import DatabaseAddress
from marketplace.platform.services import build_services
from marketplace.platform.settings import Settings
from tests.conftest import patient
from tests.fixtures.old_store import database_url, restore
from tests.fixtures.old_store_answers import capture
from web.app import create_app


def test_the_old_stores_answers_are_unchanged(database: DatabaseAddress, ipc_scheme, tmp_path: Path,  # type: ignore[no-untyped-def]
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    fixture = restore(database)
    monkeypatch.setenv("MARKETPLACE_DATABASE_URL", database_url(database))
    monkeypatch.setenv("MARKETPLACE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MARKETPLACE_DEMO_DATA", "0")
    assert main(["migrate"]) == 0
    services = build_services(Settings.from_env(), address=database, ipc_scheme=ipc_scheme)
    # Migration 0016 re-projects the catalogue, and read models added since start from nothing: the old code's
    # answers were recorded with its read models caught up, so these are asked once every read model has caught up
    # (asked during the replay, a listing page raced the catalogue and now and then showed it half rebuilt).
    services.make_runner().catch_up()
    try:
        with TestClient(create_app(patient(services), start_projections=True)) as client:
            answers = capture(client, fixture)
            pages = {path: client.get(path) for path in page_words(fixture)}
    finally:
        services.close()
    expected = fixture["expected"]
    assert sorted(answers) == sorted(expected)
    for name, answer in answers.items():
        assert without_added_fields(name, answer) == expected[name], name
    for path, words in page_words(fixture).items():  # the pages show what the old code's answers said
        assert pages[path].status_code == 200, path
        for word in words:
            assert word in pages[path].text, (path, word)


#: Fields the JSON answers gained since the old code, by answer: an addition, not a change of what was there.
ADDED_FIELDS = {"daily_roots": "final"}  # whether the day has ended (UTC), so that its root no longer moves


def without_added_fields(name: str, answer: dict[str, Any]) -> dict[str, Any]:
    """The answer less the fields added since the old code (each checked for its type on the way out)."""
    field = ADDED_FIELDS.get(name)
    if field is None:
        return answer
    items = []
    for item in answer["body"]["items"]:
        assert isinstance(item.pop(field), bool), (name, item)
        items.append(item)
    return {**answer, "body": {**answer["body"], "items": items}}


def page_words(fixture: dict[str, Any]) -> dict[str, list[str]]:
    """Public pages of the restored store and the words each must show, from the old code's JSON answers."""
    ids, expected = fixture["ids"], fixture["expected"]
    sold = expected["listing_sold"]["body"]["listing"]
    patent = expected["patent"]["body"]["patent"]
    assessment = expected["patent_valuations"]["body"]["assessments"][0]
    notice = expected["notices"]["body"]["items"][0]["contract"]
    return {
        f"/listings/{ids['sold_listing']}?lang=zh": [sold["title_zh"], patent["application_number"]],
        f"/patents/{ids['sold_patent']}?lang=en": [patent["title_en"], patent["application_number"]],
        f"/patents/{ids['sold_patent']}/valuations?lang=zh": [assessment["organisation_name"]],
        "/notices?lang=zh": [notice["buyer_name"]],
    }
