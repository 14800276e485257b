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
    # --- issue 11: sorting, paging, chain of title, licences, the listing's lifecycle -----------------
    "sort.label": ("排序", "Sort by"),
    "sort.relevance": ("相关度", "Relevance"),
    "sort.newest": ("最新挂牌", "Newest"),
    "sort.price_asc": ("价格从低到高", "Price: low to high"),
    "sort.price_desc": ("价格从高到低", "Price: high to low"),
    "page.past_end": ("本页没有结果。", "No results on this page."),
    "page.last": ("回到最后一页（第 {pages} 页）", "Back to the last page (page {pages})"),
    "title.chain": ("权属变更记录", "Chain of title"),
    "title.from": ("转让人", "From"),
    "title.to": ("受让人", "To"),
    "title.when": ("生效时间（北京时间）", "When (Beijing time)"),
    "title.reference": ("著录项目变更登记", "Registration with the patent office"),
    "title.unregistered": ("尚未登记", "not yet registered"),
    "title.reverted": ("已撤回（退款）", "Reversed (refunded)"),
    "title.none": ("自登记以来权属未发生变更。", "No change of ownership since registration."),
    "licence.register": ("许可记录", "Licences granted"),
    "licence.kind": ("许可类型", "Kind"),
    "licence.field": ("实施领域", "Field of use"),
    "licence.territory": ("地域范围", "Territory"),
    "licence.term": ("许可期限", "Term"),
    "licence.status": ("状态", "Status"),
    "licence.licensee": ("被许可人", "Licensee"),
    "licence.all_fields": ("全部领域", "All fields"),
    "licence.everywhere": ("不限地域", "Everywhere"),
    "licence.status.granted": ("合同履行中（已预留）", "Reserved (contract not yet in force)"),
    "licence.status.active": ("有效", "In force"),
    "licence.status.ended": ("已终止", "Ended"),
    "licence.none": ("尚未授予任何许可。", "No licence granted."),
    "licence.patent": ("专利", "Patent"),
    "licence.contract": ("合同", "Contract"),
    "my.licences_held": ("本机构持有的许可", "Licences we hold"),
    "my.licences_none": ("本机构尚未持有任何许可。", "Your organisation holds no licence."),
    "lifecycle.under_negotiation": ("洽谈中", "Under negotiation"),
    "lifecycle.under_negotiation_notice": (
        "本专利有正在洽谈的报价或尚未生效的合同（含公示期）。",
        "Offers are being negotiated on this patent, or a contract (possibly in its public notice)"
        " is not yet in force.",
    ),
    "lifecycle.licensed": ("已许可", "Licensed"),
    "lifecycle.suspended_notice": (
        "挂牌已暂停：专利状态为「{status}」。", "The listing is suspended: the patent is {status}.",
    ),
    "lifecycle.term_ended": ("保护期已于 {day} 届满。", "Its term of protection ended on {day}."),
    "history.term_ended": ("保护期届满", "Term of protection ended"),
    "ipc.english_only": ("IPC 分类名称此处仅有英文版。", "IPC titles are published in English only here."),
}
