"""Accounts on the in-memory recorder: who may grant what, passwords, deactivation, erasure, old stores."""

from __future__ import annotations

from uuid import UUID

import pytest

from domain.accounts.organisation import Organisation
from domain.accounts.user import ERASED_PERSON, Role, User
from domain.shared.errors import (
    ConcurrentModificationError,
    ConflictError,
    NotAuthenticatedError,
    PermissionDeniedError,
    ValidationError,
)
from marketplace.accounts import commands as ac
from marketplace.catalogue import commands as cc
from marketplace.platform.app_base import SYSTEM_ACTOR
from marketplace.platform.application import Marketplace
from tests.unit.account_helpers import old_grant, old_password_change, old_sign_up
from tests.unit.deal_helpers import head

PASSWORD = "a-long-password"




def sign_up(app: Marketplace, email: str, org: str, kind: str = "university") -> UUID:
    user_id, _ = app.accounts.sign_up(ac.SignUp(email=email, password=PASSWORD, display_name=f"Name of {email}",
                                                organisation_name=org, organisation_kind=kind))
    return user_id


def add(app: Marketplace, admin: UUID, email: str, roles: list[str] | None = None) -> UUID:
    user_id, _ = app.accounts.add_member(ac.AddMember(email=email, password=PASSWORD, display_name=f"Name of {email}",
                                                      roles=roles or ["member"]), actor_id=admin)
    return user_id


def user(app: Marketplace, user_id: UUID) -> User:
    found = app.find_user(user_id)
    assert found is not None
    return found


@pytest.fixture
def world(memory_app: Marketplace) -> dict[str, UUID]:
    app = memory_app
    admin = app.accounts.bootstrap_platform_admin(email="ops@platform.test", password=PASSWORD, display_name="陈运营",
                                                  organisation_name="Platform Ops")
    firm = sign_up(app, "ceo@firm.test", "厦门智造装备有限公司", "enterprise")
    app.accounts.verify_organisation(
        ac.VerifyOrganisation(organisation_id=user(app, firm).organisation_id), actor_id=admin)
    engineer = add(app, firm, "engineer@firm.test")
    fresh = sign_up(app, "someone@new.test", "新注册公司", "enterprise")
    other = sign_up(app, "boss@other.test", "另一家公司", "enterprise")
    app.accounts.verify_organisation(
        ac.VerifyOrganisation(organisation_id=user(app, other).organisation_id), actor_id=admin)
    return {"admin": admin, "firm": firm, "engineer": engineer, "fresh": fresh, "other": other}


# --- who may grant what -----------------------------------------------------------------------
@pytest.mark.parametrize("role", ["auditor", "programme_officer", "platform_admin", "valuer"])
@pytest.mark.parametrize("actor", ["fresh", "firm"])
def test_no_org_admin_grants_a_platform_wide_role(
    world: dict[str, UUID], memory_app: Marketplace, actor: str, role: str
) -> None:
    """An unverified self-signup and a verified enterprise's org admin alike: 403, nothing recorded."""
    before = head(memory_app)
    rule = "accreditation" if role == "valuer" else "platform admin"
    with pytest.raises(PermissionDeniedError, match=rule):
        memory_app.accounts.grant_role(ac.GrantRole(user_id=world[actor], role=role), actor_id=world[actor])
    with pytest.raises(PermissionDeniedError, match=rule):
        add(memory_app, world[actor], f"new-{role}@x.test", ["member", role])
    assert head(memory_app) == before
    assert not user(memory_app, world[actor]).has_role(Role(role))
    assert memory_app.accounts.user_id_of(f"new-{role}@x.test") is None


def test_an_unverified_organisation_changes_no_roles_but_may_add_plain_members(
    world: dict[str, UUID], memory_app: Marketplace
) -> None:
    fresh = world["fresh"]
    before = head(memory_app)
    with pytest.raises(PermissionDeniedError, match="verified"):
        add(memory_app, fresh, "second@new.test", ["member", "org_admin"])
    with pytest.raises(PermissionDeniedError, match="verified"):
        memory_app.accounts.revoke_role(ac.RevokeRole(user_id=fresh, role="member"), actor_id=fresh)
    assert head(memory_app) == before
    colleague = add(memory_app, fresh, "colleague@new.test")
    with pytest.raises(PermissionDeniedError, match="verified"):
        memory_app.accounts.grant_role(ac.GrantRole(user_id=colleague, role="org_admin"), actor_id=fresh)
    assert memory_app.accounts.grantable_roles(fresh) == ()
    assert user(memory_app, colleague).roles == ["member"]


