"""XLSX, legacy XLS and ODS through python-calamine, parsed in a resource-limited child process after the
archive has been checked, so that no crafted workbook can crash or exhaust the caller."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, overload

from prorata.adapters.spreadsheets.limits import FileLimits, too_large, unsupported
from prorata.adapters.spreadsheets.zip_guard import check_zip
from prorata.domain.readings.sheet import Cell, Sheet, Workbook

_CHILD = "prorata.adapters.spreadsheets.calamine_child"
# A float's shortest text has at most 17 significant digits; noise shows from about 15.
_NOISY_DIGITS = 15
_ONE = Decimal(1)


class CalamineSpreadsheetReader:
    def __init__(self, limits: FileLimits | None = None) -> None:
        self.limits = limits or FileLimits()

    def read(self, path: Path) -> Workbook:
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
        return Workbook(name, self._parse(path))

    def _parse(self, path: Path) -> tuple[Sheet, ...]:
        """Sheets are decoded here as the child writes them, so that decoding one overlaps with the
        child parsing the next; a time limit kills the child."""
        limits = self.limits
        args = [
            str(path),
            str(limits.max_rows),
            str(limits.max_columns),
            str(limits.max_cell_chars),
            str(limits.child_memory_bytes),
            str(limits.child_seconds),
        ]
        with tempfile.TemporaryFile() as errors:
            child = subprocess.Popen(
                [sys.executable, "-m", _CHILD, *args], stdout=subprocess.PIPE, stderr=errors
            )
            timed_out = threading.Event()

            def stop() -> None:
                timed_out.set()
                child.kill()

            timer = threading.Timer(limits.child_seconds, stop)
            timer.start()
            try:
                assert child.stdout is not None
                sheets, too_much = _decode(child.stdout)
                returncode = child.wait()
            finally:
                timer.cancel()
                if child.poll() is None:
                    child.kill()
                    child.wait()
                if child.stdout is not None:
                    child.stdout.close()
            if timed_out.is_set():
                raise too_large(path.name, f"reading it took over {limits.child_seconds} s")
            if too_much is not None:
                raise too_large(path.name, too_much)
            if returncode != 0:
                errors.seek(0)
                stderr = errors.read(64 * 1024)
                if returncode < 0 or b"MemoryError" in stderr:
                    raise too_large(path.name, "reading it exhausted the memory or time allowed")
                last = (stderr.decode(errors="replace").strip().splitlines() or ["no detail"])[-1]
                raise unsupported(path.name, f"malformed workbook ({last[:200]})")
        return sheets


def _decode(stream: IO[bytes]) -> tuple[tuple[Sheet, ...], str | None]:
    sheets: list[Sheet] = []
    count = 0
    for line in stream:
        item = _json(line)
        if "too_large" in item:
            return (), item["too_large"]
        if "sheets" in item:
            count = int(item["sheets"])
            continue
        rows = _Rows([_row(cells) for cells in item["head"]], int(item["rows"]), stream.readline())
        if len(sheets) + 1 < count:
            rows.decode()  # while the child parses the next sheet
        sheets.append(Sheet(item["sheet"], rows))
    return tuple(sheets), None


def _json(text: bytes) -> Any:
    return json.loads(text, parse_float=_number, parse_int=Decimal, parse_constant=str)


class _Rows(Sequence[tuple[Cell, ...]]):
    """A sheet's rows: the first ones decoded, the others when something reads past them, or when told
    to. A workbook's other sheets (units, costs) often go unread, by `simulate` for one."""

    def __init__(self, head: list[tuple[Cell, ...]], count: int, rest: bytes) -> None:
        self._head = head
        self._count = count
        self._rest: bytes | None = rest
        self._all: tuple[tuple[Cell, ...], ...] | None = None
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> tuple[Cell, ...]: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[tuple[Cell, ...]]: ...

    def __getitem__(self, index: int | slice) -> tuple[Cell, ...] | Sequence[tuple[Cell, ...]]:
        if isinstance(index, slice):
            start, stop = index.start or 0, index.stop
            if index.step is None and start >= 0 and stop is not None and stop <= len(self._head):
                return tuple(self._head[index])
            return self._rows()[index]
        if 0 <= index < len(self._head):
            return self._head[index]
        return self._rows()[index]

    def __iter__(self) -> Iterator[tuple[Cell, ...]]:
        return iter(self._rows())

    def decode(self) -> None:
        self._rows()

    def _rows(self) -> tuple[tuple[Cell, ...], ...]:
        with self._lock:
            if self._all is None:
                assert self._rest is not None
                self._all = (*self._head, *map(_row, _json(self._rest)))
                self._rest = None
            return self._all


def _row(cells: list[Any]) -> tuple[Cell, ...]:
    """A row as the child wrote it (see calamine_child): numbers are Decimal already; "" is an empty
    cell; a list is a date or a text."""
    if "" in cells:
        cells = [None if c == "" else c for c in cells]
    if list in set(map(type, cells)):
        cells = [_special(c) if type(c) is list else c for c in cells]
    return tuple(cells)


def _number(text: str) -> Decimal:
    """A float cell, as the shortest text that reads back as the same float. Binary floating point
    leaves noise in computed cells (112.25000000000001, 17 digits): the contract keeps at most 9
    decimals, so a long text is read at that precision."""
    if text.endswith(".0"):
        return Decimal(text[:-2])
    if len(text) < _NOISY_DIGITS:
        return Decimal(text)
    if "e" in text:
        return Decimal(text)
    value = round(Decimal(text), 9)
    return value.quantize(_ONE) if value == value.to_integral_value() else value.normalize()


def _special(value: list[str]) -> Cell:
    kind, text = value
    return date.fromisoformat(text) if kind == "d" else str(text)
