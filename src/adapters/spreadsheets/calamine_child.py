"""Runs in a child process with memory and CPU limits: reads a workbook with python-calamine and prints
each sheet as JSON lines. A crafted file can abort or exhaust only this process.

The hand-over is plain JSON so that the parent trusts nothing it could not check: numbers travel as JSON
numbers (the parent reads them straight into Decimal, and rounds away float noise), text as strings, an
empty cell as null, and the rare cells JSON has no type for as a two-element list: `["d", "2026-09-30"]`
for a date, `["s", text]` for anything shown as text (a time, TRUE/FALSE). Only those rare cells cost a
Python call here."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import resource
import sys
from typing import Any

_PLAIN = {str, float, int}
# The first line tells how many sheets the workbook has; the parent then asks for them one by one (it
# may run two of these processes, each parsing a sheet). Each sheet is written as two lines: its index,
# name, row count and first rows (where headers are looked for), then the other rows, which the parent
# decodes while sheets are still being parsed, or, for the last one, only if it reads past them.
HEAD_ROWS = 50


def special(value: Any) -> Any:
    if isinstance(value, bool):
        return ["s", str(value).upper()]
    if isinstance(value, dt.datetime):
        return ["d", value.date().isoformat()] if value.time() == dt.time() else ["s", value.isoformat(" ")]
    if isinstance(value, dt.date):
        return ["d", value.isoformat()]
    return ["s", str(value)]


def sheet_rows(raw_rows: list[list[Any]], max_cell_chars: int) -> tuple[list[list[Any]], bool] | None:
    """The rows with trailing empty cells dropped and the others as None, and whether any row holds a
    cell JSON has no type for; None when a cell is longer than allowed.

    Most exported sheets hold only text and numbers, and no empty cell: three passes over all cells at
    C speed tell, and such a sheet needs no work row by row."""
    cells = list(itertools.chain.from_iterable(raw_rows))
    kinds = set(map(type, cells))
    texts = [v for v in cells if type(v) is str] if str in kinds else []
    if texts and len(max(texts, key=len)) > max_cell_chars:
        return None
    if kinds <= _PLAIN and "" not in texts:
        while raw_rows and not raw_rows[-1]:
            raw_rows.pop()
        return raw_rows, False
    rows = []
    specials = False
    for row in raw_rows:
        while row and row[-1] == "":
            row.pop()
        row_kinds = set(map(type, row))
        if str in row_kinds and "" in row:
            row = [None if v == "" else v for v in row]
        if not row_kinds <= _PLAIN:
            row = [v if type(v) in _PLAIN or v is None else special(v) for v in row]
            specials = True
        rows.append(row)
    while rows and not rows[-1]:
        rows.pop()
    return rows, specials


def confine(memory_bytes: int, cpu_seconds: int) -> None:
    """Limits the child sets on itself before it touches the file (a preexec_fn would do the same from
    the parent, but is unsafe in a process with threads)."""
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def main(path: str, max_rows: int, max_columns: int, max_cell_chars: int) -> int:
    """Writes the number of sheets, then, for each sheet index read from stdin, that sheet; ends when
    stdin does."""
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(path)
    names = workbook.sheet_names
    out = sys.stdout
    out.write(json.dumps({"sheets": len(names)}) + "\n")
    out.flush()
    for line in sys.stdin:
        index = int(line)
        name = names[index]
        sheet = workbook.get_sheet_by_name(name)
        if sheet.height > max_rows + 1 or sheet.width > max_columns:
            why = f"sheet {name!r} spans {sheet.height} rows × {sheet.width} columns"
            out.write(json.dumps({"index": index, "too_large": why}) + "\n")
            return 0
        read = sheet_rows(sheet.to_python(skip_empty_area=False), max_cell_chars)
        if read is None:
            why = f"sheet {name!r} has a cell longer than {max_cell_chars} characters"
            out.write(json.dumps({"index": index, "too_large": why}) + "\n")
            return 0
        rows, specials = read
        head = {
            "index": index,
            "sheet": name,
            "rows": len(rows),
            "specials": specials,
            "head": rows[:HEAD_ROWS],
        }
        out.write(json.dumps(head, ensure_ascii=False, separators=(",", ":")))
        out.write("\n")
        out.write(json.dumps(rows[HEAD_ROWS:], ensure_ascii=False, separators=(",", ":")))
        out.write("\n")
        out.flush()
    return 0


if __name__ == "__main__":
    confine(int(sys.argv[5]), int(sys.argv[6]))
    sys.exit(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])))
