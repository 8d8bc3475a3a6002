"""Runs in a child process with memory, CPU and file-size limits: reads a workbook with python-calamine and
writes each sheet as JSON lines. A crafted file can abort or exhaust only this process.

The hand-over is plain JSON so that the parent trusts nothing it could not check: numbers travel as JSON
numbers (the parent reads them straight into Decimal, and rounds away float noise), text as strings, an
empty cell as null, and the rare cells JSON has no type for as a two-element list: `["d", "2026-09-30"]`
for a date, `["s", text]` for anything shown as text (a time, TRUE/FALSE). Only those rare cells cost a
Python call here."""

from __future__ import annotations

import datetime as dt
import errno
import itertools
import json
import resource
import signal
import sys
from pathlib import Path
from typing import Any

_PLAIN = {str, float, int}
# The first line tells how many sheets the workbook has; the parent then asks for them one by one (it
# may run two of these processes, each parsing a sheet). Each sheet is written to its own file in the
# folder the parent names, `<index>.json`, as two lines: its index, name, row count and first rows (where
# headers are looked for), then the other rows; a line on stdout then says it is ready. So a child never
# waits for the parent to take a sheet before it parses the next, and the parent takes the sheets in the
# workbook's order, each within what the file's byte budget has left.
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


def limit_sheet_bytes(max_bytes: int) -> None:
    """No sheet's file may pass the file's whole byte budget: past it a write fails (EFBIG, SIGXFSZ being
    ignored) instead of filling the disk. A limit inherited from the parent's parent may be lower."""
    _, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    limit = max_bytes if hard == resource.RLIM_INFINITY else min(max_bytes, hard)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def main(path: str, max_rows: int, max_columns: int, max_cell_chars: int, folder: str) -> int:
    """Writes the number of sheets, then, for each sheet index read from stdin, that sheet's file and a
    line saying it is ready; ends when stdin does, or after a sheet past the limits."""
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(path)
    names = workbook.sheet_names
    out = sys.stdout
    out.write(json.dumps({"sheets": len(names)}) + "\n")
    out.flush()
    for line in sys.stdin:
        index = int(line)
        name = names[index]
        why = _write_sheet(
            workbook.get_sheet_by_name(name), name, index, max_rows, max_columns, max_cell_chars, folder
        )
        out.write(json.dumps({"index": index, "too_large": why} if why else {"index": index, "ready": True}))
        out.write("\n")
        out.flush()
        if why:
            return 0
    return 0


def _write_sheet(
    sheet: Any, name: str, index: int, max_rows: int, max_columns: int, max_cell_chars: int, folder: str
) -> str | None:
    """Writes the sheet's file; why it cannot be read within the limits, or None."""
    if sheet.height > max_rows + 1 or sheet.width > max_columns:
        return f"sheet {name!r} spans {sheet.height} rows × {sheet.width} columns"
    read = sheet_rows(sheet.to_python(skip_empty_area=False), max_cell_chars)
    if read is None:
        return f"sheet {name!r} has a cell longer than {max_cell_chars} characters"
    rows, specials = read
    head = {"index": index, "sheet": name, "rows": len(rows), "specials": specials, "head": rows[:HEAD_ROWS]}
    target = Path(folder) / f"{index}.json"
    try:
        with target.open("w", encoding="utf-8") as file:
            file.write(json.dumps(head, ensure_ascii=False, separators=(",", ":")))
            file.write("\n")
            file.write(json.dumps(rows[HEAD_ROWS:], ensure_ascii=False, separators=(",", ":")))
            file.write("\n")
    except OSError as error:
        if error.errno != errno.EFBIG:
            raise
        target.unlink(missing_ok=True)
        limit = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
        return f"sheet {name!r} holds more than {limit} bytes of cells, the limit for one file"
    return None


if __name__ == "__main__":
    confine(int(sys.argv[5]), int(sys.argv[6]))
    limit_sheet_bytes(int(sys.argv[8]))
    sys.exit(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[7]))
