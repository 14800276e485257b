"""The pages issue 9 added, as a new user reads them, in Chinese (the default) and in English (``?lang=en``
or the ``lang`` cookie): role names, the platform admin's people page, the erasure's confirmation, the
admin menu, who may object to a notice, unverified organisations, the login page, sign-up, history labels,
and (in Chromium, ``-m browser``) that nothing makes a 390 px phone scroll sideways."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import datetime
from uuid import UUID
from zoneinfo import ZoneInfo

import psycopg
import pytest
from litestar import Litestar
from litestar.testing import TestClient
from playwright.sync_api import Browser, expect

from marketplace.platform.services import Services
from tests.unit.account_helpers import old_grant, old_sign_up
from tests.web.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, login, post_form, sign_up_verified
from tests.web.test_api import Member, _member, listed, register, unverified_member
from tests.web.test_api import position as head
from tests.web.test_browser import TIMEOUT_MS, Served, browser, screenshot, served  # noqa: F401 - fixtures
from tests.web.test_deals_journey import negotiate, ok, parties

PASSWORD = "secret-password-1"
ROLE_CODES = re.compile(r"\b(member|org_admin|valuer|programme_officer|auditor|platform_admin)\b")


@pytest.fixture
def client(web_app: Litestar) -> Iterator[TestClient[Litestar]]:
    with TestClient(web_app, raise_server_exceptions=False) as test_client:
        yield test_client




def visible(page: str) -> str:
    """The text a reader sees: no tags, no attribute values (where role codes and ids are posted)."""
    return html.unescape(re.sub(r"<[^>]*>", " ", re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)))


def section(page: str, marker: str) -> str:
    """The part of a page from ``marker`` to the end of its section (or table)."""
    start = page.index(marker)
    ends = [i for i in (page.find("</section>", start), page.find("</table>", start)) if i >= 0]
    return page[start:min(ends)]


def get(client: TestClient[Litestar], path: str, lang: str = "zh") -> str:
    response = client.get(path, params={"lang": "en"} if lang == "en" else None)
    assert response.status_code == 200, response.text
    return response.text


def roles_of(client: TestClient[Litestar], email: str, password: str = PASSWORD) -> list[str]:
    token = client.post("/api/auth/token", json={"email": email, "password": password})
    assert token.status_code == 201, token.text
    return list(token.json()["roles"])


def log_in_as(client: TestClient[Litestar], email: str, password: str = PASSWORD) -> None:
    client.cookies.clear()
    login(client, email, password)


@pytest.fixture
def boss(client: TestClient[Litestar], services: Services) -> Member:
    """The org admin of a verified enterprise."""
    sign_up_verified(client, services, "boss@firm.example", "厦门智造装备有限公司", kind="enterprise")
    return _member(client, "boss@firm.example", PASSWORD)


def add_member(client: TestClient[Litestar], who: Member, email: str, name: str, roles: list[str]) -> str:
    added = client.post("/api/members", headers=who.headers, json={
        "email": email, "password": PASSWORD, "display_name": name, "roles": roles})
    assert added.status_code == 201, added.text
    return str(added.json()["id"])


# --- 1. role names ----------------------------------------------------------------------------


def test_the_members_table_names_roles_in_the_readers_language_and_posts_their_codes(
    client: TestClient[Litestar], services: Services, boss: Member
) -> None:
    li = add_member(client, boss, "li@firm.example", "李工", ["member", "org_admin"])
    add_member(client, boss, "wang@firm.example", "王工", ["member"])
    log_in_as(client, "boss@firm.example")

    zh = get(client, "/my")
    members = visible(section(zh, "<h2>成员</h2>"))
    assert "成员、机构管理员" in members
    assert "撤销机构管理员角色" in members
    assert "撤销成员角色" in members
    assert ROLE_CODES.search(members) is None, ROLE_CODES.search(members)
    assert '<option value="org_admin">机构管理员</option>' in zh  # the value posted stays the code
    assert 'name="roles" value="org_admin" > 机构管理员</label>' in zh  # the add-member checkboxes

    client.cookies.set("lang", "en")
    en = client.get("/my").text
    members = visible(section(en, "<h2>Members</h2>"))
    assert "Member, Organisation admin" in members
    assert "Revoke Organisation admin" in members
    assert re.search(r"\b(org_admin|platform_admin|programme_officer)\b", members) is None
    assert '<option value="org_admin">Organisation admin</option>' in en
    client.cookies.delete("lang")

    revoked = post_form(client, f"/my/members/{li}/roles", {"action": "revoke", "role": "org_admin", "next": "/my"},
                        form_page="/my")
    assert revoked.status_code == 303
    assert revoked.headers["location"] == "/my"
    assert roles_of(client, "li@firm.example") == ["member"]


# --- 2. the platform admin's people page ------------------------------------------------------


def test_the_people_page_grants_and_revokes_platform_wide_roles_for_any_organisation(
    client: TestClient[Litestar], services: Services, boss: Member
) -> None:
    log_in_as(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    zh = get(client, "/admin/people")
    assert "<th>机构</th>" in zh
    assert "挂牌机构" not in zh
    row = section(zh, f'id="person-{boss.user_id}"')
    assert "成员、机构管理员" in visible(row)
    for code, name in (("auditor", "审计员"), ("programme_officer", "项目主管"), ("platform_admin", "平台管理员")):
        assert f'<option value="{code}">{name}</option>' in row
    assert ROLE_CODES.search(visible(row)) is None

    granted = post_form(client, f"/my/members/{boss.user_id}/roles",
                        {"action": "grant", "role": "auditor", "next": "/admin/people"}, form_page="/admin/people")
    assert granted.status_code == 303
    assert granted.headers["location"] == "/admin/people"
    assert "auditor" in roles_of(client, "boss@firm.example")
    assert "撤销审计员角色" in visible(section(get(client, "/admin/people"), f'id="person-{boss.user_id}"'))

    en = get(client, "/admin/people", "en")
    assert "<th>Organisation</th>" in en
    assert "Listed by" not in en
    row = visible(section(en, f'id="person-{boss.user_id}"'))
    assert "Member, Organisation admin, Auditor" in row
    assert "Revoke Auditor" in row

    revoked = post_form(client, f"/my/members/{boss.user_id}/roles",
                        {"action": "revoke", "role": "auditor", "next": "/admin/people"}, form_page="/admin/people")
    assert revoked.status_code == 303
    assert "auditor" not in roles_of(client, "boss@firm.example")

    # The same form in an org admin's hands changes nothing.
    log_in_as(client, "boss@firm.example")
    before = head(services)
    refused = post_form(client, f"/my/members/{boss.user_id}/roles",
                        {"action": "grant", "role": "programme_officer", "next": "/admin/people"}, form_page="/my")
    assert refused.status_code == 403
    assert head(services) == before


def old_self_granted_auditor(services: Services, organisation_id: str) -> UUID:
    """An account from before issue 9 that gave itself ``auditor``; the upgrade leaves it awaiting confirmation."""
    app = services.app
    old = old_sign_up(app, "old@firm.example", "老员工", PASSWORD, UUID(organisation_id), ["member"], None)
    old_grant(app, old, 2, "auditor", by=old)
    app.accounts.upgrade_old_accounts()
    return old


def test_erasure_asks_for_confirmation_and_erased_people_show_in_the_readers_language(
    client: TestClient[Litestar], services: Services, boss: Member
) -> None:
    old = old_self_granted_auditor(services, boss.organisation_id)
    log_in_as(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    unconfirmed = visible(section(get(client, "/admin/people"), 'id="unconfirmed"'))
    assert "老员工" in unconfirmed
    assert "审计员" in unconfirmed
    assert str(old) not in unconfirmed
    assert "Auditor" in visible(section(get(client, "/admin/people", "en"), 'id="unconfirmed"'))

    # The people page links to a confirmation step; the erasure itself needs the box ticked.
    assert f'href="/admin/people/{boss.user_id}/erase"' in get(client, "/admin/people")
    confirm = get(client, f"/admin/people/{boss.user_id}/erase")
    assert "boss@firm.example" in confirm
    assert "我了解此操作不可撤销" in confirm
    assert 'name="understood" value="yes" required' in confirm
    assert "I understand this cannot be undone" in get(client, f"/admin/people/{boss.user_id}/erase", "en")
    before = head(services)
    for data in ({}, {"understood": ""}, {"understood": "no"}):
        refused = post_form(client, f"/admin/people/{boss.user_id}/erase", data,
                            form_page=f"/admin/people/{boss.user_id}/erase")
        assert refused.status_code == 400
        assert "未删除任何信息" in refused.text
    refused = client.post(f"/admin/people/{boss.user_id}/erase?lang=en", follow_redirects=False, data={
        "_csrf_token": re.findall(r'name="_csrf_token" value="([^"]+)"', confirm)[0]})
    assert refused.status_code == 400
    assert "Nothing was erased" in refused.text
    assert head(services) == before
    assert roles_of(client, "boss@firm.example")  # still logs in

    for who in (boss.user_id, str(old)):
        erased = post_form(client, f"/admin/people/{who}/erase", {"understood": "yes"},
                           form_page=f"/admin/people/{who}/erase")
        assert erased.status_code == 303
        assert erased.headers["location"] == "/admin/people"
    zh, en = get(client, "/admin/people"), get(client, "/admin/people", "en")
    assert "已删除的用户" in zh
    assert "erased person" not in zh
    assert "erased person" in en
    assert "已删除的用户" not in en
    assert "已删除的用户" in visible(section(zh, 'id="unconfirmed"'))  # the old grant's holder, too
    assert "erased person" in visible(section(en, 'id="unconfirmed"'))
    assert "此人的个人信息已删除" in get(client, f"/admin/people/{boss.user_id}/erase")
    assert 'name="understood"' not in get(client, f"/admin/people/{boss.user_id}/erase")


def test_only_a_platform_admin_sees_the_erasure_step(
    client: TestClient[Litestar], services: Services, boss: Member
) -> None:
    add_member(client, boss, "li@firm.example", "李工", ["member"])
    log_in_as(client, "boss@firm.example")
    page = client.get(f"/admin/people/{boss.user_id}/erase")
    assert page.status_code == 403
    assert "boss@firm.example" not in page.text
    assert "此页面仅供平台管理员使用" in page.text
    for path in ("/admin/people", "/admin/organisations", "/admin/claims", f"/admin/people/{boss.user_id}/erase"):
        assert "This page is for platform admins only" in client.get(path, params={"lang": "en"}).text
    before = head(services)
    refused = post_form(client, f"/admin/people/{boss.user_id}/erase", {}, form_page="/my")
    assert refused.status_code == 403
    assert "boss@firm.example" not in refused.text
    assert head(services) == before


# --- 4. the platform admin's menu --------------------------------------------------------------


def test_the_header_links_every_admin_page_for_a_platform_admin_only(
    client: TestClient[Litestar], boss: Member
) -> None:
    admin_pages = ("/admin/organisations", "/admin/claims", "/admin/people", "/admin/valuers", "/admin/refunds",
                   "/admin/health")
    log_in_as(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    for lang, labels in (("zh", ("平台管理", "待退款项", "运行状况")),
                         ("en", ("Platform admin", "Refunds owed", "Health"))):
        header = section(get(client, "/my", lang), '<header class="top">')
        for path in admin_pages:
            assert f'href="{path}"' in header
        for label in labels:
            assert label in visible(header)
    for path in admin_pages:
        assert client.get(path).status_code == 200, path
    log_in_as(client, "boss@firm.example")
    assert "/admin/" not in section(get(client, "/my"), '<header class="top">')


# --- 5. who may object to a notice -------------------------------------------------------------


def test_the_notices_page_offers_the_objection_form_only_to_who_may_object(
    client: TestClient[Litestar], services: Services
) -> None:
    p = parties(client)
    listing_id = listed(client, p.university, 41, price_mode="negotiable", asking_price=None)
    contract_id = negotiate(client, p, listing_id, offered=4_000_000, agreed=5_000_000)
    form = f'action="/contracts/{contract_id}/objections"'

    for lang, explain, stale in (("zh", "经平台审核的机构（交易双方除外）的成员可提出异议", "登录用户均可提出异议"),
                                 ("en", "A member of any verified organisation other than the two parties may object",
                                  "Anyone logged in may object")):
        page = get(client, "/notices", lang)
        assert explain in page
        assert stale not in page
        assert form not in page
    notice = section(get(client, "/notices"), f'id="notice-{contract_id}"')
    assert f'<h2><a href="/listings/{listing_id}">' in notice  # the notice leads to what is sold
    drafted = ok(client.get(f"/api/contracts/{contract_id}", headers=p.university.headers))["contract"]["drafted_at"]
    began = datetime.fromisoformat(drafted).astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")
    assert f"<dt>公示开始</dt><dd>{began} 北京时间</dd>" in notice

    log_in_as(client, "tto@fzu.example.cn")  # the seller
    assert form not in get(client, "/notices")
    assert "本机构是卖方，不能对自己的公示提出异议" in get(client, "/notices")
    assert "Your organisation is the seller" in get(client, "/notices", "en")

    unverified_member(client, "new@shady.example", "某新公司")
    log_in_as(client, "new@shady.example")
    assert form not in get(client, "/notices")
    assert "贵机构通过平台审核后方可提出异议" in get(client, "/notices")
    assert "Your organisation can object once the platform has verified it" in get(client, "/notices", "en")
    before = head(services)
    refused = post_form(client, f"/contracts/{contract_id}/objections", {"text": "价格过低"}, form_page="/notices")
    assert refused.status_code == 403
    assert head(services) == before

    log_in_as(client, "buyer@cells.example.cn")  # the buyer agreed the price: it is a party, not an objector
    assert form not in get(client, "/notices")
    assert "本机构是买方，已同意此价格，不能对其公示提出异议" in get(client, "/notices")
    assert "Your organisation is the buyer and agreed this price" in get(client, "/notices", "en")

    sign_up_verified(client, services, "watch@assoc.example.cn", "某行业协会", kind="enterprise", password=PASSWORD)
    log_in_as(client, "watch@assoc.example.cn")  # a verified organisation other than the parties
    assert form in get(client, "/notices")


# --- 6. unverified organisations: claims and registrations --------------------------------------


def test_an_unverified_organisation_is_told_to_get_verified_instead_of_shown_forms_it_cannot_use(
    client: TestClient[Litestar], services: Services, boss: Member
) -> None:
    sign_up_verified(client, services, "tto@fzu.example.cn", "福州大学")
    owner = _member(client, "tto@fzu.example.cn", PASSWORD)
    patent_id = register(client, owner, 51)
    unverified_member(client, "new@shady.example", "某新公司")
    log_in_as(client, "new@shady.example")

    zh = get(client, f"/patents/{patent_id}")
    assert 'id="claim-form"' not in zh
    assert "贵机构通过平台审核后方可提出权属异议" in zh
    en = get(client, f"/patents/{patent_id}", "en")
    assert 'id="claim-form"' not in en
    assert "must be verified by the platform before it can file" in en
    assert 'href="/patents/new"' not in get(client, "/my")
    zh = get(client, "/patents/new")
    assert 'action="/patents/new"' not in zh
    assert "贵机构通过平台审核后方可登记专利" in zh
    en = get(client, "/patents/new", "en")
    assert 'action="/patents/new"' not in en
    assert "before it can register patents" in en
    before = head(services)
    refused = post_form(client, "/patents/new", {"jurisdiction": "CN", "application_number": "202110000052.1",
                                                 "patent_type": "invention", "title_zh": "某专利"},
                        form_page="/my")
    assert refused.status_code == 403
    assert "贵机构通过平台审核后方可登记专利" in refused.text
    assert head(services) == before

    log_in_as(client, "boss@firm.example")  # verified: the forms are there
    assert 'id="claim-form"' in get(client, f"/patents/{patent_id}")
    assert 'action="/patents/new"' in get(client, "/patents/new")
    assert 'href="/patents/new"' in get(client, "/my")


def test_an_unverified_organisation_sees_why_it_cannot_trade_yet_and_the_trading_buttons_disabled(
    client: TestClient[Litestar], services: Services, boss: Member
) -> None:
    sign_up_verified(client, services, "tto@fzu.example.cn", "福州大学")
    owner = _member(client, "tto@fzu.example.cn", PASSWORD)
    listing_id = listed(client, owner, 53, price_mode="negotiable", asking_price=None)
    unverified_member(client, "new@shady.example", "某新公司")
    log_in_as(client, "new@shady.example")

    def deal_panel(lang: str) -> str:
        return section(get(client, f"/listings/{listing_id}", lang), 'id="deal"')

    zh = deal_panel("zh")
    assert "贵机构通过平台审核后方可报价" in zh
    assert re.search(r'<button type="submit" disabled>提出报价</button>', zh), zh
    assert "until then these buttons are disabled" in deal_panel("en")

    log_in_as(client, "boss@firm.example")  # verified: no banner, the button works
    zh = deal_panel("zh")
    assert 'id="trading-after-review"' not in zh
    assert '<button type="submit">提出报价</button>' in zh


# --- 7, 8, 9. login, password change, sign-up ---------------------------------------------------


def test_after_a_password_change_the_login_page_says_so(client: TestClient[Litestar], boss: Member) -> None:
    log_in_as(client, "boss@firm.example")
    changed = post_form(client, "/my/password", {"current_password": PASSWORD, "new_password": "brand-new-password"},
                        form_page="/my")
    assert changed.status_code == 303
    target = changed.headers["location"]
    assert target == "/login?changed=password"
    assert "密码已修改，请重新登录" in client.get(target).text
    assert "Password changed: log in again" in client.get(target + "&lang=en").text
    assert "密码已修改" not in client.get("/login").text
    assert client.get("/my", follow_redirects=False).headers["location"].startswith("/login")


def test_only_the_sign_up_form_gives_the_password_rule(client: TestClient[Litestar]) -> None:
    for lang, rule, label in (("zh", "至少 10 位", "密码"), ("en", "10 characters or more", "Password")):
        login_page = get(client, "/login", lang)
        assert rule not in login_page
        assert f"<label>{label} <input type=\"password\"" in login_page
        assert rule in get(client, "/signup", lang)


def test_sign_up_makes_the_user_choose_the_organisation_kind(
    client: TestClient[Litestar], services: Services
) -> None:
    zh = get(client, "/signup")
    assert re.search(r'<select name="organisation_kind" required><option value="" selected>请选择</option>', zh)
    assert '<option value="university" >' in zh  # no kind is chosen for the user
    assert '<option value="" selected>Choose…</option>' in get(client, "/signup", "en")
    before = head(services)
    refused = post_form(client, "/signup", {
        "email": "x@uni.example", "password": PASSWORD, "display_name": "某人", "organisation_name": "某大学",
        "organisation_kind": ""}, form_page="/signup")
    assert refused.status_code == 400
    assert '<option value="" selected>' in refused.text
    assert head(services) == before
    with psycopg.connect(services.address.conninfo()) as conn:
        assert conn.execute("SELECT count(*) FROM personal_data WHERE email = 'x@uni.example'").fetchone() == (0,)


# --- 11. the legal-status history ---------------------------------------------------------------


def test_a_withdrawn_registration_is_labelled_in_the_readers_language(
    client: TestClient[Litestar], services: Services
) -> None:
    sign_up_verified(client, services, "tto@fzu.example.cn", "福州大学")
    owner = _member(client, "tto@fzu.example.cn", PASSWORD)
    patent_id = register(client, owner, 61)
    withdrawn = client.post(f"/api/patents/{patent_id}/registration/withdraw", headers=owner.headers,
                            json={"reason": "登记有误"})
    assert withdrawn.status_code == 200, withdrawn.text
    zh = visible(get(client, f"/patents/{patent_id}"))
    assert "登记撤销：登记有误" in zh
    assert "registration withdrawn" not in zh
    assert "登记入库" in zh
    en = visible(get(client, f"/patents/{patent_id}", "en"))
    assert "Registration withdrawn: 登记有误" in en
    assert "Registered" in en


# --- 4, 10. a 390 px phone in Chromium ---------------------------------------------------------

PHONE = {"width": 390, "height": 844}


@pytest.mark.browser
def test_a_phone_never_scrolls_sideways_on_the_admin_and_contract_pages(
    served: Served, browser: Browser  # noqa: F811 - fixtures of the browser tests
) -> None:
    admin = next(a for a in served.demo.accounts if "platform_admin" in a.roles)
    with served.connect() as conn:
        contract = conn.execute("SELECT id::text AS id FROM deal_contracts ORDER BY id LIMIT 1").fetchone()
    assert contract is not None
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        page.goto(f"{served.url}/login")
        page.fill('input[name="email"]', admin.email)
        page.fill('input[name="password"]', admin.password)
        page.locator('main button[type="submit"]').click()
        page.wait_for_url(f"{served.url}/todo")  # a login lands on the to-do
        for path in ("/todo", "/my", "/admin/people", "/admin/health", f"/contracts/{contract['id']}", "/notices",
                     "/admin/refunds"):
            for lang in ("zh", "en"):
                page.goto(f"{served.url}{path}?lang={lang}")
                widths = page.evaluate("""() => { const h = document.querySelector('header.top');
                    return [document.documentElement.scrollWidth, h.scrollWidth, h.clientWidth]; }""")
                assert widths[0] <= PHONE["width"], f"{path} ({lang}) is {widths[0]} px wide"
                assert widths[1] <= widths[2], f"the header of {path} ({lang}) overflows: {widths}"
                screenshot(page, f"phone-{path.strip('/').replace('/', '-')}-{lang}")
        # The admin menu opens inside the screen and leads to the refunds and health pages.
        page.goto(f"{served.url}/my")
        page.locator("#admin-menu summary").click()
        for href in ("/admin/refunds", "/admin/health"):
            link = page.locator(f'#admin-menu a[href="{href}"]')
            expect(link).to_be_visible()
            box = link.bounding_box()
            assert box is not None
            assert box["x"] >= 0
            assert box["x"] + box["width"] <= PHONE["width"]
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.locator('#admin-menu a[href="/admin/health"]').click()
        page.wait_for_url(f"{served.url}/admin/health")
    finally:
        context.close()
