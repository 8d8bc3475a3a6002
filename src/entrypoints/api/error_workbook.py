"""The workbook a manager fixes and sends again: the file's rows as received, with an error column."""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from openpyxl import Workbook as XlsxWorkbook
from openpyxl.styles import Font, PatternFill

from prorata.domain.ports.spreadsheet_reader import SpreadsheetReader
from prorata.domain.problems import InvalidInput, Problem
from prorata.domain.readings.extract import readings_sheet

_ERROR_FILL = PatternFill("solid", start_color="FFF4CCCC")


def errors_workbook(
    reader: SpreadsheetReader, path: Path, original_name: str, problems: Sequence[Problem]
) -> io.BytesIO:
    """Every sheet of the original file, each row followed by its errors; rows with errors highlighted.
    An error names its sheet in its message, or else belongs to the readings sheet."""
    target = XlsxWorkbook()
    target.remove(target.active)
    try:
        sheets = tuple(
            replace(s, name=Path(original_name).stem) if s.name == path.stem else s
            for s in reader.read(path).sheets
        )
    except InvalidInput:
        sheets = ()
    default = readings_sheet(sheets).name if sheets else None
    by_sheet: dict[str | None, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    for problem in problems:
        named = next((s.name for s in sheets if problem.message.startswith(f"sheet {s.name!r}")), default)
        if problem.row is not None:
            by_sheet[named][problem.row].append(f"[{problem.code.value}] {problem.message}")
    for sheet in sheets:
        out = target.create_sheet(sheet.name[:31])
        errors = by_sheet.get(sheet.name, {})
        width = max((len(r) for r in sheet.rows), default=0)
        for number, row in enumerate(sheet.rows, start=1):
            cells = [*row, *([None] * (width - len(row)))]
            out.append([*cells, "; ".join(errors.get(number, []))])
            if number in errors:
                for cell in out[number]:
                    cell.fill = _ERROR_FILL
        out.cell(row=1, column=width + 1).font = Font(bold=True)
    summary = target.create_sheet("Errores" if sheets else "Errors", 0)
    summary.append(["file", original_name])
    summary.append(["code", "row", "column", "message"])
    for problem in problems:
        summary.append([problem.code.value, problem.row, problem.column, problem.message])
    content = io.BytesIO()
    target.save(content)
    content.seek(0)
    return content
