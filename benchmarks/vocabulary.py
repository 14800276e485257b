"""Realistic generated catalogue content: bilingual titles over 13 technical fields, IPC codes, terms.

Search selectivity depends on the words in the titles, so titles are built from a few hundred
Chinese/English term pairs, each field with its own nouns and its own IPC subclasses (codes
drawn from the 2020 scheme file), plus modifiers and title patterns shared by all fields. A
common term such as 电池/battery then matches roughly one listing in ten, a rarer one far fewer.
"""

from __future__ import annotations

import gzip
import random
from dataclasses import dataclass
from functools import lru_cache

from domain.catalogue.ipc import parse_ipc
from marketplace.platform.settings import DEFAULT_IPC_SCHEME


@dataclass(frozen=True)
class Field:
    name: str
    nouns: tuple[tuple[str, str], ...]  # (Chinese, English)
    subclasses: tuple[str, ...]
    uses: tuple[tuple[str, str], ...]  # applications, for the listing text


FIELDS: tuple[Field, ...] = (
    Field("battery", (
        ("锂离子电池", "lithium-ion battery"), ("固态电池", "solid-state battery"), ("电池隔膜", "battery separator"),
        ("正极材料", "cathode material"), ("负极材料", "anode material"), ("电解液", "electrolyte"),
        ("电池管理系统", "battery management system"), ("钠离子电池", "sodium-ion battery"),
        ("储能电池", "energy storage battery"), ("动力电池", "power battery"), ("电池包", "battery pack"),
        ("电极极片", "electrode sheet"), ("集流体", "current collector"), ("隔膜涂层", "separator coating"),
        ("磷酸铁锂", "lithium iron phosphate"), ("硅碳负极", "silicon-carbon anode"),
    ),
        ("H01M", "H02J", "B60L"),
        (("新能源汽车", "new-energy vehicles"), ("储能电站", "energy storage stations"))),
    Field("carbon", (
        ("石墨烯", "graphene"), ("石墨烯薄膜", "graphene film"), ("碳纳米管", "carbon nanotube"),
        ("导热膜", "thermally conductive film"), ("氧化石墨烯", "graphene oxide"), ("碳纤维", "carbon fibre"),
        ("多孔碳", "porous carbon"), ("石墨烯涂料", "graphene coating"), ("活性炭", "activated carbon"),
        ("碳气凝胶", "carbon aerogel"), ("导电浆料", "conductive paste"),
    ),
        ("C01B", "C08K", "C09D", "H01B"),
        (("电子散热", "electronics cooling"), ("防腐涂层", "anticorrosion coatings"))),
    Field("tea", (
        ("茶叶", "tea leaves"), ("乌龙茶", "oolong tea"), ("白茶", "white tea"), ("茶多酚", "tea polyphenols"),
        ("揉捻机", "tea rolling machine"), ("杀青机", "tea fixing machine"), ("茶饮料", "tea beverage"),
        ("红茶", "black tea"), ("茉莉花茶", "jasmine tea"), ("茶叶烘干机", "tea dryer"), ("岩茶", "rock tea"),
        ("速溶茶粉", "instant tea powder"), ("茶园管理", "tea garden management"),
    ),
        ("A23F", "A23L", "F26B", "A01G"),
        (("茶叶加工", "tea processing"), ("饮料生产", "beverage production"))),
    Field("aquaculture", (
        ("大黄鱼", "large yellow croaker"), ("鲍鱼", "abalone"), ("海带", "kelp"), ("养殖网箱", "aquaculture cage"),
        ("水产饲料", "aquatic feed"), ("紫菜", "laver"), ("海参", "sea cucumber"),
        ("水质监测", "water quality monitoring"),
        ("循环水养殖", "recirculating aquaculture"), ("鱼苗", "fish fry"), ("对虾", "prawn"),
    ),
        ("A01K", "A23K", "C02F"),
        (("海水养殖", "mariculture"), ("渔业", "fisheries"))),
    Field("optoelectronics", (
        ("发光二极管", "light-emitting diode"), ("芯片", "chip"), ("外延片", "epitaxial wafer"),
        ("封装结构", "packaging structure"), ("氮化镓", "gallium nitride"), ("显示面板", "display panel"),
        ("光刻胶", "photoresist"), ("晶圆", "wafer"), ("激光器", "laser"), ("光电探测器", "photodetector"),
        ("微型显示", "micro display"), ("荧光粉", "phosphor"),
    ),
        ("H01L", "G09F", "H05B", "H01S"),
        (("照明", "lighting"), ("显示器件", "display devices"))),
    Field("textile", (
        ("鞋底", "shoe sole"), ("运动鞋", "sports shoe"), ("纺织面料", "textile fabric"),
        ("功能纤维", "functional fibre"),
        ("纱线", "yarn"), ("织机", "loom"), ("染色工艺", "dyeing process"), ("无纺布", "nonwoven fabric"),
        ("鞋面", "shoe upper"), ("再生涤纶", "recycled polyester"), ("针织物", "knitted fabric"),
    ),
        ("A43B", "D01F", "D03D", "D06P", "D04H"),
        (("制鞋", "footwear manufacturing"), ("服装", "apparel"))),
    Field("construction", (
        ("石材", "stone slab"), ("陶瓷砖", "ceramic tile"), ("混凝土", "concrete"),
        ("预制构件", "prefabricated member"),
        ("装配式建筑", "prefabricated building"), ("保温板", "insulation board"), ("钢结构", "steel structure"),
        ("防水卷材", "waterproofing membrane"), ("脚手架", "scaffold"), ("岩板", "sintered stone"),
    ),
        ("E04B", "C04B", "B28D", "E04G"),
        (("建筑施工", "building construction"), ("装饰装修", "interior decoration"))),
    Field("medicine", (
        ("中药组合物", "traditional Chinese medicine composition"), ("植物提取物", "plant extract"),
        ("多糖", "polysaccharide"), ("灵芝", "ganoderma"), ("抗肿瘤药物", "antitumour drug"), ("注射液", "injection"),
        ("片剂", "tablet"), ("金线莲", "anoectochilus"), ("小分子抑制剂", "small-molecule inhibitor"),
        ("单克隆抗体", "monoclonal antibody"), ("检测试剂盒", "detection kit"),
    ),
        ("A61K", "A61P", "C07D", "C08B", "G01N"),
        (("医药", "pharmaceuticals"), ("保健品", "health supplements"))),
    Field("robotics", (
        ("机械臂", "robotic arm"), ("减速器", "speed reducer"), ("夹爪", "gripper"), ("数控机床", "CNC machine tool"),
        ("焊接机器人", "welding robot"), ("视觉定位", "visual positioning"), ("伺服电机", "servo motor"),
        ("自动导引车", "automated guided vehicle"), ("协作机器人", "collaborative robot"),
        ("末端执行器", "end effector"),
    ),
        ("B25J", "B23K", "B23Q", "G05B"),
        (("智能制造", "smart manufacturing"), ("自动化产线", "automated production lines"))),
    Field("vehicles", (
        ("电动汽车", "electric vehicle"), ("充电桩", "charging pile"), ("电机控制器", "motor controller"),
        ("驱动电机", "drive motor"), ("车载充电机", "on-board charger"), ("制动系统", "braking system"),
        ("轮毂电机", "hub motor"), ("热管理系统", "thermal management system"), ("换电站", "battery swap station"),
    ),
        ("B60L", "B60K", "H02K", "B60T"),
        (("新能源汽车", "new-energy vehicles"), ("公共交通", "public transport"))),
    Field("computing", (
        ("天线", "antenna"), ("基站", "base station"), ("信号处理", "signal processing"), ("区块链", "blockchain"),
        ("图像识别", "image recognition"), ("神经网络", "neural network"), ("数据加密", "data encryption"),
        ("物联网", "internet of things"), ("边缘计算", "edge computing"), ("语音识别", "speech recognition"),
        ("知识图谱", "knowledge graph"), ("路径规划", "path planning"),
    ),
        ("H04L", "H04W", "G06F", "G06N", "H01Q", "G06T"),
        (("智慧城市", "smart cities"), ("移动通信", "mobile communications"))),
    Field("food", (
        ("鱼丸", "fish ball"), ("肉松", "meat floss"), ("米粉", "rice noodles"), ("冻干食品", "freeze-dried food"),
        ("发酵饮品", "fermented beverage"), ("食用菌", "edible fungus"), ("银耳", "tremella"),
        ("保鲜剂", "preservative"),
        ("佛跳墙", "Buddha jumps over the wall soup"), ("益生菌", "probiotic"), ("龙眼干", "dried longan"),
    ),
        ("A23L", "A23B", "A23P", "C12N"),
        (("食品加工", "food processing"), ("冷链物流", "cold-chain logistics"))),
    Field("environment", (
        ("污水处理", "wastewater treatment"), ("烟气脱硫", "flue gas desulfurisation"), ("垃圾分选", "waste sorting"),
        ("催化剂", "catalyst"), ("膜分离", "membrane separation"), ("土壤修复", "soil remediation"),
        ("污泥干化", "sludge drying"), ("光催化材料", "photocatalytic material"), ("除尘器", "dust collector"),
    ),
        ("C02F", "B01D", "B01J", "B09C"),
        (("环保工程", "environmental engineering"), ("工业废水", "industrial effluent"))),
)