def test_a_verified_org_admin_grants_member_roles_within_its_organisation_only(
    world: dict[str, UUID], memory_app: Marketplace
) -> None:
    memory_app.accounts.grant_role(ac.GrantRole(user_id=world["engineer"], role="org_admin"), actor_id=world["firm"])
    assert user(memory_app, world["engineer"]).has_role(Role.ORG_ADMIN)
    memory_app.accounts.revoke_role(ac.RevokeRole(user_id=world["engineer"], role="org_admin"), actor_id=world["firm"])
    before = head(memory_app)
    with pytest.raises(PermissionDeniedError, match="within your organisation"):
        memory_app.accounts.grant_role(
            ac.GrantRole(user_id=world["engineer"], role="org_admin"), actor_id=world["other"])
    with pytest.raises(PermissionDeniedError, match="org_admin"):
        memory_app.accounts.grant_role(
            ac.GrantRole(user_id=world["firm"], role="org_admin"), actor_id=world["engineer"])
    assert head(memory_app) == before
    assert memory_app.accounts.grantable_roles(world["firm"]) == ("member", "org_admin")
    assert memory_app.accounts.grantable_roles(world["engineer"]) == ()


def test_only_a_platform_admin_grants_and_revokes_platform_wide_roles(
    world: dict[str, UUID], memory_app: Marketplace
) -> None:
    admin, engineer = world["admin"], world["engineer"]
    memory_app.accounts.grant_role(ac.GrantRole(user_id=engineer, role="auditor"), actor_id=admin)
    assert user(memory_app, engineer).has_role(Role.AUDITOR)
    before = head(memory_app)
    with pytest.raises(PermissionDeniedError, match="only a platform admin"):
        memory_app.accounts.revoke_role(ac.RevokeRole(user_id=engineer, role="auditor"), actor_id=world["firm"])
    with pytest.raises(PermissionDeniedError, match="accreditation"):
        memory_app.accounts.grant_role(ac.GrantRole(user_id=engineer, role="valuer"), actor_id=admin)
    assert head(memory_app) == before
    memory_app.accounts.revoke_role(ac.RevokeRole(user_id=engineer, role="auditor"), actor_id=admin)
    assert not user(memory_app, engineer).has_role(Role.AUDITOR)
    assert "valuer" not in memory_app.accounts.grantable_roles(admin)


def test_an_org_admin_changes_no_role_of_an_account_holding_a_platform_wide_role(
    world: dict[str, UUID], memory_app: Marketplace
) -> None:
    """The programme officer in a firm, a platform admin in the operator's organisation: its org admin
    may not strip or add roles (which would also end the account's sessions)."""
    app, admin, officer = memory_app, world["admin"], world["engineer"]
    app.accounts.grant_role(ac.GrantRole(user_id=officer, role="programme_officer"), actor_id=admin)
    ops_admin = add(app, admin, "org-admin@platform.test", ["member", "org_admin"])  # in the operator's organisation
    second = add(app, admin, "second-admin@platform.test", ["member", "platform_admin"])
    before = head(app)
    for actor, target in ((world["firm"], officer), (ops_admin, admin), (ops_admin, second)):
        for role in ("member", "org_admin"):
            with pytest.raises(PermissionDeniedError, match="platform-wide"):
                app.accounts.revoke_role(ac.RevokeRole(user_id=target, role=role), actor_id=actor)
        with pytest.raises(PermissionDeniedError, match="platform-wide"):
            app.accounts.grant_role(ac.GrantRole(user_id=target, role="org_admin"), actor_id=actor)
    assert head(app) == before
    assert user(app, officer).roles == ["member", "programme_officer"]
    app.accounts.grant_role(ac.GrantRole(user_id=officer, role="org_admin"), actor_id=admin)  # a platform admin may


