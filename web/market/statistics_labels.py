"""Labels of the technology-market statistics page (技术市场统计), in Chinese and English."""

from __future__ import annotations

#: GB/T 2260 province-level codes and their names.
PROVINCES: dict[str, tuple[str, str]] = {
    "110000": ("北京市", "Beijing"), "120000": ("天津市", "Tianjin"), "130000": ("河北省", "Hebei"),
    "140000": ("山西省", "Shanxi"), "150000": ("内蒙古自治区", "Inner Mongolia"), "210000": ("辽宁省", "Liaoning"),
    "220000": ("吉林省", "Jilin"), "230000": ("黑龙江省", "Heilongjiang"), "310000": ("上海市", "Shanghai"),
    "320000": ("江苏省", "Jiangsu"), "330000": ("浙江省", "Zhejiang"), "340000": ("安徽省", "Anhui"),
    "350000": ("福建省", "Fujian"), "360000": ("江西省", "Jiangxi"), "370000": ("山东省", "Shandong"),
    "410000": ("河南省", "Henan"), "420000": ("湖北省", "Hubei"), "430000": ("湖南省", "Hunan"),
    "440000": ("广东省", "Guangdong"), "450000": ("广西壮族自治区", "Guangxi"), "460000": ("海南省", "Hainan"),
    "500000": ("重庆市", "Chongqing"), "510000": ("四川省", "Sichuan"), "520000": ("贵州省", "Guizhou"),
    "530000": ("云南省", "Yunnan"), "540000": ("西藏自治区", "Tibet"), "610000": ("陕西省", "Shaanxi"),
    "620000": ("甘肃省", "Gansu"), "630000": ("青海省", "Qinghai"), "640000": ("宁夏回族自治区", "Ningxia"),
    "650000": ("新疆维吾尔自治区", "Xinjiang"), "710000": ("台湾省", "Taiwan"),
    "810000": ("香港特别行政区", "Hong Kong"),
    "820000": ("澳门特别行政区", "Macao"),
}

#: Fujian's cities (设区市), which the statistics tell apart (平潭 counts under 福州).
FUJIAN_CITIES: dict[str, tuple[str, str]] = {
    "350100": ("福州市", "Fuzhou"), "350200": ("厦门市", "Xiamen"), "350300": ("莆田市", "Putian"),
    "350400": ("三明市", "Sanming"), "350500": ("泉州市", "Quanzhou"), "350600": ("漳州市", "Zhangzhou"),
    "350700": ("南平市", "Nanping"), "350800": ("龙岩市", "Longyan"), "350900": ("宁德市", "Ningde"),
}

LABELS: dict[str, tuple[str, str]] = {
    "nav.statistics": ("市场统计", "Statistics"),
    "stats.title": ("技术市场统计", "Technology-market statistics"),
    "stats.explain": (
        "本页统计在本平台生效的专利转让、许可合同（各方签署且首笔款项已付）和技术开发合同（双方签署）：合同数、成交额，"
        "以及卖方（技术开发合同为研究开发方）已填写技术合同登记表的技术交易额；按生效时间（北京时间）、技术领域"
        "（专利的 IPC 部、大类；技术开发合同无专利，计为未知）、卖方与买方所在地区"
        "（登记表的行政区划代码，否则为机构所在地；福建省内按设区市，省外按省份）、合同类型、卖方类型和认定登记状态分组。",
        "Patent assignment and licence contracts that came into force on this platform (signed by every party, "
        "first payment paid) and technology development contracts (signed by both): their number, amount, and the "
        "technology income where the seller (of a development, the developer) prepared the registration form; by "
        "the period they came into force (Beijing time), technical field (the patent's IPC section and class; a "
        "development stands on no patent: unknown), the seller's and the buyer's region (the form's GB/T 2260 "
        "code, else the organisation's region; Fujian by city, other provinces whole), contract type, seller kind "
        "and registration status.",
    ),
    "stats.period": ("统计周期", "Period"),
    "stats.period.month": ("按月", "By month"),
    "stats.period.quarter": ("按季度", "By quarter"),
    "stats.period.year": ("按年", "By year"),
    "stats.show": ("显示", "Show"),
    "stats.total": ("合计", "Total"),
    "stats.contracts": ("合同数", "Contracts"),
    "stats.amount": ("成交额", "Amount"),
    "stats.technology_income": ("技术交易额", "Technology income"),
    "stats.csv": ("下载 CSV", "Download CSV"),
    "stats.json": ("JSON 接口", "JSON API"),
    "stats.none": ("暂无生效合同。", "No contract has come into force yet."),
    "stats.unknown": ("未知", "Unknown"),
    "stats.chart.desc": ("{label}：{contracts} 份，{amount}", "{label}: {contracts} contracts, {amount}"),
    "stats.chart.unit": ("成交额（元）", "Amount (CNY)"),
    "stats.dim.period": ("成交量走势", "Volume over time"),
    "stats.dim.ipc_section": ("按技术领域（IPC 部）", "By technical field (IPC section)"),
    "stats.dim.ipc_class": ("按技术领域（IPC 大类）", "By technical field (IPC class)"),
    "stats.dim.seller_region": ("按卖方地区", "By seller's region"),
    "stats.dim.buyer_region": ("按买方地区", "By buyer's region"),
    "stats.dim.deal_kind": ("按合同类型", "By contract type"),
    "stats.dim.contract_type": ("按登记合同类别", "By registered contract category"),
    "stats.dim.seller_kind": ("按卖方类型", "By seller kind"),
    "stats.dim.registration_status": ("按认定登记状态", "By registration status"),
    "stats.key.period": ("周期", "Period"),
    "stats.key.ipc_section": ("IPC 部", "IPC section"),
    "stats.key.ipc_class": ("IPC 大类", "IPC class"),
    "stats.key.seller_region": ("卖方地区", "Seller's region"),
    "stats.key.buyer_region": ("买方地区", "Buyer's region"),
    "stats.key.deal_kind": ("合同类型", "Contract type"),
    "stats.key.contract_type": ("登记类别", "Registered category"),
    "stats.key.seller_kind": ("卖方类型", "Seller kind"),
    "stats.key.registration_status": ("登记状态", "Registration status"),
    "stats.registration.none": ("未填写登记表", "No registration form"),
    "stats.registration.prepared": ("已填写，待编号", "Form prepared, no number yet"),
    "stats.registration.registered": ("已认定登记", "Registered"),
    **{f"stats.region.{code}": names for code, names in (PROVINCES | FUJIAN_CITIES).items()},
}
