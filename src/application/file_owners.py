"""The owners a community's part of a file names: one resident per person across the tenant, and each
ownership from the file's first day, ending the previous owner's the day before."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date
from itertools import chain

from prorata.domain.community.iban import normalize_iban
from prorata.domain.community.model import CommunityUnit, Occupancy, Resident
from prorata.domain.community.ownership import hand_over
from prorata.domain.community.people import find_resident, name_key, normalize_tax_id
from prorata.domain.ports.ids import IdGenerator
from prorata.domain.ports.unit_of_work import UnitOfWork
from prorata.domain.problems import ErrorCode, Problem

_LOOKUP_BATCH = 1000  # values per IN (...) look-up: SQLite and PostgreSQL both cap a statement's parameters


@dataclass(frozen=True, slots=True)
class _Named:
    unit: CommunityUnit
    name: str
    iban: str | None
    tax_id: str | None


class FileOwners:
    """Collects the file's owner rows (`note`), then in `save` tells who each one is — from a few queries
    for the whole community, not some per unit — and writes what changed.

    `starts` is the day the file's ownerships start: the file's first day (its earliest reading, or the
    day it was received when it has none). Counts for the import's report: `created` residents, `updated`
    residents (new details, or a unit gained), `ended` ownerships (by a new owner)."""

    def __init__(
        self,
        uow: UnitOfWork,
        ids: IdGenerator,
        tenant: str,
        community_id: str,
        starts: date,
        problems: list[Problem],
    ) -> None:
        self.uow, self.ids, self.tenant, self.problems = uow, ids, tenant, problems
        self.community_id, self.starts = community_id, starts
        self.created = self.updated = self.ended = 0
        self._named: list[_Named] = []
        self._known: dict[str, Resident] = {}  # by id: the candidates' details, as they are after the file
        # By resident id, then unit id: what the resident holds of the unit, as it is after the file. The
        # rules (find_resident, hand_over) look at one unit at a time, and are given a resident with
        # that unit's occupancies only: a resident the file names owner of thousands of units would
        # otherwise cost every row a walk over all of them (60,000 rows of one owner took 8 minutes).
        self._holds: dict[str, dict[str, tuple[Occupancy, ...]]] = {}
        self._by_tax_id: dict[str, str] = {}
        self._by_name: dict[str, list[str]] = defaultdict(list)
        self._holding: dict[str, set[str]] = defaultdict(set)  # resident ids by unit id, now or once
        self._community: set[str] = set()
        self._new: list[str] = []
        self._changed: set[str] = set()  # existing residents to write
        self._updated: set[str] = set()  # of them, those with new details or a unit gained

    def note(
        self, unit: CommunityUnit, name: str, iban_text: str | None, tax_id_text: str | None, row: int
    ) -> None:
        """The file's row `row` says `name` owns the unit."""
        iban = self._valid(normalize_iban, iban_text, unit, row, "IBAN")
        tax_id = self._valid(normalize_tax_id, tax_id_text, unit, row, "tax_id")
        self._named.append(_Named(unit, name.strip(), iban, tax_id))

    def save(self) -> None:
        if not self._named:
            return
        self._load()
        for named in self._named:
            self._own(named)
        self.uow.residents.add_all([self._whole(id) for id in self._new])
        for id in sorted(self._changed):
            self.uow.residents.update(self._whole(id))

    def _valid(
        self, normal: Callable[[str], str], text: str | None, unit: CommunityUnit, row: int, column: str
    ) -> str | None:
        if not text:
            return None
        try:
            return normal(text)
        except ValueError as error:
            self.problems.append(
                Problem(
                    ErrorCode.INVALID_REQUEST, f"row {row}: {error}", unit=unit.code, row=row, column=column
                )
            )
            return None

    def _load(self) -> None:
        """The community's residents, and the tenant's with a tax id or an IBAN the file gives."""
        residents = self.uow.residents
        self._remember(residents.list(self.tenant, community_id=self.community_id).items, community=True)
        tax_ids = sorted({n.tax_id for n in self._named if n.tax_id})
        ibans = sorted({n.iban for n in self._named if n.iban})
        for at in range(0, len(tax_ids), _LOOKUP_BATCH):
            self._remember(residents.list(self.tenant, tax_id=tax_ids[at : at + _LOOKUP_BATCH]).items)
        for at in range(0, len(ibans), _LOOKUP_BATCH):
            self._remember(residents.list(self.tenant, iban=ibans[at : at + _LOOKUP_BATCH]).items)

    def _remember(self, residents: Iterable[Resident], community: bool = False) -> None:
        for resident in residents:
            if resident.id in self._known:
                continue
            self._known[resident.id] = resident
            holds: dict[str, list[Occupancy]] = defaultdict(list)
            for occupancy in resident.occupancies:
                holds[occupancy.unit_id].append(occupancy)
            self._holds[resident.id] = {unit: tuple(held) for unit, held in holds.items()}
            if resident.tax_id:
                self._by_tax_id[resident.tax_id] = resident.id
            self._by_name[name_key(resident.name)].append(resident.id)
            for occupancy in resident.occupancies:
                self._holding[occupancy.unit_id].add(resident.id)
            if community:
                self._community.add(resident.id)

    def _own(self, named: _Named) -> None:
        ids = set(self._by_name.get(name_key(named.name), ()))
        if named.tax_id in self._by_tax_id:
            ids.add(self._by_tax_id[named.tax_id])
        unit = named.unit.id
        candidates = [self._of_unit(id, unit) for id in sorted(ids)]
        found = find_resident(candidates, named.name, named.tax_id, named.iban, unit, self._community)
        if found is None:
            found = Resident(self.ids.new(), self.tenant, named.name, iban=named.iban, tax_id=named.tax_id)
            self._new.append(found.id)
            self._remember([found])
            self.created += 1
        else:
            details = replace(found, iban=named.iban or found.iban, tax_id=found.tax_id or named.tax_id)
            if details != found:
                self._keep(details, unit, updated=True)
                found = details
        self._community.add(found.id)
        holders = [self._of_unit(id, unit) for id in sorted(self._holding[unit])]
        changed = hand_over(holders, unit, found, self.starts)
        for resident in changed:
            self._keep(resident, unit, updated=resident.id == found.id)
        self.ended += max(len(changed) - 1, 0)
        self._holding[unit].add(found.id)

    def _of_unit(self, id: str, unit: str) -> Resident:
        """The resident with what she holds of the unit only."""
        return replace(self._known[id], occupancies=self._holds[id].get(unit, ()))

    def _whole(self, id: str) -> Resident:
        return replace(self._known[id], occupancies=tuple(chain.from_iterable(self._holds[id].values())))

    def _keep(self, resident: Resident, unit: str, updated: bool) -> None:
        """`resident` (with what she holds of `unit` only) is as the file leaves her."""
        self._known[resident.id] = resident
        self._holds[resident.id][unit] = resident.occupancies
        if resident.tax_id:
            self._by_tax_id[resident.tax_id] = resident.id
        if resident.id not in self._new:
            self._changed.add(resident.id)
            if updated:
                self._updated.add(resident.id)
        self.updated = len(self._updated)
