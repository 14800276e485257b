"""Labels of the account pages (zh/en): members, roles, password, deactivation, erasure.

Importing this module merges them into ``web.i18n.MESSAGES`` (``setdefault``: existing keys keep their text).
"""

from __future__ import annotations

from web.i18n import MESSAGES

LABELS: dict[str, tuple[str, str]] = {
    "account.password": ("修改密码", "Change password"),
    "account.current_password": ("当前密码", "Current password"),
    "account.new_password": ("新密码（至少 10 个字符）", "New password (at least 10 characters)"),
    "account.password_changed": ("密码已修改。", "Your password was changed."),
    "account.deactivate": ("停用账户", "Deactivate"),
    "account.reactivate": ("恢复账户", "Reactivate"),
    "account.deactivated": ("已停用", "deactivated"),
    "account.erased": ("已删除", "erased"),
    "account.grant": ("授予角色", "Grant role"),
    "account.revoke": ("撤销", "Revoke"),
    "account.no_roles": ("贵机构通过平台审核前，只能添加普通成员，不能更改角色。",
                         "Until the platform verifies your organisation you may add plain members only"
                         " and change no roles."),
    "account.people": ("用户与个人信息", "People and personal data"),
    "account.erase": ("删除个人信息", "Erase personal data"),
    "account.erase_confirm": ("此操作删除此人的电子邮箱、姓名和密码，不可恢复，其账户将无法再登录。",
                              "This erases the person's e-mail, name and password for good;"
                              " the account can never log in again."),
    "account.erase_note": ("应本人请求（《个人信息保护法》）删除：页面与历史记录将显示“已删除的用户”。",
                           "On the person's request (PIPL): pages and history then show an erased person."),
    "account.unconfirmed": ("待确认的旧授权", "Old grants awaiting confirmation"),
    "account.unconfirmed_note": ("以下平台级角色由非平台管理员在旧规则下授予，确认前不生效。",
                                 "These platform-wide roles were granted under the old rule by someone who was"
                                 " no platform admin; they take no effect until confirmed."),
    "account.confirm": ("确认授权", "Confirm"),
    "account.granted_by": ("授予人", "Granted by"),
    "field.current_password": ("当前密码", "Current password"),
    "field.new_password": ("新密码", "New password"),
    "field.role": ("角色", "Role"),
    "field.user_id": ("用户", "User"),
    "field.organisation": ("机构", "Organisation"),
}

for _key, _pair in LABELS.items():
    MESSAGES.setdefault(_key, _pair)
