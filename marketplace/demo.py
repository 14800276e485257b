"""Demo data: a plausible Fujian technology-transfer marketplace, seeded through the real commands.

``seed_demo`` fills an *empty* marketplace with organisations (universities, research institutes,
enterprises, a valuation agency, a transfer agency and government bodies), their accounts, and
patents with one listing each. Everything goes through ``Marketplace`` commands, so the demo
data obeys the same rules as real input (valid CN application numbers with check characters,
IPC codes of the 2020 scheme, co-owner shares summing to 100 %, verified organisations only
publishing, and so on).

Content is deterministic for a given ``seed`` (``random.Random(seed)``); passwords are not:
each run draws strong random passwords with ``secrets`` and returns them in the report, for
the caller to print once.

Design patents carry no IPC codes: CNIPA classifies designs by the Locarno classification,
which the marketplace does not model.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import NamedTuple
from uuid import UUID

import msgspec

from domain.errors import ConflictError
from domain.ids import organisation_id
from domain.patent_numbers import cn_check_character
from marketplace import commands as c
from marketplace.application import Marketplace

# --- the report -------------------------------------------------------------------------------


class DemoAccount(msgspec.Struct, frozen=True):
    """One demo login: the caller prints these (the passwords exist nowhere else)."""

    email: str
    password: str
    display_name: str
    organisation: str
    roles: list[str]


class DemoReport(msgspec.Struct, frozen=True):
    """What ``seed_demo`` created; ``published`` counts listings that end up published."""

    accounts: list[DemoAccount]
    organisations: int
    patents: int
    listings: int
    published: int


# --- organisations and accounts ---------------------------------------------------------------

#: The marketplace operator: its organisation and first platform admin come from ``bootstrap_platform_admin``.
PLATFORM_ORGANISATION = "福建省技术交易平台运营中心"

#: "Today" of the demo world: dates are drawn relative to this fixed day so that content is
#: the same whenever it is generated.
AS_OF = date(2026, 6, 30)


class _Org(NamedTuple):
    name: str
    kind: str
    region: str
    email: str
    display_name: str
    fields: tuple[str, ...] = ()  # technical fields it patents in (owners) or works in (enterprises)
    weight: int = 0  # how many patents it owns, relatively
    verified: bool = True


class _Member(NamedTuple):
    organisation: str
    email: str
    display_name: str
    role: str


UNIVERSITIES: tuple[_Org, ...] = (
    _Org("福州大学", "university", "福州", "tto@fzu.example", "王建华",
         ("materials", "ic", "optoelectronics", "manufacturing", "construction", "water", "battery"), 16),
    _Org("厦门大学", "university", "厦门", "tto@xmu.example", "李晓燕",
         ("battery", "marine", "ic", "optoelectronics", "medicine", "water"), 16),
    _Org("福建农林大学", "university", "福州", "tto@fafu.example", "黄志强",
         ("tea", "breeding", "food", "marine"), 12),
    _Org("华侨大学", "university", "泉州", "tto@hqu.example", "Kevin Zhang",
         ("construction", "manufacturing", "materials", "water"), 8),
    _Org("福建师范大学", "university", "福州", "tto@fjnu.example", "郑丽娟",
         ("optoelectronics", "materials", "water", "battery"), 8),
    _Org("集美大学", "university", "厦门", "tto@jmu.example", "林海峰", ("marine", "food", "manufacturing"), 8),
    _Org("福建医科大学", "university", "福州", "tto@fjmu.example", "吴秀英", ("medicine",), 7),
)
INSTITUTES: tuple[_Org, ...] = (
    _Org("中国科学院福建物质结构研究所", "research_institute", "福州", "tto@fjirsm.example", "刘国栋",
         ("optoelectronics", "materials", "battery"), 10),
    _Org("福建省农业科学院", "research_institute", "福州", "tto@faas.example", "陈美玲",
         ("breeding", "tea", "food"), 8),
    _Org("福建省计量科学研究院", "research_institute", "福州", "tto@fjim.example", "张伟",
         ("manufacturing", "ic", "optoelectronics"), 5),
)
ENTERPRISES: tuple[_Org, ...] = (
    _Org("福州新能源科技有限公司", "enterprise", "福州", "ceo@fz-newenergy.example", "周俊杰",
         ("battery", "materials")),
    _Org("厦门智造装备有限公司", "enterprise", "厦门", "bd@xm-smartmfg.example", "许文博", ("manufacturing", "ic")),
    _Org("泉州海洋生物科技有限公司", "enterprise", "泉州", "rd@qz-marinebio.example", "蔡雅琴", ("marine", "food")),
    _Org("Minjiang Robotics Co., Ltd.", "enterprise", "福州", "licensing@minjiang-robotics.example", "David Chen",
         ("manufacturing",)),
    # Left unverified, so that a platform admin has one to review.
    _Org("南平武夷茶业科技有限公司", "enterprise", "南平", "info@wuyi-tea.example", "游建平", ("tea",),
         verified=False),
)
AGENCIES: tuple[_Org, ...] = (
    _Org("福建联合资产评估有限公司", "valuation_agency", "福州", "admin@fj-valuation.example", "郭晓明"),
    _Org("海峡技术转移中心", "transfer_agency", "福州", "service@strait-tt.example", "方志华"),
    _Org("福建省科学技术厅", "government", "福州", "admin@kjt-fj.example", "邱明"),
)
PLATFORM_ADMIN = _Org(PLATFORM_ORGANISATION, "government", "福州", "admin@fjtt.example", "陈志远")
MEMBERS: tuple[_Member, ...] = (
    _Member("福建联合资产评估有限公司", "valuer@fj-valuation.example", "江雪梅", "valuer"),
    _Member("福建省科学技术厅", "po@kjt-fj.example", "叶海燕", "programme_officer"),
    _Member(PLATFORM_ORGANISATION, "audit@fjtt.example", "Grace Lin", "auditor"),
)

# --- technical fields -------------------------------------------------------------------------

Pair = tuple[str, str]  # (Chinese, English)


class Subject(NamedTuple):
    """A thing a patent can be about. ``en`` carries its article when countable ("a separator")."""

    zh: str
    en: str
    ipc: tuple[str, ...] = ()


class TechnicalField(NamedTuple):
    """Vocabulary of one technical field; every IPC code is in the 2020 IPC scheme."""

    key: str
    name: Pair
    materials: tuple[Subject, ...]  # products and substances: "一种…的制备方法"
    processes: tuple[Subject, ...]  # methods, English as "Method for <gerund phrase>"
    devices: tuple[Subject, ...]  # apparatus: inventions and utility models
    designs: tuple[Subject, ...]  # products of design patents (no IPC)
    qualifiers: tuple[Pair, ...]
    features: tuple[Pair, ...]  # technical features; English as a clause
    effects: tuple[Pair, ...]  # advantages; English as a verb phrase ("reduces cost")
    uses: tuple[Pair, ...]
    keywords: tuple[Pair, ...]


TECHNICAL_FIELDS: tuple[TechnicalField, ...] = (
    TechnicalField(
        key="battery", name=("新能源/电池", "New energy and batteries"),
        materials=(
            Subject("锂电池隔膜", "a lithium battery separator", ("H01M 2/14", "H01M 2/16")),
            Subject("高镍三元正极材料", "a high-nickel ternary cathode material", ("H01M 4/131", "H01M 10/0525")),
            Subject("钠离子电池正极材料", "a sodium-ion battery cathode material", ("H01M 4/136", "H01M 4/58")),
            Subject("硫化物固态电解质", "a sulfide solid electrolyte", ("H01M 10/0562",)),
            Subject("硅碳负极材料", "a silicon-carbon anode material", ("H01M 4/134", "H01M 10/0525")),
            Subject("锂离子电池电解液添加剂", "a lithium-ion battery electrolyte additive", ("H01M 10/0567",)),
        ),
        processes=(
            Subject("锂电池荷电状态估计", "estimating the state of charge of lithium batteries",
                    ("G01R 31/367", "G01R 31/382")),
            Subject("退役动力电池梯次利用筛选", "screening retired traction batteries for second-life use",
                    ("H01M 10/42", "G01R 31/382")),
        ),
        devices=(
            Subject("动力电池包液冷板", "a liquid cooling plate for a power battery pack",
                    ("H01M 10/613", "H01M 10/625")),
            Subject("电池管理系统", "a battery management system", ("H01M 10/42", "H01M 10/48")),
            Subject("储能电池快速充电装置", "a fast charging device for energy storage batteries",
                    ("H02J 7/00", "H01M 10/44")),
            Subject("光储一体化储能变流装置", "a photovoltaic energy storage converter", ("H02J 3/32",)),
        ),
        designs=(Subject("储能电池柜", "an energy storage battery cabinet"),
                 Subject("便携式电源", "a portable power station")),
        qualifiers=(("高安全性", "high-safety"), ("长循环寿命", "long-cycle-life"), ("耐高温", "heat-resistant"),
                    ("低成本", "low-cost")),
        features=(
            ("采用陶瓷涂层与聚合物基膜的复合结构", "a ceramic coating is combined with a polymer base film"),
            ("将前驱体与锂源混合后在氧气气氛中两段烧结，再经表面包覆处理",
             "a precursor is mixed with a lithium source, sintered in two stages under oxygen and surface-coated"),
            ("通过电压、电流和温度多参数融合在线估计电池状态",
             "the battery state is estimated on line by fusing voltage, current and temperature"),
            ("冷却液流道采用仿生分形布置", "the coolant channels follow a bionic fractal layout"),
        ),
        effects=(
            ("显著提高了电池的循环寿命", "significantly extends the cycle life of the battery"),
            ("降低了热失控风险", "reduces the risk of thermal runaway"),
            ("提高了能量密度", "increases the energy density"),
            ("工艺简单、易于规模化生产", "uses a simple process suited to mass production"),
        ),
        uses=(("新能源汽车", "new energy vehicles"), ("电化学储能电站", "grid-scale energy storage"),
              ("消费电子产品", "consumer electronics"), ("电动两轮车", "electric two-wheelers")),
        keywords=(("锂离子电池", "lithium-ion battery"), ("储能", "energy storage"), ("正极材料", "cathode material"),
                  ("隔膜", "separator"), ("电池安全", "battery safety"), ("固态电池", "solid-state battery")),
    ),
    TechnicalField(
        key="marine", name=("海洋生物", "Marine biotechnology"),
        materials=(
            Subject("海藻多糖", "seaweed polysaccharide", ("C12P 19/04", "A23L 17/60")),
            Subject("鲍鱼内脏胶原蛋白肽", "a collagen peptide from abalone viscera", ("C07K 14/435", "A61K 35/618")),
            Subject("南极磷虾油", "Antarctic krill oil", ("A61K 35/612", "A23L 17/00")),
            Subject("海洋微藻DHA油脂", "microalgal DHA oil", ("C12P 7/64", "C12N 1/12")),
            Subject("大黄鱼鱼糜制品", "a large yellow croaker surimi product", ("A23L 17/00",)),
        ),
        processes=(
            Subject("海洋芽孢杆菌高密度发酵", "high-density fermentation of marine Bacillus", ("C12N 1/20",)),
            Subject("紫菜中重金属脱除", "removing heavy metals from laver", ("A23L 17/60",)),
        ),
        devices=(
            Subject("大黄鱼深远海养殖网箱", "a deep-sea cage for large yellow croaker farming", ("A01K 61/60",)),
            Subject("海参育苗循环水装置", "a recirculating water device for sea cucumber hatcheries", ("A01K 61/00",)),
        ),
        designs=(Subject("养殖网箱浮球", "a float for fish cages"), Subject("海产品包装盒", "a seafood packaging box")),
        qualifiers=(("高纯度", "high-purity"), ("低分子量", "low-molecular-weight"), ("高活性", "highly active")),
        features=(
            ("以海洋原料为起始物，经酶解、超滤和喷雾干燥得到产品",
             "marine raw material is enzymatically hydrolysed, ultrafiltered and spray-dried"),
            ("通过高通量筛选获得目标菌株并优化发酵条件",
             "a target strain is obtained by high-throughput screening and its fermentation optimised"),
            ("养殖单元采用抗风浪框架与自动投喂系统",
             "the farming unit has a wave-resistant frame and automatic feeding"),
        ),
        effects=(
            ("提高了产物得率和生物活性", "increases product yield and bioactivity"),
            ("实现了水产加工副产物的高值化利用", "turns aquatic processing by-products into high-value products"),
            ("有效去除了腥味", "effectively removes the fishy odour"),
        ),
        uses=(("功能食品", "functional foods"), ("海水养殖", "mariculture"), ("化妆品", "cosmetics"),
              ("水产饲料", "aquafeed")),
        keywords=(("海洋生物", "marine biology"), ("多糖", "polysaccharide"), ("胶原蛋白肽", "collagen peptide"),
                  ("大黄鱼", "large yellow croaker"), ("水产养殖", "aquaculture")),
    ),
    TechnicalField(
        key="tea", name=("茶叶加工", "Tea processing"),
        materials=(
            Subject("白茶", "white tea", ("A23F 3/06",)),
            Subject("乌龙茶", "oolong tea", ("A23F 3/06", "A23F 3/08")),
            Subject("速溶茶粉", "instant tea powder", ("A23F 3/16",)),
            Subject("茉莉花茶", "jasmine tea", ("A23F 3/14", "A23F 3/40")),
            Subject("茶多酚提取物", "a tea polyphenol extract", ("A23F 3/16",)),
        ),
        processes=(
            Subject("白茶萎凋过程智能控制", "controlling the withering of white tea", ("A23F 3/06",)),
            Subject("茶叶中农药残留降解", "degrading pesticide residues in tea", ("A23F 3/06",)),
        ),
        devices=(
            Subject("茶叶揉捻机", "a tea rolling machine", ("A23F 3/06",)),
            Subject("乌龙茶摇青机", "a green-shaking machine for oolong tea", ("A23F 3/08",)),
            Subject("茶叶烘焙提香机", "a tea roasting machine", ("A23N 12/08", "A23F 3/06")),
        ),
        designs=(Subject("茶叶包装罐", "a tea caddy"), Subject("功夫茶盘", "a gongfu tea tray")),
        qualifiers=(("低咖啡因", "low-caffeine"), ("高香型", "aromatic"), ("富硒", "selenium-rich")),
        features=(
            ("鲜叶经萎凋、做青、杀青、揉捻和烘干", "fresh leaves are withered, shaken, fixed, rolled and dried"),
            ("采用低温连续萎凋与控温发酵工艺",
             "low-temperature continuous withering and controlled fermentation are used"),
            ("滚筒转速和热风温度由控制器按含水率调节",
             "the drum speed and hot-air temperature follow the moisture content"),
        ),
        effects=(
            ("提升了茶汤的香气和滋味", "improves the aroma and taste of the infusion"),
            ("缩短了加工周期", "shortens the processing cycle"),
            ("降低了能耗", "reduces energy consumption"),
        ),
        uses=(("茶叶加工企业", "tea processing plants"), ("新式茶饮", "ready-to-drink tea beverages"),
              ("茶叶深加工", "tea extract production")),
        keywords=(("白茶", "white tea"), ("乌龙茶", "oolong tea"), ("茶叶加工", "tea processing"),
                  ("萎凋", "withering"), ("茶多酚", "tea polyphenols")),
    ),
    TechnicalField(
        key="materials", name=("新材料/石墨烯", "Advanced materials and graphene"),
        materials=(
            Subject("石墨烯", "graphene", ("C01B 32/184", "C01B 32/182")),
            Subject("石墨烯导热膜", "a graphene thermal film", ("C01B 32/194",)),
            Subject("石墨烯改性环氧树脂复合材料", "a graphene-modified epoxy composite", ("C08L 63/00", "C08K 3/04")),
            Subject("石墨烯导电涂料", "a graphene conductive coating", ("C09D 5/24", "C01B 32/182")),
            Subject("碳纳米管增强铝基复合材料", "a carbon nanotube reinforced aluminium composite",
                    ("C22C 1/10", "B82Y 30/00")),
        ),
        processes=(
            Subject("石墨烯粉体规模化剥离", "exfoliating graphene powder at scale", ("C01B 32/184",)),
        ),
        devices=(
            Subject("石墨烯薄膜连续制备装置", "an apparatus for continuously producing graphene films",
                    ("C01B 32/184",)),
            Subject("导热膜辊压设备", "a calendering device for thermal films", ("C01B 32/194",)),
        ),
        designs=(Subject("石墨烯发热片", "a graphene heating pad"),),
        qualifiers=(("高导热", "highly thermally conductive"), ("柔性", "flexible"), ("少层", "few-layer")),
        features=(
            ("以天然石墨为原料，经插层、剥离和还原处理", "natural graphite is intercalated, exfoliated and reduced"),
            ("将改性填料与树脂基体经三辊研磨分散后固化",
             "the modified filler is dispersed in the resin matrix by three-roll milling and cured"),
        ),
        effects=(
            ("提高了材料的导热和导电性能", "improves thermal and electrical conductivity"),
            ("片层缺陷少、分散均匀", "yields sheets with few defects and uniform dispersion"),
            ("降低了原料成本", "lowers raw-material costs"),
        ),
        uses=(("电子器件散热", "thermal management of electronics"), ("防腐涂料", "anti-corrosion coatings"),
              ("柔性电子", "flexible electronics")),
        keywords=(("石墨烯", "graphene"), ("复合材料", "composite"), ("导热", "thermal conductivity"),
                  ("纳米材料", "nanomaterials")),
    ),
    TechnicalField(
        key="optoelectronics", name=("光电/LED", "Optoelectronics and LED"),
        materials=(
            Subject("LED荧光粉", "an LED phosphor", ("C09K 11/77", "H01L 33/50")),
            Subject("有机发光材料", "an organic luminescent material", ("C09K 11/06",)),
            Subject("钙钛矿太阳能电池", "a perovskite solar cell", ("H01L 31/18",)),
            Subject("氮化镓基发光二极管外延片", "a GaN-based LED epitaxial wafer", ("H01L 33/00",)),
            Subject("半导体激光器芯片", "a semiconductor laser chip", ("H01S 5/00",)),
        ),
        processes=(
            Subject("Micro-LED巨量转移", "mass transfer of micro-LEDs", ("H01L 33/00", "H01L 25/00")),
        ),
        devices=(
            Subject("LED灯具散热结构", "a heat dissipation structure for LED lamps", ("F21V 29/70", "H01L 33/64")),
            Subject("植物生长LED光源", "an LED light source for plant growth", ("F21K 9/00",)),
        ),
        designs=(Subject("LED路灯", "an LED street lamp"), Subject("护眼台灯", "an eye-care desk lamp")),
        qualifiers=(("高显色", "high-colour-rendering"), ("窄带发射", "narrow-band"), ("高效率", "high-efficiency")),
        features=(
            ("采用稀土离子掺杂的氮化物基质", "a nitride host is doped with rare-earth ions"),
            ("通过界面钝化层抑制非辐射复合", "an interface passivation layer suppresses non-radiative recombination"),
            ("散热鳍片与灯壳一体成型", "the cooling fins are formed in one piece with the housing"),
        ),
        effects=(
            ("提高了光效和显色指数", "raises luminous efficacy and colour rendering"),
            ("延长了器件寿命", "extends device lifetime"),
            ("改善了热稳定性", "improves thermal stability"),
        ),
        uses=(("通用照明", "general lighting"), ("显示背光", "display backlights"), ("光伏发电", "photovoltaics"),
              ("植物工厂", "plant factories")),
        keywords=(("LED", "LED"), ("荧光粉", "phosphor"), ("钙钛矿", "perovskite"),
                  ("发光材料", "luminescent material"), ("光电器件", "optoelectronic device")),
    ),
    TechnicalField(
        key="manufacturing", name=("智能制造/机器人", "Intelligent manufacturing and robotics"),
        materials=(),
        processes=(
            Subject("工业机器人轨迹规划", "planning industrial robot trajectories", ("B25J 9/16",)),
            Subject("焊缝视觉跟踪", "visually tracking weld seams", ("B23K 9/127", "G06T 7/00")),
            Subject("柔性产线调度", "scheduling flexible production lines", ("G05B 19/418",)),
            Subject("机床刀具磨损在线监测", "monitoring machine-tool wear on line", ("B23Q 17/09",)),
        ),
        devices=(
            Subject("协作机器人柔性夹爪", "a flexible gripper for collaborative robots", ("B25J 15/00",)),
            Subject("六轴机器人力觉传感装置", "a force sensing device for six-axis robots", ("B25J 19/02",)),
            Subject("物料分拣机械手", "a material sorting manipulator", ("B65G 47/90", "B25J 11/00")),
            Subject("焊接变位机", "a welding positioner", ("B23K 37/00",)),
            Subject("视觉定位检测工装", "a vision-based positioning fixture", ("B23Q 17/24",)),
        ),
        designs=(Subject("工业机器人", "an industrial robot"), Subject("AGV搬运车", "an AGV transport vehicle")),
        qualifiers=(("高精度", "high-precision"), ("轻量化", "lightweight")),
        features=(
            ("利用深度相机获取工件位姿并实时修正运动路径",
             "a depth camera measures the workpiece pose and the path is corrected in real time"),
            ("采用模块化关节与力矩闭环控制", "modular joints run under closed-loop torque control"),
            ("以数字孪生模型预测设备状态并优化排产",
             "a digital twin predicts machine states and optimises the schedule"),
        ),
        effects=(
            ("提高了定位精度和生产节拍", "improves positioning accuracy and cycle time"),
            ("减少了人工干预", "reduces manual intervention"),
            ("降低了设备停机率", "lowers unplanned downtime"),
        ),
        uses=(("汽车零部件制造", "automotive parts manufacturing"), ("3C电子装配", "electronics assembly"),
              ("鞋服智能制造", "footwear and garment production"), ("仓储物流", "warehouse logistics")),
        keywords=(("工业机器人", "industrial robot"), ("机器视觉", "machine vision"),
                  ("智能制造", "smart manufacturing"), ("数字孪生", "digital twin"), ("协作机器人", "cobot")),
    ),
    TechnicalField(
        key="medicine", name=("医药", "Pharmaceuticals"),
        materials=(
            Subject("灵芝孢子多糖提取物", "a Ganoderma spore polysaccharide extract", ("A61K 36/074",)),
            Subject("抗肿瘤化合物", "an antitumour compound", ("A61K 31/00", "A61P 35/00")),
            Subject("降血糖中药组合物", "a hypoglycaemic herbal composition", ("A61K 36/00", "A61P 3/10")),
            Subject("缓释微球制剂", "a sustained-release microsphere formulation", ("A61K 9/00",)),
            Subject("冬虫夏草菌丝体提取物", "a Cordyceps mycelium extract", ("A61K 36/068",)),
            Subject("竹叶黄酮抗菌组合物", "an antibacterial bamboo-leaf flavonoid composition",
                    ("A61K 36/899", "A61P 31/04")),
        ),
        processes=(
            Subject("中药指纹图谱质量控制", "quality control of herbal medicines by fingerprinting", ("G01N 33/00",)),
        ),
        devices=(
            Subject("自动配药装置", "an automatic drug dispensing device", ("A61J 3/00",)),
            Subject("预灌封注射装置", "a prefilled injection device", ("A61M 5/00",)),
        ),
        designs=(Subject("药品包装盒", "a medicine box"),),
        qualifiers=(("高生物利用度", "highly bioavailable"), ("低毒", "low-toxicity")),
        features=(
            ("以超临界萃取结合大孔树脂纯化获得有效部位",
             "the active fraction is obtained by supercritical extraction and macroporous-resin purification"),
            ("经细胞和动物实验验证了药效", "efficacy is confirmed in cell and animal studies"),
        ),
        effects=(
            ("提高了药物的生物利用度", "improves bioavailability"),
            ("毒副作用小", "has few side effects"),
            ("质量稳定、可控", "gives stable, controllable quality"),
        ),
        uses=(("创新药研发", "new drug development"), ("保健食品", "health foods"),
              ("医院制剂", "hospital preparations")),
        keywords=(("中药", "traditional Chinese medicine"), ("抗肿瘤", "antitumour"), ("缓释制剂", "sustained release"),
                  ("灵芝", "Ganoderma")),
    ),
    TechnicalField(
        key="breeding", name=("农业育种", "Crop breeding"),
        materials=(),
        processes=(
            Subject("水稻抗稻瘟病分子标记辅助育种", "breeding blast-resistant rice with molecular markers",
                    ("A01H 1/04", "C12Q 1/6895")),
            Subject("茶树组织培养快速繁殖", "rapidly propagating tea plants by tissue culture", ("A01H 4/00",)),
            Subject("番茄耐热品种选育", "selecting heat-tolerant tomato varieties", ("A01H 1/04", "A01H 6/82")),
            Subject("甘薯脱毒种苗繁育", "propagating virus-free sweet potato seedlings", ("A01H 4/00", "A01G 22/00")),
            Subject("利用基因编辑创制高产水稻种质", "creating high-yield rice germplasm by gene editing",
                    ("C12N 15/82", "A01H 6/46")),
            Subject("杂交水稻制种", "producing hybrid rice seed", ("A01H 1/00", "A01H 5/10")),
        ),
        devices=(
            Subject("种子活力快速检测装置", "a rapid seed vigour testing device", ("A01C 1/00",)),
            Subject("智能育苗温室", "an intelligent seedling greenhouse", ("A01G 9/14",)),
        ),
        designs=(Subject("育苗穴盘", "a seedling tray"),),
        qualifiers=(),
        features=(
            ("利用与抗性基因紧密连锁的分子标记进行早代筛选",
             "markers tightly linked to resistance genes are used for early-generation selection"),
            ("优化了外植体消毒和培养基配方", "explant sterilisation and the culture medium are optimised"),
        ),
        effects=(
            ("缩短了育种周期", "shortens the breeding cycle"),
            ("提高了抗病性和产量", "improves disease resistance and yield"),
            ("繁殖系数高、种苗整齐", "gives a high propagation rate and uniform seedlings"),
        ),
        uses=(("种业企业", "seed companies"), ("家庭农场", "family farms"), ("农业技术推广", "agricultural extension")),
        keywords=(("水稻", "rice"), ("分子育种", "molecular breeding"), ("组织培养", "tissue culture"),
                  ("种质创新", "germplasm innovation")),
    ),
    TechnicalField(
        key="water", name=("环保水处理", "Environmental protection and water treatment"),
        materials=(
            Subject("重金属吸附材料", "a heavy-metal adsorbent", ("C02F 1/28", "C02F 101/20")),
            Subject("二氧化钛光催化剂", "a titanium dioxide photocatalyst", ("B01J 21/06",)),
            Subject("反渗透复合膜", "a reverse osmosis composite membrane", ("C02F 1/44",)),
        ),
        processes=(
            Subject("垃圾渗滤液深度处理", "advanced treatment of landfill leachate", ("C02F 9/00",)),
            Subject("高浓度有机废水厌氧处理", "anaerobic treatment of high-strength organic wastewater",
                    ("C02F 3/28",)),
            Subject("芬顿氧化处理印染废水", "treating dyeing wastewater by Fenton oxidation", ("C02F 1/72",)),
        ),
        devices=(
            Subject("一体化污水处理设备", "an integrated sewage treatment unit", ("C02F 9/00",)),
            Subject("工业废气净化装置", "an industrial exhaust gas purification device", ("B01D 53/00",)),
        ),
        designs=(Subject("净水器", "a water purifier"),),
        qualifiers=(("可再生", "regenerable"), ("高通量", "high-flux")),
        features=(
            ("以改性生物炭负载纳米零价铁作为吸附位点",
             "nano zero-valent iron on modified biochar provides sorption sites"),
            ("采用厌氧—好氧—膜分离组合工艺", "an anaerobic–aerobic–membrane combined process is used"),
        ),
        effects=(
            ("出水稳定达到一级A排放标准", "meets the Grade 1A discharge standard reliably"),
            ("降低了运行成本", "lowers operating costs"),
            ("污泥产量少", "produces little sludge"),
        ),
        uses=(("市政污水处理", "municipal wastewater treatment"), ("工业园区废水", "industrial park effluent"),
              ("农村分散污水", "decentralised rural sewage")),
        keywords=(("水处理", "water treatment"), ("重金属", "heavy metals"), ("膜分离", "membrane separation"),
                  ("光催化", "photocatalysis")),
    ),
    TechnicalField(
        key="ic", name=("集成电路", "Integrated circuits"),
        materials=(
            Subject("碳化硅MOSFET器件", "a silicon carbide MOSFET device", ("H01L 29/78", "H01L 29/16")),
            Subject("氮化镓功率器件", "a gallium nitride power device", ("H01L 29/78",)),
        ),
        processes=(
            Subject("晶圆级封装", "wafer-level packaging", ("H01L 21/56",)),
            Subject("铜互连结构制作", "fabricating copper interconnect structures", ("H01L 21/768",)),
            Subject("芯片表面缺陷检测", "detecting chip surface defects", ("H01L 21/67", "G06T 7/00")),
        ),
        devices=(
            Subject("芯片封装散热结构", "a heat dissipation structure for chip packages", ("H01L 23/00",)),
            Subject("晶圆传送装置", "a wafer transfer device", ("H01L 21/67",)),
            Subject("多芯片功率模组", "a multi-chip power module", ("H01L 25/00",)),
        ),
        designs=(Subject("芯片测试座", "a chip test socket"),),
        qualifiers=(("低导通电阻", "low-on-resistance"), ("高可靠性", "high-reliability")),
        features=(
            ("栅极采用沟槽结构并在底部设置屏蔽层", "a trench gate has a shielding layer at its bottom"),
            ("利用重布线层实现扇出型互连", "a redistribution layer provides fan-out interconnection"),
        ),
        effects=(
            ("降低了导通损耗", "reduces conduction losses"),
            ("提高了封装良率", "raises packaging yield"),
            ("改善了散热性能", "improves heat dissipation"),
        ),
        uses=(("新能源汽车电驱", "electric vehicle drives"), ("光伏逆变器", "solar inverters"),
              ("消费电子芯片", "consumer electronics chips")),
        keywords=(("碳化硅", "silicon carbide"), ("功率器件", "power device"), ("先进封装", "advanced packaging"),
                  ("半导体", "semiconductor")),
    ),
    TechnicalField(
        key="food", name=("食品", "Food"),
        materials=(
            Subject("低糖芋泥", "low-sugar taro paste", ("A23L 19/00",)),
            Subject("百香果复合果汁饮料", "a passion fruit mixed juice drink", ("A23L 2/02",)),
            Subject("红曲米发酵食品", "a fermented red yeast rice food", ("A23L 7/10",)),
            Subject("速冻鱼丸", "quick-frozen fish balls", ("A23L 17/00", "A23B 4/06")),
            Subject("燕麦全麦面包", "a whole-grain oat bread", ("A21D 13/00",)),
            Subject("植物源天然抗氧化剂", "a natural plant-derived antioxidant", ("A23L 33/105",)),
        ),
        processes=(
            Subject("食品中黄曲霉毒素降解", "degrading aflatoxin in food", ("A23L 5/20",)),
        ),
        devices=(
            Subject("果蔬清洗消毒装置", "a fruit and vegetable washing and disinfecting device", ("A23N 12/02",)),
            Subject("食品速冻隧道", "a quick-freezing tunnel for food", ("A23B 4/06",)),
        ),
        designs=(Subject("食品包装盒", "a food packaging box"), Subject("饮料瓶", "a beverage bottle")),
        qualifiers=(("低脂", "low-fat"), ("高膳食纤维", "high-fibre"), ("即食", "ready-to-eat")),
        features=(
            ("采用复合酶解与低温真空浓缩", "compound enzymolysis and low-temperature vacuum concentration are used"),
            ("以益生菌发酵替代部分添加剂", "probiotic fermentation replaces part of the additives"),
        ),
        effects=(
            ("保留了原料的营养和风味", "retains the nutrients and flavour of the raw material"),
            ("延长了货架期", "extends shelf life"),
            ("无需添加防腐剂", "needs no preservatives"),
        ),
        uses=(("休闲食品", "snack foods"), ("餐饮连锁", "restaurant chains"),
              ("特医食品", "foods for special medical purposes")),
        keywords=(("食品加工", "food processing"), ("发酵", "fermentation"), ("果汁", "fruit juice"),
                  ("保鲜", "preservation")),
    ),
    TechnicalField(
        key="construction", name=("建筑", "Building and construction"),
        materials=(
            Subject("再生骨料混凝土", "recycled aggregate concrete", ("C04B 28/04", "C04B 18/04")),
            Subject("超高性能混凝土", "ultra-high-performance concrete", ("C04B 28/00",)),
            Subject("地聚合物砂浆", "a geopolymer mortar", ("C04B 28/00", "C04B 111/20")),
        ),
        processes=(
            Subject("装配式建筑快速施工", "rapidly constructing prefabricated buildings", ("E04B 1/00", "E04G 21/00")),
            Subject("既有建筑结构加固", "strengthening existing building structures", ("E04G 23/02",)),
        ),
        devices=(
            Subject("装配式钢结构梁柱节点", "a beam-column joint for prefabricated steel structures", ("E04B 1/38",)),
            Subject("建筑隔震支座", "a seismic isolation bearing for buildings", ("E04B 1/98",)),
            Subject("外墙保温装饰一体板", "an integrated insulating and decorative wall panel", ("E04F 13/00",)),
        ),
        designs=(Subject("建筑外墙装饰板", "a decorative facade panel"),),
        qualifiers=(("高强", "high-strength"), ("低碳", "low-carbon"), ("耐海洋腐蚀", "marine-corrosion-resistant")),
        features=(
            ("以建筑垃圾再生骨料替代部分天然骨料",
             "recycled aggregate from demolition waste replaces part of the natural aggregate"),
            ("节点采用螺栓连接与耗能构件", "the joint is bolted and has an energy-dissipating element"),
        ),
        effects=(
            ("提高了抗震性能", "improves seismic performance"),
            ("缩短了施工工期", "shortens construction time"),
            ("减少了碳排放", "reduces carbon emissions"),
        ),
        uses=(("装配式住宅", "prefabricated housing"), ("桥梁工程", "bridge engineering"),
              ("沿海建筑", "coastal buildings")),
        keywords=(("混凝土", "concrete"), ("装配式建筑", "prefabricated building"), ("抗震", "seismic resistance"),
                  ("绿色建材", "green building materials")),
    ),
)
FIELDS_BY_KEY = {f.key: f for f in TECHNICAL_FIELDS}

#: Programmes behind publicly funded results, with a project-reference maker.
FUNDING_PROGRAMMES: tuple[tuple[str, Callable[[random.Random, int], str]], ...] = (
    ("国家自然科学基金", lambda r, y: f"{r.choice('23456789')}{y % 100:02d}{r.randint(10000, 99999)}"),
    ("福建省科技重大专项", lambda r, y: f"{y}HZ0{r.randint(20000, 29999)}"),
    ("国家重点研发计划", lambda r, y: f"{y}YFB{r.randint(1000000, 2999999)}"),
    ("福建省自然科学基金", lambda r, y: f"{y}J0{r.randint(1000, 1999)}"),
    ("福建省科技计划引导性项目", lambda r, y: f"{y}Y0{r.randint(100, 199)}"),
)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘蔡蒋余杜叶程苏魏吕丁沈姚卢钟江游翁施"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华玉萍红娥玲芬燕建志海峰文斌辉晨宇欣怡子涵思远佳琪浩然梓轩雨萱"
INVENTOR_SPLITS: dict[int, tuple[tuple[int, ...], ...]] = {
    2: ((60, 40), (70, 30), (50, 50), (55, 45)),
    3: ((50, 30, 20), (40, 35, 25), (60, 25, 15)),
    4: ((40, 30, 20, 10), (35, 25, 25, 15), (30, 30, 20, 20)),
    5: ((30, 25, 20, 15, 10), (40, 20, 15, 15, 10), (25, 25, 20, 15, 15)),
}
CO_OWNER_SPLITS = ((60.0, 40.0), (50.0, 50.0), (70.0, 30.0), (80.0, 20.0), (55.0, 45.0))
BUYERS: tuple[Pair, ...] = (
    ("有技术升级需求的中小企业", "small and medium-sized firms upgrading their technology"),
    ("上市公司研发中心", "R&D centres of listed companies"),
    ("省内产业园区企业", "companies in Fujian industrial parks"),
)
WITHDRAW_REASONS = ("已通过线下渠道完成转让", "权利人调整转化计划", "Licensed to a partner outside the platform")
DEAL_COMBINATIONS: tuple[tuple[tuple[str, ...], int], ...] = (
    (("assignment",), 25),
    (("assignment", "exclusive_licence"), 12),
    (("exclusive_licence",), 8),
    (("sole_licence", "non_exclusive_licence"), 8),
    (("non_exclusive_licence",), 10),
    (("assignment", "exclusive_licence", "sole_licence", "non_exclusive_licence"), 10),
    (("open_licence",), 12),
    (("open_licence", "non_exclusive_licence"), 6),
)
#: CN application type digit and publication kind code (A, U, S) per patent type.
TYPE_DIGIT_AND_KIND = {"invention": ("1", "A"), "utility_model": ("2", "U"), "design": ("3", "S")}
MATURITY_TRL = {"concept": (1, 3), "prototype": (4, 5), "pilot": (6, 7), "industrialised": (8, 9)}

# --- English helpers --------------------------------------------------------------------------

_ACRONYM_VOWEL_SOUND = frozenset("AEFHILMNORSX")  # "an LED", "an AGV"


def _split_article(en: str) -> tuple[bool, str]:
    for article in ("a ", "an "):
        if en.startswith(article):
            return True, en[len(article):]
    return False, en


def _article(phrase: str) -> str:
    word = phrase.split(maxsplit=1)[0].split("-", maxsplit=1)[0]
    if len(word) > 1 and word.isupper():
        return "an" if word[0] in _ACRONYM_VOWEL_SOUND else "a"
    lower = word.lower()
    vowel = lower[:1] in set("aeiou") and not lower.startswith(("uni", "use", "eu", "one"))
    return "an" if vowel else "a"


def _noun(subject_en: str, qualifier_en: str = "", *, article: bool = True) -> str:
    """The subject's English noun phrase with an optional qualifier, its article re-chosen."""
    countable, bare = _split_article(subject_en)
    phrase = f"{qualifier_en} {bare}" if qualifier_en else bare
    return f"{_article(phrase)} {phrase}" if countable and article else phrase


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


