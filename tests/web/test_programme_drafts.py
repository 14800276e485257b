"""Saving a new programme twice (a double click on "save", a retried API call, two at once) drafts one programme
(issue 12): the form carries a token, the API takes an ``Idempotency-Key``; either names the request, and the
programme's id derives from it (uuid5), so the second submit answers with the first programme."""

from __future__ import annotations

import re
import threading
from datetime import date
from uuid import UUID

from domain.programmes.programme import Programme
from marketplace.programmes import commands as pc
from tests.web.conftest import api_token, login
from tests.web.test_programmes_web import (  # noqa: F401 - the fixture and helpers of the programmes journey
    PASSWORD,
    REWARD_FORM,
    YUAN,
    Market,
    market,
)

BODY = {"kind": "transfer_reward", "name_zh": "技术交易补助（卖方）", "name_en": "Deal reward (seller)",
        "budget": 1_000_000 * YUAN, "starts_on": "2025-01-01", "ends_on": "2030-12-31",
        "rules": {"beneficiary": "seller", "tiers": [{"rate_bp": 100}]}}


def drafted(market: Market) -> list[UUID]:  # noqa: F811 - the fixture of the programmes journey
    """Every programme drafted, from the log."""
    return market.app.programmes.programme_ids()


def form_token(page: str) -> str:
    found = re.search(r'name="form_token" value="([0-9a-f]{32})"', page)
    assert found is not None, page
    return found.group(1)


def test_a_double_click_on_save_drafts_one_programme(
    market: Market,  # noqa: F811 - the fixture of the programmes journey
) -> None:
    client = market.client
    login(client, "officer@example.test", PASSWORD)
    page = client.get("/programmes/new").text
    token = form_token(page)
    assert form_token(client.get("/programmes/new").text) != token  # each form its own
    first = market.form("/programmes", "/programmes/new", {**REWARD_FORM, "form_token": token})
    second = market.form("/programmes", "/programmes/new", {**REWARD_FORM, "form_token": token})
    assert (first.status_code, second.status_code) == (303, 303), second.text
    assert first.headers["location"] == second.headers["location"]
    (programme_id,) = drafted(market)
    assert first.headers["location"] == f"/programmes/{programme_id}?done=drafted"
    assert client.get("/programmes").text.count(f'href="/programmes/{programme_id}"') == 1
    # A third click, after the page moved on, still answers the first programme.
    third = market.form("/programmes", "/programmes/new", {**REWARD_FORM, "form_token": token, "name_zh": "改了名"})
    assert third.headers["location"] == first.headers["location"]
    # A new form is a new programme, and a form sent back with an error keeps its token.
    fresh = form_token(client.get("/programmes/new").text)
    refused = market.form("/programmes", "/programmes/new", {**REWARD_FORM, "budget": "", "form_token": fresh})
    assert refused.status_code == 400
    assert form_token(refused.text) == fresh
    assert len(drafted(market)) == 1  # the re-sent form of the first programme added nothing
    fixed = market.form("/programmes", "/programmes/new", {**REWARD_FORM, "form_token": fresh})
    assert fixed.status_code == 303
    assert len(drafted(market)) == 2


def test_a_forged_token_is_refused_and_records_nothing(
    market: Market,  # noqa: F811 - the fixture of the programmes journey
) -> None:
    client = market.client
    login(client, "officer@example.test", PASSWORD)
    head = market.app.recorder.max_notification_id()
    for bad in ("short", "a" * 101, "токен-12345678", "../../etc/passwd", "abc\u202edef-1234"):
        refused = market.form("/programmes", "/programmes/new", {**REWARD_FORM, "form_token": bad})
        assert refused.status_code == 400, bad
        assert "请求标识" in refused.text
        assert re.search(r'name="form_token" value="[0-9a-f]{32}"', refused.text)  # a good one to try again
    assert market.app.recorder.max_notification_id() == head


def test_the_api_answers_a_repeated_idempotency_key_with_the_first_programme(
    market: Market,  # noqa: F811 - the fixture of the programmes journey
) -> None:
    client = market.client
    officer = api_token(client, "officer@example.test", PASSWORD)
    key = {**officer, "Idempotency-Key": "6f1c2a0e-5b7d-4f1e-9a3c-2d4e6f8a0b1c"}
    first = client.post("/api/programmes", headers=key, json=BODY)
    second = client.post("/api/programmes", headers=key, json=BODY)
    assert (first.status_code, second.status_code) == (201, 201), second.text
    assert first.json()["id"] == second.json()["id"]
    assert [str(i) for i in drafted(market)] == [first.json()["id"]]
    # Another officer's same key is another request: the key names a request of one officer.
    xm = api_token(client, "xm_officer@example.test", PASSWORD)
    theirs = client.post("/api/programmes", headers={**xm, "Idempotency-Key": key["Idempotency-Key"]}, json=BODY)
    assert theirs.status_code == 201
    assert theirs.json()["id"] != first.json()["id"]
    # Without a key each call drafts (as before); a bad key is refused and records nothing.
    assert client.post("/api/programmes", headers=officer, json=BODY).status_code == 201
    assert len(drafted(market)) == 3
    head = market.app.recorder.max_notification_id()
    for bad in ("x", "a" * 101, "key with spaces"):
        assert client.post("/api/programmes", headers={**officer, "Idempotency-Key": bad}, json=BODY).status_code == 400
    assert market.app.recorder.max_notification_id() == head
    # Not an officer: refused, whatever the key.
    fafu = api_token(client, "fafu@example.test", PASSWORD)
    assert client.post("/api/programmes", headers={**fafu, "Idempotency-Key": key["Idempotency-Key"]},
                       json=BODY).status_code == 403


def test_two_saves_at_once_draft_one_programme(
    market: Market,  # noqa: F811 - the fixture of the programmes journey
) -> None:
    command = pc.DraftProgramme(kind="transfer_reward", name_zh="同时保存", name_en="Saved twice at once",
                                budget=100 * YUAN, starts_on=date(2025, 1, 1), ends_on=date(2025, 12, 31),
                                rules=pc.RulesInput(beneficiary="seller", tiers=[pc.TierInput(rate_bp=100)]))
    start = threading.Barrier(4)
    answers: list[UUID] = []
    errors: list[BaseException] = []

    def save() -> None:
        start.wait()
        try:
            programme_id, _ = market.app.programmes.draft_programme(
                command, actor_id=market.ids["officer"], idempotency_key="form-token-at-once")
            answers.append(programme_id)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=save) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(set(answers)) == 1
    assert drafted(market) == [answers[0]]
    assert isinstance(market.app.repository.get(answers[0]), Programme)
    assert len(market.app.recorder.select_events(answers[0])) == 1
