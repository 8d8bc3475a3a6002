"""Checks a zip-based workbook (XLSX, ODS) before any parser inflates it: entry count, sizes, ratios,
and the cell range each XLSX sheet declares."""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path

from prorata.adapters.spreadsheets.limits import FileLimits, too_large, unsupported

_DIMENSION = re.compile(rb'<(?:\w+:)?dimension[^>]*\bref="([A-Z]+)?(\d+)?(?::([A-Z]+)(\d+))?"')
_HEAD_BYTES = 64 * 1024
# What zipfile raises on damaged bytes besides BadZipFile: data that does not inflate (zlib.error), an
# archive cut short (EOFError), an unknown compression method or version (NotImplementedError), an entry
# flagged as encrypted (RuntimeError), offsets before the start (OSError), names that are not UTF-8
# (UnicodeDecodeError). The file is on local disk: none of these goes away on a second try.
_DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, OSError, ValueError)


def check_zip(path: Path, limits: FileLimits) -> None:
    name = path.name
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            if len(entries) > limits.max_zip_entries:
                raise too_large(name, f"{len(entries)} entries in the archive, over {limits.max_zip_entries}")
            total = sum(e.file_size for e in entries)
            if total > limits.max_inflated_bytes:
                raise too_large(name, f"inflates to {total} bytes, over {limits.max_inflated_bytes}")
            for entry in entries:
                ratio = entry.file_size / max(entry.compress_size, 1)
                if entry.file_size > 1_000_000 and ratio > limits.max_zip_ratio:
                    raise too_large(name, f"{entry.filename} inflates {ratio:.0f}×, a zip bomb")
            for entry in entries:
                if re.fullmatch(r"xl/worksheets/[^/]+\.xml", entry.filename):
                    with archive.open(entry) as handle:
                        _check_dimension(name, entry.filename, handle.read(_HEAD_BYTES), limits)
    except _DAMAGED as error:
        raise unsupported(name, f"not a readable XLSX/ODS archive ({_why(error)})") from None


def _why(error: Exception) -> str:
    return (str(error).splitlines() or [type(error).__name__])[0][:200]


def _check_dimension(name: str, sheet: str, head: bytes, limits: FileLimits) -> None:
    match = _DIMENSION.search(head)
    if match is None or match.group(4) is None:
        return
    rows = int(match.group(4))
    columns = _column_number(match.group(3).decode())
    if rows > limits.max_rows + 1 or columns > limits.max_columns:
        span = match.group(0).decode(errors="replace")
        raise too_large(name, f"{sheet} declares {rows} rows × {columns} columns ({span})")


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number
