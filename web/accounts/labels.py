"""Labels of the account pages (zh/en): members, roles, password, deactivation, erasure.

The app factory passes them to the site's vocabulary.
"""

from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    "account.password": ("修改密码", "Change password"),
    "account.current_password": ("当前密码", "Current password"),
    "account.new_password": ("新密码（至少 10 个字符）", "New password (at least 10 characters)"),
    "account.deactivate": ("停用账户", "Deactivate"),
    "account.reactivate": ("恢复账户", "Reactivate"),
    "account.deactivated": ("已停用", "deactivated"),
    "account.erased": ("已删除", "erased"),
    "account.grant": ("授予角色", "Grant role"),
    "account.revoke": ("撤销", "Revoke"),
    "account.revoke_role": ("撤销{role}角色", "Revoke {role}"),
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
    "field.understood": ("确认", "Confirmation"),
    "role.member": ("成员", "Member"),
    "role.org_admin": ("机构管理员", "Organisation admin"),
    "role.valuer": ("评估师", "Valuer"),
    "role.programme_officer": ("项目主管", "Programme officer"),
    "role.auditor": ("审计员", "Auditor"),
    "role.platform_admin": ("平台管理员", "Platform admin"),
    "account.erased_person": ("已删除的用户", "erased person"),
    "account.erase_title": ("删除个人信息：{name}", "Erase personal data: {name}"),
    "account.erase_understood": ("我了解此操作不可撤销", "I understand this cannot be undone"),
    "account.erase_unconfirmed": ("请勾选“我了解此操作不可撤销”后再删除。未删除任何信息。",
                                  "Tick “I understand this cannot be undone” to erase. Nothing was erased."),
    "account.already_erased": ("此人的个人信息已删除。", "This person's personal data is already erased."),
    "account.cancel": ("取消", "Cancel"),
    "auth.password_changed": ("密码已修改，请重新登录。", "Password changed: log in again."),
    "signup.choose": ("请选择", "Choose…"),
}
