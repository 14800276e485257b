"""Labels of the open-data pages (成果信息汇交), in Chinese and English."""

from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    "opendata.title": ("开放数据（成果信息汇交）", "Open data (results information)"),
    "opendata.explain": (
        "本平台的科技成果库向公众和其他系统开放：已登记的专利和已发布的挂牌，均为页面上公开的信息，"
        "不含电子邮箱、用户账号等个人信息。无需登录即可下载或接入。",
        "The platform's results library is open to the public and to other systems: registered patents and "
        "published listings, as their public pages show them, without e-mail addresses, user accounts or other "
        "personal data. No login is needed to download or follow them.",
    ),
    "opendata.exports": ("成果库导出", "Exports of the results library"),
    "opendata.exports.help": (
        "CSV 文件为 UTF-8 编码（带 BOM，Excel 可直接打开），以等号、加号、减号、@ 开头的文本前加单引号，"
        "以免被当作公式执行；JSON Lines 每行一条记录。金额：CSV 以元计，JSON 以分计。",
        "CSV files are UTF-8 with a byte-order mark (Excel opens them directly); text starting with =, +, -, or @ "
        "gets a leading apostrophe so that no spreadsheet runs it as a formula. JSON Lines: one record a line. "
        "Amounts: yuan in CSV, fen in JSON.",
    ),
    "opendata.patents": ("专利（已登记）", "Patents (registered)"),
    "opendata.listings": ("挂牌（已发布过的，含当前状态）", "Listings (every one published, with its status now)"),
    "opendata.feed": ("增量数据接口", "Incremental feed"),
    "opendata.feed.help": (
        "GET /api/open-data/feed?after=0&limit=100 按事件日志位置返回专利和挂牌的变更（items，每项附当前公开记录）"
        "及 next：下次以 after=next 继续，即可从上次停下的位置接着同步。位置是事件存储的通知编号，"
        "读模型重建后不变。",
        "GET /api/open-data/feed?after=0&limit=100 answers the changes of patents and listings by their position "
        "in the event log (items, each with the public record as it stands) and next: ask again with after=next "
        "to resume where you stopped. Positions are the event store's notification ids, unchanged when a read "
        "model is rebuilt.",
    ),
    "opendata.api_docs": ("接口说明（OpenAPI）", "API description (OpenAPI)"),
    "opendata.funding": ("财政资助项目成果报告", "Results per funding project"),
    "opendata.funding.help": (
        "按资助方、计划和项目编号统计其资助形成的专利：已登记、已挂牌（曾发布挂牌）、已转化（许可或转让已付款，"
        "或限时转化已完成）。",
        "The patents each funding project (funder, programme, project number) produced: registered, listed (a "
        "listing published once), converted (a licence or transfer paid, or its time-limited conversion done).",
    ),
    "opendata.funder": ("资助方", "Funder"),
    "opendata.programme": ("计划", "Programme"),
    "opendata.project_reference": ("项目编号", "Project number"),
    "opendata.registered": ("已登记", "Registered"),
    "opendata.listed": ("已挂牌", "Listed"),
    "opendata.converted": ("已转化", "Converted"),
    "opendata.none": ("尚无登记了资助信息的专利。", "No patent with its public funding recorded yet."),
    "opendata.download_csv": ("下载 CSV", "Download CSV"),
    "opendata.json": ("JSON", "JSON"),
}
