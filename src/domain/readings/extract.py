"""Turning the rows of a readings sheet into readings, with an error per bad cell."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from operator import eq, is_, itemgetter
from typing import NamedTuple

from prorata.domain.problems import ErrorCode, Problem
from prorata.domain.readings.columns import Columns, has_readings, locate_columns, locate_header
from prorata.domain.readings.headers import Field, normalize
from prorata.domain.readings.number_columns import KINDS, ColumnNumbers, NumberError, column_numbers
from prorata.domain.readings.numbers import LARGEST, QUANTITY_DECIMALS, within_bounds
from prorata.domain.readings.sheet import Cell, Sheet
from prorata.domain.settlement.request import ONE, Reading

# Below 10^15, quantizing to a billionth never exceeds 28 digits.
_BILLIONTH = Decimal(10) ** -QUANTITY_DECIMALS
_NUMERIC = (Field.PREVIOUS, Field.CURRENT, Field.CONSUMPTION, Field.FACTOR)
_TOTAL_ROWS = {"total", "totales", "totals", "total general", "suma", "summe", "gesamt", "somme", "totaux"}
_DIGIT = re.compile(r"\d")
_DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%d/%m/%y", "%d.%m.%y")


class UnitReading(NamedTuple):
    """A reading found in a file row, for the unit that row names."""

    unit: str
    reading: Reading


class CurrentReading(NamedTuple):
    """A file row that gives only its meter's current reading: what it counts from is the meter's last
    reading before it, in the meter's history (imports only; a simulation has no history)."""

    unit: str
    meter: str | None
    current: Decimal
    factor: Decimal
    read_on: date | None
    row: int


@dataclass(slots=True)
class ExtractedReadings:
    readings: list[UnitReading] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    current_only: list[CurrentReading] = field(default_factory=list)
    # How each numeric column of the sheet is read (its unit details too: coefficient, area…).
    numbers: dict[Field, ColumnNumbers] = field(default_factory=dict)


def extract_readings(
    sheet: Sheet,
    mapping: Mapping[Field, str] | None = None,
    decimal_hint: str | None = None,
    current_only: bool = False,
) -> ExtractedReadings:
    """Every reading in the sheet, and a problem for every cell that cannot be read. `decimal_hint` is
    the decimal separator the format suggests (see `column_numbers`), None when it suggests none.
    Raises InvalidInput when a needed column is missing. With `current_only`, a sheet may have no previous
    column, and a row with a current reading and no previous one is one of `current_only`.

    The sheet is read column by column (a file may hold 100,000s of rows, and a Python call per cell is
    what costs), then the readings are put together row by row."""
    columns = locate_columns(sheet, mapping, current_only)
    body = _Body(sheet, columns)
    cells = {f: column for f in KINDS if (column := body.column(f)) is not None}
    headers = {f: columns.header(f) for f in cells}
    numbers = column_numbers(cells, headers, decimal_hint)
    refused: dict[int, list[tuple[Field, ErrorCode, str]]] = {}
    values = {f: _quantities(cells[f], numbers[f], f, refused) for f in _NUMERIC if f in cells}
    dates = _dates(body.column(Field.DATE), refused)
    none = itertools.repeat(None)
    result = ExtractedReadings(numbers=numbers)
    if not refused and (found := _all_by_index(body, values, dates)) is not None:
        result.readings = found
        return result
    readings = result.readings
    for position, (number, unit, meter, previous, current, consumption, factor, read_on) in enumerate(
        zip(
            body.numbers,
            body.column(Field.UNIT) or none,
            body.column(Field.METER) or none,
            values.get(Field.PREVIOUS, none),
            values.get(Field.CURRENT, none),
            values.get(Field.CONSUMPTION, none),
            values.get(Field.FACTOR, none),
            dates or none,
            strict=False,  # absent columns are endless Nones
        )
    ):
        unit_code = str(unit).strip()
        meter_code = (str(meter).strip() or None) if meter is not None else None
        if position in refused:
            for field, code, why in refused[position]:
                result.problems.append(_problem(columns, field, code, why, number, unit_code, meter_code))
            continue
        if previous is not None and current is not None:
            consumption = None
        elif consumption is None:
            if current_only and current is not None:
                result.current_only.append(
                    CurrentReading(unit_code, meter_code, current, factor or ONE, read_on, number)
                )
                continue
            if previous is not None or current is not None:
                missing = Field.CURRENT if current is None else Field.PREVIOUS
                why = "is empty while the other reading is given"
                problem = _problem(
                    columns, missing, ErrorCode.INVALID_NUMBER, why, number, unit_code, meter_code
                )
                result.problems.append(problem)
            continue
        else:
            previous = current = None
        reading = Reading(meter_code, previous, current, consumption, factor or ONE, None, read_on, number)
        readings.append(UnitReading(unit_code, reading))
    return result


