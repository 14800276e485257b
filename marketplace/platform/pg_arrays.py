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
    """A one-dimensional array of ``element_oid``, each element written by ``element``."""

    format = Format.BINARY
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


class _UuidArrayDumper(_ArrayDumper):
    element_oid, oid = _type_oids("uuid")

    def element(self, value: UUID | str) -> bytes:
        return b"\x00\x00\x00\x10" + (value if isinstance(value, UUID) else UUID(value)).bytes


class _BigintArrayDumper(_ArrayDumper):
    element_oid, oid = _type_oids("int8")

    def element(self, value: int) -> bytes:
        try:
            return _BIGINT.pack(8, value)
        except struct.error:
            raise DataError(f"bigint out of range: {value!r}") from None


class _ByteaArrayDumper(_ArrayDumper):
    element_oid, oid = _type_oids("bytea")

    def element(self, value: bytes | bytearray | memoryview) -> bytes:
        if not isinstance(value, (bytes, bytearray, memoryview)):  # bytes(3) would be three zero bytes
            raise TypeError(f"a bytea element must be bytes, not {type(value).__name__}")
        data = bytes(value)
        return _LENGTH.pack(len(data)) + data


class _TextArrayDumper(_ArrayDumper):
    element_oid, oid = _type_oids("text")

    def __init__(self, cls: type, context: AdaptContext | None = None) -> None:
        super().__init__(cls, context)
        self._text = StrBinaryDumper(str, context)  # the connection's encoding, as psycopg sends a str

    def element(self, value: str) -> bytes:
        data = bytes(self._text.dump(value) or b"")
        return _LENGTH.pack(len(data)) + data


DUMPERS: dict[type, type[Dumper]] = {
    UuidArray: _UuidArrayDumper, BigintArray: _BigintArrayDumper, ByteaArray: _ByteaArrayDumper,
    TextArray: _TextArrayDumper,
}


def register() -> None:
    """Register the dumpers on psycopg's global adapters, which every connection made afterwards copies."""
    for cls, dumper in DUMPERS.items():
        psycopg.adapters.register_dumper(cls, dumper)


register()
