"""The labelled set of the matching benchmark: technology demands written as enterprises would, and which
listings are relevant to each.

Two catalogues, two ways of labelling, both fixed before the matcher's output was looked at:

- ``DEMO_DEMANDS`` against listings drawn by the demo generator (``marketplace.demo.generator``): a listing is
  relevant when it was drawn from one of the demand's ``subjects`` (the generator writes the subject's Chinese
  name into the Chinese title and its English name into the English title, so the subject is read back from
  the title). Other subjects of the same field share keywords, effects, uses and often IPC codes with them:
  those are the distractors.
- ``WIPO_DEMANDS`` against the distinct titles of the WIPO PATENTSCOPE "pizza" export: a listing is relevant
  when its title matches the demand's ``relevant`` pattern (a judgement of what the enterprise asks for, written
  as a regular expression over the title). One demand is in Chinese only, against English titles.

The demands' own words are phrased freely (synonyms, other word order); keywords and IPC codes are what a firm
would fill in, and some demands give no IPC code at all.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LabelledDemand:
    key: str
    title_zh: str
    title_en: str
    description: str
    keywords: tuple[str, ...]
    ipc_codes: tuple[str, ...]
    wants: tuple[str, ...] = ("purchase", "licence")
    budget_max: int = 500_000_000  # fen
    subjects: tuple[str, ...] = ()  # demo: the generator's subjects (Chinese names) that are relevant
    relevant: str = ""  # WIPO: a case-insensitive pattern over the title


DEMO_DEMANDS = (
    LabelledDemand("separator", "动力电池耐热隔膜", "",
                   "现有聚乙烯隔膜 130 度以上收缩严重，希望获得陶瓷涂覆的锂电池隔膜技术", ("隔膜", "陶瓷涂覆"),
                   ("H01M 2/16",), subjects=("锂电池隔膜",)),
    LabelledDemand("soc", "电池荷电状态精确估计", "", "储能电站需要估计电池 SOC，误差小于 3%", ("荷电状态", "SOC"),
                   ("G01R 31/367",), wants=("licence", "commissioned"), subjects=("锂电池荷电状态估计",)),
    LabelledDemand("rolling", "", "Tea rolling machine for oolong tea", "We need a rolling machine for tea leaves with "
                   "adjustable pressure", ("tea rolling", "rolling machine"), ("A23F 3/06",), subjects=("茶叶揉捻机",)),
    LabelledDemand("thermal_film", "手机散热用导热膜", "", "手机散热需要高导热石墨烯膜，面内导热系数 1500 W/mK 以上",
                   ("导热膜", "散热"), ("C01B 32/194",), subjects=("石墨烯导热膜",)),
    LabelledDemand("dyeing", "印染废水深度处理", "", "印染厂废水色度和 COD 高，寻求芬顿氧化等高级氧化工艺",
                   ("印染废水", "芬顿"), ("C02F 1/72",), subjects=("芬顿氧化处理印染废水",)),
    LabelledDemand("cage", "大黄鱼深远海养殖装备", "", "公司计划在宁德开展深远海养殖，需要抗风浪网箱",
                   ("网箱", "深远海"), ("A01K 61/60",), subjects=("大黄鱼深远海养殖网箱",)),
    LabelledDemand("sic", "", "Silicon carbide MOSFET for traction inverters", "Our electric vehicle inverters need "
                   "SiC MOSFET devices with low on-resistance", ("silicon carbide", "MOSFET"), ("H01L 29/78",),
                   subjects=("碳化硅MOSFET器件",)),
    LabelledDemand("concrete", "建筑垃圾再生骨料混凝土", "", "利用拆除建筑的垃圾生产混凝土，强度不低于 C30",
                   ("再生骨料", "混凝土"), (), subjects=("再生骨料混凝土",)),
    LabelledDemand("gripper", "", "Soft gripper for collaborative robots", "A flexible gripper to pick fragile parts "
                   "on a cobot line", ("gripper", "collaborative robot"), ("B25J 15/00",),
                   subjects=("协作机器人柔性夹爪",)),
    LabelledDemand("fish_balls", "速冻鱼丸生产技术", "", "提高速冻鱼丸的弹性和保质期", ("鱼丸", "速冻"), (),
                   subjects=("速冻鱼丸",)),
)

WIPO_DEMANDS = (
    LabelledDemand("box", "", "Pizza delivery box", "A carton for delivering pizza that keeps it hot and crisp",
                   ("pizza box", "carton"), ("B65D 85/36",), relevant=r"pizza.*\b(box|carton|container)|"
                   r"\b(box|carton|container)\b.*pizza"),
    LabelledDemand("conveyor_oven", "", "Conveyor oven for baking pizza", "Tunnel oven with a moving belt for a "
                   "pizza chain's kitchens", ("conveyor oven",), ("A21B 1/48",),
                   relevant=r"conveyor.*oven|oven.*conveyor"),
    LabelledDemand("frozen_dough", "", "Frozen pizza dough", "Dough bases that can be frozen and baked without "
                   "thawing", ("frozen dough", "pizza crust"), ("A21D 6/00",),
                   relevant=r"(frozen|freez).*(dough|crust)|(dough|crust).*(frozen|freez)"),
    LabelledDemand("cutter", "", "Pizza cutter", "A hand tool or machine that cuts pizza into slices",
                   ("pizza cutter", "slicing"), ("B26B 25/00",), relevant=r"pizza (cutter|slicer)|cutt.*pizza"),
    LabelledDemand("cheese", "", "Cheese substitute for pizza topping", "An imitation cheese that melts and "
                   "stretches like mozzarella", ("imitation cheese", "cheese analogue"), ("A23C 20/00",),
                   relevant=r"(imitation|analog|substitute).*cheese|cheese.*(analog|substitute|imitation)"),
    LabelledDemand("susceptor", "", "Microwave susceptor packaging", "Packaging that browns and crisps food in a "
                   "microwave oven", ("susceptor", "microwave"), ("B65D 81/34",), relevant=r"susceptor"),
    LabelledDemand("vending", "披萨自动售卖机", "", "在地铁站无人售卖现烤披萨", ("自动售卖",), ("G07F 17/00",),
                   relevant=r"vending"),
    LabelledDemand("gluten_free", "", "Gluten-free pizza base", "A base for coeliac customers without wheat gluten",
                   ("gluten-free",), ("A21D 13/00",), relevant=r"gluten[- ]free"),
)
