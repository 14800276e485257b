"""The marketplace's own CSV format (format ``native-csv``; see ``docs/IMPORT_FORMATS.md``)."""

from __future__ import annotations

import datetime

from marketplace.catalogue.importing.native_record import NATIVE_COLUMNS, Record, from_record
from marketplace.catalogue.importing.records import Builder, Result, RowError


def native_builder(header: list[str], today: datetime.date) -> Builder | RowError:
    lowered = [h.lower() for h in header]
    if "jurisdiction" not in lowered or not {"publication_number", "application_number"} & set(lowered):
        return RowError(
            1, "the header needs a jurisdiction column and a publication_number or application_number column"
        )
    index = [(name, lowered.index(name)) for name in NATIVE_COLUMNS if name in lowered]

    def build(line: int, row: list[str]) -> Result:
        record = Record(**{name: row[i] for name, i in index})
        return from_record(line, record, today)

    return build
