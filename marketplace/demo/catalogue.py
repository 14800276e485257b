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

from domain.catalogue.patent_numbers import cn_check_character
from domain.shared.errors import ConflictError
from domain.shared.ids import organisation_id
from marketplace.accounts import commands as ac
from marketplace.catalogue import commands as cc
from marketplace.catalogue.commands import ConfirmCoOwnership
from marketplace.demo.deals import DemoListing, seed_demo_deals
from marketplace.platform.application import Marketplace

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
AS_OF = date(2025, 12, 31)


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
    """A thing a patent can be about, with its IPC codes and its main technical feature.

    ``en`` carries its article when countable ("a separator"); the feature's English is a clause.
    """

    zh: str
    en: str
    ipc: tuple[str, ...] = ()
    feature: Pair = ("", "")


class TechnicalField(NamedTuple):
    """Vocabulary of one technical field; every IPC code is in the 2020 IPC scheme."""

    key: str
    name: Pair
    materials: tuple[Subject, ...]  # products and substances: "一种…的制备方法"
    processes: tuple[Subject, ...]  # methods, English as "Method for <gerund phrase>"
    devices: tuple[Subject, ...]  # apparatus: inventions and utility models
    designs: tuple[Subject, ...]  # products of design patents (no IPC)
    qualifiers: tuple[Pair, ...]
    effects: tuple[Pair, ...]  # advantages; English as a verb phrase ("reduces cost")
    uses: tuple[Pair, ...]
    keywords: tuple[Pair, ...]