# --- generating one patent --------------------------------------------------------------------


class _Generator:
    """Draws patents from one ``random.Random``; keeps numbers unique."""

    def __init__(self, rng: random.Random, org_ids: dict[str, UUID]) -> None:
        self.rng = rng
        self.org_ids = org_ids
        self.application_serials: set[str] = set()
        self.publication_serials: set[str] = set()
        self.owners = [*UNIVERSITIES, *INSTITUTES]
        self.owner_weights = [o.weight for o in self.owners]

    # numbers and dates ----------------------------------------------------------------------
    def application_number(self, year: int, type_digit: str) -> str:
        while True:
            digits = f"{year}{type_digit}{self.rng.randint(10000, 2999999):07d}"
            if digits not in self.application_serials:
                self.application_serials.add(digits)
                return f"{digits}.{cn_check_character(digits)}"

    def publication_number(self, published: date, type_digit: str, kind: str) -> str:
        while True:
            serial = f"{type_digit}{published.year - 2004:02d}{self.rng.randint(0, 999999):06d}"
            if serial not in self.publication_serials:
                self.publication_serials.add(serial)
                return f"CN{serial}{kind}"

    def day_in(self, year: int) -> date:
        return date(year, 1, 1) + timedelta(days=self.rng.randrange(365))

    # people -----------------------------------------------------------------------------------
    def inventors(self) -> list[c.InventorShare]:
        count = self.rng.choice((2, 2, 3, 3, 3, 4, 4, 5))
        names: list[str] = []
        while len(names) < count:
            given = "".join(self.rng.sample(GIVEN, self.rng.choice((1, 2, 2))))
            name = self.rng.choice(SURNAMES) + given
            if name not in names:
                names.append(name)
        if self.rng.random() < 0.5:
            split = self.rng.choice(INVENTOR_SPLITS[count])
            return [c.InventorShare(name=n, share=float(s)) for n, s in zip(names, split, strict=True)]
        return [c.InventorShare(name=n) for n in names]

    def funding(self, filing_year: int) -> c.FundingInput | None:
        if self.rng.random() >= 0.33:
            return None
        programme, reference = self.rng.choice(FUNDING_PROGRAMMES)
        start = filing_year - self.rng.randint(0, 2)
        return c.FundingInput(programme=programme, project_reference=reference(self.rng, start),
                              end_date=date(start + self.rng.choice((3, 4, 5)), 12, 31))

    def owner_shares(self, lister: _Org, field: str) -> list[c.OwnerShare]:
        roll = self.rng.random()
        partner: _Org | None = None
        if roll < 0.12:
            others = [o for o in self.owners if o.name != lister.name]
            related = [o for o in others if field in o.fields]
            partner = self.rng.choice(related or others)
        elif roll < 0.22:
            firms = [e for e in ENTERPRISES if e.verified and field in e.fields]
            partner = self.rng.choice(firms) if firms else None
        if partner is None:
            return [c.OwnerShare(organisation_id=self.org_ids[lister.name], share=100.0)]
        major, minor = self.rng.choice(CO_OWNER_SPLITS)
        return [c.OwnerShare(organisation_id=self.org_ids[lister.name], share=major),
                c.OwnerShare(organisation_id=self.org_ids[partner.name], share=minor)]

    # texts ------------------------------------------------------------------------------------
    def texts(self, field: TechnicalField, patent_type: str) -> tuple[Pair, Pair, tuple[str, ...]]:
        """(title zh/en, abstract zh/en, IPC codes) for a patent of ``patent_type`` in ``field``."""
        r = self.rng
        feature_zh, feature_en = r.choice(field.features)
        (e1_zh, e1_en), (e2_zh, e2_en) = r.sample(field.effects, 2)
        (u1_zh, u1_en), (u2_zh, u2_en) = r.sample(field.uses, 2)
        if patent_type == "design":
            s = r.choice(field.designs)
            model = r.choice(("", "", "A", "B", "1", "2"))
            title = (f"{s.zh}（{model}型）", f"{_cap(_noun(s.en, article=False))} (type {model})") if model else (
                s.zh, _cap(_noun(s.en, article=False)))
            abstract = (
                f"1．本外观设计产品的名称：{title[0]}。2．本外观设计产品的用途：用于{u1_zh}。"
                "3．本外观设计产品的设计要点：在于形状。4．最能表明设计要点的图片或照片：立体图。",
                f"1. Name of the product: {title[1]}. 2. Use of the product: for {u1_en}. "
                "3. Design points: the shape of the product. 4. Representative view: perspective view.",
            )
            return title, abstract, ()
        if patent_type == "utility_model":
            s = r.choice(field.devices)
            if r.random() < 0.3:
                title = (f"一种结构紧凑的{s.zh}", f"Compact {_noun(s.en, article=False)}")
            else:
                title = (f"一种{s.zh}", _cap(_noun(s.en, article=False)))
            abstract = (
                f"本实用新型公开了{title[0]}，其中{feature_zh}。本实用新型结构简单，{e1_zh}，适用于{u1_zh}。",
                f"The utility model discloses {_noun(s.en)}, in which {feature_en}. "
                f"It is simple in structure, {e1_en} and is suitable for {u1_en}.",
            )
            return title, abstract, self.ipc(s, field)
        kinds = [k for k, pool in (("material", field.materials), ("process", field.processes),
                                   ("device", field.devices)) if pool]
        kind = r.choice(kinds)
        if kind == "material":
            s = r.choice(field.materials)
            q_zh, q_en = r.choice(field.qualifiers) if field.qualifiers and r.random() < 0.5 else ("", "")
            noun = _noun(s.en, q_en)
            bare = _cap(_noun(s.en, q_en, article=False))
            title, core_en = r.choice((
                ((f"一种{q_zh}{s.zh}的制备方法", f"Method for preparing {noun}"), f"a method for preparing {noun}"),
                ((f"一种{q_zh}{s.zh}及其制备方法", f"{bare} and preparation method thereof"),
                 f"{noun} and a method for preparing it"),
                ((f"一种{q_zh}{s.zh}及其应用", f"{bare} and use thereof"), f"{noun} and its use"),
            ))
        elif kind == "process":
            s = r.choice(field.processes)
            title, core_en = r.choice((
                ((f"一种{s.zh}方法", f"Method for {s.en}"), f"a method for {s.en}"),
                ((f"一种{s.zh}方法及系统", f"Method and system for {s.en}"), f"a method and system for {s.en}"),
            ))
        else:
            s = r.choice(field.devices)
            bare = _cap(_noun(s.en, article=False))
            title, core_en = r.choice((
                ((f"一种{s.zh}", bare), _noun(s.en)),
                ((f"一种{s.zh}及其使用方法", f"{bare} and method of using the same"),
                 f"{_noun(s.en)} and a method of using it"),
            ))
        abstract = (
            f"本发明公开了{title[0]}，其主要技术特征在于{feature_zh}。本发明{e1_zh}，{e2_zh}，"
            f"可用于{u1_zh}和{u2_zh}等领域。",
            f"The invention discloses {core_en}. Its main technical feature is that {feature_en}. "
            f"The invention {e1_en} and {e2_en}, and can be used in {u1_en} and {u2_en}.",
        )
        return title, abstract, self.ipc(s, field)

    def ipc(self, subject: Subject, field: TechnicalField) -> tuple[str, ...]:
        """The subject's own codes (1-2), sometimes plus one more from the field: 1-3 codes."""
        codes = list(subject.ipc[: self.rng.choice((1, 2))])
        if self.rng.random() < 0.3:
            pool = [code for s in (*field.materials, *field.processes, *field.devices) for code in s.ipc]
            extra = self.rng.choice(pool)
            if extra not in codes:
                codes.append(extra)
        return tuple(codes[:3])

    # the patent -------------------------------------------------------------------------------
    def patent(self) -> tuple[c.RegisterPatent, _Org, TechnicalField]:
        r = self.rng
        lister = r.choices(self.owners, weights=self.owner_weights)[0]
        field = FIELDS_BY_KEY[r.choice(lister.fields)]
        patent_type = r.choices(("invention", "utility_model", "design"), weights=(78, 17, 5))[0]
        type_digit, kind_code = TYPE_DIGIT_AND_KIND[patent_type]
        # Utility models (10 years) and designs filed before June 2021 (10 years) from 2015 or 2016
        # would have expired by AS_OF; such records would be misleading demo data.
        first_year = {"invention": 2015, "utility_model": 2017, "design": 2018}[patent_type]
        year = r.randint(first_year, 2024)
        filed = self.day_in(year)
        published: date | None
        granted: date | None
        if patent_type == "invention":
            published = filed + timedelta(days=r.randint(540, 600))  # 18 months after filing, as the law says
            granted = published + timedelta(days=r.randint(180, 900))
            if published > AS_OF:
                published = granted = None
            elif granted > AS_OF or r.random() < 0.1:
                granted = None  # still in substantive examination
        else:
            # Utility models and designs are published when granted (授权公告).
            granted = filed + timedelta(days=r.randint(120, 420))
            published = granted
            if granted > AS_OF:
                published = granted = None
        language = r.choices(("both", "zh", "en"), weights=(75, 15, 10))[0]
        (title_zh, title_en), (abstract_zh, abstract_en), codes = self.texts(field, patent_type)
        if language == "zh":
            title_en = abstract_en = ""
        elif language == "en":
            title_zh = abstract_zh = ""
        command = c.RegisterPatent(
            application_number=self.application_number(year, type_digit),
            publication_number=self.publication_number(published, type_digit, kind_code) if published else None,
            patent_type=patent_type, title_zh=title_zh, title_en=title_en, abstract_zh=abstract_zh,
            abstract_en=abstract_en, ipc_codes=list(codes), filing_date=filed, publication_date=published,
            grant_date=granted, legal_status="granted" if granted else "pending",
            owners=self.owner_shares(lister, field.key), inventors=self.inventors(), public_funding=self.funding(year),
        )
        return command, lister, field

    # the listing ------------------------------------------------------------------------------
    def listing(self, patent_id: UUID, patent: c.RegisterPatent, field: TechnicalField) -> c.DraftListing:
        """The draft listing of a registered patent: deal types, price, maturity and texts."""
        r = self.rng
        deal_types = r.choices([d for d, _ in DEAL_COMBINATIONS], weights=[w for _, w in DEAL_COMBINATIONS])[0]
        scale = {"design": 0.3, "utility_model": 0.6}.get(patent.patent_type, 1.0)
        asking_price: int | None = None
        open_licence: c.OpenLicenceInput | None = None
        if "open_licence" in deal_types:
            price_mode = "open_licence"
            fee_yuan = int(round(r.randint(1, 20) * 5000 * scale, -3))
            open_licence = c.OpenLicenceInput(fee=fee_yuan * 100, royalty_rate=r.choice((0.0, 1.5, 2.5, 3.5, 5.0)),
                                              term_years=r.choice((3, 5, 5, 10)))
        elif r.random() < 0.6:
            price_mode = "fixed"
            yuan = int(round(10 ** r.uniform(4.7, 6.7) * scale, -4))
            asking_price = max(50_000, min(5_000_000, yuan)) * 100  # fen
        else:
            price_mode = "negotiable"
        maturity: str | None = r.choices(list(MATURITY_TRL), weights=(15, 30, 30, 25))[0]
        trl: int | None = None
        if r.random() < 0.4:
            trl = r.randint(*MATURITY_TRL[maturity or "concept"])
            if r.random() < 0.5:
                maturity = None  # the application derives it from the TRL
        zh, en = bool(patent.title_zh), bool(patent.title_en)
        effects = r.sample(field.effects, r.choice((2, 3)))
        (u1_zh, u1_en), (u2_zh, u2_en) = r.sample(field.uses, 2)
        buyer_zh, buyer_en = r.choice(BUYERS)
        advantages: list[str] = []
        applications: list[str] = []
        if zh:
            items = "；".join(f"{i}．{e[0]}" for i, e in enumerate(effects, 1))
            advantages.append(f"技术优势：{items}。")
            applications.append(f"可应用于{u1_zh}、{u2_zh}等领域，适合{buyer_zh}承接转化。")
        if en:
            items = "; ".join(f"{i}. {_cap(e[1])}" for i, e in enumerate(effects, 1))
            advantages.append(f"Advantages: {items}.")
            applications.append(f"Applicable to {u1_en} and {u2_en}; suited to {buyer_en}.")
        picked = r.sample(field.keywords, r.randint(3, min(5, len(field.keywords))))
        keywords = [k[0] for k in picked] if zh else []
        keywords += [k[1] for k in picked if k[1] not in keywords] if en else []
        return c.DraftListing(
            patent_id=patent_id, deal_types=list(deal_types), price_mode=price_mode, asking_price=asking_price,
            open_licence=open_licence, maturity=maturity, trl=trl, advantages="\n".join(advantages),
            applications="\n".join(applications), keywords=keywords,
        )


