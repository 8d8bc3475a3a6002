"""The global rate limit's arithmetic: however many callers, no second sees more than the limit — even
with the network holding some requests up on their way."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from prorata.domain.notifications.pacing import HEADROOM, MICROS, most_in_a_second, step_micros, take_turn


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
