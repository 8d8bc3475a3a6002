"""Pausing Python's cyclic garbage collector while a use case builds a large settlement, and while its
result is written out as JSON.

Reading 50,000 rows, sharing a bill among 50,000 units and writing their receipts makes millions of
small objects, none of them in a reference cycle; the collector would walk the growing heap again and
again. Measured again once the engine and the output went column by column end to end: without the
pause, `prorata simulate` of 50,000 units takes 1.2 times the CPU time (2.8 s against 2.3 s on a busy
machine; it was 1.5 times before). Paused, it collects nothing that reference counting does not already
free, and runs normally again once the last concurrent pause ends."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_pauses = 0


@contextmanager
def collector_paused() -> Iterator[None]:
    global _pauses
    with _lock:
        # When the collector is off and no pause of ours turned it off, someone disabled it for good.
        ours = _pauses > 0 or gc.isenabled()
        if ours:
            _pauses += 1
            gc.disable()
    try:
        yield
    finally:
        if ours:
            with _lock:
                _pauses -= 1
                if _pauses == 0:
                    gc.enable()
