"""A search page's listing cards and facet lists are drawn in Python (web/catalogue/cards.py ``draw_card``,
web/catalogue/pages.py ``facet_rows``) rather than by Jinja: a reader sees exactly the HTML the templates drew,
in either language, whatever the listing or the search holds."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from litestar import Litestar

from domain.accounts.user import ERASED_PERSON
from projections.catalogue.queries import FacetCount, ListingItem
from web.catalogue.cards import draw_card
from web.catalogue.pages import _facet_links, facet_rows


def listing(n: int, **change: Any) -> ListingItem:
    values: dict[str, Any] = {
        "id": uuid.UUID(int=n + 1), "patent_id": uuid.UUID(int=n + 1000), "title": "t",
        "title_zh": "一种<电池>&“隔膜”制备方法", "title_en": 'A "separator" <for> batteries & cells',
        "status": "published", "deal_types": ["assignment"], "price_mode": "fixed", "asking_price": 123_456_700,
        "price_amount": None, "currency": "CNY", "maturity": "pilot", "trl": 6, "organisation_id": uuid.UUID(int=7),
        "organisation_name": "福州大学 <&> 'Fuzhou'", "jurisdiction": "CN", "patent_number": "CN123456789A",
        "patent_type": "invention", "legal_status": "granted", "ipc_codes": ["H01M"], "keywords": [],
        "published_at": datetime(2026, 1, 1, tzinfo=UTC), "updated_at": datetime(2026, 1, 2, tzinfo=UTC),
        "version": 3,
    }
    return ListingItem(**(values | change))


VARIANTS: list[dict[str, Any]] = [
    {},
    {"title_en": ""},
    {"title_zh": "", "title_en": "English only"},
    {"title_zh": "", "title_en": ""},
    {"status": "suspended", "trl": None, "maturity": "concept"},
    {"status": "withdrawn", "deal_types": []},
    {"deal_types": ["exclusive_licence", "open_licence", "non_exclusive_licence"], "patent_type": "utility_model"},
    {"price_mode": "open_licence", "price_amount": 5_000_000, "asking_price": None},
    {"price_mode": "open_licence", "price_amount": None, "asking_price": None},
    {"price_mode": "negotiable", "asking_price": None},
    {"price_mode": "fixed", "asking_price": 999},
    {"organisation_name": ERASED_PERSON},
    {"title_en": ERASED_PERSON, "title_zh": ERASED_PERSON},
    {"maturity": "no-such-maturity", "patent_type": "no-such-type", "deal_types": ["<b>odd</b>"]},
]


def test_a_card_drawn_in_python_is_the_card_macros_html(web_app: Litestar) -> None:
    environment = web_app.template_engine.engine  # type: ignore[union-attr]
    vocabulary = web_app.state.vocabulary
    for lang, (n, change) in itertools.product(("zh", "en"), enumerate(VARIANTS)):
        t = vocabulary.translator(lang)
        macros = environment.get_template("macros.html.jinja2").make_module({"lang": lang, "t": t})
        item = listing(n, **change)
        assert str(draw_card(item, lang, t)) == str(macros.card(item)), (lang, change)


#: The facet list items as the results template drew them in Jinja before ``facet_rows`` (the reference).
FACET_LOOP = """{% for f in counts %}
        {% set on = active.get(facet) == f.value %}
        {% set href = link(**{facet: (None if on else f.value), 'page': None}) %}
        <li class="{{ 'on' if on }}"><a href="{{ href }}"
               hx-get="{{ href }}" hx-target="#results" hx-push-url="true">
          {%- if facet == 'deal_type' %}{{ t('deal.' ~ f.value) }}{% elif facet == 'maturity' %}{{ t('maturity.' ~ f.value) }}{% elif facet == 'status' %}{{ t('status.' ~ f.value) }}{% elif facet == 'ipc_section' %}{{ t('ipc.' ~ f.value) }}{% elif facet == 'ipc_class' %}<span title="{{ ipc_class_titles.get(f.value, '') }}">{{ f.value }} <small>{{ ipc_class_titles.get(f.value, '') | ipc_short(26) }}</small></span>{% else %}{{ f.value }}{% endif -%}
        </a> <span class="n">{{ f.count }}</span></li>
        {% endfor %}"""  # noqa: E501


def test_a_search_pages_facet_items_drawn_in_python_are_the_templates_html(web_app: Litestar) -> None:
    environment = web_app.template_engine.engine  # type: ignore[union-attr]
    vocabulary = web_app.state.vocabulary
    counts = {
        "ipc_section": [FacetCount("G", 9), FacetCount("H", 3), FacetCount("<&>", 1)],
        "ipc_class": [FacetCount("H01", 7), FacetCount("G06", 2), FacetCount("A99", 1)],
        "deal_type": [FacetCount("assignment", 4), FacetCount("open_licence", 2), FacetCount("odd<b>", 1)],
        "maturity": [FacetCount("pilot", 5), FacetCount("concept", 1)],
        "status": [FacetCount("published", 8), FacetCount("suspended", 2)],
        "other": [FacetCount(ERASED_PERSON, 1), FacetCount('x"y', 2)],
    }
    titles = {"H01": "BASIC ELECTRIC ELEMENTS (cables H01B; resistors H01C)", "G06": 'Computing; "calculating" <&>'}
    searches: list[dict[str, str]] = [
        {}, {"q": "电池 a&b"}, {"q": "x", "deal_type": "open_licence", "sort": "price_asc"},
        {"ipc_section": "H", "ipc_class": "H01", "maturity": "pilot", "status": "suspended", "price_min": "10"},
    ]
    drawn = environment.from_string("{{ facet_rows(facet, counts) }}")
    looped = environment.from_string(FACET_LOOP)
    for lang, active, (facet, values) in itertools.product(("zh", "en"), searches, counts.items()):

        def link(active: dict[str, str] = active, **change: Any) -> str:
            merged = {**active, **{k: v for k, v in change.items() if v is not None}}
            for k, v in change.items():
                if v is None:
                    merged.pop(k, None)
            return "/listings" + ("?" + urlencode(merged) if merged else "")

        context = {"t": vocabulary.translator(lang), "lang": lang, "active": active, "link": link,
                   "facet_href": _facet_links(active), "facet_rows": facet_rows, "ipc_class_titles": titles,
                   "facet": facet, "counts": values}
        assert drawn.render(context) == looped.render(context), (lang, active, facet)
