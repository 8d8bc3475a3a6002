"""A spreadsheet as the core sees it: sheets of rows of cells, whatever the file format was."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

Cell = str | Decimal | date | None


@dataclass(frozen=True, slots=True)
class Sheet:
    """`rows[0]` is the row a spreadsheet program shows as row 1."""

    name: str
    rows: Sequence[tuple[Cell, ...]]


@dataclass(frozen=True, slots=True)
class Workbook:
    """`decimal_hint` is the decimal separator the format suggests when no value shows it (a CSV
    separated by ";" comes from a decimal-comma locale), None when it suggests none (a workbook)."""

    file_name: str
    sheets: tuple[Sheet, ...]
    decimal_hint: str | None = None


def is_blank(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())
