"""The matching sections' labels (zh/en): a demand's matching listings and a listing's matching demands."""

from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    "match.listings": ("匹配的挂牌", "Matching listings"),
    "match.listings_help": (
        "按技术领域、关键词、价格和成熟度排序；目录变化时随之更新。",
        "Ranked by technical field, shared terms, price and maturity; refreshed as the catalogue changes.",
    ),
    "match.demands": ("匹配的技术需求", "Matching demands"),
    "match.demands_help": (
        "与本挂牌相符的未截止技术需求，仅本挂牌的权利人成员可见。",
        "Open demands this listing may answer; shown to the seller's members only.",
    ),
    "match.none": ("暂无匹配。", "No match yet."),
    "match.open_section": ("查看匹配", "See the matches"),
    "match.score": ("匹配度", "Score"),
    "match.reason.ipc_group": ("同一IPC组 {values}", "same IPC group {values}"),
    "match.reason.ipc_main_group": ("同一IPC大组 {values}", "same IPC main group {values}"),
    "match.reason.ipc_subclass": ("同一IPC小类 {values}", "same IPC subclass {values}"),
    "match.reason.terms": ("关键词：{values}", "terms: {values}"),
    "match.reason.price": ("价格在预算内", "price within budget"),
    "match.reason.maturity": ("成熟度：{values}", "maturity: {values}"),
    "match.verified_only": ("仅限认证机构", "verified organisations only"),
}