MODIFIERS: tuple[tuple[str, str], ...] = (
    ("高效", "efficient"), ("低成本", "low-cost"), ("环保型", "environmentally friendly"), ("智能", "intelligent"),
    ("高强度", "high-strength"), ("便携式", "portable"), ("复合", "composite"), ("柔性", "flexible"),
    ("自动化", "automated"), ("高稳定性", "highly stable"), ("耐高温", "heat-resistant"), ("可回收", "recyclable"),
    ("轻量化", "lightweight"), ("新型", "novel"), ("多功能", "multifunctional"), ("节能", "energy-saving"),
    ("纳米", "nano"), ("连续式", "continuous"), ("高纯度", "high-purity"), ("快速", "rapid"),
    ("低温", "low-temperature"), ("模块化", "modular"), ("长寿命", "long-life"), ("高精度", "high-precision"),
)
PROCESSES: tuple[tuple[str, str], ...] = (
    ("制备", "preparing"), ("检测", "detecting"), ("加工", "processing"), ("控制", "controlling"),
    ("回收", "recycling"), ("优化", "optimising"), ("监测", "monitoring"), ("生产", "producing"),
)
ADVANTAGES: tuple[tuple[str, str], ...] = (
    ("成本降低约三成", "cuts cost by about 30 %"), ("能耗显著降低", "markedly lower energy use"),
    ("工艺简单，易于产业化", "a simple process that scales to industry"), ("性能稳定，寿命长", "stable and long-lived"),
    ("良品率提高", "higher yield"), ("无需昂贵设备", "no expensive equipment needed"),
)

