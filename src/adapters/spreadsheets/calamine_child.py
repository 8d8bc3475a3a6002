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
from collections.abc import Iterator
from pathlib import Path
from typing import Any

_PLAIN = {str, float, int}
# The first line tells how many sheets the workbook has; the parent then asks for them one by one (it
# may run two of these processes, each parsing a sheet). Each sheet is written to its own file in the
# folder the parent names, `<index>.json`, a line of rows at a time: its first rows (where headers are
# looked for), then the others in chunks; a line on stdout then says it is ready, with its name, its
# number of rows and whether any cell needed a special form. So a child never waits for the parent to
# take a sheet before it parses the next, and the parent takes the sheets in the workbook's order, each
# within what the file's byte budget has left. Rows go from calamine to the file a chunk at a time: a
# child never holds a 500,000-row sheet's rows as Python objects at once (≈ 250 MB), only calamine's own
# cells and a chunk.
HEAD_ROWS = 50
CHUNK_ROWS = 10_000


def special(value: Any) -> Any:
    if isinstance(value, bool):
        return ["s", str(value).upper()]
    if isinstance(value, dt.datetime):
        return ["d", value.date().isoformat()] if value.time() == dt.time() else ["s", value.isoformat(" ")]
    if isinstance(value, dt.date):
        return ["d", value.isoformat()]
    return ["s", str(value)]


def sheet_rows(raw_rows: list[list[Any]], max_cell_chars: int) -> tuple[list[list[Any]], bool, int] | None:
    """The rows with trailing empty cells dropped and the others as None (a row of empty cells becomes
    empty), whether any row holds a cell JSON has no type for, and how many characters their texts hold;
    None when a cell is longer than allowed.

    Most exported sheets hold only text and numbers, and no empty cell: three passes over all cells at
    C speed tell, and such rows need no work one by one."""
    cells = list(itertools.chain.from_iterable(raw_rows))
    kinds = set(map(type, cells))
    texts = [v for v in cells if type(v) is str] if str in kinds else []
    if texts and len(max(texts, key=len)) > max_cell_chars:
        return None
    chars = sum(map(len, texts))
    if kinds <= _PLAIN and "" not in texts:
        return raw_rows, False, chars
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
    return rows, specials, chars


def chunks_of(sheet: Any) -> Iterator[list[list[Any]]]:
    """The sheet's rows as `to_python(skip_empty_area=False)` gives them — from the first row and column
    whatever the range's start — `HEAD_ROWS` first, then `CHUNK_ROWS` at a time."""
    start = sheet.start
    if start is None:  # an empty sheet
        return
    pad = [""] * start[1]  # iter_rows begins at the range's first column: the columns before it are empty
    rows = sheet.iter_rows()
    size = HEAD_ROWS
    while (
        chunk := [pad + row for row in itertools.islice(rows, size)]
        if pad
        else [*itertools.islice(rows, size)]
    ):
        yield chunk
        size = CHUNK_ROWS


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
        told = _write_sheet(
            workbook.get_sheet_by_name(name), name, index, max_rows, max_columns, max_cell_chars, folder
        )
        out.write(json.dumps(told, ensure_ascii=False) + "\n")
        out.flush()
        if "too_large" in told:
            return 0
    return 0


def _write_sheet(
    sheet: Any, name: str, index: int, max_rows: int, max_columns: int, max_cell_chars: int, folder: str
) -> dict[str, Any]:
    """Writes the sheet's file; what the parent is told: it is ready (with its rows), or why it cannot be
    read within the limits."""
    if sheet.height > max_rows + 1 or sheet.width > max_columns:
        why = f"sheet {name!r} spans {sheet.height} rows × {sheet.width} columns"
        return {"index": index, "too_large": why}
    target = Path(folder) / f"{index}.json"
    count = 0
    specials = False
    held = 0  # empty rows held back: written only if a row with cells follows
    chars, limit = 0, resource.getrlimit(resource.RLIMIT_FSIZE)[0]
    try:
        with target.open("w", encoding="utf-8") as file:
            for raw in chunks_of(sheet):
                read = sheet_rows(raw, max_cell_chars)
                if read is None:
                    why = f"sheet {name!r} has a cell longer than {max_cell_chars} characters"
                    return {"index": index, "too_large": why}
                rows, special_cells, texts = read
                specials |= special_cells
                chars += texts
                if limit != resource.RLIM_INFINITY and chars > limit:  # refused now, not once written
                    why = f"sheet {name!r} holds more than {limit} bytes of cells, the limit for one file"
                    return {"index": index, "too_large": why}
                last = len(rows)
                while last and not rows[last - 1]:
                    last -= 1
                if not last:
                    held += len(rows)
                    continue
                written = [[]] * held + rows[:last] if held else rows[:last]
                held = len(rows) - last
                file.write(json.dumps(written, ensure_ascii=False, separators=(",", ":")))
                file.write("\n")
                count += len(written)
    except OSError as error:
        if error.errno != errno.EFBIG:
            raise
        target.unlink(missing_ok=True)
        limit = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
        why = f"sheet {name!r} holds more than {limit} bytes of cells, the limit for one file"
        return {"index": index, "too_large": why}
    return {"index": index, "ready": True, "sheet": name, "rows": count, "specials": specials}


if __name__ == "__main__":
    confine(int(sys.argv[5]), int(sys.argv[6]))
    limit_sheet_bytes(int(sys.argv[8]))
    sys.exit(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[7]))