def test_member_is_never_revoked_deactivation_removes_someone(world: dict[str, UUID], memory_app: Marketplace) -> None:
    before = head(memory_app)
    for actor in ("firm", "admin"):
        with pytest.raises(ConflictError, match="deactivate") as refused:
            memory_app.accounts.revoke_role(ac.RevokeRole(user_id=world["engineer"], role="member"),
            actor_id=world[actor])
        assert refused.value.field == "role"
    assert head(memory_app) == before
    assert user(memory_app, world["engineer"]).roles == ["member"]


def test_the_roles_of_an_erased_or_deactivated_account_do_not_change(
    world: dict[str, UUID], memory_app: Marketplace
) -> None:
    app, admin, engineer = memory_app, world["admin"], world["engineer"]
    app.accounts.grant_role(ac.GrantRole(user_id=engineer, role="org_admin"), actor_id=admin)
    app.accounts.deactivate_user(ac.DeactivateUser(user_id=engineer), actor_id=admin)
    before = head(app)
    with pytest.raises(ConflictError, match="deactivated"):
        app.accounts.grant_role(ac.GrantRole(user_id=engineer, role="auditor"), actor_id=admin)
    assert head(app) == before
    app.accounts.erase_user(ac.EraseUser(user_id=engineer), actor_id=admin)
    before = head(app)
    with pytest.raises(ConflictError, match="erased"):
        app.accounts.grant_role(ac.GrantRole(user_id=engineer, role="auditor"), actor_id=admin)
    with pytest.raises(ConflictError, match="erased"):
        app.accounts.revoke_role(ac.RevokeRole(user_id=engineer, role="org_admin"), actor_id=admin)
    assert head(app) == before


# --- e-mail addresses ------------------------------------------------------------------------
@pytest.mark.parametrize("lookalike", ["ｃｅｏ@firm.test", "CEO@FIRM.TEST", "ceo@ｆｉｒｍ.ｔｅｓｔ",
                                       " Ceo＠firm.test "])
def test_an_email_address_in_another_width_or_case_is_the_same_account(
    world: dict[str, UUID], memory_app: Marketplace, lookalike: str
) -> None:
    before = head(memory_app)
    with pytest.raises(ConflictError, match="email"):
        sign_up(memory_app, lookalike, "又一家公司")
    with pytest.raises(ConflictError, match="email"):
        add(memory_app, world["firm"], lookalike)
    assert head(memory_app) == before
    found = memory_app.accounts.authenticate(lookalike, PASSWORD)
    assert found is not None
    assert found.id == world["firm"]
    assert memory_app.accounts.user_id_of(lookalike) == world["firm"]


@pytest.mark.parametrize("hidden", ["new\u200b@firm.test", "\u202enew@firm.test", "new@firm.test\u2060",
                                    "n\u00adew@firm.test"])
def test_an_email_address_with_invisible_characters_is_refused(
    world: dict[str, UUID], memory_app: Marketplace, hidden: str
) -> None:
    before = head(memory_app)
    with pytest.raises(ValidationError, match="email") as refused:
        sign_up(memory_app, hidden, "又一家公司")
    assert refused.value.field == "email"
    with pytest.raises(ValidationError, match="email"):
        add(memory_app, world["firm"], hidden)
    assert head(memory_app) == before


# --- grants made before the rule, in an existing store --------------------------------------
@pytest.fixture
def old_store(memory_app: Marketplace) -> dict[str, UUID]:
    """A store written by the old code: an operator, a firm whose admin gave itself ``auditor``."""
    app = memory_app
    ops_org = Organisation.register(name="Platform Ops", kind="government", verified=True, by=SYSTEM_ACTOR)
    firm_org = Organisation.register(name="某科技有限公司", kind="enterprise", verified=True, by=SYSTEM_ACTOR)
    app.save(ops_org, firm_org)
    ops = old_sign_up(app, "ops@platform.test", "Ops", PASSWORD, ops_org.id, ["member", "platform_admin"],
                      SYSTEM_ACTOR)
    boss = old_sign_up(app, "boss@firm.test", "王老板", PASSWORD, firm_org.id, ["member", "org_admin"], None)
    old_grant(app, boss, 2, "auditor", by=boss)  # allowed by the old rule, never by the new one
    helper = old_sign_up(app, "helper@firm.test", "李助理", PASSWORD, firm_org.id, ["member", "programme_officer"],
                         boss)
    reviewer = old_sign_up(app, "reviewer@firm.test", "张审计", PASSWORD, firm_org.id, ["member"], boss)
    old_grant(app, reviewer, 2, "auditor", by=ops)
    old_password_change(app, reviewer, 3, "a-newer-password")
    return {"ops": ops, "boss": boss, "helper": helper, "reviewer": reviewer}


