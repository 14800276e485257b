"""A search typed by anyone: whatever the text (control characters, NUL, bidi overrides, a lone surrogate,
10,000 characters), the listing index and its htmx part answer with a page, never a server error."""

from __future__ import annotations

from urllib.parse import quote

from litestar import Litestar
from litestar.testing import TestClient

HOSTILE = ["\u202e电池\u202c", "\x1b[31m电池\x07", "a" * 10_000, "电" * 3_000, "电池 " * 1_000,
           "'; DROP TABLE x; --", "电:* & !池 | (", "<script>alert(1)</script>", "CN 2017 1045 1976.4",
           "-" * 500, "\u200b\ufeff", "%00", "电-池-", "电"]


def test_a_hostile_search_is_answered_with_a_page(client: TestClient[Litestar]) -> None:
    for n, q in enumerate(HOSTILE):
        extra = ({}, {"sort": "newest", "page": "99999999999999999999"}, {"status": "withdrawn"})[n % 3]
        for headers in ({}, {"HX-Request": "true", "HX-Target": "results"}):
            answer = client.get("/listings", params={"q": q, **extra}, headers=headers)
            assert answer.status_code == 200, (q[:20], extra, headers)
            assert "<script>alert" not in answer.text


def test_a_search_with_a_nul_or_a_lone_surrogate_is_refused_with_a_page_not_a_server_error(
    client: TestClient[Litestar],
) -> None:
    for raw in (quote("电\x00池"), "%00", "%ED%A0%80", "%FF%FE", "\u7535%C0%80"):
        answer = client.get(f"/listings?q={raw}")
        assert answer.status_code in (200, 400), raw
        assert "</html>" in answer.text
