"""Row helpers shared by the read models: JSON text for ``jsonb`` columns and the price of a deal's terms."""

from __future__ import annotations

from collections.abc import Collection, Iterable
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


def json_page_columns(columns: dict[str, str], names: Iterable[str] | None = None) -> str:
    """The column list of ``jsonb_to_recordset(...) AS r(...)`` for ``names`` (default: all) of ``columns``."""
    return ", ".join(f"{name} {columns[name]}" for name in (columns if names is None else names))


def insert_json_page(table: str, columns: dict[str, str]) -> str:
    """Insert a page of rows sent as one JSON array of objects (keys: ``columns``, SQL types as values) in one
    statement, where a row per statement had psycopg dump every value in Python."""
    names = ", ".join(columns)
    return (f"INSERT INTO {table} ({names}) SELECT {names}"  # noqa: S608 - table and columns are ours
            f" FROM jsonb_to_recordset(%s::jsonb) AS r({json_page_columns(columns)})")


_INT_RANGE = {"integer": 2**31, "bigint": 2**63}


def checked(values: dict[str, Any], columns: dict[str, str], names: Iterable[str], *,
            nullable: Collection[str] = ()) -> dict[str, Any]:
    """``values`` (a row, or the columns an event sets) after a check of ``names`` against their SQL types in
    ``columns``: text a string, integers whole and in range, booleans, text arrays of strings, nothing null unless
    ``nullable``. A read model that folds a page's events into rows written at the page's end raises here, at the
    event that gives another kind of value, so that it stops at that event whatever the page's size (a statement
    per event failed there; a later event of the page could otherwise hide the bad value)."""
    for name in names:
        if name not in values:
            continue
        value, kind = values[name], columns[name]
        if value is None:
            ok = name in nullable
        elif kind in _INT_RANGE:
            ok = type(value) is int and -_INT_RANGE[kind] <= value < _INT_RANGE[kind]
        elif kind == "text":
            ok = isinstance(value, str)
        elif kind == "text[]":
            ok = isinstance(value, list) and all(isinstance(item, str) for item in value)
        elif kind == "boolean":
            ok = isinstance(value, bool)
        else:
            ok = True  # uuid, timestamptz, jsonb: the server reads them
        if not ok:
            raise ValueError(f"{name}: {type(value).__name__} is not a {kind} value")
    return values


def price_of(terms: dict[str, Any]) -> tuple[int, str]:
    """The price (assignment price or licence upfront fee, minor units) and its currency from a terms dict."""
    price = terms.get("price")
    if isinstance(price, dict):
        return int(price.get("amount") or 0), str(price.get("currency") or terms.get("currency") or "CNY")
    return int(price or 0), str(terms.get("currency") or "CNY")
