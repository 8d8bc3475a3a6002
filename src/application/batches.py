"""How many jobs one broker message names: a publish's 10,000 receipts are relayed and pushed many to a
message (a transaction for many, not one each), yet a few are still spread over the workers' threads, so
nine pushes are sent side by side rather than one after another by one thread."""

from __future__ import annotations

from collections.abc import Sequence
from math import ceil

EVENTS_AT_ONCE = 100  # events a relay's message names at most
PUSHES_AT_ONCE = 25  # notifications a sender's message names at most
SPREAD = 8  # messages at least, when there are as many ids: a deployment's worker threads, about


def spread(ids: Sequence[str], most: int) -> list[list[str]]:
    """`ids` in order, cut into messages of at most `most`, and into SPREAD at least when there are that
    many."""
    if not ids:
        return []
    size = max(1, min(most, ceil(len(ids) / SPREAD)))
    return [list(ids[start : start + size]) for start in range(0, len(ids), size)]
