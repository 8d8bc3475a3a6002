"""A resident sees a unit's records only of the days she held it."""

from __future__ import annotations

from datetime import date

from prorata.domain.community.holdings import held_on
from prorata.domain.community.model import Occupancy, OccupancyRole

SOLD = (Occupancy("1A", OccupancyRole.OWNER, None, date(2026, 3, 31)), Occupancy("G1", OccupancyRole.OWNER))


def test_a_day_counts_within_one_of_her_times_there_both_ends_included() -> None:
    assert held_on(SOLD, "1A", date(2001, 1, 1))
    assert held_on(SOLD, "1A", date(2026, 3, 31))
    assert not held_on(SOLD, "1A", date(2026, 4, 1))
    assert held_on(SOLD, "G1", date(2030, 1, 1))
    assert not held_on(SOLD, "1B", date(2026, 1, 1))