def test_the_upgrade_revokes_old_grants_no_platform_admin_made(
    old_store: dict[str, UUID], memory_app: Marketplace
) -> None:
    app = memory_app
    assert user(app, old_store["boss"]).has_role(Role.AUDITOR)  # as the old code left it
    assert app.accounts.upgrade_old_accounts() == (4, 2)
    assert app.accounts.upgrade_old_accounts() == (0, 0)  # idempotent: the scan remembers where it stopped
    assert user(app, old_store["ops"]).has_role(Role.PLATFORM_ADMIN)
    assert user(app, old_store["reviewer"]).has_role(Role.AUDITOR)
    assert not user(app, old_store["boss"]).has_role(Role.AUDITOR)
    assert not user(app, old_store["helper"]).has_role(Role.PROGRAMME_OFFICER)
    assert user(app, old_store["boss"]).has_role(Role.ORG_ADMIN)
    revoked = app.recorder.select_events(old_store["boss"], desc=True, limit=1)[0]
    assert revoked.topic == "domain.user:User.RoleRevoked"  # sessions end on it
    listed = {(g.user_id, g.role, g.granted_by) for g in app.accounts.unconfirmed_grants()}
    assert listed == {(old_store["boss"], "auditor", old_store["boss"]),
                      (old_store["helper"], "programme_officer", old_store["boss"])}
    with pytest.raises(PermissionDeniedError, match="auditor"):
        app.audit.record_read(actor_id=old_store["boss"], aggregate_id=old_store["ops"], aggregate_type="User",
        page="/x")
    # The boss may not confirm its own grant; a platform admin confirms the helper's by granting it again.
    with pytest.raises(PermissionDeniedError, match="only a platform admin"):
        app.accounts.grant_role(ac.GrantRole(user_id=old_store["boss"], role="auditor"), actor_id=old_store["boss"])
    app.accounts.grant_role(ac.GrantRole(user_id=old_store["helper"], role="programme_officer"),
    actor_id=old_store["ops"])
    assert user(app, old_store["helper"]).roles == ["member", "programme_officer"]
    app.accounts.revoke_role(ac.RevokeRole(user_id=old_store["boss"], role="auditor"),
    actor_id=old_store["ops"])  # dismissed
    assert app.accounts.unconfirmed_grants() == []
    assert not user(app, old_store["boss"]).has_role(Role.AUDITOR)


def test_old_users_log_in_and_their_personal_data_moves_to_the_store(
    old_store: dict[str, UUID], memory_app: Marketplace
) -> None:
    app = memory_app
    assert app.personal.get(old_store["boss"]) is None
    boss = app.accounts.authenticate("Boss@Firm.test", PASSWORD)
    assert boss is not None
    assert boss.id == old_store["boss"]
    assert boss.display_name == "王老板"
    person = app.personal.get(old_store["boss"])
    assert person is not None
    assert person.email == "boss@firm.test"
    assert person.password_hash
    assert app.accounts.authenticate("reviewer@firm.test", PASSWORD) is None
    assert app.accounts.authenticate("reviewer@firm.test", "a-newer-password") is not None
    assert app.accounts.upgrade_old_accounts()[0] == 4  # every old SignedUp's person copied (idempotent copies)
    assert app.accounts.display_name_of(old_store["helper"]) == "李助理"
    with pytest.raises(ConflictError, match="email"):
        sign_up(app, "helper@firm.test", "新公司")


