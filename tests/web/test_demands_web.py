"""Technology demands and sealed proposals over HTTP, from the users' side (issue 13): an enterprise posts a
demand, two universities propose, the enterprise sees only the count and the hashes before the deadline, then
awards one (its purchase proposal opens the usual offer on the university's listing) and answers the other
with a reason; and the attacks — a university posting a demand, a stranger deciding, a double submit, a
verified-only demand hidden from anonymous and unverified readers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from domain.demand.demand import proposal_digest
from marketplace.platform.clock import ManualClock
from marketplace.platform.database import DatabaseAddress
from marketplace.platform.services import Services, build_services
from marketplace.platform.settings import Settings
from tests.web.conftest import csrf_token, login, sign_up_verified
from tests.web.test_api import Member, _member, listed, position, unverified_member, verified_member

PASSWORD = "secret-password-1"
START = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 in Beijing
DEADLINE = "2026-03-12"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def services(database: DatabaseAddress, ipc_scheme: Any, tmp_path: Path, clock: ManualClock) -> Iterator[Services]:
    settings = Settings.from_env({"MARKETPLACE_DATA_DIR": str(tmp_path), "MARKETPLACE_DEMO_DATA": "0"})
    svc = build_services(settings, address=database, ipc_scheme=ipc_scheme, clock=clock)
    yield svc
    svc.close()


def enterprise(client: TestClient[Litestar], services: Services, email: str, org: str) -> Member:
    sign_up_verified(client, services, email, org, kind="enterprise", password=PASSWORD)
    return _member(client, email, PASSWORD)


def demand_body(**more: Any) -> dict[str, Any]:
    return {"title_zh": "固态电池界面阻抗", "title_en": "Solid-state battery interface resistance",
            "description_zh": "寻求降低固态电解质界面阻抗的技术", "problem": "界面阻抗高，循环衰减快",
            "current_solution": "涂层改性，效果有限", "targets": "界面阻抗 < 10 Ω·cm²，1000 次循环容量保持 80%",
            "ipc_codes": ["H01M 10/0562"], "keywords": ["固态电池", "界面"], "budget_min": 50_000_000,
            "budget_max": 200_000_000, "deadline": DEADLINE, "wants": ["purchase", "commissioned"], **more}


def proposal_body(listing: str | None = None, **more: Any) -> dict[str, Any]:
    return {"want": "purchase" if listing else "commissioned", "approach": "原位聚合界面层",
            "team": "电化学课题组 5 人", "listing_ids": [listing] if listing else [], "price": 150_000_000,
            "milestones": [{"title": "小试样品", "due": "2026-06-30", "amount": 50_000_000},
                           {"title": "中试验证", "due": "2026-12-31", "amount": 100_000_000}], **more}


@pytest.fixture
def market(client: TestClient[Litestar], services: Services) -> dict[str, Any]:
    firm = enterprise(client, services, "chen@ningde.example.cn", "宁德新能源科技有限公司")
    fzu = verified_member(client, services, "wang@fzu.example.cn", "福州大学")
    xmu = verified_member(client, services, "li@xmu.example.cn", "厦门大学")
    listing = listed(client, fzu, 1)
    return {"firm": firm, "fzu": fzu, "xmu": xmu, "listing": listing}


def test_a_demand_gets_sealed_proposals_and_the_enterprise_awards_one_and_answers_the_other(
    client: TestClient[Litestar], services: Services, clock: ManualClock, market: dict[str, Any],
) -> None:
    firm, fzu, xmu, listing = market["firm"], market["fzu"], market["xmu"], market["listing"]
    posted = client.post("/api/demands", json=demand_body(), headers=firm.headers)
    assert posted.status_code == 201, posted.text
    demand = posted.json()["id"]
    found = client.get("/api/demands", params={"q": "界面 阻抗"}).json()
    assert [d["id"] for d in found["items"]] == [demand]
    assert {f["value"]: f["count"] for f in found["fields"]} == {"H01M": 1}
    assert client.get("/api/demands", params={"q": "光伏"}).json()["total"] == 0
    assert client.get("/api/demands", params={"want": "joint"}).json()["total"] == 0

    first = client.post(f"/api/demands/{demand}/proposals", json=proposal_body(listing), headers=fzu.headers)
    assert first.status_code == 201, first.text
    again = client.post(f"/api/demands/{demand}/proposals", json=proposal_body(listing), headers=fzu.headers)
    assert again.status_code == 201  # a double submit: one proposal
    assert again.json()["id"] == first.json()["id"]
    second = client.post(f"/api/demands/{demand}/proposals", json=proposal_body(), headers=xmu.headers)
    assert second.status_code == 201, second.text

    # Before the deadline the enterprise sees who proposed, when and the hash — not the content.
    seen = client.get(f"/api/demands/{demand}", headers=firm.headers).json()
    assert seen["demand"]["proposals"] == 2
    assert not seen["closed"]
    assert all(p["sealed"] and p["content"] is None and len(p["sha256"]) == 64 for p in seen["proposals"])
    early = client.post(f"/api/demands/{demand}/proposals/{first.json()['id']}/award", headers=firm.headers)
    assert early.status_code == 409
    assert "demand.sealed" in early.text
    own = client.get(f"/api/demands/{demand}", headers=fzu.headers).json()
    assert [p["organisation_id"] for p in own["proposals"]] == [fzu.organisation_id]  # its own, not the other's
    assert own["proposals"][0]["content"]["approach"] == "原位聚合界面层"
    assert own["proposals"][0]["sha256"] == proposal_digest(demand, fzu.organisation_id,
                                                            own["proposals"][0]["content"])
    assert client.get(f"/api/demands/{demand}").json()["proposals"] == []  # anonymous: the count only

    clock.set(datetime(2026, 3, 12, 16, 0, tzinfo=UTC))  # 00:00 on 13 March in Beijing: the deadline passed
    late = client.post(f"/api/demands/{demand}/proposals", json=proposal_body(),
                       headers=verified_member(client, services, "zhao@hqu.example.cn", "华侨大学").headers)
    assert late.status_code == 409
    assert "demand.closed" in late.text
    opened = client.get(f"/api/demands/{demand}", headers=firm.headers).json()
    assert not any(p["sealed"] for p in opened["proposals"])
    assert all(p["content"]["price"] == 150_000_000 for p in opened["proposals"])
    stranger = client.post(f"/api/demands/{demand}/proposals/{first.json()['id']}/award", headers=xmu.headers)
    assert stranger.status_code == 403
    assert "demand.not_owner" in stranger.text
    award = client.post(f"/api/demands/{demand}/proposals/{first.json()['id']}/award", headers=firm.headers)
    assert award.status_code == 200, award.text
    offer = award.json()["offer_id"]
    twice = client.post(f"/api/demands/{demand}/proposals/{first.json()['id']}/award", headers=firm.headers)
    assert twice.json()["offer_id"] == offer  # one offer
    offer_seen = client.get(f"/api/offers/{offer}", headers=fzu.headers)
    assert offer_seen.status_code == 200, offer_seen.text
    assert listing in offer_seen.text
    assert offer_seen.json()["offer"]["buyer_organisation_id"] == firm.organisation_id
    declined = client.post(f"/api/demands/{demand}/proposals/{second.json()['id']}/decision",
                           json={"reason": "fit", "text": "方向与我们的产线不匹配"}, headers=firm.headers)
    assert declined.status_code == 200, declined.text
    told = client.get(f"/api/demands/{demand}", headers=xmu.headers).json()["proposals"][0]
    assert (told["state"], told["reason"], told["reason_text"]) == ("declined", "fit", "方向与我们的产线不匹配")
    figures = client.get(f"/api/demands/{demand}").json()
    assert figures["demand"]["decided"] == 2
    assert figures["days_without_proposal"] == 0


def test_who_may_post_propose_and_see(client: TestClient[Litestar], services: Services,
                                      market: dict[str, Any]) -> None:
    firm, fzu, listing = market["firm"], market["fzu"], market["listing"]
    before = position(services)
    by_uni = client.post("/api/demands", json=demand_body(), headers=fzu.headers)
    assert by_uni.status_code == 403
    assert "demand.enterprise_only" in by_uni.text
    bad_budget = client.post("/api/demands", json=demand_body(budget_min=9, budget_max=1), headers=firm.headers)
    assert bad_budget.status_code == 400
    assert "demand.budget_range" in bad_budget.text
    bad_ipc = client.post("/api/demands", json=demand_body(ipc_codes=["Z99Z 1/00"]), headers=firm.headers)
    assert bad_ipc.status_code == 400
    assert position(services) == before  # nothing bad input sends is recorded

    hidden = client.post("/api/demands", json=demand_body(visibility="verified"), headers=firm.headers).json()["id"]
    assert client.get(f"/api/demands/{hidden}").status_code == 404
    assert client.get("/api/demands").json()["total"] == 0
    shady = unverified_member(client, "x@shady.example.cn", "未审核公司")
    assert client.get(f"/api/demands/{hidden}", headers=shady.headers).status_code == 404
    assert client.get(f"/api/demands/{hidden}", headers=fzu.headers).status_code == 200
    assert client.get("/api/demands", headers=fzu.headers).json()["total"] == 1
    firm_proposes = client.post(f"/api/demands/{hidden}/proposals", json=proposal_body(), headers=firm.headers)
    assert firm_proposes.status_code == 403
    other_listing = client.post(f"/api/demands/{hidden}/proposals", json=proposal_body(listing),
                                headers=market["xmu"].headers)
    assert other_listing.status_code == 403
    assert "demand.listing_not_yours" in other_listing.text
    changed = client.post(f"/api/demands/{hidden}/proposals", json=proposal_body(listing), headers=fzu.headers)
    assert changed.status_code == 201
    different = client.post(f"/api/demands/{hidden}/proposals", json=proposal_body(listing, approach="另一方案"),
                            headers=fzu.headers)
    assert different.status_code == 409
    assert "demand.proposed_already" in different.text


def form_post(client: TestClient[Litestar], path: str, page: str, data: dict[str, Any]) -> Any:
    token = csrf_token(client, page)
    return client.post(path, data={**data, "_csrf_token": token}, follow_redirects=False)


def as_user(client: TestClient[Litestar], email: str) -> None:
    client.cookies.clear()
    login(client, email, PASSWORD)


def test_the_pages_post_propose_decide_and_the_to_do_asks_for_the_decisions(
    client: TestClient[Litestar], services: Services, clock: ManualClock, market: dict[str, Any],
) -> None:
    as_user(client, "chen@ningde.example.cn")
    form = client.get("/demands/new")
    demand_id = re.search(r'name="demand_id" value="([^"]+)"', form.text)
    assert demand_id
    fields = {"title_zh": "<script>alert(1)</script>低温快充", "description_zh": "寻求方案", "problem": "充电慢",
              "targets": "30 分钟 80%", "ipc_codes": "H01M 10/0562", "keywords": "快充，低温", "budget_min": "10万",
              "budget_max": "500000", "deadline": DEADLINE, "wants": "commissioned", "visibility": "public",
              "demand_id": demand_id.group(1)}
    refused = form_post(client, "/demands", "/demands/new", fields)
    assert refused.status_code == 400  # "10万" is no amount: the form comes back, nothing recorded
    fields["budget_min"] = "100000"
    first = form_post(client, "/demands", "/demands/new", fields)
    again = form_post(client, "/demands", "/demands/new", fields)
    assert first.status_code == 303
    assert again.headers["location"] == first.headers["location"]  # a double submit: one demand
    page_url = first.headers["location"].split("?")[0]
    demand = page_url.rsplit("/", 1)[1]
    page = client.get(page_url)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;低温快充" in page.text
    assert "<script>alert(1)" not in page.text
    assert 'id="sealed-note"' in page.text
    assert "平台按方案的里程碑拟定技术开发合同" in page.text
    listing = client.get("/demands")
    assert f'id="demand-{demand}"' in listing.text
    assert "H01M (1)" in listing.text
    assert "Technology demands" in client.get("/demands?lang=en").text

    as_user(client, "li@xmu.example.cn")
    proposal = form_post(client, f"/demands/{demand}/proposals", page_url, {
        "want": "commissioned", "approach": "新型电解液", "team": "课题组", "price": "300000",
        "milestone_title_1": "样品", "milestone_due_1": "2026-06-30", "milestone_amount_1": "100000"})
    assert proposal.status_code == 303, proposal.text
    mine = client.get(page_url)
    assert 'id="mine"' in mine.text
    assert "新型电解液" in mine.text

    as_user(client, "chen@ningde.example.cn")
    sealed = client.get(page_url)
    assert "新型电解液" not in sealed.text  # sealed until the deadline
    assert 'class="sha256"' in sealed.text
    assert f"/demands/{demand}#proposals" not in client.get("/todo").text
    clock.set(datetime(2026, 3, 13, 1, 0, tzinfo=UTC))
    opened = client.get(page_url)
    assert "新型电解液" in opened.text
    assert f"/demands/{demand}#proposals" in client.get("/todo").text
    proposal_id = re.search(r'id="proposal-([0-9a-f-]{36})"', opened.text)
    assert proposal_id
    decided = form_post(client, f"/demands/{demand}/proposals/{proposal_id.group(1)}/decision", page_url,
                        {"reason": "price", "text": "超出预算"})
    assert decided.status_code == 303
    assert f"/demands/{demand}#proposals" not in client.get("/todo").text

    as_user(client, "li@xmu.example.cn")
    assert f"/demands/{demand}#mine" in client.get("/todo").text
    told = client.get(page_url).text
    assert "价格" in told
    assert "超出预算" in told
