"""Typed array parameters for the event store's hot statements, sent in PostgreSQL's binary array format.

psycopg adapts a Python ``list`` by looking at its elements on every call (which element type, which dumper, which
array type), about 10-15 µs a list; a save sends six or seven lists (the events' ids, versions, topics and states,
and the ids and versions the command read), 67 µs of parameter conversion measured per save, about a twentieth of
a command. A list built as one of the classes below is dumped by a dumper registered for that class: the array's
type is known, each element is written as it is (16 bytes a UUID, 8 an integer, the text's bytes, the state's
bytes), and the whole parameter takes a few microseconds.

Use them where the element type is certain: a wrong element fails in ``dump`` and nothing is sent (a
``TypeError`` or ``AttributeError`` for an element of another type, psycopg's ``DataError`` for an integer beyond
64 bits, as the server would say). A UUID may also be given as text in any form ``uuid.UUID`` reads. ``None``
elements are sent as SQL NULLs.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any
from uuid import UUID

import psycopg
from psycopg import DataError
from psycopg.abc import AdaptContext, Buffer
from psycopg.adapt import Dumper
from psycopg.pq import Format
from psycopg.types.string import StrBinaryDumper

_HEADER = struct.Struct("!iiIii")  # dimensions, has nulls, element type, length, lower bound
_EMPTY = struct.Struct("!iiI")  # an empty array: no dimensions
_LENGTH = struct.Struct("!i")
_BIGINT = struct.Struct("!iq")  # length 8, the value
_NULL = _LENGTH.pack(-1)


class UuidArray(list[UUID | str | None]):
    """A ``uuid[]`` parameter (an element may be a UUID's text, as eventsourcing's ids are typed)."""


class BigintArray(list[int | None]):
    """A ``bigint[]`` parameter."""


class TextArray(list[str | None]):
    """A ``text[]`` parameter."""


class ByteaArray(list[bytes | bytearray | memoryview | None]):
    """A ``bytea[]`` parameter."""


def _type_oids(name: str) -> tuple[int, int]:
    info = psycopg.postgres.types[name]
    return info.oid, info.array_oid


class _ArrayDumper(Dumper):
    format = Format.BINARY
    element_type = ""
    element_oid = 0

    def element(self, value: Any) -> bytes:
        raise NotImplementedError

    def dump(self, obj: list[Any]) -> Buffer | None:
        if not obj:
            return _EMPTY.pack(0, 0, self.element_oid)
        parts = [b""]
        element = self.element
        nulls = 0
        for value in obj:
            if value is None:
                nulls = 1
                parts.append(_NULL)
            else:
                parts.append(element(value))
        parts[0] = _HEADER.pack(1, nulls, self.element_oid, len(obj), 1)
        return b"".join(parts)


def _dumper(name: str, element: Callable[[Any, Any], bytes]) -> type[_ArrayDumper]:
    element_oid, array_oid = _type_oids(name)
    return type(f"{name.title()}ArrayDumper", (_ArrayDumper,), {
        "element_type": name, "element_oid": element_oid, "oid": array_oid, "element": element})


def _uuid(_self: Any, value: UUID | str) -> bytes:
    return b"\x00\x00\x00\x10" + (value if isinstance(value, UUID) else UUID(value)).bytes


def _bigint(_self: Any, value: int) -> bytes:
    try:
        return _BIGINT.pack(8, value)
    except struct.error:
        raise DataError(f"bigint out of range: {value!r}") from None


def _bytea(_self: Any, value: bytes | bytearray | memoryview) -> bytes:
    if not isinstance(value, (bytes, bytearray, memoryview)):  # bytes(3) would be three zero bytes
        raise TypeError(f"a bytea element must be bytes, not {type(value).__name__}")
    data = bytes(value)
    return _LENGTH.pack(len(data)) + data


class _TextArrayDumper(_ArrayDumper):
    element_type = "text"
    element_oid, oid = _type_oids("text")

    def __init__(self, cls: type, context: AdaptContext | None = None) -> None:
        super().__init__(cls, context)
        self._text = StrBinaryDumper(str, context)  # the connection's encoding, as psycopg sends a str

    def element(self, value: str) -> bytes:
        data = bytes(self._text.dump(value) or b"")
        return _LENGTH.pack(len(data)) + data


DUMPERS: dict[type, type[Dumper]] = {
    UuidArray: _dumper("uuid", _uuid),
    BigintArray: _dumper("int8", _bigint),
    ByteaArray: _dumper("bytea", _bytea),
    TextArray: _TextArrayDumper,
}


def register(context: AdaptContext | None = None) -> None:
    """Register the dumpers on ``context`` (default: psycopg's global adapters, which every new connection copies)."""
    adapters = context.adapters if context is not None else psycopg.adapters
    for cls, dumper in DUMPERS.items():
        adapters.register_dumper(cls, dumper)


register()