def test_an_old_account_recorded_under_another_width_logs_in_and_its_address_stays_taken(
    old_store: dict[str, UUID], memory_app: Marketplace
) -> None:
    """Old stores kept addresses trimmed and lower-cased only: the upgrade stores them NFKC and case-folded."""
    app = memory_app
    wide = old_sign_up(app, "ｗｉｄｅ@firm.test", "宽字符", PASSWORD, user(app, old_store["boss"]).organisation_id,
                       ["member"], old_store["boss"])
    app.accounts.upgrade_old_accounts()
    for typed in ("ｗｉｄｅ@firm.test", "wide@firm.test", "WIDE@firm.test"):
        found = app.accounts.authenticate(typed, PASSWORD)
        assert found is not None, typed
        assert found.id == wide
    before = head(app)
    with pytest.raises(ConflictError, match="email"):
        sign_up(app, "wide@firm.test", "新公司")
    assert head(app) == before
    assert app.accounts.authenticate("boss@firm.test", PASSWORD) is not None


def test_erasing_an_old_user_removes_what_can_be_removed(old_store: dict[str, UUID], memory_app: Marketplace) -> None:
    app = memory_app
    app.accounts.upgrade_old_accounts()
    app.accounts.erase_user(ac.EraseUser(user_id=old_store["helper"]), actor_id=old_store["ops"])
    assert app.personal.get(old_store["helper"]) is None
    assert app.accounts.authenticate("helper@firm.test", PASSWORD) is None
    assert app.accounts.user_id_of("helper@firm.test") is None
    assert app.accounts.display_name_of(old_store["helper"]) == ERASED_PERSON
    assert user(app, old_store["helper"]).legacy_person is None
    with pytest.raises(NotAuthenticatedError):
        app.actor(old_store["helper"])


# --- password change --------------------------------------------------------------------------
def test_a_member_changes_its_password_with_the_current_one(world: dict[str, UUID], memory_app: Marketplace) -> None:
    engineer = world["engineer"]
    before = head(memory_app)
    with pytest.raises(PermissionDeniedError, match="current_password"):
        memory_app.accounts.change_password(ac.ChangePassword(current_password="wrong-password", new_password="x" * 12),
                                            actor_id=engineer)
    assert head(memory_app) == before
    memory_app.accounts.change_password(ac.ChangePassword(current_password=PASSWORD, new_password="another-password"),
                                        actor_id=engineer)
    assert memory_app.accounts.authenticate("engineer@firm.test", PASSWORD) is None
    assert memory_app.accounts.authenticate("engineer@firm.test", "another-password") is not None
    event = memory_app.recorder.select_events(engineer, desc=True, limit=1)[0]
    assert event.topic == "domain.user:User.PasswordChanged"
    assert b"argon2" not in event.state


def test_a_new_password_must_differ_from_the_current_one(world: dict[str, UUID], memory_app: Marketplace) -> None:
    before = head(memory_app)
    with pytest.raises(ValidationError, match="new_password") as refused:
        memory_app.accounts.change_password(ac.ChangePassword(current_password=PASSWORD, new_password=PASSWORD),
                                            actor_id=world["engineer"])
    assert refused.value.field == "new_password"
    assert head(memory_app) == before
    assert memory_app.accounts.authenticate("engineer@firm.test", PASSWORD) is not None


def test_a_password_proven_before_a_change_that_won_meanwhile_changes_nothing(
    world: dict[str, UUID], memory_app: Marketplace
) -> None:
    """The web proves the current password in the password pool, then runs the command: a change recorded
    in between makes the proof stale (409), so the later command cannot overwrite the winner's password."""
    app, engineer = memory_app, world["engineer"]
    late = ac.ChangePassword(current_password=PASSWORD, new_password="late-password-1")
    checked = app.accounts.check_password_change(late.current_password, late.new_password, actor_id=engineer)
    app.accounts.change_password(ac.ChangePassword(current_password=PASSWORD, new_password="first-password-1"),
                                 actor_id=engineer)
    before = head(app)
    with pytest.raises(ConcurrentModificationError, match="current_password"):
        app.accounts.change_password(late, actor_id=engineer, checked=checked)
    assert head(app) == before
    assert app.accounts.authenticate("engineer@firm.test", "first-password-1") is not None
    assert app.accounts.authenticate("engineer@firm.test", "late-password-1") is None


