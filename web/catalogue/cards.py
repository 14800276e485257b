"""Pre-rendered listing cards: a search page draws 20 cards, each a macro call of a dozen translations and
escapes (about 40 % of the page's Jinja time). A card depends only on its listing row and the page's language,
so its HTML is kept, keyed by both: an event that changes anything the card shows (the row itself) gives
another key, and a card is never shown older than its row.

A card not yet kept is drawn by ``draw_card``, the ``card`` macro (templates/macros.html.jinja2) written in
Python: the same HTML at a third of the macro's cost (tests/web/test_listing_cards.py compares the two)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import msgspec
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from domain.accounts.user import ERASED_PERSON
from projections.catalogue.queries import ListingItem
from web.formats import money
from web.i18n import shown_value

#: Cards kept per process (about 1 kB each).
CARD_CACHE_SIZE = 4000


class CardCache:
    def __init__(self, size: int = CARD_CACHE_SIZE) -> None:
        self.size = size
        self.cards: OrderedDict[tuple[str, bytes], Markup] = OrderedDict()
        self.hits = 0

    def html(self, lang: str, item: ListingItem, draw: Callable[[ListingItem], Any]) -> Markup:
        key = (lang, msgspec.json.encode(item))
        found = self.cards.get(key)
        if found is not None:
            self.hits += 1
            self.cards.move_to_end(key)
            return found
        drawn = escape(draw(item))  # the macro gives Markup (kept as it is); anything else is escaped
        self.cards[key] = drawn
        while len(self.cards) > self.size:
            self.cards.popitem(last=False)
        return drawn


CARDS = CardCache()


def shown_html(value: object, t: Callable[..., str]) -> str:
    """``{{ value }}`` in a page: the template's ``finalize`` (an erased person's name translated), then escaped."""
    if value == ERASED_PERSON:
        value = shown_value(value, t)
    return str(escape(value))


def draw_card(item: ListingItem, lang: str, t: Callable[..., str]) -> Markup:
    """The ``card`` macro's HTML for ``item`` in ``lang`` (``t``: the page's translator)."""

    def put(value: object) -> str:
        return shown_html(value, t)

    # Every value below goes through ``put``; the rest is the macro's own markup.
    if lang == "en" and item.title_en:
        title = put(item.title_en)
    elif item.title_zh:
        title = put(item.title_zh)
    else:
        title = put(item.title_en)
    if item.price_mode == "fixed":
        price = put(money(item.asking_price, lang))
    elif item.price_mode == "open_licence":
        price = put(t("price.open_licence"))
        if item.price_amount:
            price += " · " + put(money(item.price_amount, lang))
    else:
        price = put(t("price.negotiable"))
    deals = "".join(f'<span class="tag">{put(t("deal." + d))}</span>' for d in item.deal_types)
    trl = f" · TRL {put(item.trl)}" if item.trl else ""
    status = (f'<span class="tag status-{put(item.status)}">{put(t("status." + item.status))}</span>'
              if item.status != "published" else "")
    return Markup(  # noqa: S704 - every value in it is escaped by ``put``
        f'\n<article class="card">\n'
        f'  <h3><a href="/listings/{put(item.id)}">{put(Markup(title))}'  # noqa: S704 - the title macro's (escaped) output
        f'</a></h3>\n'
        f'  <p class="meta">{put(item.patent_number)} · {put(t("type." + item.patent_type))} · '
        f'{put(item.organisation_name)}</p>\n'
        f'  <p class="tags">\n'
        f'    {deals}\n'
        f'    <span class="tag maturity">{put(t("maturity." + item.maturity))}{trl}</span>\n'
        f'    {status}\n'
        f'  </p>\n'
        f'  <p class="price">{put(Markup(price))}'  # noqa: S704 - the price macro's (escaped) output
        f'</p>\n'
        f'</article>\n'
    )


@pass_context
def prerendered_card(context: Context, draw: Callable[[ListingItem], Any], item: ListingItem) -> Markup:
    """``{{ card_html(card, item) }}``: the ``card`` macro's HTML for ``item`` in the page's language (drawn by
    ``draw_card``; ``draw``, the macro itself, is kept for a page whose translator is not the site's)."""
    lang = str(context.get("lang", "zh"))
    t = context.get("t")
    if t is None:
        return CARDS.html(lang, item, draw)
    return CARDS.html(lang, item, lambda row: draw_card(row, lang, t))
