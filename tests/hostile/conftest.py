"""The hostile-input suite: a corpus of mutated files (tests/hostile/mutations.py) through every way in —
`prorata simulate`, the upload API, the drop zone (tests/hostile/budget.py says how many)."""

from __future__ import annotations

import pytest

from tests.hostile.budget import FILES, SEED
from tests.hostile.mutations import Hostile, corpus


@pytest.fixture(scope="session")
def hostile_files() -> tuple[Hostile, ...]:
    return corpus(SEED, FILES)
