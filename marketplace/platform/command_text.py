"""The command edge's text rule, applied to every field of every command struct.

Each text type declares its shape in its ``msgspec.Meta`` (``extra={"text": "line" | "lines" |
"secret"}``; a ``str`` without one is one line). ``Command.__post_init__`` runs
:func:`clean_struct`, which walks the fields — nested structs, lists, tuples, dicts and ``Any``
values included — refuses what ``domain.text.checked`` refuses with a ``ValidationError`` naming
the dotted field path (``inventors.0.name``), and stores the NFC form. msgspec calls
``__post_init__`` whether the struct is decoded from JSON, converted from a form's fields or
built in Python (CLI, demo, tests), so every way in passes the same rule. Secrets (passwords)
are hashed, never recorded as text, and are left exactly as typed.
"""

from __future__ import annotations

from functools import cache
from typing import Any, Literal

import msgspec
import msgspec.inspect as mi

from domain.shared.text import checked

Shape = Literal["line", "lines", "secret"]

#: ``Meta(extra=...)`` of one-line text, multi-line text, and secrets that are never recorded.
LINE: dict[str, Any] = {"text": "line"}
LINES: dict[str, Any] = {"text": "lines"}
SECRET: dict[str, Any] = {"text": "secret"}

#: What the OpenAPI document says of each shape (``Meta(description=...)``).
_REFUSED = "control characters, invisible format characters (zero-width, BOM, soft hyphen), bidirectional controls"
LINE_RULE = f"One line of text: no line break, tab, {_REFUSED}. Stored in Unicode NFC."
LINES_RULE = f"Text of one or more lines: newline and tab allowed; no other {_REFUSED}. Stored in Unicode NFC."


def _shape(info: mi.Type) -> Shape | None:
    """The text shape declared inside a field's type (``list[ShortText] | None`` → ``line``)."""
    if isinstance(info, mi.Metadata):
        declared: Shape | None = (info.extra or {}).get("text")
        return declared or _shape(info.type)
    if isinstance(info, mi.UnionType):
        return next((s for s in map(_shape, info.types) if s is not None), None)
    if isinstance(info, mi.ListType | mi.SetType | mi.FrozenSetType | mi.VarTupleType):
        return _shape(info.item_type)
    if isinstance(info, mi.DictType):
        return _shape(info.value_type)
    return None


@cache
def _fields(kind: type[msgspec.Struct]) -> tuple[tuple[str, str, Shape], ...]:
    """(attribute, name on the wire, text shape) of each field of a struct class."""
    info = mi.type_info(kind)
    assert isinstance(info, mi.StructType)
    return tuple((f.name, f.encode_name, _shape(f.type) or "line") for f in info.fields)


def _cleaned(value: Any, shape: Shape, field: str) -> Any:
    if isinstance(value, str):
        return value if shape == "secret" else checked(value, field, shape)
    if isinstance(value, msgspec.Struct):
        clean_struct(value, f"{field}.")
        return value
    if isinstance(value, list | tuple):
        items = [_cleaned(v, shape, f"{field}.{i}") for i, v in enumerate(value)]
        return items if isinstance(value, list) else tuple(items)
    if isinstance(value, dict):
        cleaned: dict[Any, Any] = {}
        for key, item in value.items():
            name = _cleaned(key, "line", field)
            cleaned[name] = _cleaned(item, shape, f"{field}.{name}")
        return cleaned
    return value


def clean_struct(struct: msgspec.Struct, prefix: str = "") -> None:
    """Check every text field of ``struct`` (recursively) and store its normal form in place."""
    for attribute, name, shape in _fields(type(struct)):
        value = getattr(struct, attribute)
        cleaned = _cleaned(value, shape, prefix + name)
        if cleaned is not value:
            msgspec.structs.force_setattr(struct, attribute, cleaned)