ORG_PREFIXES = ("福州", "厦门", "泉州", "漳州", "莆田", "三明", "南平", "龙岩", "宁德", "平潭", "晋江", "石狮",
                "福清", "长乐")
ORG_MIDDLES = ("华信", "海峡", "闽江", "东南", "鼓山", "鹭岛", "清源", "武夷", "太姥", "湄洲", "九龙", "金山", "天宇",
               "宏达", "恒力", "安泰", "兴业", "嘉禾", "永辉", "瑞丰")
ORG_SUFFIXES = ("科技有限公司", "新材料股份有限公司", "智能装备有限公司", "生物科技有限公司", "电子有限公司")
UNIVERSITIES = (
    ("福州大学", "university"), ("厦门大学", "university"), ("华侨大学", "university"), ("福建农林大学", "university"),
    ("集美大学", "university"), ("福建师范大学", "university"), ("福建医科大学", "university"),
    ("福建中医药大学", "university"), ("闽江学院", "university"), ("莆田学院", "university"),
    ("福建理工大学", "university"), ("厦门理工学院", "university"), ("闽南师范大学", "university"),
    ("中国科学院福建物质结构研究所", "research_institute"), ("福建省农业科学院", "research_institute"),
    ("自然资源部第三海洋研究所", "research_institute"), ("中国科学院城市环境研究所", "research_institute"),
)
SURNAMES = "陈林黄张李王吴刘蔡杨郑许谢郭洪曾邱廖赖徐周叶苏庄吕江何"
GIVEN = "明华伟芳娜静磊强军洋勇艳杰涛斌超秀霞平刚桂英婷宇鑫欣晨浩然思远志坚建国"


