"""The global rate limit's arithmetic: however many callers, no second sees more than the limit — even
with the network holding some requests up on their way."""

from __future__ import annotations

import heapq

from hypothesis import given, settings
from hypothesis import strategies as st

from prorata.domain.notifications.pacing import (
    HEADROOM,
    LATE_MICROS,
    MICROS,
    block_size,
    lapsed,
    most_in_a_second,
    step_micros,
    take_turn,
    take_turns,
)


def test_a_caller_with_the_pace_free_goes_at_once_and_the_next_waits_a_step() -> None:
    step = step_micros(100)
    assert step == round(MICROS / (100 * HEADROOM))  # a tenth under the limit
    first = take_turn(None, 5 * MICROS, step)
    assert (first.slot, first.wait_seconds) == (5 * MICROS, 0)
    second = take_turn(first.next_free, 5 * MICROS, step)
    assert second.wait_seconds == step / MICROS


def test_slots_given_out_long_ago_do_not_make_a_burst_now() -> None:
    turn = take_turn(1 * MICROS, 100 * MICROS, step_micros(10))
    assert turn.slot == 100 * MICROS
    assert turn.wait_seconds == 0


@settings(max_examples=40)
@given(
    limit=st.integers(min_value=1, max_value=300),
    arrivals=st.lists(st.integers(min_value=0, max_value=2 * MICROS), min_size=1, max_size=150),
    delays=st.lists(st.integers(min_value=0, max_value=MICROS // 10 - 1), min_size=150, max_size=150),
)
def test_no_second_ever_sees_more_than_the_limit_even_with_requests_held_up_under_100_ms(
    limit: int, arrivals: list[int], delays: list[int]
) -> None:
    step, next_free, slots = step_micros(limit), None, []
    for now in sorted(arrivals):
        turn = take_turn(next_free, now, step)
        assert turn.slot >= now
        slots.append(turn.slot)
        next_free = turn.next_free
    assert most_in_a_second(slots) <= limit
    assert most_in_a_second([slot + delay for slot, delay in zip(slots, delays, strict=False)]) <= limit


def test_ten_thousand_at_once_at_a_hundred_a_second_take_under_two_minutes() -> None:
    step, next_free, last = step_micros(100), None, None
    for _ in range(10_000):
        last = take_turn(next_free, 0, step)
        next_free = last.next_free
    assert last is not None
    assert 100 < last.wait_seconds < 112  # 90 a second


def _senders_sharing_one_pace(limit: int, durations: list[int], starts: list[int], pushes: int) -> list[int]:
    """Senders that each push `pushes` requests one after another (each taking its duration, µs), taking
    slots in blocks as `block_size` says, from one shared next free slot: the times their requests leave."""
    step, next_free = step_micros(limit), None
    left = dict.fromkeys(range(len(durations)), pushes)
    blocks: dict[int, list[int]] = {n: [] for n in left}
    ready = [(start, n) for n, start in enumerate(starts)]
    heapq.heapify(ready)
    leaving = []
    while ready:
        now, n = heapq.heappop(ready)
        while blocks[n] and lapsed(blocks[n][0], now):
            blocks[n].clear()  # too late for them: given up, never used late
        if not blocks[n]:
            turns = take_turns(next_free, now, step, block_size(left[n], durations[n], step))
            next_free = turns.next_free
            blocks[n] = list(turns.slots)
        slot = blocks[n].pop(0)
        leaves = max(now, slot)
        assert leaves - slot <= LATE_MICROS
        leaving.append(leaves)
        left[n] -= 1
        if left[n]:
            heapq.heappush(ready, (leaves + durations[n], n))
    return leaving


@settings(max_examples=40)
@given(
    limit=st.integers(min_value=1, max_value=3000),
    durations=st.lists(st.integers(min_value=100, max_value=300_000), min_size=1, max_size=8),
    starts=st.lists(st.integers(min_value=0, max_value=MICROS), min_size=8, max_size=8),
    network=st.integers(min_value=0, max_value=MICROS // 10 - LATE_MICROS - 1),
)
def test_senders_taking_slots_in_blocks_never_let_a_second_see_more_than_the_limit(
    limit: int, durations: list[int], starts: list[int], network: int
) -> None:
    leaving = _senders_sharing_one_pace(limit, durations, starts[: len(durations)], pushes=60)
    assert most_in_a_second(leaving) <= limit
    assert most_in_a_second([t + network * (n % 2) for n, t in enumerate(leaving)]) <= limit


def test_a_sender_slower_than_the_pace_takes_one_slot_at_a_time_and_wastes_none() -> None:
    step = step_micros(100)  # 11 ms between slots; a request to OneSignal takes 150 ms
    assert block_size(20, 150_000, step) == 1
    assert block_size(20, None, step) == 1  # how long its requests take is not known yet
    fast = block_size(500, 1_000, step)  # 1 ms a request: it keeps up with the pace
    assert 1 < fast <= 500


def test_two_fast_senders_share_the_pace_and_both_go_at_its_full_rate() -> None:
    limit = 2000
    leaving = _senders_sharing_one_pace(limit, [1_000, 1_000], [0, 0], pushes=1_000)
    seconds = (max(leaving) - min(leaving)) / MICROS
    assert len(leaving) / seconds > 0.8 * limit * HEADROOM  # the slots of one block are not lost
