"""Labels of the market trade's pages (technology-contract registration), in Chinese and English."""

from __future__ import annotations

from domain.market.jj001 import PARTY_TYPE_CODES

LABELS: dict[str, tuple[str, str]] = {
    "techreg.title": ("技术合同认定登记", "Technology-contract registration"),
    "techreg.explain": (
        "技术合同签订后，由卖方（转让方、许可方；技术开发合同为研究开发方）在 30 日内向技术合同登记机构申请认定登记。"
        "本页按合同预先填写《技术合同登记表》（表号 JJ-001）的各项内容，请核对并补全；通过下列初审要点后即可打印或"
        "导出，登记机构编号后请在此记录 16 位合同登记编号。",
        "Within 30 days of signing, the seller (assignor or licensor; of a development contract, the developer) "
        "applies to the technology-contract registry for registration. This page pre-fills the registration form "
        "(JJ-001) from the contract: check and complete it; once it passes the checks below, print or export it, "
        "and record here the 16-digit number the registry assigns.",
    ),
    "techreg.benefits": ("认定登记后可享受的税收优惠", "The tax benefits registration unlocks"),
    "techreg.benefit.vat": (
        "技术转让、技术开发及相关技术咨询、技术服务收入免征增值税（财税〔2016〕36号 附件3）",
        "VAT exemption on technology transfer, development and the consulting and services tied to them "
        "(Cai Shui [2016] No. 36, annex 3)",
    ),
    "techreg.benefit.income_tax": (
        "企业所得税：一个纳税年度内技术转让所得不超过 500 万元的部分免征，超过部分减半征收"
        "（含 2015 年 10 月 1 日起 5 年以上非独占许可；财税〔2015〕116号）",
        "Corporate income tax: technology-transfer income up to 5,000,000 yuan a year exempt, the rest halved "
        "(including non-exclusive licences of 5 years or more since 2015-10-01; Cai Shui [2015] No. 116)",
    ),
    "techreg.benefit.super_deduction": (
        "委托方的委托研发费用须经技术合同登记方可加计扣除",
        "The client's outsourced R&D qualifies for the R&D super-deduction only if the contract is registered",
    ),
    "techreg.deadline": ("申请登记截止日期（签订后 30 日）", "Apply by (30 days after signing)"),
    "techreg.overdue": ("已超过 30 日申请期限", "The 30 days to apply have passed"),
    "techreg.status": ("登记状态", "Registration status"),
    "techreg.status.not_prepared": ("尚未填写登记表", "Form not prepared yet"),
    "techreg.status.prepared": ("登记表已填写，待登记机构编号", "Form prepared; awaiting the registry's number"),
    "techreg.status.registered": ("已认定登记", "Registered"),
    "techreg.form": ("技术合同登记表（表号 JJ-001）", "Technology-contract registration form (JJ-001)"),
    "techreg.form_meta": (
        "制表机关：科学技术部　批准机关：国家统计局", "Issued by the Ministry of Science and Technology; approved by "
        "the National Bureau of Statistics",
    ),
    "techreg.contract": ("合同", "Contract"),
    "techreg.seller": ("卖方", "Seller"),
    "techreg.buyer": ("买方", "Buyer"),
    "techreg.field.number": ("合同登记编号", "Registration number"),
    "techreg.field.contract_type": ("合同类别", "Contract type"),
    "techreg.field.project_name": ("项目名称", "Project name"),
    "techreg.field.term": ("合同有效期限", "Term of the contract"),
    "techreg.field.term_start": ("有效期自", "Term from"),
    "techreg.field.term_end": ("有效期至", "Term until"),
    "techreg.field.signed_on": ("合同签订日期", "Signing date"),
    "techreg.field.name": ("名称", "Name"),
    "techreg.field.nature_code": ("性质（法人类型代码）", "Nature (legal-entity type code)"),
    "techreg.field.country_code": ("国别代码", "Country code"),
    "techreg.field.region_code": ("行政区划代码", "Region code"),
    "techreg.field.amount": ("成交额（元）", "Amount (yuan)"),
    "techreg.field.technology_income": ("技术交易额（技术性收入，元）", "Technology income (yuan)"),
    "techreg.field.expected_investment": ("预计新增投入（元）", "Expected new investment (yuan)"),
    "techreg.field.expected_output": ("预计新增产值（元）", "Expected new output (yuan)"),
    "techreg.hint.country_code": ("3 位数字（海关总署 2003），中国为 142", "3 digits (GAC 2003); China is 142"),
    "techreg.hint.region_code": (
        "6 位数字（GB/T 2260），如 350100 福州市；机构尚无代码的请在此填写",
        "6 digits (GB/T 2260), e.g. 350100 Fuzhou; give it here if the organisation has none yet",
    ),
    "techreg.hint.transfer": ("技术转让合同必填", "required for technology transfers"),
    "techreg.hint.number": ("16 位数字，由登记机构编号", "16 digits, assigned by the registry"),
    "techreg.choose": ("请选择", "Choose"),
    "techreg.type.transfer_patent_right": ("技术转让（专利权）", "Technology transfer (patent right)"),
    "techreg.type.transfer_patent_application": ("技术转让（专利申请权）", "Technology transfer (patent application)"),
    "techreg.type.licence_patent": ("技术转让（专利实施许可）", "Technology transfer (patent licence)"),
    "techreg.type.development_commissioned": ("技术开发（委托开发）", "Technology development (commissioned)"),
    "techreg.type.development_joint": ("技术开发（合作开发）", "Technology development (joint)"),
    "techreg.development": (
        "技术开发合同由研究开发方（受托方、卖方）申请认定登记，委托方（买方）可以查看。技术交易额已按合同价款预填；"
        "其中购置设备、材料等非技术性支出不计入技术交易额，请在登记前扣除。合同有效期应至最后一个里程碑的交付日。",
        "A technology development contract is registered by the developer (the contractor, seller here); the client "
        "(buyer) reads it. The technology income is pre-filled with the contract price: take out what is not "
        "technical income (equipment and materials bought for the work) before registering. The term must run to "
        "the last milestone's due date.",
    ),
    "techreg.findings": (
        "以下各项将使登记机构初审不予登记，请改正后再导出：",
        "The registry's first review would refuse the record for these reasons; correct them before exporting:",
    ),
    "techreg.passes": (
        "登记表已通过机器可检查的初审要点，可以打印或导出。",
        "The record passes the checks a machine can make of the registry's first review: print or export it.",
    ),
    "techreg.save": ("保存登记表", "Save the form"),
    "techreg.print": ("打印登记表", "Print the form"),
    "techreg.export_json": ("导出 JSON", "Export JSON"),
    "techreg.export_csv": ("导出 CSV", "Export CSV"),
    "techreg.record_number": ("记录登记编号", "Record the number"),
    "techreg.saved": ("登记表已保存", "The form is saved"),
    "techreg.numbered": ("合同登记编号已记录", "The registration number is recorded"),
    "techreg.read_only": (
        "登记表由卖方机构的成员填写；您可以查看。",
        "The seller organisation's members prepare the form; you may read it.",
    ),
    "techreg.not_prepared_yet": ("卖方尚未填写登记表。", "The seller has not prepared the form yet."),
    "techreg.open": ("技术合同认定登记", "Technology-contract registration"),
    "techreg.printed_at": ("打印于", "Printed"),
    "techreg.back": ("返回登记页", "Back to the registration"),
    **{f"techreg.nature.{code}": (f"{code} {zh}", f"{code} {en}") for code, (zh, en) in PARTY_TYPE_CODES.items()},
}
