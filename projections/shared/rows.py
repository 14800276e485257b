"""Row helpers shared by the read models: JSON text for ``jsonb`` columns and the price of a deal's terms."""

from __future__ import annotations

from typing import Any

import msgspec
from psycopg.types.json import Jsonb

_encoder = msgspec.json.Encoder()


def json_text(value: Any) -> str:
    """``value`` as JSON text, for a ``%s::jsonb`` parameter."""
    return _encoder.encode(value).decode()


def json_bytes(value: Any) -> bytes:
    """``value`` as UTF-8 JSON, for psycopg's ``Jsonb(…, dumps=…)`` to send as it is: a large array (a bulk page's
    rows) is not decoded into a ``str`` only to be encoded again."""
    return _encoder.encode(value)


def _as_is(data: bytes) -> bytes:
    return data


def encoded_jsonb(data: bytes) -> Jsonb:
    """A ``%s::jsonb`` parameter of JSON already encoded (``json_bytes``): psycopg sends the bytes as they are."""
    return Jsonb(data, dumps=_as_is)


def price_of(terms: dict[str, Any]) -> tuple[int, str]:
    """The price (assignment price or licence upfront fee, minor units) and its currency from a terms dict."""
    price = terms.get("price")
    if isinstance(price, dict):
        return int(price.get("amount") or 0), str(price.get("currency") or terms.get("currency") or "CNY")
    return int(price or 0), str(terms.get("currency") or "CNY")
