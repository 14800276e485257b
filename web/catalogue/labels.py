"""Labels (zh/en) of a patent registration's standing: co-owners' confirmations, withdrawals, claims.

The app factory passes them to the site's vocabulary, so every page's translator finds them.
"""

from __future__ import annotations

# key: (中文, English)
LABELS: dict[str, tuple[str, str]] = {
    "registration.status": ("登记状态", "Registration"),
    "registration.active": ("有效", "Active"),
    "registration.withdrawn": ("登记已撤销", "Registration withdrawn"),
    "registration.withdrawn_notice": (
        "本专利的登记已撤销（登记有误或由登记机构撤回）。该专利号可由真正的权利人重新登记。",
        "This patent's registration was withdrawn (found wrong, or withdrawn by its registrant). "
        "The true owner may register the number again.",
    ),
    "registration.awaiting": ("待共有人确认", "Awaiting the co-owner's confirmation"),
    "registration.awaiting_notice": (
        "共有人确认登记之前，本专利不能挂牌或签订合同。",
        "Until every named co-owner confirms the registration, the patent cannot be listed or contracted.",
    ),
    "registration.registrant": ("登记机构", "Registered by"),
    "registration.withdraw": ("撤回本机构的登记", "Withdraw our registration"),
    "registration.withdraw_help": (
        "仅在没有进行中的报价、合同或有效许可时可以撤回。撤回后专利号可重新登记。",
        "Possible only while no offer, contract or live licence rests on it. The number can then be registered again.",
    ),
    "history.reregistered": ("重新登记", "Registered again"),
    "coowner.title": ("待确认的共有专利", "Co-ownership to confirm"),
    "coowner.explain": (
        "以下专利的登记将本机构列为共有人。请核实后确认；如登记有误请拒绝，登记将被撤销。",
        "These registrations name your organisation as a co-owner. Confirm if they are right; "
        "decline if not, and the registration is withdrawn.",
    ),
    "coowner.none": ("没有待确认的共有专利。", "No co-ownership awaits confirmation."),
    "coowner.confirm": ("确认共有", "Confirm co-ownership"),
    "coowner.decline": ("拒绝（登记有误）", "Decline (the registration is wrong)"),
    "coowner.registered_by": ("登记机构", "Registered by"),
    "coowner.admin_only": (
        "只有本机构管理员可以确认或拒绝。", "Only an org admin of your organisation may confirm or decline.",
    ),
    "claim.title": ("权属异议", "Ownership claims"),
    "claim.file": ("提出权属异议", "File an ownership claim"),
    "claim.file_help": (
        "如贵机构才是本专利的权利人，请说明理由并附证据（如专利登记簿副本编号）。由平台管理员裁决；"
        "异议成立则撤销本登记，贵机构即可重新登记。",
        "If your organisation is the true owner, say why and give evidence (e.g. the register extract's number). "
        "A platform admin decides; if upheld, this registration is withdrawn and you can register the number.",
    ),
    "claim.evidence": ("理由与证据", "Reasons and evidence"),
    "claim.reference": ("证据编号或链接", "Evidence reference or link"),
    "claim.claimant": ("异议机构", "Claimant"),
    "claim.patent": ("专利", "Patent"),
    "claim.filed_at": ("提出时间", "Filed"),
    "claim.status": ("状态", "Status"),
    "claim.status.filed": ("待裁决", "Awaiting decision"),
    "claim.status.upheld": ("异议成立", "Upheld"),
    "claim.status.dismissed": ("已驳回", "Dismissed"),
    "claim.uphold": ("异议成立（撤销登记）", "Uphold (withdraw the registration)"),
    "claim.dismiss": ("驳回", "Dismiss"),
    "claim.reason": ("裁决理由", "Reason for the decision"),
    "claim.none": ("没有待裁决的权属异议。", "No ownership claim awaits a decision."),
    "claim.filed_notice": (
        "已提出权属异议，等待平台裁决。", "Your ownership claim was filed and awaits the platform's decision.",
    ),
    "nav.claims": ("权属异议", "Ownership claims"),
    "claim.needs_verification": ("贵机构通过平台审核后方可提出权属异议。",
                                 "Your organisation must be verified by the platform before it can file an"
                                 " ownership claim."),
    "patent.needs_verification": ("贵机构通过平台审核后方可登记专利。",
                                  "Your organisation must be verified by the platform before it can register"
                                  " patents."),
    "history.registration_withdrawn": ("登记撤销", "Registration withdrawn"),
    "history.claim_upheld": ("权属异议成立", "Ownership claim upheld"),
    "ipc.english_only": ("IPC 分类名称此处仅有英文版。", "IPC titles are published in English only here."),
}
