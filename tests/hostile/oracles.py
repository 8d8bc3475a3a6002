"""What must hold of whatever we hand back or go through, however hostile the file."""

from __future__ import annotations

import csv
import io
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl

# A text a spreadsheet program reads as a formula when it starts with one of these; "'" before it makes
# it plain text.
TRIGGERS = ("=", "+", "-", "@")
ENDED = {"settled", "awaiting_costs", "failed"}
_PAGE = 4096


def formulas_in_workbook(content: bytes) -> list[str]:
    """Every cell of an XLSX that a spreadsheet program would run: formulas, and text that reads as one
    (unless quoted with a leading apostrophe); sheet names too."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    found = [f"sheet name {title!r}" for title in book.sheetnames if title.startswith(TRIGGERS)]
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    found.append(f"{sheet.title}!{cell.coordinate} formula {cell.value!r}")
                elif isinstance(cell.value, str) and cell.value.startswith(TRIGGERS) and not cell.quotePrefix:
                    found.append(f"{sheet.title}!{cell.coordinate} text {cell.value[:60]!r}")
    return found


def formulas_in_csv(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [
            f"{path.name} row {number} {value[:60]!r}"
            for number, row in enumerate(csv.reader(handle), 1)
            for value in row
            if value.startswith(TRIGGERS)
        ]


def resident_bytes() -> int:
    return int(Path("/proc/self/statm").read_text().split()[1]) * _PAGE


@dataclass
class Growth:
    """How far this process's resident memory rose above where it stood when measuring began."""

    start: int = field(default_factory=resident_bytes)
    peak: int = 0

    @property
    def bytes(self) -> int:
        return max(self.peak - self.start, 0)


@contextmanager
def memory_growth(every: float = 0.005) -> Iterator[Growth]:
    """Samples this process's resident memory while the block runs (a peak between samples may pass
    unseen; an allocation that matters lasts longer than 5 ms)."""
    growth = Growth()
    growth.peak = growth.start
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            growth.peak = max(growth.peak, resident_bytes())
            time.sleep(every)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield growth
    finally:
        done.set()
        sampler.join()
        growth.peak = max(growth.peak, resident_bytes())


def failures(check: Callable[[], list[str]]) -> list[str]:
    """The check's findings, or what it raised: a hand-back that cannot even be read is a finding too."""
    try:
        return check()
    except Exception as error:
        return [f"unreadable: {type(error).__name__}: {error}"[:300]]
