"""Runs in a child process with memory, CPU and file-size limits it sets on itself: reads the file as an
import reads it (workbooks through their own calamine children) and writes its errors workbook. A file
crafted to exhaust whatever builds that workbook exhausts only this process.

Reads one JSON request on stdin — {"source", "target", "original_name", "problems": [{code, message,
row, column}], "limits": {FileLimits' fields}, "memory_bytes", "cpu_seconds", "output_bytes"} — and
exits 0 once `target` is written."""

from __future__ import annotations

import json
import resource
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from prorata.adapters.spreadsheets.any_format import AnyFormatSpreadsheetReader
from prorata.adapters.spreadsheets.calamine_child import confine
from prorata.adapters.spreadsheets.error_workbook_writer import write_error_workbook
from prorata.adapters.spreadsheets.limits import FileLimits
from prorata.domain.problems import ErrorCode, InvalidInput, Problem
from prorata.domain.readings.sheet import Sheet

# The exit status that says the workbook did not fit the limits (a signal from the kernel says the same).
EXHAUSTED = 3


def build(request: dict[str, Any]) -> None:
    source, target = Path(request["source"]), Path(request["target"])
    original_name = str(request["original_name"])
    problems = [
        Problem(ErrorCode(p["code"]), str(p["message"]), row=p.get("row"), column=p.get("column"))
        for p in request["problems"]
    ]
    reader = AnyFormatSpreadsheetReader(FileLimits(**request["limits"]))
    sheets: tuple[Sheet, ...] = ()
    unread = None
    try:
        sheets = reader.read(source).sheets
    except InvalidInput as error:
        # What the import said already, said again on the summary, with the file's own name.
        unread = "; ".join(p.message for p in error.problems).replace(source.name, original_name)
    # A CSV's one sheet is named after the stored file; the manager knows it by the name they sent.
    sheets = tuple(replace(s, name=Path(original_name).stem) if s.name == source.stem else s for s in sheets)
    write_error_workbook(target, original_name, sheets, problems, unread)


def limit_output(max_bytes: int) -> None:
    """A workbook larger than this is refused (the write fails) rather than filling the disk."""
    resource.setrlimit(resource.RLIMIT_FSIZE, (max_bytes, max_bytes))


def main() -> int:
    request = json.loads(sys.stdin.buffer.read())
    confine(int(request["memory_bytes"]), int(request["cpu_seconds"]))
    limit_output(int(request["output_bytes"]))
    try:
        build(request)
    except (MemoryError, OSError) as error:
        # Out of memory, past the size it may write (EFBIG) or out of disk: the workbook is too large.
        sys.stderr.write(f"exhausted: {type(error).__name__} {error}\n")
        return EXHAUSTED
    return 0


if __name__ == "__main__":
    sys.exit(main())
