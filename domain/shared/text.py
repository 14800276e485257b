"""What text the marketplace records: the rules every command's text passes, and how names compare.

Text is checked where it enters (the command edge, the importer, the CLI), never after it is
recorded: an event is immutable, and one NUL byte in it used to stop the read models for good
(PostgreSQL ``text`` and ``jsonb`` cannot hold U+0000).

- Refused everywhere: control characters (Unicode category Cc), invisible format characters
  (Cf: zero-width space and joiners, word joiner, byte-order mark, soft hyphen, tag characters,
  and the bidirectional embeddings, overrides, isolates and marks that can make a contract read
  differently from what it says) and lone surrogates (Cs, which no UTF-8 store can hold).
- Multi-line text (abstracts, notes, reasons) keeps newline and tab; a carriage return, as
  browsers send it from a ``textarea``, becomes a newline.  One-line text takes no line break at
  all (nor U+2028/U+2029).
- Accepted text is NFC-normalised, so that the same words are the same code points.

Organisation names compare under a stronger rule (:func:`name_key`): NFKC, case folding and
without invisible characters, so that ``ＦＺＵ福州大学`` and ``FZU福州大学`` are one organisation.
"""

from __future__ import annotations

import unicodedata
from typing import Literal

from domain.shared.errors import ValidationError

#: ``line``: one line; ``lines``: newline and tab allowed.
Shape = Literal["line", "lines"]

#: Bidirectional controls are Cf too; they are named apart because they are the dangerous ones.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_LINE_BREAKS = frozenset("\n\r\u2028\u2029")
_MULTI_LINE_ALLOWED = frozenset("\n\t\r")
_REFUSED_CATEGORIES = {
    "Cc": "a control character",
    "Cf": "an invisible format character",
    "Cs": "a lone surrogate, which is not a character",
}


def refusal(ch: str, shape: Shape) -> str | None:
    """Why ``ch`` may not be recorded in text of this shape, or ``None`` when it may."""
    if shape == "lines" and ch in _MULTI_LINE_ALLOWED:
        return None
    if ch in _LINE_BREAKS:
        return "a line break; this field takes one line"
    if ch == "\t":
        return "a tab; this field takes one line"
    if ch in BIDI_CONTROLS:
        return "a bidirectional control character"
    return _REFUSED_CATEGORIES.get(unicodedata.category(ch))


def refusal_kind(ch: str, shape: Shape) -> str:
    """The stable name of why ``ch`` is refused (``line_break``, ``tab``, ``bidi``, ``control``, ``format``,
    ``surrogate``): what a refusal's code carries, for the reader's language."""
    if ch in _LINE_BREAKS:
        return "line_break"
    if ch == "\t":
        return "tab"
    if ch in BIDI_CONTROLS:
        return "bidi"
    return {"Cc": "control", "Cf": "format", "Cs": "surrogate"}.get(unicodedata.category(ch), "control")


def first_refused(value: str, shape: Shape) -> tuple[int, str] | None:
    """The index of the first character that may not be recorded and the reason, or ``None``."""
    if value.isprintable():  # no Cc, Cf, Cs, Zl, Zp at all: the common case, in C
        return None
    for index, ch in enumerate(value):
        reason = refusal(ch, shape)
        if reason is not None:
            return index, reason
    return None


def describe(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X} {name}".rstrip()


def checked(value: str, field: str, shape: Shape = "line") -> str:
    """``value`` as recorded (NFC; newlines as ``\\n``), or a ``ValidationError`` naming ``field``."""
    found = first_refused(value, shape)
    if found is not None:
        index, reason = found
        raise ValidationError(
            f"{field}: character {index + 1} is {describe(value[index])}, {reason}; remove it",
            field=field,
            code="text.refused_character",
            position=index + 1,
            character=f"U+{ord(value[index]):04X}",
            reason=refusal_kind(value[index], shape),
        )
    if shape == "lines" and "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", value)


def scrubbed(value: str, shape: Shape = "line") -> str:
    """Text from a source the marketplace does not control (an imported file), made recordable.

    Invisible and bidirectional format characters are removed, other control characters and
    (in one-line text) line breaks become spaces; the result is NFC.  Lone surrogates are not
    repaired: :func:`checked` still refuses them, so that the record is reported, not guessed.
    """
    if first_refused(value, shape) is None:
        return unicodedata.normalize("NFC", value)
    kept: list[str] = []
    for ch in value:
        reason = refusal(ch, shape)
        if reason is None or unicodedata.category(ch) == "Cs":
            kept.append(ch)
        elif unicodedata.category(ch) != "Cf":
            kept.append(" ")
    return unicodedata.normalize("NFC", "".join(kept).replace("\r\n", "\n").replace("\r", "\n"))


def invisible(ch: str) -> bool:
    """A character that shows nothing: Cc and Cf (zero-width, bidirectional controls, BOM, soft hyphen)."""
    return unicodedata.category(ch) in ("Cc", "Cf")


def name_key(name: str) -> str:
    """The form in which two names are the same name: NFKC, case-folded, no invisible characters,
    runs of white space as one space (Unicode's NFKC_Casefold, with white space collapsed)."""
    spaced = " ".join(unicodedata.normalize("NFKC", name).split())
    visible = "".join(ch for ch in spaced if not invisible(ch))
    return " ".join(unicodedata.normalize("NFKC", visible.casefold()).split())
