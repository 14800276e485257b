"""JSON Lines in the marketplace's own fields (format ``jsonl``; see ``docs/IMPORT_FORMATS.md``)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path

import msgspec

from marketplace.catalogue.importing.native_record import JSON_DECODER, from_record
from marketplace.catalogue.importing.records import ENCODING, Result, RowError


def read_jsonl(path: Path, today: datetime.date) -> Iterator[Result]:
    with path.open(encoding=ENCODING, errors="replace") as handle:
        for line, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                record = JSON_DECODER.decode(text)
            except msgspec.DecodeError as exc:
                yield RowError(line, f"not a valid record: {exc}")
                continue
            yield from_record(line, record, today)
