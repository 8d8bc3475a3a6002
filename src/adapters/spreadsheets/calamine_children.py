"""Running calamine children: up to two processes parse a workbook's sheets side by side, each under
its own memory, CPU and file-size limits, while this process takes the sheets they write — in the
workbook's order, and within one byte budget for the whole file (`FileLimits.max_decoded_bytes`).

A child writes each sheet to a file of its own and goes on to the next one; this process takes a sheet
only when its turn comes, and only if its bytes fit what the budget has left. So the sheet that fails the
read (it could not be parsed, or it runs the budget out) is always the first such sheet the caller gets —
every sheet, or, with `enough`, those up to the first it holds for — whichever child was faster; the
sheets after that one are never taken; and this process never holds more than the budget, however many
sheets the file has. Children parse at most `_AHEAD` sheets past the one taken next, so the files waiting
on disk are bounded too."""

from __future__ import annotations

import contextlib
import os
import select
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from prorata.adapters.spreadsheets.calamine_rows import LazyRows, decode_json, decode_rows
from prorata.adapters.spreadsheets.limits import FileLimits, too_large, unsupported
from prorata.domain.problems import InvalidInput
from prorata.domain.readings.sheet import Sheet

_CHILD = "prorata.adapters.spreadsheets.calamine_child"
_AHEAD = 4
_LINE_BYTES = 64 * 1024  # the children's stdout lines are short: a count, a sheet ready, why not
# A child that runs out of memory inside calamine panics; asked for a backtrace (RUST_BACKTRACE=1, as
# developers and some images set it), the panic hook's own allocations fail and the child hangs until the
# wall-clock limit — 120 s of a worker for a 2 MB shared-strings bomb. Without, it ends at once.
_NO_BACKTRACE = {"RUST_BACKTRACE": "0", "RUST_LIB_BACKTRACE": "0"}
# What a child's stderr shows when it ran out of memory: Python's error, or pyo3's panic on the NULL a
# failed allocation of a Python object returns.
_OUT_OF_MEMORY = (b"MemoryError", b"PyObject pointer is null", b"memory allocation of")


class _Child:
    """One child process, and the part of a line it wrote that has not been taken yet."""

    def __init__(self, args: list[str]) -> None:
        self.errors: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - closed by stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", _CHILD, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.errors,
            env={**os.environ, **_NO_BACKTRACE},
        )
        assert self.process.stdout is not None
        self.output = self.process.stdout.fileno()  # read with os.read: nothing buffered out of sight
        self.pending = bytearray()
        self.ended = False  # its output ended
        self.sheet: int | None = None  # the sheet it was asked for and has not written yet
        self.done = False  # told that nothing more will be asked

    def ask(self, index: int | None) -> None:
        """Ask for sheet `index`, or, with None, tell the child that nothing more will be asked."""
        stdin = self.process.stdin
        assert stdin is not None
        self.sheet = index
        self.done = index is None
        with contextlib.suppress(BrokenPipeError):  # the child has ended; its exit status says why
            if index is None:
                stdin.close()
            else:
                stdin.write(f"{index}\n".encode())
                stdin.flush()

    def line(self) -> bytes | None:
        """A whole line it wrote, if one has come."""
        end = self.pending.find(b"\n")
        if end < 0:
            return None
        line = bytes(self.pending[: end + 1])
        del self.pending[: end + 1]
        return line

    def failure(self, file_name: str) -> InvalidInput:
        """Why the child's output ended before the sheet it was asked for."""
        code = self.process.wait()
        self.errors.seek(0)
        stderr = self.errors.read(64 * 1024)
        if code < 0 or any(sign in stderr for sign in _OUT_OF_MEMORY):
            return too_large(file_name, "reading it exhausted the memory or time allowed")
        if code == 0:
            return unsupported(file_name, "malformed workbook (a sheet could not be read)")
        last = (stderr.decode(errors="replace").strip().splitlines() or ["no detail"])[-1]
        return unsupported(file_name, f"malformed workbook ({last[:200]})")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None and not pipe.closed:
                with contextlib.suppress(BrokenPipeError):
                    pipe.close()
        self.errors.close()


def parse_in_children(
    path: Path, limits: FileLimits, enough: Callable[[Sheet], bool] | None = None, processes: int = 2
) -> tuple[Sheet, ...]:
    """Every sheet of the workbook at `path` — or, with `enough`, the sheets up to the first it holds
    for. Raises InvalidInput (`file_too_large`, `unsupported_file`) for anything a child could not read
    within the limits, or past the file's byte budget; every child and every file it wrote are gone when
    this returns."""
    with tempfile.TemporaryDirectory(prefix="prorata-sheets-") as folder:
        args = [
            str(path),
            str(limits.max_rows),
            str(limits.max_columns),
            str(limits.max_cell_chars),
            str(limits.child_memory_bytes),
            str(limits.child_seconds),
            folder,
            str(limits.max_decoded_bytes),
        ]
        # Started together: a second child costs a little CPU when the workbook turns out to have one
        # sheet, and saves its start-up time on the way to the sheets otherwise.
        children = [_Child(args) for _ in range(max(1, processes))]
        try:
            return _Collector(path.name, Path(folder), children, limits, enough).run()
        finally:
            for child in children:
                child.stop()


