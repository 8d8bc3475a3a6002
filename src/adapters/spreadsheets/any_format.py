"""Picks the reader for a file by what its bytes are, whatever its name says."""

from __future__ import annotations

from pathlib import Path

from prorata.adapters.spreadsheets.csv_reader import CsvSpreadsheetReader
from prorata.adapters.spreadsheets.limits import FileLimits, unsupported
from prorata.domain.readings.sheet import Workbook

_WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}


class AnyFormatSpreadsheetReader:
    def __init__(self, limits: FileLimits | None = None) -> None:
        self.csv = CsvSpreadsheetReader(limits)

    def read(self, path: Path) -> Workbook:
        if not path.is_file():
            raise unsupported(path.name, "no such file")
        if path.suffix.lower() in _WORKBOOK_SUFFIXES:
            raise unsupported(
                path.name, "XLSX, XLS and ODS workbooks are not read yet; export the sheet as CSV"
            )
        return self.csv.read(path)
