"""Demo time-limited conversion (限时转化): the provincial science department runs a conversion programme, and
two of a university's funded patents are flagged by it: one overdue (its funding ended four years ago), one due
(its deadline is six weeks away). Only the department's own funded patents are watched, so the generated
patents' funding (no funder named) raises no flags."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from domain.catalogue.patent import Patent
from domain.catalogue.patent_numbers import cn_check_character
from domain.programmes.conversion_terms import DEFAULT_LEGAL_BASIS, add_years
from marketplace.catalogue import commands as cc
from marketplace.platform.application import Marketplace
from marketplace.programmes import commands as pc
from marketplace.programmes import conversion_commands as vc
from marketplace.programmes.conversions import FundedPatent

FUNDER = "福建省科学技术厅"
#: (digits of the application number, Chinese title, English title, IPC, funding end: years and days ago)
PATENTS = (
    ("201910512345", "一种茶园病虫害绿色防控的茶多酚制剂及其制备方法",
     "A tea-polyphenol preparation for green pest control in tea gardens, and its preparation", "A23F 3/16", 4, 0),
    ("202010623456", "一种大黄鱼深远海养殖网箱投喂装置", "A feeding device for deep-sea cages of large yellow croaker",
     "A01K 61/60", 3, -42),
)


def _number(digits: str) -> str:
    return f"{digits}.{cn_check_character(digits)}"


def seed_demo_conversions(app: Marketplace, *, officer: UUID, owner: tuple[UUID, UUID],
                          today: date) -> tuple[UUID, list[UUID]]:
    """Open the demo conversion programme and flag the demo's funded patents (``owner``: the university's admin
    and the university); returns the programme and the flags."""
    owner_user, owner_org = owner
    programme_id, _ = app.programmes.draft_programme(pc.DraftProgramme(
        kind="conversion", name_zh="财政科技计划项目成果限时转化", name_en="Time-limited conversion of funded results",
        budget=0, starts_on=date(today.year, 1, 1), ends_on=date(today.year + 4, 12, 31),
        rules=pc.RulesInput(beneficiary="seller", tiers=[], requires_registration=False,
                            conversion=vc.ConversionTermsInput(funders=[FUNDER], legal_basis=DEFAULT_LEGAL_BASIS)),
        source="《中华人民共和国科学技术进步法》（2021年修订）"), actor_id=officer)
    app.programmes.open_programme(pc.OpenProgramme(programme_id=programme_id), actor_id=officer)
    funded: list[FundedPatent] = []
    for digits, title_zh, title_en, ipc, years, days in PATENTS:
        ended = add_years(today, -years) - timedelta(days=days)
        patent_id, _ = app.catalogue.register_patent(cc.RegisterPatent(
            application_number=_number(digits), patent_type="invention", title_zh=title_zh, title_en=title_en,
            ipc_codes=[ipc], filing_date=date(int(digits[:4]), 6, 1), publication_date=date(int(digits[:4]) + 1, 12, 3),
            grant_date=date(int(digits[:4]) + 2, 9, 16), legal_status="granted",
            owners=[cc.OwnerShare(organisation_id=owner_org, share=100)],
            inventors=[cc.InventorShare(name="郑国华", share=60), cc.InventorShare(name="陈雅琴", share=40)]),
            actor_id=owner_user)
        funding = cc.FundingInput(funder=FUNDER, programme="福建省科技计划项目",
                                  project_reference=f"2019N{digits[-4:]}", end_date=ended)
        app.catalogue.record_funding(cc.RecordFunding(patent_id=patent_id, public_funding=funding),
                                     actor_id=owner_user)
        recorded: Patent = app.repository.get(patent_id)
        assert recorded.public_funding is not None
        funded.append(FundedPatent(patent_id, recorded.public_funding))
    return programme_id, app.conversions.follow(today, funded)
