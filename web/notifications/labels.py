"""The notification pages' labels (zh/en), with the words of every registered notice and kind."""

from __future__ import annotations

from projections.notifications.registry import KIND_WORDS, REGISTRY
from projections.notifications.view import PostgresNotificationsView

assert PostgresNotificationsView.topics  # the rules are registered (their words with them)

LABELS: dict[str, tuple[str, str]] = {
    "nav.inbox": ("通知", "Inbox"),
    "inbox.title": ("站内通知", "Inbox"),
    "inbox.explain": ("与您的单位有关的交易、付款、补助、需求、拍卖和经纪动态，以及您保存的搜索、关注的挂牌和成果包。",
                      "What happens in your organisation's deals, payments, claims, demands, auctions and brokerage,"
                      " and news of your saved searches, followed listings and packages."),
    "inbox.unread": ("未读", "Unread"),
    "inbox.read": ("已读", "Read"),
    "inbox.all": ("全部", "All"),
    "inbox.only_unread": ("只看未读", "Unread only"),
    "inbox.mark_all": ("全部标为已读", "Mark all read"),
    "inbox.empty": ("暂无通知。", "No notifications."),
    "inbox.settings": ("邮件通知设置", "E-mail settings"),
    "inbox.searches": ("保存的搜索", "Saved searches"),
    "inbox.more": ("更早的通知", "Older notifications"),
    "inbox.settings.explain": ("每类通知：立即发邮件、每日摘要（北京时间 08:00）或不发邮件。站内通知始终保留。",
                               "For each kind: an e-mail at once, a daily digest (08:00 Beijing time), or none. "
                               "The inbox always keeps them."),
    "inbox.settings.no_mail": ("本平台尚未配置邮件发送，目前只有站内通知。",
                               "This platform sends no e-mail yet (not configured): the inbox alone works."),
    "inbox.mode.immediately": ("立即", "Immediately"),
    "inbox.mode.digest": ("每日摘要", "Daily digest"),
    "inbox.mode.off": ("不发邮件", "Off"),
    "inbox.language": ("邮件语言", "Language of e-mails"),
    "inbox.save": ("保存", "Save"),
    "inbox.saved": ("已保存。", "Saved."),
    "unsubscribe.title": ("退订邮件", "Unsubscribe"),
    "unsubscribe.confirm": ("不再接收此类通知的邮件：", "Stop e-mails about:"),
    "unsubscribe.button": ("退订", "Unsubscribe"),
    "unsubscribe.done": ("已退订。站内通知仍会保留。", "Unsubscribed. Your inbox still keeps them."),
    "unsubscribe.already": ("此类邮件已退订。", "You are unsubscribed from these already."),
    "unsubscribe.invalid": ("退订链接无效。", "This unsubscribe link is not valid."),
    "saved_search.save": ("保存此搜索，有新结果时通知我", "Save this search and tell me of new results"),
    "saved_search.saved": ("搜索已保存。", "Search saved."),
    "saved_search.delete": ("删除", "Delete"),
    "saved_search.none": ("还没有保存的搜索。", "No saved search yet."),
    "saved_search.scope.listings": ("挂牌", "Listings"),
    "saved_search.scope.demands": ("需求", "Demands"),
    "saved_search.any": ("（全部）", "(everything)"),
    "follow.on": ("关注此挂牌（价格或状态变动时通知我）", "Follow (tell me of price or status changes)"),
    "follow.off": ("取消关注", "Unfollow"),
    "follow.following": ("已关注", "Following"),
    "outbox.title": ("邮件发件箱", "E-mail outbox"),
    "outbox.explain": ("发送失败、正在重试或发送中断的邮件。", "Messages that failed, wait for a retry, or were "
                       "interrupted mid-send."),
    "outbox.none": ("没有问题。", "No trouble."),
    "outbox.forbidden": ("只有平台管理员可以查看发件箱。", "Only a platform admin may see the outbox."),
    "outbox.status": ("状态", "Status"),
    "outbox.attempts": ("尝试次数", "Attempts"),
    "outbox.error": ("错误", "Error"),
    "outbox.next": ("下次尝试", "Next attempt"),
    "outbox.counts": ("各状态数量", "By status"),
    "nav.outbox": ("邮件发件箱", "E-mail outbox"),
    **{f"notify.event.{key}": words for key, words in REGISTRY.words.items()},
    **{f"notify.kind.{key}": words for key, words in KIND_WORDS.items()},
}
