"""Turning the rows of a readings sheet into readings, with an error per bad cell."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from prorata.domain.money import round_half_up
from prorata.domain.problems import ErrorCode, Problem
from prorata.domain.readings.columns import Columns, has_readings, locate_columns, locate_header
from prorata.domain.readings.headers import Field, normalize
from prorata.domain.readings.numbers import detect_decimal_separator, parse_number
from prorata.domain.readings.sheet import Cell, Sheet, is_blank
from prorata.domain.settlement.request import ONE, Reading

# The contract's bounds on a quantity: 15 digits before the separator, 9 after.
MAX_DECIMALS = 9
_LARGEST = Decimal(10) ** 15
_BILLIONTH = Decimal(10) ** -MAX_DECIMALS  # below 10^15, quantizing to it never exceeds 28 digits
_NUMERIC = (Field.PREVIOUS, Field.CURRENT, Field.CONSUMPTION, Field.FACTOR)
_TOTAL_ROWS = {"total", "totales", "totals", "total general", "suma", "summe", "gesamt", "somme", "totaux"}
_DIGIT = re.compile(r"\d")
_DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%d/%m/%y", "%d.%m.%y")


class UnitReading(NamedTuple):
    """A reading found in a file row, for the unit that row names."""

    unit: str
    reading: Reading


@dataclass(slots=True)
class ExtractedReadings:
    readings: list[UnitReading] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def extract_readings(
    sheet: Sheet, mapping: Mapping[Field, str] | None = None, decimal_hint: str = "."
) -> ExtractedReadings:
    """Every reading in the sheet, and a problem for every cell that cannot be read. `decimal_hint` is
    the decimal separator to assume when no value in the file shows which one it uses.
    Raises InvalidInput when a needed column is missing.

    The sheet is read column by column (a file may hold 100,000s of rows, and a Python call per cell is
    what costs), then the readings are put together row by row."""
    columns = locate_columns(sheet, mapping)
    body = _Body(sheet, columns)
    cells = {f: column for f in _NUMERIC if (column := body.column(f)) is not None}
    texts = (cell for column in cells.values() for cell in column if type(cell) is str)
    separator = detect_decimal_separator(texts) or decimal_hint
    refused: dict[int, list[tuple[Field, ErrorCode, str]]] = {}
    values = {f: _quantities(column, separator, f, refused) for f, column in cells.items()}
    dates = _dates(body.column(Field.DATE), refused)
    none = itertools.repeat(None)
    result = ExtractedReadings()
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
        units = [row[unit] if unit < len(row) else None for row in rows]
        kept = [position for position, cell in enumerate(units) if cell is not None and not _is_total(cell)]
        self.numbers = [first + 1 + position for position in kept]
        self.rows = [rows[position] for position in kept]

    def column(self, field: Field) -> list[Cell] | None:
        index = self.columns.index.get(field)
        if index is None:
            return None
        return [row[index] if index < len(row) else None for row in self.rows]


def _is_total(unit: Cell) -> bool:
    """True for a cell naming no unit: blank, or a totals row ("Total", "Summe"). Unit codes mostly hold
    a digit and no total's name does, which spares normalising every code."""
    text = unit if type(unit) is str else str(unit)
    if _DIGIT.search(text) is not None:
        return False
    return not text.strip() or normalize(text) in _TOTAL_ROWS


def _quantities(
    cells: list[Cell], separator: str, field: Field, refused: dict[int, list[tuple[Field, ErrorCode, str]]]
) -> list[Decimal | None]:
    values: list[Decimal | None] = []
    append = values.append
    for position, cell in enumerate(cells):
        if type(cell) is Decimal and cell.is_finite() and -_LARGEST < cell < _LARGEST:
            # Exports of computed columns carry float noise (65657,12299999999); a billionth of a unit
            # moves no cent, so readings keep the contract's 9 decimals.
            append(cell if cell.quantize(_BILLIONTH) == cell else _nine_decimals(cell))
            continue
        if is_blank(cell):
            append(None)
            continue
        try:
            number = cell if isinstance(cell, Decimal) else parse_number(str(cell), separator)
        except ValueError:
            number = None
            why = f"{str(cell)[:40]!r} is not a number"
        else:
            why = f"{str(cell)[:40]!r} has more than 15 digits"
        if number is None or not number.is_finite() or abs(number) >= _LARGEST:
            refused.setdefault(position, []).append((field, ErrorCode.INVALID_NUMBER, why))
            append(None)
        else:
            append(number if number.quantize(_BILLIONTH) == number else _nine_decimals(number))
    return values


def _nine_decimals(number: Decimal) -> Decimal:
    return round_half_up(number, MAX_DECIMALS) if _decimals(number) > MAX_DECIMALS else number


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


def _decimals(number: Decimal) -> int:
    exponent = number.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0
