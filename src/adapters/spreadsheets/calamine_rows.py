"""Decoding what the calamine child writes (see calamine_child): rows of JSON values into cells."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, overload

from prorata.domain.readings.sheet import Cell

# A float's shortest text has at most 17 significant digits; noise shows from about 15.
_NOISY_DIGITS = 15
_ONE = Decimal(1)


def decode_json(text: bytes) -> Any:
    return json.loads(text, parse_float=_number, parse_int=Decimal, parse_constant=str)


class LazyRows(Sequence[tuple[Cell, ...]]):
    """A sheet's rows: the first ones decoded, the others when something reads past them, or when told
    to. A workbook's other sheets (units, costs) often go unread, by `simulate` for one. `rest` is the
    child's other lines, a chunk of rows each: decoded one after another, each let go once decoded, so
    that a sheet is never held twice (as text and as cells) nor as JSON's lists besides its rows."""

    def __init__(self, head: list[tuple[Cell, ...]], count: int, rest: list[bytes], specials: bool) -> None:
        self._head = head
        self._specials = specials
        self._count = count
        self._rest: list[bytes] | None = rest
        self._all: tuple[tuple[Cell, ...], ...] | None = None
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> tuple[Cell, ...]: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[tuple[Cell, ...]]: ...

    def __getitem__(self, index: int | slice) -> tuple[Cell, ...] | Sequence[tuple[Cell, ...]]:
        decoded = self._all
        if decoded is not None:
            return decoded[index]
        if isinstance(index, slice):
            start, stop = index.start or 0, index.stop
            if index.step is None and start >= 0 and stop is not None and stop <= len(self._head):
                return tuple(self._head[index])
            return self._rows()[index]
        if 0 <= index < len(self._head):
            return self._head[index]
        return self._rows()[index]

    def __iter__(self) -> Iterator[tuple[Cell, ...]]:
        return iter(self._all if self._all is not None else self._rows())

    def decode(self) -> None:
        self._rows()

    def _rows(self) -> tuple[tuple[Cell, ...], ...]:
        with self._lock:
            if self._all is None:
                assert self._rest is not None
                rest, self._rest = self._rest, None
                rest.reverse()  # taken from the end, each chunk's bytes let go as soon as it is decoded
                rows = list(self._head)
                while rest:
                    rows.extend(decode_rows(decode_json(rest.pop()), self._specials))
                if len(rows) != self._count:
                    raise ValueError(f"the sheet holds {len(rows)} rows, its reader said {self._count}")
                self._all = tuple(rows)
            return self._all


def decode_rows(rows: list[list[Any]], specials: bool) -> Iterator[tuple[Cell, ...]]:
    """Rows as the child wrote them (see calamine_child): numbers are Decimal already, an empty cell is
    None; with `specials`, some cells are lists (a date or a text)."""
    return map(_with_specials if specials else tuple, rows)


def _with_specials(cells: list[Any]) -> tuple[Cell, ...]:
    if list in set(map(type, cells)):
        return tuple(_special(c) if type(c) is list else c for c in cells)
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
