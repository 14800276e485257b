"""Personal data (PIPL) on PostgreSQL: kept out of the events, erasable, and old stores still work."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any
from uuid import UUID

import pytest

from domain.accounts.organisation import Organisation
from domain.accounts.user import ERASED_PERSON
from domain.shared.errors import ConcurrentModificationError, ConflictError
from marketplace.accounts import commands as ac
from marketplace.audit.chain import verify_store
from marketplace.audit.rebuild_check import rebuild_check
from marketplace.platform.app_base import SYSTEM_ACTOR
from marketplace.platform.cli import build_parser, cmd_accounts
from marketplace.platform.services import Services, build_services
from marketplace.platform.settings import Settings
from tests.integration.test_audit_chain import cli_settings
from tests.integration.test_projections import rows
from tests.unit.account_helpers import old_grant, old_sign_up

PASSWORD = "a-long-password"
PEOPLE = ("boss@firm.example", "li@firm.example", "ops@platform.example", "王老板", "李工程师", "运营陈")




def event_bytes(services: Services) -> bytes:
    return b"".join(bytes(r[0]) for r in rows(services, "SELECT state FROM marketplace_events"))


def catch_up(services: Services) -> None:
    services.make_runner().catch_up()


def assert_audit_passes(services: Services) -> None:
    catch_up(services)
    assert verify_store(services.address.conninfo()).ok
    report = rebuild_check(services)
    assert not report.differences, "\n".join(report.lines())


@pytest.fixture
def people(services: Services) -> dict[str, UUID]:
    app = services.app
    admin = app.accounts.bootstrap_platform_admin(
        email="ops@platform.example", password=PASSWORD, display_name="运营陈",
        organisation_name="平台运营中心")
    boss, _ = app.accounts.sign_up(ac.SignUp(email="Boss@Firm.Example", password=PASSWORD, display_name="王老板",
                                             organisation_name="厦门智造装备有限公司", organisation_kind="enterprise"))
    org = app.repository.get(boss).organisation_id
    app.accounts.verify_organisation(ac.VerifyOrganisation(organisation_id=org), actor_id=admin)
    member, _ = app.accounts.add_member(
        ac.AddMember(email="li@firm.example", password=PASSWORD, display_name="李工程师"),
        actor_id=boss)
    app.accounts.change_password(ac.ChangePassword(current_password=PASSWORD, new_password="another-password"),
                                 actor_id=member)
    return {"admin": admin, "boss": boss, "member": member}


def test_sign_up_add_member_and_password_change_write_no_personal_data_into_events(
    services: Services, people: dict[str, UUID]
) -> None:
    stored = event_bytes(services)
    for secret in (*PEOPLE, "$argon2", "another-password"):
        assert secret.encode() not in stored, secret
    assert sorted(rows(services, "SELECT email, display_name FROM personal_data")) == [
        ("boss@firm.example", "王老板"), ("li@firm.example", "李工程师"), ("ops@platform.example", "运营陈")]
    catch_up(services)
    columns = {r[0] for r in rows(services, "SELECT column_name FROM information_schema.columns"
                                           " WHERE table_name = 'accounts_user_records'")}
    assert not columns & {"email", "display_name", "password_hash"}
    # Pages read names through the view, joined from the personal-data store at query time.
    assert rows(services, "SELECT display_name, email FROM accounts_users WHERE id = %s", people["member"]) == [
        ("李工程师", "li@firm.example")]
    audit = "".join(str(r[0]) for r in rows(services, "SELECT summary || data::text FROM audit_log_events"))
    assert not any(secret in audit for secret in PEOPLE)


def test_an_erased_person_is_gone_and_the_audit_still_verifies(services: Services, people: dict[str, UUID]) -> None:
    app = services.app
    app.accounts.erase_user(ac.EraseUser(user_id=people["member"]), actor_id=people["admin"])
    assert app.accounts.authenticate("li@firm.example", "another-password") is None
    assert rows(services, "SELECT count(*) FROM personal_data WHERE user_id = %s", people["member"]) == [(0,)]
    assert_audit_passes(services)
    assert rows(services, "SELECT display_name, email, erased, active FROM accounts_users WHERE id = %s",
               people["member"]) == [(ERASED_PERSON, "", True, False)]
    everything = event_bytes(services) + "".join(
        str(r) for r in rows(services, "SELECT * FROM audit_log_events")).encode()
    assert b"li@firm.example" not in everything
    assert "李工程师".encode() not in everything


@pytest.fixture
def old_store(services: Services) -> dict[str, UUID]:
    """Events written by the code before issue 9: personal data in SignedUp, a self-granted auditor role."""
    app = services.app
    ops_org = Organisation.register(name="平台运营中心", kind="government", verified=True, by=SYSTEM_ACTOR)
    firm_org = Organisation.register(name="某科技有限公司", kind="enterprise", verified=True, by=SYSTEM_ACTOR)
    app.save(ops_org, firm_org)
    ops = old_sign_up(app, "ops@platform.example", "运营陈", PASSWORD, ops_org.id, ["member", "platform_admin"],
                      SYSTEM_ACTOR)
    boss = old_sign_up(app, "boss@firm.example", "王老板", PASSWORD, firm_org.id, ["member", "org_admin"], None)
    old_grant(app, boss, 2, "auditor", by=boss)
    member = old_sign_up(app, "li@firm.example", "李工程师", PASSWORD, firm_org.id, ["member"], boss)
    catch_up(services)
    return {"ops": ops, "boss": boss, "member": member}




def restart(services: Services, tmp_path: Path) -> Services:
    """The same database opened again, as ``serve`` does after the upgrade."""
    settings = Settings.from_env({"MARKETPLACE_DATA_DIR": str(tmp_path), "MARKETPLACE_DEMO_DATA": "0"})
    return build_services(settings, address=services.address, ipc_scheme=services.ipc_scheme)


def test_an_old_store_keeps_working_and_erasure_removes_what_it_can(
    services: Services, old_store: dict[str, UUID], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    again = restart(services, tmp_path)
    try:
        app = again.app
        assert sorted(rows(again, "SELECT email, display_name FROM personal_data")) == [
            ("boss@firm.example", "王老板"), ("li@firm.example", "李工程师"), ("ops@platform.example", "运营陈")]
        assert rows(again, "SELECT count(*) FROM personal_data WHERE password_hash LIKE '$argon2%'") == [(3,)]
        boss = app.accounts.authenticate("boss@firm.example", PASSWORD)
        assert boss is not None
        assert boss.id == old_store["boss"]
        assert [(g.user_id, g.role) for g in app.accounts.unconfirmed_grants()] == [(old_store["boss"], "auditor")]
        catch_up(again)  # the audit pages read roles from the read model: the revoked grant is gone there too
        assert rows(again, "SELECT roles FROM accounts_users WHERE id = %s", old_store["boss"]) == [
            (["member", "org_admin"],)]
        assert cmd_accounts(cli_settings(again, tmp_path), build_parser().parse_args(
            ["accounts", "unconfirmed-roles"])) == 0
        assert str(old_store["boss"]) in capsys.readouterr().out
        assert rows(again, "SELECT display_name FROM accounts_users WHERE id = %s", old_store["member"]) == [
            ("李工程师",)]
        # The audit log read model shows none of the old payloads' personal data.
        audit = "".join(str(r[0]) for r in rows(again, "SELECT summary || data::text FROM audit_log_events"))
        assert not any(secret in audit for secret in PEOPLE)
        app.accounts.erase_user(ac.EraseUser(user_id=old_store["member"]), actor_id=old_store["ops"])
        assert app.accounts.authenticate("li@firm.example", PASSWORD) is None
        assert app.accounts.user_id_of("li@firm.example") is None
        assert_audit_passes(again)
        assert rows(again, "SELECT display_name FROM accounts_users WHERE id = %s", old_store["member"]) == [
            (ERASED_PERSON,)]
        # What erasure cannot remove: the old SignedUp event itself, sealed by the hash chain.
        assert b"li@firm.example" in event_bytes(again)
    finally:
        again.close()


def test_of_two_password_changes_at_once_exactly_the_winners_new_password_logs_in(
    services: Services, people: dict[str, UUID]
) -> None:
    """Both changes prove the current password and save at the same moment: one is recorded, its new hash
    stays in the personal-data store, and the loser changes nothing (neither the old password nor its own)."""
    from tests.integration.test_deal_races import race  # the barrier that makes both save at once

    app, member = services.app, people["member"]
    before = app.recorder.max_notification_id()

    def changing_to(new: str) -> Any:
        return lambda: app.accounts.change_password(
            ac.ChangePassword(current_password="another-password", new_password=new), actor_id=member)

    outcomes = race(SimpleNamespace(app=app), changing_to("first-new-password"), changing_to("second-new-password"))
    won = [i for i, o in enumerate(outcomes) if isinstance(o, int)]
    lost = [o for o in outcomes if isinstance(o, Exception)]
    assert len(won) == 1, outcomes
    assert len(lost) == 1
    assert isinstance(lost[0], ConcurrentModificationError)
    assert app.recorder.max_notification_id() == (before or 0) + 1
    winner, loser = ("first-new-password", "second-new-password")[:: 1 if won == [0] else -1]
    assert app.accounts.authenticate("li@firm.example", winner) is not None
    assert app.accounts.authenticate("li@firm.example", loser) is None
    assert app.accounts.authenticate("li@firm.example", "another-password") is None


def test_an_old_address_in_another_width_is_stored_folded_at_start_up_and_still_logs_in(
    services: Services, old_store: dict[str, UUID], tmp_path: Path
) -> None:
    app = services.app
    org = app.repository.get(old_store["boss"]).organisation_id
    wide = old_sign_up(app, "ｗｉｄｅ@firm.example", "宽字符", PASSWORD, org, ["member"], old_store["boss"])
    again = restart(services, tmp_path)
    try:
        assert rows(again, "SELECT email FROM personal_data WHERE user_id = %s", wide) == [("wide@firm.example",)]
        for typed in ("ｗｉｄｅ@firm.example", "Wide@Firm.Example"):
            found = again.app.accounts.authenticate(typed, PASSWORD)
            assert found is not None
            assert found.id == wide
        with pytest.raises(ConflictError, match="email"):
            again.app.accounts.sign_up(ac.SignUp(email="wide@firm.example", password=PASSWORD, display_name="冒名",
                                                 organisation_name="冒名公司", organisation_kind="enterprise"))
    finally:
        again.close()
