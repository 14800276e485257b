# ruff: noqa: F811 - pytest fixtures imported from the journey module are parameters here
"""The platform admin reconciles bank transfers (对公转账, issue 11): the buyer starts a transfer, the admin
finds it on ``/admin/transfers`` by its reference or its amount, records the receipt from the queue, and it
leaves the queue while the payment page shows it paid. Only the platform admin sees the queue or the JSON
search; a second post of the same receipt has one effect; a wrong amount, or hostile search text, is refused
with a 400 in the reader's language, never a 500."""

from __future__ import annotations

import re
import threading
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from litestar import Litestar
from litestar.testing import TestClient
from markupsafe import escape

from domain.deals.payment import PaymentObligation
from tests.web.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, csrf_token, login, post_form
from tests.web.test_api import listed
from tests.web.test_deals_journey import (  # noqa: F401 - clock and manual_client are the journeys' fixtures
    Parties,
    clock,
    manual_client,
    ok,
    parties,
    services_of,
)
from tests.web.test_deals_one_sale import PRICE, contract_of, offer_at_listed_price, rival, sign
from tests.web.test_deals_refusals import events
from web.vocabulary import site_vocabulary

QUEUE = "/admin/transfers"
BUYER = ("buyer@cells.example.cn", "secret-password-1")
SELLER = ("tto@fzu.example.cn", "secret-password-1")
LABELS = site_vocabulary().labels
BEIJING = ZoneInfo("Asia/Shanghai")


def zh(key: str, **values: Any) -> str:
    """The label's Chinese text as a page shows it (HTML-escaped)."""
    return str(escape(LABELS[key][0].format(**values)))


def en(key: str, **values: Any) -> str:
    """The label's English text as a page shows it (HTML-escaped: ``bank's`` is ``bank&#39;s``)."""
    return str(escape(LABELS[key][1].format(**values)))


def started_transfer(client: TestClient[Litestar], p: Parties, serial: int) -> dict[str, Any]:
    """A signed assignment at the listed price whose buyer chose, on its payment page, to pay by bank transfer."""
    listing_id = listed(client, p.university, serial)
    offer_id = offer_at_listed_price(client, p.enterprise, listing_id)
    ok(client.post(f"/api/offers/{offer_id}/accept", headers=p.university.headers))
    contract = contract_of(client, p.university, offer_id)
    sign(client, contract, p.university, p.enterprise)
    obligation = ok(client.get(f"/api/contracts/{contract['contract']['id']}", headers=p.enterprise.headers))[
        "obligations"
    ][0]
    login(client, *BUYER)
    path = f"/payments/{obligation['id']}"
    started = post_form(client, f"{path}/start", {"gateway": "manual"}, form_page=path)
    assert started.status_code == 303, started.text
    client.cookies.clear()
    return dict(ok(client.get(f"/api/obligations/{obligation['id']}", headers=p.enterprise.headers)))


def queue_rows(page: str) -> list[str]:
    """The references the queue's page lists, in its order."""
    return re.findall(r'<tr id="transfer-[0-9a-f-]{36}" data-reference="(PT-[0-9A-Z]+)">', page)


def receipt(client: TestClient[Litestar], obligation_id: str, amount: str, bank_reference: str = "ICBC-0042") -> Any:
    token = csrf_token(client, QUEUE)
    return client.post(
        f"{QUEUE}/{obligation_id}/receipt",
        data={"amount": amount, "bank_reference": bank_reference, "_csrf_token": token},
        follow_redirects=False,
    )


def paid_events(client: TestClient[Litestar], obligation_id: str) -> int:
    stored = services_of(client).app.repository.event_store.get(UUID(obligation_id))
    return sum(isinstance(e, PaymentObligation.Paid) for e in stored)


