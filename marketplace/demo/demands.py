"""Demo technology demands (企业出题): an open demand with two sealed proposals, and an awarded one whose
technology development contract is in progress — signed by both parties, its first milestone delivered,
accepted and paid by bank transfer, the second still to deliver.

The awarded demand is posted and proposed on under a clock set back six weeks (its proposal deadline has
passed by the time it is awarded); everything after runs on the marketplace's own clock."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from domain.deals.contract import Contract
from domain.demand.demand import BEIJING
from marketplace.deals import commands as d
from marketplace.demand import demand_commands as mc
from marketplace.platform.application import Marketplace
from marketplace.platform.clock import ManualClock

#: How far back the awarded demand was posted, and its proposal period.
POSTED_DAYS_AGO = 42
PROPOSAL_DAYS = 14
#: The bank reference of the first milestone's transfer.
MILESTONE_REFERENCE = "CMB-20260115-0318"


def _open_demand(app: Marketplace, *, enterprise: UUID, institutions: list[UUID], today: date) -> UUID:
    """A demand still taking proposals, with two sealed ones."""
    demand, _ = app.demands.post(mc.PostDemand(
        title_zh="储能电池固态电解质界面改性", title_en="Solid electrolyte interface modification for storage cells",
        description_zh="寻求降低固态电解质与正极界面阻抗、提高循环寿命的改性技术。",
        problem="现有氧化物固态电解质与高镍正极界面阻抗高，500 次循环后容量保持率不足 70%。",
        current_solution="正极表面涂覆铌酸锂，工艺复杂且效果有限。",
        targets="界面阻抗 < 20 Ω·cm²；1000 次循环容量保持率 ≥ 85%；成本增加 ≤ 5%。",
        ipc_codes=["H01M 10/0562"], keywords=["固态电池", "界面", "储能"], budget_min=50_000_000,
        budget_max=200_000_000, deadline=today + timedelta(days=30), wants=["commissioned", "joint"]),
        actor_id=enterprise)
    for who, (want, approach, price) in zip(institutions, (
            ("commissioned", "原位聚合柔性界面层，兼顾离子电导与机械缓冲。", 120_000_000),
            ("joint", "原子层沉积包覆正极 + 中试线联合验证。", 180_000_000)), strict=False):
        app.demands.submit(mc.SubmitProposal(
            demand_id=demand, want=want, approach=approach, price=price,
            milestones=[mc.Milestone(title="实验室样品", due=today + timedelta(days=150), amount=price // 3),
                        mc.Milestone(title="中试电芯", due=today + timedelta(days=330), amount=price - price // 3)]),
            actor_id=who)
    return demand


def _development_in_progress(app: Marketplace, *, enterprise: UUID, developer: UUID, admin: UUID) -> UUID:
    """A demand awarded to a commissioned development: the contract signed, its first milestone paid."""
    real_clock = app.clock
    then = real_clock.now() - timedelta(days=POSTED_DAYS_AGO)
    app.clock = ManualClock(then)
    try:
        posted_on = then.astimezone(BEIJING).date()
        demand, _ = app.demands.post(mc.PostDemand(
            title_zh="茶叶加工智能分选设备开发", title_en="Intelligent sorting equipment for tea processing",
            description_zh="开发基于机器视觉的茶叶嫩度与杂质分选设备。",
            problem="人工分选效率低，每人每天仅 30 公斤，且标准不一。",
            current_solution="色选机只能剔除异色杂质，无法按嫩度分级。",
            targets="分选速度 ≥ 200 公斤/小时；嫩度分级准确率 ≥ 95%；杂质剔除率 ≥ 99%。",
            ipc_codes=["A23N 12/08"], keywords=["机器视觉", "茶叶", "分选"], budget_min=30_000_000,
            budget_max=80_000_000, deadline=posted_on + timedelta(days=PROPOSAL_DAYS), wants=["commissioned"]),
            actor_id=enterprise)
        proposal, _ = app.demands.submit(mc.SubmitProposal(
            demand_id=demand, want="commissioned", approach="高光谱成像 + 轻量卷积网络，气流喷阀分选。",
            team="机器视觉实验室 6 人", price=60_000_000,
            milestones=[mc.Milestone(title="原理样机", due=posted_on + timedelta(days=40), amount=20_000_000),
                        mc.Milestone(title="工业样机验收", due=posted_on + timedelta(days=220), amount=40_000_000)]),
            actor_id=developer)
    finally:
        app.clock = real_clock
    award = app.demands.award_proposal(mc.AwardProposal(demand_id=demand, proposal_id=proposal), actor_id=enterprise)
    assert award.contract_id is not None
    contract: Contract = app.repository.get(award.contract_id)
    for signer in (developer, enterprise):
        app.contracts.sign_contract(d.SignContract(contract_id=contract.id, text_sha256=contract.text_sha256),
                                    actor_id=signer)
    first = str(contract.terms["milestones"][0]["name"])
    note = "原理样机已完成台架测试，测试报告已提交。"
    app.contracts.deliver_milestone(d.DeliverMilestone(contract_id=contract.id, name=first, note=note),
                                    actor_id=developer)
    oid, _ = app.contracts.reach_milestone(d.ReachMilestone(contract_id=contract.id, name=first), actor_id=enterprise)
    purpose = f"milestone-{first}"
    app.payments.start_payment(d.StartPayment(contract_id=contract.id, purpose=purpose, gateway="manual"),
                               actor_id=enterprise)
    amount = int(contract.terms["milestones"][0]["amount"])
    app.payments.record_manual_receipt(d.RecordManualReceipt(obligation_id=oid, amount=amount,
                                                             bank_reference=MILESTONE_REFERENCE), actor_id=admin)
    return contract.id


def seed_demo_demands(app: Marketplace, *, enterprises: list[UUID], institutions: list[UUID], admin: UUID,
                      today: date) -> None:
    """Two enterprises' demands: one open with two proposals, one with a development contract in progress.

    ``enterprises`` and ``institutions``: org admins of verified organisations (at least two of each)."""
    if len(enterprises) < 2 or len(institutions) < 2:
        return
    _open_demand(app, enterprise=enterprises[-1], institutions=institutions[:2], today=today)
    _development_in_progress(app, enterprise=enterprises[-2], developer=institutions[0], admin=admin)
