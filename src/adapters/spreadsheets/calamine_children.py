"""Running calamine children: up to two processes parse a workbook's sheets side by side, each under
its own memory and CPU limits, while this process decodes the sheets they hand back."""

from __future__ import annotations

import contextlib
import queue
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from pathlib import Path
from typing import IO, Any

from prorata.adapters.spreadsheets.calamine_rows import LazyRows, decode_json, decode_rows
from prorata.adapters.spreadsheets.limits import FileLimits, too_large, unsupported
from prorata.domain.readings.sheet import Sheet

_CHILD = "prorata.adapters.spreadsheets.calamine_child"


class _Child:
    """One child process; a thread forwards its output, line by line, to the parent's queue."""

    def __init__(self, args: list[str], events: queue.Queue[tuple[_Child, bytes | None]]) -> None:
        self.errors: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - closed by parse_in_children
        self.process = subprocess.Popen(
            [sys.executable, "-m", _CHILD, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.errors,
        )
        self.head: dict[str, Any] | None = None  # a sheet whose other rows come next
        self.asked = False
        self.thread = threading.Thread(target=self._forward, args=(events,), daemon=True)
        self.thread.start()

    def _forward(self, events: queue.Queue[tuple[_Child, bytes | None]]) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            events.put((self, line))
        events.put((self, None))

    def ask(self, index: int | None) -> None:
        """Ask for sheet `index`, or, with None, tell the child that nothing more will be asked."""
        stdin = self.process.stdin
        assert stdin is not None
        try:
            if index is None:
                stdin.close()
            else:
                stdin.write(f"{index}\n".encode())
                stdin.flush()
                self.asked = True
        except BrokenPipeError:
            pass  # the child has ended; its exit status says why

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None and not stream.closed:
                with contextlib.suppress(BrokenPipeError):
                    stream.close()
        self.thread.join()

    def failure(self) -> str | None:
        """Why the child failed, or None if it ended well."""
        code = self.process.returncode
        if code == 0:
            return None
        self.errors.seek(0)
        stderr = self.errors.read(64 * 1024)
        if code < 0 or b"MemoryError" in stderr:
            return "memory"
        return (stderr.decode(errors="replace").strip().splitlines() or ["no detail"])[-1][:200]


def parse_in_children(path: Path, limits: FileLimits, processes: int = 2) -> tuple[Sheet, ...]:
    """Every sheet of the workbook at `path`. Raises InvalidInput (`file_too_large`, `unsupported_file`)
    for anything a child could not read within the limits; every child is gone when this returns."""
    args = [
        str(path),
        str(limits.max_rows),
        str(limits.max_columns),
        str(limits.max_cell_chars),
        str(limits.child_memory_bytes),
        str(limits.child_seconds),
    ]
    events: queue.Queue[tuple[_Child, bytes | None]] = queue.Queue()
    # Started together: a second child costs a little CPU when the workbook turns out to have one sheet,
    # and saves its start-up time on the way to the sheets otherwise.
    children = [_Child(args, events) for _ in range(max(1, processes))]
    try:
        sheets = _Collector(path.name, events, children).run(limits.child_seconds)
        for child in children:
            child.process.wait()
        for child in children:
            why = child.failure()
            if why == "memory":
                raise too_large(path.name, "reading it exhausted the memory or time allowed")
            if why is not None:
                raise unsupported(path.name, f"malformed workbook ({why})")
        if sheets is None:
            raise unsupported(path.name, "malformed workbook (it ended before every sheet was read)")
        return sheets
    finally:
        for child in children:
            child.stop()
            child.errors.close()


class _Collector:
    """Hands out sheet indices to the children as they become free and gathers the sheets."""

    def __init__(
        self, name: str, events: queue.Queue[tuple[_Child, bytes | None]], children: list[_Child]
    ) -> None:
        self.name, self.events, self.children = name, events, children
        self.count: int | None = None
        self.waiting: deque[int] = deque()
        self.busy: set[_Child] = set()
        self.sheets: dict[int, Sheet] = {}

    def run(self, seconds: int) -> tuple[Sheet, ...] | None:
        deadline = time.monotonic() + seconds
        live = len(self.children)
        while live:
            try:
                child, line = self.events.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise too_large(self.name, f"reading it took over {seconds} s") from None
            if line is None:
                live -= 1
                self.busy.discard(child)
            else:
                self._take(child, line)
        if self.count is None or len(self.sheets) != self.count:
            return None
        return tuple(self.sheets[i] for i in range(self.count))

    def _take(self, child: _Child, line: bytes) -> None:
        if child.head is not None:
            head, child.head = child.head, None
            specials = bool(head["specials"])
            first = list(decode_rows(head["head"], specials))
            rows = LazyRows(first, int(head["rows"]), line, specials)
            self.busy.discard(child)
            if self.waiting or self.busy:
                rows.decode()  # while other sheets are still being parsed
            self.sheets[int(head["index"])] = Sheet(str(head["sheet"]), rows)
            self._hand_next(child)
            return
        item = decode_json(line)
        if "too_large" in item:
            raise too_large(self.name, str(item["too_large"]))
        if "sheets" not in item:
            child.head = item
            return
        if self.count is None:
            self.count = int(item["sheets"])
            self.waiting.extend(range(self.count))
        self._hand_next(child)

    def _hand_next(self, child: _Child) -> None:
        if self.waiting:
            child.ask(self.waiting.popleft())
            self.busy.add(child)
        else:
            child.ask(None)
