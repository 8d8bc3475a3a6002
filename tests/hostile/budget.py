"""How much hostile input a run takes: `make test` a fixed seed over ~100 files, in seconds; `make fuzz`
more files (PRORATA_FUZZ_FILES) from another seed (PRORATA_FUZZ_SEED)."""

from __future__ import annotations

import os
from collections.abc import Iterable

from tests.hostile.mutations import Hostile

SEED = int(os.environ.get("PRORATA_FUZZ_SEED", "20261201"))
FILES = int(os.environ.get("PRORATA_FUZZ_FILES", "100"))
# Every file goes through the upload API; this many of each kind also through the slower ways in — the
# CLI (a process per file), the errors workbook (built by a process of its own), the drop zone.
SAMPLE = int(os.environ.get("PRORATA_FUZZ_SAMPLE", "1"))


def sample(files: Iterable[Hostile]) -> list[Hostile]:
    """The first SAMPLE files of each kind."""
    taken: dict[str, int] = {}
    chosen = []
    for hostile in files:
        if taken.get(hostile.kind, 0) < SAMPLE:
            taken[hostile.kind] = taken.get(hostile.kind, 0) + 1
            chosen.append(hostile)
    return chosen