def holds_readings(mapping: Mapping[Field, str] | None = None) -> Callable[[Sheet], bool]:
    """Whether a sheet is the one `readings_sheet` picks when it comes first among those read: the first
    one, with a mapping; else the first whose header row has a unit and reading columns."""
    if mapping is not None:
        return lambda sheet: True
    return lambda sheet: locate_header(sheet, has_readings) is not None


def readings_sheet(sheets: tuple[Sheet, ...], mapping: Mapping[Field, str] | None = None) -> Sheet:
    """The sheet that holds the readings: the first whose header row has a unit and reading columns.
    With a mapping, or when none has, the first sheet (whose missing columns are then reported)."""
    return next(filter(holds_readings(mapping), sheets), sheets[0])


class _Body:
    """The rows below the header that name a unit (blank and total rows left out), with their numbers
    as a spreadsheet program shows them."""

    def __init__(self, sheet: Sheet, columns: Columns) -> None:
        self.columns = columns
        unit = columns.index[Field.UNIT]
        first = columns.header_index + 1
        rows = sheet.rows[first:]
        # Every row reaching the last column read (most files): a column is one pass of C over the rows.
        self.whole = bool(rows) and min(map(len, rows)) > max(columns.index.values())
        units = self._cells(rows, unit)
        # Most unit codes hold a digit: one search each, in C, says they name a unit (see _is_total).
        digits = list(map(_DIGIT.search, map(str, units)))  # str(None) holds none
        if all(digits):
            self.numbers: Sequence[int] = range(first + 1, first + 1 + len(rows))
            self.rows: Sequence[tuple[Cell, ...]] = rows
        else:
            kept = [
                position
                for position, (cell, digit) in enumerate(zip(units, digits, strict=True))
                if cell is not None and (digit is not None or not _is_total(cell))
            ]
            self.numbers = [first + 1 + position for position in kept]
            self.rows = [rows[position] for position in kept]
        self._columns: dict[Field, list[Cell]] = {}

    def column(self, field: Field) -> list[Cell] | None:
        index = self.columns.index.get(field)
        if index is None:
            return None
        if field not in self._columns:
            self._columns[field] = self._cells(self.rows, index)
        return self._columns[field]

    def _cells(self, rows: Sequence[tuple[Cell, ...]], index: int) -> list[Cell]:
        if self.whole:
            return list(map(itemgetter(index), rows))
        return [row[index] if index < len(row) else None for row in rows]


def _all_by_index(
    body: _Body, values: dict[Field, list[Decimal | None]], dates: list[date | None] | None
) -> list[UnitReading] | None:
    """The readings of a sheet whose every row gives a previous and a current reading, made a column at a
    time (None for any other sheet: the rows are then read one by one). What the loop of
    `extract_readings` makes of such rows, without a Python call per row (0.2 s for 50,000 rows)."""
    previous, current = values.get(Field.PREVIOUS), values.get(Field.CURRENT)
    if previous is None or current is None or _holds_none(previous) or _holds_none(current):
        return None
    units = list(map(str.strip, map(str, body.column(Field.UNIT) or ())))
    meters: Iterable[str | None] = itertools.repeat(None)
    if (cells := body.column(Field.METER)) is not None:
        if _holds_none(cells):
            return None
        meters = list(map(str.strip, map(str, cells)))
        if not all(meters):
            meters = [meter or None for meter in meters]
    factor = values.get(Field.FACTOR)
    factors = itertools.repeat(ONE) if factor is None else [value or ONE for value in factor]
    none = itertools.repeat(None)
    readings = map(
        tuple.__new__,
        itertools.repeat(Reading),
        zip(meters, previous, current, none, factors, none, dates or none, body.numbers, strict=False),
    )
    return list(map(tuple.__new__, itertools.repeat(UnitReading), zip(units, readings, strict=False)))


def _holds_none(values: Sequence[object]) -> bool:
    return any(map(is_, values, itertools.repeat(None)))


