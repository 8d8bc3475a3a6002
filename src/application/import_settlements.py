"""What an imported file changes in the registry and which settlements it produces, community by community."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

from prorata.application.file_owners import FileOwners
from prorata.application.kept_readings import KeptReadings
from prorata.domain.community.model import (
    Community,
    CommunityUnit,
    next_position,
)
from prorata.domain.imports.contents import CommunityFile, CostRow
from prorata.domain.imports.creditor_columns import creditor_details
from prorata.domain.imports.model import ImportJob
from prorata.domain.money import from_cents, plain, to_cents
from prorata.domain.ports.bank_accounts import BankAccounts
from prorata.domain.ports.ids import IdGenerator
from prorata.domain.ports.unit_of_work import UnitOfWork
from prorata.domain.problems import ErrorCode, Problem
from prorata.domain.readings.extract import UnitReading
from prorata.domain.settlement.request import Period, Reading, Service, unit_key
from prorata.domain.settlement.stored import Settlement, SettlementStatus

PRECOMPUTED = "Importe calculado por la empresa de lectura"


def upsert_registry(
    uow: UnitOfWork,
    ids: IdGenerator,
    job: ImportJob,
    found: CommunityFile,
    problems: list[Problem],
    changes: dict[str, int],
    accounts: BankAccounts,
) -> Registered:
    """The community with the creditor details, units, keys, owners and IBANs the file gives (created
    when new), and its units as the file leaves them; `changes` counts what it created and updated.
    `accounts` checks the community's IBAN as the API does."""
    tenant = job.tenant_id
    creditor, refused = creditor_details(
        job.original_name, found.code, found.creditor.values(), accounts.iban_problem
    )
    problems.extend(refused)
    communities = uow.communities.list(tenant, code=found.code).items
    if communities:
        community = creditor.on(communities[0])
        if community != communities[0]:
            uow.communities.update(community)
    else:
        community = creditor.on(Community(ids.new(), tenant, found.code, found.name or found.code))
        uow.communities.add(community)
        changes["communities_created"] += 1
    listed = uow.units.list(tenant, community_id=community.id).items
    units = {unit_key(u.code): u for u in listed}
    # A file's ownerships start on the file's first day (its earliest reading, else the day it came).
    owners = FileOwners(
        uow, ids, tenant, community.id, _ownership_start(uow, job, community, found), problems
    )
    new_units: list[CommunityUnit] = []
    named = {key: code for code, _, _ in found.unit_amounts.values() if (key := unit_key(code))}
    for named_unit in [item.unit for item in found.readings] + [item.unit for item in found.current_only]:
        named.setdefault(unit_key(named_unit), named_unit)
    position = next_position(units.values())
    for key in dict.fromkeys([*found.units, *named]):  # the file's order: new units are added in it
        details = found.units.get(key)
        unit = units.get(key)
        if unit is None:
            code = details.code if details else named[key]
            coefficient, area = (details.coefficient, details.area) if details else (None, None)
            unit = CommunityUnit(
                ids.new(), tenant, community.id, code.strip(), coefficient, area, position=position
            )
            position += 1
            new_units.append(unit)
        elif details is not None:
            changed = replace(
                unit, coefficient=details.coefficient or unit.coefficient, area=details.area or unit.area
            )
            if changed != unit:
                uow.units.update(changed)
                changes["units_updated"] += 1
                unit = changed
        if details is not None and details.owner:
            owners.note(unit, details.owner, details.iban, details.tax_id, details.row)
        units[key] = unit
    uow.units.add_all(new_units)
    changes["units_created"] += len(new_units)
    owners.save()
    changes["residents_created"] += owners.created
    changes["residents_updated"] += owners.updated
    after = {u.id: u for u in listed} | {u.id: u for u in units.values()}
    return Registered(community, sorted(after.values(), key=lambda u: (u.position, u.code)), not listed)


@dataclass(frozen=True, slots=True)
class Registered:
    """A community as a file leaves it in the registry, with its units in the community's order;
    `fresh` when it had none before the file."""

    community: Community
    units: list[CommunityUnit]
    fresh: bool


@dataclass(frozen=True, slots=True)
class Attached:
    """What a community's part of a file settles in: its drafts, how many of them are new, and the
    services whose readings still wait for a draft with costs."""

    settlements: list[Settlement]
    created: int = 0
    waiting: tuple[str, ...] = ()
    # By settlement id: the readings it keeps, as it keeps them (see `_kept`), for its computation.
    readings: dict[str, list[UnitReading]] = field(default_factory=dict)


def settlements_for(
    uow: UnitOfWork,
    ids: IdGenerator,
    job: ImportJob,
    community: Community,
    found: CommunityFile,
    problems: list[Problem],
) -> Attached:
    """Draft settlements carrying the file's readings: one per service of the file's costs; or the
    community's open drafts waiting for readings, each given the readings of its own service; or one
    from amounts computed per unit. Readings with no draft of their service wait for one."""
    readings = KeptReadings.of(found.readings)
    period = _period(found, job)
    if found.unit_amounts:
        precomputed, counted = _precomputed(uow, ids, job, community, found, period, problems)
        return Attached([precomputed], created=1, readings={precomputed.id: counted})
    if found.costs:
        by_service: dict[Service, list[CostRow]] = {}
        for cost in found.costs:
            by_service.setdefault(cost.service or Service.OTHER, []).append(cost)
        made = Attached([])
        for service, costs in by_service.items():
            given = _readings_of(found, service) if found.reading_services else readings
            terms = _terms(service, period, costs)
            settlement = _keep(uow, ids, job, community, service, period, terms, given.kept)
            made.settlements.append(settlement)
            made.readings[settlement.id] = given.counted
        return replace(made, created=len(made.settlements))
    return _attach(uow, job, community, found, readings, problems)


