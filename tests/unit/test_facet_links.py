"""The listing index's facet links (web/catalogue/pages.py): a facet value's link keeps every other filter of
the search, in the order the page was asked with, drops the page number, and turns that facet value on (in
place of another value of the same facet) or, when it is on already, off."""

from __future__ import annotations

import html
import itertools
from urllib.parse import parse_qsl, urlencode

from markupsafe import escape

from web.catalogue.pages import _facet_links

SEARCHES: list[dict[str, str]] = [
    {},
    {"q": "电池 隔膜"},
    {"q": "a&b=c d", "deal_type": "open_licence", "sort": "price_asc"},
    {"ipc_section": "G"},
    {"q": "x", "ipc_section": "H", "ipc_class": "H01", "maturity": "pilot", "status": "suspended"},
    {"q": "中文", "deal_type": "assignment", "price_min": "10", "price_max": "20.5", "maturity": "concept",
     "sort": "newest"},
]
FACETS = {"ipc_section": ["G", "H"], "ipc_class": ["H01", "G06"], "deal_type": ["assignment", "open_licence"],
          "maturity": ["pilot", "concept"], "status": ["published", "suspended"]}


def as_before(active: dict[str, str], facet: str, value: str | None) -> str:
    """The link as the template built it before: ``link(**{facet: value, 'page': None})``."""
    merged = {**active, **({facet: value} if value is not None else {})}
    if value is None:
        merged.pop(facet, None)
    merged.pop("page", None)
    return "/listings" + ("?" + urlencode(merged) if merged else "")


def test_a_facet_link_keeps_the_other_filters_and_toggles_its_value() -> None:
    for active in SEARCHES:
        facet_href = _facet_links(active)
        for (facet, values), _ in itertools.product(FACETS.items(), range(2)):  # the second time from its cache
            for value in values:
                on = active.get(facet) == value
                href = facet_href(facet, value, on)
                assert href == escape(as_before(active, facet, None if on else value)), (active, facet, value)
                path, _, query = html.unescape(str(href)).partition("?")
                wanted = {k: v for k, v in active.items() if k != facet} | ({} if on else {facet: value})
                assert path == "/listings"
                assert dict(parse_qsl(query)) == wanted
