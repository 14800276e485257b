"""A search page's listing cards are drawn in Python (web/catalogue/cards.py ``draw_card``) rather than by the
``card`` macro: a reader sees exactly the macro's card, in either language, whatever the listing holds."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime
from typing import Any

from litestar import Litestar

from domain.accounts.user import ERASED_PERSON
from projections.catalogue.queries import ListingItem
from web.catalogue.cards import draw_card


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
