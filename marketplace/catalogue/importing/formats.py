"""Telling a patent file's format, counting its records and reading them with the format's reader.

``read_patents(path)`` yields one ``ImportedPatent`` per usable record and one ``RowError`` (with
the 1-based line number of the record's first line; a CSV header is line 1) per record that
cannot be used; it never raises for bad data.  The formats (WIPO PATENTSCOPE and Lens.org CSV
exports, the marketplace's own CSV and JSON Lines) and their rules: ``docs/IMPORT_FORMATS.md``.
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import Final
from zoneinfo import ZoneInfo

from marketplace.catalogue.importing.csv_files import read_csv
from marketplace.catalogue.importing.json_lines import read_jsonl
from marketplace.catalogue.importing.lens import lens_builder
from marketplace.catalogue.importing.native_csv import native_builder
from marketplace.catalogue.importing.records import ENCODING, ImportedPatent, RowError, UnknownFormatError
from marketplace.catalogue.importing.wipo import wipo_builder

FORMATS: Final = ("wipo", "lens", "native-csv", "jsonl")


# --- format detection and counting ---------------------------------------------------------------


def detect_format(path: Path) -> str:
    """Tell the format of ``path``: ``"wipo"``, ``"lens"``, ``"native-csv"`` or ``"jsonl"``.

    ``.jsonl``/``.ndjson`` files, and files whose first line is a JSON object, are JSON Lines;
    a CSV is recognised by its header.  Raises ``UnknownFormatError`` otherwise.
    """
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        return "jsonl"
    with path.open(encoding=ENCODING, errors="replace", newline="") as handle:
        first = handle.readline(1 << 16).strip()
    if first.startswith("{"):
        return "jsonl"
    columns = {c.strip().lower() for c in next(csv.reader([first]), [])}
    if {"jurisdiction", "kind", "publication number", "ipcr classifications"} <= columns:
        return "lens"
    if {"publication number", "publication date", "title", "applicants"} <= columns:
        return "wipo"
    if "jurisdiction" in columns and columns & {"publication_number", "application_number"}:
        return "native-csv"
    raise UnknownFormatError(
        f"{path.name}: not a recognised patent file; expected a WIPO PATENTSCOPE or Lens CSV "
        "export, the marketplace CSV (header jurisdiction,application_number,publication_number,...) "
        "or JSON Lines (.jsonl)"
    )


def count_rows(path: Path, fmt: str | None = None) -> int:
    """Number of records in the file (for a progress bar): CSV records after the header, or
    non-blank JSON lines.  Multi-line quoted CSV fields count once."""
    fmt = fmt or detect_format(path)
    if fmt == "jsonl":
        with path.open(encoding=ENCODING, errors="replace") as handle:
            return sum(1 for text in handle if text.strip())
    with path.open(encoding=ENCODING, errors="replace", newline="") as handle:
        rows = sum(1 for row in csv.reader(handle) if any(row))
    return max(rows - 1, 0)


# --- reading ------------------------------------------------------------------------------------


def read_patents(
    path: Path, fmt: str | None = None, *, today: datetime.date | None = None
) -> Iterator[ImportedPatent | RowError]:
    """Yield the records of ``path`` in file order: an ``ImportedPatent`` or a ``RowError`` each.

    ``fmt`` is one of ``FORMATS``; by default ``detect_format`` decides.  ``today`` (default:
    the current date) is the reference for the two-digit Lens years and the *expired* rule.
    """
    fmt = fmt or detect_format(path)
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    day = today or datetime.datetime.now(tz=ZoneInfo("Asia/Shanghai")).date()  # Beijing's date
    if fmt == "jsonl":
        return read_jsonl(path, day)
    factory = {"wipo": wipo_builder, "lens": lens_builder, "native-csv": native_builder}[fmt]
    return read_csv(path, lambda header: factory(header, day))
