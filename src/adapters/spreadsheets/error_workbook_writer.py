"""The workbook a manager fixes and sends again — every sheet of the file as received, each row followed
by its errors, and a summary sheet — written with openpyxl's write-only (streaming) mode.

It runs in a resource-limited child (error_workbook_child) and trusts nothing it writes: every text goes
through `safe_text`, every sheet name through `sheet_titles`. Only rows that hold data are written, so a
lone cell a million rows down costs one row, not a million (see `_rows_to_write`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook as XlsxWorkbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from prorata.domain.imports.safe_text import safe_text, sheet_titles
from prorata.domain.problems import Problem
from prorata.domain.readings.extract import readings_sheet
from prorata.domain.readings.sheet import Cell, Sheet, is_blank

_ERROR_FILL = PatternFill("solid", start_color="FFF4CCCC")
_BOLD = Font(bold=True)
# Blank rows between rows with data are kept, so that rows keep the numbers the errors give them, up to
# this many in a row; a longer run is written as one blank row (a cell far down is no reason to write a
# million rows), and the errors of the rows after it say which row they are.
MAX_BLANK_RUN = 100


def write_error_workbook(
    target: Path,
    original_name: str,
    sheets: Sequence[Sheet],
    problems: Sequence[Problem],
    unread: str | None = None,
) -> None:
    """Writes the workbook to `target`. An error names its sheet in its message, or else belongs to the
    readings sheet; `unread` says why the file's sheets are missing, when they could not be read."""
    book = XlsxWorkbook(write_only=True)
    summary_title = "Errores" if sheets else "Errors"
    titles = sheet_titles((s.name for s in sheets), reserved=[summary_title])
    summary = book.create_sheet(summary_title)
    _summary(summary, original_name, problems, unread)
    by_sheet = _errors_by_sheet(sheets, problems)
    for sheet, title in zip(sheets, titles, strict=True):
        _sheet(book.create_sheet(title), sheet, by_sheet.get(sheet.name, {}))
    book.save(target)


def _summary(out: WriteOnlyWorksheet, name: str, problems: Sequence[Problem], unread: str | None) -> None:
    out.append([_bold(out, "file"), _value(name)])
    if unread is not None:
        out.append([_bold(out, "unread"), _value(unread)])
    out.append([_bold(out, heading) for heading in ("code", "row", "column", "message")])
    for problem in problems:
        out.append([problem.code.value, problem.row, _value(problem.column), _value(problem.message)])


def _errors_by_sheet(sheets: Sequence[Sheet], problems: Sequence[Problem]) -> dict[str, dict[int, list[str]]]:
    default = readings_sheet(tuple(sheets)).name if sheets else None
    by_sheet: dict[str, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    for problem in problems:
        named = next((s.name for s in sheets if problem.message.startswith(f"sheet {s.name!r}")), default)
        if named is not None and problem.row is not None:
            by_sheet[named][problem.row].append(f"[{problem.code.value}] {problem.message}")
    return by_sheet


def _sheet(out: WriteOnlyWorksheet, sheet: Sheet, errors: dict[int, list[str]]) -> None:
    width = max((len(r) for r in sheet.rows), default=0)
    written = 0
    for number, row in _rows_to_write(sheet.rows, set(errors)):
        written += 1
        if row is None:  # a long run of blank rows, as one
            out.append([])
            continue
        messages = errors.get(number, [])
        text = "; ".join(messages)
        if messages and written != number:
            text = f"row {number}: {text}"
        fill = _ERROR_FILL if messages else None
        cells = [_cell(out, value, fill) for value in row]
        cells.extend(_cell(out, None, fill) for _ in range(width - len(row)))
        error = WriteOnlyCell(out, _value(text or None))
        if fill is not None:
            error.fill = fill
        if written == 1:  # the header row's, most often
            error.font = _BOLD
        out.append([*cells, error])


def _rows_to_write(
    rows: Sequence[tuple[Cell, ...]], with_errors: set[int]
) -> Iterator[tuple[int, tuple[Cell, ...] | None]]:
    """(row number, cells) for each row to write, in order; (number, None) for a collapsed blank run."""
    blank_from, blanks = 0, 0
    for number, row in enumerate(rows, start=1):
        if number not in with_errors and all(map(is_blank, row)):
            blank_from, blanks = (blank_from, blanks + 1) if blanks else (number, 1)
            continue
        if blanks > MAX_BLANK_RUN:
            yield blank_from, None
        else:
            yield from ((n, ()) for n in range(blank_from, blank_from + blanks))
        blanks = 0
        yield number, row


def _cell(out: WriteOnlyWorksheet, value: Cell, fill: PatternFill | None) -> Any:
    if fill is None:
        return _value(value)
    cell = WriteOnlyCell(out, _value(value))
    cell.fill = fill
    return cell


def _bold(out: WriteOnlyWorksheet, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(out, text)
    cell.font = _BOLD
    return cell


def _value(value: Cell) -> str | Decimal | date | None:
    """Numbers and dates as they are; any text safe (see safe_text)."""
    if isinstance(value, str):
        return safe_text(value)
    return value
