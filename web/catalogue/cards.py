"""Pre-rendered listing cards: a search page draws 20 cards, each a macro call of a dozen translations and
escapes (about 40 % of the page's Jinja time). A card depends only on its listing row and the page's language,
so its HTML is kept, keyed by both: an event that changes anything the card shows (the row itself) gives
another key, and a card is never shown older than its row."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import msgspec
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from projections.catalogue.queries import ListingItem

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


@pass_context
def prerendered_card(context: Context, draw: Callable[[ListingItem], Any], item: ListingItem) -> Markup:
    """``{{ card_html(card, item) }}``: the ``card`` macro's HTML for ``item`` in the page's language."""
    return CARDS.html(str(context.get("lang", "zh")), item, draw)