S = Subject
TECHNICAL_FIELDS: tuple[TechnicalField, ...] = (
    TechnicalField(
        key="battery", name=("新能源/电池", "New energy and batteries"),
        materials=(
            S("锂电池隔膜", "a lithium battery separator", ("H01M 2/14", "H01M 2/16"),
              ("在聚乙烯基膜表面涂覆勃姆石陶瓷涂层",
               "a boehmite ceramic coating is applied to a polyethylene base film")),
            S("高镍三元正极材料", "a high-nickel ternary cathode material", ("H01M 4/131", "H01M 10/0525"),
              ("前驱体与锂源混合后在氧气气氛中两段烧结，再经表面包覆处理",
               "the precursor is mixed with a lithium source, sintered in two stages under oxygen and surface-coated")),
            S("钠离子电池正极材料", "a sodium-ion battery cathode material", ("H01M 4/136", "H01M 4/58"),
              ("以普鲁士白为主体并掺杂过渡金属离子", "Prussian white is doped with transition-metal ions")),
            S("硫化物固态电解质", "a sulfide solid electrolyte", ("H01M 10/0562",),
              ("通过液相法合成并掺入卤素元素",
               "the electrolyte is synthesised in the liquid phase and doped with halogens")),
            S("硅碳负极材料", "a silicon-carbon anode material", ("H01M 4/134", "H01M 10/0525"),
              ("将纳米硅嵌入多孔碳骨架并包覆热解碳",
               "nano-silicon is embedded in a porous carbon framework and coated with pyrolytic carbon")),
            S("锂离子电池电解液添加剂", "a lithium-ion battery electrolyte additive", ("H01M 10/0567",),
              ("添加剂含有能在正负极表面成膜的含硼化合物",
               "the additive contains a boron compound that forms films on both electrodes")),
        ),
        processes=(
            S("锂电池荷电状态估计", "estimating the state of charge of lithium batteries",
              ("G01R 31/367", "G01R 31/382"),
              ("通过电压、电流和温度多参数融合在线估计荷电状态",
               "the state of charge is estimated on line by fusing voltage, current and temperature")),
            S("退役动力电池梯次利用筛选", "screening retired traction batteries for second-life use",
              ("H01M 10/42", "G01R 31/382"),
              ("依据交流阻抗谱和容量衰减特征对电池聚类分组",
               "batteries are clustered by impedance spectra and capacity fade")),
        ),
        devices=(
            S("动力电池包液冷板", "a liquid cooling plate for a power battery pack", ("H01M 10/613", "H01M 10/625"),
              ("冷却液流道采用仿生分形布置", "the coolant channels follow a bionic fractal layout")),
            S("电池管理系统", "a battery management system", ("H01M 10/42", "H01M 10/48"),
              ("主控单元与从控单元通过菊花链通信并实现主动均衡",
               "master and slave units communicate by daisy chain and balance the cells actively")),
            S("储能电池快速充电装置", "a fast charging device for energy storage batteries",
              ("H02J 7/00", "H01M 10/44"),
              ("根据电池温度分段调整充电电流",
               "the charging current is adjusted in stages according to battery temperature")),
            S("光储一体化储能变流装置", "a photovoltaic energy storage converter", ("H02J 3/32",),
              ("双向DC/DC变换器与逆变器共用直流母线",
               "a bidirectional DC/DC converter and the inverter share one DC bus")),
        ),
        designs=(S("储能电池柜", "an energy storage battery cabinet"), S("便携式电源", "a portable power station")),
        qualifiers=(("高安全性", "high-safety"), ("长循环寿命", "long-cycle-life"), ("耐高温", "heat-resistant"),
                    ("低成本", "low-cost")),
        effects=(
            ("显著提高了电池的循环寿命", "significantly extends the cycle life of the battery"),
            ("降低了热失控风险", "reduces the risk of thermal runaway"),
            ("提高了能量密度", "increases the energy density"),
            ("便于规模化生产和应用", "is easy to scale up and apply"),
        ),
        uses=(("新能源汽车", "new energy vehicles"), ("电化学储能电站", "grid-scale energy storage"),
              ("消费电子产品", "consumer electronics"), ("电动两轮车", "electric two-wheelers")),
        keywords=(("锂离子电池", "lithium-ion battery"), ("储能", "energy storage"), ("正极材料", "cathode material"),
                  ("隔膜", "separator"), ("电池安全", "battery safety"), ("固态电池", "solid-state battery")),
    ),
    TechnicalField(
        key="marine", name=("海洋生物", "Marine biotechnology"),
        materials=(
            S("海藻多糖", "seaweed polysaccharide", ("C12P 19/04", "A23L 17/60"),
              ("以海带为原料，经酶解、超滤和喷雾干燥制得",
               "kelp is enzymatically hydrolysed, ultrafiltered and spray-dried")),
            S("鲍鱼内脏胶原蛋白肽", "a collagen peptide from abalone viscera", ("C07K 14/435", "A61K 35/618"),
              ("以鲍鱼加工副产物为原料，经复合酶分步酶解和脱腥处理",
               "abalone by-products are hydrolysed stepwise by compound enzymes and deodorised")),
            S("南极磷虾油", "Antarctic krill oil", ("A61K 35/612", "A23L 17/00"),
              ("采用亚临界萃取并经分子蒸馏精制",
               "the oil is obtained by subcritical extraction and refined by molecular distillation")),
            S("海洋微藻DHA油脂", "microalgal DHA oil", ("C12P 7/64", "C12N 1/12"),
              ("以裂殖壶菌为生产菌株进行补料分批发酵", "Schizochytrium is grown by fed-batch fermentation")),
            S("大黄鱼鱼糜制品", "a large yellow croaker surimi product", ("A23L 17/00",),
              ("鱼糜经低温斩拌并添加海藻酸钠凝胶增强剂",
               "the surimi is chopped at low temperature with a sodium alginate gel enhancer")),
        ),
        processes=(
            S("海洋芽孢杆菌高密度发酵", "high-density fermentation of marine Bacillus", ("C12N 1/20",),
              ("以糖蜜为碳源并分阶段控制溶氧", "molasses serves as the carbon source and dissolved oxygen is staged")),
            S("紫菜中重金属脱除", "removing heavy metals from laver", ("A23L 17/60",),
              ("采用螯合剂溶液循环浸洗并超声辅助", "chelating solutions are circulated with ultrasonic assistance")),
        ),
        devices=(
            S("大黄鱼深远海养殖网箱", "a deep-sea cage for large yellow croaker farming", ("A01K 61/60",),
              ("网箱采用抗风浪框架与自动投喂系统", "the cage has a wave-resistant frame and automatic feeding")),
            S("海参育苗循环水装置", "a recirculating water device for sea cucumber hatcheries", ("A01K 61/00",),
              ("设有微滤、蛋白分离和紫外消毒的循环处理单元",
               "a recirculation unit provides microfiltration, protein skimming and UV disinfection")),
        ),
        designs=(S("养殖网箱浮球", "a float for fish cages"), S("海产品包装盒", "a seafood packaging box")),
        qualifiers=(("高纯度", "high-purity"), ("低分子量", "low-molecular-weight"), ("高活性", "highly active")),
        effects=(
            ("提高了产物得率和生物活性", "increases product yield and bioactivity"),
            ("实现了水产资源的高值化利用", "makes high-value use of aquatic resources"),
            ("提高了养殖和加工效率", "improves farming and processing efficiency"),
        ),
        uses=(("功能食品", "functional foods"), ("海水养殖", "mariculture"), ("化妆品", "cosmetics"),
              ("水产饲料", "aquafeed")),
        keywords=(("海洋生物", "marine biology"), ("多糖", "polysaccharide"), ("胶原蛋白肽", "collagen peptide"),
                  ("大黄鱼", "large yellow croaker"), ("水产养殖", "aquaculture")),
    ),
    TechnicalField(
        key="tea", name=("茶叶加工", "Tea processing"),
        materials=(
            S("白茶", "white tea", ("A23F 3/06",),
              ("鲜叶采用日光与室内复式萎凋，再经低温烘干",
               "fresh leaves are withered in sunlight and indoors, then dried at low temperature")),
            S("乌龙茶", "oolong tea", ("A23F 3/06", "A23F 3/08"),
              ("做青阶段分次摇青并控制环境温湿度",
               "the leaves are shaken several times at controlled temperature and humidity")),
            S("速溶茶粉", "instant tea powder", ("A23F 3/16",),
              ("茶汤经膜浓缩后冷冻干燥", "the tea liquor is membrane-concentrated and freeze-dried")),
            S("茉莉花茶", "jasmine tea", ("A23F 3/14", "A23F 3/40"),
              ("茶坯与鲜花分层窨制并连续通气",
               "tea base and fresh flowers are scented in layers with continuous aeration")),
            S("茶多酚提取物", "a tea polyphenol extract", ("A23F 3/16",),
              ("采用乙醇梯度洗脱与大孔树脂纯化",
               "ethanol gradient elution and macroporous-resin purification are used")),
        ),
        processes=(
            S("白茶萎凋过程智能控制", "controlling the withering of white tea", ("A23F 3/06",),
              ("根据鲜叶含水率实时调节风温和风量", "air temperature and flow follow the leaf moisture in real time")),
            S("茶叶中农药残留降解", "degrading pesticide residues in tea", ("A23F 3/06",),
              ("利用臭氧水与超声协同处理鲜叶", "fresh leaves are treated with ozonated water and ultrasound")),
        ),
        devices=(
            S("茶叶揉捻机", "a tea rolling machine", ("A23F 3/06",),
              ("揉盘设有可调压力的气动加压机构", "the rolling table has a pneumatic press with adjustable pressure")),
            S("乌龙茶摇青机", "a green-shaking machine for oolong tea", ("A23F 3/08",),
              ("滚筒转速与正反转周期由控制器调节", "the controller sets the drum speed and reversing cycle")),
            S("茶叶烘焙提香机", "a tea roasting machine", ("A23N 12/08", "A23F 3/06"),
              ("采用远红外加热和分层烘焙抽屉", "far-infrared heating and layered roasting drawers are used")),
        ),
        designs=(S("茶叶包装罐", "a tea caddy"), S("功夫茶盘", "a gongfu tea tray")),
        qualifiers=(("低咖啡因", "low-caffeine"), ("高香型", "aromatic"), ("富硒", "selenium-rich")),
        effects=(
            ("提升了茶叶的香气和滋味", "improves the aroma and taste of the tea"),
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
            S("石墨烯", "graphene", ("C01B 32/184", "C01B 32/182"),
              ("以天然石墨为原料，经插层、剥离和还原处理", "natural graphite is intercalated, exfoliated and reduced")),
            S("石墨烯导热膜", "a graphene thermal film", ("C01B 32/194",),
              ("氧化石墨烯膜经高温石墨化和辊压致密化",
               "graphene oxide films are graphitised at high temperature and calendered")),
            S("石墨烯改性环氧树脂复合材料", "a graphene-modified epoxy composite", ("C08L 63/00", "C08K 3/04"),
              ("改性石墨烯经三辊研磨分散于环氧树脂后固化",
               "modified graphene is dispersed in epoxy resin by three-roll milling and cured")),
            S("石墨烯导电涂料", "a graphene conductive coating", ("C09D 5/24", "C01B 32/182"),
              ("以石墨烯与导电炭黑复配作为导电填料",
               "graphene and conductive carbon black form the conductive filler")),
            S("碳纳米管增强铝基复合材料", "a carbon nanotube reinforced aluminium composite",
              ("C22C 1/10", "B82Y 30/00"),
              ("碳纳米管经球磨分散后与铝粉放电等离子烧结",
               "carbon nanotubes are ball-milled with aluminium powder and spark-plasma sintered")),
        ),
        processes=(
            S("石墨烯粉体规模化剥离", "exfoliating graphene powder at scale", ("C01B 32/184",),
              ("采用高剪切流体连续剥离并离心分级",
               "high-shear fluid exfoliation runs continuously with centrifugal grading")),
        ),
        devices=(
            S("石墨烯薄膜连续制备装置", "an apparatus for continuously producing graphene films", ("C01B 32/184",),
              ("卷对卷基底输送与化学气相沉积腔室联动",
               "roll-to-roll substrate transport is synchronised with a CVD chamber")),
            S("导热膜辊压设备", "a calendering device for thermal films", ("C01B 32/194",),
              ("上下辊间隙和温度闭环控制", "roll gap and temperature are under closed-loop control")),
        ),
        designs=(S("石墨烯发热片", "a graphene heating pad"),),
        qualifiers=(("高导热", "highly thermally conductive"), ("柔性", "flexible"), ("少层", "few-layer")),
        effects=(
            ("提高了材料的导热和导电性能", "improves thermal and electrical conductivity"),
            ("产品一致性好", "gives consistent product quality"),
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
            S("LED荧光粉", "an LED phosphor", ("C09K 11/77", "H01L 33/50"),
              ("采用稀土离子掺杂的氮化物基质", "a nitride host is doped with rare-earth ions")),
            S("有机发光材料", "an organic luminescent material", ("C09K 11/06",),
              ("分子具有热活化延迟荧光特性的给体—受体结构",
               "the molecule has a donor–acceptor structure with thermally activated delayed fluorescence")),
            S("钙钛矿太阳能电池", "a perovskite solar cell", ("H01L 31/18",),
              ("通过界面钝化层抑制非辐射复合",
               "an interface passivation layer suppresses non-radiative recombination")),
            S("氮化镓基发光二极管外延片", "a GaN-based LED epitaxial wafer", ("H01L 33/00",),
              ("在多量子阱与电子阻挡层之间插入应力调控层",
               "a strain-control layer lies between the quantum wells and the electron-blocking layer")),
            S("半导体激光器芯片", "a semiconductor laser chip", ("H01S 5/00",),
              ("采用非对称波导与腔面钝化", "an asymmetric waveguide and facet passivation are used")),
        ),
        processes=(
            S("Micro-LED巨量转移", "mass transfer of micro-LEDs", ("H01L 33/00", "H01L 25/00"),
              ("利用激光选择性剥离和弹性印章批量转移",
               "selective laser lift-off and an elastic stamp transfer the chips in bulk")),
        ),
        devices=(
            S("LED灯具散热结构", "a heat dissipation structure for LED lamps", ("F21V 29/70", "H01L 33/64"),
              ("散热鳍片与灯壳一体成型", "the cooling fins are formed in one piece with the housing")),
            S("植物生长LED光源", "an LED light source for plant growth", ("F21K 9/00",),
              ("红光、蓝光与远红光芯片按比例可调", "red, blue and far-red chips are mixed in adjustable ratios")),
        ),
        designs=(S("LED路灯", "an LED street lamp"), S("护眼台灯", "an eye-care desk lamp")),
        qualifiers=(("高显色", "high-colour-rendering"), ("窄带发射", "narrow-band"), ("高效率", "high-efficiency")),
        effects=(
            ("提高了光电转换效率", "raises conversion efficiency"),
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
            S("工业机器人轨迹规划", "planning industrial robot trajectories", ("B25J 9/16",),
              ("以时间—能耗最优为目标生成关节空间轨迹", "joint-space trajectories are optimised for time and energy")),
            S("焊缝视觉跟踪", "visually tracking weld seams", ("B23K 9/127", "G06T 7/00"),
              ("利用线结构光相机实时提取焊缝特征点并修正路径",
               "a line-laser camera extracts seam points and corrects the path in real time")),
            S("柔性产线调度", "scheduling flexible production lines", ("G05B 19/418",),
              ("以数字孪生模型预测设备状态并优化排产",
               "a digital twin predicts machine states and optimises the schedule")),
            S("机床刀具磨损在线监测", "monitoring machine-tool wear on line", ("B23Q 17/09",),
              ("融合主轴电流和振动信号识别磨损状态", "spindle current and vibration are fused to classify wear")),
        ),
        devices=(
            S("协作机器人柔性夹爪", "a flexible gripper for collaborative robots", ("B25J 15/00",),
              ("指部采用气动软体结构并内置触觉传感器",
               "the fingers are soft pneumatic actuators with tactile sensors")),
            S("六轴机器人力觉传感装置", "a force sensing device for six-axis robots", ("B25J 19/02",),
              ("弹性体上布置应变片构成六维力传感器", "strain gauges on an elastic body form a six-axis force sensor")),
            S("物料分拣机械手", "a material sorting manipulator", ("B65G 47/90", "B25J 11/00"),
              ("视觉识别工位与真空吸盘协同工作", "a vision station works with vacuum suction cups")),
            S("焊接变位机", "a welding positioner", ("B23K 37/00",),
              ("双轴回转台由伺服电机驱动并与焊接机器人联动",
               "a servo-driven two-axis turntable moves in step with the welding robot")),
            S("视觉定位检测工装", "a vision-based positioning fixture", ("B23Q 17/24",),
              ("工装设有基准靶标和快换定位销", "the fixture carries reference targets and quick-change locating pins")),
        ),
        designs=(S("工业机器人", "an industrial robot"), S("AGV搬运车", "an AGV transport vehicle")),
        qualifiers=(("高精度", "high-precision"), ("轻量化", "lightweight")),
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
            S("灵芝孢子多糖提取物", "a Ganoderma spore polysaccharide extract", ("A61K 36/074",),
              ("孢子经破壁后采用超临界萃取和大孔树脂纯化",
               "broken spores are extracted supercritically and purified on macroporous resin")),
            S("抗肿瘤化合物", "an antitumour compound", ("A61K 31/00", "A61P 35/00"),
              ("化合物以喹唑啉为母核，其活性经细胞和动物实验验证",
               "the compound has a quinazoline core and is active in cell and animal models")),
            S("降血糖中药组合物", "a hypoglycaemic herbal composition", ("A61K 36/00", "A61P 3/10"),
              ("由黄芪、葛根和桑叶等按比例组成", "it combines astragalus, kudzu root and mulberry leaf in set ratios")),
            S("缓释微球制剂", "a sustained-release microsphere formulation", ("A61K 9/00",),
              ("以PLGA为载体经微流控制备粒径均一的微球", "uniform PLGA microspheres are made by microfluidics")),
            S("冬虫夏草菌丝体提取物", "a Cordyceps mycelium extract", ("A61K 36/068",),
              ("菌丝体经液体深层发酵后提取", "the mycelium is grown by submerged fermentation and extracted")),
            S("竹叶黄酮抗菌组合物", "an antibacterial bamboo-leaf flavonoid composition", ("A61K 36/899", "A61P 31/04"),
              ("竹叶黄酮与壳聚糖复配增强抑菌活性",
               "bamboo-leaf flavonoids are combined with chitosan to boost antibacterial activity")),
        ),
        processes=(
            S("中药指纹图谱质量控制", "quality control of herbal medicines by fingerprinting", ("G01N 33/00",),
              ("建立HPLC指纹图谱并结合化学计量学评价", "HPLC fingerprints are evaluated by chemometrics")),
        ),
        devices=(
            S("自动配药装置", "an automatic drug dispensing device", ("A61J 3/00",),
              ("机械臂按处方自动抓取、称量并复核药品",
               "a robot arm picks, weighs and double-checks drugs according to the prescription")),
            S("预灌封注射装置", "a prefilled injection device", ("A61M 5/00",),
              ("设有防针刺安全护套和剂量锁定机构", "it has a needle-stick safety sleeve and a dose lock")),
        ),
        designs=(S("药品包装盒", "a medicine box"),),
        qualifiers=(("高生物利用度", "highly bioavailable"), ("低毒", "low-toxicity")),
        effects=(
            ("提高了疗效", "improves efficacy"),
            ("提高了用药安全性", "improves medication safety"),
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
            S("水稻抗稻瘟病分子标记辅助育种", "breeding blast-resistant rice with molecular markers",
              ("A01H 1/04", "C12Q 1/6895"),
              ("利用与抗性基因紧密连锁的分子标记进行早代筛选",
               "markers tightly linked to resistance genes are used for early-generation selection")),
            S("茶树组织培养快速繁殖", "rapidly propagating tea plants by tissue culture", ("A01H 4/00",),
              ("优化外植体消毒和增殖培养基配方", "explant sterilisation and the multiplication medium are optimised")),
            S("番茄耐热品种选育", "selecting heat-tolerant tomato varieties", ("A01H 1/04", "A01H 6/82"),
              ("在高温胁迫下以花粉活力和坐果率为指标筛选",
               "lines are selected by pollen viability and fruit set under heat stress")),
            S("甘薯脱毒种苗繁育", "propagating virus-free sweet potato seedlings", ("A01H 4/00", "A01G 22/00"),
              ("茎尖剥离结合热处理脱除病毒", "shoot-tip culture with heat treatment eliminates viruses")),
            S("利用基因编辑创制高产水稻种质", "creating high-yield rice germplasm by gene editing",
              ("C12N 15/82", "A01H 6/46"),
              ("利用CRISPR/Cas9定点敲除产量负调控基因", "CRISPR/Cas9 knocks out a negative regulator of yield")),
            S("杂交水稻制种", "producing hybrid rice seed", ("A01H 1/00", "A01H 5/10"),
              ("调控父母本花期并以无人机辅助授粉",
               "the flowering of both parents is synchronised and drones assist pollination")),
        ),
        devices=(
            S("种子活力快速检测装置", "a rapid seed vigour testing device", ("A01C 1/00",),
              ("通过电导率与图像分析快速判断种子活力", "conductivity and image analysis rate seed vigour quickly")),
            S("智能育苗温室", "an intelligent seedling greenhouse", ("A01G 9/14",),
              ("温湿度和补光由物联网控制系统自动调节",
               "an IoT controller adjusts temperature, humidity and supplementary light")),
        ),
        designs=(S("育苗穴盘", "a seedling tray"),),
        qualifiers=(),
        effects=(
            ("缩短了育种周期", "shortens the breeding cycle"),
            ("提高了抗病性和产量", "improves disease resistance and yield"),
            ("提高了种苗质量", "improves seedling quality"),
        ),
        uses=(("种业企业", "seed companies"), ("家庭农场", "family farms"), ("农业技术推广", "agricultural extension")),
        keywords=(("水稻", "rice"), ("分子育种", "molecular breeding"), ("组织培养", "tissue culture"),
                  ("种质创新", "germplasm innovation")),
    ),
    TechnicalField(
        key="water", name=("环保水处理", "Environmental protection and water treatment"),
        materials=(
            S("重金属吸附材料", "a heavy-metal adsorbent", ("C02F 1/28", "C02F 101/20"),
              ("以改性生物炭负载纳米零价铁作为吸附位点",
               "nano zero-valent iron on modified biochar provides the sorption sites")),
            S("二氧化钛光催化剂", "a titanium dioxide photocatalyst", ("B01J 21/06",),
              ("二氧化钛经氮掺杂并负载于多孔载体", "nitrogen-doped titanium dioxide is supported on a porous carrier")),
            S("反渗透复合膜", "a reverse osmosis composite membrane", ("C02F 1/44",),
              ("聚酰胺分离层中引入亲水纳米粒子", "hydrophilic nanoparticles are built into the polyamide layer")),
        ),
        processes=(
            S("垃圾渗滤液深度处理", "advanced treatment of landfill leachate", ("C02F 9/00",),
              ("采用厌氧—好氧—膜分离组合工艺", "an anaerobic–aerobic–membrane combined process is used")),
            S("高浓度有机废水厌氧处理", "anaerobic treatment of high-strength organic wastewater", ("C02F 3/28",),
              ("采用内循环厌氧反应器并控制上升流速",
               "an internal-circulation anaerobic reactor runs at a controlled upflow velocity")),
            S("芬顿氧化处理印染废水", "treating dyeing wastewater by Fenton oxidation", ("C02F 1/72",),
              ("以铁基非均相催化剂替代亚铁盐", "an iron-based heterogeneous catalyst replaces ferrous salts")),
        ),
        devices=(
            S("一体化污水处理设备", "an integrated sewage treatment unit", ("C02F 9/00",),
              ("箱体内集成缺氧池、好氧池和MBR膜组件", "anoxic and aerobic tanks and MBR modules share one housing")),
            S("工业废气净化装置", "an industrial exhaust gas purification device", ("B01D 53/00",),
              ("喷淋洗涤与活性炭吸附两级处理", "spray scrubbing is followed by activated-carbon adsorption")),
        ),
        designs=(S("净水器", "a water purifier"),),
        qualifiers=(("可再生", "regenerable"), ("高通量", "high-flux")),
        effects=(
            ("出水稳定达到一级A排放标准", "meets the Grade 1A discharge standard reliably"),
            ("降低了运行成本", "lowers operating costs"),
            ("减少了二次污染", "limits secondary pollution"),
        ),
        uses=(("市政污水处理", "municipal wastewater treatment"), ("工业园区废水", "industrial park effluent"),
              ("农村分散污水", "decentralised rural sewage")),
        keywords=(("水处理", "water treatment"), ("重金属", "heavy metals"), ("膜分离", "membrane separation"),
                  ("光催化", "photocatalysis")),
    ),
    TechnicalField(
        key="ic", name=("集成电路", "Integrated circuits"),
        materials=(
            S("碳化硅MOSFET器件", "a silicon carbide MOSFET device", ("H01L 29/78", "H01L 29/16"),
              ("栅极采用沟槽结构并在底部设置屏蔽层", "a trench gate has a shielding layer at its bottom")),
            S("氮化镓功率器件", "a gallium nitride power device", ("H01L 29/78",),
              ("采用p型氮化镓栅极实现增强型工作", "a p-GaN gate gives enhancement-mode operation")),
        ),
        processes=(
            S("晶圆级封装", "wafer-level packaging", ("H01L 21/56",),
              ("利用重布线层实现扇出型互连", "a redistribution layer provides fan-out interconnection")),
            S("铜互连结构制作", "fabricating copper interconnect structures", ("H01L 21/768",),
              ("采用自对准阻挡层和电镀填充", "a self-aligned barrier and electroplated fill are used")),
            S("芯片表面缺陷检测", "detecting chip surface defects", ("H01L 21/67", "G06T 7/00"),
              ("以深度学习模型对显微图像进行缺陷分类",
               "a deep-learning model classifies defects in microscope images")),
        ),
        devices=(
            S("芯片封装散热结构", "a heat dissipation structure for chip packages", ("H01L 23/00",),
              ("芯片背面通过烧结银连接均热板", "the die back is silver-sintered to a vapour chamber")),
            S("晶圆传送装置", "a wafer transfer device", ("H01L 21/67",),
              ("机械手末端设有真空吸附和晶圆偏移检测",
               "the end effector has vacuum holding and wafer offset detection")),
            S("多芯片功率模组", "a multi-chip power module", ("H01L 25/00",),
              ("采用双面散热的叠层母排结构", "a laminated busbar allows double-sided cooling")),
        ),
        designs=(S("芯片测试座", "a chip test socket"),),
        qualifiers=(("低导通电阻", "low-on-resistance"), ("高可靠性", "high-reliability")),
        effects=(
            ("降低了损耗", "reduces losses"),
            ("提高了良率", "raises yield"),
            ("提高了可靠性", "improves reliability"),
        ),
        uses=(("新能源汽车电驱", "electric vehicle drives"), ("光伏逆变器", "solar inverters"),
              ("消费电子芯片", "consumer electronics chips")),
        keywords=(("碳化硅", "silicon carbide"), ("功率器件", "power device"), ("先进封装", "advanced packaging"),
                  ("半导体", "semiconductor")),
    ),
    TechnicalField(
        key="food", name=("食品", "Food"),
        materials=(
            S("低糖芋泥", "low-sugar taro paste", ("A23L 19/00",),
              ("以槟榔芋为原料，采用复合酶解抑制淀粉回生", "compound enzymes limit starch retrogradation in the taro")),
            S("百香果复合果汁饮料", "a passion fruit mixed juice drink", ("A23L 2/02",),
              ("果汁经低温真空浓缩并复配益生元",
               "the juice is vacuum-concentrated at low temperature with prebiotics")),
            S("红曲米发酵食品", "a fermented red yeast rice food", ("A23L 7/10",),
              ("以优选红曲霉菌株进行固态发酵", "a selected Monascus strain ferments the rice in the solid state")),
            S("速冻鱼丸", "quick-frozen fish balls", ("A23L 17/00", "A23B 4/06"),
              ("鱼糜经分段升温凝胶化后液氮速冻",
               "the surimi gels by stepwise heating and is frozen in liquid nitrogen")),
            S("燕麦全麦面包", "a whole-grain oat bread", ("A21D 13/00",),
              ("全麦粉经发芽处理并以酸面团发酵", "sprouted whole-grain flour is leavened with sourdough")),
            S("植物源天然抗氧化剂", "a natural plant-derived antioxidant", ("A23L 33/105",),
              ("从橄榄叶中提取多酚并微胶囊化", "olive-leaf polyphenols are extracted and microencapsulated")),
        ),
        processes=(
            S("食品中黄曲霉毒素降解", "degrading aflatoxin in food", ("A23L 5/20",),
              ("利用降解酶与低温等离子体协同处理", "degrading enzymes and cold plasma act together")),
        ),
        devices=(
            S("果蔬清洗消毒装置", "a fruit and vegetable washing and disinfecting device", ("A23N 12/02",),
              ("采用气泡冲浪与微酸性电解水消毒",
               "bubble agitation and slightly acidic electrolysed water clean and disinfect the produce")),
            S("食品速冻隧道", "a quick-freezing tunnel for food", ("A23B 4/06",),
              ("隧道内设置冲击式气流和变频输送带",
               "impingement airflow and a variable-speed belt run through the tunnel")),
        ),
        designs=(S("食品包装盒", "a food packaging box"), S("饮料瓶", "a beverage bottle")),
        qualifiers=(("低脂", "low-fat"), ("高膳食纤维", "high-fibre"), ("即食", "ready-to-eat")),
        effects=(
            ("保留了原料的营养和风味", "retains the nutrients and flavour of the raw material"),
            ("延长了货架期", "extends shelf life"),
            ("提高了食品安全水平", "improves food safety"),
        ),
        uses=(("休闲食品", "snack foods"), ("餐饮连锁", "restaurant chains"),
              ("特医食品", "foods for special medical purposes")),
        keywords=(("食品加工", "food processing"), ("发酵", "fermentation"), ("果汁", "fruit juice"),
                  ("保鲜", "preservation")),
    ),
    TechnicalField(
        key="construction", name=("建筑", "Building and construction"),
        materials=(
            S("再生骨料混凝土", "recycled aggregate concrete", ("C04B 28/04", "C04B 18/04"),
              ("以强化处理的建筑垃圾再生骨料替代部分天然骨料",
               "treated recycled aggregate from demolition waste replaces part of the natural aggregate")),
            S("超高性能混凝土", "ultra-high-performance concrete", ("C04B 28/00",),
              ("采用钢纤维增强并优化颗粒级配", "steel fibres and an optimised particle grading are used")),
            S("地聚合物砂浆", "a geopolymer mortar", ("C04B 28/00", "C04B 111/20"),
              ("以矿渣和粉煤灰为前驱体经碱激发", "slag and fly ash are alkali-activated")),
        ),
        processes=(
            S("装配式建筑快速施工", "rapidly constructing prefabricated buildings", ("E04B 1/00", "E04G 21/00"),
              ("预制构件采用灌浆套筒连接并按BIM模型吊装",
               "prefabricated members are joined by grouted sleeves and hoisted following a BIM model")),
            S("既有建筑结构加固", "strengthening existing building structures", ("E04G 23/02",),
              ("在构件表面粘贴碳纤维布并喷涂防护层", "carbon-fibre sheets are bonded to the members and coated")),
        ),
        devices=(
            S("装配式钢结构梁柱节点", "a beam-column joint for prefabricated steel structures", ("E04B 1/38",),
              ("节点采用螺栓连接并设置耗能构件", "the joint is bolted and has an energy-dissipating element")),
            S("建筑隔震支座", "a seismic isolation bearing for buildings", ("E04B 1/98",),
              ("叠层橡胶与铅芯组合形成隔震层", "laminated rubber with a lead core forms the isolation layer")),
            S("外墙保温装饰一体板", "an integrated insulating and decorative wall panel", ("E04F 13/00",),
              ("保温芯材与装饰面层在工厂复合成型",
               "the insulation core and decorative face are bonded in the factory")),
        ),
        designs=(S("建筑外墙装饰板", "a decorative facade panel"),),
        qualifiers=(("高强", "high-strength"), ("低碳", "low-carbon"), ("耐海洋腐蚀", "marine-corrosion-resistant")),
        effects=(
            ("提高了结构安全性", "improves structural safety"),
            ("缩短了施工工期", "shortens construction time"),
            ("减少了碳排放", "reduces carbon emissions"),
        ),
        uses=(("装配式住宅", "prefabricated housing"), ("桥梁工程", "bridge engineering"),
              ("沿海建筑", "coastal buildings")),
        keywords=(("混凝土", "concrete"), ("装配式建筑", "prefabricated building"), ("抗震", "seismic resistance"),
                  ("绿色建材", "green building materials")),
    ),
)
del S
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
            block = 4 + (published.year - 2015) * 3 // 2  # CN1 04… in 2015 to CN1 19… in 2025, roughly as CNIPA
            serial = f"{type_digit}{block:02d}{self.rng.randint(0, 999999):06d}"
            if serial not in self.publication_serials:
                self.publication_serials.add(serial)
                return f"CN{serial}{kind}"

    def day_in(self, year: int) -> date:
        return date(year, 1, 1) + timedelta(days=self.rng.randrange(365))

    # people -----------------------------------------------------------------------------------
    def inventors(self) -> list[cc.InventorShare]:
        count = self.rng.choice((2, 2, 3, 3, 3, 4, 4, 5))
        names: list[str] = []
        while len(names) < count:
            given = "".join(self.rng.sample(GIVEN, self.rng.choice((1, 2, 2))))
            name = self.rng.choice(SURNAMES) + given
            if name not in names:
                names.append(name)
        if self.rng.random() < 0.5:
            split = self.rng.choice(INVENTOR_SPLITS[count])
            return [cc.InventorShare(name=n, share=float(s)) for n, s in zip(names, split, strict=True)]
        return [cc.InventorShare(name=n) for n in names]

    def funding(self, filing_year: int) -> cc.FundingInput | None:
        if self.rng.random() >= 0.33:
            return None
        programme, reference = self.rng.choice(FUNDING_PROGRAMMES)
        start = filing_year - self.rng.randint(0, 2)
        return cc.FundingInput(programme=programme, project_reference=reference(self.rng, start),
                               end_date=date(start + self.rng.choice((3, 4, 5)), 12, 31))

    def owner_shares(self, lister: _Org, field: str) -> list[cc.OwnerShare]:
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
            return [cc.OwnerShare(organisation_id=self.org_ids[lister.name], share=100.0)]
        major, minor = self.rng.choice(CO_OWNER_SPLITS)
        return [cc.OwnerShare(organisation_id=self.org_ids[lister.name], share=major),
                cc.OwnerShare(organisation_id=self.org_ids[partner.name], share=minor)]

    # texts ------------------------------------------------------------------------------------
    def texts(self, field: TechnicalField, patent_type: str) -> tuple[Pair, Pair, tuple[str, ...]]:
        """(title zh/en, abstract zh/en, IPC codes) for a patent of ``patent_type`` in ``field``."""
        r = self.rng
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
                f"本实用新型公开了{title[0]}，{s.feature[0]}。本实用新型结构简单，{e1_zh}，适用于{u1_zh}。",
                f"The utility model discloses {_noun(s.en)}. {_cap(s.feature[1])}. "
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
            f"本发明公开了{title[0]}，其主要技术特征在于{s.feature[0]}。本发明{e1_zh}，{e2_zh}，"
            f"可用于{u1_zh}和{u2_zh}等领域。",
            f"The invention discloses {core_en}. Its main technical feature is that {s.feature[1]}. "
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
    def patent(self) -> tuple[cc.RegisterPatent, _Org, TechnicalField]:
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
            elif granted > AS_OF or (year >= 2020 and r.random() < 0.15):
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
        publication_number = self.publication_number(published, type_digit, kind_code) if published else None
        if r.random() < 0.05:
            publication_number = None  # some owners enter only the application number
        command = cc.RegisterPatent(
            application_number=self.application_number(year, type_digit),
            publication_number=publication_number,
            patent_type=patent_type, title_zh=title_zh, title_en=title_en, abstract_zh=abstract_zh,
            abstract_en=abstract_en, ipc_codes=list(codes), filing_date=filed, publication_date=published,
            grant_date=granted, legal_status="granted" if granted else "pending",
            owners=self.owner_shares(lister, field.key), inventors=self.inventors(), public_funding=self.funding(year),
        )
        return command, lister, field

    # the listing ------------------------------------------------------------------------------
    def listing(self, patent_id: UUID, patent: cc.RegisterPatent, field: TechnicalField) -> cc.DraftListing:
        """The draft listing of a registered patent: deal types, price, maturity and texts."""
        r = self.rng
        deal_types = r.choices([d for d, _ in DEAL_COMBINATIONS], weights=[w for _, w in DEAL_COMBINATIONS])[0]
        scale = {"design": 0.3, "utility_model": 0.6}.get(patent.patent_type, 1.0)
        asking_price: int | None = None
        open_licence: cc.OpenLicenceInput | None = None
        if "open_licence" in deal_types:
            price_mode = "open_licence"
            fee_yuan = int(round(r.randint(1, 20) * 5000 * scale, -3))
            open_licence = cc.OpenLicenceInput(fee=fee_yuan * 100, royalty_rate=r.choice((0.0, 1.5, 2.5, 3.5, 5.0)),
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
        return cc.DraftListing(
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


def _register(app: Marketplace, patent: cc.RegisterPatent, *, lister: str, admins: dict[str, UUID]) -> UUID:
    """The lister's admin registers the patent; each named co-owner's admin confirms it (as on its /my page)."""
    patent_id, _ = app.catalogue.register_patent(patent, actor_id=admins[lister])
    admin_of = {organisation_id(name): user for name, user in admins.items()}
    for share in patent.owners:
        if share.organisation_id != organisation_id(lister):
            app.registrations.confirm_co_ownership(
                ConfirmCoOwnership(patent_id=patent_id), actor_id=admin_of[share.organisation_id])
    return patent_id


def _password() -> str:
    return secrets.token_urlsafe(12)  # 16 characters, 96 bits


def _add_members(app: Marketplace, admins: dict[str, UUID], admin_id: UUID,
                 accounts: list[DemoAccount]) -> dict[str, UUID]:
    """Each organisation adds a plain member; platform-wide roles come from the platform admin
    (``valuer`` with the accreditation in ``seed_demo_deals``)."""
    members: dict[str, UUID] = {}
    for member in MEMBERS:
        password = _password()
        member_id, _ = app.accounts.add_member(ac.AddMember(email=member.email, password=password,
                                                            display_name=member.display_name, roles=["member"]),
                                      actor_id=admins[member.organisation])
        members[member.email] = member_id
        if member.role != "valuer":
            app.accounts.grant_role(ac.GrantRole(user_id=member_id, role=member.role), actor_id=admin_id)
        accounts.append(DemoAccount(member.email, password, member.display_name, member.organisation,
                                    ["member", member.role]))
    return members


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
    admin_id = app.accounts.bootstrap_platform_admin(email=PLATFORM_ADMIN.email, password=password,
                                                     display_name=PLATFORM_ADMIN.display_name,
                                                     organisation_name=PLATFORM_ORGANISATION)
    admins[PLATFORM_ORGANISATION] = admin_id
    accounts.append(DemoAccount(PLATFORM_ADMIN.email, password, PLATFORM_ADMIN.display_name, PLATFORM_ORGANISATION,
                                ["member", "platform_admin"]))
    organisations = (*UNIVERSITIES, *INSTITUTES, *ENTERPRISES, *AGENCIES)
    for org in organisations:
        password = _password()
        user, _ = app.accounts.sign_up(ac.SignUp(email=org.email, password=password, display_name=org.display_name,
                                                 organisation_name=org.name, organisation_kind=org.kind,
                                                 region=org.region))
        admins[org.name] = user
        accounts.append(DemoAccount(org.email, password, org.display_name, org.name, ["member", "org_admin"]))
    for org in organisations:
        org_ids[org.name] = organisation_id(org.name)
        if org.verified:
            app.accounts.verify_organisation(
                ac.VerifyOrganisation(organisation_id=org_ids[org.name]), actor_id=admin_id)
    members = _add_members(app, admins, admin_id, accounts)
    generator = _Generator(rng, org_ids)
    drawn = [generator.patent() for _ in range(listings)]
    statuses = _status_plan(rng, [p.legal_status == "granted" for p, _, _ in drawn])
    published = 0
    on_offer: list[DemoListing] = []
    for done, ((patent, lister, field), status) in enumerate(zip(drawn, statuses, strict=True), 1):
        actor = admins[lister.name]
        patent_id = _register(app, patent, lister=lister.name, admins=admins)
        listing_id, _ = app.catalogue.draft_listing(generator.listing(patent_id, patent, field), actor_id=actor)
        if status != "draft":
            app.catalogue.publish_listing(cc.PublishListing(listing_id=listing_id), actor_id=actor)
        if status == "withdrawn":
            app.catalogue.withdraw_listing(
                cc.WithdrawListing(listing_id=listing_id, reason=rng.choice(WITHDRAW_REASONS)),
                actor_id=actor)
        elif status == "suspended":
            assert patent.grant_date is not None
            lapsed = min(AS_OF, patent.grant_date + timedelta(days=rng.randint(365, 1500)))
            app.catalogue.change_legal_status(cc.ChangeLegalStatus(patent_id=patent_id, legal_status="lapsed",
                                                                   effective_date=lapsed,
                                                                   reason="未缴年费，专利权终止"),
                                    actor_id=admin_id)
        elif status == "published":
            published += 1
            on_offer.append(DemoListing(listing_id, patent_id, actor))
        if progress is not None:
            progress(done, listings)
    if on_offer:
        buyers = [admins[org.name] for org in ENTERPRISES if org.verified]
        seed_demo_deals(app, on_offer, admin=admin_id, buyers=buyers, valuer=members[MEMBERS[0].email])
        published = sum(1 for item in on_offer if app.repository.get(item.listing_id).status == "published")
    return DemoReport(accounts=accounts, organisations=len(organisations) + 1, patents=listings, listings=listings,
                      published=published)