def _is_total(unit: Cell) -> bool:
    """True for a cell naming no unit: blank, or a totals row ("Total", "Summe"). Unit codes mostly hold
    a digit and no total's name does, which spares normalising every code."""
    text = unit if type(unit) is str else str(unit)
    if _DIGIT.search(text) is not None:
        return False
    return not text.strip() or normalize(text) in _TOTAL_ROWS


def _quantities(
    cells: list[Cell],
    numbers: ColumnNumbers,
    field: Field,
    refused: dict[int, list[tuple[Field, ErrorCode, str]]],
) -> list[Decimal | None]:
    plain = _plainly_within_bounds(cells, numbers.separator)
    if plain is not None:
        return plain
    values: list[Decimal | None] = []
    append = values.append
    read = numbers.read
    matches = within_bounds(numbers.separator, QUANTITY_DECIMALS).fullmatch
    comma = numbers.separator == ","
    for position, cell in enumerate(cells):
        # Most cells are read here, without a call per cell: a CSV's texts, a workbook's numbers.
        if type(cell) is str:
            if matches(cell):
                append(Decimal(cell.replace(",", ".") if comma else cell))
                continue
        elif (
            type(cell) is Decimal
            and cell.is_finite()
            and -LARGEST < cell < LARGEST
            and cell.quantize(_BILLIONTH) == cell
        ):
            append(cell)
            continue
        try:
            append(read(cell))
        except NumberError as error:
            refused.setdefault(position, []).append((field, error.code, error.why))
            append(None)
    return values


def _plainly_within_bounds(cells: list[Cell], separator: str | None) -> list[Decimal | None] | None:
    """What `_quantities` reads of a column whose every cell it reads as it is, a pass of C each over the
    column (a match and a Decimal a cell took 0.1 s for 100,000 cells); None for any other column."""
    kinds = set(map(type, cells))
    if kinds == {str}:
        texts: list[str] = cells  # type: ignore[assignment]  # every one a str
        joined = "\n".join(texts)
        if joined.count("\n") != len(texts) - 1 or not _lines_within_bounds(separator).fullmatch(joined):
            return None
        return list(map(Decimal, joined.replace(",", ".").split("\n") if separator == "," else texts))
    if kinds == {Decimal}:
        numbers: list[Decimal] = cells  # type: ignore[assignment]  # every one a Decimal
        if not all(map(Decimal.is_finite, numbers)) or not -LARGEST < min(numbers) <= max(numbers) < LARGEST:
            return None
        if not all(map(eq, map(Decimal.quantize, numbers, itertools.repeat(_BILLIONTH)), numbers)):
            return None
        return list(numbers)
    return None


@lru_cache(maxsize=8)
def _lines_within_bounds(separator: str | None) -> re.Pattern[str]:
    """Lines each a number `within_bounds`, for a column's cells joined by line breaks."""
    number = within_bounds(separator, QUANTITY_DECIMALS).pattern
    return re.compile(rf"(?:{number}\n)*+{number}")


def _dates(
    cells: list[Cell] | None, refused: dict[int, list[tuple[Field, ErrorCode, str]]]
) -> list[date | None] | None:
    if cells is None:
        return None
    values: list[date | None] = []
    known: dict[str, date | None] = {}  # a file's dates repeat: one reading day for every row
    for position, cell in enumerate(cells):
        if cell is None or isinstance(cell, date):
            values.append(cell)
            continue
        text = str(cell)
        parsed = known[text] if text in known else known.setdefault(text, _date(text))
        if parsed is None and not text.strip():
            values.append(None)
            continue
        if parsed is None:
            why = f"{str(cell)[:40]!r} is not a date"
            refused.setdefault(position, []).append((Field.DATE, ErrorCode.INVALID_REQUEST, why))
        values.append(parsed)
    return values


def _problem(
    columns: Columns, field: Field, code: ErrorCode, why: str, number: int, unit: str, meter: str | None
) -> Problem:
    header = columns.header(field)
    return Problem(
        code, f"row {number}, column {header!r}: {why}", unit=unit, meter=meter, row=number, column=header
    )


@lru_cache(maxsize=4096)
def _date(cell: str) -> date | None:
    """A file's dates repeat (one reading day for every row): each text is parsed once."""
    text = re.sub(r"\s.*$", "", cell.strip())
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None
