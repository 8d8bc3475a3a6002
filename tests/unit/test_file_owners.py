"""A file naming one owner for each of thousands of units: every row looks at what the owner holds of
its own unit, not at all she holds — the rows cost work linear in their number (60,000 rows of one owner
took 8 minutes of a worker) — and she ends up owning every unit from the file's first day. The work is
counted in lines of Python run (deterministic), not timed."""

from __future__ import annotations

import itertools
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast

from prorata.application.file_owners import FileOwners
from prorata.domain.community.model import CommunityUnit, OccupancyRole, Resident
from prorata.domain.ports.repository import Page
from prorata.domain.ports.unit_of_work import UnitOfWork
from prorata.domain.problems import Problem

ROWS = 6_000
FIRST_DAY = date(2026, 1, 1)


@dataclass
class FakeResidents:
    """The residents port as FileOwners uses it: the community's residents (none yet), and writes."""

    added: list[Resident] = field(default_factory=list)
    updated: list[Resident] = field(default_factory=list)

    def list(self, tenant: str | None, **where: Any) -> Page[Resident]:
        return Page([], 0)

    def add_all(self, items: Sequence[Resident]) -> None:
        self.added.extend(items)

    def update(self, item: Resident) -> None:
        self.updated.append(item)


@dataclass
class FakeUnitOfWork:
    residents: FakeResidents = field(default_factory=FakeResidents)


class CountingIds:
    def __init__(self) -> None:
        self._next = itertools.count(1)

    def new(self) -> str:
        return f"id{next(self._next)}"

    def many(self, count: int) -> list[str]:
        return [self.new() for _ in range(count)]


def owners_of(rows: int) -> tuple[FakeUnitOfWork, FileOwners, list[Problem]]:
    uow = FakeUnitOfWork()
    problems: list[Problem] = []
    owners = FileOwners(cast(UnitOfWork, uow), CountingIds(), "t", "c", FIRST_DAY, problems)
    for n in range(rows):
        owners.note(
            CommunityUnit(f"u{n}", "t", "c", f"U{n}"), "Promociones Mismo Dueño SL", None, None, n + 2
        )
    return uow, owners, problems


def lines_run_saving(rows: int) -> int:
    """Lines of Python run by save() for a file of `rows` rows of one owner."""
    _, owners, _ = owners_of(rows)
    count = 0

    def trace(frame: Any, event: str, arg: Any) -> Any:
        nonlocal count
        if event == "line":
            count += 1
        return trace

    sys.settrace(trace)
    try:
        owners.save()
    finally:
        sys.settrace(None)
    return count


def test_one_owner_of_thousands_of_units_is_one_resident_owning_each() -> None:
    uow, owners, problems = owners_of(ROWS)
    owners.save()
    (owner,) = uow.residents.added
    assert sorted(o.unit_id for o in owner.occupancies) == sorted(f"u{n}" for n in range(ROWS))
    assert {(o.role, o.since, o.until) for o in owner.occupancies} == {(OccupancyRole.OWNER, FIRST_DAY, None)}
    assert (owners.created, owners.ended, problems) == (1, 0, [])


def test_twice_the_rows_of_one_owner_cost_about_twice_the_work_not_four_times() -> None:
    small, large = lines_run_saving(400), lines_run_saving(800)
    assert large < 2.5 * small, f"400 rows ran {small:,} lines, 800 rows {large:,}: faster than the rows"
