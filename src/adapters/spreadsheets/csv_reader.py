"""CSV as management systems export it: UTF-8 (with or without BOM) or Windows-1252, any of the usual
delimiters, CRLF, title blocks, empty trailing rows."""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from prorata.adapters.spreadsheets.limits import FileLimits, too_large, unsupported
from prorata.domain.readings.sheet import Cell, Sheet, Workbook

_DELIMITERS = (";", ",", "\t", "|")
_SNIFF_LINES = 30
# Where a delimiter tells the locale: ";" separates fields where "," separates decimals, and a decimal
# comma in a ","-separated file would have to be quoted. A tab or a bar tells nothing.
_DECIMAL_HINTS = {";": ",", ",": "."}
_BINARY_MAGIC = {
    b"PK\x03\x04": "a zip archive (XLSX or ODS)",
    b"\xd0\xcf\x11\xe0": "a legacy Excel (XLS) file",
}


class CsvSpreadsheetReader:
    def __init__(self, limits: FileLimits | None = None) -> None:
        self.limits = limits or FileLimits()

    def read(self, path: Path, enough: Callable[[Sheet], bool] | None = None) -> Workbook:
        """A CSV file is one sheet: `enough` changes nothing."""
        name = path.name
        with path.open("rb") as handle:
            raw = handle.read(self.limits.max_bytes + 1)
        if len(raw) > self.limits.max_bytes:
            raise too_large(name, f"larger than the limit of {self.limits.max_bytes} bytes")
        for magic, what in _BINARY_MAGIC.items():
            if raw.startswith(magic):
                raise unsupported(name, f"this is {what}, not a CSV text file")
        if b"\x00" in raw:
            raise unsupported(name, "holds binary data (NUL bytes), not CSV text")
        text = decode(raw)
        del raw  # the text is all that is read from here on
        if len(text) > self.limits.max_decoded_bytes:  # one budget per file, whatever its format
            why = f"it holds more than {self.limits.max_decoded_bytes} characters, the limit for one file"
            raise too_large(name, why)
        delimiter = detect_delimiter(text)
        rows = self._rows(name, text, delimiter)
        return Workbook(name, (Sheet(path.stem, rows),), decimal_hint=_DECIMAL_HINTS.get(delimiter))

    def _rows(self, name: str, text: str, delimiter: str) -> tuple[tuple[Cell, ...], ...]:
        rows: list[tuple[Cell, ...]] = []
        lines = _Lines(text)
        last: list[str] = []  # the source lines of the last record read
        try:
            for record in csv.reader(lines, delimiter=delimiter):
                last, lines.taken = lines.taken, []
                if len(rows) >= self.limits.max_rows:
                    raise too_large(name, f"more than {self.limits.max_rows} rows")
                if len(record) > self.limits.max_columns:
                    raise too_large(
                        name, f"row {len(rows) + 1} has more than {self.limits.max_columns} columns"
                    )
                if any(len(cell) > self.limits.max_cell_chars for cell in record):
                    raise too_large(
                        name,
                        f"row {len(rows) + 1} has a cell longer than {self.limits.max_cell_chars} characters",
                    )
                rows.append(tuple(cell or None for cell in record))
        except csv.Error as error:
            if "field larger than field limit" in str(error):
                raise too_large(name, f"row {len(rows) + 1} has a cell larger than the field limit") from None
            raise unsupported(name, f"malformed CSV near row {len(rows) + 1}: {error}") from None
        _refuse_cut_off(name, rows, last, delimiter)
        while rows and all(cell is None or not str(cell).strip() for cell in rows[-1]):
            rows.pop()
        return tuple(rows)


# A line with its ending (\r\n, \r or \n), or the last one without: as io.StringIO(text, newline="")
# gives them, without the copy of the text StringIO makes (4 bytes a character: 200 MB for a 44 MB file).
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


class _Lines:
    """The text's lines for the csv reader, keeping those taken since the caller last emptied `taken`."""

    def __init__(self, text: str) -> None:
        self._lines = (line.group() for line in _LINE.finditer(text))
        self.taken: list[str] = []

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.taken.append(line)
        return line


def _refuse_cut_off(name: str, rows: list[tuple[Cell, ...]], last: list[str], delimiter: str) -> None:
    """A file cut off midway (an upload stopped, by a server that could not tell) ends inside a quoted
    field, or with a line that has neither its line ending nor the fields of the row before: that is an
    error naming the row, not a shorter file. (A whole last row needs no line ending.)"""
    if not last or all(cell is None or not str(cell).strip() for cell in rows[-1]):
        return
    try:
        for _ in csv.reader(last, delimiter=delimiter, strict=True):
            pass
    except csv.Error as error:
        if "unexpected end of data" in str(error):  # other quoting oddities are read leniently, as above
            why = "opens a quote that the file never closes"
            raise unsupported(name, f"row {len(rows)}, the last, {why}: the file looks cut off") from None
    if len(rows) > 1 and not last[-1].endswith(("\n", "\r")) and len(rows[-1]) < len(rows[-2]):
        why = f"has {len(rows[-1])} fields where the row before has {len(rows[-2])}, and no line ending"
        raise unsupported(name, f"row {len(rows)}, the last, {why}: the file looks cut off")


def decode(raw: bytes) -> str:
    """UTF-8 (a BOM is dropped) when the bytes are valid UTF-8, else Windows-1252."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        # Five bytes are unassigned in Windows-1252; Latin-1 maps every byte, so nothing is lost.
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError:
            return raw.decode("latin-1")


def detect_delimiter(text: str) -> str:
    """The delimiter that splits the first lines most consistently into more than one field."""
    lines = [line for line in text.splitlines()[: _SNIFF_LINES * 2] if line.strip()][:_SNIFF_LINES]
    best, best_score = _DELIMITERS[0], 0
    for delimiter in _DELIMITERS:
        try:
            widths = [len(r) for r in csv.reader(lines, delimiter=delimiter) if len(r) > 1]
        except csv.Error:
            continue
        if not widths:
            continue
        width, count = Counter(widths).most_common(1)[0]
        score = count * 1000 + width
        if score > best_score:
            best, best_score = delimiter, score
    return best
