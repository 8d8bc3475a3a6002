"""A worker hands the memory an import freed back to the system (bench_scale, 20 portfolio exports of
500,000 readings: the worker held 285, then 539, then 708 MiB between files, and the next workbook's
calamine children came on top of it — 1,057 MiB at once, past the 1 GB a worker may take)."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

from prorata.entrypoints import worker_memory

# An import's rows freed in a worker thread, a few kept (the rows of a long-lived record, say): the freed
# memory stays the process's, in the thread's malloc arena, until it is handed back.
_IMPORT_FREED = """
import threading
from prorata.entrypoints.worker_memory import handing_back_memory

def rss():
    line = next(l for l in open("/proc/self/status") if l.startswith("VmRSS"))
    return int(line.split()[1]) // 1024

kept = []

def an_import():
    rows = [bytearray(2000) for _ in range(150_000)]
    kept.extend(rows[::64])

def attempt():
    with handing_back_memory():
        an_import()
        print(rss(), end=" ")  # its rows freed, not yet handed back
        raise RuntimeError("the attempt failed")  # handed back all the same

start = rss()
print(start, end=" ")
worker = threading.Thread(target=attempt)
worker.start()
worker.join()
print(rss())
"""


@pytest.mark.skipif(
    sys.platform != "linux" or platform.libc_ver()[0] != "glibc",
    reason="handing freed memory back is glibc's malloc_trim (this is not glibc on Linux)",
)
def test_the_memory_an_import_freed_is_handed_back_to_the_system() -> None:
    done = subprocess.run([sys.executable, "-c", _IMPORT_FREED], capture_output=True, text=True, check=True)
    assert "RuntimeError: the attempt failed" in done.stderr
    start, freed, after = (int(n) for n in done.stdout.split())
    assert freed - start > 200, f"the import's rows were not held as expected: {done.stdout}"
    assert after - start < (freed - start) / 5, f"MiB at start, freed, handed back: {done.stdout}"


def test_an_attempt_that_left_little_behind_pays_no_collection(monkeypatch: pytest.MonkeyPatch) -> None:
    handed_back: list[None] = []
    monkeypatch.setattr(worker_memory, "give_back_memory", lambda: handed_back.append(None))
    with worker_memory.handing_back_memory():
        rows = [bytearray(64) for _ in range(1000)]
    del rows
    assert handed_back == ([None] if worker_memory.resident_bytes() is None else [])