@lru_cache(maxsize=1)
def ipc_codes_by_subclass() -> dict[str, tuple[str, ...]]:
    """Group-level codes of the 2020 scheme for the fields' subclasses, in canonical form (``H01M 10/0562``)."""
    wanted = {s for f in FIELDS for s in f.subclasses}
    found: dict[str, list[str]] = {s: [] for s in wanted}
    with gzip.open(DEFAULT_IPC_SCHEME, "rt", encoding="utf-8") as lines:
        for line in lines:
            code = line.split("\t", 1)[0]
            if len(code) == 14 and code[:4] in wanted:
                found[code[:4]].append(str(parse_ipc(code)))
    return {s: tuple(dict.fromkeys(codes)) for s, codes in found.items() if codes}


@dataclass(frozen=True)
class Title:
    zh: str
    en: str
    field: Field
    nouns: tuple[tuple[str, str], ...]


def title(rng: random.Random, field: Field | None = None) -> Title:
    """One bilingual title from a few patterns common in Chinese patent titles."""
    f = field or rng.choice(FIELDS)
    n1, n2 = rng.sample(f.nouns, 2)
    m = rng.choice(MODIFIERS)
    p = rng.choice(PROCESSES)
    pattern = rng.randrange(7)
    if pattern == 0:
        zh, en = f"一种{m[0]}{n1[0]}及其制备方法", f"{m[1].capitalize()} {n1[1]} and preparation method thereof"
    elif pattern == 1:
        zh, en = f"一种{m[0]}{n1[0]}", f"{m[1].capitalize()} {n1[1]}"
    elif pattern == 2:
        zh, en = f"一种{n1[0]}的{p[0]}方法", f"Method for {p[1]} {n1[1]}"
    elif pattern == 3:
        zh, en = f"基于{n1[0]}的{n2[0]}系统", f"{n2[1].capitalize()} system based on {n1[1]}"
    elif pattern == 4:
        zh, en = f"一种用于{n1[0]}的{m[0]}{n2[0]}装置", f"{m[1].capitalize()} {n2[1]} device for {n1[1]}"
    elif pattern == 5:
        zh, en = f"{m[0]}{n1[0]}{p[0]}设备及其使用方法", f"Apparatus for {p[1]} {m[1]} {n1[1]} and method of use"
    else:
        use = rng.choice(f.uses)
        zh, en = f"{n1[0]}在{use[0]}中的应用", f"Use of {n1[1]} in {use[1]}"
    return Title(zh, en, f, (n1, n2))


def ipc_codes(rng: random.Random, field: Field) -> list[str]:
    by_subclass = ipc_codes_by_subclass()
    subclasses = [s for s in field.subclasses if s in by_subclass]
    chosen = [rng.choice(by_subclass[rng.choice(subclasses)]) for _ in range(rng.choice((1, 1, 2, 2, 3)))]
    return list(dict.fromkeys(chosen))


