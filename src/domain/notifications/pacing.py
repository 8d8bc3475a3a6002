"""The global rate limit's arithmetic: requests spaced evenly, one every 1/rate seconds, shared by every
process through one stored "next free slot" (adapters/sql/pace.py keeps it). A caller takes the next slot
and waits until it; so whatever the number of workers, no second sees more than `rate` requests — even
when publishing 10,000 receipts queues 10,000 of them at once. No burst is allowed: OneSignal counts
requests per second, and an even pace never crosses a second's limit. The pace is set a tenth below the
limit (`HEADROOM`): requests leave on their slots but arrive as the network lets them, and one held up
50 ms must not arrive in the same second as the one a full limit's worth of slots later.

A sender with several requests to make one after another takes its slots in a block (one transaction
for many): as many as it can use before the last would leave more than `LATE_MICROS` after its slot —
one at a time when a request takes longer than a step (OneSignal's own latency at its account limit),
so a slow sender holds back nobody. A slot that has lapsed is given up, never used late: every request
leaves within `LATE_MICROS` of its slot, and with the network's delay stays within the headroom's 100 ms."""

from __future__ import annotations

from dataclasses import dataclass

MICROS = 1_000_000
HEADROOM = 0.9
LATE_MICROS = 20_000  # a request may leave this long after its slot; the network gets the rest of 100 ms
MOST_AT_ONCE = 500  # slots one block holds at most


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


@dataclass(frozen=True, slots=True)
class Turns:
    """A block of `count` slots, one step apart from `first` (µs since the epoch), and what the next
    caller gets at the earliest."""

    first: int
    count: int
    step: int
    next_free: int

    @property
    def slots(self) -> list[int]:
        return [self.first + n * self.step for n in range(self.count)]


def take_turns(next_free: int | None, now: int, step: int, count: int) -> Turns:
    """The next `count` slots, the first as `take_turn` gives it."""
    if count < 1:
        raise ValueError("a block holds at least one slot")
    first = take_turn(next_free, now, step).slot
    return Turns(first, count, step, first + count * step)


def lapsed(slot: int, now: int) -> bool:
    """Whether it is too late to leave on `slot`: its request would arrive among later slots' ones."""
    return now - slot > LATE_MICROS


def block_size(left: int, micros_per_request: float | None, step: int) -> int:
    """How many slots a sender with `left` requests to make one after another takes at once, its
    requests taking `micros_per_request` each (None: not known yet, one slot): all it has, up to
    MOST_AT_ONCE, when it keeps up with the pace; else as many as it reaches before the last lapses."""
    if left < 1:
        return 1
    if micros_per_request is None:
        return 1
    most = min(left, MOST_AT_ONCE)
    if micros_per_request <= step:
        return most
    return max(1, min(most, 1 + int(LATE_MICROS // (micros_per_request - step))))


def most_in_a_second(slots: list[int]) -> int:
    """The largest number of slots within any one second (half-open window): what the limit bounds."""
    ordered = sorted(slots)
    best, start = 0, 0
    for end, slot in enumerate(ordered):
        while slot - ordered[start] >= MICROS:
            start += 1
        best = max(best, end - start + 1)
    return best
