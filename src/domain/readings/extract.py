"""Turning the rows of a readings sheet into readings, with an error per bad cell."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from prorata.domain.money import round_half_up
from prorata.domain.problems import ErrorCode, Problem
from prorata.domain.readings.columns import Columns, has_readings, locate_columns, locate_header
from prorata.domain.readings.headers import Field, normalize
from prorata.domain.readings.numbers import detect_decimal_separator, parse_number
from prorata.domain.readings.sheet import Cell, Sheet, is_blank
from prorata.domain.settlement.request import Reading

# The contract's bounds on a quantity: 15 digits before the separator, 9 after.
MAX_DECIMALS = 9
_LARGEST = Decimal(10) ** 15
_NUMERIC = (Field.PREVIOUS, Field.CURRENT, Field.CONSUMPTION, Field.FACTOR)
_TOTAL_ROWS = {"total", "totales", "totals", "total general", "suma", "summe", "gesamt", "somme", "totaux"}
_DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%d/%m/%y", "%d.%m.%y")


@dataclass(frozen=True, slots=True)
class UnitReading:
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
    Raises InvalidInput when a needed column is missing."""
    columns = locate_columns(sheet, mapping)
    body = list(_body(sheet, columns))
    texts = (
        cell
        for _, row in body
        for f in _NUMERIC
        if f in columns.index
        for cell in [_cell(row, columns, f)]
        if isinstance(cell, str)
    )
    separator = detect_decimal_separator(texts) or decimal_hint
    result = ExtractedReadings()
    for number, row in body:
        reading = _RowReader(number, row, columns, separator, result.problems).read()
        if reading is not None:
            result.readings.append(reading)
    return result


def readings_sheet(sheets: tuple[Sheet, ...], mapping: Mapping[Field, str] | None = None) -> Sheet:
    """The sheet that holds the readings: the first whose header row has a unit and reading columns.
    With a mapping, or when none has, the first sheet (whose missing columns are then reported)."""
    if mapping is None:
        for sheet in sheets:
            if locate_header(sheet, has_readings) is not None:
                return sheet
    return sheets[0]


def _body(sheet: Sheet, columns: Columns) -> Iterator[tuple[int, tuple[Cell, ...]]]:
    for index in range(columns.header_index + 1, len(sheet.rows)):
        row = sheet.rows[index]
        unit = _cell(row, columns, Field.UNIT)
        if is_blank(unit) or normalize(str(unit)) in _TOTAL_ROWS:
            continue
        yield index + 1, row


def _cell(row: tuple[Cell, ...], columns: Columns, field: Field) -> Cell:
    index = columns.index.get(field)
    if index is None or index >= len(row):
        return None
    return row[index]


class _RowReader:
    def __init__(
        self, number: int, row: tuple[Cell, ...], columns: Columns, separator: str, problems: list[Problem]
    ) -> None:
        self.number = number
        self.row = row
        self.columns = columns
        self.separator = separator
        self.problems = problems
        self.unit = str(_cell(row, columns, Field.UNIT)).strip()
        meter = _cell(row, columns, Field.METER)
        self.meter = None if is_blank(meter) else str(meter).strip()
        self.failed = False

    def read(self) -> UnitReading | None:
        previous = self.number_in(Field.PREVIOUS)
        current = self.number_in(Field.CURRENT)
        consumption = self.number_in(Field.CONSUMPTION)
        factor = self.number_in(Field.FACTOR)
        read_on = self.date_in(Field.DATE)
        if self.failed:
            return None
        if previous is not None and current is not None:
            consumption = None
        elif consumption is None:
            if previous is not None or current is not None:
                missing = Field.CURRENT if current is None else Field.PREVIOUS
                self.refuse(missing, ErrorCode.INVALID_NUMBER, "is empty while the other reading is given")
            return None
        else:
            previous = current = None
        reading = Reading(
            meter=self.meter,
            previous=previous,
            current=current,
            consumption=consumption,
            factor=Decimal(1) if factor is None else factor,
            read_on=read_on,
            row=self.number,
        )
        return UnitReading(self.unit, reading)

    def number_in(self, field: Field) -> Decimal | None:
        cell = _cell(self.row, self.columns, field)
        if is_blank(cell):
            return None
        try:
            number = cell if isinstance(cell, Decimal) else parse_number(str(cell), self.separator)
        except ValueError:
            self.refuse(field, ErrorCode.INVALID_NUMBER, f"{str(cell)[:40]!r} is not a number")
            return None
        if not number.is_finite() or abs(number) >= _LARGEST:
            self.refuse(field, ErrorCode.INVALID_NUMBER, f"{str(cell)[:40]!r} has more than 15 digits")
            return None
        # Exports of computed columns carry float noise (65657,12299999999); a billionth of a unit
        # moves no cent, so readings keep the contract's 9 decimals.
        return round_half_up(number, MAX_DECIMALS) if _decimals(number) > MAX_DECIMALS else number

    def date_in(self, field: Field) -> date | None:
        cell = _cell(self.row, self.columns, field)
        if is_blank(cell) or isinstance(cell, date):
            return cell if isinstance(cell, date) else None
        parsed = _date(str(cell))
        if parsed is None:
            self.refuse(field, ErrorCode.INVALID_REQUEST, f"{str(cell)[:40]!r} is not a date")
        return parsed

    def refuse(self, field: Field, code: ErrorCode, why: str) -> None:
        header = self.columns.header(field)
        self.failed = True
        self.problems.append(
            Problem(
                code,
                f"row {self.number}, column {header!r}: {why}",
                unit=self.unit,
                meter=self.meter,
                row=self.number,
                column=header,
            )
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