def abstract(rng: random.Random, t: Title) -> tuple[str, str]:
    adv = rng.choice(ADVANTAGES)
    use = rng.choice(t.field.uses)
    zh = f"本发明公开了{t.zh}，涉及{t.nouns[0][0]}和{t.nouns[1][0]}技术领域，可用于{use[0]}，{adv[0]}。"
    en = (f"The invention discloses {t.en[0].lower()}{t.en[1:]}, in the field of {t.nouns[0][1]} and"
          f" {t.nouns[1][1]}, for {use[1]}; it {adv[1]}.")
    return zh, en


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2))))


def organisation_names(count: int, rng: random.Random) -> list[tuple[str, str]]:
    """``count`` distinct (name, kind): the universities and institutes, then enterprises."""
    names: dict[str, str] = dict(UNIVERSITIES)
    while len(names) < count:
        name = rng.choice(ORG_PREFIXES) + rng.choice(ORG_MIDDLES) + rng.choice(ORG_SUFFIXES)
        names.setdefault(name, "enterprise")
    return list(names.items())[:count]


# Query terms for the load test: a mix of common and rarer words, in both languages.
def query_terms_zh() -> list[str]:
    terms = ["电池"] + [n[0] for f in FIELDS for n in f.nouns[:4]] + ["石墨烯", "茶叶", "机器人", "污水", "芯片"]
    return list(dict.fromkeys(terms))


def query_terms_en() -> list[str]:
    terms = ["battery"] + [n[1].split()[-1] for f in FIELDS for n in f.nouns[:4]] + ["graphene", "tea", "robot"]
    return list(dict.fromkeys(terms))


# Many distinct search terms, for loads where no term may repeat (a repeated term is served from caches
# that any write empties in production).
def search_term_tiers(language: str) -> list[list[str]]:
    """Candidate terms in ``language`` ("zh" or "en") from the vocabulary, in two tiers: single words (in
    Chinese also every substring of a word: users type fragments), and two nouns of one field (titles and
    abstracts name two nouns of a field, so such a pair matches listings). Not yet deduplicated by what
    the search makes of them (``projections.shared.search.query_parts``; stemming for English)."""
    zh = language == "zh"

    def word(pair: tuple[str, str]) -> str:
        return pair[0] if zh else pair[1]

    singles: list[str] = []
    for text in [word(n) for f in FIELDS for n in f.nouns] + [word(m) for m in MODIFIERS] + [
            word(p) for p in PROCESSES] + [word(u) for f in FIELDS for u in f.uses]:
        if zh:
            singles += [text[i:j] for i in range(len(text)) for j in range(i + 1, len(text) + 1)]
        else:
            singles += [text, *text.replace("-", " ").split()]
    pairs: list[str] = []
    for f in FIELDS:
        nouns = [word(n) for n in f.nouns]
        pairs += [f"{a} {b}" for i, a in enumerate(nouns) for b in nouns[i + 1:]]
    return [singles, pairs]


def title_fragments(titles: list[str], language: str, rng: random.Random) -> tuple[list[str], list[str]]:
    """Terms cut from the catalogue's own titles, so that each matches at least its listing: short
    fragments (2-4 characters; two consecutive words) and long ones (5-9 characters; three or four
    consecutive words)."""
    short: list[str] = []
    long: list[str] = []
    for text in titles:
        if language == "zh":
            for lengths, out in (((2, 4), short), ((5, 9), long)):
                for _ in range(3):
                    n = min(len(text), rng.randint(*lengths))
                    start = rng.randrange(0, len(text) - n + 1)
                    out.append(text[start:start + n])
        else:
            words = text.split()
            for lengths, out in (((2, 2), short), ((3, 4), long)):
                for _ in range(3):
                    n = min(len(words), rng.randint(*lengths))
                    start = rng.randrange(0, len(words) - n + 1)
                    out.append(" ".join(words[start:start + n]))
    return short, long
