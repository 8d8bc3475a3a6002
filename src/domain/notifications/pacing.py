"""The global rate limit's arithmetic: requests spaced evenly, one every 1/rate seconds, shared by every
process through one stored "next free slot" (adapters/sql/pace.py keeps it). A caller takes the next slot
and waits until it; so whatever the number of workers, no second sees more than `rate` requests — even
when publishing 10,000 receipts queues 10,000 of them at once. No burst is allowed: OneSignal counts
requests per second, and an even pace never crosses a second's limit. The pace is set a tenth below the
limit (`HEADROOM`): requests leave on their slots but arrive as the network lets them, and one held up
50 ms must not arrive in the same second as the one a full limit's worth of slots later."""

from __future__ import annotations

from dataclasses import dataclass

MICROS = 1_000_000
HEADROOM = 0.9


@dataclass(frozen=True, slots=True)
class Turn:
    """The slot taken (µs since the epoch), what the next caller gets at the earliest, and how long the
    taker waits from `now`."""

    slot: int
    next_free: int
    wait_seconds: float


def step_micros(limit: float) -> int:
    """The spacing of requests kept under `limit` a second, with its headroom (at least 1 µs)."""
    if limit <= 0:
        raise ValueError("a rate limit must be positive")
    return max(1, round(MICROS / (limit * HEADROOM)))


def take_turn(next_free: int | None, now: int, step: int) -> Turn:
    """The next request's slot: now, unless the pace has already given out slots beyond now."""
    slot = now if next_free is None or next_free < now else next_free
    return Turn(slot, slot + step, (slot - now) / MICROS)


def most_in_a_second(slots: list[int]) -> int:
    """The largest number of slots within any one second (half-open window): what the limit bounds."""
    ordered = sorted(slots)
    best, start = 0, 0
    for end, slot in enumerate(ordered):
        while slot - ordered[start] >= MICROS:
            start += 1
        best = max(best, end - start + 1)
    return best
