"""What a resident may see of a unit's records: only what falls within a time she held it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from prorata.domain.community.model import Occupancy


def held_on(occupancies: Iterable[Occupancy], unit_id: str, day: date) -> bool:
    """Whether one of the occupancies holds the unit on that day (both ends included)."""
    return any(o.unit_id == unit_id and o.covers(day) for o in occupancies)
