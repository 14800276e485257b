"""Reading CSV exports record by record, with the line number of each record's first line."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from marketplace.catalogue.importing.records import ENCODING, Builder, Result, RowError


class _BrokenCsvError(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def _csv_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(first line of the record, fields) for every non-blank record, the header included."""
    with path.open(encoding=ENCODING, errors="replace", newline="") as handle:
        reader = csv.reader(handle)
        end = 0
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise _BrokenCsvError(end + 1, f"the file is not valid CSV from here on: {exc}") from exc
            start, end = end + 1, reader.line_num
            if any(row):
                yield start, row


def read_csv(path: Path, make_builder: Callable[[list[str]], Builder | RowError]) -> Iterator[Result]:
    rows = _csv_rows(path)
    try:
        first = next(rows, None)
        if first is None:
            return
        built = make_builder([c.strip() for c in first[1]])
        if isinstance(built, RowError):
            yield built
            return
        width = len(first[1])
        for line, row in rows:
            if len(row) > width:
                yield RowError(line, f"the record has {len(row)} fields but the header has {width}")
            else:
                yield built(line, row if len(row) == width else row + [""] * (width - len(row)))
    except _BrokenCsvError as exc:
        yield RowError(exc.line, exc.message)


def columns(header: list[str], wanted: Sequence[str]) -> dict[str, int] | RowError:
    index: dict[str, int] = {}
    lowered = [h.lower() for h in header]
    for name in wanted:
        try:
            index[name] = lowered.index(name.lower())
        except ValueError:
            return RowError(1, f"the header has no column {name!r}")
    return index
