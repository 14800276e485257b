"""Words of questions on proposals and of demands sent back for clarification (zh, en), and their refusals."""

from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    "clarify.title": ("需求退回澄清", "Sent back for clarification"),
    "clarify.status": ("退回澄清中（暂停接收方案）", "Sent back for clarification (takes no proposals)"),
    "clarify.reason": ("退回原因", "Reason"),
    "clarify.help": (
        "请补充问题描述、现有方案、目标指标和预算后重新提交；重新提交前不接收方案。",
        "Clarify the problem, the current solution, the target figures and the budget, then resubmit; the "
        "demand takes no proposals until then.",
    ),
    "clarify.budget_min": ("预算下限（元）", "Budget from (yuan)"),
    "clarify.budget_max": ("预算上限（元）", "Budget up to (yuan)"),
    "clarify.resubmit": ("重新提交", "Resubmit"),
    "clarify.send_back": ("退回澄清", "Send back for clarification"),
    "clarify.send_back_reason": ("退回原因（企业可见）", "Reason (the enterprise reads it)"),
    "clarify.thread": ("问答", "Questions and answers"),
    "clarify.question": ("提问", "Question"),
    "clarify.answer": ("答复", "Answer"),
    "clarify.ask_label": ("向提交机构提问（仅双方可见）", "Ask the proposer (only the two of you see it)"),
    "clarify.ask": ("提问", "Ask"),
    "clarify.answer_label": ("答复企业的提问（仅双方可见）", "Answer the enterprise (only the two of you see it)"),
    "clarify.answer_button": ("答复", "Answer"),
    "clarify.asked": ("问题已发送。", "Your question was sent."),
    "clarify.answered": ("答复已发送。", "Your answer was sent."),
    "clarify.sent_back": ("需求已退回企业澄清。", "The demand was sent back for clarification."),
    "clarify.resubmitted": ("需求已重新提交，恢复接收方案。", "The demand was resubmitted and takes proposals again."),
}
