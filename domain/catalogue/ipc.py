"""International Patent Classification (IPC) codes: the value object, its parser and the scheme."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from domain.shared.errors import UnknownIpcCodeError

# WIPO Guide to the IPC, symbols of the hierarchy: section (one letter A-H), class (section +
# two digits), subclass (class + one capital letter), group (subclass, main group number of
# 1-3 digits, an oblique stroke and a subgroup number of at least two digits; "00" marks the
# main group).

_SECTIONS = "ABCDEFGH"
_SEPARATORS = re.compile(r"\s+")
_SCHEME_FORM = re.compile(r"^([A-H])(\d{2})([A-Z])(\d{4})(\d{6})$")
_GROUP_FORM = re.compile(r"^([A-H])(\d{2})([A-Z]) ?(\d{1,4}) ?/ ?(\d{2,6})$")
_SUBCLASS_FORM = re.compile(r"^([A-H])(\d{2})([A-Z])$")
_CLASS_FORM = re.compile(r"^([A-H])(\d{2})$")
_SECTION_FORM = re.compile(r"^([A-H])$")
# Version data printed after a symbol and ignored: the edition "(2006.01)" on patent documents,
# and WIPO ST.8-style IPCR data such as "20060101A I20051008RMEP" in PATENTSCOPE exports.
_VERSION_SUFFIX = re.compile(r"(?:\s*\(\d{4}\.\d{2}\)|\s+\d{8}[A-Z][A-Z ][A-Z]\d{8}[A-Z]{4})$")

DEFAULT_EDITION = "2020"


@dataclass(frozen=True)
class IpcCode:
    """One IPC symbol at section, class, subclass or group level.

    Fields hold the parts, not the cumulative codes: ``A21D 13/007`` is section ``A``, class_
    ``21``, subclass ``D``, main_group ``13`` (no leading zeros) and subgroup ``007`` (at least
    two digits, no trailing zeros beyond those two).  Build with ``parse_ipc``.
    """

    section: str
    class_: str | None = None
    subclass: str | None = None
    main_group: str | None = None
    subgroup: str | None = None

    def __post_init__(self) -> None:
        """Refuse part combinations that cannot form an IPC symbol (e.g. a subclass without a class)."""
        valid = (
            len(self.section) == 1
            and self.section in _SECTIONS
            and (self.class_ is None or (len(self.class_) == 2 and self.class_.isdigit()))
            and (self.subclass is None or (self.class_ is not None and _is_capital(self.subclass)))
            and (self.main_group is None) == (self.subgroup is None)
            and (self.main_group is None or (self.subclass is not None and _is_group_part(self)))
        )
        if not valid:
            raise UnknownIpcCodeError(
                f"ipc_codes: {self._raw()!r} is not a valid IPC code form", field="ipc_codes",
                code="ipc.form", got=self._raw(),
            )

    def _raw(self) -> str:
        parts = (self.section, self.class_, self.subclass, self.main_group, self.subgroup)
        return "/".join(p or "" for p in parts)

    @property
    def level(self) -> str:
        """``"section"``, ``"class"``, ``"subclass"`` or ``"group"`` (main group or subgroup)."""
        if self.main_group is not None:
            return "group"
        if self.subclass is not None:
            return "subclass"
        if self.class_ is not None:
            return "class"
        return "section"

    @property
    def section_code(self) -> str:
        """The section symbol, e.g. ``A``."""
        return self.section

    @property
    def class_code(self) -> str | None:
        """The class symbol, e.g. ``A21``, or None for a section."""
        return None if self.class_ is None else f"{self.section}{self.class_}"

    @property
    def subclass_code(self) -> str | None:
        """The subclass symbol, e.g. ``A21D``, or None above subclass level."""
        if self.subclass is None or self.class_ is None:
            return None
        return f"{self.section}{self.class_}{self.subclass}"

    @property
    def is_main_group(self) -> bool:
        """Whether this is a main group (subgroup ``00``), e.g. ``A21D 13/00``."""
        return self.subgroup == "00"

    @property
    def main_group_code(self) -> str | None:
        """The main group this group belongs to, e.g. ``A21D 13/00`` for ``A21D 13/007``."""
        if self.main_group is None:
            return None
        return f"{self.subclass_code} {self.main_group}/00"

    @property
    def scheme_key(self) -> str:
        """The key of this symbol in the WIPO scheme file.

        ``A``, ``A21``, ``A21D`` above group level; for groups the 14-character form: subclass,
        main group zero-padded on the left to 4 digits, subgroup zero-padded on the right to
        6 digits (``A21D 13/007`` → ``A21D0013007000``, ``A23L 1/0067`` → ``A23L0001006700``).
        """
        if self.main_group is None or self.subgroup is None:
            return self.subclass_code or self.class_code or self.section
        return f"{self.subclass_code}{self.main_group.zfill(4)}{self.subgroup.ljust(6, '0')}"

    def parents(self) -> tuple[IpcCode, ...]:
        """Ancestors from the section down, excluding this code.

        The subgroup hierarchy (dots in the scheme) is not visible in the symbol, so a subgroup's
        nearest ancestor here is its main group.
        """
        chain: list[IpcCode] = []
        if self.class_ is not None:
            chain.append(IpcCode(self.section))
        if self.subclass is not None:
            chain.append(IpcCode(self.section, self.class_))
        if self.main_group is not None:
            chain.append(IpcCode(self.section, self.class_, self.subclass))
            if not self.is_main_group:
                chain.append(IpcCode(self.section, self.class_, self.subclass, self.main_group, "00"))
        return tuple(chain)

    def __str__(self) -> str:
        """The conventional form: ``A21D 13/00``, ``A21D``, ``A21``, ``A``."""
        if self.main_group is not None:
            return f"{self.subclass_code} {self.main_group}/{self.subgroup}"
        return self.subclass_code or self.class_code or self.section


def _is_capital(text: str) -> bool:
    return len(text) == 1 and "A" <= text <= "Z"


def _is_group_part(code: IpcCode) -> bool:
    main, sub = code.main_group or "", code.subgroup or ""
    return (
        main.isdigit()
        and 1 <= len(main) <= 4
        and not main.startswith("0")
        and sub.isdigit()
        and 2 <= len(sub) <= 6
        and (len(sub) == 2 or not sub.endswith("0"))
    )


def parse_ipc(text: str, *, field: str = "ipc_codes") -> IpcCode:
    """Parse an IPC symbol written in any common form.

    Accepts ``A21D 13/00``, ``A21D13/00``, ``a21d 13/00``, the scheme file's ``A21D0013000000``,
    subgroups (``A21D 13/007``, Lens-style ``A23L1/0067``), ``A21D``, ``A21`` and ``A``, with
    surrounding spaces; trailing version data (``A21D 13/00 (2006.01)``, IPCR
    ``A21D 13/00 20060101A I20051008RMEP``) is ignored.  Main group numbers lose their leading
    zeros and subgroup numbers their trailing zeros beyond two digits, so every form of one
    symbol gives an equal ``IpcCode``.
    """
    compact = _VERSION_SUFFIX.sub("", _SEPARATORS.sub(" ", text.strip().upper()))
    group = _SCHEME_FORM.match(compact) or _GROUP_FORM.match(compact)
    if group is not None:
        section, class_, subclass, main, sub = group.groups()
        main_group = main.lstrip("0")
        if main_group:  # there is no main group 0
            return IpcCode(section, class_, subclass, main_group, sub.rstrip("0").ljust(2, "0"))
    else:
        level = _SUBCLASS_FORM.match(compact) or _CLASS_FORM.match(compact) or _SECTION_FORM.match(compact)
        if level is not None:
            return IpcCode(*level.groups())
    raise UnknownIpcCodeError(
        f"{field}: {text.strip()!r} is not a valid IPC code form; expected e.g. A21D 13/00, "
        "A21D, A21 or A",
        field=field,
        code="ipc.form",
        got=text.strip(),
    )


class IpcScheme:
    """The IPC scheme of one edition: scheme key (``IpcCode.scheme_key``) → title.

    The caller reads the scheme (the domain does no I/O) and passes the mapping, which is
    copied into a read-only view.
    """

    def __init__(self, titles: Mapping[str, str], *, edition: str = DEFAULT_EDITION) -> None:
        self._titles: Mapping[str, str] = MappingProxyType(dict(titles))
        self.edition = edition

    def __len__(self) -> int:
        return len(self._titles)

    def __repr__(self) -> str:
        return f"IpcScheme(edition={self.edition!r}, entries={len(self._titles)})"

    def contains(self, code: IpcCode) -> bool:
        """Whether the scheme has this exact symbol."""
        return code.scheme_key in self._titles

    def title(self, code: IpcCode) -> str | None:
        """The scheme's title for the symbol, or None when it is not in the scheme."""
        return self._titles.get(code.scheme_key)

    def require(self, code: IpcCode, field: str = "ipc_codes") -> None:
        """Refuse a symbol that the scheme does not have (IPC codes must be valid in the edition)."""
        if code.scheme_key not in self._titles:
            raise UnknownIpcCodeError(
                f"{field}: {code} is not in the IPC scheme ({self.edition})", field=field,
                code="ipc.unknown", ipc=str(code), edition=self.edition,
            )

    def nearest_known(self, code: IpcCode) -> IpcCode | None:
        """The symbol itself when the scheme has it, else its closest ancestor that it has.

        Used when importing historic symbols, e.g. ``A23L 1/00`` (not in the 2020 scheme) → ``A23L``.
        """
        for candidate in (code, *reversed(code.parents())):
            if candidate.scheme_key in self._titles:
                return candidate
        return None
