"""Interface language: Chinese by default, English on request; labels for the trade's vocabulary."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from litestar.connection import ASGIConnection

from domain.accounts.user import ERASED_PERSON

#: The time zone pages show instants in (stored in UTC): the marketplace's users are in Fujian.

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"

# key: (中文, English)
#: The site's own labels; each trade keeps its labels beside its pages (``web/<trade>/labels.py``).
SITE_LABELS: dict[str, tuple[str, str]] = {
    "site.name": ("福建知识产权挂牌交易市场", "Fujian Patent Marketplace"),
    "site.tagline": ("高校和科研机构专利的挂牌、许可与转让", "Listing, licensing and transfer of university and institute patents"),
    "nav.listings": ("专利挂牌", "Listings"),
    "nav.patents": ("专利库", "Patents"),
    "nav.my": ("我的机构", "My organisation"),
    "nav.audit": ("审计", "Audit"),
    "nav.deals": ("我的交易", "My deals"),
    "nav.notices": ("公示", "Notices"),
    "roots.title": ("每日根哈希", "Daily roots"),
    "roots.explain": ("事件日志的每一条记录都以 SHA-256 链式哈希相连；每个 UTC 日结束时的链头即当日根哈希，可在别处公开，以便任何人核验历史未被篡改。", "Every stored event is chained to the one before it by SHA-256; the chain head at the end of each UTC day is that day's root. Publish these elsewhere, and anyone can check that the history has not been rewritten."),
    "roots.day": ("日期", "Day"),
    "roots.position": ("日志位置", "Log position"),
    "roots.moving": ("当日未结束，仍随链头变化，勿公开", "the day has not ended: still moving with the chain head, not for publishing"),
    "nav.admin": ("平台管理", "Platform admin"),
    "nav.admin_organisations": ("机构审核", "Organisation review"),
    "nav.refunds": ("待退款项", "Refunds owed"),
    "nav.health": ("运行状况", "Health"),
    "nav.login": ("登录", "Log in"),
    "nav.logout": ("退出", "Log out"),
    "nav.signup": ("注册", "Sign up"),
    "nav.api": ("API 文档", "API docs"),
    "home.counts.listings": ("挂牌专利", "listed patents"),
    "home.counts.patents": ("收录专利", "patents on record"),
    "home.counts.organisations": ("入驻机构", "organisations"),
    "home.counts.institutions": ("高校及科研机构", "universities and institutes"),
    "home.latest": ("最新挂牌", "Latest listings"),
    "home.all": ("查看全部挂牌", "All listings"),
    "search.placeholder": ("搜索标题、摘要、关键词、专利号……如：电池", "Search titles, abstracts, keywords, numbers… e.g. battery"),
    "search.button": ("搜索", "Search"),
    "search.results": ("条结果", "results"),
    "search.about": ("约", "about"),
    "search.facets_of": ("结果很多：总数为估计值，下列分类计数仅统计最新的 {n} 条匹配。",
                         "A broad search: the total is an estimate, and the counts below are those of the newest {n} matches only."),
    "search.none": ("没有符合条件的挂牌。", "No listings match."),
    "search.clear": ("清除筛选", "Clear filters"),
    "facet.status": ("状态", "Status"),
    "facet.ipc_section": ("IPC 部", "IPC section"),
    "facet.ipc_class": ("IPC 大类", "IPC class"),
    "facet.deal_type": ("交易方式", "Deal type"),
    "facet.maturity": ("成熟度", "Maturity"),
    "facet.price": ("价格区间（元）", "Price range (CNY)"),
    "facet.apply": ("筛选", "Apply"),
    "page.prev": ("上一页", "Previous"),
    "page.next": ("下一页", "Next"),
    "page.of": ("第 {page} / {pages} 页", "Page {page} of {pages}"),
    "deal.assignment": ("转让", "Assignment"),
    "deal.exclusive_licence": ("独占许可", "Exclusive licence"),
    "deal.sole_licence": ("排他许可", "Sole licence"),
    "deal.non_exclusive_licence": ("普通许可", "Non-exclusive licence"),
    "deal.open_licence": ("开放许可", "Open licence"),
    "price.fixed": ("一口价", "Fixed price"),
    "price.negotiable": ("面议", "Negotiable"),
    "price.open_licence": ("开放许可定价", "Open-licence terms"),
    "maturity.concept": ("概念", "Concept"),
    "maturity.prototype": ("样品", "Prototype"),
    "maturity.pilot": ("中试", "Pilot"),
    "maturity.industrialised": ("产业化", "Industrialised"),
    "status.draft": ("草稿", "Draft"),
    "status.published": ("挂牌中", "Published"),
    "status.suspended": ("已暂停", "Suspended"),
    "status.withdrawn": ("已撤牌", "Withdrawn"),
    "status.closed": ("已成交", "Sold"),
    "legal.pending": ("审中", "Pending"),
    "legal.granted": ("有效（已授权）", "Granted"),
    "legal.lapsed": ("失效（未缴年费）", "Lapsed"),
    "legal.expired": ("届满失效", "Expired"),
    "legal.invalidated": ("被宣告无效", "Invalidated"),
    "legal.withdrawn": ("撤回", "Withdrawn"),
    "type.invention": ("发明", "Invention"),
    "type.utility_model": ("实用新型", "Utility model"),
    "type.design": ("外观设计", "Design"),
    "ipc.A": ("A 人类生活必需", "A Human necessities"),
    "ipc.B": ("B 作业；运输", "B Performing operations; transporting"),
    "ipc.C": ("C 化学；冶金", "C Chemistry; metallurgy"),
    "ipc.D": ("D 纺织；造纸", "D Textiles; paper"),
    "ipc.E": ("E 固定建筑物", "E Fixed constructions"),
    "ipc.F": ("F 机械工程；照明；加热；武器；爆破", "F Mechanical engineering; lighting; heating; weapons; blasting"),
    "ipc.G": ("G 物理", "G Physics"),
    "ipc.H": ("H 电学", "H Electricity"),
    "kind.university": ("高校", "University"),
    "kind.research_institute": ("科研机构", "Research institute"),
    "kind.enterprise": ("企业", "Enterprise"),
    "kind.valuation_agency": ("评估机构", "Valuation agency"),
    "kind.transfer_agency": ("技术转移机构", "Technology transfer agency"),
    "kind.government": ("主管部门", "Government"),
    "field.title": ("标题", "Title"),
    "field.title_zh": ("中文标题", "Chinese title"),
    "field.title_en": ("英文标题", "English title"),
    "field.abstract": ("摘要", "Abstract"),
    "field.abstract_zh": ("中文摘要", "Chinese abstract"),
    "field.abstract_en": ("英文摘要", "English abstract"),
    "field.jurisdiction": ("国家/地区", "Jurisdiction"),
    "field.application_number": ("申请号", "Application number"),
    "field.publication_number": ("公开号/授权公告号", "Publication / grant number"),
    "field.patent_type": ("专利类型", "Patent type"),
    "field.ipc_codes": ("IPC 分类号", "IPC codes"),
    "field.filing_date": ("申请日", "Filing date"),
    "field.publication_date": ("公开日", "Publication date"),
    "field.grant_date": ("授权日", "Grant date"),
    "field.expiry_date": ("届满日", "Expiry date"),
    "field.legal_status": ("法律状态", "Legal status"),
    "field.owners": ("专利权人", "Owners"),
    "field.share": ("份额 %", "Share %"),
    "field.inventors": ("发明人", "Inventors"),
    "field.public_funding": ("财政资金资助", "Public funding"),
    "field.programme": ("资助计划", "Programme"),
    "field.project_reference": ("项目编号", "Project reference"),
    "field.end_date": ("结题日期", "End date"),
    "field.deal_types": ("交易方式", "Deal types"),
    "field.price_mode": ("定价方式", "Price mode"),
    "field.asking_price": ("挂牌价（元）", "Asking price (CNY)"),
    "field.open_fee": ("开放许可费（元）", "Open-licence fee (CNY)"),
    "field.royalty_rate": ("提成比例 %", "Royalty rate %"),
    "field.term_years": ("许可期限（年）", "Term (years)"),
    "field.maturity": ("成熟度", "Maturity"),
    "field.trl": ("技术就绪度 TRL", "TRL"),
    "field.advantages": ("技术优势", "Advantages over existing solutions"),
    "field.applications": ("应用领域", "Applications"),
    "field.keywords": ("关键词（逗号分隔）", "Keywords (comma separated)"),
    "field.status": ("状态", "Status"),
    "field.organisation": ("机构", "Organisation"),
    "field.listed_by": ("挂牌机构", "Listed by"),
    "field.email": ("电子邮箱", "E-mail"),
    "field.password": ("密码", "Password"),
    "field.new_account_password": ("密码（至少 10 位）", "Password (10 characters or more)"),
    "field.display_name": ("姓名", "Name"),
    "field.organisation_name": ("机构名称", "Organisation name"),
    "field.organisation_kind": ("机构类型", "Organisation kind"),
    "field.region": ("所在地区", "Region"),
    "field.roles": ("角色", "Roles"),
    "field.reason": ("原因", "Reason"),
    "field.effective_date": ("生效日期", "Effective date"),
    "field.version": ("版本", "Version"),
    "listing.detail.patent": ("专利信息", "Patent"),
    "listing.detail.history": ("法律状态变更", "Legal status history"),
    "listing.detail.offer": ("交易条件", "Terms offered"),
    "listing.detail.contact": ("有意向？请登录后联系挂牌机构。", "Interested? Log in to contact the listing organisation."),
    "listing.edit": ("编辑", "Edit"),
    "listing.publish": ("发布挂牌", "Publish"),
    "listing.withdraw": ("撤牌", "Withdraw"),
    "listing.new": ("新建挂牌", "New listing"),
    "listing.save": ("保存", "Save"),
    "patent.new": ("登记专利", "Register a patent"),
    "patent.register": ("登记", "Register"),
    "patent.change_status": ("变更法律状态", "Change legal status"),
    "patent.listings": ("挂牌记录", "Listings"),
    "my.title": ("我的机构", "My organisation"),
    "my.unverified": ("贵机构尚待平台审核，审核通过后方可登记专利、发布挂牌。", "Your organisation awaits review by the platform; you can register patents and publish listings once it is verified."),
    "my.members": ("成员", "Members"),
    "my.add_member": ("添加成员", "Add a member"),
    "my.patents": ("本机构专利", "Our patents"),
    "my.listings": ("本机构挂牌", "Our listings"),
    "admin.pending": ("待审核机构", "Organisations awaiting review"),
    "admin.verify": ("审核通过", "Verify"),
    "admin.none": ("没有待审核的机构。", "No organisation awaits review."),
    "auth.login": ("登录", "Log in"),
    "auth.signup": ("注册新机构账户", "Sign up for a new organisation"),
    "auth.failed": ("邮箱或密码不正确。", "E-mail or password is wrong."),
    "error.title": ("出错了", "Something went wrong"),
    "error.back": ("返回", "Go back"),
    "error.admin_only": ("此页面仅供平台管理员使用。", "This page is for platform admins only."),
    "history.registered": ("登记入库", "Registered"),
    "history.recorded": ("记录时间", "Recorded"),
    "field.keywords_shown": ("关键词", "Keywords"),
    "lang.switch": ("English", "中文"),
    "common.none": ("无", "none"),
    "time.beijing": ("北京时间", "Beijing time"),
    "common.yes": ("是", "yes"),
    "common.no": ("否", "no"),
}


class DuplicateLabelError(ValueError):
    """Two label sets give one key different texts: which one a page shows would be an accident."""


class Vocabulary:
    """The labels of every page (zh/en), from the label sets passed to it; a key has one text or none."""

    def __init__(self, *label_sets: Mapping[str, tuple[str, str]]) -> None:
        self.labels: dict[str, tuple[str, str]] = {}
        for labels in label_sets:
            for key, pair in labels.items():
                if self.labels.setdefault(key, pair) != pair:
                    raise DuplicateLabelError(f"label {key!r}: {self.labels[key]} and {pair}")

    def pair(self, key: str) -> tuple[str, str] | None:
        return self.labels.get(key)

    def translator(self, language: str) -> Callable[..., str]:
        """``t(key, **values)`` in ``language`` (an unknown key shows as itself)."""
        index = 0 if language == "zh" else 1

        def t(key: str, **values: object) -> str:
            pair = self.labels.get(key)
            text = pair[index] if pair else key
            return text.format(**values) if values else text

        return t


def vocabulary_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Vocabulary:
    """The application's vocabulary (built once by the app factory from every trade's labels)."""
    vocabulary: Vocabulary = connection.app.state.vocabulary
    return vocabulary


def pick_language(query: str | None, cookie: str | None, accept: str | None) -> str:
    for candidate in (query, cookie):
        if candidate in LANGUAGES:
            return candidate
    if accept and accept.lower().startswith("en"):
        return "en"
    return DEFAULT_LANGUAGE


def shown_value(value: object, translate: Callable[[str], str] | None) -> object:
    """A value as a page prints it: where an erased person's name stood, the reader's language only
    (``translate``: the page's translator, which holds the accounts' label ``account.erased_person``)."""
    if value == ERASED_PERSON and translate is not None:
        return translate("account.erased_person")
    return value


#: Reasons the marketplace itself writes into a patent's legal-status history, by prefix.
_HISTORY_PREFIXES = (("registration withdrawn", "history.registration_withdrawn"),
                     ("ownership claim upheld", "history.claim_upheld"),
                     ("term of protection ended", "history.term_ended"))


def history_reason(reason: str | None, t: Callable[..., str], language: str) -> str:
    """A legal-status history reason in the reader's language (``t``); what a person wrote stays as written."""
    if not reason:
        return ""
    if reason in ("registered", "reregistered"):
        return t(f"history.{reason}")
    for prefix, key in _HISTORY_PREFIXES:
        if reason == prefix:
            return t(key)
        if reason.startswith(prefix + ": "):
            rest = history_reason(reason[len(prefix) + 2:], t, language)
            return t(key) + ("：" if language == "zh" else ": ") + rest
    return reason


