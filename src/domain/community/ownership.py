"""Who owned a unit when. A unit has one owner at a time: naming a new owner from a day ends the previous
ownership the day before. Occupants (tenants living there) are not owners and are left alone."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, timedelta

from prorata.domain.community.model import Occupancy, OccupancyRole, Resident

_DAY = timedelta(days=1)


def end_ownerships(
    residents: Iterable[Resident], unit_id: str, starts: date, *, keep: str | None = None
) -> list[Resident]:
    """The residents (but `keep`) whose ownership of the unit covers `starts`, as they are once it ends
    the day before. An ownership that began on `starts` itself is dropped: two sources naming different
    owners from the same day, the later one corrects the earlier."""
    changed = []
    for resident in residents:
        if resident.id == keep:
            continue
        held = []
        for occupancy in resident.occupancies:
            if _owns(occupancy, unit_id) and occupancy.covers(starts):
                if occupancy.since is not None and occupancy.since >= starts:
                    continue
                occupancy = replace(occupancy, until=starts - _DAY)
            held.append(occupancy)
        if tuple(held) != resident.occupancies:
            changed.append(replace(resident, occupancies=tuple(held)))
    return changed


def hand_over(residents: Iterable[Resident], unit_id: str, owner: Resident, starts: date) -> list[Resident]:
    """`owner` owns the unit from `starts` on (a file names her its owner): the residents this changes,
    as they are after, `owner` last; none when she owns it on that day already.

    Whoever owned it that day stops the day before. Her ownership runs until the next known owner's
    starts (a file older than what is known fills the gap before it), or with no end."""
    if any(_owns(o, unit_id) and o.covers(starts) for o in owner.occupancies):
        return []
    others = [r for r in residents if r.id != owner.id]
    changed = end_ownerships(others, unit_id, starts)
    after = {r.id: r for r in changed}
    later = [
        o.since
        for r in others
        for o in after.get(r.id, r).occupancies
        if _owns(o, unit_id) and o.since is not None and o.since > starts
    ]
    until = min(later) - _DAY if later else None
    reach, held = until, []
    since: date | None = starts
    for o in owner.occupancies:
        if _owns(o, unit_id) and o.until == starts - _DAY:
            since = o.since  # hers up to the day before: one ownership, not two
        elif (
            _owns(o, unit_id)
            and o.since is not None
            and o.since > starts
            and (reach is None or o.since <= reach)
        ):
            until = o.until  # hers from a later day, with no one between: it starts earlier
        else:
            held.append(o)
    held.append(Occupancy(unit_id, OccupancyRole.OWNER, since, until))
    return [*changed, replace(owner, occupancies=tuple(held))]


def _owns(occupancy: Occupancy, unit_id: str) -> bool:
    return occupancy.unit_id == unit_id and occupancy.role is OccupancyRole.OWNER
