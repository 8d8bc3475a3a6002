"""Picks the reader for a file by what its bytes are, whatever its name says."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from prorata.adapters.spreadsheets.calamine_reader import CalamineSpreadsheetReader
from prorata.adapters.spreadsheets.csv_reader import CsvSpreadsheetReader
from prorata.adapters.spreadsheets.limits import FileLimits, unsupported
from prorata.domain.readings.sheet import Sheet, Workbook

_WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")


class AnyFormatSpreadsheetReader:
    def __init__(self, limits: FileLimits | None = None) -> None:
        self.csv = CsvSpreadsheetReader(limits)
        self.workbooks = CalamineSpreadsheetReader(limits)

    def read(self, path: Path, enough: Callable[[Sheet], bool] | None = None) -> Workbook:
        if not path.is_file():
            raise unsupported(path.name, "no such file")
        with path.open("rb") as handle:
            magic = handle.read(4)
        if magic in _WORKBOOK_MAGIC:
            return self.workbooks.read(path, enough)
        return self.csv.read(path, enough)