# --- deactivation -----------------------------------------------------------------------------
def test_an_org_admin_deactivates_and_reactivates_a_member(world: dict[str, UUID], memory_app: Marketplace) -> None:
    app, engineer = memory_app, world["engineer"]
    app.accounts.deactivate_user(ac.DeactivateUser(user_id=engineer), actor_id=world["firm"])
    assert app.accounts.authenticate("engineer@firm.test", PASSWORD) is None
    with pytest.raises(NotAuthenticatedError, match="deactivated"):
        app.catalogue.register_patent(cc.RegisterPatent(patent_type="invention", owners=[]), actor_id=engineer)
    assert app.recorder.select_events(engineer, desc=True, limit=1)[0].topic == "domain.user:User.Deactivated"
    with pytest.raises(ConflictError, match="already deactivated"):
        app.accounts.deactivate_user(ac.DeactivateUser(user_id=engineer), actor_id=world["firm"])
    app.accounts.reactivate_user(ac.ReactivateUser(user_id=engineer), actor_id=world["firm"])
    assert app.accounts.authenticate("engineer@firm.test", PASSWORD) is not None


def test_deactivation_is_for_the_members_own_admin(world: dict[str, UUID], memory_app: Marketplace) -> None:
    app = memory_app
    app.accounts.grant_role(ac.GrantRole(user_id=world["engineer"], role="auditor"), actor_id=world["admin"])
    before = head(app)
    refusals = [
        (world["engineer"], world["other"], "own organisation"),
        (world["firm"], world["engineer"], "org_admin"),
        (world["firm"], world["firm"], "your own account"),
        (world["engineer"], world["firm"], "platform-wide"),
    ]
    for target, actor, message in refusals:
        with pytest.raises(PermissionDeniedError, match=message):
            app.accounts.deactivate_user(ac.DeactivateUser(user_id=target), actor_id=actor)
    assert head(app) == before
    app.accounts.deactivate_user(ac.DeactivateUser(user_id=world["engineer"]), actor_id=world["admin"])


# --- erasure ----------------------------------------------------------------------------------
def test_a_platform_admin_erases_a_person(world: dict[str, UUID], memory_app: Marketplace) -> None:
    app, engineer = memory_app, world["engineer"]
    before = head(app)
    for actor in (world["firm"], world["engineer"]):
        with pytest.raises(PermissionDeniedError, match="platform_admin"):
            app.accounts.erase_user(ac.EraseUser(user_id=engineer), actor_id=actor)
    with pytest.raises(PermissionDeniedError, match="itself"):
        app.accounts.erase_user(ac.EraseUser(user_id=world["admin"]), actor_id=world["admin"])
    assert head(app) == before
    assert app.personal.get(engineer) is not None
    app.accounts.erase_user(ac.EraseUser(user_id=engineer), actor_id=world["admin"])
    assert app.personal.get(engineer) is None
    assert app.accounts.authenticate("engineer@firm.test", PASSWORD) is None
    with pytest.raises(NotAuthenticatedError):
        app.actor(engineer)
    assert app.accounts.display_name_of(engineer) == ERASED_PERSON
    with pytest.raises(ConflictError, match="erased"):
        app.accounts.erase_user(ac.EraseUser(user_id=engineer), actor_id=world["admin"])
    with pytest.raises(ConflictError, match="erased"):
        app.accounts.reactivate_user(ac.ReactivateUser(user_id=engineer), actor_id=world["admin"])
    # The address is free again: a new account, with an id that nothing links to the old one.
    again = add(app, world["firm"], "engineer@firm.test")
    assert again != engineer


def test_events_name_people_by_id_only(world: dict[str, UUID], memory_app: Marketplace) -> None:
    memory_app.accounts.change_password(ac.ChangePassword(current_password=PASSWORD, new_password="another-password"),
                                        actor_id=world["engineer"])
    everything = b"".join(n.state for n in memory_app.recorder.select_notifications(1, 10_000))
    for secret in (b"@firm.test", b"@platform.test", b"Name of", b"argon2", "陈运营".encode()):
        assert secret not in everything
