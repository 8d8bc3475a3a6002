"""Runs in a child process with memory and CPU limits: reads a workbook with python-calamine and prints
its sheets as JSON lines. A crafted file can abort or exhaust only this process."""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Any


def cell(value: Any) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return ["s", str(value).upper()]
    if isinstance(value, int):
        return ["n", str(value)]
    if isinstance(value, float):
        # Binary floating point leaves noise in computed cells (112.25000000000001): the contract keeps at
        # most 9 decimals, so the cell is read at that precision.
        value = round(value, 9)
        return ["n", repr(int(value)) if value.is_integer() else repr(value)]
    if isinstance(value, dt.datetime):
        return ["d", value.date().isoformat()] if value.time() == dt.time() else ["s", value.isoformat(" ")]
    if isinstance(value, dt.date):
        return ["d", value.isoformat()]
    if isinstance(value, dt.time | dt.timedelta):
        return ["s", str(value)]
    return ["s", str(value)]


def main(path: str, max_rows: int, max_columns: int, max_cell_chars: int) -> int:
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(path)
    for name in workbook.sheet_names:
        sheet = workbook.get_sheet_by_name(name)
        if sheet.height > max_rows + 1 or sheet.width > max_columns:
            print(
                json.dumps({"too_large": f"sheet {name!r} spans {sheet.height} rows × {sheet.width} columns"})
            )
            return 0
        rows = []
        for raw in sheet.iter_rows():
            row = [cell(v) for v in raw]
            while row and row[-1] is None:
                row.pop()
            if any(c is not None and len(c[1]) > max_cell_chars for c in row):
                print(
                    json.dumps(
                        {"too_large": f"sheet {name!r} has a cell longer than {max_cell_chars} characters"}
                    )
                )
                return 0
            rows.append(row)
        while rows and not rows[-1]:
            rows.pop()
        print(json.dumps({"sheet": name, "rows": rows}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])))
