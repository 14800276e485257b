"""Typed, bounded query parameters shared by the JSON API and the pages.

Every number a request carries is bounded before it reaches SQL: PostgreSQL's ``bigint`` stops at
2^63 - 1, and a value past it (``price_min=9223372036854775808``) is a 400 here, not a 500 there.
The bounds and the allowed values appear in the OpenAPI document.
"""

from __future__ import annotations

from typing import Annotated, Literal

from litestar.params import Parameter

from domain.shared.money import MAX_AMOUNT

MAX_OFFSET = 1_000_000
MAX_PAGE = 50_000
MAX_VERSION = 2**31 - 1  # more events than any record will ever have, well inside bigint

Limit = Annotated[int, Parameter(ge=1, le=100, description="page size")]
Offset = Annotated[int, Parameter(ge=0, le=MAX_OFFSET, description="rows to skip")]
Amount = Annotated[int | None, Parameter(ge=0, le=MAX_AMOUNT, description="an amount in minor units (fen)")]
Version = Annotated[int | None, Parameter(ge=1, le=MAX_VERSION, description="the version of the record you last saw")]
PublicListingStatus = Literal["published", "suspended", "withdrawn"]


def whole_number(text: str | None, maximum: int) -> int | None:
    """``text`` as a number from 0 to ``maximum``, or None: only ASCII digits, and never ``int()`` of
    thousands of digits (which Python refuses with a ValueError)."""
    if not text or not text.isascii() or not text.isdigit() or len(text.lstrip("0")) > len(str(maximum)):
        return None
    number = int(text)
    return number if number <= maximum else None


def page_number(text: str | None) -> int:
    """The page a listing page asks for: 1 unless ``text`` is a plain number; at most ``MAX_PAGE``.

    Only ASCII digits count (``"²".isdigit()`` is true, yet ``int("²")`` fails); a larger page is
    clamped rather than refused, as whoever typed it wants the last pages, not an error.
    """
    if not text or not text.isascii() or not text.isdigit():
        return 1
    return max(1, whole_number(text, MAX_PAGE) or MAX_PAGE) if text.strip("0") else 1
