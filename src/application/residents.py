"""Use case: keeping a resident given over REST. Naming her owner of a unit ends whoever owned it then."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

from prorata.domain.collection.mandate import mandate_problems
from prorata.domain.community.model import Occupancy, OccupancyRole, Resident
from prorata.domain.community.ownership import end_ownerships
from prorata.domain.ports.unit_of_work import UnitOfWork
from prorata.domain.problems import ErrorCode, InvalidInput, Problem
from prorata.domain.receipts.lifecycle import latest_day


def check_mandate(resident: Resident, before: Resident | None, now: datetime) -> None:
    """InvalidInput (422, naming the field and the rule) when the resident's mandate is new or changed
    and a remittance could not use it (domain/collection/mandate.py). A mandate kept from before the rule
    is left as it is: a remittance leaves it out as `invalid_mandate` until it is corrected. "Today" is
    today anywhere on Earth: a manager east of UTC writes her own date."""
    mandate = (resident.mandate_id, resident.mandate_signed_on)
    if before is not None and mandate == (before.mandate_id, before.mandate_signed_on):
        return
    problems = mandate_problems(*mandate, latest_day(now))
    if problems:
        raise InvalidInput(Problem(ErrorCode.INVALID_REQUEST, p.message, field=p.field) for p in problems)


def keep_resident(uow: UnitOfWork, today: date, resident: Resident, before: Resident | None) -> Resident:
    """Store the resident (new when `before` is None) as she is kept: each ownership she gains ends the
    unit's previous ownership the day before it starts.

    An ownership given without a start starts today when someone else owns the unit today, or the day
    after the last one known ended: never as far back as a previous owner's time. Not committed."""
    held: list[Occupancy] = []
    others: dict[str, Resident] = {}
    for occupancy in resident.occupancies:
        gained = occupancy.role is OccupancyRole.OWNER and (
            before is None or occupancy not in before.occupancies
        )
        if gained:
            holders = [
                others.get(r.id, r)
                for r in uow.residents.list(resident.tenant_id, unit_id=occupancy.unit_id).items
                if r.id != resident.id
            ]
            occupancy = _started(occupancy, holders, today)
            if occupancy.since is not None:
                others.update((r.id, r) for r in end_ownerships(holders, occupancy.unit_id, occupancy.since))
        held.append(occupancy)
    kept = replace(resident, occupancies=tuple(held))
    if before is None:
        uow.residents.add(kept)
    else:
        uow.residents.update(kept)
    for other in others.values():
        uow.residents.update(other)
    return kept


def _started(occupancy: Occupancy, holders: list[Resident], today: date) -> Occupancy:
    if occupancy.since is not None:
        return occupancy
    owned = [
        o
        for r in holders
        for o in r.occupancies
        if o.unit_id == occupancy.unit_id and o.role is OccupancyRole.OWNER
    ]
    if not owned:
        return occupancy  # the unit's first known owner: since always
    ended = [o.until for o in owned if o.until is not None and o.until < today]
    owned_today = any(o.covers(today) for o in owned)
    starts = max(ended) + timedelta(days=1) if ended and not owned_today else today
    if occupancy.until is not None and occupancy.until < starts:
        return occupancy
    return replace(occupancy, since=starts)