def _attach(
    uow: UnitOfWork,
    job: ImportJob,
    community: Community,
    found: CommunityFile,
    readings: KeptReadings,
    problems: list[Problem],
) -> Attached:
    """Readings with no costs in the file go to the community's open drafts (created over REST) of the
    same service; readings that name no service, to the community's only open draft."""
    open_drafts = [
        s
        for s in uow.settlements.list(
            job.tenant_id, community_id=community.id, status=SettlementStatus.DRAFT.value
        ).items
        if s.origin is None
    ]
    drafts = [s for s in open_drafts if s.import_id in (None, job.id)]
    services = sorted({s.service.value for s in drafts})
    if found.reading_services:
        wanted = {service: _readings_of(found, service) for service in set(found.reading_services.values())}
    elif len(services) == 1:
        wanted = {drafts[0].service: readings}
    elif not drafts and len({s.service for s in open_drafts}) == 1:
        wanted = {open_drafts[0].service: readings}  # only taken ones: said below
    else:
        if services:
            problems.append(
                Problem(
                    ErrorCode.INVALID_REQUEST,
                    f"community {community.code}: the readings name no service and the community has open "
                    f"settlements for {', '.join(services)}; add a service column",
                )
            )
        return Attached([], waiting=_fed_already(uow, job, community))
    attached, waiting = Attached([]), []
    for service, given in sorted(wanted.items()):
        draft = next((s for s in drafts if s.service is service), None)
        if draft is None:
            _taken(open_drafts, service, community, problems)
            waiting.append(service.value)
            continue
        settlement = replace(draft, readings=given.kept, import_id=job.id)
        if not uow.settlements.update_if(settlement, status=SettlementStatus.DRAFT.value):
            waiting.append(service.value)  # published meanwhile: it takes no more readings
            continue
        attached.settlements.append(settlement)
        attached.readings[settlement.id] = given.counted
    return replace(attached, waiting=tuple(waiting))


def _fed_already(uow: UnitOfWork, job: ImportJob, community: Community) -> tuple[str, ...]:
    """Why a file run again (support's reprocess) finds no draft: the settlements its readings fed before
    are past drafts (published) and take no more readings."""
    fed = uow.settlements.list(job.tenant_id, community_id=community.id, import_id=job.id).items
    return tuple(
        f"its {s.service.value} settlement {s.id} is {s.status.value}: it takes no more readings"
        for s in fed
        if s.status is not SettlementStatus.DRAFT
    )


def _taken(drafts: list[Settlement], service: Service, community: Community, problems: list[Problem]) -> None:
    """Say so when the only open settlements of the service hold another file's readings already."""
    for draft in drafts:
        if draft.service is service and draft.import_id is not None:
            problems.append(
                Problem(
                    ErrorCode.INVALID_REQUEST,
                    f"community {community.code}: the open {service.value} settlement {draft.id} holds the "
                    f"readings of import {draft.import_id}; create a settlement for this file's period, or "
                    "retry that import with this file's readings",
                )
            )
            return


def _precomputed(
    uow: UnitOfWork,
    ids: IdGenerator,
    job: ImportJob,
    community: Community,
    found: CommunityFile,
    period: tuple[date, date],
    problems: list[Problem],
) -> tuple[Settlement, list[UnitReading]]:
    """Amounts already computed per unit: each unit's amount is its weight, so each receipt is exactly
    its amount; a costs sheet, when given, must add up to the same total. With the readings it counts."""
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
        "costs": [{"concept": PRECOMPUTED, "amount": _money(total)}],
    }
    readings = [
        {"unit": code, "consumption": format(amount, "f")} for code, amount, _ in found.unit_amounts.values()
    ]
    amounts = found.unit_amounts.values()
    counted = [UnitReading(code, Reading(consumption=amount)) for code, amount, _ in amounts]
    return _keep(uow, ids, job, community, service, period, terms, readings), counted


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
        line: dict[str, Any] = {"concept": cost.concept, "amount": _money(cost.amount)}
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


def _money(amount: Decimal) -> str:
    """An amount as the contract writes it. A file's amounts are whole cents already (interpret refuses
    the others as row errors): this raises rather than round one."""
    return format(from_cents(to_cents(amount)), "f")


def _readings_of(found: CommunityFile, service: Service) -> KeptReadings:
    """The readings of one service's settlement, when the readings sheet says which service each row is
    for; a row that names none goes to every service."""
    services = found.reading_services
    return KeptReadings.of(
        item for item in found.readings if services.get(item.reading.row or 0, service) is service
    )


def _ownership_start(uow: UnitOfWork, job: ImportJob, community: Community, found: CommunityFile) -> date:
    """From when the owners a file names hold their units: the start of the settlement period the file's
    readings are for — the open draft's whose period holds the file's first day, for a file without
    costs — else the file's first day (its earliest reading, or the day it arrived). The file knows only
    who owns a unit now: one who sold during that period is taken to have held it until the period began."""
    first = _period(found, job)[0]
    if found.costs or found.unit_amounts or community.id is None:
        return first
    drafts = uow.settlements.list(
        job.tenant_id, community_id=community.id, status=SettlementStatus.DRAFT.value
    )
    starts = [
        s.period.start
        for s in drafts.items
        if s.origin is None and s.import_id in (None, job.id) and s.period.start <= first <= s.period.end
    ]
    return min([*starts, first])


def _period(found: CommunityFile, job: ImportJob) -> tuple[date, date]:
    dates = [r.reading.read_on for r in found.readings if r.reading.read_on is not None]
    dates += [c.read_on for c in found.current_only if c.read_on is not None]
    if not dates:
        day = job.received_at.date()
        return day, day
    return min(dates), max(dates)
