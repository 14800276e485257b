"""Reading the WIPO IPC scheme file into the domain's ``IpcScheme``."""

from __future__ import annotations

import functools
import gzip
import pathlib
import re

from domain.catalogue.ipc import DEFAULT_EDITION, IpcScheme, parse_ipc
from domain.shared.errors import DomainError

# Titles cross-reference other codes in the file's 14-character form ("H01M0010600000 takes precedence").
_SCHEME_KEY = re.compile(r"\b[A-H]\d{2}[A-Z]\d{10}\b")


def _readable_references(title: str) -> str:
    """Cross-references written as people write IPC codes ("H01M 10/60")."""

    def replace(match: re.Match[str]) -> str:
        try:
            return str(parse_ipc(match.group(0)))
        except DomainError:
            return match.group(0)

    return _SCHEME_KEY.sub(replace, title)


def load_ipc_scheme(path: pathlib.Path, *, edition: str = DEFAULT_EDITION) -> IpcScheme:
    """Read the gzip TSV scheme (``code<TAB>title``, e.g. ``A01B0001020000\\tSpades; Shovels``).

    A code that repeats on consecutive lines keeps its first title; a line without a tab
    continues the previous title (a few titles in the file contain line breaks).
    """
    text = gzip.decompress(path.read_bytes()).decode("utf-8")
    titles: dict[str, str] = {}
    current: str | None = None  # code whose title a continuation line extends, if kept
    for line in text.split("\n"):
        code, tab, title = line.partition("\t")
        if tab:
            if code in titles:
                current = None
            else:
                titles[code] = title.rstrip("\r")
                current = code
        elif line.strip() and current is not None:
            titles[current] = f"{titles[current]} {line.strip()}"
    return IpcScheme({code: _readable_references(title) for code, title in titles.items()}, edition=edition)


@functools.lru_cache(maxsize=4)
def default_ipc_scheme(path: pathlib.Path) -> IpcScheme:
    """The scheme at ``path`` (normally ``Settings.ipc_scheme_path``), read once per process."""
    return load_ipc_scheme(path)
