"""Enquiries before offers over HTTP, from the users' side (issue 13): an enterprise asks about a listing,
the university sees it on its to-do and answers, the enterprise reads the answer, accepts the confidentiality
terms to receive the confidential material, and makes an offer from the thread; and the attacks — the seller
enquiring about its own listing, a stranger reading a thread, a fake or oversized PDF, double submits."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import psycopg
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from domain.demand.materials import MAX_MATERIAL_BYTES, digest
from marketplace.platform.services import Services
from tests.unit.demand_helpers import FAKE_PDF, pdf, png
from tests.web.conftest import csrf_token, login, sign_up_verified
from tests.web.test_api import Member, _member, listed, position, unverified_member, verified_member

PASSWORD = "secret-password-1"
SELLER = "wang@fzu.example.cn"
BUYER = "chen@ningde.example.cn"
STRANGER = "lin@quanzhou.example.cn"


def enterprise(client: TestClient[Litestar], services: Services, email: str, org: str) -> Member:
    sign_up_verified(client, services, email, org, kind="enterprise", password=PASSWORD)
    return _member(client, email, PASSWORD)


def as_user(client: TestClient[Litestar], email: str) -> None:
    client.cookies.clear()
    login(client, email, PASSWORD)


def form_post(client: TestClient[Litestar], path: str, page: str, data: dict[str, str],
              files: dict[str, tuple[str, bytes, str]] | None = None) -> object:
    token = csrf_token(client, page)
    return client.post(path, data={**data, "_csrf_token": token}, files=files, follow_redirects=False)


def attach_on_page(client: TestClient[Litestar], listing: str, name: str, content: bytes, access: str,
                   kind: str = "application/pdf") -> object:
    return form_post(client, f"/listings/{listing}/materials", f"/listings/{listing}/materials",
                     {"access": access}, files={"file": (name, content, kind)})


def stored_files(services: Services) -> list[Path]:
    root = services.settings.materials_path
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def material_reads(services: Services) -> list[tuple[object, ...]]:
    with psycopg.connect(services.address.conninfo()) as conn:
        return conn.execute("SELECT enquiry_id, sha256, reader_id FROM demand_material_reads ORDER BY position"
                            ).fetchall()


@pytest.fixture
def market(client: TestClient[Litestar], services: Services) -> dict[str, object]:
    seller = verified_member(client, services, SELLER, "福州大学")
    buyer = enterprise(client, services, BUYER, "宁德新能源科技有限公司")
    listing = listed(client, seller, 1)
    return {"seller": seller, "buyer": buyer, "listing": listing}


def test_an_enquiry_is_answered_read_releases_the_confidential_material_and_becomes_an_offer(
    client: TestClient[Litestar], services: Services, market: dict[str, object],
) -> None:
    listing = str(market["listing"])
    # The university attaches a public brochure and a confidential test report to its listing.
    as_user(client, SELLER)
    brochure, report = pdf("brochure"), pdf("test report: 1200 cycles")
    for name, content, access in (("产品介绍.pdf", brochure, "public"), ("检测报告.pdf", report, "confidential")):
        answer = attach_on_page(client, listing, name, content, access)
        assert answer.status_code == 303, answer.text  # type: ignore[attr-defined]
    page = client.get(f"/listings/{listing}/materials")
    assert "产品介绍.pdf" in page.text
    assert "检测报告.pdf" in page.text
    assert sorted(p.name for p in stored_files(services)) == sorted([digest(brochure), digest(report)])

    # The enterprise sees the public material, learns there is a confidential one, and asks for it.
    as_user(client, BUYER)
    section = client.get(f"/listings/{listing}/enquiries")
    assert "产品介绍.pdf" in section.text
    assert "检测报告.pdf" not in section.text
    assert 'id="hidden-materials"' in section.text
    assert "暂无资料" not in section.text  # one material is hidden: not "no materials"
    assert client.get(f"/listings/{listing}/enquiries", headers={"HX-Request": "true"}).text.lstrip().startswith(
        '<div id="enquiry-section">')  # the listing page's section, for htmx
    message_id = re.search(r'name="message_id" value="([^"]+)"', section.text)
    assert message_id
    ask = {"kind": "materials", "text": "请提供循环寿命检测报告。", "message_id": message_id.group(1)}
    first = form_post(client, f"/listings/{listing}/enquiries", f"/listings/{listing}/enquiries", ask)
    again = form_post(client, f"/listings/{listing}/enquiries", f"/listings/{listing}/enquiries", ask)
    assert first.status_code == again.status_code == 303  # type: ignore[attr-defined]
    thread_url = first.headers["location"].split("?")[0]  # type: ignore[attr-defined]
    assert again.headers["location"].split("?")[0] == thread_url  # type: ignore[attr-defined]
    enquiry = thread_url.rsplit("/", 1)[1]
    assert client.get(thread_url).text.count('class="message enquirer"') == 1  # the double submit: one message
    assert client.get(f"/listings/{listing}/materials/{digest(report)}").status_code == 403
    assert client.get(f"/listings/{listing}/materials/{digest(brochure)}").content == brochure

    # The university finds it on its to-do, sees the count on its listing, and answers.
    as_user(client, SELLER)
    todo = client.get("/todo")
    assert f"/enquiries/{enquiry}#answer" in todo.text
    assert "待回复的咨询" in todo.text
    assert "本挂牌收到咨询 1 条，其中 1 条待回复" in client.get(f"/listings/{listing}/enquiries").text
    counts = client.get("/enquiries")
    assert f'id="count-{listing}"' in counts.text
    thread = client.get(thread_url)
    assert "请提供循环寿命检测报告。" in thread.text
    assert "对方尚未接受现行保密条款" in thread.text  # the seller sees why the report is not released yet
    reply_id = re.search(r'name="message_id" value="([^"]+)"', thread.text)
    assert reply_id
    answered = form_post(client, f"{thread_url}/messages", thread_url,
                         {"text": "已上传检测报告，接受保密条款后即可下载。", "message_id": reply_id.group(1)})
    assert answered.status_code == 303  # type: ignore[attr-defined]
    assert f"/enquiries/{enquiry}#answer" not in client.get("/todo").text
    assert client.get(f"/listings/{listing}/materials/{digest(report)}").content == report  # the seller's own

    # The enterprise reads the answer (its to-do item goes), accepts the terms and gets the report.
    as_user(client, BUYER)
    assert f"/enquiries/{enquiry}#messages" in client.get("/todo").text
    thread = client.get(thread_url)
    assert "已上传检测报告，接受保密条款后即可下载。" in thread.text
    assert f"/enquiries/{enquiry}#messages" not in client.get("/todo").text
    sha = re.search(r'name="terms_sha256" value="([0-9a-f]{64})"', thread.text)
    assert sha
    assert material_reads(services) == []
    accepted = form_post(client, f"{thread_url}/terms", thread_url, {"terms_sha256": sha.group(1)})
    assert accepted.status_code == 303  # type: ignore[attr-defined]
    download = client.get(f"/listings/{listing}/materials/{digest(report)}")
    assert download.status_code == 200
    assert download.content == report
    assert download.headers["content-type"].startswith("application/pdf")
    assert "filename*=UTF-8''" in download.headers["content-disposition"]
    assert len(material_reads(services)) == 1  # the read of a confidential material is recorded
    as_user(client, SELLER)
    reads = re.search(r'<table class="list" id="material-reads">(.*?)</table>', client.get(thread_url).text, re.S)
    assert reads is not None
    assert "检测报告.pdf" in reads.group(1)
    assert "<td>chen</td>" in reads.group(1)  # who read it, by name (not a user id)
    as_user(client, BUYER)

    # "Make an offer from this thread" opens the offer form filled in from the listing; one offer results.
    thread = client.get(thread_url)
    assert f'href="/enquiries/{enquiry}/offer"' in thread.text
    form = client.get(f"/enquiries/{enquiry}/offer")
    assert 'value="100000.00"' in form.text
    assert '<option value="assignment" selected>' in form.text
    terms = {"kind": "assignment", "price": "100000.00", "valid_days": "14", "note": ""}
    made = form_post(client, f"/enquiries/{enquiry}/offer", f"/enquiries/{enquiry}/offer", terms)
    twice = form_post(client, f"/enquiries/{enquiry}/offer", f"/enquiries/{enquiry}/offer", terms)
    assert made.status_code == twice.status_code == 303  # type: ignore[attr-defined]
    offer_url = made.headers["location"]  # type: ignore[attr-defined]
    assert twice.headers["location"] == offer_url  # type: ignore[attr-defined]
    assert offer_url.startswith("/offers/")
    assert client.get(offer_url).status_code == 200
    assert f'href="{offer_url}"' in client.get(thread_url).text
    offers = client.get("/api/my/offers", headers=market["buyer"].headers).json()  # type: ignore[attr-defined]
    assert offers["total"] == 1

    # The same thread in English.
    english = client.get(f"{thread_url}?lang=en")
    assert "Enquiry thread" in english.text
    assert "Make an offer from this thread" in english.text


def test_the_api_asks_answers_and_releases_materials_once_terms_are_accepted(
    client: TestClient[Litestar], market: dict[str, object],
) -> None:
    seller, buyer = market["seller"], market["buyer"]
    assert isinstance(seller, Member)
    assert isinstance(buyer, Member)
    listing = str(market["listing"])
    attached = client.post(f"/api/listings/{listing}/materials", headers=seller.headers,
                           json={"name": "工艺.png", "content": __import__("base64").b64encode(png()).decode(),
                                 "access": "confidential"})
    assert attached.status_code == 201, attached.text
    sha = attached.json()["sha256"]
    assert sha == digest(png())
    listed_materials = client.get(f"/api/listings/{listing}/materials", headers=buyer.headers).json()
    assert listed_materials["items"] == []
    assert listed_materials["hidden"] == 1
    message = str(uuid.uuid4())
    body = {"text": "能否提供工艺图？", "kind": "materials", "message_id": message}
    first = client.post(f"/api/listings/{listing}/enquiries", headers=buyer.headers, json=body)
    second = client.post(f"/api/listings/{listing}/enquiries", headers=buyer.headers, json=body)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert second.json()["position"] == first.json()["position"]  # one effect
    enquiry = first.json()["id"]
    answered = client.post(f"/api/enquiries/{enquiry}/messages", headers=seller.headers,
                           json={"text": "请先接受保密条款"})
    assert answered.status_code == 200, answered.text
    thread = client.get(f"/api/enquiries/{enquiry}", headers=buyer.headers).json()
    assert [m["side"] for m in thread["messages"]] == ["enquirer", "seller"]
    assert thread["enquiry"]["unread_answers"] == 1
    assert "email" not in str(thread)
    assert client.post(f"/api/enquiries/{enquiry}/read", headers=buyer.headers).status_code == 200
    assert client.get(f"/api/enquiries/{enquiry}", headers=buyer.headers).json()["enquiry"]["unread_answers"] == 0
    download = f"/api/listings/{listing}/materials/{sha}"
    refused = client.get(download, headers=buyer.headers)
    assert refused.status_code == 403
    assert refused.json()["code"] == "material.confidential"
    materials = client.get(f"/api/listings/{listing}/materials", headers=buyer.headers).json()
    assert [m["name"] for m in materials["items"]] == ["工艺.png"]
    assert materials["released"] is False
    accepted = client.post(f"/api/enquiries/{enquiry}/terms-acceptance", headers=buyer.headers,
                           json={"terms_sha256": materials["terms_sha256"]})
    assert accepted.status_code == 200, accepted.text
    got = client.get(download, headers=buyer.headers)
    assert got.status_code == 200
    assert got.content == png()
    assert got.headers["x-material-type"] == "image/png"
    counts = client.get("/api/my/enquiry-counts", headers=seller.headers).json()
    assert [(c["listing_id"], c["enquiries"], c["awaiting_answer"]) for c in counts] == [(listing, 1, 0)]
    offer = client.post(f"/api/enquiries/{enquiry}/offers", headers=buyer.headers,
                        json={"kind": "assignment", "price": 100_000_00})
    assert offer.status_code == 201, offer.text
    assert client.get(f"/api/enquiries/{enquiry}", headers=buyer.headers).json()["enquiry"]["offer_ids"] == [
        offer.json()["id"]]


# --- attacks ------------------------------------------------------------------------------------
def test_the_seller_cannot_enquire_about_its_own_listing(
    client: TestClient[Litestar], services: Services, market: dict[str, object],
) -> None:
    seller = market["seller"]
    assert isinstance(seller, Member)
    before = position(services)
    refused = client.post(f"/api/listings/{market['listing']}/enquiries", headers=seller.headers,
                          json={"text": "自己问自己"})
    assert refused.status_code == 403
    assert refused.json()["code"] == "enquiry.own_listing"
    assert position(services) == before
    as_user(client, SELLER)
    section = client.get(f"/listings/{market['listing']}/enquiries")
    assert 'id="enquiry-form"' not in section.text
    assert 'id="enquiry-counts"' in section.text


def test_a_stranger_cannot_read_or_write_a_thread_and_anyone_unverified_cannot_ask(
    client: TestClient[Litestar], services: Services, market: dict[str, object],
) -> None:
    buyer = market["buyer"]
    assert isinstance(buyer, Member)
    enquiry = client.post(f"/api/listings/{market['listing']}/enquiries", headers=buyer.headers,
                          json={"text": "价格可以商量吗？"}).json()["id"]
    stranger = enterprise(client, services, STRANGER, "泉州新材料有限公司")
    assert client.get(f"/api/enquiries/{enquiry}", headers=stranger.headers).status_code == 403
    before = position(services)
    written = client.post(f"/api/enquiries/{enquiry}/messages", headers=stranger.headers, json={"text": "我也想知道"})
    assert written.status_code == 403
    assert client.post(f"/api/enquiries/{enquiry}/read", headers=stranger.headers).status_code == 403
    assert client.post(f"/api/enquiries/{enquiry}/offers", headers=stranger.headers,
                       json={"kind": "assignment", "price": 1}).status_code == 403
    assert position(services) == before
    assert client.get(f"/api/enquiries/{enquiry}").status_code == 401
    as_user(client, STRANGER)
    page = client.get(f"/enquiries/{enquiry}")
    assert page.status_code == 403
    assert "价格可以商量吗？" not in page.text
    newcomer = unverified_member(client, "new@startup.example.cn", "新创科技有限公司")
    before = position(services)
    refused = client.post(f"/api/listings/{market['listing']}/enquiries", headers=newcomer.headers,
                          json={"text": "你好"})
    assert refused.status_code == 403
    assert position(services) == before


def test_fake_and_oversized_files_are_refused_and_nothing_is_recorded_or_kept(
    client: TestClient[Litestar], services: Services, market: dict[str, object],
) -> None:
    listing = str(market["listing"])
    buyer = market["buyer"]
    assert isinstance(buyer, Member)
    as_user(client, SELLER)
    before = position(services)
    fake = attach_on_page(client, listing, "报告.pdf", FAKE_PDF, "public")
    assert fake.status_code == 400  # type: ignore[attr-defined]
    assert "只接受 PDF 文件和图片" in fake.text  # type: ignore[attr-defined]
    renamed = attach_on_page(client, listing, "报告.pdf", png(), "public")
    assert renamed.status_code == 400  # type: ignore[attr-defined]
    huge = b"%PDF-1.4\n" + b"0" * MAX_MATERIAL_BYTES + b"\n%%EOF\n"
    oversized = attach_on_page(client, listing, "大文件.pdf", huge, "public")
    assert oversized.status_code == 400  # type: ignore[attr-defined]
    assert "每个文件不得超过 10 MB" in oversized.text  # type: ignore[attr-defined]
    too_big_to_send = attach_on_page(client, listing, "更大.pdf", huge + b"0" * 300_000, "public")
    assert too_big_to_send.status_code == 413  # type: ignore[attr-defined]
    hostile = attach_on_page(client, listing, "报告\u202egpj.pdf", pdf(), "public")
    assert hostile.status_code == 400  # type: ignore[attr-defined]
    by_buyer = client.post(f"/api/listings/{listing}/materials", headers=buyer.headers,
                           json={"name": "a.pdf", "content": __import__("base64").b64encode(pdf()).decode()})
    assert by_buyer.status_code == 403
    assert position(services) == before
    assert stored_files(services) == []


def test_hostile_text_in_a_message_is_refused(client: TestClient[Litestar], services: Services,
                                              market: dict[str, object]) -> None:
    buyer = market["buyer"]
    assert isinstance(buyer, Member)
    before = position(services)
    for text in ("请提供\u202e资料", "资料\x00", "长" * 2001, "   "):
        answer = client.post(f"/api/listings/{market['listing']}/enquiries", headers=buyer.headers,
                             json={"text": text})
        assert answer.status_code == 400, (text[:10], answer.text)
    as_user(client, BUYER)
    page = form_post(client, f"/listings/{market['listing']}/enquiries", f"/listings/{market['listing']}/enquiries",
                     {"kind": "question", "text": "请提供\u202e资料"})
    assert page.status_code == 400  # type: ignore[attr-defined]
    assert "双向文字控制符" in page.text  # type: ignore[attr-defined]
    assert 'id="enquiry-form"' in page.text  # type: ignore[attr-defined]
    assert position(services) == before


def test_a_file_refused_for_the_listing_s_material_limit_is_not_kept(
    client: TestClient[Litestar], services: Services, market: dict[str, object],
) -> None:
    """The thirty-first file is refused (a listing holds at most 30): nothing recorded, its bytes not kept."""
    from base64 import b64encode

    from domain.demand.materials import MATERIALS_LIMIT

    seller = market["seller"]
    assert isinstance(seller, Member)
    listing = str(market["listing"])
    for n in range(MATERIALS_LIMIT):
        attached = client.post(f"/api/listings/{listing}/materials", headers=seller.headers,
                               json={"name": f"{n}.pdf", "content": b64encode(pdf(f"part {n}")).decode()})
        assert attached.status_code == 201, attached.text
    kept = len(stored_files(services))
    before = position(services)
    one_more = pdf("one too many")
    refused = client.post(f"/api/listings/{listing}/materials", headers=seller.headers,
                          json={"name": "more.pdf", "content": b64encode(one_more).decode()})
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "material.too_many"
    assert position(services) == before
    assert len(stored_files(services)) == kept
    assert digest(one_more) not in {p.name for p in stored_files(services)}


def test_a_refused_enquiry_on_a_draft_shows_nothing_of_the_draft(
    client: TestClient[Litestar], services: Services, market: dict[str, object],
) -> None:
    """A stranger who learnt a draft's id posts an enquiry to it: refused as no listing, its title not shown."""
    from tests.web.test_api import draft, register

    seller = market["seller"]
    assert isinstance(seller, Member)
    secret = draft(client, seller, register(client, seller, 7, title_zh="尚未公开的钠电池配方"))
    as_user(client, BUYER)
    before = position(services)
    answer = form_post(client, f"/listings/{secret}/enquiries", f"/listings/{market['listing']}/enquiries",
                       {"kind": "question", "text": "这是什么？"})
    assert answer.status_code == 404  # type: ignore[attr-defined]
    assert "尚未公开的钠电池配方" not in answer.text  # type: ignore[attr-defined]
    assert position(services) == before


def test_accepting_terms_that_are_no_digest_is_refused_as_such(
    client: TestClient[Litestar], services: Services, market: dict[str, object],
) -> None:
    """Not 'the terms changed since shown' (409) for something that is no SHA-256 at all: 400 naming the field."""
    buyer = market["buyer"]
    assert isinstance(buyer, Member)
    enquiry = client.post(f"/api/listings/{market['listing']}/enquiries", headers=buyer.headers,
                          json={"text": "请提供资料"}).json()["id"]
    before = position(services)
    for bad in ("x", "A" * 64, "0" * 63, "0" * 64 + "\x00"):
        refused = client.post(f"/api/enquiries/{enquiry}/terms-acceptance", headers=buyer.headers,
                              json={"terms_sha256": bad})
        assert refused.status_code == 400, (bad, refused.text)
        assert "terms_sha256" in refused.text
    assert position(services) == before