def _status_plan(rng: random.Random, granted: Sequence[bool]) -> list[str]:
    """Final listing status per patent: ~85 % published, ~8 % draft, ~4 % withdrawn, ~3 % suspended."""
    n = len(granted)
    if n < 4:
        return ["published"] * n
    suspended = min(max(1, round(n * 0.03)), sum(granted))
    withdrawn = max(1, round(n * 0.04))
    drafts = max(1, round(n * 0.08))
    statuses = ["published"] * n
    lapsing = set(rng.sample([i for i, g in enumerate(granted) if g], suspended))
    for i in lapsing:
        statuses[i] = "suspended"
    others = [i for i in range(n) if i not in lapsing]
    chosen = rng.sample(others, withdrawn + drafts)
    for i in chosen[:withdrawn]:
        statuses[i] = "withdrawn"
    for i in chosen[withdrawn:]:
        statuses[i] = "draft"
    return statuses


# --- seeding ----------------------------------------------------------------------------------


def is_empty(app: Marketplace) -> bool:
    """Whether no event has been recorded yet (demo data goes only into an empty marketplace)."""
    return not app.recorder.max_notification_id()


def _password() -> str:
    return secrets.token_urlsafe(12)  # 16 characters, 96 bits


def seed_demo(
    app: Marketplace,
    *,
    listings: int = 300,
    seed: int = 48,
    progress: Callable[[int, int], None] | None = None,
) -> DemoReport:
    """Fill an empty marketplace with demo organisations, accounts, patents and listings.

    Raises ``ConflictError`` (recording nothing) when the marketplace already holds events.
    ``progress(done, listings)`` is called after each patent and its listing are saved.
    """
    if listings < 0:
        raise ValueError("listings must not be negative")
    if not is_empty(app):
        raise ConflictError("demo data goes only into an empty marketplace; this one already has records")
    rng = random.Random(seed)  # noqa: S311 - reproducible demo content; passwords come from ``secrets``
    accounts: list[DemoAccount] = []
    org_ids: dict[str, UUID] = {}
    admins: dict[str, UUID] = {}

    password = _password()
    admin_id = app.bootstrap_platform_admin(email=PLATFORM_ADMIN.email, password=password,
                                            display_name=PLATFORM_ADMIN.display_name,
                                            organisation_name=PLATFORM_ORGANISATION)
    admins[PLATFORM_ORGANISATION] = admin_id
    accounts.append(DemoAccount(PLATFORM_ADMIN.email, password, PLATFORM_ADMIN.display_name, PLATFORM_ORGANISATION,
                                ["member", "platform_admin"]))
    organisations = (*UNIVERSITIES, *INSTITUTES, *ENTERPRISES, *AGENCIES)
    for org in organisations:
        password = _password()
        user, _ = app.sign_up(c.SignUp(email=org.email, password=password, display_name=org.display_name,
                                       organisation_name=org.name, organisation_kind=org.kind, region=org.region))
        admins[org.name] = user
        accounts.append(DemoAccount(org.email, password, org.display_name, org.name, ["member", "org_admin"]))
    for org in organisations:
        org_ids[org.name] = organisation_id(org.name)
        if org.verified:
            app.verify_organisation(c.VerifyOrganisation(organisation_id=org_ids[org.name]), actor_id=admin_id)
    for member in MEMBERS:
        password = _password()
        roles = ["member", member.role]
        app.add_member(c.AddMember(email=member.email, password=password, display_name=member.display_name,
                                   roles=roles), actor_id=admins[member.organisation])
        accounts.append(DemoAccount(member.email, password, member.display_name, member.organisation, roles))

    generator = _Generator(rng, org_ids)
    drawn = [generator.patent() for _ in range(listings)]
    statuses = _status_plan(rng, [p.legal_status == "granted" for p, _, _ in drawn])
    published = 0
    for done, ((patent, lister, field), status) in enumerate(zip(drawn, statuses, strict=True), 1):
        actor = admins[lister.name]
        patent_id, _ = app.register_patent(patent, actor_id=actor)
        listing_id, _ = app.draft_listing(generator.listing(patent_id, patent, field), actor_id=actor)
        if status != "draft":
            app.publish_listing(c.PublishListing(listing_id=listing_id), actor_id=actor)
        if status == "withdrawn":
            app.withdraw_listing(c.WithdrawListing(listing_id=listing_id, reason=rng.choice(WITHDRAW_REASONS)),
                                 actor_id=actor)
        elif status == "suspended":
            assert patent.grant_date is not None
            lapsed = min(AS_OF, patent.grant_date + timedelta(days=rng.randint(365, 1500)))
            app.change_legal_status(c.ChangeLegalStatus(patent_id=patent_id, legal_status="lapsed",
                                                        effective_date=lapsed, reason="未缴年费，专利权终止"),
                                    actor_id=admin_id)
        elif status == "published":
            published += 1
        if progress is not None:
            progress(done, listings)
    return DemoReport(accounts=accounts, organisations=len(organisations) + 1, patents=listings, listings=listings,
                      published=published)
