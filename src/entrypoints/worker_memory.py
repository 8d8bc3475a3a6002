"""A worker hands the memory an import freed back to the system before it takes the next one.

What an import frees (a 500,000-row sheet's cells, its readings) stays the process's: in the malloc arena
of the thread that ran it, fragmented by the few objects that outlive the import. The next file's calamine
children then come on top: 20 portfolio exports of 500,000 readings, the worker held 285, 539, then 708 MiB
between files, and 1,057 MiB with the children at once; handed back, 178 and 324 MiB between the same
files, and 847 MiB at most with the children over the 20."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

# An attempt that left the process this much larger is handed back; a small file's is not worth the full
# collection (≈ 150 ms in a process of many objects, as the test suite's, for each of its imports).
WORTH_HANDING_BACK = 32 * 2**20
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim (every arena's free pages back to the system), where the C library is glibc."""
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        trim = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):  # musl, macOS: no malloc_trim
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


_TRIM = _malloc_trim()


def resident_bytes() -> int | None:
    """This process's resident memory now (Linux); None where /proc does not tell."""
    try:
        return int(Path("/proc/self/statm").read_bytes().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return None


def give_back_memory() -> None:
    """Collect what the import left in reference cycles (the collector is paused while it runs), then
    hand the free pages back."""
    gc.collect()
    if _TRIM is not None:
        _TRIM(0)


@contextmanager
def handing_back_memory() -> Iterator[None]:
    """Whatever the block ends with, the memory it left the process holding is handed back, when it is
    worth it (always, where the process's memory cannot be read)."""
    before = resident_bytes()
    try:
        yield
    finally:
        after = resident_bytes()
        if before is None or after is None or after - before >= WORTH_HANDING_BACK:
            give_back_memory()
