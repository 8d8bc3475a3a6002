"""What an imported file changes in the registry and which settlements it produces, community by community."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from prorata.domain.community.iban import normalize_iban
from prorata.domain.community.model import Community, CommunityUnit, Occupancy, OccupancyRole, Resident
from prorata.domain.imports.interpret import CommunityFile, CostRow
from prorata.domain.imports.model import ImportJob
from prorata.domain.money import plain
from prorata.domain.ports.ids import IdGenerator
from prorata.domain.ports.unit_of_work import UnitOfWork
from prorata.domain.problems import ErrorCode, Problem
from prorata.domain.settlement.request import Period, Service, unit_key
from prorata.domain.settlement.stored import Settlement, SettlementStatus

PRECOMPUTED = "Importe calculado por la empresa de lectura"


def upsert_registry(
    uow: UnitOfWork, ids: IdGenerator, job: ImportJob, found: CommunityFile, problems: list[Problem]
) -> Community:
    """The community with the units, keys, owners and IBANs the file gives (created when new)."""
    tenant = job.tenant_id
    communities = uow.communities.list(tenant, code=found.code).items
    community = (
        communities[0] if communities else Community(ids.new(), tenant, found.code, found.name or found.code)
    )
    if not communities:
        uow.communities.add(community)
    units = {unit_key(u.code): u for u in uow.units.list(tenant, community_id=community.id).items}
    owners = _Owners(uow, ids, tenant, community.id, problems)
    new_units: list[CommunityUnit] = []
    new_ids: set[str] = set()
    named = {key: code for code, _, _ in found.unit_amounts.values() if (key := unit_key(code))}
    for item in found.readings:
        named.setdefault(unit_key(item.unit), item.unit)
    codes = set(named) | set(found.units)
    for key in sorted(codes):
        details = found.units.get(key)
        unit = units.get(key)
        if unit is None:
            code = details.code if details else named[key]
            coefficient, area = (details.coefficient, details.area) if details else (None, None)
            unit = CommunityUnit(ids.new(), tenant, community.id, code.strip(), coefficient, area)
            new_units.append(unit)
            new_ids.add(unit.id)
        elif details is not None:
            changed = replace(
                unit, coefficient=details.coefficient or unit.coefficient, area=details.area or unit.area
            )
            if changed != unit:
                uow.units.update(changed)
                unit = changed
        if details is not None and details.owner:
            owners.note(unit, details.owner, details.iban, details.row, is_new=unit.id in new_ids)
        units[key] = unit
    uow.units.add_all(new_units)
    owners.save()
    return community


class _Owners:
    """Owners and IBANs the file gives: new residents in one batch, changed IBANs updated."""

    def __init__(
        self, uow: UnitOfWork, ids: IdGenerator, tenant: str, community_id: str, problems: list[Problem]
    ) -> None:
        self.uow, self.ids, self.tenant, self.problems = uow, ids, tenant, problems
        self.community_id = community_id
        self.new: list[Resident] = []
        self._residents: dict[str, Resident] = {}  # the community's, by id
        self._occupying: dict[str, list[str]] | None = None  # resident ids by unit id

    def occupying(self, unit_id: str) -> list[Resident]:
        """The residents of a unit, from one query for the whole community (made when first needed)."""
        if self._occupying is None:
            self._occupying = defaultdict(list)
            for resident in self.uow.residents.list(self.tenant, community_id=self.community_id).items:
                self._residents[resident.id] = resident
                for occupancy in resident.occupancies:
                    self._occupying[occupancy.unit_id].append(resident.id)
        return [self._residents[id] for id in self._occupying.get(unit_id, [])]

    def note(self, unit: CommunityUnit, name: str, iban_text: str | None, row: int, is_new: bool) -> None:
        iban = None
        if iban_text:
            try:
                iban = normalize_iban(iban_text)
            except ValueError as error:
                self.problems.append(
                    Problem(
                        ErrorCode.INVALID_REQUEST,
                        f"row {row}: {error}",
                        unit=unit.code,
                        row=row,
                        column="IBAN",
                    )
                )
        occupying = [] if is_new else self.occupying(unit.id)
        same = [r for r in occupying if r.name.casefold() == name.casefold()]
        if same:
            if iban and same[0].iban != iban:
                changed = replace(same[0], iban=iban)
                self.uow.residents.update(changed)
                self._residents[changed.id] = changed
            return
        occupancy = Occupancy(unit.id, OccupancyRole.OWNER)
        self.new.append(Resident(self.ids.new(), self.tenant, name, iban=iban, occupancies=(occupancy,)))

    def save(self) -> None:
        self.uow.residents.add_all(self.new)


def settlements_for(
    uow: UnitOfWork,
    ids: IdGenerator,
    job: ImportJob,
    community: Community,
    found: CommunityFile,
    problems: list[Problem],
) -> list[Settlement]:
    """Draft settlements carrying the file's readings: one per service of the file's costs; or the
    community's open settlement waiting for readings; or one from amounts computed per unit. None when
    the file has readings but no costs yet (the import then waits for them)."""
    readings = [_reading_json(item.unit, item.reading) for item in found.readings]
    period = _period(found, job)
    if found.unit_amounts:
        return [_precomputed(uow, ids, job, community, found, period, problems)]
    if found.costs:
        by_service: dict[Service, list[CostRow]] = {}
        for cost in found.costs:
            by_service.setdefault(cost.service or Service.OTHER, []).append(cost)
        return [
            _keep(
                uow,
                ids,
                job,
                community,
                service,
                period,
                _terms(service, period, costs),
                _readings_of(found, service) if found.reading_services else readings,
            )
            for service, costs in by_service.items()
        ]
    waiting = [
        s
        for s in uow.settlements.list(
            job.tenant_id, community_id=community.id, status=SettlementStatus.DRAFT.value
        ).items
        if s.import_id in (None, job.id) and s.origin is None
    ]
    if waiting:
        settlement = replace(waiting[0], readings=readings, import_id=job.id)
        uow.settlements.update(settlement)
        return [settlement]
    return []


def _precomputed(
    uow: UnitOfWork,
    ids: IdGenerator,
    job: ImportJob,
    community: Community,
    found: CommunityFile,
    period: tuple[date, date],
    problems: list[Problem],
) -> Settlement:
    """Amounts already computed per unit: each unit's amount is its weight, so each receipt is exactly
    its amount; a costs sheet, when given, must add up to the same total."""
    total = sum((amount for _, amount, _ in found.unit_amounts.values()), Decimal(0))
    billed = sum((c.amount for c in found.costs), Decimal(0))
    if found.costs and billed != total:
        problems.append(
            Problem(
                ErrorCode.INVALID_REQUEST,
                f"community {found.code}: the amounts per unit add up to {plain(total)}, "
                f"the costs to {plain(billed)}",
            )
        )
    service = next((c.service for c in found.costs if c.service), Service.OTHER)
    terms = {
        "service": service.value,
        "period": {"from": period[0].isoformat(), "to": period[1].isoformat()},
        "costs": [{"concept": PRECOMPUTED, "amount": format(total.quantize(Decimal("0.01")), "f")}],
    }
    readings = [
        {"unit": code, "consumption": format(amount, "f")} for code, amount, _ in found.unit_amounts.values()
    ]
    return _keep(uow, ids, job, community, service, period, terms, readings)


def _keep(
    uow: UnitOfWork,
    ids: IdGenerator,
    job: ImportJob,
    community: Community,
    service: Service,
    period: tuple[date, date],
    terms: dict[str, Any],
    readings: list[dict[str, str]],
) -> Settlement:
    """A new draft (the previous drafts of this import are gone by now). When this import's settlement
    for the community and service was published, the draft is its correction — one per published
    settlement, never more, however often the file is processed again."""
    origin = f"{job.id}:{community.id}:{service.value}"
    supersedes = None
    while published := uow.settlements.list(job.tenant_id, origin=origin).items:
        supersedes = published[0].id  # corrected already and published: this one corrects the correction
        origin = f"{origin}:correction"
    settlement = Settlement(
        ids.new(),
        job.tenant_id,
        community.id,
        service,
        Period(*period),
        terms,
        readings=readings,
        import_id=job.id,
        origin=origin,
        supersedes=supersedes,
    )
    uow.settlements.add(settlement)
    uow.emit(settlement.drafted())
    return settlement


def _terms(service: Service, period: tuple[date, date], costs: list[CostRow]) -> dict[str, Any]:
    lines = []
    for cost in costs:
        line: dict[str, Any] = {
            "concept": cost.concept,
            "amount": format(cost.amount.quantize(Decimal("0.01")), "f"),
        }
        if cost.consumption_share is not None:
            line["consumption_share"] = plain(cost.consumption_share)
        if cost.fixed_key is not None:
            line["fixed_key"] = cost.fixed_key.value
        lines.append(line)
    return {
        "service": service.value,
        "period": {"from": period[0].isoformat(), "to": period[1].isoformat()},
        "costs": lines,
    }


def _readings_of(found: CommunityFile, service: Service) -> list[dict[str, str]]:
    """The readings of one service's settlement, when the readings sheet says which service each row is
    for; a row that names none goes to every service."""
    services = found.reading_services
    return [
        _reading_json(item.unit, item.reading)
        for item in found.readings
        if services.get(item.reading.row or 0, service) is service
    ]


def _reading_json(unit: str, reading: Any) -> dict[str, str]:
    body = {"unit": unit}
    for name in ("meter", "previous", "current", "consumption", "factor"):
        value = getattr(reading, name)
        if value is not None:
            body[name] = value if isinstance(value, str) else format(value, "f")
    return body


def _period(found: CommunityFile, job: ImportJob) -> tuple[date, date]:
    dates = [r.reading.read_on for r in found.readings if r.reading.read_on is not None]
    if not dates:
        day = job.received_at.date()
        return day, day
    return min(dates), max(dates)