def started_at(client: TestClient[Litestar], obligation_id: str) -> str:
    """When the buyer started the transfer, from the stored events, as the page shows it (Beijing time)."""
    stored = services_of(client).app.repository.event_store.get(UUID(obligation_id))
    started = [e for e in stored if isinstance(e, PaymentObligation.PaymentStarted)][-1]
    return started.timestamp.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def test_the_admin_finds_a_transfer_by_reference_or_amount_and_records_its_receipt_from_the_queue(
    manual_client: TestClient[Litestar],
) -> None:
    client = manual_client
    p = parties(client)
    first = started_transfer(client, p, 41)
    second = started_transfer(client, p, 42)
    reference = first["reference"]
    assert re.fullmatch(r"PT-[0-9A-Z]{8}", reference)
    assert (first["amount"], first["status"], first["gateway"]) == (PRICE, "pending", "manual")  # ¥100,000

    login(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    deals = client.get("/deals").text  # the admin's way in, with the count waiting
    assert f'<a href="{QUEUE}" id="transfers-link">{zh("transfers.title")}</a> (2)' in deals
    page = client.get(QUEUE)
    assert page.status_code == 200
    assert queue_rows(page.text) == [reference, second["reference"]]  # oldest first
    row = page.text.split(f'data-reference="{reference}"')[1].split("</tr>")[0]
    assert "宁德电芯科技有限公司 → 福州大学" in row  # payer → payee
    assert f'href="/contracts/{first["contract_id"]}"' in row
    assert "10 万元" in row
    assert "100,000.00 CNY" in row  # to the fen, as the bank statement shows it
    assert f"{started_at(client, first['id'])} 北京时间" in row
    for label in ("transfers.amount_received", "transfers.bank_reference"):
        assert f"<label>{zh(label)} <input" in row

    # By reference: whole or its start, any case, with the blanks a paste brings (and full-width forms).
    for typed in (reference, f"  {reference.lower()}  ", reference[:6].lower(), "ＰＴ－" + reference[3:]):
        found = client.get(QUEUE, params={"reference": typed}).text
        assert reference in queue_rows(found), typed
    assert queue_rows(client.get(QUEUE, params={"reference": reference}).text) == [reference]
    # By amount, as people type it; both transfers are for the listed price.
    for typed in ("100000", "100,000.00", "¥100,000", " 100000.0 "):
        found = client.get(QUEUE, params={"amount": typed}).text
        assert queue_rows(found) == [reference, second["reference"]], typed
    both = client.get(QUEUE, params={"reference": reference, "amount": "100,000"}).text
    assert queue_rows(both) == [reference]
    nothing = client.get(QUEUE, params={"amount": "99,999.99"}).text
    assert queue_rows(nothing) == []
    assert zh("transfers.none_found") in nothing

    # The receipt, from the queue: back on the queue saying so; the transfer has left it.
    answer = receipt(client, first["id"], "100,000.00", "ICBC-20260320-0042")
    assert answer.status_code == 303
    assert answer.headers["location"] == f"{QUEUE}?recorded={first['id']}"
    after = client.get(answer.headers["location"]).text
    assert zh("transfers.recorded", reference=reference, amount="10 万元") in after
    assert queue_rows(after) == [second["reference"]]
    assert queue_rows(client.get(QUEUE, params={"reference": reference}).text) == []
    english = client.get(answer.headers["location"] + "&lang=en").text
    assert en("transfers.recorded", reference=reference, amount="CNY 100,000") in english
    assert en("transfers.title") in english

    # The payment page shows it paid, to the admin and to the buyer; the contract is in force.
    payment = client.get(f"/payments/{first['id']}").text
    assert f'<dd id="payment-status">{zh("payment.status.paid")}</dd>' in payment
    assert "ICBC-20260320-0042" in payment
    client.cookies.clear()
    login(client, *BUYER)
    assert (
        f'<dd id="payment-status">{en("payment.status.paid")}</dd>'
        in client.get(f"/payments/{first['id']}", params={"lang": "en"}).text
    )
    contract = ok(client.get(f"/api/contracts/{first['contract_id']}", headers=p.enterprise.headers))
    assert contract["contract"]["status"] == "in_force"


def test_only_the_platform_admin_sees_the_queue_or_records_a_receipt_from_it(
    manual_client: TestClient[Litestar],
) -> None:
    client = manual_client
    p = parties(client)
    other = rival(client)
    transfer = started_transfer(client, p, 43)

    anonymous = client.get(QUEUE, follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == f"/login?next={QUEUE}"
    for who in (BUYER, SELLER, ("rival@storage.example.cn", "secret-password-1")):  # payer, payee, a stranger
        login(client, *who)
        for lang, words in (("zh", zh("error.admin_only")), ("en", en("error.admin_only"))):
            refused = client.get(QUEUE, params={"lang": lang})
            assert refused.status_code == 403
            assert words in refused.text
            assert transfer["reference"] not in refused.text
        before = events(client)
        token = csrf_token(client, "/my")
        posted = client.post(
            f"{QUEUE}/{transfer['id']}/receipt",
            follow_redirects=False,
            data={"amount": "100000", "bank_reference": "FORGED-1", "_csrf_token": token},
        )
        assert posted.status_code == 403
        assert events(client) == before
        client.cookies.clear()
    login(client, *BUYER)
    assert 'href="/admin/transfers"' not in client.get("/deals").text
    client.cookies.clear()
    assert ok(client.get(f"/api/obligations/{transfer['id']}", headers=p.enterprise.headers))["status"] == "pending"
    assert ok(client.get("/api/my/contracts", headers=other.headers))["items"] == []  # the stranger had no part


def test_the_obligations_search_answers_the_platform_admin_alone(manual_client: TestClient[Litestar]) -> None:
    client = manual_client
    p = parties(client)
    other = rival(client)
    transfer = started_transfer(client, p, 44)
    path = "/api/admin/obligations"

    assert client.get(path).status_code == 401
    for who in (p.enterprise, p.university, other):
        refused = client.get(path, headers=who.headers)
        assert refused.status_code == 403, refused.text
        assert transfer["reference"] not in refused.text
    found = ok(client.get(path, headers=p.admin.headers, params={"reference": transfer["reference"][:5].lower()}))
    assert [o["id"] for o in found["items"]] == [transfer["id"]]
    assert found["total"] == 1
    assert found["items"][0]["status"] == "pending"
    assert found["items"][0]["gateway"] == "manual"
    pending = ok(client.get(path, headers=p.admin.headers, params={"status": "pending", "gateway": "manual"}))
    assert [o["reference"] for o in pending["items"]] == [transfer["reference"]]
    assert ok(client.get(path, headers=p.admin.headers, params={"gateway": "stripe"}))["items"] == []
    assert ok(client.get(path, headers=p.admin.headers, params={"status": "paid"}))["items"] == []
    by_amount = ok(
        client.get(path, headers=p.admin.headers, params={"amount": transfer["amount"], "gateway": "manual"})
    )
    assert [o["id"] for o in by_amount["items"]] == [transfer["id"]]
    paged = ok(client.get(path, headers=p.admin.headers, params={"limit": 1, "offset": 1}))
    assert (paged["items"], paged["total"]) == ([], 1)
    for params in (
        {"status": "lost"},
        {"gateway": "cash"},
        {"limit": 0},
        {"limit": 101},
        {"offset": -1},
        {"reference": "PT-\x07"},
        {"reference": "PT-" + "9" * 200},
        {"reference": "PT-%"},
    ):
        answer = client.get(path, headers=p.admin.headers, params=params)
        assert answer.status_code == 400, (params, answer.text)


def test_a_receipt_posted_twice_or_at_once_is_recorded_once_and_said_to_be(
    manual_client: TestClient[Litestar],
) -> None:
    client = manual_client
    p = parties(client)
    twice = started_transfer(client, p, 45)
    at_once = started_transfer(client, p, 46)
    login(client, ADMIN_EMAIL, ADMIN_PASSWORD)

    first = receipt(client, twice["id"], "100000")
    again = receipt(client, twice["id"], "100000")  # the double click
    assert first.headers["location"] == f"{QUEUE}?recorded={twice['id']}"
    assert again.status_code == 303
    assert again.headers["location"] == f"{QUEUE}?already={twice['id']}"
    said = client.get(again.headers["location"]).text
    assert zh("transfers.already", reference=twice["reference"]) in said
    assert (
        en("transfers.already", reference=twice["reference"]) in client.get(again.headers["location"] + "&lang=en").text
    )
    assert paid_events(client, twice["id"]) == 1

    token = csrf_token(client, QUEUE)
    start = threading.Barrier(2)
    answers: list[Any] = []

    def post() -> None:
        start.wait(timeout=10)
        answers.append(
            client.post(
                f"{QUEUE}/{at_once['id']}/receipt",
                follow_redirects=False,
                data={"amount": "100000", "bank_reference": "BOC-7", "_csrf_token": token},
            )
        )

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(a.headers.get("location", a.status_code) for a in answers) == [
        f"{QUEUE}?already={at_once['id']}",
        f"{QUEUE}?recorded={at_once['id']}",
    ], [a.text for a in answers]
    assert paid_events(client, at_once["id"]) == 1
    assert queue_rows(client.get(QUEUE).text) == []


def test_a_wrong_amount_is_refused_with_the_amount_due_in_the_readers_language(
    manual_client: TestClient[Litestar],
) -> None:
    client = manual_client
    p = parties(client)
    transfer = started_transfer(client, p, 47)
    reference = transfer["reference"]
    login(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    before = events(client)

    wrong = receipt(client, transfer["id"], "10,000")  # a zero dropped
    assert wrong.status_code == 400
    assert zh("transfers.wrong_amount", reference=reference, due="100,000.00 CNY", got="10,000.00 CNY") in wrong.text
    assert queue_rows(wrong.text) == [reference]  # still waiting, its form at hand
    client.get("/lang/en", params={"next": QUEUE})
    english = receipt(client, transfer["id"], "100,000.01")
    assert english.status_code == 400
    assert en("transfers.wrong_amount", reference=reference, due="100,000.00 CNY", got="100,000.01 CNY") in english.text
    for amount, bank_reference, label in (
        ("ten thousand", "ICBC-1", "transfers.bad_amount"),
        ("", "ICBC-1", "transfers.bad_amount"),
        ("1" * 40, "ICBC-1", "transfers.bad_amount"),
        ("100000", "", "transfers.bank_reference_needed"),
    ):
        refused = receipt(client, transfer["id"], amount, bank_reference)
        assert refused.status_code == 400
        assert en(label) in refused.text
    hostile = receipt(client, transfer["id"], "100000", "ICBC\x1b[31m")
    assert hostile.status_code == 400
    assert "bank_reference" in hostile.text
    assert events(client) == before
    assert ok(client.get(f"/api/obligations/{transfer['id']}", headers=p.enterprise.headers))["status"] == "pending"


#: Search text as an attacker (or a clumsy paste) sends it, and the status it is answered with.
HOSTILE_SEARCHES: list[tuple[dict[str, str], int]] = [
    ({"reference": "PT-\x07ABC"}, 400),
    ({"reference": "PT-\u202eABC"}, 400),
    ({"reference": "x" * 10_000}, 400),
    ({"reference": "' OR 1=1 --"}, 400),
    ({"reference": "PT-%"}, 400),
    ({"amount": "9" * 5_000}, 400),
    ({"amount": "1e999999"}, 400),
    ({"amount": "NaN"}, 400),
    ({"amount": "-5"}, 400),
    ({"amount": "1.234"}, 400),
    ({"amount": "99999999999999999999"}, 400),
    ({"amount": "\x00"}, 400),
    ({"reference": "PT-ZZZZZZZZ"}, 200),
    ({"amount": "0"}, 200),
    ({"recorded": "not-a-uuid", "already": "x" * 500}, 200),
]


def test_hostile_search_text_is_a_400_or_finds_nothing_never_a_500(manual_client: TestClient[Litestar]) -> None:
    client = manual_client
    p = parties(client)
    transfer = started_transfer(client, p, 48)
    login(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    for params, status in HOSTILE_SEARCHES:
        for lang in ("zh", "en"):
            answer = client.get(QUEUE, params={**params, "lang": lang})
            assert answer.status_code == status, (params, answer.text)
            if status == 400 and "\x00" not in "".join(params.values()):
                key = "transfers.bad_reference" if "reference" in params else "transfers.bad_amount"
                assert (zh(key) if lang == "zh" else en(key)) in answer.text
            searched = "reference" in params or "amount" in params
            assert queue_rows(answer.text) == ([] if searched else [transfer["reference"]])
    # An address naming a transfer still awaiting its receipt says nothing of a receipt.
    unpaid = client.get(QUEUE, params={"already": transfer["id"], "recorded": transfer["id"]}).text
    assert 'id="transfer-already"' not in unpaid
    assert 'id="transfer-recorded"' not in unpaid
    assert queue_rows(unpaid) == [transfer["reference"]]