class _Collector:
    """Hands out sheet indices to the children as they become free, and takes the sheets they wrote (or
    why a sheet could not be read) in the workbook's order."""

    def __init__(
        self,
        name: str,
        folder: Path,
        children: list[_Child],
        limits: FileLimits,
        enough: Callable[[Sheet], bool] | None,
    ) -> None:
        self.name, self.folder, self.children, self.enough = name, folder, children, enough
        self.seconds = limits.child_seconds
        self.deadline = time.monotonic() + limits.child_seconds
        self.budget = limits.max_decoded_bytes
        self.taken = 0  # bytes of the sheets taken so far
        self.count: int | None = None
        self.waiting: deque[int] = deque()
        self.written: dict[int, dict[str, Any]] = {}  # by index: what its child said of the sheet written
        self.failed: dict[int, InvalidInput] = {}
        self.sheets: list[Sheet] = []
        self.done = False

    def run(self) -> tuple[Sheet, ...]:
        while True:
            self._take_in_turn()
            if self.done:
                return tuple(self.sheets)
            event = self._next_event()
            if event is None:
                break
            child, line = event
            if line is None:
                self._ended(child)
            else:
                self._answer(child, decode_json(line))
        # Every child has ended before the sheets were all taken: why is in their exit status.
        for child in self.children:
            if child.process.wait() != 0:
                raise child.failure(self.name)
        raise unsupported(self.name, "malformed workbook (it ended before every sheet was read)")

    def _take_in_turn(self) -> None:
        while not self.done and self.count is not None:
            turn = len(self.sheets)
            if turn == self.count:
                self.done = True
                return
            if turn in self.failed:
                raise self.failed[turn]
            if turn not in self.written:
                return
            sheet = self._load(turn)
            self.sheets.append(sheet)
            if self.enough is not None and self.enough(sheet):
                self.done = True
                return
            for child in self.children:
                self._hand(child)  # one that waited for the sheets to be taken goes on
            if self.enough is None and turn + 1 < self.count:
                # Decoded now, while the children parse the next sheets. A caller that reads only up to
                # the sheet `enough` holds for decodes the rows it reads, when it reads them.
                rows = sheet.rows
                assert isinstance(rows, LazyRows)
                rows.decode()

    def _load(self, index: int) -> Sheet:
        path = self.folder / f"{index}.json"
        size = path.stat().st_size
        if self.taken + size > self.budget:
            why = f"its sheets hold more than {self.budget} bytes of cells, the limit for one file"
            raise too_large(self.name, why)
        self.taken += size
        told = self.written[index]
        with path.open("rb") as file:
            head = file.readline()
            rest = file.readlines()
        path.unlink()
        specials = bool(told["specials"])
        first = list(decode_rows(decode_json(head), specials)) if head else []
        rows = LazyRows(first, int(told["rows"]), rest, specials)
        return Sheet(str(told["sheet"]), rows)

    def _answer(self, child: _Child, item: dict[str, Any]) -> None:
        if "sheets" in item:
            if self.count is None:
                self.count = int(item["sheets"])
                self.waiting.extend(range(self.count))
        elif "too_large" in item:
            self.failed[int(item["index"])] = too_large(self.name, str(item["too_large"]))
            child.sheet, child.done = None, True  # and it ends
            return
        elif "ready" in item:
            self.written[int(item["index"])] = item
            child.sheet = None
        self._hand(child)

    def _hand(self, child: _Child) -> None:
        """The next sheet to a child that has none, unless the sheets it would run ahead are not taken."""
        if child.sheet is not None or child.done or child.ended or self.count is None:
            return
        if not self.waiting:
            child.ask(None)
        elif self.waiting[0] < len(self.sheets) + _AHEAD:
            child.ask(self.waiting.popleft())

    def _ended(self, child: _Child) -> None:
        if child.sheet is not None:  # it died on that sheet
            self.failed[child.sheet] = child.failure(self.name)
            child.sheet = None

    def _next_event(self) -> tuple[_Child, bytes | None] | None:
        """A child's next line, or (child, None) when its output ended; None once every child's has.
        Raises InvalidInput past the deadline."""
        while True:
            for child in self.children:
                line = child.line()
                if line is not None:
                    return child, line
            live = [child for child in self.children if not child.ended]
            if not live:
                return None
            ready, _, _ = select.select(
                [child.output for child in live], [], [], max(0.0, self.deadline - time.monotonic())
            )
            if not ready:
                raise too_large(self.name, f"reading it took over {self.seconds} s")
            for child in live:
                if child.output in ready:
                    chunk = os.read(child.output, _LINE_BYTES)
                    if not chunk:
                        child.ended = True
                        return child, None
                    child.pending += chunk
                    if len(child.pending) > _LINE_BYTES:
                        raise unsupported(self.name, "malformed workbook (its reader wrote nonsense)")
