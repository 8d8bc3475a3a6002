"""XLSX, legacy XLS and ODS through python-calamine, parsed in resource-limited child processes after the
archive has been checked, so that no crafted workbook can crash or exhaust the caller."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from prorata.adapters.spreadsheets.calamine_children import parse_in_children
from prorata.adapters.spreadsheets.limits import FileLimits, too_large, unsupported
from prorata.adapters.spreadsheets.zip_guard import check_zip
from prorata.domain.readings.sheet import Sheet, Workbook


class CalamineSpreadsheetReader:
    def __init__(self, limits: FileLimits | None = None) -> None:
        self.limits = limits or FileLimits()

    def read(self, path: Path, enough: Callable[[Sheet], bool] | None = None) -> Workbook:
        name = path.name
        size = path.stat().st_size
        if size > self.limits.max_bytes:
            raise too_large(name, f"larger than the limit of {self.limits.max_bytes} bytes")
        with path.open("rb") as handle:
            magic = handle.read(4)
        if magic == b"PK\x03\x04":
            check_zip(path, self.limits)
        elif magic != b"\xd0\xcf\x11\xe0":
            raise unsupported(name, "not an XLSX, XLS or ODS workbook")
        return Workbook(name, parse_in_children(path, self.limits, enough))
