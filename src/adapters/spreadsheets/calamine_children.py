"""Running calamine children: up to two processes parse a workbook's sheets side by side, each under
its own memory and CPU limits, while this process decodes the sheets they hand back.

Whatever the order in which sheets come back, the outcome is the same: sheets are judged in the
workbook's order, and a sheet that could not be read fails the read only if it is one the caller gets
(every sheet, or, with `enough`, those up to the first it holds for)."""

from __future__ import annotations

import contextlib
import queue
import subprocess
import sys
import tempfile
import threading
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
_Events = queue.Queue[tuple["_Child", bytes | None]]


class _Child:
    """One child process; a thread forwards its output, line by line, to the parent's queue."""

    def __init__(self, args: list[str], events: _Events) -> None:
        self.errors: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - closed by stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", _CHILD, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.errors,
        )
        self.sheet: int | None = None  # the sheet it was asked for and has not handed back
        self.head: dict[str, Any] | None = None  # that sheet's first line, its other rows coming next
        self.thread = threading.Thread(target=self._forward, args=(events,), daemon=True)
        self.thread.start()

    def _forward(self, events: _Events) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            events.put((self, line))
        events.put((self, None))

    def ask(self, index: int | None) -> None:
        """Ask for sheet `index`, or, with None, tell the child that nothing more will be asked."""
        stdin = self.process.stdin
        assert stdin is not None
        self.sheet = index
        with contextlib.suppress(BrokenPipeError):  # the child has ended; its exit status says why
            if index is None:
                stdin.close()
            else:
                stdin.write(f"{index}\n".encode())
                stdin.flush()

    def failure(self, file_name: str) -> InvalidInput | None:
        """Why the child failed (it has ended), or None if it ended well."""
        code = self.process.wait()
        if code == 0:
            return None
        self.errors.seek(0)
        stderr = self.errors.read(64 * 1024)
        if code < 0 or b"MemoryError" in stderr:
            return too_large(file_name, "reading it exhausted the memory or time allowed")
        last = (stderr.decode(errors="replace").strip().splitlines() or ["no detail"])[-1]
        return unsupported(file_name, f"malformed workbook ({last[:200]})")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        if self.process.stdin is not None and not self.process.stdin.closed:
            with contextlib.suppress(BrokenPipeError):
                self.process.stdin.close()
        # The process is gone, so its output ends: the forwarding thread reads to the end and stops,
        # and only then is the pipe closed (closing it under a reading thread would fail that thread).
        self.thread.join()
        if self.process.stdout is not None:
            self.process.stdout.close()
        self.errors.close()


def parse_in_children(
    path: Path, limits: FileLimits, enough: Callable[[Sheet], bool] | None = None, processes: int = 2
) -> tuple[Sheet, ...]:
    """Every sheet of the workbook at `path` — or, with `enough`, the sheets up to the first it holds
    for. Raises InvalidInput (`file_too_large`, `unsupported_file`) for anything a child could not read
    within the limits; every child is gone when this returns."""
    args = [
        str(path),
        str(limits.max_rows),
        str(limits.max_columns),
        str(limits.max_cell_chars),
        str(limits.child_memory_bytes),
        str(limits.child_seconds),
    ]
    events: _Events = queue.Queue()
    # Started together: a second child costs a little CPU when the workbook turns out to have one sheet,
    # and saves its start-up time on the way to the sheets otherwise.
    children = [_Child(args, events) for _ in range(max(1, processes))]
    try:
        return _Collector(path.name, events, children, enough).run(limits.child_seconds)
    finally:
        for child in children:
            child.stop()


class _Collector:
    """Hands out sheet indices to the children as they become free, gathers the sheets (or why a sheet
    could not be read) and judges them in order."""

    def __init__(
        self, name: str, events: _Events, children: list[_Child], enough: Callable[[Sheet], bool] | None
    ) -> None:
        self.name, self.events, self.children, self.enough = name, events, children, enough
        self.count: int | None = None
        self.waiting: deque[int] = deque()
        self.sheets: dict[int, Sheet] = {}
        self.failed: dict[int, InvalidInput] = {}
        self.judged = 0  # the sheets before this one were read and are not enough
        self.done = False

    def run(self, seconds: int) -> tuple[Sheet, ...]:
        deadline = time.monotonic() + seconds
        live = len(self.children)
        while live and not self.done:
            try:
                child, line = self.events.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise too_large(self.name, f"reading it took over {seconds} s") from None
            if line is None:
                live -= 1
                self._ended(child)
            else:
                self._take(child, line)
            self._judge()
        if not self.done:
            # Every child has ended before every sheet came back: why is in their exit status.
            for child in self.children:
                failure = child.failure(self.name)
                if failure is not None:
                    raise failure
            raise unsupported(self.name, "malformed workbook (it ended before every sheet was read)")
        return tuple(self.sheets[i] for i in range(self.judged))

    def _judge(self) -> None:
        """Looks at the sheets in the workbook's order, as far as they have come back."""
        while not self.done and self.count is not None and self.judged < self.count:
            index = self.judged
            if index in self.failed:
                raise self.failed[index]
            if index not in self.sheets:
                return
            self.judged += 1
            if self.enough is not None and self.enough(self.sheets[index]):
                self.done = True
        if self.count is not None and self.judged == self.count:
            self.done = True

    def _ended(self, child: _Child) -> None:
        if child.sheet is not None:  # it died on that sheet
            self.failed[child.sheet] = child.failure(self.name) or unsupported(
                self.name, "malformed workbook (a sheet could not be read)"
            )
            child.sheet = None

    def _take(self, child: _Child, line: bytes) -> None:
        if child.head is not None:
            head, child.head = child.head, None
            specials = bool(head["specials"])
            rows = LazyRows(list(decode_rows(head["head"], specials)), int(head["rows"]), line, specials)
            others_busy = self.waiting or any(c.sheet is not None and c is not child for c in self.children)
            if others_busy and self.enough is None:
                # Decoded now, while other sheets are still being parsed. A caller that reads only up to
                # the sheet `enough` holds for decodes that one when it reads it, and no other.
                rows.decode()
            self.sheets[int(head["index"])] = Sheet(str(head["sheet"]), rows)
            self._hand_next(child)
            return
        item = decode_json(line)
        if "too_large" in item:
            self.failed[int(item["index"])] = too_large(self.name, str(item["too_large"]))
            child.sheet = None
            return
        if "sheets" not in item:
            child.head = item
            return
        if self.count is None:
            self.count = int(item["sheets"])
            self.waiting.extend(range(self.count))
        self._hand_next(child)

    def _hand_next(self, child: _Child) -> None:
        child.ask(self.waiting.popleft() if self.waiting else None)
