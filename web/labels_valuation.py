"""The valuation pages' labels (zh/en), merged into the site's vocabulary in ``web.i18n.MESSAGES``.

Importing this module merges them (``setdefault``: a key already there keeps its text). The deal
labels are merged first, as before the split (the two share ``side.buyer`` and ``side.seller``).
"""

from __future__ import annotations

import web.labels_deals  # noqa: F401 - merge the deal labels first: they win the keys both define
from web.i18n import MESSAGES

# key: (中文, English): the valuation pages' labels; other keys fall through to web/i18n.py.
LABELS: dict[str, tuple[str, str]] = {
    "valuation.title": ("价值评估", "Valuation"),
    "valuation.history": ("评估记录", "Assessments"),
    "valuation.chart": ("价值走势：评估、报价与成交价", "Value over time: assessments, offers and prices paid"),
    "valuation.chart.legend": (
        "● 评估（竖线为区间）  ◆ 报价  ■ 成交价",
        "● assessment (bar: range)  ◆ offer  ■ price paid",
    ),
    "valuation.record": ("录入评估", "Record an assessment"),
    "valuation.calculate": ("试算", "Calculate"),
    "valuation.optional": ("可选", "optional"),
    "valuation.none": ("暂无评估记录。", "No assessments yet."),
    "valuation.value": ("评估值（元）", "Value (CNY)"),
    "valuation.range": ("区间（元）", "Range (CNY)"),
    "valuation.steps": ("计算过程", "Calculation steps"),
    "valuation.offers": ("报价", "Offers"),
    "valuation.prices": ("成交价（已付款）", "Contract prices paid"),
    "valuation.open_licences": ("开放许可条件", "Open-licence terms"),
    "valuation.withdraw": ("撤回评估", "Withdraw"),
    "valuation.supersede": ("以新评估替代", "Supersede with a new assessment"),
    "valuation.superseded_by": ("已被替代", "Superseded by"),
    "valuation.status.current": ("有效", "Current"),
    "valuation.status.superseded": ("已替代", "Superseded"),
    "valuation.status.withdrawn": ("已撤回", "Withdrawn"),
    "valuation.field": ("领域价值记录", "Field record"),
    "valuation.field.patents": ("领域内专利", "patents in the field"),
    "valuation.field.prices": ("成交价统计（按交易方式和年度）", "Prices paid by deal type and year"),
    "valuation.field.assessments": ("领域内有效评估", "Current assessments in the field"),
    "valuation.count": ("笔数", "Count"),
    "valuation.median": ("中位数", "Median"),
    "valuation.iqr": ("四分位区间", "Interquartile range"),
    "valuation.year": ("年度", "Year"),
    "valuation.valuer": ("评估师", "Valuer"),
    "valuation.agency": ("评估机构", "Agency"),
    "valuation.calibration": ("评估校准：评估值与后续成交价", "Calibration: assessed values against prices later paid"),
    "valuation.ratio": ("评估值/成交价（中位数）", "Assessed / paid (median)"),
    "valuation.bias": ("偏差（平均）", "Bias (mean)"),
    "valuation.mae": ("平均绝对偏差", "Mean absolute error"),
    "valuation.no_pairs": ("尚无可比较的成交。", "No realised prices to compare yet."),
    "valuation.accreditations": ("评估师资格", "Valuer accreditations"),
    "valuation.accredit": ("认定评估师", "Accredit a valuer"),
    "valuation.renew": ("续期", "Renew"),
    "valuation.revoke": ("撤销资格", "Revoke"),
    "valuation.accreditation.active": ("有效", "Active"),
    "valuation.accreditation.expired": ("已过期", "Expired"),
    "valuation.accreditation.revoked": ("已撤销", "Revoked"),
    "field.method": ("评估方法", "Method"),
    "field.purpose": ("评估目的", "Purpose"),
    "field.basis_date": ("评估基准日", "Basis date"),
    "field.low": ("区间下限（元）", "Range low (CNY)"),
    "field.high": ("区间上限（元）", "Range high (CNY)"),
    "field.assumptions": ("评估假设", "Assumptions"),
    "field.report_reference": ("评估报告编号", "Report reference"),
    "field.supersedes": ("替代的评估", "Supersedes"),
    "field.inputs": ("评估参数", "Inputs"),
    "field.credential_number": ("资格证书编号", "Credential number"),
    "field.expires_on": ("有效期至", "Expires on"),
    "field.user_id": ("用户", "User"),
    "field.valuation_id": ("评估", "Assessment"),
    "field.ipc": ("IPC 领域", "IPC field"),
    "purpose.transfer": ("转让", "Transfer"),
    "purpose.licence": ("许可", "Licence"),
    "purpose.pledge": ("质押融资", "Pledge"),
    "purpose.investment": ("作价投资", "Investment"),
    "side.buyer": ("买方", "Buyer"),
    "side.seller": ("卖方", "Seller"),
}
for _key, _pair in LABELS.items():
    MESSAGES.setdefault(_key, _pair)
