"""Picks the reader for a file by what its bytes are, whatever its name says."""

from __future__ import annotations

import logging
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

from prorata.adapters.spreadsheets.calamine_reader import CalamineSpreadsheetReader
from prorata.adapters.spreadsheets.csv_reader import CsvSpreadsheetReader
from prorata.adapters.spreadsheets.limits import FileLimits, unsupported
from prorata.domain.readings.sheet import Sheet, Workbook

_WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")
# Files people upload by mistake, by their first bytes.
_NOT_SPREADSHEETS = {
    b"%PDF-": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"{\\rtf": "an RTF document",
    b"\x1f\x8b": "a gzip archive",
    b"Rar!": "a RAR archive",
    b"7z\xbc\xaf": "a 7-Zip archive",
}
_CONTROL = bytes(set(range(32)) - {9, 10, 12, 13})
# What parsing raises on bytes it cannot make sense of: the file's fault, the same on every try, so an
# import fails at once rather than being retried. Not OSError or MemoryError: those may pass.
_MALFORMED = (
    ValueError,
    LookupError,
    ArithmeticError,
    EOFError,
    zlib.error,
    zipfile.BadZipFile,
    struct.error,
)
log = logging.getLogger(__name__)


class AnyFormatSpreadsheetReader:
    def __init__(self, limits: FileLimits | None = None) -> None:
        self.csv = CsvSpreadsheetReader(limits)
        self.workbooks = CalamineSpreadsheetReader(limits)

    def refuse_unreadable(self, path: Path, name: str) -> None:
        with path.open("rb") as handle:
            head = handle.read(8192)
        if head[:4] in _WORKBOOK_MAGIC:
            return
        for magic, what in _NOT_SPREADSHEETS.items():
            if head.startswith(magic):
                raise unsupported(name, f"this is {what}, not a spreadsheet or a CSV file")
        text = head.lstrip(b"\xef\xbb\xbf")  # a UTF-8 byte-order mark
        if b"\x00" in text and not text.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise unsupported(name, "binary data, not a spreadsheet or a CSV file")
        if text and sum(text.count(c) for c in _CONTROL) > len(text) // 100:
            raise unsupported(name, "binary data, not a spreadsheet or a CSV file")

    def read(self, path: Path, enough: Callable[[Sheet], bool] | None = None) -> Workbook:
        if not path.is_file():
            raise unsupported(path.name, "no such file")
        with path.open("rb") as handle:
            magic = handle.read(4)
        try:
            if magic in _WORKBOOK_MAGIC:
                return self.workbooks.read(path, enough)
            return self.csv.read(path, enough)
        except _MALFORMED as error:
            # Each reader's checks name what they catch; this is for what none foresaw, so it is logged.
            log.warning("%s cannot be read", path.name, exc_info=error)
            raise unsupported(path.name, f"malformed file ({type(error).__name__})") from None
